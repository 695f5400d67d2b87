//! Sparse linear regression.

use super::sparse::signed_uniform;
use super::{ConfigError, SparseRegressionConfig, Synthetic};
use ndarray::Array1;
use rand::Rng;

/// A sparse linear problem and its true coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseLinear {
    /// Features, targets (`Targets::Regression`, one column) and support.
    pub data: Synthetic,
    /// The true β, length d, zero off the support.
    pub coefficients: Array1<f64>,
}

impl SparseRegressionConfig {
    /// Sparse linear regression: y = X·β + σ·ε, with β_j = ±U[1, 3] (sign
    /// equiprobable) for j in the support S and β_j = 0 otherwise. There is
    /// no intercept.
    pub fn generate_linear<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<SparseLinear, ConfigError> {
        let (features, support) = self.draw_design("sparse_linear", rng)?;
        let mut coefficients = Array1::zeros(self.n_features);
        let magnitudes = signed_uniform(support.len(), 1.0, 3.0, rng);
        for (&j, beta) in support.iter().zip(magnitudes) {
            coefficients[j] = beta;
        }
        let targets = features.dot(&coefficients);
        Ok(SparseLinear {
            data: self.finish("sparse linear regression", features, targets, support, rng),
            coefficients,
        })
    }
}
