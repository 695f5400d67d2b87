//! A linear model's data loss in covariance ("Gram") form, standardized,
//! built from sums over blocks of rows so that K folds share one pass.
//!
//! # The problem
//!
//! With features standardized on the rows a model is trained on,
//! zᵢⱼ = (xᵢⱼ − μⱼ)/σⱼ, and the intercept b unpenalized, minimizing over b
//! gives b = ȳ − z̄ᵀw = ȳ (z is centered), and the data loss is
//!
//! ```text
//! J(w) = (1/n)·‖(y − ȳ) − Zw‖² = yy − 2·qᵀw + wᵀGw,
//! G = ZᵀZ/n,   q = Zᵀ(y − ȳ)/n,   yy = ‖y − ȳ‖²/n,
//! ```
//!
//! so a solver needs only (G, q, yy): d² + d + 1 numbers, whatever n.
//!
//! # One pass for every fold
//!
//! The held-out parts of K folds partition the rows. For each part P the
//! sums of the rows shifted by a common point (the whole data's means m,
//! ȳ_all), with uᵢ = xᵢ − m and tᵢ = yᵢ − ȳ_all,
//!
//! ```text
//! n_P,  Σ u,  Σ t,  Σ u·uᵀ,  Σ u·t,  Σ t²,  and each feature's min and max,
//! ```
//!
//! add up over parts. A fold's training rows are the other parts, and the
//! centered sums follow exactly (the shift cancels):
//!
//! ```text
//! C = Σ u·uᵀ − (Σ u)(Σ u)ᵀ/n,   c_y = Σ u·t − (Σ u)(Σ t)/n,   s_yy = Σ t² − (Σ t)²/n,
//! σⱼ = √(Cⱼⱼ/n),  G = D⁻¹CD⁻¹/n,  q = D⁻¹c_y/n,  yy = s_yy/n   (D = diag σ).
//! ```
//!
//! So the K training Gram matrices and the whole data's cost one pass of
//! n·d² multiply-adds in all, not K of (K − 1)/K·n·d² each as when each
//! fold standardizes its rows and forms ZᵀZ anew. Shifting by the whole
//! data's means first keeps the subtraction of (Σu)(Σu)ᵀ/n from losing
//! digits to large means.
//!
//! As [`Standardizer`]: σ is the population
//! standard deviation, and a feature constant on the training rows (min =
//! max) gets σ = 1: its standardized column is 0, so is its row of G.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};

use crate::data::Standardizer;

/// Sums over one block of rows, shifted by a common point (see the
/// [module docs](self)).
#[derive(Clone, Debug)]
pub(crate) struct RowSums {
    n: usize,
    u: Array1<f64>,
    t: f64,
    uu: Array2<f64>,
    ut: Array1<f64>,
    tt: f64,
    min: Array1<f64>,
    max: Array1<f64>,
}

impl RowSums {
    /// The sums of `rows` of (x, y), shifted by (`x_shift`, `y_shift`);
    /// also returns the shifted rows, gathered (u = x − x_shift, row-major),
    /// for predicting on them later.
    pub(crate) fn of_rows(
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        rows: &[usize],
        x_shift: ArrayView1<f64>,
        y_shift: f64,
    ) -> (Self, Array2<f64>, Array1<f64>) {
        let d = x.ncols();
        let mut u = Array2::zeros((rows.len(), d));
        let (mut min, mut max) = (
            Array1::from_elem(d, f64::INFINITY),
            Array1::from_elem(d, f64::NEG_INFINITY),
        );
        for (mut shifted, &i) in u.rows_mut().into_iter().zip(rows) {
            for (j, (s, &v)) in shifted.iter_mut().zip(x.row(i)).enumerate() {
                *s = v - x_shift[j];
                min[j] = min[j].min(v);
                max[j] = max[j].max(v);
            }
        }
        let t: Array1<f64> = rows.iter().map(|&i| y[i] - y_shift).collect();
        let sums = RowSums {
            n: rows.len(),
            u: u.sum_axis(Axis(0)),
            t: t.sum(),
            uu: symmetric_gram(u.view()),
            ut: u.t().dot(&t),
            tt: t.dot(&t),
            min,
            max,
        };
        (sums, u, t)
    }

