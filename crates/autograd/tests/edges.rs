//! Values and gradients pinned by hand, at the points where a generic
//! check cannot look: kinks, saturation, huge logits.

use ndarray::{ArrayD, array};
use sparsegrad_autograd::{Reduction, Tensor};

fn leaf(values: &[f64]) -> Tensor<f64> {
    Tensor::from_vec(values.to_vec(), &[values.len()]).set_requires_grad(true)
}

fn grad_of(t: &Tensor<f64>) -> Vec<f64> {
    t.grad().expect("a gradient").iter().copied().collect()
}

#[test]
fn kinks_take_the_subgradient_zero_at_zero() {
    let x = leaf(&[-1.0, 0.0, 2.0]);
    x.relu().sum().backward();
    assert_eq!(grad_of(&x), [0.0, 0.0, 1.0]);

    let x = leaf(&[-1.0, 0.0, 2.0]);
    x.abs().sum().backward();
    assert_eq!(grad_of(&x), [-1.0, 0.0, 1.0]);

    let x = leaf(&[-1.0, 0.0, 2.0]);
    let s = x.sign();
    assert_eq!(s.to_array().as_slice().unwrap(), &[-1.0, 0.0, 1.0]);
    s.sum().backward();
    assert_eq!(grad_of(&x), [0.0, 0.0, 0.0]);

    // leaky relu: slope s for x ≤ 0 (including 0, as PyTorch)
    let x = leaf(&[-1.0, 0.0, 2.0]);
    x.leaky_relu(0.1).sum().backward();
    assert_eq!(grad_of(&x), [0.1, 0.1, 1.0]);
}

#[test]
fn clamp_passes_the_gradient_at_its_bounds_as_pytorch() {
    let x = leaf(&[-2.0, -1.0, 0.0, 1.0, 2.0]);
    x.clamp(-1.0, 1.0).sum().backward();
    assert_eq!(grad_of(&x), [0.0, 1.0, 1.0, 1.0, 0.0]);
}

#[test]
fn log_softmax_is_exact_for_logits_of_1e4() {
    let x =
        Tensor::<f64>::new(array![[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]]).set_requires_grad(true);
    let y = x.log_softmax(1);
    // row 0: the max dominates, ln Σ e^x = 1e4 exactly in f64
    // row 1: equal logits: each is −ln 3
    let expected = array![[0.0, -2e4, -1e4], [-3f64.ln(), -3f64.ln(), -3f64.ln()]].into_dyn();
    let got = y.to_array();
    for (g, e) in got.iter().zip(&expected) {
        assert!(
            (g - e).abs() <= 1e-12 * e.abs().max(1.0),
            "{got} vs {expected}"
        );
    }
    // ∂/∂x of Σ y[0, :] = 1 − 3·softmax: [1 − 3, 1, 1] in row 0
    y.narrow(0, 0, 1).sum().backward();
    let g = x.grad().unwrap().clone();
    assert_eq!(g, array![[-2.0, 1.0, 1.0], [0.0, 0.0, 0.0]].into_dyn());
}

#[test]
fn softmax_and_cross_entropy_stay_finite_for_huge_logits() {
    let x = Tensor::<f32>::new(array![[1e4f32, 0.0], [0.0, 1e4]]).set_requires_grad(true);
    let p = x.softmax(1);
    assert_eq!(p.to_array(), array![[1.0f32, 0.0], [0.0, 1.0]].into_dyn());
    // targets are the wrong classes: loss = 1e4 per row, gradient ±1/2
    let loss = x.cross_entropy(&[1, 0], Reduction::Mean);
    assert_eq!(loss.item(), 1e4);
    loss.backward();
    assert_eq!(
        x.grad().unwrap().clone(),
        array![[0.5f32, -0.5], [-0.5, 0.5]].into_dyn()
    );
}

#[test]
fn saturating_activations_do_not_produce_nan() {
    let x = leaf(&[-1000.0, 1000.0]);
    let y = x.sigmoid();
    assert_eq!(y.to_array().as_slice().unwrap(), &[0.0, 1.0]);
    y.sum().backward();
    assert_eq!(grad_of(&x), [0.0, 0.0]);

    let x = leaf(&[-1000.0, 1000.0]);
    let y = x.softplus();
    assert_eq!(y.to_array().as_slice().unwrap(), &[0.0, 1000.0]);
    y.sum().backward();
    assert_eq!(grad_of(&x), [0.0, 1.0]);
}

