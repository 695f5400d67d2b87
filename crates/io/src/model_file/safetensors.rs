//! Model files in the safetensors format (see the module docs): the tensors
//! through [`state_dict`](crate::state_dict), the model around them read by
//! the same reader and validated by the same rules as a JSON model file.

use std::collections::BTreeMap;

use ndarray::{Array1, Array2};
use sparsegrad_autograd::Float;

use super::read::{Parameters, read_model};
use super::write::to_json;
use super::{AnyModelFile, FORMAT, ModelFile, ModelFileError};
use crate::state_dict::{TensorFile, to_safetensors_bytes};

/// The `__metadata__` `"version"` of the safetensors container (the model
/// JSON inside keeps its own `"version": 1`).
pub const SAFETENSORS_VERSION: &str = "2";

/// The tensor name of a linear layer's weight or bias: its state_dict key
/// in a `torch.nn.Sequential` stored as the attribute `layers`.
fn tensor_name(index: usize, what: &str) -> String {
    format!("layers.{index}.{what}")
}

/// The file's bytes: one tensor per parameter, and the model without them.
pub(super) fn to_safetensors<T: Float>(model: &ModelFile<T>) -> Result<Vec<u8>, ModelFileError> {
    let tensors = model.linear_layers().flat_map(|(index, weight, bias)| {
        [
            (tensor_name(index, "weight"), weight.view().into_dyn()),
            (tensor_name(index, "bias"), bias.view().into_dyn()),
        ]
    });
    let metadata = BTreeMap::from([
        ("format".to_string(), FORMAT.to_string()),
        ("version".to_string(), SAFETENSORS_VERSION.to_string()),
        ("model".to_string(), to_json(model, false)),
    ]);
    let tensors = tensors.map(|(name, view)| (name, view.shape().to_vec(), view.into_iter()));
    Ok(to_safetensors_bytes(tensors, Some(&metadata))?)
}

/// Parses and validates a safetensors model file.
pub(super) fn from_safetensors(bytes: &[u8]) -> Result<AnyModelFile, ModelFileError> {
    let mut file = TensorFile::parse(bytes)?;
    let metadata = file.metadata();
    let shown = |name: &str| {
        metadata
            .get(name)
            .map(|v| serde_json::Value::from(v.as_str()).to_string())
    };
    if metadata.get("format").map(String::as_str) != Some(FORMAT) {
        return Err(ModelFileError::WrongFormat {
            found: shown("format"),
        });
    }
    if metadata.get("version").map(String::as_str) != Some(SAFETENSORS_VERSION) {
        return Err(ModelFileError::UnsupportedContainerVersion {
            found: shown("version"),
        });
    }
    let model = metadata
        .get("model")
        .ok_or(ModelFileError::NoModelMetadata)?
        .clone();
    // "the file ends early" would send the user to a file that is whole
    let model = read_model(model.as_bytes(), &mut FromTensors(&mut file)).map_err(|e| match e {
        ModelFileError::NotJson {
            line,
            column,
            message,
        } => ModelFileError::MetadataNotJson {
            line,
            column,
            message,
        },
        ModelFileError::Truncated { line, column } => ModelFileError::MetadataNotJson {
            line,
            column,
            message: "it ends in the middle of a value".to_string(),
        },
        other => other,
    })?;
    file.finish()?;
    Ok(model)
}

/// Linear layers' parameters from the file's tensors.
struct FromTensors<'a, 'data>(&'a mut TensorFile<'data>);

impl Parameters for FromTensors<'_, '_> {
    fn linear<T: Float>(
        &mut self,
        index: usize,
        in_features: usize,
        out_features: usize,
        weight: Option<Vec<Vec<T>>>,
        bias: Option<Vec<T>>,
    ) -> Result<(Array2<T>, Array1<T>), ModelFileError> {
        let inline = [("weight", weight.is_some()), ("bias", bias.is_some())];
        if let Some((field, _)) = inline.into_iter().find(|(_, present)| *present) {
            return Err(ModelFileError::ParametersInMetadata { index, field });
        }
        let shape = [out_features, in_features];
        let weight = self.0.take(&tensor_name(index, "weight"), &shape)?;
        let bias = self.0.take(&tensor_name(index, "bias"), &shape[..1])?;
        let weight = Array2::from_shape_vec(shape, weight).expect("the tensor's shape was checked");
        Ok((weight, Array1::from(bias)))
    }
}
