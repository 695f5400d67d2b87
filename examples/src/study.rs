//! The main job: the same MLP, from the same initial weights, trained
//! under each regularization [`Regime`], and what each did to the weights.
//!
//! [`run_study`] trains the regimes one after the other through
//! [`sparsegrad::nn::train::train`] and measures each with
//! [`sparsegrad::nn::sparsity`]; [`format_table`] lays the results out
//! side by side; [`write_outputs`] writes `report.json` and the SVG plots.
//! The `sparsity` program is these three calls.
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
mod measure;
mod output;
mod regime;
mod table;

pub use config::{DatasetKind, StudyConfig};
pub use data::{StudyData, prepare};
pub use measure::RegimeResult;
pub use output::{FEATURES_SVG, LOSS_SVG, REPORT_JSON, WEIGHTS_SVG, write_outputs};
pub use regime::{Regime, WeightPenalties};
pub use table::format_table;

use std::path::PathBuf;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::{DeepCopy, Module};
use sparsegrad::nn::optim::{OptimError, Sgd, SgdConfig};
use sparsegrad::nn::train::{Diverged, TrainOptions, evaluate_loss, train};

use crate::plot::PlotError;
use crate::progress::Progress;
use crate::synthetic::ConfigError;

/// Why a study could not run or be written.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The configuration makes no sense.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The data generator refused the configuration.
    #[error("data: {0}")]
    Data(#[from] ConfigError),
    /// The optimizer refused its groups (a strength or rate out of range).
    #[error("optimizer: {0}")]
    Optimizer(#[from] OptimError),
    /// Training diverged (the learning rate is too large).
    #[error("regime '{regime}': {source}; try a smaller learning rate")]
    Diverged {
        /// The regime's label.
        regime: &'static str,
        /// Where and how the loss stopped being finite.
        source: Diverged,
    },
    /// A plot could not be drawn or written.
    #[error("plot: {0}")]
    Plot(#[from] PlotError),
    /// The output folder or the report could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path being written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// The result of a study: its configuration, the data, and one result per
/// regime, in [`Regime::ALL`] order. This is `report.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyReport {
    /// The configuration the study ran with (the seed included).
    pub config: StudyConfig,
    /// What the data set is.
    pub dataset: String,
    /// Training samples.
    pub n_train: usize,
    /// Test samples.
    pub n_test: usize,
    /// The indices of the informative features.
    pub support: Vec<usize>,
    /// The layer widths, input to output.
    pub layer_sizes: Vec<usize>,
    /// One entry per regime.
    pub regimes: Vec<RegimeResult>,
}

impl StudyReport {
    /// The result of `regime`, if it was run.
    pub fn result(&self, regime: Regime) -> Option<&RegimeResult> {
        self.regimes.iter().find(|r| r.regime == regime)
    }
}

/// Runs the study: generates the data, draws one initial network, and for
/// each regime of [`Regime::ALL`] trains a copy of it with SGD and
/// measures the result. `progress` shows one bar per regime.
///
/// Random draws, all from `config.seed`: the data and split, then the
/// initial weights, then one seed for the batch order, which every regime
/// reuses. Two runs with the same configuration give the same weights.
///
/// # Errors
/// An invalid configuration, a refused data or optimizer setting, or a
/// regime whose loss diverged.
pub fn run_study(config: &StudyConfig, progress: &Progress) -> Result<StudyReport, StudyError> {
    config.validate()?;
    let mut rng = StdRng::seed_from_u64(config.seed);
    let data = prepare(config, &mut rng)?;
    let layer_sizes: Vec<usize> = std::iter::once(data.train.n_features())
        .chain(config.hidden.iter().copied())
        .chain([1])
        .collect();
    let initial = Mlp::<f32>::new(&layer_sizes, Activation::Relu, &mut rng);
    let batch_seed: u64 = rng.random();
    let regimes = Regime::ALL
        .iter()
        .map(|&regime| {
            let model = initial.deep_copy();
            let batches = StdRng::seed_from_u64(batch_seed);
            run_regime(config, &data, regime, &model, batches, progress)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(StudyReport {
        config: config.clone(),
        dataset: data.description,
        n_train: data.train.len(),
        n_test: data.test.len(),
        support: data.support,
        layer_sizes,
        regimes,
    })
}

/// Trains `model` under `regime` with the batch order drawn from
/// `batches`, and measures it.
fn run_regime(
    config: &StudyConfig,
    data: &StudyData,
    regime: Regime,
    model: &Mlp<f32>,
    mut batches: StdRng,
    progress: &Progress,
) -> Result<RegimeResult, StudyError> {
    let start = Instant::now();
    let penalties = regime.penalties(config.l1, config.l2);
    let sgd_config = SgdConfig {
        lr: config.lr,
        ..SgdConfig::default()
    };
    let mut sgd = Sgd::new(penalties.groups(model.named_parameters()), sgd_config)?;
    let total_epochs = config.epochs + config.full_batch_epochs;
    let bar = progress.bar(total_epochs as u64, regime.label(), "epochs");
    let mut test_curve = Vec::with_capacity(total_epochs);
    let mut record = |train_loss: f64| {
        let test_loss = evaluate_loss(model, &data.test);
        test_curve.push(test_loss);
        bar.set_message(format!("train {train_loss:.4}  test {test_loss:.4}"));
        bar.inc(1);
    };
    // Mini-batch SGD, then full-batch steps: proximal gradient descent
    // (ISTA) proper, whose zeros are not undone by the next mini-batch's
    // noise (see `StudyConfig::full_batch_epochs`).
    let phases = [
        (config.epochs, config.batch_size),
        (config.full_batch_epochs, 0),
    ];
    let mut train_curve = Vec::with_capacity(total_epochs);
    for (epochs, batch_size) in phases {
        let options = TrainOptions {
            epochs,
            batch_size,
            shuffle: true,
            ..TrainOptions::default()
        };
        let curve = train(model, &mut sgd, &data.train, options, &mut batches, |end| {
            record(end.loss)
        })
        .map_err(|source| StudyError::Diverged {
            regime: regime.label(),
            source,
        })?;
        train_curve.extend(curve);
    }
    bar.finish();
    let measures = measure::measure_weights(
        model,
        config.near_zero_tolerance,
        &data.support,
        data.train.feature_names(),
    );
    Ok(RegimeResult {
        regime,
        label: regime.label().to_owned(),
        penalties,
        train_loss: evaluate_loss(model, &data.train),
        test_loss: evaluate_loss(model, &data.test),
        weights: measures.weights,
        l1_norm: measures.l1_norm,
        l2_norm: measures.l2_norm,
        features: measures.features,
        recovery: measures.recovery,
        train_curve,
        test_curve,
        seconds: start.elapsed().as_secs_f64(),
        weight_values: measures.weight_values,
    })
}
