//! Seeded train/test splits and K-fold cross-validation index sets.

use rand::Rng;
use rand::seq::SliceRandom;

/// The indices of a training part and a held-out part (test set or
/// validation fold). Both are sorted ascending, so that a subset keeps the
/// original order of its samples (so that an unshuffled run sees them in order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// The samples to train on.
    pub train: Vec<usize>,
    /// The samples held out.
    pub test: Vec<usize>,
}

/// Splits 0..n at random into a training and a test part, the test part
/// holding round(test_fraction · n) samples (rounded half away from zero).
///
/// As scikit-learn's `ShuffleSplit`: a uniformly random permutation of
/// 0..n is drawn from `rng`; its first n_test entries are the test set.
/// (scikit-learn rounds n_test up, which turns 0.7 · 10 =
/// 7.000000000000001 into 8; rounding to nearest avoids that.)
///
/// # Panics
/// When `test_fraction` is not in [0, 1].
///
/// ```
/// use rand::{SeedableRng, rngs::StdRng};
/// use sparsegrad_nn::data::train_test_split;
/// let split = train_test_split(10, 0.3, &mut StdRng::seed_from_u64(1));
/// assert_eq!((split.train.len(), split.test.len()), (7, 3));
/// ```
pub fn train_test_split<R: Rng + ?Sized>(
    n_samples: usize,
    test_fraction: f64,
    rng: &mut R,
) -> Split {
    assert!(
        (0.0..=1.0).contains(&test_fraction),
        "train_test_split: test_fraction = {test_fraction} is not in [0, 1]"
    );
    let n_test = (test_fraction * n_samples as f64).round() as usize;
    let order = permutation(n_samples, rng);
    split_at_held_out(&order[..n_test], n_samples)
}

/// K folds of 0..n for cross-validation: fold i holds out its validation
/// indices and trains on all the others.
///
/// As scikit-learn's `KFold(shuffle=True)`: a random permutation of 0..n is
/// cut into k consecutive pieces, the first n mod k of size ⌊n/k⌋ + 1 and
/// the rest of size ⌊n/k⌋. Every index is held out by exactly one fold.
///
/// # Panics
/// When k < 2 or k > n.
///
/// ```
/// use rand::{SeedableRng, rngs::StdRng};
/// use sparsegrad_nn::data::k_fold;
/// let folds = k_fold(10, 3, &mut StdRng::seed_from_u64(1));
/// let sizes: Vec<usize> = folds.iter().map(|f| f.test.len()).collect();
/// assert_eq!(sizes, [4, 3, 3]);
/// ```
pub fn k_fold<R: Rng + ?Sized>(n_samples: usize, k: usize, rng: &mut R) -> Vec<Split> {
    assert!(
        k >= 2 && k <= n_samples,
        "k_fold: k = {k} folds need 2 ≤ k ≤ n = {n_samples}"
    );
    let order = permutation(n_samples, rng);
    let mut start = 0;
    (0..k)
        .map(|fold| {
            let size = n_samples / k + usize::from(fold < n_samples % k);
            let split = split_at_held_out(&order[start..start + size], n_samples);
            start += size;
            split
        })
        .collect()
}

/// A uniformly random permutation of 0..n (Fisher–Yates).
fn permutation<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    order
}

/// The split of 0..n that holds out `held_out` and trains on the rest, both
/// sorted.
fn split_at_held_out(held_out: &[usize], n: usize) -> Split {
    let mut is_held_out = vec![false; n];
    for &i in held_out {
        is_held_out[i] = true;
    }
    let (test, train): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| is_held_out[i]);
    Split { train, test }
}
