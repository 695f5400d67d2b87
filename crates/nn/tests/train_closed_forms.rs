//! Regularized optima against their closed forms, on least squares with an
//! orthogonal design, trained full-batch through the whole stack (Linear,
//! the MSE loss, backward, Sgd with a penalty).
//!
//! The problem. X is n×p (n = 8, p = 4) with orthogonal columns xᵢ (scaled
//! columns of a Hadamard matrix), y = X·w* + r with r orthogonal to every
//! column. The data loss is the plain mean
//!
//!   J(w) = (1/n)·‖Xw − y‖²,
//!
//! whose gradient is (2/n)·Xᵀ(Xw − y) = H(w − w*) with Hessian
//! H = (2/n)·XᵀX, diagonal because the columns are orthogonal:
//! Hᵢᵢ = (2/n)·‖xᵢ‖². (Xᵀr = 0, so w* = (XᵀX)⁻¹Xᵀy is the unpenalized
//! minimizer.) The objective separates into one quadratic per coordinate,
//! J(w) = const + Σᵢ ½Hᵢᵢ(wᵢ − w*ᵢ)², so the DESIGN.md formulas are exact
//! here, not approximations.
//!
//! With lr = 0.1 every coordinate's iteration is a contraction with factor
//! |1 − lr·(Hᵢᵢ + λ2)| ≤ 0.95, so 1500 steps shrink the initial error by
//! 0.95¹⁵⁰⁰ ≈ 10⁻³³: the result is the fixed point up to rounding (~1e-16),
//! and 1e-8 is a comfortable tolerance that still tells every formula from
//! its near misses.

mod support;

use ndarray::{Array1, Array2};
use sparsegrad_autograd::Tensor;
use sparsegrad_nn::linear::Linear;
use sparsegrad_nn::loss::{Reduction, mse};
use sparsegrad_nn::module::Module;
use sparsegrad_nn::optim::{Optimizer, ParamGroup, Sgd, SgdConfig};
use sparsegrad_nn::regularize::Penalty;
use support::hadamard;

const N: usize = 8;
const P: usize = 4;
const LR: f64 = 0.1;
const STEPS: usize = 1500;
/// The weights the data are made from, chosen so that the L1 strength
/// below zeroes coordinates 2 and 3 and keeps 0 and 1.
const W_TRUE: [f64; P] = [1.5, -0.6, 0.02, -0.05];
/// Column scales: Hᵢᵢ = (2/8)·8·cᵢ² = 2cᵢ² = [2, 0.5, 8, 2].
const SCALES: [f64; P] = [1.0, 0.5, 2.0, 1.0];
const L1: f64 = 0.2;
const L2: f64 = 0.5;

struct Problem {
    x: Tensor<f64>,
    y: Tensor<f64>,
    /// The diagonal of H = (2/n)·XᵀX.
    h: [f64; P],
    /// The least-squares solution w*ᵢ = xᵢᵀy / ‖xᵢ‖².
    w_star: [f64; P],
}

fn problem() -> Problem {
    // columns 1..=4 of the Hadamard matrix, scaled; column 5 for the residual
    let x = Array2::from_shape_fn((N, P), |(i, j)| SCALES[j] * hadamard(i, j + 1));
    let residual = Array1::from_shape_fn(N, |i| 0.3 * hadamard(i, 5));
    let y = x.dot(&Array1::from(W_TRUE.to_vec())) + &residual;
    let mut h = [0.0; P];
    let mut w_star = [0.0; P];
    for j in 0..P {
        let col = x.column(j);
        let norm2 = col.dot(&col);
        h[j] = 2.0 / N as f64 * norm2;
        w_star[j] = col.dot(&y) / norm2;
    }
    // Checks of the construction itself: the design is orthogonal and w* is W_TRUE.
    let gram = x.t().dot(&x);
    for (i, j) in (0..P).flat_map(|i| (0..P).map(move |j| (i, j))) {
        if i != j {
            assert_eq!(gram[[i, j]], 0.0);
        }
    }
    for j in 0..P {
        assert!((w_star[j] - W_TRUE[j]).abs() < 1e-15);
    }
    Problem {
        x: Tensor::new(x),
        y: Tensor::new(y.into_shape_with_order((N, 1)).unwrap()),
        h,
        w_star,
    }
}

/// Full-batch SGD (no momentum) from w = [1, 1, −1, 1] for `steps` steps;
/// the weights after each of the last `keep` steps.
fn train(problem: &Problem, penalty: Penalty, steps: usize, keep: usize) -> Vec<[f64; P]> {
    let start = Array2::from_shape_vec((1, P), vec![1.0, 1.0, -1.0, 1.0]).unwrap();
    let model = Linear::from_arrays(start, None).unwrap();
    let config = SgdConfig {
        lr: LR,
        penalty,
        ..SgdConfig::default()
    };
    let mut sgd = Sgd::new(vec![ParamGroup::new(model.named_parameters())], config).unwrap();
    let mut trajectory = Vec::new();
    for step in 0..steps {
        sgd.zero_grad();
        mse(&model.forward(&problem.x), &problem.y, Reduction::Mean).backward();
        sgd.step();
        if step + keep >= steps {
            let w = model.weight().to_array();
            trajectory.push(std::array::from_fn(|j| w[[0, j]]));
        }
    }
    trajectory
}

fn assert_close(found: [f64; P], expected: [f64; P], what: &str) {
    for j in 0..P {
        assert!(
            (found[j] - expected[j]).abs() < 1e-8,
            "{what}: w[{j}] = {} but the closed form gives {}",
            found[j],
            expected[j]
        );
    }
}

