//! Cyclic coordinate descent for the lasso, ridge and the elastic net in
//! covariance form, along a warm-started λ path, stopped on the duality gap.
//!
//! # The update
//!
//! On the standardized problem ([`LeastSquares`]: J(w) = yy − 2qᵀw + wᵀGw)
//! the objective at one λ is F(w) = J(w) + λ1·‖w‖₁ + (λ2/2)·‖w‖². Keep
//! c = q − Gw (the correlation of each feature with the residual, /n). As a
//! function of wⱼ alone, F is Gⱼⱼ·wⱼ² − 2·wⱼ·ρ + λ1·|wⱼ| + (λ2/2)·wⱼ² + const
//! with ρ = cⱼ + Gⱼⱼ·wⱼ (the correlation without feature j), whose exact
//! minimizer is the soft threshold
//!
//! ```text
//! wⱼ ← S(ρ, λ1/2) / (Gⱼⱼ + λ2/2),      S(z, t) = sign(z)·max(|z| − t, 0),
//! ```
//!
//! after which c ← c − Δwⱼ·G[:, j] ("covariance updates", Friedman, Hastie
//! & Tibshirani 2010, §2.2). A coordinate that stays 0 costs O(1); one that
//! moves costs O(d), never O(n). Because a zero coefficient is that cheap
//! to visit, a full sweep costs little more than a sweep of the active set,
//! and screening rules (glmnet's strong rules) would save only the O(d)
//! scan; the loop instead sweeps the active set (wⱼ ≠ 0) while no zero
//! coefficient violates its optimality condition |2cⱼ| ≤ λ1, and all
//! features otherwise (glmnet's and skglm's working-set order).
//!
//! # The stopping rule: the duality gap
//!
//! In scikit-learn's scaling, P(w) = ½‖r‖² + a‖w‖₁ + (b/2)‖w‖² with
//! a = nλ1/2, b = nλ2/2 and r = (y − ȳ) − Zw, so F = (2/n)·P. Two dual
//! points bound P(w) − P(w*) from above; the solver takes the smaller gap.
//!
//! - The elastic net as a lasso on the augmented data [Z; √b·I], [y; 0]
//!   (scikit-learn's `enet_coordinate_descent`): the scaled residual
//!   θ = κ·r̃ with κ = min(1, a/‖Zᵀr − bw‖∞) is dual feasible, and
//!   ```text
//!   gap_F = (1 + κ²)·(‖r‖²/n + (λ2/2)‖w‖²) + λ1‖w‖₁ − 2κ·(yy − qᵀw),
//!   κ = min(1, (λ1/2)/maxⱼ|cⱼ − (λ2/2)wⱼ|).
//!   ```
//! - For λ2 > 0, the Fenchel dual at θ = r, with g*(v) = Σ(|vⱼ| − a)₊²/(2b):
//!   ```text
//!   gap_F = 2‖r‖²/n − 2(yy − qᵀw) + λ1‖w‖₁ + (λ2/2)‖w‖² + (2/λ2)·Σⱼ(|cⱼ| − λ1/2)₊²,
//!   ```
//!   the one that works for ridge (λ1 = 0, where the first gives κ = 0).
//!
//! Here ‖r‖²/n = yy − qᵀw − cᵀw (from Gw = q − c), so the gap costs O(d) and
//! is checked after every sweep. A fit stops when the gap is at most
//! `tol`·yy, i.e. gap of F ≤ tol·‖y − ȳ‖²/n: twice as strict as
//! scikit-learn's rule with the same tol (its gap is of F/2 in these units),
//! and the gap bounds F(w) − F(w*), so it is a guarantee on the objective.
//! It also stops at a fixed point (a full sweep that moves no coordinate by
//! more than 16ε·‖w‖∞, ε = 2⁻⁵²: the last bits may cycle, nothing is left
//! to gain in floating point), and after `max_sweeps`.
//! Before a fit is declared converged, c is recomputed from w (the running
//! updates accumulate rounding) and the gap checked again.

use ndarray::{Array1, Array2};
use serde::Serialize;

use super::grid::PathPenalty;
use super::least_squares::LeastSquares;

/// When a coordinate-descent fit stops.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Stopping {
    /// Stop when the duality gap of F is at most `tol`·‖y − ȳ‖²/n; with 0,
    /// run to the fixed point (a full sweep that moves no coefficient).
    pub tol: f64,
    /// Stop after this many sweeps even if not converged.
    pub max_sweeps: usize,
}