    /// The sums over the union of disjoint blocks.
    ///
    /// # Panics
    /// When `blocks` is empty.
    pub(crate) fn total<'a>(mut blocks: impl Iterator<Item = &'a RowSums>) -> RowSums {
        let mut total = blocks.next().expect("RowSums::total: no blocks").clone();
        for b in blocks {
            total.n += b.n;
            total.u += &b.u;
            total.t += b.t;
            total.uu += &b.uu;
            total.ut += &b.ut;
            total.tt += b.tt;
            total.min.zip_mut_with(&b.min, |m, &v| *m = m.min(v));
            total.max.zip_mut_with(&b.max, |m, &v| *m = m.max(v));
        }
        total
    }
}

/// Columns per block of [`symmetric_gram`].
const GRAM_BLOCK: usize = 128;

/// uᵀu, computed block by block on and above the diagonal only and
/// mirrored below it: for d = 1 000 that is 36 of the 64 blocks of 128, 56%
/// of the multiply-adds of the full product (the Gram matrices are most of
/// a large path's time).
fn symmetric_gram(u: ArrayView2<f64>) -> Array2<f64> {
    let d = u.ncols();
    let mut gram = Array2::zeros((d, d));
    for i0 in (0..d).step_by(GRAM_BLOCK) {
        let i1 = (i0 + GRAM_BLOCK).min(d);
        for j0 in (i0..d).step_by(GRAM_BLOCK) {
            let j1 = (j0 + GRAM_BLOCK).min(d);
            let block = u.slice(s![.., i0..i1]).t().dot(&u.slice(s![.., j0..j1]));
            if j0 != i0 {
                gram.slice_mut(s![j0..j1, i0..i1]).assign(&block.t());
            }
            gram.slice_mut(s![i0..i1, j0..j1]).assign(&block);
        }
    }
    gram
}

/// λ_max of the symmetric positive semi-definite d × d matrix that `apply`
/// multiplies by, by power iteration until the Rayleigh quotient changes
/// by less than 1e−6 relatively (at most 1 000 iterations), from the fixed
/// start vₖ = 1 + frac(k·φ) (φ the golden ratio: no structure a design is
/// likely to be orthogonal to). The quotient never exceeds λ_max.
fn largest_eigenvalue(d: usize, mut apply: impl FnMut(&Array1<f64>) -> Array1<f64>) -> f64 {
    let golden = (1.0 + 5.0_f64.sqrt()) / 2.0;
    let mut v: Array1<f64> = (0..d).map(|k| 1.0 + (k as f64 * golden).fract()).collect();
    let mut estimate = 0.0;
    for _ in 0..1000 {
        let norm = v.dot(&v).sqrt();
        if norm == 0.0 {
            break;
        }
        v /= norm;
        let next = apply(&v);
        let rayleigh = v.dot(&next);
        let converged = (rayleigh - estimate).abs() <= 1e-6 * rayleigh;
        estimate = rayleigh;
        v = next;
        if converged {
            break;
        }
    }
    estimate
}

/// [`LeastSquares::lipschitz`] of the features `x` (n × d) without forming
/// their d × d Gram matrix: each power step multiplies by G = ZᵀZ/n as
/// Zᵀ(Zv)/n (Z the features z-scored by a [`Standardizer`], which
/// standardizes as [`LeastSquares`] does: population σ, a constant column
/// 0), so memory is n·d whatever d. Equal to
/// `LeastSquares::from_data(x, y).lipschitz()` up to rounding, for any y.
///
/// # Panics
/// When `x` has no rows.
pub fn lipschitz_of_features(x: ArrayView2<f64>) -> f64 {
    let n = x.nrows();
    assert!(n > 0, "lipschitz_of_features: no rows");
    // the population σ, and 0 for a constant column, as LeastSquares
    let mut z = x.to_owned();
    Standardizer::fit(z.view()).apply(z.view_mut());
    let eigenvalue = largest_eigenvalue(x.ncols(), |v| z.t().dot(&z.dot(v)) / n as f64);
    2.0 * eigenvalue.max(1.0)
}

/// The standardized least-squares problem (G, q, yy) of the rows a model
/// is trained on, with what maps its coefficients back to the features
/// as given (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub struct LeastSquares {
    n: usize,
    gram: Array2<f64>,
    xty: Array1<f64>,
    yy: f64,
    /// μ in the shifted coordinates the sums were taken in.
    shifted_mean: Array1<f64>,
    /// The mean of the shifted targets.
    shifted_y_mean: f64,
    scale: Array1<f64>,
}