#[test]
fn the_classic_neuron_by_hand() {
    // micrograd's example: o = tanh(x1·w1 + x2·w2 + b), with b chosen so
    // that n = 0.8813735870195432 = atanh(1/√2) and o = 1/√2.
    let x1 = Tensor::<f64>::scalar(2.0).set_requires_grad(true);
    let x2 = Tensor::<f64>::scalar(0.0).set_requires_grad(true);
    let w1 = Tensor::<f64>::scalar(-3.0).set_requires_grad(true);
    let w2 = Tensor::<f64>::scalar(1.0).set_requires_grad(true);
    let b = Tensor::<f64>::scalar(6.881_373_587_019_543).set_requires_grad(true);
    let o = (&x1 * &w1 + &x2 * &w2 + b.clone()).tanh();
    assert!((o.item() - 0.5f64.sqrt()).abs() < 1e-15);
    o.backward();
    // do/dn = 1 − o² = 1/2; do/dx1 = w1/2, do/dw1 = x1/2, do/dx2 = w2/2, do/dw2 = x2/2
    let g = |t: &Tensor<f64>| t.grad().unwrap().iter().copied().next().unwrap();
    for (t, want) in [(&x1, -1.5), (&w1, 1.0), (&x2, 0.5), (&w2, 0.0), (&b, 0.5)] {
        assert!((g(t) - want).abs() < 1e-15, "{} vs {want}", g(t));
    }
}

#[test]
fn matmul_and_linear_by_hand() {
    // A = [[1, 2], [3, 4]], B = [[5], [6]]: C = [[17], [39]]
    let a = Tensor::<f64>::new(array![[1.0, 2.0], [3.0, 4.0]]).set_requires_grad(true);
    let b = Tensor::<f64>::new(array![[5.0], [6.0]]).set_requires_grad(true);
    let c = a.matmul(&b);
    assert_eq!(c.to_array(), array![[17.0], [39.0]].into_dyn());
    // L = Σ C·[[1], [2]]: G = [[1], [2]]; ∂L/∂A = G·Bᵀ, ∂L/∂B = Aᵀ·G
    c.backward_with(array![[1.0], [2.0]].into_dyn());
    assert_eq!(
        a.grad().unwrap().clone(),
        array![[5.0, 6.0], [10.0, 12.0]].into_dyn()
    );
    assert_eq!(b.grad().unwrap().clone(), array![[7.0], [10.0]].into_dyn());

    // linear: y = x·Wᵀ + b, W = [[1, 2]] (1 output, 2 inputs), b = [0.5]
    let x = Tensor::<f64>::new(array![[1.0, 1.0], [2.0, -1.0]]);
    let w = Tensor::<f64>::new(array![[1.0, 2.0]]).set_requires_grad(true);
    let bias = Tensor::<f64>::new(array![0.5]).set_requires_grad(true);
    let y = x.linear(&w, Some(&bias));
    assert_eq!(y.to_array(), array![[3.5], [0.5]].into_dyn());
    y.sum().backward();
    assert_eq!(w.grad().unwrap().clone(), array![[3.0, 0.0]].into_dyn()); // Σ rows of x
    assert_eq!(bias.grad().unwrap().clone(), array![2.0].into_dyn()); // batch size
}

#[test]
fn mse_is_the_plain_mean_of_squares() {
    let p = leaf(&[1.0, 2.0, 4.0]);
    let t = Tensor::from_vec(vec![0.0, 2.0, 2.0], &[3]);
    let loss = p.mse_loss(&t, Reduction::Mean);
    // (1 + 0 + 4) / 3, no ½ (the mean multiplies by 1/n, as PyTorch's
    // mean kernel does, so allow the last bit)
    assert!((loss.item() - 5.0 / 3.0).abs() <= f64::EPSILON);
    loss.backward();
    for (g, want) in grad_of(&p).iter().zip([2.0 / 3.0, 0.0, 4.0 / 3.0]) {
        assert!((g - want).abs() <= f64::EPSILON, "{g} vs {want}"); // 2(p − t)/n
    }
}

#[test]
fn f32_and_f64_agree_on_a_small_network() {
    fn run<T: sparsegrad_autograd::Float>() -> Vec<f64> {
        let x = Tensor::<T>::new(ArrayD::from_shape_fn(vec![3, 2], |p| {
            T::from_f64(p[0] as f64 - 0.5 * p[1] as f64)
        }));
        let w = Tensor::<T>::new(ArrayD::from_shape_fn(vec![2, 2], |p| {
            T::from_f64(0.3 * p[0] as f64 - 0.2)
        }))
        .set_requires_grad(true);
        let loss = x.linear(&w, None).tanh().sum();
        loss.backward();
        let g: Vec<f64> = w.grad().unwrap().iter().map(|v| v.as_f64()).collect();
        g
    }
    for (a, b) in run::<f32>().iter().zip(run::<f64>()) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}
