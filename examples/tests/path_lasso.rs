//! The path against the exact lasso / elastic-net solution computed here,
//! independently, by cyclic coordinate descent; λ_max at the boundary.

use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use sparsegrad::nn::data::{Dataset, Targets};
use sparsegrad_examples::path::{FitSettings, PathPenalty, fit_path, lambda_max_l1, log_grid};

/// A small regression with an intercept and uncentered features:
/// y = 3 + X·β + 0.3·ε, with β sparse.
fn problem(seed: u64) -> (Array2<f64>, Array1<f64>) {
    let (n, d) = (60, 6);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
    let x = Array2::from_shape_fn((n, d), |(_, j)| normal() + 0.2 * j as f64);
    let beta = [1.5, 0.0, -0.8, 0.0, 0.3, 0.0];
    let y = Array1::from_shape_fn(n, |i| {
        3.0 + (0..d).map(|j| x[[i, j]] * beta[j]).sum::<f64>() + 0.3 * normal()
    });
    (x, y)
}

fn dataset(x: &Array2<f64>, y: &Array1<f64>) -> Dataset<f64> {
    let names = (0..x.ncols()).map(|j| format!("x{j}")).collect();
    let targets = Targets::Regression(y.clone().insert_axis(Axis(1)));
    Dataset::new(x.clone(), targets, names, "y".into())
}

/// The minimizer of (1/n)·‖y − Xw − b‖² + λ1·‖w‖₁ + (λ2/2)·‖w‖², by cyclic
/// coordinate descent on centered data (the intercept is then
/// b = ȳ − x̄ᵀw). Each coordinate's exact minimizer, with r the residual
/// without feature j, is
///   wⱼ = S((2/n)·xⱼᵀr, λ1) / ((2/n)·‖xⱼ‖² + λ2),  S(z, t) = sign(z)·max(|z| − t, 0).
/// Sweeps until no coordinate moves by more than 1e-15.
fn coordinate_descent(x: &Array2<f64>, y: &Array1<f64>, l1: f64, l2: f64) -> (Array1<f64>, f64) {
    let n = x.nrows() as f64;
    let x_mean = x.mean_axis(Axis(0)).unwrap();
    let y_mean = y.mean().unwrap();
    let xc = x - &x_mean;
    let mut residual = y - y_mean;
    let mut w = Array1::<f64>::zeros(x.ncols());
    for _ in 0..100_000 {
        let mut largest_move = 0.0_f64;
        for j in 0..x.ncols() {
            let column = xc.column(j);
            let rho = 2.0 / n * (column.dot(&residual) + column.dot(&column) * w[j]);
            let curvature = 2.0 / n * column.dot(&column) + l2;
            let updated = rho.signum() * (rho.abs() - l1).max(0.0) / curvature;
            let step = updated - w[j];
            if step != 0.0 {
                residual.scaled_add(-step, &column);
                w[j] = updated;
            }
            largest_move = largest_move.max(step.abs());
        }
        if largest_move <= 1e-15 {
            break;
        }
    }
    let intercept = y_mean - x_mean.dot(&w);
    (w, intercept)
}

/// Fits the path at `lambdas` and compares every coefficient with coordinate
/// descent at λ1 = α·λ, λ2 = (1 − α)·λ (the project's convention, with α
/// the L1 ratio).
///
/// Tolerance: a fit stops when an epoch moves the parameters by δ ≤ 1e-13.
/// Proximal gradient descent with step ≤ 1/L contracts towards the optimum
/// by q = 1 − μ/L, so the distance left is at most δ·L/μ; the design here
/// (60 × 6, nearly independent columns, small means) has L/μ of order 10,
/// so the error is below 1e-11. Coordinate descent stops at moves of 1e-15.
/// 1e-9 leaves two orders of magnitude for rounding and for a larger
/// condition number than estimated, while a wrong factor in the gradient,
/// the threshold or the L1/L2 split moves coefficients by 1e-2 or more.
fn assert_path_matches_coordinate_descent(penalty: PathPenalty, l1_ratio: f64, lambdas: &[f64]) {
    let (x, y) = problem(11);
    let settings = FitSettings {
        penalty,
        tol: 1e-13,
        max_epochs: 200_000,
        ..FitSettings::default()
    };
    let path = fit_path(&dataset(&x, &y), lambdas, &settings, None, || {}).unwrap();
    for point in &path.points {
        assert!(point.converged, "λ = {} did not converge", point.lambda);
        let (l1, l2) = (l1_ratio * point.lambda, (1.0 - l1_ratio) * point.lambda);
        let (w, _) = coordinate_descent(&x, &y, l1, l2);
        for (j, (&fitted, &exact)) in point.first_layer_weight.iter().zip(&w).enumerate() {
            assert!(
                (fitted - exact).abs() <= 1e-9,
                "λ = {}, w[{j}]: path {fitted}, coordinate descent {exact}",
                point.lambda
            );
            // the exact zeros are the same ones
            assert_eq!(fitted == 0.0, exact == 0.0, "λ = {}, w[{j}]", point.lambda);
        }
    }
}

