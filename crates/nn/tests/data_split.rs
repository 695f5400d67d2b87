//! Train/test splits and K folds.

use proptest::prelude::*;
use rand::{SeedableRng, rngs::StdRng};
use sparsegrad_nn::data::{Split, k_fold, train_test_split};

/// The parts are sorted, disjoint, and together are 0..n.
fn assert_partition(split: &Split, n: usize) {
    assert!(
        split.train.is_sorted() && split.test.is_sorted(),
        "{split:?}"
    );
    let mut all = [split.train.as_slice(), split.test.as_slice()].concat();
    all.sort_unstable();
    assert_eq!(all, (0..n).collect::<Vec<_>>());
}

proptest! {
    #[test]
    fn a_split_partitions_the_samples(n in 0usize..300, fraction in 0.0f64..=1.0, seed in any::<u64>()) {
        let split = train_test_split(n, fraction, &mut StdRng::seed_from_u64(seed));
        prop_assert_eq!(split.test.len(), (fraction * n as f64).round() as usize);
        assert_partition(&split, n);
    }

    #[test]
    fn folds_hold_out_every_index_once_in_nearly_equal_parts(n in 2usize..300, k in 2usize..20, seed in any::<u64>()) {
        prop_assume!(k <= n);
        let folds = k_fold(n, k, &mut StdRng::seed_from_u64(seed));
        prop_assert_eq!(folds.len(), k);
        let mut held_out_count = vec![0; n];
        for fold in &folds {
            assert_partition(fold, n);
            for &i in &fold.test {
                held_out_count[i] += 1;
            }
        }
        prop_assert!(held_out_count.iter().all(|&c| c == 1));
        let sizes: Vec<usize> = folds.iter().map(|f| f.test.len()).collect();
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        prop_assert!(max - min <= 1, "{:?}", sizes);
    }
}

#[test]
fn folds_are_sized_as_scikit_learn_sizes_them() {
    let sizes: Vec<usize> = k_fold(11, 4, &mut StdRng::seed_from_u64(0))
        .iter()
        .map(|f| f.test.len())
        .collect();
    assert_eq!(sizes, [3, 3, 3, 2]);
}

#[test]
fn the_same_seed_gives_the_same_split_and_another_seed_another() {
    let a = train_test_split(100, 0.25, &mut StdRng::seed_from_u64(5));
    let b = train_test_split(100, 0.25, &mut StdRng::seed_from_u64(5));
    let c = train_test_split(100, 0.25, &mut StdRng::seed_from_u64(6));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(
        a.test,
        (75..100).collect::<Vec<_>>(),
        "the test set is drawn at random"
    );
    assert_eq!(
        k_fold(30, 3, &mut StdRng::seed_from_u64(1)),
        k_fold(30, 3, &mut StdRng::seed_from_u64(1))
    );
}

#[test]
fn rounding_is_to_nearest() {
    // 0.7 · 10 = 7.000000000000001 in f64, which rounding up would make 8.
    let split = train_test_split(10, 0.7, &mut StdRng::seed_from_u64(0));
    assert_eq!(split.test.len(), 7);
}

#[test]
#[should_panic(expected = "train_test_split: test_fraction = 1.5 is not in [0, 1]")]
fn a_fraction_outside_zero_one_is_a_programming_error() {
    train_test_split(10, 1.5, &mut StdRng::seed_from_u64(0));
}

#[test]
#[should_panic(expected = "k_fold: k = 5 folds need 2 ≤ k ≤ n = 4")]
fn more_folds_than_samples_is_a_programming_error() {
    k_fold(4, 5, &mut StdRng::seed_from_u64(0));
}

#[test]
#[should_panic(expected = "k_fold: k = 1 folds")]
fn one_fold_is_a_programming_error() {
    k_fold(4, 1, &mut StdRng::seed_from_u64(0));
}
