//! The graph semantics PyTorch users expect: accumulation, zero_grad,
//! no_grad, detach, retain_grad, retain_graph, shared subexpressions, and
//! a long chain that must not overflow the stack.

use ndarray::ArrayD;
use sparsegrad_autograd::{Tensor, is_grad_enabled, no_grad, to_dot};

fn grad_vec(t: &Tensor<f64>) -> Vec<f64> {
    t.grad().expect("a gradient").iter().copied().collect()
}

#[test]
fn gradients_accumulate_across_backward_calls_until_zero_grad() {
    let w = Tensor::<f64>::from_vec(vec![1.0, -2.0], &[2]).set_requires_grad(true);
    (&w * &w).sum().backward();
    assert_eq!(grad_vec(&w), [2.0, -4.0]);
    (&w * 3.0).sum().backward();
    assert_eq!(grad_vec(&w), [5.0, -1.0]); // 2w + 3
    w.zero_grad();
    assert!(w.grad().is_none());
    (&w * 3.0).sum().backward();
    assert_eq!(grad_vec(&w), [3.0, 3.0]);
}

#[test]
fn after_zero_grad_the_next_gradient_reuses_the_buffer_and_starts_from_zero() {
    // W [2, 3] and b [2] of a linear layer on x [4, 3]: the product writes
    // ∂W = Gᵀ·x into W's buffer, the bias sums G's rows into b's
    let x = Tensor::<f64>::from_vec((0..12).map(f64::from).collect(), &[4, 3]);
    let w = Tensor::<f64>::from_vec(vec![0.5, -1.0, 2.0, 1.5, 0.0, -0.5], &[2, 3])
        .set_requires_grad(true);
    let b = Tensor::<f64>::from_vec(vec![1.0, -1.0], &[2]).set_requires_grad(true);
    // L = Σ c ⊙ (x·Wᵀ + b): G = c in every row, ∂W = Gᵀ·x, ∂b = Σ_rows G
    let step = |c: [f64; 2]| {
        w.zero_grad();
        b.zero_grad();
        let weights = Tensor::from_vec([c; 4].concat(), &[4, 2]);
        (&x.linear(&w, Some(&b)) * &weights).sum().backward();
    };
    let column_sums = [18.0, 22.0, 26.0]; // Σ_rows x
    // a NaN in the old gradient: the reused buffer is overwritten, never read
    step([f64::NAN, 2.0]);
    let buffers = (w.grad().unwrap().as_ptr(), b.grad().unwrap().as_ptr());
    step([-3.0, 0.5]);
    let want_w: Vec<f64> = [-3.0, 0.5]
        .iter()
        .flat_map(|&c| column_sums.map(|s| c * s))
        .collect();
    assert_eq!(grad_vec(&w), want_w);
    assert_eq!(grad_vec(&b), [-12.0, 2.0]);
    assert_eq!(
        (w.grad().unwrap().as_ptr(), b.grad().unwrap().as_ptr()),
        buffers,
        "the second step's gradients live in the first step's buffers"
    );
}

#[test]
fn a_tensor_used_twice_gets_both_contributions() {
    // y = x·x + x: dy/dx = 2x + 1
    let x = Tensor::<f64>::scalar(3.0).set_requires_grad(true);
    (&x * &x + x.clone()).backward();
    assert_eq!(grad_vec(&x), [7.0]);

    // diamond: a = 2x, b = a·a, c = a + b  ⇒ dc/dx = 2 + 2a·2 = 2 + 8x
    let x = Tensor::<f64>::scalar(1.5).set_requires_grad(true);
    let a = &x * 2.0;
    let c = &a + &(&a * &a);
    c.backward();
    assert_eq!(grad_vec(&x), [14.0]);
}

#[test]
fn no_grad_records_nothing_and_restores_the_mode() {
    let w = Tensor::<f64>::scalar(2.0).set_requires_grad(true);
    let y = no_grad(|| {
        assert!(!is_grad_enabled());
        let inner = no_grad(|| &w * 2.0); // nesting keeps it off
        assert!(!is_grad_enabled());
        &inner + &w
    });
    assert!(is_grad_enabled());
    assert!(!y.requires_grad() && y.is_leaf());
    // a panic inside no_grad must not leave recording off
    let _ = std::panic::catch_unwind(|| no_grad(|| panic!("inside")));
    assert!(is_grad_enabled());
}

