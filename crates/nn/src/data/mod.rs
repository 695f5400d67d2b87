//! Data sets of features and targets, and what training does with them:
//! mini-batches, train/test splits, K folds and standardization.
//!
//! The intended flow keeps every number exact for as long as possible: the
//! data set is built in f64 (a CSV reader gives the file's values exactly);
//! the split and the [`Standardizer`] work on those; only then does
//! [`Dataset::cast`] convert to the training dtype.
//!
//! ```
//! use rand::{SeedableRng, rngs::StdRng};
//! use sparsegrad_nn::data::{
//!     Batch, Dataset, MiniBatches, Standardizer, Targets, standardize, train_test_split,
//! };
//! use sparsegrad_autograd::ndarray::array;
//!
//! let features = array![[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [5.0, 50.0]];
//! let targets = Targets::Classification(vec![0, 1, 0, 1, 1]);
//! let data = Dataset::new(features, targets, vec!["a".into(), "b".into()], "label".into());
//!
//! let mut rng = StdRng::seed_from_u64(0);
//! let split = train_test_split(data.len(), 0.4, &mut rng);
//! let (mut train, mut test) = (data.subset(&split.train), data.subset(&split.test));
//! let scaler = standardize(&mut train, &mut [&mut test]); // fitted on train only
//! assert_eq!(scaler, Standardizer::fit(data.subset(&split.train).features().view()));
//! let train = train.cast::<f32>();
//!
//! let mut batches = MiniBatches::new(train.len(), 2);
//! let mut batch = Batch::default();
//! let mut seen = 0;
//! for indices in batches.shuffled(&mut rng) {
//!     train.batch_into(indices, &mut batch);
//!     seen += batch.features.nrows();
//! }
//! assert_eq!(seen, 3);
//! ```

mod batches;
mod source;
mod split;
mod standardize;

pub use batches::MiniBatches;
pub use source::{BatchSource, Examples};
pub use split::{Split, k_fold, train_test_split};
pub use standardize::Standardizer;
pub(crate) use standardize::scaled_norm;

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};
use sparsegrad_autograd::Float;

/// What a model predicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Real-valued targets, fitted with mean squared error.
    Regression,
    /// Class labels 0..K−1, fitted with softmax cross-entropy over K outputs.
    Classification,
}

/// The task's name as serde writes it: `regression`, `classification`.
impl std::fmt::Display for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Task::Regression => "regression",
            Task::Classification => "classification",
        })
    }
}

/// The targets of a data set, one per sample.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets<T: Float> {
    /// n × k real values (k = 1 for a single target column).
    Regression(Array2<T>),
    /// n class labels.
    Classification(Vec<usize>),
}

impl<T: Float> Targets<T> {
    /// The number of samples.
    pub fn len(&self) -> usize {
        match self {
            Targets::Regression(values) => values.nrows(),
            Targets::Classification(labels) => labels.len(),
        }
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The task these targets are for.
    pub fn task(&self) -> Task {
        match self {
            Targets::Regression(_) => Task::Regression,
            Targets::Classification(_) => Task::Classification,
        }
    }

    /// For labels, K = the largest label + 1 (0 when there are none); for
    /// regression, `None`.
    pub fn num_classes(&self) -> Option<usize> {
        match self {
            Targets::Regression(_) => None,
            Targets::Classification(labels) => Some(labels.iter().max().map_or(0, |&k| k + 1)),
        }
    }

    /// The same targets in another float type (labels are copied as they are).
    pub fn cast<U: Float>(&self) -> Targets<U> {
        match self {
            Targets::Regression(values) => {
                Targets::Regression(values.mapv(|x| U::from_f64(x.as_f64())))
            }
            Targets::Classification(labels) => Targets::Classification(labels.clone()),
        }
    }
}

/// Features (an n × d matrix, one row per sample, in standard row-major
/// layout) with their targets and the names of the columns they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<T: Float> {
    features: Array2<T>,
    targets: Targets<T>,
    feature_names: Vec<String>,
    target_name: String,
}

/// A mini-batch: the gathered rows of some samples, contiguous, ready to be
/// turned into tensors. Reused across steps by [`Dataset::batch_into`], so
/// a training loop does not allocate once the first (largest) batch is made.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch<T: Float> {
    /// b × d features.
    pub features: Array2<T>,
    /// The b targets.
    pub targets: Targets<T>,
}

impl<T: Float> Default for Batch<T> {
    /// An empty batch (0 × 0 features, no labels), to be filled by
    /// [`Dataset::batch_into`].
    fn default() -> Self {
        Batch {
            features: Array2::zeros((0, 0)),
            targets: Targets::Classification(Vec::new()),
        }
    }
}