impl LeastSquares {
    /// The problem of every row of `x` (n × d) and `y` (n), standardized
    /// with their own means and standard deviations.
    ///
    /// # Panics
    /// When there are no rows or `y` has not one value per row.
    ///
    /// ```
    /// use ndarray::array;
    /// use sparsegrad_nn::path::LeastSquares;
    /// // two features, the second constant; y = 2·x₀
    /// let x = array![[0.0, 5.0], [2.0, 5.0]];
    /// let y = array![0.0, 4.0];
    /// let problem = LeastSquares::from_data(x.view(), y.view());
    /// // z₀ = (−1, 1): G₀₀ = 1, q₀ = ((−1)(−2) + 1·2)/2 = 2, yy = 4
    /// assert_eq!(problem.gram()[[0, 0]], 1.0);
    /// assert_eq!(problem.xty().to_vec(), [2.0, 0.0]);
    /// assert_eq!(problem.yy(), 4.0);
    /// assert_eq!(problem.scale().to_vec(), [1.0, 1.0]); // σ₀ = 1; constant → 1
    /// ```
    pub fn from_data(x: ArrayView2<f64>, y: ArrayView1<f64>) -> Self {
        let n = x.nrows();
        assert!(
            n > 0 && y.len() == n,
            "LeastSquares::from_data: {n} rows and {} targets",
            y.len()
        );
        let x_mean = x.mean_axis(Axis(0)).expect("n > 0");
        let y_mean = y.mean().expect("n > 0");
        let rows: Vec<usize> = (0..n).collect();
        let (sums, _, _) = RowSums::of_rows(x, y, &rows, x_mean.view(), y_mean);
        Self::from_sums(&sums)
    }

    /// The problem of the rows summed in `sums`.
    pub(crate) fn from_sums(sums: &RowSums) -> Self {
        let n = sums.n as f64;
        let d = sums.u.len();
        let shifted_mean = &sums.u / n;
        let mut gram = sums.uu.clone();
        // C = Σuuᵀ − (Σu)(Σu)ᵀ/n
        for ((i, j), g) in gram.indexed_iter_mut() {
            *g -= sums.u[i] * shifted_mean[j];
        }
        let constant: Vec<bool> = (0..d).map(|j| sums.min[j] == sums.max[j]).collect();
        let scale: Array1<f64> = (0..d)
            .map(|j| {
                let std = (gram[[j, j]].max(0.0) / n).sqrt();
                // distinct values whose deviations all underflow get 1 too
                if constant[j] || std == 0.0 { 1.0 } else { std }
            })
            .collect();
        for ((i, j), g) in gram.indexed_iter_mut() {
            *g = if constant[i] || constant[j] {
                0.0
            } else {
                *g / (scale[i] * scale[j] * n)
            };
        }
        let shifted_y_mean = sums.t / n;
        let xty: Array1<f64> = (0..d)
            .map(|j| {
                if constant[j] {
                    0.0
                } else {
                    (sums.ut[j] - sums.u[j] * shifted_y_mean) / (scale[j] * n)
                }
            })
            .collect();
        let yy = ((sums.tt - sums.t * shifted_y_mean) / n).max(0.0);
        LeastSquares {
            n: sums.n,
            gram,
            xty,
            yy,
            shifted_mean,
            shifted_y_mean,
            scale,
        }
    }

    /// n, the number of rows.
    pub fn n_samples(&self) -> usize {
        self.n
    }

    /// d, the number of features.
    pub fn n_features(&self) -> usize {
        self.xty.len()
    }

    /// G = ZᵀZ/n (d × d, symmetric; a constant feature's row and column are 0).
    pub fn gram(&self) -> &Array2<f64> {
        &self.gram
    }

    /// q = Zᵀ(y − ȳ)/n.
    pub fn xty(&self) -> &Array1<f64> {
        &self.xty
    }

    /// yy = ‖y − ȳ‖²/n, the data loss of w = 0.
    pub fn yy(&self) -> f64 {
        self.yy
    }

