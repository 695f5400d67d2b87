//! The network diagram read back as XML: a circle per unit, a line per
//! nonzero weight (none for a zero), widths proportional to |w|, colours
//! by sign, and the units compaction removes in grey.

use ndarray::array;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::mlp::Mlp;
use sparsegrad_examples::plot::{MAX_EDGE_WIDTH, Network};

/// A drawn unit: (layer, index, fill).
type Unit = (usize, usize, String);
/// A drawn edge: (layer, from, to, width, colour).
type Edge = (usize, usize, usize, f64, String);

fn parse(svg: &str) -> (Vec<Unit>, Vec<Edge>) {
    let document = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let int = |n: roxmltree::Node, a: &str| n.attribute(a).unwrap().parse::<usize>().unwrap();
    let units = document
        .descendants()
        .filter(|n| n.attribute("class") == Some("unit"))
        .map(|n| {
            (
                int(n, "data-layer"),
                int(n, "data-index"),
                n.attribute("fill").unwrap().into(),
            )
        })
        .collect();
    let edges = document
        .descendants()
        .filter(|n| n.attribute("class") == Some("edge"))
        .map(|n| {
            (
                int(n, "data-layer"),
                int(n, "data-from"),
                int(n, "data-to"),
                n.attribute("stroke-width").unwrap().parse().unwrap(),
                n.attribute("stroke").unwrap().into(),
            )
        })
        .collect();
    (units, edges)
}

/// 3 inputs → 3 hidden → 1 output. x2's column is all 0 (removed input);
/// hidden unit 1's outgoing weight is 0 (removed neuron); hidden unit 2
/// gets input only from x2 (through a zero) so it is constant (removed).
fn pruned() -> Network {
    Network {
        inputs: vec!["x0".into(), "x1".into(), "x2".into()],
        weights: vec![
            array![[1.0, -0.5, 0.0], [0.25, 2.0, 0.0], [0.0, 0.0, 0.0]],
            array![[-4.0, 0.0, 3.0]],
        ],
    }
}

#[test]
fn every_nonzero_weight_is_an_edge_and_a_zero_weight_is_none() {
    let network = pruned();
    let (units, edges) = parse(&network.to_svg());
    assert_eq!(units.len(), 3 + 3 + 1);
    let nonzero: Vec<(usize, usize, usize, f64)> = network
        .weights
        .iter()
        .enumerate()
        .flat_map(|(l, w)| {
            w.indexed_iter()
                .filter(|(_, w)| **w != 0.0)
                .map(move |((to, from), &w)| (l, from, to, w))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(edges.len(), nonzero.len());
    assert_eq!(edges.len(), 6);
    // Layer 0's weight from x2 to hidden 0 is 0: no line joins them.
    assert!(!edges.iter().any(|e| (e.0, e.1, e.2) == (0, 2, 0)));
    // Width ∝ |w|, the largest (|−4|) at the full width; colour by sign
    // among the units that stay.
    for &(l, from, to, w) in &nonzero {
        let edge = edges
            .iter()
            .find(|e| (e.0, e.1, e.2) == (l, from, to))
            .unwrap();
        assert!(
            (edge.3 - MAX_EDGE_WIDTH * w.abs() / 4.0).abs() < 1e-4,
            "{edge:?}"
        );
    }
    let colour = |l, from, to| {
        &edges
            .iter()
            .find(|e| (e.0, e.1, e.2) == (l, from, to))
            .unwrap()
            .4
    };
    assert_eq!(colour(0, 0, 0), "#1f77b4"); // +1.0
    assert_eq!(colour(0, 1, 0), "#d62728"); // −0.5
    assert_eq!(colour(1, 2, 0), "#c8c8c8"); // from the constant neuron: grey
}

#[test]
fn removed_inputs_and_neurons_are_grey() {
    let network = pruned();
    assert_eq!(
        network.removed(),
        [
            vec![false, false, true],
            vec![false, true, true],
            vec![false]
        ]
    );
    let (units, _) = parse(&network.to_svg());
    let fill = |l, i| &units.iter().find(|u| (u.0, u.1) == (l, i)).unwrap().2;
    assert_eq!(fill(0, 2), "#eeeeee");
    assert_eq!(fill(1, 1), "#eeeeee");
    assert_eq!(fill(1, 2), "#eeeeee");
    assert_eq!(fill(0, 0), "white");
    assert_eq!(fill(2, 0), "white");
}

#[test]
fn removal_propagates_until_nothing_changes() {
    // Hidden unit 1 of the second hidden layer has a zero outgoing weight,
    // so it goes; then hidden unit 1 of the first layer feeds only it and
    // goes too; then input x1 feeds only that one and goes as well.
    let network = Network {
        inputs: vec!["x0".into(), "x1".into()],
        weights: vec![
            array![[1.0, 0.0], [0.0, 1.0]],
            array![[1.0, 0.0], [0.0, 1.0]],
            array![[1.0, 0.0]],
        ],
    };
    assert_eq!(
        network.removed(),
        [
            vec![false, true],
            vec![false, true],
            vec![false, true],
            vec![false]
        ]
    );
}

#[test]
fn an_mlp_is_drawn_with_its_own_weights() {
    let mut rng = StdRng::seed_from_u64(3);
    let mlp = Mlp::<f32>::new(&[4, 5, 2], Activation::Relu, &mut rng);
    let names: Vec<String> = (0..4).map(|j| format!("x{j}")).collect();
    let network = Network::of_mlp(&mlp, &names);
    let first = mlp.first_layer_weight().to_array();
    assert_eq!(network.weights[0].shape(), [5, 4]);
    assert_eq!(network.weights[0][[2, 3]], f64::from(first[[2, 3]]));
    let (units, edges) = parse(&network.to_svg());
    assert_eq!(units.len(), 4 + 5 + 2);
    assert_eq!(edges.len(), 4 * 5 + 5 * 2); // a random init has no exact zero
}
