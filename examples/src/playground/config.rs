//! What the page can set, as one JSON object with a default for every
//! field, and the bounds that keep one request from asking the server for
//! more than a small demo needs.

use serde::{Deserialize, Serialize};
use thiserror::Error;

// The element-wise regimes are the study's, so that there is one mapping
// from a regime to its penalties; the group penalties are the playground's
// own (the study compares element-wise regimes only).
pub use crate::study::Regime;

/// At most this many hidden layers.
pub const MAX_HIDDEN_LAYERS: usize = 4;
/// At most this many neurons in a hidden layer.
pub const MAX_WIDTH: usize = 16;
/// At most this many samples (generated or uploaded).
pub const MAX_SAMPLES: usize = 2000;
/// At most this many useless noise columns beside the two real inputs.
pub const MAX_NOISE_FEATURES: usize = 8;
/// At most this many optimizer steps between two updates of the page.
pub const MAX_STEPS_PER_FRAME: usize = 200;

/// A 2-D task. The first four are binary classification, `Line` is
/// regression; `Upload` trains on the last uploaded CSV file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Two Gaussian blobs.
    TwoBlobs,
    /// A disc inside a ring.
    #[default]
    Circle,
    /// The four quadrants, labelled by the sign of x·y.
    Xor,
    /// Two interleaved spiral arms.
    Spiral,
    /// y = x0 + noise, regression (the second input is useless too).
    Line,
    /// The uploaded CSV file.
    Upload,
}

/// The hidden layers' nonlinearity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationKind {
    /// tanh.
    #[default]
    Tanh,
    /// max(x, 0).
    Relu,
    /// The logistic function.
    Sigmoid,
}

/// The optimizer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// SGD with (heavy-ball) momentum.
    Sgd,
    /// Adam.
    #[default]
    Adam,
    /// AdamW: Adam with every L2 decoupled (weight decay).
    Adamw,
}

/// How the weights are penalized: one of the study's element-wise regimes,
/// or a group lasso, which removes whole units (every weight out of an
/// input, or out of a hidden neuron) at once. In JSON and in the page's
/// address each is one snake_case name: `l1_proximal`, `group_features`, …
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
// What an unknown value is told; a test checks that it lists every value,
// so that it cannot fall behind the study's regimes.
#[serde(
    rename_all = "snake_case",
    expecting = "a regime: none, l2_coupled, l2_decoupled, l1_subgradient, l1_proximal, elastic_net, l1_first_layer, group_features, group_neurons or sparse_group"
)]
pub enum Regularization {
    /// Group lasso λ·Σ_j √p·‖W₁[:, j]‖₂ on the first layer's columns: one
    /// group per input feature.
    GroupFeatures,
    /// Group lasso λ·Σ_i √p·‖W_{l+1}[:, i]‖₂ on every hidden neuron's
    /// outgoing weights (needs a hidden layer).
    GroupNeurons,
    /// Sparse group lasso: proximal L1 of strength α·λ on every weight
    /// and the group lasso on the input features of strength (1 − α)·λ.
    SparseGroup,
    /// A regime of the study, each weight penalized on its own.
    #[serde(untagged)]
    Weights(Regime),
}

impl Default for Regularization {
    /// No penalty.
    fn default() -> Self {
        Regularization::Weights(Regime::None)
    }
}

/// The whole configuration of a run. Every field has a default, so a
/// request may send only what it changes; an unknown field is an error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The data.
    pub task: TaskKind,
    /// How many samples to generate (ignored for an upload).
    pub samples: usize,
    /// The noise of the generated data, in [0, 1].
    pub noise: f64,
    /// The share of the samples held out for the test loss, in [0.1, 0.9].
    pub test_fraction: f64,
    /// Extra N(0, 1) input columns that carry no information.
    pub noise_features: usize,
    /// The widths of the hidden layers.
    pub hidden: Vec<usize>,
    /// The hidden layers' nonlinearity.
    pub activation: ActivationKind,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// The learning rate, in (0, 10].
    pub lr: f64,
    /// SGD's momentum μ, in [0, 1) (unused by Adam).
    pub momentum: f64,
    /// Samples per step.
    pub batch_size: usize,
    /// How the weights are penalized (biases never are).
    pub regime: Regularization,
    /// λ, the strength of the penalty, in [0, 10].
    pub lambda: f64,
    /// The share α of λ that goes to L1 in elastic net and the sparse
    /// group lasso, in [0, 1].
    pub l1_ratio: f64,
    /// The seed of the data, the split, the initial weights and the batches.
    pub seed: u64,
    /// Optimizer steps between two updates of the page.
    pub steps_per_frame: usize,
}

