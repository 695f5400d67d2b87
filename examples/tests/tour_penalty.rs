//! One weight under L2 and L1 in the `backprop` tour: every step against
//! the update written out by hand, and where each ends.

use sparsegrad_examples::tour::penalty::{OneWeight, PenaltyKind, closed_form, run};

/// The tour's problem; the tests below need |w*| ≤ λ/H (an L1 optimum at 0)
/// and lr·(H + λ) < 1 (no overshoot from L2), which they check first.
fn problem() -> OneWeight {
    let p = OneWeight::default();
    assert!(p.w_star.abs() <= p.lambda / p.curvature && p.lr * (p.curvature + p.lambda) < 1.0);
    p
}

fn sign(w: f64) -> f64 {
    if w == 0.0 { 0.0 } else { w.signum() }
}

#[test]
fn every_step_is_the_update_written_by_hand() {
    let p = problem();
    let (h, ws, lam, lr) = (p.curvature, p.w_star, p.lambda, p.lr);
    for kind in PenaltyKind::ALL {
        let mut w = p.w0;
        for row in run(&p, kind) {
            assert_eq!(row.w, w, "{kind:?} step {}", row.step);
            let g = h * (w - ws);
            assert!((row.data_grad - g).abs() < 1e-15);
            let expected = match kind {
                PenaltyKind::L2 => w - lr * (g + lam * w),
                PenaltyKind::L1Subgradient => w - lr * (g + lam * sign(w)),
                PenaltyKind::L1Proximal => {
                    let v = w - lr * g;
                    sign(v) * (v.abs() - lr * lam).max(0.0)
                }
            };
            assert!(
                (row.w_next - expected).abs() < 1e-15,
                "{kind:?} {row:?} vs {expected}"
            );
            let penalty = match kind {
                PenaltyKind::L2 => lam * w,
                PenaltyKind::L1Subgradient => lam * sign(w),
                PenaltyKind::L1Proximal => 0.0,
            };
            assert_eq!(row.penalty_grad, penalty);
            assert!((row.w + row.gradient_step + row.prox_step - row.w_next).abs() < 1e-15);
            if kind != PenaltyKind::L1Proximal {
                assert!(row.prox_step.abs() < 1e-15, "{kind:?} {row:?}");
            }
            w = row.w_next;
        }
    }
}

#[test]
fn the_proximal_step_lands_on_exact_zero_and_the_subgradient_oscillates() {
    let p = problem();
    let prox = run(&p, PenaltyKind::L1Proximal);
    let first_zero = prox
        .iter()
        .position(|r| r.w_next == 0.0)
        .expect("reaches 0");
    assert!(
        prox[first_zero..].iter().all(|r| r.w_next == 0.0),
        "stays at 0"
    );

    let sub = run(&p, PenaltyKind::L1Subgradient);
    assert!(sub.iter().all(|r| r.w_next != 0.0));
    let crossings = sub
        .windows(2)
        .filter(|p| p[0].w_next * p[1].w_next < 0.0)
        .count();
    assert!(crossings >= 2, "{sub:#?}");

    let l2 = run(&p, PenaltyKind::L2);
    let last = l2.last().unwrap().w_next;
    assert!(l2.iter().all(|r| r.w_next > 0.0));
    assert!(
        (last - 0.2).abs() < 0.01,
        "L2 ends near H/(H+λ)·w* = 0.2, got {last}"
    );
}

#[test]
fn the_closed_forms_are_shrinkage_and_the_soft_threshold() {
    let near = OneWeight {
        w_star: 0.3,
        curvature: 1.0,
        lambda: 0.5,
        ..OneWeight::default()
    };
    // H/(H+λ)·w* = 1/1.5 · 0.3
    assert!((closed_form(&near, PenaltyKind::L2) - 0.2).abs() < 1e-15);
    // |w*| = 0.3 ≤ λ/H = 0.5
    assert_eq!(closed_form(&near, PenaltyKind::L1Proximal), 0.0);
    let far = OneWeight {
        w_star: -2.0,
        curvature: 2.0,
        ..near
    };
    // −(2 − 0.5/2) and 2/(2 + 0.5)·(−2)
    assert!((closed_form(&far, PenaltyKind::L1Subgradient) + 1.75).abs() < 1e-15);
    assert!((closed_form(&far, PenaltyKind::L2) + 1.6).abs() < 1e-15);
}
