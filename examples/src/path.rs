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
//! - [`grid`]: the objective, the L1-ratio convention against
//!   scikit-learn's, the exact λ_max and the log grid;
//! - [`lipschitz`]: the step size 1/L of a linear model's fits;
//! - [`fit`]: one warm-started path through the library's optimizer;
//! - [`cv`]: cross-validation and the choice of λ;
//! - [`mod@run`]: the program (data, reports, plots).
//!
//! ```
//! use sparsegrad_examples::path::{FitSettings, fit_path, lambda_max_l1, log_grid};
//! use sparsegrad::nn::data::{Dataset, Targets};
//! use ndarray::array;
//!
//! // y depends on the first feature only
//! let x = array![[-1.0, 0.5], [0.0, -1.0], [1.0, 0.5]];
//! let y = array![[-2.0], [0.0], [2.0]];
//! let lambda_max = lambda_max_l1(x.view(), y.column(0));
//! assert_eq!(lambda_max, 8.0 / 3.0); // (2/3)·|(−1)(−2) + 1·2|
//! let data = Dataset::new(x, Targets::Regression(y), vec!["a".into(), "b".into()], "y".into());
//! let grid = log_grid(lambda_max, 0.5, 2);
//! let path = fit_path(&data, &grid, &FitSettings::default(), None, || {}).unwrap();
//! assert!(path.points[0].selected.is_empty()); // at λ_max nothing is selected
//! assert_eq!(path.points[1].selected, [0]);     // at λ_max/2 the first feature is
//! ```

pub mod cv;
pub mod fit;
pub mod grid;
pub mod lipschitz;
pub mod run;

pub use cv::{CvCurve, cross_validate, standardize};
pub use fit::{FitSettings, Path, PathPoint, fit_path};
pub use grid::{PathPenalty, lambda_max_l1, log_grid};
pub use lipschitz::mse_lipschitz;
pub use run::{DataSource, PathOptions, PathReport, run, summary, write_outputs};

use std::path::PathBuf;

use sparsegrad::io::csv::CsvError;
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
    /// An output cannot be written.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
}
