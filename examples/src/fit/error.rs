//! What `fit` and `predict` report when they cannot go on: one variant per
//! kind of failure, each displayed on one line.

use std::io;
use std::path::PathBuf;

use sparsegrad::io::csv::CsvError;
use sparsegrad::io::model_file::{FromMlpError, LoadError, ModelFileError};
use sparsegrad::nn::optim::OptimError;
use sparsegrad::nn::train::Diverged;
use thiserror::Error;

/// Why `fit` or `predict` stopped.
#[derive(Debug, Error)]
pub enum FitError {
    /// An option's value or a combination of options is invalid.
    #[error("{0}")]
    InvalidOption(String),
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
        "data row {row} (counting from 1 below the header), column \"{column}\": {value:e} is out of the range of {dtype}; use --dtype f64 or --standardize"
    )]
    OutOfRange {
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
    #[error("{0}; try a smaller --lr")]
    Diverged(#[from] Diverged),
    /// The loss over the training set is not finite after the last step.
    #[error("loss became {value} after the last step (epoch {epoch}); try a smaller --lr")]
    DivergedAtEnd {
        /// The last epoch.
        epoch: usize,
        /// The loss (NaN or ±∞).
        value: f64,
    },
    /// The trained model cannot be written as a model file.
    #[error("cannot make the model file: {0}")]
    Model(#[from] FromMlpError),
    /// An output file cannot be written.
    #[error("cannot write the output: {0}")]
    Write(#[source] io::Error),
}

impl FitError {
    /// An invalid option or combination, described by `message`.
    pub(crate) fn invalid(message: String) -> Self {
        FitError::InvalidOption(message)
    }
}
