//! One epoch of full-batch SGD with lr 1 from `--init` moves every
//! parameter by minus the gradient of the data loss, which is computed
//! here by central finite differences in f64 on a forward pass written
//! out independently (plain loops over the model file's numbers), for each
//! activation and both tasks.

mod fit_support;

use fit_support::{
    LinearParams, Scratch, assert_success, csv_text, fit, linear_layers, model_file_text,
    read_json, s,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Parameters as (weight rows, bias) per linear layer.
type Layers = Vec<LinearParams>;

/// Applies the named activation.
fn activate(name: &str, z: f64) -> f64 {
    match name {
        "relu" => z.max(0.0),
        "tanh" => z.tanh(),
        "sigmoid" => 1.0 / (1.0 + (-z).exp()),
        other => panic!("unknown activation {other}"),
    }
}

/// The data loss: MSE (plain mean) or mean softmax cross-entropy.
fn loss(layers: &Layers, activation: &str, x: &[Vec<f64>], y: &[f64], classify: bool) -> f64 {
    let mut total = 0.0;
    for (row, &target) in x.iter().zip(y) {
        let mut h = row.clone();
        for (i, (weight, bias)) in layers.iter().enumerate() {
            h = weight
                .iter()
                .zip(bias)
                .map(|(w, b)| w.iter().zip(&h).map(|(a, b)| a * b).sum::<f64>() + b)
                .collect();
            if i + 1 < layers.len() {
                h = h.iter().map(|&z| activate(activation, z)).collect();
            }
        }
        total += if classify {
            let max = h.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let log_sum = h.iter().map(|z| (z - max).exp()).sum::<f64>().ln() + max;
            log_sum - h[target as usize]
        } else {
            (h[0] - target).powi(2)
        };
    }
    total / x.len() as f64
}

/// Every parameter, flattened in file order.
fn flatten(layers: &Layers) -> Vec<f64> {
    layers
        .iter()
        .flat_map(|(w, b)| w.iter().flatten().chain(b).copied().collect::<Vec<_>>())
        .collect()
}

/// Central differences of `loss` with respect to every parameter.
fn numeric_gradient(
    layers: &Layers,
    activation: &str,
    x: &[Vec<f64>],
    y: &[f64],
    classify: bool,
) -> Vec<f64> {
    let h = 1e-6;
    let mut gradient = Vec::new();
    for l in 0..layers.len() {
        let (rows, cols) = (layers[l].0.len(), layers[l].0[0].len());
        let entries = (0..rows)
            .flat_map(|r| (0..cols).map(move |c| Some((r, c))))
            .chain((0..rows).map(|_| None))
            .enumerate();
        for (k, entry) in entries {
            let at = |delta: f64| {
                let mut moved = layers.clone();
                match entry {
                    Some((r, c)) => moved[l].0[r][c] += delta,
                    None => moved[l].1[k - rows * cols] += delta,
                }
                loss(&moved, activation, x, y, classify)
            };
            gradient.push((at(h) - at(-h)) / (2.0 * h));
        }
    }
    gradient
}

fn check(activation: &str, classify: bool) {
    let mut rng = StdRng::seed_from_u64(3);
    let (n, d, hidden, outputs) = (7, 3, 4, if classify { 3 } else { 1 });
    let x: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..d).map(|_| rng.random_range(-2.0..2.0)).collect())
        .collect();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            if classify {
                (i % outputs) as f64
            } else {
                rng.random_range(-1.0..1.0)
            }
        })
        .collect();
    let mut matrix = |rows: usize, cols: usize| -> Vec<Vec<f64>> {
        (0..rows)
            .map(|_| (0..cols).map(|_| rng.random_range(-0.8..0.8)).collect())
            .collect()
    };
    let init: Layers = vec![
        (matrix(hidden, d), matrix(1, hidden).remove(0)),
        (matrix(outputs, hidden), matrix(1, outputs).remove(0)),
    ];
    let scratch = Scratch::new(&format!("gradient-{activation}-{classify}"));
    let rows: Vec<Vec<f64>> = x
        .iter()
        .zip(&y)
        .map(|(r, t)| r.iter().copied().chain([*t]).collect())
        .collect();
    let data = scratch.write("data.csv", &csv_text(&["a", "b", "c", "t"], &rows));
    let task = if classify {
        "classification"
    } else {
        "regression"
    };
    let model = model_file_text(
        task,
        &["a", "b", "c"],
        "t",
        &[
            ("linear", init[0].0.clone(), init[0].1.clone()),
            (activation, vec![], vec![]),
            ("linear", init[1].0.clone(), init[1].1.clone()),
        ],
    );
    let init_path = scratch.write("init.json", &model);
    let out = scratch.path("out.json");
    assert_success(&fit(&[
        "--data",
        s(&data),
        "--target",
        "t",
        "--task",
        task,
        "--hidden",
        "4",
        "--activation",
        activation,
        "--init",
        s(&init_path),
        "--dtype",
        "f64",
        "--lr",
        "1",
        "--epochs",
        "1",
        "--batch-size",
        "0",
        "--quiet",
        "--out",
        s(&out),
    ]));
    let trained = linear_layers(&read_json(&out));
    let step: Vec<f64> = flatten(&trained)
        .iter()
        .zip(flatten(&init))
        .map(|(after, before)| after - before)
        .collect();
    let gradient = numeric_gradient(&init, activation, &x, &y, classify);
    assert!(
        gradient.iter().any(|g| g.abs() > 1e-3),
        "a trivial gradient tests nothing"
    );
    for (k, (moved, g)) in step.iter().zip(&gradient).enumerate() {
        assert!(
            (moved + g).abs() < 1e-7,
            "{activation}/{task}: parameter {k} moved {moved}, minus the gradient is {}",
            -g
        );
    }
}

#[test]
fn relu_regression_step_is_minus_the_gradient() {
    check("relu", false);
}

#[test]
fn tanh_regression_step_is_minus_the_gradient() {
    check("tanh", false);
}

#[test]
fn sigmoid_regression_step_is_minus_the_gradient() {
    check("sigmoid", false);
}

#[test]
fn relu_classification_step_is_minus_the_gradient() {
    check("relu", true);
}

#[test]
fn tanh_classification_step_is_minus_the_gradient() {
    check("tanh", true);
}

#[test]
fn sigmoid_classification_step_is_minus_the_gradient() {
    check("sigmoid", true);
}
