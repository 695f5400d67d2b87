//! The one place where the playground meets the library's optimizers and
//! penalties: a regularization becomes one [`Penalty`] per linear layer's
//! weight (biases never penalized), and a step can be taken with its update
//! split into its parts.
//!
//! # The split of one update
//!
//! For a weight w with data gradient g, learning rate lr and the layer's
//! penalty, the library's step is (see `sparsegrad::nn::regularize`)
//!
//! ```text
//! w₁ = w + decay                    decay = −lr·λ2·w (decoupled L2, else 0)
//! v  = w₁ + optimizer step          the optimizer's own move with g + penalty term
//! w' = v + prox step                prox step = prox(v) − v
//! ```
//!
//! with penalty term = λ2·w (coupled L2) + λ1·sign(w) (L1 subgradient), and
//! prox the proximal maps in the library's order: L1's soft threshold
//! sign(v)·max(|v| − lr·λ1, 0), then the group lasso's block soft threshold
//! max(1 − lr·λ·√p/‖v_g‖₂, 0)·v_g on each group g of p weights.
//! `decay` and the penalty term come from the library's `PenaltyStep`. v is
//! not visible from outside a step, so [`step_with_split`] first runs the
//! same step without the proximal terms on a twin optimizer that holds a
//! copy of the real one's state, reads v, puts the weights back, and then
//! runs the real step: w' − v is then exactly what the proximal maps did.

use serde::Serialize;
use sparsegrad::autograd::ndarray::ArrayD;
use sparsegrad::nn::group_lasso::Groups;
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::{
    Adam, AdamConfig, GroupRules, Momentum, OptimError, Optimizer, Select, Sgd, SgdConfig,
};
use sparsegrad::nn::regularize::{L1Mode, L2Mode, Penalty, PenaltyStep};

use super::config::{Config, OptimizerKind, Regularization};
use crate::study::Regime;

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

/// The units a group lasso removes.
#[derive(Clone, Copy)]
enum Units {
    /// The input features: the columns of the first layer's weight.
    Features,
    /// The hidden neurons: the columns of every later layer's weight.
    Neurons,
}

/// The penalty `config` puts on the weight of each linear layer of
/// `model`, first layer first.
///
/// The element-wise part is the study's mapping of a regime (the only one
/// in the project) with strength λ, except for elastic net, whose λ is
/// split α·λ to L1 and (1 − α)·λ to L2 (as scikit-learn's `l1_ratio`).
/// The group lasso is built from the library's calls as `fit` builds
/// `--group-l1` and `--neuron-l1`: each column of W₁ [hidden, inputs] is
/// an input's group, each column of a later W [out, hidden] a neuron's,
/// `Groups::each_column` of the layer's shape either way. AdamW decouples
/// every L2 term, as torch.optim.AdamW does.
///
/// With `prox` false the proximal terms are left out (proximal L1 at
/// strength 0, no group lasso): the twin's penalties in [`step_with_split`].
pub fn layer_penalties(config: &Config, model: &Mlp<f64>, prox: bool) -> Vec<Penalty> {
    let (lambda, alpha) = (config.lambda, config.l1_ratio);
    let (regime, l1, l2, group) = match config.regime {
        Regularization::Weights(Regime::ElasticNet) => (
            Regime::ElasticNet,
            alpha * lambda,
            (1.0 - alpha) * lambda,
            None,
        ),
        Regularization::Weights(regime) => (regime, lambda, lambda, None),
        Regularization::GroupFeatures => (Regime::None, 0.0, 0.0, Some((Units::Features, lambda))),
        Regularization::GroupNeurons => (Regime::None, 0.0, 0.0, Some((Units::Neurons, lambda))),
        Regularization::SparseGroup => (
            Regime::L1Proximal,
            alpha * lambda,
            0.0,
            Some((Units::Features, (1.0 - alpha) * lambda)),
        ),
    };
    let weights = regime.penalties(l1, l2);
    model
        .linear_layers()
        .enumerate()
        .map(|(layer, linear)| {
            let penalty = if layer == 0 {
                weights.first_layer.clone()
            } else {
                weights.deeper_layers.clone()
            };
            let penalty = match penalty.l2_term() {
                Some(l2) if config.optimizer == OptimizerKind::Adamw => {
                    penalty.with_l2(l2.strength, L2Mode::Decoupled)
                }
                _ => penalty,
            };
            let penalty = match penalty.l1_term() {
                Some(l1) if !prox && l1.mode == L1Mode::Proximal => {
                    penalty.with_l1(0.0, L1Mode::Proximal)
                }
                _ => penalty,
            };
            let here = |units| match units {
                Units::Features => layer == 0,
                Units::Neurons => layer > 0,
            };
            match group {
                Some((units, strength)) if prox && here(units) => {
                    let [rows, cols] = [linear.out_features(), linear.in_features()];
                    penalty.and(Penalty::group_lasso(
                        strength,
                        Groups::each_column(rows, cols),
                    ))
                }
                _ => penalty,
            }
        })
        .collect()
}

