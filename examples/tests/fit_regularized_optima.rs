//! `fit` with a linear model, full batch, f64 converges to the exact
//! regularized optimum, computed here independently of the optimizer code:
//! the lasso by coordinate descent, ridge from its normal equations.
//! The objective is MSE (mean, no ½) + penalty on the weights; the
//! intercept is not penalized.

mod fit_support;

use fit_support::{Scratch, assert_success, csv_text, fit, linear_layers, read_json, s};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

const N: usize = 30;
const TRUE_WEIGHTS: [f64; 5] = [2.0, -1.5, 0.0, 0.0, 0.8];

/// n × 5 standard normal features and y = X·β + 0.5 + 0.3·noise.
fn problem() -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(11);
    let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
    let x: Vec<Vec<f64>> = (0..N)
        .map(|_| (0..TRUE_WEIGHTS.len()).map(|_| normal()).collect())
        .collect();
    let y = x
        .iter()
        .map(|row| {
            let signal: f64 = row.iter().zip(TRUE_WEIGHTS).map(|(a, b)| a * b).sum();
            signal + 0.5 + 0.3 * normal()
        })
        .collect();
    (x, y)
}

/// Column means of x and the mean of y, and the centered copies.
fn centered(x: &[Vec<f64>], y: &[f64]) -> (Vec<f64>, f64, Vec<Vec<f64>>, Vec<f64>) {
    let d = x[0].len();
    let n = x.len() as f64;
    let x_mean: Vec<f64> = (0..d)
        .map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n)
        .collect();
    let y_mean = y.iter().sum::<f64>() / n;
    let xc = x
        .iter()
        .map(|r| r.iter().zip(&x_mean).map(|(a, m)| a - m).collect())
        .collect();
    let yc = y.iter().map(|v| v - y_mean).collect();
    (x_mean, y_mean, xc, yc)
}

/// argmin (1/n)·‖y − Xw − b‖² + λ·‖w‖₁ by cyclic coordinate descent on the
/// centered problem (the unpenalized intercept is b = ȳ − x̄·w):
/// w_j = S((1/n)·x_jᵀ r₋ⱼ, λ/2) / ((1/n)·‖x_j‖²).
fn lasso(x: &[Vec<f64>], y: &[f64], lambda: f64) -> (Vec<f64>, f64) {
    let (x_mean, y_mean, xc, yc) = centered(x, y);
    let (n, d) = (x.len() as f64, x[0].len());
    let mut w = vec![0.0; d];
    let mut residual = yc.clone();
    for _ in 0..10_000 {
        let mut largest_change: f64 = 0.0;
        for j in 0..d {
            let norm = xc.iter().map(|r: &Vec<f64>| r[j] * r[j]).sum::<f64>() / n;
            let rho = xc
                .iter()
                .zip(&residual)
                .map(|(r, e)| r[j] * (e + r[j] * w[j]))
                .sum::<f64>()
                / n;
            let new = rho.signum() * (rho.abs() - lambda / 2.0).max(0.0) / norm;
            for (r, e) in xc.iter().zip(&mut residual) {
                *e -= r[j] * (new - w[j]);
            }
            largest_change = largest_change.max((new - w[j]).abs());
            w[j] = new;
        }
        if largest_change < 1e-15 {
            break;
        }
    }
    let b = y_mean - x_mean.iter().zip(&w).map(|(m, w)| m * w).sum::<f64>();
    (w, b)
}

