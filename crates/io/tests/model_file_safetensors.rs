//! safetensors model files: bytes built by hand from the format's
//! specification (an 8-byte little-endian header length, a JSON header of
//! dtype / shape / data_offsets per tensor and `__metadata__`, then the
//! little-endian data) read and written both ways; round trips; every
//! error; and named parameters of any model.

use std::collections::BTreeMap;

use ndarray::array;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad_io::model_file::{AnyModelFile, Layer, ModelFile, ModelFileError, ModelFormat};
use sparsegrad_io::state_dict::{TensorFileError, load_parameters, save_parameters};
use sparsegrad_nn::activation::Activation;
use sparsegrad_nn::data::{Standardizer, Task};
use sparsegrad_nn::mlp::Mlp;
use sparsegrad_nn::module::Module;

/// The model `a, b → y = 0.5·a − 1·b + 0.25`, in f32.
fn tiny() -> ModelFile<f32> {
    let layers = vec![Layer::Linear {
        weight: array![[0.5f32, -1.0]],
        bias: array![0.25],
    }];
    ModelFile::new(
        Task::Regression,
        vec!["a".into(), "b".into()],
        "y".into(),
        None,
        layers,
    )
    .unwrap()
}

/// The JSON model file of `tiny` without its weight and bias, as the
/// contract lays a model file out.
const TINY_MODEL_JSON: &str = "{\n  \"format\": \"sparsegrad-model\",\n  \"version\": 1,\n  \
    \"dtype\": \"f32\",\n  \"task\": \"regression\",\n  \"features\": [\"a\", \"b\"],\n  \
    \"target\": \"y\",\n  \"standardize\": null,\n  \"layers\": [\n    \
    {\"type\": \"linear\", \"in_features\": 2, \"out_features\": 1}\n  ]\n}\n";

/// A safetensors file from its parts, by the specification: `header` is
/// padded with spaces to a multiple of 8 bytes, its length goes first as a
/// u64 little-endian, the data last.
fn file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut header = header.as_bytes().to_vec();
    header.resize(header.len().next_multiple_of(8), b' ');
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(&header);
    bytes.extend_from_slice(data);
    bytes
}

/// `tiny` by hand: the bias (4 bytes) at [0, 4), the weight (8 bytes) at
/// [4, 12); keys sorted, metadata `format`, `model`, `version`.
fn tiny_by_hand(metadata: &str, tensors: &str) -> Vec<u8> {
    let mut data = Vec::new();
    for x in [0.25f32, 0.5, -1.0] {
        data.extend_from_slice(&x.to_le_bytes());
    }
    file(&format!("{{\"__metadata__\":{metadata},{tensors}}}"), &data)
}

fn tiny_metadata() -> String {
    let model = serde_json::to_string(TINY_MODEL_JSON).unwrap(); // as a JSON string
    format!("{{\"format\":\"sparsegrad-model\",\"model\":{model},\"version\":\"2\"}}")
}

const TINY_TENSORS: &str = "\"layers.0.bias\":{\"data_offsets\":[0,4],\"dtype\":\"F32\",\"shape\":[1]},\
    \"layers.0.weight\":{\"data_offsets\":[4,12],\"dtype\":\"F32\",\"shape\":[1,2]}";

#[test]
fn a_file_built_by_hand_reads_as_the_model_and_the_model_writes_those_bytes() {
    let bytes = tiny_by_hand(&tiny_metadata(), TINY_TENSORS);
    assert_eq!(
        AnyModelFile::from_safetensors_bytes(&bytes).unwrap(),
        AnyModelFile::F32(tiny())
    );
    assert_eq!(tiny().to_safetensors_bytes().unwrap(), bytes);
}

#[test]
fn key_order_and_tensor_order_do_not_matter_to_the_reader() {
    // The weight first in the data, the tensors before the metadata, the
    // metadata's keys in another order, and fields in another order.
    let mut data = Vec::new();
    for x in [0.5f32, -1.0, 0.25] {
        data.extend_from_slice(&x.to_le_bytes());
    }
    let model = serde_json::to_string(TINY_MODEL_JSON).unwrap();
    let header = format!(
        "{{\"layers.0.weight\":{{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}},\
         \"layers.0.bias\":{{\"shape\":[1],\"dtype\":\"F32\",\"data_offsets\":[8,12]}},\
         \"__metadata__\":{{\"version\":\"2\",\"model\":{model},\"format\":\"sparsegrad-model\"}}}}"
    );
    assert_eq!(
        AnyModelFile::from_safetensors_bytes(&file(&header, &data)).unwrap(),
        AnyModelFile::F32(tiny())
    );
}

