//! The `path` program's work: load or generate the data, fit the path on
//! the whole (standardized) data set, cross-validate over the same grid,
//! and report, write and draw the result.

use std::path::{Path as FsPath, PathBuf};
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use sparsegrad::autograd::Shortest;
use sparsegrad::io::csv::{CsvSpec, read_csv};
use sparsegrad::io::limits::{self, RunSizes};
use sparsegrad::nn::data::{Dataset, Targets, Task, k_fold, standardize};
use sparsegrad::nn::path::{CvCurve, CvProblems, LeastSquares, MIN_GRID_EPS, Stopping, log_grid};
use sparsegrad::nn::sparsity::SupportRecovery;

use super::PathError;
use super::cv::cross_validate;
use super::fit::{FitSettings, Path, fit_mlp_path, linear_point};
use crate::cli::{JsonLayout, json_bytes, write_all_into};
use crate::plot::{
    Colour, ErrorBarChart, ErrorPoint, Labels, LineChart, Marker, Scale, Series,
    error_bar_chart_svg, line_chart_svg,
};
use crate::progress::Progress;
use crate::synthetic::SparseRegressionConfig;

/// Where the data comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum DataSource {
    /// A sparse linear regression drawn from the run's seed.
    Synthetic(SparseRegressionConfig),
    /// A CSV file (every column but the target is a feature).
    Csv {
        /// The file.
        path: PathBuf,
        /// The target column.
        target: String,
    },
}

/// Everything a run of the program needs.
#[derive(Clone, Debug, PartialEq)]
pub struct PathOptions {
    /// The data.
    pub source: DataSource,
    /// How each fit is made.
    pub settings: FitSettings,
    /// K, the number of cross-validation folds (≥ 2).
    pub folds: usize,
    /// N, the number of λ on the grid.
    pub grid: usize,
    /// The grid ends at λ_top·eps (scikit-learn's default 1e−3).
    pub eps: f64,
    /// Seeds the synthetic data, the folds and an MLP's init.
    pub seed: u64,
}

/// The λ cross-validation picked, with what the whole-data path selects there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Choice {
    /// λ.
    pub lambda: f64,
    /// Its index in the grid.
    pub index: usize,
    /// Its mean validation MSE.
    pub mean_validation_loss: f64,
    /// Its standard error.
    pub standard_error: f64,
    /// The names of the features the whole-data fit at λ keeps.
    pub selected: Vec<String>,
    /// The selection against the true support, when it is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery: Option<SupportRecovery>,
}

/// The result of a run (the program's JSON file).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathReport {
    /// What the data is.
    pub data: String,
    /// n.
    pub n_samples: usize,
    /// The feature names, one per column.
    pub feature_names: Vec<String>,
    /// The true support, for synthetic data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub true_support: Option<Vec<usize>>,
    /// How the fits were made.
    pub settings: FitSettings,
    /// K.
    pub folds: usize,
    /// The grid's ratio of smallest to largest λ.
    pub eps: f64,
    /// The largest λ of the grid.
    pub lambda_top: f64,
    /// Whether `lambda_top` is the exact λ_max (linear model with an L1
    /// part), rather than the ridge convention or an MLP's heuristic.
    pub lambda_top_is_exact: bool,
    /// A linear model's largest duality gap over every fit (whole data
    /// and folds), relative to its ‖y − ȳ‖²/n.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_relative_gap: Option<f64>,
    /// Wall-clock seconds of the paths and the cross-validation (not of
    /// reading or generating the data, nor of writing the outputs).
    pub seconds: f64,
    /// The path on the whole data set, standardized (coefficients are per
    /// standard deviation of their feature).
    pub path: Path,
    /// The cross-validation curve.
    pub cv: CvCurve,
    /// The λ with the smallest mean validation loss.
    pub best: Choice,
    /// The largest λ within one standard error of the best.
    pub one_se: Choice,
}

/// The files `path` writes in its output folder.
pub const OUTPUT_FILES: [&str; 3] = ["path.json", "path.svg", "cv.svg"];

