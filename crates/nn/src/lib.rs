#![doc = include_str!("../README.md")]

pub mod activation;
pub mod clip;
pub mod data;
pub mod dropout;
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