#[test]
fn detach_cuts_the_gradient() {
    let x = Tensor::<f64>::scalar(3.0).set_requires_grad(true);
    // y = x · stop(x): dy/dx = stop(x) = 3, not 2x = 6
    (&x * &x.detach()).backward();
    assert_eq!(grad_vec(&x), [3.0]);
}

#[test]
fn intermediate_gradients_are_freed_unless_retained() {
    let x = Tensor::<f64>::scalar(2.0).set_requires_grad(true);
    let h = &x * 3.0;
    let kept = &x * 5.0;
    kept.retain_grad();
    (&h * &kept).backward();
    assert!(
        h.grad().is_none(),
        "a non-leaf keeps no gradient by default"
    );
    assert_eq!(grad_vec(&kept), [6.0]); // ∂(h·k)/∂k = h
    assert_eq!(grad_vec(&x), [60.0]); // ∂(15x²)/∂x = 30x
}

#[test]
fn a_released_graph_refuses_a_second_backward_and_a_retained_one_accumulates() {
    let x = Tensor::<f64>::scalar(2.0).set_requires_grad(true);
    let y = x.exp().sum();
    y.backward_retain_graph();
    y.backward();
    assert_eq!(grad_vec(&x), [2.0 * 2f64.exp()]);
    let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| y.backward()));
    let message = *again.expect_err("must panic").downcast::<String>().unwrap();
    assert!(
        message.contains("a second time") && message.contains("backward_retain_graph"),
        "{message}"
    );
}

#[test]
fn backward_of_a_leaf_seeds_its_own_gradient() {
    let x = Tensor::<f64>::scalar(4.0).set_requires_grad(true);
    x.backward();
    assert_eq!(grad_vec(&x), [1.0]);
}

#[test]
fn inputs_that_need_no_gradient_get_none() {
    let data = Tensor::<f64>::from_vec(vec![1.0, 2.0], &[1, 2]);
    let w = Tensor::<f64>::from_vec(vec![0.5, 0.5], &[1, 2]).set_requires_grad(true);
    data.linear(&w, None).sum().backward();
    assert!(data.grad().is_none());
    assert_eq!(grad_vec(&w), [1.0, 2.0]);
}

