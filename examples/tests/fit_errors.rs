//! Every bad input CLI.md lists makes `fit` fail by the error contract:
//! non-zero exit, one `error: ` line naming the problem, no panic, no
//! output file created, an existing one untouched.

mod fit_support;

use fit_support::{
    Scratch, assert_error_leaves_outputs, assert_success, fit, fit_on, model_file_text, s,
};

/// A data set that trains fine: features a, b and a target y whose
/// values are also valid class labels 0, 1.
const GOOD: &str = "a,b,y\n0.5,1,0\n-1,2,1\n2,-0.5,1\n0,0,0\n";

/// Runs `fit` with `args` plus `--out` and `--metrics` in `scratch` and
/// checks the error contract, mentioning `needle`.
fn fails(scratch: &Scratch, args: &[&str], needle: &str) {
    let (out, metrics) = (scratch.path("model.json"), scratch.path("metrics.json"));
    let run = || {
        let mut all: Vec<&str> = args.to_vec();
        if !args.contains(&"--epochs") {
            all.extend(["--epochs", "2"]);
        }
        all.extend(["--quiet", "--out", s(&out), "--metrics", s(&metrics)]);
        fit(&all)
    };
    assert_error_leaves_outputs(scratch, &[out.clone(), metrics.clone()], run, needle);
}

/// `fails` on a data file holding `text`.
fn fails_on_data(scratch: &Scratch, text: &str, extra: &[&str], needle: &str) {
    let data = scratch.write("data.csv", text);
    let mut args = vec!["--data", s(&data)];
    if !extra.contains(&"--target") {
        args.extend(["--target", "y"]);
    }
    args.extend_from_slice(extra);
    fails(scratch, &args, needle);
}

#[test]
fn bad_files_are_refused() {
    let scratch = Scratch::new("fit-bad-files");
    let missing = scratch.path("missing.csv");
    fails(
        &scratch,
        &["--data", s(&missing), "--target", "y"],
        "no such file",
    );
    let folder = scratch.path("folder");
    std::fs::create_dir(&folder).unwrap();
    fails(
        &scratch,
        &["--data", s(&folder), "--target", "y"],
        "directory",
    );
    fails_on_data(&scratch, "", &[], "empty");
    fails_on_data(&scratch, "a,b,y\n", &[], "no data rows");
}

#[test]
fn bad_cells_name_their_line_and_column() {
    let scratch = Scratch::new("fit-bad-cells");
    fails_on_data(&scratch, "a,b,y\n1,2,3\n1,2\n", &[], "line 3");
    fails_on_data(
        &scratch,
        "a,b,y\n1,2,3\n1,x,3\n",
        &[],
        "line 3, column \"b\"",
    );
    fails_on_data(&scratch, "a,b,y\n1,,3\n", &[], "line 2, column \"b\"");
    fails_on_data(
        &scratch,
        "a,b,y\n1,2,3\n4,NaN,3\n",
        &[],
        "line 3, column \"b\"",
    );
    fails_on_data(&scratch, "a,b,y\n1,2,inf\n", &[], "line 2, column \"y\"");
    fails_on_data(
        &scratch,
        "a,b,y\n1,2,3\n4,5,-1e999\n",
        &[],
        "line 3, column \"y\"",
    ); // Finite in f64 but not in the default f32.
    fails_on_data(
        &scratch,
        "a,b,y\n1,2,3\n4,5e38,3\n",
        &[],
        "data row 2 (counting from 1 below the header), column \"b\": 5e38 is out of the range of f32; use --dtype f64 or --standardize",
    );
    // --standardize never touches the target: not offered for it
    fails_on_data(
        &scratch,
        "a,b,y\n1,2,1e39\n4,5,6\n",
        &["--standardize"],
        "column \"y\": 1e39 is out of the range of f32; use --dtype f64 or rescale the target (--standardize z-scores the features only)",
    );
}

