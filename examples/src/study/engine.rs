//! One regime's path on one part of the data, through the library's
//! network path engine ([`network_path`]: a fit at every λ of the grid,
//! dense to sparse, each warm-started from the previous one), each fit
//! measured on the held-out samples. Every regime and λ of a part gets the
//! same batches in the same order (one RNG per part), from the same
//! initial network.

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::data::{Dataset, Targets};
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::path::{NetworkPathSettings, network_path};
use sparsegrad::nn::train::{evaluate_loss, predict};

use super::StudyError;
use super::config::StudyConfig;
use super::grid::penalties_at;
use super::measure::NetworkSparsity;
use super::regime::Regime;

/// The network the study trains: `sizes` = [inputs, hidden…, outputs], ReLU
/// between layers, drawn from `seed` (every call gives the same bits).
pub fn initial_network(sizes: &[usize], seed: u64) -> Mlp<f32> {
    Mlp::new(sizes, Activation::Relu, &mut StdRng::seed_from_u64(seed))
}

/// The fit at one λ of a path, measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PathPoint {
    /// λ.
    pub lambda: f64,
    /// The data loss on the held-out samples (MSE of the standardized
    /// target, or mean cross-entropy).
    pub loss: f64,
    /// The fraction of held-out samples classified right (classification).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub accuracy: Option<f64>,
    /// Exact zeros and what compaction leaves.
    pub sparsity: NetworkSparsity,
    /// Mini-batch epochs of this fit.
    pub epochs: usize,
    /// Full-batch settle steps of this fit (it stopped on the
    /// proximal-gradient residual or on the cap).
    pub settle_steps: usize,
    /// The proximal-gradient residual ‖y − w‖₂/lr of its last settle
    /// step (none without a settle phase).
    pub settle_residual: Option<f64>,
    /// Every parameter's values (named_parameters order, flattened), kept
    /// on request (for the refit: the plots and the drawing of the network).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parameters: Option<Vec<Vec<f32>>>,
}

/// One path to fit.
pub struct PathJob<'a> {
    /// The regime.
    pub regime: Regime,
    /// Its grid, largest first.
    pub lambdas: &'a [f64],
    /// The training part (standardized on itself).
    pub train: &'a Dataset<f32>,
    /// The held-out part (standardized with the training part's statistics).
    pub held_out: &'a Dataset<f32>,
    /// The layer widths.
    pub sizes: &'a [usize],
    /// The seed of the common initial network.
    pub init_seed: u64,
    /// The seed of this part's batch order.
    pub batch_seed: u64,
    /// Whether to keep each fit's parameters.
    pub keep_parameters: bool,
}

/// Fits `job`'s path with the training settings of `config`, calling
/// `on_fit` after each λ; returns the points in grid order (largest λ
/// first).
///
/// # Errors
/// [`StudyError::Path`] when the optimizer refuses a λ or a fit diverges.
pub fn fit_path(
    job: &PathJob<'_>,
    config: &StudyConfig,
    mut on_fit: impl FnMut(),
) -> Result<Vec<PathPoint>, StudyError> {
    let model = initial_network(job.sizes, job.init_seed);
    let named = model.named_parameters();
    let groups_at = |lambda| penalties_at(job.regime, lambda).groups(named.clone());
    let settings = NetworkPathSettings {
        lr: config.lr,
        batch_size: config.batch_size,
        first_epochs: config.first_epochs,
        path_epochs: config.path_epochs,
        settle_epochs: config.settle_epochs,
        tol: config.settle_tol,
    };
    let mut batches = StdRng::seed_from_u64(job.batch_seed);
    let fits = network_path(
        &model,
        job.train,
        job.lambdas,
        groups_at,
        &settings,
        &mut batches,
        |lambda, model| {
            on_fit();
            measure(model, lambda, job.held_out, job.keep_parameters)
        },
    )
    .map_err(|cause| StudyError::Path {
        regime: job.regime.label(),
        cause,
    })?;
    Ok(fits
        .into_iter()
        .map(|fit| PathPoint {
            epochs: fit.epochs,
            settle_steps: fit.settle_steps,
            settle_residual: fit.residual,
            ..fit.record
        })
        .collect())
}

/// The record of `model` at `lambda`, evaluated on `held_out`.
fn measure(model: &Mlp<f32>, lambda: f64, held_out: &Dataset<f32>, keep: bool) -> PathPoint {
    PathPoint {
        lambda,
        loss: evaluate_loss(model, held_out),
        accuracy: accuracy(model, held_out),
        sparsity: NetworkSparsity::measure(model),
        // filled in from the path's record of the fit
        epochs: 0,
        settle_steps: 0,
        settle_residual: None,
        parameters: keep.then(|| {
            model
                .named_parameters()
                .iter()
                .map(|(_, p)| p.value().iter().copied().collect())
                .collect()
        }),
    }
}

/// The fraction of `data`'s samples whose largest output is their class;
/// `None` for regression.
fn accuracy(model: &Mlp<f32>, data: &Dataset<f32>) -> Option<f64> {
    let Targets::Classification(labels) = data.targets() else {
        return None;
    };
    let outputs = predict(model, data.features())
        .into_dimensionality::<ndarray::Ix2>()
        .expect("a network's output is [samples, classes]");
    let right = outputs
        .rows()
        .into_iter()
        .zip(labels)
        .filter(|(row, label)| {
            let best = (0..row.len())
                .reduce(|b, k| if row[k] > row[b] { k } else { b })
                .unwrap_or(0);
            best == **label
        })
        .count();
    Some(right as f64 / labels.len().max(1) as f64)
}
