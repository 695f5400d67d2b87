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
use sparsegrad::io::model_file::{AnyModelFile, FromMlpError, ModelFile, ModelFormat};
use sparsegrad::nn::compact::{NetworkSize, compact};

use crate::cli::check_files;
use crate::fit::FitError;

/// Remove the input features and hidden neurons a model file no longer
/// uses (see CLI.md).
#[derive(Clone, Debug, Parser)]
#[command(name = "compact", version, allow_negative_numbers = true)]
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
    let mut outputs = vec![("--out", args.out.as_path())];
    if let Some(report) = &args.report {
        outputs.push(("--report", report.as_path()));
    }
    check_files(&[("--model", args.model.as_path())], &outputs)?;
    let (bytes, report) = match AnyModelFile::load(&args.model)? {
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
        .map_err(|e| FitError::from(crate::cli::StdoutError::from(e)))?;
    Ok(report)
}

/// The compacted file's bytes, encoded for `out`, and the report.
fn compact_model<T: Float>(
    model: &ModelFile<T>,
    out: &Path,
) -> Result<(Vec<u8>, CompactReport), FitError> {
    let (compacted, report) = compact_model_file(model)?;
    let bytes = compacted
        .to_bytes(ModelFormat::of_path(out))
        .map_err(FitError::Encode)?;
    Ok((bytes, report))
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
