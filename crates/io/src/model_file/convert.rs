//! Between a model file and the [`Mlp`] it describes: `fit` trains an
//! `Mlp` and saves it as a [`ModelFile`]; `predict` and `fit --init` turn a
//! file back into an `Mlp`.
//!
//! ```
//! use rand::{SeedableRng, rngs::StdRng};
//! use sparsegrad_nn::{activation::Activation, data::Task, mlp::Mlp, module::Module};
//! use sparsegrad_io::model_file::ModelFile;
//!
//! let mlp = Mlp::<f64>::new(&[2, 3, 1], Activation::Tanh, &mut StdRng::seed_from_u64(0));
//! let names = vec!["a".to_string(), "b".to_string()];
//! let file = ModelFile::from_mlp(&mlp, Task::Regression, names, "y".into(), None).unwrap();
//! assert_eq!(file.layers()[1].type_name(), "tanh");
//! // Back to an Mlp: the same parameters under the same names.
//! let back = file.to_mlp();
//! for ((name, p), (back_name, q)) in mlp.named_parameters().iter().zip(back.named_parameters()) {
//!     assert_eq!((name, &*p.value()), (&back_name, &*q.value()));
//! }
//! // An activation the format lacks is refused.
//! let gelu = Mlp::<f64>::new(&[2, 3, 1], Activation::Gelu, &mut StdRng::seed_from_u64(0));
//! let names = vec!["a".to_string(), "b".to_string()];
//! assert!(ModelFile::from_mlp(&gelu, Task::Regression, names, "y".into(), None).is_err());
//! ```

use ndarray::{Array1, Array2, Ix2};
use sparsegrad_autograd::Float;
use thiserror::Error;

use super::{Layer, ModelFile, ModelFileError};
use sparsegrad_nn::activation::Activation;
use sparsegrad_nn::data::{Standardizer, Task};
use sparsegrad_nn::linear::Linear;
use sparsegrad_nn::mlp::{Mlp, MlpLayer};

/// Why an [`Mlp`] cannot be saved as a model file.
#[derive(Debug, Error)]
pub enum FromMlpError {
    /// The file format has only relu, tanh and sigmoid.
    #[error(
        "layers.{index}: activation {activation} cannot be written to a model file (relu, tanh or sigmoid only)"
    )]
    UnsupportedActivation {
        /// The layer's index.
        index: usize,
        /// Its activation.
        activation: Activation,
    },
    /// Every linear layer of a model file has a bias.
    #[error("layers.{index}: a linear layer without a bias cannot be written to a model file")]
    NoBias {
        /// The layer's index.
        index: usize,
    },
    /// The parts do not make a valid file (a parameter that is not finite, say).
    #[error(transparent)]
    Invalid(#[from] ModelFileError),
}

impl<T: Float> ModelFile<T> {
    /// The model file of `mlp`'s current parameters (copied), with the
    /// given task, column names and standardization, checked as
    /// [`ModelFile::new`] checks.
    pub fn from_mlp(
        mlp: &Mlp<T>,
        task: Task,
        features: Vec<String>,
        target: String,
        standardize: Option<Standardizer>,
    ) -> Result<Self, FromMlpError> {
        let layers = mlp
            .layers()
            .iter()
            .enumerate()
            .map(|(index, layer)| match layer {
                MlpLayer::Linear(linear) => {
                    let bias = linear.bias().ok_or(FromMlpError::NoBias { index })?;
                    let weight = linear
                        .weight()
                        .value()
                        .clone()
                        .into_dimensionality::<Ix2>()
                        .expect("a linear layer's weight is 2-D");
                    let bias = bias
                        .value()
                        .clone()
                        .into_dimensionality()
                        .expect("a linear layer's bias is 1-D");
                    Ok(Layer::Linear { weight, bias })
                }
                MlpLayer::Activation(activation) => match activation {
                    Activation::Relu => Ok(Layer::Relu),
                    Activation::Tanh => Ok(Layer::Tanh),
                    Activation::Sigmoid => Ok(Layer::Sigmoid),
                    other => Err(FromMlpError::UnsupportedActivation {
                        index,
                        activation: *other,
                    }),
                },
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ModelFile::new(task, features, target, standardize, layers)?)
    }

    /// A fresh [`Mlp`] holding copies of the file's parameters (as
    /// trainable leaves), the same layers in the same order, so its
    /// parameter names are the file's `layers.<i>.weight` / `.bias`.
    pub fn to_mlp(&self) -> Mlp<T> {
        let layers = self
            .layers
            .iter()
            .map(|layer| match layer {
                Layer::Linear { weight, bias } => MlpLayer::Linear(linear_layer(weight, bias)),
                Layer::Relu => MlpLayer::Activation(Activation::Relu),
                Layer::Tanh => MlpLayer::Activation(Activation::Tanh),
                Layer::Sigmoid => MlpLayer::Activation(Activation::Sigmoid),
            })
            .collect();
        Mlp::from_layers(layers).expect("a validated model file chains its linear layers")
    }
}

/// A linear layer with copies of `weight` and `bias`.
fn linear_layer<T: Float>(weight: &Array2<T>, bias: &Array1<T>) -> Linear<T> {
    Linear::from_arrays(weight.clone(), Some(bias.clone()))
        .expect("a validated model file has a bias of out_features numbers")
}
