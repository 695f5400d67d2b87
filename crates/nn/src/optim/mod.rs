//! Optimizers over parameter groups: [`Sgd`] and [`Adam`] (AdamW is Adam
//! with [`Penalty::decoupled_l2`](crate::regularize::Penalty::decoupled_l2)),
//! as torch.optim, with per-group L1/L2 penalties.
//!
//! Every optimizer takes a list of [`ParamGroup`]s; each group may set its
//! learning rate, its whole penalty ([`GroupPenalty`]) and the options of
//! its optimizer only ([`SgdOptions`], [`AdamOptions`]), and takes the
//! optimizer-wide defaults (its config) for the rest. [`GroupRules`] builds
//! groups by role (weights, biases, layer k) or name; biases get no penalty
//! unless a rule asks.
//!
//! One step updates each parameter that has a gradient, in this order (the
//! math is in [`regularize`](crate::regularize)):
//! 1. decoupled L2: w ← (1 − lr·λ2)·w;
//! 2. coupled L2: g ← g + λ2·w;
//! 3. L1 subgradient: g ← g + λ1·sign(w), sign(0) = 0;
//! 4. the optimizer's own update with g;
//! 5. proximal L1: w ← sign(w)·max(|w| − lr·λ1, 0).
//!
//! The gradient a parameter holds is not changed: steps 2 and 3 build the
//! penalized gradient in a scratch buffer.
//!
//! A parameter is updated in one pass over its contiguous memory, and the
//! optimizer's buffers are allocated once, at a parameter's first step:
//! a step allocates nothing after that.

mod adam;
mod core;
mod error;
mod group;
mod sgd;
mod update;

use sparsegrad_autograd::Float;

pub use adam::{Adam, AdamConfig, AdamMoments, AdamOptions, AdamState};
pub use error::{Location, OptimError, Requirement};
pub use group::{GroupPenalty, GroupRules, ParamGroup, ResolvedGroup, Role, Select};
pub use sgd::{Momentum, Sgd, SgdConfig, SgdOptions, SgdState};

/// What every optimizer does. Object safe: a caller can hold a
/// `Box<dyn Optimizer<T>>` chosen at run time.
pub trait Optimizer<T: Float> {
    /// Updates every parameter that has a gradient (see the
    /// [module docs](self) for the order of the penalty's steps). A
    /// parameter without a gradient is skipped, its state untouched.
    fn step(&mut self);

    /// The groups, with their parameters, learning rates and penalties.
    fn groups(&self) -> &[ResolvedGroup<T>];

    /// The groups, to change a learning rate.
    fn groups_mut(&mut self) -> &mut [ResolvedGroup<T>];

    /// Forgets every parameter's gradient (torch's
    /// `zero_grad(set_to_none=True)`): the next backward starts afresh.
    fn zero_grad(&self) {
        for group in self.groups() {
            for (_, param) in group.params() {
                param.zero_grad();
            }
        }
    }

    /// The learning rate of group `group`.
    ///
    /// # Panics
    /// When there is no such group.
    fn lr(&self, group: usize) -> f64 {
        let groups = self.groups();
        groups[checked_group("lr", group, groups.len())].lr()
    }

    /// Sets the learning rate of group `group` (for schedules).
    ///
    /// # Panics
    /// When there is no such group, or `lr` is negative or not finite.
    fn set_lr(&mut self, group: usize, lr: f64) {
        let groups = self.groups_mut();
        groups[checked_group("set_lr", group, groups.len())].set_lr(lr);
    }
}

/// `group`, or a panic naming the function when there is no such group.
fn checked_group(function: &str, group: usize, groups: usize) -> usize {
    assert!(
        group < groups,
        "{function}: group {group} does not exist, the optimizer has {groups} groups"
    );
    group
}
