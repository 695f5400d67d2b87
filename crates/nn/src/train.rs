//! The training loop: epochs of mini-batches from any
//! [`BatchSource`] through a model, the task's loss, optional gradient
//! clipping, an optimizer step, a learning-rate schedule between epochs, a
//! per-epoch callback that may stop the run, and a typed error when the
//! loss stops being a number.
//!
//! ```
//! use rand::{SeedableRng, rngs::StdRng};
//! use sparsegrad_autograd::ndarray::{Array2, array};
//! use sparsegrad_nn::activation::Activation;
//! use sparsegrad_nn::data::{Examples, Targets};
//! use sparsegrad_nn::mlp::Mlp;
//! use sparsegrad_nn::module::Module;
//! use sparsegrad_nn::optim::{ParamGroup, Sgd, SgdConfig};
//! use sparsegrad_nn::train::{Control, TrainOptions, train};
//!
//! // y = 2x on four points, plain arrays
//! let x = array![[0.0f32], [1.0], [2.0], [3.0]];
//! let y = Targets::Regression(&x * 2.0);
//! let mut rng = StdRng::seed_from_u64(0);
//! let model = Mlp::<f32>::new(&[1, 1], Activation::Identity, &mut rng);
//! let config = SgdConfig { lr: 0.05, ..SgdConfig::default() };
//! let mut sgd = Sgd::new(vec![ParamGroup::new(model.named_parameters())], config).unwrap();
//! let options = TrainOptions { epochs: 1000, ..TrainOptions::default() };
//! // early stopping: stop once the epoch's loss is below 1e-4
//! let losses = train(&model, &mut sgd, &Examples::new(x.view(), &y), options, &mut rng, |end| {
//!     if end.loss < 1e-4 { Control::Stop } else { Control::Continue }
//! })
//! .unwrap();
//! assert!(losses.len() < 1000 && *losses.last().unwrap() < 1e-4);
//! ```

use rand::Rng;
use sparsegrad_autograd::{Float, Reduction, Tensor, no_grad};
use thiserror::Error;

use crate::clip::Clip;
use crate::data::{Batch, BatchSource, Dataset, MiniBatches, Targets};
use crate::module::Module;
use crate::optim::Optimizer;
use crate::regularize::penalty_value;
use crate::schedule::Schedule;

/// How [`train`] goes over the data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainOptions {
    /// The most passes over the data (the callback may stop sooner).
    pub epochs: usize,
    /// Samples per step; 0 (or more than the data has) means the whole data
    /// set, one step an epoch. The last batch of an epoch may be shorter.
    pub batch_size: usize,
    /// Visit the samples in a fresh random order each epoch (drawn from the
    /// caller's RNG), or in their order.
    pub shuffle: bool,
    /// The learning rate of epoch e (from 0) is `schedule.lr(lr₀, e)` for
    /// each group, lr₀ its learning rate when training starts (torch's
    /// `scheduler.step()` after each epoch). [`Schedule::Constant`] leaves
    /// the rates alone.
    pub schedule: Schedule,
    /// The clipping of every step, over all of the optimizer's parameters.
    pub clip: Clip,
}

impl Default for TrainOptions {
    /// One full-batch epoch in order, constant learning rate, no clipping.
    fn default() -> Self {
        Self {
            epochs: 1,
            batch_size: 0,
            shuffle: false,
            schedule: Schedule::Constant,
            clip: Clip::None,
        }
    }
}

/// What the per-epoch callback of [`train`] learns after each epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochEnd {
    /// The epoch just done, counted from 1.
    pub epoch: usize,
    /// The unweighted mean of its batch losses, each taken before its
    /// step's update.
    pub loss: f64,
}

/// The callback's answer: go on with the next epoch, or stop here (early
/// stopping, a time budget). A callback returning `()` always continues.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Control {
    /// Run the next epoch, if any.
    #[default]
    Continue,
    /// Stop after this epoch.
    Stop,
}

impl From<()> for Control {
    fn from((): ()) -> Self {
        Control::Continue
    }
}

/// The loss became NaN or infinite: training cannot go on.
#[derive(Clone, Debug, Error, PartialEq)]
#[error("loss became {value} at epoch {epoch}, step {step}")]
pub struct Diverged {
    /// The epoch, counted from 1.
    pub epoch: usize,
    /// The step within that epoch, counted from 1.
    pub step: usize,
    /// The loss (NaN or ±∞).
    pub value: f64,
}

