//! One regularization path of an MLP, and the record of each fit of a path
//! (MLP or linear).
//!
//! # How an MLP's fits run
//!
//! Through the library's network path ([`network_path`], the one engine
//! that `sparsity` uses too): full-batch accelerated proximal gradient
//! steps (FISTA with gradient and residual restarts, the engine's settle phase), `Sgd`
//! without momentum (w ← w − lr·∇) at the fixed `mlp_lr`, the first
//! layer's weights in a group with the path's penalty (coupled L2 in the
//! gradient, then the proximal L1 step w ← sign(w)·max(|w| − lr·λ1, 0)),
//! every other parameter in an unpenalized group; no mini-batch epochs,
//! only the settle phase of up to `max_epochs` full-batch steps. The fits
//! run from the smallest λ up, each warm-started from the previous one
//! (dense to sparse, see [`sparsegrad::nn::path::network`]), and are
//! recorded largest λ first. A fit stops after the first step that moves
//! the parameters from its start y to its result w by ‖y − w‖₂ ≤ `tol`
//! (over every parameter: the proximal-gradient residual ‖y − w‖/lr at
//! most `tol`/lr), or after `max_epochs`, and is left at w. The loss has no global Lipschitz constant, so this
//! says the iteration has (nearly) stopped moving, not how far the
//! objective is from a minimum; the path is of the first layer's column
//! norms ‖W[:, j]‖₂, a warm-started local path rather than a unique one.
//!
//! A linear model's path does not come through here: it is the library's
//! coordinate descent ([`sparsegrad::nn::path`]), stopped on the duality
//! gap, and [`linear_point`] records its fits.

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::data::{Dataset, Targets};
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::{GroupRules, Select};
use sparsegrad::nn::path::{
    LinearFit, NetworkPathError, NetworkPathSettings, PathPenalty, network_path,
};
use sparsegrad::nn::regularize::Penalty;
use sparsegrad::nn::sparsity::{FeatureSelection, ParameterSparsity};
use sparsegrad::nn::train::evaluate_loss;

use super::PathError;

/// The name of the parameter whose weights the path records and penalizes.
const FIRST_LAYER_WEIGHT: &str = "layers.0.weight";

/// How the fits along a path are made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FitSettings {
    /// The penalty varied along the path.
    pub penalty: PathPenalty,
    /// Hidden layer widths; empty for a linear model.
    pub hidden: Vec<usize>,
    /// The activation between an MLP's layers.
    #[serde(serialize_with = "serialize_display")]
    pub activation: Activation,
    /// The learning rate of an MLP's fits.
    pub mlp_lr: f64,
    /// An MLP's fit stops when one full-batch step moves the parameters
    /// from its start to its result by at most this (ℓ2 norm).
    pub tol: f64,
    /// A linear model's fit stops when its duality gap is at most this
    /// times ‖y − ȳ‖²/n ([`Stopping`](sparsegrad::nn::path::Stopping)).
    pub gap_tol: f64,
    /// A fit stops after this many epochs (sweeps of coordinate descent
    /// for a linear model) even if not converged.
    pub max_epochs: usize,
    /// Seeds the MLP's init.
    pub seed: u64,
}

impl Default for FitSettings {
    /// The lasso on a linear model, gap tol 1e−4 (scikit-learn's), at most
    /// 10 000 sweeps or epochs a fit; for MLPs update tol 1e−6, tanh (whose derivative at 0 is not 0, so that a layer
    /// zeroed at large λ can grow back) and lr 0.05.
    fn default() -> Self {
        Self {
            penalty: PathPenalty::L1,
            hidden: Vec::new(),
            activation: Activation::Tanh,
            mlp_lr: 0.05,
            tol: 1e-6,
            gap_tol: 1e-4,
            max_epochs: 10_000,
            seed: 0,
        }
    }
}

