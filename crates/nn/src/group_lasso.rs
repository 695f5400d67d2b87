//! Structured penalties: the group lasso, the sparse group lasso and
//! per-column penalty factors. Where L1 zeroes single weights, a group
//! penalty zeroes whole groups at once (a feature's every weight, a
//! neuron's every outgoing weight), so inputs and neurons disappear and the
//! network can be made smaller ([`crate::compact`]).
//!
//! # Group lasso (Yuan & Lin 2006)
//!
//! A partition of a parameter w into groups g of p_g weights each, and a
//! strength λ ≥ 0:
//!
//! ```text
//! λ·Σ_g √p_g·‖w_g‖₂                         (Groups::penalty_value)
//! ```
//!
//! The weight √p_g makes a big group cost as much as √p_g single weights of
//! the same size, so groups of different sizes compete fairly. ‖·‖₂ is not
//! differentiable at 0 (the group's "corner"), which is what puts whole
//! groups on exactly 0, and also why the penalty acts only through its
//! proximal map: a gradient step would make groups oscillate around 0 as
//! subgradient L1 does.
//!
//! # The block soft threshold
//!
//! The proximal map of t·‖v‖₂ on one group is
//!
//! ```text
//! prox(u) = argmin_v ½‖v − u‖² + t·‖v‖₂ = max(1 − t/‖u‖₂, 0)·u
//! ```
//!
//! ([`block_soft_threshold`]). Why: for v ≠ 0 the gradient v − u + t·v/‖v‖
//! vanishes only for v a positive multiple of u, v = s·u, which gives
//! s = 1 − t/‖u‖, valid when ‖u‖ > t; at v = 0 the subdifferential of
//! t‖v‖ is the ball of radius t, and 0 ∈ −u + t·B exactly when ‖u‖ ≤ t. So
//! a group whose norm is at most t lands on exactly 0 as a whole, and the
//! others are shrunk towards 0 by t along their own direction. With one
//! element per group this is the scalar soft threshold. After an optimizer
//! step with learning rate lr the group g gets t = lr·λ·√p_g.
//!
//! # The closed form under a diagonal Hessian
//!
//! Near a minimum w* of the data loss J with Hessian h·I on a group,
//! J ≈ J(w*) + (h/2)‖w_g − w*_g‖², and minimizing that plus λ√p_g‖w_g‖ is
//! the proximal problem above scaled by h:
//!
//! ```text
//! w_g = max(1 − λ·√p_g / (h·‖w*_g‖₂), 0)·w*_g
//! ```
//!
//! the block soft threshold of w*_g at λ·√p_g/h: the group analogue of the
//! scalar wᵢ = sign(w*ᵢ)·max(|w*ᵢ| − λ1/Hᵢᵢ, 0) of [`crate::regularize`].
//!
//! # Sparse group lasso
//!
//! λ1·Σ|wᵢ| + λ·Σ_g √p_g‖w_g‖₂ (Simon, Friedman, Hastie & Tibshirani 2013)
//! zeroes whole groups and single weights inside the surviving groups. Its
//! proximal map is exactly the composition: the soft threshold at t1 = lr·λ1
//! then the block soft threshold at t = lr·λ·√p_g. (The minimizer v of
//! ½‖v − u‖² + t1‖v‖₁ + t‖v‖₂ satisfies 0 ∈ v − u + t1·∂‖v‖₁ + t·∂‖v‖₂;
//! with z = soft_threshold(u, t1), v = max(1 − t/‖z‖, 0)·z has the same
//! signs as z where it is not 0, so the same element of ∂‖v‖₁ serves, and
//! what remains is the block problem in z.)
//!
//! # The groups of a network (Scardapane et al. 2017)
//!
//! A unit is gone when all its *outgoing* weights are 0:
//! - an input feature j: column j of the first layer's weight W₁ [hidden,
//!   in]; user-given feature groups join several columns into one group
//!   ([`Groups::columns`]);
//! - a hidden neuron i of layer l: column i of the next linear layer's
//!   weight W_{l+1} [out, hidden], p = W_{l+1}'s number of rows
//!   ([`Groups::each_column`]).
//!
//! # Penalty factors (glmnet's penalty.factor)
//!
//! Factors c_j ≥ 0, one per column j of a weight [rows, cols], multiply the
//! strengths on that column: the penalty becomes
//! Σ_j c_j·(λ1·Σ_r |w_rj| + (λ2/2)·Σ_r w_rj²) ([`ColumnFactors`]); c_j = 0
//! leaves column j unpenalized. Every step of the update order keeps its
//! form with λ1, λ2 replaced by λ1·c_j, λ2·c_j on column j. For a linear
//! model with L1 only, fitting with factors c > 0 is fitting the plain
//! lasso on the features x_j/c_j and dividing the coefficients by c_j
//! (substitute w_j = w'_j/c_j: x_j·w_j = (x_j/c_j)·w'_j and
//! λ1·c_j·|w_j| = λ1·|w'_j|).

