//! The penalty along a path and the grid of λ it is evaluated on.
//!
//! # The objective
//!
//! For features X (n × d), targets y, weights w and an unpenalized
//! intercept b, the path minimizes at each λ the project's objective
//!
//! ```text
//! F(w, b) = (1/n)·Σᵢ (yᵢ − xᵢᵀw − b)²  +  λ1·‖w‖₁  +  (λ2/2)·‖w‖²
//! ```
//!
//! (MSE as the plain mean, no ½), with λ1 = α·λ and λ2 = (1 − α)·λ, where
//! α is the L1 ratio: 1 for `l1` (the lasso), 0 for `l2` (ridge), the
//! value chosen for the elastic net.
//!
//! **Against scikit-learn.** `Lasso(alpha=a)` minimizes
//! (1/(2n))·‖r‖² + a·‖w‖₁ and `ElasticNet(alpha=a, l1_ratio=ρ)` minimizes
//! (1/(2n))·‖r‖² + a·ρ·‖w‖₁ + ½·a·(1 − ρ)·‖w‖². Twice the latter is
//! (1/n)·‖r‖² + 2aρ·‖w‖₁ + a(1 − ρ)·‖w‖², which is F with λ = 2a and
//! α = ρ. So the same l1_ratio, and **λ here = 2 × scikit-learn's alpha**;
//! the minimizers are identical.
//!
//! # λ_max, exactly (L1 and elastic net)
//!
//! F is convex, so (w, b) = (0, b₀) minimizes it iff 0 is in its
//! subdifferential there. In b: ∂F/∂b = −(2/n)·Σᵢ(yᵢ − b₀) = 0 forces
//! b₀ = ȳ. In w, the L2 term has gradient λ2·w = 0 at w = 0 and |wⱼ| has
//! subdifferential [−1, 1] at 0, so the condition is, for every feature j,
//!
//! ```text
//! |∂J/∂wⱼ (0, ȳ)| = |(2/n)·Σᵢ xᵢⱼ·(yᵢ − ȳ)| ≤ λ1 = α·λ.
//! ```
//!
//! Hence all weights are zero exactly when λ ≥ λ_max with
//!
//! ```text
//! λ_max = (2/(n·α)) · maxⱼ |Σᵢ xᵢⱼ·(yᵢ − ȳ)|
//! ```
//!
//! and for any smaller λ no (0, b) is optimal ([`lambda_max_l1`] computes
//! it for α = 1). The factor 2 is the derivative of the square without ½
//! (scikit-learn's `alpha_max = max|Xᵀ(y − ȳ)|/(n·l1_ratio)` is half of it),
//! and Σᵢ xᵢⱼ(yᵢ − ȳ) = Σᵢ (xᵢⱼ − x̄ⱼ)(yᵢ − ȳ), so X need not be centered.
//!
//! # The top of a ridge grid
//!
//! Pure L2 (α = 0) never makes a weight exactly zero, so there is no
//! λ_max. With H = (2/n)·XcᵀXc the Hessian of J in w (Xc centered) and
//! L ≥ its largest eigenvalue, the ridge solution is (H + λ2)⁻¹·H·w_ols,
//! and in H's eigenbasis each component is shrunk by hₖ/(hₖ + λ2) ≤
//! L/(L + λ2). The grid starts at λ = 999·L, where that factor is 1/1000:
//! ‖w‖₂ ≤ ‖w_ols‖₂/1000, the weights are all but zero.
//!
//! # The grid
//!
//! As scikit-learn's `_alpha_grid`: N values spaced evenly in log λ from
//! λ_top down to λ_top·eps, largest first (`np.logspace(log10(top·eps),
//! log10(top), N)[::-1]`).

use ndarray::{ArrayView1, ArrayView2};
use serde::Serialize;

use super::least_squares::LeastSquares;

/// Which penalty the path varies.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PathPenalty {
    /// λ1 = λ, λ2 = 0: the lasso.
    L1,
    /// λ1 = 0, λ2 = λ: ridge (coupled L2).
    L2,
    /// λ1 = α·λ, λ2 = (1 − α)·λ with α = `l1_ratio` in [0, 1].
    Elastic {
        /// α.
        l1_ratio: f64,
    },
}

impl PathPenalty {
    /// α, the share of λ that goes to L1.
    pub fn l1_ratio(&self) -> f64 {
        match *self {
            PathPenalty::L1 => 1.0,
            PathPenalty::L2 => 0.0,
            PathPenalty::Elastic { l1_ratio } => l1_ratio,
        }
    }

