//! The classic single neuron, micrograd's first example:
//! o = tanh(x1·w1 + x2·w2 + b), with b chosen so that n = x1·w1 + x2·w2 + b
//! = 0.8813735870195432 = atanh(1/√2), hence o = 1/√2 and 1 − o² = ½.
//!
//! Backward through it, by hand (the chain rule, from o down):
//!
//! ```text
//! ∂o/∂o = 1
//! ∂o/∂n = 1 − o²                        (d tanh n / dn = 1 − tanh² n)
//! ∂o/∂(x1·w1 + x2·w2) = ∂o/∂b = ∂o/∂n   (an add passes its gradient on)
//! ∂o/∂(x1·w1) = ∂o/∂(x2·w2) = 1 − o²
//! ∂o/∂x1 = w1·(1 − o²)   ∂o/∂w1 = x1·(1 − o²)   (d(x·w)/dx = w, d(x·w)/dw = x)
//! ∂o/∂x2 = w2·(1 − o²)   ∂o/∂w2 = x2·(1 − o²)
//! ```
//!
//! [`neuron`] computes every node with the library's tensors and backward,
//! and beside each the same quantity from these formulas in plain f64.

use std::fmt::Write;

use sparsegrad::autograd::Tensor;

use crate::table::{Align, Table, fixed, sci};

/// The inputs of the neuron.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NeuronInputs {
    /// First input.
    pub x1: f64,
    /// Second input.
    pub x2: f64,
    /// Weight of the first input.
    pub w1: f64,
    /// Weight of the second input.
    pub w2: f64,
    /// Bias.
    pub b: f64,
}

/// micrograd's numbers: x = (2, 0), w = (−3, 1), b = 6.8813735870195432.
pub const CLASSIC: NeuronInputs = NeuronInputs {
    x1: 2.0,
    x2: 0.0,
    w1: -3.0,
    w2: 1.0,
    // micrograd's 6.8813735870195432, written with the digits f64 keeps
    // (the same double).
    b: 6.881_373_587_019_543,
};

/// Two numbers agree when they differ by at most this much. Both sides run
/// the same few f64 operations, so they should agree to the last bits;
/// 1e-12 leaves room for a different but equally exact order of operations.
pub const AGREEMENT_TOLERANCE: f64 = 1e-12;

/// One node of the neuron: its value and ∂o/∂node from the library, and
/// the same two numbers from the hand-derived formulas.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronNode {
    /// The node, as the formulas call it (`x1·w1`, `n`, `o`).
    pub name: &'static str,
    /// How the node's value is computed.
    pub value_formula: &'static str,
    /// The value the forward pass computed.
    pub value: f64,
    /// The value from `value_formula` in plain f64.
    pub value_by_hand: f64,
    /// ∂o/∂node, derived by hand.
    pub grad_formula: &'static str,
    /// ∂o/∂node as backward computed it.
    pub grad: f64,
    /// ∂o/∂node from `grad_formula` in plain f64.
    pub grad_by_hand: f64,
}

impl NeuronNode {
    /// The larger of the two disagreements, value and gradient.
    pub fn difference(&self) -> f64 {
        (self.value - self.value_by_hand)
            .abs()
            .max((self.grad - self.grad_by_hand).abs())
    }

    /// True when library and hand agree on both numbers within
    /// [`AGREEMENT_TOLERANCE`].
    pub fn agrees(&self) -> bool {
        self.difference() <= AGREEMENT_TOLERANCE
    }
}

/// Every node of o = tanh(x1·w1 + x2·w2 + b), leaves first and o last,
/// computed by the library (tensors, one backward from o, intermediate
/// gradients retained) and by hand.
pub fn neuron(inputs: NeuronInputs) -> Vec<NeuronNode> {
    let leaf = |v: f64| Tensor::<f64>::scalar(v).set_requires_grad(true);
    let (x1, x2, w1, w2, b) = (
        leaf(inputs.x1),
        leaf(inputs.x2),
        leaf(inputs.w1),
        leaf(inputs.w2),
        leaf(inputs.b),
    );
    let x1w1 = &x1 * &w1;
    let x2w2 = &x2 * &w2;
    let x1w1_x2w2 = &x1w1 + &x2w2;
    let n = &x1w1_x2w2 + &b;
    let o = n.tanh();
    for t in [&x1w1, &x2w2, &x1w1_x2w2, &n, &o] {
        t.retain_grad();
    }
    o.backward();

    let NeuronInputs {
        x1: hx1,
        x2: hx2,
        w1: hw1,
        w2: hw2,
        b: hb,
    } = inputs;
    let hn = hx1 * hw1 + hx2 * hw2 + hb;
    let ho = hn.tanh();
    let dn = 1.0 - ho * ho;
    let rows = [
        ("x1", "x1", &x1, hx1, "w1·(1−o²)", hw1 * dn),
        ("x2", "x2", &x2, hx2, "w2·(1−o²)", hw2 * dn),
        ("w1", "w1", &w1, hw1, "x1·(1−o²)", hx1 * dn),
        ("w2", "w2", &w2, hw2, "x2·(1−o²)", hx2 * dn),
        ("b", "b", &b, hb, "1−o²", dn),
        ("x1·w1", "x1·w1", &x1w1, hx1 * hw1, "1−o²", dn),
        ("x2·w2", "x2·w2", &x2w2, hx2 * hw2, "1−o²", dn),
        (
            "x1·w1+x2·w2",
            "x1·w1 + x2·w2",
            &x1w1_x2w2,
            hx1 * hw1 + hx2 * hw2,
            "1−o²",
            dn,
        ),
        ("n", "x1·w1 + x2·w2 + b", &n, hn, "1−o²", dn),
        ("o", "tanh(n)", &o, ho, "1", 1.0),
    ];
    rows.into_iter()
        .map(
            |(name, value_formula, t, value_by_hand, grad_formula, grad_by_hand)| NeuronNode {
                name,
                value_formula,
                value: t.item(),
                value_by_hand,
                grad_formula,
                grad: t.grad().expect("backward reached every node of the neuron")[[]],
                grad_by_hand,
            },
        )
        .collect()
}

/// The nodes as a table (library value and gradient beside the formulas
/// and their numbers) and a verdict on their agreement.
pub fn neuron_report(nodes: &[NeuronNode]) -> String {
    let mut table = Table::new(&[
        ("node", Align::Left),
        ("value", Align::Right),
        ("by hand", Align::Right),
        ("= formula", Align::Left),
        ("∂o/∂node", Align::Right),
        ("by hand", Align::Right),
        ("= formula", Align::Left),
        ("|diff|", Align::Right),
        ("agree", Align::Left),
    ]);
    for node in nodes {
        table.row(vec![
            node.name.to_string(),
            fixed(node.value),
            fixed(node.value_by_hand),
            node.value_formula.to_string(),
            fixed(node.grad),
            fixed(node.grad_by_hand),
            node.grad_formula.to_string(),
            sci(node.difference()),
            if node.agrees() { "yes" } else { "NO" }.to_string(),
        ]);
    }
    let agreeing = nodes.iter().filter(|n| n.agrees()).count();
    let worst = nodes.iter().map(NeuronNode::difference).fold(0.0, f64::max);
    let mut report = table.to_string();
    let _ = writeln!(
        report,
        "\n{agreeing} of {} nodes agree with the hand derivation to within {} (largest difference {}).",
        nodes.len(),
        sci(AGREEMENT_TOLERANCE),
        sci(worst),
    );
    report
}
