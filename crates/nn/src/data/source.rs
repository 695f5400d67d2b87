//! Where a training loop takes its mini-batches from: anything that can
//! gather the samples at some indices into a [`Batch`]. A [`Dataset`] (with
//! its column names) is one; [`Examples`] is plain arrays, without names.

use ndarray::ArrayView2;
use sparsegrad_autograd::Float;

use super::{Batch, Dataset, Targets, gather_batch};

/// Samples that can be gathered into mini-batches by index.
pub trait BatchSource<T: Float> {
    /// The number of samples.
    fn len(&self) -> usize;

    /// True when there are no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Gathers the samples at `indices`, in that order, into `batch`,
    /// reusing its memory.
    ///
    /// # Panics
    /// When an index is not below [`len`](BatchSource::len).
    fn batch_into(&self, indices: &[usize], batch: &mut Batch<T>);
}

impl<T: Float> BatchSource<T> for Dataset<T> {
    fn len(&self) -> usize {
        Dataset::len(self)
    }

    fn batch_into(&self, indices: &[usize], batch: &mut Batch<T>) {
        Dataset::batch_into(self, indices, batch);
    }
}

/// Features and targets held by the caller, borrowed as they are: data
/// already in memory trains with no column names to invent.
///
/// ```
/// use sparsegrad_autograd::ndarray::array;
/// use sparsegrad_nn::data::{Batch, BatchSource, Examples, Targets};
/// let x = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
/// let y = Targets::Classification(vec![0, 1, 1]);
/// let examples = Examples::new(x.view(), &y);
/// let mut batch = Batch::default();
/// examples.batch_into(&[2, 0], &mut batch);
/// assert_eq!(batch.features, array![[5.0, 6.0], [1.0, 2.0]]);
/// assert_eq!(batch.targets, Targets::Classification(vec![1, 0]));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Examples<'a, T: Float> {
    features: ArrayView2<'a, T>,
    targets: &'a Targets<T>,
}

impl<'a, T: Float> Examples<'a, T> {
    /// The samples of `features` (one row each) with their `targets`.
    ///
    /// # Panics
    /// When the numbers of rows and targets differ.
    pub fn new(features: ArrayView2<'a, T>, targets: &'a Targets<T>) -> Self {
        assert_eq!(
            features.nrows(),
            targets.len(),
            "Examples::new: {} rows of features but {} targets",
            features.nrows(),
            targets.len()
        );
        Self { features, targets }
    }
}

impl<T: Float> BatchSource<T> for Examples<'_, T> {
    fn len(&self) -> usize {
        self.features.nrows()
    }

    fn batch_into(&self, indices: &[usize], batch: &mut Batch<T>) {
        gather_batch(self.features, self.targets, indices, batch);
    }
}