    /// σ per feature (1 for a constant one): a coefficient wⱼ of the
    /// standardized problem is wⱼ/σⱼ per unit of feature j.
    pub fn scale(&self) -> &Array1<f64> {
        &self.scale
    }

    /// λ_max of the lasso, 2·maxⱼ|qⱼ| = (2/n)·maxⱼ|zⱼᵀ(y − ȳ)|: the
    /// smallest λ1 at which w = 0 is optimal ([grid](super::grid) derives it).
    pub fn lambda_max_l1(&self) -> f64 {
        2.0 * super::grid::largest_magnitude(self.xty.iter().copied())
    }

    /// L = 2·max(λ_max(G), 1): the Lipschitz constant of ∇J in (w, b) for
    /// centered features (the intercept's curvature is 2), by power
    /// iteration on G until the Rayleigh quotient changes by less than
    /// 1e−6 relatively (at most 1 000 iterations), from the fixed start
    /// vₖ = 1 + frac(k·φ) (φ the golden ratio: no structure a design is
    /// likely to be orthogonal to). The quotient never exceeds λ_max(G).
    pub fn lipschitz(&self) -> f64 {
        2.0 * largest_eigenvalue(self.n_features(), |v| self.gram.dot(v)).max(1.0)
    }

    /// The predictions, minus the shift the sums were taken with, of the
    /// model with standardized coefficients `w` (columns: one model each)
    /// on rows `u` given in the same shifted coordinates:
    /// ŷ − shift = t̄ + (u − ū)·D⁻¹w.
    pub(crate) fn predict_shifted(&self, u: ArrayView2<f64>, w: ArrayView2<f64>) -> Array2<f64> {
        let per_unit = &w / &self.scale.view().insert_axis(Axis(1));
        let offsets = self.shifted_y_mean - self.shifted_mean.dot(&per_unit);
        u.dot(&per_unit) + &offsets.insert_axis(Axis(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Gram-free curvature bound is the Gram one: on correlated columns
    /// (so λ_max(G) > 1 and the bound is not the floor 2) with a constant
    /// column, and on a diagonal case by hand: two orthogonal ±1 columns
    /// give G = I, L = 2·max(1, 1) = 2; duplicating one gives λ_max = 2, L = 4.
    #[test]
    fn the_curvature_bound_without_a_gram_matrix_is_the_gram_ones() {
        let (n, d) = (53, 9);
        let x = Array2::from_shape_fn((n, d), |(i, j)| match j {
            4 => 3.5,
            _ => ((i * 7 + j * 3) % 11) as f64 + 0.5 * ((i * 5) % 7) as f64 * (j % 3) as f64,
        });
        let y = Array1::from_shape_fn(n, |i| (i % 4) as f64);
        let with_gram = LeastSquares::from_data(x.view(), y.view()).lipschitz();
        let without = lipschitz_of_features(x.view());
        assert!(with_gram > 2.0 + 1e-3, "{with_gram}");
        assert!(
            (with_gram - without).abs() <= 1e-9 * with_gram,
            "{with_gram} vs {without}"
        );
        let orthogonal = ndarray::array![[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]];
        assert!((lipschitz_of_features(orthogonal.view()) - 2.0).abs() < 1e-12);
        let twice = ndarray::array![[1.0, 1.0], [1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0]];
        assert!((lipschitz_of_features(twice.view()) - 4.0).abs() < 1e-9);
    }

    /// Over several blocks with a ragged last one, the blocked product is
    /// the full product (to rounding: the blocks' sums run in another order
    /// only across k, which is not split) and exactly symmetric off the
    /// diagonal blocks.
    #[test]
    fn the_blocked_gram_is_the_full_product() {
        let (n, d) = (37, 2 * GRAM_BLOCK + 45);
        let u = Array2::from_shape_fn((n, d), |(i, j)| ((i * 31 + j * 17) % 23) as f64 - 11.0);
        let gram = symmetric_gram(u.view());
        let full = u.t().dot(&u);
        for ((i, j), &g) in gram.indexed_iter() {
            assert!(
                (g - full[[i, j]]).abs() <= 1e-9 * (1.0 + full[[i, j]].abs()),
                "({i}, {j})"
            );
            if i / GRAM_BLOCK != j / GRAM_BLOCK {
                assert_eq!(g, gram[[j, i]]);
            }
        }
    }
}
