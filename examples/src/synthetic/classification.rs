//! Classification in the plane: two moons, spirals and Gaussian blobs.
//!
//! All three share one recipe ([`planar_classification`]): class c gets
//! ⌊n/K⌋ + [c < n mod K] points (balanced to within one), point i of class c
//! is a deterministic location plus N(0, σ²·I₂) noise, the two informative
//! columns are optionally padded with `extra_features` i.i.d. N(0, 1)
//! columns, and the rows are shuffled. The support is {0, 1}.

use super::{ConfigError, Synthetic, Targets, feature_names, require, require_noise_std};
use ndarray::{Array2, Axis};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Two interleaving half circles (the layout of
/// `sklearn.datasets.make_moons`), with t_i = π·i/(m−1) for the m points of
/// a class (t = 0 when m = 1):
///
/// - class 0: (cos t_i, sin t_i) + σ·z
/// - class 1: (1 − cos t_i, 0.5 − sin t_i) + σ·z
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoonsConfig {
    /// Number of samples n ≥ 2.
    pub n_samples: usize,
    /// Standard deviation σ of the Gaussian noise on each coordinate.
    pub noise_std: f64,
    /// Number of pure N(0, 1) noise columns appended after the two informative ones.
    pub extra_features: usize,
}

impl Default for MoonsConfig {
    /// n = 400, σ = 0.1, no extra features.
    fn default() -> Self {
        Self {
            n_samples: 400,
            noise_std: 0.1,
            extra_features: 0,
        }
    }
}

impl MoonsConfig {
    /// Draws the noise, the padding and the row order from `rng`.
    pub fn generate<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<Synthetic, ConfigError> {
        let description = format!(
            "two moons: n={}, noise_std={}, extra_features={}",
            self.n_samples, self.noise_std, self.extra_features
        );
        let location = |class: usize, i: usize, m: usize| {
            let t = if m > 1 {
                PI * i as f64 / (m - 1) as f64
            } else {
                0.0
            };
            if class == 0 {
                [t.cos(), t.sin()]
            } else {
                [1.0 - t.cos(), 0.5 - t.sin()]
            }
        };
        let shape = PlanarShape {
            generator: "moons",
            n_samples: self.n_samples,
            n_classes: 2,
            noise_std: self.noise_std,
            extra_features: self.extra_features,
        };
        planar_classification(&shape, location, description, rng)
    }
}

/// K interleaved spiral arms around the origin. Point i of the m points of
/// arm c has radius r = (i + 1)/m and angle θ = 2π·(turns·r + c/K):
///
/// x = (r·cos θ, r·sin θ) + σ·z,  label c.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpiralsConfig {
    /// Number of samples n ≥ K.
    pub n_samples: usize,
    /// Number of arms (classes) K ≥ 2.
    pub arms: usize,
    /// How many full turns each arm makes from the centre to radius 1.
    pub turns: f64,
    /// Standard deviation σ of the Gaussian noise on each coordinate.
    pub noise_std: f64,
    /// Number of pure N(0, 1) noise columns appended after the two informative ones.
    pub extra_features: usize,
}

impl Default for SpiralsConfig {
    /// n = 600, K = 3, one turn, σ = 0.02, no extra features.
    fn default() -> Self {
        Self {
            n_samples: 600,
            arms: 3,
            turns: 1.0,
            noise_std: 0.02,
            extra_features: 0,
        }
    }
}

impl SpiralsConfig {
    /// Draws the noise, the padding and the row order from `rng`.
    pub fn generate<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<Synthetic, ConfigError> {
        require(self.turns.is_finite(), "spirals", || {
            format!("turns must be finite, got {}", self.turns)
        })?;
        let description = format!(
            "spirals: n={}, arms={}, turns={}, noise_std={}, extra_features={}",
            self.n_samples, self.arms, self.turns, self.noise_std, self.extra_features
        );
        let arms = self.arms as f64;
        let location = |class: usize, i: usize, m: usize| {
            let radius = (i + 1) as f64 / m as f64;
            let angle = 2.0 * PI * (self.turns * radius + class as f64 / arms);
            [radius * angle.cos(), radius * angle.sin()]
        };
        let shape = PlanarShape {
            generator: "spirals",
            n_samples: self.n_samples,
            n_classes: self.arms,
            noise_std: self.noise_std,
            extra_features: self.extra_features,
        };
        planar_classification(&shape, location, description, rng)
    }
}

