//! One regime's path on one part of the data: a fit at every λ of its
//! grid, each warm-started from the previous one, each measured on the
//! held-out samples.
//!
//! # The direction: dense to sparse
//!
//! A linear lasso path goes from λ_max down (scikit-learn's `lasso_path`),
//! because there the problem is convex and every start gives the same
//! optimum. A network's path goes the other way, from the smallest λ up
//! (LassoNet's direction): a network whose penalized weights are all 0 is
//! a stationary point of gradient descent (with L1 on every layer no unit
//! sees a varying input, so no weight gets a gradient to leave 0), and a
//! path started there would stay there. The first fit, at the smallest
//! λ, trains from the study's common initial network; each later fit
//! starts from the previous one and only has to prune. The grid is still
//! anchored at λ_max (see [`super::grid`]); the report lists it largest
//! first.
//!
//! # One fit
//!
//! Plain SGD on the regime's parameter groups at that λ: `epochs`
//! mini-batch epochs, then `settle_epochs` full-batch steps (proximal
//! gradient descent proper, which settles the zeros the mini-batch noise
//! keeps undoing; see [`StudyConfig::settle_epochs`]). Every regime and λ
//! of a part gets the same batches in the same order (one RNG per part).

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::data::{Dataset, Targets};
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::{Sgd, SgdConfig};
use sparsegrad::nn::train::{Diverged, TrainOptions, evaluate_loss, predict, train};

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

/// Fits `job`'s path (smallest λ first, see the [module docs](self)) with
/// the training settings of `config`, calling `on_fit` after each λ;
/// returns the points in grid order (largest λ first).
///
/// # Errors
/// [`StudyError::Diverged`] when a fit's loss stops being a number.
pub fn fit_path(
    job: &PathJob<'_>,
    config: &StudyConfig,
    mut on_fit: impl FnMut(),
) -> Result<Vec<PathPoint>, StudyError> {
    let model = initial_network(job.sizes, job.init_seed);
    let mut batches = StdRng::seed_from_u64(job.batch_seed);
    let named = model.named_parameters();
    let first_weight = named[0].0.clone();
    let mut points = Vec::with_capacity(job.lambdas.len());
    for (i, &lambda) in job.lambdas.iter().rev().enumerate() {
        let epochs = if i == 0 {
            config.first_epochs
        } else {
            config.path_epochs
        };
        let groups = penalties_at(job.regime, lambda).groups(named.clone(), &first_weight);
        let mut sgd = Sgd::new(
            groups,
            SgdConfig {
                lr: config.lr,
                ..SgdConfig::default()
            },
        )?;
        fit_at(&model, &mut sgd, job.train, config, epochs, &mut batches).map_err(|source| {
            StudyError::Diverged {
                regime: job.regime.label(),
                lambda,
                source,
            }
        })?;
        points.push(measure(&model, lambda, job.held_out, job.keep_parameters));
        on_fit();
    }
    points.reverse();
    Ok(points)
}

/// One fit: `epochs` mini-batch epochs then the settling full-batch steps.
fn fit_at(
    model: &Mlp<f32>,
    sgd: &mut Sgd<f32>,
    train_part: &Dataset<f32>,
    config: &StudyConfig,
    epochs: usize,
    batches: &mut StdRng,
) -> Result<(), Diverged> {
    let phases = [
        (epochs, config.batch_size, true),
        (config.settle_epochs, 0, false),
    ];
    for (epochs, batch_size, shuffle) in phases {
        let options = TrainOptions {
            epochs,
            batch_size,
            shuffle,
        };
        train(model, sgd, train_part, options, batches, |_, _| {})?;
    }
    Ok(())
}

/// The record of `model` at `lambda`, evaluated on `held_out`.
fn measure(model: &Mlp<f32>, lambda: f64, held_out: &Dataset<f32>, keep: bool) -> PathPoint {
    PathPoint {
        lambda,
        loss: evaluate_loss(model, held_out),
        accuracy: accuracy(model, held_out),
        sparsity: NetworkSparsity::measure(model),
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