/// Serializes a value by its `Display` form (`"tanh"`).
fn serialize_display<S: serde::Serializer>(
    value: &Activation,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// The fit at one λ.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathPoint {
    /// λ.
    pub lambda: f64,
    /// λ1 = α·λ.
    pub l1: f64,
    /// λ2 = (1 − α)·λ.
    pub l2: f64,
    /// The first layer's weight W [out, in], row-major (for a linear model
    /// the d coefficients).
    pub first_layer_weight: Vec<f64>,
    /// ‖W[:, j]‖₂ per input feature.
    pub column_l2: Vec<f64>,
    /// The features whose column of W is not all exactly zero.
    pub selected: Vec<usize>,
    /// How many entries of W are exactly zero.
    pub exact_zeros: usize,
    /// The data loss (MSE) on the training data.
    pub train_loss: f64,
    /// The data loss on the validation data, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_loss: Option<f64>,
    /// Epochs this fit ran (sweeps of coordinate descent for a linear model).
    pub epochs: usize,
    /// Whether it stopped on the tolerance (not on `max_epochs`).
    pub converged: bool,
    /// A linear model's duality gap reached, relative to ‖y − ȳ‖²/n: the
    /// objective is within `relative_gap`·‖y − ȳ‖²/n of its minimum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_gap: Option<f64>,
}

/// A whole path, one point per λ, largest λ first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Path {
    /// The first layer's weight shape [out, in].
    pub first_layer_shape: [usize; 2],
    /// The fits.
    pub points: Vec<PathPoint>,
}

impl Path {
    /// What the path plot shows for feature j at each λ: the coefficient
    /// of a linear model, the column norm ‖W[:, j]‖₂ of an MLP.
    ///
    /// # Panics
    /// When j is not a feature index.
    pub fn feature_curve(&self, j: usize) -> Vec<f64> {
        let [out, d] = self.first_layer_shape;
        assert!(j < d, "Path::feature_curve: feature {j} of {d}");
        self.points
            .iter()
            .map(|p| {
                if out == 1 {
                    p.first_layer_weight[j]
                } else {
                    p.column_l2[j]
                }
            })
            .collect()
    }
}

/// The penalty of the first layer's weights at `lambda`: proximal L1 of
/// strength α·λ (so that weights land on exact zeros) and coupled L2 of
/// strength (1 − α)·λ.
pub fn penalty_at(penalty: PathPenalty, lambda: f64) -> Penalty {
    let (l1, l2) = penalty.split(lambda);
    Penalty::l1_proximal(l1).and(Penalty::l2(l2))
}

