//! Model files: the documented layout, and bit-exact round trips in both
//! dtypes.

use ndarray::{Array1, Array2, array};
use proptest::prelude::*;
use sparsegrad_autograd::Float;
use sparsegrad_io::model_file::{AnyModelFile, Layer, ModelFile};
use sparsegrad_nn::data::{Standardizer, Task};

/// The example of the command-line contract, character for character.
const CONTRACT_EXAMPLE: &str = include_str!("model_file_fixtures/contract_example.json");

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|j| format!("{prefix}{j}")).collect()
}

fn contract_model() -> ModelFile<f64> {
    let layers = vec![
        Layer::Linear {
            weight: array![[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
            bias: Array1::zeros(3),
        },
        Layer::Relu,
        Layer::Linear {
            weight: array![[0.1, 0.2, 0.3]],
            bias: Array1::zeros(1),
        },
    ];
    ModelFile::new(Task::Regression, names("x", 2), "y".into(), None, layers).unwrap()
}

#[test]
fn writes_the_layout_of_the_contract_and_reads_it_back() {
    let model = contract_model();
    assert_eq!(
        String::from_utf8(model.to_json_bytes()).unwrap(),
        CONTRACT_EXAMPLE
    );
    let loaded = AnyModelFile::from_json_bytes(CONTRACT_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(loaded.dtype(), "f64");
    assert_eq!(loaded, AnyModelFile::F64(model.clone()));
    assert_eq!(model.n_outputs(), 1);
    let indices: Vec<usize> = model.linear_layers().map(|(i, _, _)| i).collect();
    assert_eq!(indices, [0, 2]);
}

#[test]
fn a_compact_or_reordered_file_is_read_the_same() {
    let compact = r#"{"layers":[{"bias":[0.0],"weight":[[1.5]],"out_features":1,"in_features":1,"type":"linear"}],
        "standardize":{"std":[2.0],"mean":[-1.0]},"target":"t","features":["a"],"task":"regression",
        "dtype":"f32","version":1,"format":"sparsegrad-model"}"#;
    let AnyModelFile::F32(model) = AnyModelFile::from_json_bytes(compact.as_bytes()).unwrap()
    else {
        panic!("dtype f32")
    };
    let standardizer = model.standardize().unwrap();
    assert_eq!(
        (standardizer.mean(), standardizer.std()),
        (&[-1.0][..], &[2.0][..])
    );
    assert_eq!(
        model.layers(),
        &[Layer::Linear {
            weight: array![[1.5f32]],
            bias: array![0.0f32]
        }]
    );
}

/// A classifier 3 → 4 → 5 → 2 → 3 through all three activations, whose
/// numbers are `values` (cycled), in dtype T.
fn model_with<T: Float>(values: &[T], standardize: Option<Standardizer>) -> ModelFile<T> {
    let mut next = values.iter().copied().cycle();
    let widths = [3, 4, 5, 2, 3];
    let activations = [Layer::Tanh, Layer::Sigmoid, Layer::Relu];
    let mut layers = Vec::new();
    for (k, pair) in widths.windows(2).enumerate() {
        let weight = Array2::from_shape_fn((pair[1], pair[0]), |_| next.next().unwrap());
        let bias = Array1::from_shape_fn(pair[1], |_| next.next().unwrap());
        if k > 0 {
            layers.push(activations[k - 1].clone());
        }
        layers.push(Layer::Linear { weight, bias });
    }
    ModelFile::new(
        Task::Classification,
        names("f", 3),
        "class".into(),
        standardize,
        layers,
    )
    .unwrap()
}

/// The bits of every weight and bias.
fn bits<T: Float>(model: &ModelFile<T>) -> Vec<u64> {
    model
        .linear_layers()
        .flat_map(|(_, w, b)| w.iter().chain(b.iter()).copied().collect::<Vec<_>>())
        .map(|x| x.as_f64().to_bits())
        .collect()
}

fn assert_round_trip_f32(values: &[f32]) {
    let model = model_with(values, None);
    let bytes = model.to_json_bytes();
    match AnyModelFile::from_json_bytes(&bytes).unwrap() {
        AnyModelFile::F32(back) => assert_eq!(
            bits(&back),
            bits(&model),
            "{}",
            String::from_utf8_lossy(&bytes)
        ),
        AnyModelFile::F64(_) => panic!("an f32 model came back as f64"),
    }
}

fn assert_round_trip_f64(values: &[f64], standardize: Option<Standardizer>) {
    let model = model_with(values, standardize.clone());
    let bytes = model.to_json_bytes();
    match AnyModelFile::from_json_bytes(&bytes).unwrap() {
        AnyModelFile::F64(back) => {
            assert_eq!(
                bits(&back),
                bits(&model),
                "{}",
                String::from_utf8_lossy(&bytes)
            );
            let (a, b) = (back.standardize(), standardize.as_ref());
            let stat_bits = |s: Option<&Standardizer>| {
                s.map(|s| {
                    s.mean()
                        .iter()
                        .chain(s.std())
                        .map(|x| x.to_bits())
                        .collect::<Vec<_>>()
                })
            };
            assert_eq!(stat_bits(a), stat_bits(b));
        }
        AnyModelFile::F32(_) => panic!("an f64 model came back as f32"),
    }
}

#[test]
fn edge_values_round_trip_bit_for_bit_in_f32() {
    assert_round_trip_f32(&[
        0.0,
        -0.0,
        f32::from_bits(1),            // smallest subnormal
        -f32::from_bits(0x007f_ffff), // largest subnormal
        f32::MIN_POSITIVE,
        f32::MAX,
        f32::MIN,
        f32::EPSILON,
        1.0 / 3.0,
        0.1,
        16_777_217.0, // 2²⁴ + 1 rounds to 2²⁴
        -7.038531e-26,
        1.0e-38,
        3.4028235e38,
    ]);
}

#[test]
fn edge_values_round_trip_bit_for_bit_in_f64() {
    let standardize: Standardizer =
        serde_json::from_str(r#"{"mean":[0.1,-5e-324,1.7976931348623157e308],"std":[2.2250738585072014e-308,1e-300,0.30000000000000004]}"#)
            .unwrap();
    assert_round_trip_f64(
        &[
            0.0,
            -0.0,
            f64::from_bits(1),
            -f64::from_bits(0x000f_ffff_ffff_ffff),
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            1.0 / 3.0,
            0.1,
            9_007_199_254_740_993.0,
            f64::from(f32::MAX),
            f64::from(0.1f32),
        ],
        Some(standardize),
    );
}

#[test]
fn a_sweep_over_the_f32_bit_patterns_round_trips() {
    // Every 65 521st pattern (a prime stride, so all exponents and many
    // mantissas are visited): about 65 000 values, NaNs and infinities skipped.
    let values: Vec<f32> = (0..=u32::MAX)
        .step_by(65_521)
        .map(f32::from_bits)
        .filter(|x| x.is_finite())
        .collect();
    assert!(values.len() > 60_000);
    for chunk in values.chunks(1000) {
        assert_round_trip_f32(chunk);
    }
}

#[test]
fn the_same_model_gives_the_same_bytes() {
    let values: Vec<f64> = (0..20).map(|i| (i as f64).sin()).collect();
    assert_eq!(
        model_with(&values, None).to_json_bytes(),
        model_with(&values, None).to_json_bytes()
    );
}

#[test]
fn f32_numbers_are_written_in_their_own_shortest_form() {
    let AnyModelFile::F32(model) = AnyModelFile::from_json_bytes(
        contract_model()
            .cast::<f32>()
            .unwrap()
            .to_json_bytes()
            .as_slice(),
    )
    .unwrap() else {
        panic!("f32")
    };
    let text = String::from_utf8(model.to_json_bytes()).unwrap();
    // 0.1f32 is 0.100000001490116… as an f64; its shortest f32 form is 0.1.
    assert!(
        text.contains(r#""weight": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]"#),
        "{text}"
    );
    assert!(text.contains(r#""dtype": "f32""#), "{text}");
}

#[test]
fn casting_converts_every_number_and_keeps_the_rest() {
    let model = contract_model();
    let single = model.cast::<f32>().unwrap();
    let Layer::Linear { weight, .. } = &single.layers()[0] else {
        panic!("linear")
    };
    assert_eq!(weight[[1, 0]], 0.3f32);
    assert_eq!(
        (single.features(), single.target(), single.task()),
        (model.features(), "y", Task::Regression)
    );
    let back = AnyModelFile::F32(single).into_dtype::<f64>().unwrap();
    let Layer::Linear { weight, .. } = &back.layers()[0] else {
        panic!("linear")
    };
    assert_eq!(weight[[1, 0]], f64::from(0.3f32));
}

fn finite_f32() -> impl Strategy<Value = f32> {
    any::<u32>()
        .prop_map(f32::from_bits)
        .prop_filter("finite", |x| x.is_finite())
}

fn finite_f64() -> impl Strategy<Value = f64> {
    any::<u64>()
        .prop_map(f64::from_bits)
        .prop_filter("finite", |x| x.is_finite())
}

proptest! {
    #[test]
    fn random_f32_bit_patterns_round_trip(values in proptest::collection::vec(finite_f32(), 1..80)) {
        assert_round_trip_f32(&values);
    }

    #[test]
    fn random_f64_bit_patterns_round_trip(
        values in proptest::collection::vec(finite_f64(), 1..80),
        mean in proptest::collection::vec(finite_f64(), 3),
        std in proptest::collection::vec(finite_f64().prop_map(f64::abs).prop_filter("positive", |s| *s > 0.0), 3),
    ) {
        let standardize: Standardizer =
            serde_json::from_value(serde_json::json!({"mean": mean, "std": std})).unwrap();
        assert_round_trip_f64(&values, Some(standardize));
    }
}
