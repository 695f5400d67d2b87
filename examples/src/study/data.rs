//! The study's data: a synthetic task, split into train and test and
//! standardized with the training part's statistics.

use ndarray::{Array2, Axis};
use rand::Rng;
use sparsegrad::nn::data::{Dataset, Standardizer, Targets, train_test_split};

use super::StudyError;
use super::config::{DatasetKind, StudyConfig};
use crate::synthetic::{self, Friedman1Config, SparseRegressionConfig, Synthetic};

/// Train and test sets ready for training, and the truth to score against.
pub struct StudyData {
    /// The training samples, standardized, in f32.
    pub train: Dataset<f32>,
    /// The test samples, standardized with the training statistics, in f32.
    pub test: Dataset<f32>,
    /// The indices of the informative features, sorted.
    pub support: Vec<usize>,
    /// What the data set is, with its parameters.
    pub description: String,
}

/// Generates `config`'s task from `rng`, splits it, and standardizes both
/// the features and the target (x ← (x − μ)/σ with the training part's μ
/// and σ). A standardized target makes the losses fractions of the
/// target's variance (1 − R² on the training part), comparable across
/// data sets, and lets one learning rate and one λ serve them all.
///
/// # Errors
/// [`StudyError::Data`] when the generator refuses the configuration.
pub fn prepare(config: &StudyConfig, rng: &mut impl Rng) -> Result<StudyData, StudyError> {
    let sparse = SparseRegressionConfig {
        n_samples: config.n_samples,
        n_features: config.n_features,
        n_informative: config.n_informative,
        noise_std: config.noise_std,
        correlation: 0.0,
    };
    let generated = match config.dataset {
        DatasetKind::SparseNonlinear => sparse.generate_nonlinear(rng)?.data,
        DatasetKind::SparseLinear => sparse.generate_linear(rng)?.data,
        DatasetKind::Friedman => Friedman1Config {
            n_samples: config.n_samples,
            n_features: config.n_features,
            noise_std: config.noise_std,
        }
        .generate(rng)?,
    };
    let Synthetic {
        features,
        targets,
        support,
        feature_names,
        description,
    } = generated;
    let synthetic::Targets::Values(values) = targets else {
        unreachable!("the study's generators are all regressions")
    };
    let support = support.expect("the study's generators all know their support");
    let values = values.insert_axis(Axis(1));

    let split = train_test_split(features.nrows(), config.test_fraction, rng);
    let part = |array: &Array2<f64>, rows: &[usize]| array.select(Axis(0), rows);
    let (mut x_train, mut x_test) = (part(&features, &split.train), part(&features, &split.test));
    let (mut y_train, mut y_test) = (part(&values, &split.train), part(&values, &split.test));
    for (train, test) in [(&mut x_train, &mut x_test), (&mut y_train, &mut y_test)] {
        let scaler = Standardizer::fit(train.view());
        scaler.apply(train.view_mut());
        scaler.apply(test.view_mut());
    }
    let dataset = |x: Array2<f64>, y: Array2<f64>| {
        Dataset::new(x, Targets::Regression(y), feature_names.clone(), "y".into()).cast::<f32>()
    };
    Ok(StudyData {
        train: dataset(x_train, y_train),
        test: dataset(x_test, y_test),
        support,
        description,
    })
}
