//! Adam and AdamW, exactly torch.optim.Adam and torch.optim.AdamW
//! (without amsgrad).

use serde::{Deserialize, Serialize};
use sparsegrad_autograd::Float;

use super::Optimizer;
use super::core::{OptimizerCore, check_len};
use super::error::{Location, OptimError, Requirement};
use super::group::{CommonDefaults, ParamGroup, ResolvedGroup};
use super::update::update_parameter;
use crate::regularize::Penalty;

/// The optimizer-wide defaults of [`Adam`]; a group may override the
/// learning rate, the penalty (see [`ParamGroup`]) and the betas and eps
/// ([`AdamOptions`]).
#[derive(Clone, Debug, PartialEq)]
pub struct AdamConfig {
    /// Learning rate (default 1e-3, torch's).
    pub lr: f64,
    /// (β1, β2), each in [0, 1) (default (0.9, 0.999)).
    pub betas: (f64, f64),
    /// ε > 0 (default 1e-8).
    pub eps: f64,
    /// The penalty of the groups that inherit (default none). With
    /// [`Penalty::decoupled_l2`] this is AdamW.
    pub penalty: Penalty,
}

/// The overrides of one Adam group (`None`: the config's). There is no
/// momentum here: setting SGD's momentum on an Adam group cannot be
/// written.
///
/// ```compile_fail
/// use sparsegrad_nn::optim::{AdamOptions, Momentum};
/// let _ = AdamOptions { momentum: Some(Momentum::classic(0.9)), ..AdamOptions::default() };
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AdamOptions {
    /// The group's (β1, β2).
    pub betas: Option<(f64, f64)>,
    /// The group's ε.
    pub eps: Option<f64>,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            penalty: Penalty::none(),
        }
    }
}

/// The resolved Adam hyperparameters of one group.
#[derive(Clone, Copy, Debug)]
struct AdamHyper {
    beta1: f64,
    beta2: f64,
    eps: f64,
}

/// Adam as torch.optim.Adam. For each parameter w with (penalized, see
/// [`regularize`](crate::regularize)) gradient g, at its step t = 1, 2, …:
///
/// ```text
/// m ← β1·m + (1 − β1)·g            (torch: m.lerp_(g, 1 − β1))
/// v ← β2·v + (1 − β2)·g²
/// step_size = lr / (1 − β1ᵗ)
/// denom     = √v / √(1 − β2ᵗ) + ε
/// w ← w − step_size · m / denom
/// ```
///
/// which is w ← w − lr·m̂/(√v̂ + ε) with the bias-corrected moments
/// m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), arranged as torch arranges it (the
/// corrections are scalars, formed once per parameter and step in f64), so
/// the results agree with torch to rounding.
///
/// AdamW (torch.optim.AdamW) is this optimizer with a decoupled L2 term,
/// [`Penalty::decoupled_l2`]: w ← (1 − lr·λ2)·w before the step. torch's
/// default decay of 0.01 is not implied: the penalty says it.
pub struct Adam<T: Float = f32> {
    /// The state of a parameter is its moments, allocated at its first step.
    core: OptimizerCore<T, AdamHyper, AdamMoments<T>>,
}

/// The moments of one parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamMoments<T> {
    /// The number of steps taken, t ≥ 1.
    pub step: u64,
    /// m, the running mean of g, in the parameter's row-major order.
    pub exp_avg: Vec<T>,
    /// v, the running mean of g², in the parameter's row-major order.
    pub exp_avg_sq: Vec<T>,
}

/// The state of an [`Adam`]: what must be saved to resume training
/// bit-exactly (the hyperparameters come from the construction).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamState<T> {
    /// Per group, per parameter: the moments, `None` before its first step.
    pub moments: Vec<Vec<Option<AdamMoments<T>>>>,
}

