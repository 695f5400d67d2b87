//! Charts in the x–y plane: [`line_chart`] and [`error_bar_chart`], both
//! drawn by one renderer ([`XyPlot`]) that knows lines, error bars and
//! vertical markers on linear or log axes.

use super::frame::{Chart, axis_range, captioned_chart, log_axis};
use super::svg::{Area, render, write_atomically};
use super::{Colour, Labels, PlotError, Scale, require_finite, require_positive};
use plotters::chart::{SeriesAnno, SeriesLabelPosition};
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::element::{DashedPathElement, MultiLineText};
use plotters::prelude::{
    BLACK, Circle, Color, DashedLineSeries, EmptyElement, IntoFont, LineSeries, PathElement,
    RGBColor, SVGBackend, ShapeStyle, TextStyle, WHITE,
};
use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

/// A polyline of (x, y) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend entry; `None` draws the line without one (for the many
    /// grey background lines of a regularization path).
    pub name: Option<String>,
    /// The points, joined in order.
    pub points: Vec<(f64, f64)>,
    /// The line's colour.
    pub colour: Colour,
    /// Dashed instead of solid (e.g. test loss next to a solid train loss).
    pub dashed: bool,
    /// A small dot at every point (a curve over a grid shows its points).
    pub dots: bool,
    /// The index of one point drawn as a large ring (a chosen point).
    pub highlight: Option<usize>,
}

impl Series {
    /// A solid line with a legend entry.
    pub fn named(name: impl Into<String>, points: Vec<(f64, f64)>, colour: Colour) -> Self {
        Self {
            name: Some(name.into()),
            points,
            colour,
            dashed: false,
            dots: false,
            highlight: None,
        }
    }

    /// A solid line without a legend entry.
    pub fn unnamed(points: Vec<(f64, f64)>, colour: Colour) -> Self {
        Self {
            name: None,
            points,
            colour,
            dashed: false,
            dots: false,
            highlight: None,
        }
    }

    /// The same line with a dot at every point.
    pub fn with_dots(self) -> Self {
        Self { dots: true, ..self }
    }

    /// The same line with point `index` ringed (ignored when out of range).
    pub fn highlighting(self, index: usize) -> Self {
        Self {
            highlight: Some(index),
            ..self
        }
    }

    /// The same line, dashed.
    pub fn dashed(self) -> Self {
        Self {
            dashed: true,
            ..self
        }
    }
}

/// A vertical line across the whole chart at `x`, with a legend entry
/// (e.g. the λ chosen by cross-validation).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Where the line stands.
    pub x: f64,
    /// Its legend entry.
    pub label: String,
}

/// Named lines (plus unnamed background lines) on linear or log axes.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Title and axis descriptions.
    pub labels: Labels,
    /// Scale of the x axis.
    pub x_scale: Scale,
    /// Scale of the y axis.
    pub y_scale: Scale,
    /// The lines; grey ones are drawn first, beneath the coloured ones.
    pub series: Vec<Series>,
    /// Vertical marker lines.
    pub markers: Vec<Marker>,
}

/// One point of an error-bar chart: the mean at x and a bar of ±1 standard
/// deviation around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorPoint {
    /// Position on the x axis (e.g. λ).
    pub x: f64,
    /// Mean (e.g. of the validation loss over the folds).
    pub mean: f64,
    /// Standard deviation, ≥ 0; the bar spans mean ± std.
    pub std: f64,
}

/// A curve of means with ±1 std error bars (the cross-validation curve), on
/// a linear y axis.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorBarChart {
    /// Title and axis descriptions.
    pub labels: Labels,
    /// Scale of the x axis.
    pub x_scale: Scale,
    /// Legend entry of the curve, e.g. "mean validation MSE ± 1 std".
    pub name: String,
    /// The points, joined in order.
    pub points: Vec<ErrorPoint>,
    /// Vertical marker lines.
    pub markers: Vec<Marker>,
}

/// Writes [`line_chart_svg`] of `chart` at `path` (atomically).
pub fn line_chart(path: impl AsRef<Path>, chart: &LineChart) -> Result<(), PlotError> {
    write_atomically(path.as_ref(), &line_chart_svg(chart)?)
}

/// Draws `chart` as an SVG document.
///
/// Errors: [`PlotError::NoData`] when no series has a point; a NaN or
/// infinite coordinate or marker is [`PlotError::NonFinite`]; a value ≤ 0 on
/// a log axis is [`PlotError::NonPositiveOnLogAxis`]. Empty series among
/// others draw nothing.
pub fn line_chart_svg(chart: &LineChart) -> Result<String, PlotError> {
    XyPlot {
        chart: "line_chart",
        labels: &chart.labels,
        scales: (chart.x_scale, chart.y_scale),
        series: &chart.series,
        error_bars: &[],
        markers: &chart.markers,
    }
    .render()
}

