//! Stochastic gradient descent with momentum, exactly torch.optim.SGD.

use serde::{Deserialize, Serialize};
use sparsegrad_autograd::Float;

use super::Optimizer;
use super::core::{OptimizerCore, check_len};
use super::error::{Location, OptimError, Requirement};
use super::group::{CommonDefaults, ParamGroup, ResolvedGroup, refuse_option};
use super::update::update_parameter;
use crate::regularize::Penalty;

/// The optimizer-wide defaults of [`Sgd`]; every field can be overridden
/// per group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdConfig {
    /// Learning rate (default 0.01, the command line's default).
    pub lr: f64,
    /// Momentum μ ∈ [0, 1) (default 0).
    pub momentum: f64,
    /// Dampening τ ∈ [0, 1] (default 0); ignored without momentum.
    pub dampening: f64,
    /// Nesterov momentum (default off); needs μ > 0 and τ = 0.
    pub nesterov: bool,
    /// The penalty (default none).
    pub penalty: Penalty,
}

impl Default for SgdConfig {
    fn default() -> Self {
        Self {
            lr: 0.01,
            momentum: 0.0,
            dampening: 0.0,
            nesterov: false,
            penalty: Penalty::default(),
        }
    }
}

/// The resolved SGD hyperparameters of one group.
#[derive(Clone, Copy, Debug)]
struct SgdHyper {
    momentum: f64,
    dampening: f64,
    nesterov: bool,
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
/// use sparsegrad_nn::optim::{Optimizer, ParamGroup, Sgd, SgdConfig};
///
/// let w = Tensor::<f64>::from_vec(vec![1.0], &[1]).set_requires_grad(true);
/// let config = SgdConfig { lr: 0.1, momentum: 0.9, ..SgdConfig::default() };
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
    /// finite; momentum outside [0, 1); dampening outside [0, 1]; Nesterov
    /// without momentum or with dampening; a group setting `betas` or `eps`.
    pub fn new(groups: Vec<ParamGroup<T>>, config: SgdConfig) -> Result<Self, OptimError> {
        let defaults = CommonDefaults {
            lr: config.lr,
            penalty: config.penalty,
        };
        let core = OptimizerCore::new(groups, &defaults, |location, options| {
            refuse_option(location, "betas", options.betas.is_some(), "SGD")?;
            refuse_option(location, "eps", options.eps.is_some(), "SGD")?;
            let hyper = SgdHyper {
                momentum: options.momentum.unwrap_or(config.momentum),
                dampening: options.dampening.unwrap_or(config.dampening),
                nesterov: options.nesterov.unwrap_or(config.nesterov),
            };
            check_sgd_hyper(location, &hyper)?;
            Ok(hyper)
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

/// Checks momentum, dampening and the Nesterov condition.
fn check_sgd_hyper(location: Location, hyper: &SgdHyper) -> Result<(), OptimError> {
    Requirement::HalfOpenUnit.check(location, "momentum", hyper.momentum)?;
    Requirement::ClosedUnit.check(location, "dampening", hyper.dampening)?;
    if hyper.nesterov && (hyper.momentum <= 0.0 || hyper.dampening != 0.0) {
        return Err(OptimError::InvalidNesterov {
            location,
            momentum: hyper.momentum,
            dampening: hyper.dampening,
        });
    }
    Ok(())
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
                let keep = T::from_f64(1.0 - hyper.dampening);
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
