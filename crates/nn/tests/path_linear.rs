//! The linear path engine against references computed here independently:
//! plain coordinate descent with residual updates on explicitly
//! standardized data, the optimality (KKT) conditions, the closed form on
//! an orthogonal design, and each fold's cross-validation done by hand.

mod support;

use ndarray::{Array1, Array2, Axis, array};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use sparsegrad_nn::data::{Split, k_fold};
use sparsegrad_nn::path::{
    CvProblems, LeastSquares, LinearFit, PathPenalty, Stopping, linear_path, log_grid,
};
use support::hadamard;

/// y = 3 + X·β + 0.3·ε with β sparse and uncentered, correlated features.
fn problem(seed: u64, n: usize) -> (Array2<f64>, Array1<f64>) {
    let d = 6;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
    let mut x = Array2::from_shape_fn((n, d), |(_, j)| {
        normal() * (1.0 + j as f64) + 0.5 * j as f64
    });
    for i in 0..n {
        x[[i, 1]] += 0.6 * x[[i, 0]];
    }
    let beta = [1.5, 0.0, -0.8, 0.0, 0.3, 0.0];
    let y = Array1::from_shape_fn(n, |i| {
        3.0 + (0..d).map(|j| x[[i, j]] * beta[j]).sum::<f64>() + 0.3 * normal()
    });
    (x, y)
}

/// (x − μ)/σ with the population σ, and y − ȳ, written out.
fn standardized(x: &Array2<f64>, y: &Array1<f64>) -> (Array2<f64>, Array1<f64>) {
    let n = x.nrows() as f64;
    let mean = x.mean_axis(Axis(0)).unwrap();
    let centered = x - &mean;
    let std = centered
        .mapv(|v| v * v)
        .sum_axis(Axis(0))
        .mapv(|s| (s / n).sqrt());
    (centered / &std, y - y.mean().unwrap())
}

/// The minimizer of (1/n)·‖y − Zw‖² + λ1‖w‖₁ + (λ2/2)‖w‖² on centered z, y
/// by plain cyclic coordinate descent with the residual kept:
/// wⱼ = S((2/n)·zⱼᵀr₋ⱼ, λ1)/((2/n)·‖zⱼ‖² + λ2), until no move exceeds 1e-15.
fn plain_coordinate_descent(z: &Array2<f64>, y: &Array1<f64>, l1: f64, l2: f64) -> Array1<f64> {
    let n = z.nrows() as f64;
    let mut residual = y.clone();
    let mut w = Array1::<f64>::zeros(z.ncols());
    for _ in 0..1_000_000 {
        let mut largest = 0.0_f64;
        for j in 0..z.ncols() {
            let column = z.column(j);
            let rho = 2.0 / n * (column.dot(&residual) + column.dot(&column) * w[j]);
            let updated =
                rho.signum() * (rho.abs() - l1).max(0.0) / (2.0 / n * column.dot(&column) + l2);
            let step = updated - w[j];
            residual.scaled_add(-step, &column);
            w[j] = updated;
            largest = largest.max(step.abs());
        }
        if largest <= 1e-15 {
            break;
        }
    }
    w
}

/// Iterate to the floating-point fixed point (tol 0).
const EXACT: Stopping = Stopping {
    tol: 0.0,
    max_sweeps: 1_000_000,
};

fn grid(problem: &LeastSquares, penalty: PathPenalty, count: usize) -> Vec<f64> {
    log_grid(penalty.grid_top(problem), 1e-3, count)
}

