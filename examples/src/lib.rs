//! # sparsegrad-examples
//!
//! The library behind the programs: synthetic data sets with known ground
//! truth, SVG plots and progress bars.

pub mod plot;
pub mod progress;
pub mod synthetic;
