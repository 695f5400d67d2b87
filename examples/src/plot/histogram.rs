//! Histograms of magnitudes on a log scale, one panel per series.

use super::frame::{LOG10_LIMIT, captioned_chart, check_panels, log_axis, panel_figure};
use super::svg::write_atomically;
use super::{Colour, Labels, Panel, PlotError};
use plotters::prelude::{Color, Rectangle, Text};
use std::path::Path;

/// Histograms of |value| over log10-spaced bins, one panel per series (e.g.
/// the weights of one regularization regime), all panels on the same bins
/// and the same count axis so that they compare at a glance.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Figure title and the axis descriptions of every panel; the x axis
    /// shows |value| on a log scale, the y axis counts.
    pub labels: Labels,
    /// One panel per series.
    pub panels: Vec<Panel>,
    /// Number of equal-width bins in log10 |value|, spanning whole decades
    /// from ⌊min log10 |v|⌋ to ⌈max log10 |v|⌉ over all nonzero values of
    /// all panels (magnitudes beyond 10^±150 are counted in the end bins).
    pub bins: usize,
}

/// Writes [`histogram_svg`] of `histogram` at `path` (atomically).
pub fn histogram(path: impl AsRef<Path>, histogram: &Histogram) -> Result<(), PlotError> {
    write_atomically(path.as_ref(), &histogram_svg(histogram)?)
}

/// Draws `histogram` as an SVG document.
///
/// A value of exactly 0 has no logarithm: exact zeros are counted apart,
/// reported in the panel's caption ("name: z of n exact zeros (p%)") and
/// drawn as a dark bar labelled "exactly 0" left of the log axis's first
/// bin (with a one-bin gap), on the same count axis, so that a panel of
/// mostly zeros is not empty. When every value is zero the x axis spans
/// [0.1, 1] and only the zero bar shows.
///
/// Errors: [`PlotError::NoData`] when no panel has a value,
/// [`PlotError::NonFinite`] for a NaN or infinite value,
/// [`PlotError::Invalid`] for zero bins.
pub fn histogram_svg(histogram: &Histogram) -> Result<String, PlotError> {
    const CHART: &str = "histogram";
    if histogram.bins == 0 {
        return Err(PlotError::Invalid {
            chart: CHART,
            reason: "bins must be at least 1".to_owned(),
        });
    }
    check_panels(CHART, &histogram.panels)?;
    let bins = LogBins::new(&histogram.panels, histogram.bins);
    let zero_counts: Vec<usize> = histogram
        .panels
        .iter()
        .map(|p| p.values.iter().filter(|v| **v == 0.0).count())
        .collect();
    let tallest = bins
        .counts
        .iter()
        .flatten()
        .chain(&zero_counts)
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);

    let labels = &histogram.labels;
    let svg = panel_figure(
        &labels.title,
        &[],
        &histogram.panels,
        |area, panel, index| {
            let zeros = zero_counts[index];
            let total = panel.values.len();
            let caption = format!(
                "{}: {zeros} of {total} exact zeros ({:.1}%)",
                panel.name,
                100.0 * zeros as f64 / total.max(1) as f64
            );
            // Two bin widths left of the first edge: the zero bar and a gap.
            let zero_bar = (bins.below(2), bins.below(1));
            let x = log_axis(zero_bar.0..bins.edge(histogram.bins));
            let y = 0.0..1.08 * tallest as f64;
            let mut chart = captioned_chart(area, (&caption, 15), (&labels.x, &labels.y), x, y)?;
            let colour = Colour::Palette(index).rgb().mix(0.75).filled();
            chart.draw_series(bins.counts[index].iter().enumerate().map(|(bin, &count)| {
                Rectangle::new(
                    [(bins.edge(bin), 0.0), (bins.edge(bin + 1), count as f64)],
                    colour,
                )
            }))?;
            let dark = Colour::Grey.rgb().mix(0.9).filled();
            chart.draw_series(std::iter::once(Rectangle::new(
                [(zero_bar.0, 0.0), (zero_bar.1, zeros as f64)],
                dark,
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                "exactly 0",
                (zero_bar.0, 1.04 * tallest as f64),
                ("sans-serif", 12),
            )))?;
            Ok(())
        },
    )?;
    Ok(svg)
}

/// Equal-width bins in log10 |v| shared by all panels, and each panel's
/// counts of nonzero values.
struct LogBins {
    /// log10 of the lower edge of the first bin (a whole decade).
    low: f64,
    /// Width of a bin in decades.
    width: f64,
    /// `counts[panel][bin]`.
    counts: Vec<Vec<usize>>,
}

