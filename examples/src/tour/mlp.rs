//! A tiny MLP on a small batch, seen from inside: the graph it builds (as
//! a listing, drawn as SVG by the library itself, and in Graphviz DOT), the
//! trace of its backward pass, and a gradient check of every parameter
//! against central differences.

use std::fmt::Write;
use std::io;
use std::path::{Path, PathBuf};

use crate::cli::write_all_into;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad::autograd::ndarray::ArrayD;
use sparsegrad::autograd::{
    GradSummary, GradcheckReport, Graph, Reduction, Tensor, Trace, gradcheck,
};
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::mlp::{Mlp, MlpLayer};
use sparsegrad::nn::module::Module;
use thiserror::Error;

use crate::table::{Align, Table, sci};

/// Layer widths of the tour's MLP: 3 inputs, 4 hidden units, 1 output.
pub const SIZES: [usize; 3] = [3, 4, 1];
/// Samples in the batch.
pub const BATCH: usize = 4;
/// Step of the central differences of the gradient check.
pub const GRADCHECK_EPS: f64 = 1e-6;

/// Everything the MLP section shows, computed.
pub struct MlpTour {
    /// The graph of the loss, taken before backward, so its tensors hold
    /// their gradients now.
    pub graph: Graph<f64>,
    /// Node names: the inputs `x`, the targets `y`, the parameters
    /// (`layers.0.weight`, …), each layer's output and the `loss`.
    pub names: Vec<(String, Tensor<f64>)>,
    /// The trace of the backward pass from the loss.
    pub trace: Trace,
    /// The graph in DOT, with values and gradients.
    pub dot: String,
    /// The graph as SVG ([`Graph::to_svg`]), with values and gradients.
    pub svg: String,
    /// The names of the parameters, in the order of the gradient check's inputs.
    pub param_names: Vec<String>,
    /// The gradient check of the loss with respect to every parameter.
    pub gradcheck: GradcheckReport,
}

/// Builds the MLP `SIZES` (tanh) and a batch of `BATCH` samples from `seed`,
/// runs forward, the MSE loss and a traced backward, and checks the
/// gradients with central differences in f64.
pub fn mlp_tour(seed: u64) -> MlpTour {
    let mut rng = StdRng::seed_from_u64(seed);
    let mlp = Mlp::<f64>::new(&SIZES, Activation::Tanh, &mut rng);
    let x = Tensor::<f64>::rand_normal(&[BATCH, SIZES[0]], 0.0, 1.0, &mut rng);
    let y = Tensor::<f64>::rand_uniform(&[BATCH, SIZES[2]], -1.0, 1.0, &mut rng);
    let named = mlp.named_parameters();
    let params: Vec<Tensor<f64>> = named.iter().map(|(_, p)| p.clone()).collect();

    let outputs = forward_layers(&mlp, &params, &x);
    let loss = outputs
        .last()
        .expect("an Mlp has a layer")
        .mse_loss(&y, Reduction::Mean);
    let graph = Graph::of(&loss);
    for node in graph.nodes.iter().filter(|t| !t.is_leaf()) {
        node.retain_grad(); // to show every gradient, not only the leaves'
    }
    let trace = loss.backward_traced();

    let mut names: Vec<(String, Tensor<f64>)> =
        vec![("x".into(), x.clone()), ("y".into(), y.clone())];
    names.extend(named.iter().cloned());
    names.extend(
        outputs
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("layers.{i} out"), t.clone())),
    );
    names.push(("loss".into(), loss));
    let name_refs: Vec<(&str, &Tensor<f64>)> = names.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let dot = graph.to_dot(&name_refs);
    let svg = graph.to_svg(&name_refs);

    let inputs: Vec<_> = params.iter().map(Tensor::to_array).collect();
    let report = gradcheck(
        |p| {
            forward_layers(&mlp, p, &x)
                .last()
                .expect("an Mlp has a layer")
                .mse_loss(&y, Reduction::Mean)
        },
        &inputs,
        GRADCHECK_EPS,
    );
    MlpTour {
        graph,
        names,
        trace,
        dot,
        svg,
        param_names: named.into_iter().map(|(n, _)| n).collect(),
        gradcheck: report,
    }
}

/// The MLP's forward pass, layer by layer, with the parameters of its
/// linear layers taken from `params` (in `named_parameters` order: weight,
/// then bias, per layer). Returns every layer's output, so the tour can
/// name them; with the MLP's own parameters the last one is
/// `mlp.forward(x)`, with gradcheck's copies it is the function checked.
pub fn forward_layers(mlp: &Mlp<f64>, params: &[Tensor<f64>], x: &Tensor<f64>) -> Vec<Tensor<f64>> {
    let mut params = params.iter();
    let mut next = |what: &str| {
        params
            .next()
            .unwrap_or_else(|| panic!("forward_layers: too few parameters, no {what}"))
    };
    let mut outputs: Vec<Tensor<f64>> = Vec::with_capacity(mlp.layers().len());
    for layer in mlp.layers() {
        let h = outputs.last().unwrap_or(x);
        let out = match layer {
            MlpLayer::Linear(linear) => {
                let weight = next("weight");
                let bias = linear.bias().map(|_| next("bias"));
                h.linear(weight, bias) // as Linear::forward: x·Wᵀ + b
            }
            MlpLayer::Activation(activation) => activation.forward(h),
        };
        outputs.push(out);
    }
    outputs
}

