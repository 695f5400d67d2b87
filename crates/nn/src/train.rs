//! The training loop every program shares: epochs of mini-batches through a
//! model, the task's loss, an optimizer step, and a typed error when the
//! loss stops being a number.
//!
//! ```
//! use rand::{SeedableRng, rngs::StdRng};
//! use sparsegrad_autograd::ndarray::{Array2, array};
//! use sparsegrad_nn::activation::Activation;
//! use sparsegrad_nn::data::{Dataset, Targets};
//! use sparsegrad_nn::mlp::Mlp;
//! use sparsegrad_nn::module::Module;
//! use sparsegrad_nn::optim::{ParamGroup, Sgd, SgdConfig};
//! use sparsegrad_nn::train::{TrainOptions, evaluate_loss, train};
//!
//! // y = 2x on four points
//! let x = array![[0.0f32], [1.0], [2.0], [3.0]];
//! let y: Array2<f32> = &x * 2.0;
//! let data = Dataset::new(x, Targets::Regression(y), vec!["x".into()], "y".into());
//! let mut rng = StdRng::seed_from_u64(0);
//! let model = Mlp::<f32>::new(&[1, 1], Activation::Identity, &mut rng);
//! let config = SgdConfig { lr: 0.05, ..SgdConfig::default() };
//! let mut sgd = Sgd::new(vec![ParamGroup::new(model.named_parameters())], config).unwrap();
//! let options = TrainOptions { epochs: 200, batch_size: 0, shuffle: false };
//! let losses = train(&model, &mut sgd, &data, options, &mut rng, |_, _| {}).unwrap();
//! assert!(losses[199] < 1e-4 && losses[199] < losses[0]);
//! assert!(evaluate_loss(&model, &data) < 1e-4);
//! ```

use rand::Rng;
use sparsegrad_autograd::{Float, Reduction, Tensor, no_grad};
use thiserror::Error;

use crate::data::{Batch, Dataset, MiniBatches, Targets};
use crate::module::Module;
use crate::optim::Optimizer;
use crate::regularize::penalty_value;

/// How [`train`] goes over the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainOptions {
    /// Passes over the data.
    pub epochs: usize,
    /// Samples per step; 0 (or more than the data has) means the whole data
    /// set, one step an epoch. The last batch of an epoch may be shorter.
    pub batch_size: usize,
    /// Visit the samples in a fresh random order each epoch (drawn from the
    /// caller's RNG), or in file order.
    pub shuffle: bool,
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

/// Trains `model` with `optimizer` on `data`. Each step zeroes the
/// gradients, computes the [`data_loss`] of one mini-batch, stops with
/// [`Diverged`] if it is not finite, and otherwise runs backward and the
/// optimizer's step (which applies the penalties of its groups).
///
/// Returns, and passes to `on_epoch` after each epoch (counted from 1),
/// the unweighted mean of that epoch's batch losses, each taken before its
/// step's update.
///
/// # Panics
/// When `data` is empty.
pub fn train<T, M, O, R>(
    model: &M,
    optimizer: &mut O,
    data: &Dataset<T>,
    options: TrainOptions,
    rng: &mut R,
    mut on_epoch: impl FnMut(usize, f64),
) -> Result<Vec<f64>, Diverged>
where
    T: Float,
    M: Module<T> + ?Sized,
    O: Optimizer<T> + ?Sized,
    R: Rng + ?Sized,
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
    let mut batch = Batch::default();
    let mut history = Vec::with_capacity(options.epochs);
    for epoch in 1..=options.epochs {
        let (mut sum, mut steps) = (0.0, 0);
        let mut step = |x: &Tensor<T>, targets: &Targets<T>| {
            let value = train_step(model, optimizer, x, targets);
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
        let mean = sum / steps as f64;
        history.push(mean);
        on_epoch(epoch, mean);
    }
    Ok(history)
}

/// One training step on one batch, as [`train`] takes it: zero the
/// gradients, forward, the [`data_loss`], backward, the optimizer's step.
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
/// let first = train_step(&model, &mut sgd, &x, &y);
/// let second = train_step(&model, &mut sgd, &x, &y);
/// assert!(second < first);
/// ```
pub fn train_step<T, M, O>(model: &M, optimizer: &mut O, x: &Tensor<T>, targets: &Targets<T>) -> f64
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
        optimizer.step();
    }
    value
}

/// The samples at `indices` as an input tensor and targets, gathered
/// through `buffer` (whose memory is reused from one call to the next).
fn batch_tensors<T: Float>(
    data: &Dataset<T>,
    indices: &[usize],
    buffer: &mut Batch<T>,
) -> (Tensor<T>, Targets<T>) {
    data.batch_into(indices, buffer);
    (Tensor::new(buffer.features.clone()), buffer.targets.clone())
}

/// The model's outputs for every sample of `features`, without recording
/// a graph.
pub fn predict<T: Float, M: Module<T> + ?Sized>(
    model: &M,
    features: &ndarray::Array2<T>,
) -> ndarray::ArrayD<T> {
    no_grad(|| model.forward(&Tensor::new(features.clone())).to_array())
}

/// The [`data_loss`] over the whole data set, without recording a graph.
pub fn evaluate_loss<T: Float, M: Module<T> + ?Sized>(model: &M, data: &Dataset<T>) -> f64 {
    no_grad(|| {
        let output = model.forward(&Tensor::new(data.features().clone()));
        data_loss(&output, data.targets()).item().as_f64()
    })
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
