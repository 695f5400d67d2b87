//! An MLP drawn as a network: one circle per unit, one line per nonzero
//! weight. A line's width is proportional to |w| (the largest weight of the
//! network gets [`MAX_EDGE_WIDTH`]) and its colour gives the sign (blue
//! positive, red negative); a weight that is exactly 0 has no line at all,
//! so what L1 and the group penalties removed is seen as missing lines.
//! Units that compaction would remove (an input whose weights are all 0, a
//! hidden neuron with no way to the output or a constant output) are
//! grey, and so are their remaining lines.
//!
//! The picture is written by hand as SVG (circles and lines need no plotting
//! library), so it is the same on every machine.
//!
//! ```
//! use ndarray::array;
//! use sparsegrad_examples::plot::Network;
//!
//! // 2 inputs → 2 hidden → 1 output; x1's weights are all 0.
//! let network = Network {
//!     inputs: vec!["x0".into(), "x1".into()],
//!     weights: vec![array![[0.5, 0.0], [-1.0, 0.0]], array![[2.0, 0.25]]],
//! };
//! assert_eq!(network.removed()[0], [false, true]);
//! let svg = network.to_svg();
//! assert_eq!(svg.matches("<line class=\"edge\"").count(), 4); // 6 weights, 2 of them 0
//! ```

use std::fmt::Write;

use ndarray::{Array2, Ix2};
use sparsegrad::autograd::Float;
use sparsegrad::nn::mlp::Mlp;

/// Width of the line of the largest |w|, in pixels.
pub const MAX_EDGE_WIDTH: f64 = 6.0;
/// Radius of a unit's circle.
const RADIUS: f64 = 10.0;
/// Distance between two units of a layer, centre to centre.
const ROW: f64 = 34.0;
/// Distance between two layers.
const COLUMN: f64 = 150.0;
/// Room for the input names on the left, and the margin elsewhere.
const LABEL_ROOM: f64 = 90.0;
const MARGIN: f64 = 20.0;
/// Colours: positive and negative weights, removed units and their lines.
const POSITIVE: &str = "#1f77b4";
const NEGATIVE: &str = "#d62728";
const REMOVED: &str = "#c8c8c8";

/// The linear layers of an MLP, in f64, with the names of its inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// One name per input feature.
    pub inputs: Vec<String>,
    /// Each linear layer's weight, `[out, in]` (PyTorch's layout), first
    /// layer first; layer l's `out` is layer l + 1's `in`.
    pub weights: Vec<Array2<f64>>,
}

impl Network {
    /// The network of `mlp`, its inputs named `inputs` (one per feature).
    pub fn of_mlp<T: Float>(mlp: &Mlp<T>, inputs: &[String]) -> Self {
        let weights = mlp
            .linear_layers()
            .map(|linear| {
                linear
                    .weight()
                    .to_array()
                    .into_dimensionality::<Ix2>()
                    .expect("a linear layer's weight is a matrix")
                    .mapv(T::as_f64)
            })
            .collect();
        Network {
            inputs: inputs.to_vec(),
            weights,
        }
    }

    /// For each layer of units (the inputs, each hidden layer, the outputs),
    /// which units compaction removes. Found as a fixed point, since removing
    /// one unit can leave another without use: a unit before the outputs is
    /// removed when every nonzero weight out of it goes to a removed unit,
    /// and a hidden unit also when every nonzero weight into it comes from a
    /// removed unit (it then outputs a constant, which compaction folds into
    /// the next bias). Outputs are never removed.
    pub fn removed(&self) -> Vec<Vec<bool>> {
        let mut removed: Vec<Vec<bool>> = self
            .unit_counts()
            .into_iter()
            .map(|n| vec![false; n])
            .collect();
        let last = removed.len() - 1;
        let mut changed = true;
        while changed {
            changed = false;
            for c in 0..last {
                for i in 0..removed[c].len() {
                    if removed[c][i] {
                        continue;
                    }
                    let out = &self.weights[c];
                    let unused = (0..out.nrows()).all(|j| out[[j, i]] == 0.0 || removed[c + 1][j]);
                    let constant = c > 0 && {
                        let into = &self.weights[c - 1];
                        (0..into.ncols()).all(|k| into[[i, k]] == 0.0 || removed[c - 1][k])
                    };
                    if unused || constant {
                        removed[c][i] = true;
                        changed = true;
                    }
                }
            }
        }
        removed
    }

