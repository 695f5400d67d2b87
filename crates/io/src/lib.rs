#![doc = include_str!("../README.md")]
//!
//! ## Where things are
//!
//! On top of the math of [`sparsegrad_nn`]:
//!
//! - [`csv`]: a [`Dataset`](sparsegrad_nn::data::Dataset) from a CSV file,
//!   every cell checked, every error naming its line and column;
//! - [`model_file`]: an MLP's parameters as versioned JSON or as
//!   safetensors in PyTorch's layout, written bit-exactly and validated on load;
//! - [`state_dict`]: any model's named parameters as a safetensors file, as
//!   PyTorch saves a state_dict;
//! - [`fs`]: opening files with errors that say what is wrong with the path,
//!   and writing several files atomically, together, with temporaries that
//!   a signal removes;
//! - [`paths`]: the check every program runs first, that no output is an
//!   input or another output and every output can be a regular file;
//! - [`limits`]: the largest sizes accepted from outside.

pub mod csv;
pub mod fs;
pub mod limits;
pub mod model_file;
pub mod paths;
pub mod state_dict;
