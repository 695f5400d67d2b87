//! Parameter groups: sets of parameters that share hyperparameters, as
//! torch's `param_groups`. A group may override any hyperparameter; what
//! it leaves unset comes from the optimizer's defaults.

use std::collections::HashMap;

use sparsegrad_autograd::{Float, Tensor};

use super::error::{Location, OptimError, Requirement};
use crate::regularize::Penalty;

/// Per-group overrides; `None` means "the optimizer's default".
/// `momentum`, `dampening` and `nesterov` are for [`Sgd`](super::Sgd),
/// `betas` and `eps` for [`Adam`](super::Adam); setting one the optimizer
/// does not use is an error.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GroupOptions {
    /// Learning rate.
    pub lr: Option<f64>,
    /// SGD momentum μ.
    pub momentum: Option<f64>,
    /// SGD dampening τ.
    pub dampening: Option<f64>,
    /// SGD Nesterov momentum.
    pub nesterov: Option<bool>,
    /// Adam's (β1, β2).
    pub betas: Option<(f64, f64)>,
    /// Adam's ε.
    pub eps: Option<f64>,
    /// The L1/L2 penalty.
    pub penalty: Option<Penalty>,
}

impl GroupOptions {
    /// Overrides of the penalty only (`Penalty::default()` for "not penalized").
    pub fn with_penalty(penalty: Penalty) -> Self {
        Self {
            penalty: Some(penalty),
            ..Self::default()
        }
    }
}

/// Named parameters and the options they share.
#[derive(Clone, Debug)]
pub struct ParamGroup<T: Float = f32> {
    /// The parameters with their names (the names appear in errors).
    pub params: Vec<(String, Tensor<T>)>,
    /// The overrides of this group.
    pub options: GroupOptions,
}

impl<T: Float> ParamGroup<T> {
    /// A group with no overrides.
    pub fn new(params: Vec<(String, Tensor<T>)>) -> Self {
        Self {
            params,
            options: GroupOptions::default(),
        }
    }

    /// The group with `options` as its overrides.
    pub fn with_options(self, options: GroupOptions) -> Self {
        Self { options, ..self }
    }
}

/// A predicate on parameter names.
type NamePredicate = Box<dyn Fn(&str) -> bool>;

/// Splits named parameters into groups by rules on their names: each
/// parameter goes to the first rule whose predicate accepts its name, the
/// rest into a last group without overrides. [`build`](GroupRules::build)
/// returns one group per rule, in rule order, then the rest (so group
/// indices are known in advance; a group may be empty).
///
/// ```
/// use rand::{SeedableRng, rngs::StdRng};
/// use sparsegrad_nn::{activation::Activation, mlp::Mlp, module::Module};
/// use sparsegrad_nn::optim::{GroupOptions, GroupRules};
/// use sparsegrad_nn::regularize::{L1Mode, Penalty};
///
/// let mlp = Mlp::<f32>::new(&[10, 8, 1], Activation::Relu, &mut StdRng::seed_from_u64(0));
/// // Biases are not penalized; only the first layer's weight gets L1;
/// // the other weights get the optimizer's default penalty.
/// let l1 = Penalty { l1: 1e-3, l1_mode: L1Mode::Proximal, ..Penalty::default() };
/// let groups = GroupRules::new()
///     .rule(|name| name.ends_with(".bias"), GroupOptions::with_penalty(Penalty::default()))
///     .rule(|name| name == "layers.0.weight", GroupOptions::with_penalty(l1))
///     .build(mlp.named_parameters());
/// let names = |i: usize| groups[i].params.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>();
/// assert_eq!(names(0), ["layers.0.bias", "layers.2.bias"]);
/// assert_eq!(names(1), ["layers.0.weight"]);
/// assert_eq!(names(2), ["layers.2.weight"]);
/// ```
#[derive(Default)]
pub struct GroupRules {
    rules: Vec<(NamePredicate, GroupOptions)>,
}

impl GroupRules {
    /// No rules: everything in one group.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a rule: parameters whose name `matches` (and no earlier rule
    /// took) form a group with `options`.
    pub fn rule(mut self, matches: impl Fn(&str) -> bool + 'static, options: GroupOptions) -> Self {
        self.rules.push((Box::new(matches), options));
        self
    }

