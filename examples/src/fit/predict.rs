//! `predict`: a model file applied to a CSV file.

use std::fmt::{self, Write as _};
use std::io::Write;

use ndarray::{Array2, Axis, Ix2};
use sparsegrad::autograd::{Float, Tensor, no_grad};
use sparsegrad::io::csv::read_csv_features;
use sparsegrad::io::fs::write_atomically;
use sparsegrad::io::model_file::{AnyModelFile, ModelFile};
use sparsegrad::nn::data::Task;
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
/// Numbers are written in their [`shortest`] form in `T`.
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

/// Appends `numbers` as one CSV line, each in its [`shortest`] form.
fn push_numbers<'a, T: Float>(text: &mut String, numbers: impl Iterator<Item = &'a T>) {
    for (j, &x) in numbers.enumerate() {
        if j > 0 {
            text.push(',');
        }
        shortest(text, x);
    }
    text.push('\n');
}

/// Appends `x` with the fewest significant digits that read back to the
/// same `T` (Rust's `Display` and `LowerExp` both choose those digits),
/// positional like `0.25` or `-3`, or, as Python's `repr` does, in
/// exponent form like `1e-30` when |x| < 1e-4 or |x| ≥ 1e16, where the
/// positional form would spell out dozens of zeros.
///
/// ```
/// use sparsegrad_examples::fit::shortest;
/// let mut text = String::new();
/// for x in [0.1f32, -3.0, 1.0 / 3.0, 2.5e-30, 0.0] {
///     shortest(&mut text, x);
///     text.push(' ');
/// }
/// assert_eq!(text, "0.1 -3 0.33333334 2.5e-30 0 ");
/// ```
pub fn shortest<T: Float>(text: &mut String, x: T) {
    // `Float` has two implementors; each is written in its own type, so
    // that an f32 gets f32's shortest digits (the conversion is exact).
    if T::NAME == f32::NAME {
        write_shortest(text, x.as_f64() as f32, x.abs().as_f64());
    } else {
        write_shortest(text, x.as_f64(), x.abs().as_f64());
    }
}

/// [`shortest`] for a concrete type, given |x| in f64.
fn write_shortest<F: fmt::Display + fmt::LowerExp>(text: &mut String, x: F, magnitude: f64) {
    // Writing to a String cannot fail.
    let _ = if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
        write!(text, "{x:e}")
    } else {
        write!(text, "{x}")
    };
}
