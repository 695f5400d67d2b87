//! The playground's data: five seeded 2-D tasks or an uploaded CSV file,
//! padded with useless noise columns and split into train and test sets.
//!
//! Every generated task lives in about [−2, 2]², so the page's input plane
//! is the same for all of them. Noise columns are i.i.d. N(0, 1), the same
//! for every task, so that a penalty that selects features has something
//! to remove.

use ndarray::{Array2, Axis, concatenate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use serde::Deserialize;
use sparsegrad::nn::data::{Dataset, Targets, Task, train_test_split};
use thiserror::Error;

use super::config::{Config, MAX_SAMPLES, TaskKind};
use crate::synthetic::{BlobsConfig, SpiralsConfig};

/// A task's two informative columns with their targets, before padding.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaneData {
    /// n × 2 inputs.
    pub points: Array2<f64>,
    /// One target per point: class labels 0/1, or real values.
    pub targets: Targets<f64>,
}

/// The data of a run: the two sets, the names of their columns, and the
/// part of the plane the page draws.
#[derive(Clone, Debug)]
pub struct RunData {
    /// The samples the optimizer sees.
    pub train: Dataset<f64>,
    /// The samples held out for the test loss.
    pub test: Dataset<f64>,
    /// `[low, high]` of both plane coordinates, covering every point.
    pub extent: [f64; 2],
}

/// An uploaded file, as the page sends it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// The file's text: a header, then rows of `x0,x1,target`.
    pub csv: String,
    /// Whether the target is a class label (0 or 1) or a real value.
    pub task: Task,
}

/// Why an uploaded file cannot be used.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum UploadError {
    /// The CSV syntax is broken.
    #[error("line {line}: {message}")]
    Syntax {
        /// 1-based line, the header being line 1.
        line: u64,
        /// What the csv reader said.
        message: String,
    },
    /// The header does not name three columns.
    #[error("the header must name 3 columns (two features, then the target), it names {0}")]
    Columns(usize),
    /// A cell that is not a finite number, or a label that is not 0 or 1.
    #[error("line {line}, column {column}: {problem}")]
    Cell {
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// Too few or too many rows.
    #[error("the file must have between 10 and {MAX_SAMPLES} rows, it has {0}")]
    Rows(usize),
    /// A classification file with one class only.
    #[error("a classification file needs both labels 0 and 1")]
    OneClass,
}

/// Samples of `task` (not `Upload`) with noise level `noise` ∈ [0, 1].
///
/// # Panics
/// For `TaskKind::Upload`, which has no generator.
pub fn generate(task: TaskKind, samples: usize, noise: f64, rng: &mut StdRng) -> PlaneData {
    let normal = |rng: &mut StdRng| -> f64 { StandardNormal.sample(rng) };
    let (points, targets) = match task {
        TaskKind::TwoBlobs | TaskKind::Spiral => {
            let generated = if task == TaskKind::TwoBlobs {
                BlobsConfig {
                    n_samples: samples,
                    centers: 2,
                    std: 0.15 + 0.5 * noise,
                    radius: 1.0,
                    extra_features: 0,
                }
                .generate(rng)
            } else {
                SpiralsConfig {
                    n_samples: samples,
                    arms: 2,
                    turns: 1.25,
                    noise_std: 0.2 * noise,
                    extra_features: 0,
                }
                .generate(rng)
            };
            let generated = generated.expect("the playground's generator settings are valid");
            let Targets::Classification(labels) = generated.targets else {
                unreachable!("blobs and spirals are labelled")
            };
            // Spirals reach radius 1: scaled to the common plane.
            let scale = if task == TaskKind::Spiral { 1.8 } else { 1.0 };
            (generated.features * scale, Targets::Classification(labels))
        }
        TaskKind::Circle => {
            // Class 1 inside radius 0.8, class 0 on a ring at radius 1.6.
            let mut points = Array2::zeros((samples, 2));
            let mut labels = Vec::with_capacity(samples);
            for mut row in points.rows_mut() {
                let inside = rng.random_bool(0.5);
                let radius = if inside {
                    0.8 * rng.random::<f64>().sqrt()
                } else {
                    1.3 + 0.6 * rng.random::<f64>()
                };
                let angle = rng.random::<f64>() * std::f64::consts::TAU;
                row[0] = radius * angle.cos() + 0.3 * noise * normal(rng);
                row[1] = radius * angle.sin() + 0.3 * noise * normal(rng);
                labels.push(usize::from(inside));
            }
            (points, Targets::Classification(labels))
        }
        TaskKind::Xor => {
            // Uniform on [−1.8, 1.8]², class 1 where x0·x1 > 0; the noise
            // moves the points after labelling.
            let mut points = Array2::zeros((samples, 2));
            let mut labels = Vec::with_capacity(samples);
            for mut row in points.rows_mut() {
                let (a, b) = (rng.random_range(-1.8..1.8), rng.random_range(-1.8..1.8_f64));
                labels.push(usize::from(a * b > 0.0));
                row[0] = a + 0.3 * noise * normal(rng);
                row[1] = b + 0.3 * noise * normal(rng);
            }
            (points, Targets::Classification(labels))
        }
        TaskKind::Line => {
            // y = x0 + ε, ε ~ N(0, noise²); x1 is useless.
            let mut points = Array2::zeros((samples, 2));
            let mut values = Array2::zeros((samples, 1));
            for (mut row, mut y) in points.rows_mut().into_iter().zip(values.rows_mut()) {
                row[0] = rng.random_range(-1.8..1.8);
                row[1] = rng.random_range(-1.8..1.8);
                y[0] = row[0] + noise * normal(rng);
            }
            (points, Targets::Regression(values))
        }
        TaskKind::Upload => panic!("generate: an upload has no generator"),
    };
    PlaneData { points, targets }
}

