//! What every chart shares: colours, axis ranges, tick labels, the
//! captioned chart with its mesh and axis descriptions, the legend box and
//! the grid of small-multiple panels.

use super::svg::{Area, render};
use super::{Colour, Panel, PlotError, Scale, require_finite};
use plotters::chart::{ChartBuilder, ChartContext};
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::combinators::{BindKeyPoints, IntoLogRange, LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::{Color, IntoFont, RGBColor, Rectangle, SVGBackend, Text, TextStyle};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// matplotlib's tab10: ten distinguishable colours.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of the background (grey) series and of unmarked bars.
const GREY: RGBColor = RGBColor(185, 185, 185);

impl Colour {
    /// The RGB value of this colour.
    pub(super) fn rgb(self) -> RGBColor {
        match self {
            Colour::Palette(i) => PALETTE[i % PALETTE.len()],
            Colour::Grey => GREY,
        }
    }
}

/// A chart with f64 coordinates on x (`X`) and y (`Y`) drawn into an SVG.
pub(super) type Chart<'a, 's, X, Y> = ChartContext<'a, SVGBackend<'s>, Cartesian2d<X, Y>>;

/// A chart on `area` with the data ranges `x` × `y`, `caption` above it
/// (in `caption_size` px, or smaller when it would not fit the area's
/// width: see [`fitting_size`]), a light grid, ticks labelled by
/// [`format_tick`], and the axis descriptions `x_desc` and `y_desc`.
pub(super) fn captioned_chart<'a, 's, X, Y>(
    area: &'a Area<'s>,
    (caption, caption_size): (&str, u32),
    (x_desc, y_desc): (&str, &str),
    x: X,
    y: Y,
) -> Result<Chart<'a, 's, X::CoordDescType, Y::CoordDescType>, PlotError>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    const MARGIN: u32 = 12;
    let width = area.dim_in_pixel().0.saturating_sub(2 * MARGIN);
    let caption_size = fitting_size(area, caption, caption_size, width);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", caption_size))
        .margin(MARGIN)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 15))
        .x_label_formatter(&format_tick)
        .y_label_formatter(&format_tick)
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    Ok(chart)
}

/// The largest font size up to `size` px, and at least 10, at which `text`
/// in sans-serif is at most `width` px wide on `area`: a panel's caption
/// ("group lasso features (λ = 0.00616): 1056 of 1632 exact zeros
/// (64.7%)") ran past its panel's edge at the size the short ones use.
fn fitting_size(area: &Area<'_>, text: &str, size: u32, width: u32) -> u32 {
    const SMALLEST: u32 = 10;
    let fits = |size: u32| {
        area.estimate_text_size(text, &TextStyle::from(("sans-serif", size).into_font()))
            .is_ok_and(|(w, _)| w <= width)
    };
    (SMALLEST..=size.max(SMALLEST))
        .rev()
        .find(|&size| fits(size))
        .unwrap_or(SMALLEST)
}

/// The largest |log10| of a range bound on either kind of axis. plotters'
/// tick search never ends when a range's end/start ratio (log axis) or its
/// span (linear axis) overflows to ∞; bounds within 10^±150 keep both
/// finite, and no weight, loss or λ comes near them.
pub(super) const LOG10_LIMIT: f64 = 150.0;

/// The range shown on an axis holding `values` (none of them NaN; all > 0
/// for [`Scale::Log10`]), widened by 5% of the span on each side (of the
/// span in decades for a log axis), or by ±0.5 (half a decade) when all
/// values are equal.
///
/// Errors: [`PlotError::NoData`] without values; [`PlotError::Invalid`]
/// when the widened range leaves [−10¹⁵⁰, 10¹⁵⁰] (or [10⁻¹⁵⁰, 10¹⁵⁰] on a log
/// axis).
pub(super) fn axis_range(
    chart: &'static str,
    values: impl IntoIterator<Item = f64>,
    scale: Scale,
) -> Result<Range<f64>, PlotError> {
    let to_axis = |v: f64| match scale {
        Scale::Linear => v,
        Scale::Log10 => v.log10(),
    };
    let from_axis = |v: f64| match scale {
        Scale::Linear => v,
        Scale::Log10 => 10f64.powf(v),
    };
    let (min, max) = values
        .into_iter()
        .map(to_axis)
        .fold(None, |range: Option<(f64, f64)>, v| match range {
            None => Some((v, v)),
            Some((low, high)) => Some((low.min(v), high.max(v))),
        })
        .ok_or(PlotError::NoData { chart })?;
    let pad = if max > min { 0.05 * (max - min) } else { 0.5 };
    let (low, high) = (min - pad, max + pad);
    let limit = match scale {
        Scale::Linear => 10f64.powf(LOG10_LIMIT),
        Scale::Log10 => LOG10_LIMIT,
    };
    if !(-limit..=limit).contains(&low) || !(-limit..=limit).contains(&high) {
        return Err(PlotError::Invalid {
            chart,
            reason: format!(
                "values from {:e} to {:e} span too wide a range for a {scale:?} axis",
                from_axis(min),
                from_axis(max)
            ),
        });
    }
    Ok(from_axis(low)..from_axis(high))
}

