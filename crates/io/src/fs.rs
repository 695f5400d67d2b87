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
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

use crate::limits::{LimitExceeded, Size};

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
    /// The file is longer than the reader accepts.
    #[error("{0}")]
    TooLarge(LimitExceeded),
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

/// Reads the whole file at `path` (see [`open_for_reading`]), refusing one
/// longer than `limit` bytes after reading at most one byte more (so that
/// `/dev/zero` or an endless pipe ends in an error, not an aborted
/// allocation).
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    open_for_reading(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(LimitExceeded {
            what: "the file's size in bytes (read so far)".into(),
            value: Size::Exact(u128::from(limit) + 1),
            limit,
        }));
    }
    Ok(bytes)
}

/// Writes every `(target, contents)` pair, all or nothing.
///
/// 1. Every target is resolved through its symbolic links (the file a link
///    names is the one replaced, the link stays), and must be a regular
///    file or not exist yet: a directory, a device, a FIFO or a socket is
///    refused before anything is written.
/// 2. Each contents is written to a new temporary file in its target's
///    folder (see [`temporary_name`]), created with `O_EXCL` so that
///    nothing is ever clobbered (on a name collision a fresh random name is
///    tried), given the permissions of the file it replaces (if any), and
///    flushed to disk with `fsync`. The temporaries are
///    registered, so that [`remove_temporaries_on_signal`] can remove them
///    when the program is interrupted.
/// 3. Only when all are written are they renamed over their targets, in the
///    order given, and the folders are flushed so that the renames persist.
///
/// If anything in step 2 fails, every temporary file made so far is
/// removed and no target is touched. Step 3 can then only fail for reasons
/// outside the program's control (the folder removed or made read-only
/// meanwhile); the remaining temporaries are removed then too, but renames
/// already done stay done: no file system can rename several files in one
/// step.
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
    let targets = files
        .iter()
        .map(|(target, _)| {
            let resolved = resolve_links(target).map_err(|e| with_path(e, target))?;
            check_writable_target(&resolved).map_err(|e| with_path(e, target))?;
            Ok(resolved)
        })
        .collect::<io::Result<Vec<PathBuf>>>()?;
    let mut temporaries: Vec<PathBuf> = Vec::with_capacity(files.len());
    for (target, (shown, contents)) in targets.iter().zip(files) {
        if let Err(error) = write_temporary(target, contents, &mut temporaries) {
            remove_temporaries(&temporaries);
            return Err(with_path(error, shown));
        }
    }
    for (done, (target, temporary)) in targets.iter().zip(&temporaries).enumerate() {
        if let Err(error) = fs::rename(temporary, target) {
            remove_temporaries(&temporaries[done..]);
            unregister(&temporaries[..done]);
            return Err(with_path(error, files[done].0));
        }
    }
    unregister(&temporaries);
    for target in &targets {
        sync_folder(&folder_of(target));
    }
    Ok(())
}

/// Why an existing path cannot be replaced by a file: `None` when it is a
/// regular file or does not exist.
pub(crate) fn check_writable_target(path: &Path) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => Ok(()),
        Ok(metadata) => Err(io::Error::new(
            if metadata.is_dir() {
                io::ErrorKind::IsADirectory
            } else {
                io::ErrorKind::InvalidInput
            },
            format!("is {}, not a regular file", kind_of(&metadata)),
        )),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// Whether `metadata` is that of a character or block device.
pub(crate) fn is_device(metadata: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let file_type = metadata.file_type();
        file_type.is_char_device() || file_type.is_block_device()
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        false
    }
}

/// What an existing non-regular file is, for a message.
pub(crate) fn kind_of(metadata: &fs::Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a directory";
    }
    if is_device(metadata) {
        return "a device";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// `path` with every symbolic link of its last component followed (as the
/// kernel would, at most 40 times), so that a dangling link names the file
/// it would create. The folders on the way are left as they are.
pub(crate) fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    const MAX_LINKS: usize = 40; // Linux's MAXSYMLINKS
    let mut resolved = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&resolved) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = fs::read_link(&resolved)?;
                resolved = folder_of(&resolved).join(link);
            }
            Ok(_) => return Ok(resolved),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(resolved),
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// The longest file name most file systems allow (Linux's `NAME_MAX`), in
/// bytes.
const NAME_MAX: usize = 255;

/// The name of a temporary file for `target`: `.<target name>.<16 random
/// hex digits>.tmp`, with the target's name cut (at a character boundary
/// when it is UTF-8) so that the whole stays within 255 bytes (`NAME_MAX`)
/// whatever the target's length. The random part comes from the standard
/// library's randomly keyed hasher: different in every process and on
/// every call, so that neither a stale file of a crashed run with the same
/// pid nor a concurrent run collides, and it never touches the seeded
/// random streams of training.
pub fn temporary_name(target: &Path) -> PathBuf {
    use std::hash::{BuildHasher, Hasher};
    const SUFFIX_LEN: usize = 1 + 16 + 4; // ".<hex>.tmp"
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    let random = hasher.finish();
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut cut = name.len().min(NAME_MAX - 1 - SUFFIX_LEN);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    folder_of(target).join(format!(".{}.{random:016x}.tmp", &name[..cut]))
}