impl<T: Float> Adam<T> {
    /// An optimizer over `groups`, with `config` for what a group does
    /// not override.
    ///
    /// # Errors
    /// A parameter twice or not a leaf; lr or a strength negative or not
    /// finite; a beta outside [0, 1); eps not positive and finite.
    pub fn new(
        groups: Vec<ParamGroup<T, AdamOptions>>,
        config: AdamConfig,
    ) -> Result<Self, OptimError> {
        let defaults = CommonDefaults {
            lr: config.lr,
            penalty: config.penalty,
        };
        let core = OptimizerCore::new(groups, &defaults, |location, options| {
            let (beta1, beta2) = options.betas.unwrap_or(config.betas);
            let hyper = AdamHyper {
                beta1,
                beta2,
                eps: options.eps.unwrap_or(config.eps),
            };
            check_adam_hyper(location, &hyper)?;
            Ok(hyper)
        })?;
        Ok(Self { core })
    }

    /// A copy of the state, for saving.
    pub fn state(&self) -> AdamState<T> {
        AdamState {
            moments: self.core.states(),
        }
    }

    /// Replaces the state with `state` (saved from an optimizer with the
    /// same groups), so that the next step continues where it left off.
    ///
    /// # Errors
    /// When the numbers of groups or parameters differ, a moment's length
    /// is not its parameter's number of elements, or a step count is 0;
    /// the state is then left unchanged.
    pub fn load_state(&mut self, state: AdamState<T>) -> Result<(), OptimError> {
        self.core.load_states(state.moments, |moments, numel| {
            if moments.step == 0 {
                return Err("a step count of 0 with moments present".to_string());
            }
            check_len("exp_avg", moments.exp_avg.len(), numel)?;
            check_len("exp_avg_sq", moments.exp_avg_sq.len(), numel)
        })
    }
}

/// Checks the betas and eps.
fn check_adam_hyper(location: Location, hyper: &AdamHyper) -> Result<(), OptimError> {
    Requirement::HalfOpenUnit.check(location, "beta1", hyper.beta1)?;
    Requirement::HalfOpenUnit.check(location, "beta2", hyper.beta2)?;
    Requirement::Positive.check(location, "eps", hyper.eps)
}

/// torch's `lerp`: start + weight·(end − start), computed from whichever
/// end is nearer (weight < ½ or not) for accuracy, as torch computes it.
fn lerp<T: Float>(start: T, end: T, weight: T) -> T {
    if weight < T::from_f64(0.5) {
        start + weight * (end - start)
    } else {
        end - (end - start) * (T::one() - weight)
    }
}

impl<T: Float> Optimizer<T> for Adam<T> {
    fn step(&mut self) {
        self.core
            .for_each_with_grad(|hyper, lr, penalty, param, moments| {
                let beta2 = T::from_f64(hyper.beta2);
                let one_minus_beta1 = T::from_f64(1.0 - hyper.beta1);
                let one_minus_beta2 = T::from_f64(1.0 - hyper.beta2);
                let eps = T::from_f64(hyper.eps);
                let moments = moments.get_or_insert_with(|| AdamMoments {
                    step: 0,
                    exp_avg: vec![T::zero(); param.numel()],
                    exp_avg_sq: vec![T::zero(); param.numel()],
                });
                moments.step += 1;
                // The bias corrections, once per parameter and step, in f64 as torch forms them.
                let t = moments.step as f64;
                let step_size = T::from_f64(lr / (1.0 - hyper.beta1.powf(t)));
                let bias_correction2_sqrt = T::from_f64((1.0 - hyper.beta2.powf(t)).sqrt());
                let AdamMoments {
                    exp_avg,
                    exp_avg_sq,
                    ..
                } = moments;
                update_parameter(param, penalty, |range, w, g| {
                    let (m, v) = (&mut exp_avg[range.clone()], &mut exp_avg_sq[range]);
                    for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m).zip(v) {
                        *m = lerp(*m, g, one_minus_beta1);
                        *v = *v * beta2 + one_minus_beta2 * g * g;
                        let denom = v.sqrt() / bias_correction2_sqrt + eps;
                        *w -= step_size * *m / denom;
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
