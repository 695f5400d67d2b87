//! The statistics of K-fold cross-validation over a λ grid, as
//! scikit-learn's `LassoCV` and glmnet's `cv.glmnet`: the same grid for
//! every fold, one warm-started path per fold, and per λ the mean
//! validation loss over the folds with its spread.
//!
//! # The statistics
//!
//! With eₖ(λ) the validation MSE of fold k (k = 1..K) at λ:
//!
//! ```text
//! mean(λ) = (1/K)·Σₖ eₖ(λ)
//! std(λ)  = √( Σₖ (eₖ(λ) − mean(λ))² / (K − 1) )     (ddof = 1: the sample std)
//! se(λ)   = std(λ) / √K                              (standard error of the mean)
//! ```
//!
//! - the best λ minimizes mean(λ) (ties go to the larger λ);
//! - the **one-standard-error** λ (Breiman et al., glmnet's `lambda.1se`)
//!   is the largest λ with mean(λ) ≤ mean(λ_best) + se(λ_best): the
//!   sparsest model whose error is within one standard error of the best.
//!
//! Each fold's features are standardized with the statistics of its own
//! training part (no information from the held-out part leaks into the
//! fit), as a `Pipeline(StandardScaler(), Lasso())` would be in
//! scikit-learn's `cross_val_score` (the linear engine,
//! [`CvProblems`](super::CvProblems), does this).

use serde::Serialize;

use crate::data::scaled_norm;

/// The cross-validation curve over a grid and the λ it selects.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CvCurve {
    /// The grid, largest first.
    pub lambdas: Vec<f64>,
    /// Validation MSE per fold and λ: `fold_losses[k][i]`.
    pub fold_losses: Vec<Vec<f64>>,
    /// Mean over the folds, per λ.
    pub mean: Vec<f64>,
    /// Sample standard deviation over the folds (ddof = 1), per λ.
    pub std: Vec<f64>,
    /// std/√K, per λ.
    pub standard_error: Vec<f64>,
    /// Index of the λ with the smallest mean (the first, i.e. largest λ,
    /// among ties).
    pub best: usize,
    /// Index of the largest λ whose mean is within one standard error of
    /// the best's.
    pub one_se: usize,
}

impl CvCurve {
    /// The statistics of `fold_losses[k][i]` (fold k, λ `lambdas[i]`), see
    /// the [module docs](self).
    ///
    /// # Panics
    /// With fewer than 2 folds, or a fold whose losses are not one per λ.
    ///
    /// ```
    /// use sparsegrad_nn::path::CvCurve;
    /// let curve = CvCurve::from_fold_losses(
    ///     vec![3.0, 2.0, 1.0],
    ///     vec![vec![4.0, 2.0, 1.0], vec![6.0, 2.5, 3.0]],
    /// );
    /// assert_eq!(curve.mean, [5.0, 2.25, 2.0]);
    /// assert_eq!(curve.best, 2);
    /// // std = √2 at the best, se = 1: 2.25 ≤ 2 + 1, 5 is not
    /// assert_eq!(curve.one_se, 1);
    /// ```
    pub fn from_fold_losses(lambdas: Vec<f64>, fold_losses: Vec<Vec<f64>>) -> Self {
        let folds = fold_losses.len();
        assert!(
            folds >= 2,
            "CvCurve::from_fold_losses: {folds} folds, need at least 2"
        );
        for (k, losses) in fold_losses.iter().enumerate() {
            assert_eq!(
                losses.len(),
                lambdas.len(),
                "CvCurve::from_fold_losses: fold {k} has {} losses for {} lambdas",
                losses.len(),
                lambdas.len()
            );
        }
        let k = folds as f64;
        let column = |i: usize| fold_losses.iter().map(move |losses| losses[i]);
        let mean: Vec<f64> = (0..lambdas.len())
            .map(|i| column(i).sum::<f64>() / k)
            .collect();
        let std: Vec<f64> = (0..lambdas.len())
            .map(|i| {
                // scaled before squaring, so that a loss of 1e200 gives a
                // std of its size, not an overflow to ∞
                scaled_norm(column(i).map(|e| e - mean[i])) / (k - 1.0).sqrt()
            })
            .collect();
        let standard_error: Vec<f64> = std.iter().map(|s| s / k.sqrt()).collect();
        let best = (0..mean.len())
            .reduce(|best, i| if mean[i] < mean[best] { i } else { best })
            .unwrap_or(0);
        let threshold = mean.get(best).map_or(0.0, |m| m + standard_error[best]);
        let one_se = mean.iter().position(|&m| m <= threshold).unwrap_or(best);
        CvCurve {
            lambdas,
            fold_losses,
            mean,
            std,
            standard_error,
            best,
            one_se,
        }
    }

    /// The λ with the smallest mean validation loss.
    pub fn best_lambda(&self) -> f64 {
        self.lambdas[self.best]
    }

    /// The largest λ within one standard error of the best.
    pub fn one_se_lambda(&self) -> f64 {
        self.lambdas[self.one_se]
    }
}

#[cfg(test)]
mod tests {
    use super::CvCurve;

    /// The scaled std is the sample std of the module docs: by hand for two
    /// folds (|a − b|/√2), and without overflow where the squares of the
    /// deviations would pass f64's largest value (1e200² = 1e400).
    #[test]
    fn the_std_is_the_sample_std_even_where_its_squares_overflow() {
        let curve = CvCurve::from_fold_losses(
            vec![2.0, 1.0, 0.5],
            vec![vec![1.0, 1e200, 7.0], vec![4.0, 3e200, 7.0]],
        );
        let by_hand = [3.0 / 2f64.sqrt(), 2e200 / 2f64.sqrt(), 0.0];
        for (got, want) in curve.std.iter().zip(by_hand) {
            assert!(
                (got - want).abs() <= 1e-15 * want,
                "std {got:e}, by hand {want:e}"
            );
        }
        assert!((curve.standard_error[1] - 1e200).abs() <= 1e-15 * 1e200);
    }
}
