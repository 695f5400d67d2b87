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
//! then at most `settle_epochs` full-batch steps. A weight at 0 stays at 0
//! after a proximal step exactly when that step's gradient has |g| ≤ λ1;
//! a mini-batch gradient carries sampling noise that, for the weights of
//! a feature the target does not depend on, is usually larger than λ1, so
//! with mini-batches alone some of them leave 0 at every step. The
//! full-batch steps are proximal gradient descent (ISTA) on the training
//! objective F = f + g itself (f the data loss plus any smooth penalty,
//! g the proximal ones) and settle those zeros.
//!
//! # When a fit stops: the proximal-gradient residual
//!
//! A full-batch step with learning rate η is w⁺ = prox_{ηg}(w − η∇f(w)),
//! so the step itself measures how far w is from stationary: the
//! gradient mapping
//!
//! ```text
//! G(w) = (w − w⁺)/η,   r = ‖G(w)‖₂ over every parameter
//! ```
//!
//! is 0 exactly at the fixed points of the step, the stationary points of
//! F, and for f with an L-Lipschitz gradient the point reached has a
//! subgradient of F of norm at most (1 + ηL)·r:
//! dist(0, ∂F(w⁺)) ≤ (1 + ηL)·‖G(w)‖ (Beck, *First-Order Methods in
//! Optimization*, 2017, §10.3). The settle phase stops after the first
//! step with r ≤ `tol`, or after `settle_epochs` steps (the cap), and the
//! path reports, per λ, the steps taken and the last r
//! ([`NetworkFit`]). It costs one copy of the parameters per step, taken
//! in [`train`]'s callback (the open training loop), no extra gradient.
//! Subgradient L1 is not a proximal step: at a weight near 0 it jumps
//! over the kink at every step, r stays about λ1·√(weights at the kink),
//! and such fits run to the cap.
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
//! let settings = NetworkPathSettings { lr: 0.1, batch_size: 0, first_epochs: 300, path_epochs: 300, settle_epochs: 0, tol: 0.0 };
//! let fits = network_path(&model, &data, &[2.0, 0.01], lasso, &settings, &mut StdRng::seed_from_u64(1),
//!     |_, m| m.first_layer_weight().to_array().iter().copied().collect::<Vec<f32>>()).unwrap();
//! assert_eq!(fits[0].record, [0.0, 0.0]);                      // λ = 2 ≥ λ_max: nothing left
//! assert!(fits[1].record[0] > 0.9 && fits[1].record[1].abs() < 0.1); // λ = 0.01: x₀ kept
//! ```

use rand::Rng;
use sparsegrad_autograd::{Float, Tensor};
use thiserror::Error;

use crate::data::Dataset;
use crate::mlp::Mlp;
use crate::module::Module;
use crate::optim::{OptimError, ParamGroup, Sgd, SgdConfig, SgdOptions};
use crate::train::{Control, Diverged, TrainOptions, train};

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
    /// The most full-batch steps closing every fit (the cap).
    pub settle_epochs: usize,
    /// The settle phase stops after the first step whose
    /// proximal-gradient residual ‖w − w⁺‖₂/lr is at most this (see the
    /// [module docs](self)); 0 runs every `settle_epochs` step.
    pub tol: f64,
}

/// One fit of a path: the caller's record of it and how it trained.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkFit<P> {
    /// What `on_fit` recorded.
    pub record: P,
    /// Mini-batch epochs run.
    pub epochs: usize,
    /// Full-batch (settle) steps run, at most `settle_epochs`.
    pub settle_steps: usize,
    /// The proximal-gradient residual ‖w − w⁺‖₂/lr of the last settle
    /// step (`None` when there was none).
    pub residual: Option<f64>,
}

impl<P> NetworkFit<P> {
    /// Whether the settle phase stopped on `tol` rather than on the cap.
    pub fn converged(&self, tol: f64) -> bool {
        self.residual.is_some_and(|r| r <= tol)
    }
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
/// caller wants; the records come back in grid order, each with the
/// epochs and settle steps it took. The batch order is drawn from `rng`.
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
) -> Result<Vec<NetworkFit<P>>, NetworkPathError>
where
    T: Float,
    R: Rng + ?Sized,
{
    let params: Vec<Tensor<T>> = model
        .named_parameters()
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    // the parameters before the last settle step, flattened (one buffer for the whole path)
    let mut before: Vec<T> = Vec::with_capacity(params.iter().map(|p| p.value().len()).sum());
    let mut fits = Vec::with_capacity(lambdas.len());
    for (i, &lambda) in lambdas.iter().rev().enumerate() {
        let config = SgdConfig {
            lr: settings.lr,
            ..SgdConfig::default()
        };
        let mut sgd = Sgd::new(groups_at(lambda), config)
            .map_err(|source| NetworkPathError::Optimizer { lambda, source })?;
        let diverged = |source| NetworkPathError::Diverged { lambda, source };
        let epochs = if i == 0 {
            settings.first_epochs
        } else {
            settings.path_epochs
        };
        let minibatch = TrainOptions {
            epochs,
            batch_size: settings.batch_size,
            shuffle: true,
            ..TrainOptions::default()
        };
        train(model, &mut sgd, data, minibatch, rng, |_| {}).map_err(diverged)?;
        let settle = TrainOptions {
            epochs: settings.settle_epochs,
            ..TrainOptions::default()
        };
        snapshot(&params, &mut before);
        let mut residual = None;
        let steps = train(model, &mut sgd, data, settle, rng, |_| {
            let r = change_since(&params, &mut before).sqrt() / settings.lr;
            residual = Some(r);
            if r <= settings.tol {
                Control::Stop
            } else {
                Control::Continue
            }
        })
        .map_err(diverged)?
        .len();
        fits.push(NetworkFit {
            record: on_fit(lambda, model),
            epochs,
            settle_steps: steps,
            residual,
        });
    }
    fits.reverse();
    Ok(fits)
}

