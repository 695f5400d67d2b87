//! Modules: Linear's arithmetic and init, parameter names as torch names
//! them, activations as strings, dropout's masks, and Mlp's layers.

use ndarray::{Array1, Array2, array};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad_autograd::Tensor;
use sparsegrad_nn::activation::Activation;
use sparsegrad_nn::dropout::Dropout;
use sparsegrad_nn::linear::{BiasLengthError, Linear};
use sparsegrad_nn::mlp::{Mlp, MlpError, MlpLayer};
use sparsegrad_nn::module::{DeepCopy, Module};
use sparsegrad_nn::sequential::Sequential;

fn names<T: sparsegrad_autograd::Float>(m: &dyn Module<T>) -> Vec<String> {
    m.named_parameters().into_iter().map(|(n, _)| n).collect()
}

#[test]
fn linear_computes_x_w_transposed_plus_b() {
    // W = [[1, 2], [3, 4], [5, 6]] (3 outputs, 2 inputs), b = [0.5, -1, 2].
    let layer = Linear::<f64>::from_arrays(
        array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
        Some(array![0.5, -1.0, 2.0]),
    )
    .unwrap();
    let x = Tensor::from_vec(vec![1.0, -1.0, 2.0, 0.5], &[2, 2]);
    let y = layer.forward(&x);
    // row 0: x = (1, -1): (1 - 2 + 0.5, 3 - 4 - 1, 5 - 6 + 2) = (-0.5, -2, 1)
    // row 1: x = (2, 0.5): (2 + 1 + 0.5, 6 + 2 - 1, 10 + 3 + 2) = (3.5, 7, 15)
    assert_eq!(
        y.value().as_slice().unwrap(),
        &[-0.5, -2.0, 1.0, 3.5, 7.0, 15.0]
    );
    assert_eq!((layer.in_features(), layer.out_features()), (2, 3));
    assert_eq!(names(&layer), ["weight", "bias"]);
    assert!(layer.weight().requires_grad() && layer.bias().unwrap().requires_grad());
}

#[test]
fn linear_without_bias_has_only_a_weight() {
    let layer = Linear::<f32>::new(4, 2, false, &mut StdRng::seed_from_u64(1));
    assert_eq!(names(&layer), ["weight"]);
    assert!(layer.bias().is_none());
    let y = layer.forward(&Tensor::ones(&[1, 4]));
    let w = layer.weight().to_array();
    let row_sums: Vec<f32> = w.rows().into_iter().map(|r| r.sum()).collect();
    assert_eq!(y.value().as_slice().unwrap(), row_sums.as_slice());
}

#[test]
fn linear_refuses_a_bias_of_the_wrong_length() {
    let err = Linear::<f64>::from_arrays(Array2::zeros((3, 2)), Some(Array1::zeros(2)))
        .err()
        .unwrap();
    assert_eq!(
        err,
        BiasLengthError {
            out_features: 3,
            in_features: 2,
            bias_len: 2
        }
    );
}

#[test]
fn linear_default_init_is_uniform_within_one_over_sqrt_fan_in() {
    // 25 inputs: bound 1/5. 200·25 weights and 200 biases all inside, and
    // the extremes come close to it (the chance that 5000 uniform draws
    // all avoid the outer 2% of the range is 0.98^5000 ≈ 1e-44).
    let layer = Linear::<f64>::new(25, 200, true, &mut StdRng::seed_from_u64(3));
    let bound = 0.2;
    let w = layer.weight().to_array();
    let b = layer.bias().unwrap().to_array();
    assert!(w.iter().chain(b.iter()).all(|v| v.abs() <= bound));
    let max_abs = w.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(max_abs > 0.98 * bound, "{max_abs}");
    // The same seed gives the same bits.
    let again = Linear::<f64>::new(25, 200, true, &mut StdRng::seed_from_u64(3));
    assert_eq!(again.weight().to_array(), w);
    assert_eq!(again.bias().unwrap().to_array(), b);
}

