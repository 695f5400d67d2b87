//! One weight under L2, L1 by subgradient and L1 by the proximal step,
//! step by step, with the library's optimizer and penalty functions.
//!
//! The data loss is a parabola J(w) = ½·H·(w − w*)², the quadratic model of
//! [`regularize`](sparsegrad::nn::regularize) with a single weight, so the
//! penalized optima have closed forms:
//!
//! ```text
//! L2:  w = H/(H + λ)·w*                     (shrunk, not 0)
//! L1:  w = sign(w*)·max(|w*| − λ/H, 0)      (0 when |w*| ≤ λ/H)
//! ```
//!
//! Each step of plain SGD (learning rate lr) on a penalized objective:
//!
//! ```text
//! L2:              w ← w − lr·(∂J/∂w + λ·w)
//! L1 subgradient:  w ← w − lr·(∂J/∂w + λ·sign(w))
//! L1 proximal:     v = w − lr·∂J/∂w,  w ← sign(v)·max(|v| − lr·λ, 0)
//! ```

use std::fmt::Write;

use sparsegrad::autograd::Tensor;
use sparsegrad::nn::optim::{Optimizer, ParamGroup, Sgd, SgdConfig};
use sparsegrad::nn::regularize::{Penalty, add_l1_subgradient, add_l2_gradient, soft_threshold};

use super::table::{Align, Table, fixed};

/// The one-weight problem.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneWeight {
    /// The starting weight.
    pub w0: f64,
    /// The minimum of the data loss.
    pub w_star: f64,
    /// H, the curvature of the data loss (its second derivative).
    pub curvature: f64,
    /// λ, the strength of the penalty (λ1 or λ2).
    pub lambda: f64,
    /// The learning rate of SGD.
    pub lr: f64,
    /// How many steps to take.
    pub steps: usize,
}

impl Default for OneWeight {
    /// w0 = 1, w* = 0.3, H = 1, λ = 0.5, lr = 0.3, 10 steps: |w*| ≤ λ/H, so
    /// L1's optimum is exactly 0 and L2's is H/(H+λ)·w* = 0.2.
    fn default() -> Self {
        OneWeight {
            w0: 1.0,
            w_star: 0.3,
            curvature: 1.0,
            lambda: 0.5,
            lr: 0.3,
            steps: 10,
        }
    }
}

/// Which penalty, applied how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PenaltyKind {
    /// (λ/2)·w², gradient λ·w (coupled L2).
    L2,
    /// λ·|w| through its subgradient λ·sign(w).
    L1Subgradient,
    /// λ·|w| through the proximal step after the gradient step.
    L1Proximal,
}

impl PenaltyKind {
    /// All three, in the order the tour shows them.
    pub const ALL: [PenaltyKind; 3] = [
        PenaltyKind::L2,
        PenaltyKind::L1Subgradient,
        PenaltyKind::L1Proximal,
    ];

    /// The library's [`Penalty`] of strength `lambda`.
    pub fn penalty(self, lambda: f64) -> Penalty {
        match self {
            PenaltyKind::L2 => Penalty::l2(lambda),
            PenaltyKind::L1Subgradient => Penalty::l1_subgradient(lambda),
            PenaltyKind::L1Proximal => Penalty::l1_proximal(lambda),
        }
    }

    /// A heading for the report.
    fn title(self) -> &'static str {
        match self {
            PenaltyKind::L2 => "L2: w ← w − lr·(∂J/∂w + λ·w)",
            PenaltyKind::L1Subgradient => "L1, subgradient: w ← w − lr·(∂J/∂w + λ·sign(w))",
            PenaltyKind::L1Proximal => {
                "L1, proximal: v = w − lr·∂J/∂w, then w ← sign(v)·max(|v| − lr·λ, 0)"
            }
        }
    }
}

/// One step of SGD on the weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PenaltyStepRow {
    /// The step, counted from 1.
    pub step: usize,
    /// The weight before the step.
    pub w: f64,
    /// ∂J/∂w = H·(w − w*), from backward.
    pub data_grad: f64,
    /// What the penalty adds to the gradient: λ·w (L2), λ·sign(w) (L1
    /// subgradient), 0 (L1 proximal), from the library's functions.
    pub penalty_grad: f64,
    /// The gradient step −lr·(∂J/∂w + penalty_grad).
    pub gradient_step: f64,
    /// What the proximal step moved the weight after the gradient step
    /// (0 except for L1 proximal).
    pub prox_step: f64,
    /// The weight after the step, as the optimizer left it.
    pub w_next: f64,
}

