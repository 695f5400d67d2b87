//! The block soft threshold and the group partitions, against the
//! definitions: the proximal map is the argmin of ½‖v − u‖² + t‖v‖₂ (and
//! with L1 first, of ½‖v − u‖² + t1‖v‖₁ + t‖v‖₂), checked by the
//! optimality conditions and by finite differences of the objective.

use proptest::prelude::*;
use sparsegrad_nn::group_lasso::{
    ColumnFactors, GroupLasso, Groups, block_soft_threshold, dense_labels, shrink_factor,
};
use sparsegrad_nn::regularize::soft_threshold;

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// ½‖v − u‖² + t1‖v‖₁ + t‖v‖₂.
fn prox_objective(v: &[f64], u: &[f64], t1: f64, t: f64) -> f64 {
    let fit: f64 = v.iter().zip(u).map(|(a, b)| 0.5 * (a - b) * (a - b)).sum();
    fit + t1 * v.iter().map(|x| x.abs()).sum::<f64>() + t * norm(v)
}

/// The objective rises (to second order) along ±h·eᵢ and along ±h·v from
/// v: the finite-difference form of "v is the minimizer" of a convex
/// function. Steps of h = 1e-6 change it by ~h·(slope) ≥ 0 up to O(h²).
fn assert_local_minimum(v: &[f64], u: &[f64], t1: f64, t: f64) {
    let h = 1e-6;
    let f0 = prox_objective(v, u, t1, t);
    let mut directions: Vec<Vec<f64>> = (0..v.len())
        .map(|i| (0..v.len()).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    directions.push(v.to_vec());
    directions.push(u.to_vec());
    for d in &directions {
        for sign in [-1.0, 1.0] {
            let moved: Vec<f64> = v.iter().zip(d).map(|(x, d)| x + sign * h * d).collect();
            let f = prox_objective(&moved, u, t1, t);
            assert!(
                f >= f0 - 1e-10,
                "moving v = {v:?} by {sign}·h·{d:?} lowers the objective from {f0} to {f}"
            );
        }
    }
}

fn vector() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-3.0..3.0f64, 1..8)
}

proptest! {
    /// Optimality: with z = prox(u), either z ≠ 0 and z − u + t·z/‖z‖ = 0,
    /// or z = 0 and ‖u‖ ≤ t (0 is in the subdifferential); and no nearby
    /// point does better.
    #[test]
    fn block_soft_threshold_is_the_argmin(u in vector(), t in 0.0..4.0f64) {
        let mut z = u.clone();
        block_soft_threshold(&mut z, t);
        let nz = norm(&z);
        if nz == 0.0 {
            prop_assert!(norm(&u) <= t + 1e-12);
        } else {
            for (zi, ui) in z.iter().zip(&u) {
                prop_assert!((zi - ui + t * zi / nz).abs() < 1e-12);
            }
        }
        assert_local_minimum(&z, &u, 0.0, t);
    }

    /// A group whose norm is below the threshold lands on exactly 0, and 0
    /// stays 0 at any threshold.
    #[test]
    fn below_the_threshold_is_exactly_zero(u in vector(), extra in 0.0..1.0f64) {
        let mut z = u.clone();
        block_soft_threshold(&mut z, norm(&u) + extra);
        prop_assert!(z.iter().all(|&x| x == 0.0));
        let mut zero = vec![0.0; u.len()];
        block_soft_threshold(&mut zero, extra);
        prop_assert!(zero.iter().all(|&x| x == 0.0));
    }

    /// Soft threshold at t1 then block soft threshold at t is the minimizer
    /// of the sparse group lasso's proximal problem.
    #[test]
    fn sparse_group_lasso_prox_is_the_argmin(u in vector(), t1 in 0.0..1.5f64, t in 0.0..3.0f64) {
        let mut z = u.clone();
        soft_threshold(&mut z, t1);
        block_soft_threshold(&mut z, t);
        assert_local_minimum(&z, &u, t1, t);
    }

    /// The partitioned prox is the single-group prox of each group, with
    /// t_g = lr·λ·√p_g.
    #[test]
    fn group_prox_is_the_block_threshold_of_each_group(
        rows in 1..4usize,
        labels in prop::collection::vec(0..3usize, 1..6),
        seed_values in prop::collection::vec(-2.0..2.0f64, 24),
        lambda in 0.0..2.0f64,
    ) {
        let column_labels = dense_labels(&labels);
        let cols = column_labels.len();
        let w: Vec<f64> = seed_values.iter().cycle().take(rows * cols).copied().collect();
        let groups = Groups::columns(rows, column_labels.clone());
        let lr = 0.3;
        let mut prox = GroupLasso::new(groups.clone(), lambda);
        let mut got = w.clone();
        prox.prox(&mut got, lr);
        for g in 0..groups.n_groups() {
            let members: Vec<usize> = (0..rows * cols).filter(|k| column_labels[k % cols] == g).collect();
            prop_assert_eq!(members.len(), groups.sizes()[g]);
            let mut expected: Vec<f64> = members.iter().map(|&k| w[k]).collect();
            block_soft_threshold(&mut expected, lr * lambda * (members.len() as f64).sqrt());
            for (&k, e) in members.iter().zip(&expected) {
                prop_assert!((got[k] - e).abs() <= 1e-15 * (1.0 + e.abs()), "element {}: {} vs {}", k, got[k], e);
            }
        }
    }
}

