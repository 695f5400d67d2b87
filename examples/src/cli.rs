//! The edges every program shares: reading its options, reporting a
//! failure as exactly one `error: ` line on stderr, and stopping quietly
//! when whatever reads its output goes away (`sparsity | head`).

use std::fmt::Display;
use std::process::ExitCode;

use clap::Parser;

/// Parses the command line into `A`. `--help` and `--version` print and
/// exit 0; a bad option prints clap's message folded into one `error: `
/// line (without the usage hint) and exits 2.
pub fn parse<A: Parser>() -> A {
    restore_default_sigpipe();
    A::try_parse().unwrap_or_else(|err| {
        if !err.use_stderr() {
            let _ = err.print(); // --help, --version
            std::process::exit(0);
        }
        eprintln!("error: {}", one_line(&err.to_string()));
        std::process::exit(2);
    })
}

/// The program's exit: success, or `error` printed as one `error: ` line
/// (its causes joined by ": ", line breaks folded) and exit status 1.
pub fn finish<E: Display>(result: Result<(), E>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", one_line(&format!("{error:#}")));
            ExitCode::FAILURE
        }
    }
}

/// `message` as one line: without a leading `error: `, clap's usage and
/// hint lines, or blank lines, the rest joined by spaces.
fn one_line(message: &str) -> String {
    let kept: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect();
    kept.join(" ").trim_start_matches("error: ").to_string()
}

/// Rust starts programs with SIGPIPE ignored, so writing to a closed pipe
/// returns an error that `println!` turns into a panic. Restoring the
/// default lets the signal end the program silently, as any Unix tool.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: sets the default disposition of one signal, at start-up,
    // before the program has started any other thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn clap_messages_fold_into_one_line() {
        let clap = "error: unexpected argument '--x' found\n\n  tip: to pass '--x' as a value, use '-- --x'\n\nUsage: fit [OPTIONS]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(clap),
            "unexpected argument '--x' found tip: to pass '--x' as a value, use '-- --x'"
        );
        assert_eq!(one_line("reading a.csv:\nline 3"), "reading a.csv: line 3");
    }
}
