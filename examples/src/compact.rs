//! `compact`: a model file without the inputs and neurons its penalties
//! zeroed (CLI.md, "compact"). The network work is
//! [`sparsegrad::nn::compact::compact`]; this module carries the file's
//! other parts along (the kept features' names and standardization) and
//! reports the sizes before and after.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Parser;
use serde::Serialize;
use sparsegrad::autograd::Float;
use sparsegrad::io::fs::write_atomically;
use sparsegrad::io::model_file::{AnyModelFile, FromMlpError, LoadError, ModelFile};
use sparsegrad::nn::compact::{NetworkSize, compact};

use crate::fit::FitError;

/// Remove the input features and hidden neurons a model file no longer
/// uses (see CLI.md).
#[derive(Clone, Debug, Parser)]
#[command(name = "compact", version)]
pub struct CompactArgs {
    /// The model file to compact (read only).
    #[arg(long)]
    pub model: PathBuf,
    /// Where to write the compacted model file (not the --model file).
    #[arg(long)]
    pub out: PathBuf,
    /// Where to write the sizes before and after as JSON.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// The sizes before and after, and which features are left: what stdout
/// shows and `--report` holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompactReport {
    /// The input model's size.
    pub before: NetworkSize,
    /// The compacted model's size.
    pub after: NetworkSize,
    /// The names of the features the compacted model reads, in order.
    pub features_kept: Vec<String>,
}

impl CompactReport {
    /// The report as a table: one row per size, before and after.
    pub fn table(&self) -> String {
        let mut rows = vec![
            (
                "parameters".to_string(),
                self.before.parameters,
                self.after.parameters,
            ),
            (
                "features".to_string(),
                self.before.features,
                self.after.features,
            ),
        ];
        for (l, (before, after)) in self
            .before
            .neurons
            .iter()
            .zip(&self.after.neurons)
            .enumerate()
        {
            rows.push((format!("neurons, hidden layer {}", l + 1), *before, *after));
        }
        let width = rows
            .iter()
            .map(|(name, _, _)| name.chars().count())
            .max()
            .unwrap_or(0);
        let mut text = format!("{:width$}  {:>10}  {:>10}\n", "", "before", "after");
        for (name, before, after) in rows {
            text.push_str(&format!("{name:width$}  {before:>10}  {after:>10}\n"));
        }
        text
    }
}

/// Runs `compact`: reads `--model`, writes `--out` (and `--report`)
/// atomically together, then prints the table to `stdout`. `--out` naming
/// the `--model` file (by any path) is an error, checked before anything
/// is read.
pub fn run_compact(args: &CompactArgs, stdout: &mut impl Write) -> Result<CompactReport, FitError> {
    for (option, path) in [
        ("--out", Some(&args.out)),
        ("--report", args.report.as_ref()),
    ] {
        if let Some(path) = path
            && same_file(path, &args.model)
        {
            return Err(FitError::invalid(format!(
                "{option} {} is the --model file; inputs are never overwritten",
                path.display()
            )));
        }
    }
    if args
        .report
        .as_ref()
        .is_some_and(|r| same_file(r, &args.out))
    {
        return Err(FitError::invalid(
            "--report and --out are the same file".to_string(),
        ));
    }
    let (bytes, report) = match read_model(&args.model)? {
        AnyModelFile::F32(model) => compact_model(&model, &args.out)?,
        AnyModelFile::F64(model) => compact_model(&model, &args.out)?,
    };
    let report_bytes = serde_json::to_vec_pretty(&report).expect("the report serializes");
    let mut files: Vec<(&Path, &[u8])> = vec![(&args.out, &bytes)];
    if let Some(path) = &args.report {
        files.push((path, &report_bytes));
    }
    write_atomically(&files).map_err(FitError::Write)?;
    stdout
        .write_all(report.table().as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(FitError::Write)?;
    Ok(report)
}

/// The compacted file's bytes, encoded for `out`, and the report.
fn compact_model<T: Float>(
    model: &ModelFile<T>,
    out: &Path,
) -> Result<(Vec<u8>, CompactReport), FitError> {
    let (compacted, report) = compact_model_file(model)?;
    Ok((encode_model(out, &compacted), report))
}

/// `model` compacted: the network by [`compact`], the feature names and
/// standardization of the features it keeps, the task and target as they
/// were.
pub fn compact_model_file<T: Float>(
    model: &ModelFile<T>,
) -> Result<(ModelFile<T>, CompactReport), FromMlpError> {
    let mlp = model.to_mlp();
    let compacted = compact(&mlp);
    let features: Vec<String> = compacted
        .features
        .iter()
        .map(|&j| model.features()[j].clone())
        .collect();
    let report = CompactReport {
        before: NetworkSize::of(&mlp),
        after: NetworkSize::of(&compacted.mlp),
        features_kept: features.clone(),
    };
    let file = ModelFile::from_mlp(
        &compacted.mlp,
        model.task(),
        features,
        model.target().to_string(),
        model.standardize().map(|s| s.select(&compacted.features)),
    )?;
    Ok((file, report))
}

/// Reads the model file at `path`, in the format its name says (today
/// every model file is JSON).
pub fn read_model(path: &Path) -> Result<AnyModelFile, LoadError> {
    AnyModelFile::load(path)
}

/// `model`'s bytes in the format `path`'s name says (today JSON).
pub fn encode_model<T: Float>(_path: &Path, model: &ModelFile<T>) -> Vec<u8> {
    model.to_json_bytes()
}

/// Whether `a` and `b` name the same file: the same device and inode
/// where both exist, else the same canonical folder and file name (so
/// `m.json`, `./m.json` and a symlink to it are all one file).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(ma), Ok(mb)) => {
            use std::os::unix::fs::MetadataExt;
            (ma.dev(), ma.ino()) == (mb.dev(), mb.ino())
        }
        _ => canonical(a) == canonical(b),
    }
}

/// The canonical folder of `path` joined with its file name (the file
/// itself may not exist yet).
fn canonical(path: &Path) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}
