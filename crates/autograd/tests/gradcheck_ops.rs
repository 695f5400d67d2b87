//! Every op's backward against central differences (f64), on random shapes
//! and values, broadcasting included. Values are kept away from the points
//! where an op is not differentiable (0 for relu/abs, the bounds of clamp,
//! ties for max), since there the finite difference measures neither side.

use ndarray::ArrayD;
use proptest::prelude::*;
use sparsegrad_autograd::{Reduction, Tensor, gradcheck};

/// Backward must agree with central differences to about 1e-6 relative.
fn assert_gradients_match(f: impl Fn(&[Tensor<f64>]) -> Tensor<f64>, inputs: &[ArrayD<f64>]) {
    let report = gradcheck(f, inputs, 1e-6);
    assert!(
        report.passes(1e-7, 1e-6),
        "worst abs {:?}, rel {:?}\nanalytic {:?}\nnumeric {:?}",
        report.max_abs_error,
        report.max_rel_error,
        report.analytic,
        report.numeric
    );
}

fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..4, 1..4)
}

fn array_of(shape: Vec<usize>, lo: f64, hi: f64) -> impl Strategy<Value = ArrayD<f64>> {
    let n: usize = shape.iter().product();
    prop::collection::vec(lo..hi, n)
        .prop_map(move |v| ArrayD::from_shape_vec(shape.clone(), v).unwrap())
}

fn array(lo: f64, hi: f64) -> impl Strategy<Value = ArrayD<f64>> {
    shape().prop_flat_map(move |s| array_of(s, lo, hi))
}

/// Values in ±[0.1, 2.1]: at least 0.1 from the kink at 0.
fn away_from_zero() -> impl Strategy<Value = ArrayD<f64>> {
    array(-2.0, 2.0).prop_map(|a| a.mapv(|x| if x >= 0.0 { x + 0.1 } else { x - 0.1 }))
}