/// Both solvers iterate until nothing moves (1e-15), on a design with a
/// condition number of order 10, so each is within about 1e-13 of the
/// optimum; 1e-9 leaves room for rounding, while a wrong factor in the
/// threshold, the curvature or the λ split moves coefficients by 1e-3 or
/// more. The exact zeros must be the same ones.
fn assert_matches_plain_coordinate_descent(penalty: PathPenalty) {
    let (x, y) = problem(11, 60);
    let problem = LeastSquares::from_data(x.view(), y.view());
    let lambdas = grid(&problem, penalty, 12);
    let (z, yc) = standardized(&x, &y);
    for fit in linear_path(&problem, &lambdas, penalty, &EXACT) {
        assert!(fit.converged, "λ = {}: {fit:?}", fit.lambda);
        let exact = plain_coordinate_descent(&z, &yc, fit.l1, fit.l2);
        for (j, (&w, &e)) in fit.coefficients.iter().zip(&exact).enumerate() {
            assert!(
                (w - e).abs() <= 1e-9,
                "λ = {}, w[{j}]: {w} vs {e}",
                fit.lambda
            );
            assert_eq!(w == 0.0, e == 0.0, "λ = {}, w[{j}]: {w} vs {e}", fit.lambda);
        }
        let residual = &yc - &z.dot(&Array1::from(fit.coefficients.clone()));
        let mse = residual.dot(&residual) / x.nrows() as f64;
        assert!((fit.train_loss - mse).abs() <= 1e-12 * (1.0 + mse));
    }
}

#[test]
fn lasso_path_equals_plain_coordinate_descent() {
    assert_matches_plain_coordinate_descent(PathPenalty::L1);
}

#[test]
fn elastic_net_path_equals_plain_coordinate_descent() {
    assert_matches_plain_coordinate_descent(PathPenalty::Elastic { l1_ratio: 0.3 });
}

#[test]
fn ridge_path_equals_plain_coordinate_descent() {
    assert_matches_plain_coordinate_descent(PathPenalty::L2);
}

/// The subgradient conditions of F at every λ, from the data directly:
/// (2/n)·zⱼᵀr − λ2·wⱼ = λ1·sign(wⱼ) for wⱼ ≠ 0 and |(2/n)·zⱼᵀr| ≤ λ1 for wⱼ = 0.
#[test]
fn kkt_conditions_hold_at_every_lambda() {
    let (x, y) = problem(4, 80);
    let (z, yc) = standardized(&x, &y);
    for penalty in [PathPenalty::L1, PathPenalty::Elastic { l1_ratio: 0.6 }] {
        let problem = LeastSquares::from_data(x.view(), y.view());
        let lambdas = grid(&problem, penalty, 15);
        let mut zeros_seen = 0;
        for fit in linear_path(&problem, &lambdas, penalty, &EXACT) {
            let w = Array1::from(fit.coefficients.clone());
            let gradient = z.t().dot(&(&yc - &z.dot(&w))) * (2.0 / x.nrows() as f64);
            for j in 0..w.len() {
                if w[j] != 0.0 {
                    let violation = gradient[j] - fit.l2 * w[j] - fit.l1 * w[j].signum();
                    assert!(
                        violation.abs() <= 1e-10,
                        "λ = {}, j = {j}: {violation}",
                        fit.lambda
                    );
                } else {
                    zeros_seen += 1;
                    assert!(
                        gradient[j].abs() <= fit.l1 + 1e-12,
                        "λ = {}, j = {j}",
                        fit.lambda
                    );
                }
            }
        }
        assert!(zeros_seen > 10, "the grid should reach sparse solutions");
    }
}

/// Columns 1..7 of the 8 × 8 Sylvester–Hadamard matrix: ±1, mean 0,
/// variance 1 and orthogonal, so ZᵀZ/n = I and F separates:
/// wⱼ = S(2qⱼ, λ1)/(2 + λ2) with qⱼ = zⱼᵀ(y − ȳ)/n, exactly 0 when |2qⱼ| ≤ λ1.
#[test]
fn orthogonal_design_gives_the_closed_form_and_its_exact_zeros() {
    let x = Array2::from_shape_fn((8, 7), |(i, j)| hadamard(i, j + 1));
    let y = array![3.0, -1.0, 4.0, 1.0, -5.0, 9.0, 2.0, -6.0];
    let problem = LeastSquares::from_data(x.view(), y.view());
    let y_mean = y.mean().unwrap();
    let q: Vec<f64> = (0..7)
        .map(|j| (0..8).map(|i| x[[i, j]] * (y[i] - y_mean)).sum::<f64>() / 8.0)
        .collect();
    for penalty in [
        PathPenalty::L1,
        PathPenalty::Elastic { l1_ratio: 0.5 },
        PathPenalty::L2,
    ] {
        let lambdas = grid(&problem, penalty, 9);
        // the default tolerance: exact in one sweep on this design
        for fit in linear_path(&problem, &lambdas, penalty, &Stopping::default()) {
            for (j, &qj) in q.iter().enumerate() {
                let s = 2.0 * qj;
                let closed = s.signum() * (s.abs() - fit.l1).max(0.0) / (2.0 + fit.l2);
                let w = fit.coefficients[j];
                assert!(
                    (w - closed).abs() <= 1e-12,
                    "{penalty:?} λ = {}, j = {j}: {w} vs {closed}",
                    fit.lambda
                );
                assert_eq!(
                    w == 0.0,
                    closed == 0.0,
                    "{penalty:?} λ = {}, j = {j}",
                    fit.lambda
                );
            }
        }
    }
}