use sparsegrad_autograd::Float;

use crate::regularize::soft_threshold_one;

/// max(1 − t/‖u‖, 0): the factor the block soft threshold multiplies a
/// group of norm `norm` by. A group of norm ≤ t, 0 included, gets 0.
pub fn shrink_factor(norm: f64, t: f64) -> f64 {
    if norm <= t { 0.0 } else { 1.0 - t / norm }
}

/// v ← max(1 − t/‖v‖₂, 0)·v for t ≥ 0: the proximal map of t·‖v‖₂ (see
/// the [module docs](self)). A v with ‖v‖₂ ≤ t becomes exactly 0 (0 stays
/// 0); the others keep their direction and lose t of their norm. The norm
/// is accumulated in f64.
pub fn block_soft_threshold<T: Float>(v: &mut [T], t: f64) {
    let norm = v
        .iter()
        .map(|&x| {
            let x = x.as_f64();
            x * x
        })
        .sum::<f64>()
        .sqrt();
    let factor = T::from_f64(shrink_factor(norm, t));
    for x in v {
        *x *= factor;
    }
}

/// Numbers labels by first appearance: `["a", "b", "a"]` → `[0, 1, 0]`.
/// The dense labels [`Groups`] takes, from labels of any kind.
pub fn dense_labels<L: PartialEq>(labels: &[L]) -> Vec<usize> {
    let mut seen: Vec<&L> = Vec::new();
    labels
        .iter()
        .map(|label| match seen.iter().position(|&s| s == label) {
            Some(index) => index,
            None => {
                seen.push(label);
                seen.len() - 1
            }
        })
        .collect()
}

/// A partition of the elements of a parameter (row-major) into groups
/// 0..G, each group non-empty.
///
/// Element k belongs to group `labels[k mod labels.len()]`: labels for
/// every element describe any partition ([`from_labels`](Groups::from_labels));
/// labels for one row describe a partition of a matrix by columns
/// ([`columns`](Groups::columns)), stored without repeating them per row.
#[derive(Clone, Debug, PartialEq)]
pub struct Groups {
    /// The group of each element of one period.
    labels: Vec<usize>,
    /// p_g, the number of elements of each group.
    sizes: Vec<usize>,
    /// The number of elements of the parameter.
    numel: usize,
    /// labels = 0, 1, 2, …: each element of a period its own group (the
    /// common case of one group per column), summed without indexing.
    identity: bool,
}

impl Groups {
    /// Any partition: element k is in group `labels[k]`.
    ///
    /// # Panics
    /// When a group in 0..=max(labels) has no element, or `labels` is empty.
    pub fn from_labels(labels: Vec<usize>) -> Self {
        let numel = labels.len();
        Self::periodic(labels, numel)
    }

    /// The columns of a `[rows, cols]` matrix, column j in group
    /// `column_labels[j]` (cols = `column_labels.len()`): each group holds
    /// rows × (its number of columns) elements.
    ///
    /// # Panics
    /// As [`from_labels`](Groups::from_labels), and when `rows` is 0.
    pub fn columns(rows: usize, column_labels: Vec<usize>) -> Self {
        assert!(rows > 0, "Groups::columns: a matrix with 0 rows");
        let numel = rows * column_labels.len();
        Self::periodic(column_labels, numel)
    }

    /// Each column of a `[rows, cols]` matrix its own group.
    ///
    /// # Panics
    /// When `rows` or `cols` is 0.
    pub fn each_column(rows: usize, cols: usize) -> Self {
        Self::columns(rows, (0..cols).collect())
    }

    /// Labels repeated over `numel` elements (a multiple of their number).
    fn periodic(labels: Vec<usize>, numel: usize) -> Self {
        assert!(!labels.is_empty(), "Groups: no labels");
        let n_groups = labels.iter().max().map_or(0, |&m| m + 1);
        let mut sizes = vec![0; n_groups];
        for &label in &labels {
            sizes[label] += 1;
        }
        if let Some(empty) = sizes.iter().position(|&s| s == 0) {
            panic!("Groups: group {empty} has no element (labels must be 0..G, each used)");
        }
        let repeats = numel / labels.len();
        for size in &mut sizes {
            *size *= repeats;
        }
        let identity = labels.iter().enumerate().all(|(i, &l)| i == l);
        Self {
            labels,
            sizes,
            numel,
            identity,
        }
    }

    /// G, the number of groups.
    pub fn n_groups(&self) -> usize {
        self.sizes.len()
    }

