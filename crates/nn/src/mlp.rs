//! The multilayer perceptron: linear layers with an activation between
//! consecutive ones.

use rand::Rng;
use sparsegrad_autograd::{Float, Tensor};
use thiserror::Error;

use crate::activation::Activation;
use crate::linear::Linear;
use crate::module::{DeepCopy, Module, indexed_parameters};

/// One entry of an [`Mlp`]: the `layers` array of a model file holds the
/// same two kinds.
pub enum MlpLayer<T: Float = f32> {
    /// A fully connected layer.
    Linear(Linear<T>),
    /// An elementwise nonlinearity.
    Activation(Activation),
}

impl<T: Float> MlpLayer<T> {
    /// The module behind the entry.
    fn module(&self) -> &dyn Module<T> {
        match self {
            MlpLayer::Linear(linear) => linear,
            MlpLayer::Activation(activation) => activation,
        }
    }
}

impl<T: Float> DeepCopy for MlpLayer<T> {
    fn deep_copy(&self) -> Self {
        match self {
            MlpLayer::Linear(linear) => MlpLayer::Linear(linear.deep_copy()),
            MlpLayer::Activation(activation) => MlpLayer::Activation(*activation),
        }
    }
}

/// Layers that do not make a network.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum MlpError {
    /// No linear layer at all.
    #[error("an MLP needs at least one linear layer")]
    NoLinearLayer,
    /// A linear layer whose input width is not the previous one's output width.
    #[error(
        "layers.{layer}: expects {found} input features, but the previous linear layer gives {expected}"
    )]
    WidthMismatch {
        /// Index of the layer in the layers list.
        layer: usize,
        /// Output width of the previous linear layer.
        expected: usize,
        /// Input width of this layer.
        found: usize,
    },
}

/// A multilayer perceptron, applied as torch.nn.Sequential applies its
/// layers. Parameters are named `layers.<i>.weight` / `layers.<i>.bias`
/// with i the index in [`layers`](Mlp::layers), activations counted: the
/// names of the model file and of torch.
///
/// ```
/// use rand::{SeedableRng, rngs::StdRng};
/// use sparsegrad_nn::{activation::Activation, mlp::Mlp, module::Module};
/// let mlp = Mlp::<f32>::new(&[100, 64, 64, 1], Activation::Relu, &mut StdRng::seed_from_u64(0));
/// let names: Vec<String> = mlp.named_parameters().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, [
///     "layers.0.weight", "layers.0.bias",
///     "layers.2.weight", "layers.2.bias",
///     "layers.4.weight", "layers.4.bias",
/// ]);
/// assert_eq!(mlp.first_layer_weight().shape(), vec![64, 100]);
/// ```
pub struct Mlp<T: Float = f32> {
    layers: Vec<MlpLayer<T>>,
}

impl<T: Float> Mlp<T> {
    /// `Linear(sizes[0] → sizes[1])`, activation, `Linear(sizes[1] → sizes[2])`,
    /// activation, …, `Linear(→ sizes[last])`: every layer with a bias and
    /// torch.nn.Linear's default init, drawn from `rng` layer by layer; no
    /// activation after the last layer.
    ///
    /// # Panics
    /// When `sizes` has fewer than 2 entries or one of them is 0.
    pub fn new(sizes: &[usize], activation: Activation, rng: &mut impl Rng) -> Self {
        assert!(
            sizes.len() >= 2,
            "Mlp::new: sizes {sizes:?} need an input and an output width"
        );
        let mut layers = Vec::with_capacity(2 * sizes.len() - 3);
        for (i, pair) in sizes.windows(2).enumerate() {
            if i > 0 {
                layers.push(MlpLayer::Activation(activation));
            }
            layers.push(MlpLayer::Linear(Linear::new(pair[0], pair[1], true, rng)));
        }
        Self { layers }
    }

    /// The network made of `layers`, in order, after checking that each
    /// linear layer takes as many inputs as the previous one gives.
    pub fn from_layers(layers: Vec<MlpLayer<T>>) -> Result<Self, MlpError> {
        let mut width: Option<usize> = None;
        for (i, layer) in layers.iter().enumerate() {
            if let MlpLayer::Linear(linear) = layer {
                match width {
                    Some(expected) if expected != linear.in_features() => {
                        return Err(MlpError::WidthMismatch {
                            layer: i,
                            expected,
                            found: linear.in_features(),
                        });
                    }
                    _ => width = Some(linear.out_features()),
                }
            }
        }
        match width {
            None => Err(MlpError::NoLinearLayer),
            Some(_) => Ok(Self { layers }),
        }
    }

    /// The layers, in order.
    pub fn layers(&self) -> &[MlpLayer<T>] {
        &self.layers
    }

    /// The layers, given up.
    pub fn into_layers(self) -> Vec<MlpLayer<T>> {
        self.layers
    }

    /// The linear layers, in order.
    pub fn linear_layers(&self) -> impl Iterator<Item = &Linear<T>> {
        self.layers.iter().filter_map(|layer| match layer {
            MlpLayer::Linear(linear) => Some(linear),
            MlpLayer::Activation(_) => None,
        })
    }

    /// The first linear layer (there is always one).
    fn first_linear(&self) -> &Linear<T> {
        self.linear_layers()
            .next()
            .expect("an Mlp has a linear layer (checked at construction)")
    }

    /// The first layer's weight `[hidden, inputs]`: column i holds every
    /// weight out of input feature i, so an all-zero column means feature i
    /// is not used (the sparsity metrics read it).
    pub fn first_layer_weight(&self) -> &Tensor<T> {
        self.first_linear().weight()
    }

    /// The number of input features.
    pub fn in_features(&self) -> usize {
        self.first_linear().in_features()
    }

    /// The number of outputs.
    pub fn out_features(&self) -> usize {
        self.linear_layers()
            .last()
            .expect("an Mlp has a linear layer (checked at construction)")
            .out_features()
    }
}

impl<T: Float> DeepCopy for Mlp<T> {
    fn deep_copy(&self) -> Self {
        Self {
            layers: self.layers.iter().map(DeepCopy::deep_copy).collect(),
        }
    }
}

impl<T: Float> Module<T> for Mlp<T> {
    fn forward(&self, x: &Tensor<T>) -> Tensor<T> {
        self.layers
            .iter()
            .fold(x.clone(), |h, layer| layer.module().forward(&h))
    }

    fn named_parameters(&self) -> Vec<(String, Tensor<T>)> {
        indexed_parameters("layers.", self.layers.iter().map(MlpLayer::module))
    }
}