/// A log axis over `range` (> 0) with the ticks of [`log_ticks`].
pub(super) fn log_axis(range: Range<f64>) -> WithKeyPoints<LogCoord<f64>> {
    let (labelled, light) = log_ticks(&range);
    range
        .log_scale()
        .with_key_points(labelled)
        .with_light_points(light)
}

/// The labelled and the light tick values of a log axis over `range`, as
/// on log paper: light lines at 1, 2, …, 9 × 10ᵏ (unless the axis spans more
/// than 10 decades, where they would merge), labels at the decades when
/// the axis spans 2.5 decades or more (every second or later decade when
/// more than 12 would be labelled), at 1, 2 and 5 × 10ᵏ when it spans one
/// to 2.5, and at every light line below one. Fewer than two such values
/// in range (a narrow axis between two of them) give five labels evenly
/// spaced in log, to two significant digits. plotters' own choice labels
/// 10, 20, …, 90, 100 on an axis of two decades, the last ones crowding
/// into each other, and puts light lines one unit apart from 10 to 110.
pub(super) fn log_ticks(range: &Range<f64>) -> (Vec<f64>, Vec<f64>) {
    let (low, high) = (range.start.log10(), range.end.log10());
    let span = high - low;
    let at = |mantissas: &[u32], every: i32| -> Vec<f64> {
        let first = low.floor() as i32;
        (first..=high.ceil() as i32)
            .filter(|decade| (decade - first) % every == 0)
            .flat_map(|decade| {
                mantissas
                    .iter()
                    .map(move |&m| f64::from(m) * 10f64.powi(decade))
            })
            // the value as a decimal literal would give it, not 10ᵏ's rounding
            .map(|v| {
                format!("{v:.3e}")
                    .parse::<f64>()
                    .expect("a formatted float parses")
            })
            .filter(|v| (range.start..=range.end).contains(v))
            .collect()
    };
    let all = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    let light = if span <= 10.0 {
        at(&all, 1)
    } else {
        Vec::new()
    };
    let labelled = if span >= 2.5 {
        let every = (span / 12.0).ceil().max(1.0) as i32;
        at(&[1], every)
    } else if span >= 1.0 {
        at(&[1, 2, 5], 1)
    } else {
        at(&all, 1)
    };
    if labelled.len() >= 2 {
        return (labelled, light);
    }
    let even = (0..5)
        .map(|i| 10f64.powf(low + span * (0.1 + 0.2 * f64::from(i))))
        .map(|v| {
            format!("{v:.1e}")
                .parse::<f64>()
                .expect("a formatted float parses")
        })
        .collect();
    (even, light)
}

/// A short tick label: up to four significant digits in plain notation for
/// magnitudes in [10⁻³, 10⁴), scientific notation (`2.5e-6`) otherwise,
/// trailing zeros dropped.
pub(super) fn format_tick(value: &f64) -> String {
    let magnitude = value.abs();
    if magnitude == 0.0 {
        return "0".to_owned();
    }
    if (1e-3..1e4).contains(&magnitude) {
        let decimals = (3 - magnitude.log10().floor() as i32).max(0) as usize;
        let text = format!("{value:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            text
        }
    } else {
        let text = format!("{value:.3e}");
        let (mantissa, exponent) = text.split_once('e').expect("{:e} output has an exponent");
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        format!("{mantissa}e{exponent}")
    }
}

/// Pixel size of one small-multiple panel.
const PANEL_SIZE: (u32, u32) = (420, 320);

/// Height of the figure title band above the panels.
const TITLE_HEIGHT: u32 = 50;

/// Checks that every value of every panel is finite and that some panel
/// has a value.
pub(super) fn check_panels(chart: &'static str, panels: &[Panel]) -> Result<(), PlotError> {
    for panel in panels {
        require_finite(
            chart,
            || format!("panel '{}'", panel.name),
            panel.values.iter().copied(),
        )?;
    }
    if panels.iter().all(|panel| panel.values.is_empty()) {
        return Err(PlotError::NoData { chart });
    }
    Ok(())
}

