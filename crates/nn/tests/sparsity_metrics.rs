//! Sparsity metrics against values counted by hand.

use ndarray::{ArrayViewD, array};
use sparsegrad_nn::sparsity::{
    FeatureSelection, NearZeros, ParameterSparsity, SparsityReport, SupportRecovery,
};

/// W (3 × 4) has 8 exact zeros (one of them −0), column 0 and column 2 all
/// zero, and one entry (1e−9) that is near zero but not zero.
fn weight() -> ndarray::Array2<f64> {
    array![
        [0.0, 3.0, 0.0, 0.5],
        [0.0, -4.0, 0.0, 0.0],
        [-0.0, 0.0, 0.0, 1e-9]
    ]
}

#[test]
fn per_parameter_counts_and_norms() {
    let w = weight();
    let p = ParameterSparsity::measure("layers.0.weight", w.view().into_dyn(), Some(1e-6));
    assert_eq!(
        (p.name.as_str(), p.numel, p.exact_zeros, p.near_zeros),
        ("layers.0.weight", 12, 8, Some(9))
    );
    assert_eq!(p.l1, 3.0 + 0.5 + 4.0 + 1e-9);
    assert_eq!(p.l2, (9.0f64 + 0.25 + 16.0).sqrt()); // 1e-18 vanishes against 25.25

    let without = ParameterSparsity::measure("w", w.view().into_dyn(), None);
    assert_eq!(without.near_zeros, None);
    let zero_tolerance = ParameterSparsity::measure("w", w.view().into_dyn(), Some(0.0));
    assert_eq!(
        zero_tolerance.near_zeros,
        Some(0),
        "|w| < 0 holds for no entry"
    );
}

#[test]
fn f32_parameters_are_accumulated_in_f64() {
    let w = weight().mapv(|x| x as f32);
    let p = ParameterSparsity::measure("w", w.view().into_dyn(), Some(1e-6));
    assert_eq!((p.exact_zeros, p.near_zeros), (8, Some(9)));
    assert_eq!(p.l1, 7.5 + f64::from(1e-9f32));
    // 0.1f32 summed in f64 keeps its f32 value exactly; in f32 it would drift.
    let tenths = ndarray::Array1::from_elem(1000, 0.1f32);
    let p = ParameterSparsity::measure("t", tenths.view().into_dyn(), None);
    let exact = f64::from(0.1f32) * 1000.0;
    assert!((p.l1 - exact).abs() < 1e-9, "{} vs {exact}", p.l1);
}

#[test]
fn totals_fractions_and_selected_features() {
    let w = weight();
    let b = array![0.0, 2.0];
    let parameters: Vec<(String, ArrayViewD<f64>)> = vec![
        ("layers.0.weight".into(), w.view().into_dyn()),
        ("layers.0.bias".into(), b.view().into_dyn()),
    ];
    let selection = FeatureSelection::from_first_layer(w.view());
    assert_eq!(selection.column_l2, [0.0, 5.0, 0.0, 0.5]);
    assert_eq!(selection.selected, [1, 3]);
    let names: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();

    let report = SparsityReport::measure(&parameters, Some(1e-6), selection.selected_names(&names));
    assert_eq!((report.total_params, report.exact_zeros), (14, 9));
    assert_eq!(report.exact_zero_fraction, 9.0 / 14.0);
    assert_eq!(
        report.near_zeros,
        Some(NearZeros {
            tolerance: 1e-6,
            count: 10,
            fraction: 10.0 / 14.0
        })
    );
    assert_eq!(report.parameters[1].l2, 2.0);
    assert_eq!(report.selected_features, ["b", "d"]);
}

#[test]
fn a_tiny_column_whose_norm_underflows_is_still_selected() {
    let w = array![[1e-200, 0.0]];
    let selection = FeatureSelection::from_first_layer(w.view());
    assert_eq!(selection.column_l2, [0.0, 0.0]);
    assert_eq!(selection.selected, [0]);
}

#[test]
fn the_report_serializes_as_the_metrics_file_sparsity_object() {
    let w = array![[0.0, 3.0], [0.0, -4.0]];
    let b = array![0.0f32, 2.0];
    let w = w.mapv(|x: f64| x as f32);
    let parameters: Vec<(String, ArrayViewD<f32>)> = vec![
        ("layers.0.weight".into(), w.view().into_dyn()),
        ("layers.0.bias".into(), b.view().into_dyn()),
    ];
    let names = ["x0".to_string(), "x1".to_string()];
    let selected = FeatureSelection::from_first_layer(w.view()).selected_names(&names);
    let report = SparsityReport::measure(&parameters, None, selected);
    let json = serde_json::to_string(&report).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"total_params":6,"exact_zeros":3,"exact_zero_fraction":0.5,"parameters":["#,
            r#"{"name":"layers.0.weight","numel":4,"exact_zeros":2,"l1":7.0,"l2":5.0},"#,
            r#"{"name":"layers.0.bias","numel":2,"exact_zeros":1,"l1":2.0,"l2":2.0}],"#,
            r#""selected_features":["x1"]}"#
        )
    );
    let back: SparsityReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn no_parameters_give_zero_fractions_not_nan() {
    let report = SparsityReport::measure::<f32>(&[], Some(0.1), Vec::new());
    assert_eq!((report.total_params, report.exact_zero_fraction), (0, 0.0));
    assert_eq!(report.near_zeros.unwrap().fraction, 0.0);
}

