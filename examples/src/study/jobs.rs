//! The study as independent jobs: one path per (regime, part), where a
//! part is a cross-validation fold or the refit on the whole training set.
//! Jobs run on a thread pool, can be split into shards (one per process or
//! machine) and merged back.
//!
//! Every job's result depends only on the configuration and on which job
//! it is (its data part, its grid, the common initial network, its batch
//! order are all drawn from the seed), never on the thread or process
//! that ran it: so a merge of shards is the single run, bit for bit.

use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sparsegrad::io::fs::read_file;
use sparsegrad::io::limits::MAX_MODEL_FILE_BYTES;
use sparsegrad::nn::data::{Dataset, Split, k_fold};

use super::config::StudyConfig;
use super::data::{StudyData, prepare, standardized};
use super::engine::{PathJob, PathPoint, fit_path, initial_network};
use super::grid::{Grid, grid};
use super::regime::Regime;
use super::{StudyError, StudyHeader};
use crate::cli::{JsonLayout, write_json_into};
use crate::progress::Progress;

/// Which part of the training set a path is fitted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Cross-validation fold k (0-based): fitted on the other folds,
    /// evaluated on fold k.
    Fold(usize),
    /// The whole training set, evaluated on the test set.
    Refit,
}

/// One job: a regime's path on one part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The regime.
    pub regime: Regime,
    /// The part.
    pub part: Part,
}

/// A finished job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    /// Which job.
    pub job: Job,
    /// One point per λ of the regime's grid, largest λ first.
    pub points: Vec<PathPoint>,
}

/// Every job of a study configured by `config`, regime after regime, each
/// regime's folds then its refit.
fn study_jobs(config: &super::StudyConfig) -> Vec<Job> {
    config
        .regimes
        .iter()
        .flat_map(|&regime| {
            (0..config.folds)
                .map(Part::Fold)
                .chain([Part::Refit])
                .map(move |part| Job { regime, part })
        })
        .collect()
}

impl std::fmt::Display for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.part {
            Part::Fold(k) => write!(f, "'{}' fold {}", self.regime.label(), k + 1),
            Part::Refit => write!(f, "'{}' refit", self.regime.label()),
        }
    }
}

/// Which jobs a process runs: shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// K, from 1 to N.
    pub index: usize,
    /// N.
    pub count: usize,
}

impl Shard {
    /// The whole study in one process.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Reads `K/N` with 1 ≤ K ≤ N.
    ///
    /// # Errors
    /// A message saying what is wrong.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard wants K/N with 1 <= K <= N, got '{text}'");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            k.trim().parse::<usize>().map_err(|_| bad())?,
            n.trim().parse::<usize>().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The jobs of this shard: every N-th job of `jobs`, starting at the
    /// K-th (round robin, so that every shard gets folds of every regime).
    pub fn select(self, jobs: &[Job]) -> Vec<Job> {
        jobs.iter()
            .skip(self.index - 1)
            .step_by(self.count)
            .copied()
            .collect()
    }
}

/// Everything the jobs share, derived from the configuration alone.
pub struct Plan {
    /// What the report says about the data and the network.
    pub header: StudyHeader,
    /// The data.
    pub data: StudyData,
    /// The cross-validation folds of the training set.
    pub folds: Vec<Split>,
    /// The seed of the common initial network.
    pub init_seed: u64,
    /// The seed of the batch orders (part p uses `batch_seed + p`).
    pub batch_seed: u64,
}

impl Plan {
    /// Loads the data and draws, from `config.seed` in this order: the
    /// data and its split, the folds, the initial network's seed and the
    /// batch seed; then computes every regime's grid.
    ///
    /// # Errors
    /// An invalid configuration, unreadable or unusable data.
    pub fn new(config: &StudyConfig) -> Result<Plan, StudyError> {
        config.validate()?;
        let mut rng = StdRng::seed_from_u64(config.seed);
        let data = prepare(config, &mut rng)?;
        let folds = k_fold(data.train.len(), config.folds, &mut rng);
        let init_seed: u64 = rng.random();
        let batch_seed: u64 = rng.random();
        let sizes: Vec<usize> = std::iter::once(data.train.n_features())
            .chain(config.hidden.iter().copied())
            .chain([data.n_outputs()])
            .collect();
        let standardized_train = standardized(&data.train, &[]).remove(0);
        let initial = initial_network(&sizes, init_seed);
        let grids = config
            .regimes
            .iter()
            .map(|&regime| {
                grid(
                    regime,
                    &initial,
                    &standardized_train,
                    config.grid,
                    config.eps,
                )
            })
            .collect::<Result<Vec<Grid>, _>>()?;
        let header = StudyHeader {
            config: config.clone(),
            data: data.description.clone(),
            task: data.train.task(),
            n_train: data.train.len(),
            n_test: data.test.len(),
            feature_names: data.train.feature_names().to_vec(),
            support: data.support.clone(),
            layer_sizes: sizes,
            grids,
        };
        Ok(Plan {
            header,
            data,
            folds,
            init_seed,
            batch_seed,
        })
    }

