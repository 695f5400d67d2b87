//! One regularization path: a fit at each λ of a grid, largest first, each
//! warm-started from the previous solution (as scikit-learn's `lasso_path`),
//! recording the first layer's weights and their sparsity.
//!
//! # How each fit runs
//!
//! Full-batch proximal gradient descent through the library: `Sgd` without
//! momentum (w ← w − lr·∇), the first layer's weights in a group with the
//! path's [`Penalty`] (coupled L2 in the gradient, then the proximal L1
//! step w ← sign(w)·max(|w| − lr·λ1, 0)), every other parameter in an
//! unpenalized group, and epochs of [`train`] with `batch_size = 0` until
//! the parameters stop changing: the fit stops after the first epoch whose
//! update θ_new − θ_old has ℓ2 norm ≤ `tol` (over every parameter), or
//! after `max_epochs`.
//!
//! For a linear model the step sizes come from the Lipschitz constant L of
//! the MSE gradient ([`mse_lipschitz`]): lr = 1/(L + λ2) for the weights
//! (the gradient of J + (λ2/2)‖w‖² is (L + λ2)-Lipschitz in w) and 1/L for
//! the intercept. Both are majorized by the same separable quadratic, so
//! each step decreases the objective and the iteration converges to the
//! minimizer (ISTA). For a step size ≤ 1/L the proximal gradient map is a
//! contraction by q = 1 − μ/L (μ the smallest curvature) when J is
//! strongly convex, so stopping at an update of norm δ leaves the iterate
//! within q·δ/(1 − q) ≤ δ·L/μ of the optimum. The model starts at w = 0,
//! b = ȳ, the optimum at λ ≥ λ_max.
//!
//! An MLP's fits use the fixed `mlp_lr` for every parameter (its loss has
//! no global Lipschitz constant); its path is of the first layer's column
//! norms ‖W[:, j]‖₂, a warm-started local path rather than a unique one.

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use sparsegrad::autograd::Tensor;
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::data::{Dataset, Targets};
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::{GroupRules, Select, Sgd, SgdConfig};
use sparsegrad::nn::regularize::Penalty;
use sparsegrad::nn::sparsity::{FeatureSelection, ParameterSparsity};
use sparsegrad::nn::train::{Control, TrainOptions, evaluate_loss, train};

use super::PathError;
use super::grid::PathPenalty;
use super::lipschitz::mse_lipschitz;

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
    /// The learning rate of an MLP's fits (a linear model uses 1/L).
    pub mlp_lr: f64,
    /// A fit stops when one epoch moves the parameters by at most this
    /// (ℓ2 norm of the update).
    pub tol: f64,
    /// A fit stops after this many epochs even if not converged.
    pub max_epochs: usize,
    /// Seeds the MLP's init and the power iteration's start.
    pub seed: u64,
}

