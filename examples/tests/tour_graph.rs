//! The MLP of the `backprop` tour: its graph in DOT and as a listing, the
//! order of its trace, and its gradient check.

use sparsegrad::autograd::Tensor;
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad_examples::tour::mlp::{forward_layers, graph_listing, mlp_tour};

use rand::SeedableRng;
use rand::rngs::StdRng;

#[test]
fn the_dot_file_has_a_box_per_tensor_and_an_arrow_per_input() {
    let tour = mlp_tour(0);
    let dot = &tour.dot;
    // x → linear(W0, b0) → tanh → linear(W1, b1) → mse_loss(·, y):
    // 4 ops and 6 leaves; 3 + 1 + 3 + 2 inputs
    assert_eq!(dot.matches("[label=").count(), 10, "{dot}");
    assert_eq!(dot.matches(" -> ").count(), 9, "{dot}");
    for label in [
        "n0 [label=\"mse_loss (loss)\\nshape []\\nvalue [",
        "linear (layers.2 out)\\nshape [4, 1]",
        "tanh (layers.1 out)\\nshape [4, 4]",
        "linear (layers.0 out)\\nshape [4, 4]",
        "leaf (x)\\nshape [4, 3]",
        "leaf (y)\\nshape [4, 1]",
        "leaf (layers.0.weight)\\nshape [4, 3]",
        "leaf (layers.2.bias)\\nshape [1]",
    ] {
        assert!(dot.contains(label), "no {label:?} in {dot}");
    }
    // the loss's box shows ∂L/∂L = 1: drawn after backward
    assert!(dot.contains("mse_loss (loss)\\nshape []\\nvalue [") && dot.contains("grad [1.0000]"));
    // an edge into the loss from the MLP's output (node 1)
    assert!(dot.contains("n1 -> n0;"), "{dot}");
}

#[test]
fn the_trace_runs_from_the_loss_to_the_first_layer() {
    let tour = mlp_tour(0);
    let ops: Vec<&str> = tour.trace.steps.iter().map(|s| s.op).collect();
    assert_eq!(ops, ["mse_loss", "linear", "tanh", "linear"]);
    let shapes: Vec<&[usize]> = tour
        .trace
        .steps
        .iter()
        .map(|s| s.output_shape.as_slice())
        .collect();
    assert_eq!(shapes, [&[][..], &[4, 1], &[4, 4], &[4, 4]]);
    // the inputs x and y need no gradient
    assert!(tour.trace.steps[0].grads_out[1].is_none());
    assert!(tour.trace.steps[3].grads_out[0].is_none());
}

#[test]
fn the_listing_numbers_nodes_as_the_dot_file_and_names_their_inputs() {
    let tour = mlp_tour(3);
    let listing = graph_listing(&tour.graph, &tour.names);
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    assert_eq!(rows.len(), 10, "{listing}");
    assert!(rows[0].starts_with("n0    mse_loss  loss"), "{listing}");
    // the loss's inputs are the MLP's output and the targets
    let inputs: Vec<usize> = tour.graph.inputs_of(0).collect();
    assert_eq!(inputs.len(), 2);
    let y = &tour.names.iter().find(|(n, _)| n == "y").unwrap().1;
    assert!(tour.graph.nodes[inputs[1]].same_node(y));
    assert!(
        rows[0].contains(&format!("n{}, n{}", inputs[0], inputs[1])),
        "{listing}"
    );
}

#[test]
fn the_layer_by_layer_forward_is_the_mlps_forward() {
    let mut rng = StdRng::seed_from_u64(5);
    let mlp = Mlp::<f64>::new(&[3, 5, 2], Activation::Tanh, &mut rng);
    let x = Tensor::<f64>::rand_normal(&[6, 3], 0.0, 1.0, &mut rng);
    let outputs = forward_layers(&mlp, &mlp.parameters(), &x);
    assert_eq!(outputs.len(), 3);
    assert_eq!(*outputs[2].value(), *mlp.forward(&x).value());
}

#[test]
fn the_gradient_check_of_every_parameter_passes() {
    for seed in [0, 1] {
        let tour = mlp_tour(seed);
        assert_eq!(
            tour.param_names,
            [
                "layers.0.weight",
                "layers.0.bias",
                "layers.2.weight",
                "layers.2.bias"
            ]
        );
        assert!(tour.gradcheck.passes(1e-8, 1e-6), "{:?}", tour.gradcheck);
        let worst = tour
            .gradcheck
            .max_rel_error
            .iter()
            .copied()
            .fold(0.0, f64::max);
        assert!(worst < 1e-6, "worst relative error {worst}");
    }
}
