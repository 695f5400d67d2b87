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
//! For the **group lasso on input features** a column W₁[:, j] = 0 stays
//! 0 under the block soft threshold of −lr·∇ⱼJ at lr·λg·√p (p = the
//! hidden width, the group's size) exactly when ‖∇ⱼJ‖₂ ≤ λg·√p, so
//!
//! ```text
//! λ_max = maxⱼ ‖∂J/∂W₁[:, j]‖₂ / √p  at W₁ = 0
//! ```
//!
//! is **exact** in the same sense. For the **sparse group lasso** (L1 at
//! α·λ, then the group threshold at (1 − α)·λ, α = ½) the column stays 0
//! exactly when ‖S(∇ⱼJ, α·λ)‖₂ ≤ (1 − α)·λ·√p, S the elementwise soft
//! threshold: the left side falls and the right side rises with λ, so
//! each column has one crossing λⱼ, found by bisection to the last bit,
//! and λ_max = maxⱼ λⱼ is **exact** too (Simon, Friedman, Hastie &
//! Tibshirani 2013 find theirs the same way).
//!
//! It is a **heuristic** for L1 on every layer (proximal or subgradient)
//! and the elastic net (top λ_max/α): a network whose weights are all 0 is
//! a stationary point at every λ (no unit has an input that varies), so
//! no λ_max exists there; λ_max of the first layer is where the inputs
//! stop reaching the network, the scale of the data gradient the penalty
//! must overcome.
//!
//! For the **group lasso on neurons** the top is a **heuristic** too:
//! maxₗ maxᵢ ‖∂J/∂Wₗ[:, i]‖₂/√p over the deeper layers l ≥ 2, each taken
//! with Wₗ = 0 and the other parameters at the initial network. With
//! Wₗ = 0 the layers before it get no gradient, so that point is
//! stationary exactly above this value, but only for the initial weights
//! below layer l: the bound scales with the hidden activations, which
//! training changes (and which the path, run from dense to sparse, has
//! trained), so it is the right scale, not an exact λ_max.
//!
//! For **L2** there is no λ_max (no weight becomes 0). The top is L/10,
//! with L = 2·max(λ_max(XᵀX/n), 1) the curvature bound of a linear
//! model's MSE on centred features ([`lipschitz_of_features`], [`LeastSquares::lipschitz`](sparsegrad::nn::path::LeastSquares::lipschitz) without the Gram matrix): at
//! λ2 = L/10 ridge shrinks every component of a linear model's solution
//! whose curvature is at most L/10 by at least half (h/(h + λ2) ≤ ½), a
//! strong penalty, and the grid runs from there down to light ones. (With
//! the top at L the CV minimum sat at the grid's lower edge on the
//! default task: the grid did not bracket it.)
//!
//! The grid itself is [`log_grid`]: `grid` values from the top down to
//! top·eps, evenly spaced in log λ, largest first.

use ndarray::{Array2, ArrayView1, Ix2};
use serde::{Deserialize, Serialize};
use sparsegrad::autograd::Tensor;
use sparsegrad::nn::data::Dataset;
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::train::data_loss;

use super::StudyError;
use super::regime::{Regime, WeightPenalties};
use sparsegrad::nn::path::{lipschitz_of_features, log_grid};

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
    /// The neurons' group bound at the initial network, each deeper layer
    /// zeroed in turn (see the module docs).
    NeuronHeuristic,
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

/// How a regime's one λ is shared among its terms: λ1 = `l1`·λ,
/// λ2 = `l2`·λ, λg = `group`·λ (the shares sum to 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shares {
    /// The L1 share α.
    pub l1: f64,
    /// The L2 share.
    pub l2: f64,
    /// The group lassos' share.
    pub group: f64,
}

/// The shares of λ of a penalized regime; `None` for the unpenalized one.
pub fn shares(regime: Regime) -> Option<Shares> {
    let of = |l1, l2, group| Some(Shares { l1, l2, group });
    match regime {
        Regime::None => None,
        Regime::L2Coupled | Regime::L2Decoupled => of(0.0, 1.0, 0.0),
        Regime::ElasticNet => of(0.5, 0.5, 0.0),
        Regime::L1Subgradient | Regime::L1Proximal | Regime::L1FirstLayer => of(1.0, 0.0, 0.0),
        Regime::GroupLassoFeatures | Regime::GroupLassoNeurons => of(0.0, 0.0, 1.0),
        Regime::SparseGroupLasso => of(0.5, 0.0, 0.5),
    }
}

/// The penalties of `regime` at `lambda`, shared as [`shares`] says.
pub fn penalties_at(regime: Regime, lambda: f64) -> WeightPenalties {
    let s = shares(regime).unwrap_or(Shares {
        l1: 0.0,
        l2: 0.0,
        group: 0.0,
    });
    regime.penalties(s.l1 * lambda, s.l2 * lambda, s.group * lambda)
}

