//! # sparsegrad
//!
//! A small reverse-mode autodiff deep-learning framework for studying what
//! L1, L2 and elastic-net penalties do to the weights a network learns.
//!
//! This facade re-exports the two crates: [`autograd`] (tensors and
//! backprop) and [`nn`] (modules, losses, optimizers, regularization,
//! sparsity metrics, data, model files). Most programs need only the
//! [`prelude`].

pub use sparsegrad_autograd as autograd;
pub use sparsegrad_nn as nn;

#[doc = include_str!("../docs/tutorial.md")]
pub mod tutorial {}

/// The names most programs use.
pub mod prelude {
    pub use sparsegrad_autograd::{Float, Reduction, Tensor, gradcheck, no_grad};
}
