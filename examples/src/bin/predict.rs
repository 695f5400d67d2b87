//! `predict`: apply a model file to a CSV file (see CLI.md and
//! `sparsegrad_examples::fit`).

use std::process::ExitCode;

use sparsegrad_examples::cli;
use sparsegrad_examples::fit::{PredictArgs, run_predict};

fn main() -> ExitCode {
    let args = cli::parse::<PredictArgs>();
    cli::finish(run_predict(&args, &mut cli::raw_stdout()))
}
