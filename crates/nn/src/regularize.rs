//! L1 and L2 regularization: the penalties, what they do to the optimum,
//! and the in-place functions every optimizer applies them with (none
//! writes its own).
//!
//! For a parameter vector w, a data loss J(w) and strengths λ1, λ2 ≥ 0 the
//! penalized objective is
//!
//! ```text
//! J(w) + λ1·Σ|wᵢ| + (λ2/2)·Σwᵢ²            (penalty_value)
//! ```
//!
//! # L2 (ridge, weight decay)
//!
//! Gradient ∇J + λ2·w: each weight is pulled towards 0 in proportion to its
//! size, so it shrinks but almost never reaches 0. Near a minimum w* of J
//! with a diagonal Hessian H, J ≈ J(w*) + ½Σ Hᵢᵢ(wᵢ − w*ᵢ)², and setting the
//! gradient Hᵢᵢ(wᵢ − w*ᵢ) + λ2·wᵢ to 0 gives
//!
//! ```text
//! wᵢ = Hᵢᵢ / (Hᵢᵢ + λ2) · w*ᵢ
//! ```
//!
//! a uniform shrinkage of each coordinate, strongest where the loss is
//! flattest (small Hᵢᵢ).
//!
//! # L1 (lasso)
//!
//! |w| has no derivative at 0; its subgradient is sign(w) with
//! **sign(0) = 0** (the element of [−1, 1] that subgradient descent uses).
//! The pull towards 0 has constant size λ1 whatever the size of w. Under the
//! same quadratic model the minimum is the **soft threshold**
//!
//! ```text
//! wᵢ = sign(w*ᵢ)·max(|w*ᵢ| − λ1/Hᵢᵢ, 0)
//! ```
//!
//! so every weight with |w*ᵢ| ≤ λ1/Hᵢᵢ is exactly 0: L1 selects features.
//! Both together (elastic net) give wᵢ = sign(w*ᵢ)·max(Hᵢᵢ|w*ᵢ| − λ1, 0) /
//! (Hᵢᵢ + λ2): the soft threshold of the ridge solution.
//!
//! # Subgradient or proximal L1
//!
//! - **Subgradient** ([`Penalty::l1_subgradient`]): add λ1·sign(w) to the
//!   gradient. A weight whose optimum is 0 is pushed across 0 by a step of
//!   about lr·λ1 every time, so it oscillates around 0 with amplitude of
//!   order lr·λ1 and is (almost) never exactly 0.
//! - **Proximal** ([`Penalty::l1_proximal`]): take the gradient step on J alone,
//!   then apply the proximal operator of lr·λ1·|w|,
//!   prox(v) = argminₓ ½(x − v)² + lr·λ1·|x| = sign(v)·max(|v| − lr·λ1, 0)
//!   ([`soft_threshold`]). Every weight within lr·λ1 of 0 lands on exactly
//!   0, and a weight at 0 stays there while the data gradient |g| ≤ λ1.
//!   For plain gradient descent this is proximal gradient descent (ISTA),
//!   whose fixed points are exactly the minimizers of the L1 objective.
//!
//! # Coupled or decoupled L2
//!
//! - **Coupled** ([`Penalty::l2`], classic L2): g ← g + λ2·w, so the decay passes through
//!   the optimizer (momentum, Adam's scaling).
//! - **Decoupled** ([`Penalty::decoupled_l2`], AdamW's weight decay): w ← (1 − lr·λ2)·w before the
//!   optimizer's step, independent of the gradient. For plain SGD the two
//!   are the same; for Adam they differ, since Adam divides the coupled
//!   term by √v.
//!
//! # The order of one step
//!
//! For a penalized parameter w with data gradient g ([`PenaltyStep`]):
//! 1. decoupled L2: w ← (1 − lr·λ2)·w, with w before the step;
//! 2. coupled L2: g ← g + λ2·w;
//! 3. L1 subgradient: g ← g + λ1·sign(w);
//! 4. the optimizer's own step with this g;
//! 5. proximal L1: w ← soft_threshold(w, lr·λ1);
//! 6. group lasso ([`Penalty::group_lasso`]): each group's block soft
//!    threshold w_g ← max(1 − lr·λ·√p_g/‖w_g‖₂, 0)·w_g, on the whole
//!    parameter. With step 5 this is the exact proximal map of the sparse
//!    group lasso (see [`crate::group_lasso`]).
//!
//! With penalty factors ([`Penalty::with_factors`]) λ1 and λ2 in steps
//! 1, 2, 3 and 5 are c_j·λ1 and c_j·λ2 on column j.
//!
//! A penalty is given per parameter (each parameter of an optimizer's
//! group gets its group's [`Penalty`]), and [`PenaltyStep`] is resolved for
//! one parameter's step: the structured terms are terms of `Penalty` and
//! constants of `PenaltyStep`, not a new mechanism. A group lasso's
//! partition and the factors' columns describe one shape: every parameter
//! of the group must have it.
//!
//! # The Bayesian (MAP) view
//!
//! Minimizing J + penalty is maximizing the posterior when J is the
//! negative log-likelihood and the penalty a negative log-prior. L2 is a
//! Gaussian prior, −log N(w; 0, 1/λ2) = (λ2/2)·w² + const; L1 a Laplace
//! prior, −log Laplace(w; 0, 1/λ1) = λ1·|w| + const. The Laplace density's
//! peak at 0 is what makes exact zeros likely at the MAP estimate.

