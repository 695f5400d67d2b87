//! `path`: regularization paths and K-fold cross-validation of λ.
//!
//! Parses the options, calls [`sparsegrad_examples::path`], prints the
//! chosen λ and writes the JSON report and the plots.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use sparsegrad::nn::activation::Activation;
use sparsegrad_examples::cli::{check_files, print};
use sparsegrad_examples::path::{
    DataSource, FitSettings, OUTPUT_FILES, PathOptions, PathPenalty, l1_ratio_problem, run,
    summary, write_outputs,
};
use sparsegrad_examples::progress::Progress;
use sparsegrad_examples::synthetic::SparseRegressionConfig;

/// The penalty varied along the path.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum PenaltyArg {
    /// λ1 = λ (proximal): the lasso.
    L1,
    /// λ2 = λ (coupled): ridge.
    L2,
    /// λ1 = α·λ, λ2 = (1 − α)·λ with α = --l1-ratio.
    Elastic,
}

/// Regularization paths (each weight as a function of λ) and λ chosen by
/// K-fold cross-validation, for a linear model or an MLP.
#[derive(Debug, Parser)]
#[command(name = "path", version, allow_negative_numbers = true)]
struct Cli {
    /// A CSV file (header row, numbers); default: a synthetic sparse linear problem.
    #[arg(long, requires = "target")]
    data: Option<PathBuf>,
    /// The target column of --data.
    #[arg(long, requires = "data")]
    target: Option<String>,
    /// Synthetic data: samples.
    #[arg(long, default_value_t = 1000)]
    samples: usize,
    /// Synthetic data: features.
    #[arg(long, default_value_t = 100)]
    features: usize,
    /// Synthetic data: informative features.
    #[arg(long, default_value_t = 10)]
    informative: usize,
    /// Synthetic data: noise standard deviation.
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.5)]
    noise: f64,
    /// The penalty varied along the path.
    #[arg(long, value_enum, default_value = "l1")]
    penalty: PenaltyArg,
    /// α for --penalty elastic.
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.5)]
    l1_ratio: f64,
    /// K, the cross-validation folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// N, the number of λ on the grid.
    #[arg(long, default_value_t = 100)]
    grid: usize,
    /// The grid runs from λ_max down to λ_max·eps (1e-15 ≤ eps ≤ 1).
    #[arg(allow_hyphen_values = true, long, default_value_t = 1e-3)]
    eps: f64,
    /// Hidden layer widths, e.g. 16,16 (default: a linear model).
    #[arg(long, value_delimiter = ',', action = clap::ArgAction::Set)]
    hidden: Vec<usize>,
    /// The MLP's activation.
    #[arg(long, default_value = "tanh")]
    activation: Activation,
    /// The MLP's learning rate.
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.05)]
    lr: f64,
    /// An MLP's fit stops when a full-batch step moves the parameters from its start to its result by at most this (ℓ2 norm).
    #[arg(allow_hyphen_values = true, long, default_value_t = 1e-6)]
    tol: f64,
    /// A linear model's fit stops when its duality gap is at most this times ‖y − ȳ‖²/n.
    #[arg(allow_hyphen_values = true, long, default_value_t = 1e-4)]
    gap_tol: f64,
    /// A fit stops after this many epochs (linear: coordinate-descent sweeps) regardless.
    #[arg(long, default_value_t = 10_000)]
    max_epochs: usize,
    /// Where path.json, path.svg and cv.svg go.
    #[arg(long, default_value = "path-out")]
    out_dir: PathBuf,
    /// Seeds the data, the folds and the init.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    sparsegrad_examples::cli::finish(execute(&sparsegrad_examples::cli::parse::<Cli>()))
}

fn execute(cli: &Cli) -> anyhow::Result<()> {
    let outputs = OUTPUT_FILES.map(|name| cli.out_dir.join(name));
    let inputs: Vec<(&str, &Path)> = cli.data.iter().map(|p| ("--data", p.as_path())).collect();
    check_files(
        &inputs,
        &outputs.each_ref().map(|p| ("--out-dir", p.as_path())),
    )?;
    let source = match (&cli.data, &cli.target) {
        (Some(path), Some(target)) => DataSource::Csv {
            path: path.clone(),
            target: target.clone(),
        },
        _ => DataSource::Synthetic(SparseRegressionConfig {
            n_samples: cli.samples,
            n_features: cli.features,
            n_informative: cli.informative,
            noise_std: cli.noise,
            ..SparseRegressionConfig::default()
        }),
    };
    if let (true, message) = l1_ratio_problem(cli.l1_ratio) {
        anyhow::bail!(message);
    }
    let penalty = match cli.penalty {
        PenaltyArg::L1 => PathPenalty::L1,
        PenaltyArg::L2 => PathPenalty::L2,
        PenaltyArg::Elastic => PathPenalty::Elastic {
            l1_ratio: cli.l1_ratio,
        },
    };
    let options = PathOptions {
        source,
        settings: FitSettings {
            penalty,
            hidden: cli.hidden.clone(),
            activation: cli.activation,
            mlp_lr: cli.lr,
            tol: cli.tol,
            gap_tol: cli.gap_tol,
            max_epochs: cli.max_epochs,
            seed: cli.seed,
        },
        folds: cli.folds,
        grid: cli.grid,
        eps: cli.eps,
        seed: cli.seed,
    };
    let report = run(&options, &Progress::new(cli.quiet))?;
    let written = write_outputs(&report, &cli.out_dir)?;
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    print(&format!(
        "{}\nwrote {}\n",
        summary(&report),
        names.join(", ")
    ))?;
    Ok(())
}
