//! The check every program runs before doing anything: no output is one of
//! its inputs or another of its outputs, and every output can be replaced
//! by a regular file.
//!
//! A program lists its files with the role each plays (the option that
//! named it, say) and calls [`check_files`] first thing; the error names
//! both roles. Files are compared by identity, not by spelling:
//!
//! - a path that exists is identified by its device and inode (after
//!   following symbolic links), so `m.json`, `./m.json`, `/abs/m.json`, a
//!   hard link and a symbolic link to it are all the same file;
//! - a path that does not exist yet is identified by where it would be
//!   created: its symbolic links followed (a dangling link names its
//!   target), its folder made canonical when the folder exists.
//!
//! An output that exists must be a regular file (or a link to one): a
//! directory, a device, a named pipe or a socket is refused, since the
//! atomic write ([`write_atomically`](crate::fs::write_atomically)) would
//! replace it by a regular file. Standard output is not a path and is not
//! checked here, except by [`check_stdout`]: a program that writes there
//! refuses to run when it is one of the inputs (`predict ... >> data.csv`).
//!
//! ```
//! # let dir = std::env::temp_dir().join(format!("sparsegrad-doc-paths-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! use sparsegrad_io::paths::check_files;
//! let data = dir.join("d.csv");
//! std::fs::write(&data, "x,y\n1,2\n").unwrap();
//! let same = dir.join(".").join("d.csv");
//! let error = check_files(&[("--data", &data)], &[("--out", &same)]).unwrap_err();
//! assert!(error.to_string().starts_with("--out is the same file as --data"));
//! assert!(check_files(&[("--data", &data)], &[("--out", &dir.join("m.json"))]).is_ok());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::io;
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

use crate::fs::{check_writable_target, folder_of, is_device, resolve_links};

/// Why a program's files cannot be used together.
#[derive(Debug, Error)]
pub enum FileClash {
    /// An output is one of the inputs: writing it would destroy the input.
    #[error("{output} is the same file as {input} ({}); an output never replaces an input", path.display())]
    OutputIsInput {
        /// The output's role.
        output: String,
        /// The input's role.
        input: String,
        /// The output's path, as given.
        path: PathBuf,
    },
    /// Two outputs are one file: one would be lost.
    #[error("{second} is the same file as {first} ({}); every output needs its own file", path.display())]
    SameOutput {
        /// The first output's role.
        first: String,
        /// The second output's role.
        second: String,
        /// The second output's path, as given.
        path: PathBuf,
    },
    /// An output exists and is not a regular file.
    #[error("{role} {}: {source}", path.display())]
    NotWritable {
        /// The output's role.
        role: String,
        /// Its path, as given.
        path: PathBuf,
        /// What it is (`is a device, not a regular file`) or why it cannot
        /// be examined.
        source: io::Error,
    },
    /// An output is the program's own standard output or error
    /// (`/dev/stdout`, `/proc/self/fd/1`): an output file is written
    /// beside its target and renamed into place, which cannot reach a pipe
    /// and would replace a redirected file behind the program's back.
    #[error("{role} {}: is this program's {stream}, not a file it can replace; give a file's path", path.display())]
    IsStandardStream {
        /// The output's role.
        role: String,
        /// Its path, as given.
        path: PathBuf,
        /// `standard output` or `standard error`.
        stream: &'static str,
    },
    /// Standard output is one of the inputs.
    #[error("standard output is the same file as {input} ({}); an output never replaces an input", path.display())]
    StdoutIsInput {
        /// The input's role.
        input: String,
        /// Its path.
        path: PathBuf,
    },
}

/// What a path is, for comparison (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Identity {
    /// An existing file: (device, inode).
    Inode(u64, u64),
    /// A file still to be created: where.
    Location(PathBuf),
}

/// Checks that no output is an input or an earlier output, and that every
/// existing output is a regular file. Roles name the files in the errors.
/// Inputs are not opened (a named pipe given as input is not read here).
pub fn check_files(inputs: &[(&str, &Path)], outputs: &[(&str, &Path)]) -> Result<(), FileClash> {
    let known: Vec<(&str, &Path, Identity)> = inputs
        .iter()
        .filter_map(|&(role, path)| identity(path).ok().map(|id| (role, path, id)))
        .collect();
    let mut written: Vec<(&str, Identity)> = Vec::with_capacity(outputs.len());
    let streams: Vec<(&'static str, Identity)> = [(1, "standard output"), (2, "standard error")]
        .into_iter()
        .filter_map(|(fd, name)| descriptor_metadata(fd).map(|m| (name, m)))
        // a stream on /dev/null (cron, `> /dev/null`) leaves a device
        // output to be refused as a device
        .filter(|(_, m)| !is_device(m))
        .map(|(name, m)| (name, inode(&m)))
        .collect();
    for &(role, path) in outputs {
        // before the links are followed by hand: /dev/stdout on a pipe ends
        // at a name like "pipe:[123]" that only the kernel resolves
        let own = std::fs::metadata(path).ok().map(|m| inode(&m));
        if let Some((stream, _)) = streams.iter().find(|(_, id)| Some(id) == own.as_ref()) {
            return Err(FileClash::IsStandardStream {
                role: role.to_owned(),
                path: path.to_path_buf(),
                stream,
            });
        }
        let not_writable = |source| FileClash::NotWritable {
            role: role.to_owned(),
            path: path.to_path_buf(),
            source,
        };
        resolve_links(path)
            .and_then(|resolved| check_writable_target(&resolved))
            .map_err(not_writable)?;
        let id = identity(path).map_err(not_writable)?;
        if let Some((input, _, _)) = known.iter().find(|(_, _, known)| *known == id) {
            return Err(FileClash::OutputIsInput {
                output: role.to_owned(),
                input: (*input).to_owned(),
                path: path.to_path_buf(),
            });
        }
        if let Some((first, _)) = written.iter().find(|(_, other)| *other == id) {
            return Err(FileClash::SameOutput {
                first: (*first).to_owned(),
                second: role.to_owned(),
                path: path.to_path_buf(),
            });
        }
        written.push((role, id));
    }
    Ok(())
}

/// Checks that standard output is not one of `inputs` (as `>>` or a
/// second redirection could make it).
pub fn check_stdout(inputs: &[(&str, &Path)]) -> Result<(), FileClash> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // The same open file, seen through /proc-independent means: fstat
        // of descriptor 1 by way of a duplicate handle.
        let Some(stdout) = descriptor_metadata(1) else {
            return Ok(());
        };
        if !stdout.is_file() {
            return Ok(());
        }
        let id = Identity::Inode(stdout.dev(), stdout.ino());
        for &(role, path) in inputs {
            if identity(path).is_ok_and(|input| input == id) {
                return Err(FileClash::StdoutIsInput {
                    input: role.to_owned(),
                    path: path.to_path_buf(),
                });
            }
        }
    }
    #[cfg(not(unix))]
    let _ = inputs;
    Ok(())
}