/// sign(a)·max(|a| − t, 0).
fn soft(a: f64, t: f64) -> f64 {
    a.signum() * (a.abs() - t).max(0.0)
}

/// The L1 optimum wᵢ = sign(w*ᵢ)·max(|w*ᵢ| − λ1/Hᵢᵢ, 0).
fn lasso_solution(p: &Problem) -> [f64; P] {
    std::array::from_fn(|j| soft(p.w_star[j], L1 / p.h[j]))
}

#[test]
fn unpenalized_sgd_finds_the_least_squares_solution() {
    let p = problem();
    let w = train(&p, Penalty::none(), STEPS, 1)[0];
    assert_close(w, p.w_star, "least squares");
}

#[test]
fn proximal_l1_converges_to_the_soft_threshold_with_exact_zeros() {
    let p = problem();
    let penalty = Penalty::l1_proximal(L1);
    let w = train(&p, penalty, STEPS, 1)[0];
    let expected = lasso_solution(&p);
    assert_close(w, expected, "proximal L1");
    // Coordinates 2 and 3 have |w*| ≤ λ1/H (0.02 ≤ 0.025, 0.05 ≤ 0.1): exactly zero,
    // while 0 and 1 survive.
    assert_eq!((w[2], w[3]), (0.0, 0.0));
    assert!(w[0] != 0.0 && w[1] != 0.0);
}

#[test]
fn coupled_l2_converges_to_the_ridge_shrinkage_without_zeros() {
    let p = problem();
    let penalty = Penalty::l2(L2);
    let w = train(&p, penalty, STEPS, 1)[0];
    // wᵢ = Hᵢᵢ/(Hᵢᵢ + λ2)·w*ᵢ
    let expected: [f64; P] = std::array::from_fn(|j| p.h[j] / (p.h[j] + L2) * p.w_star[j]);
    assert_close(w, expected, "ridge");
    assert!(
        w.iter().all(|&v| v != 0.0),
        "L2 shrinks but does not zero: {w:?}"
    );
}

/// Elastic net: minimize, per coordinate,
///   ½H(w − w*)² + (λ2/2)w² + λ1|w|.
/// Expanding and dropping constants: ½(H + λ2)w² − Hw*·w + λ1|w|. Dividing
/// by (H + λ2) and completing the square, this is
///   (H + λ2)·[½(w − a)² + (λ1/(H + λ2))·|w|] + const,  a = Hw*/(H + λ2),
/// whose minimizer is the prox of (λ1/(H + λ2))|·| at a, the soft threshold:
///   w = sign(a)·max(|a| − λ1/(H + λ2), 0) = sign(w*)·max(H|w*| − λ1, 0)/(H + λ2),
/// i.e. the soft threshold (at λ1/(H + λ2)) of the ridge-shrunk solution a.
/// Proximal gradient descent (coupled L2 in the gradient, L1 by the prox)
/// has exactly this minimizer as its fixed point.
#[test]
fn elastic_net_converges_to_the_soft_threshold_of_the_ridge_solution() {
    let p = problem();
    let penalty = Penalty::l1_proximal(L1).and(Penalty::l2(L2));
    let w = train(&p, penalty, STEPS, 1)[0];
    let expected: [f64; P] = std::array::from_fn(|j| {
        let (h, ws) = (p.h[j], p.w_star[j]);
        ws.signum() * (h * ws.abs() - L1).max(0.0) / (h + L2)
    });
    assert_close(w, expected, "elastic net");
    // the two ways of writing it agree
    for ((h, ws), e) in p.h.iter().zip(p.w_star).zip(expected) {
        let ridge = h / (h + L2) * ws;
        assert!((soft(ridge, L1 / (h + L2)) - e).abs() < 1e-15);
    }
    assert_eq!((w[2], w[3]), (0.0, 0.0));
}

/// Subgradient L1 (same λ1, same lr) reaches the same values where the
/// optimum is away from 0, but the would-be zeros oscillate around 0.
/// For w > 0 the step gives w' = (1 − lr·H)·w + lr·(H·w* − λ1), and
/// λ1 > H|w*| makes the last term negative, in (−lr·(λ1 + H|w*|), 0): so w
/// either shrinks or crosses 0, landing within lr·(λ1 + H|w*|) of it (the
/// same for w < 0 by symmetry). Once there it stays there, flipping sign,
/// and sign(w) ≠ 0 keeps it from settling on 0.
#[test]
fn subgradient_l1_leaves_the_would_be_zeros_small_but_not_zero() {
    let p = problem();
    let penalty = Penalty::l1_subgradient(L1);
    let last = train(&p, penalty, STEPS, 20);
    let expected = lasso_solution(&p);
    let w = *last.last().unwrap();
    assert_close(
        [w[0], w[1], 0.0, 0.0],
        [expected[0], expected[1], 0.0, 0.0],
        "subgradient L1",
    );
    for j in [2, 3] {
        // 0.1·(0.2 + 0.16) = 0.036 and 0.1·(0.2 + 0.1) = 0.03, both < 2·lr·λ1
        let bound = LR * (L1 + p.h[j] * p.w_star[j].abs());
        for w in &last {
            assert!(
                w[j].abs() < bound,
                "w[{j}] = {} is not within {bound}",
                w[j]
            );
            assert!(w[j] != 0.0, "w[{j}] landed on exactly 0");
        }
        // it oscillates: the sign flips within the last 20 steps
        assert!(
            last.iter().any(|w| w[j] > 0.0) && last.iter().any(|w| w[j] < 0.0),
            "w[{j}] does not oscillate around 0"
        );
    }
}
