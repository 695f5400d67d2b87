//! The files of a study: `report.json` and three SVG plots, under stable
//! names in one folder.

use std::path::{Path, PathBuf};

use sparsegrad::io::fs::write_atomically;

use super::{StudyError, StudyReport};
use crate::plot::{
    BarChart, Colour, Histogram, Labels, LineChart, Panel, Scale, Series, bar_chart, histogram,
    line_chart,
};

/// The JSON report: the configuration, the seed and every figure.
pub const REPORT_JSON: &str = "report.json";
/// Histograms of the weight magnitudes, one panel per regime.
pub const WEIGHTS_SVG: &str = "sparsity-weights.svg";
/// First-layer column norms per input feature, one panel per regime.
pub const FEATURES_SVG: &str = "sparsity-features.svg";
/// Train and test loss per epoch, one colour per regime.
pub const LOSS_SVG: &str = "sparsity-loss.svg";

/// Bins of the weight-magnitude histograms.
const HISTOGRAM_BINS: usize = 40;

/// Writes `report.json` and the three plots into `out_dir` (created if
/// missing), each file atomically, and returns their paths.
///
/// # Errors
/// [`StudyError::Io`] when the folder or the report cannot be written,
/// [`StudyError::Plot`] when a plot cannot.
pub fn write_outputs(report: &StudyReport, out_dir: &Path) -> Result<Vec<PathBuf>, StudyError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StudyError::Io { path, source }
    };
    std::fs::create_dir_all(out_dir).map_err(io_error(out_dir))?;
    let [json, weights, features, loss] =
        [REPORT_JSON, WEIGHTS_SVG, FEATURES_SVG, LOSS_SVG].map(|name| out_dir.join(name));

    let mut text = serde_json::to_string_pretty(report)
        .expect("a study report holds only finite numbers and strings");
    text.push('\n');
    write_atomically(&[(&json, text.as_bytes())]).map_err(io_error(&json))?;

    let panels = |values: &dyn Fn(usize) -> Vec<f64>| -> Vec<Panel> {
        report
            .regimes
            .iter()
            .enumerate()
            .map(|(i, r)| Panel {
                name: r.label.clone(),
                values: values(i),
            })
            .collect()
    };
    histogram(
        &weights,
        &Histogram {
            labels: Labels::new(
                "Weight magnitudes per regime (all layers; exact zeros counted in the captions)",
                "|w| (log scale)",
                "weights",
            ),
            panels: panels(&|i| report.regimes[i].weight_values.clone()),
            bins: HISTOGRAM_BINS,
        },
    )?;
    bar_chart(
        &features,
        &BarChart {
            labels: Labels::new(
                "First-layer feature importance per regime",
                "input feature",
                "column norm ‖W₁[:, j]‖₂",
            ),
            panels: panels(&|i| report.regimes[i].features.column_l2.clone()),
            highlighted: report.support.clone(),
            highlight_name: "informative feature".to_owned(),
        },
    )?;
    line_chart(&loss, &loss_chart(report))?;
    Ok(vec![json, weights, features, loss])
}

/// Train (solid) and test (dashed) loss per epoch, one colour per regime,
/// on a log scale.
fn loss_chart(report: &StudyReport) -> LineChart {
    let curve = |values: &[f64]| -> Vec<(f64, f64)> {
        (1..).map(f64::from).zip(values.iter().copied()).collect()
    };
    let series = report
        .regimes
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            [
                Series::named(
                    format!("{} train", r.label),
                    curve(&r.train_curve),
                    Colour::Palette(i),
                ),
                Series::named(
                    format!("{} test", r.label),
                    curve(&r.test_curve),
                    Colour::Palette(i),
                )
                .dashed(),
            ]
        })
        .collect();
    LineChart {
        labels: Labels::new(
            "Loss per epoch (MSE of the standardized target; solid train, dashed test)",
            "epoch",
            "MSE (log scale)",
        ),
        x_scale: Scale::Linear,
        y_scale: Scale::Log10,
        series,
        markers: Vec::new(),
    }
}
