//! What `fit` and `predict` report when they cannot go on: one variant per
//! kind of failure, each displayed on one line.

use std::io;
use std::path::PathBuf;

use sparsegrad::io::csv::CsvError;
use sparsegrad::io::limits::LimitExceeded;
use sparsegrad::io::model_file::{FromMlpError, LoadError, ModelFileError};
use sparsegrad::io::paths::FileClash;
use sparsegrad::nn::optim::OptimError;
use sparsegrad::nn::train::Diverged;
use thiserror::Error;

/// Why `fit` or `predict` stopped.
#[derive(Debug, Error)]
pub enum FitError {
    /// An option's value or a combination of options is invalid.
    #[error("{0}")]
    InvalidOption(String),
    /// The files cannot be used together (an output is an input, two
    /// outputs are one file, an output is not a regular file).
    #[error(transparent)]
    Files(#[from] FileClash),
    /// A size beyond its documented limit.
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// A number that reaches a computation is not finite in its dtype.
    #[error("{0}")]
    NotFinite(String),
    /// Standard output cannot be written.
    #[error(transparent)]
    Stdout(#[from] crate::cli::StdoutError),
    /// The CSV file cannot be read or holds bad data.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A model file cannot be read or is not valid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The `--init` model cannot be converted to `--dtype`.
    #[error("{}: cannot convert the --init model to {dtype}: {source}", path.display())]
    InitDtype {
        /// The `--init` file.
        path: PathBuf,
        /// The dtype asked for.
        dtype: &'static str,
        /// What does not fit.
        source: ModelFileError,
    },
    /// The `--init` model is not the model the options describe.
    #[error("{}: the --init model does not match the options: {what}", path.display())]
    InitMismatch {
        /// The `--init` file.
        path: PathBuf,
        /// What differs.
        what: String,
    },
    /// A value of the file that `--dtype` cannot hold (1e39 in f32).
    #[error(
        "data row {row} (counting from 1 below the header), column \"{column}\": {value:e} is out of the range of {dtype}; {hint}"
    )]
    OutOfRange {
        /// What to change: `--dtype f64`, and for a feature `--standardize`
        /// too (it z-scores the features, never the target).
        hint: &'static str,
        /// The data row, from 1.
        row: usize,
        /// The column's name.
        column: String,
        /// The value as read.
        value: f64,
        /// The training dtype.
        dtype: &'static str,
    },
    /// Classification needs at least two classes.
    #[error("classification needs at least 2 classes, but every label in column \"{target}\" is 0")]
    OneClass {
        /// The target column.
        target: String,
    },
    /// The optimizer refused its settings (the option checks should have
    /// caught this first).
    #[error("invalid optimizer settings: {0}")]
    Optimizer(#[from] OptimError),
    /// The loss became NaN or infinite during training.
    #[error("{cause}; {hint}")]
    Diverged {
        /// Where and how.
        cause: Diverged,
        /// What to change ([`FitArgs::divergence_hint`](super::FitArgs::divergence_hint)).
        hint: String,
    },
    /// The loss over the training set is not finite after the last step.
    #[error("loss became {value} after the last step (epoch {epoch}); {hint}")]
    DivergedAtEnd {
        /// The last epoch.
        epoch: usize,
        /// The loss (NaN or ±∞).
        value: f64,
        /// What to change.
        hint: String,
    },
    /// The trained model cannot be written as a model file.
    #[error("cannot make the model file: {0}")]
    Model(#[from] FromMlpError),
    /// The trained model cannot be encoded in --out's format.
    #[error("cannot write the model file: {0}")]
    Encode(#[source] ModelFileError),
    /// An output file cannot be written.
    #[error("cannot write the output: {0}")]
    Write(io::Error),
}

impl FitError {
    /// An invalid option or combination, described by `message`.
    pub(crate) fn invalid(message: String) -> Self {
        FitError::InvalidOption(message)
    }
}
