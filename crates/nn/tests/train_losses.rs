//! Losses: values computed by hand from their definitions, gradients
//! against central differences (f64), and the derivative at the kinks
//! where finite differences cannot be used.

use ndarray::{ArrayD, IxDyn};
use sparsegrad_autograd::{Tensor, gradcheck};
use sparsegrad_nn::loss::{Reduction, bce_with_logits, cross_entropy, huber, l1, mse};

fn arr(values: &[f64], shape: &[usize]) -> ArrayD<f64> {
    ArrayD::from_shape_vec(IxDyn(shape), values.to_vec()).unwrap()
}

fn t(values: &[f64], shape: &[usize]) -> Tensor<f64> {
    Tensor::new(arr(values, shape))
}

/// Gradient of `loss(p, target)` with respect to p, at p.
fn grad_at(
    loss: impl Fn(&Tensor<f64>, &Tensor<f64>) -> Tensor<f64>,
    p: &[f64],
    target: &[f64],
) -> Vec<f64> {
    let p = t(p, &[p.len()]).set_requires_grad(true);
    loss(&p, &t(target, &[target.len()])).backward();
    p.grad().unwrap().iter().copied().collect()
}

/// A loss as a function of the tensors gradcheck passes in.
type LossOfInputs = Box<dyn Fn(&[Tensor<f64>]) -> Tensor<f64>>;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

// d = p − t = [1, −2, −1.5]
const P: [f64; 3] = [1.0, -2.0, 0.5];
const T: [f64; 3] = [0.0, 0.0, 2.0];

#[test]
fn mse_l1_huber_values_by_hand_in_both_reductions() {
    let (p, y) = (t(&P, &[3]), t(&T, &[3]));
    // squares 1 + 4 + 2.25 = 7.25
    assert!(close(mse(&p, &y, Reduction::Sum).item(), 7.25));
    assert!(close(mse(&p, &y, Reduction::Mean).item(), 7.25 / 3.0));
    // |d| = 1 + 2 + 1.5 = 4.5
    assert!(close(l1(&p, &y, Reduction::Sum).item(), 4.5));
    assert!(close(l1(&p, &y, Reduction::Mean).item(), 1.5));
    // δ = 1: |d| = 1 is on the boundary, ½·1² = 0.5; |d| = 2: 1·(2 − 0.5) = 1.5;
    // |d| = 1.5: 1·(1.5 − 0.5) = 1. Sum 3.
    assert!(close(huber(&p, &y, 1.0, Reduction::Sum).item(), 3.0));
    assert!(close(huber(&p, &y, 1.0, Reduction::Mean).item(), 1.0));
    // δ = 3: all inside, ½Σd² = 3.625
    assert!(close(huber(&p, &y, 3.0, Reduction::Sum).item(), 3.625));
}

#[test]
fn bce_with_logits_matches_the_definition_and_stays_finite() {
    let x: [f64; 4] = [0.0, 2.0, -1.0, 0.3];
    let y = [1.0, 0.0, 0.5, 1.0];
    // −[y·ln σ(x) + (1 − y)·ln(1 − σ(x))], term by term
    let by_definition: f64 = x
        .iter()
        .zip(&y)
        .map(|(&x, &y)| {
            let s = 1.0 / (1.0 + (-x).exp());
            -(y * s.ln() + (1.0 - y) * (1.0 - s).ln())
        })
        .sum();
    let loss = bce_with_logits(&t(&x, &[4]), &t(&y, &[4]), Reduction::Sum).item();
    assert!(close(loss, by_definition), "{loss} vs {by_definition}");
    let mean = bce_with_logits(&t(&x, &[4]), &t(&y, &[4]), Reduction::Mean).item();
    assert!(close(mean, by_definition / 4.0));
    // Confidently wrong by 1000: the loss is 1000, not inf or NaN (ln σ(−1000) = −1000).
    let wrong = bce_with_logits(
        &t(&[1000.0, -1000.0], &[2]),
        &t(&[0.0, 1.0], &[2]),
        Reduction::Sum,
    );
    assert!(close(wrong.item(), 2000.0), "{}", wrong.item());
    // Confidently right: the loss is e^−1000 ≈ 0, not negative or NaN.
    let right = bce_with_logits(&t(&[1000.0], &[1]), &t(&[1.0], &[1]), Reduction::Sum);
    assert_eq!(right.item(), 0.0);
}

