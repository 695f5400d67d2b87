//! The built `compact` program: what it removes, that `predict` on its
//! output gives the same predictions, its report, and its errors.

mod fit_support;

use fit_support::{
    Scratch, assert_error, assert_success, compact, csv_text, model_file_text, predict, read_json,
    s,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

/// A 4 → 3 → 1 tanh network, f64, standardized: feature `b` has an
/// all-zero column; hidden neuron 2 has an all-zero outgoing weight;
/// hidden neuron 0 has an all-zero incoming row (a constant, folded).
fn model_text() -> String {
    let text = model_file_text(
        "regression",
        &["a", "b", "c", "d"],
        "y",
        &[
            (
                "linear",
                vec![
                    vec![0.0, 0.0, 0.0, 0.0],
                    vec![0.5, 0.0, -1.25, 2.0],
                    vec![1.5, 0.0, 0.75, -0.5],
                ],
                vec![0.3, -0.2, 0.1],
            ),
            ("tanh", vec![], vec![]),
            ("linear", vec![vec![2.0, -1.5, 0.0]], vec![0.25]),
        ],
    );
    let mut model: Value = serde_json::from_str(&text).unwrap();
    model["standardize"] =
        serde_json::json!({"mean": [1.0, 2.0, 3.0, 4.0], "std": [0.5, 1.0, 2.0, 4.0]});
    serde_json::to_string_pretty(&model).unwrap()
}

/// The `prediction` column of predict's output.
fn predictions(output: &std::process::Output) -> Vec<f64> {
    assert_success(output);
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("prediction"));
    lines.map(|l| l.parse().unwrap()).collect()
}

#[test]
fn removes_the_unused_feature_and_neurons_and_predicts_the_same() {
    let scratch = Scratch::new("compact-removes");
    let model = scratch.write("model.json", &model_text());
    let mut rng = StdRng::seed_from_u64(3);
    let rows: Vec<Vec<f64>> = (0..50)
        .map(|_| (0..4).map(|_| rng.random_range(-5.0..5.0)).collect())
        .collect();
    let data = scratch.write("data.csv", &csv_text(&["a", "b", "c", "d"], &rows));
    let out = scratch.path("small.json");
    let report = scratch.path("report.json");
    let run = compact(&[
        "--model",
        s(&model),
        "--out",
        s(&out),
        "--report",
        s(&report),
    ]);
    assert_success(&run);

    let small = read_json(&out);
    assert_eq!(small["features"], serde_json::json!(["a", "c", "d"]));
    assert_eq!(
        small["standardize"],
        serde_json::json!({"mean": [1.0, 3.0, 4.0], "std": [0.5, 2.0, 4.0]})
    );
    // Only hidden neuron 1 is left; neuron 0's share 2·tanh(0.3) is in the bias.
    assert_eq!(
        small["layers"][0]["weight"],
        serde_json::json!([[0.5, -1.25, 2.0]])
    );
    assert_eq!(small["layers"][2]["weight"], serde_json::json!([[-1.5]]));
    assert_eq!(
        small["layers"][2]["bias"][0].as_f64().unwrap(),
        0.25 + 2.0 * 0.3f64.tanh()
    );

    let before = predictions(&predict(&["--model", s(&model), "--data", s(&data)]));
    let after = predictions(&predict(&["--model", s(&out), "--data", s(&data)]));
    assert_eq!(before.len(), 50);
    for (b, a) in before.iter().zip(&after) {
        assert!((b - a).abs() <= 1e-12 * (1.0 + b.abs()), "{b} vs {a}");
    }

    let report = read_json(&report);
    assert_eq!(
        report,
        serde_json::json!({
            "before": {"parameters": 4 * 3 + 3 + 3 + 1, "features": 4, "neurons": [3]},
            "after": {"parameters": 3 + 1 + 1 + 1, "features": 3, "neurons": [1]},
            "features_kept": ["a", "c", "d"],
        })
    );
    let table = String::from_utf8(run.stdout).unwrap();
    assert!(
        table.contains("parameters") && table.contains("19") && table.contains("6"),
        "{table}"
    );
    assert!(table.contains("neurons, hidden layer 1"), "{table}");
}

#[test]
fn out_naming_the_model_file_is_refused_and_leaves_it_alone() {
    let scratch = Scratch::new("compact-same-file");
    let text = model_text();
    let model = scratch.write("model.json", &text);
    let link = scratch.path("link.json");
    std::os::unix::fs::symlink(&model, &link).unwrap();
    let dotted = scratch.dir.join(".").join("model.json");
    for out in [&model, &link, &dotted] {
        let output = compact(&["--model", s(&model), "--out", s(out)]);
        assert_error(&output, "is the same file as --model");
        assert_eq!(std::fs::read_to_string(&model).unwrap(), text);
    }
    let output = compact(&[
        "--model",
        s(&model),
        "--out",
        s(&scratch.path("o.json")),
        "--report",
        s(&model),
    ]);
    assert_error(&output, "is the same file as --model");
    assert!(!scratch.path("o.json").exists());
}

#[test]
fn a_missing_or_bad_model_file_is_one_error_line() {
    let scratch = Scratch::new("compact-bad-model");
    let out = scratch.path("out.json");
    assert_error(
        &compact(&["--model", s(&scratch.path("none.json")), "--out", s(&out)]),
        "none.json",
    );
    let bad = scratch.write("bad.json", "{\"format\": \"sparsegrad-model\"");
    assert_error(
        &compact(&["--model", s(&bad), "--out", s(&out)]),
        "bad.json",
    );
    assert!(!out.exists());
}
