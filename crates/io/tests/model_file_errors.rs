//! Every way a model file can be wrong, each named in its error.

use ndarray::{Array1, array};
use serde_json::{Value, json};
use sparsegrad_io::model_file::{AnyModelFile, Layer, ModelFile, ModelFileError};
use sparsegrad_nn::data::{Standardizer, Task};

/// A valid f64 file: the contract's example with a standardizer.
fn valid() -> Value {
    let mut file: Value =
        serde_json::from_str(include_str!("model_file_fixtures/contract_example.json")).unwrap();
    file["standardize"] = json!({"mean": [0.5, -1.0], "std": [1.0, 2.0]});
    file
}

/// The error of loading `valid()` changed by `edit`, with its message.
fn error_after(edit: impl FnOnce(&mut Value)) -> (ModelFileError, String) {
    let mut file = valid();
    edit(&mut file);
    error_of(&serde_json::to_vec(&file).unwrap())
}

fn error_of(bytes: &[u8]) -> (ModelFileError, String) {
    let error = AnyModelFile::from_json_bytes(bytes).unwrap_err();
    let message = error.to_string();
    (error, message)
}

#[test]
fn the_valid_file_loads() {
    let mut file = valid();
    AnyModelFile::from_json_bytes(&serde_json::to_vec(&file).unwrap()).unwrap();
    file["standardize"] = Value::Null;
    AnyModelFile::from_json_bytes(&serde_json::to_vec(&file).unwrap()).unwrap();
    file.as_object_mut().unwrap().remove("standardize"); // absent reads as null
    AnyModelFile::from_json_bytes(&serde_json::to_vec(&file).unwrap()).unwrap();
}