use serde::{Deserialize, Serialize};
use sparsegrad_autograd::Float;

use crate::group_lasso::{ColumnFactors, GroupLasso, Groups};

/// How the L1 term λ1·Σ|w| is applied. See the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum L1Mode {
    /// g ← g + λ1·sign(w), sign(0) = 0, before the optimizer's step.
    Subgradient,
    /// w ← soft_threshold(w, lr·λ1) after the optimizer's step.
    Proximal,
}

/// How the L2 term (λ2/2)·Σw² is applied. See the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum L2Mode {
    /// g ← g + λ2·w before the optimizer's step (classic L2: the decay
    /// passes through momentum and Adam's scaling).
    Coupled,
    /// w ← (1 − lr·λ2)·w before the optimizer's step, independent of the
    /// gradient (AdamW's weight decay).
    Decoupled,
}

/// One term of a [`Penalty`]: a strength and how it is applied.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term<M> {
    /// λ, the strength (an optimizer refuses λ < 0 or not finite).
    pub strength: f64,
    /// How the term enters the step.
    pub mode: M,
}

/// What one parameter is penalized with: λ1·Σ|w| + (λ2/2)·Σw², each term
/// with its mode, either term absent. Build one with the named
/// constructors, and combine an L1 and an L2 term (elastic net) with
/// [`and`](Penalty::and):
///
/// ```
/// use sparsegrad_nn::regularize::{L1Mode, L2Mode, Penalty};
/// let elastic = Penalty::l1_proximal(1e-3).and(Penalty::l2(1e-4));
/// assert_eq!(elastic.l1_term().map(|t| (t.strength, t.mode)), Some((1e-3, L1Mode::Proximal)));
/// assert_eq!(elastic.l2_term().map(|t| (t.strength, t.mode)), Some((1e-4, L2Mode::Coupled)));
/// assert!(Penalty::none().is_zero());
/// ```
///
/// There is no `Default`: "no penalty" is written [`Penalty::none`]. The
/// fields are private so that terms can grow (structured penalties)
/// without breaking the constructors. It serializes flat, as
/// `{"l1": λ1, "l1_mode": …, "l2": λ2, "decoupled": …}` (an absent term is
/// strength 0). A penalty with a group lasso or penalty factors has no
/// serialized form: serializing it is an error, not a silent loss of
/// those terms.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(from = "FlatPenalty")]
pub struct Penalty {
    l1: Option<Term<L1Mode>>,
    l2: Option<Term<L2Mode>>,
    /// The group lasso, applied by its proximal map as step 6.
    group: Option<GroupLasso>,
    /// Per-column factors on λ1 and λ2 (glmnet's penalty.factor).
    factors: Option<ColumnFactors>,
}