#[test]
fn lasso_path_equals_coordinate_descent_at_every_lambda() {
    let (x, y) = problem(11);
    // just above λ_max, as the program's grid starts (see ABOVE)
    let lambda_max = lambda_max_l1(x.view(), y.view());
    let lambdas = log_grid(ABOVE * lambda_max, 1e-2, 6);
    assert_path_matches_coordinate_descent(PathPenalty::L1, 1.0, &lambdas);
}

#[test]
fn elastic_net_path_equals_coordinate_descent_with_the_l1_ratio_split() {
    let (x, y) = problem(11);
    let l1_ratio = 0.4;
    let lambda_max = lambda_max_l1(x.view(), y.view()) / l1_ratio;
    let lambdas = log_grid(ABOVE * lambda_max, 1e-2, 5);
    assert_path_matches_coordinate_descent(PathPenalty::Elastic { l1_ratio }, l1_ratio, &lambdas);
}

/// λ_max and the gradient the fit (or coordinate descent) computes at
/// w = 0 are the same sum of n products taken in different orders, so they
/// agree only to a few ulps: exactly at λ_max a weight may be left at the
/// rounding level (1e-17) instead of 0. A relative margin of 1e-9 above is
/// far beyond rounding and far below any error in the formula (a wrong
/// factor would be off by 2×), and 0.99·λ_max is clearly below.
const ABOVE: f64 = 1.0 + 1e-9;

#[test]
fn every_weight_is_zero_at_lambda_max_and_not_just_below() {
    let (x, y) = problem(5);
    let lambda_max = lambda_max_l1(x.view(), y.view());
    let settings = FitSettings {
        tol: 1e-12,
        max_epochs: 100_000,
        ..FitSettings::default()
    };
    let lambdas = [ABOVE * lambda_max, lambda_max, 0.99 * lambda_max];
    let path = fit_path(&dataset(&x, &y), &lambdas, &settings, None, || {}).unwrap();
    let above = &path.points[0];
    assert!(
        above.first_layer_weight.iter().all(|&w| w == 0.0),
        "{:?}",
        above.first_layer_weight
    );
    assert_eq!(above.exact_zeros, x.ncols());
    let at = &path.points[1];
    assert!(
        at.first_layer_weight.iter().all(|&w| w.abs() <= 1e-14),
        "{:?}",
        at.first_layer_weight
    );
    let below = &path.points[2];
    assert!(
        below.first_layer_weight.iter().any(|&w| w.abs() > 1e-4),
        "{:?}",
        below.first_layer_weight
    );
    // the first feature to enter is the one with the largest |xⱼᵀ(y − ȳ)|
    let centered = &y - y.mean().unwrap();
    let correlations = x.t().dot(&centered).mapv(f64::abs);
    let strongest = (0..x.ncols())
        .max_by(|&a, &b| correlations[a].total_cmp(&correlations[b]))
        .unwrap();
    assert_eq!(below.selected, [strongest]);
}

#[test]
fn lambda_max_is_the_boundary_of_coordinate_descent_too() {
    // independent of the path: coordinate descent's solution is zero just
    // above λ_max and not at 0.99·λ_max
    let (x, y) = problem(5);
    let lambda_max = lambda_max_l1(x.view(), y.view());
    let (above, _) = coordinate_descent(&x, &y, ABOVE * lambda_max, 0.0);
    let (below, _) = coordinate_descent(&x, &y, 0.99 * lambda_max, 0.0);
    assert!(above.iter().all(|&w| w == 0.0), "{above:?}");
    assert!(below.iter().any(|&w| w.abs() > 1e-4), "{below:?}");
}
