//! The graph drawn as SVG by the crate itself: no Graphviz, no system
//! program. The layout is the classic layered one (Sugiyama's), kept small:
//!
//! 1. layers by longest path from the root: the root is the rightmost
//!    column, and every other tensor stands one column left of its leftmost
//!    consumer (so a leaf sits right beside the op that uses it);
//! 2. within each column, barycentre ordering: a few sweeps that sort each
//!    column by the mean height of its neighbours in the columns already
//!    placed, which removes most edge crossings;
//! 3. boxes sized to their text (monospace), columns left to right as data
//!    flows, edges as curves from an input's right side to its output's left.
//!
//! ```
//! use sparsegrad_autograd::{Graph, Tensor};
//! let x = Tensor::<f64>::from_vec(vec![1.0, 2.0], &[2]).set_requires_grad(true);
//! let loss = x.tanh().sum();
//! let graph = Graph::of(&loss);
//! loss.backward();
//! let svg = graph.to_svg(&[("x", &x)]);
//! assert!(svg.starts_with("<svg"));
//! assert_eq!(svg.matches("<g class=\"node\"").count(), 3); // sum, tanh, x
//! assert_eq!(svg.matches("<path class=\"edge\"").count(), 2);
//! ```

use std::fmt::Write;

use crate::dot::node_lines;
use crate::{Float, Graph, Tensor};

/// Font size of the labels, in pixels.
const FONT: f64 = 12.0;
/// Advance of one monospace character: 0.6 em is that of DejaVu Sans Mono,
/// Liberation Mono and Courier alike.
const CHAR_WIDTH: f64 = 0.6 * FONT;
/// Height of a line of text.
const LINE: f64 = 1.4 * FONT;
/// Space between a box's border and its text.
const PAD: f64 = 6.0;
/// Space between two columns (room for the edges).
const COLUMN_GAP: f64 = 48.0;
/// Space between two boxes of a column, and around the picture.
const ROW_GAP: f64 = 16.0;
/// Barycentre sweeps (each one right to left, then left to right): the
/// orders of graphs this size settle within a few.
const SWEEPS: usize = 4;

/// Where each node of a graph goes: its column (0 = leftmost, the root in
/// the last one) and its rank from the top within that column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layers {
    /// `columns[c]` lists the nodes of column `c`, top to bottom.
    pub columns: Vec<Vec<usize>>,
    /// The column of each node.
    pub column_of: Vec<usize>,
}

impl Layers {
    /// The layered layout of a graph of `nodes` nodes (node 0 the root, every
    /// node reachable from it) with `(input, output)` edges: longest-path
    /// layering from the root, then barycentre ordering.
    pub fn of(nodes: usize, edges: &[(usize, usize)]) -> Self {
        let depth = depths_from_root(nodes, edges);
        let last = depth.iter().copied().max().unwrap_or(0);
        let column_of: Vec<usize> = depth.iter().map(|d| last - d).collect();
        let mut columns = vec![Vec::new(); last + 1];
        for (node, &c) in column_of.iter().enumerate() {
            columns[c].push(node); // in node order: the walk's, deterministic
        }
        let mut layers = Layers { columns, column_of };
        for _ in 0..SWEEPS {
            // Right to left, each column by its consumers (already placed),
            // then left to right by its inputs.
            for c in (0..last).rev() {
                layers.order_column(c, edges.iter().map(|&(from, to)| (from, to)));
            }
            for c in 1..=last {
                layers.order_column(c, edges.iter().map(|&(from, to)| (to, from)));
            }
        }
        layers
    }

