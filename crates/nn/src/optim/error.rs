//! What an optimizer refuses: bad hyperparameters and groups at
//! construction, optimizer state that does not fit at loading.

use std::fmt;

use sparsegrad_autograd::Shortest;
use thiserror::Error;

/// Where a hyperparameter was given: the optimizer-wide defaults, or the
/// overrides of one group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The optimizer's defaults (its config).
    Defaults,
    /// Group i's overrides, or a default as group i resolves it.
    Group(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Defaults => f.write_str("defaults"),
            Location::Group(i) => write!(f, "group {i}"),
        }
    }
}

/// The range a hyperparameter must lie in. Every range excludes NaN and
/// the infinities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// Finite and ≥ 0 (learning rates, penalty strengths).
    NonNegative,
    /// Finite and > 0 (Adam's eps).
    Positive,
    /// In [0, 1] (dampening).
    ClosedUnit,
    /// In [0, 1) (momentum, Adam's betas).
    HalfOpenUnit,
    /// In (0, 1) (Nesterov momentum, which needs μ > 0).
    OpenUnit,
}

impl Requirement {
    /// True when `value` satisfies the requirement.
    pub fn holds(self, value: f64) -> bool {
        value.is_finite()
            && match self {
                Requirement::NonNegative => value >= 0.0,
                Requirement::Positive => value > 0.0,
                Requirement::ClosedUnit => (0.0..=1.0).contains(&value),
                Requirement::HalfOpenUnit => (0.0..1.0).contains(&value),
                Requirement::OpenUnit => value > 0.0 && value < 1.0,
            }
    }

    /// `Ok` when `value` satisfies the requirement, else the error naming
    /// `name` and `location`.
    pub fn check(
        self,
        location: Location,
        name: &'static str,
        value: f64,
    ) -> Result<(), OptimError> {
        if self.holds(value) {
            Ok(())
        } else {
            Err(OptimError::InvalidHyperparameter {
                location,
                name,
                value,
                requirement: self,
            })
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Requirement::NonNegative => "finite and non-negative",
            Requirement::Positive => "finite and positive",
            Requirement::ClosedUnit => "in [0, 1]",
            Requirement::HalfOpenUnit => "in [0, 1)",
            Requirement::OpenUnit => "in (0, 1)",
        })
    }
}

/// An optimizer that cannot be built as asked, or state that does not fit it.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum OptimError {
    /// The same tensor twice (in two groups, or twice in one).
    #[error("parameter `{name}` is in group {first} and again in group {second}")]
    DuplicateParameter {
        /// Its name at the second occurrence.
        name: String,
        /// The group of its first occurrence.
        first: usize,
        /// The group of its second occurrence.
        second: usize,
    },
    /// A tensor computed by an op: updating it in place would not change
    /// the leaves it came from.
    #[error(
        "parameter `{name}` in group {group} is not a leaf tensor: an optimizer updates leaves only"
    )]
    NotALeaf {
        /// Its name.
        name: String,
        /// Its group.
        group: usize,
    },
    /// A learning rate, strength, momentum, dampening, beta or eps out of range.
    #[error("{location}: {name} = {} is invalid: it must be {requirement}", Shortest(*.value))]
    InvalidHyperparameter {
        /// Where it was set.
        location: Location,
        /// Its name (`lr`, `l1`, `momentum`, `beta1`, …).
        name: &'static str,
        /// The value given.
        value: f64,
        /// What it must be.
        requirement: Requirement,
    },
    /// A group lasso partition or penalty factors that do not fit a
    /// parameter of their group.
    #[error("parameter `{name}` in group {group}: {problem}")]
    PenaltyShape {
        /// The parameter's name.
        name: String,
        /// Its group.
        group: usize,
        /// What does not fit.
        problem: String,
    },
    /// A group whose penalty has a group lasso partition or penalty
    /// factors but no parameter to apply them to (a rule that selected
    /// nothing, such as a layer the model does not have).
    #[error(
        "group {group} has a group lasso or penalty factors but no parameter: \
         its rule selected nothing"
    )]
    UnusedStructuredPenalty {
        /// The group.
        group: usize,
    },
    /// Loaded state for another number of groups.
    #[error("optimizer state has {found} groups, the optimizer has {expected}")]
    StateGroupCount {
        /// The optimizer's groups.
        expected: usize,
        /// The state's groups.
        found: usize,
    },
    /// Loaded state for another number of parameters in a group.
    #[error("optimizer state of group {group} has {found} parameters, the group has {expected}")]
    StateParamCount {
        /// The group.
        group: usize,
        /// The group's parameters.
        expected: usize,
        /// The state's parameters.
        found: usize,
    },
    /// Loaded state of one parameter that does not fit it.
    #[error("optimizer state of parameter `{name}` in group {group}: {problem}")]
    StateParam {
        /// The group.
        group: usize,
        /// The parameter's name.
        name: String,
        /// What is wrong.
        problem: String,
    },
}