impl LogBins {
    /// Bins spanning ⌊min log10 |v|⌋ to ⌈max log10 |v|⌉ (at least one
    /// decade, within [−150, 150]; [−1, 0] when no value is nonzero) over
    /// the nonzero, finite values of `panels`.
    fn new(panels: &[Panel], bins: usize) -> Self {
        let exponents = |panel: &Panel| -> Vec<f64> {
            panel
                .values
                .iter()
                .filter(|v| **v != 0.0)
                .map(|v| v.abs().log10())
                .collect()
        };
        let per_panel: Vec<Vec<f64>> = panels.iter().map(exponents).collect();
        let all = per_panel.iter().flatten().copied();
        let low = all.clone().fold(f64::INFINITY, f64::min).floor();
        let high = all.fold(f64::NEG_INFINITY, f64::max).ceil();
        let (low, high) = if low.is_finite() {
            let low = low.clamp(-LOG10_LIMIT, LOG10_LIMIT - 1.0);
            (low, high.clamp(low + 1.0, LOG10_LIMIT))
        } else {
            (-1.0, 0.0)
        };
        // The axis starts two bin widths below `low` (the zero bar and its
        // gap), and it too must stay within the limit: raise `low` until
        // low − 2·(high − low)/bins ≥ −LOG10_LIMIT.
        let low = low.max((2.0 * high - LOG10_LIMIT * bins as f64) / (bins as f64 + 2.0));
        let width = (high - low) / bins as f64;
        let counts = per_panel
            .iter()
            .map(|exponents| {
                let mut counts = vec![0; bins];
                for exponent in exponents {
                    // Bins are [lower, upper); the top edge joins the last bin,
                    // values beyond the limits the end bins (`as` saturates
                    // a negative index to 0).
                    let bin = (((exponent - low) / width) as usize).min(bins - 1);
                    counts[bin] += 1;
                }
                counts
            })
            .collect();
        Self { low, width, counts }
    }

    /// The value `bins` bin widths below the first edge (the zero bar's
    /// place on the log axis).
    fn below(&self, bins: usize) -> f64 {
        10f64.powf(self.low - bins as f64 * self.width)
    }

    /// The value (not its log) at the lower edge of bin `bin`.
    fn edge(&self, bin: usize) -> f64 {
        10f64.powf(self.low + bin as f64 * self.width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(values: &[f64]) -> Panel {
        Panel {
            name: "p".into(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn bins_span_whole_decades_and_count_magnitudes_without_zeros() {
        // Magnitudes 0.002, 0.005 (decade −3), 0.05 (−2), 0.5, −0.5 (−1),
        // 1.0 (exactly the top edge 10⁰): range [10⁻³, 10⁰], 3 bins of a
        // decade each; zeros are not binned.
        let first = panel(&[0.002, -0.005, 0.0, 0.05, 0.0]);
        let second = panel(&[0.5, -0.5, 1.0]);
        let bins = LogBins::new(&[first, second], 3);
        assert_eq!(bins.low, -3.0);
        assert_eq!(bins.width, 1.0);
        assert_eq!(bins.counts, vec![vec![2, 1, 0], vec![0, 0, 3]]);
        assert!((bins.edge(1) - 0.01).abs() < 1e-15);
    }

    #[test]
    fn equal_magnitudes_get_one_decade_and_all_zeros_the_default() {
        let bins = LogBins::new(&[panel(&[1.0, -1.0])], 4);
        assert_eq!((bins.low, bins.width), (0.0, 0.25));
        assert_eq!(bins.counts, vec![vec![2, 0, 0, 0]]);

        // 10^-323.3 … 10^308.3 clamp to 10^±150, and the low end rises until
        // the zero bar's two widths below it stay within the limit:
        // low = (2·150 − 150·2)/(2 + 2) = 0, width 75, axis from 10^-150.
        let extremes = LogBins::new(&[panel(&[5e-324, 1.0, f64::MAX])], 2);
        assert_eq!((extremes.low, extremes.width), (0.0, 75.0));
        assert_eq!(extremes.low - 2.0 * extremes.width, -LOG10_LIMIT);
        assert_eq!(extremes.counts, vec![vec![2, 1]]);

        let zeros = LogBins::new(&[panel(&[0.0, 0.0])], 2);
        assert_eq!((zeros.low, zeros.width), (-1.0, 0.5));
        assert_eq!(zeros.counts, vec![vec![0, 0]]);
    }
}
