//! Helpers shared by the tests of the `fit` and `predict` programs: a
//! scratch folder, CSV and model files written by hand, and running the
//! built binaries.

#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A linear layer's (weight rows, bias).
pub type LinearParams = (Vec<Vec<f64>>, Vec<f64>);

/// A layer of a hand-written model file: `("linear", weight rows, bias)`
/// or an activation name with empty weight and bias.
pub type LayerSpec<'a> = (&'a str, Vec<Vec<f64>>, Vec<f64>);

/// A fresh, empty folder for one test, removed when dropped.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    /// A folder named after the test and the process.
    pub fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("sparsegrad-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    /// A path inside the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes `contents` to `name` and returns its path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// CSV text: a header and rows of numbers, each written in Rust's
/// shortest round-trip form (so the file holds the f64 values exactly).
pub fn csv_text(header: &[&str], rows: &[Vec<f64>]) -> String {
    let mut text = header.join(",");
    text.push('\n');
    for row in rows {
        let cells: Vec<String> = row.iter().map(|x| format!("{x}")).collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

/// Runs the built `fit` with `args`.
pub fn fit(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_fit"), args)
}

/// Runs the built `fit` on the data file `data` with target `y`, quiet,
/// and the options `extra`: what most runs of fit in a test share.
pub fn fit_on(data: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["--data", s(data), "--target", "y", "--quiet"];
    args.extend_from_slice(extra);
    fit(&args)
}

/// Creates a named pipe at `path`.
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Runs the built `predict` with `args`.
pub fn predict(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_predict"), args)
}

/// Runs the built `compact` with `args`.
pub fn compact(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_compact"), args)
}

fn run(binary: &str, args: &[&str]) -> Output {
    Command::new(binary).args(args).output().unwrap()
}

/// Panics with the program's stderr unless it succeeded.
pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "the program failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A path as &str.
pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The model file at `path`, parsed.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The linear layers of a parsed model file, as (weight rows, bias).
pub fn linear_layers(model: &Value) -> Vec<LinearParams> {
    let numbers = |v: &Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    model["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|layer| layer["type"] == "linear")
        .map(|layer| {
            let weight = layer["weight"]
                .as_array()
                .unwrap()
                .iter()
                .map(numbers)
                .collect();
            (weight, numbers(&layer["bias"]))
        })
        .collect()
}

/// An f64 model file with the given task, features and layers, each
/// layer either `("linear", weight rows, bias)` or an activation name with
/// empty weight and bias.
pub fn model_file_text(
    task: &str,
    features: &[&str],
    target: &str,
    layers: &[LayerSpec],
) -> String {
    let layers: Vec<Value> = layers
        .iter()
        .map(|(kind, weight, bias)| {
            if *kind == "linear" {
                serde_json::json!({
                    "type": "linear",
                    "in_features": weight[0].len(),
                    "out_features": weight.len(),
                    "weight": weight,
                    "bias": bias,
                })
            } else {
                serde_json::json!({ "type": kind })
            }
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({
        "format": "sparsegrad-model",
        "version": 1,
        "dtype": "f64",
        "task": task,
        "features": features,
        "target": target,
        "standardize": null,
        "layers": layers,
    }))
    .unwrap()
}

/// What a program must do on bad input: a non-zero exit, exactly one line
/// starting `error: ` (the first) that contains `needle`, no panic, and
/// nothing on stdout.
pub fn assert_error(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "expected a failure, stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "a panic: {stderr}");
    let error_lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(error_lines.len(), 1, "one error line expected: {stderr}");
    assert!(
        stderr.starts_with("error: "),
        "the error comes first: {stderr}"
    );
    assert!(
        error_lines[0].contains(needle),
        "the error should mention {needle:?}: {}",
        error_lines[0]
    );
    assert!(
        output.stdout.is_empty(),
        "stdout on error: {:?}",
        output.stdout
    );
}

/// Runs a failing case twice, with `outputs` absent and then present: the
/// error contract holds both times, no output file is created, existing
/// ones are left byte for byte, and no temporary file is left behind.
pub fn assert_error_leaves_outputs(
    scratch: &Scratch,
    outputs: &[PathBuf],
    run: impl Fn() -> Output,
    needle: &str,
) {
    for path in outputs {
        let _ = std::fs::remove_file(path);
    }
    assert_error(&run(), needle);
    for path in outputs {
        assert!(!path.exists(), "{} was created", path.display());
    }
    for path in outputs {
        std::fs::write(path, "keep me\n").unwrap();
    }
    assert_error(&run(), needle);
    for path in outputs {
        assert_eq!(
            std::fs::read(path).unwrap(),
            b"keep me\n",
            "{} changed",
            path.display()
        );
        std::fs::remove_file(path).unwrap();
    }
    let leftovers: Vec<_> = std::fs::read_dir(&scratch.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
