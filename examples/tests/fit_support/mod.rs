//! Helpers shared by the tests of the `fit` and `predict` programs: a
//! scratch folder, CSV and model files written by hand, and running the
//! built binaries.

#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

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

/// Runs the built `predict` with `args`.
pub fn predict(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_predict"), args)
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
pub fn linear_layers(model: &Value) -> Vec<(Vec<Vec<f64>>, Vec<f64>)> {
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
            let weight = layer["weight"].as_array().unwrap().iter().map(numbers).collect();
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
    layers: &[(&str, Vec<Vec<f64>>, Vec<f64>)],
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
