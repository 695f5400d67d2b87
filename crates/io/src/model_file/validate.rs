//! The one check every model passes: on load, on construction, on cast.

use std::collections::HashSet;

use sparsegrad_autograd::{Float, Shortest};

use super::{Layer, ModelFile, ModelFileError};
use sparsegrad_nn::data::Task;

/// Checks `model` against the rules of the module docs, in the order a
/// reader would look: names, the sequence of layers, their shapes and how
/// they chain, the features and outputs, standardization, and finally the
/// numbers themselves.
pub(super) fn validate<T: Float>(model: &ModelFile<T>) -> Result<(), ModelFileError> {
    check_names(&model.features, &model.target)?;
    check_layer_order(&model.layers)?;
    check_shapes(model)?;
    check_sizes(model)?;
    let in_features = model
        .linear_layers()
        .next()
        .map_or(0, |(_, w, _)| w.ncols());
    if model.features.len() != in_features {
        return Err(ModelFileError::FeatureCount {
            features: model.features.len(),
            in_features,
        });
    }
    if model.task == Task::Classification && model.n_outputs() < 2 {
        return Err(ModelFileError::TooFewClasses {
            outputs: model.n_outputs(),
        });
    }
    check_standardize(model)?;
    check_finite(model)
}

/// The limits a model built by `fit` is held to, so that a file made by
/// hand cannot ask `predict` or `compact` for more: each hidden width
/// against [`MAX_WIDTH`](crate::limits::MAX_WIDTH), the parameter count
/// against [`MAX_PARAMETERS`](crate::limits::MAX_PARAMETERS).
fn check_sizes<T: Float>(model: &ModelFile<T>) -> Result<(), ModelFileError> {
    // inputs, then each linear layer's outputs (the layer order is checked)
    let inputs = model
        .linear_layers()
        .next()
        .map_or(0, |(_, w, _)| w.ncols());
    let widths: Vec<usize> = std::iter::once(inputs)
        .chain(model.linear_layers().map(|(_, w, _)| w.nrows()))
        .collect();
    let hidden = widths.get(1..widths.len() - 1).unwrap_or_default();
    crate::limits::check_widths("hidden", hidden)?;
    crate::limits::check_mlp(&widths)?;
    Ok(())
}

fn check_names(features: &[String], target: &str) -> Result<(), ModelFileError> {
    let places = features
        .iter()
        .enumerate()
        .map(|(j, name)| (format!("features[{j}]"), name.as_str()))
        .chain([("target".to_string(), target)]);
    for (place, name) in places {
        if let Some(flaw) = crate::csv::name_flaw(name) {
            return Err(ModelFileError::BadName { place, flaw });
        }
    }
    let mut seen = HashSet::with_capacity(features.len());
    for name in features {
        if name == target {
            return Err(ModelFileError::TargetIsFeature { name: name.clone() });
        }
        if !seen.insert(name.as_str()) {
            return Err(ModelFileError::DuplicateFeature { name: name.clone() });
        }
    }
    Ok(())
}

/// linear (activation linear)*.
fn check_layer_order<T: Float>(layers: &[Layer<T>]) -> Result<(), ModelFileError> {
    let is_linear = |layer: &Layer<T>| matches!(layer, Layer::Linear { .. });
    if !layers.iter().any(is_linear) {
        return Err(ModelFileError::NoLinearLayer);
    }
    for (index, layer) in layers.iter().enumerate() {
        let previous_is_linear = index.checked_sub(1).map(|p| is_linear(&layers[p]));
        let problem = match (is_linear(layer), previous_is_linear) {
            (false, None) => Some("comes first"),
            (false, Some(false)) => Some("follows another activation"),
            (false, Some(true)) if index + 1 == layers.len() => Some("comes last"),
            (true, Some(true)) => Some("follows another linear layer"),
            _ => None,
        };
        if let Some(problem) = problem {
            return Err(ModelFileError::LayerOrder {
                index,
                layer_type: layer.type_name(),
                problem,
            });
        }
    }
    Ok(())
}

/// Nonzero widths, bias lengths, and each layer's inputs = the previous
/// layer's outputs. (A weight is a matrix here, so its rows all have the
/// same length; the reader checks the rows of the file.)
fn check_shapes<T: Float>(model: &ModelFile<T>) -> Result<(), ModelFileError> {
    let mut previous: Option<(usize, usize)> = None;
    for (index, weight, bias) in model.linear_layers() {
        let (out_features, in_features) = weight.dim();
        for (field, width) in [("in_features", in_features), ("out_features", out_features)] {
            if width == 0 {
                return Err(ModelFileError::ZeroWidth { index, field });
            }
        }
        if bias.len() != out_features {
            return Err(ModelFileError::BiasLength {
                index,
                len: bias.len(),
                out_features,
            });
        }
        if let Some((previous, previous_out)) = previous {
            if in_features != previous_out {
                return Err(ModelFileError::ChainMismatch {
                    index,
                    in_features,
                    previous,
                    out_features: previous_out,
                });
            }
        }
        previous = Some((index, out_features));
    }
    Ok(())
}

fn check_standardize<T: Float>(model: &ModelFile<T>) -> Result<(), ModelFileError> {
    let Some(standardizer) = &model.standardize else {
        return Ok(());
    };
    let features = model.features.len();
    for (statistic, values) in [("mean", standardizer.mean()), ("std", standardizer.std())] {
        if values.len() != features {
            return Err(ModelFileError::StandardizeLength {
                statistic,
                len: values.len(),
                features,
            });
        }
    }
    match standardizer.first_unusable() {
        Some((index, statistic, value)) => Err(ModelFileError::BadStandardize {
            statistic,
            index,
            value: Shortest(value).to_string(),
        }),
        None => Ok(()),
    }
}

fn check_finite<T: Float>(model: &ModelFile<T>) -> Result<(), ModelFileError> {
    let non_finite = |location: String, value: T| ModelFileError::NonFinite {
        location,
        value: value.to_string(),
        dtype: T::NAME,
    };
    for (index, weight, bias) in model.linear_layers() {
        if let Some(((row, column), &value)) = weight.indexed_iter().find(|(_, w)| !w.is_finite()) {
            return Err(non_finite(
                format!("layers[{index}].weight[{row}][{column}]"),
                value,
            ));
        }
        if let Some((k, &value)) = bias.indexed_iter().find(|(_, b)| !b.is_finite()) {
            return Err(non_finite(format!("layers[{index}].bias[{k}]"), value));
        }
    }
    Ok(())
}
