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
mod metrics;
mod predict;
mod train;

pub use args::{
    ActivationArg, DtypeArg, FitArgs, L1ModeArg, OptimizerArg, PenalizeArg, PredictArgs, TaskArg,
};
pub use error::FitError;
pub use metrics::Metrics;
pub use predict::{predictions_csv, run_predict, shortest};

use std::path::Path;

use sparsegrad::io::csv::{CsvSpec, read_csv};
use sparsegrad::io::fs::write_atomically;
use sparsegrad::nn::data::Standardizer;

/// Runs `fit`: checks the options, reads the data, trains, and writes
/// `--out` and `--metrics` (those given) atomically together. Returns the
/// metrics. On an error no output file is created or changed.
pub fn run_fit(args: &FitArgs) -> Result<Metrics, FitError> {
    args.validate()?;
    let spec = CsvSpec {
        target: args.target.clone(),
        features: args.features.clone(),
        task: args.task.into(),
    };
    let mut data = read_csv(&args.data, &spec)?;
    let standardizer = args.standardize.then(|| {
        let standardizer = Standardizer::fit(data.features().view());
        standardizer.apply(data.features_mut());
        standardizer
    });
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
