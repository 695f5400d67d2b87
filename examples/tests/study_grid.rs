//! The top of each regime's λ grid: the first layer's λ_max is the KKT
//! bound of a zero first layer (a proximal step from W₁ = 0 stays at 0 just
//! above it and leaves 0 just below), equals the lasso's closed form for a
//! linear model, and the compaction count matches a hand count.

use ndarray::{Array2, array};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::data::{Dataset, Targets};
use sparsegrad::nn::linear::Linear;
use sparsegrad::nn::mlp::{Mlp, MlpLayer};
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::{Sgd, SgdConfig};
use sparsegrad::nn::path::lambda_max_l1;
use sparsegrad::nn::train::{TrainOptions, train};
use sparsegrad_examples::study::engine::initial_network;
use sparsegrad_examples::study::grid::{
    GridTop, first_layer_lambda_max, gradient_at_zero, grid, group_lambda_max, penalties_at,
    sparse_group_lambda_max,
};
use sparsegrad_examples::study::{NetworkSparsity, Regime, standardized};

/// A standardized regression: y depends on features 0 and 2 of 6.
fn data(n: usize, seed: u64) -> Dataset<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    let x: Array2<f64> = Array2::from_shape_fn((n, 6), |_| StandardNormal.sample(&mut rng));
    let y = Array2::from_shape_fn((n, 1), |(i, _)| {
        2.0 * x[[i, 0]] - x[[i, 2]] * x[[i, 2]]
            + 0.1 * Distribution::<f64>::sample(&StandardNormal, &mut rng)
    });
    let names = (0..6).map(|j| format!("x{j}")).collect();
    let raw = Dataset::new(x, Targets::Regression(y), names, "y".into());
    standardized(&raw, &[]).remove(0)
}

/// One full-batch step of `regime` at `lambda` from the network with
/// linear layer `layer`'s weight zeroed; returns how many of that
/// weight's entries left 0.
fn nonzeros_after_one_step(
    model: &Mlp<f32>,
    train_data: &Dataset<f32>,
    regime: Regime,
    layer: usize,
    lambda: f64,
) -> usize {
    let weight = model.linear_layers().nth(layer).unwrap().weight().clone();
    weight.value_mut().fill(0.0);
    let named = model.named_parameters();
    let groups = penalties_at(regime, lambda).groups(named);
    let mut sgd = Sgd::new(
        groups,
        SgdConfig {
            lr: 0.01,
            ..SgdConfig::default()
        },
    )
    .unwrap();
    let options = TrainOptions {
        epochs: 1,
        batch_size: 0,
        shuffle: false,
        ..TrainOptions::default()
    };
    train(
        model,
        &mut sgd,
        train_data,
        options,
        &mut StdRng::seed_from_u64(0),
        |_| {},
    )
    .unwrap();
    weight.value().iter().filter(|&&w| w != 0.0).count()
}

/// `lambda_max` is the KKT bound of `regime` on layer `layer`: one step
/// from that layer at 0 keeps it 0 just above, and not just below.
/// (f32 gradients: a relative margin of 1e-4 is far above their rounding.)
fn assert_kkt_bound(
    sizes: &[usize],
    train_data: &Dataset<f32>,
    regime: Regime,
    layer: usize,
    lambda_max: f64,
) {
    assert!(lambda_max > 0.0);
    let step = |lambda| {
        nonzeros_after_one_step(
            &initial_network(sizes, 3),
            train_data,
            regime,
            layer,
            lambda,
        )
    };
    assert_eq!(step(lambda_max * 1.0001), 0, "{regime:?} above λ_max");
    assert!(step(lambda_max * 0.999) >= 1, "{regime:?} below λ_max");
}

#[test]
fn the_first_layer_lambda_max_is_the_kkt_bound_of_a_zero_first_layer() {
    let train_data = data(200, 1);
    let sizes = [6, 8, 1];
    let lambda_max = first_layer_lambda_max(&initial_network(&sizes, 3), &train_data);
    assert_kkt_bound(&sizes, &train_data, Regime::L1FirstLayer, 0, lambda_max);
    let grid_of = |regime| grid(regime, &initial_network(&sizes, 3), &train_data, 5, 0.01).unwrap();
    let l1 = grid_of(Regime::L1FirstLayer);
    assert_eq!(l1.top, GridTop::Exact);
    assert_eq!(l1.lambdas[0], lambda_max);
    assert!((l1.lambdas[4] - 0.01 * lambda_max).abs() < 1e-12 * lambda_max);
    let everywhere = grid_of(Regime::L1Proximal);
    assert_eq!(everywhere.top, GridTop::FirstLayerHeuristic);
    let elastic = grid_of(Regime::ElasticNet);
    assert_eq!(
        elastic.lambdas[0],
        2.0 * lambda_max,
        "α = 1/2: the top is λ_max/α"
    );
    let none = grid_of(Regime::None);
    assert_eq!(none.lambdas, [0.0]);
}

