//! z-scoring of features with the training data's statistics.

use ndarray::{ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};
use sparsegrad_autograd::Float;

/// The per-feature mean μ_j and population standard deviation σ_j of the
/// training features, applied as x_ij ← (x_ij − μ_j) / σ_j.
///
/// As scikit-learn's `StandardScaler`: σ_j = √(Σ_i (x_ij − μ_j)² / n), the
/// population form (divide by n, not n − 1). Everything is computed in f64
/// whatever the element type, and serialized as f64 (the model file's
/// `standardize` object).
///
/// A constant feature (every value equal) gets σ = 1 and μ = that value
/// exactly, so it standardizes to exactly 0 (scikit-learn also sets σ = 1,
/// but keeps the rounded mean, which can leave values like 1e−17).
///
/// ```
/// use sparsegrad_nn::data::Standardizer;
/// use sparsegrad_autograd::ndarray::array;
/// let mut x = array![[1.0_f32, 5.0], [3.0, 5.0]];
/// let s = Standardizer::fit(x.view());
/// assert_eq!((s.mean(), s.std()), (&[2.0, 5.0][..], &[1.0, 1.0][..]));
/// s.apply(x.view_mut());
/// assert_eq!(x, array![[-1.0, 0.0], [1.0, 0.0]]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standardizer {
    mean: Vec<f64>,
    std: Vec<f64>,
}

/// ‖v‖₂ of `values` with each divided by the largest |v| before it is
/// squared, as BLAS's nrm2 does, so that values of 1e200 or 1e-200 give
/// their norm, not ∞ or 0: ‖v‖ = m·√Σ(v/m)², m = max|v|. An infinite value
/// gives ∞, a NaN gives NaN. Shared by σ here and the CV curve's std.
pub(crate) fn scaled_norm(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let largest = values.clone().fold(0.0_f64, |m, v| m.max(v.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return largest;
    }
    largest * values.map(|v| (v / largest).powi(2)).sum::<f64>().sqrt()
}

impl Standardizer {
    /// Fits μ and σ on n × d training features in two row-major passes
    /// (the means, then the squared deviations from them: more accurate
    /// than Σx² − nμ²), reading the rows as stored rather than striding
    /// down columns.
    ///
    /// Values beyond about 1e154 or deviations below about 1e-100, whose
    /// squares f64 cannot hold or resolve, get σ from deviations scaled by
    /// the largest, so a feature of scale 1e200 or 1e-200 gets its true σ
    /// (σ is infinite only when the deviations themselves overflow).
    ///
    /// # Panics
    /// When there are no rows.
    pub fn fit<T: Float>(features: ArrayView2<T>) -> Self {
        let n = features.nrows();
        assert!(n > 0, "Standardizer::fit: no samples to fit on");
        let first_row = features.row(0);
        let mut sum = vec![0.0; features.ncols()];
        let mut constant = vec![true; features.ncols()];
        for row in features.rows() {
            for (j, &x) in row.iter().enumerate() {
                sum[j] += x.as_f64();
                constant[j] &= x == first_row[j];
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n as f64).collect();
        let mut squared_deviations = vec![0.0; features.ncols()];
        for row in features.rows() {
            for ((&x, &m), d) in row.iter().zip(&mean).zip(&mut squared_deviations) {
                *d += (x.as_f64() - m).powi(2);
            }
        }
        // Where the squares overflowed (values beyond ~1e154) or came near
        // f64's smallest numbers (deviations below ~1e-100, whose squares
        // lose digits or vanish), σ is taken again by [`scaled_norm`] (one
        // column of a rare kind: read down the column); elsewhere the plain
        // sum is exact enough and its bits are kept.
        let rescaled: Vec<usize> = (0..features.ncols())
            .filter(|&j| !constant[j] && !(1e-200..f64::INFINITY).contains(&squared_deviations[j]))
            .collect();
        let mut std: Vec<f64> = squared_deviations
            .iter()
            .map(|d| (d / n as f64).sqrt())
            .collect();
        for &j in &rescaled {
            let deviations = features.column(j).into_iter().map(|x| x.as_f64() - mean[j]);
            std[j] = scaled_norm(deviations) / (n as f64).sqrt();
        }
        let (mean, std) = (0..features.ncols())
            .map(|j| {
                let std = std[j];
                if constant[j] {
                    (first_row[j].as_f64(), 1.0)
                } else if std >= f64::MIN_POSITIVE {
                    (mean[j], std)
                } else {
                    // Distinct values whose deviations underflow: a
                    // subnormal σ would turn ordinary values of another
                    // split into ∞.
                    (mean[j], 1.0)
                }
            })
            .unzip();
        Standardizer { mean, std }
    }

    /// The per-feature means μ.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The per-feature population standard deviations σ (1 for a constant
    /// feature).
    pub fn std(&self) -> &[f64] {
        &self.std
    }

    /// The statistics of the features `columns` only, in that order (what
    /// is left when a model drops the other features).
    ///
    /// # Panics
    /// When a column is not below the number of features.
    pub fn select(&self, columns: &[usize]) -> Self {
        Self {
            mean: columns.iter().map(|&j| self.mean[j]).collect(),
            std: columns.iter().map(|&j| self.std[j]).collect(),
        }
    }

    /// The first feature whose statistics cannot standardize (a μ that is
    /// not finite, or a σ that is not positive and finite), as
    /// (index, name of the statistic, value); `None` when all can.
    pub fn first_unusable(&self) -> Option<(usize, &'static str, f64)> {
        let bad_mean = self
            .mean
            .iter()
            .position(|m| !m.is_finite())
            .map(|j| (j, "mean", self.mean[j]));
        let bad_std = self
            .std
            .iter()
            .position(|s| !(s.is_finite() && *s > 0.0))
            .map(|j| (j, "std", self.std[j]));
        bad_mean
            .into_iter()
            .chain(bad_std)
            .min_by_key(|(j, _, _)| *j)
    }

    /// Fits μ and σ on `train` and standardizes `train` and every one of
    /// `others` with them: the held-out parts never contribute a
    /// statistic (scikit-learn's `scaler.fit_transform(train)` then
    /// `scaler.transform(other)`).
    ///
    /// # Panics
    /// As [`fit`](Standardizer::fit) and [`apply`](Standardizer::apply).
    pub fn fit_apply<'a, T: Float>(
        mut train: ArrayViewMut2<'_, T>,
        others: impl IntoIterator<Item = ArrayViewMut2<'a, T>>,
    ) -> Self {
        let standardizer = Self::fit(train.view());
        standardizer.apply(train.view_mut());
        for other in others {
            standardizer.apply(other);
        }
        standardizer
    }

    /// Standardizes `features` in place: x ← (x − μ) / σ, computed in f64
    /// and rounded once to `T`.
    ///
    /// # Panics
    /// When the number of columns is not the number of fitted features.
    pub fn apply<T: Float>(&self, mut features: ArrayViewMut2<T>) {
        assert_eq!(
            features.ncols(),
            self.mean.len(),
            "Standardizer::apply: {} feature columns, fitted on {}",
            features.ncols(),
            self.mean.len()
        );
        for mut row in features.rows_mut() {
            for ((x, &mean), &std) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *x = T::from_f64((x.as_f64() - mean) / std);
            }
        }
    }
}
