//! What the page draws, computed from a session: the weights, what is
//! exactly zero, each neuron's output over the input plane, the losses and
//! a histogram of |w|. One snapshot is one server-sent event.

use ndarray::{Array2, ArrayView2, Ix2};
use serde::Serialize;
use sparsegrad::autograd::{Tensor, no_grad};
use sparsegrad::nn::data::Task;
use sparsegrad::nn::mlp::MlpLayer;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::Optimizer;
use sparsegrad::nn::sparsity::FeatureSelection;
use sparsegrad::nn::train::penalty_total;

use super::config::Config;
use super::session::Session;

/// Cells per side of each hidden neuron's heatmap.
pub const NEURON_GRID: usize = 16;
/// Cells per side of the output map (decision boundary or surface).
pub const OUTPUT_GRID: usize = 40;
/// Points kept in the loss history; when it is full every other point is
/// dropped, so the curve always spans the whole run.
pub const HISTORY_POINTS: usize = 400;
/// Bins of the |w| histogram, besides the "exactly 0" bar.
pub const HISTOGRAM_BINS: usize = 20;

/// Train and test losses over the run, thinned to at most
/// [`HISTORY_POINTS`] points.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LossHistory {
    /// The step of each point.
    pub step: Vec<u64>,
    /// The training loss at that step.
    pub train: Vec<f64>,
    /// The test loss at that step.
    pub test: Vec<f64>,
}

impl LossHistory {
    /// Adds a point, first halving the history when it is full.
    pub fn push(&mut self, step: u64, train: f64, test: f64) {
        if self.step.len() == HISTORY_POINTS {
            for column in [&mut self.train, &mut self.test] {
                let kept: Vec<f64> = column.iter().copied().step_by(2).collect();
                *column = kept;
            }
            self.step = self.step.iter().copied().step_by(2).collect();
        }
        self.step.push(step);
        self.train.push(train);
        self.test.push(test);
    }
}

/// A square map over the input plane, values scaled to integers in
/// [−100, 100]: 100·v/scale.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Heatmap {
    /// max |v| over the map (1 for a classifier's output map).
    pub scale: f64,
    /// Row-major cells, row 0 at the top (largest x1).
    pub cells: Vec<i8>,
}

/// One linear layer as the page draws it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerView {
    /// `[out][in]` weights.
    pub weight: Vec<Vec<f64>>,
    /// One bias per output.
    pub bias: Vec<f64>,
}

/// The counts the page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Weights (biases not counted: they are never penalized).
    pub weights: usize,
    /// Weights exactly 0.
    pub zeros: usize,
    /// Input features.
    pub features: usize,
    /// Input features with a nonzero weight.
    pub features_kept: usize,
    /// Hidden neurons.
    pub neurons: usize,
    /// Hidden neurons with a nonzero weight in and a nonzero weight out.
    pub neurons_kept: usize,
}

/// The |w| histogram: `zero` weights exactly 0, then `counts[i]` weights
/// in (i·width, (i+1)·width].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Histogram {
    /// Weights exactly 0.
    pub zero: usize,
    /// Bin width (max |w| / bins).
    pub width: f64,
    /// The counts of the bins.
    pub counts: Vec<usize>,
}

/// Everything one update of the page needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    /// The number of the run (a new configuration, upload or reset starts
    /// a new one, with new data points).
    pub run: u64,
    /// The configuration of the run.
    pub config: Config,
    /// Optimizer steps taken.
    pub step: u64,
    /// Whether the run is playing.
    pub playing: bool,
    /// "classification" or "regression".
    pub task: Task,
    /// The input names.
    pub features: Vec<String>,
    /// The width of every layer, inputs first.
    pub sizes: Vec<usize>,
    /// The linear layers.
    pub layers: Vec<LayerView>,
    /// Per input: true when its column of the first layer is all 0.
    pub removed_inputs: Vec<bool>,
    /// Per hidden layer, per neuron: true when all its incoming or all its
    /// outgoing weights are 0 (it no longer carries anything).
    pub dead_neurons: Vec<Vec<bool>>,
    /// The counts.
    pub counts: Counts,
    /// The penalty's value λ1·Σ|w| + (λ2/2)·Σw².
    pub penalty: f64,
    /// `[low, high]` of both plane coordinates.
    pub extent: [f64; 2],
    /// Per hidden layer, per neuron: its activation over the plane, with
    /// the noise inputs at 0 (their mean).
    pub neuron_maps: Vec<Vec<Heatmap>>,
    /// The classifier's P(class 1) as 2p − 1, or the regression output.
    pub output_map: Heatmap,
    /// The losses so far.
    pub losses: LossHistory,
    /// The |w| histogram.
    pub histogram: Histogram,
}

