//! The backward walk: the one place that traverses the graph.
//!
//! 1. Find every node that the root depends on and that requires a gradient,
//!    in topological order (inputs before the tensors computed from them),
//!    with an explicit stack instead of recursion, so that a chain of
//!    100 000 ops does not overflow the call stack.
//! 2. Seed ∂L/∂root, then visit the nodes from the root down. When a node is
//!    reached, every tensor computed from it has already been visited, so
//!    its gradient is complete: hand it to the node's op, which adds its
//!    contribution into the inputs' gradients (the chain rule, one op at a
//!    time).
//! 3. Free as you go: an intermediate gradient is dropped once its op has
//!    used it (unless `retain_grad`), and the op with the values it saved is
//!    released (unless the graph is retained for a second backward).

use std::cell::Cell;

use ndarray::ArrayD;

use crate::tensor::Origin;
use crate::trace::{Trace, TraceStep};
use crate::{Float, Tensor};

impl<T: Float> Tensor<T> {
    /// Computes the gradient of this one-element tensor (a loss) with respect
    /// to every tensor it was computed from that requires a gradient, adding
    /// it into their [`grad`](Tensor::grad). Releases the graph.
    ///
    /// # Panics
    /// When the tensor has more than one element (use
    /// [`backward_with`](Tensor::backward_with)), does not require a
    /// gradient, or was computed through a graph already released by an
    /// earlier backward.
    pub fn backward(&self) {
        run(self, self.unit_seed("backward"), false, None);
    }

    /// As [`backward`](Tensor::backward), but keeps the graph so that
    /// backward can run through it again (`retain_graph=True`).
    pub fn backward_retain_graph(&self) {
        run(self, self.unit_seed("backward_retain_graph"), true, None);
    }

    /// Backward from a tensor of any shape, given ∂L/∂self (PyTorch's
    /// `tensor.backward(gradient)`). Releases the graph.
    ///
    /// # Panics
    /// When `grad` does not have this tensor's shape, and as [`backward`](Tensor::backward).
    pub fn backward_with(&self, grad: ArrayD<T>) {
        assert!(
            grad.shape() == self.value().shape(),
            "backward_with: gradient of shape {:?} for a tensor of shape {:?}",
            grad.shape(),
            self.value().shape()
        );
        run(self, grad, false, None);
    }

    /// Runs [`backward`](Tensor::backward) and records every step it takes,
    /// in order: see [`Trace`].
    pub fn backward_traced(&self) -> Trace {
        let mut trace = Trace::default();
        run(
            self,
            self.unit_seed("backward_traced"),
            false,
            Some(&mut trace),
        );
        trace
    }

    /// ∂L/∂L = 1, for a loss with a single element.
    fn unit_seed(&self, caller: &str) -> ArrayD<T> {
        let value = self.value();
        assert!(
            value.len() == 1,
            "{caller}: the gradient can be implied only for a tensor with one element, this one has shape {:?}; use backward_with",
            value.shape()
        );
        ArrayD::ones(value.raw_dim())
    }
}

fn run<T: Float>(
    root: &Tensor<T>,
    seed: ArrayD<T>,
    retain_graph: bool,
    mut trace: Option<&mut Trace>,
) {
    assert!(
        root.requires_grad(),
        "backward: the tensor does not require a gradient (no input of it requires one, or it was computed under no_grad)"
    );
    let order = topological_order(root);
    root.accumulate_grad(seed.into());
    for node in order.iter().rev() {
        let origin = node.0.origin.borrow();
        let Origin::Computed {
            op,
            inputs,
            input_versions,
        } = &*origin
        else {
            continue; // a leaf: its gradient stays where users read it
        };
        // A node nothing flowed into (its uses were cut by no_grad or
        // detach) has nothing to pass on.
        if let Some(grad) = take_node_grad(node) {
            check_versions(op.name(), node, inputs, input_versions);
            let step = trace
                .as_ref()
                .map(|_| TraceStep::begin(op.name(), node, inputs, &grad));
            op.backward(inputs, &node.value(), grad);
            if let (Some(trace), Some(step)) = (trace.as_deref_mut(), step) {
                trace.steps.push(step.finish(inputs));
            }
        }
        let op_name = op.name();
        drop(origin);
        if !retain_graph {
            // Drops the op with the values it saved, and the references to
            // the inputs (still alive here: `order` holds them).
            *node.0.origin.borrow_mut() = Origin::Released { op_name };
        }
    }
}

/// Panics, as PyTorch's version counter does, when the output `node` of
/// `op` or one of its `inputs` was changed in place (its version moved)
/// since the op was recorded: the op's backward would read the new value
/// and compute a wrong gradient. A recorded output starts at version 0.
fn check_versions<T: Float>(
    op: &'static str,
    node: &Tensor<T>,
    inputs: &[Tensor<T>],
    input_versions: &[u64],
) {
    // the role (None for the output, Some(i) for input i) is named only
    // when the panic message needs it: this runs for every op of every
    // backward pass, and building the names allocated twice per op
    let changed = std::iter::once((node, 0, None))
        .chain(
            inputs
                .iter()
                .zip(input_versions)
                .enumerate()
                .map(|(i, (input, &saved))| (input, saved, Some(i))),
        )
        .find(|(tensor, saved, _)| tensor.version() != *saved);
    if let Some((tensor, saved, role)) = changed {
        let role = role.map_or_else(|| "output".to_string(), |i| format!("input {i}"));
        panic!(
            "backward: one of the variables needed for gradient computation has been modified by an in-place operation: {role} of `{op}`, a tensor of shape {:?}, is at version {}; expected version {saved} instead (do the in-place change after backward, or on a copy)",
            tensor.value().shape(),
            tensor.version()
        );
    }
}

/// The gradient of a computed node, ready to pass on: moved out of the node
/// (freed after its op has used it), or copied when the user asked to keep
/// it with `retain_grad`.
fn take_node_grad<T: Float>(node: &Tensor<T>) -> Option<ArrayD<T>> {
    if node.0.retains_grad.get() {
        node.grad().map(|g| g.clone())
    } else {
        node.take_grad()
    }
}

thread_local! {
    /// Numbers the graph walks of this thread (graphs are `Rc`, so never
    /// shared across threads); 0 is the mark of a node never walked.
    static WALKS: Cell<u64> = const { Cell::new(0) };
}

/// Every node the root depends on that requires a gradient, inputs before
/// the tensors computed from them (a depth-first post-order, iterative).
fn topological_order<T: Float>(root: &Tensor<T>) -> Vec<Tensor<T>> {
    let walk = WALKS.with(|w| {
        w.set(w.get() + 1);
        w.get()
    });
    let seen = |t: &Tensor<T>| t.0.walk_mark.get() == walk;
    let mut order = Vec::new();
    // (node, whether its inputs have been pushed already)
    let mut stack = vec![(root.clone(), false)];
    while let Some((node, expanded)) = stack.pop() {
        if expanded {
            order.push(node);
            continue;
        }
        if seen(&node) {
            continue;
        }
        node.0.walk_mark.set(walk);
        stack.push((node.clone(), true));
        match &*node.0.origin.borrow() {
            Origin::Leaf => {}
            Origin::Computed { inputs, .. } => {
                let next = inputs.iter().filter(|t| t.requires_grad() && !seen(t));
                stack.extend(next.map(|t| (t.clone(), false)));
            }
            Origin::Released { op_name } => panic!(
                "backward: trying to go through the graph of `{op_name}` a second time, but its saved values were freed by the first backward; call backward_retain_graph the first time"
            ),
        }
    }
    order
}
