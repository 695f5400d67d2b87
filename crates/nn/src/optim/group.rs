//! Parameter groups: sets of parameters that share hyperparameters, as
//! torch's `param_groups`, and [`GroupRules`], which builds them by what a
//! parameter is (a weight, a bias, layer k) or by its name.
//!
//! A group sets its learning rate or takes the optimizer's (`lr: None`),
//! sets its whole penalty or inherits the optimizer's
//! ([`GroupPenalty`]: there is no mixing of two penalties term by term),
//! and carries the overrides of its optimizer only (`O` is
//! [`SgdOptions`](super::SgdOptions) or [`AdamOptions`](super::AdamOptions)),
//! so an option the optimizer has no use for cannot be written.

use std::collections::HashMap;

use sparsegrad_autograd::{Float, Tensor};

use super::error::{Location, OptimError, Requirement};
use crate::regularize::Penalty;

/// A group's penalty: its own, whole, or the optimizer's default.
///
/// ```
/// use sparsegrad_nn::optim::GroupPenalty;
/// use sparsegrad_nn::regularize::Penalty;
/// let own: GroupPenalty = Penalty::l1_proximal(1e-3).into(); // replaces the default as a whole
/// let inherited = GroupPenalty::Inherit;                      // the optimizer's config.penalty
/// assert_ne!(own, inherited);
/// assert_eq!(GroupPenalty::default(), GroupPenalty::Inherit);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub enum GroupPenalty {
    /// The optimizer's default penalty (its config's `penalty`).
    #[default]
    Inherit,
    /// This penalty, whatever the default is (`Penalty::none()`: none).
    Set(Penalty),
}

impl From<Penalty> for GroupPenalty {
    fn from(penalty: Penalty) -> Self {
        GroupPenalty::Set(penalty)
    }
}

/// Named parameters and what they share: a learning rate, a penalty and
/// the overrides `O` of one optimizer.
#[derive(Clone, Debug)]
pub struct ParamGroup<T: Float, O> {
    /// The parameters with their names (the names appear in errors).
    pub params: Vec<(String, Tensor<T>)>,
    /// The learning rate; `None` takes the optimizer's.
    pub lr: Option<f64>,
    /// The penalty, or [`GroupPenalty::Inherit`].
    pub penalty: GroupPenalty,
    /// The optimizer's own overrides (momentum for SGD, betas for Adam).
    pub options: O,
}

impl<T: Float, O: Default> ParamGroup<T, O> {
    /// A group that takes every hyperparameter from the optimizer.
    pub fn new(params: Vec<(String, Tensor<T>)>) -> Self {
        Self {
            params,
            lr: None,
            penalty: GroupPenalty::Inherit,
            options: O::default(),
        }
    }
}

impl<T: Float, O> ParamGroup<T, O> {
    /// The group with its own learning rate.
    pub fn with_lr(self, lr: f64) -> Self {
        Self {
            lr: Some(lr),
            ..self
        }
    }

    /// The group with `penalty` (a [`Penalty`] or [`GroupPenalty::Inherit`]).
    pub fn with_penalty(self, penalty: impl Into<GroupPenalty>) -> Self {
        Self {
            penalty: penalty.into(),
            ..self
        }
    }

    /// The group with the optimizer-specific overrides `options`.
    pub fn with_options(self, options: O) -> Self {
        Self { options, ..self }
    }
}

/// What a parameter is, read from its dotted name: a bias when the last
/// part of the name is `bias`, a weight otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A weight (a matrix of a linear layer, or any non-bias parameter).
    Weight,
    /// A bias.
    Bias,
}

impl Role {
    /// The role of the parameter called `name`.
    pub fn of(name: &str) -> Self {
        if name.rsplit('.').next() == Some("bias") {
            Role::Bias
        } else {
            Role::Weight
        }
    }
}

