//! What the study records about one fitted network: how many of its
//! weights are exactly zero, and what is left of it after compaction
//! (which input features and hidden neurons survive, and how many
//! parameters).

use serde::{Deserialize, Serialize};
use sparsegrad::nn::compact::{NetworkSize, compact};
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
    /// Why this record cannot come from a network of `features` inputs and
    /// hidden widths `hidden`, if it cannot: a fraction outside [0, 1],
    /// feature indices not strictly increasing below `features`, or
    /// neuron counts that are not one per hidden layer within its width. A
    /// merge reads records from files a hand may have edited, and the
    /// report indexes the feature names with them.
    pub fn problem(&self, features: usize, hidden: &[usize]) -> Option<String> {
        if !(0.0..=1.0).contains(&self.exact_zero_fraction) {
            return Some(format!(
                "exact_zero_fraction {} is not a fraction",
                self.exact_zero_fraction
            ));
        }
        let increasing = self.features_kept.windows(2).all(|w| w[0] < w[1]);
        if !increasing || self.features_kept.last().is_some_and(|&j| j >= features) {
            return Some(format!(
                "features_kept {:?} is not an increasing list of features below {features}",
                self.features_kept
            ));
        }
        let fits = self.neurons_kept.len() == hidden.len()
            && self
                .neurons_kept
                .iter()
                .zip(hidden)
                .all(|(kept, width)| kept <= width);
        (!fits).then(|| {
            format!(
                "neurons_kept {:?} is not one count per hidden layer of {hidden:?}",
                self.neurons_kept
            )
        })
    }

    /// Measures `model`; what compaction keeps is what
    /// [`compact`](sparsegrad::nn::compact::compact) keeps.
    pub fn measure(model: &Mlp<f32>) -> Self {
        let weights: Vec<_> = model.linear_layers().map(|l| l.weight().value()).collect();
        let total: usize = weights.iter().map(|w| w.len()).sum();
        let zeros: usize = weights
            .iter()
            .map(|w| w.iter().filter(|&&x| x == 0.0).count())
            .sum();
        let compacted = compact(model);
        let size = NetworkSize::of(&compacted.mlp);
        // A network left without inputs is compacted to a constant on one
        // zero-weighted input: it reads no feature and keeps no neuron.
        let constant = compacted
            .mlp
            .first_layer_weight()
            .value()
            .iter()
            .all(|&w| w == 0.0);
        let hidden = weights.len() - 1;
        NetworkSparsity {
            exact_zero_fraction: zeros as f64 / total.max(1) as f64,
            features_kept: if constant {
                Vec::new()
            } else {
                compacted.features
            },
            neurons_kept: if constant {
                vec![0; hidden]
            } else {
                size.neurons
            },
            params_after_compaction: size.parameters,
        }
    }
}
