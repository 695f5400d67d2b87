//! A two-class task whose informative features are known: the sparse
//! nonlinear regression function, thresholded at its median.

use rand::Rng;

use super::{ConfigError, SparseRegressionConfig, Synthetic, Targets};

impl SparseRegressionConfig {
    /// Sparse nonlinear classification: label = 1[f(x) + σ·ε > m], with f
    /// the [`NonlinearTarget`](super::NonlinearTarget) of
    /// [`generate_nonlinear`](Self::generate_nonlinear) (drawn from the
    /// same RNG stream, so the same seed gives the same features and
    /// support) and m the median of the noisy values, which makes the
    /// classes balanced (⌈n/2⌉ zeros). σ blurs the boundary: with σ = 0 the
    /// classes are separable by a function of the support alone.
    ///
    /// # Errors
    /// As [`generate_nonlinear`](Self::generate_nonlinear).
    ///
    /// ```
    /// use rand::{SeedableRng, rngs::StdRng};
    /// use sparsegrad_examples::synthetic::{SparseRegressionConfig, Targets};
    /// let config = SparseRegressionConfig { n_samples: 101, n_features: 6, n_informative: 2, ..Default::default() };
    /// let data = config.generate_classification(&mut StdRng::seed_from_u64(1)).unwrap();
    /// let Targets::Classification(labels) = &data.targets else { unreachable!() };
    /// assert_eq!((data.targets.num_classes(), labels.iter().filter(|&&l| l == 1).count()), (Some(2), 50));
    /// ```
    pub fn generate_classification<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<Synthetic, ConfigError> {
        let regression = self.generate_nonlinear(rng)?.data;
        let Targets::Regression(values) = &regression.targets else {
            unreachable!("generate_nonlinear gives values")
        };
        let mut sorted: Vec<f64> = values.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[(sorted.len() - 1) / 2];
        let labels = values.iter().map(|&v| usize::from(v > median)).collect();
        Ok(Synthetic {
            targets: Targets::Classification(labels),
            description: regression.description.replace(
                "sparse nonlinear regression",
                "sparse nonlinear classification (the regression thresholded at its median)",
            ),
            ..regression
        })
    }
}