/// An f64 MLP with every kind of layer, a standardization and values that
/// need all their bits.
fn mlp_f64() -> ModelFile<f64> {
    let layers = vec![
        Layer::Linear {
            weight: array![[0.1, -0.2, 1.0 / 3.0], [0.0, 5e-300, -7.25]],
            bias: array![std::f64::consts::PI, -0.0],
        },
        Layer::Tanh,
        Layer::Linear {
            weight: array![[1.5, -2.5], [0.0, 1e10], [3.0, 4.0]],
            bias: array![0.0, 1.0, -1.0],
        },
        Layer::Sigmoid,
        Layer::Linear {
            weight: array![[1.0, 0.5, 0.25], [-1.0, 0.0, 2.0]],
            bias: array![0.125, 0.0],
        },
    ];
    // Fitted on rows with means (1, −2, 0.5) and stds (2, 1, 0.25).
    let standardize = Standardizer::fit(array![[-1.0, -3.0, 0.25], [3.0, -1.0, 0.75]].view());
    let features = vec!["x0".into(), "x1".into(), "x2".into()];
    ModelFile::new(
        Task::Classification,
        features,
        "class".into(),
        Some(standardize),
        layers,
    )
    .unwrap()
}

#[test]
fn an_f64_mlp_round_trips_bit_for_bit_and_writes_the_same_bytes_every_time() {
    let model = mlp_f64();
    let bytes = model.to_safetensors_bytes().unwrap();
    assert_eq!(
        AnyModelFile::from_safetensors_bytes(&bytes).unwrap(),
        AnyModelFile::F64(model.clone())
    );
    // -0.0 and 5e-300 keep their bits (PartialEq would call -0.0 = 0.0).
    let AnyModelFile::F64(back) = AnyModelFile::from_safetensors_bytes(&bytes).unwrap() else {
        panic!("written as f64")
    };
    let bits = |m: &ModelFile<f64>| -> Vec<u64> {
        m.linear_layers()
            .flat_map(|(_, w, b)| {
                w.iter()
                    .chain(b.iter())
                    .map(|x| x.to_bits())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert_eq!(bits(&back), bits(&model));
    // The metadata is written from a HashMap by the safetensors crate:
    // its order must not leak into the bytes.
    for _ in 0..20 {
        assert_eq!(model.to_safetensors_bytes().unwrap(), bytes);
    }
    // The tensors are named as torch.nn.Sequential's state_dict, prefixed.
    let header_length = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&bytes[8..8 + header_length]).unwrap();
    let names: Vec<&str> = header.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "__metadata__",
            "layers.0.bias",
            "layers.0.weight",
            "layers.2.bias",
            "layers.2.weight",
            "layers.4.bias",
            "layers.4.weight"
        ]
    );
    assert_eq!(
        header["layers.2.weight"]["shape"],
        serde_json::json!([3, 2])
    );
    assert_eq!(header["layers.2.weight"]["dtype"], "F64");
}

