//! Ops that move elements around without computing new ones: reshape,
//! transpose/permute, broadcast_to, concat, narrow, index_select, gather.
//! Their backward moves the gradient back where each element came from
//! (adding where one element went to several places).

use ndarray::{ArrayD, Axis, IxDyn, Slice};

use super::checked_axis;
use crate::broadcast::unbroadcast;
use crate::{Float, Op, Tensor};

impl<T: Float> Tensor<T> {
    /// The same elements in row-major order with a new shape.
    /// ∂L/∂x = g reshaped back.
    ///
    /// # Panics
    /// When the number of elements differs.
    pub fn reshape(&self, shape: &[usize]) -> Tensor<T> {
        let x = self.value();
        let y = x.to_shape(IxDyn(shape)).unwrap_or_else(|_| {
            panic!(
                "reshape: {:?} ({} elements) cannot have shape {shape:?}",
                x.shape(),
                x.len()
            )
        });
        let y = y.into_owned();
        drop(x);
        Tensor::from_op(y, Reshape, [self.clone()])
    }

    /// Swaps two axes. ∂L/∂x = g with the same two axes swapped back.
    pub fn transpose(&self, a: usize, b: usize) -> Tensor<T> {
        let mut axes: Vec<usize> = (0..self.ndim()).collect();
        checked_axis("transpose", a, &self.shape());
        checked_axis("transpose", b, &self.shape());
        axes.swap(a, b);
        self.permute(&axes)
    }

    /// Reorders the axes: axis i of the result is axis `axes[i]` of the
    /// input. ∂L/∂x = g permuted by the inverse permutation.
    ///
    /// # Panics
    /// When `axes` is not a permutation of 0..ndim.
    pub fn permute(&self, axes: &[usize]) -> Tensor<T> {
        let n = self.ndim();
        let mut seen = vec![false; n];
        let valid = axes.len() == n
            && axes
                .iter()
                .all(|&a| a < n && !std::mem::replace(&mut seen[a], true));
        assert!(
            valid,
            "permute: {axes:?} is not a permutation of the axes of shape {:?}",
            self.shape()
        );
        let y = self
            .value()
            .view()
            .permuted_axes(axes)
            .as_standard_layout()
            .into_owned();
        let mut inverse = vec![0; n];
        for (i, &a) in axes.iter().enumerate() {
            inverse[a] = i;
        }
        Tensor::from_op(y, Permute { inverse }, [self.clone()])
    }

    /// Repeats the tensor along broadcast axes to `shape` (numpy's rules).
    /// ∂L/∂x = g summed over the broadcast axes.
    ///
    /// # Panics
    /// When the tensor cannot be broadcast to `shape`.
    pub fn broadcast_to(&self, shape: &[usize]) -> Tensor<T> {
        let x = self.value();
        let y = match x.broadcast(shape) {
            Some(v) => v.to_owned(),
            None => panic!(
                "broadcast_to: {:?} cannot be broadcast to {shape:?}",
                x.shape()
            ),
        };
        drop(x);
        Tensor::from_op(y, BroadcastTo, [self.clone()])
    }

    /// Joins tensors along an existing `axis`. ∂L/∂xₖ = the slice of g
    /// where xₖ was placed.
    ///
    /// # Panics
    /// When `tensors` is empty or their shapes differ off `axis`.
    pub fn concat(tensors: &[Tensor<T>], axis: usize) -> Tensor<T> {
        assert!(!tensors.is_empty(), "concat: no tensors to join");
        let values: Vec<_> = tensors.iter().map(Tensor::value).collect();
        let ax = checked_axis("concat", axis, values[0].shape());
        let views: Vec<_> = values.iter().map(|v| v.view()).collect();
        let y = ndarray::concatenate(ax, &views).unwrap_or_else(|_| {
            let shapes: Vec<&[usize]> = values.iter().map(|v| v.shape()).collect();
            panic!("concat: shapes {shapes:?} differ outside axis {axis}")
        });
        let lengths = values.iter().map(|v| v.len_of(ax)).collect();
        drop(views);
        drop(values);
        Tensor::from_op(y, Concat { axis: ax, lengths }, tensors.iter().cloned())
    }

    /// The elements `start .. start + len` along `axis` (PyTorch's `narrow`,
    /// a slice). ∂L/∂x = g in that slice, 0 elsewhere.
    ///
    /// # Panics
    /// When the range does not fit in the axis.
    pub fn narrow(&self, axis: usize, start: usize, len: usize) -> Tensor<T> {
        let x = self.value();
        let ax = checked_axis("narrow", axis, x.shape());
        let size = x.len_of(ax);
        assert!(
            start + len <= size,
            "narrow: {start}..{} is out of range for axis {axis} of shape {:?}",
            start + len,
            x.shape()
        );
        let slice = Slice::from(start..start + len);
        let y = x.slice_axis(ax, slice).to_owned();
        drop(x);
        Tensor::from_op(y, Narrow { axis: ax, slice }, [self.clone()])
    }

