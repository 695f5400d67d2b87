//! Reading and writing files the way the programs need it: opening with
//! errors that say what is wrong with the path, and writing several files
//! atomically, together.
//!
//! [`write_atomically`] is what lets `fit` promise that `--out` and
//! `--metrics` are committed together or not at all: every file is first
//! written in full, and flushed to disk, to a temporary file beside its
//! target; only when all of them are complete are they renamed into place.
//! A rename within one folder replaces the target in one step, so a reader
//! never sees a half-written file, and a failure before the renames leaves
//! every target as it was.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

/// An error tied to the file it came from: displayed as `path: what`.
///
/// The CSV reader and the model-file loader both report through it, so that
/// every message names the file first.
#[derive(Debug, Error)]
#[error("{}: {kind}", path.display())]
pub struct FileError<K: fmt::Display + fmt::Debug> {
    /// The file the error is about.
    pub path: PathBuf,
    /// What is wrong with it.
    pub kind: K,
}

/// Why a file could not be opened or read.
#[derive(Debug, Error)]
pub enum ReadError {
    /// Nothing exists at the path.
    #[error("no such file")]
    NotFound,
    /// The path is a directory.
    #[error("is a directory, not a file")]
    IsDirectory,
    /// Any other failure of the operating system (permissions, I/O).
    #[error("cannot read: {0}")]
    Io(io::Error),
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> Self {
        match error.kind() {
            io::ErrorKind::NotFound => ReadError::NotFound,
            io::ErrorKind::IsADirectory => ReadError::IsDirectory,
            _ => ReadError::Io(error),
        }
    }
}

/// Opens `path` for reading.
///
/// A directory is refused up front, by name: on Linux `File::open`
/// succeeds on a directory and only the first read fails, with a less
/// helpful message.
pub fn open_for_reading(path: &Path) -> Result<File, ReadError> {
    if fs::metadata(path)?.is_dir() {
        return Err(ReadError::IsDirectory);
    }
    Ok(File::open(path)?)
}

/// Reads the whole file at `path` (see [`open_for_reading`]).
pub fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    open_for_reading(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Writes every `(target, contents)` pair, all or nothing.
///
/// 1. Each contents is written to a new temporary file in its target's
///    folder, named `.<target name>.tmp-<pid>-<n>` (unique within the
///    process by a counter, across processes by the pid), and flushed to
///    disk with `fsync`.
/// 2. Only when all are written are they renamed over their targets, in the
///    order given, and the folders are flushed so that the renames persist.
///
/// If anything in step 1 fails, every temporary file made so far is
/// removed and no target is touched. A target that is an existing directory
/// is refused before anything is written, since renaming a file over it
/// would fail in step 2. Step 2 can then only fail for reasons outside the
/// program's control (the folder removed or made read-only meanwhile); the
/// remaining temporaries are removed then too, but renames already done
/// stay done: no file system can rename several files in one step.
///
/// Errors name the path they concern.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("sparsegrad-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// use sparsegrad_io::fs::write_atomically;
/// let model = dir.join("model.json");
/// let metrics = dir.join("metrics.json");
/// write_atomically(&[(&model, b"{}".as_slice()), (&metrics, b"[]".as_slice())]).unwrap();
/// assert_eq!(std::fs::read(&metrics).unwrap(), b"[]");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_atomically(files: &[(&Path, &[u8])]) -> io::Result<()> {
    for (target, _) in files {
        if target.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                format!("{}: is a directory", target.display()),
            ));
        }
    }
    let mut temporaries: Vec<PathBuf> = Vec::with_capacity(files.len());
    for (target, contents) in files {
        if let Err(error) = write_temporary(target, contents, &mut temporaries) {
            remove_all(&temporaries);
            return Err(error);
        }
    }
    for (done, ((target, _), temporary)) in files.iter().zip(&temporaries).enumerate() {
        if let Err(error) = fs::rename(temporary, target) {
            remove_all(&temporaries[done..]);
            return Err(with_path(error, target));
        }
    }
    for (target, _) in files {
        sync_folder(&folder_of(target));
    }
    Ok(())
}

