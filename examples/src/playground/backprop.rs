//! One backward pass as the page walks it: the graph (nodes placed in
//! columns, leaves on the left, the loss on the right), the library's trace
//! of the pass with each step tied to its node, and the update split of
//! every parameter.

use serde::Serialize;
use sparsegrad::autograd::{GradSummary, Graph, Tensor, Trace};

use super::optimizer::ParamSplit;

/// A gradient in a few numbers (the trace's summary, serializable).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryView {
    /// The gradient's shape.
    pub shape: Vec<usize>,
    /// √(Σ g²).
    pub norm: f64,
    /// The smallest element.
    pub min: f64,
    /// The largest element.
    pub max: f64,
    /// Every element, for a gradient of at most six.
    pub values: Option<Vec<f64>>,
}

impl From<&GradSummary> for SummaryView {
    fn from(s: &GradSummary) -> Self {
        Self {
            shape: s.shape.clone(),
            norm: s.norm,
            min: s.min,
            max: s.max,
            values: s.values.clone(),
        }
    }
}

/// A node of the graph picture.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeView {
    /// The op that made it, or "leaf".
    pub op: String,
    /// Its name (`x`, `loss`, a parameter's), when it has one.
    pub name: Option<String>,
    /// Its shape.
    pub shape: Vec<usize>,
    /// The column it is drawn in: 1 + the largest column of its inputs; a
    /// leaf one column left of its first consumer.
    pub column: usize,
}

/// One step of the backward pass.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepView {
    /// The op.
    pub op: String,
    /// The node whose backward this is.
    pub node: usize,
    /// The node's inputs, in the op's order.
    pub inputs: Vec<usize>,
    /// ∂L/∂output as it arrived.
    pub grad_in: SummaryView,
    /// What it sent to each input (`None`: the input needs no gradient).
    pub grads_out: Vec<Option<SummaryView>>,
}

/// Everything the page shows of one slow step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackpropView {
    /// The loss of the batch, before the update.
    pub loss: f64,
    /// The graph's nodes; node 0 is the loss.
    pub nodes: Vec<NodeView>,
    /// `(input, output)` pairs of node numbers.
    pub edges: Vec<(usize, usize)>,
    /// The trace, first step (at the loss) first.
    pub steps: Vec<StepView>,
    /// Each parameter's update split into its parts.
    pub updates: Vec<ParamSplit>,
}

/// Whether two summaries are of the same gradient: equal bit for bit, so
/// that the summary of a diverged network's NaN gradient matches itself
/// (`==` on floats never holds for NaN).
fn same_bits(a: &GradSummary, b: &GradSummary) -> bool {
    let same = |x: &f64, y: &f64| x.to_bits() == y.to_bits();
    let values = match (&a.values, &b.values) {
        (Some(x), Some(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (x, y) => x.is_none() && y.is_none(),
    };
    a.shape == b.shape
        && same(&a.norm, &b.norm)
        && same(&a.min, &b.min)
        && same(&a.max, &b.max)
        && values
}

/// The view of a backward pass through `graph` (taken before it, with every
/// computed node retaining its gradient) that produced `trace`.
///
/// Step k of the trace is tied to the first computed node not yet tied
/// whose op is the step's and whose retained gradient summarizes to the
/// gradient the step received: the trace names ops, not nodes, and the
/// gradient identifies the node (two nodes with the same op and the same
/// gradient would be drawn alike anyway).
pub fn backprop_view(
    graph: &Graph<f64>,
    names: &[(String, Tensor<f64>)],
    trace: &Trace,
    updates: Vec<ParamSplit>,
    loss: f64,
) -> BackpropView {
    let columns = columns(graph);
    let nodes = graph
        .nodes
        .iter()
        .zip(columns)
        .map(|(t, column)| NodeView {
            op: t.op_name().unwrap_or("leaf").to_string(),
            name: names
                .iter()
                .find(|(_, n)| n.same_node(t))
                .map(|(name, _)| name.clone()),
            shape: t.shape(),
            column,
        })
        .collect();
    let mut tied = vec![false; graph.nodes.len()];
    let steps = trace
        .steps
        .iter()
        .map(|step| {
            let node = (0..graph.nodes.len())
                .find(|&n| {
                    let t = &graph.nodes[n];
                    !tied[n]
                        && t.op_name() == Some(step.op)
                        && t.grad()
                            .is_some_and(|g| same_bits(&GradSummary::of(&g), &step.grad_in))
                })
                .expect("every traced step ran on a node of the graph");
            tied[node] = true;
            StepView {
                op: step.op.to_string(),
                node,
                inputs: graph.inputs_of(node).collect(),
                grad_in: (&step.grad_in).into(),
                grads_out: step
                    .grads_out
                    .iter()
                    .map(|g| g.as_ref().map(Into::into))
                    .collect(),
            }
        })
        .collect();
    BackpropView {
        loss,
        nodes,
        edges: graph.edges.clone(),
        steps,
        updates,
    }
}

/// The column of each node (see [`NodeView::column`]).
fn columns(graph: &Graph<f64>) -> Vec<usize> {
    let n = graph.nodes.len();
    let leaf = |i: usize| graph.nodes[i].op_name().is_none();
    // Longest path from a leaf, by relaxation: at most n rounds on a DAG.
    let mut column = vec![0_usize; n];
    for _ in 0..n {
        let mut changed = false;
        for &(from, to) in &graph.edges {
            if column[to] < column[from] + 1 {
                column[to] = column[from] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for i in (0..n).filter(|&i| leaf(i)) {
        column[i] = graph
            .edges
            .iter()
            .filter(|&&(from, _)| from == i)
            .map(|&(_, to)| column[to])
            .min()
            .map_or(0, |c| c.saturating_sub(1));
    }
    column
}
