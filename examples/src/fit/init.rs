//! `--init`: the model file must describe the model the options describe.

use std::path::Path;

use sparsegrad::autograd::Float;
use sparsegrad::io::model_file::{AnyModelFile, Layer, ModelFile};
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::data::{Dataset, Targets, Task};

use super::args::FitArgs;
use super::error::FitError;

/// Loads the `--init` file at `path` in dtype `T`.
pub(super) fn load_init<T: Float>(path: &Path) -> Result<ModelFile<T>, FitError> {
    AnyModelFile::load(path)?
        .into_dtype::<T>()
        .map_err(|source| FitError::InitDtype {
            path: path.to_path_buf(),
            dtype: T::NAME,
            source,
        })
}

/// Checks that `init` has the task, features, hidden widths and activation
/// of `args` and `data`, one output for regression, and (classification)
/// more outputs than the largest label.
pub(super) fn check_init<T: Float>(
    path: &Path,
    init: &ModelFile<T>,
    args: &FitArgs,
    data: &Dataset<f64>,
) -> Result<(), FitError> {
    let mismatch = |what: String| FitError::InitMismatch {
        path: path.to_path_buf(),
        what,
    };
    let task: Task = args.task.into();
    if init.task() != task {
        return Err(mismatch(format!(
            "it is a {} model, the options ask for {task}",
            init.task()
        )));
    }
    if init.features() != data.feature_names() {
        return Err(mismatch(format!(
            "its features are {:?}, the options give {:?}",
            init.features(),
            data.feature_names()
        )));
    }
    let widths: Vec<usize> = init.linear_layers().map(|(_, w, _)| w.nrows()).collect();
    let hidden = &widths[..widths.len() - 1];
    if hidden != args.hidden.as_slice() {
        return Err(mismatch(format!(
            "its hidden widths are {hidden:?}, the options give {:?}",
            args.hidden
        )));
    }
    let wanted = Activation::from(args.activation).to_string();
    if let Some(other) = init
        .layers()
        .iter()
        .map(Layer::type_name)
        .find(|&name| name != "linear" && name != wanted)
    {
        return Err(mismatch(format!(
            "its activation is {other}, the options give {wanted}"
        )));
    }
    let outputs = init.n_outputs();
    match data.targets() {
        Targets::Regression(_) if outputs != 1 => Err(mismatch(format!(
            "it has {outputs} outputs, a regression model has 1"
        ))),
        Targets::Classification(labels) => match labels.iter().position(|&k| k >= outputs) {
            Some(row) => Err(mismatch(format!(
                "data row {} (counting from 1 below the header) has class label {}, but the model has {outputs} classes (labels 0 to {})",
                row + 1,
                labels[row],
                outputs - 1
            ))),
            None => Ok(()),
        },
        Targets::Regression(_) => Ok(()),
    }
}
