//! `predict`: a model file applied to a CSV file.

use std::fmt::Write as _;
use std::io::Write;

use ndarray::{Array2, Axis, Ix2};
use sparsegrad::autograd::{Float, Tensor, no_grad};
use sparsegrad::nn::data::{Task, read_csv_features};
use sparsegrad::nn::fs::write_atomically;
use sparsegrad::nn::model_file::{AnyModelFile, ModelFile};
use sparsegrad::nn::train::predict;

use super::args::PredictArgs;
use super::error::FitError;

/// Runs `predict`: writes the predictions to `--out` atomically, or, when
/// it is not given, to `stdout` in one write once everything is computed
/// (so nothing reaches stdout on an error).
pub fn run_predict(args: &PredictArgs, stdout: &mut impl Write) -> Result<(), FitError> {
    let text = match AnyModelFile::load(&args.model)? {
        AnyModelFile::F32(model) => predictions_csv(&model, read_features(&model, args)?),
        AnyModelFile::F64(model) => predictions_csv(&model, read_features(&model, args)?),
    };
    match &args.out {
        Some(path) => write_atomically(&[(path, text.as_bytes())]),
        None => stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush()),
    }
    .map_err(FitError::Write)
}

/// The model's feature columns of `--data`, in f64.
fn read_features<T: Float>(
    model: &ModelFile<T>,
    args: &PredictArgs,
) -> Result<Array2<f64>, FitError> {
    Ok(read_csv_features(&args.data, model.features())?)
}

/// The predictions of `model` for the raw (unstandardized) `features`, as
/// CSV text: a `prediction` column for regression (`prediction_<j>` for a
/// model with several outputs); for classification the class (the most
/// probable; the first on a tie) and the softmax probabilities `p_<k>`.
/// Numbers are written with Rust's `Display`, the shortest form that reads
/// back to the same value in `T`.
pub fn predictions_csv<T: Float>(model: &ModelFile<T>, mut features: Array2<f64>) -> String {
    if let Some(standardizer) = model.standardize() {
        standardizer.apply(features.view_mut());
    }
    let features = features.mapv(T::from_f64);
    let outputs = predict(&model.to_mlp(), &features)
        .into_dimensionality::<Ix2>()
        .expect("an MLP's output is [samples, outputs]");
    let mut text = String::new();
    let columns = outputs.ncols();
    match model.task() {
        Task::Regression => {
            let header: Vec<String> = if columns == 1 {
                vec!["prediction".to_string()]
            } else {
                (0..columns).map(|j| format!("prediction_{j}")).collect()
            };
            text.push_str(&header.join(","));
            text.push('\n');
            for row in outputs.axis_iter(Axis(0)) {
                push_numbers(&mut text, row.iter());
            }
        }
        Task::Classification => {
            let probabilities = no_grad(|| Tensor::new(outputs.into_dyn()).softmax(1).to_array());
            text.push_str("class");
            for k in 0..columns {
                let _ = write!(text, ",p_{k}");
            }
            text.push('\n');
            for row in probabilities.axis_iter(Axis(0)) {
                let class = row
                    .iter()
                    .enumerate()
                    .fold(0, |best, (k, &p)| if p > row[best] { k } else { best });
                let _ = write!(text, "{class},");
                push_numbers(&mut text, row.iter());
            }
        }
    }
    text
}

/// Appends `numbers` as one CSV line.
fn push_numbers<'a, T: Float>(text: &mut String, numbers: impl Iterator<Item = &'a T>) {
    for (j, x) in numbers.enumerate() {
        let separator = if j == 0 { "" } else { "," };
        // Writing to a String cannot fail.
        let _ = write!(text, "{separator}{x}");
    }
    text.push('\n');
}