impl Default for Stopping {
    /// tol = 1e−4 (scikit-learn's `Lasso` default), at most 10 000 sweeps.
    fn default() -> Self {
        Self {
            tol: 1e-4,
            max_sweeps: 10_000,
        }
    }
}

/// The fit at one λ of a linear path.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinearFit {
    /// λ.
    pub lambda: f64,
    /// λ1 = α·λ.
    pub l1: f64,
    /// λ2 = (1 − α)·λ.
    pub l2: f64,
    /// The coefficients of the standardized features (per standard
    /// deviation of each feature).
    pub coefficients: Vec<f64>,
    /// The training data loss J(w) = ‖r‖²/n.
    pub train_loss: f64,
    /// The duality gap of F reached: F(w) − F(w*) ≤ `gap`.
    pub gap: f64,
    /// `gap`/(‖y − ȳ‖²/n), what [`Stopping::tol`] bounds (0 when both are 0).
    pub relative_gap: f64,
    /// Sweeps run (a sweep visits every feature of its set once).
    pub sweeps: usize,
    /// Whether it stopped on the gap or at a fixed point (not on `max_sweeps`).
    pub converged: bool,
}

/// The state of coordinate descent on one problem: w and c = q − Gw.
struct Solver<'a> {
    problem: &'a LeastSquares,
    w: Array1<f64>,
    c: Array1<f64>,
}

impl<'a> Solver<'a> {
    /// Starts at w = 0 (c = q).
    fn new(problem: &'a LeastSquares) -> Self {
        Solver {
            problem,
            w: Array1::zeros(problem.n_features()),
            c: problem.xty().clone(),
        }
    }

    /// One cyclic pass over `features` at (λ1, λ2); returns the largest
    /// |Δwⱼ|.
    fn sweep(&mut self, features: impl Iterator<Item = usize>, l1: f64, l2: f64) -> f64 {
        let gram = self.problem.gram();
        let mut largest = 0.0_f64;
        for j in features {
            let curvature = gram[[j, j]];
            if curvature == 0.0 {
                // a constant feature: its standardized column is 0
                continue;
            }
            let old = self.w[j];
            let rho = self.c[j] + curvature * old;
            let new = soft_threshold(rho, l1 / 2.0) / (curvature + l2 / 2.0);
            let step = new - old;
            if step != 0.0 {
                // c ← c − Δwⱼ·G[:, j]; G is symmetric, so its row j is contiguous
                self.c.scaled_add(-step, &gram.row(j));
                self.w[j] = new;
                largest = largest.max(step.abs());
            }
        }
        largest
    }

    /// c ← q − Gw from scratch, over the nonzero wⱼ.
    fn refresh(&mut self) {
        let gram = self.problem.gram();
        self.c.assign(self.problem.xty());
        for (j, &w) in self.w.iter().enumerate() {
            if w != 0.0 {
                self.c.scaled_add(-w, &gram.row(j));
            }
        }
    }

    /// ‖w‖∞.
    fn largest_coefficient(&self) -> f64 {
        self.w.iter().fold(0.0, |m, w| m.max(w.abs()))
    }

    /// ‖r‖²/n = yy − qᵀw − cᵀw.
    fn train_loss(&self) -> f64 {
        let p = self.problem;
        (p.yy() - p.xty().dot(&self.w) - self.c.dot(&self.w)).max(0.0)
    }

    /// The smaller of the two duality gaps of the [module docs](self).
    fn gap(&self, l1: f64, l2: f64) -> f64 {
        let p = self.problem;
        let rr = self.train_loss();
        let ry = p.yy() - p.xty().dot(&self.w);
        let w_l1: f64 = self.w.iter().map(|w| w.abs()).sum();
        let w_l2 = self.w.dot(&self.w);
        let dual_norm = self
            .c
            .iter()
            .zip(&self.w)
            .fold(0.0_f64, |m, (c, w)| m.max((c - l2 / 2.0 * w).abs()));
        let kappa = if dual_norm > l1 / 2.0 {
            l1 / 2.0 / dual_norm
        } else {
            1.0
        };
        let augmented =
            (1.0 + kappa * kappa) * (rr + l2 / 2.0 * w_l2) + l1 * w_l1 - 2.0 * kappa * ry;
        if l2 > 0.0 {
            let excess: f64 = self
                .c
                .iter()
                .map(|c| (c.abs() - l1 / 2.0).max(0.0).powi(2))
                .sum();
            let fenchel = 2.0 * rr - 2.0 * ry + l1 * w_l1 + l2 / 2.0 * w_l2 + 2.0 / l2 * excess;
            augmented.min(fenchel).max(0.0)
        } else {
            augmented.max(0.0)
        }
    }