/// The serialized form of a [`Penalty`] without structured terms.
#[derive(Clone, Copy, Serialize, Deserialize)]
struct FlatPenalty {
    l1: f64,
    l1_mode: L1Mode,
    l2: f64,
    decoupled: bool,
}

impl Serialize for Penalty {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_structured() {
            return Err(serde::ser::Error::custom(
                "a penalty with a group lasso or penalty factors cannot be serialized \
                 (its flat form holds only the L1 and L2 terms)",
            ));
        }
        FlatPenalty {
            l1: self.l1_strength(),
            l1_mode: self.l1.map_or(L1Mode::Subgradient, |t| t.mode),
            l2: self.l2_strength(),
            decoupled: self.l2.is_some_and(|t| t.mode == L2Mode::Decoupled),
        }
        .serialize(serializer)
    }
}

impl From<FlatPenalty> for Penalty {
    fn from(flat: FlatPenalty) -> Self {
        let l2_mode = if flat.decoupled {
            L2Mode::Decoupled
        } else {
            L2Mode::Coupled
        };
        let mut penalty = Penalty::none();
        if flat.l1 != 0.0 {
            penalty = penalty.with_l1(flat.l1, flat.l1_mode);
        }
        if flat.l2 != 0.0 {
            penalty = penalty.with_l2(flat.l2, l2_mode);
        }
        penalty
    }
}

impl Penalty {
    /// No penalty at all.
    pub const fn none() -> Self {
        Self {
            l1: None,
            l2: None,
            group: None,
            factors: None,
        }
    }

    /// The group lasso λ·Σ_g √p_g‖w_g‖₂ over `groups`, by its block soft
    /// threshold after the step (step 6; see [`crate::group_lasso`]).
    /// With [`l1_proximal`](Penalty::l1_proximal) (`and`) it is the
    /// sparse group lasso.
    pub fn group_lasso(lambda: f64, groups: Groups) -> Self {
        Self {
            group: Some(GroupLasso::new(lambda, groups)),
            ..Self::none()
        }
    }

    /// This penalty with λ1 and λ2 multiplied by c_j on column j of the
    /// (2-D) parameter: glmnet's penalty.factor.
    pub fn with_factors(self, factors: ColumnFactors) -> Self {
        Self {
            factors: Some(factors),
            ..self
        }
    }

    /// Coupled L2 of strength λ2: g ← g + λ2·w.
    pub fn l2(lambda: f64) -> Self {
        Self::none().with_l2(lambda, L2Mode::Coupled)
    }

    /// Decoupled L2 (weight decay) of strength λ2: w ← (1 − lr·λ2)·w.
    /// With [`Adam`](crate::optim::Adam) this is torch.optim.AdamW.
    pub fn decoupled_l2(lambda: f64) -> Self {
        Self::none().with_l2(lambda, L2Mode::Decoupled)
    }

    /// Proximal L1 of strength λ1: w ← soft_threshold(w, lr·λ1) after the step.
    pub fn l1_proximal(lambda: f64) -> Self {
        Self::none().with_l1(lambda, L1Mode::Proximal)
    }

    /// Subgradient L1 of strength λ1: g ← g + λ1·sign(w).
    pub fn l1_subgradient(lambda: f64) -> Self {
        Self::none().with_l1(lambda, L1Mode::Subgradient)
    }

    /// This penalty with its L1 term set to strength λ1 applied as `mode`.
    pub fn with_l1(self, lambda: f64, mode: L1Mode) -> Self {
        Self {
            l1: Some(Term {
                strength: lambda,
                mode,
            }),
            ..self
        }
    }

    /// This penalty with its L2 term set to strength λ2 applied as `mode`.
    pub fn with_l2(self, lambda: f64, mode: L2Mode) -> Self {
        Self {
            l2: Some(Term {
                strength: lambda,
                mode,
            }),
            ..self
        }
    }

