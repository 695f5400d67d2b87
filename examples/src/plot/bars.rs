//! Per-feature bar charts, one panel per series, with marked features.

use super::frame::{axis_range, captioned_chart, check_panels, panel_figure};
use super::svg::write_atomically;
use super::{Colour, Labels, Panel, PlotError, Scale};
use plotters::prelude::{Color, Rectangle};
use std::path::Path;

/// One bar per feature (e.g. the norm of a first-layer weight column), one
/// panel per series (e.g. per regularization regime), with some features
/// marked in colour (e.g. the truly informative ones) and the rest grey.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Figure title and the axis descriptions of every panel; the x axis is
    /// the feature index.
    pub labels: Labels,
    /// One panel per series; value j is feature j's bar.
    pub panels: Vec<Panel>,
    /// Indices of the features drawn in colour.
    pub highlighted: Vec<usize>,
    /// Legend entry of the coloured bars (the grey ones are "other").
    pub highlight_name: String,
}

/// Colour of the highlighted bars (tab10 red).
const HIGHLIGHT: Colour = Colour::Palette(3);

/// Writes [`bar_chart_svg`] of `chart` at `path` (atomically).
pub fn bar_chart(path: impl AsRef<Path>, chart: &BarChart) -> Result<(), PlotError> {
    write_atomically(path.as_ref(), &bar_chart_svg(chart)?)
}

/// Draws `chart` as an SVG document. Each panel has its
/// own y range (from min(0, values) to max(0, values)), since what matters is
/// which features stand out within a panel; all share the x range. One
/// legend in the title band names the two colours.
///
/// Errors: [`PlotError::NoData`] when no panel has a value,
/// [`PlotError::NonFinite`] for a NaN or infinite value,
/// [`PlotError::Invalid`] for a highlighted index beyond every panel.
pub fn bar_chart_svg(chart: &BarChart) -> Result<String, PlotError> {
    const CHART: &str = "bar_chart";
    check_panels(CHART, &chart.panels)?;
    let features = chart
        .panels
        .iter()
        .map(|p| p.values.len())
        .max()
        .unwrap_or(0);
    if let Some(&index) = chart.highlighted.iter().find(|&&j| j >= features) {
        return Err(PlotError::Invalid {
            chart: CHART,
            reason: format!("highlighted feature {index} does not exist ({features} features)"),
        });
    }
    let legend = [
        (chart.highlight_name.as_str(), HIGHLIGHT.rgb()),
        ("other", Colour::Grey.rgb()),
    ];
    let labels = &chart.labels;
    let svg = panel_figure(&labels.title, &legend, &chart.panels, |area, panel, _| {
        let x = -0.5..features as f64 - 0.5;
        let values = panel.values.iter().copied();
        let y = axis_range(CHART, values.chain([0.0]), Scale::Linear)?;
        let mut panel_chart =
            captioned_chart(area, (&panel.name, 15), (&labels.x, &labels.y), x, y)?;
        panel_chart.draw_series(panel.values.iter().enumerate().map(|(j, &value)| {
            let colour = if chart.highlighted.contains(&j) {
                HIGHLIGHT
            } else {
                Colour::Grey
            };
            let x = j as f64;
            Rectangle::new([(x - 0.4, 0.0), (x + 0.4, value)], colour.rgb().filled())
        }))?;
        Ok(())
    })?;
    Ok(svg)
}
