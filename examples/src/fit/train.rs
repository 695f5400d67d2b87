//! The work of `fit` in one dtype: the model (random or `--init`), the
//! optimizer and its groups, the shared training loop, and the two files.

use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad::autograd::Float;
use sparsegrad::io::model_file::ModelFile;
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::data::{Dataset, Standardizer, Targets};
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::{
    Adam, AdamConfig, GroupOptions, GroupRules, Optimizer, ParamGroup, Sgd, SgdConfig,
};
use sparsegrad::nn::regularize::Penalty;
use sparsegrad::nn::train::{TrainOptions, evaluate_loss, penalty_total, train};

use super::args::{ActivationArg, FitArgs, OptimizerArg, PenalizeArg};
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
            Mlp::<T>::new(&sizes, activation(args.activation), &mut rng)
        }
    };
    let data = cast_finite::<T>(data)?;
    let mut optimizer = optimizer(args, &model)?;

    let progress = Progress::new(args.quiet);
    let bar = progress.bar(args.epochs as u64, "fit", "epochs");
    let options = TrainOptions {
        epochs: args.epochs,
        batch_size: args.batch_size,
        shuffle: !args.no_shuffle,
    };
    let start = Instant::now();
    let train_loss = train(
        &model,
        &mut *optimizer,
        &data,
        options,
        &mut rng,
        |_, loss| {
            bar.set_message(format!("loss {loss:.6}"));
            bar.inc(1);
        },
    )?;
    let seconds = start.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let final_train_loss = evaluate_loss(&model, &data);
    if !final_train_loss.is_finite() {
        return Err(FitError::DivergedAtEnd {
            epoch: args.epochs,
            value: final_train_loss,
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
        sparsity: measure_sparsity(&model, data.feature_names()),
    };
    Ok(Trained {
        model_file: model_file.to_json_bytes(),
        metrics,
    })
}

/// `data` in dtype `T`, or the error naming the first value (row-major)
/// that becomes infinite there: only f64 → f32 can overflow.
fn cast_finite<T: Float>(data: &Dataset<f64>) -> Result<Dataset<T>, FitError> {
    let cast = data.cast::<T>();
    let out_of_range = |row: usize, column: String, value: f64| FitError::OutOfRange {
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
            ));
        }
    }
    Ok(cast)
}

/// The nn activation of `--activation`.
fn activation(activation: ActivationArg) -> Activation {
    match activation {
        ActivationArg::Relu => Activation::Relu,
        ActivationArg::Tanh => Activation::Tanh,
        ActivationArg::Sigmoid => Activation::Sigmoid,
    }
}

/// The optimizer the options ask for, over `model`'s parameters in groups:
/// with `--penalize weights`, the biases form a group without a penalty
/// and everything else gets the options' penalty.
fn optimizer<T: Float>(args: &FitArgs, model: &Mlp<T>) -> Result<Box<dyn Optimizer<T>>, FitError> {
    let penalty = Penalty {
        l1: args.l1,
        l1_mode: args.l1_mode.into(),
        l2: args.l2,
        decoupled: args.decoupled,
    };
    let params = model.named_parameters();
    let groups = match args.penalize {
        PenalizeArg::Weights => GroupRules::new()
            .rule(
                |name| name.ends_with(".bias"),
                GroupOptions::with_penalty(Penalty::default()),
            )
            .build(params),
        PenalizeArg::All => vec![ParamGroup::new(params)],
    };
    let adam = AdamConfig {
        lr: args.lr,
        betas: (args.beta1, args.beta2),
        eps: args.eps,
        penalty,
    };
    Ok(match args.optimizer {
        OptimizerArg::Sgd => Box::new(Sgd::new(
            groups,
            SgdConfig {
                lr: args.lr,
                momentum: args.momentum,
                dampening: args.dampening,
                nesterov: args.nesterov,
                penalty,
            },
        )?),
        OptimizerArg::Adam => Box::new(Adam::new(groups, adam)?),
        OptimizerArg::Adamw => Box::new(Adam::adamw(groups, adam)?),
    })
}
