//! The loop every optimizer's step runs over one parameter: the penalty's
//! steps 1–3, the optimizer's own step, the penalty's step 5, chunk by
//! chunk.
//!
//! Working on chunks of [`CHUNK`] elements keeps each chunk of weights,
//! gradient and optimizer state in L1 cache while the five steps pass over
//! it, so the whole update reads and writes each element of memory once
//! (one pass), while each step stays a simple loop over contiguous slices
//! that the compiler vectorizes. The penalized gradient is built in a
//! buffer on the stack: nothing is allocated.

use std::ops::Range;

use sparsegrad_autograd::{Float, Tensor};

use crate::regularize::PenaltyStep;

/// Elements per chunk: 512 f64 (4 KiB) of weights, gradient, scratch and
/// up to two state buffers fit in a 32 KiB L1 cache together.
const CHUNK: usize = 512;

/// Updates `param`, which has a gradient, in place.
///
/// For each chunk, with `w` the weights and `g` the data gradient of the
/// chunk: `penalty.before_step(w)`, then `step(range, w, g')` with g' the
/// penalized gradient and `range` the chunk's element indices (for the
/// optimizer to find its state), then `penalty.after_step(w)`.
///
/// # Panics
/// When `param` has no gradient, or its gradient and value differ in shape
/// (only possible if the value was replaced after backward).
pub(crate) fn update_parameter<T: Float>(
    param: &Tensor<T>,
    penalty: &PenaltyStep<T>,
    mut step: impl FnMut(Range<usize>, &mut [T], &[T]),
) {
    let grad = param
        .grad()
        .expect("update_parameter: the caller skips parameters without a gradient");
    // Gradients computed by transposing ops may be laid out otherwise;
    // the copy happens only then.
    let grad = grad.as_standard_layout();
    let g = grad.as_slice().expect("standard layout is contiguous");
    let mut value = param.value_mut();
    if !value.is_standard_layout() {
        let contiguous = value.as_standard_layout().into_owned();
        *value = contiguous;
    }
    assert_eq!(
        value.shape(),
        grad.shape(),
        "optimizer step: a parameter's value and gradient differ in shape"
    );
    let w = value.as_slice_mut().expect("standard layout is contiguous");
    let mut scratch = [T::zero(); CHUNK];
    for start in (0..w.len()).step_by(CHUNK) {
        let range = start..w.len().min(start + CHUNK);
        let (w, g) = (&mut w[range.clone()], &g[range.clone()]);
        penalty.before_step(w, range.start);
        let g = penalty.gradient(w, g, &mut scratch[..g.len()], range.start);
        step(range.clone(), w, g);
        penalty.after_step(w, range.start);
    }
    penalty.after_all(w);
}