    /// p_g for each group.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The length of the labels' period: the number of elements for a
    /// partition by element, the number of columns for one by column.
    pub fn period(&self) -> usize {
        self.labels.len()
    }

    /// The number of elements partitioned.
    pub fn numel(&self) -> usize {
        self.numel
    }

    /// `sum_sq[g] ← Σ_{k ∈ g} w_k²` in f64 (`sum_sq` has one entry per group).
    ///
    /// # Panics
    /// When `w` or `sum_sq` has the wrong length.
    pub fn sums_of_squares<T: Float>(&self, w: &[T], sum_sq: &mut [f64]) {
        self.check_len(w.len());
        assert_eq!(sum_sq.len(), self.n_groups(), "Groups: one sum per group");
        sum_sq.fill(0.0);
        for period in w.chunks_exact(self.labels.len()) {
            if self.identity {
                for (s, &x) in sum_sq.iter_mut().zip(period) {
                    let x = x.as_f64();
                    *s += x * x;
                }
            } else {
                for (&label, &x) in self.labels.iter().zip(period) {
                    let x = x.as_f64();
                    sum_sq[label] += x * x;
                }
            }
        }
    }

    /// ‖w_g‖₂ for each group g.
    pub fn norms<T: Float>(&self, w: &[T]) -> Vec<f64> {
        let mut norms = vec![0.0; self.n_groups()];
        self.sums_of_squares(w, &mut norms);
        norms.iter_mut().for_each(|n| *n = n.sqrt());
        norms
    }

    /// λ·Σ_g √p_g·‖w_g‖₂, the group lasso's share of the objective.
    pub fn penalty_value<T: Float>(&self, w: &[T], lambda: f64) -> f64 {
        let norms = self.norms(w);
        lambda
            * norms
                .iter()
                .zip(&self.sizes)
                .map(|(norm, &p)| (p as f64).sqrt() * norm)
                .sum::<f64>()
    }

    /// How many groups are all exactly 0.
    pub fn zero_groups<T: Float>(&self, w: &[T]) -> usize {
        self.nonzero(w).iter().filter(|&&nonzero| !nonzero).count()
    }

    /// For each group, whether some element is not exactly 0 (a norm can
    /// underflow to 0 where a weight is not).
    pub fn nonzero<T: Float>(&self, w: &[T]) -> Vec<bool> {
        self.check_len(w.len());
        let mut nonzero = vec![false; self.n_groups()];
        for period in w.chunks_exact(self.labels.len()) {
            for (&label, &x) in self.labels.iter().zip(period) {
                nonzero[label] |= x != T::zero();
            }
        }
        nonzero
    }

    /// Multiplies each element by its group's entry of `scale`.
    fn scale<T: Float>(&self, w: &mut [T], scale: &[T]) {
        for period in w.chunks_exact_mut(self.labels.len()) {
            if self.identity {
                for (x, &s) in period.iter_mut().zip(scale) {
                    *x *= s;
                }
            } else {
                for (&label, x) in self.labels.iter().zip(period) {
                    *x *= scale[label];
                }
            }
        }
    }

    fn check_len(&self, len: usize) {
        assert_eq!(
            len, self.numel,
            "Groups: {len} elements given for a partition of {}",
            self.numel
        );
    }
}

/// Groups up to this many get their sums of squares on the stack; larger
/// partitions (rare: a group per input of a very wide layer) allocate one
/// buffer per step.
const STACK_GROUPS: usize = 1024;

/// The group lasso λ·Σ_g √p_g‖w_g‖₂ on one parameter: a strength and a
/// partition of the parameter's elements.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupLasso {
    groups: Groups,
    lambda: f64,
}

impl GroupLasso {
    /// The penalty λ·Σ_g √p_g‖w_g‖₂ over `groups` (an optimizer refuses λ
    /// < 0 or not finite).
    pub fn new(lambda: f64, groups: Groups) -> Self {
        Self { groups, lambda }
    }

    /// The partition.
    pub fn groups(&self) -> &Groups {
        &self.groups
    }

