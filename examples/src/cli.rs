//! The edges every program shares: reading its options, checking its files
//! and sizes before anything runs, writing to standard output with every
//! failure reported, reporting a failure as exactly one `error: ` line on
//! stderr, and stopping quietly when whatever reads its output goes away
//! (`sparsity | head`).
//!
//! A program (the existing ones and any new one) follows the same steps:
//!
//! 1. [`parse`] its options: this also makes SIGINT and SIGTERM remove the
//!    temporary files of atomic writes in progress
//!    ([`remove_temporaries_on_signal`]);
//! 2. call [`check_files`] with its inputs and outputs (each with the
//!    option that named it) and [`limits::check`](sparsegrad::io::limits)
//!    on every size it was given, before reading or allocating anything;
//! 3. do the work, writing files only with
//!    [`write_atomically`];
//! 4. write its files first, and print to standard output last, through
//!    [`print()`], so that `program | head -1` still leaves the files
//!    written and a failed write to stdout (a full disk, a closed
//!    descriptor) is an error;
//! 5. return through [`finish`].

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use serde::Serialize;
pub use sparsegrad::io::fs::remove_temporaries_on_signal;
use sparsegrad::io::fs::write_atomically;
pub use sparsegrad::io::paths::{FileClash, check_files, check_stdout};
use thiserror::Error;

/// Parses the command line into `A`. `--help` and `--version` print and
/// exit 0; a bad option prints clap's message folded into one `error: `
/// line (without the usage hint) and exits 2.
pub fn parse<A: Parser>() -> A {
    restore_default_sigpipe();
    remove_temporaries_on_signal();
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
/// and exit status 1. The line is the error followed by each of its
/// causes, joined by ": ", leaving out a cause whose text is already in
/// the line (an error that quotes its source would otherwise say it
/// twice); line breaks are folded.
pub fn finish<E: Into<anyhow::Error>>(result: Result<(), E>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", one_line(&message(&error.into())));
            ExitCode::FAILURE
        }
    }
}

/// `error` and its causes, each said once (see [`finish`]).
fn message(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// A failed write to standard output.
#[derive(Debug, Error)]
#[error("cannot write to standard output: {0}")]
pub struct StdoutError(io::Error);

impl From<io::Error> for StdoutError {
    fn from(error: io::Error) -> Self {
        StdoutError(error)
    }
}

/// Writes `text` to standard output and flushes it; any failure (a full
/// disk, a closed descriptor) is an error. Unlike `println!` this never
/// panics, and unlike `std::io::stdout()` it does not treat a closed
/// descriptor as a success.
pub fn print(text: &str) -> Result<(), StdoutError> {
    let mut stdout = raw_stdout();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(StdoutError)
}

/// Whether descriptor 1 was closed when the program started (`prog >&-`).
///
/// The standard library's start-up opens `/dev/null` on a closed standard
/// descriptor, so that by `main` a closed stdout looks like `> /dev/null`
/// and every write succeeds. This looks first: a function in the ELF
/// `.init_array` runs when the program is loaded, before the standard
/// library's start-up code in `main`.
fn stdout_was_closed() -> bool {
    STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Set by [`note_closed_stdout`] at load time.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Records whether descriptor 1 is open, before `main`.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static NOTE_CLOSED_STDOUT: extern "C" fn() = note_closed_stdout;

#[cfg(target_os = "linux")]
extern "C" fn note_closed_stdout() {
    // SAFETY: F_GETFD on a descriptor number only queries its flags.
    let closed = unsafe { libc::fcntl(1, libc::F_GETFD) } == -1;
    STDOUT_CLOSED.store(closed, std::sync::atomic::Ordering::Relaxed);
}

/// Standard output as a plain, unbuffered writer of descriptor 1, which
/// fails when descriptor 1 was closed at start-up.
#[cfg(unix)]
pub fn raw_stdout() -> impl Write {
    use std::mem::ManuallyDrop;
    use std::os::fd::FromRawFd;

    /// Descriptor 1, borrowed.
    struct Fd1(ManuallyDrop<std::fs::File>);
    impl Write for Fd1 {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            if stdout_was_closed() {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "it is closed"));
            }
            self.0.write(bytes)
        }
        fn flush(&mut self) -> io::Result<()> {
            self.0.flush()
        }
    }
    // SAFETY: descriptor 1 is borrowed and never closed (ManuallyDrop);
    // when it is not open, every write fails with EBADF, which is reported.
    Fd1(ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) }))
}

/// Standard output (see the Unix version).
#[cfg(not(unix))]
pub fn raw_stdout() -> impl Write {
    io::stdout()
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

/// How [`write_json_into`] lays a file out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonLayout {
    /// Indented, ending in a newline: a report people read.
    Pretty,
    /// One line, no spaces: a file only programs read (a shard).
    Compact,
}

