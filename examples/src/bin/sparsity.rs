//! `sparsity`: the main job. Which penalty gives the sparsest network that
//! predicts as well? Every regime gets its own λ grid and its own
//! cross-validated λ, is refitted there and judged on a held-out test set.
//!
//! ```text
//! cargo run --release --bin sparsity                         # the default study (< 60 s)
//! cargo run --release --bin sparsity -- --quick              # a small one for CI (< 2 s)
//! cargo run --release --bin sparsity -- --dataset diabetes   # a real data set
//! cargo run --release --bin sparsity -- --data my.csv --target y
//! sparsity --shard 2/4 --out-dir s2 ...; sparsity --merge s1 s2 s3 s4   # spread over jobs
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use sparsegrad_examples::cli::{check_files, print};
use sparsegrad_examples::progress::Progress;
use sparsegrad_examples::study::{
    DataSource, Generator, Regime, Selection, Shard, ShippedDataset, StudyConfig, StudyReport,
    SyntheticTask, format_choices, format_table, merge_shards, output_files, run_shard, run_study,
    shard_file_name, shard_paths, write_outputs,
};

/// Compare regularization regimes (none, L2, L1 subgradient and proximal,
/// elastic net, L1 on the first layer, group lasso on input features or
/// on neurons, sparse group lasso) on the same MLP, each at its own
/// cross-validated λ: test loss, exact zeros, features and neurons kept,
/// parameters after compaction, and the trade-off curves.
#[derive(Parser, Debug)]
#[command(name = "sparsity", version, allow_negative_numbers = true)]
struct Cli {
    /// A small configuration for CI (under 2 s).
    #[arg(long)]
    quick: bool,
    /// The seed of every random draw (data, split, folds, init, batches).
    #[arg(long)]
    seed: Option<u64>,
    /// A synthetic task or a real data set shipped with the project.
    #[arg(long, value_enum, conflicts_with = "data")]
    dataset: Option<DatasetArg>,
    /// A CSV file (header row, numbers), read as `fit` reads it.
    #[arg(long, requires = "target")]
    data: Option<PathBuf>,
    /// The target column of --data.
    #[arg(long, requires = "data")]
    target: Option<String>,
    /// The feature columns of --data, in order (default: all but the target).
    #[arg(long, value_delimiter = ',', action = clap::ArgAction::Set, requires = "data")]
    features: Option<Vec<String>>,
    /// What the target of --data is.
    #[arg(long, value_enum, default_value = "regression", requires = "data")]
    task: TaskArg,
    /// Samples of a synthetic task.
    #[arg(long)]
    samples: Option<usize>,
    /// Hidden layer widths, comma-separated (e.g. 32,16).
    #[arg(long, value_delimiter = ',', action = clap::ArgAction::Set)]
    hidden: Option<Vec<usize>>,
    /// K, the cross-validation folds.
    #[arg(long)]
    folds: Option<usize>,
    /// λ per regime's grid.
    #[arg(long)]
    grid: Option<usize>,
    /// Each grid runs from its top down to top·eps (1e-15 ≤ eps < 1).
    #[arg(long, allow_hyphen_values = true)]
    eps: Option<f64>,
    /// The λ each regime is reported at.
    #[arg(long, value_enum)]
    select: Option<SelectArg>,
    /// SGD learning rate.
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Samples per SGD step.
    #[arg(long)]
    batch_size: Option<usize>,
    /// Mini-batch epochs of a path's first fit (at its smallest λ).
    #[arg(long)]
    first_epochs: Option<usize>,
    /// Mini-batch epochs of each later, warm-started fit.
    #[arg(long)]
    path_epochs: Option<usize>,
    /// Full-batch epochs closing every fit (they settle the exact zeros).
    #[arg(long)]
    settle_epochs: Option<usize>,
    /// A fit's settle phase stops once its proximal-gradient residual
    /// ‖y − w‖/lr (y a full-batch step's start, w its result) is at most
    /// this (0: run every settle epoch).
    #[arg(long, allow_hyphen_values = true)]
    settle_tol: Option<f64>,
    /// Worker threads for the (regime, fold) jobs, 1 to 256 (default: every core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Run only shard K of N of the jobs and write them to --out-dir.
    #[arg(long, value_parser = Shard::parse, conflicts_with = "merge")]
    shard: Option<Shard>,
    /// Combine the shard files in these folders into the report.
    #[arg(long, num_args = 1..)]
    merge: Option<Vec<PathBuf>>,
    /// Where report.json and the SVG plots go.
    #[arg(long, default_value = "sparsity-out")]
    out_dir: PathBuf,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
}

/// The `--dataset` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum DatasetArg {
    /// 10 informative of 50 features, tanh main effects + pairwise products.
    Nonlinear,
    /// 10 informative of 50 features, a linear target.
    Linear,
    /// Friedman #1 padded with noise features (5 informative).
    Friedman,
    /// Two classes: the nonlinear target above or below its median.
    Classification,
    /// Efron et al. (2004): 442 patients, 10 variables, regression.
    Diabetes,
    /// Wisconsin diagnostic breast cancer: 569 tumours, 30 features, two classes.
    BreastCancer,
}

/// `--task`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum TaskArg {
    /// A real-valued target (mean squared error).
    Regression,
    /// Class labels 0..K-1 (softmax cross-entropy).
    Classification,
}

/// `--select`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum SelectArg {
    /// The λ with the smallest mean CV loss.
    Best,
    /// The largest λ within one standard error of it.
    #[value(name = "1se")]
    OneSe,
}

