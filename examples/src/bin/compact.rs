//! `compact`: remove the inputs and neurons a model file no longer uses
//! (see CLI.md and `sparsegrad_examples::compact`).

use std::process::ExitCode;

use sparsegrad_examples::cli;
use sparsegrad_examples::compact::{CompactArgs, run_compact};

fn main() -> ExitCode {
    let args = cli::parse::<CompactArgs>();
    // descriptor 1 itself: std's stdout takes a closed one for /dev/null
    cli::finish(run_compact(&args, &mut cli::raw_stdout()).map(|_| ()))
}
