//! Saving and loading model files on disk.

use std::path::PathBuf;

use ndarray::array;
use sparsegrad_io::fs::{ReadError, write_atomically};
use sparsegrad_io::model_file::{AnyModelFile, Layer, LoadErrorKind, ModelFile, ModelFileError};
use sparsegrad_nn::data::Task;

/// A fresh, empty folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "sparsegrad-model-file-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn model(bias: f32) -> ModelFile<f32> {
    let layers = vec![Layer::Linear {
        weight: array![[0.5f32, -0.25], [1.0, 2.0]],
        bias: array![bias, 0.0],
    }];
    ModelFile::new(
        Task::Classification,
        vec!["a".into(), "b".into()],
        "c".into(),
        None,
        layers,
    )
    .unwrap()
}

#[test]
fn save_then_load_gives_the_same_model_and_replaces_an_old_file() {
    let dir = Scratch::new("save");
    let path = dir.0.join("model.json");
    model(1.0).save(&path).unwrap();
    model(0.125).save(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), model(0.125).to_json_bytes());
    assert_eq!(
        AnyModelFile::load(&path).unwrap(),
        AnyModelFile::F32(model(0.125))
    );
    assert_eq!(dir.entries(), ["model.json"]);
}

#[test]
fn a_model_and_its_metrics_are_committed_together_or_not_at_all() {
    let dir = Scratch::new("together");
    let out = dir.0.join("model.json");
    std::fs::write(&out, b"previous").unwrap();
    let metrics = dir.0.join("missing-folder").join("metrics.json");
    let bytes = model(1.0).to_json_bytes();
    write_atomically(&[(&out, &bytes), (&metrics, b"{}")]).unwrap_err();
    assert_eq!(std::fs::read(&out).unwrap(), b"previous");
    assert_eq!(dir.entries(), ["model.json"]);
}

#[test]
fn saving_into_a_missing_folder_fails_and_creates_nothing() {
    let dir = Scratch::new("missing");
    let error = model(1.0)
        .save(&dir.0.join("nope").join("model.json"))
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
    assert!(dir.entries().is_empty());
}

#[test]
fn load_errors_name_the_file() {
    let dir = Scratch::new("load");
    let missing = dir.0.join("absent.json");
    let error = AnyModelFile::load(&missing).unwrap_err();
    assert!(
        matches!(error.kind, LoadErrorKind::Read(ReadError::NotFound)),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("{}: no such file", missing.display())
    );

    let error = AnyModelFile::load(&dir.0).unwrap_err();
    assert!(
        matches!(error.kind, LoadErrorKind::Read(ReadError::IsDirectory)),
        "{error:?}"
    );

    let bad = dir.0.join("bad.json");
    std::fs::write(&bad, b"[]").unwrap();
    let error = AnyModelFile::load(&bad).unwrap_err();
    assert!(
        matches!(
            error.kind,
            LoadErrorKind::Invalid(ModelFileError::NotAnObject)
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "{}: not a sparsegrad model file: the top level is not a JSON object",
            bad.display()
        )
    );
}