/// The snapshot of `session`.
pub fn snapshot(
    run: u64,
    session: &Session,
    losses: &LossHistory,
    playing: bool,
    optimizer: &dyn Optimizer<f64>,
) -> Snapshot {
    let model = session.model();
    let data = session.data();
    let weights: Vec<Array2<f64>> = model
        .linear_layers()
        .map(|l| {
            l.weight()
                .to_array()
                .into_dimensionality::<Ix2>()
                .expect("a linear weight is 2-D")
        })
        .collect();
    let layers = model
        .linear_layers()
        .zip(&weights)
        .map(|(l, w)| LayerView {
            weight: w.rows().into_iter().map(|r| r.to_vec()).collect(),
            bias: l
                .bias()
                .map_or_else(Vec::new, |b| b.to_array().iter().copied().collect()),
        })
        .collect();
    let selection = FeatureSelection::from_first_layer(weights[0].view());
    let removed_inputs = (0..selection.n_features())
        .map(|j| !selection.selected.contains(&j))
        .collect();
    let dead_neurons: Vec<Vec<bool>> = weights
        .windows(2)
        .map(|pair| dead_between(pair[0].view(), pair[1].view()))
        .collect();
    let all: Vec<f64> = weights.iter().flat_map(|w| w.iter().copied()).collect();
    let zeros = all.iter().filter(|&&w| w == 0.0).count();
    let neurons: usize = dead_neurons.iter().map(Vec::len).sum();
    let dead: usize = dead_neurons.iter().flatten().filter(|&&d| d).count();
    let counts = Counts {
        weights: all.len(),
        zeros,
        features: selection.n_features(),
        features_kept: selection.selected.len(),
        neurons,
        neurons_kept: neurons - dead,
    };
    let task = data.train.task();
    let (neuron_maps, _) = plane_maps(session, NEURON_GRID);
    let (_, output) = plane_maps(session, OUTPUT_GRID);
    let output_map = match task {
        // 2p − 1 with p = softmax(z)₁ = σ(z₁ − z₀).
        Task::Classification => {
            let values: Vec<f64> = output
                .rows()
                .into_iter()
                .map(|z| (0.5 * (z[1] - z[0])).tanh())
                .collect();
            heatmap(&values, Some(1.0))
        }
        Task::Regression => heatmap(&output.column(0).to_vec(), None),
    };
    Snapshot {
        run,
        config: session.config().clone(),
        step: session.steps(),
        playing,
        task,
        features: data.train.feature_names().to_vec(),
        sizes: std::iter::once(model.in_features())
            .chain(model.linear_layers().map(|l| l.out_features()))
            .collect(),
        layers,
        removed_inputs,
        dead_neurons,
        counts,
        penalty: penalty_total(optimizer),
        extent: data.extent,
        neuron_maps,
        output_map,
        losses: losses.clone(),
        histogram: histogram(&all),
    }
}

/// For the neurons between weight `incoming` [n, ·] and `outgoing` [·, n]:
/// true where the neuron's row of `incoming` or its column of `outgoing`
/// is all exactly 0.
fn dead_between(incoming: ArrayView2<f64>, outgoing: ArrayView2<f64>) -> Vec<bool> {
    (0..incoming.nrows())
        .map(|j| {
            incoming.row(j).iter().all(|&w| w == 0.0)
                || outgoing.column(j).iter().all(|&w| w == 0.0)
        })
        .collect()
}

