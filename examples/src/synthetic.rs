//! Synthetic data sets with known ground truth.
//!
//! Every generator is a configuration struct (public fields, a `Default`,
//! serde-serializable so that a report can record it) with a
//! `generate…(&self, rng)` method. All randomness flows from the caller's RNG:
//! the same seed gives the same bits. Every data set returns its true support
//! (the indices of the features the target depends on), so that feature
//! selection can be scored against it.
//!
//! | generator | task | features | support |
//! |---|---|---|---|
//! | [`SparseRegressionConfig::generate_linear`] | regression, y = X·β + σε | N(0,1), AR(1) correlation ρ | k random positions |
//! | [`SparseRegressionConfig::generate_nonlinear`] | regression, tanh main effects + pairwise products | N(0,1), AR(1) correlation ρ | k random positions |
//! | [`SparseRegressionConfig::generate_classification`] | two classes, the nonlinear target above its median | N(0,1), AR(1) correlation ρ | k random positions |
//! | [`Friedman1Config`] | regression, Friedman #1 | U\[0,1\] | {0,…,4} |
//! | [`MoonsConfig`], [`SpiralsConfig`], [`BlobsConfig`] | classification in the plane | 2 informative + N(0,1) padding | {0, 1} |
//!
//! ```
//! use rand::{SeedableRng, rngs::StdRng};
//! use sparsegrad_examples::synthetic::{SparseRegressionConfig, Targets};
//!
//! let mut rng = StdRng::seed_from_u64(7);
//! let config = SparseRegressionConfig { n_samples: 50, n_features: 8, n_informative: 3, ..Default::default() };
//! let problem = config.generate_linear(&mut rng).unwrap();
//! assert_eq!(problem.data.features.dim(), (50, 8));
//! assert_eq!(problem.data.support.as_ref().unwrap().len(), 3);
//! assert!(matches!(problem.data.targets, Targets::Regression(ref y) if y.dim() == (50, 1)));
//! ```

mod classification;
mod friedman;
mod linear;
mod nonlinear;
mod sparse;
mod sparse_classification;

pub use classification::{BlobsConfig, MoonsConfig, SpiralsConfig};
pub use friedman::{Friedman1Config, friedman1_target};
pub use linear::SparseLinear;
pub use nonlinear::{NonlinearTarget, SparseNonlinear};
pub use sparse::SparseRegressionConfig;

use ndarray::{Array1, Array2};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use sparsegrad::autograd::Shortest;
use sparsegrad::nn::data::Dataset;
pub use sparsegrad::nn::data::Targets;

/// A generated data set: features, targets and the ground truth about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthetic {
    /// Feature matrix, one row per sample: `[n_samples, n_features]`.
    pub features: Array2<f64>,
    /// Regression values (one column) or class labels (every class in
    /// `0..n_classes` present), one per row of `features`: the library's
    /// own targets type, so the set becomes a [`Dataset`] without a
    /// conversion.
    pub targets: Targets<f64>,
    /// Sorted indices of the features the target depends on, when known.
    pub support: Option<Vec<usize>>,
    /// Column names `"x0"`, …, `"x{d-1}"`.
    pub feature_names: Vec<String>,
    /// One line saying what the data set is and with which parameters.
    pub description: String,
}

impl Synthetic {
    /// The data set as the library's [`Dataset`], its target named `y`.
    pub fn into_dataset(self) -> Dataset<f64> {
        Dataset::new(self.features, self.targets, self.feature_names, "y".into())
    }
}

/// A configuration that no data set can be generated from (for example more
/// informative features than features, or a correlation outside (−1, 1)).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{generator}: {reason}")]
pub struct ConfigError {
    /// The generator that refused the configuration, e.g. `"sparse_linear"`.
    pub generator: &'static str,
    /// What is wrong, with the offending values.
    pub reason: String,
}

/// Returns `Err(ConfigError)` with the reason built by `reason` unless `ok`.
fn require(
    ok: bool,
    generator: &'static str,
    reason: impl FnOnce() -> String,
) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError {
            generator,
            reason: reason(),
        })
    }
}

/// Checks that a noise standard deviation is finite and non-negative.
fn require_noise_std(generator: &'static str, noise_std: f64) -> Result<(), ConfigError> {
    require(noise_std.is_finite() && noise_std >= 0.0, generator, || {
        format!(
            "noise_std must be finite and >= 0, got {}",
            Shortest(noise_std)
        )
    })
}

/// The column names `"x0"`, …, `"x{n_features-1}"`.
fn feature_names(n_features: usize) -> Vec<String> {
    (0..n_features).map(|j| format!("x{j}")).collect()
}

/// Adds independent N(0, σ²) noise to every entry of `values`, in place.
fn add_gaussian_noise<R: Rng + ?Sized>(values: &mut Array1<f64>, noise_std: f64, rng: &mut R) {
    for v in values.iter_mut() {
        let z: f64 = StandardNormal.sample(rng);
        *v += noise_std * z;
    }
}
