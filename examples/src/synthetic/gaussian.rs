//! Pieces shared by the Gaussian-feature regression problems: AR(1)-correlated
//! standard normal features, a random support and random signed coefficients.

use super::{ConfigError, require};
use ndarray::Array2;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Checks the shape parameters shared by the sparse regression problems.
pub(super) fn require_sparse_shape(
    generator: &'static str,
    n_samples: usize,
    n_features: usize,
    n_informative: usize,
    correlation: f64,
) -> Result<(), ConfigError> {
    require(n_samples > 0 && n_features > 0, generator, || {
        format!("need n_samples > 0 and n_features > 0, got {n_samples} and {n_features}")
    })?;
    require(n_informative <= n_features, generator, || {
        format!("n_informative = {n_informative} exceeds n_features = {n_features}")
    })?;
    require(correlation.abs() < 1.0, generator, || {
        format!("correlation must lie in (-1, 1), got {correlation}")
    })
}

/// An `[n_samples, n_features]` matrix whose rows are independent draws of a
/// stationary Gaussian AR(1) sequence with unit variance:
///
/// x₀ = z₀,  x_j = ρ·x_{j−1} + √(1−ρ²)·z_j,  z_j ~ N(0, 1) i.i.d.
///
/// By induction Var(x_j) = ρ² + (1−ρ²) = 1 and corr(x_i, x_j) = ρ^|i−j|
/// exactly (the Toeplitz correlation matrix), with no matrix factorization.
/// ρ = 0 gives i.i.d. N(0, 1) features.
pub(super) fn ar1_gaussian_features<R: Rng + ?Sized>(
    n_samples: usize,
    n_features: usize,
    correlation: f64,
    rng: &mut R,
) -> Array2<f64> {
    let innovation_scale = (1.0 - correlation * correlation).sqrt();
    let mut features = Array2::zeros((n_samples, n_features));
    for mut row in features.rows_mut() {
        let mut previous = 0.0;
        for (j, x) in row.iter_mut().enumerate() {
            let z: f64 = StandardNormal.sample(rng);
            *x = if j == 0 {
                z
            } else {
                correlation * previous + innovation_scale * z
            };
            previous = *x;
        }
    }
    features
}

/// `n_informative` distinct feature indices drawn uniformly from
/// `0..n_features`, sorted ascending.
pub(super) fn random_support<R: Rng + ?Sized>(
    n_features: usize,
    n_informative: usize,
    rng: &mut R,
) -> Vec<usize> {
    let mut support = rand::seq::index::sample(rng, n_features, n_informative).into_vec();
    support.sort_unstable();
    support
}

/// `count` values ±U[low, high] with an equiprobable sign: magnitudes bounded
/// away from zero, so every informative feature matters.
pub(super) fn signed_uniform<R: Rng + ?Sized>(
    count: usize,
    low: f64,
    high: f64,
    rng: &mut R,
) -> Vec<f64> {
    (0..count)
        .map(|_| {
            let magnitude = rng.random_range(low..=high);
            if rng.random_bool(0.5) {
                magnitude
            } else {
                -magnitude
            }
        })
        .collect()
}