/// Renders a small-multiples figure: `title` on top with one shared
/// `legend` (label, colour swatch) at its right, then one panel per entry
/// of `panels` in a grid of ⌈√n⌉ columns, each drawn by
/// `draw_panel(area, panel, index)`. `panels` must not be empty.
pub(super) fn panel_figure(
    title: &str,
    legend: &[(&str, RGBColor)],
    panels: &[Panel],
    draw_panel: impl Fn(&Area<'_>, &Panel, usize) -> Result<(), PlotError>,
) -> Result<String, PlotError> {
    let columns = (panels.len() as f64).sqrt().ceil() as usize;
    let rows = panels.len().div_ceil(columns);
    let size = (
        PANEL_SIZE.0 * columns as u32,
        PANEL_SIZE.1 * rows as u32 + TITLE_HEIGHT,
    );
    render(size, |root| {
        let body = root.titled(title, ("sans-serif", 24))?;
        // One legend for all panels, stacked in the title band's right end,
        // where it cannot cover any bar.
        let left = size.0 as i32 - 190;
        for (row, (label, colour)) in legend.iter().enumerate() {
            let y = 12 + 18 * row as i32;
            root.draw(&Rectangle::new(
                [(left, y - 6), (left + 14, y + 6)],
                colour.filled(),
            ))?;
            let style = TextStyle::from(("sans-serif", 16).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(*label, (left + 20, y), style))?;
        }
        for (index, (area, panel)) in body
            .split_evenly((rows, columns))
            .iter()
            .zip(panels)
            .enumerate()
        {
            draw_panel(area, panel, index)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_short_and_exact() {
        let cases = [
            (0.0, "0"),
            (0.1 + 0.2, "0.3"),
            (0.0015, "0.0015"),
            (12.5, "12.5"),
            (-3.0, "-3"),
            (1e-6, "1e-6"),
            (2.5e-5, "2.5e-5"),
            (12_000.0, "1.2e4"),
        ];
        for (value, expected) in cases {
            assert_eq!(format_tick(&value), expected, "{value}");
        }
    }

    /// The regression of the diabetes trade-off plot: plotters labelled an
    /// axis from 6 to 450 at 10, 20, …, 90, 100, 200, 300, 400, and drew a
    /// light line at every unit from 10 to 110.
    #[test]
    fn log_axes_are_labelled_like_log_paper() {
        let (labelled, light) = log_ticks(&(6.0..450.0));
        assert_eq!(labelled, [10.0, 20.0, 50.0, 100.0, 200.0]);
        let expected_light: Vec<f64> = [6.0, 7.0, 8.0, 9.0]
            .into_iter()
            .chain((1..=9).map(|m| f64::from(m) * 10.0))
            .chain((1..=4).map(|m| f64::from(m) * 100.0))
            .collect();
        assert_eq!(light, expected_light);
        // wide: decades only; very wide: every few decades, no light lines
        assert_eq!(log_ticks(&(0.0008..0.5)).0, [0.001, 0.01, 0.1]);
        let (labelled, light) = log_ticks(&(1e-40..1e40));
        assert!(labelled.len() <= 12 && labelled.len() >= 6, "{labelled:?}");
        assert!(light.is_empty());
        // a bound on a decade is labelled (the weights' histogram ends at 10)
        assert_eq!(log_ticks(&(1e-9..10.0)).0.last(), Some(&10.0));
        // under a decade: every light line is labelled
        assert_eq!(
            log_ticks(&(0.25..0.95)).0,
            [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
        );
        // between two light lines: five labels spread over the range
        let (labelled, _) = log_ticks(&(0.51..0.59));
        assert_eq!(labelled.len(), 5);
        assert!(labelled.windows(2).all(|w| w[0] < w[1]), "{labelled:?}");
        assert!(
            labelled.iter().all(|v| (0.51..0.59).contains(v)),
            "{labelled:?}"
        );
    }

    #[test]
    fn axis_ranges_pad_the_data() {
        let range = |values: &[f64], scale| axis_range("test", values.iter().copied(), scale);
        assert_eq!(range(&[1.0, 3.0, 2.0], Scale::Linear).unwrap(), 0.9..3.1);
        assert_eq!(range(&[2.0], Scale::Linear).unwrap(), 1.5..2.5);
        let log = range(&[0.01, 100.0], Scale::Log10).unwrap();
        assert!((log.start.log10() + 2.2).abs() < 1e-12 && (log.end.log10() - 2.2).abs() < 1e-12);
        assert!(matches!(
            range(&[], Scale::Linear),
            Err(PlotError::NoData { .. })
        ));
        assert!(matches!(
            range(&[-1e308, 1e308], Scale::Linear),
            Err(PlotError::Invalid { .. })
        ));
        assert!(matches!(
            range(&[1e-160, 1.0], Scale::Log10),
            Err(PlotError::Invalid { .. })
        ));
        assert!(range(&[1e-100, 1e100], Scale::Log10).is_ok());
    }
}
