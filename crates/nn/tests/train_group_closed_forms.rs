//! Group lasso, sparse group lasso and penalty factors against their
//! closed forms, trained full-batch through the whole stack (Linear, MSE,
//! backward, the optimizer with a structured penalty).
//!
//! The problem. X is n×p (n = 8, p = 6) with orthogonal columns of equal
//! norm (columns 1..=6 of the 8×8 Sylvester–Hadamard matrix, entries ±1),
//! y = X·w_true + r with r orthogonal to every column. The data loss is
//! J(w) = (1/n)·‖Xw − y‖², with gradient (2/n)·Xᵀ(Xw − y) = h·(w − w*)
//! for h = (2/n)·‖xᵢ‖² = 2: the Hessian is h·I, so J = const +
//! (h/2)·‖w − w*‖² exactly and the optimum of J + penalty is the proximal
//! map of penalty/h at w* (see `sparsegrad_nn::group_lasso`):
//!
//! - group lasso λ·Σ √p_g‖w_g‖: w_g = max(1 − λ√p_g/(h‖w*_g‖), 0)·w*_g;
//! - sparse group lasso, with z = soft_threshold(w*, λ1/h):
//!   w_g = max(1 − λ√p_g/(h‖z_g‖), 0)·z_g.
//!
//! With lr = 0.1 each step contracts the error by 1 − lr·h = 0.8, so 400
//! steps leave 0.8⁴⁰⁰ ≈ 1e-39 of it: the result is the fixed point of the
//! proximal gradient iteration, whose fixed points are the minimizers.

mod support;

use ndarray::{Array1, Array2};
use sparsegrad_autograd::Tensor;
use sparsegrad_nn::group_lasso::{ColumnFactors, Groups, block_soft_threshold};
use sparsegrad_nn::linear::Linear;
use sparsegrad_nn::loss::{Reduction, mse};
use sparsegrad_nn::module::Module;
use sparsegrad_nn::optim::{Adam, AdamConfig, Optimizer, ParamGroup, Sgd, SgdConfig};
use sparsegrad_nn::regularize::{Penalty, soft_threshold};
use support::hadamard;

const N: usize = 8;
const P: usize = 6;
const LR: f64 = 0.1;
const STEPS: usize = 400;
const H: f64 = 2.0;
/// Groups {0, 1}, {2, 3, 4}, {5}; group 1 is small enough to vanish.
const LABELS: [usize; P] = [0, 0, 1, 1, 1, 2];
const W_TRUE: [f64; P] = [1.2, -0.8, 0.05, -0.04, 0.03, 0.9];
const TOLERANCE: f64 = 1e-9;
/// Steps of the penalty-factor test, whose slowest coordinate contracts by 0.978.
const FACTOR_STEPS: usize = 1500;

/// X (columns scaled by `scales`) and y = X_unscaled·w_true + r.
fn data(scales: &[f64; P]) -> (Tensor<f64>, Tensor<f64>) {
    let x = Array2::from_shape_fn((N, P), |(i, j)| hadamard(i, j + 1));
    let r = Array1::from_shape_fn(N, |i| 0.2 * hadamard(i, 7));
    let y = x.dot(&Array1::from(W_TRUE.to_vec())) + &r;
    let scaled = Array2::from_shape_fn((N, P), |(i, j)| x[[i, j]] * scales[j]);
    (
        Tensor::new(scaled),
        Tensor::new(y.into_shape_with_order((N, 1)).unwrap()),
    )
}

/// A model's named parameters.
type Named = Vec<(String, Tensor<f64>)>;

/// Full-batch training of a bias-free Linear(6 → 1) from w = 1 with the
/// optimizer `make` builds over its parameters; returns w.
fn train(
    x: &Tensor<f64>,
    y: &Tensor<f64>,
    make: impl FnOnce(Named) -> Box<dyn Optimizer<f64>>,
    steps: usize,
) -> [f64; P] {
    train_from(x, y, [1.0; P], make, steps)
}

/// [`train`] from the weights `start`.
fn train_from(
    x: &Tensor<f64>,
    y: &Tensor<f64>,
    start: [f64; P],
    make: impl FnOnce(Named) -> Box<dyn Optimizer<f64>>,
    steps: usize,
) -> [f64; P] {
    let start = Array2::from_shape_vec((1, P), start.to_vec()).unwrap();
    let model = Linear::from_arrays(start, None).unwrap();
    let mut optimizer = make(model.named_parameters());
    for _ in 0..steps {
        optimizer.zero_grad();
        mse(&model.forward(x), y, Reduction::Mean).backward();
        optimizer.step();
    }
    let w = model.weight().to_array();
    std::array::from_fn(|j| w[[0, j]])
}

fn sgd(penalty: Penalty) -> impl FnOnce(Named) -> Box<dyn Optimizer<f64>> {
    move |params| {
        let config = SgdConfig {
            lr: LR,
            ..SgdConfig::default()
        };
        Box::new(Sgd::new(vec![ParamGroup::new(params).with_penalty(penalty)], config).unwrap())
    }
}

/// w* = w_true (the columns are orthogonal, r is orthogonal to them).
fn w_star() -> [f64; P] {
    W_TRUE
}

/// The block soft threshold of each group of `w` at λ·√p_g/h.
fn group_prox(mut w: [f64; P], lambda: f64) -> [f64; P] {
    for g in 0..3 {
        let members: Vec<usize> = (0..P).filter(|&j| LABELS[j] == g).collect();
        let mut v: Vec<f64> = members.iter().map(|&j| w[j]).collect();
        block_soft_threshold(&mut v, lambda * (members.len() as f64).sqrt() / H);
        for (&j, x) in members.iter().zip(v) {
            w[j] = x;
        }
    }
    w
}

