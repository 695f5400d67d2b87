//! `predict`: apply a model file to a CSV file (see CLI.md and
//! `sparsegrad_examples::fit`).

use std::process::ExitCode;

use clap::Parser;
use sparsegrad_examples::fit::{PredictArgs, report_error, run_predict};

fn main() -> ExitCode {
    match run_predict(&PredictArgs::parse(), &mut std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report_error(&error);
            ExitCode::FAILURE
        }
    }
}
