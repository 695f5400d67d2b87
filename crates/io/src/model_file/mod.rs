//! Model files: an MLP's parameters and how to feed it, as versioned JSON.
//!
//! The format is the one `fit` writes and `predict` reads (see the
//! command-line contract):
//!
//! ```json
//! {
//!   "format": "sparsegrad-model",
//!   "version": 1,
//!   "dtype": "f64",
//!   "task": "regression",
//!   "features": ["x0", "x1"],
//!   "target": "y",
//!   "standardize": null,
//!   "layers": [
//!     {"type": "linear", "in_features": 2, "out_features": 3, "weight": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], "bias": [0.0, 0.0, 0.0]},
//!     {"type": "relu"},
//!     {"type": "linear", "in_features": 3, "out_features": 1, "weight": [[0.1, 0.2, 0.3]], "bias": [0.0]}
//!   ]
//! }
//! ```
//!
//! - `weight` is out_features rows of in_features numbers (PyTorch's
//!   `nn.Linear` layout, y = x·Wᵀ + b). Activations are `relu`, `tanh`,
//!   `sigmoid`.
//! - Numbers are written in the shortest form that reads back, in the
//!   file's dtype, to the same value bit for bit (serde_json's `ryu`
//!   formatting, for f32 in f32's own shortest form), and are read back
//!   with a correctly rounded parse in that dtype (the workspace enables
//!   serde_json's `float_roundtrip`, which parses f32 directly, never
//!   through f64).
//! - `standardize` is `null` or `{"mean": [...], "std": [...]}` with one
//!   number per feature. These are f64 in every file, whatever the dtype,
//!   because the standardizer is fitted and applied in f64.
//!
//! What a valid file is (checked on load, on [`ModelFile::new`] and on
//! [`ModelFile::cast`], by one function):
//! - `format` = `"sparsegrad-model"`, `version` = 1, `dtype` ∈ {f32, f64},
//!   `task` ∈ {regression, classification}, and no unknown fields;
//! - the layers form an MLP: linear, then (activation, linear) any number
//!   of times. So the first and the last layer are linear and no two
//!   activations or two linear layers are adjacent (two linear layers in a
//!   row would be one linear map; no program writes them);
//! - every linear layer has in_features, out_features ≥ 1, a weight of
//!   out_features rows of in_features numbers and a bias of out_features
//!   numbers, and takes as many inputs as the previous one gives outputs;
//! - the features are distinct, do not include the target, and there are
//!   as many as the first layer's in_features;
//! - a classifier has at least 2 outputs (as scikit-learn refuses to fit a
//!   classifier on one class); a regression model may have any number ≥ 1;
//! - every weight and bias is finite in the dtype; each standardize mean is
//!   finite and each std positive and finite.
//!
//! ```
//! use sparsegrad_nn::data::Task;
//! use sparsegrad_io::model_file::{AnyModelFile, Layer, ModelFile};
//! use sparsegrad_autograd::ndarray::array;
//!
//! let layers = vec![
//!     Layer::Linear { weight: array![[0.5f32, -1.0]], bias: array![0.25] },
//! ];
//! let model = ModelFile::new(Task::Regression, vec!["a".into(), "b".into()], "y".into(), None, layers).unwrap();
//! let bytes = model.to_json_bytes();
//! match AnyModelFile::from_json_bytes(&bytes).unwrap() {
//!     AnyModelFile::F32(back) => assert_eq!(back, model),
//!     AnyModelFile::F64(_) => unreachable!("written as f32"),
//! }
//! ```

mod convert;
mod error;
mod read;
mod validate;
mod write;

pub use convert::FromMlpError;
pub use error::{LoadError, LoadErrorKind, ModelFileError};

use std::io;
use std::path::Path;

use ndarray::{Array1, Array2};
use sparsegrad_autograd::Float;

use crate::fs::{FileError, read_file, write_atomically};
use sparsegrad_nn::data::{Standardizer, Task};

/// The `format` string of every model file.
pub const FORMAT: &str = "sparsegrad-model";

/// The `version` this build writes and reads.
pub const VERSION: u64 = 1;

/// One layer of the MLP, in the order applied.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer<T: Float> {
    /// y = x·Wᵀ + b, with W of shape `[out_features, in_features]` and b of
    /// shape `[out_features]`.
    Linear {
        /// W, out_features × in_features.
        weight: Array2<T>,
        /// b, out_features.
        bias: Array1<T>,
    },
    /// max(x, 0).
    Relu,
    /// tanh(x).
    Tanh,
    /// 1 / (1 + e^(−x)).
    Sigmoid,
}

impl<T: Float> Layer<T> {
    /// The layer's `type` in the file: `linear`, `relu`, `tanh`, `sigmoid`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Layer::Linear { .. } => "linear",
            Layer::Relu => "relu",
            Layer::Tanh => "tanh",
            Layer::Sigmoid => "sigmoid",
        }
    }

    /// The activation named `type_name`, if it is one.
    fn activation(type_name: &str) -> Option<Self> {
        match type_name {
            "relu" => Some(Layer::Relu),
            "tanh" => Some(Layer::Tanh),
            "sigmoid" => Some(Layer::Sigmoid),
            _ => None,
        }
    }
}

