//! The regularization regimes and the parameter groups each one gives the
//! optimizer.

use serde::{Deserialize, Serialize};
use sparsegrad::autograd::{Float, Tensor};
use sparsegrad::nn::group_lasso::Groups;
use sparsegrad::nn::optim::{GroupRules, ParamGroup, Role, Select};
use sparsegrad::nn::regularize::Penalty;

/// A way of penalizing the weights. Biases are never penalized; the name of
/// each variant says what the weights get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// No penalty: the reference.
    None,
    /// L2 added to the gradient: g ← g + λ2·w.
    L2Coupled,
    /// L2 as decoupled weight decay: w ← (1 − lr·λ2)·w before the step.
    L2Decoupled,
    /// L1 by subgradient: g ← g + λ1·sign(w).
    L1Subgradient,
    /// L1 by the proximal step: w ← sign(w)·max(|w| − lr·λ1, 0) after it.
    L1Proximal,
    /// Proximal L1 and coupled L2 together.
    ElasticNet,
    /// Proximal L1 on the first layer's weight only (input feature
    /// selection); the deeper layers are not penalized.
    L1FirstLayer,
    /// The group lasso on the first layer's weight, one group per input
    /// feature (its column of W₁): λg·Σⱼ √p·‖W₁[:, j]‖₂, p = the hidden
    /// width, by the block soft threshold after each step (fit's
    /// `--group-l1`). A feature leaves as a whole; the deeper layers are
    /// not penalized.
    GroupLassoFeatures,
    /// The group lasso on the hidden neurons: a neuron's group is its
    /// outgoing weights, its column of the next layer's weight (fit's
    /// `--neuron-l1`). A neuron leaves as a whole; the first layer is not
    /// penalized. Needs a hidden layer.
    GroupLassoNeurons,
    /// The sparse group lasso on the first layer: proximal L1 and the
    /// feature group lasso together (their proximal maps in that order are
    /// the exact proximal map of the sum), so features leave as a whole
    /// and the kept ones are sparse within; the deeper layers are not
    /// penalized.
    SparseGroupLasso,
}

/// The penalties of one regime: on the first layer's weight, on the
/// weights of the deeper layers, and the group lassos built on the
/// weights' shapes when the groups are made ([`groups`](Self::groups)).
#[derive(Clone, Debug, PartialEq)]
pub struct WeightPenalties {
    /// The penalty on the first layer's weight.
    pub first_layer: Penalty,
    /// The penalty on every other weight.
    pub deeper_layers: Penalty,
    /// λg of the group lasso on the first layer's columns, one group per
    /// input feature (0: none).
    pub feature_groups: f64,
    /// λg of the group lasso on each deeper layer's columns, one group per
    /// hidden neuron's outgoing weights (0: none).
    pub neuron_groups: f64,
}

impl Regime {
    /// Every regime, in the order the study runs and reports them.
    pub const ALL: [Regime; 10] = [
        Regime::None,
        Regime::L2Coupled,
        Regime::L2Decoupled,
        Regime::L1Subgradient,
        Regime::L1Proximal,
        Regime::ElasticNet,
        Regime::L1FirstLayer,
        Regime::GroupLassoFeatures,
        Regime::GroupLassoNeurons,
        Regime::SparseGroupLasso,
    ];

    /// A short human name for tables, bars and plots.
    pub fn label(self) -> &'static str {
        match self {
            Regime::None => "none",
            Regime::L2Coupled => "L2 coupled",
            Regime::L2Decoupled => "L2 decoupled",
            Regime::L1Subgradient => "L1 subgradient",
            Regime::L1Proximal => "L1 proximal",
            Regime::ElasticNet => "elastic net",
            Regime::L1FirstLayer => "L1 first layer",
            Regime::GroupLassoFeatures => "group lasso features",
            Regime::GroupLassoNeurons => "group lasso neurons",
            Regime::SparseGroupLasso => "sparse group lasso",
        }
    }

    /// The penalties this regime puts on the weights, with strengths λ1
    /// (`l1`), λ2 (`l2`) and λg (`group`, the group lassos'); each regime
    /// reads only the strengths of its own terms.
    pub fn penalties(self, l1: f64, l2: f64, group: f64) -> WeightPenalties {
        let everywhere = |penalty: Penalty| WeightPenalties {
            first_layer: penalty.clone(),
            deeper_layers: penalty,
            feature_groups: 0.0,
            neuron_groups: 0.0,
        };
        let first_only = |penalty: Penalty, feature_groups: f64| WeightPenalties {
            first_layer: penalty,
            feature_groups,
            ..everywhere(Penalty::none())
        };
        match self {
            Regime::None => everywhere(Penalty::none()),
            Regime::L2Coupled => everywhere(Penalty::l2(l2)),
            Regime::L2Decoupled => everywhere(Penalty::decoupled_l2(l2)),
            Regime::L1Subgradient => everywhere(Penalty::l1_subgradient(l1)),
            Regime::L1Proximal => everywhere(Penalty::l1_proximal(l1)),
            Regime::ElasticNet => everywhere(Penalty::l1_proximal(l1).and(Penalty::l2(l2))),
            Regime::L1FirstLayer => first_only(Penalty::l1_proximal(l1), 0.0),
            Regime::GroupLassoFeatures => first_only(Penalty::none(), group),
            Regime::GroupLassoNeurons => WeightPenalties {
                neuron_groups: group,
                ..everywhere(Penalty::none())
            },
            Regime::SparseGroupLasso => first_only(Penalty::l1_proximal(l1), group),
        }
    }
}

impl WeightPenalties {
    /// The whole penalty on the weight of linear layer `layer` (0 is the
    /// first), of shape `[out, in]`: its element-wise penalty, and the group
    /// lasso on its columns where the regime puts one (each column an
    /// input's group on the first layer, a hidden neuron's on a later one).
    pub fn on_layer(&self, layer: usize, shape: &[usize]) -> Penalty {
        let (penalty, group) = if layer == 0 {
            (&self.first_layer, self.feature_groups)
        } else {
            (&self.deeper_layers, self.neuron_groups)
        };
        if group == 0.0 {
            penalty.clone()
        } else {
            let columns = Groups::each_column(shape[0], shape[1]);
            penalty.clone().and(Penalty::group_lasso(group, columns))
        }
    }

    /// The optimizer's groups for a model's `named` parameters (an MLP's:
    /// its linear layers' `[out, in]` weights and biases): the first
    /// layer's weight, each deeper weight when the neurons are grouped
    /// (each has its own shape, so its own partition), the other weights,
    /// and the biases (which no rule selects, so they are not penalized).
    pub fn groups<T: Float, O: Default>(
        &self,
        named: Vec<(String, Tensor<T>)>,
    ) -> Vec<ParamGroup<T, O>> {
        let shapes: Vec<Vec<usize>> = named
            .iter()
            .filter(|(name, _)| Role::of(name) == Role::Weight)
            .map(|(_, weight)| weight.shape())
            .collect();
        let mut rules = GroupRules::new();
        if let Some(shape) = shapes.first() {
            rules = rules.rule(Select::FirstLayer, self.on_layer(0, shape));
        }
        if self.neuron_groups != 0.0 {
            for (layer, shape) in shapes.iter().enumerate().skip(1) {
                rules = rules.rule(Select::Layer(layer), self.on_layer(layer, shape));
            }
        }
        rules
            .rule(Select::Weights, self.deeper_layers.clone())
            .build(named)
    }
}