/// After a divergence the hint names what can help: at the first step,
/// before any update, only the data's scale (not --lr, as it said); a
/// penalty whose step --lr × λ is at least 1, before --lr.
#[test]
fn a_divergence_hint_names_what_can_help() {
    let scratch = Scratch::new("fit-hints");
    fails_on_data(
        &scratch,
        "a,b,y\n1e20,2,3\n4,5,6\n",
        &["--epochs", "1"],
        "loss became inf at epoch 1, step 1; the loss is not finite at the initial parameters, before any update: the data's values are too large for f32; try --standardize, or --dtype f64, or rescaling the target",
    );
    fails_on_data(
        &scratch,
        "a,b,y\n1e200,2,3\n4,5,6\n",
        &["--epochs", "1", "--dtype", "f64", "--lr", "1e-300"],
        "too large for f64; try --standardize, or rescaling the target",
    );
    fails_on_data(
        &scratch,
        GOOD,
        &["--l1", "1e308"],
        "try a smaller --l1 (--lr × --l1 = 1e306), or a smaller --lr",
    );
}

#[test]
fn unused_columns_are_not_read() {
    let scratch = Scratch::new("fit-unused");
    let data = scratch.write("data.csv", "a,notes,b,y\n1,n/a,2,3\n2,,1,0\n");
    let out = scratch.path("model.json");
    let output = fit_on(
        &data,
        &["--features", "a,b", "--epochs", "1", "--out", s(&out)],
    );
    assert_success(&output);
    assert!(out.exists());
}

#[test]
fn missing_columns_are_named() {
    let scratch = Scratch::new("fit-missing-columns");
    fails_on_data(&scratch, GOOD, &["--target", "z"], "\"z\"");
    fails_on_data(&scratch, GOOD, &["--features", "a,q"], "\"q\"");
}

#[test]
fn class_labels_must_be_non_negative_integers() {
    let scratch = Scratch::new("fit-labels");
    let classify = ["--task", "classification"];
    fails_on_data(
        &scratch,
        "a,b,y\n1,2,0\n1,2,1.5\n",
        &classify,
        "line 3, column \"y\"",
    );
    fails_on_data(
        &scratch,
        "a,b,y\n1,2,0\n1,2,-1\n",
        &classify,
        "line 3, column \"y\"",
    );
    fails_on_data(
        &scratch,
        "a,b,y\n1,2,0\n3,4,0\n",
        &classify,
        "at least 2 classes",
    );
    // 1.0 is the label 1.
    let data = scratch.write("ok.csv", "a,b,y\n1,2,0\n3,4,1.0\n");
    let out = scratch.path("ok.json");
    let labels = [
        "--task",
        "classification",
        "--epochs",
        "1",
        "--out",
        s(&out),
    ];
    assert_success(&fit_on(&data, &labels));
}

#[test]
fn invalid_option_values_and_combinations_are_refused() {
    let scratch = Scratch::new("fit-options");
    let cases: &[(&[&str], &str)] = &[
        (&["--nesterov"], "--nesterov needs --momentum > 0"),
        (
            &["--nesterov", "--momentum", "0.9", "--dampening", "0.1"],
            "--nesterov needs --dampening 0",
        ),
        (&["--momentum", "1"], "--momentum must"),
        (&["--momentum", "-0.1"], "--momentum must"),
        (&["--dampening", "1.5"], "--dampening must"),
        (&["--beta1", "1"], "--beta1 must"),
        (&["--beta2", "-0.5"], "--beta2 must"),
        (&["--eps", "0"], "--eps must"),
        (&["--lr", "0"], "--lr must"),
        (&["--lr", "-1"], "--lr must"),
        (&["--lr", "NaN"], "--lr must"),
        (&["--l1", "-1"], "--l1 must"),
        (&["--l2", "inf"], "--l2 must"),
        (&["--momentum", "nan"], "--momentum must"),
        (&["--hidden", "3,0"], "--hidden: layer 2 has width 0"),
        (&["--task", "ranking"], "ranking"),
        (&["--optimizer", "rmsprop"], "rmsprop"),
        (&["--batch-size", "-2"], "-2"),
        (&["--epochs", "0"], "--epochs must be at least 1"),
        (
            &["--lr-schedule", "exponential"],
            "--lr-schedule exponential needs --lr-gamma",
        ),
        (&["--lr-gamma", "1.5"], "--lr-gamma must be in (0, 1]"),
        (
            &["--lr-gamma", "0"],
            "--lr-gamma must be finite and positive",
        ),
        (
            &["--lr-step-size", "0"],
            "--lr-step-size must be at least 1",
        ),
        (&["--lr-t-max", "0"], "--lr-t-max must be at least 1"),
        (&["--lr-eta-min", "-0.1"], "--lr-eta-min must"),
        (&["--lr-schedule", "linear"], "linear"),
        (
            &["--clip-grad-norm", "0"],
            "--clip-grad-norm must be finite and positive",
        ),
        (&["--clip-grad-value", "nan"], "--clip-grad-value must"),
        (
            &["--clip-grad-norm", "1", "--clip-grad-value", "1"],
            "--clip-grad-norm and --clip-grad-value cannot be used together",
        ),
    ];
    for (extra, needle) in cases {
        fails_on_data(&scratch, GOOD, extra, needle);
    }
}

