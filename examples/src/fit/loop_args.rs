//! The options of `fit` that steer the training loop: the learning-rate
//! schedule (`--lr-schedule` and its parameters) and gradient clipping
//! (`--clip-grad-norm`, `--clip-grad-value`), as docs/CLI.md describes them.

use clap::{Args, ValueEnum};
use sparsegrad::autograd::Shortest;
use sparsegrad::nn::clip::Clip;
use sparsegrad::nn::optim::Requirement;
use sparsegrad::nn::schedule::Schedule;

use super::args::check_option;
use super::error::FitError;

/// `--lr-schedule`: torch.optim.lr_scheduler's classes, stepped once per epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScheduleArg {
    /// The learning rate stays `--lr`.
    Constant,
    /// StepLR: lr·γ^⌊e / step_size⌋.
    Step,
    /// CosineAnnealingLR: η_min + (lr − η_min)·(1 + cos(π·e / T_max))/2.
    Cosine,
    /// ExponentialLR: lr·γ^e.
    Exponential,
}

/// The loop options of `fit`, flattened into its command line.
#[derive(Clone, Debug, Args)]
pub struct LoopArgs {
    /// Learning-rate schedule over the epochs e = 0, 1, … (torch's formulas).
    #[arg(long, value_enum, default_value = "constant")]
    pub lr_schedule: ScheduleArg,
    /// step: epochs between two drops (≥ 1).
    #[arg(long, default_value_t = 10)]
    pub lr_step_size: usize,
    /// step and exponential: the factor γ of each drop, in (0, 1]
    /// (default 0.1 for step, as StepLR; exponential needs it given).
    #[arg(long, allow_hyphen_values = true)]
    pub lr_gamma: Option<f64>,
    /// cosine: T_max, the epochs from lr down to η_min (≥ 1; default --epochs).
    #[arg(long)]
    pub lr_t_max: Option<usize>,
    /// cosine: η_min, the lowest learning rate (≥ 0).
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.0)]
    pub lr_eta_min: f64,
    /// Rescale all gradients together to this global L2 norm at most (> 0),
    /// as torch.nn.utils.clip_grad_norm_.
    #[arg(long, allow_hyphen_values = true)]
    pub clip_grad_norm: Option<f64>,
    /// Clamp every gradient element into [−v, v] (> 0), as
    /// torch.nn.utils.clip_grad_value_.
    #[arg(long, allow_hyphen_values = true)]
    pub clip_grad_value: Option<f64>,
}

impl LoopArgs {
    /// Checks the ranges and combinations (docs/CLI.md).
    pub fn validate(&self) -> Result<(), FitError> {
        if self.lr_step_size == 0 {
            return Err(FitError::invalid(
                "--lr-step-size must be at least 1".to_string(),
            ));
        }
        if self.lr_t_max == Some(0) {
            return Err(FitError::invalid(
                "--lr-t-max must be at least 1".to_string(),
            ));
        }
        if let Some(gamma) = self.lr_gamma {
            check_option(Requirement::Positive, "lr-gamma", gamma)?;
            if gamma > 1.0 {
                return Err(FitError::invalid(format!(
                    "--lr-gamma must be in (0, 1], got {}",
                    Shortest(gamma)
                )));
            }
        }
        check_option(Requirement::NonNegative, "lr-eta-min", self.lr_eta_min)?;
        if self.lr_schedule == ScheduleArg::Exponential && self.lr_gamma.is_none() {
            return Err(FitError::invalid(
                "--lr-schedule exponential needs --lr-gamma".to_string(),
            ));
        }
        for (option, bound) in [
            ("clip-grad-norm", self.clip_grad_norm),
            ("clip-grad-value", self.clip_grad_value),
        ] {
            if let Some(bound) = bound {
                check_option(Requirement::Positive, option, bound)?;
            }
        }
        if self.clip_grad_norm.is_some() && self.clip_grad_value.is_some() {
            return Err(FitError::invalid(
                "--clip-grad-norm and --clip-grad-value cannot be used together".to_string(),
            ));
        }
        Ok(())
    }

    /// The schedule asked for, over a run of `epochs` epochs (the default T_max).
    pub fn schedule(&self, epochs: usize) -> Schedule {
        match self.lr_schedule {
            ScheduleArg::Constant => Schedule::Constant,
            ScheduleArg::Step => Schedule::Step {
                step_size: self.lr_step_size,
                gamma: self.lr_gamma.unwrap_or(0.1),
            },
            ScheduleArg::Cosine => Schedule::Cosine {
                t_max: self.lr_t_max.unwrap_or(epochs),
                eta_min: self.lr_eta_min,
            },
            ScheduleArg::Exponential => Schedule::Exponential {
                gamma: self
                    .lr_gamma
                    .expect("validate refuses exponential without --lr-gamma"),
            },
        }
    }

    /// The clipping asked for.
    pub fn clip(&self) -> Clip {
        match (self.clip_grad_norm, self.clip_grad_value) {
            (Some(max_norm), _) => Clip::Norm(max_norm),
            (None, Some(clip_value)) => Clip::Value(clip_value),
            (None, None) => Clip::None,
        }
    }
}
