//! Tests of the planar classification generators: class balance, geometry
//! of the noise-free points, padding, shuffling and determinism.

use ndarray::{Array2, Axis, s};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad_examples::synthetic::{BlobsConfig, MoonsConfig, SpiralsConfig, Synthetic, Targets};
use std::f64::consts::PI;

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// The labels and the number of classes (the largest label + 1).
fn labels(data: &Synthetic) -> (&[usize], usize) {
    match &data.targets {
        Targets::Classification(labels) => (labels, data.targets.num_classes().unwrap()),
        Targets::Regression(_) => panic!("expected class labels"),
    }
}

fn class_counts(data: &Synthetic) -> Vec<usize> {
    let (labels, n_classes) = labels(data);
    let mut counts = vec![0; n_classes];
    for &c in labels {
        counts[c] += 1;
    }
    counts
}

/// The rows of the two informative columns, with their labels.
fn points(data: &Synthetic) -> impl Iterator<Item = (f64, f64, usize)> + '_ {
    data.features
        .rows()
        .into_iter()
        .zip(labels(data).0)
        .map(|(row, &c)| (row[0], row[1], c))
}

#[test]
fn classes_are_balanced_to_within_one_sample() {
    let moons = MoonsConfig {
        n_samples: 201,
        ..Default::default()
    };
    assert_eq!(
        class_counts(&moons.generate(&mut rng(1)).unwrap()),
        [101, 100]
    );

    let blobs = BlobsConfig {
        n_samples: 300,
        centers: 3,
        ..Default::default()
    };
    assert_eq!(
        class_counts(&blobs.generate(&mut rng(1)).unwrap()),
        [100, 100, 100]
    );

    let spirals = SpiralsConfig {
        n_samples: 402,
        arms: 4,
        ..Default::default()
    };
    assert_eq!(
        class_counts(&spirals.generate(&mut rng(1)).unwrap()),
        [101, 101, 100, 100]
    );
}

#[test]
fn noise_free_moons_lie_on_their_half_circles() {
    let data = MoonsConfig {
        n_samples: 100,
        noise_std: 0.0,
        extra_features: 0,
    }
    .generate(&mut rng(2))
    .unwrap();
    assert_eq!(data.features.dim(), (100, 2));
    for (x, y, class) in points(&data) {
        // Class 0: the upper unit half circle around (0, 0); class 1: the
        // lower one around (1, 0.5).
        let (cx, cy, side) = if class == 0 {
            (0.0, 0.0, 1.0)
        } else {
            (1.0, 0.5, -1.0)
        };
        let radius = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
        assert!((radius - 1.0).abs() < 1e-12, "class {class}: ({x}, {y})");
        assert!(
            side * (y - cy) >= -1e-12,
            "class {class}: ({x}, {y}) on the wrong half"
        );
    }
    // The end points t = 0 and t = π are included.
    let has =
        |px: f64, py: f64| points(&data).any(|(x, y, _)| (x - px).abs() + (y - py).abs() < 1e-12);
    assert!(has(1.0, 0.0) && has(-1.0, 0.0) && has(0.0, 0.5) && has(2.0, 0.5));
}

#[test]
fn noise_free_spiral_points_have_the_documented_radius_and_angle() {
    let config = SpiralsConfig {
        n_samples: 90,
        arms: 3,
        turns: 1.5,
        noise_std: 0.0,
        extra_features: 0,
    };
    let data = config.generate(&mut rng(3)).unwrap();
    let mut radii_per_arm = vec![Vec::new(); 3];
    for (x, y, arm) in points(&data) {
        let r = x.hypot(y);
        // θ = 2π (turns·r + arm/K), compared modulo 2π.
        let expected = 2.0 * PI * (1.5 * r + arm as f64 / 3.0);
        let gap = (y.atan2(x) - expected).rem_euclid(2.0 * PI);
        assert!(gap < 1e-9 || 2.0 * PI - gap < 1e-9, "arm {arm}: ({x}, {y})");
        radii_per_arm[arm].push(r);
    }
    // Each arm of 30 points has radii 1/30, 2/30, …, 1.
    for radii in &mut radii_per_arm {
        radii.sort_by(f64::total_cmp);
        for (i, r) in radii.iter().enumerate() {
            assert!((r - (i + 1) as f64 / 30.0).abs() < 1e-12);
        }
    }
}

#[test]
fn blobs_scatter_around_centres_on_a_circle() {
    let data = BlobsConfig {
        n_samples: 600,
        centers: 4,
        std: 0.5,
        radius: 3.0,
        extra_features: 0,
    }
    .generate(&mut rng(4))
    .unwrap();
    let mut sums = vec![(0.0, 0.0, 0usize); 4];
    for (x, y, c) in points(&data) {
        sums[c].0 += x;
        sums[c].1 += y;
        sums[c].2 += 1;
    }
    // 150 points per blob: the mean of a coordinate has standard error
    // 0.5/√150 ≈ 0.04; 0.2 is 5 standard errors.
    for (c, (sx, sy, m)) in sums.into_iter().enumerate() {
        let angle = 2.0 * PI * c as f64 / 4.0;
        let (ex, ey) = (3.0 * angle.cos(), 3.0 * angle.sin());
        let (mx, my) = (sx / m as f64, sy / m as f64);
        assert!(
            (mx - ex).abs() < 0.2 && (my - ey).abs() < 0.2,
            "blob {c}: mean ({mx}, {my}) vs ({ex}, {ey})"
        );
    }
}