#[test]
fn activations_parse_display_and_apply() {
    for (s, act) in [
        ("relu", Activation::Relu),
        ("tanh", Activation::Tanh),
        ("sigmoid", Activation::Sigmoid),
        ("gelu", Activation::Gelu),
        ("softplus", Activation::Softplus),
        ("identity", Activation::Identity),
        ("leaky_relu(0.2)", Activation::LeakyRelu(0.2)),
    ] {
        assert_eq!(s.parse::<Activation>().unwrap(), act);
        assert_eq!(act.to_string(), s);
    }
    assert_eq!(
        "leaky_relu".parse::<Activation>().unwrap(),
        Activation::LeakyRelu(0.01)
    );
    for bad in [
        "Relu",
        "",
        "leaky_relu(x)",
        "leaky_relu(0.1",
        "leaky_relu(inf)",
    ] {
        let err = bad.parse::<Activation>().unwrap_err();
        assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
    }
    let x = Tensor::<f64>::from_vec(vec![-2.0, 0.0, 3.0], &[1, 3]);
    let apply = |a: Activation| a.forward(&x).to_array().into_raw_vec_and_offset().0;
    assert_eq!(apply(Activation::Relu), [0.0, 0.0, 3.0]);
    assert_eq!(apply(Activation::LeakyRelu(0.1)), [-0.2, 0.0, 3.0]);
    assert_eq!(apply(Activation::Identity), [-2.0, 0.0, 3.0]);
    assert_eq!(apply(Activation::Tanh)[2], 3f64.tanh());
    assert_eq!(apply(Activation::Sigmoid)[1], 0.5);
    assert!(names::<f64>(&Activation::Relu).is_empty());
}

#[test]
fn dropout_drops_about_p_scales_survivors_and_backpropagates_the_mask() {
    let p = 0.3;
    let dropout = Dropout::new(p, 11);
    let x = Tensor::<f64>::full(&[20_000], 2.0).set_requires_grad(true);
    let y = dropout.forward(&x);
    let scaled = 2.0 / (1.0 - p);
    let values = y.to_array();
    assert!(values.iter().all(|&v| v == 0.0 || v == scaled));
    // The number dropped is Binomial(20000, 0.3): mean 6000, sd ≈ 65; allow 5 sd.
    let dropped = values.iter().filter(|&&v| v == 0.0).count() as f64;
    assert!((dropped - 6000.0).abs() < 5.0 * 64.8, "{dropped}");
    // ∂(Σy)/∂x = the mask: 1/(1 − p) where kept, 0 where dropped.
    y.sum().backward();
    let grad = x.grad().unwrap().clone();
    for (g, v) in grad.iter().zip(values.iter()) {
        assert_eq!(*g, if *v == 0.0 { 0.0 } else { 1.0 / (1.0 - p) });
    }
    // Same seed, same masks; the next call draws a new mask.
    let twin = Dropout::new(p, 11);
    assert_eq!(twin.forward(&x).to_array(), values);
    assert_ne!(twin.forward(&x).to_array(), values);
}

#[test]
fn dropout_is_the_identity_in_eval_mode_also_inside_a_sequential() {
    let x = Tensor::<f64>::ones(&[4, 3]);
    let mut net = Sequential::new()
        .push(Dropout::new(0.5, 0))
        .push(Activation::Identity);
    assert_ne!(net.forward(&x).to_array(), x.to_array()); // training: some dropped
    net.set_training(false);
    for _ in 0..3 {
        assert_eq!(net.forward(&x).to_array(), x.to_array());
    }
    net.set_training(true);
    assert_ne!(net.forward(&x).to_array(), x.to_array());
    let mut all = Dropout::new(1.0, 0);
    assert!(
        Module::<f64>::forward(&all, &x)
            .value()
            .iter()
            .all(|&v| v == 0.0)
    );
    all.set_training(false);
    assert!(!all.is_training() && all.p() == 1.0);
}

#[test]
fn sequential_names_children_by_position_and_chains_them() {
    let mut rng = StdRng::seed_from_u64(0);
    let first = Linear::<f64>::new(3, 4, true, &mut rng);
    let last = Linear::<f64>::new(4, 2, false, &mut rng);
    let (w0, b0, w2) = (
        first.weight().clone(),
        first.bias().unwrap().clone(),
        last.weight().clone(),
    );
    let net = Sequential::new()
        .push(first)
        .push(Activation::Relu)
        .push(last);
    assert_eq!(net.len(), 3);
    assert_eq!(names(&net), ["0.weight", "0.bias", "2.weight"]);
    let params = net.parameters();
    assert!(params[0].same_node(&w0) && params[1].same_node(&b0) && params[2].same_node(&w2));
    let x = Tensor::from_vec(vec![0.5, -1.0, 2.0], &[1, 3]);
    let by_hand = x.linear(&w0, Some(&b0)).relu().linear(&w2, None);
    assert_eq!(net.forward(&x).to_array(), by_hand.to_array());
}