#[test]
fn shrink_factor_by_hand() {
    assert_eq!(shrink_factor(0.0, 0.0), 0.0);
    assert_eq!(shrink_factor(2.0, 2.0), 0.0);
    assert_eq!(shrink_factor(4.0, 1.0), 0.75);
    assert_eq!(shrink_factor(4.0, 0.0), 1.0);
}

#[test]
fn block_soft_threshold_by_hand() {
    // ‖(3, 4)‖ = 5, t = 1: (1 − 1/5)·(3, 4) = 0.8·(3, 4)
    let mut v = [3.0f64, 4.0];
    block_soft_threshold(&mut v, 1.0);
    assert_eq!(v, [0.8 * 3.0, 0.8 * 4.0]);
    let mut v = [3.0f32, 4.0];
    block_soft_threshold(&mut v, 5.0);
    assert_eq!(v, [0.0, 0.0]);
}

#[test]
fn groups_count_sizes_norms_and_zero_groups() {
    // W [2, 3] with columns 0 and 2 in group 0, column 1 in group 1.
    let groups = Groups::columns(2, vec![0, 1, 0]);
    assert_eq!(groups.sizes(), [4, 2]);
    let w = [3.0, 0.0, 0.0, 0.0, 0.0, 4.0];
    assert_eq!(groups.norms(&w), [5.0, 0.0]);
    assert_eq!(groups.zero_groups(&w), 1);
    // λ·(√4·5 + √2·0)
    assert_eq!(groups.penalty_value(&w, 0.5), 5.0);
    // Any partition by element labels gives the same numbers.
    let elements = Groups::from_labels(vec![0, 1, 0, 0, 1, 0]);
    assert_eq!(elements.sizes(), groups.sizes());
    assert_eq!(elements.norms(&w), groups.norms(&w));
    // Each column its own group: √2 each.
    let each = Groups::each_column(2, 3);
    assert_eq!(each.norms(&w), [3.0, 0.0, 4.0]);
    assert_eq!(
        each.penalty_value(&w, 1.0),
        2f64.sqrt() * 3.0 + 2f64.sqrt() * 4.0
    );
}

#[test]
#[should_panic(expected = "group 1 has no element")]
fn a_group_without_elements_is_refused() {
    Groups::from_labels(vec![0, 2]);
}

#[test]
fn dense_labels_number_by_first_appearance() {
    assert_eq!(dense_labels(&["b", "a", "b", "c"]), [0, 1, 0, 2]);
}

#[test]
fn penalty_factors_by_hand() {
    // W [2, 2] = [[1, −2], [3, 0]]; c = (2, 0.5); λ1 = 1, λ2 = 4:
    // 2·(1·4 + 2·10) + 0.5·(1·2 + 2·4) = 48 + 5
    let factors = ColumnFactors::new(vec![2.0, 0.5]);
    let w = [1.0, -2.0, 3.0, 0.0];
    assert_eq!(factors.penalty_value(&w, 1.0, 4.0), 53.0);
    // One step's constants on a row: decay 1 − c·lr·λ2, threshold c·lr·λ1.
    let step = factors.step::<f64>(0.1, 0.0, 0.0, 0.5);
    let mut row = [1.5, -0.2];
    step.before_step(&mut row);
    assert_eq!(row, [1.5 * 0.8, -0.2 * 0.95]);
    step.after_step(&mut row);
    // thresholds 1.0 and 0.25
    assert_eq!(row, [1.5 * 0.8 - 1.0, 0.0]);
    let step = factors.step::<f64>(0.0, 4.0, 1.0, 0.0);
    let mut scratch = [0.0; 2];
    let g = step.gradient(&[1.0, -2.0], &[0.5, 0.5], &mut scratch);
    // g + c·λ2·w + c·λ1·sign(w)
    assert_eq!(g, [0.5 + 8.0 + 2.0, 0.5 - 4.0 - 0.5]);
}
