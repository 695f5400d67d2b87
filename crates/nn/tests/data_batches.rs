//! Mini-batches: sizes, order, and seeded shuffles.

use proptest::prelude::*;
use rand::{SeedableRng, rngs::StdRng};
use sparsegrad_nn::data::MiniBatches;

proptest! {
    /// In order: the batches concatenate to 0..n; every batch has the
    /// effective size but the last, which holds the remainder.
    #[test]
    fn in_order_batches_cover_the_samples_in_file_order(n in 0usize..200, batch_size in 0usize..250) {
        let mut batches = MiniBatches::new(n, batch_size);
        let expected_size = if batch_size == 0 || batch_size > n { n } else { batch_size };
        prop_assert_eq!(batches.batch_size(), expected_size);
        let epoch: Vec<Vec<usize>> = batches.in_order().map(<[usize]>::to_vec).collect();
        prop_assert_eq!(epoch.len(), batches.num_batches());
        prop_assert_eq!(epoch.len(), if n == 0 { 0 } else { n.div_ceil(expected_size) });
        for (k, batch) in epoch.iter().enumerate() {
            let last = k + 1 == epoch.len();
            let size = if last { n - k * expected_size } else { expected_size };
            prop_assert_eq!(batch.len(), size);
        }
        let flat: Vec<usize> = epoch.concat();
        prop_assert_eq!(flat, (0..n).collect::<Vec<_>>());
    }

    /// Shuffled: each epoch is a permutation of 0..n cut the same way.
    #[test]
    fn shuffled_batches_are_a_permutation(n in 1usize..200, batch_size in 0usize..250, seed in any::<u64>()) {
        let mut batches = MiniBatches::new(n, batch_size);
        let mut rng = StdRng::seed_from_u64(seed);
        let sizes_in_order: Vec<usize> = batches.in_order().map(<[usize]>::len).collect();
        for _ in 0..2 {
            let epoch: Vec<Vec<usize>> = batches.shuffled(&mut rng).map(<[usize]>::to_vec).collect();
            let sizes: Vec<usize> = epoch.iter().map(Vec::len).collect();
            prop_assert_eq!(&sizes, &sizes_in_order);
            let mut flat = epoch.concat();
            flat.sort_unstable();
            prop_assert_eq!(flat, (0..n).collect::<Vec<_>>());
        }
    }
}

#[test]
fn an_epoch_depends_on_the_rng_alone_and_each_epoch_is_fresh() {
    let n = 50;
    let mut a = MiniBatches::new(n, 7);
    let mut b = MiniBatches::new(n, 7);
    // Give `b` a different history: the next shuffle must not depend on it.
    b.shuffled(&mut StdRng::seed_from_u64(99)).for_each(drop);

    let mut rng_a = StdRng::seed_from_u64(3);
    let mut rng_b = StdRng::seed_from_u64(3);
    let first_a: Vec<usize> = a.shuffled(&mut rng_a).flatten().copied().collect();
    let first_b: Vec<usize> = b.shuffled(&mut rng_b).flatten().copied().collect();
    assert_eq!(first_a, first_b);
    assert_ne!(first_a, (0..n).collect::<Vec<_>>());

    let second_a: Vec<usize> = a.shuffled(&mut rng_a).flatten().copied().collect();
    assert_ne!(first_a, second_a, "each epoch draws a new permutation");

    let in_order: Vec<usize> = a.in_order().flatten().copied().collect();
    assert_eq!(
        in_order,
        (0..n).collect::<Vec<_>>(),
        "file order is restored after shuffling"
    );
}

#[test]
fn batch_size_zero_or_larger_than_the_data_is_one_full_batch() {
    for batch_size in [0, 10, 11, 1000] {
        let mut batches = MiniBatches::new(10, batch_size);
        let epoch: Vec<&[usize]> = batches.in_order().collect();
        assert_eq!(
            epoch,
            [&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9][..]],
            "batch size {batch_size}"
        );
    }
    let mut none = MiniBatches::new(0, 0);
    assert_eq!(none.in_order().count(), 0);
    assert_eq!(none.num_batches(), 0);
}