/// A validated model: only [`new`](Self::new), [`cast`](Self::cast) and
/// [`AnyModelFile::from_json_bytes`] make one, so every `ModelFile` can be
/// written and read back.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFile<T: Float> {
    task: Task,
    features: Vec<String>,
    target: String,
    standardize: Option<Standardizer>,
    layers: Vec<Layer<T>>,
}

impl<T: Float> ModelFile<T> {
    /// A model file from its parts, checked as the module docs describe.
    pub fn new(
        task: Task,
        features: Vec<String>,
        target: String,
        standardize: Option<Standardizer>,
        layers: Vec<Layer<T>>,
    ) -> Result<Self, ModelFileError> {
        let model = ModelFile {
            task,
            features,
            target,
            standardize,
            layers,
        };
        validate::validate(&model)?;
        Ok(model)
    }

    /// Regression or classification.
    pub fn task(&self) -> Task {
        self.task
    }

    /// The feature columns, in the order of the first layer's inputs.
    pub fn features(&self) -> &[String] {
        &self.features
    }

    /// The target column's name.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The standardization to apply to the features first, if any.
    pub fn standardize(&self) -> Option<&Standardizer> {
        self.standardize.as_ref()
    }

    /// The layers, in the order applied.
    pub fn layers(&self) -> &[Layer<T>] {
        &self.layers
    }

    /// The number of outputs: the last linear layer's out_features (for a
    /// classifier, the number of classes K).
    pub fn n_outputs(&self) -> usize {
        self.linear_layers()
            .last()
            .map_or(0, |(_, weight, _)| weight.nrows())
    }

    /// The linear layers as (index in `layers`, weight, bias).
    pub fn linear_layers(&self) -> impl Iterator<Item = (usize, &Array2<T>, &Array1<T>)> {
        self.layers
            .iter()
            .enumerate()
            .filter_map(|(index, layer)| match layer {
                Layer::Linear { weight, bias } => Some((index, weight, bias)),
                _ => None,
            })
    }

    /// The same model in dtype `U`, each number rounded to nearest; an
    /// error names a number too large for `U` (an f64 weight of 1e300 cast
    /// to f32).
    pub fn cast<U: Float>(&self) -> Result<ModelFile<U>, ModelFileError> {
        let convert = |x: &T| U::from_f64(x.as_f64());
        let layers = self
            .layers
            .iter()
            .map(|layer| match layer {
                Layer::Linear { weight, bias } => Layer::Linear {
                    weight: weight.map(convert),
                    bias: bias.map(convert),
                },
                Layer::Relu => Layer::Relu,
                Layer::Tanh => Layer::Tanh,
                Layer::Sigmoid => Layer::Sigmoid,
            })
            .collect();
        ModelFile::new(
            self.task,
            self.features.clone(),
            self.target.clone(),
            self.standardize.clone(),
            layers,
        )
    }

    /// The file's contents: the layout of the module docs, one layer per
    /// line, ending in a newline. The same model gives the same bytes.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        write::to_json(self).into_bytes()
    }

    /// Writes the file atomically (see [`write_atomically`]); to commit it
    /// together with other files, pass [`to_json_bytes`](Self::to_json_bytes)
    /// to `write_atomically` instead.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        write_atomically(&[(path, &self.to_json_bytes())])
    }
}

/// A model file of either dtype, as loaded: the file decides.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyModelFile {
    /// `"dtype": "f32"`.
    F32(ModelFile<f32>),
    /// `"dtype": "f64"`.
    F64(ModelFile<f64>),
}

impl AnyModelFile {
    /// Parses and validates a model file's contents.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Self, ModelFileError> {
        read::from_json_bytes(bytes)
    }

    /// Reads, parses and validates the model file at `path`.
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let in_file = |kind| FileError {
            path: path.to_path_buf(),
            kind,
        };
        let bytes = read_file(path).map_err(|e| in_file(LoadErrorKind::Read(e)))?;
        Self::from_json_bytes(&bytes).map_err(|e| in_file(LoadErrorKind::Invalid(e)))
    }

    /// The file's dtype: `"f32"` or `"f64"`.
    pub fn dtype(&self) -> &'static str {
        match self {
            AnyModelFile::F32(_) => f32::NAME,
            AnyModelFile::F64(_) => f64::NAME,
        }
    }

    /// The model in dtype `U` (see [`ModelFile::cast`]).
    pub fn into_dtype<U: Float>(self) -> Result<ModelFile<U>, ModelFileError> {
        match self {
            AnyModelFile::F32(model) => model.cast(),
            AnyModelFile::F64(model) => model.cast(),
        }
    }
}