    /// The groups: one per rule, in order, then the parameters no rule took.
    pub fn build<T: Float>(&self, named: Vec<(String, Tensor<T>)>) -> Vec<ParamGroup<T>> {
        let mut groups: Vec<ParamGroup<T>> = self
            .rules
            .iter()
            .map(|(_, options)| ParamGroup::new(Vec::new()).with_options(*options))
            .chain(std::iter::once(ParamGroup::new(Vec::new())))
            .collect();
        for (name, param) in named {
            let index = self
                .rules
                .iter()
                .position(|(matches, _)| matches(&name))
                .unwrap_or(self.rules.len());
            groups[index].params.push((name, param));
        }
        groups
    }
}

/// A group as an optimizer holds it: its parameters, its learning rate and
/// its penalty, checked and with the defaults filled in. (The
/// optimizer-specific hyperparameters live in the optimizer.)
#[derive(Clone, Debug)]
pub struct ResolvedGroup<T: Float = f32> {
    params: Vec<(String, Tensor<T>)>,
    lr: f64,
    penalty: Penalty,
}

impl<T: Float> ResolvedGroup<T> {
    /// The parameters with their names.
    pub fn params(&self) -> &[(String, Tensor<T>)] {
        &self.params
    }

    /// The learning rate in effect.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Sets the learning rate (what a schedule does between steps).
    ///
    /// # Panics
    /// When `lr` is negative, NaN or infinite.
    pub fn set_lr(&mut self, lr: f64) {
        assert!(
            Requirement::NonNegative.holds(lr),
            "set_lr: lr = {lr} must be {}",
            Requirement::NonNegative
        );
        self.lr = lr;
    }

    /// The penalty in effect.
    pub fn penalty(&self) -> &Penalty {
        &self.penalty
    }
}

/// Checks the strengths of a penalty.
fn check_penalty(location: Location, penalty: &Penalty) -> Result<(), OptimError> {
    Requirement::NonNegative.check(location, "l1", penalty.l1)?;
    Requirement::NonNegative.check(location, "l2", penalty.l2)
}

/// The learning rate and penalty every optimizer has, as defaults.
pub(crate) struct CommonDefaults {
    pub(crate) lr: f64,
    pub(crate) penalty: Penalty,
}

/// Checks and resolves `groups` against the defaults: each parameter is a
/// leaf and in one group only, lr and penalty are valid, and `specific`
/// (called with the defaults' location and no overrides first, then for
/// each group with its overrides) accepts and resolves the optimizer's own
/// hyperparameters.
pub(crate) fn resolve_groups<T: Float, H>(
    groups: Vec<ParamGroup<T>>,
    defaults: &CommonDefaults,
    mut specific: impl FnMut(Location, &GroupOptions) -> Result<H, OptimError>,
) -> Result<(Vec<ResolvedGroup<T>>, Vec<H>), OptimError> {
    Requirement::NonNegative.check(Location::Defaults, "lr", defaults.lr)?;
    check_penalty(Location::Defaults, &defaults.penalty)?;
    specific(Location::Defaults, &GroupOptions::default())?;

    let mut seen: HashMap<usize, usize> = HashMap::new();
    let mut resolved = Vec::with_capacity(groups.len());
    let mut hypers = Vec::with_capacity(groups.len());
    for (index, group) in groups.into_iter().enumerate() {
        let location = Location::Group(index);
        for (name, param) in &group.params {
            if !param.is_leaf() {
                return Err(OptimError::NotALeaf {
                    name: name.clone(),
                    group: index,
                });
            }
            if let Some(&first) = seen.get(&param.id()) {
                return Err(OptimError::DuplicateParameter {
                    name: name.clone(),
                    first,
                    second: index,
                });
            }
            seen.insert(param.id(), index);
        }
        let options = group.options;
        let lr = options.lr.unwrap_or(defaults.lr);
        Requirement::NonNegative.check(location, "lr", lr)?;
        let penalty = options.penalty.unwrap_or(defaults.penalty);
        check_penalty(location, &penalty)?;
        hypers.push(specific(location, &options)?);
        resolved.push(ResolvedGroup {
            params: group.params,
            lr,
            penalty,
        });
    }
    Ok((resolved, hypers))
}

/// `Err(UnusedOption)` when a group sets `option` that `optimizer` does not use.
pub(crate) fn refuse_option(
    location: Location,
    option: &'static str,
    is_set: bool,
    optimizer: &'static str,
) -> Result<(), OptimError> {
    match location {
        Location::Group(group) if is_set => Err(OptimError::UnusedOption {
            group,
            option,
            optimizer,
        }),
        _ => Ok(()),
    }
}