/// Runs `problem.steps` steps of the library's [`Sgd`] with `kind`'s
/// penalty on the weight, and records each.
pub fn run(problem: &OneWeight, kind: PenaltyKind) -> Vec<PenaltyStepRow> {
    let w = Tensor::<f64>::from_vec(vec![problem.w0], &[1]).set_requires_grad(true);
    let config = SgdConfig {
        lr: problem.lr,
        penalty: kind.penalty(problem.lambda),
        ..SgdConfig::default()
    };
    let mut sgd = Sgd::new(vec![ParamGroup::new(vec![("w".into(), w.clone())])], config)
        .expect("the tour's SGD settings are valid");
    (1..=problem.steps)
        .map(|step| {
            sgd.zero_grad();
            // J(w) = ½·H·(w − w*)²
            let loss = w
                .sub_scalar(problem.w_star)
                .powf(2.0)
                .mul_scalar(0.5 * problem.curvature)
                .sum();
            loss.backward();
            let before = w.item();
            let data_grad = w.grad().expect("backward reached w")[[0]];
            let mut penalty_grad = [0.0];
            match kind {
                PenaltyKind::L2 => add_l2_gradient(&mut penalty_grad, &[before], problem.lambda),
                PenaltyKind::L1Subgradient => {
                    add_l1_subgradient(&mut penalty_grad, &[before], problem.lambda)
                }
                PenaltyKind::L1Proximal => {}
            }
            let gradient_step = -problem.lr * (data_grad + penalty_grad[0]);
            sgd.step();
            let w_next = w.item();
            PenaltyStepRow {
                step,
                w: before,
                data_grad,
                penalty_grad: penalty_grad[0],
                gradient_step,
                prox_step: w_next - (before + gradient_step),
                w_next,
            }
        })
        .collect()
}

/// The penalized optimum in closed form: H/(H + λ)·w* for L2, the soft
/// threshold sign(w*)·max(|w*| − λ/H, 0) for L1 (either mode).
pub fn closed_form(problem: &OneWeight, kind: PenaltyKind) -> f64 {
    let h = problem.curvature;
    match kind {
        PenaltyKind::L2 => h / (h + problem.lambda) * problem.w_star,
        PenaltyKind::L1Subgradient | PenaltyKind::L1Proximal => {
            let mut w = [problem.w_star];
            soft_threshold(&mut w, problem.lambda / h);
            w[0]
        }
    }
}

/// The three runs as tables, each followed by where it ended against the
/// closed form.
pub fn penalty_report(problem: &OneWeight) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "One weight, data loss J(w) = ½·H·(w − w*)² with H = {}, w* = {}; λ = {}, lr = {}, w starts at {}.\n\
         λ·sign(w) pulls with the same force at any size; λ·w pulls less as w shrinks.",
        problem.curvature, problem.w_star, problem.lambda, problem.lr, problem.w0
    );
    for kind in PenaltyKind::ALL {
        let rows = run(problem, kind);
        let penalty_header = match kind {
            PenaltyKind::L2 => "λ·w",
            PenaltyKind::L1Subgradient => "λ·sign(w)",
            PenaltyKind::L1Proximal => "added to ∂J/∂w",
        };
        let mut table = Table::new(&[
            ("step", Align::Right),
            ("w", Align::Right),
            ("∂J/∂w", Align::Right),
            (penalty_header, Align::Right),
            ("gradient step", Align::Right),
            ("prox step", Align::Right),
            ("new w", Align::Right),
            ("exactly 0", Align::Left),
        ]);
        for r in &rows {
            table.row(vec![
                r.step.to_string(),
                fixed(r.w),
                fixed(r.data_grad),
                fixed(r.penalty_grad),
                fixed(r.gradient_step),
                fixed(r.prox_step),
                fixed(r.w_next),
                if r.w_next == 0.0 { "yes" } else { "" }.to_string(),
            ]);
        }
        let last = rows.last().map_or(problem.w0, |r| r.w_next);
        let _ = writeln!(text, "\n{}\n", kind.title());
        text.push_str(&table.to_string());
        let _ = writeln!(
            text,
            "after {} steps w = {last:.6}{}; closed-form optimum {:.6}",
            rows.len(),
            if last == 0.0 { " (exactly)" } else { "" },
            closed_form(problem, kind),
        );
    }
    let _ = writeln!(
        text,
        "\nL2 shrinks w towards H/(H+λ)·w* and stops short of 0. The L1 subgradient jumps across 0 again\n\
         and again (near 0 each step moves w by lr·(∂J/∂w ± λ)) and never settles. The proximal step sets\n\
         every |v| ≤ lr·λ to exactly 0, and w stays there while |∂J/∂w| ≤ λ."
    );
    text
}