/// Fits the MLP path of `settings` (`hidden` not empty) on `data`
/// (regression, one target column) over `lambdas` (largest first),
/// warm-starting each fit from the previous one; with `validation`,
/// records each fit's loss on it. Calls `on_fit` after each λ.
///
/// The features are used as given: standardize them first (as the
/// program does) for the columns to be comparable.
///
/// # Errors
/// [`PathError::Diverged`] when a fit's loss stops being a number (too
/// large a learning rate).
///
/// # Panics
/// When the data is empty or not a single-column regression, or `hidden`
/// is empty (a linear model's path is [`sparsegrad::nn::path`]'s).
pub fn fit_mlp_path(
    data: &Dataset<f64>,
    lambdas: &[f64],
    settings: &FitSettings,
    validation: Option<&Dataset<f64>>,
    mut on_fit: impl FnMut(),
) -> Result<Path, PathError> {
    assert!(
        !settings.hidden.is_empty(),
        "fit_mlp_path: no hidden layer; a linear path is sparsegrad::nn::path's"
    );
    check_single_target(data);
    let d = data.n_features();
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let sizes: Vec<usize> = std::iter::once(d)
        .chain(settings.hidden.iter().copied())
        .chain(std::iter::once(1))
        .collect();
    let model = Mlp::<f64>::new(&sizes, settings.activation, &mut rng);
    let named = model.named_parameters();
    let groups_at = |lambda| {
        GroupRules::new()
            .rule(
                Select::named(FIRST_LAYER_WEIGHT),
                penalty_at(settings.penalty, lambda),
            )
            .build(named.clone())
    };
    // full-batch steps only: ‖y − w‖ ≤ tol (a step's start to its result) is a residual ≤ tol/lr
    let full_batch = NetworkPathSettings {
        lr: settings.mlp_lr,
        batch_size: 0,
        first_epochs: 0,
        path_epochs: 0,
        settle_epochs: settings.max_epochs,
        tol: settings.tol / settings.mlp_lr,
    };
    let fits = network_path(
        &model,
        data,
        lambdas,
        groups_at,
        &full_batch,
        &mut rng,
        |lambda, model| {
            on_fit();
            measure(
                model,
                lambda,
                &penalty_at(settings.penalty, lambda),
                data,
                validation,
            )
        },
    )
    .map_err(|error| match error {
        NetworkPathError::Optimizer { lambda, source } => {
            PathError::Invalid(format!("lambda = {lambda}: {source}"))
        }
        NetworkPathError::Diverged { lambda, source } => PathError::Diverged { lambda, source },
    })?;
    let points = fits
        .into_iter()
        .map(|fit| PathPoint {
            epochs: fit.settle_steps,
            converged: fit.converged(full_batch.tol),
            ..fit.record
        })
        .collect();
    let [out, _] = model.first_layer_weight().shape()[..] else {
        unreachable!("a linear layer's weight is 2-D")
    };
    Ok(Path {
        first_layer_shape: [out, d],
        points,
    })
}

/// The record of a linear model's fit, with its validation loss if known.
pub fn linear_point(fit: &LinearFit, validation_loss: Option<f64>) -> PathPoint {
    let weight = ndarray::ArrayView2::from_shape((1, fit.coefficients.len()), &fit.coefficients)
        .expect("1 × d holds d coefficients");
    let selection = FeatureSelection::from_first_layer(weight);
    PathPoint {
        lambda: fit.lambda,
        l1: fit.l1,
        l2: fit.l2,
        first_layer_weight: fit.coefficients.clone(),
        column_l2: selection.column_l2,
        selected: selection.selected,
        exact_zeros: fit.coefficients.iter().filter(|&&w| w == 0.0).count(),
        train_loss: fit.train_loss,
        validation_loss,
        epochs: fit.sweeps,
        converged: fit.converged,
        relative_gap: Some(fit.relative_gap),
    }
}

/// Panics unless `data` is a non-empty single-column regression.
fn check_single_target(data: &Dataset<f64>) {
    assert!(
        !data.is_empty(),
        "fit_mlp_path: the data set has no samples"
    );
    assert!(
        matches!(data.targets(), Targets::Regression(y) if y.ncols() == 1),
        "fit_mlp_path: a path needs a regression with one target column"
    );
}

/// The record of the fit at `lambda` (its epochs and convergence are the
/// path's to fill in).
fn measure(
    model: &Mlp<f64>,
    lambda: f64,
    penalty: &Penalty,
    data: &Dataset<f64>,
    validation: Option<&Dataset<f64>>,
) -> PathPoint {
    let weight = model.first_layer_weight().value();
    let matrix = weight
        .view()
        .into_dimensionality::<ndarray::Ix2>()
        .expect("a linear layer's weight is 2-D");
    let selection = FeatureSelection::from_first_layer(matrix);
    PathPoint {
        lambda,
        l1: penalty.l1_strength(),
        l2: penalty.l2_strength(),
        first_layer_weight: weight.iter().copied().collect(),
        column_l2: selection.column_l2,
        selected: selection.selected,
        exact_zeros: ParameterSparsity::measure(FIRST_LAYER_WEIGHT, weight.view(), None)
            .exact_zeros,
        train_loss: evaluate_loss(model, data),
        validation_loss: validation.map(|v| evaluate_loss(model, v)),
        epochs: 0,
        converged: false,
        relative_gap: None,
    }
}
