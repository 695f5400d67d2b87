//! `fit`: train a model on a CSV file (see CLI.md and `sparsegrad_examples::fit`).

use std::process::ExitCode;

use clap::Parser;
use sparsegrad_examples::fit::{FitArgs, report_error, run_fit};

fn main() -> ExitCode {
    match run_fit(&FitArgs::parse()) {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            report_error(&error);
            ExitCode::FAILURE
        }
    }
}