    /// λ.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The proximal step after an optimizer step with learning rate `lr`:
    /// each group's block soft threshold at t_g = lr·λ·√p_g,
    /// w_g ← max(1 − t_g/‖w_g‖₂, 0)·w_g. Two passes over w: the groups'
    /// sums of squares (in f64), then the scaling. Nothing is allocated
    /// for up to 1024 groups.
    ///
    /// # Panics
    /// When `w` does not have the partition's length.
    pub fn prox<T: Float>(&self, w: &mut [T], lr: f64) {
        let n = self.groups.n_groups();
        let (mut sums_stack, mut factors_stack) = ([0.0; STACK_GROUPS], [T::zero(); STACK_GROUPS]);
        let (mut sums_heap, mut factors_heap) = (Vec::new(), Vec::new());
        let (sums, factors) = if n <= STACK_GROUPS {
            (&mut sums_stack[..n], &mut factors_stack[..n])
        } else {
            sums_heap.resize(n, 0.0);
            factors_heap.resize(n, T::zero());
            (&mut sums_heap[..], &mut factors_heap[..])
        };
        self.groups.sums_of_squares(w, sums);
        let rate = lr * self.lambda;
        for ((factor, &sum), &p) in factors.iter_mut().zip(sums.iter()).zip(&self.groups.sizes) {
            *factor = T::from_f64(shrink_factor(sum.sqrt(), rate * (p as f64).sqrt()));
        }
        self.groups.scale(w, factors);
    }

    /// λ·Σ_g √p_g‖w_g‖₂ at `w`.
    pub fn value<T: Float>(&self, w: &[T]) -> f64 {
        self.groups.penalty_value(w, self.lambda)
    }
}

/// Penalty factors c_j ≥ 0 on the columns of a weight `[rows, cols]`
/// (glmnet's penalty.factor): the L1 and L2 strengths on column j are
/// λ1·c_j and λ2·c_j. See the [module docs](self).
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnFactors {
    factors: Vec<f64>,
}

impl ColumnFactors {
    /// One factor per column.
    ///
    /// # Panics
    /// When a factor is negative or not finite, or there is none.
    pub fn new(factors: Vec<f64>) -> Self {
        assert!(!factors.is_empty(), "ColumnFactors: no column");
        if let Some(bad) = factors.iter().find(|c| !(c.is_finite() && **c >= 0.0)) {
            panic!("ColumnFactors: factor {bad} must be finite and ≥ 0");
        }
        Self { factors }
    }

    /// c_j for each column j.
    pub fn factors(&self) -> &[f64] {
        &self.factors
    }

    /// Σ_j c_j·(λ1·Σ_r |w_rj| + (λ2/2)·Σ_r w_rj²) for w `[rows, cols]`
    /// row-major, in f64.
    ///
    /// # Panics
    /// When `w`'s length is not a multiple of the number of columns.
    pub fn penalty_value<T: Float>(&self, w: &[T], l1: f64, l2: f64) -> f64 {
        let cols = self.factors.len();
        assert_eq!(
            w.len() % cols,
            0,
            "ColumnFactors: {} elements do not make rows of {cols} columns",
            w.len()
        );
        let mut abs_sum = vec![0.0; cols];
        let mut square_sum = vec![0.0; cols];
        for row in w.chunks_exact(cols) {
            for ((&x, a), s) in row.iter().zip(&mut abs_sum).zip(&mut square_sum) {
                let x = x.as_f64();
                *a += x.abs();
                *s += x * x;
            }
        }
        self.factors
            .iter()
            .zip(abs_sum.iter().zip(&square_sum))
            .map(|(c, (a, s))| c * (l1 * a + 0.5 * l2 * s))
            .sum()
    }

    /// c_j for the elements of a chunk of the row-major weight that
    /// starts at element `start`, in order (wrapping round the rows).
    fn columns_from(&self, start: usize) -> impl Iterator<Item = &f64> {
        let offset = start % self.factors.len();
        self.factors[offset..]
            .iter()
            .chain(self.factors.iter().cycle())
    }

    /// Step 1 on a chunk starting at element `start`: w ← (1 − c_j·r)·w
    /// with r = lr·λ2 (decoupled decay at column j's strength).
    pub fn decay_chunk<T: Float>(&self, w: &mut [T], start: usize, rate: T) {
        for (w, &c) in w.iter_mut().zip(self.columns_from(start)) {
            *w *= T::one() - T::from_f64(c) * rate;
        }
    }

    /// Steps 2 and 3 on a chunk: g ← g + c_j·(λ2·w + λ1·sign(w)) (either
    /// strength 0 when its step does not apply).
    pub fn add_gradient_chunk<T: Float>(&self, g: &mut [T], w: &[T], start: usize, l2: T, l1: T) {
        for ((g, &w), &c) in g.iter_mut().zip(w).zip(self.columns_from(start)) {
            *g += T::from_f64(c) * (l2 * w + l1 * w.sign());
        }
    }

    /// Step 5 on a chunk: the soft threshold at c_j·t on column j, t = lr·λ1.
    pub fn soft_threshold_chunk<T: Float>(&self, w: &mut [T], start: usize, threshold: T) {
        for (w, &c) in w.iter_mut().zip(self.columns_from(start)) {
            soft_threshold_one(w, T::from_f64(c) * threshold);
        }
    }
}
