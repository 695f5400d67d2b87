//! The work of `fit` in one dtype: the model (random or `--init`), the
//! optimizer and its groups, the shared training loop, and the two files.

use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad::autograd::Float;
use sparsegrad::io::model_file::{ModelFile, ModelFormat};
use sparsegrad::nn::data::{Dataset, Standardizer, Targets};
use sparsegrad::nn::group_lasso::Groups;
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::{
    Adam, AdamConfig, GroupRules, Momentum, Optimizer, Select, Sgd, SgdConfig,
};
use sparsegrad::nn::regularize::{L2Mode, Penalty};
use sparsegrad::nn::train::{TrainOptions, evaluate_loss, penalty_total, train};

use super::args::{FitArgs, OptimizerArg, PenalizeArg};
use super::error::FitError;
use super::init::{check_init, load_init};
use super::metrics::{Metrics, measure_sparsity};
use crate::progress::Progress;

/// What a run produces: the model file and the metrics.
pub(super) struct Trained {
    /// The model file's contents.
    pub(super) model_file: Vec<u8>,
    /// The metrics.
    pub(super) metrics: Metrics,
}

/// Trains in dtype `T` on `data` (read in f64, standardized by the
/// caller when `standardizer` is given) and returns the two files.
pub(super) fn fit_in<T: Float>(
    args: &FitArgs,
    data: &Dataset<f64>,
    standardizer: Option<Standardizer>,
) -> Result<Trained, FitError> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let model = match &args.init {
        Some(path) => {
            let init = load_init::<T>(path)?;
            check_init(path, &init, args, data)?;
            init.to_mlp()
        }
        None => {
            let outputs = match data.targets().num_classes() {
                None => 1,
                Some(k) if k < 2 => {
                    return Err(FitError::OneClass {
                        target: data.target_name().to_string(),
                    });
                }
                Some(k) => k,
            };
            let sizes: Vec<usize> = std::iter::once(data.n_features())
                .chain(args.hidden.iter().copied())
                .chain(std::iter::once(outputs))
                .collect();
            sparsegrad::io::limits::check_mlp(&sizes)?;
            Mlp::<T>::new(&sizes, args.activation.into(), &mut rng)
        }
    };
    // a step's activations are batch rows × width (--batch-size 0: every row)
    let batch_rows = if args.batch_size == 0 {
        data.len()
    } else {
        args.batch_size.min(data.len())
    };
    let widest = model
        .linear_layers()
        .map(|l| l.out_features())
        .max()
        .unwrap_or(0);
    sparsegrad::io::limits::check_size(
        "a step's activations (--batch-size rows × the widest layer)",
        sparsegrad::io::limits::Size::product(batch_rows as u128, widest as u128),
        sparsegrad::io::limits::MAX_VALUES,
    )?;
    let data = cast_finite::<T>(data)?;
    let mut optimizer = optimizer(args, &model, data.feature_names())?;

    let progress = Progress::new(args.quiet);
    let bar = progress.bar(args.epochs as u64, "fit", "epochs");
    let options = TrainOptions {
        epochs: args.epochs,
        batch_size: args.batch_size,
        shuffle: !args.no_shuffle,
        schedule: args.training_loop.schedule(args.epochs),
        clip: args.training_loop.clip(),
    };
    let start = Instant::now();
    let train_loss = train(&model, &mut *optimizer, &data, options, &mut rng, |end| {
        bar.set_message(format!("loss {:.6}", end.loss));
        bar.inc(1);
    })
    .map_err(|cause| {
        let hint = args.divergence_hint(cause.epoch == 1 && cause.step == 1, T::NAME);
        FitError::Diverged { cause, hint }
    })?;
    let seconds = start.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let final_train_loss = evaluate_loss(&model, &data);
    if !final_train_loss.is_finite() {
        return Err(FitError::DivergedAtEnd {
            epoch: args.epochs,
            value: final_train_loss,
            hint: args.divergence_hint(false, T::NAME),
        });
    }
    let model_file = ModelFile::from_mlp(
        &model,
        data.task(),
        data.feature_names().to_vec(),
        data.target_name().to_string(),
        standardizer,
    )?;
    let metrics = Metrics {
        epochs: args.epochs,
        train_loss,
        final_train_loss,
        final_objective: final_train_loss + penalty_total(&*optimizer),
        seconds,
        sparsity: measure_sparsity(
            &model,
            data.feature_names(),
            &args
                .structured
                .feature_groups(data.feature_names(), model.first_layer_weight().shape()[0])?,
        ),
    };
    Ok(Trained {
        // In the format --out's extension names (JSON without --out).
        model_file: model_file
            .to_bytes(
                args.out
                    .as_deref()
                    .map_or(ModelFormat::Json, ModelFormat::of_path),
            )
            .map_err(FitError::Encode)?,
        metrics,
    })
}