/// Writes [`error_bar_chart_svg`] of `chart` at `path` (atomically).
pub fn error_bar_chart(path: impl AsRef<Path>, chart: &ErrorBarChart) -> Result<(), PlotError> {
    write_atomically(path.as_ref(), &error_bar_chart_svg(chart)?)
}

/// Draws `chart` as an SVG document: the means joined by a line, a
/// vertical bar with caps from mean − std to mean + std at each point, and
/// the markers.
///
/// Errors as [`line_chart_svg`]'s, and [`PlotError::Invalid`] for a negative std.
pub fn error_bar_chart_svg(chart: &ErrorBarChart) -> Result<String, PlotError> {
    const CHART: &str = "error_bar_chart";
    if let Some(point) = chart.points.iter().find(|p| p.std < 0.0) {
        return Err(PlotError::Invalid {
            chart: CHART,
            reason: format!(
                "negative standard deviation {} at x = {}",
                point.std, point.x
            ),
        });
    }
    let means = Series::named(
        chart.name.clone(),
        chart.points.iter().map(|p| (p.x, p.mean)).collect(),
        ERROR_BAR_COLOUR,
    );
    XyPlot {
        chart: CHART,
        labels: &chart.labels,
        scales: (chart.x_scale, Scale::Linear),
        series: std::slice::from_ref(&means),
        error_bars: &chart.points,
        markers: &chart.markers,
    }
    .render()
}

/// The colour of the mean curve and its error bars.
const ERROR_BAR_COLOUR: Colour = Colour::Palette(0);

/// Colours of the marker lines, in order (cycled): black and dark grey,
/// never confused with a data series.
const MARKER_COLOURS: [RGBColor; 2] = [BLACK, RGBColor(110, 110, 110)];

/// Pixel size of an x–y chart.
const SIZE: (u32, u32) = (900, 600);

/// Everything an x–y chart can hold.
struct XyPlot<'a> {
    chart: &'static str,
    labels: &'a Labels,
    scales: (Scale, Scale),
    series: &'a [Series],
    error_bars: &'a [ErrorPoint],
    markers: &'a [Marker],
}

/// The x and y values of one named part of a chart, for checks and ranges.
struct Values {
    what: String,
    xs: Vec<f64>,
    ys: Vec<f64>,
}