/// The data loss of a model's `output` for `targets`: mean squared error
/// (the plain mean, no ½) for regression, softmax cross-entropy averaged
/// over the samples for classification.
///
/// # Panics
/// When the output's shape does not fit the targets (see
/// [`Tensor::mse_loss`] and [`Tensor::cross_entropy`]).
pub fn data_loss<T: Float>(output: &Tensor<T>, targets: &Targets<T>) -> Tensor<T> {
    match targets {
        Targets::Regression(values) => {
            output.mse_loss(&Tensor::new(values.clone()), Reduction::Mean)
        }
        Targets::Classification(labels) => output.cross_entropy(labels, Reduction::Mean),
    }
}

/// Trains `model` with `optimizer` on `data` (a [`Dataset`], plain
/// arrays as [`Examples`](crate::data::Examples), or any [`BatchSource`]).
/// Each epoch e (from 0) first sets every group's learning rate from
/// `options.schedule`; each of its steps is a [`train_step`] on one
/// mini-batch with `options.clip`, and stops the run with [`Diverged`] if
/// the loss is not finite. After each epoch `on_epoch` gets an [`EpochEnd`]
/// and may answer [`Control::Stop`].
///
/// Returns the mean batch loss of each epoch run.
///
/// # Panics
/// When `data` is empty, or a schedule or clip bound is invalid (see
/// [`Schedule::lr`] and [`Clip::apply`]).
pub fn train<T, M, O, R, C>(
    model: &M,
    optimizer: &mut O,
    data: &(impl BatchSource<T> + ?Sized),
    options: TrainOptions,
    rng: &mut R,
    mut on_epoch: impl FnMut(EpochEnd) -> C,
) -> Result<Vec<f64>, Diverged>
where
    T: Float,
    M: Module<T> + ?Sized,
    O: Optimizer<T> + ?Sized,
    R: Rng + ?Sized,
    C: Into<Control>,
{
    assert!(!data.is_empty(), "train: the data set has no samples");
    let mut batches = MiniBatches::new(data.len(), options.batch_size);
    // Without shuffling every epoch cuts the same batches: gather them into
    // tensors once, instead of copying the rows at every step.
    let fixed: Vec<(Tensor<T>, Targets<T>)> = if options.shuffle {
        Vec::new()
    } else {
        batches
            .in_order()
            .map(|indices| batch_tensors(data, indices, &mut Batch::default()))
            .collect()
    };
    let base_lrs: Vec<f64> = optimizer.groups().iter().map(|g| g.lr()).collect();
    let mut batch = Batch::default();
    let mut history = Vec::with_capacity(options.epochs);
    for epoch in 1..=options.epochs {
        if options.schedule != Schedule::Constant {
            for (group, &base) in base_lrs.iter().enumerate() {
                optimizer.set_lr(group, options.schedule.lr(base, epoch - 1));
            }
        }
        let (mut sum, mut steps) = (0.0, 0);
        let mut step = |x: &Tensor<T>, targets: &Targets<T>| {
            let value = train_step(model, optimizer, x, targets, options.clip);
            if !value.is_finite() {
                return Err(Diverged {
                    epoch,
                    step: steps + 1,
                    value,
                });
            }
            sum += value;
            steps += 1;
            Ok(())
        };
        if options.shuffle {
            for indices in batches.shuffled(rng) {
                let (x, targets) = batch_tensors(data, indices, &mut batch);
                step(&x, &targets)?;
            }
        } else {
            for (x, targets) in &fixed {
                step(x, targets)?;
            }
        }
        let loss = sum / steps as f64;
        history.push(loss);
        if on_epoch(EpochEnd { epoch, loss }).into() == Control::Stop {
            break;
        }
    }
    Ok(history)
}