/// Reads an uploaded file: a header naming three columns, then up to
/// [`MAX_SAMPLES`] rows of two finite features and a target (a label 0 or
/// 1 for classification, any finite number for regression).
///
/// # Errors
/// See [`UploadError`].
pub fn parse_upload(upload: &Upload) -> Result<PlaneData, UploadError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(upload.csv.as_bytes());
    let syntax = |e: csv::Error| UploadError::Syntax {
        line: e.position().map_or(1, |p| p.line()),
        message: e.to_string(),
    };
    let columns = reader.headers().map_err(syntax)?.len();
    if columns != 3 {
        return Err(UploadError::Columns(columns));
    }
    let mut cells = Vec::new();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.map_err(syntax)?;
        rows += 1;
        if rows > MAX_SAMPLES {
            return Err(UploadError::Rows(rows));
        }
        let line = record.position().map_or(0, |p| p.line());
        for (column, cell) in record.iter().enumerate() {
            let value = cell
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| UploadError::Cell {
                    line,
                    column: column + 1,
                    problem: format!("{cell:?} is not a finite number"),
                })?;
            if column == 2 && upload.task == Task::Classification && value != 0.0 && value != 1.0 {
                return Err(UploadError::Cell {
                    line,
                    column: 3,
                    problem: format!("a class label must be 0 or 1, got {cell:?}"),
                });
            }
            cells.push(value);
        }
    }
    if rows < 10 {
        return Err(UploadError::Rows(rows));
    }
    let table = Array2::from_shape_vec((rows, 3), cells).expect("3 cells per row");
    let points = table.slice(ndarray::s![.., 0..2]).to_owned();
    let target = table.column(2);
    let targets = match upload.task {
        Task::Regression => Targets::Regression(target.to_owned().insert_axis(Axis(1))),
        Task::Classification => {
            let labels: Vec<usize> = target.iter().map(|&v| v as usize).collect();
            if !labels.contains(&0) || !labels.contains(&1) {
                return Err(UploadError::OneClass);
            }
            Targets::Classification(labels)
        }
    };
    Ok(PlaneData { points, targets })
}

/// The run's data: `plane` padded with `config.noise_features` N(0, 1)
/// columns (named `noise0`, …, after `x0`, `x1`), split by
/// `config.test_fraction`, all from `rng`.
pub fn prepare(plane: &PlaneData, config: &Config, rng: &mut StdRng) -> RunData {
    let n = plane.points.nrows();
    let noise =
        Array2::from_shape_simple_fn((n, config.noise_features), || StandardNormal.sample(rng));
    let features =
        concatenate(Axis(1), &[plane.points.view(), noise.view()]).expect("same number of rows");
    let names: Vec<String> = ["x0".to_string(), "x1".to_string()]
        .into_iter()
        .chain((0..config.noise_features).map(|j| format!("noise{j}")))
        .collect();
    let all = Dataset::new(features, plane.targets.clone(), names, "y".into());
    let split = train_test_split(n, config.test_fraction, rng);
    let high = plane
        .points
        .iter()
        .fold(0.0_f64, |m, &v| m.max(v.abs()))
        .max(1e-3)
        * 1.1;
    RunData {
        train: all.subset(&split.train),
        test: all.subset(&split.test),
        extent: [-high, high],
    }
}