impl XyPlot<'_> {
    /// Every coordinate the chart will place, grouped by where it comes from.
    fn values(&self) -> Vec<Values> {
        let series = self.series.iter().enumerate().map(|(i, s)| Values {
            what: match &s.name {
                Some(name) => format!("series '{name}'"),
                None => format!("unnamed series #{i}"),
            },
            xs: s.points.iter().map(|p| p.0).collect(),
            ys: s.points.iter().map(|p| p.1).collect(),
        });
        let bars = Values {
            what: "error bars".to_owned(),
            xs: self.error_bars.iter().map(|p| p.x).collect(),
            ys: self
                .error_bars
                .iter()
                .flat_map(|p| [p.mean - p.std, p.mean + p.std])
                .collect(),
        };
        let markers = self.markers.iter().map(|m| Values {
            what: format!("marker '{}'", m.label),
            xs: vec![m.x],
            ys: Vec::new(),
        });
        series.chain([bars]).chain(markers).collect()
    }

    /// Checks the values, finds the axis ranges and draws the document.
    fn render(&self) -> Result<String, PlotError> {
        let values = self.values();
        let (x_scale, y_scale) = self.scales;
        for group in &values {
            for (coordinates, scale) in [(&group.xs, x_scale), (&group.ys, y_scale)] {
                require_finite(
                    self.chart,
                    || group.what.clone(),
                    coordinates.iter().copied(),
                )?;
                if scale == Scale::Log10 {
                    require_positive(
                        self.chart,
                        || group.what.clone(),
                        coordinates.iter().copied(),
                    )?;
                }
            }
        }
        let y_range = axis_range(
            self.chart,
            values.iter().flat_map(|g| g.ys.iter().copied()),
            y_scale,
        )?;
        let x_range = axis_range(
            self.chart,
            values.iter().flat_map(|g| g.xs.iter().copied()),
            x_scale,
        )?;

        render(SIZE, |root| match self.scales {
            (Scale::Linear, Scale::Linear) => self.draw(root, x_range, y_range.clone(), &y_range),
            (Scale::Log10, Scale::Linear) => {
                self.draw(root, log_axis(x_range), y_range.clone(), &y_range)
            }
            (Scale::Linear, Scale::Log10) => {
                self.draw(root, x_range, log_axis(y_range.clone()), &y_range)
            }
            (Scale::Log10, Scale::Log10) => {
                self.draw(root, log_axis(x_range), log_axis(y_range.clone()), &y_range)
            }
        })
    }

    /// Draws the chart on the coordinates `x` × `y`; `y_range` is the
    /// numeric extent of `y`, which the marker lines span.
    fn draw<X, Y>(&self, root: &Area<'_>, x: X, y: Y, y_range: &Range<f64>) -> Result<(), PlotError>
    where
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let labels = self.labels;
        let mut chart = captioned_chart(root, (&labels.title, 24), (&labels.x, &labels.y), x, y)?;

        // Grey lines first, so that the coloured ones stay visible on top.
        let (grey, coloured): (Vec<&Series>, Vec<&Series>) =
            self.series.iter().partition(|s| s.colour == Colour::Grey);
        for series in grey.into_iter().chain(coloured) {
            let style = line_style(series.colour);
            let points = series.points.iter().copied();
            let annotation = if series.dashed {
                chart.draw_series(DashedLineSeries::new(points, DASH, GAP, style))?
            } else {
                chart.draw_series(LineSeries::new(points, style))?
            };
            if let Some(name) = &series.name {
                set_legend_line(annotation.label(name), style, series.dashed);
            }
            let colour = series.colour.rgb();
            if series.dots {
                chart.draw_series(
                    series
                        .points
                        .iter()
                        .map(|&p| Circle::new(p, 3, colour.filled())),
                )?;
            }
            if let Some(&point) = series.highlight.and_then(|i| series.points.get(i)) {
                chart.draw_series([
                    Circle::new(point, 8, colour.stroke_width(3)),
                    Circle::new(point, 4, colour.filled()),
                ])?;
            }
        }

        let bar_style = line_style(ERROR_BAR_COLOUR);
        chart.draw_series(self.error_bars.iter().map(|p| {
            PathElement::new(
                vec![(p.x, p.mean - p.std), (p.x, p.mean + p.std)],
                bar_style,
            )
        }))?;
        // Caps are fixed in pixels, so they look the same on any scale.
        chart.draw_series(self.error_bars.iter().flat_map(|p| {
            [p.mean - p.std, p.mean + p.std].map(|end| {
                EmptyElement::at((p.x, end)) + PathElement::new(vec![(-4, 0), (4, 0)], bar_style)
            })
        }))?;

        for (marker, colour) in self.markers.iter().zip(MARKER_COLOURS.iter().cycle()) {
            let style = colour.stroke_width(2);
            let line = [(marker.x, y_range.start), (marker.x, y_range.end)];
            let annotation = chart.draw_series(DashedLineSeries::new(line, DASH, GAP, style))?;
            set_legend_line(annotation.label(&marker.label), style, true);
        }

        let entries: Vec<&str> = (self.series.iter().filter_map(|s| s.name.as_deref()))
            .chain(self.markers.iter().map(|m| m.label.as_str()))
            .collect();
        if !entries.is_empty() {
            let drawn = self.series.iter().map(|s| Cow::from(&s.points[..]));
            let bars = (self.error_bars.iter())
                .map(|p| Cow::from(vec![(p.x, p.mean - p.std), (p.x, p.mean + p.std)]));
            let markers = (self.markers.iter())
                .map(|m| Cow::from(vec![(m.x, y_range.start), (m.x, y_range.end)]));
            let lines: Vec<Cow<'_, [(f64, f64)]>> = drawn.chain(bars).chain(markers).collect();
            let position = legend_position(&chart, &lines, &entries);
            chart
                .configure_series_labels()
                .position(position)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(LEGEND_FONT)
                .margin(LEGEND_MARGIN)
                .legend_area_size(LEGEND_SAMPLE)
                .draw()?;
        }
        Ok(())
    }
}

/// The legend's font, its inner margin and the width given to each
/// entry's sample of its line, in pixels.
const LEGEND_FONT: (&str, u32) = ("sans-serif", 15);
const LEGEND_MARGIN: u32 = 10;
const LEGEND_SAMPLE: u32 = 30;