/// K isotropic Gaussian blobs with centres evenly spaced on a circle, so that
/// neighbouring centres are 2·R·sin(π/K) apart:
///
/// x = R·(cos 2πc/K, sin 2πc/K) + σ·z,  label c.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlobsConfig {
    /// Number of samples n ≥ K.
    pub n_samples: usize,
    /// Number of centres (classes) K ≥ 2.
    pub centers: usize,
    /// Standard deviation σ of each blob, per coordinate.
    pub std: f64,
    /// Radius R of the circle carrying the centres.
    pub radius: f64,
    /// Number of pure N(0, 1) noise columns appended after the two informative ones.
    pub extra_features: usize,
}

impl Default for BlobsConfig {
    /// n = 300, K = 3, σ = 1, R = 4, no extra features.
    fn default() -> Self {
        Self {
            n_samples: 300,
            centers: 3,
            std: 1.0,
            radius: 4.0,
            extra_features: 0,
        }
    }
}

impl BlobsConfig {
    /// Draws the noise, the padding and the row order from `rng`.
    pub fn generate<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<Synthetic, ConfigError> {
        require(self.radius.is_finite(), "blobs", || {
            format!("radius must be finite, got {}", self.radius)
        })?;
        let description = format!(
            "Gaussian blobs: n={}, centers={}, std={}, radius={}, extra_features={}",
            self.n_samples, self.centers, self.std, self.radius, self.extra_features
        );
        let centers = self.centers as f64;
        let location = |class: usize, _i: usize, _m: usize| {
            let angle = 2.0 * PI * class as f64 / centers;
            [self.radius * angle.cos(), self.radius * angle.sin()]
        };
        let shape = PlanarShape {
            generator: "blobs",
            n_samples: self.n_samples,
            n_classes: self.centers,
            noise_std: self.std,
            extra_features: self.extra_features,
        };
        planar_classification(&shape, location, description, rng)
    }
}

/// The sizes shared by the planar generators.
struct PlanarShape {
    generator: &'static str,
    n_samples: usize,
    n_classes: usize,
    noise_std: f64,
    extra_features: usize,
}

/// Builds a shuffled, padded planar classification set: `location(c, i, m)`
/// is the noise-free position of point i of the m points of class c.
fn planar_classification<R: Rng + ?Sized>(
    shape: &PlanarShape,
    location: impl Fn(usize, usize, usize) -> [f64; 2],
    description: String,
    rng: &mut R,
) -> Result<Synthetic, ConfigError> {
    let &PlanarShape {
        generator,
        n_samples,
        n_classes,
        noise_std,
        extra_features,
    } = shape;
    require(n_classes >= 2 && n_samples >= n_classes, generator, || {
        format!(
            "need at least 2 classes and one sample per class, got {n_classes} classes and {n_samples} samples"
        )
    })?;
    require_noise_std(generator, noise_std)?;

    let n_features = 2 + extra_features;
    let mut features = Array2::zeros((n_samples, n_features));
    let mut labels = Vec::with_capacity(n_samples);
    let mut rows = features.rows_mut().into_iter();
    for class in 0..n_classes {
        let class_size = n_samples / n_classes + usize::from(class < n_samples % n_classes);
        for i in 0..class_size {
            let mut row = rows.next().expect("class sizes sum to n_samples");
            let informative = location(class, i, class_size);
            for (x, centre) in row.iter_mut().zip(informative) {
                let z: f64 = StandardNormal.sample(rng);
                *x = centre + noise_std * z;
            }
            for x in row.iter_mut().skip(2) {
                *x = StandardNormal.sample(rng);
            }
            labels.push(class);
        }
    }

    let mut order: Vec<usize> = (0..n_samples).collect();
    order.shuffle(rng);
    Ok(Synthetic {
        features: features.select(Axis(0), &order),
        targets: Targets::Classification(order.iter().map(|&r| labels[r]).collect()),
        support: Some(vec![0, 1]),
        feature_names: feature_names(n_features),
        description,
    })
}