#[test]
fn mlp_counts_activations_in_its_names_and_exposes_its_layers() {
    let mlp = Mlp::<f64>::new(
        &[5, 4, 3, 2],
        Activation::Tanh,
        &mut StdRng::seed_from_u64(9),
    );
    assert_eq!(
        names(&mlp),
        [
            "layers.0.weight",
            "layers.0.bias",
            "layers.2.weight",
            "layers.2.bias",
            "layers.4.weight",
            "layers.4.bias"
        ]
    );
    let kinds: Vec<String> = mlp
        .layers()
        .iter()
        .map(|l| match l {
            MlpLayer::Linear(lin) => format!("linear {}x{}", lin.out_features(), lin.in_features()),
            MlpLayer::Activation(a) => a.to_string(),
        })
        .collect();
    assert_eq!(
        kinds,
        ["linear 4x5", "tanh", "linear 3x4", "tanh", "linear 2x3"]
    );
    assert_eq!((mlp.in_features(), mlp.out_features()), (5, 2));
    assert!(mlp.first_layer_weight().same_node(&mlp.parameters()[0]));

    // forward = the layers applied by hand
    let x = Tensor::from_vec((0..10).map(|i| i as f64 / 10.0).collect(), &[2, 5]);
    let p = mlp.parameters();
    let by_hand = x
        .linear(&p[0], Some(&p[1]))
        .tanh()
        .linear(&p[2], Some(&p[3]))
        .tanh()
        .linear(&p[4], Some(&p[5]));
    assert_eq!(mlp.forward(&x).to_array(), by_hand.to_array());

    // Taken apart and rebuilt, it is the same network.
    let y = mlp.forward(&x).to_array();
    let rebuilt = Mlp::from_layers(mlp.into_layers()).unwrap();
    assert_eq!(rebuilt.forward(&x).to_array(), y);
}

#[test]
fn mlp_from_layers_checks_widths() {
    let mut rng = StdRng::seed_from_u64(0);
    let err = Mlp::<f64>::from_layers(vec![
        MlpLayer::Linear(Linear::new(3, 4, true, &mut rng)),
        MlpLayer::Activation(Activation::Relu),
        MlpLayer::Linear(Linear::new(5, 1, true, &mut rng)),
    ])
    .err()
    .unwrap();
    assert_eq!(
        err,
        MlpError::WidthMismatch {
            layer: 2,
            expected: 4,
            found: 5
        }
    );
    assert_eq!(
        err.to_string(),
        "layers.2: expects 5 input features, but the previous linear layer gives 4"
    );
    let err = Mlp::<f64>::from_layers(vec![MlpLayer::Activation(Activation::Relu)])
        .err()
        .unwrap();
    assert_eq!(err, MlpError::NoLinearLayer);
    // A linear model: one layer, no activation.
    let linear = Mlp::<f64>::new(&[3, 1], Activation::Relu, &mut rng);
    assert_eq!(names(&linear), ["layers.0.weight", "layers.0.bias"]);
}

#[test]
fn a_sequential_deep_copy_shares_no_parameter_and_computes_the_same() {
    let mut rng = StdRng::seed_from_u64(4);
    let net = Sequential::<f64>::new()
        .push(Linear::new(3, 4, true, &mut rng))
        .push(Activation::Tanh)
        .push(Dropout::new(0.5, 7))
        .push(Linear::new(4, 2, false, &mut rng));
    let copy = net.deep_copy();
    assert_eq!(names(&copy), names(&net));
    let x = Tensor::from_vec((0..6).map(|k| k as f64 * 0.3 - 0.7).collect(), &[2, 3]);
    // The dropout's RNG is copied: the first masks agree too.
    assert_eq!(copy.forward(&x).to_array(), net.forward(&x).to_array());
    for (original, copied) in net.parameters().iter().zip(copy.parameters()) {
        assert!(!original.same_node(&copied) && copied.is_leaf() && copied.requires_grad());
        assert_eq!(original.to_array(), copied.to_array());
        copied.value_mut().fill(0.0);
        assert!(
            original.value().iter().any(|&v| v != 0.0),
            "the original keeps its values"
        );
    }
}
