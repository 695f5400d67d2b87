//! What the study records about one trained model: losses, how sparse
//! its weights are, and which input features it still uses.

use ndarray::{ArrayViewD, Ix2};
use serde::{Deserialize, Serialize};
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::sparsity::{FeatureSelection, SparsityReport, SupportRecovery};

use super::regime::{Regime, WeightPenalties};

/// Everything measured for one regime.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegimeResult {
    /// The regime.
    pub regime: Regime,
    /// Its human name.
    pub label: String,
    /// The penalties its weights were trained with.
    pub penalties: WeightPenalties,
    /// Final data loss (MSE of the standardized target) on the whole
    /// training set.
    pub train_loss: f64,
    /// Final data loss on the whole test set.
    pub test_loss: f64,
    /// Sparsity of the weights (biases left out: they are never
    /// penalized), overall and per layer, with near zeros under the
    /// configured tolerance.
    pub weights: SparsityReport,
    /// ‖w‖₁ over all weights.
    pub l1_norm: f64,
    /// ‖w‖₂ over all weights.
    pub l2_norm: f64,
    /// The first layer's column norms and the input features it still uses.
    pub features: FeatureSelection,
    /// Those features against the true support.
    pub recovery: SupportRecovery,
    /// Mean training loss of each epoch (each batch's loss taken before
    /// its step).
    pub train_curve: Vec<f64>,
    /// Test loss after each epoch.
    pub test_curve: Vec<f64>,
    /// Wall-clock seconds of training and evaluation.
    pub seconds: f64,
    /// Every weight, flattened layer after layer (for the histograms; not
    /// written to the report).
    #[serde(skip)]
    pub weight_values: Vec<f64>,
}

/// Sparsity figures of a model's weights.
pub(super) struct WeightMeasures {
    pub(super) weights: SparsityReport,
    pub(super) l1_norm: f64,
    pub(super) l2_norm: f64,
    pub(super) features: FeatureSelection,
    pub(super) recovery: SupportRecovery,
    pub(super) weight_values: Vec<f64>,
}

/// Measures the weights of `model` (every parameter named `*.weight`)
/// with near zeros under `tolerance`, and scores the first layer's
/// surviving input features (named by `feature_names`) against `support`.
pub(super) fn measure_weights(
    model: &Mlp<f32>,
    tolerance: f64,
    support: &[usize],
    feature_names: &[String],
) -> WeightMeasures {
    let weights: Vec<_> = model
        .named_parameters()
        .into_iter()
        .filter(|(name, _)| name.ends_with(".weight"))
        .collect();
    let values: Vec<_> = weights.iter().map(|(_, t)| t.value()).collect();
    let views: Vec<(String, ArrayViewD<f32>)> = weights
        .iter()
        .zip(&values)
        .map(|((name, _), value)| (name.clone(), value.view()))
        .collect();
    let first = views[0]
        .1
        .view()
        .into_dimensionality::<Ix2>()
        .expect("a linear layer's weight is 2-dimensional");
    let features = FeatureSelection::from_first_layer(first);
    let recovery = features.recovery(support);
    let selected = features.selected_names(feature_names);
    let report = SparsityReport::measure(&views, Some(tolerance), selected);
    let l1_norm = report.parameters.iter().map(|p| p.l1).sum();
    let l2_norm = report
        .parameters
        .iter()
        .map(|p| p.l2 * p.l2)
        .sum::<f64>()
        .sqrt();
    let weight_values = views
        .iter()
        .flat_map(|(_, v)| v.iter().map(|&w| f64::from(w)))
        .collect();
    WeightMeasures {
        weights: report,
        l1_norm,
        l2_norm,
        features,
        recovery,
        weight_values,
    }
}
