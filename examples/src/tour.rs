//! The `backprop` program's guided tour of the internals, as data and as
//! text: each section computes its numbers with the library and returns
//! them (so tests check the numbers, not the printout), and renders them
//! as a report for a learner.
//!
//! - [`neuron`]: the classic single neuron o = tanh(x1·w1 + x2·w2 + b),
//!   every node's value and gradient beside the formula derived by hand;
//! - [`mlp`]: a tiny MLP on a small batch: the graph as a listing and in
//!   SVG and DOT, the trace of backward, and
//!   a gradient check of every parameter;
//! - [`penalty`]: one weight under L2, L1 by subgradient and L1 by the
//!   proximal step, step by step: shrinking against zeroing, in numbers;
//! - [`group`]: the group lasso on two groups of two weights, the block
//!   soft threshold step by step and its closed form under H = h·I.

pub mod group;
pub mod mlp;
pub mod neuron;
pub mod penalty;

/// A part of the tour, as `--section` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    /// The single neuron.
    Neuron,
    /// The tiny MLP: graph, trace, drawing, gradient check.
    Mlp,
    /// One weight under L1 and L2.
    Penalty,
    /// All three, in that order.
    All,
}

impl Section {
    /// True when this choice includes `part` (`All` includes every part).
    pub fn includes(self, part: Section) -> bool {
        self == Section::All || self == part
    }
}