/// `data` in dtype `T`, or the error naming the first value (row-major)
/// that becomes infinite there: only f64 → f32 can overflow.
fn cast_finite<T: Float>(data: &Dataset<f64>) -> Result<Dataset<T>, FitError> {
    let cast = data.cast::<T>();
    let out_of_range = |row: usize, column: String, value: f64, hint| FitError::OutOfRange {
        hint,
        row: row + 1,
        column,
        value,
        dtype: T::NAME,
    };
    if let Some(((row, column), _)) = cast.features().indexed_iter().find(|(_, x)| !x.is_finite()) {
        let value = data.features()[[row, column]];
        return Err(out_of_range(
            row,
            data.feature_names()[column].clone(),
            value,
            "use --dtype f64 or --standardize",
        ));
    }
    if let (Targets::Regression(values), Targets::Regression(cast_values)) =
        (data.targets(), cast.targets())
    {
        if let Some(row) = cast_values.iter().position(|y| !y.is_finite()) {
            return Err(out_of_range(
                row,
                data.target_name().to_string(),
                values[[row, 0]],
                "use --dtype f64 or rescale the target (--standardize z-scores the features only)",
            ));
        }
    }
    Ok(cast)
}

/// The optimizer the options ask for, over `model`'s parameters: the
/// options' penalty on the weights (`--penalize weights`, the biases
/// unpenalized) or on every parameter (`--penalize all`).
fn optimizer<T: Float>(
    args: &FitArgs,
    model: &Mlp<T>,
    feature_names: &[String],
) -> Result<Box<dyn Optimizer<T>>, FitError> {
    let selected = match args.penalize {
        PenalizeArg::Weights => Select::Weights,
        PenalizeArg::All => Select::All,
    };
    let mut rules = GroupRules::new();
    for (layer, penalty) in structured_penalties(args, model, feature_names)? {
        rules = rules.rule(Select::Layer(layer), penalty);
    }
    let rules = rules.rule(selected, penalty(args));
    let params = model.named_parameters();
    Ok(match args.optimizer {
        OptimizerArg::Sgd => Box::new(Sgd::new(
            rules.build(params),
            SgdConfig {
                lr: args.lr,
                momentum: momentum(args),
                penalty: Penalty::none(),
            },
        )?),
        OptimizerArg::Adam | OptimizerArg::Adamw => Box::new(Adam::new(
            rules.build(params),
            AdamConfig {
                lr: args.lr,
                betas: (args.beta1, args.beta2),
                eps: args.eps,
                penalty: Penalty::none(),
            },
        )?),
    })
}

/// `--l1`, `--l1-mode`, `--l2` and `--decoupled` as a penalty; AdamW is
/// Adam with decoupled L2.
fn penalty(args: &FitArgs) -> Penalty {
    let l2_mode = if args.decoupled || args.optimizer == OptimizerArg::Adamw {
        L2Mode::Decoupled
    } else {
        L2Mode::Coupled
    };
    Penalty::none()
        .with_l1(args.l1, args.l1_mode.into())
        .with_l2(args.l2, l2_mode)
}

/// The weights whose penalty the structured options change, by linear
/// layer: W₁ gets the penalty factors (`--penalty-factor`) and the group
/// lasso by feature group (`--group-l1`, `--feature-groups`); each W_{l+1}
/// after a hidden layer gets the group lasso on its columns, the hidden
/// neurons' outgoing weights (`--neuron-l1`). Each keeps the options'
/// L1/L2 penalty ([`penalty`]) beside its structured terms.
fn structured_penalties<T: Float>(
    args: &FitArgs,
    model: &Mlp<T>,
    feature_names: &[String],
) -> Result<Vec<(usize, Penalty)>, FitError> {
    let structured = &args.structured;
    let mut penalties = Vec::new();
    let hidden_of_w1 = model.first_layer_weight().shape()[0];
    let groups = structured.feature_groups(feature_names, hidden_of_w1)?;
    let factors = structured.factors(feature_names)?;
    if structured.group_l1 != 0.0 || factors.is_some() {
        let mut w1 = penalty(args);
        if structured.group_l1 != 0.0 {
            w1 = w1.and(Penalty::group_lasso(structured.group_l1, groups));
        }
        if let Some(factors) = factors {
            w1 = w1.with_factors(factors);
        }
        penalties.push((0, w1));
    }
    if structured.neuron_l1 != 0.0 {
        for (layer, next) in model.linear_layers().enumerate().skip(1) {
            let [rows, cols] = [next.out_features(), next.in_features()];
            let neurons =
                Penalty::group_lasso(structured.neuron_l1, Groups::each_column(rows, cols));
            match penalties.iter_mut().find(|(l, _)| *l == layer) {
                Some((_, existing)) => *existing = existing.clone().and(neurons),
                None => penalties.push((layer, penalty(args).and(neurons))),
            }
        }
    }
    Ok(penalties)
}

/// `--momentum`, `--dampening` and `--nesterov` (checked by
/// [`FitArgs::validate`](super::args::FitArgs::validate)) as SGD's momentum.
fn momentum(args: &FitArgs) -> Momentum {
    if args.nesterov {
        Momentum::nesterov(args.momentum)
    } else {
        Momentum::Classic {
            momentum: args.momentum,
            dampening: args.dampening,
        }
    }
}
