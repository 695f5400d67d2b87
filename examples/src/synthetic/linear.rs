//! Sparse linear regression with optionally correlated features.

use super::ConfigError;
use super::gaussian::{
    ar1_gaussian_features, random_support, require_sparse_shape, signed_uniform,
};
use super::{Synthetic, Targets, add_gaussian_noise, feature_names, require_noise_std};
use ndarray::Array1;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Sparse linear regression: y = X·β + σ·ε.
///
/// - X: `n_samples` rows of `n_features` standard normal features with
///   AR(1) correlation corr(x_i, x_j) = ρ^|i−j| (ρ = `correlation`, see
///   the generation rule in the module's Gaussian helper: x₀ = z₀,
///   x_j = ρ·x_{j−1} + √(1−ρ²)·z_j).
/// - Support S: `n_informative` distinct indices drawn uniformly at random
///   (seeded) and sorted, so that no method can profit from the informative
///   features being first.
/// - β_j = ±U[1, 3] (sign equiprobable) for j ∈ S, β_j = 0 otherwise.
/// - ε ~ N(0, 1) i.i.d., σ = `noise_std`. There is no intercept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseLinearConfig {
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

impl Default for SparseLinearConfig {
    /// n = 500, d = 50, k = 5, σ = 1, ρ = 0.
    fn default() -> Self {
        Self {
            n_samples: 500,
            n_features: 50,
            n_informative: 5,
            noise_std: 1.0,
            correlation: 0.0,
        }
    }
}

/// A sparse linear problem and its true coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseLinear {
    /// Features, targets (`Targets::Values`) and support.
    pub data: Synthetic,
    /// The true β, length d, zero off the support.
    pub coefficients: Array1<f64>,
}

impl SparseLinearConfig {
    /// Draws the features, the support, β and the noise from `rng`.
    pub fn generate<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<SparseLinear, ConfigError> {
        const NAME: &str = "sparse_linear";
        let &Self {
            n_samples,
            n_features,
            n_informative,
            noise_std,
            correlation,
        } = self;
        require_sparse_shape(NAME, n_samples, n_features, n_informative, correlation)?;
        require_noise_std(NAME, noise_std)?;

        let features = ar1_gaussian_features(n_samples, n_features, correlation, rng);
        let support = random_support(n_features, n_informative, rng);
        let mut coefficients = Array1::zeros(n_features);
        for (&j, beta) in support
            .iter()
            .zip(signed_uniform(n_informative, 1.0, 3.0, rng))
        {
            coefficients[j] = beta;
        }
        let mut targets = features.dot(&coefficients);
        add_gaussian_noise(&mut targets, noise_std, rng);

        Ok(SparseLinear {
            data: Synthetic {
                features,
                targets: Targets::Values(targets),
                support: Some(support),
                feature_names: feature_names(n_features),
                description: format!(
                    "sparse linear regression: n={n_samples}, d={n_features}, k={n_informative}, \
                     noise_std={noise_std}, correlation={correlation}"
                ),
            },
            coefficients,
        })
    }
}
