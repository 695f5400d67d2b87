//! `predict` keeps the error contract: non-zero exit, one `error: ` line
//! naming the problem, no panic, nothing on stdout, no output file
//! created and an existing one untouched.

mod fit_support;

use fit_support::{
    Scratch, assert_error_leaves_outputs, assert_success, model_file_text, predict, s,
};

/// A linear regression model on features a, b.
fn model_text() -> String {
    model_file_text(
        "regression",
        &["a", "b"],
        "y",
        &[("linear", vec![vec![1.0, 2.0]], vec![0.5])],
    )
}

/// Runs `predict` on the given model and data texts, with `--out` in
/// `scratch` (and once more without `--out`, whose stdout must stay
/// empty), and checks the contract.
fn fails(scratch: &Scratch, model: &str, data: &str, needle: &str) {
    let model = scratch.write("model.json", model);
    let data = scratch.write("data.csv", data);
    let out = scratch.path("predictions.csv");
    let run = || predict(&["--model", s(&model), "--data", s(&data), "--out", s(&out)]);
    assert_error_leaves_outputs(scratch, std::slice::from_ref(&out), run, needle);
    fit_support::assert_error(
        &predict(&["--model", s(&model), "--data", s(&data)]),
        needle,
    );
}

#[test]
fn bad_model_files_are_refused() {
    let scratch = Scratch::new("predict-bad-model");
    let data = "a,b\n1,2\n";
    fails(&scratch, "", data, "truncated");
    fails(&scratch, "[1, 2]", data, "not a sparsegrad model file");
    fails(
        &scratch,
        &model_text().replace("\"version\": 1", "\"version\": 7"),
        data,
        "version 7",
    );
    fails(
        &scratch,
        &model_text().replace("[\n          1.0,\n          2.0\n        ]", "[1.0]"),
        data,
        "layers[0]",
    );
    let missing = scratch.path("missing.json");
    let data_path = scratch.write("data.csv", data);
    fit_support::assert_error(
        &predict(&["--model", s(&missing), "--data", s(&data_path)]),
        "no such file",
    );
}

#[test]
fn bad_data_is_refused() {
    let scratch = Scratch::new("predict-bad-data");
    let model = model_text();
    fails(&scratch, &model, "a,c\n1,2\n", "\"b\"");
    fails(&scratch, &model, "a,b\n1,2\n3,x\n", "line 3, column \"b\"");
    fails(&scratch, &model, "a,b\n1,inf\n", "line 2, column \"b\"");
    fails(&scratch, &model, "a,b\n", "no data rows");
    fails(&scratch, &model, "", "empty");
}

#[test]
fn other_columns_are_ignored() {
    let scratch = Scratch::new("predict-other-columns");
    let model = scratch.write("model.json", &model_text());
    let data = scratch.write("data.csv", "y,b,notes,a\n,2,?,1\nzz,-1,,0.5\n");
    let output = predict(&["--model", s(&model), "--data", s(&data)]);
    assert_success(&output);
    // 1·a + 2·b + 0.5
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "prediction\n5.5\n-1\n"
    );
}
