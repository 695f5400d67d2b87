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
/// only the root is left (take a [`Graph`] before backward to draw it after).
pub fn to_dot<T: Float>(root: &Tensor<T>, names: &[(&str, &Tensor<T>)]) -> String {
    Graph::of(root).to_dot(names)
}

/// The tensors a root was computed from and which feeds which, taken as
/// the graph stands. It holds handles, so values and gradients read from it
/// later are current: take it before backward releases the graph, and draw
/// it after, gradients included.
///
/// ```
/// use sparsegrad_autograd::{Graph, Tensor};
/// let x = Tensor::<f64>::from_vec(vec![1.0, 2.0], &[2]).set_requires_grad(true);
/// let loss = x.tanh().sum();
/// let graph = Graph::of(&loss);
/// loss.backward();
/// assert_eq!(graph.nodes.len(), 3); // sum, tanh, x
/// assert_eq!(graph.edges, [(1, 0), (2, 1)]);
/// assert!(graph.to_dot(&[("x", &x)]).contains("leaf (x)\\nshape [2]\\nvalue [1.0000, 2.0000]\\ngrad"));
/// ```
#[derive(Clone, Debug)]
pub struct Graph<T: Float> {
    /// Every tensor, numbered in the order a depth-first walk from the
    /// root meets them: the root is node 0.
    pub nodes: Vec<Tensor<T>>,
    /// One `(input, output)` pair of node numbers per input of each op, in
    /// the order the walk met them.
    pub edges: Vec<(usize, usize)>,
}

impl<T: Float> Graph<T> {
    /// The graph of `root`, walked without recursion.
    pub fn of(root: &Tensor<T>) -> Self {
        let mut number: HashMap<usize, usize> = HashMap::new();
        let mut nodes = vec![root.clone()];
        let mut edges = Vec::new();
        let mut stack = vec![root.clone()];
        number.insert(root.id(), 0);
        while let Some(t) = stack.pop() {
            let here = number[&t.id()];
            for input in t.inputs() {
                let there = *number.entry(input.id()).or_insert_with(|| {
                    nodes.push(input.clone());
                    stack.push(input.clone());
                    nodes.len() - 1
                });
                edges.push((there, here));
            }
        }
        Graph { nodes, edges }
    }

    /// The numbers of the inputs of node `node`, in the op's order.
    pub fn inputs_of(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges
            .iter()
            .filter(move |&&(_, to)| to == node)
            .map(|&(from, _)| from)
    }

    /// The graph in DOT, as [`to_dot`] describes, with the values and
    /// gradients the tensors hold now.
    pub fn to_dot(&self, names: &[(&str, &Tensor<T>)]) -> String {
        let mut dot = String::from(
            "digraph backprop {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n",
        );
        for (n, t) in self.nodes.iter().enumerate() {
            let _ = writeln!(dot, "  n{n} [label=\"{}\"];", node_label(t, names));
        }
        for (from, to) in &self.edges {
            let _ = writeln!(dot, "  n{from} -> n{to};");
        }
        dot.push_str("}\n");
        dot
    }
}

/// `op (name)\nshape [..]\nvalue [..]\ngrad [..]`, escaped for a DOT string.
fn node_label<T: Float>(t: &Tensor<T>, names: &[(&str, &Tensor<T>)]) -> String {
    node_lines(t, names).join("\\n").replace('"', "\\\"")
}

/// What a drawing shows of a tensor, one line each: `op (name)`, `shape [..]`
/// and, for a tensor of at most six elements, `value [..]` and (once it has
/// one) `grad [..]`. Shared by the DOT and the SVG drawings.
pub(crate) fn node_lines<T: Float>(t: &Tensor<T>, names: &[(&str, &Tensor<T>)]) -> Vec<String> {
    let mut title = t.op_name().unwrap_or("leaf").to_string();
    if let Some((name, _)) = names.iter().find(|(_, n)| n.same_node(t)) {
        let _ = write!(title, " ({name})");
    }
    let mut lines = vec![title, format!("shape {:?}", t.shape())];
    if let Some(values) = GradSummary::of(&t.value()).values {
        lines.push(format!("value {values:.4?}"));
        if let Some(grad) = t.grad().and_then(|g| GradSummary::of(&g).values) {
            lines.push(format!("grad {grad:.4?}"));
        }
    }
    lines
}
