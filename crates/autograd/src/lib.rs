#![doc = include_str!("../README.md")]
//!
//! ## Where things are
//!
//! - [`Tensor`] holds a value and, once [`backward`](Tensor::backward) has
//!   run, a gradient. Every op records what it needs to send the gradient
//!   back to its inputs.
//! - Each op's forward and backward stand side by side in `ops/`, one file
//!   per family, with the derivative in the doc comment.
//! - `backward.rs` is the one place that walks the graph.
//! - [`gradcheck()`] compares every gradient with central differences;
//!   [`Trace`] records a backward pass step by step; [`Graph::to_svg`] draws a
//!   graph (laid out by the crate itself), [`to_dot`] writes it for Graphviz.

mod backward;
mod broadcast;
mod dot;
mod float;
mod grad_mode;
mod op;
mod overload;
mod svg;
mod tensor;

pub mod gemm;
pub mod gradcheck;
pub mod math;
pub mod ops;
pub mod trace;

pub use broadcast::{broadcast_shapes, unbroadcast};
pub use dot::{Graph, to_dot};
pub use float::{Float, Shortest};
pub use grad_mode::{is_grad_enabled, no_grad};
pub use gradcheck::{GradcheckReport, gradcheck};
pub use op::Op;
pub use ops::loss::Reduction;
pub use svg::Layers;
pub use tensor::Tensor;
pub use trace::{GradSummary, Trace, TraceStep};

/// Re-exported so users need not depend on ndarray for the basic types.
pub use ndarray;
