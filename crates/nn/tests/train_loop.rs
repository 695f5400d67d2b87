//! The shared training loop against a simulation written out by hand.

use ndarray::{Array2, array};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad_autograd::Tensor;
use sparsegrad_nn::activation::Activation;
use sparsegrad_nn::data::{Dataset, Targets};
use sparsegrad_nn::linear::Linear;
use sparsegrad_nn::mlp::{Mlp, MlpLayer};
use sparsegrad_nn::module::Module;
use sparsegrad_nn::optim::{GroupOptions, GroupRules, ParamGroup, Sgd, SgdConfig};
use sparsegrad_nn::regularize::Penalty;
use sparsegrad_nn::train::{TrainOptions, evaluate_loss, penalty_total, train};

/// y = w·x + b as an Mlp, in f64.
fn line(w: f64, b: f64) -> Mlp<f64> {
    let linear = Linear::from_arrays(array![[w]], Some(array![b])).unwrap();
    Mlp::from_layers(vec![MlpLayer::Linear(linear)]).unwrap()
}

fn data(x: &[f64], y: &[f64]) -> Dataset<f64> {
    let x = Array2::from_shape_vec((x.len(), 1), x.to_vec()).unwrap();
    let y = Array2::from_shape_vec((y.len(), 1), y.to_vec()).unwrap();
    Dataset::new(x, Targets::Regression(y), vec!["x".into()], "y".into())
}

fn sgd(model: &Mlp<f64>, lr: f64) -> Sgd<f64> {
    Sgd::new(
        vec![ParamGroup::new(model.named_parameters())],
        SgdConfig {
            lr,
            ..SgdConfig::default()
        },
    )
    .unwrap()
}

#[test]
fn epoch_losses_are_means_of_batch_losses_taken_before_each_update() {
    let (xs, ys) = ([1.0, 2.0, -1.0, 0.5, 3.0], [2.0, 3.0, 0.0, 1.0, 5.0]);
    let model = line(0.5, 0.0);
    let mut opt = sgd(&model, 0.05);
    let options = TrainOptions {
        epochs: 2,
        batch_size: 2,
        shuffle: false,
    };
    let mut seen = Vec::new();
    let got = train(
        &model,
        &mut opt,
        &data(&xs, &ys),
        options,
        &mut StdRng::seed_from_u64(0),
        |e, l| seen.push((e, l)),
    )
    .unwrap();

    // By hand: batches {0,1}, {2,3}, {4} in file order; MSE = mean (wx+b−y)²,
    // ∂/∂w = mean 2(wx+b−y)x, ∂/∂b = mean 2(wx+b−y); plain SGD.
    let (mut w, mut b) = (0.5, 0.0);
    let mut want = Vec::new();
    for _ in 0..2 {
        let mut losses = Vec::new();
        for batch in [&[0, 1][..], &[2, 3], &[4]] {
            let n = batch.len() as f64;
            let r: Vec<f64> = batch.iter().map(|&i| w * xs[i] + b - ys[i]).collect();
            losses.push(r.iter().map(|r| r * r).sum::<f64>() / n);
            let gw: f64 = batch
                .iter()
                .zip(&r)
                .map(|(&i, r)| 2.0 * r * xs[i])
                .sum::<f64>()
                / n;
            let gb: f64 = r.iter().map(|r| 2.0 * r).sum::<f64>() / n;
            w -= 0.05 * gw;
            b -= 0.05 * gb;
        }
        want.push(losses.iter().sum::<f64>() / 3.0);
    }
    for (g, h) in got.iter().zip(&want) {
        assert!((g - h).abs() < 1e-12, "{got:?} vs {want:?}");
    }
    assert_eq!(seen.iter().map(|&(e, _)| e).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(seen.iter().map(|&(_, l)| l).collect::<Vec<_>>(), got);
    let trained = model.first_layer_weight().item();
    assert!((trained - w).abs() < 1e-12);
    // the final loss over all the data, with the final parameters
    let final_loss: f64 = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| (w * x + b - y).powi(2))
        .sum::<f64>()
        / 5.0;
    assert!((evaluate_loss(&model, &data(&xs, &ys)) - final_loss).abs() < 1e-12);
}

#[test]
fn a_diverging_loss_names_its_epoch_and_step() {
    let model = line(1.0, 0.0);
    let mut opt = sgd(&model, 50.0); // |1 − 2·lr·x²| ≫ 1: the error grows ~100× a step
    let options = TrainOptions {
        epochs: 1000,
        batch_size: 1,
        shuffle: false,
    };
    let d = data(&[1.0, 2.0], &[0.0, 1.0]);
    let err = train(
        &model,
        &mut opt,
        &d,
        options,
        &mut StdRng::seed_from_u64(0),
        |_, _| {},
    )
    .unwrap_err();
    assert!(err.value.is_infinite() || err.value.is_nan());
    assert!(
        err.epoch > 1 && err.epoch < 1000 && (1..=2).contains(&err.step),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "loss became {} at epoch {}, step {}",
            err.value, err.epoch, err.step
        )
    );
}

