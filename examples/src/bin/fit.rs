//! `fit`: train a model on a CSV file (see CLI.md and `sparsegrad_examples::fit`).

use std::process::ExitCode;

use sparsegrad_examples::cli;
use sparsegrad_examples::fit::{FitArgs, run_fit};

fn main() -> ExitCode {
    cli::finish(run_fit(&cli::parse::<FitArgs>()).map(|_| ()))
}
