//! The regularization functions: by hand, and soft_threshold as the
//! proximal operator of t·|w| (property tests against a grid search).

use proptest::prelude::*;
use sparsegrad_nn::regularize::{
    Penalty, PenaltyStep, add_l1_subgradient, add_l2_gradient, decoupled_decay, penalty_value,
    soft_threshold,
};

fn prox(w: f64, t: f64) -> f64 {
    let mut v = [w];
    soft_threshold(&mut v, t);
    v[0]
}

#[test]
fn gradient_terms_by_hand_with_sign_of_zero_zero() {
    let w = [2.0, -3.0, 0.0, -0.0];
    let mut g = [1.0, 1.0, 1.0, 1.0];
    add_l2_gradient(&mut g, &w, 0.5); // g + 0.5·w
    assert_eq!(g, [2.0, -0.5, 1.0, 1.0]);
    add_l1_subgradient(&mut g, &w, 0.25); // g + 0.25·sign(w), sign(±0) = 0
    assert_eq!(g, [2.25, -0.75, 1.0, 1.0]);
}

#[test]
fn decoupled_decay_and_soft_threshold_by_hand() {
    let mut w = [2.0, -4.0, 0.0];
    decoupled_decay(&mut w, 0.25); // w·(1 − 0.25)
    assert_eq!(w, [1.5, -3.0, 0.0]);
    let mut w = [1.5, -1.5, 0.5, -0.5, 0.25, 3.0];
    soft_threshold(&mut w, 0.5);
    // |w| ≤ 0.5 → 0 (the boundary included); else 0.5 closer to 0
    assert_eq!(w, [1.0, -1.0, 0.0, 0.0, 0.0, 2.5]);
    let mut nan = [f64::NAN];
    soft_threshold(&mut nan, 0.5);
    assert!(nan[0].is_nan(), "a NaN weight must stay visible");
}

#[test]
fn penalty_value_is_l1_sum_plus_half_l2_sum_of_squares() {
    let w = [1.0f32, -2.0, 0.0, 0.5];
    let penalty = Penalty::l1_subgradient(0.1).and(Penalty::l2(0.4));
    // 0.1·3.5 + 0.2·5.25 = 0.35 + 1.05
    assert!((penalty_value(&w, &penalty) - 1.4).abs() < 1e-12);
    // the same for decoupled L2 and proximal L1: the objective does not depend on the mode
    let other = Penalty::l1_proximal(0.1).and(Penalty::decoupled_l2(0.4));
    assert_eq!(penalty_value(&w, &other), penalty_value(&w, &penalty));
    assert_eq!(penalty_value(&w, &Penalty::none()), 0.0);
    assert!(Penalty::none().is_zero() && !penalty.is_zero());
}

#[test]
fn penalty_step_applies_the_five_step_order() {
    let lr = 0.5;
    let w0 = [2.0, -0.1, 0.0];
    let g0 = [0.4, 0.0, 0.3];
    // coupled L2 0.2 and subgradient L1 0.1: only the gradient changes
    let coupled = PenaltyStep::<f64>::new(&Penalty::l1_subgradient(0.1).and(Penalty::l2(0.2)), lr);
    let mut w = w0;
    let mut scratch = [0.0; 3];
    coupled.before_step(&mut w);
    assert_eq!(w, w0);
    let g = coupled.gradient(&w, &g0, &mut scratch);
    // g + 0.2·w + 0.1·sign(w)
    assert_eq!(g, [0.4 + 0.4 + 0.1, -0.02 - 0.1, 0.3]);
    // decoupled L2 0.2 and proximal L1 0.1: the weights change, the gradient does not
    let decoupled = PenaltyStep::<f64>::new(
        &Penalty::l1_proximal(0.1).and(Penalty::decoupled_l2(0.2)),
        lr,
    );
    assert!(!decoupled.changes_gradient());
    let mut w = w0;
    decoupled.before_step(&mut w); // w·(1 − 0.5·0.2) = 0.9·w
    assert_eq!(w, [2.0 * 0.9, -0.1 * 0.9, 0.0]);
    assert_eq!(decoupled.gradient(&w, &g0, &mut scratch), g0);
    decoupled.after_step(&mut w); // soft threshold at 0.5·0.1 = 0.05
    assert!((w[0] - 1.75).abs() < 1e-15 && (w[1] + 0.04).abs() < 1e-15 && w[2] == 0.0);
}

/// ½(x − w)² + t|x|, the objective whose minimizer the prox is.
fn prox_objective(x: f64, w: f64, t: f64) -> f64 {
    0.5 * (x - w) * (x - w) + t * x.abs()
}

proptest! {
    /// soft_threshold(w, t) minimizes ½(x − w)² + t|x|: no point of a grid
    /// of step 10⁻³ over [−6, 6] (which contains the minimizer, since
    /// |prox(w)| ≤ |w| ≤ 5) does better, up to rounding. Because the
    /// objective is 1-strongly convex, a value that is off by Δ loses at
    /// least ½Δ² − (grid error) to the nearest grid point, so any Δ of
    /// more than about 0.06 fails (and a wrong zero/non-zero decision is
    /// off by much more near the boundary's far side).
    #[test]
    fn soft_threshold_is_the_prox_of_t_abs(w in -5.0f64..5.0, t in 0.0f64..3.0) {
        let p = prox(w, t);
        let best = prox_objective(p, w, t);
        let (mut grid_best, mut grid_x) = (f64::INFINITY, 0.0);
        for i in -6000..=6000 {
            let x = i as f64 * 1e-3;
            let f = prox_objective(x, w, t);
            prop_assert!(best <= f + 1e-12, "x = {} beats prox {} (w {}, t {})", x, p, w, t);
            if f < grid_best {
                grid_best = f;
                grid_x = x;
            }
        }
        // ½(x_grid − p)² ≤ f(x_grid) − f(p) ≤ f(nearest grid point) − f(p) ≤ ½(5e-4)² + 2t·5e-4
        prop_assert!((grid_x - p).abs() <= (2.5e-7 + 4.0 * t * 5e-4).sqrt() + 1e-9);
    }

    /// Never increases |w|, and zeroes exactly the weights with |w| ≤ t.
    #[test]
    fn soft_threshold_shrinks_and_zeroes_exactly_inside_t(w in -5.0f64..5.0, t in 0.0f64..3.0) {
        let p = prox(w, t);
        prop_assert!(p.abs() <= w.abs());
        prop_assert_eq!(p == 0.0, w.abs() <= t);
        if p != 0.0 {
            prop_assert_eq!(p.signum(), w.signum());
            prop_assert!(((w.abs() - p.abs()) - t).abs() <= 1e-15 * w.abs().max(1.0));
        }
    }

    /// The prox of the boundary itself is 0: |w| = t exactly.
    #[test]
    fn soft_threshold_at_the_boundary_is_zero(t in 0.0f64..3.0, negative in any::<bool>()) {
        let w = if negative { -t } else { t };
        prop_assert_eq!(prox(w, t), 0.0);
    }
}
