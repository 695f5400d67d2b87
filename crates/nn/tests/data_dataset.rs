//! Data sets: subsets, reusable batches and casts.

use ndarray::array;
use sparsegrad_nn::data::{Batch, Dataset, Targets, Task};

fn names(n: usize) -> Vec<String> {
    (0..n).map(|j| format!("x{j}")).collect()
}

fn regression_data() -> Dataset<f64> {
    let x = array![[0.0, 1.0], [10.0, 11.0], [20.0, 21.0], [30.0, 31.0]];
    let y = array![[0.5], [1.5], [2.5], [3.5]];
    Dataset::new(x, Targets::Regression(y), names(2), "y".into())
}

#[test]
fn a_subset_gathers_rows_in_the_given_order() {
    let data = regression_data();
    let sub = data.subset(&[3, 0, 3]);
    assert_eq!(
        sub.features(),
        &array![[30.0, 31.0], [0.0, 1.0], [30.0, 31.0]]
    );
    assert_eq!(
        sub.targets(),
        &Targets::Regression(array![[3.5], [0.5], [3.5]])
    );
    assert_eq!(
        (sub.feature_names(), sub.target_name()),
        (data.feature_names(), "y")
    );
    assert_eq!(sub.task(), Task::Regression);
}

#[test]
fn batches_reuse_their_memory() {
    let data = regression_data();
    let mut batch = Batch::default();
    data.batch_into(&[0, 1, 2], &mut batch);
    let (features_at, targets_at) = match &batch.targets {
        Targets::Regression(y) => (batch.features.as_ptr(), y.as_ptr()),
        other => panic!("{other:?}"),
    };
    data.batch_into(&[2, 1], &mut batch);
    assert_eq!(batch.features, array![[20.0, 21.0], [10.0, 11.0]]);
    let Targets::Regression(y) = &batch.targets else {
        panic!()
    };
    assert_eq!(y, &array![[2.5], [1.5]]);
    assert_eq!(batch.features.as_ptr(), features_at, "features reallocated");
    assert_eq!(y.as_ptr(), targets_at, "targets reallocated");
}

#[test]
fn label_batches_and_casts() {
    let x = array![[1.5f64], [2.25], [0.1]];
    let data = Dataset::new(
        x,
        Targets::Classification(vec![2, 0, 1]),
        names(1),
        "c".into(),
    );
    assert_eq!(data.targets().num_classes(), Some(3));
    let mut batch = Batch::default();
    data.batch_into(&[2, 0], &mut batch);
    assert_eq!(batch.targets, Targets::Classification(vec![1, 2]));

    let single = data.cast::<f32>();
    assert_eq!(single.features(), &array![[1.5f32], [2.25], [0.1f32]]);
    assert_eq!(single.targets(), &Targets::Classification(vec![2, 0, 1]));
    let regression = regression_data().cast::<f32>();
    assert_eq!(
        regression.targets(),
        &Targets::Regression(array![[0.5f32], [1.5], [2.5], [3.5]])
    );
}

#[test]
fn a_transposed_feature_matrix_is_stored_row_major() {
    let x = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].reversed_axes(); // 3 × 2, column-major
    let data = Dataset::new(
        x,
        Targets::Classification(vec![0, 1, 0]),
        names(2),
        "c".into(),
    );
    assert!(data.features().is_standard_layout());
    assert_eq!(data.subset(&[1]).features(), &array![[2.0, 5.0]]);
}

#[test]
#[should_panic(expected = "Dataset::batch_into: index 4 out of range for 4 samples")]
fn an_index_out_of_range_is_a_programming_error() {
    regression_data().subset(&[4]);
}

#[test]
#[should_panic(expected = "Dataset::new: 2 rows of features but 3 targets")]
fn mismatched_targets_are_a_programming_error() {
    Dataset::new(
        array![[1.0], [2.0]],
        Targets::Classification(vec![0, 1, 2]),
        names(1),
        "c".into(),
    );
}

#[test]
fn a_task_displays_as_it_serializes() {
    for task in [Task::Regression, Task::Classification] {
        let json = serde_json::to_string(&task).unwrap();
        assert_eq!(json, format!("\"{task}\""));
    }
    assert_eq!(Task::Classification.to_string(), "classification");
}