    /// Sorts column `c` by the barycentre of each node's neighbours, where
    /// `links` yields (node, neighbour) pairs. A node's height is its rank
    /// measured from its column's middle (columns are drawn centred); a node
    /// without neighbours keeps its own height. The sort is stable, so ties
    /// keep their order and the layout is deterministic.
    fn order_column(&mut self, c: usize, links: impl Iterator<Item = (usize, usize)>) {
        let height = |layers: &Layers, node: usize| {
            let column = &layers.columns[layers.column_of[node]];
            let rank = column
                .iter()
                .position(|&n| n == node)
                .expect("a node is in its column");
            rank as f64 - (column.len() as f64 - 1.0) / 2.0
        };
        let mut sum = vec![(0.0, 0usize); self.column_of.len()];
        for (node, neighbour) in links.filter(|&(node, _)| self.column_of[node] == c) {
            sum[node].0 += height(self, neighbour);
            sum[node].1 += 1;
        }
        let mut keyed: Vec<(f64, usize)> = self.columns[c]
            .iter()
            .map(|&node| match sum[node] {
                (_, 0) => (height(self, node), node),
                (total, count) => (total / count as f64, node),
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.columns[c] = keyed.into_iter().map(|(_, node)| node).collect();
    }
}

/// Each node's longest distance (in edges) from the root, found in an order
/// where every node comes after all its consumers (Kahn's algorithm on the
/// reversed edges; no recursion, so long chains are fine).
fn depths_from_root(nodes: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut consumers_left = vec![0usize; nodes];
    let mut inputs = vec![Vec::new(); nodes];
    for &(from, to) in edges {
        consumers_left[from] += 1;
        inputs[to].push(from);
    }
    let mut depth = vec![0usize; nodes];
    let mut ready: Vec<usize> = (0..nodes).filter(|&n| consumers_left[n] == 0).collect();
    while let Some(node) = ready.pop() {
        for &input in &inputs[node] {
            depth[input] = depth[input].max(depth[node] + 1);
            consumers_left[input] -= 1;
            if consumers_left[input] == 0 {
                ready.push(input);
            }
        }
    }
    depth
}

/// A node's box on the page: top-left corner and size.
#[derive(Clone, Copy, Debug)]
struct Placed {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

impl<T: Float> Graph<T> {
    /// The graph as an SVG document, laid out by [`Layers`]: one box per
    /// tensor (`<g class="node" id="n…">`, with the lines of the DOT label:
    /// op and name, shape, and value and gradient for a tensor of at most
    /// six elements), one `<path class="edge">` per edge, from input to
    /// output, data flowing left to right. Leaves that require a gradient
    /// (parameters) are shaded blue, other leaves grey, ops white.
    pub fn to_svg(&self, names: &[(&str, &Tensor<T>)]) -> String {
        let layers = Layers::of(self.nodes.len(), &self.edges);
        let labels: Vec<Vec<String>> = self.nodes.iter().map(|t| node_lines(t, names)).collect();
        let size = |lines: &[String]| {
            let chars = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
            (
                chars as f64 * CHAR_WIDTH + 2.0 * PAD,
                lines.len() as f64 * LINE + 2.0 * PAD,
            )
        };
        let column_height = |column: &[usize]| {
            column.iter().map(|&n| size(&labels[n]).1).sum::<f64>()
                + ROW_GAP * (column.len() as f64 - 1.0)
        };
        let page_height = layers
            .columns
            .iter()
            .map(|c| column_height(c))
            .fold(0.0, f64::max)
            + 2.0 * ROW_GAP;

        let mut placed = vec![
            Placed {
                x: 0.0,
                y: 0.0,
                width: 0.0,
                height: 0.0
            };
            self.nodes.len()
        ];
        let mut x = ROW_GAP;
        for column in &layers.columns {
            let width = column
                .iter()
                .map(|&n| size(&labels[n]).0)
                .fold(0.0, f64::max);
            let mut y = (page_height - column_height(column)) / 2.0; // centred
            for &n in column {
                let (w, height) = size(&labels[n]);
                // Centred in the column's width, so edges meet the box sides.
                placed[n] = Placed {
                    x: x + (width - w) / 2.0,
                    y,
                    width: w,
                    height,
                };
                y += height + ROW_GAP;
            }
            x += width + COLUMN_GAP;
        }
        let page_width = x - COLUMN_GAP + ROW_GAP;

        let mut svg = String::new();
        let _ = writeln!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{page_width:.0}\" height=\"{page_height:.0}\" \
             viewBox=\"0 0 {page_width:.1} {page_height:.1}\" font-family=\"monospace\" font-size=\"{FONT}\">"
        );
        svg.push_str(
            "<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"8\" \
             markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#555\"/></marker></defs>\n",
        );
        svg.push_str("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for &(from, to) in &self.edges {
            let (a, b) = (placed[from], placed[to]);
            let (x0, y0) = (a.x + a.width, a.y + a.height / 2.0);
            let (x1, y1) = (b.x, b.y + b.height / 2.0);
            let bend = (x1 - x0) / 2.0;
            let _ = writeln!(
                svg,
                "<path class=\"edge\" data-from=\"n{from}\" data-to=\"n{to}\" \
                 d=\"M{x0:.1},{y0:.1} C{:.1},{y0:.1} {:.1},{y1:.1} {x1:.1},{y1:.1}\" \
                 fill=\"none\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>",
                x0 + bend,
                x1 - bend,
            );
        }
        for (n, (t, lines)) in self.nodes.iter().zip(&labels).enumerate() {
            let p = placed[n];
            let fill = match (t.is_leaf(), t.requires_grad()) {
                (true, true) => "#dbe8fb",
                (true, false) => "#eeeeee",
                (false, _) => "white",
            };
            let _ = writeln!(
                svg,
                "<g class=\"node\" id=\"n{n}\"><title>n{n}</title>\
                 <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"4\" fill=\"{fill}\" stroke=\"#333\"/>",
                p.x, p.y, p.width, p.height
            );
            for (k, line) in lines.iter().enumerate() {
                // The baseline sits 0.8 em below the top of its line.
                let _ = writeln!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    p.x + PAD,
                    p.y + PAD + k as f64 * LINE + 0.8 * LINE,
                    escape(line)
                );
            }
            svg.push_str("</g>\n");
        }
        svg.push_str("</svg>\n");
        svg
    }
}

/// `text` with the characters XML gives a meaning escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