impl Default for Config {
    /// A circle, 2→8→8→2 tanh, Adam at lr 0.03, no penalty.
    fn default() -> Self {
        Self {
            task: TaskKind::default(),
            samples: 400,
            noise: 0.1,
            test_fraction: 0.3,
            noise_features: 0,
            hidden: vec![8, 8],
            activation: ActivationKind::default(),
            optimizer: OptimizerKind::default(),
            lr: 0.03,
            momentum: 0.9,
            batch_size: 32,
            regime: Regularization::default(),
            lambda: 0.003,
            l1_ratio: 0.5,
            seed: 0,
            steps_per_frame: 5,
        }
    }
}

/// A configuration outside the bounds.
#[derive(Clone, Debug, Error, PartialEq)]
#[error("{field}: {problem}")]
pub struct ConfigError {
    /// The field at fault.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl Config {
    /// Checks every bound; the first field out of bounds is the error.
    ///
    /// # Errors
    /// A field out of its documented range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |field, problem: String| Err(ConfigError { field, problem });
        if !(10..=MAX_SAMPLES).contains(&self.samples) {
            return fail(
                "samples",
                format!("must be in 10..={MAX_SAMPLES}, got {}", self.samples),
            );
        }
        in_range("noise", self.noise, 0.0, 1.0)?;
        in_range("test_fraction", self.test_fraction, 0.1, 0.9)?;
        if self.noise_features > MAX_NOISE_FEATURES {
            return fail(
                "noise_features",
                format!("at most {MAX_NOISE_FEATURES}, got {}", self.noise_features),
            );
        }
        if self.hidden.len() > MAX_HIDDEN_LAYERS {
            return fail(
                "hidden",
                format!(
                    "at most {MAX_HIDDEN_LAYERS} hidden layers, got {}",
                    self.hidden.len()
                ),
            );
        }
        if let Some(&width) = self.hidden.iter().find(|&&w| !(1..=MAX_WIDTH).contains(&w)) {
            return fail(
                "hidden",
                format!("every width must be in 1..={MAX_WIDTH}, got {width}"),
            );
        }
        if !(self.lr > 0.0 && self.lr <= 10.0) {
            return fail("lr", format!("must be in (0, 10], got {}", self.lr));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return fail(
                "momentum",
                format!("must be in [0, 1), got {}", self.momentum),
            );
        }
        if !(1..=MAX_SAMPLES).contains(&self.batch_size) {
            return fail(
                "batch_size",
                format!("must be in 1..={MAX_SAMPLES}, got {}", self.batch_size),
            );
        }
        if self.regime == Regularization::GroupNeurons && self.hidden.is_empty() {
            return fail(
                "regime",
                "group_neurons needs a hidden layer: a network without one has no neuron to remove"
                    .to_string(),
            );
        }
        in_range("lambda", self.lambda, 0.0, 10.0)?;
        in_range("l1_ratio", self.l1_ratio, 0.0, 1.0)?;
        if !(1..=MAX_STEPS_PER_FRAME).contains(&self.steps_per_frame) {
            return fail(
                "steps_per_frame",
                format!(
                    "must be in 1..={MAX_STEPS_PER_FRAME}, got {}",
                    self.steps_per_frame
                ),
            );
        }
        Ok(())
    }
}

/// `Ok` when `low ≤ value ≤ high` (so never for NaN).
fn in_range(field: &'static str, value: f64, low: f64, high: f64) -> Result<(), ConfigError> {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError {
            field,
            problem: format!("must be in [{low}, {high}], got {value}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_regularization_has_one_name_and_an_unknown_one_is_told_them_all() {
        let all = Regime::ALL.map(Regularization::Weights).into_iter().chain([
            Regularization::GroupFeatures,
            Regularization::GroupNeurons,
            Regularization::SparseGroup,
        ]);
        let error = serde_json::from_str::<Regularization>(r#""group_lasso""#)
            .unwrap_err()
            .to_string();
        let listed = error
            .strip_prefix("a regime: ")
            .and_then(|rest| rest.split(" at line").next())
            .unwrap_or_else(|| panic!("{error}"))
            .split([',', ' '])
            .filter(|word| !word.is_empty() && *word != "or")
            .collect::<Vec<_>>();
        let mut names = Vec::new();
        for regularization in all {
            let json = serde_json::to_value(regularization).unwrap();
            let name = json.as_str().unwrap().to_string();
            assert_eq!(
                serde_json::from_value::<Regularization>(json).unwrap(),
                regularization
            );
            names.push(name);
        }
        assert_eq!(names, listed);
    }

    #[test]
    fn the_neuron_groups_need_a_hidden_layer() {
        let config = Config {
            regime: Regularization::GroupNeurons,
            hidden: Vec::new(),
            ..Config::default()
        };
        assert_eq!(config.validate().unwrap_err().field, "regime");
        let with_one = Config {
            hidden: vec![4],
            ..config
        };
        assert_eq!(with_one.validate(), Ok(()));
    }
}