impl PathOptions {
    /// Checks the values a user can get wrong, and the sizes against their
    /// limits.
    fn check(&self) -> Result<(), PathError> {
        let s = &self.settings;
        let synthetic = match &self.source {
            DataSource::Synthetic(config) => Some((
                "--samples × --features",
                config.n_samples,
                config.n_features,
            )),
            _ => None,
        };
        limits::check_run(&RunSizes {
            grid: ("--grid", self.grid),
            epochs: &[("--max-epochs", s.max_epochs)],
            hidden: ("--hidden", &s.hidden),
            synthetic,
        })?;
        let problems = [
            synthetic_problem(&self.source),
            (
                self.folds < 2,
                format!("--folds {} must be at least 2", self.folds),
            ),
            (self.grid == 0, "--grid must be at least 1".to_string()),
            (
                !(self.eps >= MIN_GRID_EPS && self.eps <= 1.0),
                format!(
                    "--eps {} must be in [{}, 1]",
                    Shortest(self.eps),
                    Shortest(MIN_GRID_EPS)
                ),
            ),
            l1_ratio_problem(s.penalty.l1_ratio()),
            (
                !(s.tol.is_finite() && s.tol > 0.0),
                format!("--tol {} must be positive and finite", Shortest(s.tol)),
            ),
            (
                !(s.gap_tol.is_finite() && s.gap_tol >= 0.0),
                format!(
                    "--gap-tol {} must be non-negative and finite",
                    Shortest(s.gap_tol)
                ),
            ),
            (
                s.max_epochs == 0,
                "--max-epochs must be at least 1".to_string(),
            ),
            (
                !(s.mlp_lr.is_finite() && s.mlp_lr > 0.0),
                format!("--lr {} must be positive and finite", Shortest(s.mlp_lr)),
            ),
            (
                s.hidden.contains(&0),
                "--hidden widths must be positive".to_string(),
            ),
        ];
        match problems.into_iter().find(|(bad, _)| *bad) {
            Some((_, message)) => Err(PathError::Invalid(message)),
            None => Ok(()),
        }
    }
}

/// Whether an elastic net's share of L1 is outside [0, 1] (NaN included),
/// and the message naming `--l1-ratio`. The program checks `--l1-ratio`
/// whichever `--penalty` is chosen, as `fit` checks the options of a
/// schedule it does not use.
pub fn l1_ratio_problem(ratio: f64) -> (bool, String) {
    (
        !(0.0..=1.0).contains(&ratio),
        format!("--l1-ratio {} must be in [0, 1]", Shortest(ratio)),
    )
}

/// Whether the synthetic task's options are unusable, and why, named by
/// option (the generator's own check names its fields); never for a CSV.
fn synthetic_problem(source: &DataSource) -> (bool, String) {
    let DataSource::Synthetic(task) = source else {
        return (false, String::new());
    };
    [
        (
            task.n_samples == 0,
            "--samples must be at least 1".to_string(),
        ),
        (
            task.n_features == 0,
            "--features must be at least 1".to_string(),
        ),
        (
            task.n_informative > task.n_features,
            format!(
                "--informative {} must be at most --features {}",
                task.n_informative, task.n_features
            ),
        ),
        (
            !(task.noise_std.is_finite() && task.noise_std >= 0.0),
            format!(
                "--noise {} must be non-negative and finite",
                Shortest(task.noise_std)
            ),
        ),
    ]
    .into_iter()
    .find(|(bad, _)| *bad)
    .unwrap_or_default()
}

/// Loaded data with what is known about it.
struct Loaded {
    data: Dataset<f64>,
    description: String,
    true_support: Option<Vec<usize>>,
}

/// The data, its description and its true support (if known).
fn load(source: &DataSource, rng: &mut StdRng) -> Result<Loaded, PathError> {
    match source {
        DataSource::Synthetic(config) => {
            let problem = config.generate_linear(rng)?.data;
            let (description, true_support) =
                (problem.description.clone(), problem.support.clone());
            Ok(Loaded {
                data: problem.into_dataset(),
                description,
                true_support,
            })
        }
        DataSource::Csv { path, target } => {
            let spec = CsvSpec {
                target: target.clone(),
                features: None,
                task: Task::Regression,
            };
            Ok(Loaded {
                data: read_csv(path, &spec)?,
                description: format!("{} (target {target})", path.display()),
                true_support: None,
            })
        }
    }
}

