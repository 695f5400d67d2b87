//! The standardizer against statistics computed by hand.

use ndarray::array;
use sparsegrad_nn::data::Standardizer;

#[test]
fn mean_and_population_std_match_hand_computed_values() {
    // Column 0: 1, 2, 3, 4 → μ = 2.5, σ² = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
    // Column 1: 10, 10, 10, 30 → μ = 15, σ² = (25 + 25 + 25 + 225) / 4 = 75.
    let x = array![[1.0, 10.0], [2.0, 10.0], [3.0, 10.0], [4.0, 30.0]];
    let s = Standardizer::fit(x.view());
    assert_eq!(s.mean(), &[2.5, 15.0]);
    assert_eq!(s.std(), &[1.25f64.sqrt(), 75f64.sqrt()]);

    let mut z = x.clone();
    s.apply(z.view_mut());
    let r = 1.25f64.sqrt();
    let q = 75f64.sqrt();
    assert_eq!(
        z,
        array![
            [-1.5 / r, -5.0 / q],
            [-0.5 / r, -5.0 / q],
            [0.5 / r, -5.0 / q],
            [1.5 / r, 15.0 / q]
        ]
    );
}

#[test]
fn a_constant_feature_gets_std_one_and_standardizes_to_exact_zero() {
    // Σ 0.1 (ten times) / 10 is not exactly 0.1 in f64; the constant is
    // detected instead, and kept exactly.
    let x = ndarray::Array2::from_elem((10, 1), 0.1);
    let s = Standardizer::fit(x.view());
    assert_eq!((s.mean(), s.std()), (&[0.1][..], &[1.0][..]));
    let mut z = x.clone();
    s.apply(z.view_mut());
    assert!(z.iter().all(|&v| v == 0.0));
}

#[test]
fn f32_features_are_fitted_in_f64_and_rounded_once() {
    let x = array![[0.1f32], [0.2], [0.4]];
    let s = Standardizer::fit(x.view());
    let values = [0.1f32 as f64, 0.2f32 as f64, 0.4f32 as f64];
    let mean = values.iter().sum::<f64>() / 3.0;
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
    assert_eq!((s.mean(), s.std()), (&[mean][..], &[std][..]));
    let mut z = x.clone();
    s.apply(z.view_mut());
    for (zi, v) in z.iter().zip(values) {
        assert_eq!(*zi, ((v - mean) / std) as f32);
    }
}

#[test]
fn it_serializes_as_the_model_file_standardize_object() {
    let s = Standardizer::fit(array![[1.0, 0.0], [3.0, 0.0]].view());
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, r#"{"mean":[2.0,0.0],"std":[1.0,1.0]}"#);
    let back: Standardizer = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    assert!(serde_json::from_str::<Standardizer>(r#"{"mean":[1.0],"std":[1.0],"x":1}"#).is_err());
}

#[test]
#[should_panic(expected = "Standardizer::apply: 3 feature columns, fitted on 2")]
fn applying_to_the_wrong_width_is_a_programming_error() {
    let s = Standardizer::fit(array![[1.0, 0.0], [3.0, 0.0]].view());
    s.apply(ndarray::Array2::<f64>::zeros((1, 3)).view_mut());
}

/// Features of scale 1e200 and 1e-200 get their true σ: their squared
/// deviations overflow to ∞ or vanish, so σ is taken from deviations
/// scaled by the largest (before, σ was ∞, or 1 for a "constant" feature,
/// and path and sparsity silently dropped the feature).
#[test]
fn a_feature_far_from_unit_scale_gets_its_true_std() {
    for scale in [1e200, 1e-200, 1e300, 1e-300] {
        let x = array![[1.0 * scale, 1.0], [3.0 * scale, 3.0], [5.0 * scale, 2.0]];
        let s = Standardizer::fit(x.view());
        // by hand: mean 3·scale, deviations ∓2·scale, 0: σ = scale·√(8/3)
        let want = scale * (8.0f64 / 3.0).sqrt();
        assert!(
            (s.std()[0] - want).abs() <= 4.0 * f64::EPSILON * want,
            "scale {scale:e}: σ {:e}, by hand {want:e}",
            s.std()[0]
        );
        assert!((s.mean()[0] - 3.0 * scale).abs() <= 4.0 * f64::EPSILON * 3.0 * scale);
        // the unit-scale column keeps the plain formula's bits
        assert_eq!(s.std()[1], (2.0f64 / 3.0).sqrt());
        let mut z = x.clone();
        s.apply(z.view_mut());
        assert!(
            (z[[0, 0]] + 2.0 / (8.0f64 / 3.0).sqrt()).abs() < 1e-14,
            "{z}"
        );
    }
}

#[test]
fn distinct_values_whose_deviations_underflow_get_std_one() {
    let tiny = f64::from_bits(1); // the smallest subnormal: its square is 0
    let s = Standardizer::fit(array![[0.0], [tiny]].view());
    assert_eq!(s.mean(), &[(0.0 + tiny) / 2.0]);
    assert_eq!(s.std(), &[1.0]);
}