/// `buffer` ← every value of `params`, flattened in order.
fn snapshot<T: Float>(params: &[Tensor<T>], buffer: &mut Vec<T>) {
    buffer.clear();
    for p in params {
        buffer.extend(p.value().iter().copied());
    }
}

/// ‖w − `buffer`‖₂² over every value of `params` (flattened in order),
/// then `buffer` ← w.
fn change_since<T: Float>(params: &[Tensor<T>], buffer: &mut [T]) -> f64 {
    let mut sum = 0.0;
    let mut offset = 0;
    for p in params {
        for (old, &new) in buffer[offset..].iter_mut().zip(p.value().iter()) {
            let d = (new - *old).as_f64();
            sum += d * d;
            *old = new;
        }
        offset += p.value().len();
    }
    sum
}

#[cfg(test)]
mod tests {
    use ndarray::{Array1, Array2, Axis};
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use rand_distr::{Distribution, StandardNormal};

    use super::*;
    use crate::activation::Activation;
    use crate::data::Targets;
    use crate::optim::{GroupRules, Select};
    use crate::path::{LeastSquares, PathPenalty, Stopping, linear_path};
    use crate::regularize::Penalty;

    /// On a linear model, full-batch steps at lr = 1/L are ISTA on the
    /// lasso: stopped by the residual at 1e-10 (the objective is strongly
    /// convex here, so w is then within (1 + ηL)/μ·1e-10 of the optimum),
    /// the path must reach coordinate descent's exact solution, zeros
    /// included, well before the cap.
    #[test]
    fn on_a_linear_model_the_path_is_the_lasso() {
        let (n, d) = (80, 5);
        let mut rng = StdRng::seed_from_u64(7);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
        let mut x = Array2::from_shape_fn((n, d), |_| normal());
        for i in 0..n {
            x[[i, 1]] += 0.5 * x[[i, 0]];
        }
        // standardized with the population σ, as LeastSquares does inside
        let x = (&x - &x.mean_axis(Axis(0)).unwrap()) / &x.std_axis(Axis(0), 0.0);
        let y = Array1::from_shape_fn(n, |i| {
            3.0 + 1.5 * x[[i, 0]] - 0.8 * x[[i, 2]] + 0.3 * normal()
        });
        let problem = LeastSquares::from_data(x.view(), y.view());
        let top = crate::path::lambda_max_l1(x.view(), y.view());
        let lambdas = [0.5 * top, 0.1 * top, 0.01 * top];
        let exact = Stopping {
            tol: 0.0,
            max_sweeps: 100_000,
        };
        let reference = linear_path(&problem, &lambdas, PathPenalty::L1, &exact);
        assert!(
            reference[0].coefficients.contains(&0.0),
            "the zeros are tested too"
        );

        let targets = Targets::Regression(y.insert_axis(Axis(1)));
        let names = (0..d).map(|j| format!("x{j}")).collect();
        let data = Dataset::new(x, targets, names, "y".into());
        let model = Mlp::<f64>::new(&[d, 1], Activation::Identity, &mut StdRng::seed_from_u64(1));
        let named = model.named_parameters();
        let lasso = |lambda: f64| {
            GroupRules::new()
                .rule(Select::Weights, Penalty::l1_proximal(lambda))
                .build(named.clone())
        };
        let tol = 1e-10;
        let settings = NetworkPathSettings {
            lr: 1.0 / problem.lipschitz(),
            batch_size: 0,
            first_epochs: 0,
            path_epochs: 0,
            settle_epochs: 100_000,
            tol,
        };
        let fits = network_path(
            &model,
            &data,
            &lambdas,
            lasso,
            &settings,
            &mut StdRng::seed_from_u64(2),
            |_, m| {
                m.first_layer_weight()
                    .value()
                    .iter()
                    .copied()
                    .collect::<Vec<f64>>()
            },
        )
        .unwrap();
        for (fit, cd) in fits.iter().zip(&reference) {
            assert!(
                fit.converged(tol) && fit.settle_steps < settings.settle_epochs,
                "λ = {}: {fit:?}",
                cd.lambda
            );
            for (j, (&w, &e)) in fit.record.iter().zip(&cd.coefficients).enumerate() {
                assert!(
                    (w - e).abs() <= 1e-6,
                    "λ = {}, w[{j}]: {w} vs {e}",
                    cd.lambda
                );
                assert_eq!(w == 0.0, e == 0.0, "λ = {}, w[{j}]: {w} vs {e}", cd.lambda);
            }
        }
    }
}
