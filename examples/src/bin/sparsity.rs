//! `sparsity`: the main job. Trains the same MLP under seven
//! regularization regimes and compares what each did to the weights.
//!
//! ```text
//! cargo run --release --bin sparsity                 # the default study (< 60 s)
//! cargo run --release --bin sparsity -- --quick      # a small one for CI (< 10 s)
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use sparsegrad_examples::cli::{check_files, print};
use sparsegrad_examples::progress::Progress;
use sparsegrad_examples::study::{
    DatasetKind, FEATURES_SVG, LOSS_SVG, REPORT_JSON, StudyConfig, WEIGHTS_SVG, format_table,
    run_study, write_outputs,
};

/// Train the same MLP from the same initial weights under no penalty, L2
/// (coupled, decoupled), L1 (subgradient, proximal), elastic net and
/// first-layer-only L1, then compare the sparsity of the learned weights.
#[derive(Parser, Debug)]
#[command(name = "sparsity", version, allow_negative_numbers = true)]
struct Cli {
    /// A small configuration (fewer samples, a narrower net, fewer epochs).
    #[arg(long)]
    quick: bool,
    /// The seed of every random draw.
    #[arg(long)]
    seed: Option<u64>,
    /// Mini-batch passes over the training set.
    #[arg(long)]
    epochs: Option<usize>,
    /// Full-batch epochs after the mini-batch ones.
    #[arg(long)]
    full_batch_epochs: Option<usize>,
    /// λ1 of the L1 regimes and the elastic net.
    #[arg(long)]
    l1: Option<f64>,
    /// λ2 of the L2 regimes and the elastic net.
    #[arg(long)]
    l2: Option<f64>,
    /// SGD learning rate.
    #[arg(long)]
    lr: Option<f64>,
    /// Samples per SGD step.
    #[arg(long)]
    batch_size: Option<usize>,
    /// Hidden layer widths, comma-separated (e.g. 64,64).
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// The synthetic task.
    #[arg(long, value_enum)]
    dataset: Option<Dataset>,
    /// Where report.json and the SVG plots go.
    #[arg(long, default_value = "sparsity-out")]
    out_dir: PathBuf,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
}

/// The `--dataset` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Dataset {
    /// 100 features, 10 informative, tanh main effects + pairwise products.
    Nonlinear,
    /// 100 features, 10 informative, linear target.
    Linear,
    /// Friedman #1 padded with noise features (5 informative).
    Friedman,
}

impl Cli {
    /// The configuration: the default or quick one, with the options given.
    fn config(&self) -> StudyConfig {
        let mut config = if self.quick {
            StudyConfig::quick()
        } else {
            StudyConfig::default()
        };
        config.seed = self.seed.unwrap_or(config.seed);
        config.epochs = self.epochs.unwrap_or(config.epochs);
        config.full_batch_epochs = self.full_batch_epochs.unwrap_or(config.full_batch_epochs);
        config.l1 = self.l1.unwrap_or(config.l1);
        config.l2 = self.l2.unwrap_or(config.l2);
        config.lr = self.lr.unwrap_or(config.lr);
        config.batch_size = self.batch_size.unwrap_or(config.batch_size);
        if let Some(hidden) = &self.hidden {
            config.hidden.clone_from(hidden);
        }
        if let Some(dataset) = self.dataset {
            config.dataset = match dataset {
                Dataset::Nonlinear => DatasetKind::SparseNonlinear,
                Dataset::Linear => DatasetKind::SparseLinear,
                Dataset::Friedman => DatasetKind::Friedman,
            };
        }
        config
    }
}

fn main() -> ExitCode {
    sparsegrad_examples::cli::finish(run(&sparsegrad_examples::cli::parse::<Cli>()))
}

/// Runs the study, writes the files, then prints the table (so that a
/// reader that stops early, `sparsity | head -1`, still gets the files).
fn run(cli: &Cli) -> anyhow::Result<()> {
    let outputs = [REPORT_JSON, WEIGHTS_SVG, FEATURES_SVG, LOSS_SVG].map(|n| cli.out_dir.join(n));
    check_files(&[], &outputs.each_ref().map(|p| ("--out-dir", p.as_path())))?;
    let config = cli.config();
    let report = run_study(&config, &Progress::new(cli.quiet))?;
    let written = write_outputs(&report, &cli.out_dir)?;
    let mut text = format!(
        "{}\ntrue support: {:?}; {} train / {} test samples; layers {:?}; seed {}\n\n{}",
        report.dataset,
        report.support,
        report.n_train,
        report.n_test,
        report.layer_sizes,
        config.seed,
        format_table(&report)
    );
    for path in written {
        text.push_str(&format!("wrote {}\n", path.display()));
    }
    print(&text)?;
    Ok(())
}