/// The data of `config`: generated from its seed, or `upload` for
/// `TaskKind::Upload` (`None` there means nothing was uploaded yet).
pub fn run_data(config: &Config, upload: Option<&PlaneData>) -> Result<RunData, UploadError> {
    let mut rng = StdRng::seed_from_u64(config.seed);
    let plane = match (config.task, upload) {
        (TaskKind::Upload, Some(plane)) => plane.clone(),
        (TaskKind::Upload, None) => return Err(UploadError::Rows(0)),
        (task, _) => generate(task, config.samples, config.noise, &mut rng),
    };
    Ok(prepare(&plane, config, &mut rng))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(plane: &PlaneData) -> &[usize] {
        match &plane.targets {
            Targets::Classification(labels) => labels,
            Targets::Regression(_) => panic!("a classification task"),
        }
    }

    #[test]
    fn without_noise_each_task_is_labelled_by_its_rule() {
        let mut rng = StdRng::seed_from_u64(3);
        let xor = generate(TaskKind::Xor, 200, 0.0, &mut rng);
        for (p, &label) in xor.points.rows().into_iter().zip(labels(&xor)) {
            assert_eq!(label, usize::from(p[0] * p[1] > 0.0));
        }
        let circle = generate(TaskKind::Circle, 200, 0.0, &mut rng);
        for (p, &label) in circle.points.rows().into_iter().zip(labels(&circle)) {
            let r = p[0].hypot(p[1]);
            assert_eq!(label, usize::from(r <= 0.8), "r = {r}");
            assert!(r <= 0.8 || (1.3..=1.9).contains(&r), "r = {r}");
        }
        let line = generate(TaskKind::Line, 50, 0.0, &mut rng);
        let Targets::Regression(y) = &line.targets else {
            panic!("the line is regression")
        };
        assert_eq!(y.column(0), line.points.column(0));
    }

    #[test]
    fn noise_columns_are_appended_and_the_split_follows_the_fraction() {
        let config = Config {
            task: TaskKind::TwoBlobs,
            samples: 100,
            noise_features: 3,
            test_fraction: 0.25,
            ..Config::default()
        };
        let data = run_data(&config, None).unwrap();
        assert_eq!((data.train.len(), data.test.len()), (75, 25));
        assert_eq!(
            data.train.feature_names(),
            ["x0", "x1", "noise0", "noise1", "noise2"]
        );
        // The same seed gives the same data, bit for bit.
        assert_eq!(run_data(&config, None).unwrap().train, data.train);
    }

    #[test]
    fn an_upload_is_read_or_refused_with_its_line() {
        let rows: String = (0..12)
            .map(|i| format!("{i}, {}, {}\n", -i, i % 2))
            .collect();
        let good = Upload {
            csv: format!("a,b,y\n{rows}"),
            task: Task::Classification,
        };
        let plane = parse_upload(&good).unwrap();
        assert_eq!(plane.points.row(11).to_vec(), [11.0, -11.0]);
        assert_eq!(labels(&plane)[..3], [0, 1, 0]);
        let bad_cell = Upload {
            csv: format!("a,b,y\n{rows}1,x,0\n"),
            task: Task::Regression,
        };
        assert_eq!(
            parse_upload(&bad_cell),
            Err(UploadError::Cell {
                line: 14,
                column: 2,
                problem: "\"x\" is not a finite number".into()
            })
        );
        let one_class = Upload {
            csv: format!("a,b,y\n{}", "1,2,1\n".repeat(12)),
            task: Task::Classification,
        };
        assert_eq!(parse_upload(&one_class), Err(UploadError::OneClass));
        let short = Upload {
            csv: "a,b,y\n1,2,3\n".into(),
            task: Task::Regression,
        };
        assert_eq!(parse_upload(&short), Err(UploadError::Rows(1)));
    }
}
