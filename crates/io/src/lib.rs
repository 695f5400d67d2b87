//! # sparsegrad-io
//!
//! Everything of sparsegrad that touches files, on top of the math of
//! [`sparsegrad_nn`]:
//!
//! - [`csv`]: a [`Dataset`](sparsegrad_nn::data::Dataset) from a CSV file,
//!   every cell checked, every error naming its line and column;
//! - [`model_file`]: an MLP's parameters as versioned JSON, written
//!   bit-exactly and validated on load;
//! - [`fs`]: opening files with errors that say what is wrong with the path,
//!   and writing several files atomically, together.

pub mod csv;
pub mod fs;
pub mod model_file;