/// Runs a chain of 100 000 ops forward, backward and drop on a thread with
/// a 2 MiB stack (the default for spawned threads and for test threads), so
/// any recursion proportional to the depth would overflow.
#[test]
fn a_chain_of_100_000_ops_neither_overflows_nor_loses_precision() {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let x = Tensor::<f64>::scalar(1.0).set_requires_grad(true);
            let mut y = x.clone();
            for _ in 0..100_000 {
                y = y.add_scalar(1e-5);
            }
            assert!((y.item() - 2.0).abs() < 1e-9);
            y.backward();
            assert_eq!(grad_vec(&x), [1.0]);

            // and a graph never walked by backward is dropped without recursion too
            let mut z = x.clone();
            for _ in 0..100_000 {
                z = z.mul_scalar(1.0);
            }
            drop(z);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn the_trace_runs_from_the_loss_down_each_op_after_its_users() {
    let x = Tensor::<f64>::from_vec(vec![1.0, -1.0], &[2]).set_requires_grad(true);
    let w = Tensor::<f64>::from_vec(vec![2.0, 3.0], &[2]).set_requires_grad(true);
    let h = &x * &w; // [2, -3]
    let loss = (&h.relu() + &h.exp()).sum();
    let trace = loss.backward_traced();
    let ops: Vec<&str> = trace.steps.iter().map(|s| s.op).collect();
    assert_eq!(ops.first(), Some(&"sum"));
    assert_eq!(ops[1], "add");
    assert_eq!(
        ops.last(),
        Some(&"mul"),
        "mul runs last: both relu and exp use h"
    );
    assert_eq!(ops.len(), 5);
    let mul = trace.steps.last().unwrap();
    // ∂L/∂h = relu'(h) + e^h = [1 + e², e⁻³]
    let arriving = mul.grad_in.values.clone().unwrap();
    assert!(
        (arriving[0] - (1.0 + 2f64.exp())).abs() < 1e-12
            && (arriving[1] - (-3f64).exp()).abs() < 1e-12
    );
    // and to x it sends ∂L/∂h · w
    let to_x = mul.grads_out[0].as_ref().unwrap().values.clone().unwrap();
    assert!(
        (to_x[0] - 2.0 * arriving[0]).abs() < 1e-12 && (to_x[1] - 3.0 * arriving[1]).abs() < 1e-12
    );
}

#[test]
fn dot_export_has_a_node_per_tensor_and_an_edge_per_input() {
    let x = Tensor::<f64>::from_vec(vec![1.0, 2.0], &[1, 2]).set_requires_grad(true);
    let w = Tensor::<f64>::from_vec(vec![0.5, -1.0], &[1, 2]).set_requires_grad(true);
    let loss = x.linear(&w, None).tanh().sum();
    let dot = to_dot(&loss, &[("x", &x), ("w", &w)]);
    // nodes: x, w, linear, tanh, sum; edges: x→linear, w→linear, linear→tanh, tanh→sum
    assert_eq!(dot.matches("[label=").count(), 5, "{dot}");
    assert_eq!(dot.matches(" -> ").count(), 4, "{dot}");
    assert!(
        dot.contains("leaf (x)") && dot.contains("leaf (w)") && dot.contains("linear"),
        "{dot}"
    );
    assert!(dot.contains("n0 [label=\"sum"), "the root is node 0: {dot}");
}

/// The version counter: 0 for a new tensor, one more per in-place change;
/// a change made before an op records the tensor does not stop backward.
#[test]
fn versions_count_in_place_changes_and_only_later_ones_matter() {
    let w = Tensor::<f64>::from_vec(vec![1.0, 2.0], &[2]).set_requires_grad(true);
    assert_eq!(w.version(), 0);
    w.value_mut()[0] = 3.0;
    w.value_mut()[1] = 4.0;
    assert_eq!(w.version(), 2);
    // recorded at version 2, backward at version 2: fine, with the new values
    (&w * &w).sum().backward();
    assert_eq!(w.grad().unwrap().as_slice().unwrap(), &[6.0, 8.0]);
    // reading does not count
    let _ = w.value();
    let _ = w.to_array();
    assert_eq!(w.version(), 2);
}

/// y = Σᵢ cᵢ·xᵢ over any number of inputs; ∂y/∂xᵢ = cᵢ.
struct WeightedSum(Vec<f64>);

impl sparsegrad_autograd::Op<f64> for WeightedSum {
    fn name(&self) -> &'static str {
        "weighted_sum"
    }
    fn backward(&self, inputs: &[Tensor<f64>], _out: &ArrayD<f64>, grad: ArrayD<f64>) {
        for (x, &c) in inputs.iter().zip(&self.0) {
            if x.requires_grad() {
                x.accumulate_grad(grad.mapv(|g| g * c).into());
            }
        }
    }
}

#[test]
fn an_op_takes_its_inputs_as_an_array_or_a_vec_of_any_length() {
    let xs: Vec<Tensor<f64>> = (0..5)
        .map(|i| Tensor::scalar(f64::from(i)).set_requires_grad(i != 2))
        .collect();
    let weighted = |inputs: &[Tensor<f64>]| {
        let c: Vec<f64> = (1..=inputs.len()).map(|i| i as f64).collect();
        let value = inputs
            .iter()
            .zip(&c)
            .map(|(x, c)| x.item() * c)
            .sum::<f64>();
        (ndarray::arr0(value).into_dyn(), WeightedSum(c))
    };
    // five inputs, more than a node holds inline, handed over as a Vec
    let (value, op) = weighted(&xs);
    let y = Tensor::from_op(value, op, xs.clone());
    assert_eq!(
        y.item(),
        1.0 * 0.0 + 2.0 * 1.0 + 3.0 * 2.0 + 4.0 * 3.0 + 5.0 * 4.0
    );
    assert_eq!(y.inputs().len(), 5);
    assert!(y.inputs().iter().zip(&xs).all(|(a, b)| a.same_node(b)));
    y.backward();
    let grads: Vec<Option<f64>> = xs.iter().map(|x| x.grad().map(|g| g.sum())).collect();
    assert_eq!(grads, [Some(1.0), Some(2.0), None, Some(4.0), Some(5.0)]);
    // two inputs as an array
    let (value, op) = weighted(&xs[..2]);
    let z = Tensor::from_op(value, op, [xs[0].clone(), xs[1].clone()]);
    assert_eq!(z.inputs().len(), 2);
    z.backward();
    assert_eq!(xs[1].grad().unwrap().sum(), 2.0 + 2.0); // added onto the first backward's
}
