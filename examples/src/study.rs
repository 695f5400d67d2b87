//! The main job: which penalty gives the sparsest network that predicts as
//! well? Every regime gets its own λ grid, its λ chosen by K-fold
//! cross-validation, and is refitted at that λ and judged on a held-out
//! test set.
//!
//! The study is a set of independent jobs ([`jobs`]): one warm-started path
//! over a regime's grid ([`grid`], [`engine`]) per (regime, fold) and one
//! refit per regime on the whole training set. [`run_study`] runs them on
//! the current rayon pool; [`run_shard`] runs one shard of them and
//! [`merge_shards`] assembles shards into the report a single run gives,
//! bit for bit. [`format_table`] and [`write_outputs`] show the result.
//!
//! ```no_run
//! use sparsegrad_examples::progress::Progress;
//! use sparsegrad_examples::study::{StudyConfig, format_table, run_study, write_outputs};
//!
//! let report = run_study(&StudyConfig::quick(), &Progress::new(true)).unwrap();
//! print!("{}", format_table(&report));
//! write_outputs(&report, "sparsity-out".as_ref()).unwrap();
//! ```

mod config;
mod data;
pub mod engine;
pub mod grid;
pub mod jobs;
mod measure;
mod output;
mod regime;
mod report;
mod table;

pub use config::{DataSource, Generator, Selection, ShippedDataset, StudyConfig, SyntheticTask};
pub use data::{StudyData, prepare, shipped_file, standardized};
pub use jobs::{Job, JobResult, Part, Plan, Shard, ShardFile, shard_file_name, shard_paths};
pub use measure::NetworkSparsity;
pub use output::{OUTPUT_FILES, REPORT_JSON, output_files, write_outputs};
pub use regime::{Regime, WeightPenalties};
pub use report::{CurvePoint, RegimeReport};
pub use table::{format_choices, format_table};

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sparsegrad::io::csv::CsvError;
use sparsegrad::nn::data::Task;
use sparsegrad::nn::path::NetworkPathError;

use crate::plot::PlotError;
use crate::progress::Progress;
use crate::synthetic::ConfigError;

/// Why a study could not run, be merged or be written.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The configuration makes no sense.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A size beyond its documented limit.
    #[error(transparent)]
    Limit(#[from] sparsegrad::io::limits::LimitExceeded),
    /// The data generator refused the configuration.
    #[error(transparent)]
    Data(#[from] ConfigError),
    /// The CSV file cannot be used (fit's rules and messages).
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A fit of a regime's path failed (a refused strength or rate, or a
    /// loss that stopped being a number).
    #[error("regime '{regime}' at {cause}; try a smaller --lr")]
    Path {
        /// The regime's label.
        regime: &'static str,
        /// What failed, at which λ (in the message, not a source: the
        /// programs print the chain of sources).
        cause: NetworkPathError,
    },
    /// Shard files that do not make one study.
    #[error("merge: {0}")]
    Merge(String),
    /// A plot could not be drawn or written.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// An output could not be written (the message names the path).
    #[error("cannot write {0}")]
    Write(std::io::Error),
    /// A folder or file could not be read.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error (in the message, not a source).
        cause: std::io::Error,
    },
}

/// What a study is about, known before any job runs: the configuration,
/// the data, the network and every regime's grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyHeader {
    /// The configuration (the seed included).
    pub config: StudyConfig,
    /// What the data set is.
    pub data: String,
    /// Regression or classification.
    pub task: Task,
    /// Training samples (cross-validated and refitted on).
    pub n_train: usize,
    /// Test samples (held out until the end).
    pub n_test: usize,
    /// The input features' names.
    pub feature_names: Vec<String>,
    /// The indices of the informative features, when known.
    pub support: Option<Vec<usize>>,
    /// The layer widths, input to output.
    pub layer_sizes: Vec<usize>,
    /// Each regime's grid, in the configuration's order.
    pub grids: Vec<grid::Grid>,
}

/// The result of a study: `report.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyReport {
    /// What the study is about.
    #[serde(flatten)]
    pub header: StudyHeader,
    /// One entry per regime, in the configuration's order.
    pub regimes: Vec<RegimeReport>,
}

impl StudyReport {
    /// The report of `regime`, if it was run.
    pub fn regime(&self, regime: Regime) -> Option<&RegimeReport> {
        self.regimes.iter().find(|r| r.regime == regime)
    }
}

/// Runs the whole study on the current rayon pool (bars on `progress`).
///
/// # Errors
/// An invalid configuration, unusable data, or a diverging fit.
pub fn run_study(config: &StudyConfig, progress: &Progress) -> Result<StudyReport, StudyError> {
    let plan = Plan::new(config)?;
    let results = plan.run(&plan.jobs(), progress)?;
    Ok(report::assemble(plan.header, results))
}

/// Runs shard `shard`'s jobs and writes them into `out_dir` as
/// `shard-K-of-N.json`; returns its path.
///
/// # Errors
/// As [`run_study`], or when the file cannot be written.
pub fn run_shard(
    config: &StudyConfig,
    shard: Shard,
    out_dir: &Path,
    progress: &Progress,
) -> Result<PathBuf, StudyError> {
    let plan = Plan::new(config)?;
    let results = plan.run(&shard.select(&plan.jobs()), progress)?;
    jobs::write_shard(
        &ShardFile {
            format: jobs::SHARD_FORMAT.to_owned(),
            shard,
            header: plan.header,
            results,
        },
        out_dir,
    )
}

/// The report of the shards found in `dirs` (see [`jobs::read_shards`]).
///
/// # Errors
/// Shards that are missing, repeated, of different studies or unreadable.
pub fn merge_shards(dirs: &[PathBuf]) -> Result<StudyReport, StudyError> {
    let (header, results) = jobs::read_shards(dirs)?;
    Ok(report::assemble(header, results))
}