    /// The entries at `indices` along `axis`, in that order (repeats
    /// allowed). ∂L/∂x: entry `indices[k]` receives slice k of g (summed
    /// over repeats).
    ///
    /// # Panics
    /// When an index is out of range.
    pub fn index_select(&self, axis: usize, indices: &[usize]) -> Tensor<T> {
        let x = self.value();
        let ax = checked_axis("index_select", axis, x.shape());
        if let Some(&bad) = indices.iter().find(|&&i| i >= x.len_of(ax)) {
            panic!(
                "index_select: index {bad} is out of range for axis {axis} of shape {:?}",
                x.shape()
            );
        }
        let y = x.select(ax, indices);
        drop(x);
        Tensor::from_op(
            y,
            IndexSelect {
                axis: ax,
                indices: indices.to_vec(),
            },
            [self.clone()],
        )
    }

    /// torch.gather: y has the shape of `index`, and y\[p\] = x\[p with its
    /// `axis` coordinate replaced by index\[p\]]. ∂L/∂x\[q\] = Σ of g\[p\] over
    /// the positions p that read q.
    ///
    /// # Panics
    /// When `index` has another number of axes than x, is larger than x
    /// along another axis, or holds an index out of range.
    pub fn gather(&self, axis: usize, index: &ArrayD<usize>) -> Tensor<T> {
        let x = self.value();
        let ax = checked_axis("gather", axis, x.shape());
        let fits = index.ndim() == x.ndim()
            && index
                .shape()
                .iter()
                .zip(x.shape())
                .enumerate()
                .all(|(d, (&i, &s))| d == axis || i <= s);
        assert!(
            fits,
            "gather: index of shape {:?} does not fit input of shape {:?} along axis {axis}",
            index.shape(),
            x.shape()
        );
        if let Some(&bad) = index.iter().find(|&&i| i >= x.len_of(ax)) {
            panic!(
                "gather: index {bad} is out of range for axis {axis} of shape {:?}",
                x.shape()
            );
        }
        let y = ArrayD::from_shape_fn(index.raw_dim(), |p| x[source(&p, axis, index)]);
        drop(x);
        Tensor::from_op(
            y,
            Gather {
                axis,
                index: index.clone(),
            },
            [self.clone()],
        )
    }
}

/// The position of x that gather reads for output position `p`.
fn source(p: &IxDyn, axis: usize, index: &ArrayD<usize>) -> IxDyn {
    let mut q = p.clone();
    q[axis] = index[p];
    q
}

/// y = x with another shape.
struct Reshape;

impl<T: Float> Op<T> for Reshape {
    fn name(&self) -> &'static str {
        "reshape"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let x = &inputs[0];
        if x.requires_grad() {
            let shape = x.shape();
            // the gradient is ours: reshaped in place, copied only when its
            // layout does not allow that
            x.accumulate_grad(
                grad.into_shape_clone(IxDyn(&shape))
                    .expect("same number of elements")
                    .into(),
            );
        }
    }
}

/// y = x with its axes permuted; `inverse` undoes the permutation.
struct Permute {
    inverse: Vec<usize>,
}

impl<T: Float> Op<T> for Permute {
    fn name(&self) -> &'static str {
        "permute"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let x = &inputs[0];
        if x.requires_grad() {
            x.accumulate_grad(grad.view().permuted_axes(self.inverse.as_slice()).into());
        }
    }
}

/// y = x repeated along broadcast axes.
struct BroadcastTo;

impl<T: Float> Op<T> for BroadcastTo {
    fn name(&self) -> &'static str {
        "broadcast_to"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let x = &inputs[0];
        if x.requires_grad() {
            x.accumulate_grad(unbroadcast(grad.view(), &x.shape()));
        }
    }
}

/// y = the inputs side by side along `axis`, of `lengths` each.
struct Concat {
    axis: Axis,
    lengths: Vec<usize>,
}

impl<T: Float> Op<T> for Concat {
    fn name(&self) -> &'static str {
        "concat"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let mut start = 0;
        for (x, &len) in inputs.iter().zip(&self.lengths) {
            if x.requires_grad() {
                x.accumulate_grad(
                    grad.slice_axis(self.axis, Slice::from(start..start + len))
                        .into(),
                );
            }
            start += len;
        }
    }
}

/// y = a slice of x along `axis`.
struct Narrow {
    axis: Axis,
    slice: Slice,
}

impl<T: Float> Op<T> for Narrow {
    fn name(&self) -> &'static str {
        "narrow"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let x = &inputs[0];
        if x.requires_grad() {
            let mut dx = x.grad_buffer_mut();
            dx.slice_axis_mut(self.axis, self.slice)
                .zip_mut_with(&grad, |d, &g| *d += g);
        }
    }
}

/// y = the entries `indices` of x along `axis`.
struct IndexSelect {
    axis: Axis,
    indices: Vec<usize>,
}

impl<T: Float> Op<T> for IndexSelect {
    fn name(&self) -> &'static str {
        "index_select"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let x = &inputs[0];
        if x.requires_grad() {
            let mut dx = x.grad_buffer_mut();
            for (g, &i) in grad.axis_iter(self.axis).zip(&self.indices) {
                dx.index_axis_mut(self.axis, i)
                    .zip_mut_with(&g, |d, &g| *d += g);
            }
        }
    }
}

/// torch.gather along `axis` with `index`.
struct Gather {
    axis: usize,
    index: ArrayD<usize>,
}

impl<T: Float> Op<T> for Gather {
    fn name(&self) -> &'static str {
        "gather"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let x = &inputs[0];
        if x.requires_grad() {
            let mut dx = x.grad_buffer_mut();
            for (p, &g) in grad.indexed_iter() {
                dx[source(&p, self.axis, &self.index)] += g;
            }
        }
    }
}
