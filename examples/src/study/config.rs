//! What a study run is made of: the data, the network, the optimizer, the
//! λ grids and the cross-validation, with the default and the quick
//! configuration.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sparsegrad::autograd::Shortest;
use sparsegrad::io::limits::{self, RunSizes};
use sparsegrad::nn::path::MIN_GRID_EPS;

use super::StudyError;
use super::regime::Regime;

/// Where the study's data comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DataSource {
    /// A synthetic task whose informative features are known.
    Synthetic(SyntheticTask),
    /// A real data set shipped in `examples/data`.
    Shipped(ShippedDataset),
    /// A user's CSV file, read with the same rules and errors as `fit`.
    Csv {
        /// The file.
        path: PathBuf,
        /// The target column.
        target: String,
        /// The feature columns in order (default: every other column).
        features: Option<Vec<String>>,
        /// Whether the target is a number or a class label.
        classification: bool,
    },
}

/// A synthetic task: which generator, and its sizes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyntheticTask {
    /// The generator.
    pub generator: Generator,
    /// Samples generated (split into train and test).
    pub n_samples: usize,
    /// Input features d.
    pub n_features: usize,
    /// Informative features k (Friedman #1 always has 5).
    pub n_informative: usize,
    /// Standard deviation of the noise, before standardization.
    pub noise_std: f64,
}

/// The synthetic generators the study offers (`--dataset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Generator {
    /// [`SparseRegressionConfig::generate_linear`](crate::synthetic::SparseRegressionConfig::generate_linear):
    /// y = X·β + σε with β zero off the support.
    Linear,
    /// [`SparseRegressionConfig::generate_nonlinear`](crate::synthetic::SparseRegressionConfig::generate_nonlinear):
    /// tanh main effects plus pairwise products of the informative features.
    Nonlinear,
    /// [`Friedman1Config`](crate::synthetic::Friedman1Config): Friedman #1,
    /// 5 informative features, the rest pure noise.
    Friedman,
    /// [`SparseRegressionConfig::generate_classification`](crate::synthetic::SparseRegressionConfig::generate_classification):
    /// two classes split by the nonlinear target's median.
    Classification,
}

/// The real data sets in `examples/data` (see the README for their
/// origin and terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShippedDataset {
    /// Efron, Hastie, Johnstone & Tibshirani (2004), "Least angle
    /// regression": 442 patients, 10 baseline variables, a measure of
    /// disease progression one year later (regression).
    Diabetes,
    /// The Wisconsin diagnostic breast cancer data (Street, Wolberg &
    /// Mangasarian 1993): 569 tumours, 30 features of the cell nuclei,
    /// malignant (0) or benign (1) (classification).
    BreastCancer,
}

/// Which of the two cross-validated λ a regime is reported at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// The λ with the smallest mean CV loss (glmnet's `lambda.min`).
    Best,
    /// The largest λ whose mean CV loss is within one standard error of
    /// the smallest (glmnet's `lambda.1se`): the sparsest model that
    /// predicts as well, up to the noise of the estimate.
    OneSe,
}

/// The full configuration of a study run; recorded in the report and in
/// every shard file (a merge refuses shards of different configurations).
///
/// Every regime trains the same MLP (`n_features` → `hidden`… → outputs,
/// ReLU) from the same initial weights, with plain SGD (no momentum) on
/// the same mini-batches in the same order for the same part of the data:
/// the only differences between two regimes are the penalty and its λ.
/// Plain SGD is chosen because with it both L1 modes minimize the same
/// objective (the proximal step is ISTA, whose fixed points are the L1
/// optimum), so what separates them is only how the kink at 0 is handled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyConfig {
    /// The seed every random draw comes from (data, split, folds, init,
    /// batches).
    pub seed: u64,
    /// The data.
    pub data: DataSource,
    /// The fraction of samples held out as the test set.
    pub test_fraction: f64,
    /// Widths of the hidden layers (empty: a linear model).
    pub hidden: Vec<usize>,
    /// The regimes compared, in the order they are reported.
    pub regimes: Vec<Regime>,
    /// K, the cross-validation folds.
    pub folds: usize,
    /// λ per regime's grid (the unpenalized regime has one point, λ = 0).
    pub grid: usize,
    /// Each grid runs from its top λ down to top·`eps`.
    pub eps: f64,
    /// Which cross-validated λ is reported.
    pub select: Selection,
    /// SGD learning rate.
    pub lr: f64,
    /// Samples per SGD step.
    pub batch_size: usize,
    /// Mini-batch epochs of the first fit of a path (at its smallest λ,
    /// from the initial weights).
    pub first_epochs: usize,
    /// Mini-batch epochs of every later fit of a path, warm-started from
    /// the fit at the next smaller λ.
    pub path_epochs: usize,
    /// Full-batch epochs (one step each) closing every fit: they settle
    /// the exact zeros that mini-batch noise keeps undoing (see
    /// [`sparsegrad::nn::path::network`]).
    pub settle_epochs: usize,
    /// A fit's settle phase stops after the first full-batch step whose
    /// proximal-gradient residual ‖y − w‖₂/lr is at most this (see
    /// [`sparsegrad::nn::path::network`]); 0 runs every settle epoch.
    pub settle_tol: f64,
}

