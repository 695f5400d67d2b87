//! The SVG drawing of a graph, read back with an XML parser: one box per
//! node, one edge per input, each edge joining its two boxes, data flowing
//! left to right, no two boxes overlapping.

use sparsegrad_autograd::{Graph, Layers, Reduction, Tensor};

/// A box as drawn: its id and rectangle.
struct Box {
    id: String,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    text: Vec<String>,
}

/// An edge as drawn: the node ids it joins and its two end points.
struct Edge {
    from: String,
    to: String,
    start: (f64, f64),
    end: (f64, f64),
}

fn number(node: roxmltree::Node, attribute: &str) -> f64 {
    node.attribute(attribute).unwrap().parse().unwrap()
}

/// The boxes and edges of an SVG document, or a panic if it is not XML.
fn parse(svg: &str) -> (Vec<Box>, Vec<Edge>) {
    let document = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let mut boxes = Vec::new();
    let mut edges = Vec::new();
    for node in document.descendants() {
        match (node.tag_name().name(), node.attribute("class")) {
            ("g", Some("node")) => {
                let rect = node.children().find(|c| c.has_tag_name("rect")).unwrap();
                boxes.push(Box {
                    id: node.attribute("id").unwrap().to_string(),
                    x: number(rect, "x"),
                    y: number(rect, "y"),
                    width: number(rect, "width"),
                    height: number(rect, "height"),
                    text: node
                        .children()
                        .filter(|c| c.has_tag_name("text"))
                        .map(|t| t.text().unwrap().to_string())
                        .collect(),
                });
            }
            ("path", Some("edge")) => {
                // "Mx0,y0 Cc1 c2 x1,y1": the first and the last point.
                let d = node.attribute("d").unwrap();
                let points: Vec<(f64, f64)> = d
                    .split([' ', 'M', 'C'])
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (x, y) = p.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect();
                edges.push(Edge {
                    from: node.attribute("data-from").unwrap().to_string(),
                    to: node.attribute("data-to").unwrap().to_string(),
                    start: points[0],
                    end: *points.last().unwrap(),
                });
            }
            _ => {}
        }
    }
    (boxes, edges)
}

/// Within the 0.1 px that the coordinates are written to.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.11
}

/// A two-layer network's loss: several leaves, a shared input, ops of one
/// and two inputs.
fn network() -> (Graph<f64>, Vec<(&'static str, Tensor<f64>)>) {
    let x = Tensor::<f64>::from_vec(vec![0.5, -1.0, 2.0, 0.25], &[2, 2]);
    let w1 = Tensor::from_vec(vec![0.1, -0.2, 0.3, 0.4, 0.0, 0.6], &[3, 2]).set_requires_grad(true);
    let b1 = Tensor::from_vec(vec![0.0, 0.1, -0.1], &[3]).set_requires_grad(true);
    let w2 = Tensor::from_vec(vec![1.0, -1.0, 0.5], &[1, 3]).set_requires_grad(true);
    let y = Tensor::from_vec(vec![1.0, 0.0], &[2, 1]);
    let h = x.linear(&w1, Some(&b1)).tanh();
    let loss = (h.linear(&w2, None).mse_loss(&y, Reduction::Mean) + w1.abs().sum()).sum();
    let graph = Graph::of(&loss);
    loss.backward();
    (
        graph,
        vec![("x", x), ("w1", w1), ("b1", b1), ("w2", w2), ("y", y)],
    )
}

#[test]
fn the_drawing_has_a_box_per_node_and_an_edge_per_input_joining_them() {
    let (graph, names) = network();
    let name_refs: Vec<(&str, &Tensor<f64>)> = names.iter().map(|(n, t)| (*n, t)).collect();
    let (boxes, edges) = parse(&graph.to_svg(&name_refs));
    assert_eq!(boxes.len(), graph.nodes.len());
    assert_eq!(edges.len(), graph.edges.len());

    let by_id = |id: &str| boxes.iter().find(|b| b.id == id).unwrap();
    for (edge, &(from, to)) in edges.iter().zip(&graph.edges) {
        assert_eq!(
            (edge.from.as_str(), edge.to.as_str()),
            (&*format!("n{from}"), &*format!("n{to}"))
        );
        let (a, b) = (by_id(&edge.from), by_id(&edge.to));
        // From the middle of the input's right side to the middle of the
        // output's left side, which stands further right.
        assert!(close(edge.start.0, a.x + a.width) && close(edge.start.1, a.y + a.height / 2.0));
        assert!(close(edge.end.0, b.x) && close(edge.end.1, b.y + b.height / 2.0));
        assert!(
            b.x > a.x + a.width,
            "{} is not right of {}",
            edge.to,
            edge.from
        );
    }
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let apart = a.x + a.width <= b.x
                || b.x + b.width <= a.x
                || a.y + a.height <= b.y
                || b.y + b.height <= a.y;
            assert!(apart, "{} and {} overlap", a.id, b.id);
        }
    }
    // Each box carries its op (or leaf) and name, and its shape; w1 (six
    // elements) its value and gradient too; the root its value, but no
    // gradient (an op's is not kept unless asked, as in PyTorch).
    for (n, t) in graph.nodes.iter().enumerate() {
        let text = &by_id(&format!("n{n}")).text;
        assert!(
            text[0].starts_with(t.op_name().unwrap_or("leaf")),
            "{text:?}"
        );
        assert_eq!(text[1], format!("shape {:?}", t.shape()));
    }
    let w1 = graph
        .nodes
        .iter()
        .position(|t| t.same_node(&names[1].1))
        .unwrap();
    let text = &by_id(&format!("n{w1}")).text;
    assert_eq!(text[0], "leaf (w1)");
    assert!(
        text[2].starts_with("value [0.1000, -0.2000, 0.3000"),
        "{text:?}"
    );
    assert!(text[3].starts_with("grad ["), "{text:?}");
    let root = &by_id("n0").text;
    assert_eq!(root.len(), 3, "{root:?}");
    assert!(root[2].starts_with("value ["), "{root:?}");
}

#[test]
fn layers_put_the_root_last_and_each_node_left_of_its_leftmost_consumer() {
    // 0 = f(1, 4), 1 = g(2), 2 = h(3, 4): node 4 feeds both 0 and 2, so it
    // stands left of 2 (the longer path), not beside 0.
    let edges = [(1, 0), (4, 0), (2, 1), (3, 2), (4, 2)];
    let layers = Layers::of(5, &edges);
    assert_eq!(layers.column_of, [3, 2, 1, 0, 0]);
    assert_eq!(layers.columns.len(), 4);
    for (c, column) in layers.columns.iter().enumerate() {
        assert!(column.iter().all(|&n| layers.column_of[n] == c));
    }
}

#[test]
fn barycentre_ordering_uncrosses_two_crossed_pairs() {
    // Root 0 = f(1, 2); 1 = g(4), 2 = h(3): in node order column 0 holds
    // [3, 4] and column 1 holds [1, 2], so 4→1 and 3→2 would cross; the
    // sweep puts 4 above 3.
    let edges = [(1, 0), (2, 0), (4, 1), (3, 2)];
    let layers = Layers::of(5, &edges);
    assert_eq!(layers.columns, [vec![4, 3], vec![1, 2], vec![0]]);
}

#[test]
fn text_is_escaped() {
    let x = Tensor::<f32>::from_vec(vec![1.0], &[1]);
    let svg = Graph::of(&x).to_svg(&[("a<b & c>d", &x)]);
    let (boxes, _) = parse(&svg);
    assert_eq!(boxes[0].text[0], "leaf (a<b & c>d)");
}
