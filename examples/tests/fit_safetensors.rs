//! fit and predict with `.safetensors` model paths: the same model as the
//! JSON file (same predictions, bit for bit), reproducible bytes, `--init`
//! from safetensors, and the error contract for a bad file.

mod fit_support;

use fit_support::{Scratch, assert_error, assert_success, csv_text, fit, predict, s};
use sparsegrad::io::model_file::AnyModelFile;

/// 30 rows of 3 features, a real target `y` and a label `k` in 0..3.
fn data(scratch: &Scratch) -> String {
    let rows: Vec<Vec<f64>> = (0..30)
        .map(|i| {
            let x = [
                (i as f64 * 0.37).sin(),
                (i as f64 * 0.11).cos(),
                i as f64 / 30.0,
            ];
            let y = 2.0 * x[0] - x[2] + 0.5;
            x.into_iter().chain([y, (i % 3) as f64]).collect()
        })
        .collect();
    let path = scratch.write("data.csv", &csv_text(&["a", "b", "c", "y", "k"], &rows));
    s(&path).to_string()
}

/// fit with `args` writing `out` in scratch; the bytes written.
fn fit_to(scratch: &Scratch, data: &str, args: &[&str], out: &str) -> Vec<u8> {
    let out = scratch.path(out);
    let mut all = vec![
        "--data",
        data,
        "--hidden",
        "4",
        "--epochs",
        "3",
        "--standardize",
        "--quiet",
        "--out",
        s(&out),
    ];
    all.extend_from_slice(args);
    assert_success(&fit(&all));
    std::fs::read(out).unwrap()
}

#[test]
fn a_safetensors_model_is_the_json_model_and_predicts_the_same() {
    let scratch = Scratch::new("safetensors-same");
    let data = data(&scratch);
    for (args, dtype) in [
        (&["--target", "y", "--dtype", "f64"][..], "f64"),
        (
            &[
                "--target",
                "k",
                "--task",
                "classification",
                "--activation",
                "tanh",
            ],
            "f32",
        ),
    ] {
        let bytes = fit_to(&scratch, &data, args, "m.safetensors");
        assert_eq!(
            &bytes[8..9],
            b"{",
            "a safetensors header follows the length"
        );
        let json = fit_to(&scratch, &data, args, "m.json");
        let from_st = AnyModelFile::from_safetensors_bytes(&bytes).unwrap();
        assert_eq!(from_st, AnyModelFile::from_json_bytes(&json).unwrap());
        assert_eq!(from_st.dtype(), dtype);
        // Same seed, same bytes.
        assert_eq!(fit_to(&scratch, &data, args, "m.safetensors"), bytes);
        let run = |model: &str| {
            let out = predict(&["--model", s(&scratch.path(model)), "--data", &data]);
            assert_success(&out);
            out.stdout
        };
        assert_eq!(run("m.safetensors"), run("m.json"));
    }
}

#[test]
fn init_reads_a_safetensors_model() {
    let scratch = Scratch::new("safetensors-init");
    let data = data(&scratch);
    let args = ["--target", "y", "--dtype", "f64"];
    fit_to(&scratch, &data, &args, "start.safetensors");
    fit_to(&scratch, &data, &args, "start.json");
    let from_st = fit_to(
        &scratch,
        &data,
        &[
            &args[..],
            &["--init", s(&scratch.path("start.safetensors"))],
        ]
        .concat(),
        "a.json",
    );
    let from_json = fit_to(
        &scratch,
        &data,
        &[&args[..], &["--init", s(&scratch.path("start.json"))]].concat(),
        "b.json",
    );
    assert_eq!(from_st, from_json);
}

#[test]
fn a_bad_safetensors_file_is_one_error_line() {
    let scratch = Scratch::new("safetensors-bad");
    let data = data(&scratch);
    let bytes = fit_to(&scratch, &data, &["--target", "y"], "m.safetensors");
    let truncated = scratch.path("truncated.safetensors");
    std::fs::write(&truncated, &bytes[..bytes.len() - 4]).unwrap();
    assert_error(
        &predict(&["--model", s(&truncated), "--data", &data]),
        "not a safetensors file",
    );
    // A JSON model under a .safetensors name is not read as JSON.
    let json = fit_to(&scratch, &data, &["--target", "y"], "m.json");
    let renamed = scratch.path("json.safetensors");
    std::fs::write(&renamed, json).unwrap();
    assert_error(
        &fit(&[
            "--data",
            &data,
            "--target",
            "y",
            "--hidden",
            "4",
            "--init",
            s(&renamed),
            "--quiet",
        ]),
        "not a safetensors file",
    );
}