/// Creates the temporary file for `target`, records its path in
/// `temporaries` (so that it is cleaned up even if writing it fails), writes
/// `contents` and flushes them to disk.
fn write_temporary(
    target: &Path,
    contents: &[u8],
    temporaries: &mut Vec<PathBuf>,
) -> io::Result<()> {
    let name = target.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: not a file name", target.display()),
        )
    })?;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temporary = folder_of(target).join(format!(
        ".{}.tmp-{}-{n}",
        name.to_string_lossy(),
        std::process::id()
    ));
    // `create_new` never overwrites: a stale file of the same name is an
    // error rather than something to clobber.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .map_err(|e| with_path(e, target))?;
    temporaries.push(temporary);
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| with_path(e, target))
}

/// The folder a relative or absolute file path lives in (`.` for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Removes temporary files, ignoring failures: this runs while another
/// error is being reported, which matters more.
fn remove_all(temporaries: &[PathBuf]) {
    for temporary in temporaries {
        let _ = fs::remove_file(temporary);
    }
}

/// Flushes a folder's entries so that a rename survives a crash. Best
/// effort: some file systems do not support syncing a directory, and the
/// files themselves are already complete.
fn sync_folder(folder: &Path) {
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
}

/// Prefixes an I/O error's message with the path it concerns.
fn with_path(error: io::Error, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh, empty folder under the system's temporary folder.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sparsegrad-fs-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_every_file_and_leaves_no_temporary() {
        let dir = scratch("ok");
        let a = dir.join("a.json");
        let b = dir.join("b.json");
        fs::write(&b, b"old").unwrap();
        write_atomically(&[(&a, b"first".as_slice()), (&b, b"second".as_slice())]).unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"first");
        assert_eq!(fs::read(&b).unwrap(), b"second");
        assert_eq!(entries(&dir), ["a.json", "b.json"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failure_on_the_second_file_touches_no_target() {
        let dir = scratch("fail");
        let first = dir.join("model.json");
        let second = dir.join("no-such-folder").join("metrics.json");

        let error = write_atomically(&[(&first, b"new".as_slice()), (&second, b"m".as_slice())])
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(error.to_string().contains("metrics.json"), "{error}");
        assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));

        fs::write(&first, b"old").unwrap();
        write_atomically(&[(&first, b"new".as_slice()), (&second, b"m".as_slice())]).unwrap_err();
        assert_eq!(fs::read(&first).unwrap(), b"old");
        assert_eq!(entries(&dir), ["model.json"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_target_is_refused_before_anything_is_written() {
        let dir = scratch("dir");
        let first = dir.join("model.json");
        let second = dir.join("taken");
        fs::create_dir(&second).unwrap();
        let error =
            write_atomically(&[(&first, b"x".as_slice()), (&second, b"y".as_slice())]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::IsADirectory);
        assert_eq!(entries(&dir), ["taken"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bare_file_name_lives_in_the_current_folder() {
        assert_eq!(folder_of(Path::new("model.json")), PathBuf::from("."));
        assert_eq!(folder_of(Path::new("out/model.json")), PathBuf::from("out"));
    }

    #[test]
    fn opening_names_what_is_wrong() {
        let dir = scratch("open");
        assert!(matches!(
            read_file(&dir.join("missing.csv")),
            Err(ReadError::NotFound)
        ));
        assert!(matches!(read_file(&dir), Err(ReadError::IsDirectory)));
        fs::write(dir.join("a.csv"), b"x\n1\n").unwrap();
        assert_eq!(read_file(&dir.join("a.csv")).unwrap(), b"x\n1\n");
        fs::remove_dir_all(&dir).unwrap();
    }
}
