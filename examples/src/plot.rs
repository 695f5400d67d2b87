//! SVG plots: line charts, error-bar charts, weight-magnitude histograms,
//! per-feature bar charts, and the network diagram of an MLP ([`Network`]).
//!
//! Every plot is drawn with plotters' SVG backend into a `String` and then
//! written atomically (a temporary file in the target folder, renamed over
//! the target), so a reader never sees half a file; the `*_svg` functions
//! return the document instead, for a program that writes all its outputs
//! together or not at all. Text is laid out with DejaVu Sans, embedded in
//! the binary by the `dejavu` crate and registered with plotters once per
//! process: nothing depends on the fonts installed on the machine (plotters
//! is built with `ab_glyph`, not with the system-font `ttf` feature). Every
//! plot has a title and axis labels; a legend appears whenever there are
//! named series.
//!
//! Bad data is an error, not a panic: a non-finite value, a value ≤ 0 on a
//! log-scale axis, values beyond 10^±150 on an axis (where plotters' tick
//! search would not terminate), or nothing to plot at all returns
//! [`PlotError`]. Empty series next to non-empty ones are drawn as nothing.
//!
//! ```
//! use sparsegrad_examples::plot::{Colour, Labels, LineChart, Marker, Scale, Series, line_chart};
//!
//! let folder = std::env::temp_dir().join(format!("sparsegrad-plot-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&folder).unwrap();
//! let chart = LineChart {
//!     labels: Labels::new("Lasso path", "lambda", "coefficient"),
//!     x_scale: Scale::Log10,
//!     y_scale: Scale::Linear,
//!     series: vec![
//!         Series::named("x3", vec![(0.01, 2.0), (0.1, 1.5), (1.0, 0.0)], Colour::Palette(0)),
//!         Series::unnamed(vec![(0.01, 0.1), (0.1, 0.0), (1.0, 0.0)], Colour::Grey),
//!     ],
//!     markers: vec![Marker { x: 0.1, label: "chosen lambda".into() }],
//! };
//! line_chart(folder.join("path.svg"), &chart).unwrap();
//! let svg = std::fs::read_to_string(folder.join("path.svg")).unwrap();
//! assert!(svg.contains("Lasso path") && svg.contains("chosen lambda"));
//! # std::fs::remove_dir_all(&folder).unwrap();
//! ```

mod bars;
mod frame;
mod histogram;
mod network;
mod svg;
mod xy;

pub use bars::{BarChart, bar_chart, bar_chart_svg};
pub use histogram::{Histogram, histogram, histogram_svg};
pub use network::{MAX_EDGE_WIDTH, Network};
pub use xy::{
    ErrorBarChart, ErrorPoint, LineChart, Marker, Series, error_bar_chart, error_bar_chart_svg,
    line_chart, line_chart_svg,
};

use std::path::PathBuf;

/// The title and axis labels every plot carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// The plot's title, drawn above it.
    pub title: String,
    /// The description of the x axis.
    pub x: String,
    /// The description of the y axis.
    pub y: String,
}

impl Labels {
    /// Labels from a title and the two axis descriptions.
    pub fn new(title: impl Into<String>, x: impl Into<String>, y: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            x: x.into(),
            y: y.into(),
        }
    }
}

/// How an axis maps values to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Equal distances for equal differences.
    Linear,
    /// Equal distances for equal ratios (base-10 ticks); every value on the
    /// axis must be > 0.
    Log10,
}

/// The colour of a line series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Entry `i % 10` of a ten-colour qualitative palette (matplotlib's tab10).
    Palette(usize),
    /// Thin light grey, drawn beneath the coloured series: for the many
    /// uninteresting lines (noise features) behind the few that matter.
    Grey,
}

/// One panel of a small-multiples figure ([`histogram`], [`bar_chart`]): a
/// name (e.g. a regularization regime) and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The panel's caption.
    pub name: String,
    /// The values to show (weights for a histogram, one value per feature
    /// for a bar chart).
    pub values: Vec<f64>,
}

/// Why a plot could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// No series or panel holds a single value.
    #[error("{chart}: nothing to plot")]
    NoData {
        /// The plotting function, e.g. `"line_chart"`.
        chart: &'static str,
    },
    /// A value is NaN or infinite.
    #[error("{chart}: {what} contains the non-finite value {value}")]
    NonFinite {
        /// The plotting function.
        chart: &'static str,
        /// Which series, panel or marker holds the value.
        what: String,
        /// The offending value.
        value: f64,
    },
    /// A value that would sit on a log-scale axis is zero or negative.
    #[error("{chart}: {what} has the value {value}, which a log-scale axis cannot show")]
    NonPositiveOnLogAxis {
        /// The plotting function.
        chart: &'static str,
        /// Which series, panel or marker holds the value.
        what: String,
        /// The offending value.
        value: f64,
    },
    /// A parameter of the plot makes no sense (e.g. zero histogram bins), or
    /// the values span too wide a range to draw.
    #[error("{chart}: {reason}")]
    Invalid {
        /// The plotting function.
        chart: &'static str,
        /// What is wrong, with the values.
        reason: String,
    },
    /// The embedded font was rejected by plotters (cannot happen with an
    /// intact binary; reported rather than panicking).
    #[error("the embedded DejaVu Sans font could not be registered with plotters")]
    Font,
    /// plotters failed while drawing.
    #[error("drawing the SVG failed: {0}")]
    Draw(String),
    /// The SVG could not be written.
    #[error("writing {path}: {source}")]
    Io {
        /// The file that was being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Checks that every value is > 0 (it sits on a log-scale axis); `what`
/// names where the values come from.
fn require_positive(
    chart: &'static str,
    what: impl Fn() -> String,
    values: impl IntoIterator<Item = f64>,
) -> Result<(), PlotError> {
    match values.into_iter().find(|&v| v <= 0.0) {
        Some(value) => Err(PlotError::NonPositiveOnLogAxis {
            chart,
            what: what(),
            value,
        }),
        None => Ok(()),
    }
}

/// Checks that every value is finite; `what` names where they come from.
fn require_finite(
    chart: &'static str,
    what: impl Fn() -> String,
    values: impl IntoIterator<Item = f64>,
) -> Result<(), PlotError> {
    match values.into_iter().find(|v| !v.is_finite()) {
        Some(value) => Err(PlotError::NonFinite {
            chart,
            what: what(),
            value,
        }),
        None => Ok(()),
    }
}