/// Whether `regime` only makes sense with a hidden layer.
pub fn needs_hidden_layer(regime: Regime) -> bool {
    regime == Regime::GroupLassoNeurons
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
    let Some(share) = shares(regime) else {
        return Ok(Grid {
            regime,
            top: GridTop::Unpenalized,
            lambdas: vec![0.0],
        });
    };
    let linear = initial.linear_layers().count() == 1;
    let (top, value) = match regime {
        Regime::L2Coupled | Regime::L2Decoupled => {
            // the curvature bound depends on the features only; computed
            // without their d × d Gram matrix, so wide data is no problem
            let x = train.features().mapv(f64::from);
            let lipschitz = lipschitz_of_features(x.view());
            (GridTop::RidgeHeuristic, lipschitz / 10.0)
        }
        Regime::GroupLassoFeatures => (
            GridTop::Exact,
            group_lambda_max(&gradient_at_zero(initial, train, 0)),
        ),
        Regime::SparseGroupLasso => (
            GridTop::Exact,
            sparse_group_lambda_max(&gradient_at_zero(initial, train, 0), share.l1),
        ),
        Regime::GroupLassoNeurons => {
            let deeper = (1..initial.linear_layers().count())
                .map(|layer| group_lambda_max(&gradient_at_zero(initial, train, layer)));
            (GridTop::NeuronHeuristic, deeper.fold(0.0, f64::max))
        }
        _ => {
            let rule = if regime == Regime::L1FirstLayer || linear {
                GridTop::Exact
            } else {
                GridTop::FirstLayerHeuristic
            };
            (rule, first_layer_lambda_max(initial, train) / share.l1)
        }
    };
    if !(value.is_finite() && value > 0.0) {
        return Err(StudyError::Config(format!(
            "regime '{}': the top of the λ grid is {value}: the loss's gradient at zero weights is 0 (every feature constant, a constant target, or a single class), so no grid can start there",
            regime.label()
        )));
    }
    Ok(Grid {
        regime,
        top,
        lambdas: log_grid(value, eps, count),
    })
}

/// max |∂J/∂W₁| at W₁ = 0 with the other parameters of `initial`, J the
/// data loss on `train`.
pub fn first_layer_lambda_max(initial: &Mlp<f32>, train: &Dataset<f32>) -> f64 {
    gradient_at_zero(initial, train, 0)
        .iter()
        .fold(0.0_f64, |m, &g| m.max(g.abs()))
}

/// maxⱼ ‖g[:, j]‖₂/√p over the columns of the `[p, cols]` gradient `g`:
/// the smallest group lasso λg whose block soft threshold keeps every
/// column of a zero weight at 0.
pub fn group_lambda_max(g: &Array2<f64>) -> f64 {
    let sqrt_p = (g.nrows() as f64).sqrt();
    g.columns()
        .into_iter()
        .map(|column| column.dot(&column).sqrt() / sqrt_p)
        .fold(0.0, f64::max)
}

/// The sparse group lasso's λ_max over the columns of the `[p, cols]`
/// gradient `g`, L1 at `alpha`·λ and the group at (1 − α)·λ: the largest
/// of the columns' crossings, each the λ where ‖S(gⱼ, α·λ)‖₂ = (1 − α)·λ·√p
/// (see the module docs).
pub fn sparse_group_lambda_max(g: &Array2<f64>, alpha: f64) -> f64 {
    let sqrt_p = (g.nrows() as f64).sqrt();
    // ‖S(column, α·λ)‖₂ − (1 − α)·λ·√p: falls strictly as λ grows
    let excess = |column: ArrayView1<f64>, lambda: f64| {
        let shrunk: f64 = column
            .iter()
            .map(|&v| (v.abs() - alpha * lambda).max(0.0).powi(2))
            .sum();
        shrunk.sqrt() - (1.0 - alpha) * lambda * sqrt_p
    };
    g.columns()
        .into_iter()
        .map(|column| {
            // the crossing lies in [0, max|gⱼ|/α]: there the shrunk column is 0
            let (mut low, mut high) = (
                0.0,
                column.iter().fold(0.0_f64, |m, v| m.max(v.abs())) / alpha,
            );
            // bisect until the interval cannot shrink (at most ~1100 halvings)
            loop {
                let mid = 0.5 * (low + high);
                if mid <= low || mid >= high {
                    break high;
                }
                if excess(column, mid) > 0.0 {
                    low = mid;
                } else {
                    high = mid;
                }
            }
        })
        .fold(0.0, f64::max)
}

/// ∂J/∂W at W = 0 for the weight W (`[out, in]`) of linear layer `layer`
/// of `initial`, the other parameters left at their values, J the data
/// loss on `train`. The gradient is taken on a zeroed copy of W's value,
/// put back afterwards, so `initial` is unchanged.
pub fn gradient_at_zero(initial: &Mlp<f32>, train: &Dataset<f32>, layer: usize) -> Array2<f64> {
    let weight = initial
        .linear_layers()
        .nth(layer)
        .expect("a linear layer of the network")
        .weight();
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
    let gradient = weight
        .grad()
        .expect("a linear layer's weight requires a gradient")
        .mapv(f64::from)
        .into_dimensionality::<Ix2>()
        .expect("a linear layer's weight is [out, in]");
    for (_, p) in initial.named_parameters() {
        p.zero_grad();
    }
    *weight.value_mut() = saved;
    gradient
}