/// argmin (1/n)·‖y − Xw − b‖² + (λ/2)·‖w‖²: the normal equations of the
/// centered problem, (2/n·XcᵀXc + λI)·w = 2/n·Xcᵀyc, solved by Gaussian
/// elimination with partial pivoting; b = ȳ − x̄·w.
fn ridge(x: &[Vec<f64>], y: &[f64], lambda: f64) -> (Vec<f64>, f64) {
    let (x_mean, y_mean, xc, yc) = centered(x, y);
    let (n, d) = (x.len() as f64, x[0].len());
    let mut a: Vec<Vec<f64>> = (0..d)
        .map(|i| {
            let mut row: Vec<f64> = (0..d)
                .map(|j| 2.0 / n * xc.iter().map(|r| r[i] * r[j]).sum::<f64>())
                .collect();
            row[i] += lambda;
            row.push(2.0 / n * xc.iter().zip(&yc).map(|(r, v)| r[i] * v).sum::<f64>());
            row
        })
        .collect();
    for col in 0..d {
        let pivot = (col..d)
            .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        let pivot_row = a[col].clone();
        for row in a.iter_mut().skip(col + 1) {
            let factor = row[col] / pivot_row[col];
            for (entry, pivot) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *entry -= factor * pivot;
            }
        }
    }
    let mut w = vec![0.0; d];
    for i in (0..d).rev() {
        let known: f64 = (i + 1..d).map(|k| a[i][k] * w[k]).sum();
        w[i] = (a[i][d] - known) / a[i][i];
    }
    let b = y_mean - x_mean.iter().zip(&w).map(|(m, w)| m * w).sum::<f64>();
    (w, b)
}

/// Trains a linear model with full-batch SGD in f64 with `penalty` options
/// and returns the learned (weights, bias).
fn fit_linear(test: &str, penalty: &[&str]) -> (Vec<f64>, f64) {
    let (x, y) = problem();
    let scratch = Scratch::new(test);
    let rows: Vec<Vec<f64>> = x
        .iter()
        .zip(&y)
        .map(|(r, v)| r.iter().copied().chain([*v]).collect())
        .collect();
    let data = scratch.write(
        "data.csv",
        &csv_text(&["a", "b", "c", "d", "e", "y"], &rows),
    );
    let out = scratch.path("model.json");
    let mut args = vec![
        "--data",
        s(&data),
        "--target",
        "y",
        "--dtype",
        "f64",
        "--batch-size",
        "0",
        "--lr",
        "0.1",
        "--epochs",
        "3000",
        "--quiet",
        "--out",
        s(&out),
    ];
    args.extend_from_slice(penalty);
    assert_success(&fit(&args));
    let layers = linear_layers(&read_json(&out));
    let (weight, bias) = &layers[0];
    (weight[0].clone(), bias[0])
}

#[test]
fn proximal_l1_reaches_the_lasso_solution_with_its_exact_zeros() {
    let lambda = 0.2;
    let (x, y) = problem();
    let (expected, expected_bias) = lasso(&x, &y, lambda);
    let zeros = expected.iter().filter(|w| **w == 0.0).count();
    assert!(
        zeros >= 2,
        "the reference should select features: {expected:?}"
    );

    let (learned, bias) = fit_linear("lasso", &["--l1", "0.2", "--l1-mode", "proximal"]);
    for (j, (w, e)) in learned.iter().zip(&expected).enumerate() {
        if *e == 0.0 {
            assert_eq!(*w, 0.0, "weight {j} should be exactly 0: {learned:?}");
        } else {
            assert!((w - e).abs() < 1e-10, "weight {j}: {w} vs lasso {e}");
        }
    }
    assert!(
        (bias - expected_bias).abs() < 1e-10,
        "bias {bias} vs {expected_bias}"
    );
}

#[test]
fn coupled_l2_reaches_the_ridge_solution() {
    let lambda = 0.5;
    let (x, y) = problem();
    let (expected, expected_bias) = ridge(&x, &y, lambda);
    let (learned, bias) = fit_linear("ridge", &["--l2", "0.5"]);
    for (j, (w, e)) in learned.iter().zip(&expected).enumerate() {
        assert!((w - e).abs() < 1e-10, "weight {j}: {w} vs ridge {e}");
    }
    assert!(
        (bias - expected_bias).abs() < 1e-10,
        "bias {bias} vs {expected_bias}"
    );
    // The penalty shrinks: the unpenalized fit is farther from 0.
    let (unpenalized, _) = ridge(&x, &y, 0.0);
    let norm = |w: &[f64]| w.iter().map(|v| v * v).sum::<f64>();
    assert!(norm(&learned) < norm(&unpenalized));
}