    /// Whether a zero coefficient violates |2cⱼ| ≤ λ1.
    fn zero_violates(&self, l1: f64) -> bool {
        self.w
            .iter()
            .zip(&self.c)
            .any(|(&w, &c)| w == 0.0 && 2.0 * c.abs() > l1)
    }

    /// Minimizes F at (λ1, λ2) from the current w; returns (gap, sweeps,
    /// converged).
    fn solve(&mut self, l1: f64, l2: f64, stopping: &Stopping) -> (f64, usize, bool) {
        let d = self.problem.n_features();
        let target = stopping.tol * self.problem.yy();
        let mut full = true;
        let mut sweeps = 0;
        let mut gap = f64::INFINITY;
        while sweeps < stopping.max_sweeps {
            let set: Vec<usize> = (0..d).filter(|&j| full || self.w[j] != 0.0).collect();
            let everything = set.len() == d;
            let largest = self.sweep(set.into_iter(), l1, l2);
            sweeps += 1;
            gap = self.gap(l1, l2);
            let settled = largest <= FIXED_POINT * self.largest_coefficient();
            let fixed_point = everything && settled;
            // with tol = 0 only the fixed point stops: a gap computed at
            // rounding level can come out ≤ 0 well before it
            let small = |gap: f64| stopping.tol > 0.0 && gap <= target;
            if small(gap) || fixed_point {
                self.refresh();
                gap = self.gap(l1, l2);
                if small(gap) || fixed_point {
                    return (gap, sweeps, true);
                }
            }
            // back to every feature when the active set has settled or a
            // zero coefficient wants to enter
            full = settled || self.zero_violates(l1);
        }
        (gap, sweeps, false)
    }
}

/// A full sweep that moves no coefficient by more than this times ‖w‖∞
/// has reached the floating-point fixed point: 16 ulps, room for the
/// rounding of the running c to make the last bits cycle.
const FIXED_POINT: f64 = 16.0 * f64::EPSILON;

/// S(z, t) = sign(z)·max(|z| − t, 0).
fn soft_threshold(z: f64, t: f64) -> f64 {
    if z > t {
        z - t
    } else if z < -t {
        z + t
    } else {
        0.0
    }
}

/// The path of `penalty` on `problem` over `lambdas` (largest first): each
/// fit starts from the previous one's solution (the first from w = 0) and
/// stops as `stopping` says (see the [module docs](self)).
///
/// ```
/// use ndarray::array;
/// use sparsegrad_nn::path::{LeastSquares, PathPenalty, Stopping, linear_path};
/// // y = x₀ on standardized, uncorrelated features
/// let x = array![[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]];
/// let y = array![1.0, -1.0, 1.0, -1.0];
/// let problem = LeastSquares::from_data(x.view(), y.view());
/// let fits = linear_path(&problem, &[1.0], PathPenalty::L1, &Stopping::default());
/// // G = I, q = (1, 0): w₀ = S(2·1, 1)/2 = 0.5, w₁ = 0 exactly
/// assert_eq!(fits[0].coefficients, [0.5, 0.0]);
/// assert!(fits[0].converged && fits[0].gap <= 1e-12);
/// ```
pub fn linear_path(
    problem: &LeastSquares,
    lambdas: &[f64],
    penalty: PathPenalty,
    stopping: &Stopping,
) -> Vec<LinearFit> {
    let mut solver = Solver::new(problem);
    lambdas
        .iter()
        .map(|&lambda| {
            let (l1, l2) = penalty.split(lambda);
            let (gap, sweeps, converged) = solver.solve(l1, l2, stopping);
            LinearFit {
                lambda,
                l1,
                l2,
                coefficients: solver.w.to_vec(),
                train_loss: solver.train_loss(),
                gap,
                relative_gap: if gap == 0.0 { 0.0 } else { gap / problem.yy() },
                sweeps,
                converged,
            }
        })
        .collect()
}

/// The coefficients of `fits` as the columns of a d × L matrix.
pub(crate) fn coefficient_matrix(fits: &[LinearFit], d: usize) -> Array2<f64> {
    Array2::from_shape_fn((d, fits.len()), |(j, k)| fits[k].coefficients[j])
}
