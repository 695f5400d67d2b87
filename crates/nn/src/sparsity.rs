//! How sparse the learned weights are: the numbers that tell L1 from L2.
//!
//! For a parameter tensor w with n entries:
//! - exact zeros: #{i : w_i = 0} (−0 counts as zero). Proximal L1 produces
//!   these; L2 and subgradient L1 almost never do.
//! - near zeros under a tolerance τ: #{i : |w_i| < τ}, which includes the
//!   exact zeros; subgradient L1 leaves its would-be zeros here, oscillating.
//! - ‖w‖₁ = Σ|w_i| (what L1 penalizes) and ‖w‖₂ = √(Σ w_i²) (whose square L2
//!   penalizes), accumulated in f64 whatever the element type.
//!
//! Per input feature j, from the first layer's weight W [out, in]: the
//! column norm ‖W[:, j]‖₂, and whether the feature is *selected*: its column
//! is not all exactly zero, so it can still change the output.
//!
//! Everything here reads plain arrays, not modules, and serializes with
//! serde, so that a report can be stored next to the model it describes.

use ndarray::{ArrayView2, ArrayViewD, Ix2};
use serde::{Deserialize, Serialize};
use sparsegrad_autograd::Float;

use crate::compact::{NetworkSize, compact};
use crate::group_lasso::Groups;
use crate::linear::Linear;
use crate::mlp::Mlp;

/// The sparsity of one parameter tensor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParameterSparsity {
    /// The parameter's dotted name (`layers.0.weight`).
    pub name: String,
    /// Its number of entries.
    pub numel: usize,
    /// How many entries are exactly 0.
    pub exact_zeros: usize,
    /// How many entries have |w| < τ, when a tolerance τ was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near_zeros: Option<usize>,
    /// Σ|w|.
    pub l1: f64,
    /// √(Σw²).
    pub l2: f64,
}

impl ParameterSparsity {
    /// Measures one tensor in a single pass.
    ///
    /// # Panics
    /// When `near_zero_tolerance` is negative or not finite.
    pub fn measure<T: Float>(
        name: &str,
        values: ArrayViewD<T>,
        near_zero_tolerance: Option<f64>,
    ) -> Self {
        if let Some(tolerance) = near_zero_tolerance {
            assert!(
                tolerance.is_finite() && tolerance >= 0.0,
                "ParameterSparsity::measure: near-zero tolerance {tolerance} is not finite and ≥ 0"
            );
        }
        let tolerance = near_zero_tolerance.unwrap_or(0.0);
        let (mut exact_zeros, mut near_zeros) = (0, 0);
        let (mut l1, mut sum_of_squares) = (0.0, 0.0);
        for &w in values.iter() {
            let magnitude = w.as_f64().abs();
            exact_zeros += usize::from(magnitude == 0.0);
            near_zeros += usize::from(magnitude < tolerance);
            l1 += magnitude;
            sum_of_squares += magnitude * magnitude;
        }
        ParameterSparsity {
            name: name.to_owned(),
            numel: values.len(),
            exact_zeros,
            near_zeros: near_zero_tolerance.map(|_| near_zeros),
            l1,
            l2: sum_of_squares.sqrt(),
        }
    }
}

/// Near-zero totals over all parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NearZeros {
    /// τ: an entry is near zero when |w| < τ.
    pub tolerance: f64,
    /// How many entries are near zero.
    pub count: usize,
    /// count / total_params (0 when there are no parameters).
    pub fraction: f64,
}

/// The sparsity of a whole model: totals, one entry per parameter, and the
/// input features that survive.
///
/// ```
/// use sparsegrad_nn::sparsity::{FeatureSelection, SparsityReport};
/// use sparsegrad_autograd::ndarray::{array, ArrayViewD};
/// let weight = array![[0.0, 0.5], [0.0, -1.0]];
/// let bias = array![0.0, 2.0];
/// let parameters: Vec<(String, ArrayViewD<f64>)> = vec![
///     ("layers.0.weight".into(), weight.view().into_dyn()),
///     ("layers.0.bias".into(), bias.view().into_dyn()),
/// ];
/// let selected = FeatureSelection::from_first_layer(weight.view());
/// let names = ["x0".to_string(), "x1".to_string()];
/// let report = SparsityReport::measure(&parameters, None, selected.selected_names(&names));
/// assert_eq!((report.total_params, report.exact_zeros), (6, 3));
/// assert_eq!(report.selected_features, ["x1"]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SparsityReport {
    /// Σ numel over the parameters.
    pub total_params: usize,
    /// Σ exact zeros over the parameters.
    pub exact_zeros: usize,
    /// exact_zeros / total_params, unrounded (0 when there are no parameters).
    pub exact_zero_fraction: f64,
    /// Near-zero totals, when a tolerance was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near_zeros: Option<NearZeros>,
    /// One entry per parameter, in the order given.
    pub parameters: Vec<ParameterSparsity>,
    /// The names of the selected input features (see [`FeatureSelection`]).
    pub selected_features: Vec<String>,
}

