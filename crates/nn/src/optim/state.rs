//! Checking loaded optimizer state against the optimizer's groups.
//!
//! Every optimizer keeps its state as one `Option<S>` per parameter
//! (`None` until the parameter's first step), grouped as its parameters
//! are; loading checks that layout before anything is replaced.

use sparsegrad_autograd::Float;

use super::error::OptimError;
use super::group::ResolvedGroup;

/// `Ok` when `state` has one entry per parameter of `groups`, and
/// `check_param(entry, numel)` accepts every present entry; else the
/// error naming the first mismatch.
pub(crate) fn check_state_layout<T: Float, S>(
    groups: &[ResolvedGroup<T>],
    state: &[Vec<Option<S>>],
    check_param: impl Fn(&S, usize) -> Result<(), String>,
) -> Result<(), OptimError> {
    if state.len() != groups.len() {
        return Err(OptimError::StateGroupCount {
            expected: groups.len(),
            found: state.len(),
        });
    }
    for (index, (group, entries)) in groups.iter().zip(state).enumerate() {
        if entries.len() != group.params().len() {
            return Err(OptimError::StateParamCount {
                group: index,
                expected: group.params().len(),
                found: entries.len(),
            });
        }
        for ((name, param), entry) in group.params().iter().zip(entries) {
            if let Some(entry) = entry {
                check_param(entry, param.numel()).map_err(|problem| OptimError::StateParam {
                    group: index,
                    name: name.clone(),
                    problem,
                })?;
            }
        }
    }
    Ok(())
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
