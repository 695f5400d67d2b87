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

/// The group lasso λ·Σ_g √p_g‖w_g‖₂ on one parameter, with the buffers its
/// proximal step reuses (nothing is allocated per step).
#[derive(Clone, Debug)]
pub struct GroupLasso<T> {
    groups: Groups,
    lambda: f64,
    sum_sq: Vec<f64>,
    scale: Vec<T>,
}

impl<T: Float> GroupLasso<T> {
    /// The penalty λ·Σ_g √p_g‖w_g‖₂ over `groups`.
    ///
    /// # Panics
    /// When λ is negative or not finite.
    pub fn new(groups: Groups, lambda: f64) -> Self {
        assert!(
            lambda.is_finite() && lambda >= 0.0,
            "GroupLasso: λ = {lambda} must be finite and ≥ 0"
        );
        let n = groups.n_groups();
        Self {
            groups,
            lambda,
            sum_sq: vec![0.0; n],
            scale: vec![T::zero(); n],
        }
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
    /// w_g ← max(1 − t_g/‖w_g‖₂, 0)·w_g. Two passes: the groups' norms,
    /// then the scaling.
    ///
    /// # Panics
    /// When `w` does not have the partition's length.
    pub fn prox(&mut self, w: &mut [T], lr: f64) {
        self.groups.sums_of_squares(w, &mut self.sum_sq);
        let rate = lr * self.lambda;
        for ((scale, &sum_sq), &p) in self
            .scale
            .iter_mut()
            .zip(&self.sum_sq)
            .zip(&self.groups.sizes)
        {
            *scale = T::from_f64(shrink_factor(sum_sq.sqrt(), rate * (p as f64).sqrt()));
        }
        self.groups.scale(w, &self.scale);
    }

    /// λ·Σ_g √p_g‖w_g‖₂ at `w`.
    pub fn value(&self, w: &[T]) -> f64 {
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

    /// The per-column constants of one step, in the element type:
    /// each strength constant of the update order multiplied by c_j
    /// (`decay_rate` = lr·λ2 when decoupled, `l2` = λ2 when coupled,
    /// `l1` = λ1 in subgradient mode, `threshold` = lr·λ1 in proximal mode;
    /// 0 where a step does not apply).
    pub fn step<T: Float>(
        &self,
        decay_rate: f64,
        l2: f64,
        l1: f64,
        threshold: f64,
    ) -> FactorStep<T> {
        let scaled = |constant: f64| -> Vec<T> {
            if constant == 0.0 {
                Vec::new()
            } else {
                self.factors
                    .iter()
                    .map(|c| T::from_f64(c * constant))
                    .collect()
            }
        };
        FactorStep {
            decay_factor: (decay_rate != 0.0)
                .then(|| {
                    self.factors
                        .iter()
                        .map(|c| T::from_f64(1.0 - c * decay_rate))
                        .collect()
                })
                .unwrap_or_default(),
            l2: scaled(l2),
            l1: scaled(l1),
            threshold: scaled(threshold),
        }
    }
}

/// The steps 1, 2, 3 and 5 of the update order with per-column constants,
/// applied to one row of a weight at a time (a row's element j is column
/// j, so every step is a plain zip of two slices). An empty vector means
/// the step does not apply.
#[derive(Clone, Debug, PartialEq)]
pub struct FactorStep<T> {
    /// 1 − c_j·lr·λ2 (decoupled L2).
    decay_factor: Vec<T>,
    /// c_j·λ2 (coupled L2).
    l2: Vec<T>,
    /// c_j·λ1 (subgradient L1).
    l1: Vec<T>,
    /// c_j·lr·λ1 (proximal L1).
    threshold: Vec<T>,
}

impl<T: Float> FactorStep<T> {
    /// True when steps 2 or 3 add to the gradient.
    pub fn changes_gradient(&self) -> bool {
        !self.l2.is_empty() || !self.l1.is_empty()
    }

    /// Step 1 on one row: w_j ← (1 − c_j·lr·λ2)·w_j.
    pub fn before_step(&self, row: &mut [T]) {
        for (w, &f) in row.iter_mut().zip(&self.decay_factor) {
            *w *= f;
        }
    }

    /// Steps 2 and 3 on one row: `scratch` ← g + c_j·λ2·w + c_j·λ1·sign(w),
    /// returned (or `g` itself when nothing is added).
    pub fn gradient<'a>(&self, row: &[T], g: &'a [T], scratch: &'a mut [T]) -> &'a [T] {
        if !self.changes_gradient() {
            return g;
        }
        scratch.copy_from_slice(g);
        for ((s, &w), &l2) in scratch.iter_mut().zip(row).zip(&self.l2) {
            *s += l2 * w;
        }
        for ((s, &w), &l1) in scratch.iter_mut().zip(row).zip(&self.l1) {
            *s += l1 * w.sign();
        }
        scratch
    }

    /// Step 5 on one row: w_j ← w_j − clamp(w_j, −c_j·lr·λ1, c_j·lr·λ1),
    /// the soft threshold at each column's own threshold.
    pub fn after_step(&self, row: &mut [T]) {
        for (w, &t) in row.iter_mut().zip(&self.threshold) {
            *w -= w.max(-t).min(t);
        }
    }
}