    /// The sum of two penalties with one term each, as elastic net
    /// `Penalty::l1_proximal(λ1).and(Penalty::l2(λ2))`.
    ///
    /// # Panics
    /// When both set an L1 term or both set an L2 term (which one was
    /// meant cannot be guessed).
    pub fn and(self, other: Penalty) -> Self {
        assert!(
            !(self.l1.is_some() && other.l1.is_some()),
            "Penalty::and: both penalties have an L1 term"
        );
        assert!(
            !(self.l2.is_some() && other.l2.is_some()),
            "Penalty::and: both penalties have an L2 term"
        );
        assert!(
            !(self.group.is_some() && other.group.is_some()),
            "Penalty::and: both penalties have a group lasso term"
        );
        assert!(
            !(self.factors.is_some() && other.factors.is_some()),
            "Penalty::and: both penalties have penalty factors"
        );
        Self {
            l1: self.l1.or(other.l1),
            l2: self.l2.or(other.l2),
            group: self.group.or(other.group),
            factors: self.factors.or(other.factors),
        }
    }

    /// The group lasso term, if any.
    pub fn group_lasso_term(&self) -> Option<&GroupLasso> {
        self.group.as_ref()
    }

    /// The penalty factors, if any.
    pub fn factors(&self) -> Option<&ColumnFactors> {
        self.factors.as_ref()
    }

    /// The L1 term, if any.
    pub fn l1_term(&self) -> Option<Term<L1Mode>> {
        self.l1
    }

    /// The L2 term, if any.
    pub fn l2_term(&self) -> Option<Term<L2Mode>> {
        self.l2
    }

    /// λ1, 0 without an L1 term.
    pub fn l1_strength(&self) -> f64 {
        self.l1.map_or(0.0, |t| t.strength)
    }

    /// λ2, 0 without an L2 term.
    pub fn l2_strength(&self) -> f64 {
        self.l2.map_or(0.0, |t| t.strength)
    }

    /// True when the penalty adds nothing to the objective (no term, or
    /// only strengths 0).
    pub fn is_zero(&self) -> bool {
        self.l1_strength() == 0.0
            && self.l2_strength() == 0.0
            && self.group.as_ref().is_none_or(|g| g.lambda() == 0.0)
    }

    /// `Ok` when the structured terms fit a parameter of shape `shape`,
    /// else what does not fit: the group lasso must partition exactly its
    /// elements, by element or by column (the partition's period is
    /// either its number of elements or the last dimension), and the
    /// penalty factors need one factor per column (the last dimension). A
    /// penalty without structured terms fits any shape.
    pub fn check_shape(&self, shape: &[usize]) -> Result<(), String> {
        let numel: usize = shape.iter().product();
        let columns = shape.last().copied().unwrap_or(1);
        if let Some(group) = &self.group {
            let groups = group.groups();
            let period = groups.period();
            if groups.numel() != numel || (period != numel && period != columns) {
                return Err(format!(
                    "the group lasso partitions {} elements in periods of {period}, \
                     the parameter has shape {shape:?}",
                    groups.numel()
                ));
            }
        }
        if let Some(factors) = &self.factors {
            if factors.factors().len() != columns {
                return Err(format!(
                    "{} penalty factors for a parameter of shape {shape:?} ({columns} columns)",
                    factors.factors().len()
                ));
            }
        }
        Ok(())
    }

    /// True when the penalty has a term that describes a tensor's shape
    /// (a group lasso partition or penalty factors).
    pub fn is_structured(&self) -> bool {
        self.group.is_some() || self.factors.is_some()
    }

    /// Every strength with its name (`l1`, `l2`), for the optimizer's
    /// value checks.
    pub fn strengths(&self) -> impl Iterator<Item = (&'static str, f64)> {
        let l1 = self.l1.map(|t| ("l1", t.strength));
        let l2 = self.l2.map(|t| ("l2", t.strength));
        let group = self.group.as_ref().map(|g| ("group_l1", g.lambda()));
        l1.into_iter().chain(l2).chain(group)
    }
}

