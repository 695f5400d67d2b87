//! The one place where the playground meets the library's optimizers and
//! penalties: a regime becomes a [`Penalty`], the parameters become groups
//! (weights penalized, biases never), and a step can be taken with its
//! update split into its parts.
//!
//! # The split of one update
//!
//! For a weight w with data gradient g, learning rate lr and the group's
//! penalty, the library's step is (see `sparsegrad::nn::regularize`)
//!
//! ```text
//! w₁ = w + decay                    decay = −lr·λ2·w (decoupled L2, else 0)
//! v  = w₁ + optimizer step          the optimizer's own move with g + penalty term
//! w' = v + prox step                prox step = soft_threshold(v, lr·λ1) − v
//! ```
//!
//! with penalty term = λ2·w (coupled L2) + λ1·sign(w) (L1 subgradient).
//! `decay` and the penalty term come from the library's `PenaltyStep`. v is
//! not visible from outside a step, so [`step_with_split`] first runs the
//! same step without the proximal part on a twin optimizer that holds a
//! copy of the real one's state, reads v, puts the weights back, and then
//! runs the real step: w' − v is then exactly what the proximal step did.

use serde::Serialize;
use sparsegrad::autograd::ndarray::ArrayD;
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::{Adam, AdamConfig, Momentum, OptimError, Optimizer, Sgd, SgdConfig};
use sparsegrad::nn::regularize::{L1Mode, L2Mode, Penalty, PenaltyStep};

use super::config::{Config, OptimizerKind};
use crate::study::{Regime, WeightPenalties};

/// The optimizer of a run, kept as its concrete type so that its state
/// can be copied into a twin.
pub enum RunOptimizer {
    /// SGD with momentum.
    Sgd(Sgd<f64>),
    /// Adam (AdamW is Adam with its L2 decoupled).
    Adam(Adam<f64>),
}

impl RunOptimizer {
    /// The optimizer behind the common interface.
    pub fn get_mut(&mut self) -> &mut dyn Optimizer<f64> {
        match self {
            RunOptimizer::Sgd(sgd) => sgd,
            RunOptimizer::Adam(adam) => adam,
        }
    }

    /// The optimizer, read-only.
    pub fn get(&self) -> &dyn Optimizer<f64> {
        match self {
            RunOptimizer::Sgd(sgd) => sgd,
            RunOptimizer::Adam(adam) => adam,
        }
    }

    /// Makes this optimizer's state (momentum buffers, moments, step
    /// counts) a copy of `other`'s, built over the same parameters.
    fn copy_state_from(&mut self, other: &RunOptimizer) -> Result<(), OptimError> {
        match (self, other) {
            (RunOptimizer::Sgd(this), RunOptimizer::Sgd(other)) => this.load_state(other.state()),
            (RunOptimizer::Adam(this), RunOptimizer::Adam(other)) => this.load_state(other.state()),
            _ => unreachable!("a twin is built from the same config"),
        }
    }
}

/// The penalties `config` puts on the weights, from the study's mapping
/// of a regime (the only one in the project): the strengths are λ, except
/// for elastic net, whose λ is split α·λ to L1 and (1 − α)·λ to L2 (as
/// scikit-learn's `l1_ratio`). AdamW decouples every L2 term, as
/// torch.optim.AdamW does.
pub fn penalties_of(config: &Config) -> WeightPenalties {
    let (l1, l2) = match config.regime {
        Regime::ElasticNet => (
            config.l1_ratio * config.lambda,
            (1.0 - config.l1_ratio) * config.lambda,
        ),
        _ => (config.lambda, config.lambda),
    };
    let penalties = config.regime.penalties(l1, l2, config.lambda);
    if config.optimizer == OptimizerKind::Adamw {
        map_penalties(&penalties, |p| match p.l2_term() {
            Some(l2) => p.with_l2(l2.strength, L2Mode::Decoupled),
            None => p,
        })
    } else {
        penalties
    }
}

/// `penalties` with `change` applied to each.
fn map_penalties(
    penalties: &WeightPenalties,
    change: impl Fn(Penalty) -> Penalty,
) -> WeightPenalties {
    WeightPenalties {
        first_layer: change(penalties.first_layer.clone()),
        deeper_layers: change(penalties.deeper_layers.clone()),
        ..penalties.clone()
    }
}

/// The optimizer of `config` over `model` with `penalties` on the weights
/// (the biases' group is never penalized).
///
/// # Errors
/// What the library's optimizer refuses (the config's bounds keep this
/// from happening).
fn build_with(
    config: &Config,
    model: &Mlp<f64>,
    penalties: &WeightPenalties,
) -> Result<RunOptimizer, OptimError> {
    let named = model.named_parameters();
    Ok(match config.optimizer {
        OptimizerKind::Sgd => RunOptimizer::Sgd(Sgd::new(
            penalties.groups(named),
            SgdConfig {
                lr: config.lr,
                momentum: if config.momentum == 0.0 {
                    Momentum::None
                } else {
                    Momentum::classic(config.momentum)
                },
                penalty: Penalty::none(),
            },
        )?),
        OptimizerKind::Adam | OptimizerKind::Adamw => RunOptimizer::Adam(Adam::new(
            penalties.groups(named),
            AdamConfig {
                lr: config.lr,
                ..AdamConfig::default()
            },
        )?),
    })
}

/// The optimizer of `config` over `model`.
///
/// # Errors
/// As the library's optimizers.
pub fn build(config: &Config, model: &Mlp<f64>) -> Result<RunOptimizer, OptimError> {
    build_with(config, model, &penalties_of(config))
}