/// F(w) at (λ1, λ2) on the standardized data.
fn objective(z: &Array2<f64>, yc: &Array1<f64>, w: &[f64], l1: f64, l2: f64) -> f64 {
    let w = Array1::from(w.to_vec());
    let r = yc - &z.dot(&w);
    r.dot(&r) / z.nrows() as f64 + l1 * w.mapv(f64::abs).sum() + l2 / 2.0 * w.dot(&w)
}

/// At the default tol the reported gap bounds the objective's distance to
/// the optimum (computed by plain coordinate descent), and is within tol.
#[test]
fn the_duality_gap_bounds_the_suboptimality() {
    let (x, y) = problem(8, 50);
    let (z, yc) = standardized(&x, &y);
    let yy = yc.dot(&yc) / 50.0;
    for penalty in [
        PathPenalty::L1,
        PathPenalty::Elastic { l1_ratio: 0.5 },
        PathPenalty::L2,
    ] {
        let problem = LeastSquares::from_data(x.view(), y.view());
        let lambdas = grid(&problem, penalty, 10);
        let loose = Stopping {
            tol: 1e-3,
            ..Stopping::default()
        };
        for fit in linear_path(&problem, &lambdas, penalty, &loose) {
            assert!(
                fit.converged && fit.relative_gap <= 1e-3,
                "{penalty:?} {fit:?}"
            );
            assert!((fit.relative_gap - fit.gap / yy).abs() <= 1e-12 * (1.0 + fit.relative_gap));
            let best = plain_coordinate_descent(&z, &yc, fit.l1, fit.l2);
            let excess = objective(&z, &yc, &fit.coefficients, fit.l1, fit.l2)
                - objective(&z, &yc, best.as_slice().unwrap(), fit.l1, fit.l2);
            assert!(
                excess <= fit.gap + 1e-13,
                "{penalty:?} λ = {}: {excess} > gap {}",
                fit.lambda,
                fit.gap
            );
        }
    }
}

