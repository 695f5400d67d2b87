//! Stochastic gradient descent with momentum, exactly torch.optim.SGD.

use serde::{Deserialize, Serialize};
use sparsegrad_autograd::Float;

use super::Optimizer;
use super::core::{OptimizerCore, check_len};
use super::error::{Location, OptimError, Requirement};
use super::group::{CommonDefaults, ParamGroup, ResolvedGroup};
use super::update::update_parameter;
use crate::regularize::Penalty;

/// SGD's momentum: none, classic (heavy ball, with dampening) or
/// Nesterov. Nesterov has no dampening (torch refuses it), so the pair
/// cannot be written:
///
/// ```compile_fail
/// use sparsegrad_nn::optim::Momentum;
/// let _ = Momentum::Nesterov { momentum: 0.9, dampening: 0.1 };
/// ```
///
/// and neither can Nesterov without momentum, except as μ = 0, a value
/// the optimizer refuses (μ must be in (0, 1)).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Momentum {
    /// Plain SGD: d = g.
    #[default]
    None,
    /// b = μ·b + (1 − τ)·g, d = b.
    Classic {
        /// μ ∈ [0, 1).
        momentum: f64,
        /// τ ∈ [0, 1].
        dampening: f64,
    },
    /// b = μ·b + g, d = g + μ·b.
    Nesterov {
        /// μ ∈ (0, 1).
        momentum: f64,
    },
}

impl Momentum {
    /// Classic momentum μ without dampening (torch's `SGD(momentum=μ)`).
    pub const fn classic(momentum: f64) -> Self {
        Momentum::Classic {
            momentum,
            dampening: 0.0,
        }
    }

    /// Nesterov momentum μ (torch's `SGD(momentum=μ, nesterov=True)`).
    pub const fn nesterov(momentum: f64) -> Self {
        Momentum::Nesterov { momentum }
    }
}

/// The optimizer-wide defaults of [`Sgd`]; a group may override the
/// learning rate, the penalty (see [`ParamGroup`]) and the momentum
/// ([`SgdOptions`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SgdConfig {
    /// Learning rate (default 0.01).
    pub lr: f64,
    /// Momentum (default none).
    pub momentum: Momentum,
    /// The penalty of the groups that inherit (default none).
    pub penalty: Penalty,
}

impl Default for SgdConfig {
    fn default() -> Self {
        Self {
            lr: 0.01,
            momentum: Momentum::None,
            penalty: Penalty::none(),
        }
    }
}

/// The overrides of one SGD group (`None`: the config's). There are no
/// Adam options here: setting betas on an SGD group cannot be written.
///
/// ```compile_fail
/// use sparsegrad_nn::optim::SgdOptions;
/// let _ = SgdOptions { betas: Some((0.9, 0.999)), ..SgdOptions::default() };
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SgdOptions {
    /// The group's momentum.
    pub momentum: Option<Momentum>,
}

/// The resolved SGD hyperparameters of one group: μ (0 for plain SGD),
/// 1 − τ, and whether the step is Nesterov's.
#[derive(Clone, Copy, Debug)]
struct SgdHyper {
    momentum: f64,
    keep: f64,
    nesterov: bool,
}

impl SgdHyper {
    /// Checks `momentum`'s values and resolves it.
    fn new(location: Location, momentum: Momentum) -> Result<Self, OptimError> {
        Ok(match momentum {
            Momentum::None => Self {
                momentum: 0.0,
                keep: 1.0,
                nesterov: false,
            },
            Momentum::Classic {
                momentum,
                dampening,
            } => {
                Requirement::HalfOpenUnit.check(location, "momentum", momentum)?;
                Requirement::ClosedUnit.check(location, "dampening", dampening)?;
                Self {
                    momentum,
                    keep: 1.0 - dampening,
                    nesterov: false,
                }
            }
            Momentum::Nesterov { momentum } => {
                Requirement::OpenUnit.check(location, "momentum", momentum)?;
                Self {
                    momentum,
                    keep: 1.0,
                    nesterov: true,
                }
            }
        })
    }
}