impl Cli {
    /// The configuration: the default or quick one, with the options given.
    fn config(&self) -> StudyConfig {
        let mut config = if self.quick {
            StudyConfig::quick()
        } else {
            StudyConfig::default()
        };
        if let Some(data) = &self.data {
            config.data = DataSource::Csv {
                path: data.clone(),
                target: self.target.clone().unwrap_or_default(),
                features: self.features.clone(),
                classification: matches!(self.task, TaskArg::Classification),
            };
        }
        if let Some(dataset) = self.dataset {
            let synthetic = |generator| {
                let DataSource::Synthetic(task) = &config.data else {
                    unreachable!("both presets are synthetic")
                };
                DataSource::Synthetic(SyntheticTask {
                    generator,
                    ..task.clone()
                })
            };
            config.data = match dataset {
                DatasetArg::Nonlinear => synthetic(Generator::Nonlinear),
                DatasetArg::Linear => synthetic(Generator::Linear),
                DatasetArg::Friedman => synthetic(Generator::Friedman),
                DatasetArg::Classification => synthetic(Generator::Classification),
                DatasetArg::Diabetes => DataSource::Shipped(ShippedDataset::Diabetes),
                DatasetArg::BreastCancer => DataSource::Shipped(ShippedDataset::BreastCancer),
            };
        }
        if let (Some(samples), DataSource::Synthetic(task)) = (self.samples, &mut config.data) {
            task.n_samples = samples;
        }
        config.seed = self.seed.unwrap_or(config.seed);
        if let Some(hidden) = &self.hidden {
            config.hidden.clone_from(hidden);
        }
        config.folds = self.folds.unwrap_or(config.folds);
        config.grid = self.grid.unwrap_or(config.grid);
        config.eps = self.eps.unwrap_or(config.eps);
        config.select = match self.select {
            Some(SelectArg::Best) => Selection::Best,
            Some(SelectArg::OneSe) => Selection::OneSe,
            None => config.select,
        };
        config.lr = self.lr.unwrap_or(config.lr);
        config.batch_size = self.batch_size.unwrap_or(config.batch_size);
        config.first_epochs = self.first_epochs.unwrap_or(config.first_epochs);
        config.path_epochs = self.path_epochs.unwrap_or(config.path_epochs);
        config.settle_epochs = self.settle_epochs.unwrap_or(config.settle_epochs);
        config.settle_tol = self.settle_tol.unwrap_or(config.settle_tol);
        config
    }
}

fn main() -> ExitCode {
    sparsegrad_examples::cli::finish(run(&sparsegrad_examples::cli::parse::<Cli>()))
}

/// Runs the study (or a shard of it, or merges shards), writes the files,
/// then prints the table (so that a reader that stops early,
/// `sparsity | head -1`, still gets the files).
fn run(cli: &Cli) -> anyhow::Result<()> {
    let start = Instant::now();
    // every file read (the CSV, the shards to merge) against every file written
    let shards = shard_paths(cli.merge.as_deref().unwrap_or_default())?;
    let inputs: Vec<(&str, &std::path::Path)> = cli
        .data
        .iter()
        .map(|p| ("--data", p.as_path()))
        .chain(shards.iter().map(|p| ("--merge", p.as_path())))
        .collect();
    let names = match cli.shard {
        Some(shard) => vec![shard_file_name(shard)],
        None => output_files(&Regime::ALL),
    };
    let outputs: Vec<_> = names.iter().map(|n| cli.out_dir.join(n)).collect();
    check_files(
        &inputs,
        &outputs
            .iter()
            .map(|p| ("--out-dir", p.as_path()))
            .collect::<Vec<_>>(),
    )?;
    let threads = cli.threads.map_or(0, usize::from);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()?;
    let progress = Progress::new(cli.quiet);
    let report = if let Some(dirs) = &cli.merge {
        merge_shards(dirs)?
    } else if let Some(shard) = cli.shard {
        let path = run_shard(&cli.config(), shard, &cli.out_dir, &progress)?;
        print(&format!("wrote {}\n", path.display()))?;
        return Ok(());
    } else {
        run_study(&cli.config(), &progress)?
    };
    let mut text = report_text(&report);
    for path in write_outputs(&report, &cli.out_dir)? {
        text.push_str(&format!("wrote {}\n", path.display()));
    }
    text.push_str(&format!(
        "{:.1} s on {} threads\n",
        start.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    ));
    print(&text)?;
    Ok(())
}

/// The data, the table and the reasons for each λ.
fn report_text(report: &StudyReport) -> String {
    let header = &report.header;
    let config = &header.config;
    let support = match &header.support {
        Some(support) => format!("true support {support:?}; "),
        None => String::new(),
    };
    let settle: Vec<f64> = report
        .regimes
        .iter()
        .flat_map(|r| r.curve.iter().map(|p| p.settle_steps))
        .collect();
    let mean_settle = settle.iter().sum::<f64>() / settle.len().max(1) as f64;
    let worst = report
        .regimes
        .iter()
        .flat_map(|r| r.curve.iter().filter_map(|p| p.settle_residual))
        .reduce(f64::max)
        .map_or(String::new(), |r| {
            format!("; the largest residual left {r:.3}")
        });
    format!(
        "{}\n{support}{} train / {} test samples; layers {:?}; {}-fold CV over {} λ per regime; seed {}\n\n{}\n{}settle steps per fit: {mean_settle:.1} on average, at most {} (stopping at a proximal-gradient residual of {}){worst}\n",
        header.data,
        header.n_train,
        header.n_test,
        header.layer_sizes,
        config.folds,
        config.grid,
        config.seed,
        format_table(report),
        format_choices(report),
        config.settle_epochs,
        config.settle_tol
    )
}