/// A shape and a second shape that broadcasts against it: some axes set to
/// 1 and some leading axes dropped; either side may be the smaller one.
fn broadcast_pair(lo: f64, hi: f64) -> impl Strategy<Value = (ArrayD<f64>, ArrayD<f64>)> {
    (
        shape(),
        prop::collection::vec(any::<bool>(), 3),
        0usize..3,
        any::<bool>(),
    )
        .prop_flat_map(move |(s, ones, drop, swap)| {
            let drop = drop.min(s.len() - 1);
            let small: Vec<usize> = s
                .iter()
                .zip(&ones)
                .map(|(&n, &one)| if one { 1 } else { n })
                .skip(drop)
                .collect();
            let (a, b) = if swap { (small, s) } else { (s, small) };
            (array_of(a, lo, hi), array_of(b, lo, hi))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn add_sub_mul_broadcast((a, b) in broadcast_pair(-2.0, 2.0)) {
        assert_gradients_match(|t| &t[0] + &t[1], &[a.clone(), b.clone()]);
        assert_gradients_match(|t| &t[0] - &t[1], &[a.clone(), b.clone()]);
        assert_gradients_match(|t| &t[0] * &t[1], &[a, b]);
    }

    #[test]
    fn div_broadcast((a, b) in broadcast_pair(0.5, 2.0)) {
        assert_gradients_match(|t| &t[0] / &t[1], &[a.clone(), b.clone()]);
        assert_gradients_match(|t| t[0].neg().div(&t[1]), &[a, b]);
    }

    #[test]
    fn scalar_ops(x in array(-2.0, 2.0), c in -3.0..3.0f64) {
        assert_gradients_match(|t| t[0].neg(), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].add_scalar(c), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].sub_scalar(c), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].mul_scalar(c), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].div_scalar(c + 4.0), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].exp(), &[x]);
    }

    #[test]
    fn positive_domain_ops(x in array(0.2, 3.0), p in -2.0..3.0f64) {
        assert_gradients_match(|t| t[0].log(), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].sqrt(), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].powf(p), &[x]);
    }

    #[test]
    fn kinked_ops_away_from_kinks(x in away_from_zero()) {
        assert_gradients_match(|t| t[0].abs(), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].sign().add(&t[0]), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].relu(), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].leaky_relu(0.01), std::slice::from_ref(&x));
        // the thresholds sit at ±0.05, which `away_from_zero` keeps clear of
        assert_gradients_match(|t| t[0].maximum_scalar(0.05), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].minimum_scalar(-0.05), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].clamp(-0.05, 0.05), &[x]);
    }

    #[test]
    fn smooth_activations(x in array(-4.0, 4.0)) {
        assert_gradients_match(|t| t[0].tanh(), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].sigmoid(), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].gelu(), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].softplus(), &[x]);
    }

    #[test]
    fn reductions(x in array(-2.0, 2.0), axis_seed in 0usize..8, keepdim in any::<bool>()) {
        let axis = axis_seed % x.ndim();
        assert_gradients_match(|t| t[0].sum(), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].mean(), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].sum_axes(&[axis], keepdim), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].mean_axes(&[axis], keepdim), std::slice::from_ref(&x));
        let all: Vec<usize> = (0..x.ndim()).rev().collect();
        assert_gradients_match(|t| t[0].sum_axes(&all, keepdim), &[x]);
    }

    #[test]
    fn max_along_an_axis(x in array(-2.0, 2.0), axis_seed in 0usize..8, keepdim in any::<bool>()) {
        let axis = axis_seed % x.ndim();
        // Ties (or near-ties, which finite differences would cross) have no
        // single derivative; skip them.
        let mut sorted: Vec<f64> = x.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        prop_assume!(sorted.windows(2).all(|w| w[1] - w[0] > 1e-4));
        assert_gradients_match(|t| t[0].max_axis(axis, keepdim), &[x]);
    }

    #[test]
    fn softmax_and_log_softmax(x in array(-5.0, 5.0), axis_seed in 0usize..8) {
        let axis = axis_seed % x.ndim();
        assert_gradients_match(|t| t[0].softmax(axis), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].log_softmax(axis), &[x]);
    }

    #[test]
    fn matmul_2d((m, k, n) in (1usize..5, 1usize..5, 1usize..5), seed in any::<u64>()) {
        let a = seeded(&[m, k], seed);
        let b = seeded(&[k, n], seed ^ 1);
        assert_gradients_match(|t| t[0].matmul(&t[1]), &[a, b]);
    }

    #[test]
    fn matmul_batched_broadcast(batch in 1usize..4, broadcast_left in any::<bool>(), seed in any::<u64>()) {
        // [batch, 1, 2, 3] x [2, 3, 4] -> [batch, 2, 2, 4], or the other way round
        let (a, b) = if broadcast_left {
            (seeded(&[2, 3], seed), seeded(&[batch, 2, 3, 4], seed ^ 1))
        } else {
            (seeded(&[batch, 1, 2, 3], seed), seeded(&[2, 3, 4], seed ^ 1))
        };
        assert_gradients_match(|t| t[0].matmul(&t[1]), &[a, b]);
    }

    #[test]
    fn linear_layer((n, i, o) in (1usize..5, 1usize..5, 1usize..5), seed in any::<u64>()) {
        let (x, w, b) = (seeded(&[n, i], seed), seeded(&[o, i], seed ^ 1), seeded(&[o], seed ^ 2));
        assert_gradients_match(|t| t[0].linear(&t[1], Some(&t[2])), &[x.clone(), w.clone(), b]);
        assert_gradients_match(|t| t[0].linear(&t[1], None), &[x, w]);
    }

    #[test]
    fn shape_ops(x in array(-2.0, 2.0), axis_seed in 0usize..8) {
        let axis = axis_seed % x.ndim();
        let n = x.len();
        assert_gradients_match(|t| t[0].reshape(&[n]), std::slice::from_ref(&x));
        assert_gradients_match(|t| t[0].transpose(0, x.ndim() - 1), std::slice::from_ref(&x));
        let reversed: Vec<usize> = (0..x.ndim()).rev().collect();
        assert_gradients_match(|t| t[0].permute(&reversed), std::slice::from_ref(&x));
        let mut bigger = vec![2];
        bigger.extend(x.shape());
        assert_gradients_match(|t| t[0].broadcast_to(&bigger), std::slice::from_ref(&x));
        let len = x.shape()[axis];
        assert_gradients_match(|t| t[0].narrow(axis, len / 2, len - len / 2), std::slice::from_ref(&x));
        // repeats and reordering: index 0 twice
        let picks = [len - 1, 0, 0];
        assert_gradients_match(|t| t[0].index_select(axis, &picks), std::slice::from_ref(&x));
        assert_gradients_match(|t| Tensor::concat(&[t[0].clone(), t[0].mul_scalar(2.0)], axis), &[x]);
    }

    #[test]
    fn gather_along_an_axis((rows, cols) in (1usize..4, 1usize..5), seed in any::<u64>()) {
        let x = seeded(&[rows, cols], seed);
        // each row reads some of its own columns, some repeatedly
        let index = ArrayD::from_shape_fn(vec![rows, 3], |p| (p[0] + 2 * p[1]) % cols);
        assert_gradients_match(|t| t[0].gather(1, &index), &[x]);
    }

    #[test]
    fn cross_entropy_and_mse((n, classes) in (1usize..5, 2usize..5), seed in any::<u64>(), sum in any::<bool>()) {
        let reduction = if sum { Reduction::Sum } else { Reduction::Mean };
        let logits = seeded(&[n, classes], seed).mapv(|x| 3.0 * x);
        let targets: Vec<usize> = (0..n).map(|i| (i * 7 + seed as usize) % classes).collect();
        assert_gradients_match(|t| t[0].cross_entropy(&targets, reduction), &[logits]);
        let (p, y) = (seeded(&[n, classes], seed ^ 3), seeded(&[n, classes], seed ^ 4));
        assert_gradients_match(|t| t[0].mse_loss(&t[1], reduction), &[p, y]);
    }
}

/// Deterministic values in (-1, 1) for a shape, from a small LCG.
fn seeded(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut s = seed | 1;
    ArrayD::from_shape_simple_fn(shape, || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    })
}
