//! Predictions over 100 000 rows from a 100 → 64 → 64 → 1 ReLU MLP whose
//! group penalties left 20 of its 100 inputs and 32 of the 64 neurons of
//! each hidden layer (80% of the inputs and 50% of the neurons gone),
//! before and after compaction. The zeroed columns are set by hand so the
//! shapes are exactly these (predict's cost depends on the shapes only);
//! the README's "Smaller networks" run shows a model trained to this.
//! The target: at least 2× faster after.

use criterion::{Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sparsegrad::nn::compact::compact;
use sparsegrad::nn::mlp::{Mlp, MlpLayer};
use sparsegrad::nn::train::predict;
use sparsegrad::prelude::*;

const ROWS: usize = 100_000;

/// Zeroes columns `from..` of a linear layer's weight.
fn zero_columns_from(layer: &MlpLayer<f32>, from: usize) {
    if let MlpLayer::Linear(linear) = layer {
        let mut w = linear.weight().value_mut();
        for mut row in w.rows_mut() {
            row.iter_mut().skip(from).for_each(|x| *x = 0.0);
        }
    }
}

fn predict_before_after(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(0);
    let mlp = Mlp::<f32>::new(&[100, 64, 64, 1], Activation::Relu, &mut rng);
    // inputs 20.., neurons 32.. of each hidden layer (their outgoing columns)
    zero_columns_from(&mlp.layers()[0], 20);
    zero_columns_from(&mlp.layers()[2], 32);
    zero_columns_from(&mlp.layers()[4], 32);
    let compacted = compact(&mlp);
    assert_eq!(compacted.features.len(), 20);
    let x = ndarray::Array2::from_shape_fn((ROWS, 100), |_| rng.random_range(-1.0..1.0f32));
    let kept = x.select(ndarray::Axis(1), &compacted.features);
    let mut group = c.benchmark_group("predict_100k_rows");
    group.sample_size(20);
    group.bench_function("before_compaction", |b| b.iter(|| predict(&mlp, &x)));
    group.bench_function("after_compaction", |b| {
        b.iter(|| predict(&compacted.mlp, &kept))
    });
    group.finish();
}

criterion_group!(benches, predict_before_after);
criterion_main!(benches);
