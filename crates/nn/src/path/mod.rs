//! Regularization paths and K-fold cross-validation, math only: the λ grid
//! from λ_max, warm-started fits from the largest λ down, each fold
//! standardized on its own training part, the CV mean and standard error
//! per λ, λ_best and λ_1se (glmnet's rule).
//!
//! - [`grid`]: the penalty (lasso, ridge, elastic net), the objective and
//!   its convention against scikit-learn's, the exact λ_max, the log grid;
//! - [`least_squares`]: a linear model's loss in covariance form, every
//!   fold's from one pass over the rows;
//! - [`coordinate_descent`]: the linear path by cyclic coordinate descent,
//!   stopped on the duality gap;
//! - [`linear`]: the whole data's and every fold's problem, and their paths;
//! - [`network`]: a network's warm-started path for any penalty parameter
//!   groups express (dense to sparse);
//! - [`cv`]: the cross-validation statistics and the choice of λ.
//!
//! ```
//! use ndarray::{Array1, Array2};
//! use rand::{SeedableRng, rngs::StdRng};
//! use sparsegrad_nn::data::k_fold;
//! use sparsegrad_nn::path::{CvProblems, PathPenalty, Stopping, log_grid};
//!
//! // y = 3·x₀ + a small wobble; x₁ is unrelated
//! let x = Array2::from_shape_fn((40, 2), |(i, j)| ((i * (3 + 4 * j)) % 11) as f64);
//! let y = Array1::from_shape_fn(40, |i| 3.0 * x[[i, 0]] + 0.1 * ((i % 3) as f64 - 1.0));
//! let folds = k_fold(40, 4, &mut StdRng::seed_from_u64(0));
//! let problems = CvProblems::new(x.view(), y.view(), &folds);
//! let whole = problems.whole();
//! let top = PathPenalty::L1.grid_top(whole);
//! let lambdas = log_grid(top, 1e-3, 20);
//! let cv = problems.fit(&lambdas, PathPenalty::L1, &Stopping::default());
//! assert!(cv.path[0].coefficients.iter().all(|&w| w == 0.0)); // nothing at λ_max
//! assert_eq!(cv.path[cv.curve.one_se].coefficients[1], 0.0);   // x₁ left out at λ_1se
//! assert!(cv.worst_relative_gap() <= 1e-4);
//! ```

pub mod coordinate_descent;
pub mod cv;
pub mod grid;
pub mod least_squares;
pub mod linear;
pub mod network;

pub use coordinate_descent::{LinearFit, Stopping, linear_path};
pub use cv::CvCurve;
pub use grid::{MIN_GRID_EPS, PathPenalty, lambda_max_l1, log_grid};
pub use least_squares::{LeastSquares, lipschitz_of_features};
pub use linear::{CvProblems, LinearPathCv};
pub use network::{NetworkFit, NetworkPathError, NetworkPathSettings, network_path};
