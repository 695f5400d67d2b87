//! The group lasso on two groups of two weights, step by step, next to
//! the scalar L1 of [`penalty`](super::penalty): the library's SGD with
//! [`Penalty::group_lasso`], and each step's block soft threshold shown.
//!
//! The data loss is J(w) = ½·h·‖w − w*‖² (Hessian h·I), so the optimum is
//! the block soft threshold of each group of w* at λ·√p_g/h:
//!
//! ```text
//! w_g = max(1 − λ·√p_g / (h·‖w*_g‖₂), 0)·w*_g
//! ```
//!
//! the group analogue of the scalar w = sign(w*)·max(|w*| − λ/h, 0). Each
//! step of SGD is a gradient step on J, v = w − lr·h·(w − w*), then per
//! group the proximal step w_g ← max(1 − lr·λ·√p_g/‖v_g‖₂, 0)·v_g.

use std::fmt::Write;

use sparsegrad::autograd::Tensor;
use sparsegrad::nn::group_lasso::{Groups, block_soft_threshold, shrink_factor};
use sparsegrad::nn::optim::{Optimizer, ParamGroup, Sgd, SgdConfig};
use sparsegrad::nn::regularize::Penalty;

use crate::table::{Align, Table, fixed};

/// w* = (0.3, 0.6 | 0.1, 0.2), groups {0, 1} and {2, 3}.
pub const W_STAR: [f64; 4] = [0.3, 0.6, 0.1, 0.2];
/// The group of each weight.
const LABELS: [usize; 4] = [0, 0, 1, 1];
/// h, λ, lr, and the number of steps.
pub const CURVATURE: f64 = 1.0;
/// λ: the first group (‖w*‖ ≈ 0.67 > λ√2/h ≈ 0.42) survives, shrunk
/// along its direction; the second (‖w*‖ ≈ 0.22) is exactly 0.
pub const LAMBDA: f64 = 0.3;
/// The learning rate.
pub const LR: f64 = 0.5;
/// Steps taken.
pub const STEPS: usize = 8;

/// One step: the weights before, the gradient step's result v, the block
/// factor of each group, and the weights after (from the optimizer).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroupStepRow {
    /// The step, from 1.
    pub step: usize,
    /// w before the step.
    pub w: [f64; 4],
    /// v = w − lr·∂J/∂w.
    pub v: [f64; 4],
    /// max(1 − lr·λ·√2/‖v_g‖, 0) for the two groups.
    pub factors: [f64; 2],
    /// w after the step, as the optimizer left it.
    pub w_next: [f64; 4],
}

/// Runs [`STEPS`] steps of the library's SGD with the group lasso from
/// w = (1, 1, 1, 1).
pub fn run() -> Vec<GroupStepRow> {
    let w = Tensor::<f64>::from_vec(vec![1.0; 4], &[1, 4]).set_requires_grad(true);
    let groups = Groups::columns(1, LABELS.to_vec());
    let config = SgdConfig {
        lr: LR,
        ..SgdConfig::default()
    };
    let group = ParamGroup::new(vec![("w".into(), w.clone())])
        .with_penalty(Penalty::group_lasso(LAMBDA, groups));
    let mut sgd = Sgd::new(vec![group], config).expect("the tour's SGD settings are valid");
    let target = Tensor::<f64>::from_vec(W_STAR.to_vec(), &[1, 4]);
    (1..=STEPS)
        .map(|step| {
            sgd.zero_grad();
            // J(w) = ½·h·‖w − w*‖²
            w.sub(&target)
                .powf(2.0)
                .mul_scalar(0.5 * CURVATURE)
                .sum()
                .backward();
            let before: [f64; 4] = std::array::from_fn(|j| w.value()[[0, j]]);
            let grad = w.grad().expect("backward reached w").to_owned();
            let v: [f64; 4] = std::array::from_fn(|j| before[j] - LR * grad[[0, j]]);
            let norm = |g: usize| (v[2 * g].powi(2) + v[2 * g + 1].powi(2)).sqrt();
            let factors = [0, 1].map(|g| shrink_factor(norm(g), LR * LAMBDA * 2f64.sqrt()));
            sgd.step();
            GroupStepRow {
                step,
                w: before,
                v,
                factors,
                w_next: std::array::from_fn(|j| w.value()[[0, j]]),
            }
        })
        .collect()
}

/// The optimum: each group's block soft threshold of w* at λ·√2/h.
pub fn closed_form() -> [f64; 4] {
    let mut w = W_STAR;
    for group in w.chunks_mut(2) {
        block_soft_threshold(group, LAMBDA * 2f64.sqrt() / CURVATURE);
    }
    w
}

/// The run as a table, then where it ended against the closed form and
/// against the scalar soft threshold of the same weights.
pub fn group_report() -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "\nGroup lasso: two groups of two weights, J(w) = ½·h·‖w − w*‖² with h = {CURVATURE}, \
         w* = {W_STAR:?}; λ = {LAMBDA}, lr = {LR}.\n\
         Each step: v = w − lr·∂J/∂w, then per group w_g ← max(1 − lr·λ·√2/‖v_g‖, 0)·v_g \
         (the block soft threshold).\n"
    );
    let mut table = Table::new(&[
        ("step", Align::Right),
        ("w", Align::Left),
        ("v", Align::Left),
        ("factor g1", Align::Right),
        ("factor g2", Align::Right),
        ("new w", Align::Left),
    ]);
    let list = |w: &[f64; 4]| w.iter().map(|&x| fixed(x)).collect::<Vec<_>>().join(" ");
    let rows = run();
    for r in &rows {
        table.row(vec![
            r.step.to_string(),
            list(&r.w),
            list(&r.v),
            fixed(r.factors[0]),
            fixed(r.factors[1]),
            list(&r.w_next),
        ]);
    }
    text.push_str(&table.to_string());
    let last = rows.last().map_or([1.0; 4], |r| r.w_next);
    let scalar = W_STAR.map(|x: f64| x.signum() * (x.abs() - LAMBDA / CURVATURE).max(0.0));
    let _ = writeln!(
        text,
        "after {STEPS} steps w = {}; closed form max(1 − λ√2/(h‖w*_g‖), 0)·w*_g = {}\n\
         The second group (‖w*_g‖ ≤ λ√2/h) is exactly 0 as a whole; the first keeps both weights,\n\
         shrunk along its own direction. The scalar soft threshold at λ/h would give {}: it zeroes\n\
         single weights, the group penalty whole groups.",
        list(&last),
        list(&closed_form()),
        list(&scalar),
    );
    text
}
