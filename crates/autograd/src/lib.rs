//! # sparsegrad-autograd
//!
//! Tensors and reverse-mode automatic differentiation, small enough to read
//! in an afternoon.
//!
//! - [`Tensor`] holds a value and, once [`backward`](Tensor::backward) has
//!   run, a gradient. Every op records what it needs to send the gradient
//!   back to its inputs.
//! - Each op's forward and backward stand side by side in `ops/`, one file
//!   per family, with the derivative in the doc comment.
//! - `backward.rs` is the one place that walks the graph.
//! - [`gradcheck()`] compares every gradient with central differences;
//!   [`Trace`] records a backward pass step by step; [`to_dot`] draws a graph.
//!
//! ```
//! use sparsegrad_autograd::{Reduction, Tensor};
//! let x = Tensor::<f64>::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]);
//! let w = Tensor::from_vec(vec![0.5, -0.5], &[1, 2]).set_requires_grad(true);
//! let y = Tensor::from_vec(vec![0.0, 1.0], &[2, 1]);
//! let loss = x.linear(&w, None).mse_loss(&y, Reduction::Mean);
//! loss.backward();
//! // pred = [-0.5, -0.5]; ∂L/∂w = 2/2 · Σᵢ (predᵢ − yᵢ)·xᵢ = [-0.5·1 − 1.5·3, -0.5·2 − 1.5·4]
//! assert_eq!(w.grad().unwrap().as_slice().unwrap(), &[-5.0, -7.0]);
//! ```

mod backward;
mod broadcast;
mod dot;
mod float;
mod grad_mode;
mod op;
mod overload;
mod tensor;

pub mod gemm;
pub mod gradcheck;
pub mod math;
pub mod ops;
pub mod trace;

pub use broadcast::{broadcast_shapes, unbroadcast};
pub use dot::{Graph, to_dot};
pub use float::Float;
pub use grad_mode::{is_grad_enabled, no_grad};
pub use gradcheck::{GradcheckReport, gradcheck};
pub use op::Op;
pub use ops::loss::Reduction;
pub use tensor::Tensor;
pub use trace::{GradSummary, Trace, TraceStep};

/// Re-exported so users need not depend on ndarray for the basic types.
pub use ndarray;
