//! K-fold cross-validation of an MLP's path (a linear model's is
//! [`CvProblems`](sparsegrad::nn::path::CvProblems)'s): each fold's
//! training part standardized on itself, its path fitted with the held-out
//! part as validation data, and the statistics of
//! [`CvCurve`].

use rand::Rng;
use sparsegrad::nn::data::{Dataset, k_fold, standardize};
use sparsegrad::nn::path::CvCurve;

use super::PathError;
use super::fit::{FitSettings, fit_mlp_path};

/// K-fold cross-validation of the MLP path of `settings` over `lambdas`: the
/// folds are drawn from `rng` ([`k_fold`]), each fold's training part is
/// standardized and its path fitted with the held-out part as validation
/// data. Calls `on_fit` after each (fold, λ).
///
/// # Errors
/// As [`fit_mlp_path`].
///
/// # Panics
/// When `folds` is not in 2..=n, or as [`fit_mlp_path`].
pub fn cross_validate<R: Rng + ?Sized>(
    data: &Dataset<f64>,
    lambdas: &[f64],
    folds: usize,
    settings: &FitSettings,
    rng: &mut R,
    mut on_fit: impl FnMut(),
) -> Result<CvCurve, PathError> {
    let mut fold_losses = Vec::with_capacity(folds);
    for split in k_fold(data.len(), folds, rng) {
        let mut train = data.subset(&split.train);
        let mut validation = data.subset(&split.test);
        standardize(&mut train, &mut [&mut validation]);
        let path = fit_mlp_path(&train, lambdas, settings, Some(&validation), &mut on_fit)?;
        fold_losses.push(
            path.points
                .iter()
                .map(|p| {
                    p.validation_loss
                        .expect("fit_mlp_path was given validation data")
                })
                .collect(),
        );
    }
    Ok(CvCurve::from_fold_losses(lambdas.to_vec(), fold_losses))
}
