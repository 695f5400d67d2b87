//! Sparse nonlinear regression: the task of the main sparsity study.

use super::sparse::signed_uniform;
use super::{ConfigError, SparseRegressionConfig, Synthetic};
use ndarray::{Array1, ArrayView1};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The true regression function of
/// [`SparseRegressionConfig::generate_nonlinear`]:
///
/// f(x) = Σ_{j<k} a_j·tanh(x_{s_j}) + Σ_{p<⌊k/2⌋} b_p·x_{s_{2p}}·x_{s_{2p+1}}
///
/// with s_0 < … < s_{k−1} the support.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NonlinearTarget {
    /// The support s_0 < … < s_{k−1}.
    pub support: Vec<usize>,
    /// a_j, the coefficient of tanh(x_{s_j}); length k.
    pub main_coefficients: Vec<f64>,
    /// b_p, the coefficient of x_{s_{2p}}·x_{s_{2p+1}}; length ⌊k/2⌋.
    pub pair_coefficients: Vec<f64>,
}

impl NonlinearTarget {
    /// f(x) for one sample `x` (a row with at least s_{k−1} + 1 entries).
    pub fn eval(&self, x: ArrayView1<f64>) -> f64 {
        let main: f64 = self
            .support
            .iter()
            .zip(&self.main_coefficients)
            .map(|(&s, a)| a * x[s].tanh())
            .sum();
        let pairs: f64 = self
            .support
            .chunks_exact(2)
            .zip(&self.pair_coefficients)
            .map(|(pair, b)| b * x[pair[0]] * x[pair[1]])
            .sum();
        main + pairs
    }
}

/// A sparse nonlinear problem and its true regression function.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseNonlinear {
    /// Features, targets (`Targets::Regression`, one column) and support.
    pub data: Synthetic,
    /// The noise-free regression function.
    pub target: NonlinearTarget,
}

impl SparseRegressionConfig {
    /// Sparse nonlinear regression: y = f(x) + σ·ε with f the
    /// [`NonlinearTarget`]
    ///
    /// f(x) = Σ_{j<k} a_j·tanh(x_{s_j}) + Σ_{p<⌊k/2⌋} b_p·x_{s_{2p}}·x_{s_{2p+1}}
    ///
    /// - a_j = ±U[1, 2]: a saturating main effect for every informative
    ///   feature, so that each one carries signal on its own.
    /// - b_p = ±U[0.5, 1]: products of consecutive support features paired
    ///   as (s₀, s₁), (s₂, s₃), …; the non-additive part that no linear
    ///   model can fit. With odd k the last feature has a main effect only.
    ///
    /// With the defaults (ρ = 0, k = 10) the terms are uncorrelated and
    /// Var f ≈ 10·E\[a²\]·E\[tanh²z\] + 5·E\[b²\] ≈ 10·2.33·0.39 + 5·0.58 ≈ 12,
    /// against σ² = 0.25.
    pub fn generate_nonlinear<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<SparseNonlinear, ConfigError> {
        let (features, support) = self.draw_design("sparse_nonlinear", rng)?;
        let target = NonlinearTarget {
            main_coefficients: signed_uniform(support.len(), 1.0, 2.0, rng),
            pair_coefficients: signed_uniform(support.len() / 2, 0.5, 1.0, rng),
            support,
        };
        let targets: Array1<f64> = features
            .rows()
            .into_iter()
            .map(|x| target.eval(x))
            .collect();
        let kind = "sparse nonlinear regression (tanh main effects + pairwise products)";
        Ok(SparseNonlinear {
            data: self.finish(kind, features, targets, target.support.clone(), rng),
            target,
        })
    }
}
