//! The options of `fit` and `predict` (clap), and the checks CLI.md asks
//! for beyond what clap parses: ranges, finiteness and combinations.

use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};
use sparsegrad::autograd::Shortest;
use sparsegrad::io::limits::{self, MAX_EPOCHS};
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::data::Task;
use sparsegrad::nn::optim::Requirement;
use sparsegrad::nn::regularize::L1Mode;

use super::error::FitError;
use super::loop_args::LoopArgs;
use super::structured::StructuredArgs;

/// `--task`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TaskArg {
    /// Mean squared error, one output.
    Regression,
    /// Softmax cross-entropy over K outputs.
    Classification,
}

impl From<TaskArg> for Task {
    fn from(task: TaskArg) -> Self {
        match task {
            TaskArg::Regression => Task::Regression,
            TaskArg::Classification => Task::Classification,
        }
    }
}

/// `--activation`: the activations a model file can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ActivationArg {
    /// max(x, 0).
    Relu,
    /// tanh x.
    Tanh,
    /// 1/(1 + e⁻ˣ).
    Sigmoid,
}

impl From<ActivationArg> for Activation {
    fn from(activation: ActivationArg) -> Self {
        match activation {
            ActivationArg::Relu => Activation::Relu,
            ActivationArg::Tanh => Activation::Tanh,
            ActivationArg::Sigmoid => Activation::Sigmoid,
        }
    }
}

/// `--optimizer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    /// torch.optim.SGD.
    Sgd,
    /// torch.optim.Adam.
    Adam,
    /// torch.optim.AdamW (L2 always decoupled).
    Adamw,
}

/// `--l1-mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum L1ModeArg {
    /// g ← g + λ1·sign(w) before the step.
    Subgradient,
    /// w ← sign(w)·max(|w| − lr·λ1, 0) after the step.
    Proximal,
}

impl From<L1ModeArg> for L1Mode {
    fn from(mode: L1ModeArg) -> Self {
        match mode {
            L1ModeArg::Subgradient => L1Mode::Subgradient,
            L1ModeArg::Proximal => L1Mode::Proximal,
        }
    }
}

/// `--penalize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PenalizeArg {
    /// Weights only; biases are not penalized.
    Weights,
    /// Weights and biases.
    All,
}

/// `--dtype`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DtypeArg {
    /// 32-bit floats.
    F32,
    /// 64-bit floats.
    F64,
}

/// Train a model on a CSV file and write what it learned (see CLI.md).
#[derive(Clone, Debug, Parser)]
#[command(name = "fit", version, allow_negative_numbers = true)]
pub struct FitArgs {
    /// CSV file with a header row; every used cell a number.
    #[arg(long)]
    pub data: PathBuf,
    /// The target column.
    #[arg(long)]
    pub target: String,
    /// Feature columns, in this order (default: every column but the target).
    #[arg(long, value_delimiter = ',', action = clap::ArgAction::Set)]
    pub features: Option<Vec<String>>,
    /// Regression (MSE, one output) or classification (softmax cross-entropy).
    #[arg(long, value_enum, default_value = "regression")]
    pub task: TaskArg,
    /// z-score every feature with the training data's mean and population std.
    #[arg(long)]
    pub standardize: bool,
    /// Hidden layer widths, e.g. 64,32 (default: none, a linear model).
    #[arg(long, value_delimiter = ',', action = clap::ArgAction::Set)]
    pub hidden: Vec<usize>,
    /// Activation between layers.
    #[arg(long, value_enum, default_value = "relu")]
    pub activation: ActivationArg,
    /// Start from the parameters of this model file.
    #[arg(long)]
    pub init: Option<PathBuf>,
    /// Seeds the init and the shuffling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Element type of the parameters and the computation.
    #[arg(long, value_enum, default_value = "f32")]
    pub dtype: DtypeArg,
    /// The optimizer.
    #[arg(long, value_enum, default_value = "sgd")]
    pub optimizer: OptimizerArg,
    /// Learning rate (> 0).
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.01)]
    pub lr: f64,
    /// SGD momentum μ in [0, 1).
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.0)]
    pub momentum: f64,
    /// SGD dampening τ in [0, 1].
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.0)]
    pub dampening: f64,
    /// SGD Nesterov momentum (needs --momentum > 0 and --dampening 0).
    #[arg(long)]
    pub nesterov: bool,
    /// Adam β1 in [0, 1).
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.9)]
    pub beta1: f64,
    /// Adam β2 in [0, 1).
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.999)]
    pub beta2: f64,
    /// Adam ε (> 0).
    #[arg(allow_hyphen_values = true, long, default_value_t = 1e-8)]
    pub eps: f64,
    /// Passes over the data (≥ 1).
    #[arg(long, default_value_t = 100)]
    pub epochs: usize,
    /// Samples per step; 0 means the full data set.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Keep file order for the mini-batches.
    #[arg(long)]
    pub no_shuffle: bool,
    /// L1 strength λ1 (≥ 0).
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.0)]
    pub l1: f64,
    /// How L1 is applied.
    #[arg(long, value_enum, default_value = "subgradient")]
    pub l1_mode: L1ModeArg,
    /// L2 strength λ2 (≥ 0).
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.0)]
    pub l2: f64,
    /// Apply L2 as decoupled weight decay (w ← w − lr·λ2·w).
    #[arg(long)]
    pub decoupled: bool,
    /// Which parameters the penalties apply to.
    #[arg(long, value_enum, default_value = "weights")]
    pub penalize: PenalizeArg,
    /// The learning-rate schedule and gradient clipping.
    #[command(flatten)]
    pub training_loop: LoopArgs,
    /// Group lasso on features and neurons, and penalty factors.
    #[command(flatten)]
    pub structured: StructuredArgs,
    /// Where to write the model file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where to write the metrics file.
    #[arg(long)]
    pub metrics: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// `Ok` when `value` satisfies `requirement` (the ranges of nn's