/// Runs the whole program: the path on the standardized data, then K-fold
/// cross-validation over the same grid, with bars for both on `progress`.
///
/// # Errors
/// Invalid options, unreadable data, a constant target, fewer samples than
/// folds, or a diverging fit.
pub fn run(options: &PathOptions, progress: &Progress) -> Result<PathReport, PathError> {
    options.check()?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let Loaded {
        mut data,
        description,
        true_support,
    } = load(&options.source, &mut rng)?;
    if data.len() < options.folds {
        return Err(PathError::Invalid(format!(
            "{} samples cannot make {} folds",
            data.len(),
            options.folds
        )));
    }
    let widths: Vec<usize> = std::iter::once(data.n_features())
        .chain(options.settings.hidden.iter().copied())
        .chain([1])
        .collect();
    limits::check_mlp(&widths)?;
    // the linear engine keeps sums and a problem per fold, and the whole
    // data's; an MLP's grid needs the whole data's problem only
    let grams = if options.settings.hidden.is_empty() {
        2 * options.folds + 2
    } else {
        2
    };
    limits::check_gram(data.n_features(), grams)?;
    standardize(&mut data, &mut []);
    if data.features().iter().any(|x| !x.is_finite()) {
        return Err(PathError::NotFinite(
            "a standardized feature is not a finite number (the values are too large)".into(),
        ));
    }
    let Targets::Regression(y) = data.targets() else {
        unreachable!("the path's data is a regression")
    };
    let y = y.column(0).to_owned();
    let settings = &options.settings;
    let start = Instant::now();
    let (path, cv, worst_relative_gap) = if settings.hidden.is_empty() {
        linear_path_and_cv(&data, y.view(), options, &mut rng, progress)?
    } else {
        mlp_path_and_cv(&data, y.view(), options, &mut rng, progress)?
    };
    let seconds = start.elapsed().as_secs_f64();
    let lambdas = &cv.lambdas;

    let choice = |index: usize| {
        let selected = &path.points[index].selected;
        Choice {
            lambda: lambdas[index],
            index,
            mean_validation_loss: cv.mean[index],
            standard_error: cv.standard_error[index],
            selected: selected
                .iter()
                .map(|&j| data.feature_names()[j].clone())
                .collect(),
            recovery: true_support
                .as_ref()
                .map(|truth| SupportRecovery::compare(selected, truth, data.n_features())),
        }
    };
    let (best, one_se) = (choice(cv.best), choice(cv.one_se));
    Ok(PathReport {
        data: description,
        n_samples: data.len(),
        feature_names: data.feature_names().to_vec(),
        true_support,
        settings: settings.clone(),
        folds: options.folds,
        eps: options.eps,
        lambda_top: lambdas[0],
        worst_relative_gap,
        seconds,
        lambda_top_is_exact: settings.penalty.has_exact_lambda_max() && settings.hidden.is_empty(),
        path,
        cv,
        best,
        one_se,
    })
}

/// The grid of `options` from the whole data's problem; a constant target
/// (or one no feature correlates with) has no path.
fn grid(whole: &LeastSquares, options: &PathOptions) -> Result<Vec<f64>, PathError> {
    let lambda_max = whole.lambda_max_l1();
    let top = options.settings.penalty.grid_top(whole);
    if !(lambda_max.is_finite() && top.is_finite()) {
        return Err(PathError::NotFinite(format!(
            "λ_max is {lambda_max:e}, the grid's top {top:e}: the target's values are too large for f64 arithmetic"
        )));
    }
    if lambda_max == 0.0 {
        return Err(PathError::ConstantTarget);
    }
    Ok(log_grid(top, options.eps, options.grid))
}

