//! The sparse regression problems: standard normal features with AR(1)
//! correlation, a random support, and a linear ([`SparseRegressionConfig::generate_linear`])
//! or nonlinear ([`SparseRegressionConfig::generate_nonlinear`]) target.

use super::{
    ConfigError, Synthetic, Targets, add_gaussian_noise, feature_names, require, require_noise_std,
};
use ndarray::{Array1, Array2, Axis};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// The shape of a sparse regression problem, shared by its two target
/// families.
///
/// - Features: `n_samples` rows of `n_features` standard normal features,
///   each row an AR(1) sequence x₀ = z₀, x_j = ρ·x_{j−1} + √(1−ρ²)·z_j with
///   z_j ~ N(0, 1) i.i.d. and ρ = `correlation`. By induction Var(x_j) = 1
///   and corr(x_i, x_j) = ρ^|i−j| exactly (a Toeplitz correlation matrix,
///   no factorization needed); ρ = 0 gives i.i.d. N(0, 1) features.
/// - Support S: `n_informative` distinct indices drawn uniformly at random
///   (seeded) and sorted, so that no method can profit from the informative
///   features coming first.
/// - Target: see [`generate_linear`](Self::generate_linear) and
///   [`generate_nonlinear`](Self::generate_nonlinear), plus σ·ε with
///   ε ~ N(0, 1) i.i.d. and σ = `noise_std`.
///
/// Draw order from the RNG: features (row by row), support, coefficients,
/// noise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseRegressionConfig {
    /// Number of samples n.
    pub n_samples: usize,
    /// Number of features d.
    pub n_features: usize,
    /// Number of informative features k ≤ d.
    pub n_informative: usize,
    /// Standard deviation σ of the additive Gaussian noise.
    pub noise_std: f64,
    /// AR(1) correlation ρ ∈ (−1, 1) between neighbouring features.
    pub correlation: f64,
}

impl Default for SparseRegressionConfig {
    /// The main sparsity study's task: n = 1000, d = 100, k = 10, σ = 0.5,
    /// ρ = 0.
    fn default() -> Self {
        Self {
            n_samples: 1000,
            n_features: 100,
            n_informative: 10,
            noise_std: 0.5,
            correlation: 0.0,
        }
    }
}

impl SparseRegressionConfig {
    /// Checks the configuration, then draws the features and the support.
    pub(super) fn draw_design<R: Rng + ?Sized>(
        &self,
        generator: &'static str,
        rng: &mut R,
    ) -> Result<(Array2<f64>, Vec<usize>), ConfigError> {
        let &Self {
            n_samples,
            n_features,
            n_informative,
            noise_std,
            correlation,
        } = self;
        require(n_samples > 0 && n_features > 0, generator, || {
            format!("need n_samples > 0 and n_features > 0, got {n_samples} and {n_features}")
        })?;
        require(n_informative <= n_features, generator, || {
            format!("n_informative = {n_informative} exceeds n_features = {n_features}")
        })?;
        require(correlation.abs() < 1.0, generator, || {
            format!("correlation must lie in (-1, 1), got {correlation}")
        })?;
        require_noise_std(generator, noise_std)?;
        let features = ar1_gaussian_features(n_samples, n_features, correlation, rng);
        let mut support = rand::seq::index::sample(rng, n_features, n_informative).into_vec();
        support.sort_unstable();
        Ok((features, support))
    }

    /// Wraps drawn features and noise-free targets into a [`Synthetic`]:
    /// adds the noise and records the support and a description that
    /// starts with `kind`.
    pub(super) fn finish<R: Rng + ?Sized>(
        &self,
        kind: &str,
        features: Array2<f64>,
        mut targets: Array1<f64>,
        support: Vec<usize>,
        rng: &mut R,
    ) -> Synthetic {
        add_gaussian_noise(&mut targets, self.noise_std, rng);
        Synthetic {
            features,
            targets: Targets::Regression(targets.insert_axis(Axis(1))),
            support: Some(support),
            feature_names: feature_names(self.n_features),
            description: format!(
                "{kind}: n={}, d={}, k={}, noise_std={}, correlation={}",
                self.n_samples,
                self.n_features,
                self.n_informative,
                self.noise_std,
                self.correlation
            ),
        }
    }
}

/// An `[n_samples, n_features]` matrix of independent rows, each a
/// stationary unit-variance Gaussian AR(1) sequence with coefficient
/// `correlation` (see [`SparseRegressionConfig`]).
fn ar1_gaussian_features<R: Rng + ?Sized>(
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