/// SGD as torch.optim.SGD. For each parameter w with (penalized, see
/// [`regularize`](crate::regularize)) gradient g, at step t:
///
/// ```text
/// μ = 0:      d = g
/// μ > 0:      b = g                      at the parameter's first step
///             b = μ·b + (1 − τ)·g        afterwards
///             d = g + μ·b  (Nesterov)    or   d = b
/// w ← w − lr·d
/// ```
///
/// The first step's buffer is g itself, not (1 − τ)·g: dampening only
/// applies from the second step on, as in torch.
///
/// ```
/// use sparsegrad_autograd::Tensor;
/// use sparsegrad_nn::optim::{Momentum, Optimizer, ParamGroup, Sgd, SgdConfig};
///
/// let w = Tensor::<f64>::from_vec(vec![1.0], &[1]).set_requires_grad(true);
/// let config = SgdConfig { lr: 0.1, momentum: Momentum::classic(0.9), ..SgdConfig::default() };
/// let mut sgd = Sgd::new(vec![ParamGroup::new(vec![("w".into(), w.clone())])], config).unwrap();
/// for _ in 0..2 {
///     sgd.zero_grad();
///     (&w * 2.0).sum().backward(); // g = 2
///     sgd.step();
/// }
/// // b₁ = 2, w₁ = 1 − 0.1·2 = 0.8; b₂ = 0.9·2 + 2 = 3.8, w₂ = 0.8 − 0.38 = 0.42
/// assert!((w.item() - 0.42).abs() < 1e-12);
/// ```
pub struct Sgd<T: Float = f32> {
    /// The state of a parameter is its momentum buffer b, allocated at its
    /// first step with momentum.
    core: OptimizerCore<T, SgdHyper, Vec<T>>,
}

/// The state of an [`Sgd`]: what must be saved to resume training
/// bit-exactly (the hyperparameters come from the construction).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgdState<T> {
    /// Per group, per parameter: the momentum buffer, in the parameter's
    /// row-major order; `None` before its first step or without momentum.
    pub momentum_buffers: Vec<Vec<Option<Vec<T>>>>,
}

impl<T: Float> Sgd<T> {
    /// An optimizer over `groups`, with `config` for what a group does
    /// not override.
    ///
    /// # Errors
    /// A parameter twice or not a leaf; lr or a strength negative or not
    /// finite; classic momentum outside [0, 1), its dampening outside
    /// [0, 1]; Nesterov momentum outside (0, 1).
    pub fn new(
        groups: Vec<ParamGroup<T, SgdOptions>>,
        config: SgdConfig,
    ) -> Result<Self, OptimError> {
        let defaults = CommonDefaults {
            lr: config.lr,
            penalty: config.penalty,
        };
        let core = OptimizerCore::new(groups, &defaults, |location, options| {
            SgdHyper::new(location, options.momentum.unwrap_or(config.momentum))
        })?;
        Ok(Self { core })
    }

    /// A copy of the state, for saving.
    pub fn state(&self) -> SgdState<T> {
        SgdState {
            momentum_buffers: self.core.states(),
        }
    }

    /// Replaces the state with `state` (saved from an optimizer with the
    /// same groups), so that the next step continues where it left off.
    ///
    /// # Errors
    /// When the numbers of groups or parameters differ, or a buffer's
    /// length is not its parameter's number of elements; the state is then
    /// left unchanged.
    pub fn load_state(&mut self, state: SgdState<T>) -> Result<(), OptimError> {
        self.core
            .load_states(state.momentum_buffers, |buffer, numel| {
                check_len("the momentum buffer", buffer.len(), numel)
            })
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    fn step(&mut self) {
        self.core
            .for_each_with_grad(|hyper, lr, penalty, param, buffer| {
                let lr = T::from_f64(lr);
                if hyper.momentum == 0.0 {
                    // d = g
                    update_parameter(param, penalty, |_, w, g| {
                        for (w, &g) in w.iter_mut().zip(g) {
                            *w -= lr * g;
                        }
                    });
                    return;
                }
                let momentum = T::from_f64(hyper.momentum);
                let keep = T::from_f64(hyper.keep);
                let first_step = buffer.is_none();
                let buffer = buffer.get_or_insert_with(|| vec![T::zero(); param.numel()]);
                update_parameter(param, penalty, |range, w, g| {
                    let b = &mut buffer[range];
                    if first_step {
                        // b = g
                        b.copy_from_slice(g);
                    } else {
                        // b = μ·b + (1 − τ)·g
                        for (b, &g) in b.iter_mut().zip(g) {
                            *b = *b * momentum + keep * g;
                        }
                    }
                    if hyper.nesterov {
                        // d = g + μ·b
                        for ((w, &g), &b) in w.iter_mut().zip(g).zip(b.iter()) {
                            *w -= lr * (g + momentum * b);
                        }
                    } else {
                        // d = b
                        for (w, &b) in w.iter_mut().zip(b.iter()) {
                            *w -= lr * b;
                        }
                    }
                });
            });
    }

    fn groups(&self) -> &[ResolvedGroup<T>] {
        self.core.groups()
    }

    fn groups_mut(&mut self) -> &mut [ResolvedGroup<T>] {
        self.core.groups_mut()
    }
}
