//! The path of an MLP is of its first layer's column norms.

use ndarray::{Array2, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use sparsegrad::nn::data::{Dataset, Targets};
use sparsegrad_examples::path::{FitSettings, fit_mlp_path, lambda_max_l1, log_grid};

#[test]
fn an_mlp_path_records_the_first_layer_and_its_column_norms() {
    let (n, d, hidden) = (80, 5, 4);
    let mut rng = StdRng::seed_from_u64(2);
    let x = Array2::from_shape_fn((n, d), |_| StandardNormal.sample(&mut rng));
    // y depends on features 0 and 3 only
    let y = x.column(0).mapv(f64::tanh) * 2.0 - x.column(3);
    let lambdas = log_grid(lambda_max_l1(x.view(), y.view()), 1e-2, 4);
    let data = Dataset::new(
        x,
        Targets::Regression(y.insert_axis(Axis(1))),
        (0..d).map(|j| format!("x{j}")).collect(),
        "y".into(),
    );
    let settings = FitSettings {
        hidden: vec![hidden],
        max_epochs: 300,
        ..FitSettings::default()
    };
    let path = fit_mlp_path(&data, &lambdas, &settings, None, || {}).unwrap();
    assert_eq!(path.first_layer_shape, [hidden, d]);
    for point in &path.points {
        assert_eq!(point.first_layer_weight.len(), hidden * d);
        for j in 0..d {
            let norm = (0..hidden)
                .map(|k| point.first_layer_weight[k * d + j].powi(2))
                .sum::<f64>()
                .sqrt();
            assert!((point.column_l2[j] - norm).abs() <= 1e-12 * norm.max(1.0));
            let all_zero = (0..hidden).all(|k| point.first_layer_weight[k * d + j] == 0.0);
            assert_eq!(point.selected.contains(&j), !all_zero);
        }
    }
    for j in 0..d {
        let curve = path.feature_curve(j);
        let norms: Vec<f64> = path.points.iter().map(|p| p.column_l2[j]).collect();
        assert_eq!(curve, norms);
    }
    // with the weakest penalty the two true features carry the largest columns
    let last = path.points.last().unwrap();
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| last.column_l2[b].total_cmp(&last.column_l2[a]));
    let mut top_two = order[..2].to_vec();
    top_two.sort_unstable();
    assert_eq!(top_two, [0, 3], "column norms {:?}", last.column_l2);
}
