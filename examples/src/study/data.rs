//! The study's data: a synthetic task, a shipped real data set or a
//! user's CSV file, split into train and test; and the one place where a
//! part of it is standardized with the statistics of its training part.

use std::path::PathBuf;

use ndarray::Array2;
use rand::Rng;
use sparsegrad::io::csv::{CsvSpec, read_csv};
use sparsegrad::nn::data::{Dataset, Standardizer, Targets, Task, train_test_split};

use super::StudyError;
use super::config::{DataSource, Generator, ShippedDataset, StudyConfig};
use crate::synthetic::{Friedman1Config, SparseRegressionConfig, Synthetic};

/// Train and test sets (raw, as read or generated) and the truth to score
/// against.
pub struct StudyData {
    /// The training samples.
    pub train: Dataset<f64>,
    /// The held-out test samples.
    pub test: Dataset<f64>,
    /// The indices of the informative features, sorted, when known.
    pub support: Option<Vec<usize>>,
    /// What the data set is.
    pub description: String,
}

impl StudyData {
    /// The number of model outputs: 1 for regression, K for K classes
    /// (the largest label of either part plus one).
    pub fn n_outputs(&self) -> usize {
        match (self.train.targets(), self.test.targets()) {
            (Targets::Classification(a), Targets::Classification(b)) => {
                a.iter().chain(b).max().map_or(1, |&k| k + 1)
            }
            _ => 1,
        }
    }
}

/// The file of a shipped data set: `examples/data/<name>.csv` (read from
/// the source tree the program was built in), and its target column.
pub fn shipped_file(dataset: ShippedDataset) -> (PathBuf, &'static str, Task) {
    let (name, target, task) = match dataset {
        ShippedDataset::Diabetes => ("diabetes.csv", "progression", Task::Regression),
        ShippedDataset::BreastCancer => ("breast_cancer.csv", "benign", Task::Classification),
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    (path, target, task)
}

/// Loads or generates `config`'s data from `rng` and splits it into train
/// and test (`config.test_fraction` held out).
///
/// # Errors
/// [`StudyError::Data`] when a generator refuses the configuration,
/// [`StudyError::Csv`] when a file cannot be read (fit's rules and
/// messages), [`StudyError::Config`] when the split leaves a part with
/// fewer samples than the folds need.
pub fn prepare(config: &StudyConfig, rng: &mut impl Rng) -> Result<StudyData, StudyError> {
    let (data, support, description) = match &config.data {
        DataSource::Synthetic(task) => {
            let generated = generate(task.generator, task, rng)?;
            let support = generated.support.clone();
            let description = generated.description.clone();
            (generated.into_dataset(), support, description)
        }
        DataSource::Shipped(dataset) => {
            let (path, target, task) = shipped_file(*dataset);
            let spec = CsvSpec {
                target: target.to_owned(),
                features: None,
                task,
            };
            let description = format!("{} (target {target})", path.display());
            (read_csv(&path, &spec)?, None, description)
        }
        DataSource::Csv {
            path,
            target,
            features,
            classification,
        } => {
            let spec = CsvSpec {
                target: target.clone(),
                features: features.clone(),
                task: if *classification {
                    Task::Classification
                } else {
                    Task::Regression
                },
            };
            let description = format!("{} (target {target})", path.display());
            (read_csv(path, &spec)?, None, description)
        }
    };
    let split = train_test_split(data.len(), config.test_fraction, rng);
    if split.train.len() < config.folds || split.test.is_empty() {
        return Err(StudyError::Config(format!(
            "{} samples split into {} train and {} test samples: too few for {} folds and a test set",
            data.len(),
            split.train.len(),
            split.test.len(),
            config.folds
        )));
    }
    Ok(StudyData {
        train: data.subset(&split.train),
        test: data.subset(&split.test),
        support,
        description,
    })
}

/// Runs the generator of `task`.
fn generate(
    generator: Generator,
    task: &super::config::SyntheticTask,
    rng: &mut impl Rng,
) -> Result<Synthetic, StudyError> {
    let sparse = SparseRegressionConfig {
        n_samples: task.n_samples,
        n_features: task.n_features,
        n_informative: task.n_informative,
        noise_std: task.noise_std,
        correlation: 0.0,
    };
    Ok(match generator {
        Generator::Nonlinear => sparse.generate_nonlinear(rng)?.data,
        Generator::Linear => sparse.generate_linear(rng)?.data,
        Generator::Classification => sparse.generate_classification(rng)?,
        Generator::Friedman => Friedman1Config {
            n_samples: task.n_samples,
            n_features: task.n_features,
            noise_std: task.noise_std,
        }
        .generate(rng)?,
    })
}

/// `fit_part` and `others` standardized with `fit_part`'s statistics, in
/// f32: every feature x ← (x − μ)/σ, and a regression target too. No
/// statistic of a held-out part leaks into the fit (as a
/// `Pipeline(StandardScaler(), …)` in scikit-learn's cross-validation). A
/// standardized target makes the losses fractions of the target's
/// variance (1 − R² on the training part), comparable across data sets,
/// and lets one learning rate and one grid convention serve them all.
pub fn standardized(fit_part: &Dataset<f64>, others: &[&Dataset<f64>]) -> Vec<Dataset<f32>> {
    let parts: Vec<&Dataset<f64>> = std::iter::once(fit_part)
        .chain(others.iter().copied())
        .collect();
    let mut features: Vec<Array2<f64>> = parts.iter().map(|part| part.features().clone()).collect();
    let mut targets: Vec<Targets<f64>> = parts.iter().map(|part| part.targets().clone()).collect();
    let mut x = features.iter_mut().map(|x| x.view_mut());
    Standardizer::fit_apply(x.next().expect("the fit part comes first"), x);
    let mut y = targets.iter_mut().filter_map(|targets| match targets {
        Targets::Regression(y) => Some(y.view_mut()),
        Targets::Classification(_) => None,
    });
    if let Some(fit_y) = y.next() {
        Standardizer::fit_apply(fit_y, y);
    }
    parts
        .iter()
        .zip(features.into_iter().zip(targets))
        .map(|(part, (x, targets))| {
            Dataset::new(
                x,
                targets,
                part.feature_names().to_vec(),
                part.target_name().to_owned(),
            )
            .cast::<f32>()
        })
        .collect()
}
