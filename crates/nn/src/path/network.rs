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
//! full-batch steps are an accelerated proximal gradient method (FISTA)
//! on the training objective F = f + g itself (f the data loss plus any
//! smooth penalty, g the proximal ones) and settle those zeros. The
//! groups must not set momentum: SGD without it keeps no state from step
//! to step (nor do the penalties' proximal steps), which is what lets the
//! settle phase move the parameters between steps.
//!
//! # The settle phase: FISTA with gradient restarts
//!
//! Each full-batch step with learning rate η is the proximal gradient
//! step T(y) = prox_{ηg}(y − η∇f(y)) from the current parameters. From
//! y₁ = w₀ (where the mini-batch epochs left the model) and t₁ = 1, step
//! k computes
//!
//! ```text
//! w_k     = T(y_k)                                   (the optimizer's step)
//! t_{k+1} = (1 + √(1 + 4t_k²))/2
//! y_{k+1} = w_k + ((t_k − 1)/t_{k+1})·(w_k − w_{k−1})  (written into the parameters)
//! ```
//!
//! (Beck and Teboulle, 2009), with two restarts that drop the momentum
//! (t_{k+1} = 1 and y_{k+1} = w_k):
//!
//! - O'Donoghue and Candès's gradient restart (*Adaptive restart for
//!   accelerated gradient schemes*, 2015): when the step went against the
//!   momentum, ⟨y_k − w_k, w_k − w_{k−1}⟩ > 0;
//! - a residual restart: when r_k > r_{k−1} (the residual below), the
//!   step left its start further from stationary than the last one did.
//!
//! On a convex F with an L-Lipschitz ∇f and η ≤ 1/L, plain FISTA's
//! F(w_k) − F* falls as O(1/k²) instead of ISTA's O(1/k); the gradient
//! restart keeps the momentum from overshooting a strongly convex minimum,
//! where it is observed to converge linearly (O'Donoghue and Candès give a
//! heuristic analysis for quadratics, not a proof, and the restarted
//! method keeps no proven rate in general). The residual restart is for
//! steps longer than 1/L, which a network's learning rate often is (its L
//! is not known): between 1/L and 2/L ISTA still converges, but the
//! extrapolated iteration can oscillate with growing amplitude along a
//! direction of curvature above 1/η, where the step goes along the
//! momentum and the gradient test does not fire. The growing oscillation
//! shows as a growing residual, and dropping the momentum there leaves
//! ISTA's steps, which settle (measured on the study's default run: the
//! largest residual left at the cap went from ISTA's 4.57 to 8.95 with the
//! gradient restart alone, and back to 4.57 with both, at fewer steps than
//! ISTA). On a network no rate is promised; only the stopping rule below
//! is. The extrapolation happens in the callback of [`train`] (the open
//! training loop), between steps, on two copies of the parameters (y_k and
//! w_{k−1}) allocated once per path; it costs no extra gradient.
//!
//! # When a fit stops: the proximal-gradient residual
//!
//! A step measures how far its start y_k is from stationary: the
//! gradient mapping
//!
//! ```text
//! G(y_k) = (y_k − w_k)/η,   r_k = ‖G(y_k)‖₂ over every parameter
//! ```
//!
//! is 0 exactly at the fixed points of T, the stationary points of F,
//! and for f with an L-Lipschitz gradient the step's result w_k has a
//! subgradient of F of norm at most (1 + ηL)·r_k:
//! dist(0, ∂F(w_k)) ≤ (1 + ηL)·‖G(y_k)‖ (Beck, *First-Order Methods in
//! Optimization*, 2017, §10.3; the bound holds at any y, extrapolated or
//! not). The settle phase stops after the first step with r_k ≤ `tol`,
//! or after `settle_epochs` steps (the cap), and in both cases leaves the
//! model at w_k, the prox's output, never at the extrapolated y_{k+1}:
//! the point reported is the one the bound is about, and its zeros are
//! the prox's exact zeros. So a fit that stops on `tol` is a point whose
//! distance from stationarity (in subgradient norm) is at most
//! (1 + ηL)·`tol`: a certificate of stationarity, not of a global optimum
//! on a network (on a convex F it bounds the suboptimality too, through
//! strong convexity or a bounded level set). The path reports, per λ,
//! the steps taken and the last r_k ([`NetworkFit`]).
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
    /// proximal-gradient residual ‖y − w‖₂/lr (y the step's start, w its
    /// result) is at most this (see the [module docs](self)); 0 runs
    /// every `settle_epochs` step.
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
    /// The proximal-gradient residual ‖y − w‖₂/lr of the last settle
    /// step, from its start y to its result w, the point the model was
    /// left at (`None` when there was no settle step).
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
/// parameters, and must not set momentum: the settle phase's
/// extrapolation assumes a step keeps no state). After each fit,
/// `on_fit(λ, model)` records what the
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
    // one set of FISTA buffers for the whole path
    let mut fista = Fista::with_capacity(params.iter().map(|p| p.value().len()).sum());
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
        fista.begin(&params);
        let mut residual = None;
        let steps = train(model, &mut sgd, data, settle, rng, |end| {
            // the step just taken: w_k = prox(y_k − η∇f(y_k)), now in `params`
            let (distance, inner) = fista.measure(&params);
            let r = distance.sqrt() / settings.lr;
            residual = Some(r);
            // stopping on tol or at the cap leaves the model at w_k, never
            // at an extrapolated point: the prox's zeros stay exact
            if r <= settings.tol || end.epoch == settings.settle_epochs {
                Control::Stop
            } else {
                fista.extrapolate(&params, inner, r);
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

/// The settle phase's FISTA state over every parameter, flattened in
/// order (see the [module docs](self)); its buffers are allocated once per
/// path and reused by every fit.
struct Fista<T> {
    /// y_k: the point the last step started from.
    start: Vec<T>,
    /// w_{k−1}: the previous step's result (y₁ before the first step).
    previous: Vec<T>,
    /// t_k.
    t: f64,
    /// r_{k−1}, the previous step's residual (∞ before the first step).
    last_residual: f64,
}

impl<T: Float> Fista<T> {
    /// Empty buffers with room for `len` values each.
    fn with_capacity(len: usize) -> Self {
        Self {
            start: Vec::with_capacity(len),
            previous: Vec::with_capacity(len),
            t: 1.0,
            last_residual: f64::INFINITY,
        }
    }

    /// Starts a settle phase at the current values: y₁ = w₀ = them, t₁ = 1.
    fn begin(&mut self, params: &[Tensor<T>]) {
        self.start.clear();
        for p in params {
            self.start.extend(p.value().iter().copied());
        }
        self.previous.clone_from(&self.start);
        self.t = 1.0;
        self.last_residual = f64::INFINITY;
    }

    /// With `params` at w_k, the step's result from y_k:
    /// (‖y_k − w_k‖₂², ⟨y_k − w_k, w_k − w_{k−1}⟩), summed in f64.
    fn measure(&self, params: &[Tensor<T>]) -> (f64, f64) {
        let (mut distance, mut inner) = (0.0, 0.0);
        let mut offset = 0;
        for p in params {
            let w = p.value();
            let (start, previous) = (&self.start[offset..], &self.previous[offset..]);
            for ((&w, &y), &before) in w.iter().zip(start).zip(previous) {
                let (g, step) = ((y - w).as_f64(), (w - before).as_f64());
                distance += g * g;
                inner += g * step;
            }
            offset += w.len();
        }
        (distance, inner)
    }

    /// Moves `params` from w_k to the next step's start y_{k+1}, with
    /// `inner` = ⟨y_k − w_k, w_k − w_{k−1}⟩ from [`measure`](Self::measure)
    /// and the step's `residual` r_k: a restart (inner > 0, the step went
    /// against the momentum, or r_k > r_{k−1}, it left its start further
    /// from stationary than the last) sets t_{k+1} = 1 and y_{k+1} = w_k,
    /// else
    /// t_{k+1} = (1 + √(1 + 4t_k²))/2 and
    /// y_{k+1} = w_k + ((t_k − 1)/t_{k+1})·(w_k − w_{k−1}).
    /// Then w_{k−1} ← w_k and y_k ← y_{k+1}.
    fn extrapolate(&mut self, params: &[Tensor<T>], inner: f64, residual: f64) {
        let grew = residual > self.last_residual;
        self.last_residual = residual;
        let (beta, t) = if inner > 0.0 || grew {
            (0.0, 1.0)
        } else {
            let next = (1.0 + (1.0 + 4.0 * self.t * self.t).sqrt()) / 2.0;
            ((self.t - 1.0) / next, next)
        };
        self.t = t;
        let beta = T::from_f64(beta);
        let mut offset = 0;
        for p in params {
            let mut w = p.value_mut();
            let len = w.len();
            let (start, previous) = (&mut self.start[offset..], &mut self.previous[offset..]);
            for ((w, y), before) in w.iter_mut().zip(start).zip(previous) {
                let current = *w;
                *y = current + beta * (current - *before);
                *before = current;
                *w = *y;
            }
            offset += len;
        }
    }
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

    /// A lasso on 80 samples of 5 standardized features (before
    /// standardizing, x₁ is noise plus x₀·`mixing`: the larger `mixing`,
    /// the worse conditioned), y = 3 + 1.5x₀ − 0.8x₂ + noise, and three λ
    /// down from its λ_max.
    struct Lasso {
        x: Array2<f64>,
        y: Array1<f64>,
        problem: LeastSquares,
        lambdas: [f64; 3],
    }

    impl Lasso {
        fn new(mixing: f64) -> Self {
            let (n, d) = (80, 5);
            let mut rng = StdRng::seed_from_u64(7);
            let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
            let mut x = Array2::from_shape_fn((n, d), |_| normal());
            for i in 0..n {
                x[[i, 1]] += mixing * x[[i, 0]];
            }
            // standardized with the population σ, as LeastSquares does inside
            let x = (&x - &x.mean_axis(Axis(0)).unwrap()) / &x.std_axis(Axis(0), 0.0);
            let y = Array1::from_shape_fn(n, |i| {
                3.0 + 1.5 * x[[i, 0]] - 0.8 * x[[i, 2]] + 0.3 * normal()
            });
            let problem = LeastSquares::from_data(x.view(), y.view());
            let top = crate::path::lambda_max_l1(x.view(), y.view());
            let lambdas = [0.5 * top, 0.1 * top, 0.01 * top];
            Self {
                x,
                y,
                problem,
                lambdas,
            }
        }

        /// The linear model every test starts from.
        fn model(&self) -> Mlp<f64> {
            Mlp::new(
                &[self.x.ncols(), 1],
                Activation::Identity,
                &mut StdRng::seed_from_u64(1),
            )
        }

        /// Full-batch settle steps only, at lr = 1/L.
        fn settings(&self, settle_epochs: usize, tol: f64) -> NetworkPathSettings {
            NetworkPathSettings {
                lr: 1.0 / self.problem.lipschitz(),
                batch_size: 0,
                first_epochs: 0,
                path_epochs: 0,
                settle_epochs,
                tol,
            }
        }

        /// `network_path` from `model` over `lambdas` with proximal L1 on
        /// the weight, recording it.
        fn path(
            &self,
            model: &Mlp<f64>,
            lambdas: &[f64],
            settings: &NetworkPathSettings,
        ) -> Vec<NetworkFit<Vec<f64>>> {
            let targets = Targets::Regression(self.y.clone().insert_axis(Axis(1)));
            let names = (0..self.x.ncols()).map(|j| format!("x{j}")).collect();
            let data = Dataset::new(self.x.clone(), targets, names, "y".into());
            let named = model.named_parameters();
            let lasso = |lambda: f64| {
                GroupRules::new()
                    .rule(Select::Weights, Penalty::l1_proximal(lambda))
                    .build(named.clone())
            };
            network_path(
                model,
                &data,
                lambdas,
                lasso,
                settings,
                &mut StdRng::seed_from_u64(2),
                |_, m| m.first_layer_weight().value().iter().copied().collect(),
            )
            .unwrap()
        }
    }

    /// Where a reference loop stopped.
    struct Reference {
        /// The weights w_k of the last step and its intercept.
        w: Vec<f64>,
        b: f64,
        /// The weights of y_{k+1}, where an accelerated loop would go on.
        next: Vec<f64>,
        steps: usize,
        residual: f64,
        /// Restarts taken (0 when not `accelerated`).
        restarts: usize,
    }

    /// Proximal gradient descent written out on arrays for the model's
    /// objective mean((x·w + b − y)²) + λ‖w‖₁ from (w, b), with FISTA's
    /// extrapolation and both restarts when `accelerated` (the module
    /// docs' formulas), until ‖y_k − w_k‖₂/η ≤ `tol` or `cap` steps.
    fn proximal_gradient(
        lasso: &Lasso,
        lambda: f64,
        (w, b): (&[f64], f64),
        eta: f64,
        tol: f64,
        cap: usize,
        accelerated: bool,
    ) -> Reference {
        let n = lasso.x.nrows() as f64;
        // the point y_k = (u, c) a step starts from, the last result (w, b)
        let (mut u, mut c) = (Array1::from_vec(w.to_vec()), b);
        let (mut w, mut b) = (u.clone(), c);
        let mut t: f64 = 1.0;
        let (mut restarts, mut last_residual) = (0, f64::INFINITY);
        for k in 1..=cap {
            let error = lasso.x.dot(&u) + c - &lasso.y;
            let grad_w = lasso.x.t().dot(&error) * (2.0 / n);
            let grad_b = error.sum() * 2.0 / n;
            let new_w =
                (&u - &(grad_w * eta)).mapv(|z| z.signum() * (z.abs() - eta * lambda).max(0.0));
            let new_b = c - eta * grad_b;
            let (gw, gb) = (&u - &new_w, c - new_b);
            let residual = (gw.dot(&gw) + gb * gb).sqrt() / eta;
            let inner = gw.dot(&(&new_w - &w)) + gb * (new_b - b);
            let (beta, next_t) = if !accelerated {
                (0.0, 1.0)
            } else if inner > 0.0 || residual > last_residual {
                restarts += 1;
                (0.0, 1.0)
            } else {
                let next = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
                ((t - 1.0) / next, next)
            };
            (t, last_residual) = (next_t, residual);
            u = &new_w + &((&new_w - &w) * beta);
            c = new_b + beta * (new_b - b);
            (w, b) = (new_w, new_b);
            if residual <= tol || k == cap {
                return Reference {
                    w: w.to_vec(),
                    b,
                    next: u.to_vec(),
                    steps: k,
                    residual,
                    restarts,
                };
            }
        }
        unreachable!("the loop returns at its last step")
    }

    /// ISTA written out on arrays from `start` (the reference that
    /// plain proximal steps must reach).
    fn ista_reference(
        lasso: &Lasso,
        lambda: f64,
        start: &(Vec<f64>, f64),
        settings: &NetworkPathSettings,
    ) -> Reference {
        let (tol, cap) = (settings.tol, settings.settle_epochs);
        proximal_gradient(
            lasso,
            lambda,
            (&start.0, start.1),
            settings.lr,
            tol,
            cap,
            false,
        )
    }

    /// Asserts that `got` is `want` to within `tol` in every element,
    /// naming `at` on failure.
    fn assert_close(got: &[f64], want: &[f64], tol: f64, at: &str) {
        for (j, (&w, &e)) in got.iter().zip(want).enumerate() {
            assert!((w - e).abs() <= tol, "{at}, w[{j}]: {w} vs {e}");
        }
    }

    /// The model's weight and bias.
    fn weights(model: &Mlp<f64>) -> (Vec<f64>, f64) {
        let params = model.named_parameters();
        let w = params[0].1.value().iter().copied().collect();
        (w, params[1].1.item())
    }

    /// On a linear model the settle steps are FISTA on the lasso: stopped
    /// by the residual at 1e-10 (the objective is strongly convex here, so
    /// w is then within (1 + ηL)/μ·1e-10 of the optimum), the path must
    /// reach coordinate descent's exact solution, zeros included, well
    /// before the cap.
    #[test]
    fn on_a_linear_model_the_path_is_the_lasso() {
        let lasso = Lasso::new(0.5);
        let exact = Stopping {
            tol: 0.0,
            max_sweeps: 100_000,
        };
        let reference = linear_path(&lasso.problem, &lasso.lambdas, PathPenalty::L1, &exact);
        assert!(
            reference[0].coefficients.contains(&0.0),
            "the zeros are tested too"
        );
        let tol = 1e-10;
        let settings = lasso.settings(100_000, tol);
        let fits = lasso.path(&lasso.model(), &lasso.lambdas, &settings);
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

    /// On an ill-conditioned lasso (x₁ almost x₀) to a tight tol, the
    /// path's accelerated settle phase takes fewer steps in all than plain
    /// proximal gradient descent (ISTA, written out on arrays) from the
    /// same start with the same warm starts, and reaches the same points.
    #[test]
    fn fista_settles_in_fewer_steps_than_ista() {
        let lasso = Lasso::new(10.0);
        let (tol, cap) = (1e-9, 1_000_000);
        let settings = lasso.settings(cap, tol);
        let model = lasso.model();
        let mut start = weights(&model);
        let fits = lasso.path(&model, &lasso.lambdas, &settings);
        let mut ista_steps = 0;
        // the path's order: the smallest λ first, each from the last
        for (fit, &lambda) in fits.iter().zip(&lasso.lambdas).rev() {
            let ista = ista_reference(&lasso, lambda, &start, &settings);
            assert!(
                ista.steps < cap && fit.converged(tol),
                "λ = {lambda}: {fit:?}"
            );
            assert_close(&fit.record, &ista.w, 1e-6, &format!("λ = {lambda}"));
            ista_steps += ista.steps;
            start = (ista.w, ista.b);
        }
        let fista_steps: usize = fits.iter().map(|f| f.settle_steps).sum();
        assert!(
            2 * fista_steps < ista_steps,
            "FISTA {fista_steps} steps, ISTA {ista_steps}"
        );
    }

    /// With a step of 1.9/L, longer than FISTA's 1/L but short enough for
    /// ISTA, the settle phase still converges on the ill-conditioned lasso
    /// to ISTA's solution: without the residual restart the extrapolated
    /// steps oscillate there with growing amplitude and never settle.
    #[test]
    fn a_step_between_1_and_2_over_l_still_settles() {
        let lasso = Lasso::new(10.0);
        let (tol, cap) = (1e-9, 100_000);
        let mut settings = lasso.settings(cap, tol);
        settings.lr *= 1.9;
        let model = lasso.model();
        let start = weights(&model);
        let lambda = lasso.lambdas[0];
        let fit = &lasso.path(&model, &[lambda], &settings)[0];
        let ista = ista_reference(&lasso, lambda, &start, &settings);
        assert!(ista.steps < cap, "ISTA settles at 1.9/L: {}", ista.residual);
        assert!(fit.converged(tol), "{fit:?}");
        assert_close(&fit.record, &ista.w, 1e-6, "1.9/L");
    }

    /// Stopped at the cap after every k up to 20 steps (tol 0), the model
    /// is FISTA's w_k (the reference written out on arrays), the prox's
    /// output: its zeros are exact, including at the steps where w_k has a
    /// zero that the extrapolated y_{k+1} does not, and the steps include
    /// gradient restarts, so the two loops' restarts agree too.
    #[test]
    fn the_model_is_left_at_the_prox_output() {
        let lasso = Lasso::new(0.5);
        let lambda = lasso.lambdas[1];
        let mut residue_seen = false;
        let mut restarts = 0;
        for cap in 1..=20 {
            let settings = lasso.settings(cap, 0.0);
            let model = lasso.model();
            let start = weights(&model);
            let fit = &lasso.path(&model, &[lambda], &settings)[0];
            let fista = proximal_gradient(
                &lasso,
                lambda,
                (&start.0, start.1),
                settings.lr,
                0.0,
                cap,
                true,
            );
            assert_eq!(fit.settle_steps, fista.steps);
            let residual = fit.residual.unwrap();
            assert!(
                (residual - fista.residual).abs() <= 1e-9 * (1.0 + fista.residual),
                "step {cap}: {residual} vs {}",
                fista.residual
            );
            for (j, (&w, &e)) in fit.record.iter().zip(&fista.w).enumerate() {
                assert!((w - e).abs() <= 1e-9, "step {cap}, w[{j}]: {w} vs {e}");
                assert_eq!(w == 0.0, e == 0.0, "step {cap}, w[{j}]: {w} vs {e}");
            }
            restarts = fista.restarts;
            residue_seen |= fista
                .w
                .iter()
                .zip(&fista.next)
                .any(|(&w, &y)| w == 0.0 && y != 0.0);
        }
        assert!(residue_seen, "some w_k has a zero where y_(k+1) has none");
        assert!(restarts > 0, "no gradient restart in 20 steps");
    }
}
