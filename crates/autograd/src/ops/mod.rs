//! The operations, one file per family. Each op's forward (a method on
//! [`Tensor`](crate::Tensor)) and backward (an [`Op`](crate::Op)) stand side
//! by side, with the local derivative written where it is computed.

pub mod activation;
pub mod elementwise;
pub mod loss;
pub mod matmul;
pub mod reduce;
pub mod shape;

use ndarray::Axis;

/// The axis, or a panic naming the op and the shape when it does not exist.
pub(crate) fn checked_axis(op: &str, axis: usize, shape: &[usize]) -> Axis {
    assert!(
        axis < shape.len(),
        "{op}: axis {axis} is out of range for shape {shape:?}"
    );
    Axis(axis)
}