#[test]
fn support_recovery_against_hand_counts() {
    // S = {0, 1, 4}, T = {0, 1, 2, 3}: TP = 2, FP = 1 (4), FN = 2 (2, 3).
    let r = SupportRecovery::compare(&[0, 1, 4], &[0, 1, 2, 3], 6);
    assert_eq!(
        (r.true_positives, r.false_positives, r.false_negatives),
        (2, 1, 2)
    );
    assert_eq!((r.precision, r.recall, r.f1), (2.0 / 3.0, 0.5, 4.0 / 7.0));

    let perfect = SupportRecovery::compare(&[3, 1], &[1, 3, 3], 4);
    assert_eq!(
        (perfect.precision, perfect.recall, perfect.f1),
        (1.0, 1.0, 1.0)
    );

    let selection = FeatureSelection::from_first_layer(weight().view());
    assert_eq!(
        selection.recovery(&[1, 2]),
        SupportRecovery::compare(&[1, 3], &[1, 2], 4)
    );
}

#[test]
fn empty_sets_score_zero_as_scikit_learn_does() {
    let nothing_selected = SupportRecovery::compare(&[], &[0, 1], 3);
    assert_eq!(
        (
            nothing_selected.precision,
            nothing_selected.recall,
            nothing_selected.f1
        ),
        (0.0, 0.0, 0.0)
    );
    let no_truth = SupportRecovery::compare(&[2], &[], 3);
    assert_eq!(
        (no_truth.precision, no_truth.recall, no_truth.f1),
        (0.0, 0.0, 0.0)
    );
    assert_eq!(no_truth.false_positives, 1);
    let both_empty = SupportRecovery::compare(&[], &[], 3);
    assert_eq!(
        (both_empty.precision, both_empty.recall, both_empty.f1),
        (0.0, 0.0, 0.0)
    );
}

#[test]
#[should_panic(expected = "SupportRecovery::compare: true feature 5 is not below n_features = 4")]
fn a_true_feature_out_of_range_is_a_programming_error() {
    SupportRecovery::compare(&[0], &[5], 4);
}

#[test]
#[should_panic(expected = "near-zero tolerance -1 is not finite and ≥ 0")]
fn a_negative_tolerance_is_a_programming_error() {
    ParameterSparsity::measure("w", weight().view().into_dyn(), Some(-1.0));
}

#[test]
fn structured_sparsity_counts_groups_features_neurons_and_compacted_parameters() {
    use sparsegrad_nn::activation::Activation;
    use sparsegrad_nn::group_lasso::Groups;
    use sparsegrad_nn::linear::Linear;
    use sparsegrad_nn::mlp::{Mlp, MlpLayer};
    use sparsegrad_nn::sparsity::StructuredSparsity;
    // W₁ [2, 4]: features 1 and 3 unused. W₂ [1, 2]: neuron 1 unused.
    let layers = vec![
        MlpLayer::Linear(
            Linear::from_arrays(
                ndarray::array![[1.0, 0.0, 2.0, 0.0], [0.0, 0.0, -1.0, 0.0]],
                Some(ndarray::array![0.1, 0.2]),
            )
            .unwrap(),
        ),
        MlpLayer::Activation(Activation::Relu),
        MlpLayer::Linear(
            Linear::from_arrays(ndarray::array![[0.5, 0.0]], Some(ndarray::array![0.3])).unwrap(),
        ),
    ];
    let mlp = Mlp::<f64>::from_layers(layers).unwrap();
    // groups {0, 1}, {2}, {3}: only {3} is all 0
    let measured = StructuredSparsity::measure(&mlp, &Groups::columns(2, vec![0, 0, 1, 2]));
    assert_eq!(
        measured,
        StructuredSparsity {
            zero_groups: 1,
            features_kept: 2,
            neurons_kept: vec![1],
            // neuron 1 goes with its row; features 0 and 2 still feed
            // neuron 0: W₁ [1, 2] + b₁ [1] + W₂ [1, 1] + b₂ [1]
            params_after_compaction: 2 + 1 + 1 + 1,
        }
    );
    let each = StructuredSparsity::measure(&mlp, &Groups::each_column(2, 4));
    assert_eq!(each.zero_groups, 2);
}