/// Which parameters a rule of [`GroupRules`] takes.
///
/// Layers are counted by their parameters: layer k is the k-th distinct
/// owner (the name without its last part: `layers.2` of `layers.2.weight`)
/// in the order of `named_parameters`, from 0, so the layers of an `Mlp`
/// are its linear layers, activations not counted. The selections by
/// layer take that layer's **weight only**: a bias is selected only by
/// [`Biases`](Select::Biases), [`All`](Select::All), its name or its tensor.
pub enum Select {
    /// Every parameter, biases included.
    All,
    /// Every weight.
    Weights,
    /// Every bias.
    Biases,
    /// The weight of layer k (from 0).
    Layer(usize),
    /// The weight of the first layer (the one that reads the input features).
    FirstLayer,
    /// The weight of the last layer.
    LastLayer,
    /// The parameter with exactly this name.
    Named(String),
    /// The parameters whose names satisfy the predicate.
    NameMatches(Box<dyn Fn(&str) -> bool>),
    /// This tensor (by identity, see [`Tensor::id`]).
    Tensor(usize),
}

impl Select {
    /// The parameter with exactly this name.
    pub fn named(name: impl Into<String>) -> Self {
        Select::Named(name.into())
    }

    /// The parameters whose names satisfy `matches`.
    pub fn name_matches(matches: impl Fn(&str) -> bool + 'static) -> Self {
        Select::NameMatches(Box::new(matches))
    }

    /// The parameter `tensor` itself.
    pub fn tensor<T: Float>(tensor: &Tensor<T>) -> Self {
        Select::Tensor(tensor.id())
    }

    /// True when the parameter `name`, of layer `layer` out of `layers`,
    /// with tensor identity `id`, is selected.
    fn takes(&self, name: &str, id: usize, layer: usize, layers: usize) -> bool {
        let weight = Role::of(name) == Role::Weight;
        match self {
            Select::All => true,
            Select::Weights => weight,
            Select::Biases => !weight,
            Select::Layer(k) => weight && layer == *k,
            Select::FirstLayer => weight && layer == 0,
            Select::LastLayer => weight && layer + 1 == layers,
            Select::Named(wanted) => name == wanted,
            Select::NameMatches(matches) => matches(name),
            Select::Tensor(wanted) => id == *wanted,
        }
    }
}

/// A rule: a selection, and the learning rate and penalty of its group.
struct Rule {
    select: Select,
    lr: Option<f64>,
    penalty: GroupPenalty,
}

/// Splits named parameters into groups by what they are: each parameter
/// goes to the first rule that [selects](Select) it. [`build`](GroupRules::build)
/// returns one group per rule, in rule order, then the weights no rule
/// took (inheriting the optimizer's penalty), then the biases no rule took
/// (**not penalized**): biases get a penalty only when a rule asks for
/// one. Group indices are thus known in advance; a group may be empty.
///
/// The 100→64→64→1 network with proximal L1 on the first layer, L2 on the
/// other weights and the biases unpenalized:
///
/// ```
/// use rand::{SeedableRng, rngs::StdRng};
/// use sparsegrad_nn::{activation::Activation, mlp::Mlp, module::Module};
/// use sparsegrad_nn::optim::{GroupRules, Momentum, Optimizer, Select, Sgd, SgdConfig};
/// use sparsegrad_nn::regularize::Penalty;
///
/// let mlp = Mlp::<f32>::new(&[100, 64, 64, 1], Activation::Relu, &mut StdRng::seed_from_u64(0));
/// let groups = GroupRules::new()
///     .rule(Select::FirstLayer, Penalty::l1_proximal(1e-3))
///     .rule(Select::Weights, Penalty::l2(1e-4))
///     .build(mlp.named_parameters());
/// let config = SgdConfig { lr: 0.01, momentum: Momentum::classic(0.9), ..SgdConfig::default() };
/// let sgd = Sgd::new(groups, config).unwrap();
///
/// let names = |i: usize| sgd.groups()[i].params().iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>();
/// assert_eq!(names(0), ["layers.0.weight"]);
/// assert_eq!(names(1), ["layers.2.weight", "layers.4.weight"]);
/// assert!(names(2).is_empty()); // every weight was taken by a rule
/// assert_eq!(names(3), ["layers.0.bias", "layers.2.bias", "layers.4.bias"]);
/// assert!(sgd.groups()[3].penalty().is_zero());
/// ```
#[derive(Default)]
pub struct GroupRules {
    rules: Vec<Rule>,
}

impl GroupRules {
    /// No rules: the weights in one group (inheriting the optimizer's
    /// penalty), the biases in another (unpenalized).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a rule: the parameters `select` takes (and no earlier rule
    /// took) form a group with `penalty` (a [`Penalty`], or
    /// [`GroupPenalty::Inherit`]) and the optimizer's learning rate.
    pub fn rule(self, select: Select, penalty: impl Into<GroupPenalty>) -> Self {
        self.push(select, None, penalty.into())
    }

