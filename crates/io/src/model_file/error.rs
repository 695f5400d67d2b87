//! What can be wrong with a model file, each error naming the place.

use thiserror::Error;

use crate::fs::{FileError, ReadError};
use crate::limits::LimitExceeded;
use crate::state_dict::TensorFileError;

/// A model file that cannot be used, with the place of the problem.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ModelFileError {
    /// The bytes are not JSON.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    NotJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// The JSON ends in the middle of a value.
    #[error("the file ends early, at line {line}, column {column} (truncated?)")]
    Truncated {
        /// 1-based line of the end.
        line: usize,
        /// 1-based column of the end.
        column: usize,
    },
    /// The JSON is not an object at the top level.
    #[error("not a sparsegrad model file: the top level is not a JSON object")]
    NotAnObject,
    /// `format` is missing or is not `"sparsegrad-model"`.
    #[error("not a sparsegrad model file: \"format\" is {}, expected \"sparsegrad-model\"", shown(.found))]
    WrongFormat {
        /// The JSON text of the value found, `None` when the field is missing.
        found: Option<String>,
    },
    /// `version` is missing or not one this build reads.
    #[error("unsupported model file version {} (this build reads version 1)", shown(.found))]
    UnsupportedVersion {
        /// The JSON text of the value found, `None` when the field is missing.
        found: Option<String>,
    },
    /// `dtype` is missing or not `"f32"` / `"f64"`.
    #[error("unknown dtype {} (expected \"f32\" or \"f64\")", shown(.found))]
    UnknownDtype {
        /// The JSON text of the value found, `None` when the field is missing.
        found: Option<String>,
    },
    /// A field is missing, unknown or of the wrong type, or a number does
    /// not fit the dtype (as the JSON parser words it, with its position).
    #[error("invalid model file: {0}")]
    Structure(String),
    /// A layer's `type` is not one of the four known.
    #[error(
        "layers[{index}]: unknown layer type \"{found}\" (expected \"linear\", \"relu\", \"tanh\" or \"sigmoid\")"
    )]
    UnknownLayerType {
        /// The layer's index in `layers`.
        index: usize,
        /// The type found.
        found: String,
    },
    /// A linear layer lacks a field.
    #[error("layers[{index}] (linear) has no \"{field}\"")]
    MissingLayerField {
        /// The layer's index.
        index: usize,
        /// The missing field.
        field: &'static str,
    },
    /// An activation layer has a field that only linear layers have.
    #[error(
        "layers[{index}] ({layer_type}) cannot have \"{field}\"; only linear layers have parameters"
    )]
    UnexpectedLayerField {
        /// The layer's index.
        index: usize,
        /// The activation's type.
        layer_type: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A linear layer with no inputs or no outputs.
    #[error("layers[{index}].{field} is 0; a linear layer needs at least one input and one output")]
    ZeroWidth {
        /// The layer's index.
        index: usize,
        /// `in_features` or `out_features`.
        field: &'static str,
    },
    /// `weight` does not have out_features rows.
    #[error("layers[{index}].weight has {rows} rows, expected out_features = {out_features}")]
    WeightRows {
        /// The layer's index.
        index: usize,
        /// Rows found.
        rows: usize,
        /// The layer's out_features.
        out_features: usize,
    },
    /// A row of `weight` does not have in_features numbers.
    #[error(
        "layers[{index}].weight[{row}] has {len} numbers, expected in_features = {in_features}"
    )]
    WeightRowLength {
        /// The layer's index.
        index: usize,
        /// The row.
        row: usize,
        /// Numbers found.
        len: usize,
        /// The layer's in_features.
        in_features: usize,
    },
    /// `bias` does not have out_features numbers.
    #[error("layers[{index}].bias has {len} numbers, expected out_features = {out_features}")]
    BiasLength {
        /// The layer's index.
        index: usize,
        /// Numbers found.
        len: usize,
        /// The layer's out_features.
        out_features: usize,
    },
    /// There is no linear layer at all.
    #[error("the model has no linear layer")]
    NoLinearLayer,
    /// The layers do not alternate linear and activation, starting and
    /// ending with linear.
    #[error(
        "layers[{index}] ({layer_type}) {problem}; an MLP is a linear layer, then (activation, linear) any number of times"
    )]
    LayerOrder {
        /// The layer's index.
        index: usize,
        /// Its type.
        layer_type: &'static str,
        /// `comes first`, `comes last`, `follows another activation` or
        /// `follows another linear layer`.
        problem: &'static str,
    },
    /// A linear layer's inputs are not the previous linear layer's outputs.
    #[error(
        "layers[{index}].in_features = {in_features}, but layers[{previous}].out_features = {out_features}"
    )]
    ChainMismatch {
        /// The layer's index.
        index: usize,
        /// Its in_features.
        in_features: usize,
        /// The index of the previous linear layer.
        previous: usize,
        /// Its out_features.
        out_features: usize,
    },
    /// The number of feature names is not the first layer's in_features.
    #[error("{features} features are named, but layers[0].in_features = {in_features}")]
    FeatureCount {
        /// Names found.
        features: usize,
        /// The first layer's in_features.
        in_features: usize,
    },
    /// A size beyond the limits `fit` is held to.
    #[error("{0}")]
    Limit(#[from] LimitExceeded),
    /// A feature or the target name is empty or holds a control character.
    #[error(
        "{place} {flaw}: a feature or target name must be non-empty text without control characters"
    )]
    BadName {
        /// `features[j]` or `target`.
        place: String,
        /// What is wrong with it.
        flaw: &'static str,
    },
    /// A feature name appears twice.
    #[error("feature \"{name}\" is named twice in \"features\"")]
    DuplicateFeature {
        /// The name.
        name: String,
    },
    /// The target is also a feature.
    #[error("the target \"{name}\" is also listed as a feature")]
    TargetIsFeature {
        /// The name.
        name: String,
    },
    /// A classifier with fewer than two outputs.
    #[error(
        "a classification model needs at least 2 outputs (one per class), this one has {outputs}"
    )]
    TooFewClasses {
        /// The last layer's out_features.
        outputs: usize,
    },
    /// `standardize.mean` or `.std` has the wrong length.
    #[error("standardize.{statistic} has {len} numbers for {features} features")]
    StandardizeLength {
        /// `mean` or `std`.
        statistic: &'static str,
        /// Numbers found.
        len: usize,
        /// Number of features.
        features: usize,
    },
    /// A mean that is not finite or a std that is not positive and finite.
    #[error(
        "standardize.{statistic}[{index}] = {value} cannot standardize (a mean must be finite, a std positive and finite)"
    )]
    BadStandardize {
        /// `mean` or `std`.
        statistic: &'static str,
        /// The feature's index.
        index: usize,
        /// The value.
        value: String,
    },
    /// A weight or bias that is NaN or infinite in the model's dtype.
    #[error("{location} = {value} is not a finite {dtype} number")]
    NonFinite {
        /// Where, as `layers[i].weight[r][c]` or `layers[i].bias[k]`.
        location: String,
        /// The value.
        value: String,
        /// `f32` or `f64`.
        dtype: &'static str,
    },
    /// The safetensors container or its tensors are wrong: not
    /// safetensors, a tensor missing, left over, or of the wrong dtype or
    /// shape (see [`TensorFileError`]).
    #[error("{0}")]
    Tensors(#[from] TensorFileError),
    /// The safetensors `__metadata__` `"version"` is missing or not `"2"`.
    #[error("unsupported safetensors model version {} (this build reads version \"2\")", shown(.found))]
    UnsupportedContainerVersion {
        /// The JSON text of the value found, `None` when the field is missing.
        found: Option<String>,
    },
    /// The safetensors `__metadata__` `"model"` is not JSON, or ends in the
    /// middle of a value: the container is whole, the text in it is not.
    #[error(
        "the safetensors metadata's \"model\" is not valid JSON at line {line}, column {column}: {message}"
    )]
    MetadataNotJson {
        /// 1-based line in the metadata's text.
        line: usize,
        /// 1-based column in the metadata's text.
        column: usize,
        /// What is wrong there.
        message: String,
    },
    /// The safetensors `__metadata__` has no `"model"`.
    #[error("the safetensors metadata has no \"model\" (the model file without its parameters)")]
    NoModelMetadata,
    /// The metadata's model holds a linear layer's parameters, which belong
    /// in the tensors.
    #[error(
        "layers[{index}] (linear) has \"{field}\" in the metadata; a safetensors model keeps it in the tensor layers.{index}.{field}"
    )]
    ParametersInMetadata {
        /// The layer's index.
        index: usize,
        /// `weight` or `bias`.
        field: &'static str,
    },
}

/// The JSON text of a value found, or `missing`.
fn shown(found: &Option<String>) -> &str {
    found.as_deref().unwrap_or("missing")
}

/// A model file that cannot be loaded: `path: what` (see [`LoadErrorKind`]).
pub type LoadError = FileError<LoadErrorKind>;

/// Why a model file cannot be loaded.
#[derive(Debug, Error)]
pub enum LoadErrorKind {
    /// The file cannot be read.
    #[error("{0}")]
    Read(ReadError),
    /// Its contents are not a valid model.
    #[error("{0}")]
    Invalid(ModelFileError),
}