/// g ← g + λ2·w, the gradient of (λ2/2)·Σw² (coupled L2).
///
/// # Panics
/// When the slices differ in length.
pub fn add_l2_gradient<T: Float>(g: &mut [T], w: &[T], l2: T) {
    assert_eq!(
        g.len(),
        w.len(),
        "add_l2_gradient: gradient and weights differ in length"
    );
    for (g, &w) in g.iter_mut().zip(w) {
        *g += l2 * w;
    }
}

/// g ← g + λ1·sign(w) with sign(0) = 0, the subgradient of λ1·Σ|w| that
/// leaves a zero weight alone.
///
/// # Panics
/// When the slices differ in length.
pub fn add_l1_subgradient<T: Float>(g: &mut [T], w: &[T], l1: T) {
    assert_eq!(
        g.len(),
        w.len(),
        "add_l1_subgradient: gradient and weights differ in length"
    );
    for (g, &w) in g.iter_mut().zip(w) {
        *g += l1 * w.sign();
    }
}

/// w ← w − rate·w, computed as w·(1 − rate) with the factor formed once
/// (as torch.optim.AdamW's `param.mul_(1 - lr * weight_decay)`). Decoupled
/// decay passes rate = lr·λ2.
pub fn decoupled_decay<T: Float>(w: &mut [T], rate: T) {
    let factor = T::one() - rate;
    for w in w {
        *w *= factor;
    }
}

/// w ← sign(w)·max(|w| − t, 0) for t ≥ 0: the proximal operator of t·|w|,
/// argminₓ ½(x − w)² + t·|x|. Sets every |w| ≤ t to exactly 0 and moves
/// the others t closer to 0.
///
/// Computed as w − clamp(w, −t, t): the same numbers (w − w is exactly 0,
/// and w ∓ t rounds as sign(w)·(|w| − t) does) without a branch, so the
/// loop vectorizes.
pub fn soft_threshold<T: Float>(w: &mut [T], t: T) {
    for w in w {
        soft_threshold_one(w, t);
    }
}

/// w ← sign(w)·max(|w| − t, 0) on one weight, as w − clamp(w, −t, t)
/// (see [`soft_threshold`]).
#[inline]
pub fn soft_threshold_one<T: Float>(w: &mut T, t: T) {
    *w -= w.max(-t).min(t);
}

/// λ1·Σ|w| + (λ2/2)·Σw², accumulated in f64: the penalty's share of the
/// objective (the same whether L2 is coupled or decoupled, L1 subgradient
/// or proximal).
///
/// With penalty factors the L1 and L2 terms are Σ_j c_j·(…) over the
/// columns, and a group lasso adds λ·Σ_g √p_g‖w_g‖₂.
pub fn penalty_value<T: Float>(w: &[T], penalty: &Penalty) -> f64 {
    let (l1, l2) = (penalty.l1_strength(), penalty.l2_strength());
    let scalar_terms = match &penalty.factors {
        Some(factors) => factors.penalty_value(w, l1, l2),
        None => {
            let (abs_sum, square_sum) = w.iter().fold((0.0, 0.0), |(a, s), &w| {
                let w = w.as_f64();
                (a + w.abs(), s + w * w)
            });
            l1 * abs_sum + 0.5 * l2 * square_sum
        }
    };
    scalar_terms + penalty.group.as_ref().map_or(0.0, |g| g.value(w))
}

/// A group's [`Penalty`] resolved for one step at learning rate lr: the
/// constants of steps 1, 2, 3 and 5 of the [update order](self), in the
/// element type, each 0 when its step does not apply, the penalty factors
/// that scale them per column, and the group lasso of step 6. Optimizers
/// call its methods on each chunk of a parameter around their own step,
/// then [`after_all`](PenaltyStep::after_all) on the whole parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PenaltyStep<'a, T> {
    /// lr·λ2 for decoupled L2, else 0.
    decay_rate: T,
    /// λ2 for coupled L2, else 0.
    l2: T,
    /// λ1 in subgradient mode, else 0.
    l1: T,
    /// lr·λ1 in proximal mode, else 0.
    threshold: T,
    /// c_j on column j: every constant above becomes c_j times itself.
    factors: Option<&'a ColumnFactors>,
    /// Step 6, with the step's lr.
    group: Option<(&'a GroupLasso, f64)>,
}

