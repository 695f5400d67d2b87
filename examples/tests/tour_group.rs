//! The tour's group lasso section: each step is the gradient step then the
//! block soft threshold, by hand; the run heads to the closed form.

use sparsegrad_examples::tour::group::{CURVATURE, LAMBDA, LR, W_STAR, closed_form, run};

#[test]
fn each_step_is_the_gradient_step_then_the_block_soft_threshold() {
    let rows = run();
    for r in &rows {
        for (j, &w_star) in W_STAR.iter().enumerate() {
            // v = w − lr·h·(w − w*)
            let v = r.w[j] - LR * CURVATURE * (r.w[j] - w_star);
            assert!((r.v[j] - v).abs() < 1e-15);
            let g = j / 2;
            let norm = (r.v[2 * g].powi(2) + r.v[2 * g + 1].powi(2)).sqrt();
            let factor = (1.0 - LR * LAMBDA * 2f64.sqrt() / norm).max(0.0);
            assert!((r.factors[g] - factor).abs() < 1e-15);
            assert!((r.w_next[j] - factor * r.v[j]).abs() < 1e-15);
        }
    }
    // the second group lands on exactly 0 and stays; the first never does
    assert!(
        rows[2..]
            .iter()
            .all(|r| r.w_next[2] == 0.0 && r.w_next[3] == 0.0)
    );
    assert!(
        rows.iter()
            .all(|r| r.w_next[0] != 0.0 && r.w_next[1] != 0.0)
    );
}

#[test]
fn the_run_approaches_the_closed_form() {
    let expected = closed_form();
    // ‖w*_1‖ = √0.45: factor 1 − 0.3·√2/√0.45
    let factor = 1.0 - LAMBDA * 2f64.sqrt() / 0.45f64.sqrt();
    assert!((expected[0] - factor * 0.3).abs() < 1e-15);
    assert_eq!(&expected[2..], &[0.0, 0.0]);
    let errors: Vec<f64> = run()
        .iter()
        .map(|r| {
            (0..4)
                .map(|j| (r.w_next[j] - expected[j]).abs())
                .fold(0.0, f64::max)
        })
        .collect();
    assert!(errors.windows(2).all(|e| e[1] < e[0]), "{errors:?}");
    assert!(*errors.last().unwrap() < 5e-3);
}
