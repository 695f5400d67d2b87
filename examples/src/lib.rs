//! # sparsegrad-examples
//!
//! The library behind the programs: synthetic data sets with known ground
//! truth, and SVG plots.

pub mod plot;
pub mod synthetic;
