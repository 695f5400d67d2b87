//! The linear model's path and K-fold cross-validation: [`CvProblems`]
//! holds the whole data's and every fold's problem, built once, and
//! [`CvProblems::fit`] runs one penalty's paths on them (a study runs
//! several penalties on the same problems).
//!
//! 1. One pass over the rows sums each fold's held-out part
//!    ([`least_squares`](super::least_squares)); the whole data's problem
//!    and each fold's training problem, standardized on its own training
//!    rows, are sums of those parts.
//! 2. The whole data's path and the K folds' paths are independent
//!    warm-started coordinate-descent runs ([`linear_path`]), run on
//!    rayon's threads. Each is sequential on its own, so the result is the
//!    same bits on any number of threads.
//! 3. Each fold's validation MSE at every λ comes from one product of its
//!    held-out rows with the d × L matrix of its path's coefficients
//!    (mapped back to the unstandardized features), and [`CvCurve`] gives
//!    the mean, the standard error, λ_best and λ_1se.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

use super::coordinate_descent::{LinearFit, Stopping, coefficient_matrix, linear_path};
use super::cv::CvCurve;
use super::grid::PathPenalty;
use super::least_squares::{LeastSquares, RowSums};
use crate::data::Split;

/// The whole data's standardized problem, each fold's (standardized on its
/// own training rows), and each fold's held-out rows.
#[derive(Clone, Debug)]
pub struct CvProblems {
    whole: LeastSquares,
    folds: Vec<LeastSquares>,
    /// Per fold: its held-out rows and targets, shifted as the sums were.
    held_out: Vec<(Array2<f64>, Array1<f64>)>,
}

/// The whole data's path and the cross-validation over the same grid.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearPathCv {
    /// The whole data's path, one fit per λ.
    pub path: Vec<LinearFit>,
    /// Each fold's path (fold k trained on all but `splits[k].test`).
    pub fold_paths: Vec<Vec<LinearFit>>,
    /// The validation statistics and the λ they pick.
    pub curve: CvCurve,
}

impl LinearPathCv {
    /// The largest relative duality gap of any fit, whole data or fold:
    /// what the stopping rule compares with its tol.
    pub fn worst_relative_gap(&self) -> f64 {
        std::iter::once(&self.path)
            .chain(&self.fold_paths)
            .flatten()
            .map(|f| f.relative_gap)
            .fold(0.0, f64::max)
    }
}

impl CvProblems {
    /// The problems of `x` (n × d) and `y` with the folds `splits` (each
    /// fold holds out its `test` rows; the held-out parts must partition
    /// 0..n, as [`k_fold`](crate::data::k_fold)'s do), in one pass over the
    /// rows (see the [module docs](self)).
    ///
    /// # Panics
    /// When there are fewer than 2 splits, the held-out parts do not cover
    /// every row exactly once, or `y` has not one value per row.
    pub fn new(x: ArrayView2<f64>, y: ArrayView1<f64>, splits: &[Split]) -> Self {
        let n = x.nrows();
        assert!(
            y.len() == n && n > 0,
            "CvProblems::new: {n} rows and {} targets",
            y.len()
        );
        let mut covered = vec![0_usize; n];
        for &i in splits.iter().flat_map(|s| &s.test) {
            covered[i] += 1;
        }
        assert!(
            splits.len() >= 2 && covered.iter().all(|&c| c == 1),
            "CvProblems::new: the held-out parts of the {} splits must partition the {n} rows",
            splits.len()
        );
        let x_mean = x.mean_axis(Axis(0)).expect("n > 0");
        let y_mean = y.mean().expect("n > 0");
        let (sums, held_out): (Vec<RowSums>, Vec<_>) = splits
            .par_iter()
            .map(|split| {
                let (sums, u, t) = RowSums::of_rows(x, y, &split.test, x_mean.view(), y_mean);
                (sums, (u, t))
            })
            .unzip();
        let folds = (0..sums.len())
            .map(|k| {
                let others = sums.iter().enumerate().filter(|&(l, _)| l != k);
                LeastSquares::from_sums(&RowSums::total(others.map(|(_, s)| s)))
            })
            .collect();
        CvProblems {
            whole: LeastSquares::from_sums(&RowSums::total(sums.iter())),
            folds,
            held_out,
        }
    }

    /// The whole data's problem (its λ_max and curvature give the grid).
    pub fn whole(&self) -> &LeastSquares {
        &self.whole
    }

    /// Fold k's training problem.
    ///
    /// # Panics
    /// When k is not a fold.
    pub fn fold(&self, k: usize) -> &LeastSquares {
        &self.folds[k]
    }

    /// The path of `penalty` over `lambdas` (largest first) on the whole
    /// data and on every fold, and the validation statistics.
    pub fn fit(&self, lambdas: &[f64], penalty: PathPenalty, stopping: &Stopping) -> LinearPathCv {
        let mut paths: Vec<Vec<LinearFit>> = std::iter::once(&self.whole)
            .chain(&self.folds)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|p| linear_path(p, lambdas, penalty, stopping))
            .collect();
        let path = paths.remove(0);
        let d = self.whole.n_features();
        let fold_losses: Vec<Vec<f64>> = self
            .folds
            .par_iter()
            .zip(&paths)
            .zip(&self.held_out)
            .map(|((fold, fits), (u, t))| {
                let predicted =
                    fold.predict_shifted(u.view(), coefficient_matrix(fits, d).view());
                let errors = &t.view().insert_axis(Axis(1)) - &predicted;
                let m = t.len() as f64;
                errors.columns().into_iter().map(|e| e.dot(&e) / m).collect()
            })
            .collect();
        LinearPathCv {
            path,
            fold_paths: paths,
            curve: CvCurve::from_fold_losses(lambdas.to_vec(), fold_losses),
        }
    }
}
