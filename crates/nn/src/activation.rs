//! Activation functions as modules without parameters.

use std::fmt;
use std::str::FromStr;

use sparsegrad_autograd::{Float, Tensor};
use thiserror::Error;

use crate::module::{DeepCopy, Module};

/// An elementwise nonlinearity. Each variant applies the autograd op of the
/// same name, where its derivative is written.
///
/// Parsed from and displayed as short lowercase names: `relu`, `tanh`, `sigmoid`, `gelu`, `softplus`, `identity`,
/// `leaky_relu(0.01)` (`leaky_relu` alone means slope 0.01, torch's default).
///
/// ```
/// use sparsegrad_nn::activation::Activation;
/// let act: Activation = "tanh".parse().unwrap();
/// assert_eq!(act, Activation::Tanh);
/// assert_eq!(act.to_string(), "tanh");
/// assert!("swish".parse::<Activation>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// max(x, 0).
    Relu,
    /// tanh x.
    Tanh,
    /// 1/(1 + e⁻ˣ).
    Sigmoid,
    /// x for x > 0, else slope·x.
    LeakyRelu(f64),
    /// GELU, tanh approximation.
    Gelu,
    /// ln(1 + eˣ).
    Softplus,
    /// x unchanged.
    Identity,
}

/// torch.nn.LeakyReLU's default negative slope.
const DEFAULT_LEAKY_SLOPE: f64 = 0.01;

/// A string that names no activation.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error(
    "unknown activation `{0}`: expected relu, tanh, sigmoid, gelu, softplus, identity, leaky_relu or leaky_relu(<slope>)"
)]
pub struct ParseActivationError(pub String);

impl FromStr for Activation {
    type Err = ParseActivationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseActivationError(s.to_string());
        Ok(match s {
            "relu" => Activation::Relu,
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            "gelu" => Activation::Gelu,
            "softplus" => Activation::Softplus,
            "identity" => Activation::Identity,
            "leaky_relu" => Activation::LeakyRelu(DEFAULT_LEAKY_SLOPE),
            _ => {
                let slope = s
                    .strip_prefix("leaky_relu(")
                    .and_then(|rest| rest.strip_suffix(')'))
                    .ok_or_else(err)?;
                let slope: f64 = slope.parse().map_err(|_| err())?;
                if !slope.is_finite() {
                    return Err(err());
                }
                Activation::LeakyRelu(slope)
            }
        })
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Activation::Relu => f.write_str("relu"),
            Activation::Tanh => f.write_str("tanh"),
            Activation::Sigmoid => f.write_str("sigmoid"),
            Activation::LeakyRelu(slope) => write!(f, "leaky_relu({slope})"),
            Activation::Gelu => f.write_str("gelu"),
            Activation::Softplus => f.write_str("softplus"),
            Activation::Identity => f.write_str("identity"),
        }
    }
}

/// An activation has no parameters: its copy is itself.
impl DeepCopy for Activation {
    fn deep_copy(&self) -> Self {
        *self
    }
}

impl<T: Float> Module<T> for Activation {
    fn forward(&self, x: &Tensor<T>) -> Tensor<T> {
        match *self {
            Activation::Relu => x.relu(),
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::LeakyRelu(slope) => x.leaky_relu(T::from_f64(slope)),
            Activation::Gelu => x.gelu(),
            Activation::Softplus => x.softplus(),
            Activation::Identity => x.clone(),
        }
    }

    /// None: an activation has no parameters.
    fn named_parameters(&self) -> Vec<(String, Tensor<T>)> {
        Vec::new()
    }
}