/// One training step on one batch, as [`train`] takes it: zero the
/// gradients, forward, the [`data_loss`], backward, `clip` over every
/// parameter of the optimizer, the optimizer's step.
/// Returns the loss before the update; when it is not finite (NaN or ±∞)
/// the step stops there, before backward: the parameters are left as they
/// were, their gradients cleared.
///
/// For loops of your own (a fixed batch, a schedule between steps):
///
/// ```
/// use rand::{SeedableRng, rngs::StdRng};
/// use sparsegrad_autograd::{Tensor, ndarray::array};
/// use sparsegrad_nn::activation::Activation;
/// use sparsegrad_nn::clip::Clip;
/// use sparsegrad_nn::data::Targets;
/// use sparsegrad_nn::mlp::Mlp;
/// use sparsegrad_nn::module::Module;
/// use sparsegrad_nn::optim::{ParamGroup, Sgd, SgdConfig};
/// use sparsegrad_nn::train::train_step;
///
/// let model = Mlp::<f64>::new(&[1, 1], Activation::Identity, &mut StdRng::seed_from_u64(0));
/// let config = SgdConfig { lr: 0.1, ..SgdConfig::default() };
/// let mut sgd = Sgd::new(vec![ParamGroup::new(model.named_parameters())], config).unwrap();
/// let x = Tensor::new(array![[1.0], [2.0]]);
/// let y = Targets::Regression(array![[2.0], [4.0]]);
/// let first = train_step(&model, &mut sgd, &x, &y, Clip::None);
/// let second = train_step(&model, &mut sgd, &x, &y, Clip::Norm(1.0));
/// assert!(second < first);
/// ```
pub fn train_step<T, M, O>(
    model: &M,
    optimizer: &mut O,
    x: &Tensor<T>,
    targets: &Targets<T>,
    clip: Clip,
) -> f64
where
    T: Float,
    M: Module<T> + ?Sized,
    O: Optimizer<T> + ?Sized,
{
    optimizer.zero_grad();
    let loss = data_loss(&model.forward(x), targets);
    let value = loss.item().as_f64();
    if value.is_finite() {
        loss.backward();
        clip.apply(
            optimizer
                .groups()
                .iter()
                .flat_map(|group| group.params().iter().map(|(_, param)| param)),
        );
        optimizer.step();
    }
    value
}

/// The samples at `indices` as an input tensor and targets, gathered
/// through `buffer` (whose memory is reused from one call to the next).
fn batch_tensors<T: Float>(
    data: &(impl BatchSource<T> + ?Sized),
    indices: &[usize],
    buffer: &mut Batch<T>,
) -> (Tensor<T>, Targets<T>) {
    data.batch_into(indices, buffer);
    (Tensor::new(buffer.features.clone()), buffer.targets.clone())
}

/// Rows per forward pass when a whole data set is evaluated: its
/// activations are rows × width, and 200 000 rows through a layer of
/// 65 536 were 52 GB in one pass; 1 024 rows of that width are 256 MB in
/// f32. Data of at most this many rows is one pass, as before.
pub const EVAL_ROWS: usize = 1024;

/// The model's outputs for every sample of `features`, without recording
/// a graph, [`EVAL_ROWS`] rows at a time (each row's output depends on
/// that row only).
pub fn predict<T: Float, M: Module<T> + ?Sized>(
    model: &M,
    features: &ndarray::Array2<T>,
) -> ndarray::ArrayD<T> {
    let n = features.nrows();
    let parts: Vec<ndarray::ArrayD<T>> = (0..n.max(1))
        .step_by(EVAL_ROWS)
        .map(|start| {
            let rows = features.slice(ndarray::s![start..(start + EVAL_ROWS).min(n), ..]);
            no_grad(|| model.forward(&Tensor::new(rows.to_owned())).to_array())
        })
        .collect();
    match parts.as_slice() {
        [one] => one.clone(),
        _ => {
            let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
            ndarray::concatenate(ndarray::Axis(0), &views).expect("the parts share their columns")
        }
    }
}

/// The [`data_loss`] over the whole data set, without recording a graph:
/// the mean over [`EVAL_ROWS`]-row parts of their losses, each weighted by
/// its share of the rows (one part, the exact loss of one pass).
pub fn evaluate_loss<T: Float, M: Module<T> + ?Sized>(model: &M, data: &Dataset<T>) -> f64 {
    let n = data.len();
    let mut part = Batch::default();
    let mut indices = Vec::with_capacity(EVAL_ROWS.min(n));
    (0..n.max(1))
        .step_by(EVAL_ROWS)
        .map(|start| {
            let end = (start + EVAL_ROWS).min(n);
            indices.clear();
            indices.extend(start..end);
            data.batch_into(&indices, &mut part);
            let loss = no_grad(|| {
                let output = model.forward(&Tensor::new(part.features.clone()));
                data_loss(&output, &part.targets).item().as_f64()
            });
            loss * ((end - start) as f64 / n as f64)
        })
        .sum()
}

/// λ1·Σ|w| + (λ2/2)·Σw² summed over the parameters of every group of
/// `optimizer`, each with its group's penalty: what the objective adds to
/// the data loss (the same whether L2 is coupled or decoupled).
pub fn penalty_total<T: Float, O: Optimizer<T> + ?Sized>(optimizer: &O) -> f64 {
    optimizer
        .groups()
        .iter()
        .flat_map(|group| {
            group.params().iter().map(move |(_, param)| {
                let value = param.value();
                let flat = value
                    .as_slice_memory_order()
                    .expect("a tensor's value is contiguous");
                penalty_value(flat, group.penalty())
            })
        })
        .sum()
}
