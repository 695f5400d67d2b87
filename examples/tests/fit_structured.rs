//! The built `fit` with the structured options: the group lasso zeroes
//! whole feature columns and whole neuron columns, `compact` then removes
//! them and `predict` agrees; the metrics' new fields and the objective's
//! group terms; the options' errors.

mod fit_support;

use fit_support::{
    Scratch, assert_error, assert_success, compact, csv_text, fit_on, linear_layers, predict,
    read_json, s,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// 8 features, y from features 0 and 1 only; 200 rows.
fn data_text() -> String {
    let mut rng = StdRng::seed_from_u64(11);
    let rows: Vec<Vec<f64>> = (0..200)
        .map(|_| {
            let x: Vec<f64> = (0..8).map(|_| rng.random_range(-2.0..2.0)).collect();
            let y = 1.5 * x[0] - x[1] * x[0].abs() + rng.random_range(-0.05..0.05);
            x.into_iter().chain([y]).collect()
        })
        .collect();
    let header = ["a", "b", "c", "d", "e", "f", "g", "h", "y"];
    csv_text(&header, &rows)
}

/// Runs fit with `extra` options on the data; returns (model, metrics) paths.
fn run_fit(scratch: &Scratch, extra: &[&str]) -> (std::path::PathBuf, std::path::PathBuf) {
    let data = scratch.write("data.csv", &data_text());
    let (out, metrics) = (scratch.path("model.json"), scratch.path("metrics.json"));
    let mut args = vec![
        "--hidden",
        "16",
        "--dtype",
        "f64",
        "--lr",
        "0.05",
        "--epochs",
        "150",
        "--batch-size",
        "0",
        "--out",
        s(&out),
        "--metrics",
        s(&metrics),
    ];
    args.extend_from_slice(extra);
    assert_success(&fit_on(&data, &args));
    (out, metrics)
}

#[test]
fn group_penalties_zero_whole_columns_that_compact_removes() {
    let scratch = Scratch::new("fit-structured-groups");
    let (out, metrics) = run_fit(&scratch, &["--group-l1", "0.2", "--neuron-l1", "0.02"]);
    let layers = linear_layers(&read_json(&out));
    let (w1, w2) = (&layers[0].0, &layers[1].0);
    let zero_feature = |j: usize| w1.iter().all(|row| row[j] == 0.0);
    let zero_neuron = |i: usize| w2.iter().all(|row| row[i] == 0.0);
    let zero_features = (0..8).filter(|&j| zero_feature(j)).count();
    let zero_neurons = (0..16).filter(|&i| zero_neuron(i)).count();
    // the noise features and some neurons are gone as wholes; the signal stays
    assert!(zero_features >= 4, "{zero_features} zero feature columns");
    assert!(!zero_feature(0) && !zero_feature(1));
    assert!(zero_neurons >= 1, "{zero_neurons} zero neuron columns");
    let m = read_json(&metrics);
    let sparsity = &m["sparsity"];
    assert_eq!(sparsity["zero_groups"], zero_features);
    assert_eq!(
        sparsity["neurons_kept"],
        serde_json::json!([16 - zero_neurons])
    );
    assert_eq!(
        sparsity["selected_features"].as_array().unwrap().len(),
        8 - zero_features
    );

    // final_objective = loss + λg·Σ √16·‖W₁[:, j]‖ + λn·Σ √1·‖W₂[:, i]‖
    let column_norm =
        |w: &Vec<Vec<f64>>, j: usize| w.iter().map(|r| r[j] * r[j]).sum::<f64>().sqrt();
    let group_terms = 0.2 * 4.0 * (0..8).map(|j| column_norm(w1, j)).sum::<f64>()
        + 0.02 * (0..16).map(|i| column_norm(w2, i)).sum::<f64>();
    let objective = m["final_train_loss"].as_f64().unwrap() + group_terms;
    assert!((m["final_objective"].as_f64().unwrap() - objective).abs() < 1e-12 * (1.0 + objective));

    let small = scratch.path("small.json");
    assert_success(&compact(&["--model", s(&out), "--out", s(&small)]));
    let small_layers = linear_layers(&read_json(&small));
    assert_eq!(small_layers[0].0[0].len(), 8 - zero_features);
    assert!(small_layers[0].0.len() <= 16 - zero_neurons);
    let data = scratch.path("data.csv");
    let before = predict(&["--model", s(&out), "--data", s(&data)]);
    let after = predict(&["--model", s(&small), "--data", s(&data)]);
    assert_success(&before);
    assert_success(&after);
    let parse = |o: &std::process::Output| -> Vec<f64> {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .skip(1)
            .map(|l| l.parse().unwrap())
            .collect()
    };
    for (b, a) in parse(&before).iter().zip(parse(&after)) {
        assert!((b - a).abs() <= 1e-12 * (1.0 + b.abs()), "{b} vs {a}");
    }
}

#[test]
fn feature_groups_zero_together() {
    let scratch = Scratch::new("fit-structured-feature-groups");
    // a and b together, c..h in pairs: a group is zero only as a whole
    let groups = "s,s,p,p,q,q,r,r";
    let (out, metrics) = run_fit(&scratch, &["--group-l1", "0.2", "--feature-groups", groups]);
    let w1 = linear_layers(&read_json(&out))[0].0.clone();
    let zero = |j: usize| w1.iter().all(|row| row[j] == 0.0);
    for pair in [(0, 1), (2, 3), (4, 5), (6, 7)] {
        assert_eq!(zero(pair.0), zero(pair.1), "pair {pair:?} split");
    }
    let zero_pairs = [2, 4, 6].iter().filter(|&&j| zero(j)).count();
    assert!(zero_pairs >= 1);
    assert_eq!(read_json(&metrics)["sparsity"]["zero_groups"], zero_pairs);
}

#[test]
fn a_zero_penalty_factor_leaves_a_feature_unpenalized() {
    let scratch = Scratch::new("fit-structured-factor");
    // strong proximal L1 zeroes every noise column, except h with factor 0
    let (out, _) = run_fit(
        &scratch,
        &[
            "--l1",
            "0.5",
            "--l1-mode",
            "proximal",
            "--penalty-factor",
            "h=0,a=0.5",
        ],
    );
    let w1 = linear_layers(&read_json(&out))[0].0.clone();
    let zero = |j: usize| w1.iter().all(|row| row[j] == 0.0);
    assert!(!zero(7), "h is not penalized");
    assert!((2..7).all(zero), "noise features c..g are zeroed");
}

#[test]
fn bad_structured_options_are_one_error_line() {
    let scratch = Scratch::new("fit-structured-errors");
    let data = scratch.write("data.csv", &data_text());
    let out = scratch.path("m.json");
    let cases: [(&[&str], &str); 8] = [
        (&["--feature-groups", "a,b"], "2 labels for 8 features"),
        (&["--penalty-factor", "a=1,a=2"], "names `a` twice"),
        (&["--penalty-factor", "zz=1"], "`zz`"),
        (&["--penalty-factor", "a=-1"], "penalty-factor a"),
        (&["--penalty-factor", "a=nan"], "finite"),
        (&["--group-l1", "-0.1"], "--group-l1"),
        (&["--neuron-l1", "0.1"], "hidden layer"),
        (&["--neuron-l1", "inf", "--hidden", "4"], "--neuron-l1"),
    ];
    for (extra, needle) in cases {
        let args: Vec<&str> = ["--out", s(&out)].iter().chain(extra).copied().collect();
        assert_error(&fit_on(&data, &args), needle);
        assert!(!out.exists());
    }
}