/// A linear model: the library's coordinate-descent engine on the whole
/// data and the folds (one bar: it is one call).
fn linear_path_and_cv(
    data: &Dataset<f64>,
    y: ndarray::ArrayView1<f64>,
    options: &PathOptions,
    rng: &mut StdRng,
    progress: &Progress,
) -> Result<(Path, CvCurve, Option<f64>), PathError> {
    let bar = progress.bar(1, "path and cross-validation", "runs");
    let splits = k_fold(data.len(), options.folds, rng);
    let problems = CvProblems::new(data.features().view(), y, &splits);
    let lambdas = grid(problems.whole(), options)?;
    let settings = &options.settings;
    let stopping = Stopping {
        tol: settings.gap_tol,
        max_sweeps: settings.max_epochs,
    };
    let fitted = problems.fit(&lambdas, settings.penalty, &stopping);
    bar.finish();
    let path = Path {
        first_layer_shape: [1, data.n_features()],
        points: fitted.path.iter().map(|f| linear_point(f, None)).collect(),
    };
    let worst_gap = fitted.worst_relative_gap();
    Ok((path, fitted.curve, Some(worst_gap)))
}

/// An MLP: warm-started proximal gradient paths through the library's
/// training loop, on the whole data and then on each fold.
fn mlp_path_and_cv(
    data: &Dataset<f64>,
    y: ndarray::ArrayView1<f64>,
    options: &PathOptions,
    rng: &mut StdRng,
    progress: &Progress,
) -> Result<(Path, CvCurve, Option<f64>), PathError> {
    let lambdas = grid(&LeastSquares::from_data(data.features().view(), y), options)?;
    let settings = &options.settings;
    let bar = progress.bar(lambdas.len() as u64, "path", "λ");
    let path = fit_mlp_path(data, &lambdas, settings, None, || bar.inc(1))?;
    bar.finish();
    let total = (lambdas.len() * options.folds) as u64;
    let bar = progress.bar(total, "cross-validation", "fits");
    let cv = cross_validate(data, &lambdas, options.folds, settings, rng, || bar.inc(1))?;
    bar.finish();
    Ok((path, cv, None))
}

/// At most this many features are drawn in colour (with a legend entry).
pub const MAX_COLOURED: usize = 10;

/// Writes `path.json`, `path.svg` (the coefficient paths) and `cv.svg` (the
/// cross-validation curve) into `out_dir`, creating it, all or nothing (both
/// plots are drawn before any file is written); returns the files.
///
/// The path plot draws the true support in colour when it is known (else
/// the features kept at the one-standard-error λ; at most
/// [`MAX_COLOURED`] of them), the other features in grey, and marks the
/// best and the one-standard-error λ.
///
/// # Errors
/// When the folder or a file cannot be written, or a plot cannot be drawn.
pub fn write_outputs(report: &PathReport, out_dir: &FsPath) -> Result<Vec<PathBuf>, PathError> {
    let [json_name, path_name, cv_name] = OUTPUT_FILES;

    let lambdas = &report.cv.lambdas;
    let markers = vec![
        Marker {
            x: report.best.lambda,
            label: format!("best λ = {:.4}", report.best.lambda),
        },
        Marker {
            x: report.one_se.lambda,
            label: format!("1-SE λ = {:.4}", report.one_se.lambda),
        },
    ];
    let highlighted: Vec<usize> = match &report.true_support {
        Some(support) => support.clone(),
        None => report.path.points[report.one_se.index].selected.clone(),
    };
    let series = (0..report.feature_names.len())
        .map(|j| {
            let points = lambdas
                .iter()
                .copied()
                .zip(report.path.feature_curve(j))
                .collect();
            match highlighted.iter().position(|&h| h == j) {
                Some(rank) if rank < MAX_COLOURED => {
                    Series::named(&report.feature_names[j], points, Colour::Palette(rank))
                }
                _ => Series::unnamed(points, Colour::Grey),
            }
        })
        .collect();
    let linear = report.settings.hidden.is_empty();
    let (title, y_label) = if linear {
        ("Regularization path", "coefficient (standardized features)")
    } else {
        (
            "Regularization path (MLP)",
            "first-layer column norm ‖W[:, j]‖₂",
        )
    };
    let path_svg = line_chart_svg(&LineChart {
        labels: Labels::new(title, "λ (log scale)", y_label),
        x_scale: Scale::Log10,
        y_scale: Scale::Linear,
        series,
        markers: markers.clone(),
    })?;
    let cv_svg = error_bar_chart_svg(&ErrorBarChart {
        labels: Labels::new(
            format!("{}-fold cross-validation", report.folds),
            "λ (log scale)",
            "validation MSE",
        ),
        x_scale: Scale::Log10,
        name: "mean ± 1 standard error over the folds".into(),
        points: (0..lambdas.len())
            .map(|i| ErrorPoint {
                x: lambdas[i],
                mean: report.cv.mean[i],
                std: report.cv.standard_error[i],
            })
            .collect(),
        markers,
    })?;
    let files = [
        (json_name, json_bytes(report, JsonLayout::Pretty)),
        (path_name, path_svg.into_bytes()),
        (cv_name, cv_svg.into_bytes()),
    ]
    .map(|(name, bytes)| (name.to_owned(), bytes));
    write_all_into(out_dir, &files).map_err(PathError::Write)
}

