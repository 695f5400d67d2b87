//! The shared training loop against a simulation written out by hand.

use ndarray::{Array2, array};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad_autograd::Tensor;
use sparsegrad_nn::activation::Activation;
use sparsegrad_nn::clip::Clip;
use sparsegrad_nn::data::{Dataset, Examples, Targets};
use sparsegrad_nn::linear::Linear;
use sparsegrad_nn::mlp::{Mlp, MlpLayer};
use sparsegrad_nn::module::Module;
use sparsegrad_nn::optim::Optimizer;
use sparsegrad_nn::optim::{GroupRules, ParamGroup, Sgd, SgdConfig};
use sparsegrad_nn::regularize::Penalty;
use sparsegrad_nn::schedule::Schedule;
use sparsegrad_nn::train::{
    Control, EVAL_ROWS, TrainOptions, evaluate_loss, penalty_total, predict, train, train_step,
};

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
        ..TrainOptions::default()
    };
    let mut seen = Vec::new();
    let got = train(
        &model,
        &mut opt,
        &data(&xs, &ys),
        options,
        &mut StdRng::seed_from_u64(0),
        |end| seen.push((end.epoch, end.loss)),
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
        ..TrainOptions::default()
    };
    let d = data(&[1.0, 2.0], &[0.0, 1.0]);
    let err = train(
        &model,
        &mut opt,
        &d,
        options,
        &mut StdRng::seed_from_u64(0),
        |_| {},
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
    let penalty = Penalty::l1_subgradient(0.1).and(Penalty::l2(0.2));
    // the weights inherit the default; the biases are not penalized
    let groups = GroupRules::new().build(model.named_parameters());
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
            ..TrainOptions::default()
        };
        train(&model, &mut opt, &d, options, &mut rng, |_| {}).unwrap();
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
    let loss = train_step(&model, &mut opt, &x, &y, Clip::None);
    assert!((loss - 3.125).abs() < 1e-12);
    let params = w_and_b(&model);
    assert!((params[0] - (0.5 + 0.1 * 5.5)).abs() < 1e-12, "{params:?}");
    assert!((params[1] - (0.0 + 0.1 * 3.5)).abs() < 1e-12, "{params:?}");

    // the second step starts from zeroed gradients: at w = 1.05, b = 0.35,
    // r = [1.4 − 2, 2.45 − 3] = [−0.6, −0.55], ∂L/∂w = −1.7, ∂L/∂b = −1.15
    let loss = train_step(&model, &mut opt, &x, &y, Clip::None);
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
    let loss = train_step(&model, &mut opt, &x, &y, Clip::None);
    assert!(loss.is_nan());
    let params = w_and_b(&model);
    assert_eq!(params, [0.5, 0.25]);
}

/// The bits of every parameter of `model`.
fn bits(model: &Mlp<f64>) -> Vec<u64> {
    model
        .parameters()
        .iter()
        .flat_map(|p| p.to_array().iter().map(|v| v.to_bits()).collect::<Vec<_>>())
        .collect()
}

#[test]
fn the_callback_stops_the_run_after_the_epoch_it_answers_stop() {
    let (xs, ys) = ([1.0, 2.0, -1.0, 0.5, 3.0], [2.0, 3.0, 0.0, 1.0, 5.0]);
    let options = |epochs| TrainOptions {
        epochs,
        batch_size: 2,
        ..TrainOptions::default()
    };
    let run = |epochs: usize, stop_after: usize| {
        let model = line(0.5, 0.0);
        let mut opt = sgd(&model, 0.05);
        let mut rng = StdRng::seed_from_u64(0);
        let history = train(
            &model,
            &mut opt,
            &data(&xs, &ys),
            options(epochs),
            &mut rng,
            |end| {
                if end.epoch == stop_after {
                    Control::Stop
                } else {
                    Control::Continue
                }
            },
        )
        .unwrap();
        (history, bits(&model))
    };
    let (stopped, stopped_bits) = run(100, 3);
    let (three, three_bits) = run(3, 0);
    assert_eq!(stopped.len(), 3);
    assert_eq!(stopped, three);
    assert_eq!(stopped_bits, three_bits);
}

#[test]
fn plain_arrays_train_bit_for_bit_as_a_dataset_does() {
    let (xs, ys) = (
        [1.0, 2.0, -1.0, 0.5, 3.0, 1.5],
        [2.0, 3.0, 0.0, 1.0, 5.0, 2.5],
    );
    let options = TrainOptions {
        epochs: 4,
        batch_size: 4,
        shuffle: true,
        ..TrainOptions::default()
    };
    let with_names = data(&xs, &ys);
    let model = line(0.5, 0.0);
    let mut opt = sgd(&model, 0.05);
    let a = train(
        &model,
        &mut opt,
        &with_names,
        options,
        &mut StdRng::seed_from_u64(3),
        |_| {},
    )
    .unwrap();
    let a_bits = bits(&model);

    let x = Array2::from_shape_vec((xs.len(), 1), xs.to_vec()).unwrap();
    let y = Targets::Regression(Array2::from_shape_vec((ys.len(), 1), ys.to_vec()).unwrap());
    let model = line(0.5, 0.0);
    let mut opt = sgd(&model, 0.05);
    let examples = Examples::new(x.view(), &y);
    let b = train(
        &model,
        &mut opt,
        &examples,
        options,
        &mut StdRng::seed_from_u64(3),
        |_| {},
    )
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(a_bits, bits(&model));
}

