//! Friedman #1 with extra pure-noise features.

use super::{
    ConfigError, Synthetic, Targets, add_gaussian_noise, feature_names, require, require_noise_std,
};
use ndarray::{Array1, Array2, ArrayView1, Axis};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Friedman #1 (the formula of `sklearn.datasets.make_friedman1`):
///
/// x ~ U[0, 1]^d,  y = 10·sin(π·x₀·x₁) + 20·(x₂ − 0.5)² + 10·x₃ + 5·x₄ + σ·ε,
/// ε ~ N(0, 1).
///
/// Features x₅, …, x_{d−1} are pure noise; the support is {0, 1, 2, 3, 4}.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Friedman1Config {
    /// Number of samples n.
    pub n_samples: usize,
    /// Number of features d ≥ 5.
    pub n_features: usize,
    /// Standard deviation σ of the additive Gaussian noise.
    pub noise_std: f64,
}

impl Default for Friedman1Config {
    /// n = 500, d = 10 (sklearn's default), σ = 1.
    fn default() -> Self {
        Self {
            n_samples: 500,
            n_features: 10,
            noise_std: 1.0,
        }
    }
}

/// The noise-free Friedman #1 response of one sample (a row with at least 5
/// entries): 10·sin(π·x₀·x₁) + 20·(x₂ − 0.5)² + 10·x₃ + 5·x₄.
pub fn friedman1_target(x: ArrayView1<f64>) -> f64 {
    10.0 * (PI * x[0] * x[1]).sin() + 20.0 * (x[2] - 0.5).powi(2) + 10.0 * x[3] + 5.0 * x[4]
}

impl Friedman1Config {
    /// Draws the features and the noise from `rng`.
    pub fn generate<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<Synthetic, ConfigError> {
        const NAME: &str = "friedman1";
        let &Self {
            n_samples,
            n_features,
            noise_std,
        } = self;
        require(n_samples > 0 && n_features >= 5, NAME, || {
            format!("need n_samples > 0 and n_features >= 5, got {n_samples} and {n_features}")
        })?;
        require_noise_std(NAME, noise_std)?;

        let features =
            Array2::from_shape_simple_fn((n_samples, n_features), || rng.random::<f64>());
        let mut targets: Array1<f64> = features.rows().into_iter().map(friedman1_target).collect();
        add_gaussian_noise(&mut targets, noise_std, rng);

        Ok(Synthetic {
            features,
            targets: Targets::Regression(targets.insert_axis(Axis(1))),
            support: Some((0..5).collect()),
            feature_names: feature_names(n_features),
            description: format!(
                "Friedman #1: n={n_samples}, d={n_features} (5 informative), noise_std={noise_std}"
            ),
        })
    }
}
