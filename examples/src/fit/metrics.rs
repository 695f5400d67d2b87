//! The metrics file of `fit`.

use serde::Serialize;
use sparsegrad::autograd::Float;
use sparsegrad::nn::group_lasso::Groups;
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::sparsity::{FeatureSelection, SparsityReport, StructuredSparsity};

/// What `--metrics` holds (CLI.md, "The metrics file").
#[derive(Clone, Debug, Serialize)]
pub struct Metrics {
    /// The number of epochs trained.
    pub epochs: usize,
    /// Per epoch, the unweighted mean of its batch losses, each taken
    /// before its step's update.
    pub train_loss: Vec<f64>,
    /// The data loss over the whole training set with the final parameters.
    pub final_train_loss: f64,
    /// `final_train_loss` + λ1·Σ|w| + (λ2/2)·Σw² over the penalized parameters.
    pub final_objective: f64,
    /// Wall-clock seconds of the training loop (not of reading the data).
    pub seconds: f64,
    /// Exact zeros and norms per parameter, the selected features, the
    /// zero feature groups and the neurons kept.
    pub sparsity: FitSparsity,
}

/// The metrics file's `sparsity` object: the [`SparsityReport`] fields,
/// then `zero_groups` and `neurons_kept` (CLI.md, second version).
#[derive(Clone, Debug, Serialize)]
pub struct FitSparsity {
    /// Totals, per parameter, and the selected features.
    #[serde(flatten)]
    pub report: SparsityReport,
    /// Feature groups (`--feature-groups`; each feature its own by
    /// default) whose first-layer weights are all exactly 0.
    pub zero_groups: usize,
    /// Per hidden layer, the neurons whose outgoing column is not all 0.
    pub neurons_kept: Vec<usize>,
}

impl Metrics {
    /// The file's contents: pretty-printed JSON ending in a newline.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut bytes =
            serde_json::to_vec_pretty(self).expect("metrics serialize to JSON (no map keys)");
        bytes.push(b'\n');
        bytes
    }
}

/// The sparsity of every parameter of `model`; the selected features are
/// those of `feature_names` whose first-layer weight column is not all
/// zero; the groups are those of `feature_groups`.
pub(super) fn measure_sparsity<T: Float>(
    model: &Mlp<T>,
    feature_names: &[String],
    feature_groups: &Groups,
) -> FitSparsity {
    let values: Vec<(String, ndarray::ArrayD<T>)> = model
        .named_parameters()
        .into_iter()
        .map(|(name, param)| (name, param.value().clone()))
        .collect();
    let views: Vec<(String, ndarray::ArrayViewD<T>)> = values
        .iter()
        .map(|(name, value)| (name.clone(), value.view()))
        .collect();
    let first = model.first_layer_weight().value();
    let first = first
        .view()
        .into_dimensionality::<ndarray::Ix2>()
        .expect("a linear layer's weight is 2-D");
    let selected = FeatureSelection::from_first_layer(first).selected_names(feature_names);
    let structured = StructuredSparsity::measure(model, feature_groups);
    FitSparsity {
        report: SparsityReport::measure(&views, None, selected),
        zero_groups: structured.zero_groups,
        neurons_kept: structured.neurons_kept,
    }
}
