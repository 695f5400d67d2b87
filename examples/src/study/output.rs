//! The files of a study: `report.json` and the SVG plots, under stable
//! names in one folder.

use std::path::{Path, PathBuf};

use super::grid::shares;
use super::regime::Regime;
use super::table::significant;
use super::{RegimeReport, StudyError, StudyReport};
use ndarray::Array2;

use crate::cli::{JsonLayout, json_bytes, write_all_into};
use crate::plot::{
    BarChart, Colour, ErrorBarChart, ErrorPoint, Histogram, Labels, LineChart, Marker, Network,
    Panel, Scale, Series, bar_chart_svg, error_bar_chart_svg, histogram_svg, line_chart_svg,
};

/// The JSON report.
pub const REPORT_JSON: &str = "report.json";
/// Test loss against the exact-zero fraction, one curve per regime.
pub const TRADEOFF_ZEROS_SVG: &str = "tradeoff-zeros.svg";
/// Test loss against the parameters after compaction, one curve per regime.
pub const TRADEOFF_PARAMS_SVG: &str = "tradeoff-params.svg";
/// Histograms of the weight magnitudes at the chosen λ, with the zeros.
pub const WEIGHTS_SVG: &str = "weights.svg";
/// First-layer column norms per input feature at the chosen λ.
pub const FEATURES_SVG: &str = "features.svg";

/// The files of every study under fixed names (each regime's CV curve
/// comes on top, as `cv-<regime>.svg`: [`output_files`] lists them all).
pub const OUTPUT_FILES: [&str; 5] = [
    REPORT_JSON,
    TRADEOFF_ZEROS_SVG,
    TRADEOFF_PARAMS_SVG,
    WEIGHTS_SVG,
    FEATURES_SVG,
];

/// Bins of the weight-magnitude histograms.
const HISTOGRAM_BINS: usize = 40;

/// Every file a study of `regimes` writes into its out-dir: the fixed
/// ones, each penalized regime's CV curve and each regime's network, for
/// the programs' up-front check that no output is an input.
pub fn output_files(regimes: &[Regime]) -> Vec<String> {
    let cv = regimes
        .iter()
        .filter(|&&r| shares(r).is_some())
        .map(|&r| cv_file_name(r));
    let networks = regimes.iter().map(|&r| network_file_name(r));
    OUTPUT_FILES
        .iter()
        .map(|&n| n.to_owned())
        .chain(cv)
        .chain(networks)
        .collect()
}

/// The file of `regime`'s CV curve: `cv-<regime>.svg`.
pub fn cv_file_name(regime: Regime) -> String {
    format!("cv-{}.svg", slug(regime))
}

/// The drawing of `regime`'s network at its chosen λ: `network-<regime>.svg`.
pub fn network_file_name(regime: Regime) -> String {
    format!("network-{}.svg", slug(regime))
}

/// The name `regime` has in report.json.
fn slug(regime: Regime) -> String {
    serde_json::to_value(regime)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .expect("a regime serializes to its name")
}

/// The refit of `regime` at its chosen λ as a [`Network`] drawing: its
/// linear layers' weights (`[out, in]`, from the kept parameters in
/// `named_parameters` order, weight then bias per layer).
fn chosen_network(report: &StudyReport, regime: &RegimeReport) -> Network {
    let sizes = &report.header.layer_sizes;
    let weights = sizes
        .windows(2)
        .zip(regime.chosen_parameters.iter().step_by(2))
        .map(|(io, values)| {
            Array2::from_shape_fn((io[1], io[0]), |(o, i)| f64::from(values[o * io[0] + i]))
        })
        .collect();
    Network {
        inputs: report.header.feature_names.clone(),
        weights,
    }
}