#[test]
fn the_group_tops_are_the_kkt_bounds_of_a_zero_layer() {
    let train_data = data(200, 4);
    // two hidden layers: the neurons' bound takes the larger of W₂'s and W₃'s
    let sizes = [6, 8, 5, 1];
    let grid_of = |regime| grid(regime, &initial_network(&sizes, 3), &train_data, 5, 0.01).unwrap();
    for (regime, top) in [
        (Regime::GroupLassoFeatures, GridTop::Exact),
        (Regime::SparseGroupLasso, GridTop::Exact),
    ] {
        let g = grid_of(regime);
        assert_eq!(g.top, top);
        // every feature group of W₁ stays 0 just above, some leaves just below
        assert_kkt_bound(&sizes, &train_data, regime, 0, g.lambdas[0]);
    }
    let neurons = grid_of(Regime::GroupLassoNeurons);
    assert_eq!(neurons.top, GridTop::NeuronHeuristic);
    let initial = initial_network(&sizes, 3);
    let per_layer: Vec<f64> = (1..3)
        .map(|layer| group_lambda_max(&gradient_at_zero(&initial, &train_data, layer)))
        .collect();
    assert_eq!(neurons.lambdas[0], per_layer[0].max(per_layer[1]));
    // at the initial network it is each layer's own KKT bound
    for (layer, &bound) in (1..3).zip(&per_layer) {
        assert_kkt_bound(&sizes, &train_data, Regime::GroupLassoNeurons, layer, bound);
    }
}

#[test]
fn the_sparse_group_crossing_is_the_closed_form() {
    // one group g = (3, 1), p = 2, α = ½, t = λ/2: for t ≥ 1 only the 3
    // survives the soft threshold, and 3 − t = √2·t gives t = 3/(1 + √2)
    let g = array![[3.0], [1.0]];
    let expected = 6.0 / (1.0 + 2f64.sqrt());
    let lambda = sparse_group_lambda_max(&g, 0.5);
    assert!(
        (lambda - expected).abs() < 1e-14 * expected,
        "{lambda} vs {expected}"
    );
    // the group lasso's is ‖g‖/√p, and the sparse group's tends to it as α → 0
    let group = (10f64 / 2.0).sqrt();
    assert!((group_lambda_max(&g) - group).abs() < 1e-15);
    let nearly_group = sparse_group_lambda_max(&g, 1e-9);
    assert!(
        (nearly_group - group).abs() < 1e-7 * group,
        "{nearly_group} vs {group}"
    );
}

#[test]
fn for_a_linear_model_it_is_the_lassos_closed_form() {
    let train_data = data(300, 2);
    let lambda_max = first_layer_lambda_max(&initial_network(&[6, 1], 9), &train_data);
    let x = train_data.features().mapv(f64::from);
    let Targets::Regression(y) = train_data.targets() else {
        unreachable!()
    };
    let y = y.column(0).mapv(f64::from);
    let closed_form = lambda_max_l1(x.view(), y.view());
    // (2/n)·max|Xᵀ(y − ȳ)| on centred X, whatever the intercept; f32 sums.
    assert!(
        (lambda_max - closed_form).abs() < 1e-5 * closed_form,
        "{lambda_max} vs {closed_form}"
    );
}

#[test]
fn compaction_counts_what_compact_would_keep() {
    // 3 inputs → 2 hidden → 1 output. Input 1's column is zero (dropped);
    // hidden 1's outgoing weight is zero (dropped): left are inputs {0, 2},
    // hidden {0}: 1·(2 + 1) + 1·(1 + 1) = 5 parameters.
    let w1 = array![[1.0f32, 0.0, 2.0], [3.0, 0.0, 0.0]];
    let w2 = array![[4.0f32, 0.0]];
    let layers = vec![
        MlpLayer::Linear(Linear::from_arrays(w1, Some(array![0.5f32, 0.5])).unwrap()),
        MlpLayer::Activation(Activation::Relu),
        MlpLayer::Linear(Linear::from_arrays(w2, Some(array![0.0f32])).unwrap()),
    ];
    let model = Mlp::from_layers(layers).unwrap();
    let sparsity = NetworkSparsity::measure(&model);
    assert_eq!(sparsity.features_kept, [0, 2]);
    assert_eq!(sparsity.neurons_kept, [1]);
    assert_eq!(sparsity.params_after_compaction, 5);
    assert_eq!(sparsity.exact_zero_fraction, 4.0 / 8.0);
}