/// One full-batch step of y = w·x + b under MSE, written out: the gradient
/// (∂L/∂w, ∂L/∂b) = (mean 2·r·x, mean 2·r) with r = w·x + b − y.
fn mse_gradient(w: f64, b: f64, xs: &[f64], ys: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    xs.iter().zip(ys).fold((0.0, 0.0), |(gw, gb), (&x, &y)| {
        let r = w * x + b - y;
        (gw + 2.0 * r * x / n, gb + 2.0 * r / n)
    })
}

#[test]
fn a_schedule_in_train_sets_each_epochs_rate_as_steplr_does() {
    let (xs, ys) = ([1.0, 2.0, -1.0], [2.0, 3.0, 0.5]);
    let model = line(0.5, 0.0);
    let mut opt = sgd(&model, 0.1);
    let options = TrainOptions {
        epochs: 5,
        schedule: Schedule::Step {
            step_size: 2,
            gamma: 0.5,
        },
        ..TrainOptions::default()
    };
    train(
        &model,
        &mut opt,
        &data(&xs, &ys),
        options,
        &mut StdRng::seed_from_u64(0),
        |_| {},
    )
    .unwrap();
    // StepLR(step_size 2, γ 0.5): epochs 0..5 at 0.1, 0.1, 0.05, 0.05, 0.025
    let (mut w, mut b) = (0.5, 0.0);
    for lr in [0.1, 0.1, 0.05, 0.05, 0.025] {
        let (gw, gb) = mse_gradient(w, b, &xs, &ys);
        (w, b) = (w - lr * gw, b - lr * gb);
    }
    let got = w_and_b(&model);
    assert!(
        (got[0] - w).abs() < 1e-14 && (got[1] - b).abs() < 1e-14,
        "{got:?} vs {w}, {b}"
    );
    assert_eq!(opt.lr(0), 0.025, "the last epoch's rate stays set");
}

#[test]
fn clipping_in_a_train_step_acts_between_backward_and_the_update() {
    // at w = 0.5, b = 0 on x = [1, 2], y = [2, 3]: g = (−5.5, −3.5), ‖g‖ = √42.5
    let (x, y) = (
        Tensor::new(array![[1.0], [2.0]]),
        Targets::Regression(array![[2.0], [3.0]]),
    );
    let model = line(0.5, 0.0);
    let mut opt = sgd(&model, 0.1);
    train_step(&model, &mut opt, &x, &y, Clip::Norm(1.0));
    let scale = 1.0 / (42.5f64.sqrt() + 1e-6);
    let got = w_and_b(&model);
    assert!(
        (got[0] - (0.5 + 0.1 * 5.5 * scale)).abs() < 1e-15,
        "{got:?}"
    );
    assert!((got[1] - 0.1 * 3.5 * scale).abs() < 1e-15, "{got:?}");

    let model = line(0.5, 0.0);
    let mut opt = sgd(&model, 0.1);
    train_step(&model, &mut opt, &x, &y, Clip::Value(1.0));
    assert_eq!(w_and_b(&model), [0.5 + 0.1, 0.1]);
}

#[test]
fn an_optimizer_step_bumps_the_version_so_a_stale_graph_cannot_be_replayed() {
    let model = line(0.5, 0.0);
    let mut opt = sgd(&model, 0.1);
    let w = model.parameters()[0].clone();
    let x = Tensor::new(array![[1.0], [2.0]]);
    let loss = model.forward(&x).sum();
    loss.backward_retain_graph();
    let before = w.version();
    opt.step();
    assert_eq!(w.version(), before + 1);
    let replay = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| loss.backward()));
    let message = *replay.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("modified by an in-place operation: input 1 of `linear`"),
        "{message}"
    );
}

/// A data set of more than [`EVAL_ROWS`] rows is evaluated in parts (one
/// pass of 200 000 rows through a wide layer asked for 52 GB): the loss is
/// still the mean over every row, written out here for y = 2x + 1 with
/// residuals r_i = y_i − (2x_i + 1), and the predictions are every row's.
#[test]
fn a_large_data_set_is_evaluated_in_parts_with_the_same_result() {
    let n = 2 * EVAL_ROWS + 37;
    let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let y: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| 2.0 * v + 1.0 + (i % 7) as f64 * 0.1)
        .collect();
    let model = line(2.0, 1.0);
    let by_hand: f64 = x
        .iter()
        .zip(&y)
        .map(|(&v, &t)| (t - (2.0 * v + 1.0)).powi(2))
        .sum::<f64>()
        / n as f64;
    let loss = evaluate_loss(&model, &data(&x, &y));
    assert!(
        (loss - by_hand).abs() <= 1e-12 * by_hand,
        "{loss} vs {by_hand}"
    );
    let features = Array2::from_shape_vec((n, 1), x.clone()).unwrap();
    let outputs = predict(&model, &features);
    assert_eq!(outputs.shape(), [n, 1]);
    for (i, &v) in x.iter().enumerate() {
        assert_eq!(outputs[[i, 0]], 2.0 * v + 1.0, "row {i}");
    }
}
