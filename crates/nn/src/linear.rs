//! The fully connected layer, y = x·Wᵀ + b, as `torch.nn.Linear`.

use ndarray::{Array1, Array2};
use rand::Rng;
use sparsegrad_autograd::{Float, Tensor};
use thiserror::Error;

use crate::init::linear_default;
use crate::module::{DeepCopy, Module, copy_parameter};

/// y = x·Wᵀ + b for x `[batch, in]`, W `[out, in]` (PyTorch's layout: row j
/// of W holds the weights into output j, column i those out of input i)
/// and b `[out]`. Parameters named `weight` and `bias`.
pub struct Linear<T: Float = f32> {
    weight: Tensor<T>,
    bias: Option<Tensor<T>>,
}

/// A bias whose length is not the weight's number of rows.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error(
    "linear layer: weight [{out_features}, {in_features}] needs a bias of length {out_features}, got {bias_len}"
)]
pub struct BiasLengthError {
    /// Rows of the weight.
    pub out_features: usize,
    /// Columns of the weight.
    pub in_features: usize,
    /// Length of the bias given.
    pub bias_len: usize,
}

impl<T: Float> Linear<T> {
    /// A layer with torch.nn.Linear's default init: W and b drawn from
    /// U(−1/√in, 1/√in), the weight first, then the bias (see
    /// [`linear_default`]).
    ///
    /// # Panics
    /// When `in_features` or `out_features` is 0.
    pub fn new(in_features: usize, out_features: usize, bias: bool, rng: &mut impl Rng) -> Self {
        assert!(
            in_features > 0 && out_features > 0,
            "Linear::new: in_features {in_features} and out_features {out_features} must be positive"
        );
        let weight = linear_default(&[out_features, in_features], in_features, rng);
        let bias = bias.then(|| linear_default(&[out_features], in_features, rng));
        Self::from_tensors(weight, bias)
    }

    /// A layer with the given weight `[out, in]` and optional bias `[out]`
    /// (from a model file, or a hand-made test).
    pub fn from_arrays(
        weight: Array2<T>,
        bias: Option<Array1<T>>,
    ) -> Result<Self, BiasLengthError> {
        let (out_features, in_features) = weight.dim();
        match bias.as_ref().map(Array1::len) {
            Some(bias_len) if bias_len != out_features => Err(BiasLengthError {
                out_features,
                in_features,
                bias_len,
            }),
            _ => Ok(Self::from_tensors(
                Tensor::new(weight),
                bias.map(Tensor::new),
            )),
        }
    }

    /// Wraps two fresh leaves, marking them as parameters.
    fn from_tensors(weight: Tensor<T>, bias: Option<Tensor<T>>) -> Self {
        Self {
            weight: weight.set_requires_grad(true),
            bias: bias.map(|b| b.set_requires_grad(true)),
        }
    }

    /// The weight W, `[out, in]`.
    pub fn weight(&self) -> &Tensor<T> {
        &self.weight
    }

    /// The bias b, `[out]`, if the layer has one.
    pub fn bias(&self) -> Option<&Tensor<T>> {
        self.bias.as_ref()
    }

    /// The number of inputs (columns of W).
    pub fn in_features(&self) -> usize {
        self.weight.shape()[1]
    }

    /// The number of outputs (rows of W).
    pub fn out_features(&self) -> usize {
        self.weight.shape()[0]
    }
}

impl<T: Float> DeepCopy for Linear<T> {
    fn deep_copy(&self) -> Self {
        Self {
            weight: copy_parameter(&self.weight),
            bias: self.bias.as_ref().map(copy_parameter),
        }
    }
}

impl<T: Float> Module<T> for Linear<T> {
    /// x·Wᵀ + b through the fused `linear` op (one node, no transposed copy).
    fn forward(&self, x: &Tensor<T>) -> Tensor<T> {
        x.linear(&self.weight, self.bias.as_ref())
    }

    fn named_parameters(&self) -> Vec<(String, Tensor<T>)> {
        let mut named = vec![("weight".to_string(), self.weight.clone())];
        if let Some(b) = &self.bias {
            named.push(("bias".to_string(), b.clone()));
        }
        named
    }
}