    /// (λ1, λ2) = (α·λ, (1 − α)·λ) at `lambda`.
    pub fn split(&self, lambda: f64) -> (f64, f64) {
        let alpha = self.l1_ratio();
        (alpha * lambda, (1.0 - alpha) * lambda)
    }

    /// The largest λ of the grid: λ_max = λ_max(L1)/α when α > 0 (all
    /// weights zero from there on), raised by a relative 10⁻¹⁰, else
    /// 999·L with L = [`LeastSquares::lipschitz`] (see the [module
    /// docs](self)), all on `problem` (the standardized data). L costs
    /// power iterations on G, so it is computed only for ridge.
    ///
    /// At λ_max itself the largest correlation sits exactly on the
    /// threshold, and whether its weight comes out 0 or a rounding-sized
    /// number depends on the order of the sums: the training's gradient
    /// and λ_max are summed by different routines (with OpenBLAS, they
    /// differed in the last bit). 10⁻¹⁰ is far above that rounding (about
    /// n·2⁻⁵³) and far below anything a plot or a table shows.
    pub fn grid_top(&self, problem: &LeastSquares) -> f64 {
        let alpha = self.l1_ratio();
        if alpha > 0.0 {
            problem.lambda_max_l1() / alpha * (1.0 + 1e-10)
        } else {
            999.0 * problem.lipschitz()
        }
    }

    /// Whether [`grid_top`](Self::grid_top) is the exact λ_max of a linear
    /// model (every penalty with an L1 part), not the ridge convention.
    pub fn has_exact_lambda_max(&self) -> bool {
        self.l1_ratio() > 0.0
    }
}

/// λ_max of the lasso with a fitted intercept, (2/n)·maxⱼ|Σᵢ xᵢⱼ(yᵢ − ȳ)|:
/// the smallest λ1 at which every weight of the linear model is zero (see
/// the [module docs](self) for the derivation).
///
/// # Panics
/// When `x` has no rows or its rows are not as many as `y`'s entries.
pub fn lambda_max_l1(x: ArrayView2<f64>, y: ArrayView1<f64>) -> f64 {
    let n = x.nrows();
    assert!(
        n > 0 && n == y.len(),
        "lambda_max_l1: {n} rows of features and {} targets",
        y.len()
    );
    let y_mean = y.sum() / n as f64;
    let centered = y.mapv(|v| v - y_mean);
    let correlations = x.t().dot(&centered);
    2.0 / n as f64 * largest_magnitude(correlations.iter().copied())
}

/// maxⱼ|cⱼ| (0 for none) that keeps a NaN: targets too large to center
/// give NaN correlations, for the caller to refuse; `f64::max` would drop
/// them and report a constant target.
pub(crate) fn largest_magnitude(values: impl IntoIterator<Item = f64>) -> f64 {
    values.into_iter().fold(0.0_f64, |m, c| {
        if c.is_nan() || c.abs() > m {
            c.abs()
        } else {
            m
        }
    })
}

/// The smallest `eps` the programs accept for a grid from `top` down to
/// `top·eps`. Below it the last λ is under f64's rounding error (2.2e-16
/// relative) of what it is compared with, the gradient at zero weights,
/// whose largest entry is the top: such points differ from λ = 0 only by
/// rounding, and a chart of them spans hundreds of decades.
pub const MIN_GRID_EPS: f64 = 1e-15;

/// `count` values of λ from `top` down to `top·eps`, evenly spaced in log λ,
/// largest first; the first is exactly `top`.
///
/// # Panics
/// When `top` is not positive and finite, `eps` not in (0, 1], or
/// `count` is 0.
///
/// ```
/// use sparsegrad_nn::path::log_grid;
/// let grid = log_grid(10.0, 1e-2, 3);
/// assert_eq!(grid[0], 10.0);
/// assert!((grid[1] - 1.0).abs() < 1e-12 && (grid[2] - 0.1).abs() < 1e-12);
/// ```
pub fn log_grid(top: f64, eps: f64, count: usize) -> Vec<f64> {
    assert!(
        top.is_finite() && top > 0.0 && eps > 0.0 && eps <= 1.0 && count > 0,
        "log_grid: top = {top}, eps = {eps}, count = {count}: need top > 0 finite, eps in (0, 1], count > 0"
    );
    if count == 1 {
        return vec![top];
    }
    let last = (count - 1) as f64;
    (0..count)
        .map(|i| top * eps.powf(i as f64 / last))
        .collect()
}
