//! Parsing a model file: first the fields that say what the file is, then
//! the whole file with its numbers read in the file's own dtype.

use ndarray::{Array1, Array2};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;
use serde_json::error::Category;
use sparsegrad_autograd::Float;

use super::{AnyModelFile, FORMAT, Layer, ModelFile, ModelFileError, VERSION};
use sparsegrad_nn::data::{Standardizer, Task};

/// The fields that decide how to read the rest. Everything else is skipped
/// unparsed at this stage, so a file of another version or format is named
/// as such before its contents are judged.
#[derive(Deserialize)]
struct Identity {
    format: Option<Value>,
    version: Option<Value>,
    dtype: Option<Value>,
}

/// The whole file, as written (the identity fields were checked already).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile<N> {
    // Checked in `Identity` already; named here so that they are not unknown.
    #[serde(rename = "format")]
    _format: IgnoredAny,
    #[serde(rename = "version")]
    _version: IgnoredAny,
    #[serde(rename = "dtype")]
    _dtype: IgnoredAny,
    task: Task,
    features: Vec<String>,
    target: String,
    standardize: Option<Standardizer>,
    layers: Vec<RawLayer<N>>,
}

/// One entry of `layers`, before its type decides which fields it needs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayer<N> {
    #[serde(rename = "type")]
    layer_type: String,
    in_features: Option<usize>,
    out_features: Option<usize>,
    weight: Option<Vec<Vec<N>>>,
    bias: Option<Vec<N>>,
}

pub(super) fn from_json_bytes(bytes: &[u8]) -> Result<AnyModelFile, ModelFileError> {
    let identity: Identity = serde_json::from_slice(bytes).map_err(|error| {
        let top_level_is_object = bytes.trim_ascii_start().first() == Some(&b'{');
        match error.classify() {
            Category::Data if !top_level_is_object => ModelFileError::NotAnObject,
            _ => json_error(error),
        }
    })?;
    let text = |value: &Option<Value>| value.as_ref().map(Value::to_string);
    if identity.format.as_ref().and_then(Value::as_str) != Some(FORMAT) {
        return Err(ModelFileError::WrongFormat {
            found: text(&identity.format),
        });
    }
    if identity.version.as_ref().and_then(Value::as_u64) != Some(VERSION) {
        return Err(ModelFileError::UnsupportedVersion {
            found: text(&identity.version),
        });
    }
    match identity.dtype.as_ref().and_then(Value::as_str) {
        Some("f32") => read_typed::<f32>(bytes).map(AnyModelFile::F32),
        Some("f64") => read_typed::<f64>(bytes).map(AnyModelFile::F64),
        _ => Err(ModelFileError::UnknownDtype {
            found: text(&identity.dtype),
        }),
    }
}

/// Reads the file with its numbers parsed directly as `T`.
fn read_typed<T: Float + DeserializeOwned>(bytes: &[u8]) -> Result<ModelFile<T>, ModelFileError> {
    // The syntax was checked with the identity; what fails now is the
    // structure, or a number that does not fit T (which serde_json files
    // under syntax).
    let raw: RawFile<T> = serde_json::from_slice(bytes)
        .map_err(|error| ModelFileError::Structure(error.to_string()))?;
    let layers = raw
        .layers
        .into_iter()
        .enumerate()
        .map(|(index, layer)| layer.into_layer(index))
        .collect::<Result<Vec<_>, _>>()?;
    ModelFile::new(raw.task, raw.features, raw.target, raw.standardize, layers)
}

impl<T: Float> RawLayer<T> {
    /// The layer this entry describes, after checking that the fields fit
    /// its type and that the weight's rows match the stated widths.
    fn into_layer(self, index: usize) -> Result<Layer<T>, ModelFileError> {
        if self.layer_type != "linear" {
            let layer = Layer::activation(&self.layer_type).ok_or_else(|| {
                ModelFileError::UnknownLayerType {
                    index,
                    found: self.layer_type.clone(),
                }
            })?;
            let present = [
                ("in_features", self.in_features.is_some()),
                ("out_features", self.out_features.is_some()),
                ("weight", self.weight.is_some()),
                ("bias", self.bias.is_some()),
            ];
            return match present.into_iter().find(|(_, is_present)| *is_present) {
                Some((field, _)) => Err(ModelFileError::UnexpectedLayerField {
                    index,
                    layer_type: layer.type_name(),
                    field,
                }),
                None => Ok(layer),
            };
        }
        let missing = |field| ModelFileError::MissingLayerField { index, field };
        let in_features = self.in_features.ok_or_else(|| missing("in_features"))?;
        let out_features = self.out_features.ok_or_else(|| missing("out_features"))?;
        let rows = self.weight.ok_or_else(|| missing("weight"))?;
        let bias = self.bias.ok_or_else(|| missing("bias"))?;
        // Zero widths pass here (as empty rows) and are refused by `validate`.
        if rows.len() != out_features {
            return Err(ModelFileError::WeightRows {
                index,
                rows: rows.len(),
                out_features,
            });
        }
        if let Some((row, values)) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != in_features)
        {
            return Err(ModelFileError::WeightRowLength {
                index,
                row,
                len: values.len(),
                in_features,
            });
        }
        if bias.len() != out_features {
            return Err(ModelFileError::BiasLength {
                index,
                len: bias.len(),
                out_features,
            });
        }
        let weight = Array2::from_shape_vec((out_features, in_features), rows.concat())
            .expect("into_layer: out_features rows of in_features numbers were checked");
        Ok(Layer::Linear {
            weight,
            bias: Array1::from(bias),
        })
    }
}

/// A serde_json error as the error it means for a model file.
fn json_error(error: serde_json::Error) -> ModelFileError {
    let (line, column) = (error.line(), error.column());
    match error.classify() {
        Category::Eof => ModelFileError::Truncated { line, column },
        Category::Syntax => ModelFileError::NotJson {
            line,
            column,
            message: strip_position(&error),
        },
        Category::Data | Category::Io => ModelFileError::Structure(error.to_string()),
    }
}

/// serde_json's message without the " at line L column C" it appends
/// (the error variant carries them separately).
fn strip_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    message.strip_suffix(&suffix).unwrap_or(&message).to_owned()
}