impl<'a, T: Float> PenaltyStep<'a, T> {
    /// The constants of `penalty` for a step with learning rate `lr`
    /// (products formed in f64, then rounded once to T).
    pub fn new(penalty: &'a Penalty, lr: f64) -> Self {
        let (l2, decay_rate) = match penalty.l2 {
            None => (0.0, 0.0),
            Some(Term {
                strength,
                mode: L2Mode::Coupled,
            }) => (strength, 0.0),
            Some(Term {
                strength,
                mode: L2Mode::Decoupled,
            }) => (0.0, lr * strength),
        };
        let (l1, threshold) = match penalty.l1 {
            None => (0.0, 0.0),
            Some(Term {
                strength,
                mode: L1Mode::Subgradient,
            }) => (strength, 0.0),
            Some(Term {
                strength,
                mode: L1Mode::Proximal,
            }) => (0.0, lr * strength),
        };
        Self {
            decay_rate: T::from_f64(decay_rate),
            l2: T::from_f64(l2),
            l1: T::from_f64(l1),
            threshold: T::from_f64(threshold),
            factors: penalty.factors.as_ref(),
            group: penalty.group.as_ref().map(|g| (g, lr)),
        }
    }

    /// True when steps 2 or 3 add to the gradient, so that the optimizer
    /// needs a copy of it (the parameter's own gradient is left as
    /// backward computed it, as torch does).
    pub fn changes_gradient(&self) -> bool {
        self.l2 != T::zero() || self.l1 != T::zero()
    }

    /// Step 1: decoupled decay of the weights `w`, the chunk of the
    /// parameter that starts at element `start` (which tells each element's
    /// column to the penalty factors).
    pub fn before_step(&self, w: &mut [T], start: usize) {
        if self.decay_rate != T::zero() {
            match self.factors {
                Some(factors) => factors.decay_chunk(w, start, self.decay_rate),
                None => decoupled_decay(w, self.decay_rate),
            }
        }
    }

    /// Steps 2 and 3: the gradient the optimizer should use for weights
    /// `w` (starting at element `start`) with data gradient `g`. Returns
    /// `g` itself when nothing is added, else `scratch` (of g's length)
    /// holding g + λ2·w + λ1·sign(w).
    ///
    /// # Panics
    /// When the lengths of `w`, `g` and `scratch` differ.
    pub fn gradient<'g>(&self, w: &[T], g: &'g [T], scratch: &'g mut [T], start: usize) -> &'g [T] {
        if !self.changes_gradient() {
            return g;
        }
        scratch.copy_from_slice(g);
        if let Some(factors) = self.factors {
            factors.add_gradient_chunk(scratch, w, start, self.l2, self.l1);
            return scratch;
        }
        if self.l2 != T::zero() {
            add_l2_gradient(scratch, w, self.l2);
        }
        if self.l1 != T::zero() {
            add_l1_subgradient(scratch, w, self.l1);
        }
        scratch
    }

    /// Step 5: the proximal L1 step on the updated weights `w` (starting
    /// at element `start`).
    pub fn after_step(&self, w: &mut [T], start: usize) {
        if self.threshold != T::zero() {
            match self.factors {
                Some(factors) => factors.soft_threshold_chunk(w, start, self.threshold),
                None => soft_threshold(w, self.threshold),
            }
        }
    }

    /// Step 6, on the whole updated parameter `w`: the group lasso's block
    /// soft threshold (groups span chunks, so this waits for the last one).
    pub fn after_all(&self, w: &mut [T]) {
        if let Some((group, lr)) = self.group {
            group.prox(w, lr);
        }
    }
}