/// hyperparameter checks, which exclude NaN and the infinities), else the
/// error naming `--option`.
pub(super) fn check_option(
    requirement: Requirement,
    option: &str,
    value: f64,
) -> Result<(), FitError> {
    if requirement.holds(value) {
        Ok(())
    } else {
        Err(FitError::invalid(format!(
            "--{option} must be {requirement}, got {}",
            Shortest(value)
        )))
    }
}

impl FitArgs {
    /// What to try after the loss diverged: a smaller `--lr`, and first a
    /// smaller strength for every penalty whose step `--lr` × λ is at
    /// least 1. A step that large moves a weight by more than the weights
    /// usually measure (L1's subgradient step is lr·λ1 per weight; coupled
    /// L2 multiplies a weight by 1 − lr·λ2, which grows it once lr·λ2 > 2),
    /// so the strength, not the rate, is what to lower.
    ///
    /// `at_start`: the loss was not finite at the first step of the first
    /// epoch, which is computed before any update, so no rate or strength
    /// is to blame but the data's scale in `dtype`.
    pub fn divergence_hint(&self, at_start: bool, dtype: &str) -> String {
        if at_start {
            let mut remedies: Vec<&str> = Vec::new();
            if !self.standardize {
                remedies.push("--standardize");
            }
            if dtype != "f64" {
                remedies.push("--dtype f64");
            }
            remedies.push("rescaling the target");
            return format!(
                "the loss is not finite at the initial parameters, before any update: the data's values are too large for {dtype}; try {}",
                remedies.join(", or ")
            );
        }
        let strengths = [
            ("--l1", self.l1),
            ("--l2", self.l2),
            ("--group-l1", self.structured.group_l1),
            ("--neuron-l1", self.structured.neuron_l1),
        ];
        let strong: Vec<String> = strengths
            .iter()
            .filter(|(_, lambda)| self.lr * lambda >= 1.0)
            .map(|(option, lambda)| {
                format!(
                    "{option} (--lr × {option} = {})",
                    Shortest(self.lr * lambda)
                )
            })
            .collect();
        if strong.is_empty() {
            "try a smaller --lr".to_string()
        } else {
            format!("try a smaller {}, or a smaller --lr", strong.join(" or "))
        }
    }

    /// Checks every value and combination CLI.md calls invalid. Every range
    /// is checked whichever optimizer is chosen (an option the optimizer
    /// does not use is otherwise ignored).
    pub fn validate(&self) -> Result<(), FitError> {
        check_option(Requirement::Positive, "lr", self.lr)?;
        check_option(Requirement::HalfOpenUnit, "momentum", self.momentum)?;
        check_option(Requirement::ClosedUnit, "dampening", self.dampening)?;
        check_option(Requirement::HalfOpenUnit, "beta1", self.beta1)?;
        check_option(Requirement::HalfOpenUnit, "beta2", self.beta2)?;
        check_option(Requirement::Positive, "eps", self.eps)?;
        check_option(Requirement::NonNegative, "l1", self.l1)?;
        check_option(Requirement::NonNegative, "l2", self.l2)?;
        if self.nesterov && self.momentum == 0.0 {
            return Err(FitError::invalid(
                "--nesterov needs --momentum > 0".to_string(),
            ));
        }
        if self.nesterov && self.dampening != 0.0 {
            return Err(FitError::invalid(format!(
                "--nesterov needs --dampening 0, got {}",
                Shortest(self.dampening)
            )));
        }
        if self.epochs == 0 {
            return Err(FitError::invalid("--epochs must be at least 1".to_string()));
        }
        limits::check("--epochs", self.epochs as u64, MAX_EPOCHS)?;
        limits::check_widths("--hidden", &self.hidden)?;
        self.training_loop.validate()?;
        self.structured.validate(&self.hidden)?;
        if let Some(position) = self.hidden.iter().position(|&width| width == 0) {
            return Err(FitError::invalid(format!(
                "--hidden: layer {} has width 0; every hidden width must be at least 1",
                position + 1
            )));
        }
        Ok(())
    }

    /// The files `fit` reads and writes, with the options naming them (for
    /// [`check_files`](crate::cli::check_files)).
    pub fn files(&self) -> [Vec<(&'static str, &Path)>; 2] {
        let inputs = [("--data", Some(&self.data)), ("--init", self.init.as_ref())];
        let outputs = [
            ("--out", self.out.as_ref()),
            ("--metrics", self.metrics.as_ref()),
        ];
        [inputs.to_vec(), outputs.to_vec()].map(|files| {
            files
                .into_iter()
                .filter_map(|(role, path)| path.map(|p| (role, p.as_path())))
                .collect()
        })
    }
}

/// Apply a model file to a CSV file (see CLI.md).
#[derive(Clone, Debug, Parser)]
#[command(name = "predict", version, allow_negative_numbers = true)]
pub struct PredictArgs {
    /// The model file `fit` wrote.
    #[arg(long)]
    pub model: PathBuf,
    /// CSV file holding (at least) the model's feature columns.
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write the predictions (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
}
