//! Same inputs and seed give byte-identical model files; `predict`
//! reproduces the predictions the library computes from the model file,
//! and agrees with a forward pass written out here in f64.

mod fit_support;

use fit_support::{Scratch, assert_success, csv_text, fit, predict, s};
use ndarray::Array2;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sparsegrad::io::csv::read_csv_features;
use sparsegrad::io::model_file::{AnyModelFile, ModelFile};
use sparsegrad::nn::train;

/// A small data set: 4 features, a real target `y` and a label `label`.
fn data_text() -> String {
    let mut rng = StdRng::seed_from_u64(5);
    let rows: Vec<Vec<f64>> = (0..40)
        .map(|_| {
            let x: Vec<f64> = (0..4)
                .map(|_| rng.random_range(-3.0..3.0) * 10.0 + 5.0)
                .collect();
            let y = 0.3 * x[0] - 0.2 * x[3] + rng.random_range(-0.1..0.1);
            let label = if x[0] > 5.0 {
                1.0
            } else if x[1] > 5.0 {
                2.0
            } else {
                0.0
            };
            x.into_iter().chain([y, label]).collect()
        })
        .collect();
    csv_text(&["a", "b", "c", "d", "y", "label"], &rows)
}

/// Trains a small MLP with shuffled mini-batches; returns the model bytes.
fn train_mlp(scratch: &Scratch, data: &str, extra: &[&str], out: &str) -> Vec<u8> {
    let out = scratch.path(out);
    let mut args = vec![
        "--data",
        data,
        "--hidden",
        "5",
        "--epochs",
        "5",
        "--batch-size",
        "8",
        "--lr",
        "0.05",
        "--standardize",
        "--quiet",
        "--out",
        s(&out),
    ];
    args.extend_from_slice(extra);
    assert_success(&fit(&args));
    std::fs::read(out).unwrap()
}

#[test]
fn the_same_seed_gives_byte_identical_model_files() {
    let scratch = Scratch::new("seed");
    let data = scratch.write("data.csv", &data_text());
    let regression = ["--target", "y", "--features", "a,b,c,d", "--seed", "9"];
    let first = train_mlp(&scratch, s(&data), &regression, "first.json");
    let second = train_mlp(&scratch, s(&data), &regression, "second.json");
    assert_eq!(first, second);
    // The seed matters (so the equality above is not vacuous).
    let other_seed = ["--target", "y", "--features", "a,b,c,d", "--seed", "10"];
    assert_ne!(
        first,
        train_mlp(&scratch, s(&data), &other_seed, "third.json")
    );
}

/// Column values of a CSV text with a header, as strings.
fn read_output(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|line| line.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

/// The features of the data file in the model's order, standardized as
/// the model file says, in f64.
fn model_inputs(model: &ModelFile<f32>, data: &std::path::Path) -> Array2<f64> {
    let mut x = read_csv_features(data, model.features()).unwrap();
    let standardize = model.standardize().expect("trained with --standardize");
    for mut row in x.rows_mut() {
        for ((v, m), sd) in row
            .iter_mut()
            .zip(standardize.mean())
            .zip(standardize.std())
        {
            *v = (*v - m) / sd;
        }
    }
    x
}

/// The forward pass of a one-hidden-layer relu MLP, in f64, by hand.
fn by_hand(model: &ModelFile<f32>, x: &Array2<f64>) -> Vec<Vec<f64>> {
    let layers: Vec<_> = model.linear_layers().collect();
    x.rows()
        .into_iter()
        .map(|row| {
            let mut h: Vec<f64> = row.to_vec();
            for (i, (_, weight, bias)) in layers.iter().enumerate() {
                h = weight
                    .rows()
                    .into_iter()
                    .zip(bias.iter())
                    .map(|(w, b)| {
                        w.iter().zip(&h).map(|(w, v)| *w as f64 * v).sum::<f64>() + *b as f64
                    })
                    .collect();
                if i + 1 < layers.len() {
                    h.iter_mut().for_each(|z| *z = z.max(0.0));
                }
            }
            h
        })
        .collect()
}

fn load_f32(path: &std::path::Path) -> ModelFile<f32> {
    match AnyModelFile::load(path).unwrap() {
        AnyModelFile::F32(model) => model,
        AnyModelFile::F64(_) => panic!("fit writes f32 by default"),
    }
}

#[test]
fn predict_reproduces_the_library_regression() {
    let scratch = Scratch::new("predict-regression");
    let data = scratch.write("data.csv", &data_text());
    train_mlp(
        &scratch,
        s(&data),
        &["--target", "y", "--features", "a,b,c,d"],
        "model.json",
    );
    let model_path = scratch.path("model.json");
    let output = predict(&["--model", s(&model_path), "--data", s(&data)]);
    assert_success(&output);
    let (header, rows) = read_output(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(header, ["prediction"]);

    let model = load_f32(&model_path);
    let inputs = model_inputs(&model, &data);
    let library = train::predict(&model.to_mlp(), &inputs.mapv(|v| v as f32));
    let expected = by_hand(&model, &inputs);
    assert_eq!(rows.len(), 40);
    for (i, row) in rows.iter().enumerate() {
        let value: f32 = row[0].parse().unwrap();
        assert_eq!(value, library[[i, 0]], "row {i}");
        assert_eq!(
            row[0],
            format!("{}", library[[i, 0]]),
            "shortest form, row {i}"
        );
        assert!((value as f64 - expected[i][0]).abs() < 1e-4 * (1.0 + expected[i][0].abs()));
    }
    // --out writes the same text to a file.
    let out = scratch.path("predictions.csv");
    assert_success(&predict(&[
        "--model",
        s(&model_path),
        "--data",
        s(&data),
        "--out",
        s(&out),
    ]));
    let again = predict(&["--model", s(&model_path), "--data", s(&data)]);
    assert_eq!(std::fs::read(&out).unwrap(), again.stdout);
}

#[test]
fn predict_reproduces_the_library_classification() {
    let scratch = Scratch::new("predict-classification");
    let data = scratch.write("data.csv", &data_text());
    let task = [
        "--target",
        "label",
        "--features",
        "a,b,c,d",
        "--task",
        "classification",
    ];
    train_mlp(&scratch, s(&data), &task, "model.json");
    let model_path = scratch.path("model.json");
    let output = predict(&["--model", s(&model_path), "--data", s(&data)]);
    assert_success(&output);
    let (header, rows) = read_output(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(header, ["class", "p_0", "p_1", "p_2"]);

    let model = load_f32(&model_path);
    let logits = by_hand(&model, &model_inputs(&model, &data));
    for (i, row) in rows.iter().enumerate() {
        let p: Vec<f32> = row[1..].iter().map(|v| v.parse().unwrap()).collect();
        let max = logits[i].iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = logits[i].iter().map(|z| (z - max).exp()).sum();
        for (k, pk) in p.iter().enumerate() {
            let expected = (logits[i][k] - max).exp() / sum;
            assert!(
                (*pk as f64 - expected).abs() < 1e-5,
                "row {i}, p_{k}: {pk} vs {expected}"
            );
        }
        let best = (0..3).fold(0, |b, k| if p[k] > p[b] { k } else { b });
        assert_eq!(row[0], best.to_string(), "row {i}");
    }
}