#[test]
fn cross_entropy_matches_log_sum_exp_by_hand() {
    let logits = t(&[1.0, 2.0, 3.0, 1.0, 1.0, 1.0], &[2, 3]);
    let e = std::f64::consts::E;
    // row 0, target 2: ln(e + e² + e³) − 3; row 1, target 0: ln 3
    let rows = [(e + e * e + e * e * e).ln() - 3.0, 3f64.ln()];
    let sum = cross_entropy(&logits, &[2, 0], Reduction::Sum).item();
    assert!(close(sum, rows[0] + rows[1]));
    let mean = cross_entropy(&logits, &[2, 0], Reduction::Mean).item();
    assert!(close(mean, (rows[0] + rows[1]) / 2.0));
}

#[test]
fn every_loss_passes_gradcheck_in_both_reductions() {
    // Points away from the kinks (d ≠ 0, |d| ≠ δ), where central differences are valid.
    let p = arr(&[0.7, -1.3, 2.1, 0.2, -0.4, 1.7], &[3, 2]);
    let y = arr(&[0.1, 0.4, -0.5, 0.9, 0.6, 0.3], &[3, 2]);
    for reduction in [Reduction::Mean, Reduction::Sum] {
        let checks: [(&str, LossOfInputs); 4] = [
            ("mse", Box::new(move |v| mse(&v[0], &v[1], reduction))),
            ("l1", Box::new(move |v| l1(&v[0], &v[1], reduction))),
            (
                "huber",
                Box::new(move |v| huber(&v[0], &v[1], 0.8, reduction)),
            ),
            (
                "bce",
                Box::new(move |v| bce_with_logits(&v[0], &v[1], reduction)),
            ),
        ];
        for (name, f) in checks {
            let report = gradcheck(f, &[p.clone(), y.clone()], 1e-6);
            assert!(
                report.passes(1e-8, 1e-6),
                "{name} {reduction:?}: {report:?}"
            );
        }
        let report = gradcheck(
            |v| cross_entropy(&v[0], &[1, 0, 1], reduction),
            std::slice::from_ref(&p),
            1e-6,
        );
        assert!(
            report.passes(1e-8, 1e-6),
            "cross_entropy {reduction:?}: {report:?}"
        );
    }
}

#[test]
fn the_derivative_at_the_kinks_is_the_right_subgradient() {
    // L1 at d = 0: 0 (sign(0) = 0); elsewhere sign(d)/n.
    let g = grad_at(
        |p, y| l1(p, y, Reduction::Mean),
        &[1.0, 2.0, -3.0],
        &[1.0, 0.0, 0.0],
    );
    assert_eq!(g, [0.0, 1.0 / 3.0, -1.0 / 3.0]);
    // Huber with δ = 1, summed: d = 0 → 0; d = ±δ → ±δ (both pieces agree);
    // d = 0.5 → 0.5 (inside: d); d = −4 → −δ (outside: δ·sign(d)).
    let g = grad_at(
        |p, y| huber(p, y, 1.0, Reduction::Sum),
        &[0.0, 1.0, -1.0, 0.5, -4.0],
        &[0.0; 5],
    );
    assert_eq!(g, [0.0, 1.0, -1.0, 0.5, -1.0]);
    // BCE at x = 0: σ(0) − y = 0.5 − y, for y = 0, 1 and 0.5.
    let g = grad_at(
        |x, y| bce_with_logits(x, y, Reduction::Sum),
        &[0.0, 0.0, 0.0],
        &[0.0, 1.0, 0.5],
    );
    assert_eq!(g, [0.5, -0.5, 0.0]);
}

#[test]
#[should_panic(expected = "huber: prediction [3] and target [3, 1]: shapes differ")]
fn a_loss_refuses_to_broadcast_targets() {
    huber(&t(&P, &[3]), &t(&T, &[3, 1]), 1.0, Reduction::Mean);
}