#[test]
fn the_format_is_chosen_by_the_extension_and_save_and_load_follow_it() {
    assert_eq!(
        ModelFormat::of_path("m.safetensors".as_ref()),
        ModelFormat::Safetensors
    );
    assert_eq!(
        ModelFormat::of_path("dir.safetensors/m.json".as_ref()),
        ModelFormat::Json
    );
    assert_eq!(ModelFormat::of_path("m".as_ref()), ModelFormat::Json);
    let dir = std::env::temp_dir().join(format!("sparsegrad-safetensors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    mlp_f64().save(&path).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        mlp_f64().to_safetensors_bytes().unwrap()
    );
    assert_eq!(
        AnyModelFile::load(&path).unwrap(),
        AnyModelFile::F64(mlp_f64())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The error reading `bytes`.
fn error(bytes: &[u8]) -> ModelFileError {
    AnyModelFile::from_safetensors_bytes(bytes).unwrap_err()
}

#[test]
fn a_broken_container_is_not_safetensors() {
    let good = tiny().to_safetensors_bytes().unwrap();
    for bytes in [
        &b""[..],
        b"{\"format\": \"sparsegrad-model\"}",
        &good[..good.len() - 1],
        &good[..20],
    ] {
        assert!(
            matches!(
                error(bytes),
                ModelFileError::Tensors(TensorFileError::NotSafetensors(_))
            ),
            "{:?}",
            error(bytes)
        );
    }
    let mut longer = good.clone();
    longer.push(0); // data past the last tensor's offsets
    assert!(matches!(
        error(&longer),
        ModelFileError::Tensors(TensorFileError::NotSafetensors(_))
    ));
}

#[test]
fn the_metadata_must_say_what_the_file_is() {
    let model = serde_json::to_string(TINY_MODEL_JSON).unwrap();
    let with = |metadata: &str| error(&tiny_by_hand(metadata, TINY_TENSORS));
    assert_eq!(
        with(&format!(
            "{{\"format\":\"other\",\"model\":{model},\"version\":\"2\"}}"
        )),
        ModelFileError::WrongFormat {
            found: Some("\"other\"".into())
        }
    );
    assert_eq!(
        with(&format!(
            "{{\"format\":\"sparsegrad-model\",\"model\":{model}}}"
        )),
        ModelFileError::UnsupportedContainerVersion { found: None }
    );
    assert_eq!(
        with(&format!(
            "{{\"format\":\"sparsegrad-model\",\"model\":{model},\"version\":\"1\"}}"
        )),
        ModelFileError::UnsupportedContainerVersion {
            found: Some("\"1\"".into())
        }
    );
    assert_eq!(
        with("{\"format\":\"sparsegrad-model\",\"version\":\"2\"}"),
        ModelFileError::NoModelMetadata
    );
    // No metadata at all: no format.
    let bare = tiny_by_hand("{}", TINY_TENSORS);
    assert_eq!(error(&bare), ModelFileError::WrongFormat { found: None });
}

/// `tiny`'s file with the model JSON of the metadata edited by `edit`.
fn with_model(edit: impl Fn(&str) -> String) -> ModelFileError {
    let model = serde_json::to_string(&edit(TINY_MODEL_JSON)).unwrap();
    let metadata =
        format!("{{\"format\":\"sparsegrad-model\",\"model\":{model},\"version\":\"2\"}}");
    error(&tiny_by_hand(&metadata, TINY_TENSORS))
}

#[test]
fn the_model_in_the_metadata_is_checked_as_a_json_model_file() {
    assert_eq!(
        with_model(|m| m.replace("\"version\": 1", "\"version\": 3")),
        ModelFileError::UnsupportedVersion {
            found: Some("3".into())
        }
    );
    assert_eq!(
        with_model(|m| m.replace("[\"a\", \"b\"]", "[\"a\", \"y\"]")),
        ModelFileError::TargetIsFeature { name: "y".into() }
    );
    // The container is whole: the error names the metadata's text, not
    // the file ("the file ends early" sent users to a file that was not cut).
    let cut = with_model(|m| m[..40].to_string());
    assert!(
        matches!(cut, ModelFileError::MetadataNotJson { line: 3, .. }),
        "{cut:?}"
    );
    assert!(
        cut.to_string()
            .starts_with("the safetensors metadata's \"model\" is not valid JSON at line 3"),
        "{cut}"
    );
    assert!(matches!(
        with_model(|m| m.replace("{", "[")),
        ModelFileError::MetadataNotJson { .. }
    ));
    assert_eq!(
        with_model(|m| m.replace(
            "\"out_features\": 1}",
            "\"out_features\": 1, \"bias\": [0.25]}"
        )),
        ModelFileError::ParametersInMetadata {
            index: 0,
            field: "bias"
        }
    );
}

#[test]
fn every_tensor_must_be_there_of_the_right_dtype_and_shape_and_no_other() {
    let metadata = tiny_metadata();
    let tensors = |t: &str| error(&tiny_by_hand(&metadata, t));
    let tensor = |e: ModelFileError| match e {
        ModelFileError::Tensors(e) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        tensor(tensors(
            "\"layers.0.bias\":{\"data_offsets\":[0,4],\"dtype\":\"F32\",\"shape\":[1]},\
             \"layers.0.wait\":{\"data_offsets\":[4,12],\"dtype\":\"F32\",\"shape\":[1,2]}"
        )),
        TensorFileError::Missing {
            name: "layers.0.weight".into()
        }
    );
    assert_eq!(
        tensor(tensors(
            "\"layers.0.bias\":{\"data_offsets\":[0,4],\"dtype\":\"F32\",\"shape\":[1]},\
             \"layers.0.weight\":{\"data_offsets\":[4,12],\"dtype\":\"F32\",\"shape\":[2,1]}"
        )),
        TensorFileError::Shape {
            name: "layers.0.weight".into(),
            found: vec![2, 1],
            expected: vec![1, 2]
        }
    );
    assert_eq!(
        tensor(tensors(
            "\"layers.0.bias\":{\"data_offsets\":[0,4],\"dtype\":\"I32\",\"shape\":[1]},\
             \"layers.0.weight\":{\"data_offsets\":[4,12],\"dtype\":\"F32\",\"shape\":[1,2]}"
        )),
        TensorFileError::Dtype {
            name: "layers.0.bias".into(),
            found: "I32".into(),
            expected: "F32".into()
        }
    );
    assert_eq!(
        tensor(tensors(
            "\"layers.0.bias\":{\"data_offsets\":[0,4],\"dtype\":\"F32\",\"shape\":[1]},\
             \"layers.0.weight\":{\"data_offsets\":[4,8],\"dtype\":\"F32\",\"shape\":[1,1]},\
             \"layers.1.weight\":{\"data_offsets\":[8,12],\"dtype\":\"F32\",\"shape\":[1]}"
        )),
        TensorFileError::Shape {
            name: "layers.0.weight".into(),
            found: vec![1, 1],
            expected: vec![1, 2]
        }
    );
    let mut data = Vec::new();
    for x in [0.25f32, 0.5, -1.0, 9.0] {
        data.extend_from_slice(&x.to_le_bytes());
    }
    let header = format!(
        "{{\"__metadata__\":{metadata},{TINY_TENSORS},\
         \"extra\":{{\"data_offsets\":[12,16],\"dtype\":\"F32\",\"shape\":[1]}}}}"
    );
    assert_eq!(
        tensor(error(&file(&header, &data))),
        TensorFileError::Unexpected {
            name: "extra".into()
        }
    );
}

#[test]
fn a_non_finite_parameter_is_refused_as_in_json() {
    let mut data = Vec::new();
    for x in [0.25f32, f32::NAN, -1.0] {
        data.extend_from_slice(&x.to_le_bytes());
    }
    let header = format!("{{\"__metadata__\":{},{TINY_TENSORS}}}", tiny_metadata());
    assert!(matches!(
        error(&file(&header, &data)),
        ModelFileError::NonFinite { location, .. } if location == "layers[0].weight[0][0]"
    ));
}

#[test]
fn any_models_named_parameters_save_and_load() {
    let trained = Mlp::<f64>::new(&[3, 5, 2], Activation::Tanh, &mut StdRng::seed_from_u64(1));
    let bytes = save_parameters(&trained.named_parameters()).unwrap();
    let fresh = Mlp::<f64>::new(&[3, 5, 2], Activation::Tanh, &mut StdRng::seed_from_u64(2));
    load_parameters(&bytes, &fresh.named_parameters()).unwrap();
    for ((name, a), (_, b)) in trained
        .named_parameters()
        .iter()
        .zip(&fresh.named_parameters())
    {
        assert_eq!(a.to_array(), b.to_array(), "{name}");
    }
    // A model of another shape or dtype is refused, and left as it was.
    let other = Mlp::<f64>::new(&[3, 4, 2], Activation::Tanh, &mut StdRng::seed_from_u64(3));
    let before = other.first_layer_weight().to_array();
    assert_eq!(
        load_parameters(&bytes, &other.named_parameters()).unwrap_err(),
        TensorFileError::Shape {
            name: "layers.0.weight".into(),
            found: vec![5, 3],
            expected: vec![4, 3]
        }
    );
    assert_eq!(other.first_layer_weight().to_array(), before);
    let single = Mlp::<f32>::new(&[3, 5, 2], Activation::Tanh, &mut StdRng::seed_from_u64(2));
    assert!(matches!(
        load_parameters(&bytes, &single.named_parameters()).unwrap_err(),
        TensorFileError::Dtype { .. }
    ));
    // A file with fewer parameters than the model: the first missing one.
    let linear = Mlp::<f64>::new(&[3, 5], Activation::Tanh, &mut StdRng::seed_from_u64(4));
    let small = save_parameters(&linear.named_parameters()).unwrap();
    assert_eq!(
        load_parameters(&small, &fresh.named_parameters()).unwrap_err(),
        TensorFileError::Missing {
            name: "layers.2.weight".into()
        }
    );
}