/// Every fold's path is the path of its own training rows standardized on
/// themselves, and its validation MSE is that of the held-out rows
/// standardized with the training statistics; a feature constant on one
/// fold's training rows (but not overall) gets σ = 1 and weight 0 there.
#[test]
fn cross_validation_equals_each_fold_done_by_hand() {
    let (mut x, y) = problem(2, 30);
    let folds = k_fold(30, 3, &mut StdRng::seed_from_u64(5));
    // feature 5 is 7 on every row but one held out by fold 0
    x.column_mut(5).fill(7.0);
    x[[folds[0].test[0], 5]] = 9.0;
    let penalty = PathPenalty::Elastic { l1_ratio: 0.8 };
    let whole = LeastSquares::from_data(x.view(), y.view());
    let lambdas = grid(&whole, penalty, 8);
    let cv = CvProblems::new(x.view(), y.view(), &folds).fit(&lambdas, penalty, &EXACT);
    let coefficients = |fits: &[LinearFit]| -> Vec<f64> {
        fits.iter().flat_map(|f| f.coefficients.clone()).collect()
    };
    let alone = coefficients(&linear_path(&whole, &lambdas, penalty, &EXACT));
    for (a, b) in coefficients(&cv.path).iter().zip(&alone) {
        assert!((a - b).abs() <= 1e-9, "whole data: {a} vs {b}");
    }
    for (k, Split { train, test }) in folds.iter().enumerate() {
        let (xt, yt) = (x.select(Axis(0), train), y.select(Axis(0), train));
        let own = LeastSquares::from_data(xt.view(), yt.view());
        let fits = linear_path(&own, &lambdas, penalty, &EXACT);
        let mean = xt.mean_axis(Axis(0)).unwrap();
        let scale = own.scale();
        for (i, (fit, by_hand)) in cv.fold_paths[k].iter().zip(&fits).enumerate() {
            for (a, b) in fit.coefficients.iter().zip(&by_hand.coefficients) {
                assert!((a - b).abs() <= 1e-9, "fold {k}, λ {i}: {a} vs {b}");
            }
            if k == 0 {
                assert_eq!((scale[5], fit.coefficients[5]), (1.0, 0.0));
            }
            let mse = test
                .iter()
                .map(|&r| {
                    let z = (&x.row(r) - &mean) / scale;
                    let predicted = yt.mean().unwrap()
                        + z.iter()
                            .zip(&by_hand.coefficients)
                            .map(|(a, b)| a * b)
                            .sum::<f64>();
                    (y[r] - predicted).powi(2)
                })
                .sum::<f64>()
                / test.len() as f64;
            let got = cv.curve.fold_losses[k][i];
            assert!(
                (got - mse).abs() <= 1e-9 * (1.0 + mse),
                "fold {k}, λ {i}: {got} vs {mse}"
            );
        }
    }
}

/// The folds run on threads; the result is the same bits on one or two.
#[test]
fn cross_validation_is_the_same_on_one_and_two_threads() {
    let (x, y) = problem(3, 200);
    let folds = k_fold(200, 5, &mut StdRng::seed_from_u64(1));
    let penalty = PathPenalty::L1;
    let lambdas = grid(&LeastSquares::from_data(x.view(), y.view()), penalty, 20);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                CvProblems::new(x.view(), y.view(), &folds).fit(
                    &lambdas,
                    penalty,
                    &Stopping::default(),
                )
            })
    };
    let (one, two) = (run(1), run(2));
    let bits = |fits: &[LinearFit]| -> Vec<u64> {
        fits.iter()
            .flat_map(|f| f.coefficients.iter().map(|w| w.to_bits()))
            .collect()
    };
    assert_eq!(bits(&one.path), bits(&two.path));
    assert_eq!(one.curve, two.curve);
}

/// The path starts at the exact λ_max: every weight is 0 at the grid's
/// top (a relative 1e-10 above it) and the strongest feature has entered
/// at 0.99·λ_max, alone.
#[test]
fn every_weight_is_zero_at_lambda_max_and_not_just_below() {
    let (x, y) = problem(5, 60);
    let problem = LeastSquares::from_data(x.view(), y.view());
    let lambda_max = problem.lambda_max_l1();
    let top = PathPenalty::L1.grid_top(&problem);
    let fits = linear_path(&problem, &[top, 0.99 * lambda_max], PathPenalty::L1, &EXACT);
    assert!(
        fits[0].coefficients.iter().all(|&w| w == 0.0),
        "{:?}",
        fits[0]
    );
    let (z, yc) = standardized(&x, &y);
    let correlations = z.t().dot(&yc).mapv(f64::abs);
    // λ_max by hand: (2/n)·maxⱼ|zⱼᵀ(y − ȳ)|
    let by_hand = 2.0 / 60.0 * correlations.fold(0.0, |m: f64, &c| m.max(c));
    assert!((lambda_max - by_hand).abs() <= 1e-12 * by_hand);
    let strongest = (0..6)
        .max_by(|&a, &b| correlations[a].total_cmp(&correlations[b]))
        .unwrap();
    let entered: Vec<usize> = (0..6).filter(|&j| fits[1].coefficients[j] != 0.0).collect();
    assert_eq!(entered, [strongest]);
}
