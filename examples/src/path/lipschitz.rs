//! The step size of a linear model's fits: 1/L, with L the Lipschitz
//! constant of the MSE gradient, estimated by power iteration.
//!
//! For the data loss J(w, b) = (1/n)·‖y − Xw − b·1‖² of a linear model, the
//! gradient in θ = (w, b) is −(2/n)·Aᵀ(y − Aθ) with A = [X 1], so its
//! Lipschitz constant is the largest eigenvalue of the Hessian (2/n)·AᵀA:
//!
//! ```text
//! L = 2·σ_max(A)²/n
//! ```
//!
//! (for centered X the intercept decouples and L = max(2·σ_max(X)²/n, 2)).
//! Gradient steps of size 1/L decrease J monotonically and the proximal L1
//! step keeps that true for J + λ1‖w‖₁ (ISTA).
//!
//! σ_max(A)² is estimated by power iteration on AᵀA from a seeded random
//! start: v ← AᵀA·v/‖AᵀA·v‖, with the Rayleigh quotient ‖Av‖² (‖v‖ = 1)
//! as the estimate, until it changes by less than 1e−6 relatively (at most
//! [`MAX_ITERATIONS`]). The Rayleigh quotient never exceeds σ_max², so the
//! step 1/L̂ may be slightly longer than 1/L; proximal gradient descent
//! still converges for any step below 2/L, which the estimate (within a
//! fraction of a percent after convergence) stays far from.

use ndarray::{Array1, ArrayView2};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// The most power iterations [`mse_lipschitz`] runs.
pub const MAX_ITERATIONS: usize = 100;

/// L̂ ≈ 2·σ_max([X 1])²/n, the Lipschitz constant of the gradient of the
/// MSE of a linear model with an intercept on features `x` (see the
/// [module docs](self)). The start vector is drawn from `rng`.
///
/// # Panics
/// When `x` has no rows.
pub fn mse_lipschitz<R: Rng + ?Sized>(x: ArrayView2<f64>, rng: &mut R) -> f64 {
    let (n, d) = x.dim();
    assert!(n > 0, "mse_lipschitz: no samples");
    // v = (weights part, intercept part), kept at unit norm.
    let mut v: Array1<f64> = (0..=d).map(|_| StandardNormal.sample(rng)).collect();
    normalize(&mut v);
    let mut estimate = 0.0;
    for _ in 0..MAX_ITERATIONS {
        // u = A·v = X·v_w + v_b·1
        let intercept = v[d];
        let u = x.dot(&v.slice(ndarray::s![..d])) + intercept;
        let rayleigh = u.dot(&u);
        // v ← Aᵀu = (Xᵀu, Σu)
        let mut next = Array1::zeros(d + 1);
        next.slice_mut(ndarray::s![..d]).assign(&x.t().dot(&u));
        next[d] = u.sum();
        let converged = (rayleigh - estimate).abs() <= 1e-6 * rayleigh;
        estimate = rayleigh;
        if converged || !normalize(&mut next) {
            break;
        }
        v = next;
    }
    2.0 * estimate / n as f64
}

/// Scales `v` to unit norm; false (and `v` unchanged) when it is zero.
fn normalize(v: &mut Array1<f64>) -> bool {
    let norm = v.dot(v).sqrt();
    if norm > 0.0 {
        *v /= norm;
        true
    } else {
        false
    }
}