#[test]
fn a_diverging_loss_names_epoch_and_step() {
    let scratch = Scratch::new("fit-diverge");
    let init = scratch.write(
        "init.json",
        &model_file_text(
            "regression",
            &["x"],
            "y",
            &[("linear", vec![vec![1.0]], vec![0.0])],
        ),
    );
    // The third sample's loss overflows: (1e200)² = inf.
    let text = "x,y\n1,1\n2,2\n1e200,0\n";
    fails_on_data(
        &scratch,
        text,
        &[
            "--init",
            s(&init),
            "--dtype",
            "f64",
            "--batch-size",
            "1",
            "--no-shuffle",
        ],
        "error: loss became inf at epoch 1, step 3; try a smaller --lr",
    );
}

#[test]
fn outputs_are_written_together_or_not_at_all() {
    let scratch = Scratch::new("fit-together");
    let data = scratch.write("data.csv", GOOD);
    let metrics = scratch.path("metrics.json");
    let unwritable = scratch.path("no-such-folder").join("model.json");
    let run = || {
        fit_on(
            &data,
            &[
                "--epochs",
                "1",
                "--out",
                s(&unwritable),
                "--metrics",
                s(&metrics),
            ],
        )
    };
    assert_error_leaves_outputs(
        &scratch,
        std::slice::from_ref(&metrics),
        run,
        "no-such-folder",
    );
}

#[test]
fn bad_init_files_are_refused() {
    let scratch = Scratch::new("fit-bad-init");
    let linear = |features: &[&str], task: &str, outputs: usize| {
        let weight = vec![vec![0.1; features.len()]; outputs];
        model_file_text(
            task,
            features,
            "y",
            &[("linear", weight, vec![0.0; outputs])],
        )
    };
    let good = linear(&["a", "b"], "regression", 1);
    let cases: Vec<(String, Vec<&str>, &str)> = vec![
        ("{\"format\": ".to_string(), vec![], "truncated"),
        ("not json".to_string(), vec![], "not valid JSON"),
        (
            good.replace("sparsegrad-model", "other-model"),
            vec![],
            "not a sparsegrad model file",
        ),
        (
            good.replace("\"version\": 1", "\"version\": 2"),
            vec![],
            "version 2",
        ),
        (
            good.replace("\"out_features\": 1", "\"out_features\": 2"),
            vec![],
            "out_features",
        ),
        (linear(&["b", "a"], "regression", 1), vec![], "features"),
        (
            linear(&["a", "b"], "classification", 2),
            vec![],
            "classification model",
        ),
        (linear(&["a", "b"], "regression", 2), vec![], "2 outputs"),
        (good.clone(), vec!["--hidden", "3"], "hidden widths"),
        (
            model_file_text(
                "regression",
                &["a", "b"],
                "y",
                &[
                    ("linear", vec![vec![0.1, 0.2]; 3], vec![0.0; 3]),
                    ("tanh", vec![], vec![]),
                    ("linear", vec![vec![0.1, 0.2, 0.3]], vec![0.0]),
                ],
            ),
            vec!["--hidden", "3"],
            "activation is tanh",
        ),
        (
            linear(&["a", "b"], "classification", 2),
            vec!["--task", "classification", "--target", "c"],
            "class label 2",
        ),
    ];
    let data = scratch.write("data.csv", "a,b,y,c\n1,2,0.5,0\n3,4,1.5,2\n");
    for (text, extra, needle) in &cases {
        let init = scratch.write("init.json", text);
        let mut args = vec!["--data", s(&data), "--features", "a,b", "--init", s(&init)];
        if !extra.contains(&"--target") {
            args.extend(["--target", "y"]);
        }
        args.extend_from_slice(extra);
        fails(&scratch, &args, needle);
    }
}