/// Creates the temporary file for `target` (retrying on a name collision),
/// records its path in `temporaries` and in the registry (so that it is
/// cleaned up even if writing it fails or a signal arrives), writes
/// `contents` and flushes them to disk.
fn write_temporary(
    target: &Path,
    contents: &[u8],
    temporaries: &mut Vec<PathBuf>,
) -> io::Result<()> {
    if target.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file name",
        ));
    }
    const ATTEMPTS: usize = 16;
    let mut attempt = 0;
    let mut file = loop {
        let temporary = temporary_name(target);
        register(&temporary);
        // `create_new` never overwrites: a file of the same name is someone
        // else's, and another name is tried.
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => {
                temporaries.push(temporary);
                break file;
            }
            Err(error) => {
                unregister(std::slice::from_ref(&temporary));
                attempt += 1;
                if error.kind() != io::ErrorKind::AlreadyExists || attempt == ATTEMPTS {
                    return Err(error);
                }
            }
        }
    };
    // A replaced file keeps its permissions (a model kept private at 0600
    // stays so), as an editor's save does; a new one gets the umask's.
    if let Ok(existing) = fs::metadata(target) {
        file.set_permissions(existing.permissions())?;
    }
    file.write_all(contents).and_then(|()| file.sync_all())
}

/// The folder a relative or absolute file path lives in (`.` for a bare name).
pub(crate) fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The temporary files that exist right now, for the signal handler.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Adds a temporary file to the registry, before it is created.
fn register(temporary: &Path) {
    lock_registry().push(temporary.to_path_buf());
}

/// Takes temporary files out of the registry (renamed, or not created).
fn unregister(temporaries: &[PathBuf]) {
    lock_registry().retain(|t| !temporaries.contains(t));
}

/// The registry; a panic while it was held cannot leave it inconsistent
/// (every change is one `Vec` call), so poisoning is ignored.
fn lock_registry() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes temporary files and unregisters them, ignoring failures: this
/// runs while another error is being reported, which matters more.
fn remove_temporaries(temporaries: &[PathBuf]) {
    for temporary in temporaries {
        let _ = fs::remove_file(temporary);
    }
    unregister(temporaries);
}

/// Makes SIGINT and SIGTERM remove the temporary files of writes in
/// progress before the program ends (as the signal would have ended it,
/// so that the exit status still says which signal).
///
/// Call it first thing in `main`, before any thread is started: the two
/// signals are blocked in the calling thread, which every later thread
/// inherits, and one dedicated thread waits for them with `sigwait`. The
/// cleanup therefore runs as ordinary code on that thread (it may lock the
/// registry and allocate), not in an asynchronous signal handler, where
/// neither is allowed. Does nothing on other platforms than Unix.
pub fn remove_temporaries_on_signal() {
    #[cfg(unix)]
    signals::install();
}

#[cfg(unix)]
mod signals {
    use std::mem::MaybeUninit;

    /// The set {SIGINT, SIGTERM}.
    fn set() -> libc::sigset_t {
        let mut set = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: sigemptyset initializes the set; sigaddset adds valid signals.
        unsafe {
            libc::sigemptyset(set.as_mut_ptr());
            libc::sigaddset(set.as_mut_ptr(), libc::SIGINT);
            libc::sigaddset(set.as_mut_ptr(), libc::SIGTERM);
            set.assume_init()
        }
    }

    pub(super) fn install() {
        let set = set();
        // SAFETY: blocks two signals in this thread; `set` is initialized.
        if unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) } != 0 {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("signal-cleanup".into())
            .spawn(move || {
                let mut signal = 0;
                // SAFETY: waits for one of the blocked signals of `set`.
                if unsafe { libc::sigwait(&set, &mut signal) } != 0 {
                    return;
                }
                let temporaries = std::mem::take(&mut *super::lock_registry());
                for temporary in &temporaries {
                    let _ = std::fs::remove_file(temporary);
                }
                // End as the signal would have: default action, unblocked,
                // raised again.
                // SAFETY: standard calls on a valid signal number and set.
                unsafe {
                    libc::signal(signal, libc::SIG_DFL);
                    libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                    libc::raise(signal);
                }
            });
        if spawned.is_err() {
            // No thread to handle them: let the signals act as before.
            // SAFETY: unblocks the two signals of `set` in this thread.
            unsafe {
                libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            }
        }
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
pub(crate) fn with_path(error: io::Error, path: &Path) -> io::Error {
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

    /// A replaced file keeps its mode: a private model stays private.
    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("mode");
        let private = dir.join("private.json");
        fs::write(&private, b"old").unwrap();
        for mode in [0o600, 0o640] {
            fs::set_permissions(&private, fs::Permissions::from_mode(mode)).unwrap();
            write_atomically(&[(&private, b"new".as_slice())]).unwrap();
            let now = fs::metadata(&private).unwrap().permissions().mode() & 0o777;
            assert_eq!(now, mode);
        }
        assert_eq!(fs::read(&private).unwrap(), b"new");
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
            read_file(&dir.join("missing.csv"), 10),
            Err(ReadError::NotFound)
        ));
        assert!(matches!(read_file(&dir, 10), Err(ReadError::IsDirectory)));
        fs::write(dir.join("a.csv"), b"x\n1\n").unwrap();
        assert_eq!(read_file(&dir.join("a.csv"), 4).unwrap(), b"x\n1\n");
        assert!(matches!(
            read_file(&dir.join("a.csv"), 3),
            Err(ReadError::TooLarge(_))
        ));
        fs::remove_dir_all(&dir).unwrap();
    }
}
