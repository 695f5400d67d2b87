//! Init: the empirical spread of large seeded samples against the formulas
//! of torch.nn.init.
//!
//! Tolerances: for N independent draws the sample standard deviation s
//! has relative standard error √((κ − 1)/(4N)), κ the kurtosis (3 for a
//! normal, 9/5 for a uniform). With N = 200 000 that is 1.6·10⁻³ (normal)
//! and 1.0·10⁻³ (uniform), so a 1.5% tolerance is about 9 and 15 standard
//! errors: a correct init passes for any seed, while a wrong formula
//! (a missing √3, √2, or the other fan) is off by far more than 1.5%.

use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad_autograd::Tensor;
use sparsegrad_nn::init::{
    FanMode, Nonlinearity, fans, kaiming_normal, kaiming_uniform, linear_default, xavier_normal,
    xavier_uniform,
};

/// [out, in] = [400, 500]: fan_in 500, fan_out 400, N = 200 000.
const SHAPE: [usize; 2] = [400, 500];
const N: f64 = 200_000.0;

/// (mean, standard deviation, max |x|) of the samples.
fn stats(t: &Tensor<f64>) -> (f64, f64, f64) {
    let v = t.value();
    let mean = v.sum() / N;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / N;
    let max_abs = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    (mean, var.sqrt(), max_abs)
}

fn assert_std(t: &Tensor<f64>, expected_std: f64) {
    assert_eq!(t.shape(), SHAPE);
    let (mean, std, _) = stats(t);
    assert!(
        (std / expected_std - 1.0).abs() < 0.015,
        "std {std} vs {expected_std}"
    );
    // The mean has standard error std/√N; allow 6 of them.
    assert!(mean.abs() < 6.0 * expected_std / N.sqrt(), "mean {mean}");
}

/// U(−a, a): inside the bounds, reaching close to them, with std a/√3.
fn assert_uniform(t: &Tensor<f64>, bound: f64) {
    let (_, _, max_abs) = stats(t);
    assert!(max_abs <= bound, "{max_abs} > {bound}");
    // P(all 200 000 draws avoid the outer 0.1%) = 0.999^200000 ≈ e^−200.
    assert!(max_abs > 0.999 * bound, "{max_abs} vs {bound}");
    assert_std(t, bound / 3f64.sqrt());
}

fn rng() -> StdRng {
    StdRng::seed_from_u64(2024)
}

#[test]
fn fans_of_a_matrix_and_of_a_convolution_kernel() {
    assert_eq!(fans(&SHAPE), (500, 400));
    // [out 8, in 4, 3×3 kernel]: each output sees 4·9 inputs, each input feeds 8·9 outputs.
    assert_eq!(fans(&[8, 4, 3, 3]), (36, 72));
}

#[test]
fn gains_are_torchs() {
    assert_eq!(Nonlinearity::Linear.gain(), 1.0);
    assert_eq!(Nonlinearity::Sigmoid.gain(), 1.0);
    assert_eq!(Nonlinearity::Tanh.gain(), 5.0 / 3.0);
    assert_eq!(Nonlinearity::Relu.gain(), 2f64.sqrt());
    assert_eq!(Nonlinearity::LeakyRelu(0.0).gain(), 2f64.sqrt());
    assert!((Nonlinearity::LeakyRelu(0.2).gain() - (2.0 / 1.04f64).sqrt()).abs() < 1e-15);
    assert_eq!(Nonlinearity::Selu.gain(), 0.75);
}

#[test]
fn xavier_uniform_and_normal() {
    // a = gain·√(6/(fan_in + fan_out)) = 2·√(6/900)
    assert_uniform(
        &xavier_uniform(&SHAPE, 2.0, &mut rng()),
        2.0 * (6.0f64 / 900.0).sqrt(),
    );
    // std = gain·√(2/900)
    assert_std(
        &xavier_normal(&SHAPE, 1.0, &mut rng()),
        (2.0f64 / 900.0).sqrt(),
    );
}

#[test]
fn kaiming_uniform_and_normal_in_both_modes() {
    // a = gain·√(3/fan): ReLU (√2) over fan_in = 500
    assert_uniform(
        &kaiming_uniform(&SHAPE, FanMode::FanIn, Nonlinearity::Relu, &mut rng()),
        2f64.sqrt() * (3.0f64 / 500.0).sqrt(),
    );
    // tanh (5/3) over fan_out = 400
    assert_uniform(
        &kaiming_uniform(&SHAPE, FanMode::FanOut, Nonlinearity::Tanh, &mut rng()),
        5.0 / 3.0 * (3.0f64 / 400.0).sqrt(),
    );
    // std = gain/√fan
    assert_std(
        &kaiming_normal(&SHAPE, FanMode::FanIn, Nonlinearity::Relu, &mut rng()),
        2f64.sqrt() / 500f64.sqrt(),
    );
    assert_std(
        &kaiming_normal(
            &SHAPE,
            FanMode::FanOut,
            Nonlinearity::LeakyRelu(0.2),
            &mut rng(),
        ),
        (2.0 / 1.04f64).sqrt() / 400f64.sqrt(),
    );
}

#[test]
fn torch_linear_default_is_uniform_one_over_sqrt_fan_in() {
    assert_uniform(
        &linear_default(&SHAPE, 500, &mut rng()),
        1.0 / 500f64.sqrt(),
    );
}

#[test]
fn same_seed_same_bits_and_f32_follows_the_same_formula() {
    let a = kaiming_normal::<f64>(&SHAPE, FanMode::FanIn, Nonlinearity::Relu, &mut rng());
    let b = kaiming_normal::<f64>(&SHAPE, FanMode::FanIn, Nonlinearity::Relu, &mut rng());
    assert_eq!(a.to_array(), b.to_array());
    let single = xavier_uniform::<f32>(&SHAPE, 1.0, &mut rng());
    let as_f64 = Tensor::new(single.to_array().mapv(f64::from));
    assert_uniform(&as_f64, (6.0f64 / 900.0).sqrt() * (1.0 + 1e-7));
}
