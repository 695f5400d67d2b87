//! The neuron of the `backprop` tour: the library's values and gradients
//! against numbers known independently of the tour's own formulas.

use sparsegrad_examples::tour::neuron::{CLASSIC, NeuronInputs, NeuronNode, neuron};

fn node<'a>(nodes: &'a [NeuronNode], name: &str) -> &'a NeuronNode {
    nodes
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no node {name}"))
}

#[test]
fn the_classic_neuron_has_micrographs_values_and_gradients() {
    let nodes = neuron(CLASSIC);
    assert_eq!(nodes.len(), 10);
    // b = atanh(1/√2) − x1·w1 − x2·w2 + ... chosen so that o = 1/√2, 1 − o² = ½
    let o = node(&nodes, "o");
    assert!(
        (o.value - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12,
        "{o:?}"
    );
    assert_eq!(o.grad, 1.0);
    let expected_grads = [
        ("x1", -1.5),
        ("w1", 1.0),
        ("x2", 0.5),
        ("w2", 0.0),
        ("b", 0.5),
        ("n", 0.5),
        ("x1·w1", 0.5),
    ];
    for (name, grad) in expected_grads {
        let n = node(&nodes, name);
        assert!(
            (n.grad - grad).abs() < 1e-12,
            "∂o/∂{name} = {} ≠ {grad}",
            n.grad
        );
    }
    assert_eq!(node(&nodes, "x1·w1").value, -6.0);
    assert!((node(&nodes, "n").value - 0.881_373_587_019_543).abs() < 1e-12);
    assert!(nodes.iter().all(NeuronNode::agrees), "{nodes:#?}");
}

/// o as a plain f64 function, for central differences.
fn o_of(p: [f64; 5]) -> f64 {
    let [x1, x2, w1, w2, b] = p;
    (x1 * w1 + x2 * w2 + b).tanh()
}

#[test]
fn the_gradients_of_another_neuron_match_central_differences() {
    let inputs = NeuronInputs {
        x1: 0.5,
        x2: -1.5,
        w1: 0.7,
        w2: 0.4,
        b: 0.1,
    };
    let nodes = neuron(inputs);
    let point = [inputs.x1, inputs.x2, inputs.w1, inputs.w2, inputs.b];
    for (i, name) in ["x1", "x2", "w1", "w2", "b"].into_iter().enumerate() {
        let eps = 1e-6;
        let (mut up, mut down) = (point, point);
        up[i] += eps;
        down[i] -= eps;
        let numeric = (o_of(up) - o_of(down)) / (2.0 * eps);
        let n = node(&nodes, name);
        assert!(
            (n.grad - numeric).abs() < 1e-9,
            "∂o/∂{name}: {} vs {numeric}",
            n.grad
        );
        assert!(n.agrees(), "{n:?}");
    }
    assert!((node(&nodes, "o").value - o_of(point)).abs() < 1e-15);
}

#[test]
fn a_wrong_hand_formula_would_be_reported_as_disagreeing() {
    let mut n = neuron(CLASSIC).remove(0);
    n.grad_by_hand += 1e-9;
    assert!(!n.agrees());
}
