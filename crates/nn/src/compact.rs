//! Compaction: the smaller network that computes what an [`Mlp`] computes,
//! without the inputs and neurons its penalties zeroed.
//!
//! For linear layers l = 1..L with weight W_l [out, in] and bias b_l, and
//! elementwise activations between them, repeated until nothing changes:
//!
//! 1. an input feature j whose column W₁[:, j] is all exactly 0 never
//!    reaches the output: drop the column (and the feature);
//! 2. a hidden neuron i of layer l whose outgoing column W_{l+1}[:, i] is
//!    all exactly 0 never reaches the output: drop it (its row of W_l, its
//!    entry of b_l, its column of W_{l+1});
//! 3. a hidden neuron i whose incoming row W_l[i, :] is all exactly 0
//!    outputs the constant a = act(b_l,i) whatever the input. Its share of
//!    the next layer, W_{l+1}[:, i]·a, is the same for every input, so it
//!    moves into the next bias and the neuron goes:
//!
//!    ```text
//!    b_{l+1} ← b_{l+1} + W_{l+1}[:, i]·act(b_l,i)
//!    ```
//!
//! Dropping a neuron empties columns and rows elsewhere (a feature whose
//! only users were dropped neurons, a neuron fed only by dropped features),
//! hence the repetition to a fixed point. Every removed term was an exact
//! 0 or an exact constant, so the compacted network computes the same
//! function; its outputs differ only by the rounding of the folded biases
//! and of sums taken over fewer terms.
//!
//! When no feature survives, the network is a constant c. A network
//! needs an input, so the result is then one linear layer on the first
//! original feature with weight 0 and bias c ([`Compacted::features`] says
//! which input that is).

use ndarray::{Array1, Array2, Axis, Ix1, Ix2};
use sparsegrad_autograd::{Float, Tensor, no_grad};

use crate::activation::Activation;
use crate::linear::Linear;
use crate::mlp::{Mlp, MlpLayer};
use crate::module::Module;

/// The widths of a network: what compaction changes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NetworkSize {
    /// Σ numel over every weight and bias.
    pub parameters: usize,
    /// The number of input features.
    pub features: usize,
    /// The width of each hidden layer (every linear layer but the last).
    pub neurons: Vec<usize>,
}

impl NetworkSize {
    /// The size of `mlp`.
    pub fn of<T: Float>(mlp: &Mlp<T>) -> Self {
        let widths: Vec<usize> = mlp.linear_layers().map(Linear::out_features).collect();
        Self {
            parameters: mlp.named_parameters().iter().map(|(_, p)| p.numel()).sum(),
            features: mlp.in_features(),
            neurons: widths[..widths.len() - 1].to_vec(),
        }
    }
}

/// What [`compact`] returns.
pub struct Compacted<T: Float> {
    /// The smaller network.
    pub mlp: Mlp<T>,
    /// The original indices of its input features, ascending: the file
    /// layer keeps these features' names and standardization.
    pub features: Vec<usize>,
}

/// One linear layer and the activations applied after it.
struct Stage<T> {
    weight: Array2<T>,
    bias: Array1<T>,
    activations: Vec<Activation>,
}

/// The compacted copy of `mlp` (see the [module docs](self)); `mlp` is
/// not changed. A linear layer without a bias gets one when a constant is
/// folded into it, and keeps none otherwise.
pub fn compact<T: Float>(mlp: &Mlp<T>) -> Compacted<T> {
    let (leading, mut stages, had_bias) = split(mlp);
    let mut features: Vec<usize> = (0..mlp.in_features()).collect();
    loop {
        let mut changed = false;
        // 1. inputs with an all-zero column of W₁
        let used = nonzero_columns(&stages[0].weight);
        if used.len() < features.len() {
            features = used.iter().map(|&j| features[j]).collect();
            stages[0].weight = stages[0].weight.select(Axis(1), &used);
            changed = true;
        }
        for l in 0..stages.len() - 1 {
            let (left, right) = stages.split_at_mut(l + 1);
            changed |= fold_constant_neurons(&mut left[l], &mut right[0]);
            changed |= drop_unused_neurons(&mut left[l], &mut right[0]);
        }
        if !changed {
            break;
        }
    }
    if features.is_empty() {
        // A constant network: every stage but the last has width 0, and
        // the last one's bias holds the constant.
        let last = stages.pop().expect("an Mlp has a linear layer");
        let outputs = last.bias.len();
        stages = vec![Stage {
            weight: Array2::zeros((outputs, 1)),
            ..last
        }];
        features = vec![0];
    }
    let mut layers: Vec<MlpLayer<T>> = leading.into_iter().map(MlpLayer::Activation).collect();
    let n_stages = stages.len();
    for (l, stage) in stages.into_iter().enumerate() {
        // A bias that was absent and is still all 0 stays absent.
        let keep_bias =
            had_bias[l + had_bias.len() - n_stages] || stage.bias.iter().any(|&b| b != T::zero());
        let linear = Linear::from_arrays(stage.weight, keep_bias.then_some(stage.bias))
            .expect("the bias has one entry per row");
        layers.push(MlpLayer::Linear(linear));
        layers.extend(stage.activations.into_iter().map(MlpLayer::Activation));
    }
    Compacted {
        mlp: Mlp::from_layers(layers).expect("compaction keeps consecutive widths equal"),
        features,
    }
}