/// Creates `folder` if it is missing and writes `value` into its file
/// `name` as JSON laid out as `layout`, atomically; returns the file's
/// path. The one way the programs write a single report file.
///
/// # Errors
/// As [`write_all_into`]'s.
pub fn write_json_into(
    folder: &Path,
    name: &str,
    value: &impl Serialize,
    layout: JsonLayout,
) -> io::Result<PathBuf> {
    let mut written = write_all_into(folder, &[(name.to_owned(), json_bytes(value, layout))])?;
    Ok(written.remove(0))
}

/// `value` as JSON laid out as `layout`.
pub fn json_bytes(value: &impl Serialize, layout: JsonLayout) -> Vec<u8> {
    // The reports are structs of numbers, strings and lists, which
    // serde_json always serializes (a non-finite number becomes null).
    match layout {
        JsonLayout::Pretty => {
            let mut text = serde_json::to_vec_pretty(value).expect("a report serializes");
            text.push(b'\n');
            text
        }
        JsonLayout::Compact => serde_json::to_vec(value).expect("a report serializes"),
    }
}

/// Creates `folder` if it is missing and writes every `(name, contents)`
/// into it, all or nothing ([`write_atomically`]): a program whose last
/// output fails leaves the previous run's files as they were, never a
/// mix of two runs, and removes the folders it made for them (a full disk
/// left an empty `--out-dir` behind). Returns the files' paths.
///
/// # Errors
/// What could not be made or written; the message names the path.
pub fn write_all_into(folder: &Path, files: &[(String, Vec<u8>)]) -> io::Result<Vec<PathBuf>> {
    let missing: Vec<&Path> = folder.ancestors().take_while(|a| !a.exists()).collect();
    std::fs::create_dir_all(folder)
        .map_err(|cause| io::Error::new(cause.kind(), format!("{}: {cause}", folder.display())))?;
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| folder.join(name)).collect();
    let pairs: Vec<(&Path, &[u8])> = paths
        .iter()
        .zip(files)
        .map(|(path, (_, bytes))| (path.as_path(), bytes.as_slice()))
        .collect();
    write_atomically(&pairs).inspect_err(|_| {
        // deepest first; a folder something else wrote into stays
        for made in missing {
            if std::fs::remove_dir(made).is_err() {
                break;
            }
        }
    })?;
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::{JsonLayout, message, one_line, write_json_into};

    #[test]
    fn clap_messages_fold_into_one_line() {
        let clap = "error: unexpected argument '--x' found\n\n  tip: to pass '--x' as a value, use '-- --x'\n\nUsage: fit [OPTIONS]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(clap),
            "unexpected argument '--x' found tip: to pass '--x' as a value, use '-- --x'"
        );
        assert_eq!(one_line("reading a.csv:\nline 3"), "reading a.csv: line 3");
    }

    #[test]
    fn a_cause_quoted_by_its_error_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::AlreadyExists, "File exists");
        let quoted = anyhow::Error::new(io).context("m.json: File exists");
        assert_eq!(message(&quoted), "m.json: File exists");
        let separate = anyhow::anyhow!("disk full").context("writing m.json");
        assert_eq!(message(&separate), "writing m.json: disk full");
    }

    #[test]
    fn a_json_report_is_written_in_its_layout_and_a_bad_folder_is_named() {
        let root = std::env::temp_dir().join(format!("sparsegrad-cli-json-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let folder = root.join("made/by/the/write");
        let value = serde_json::json!({"a": [1, 2]});
        let pretty = write_json_into(&folder, "r.json", &value, JsonLayout::Pretty).unwrap();
        let text = std::fs::read_to_string(&pretty).unwrap();
        assert!(
            text.ends_with("}\n") && text.contains("\n  \"a\""),
            "{text:?}"
        );
        let compact = write_json_into(&folder, "s.json", &value, JsonLayout::Compact).unwrap();
        assert_eq!(std::fs::read_to_string(&compact).unwrap(), r#"{"a":[1,2]}"#);
        // a folder below a file cannot be made: the error names it, once
        let error =
            write_json_into(&compact.join("x"), "r.json", &value, JsonLayout::Pretty).unwrap_err();
        let named = compact.join("x").display().to_string();
        assert_eq!(error.to_string().matches(&named).count(), 1, "{error}");
        // a write that fails removes the folders made for it, and only those
        let fresh = root.join("fresh/deeper");
        assert!(write_json_into(&fresh, "no/such.json", &value, JsonLayout::Pretty).is_err());
        assert!(!root.join("fresh").exists() && root.exists());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
