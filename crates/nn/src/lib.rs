//! # sparsegrad-nn
//!
//! Everything needed to train small networks on top of
//! [`sparsegrad_autograd`]: modules, losses, initialization, optimizers
//! with per-group L1/L2 regularization, learning-rate schedules and
//! gradient clipping, sparsity metrics and data sets. Reading and writing
//! files is the business of the `sparsegrad-io` crate.

pub mod activation;
pub mod clip;
pub mod compact;
pub mod data;
pub mod dropout;
pub mod group_lasso;
pub mod init;
pub mod linear;
pub mod loss;
pub mod mlp;
pub mod module;
pub mod optim;
pub mod path;
pub mod regularize;
pub mod schedule;
pub mod sequential;
pub mod sparsity;
pub mod train;