/// The optimizer of `config` over `model` with `penalties` on the weights
/// of its linear layers, in order (the biases are never penalized).
///
/// # Errors
/// What the library's optimizer refuses (the config's bounds keep this
/// from happening).
fn build_with(
    config: &Config,
    model: &Mlp<f64>,
    penalties: &[Penalty],
) -> Result<RunOptimizer, OptimError> {
    let rules = penalties
        .iter()
        .enumerate()
        .fold(GroupRules::new(), |rules, (layer, penalty)| {
            rules.rule(Select::Layer(layer), penalty.clone())
        });
    let named = model.named_parameters();
    Ok(match config.optimizer {
        OptimizerKind::Sgd => RunOptimizer::Sgd(Sgd::new(
            rules.build(named),
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
            rules.build(named),
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
    build_with(config, model, &layer_penalties(config, model, true))
}

/// One parameter's update split into its parts (see the [module
/// docs](self)), each in the parameter's row-major order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamSplit {
    /// The parameter's name (`layers.0.weight`, …).
    pub name: String,
    /// For a weight, the number of its linear layer, first layer 0 (the
    /// network picture's edge `l:o:i` is element [o, i] of layer l's
    /// weight); `None` for a bias.
    pub layer: Option<usize>,
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
    /// What the proximal maps (L1's soft threshold, the group lasso's block
    /// soft threshold) moved the weight after that.
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
    let mut twin = build_with(config, model, &layer_penalties(config, model, false))?;
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
                layer: model
                    .linear_layers()
                    .position(|linear| linear.weight().same_node(param)),
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
    use sparsegrad::nn::activation::Activation;

    /// A 3→4→2→1 network: three inputs, six hidden neurons.
    fn model() -> Mlp<f64> {
        Mlp::<f64>::new(
            &[3, 4, 2, 1],
            Activation::Tanh,
            &mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0),
        )
    }

    fn config(regime: Regularization) -> Config {
        Config {
            regime,
            lambda: 0.2,
            l1_ratio: 0.25,
            ..Config::default()
        }
    }

    fn penalties(regime: Regularization) -> Vec<Penalty> {
        layer_penalties(&config(regime), &model(), true)
    }

    /// The number of groups and the strength of each layer's group lasso
    /// (0 groups without one).
    fn groups(penalties: &[Penalty]) -> Vec<(usize, f64)> {
        penalties
            .iter()
            .map(|p| {
                p.group_lasso_term()
                    .map_or((0, 0.0), |g| (g.groups().n_groups(), g.lambda()))
            })
            .collect()
    }

    #[test]
    fn each_regime_is_its_penalty_and_biases_are_never_penalized() {
        let weights = Regularization::Weights;
        let elastic = &penalties(weights(Regime::ElasticNet))[1];
        assert_eq!(
            (elastic.l1_strength(), elastic.l2_strength()),
            (0.25 * 0.2, 0.75 * 0.2)
        );
        assert_eq!(elastic.l1_term().unwrap().mode, L1Mode::Proximal);
        assert_eq!(elastic.l2_term().unwrap().mode, L2Mode::Coupled);
        let mode = |config: &Config| {
            layer_penalties(config, &model(), true)[0]
                .l2_term()
                .unwrap()
                .mode
        };
        assert_eq!(
            mode(&config(weights(Regime::L2Decoupled))),
            L2Mode::Decoupled
        );
        assert_eq!(mode(&config(weights(Regime::L2Coupled))), L2Mode::Coupled);
        let adamw = Config {
            optimizer: OptimizerKind::Adamw,
            ..config(weights(Regime::L2Coupled))
        };
        assert_eq!(mode(&adamw), L2Mode::Decoupled, "AdamW decouples");
        let first_only = penalties(weights(Regime::L1FirstLayer));
        assert_eq!(first_only[0].l1_strength(), 0.2);
        assert!(first_only[1..].iter().all(Penalty::is_zero));

        let optimizer = build(&config(weights(Regime::L1Proximal)), &model()).unwrap();
        for group in optimizer.get().groups() {
            for (name, _) in group.params() {
                let penalized = !group.penalty().is_zero();
                assert_eq!(penalized, name.ends_with(".weight"), "{name}");
            }
        }
    }

    #[test]
    fn the_group_lassos_take_the_columns_of_their_layers() {
        // One group per input on W₁ [4, 3], one per neuron on W₂ [2, 4]
        // and W₃ [1, 2].
        let features = penalties(Regularization::GroupFeatures);
        assert_eq!(groups(&features), [(3, 0.2), (0, 0.0), (0, 0.0)]);
        assert!(features.iter().all(|p| p.l1_term().is_none()));
        let neurons = penalties(Regularization::GroupNeurons);
        assert_eq!(groups(&neurons), [(0, 0.0), (4, 0.2), (2, 0.2)]);
        // Sparse group lasso: α·λ of L1 everywhere, (1 − α)·λ on the inputs.
        let sparse = penalties(Regularization::SparseGroup);
        assert_eq!(groups(&sparse), [(3, 0.75 * 0.2), (0, 0.0), (0, 0.0)]);
        for p in &sparse {
            assert_eq!(p.l1_strength(), 0.25 * 0.2);
            assert_eq!(p.l1_term().unwrap().mode, L1Mode::Proximal);
        }
        // The twin's penalties have no proximal term left.
        let twin = layer_penalties(&config(Regularization::SparseGroup), &model(), false);
        assert_eq!(groups(&twin), [(0, 0.0); 3]);
        assert!(twin.iter().all(Penalty::is_zero));
    }
}