/// The graph as a table: one row per node (numbered as in the DOT file),
/// its op, name, shape, input nodes, and value and gradient (in full for
/// at most six elements, else as norm, min and max).
pub fn graph_listing(graph: &Graph<f64>, names: &[(String, Tensor<f64>)]) -> String {
    let mut table = Table::new(&[
        ("node", Align::Left),
        ("op", Align::Left),
        ("name", Align::Left),
        ("shape", Align::Left),
        ("inputs", Align::Left),
        ("value", Align::Left),
        ("gradient", Align::Left),
    ]);
    for (n, t) in graph.nodes.iter().enumerate() {
        let name = names
            .iter()
            .find(|(_, named)| named.same_node(t))
            .map_or("", |(name, _)| name.as_str());
        let inputs: Vec<String> = graph.inputs_of(n).map(|i| format!("n{i}")).collect();
        let grad = t
            .grad()
            .map_or_else(|| "(none)".to_string(), |g| GradSummary::of(&g).to_string());
        table.row(vec![
            format!("n{n}"),
            t.op_name().unwrap_or("leaf").to_string(),
            name.to_string(),
            format!("{:?}", t.shape()),
            inputs.join(", "),
            value_summary(&t.value()),
            grad,
        ]);
    }
    table.to_string()
}

/// A value as the listing shows it: in full up to six elements, else as
/// norm, min and max (as [`GradSummary`] shows a gradient, with `v` for `g`).
fn value_summary(value: &ArrayD<f64>) -> String {
    let summary = GradSummary::of(value);
    match summary.values {
        Some(_) => summary.to_string(),
        None => format!(
            "‖v‖={:.4} min={:.4} max={:.4}",
            summary.norm, summary.min, summary.max
        ),
    }
}

/// The gradient check as a table, one row per parameter, and the worst
/// errors over all of them.
pub fn gradcheck_report(names: &[String], report: &GradcheckReport) -> String {
    let mut table = Table::new(&[
        ("parameter", Align::Left),
        ("shape", Align::Left),
        ("max |abs err|", Align::Right),
        ("max rel err", Align::Right),
    ]);
    for (k, name) in names.iter().enumerate() {
        table.row(vec![
            name.clone(),
            format!("{:?}", report.analytic[k].shape()),
            sci(report.max_abs_error[k]),
            sci(report.max_rel_error[k]),
        ]);
    }
    let worst = |errors: &[f64]| errors.iter().copied().fold(0.0, f64::max);
    let mut text = table.to_string();
    let _ = writeln!(
        text,
        "\nworst absolute error {}, worst relative error {} (central differences, ε = {}, f64)",
        sci(worst(&report.max_abs_error)),
        sci(worst(&report.max_rel_error)),
        sci(GRADCHECK_EPS),
    );
    text
}

/// Why the drawing could not be written.
#[derive(Debug, Error)]
pub enum DrawError {
    /// The folder or a file could not be made or written (the message
    /// names the path).
    #[error("cannot write {0}")]
    Write(io::Error),
}

/// What [`draw`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drawing {
    /// The SVG file.
    pub svg: PathBuf,
    /// The DOT file.
    pub dot: PathBuf,
}

/// The files [`draw`] writes in its folder: the DOT source and its SVG.
pub const GRAPH_FILES: [&str; 2] = ["graph.dot", "graph.svg"];

/// Writes the tour's graph to `<out_dir>/graph.svg` and `<out_dir>/graph.dot`
/// (creating the folder), atomically and together: either both are
/// replaced or neither is. No system program is needed for either.
pub fn draw(tour: &MlpTour, out_dir: &Path) -> Result<Drawing, DrawError> {
    let [dot_name, svg_name] = GRAPH_FILES;
    let files = [(svg_name, &tour.svg), (dot_name, &tour.dot)]
        .map(|(name, text)| (name.to_owned(), text.as_bytes().to_vec()));
    let [svg, dot]: [PathBuf; 2] = write_all_into(out_dir, &files)
        .map_err(DrawError::Write)?
        .try_into()
        .expect("two files written");
    Ok(Drawing { svg, dot })
}

/// The MLP section's report: the graph listing, the trace, and the
/// gradient check (the drawing is reported by the caller, which writes it).
pub fn mlp_report(tour: &MlpTour) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "The graph of loss = mean((MLP(x) − y)²), MLP {SIZES:?} with tanh, a batch of {BATCH}\n\
         (nodes numbered as in graph.svg and graph.dot; values and gradients in full up to six elements):\n"
    );
    text.push_str(&graph_listing(&tour.graph, &tour.names));
    let _ = writeln!(
        text,
        "\nThe trace of backward, step by step from the loss (each op after all ops that use its output):\n"
    );
    let _ = write!(text, "{}", tour.trace);
    let _ = writeln!(text, "\nGradient check of every parameter:\n");
    text.push_str(&gradcheck_report(&tour.param_names, &tour.gradcheck));
    text
}
