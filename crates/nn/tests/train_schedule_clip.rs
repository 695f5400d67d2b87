//! Learning-rate schedules at epochs where their formulas give known
//! values, and gradient clipping against norms computed by hand.

use sparsegrad_autograd::Tensor;
use sparsegrad_nn::clip::{clip_grad_norm, clip_grad_value};
use sparsegrad_nn::optim::{Optimizer, ParamGroup, Sgd, SgdConfig};
use sparsegrad_nn::schedule::Schedule;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn step_and_exponential_decay() {
    let step = Schedule::Step {
        step_size: 3,
        gamma: 0.1,
    };
    // ⌊e/3⌋ = 0, 0, 0, 1, 1, 1, 2
    let lrs: Vec<f64> = (0..7).map(|e| step.lr(2.0, e)).collect();
    for (e, expected) in [2.0, 2.0, 2.0, 0.2, 0.2, 0.2, 0.02].iter().enumerate() {
        assert!(close(lrs[e], *expected), "epoch {e}: {}", lrs[e]);
    }
    let exponential = Schedule::Exponential { gamma: 0.5 };
    assert!(close(exponential.lr(1.0, 0), 1.0));
    assert!(close(exponential.lr(1.0, 3), 0.125));
    assert_eq!(Schedule::Constant.lr(0.3, 1000), 0.3);
}

#[test]
fn cosine_annealing_runs_from_base_to_eta_min() {
    let cosine = Schedule::Cosine {
        t_max: 10,
        eta_min: 0.01,
    };
    assert!(close(cosine.lr(0.11, 0), 0.11));
    // half way: cos(π/2) = 0, so the mean of the two ends
    assert!(close(cosine.lr(0.11, 5), 0.06));
    assert!(close(cosine.lr(0.11, 10), 0.01));
    // an η_min near f64's largest value: the closed form's product of
    // (lr₀ − η_min) and 2 overflowed to −∞ (and set_lr panicked)
    let huge = Schedule::Cosine {
        t_max: 10,
        eta_min: 1e308,
    };
    // lr₀ = 0.01 is below the rounding of 1e308, so the start is 0 here
    assert!(huge.lr(0.01, 0).is_finite() && huge.lr(0.01, 0) <= 0.01);
    assert!(close(huge.lr(0.01, 5) / 5e307, 1.0));
    assert_eq!(huge.lr(0.01, 10), 1e308);
    // a quarter: (1 + cos(π/4))/2 = (1 + √½)/2
    let quarter = 0.01 + 0.1 * (1.0 + 0.5f64.sqrt()) / 2.0;
    assert!(close(
        Schedule::Cosine {
            t_max: 4,
            eta_min: 0.01
        }
        .lr(0.11, 1),
        quarter
    ));
    // monotone decreasing over the half period
    let lrs: Vec<f64> = (0..=10).map(|e| cosine.lr(0.11, e)).collect();
    assert!(lrs.windows(2).all(|w| w[1] < w[0]));
}

#[test]
fn linear_warmup_rises_from_start_factor_then_stays() {
    let warmup = Schedule::LinearWarmup {
        start_factor: 0.25,
        warmup: 4,
    };
    // factors 0.25, 0.4375, 0.625, 0.8125, 1, 1
    let expected = [0.25, 0.4375, 0.625, 0.8125, 1.0, 1.0];
    for (e, f) in expected.iter().enumerate() {
        assert!(close(warmup.lr(0.2, e), 0.2 * f), "epoch {e}");
    }
}

#[test]
fn a_schedule_drives_an_optimizer_through_set_lr() {
    let w = Tensor::<f64>::from_vec(vec![0.0], &[1]).set_requires_grad(true);
    let mut sgd = Sgd::new(
        vec![ParamGroup::new(vec![("w".into(), w.clone())])],
        SgdConfig {
            lr: 1.0,
            ..SgdConfig::default()
        },
    )
    .unwrap();
    let schedule = Schedule::Exponential { gamma: 0.5 };
    for epoch in 0..3 {
        sgd.set_lr(0, schedule.lr(1.0, epoch));
        sgd.zero_grad();
        w.mul_scalar(-1.0).sum().backward(); // g = −1: w grows by lr
        sgd.step();
    }
    // 1 + 0.5 + 0.25
    assert_eq!(w.item(), 1.75);
}

fn with_grad(values: &[f64], grad: &[f64]) -> Tensor<f64> {
    let t = Tensor::from_vec(values.to_vec(), &[values.len()]).set_requires_grad(true);
    let g = Tensor::from_vec(grad.to_vec(), &[grad.len()]);
    t.mul(&g).sum().backward(); // ∂(Σ t·g)/∂t = g
    t
}

fn grad(t: &Tensor<f64>) -> Vec<f64> {
    t.grad().unwrap().iter().copied().collect()
}

#[test]
fn clip_grad_norm_scales_all_gradients_by_one_factor() {
    // gradients [3, 4] and [12]: global norm √(9 + 16 + 144) = 13
    let (a, b) = (
        with_grad(&[0.0, 0.0], &[3.0, 4.0]),
        with_grad(&[0.0], &[12.0]),
    );
    let untouched = Tensor::<f64>::zeros(&[2]).set_requires_grad(true); // no gradient: skipped
    let params = [a.clone(), b.clone(), untouched.clone()];
    let norm = clip_grad_norm(&params, 6.5);
    assert!(close(norm, 13.0));
    let k = 6.5 / (13.0 + 1e-6);
    assert_eq!(grad(&a), [3.0 * k, 4.0 * k]);
    assert_eq!(grad(&b), [12.0 * k]);
    assert!(untouched.grad().is_none());
    // The clipped norm is 13k = 6.5 − 5e-7: the 1e-6 in the denominator
    // keeps it just under max_norm, as in torch.
    let clipped = (grad(&a)[0].powi(2) + grad(&a)[1].powi(2) + grad(&b)[0].powi(2)).sqrt();
    assert!(clipped < 6.5 && clipped > 6.5 - 1e-6, "{clipped}");
}

#[test]
fn clip_grad_norm_leaves_gradients_within_the_bound_alone() {
    let a = with_grad(&[0.0, 0.0], &[0.3, -0.4]);
    let norm = clip_grad_norm([&a], 1.0);
    assert!(close(norm, 0.5));
    assert_eq!(grad(&a), [0.3, -0.4]);
}

#[test]
fn clip_grad_value_clamps_each_element_and_keeps_nan_visible() {
    let a = with_grad(&[0.0; 5], &[-3.0, -0.5, 0.0, 0.7, 2.0]);
    clip_grad_value([&a], 1.0);
    assert_eq!(grad(&a), [-1.0, -0.5, 0.0, 0.7, 1.0]);
    let b = with_grad(&[0.0], &[f64::NAN]);
    clip_grad_value([&b], 1.0);
    assert!(grad(&b)[0].is_nan());
}
