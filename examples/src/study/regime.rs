//! The seven regularization regimes and the parameter groups each one
//! gives the optimizer.

use serde::{Deserialize, Serialize};
use sparsegrad::autograd::{Float, Tensor};
use sparsegrad::nn::optim::{GroupRules, ParamGroup, Select};
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
}

/// The penalties of one regime: on the first layer's weight, and on the
/// weights of the deeper layers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightPenalties {
    /// The penalty on the first layer's weight.
    pub first_layer: Penalty,
    /// The penalty on every other weight.
    pub deeper_layers: Penalty,
}

impl Regime {
    /// Every regime, in the order the study runs and reports them.
    pub const ALL: [Regime; 7] = [
        Regime::None,
        Regime::L2Coupled,
        Regime::L2Decoupled,
        Regime::L1Subgradient,
        Regime::L1Proximal,
        Regime::ElasticNet,
        Regime::L1FirstLayer,
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
        }
    }

    /// The penalties this regime puts on the weights, with strengths λ1
    /// (`l1`) and λ2 (`l2`).
    pub fn penalties(self, l1: f64, l2: f64) -> WeightPenalties {
        let everywhere = |penalty: Penalty| WeightPenalties {
            first_layer: penalty.clone(),
            deeper_layers: penalty,
        };
        match self {
            Regime::None => everywhere(Penalty::none()),
            Regime::L2Coupled => everywhere(Penalty::l2(l2)),
            Regime::L2Decoupled => everywhere(Penalty::decoupled_l2(l2)),
            Regime::L1Subgradient => everywhere(Penalty::l1_subgradient(l1)),
            Regime::L1Proximal => everywhere(Penalty::l1_proximal(l1)),
            Regime::ElasticNet => everywhere(Penalty::l1_proximal(l1).and(Penalty::l2(l2))),
            Regime::L1FirstLayer => WeightPenalties {
                first_layer: Penalty::l1_proximal(l1),
                deeper_layers: Penalty::none(),
            },
        }
    }
}

impl WeightPenalties {
    /// The optimizer's groups for a model's `named` parameters: the first
    /// layer's weight, the other weights, and the biases (which no rule
    /// selects, so they are not penalized).
    pub fn groups<T: Float, O: Default>(
        &self,
        named: Vec<(String, Tensor<T>)>,
    ) -> Vec<ParamGroup<T, O>> {
        GroupRules::new()
            .rule(Select::FirstLayer, self.first_layer.clone())
            .rule(Select::Weights, self.deeper_layers.clone())
            .build(named)
    }
}
