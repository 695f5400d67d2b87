//! Each regime's own λ grid: what λ means for it, where its grid starts
//! (λ_max, exact where it exists) and the log-spaced values below.
//!
//! # What λ is, per regime
//!
//! One number per regime, mapped to its penalties by [`penalties_at`]:
//! λ1 = λ for the L1 regimes, λ2 = λ for the L2 regimes, and λ1 = λ2 = λ/2
//! for the elastic net (l1_ratio α = ½, as scikit-learn's `ElasticNet`
//! default). The unpenalized regime has the one-point grid {0}.
//!
//! # The top of the grid
//!
//! With the data loss J, a first layer W₁ = 0 stays 0 under a proximal L1
//! step w ← S(w − lr·∇J, lr·λ1) exactly when every |∂J/∂W₁ᵢⱼ| ≤ λ1 at
//! W₁ = 0 (the soft threshold of −lr·g at lr·λ1 is 0 iff |g| ≤ λ1): the
//! KKT condition of that point. So
//!
//! ```text
//! λ_max = max_ij |∂J/∂W₁ᵢⱼ|  at W₁ = 0, the other parameters at their initial values
//! ```
//!
//! is **exact** for L1 on the first layer only: from the common initial
//! network with W₁ zeroed, no λ ≥ λ_max lets any input in. For a linear
//! model (no hidden layer) on centred features it is the lasso's λ_max,
//! (2/n)·maxⱼ|Σᵢ xᵢⱼ(yᵢ − ȳ)|, whatever the intercept (Σᵢ xᵢⱼ = 0).
//!
//! It is a **heuristic** for L1 on every layer (proximal or subgradient)
//! and the elastic net (top λ_max/α): a network whose weights are all 0 is
//! a stationary point at every λ (no unit has an input that varies), so
//! no λ_max exists there; λ_max of the first layer is where the inputs
//! stop reaching the network, the scale of the data gradient the penalty
//! must overcome.
//!
//! For **L2** there is no λ_max (no weight becomes 0). The top is L/10,
//! with L = 2·max(λ_max(XᵀX/n), 1) the curvature bound of a linear
//! model's MSE on centred features ([`LeastSquares::lipschitz`]): at
//! λ2 = L/10 ridge shrinks every component of a linear model's solution
//! whose curvature is at most L/10 by at least half (h/(h + λ2) ≤ ½), a
//! strong penalty, and the grid runs from there down to light ones. (With
//! the top at L the CV minimum sat at the grid's lower edge on the
//! default task: the grid did not bracket it.)
//!
//! The grid itself is [`log_grid`]: `grid` values from the top down to
//! top·eps, evenly spaced in log λ, largest first.

use serde::{Deserialize, Serialize};
use sparsegrad::autograd::Tensor;
use sparsegrad::nn::data::{Dataset, Targets};
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::train::data_loss;

use super::StudyError;
use super::regime::{Regime, WeightPenalties};
use sparsegrad::nn::path::{LeastSquares, log_grid};

/// How the top of a regime's grid was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridTop {
    /// No penalty: the grid is {0}.
    Unpenalized,
    /// The exact λ_max of the first layer at W₁ = 0 (see the module docs).
    Exact,
    /// The first layer's λ_max used for a penalty on every layer, where no
    /// λ_max exists.
    FirstLayerHeuristic,
    /// A tenth of the linear model's curvature bound L, for L2 (no exact
    /// zeros).
    RidgeHeuristic,
}

/// A regime's grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// The regime.
    pub regime: Regime,
    /// How the top was found.
    pub top: GridTop,
    /// The values, largest first.
    pub lambdas: Vec<f64>,
}