impl SparsityReport {
    /// Measures every `(name, values)` parameter; `selected_features` is
    /// usually [`FeatureSelection::selected_names`] of the first layer.
    ///
    /// # Panics
    /// When `near_zero_tolerance` is negative or not finite.
    pub fn measure<T: Float>(
        parameters: &[(String, ArrayViewD<T>)],
        near_zero_tolerance: Option<f64>,
        selected_features: Vec<String>,
    ) -> Self {
        let parameters: Vec<ParameterSparsity> = parameters
            .iter()
            .map(|(name, values)| {
                ParameterSparsity::measure(name, values.view(), near_zero_tolerance)
            })
            .collect();
        let total_params = parameters.iter().map(|p| p.numel).sum();
        let exact_zeros = parameters.iter().map(|p| p.exact_zeros).sum();
        let near_zeros = near_zero_tolerance.map(|tolerance| {
            let count = parameters.iter().filter_map(|p| p.near_zeros).sum();
            NearZeros {
                tolerance,
                count,
                fraction: fraction(count, total_params),
            }
        });
        SparsityReport {
            total_params,
            exact_zeros,
            exact_zero_fraction: fraction(exact_zeros, total_params),
            near_zeros,
            parameters,
            selected_features,
        }
    }
}

/// part / whole as f64, 0 for an empty whole.
fn fraction(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// What the first layer's weight W [out, in] says about each input feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureSelection {
    /// ‖W[:, j]‖₂ for each input feature j, in f64.
    pub column_l2: Vec<f64>,
    /// The features j whose column is not all exactly zero, ascending.
    /// (Selection is by exact zeros, not by the norm: a column of tiny
    /// weights whose squares underflow is still selected.)
    pub selected: Vec<usize>,
}

impl FeatureSelection {
    /// Reads the column norms and the selected features from W [out, in]
    /// in one row-major pass.
    pub fn from_first_layer<T: Float>(weight: ArrayView2<T>) -> Self {
        let n_features = weight.ncols();
        let mut sum_of_squares = vec![0.0; n_features];
        let mut nonzero = vec![false; n_features];
        for row in weight.rows() {
            for ((w, sum), nonzero) in row.iter().zip(&mut sum_of_squares).zip(&mut nonzero) {
                let w = w.as_f64();
                *sum += w * w;
                *nonzero |= w != 0.0;
            }
        }
        FeatureSelection {
            column_l2: sum_of_squares.into_iter().map(f64::sqrt).collect(),
            selected: (0..n_features).filter(|&j| nonzero[j]).collect(),
        }
    }

    /// The number of input features (columns of W).
    pub fn n_features(&self) -> usize {
        self.column_l2.len()
    }

    /// The names of the selected features, given one name per feature.
    ///
    /// # Panics
    /// When the number of names is not the number of features.
    pub fn selected_names(&self, names: &[String]) -> Vec<String> {
        assert_eq!(
            names.len(),
            self.n_features(),
            "FeatureSelection::selected_names: {} names for {} features",
            names.len(),
            self.n_features()
        );
        self.selected.iter().map(|&j| names[j].clone()).collect()
    }

    /// How well the selection recovers a known true support.
    ///
    /// # Panics
    /// When a true feature index is not below [`n_features`](Self::n_features).
    pub fn recovery(&self, true_support: &[usize]) -> SupportRecovery {
        SupportRecovery::compare(&self.selected, true_support, self.n_features())
    }
}

/// A selected feature set S against the true support T, as
/// scikit-learn's `precision_recall_fscore_support` scores a binary
/// classification of the features (positive = in the support).
///
/// - precision = |S ∩ T| / |S|
/// - recall = |S ∩ T| / |T|
/// - F1 = 2·|S ∩ T| / (|S| + |T|), the harmonic mean of the two
///
/// A ratio whose denominator is 0 is 0, scikit-learn's default
/// (`zero_division="warn"` returns 0): selecting nothing has precision 0,
/// an empty true support gives recall 0, and F1 is 0 when both are empty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupportRecovery {
    /// |S ∩ T|.
    pub true_positives: usize,
    /// |S \ T|: noise features kept.
    pub false_positives: usize,
    /// |T \ S|: informative features dropped.
    pub false_negatives: usize,
    /// |S ∩ T| / |S|.
    pub precision: f64,
    /// |S ∩ T| / |T|.
    pub recall: f64,
    /// 2·|S ∩ T| / (|S| + |T|).
    pub f1: f64,
}