#[test]
fn the_penalty_total_sums_each_group_with_its_own_penalty() {
    let linear =
        Linear::from_arrays(array![[1.0, -2.0], [0.0, 3.0]], Some(array![4.0, -5.0])).unwrap();
    let model = Mlp::from_layers(vec![MlpLayer::Linear(linear)]).unwrap();
    let penalty = Penalty {
        l1: 0.1,
        l2: 0.2,
        ..Penalty::default()
    };
    let groups = GroupRules::new()
        .rule(
            |name| name.ends_with(".bias"),
            GroupOptions::with_penalty(Penalty::default()),
        )
        .build(model.named_parameters());
    let config = SgdConfig {
        lr: 0.1,
        penalty,
        ..SgdConfig::default()
    };
    let opt = Sgd::new(groups, config).unwrap();
    // weights only: 0.1·(1 + 2 + 0 + 3) + 0.2/2·(1 + 4 + 0 + 9); biases unpenalized
    assert!((penalty_total(&opt) - (0.6 + 1.4)).abs() < 1e-12);
}

#[test]
fn the_same_seed_gives_the_same_bits_and_another_seed_does_not() {
    let run = |seed: u64| {
        let mut rng = StdRng::seed_from_u64(seed);
        let model = Mlp::<f32>::new(&[3, 8, 1], Activation::Tanh, &mut rng);
        let x = Tensor::<f32>::rand_normal(&[40, 3], 0.0, 1.0, &mut rng).to_array();
        let x: Array2<f32> = x.into_dimensionality().unwrap();
        let y = x
            .map_axis(ndarray::Axis(1), |r| r[0] - r[1] * r[2])
            .insert_axis(ndarray::Axis(1));
        let d = Dataset::new(
            x,
            Targets::Regression(y),
            vec!["a".into(), "b".into(), "c".into()],
            "y".into(),
        );
        let mut opt = Sgd::new(
            vec![ParamGroup::new(model.named_parameters())],
            SgdConfig {
                lr: 0.05,
                ..SgdConfig::default()
            },
        )
        .unwrap();
        let options = TrainOptions {
            epochs: 5,
            batch_size: 8,
            shuffle: true,
        };
        train(&model, &mut opt, &d, options, &mut rng, |_, _| {}).unwrap();
        model
            .named_parameters()
            .iter()
            .flat_map(|(_, p)| p.to_array().iter().map(|v| v.to_bits()).collect::<Vec<_>>())
            .collect::<Vec<u32>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

/// [w, b] of a `line`.
fn w_and_b(model: &Mlp<f64>) -> Vec<f64> {
    let first = |p: &Tensor<f64>| *p.value().iter().next().expect("one element");
    model.parameters().iter().map(first).collect()
}

#[test]
fn one_train_step_is_the_sgd_update_written_out() {
    // y = w·x + b at w = 0.5, b = 0 on x = [1, 2], y = [2, 3]:
    // residuals r = wx + b − y = [−1.5, −2], L = mean r² = 3.125,
    // ∂L/∂w = mean 2·r·x = −5.5, ∂L/∂b = mean 2·r = −3.5
    let model = line(0.5, 0.0);
    let mut opt = sgd(&model, 0.1);
    let x = Tensor::new(array![[1.0], [2.0]]);
    let y = Targets::Regression(array![[2.0], [3.0]]);
    let loss = sparsegrad_nn::train::train_step(&model, &mut opt, &x, &y);
    assert!((loss - 3.125).abs() < 1e-12);
    let params = w_and_b(&model);
    assert!((params[0] - (0.5 + 0.1 * 5.5)).abs() < 1e-12, "{params:?}");
    assert!((params[1] - (0.0 + 0.1 * 3.5)).abs() < 1e-12, "{params:?}");

    // the second step starts from zeroed gradients: at w = 1.05, b = 0.35,
    // r = [1.4 − 2, 2.45 − 3] = [−0.6, −0.55], ∂L/∂w = −1.7, ∂L/∂b = −1.15
    let loss = sparsegrad_nn::train::train_step(&model, &mut opt, &x, &y);
    assert!((loss - (0.36 + 0.3025) / 2.0).abs() < 1e-12);
    let params = w_and_b(&model);
    assert!((params[0] - (1.05 + 0.1 * 1.7)).abs() < 1e-12, "{params:?}");
    assert!(
        (params[1] - (0.35 + 0.1 * 1.15)).abs() < 1e-12,
        "{params:?}"
    );
}

#[test]
fn a_train_step_with_a_non_finite_loss_leaves_the_parameters_alone() {
    let model = line(0.5, 0.25);
    let mut opt = sgd(&model, 0.1);
    let x = Tensor::new(array![[1.0], [2.0]]);
    let y = Targets::Regression(array![[f64::NAN], [3.0]]);
    let loss = sparsegrad_nn::train::train_step(&model, &mut opt, &x, &y);
    assert!(loss.is_nan());
    let params = w_and_b(&model);
    assert_eq!(params, [0.5, 0.25]);
}
