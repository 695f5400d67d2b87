//! The order in which an epoch visits the samples, cut into mini-batches.

use rand::Rng;
use rand::seq::SliceRandom;
use std::slice::Chunks;

/// The index batches of one epoch over n samples.
///
/// - [`in_order`](Self::in_order): samples 0, 1, …, n−1 (file order).
/// - [`shuffled`](Self::shuffled): a fresh uniformly random permutation of
///   0..n each call, drawn from the caller's RNG only (the previous epoch's
///   order plays no part: the same RNG state gives the same epoch).
///
/// Batches hold `batch_size` indices, the last one fewer when `batch_size`
/// does not divide n (it is kept, not dropped). A `batch_size` of 0, or
/// one larger than n, gives one batch of all n samples.
///
/// ```
/// use rand::{SeedableRng, rngs::StdRng};
/// use sparsegrad_nn::data::MiniBatches;
/// let mut batches = MiniBatches::new(5, 2);
/// let epoch: Vec<&[usize]> = batches.in_order().collect();
/// assert_eq!(epoch, [&[0, 1][..], &[2, 3], &[4]]);
/// let mut rng = StdRng::seed_from_u64(7);
/// let mut seen: Vec<usize> = batches.shuffled(&mut rng).flatten().copied().collect();
/// seen.sort();
/// assert_eq!(seen, [0, 1, 2, 3, 4]);
/// ```
#[derive(Clone, Debug)]
pub struct MiniBatches {
    order: Vec<usize>,
    batch_size: usize,
}

impl MiniBatches {
    /// Batches of `batch_size` over `n_samples` samples (0 = all at once).
    pub fn new(n_samples: usize, batch_size: usize) -> Self {
        let batch_size = if batch_size == 0 || batch_size > n_samples {
            n_samples
        } else {
            batch_size
        };
        MiniBatches {
            order: (0..n_samples).collect(),
            // `chunks` needs a positive size; with no samples there are no
            // batches whatever it is.
            batch_size: batch_size.max(1),
        }
    }

    /// The number of samples per batch (all but possibly the last).
    pub fn batch_size(&self) -> usize {
        self.batch_size.min(self.order.len())
    }

    /// The number of batches in an epoch: ⌈n / batch_size⌉.
    pub fn num_batches(&self) -> usize {
        self.order.len().div_ceil(self.batch_size)
    }

    /// This epoch's batches in file order.
    pub fn in_order(&mut self) -> Chunks<'_, usize> {
        self.reset_order();
        self.order.chunks(self.batch_size)
    }

    /// This epoch's batches in a fresh random order drawn from `rng`.
    pub fn shuffled<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Chunks<'_, usize> {
        self.reset_order();
        self.order.shuffle(rng); // Fisher–Yates: every permutation equally likely
        self.order.chunks(self.batch_size)
    }

    /// Puts the order back to 0, 1, …, n−1, so that a shuffle depends on
    /// the RNG alone.
    fn reset_order(&mut self) {
        for (i, slot) in self.order.iter_mut().enumerate() {
            *slot = i;
        }
    }
}
