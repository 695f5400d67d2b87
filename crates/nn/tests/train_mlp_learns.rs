//! An MLP learns a smooth nonlinear function from noisy samples.
//!
//! Data: x ~ U(−2, 2)², y = sin(x₀) + x₁² + ε, ε ~ N(0, σ²), σ = 0.1, 256
//! training and 256 test points, all from one seed.
//!
//! The bound. No predictor beats the noise on fresh data: the best possible
//! test MSE is σ² = 0.01. Predicting the mean scores Var(y) = Var(sin x₀) +
//! Var(x₁²) + σ² ≈ 0.595 + 1.42 + 0.01 ≈ 2.0 (for U(−2, 2): E sin² = ½ −
//! sin 4/8 ≈ 0.595; E x⁴ − (E x²)² = 16/5 − 16/9 ≈ 1.42). A linear model
//! cannot use x₁² at all (it is uncorrelated with x₁ here), so it stays
//! above ≈ 1.42 + 0.01 + the unexplained part of sin. We require test MSE
//! < 0.05: the noise floor plus 0.04 for what 256 noisy samples and a
//! small network leave unlearned, i.e. more than 97.5% of the variance
//! explained, which only a model that has learned both the sine and the
//! square can reach.

use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad_autograd::{Tensor, no_grad};
use sparsegrad_nn::activation::Activation;
use sparsegrad_nn::loss::{Reduction, mse};
use sparsegrad_nn::mlp::Mlp;
use sparsegrad_nn::module::Module;
use sparsegrad_nn::optim::{Adam, AdamConfig, Optimizer, ParamGroup};

const NOISE_STD: f64 = 0.1;

/// n samples of (x, y).
fn sample(n: usize, rng: &mut StdRng) -> (Tensor<f64>, Tensor<f64>) {
    let x = Tensor::<f64>::rand_uniform(&[n, 2], -2.0, 2.0, rng);
    let noise = Tensor::rand_normal(&[n, 1], 0.0, NOISE_STD, rng);
    let y: Vec<f64> = {
        let (xv, nv) = (x.value(), noise.value());
        (0..n)
            .map(|i| xv[[i, 0]].sin() + xv[[i, 1]] * xv[[i, 1]] + nv[[i, 0]])
            .collect()
    };
    (x, Tensor::from_vec(y, &[n, 1]))
}

/// Test MSE of a network of the given widths after 200 full-batch Adam
/// steps on the training set.
fn fit_and_test(sizes: &[usize], data: &Data, rng: &mut StdRng) -> f64 {
    let mlp = Mlp::<f64>::new(sizes, Activation::Tanh, rng);
    let config = AdamConfig {
        lr: 0.03,
        ..AdamConfig::default()
    };
    let mut adam = Adam::new(vec![ParamGroup::new(mlp.named_parameters())], config).unwrap();
    for _ in 0..200 {
        adam.zero_grad();
        mse(&mlp.forward(&data.x_train), &data.y_train, Reduction::Mean).backward();
        adam.step();
    }
    no_grad(|| mse(&mlp.forward(&data.x_test), &data.y_test, Reduction::Mean).item())
}

struct Data {
    x_train: Tensor<f64>,
    y_train: Tensor<f64>,
    x_test: Tensor<f64>,
    y_test: Tensor<f64>,
}

#[test]
fn an_mlp_fits_sin_plus_square_down_to_near_the_noise() {
    let mut rng = StdRng::seed_from_u64(42);
    let (x_train, y_train) = sample(256, &mut rng);
    let (x_test, y_test) = sample(256, &mut rng);
    let data = Data {
        x_train,
        y_train,
        x_test,
        y_test,
    };
    let y = data.y_test.value();
    let mean = y.sum() / 256.0;
    let variance = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 256.0;
    // the data are what the bound assumes
    assert!((variance - 2.0).abs() < 0.4, "Var(y) = {variance}");

    let mlp_mse = fit_and_test(&[2, 16, 16, 1], &data, &mut rng);
    assert!(mlp_mse < 0.05, "test MSE {mlp_mse} (Var(y) {variance})");
    assert!(mlp_mse < 0.025 * variance);
    // The bound tells learning from not learning: a linear model trained
    // the same way cannot get below Var(x₁²) ≈ 1.4.
    let linear_mse = fit_and_test(&[2, 1], &data, &mut rng);
    assert!(linear_mse > 1.0, "a linear model reached {linear_mse}");
}
