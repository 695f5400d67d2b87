//! # sparsegrad
//!
//! A small reverse-mode autodiff deep-learning framework for studying what
//! L1, L2 and elastic-net penalties do to the weights a network learns.
//!
//! This facade re-exports the three crates: [`autograd`] (tensors and
//! backprop), [`nn`] (modules, losses, optimizers, regularization,
//! sparsity metrics, data sets) and [`io`] (CSV files, model files, atomic
//! writes). Most programs need only the [`prelude`].

pub use sparsegrad_autograd as autograd;
pub use sparsegrad_io as io;
pub use sparsegrad_nn as nn;

#[doc = include_str!("../docs/tutorial.md")]
pub mod tutorial {}

/// The names most programs use: tensors, models, optimizers with their
/// penalties, data sets and the training loop.
pub mod prelude {
    pub use sparsegrad_autograd::{Float, Reduction, Tensor, gradcheck, no_grad};
    pub use sparsegrad_nn::activation::Activation;
    pub use sparsegrad_nn::data::{Dataset, Targets};
    pub use sparsegrad_nn::mlp::Mlp;
    pub use sparsegrad_nn::module::Module;
    pub use sparsegrad_nn::optim::{
        Adam, AdamConfig, GroupOptions, GroupRules, Optimizer, ParamGroup, Sgd, SgdConfig,
    };
    pub use sparsegrad_nn::regularize::{L1Mode, Penalty};
    pub use sparsegrad_nn::train::{TrainOptions, evaluate_loss, predict, train, train_step};
}