/// The metadata of the file open as descriptor `fd` (1: standard output,
/// 2: standard error), if any.
#[cfg(unix)]
fn descriptor_metadata(fd: i32) -> Option<std::fs::Metadata> {
    use std::mem::ManuallyDrop;
    use std::os::fd::FromRawFd;
    // SAFETY: the descriptor is borrowed, never closed (ManuallyDrop); if
    // it is not open, fstat fails and None is returned.
    let file = ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
    file.metadata().ok()
}

/// Without descriptors to examine, no output is known to be one.
#[cfg(not(unix))]
fn descriptor_metadata(_fd: i32) -> Option<std::fs::Metadata> {
    None
}

/// The identity of `path` (see the module docs).
fn identity(path: &Path) -> io::Result<Identity> {
    match std::fs::metadata(path) {
        Ok(metadata) => Ok(inode(&metadata)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            Ok(Identity::Location(location(&resolve_links(path)?)?))
        }
        Err(error) => Err(error),
    }
}

#[cfg(unix)]
fn inode(metadata: &std::fs::Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    Identity::Inode(metadata.dev(), metadata.ino())
}

#[cfg(not(unix))]
fn inode(metadata: &std::fs::Metadata) -> Identity {
    // Without inodes, an existing file is compared by where it is.
    let _ = metadata;
    Identity::Location(PathBuf::new())
}

/// Where a file that does not exist would be created: its folder made
/// canonical if it exists, else the absolute path with `.` dropped and
/// `..` applied to the name before it.
fn location(path: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    match folder_of(path).canonicalize() {
        Ok(folder) => Ok(folder.join(name)),
        Err(_) => {
            let absolute = std::path::absolute(path)?;
            let mut normal = PathBuf::new();
            for component in absolute.components() {
                match component {
                    Component::CurDir => {}
                    Component::ParentDir => {
                        normal.pop();
                    }
                    other => normal.push(other),
                }
            }
            Ok(normal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("sparsegrad-paths-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn spellings_of_one_file_clash() {
        let dir = scratch("spell");
        let data = dir.join("d.csv");
        fs::write(&data, "x\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&data, dir.join("link.csv")).unwrap();
        fs::hard_link(&data, dir.join("hard.csv")).unwrap();
        let absolute = fs::canonicalize(&data).unwrap();
        for same in [
            dir.join("./d.csv"),
            dir.join("sub/../d.csv"),
            absolute,
            dir.join("link.csv"),
            dir.join("hard.csv"),
        ] {
            if same.to_string_lossy().contains("sub/..") {
                fs::create_dir_all(dir.join("sub")).unwrap();
            }
            let error = check_files(&[("--data", &data)], &[("--out", &same)]).unwrap_err();
            assert!(
                matches!(error, FileClash::OutputIsInput { .. }),
                "{same:?}: {error}"
            );
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn two_new_outputs_at_one_place_clash() {
        let dir = scratch("new");
        let a = dir.join("m.json");
        let b = dir.join(".").join("m.json");
        let error = check_files(&[], &[("--out", &a), ("--metrics", &b)]).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "--metrics is the same file as --out ({}); every output needs its own file",
                b.display()
            )
        );
        #[cfg(unix)]
        {
            // A dangling link names the file it would create.
            std::os::unix::fs::symlink(&a, dir.join("dangling")).unwrap();
            let c = dir.join("dangling");
            assert!(check_files(&[], &[("--out", &a), ("--metrics", &c)]).is_err());
        }
        assert!(check_files(&[], &[("--out", &a), ("--metrics", &dir.join("n.json"))]).is_ok());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn outputs_must_be_regular_files() {
        let dir = scratch("regular");
        let error = check_files(&[], &[("--out", &dir)]).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("is a directory, not a regular file"),
            "{error}"
        );
        #[cfg(unix)]
        {
            let error = check_files(&[], &[("--out", Path::new("/dev/null"))]).unwrap_err();
            assert_eq!(
                error.to_string(),
                "--out /dev/null: is a device, not a regular file"
            );
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