#[test]
fn text_that_is_not_json_is_located() {
    let (error, message) = error_of(b"{\n  \"format\": sparsegrad\n}");
    assert!(
        matches!(
            error,
            ModelFileError::NotJson {
                line: 2,
                column: 13,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        message,
        "not valid JSON at line 2, column 13: expected value"
    );
    assert!(matches!(
        error_of(b"").0,
        ModelFileError::Truncated { line: 1, column: 0 }
    ));
}

#[test]
fn a_truncated_file_says_so() {
    let full = serde_json::to_vec_pretty(&valid()).unwrap();
    let (error, message) = error_of(&full[..full.len() / 2]);
    assert!(
        matches!(error, ModelFileError::Truncated { .. }),
        "{error:?}"
    );
    assert!(message.contains("ends early"), "{message}");
}

#[test]
fn json_that_is_not_an_object_is_not_a_model_file() {
    for text in ["[1, 2]", "\"model\"", "null", " 3"] {
        let (error, message) = error_of(text.as_bytes());
        assert_eq!(error, ModelFileError::NotAnObject, "{text}");
        assert_eq!(
            message,
            "not a sparsegrad model file: the top level is not a JSON object"
        );
    }
}

#[test]
fn another_format_version_or_dtype_is_named() {
    let (error, message) = error_after(|f| f["format"] = json!("onnx"));
    assert_eq!(
        error,
        ModelFileError::WrongFormat {
            found: Some("\"onnx\"".into())
        }
    );
    assert_eq!(
        message,
        "not a sparsegrad model file: \"format\" is \"onnx\", expected \"sparsegrad-model\""
    );
    let (_, message) = error_after(|f| drop(f.as_object_mut().unwrap().remove("format")));
    assert_eq!(
        message,
        "not a sparsegrad model file: \"format\" is missing, expected \"sparsegrad-model\""
    );

    let (error, message) = error_after(|f| f["version"] = json!(2));
    assert_eq!(
        error,
        ModelFileError::UnsupportedVersion {
            found: Some("2".into())
        }
    );
    assert_eq!(
        message,
        "unsupported model file version 2 (this build reads version 1)"
    );
    for version in [json!("1"), json!(1.5), json!(-1)] {
        let (error, _) = error_after(|f| f["version"] = version.clone());
        assert!(
            matches!(error, ModelFileError::UnsupportedVersion { .. }),
            "{version}"
        );
    }
    // A version-2 file is refused as such even when its contents are foreign.
    let (error, _) = error_after(|f| {
        f["version"] = json!(2);
        f["layers"] = json!({"graph": []});
    });
    assert!(matches!(error, ModelFileError::UnsupportedVersion { .. }));

    let (error, message) = error_after(|f| f["dtype"] = json!("f16"));
    assert_eq!(
        error,
        ModelFileError::UnknownDtype {
            found: Some("\"f16\"".into())
        }
    );
    assert_eq!(
        message,
        "unknown dtype \"f16\" (expected \"f32\" or \"f64\")"
    );
    let (error, _) = error_after(|f| drop(f.as_object_mut().unwrap().remove("dtype")));
    assert_eq!(error, ModelFileError::UnknownDtype { found: None });
}

#[test]
fn missing_unknown_and_mistyped_fields_are_named() {
    let structure = |edit: fn(&mut Value)| match error_after(edit).0 {
        ModelFileError::Structure(message) => message,
        other => panic!("expected a structure error, got {other:?}"),
    };
    let message = structure(|f| drop(f.as_object_mut().unwrap().remove("layers")));
    assert!(message.starts_with("missing field `layers`"), "{message}");
    let message = structure(|f| f["extra"] = json!(1));
    assert!(message.starts_with("unknown field `extra`"), "{message}");
    let message = structure(|f| f["task"] = json!("clustering"));
    assert!(
        message.starts_with("unknown variant `clustering`"),
        "{message}"
    );
    let message = structure(|f| f["layers"][0]["weight"][1][0] = json!("a"));
    assert!(
        message.starts_with("invalid type: string \"a\", expected f64"),
        "{message}"
    );
    let message = structure(|f| f["layers"][1]["activation"] = json!("relu"));
    assert!(
        message.starts_with("unknown field `activation`"),
        "{message}"
    );
    let message = structure(|f| f["standardize"]["scale"] = json!([1.0, 1.0]));
    assert!(message.starts_with("unknown field `scale`"), "{message}");
    let message = structure(|f| f["layers"][0]["in_features"] = json!(2.0));
    assert!(
        message.starts_with("invalid type: floating point `2.0`, expected usize"),
        "{message}"
    );
}

#[test]
fn a_number_beyond_the_dtype_is_refused_with_its_position() {
    let text = serde_json::to_string(&valid())
        .unwrap()
        .replace("0.6", "1e39");
    AnyModelFile::from_json_bytes(text.as_bytes()).unwrap(); // fine in f64
    let text = text.replace("\"f64\"", "\"f32\"");
    let (error, message) = error_of(text.as_bytes());
    assert!(matches!(error, ModelFileError::Structure(_)), "{error:?}");
    assert!(
        message.starts_with("invalid model file: number out of range at line 1 column"),
        "{message}"
    );
    let text = serde_json::to_string(&valid())
        .unwrap()
        .replace("0.6", "1e309");
    assert!(error_of(text.as_bytes()).1.contains("number out of range"));
}

#[test]
fn layer_types_and_their_fields_are_checked() {
    let (error, message) = error_after(|f| f["layers"][1]["type"] = json!("softmax"));
    assert_eq!(
        error,
        ModelFileError::UnknownLayerType {
            index: 1,
            found: "softmax".into()
        }
    );
    assert_eq!(
        message,
        "layers[1]: unknown layer type \"softmax\" (expected \"linear\", \"relu\", \"tanh\" or \"sigmoid\")"
    );
    for field in ["in_features", "out_features", "weight", "bias"] {
        let (error, message) =
            error_after(|f| drop(f["layers"][2].as_object_mut().unwrap().remove(field)));
        assert!(
            matches!(error, ModelFileError::MissingLayerField { index: 2, field: got } if got == field)
        );
        assert_eq!(message, format!("layers[2] (linear) has no \"{field}\""));
    }
    let (error, message) = error_after(|f| f["layers"][1]["bias"] = json!([0.0]));
    assert_eq!(
        error,
        ModelFileError::UnexpectedLayerField {
            index: 1,
            layer_type: "relu",
            field: "bias"
        }
    );
    assert_eq!(
        message,
        "layers[1] (relu) cannot have \"bias\"; only linear layers have parameters"
    );
}

#[test]
fn weight_and_bias_shapes_must_match_the_stated_widths() {
    let (error, message) = error_after(|f| f["layers"][2]["out_features"] = json!(2));
    assert_eq!(
        error,
        ModelFileError::WeightRows {
            index: 2,
            rows: 1,
            out_features: 2
        }
    );
    assert_eq!(
        message,
        "layers[2].weight has 1 rows, expected out_features = 2"
    );

    let (error, message) = error_after(|f| f["layers"][0]["weight"][2] = json!([0.5, 0.6, 0.7]));
    assert_eq!(
        error,
        ModelFileError::WeightRowLength {
            index: 0,
            row: 2,
            len: 3,
            in_features: 2
        }
    );
    assert_eq!(
        message,
        "layers[0].weight[2] has 3 numbers, expected in_features = 2"
    );

    let (error, message) = error_after(|f| f["layers"][0]["bias"] = json!([0.0, 0.0]));
    assert_eq!(
        error,
        ModelFileError::BiasLength {
            index: 0,
            len: 2,
            out_features: 3
        }
    );
    assert_eq!(
        message,
        "layers[0].bias has 2 numbers, expected out_features = 3"
    );

    let (error, message) = error_after(|f| {
        f["layers"][2] = json!({"type": "linear", "in_features": 3, "out_features": 0, "weight": [], "bias": []});
    });
    assert_eq!(
        error,
        ModelFileError::ZeroWidth {
            index: 2,
            field: "out_features"
        }
    );
    assert_eq!(
        message,
        "layers[2].out_features is 0; a linear layer needs at least one input and one output"
    );
}

#[test]
fn consecutive_layers_must_chain() {
    let (error, message) = error_after(|f| {
        f["layers"][2] = json!({"type": "linear", "in_features": 2, "out_features": 1, "weight": [[1.0, 2.0]], "bias": [0.0]});
    });
    assert_eq!(
        error,
        ModelFileError::ChainMismatch {
            index: 2,
            in_features: 2,
            previous: 0,
            out_features: 3
        }
    );
    assert_eq!(
        message,
        "layers[2].in_features = 2, but layers[0].out_features = 3"
    );
}

#[test]
fn the_layers_must_form_an_mlp() {
    let (error, message) = error_after(|f| f["layers"] = json!([]));
    assert_eq!(error, ModelFileError::NoLinearLayer);
    assert_eq!(message, "the model has no linear layer");
    assert_eq!(
        error_after(|f| f["layers"] = json!([{"type": "tanh"}])).0,
        ModelFileError::NoLinearLayer
    );

    let relu = json!({"type": "relu"});
    let cases = [
        (0, "comes first", vec![0]),                // relu, linear, relu, linear
        (3, "comes last", vec![3]),                 // linear, relu, linear, relu
        (2, "follows another activation", vec![2]), // linear, relu, relu, linear
    ];
    for (index, problem, at) in cases {
        let (error, message) = error_after(|f| {
            let layers = f["layers"].as_array_mut().unwrap();
            for &i in &at {
                layers.insert(i, relu.clone());
            }
        });
        assert_eq!(
            error,
            ModelFileError::LayerOrder {
                index,
                layer_type: "relu",
                problem
            },
            "{message}"
        );
        assert_eq!(
            message,
            format!(
                "layers[{index}] (relu) {problem}; an MLP is a linear layer, then (activation, linear) any number of times"
            )
        );
    }
    let (error, _) = error_after(|f| {
        f["layers"][1] = json!({"type": "linear", "in_features": 3, "out_features": 3,
                                "weight": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], "bias": [0.0, 0.0, 0.0]});
    });
    assert_eq!(
        error,
        ModelFileError::LayerOrder {
            index: 1,
            layer_type: "linear",
            problem: "follows another linear layer"
        }
    );
}

#[test]
fn features_and_target_must_fit_the_model() {
    let (error, message) = error_after(|f| f["features"] = json!(["x0"]));
    assert_eq!(
        error,
        ModelFileError::FeatureCount {
            features: 1,
            in_features: 2
        }
    );
    assert_eq!(
        message,
        "1 features are named, but layers[0].in_features = 2"
    );
    let (error, message) = error_after(|f| f["features"] = json!(["x0", "x0"]));
    assert_eq!(
        error,
        ModelFileError::DuplicateFeature { name: "x0".into() }
    );
    assert_eq!(message, "feature \"x0\" is named twice in \"features\"");
    let (error, message) = error_after(|f| f["features"] = json!(["x0", "y"]));
    assert_eq!(error, ModelFileError::TargetIsFeature { name: "y".into() });
    assert_eq!(message, "the target \"y\" is also listed as a feature");
    // A name no CSV column can have: the file is at fault, not the data
    // that lacks such a column.
    let (error, message) = error_after(|f| f["features"] = json!(["", "x1"]));
    assert_eq!(
        error,
        ModelFileError::BadName {
            place: "features[0]".into(),
            flaw: "is empty"
        }
    );
    assert!(message.starts_with("features[0] is empty: "), "{message}");
    let (error, _) = error_after(|f| f["target"] = json!("y\u{0}"));
    assert_eq!(
        error,
        ModelFileError::BadName {
            place: "target".into(),
            flaw: "holds a control character"
        }
    );
}

/// A file may not ask `predict` or `compact` for more than `fit` may
/// build: a hidden layer wider than 65 536 is refused by name.
#[test]
fn a_model_beyond_fits_limits_is_refused() {
    let width = 65_537;
    let (error, message) = error_after(|f| {
        f["layers"][0] = json!({"type": "linear", "in_features": 2, "out_features": width,
            "weight": vec![[0.0, 0.0]; width], "bias": vec![0.0; width]});
        f["layers"][2] = json!({"type": "linear", "in_features": width, "out_features": 1,
            "weight": [vec![0.0; width]], "bias": [0.0]});
    });
    assert!(matches!(error, ModelFileError::Limit(_)), "{error:?}");
    assert_eq!(
        message,
        "hidden layer 1 width is 65537, above the limit of 65536"
    );
}

#[test]
fn a_classifier_needs_two_outputs() {
    let (error, message) = error_after(|f| f["task"] = json!("classification"));
    assert_eq!(error, ModelFileError::TooFewClasses { outputs: 1 });
    assert_eq!(
        message,
        "a classification model needs at least 2 outputs (one per class), this one has 1"
    );
    let mut file = valid();
    file["task"] = json!("classification");
    file["layers"][2] = json!({"type": "linear", "in_features": 3, "out_features": 2,
                               "weight": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "bias": [0.0, 0.0]});
    let model = AnyModelFile::from_json_bytes(&serde_json::to_vec(&file).unwrap()).unwrap();
    let AnyModelFile::F64(model) = model else {
        panic!("f64")
    };
    assert_eq!((model.task(), model.n_outputs()), (Task::Classification, 2));
}

#[test]
fn the_standardization_must_fit_the_features_and_be_usable() {
    let (error, message) = error_after(|f| f["standardize"]["mean"] = json!([0.0]));
    assert_eq!(
        error,
        ModelFileError::StandardizeLength {
            statistic: "mean",
            len: 1,
            features: 2
        }
    );
    assert_eq!(message, "standardize.mean has 1 numbers for 2 features");
    let (error, _) = error_after(|f| f["standardize"]["std"] = json!([1.0, 1.0, 1.0]));
    assert_eq!(
        error,
        ModelFileError::StandardizeLength {
            statistic: "std",
            len: 3,
            features: 2
        }
    );
    for std in [0.0, -2.0] {
        let (error, message) = error_after(|f| f["standardize"]["std"][1] = json!(std));
        assert_eq!(
            error,
            ModelFileError::BadStandardize {
                statistic: "std",
                index: 1,
                value: std.to_string()
            }
        );
        assert!(
            message.starts_with(&format!("standardize.std[1] = {std} cannot standardize")),
            "{message}"
        );
    }
    // as the file writes its numbers: shortest, not 301 digits
    let (_, message) = error_after(|f| f["standardize"]["std"][0] = json!(-1e300));
    assert!(
        message.starts_with("standardize.std[0] = -1e300 cannot standardize"),
        "{message}"
    );
}

fn linear(weight: ndarray::Array2<f64>, bias: Array1<f64>) -> Layer<f64> {
    Layer::Linear { weight, bias }
}

#[test]
fn non_finite_numbers_are_refused_where_they_are() {
    let names = vec!["a".to_string(), "b".to_string()];
    let error = ModelFile::new(
        Task::Regression,
        names.clone(),
        "y".into(),
        None,
        vec![linear(array![[1.0, f64::NAN]], array![0.0])],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "layers[0].weight[0][1] = NaN is not a finite f64 number"
    );

    let error = ModelFile::new(
        Task::Regression,
        names.clone(),
        "y".into(),
        None,
        vec![linear(array![[1.0, 2.0]], array![f64::NEG_INFINITY])],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "layers[0].bias[0] = -inf is not a finite f64 number"
    );

    // A standardizer fitted on values whose deviations from their mean
    // overflow (1.7e308 − (−5.7e307)) has σ = inf; squares alone no longer
    // do (σ of ±1e300 is 1e300).
    let standardize =
        Standardizer::fit(array![[1.7e308, 0.0], [-1.7e308, 1.0], [-1.7e308, 2.0]].view());
    let error = ModelFile::new(
        Task::Regression,
        names.clone(),
        "y".into(),
        Some(standardize),
        vec![linear(array![[1.0, 2.0]], array![0.0])],
    )
    .unwrap_err();
    assert_eq!(
        error,
        ModelFileError::BadStandardize {
            statistic: "std",
            index: 0,
            value: "inf".into()
        }
    );

    // Casting an f64 weight too large for f32.
    let big = ModelFile::new(
        Task::Regression,
        names,
        "y".into(),
        None,
        vec![linear(array![[1.0, 1e300]], array![0.0])],
    )
    .unwrap();
    assert_eq!(
        big.cast::<f32>().unwrap_err().to_string(),
        "layers[0].weight[0][1] = inf is not a finite f32 number"
    );
}

#[test]
fn construction_checks_shapes_that_a_file_cannot_state_wrongly() {
    let names = vec!["a".to_string()];
    let error = ModelFile::new(
        Task::Regression,
        names.clone(),
        "y".into(),
        None,
        vec![linear(array![[1.0]], array![0.0, 1.0])],
    )
    .unwrap_err();
    assert_eq!(
        error,
        ModelFileError::BiasLength {
            index: 0,
            len: 2,
            out_features: 1
        }
    );
    let error = ModelFile::<f64>::new(
        Task::Regression,
        names,
        "y".into(),
        None,
        vec![linear(ndarray::Array2::zeros((1, 0)), array![0.0])],
    )
    .unwrap_err();
    assert_eq!(
        error,
        ModelFileError::ZeroWidth {
            index: 0,
            field: "in_features"
        }
    );
}
