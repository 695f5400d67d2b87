//! What the study records about one fitted network: how many of its
//! weights are exactly zero, and what is left of it after compaction
//! (which input features and hidden neurons survive, and how many
//! parameters).

use ndarray::{ArrayView2, Ix2};
use serde::{Deserialize, Serialize};
use sparsegrad::nn::mlp::Mlp;

/// The sparsity of a network's weights and the size of its compacted form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkSparsity {
    /// Exact zeros among all weights (biases left out: they are never
    /// penalized), as a fraction.
    pub exact_zero_fraction: f64,
    /// The input features the compacted network still reads, in order.
    pub features_kept: Vec<usize>,
    /// Per hidden layer, the neurons the compacted network keeps.
    pub neurons_kept: Vec<usize>,
    /// Weights and biases of the compacted network.
    pub params_after_compaction: usize,
}

impl NetworkSparsity {
    /// Measures `model`.
    pub fn measure(model: &Mlp<f32>) -> Self {
        let values: Vec<_> = model.linear_layers().map(|l| l.weight().value()).collect();
        let weights: Vec<ArrayView2<f32>> = values
            .iter()
            .map(|v| {
                v.view()
                    .into_dimensionality::<Ix2>()
                    .expect("a linear layer's weight is 2-dimensional")
            })
            .collect();
        let total: usize = weights.iter().map(|w| w.len()).sum();
        let zeros: usize = weights
            .iter()
            .map(|w| w.iter().filter(|&&x| x == 0.0).count())
            .sum();
        let alive = surviving_units(&weights);
        let features_kept = indices(&alive[0]);
        let counts: Vec<usize> = alive
            .iter()
            .map(|mask| mask.iter().filter(|&&a| a).count())
            .collect();
        let params_after_compaction = counts.windows(2).map(|pair| pair[1] * (pair[0] + 1)).sum();
        NetworkSparsity {
            exact_zero_fraction: zeros as f64 / total.max(1) as f64,
            features_kept,
            neurons_kept: counts[1..counts.len() - 1].to_vec(),
            params_after_compaction,
        }
    }
}

/// The indices where `mask` is true.
fn indices(mask: &[bool]) -> Vec<usize> {
    (0..mask.len()).filter(|&i| mask[i]).collect()
}

/// Which units survive compaction, per layer of units: `[inputs, hidden…,
/// outputs]`, for the weights `W_l [out, in]` of the linear layers.
///
/// The rules of `compact` (CLI.md), repeated until nothing changes:
/// - a unit whose outgoing weights (its column of the next weight, over
///   the next layer's surviving units) are all exactly 0 is dropped: an
///   input feature nobody reads, a neuron nobody listens to;
/// - a hidden neuron whose incoming weights (its row, over the previous
///   layer's surviving units) are all exactly 0 outputs the constant
///   act(b): it is folded into the next layer's bias and dropped.
///
/// The outputs always stay. Dropping a unit can empty a row or a column
/// of a neighbouring layer, hence the repetition.
fn surviving_units(weights: &[ArrayView2<f32>]) -> Vec<Vec<bool>> {
    let mut alive: Vec<Vec<bool>> = std::iter::once(weights[0].ncols())
        .chain(weights.iter().map(|w| w.nrows()))
        .map(|n| vec![true; n])
        .collect();
    let last = alive.len() - 1;
    let mut changed = true;
    while changed {
        changed = false;
        for (l, w) in weights.iter().enumerate() {
            // w maps the units of layer l to those of layer l + 1.
            for j in 0..w.ncols() {
                if alive[l][j] && (0..w.nrows()).all(|i| !alive[l + 1][i] || w[[i, j]] == 0.0) {
                    alive[l][j] = false;
                    changed = true;
                }
            }
            if l + 1 == last {
                continue;
            }
            for i in 0..w.nrows() {
                if alive[l + 1][i] && (0..w.ncols()).all(|j| !alive[l][j] || w[[i, j]] == 0.0) {
                    alive[l + 1][i] = false;
                    changed = true;
                }
            }
        }
    }
    alive
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn compaction_drops_unread_inputs_silent_neurons_and_constant_ones() {
        // 3 inputs → 3 hidden → 1 output.
        // input 2 is read by nobody; hidden 1 has no outgoing weight;
        // hidden 2 reads only input 1, which only hidden 2 reads: when
        // hidden 2 goes (its outgoing weight is 0) input 1 goes too.
        let w1 = array![[1.0f32, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 3.0, 0.0]];
        let w2 = array![[4.0f32, 0.0, 0.0]];
        let alive = surviving_units(&[w1.view(), w2.view()]);
        assert_eq!(alive[0], [true, false, false]);
        assert_eq!(alive[1], [true, false, false]);
        assert_eq!(alive[2], [true]);
    }

    #[test]
    fn a_neuron_with_no_input_left_is_folded() {
        // hidden 1 reads only input 1, whose column is zero elsewhere; but
        // here input 1 is read by hidden 1 alone, and hidden 1's row over
        // the surviving inputs is [0, w]: it survives. Zero its weight and
        // it becomes a constant (folded), and input 1 then has no reader.
        let w1 = array![[1.0f32, 0.0], [0.0, 0.0]];
        let w2 = array![[1.0f32, 5.0]];
        let alive = surviving_units(&[w1.view(), w2.view()]);
        assert_eq!(alive[0], [true, false]);
        assert_eq!(alive[1], [true, false]);
    }
}