/// One parameter's update split into its parts (see the [module
/// docs](self)), each in the parameter's row-major order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamSplit {
    /// The parameter's name (`layers.0.weight`, …).
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// w before the step.
    pub w: Vec<f64>,
    /// g, the data gradient from backward.
    pub data_grad: Vec<f64>,
    /// What the penalty adds to g: λ2·w (coupled L2) + λ1·sign(w) (L1 subgradient).
    pub penalty_grad: Vec<f64>,
    /// Decoupled weight decay −lr·λ2·w.
    pub decay: Vec<f64>,
    /// The optimizer's own move with the penalized gradient.
    pub optimizer_step: Vec<f64>,
    /// What the proximal L1 step moved the weight after that.
    pub prox_step: Vec<f64>,
    /// w after the step.
    pub w_next: Vec<f64>,
}

/// Takes the optimizer's step, whose gradients backward has filled, and
/// returns every parameter's update split into its parts. The weights
/// and the optimizer end exactly as after `optimizer.step()`.
///
/// # Errors
/// When the twin optimizer cannot be built or take the state (it is built
/// from the same config, so only a library bug does this).
pub fn step_with_split(
    optimizer: &mut RunOptimizer,
    config: &Config,
    model: &Mlp<f64>,
) -> Result<Vec<ParamSplit>, OptimError> {
    // The same penalties with every proximal L1 term at strength 0.
    let without_prox = map_penalties(&penalties_of(config), |p| match p.l1_term() {
        Some(l1) if l1.mode == L1Mode::Proximal => p.with_l1(0.0, L1Mode::Proximal),
        _ => p,
    });
    let mut twin = build_with(config, model, &without_prox)?;
    twin.copy_state_from(optimizer)?;

    let flat = |a: &ArrayD<f64>| a.iter().copied().collect::<Vec<f64>>();
    let named = model.named_parameters();
    let mut splits: Vec<ParamSplit> = Vec::with_capacity(named.len());
    let mut saved: Vec<ArrayD<f64>> = Vec::with_capacity(named.len());
    for group in optimizer.get().groups() {
        let step = PenaltyStep::<f64>::new(group.penalty(), group.lr());
        for (name, param) in group.params() {
            let value = param.to_array();
            let w = flat(&value);
            let data_grad = param
                .grad()
                .map_or_else(|| vec![0.0; w.len()], |g| flat(&g));
            let mut scratch = vec![0.0; w.len()];
            let penalized = step.gradient(&w, &data_grad, &mut scratch, 0);
            let penalty_grad = penalized
                .iter()
                .zip(&data_grad)
                .map(|(p, g)| p - g)
                .collect();
            let mut decayed = w.clone();
            step.before_step(&mut decayed, 0);
            splits.push(ParamSplit {
                name: name.clone(),
                shape: param.shape(),
                decay: decayed.iter().zip(&w).map(|(d, w)| d - w).collect(),
                optimizer_step: decayed, // v − w₁, once v is known
                penalty_grad,
                data_grad,
                w,
                prox_step: Vec::new(),
                w_next: Vec::new(),
            });
            saved.push(value);
        }
    }
    twin.get_mut().step();
    let params = optimizer
        .get()
        .groups()
        .iter()
        .flat_map(|g| g.params().iter().map(|(_, p)| p.clone()))
        .collect::<Vec<_>>();
    for ((param, split), value) in params.iter().zip(&mut splits).zip(saved) {
        let v = flat(&param.value());
        for (step, &v) in split.optimizer_step.iter_mut().zip(&v) {
            *step = v - *step;
        }
        split.prox_step = v; // w' − v, once w' is known
        *param.value_mut() = value;
    }
    optimizer.get_mut().step();
    for (param, split) in params.iter().zip(&mut splits) {
        let w_next = flat(&param.value());
        for (step, &w) in split.prox_step.iter_mut().zip(&w_next) {
            *step = w - *step;
        }
        split.w_next = w_next;
    }
    Ok(splits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_regime_is_its_penalty_and_biases_are_never_penalized() {
        let config = |regime| Config {
            regime,
            lambda: 0.2,
            l1_ratio: 0.25,
            ..Config::default()
        };
        let elastic = penalties_of(&config(Regime::ElasticNet)).deeper_layers;
        assert_eq!(
            (elastic.l1_strength(), elastic.l2_strength()),
            (0.25 * 0.2, 0.75 * 0.2)
        );
        assert_eq!(elastic.l1_term().unwrap().mode, L1Mode::Proximal);
        assert_eq!(elastic.l2_term().unwrap().mode, L2Mode::Coupled);
        let mode = |config: &Config| penalties_of(config).first_layer.l2_term().unwrap().mode;
        assert_eq!(mode(&config(Regime::L2Decoupled)), L2Mode::Decoupled);
        assert_eq!(mode(&config(Regime::L2Coupled)), L2Mode::Coupled);
        let adamw = Config {
            optimizer: OptimizerKind::Adamw,
            ..config(Regime::L2Coupled)
        };
        assert_eq!(mode(&adamw), L2Mode::Decoupled, "AdamW decouples");
        let first_only = penalties_of(&config(Regime::L1FirstLayer));
        assert_eq!(first_only.first_layer.l1_strength(), 0.2);
        assert!(first_only.deeper_layers.is_zero());

        let model = Mlp::<f64>::new(
            &[2, 3, 1],
            sparsegrad::nn::activation::Activation::Tanh,
            &mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0),
        );
        let optimizer = build(&config(Regime::L1Proximal), &model).unwrap();
        for group in optimizer.get().groups() {
            for (name, _) in group.params() {
                let penalized = !group.penalty().is_zero();
                assert_eq!(penalized, name.ends_with(".weight"), "{name}");
            }
        }
    }
}