impl<T: Float> Dataset<T> {
    /// A data set from its parts.
    ///
    /// # Panics
    /// When the targets or the feature names do not match the features'
    /// rows and columns.
    pub fn new(
        features: Array2<T>,
        targets: Targets<T>,
        feature_names: Vec<String>,
        target_name: String,
    ) -> Self {
        assert_eq!(
            features.nrows(),
            targets.len(),
            "Dataset::new: {} rows of features but {} targets",
            features.nrows(),
            targets.len()
        );
        assert_eq!(
            features.ncols(),
            feature_names.len(),
            "Dataset::new: {} feature columns but {} feature names",
            features.ncols(),
            feature_names.len()
        );
        // Standard layout lets rows be copied as slices when batching.
        let features = if features.is_standard_layout() {
            features
        } else {
            features.as_standard_layout().into_owned()
        };
        Dataset {
            features,
            targets,
            feature_names,
            target_name,
        }
    }

    /// The number of samples n.
    pub fn len(&self) -> usize {
        self.features.nrows()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of features d.
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// The n × d features.
    pub fn features(&self) -> &Array2<T> {
        &self.features
    }

    /// The features, writable in place (their shape cannot change), for
    /// [`Standardizer::apply`].
    pub fn features_mut(&mut self) -> ArrayViewMut2<'_, T> {
        self.features.view_mut()
    }

    /// The targets.
    pub fn targets(&self) -> &Targets<T> {
        &self.targets
    }

    /// The feature names, one per column.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The name of the target column.
    pub fn target_name(&self) -> &str {
        &self.target_name
    }

    /// The task the targets are for.
    pub fn task(&self) -> Task {
        self.targets.task()
    }

    /// The samples at `indices`, in that order, as a new data set with the
    /// same names.
    ///
    /// # Panics
    /// When an index is not below [`len`](Self::len).
    pub fn subset(&self, indices: &[usize]) -> Self {
        let mut batch = Batch::default();
        self.batch_into(indices, &mut batch);
        Dataset {
            features: batch.features,
            targets: batch.targets,
            feature_names: self.feature_names.clone(),
            target_name: self.target_name.clone(),
        }
    }

    /// Gathers the samples at `indices` into `batch`, reusing its memory:
    /// no allocation happens when the batch already had room for them.
    ///
    /// # Panics
    /// When an index is not below [`len`](Self::len).
    pub fn batch_into(&self, indices: &[usize], batch: &mut Batch<T>) {
        gather_batch(self.features.view(), &self.targets, indices, batch);
    }

    /// The same data set in another float type, each value rounded to
    /// nearest (exact from f32 to f64).
    pub fn cast<U: Float>(&self) -> Dataset<U> {
        Dataset {
            features: self.features.mapv(|x| U::from_f64(x.as_f64())),
            targets: self.targets.cast(),
            feature_names: self.feature_names.clone(),
            target_name: self.target_name.clone(),
        }
    }
}

/// Fits a [`Standardizer`] on `train`'s features and standardizes the
/// features of `train` and of each of `others` with it (see
/// [`Standardizer::fit_apply`]): fit the scaler on the training part,
/// apply it to the rest. Returns it, for a model file to keep.
///
/// # Panics
/// When `train` is empty or a data set has another number of features.
pub fn standardize<T: Float>(
    train: &mut Dataset<T>,
    others: &mut [&mut Dataset<T>],
) -> Standardizer {
    Standardizer::fit_apply(
        train.features_mut(),
        others.iter_mut().map(|other| other.features_mut()),
    )
}

/// Gathers the rows `indices` of `features` and their `targets` into
/// `batch`, reusing its memory (see [`Dataset::batch_into`]).
///
/// # Panics
/// When an index is out of range.
pub(crate) fn gather_batch<T: Float>(
    features: ArrayView2<T>,
    targets: &Targets<T>,
    indices: &[usize],
    batch: &mut Batch<T>,
) {
    gather_rows(features, indices, &mut batch.features);
    match (targets, &mut batch.targets) {
        (Targets::Regression(values), Targets::Regression(out)) => {
            gather_rows(values.view(), indices, out)
        }
        (Targets::Regression(values), out) => {
            let mut gathered = Array2::zeros((0, 0));
            gather_rows(values.view(), indices, &mut gathered);
            *out = Targets::Regression(gathered);
        }
        (Targets::Classification(labels), Targets::Classification(out)) => {
            out.clear();
            out.extend(indices.iter().map(|&i| labels[i]));
        }
        (Targets::Classification(labels), out) => {
            *out = Targets::Classification(indices.iter().map(|&i| labels[i]).collect());
        }
    }
}

/// Copies the rows `indices` of `source` into `out`, keeping `out`'s
/// allocation: its buffer is taken out, cleared, refilled and put back with
/// the new shape.
///
/// # Panics
/// When an index is out of range.
fn gather_rows<T: Float>(source: ArrayView2<T>, indices: &[usize], out: &mut Array2<T>) {
    let (n, d) = source.dim();
    let (mut buffer, _) = std::mem::take(out).into_raw_vec_and_offset();
    buffer.clear();
    buffer.reserve(indices.len() * d);
    for &i in indices {
        assert!(
            i < n,
            "Dataset::batch_into: index {i} out of range for {n} samples"
        );
        let row = source.row(i);
        match row.as_slice() {
            Some(slice) => buffer.extend_from_slice(slice),
            None => buffer.extend(row.iter().copied()),
        }
    }
    *out = Array2::from_shape_vec((indices.len(), d), buffer)
        .expect("gather_rows: indices.len() rows of d values were gathered");
}
