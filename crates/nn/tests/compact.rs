//! Compaction: the smaller network computes the same function (within the
//! rounding bound of the contract), the widths are the ones expected, and
//! a folded constant neuron moves into the next bias as computed by hand.

use ndarray::{Array1, Array2, array};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sparsegrad_autograd::{Float, Tensor};
use sparsegrad_nn::activation::Activation;
use sparsegrad_nn::compact::{NetworkSize, compact};
use sparsegrad_nn::linear::Linear;
use sparsegrad_nn::mlp::{Mlp, MlpLayer};
use sparsegrad_nn::module::Module;

fn linear<T: Float>(weight: Array2<T>, bias: Array1<T>) -> MlpLayer<T> {
    MlpLayer::Linear(Linear::from_arrays(weight, Some(bias)).unwrap())
}

fn random_matrix<T: Float>(rows: usize, cols: usize, rng: &mut StdRng) -> Array2<T> {
    Array2::from_shape_fn((rows, cols), |_| T::from_f64(rng.random_range(-1.0..1.0)))
}

fn random_vector<T: Float>(n: usize, rng: &mut StdRng) -> Array1<T> {
    Array1::from_shape_fn(n, |_| T::from_f64(rng.random_range(-1.0..1.0)))
}

/// A 6 → 5 → 4 → 2 network with, by construction:
/// - features 1 and 4 unused (zero columns of W₁);
/// - neuron 0 of layer 1 with a zero incoming row (constant, folded);
/// - neuron 3 of layer 1 unused (zero column of W₂);
/// - neuron 2 of layer 2 unused (zero column of W₃);
/// - neuron 1 of layer 2 fed only by neurons 0 and 3 of layer 1, so it
///   becomes constant once they are gone (found on the second pass).
fn structured_network<T: Float>(seed: u64) -> Mlp<T> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut w1 = random_matrix::<T>(5, 6, &mut rng);
    w1.column_mut(1).fill(T::zero());
    w1.column_mut(4).fill(T::zero());
    w1.row_mut(0).fill(T::zero());
    let mut w2 = random_matrix::<T>(4, 5, &mut rng);
    w2.column_mut(3).fill(T::zero());
    for j in [1, 2, 4] {
        w2[[1, j]] = T::zero();
    }
    let mut w3 = random_matrix::<T>(2, 4, &mut rng);
    w3.column_mut(2).fill(T::zero());
    let layers = vec![
        linear(w1, random_vector(5, &mut rng)),
        MlpLayer::Activation(Activation::Tanh),
        linear(w2, random_vector(4, &mut rng)),
        MlpLayer::Activation(Activation::Sigmoid),
        linear(w3, random_vector(2, &mut rng)),
    ];
    Mlp::from_layers(layers).unwrap()
}

/// The largest |ŷ − ŷ'| / (1 + |ŷ|) over random inputs, the compacted
/// network reading only its kept columns.
fn worst_relative_error<T: Float>(mlp: &Mlp<T>, seed: u64) -> f64 {
    let compacted = compact(mlp);
    let mut rng = StdRng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((200, mlp.in_features()), |_| {
        T::from_f64(rng.random_range(-3.0..3.0))
    });
    let before = mlp.forward(&Tensor::new(x.clone())).to_array();
    let kept = x.select(ndarray::Axis(1), &compacted.features);
    let after = compacted.mlp.forward(&Tensor::new(kept)).to_array();
    assert_eq!(before.shape(), after.shape());
    before
        .iter()
        .zip(&after)
        .map(|(b, a)| (b.as_f64() - a.as_f64()).abs() / (1.0 + b.as_f64().abs()))
        .fold(0.0, f64::max)
}

#[test]
fn removes_what_is_zero_and_keeps_the_function() {
    let mlp = structured_network::<f64>(1);
    let compacted = compact(&mlp);
    assert_eq!(compacted.features, [0, 2, 3, 5]);
    assert_eq!(
        NetworkSize::of(&mlp),
        NetworkSize {
            parameters: 5 * 6 + 5 + 4 * 5 + 4 + 2 * 4 + 2,
            features: 6,
            neurons: vec![5, 4]
        }
    );
    // layer 1 keeps neurons 1, 2, 4; layer 2 keeps neurons 0 and 3
    assert_eq!(
        NetworkSize::of(&compacted.mlp),
        NetworkSize {
            parameters: 3 * 4 + 3 + 2 * 3 + 2 + 2 * 2 + 2,
            features: 4,
            neurons: vec![3, 2]
        }
    );
    assert!(worst_relative_error(&mlp, 2) <= 1e-12);
    for seed in 3..8 {
        assert!(worst_relative_error(&structured_network::<f32>(seed), seed) <= 1e-5);
        assert!(worst_relative_error(&structured_network::<f64>(seed), seed) <= 1e-12);
    }
}

#[test]
fn a_dense_network_is_unchanged() {
    let mlp = Mlp::<f64>::new(&[3, 4, 2], Activation::Relu, &mut StdRng::seed_from_u64(0));
    let compacted = compact(&mlp);
    assert_eq!(compacted.features, [0, 1, 2]);
    for ((name, p), (name2, q)) in mlp
        .named_parameters()
        .iter()
        .zip(compacted.mlp.named_parameters())
    {
        assert_eq!((name, &*p.value()), (&name2, &*q.value()));
    }
}

#[test]
fn a_constant_neuron_is_folded_into_the_next_bias() {
    // h = tanh(W₁x + b₁) with neuron 1's row zero: h₁ = tanh(0.5).
    // y = [2, 3]·h + 0.1 becomes y = 2·h₀ + (0.1 + 3·tanh(0.5)).
    let layers = vec![
        linear(array![[1.0, -1.0], [0.0, 0.0]], array![0.25, 0.5]),
        MlpLayer::Activation(Activation::Tanh),
        linear(array![[2.0, 3.0]], array![0.1]),
    ];
    let compacted = compact(&Mlp::from_layers(layers).unwrap());
    let params = compacted.mlp.named_parameters();
    let values: Vec<Vec<f64>> = params
        .iter()
        .map(|(_, p)| p.to_array().into_iter().collect())
        .collect();
    assert_eq!(values[0], [1.0, -1.0]);
    assert_eq!(values[1], [0.25]);
    assert_eq!(values[2], [2.0]);
    assert_eq!(values[3], [0.1 + 3.0 * 0.5f64.tanh()]);
    assert_eq!(compacted.features, [0, 1]);
}

#[test]
fn a_network_without_a_surviving_feature_predicts_its_constant() {
    // Every column of W₁ is 0: the output is [1, −1]·relu(b₁) + b₂ for any x.
    let layers = vec![
        linear(Array2::zeros((2, 3)), array![0.75, -0.5]),
        MlpLayer::Activation(Activation::Relu),
        linear(array![[1.0, -1.0], [2.0, 4.0]], array![0.5, 0.25]),
    ];
    let mlp = Mlp::from_layers(layers).unwrap();
    let compacted = compact(&mlp);
    assert_eq!(compacted.features, [0]);
    let size = NetworkSize::of(&compacted.mlp);
    assert_eq!(
        (size.features, size.neurons.len(), size.parameters),
        (1, 0, 4)
    );
    let x = Tensor::new(array![[3.0], [-7.0]]);
    let y = compacted.mlp.forward(&x).to_array();
    // relu(0.75) = 0.75, relu(−0.5) = 0
    let constant = [0.5 + 0.75, 0.25 + 2.0 * 0.75];
    for row in y.rows() {
        assert_eq!(row.to_vec(), constant);
    }
    assert!(worst_relative_error(&mlp, 0) <= 1e-12);
}