fn assert_close(found: [f64; P], expected: [f64; P], what: &str) {
    for j in 0..P {
        assert!(
            (found[j] - expected[j]).abs() < TOLERANCE,
            "{what}: w[{j}] = {} but the closed form gives {}",
            found[j],
            expected[j]
        );
    }
}

fn groups() -> Groups {
    Groups::columns(1, LABELS.to_vec())
}

#[test]
fn group_lasso_reaches_the_block_soft_threshold_of_the_least_squares_solution() {
    let (x, y) = data(&[1.0; P]);
    let lambda = 0.3;
    let w = train(&x, &y, sgd(Penalty::group_lasso(lambda, groups())), STEPS);
    let expected = group_prox(w_star(), lambda);
    assert_close(w, expected, "group lasso");
    // group {2, 3, 4} (norm 0.07 ≤ 0.3·√3/2) is exactly 0 as a whole; the others
    // survive, every weight non-zero
    assert_eq!(&w[2..5], &[0.0, 0.0, 0.0]);
    assert!([0, 1, 5].iter().all(|&j| w[j] != 0.0));
}

#[test]
fn sparse_group_lasso_reaches_soft_then_block_threshold() {
    let (x, y) = data(&[1.0; P]);
    let (l1, lambda) = (0.1, 0.4);
    let penalty = Penalty::l1_proximal(l1).and(Penalty::group_lasso(lambda, groups()));
    let w = train(&x, &y, sgd(penalty), STEPS);
    let mut z = w_star();
    soft_threshold(&mut z, l1 / H);
    let expected = group_prox(z, lambda);
    assert_close(w, expected, "sparse group lasso");
    assert_eq!(&w[2..5], &[0.0, 0.0, 0.0]);
}

/// With L1 only and factors c > 0, fitting with the factors equals the
/// plain fit on the features x_j/c_j with the coefficients divided by c_j.
/// (x_j·w_j = (x_j/c_j)·(c_j·w_j) and λ1·c_j·|w_j| = λ1·|c_j·w_j|.) The
/// rescaled columns make the Hessian diagonal h/c_j² instead of h: each
/// coordinate contracts by 1 − lr·h/c_j² ≤ 1 − 0.2/9 ≈ 0.978, so 1500
/// steps leave ≈ 1e-15 of the error.
#[test]
fn penalty_factors_equal_the_plain_fit_on_rescaled_features() {
    let c = [1.0, 2.0, 1.5, 1.0, 3.0, 1.25];
    let l1 = 0.15;
    let (x, y) = data(&[1.0; P]);
    let with_factors = Penalty::l1_proximal(l1).with_factors(ColumnFactors::new(c.to_vec()));
    let w = train(&x, &y, sgd(with_factors), FACTOR_STEPS);
    let inverse: [f64; P] = std::array::from_fn(|j| 1.0 / c[j]);
    let (x_scaled, y) = data(&inverse);
    // The plain fit on x_j/c_j starts from w'_j = c_j, the image of w = 1.
    let plain = train_from(
        &x_scaled,
        &y,
        c,
        sgd(Penalty::l1_proximal(l1)),
        FACTOR_STEPS,
    );
    let rescaled: [f64; P] = std::array::from_fn(|j| plain[j] / c[j]);
    assert_close(w, rescaled, "penalty factors");
    // and each is the soft threshold at λ1·c_j/h of w*
    let expected: [f64; P] =
        std::array::from_fn(|j| W_TRUE[j].signum() * (W_TRUE[j].abs() - l1 * c[j] / H).max(0.0));
    assert_close(w, expected, "penalty factors' closed form");
    assert!(w.contains(&0.0));
}

/// Adam's step 4, then step 5 (L1 prox) and step 6 (block soft threshold),
/// written out for the first step: m = (1 − β1)·g and v = (1 − β2)·g², so
/// the bias-corrected m̂ = g and v̂ = g², and w ← w − lr·m̂/(√v̂ + ε).
#[test]
fn adam_applies_the_group_step_after_its_own_and_the_l1_prox() {
    let (x, y) = data(&[1.0; P]);
    let (l1, lambda, lr) = (0.05, 0.2, 0.01);
    let (beta1, beta2, eps) = (0.9, 0.999, 1e-8);
    let penalty = Penalty::l1_proximal(l1).and(Penalty::group_lasso(lambda, groups()));
    let w = train(
        &x,
        &y,
        move |params| {
            let config = AdamConfig {
                lr,
                ..AdamConfig::default()
            };
            Box::new(
                Adam::new(vec![ParamGroup::new(params).with_penalty(penalty)], config).unwrap(),
            )
        },
        1,
    );
    // g = h·(w − w*) at w = 1
    let mut expected: [f64; P] = std::array::from_fn(|j| {
        let g = H * (1.0 - W_TRUE[j]);
        let m_hat = (1.0 - beta1) * g / (1.0 - beta1);
        let v_hat = (1.0 - beta2) * g * g / (1.0 - beta2);
        1.0 - lr * m_hat / (v_hat.sqrt() + eps)
    });
    soft_threshold(&mut expected, lr * l1);
    // step 6 at lr·λ·√p_g (group_prox divides by h: undo it)
    let expected = group_prox(expected, lr * lambda * H);
    for j in 0..P {
        assert!(
            (w[j] - expected[j]).abs() < 1e-12,
            "w[{j}] = {} vs {}",
            w[j],
            expected[j]
        );
    }
}