    /// As [`rule`](GroupRules::rule), with the group's own learning rate.
    pub fn rule_with_lr(self, select: Select, lr: f64, penalty: impl Into<GroupPenalty>) -> Self {
        self.push(select, Some(lr), penalty.into())
    }

    fn push(mut self, select: Select, lr: Option<f64>, penalty: GroupPenalty) -> Self {
        self.rules.push(Rule {
            select,
            lr,
            penalty,
        });
        self
    }

    /// The groups: one per rule, in order, then the other weights, then
    /// the other biases. `O` is the optimizer's overrides type, left at
    /// its default (none).
    pub fn build<T: Float, O: Default>(
        &self,
        named: Vec<(String, Tensor<T>)>,
    ) -> Vec<ParamGroup<T, O>> {
        let mut groups: Vec<ParamGroup<T, O>> = self
            .rules
            .iter()
            .map(|rule| ParamGroup {
                lr: rule.lr,
                penalty: rule.penalty.clone(),
                ..ParamGroup::new(Vec::new())
            })
            .collect();
        let other_weights = groups.len();
        groups.push(ParamGroup::new(Vec::new()));
        groups.push(ParamGroup::new(Vec::new()).with_penalty(Penalty::none()));
        let layers = layer_indices(&named);
        let count = layers.iter().max().map_or(0, |&last| last + 1);
        for ((name, param), layer) in named.into_iter().zip(layers) {
            let index = self
                .rules
                .iter()
                .position(|rule| rule.select.takes(&name, param.id(), layer, count))
                .unwrap_or(match Role::of(&name) {
                    Role::Weight => other_weights,
                    Role::Bias => other_weights + 1,
                });
            groups[index].params.push((name, param));
        }
        groups
    }
}

/// The layer of each named parameter: the rank of its owner (its name
/// without the last part) among the distinct owners, in order of first
/// appearance.
fn layer_indices<T: Float>(named: &[(String, Tensor<T>)]) -> Vec<usize> {
    let mut owners: HashMap<&str, usize> = HashMap::new();
    named
        .iter()
        .map(|(name, _)| {
            let owner = name.rsplit_once('.').map_or("", |(owner, _)| owner);
            let next = owners.len();
            *owners.entry(owner).or_insert(next)
        })
        .collect()
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
    penalty
        .strengths()
        .try_for_each(|(name, strength)| Requirement::NonNegative.check(location, name, strength))
}

/// Checks that the structured terms of group `index`'s penalty fit each
/// of its parameters and that the group has one to apply them to, so that
/// a partition of the wrong shape is refused here and not met at the
/// first step.
fn check_structure<T: Float>(
    index: usize,
    params: &[(String, Tensor<T>)],
    penalty: &Penalty,
) -> Result<(), OptimError> {
    if penalty.is_structured() && params.is_empty() {
        return Err(OptimError::UnusedStructuredPenalty { group: index });
    }
    params.iter().try_for_each(|(name, param)| {
        penalty
            .check_shape(&param.shape())
            .map_err(|problem| OptimError::PenaltyShape {
                name: name.clone(),
                group: index,
                problem,
            })
    })
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
pub(crate) fn resolve_groups<T: Float, O: Default, H>(
    groups: Vec<ParamGroup<T, O>>,
    defaults: &CommonDefaults,
    mut specific: impl FnMut(Location, &O) -> Result<H, OptimError>,
) -> Result<(Vec<ResolvedGroup<T>>, Vec<H>), OptimError> {
    Requirement::NonNegative.check(Location::Defaults, "lr", defaults.lr)?;
    check_penalty(Location::Defaults, &defaults.penalty)?;
    specific(Location::Defaults, &O::default())?;

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
        let lr = group.lr.unwrap_or(defaults.lr);
        Requirement::NonNegative.check(location, "lr", lr)?;
        let penalty = match group.penalty {
            GroupPenalty::Inherit => defaults.penalty.clone(),
            GroupPenalty::Set(penalty) => penalty,
        };
        check_penalty(location, &penalty)?;
        check_structure(index, &group.params, &penalty)?;
        hypers.push(specific(location, &group.options)?);
        resolved.push(ResolvedGroup {
            params: group.params,
            lr,
            penalty,
        });
    }
    Ok((resolved, hypers))
}