/// Where the legend of `entries` goes on `chart`: the one of nine places
/// (see [`least_covered`]) that hides the least of `lines`, the polylines
/// drawn, in data coordinates. A fixed corner hid the end of a CV curve, a
/// regularization path's largest coefficients and the trade-off curves'
/// sparse ends, all of which run into the upper right.
fn legend_position<X, Y>(
    chart: &Chart<'_, '_, X, Y>,
    lines: &[Cow<'_, [(f64, f64)]>],
    entries: &[&str],
) -> SeriesLabelPosition
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let font: TextStyle = LEGEND_FONT.into_font().into();
    let mut text = MultiLineText::<_, &str>::new((0, 0), &font);
    for entry in entries {
        text.push_line(*entry);
    }
    // the box plotters draws: the text, the samples and the margins
    let Ok((w, h)) = text.estimate_dimension() else {
        return SeriesLabelPosition::UpperRight;
    };
    let margin = 2 * LEGEND_MARGIN as i32;
    let size = (w + LEGEND_SAMPLE as i32 + margin, h + margin);
    let area = chart.plotting_area();
    let (xs, ys) = area.get_pixel_range();
    // every line sampled at most 3 px apart, relative to the plotting area
    let mut samples = Vec::new();
    for line in lines {
        let pixels: Vec<(i32, i32)> = line
            .iter()
            .map(|p| {
                let (x, y) = chart.backend_coord(p);
                (x - xs.start, y - ys.start)
            })
            .collect();
        samples.extend(pixels.first().copied());
        for pair in pixels.windows(2) {
            let [(x0, y0), (x1, y1)] = [pair[0], pair[1]];
            let steps = ((x1 - x0).abs().max((y1 - y0).abs()) / 3).max(1);
            samples.extend(
                (1..=steps).map(|i| (x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)),
            );
        }
    }
    least_covered(area.dim_in_pixel(), size, &samples)
}

/// The place for a box of `size` pixels in an area of `area` pixels that
/// covers the fewest of `samples` (within 4 px of its edge): the four
/// corners first, then the middles of the top, bottom, right and left
/// edges, the centre last; the first of the least covered wins. Boxes sit
/// where plotters puts them, 5 px in from the area's edges.
fn least_covered(
    area: (u32, u32),
    size: (i32, i32),
    samples: &[(i32, i32)],
) -> SeriesLabelPosition {
    use SeriesLabelPosition::*;
    let (area_w, area_h) = (area.0 as i32, area.1 as i32);
    let (w, h) = size;
    let [left, centre, right] = [5, (area_w - w) / 2, area_w - w - 5];
    let [top, middle, bottom] = [5, (area_h - h) / 2, area_h - h - 5];
    let places = [
        (UpperRight, right, top),
        (UpperLeft, left, top),
        (LowerRight, right, bottom),
        (LowerLeft, left, bottom),
        (UpperMiddle, centre, top),
        (LowerMiddle, centre, bottom),
        (MiddleRight, right, middle),
        (MiddleLeft, left, middle),
        (MiddleMiddle, centre, middle),
    ];
    let covered = |&(_, x, y): &(SeriesLabelPosition, i32, i32)| {
        (samples.iter())
            .filter(|&&(sx, sy)| {
                (x - 4..=x + w + 4).contains(&sx) && (y - 4..=y + h + 4).contains(&sy)
            })
            .count()
    };
    let best = places.into_iter().min_by_key(covered);
    best.map_or(UpperRight, |(position, _, _)| position)
}

/// Dash and gap lengths of dashed lines, in pixels.
const DASH: u32 = 8;
const GAP: u32 = 5;

/// Makes the legend entry of a line series a short sample of the line.
fn set_legend_line(
    annotation: &mut SeriesAnno<'_, SVGBackend<'_>>,
    style: ShapeStyle,
    dashed: bool,
) {
    let sample = |(x, y): (i32, i32)| vec![(x, y), (x + 24, y)];
    if dashed {
        annotation.legend(move |point| DashedPathElement::new(sample(point), DASH, GAP, style));
    } else {
        annotation.legend(move |point| PathElement::new(sample(point), style));
    }
}

/// Grey background lines are thin; coloured lines stand out at 2 px.
fn line_style(colour: Colour) -> ShapeStyle {
    let width = if colour == Colour::Grey { 1 } else { 2 };
    colour.rgb().stroke_width(width)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Samples filling the square of `side` pixels at (x, y).
    fn square(x: i32, y: i32, side: i32) -> impl Iterator<Item = (i32, i32)> {
        (x..x + side).flat_map(move |sx| (y..y + side).map(move |sy| (sx, sy)))
    }

    #[test]
    fn the_legend_goes_where_it_hides_the_least() {
        use SeriesLabelPosition::*;
        let (area, size) = ((800, 500), (200, 100));
        let free = |samples: Vec<(i32, i32)>| least_covered(area, size, &samples);
        // nothing drawn: the upper right, as before
        assert_eq!(free(Vec::new()), UpperRight);
        // data in the upper right: the next corner
        assert_eq!(free(square(650, 10, 50).collect()), UpperLeft);
        // data in all four corners: the middle of the top
        let corners = [(10, 10), (700, 10), (10, 430), (700, 430)];
        let samples = corners
            .iter()
            .flat_map(|&(x, y)| square(x, y, 50))
            .collect();
        assert_eq!(free(samples), UpperMiddle);
        // every place covered: the one that hides the fewest samples
        let mut samples: Vec<(i32, i32)> = square(0, 0, 800).filter(|p| p.1 < 500).collect();
        samples.retain(|&(x, y)| !(x < 300 && y > 300) || (x + y) % 2 == 0);
        assert_eq!(free(samples), LowerLeft);
    }
}