/// Runs the network on a `grid` × `grid` lattice over the plane (row 0 at
/// the top, the noise inputs at 0) and returns each hidden neuron's map
/// and the raw outputs, one row per cell.
fn plane_maps(session: &Session, grid: usize) -> (Vec<Vec<Heatmap>>, Array2<f64>) {
    let [low, high] = session.data().extent;
    let model = session.model();
    let coordinate = |i: usize| low + (high - low) * (i as f64 + 0.5) / grid as f64;
    let mut inputs = Array2::zeros((grid * grid, model.in_features()));
    for (cell, mut row) in inputs.rows_mut().into_iter().enumerate() {
        row[0] = coordinate(cell % grid);
        row[1] = coordinate(grid - 1 - cell / grid);
    }
    no_grad(|| {
        let mut h = Tensor::new(inputs);
        let mut maps = Vec::new();
        for layer in model.layers() {
            match layer {
                MlpLayer::Linear(linear) => h = linear.forward(&h),
                MlpLayer::Activation(activation) => {
                    h = activation.forward(&h);
                    let values = h
                        .to_array()
                        .into_dimensionality::<Ix2>()
                        .expect("a batch of activations is 2-D");
                    maps.push(
                        values
                            .columns()
                            .into_iter()
                            .map(|c| heatmap(&c.to_vec(), None))
                            .collect(),
                    );
                }
            }
        }
        let output = h
            .to_array()
            .into_dimensionality::<Ix2>()
            .expect("the network's output is 2-D");
        (maps, output)
    })
}

/// `values` as a [`Heatmap`], scaled by `scale` or by their max |v|.
fn heatmap(values: &[f64], scale: Option<f64>) -> Heatmap {
    let scale = scale.unwrap_or_else(|| values.iter().fold(1e-12_f64, |m, v| m.max(v.abs())));
    Heatmap {
        scale,
        cells: values
            .iter()
            .map(|v| (100.0 * v / scale).round().clamp(-100.0, 100.0) as i8)
            .collect(),
    }
}

/// The |w| histogram of `weights`.
fn histogram(weights: &[f64]) -> Histogram {
    let max = weights.iter().fold(0.0_f64, |m, w| m.max(w.abs()));
    let width = max / HISTOGRAM_BINS as f64;
    let mut counts = vec![0; HISTOGRAM_BINS];
    let mut zero = 0;
    for w in weights.iter().map(|w| w.abs()) {
        if w == 0.0 {
            zero += 1;
        } else {
            // (i·width, (i+1)·width] → bin i; the largest lands in the last.
            let bin = ((w / width).ceil() as usize).clamp(1, HISTOGRAM_BINS) - 1;
            counts[bin] += 1;
        }
    }
    Histogram {
        zero,
        width,
        counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_puts_exact_zeros_apart_and_bins_the_rest_by_abs() {
        let h = histogram(&[0.0, -0.0, 1.0, -0.5, 0.04, 0.05]);
        assert_eq!(h.zero, 2);
        assert_eq!(h.width, 0.05);
        assert_eq!(h.counts[0], 2, "0.04 and 0.05 are in (0, 0.05]");
        assert_eq!(h.counts[9], 1, "0.5 is in (0.45, 0.5]");
        assert_eq!(h.counts[19], 1, "the largest is in the last bin");
        assert_eq!(h.counts.iter().sum::<usize>(), 4);
    }

    #[test]
    fn a_neuron_is_dead_when_all_its_inputs_or_all_its_outputs_are_zero() {
        let incoming = ndarray::array![[0.0, 0.0], [1.0, 0.0], [0.5, 0.5]];
        let outgoing = ndarray::array![[1.0, 2.0, 0.0]];
        assert_eq!(
            dead_between(incoming.view(), outgoing.view()),
            [true, false, true]
        );
    }

    #[test]
    fn the_loss_history_halves_when_full_and_keeps_its_first_point() {
        let mut history = LossHistory::default();
        for step in 0..=HISTORY_POINTS as u64 {
            history.push(step, step as f64, 0.0);
        }
        assert_eq!(history.step.len(), HISTORY_POINTS / 2 + 1);
        assert_eq!(history.step[0], 0);
        assert_eq!(history.step[1], 2);
        assert_eq!(*history.step.last().unwrap(), HISTORY_POINTS as u64);
        assert_eq!(history.train.len(), history.step.len());
    }
}
