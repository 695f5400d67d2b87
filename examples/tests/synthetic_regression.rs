//! Tests of the regression generators: shapes, determinism, the formulas
//! (recomputed here from their definitions), support and noise level.

use ndarray::{Array1, Array2, ArrayView1, Axis, s};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sparsegrad_examples::synthetic::{
    Friedman1Config, SparseRegressionConfig, Synthetic, Targets, friedman1_target,
};

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// The one target column.
fn values(data: &Synthetic) -> Array1<f64> {
    match &data.targets {
        Targets::Regression(y) => {
            assert_eq!(y.ncols(), 1, "one target column");
            y.column(0).to_owned()
        }
        Targets::Classification(_) => panic!("expected regression targets"),
    }
}

/// Bit patterns of features and targets, so that "identical" means identical bits.
fn bits(data: &Synthetic) -> (Vec<u64>, Vec<u64>) {
    (
        data.features.iter().map(|v| v.to_bits()).collect(),
        values(data).iter().map(|v| v.to_bits()).collect(),
    )
}

/// Solves the least-squares problem min ‖Xβ − y‖² through the normal
/// equations (XᵀX)β = Xᵀy by Gaussian elimination with partial pivoting.
fn least_squares(x: &Array2<f64>, y: &Array1<f64>) -> Array1<f64> {
    let d = x.ncols();
    let mut a = x.t().dot(x);
    let mut b = x.t().dot(y);
    for col in 0..d {
        let pivot = (col..d)
            .max_by(|&i, &j| a[[i, col]].abs().total_cmp(&a[[j, col]].abs()))
            .unwrap();
        for k in 0..d {
            a.swap([col, k], [pivot, k]);
        }
        b.swap(col, pivot);
        for row in col + 1..d {
            let factor = a[[row, col]] / a[[col, col]];
            for k in col..d {
                a[[row, k]] -= factor * a[[col, k]];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut beta = Array1::zeros(d);
    for row in (0..d).rev() {
        let tail: f64 = (row + 1..d).map(|k| a[[row, k]] * beta[k]).sum();
        beta[row] = (b[row] - tail) / a[[row, row]];
    }
    beta
}

fn sample_std(v: ArrayView1<f64>) -> f64 {
    v.std(1.0)
}

fn pearson(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    let (ma, mb) = (a.mean().unwrap(), b.mean().unwrap());
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn sparse_linear_has_the_documented_shapes_and_coefficients() {
    let config = SparseRegressionConfig {
        n_samples: 40,
        n_features: 12,
        n_informative: 4,
        ..Default::default()
    };
    let problem = config.generate_linear(&mut rng(1)).unwrap();
    let data = &problem.data;
    assert_eq!(data.features.dim(), (40, 12));
    assert_eq!(values(data).len(), 40);
    assert_eq!(data.feature_names.first().unwrap(), "x0");
    assert_eq!(data.feature_names.last().unwrap(), "x11");
    assert_eq!(data.feature_names.len(), 12);

    let support = data.support.as_ref().unwrap();
    assert_eq!(support.len(), 4);
    assert!(
        support.windows(2).all(|w| w[0] < w[1]),
        "sorted and distinct: {support:?}"
    );
    for (j, beta) in problem.coefficients.iter().enumerate() {
        if support.contains(&j) {
            assert!((1.0..=3.0).contains(&beta.abs()), "beta[{j}] = {beta}");
        } else {
            assert_eq!(*beta, 0.0, "beta[{j}] off the support");
        }
    }
}

#[test]
fn sparse_linear_support_is_not_always_the_first_features() {
    // Positions are drawn at random: over a few seeds some support must
    // contain an index >= k (a fixed "first k" would never).
    let config = SparseRegressionConfig {
        n_samples: 5,
        n_features: 30,
        n_informative: 3,
        ..Default::default()
    };
    let supports: Vec<Vec<usize>> = (0..5)
        .map(|seed| {
            config
                .generate_linear(&mut rng(seed))
                .unwrap()
                .data
                .support
                .unwrap()
        })
        .collect();
    assert!(supports.iter().any(|s| s.iter().any(|&j| j >= 3)));
    assert!(supports.windows(2).any(|w| w[0] != w[1]), "{supports:?}");
}

#[test]
fn least_squares_on_noise_free_linear_data_recovers_the_sparse_coefficients() {
    for correlation in [0.0, 0.6] {
        let config = SparseRegressionConfig {
            n_samples: 60,
            n_features: 10,
            n_informative: 3,
            noise_std: 0.0,
            correlation,
        };
        let problem = config.generate_linear(&mut rng(2)).unwrap();
        let beta_hat = least_squares(&problem.data.features, &values(&problem.data));
        let support = problem.data.support.unwrap();
        for (j, (&fit, &truth)) in beta_hat.iter().zip(&problem.coefficients).enumerate() {
            assert!(
                (fit - truth).abs() < 1e-10,
                "rho={correlation}: beta_hat[{j}] = {fit}, true {truth}, support {support:?}"
            );
        }
    }
}

#[test]
fn regression_noise_has_the_requested_standard_deviation() {
    // The residual y − f(x) is the noise: its sample std has standard error
    // σ/√(2n) ≈ 0.0056 for σ = 0.5, n = 4000; 0.03 is over 5 standard errors.
    let linear = SparseRegressionConfig {
        n_samples: 4000,
        n_features: 5,
        n_informative: 2,
        noise_std: 0.5,
        correlation: 0.3,
    }
    .generate_linear(&mut rng(3))
    .unwrap();
    let residual = values(&linear.data) - &linear.data.features.dot(&linear.coefficients);
    assert!((sample_std(residual.view()) - 0.5).abs() < 0.03);

    let nonlinear = SparseRegressionConfig {
        n_samples: 4000,
        n_features: 20,
        n_informative: 4,
        noise_std: 0.5,
        correlation: 0.0,
    }
    .generate_nonlinear(&mut rng(4))
    .unwrap();
    let f: Array1<f64> = nonlinear
        .data
        .features
        .rows()
        .into_iter()
        .map(|x| nonlinear.target.eval(x))
        .collect();
    let residual = values(&nonlinear.data) - &f;
    assert!((sample_std(residual.view()) - 0.5).abs() < 0.03);
}

#[test]
fn ar1_features_have_unit_variance_and_correlation_rho_to_the_lag() {
    // For Gaussian data the sample correlation has standard error
    // ≈ (1 − r²)/√n, where r is the true correlation (0.0036 for r = 0.7,
    // 0.0059 for r = −0.4 with n = 20 000); we allow 5 standard errors for
    // lags 1 and 2. The sample variance has standard error √(2/n) ≈ 0.01; we
    // allow 0.05.
    let n = 20_000;
    for rho in [0.7, -0.4] {
        let data = SparseRegressionConfig {
            n_samples: n,
            n_features: 6,
            n_informative: 1,
            noise_std: 1.0,
            correlation: rho,
        }
        .generate_linear(&mut rng(5))
        .unwrap()
        .data;
        let x = &data.features;
        for j in 0..6 {
            let var = x.column(j).var(1.0);
            assert!((var - 1.0).abs() < 0.05, "rho={rho}: var(x{j}) = {var}");
        }
        for lag in [1, 2] {
            let truth = f64::powi(rho, lag as i32);
            let tolerance = 5.0 * (1.0 - truth * truth) / (n as f64).sqrt();
            for j in lag..6 {
                let r = pearson(x.column(j - lag), x.column(j));
                assert!(
                    (r - truth).abs() < tolerance,
                    "rho={rho}: corr(x{}, x{j}) = {r}, expected {truth} ± {tolerance}",
                    j - lag
                );
            }
        }
    }
}

#[test]
fn friedman1_target_matches_hand_computed_values() {
    // 10 sin(π x0 x1) + 20 (x2 − 0.5)² + 10 x3 + 5 x4, worked by hand.
    let cases = [
        ([0.5, 1.0, 0.5, 0.0, 0.0, 0.9], 10.0), // sin(π/2) = 1
        ([1.0, 1.0, 0.0, 1.0, 1.0, 0.1], 0.0 + 5.0 + 10.0 + 5.0), // sin(π) = 0
        (
            [0.5, 0.5, 1.0, 0.2, 0.4, 0.3],
            10.0 * 0.5f64.sqrt() + 5.0 + 2.0 + 2.0,
        ), // sin(π/4) = √½
    ];
    for (row, expected) in cases {
        let got = friedman1_target(ArrayView1::from(&row));
        assert!(
            (got - expected).abs() < 1e-12,
            "{row:?}: {got} vs {expected}"
        );
    }
}

#[test]
fn friedman1_noise_free_targets_depend_only_on_the_first_five_features() {
    let data = Friedman1Config {
        n_samples: 200,
        n_features: 12,
        noise_std: 0.0,
    }
    .generate(&mut rng(6))
    .unwrap();
    assert_eq!(data.features.dim(), (200, 12));
    assert_eq!(data.support, Some(vec![0, 1, 2, 3, 4]));
    assert!(data.features.iter().all(|&v| (0.0..1.0).contains(&v)));
    // The formula of sklearn.datasets.make_friedman1, written out again, on
    // the first five columns only.
    for (x, &y) in data.features.rows().into_iter().zip(&values(&data)) {
        let expected = 10.0 * (std::f64::consts::PI * x[0] * x[1]).sin()
            + 20.0 * (x[2] - 0.5) * (x[2] - 0.5)
            + 10.0 * x[3]
            + 5.0 * x[4];
        assert!((y - expected).abs() < 1e-12);
    }
    // The noise columns are uniform too: their mean is near 1/2
    // (standard error 0.29/√200 ≈ 0.02).
    let noise_means = data.features.slice(s![.., 5..]).mean_axis(Axis(0)).unwrap();
    assert!(
        noise_means.iter().all(|m| (m - 0.5).abs() < 0.1),
        "{noise_means}"
    );
}

#[test]
fn sparse_nonlinear_follows_the_documented_formula() {
    let problem = SparseRegressionConfig {
        n_samples: 50,
        noise_std: 0.0,
        ..Default::default()
    }
    .generate_nonlinear(&mut rng(7))
    .unwrap();
    let (data, target) = (&problem.data, &problem.target);
    assert_eq!(data.features.dim(), (50, 100));
    assert_eq!(target.support.len(), 10);
    assert_eq!(data.support.as_ref(), Some(&target.support));
    assert!(target.support.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(target.main_coefficients.len(), 10);
    assert_eq!(target.pair_coefficients.len(), 5);
    assert!(
        target
            .main_coefficients
            .iter()
            .all(|a| (1.0..=2.0).contains(&a.abs()))
    );
    assert!(
        target
            .pair_coefficients
            .iter()
            .all(|b| (0.5..=1.0).contains(&b.abs()))
    );

    // f(x) = Σ_j a_j tanh(x_{s_j}) + Σ_p b_p x_{s_2p} x_{s_2p+1}, written out.
    let s = &target.support;
    for (x, &y) in data.features.rows().into_iter().zip(&values(data)) {
        let mut f = 0.0;
        for j in 0..10 {
            f += target.main_coefficients[j] * x[s[j]].tanh();
        }
        for p in 0..5 {
            f += target.pair_coefficients[p] * x[s[2 * p]] * x[s[2 * p + 1]];
        }
        assert!((y - f).abs() < 1e-12, "{y} vs {f}");
    }
}

#[test]
fn sparse_nonlinear_target_ignores_exactly_the_non_support_features() {
    let problem = SparseRegressionConfig {
        n_samples: 3,
        n_features: 30,
        n_informative: 5,
        ..Default::default()
    }
    .generate_nonlinear(&mut rng(8))
    .unwrap();
    let target = &problem.target;
    let mut perturb = rng(9);
    for x in problem.data.features.rows() {
        let f = target.eval(x);
        let mut scrambled = x.to_owned();
        for (j, v) in scrambled.iter_mut().enumerate() {
            if !target.support.contains(&j) {
                *v = perturb.random_range(-5.0..5.0);
            }
        }
        assert_eq!(target.eval(scrambled.view()).to_bits(), f.to_bits());
        for &j in &target.support {
            let mut moved = x.to_owned();
            moved[j] += 1.0;
            assert!(
                (target.eval(moved.view()) - f).abs() > 1e-6,
                "feature {j} has no effect"
            );
        }
    }
}

#[test]
fn regression_generators_are_deterministic_in_the_seed() {
    let draws: [fn(&mut StdRng) -> Synthetic; 3] = [
        |r| {
            let config = SparseRegressionConfig {
                n_samples: 30,
                n_features: 8,
                n_informative: 2,
                noise_std: 1.0,
                correlation: 0.5,
            };
            config.generate_linear(r).unwrap().data
        },
        |r| {
            let config = Friedman1Config {
                n_samples: 30,
                ..Default::default()
            };
            config.generate(r).unwrap()
        },
        |r| {
            let config = SparseRegressionConfig {
                n_samples: 30,
                ..Default::default()
            };
            config.generate_nonlinear(r).unwrap().data
        },
    ];
    for draw in draws {
        let a = draw(&mut rng(10));
        let b = draw(&mut rng(10));
        let c = draw(&mut rng(11));
        assert_eq!(bits(&a), bits(&b));
        assert_eq!(a.support, b.support);
        assert_ne!(bits(&a).0, bits(&c).0);
        assert_ne!(bits(&a).1, bits(&c).1);
    }
}

#[test]
fn impossible_regression_configurations_are_errors() {
    let too_many = SparseRegressionConfig {
        n_features: 4,
        n_informative: 5,
        ..Default::default()
    };
    let err = too_many.generate_linear(&mut rng(0)).unwrap_err();
    assert_eq!(err.generator, "sparse_linear");
    assert!(err.to_string().contains("n_informative = 5"), "{err}");

    let unit_correlation = SparseRegressionConfig {
        correlation: 1.0,
        ..Default::default()
    };
    assert!(unit_correlation.generate_nonlinear(&mut rng(0)).is_err());

    let negative_noise = SparseRegressionConfig {
        noise_std: -1.0,
        ..Default::default()
    };
    assert!(negative_noise.generate_linear(&mut rng(0)).is_err());

    let narrow = Friedman1Config {
        n_features: 4,
        ..Default::default()
    };
    assert_eq!(
        narrow.generate(&mut rng(0)).unwrap_err().generator,
        "friedman1"
    );
}
