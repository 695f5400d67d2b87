//! `predict`: a model file applied to a CSV file.

use std::fmt::Write as _;
use std::io::Write;

use ndarray::{Array2, Axis, Ix2};
use sparsegrad::autograd::{Float, Shortest, Tensor, no_grad};
use sparsegrad::io::csv::read_csv_features;
use sparsegrad::io::fs::write_atomically;
use sparsegrad::io::model_file::{AnyModelFile, ModelFile};
use sparsegrad::nn::data::Task;
use sparsegrad::nn::train::predict;

use super::args::PredictArgs;
use super::error::FitError;
use crate::cli::{StdoutError, check_files, check_stdout};

/// Runs `predict`: writes the predictions to `--out` atomically, or, when
/// it is not given, to `stdout` in one write once everything is computed
/// (so nothing reaches stdout on an error). The files are checked first
/// (an output is never an input, standard output included).
pub fn run_predict(args: &PredictArgs, stdout: &mut impl Write) -> Result<(), FitError> {
    let inputs = [
        ("--model", args.model.as_path()),
        ("--data", args.data.as_path()),
    ];
    match &args.out {
        Some(out) => check_files(&inputs, &[("--out", out)])?,
        None => check_stdout(&inputs)?,
    }
    let text = match AnyModelFile::load(&args.model)? {
        AnyModelFile::F32(model) => predictions_csv(&model, read_features(&model, args)?)?,
        AnyModelFile::F64(model) => predictions_csv(&model, read_features(&model, args)?)?,
    };
    match &args.out {
        Some(path) => write_atomically(&[(path, text.as_bytes())]).map_err(FitError::Write),
        None => stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| StdoutError::from(e).into()),
    }
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
/// Numbers are written in their [`Shortest`] form in `T`.
///
/// A standardized feature or an output that is not finite in `T` (a
/// feature of 1e39 in an f32 model, a std so small that the division
/// overflows, an output beyond f32's range) is an error naming the data
/// row: `inf` is never reported as a prediction.
pub fn predictions_csv<T: Float>(
    model: &ModelFile<T>,
    mut features: Array2<f64>,
) -> Result<String, FitError> {
    if let Some(standardizer) = model.standardize() {
        standardizer.apply(features.view_mut());
    }
    let features = features.mapv(T::from_f64);
    if let Some(((row, j), _)) = features.indexed_iter().find(|(_, x)| !x.is_finite()) {
        return Err(FitError::NotFinite(format!(
            "data row {} (counting from 1 below the header), feature \"{}\": the {}value is beyond the range of the model's dtype {}",
            row + 1,
            model.features()[j],
            if model.standardize().is_some() {
                "standardized "
            } else {
                ""
            },
            T::NAME
        )));
    }
    let outputs = predict(&model.to_mlp(), &features)
        .into_dimensionality::<Ix2>()
        .expect("an MLP's output is [samples, outputs]");
    if let Some(((row, j), value)) = outputs.indexed_iter().find(|(_, y)| !y.is_finite()) {
        return Err(FitError::NotFinite(format!(
            "data row {} (counting from 1 below the header): output {j} of the model is {value}, not a finite {} number",
            row + 1,
            T::NAME
        )));
    }
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
    Ok(text)
}

/// Appends `numbers` as one CSV line, each in its [`Shortest`] form.
fn push_numbers<'a, T: Float>(text: &mut String, numbers: impl Iterator<Item = &'a T>) {
    for (j, &x) in numbers.enumerate() {
        if j > 0 {
            text.push(',');
        }
        // Writing to a String cannot fail.
        let _ = write!(text, "{}", Shortest(x));
    }
    text.push('\n');
}