#[test]
fn padding_columns_are_standard_normal_noise_unrelated_to_the_class() {
    let data = MoonsConfig {
        n_samples: 2000,
        noise_std: 0.1,
        extra_features: 3,
    }
    .generate(&mut rng(5))
    .unwrap();
    assert_eq!(data.features.dim(), (2000, 5));
    assert_eq!(data.support, Some(vec![0, 1]));
    assert_eq!(data.feature_names, ["x0", "x1", "x2", "x3", "x4"]);
    let padding = data.features.slice(s![.., 2..]);
    // Mean: standard error 1/√2000 ≈ 0.022; variance: √(2/2000) ≈ 0.032.
    for column in padding.columns() {
        assert!(column.mean().unwrap().abs() < 0.1);
        assert!((column.var(1.0) - 1.0).abs() < 0.15);
    }
    // Within each class (1000 points) the padding still has mean ≈ 0
    // (standard error ≈ 0.032), while the informative x1 differs by class.
    let (labels, _) = labels(&data);
    let x1_means: Vec<f64> = (0..2)
        .map(|class| {
            let rows: Vec<usize> = (0..2000).filter(|&r| labels[r] == class).collect();
            let class_features: Array2<f64> = data.features.select(Axis(0), &rows);
            let padding_means = class_features
                .slice(s![.., 2..])
                .mean_axis(Axis(0))
                .unwrap();
            assert!(
                padding_means.iter().all(|m| m.abs() < 0.15),
                "class {class}: {padding_means}"
            );
            class_features.column(1).mean().unwrap()
        })
        .collect();
    // Mean of x1: 2/π ≈ 0.64 for the upper moon, 0.5 − 2/π ≈ −0.14 for the lower.
    assert!(x1_means[0] - x1_means[1] > 0.5, "{x1_means:?}");
}

#[test]
fn rows_are_shuffled_not_grouped_by_class() {
    let data = BlobsConfig::default().generate(&mut rng(6)).unwrap();
    let (labels, _) = labels(&data);
    assert!(!labels.is_sorted(), "labels come out grouped by class");
    // Rows stay attached to their labels: every point is nearer its own
    // centre than to the others for well separated blobs.
    let separated = BlobsConfig {
        std: 0.1,
        ..Default::default()
    }
    .generate(&mut rng(6))
    .unwrap();
    for (x, y, c) in points(&separated) {
        let nearest = (0..3)
            .min_by(|&a, &b| {
                let distance = |k: usize| {
                    let angle = 2.0 * PI * k as f64 / 3.0;
                    (x - 4.0 * angle.cos()).hypot(y - 4.0 * angle.sin())
                };
                distance(a).total_cmp(&distance(b))
            })
            .unwrap();
        assert_eq!(nearest, c);
    }
}

#[test]
fn classification_generators_are_deterministic_in_the_seed() {
    let draws: [fn(&mut StdRng) -> Synthetic; 3] = [
        |r| {
            MoonsConfig {
                extra_features: 2,
                ..Default::default()
            }
            .generate(r)
            .unwrap()
        },
        |r| SpiralsConfig::default().generate(r).unwrap(),
        |r| BlobsConfig::default().generate(r).unwrap(),
    ];
    for draw in draws {
        let a = draw(&mut rng(7));
        let b = draw(&mut rng(7));
        let c = draw(&mut rng(8));
        let bits = |d: &Synthetic| d.features.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b));
        assert_eq!(a.targets, b.targets);
        assert_ne!(bits(&a), bits(&c));
    }
}

#[test]
fn impossible_classification_configurations_are_errors() {
    let one_sample = MoonsConfig {
        n_samples: 1,
        ..Default::default()
    };
    assert_eq!(
        one_sample.generate(&mut rng(0)).unwrap_err().generator,
        "moons"
    );
    let one_arm = SpiralsConfig {
        arms: 1,
        ..Default::default()
    };
    assert_eq!(
        one_arm.generate(&mut rng(0)).unwrap_err().generator,
        "spirals"
    );
    let nan_std = BlobsConfig {
        std: f64::NAN,
        ..Default::default()
    };
    assert_eq!(
        nan_std.generate(&mut rng(0)).unwrap_err().generator,
        "blobs"
    );
}

#[test]
fn a_generated_set_converts_to_the_library_dataset_unchanged() {
    use sparsegrad::nn::data;
    let blobs = BlobsConfig::default().generate(&mut rng(3)).unwrap();
    let converted = blobs.clone().into_dataset();
    assert_eq!(converted.features(), &blobs.features);
    assert_eq!(converted.feature_names(), blobs.feature_names.as_slice());
    assert_eq!(converted.target_name(), "y");
    assert_eq!(converted.targets(), &blobs.targets);
    assert_eq!(converted.targets().task(), data::Task::Classification);

    let config = sparsegrad_examples::synthetic::SparseRegressionConfig::default();
    let linear = config.generate_linear(&mut rng(3)).unwrap().data;
    let converted = linear.clone().into_dataset();
    let data::Targets::Regression(column) = converted.targets() else {
        panic!("expected regression")
    };
    assert_eq!(column.dim(), (linear.features.nrows(), 1));
    assert_eq!(converted.targets(), &linear.targets);
}