impl Default for FitSettings {
    /// The lasso on a linear model, tol 1e−6, at most 10 000 epochs a fit;
    /// for MLPs tanh (whose derivative at 0 is not 0, so that a layer
    /// zeroed at large λ can grow back) and lr 0.05.
    fn default() -> Self {
        Self {
            penalty: PathPenalty::L1,
            hidden: Vec::new(),
            activation: Activation::Tanh,
            mlp_lr: 0.05,
            tol: 1e-6,
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
    /// Epochs this fit ran.
    pub epochs: usize,
    /// Whether it stopped on the tolerance (not on `max_epochs`).
    pub converged: bool,
}

/// A whole path, one point per λ, largest λ first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Path {
    /// The first layer's weight shape [out, in].
    pub first_layer_shape: [usize; 2],
    /// The learning rate of the weights at λ = 0 (1/L for a linear model).
    pub base_lr: f64,
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

/// How long a step each group takes.
#[derive(Clone, Copy, Debug)]
enum StepSize {
    /// A linear model: 1/(L + λ2) for the weights, 1/L for the intercept.
    Lipschitz(f64),
    /// An MLP: one rate for everything.
    Fixed(f64),
}

impl StepSize {
    /// (lr of the first layer's weights, lr of the other parameters) with
    /// coupled L2 strength `l2`.
    fn rates(self, l2: f64) -> (f64, f64) {
        match self {
            StepSize::Lipschitz(lipschitz) => (1.0 / (lipschitz + l2), 1.0 / lipschitz),
            StepSize::Fixed(lr) => (lr, lr),
        }
    }
}

/// Fits the path of `settings` on `data` (regression, one target column)
/// over `lambdas` (largest first), warm-starting each fit from the previous
/// one; with `validation`, records each fit's loss on it. Calls `on_fit`
/// after each λ.
///
/// The features are used as given: standardize them first (as the
/// program does) for the coefficients to be comparable.
///
/// # Errors
/// [`PathError::Diverged`] when a fit's loss stops being a number (an MLP
/// with too large a learning rate).
///
/// # Panics
/// When the data is empty or not a single-column regression.
pub fn fit_path(
    data: &Dataset<f64>,
    lambdas: &[f64],
    settings: &FitSettings,
    validation: Option<&Dataset<f64>>,
    mut on_fit: impl FnMut(),
) -> Result<Path, PathError> {
    let y_mean = single_target_mean(data);
    let d = data.n_features();
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let linear = settings.hidden.is_empty();
    let sizes: Vec<usize> = std::iter::once(d)
        .chain(settings.hidden.iter().copied())
        .chain(std::iter::once(1))
        .collect();
    let activation = if linear {
        Activation::Identity
    } else {
        settings.activation
    };
    let model = Mlp::<f64>::new(&sizes, activation, &mut rng);
    let step = if linear {
        start_at_the_mean(&model, y_mean);
        StepSize::Lipschitz(mse_lipschitz(data.features().view(), &mut rng))
    } else {
        StepSize::Fixed(settings.mlp_lr)
    };
    let named = model.named_parameters();
    let params: Vec<Tensor<f64>> = named.iter().map(|(_, p)| p.clone()).collect();
    let mut snapshot = flatten(&params);
    let mut points = Vec::with_capacity(lambdas.len());
    for &lambda in lambdas {
        let penalty = settings.penalty.at(lambda);
        let (weight_lr, other_lr) = step.rates(penalty.l2_strength());
        let groups = GroupRules::new()
            .rule_with_lr(
                Select::named(FIRST_LAYER_WEIGHT),
                weight_lr,
                penalty.clone(),
            )
            .build(named.clone());
        let config = SgdConfig {
            lr: other_lr,
            ..SgdConfig::default()
        };
        let mut sgd = Sgd::new(groups, config)
            .map_err(|e| PathError::Invalid(format!("lambda = {lambda}: {e}")))?;
        let options = TrainOptions {
            epochs: settings.max_epochs,
            ..TrainOptions::default()
        };
        // full-batch epochs until one moves the parameters by at most tol
        let mut converged = false;
        let epochs = train(&model, &mut sgd, data, options, &mut rng, |_| {
            converged = update_norm(&params, &mut snapshot) <= settings.tol;
            if converged {
                Control::Stop
            } else {
                Control::Continue
            }
        })
        .map_err(|source| PathError::Diverged { lambda, source })?
        .len();
        points.push(measure(
            &model, lambda, &penalty, data, validation, epochs, converged,
        ));
        on_fit();
    }
    let [out, _] = model.first_layer_weight().shape()[..] else {
        unreachable!("a linear layer's weight is 2-D")
    };
    Ok(Path {
        first_layer_shape: [out, d],
        base_lr: step.rates(0.0).0,
        points,
    })
}

/// ȳ of a single-column regression data set.
fn single_target_mean(data: &Dataset<f64>) -> f64 {
    assert!(!data.is_empty(), "fit_path: the data set has no samples");
    match data.targets() {
        Targets::Regression(y) if y.ncols() == 1 => y.sum() / y.nrows() as f64,
        _ => panic!("fit_path: a path needs a regression with one target column"),
    }
}

/// Sets a linear model to w = 0, b = ȳ: the optimum for λ ≥ λ_max, where
/// the path starts.
fn start_at_the_mean(model: &Mlp<f64>, y_mean: f64) {
    let linear = model.linear_layers().next().expect("an Mlp has a layer");
    linear.weight().value_mut().fill(0.0);
    if let Some(bias) = linear.bias() {
        bias.value_mut().fill(y_mean);
    }
}

/// Every parameter's values, concatenated.
fn flatten(params: &[Tensor<f64>]) -> Vec<f64> {
    params
        .iter()
        .flat_map(|p| p.value().iter().copied().collect::<Vec<_>>())
        .collect()
}

/// ‖θ − snapshot‖₂ over every parameter, then snapshot ← θ.
fn update_norm(params: &[Tensor<f64>], snapshot: &mut [f64]) -> f64 {
    let mut offset = 0;
    let mut sum_of_squares = 0.0;
    for param in params {
        let value = param.value();
        for (&now, before) in value.iter().zip(&mut snapshot[offset..]) {
            sum_of_squares += (now - *before).powi(2);
            *before = now;
        }
        offset += value.len();
    }
    sum_of_squares.sqrt()
}

/// The record of the fit at `lambda`.
fn measure(
    model: &Mlp<f64>,
    lambda: f64,
    penalty: &Penalty,
    data: &Dataset<f64>,
    validation: Option<&Dataset<f64>>,
    epochs: usize,
    converged: bool,
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
        epochs,
        converged,
    }
}
