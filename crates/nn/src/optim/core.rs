//! What every optimizer holds and does the same way: its resolved groups,
//! each group's own hyperparameters, one state entry per parameter, the
//! loop of a step over them, and saving and loading that state.

use sparsegrad_autograd::{Float, Tensor};

use super::error::{Location, OptimError};
use super::group::{CommonDefaults, ParamGroup, ResolvedGroup, resolve_groups};
use crate::regularize::PenaltyStep;

/// Groups with hyperparameters `H` and per-parameter state `S` (`None`
/// until the parameter's first step: buffers are allocated lazily, once).
pub(crate) struct OptimizerCore<T: Float, H, S> {
    groups: Vec<ResolvedGroup<T>>,
    hypers: Vec<H>,
    states: Vec<Vec<Option<S>>>,
}

impl<T: Float, H, S: Clone> OptimizerCore<T, H, S> {
    /// Checks and resolves `groups` (see [`resolve_groups`]), with no state yet.
    pub(crate) fn new<O: Default>(
        groups: Vec<ParamGroup<T, O>>,
        defaults: &CommonDefaults,
        specific: impl FnMut(Location, &O) -> Result<H, OptimError>,
    ) -> Result<Self, OptimError> {
        let (groups, hypers) = resolve_groups(groups, defaults, specific)?;
        let states = groups
            .iter()
            .map(|g| vec![None; g.params().len()])
            .collect();
        Ok(Self {
            groups,
            hypers,
            states,
        })
    }

    pub(crate) fn groups(&self) -> &[ResolvedGroup<T>] {
        &self.groups
    }

    pub(crate) fn groups_mut(&mut self) -> &mut [ResolvedGroup<T>] {
        &mut self.groups
    }

    /// A copy of the per-parameter states, grouped as the parameters are.
    pub(crate) fn states(&self) -> Vec<Vec<Option<S>>> {
        self.states.clone()
    }

    /// Replaces the states with `states` after checking that there is one
    /// entry per parameter and that `check_param(entry, numel)` accepts
    /// every present one; on an error nothing is replaced.
    pub(crate) fn load_states(
        &mut self,
        states: Vec<Vec<Option<S>>>,
        check_param: impl Fn(&S, usize) -> Result<(), String>,
    ) -> Result<(), OptimError> {
        if states.len() != self.groups.len() {
            return Err(OptimError::StateGroupCount {
                expected: self.groups.len(),
                found: states.len(),
            });
        }
        for (index, (group, entries)) in self.groups.iter().zip(&states).enumerate() {
            if entries.len() != group.params().len() {
                return Err(OptimError::StateParamCount {
                    group: index,
                    expected: group.params().len(),
                    found: entries.len(),
                });
            }
            for ((name, param), entry) in group.params().iter().zip(entries) {
                if let Some(entry) = entry {
                    check_param(entry, param.numel()).map_err(|problem| {
                        OptimError::StateParam {
                            group: index,
                            name: name.clone(),
                            problem,
                        }
                    })?;
                }
            }
        }
        self.states = states;
        Ok(())
    }

    /// One step's loop: calls `update(hyper, lr, penalty, param, state)`
    /// for every parameter that has a gradient (the others are skipped, as
    /// in torch), with its group's hyperparameters, learning rate and
    /// penalty constants.
    pub(crate) fn for_each_with_grad(
        &mut self,
        mut update: impl FnMut(&H, f64, &PenaltyStep<T>, &Tensor<T>, &mut Option<S>),
    ) {
        for ((group, hyper), states) in self.groups.iter().zip(&self.hypers).zip(&mut self.states) {
            let penalty = PenaltyStep::new(group.penalty(), group.lr());
            for ((_, param), state) in group.params().iter().zip(states) {
                if param.grad().is_some() {
                    update(hyper, group.lr(), &penalty, param, state);
                }
            }
        }
    }
}

/// `Ok` when a state buffer has `numel` elements, else the problem.
pub(crate) fn check_len(what: &str, len: usize, numel: usize) -> Result<(), String> {
    if len == numel {
        Ok(())
    } else {
        Err(format!(
            "{what} has {len} elements, the parameter has {numel}"
        ))
    }
}
