//! What the page can set, as one JSON object with a default for every
//! field, and the bounds that keep one request from asking the server for
//! more than a small demo needs.

use serde::{Deserialize, Serialize};
use sparsegrad::autograd::Shortest;
use thiserror::Error;

// The regimes are the study's, group lassos included, so that there is one
// mapping from a regime to its penalties.
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
    pub regime: Regime,
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
            regime: Regime::None,
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
            return fail(
                "lr",
                format!("must be in (0, 10], got {}", Shortest(self.lr)),
            );
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return fail(
                "momentum",
                format!("must be in [0, 1), got {}", Shortest(self.momentum)),
            );
        }
        if !(1..=MAX_SAMPLES).contains(&self.batch_size) {
            return fail(
                "batch_size",
                format!("must be in 1..={MAX_SAMPLES}, got {}", self.batch_size),
            );
        }
        if self.regime == Regime::GroupLassoNeurons && self.hidden.is_empty() {
            return fail(
                "regime",
                "group_lasso_neurons needs a hidden layer: a network without one has no neuron to remove"
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
            problem: format!("must be in [{low}, {high}], got {}", Shortest(value)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_regime_has_one_name_and_an_unknown_one_is_told_them_all() {
        let error = serde_json::from_str::<Config>(r#"{"regime": "group_lasso"}"#)
            .unwrap_err()
            .to_string();
        for regime in Regime::ALL {
            let json = serde_json::to_value(regime).unwrap();
            let name = json.as_str().unwrap().to_string();
            assert!(error.contains(&format!("`{name}`")), "{name} in {error}");
            assert_eq!(serde_json::from_value::<Regime>(json).unwrap(), regime);
        }
    }

    #[test]
    fn the_neuron_groups_need_a_hidden_layer() {
        let config = Config {
            regime: Regime::GroupLassoNeurons,
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
