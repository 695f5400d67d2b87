//! The seven regularization regimes and the parameter groups each one
//! gives the optimizer.

use serde::{Deserialize, Serialize};
use sparsegrad::autograd::Tensor;
use sparsegrad::nn::optim::{GroupOptions, GroupRules, ParamGroup};
use sparsegrad::nn::regularize::{L1Mode, Penalty};

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
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
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
        let l2_penalty = |decoupled| Penalty {
            l2,
            decoupled,
            ..Penalty::default()
        };
        let l1_penalty = |l1_mode| Penalty {
            l1,
            l1_mode,
            ..Penalty::default()
        };
        let everywhere = |penalty| WeightPenalties {
            first_layer: penalty,
            deeper_layers: penalty,
        };
        match self {
            Regime::None => everywhere(Penalty::default()),
            Regime::L2Coupled => everywhere(l2_penalty(false)),
            Regime::L2Decoupled => everywhere(l2_penalty(true)),
            Regime::L1Subgradient => everywhere(l1_penalty(L1Mode::Subgradient)),
            Regime::L1Proximal => everywhere(l1_penalty(L1Mode::Proximal)),
            Regime::ElasticNet => everywhere(Penalty {
                l2,
                ..l1_penalty(L1Mode::Proximal)
            }),
            Regime::L1FirstLayer => WeightPenalties {
                first_layer: l1_penalty(L1Mode::Proximal),
                deeper_layers: Penalty::default(),
            },
        }
    }
}

impl WeightPenalties {
    /// The optimizer's groups for a model's `named` parameters, whose first
    /// layer's weight is called `first_weight`: the biases (unpenalized),
    /// the first layer's weight, and the other weights. Every group sets
    /// its penalty, so none inherits the optimizer-wide default.
    pub fn groups(
        &self,
        named: Vec<(String, Tensor<f32>)>,
        first_weight: &str,
    ) -> Vec<ParamGroup<f32>> {
        let first_weight = first_weight.to_owned();
        let rules = GroupRules::new()
            .rule(
                |name| name.ends_with(".bias"),
                GroupOptions::with_penalty(Penalty::default()),
            )
            .rule(
                move |name| name == first_weight,
                GroupOptions::with_penalty(self.first_layer),
            )
            .rule(|_| true, GroupOptions::with_penalty(self.deeper_layers));
        rules.build(named)
    }
}
