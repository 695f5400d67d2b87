//! `fit` and `predict`: the framework on a user's own CSV files, as
//! CLI.md specifies them. The binaries only parse the options (with the
//! [`FitArgs`] and [`PredictArgs`] defined here), call [`run_fit`] or
//! [`run_predict`], and report through [`crate::cli`].
//!
//! `fit` reads the CSV in f64, standardizes in f64 if asked, converts to
//! `--dtype`, builds the model (random init from `--seed`, or `--init`),
//! trains through [`sparsegrad::nn::train::train`] with the optimizer and
//! penalty groups the options describe, and writes the model file and the
//! metrics file together with [`write_atomically`]: both or neither.

mod args;
mod error;
mod init;
mod loop_args;
mod metrics;
mod predict;
mod structured;
mod train;

pub use args::{
    ActivationArg, DtypeArg, FitArgs, L1ModeArg, OptimizerArg, PenalizeArg, PredictArgs, TaskArg,
};
pub use error::FitError;
pub use loop_args::{LoopArgs, ScheduleArg};
pub use metrics::{FitSparsity, Metrics};
pub use predict::{predictions_csv, run_predict};
pub use structured::StructuredArgs;

use std::path::Path;

use sparsegrad::io::csv::{CsvSpec, read_csv};
use sparsegrad::io::fs::write_atomically;
use sparsegrad::nn::data::{self, Dataset, Standardizer};

use crate::cli::check_files;

/// Runs `fit`: checks the options, reads the data, trains, and writes
/// `--out` and `--metrics` (those given) atomically together. Returns the
/// metrics. On an error no output file is created or changed.
pub fn run_fit(args: &FitArgs) -> Result<Metrics, FitError> {
    args.validate()?;
    let [inputs, outputs] = args.files();
    check_files(&inputs, &outputs)?;
    let spec = CsvSpec {
        target: args.target.clone(),
        features: args.features.clone(),
        task: args.task.into(),
    };
    let mut data = read_csv(&args.data, &spec)?;
    let standardizer = args
        .standardize
        .then(|| standardize(&mut data))
        .transpose()?;
    let trained = match args.dtype {
        DtypeArg::F32 => train::fit_in::<f32>(args, &data, standardizer)?,
        DtypeArg::F64 => train::fit_in::<f64>(args, &data, standardizer)?,
    };
    let metrics_bytes = trained.metrics.to_json_bytes();
    let files: Vec<(&Path, &[u8])> = [
        (args.out.as_deref(), trained.model_file.as_slice()),
        (args.metrics.as_deref(), metrics_bytes.as_slice()),
    ]
    .into_iter()
    .filter_map(|(path, bytes)| path.map(|path| (path, bytes)))
    .collect();
    write_atomically(&files).map_err(FitError::Write)?;
    Ok(trained.metrics)
}

/// Fits the standardizer on `data` and applies it, refusing statistics or
/// standardized values that are not finite in f64 (a column of ±1e308
/// overflows its mean or its centred values).
fn standardize(data: &mut Dataset<f64>) -> Result<Standardizer, FitError> {
    let standardizer = data::standardize(data, &mut []);
    let names = data.feature_names().to_vec();
    let column_error = |j: usize, what: String| {
        FitError::NotFinite(format!("--standardize: column \"{}\": {what}", names[j]))
    };
    if let Some((j, statistic, value)) = standardizer.first_unusable() {
        return Err(column_error(
            j,
            format!("its {statistic} is {value}, not a finite number"),
        ));
    }
    if let Some(((_, j), value)) = data.features().indexed_iter().find(|(_, x)| !x.is_finite()) {
        return Err(column_error(
            j,
            format!("a standardized value is {value}, beyond the range of f64"),
        ));
    }
    Ok(standardizer)
}
