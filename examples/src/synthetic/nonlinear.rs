//! The sparse nonlinear regression of the main sparsity study.

use super::gaussian::{
    ar1_gaussian_features, random_support, require_sparse_shape, signed_uniform,
};
use super::{
    ConfigError, Synthetic, Targets, add_gaussian_noise, feature_names, require_noise_std,
};
use ndarray::{Array1, ArrayView1};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Sparse nonlinear regression: y = f(x) + σ·ε with
///
/// f(x) = Σ_{j<k} a_j·tanh(x_{s_j}) + Σ_{p<⌊k/2⌋} b_p·x_{s_{2p}}·x_{s_{2p+1}}
///
/// - x: `n_features` standard normal features with AR(1) correlation
///   corr(x_i, x_j) = ρ^|i−j| (ρ = `correlation`, 0 by default).
/// - s_0 < s_1 < … < s_{k−1}: the support, k = `n_informative` distinct
///   indices drawn uniformly at random (seeded).
/// - a_j = ±U[1, 2]: a saturating main effect for every informative
///   feature, so each one carries signal on its own.
/// - b_p = ±U[0.5, 1]: products of consecutive support features paired as
///   (s₀, s₁), (s₂, s₃), …; the non-additive part that a linear model
///   cannot fit. With odd k the last feature has a main effect only.
/// - ε ~ N(0, 1) i.i.d., σ = `noise_std`.
///
/// With the defaults (ρ = 0, k = 10) Var f ≈ 10·E[a²]·Var tanh(z) +
/// 5·E[b²] ≈ 10·2.33·0.39 + 5·0.58 ≈ 12, against σ² = 0.25.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseNonlinearConfig {
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

impl Default for SparseNonlinearConfig {
    /// n = 1000, d = 100, k = 10, σ = 0.5, ρ = 0: the main study's task.
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

/// The true regression function f of [`SparseNonlinearConfig`].
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
    /// Features, targets (`Targets::Values`) and support.
    pub data: Synthetic,
    /// The noise-free regression function.
    pub target: NonlinearTarget,
}

impl SparseNonlinearConfig {
    /// Draws the features, the support, the coefficients and the noise from
    /// `rng`.
    pub fn generate<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<SparseNonlinear, ConfigError> {
        const NAME: &str = "sparse_nonlinear";
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
        let target = NonlinearTarget {
            main_coefficients: signed_uniform(n_informative, 1.0, 2.0, rng),
            pair_coefficients: signed_uniform(n_informative / 2, 0.5, 1.0, rng),
            support,
        };
        let mut targets: Array1<f64> = features
            .rows()
            .into_iter()
            .map(|x| target.eval(x))
            .collect();
        add_gaussian_noise(&mut targets, noise_std, rng);

        Ok(SparseNonlinear {
            data: Synthetic {
                features,
                targets: Targets::Values(targets),
                support: Some(target.support.clone()),
                feature_names: feature_names(n_features),
                description: format!(
                    "sparse nonlinear regression (tanh main effects + pairwise products): \
                     n={n_samples}, d={n_features}, k={n_informative}, noise_std={noise_std}, \
                     correlation={correlation}"
                ),
            },
            target,
        })
    }
}
