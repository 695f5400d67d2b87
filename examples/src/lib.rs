//! # sparsegrad-examples
//!
//! The library behind the programs: synthetic data sets with known ground
//! truth, SVG plots, progress bars, and the work of each program (the
//! binaries in `src/bin` only parse options and call these).

pub mod cli;
pub mod compact;
pub mod fit;
pub mod path;
pub mod playground;
pub mod plot;
pub mod progress;
pub mod study;
pub mod synthetic;
mod table;
pub mod throughput;
pub mod tour;