/// The lines the program prints: the data, the grid, the two chosen λ with
/// their selected features.
pub fn summary(report: &PathReport) -> String {
    let penalty = match report.settings.penalty.l1_ratio() {
        1.0 => "l1 (proximal)".to_string(),
        0.0 => "l2 (coupled)".to_string(),
        ratio => format!("elastic net, l1_ratio {ratio}"),
    };
    let model = if report.settings.hidden.is_empty() {
        "linear".to_string()
    } else {
        format!("MLP, hidden {:?}", report.settings.hidden)
    };
    let top = if report.lambda_top_is_exact {
        "λ_max, exact"
    } else {
        "grid top"
    };
    let lambdas = &report.cv.lambdas;
    let fits = &report.path.points;
    let unconverged = fits.iter().filter(|p| !p.converged).count();
    let mut lines = vec![
        format!(
            "data: {} ({} samples, {} features, standardized)",
            report.data,
            report.n_samples,
            report.feature_names.len()
        ),
        format!(
            "model: {model}; penalty: {penalty}; {} λ from {:.6} ({top}) to {:.6}; {}-fold CV",
            lambdas.len(),
            lambdas[0],
            lambdas[lambdas.len() - 1],
            report.folds
        ),
        match report.worst_relative_gap {
            Some(gap) => format!(
                "path: {} coordinate-descent sweeps in all, duality gap ≤ {gap:.1e}·‖y − ȳ‖²/n at every fit (tol {:e}), {unconverged} fits stopped at --max-epochs",
                fits.iter().map(|p| p.epochs).sum::<usize>(),
                report.settings.gap_tol
            ),
            None => format!(
                "path: {} epochs in all, {unconverged} fits stopped at --max-epochs",
                fits.iter().map(|p| p.epochs).sum::<usize>()
            ),
        },
    ];
    for (name, choice) in [("best λ", &report.best), ("1-SE λ", &report.one_se)] {
        lines.push(format!(
            "{name} = {:.6}: validation MSE {:.6} ± {:.6} (SE), {} features: {}",
            choice.lambda,
            choice.mean_validation_loss,
            choice.standard_error,
            choice.selected.len(),
            choice.selected.join(", ")
        ));
        if let Some(r) = &choice.recovery {
            lines.push(format!(
                "  against the true support: precision {:.3}, recall {:.3}, false positives {}, missed {}",
                r.precision, r.recall, r.false_positives, r.false_negatives
            ));
        }
    }
    if let Some(support) = &report.true_support {
        let names: Vec<&str> = support
            .iter()
            .map(|&j| report.feature_names[j].as_str())
            .collect();
        lines.push(format!("true support: {}", names.join(", ")));
    }
    lines.join("\n")
}