    /// Every job, regime after regime, each regime's folds then its refit.
    pub fn jobs(&self) -> Vec<Job> {
        study_jobs(&self.header.config)
    }

    /// The training and held-out parts of `part`, standardized on the
    /// training part.
    fn parts(&self, part: Part) -> (Dataset<f32>, Dataset<f32>) {
        let (train, held_out) = match part {
            Part::Fold(k) => (
                self.data.train.subset(&self.folds[k].train),
                self.data.train.subset(&self.folds[k].test),
            ),
            Part::Refit => (self.data.train.clone(), self.data.test.clone()),
        };
        let mut both = standardized(&train, &[&held_out]);
        let held_out = both.pop().expect("two parts");
        (both.pop().expect("two parts"), held_out)
    }

    /// Runs `jobs` on the current thread pool with one progress bar per
    /// regime (its folds and refit × its λ); results in `jobs` order.
    ///
    /// # Errors
    /// The first job (in `jobs` order) that failed.
    pub fn run(&self, jobs: &[Job], progress: &Progress) -> Result<Vec<JobResult>, StudyError> {
        let bars: Vec<_> = self
            .header
            .grids
            .iter()
            .map(|grid| {
                let fits =
                    jobs.iter().filter(|j| j.regime == grid.regime).count() * grid.lambdas.len();
                progress.bar(fits as u64, grid.regime.label(), "fits")
            })
            .collect();
        let results = jobs
            .par_iter()
            .map(|&job| {
                let index = self.regime_index(job.regime);
                let (train, held_out) = self.parts(job.part);
                let part_index = match job.part {
                    Part::Fold(k) => k as u64,
                    Part::Refit => self.header.config.folds as u64,
                };
                let path = PathJob {
                    regime: job.regime,
                    lambdas: &self.header.grids[index].lambdas,
                    train: &train,
                    held_out: &held_out,
                    sizes: &self.header.layer_sizes,
                    init_seed: self.init_seed,
                    batch_seed: self.batch_seed.wrapping_add(part_index),
                    keep_parameters: job.part == Part::Refit,
                };
                let points = fit_path(&path, &self.header.config, || bars[index].inc(1))?;
                Ok(JobResult { job, points })
            })
            .collect::<Vec<Result<JobResult, StudyError>>>();
        for bar in &bars {
            bar.finish();
        }
        results.into_iter().collect()
    }

    /// The position of `regime` in the configuration.
    fn regime_index(&self, regime: Regime) -> usize {
        self.header
            .grids
            .iter()
            .position(|g| g.regime == regime)
            .expect("jobs come from the configuration's regimes")
    }
}

/// What a shard writes: the header (so that a merge can check that every
/// shard ran the same study) and its jobs' results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    /// `"sparsegrad-study-shard"`.
    pub format: String,
    /// Which shard.
    pub shard: Shard,
    /// The study.
    pub header: StudyHeader,
    /// The results of the shard's jobs.
    pub results: Vec<JobResult>,
}

/// The `format` of a shard file.
pub const SHARD_FORMAT: &str = "sparsegrad-study-shard";

/// The name of shard K of N's file in its out-dir: `shard-K-of-N.json`.
pub fn shard_file_name(shard: Shard) -> String {
    format!("shard-{}-of-{}.json", shard.index, shard.count)
}

/// Writes `file` into `out_dir` (created if missing), atomically; returns
/// its path.
///
/// # Errors
/// [`StudyError::Write`] when it cannot be written.
pub fn write_shard(file: &ShardFile, out_dir: &Path) -> Result<PathBuf, StudyError> {
    let name = shard_file_name(file.shard);
    write_json_into(out_dir, &name, file, JsonLayout::Compact).map_err(StudyError::Write)
}

