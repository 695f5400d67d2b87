//! A tiny MLP on a small batch, seen from inside: the graph it builds (as
//! a listing and in Graphviz DOT, drawn to SVG when a `dot` program is
//! installed), the trace of its backward pass, and a gradient check of
//! every parameter against central differences.

use std::fmt::Write;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad::autograd::ndarray::ArrayD;
use sparsegrad::autograd::{
    GradSummary, GradcheckReport, Graph, Reduction, Tensor, Trace, gradcheck,
};
use sparsegrad::io::fs::write_atomically;
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::mlp::{Mlp, MlpLayer};
use sparsegrad::nn::module::Module;
use thiserror::Error;

use super::table::{Align, Table, sci};

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
    /// The output folder could not be created.
    #[error("cannot create the folder {}: {source}", path.display())]
    CreateFolder {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// `dot` is installed but could not be run.
    #[error("cannot run dot: {0}")]
    RunDot(io::Error),
    /// `dot` ran and failed.
    #[error("dot failed ({status}): {stderr}")]
    DotFailed {
        /// Its exit status.
        status: std::process::ExitStatus,
        /// The first line of what it printed on stderr.
        stderr: String,
    },
}

/// What [`draw`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drawing {
    /// The DOT file.
    pub dot: PathBuf,
    /// The SVG file, or `None` when there is no `dot` program on the PATH.
    pub svg: Option<PathBuf>,
}

/// Writes `dot_source` to `<out_dir>/graph.dot` (creating the folder) and,
/// when a Graphviz `dot` program is on the PATH, renders it to
/// `<out_dir>/graph.svg`. Both files are written atomically.
pub fn draw(dot_source: &str, out_dir: &Path) -> Result<Drawing, DrawError> {
    std::fs::create_dir_all(out_dir).map_err(|source| DrawError::CreateFolder {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let write = |path: PathBuf, bytes: &[u8]| {
        write_atomically(&[(&path, bytes)]).map_err(|source| DrawError::Write {
            path: path.clone(),
            source,
        })?;
        Ok::<_, DrawError>(path)
    };
    let dot = write(out_dir.join("graph.dot"), dot_source.as_bytes())?;
    // Render from the file just written: `dot` reads it, the SVG comes back
    // on stdout and is written atomically like the DOT file.
    let output = match Command::new("dot").arg("-Tsvg").arg(&dot).output() {
        Ok(output) => output,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Ok(Drawing { dot, svg: None });
        }
        Err(error) => return Err(DrawError::RunDot(error)),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(DrawError::DotFailed {
            status: output.status,
            stderr: stderr.lines().next().unwrap_or("").to_string(),
        });
    }
    let svg = write(out_dir.join("graph.svg"), &output.stdout)?;
    Ok(Drawing {
        dot,
        svg: Some(svg),
    })
}

/// The MLP section's report: the graph listing, the trace, and the
/// gradient check (the drawing is reported by the caller, which writes it).
pub fn mlp_report(tour: &MlpTour) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "The graph of loss = mean((MLP(x) − y)²), MLP {SIZES:?} with tanh, a batch of {BATCH}\n\
         (nodes numbered as in graph.dot; values and gradients in full up to six elements):\n"
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
