//! Graphviz DOT export of a graph, for drawing what backward will walk.
//!
//! ```
//! use sparsegrad_autograd::{Tensor, to_dot};
//! let x = Tensor::<f32>::from_vec(vec![1.0, 2.0], &[2]).set_requires_grad(true);
//! let y = x.tanh().sum();
//! let dot = to_dot(&y, &[("x", &x)]);
//! assert!(dot.starts_with("digraph"));
//! assert_eq!(dot.matches(" -> ").count(), 2); // x → tanh → sum
//! ```
//! Render with `dot -Tsvg graph.dot -o graph.svg`.

use std::collections::HashMap;
use std::fmt::Write;

use crate::trace::GradSummary;
use crate::{Float, Tensor};

/// The graph that `root` was computed from, in DOT: one box per tensor
/// (its op or `leaf`, its name if given in `names`, its shape, and for a
/// tensor of at most six elements its value and gradient), one edge from
/// each input to the tensor computed from it. Nodes are numbered in the
/// order a depth-first walk from the root meets them, so the output is the
/// same for the same graph.
///
/// The graph is read as it stands: after a backward that did not retain it,
/// only the root is left.
pub fn to_dot<T: Float>(root: &Tensor<T>, names: &[(&str, &Tensor<T>)]) -> String {
    let mut number: HashMap<usize, usize> = HashMap::new();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut stack = vec![root.clone()];
    number.insert(root.id(), 0);
    while let Some(t) = stack.pop() {
        let here = number[&t.id()];
        nodes.push((here, node_label(&t, names)));
        for input in t.inputs() {
            let next = number.len();
            let there = *number.entry(input.id()).or_insert_with(|| {
                stack.push(input.clone());
                next
            });
            edges.push((there, here));
        }
    }
    nodes.sort_by_key(|&(n, _)| n);
    let mut dot = String::from(
        "digraph backprop {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n",
    );
    for (n, label) in nodes {
        let _ = writeln!(dot, "  n{n} [label=\"{label}\"];");
    }
    for (from, to) in edges {
        let _ = writeln!(dot, "  n{from} -> n{to};");
    }
    dot.push_str("}\n");
    dot
}

/// `op (name)\nshape [..]\nvalue [..]\ngrad [..]`, escaped for a DOT string.
fn node_label<T: Float>(t: &Tensor<T>, names: &[(&str, &Tensor<T>)]) -> String {
    let mut label = t.op_name().unwrap_or("leaf").to_string();
    if let Some((name, _)) = names.iter().find(|(_, n)| n.same_node(t)) {
        let _ = write!(label, " ({name})");
    }
    let _ = write!(label, "\\nshape {:?}", t.shape());
    if let Some(values) = GradSummary::of(&t.value()).values {
        let _ = write!(label, "\\nvalue {values:.4?}");
        if let Some(grad) = t.grad().and_then(|g| GradSummary::of(&g).values) {
            let _ = write!(label, "\\ngrad {grad:.4?}");
        }
    }
    label.replace('"', "\\\"")
}
