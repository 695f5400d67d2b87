//! Regularization paths and K-fold cross-validation: the work of the
//! `path` program.
//!
//! A regularization path fits one model at each λ of a grid that runs, in
//! log steps, from λ_max (where every weight is zero) down to λ_max·eps,
//! each fit warm-started from the previous one, as scikit-learn's
//! `lasso_path`; it shows when each feature enters the model. K-fold
//! cross-validation over the same grid, as `LassoCV`, then picks λ: the
//! one with the smallest mean validation error, and the largest one within
//! one standard error of it.
//!
//! The math lives in the library, [`sparsegrad::nn::path`]: the grid and
//! the objective's convention, the cross-validation statistics, and the
//! linear model's whole engine (coordinate descent on every fold's
//! covariance form, stopped on the duality gap). Here:
//!
//! - [`fit`]: an MLP's warm-started path through the library's optimizer,
//!   and the record of each fit;
//! - [`cv`]: an MLP's cross-validation;
//! - [`mod@run`]: the program (data, reports, plots), linear or MLP.
//!
//! ```
//! use sparsegrad_examples::path::{DataSource, FitSettings, PathOptions, run};
//! use sparsegrad_examples::progress::Progress;
//! use sparsegrad_examples::synthetic::SparseRegressionConfig;
//!
//! let options = PathOptions {
//!     source: DataSource::Synthetic(SparseRegressionConfig {
//!         n_samples: 200,
//!         n_features: 8,
//!         n_informative: 2,
//!         noise_std: 0.5,
//!         correlation: 0.0,
//!     }),
//!     settings: FitSettings::default(),
//!     folds: 5,
//!     grid: 20,
//!     eps: 1e-3,
//!     seed: 1,
//! };
//! let report = run(&options, &Progress::new(true)).unwrap();
//! assert!(report.path.points[0].selected.is_empty()); // at λ_max nothing is selected
//! assert!(report.worst_relative_gap.unwrap() <= 1e-4); // every fit within tol
//! ```

pub mod cv;
pub mod fit;
pub mod run;

pub use cv::cross_validate;
pub use fit::{FitSettings, Path, PathPoint, fit_mlp_path, linear_point, penalty_at};
pub use run::{
    DataSource, OUTPUT_FILES, PathOptions, PathReport, l1_ratio_problem, run, summary,
    write_outputs,
};
pub use sparsegrad::nn::path::{CvCurve, PathPenalty, lambda_max_l1, log_grid};

use sparsegrad::io::csv::CsvError;
use sparsegrad::io::limits::LimitExceeded;
use sparsegrad::io::paths::FileClash;
use sparsegrad::nn::train::Diverged;
use thiserror::Error;

use crate::plot::PlotError;
use crate::synthetic::ConfigError;

/// Why a path could not be computed or written.
#[derive(Debug, Error)]
pub enum PathError {
    /// An option out of range.
    #[error("{0}")]
    Invalid(String),
    /// A size beyond its documented limit.
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// The files cannot be used together (an output is the input, or not a
    /// regular file).
    #[error(transparent)]
    Files(#[from] FileClash),
    /// The data give a λ_max or a standardized value that is not finite.
    #[error("{0}")]
    NotFinite(String),
    /// The CSV file cannot be used.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// The synthetic problem cannot be generated.
    #[error(transparent)]
    Synthetic(#[from] ConfigError),
    /// Every target is the same: every λ gives all-zero weights.
    #[error("the target is constant: every weight is zero at every λ, there is no path")]
    ConstantTarget,
    /// A fit's loss stopped being a number.
    #[error("the fit at λ = {lambda} diverged: {source}; try a smaller --lr")]
    Diverged {
        /// The λ of the fit.
        lambda: f64,
        /// Where it diverged.
        #[source]
        source: Diverged,
    },
    /// A plot cannot be drawn or written.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// An output cannot be written (the message names the path).
    #[error("cannot write {0}")]
    Write(std::io::Error),
}