impl SupportRecovery {
    /// Compares feature index sets over features 0..n_features (repeated
    /// indices count once).
    ///
    /// # Panics
    /// When an index is not below `n_features`.
    ///
    /// ```
    /// use sparsegrad_nn::sparsity::SupportRecovery;
    /// let r = SupportRecovery::compare(&[0, 1, 4], &[0, 1, 2, 3], 6);
    /// assert_eq!((r.precision, r.recall), (2.0 / 3.0, 0.5));
    /// assert_eq!(r.f1, 4.0 / 7.0);
    /// ```
    pub fn compare(selected: &[usize], true_support: &[usize], n_features: usize) -> Self {
        let as_mask = |indices: &[usize], what: &str| {
            let mut mask = vec![false; n_features];
            for &j in indices {
                assert!(
                    j < n_features,
                    "SupportRecovery::compare: {what} feature {j} is not below n_features = {n_features}"
                );
                mask[j] = true;
            }
            mask
        };
        let selected = as_mask(selected, "selected");
        let truth = as_mask(true_support, "true");
        let count = |keep: &dyn Fn(bool, bool) -> bool| {
            selected
                .iter()
                .zip(&truth)
                .filter(|&(&s, &t)| keep(s, t))
                .count()
        };
        let true_positives = count(&|s, t| s && t);
        let false_positives = count(&|s, t| s && !t);
        let false_negatives = count(&|s, t| !s && t);
        SupportRecovery {
            true_positives,
            false_positives,
            false_negatives,
            precision: fraction(true_positives, true_positives + false_positives),
            recall: fraction(true_positives, true_positives + false_negatives),
            f1: fraction(
                2 * true_positives,
                2 * true_positives + false_positives + false_negatives,
            ),
        }
    }
}

/// What a network keeps of its inputs and neurons: the structured
/// counterpart of [`SparsityReport`], read from an [`Mlp`].
///
/// - `zero_groups`: feature groups whose weights (their columns of W₁)
///   are all exactly 0;
/// - `features_kept`: features whose column of W₁ is not all exactly 0;
/// - `neurons_kept`: per hidden layer l, the neurons whose outgoing column
///   of W_{l+1} is not all exactly 0 (read on the model as it is, before
///   any compaction);
/// - `params_after_compaction`: the parameter count of [`compact`]'s
///   result, which also removes what only becomes unused on the way
///   (a neuron fed only by dropped features, a constant neuron folded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructuredSparsity {
    /// Feature groups all exactly 0.
    pub zero_groups: usize,
    /// Features with a column of W₁ not all 0.
    pub features_kept: usize,
    /// Per hidden layer, neurons with an outgoing column not all 0.
    pub neurons_kept: Vec<usize>,
    /// The number of parameters once compacted.
    pub params_after_compaction: usize,
}

impl StructuredSparsity {
    /// Measures `mlp` with `feature_groups`, a partition of W₁ by columns
    /// ([`Groups::columns`]; [`Groups::each_column`] for one group per
    /// feature).
    ///
    /// # Panics
    /// When `feature_groups` does not partition W₁.
    pub fn measure<T: Float>(mlp: &Mlp<T>, feature_groups: &Groups) -> Self {
        // The units of a layer's input whose column of the weight is not all 0.
        let kept_inputs = |linear: &Linear<T>| {
            let weight = linear.weight().value();
            let weight = weight
                .view()
                .into_dimensionality::<Ix2>()
                .expect("a linear layer's weight is 2-D");
            FeatureSelection::from_first_layer(weight).selected.len()
        };
        let w1 = mlp.first_layer_weight().value();
        let w1 = w1.as_standard_layout();
        Self {
            zero_groups: feature_groups
                .zero_groups(w1.as_slice().expect("standard layout is contiguous")),
            features_kept: mlp.linear_layers().next().map_or(0, kept_inputs),
            neurons_kept: mlp.linear_layers().skip(1).map(kept_inputs).collect(),
            params_after_compaction: NetworkSize::of(&compact(mlp).mlp).parameters,
        }
    }
}