/// Writes `report.json` and the plots into `out_dir` (created if missing),
/// all or nothing: every file is drawn first, then all are written
/// together, so a plot that cannot be drawn leaves the folder as it was.
/// Returns their paths.
///
/// # Errors
/// [`StudyError::Plot`] when a plot cannot be drawn, [`StudyError::Write`]
/// when the folder or a file cannot be written.
pub fn write_outputs(report: &StudyReport, out_dir: &Path) -> Result<Vec<PathBuf>, StudyError> {
    let mut files = vec![(
        REPORT_JSON.to_owned(),
        json_bytes(report, JsonLayout::Pretty),
    )];

    let loss_name = match report.header.task {
        sparsegrad::nn::data::Task::Regression => "test MSE (standardized target)",
        sparsegrad::nn::data::Task::Classification => "test cross-entropy",
    };
    for (name, x_label, x_scale, x) in [
        (
            TRADEOFF_ZEROS_SVG,
            "exact-zero fraction of the weights",
            Scale::Linear,
            (|p: &super::CurvePoint| p.exact_zero_fraction) as fn(&super::CurvePoint) -> f64,
        ),
        (
            TRADEOFF_PARAMS_SVG,
            "parameters after compaction (log scale)",
            Scale::Log10,
            |p: &super::CurvePoint| p.params_after_compaction.max(1) as f64,
        ),
    ] {
        let svg = line_chart_svg(&tradeoff(report, loss_name, x_label, x_scale, x))?;
        files.push((name.to_owned(), svg.into_bytes()));
    }

    for regime in report.regimes.iter().filter(|r| r.curve.len() > 1) {
        let svg = error_bar_chart_svg(&cv_chart(report, regime))?;
        files.push((cv_file_name(regime.regime), svg.into_bytes()));
    }
    for regime in &report.regimes {
        let svg = chosen_network(report, regime).to_svg();
        files.push((network_file_name(regime.regime), svg.into_bytes()));
    }

    let panels = |values: &dyn Fn(&RegimeReport) -> Vec<f64>| -> Vec<Panel> {
        report
            .regimes
            .iter()
            .map(|r| Panel {
                name: format!("{} (λ = {})", r.label, significant(r.chosen)),
                values: values(r),
            })
            .collect()
    };
    let weights = histogram_svg(&Histogram {
        labels: Labels::new(
            "Weight magnitudes at each regime's chosen λ (all layers)",
            "|w| (log scale)",
            "weights",
        ),
        panels: panels(&|r| weight_values(r)),
        bins: HISTOGRAM_BINS,
    })?;
    files.push((WEIGHTS_SVG.to_owned(), weights.into_bytes()));
    let n_features = report.header.feature_names.len();
    let features = bar_chart_svg(&BarChart {
        labels: Labels::new(
            "First-layer feature importance at each regime's chosen λ",
            "input feature",
            "column norm ‖W₁[:, j]‖₂",
        ),
        panels: panels(&|r| column_norms(r, n_features)),
        highlighted: report.header.support.clone().unwrap_or_default(),
        highlight_name: "informative feature".to_owned(),
    })?;
    files.push((FEATURES_SVG.to_owned(), features.into_bytes()));
    write_all_into(out_dir, &files).map_err(StudyError::Write)
}

/// Test loss against `x` of each refit along its grid, one coloured curve
/// per penalized regime with its chosen point ringed; the unpenalized
/// regime's single point as a ringed dot.
fn tradeoff(
    report: &StudyReport,
    loss_name: &str,
    x_label: &str,
    x_scale: Scale,
    x: fn(&super::CurvePoint) -> f64,
) -> LineChart {
    let series = report
        .regimes
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let points = r.curve.iter().map(|p| (x(p), p.test_loss)).collect();
            Series::named(&r.label, points, Colour::Palette(i))
                .with_dots()
                .highlighting(r.chosen_index())
        })
        .collect();
    LineChart {
        labels: Labels::new(
            format!(
                "Trade-off along each regime's λ grid (ringed: the {} λ)",
                select_name(report)
            ),
            x_label,
            loss_name,
        ),
        x_scale,
        y_scale: Scale::Linear,
        series,
        markers: Vec::new(),
    }
}

/// "1-SE" or "best".
fn select_name(report: &StudyReport) -> &'static str {
    match report.header.config.select {
        super::Selection::Best => "best",
        super::Selection::OneSe => "1-SE",
    }
}

/// The CV curve of `regime`: mean ± one standard error per λ, with the
/// best and the 1-SE λ marked.
fn cv_chart(report: &StudyReport, regime: &RegimeReport) -> ErrorBarChart {
    ErrorBarChart {
        labels: Labels::new(
            format!(
                "{}: {}-fold cross-validation",
                regime.label, report.header.config.folds
            ),
            "λ (log scale)",
            "validation loss",
        ),
        x_scale: Scale::Log10,
        name: "mean ± 1 standard error over the folds".into(),
        points: regime
            .curve
            .iter()
            .map(|p| ErrorPoint {
                x: p.lambda,
                mean: p.cv_mean,
                std: p.cv_se,
            })
            .collect(),
        markers: vec![
            Marker {
                x: regime.lambda_best,
                label: format!("best λ = {}", significant(regime.lambda_best)),
            },
            Marker {
                x: regime.lambda_1se,
                label: format!("1-SE λ = {}", significant(regime.lambda_1se)),
            },
        ],
    }
}

/// Every weight (not bias) of the chosen refit, layer after layer: the
/// even-indexed parameters, as every linear layer has a weight then a bias.
fn weight_values(regime: &RegimeReport) -> Vec<f64> {
    regime
        .chosen_parameters
        .iter()
        .step_by(2)
        .flatten()
        .map(|&w| f64::from(w))
        .collect()
}

/// ‖W₁[:, j]‖₂ per input feature of the chosen refit (W₁ is row-major
/// [hidden, features]).
fn column_norms(regime: &RegimeReport, n_features: usize) -> Vec<f64> {
    let first = regime
        .chosen_parameters
        .first()
        .map_or(&[][..], Vec::as_slice);
    (0..n_features)
        .map(|j| {
            first
                .iter()
                .skip(j)
                .step_by(n_features)
                .map(|&w| f64::from(w).powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .collect()
}
