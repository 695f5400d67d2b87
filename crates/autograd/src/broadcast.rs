//! numpy's broadcasting rules, forward (the shape of a result) and backward
//! (summing a gradient back to the shape of an input).
//!
//! Two shapes broadcast when, aligned at their last axis, each pair of sizes
//! is equal or one of them is 1; a missing leading axis counts as size 1.
//! An input that was broadcast along an axis was *used several times* along
//! it, so its gradient is the *sum* of the output gradient along that axis.

use ndarray::{Axis, CowArray, IxDyn};

use crate::Float;

/// The shape of the result of an elementwise op on `a` and `b`, or `None`
/// when they do not broadcast.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let size = |s: &[usize], i: usize| {
        // axis i of the result, counted from the left, is axis i-(n-len) of s
        (i + s.len()).checked_sub(n).map_or(1, |j| s[j])
    };
    (0..n)
        .map(|i| match (size(a, i), size(b, i)) {
            (x, y) if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

/// The shape of the result of an elementwise op, or a panic that names the
/// op and both shapes, as PyTorch's message does.
pub(crate) fn broadcast_or_panic(op: &str, a: &[usize], b: &[usize]) -> Vec<usize> {
    broadcast_shapes(a, b)
        .unwrap_or_else(|| panic!("{op}: {a:?} and {b:?}: shapes cannot be broadcast together"))
}

/// Sums `grad` (the gradient of a broadcast result) back to `shape` (the
/// shape of the input that was broadcast): over the leading axes the input
/// did not have, and over every axis where the input had size 1.
///
/// Returns `grad` itself (owned or borrowed, as given) when nothing was
/// broadcast, so the common case copies nothing.
pub fn unbroadcast<'a, T: Float>(
    grad: impl Into<CowArray<'a, T, IxDyn>>,
    shape: &[usize],
) -> CowArray<'a, T, IxDyn> {
    let grad = grad.into();
    if grad.shape() == shape {
        return grad;
    }
    let lead = grad.ndim() - shape.len();
    // sum_axis(Axis(0)) of an array with the same number of axes would be
    // wrong when lead = 0, so start from a copy in that case only.
    let mut sum = if lead == 0 {
        grad.into_owned()
    } else {
        grad.sum_axis(Axis(0))
    };
    for _ in 1..lead {
        sum = sum.sum_axis(Axis(0));
    }
    for (axis, &size) in shape.iter().enumerate() {
        if size == 1 && sum.shape()[axis] != 1 {
            sum = sum.sum_axis(Axis(axis)).insert_axis(Axis(axis));
        }
    }
    CowArray::from(sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, array};

    #[test]
    fn shapes_broadcast_as_in_numpy() {
        assert_eq!(broadcast_shapes(&[2, 3], &[3]), Some(vec![2, 3]));
        assert_eq!(broadcast_shapes(&[4, 1, 3], &[2, 1]), Some(vec![4, 2, 3]));
        assert_eq!(broadcast_shapes(&[], &[5]), Some(vec![5]));
        assert_eq!(broadcast_shapes(&[2, 3], &[2]), None);
    }

    #[test]
    fn unbroadcast_sums_over_broadcast_axes() {
        let g = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].into_dyn();
        assert_eq!(
            unbroadcast(g.view(), &[3]).into_owned(),
            array![5.0, 7.0, 9.0].into_dyn()
        );
        assert_eq!(
            unbroadcast(g.view(), &[2, 1]).into_owned(),
            array![[6.0], [15.0]].into_dyn()
        );
        assert_eq!(
            unbroadcast(g.view(), &[]).into_owned(),
            ArrayD::from_elem(vec![], 21.0)
        );
        assert!(unbroadcast(g.view(), &[2, 3]).is_view());
    }
}