/// The activations before the first linear layer, the stages, and whether
/// each linear layer had a bias.
fn split<T: Float>(mlp: &Mlp<T>) -> (Vec<Activation>, Vec<Stage<T>>, Vec<bool>) {
    let mut leading = Vec::new();
    let mut stages: Vec<Stage<T>> = Vec::new();
    let mut had_bias = Vec::new();
    for layer in mlp.layers() {
        match layer {
            MlpLayer::Linear(linear) => {
                let weight = linear
                    .weight()
                    .to_array()
                    .into_dimensionality::<Ix2>()
                    .expect("a linear layer's weight is 2-D");
                let bias = match linear.bias() {
                    Some(b) => b
                        .to_array()
                        .into_dimensionality::<Ix1>()
                        .expect("a linear layer's bias is 1-D"),
                    None => Array1::zeros(linear.out_features()),
                };
                had_bias.push(linear.bias().is_some());
                stages.push(Stage {
                    weight,
                    bias,
                    activations: Vec::new(),
                });
            }
            MlpLayer::Activation(activation) => match stages.last_mut() {
                Some(stage) => stage.activations.push(*activation),
                None => leading.push(*activation),
            },
        }
    }
    (leading, stages, had_bias)
}

/// The indices of the columns of `w` that are not all exactly 0.
fn nonzero_columns<T: Float>(w: &Array2<T>) -> Vec<usize> {
    (0..w.ncols())
        .filter(|&j| w.column(j).iter().any(|&x| x != T::zero()))
        .collect()
}

/// Step 3 for the neurons of `stage`, whose outputs feed `next`: every
/// neuron with an all-zero incoming row is folded into `next`'s bias and
/// removed. Returns whether one was.
fn fold_constant_neurons<T: Float>(stage: &mut Stage<T>, next: &mut Stage<T>) -> bool {
    let constant: Vec<usize> = (0..stage.weight.nrows())
        .filter(|&i| stage.weight.row(i).iter().all(|&x| x == T::zero()))
        .collect();
    if constant.is_empty() {
        return false;
    }
    // a = act(b) through the same ops the forward pass applies, so the
    // folded value is the one the neuron output.
    let a = no_grad(|| {
        let b = Tensor::new(stage.bias.clone());
        stage
            .activations
            .iter()
            .fold(b, |h, act| Module::<T>::forward(act, &h))
            .to_array()
    });
    for &i in &constant {
        // b_{l+1} ← b_{l+1} + W_{l+1}[:, i]·a_i
        let a_i = a[i];
        for (b, &w) in next.bias.iter_mut().zip(next.weight.column(i)) {
            *b += w * a_i;
        }
    }
    // `constant` is ascending: a search, not a scan, per neuron (a scan
    // made a layer of millions of neurons take minutes)
    let keep: Vec<usize> = (0..stage.weight.nrows())
        .filter(|i| constant.binary_search(i).is_err())
        .collect();
    remove_neurons(stage, next, &keep);
    true
}

/// Step 2: removes the neurons of `stage` whose column in `next` is all 0.
/// Returns whether one was.
fn drop_unused_neurons<T: Float>(stage: &mut Stage<T>, next: &mut Stage<T>) -> bool {
    let keep = nonzero_columns(&next.weight);
    if keep.len() == stage.weight.nrows() {
        return false;
    }
    remove_neurons(stage, next, &keep);
    true
}

/// Keeps only the neurons `keep` of `stage`: its rows of W and b, and the
/// matching columns of `next`'s weight.
fn remove_neurons<T: Float>(stage: &mut Stage<T>, next: &mut Stage<T>, keep: &[usize]) {
    stage.weight = stage.weight.select(Axis(0), keep);
    stage.bias = stage.bias.select(Axis(0), keep);
    next.weight = next.weight.select(Axis(1), keep);
}
