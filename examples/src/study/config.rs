//! What a study run is made of: the data set, the network, the optimizer
//! and the penalty strengths, with the default and the quick configuration.

use serde::{Deserialize, Serialize};
use sparsegrad::io::limits::{self, MAX_EPOCHS, MAX_VALUES, Size};

use super::StudyError;

/// The synthetic regression task the study trains on. Each has a known
/// true support, which feature selection is scored against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    /// [`SparseRegressionConfig::generate_nonlinear`](crate::synthetic::SparseRegressionConfig::generate_nonlinear):
    /// tanh main effects plus pairwise products of the informative features.
    SparseNonlinear,
    /// [`SparseRegressionConfig::generate_linear`](crate::synthetic::SparseRegressionConfig::generate_linear):
    /// y = X·β + σε with β zero off the support.
    SparseLinear,
    /// [`Friedman1Config`](crate::synthetic::Friedman1Config): Friedman #1,
    /// 5 informative features, the rest pure noise.
    Friedman,
}

/// The full configuration of a study run; serialized into the report.
///
/// Every regime trains the same MLP (`n_features` → `hidden`… → 1, ReLU)
/// from the same initial weights, on the same mini-batches in the same
/// order, with plain SGD (no momentum): the only difference between two
/// regimes is the penalty. Plain SGD is chosen because with it both L1
/// modes minimize the same objective (the proximal step is ISTA, whose
/// fixed points are the L1 optimum), so what separates them is only how
/// the kink at 0 is handled. (It also makes coupled and decoupled L2 the
/// same update, up to rounding; see the `regularize` module docs.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyConfig {
    /// The seed every random draw comes from (data, split, init, batches).
    pub seed: u64,
    /// Which task to generate.
    pub dataset: DatasetKind,
    /// Samples generated (split into train and test).
    pub n_samples: usize,
    /// Input features d.
    pub n_features: usize,
    /// Informative features k (Friedman #1 always has 5).
    pub n_informative: usize,
    /// Standard deviation of the target noise, before standardization.
    pub noise_std: f64,
    /// The fraction of samples held out as the test set.
    pub test_fraction: f64,
    /// Widths of the hidden layers.
    pub hidden: Vec<usize>,
    /// Mini-batch passes over the training set.
    pub epochs: usize,
    /// Samples per SGD step.
    pub batch_size: usize,
    /// Full-batch epochs (one step each) after the mini-batch ones.
    ///
    /// A weight at 0 stays at 0 after a proximal step exactly when the
    /// gradient of that step satisfies |g| ≤ λ1. A mini-batch gradient is
    /// the full one plus sampling noise, which for the weights of a noise
    /// feature is usually larger than λ1: some of them leave 0 at every
    /// step, and the last iterate keeps a few of them nonzero in every
    /// column. The full-batch steps at the end are proximal gradient
    /// descent (ISTA) on the training objective itself, and settle those
    /// zeros. Every regime gets the same steps.
    pub full_batch_epochs: usize,
    /// SGD learning rate.
    pub lr: f64,
    /// λ1 of the L1 regimes and of the elastic net.
    pub l1: f64,
    /// λ2 of the L2 regimes and of the elastic net.
    pub l2: f64,
    /// τ: a weight counts as near zero when |w| < τ.
    pub near_zero_tolerance: f64,
}

impl Default for StudyConfig {
    /// The main job: 100 features of which 10 informative, a nonlinear
    /// target, hidden layers 64-64.
    fn default() -> Self {
        Self {
            seed: 0,
            dataset: DatasetKind::SparseNonlinear,
            n_samples: 10000,
            n_features: 100,
            n_informative: 10,
            noise_std: 0.5,
            test_fraction: 0.2,
            hidden: vec![64, 64],
            epochs: 40,
            batch_size: 64,
            full_batch_epochs: 200,
            lr: 0.05,
            l1: 1e-2,
            l2: 3e-2,
            near_zero_tolerance: 1e-3,
        }
    }
}

impl StudyConfig {
    /// A small configuration for CI and the end-to-end test: the sparse
    /// linear task (whose support an L1-penalized network recovers
    /// cleanly; on the nonlinear default, part of the target is left
    /// unfitted and noise features keep a few first-layer weights that
    /// correlate with that residual), 1200 samples, a 16-16 network, fewer
    /// epochs.
    pub fn quick() -> Self {
        Self {
            dataset: DatasetKind::SparseLinear,
            n_samples: 1200,
            hidden: vec![16, 16],
            epochs: 30,
            full_batch_epochs: 60,
            ..Self::default()
        }
    }

    /// Checks every field, naming the first bad one.
    ///
    /// # Errors
    /// [`StudyError::Config`] when a size is 0, a rate or strength is
    /// negative or not finite, or the split leaves a part empty.
    pub fn validate(&self) -> Result<(), StudyError> {
        let fail = |reason: String| Err(StudyError::Config(reason));
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return fail(format!(
                "hidden layer widths must be a non-empty list of positive numbers, got {:?}",
                self.hidden
            ));
        }
        for (name, value) in [
            ("n_samples", self.n_samples),
            ("n_features", self.n_features),
            ("epochs", self.epochs),
            ("batch_size", self.batch_size),
        ] {
            if value == 0 {
                return fail(format!("{name} must be positive"));
            }
        }
        for (name, value) in [
            ("lr", self.lr),
            ("l1", self.l1),
            ("l2", self.l2),
            ("noise_std", self.noise_std),
            ("near_zero_tolerance", self.near_zero_tolerance),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return fail(format!("{name} must be finite and >= 0, got {value}"));
            }
        }
        limits::check("epochs", self.epochs as u64, MAX_EPOCHS)?;
        limits::check(
            "full_batch_epochs",
            self.full_batch_epochs as u64,
            MAX_EPOCHS,
        )?;
        limits::check_widths("hidden", &self.hidden)?;
        limits::check_size(
            "n_samples × n_features",
            Size::product(self.n_samples as u128, self.n_features as u128),
            MAX_VALUES,
        )?;
        let widths: Vec<usize> = std::iter::once(self.n_features)
            .chain(self.hidden.iter().copied())
            .chain([1])
            .collect();
        limits::check_mlp(&widths)?;
        let n_test = (self.test_fraction * self.n_samples as f64).round();
        if !(self.test_fraction > 0.0 && n_test >= 1.0 && n_test < self.n_samples as f64) {
            return fail(format!(
                "test_fraction {} of {} samples leaves the train or test set empty",
                self.test_fraction, self.n_samples
            ));
        }
        Ok(())
    }
}