    /// The number of units in each layer: inputs, hidden layers, outputs.
    fn unit_counts(&self) -> Vec<usize> {
        let inputs = self
            .weights
            .first()
            .map_or(self.inputs.len(), Array2::ncols);
        std::iter::once(inputs)
            .chain(self.weights.iter().map(Array2::nrows))
            .collect()
    }

    /// The picture as an SVG document: layers of units left to right
    /// (`<circle class="unit" data-layer data-index>`), one
    /// `<line class="edge" data-layer data-from data-to>` per nonzero weight
    /// of linear layer `data-layer` from unit `data-from` to `data-to`, and
    /// the input names beside the inputs.
    pub fn to_svg(&self) -> String {
        let counts = self.unit_counts();
        let removed = self.removed();
        let tallest = counts.iter().copied().max().unwrap_or(0) as f64;
        let height = 2.0 * MARGIN + (tallest - 1.0).max(0.0) * ROW + 2.0 * RADIUS;
        let width = LABEL_ROOM + (counts.len() as f64 - 1.0) * COLUMN + RADIUS + MARGIN;
        let centre = |c: usize, i: usize| {
            let offset = i as f64 - (counts[c] as f64 - 1.0) / 2.0;
            (LABEL_ROOM + c as f64 * COLUMN, height / 2.0 + offset * ROW)
        };
        let largest = self
            .weights
            .iter()
            .flat_map(|w| w.iter())
            .fold(0.0f64, |m, w| m.max(w.abs()));

        let mut svg = String::new();
        let _ = writeln!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
             viewBox=\"0 0 {width:.1} {height:.1}\" font-family=\"sans-serif\" font-size=\"12\">"
        );
        svg.push_str("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        // The grey lines first, so that the coloured ones are drawn over them.
        for grey in [true, false] {
            for (l, weight) in self.weights.iter().enumerate() {
                for ((to, from), &w) in weight.indexed_iter() {
                    let gone = removed[l][from] || removed[l + 1][to];
                    if w == 0.0 || gone != grey {
                        continue; // an exact zero is no connection at all
                    }
                    let ((x0, y0), (x1, y1)) = (centre(l, from), centre(l + 1, to));
                    let colour = match (gone, w > 0.0) {
                        (true, _) => REMOVED,
                        (false, true) => POSITIVE,
                        (false, false) => NEGATIVE,
                    };
                    let _ = writeln!(
                        svg,
                        "<line class=\"edge\" data-layer=\"{l}\" data-from=\"{from}\" data-to=\"{to}\" \
                         x1=\"{x0:.1}\" y1=\"{y0:.1}\" x2=\"{x1:.1}\" y2=\"{y1:.1}\" stroke=\"{colour}\" \
                         stroke-width=\"{:.4}\"><title>{w}</title></line>",
                        MAX_EDGE_WIDTH * w.abs() / largest,
                    );
                }
            }
        }
        for (c, units) in removed.iter().enumerate() {
            for (i, &gone) in units.iter().enumerate() {
                let (x, y) = centre(c, i);
                let (fill, stroke) = if gone {
                    ("#eeeeee", REMOVED)
                } else {
                    ("white", "#333")
                };
                let _ = writeln!(
                    svg,
                    "<circle class=\"unit\" data-layer=\"{c}\" data-index=\"{i}\" cx=\"{x:.1}\" cy=\"{y:.1}\" \
                     r=\"{RADIUS}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>"
                );
                if let (0, Some(name)) = (c, self.inputs.get(i)) {
                    let colour = if gone { "#999999" } else { "#000000" };
                    let _ = writeln!(
                        svg,
                        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{colour}\">{}</text>",
                        x - RADIUS - 6.0,
                        y + 4.0,
                        name.replace('&', "&amp;")
                            .replace('<', "&lt;")
                            .replace('>', "&gt;")
                    );
                }
            }
        }
        svg.push_str("</svg>\n");
        svg
    }
}
