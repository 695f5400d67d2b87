//! Whole training runs through the facade's prelude, as a user writes them.

use ndarray::{Array2, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad::prelude::*;

/// Four noisy clusters at the corners of a square, labelled by XOR of the
/// signs of their coordinates: no linear model separates them.
fn xor(n: usize, rng: &mut StdRng) -> Dataset<f32> {
    let noise = Tensor::<f32>::rand_normal(&[n, 2], 0.0, 0.2, rng).to_array();
    let mut x = Array2::<f32>::zeros((n, 2));
    let mut labels = Vec::with_capacity(n);
    for (i, mut row) in x.axis_iter_mut(Axis(0)).enumerate() {
        let (a, b) = (i % 2, (i / 2) % 2);
        row[0] = if a == 1 { 1.0 } else { -1.0 } + noise[[i, 0]];
        row[1] = if b == 1 { 1.0 } else { -1.0 } + noise[[i, 1]];
        labels.push(a ^ b);
    }
    Dataset::new(
        x,
        Targets::Classification(labels),
        vec!["a".into(), "b".into()],
        "xor".into(),
    )
}

fn accuracy(model: &Mlp<f32>, data: &Dataset<f32>) -> f64 {
    let logits = predict(model, data.features());
    let Targets::Classification(labels) = data.targets() else {
        unreachable!()
    };
    let right = logits
        .outer_iter()
        .zip(labels)
        .filter(|(row, label)| usize::from(row[1] > row[0]) == **label)
        .count();
    right as f64 / labels.len() as f64
}

/// Trains a 2-8-2 tanh MLP with Adam and an L2 penalty on the weights.
fn train_xor(seed: u64) -> (Mlp<f32>, Dataset<f32>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let data = xor(200, &mut rng);
    let model = Mlp::new(&[2, 8, 2], Activation::Tanh, &mut rng);
    let groups = GroupRules::new()
        .rule(Select::Weights, Penalty::l2(1e-3))
        .build(model.named_parameters());
    let mut adam = Adam::new(
        groups,
        AdamConfig {
            lr: 0.05,
            ..AdamConfig::default()
        },
    )
    .unwrap();
    let options = TrainOptions {
        epochs: 60,
        batch_size: 20,
        shuffle: true,
        ..TrainOptions::default()
    };
    train(&model, &mut adam, &data, options, &mut rng, |_| {}).unwrap();
    (model, data)
}

#[test]
fn an_mlp_learns_xor_which_no_linear_model_can() {
    let (model, data) = train_xor(0);
    // The clusters are 2 apart with noise 0.2: a right boundary classifies
    // all but a vanishing fraction; a linear one gets at most 75%.
    assert!(
        accuracy(&model, &data) >= 0.99,
        "accuracy {}",
        accuracy(&model, &data)
    );
    assert!(evaluate_loss(&model, &data) < 0.1);
}

#[test]
fn the_same_seed_trains_the_same_bits() {
    let bits = |seed| {
        let (model, _) = train_xor(seed);
        model
            .named_parameters()
            .iter()
            .flat_map(|(_, p)| p.to_array().iter().map(|v| v.to_bits()).collect::<Vec<_>>())
            .collect::<Vec<u32>>()
    };
    assert_eq!(bits(3), bits(3));
    assert_ne!(bits(3), bits(4));
}
