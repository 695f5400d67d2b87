//! A network's regularization path: a fit at every λ of a grid, each
//! warm-started from the previous one, for any penalty that parameter
//! groups can express (the linear models' exact path is
//! [`linear_path`](super::linear_path)'s).
//!
//! # The direction: dense to sparse
//!
//! A linear path goes from λ_max down, because there the problem is convex
//! and every start gives the same optimum. A network's path goes the other
//! way, from the smallest λ up (LassoNet's direction): a network whose
//! penalized weights are all 0 is a stationary point of gradient descent
//! (with L1 on every layer no unit sees a varying input, so no weight gets
//! a gradient to leave 0), and a path started there would stay there. The
//! first fit, at the smallest λ, trains from the given network; each later
//! fit starts from the previous one and only has to prune. The grid is
//! still anchored at its λ_max; the results come back in grid order.
//!
//! # One fit
//!
//! Plain SGD (no momentum) on the groups the caller gives for that λ:
//! `first_epochs` (at the first λ) or `path_epochs` mini-batch epochs,
//! then `settle_epochs` full-batch steps. A weight at 0 stays at 0 after a
//! proximal step exactly when that step's gradient has |g| ≤ λ1; a
//! mini-batch gradient carries sampling noise that, for the weights of a
//! feature the target does not depend on, is usually larger than λ1, so
//! with mini-batches alone some of them leave 0 at every step. The
//! full-batch steps are proximal gradient descent (ISTA) on the training
//! objective itself and settle those zeros.
//!
//! ```
//! use rand::{SeedableRng, rngs::StdRng};
//! use sparsegrad_autograd::ndarray::{Array2, array};
//! use sparsegrad_nn::activation::Activation;
//! use sparsegrad_nn::data::{Dataset, Targets};
//! use sparsegrad_nn::mlp::Mlp;
//! use sparsegrad_nn::module::Module;
//! use sparsegrad_nn::optim::{GroupRules, Select};
//! use sparsegrad_nn::path::{NetworkPathSettings, network_path};
//! use sparsegrad_nn::regularize::Penalty;
//!
//! // y = x₀; x₁ is noise
//! let x = array![[1.0f32, 0.3], [-1.0, 0.1], [0.5, -0.4], [-0.5, 0.2]];
//! let y: Array2<f32> = x.column(0).to_owned().insert_axis(ndarray::Axis(1));
//! let data = Dataset::new(x, Targets::Regression(y), vec!["a".into(), "b".into()], "y".into());
//! let model = Mlp::<f32>::new(&[2, 1], Activation::Relu, &mut StdRng::seed_from_u64(0));
//! let named = model.named_parameters();
//! let lasso = |lambda: f64| {
//!     GroupRules::new()
//!         .rule(Select::Weights, Penalty::l1_proximal(lambda))
//!         .build(named.clone())
//! };
//! let settings = NetworkPathSettings { lr: 0.1, batch_size: 0, first_epochs: 300, path_epochs: 300, settle_epochs: 0 };
//! let weights = network_path(&model, &data, &[2.0, 0.01], lasso, &settings, &mut StdRng::seed_from_u64(1),
//!     |_, m| m.first_layer_weight().to_array().iter().copied().collect::<Vec<f32>>()).unwrap();
//! assert_eq!(weights[0], [0.0, 0.0]);                 // λ = 2 ≥ λ_max: nothing left
//! assert!(weights[1][0] > 0.9 && weights[1][1].abs() < 0.1); // λ = 0.01: x₀ kept
//! ```

use rand::Rng;
use sparsegrad_autograd::Float;
use thiserror::Error;

use crate::data::Dataset;
use crate::mlp::Mlp;
use crate::optim::{OptimError, ParamGroup, Sgd, SgdConfig, SgdOptions};
use crate::train::{Diverged, TrainOptions, train};

/// How each fit along a network path trains (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NetworkPathSettings {
    /// SGD's learning rate.
    pub lr: f64,
    /// Samples per mini-batch step (0: the whole data set).
    pub batch_size: usize,
    /// Mini-batch epochs of the first fit, at the smallest λ.
    pub first_epochs: usize,
    /// Mini-batch epochs of every later, warm-started fit.
    pub path_epochs: usize,
    /// Full-batch epochs (one step each) closing every fit.
    pub settle_epochs: usize,
}

/// Why a network path stopped.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum NetworkPathError {
    /// The optimizer refused the groups given for a λ.
    #[error("λ = {lambda}: {source}")]
    Optimizer {
        /// The λ.
        lambda: f64,
        /// What it refused.
        #[source]
        source: OptimError,
    },
    /// A fit's loss stopped being a number.
    #[error("λ = {lambda}: {source}")]
    Diverged {
        /// The λ.
        lambda: f64,
        /// Where.
        source: Diverged,
    },
}

/// Fits `model` (in place) at every λ of `lambdas` (largest first), from
/// the smallest up, each fit warm-started from the previous one with the
/// optimizer groups `groups_at(λ)` (which must hold `model`'s
/// parameters). After each fit, `on_fit(λ, model)` records what the
/// caller wants; the records come back in grid order. The batch order is
/// drawn from `rng`.
///
/// # Errors
/// [`NetworkPathError`] when the optimizer refuses a λ's groups or a loss
/// becomes NaN or infinite.
///
/// # Panics
/// When `data` is empty.
pub fn network_path<T, R, P>(
    model: &Mlp<T>,
    data: &Dataset<T>,
    lambdas: &[f64],
    groups_at: impl Fn(f64) -> Vec<ParamGroup<T, SgdOptions>>,
    settings: &NetworkPathSettings,
    rng: &mut R,
    mut on_fit: impl FnMut(f64, &Mlp<T>) -> P,
) -> Result<Vec<P>, NetworkPathError>
where
    T: Float,
    R: Rng + ?Sized,
{
    let mut records = Vec::with_capacity(lambdas.len());
    for (i, &lambda) in lambdas.iter().rev().enumerate() {
        let config = SgdConfig {
            lr: settings.lr,
            ..SgdConfig::default()
        };
        let mut sgd = Sgd::new(groups_at(lambda), config)
            .map_err(|source| NetworkPathError::Optimizer { lambda, source })?;
        let epochs = if i == 0 {
            settings.first_epochs
        } else {
            settings.path_epochs
        };
        let phases = [
            (epochs, settings.batch_size, true),
            (settings.settle_epochs, 0, false),
        ];
        for (epochs, batch_size, shuffle) in phases {
            let options = TrainOptions {
                epochs,
                batch_size,
                shuffle,
                ..TrainOptions::default()
            };
            train(model, &mut sgd, data, options, rng, |_| {})
                .map_err(|source| NetworkPathError::Diverged { lambda, source })?;
        }
        records.push(on_fit(lambda, model));
    }
    records.reverse();
    Ok(records)
}