/// The share of λ that goes to L1 (α) for a penalized regime; `None` for
/// the unpenalized one.
pub fn l1_ratio(regime: Regime) -> Option<f64> {
    match regime {
        Regime::None => None,
        Regime::L2Coupled | Regime::L2Decoupled => Some(0.0),
        Regime::ElasticNet => Some(0.5),
        Regime::L1Subgradient | Regime::L1Proximal | Regime::L1FirstLayer => Some(1.0),
    }
}

/// The penalties of `regime` at `lambda`: λ1 = α·λ, λ2 = (1 − α)·λ.
pub fn penalties_at(regime: Regime, lambda: f64) -> WeightPenalties {
    let alpha = l1_ratio(regime).unwrap_or(0.0);
    regime.penalties(alpha * lambda, (1.0 - alpha) * lambda)
}

/// Whether `regime` only makes sense with a hidden layer.
pub fn needs_hidden_layer(regime: Regime) -> bool {
    match regime {
        Regime::None
        | Regime::L2Coupled
        | Regime::L2Decoupled
        | Regime::L1Subgradient
        | Regime::L1Proximal
        | Regime::ElasticNet
        | Regime::L1FirstLayer => false,
    }
}

/// The grid of `regime` on the standardized training set `train`, for the
/// study's initial network `initial`: `count` values from the top (see the
/// [module docs](self)) down to top·`eps`.
///
/// # Errors
/// [`StudyError::Config`] when the top is 0 (a constant target, or
/// features that are all constant): no grid can start there.
pub fn grid(
    regime: Regime,
    initial: &Mlp<f32>,
    train: &Dataset<f32>,
    count: usize,
    eps: f64,
) -> Result<Grid, StudyError> {
    let Some(alpha) = l1_ratio(regime) else {
        return Ok(Grid {
            regime,
            top: GridTop::Unpenalized,
            lambdas: vec![0.0],
        });
    };
    let (top, value) = if alpha == 0.0 {
        let x = train.features().mapv(f64::from);
        let y = match train.targets() {
            Targets::Regression(y) => y.column(0).mapv(f64::from),
            // the curvature bound depends on the features only
            Targets::Classification(labels) => ndarray::Array1::zeros(labels.len()),
        };
        let lipschitz = LeastSquares::from_data(x.view(), y.view()).lipschitz();
        (GridTop::RidgeHeuristic, lipschitz / 10.0)
    } else {
        let exact = regime == Regime::L1FirstLayer || initial.linear_layers().count() == 1;
        let rule = if exact {
            GridTop::Exact
        } else {
            GridTop::FirstLayerHeuristic
        };
        (rule, first_layer_lambda_max(initial, train) / alpha)
    };
    if !(value.is_finite() && value > 0.0) {
        return Err(StudyError::Config(format!(
            "regime '{}': the top of the λ grid is {value} (a constant target?): no grid can start there",
            regime.label()
        )));
    }
    Ok(Grid {
        regime,
        top,
        lambdas: log_grid(value, eps, count),
    })
}

/// max |∂J/∂W₁| at W₁ = 0 with the other parameters of `initial` (left
/// unchanged: the gradient is taken on a zeroed copy of W₁'s value, put
/// back afterwards), J the data loss on `train`.
pub fn first_layer_lambda_max(initial: &Mlp<f32>, train: &Dataset<f32>) -> f64 {
    let weight = initial.first_layer_weight();
    let zeros = ndarray::ArrayD::zeros(weight.shape());
    let saved = std::mem::replace(&mut *weight.value_mut(), zeros);
    for (_, p) in initial.named_parameters() {
        p.zero_grad();
    }
    let loss = data_loss(
        &initial.forward(&Tensor::new(train.features().clone())),
        train.targets(),
    );
    loss.backward();
    let lambda_max = weight
        .grad()
        .expect("the first layer's weight requires a gradient")
        .iter()
        .fold(0.0_f64, |m, &g| m.max(f64::from(g).abs()));
    for (_, p) in initial.named_parameters() {
        p.zero_grad();
    }
    *weight.value_mut() = saved;
    lambda_max
}