impl Default for StudyConfig {
    /// The main job: the nonlinear task with 50 features of which 10
    /// informative, hidden layer 32, every regime, a 10-point grid per
    /// regime, 5-fold CV, the 1-SE λ reported.
    fn default() -> Self {
        Self {
            seed: 0,
            data: DataSource::Synthetic(SyntheticTask {
                generator: Generator::Nonlinear,
                n_samples: 2000,
                n_features: 50,
                n_informative: 10,
                noise_std: 0.5,
            }),
            test_fraction: 0.2,
            hidden: vec![32],
            regimes: Regime::ALL.to_vec(),
            folds: 5,
            grid: 10,
            eps: 1e-2,
            select: Selection::OneSe,
            lr: 0.1,
            batch_size: 32,
            first_epochs: 60,
            path_epochs: 20,
            settle_epochs: 40,
            settle_tol: 1e-2,
        }
    }
}

impl StudyConfig {
    /// A small configuration for CI (under 2 s): the sparse linear task
    /// with 400 samples and 20 features (4 informative), hidden layer 8, a
    /// 5-point grid and 3 folds.
    pub fn quick() -> Self {
        Self {
            data: DataSource::Synthetic(SyntheticTask {
                generator: Generator::Linear,
                n_samples: 400,
                n_features: 20,
                n_informative: 4,
                noise_std: 0.5,
            }),
            hidden: vec![8],
            folds: 3,
            grid: 5,
            lr: 0.05,
            first_epochs: 60,
            path_epochs: 20,
            settle_epochs: 50,
            ..Self::default()
        }
    }

    /// Checks every field, naming the first bad one.
    ///
    /// # Errors
    /// [`StudyError::Config`] when a size is 0, a rate is not positive and
    /// finite, the grid's `eps` is below [`MIN_GRID_EPS`] or not below 1, there are fewer than 2
    /// folds, no regime, or the split leaves a part empty.
    pub fn validate(&self) -> Result<(), StudyError> {
        let fail = |reason: String| Err(StudyError::Config(reason));
        if self.hidden.contains(&0) {
            return fail(format!(
                "--hidden widths must be positive, got {:?}",
                self.hidden
            ));
        }
        for (name, value) in [
            ("--grid", self.grid),
            ("--batch-size", self.batch_size),
            ("--first-epochs", self.first_epochs),
        ] {
            if value == 0 {
                return fail(format!("{name} must be positive"));
            }
        }
        if self.folds < 2 {
            return fail(format!("--folds must be at least 2, got {}", self.folds));
        }
        if self.regimes.is_empty() {
            return fail("no regime to compare".to_owned());
        }
        if let Some(regime) = self
            .regimes
            .iter()
            .find(|&&r| super::grid::needs_hidden_layer(r))
        {
            if self.hidden.is_empty() {
                return fail(format!(
                    "regime '{}' needs a hidden layer (--hidden)",
                    regime.label()
                ));
            }
        }
        let synthetic = match &self.data {
            DataSource::Synthetic(task) => {
                Some(("--samples × features", task.n_samples, task.n_features))
            }
            _ => None,
        };
        limits::check_run(&RunSizes {
            grid: ("--grid", self.grid),
            epochs: &[
                ("--first-epochs", self.first_epochs),
                ("--path-epochs", self.path_epochs),
                ("--settle-epochs", self.settle_epochs),
            ],
            hidden: ("--hidden", &self.hidden),
            synthetic,
        })?;
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return fail(format!(
                "--lr must be finite and > 0, got {}",
                Shortest(self.lr)
            ));
        }
        if !(self.settle_tol.is_finite() && self.settle_tol >= 0.0) {
            return fail(format!(
                "--settle-tol must be finite and >= 0, got {}",
                Shortest(self.settle_tol)
            ));
        }
        if !(self.eps >= MIN_GRID_EPS && self.eps < 1.0) {
            return fail(format!(
                "--eps must be in [{}, 1), got {}",
                Shortest(MIN_GRID_EPS),
                Shortest(self.eps)
            ));
        }
        if let DataSource::Synthetic(task) = &self.data {
            if task.n_samples == 0 {
                return fail("--samples must be at least 1".to_owned());
            }
            if !(task.noise_std.is_finite() && task.noise_std >= 0.0) {
                return fail(format!(
                    "noise_std must be finite and >= 0, got {}",
                    Shortest(task.noise_std)
                ));
            }
        }
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return fail(format!(
                "test_fraction must be in (0, 1), got {}",
                Shortest(self.test_fraction)
            ));
        }
        Ok(())
    }
}