/// Every `shard-*.json` in `dirs`, folder by folder, each folder's in
/// name order.
///
/// # Errors
/// [`StudyError::Io`] for a folder that cannot be listed.
pub fn shard_paths(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, StudyError> {
    let mut all = Vec::new();
    for dir in dirs {
        let entries = std::fs::read_dir(dir).map_err(|cause| StudyError::Io {
            path: dir.clone(),
            cause,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".json"))
            })
            .collect();
        paths.sort();
        all.extend(paths);
    }
    Ok(all)
}

/// Reads every `shard-*.json` in `dirs` and returns the common header and
/// all results, checked: every file a shard of the same study and the
/// same count N, every shard 1..N present once, and the results together
/// exactly the study's jobs.
///
/// # Errors
/// [`StudyError::Merge`] saying what does not fit, [`StudyError::Io`] for
/// an unreadable file or folder.
pub fn read_shards(dirs: &[PathBuf]) -> Result<(StudyHeader, Vec<JobResult>), StudyError> {
    let merge = |reason: String| StudyError::Merge(reason);
    let mut files: Vec<(PathBuf, ShardFile)> = Vec::new();
    for path in shard_paths(dirs)? {
        // a shard holds fitted networks: no larger than a model file may be
        let bytes = read_file(&path, MAX_MODEL_FILE_BYTES)
            .map_err(|e| merge(format!("{}: {e}", path.display())))?;
        let file: ShardFile = serde_json::from_slice(&bytes)
            .map_err(|e| merge(format!("{}: not a shard file: {e}", path.display())))?;
        if file.format != SHARD_FORMAT {
            return Err(merge(format!(
                "{}: format '{}', expected '{SHARD_FORMAT}'",
                path.display(),
                file.format
            )));
        }
        files.push((path, file));
    }
    let Some((first_path, first)) = files.first() else {
        return Err(merge(format!("no shard-*.json file in {dirs:?}")));
    };
    let count = first.shard.count;
    // the indices seen, not a flag per shard: N comes from the file
    let mut seen = std::collections::BTreeSet::new();
    for (path, file) in &files {
        if file.header != first.header {
            return Err(merge(format!(
                "{} and {} come from different studies (configuration or data differ)",
                first_path.display(),
                path.display()
            )));
        }
        let index = file.shard.index;
        if file.shard.count != count || !(1..=count).contains(&index) || !seen.insert(index) {
            return Err(merge(format!(
                "{}: shard {index}/{} does not fit (shards of {count}, each once)",
                path.display(),
                file.shard.count
            )));
        }
    }
    // the first index not seen (the files are at most N, so this stops early)
    if let Some(missing) = (1..=count).find(|k| !seen.contains(k)) {
        return Err(merge(format!("shard {missing}/{count} is missing")));
    }
    // a hand edit may have made the configuration one no run accepts
    first.header.config.validate().map_err(|e| {
        merge(format!(
            "{}: the study's configuration is refused: {e}",
            first_path.display()
        ))
    })?;
    let header = first.header.clone();
    let mut results: Vec<JobResult> = files.into_iter().flat_map(|(_, f)| f.results).collect();
    let jobs = study_jobs(&header.config);
    let order = |job: &Job| jobs.iter().position(|j| j == job);
    if let Some(stranger) = results.iter().find(|r| order(&r.job).is_none()) {
        return Err(merge(format!(
            "a result of job {} is not one of the study's jobs",
            stranger.job
        )));
    }
    results.sort_by_key(|r| order(&r.job));
    if let Some(pair) = results.windows(2).find(|w| w[0].job == w[1].job) {
        return Err(merge(format!("job {} has two results", pair[0].job)));
    }
    if let Some(missing) = jobs.iter().find(|j| !results.iter().any(|r| r.job == **j)) {
        return Err(merge(format!("job {missing} has no result")));
    }
    for result in &results {
        let regime = header
            .config
            .regimes
            .iter()
            .position(|&r| r == result.job.regime);
        let grid = regime.and_then(|i| header.grids.get(i));
        let fits = grid.is_some_and(|g| {
            let lambdas = result.points.iter().map(|p| p.lambda.to_bits());
            lambdas.eq(g.lambdas.iter().map(|l| l.to_bits()))
        });
        if !fits {
            return Err(merge(format!(
                "job {}: its {} points are not its regime's λ grid",
                result.job,
                result.points.len()
            )));
        }
        let features = header.feature_names.len();
        let problem = result
            .points
            .iter()
            .find_map(|p| p.sparsity.problem(features, &header.config.hidden));
        if let Some(problem) = problem {
            return Err(merge(format!("job {}: {problem}", result.job)));
        }
    }
    Ok((header, results))
}
