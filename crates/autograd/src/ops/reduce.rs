//! Reductions: sum, mean and max, over everything or along axes.

use ndarray::{ArrayD, Axis, IxDyn};

use super::checked_axis;
use crate::{Float, Op, Tensor};

/// y = scale · Σ x over some axes (scale = 1 for sum, 1/n for mean).
/// Every input element reaches the output once with weight `scale`, so
/// ∂L/∂x = scale · g, broadcast back over the summed axes.
struct Sum<T> {
    name: &'static str,
    scale: T,
    /// The output's shape with the summed axes kept as size 1, which
    /// broadcasts against the input's shape.
    kept_shape: Vec<usize>,
}

impl<T: Float> Op<T> for Sum<T> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let x = &inputs[0];
        if !x.requires_grad() {
            return;
        }
        let g = grad
            .to_shape(IxDyn(&self.kept_shape))
            .expect("same number of elements");
        let shape = x.shape();
        let g = g
            .broadcast(shape.as_slice())
            .expect("kept shape broadcasts to the input");
        if self.scale == T::one() {
            x.accumulate_grad(g.into());
        } else {
            x.accumulate_grad(g.mapv(|g| g * self.scale).into());
        }
    }
}

impl<T: Float> Tensor<T> {
    /// Σ of all elements, a 0-d tensor. ∂(Σx)/∂xᵢ = 1
    pub fn sum(&self) -> Tensor<T> {
        let all: Vec<usize> = (0..self.ndim()).collect();
        self.reduce_sum("sum", &all, false, T::one())
    }

    /// Σ along `axes`, dropping them unless `keepdim`.
    ///
    /// # Panics
    /// When an axis is out of range or repeated.
    pub fn sum_axes(&self, axes: &[usize], keepdim: bool) -> Tensor<T> {
        self.reduce_sum("sum_axes", axes, keepdim, T::one())
    }

    /// Mean of all elements, a 0-d tensor. ∂(mean x)/∂xᵢ = 1/n
    pub fn mean(&self) -> Tensor<T> {
        let all: Vec<usize> = (0..self.ndim()).collect();
        self.reduce_sum("mean", &all, false, T::from_usize(self.numel()).recip())
    }

    /// Mean along `axes`, dropping them unless `keepdim`.
    /// ∂/∂xᵢ = 1/n, n the number of elements averaged.
    ///
    /// # Panics
    /// When an axis is out of range or repeated.
    pub fn mean_axes(&self, axes: &[usize], keepdim: bool) -> Tensor<T> {
        let shape = self.shape();
        let n: usize = axes
            .iter()
            .map(|&a| shape.get(a).copied().unwrap_or(1))
            .product();
        self.reduce_sum("mean_axes", axes, keepdim, T::from_usize(n).recip())
    }

    fn reduce_sum(&self, name: &'static str, axes: &[usize], keepdim: bool, scale: T) -> Tensor<T> {
        let shape = self.shape();
        let mut sorted = axes.to_vec();
        sorted.sort_unstable();
        for w in sorted.windows(2) {
            assert!(w[0] != w[1], "{name}: axis {} given twice", w[0]);
        }
        let mut kept_shape = shape.clone();
        for &a in &sorted {
            checked_axis(name, a, &shape);
            kept_shape[a] = 1;
        }
        // Sum the highest axis first, so the lower axis numbers stay valid.
        let mut y = self.to_array();
        for &a in sorted.iter().rev() {
            y = y.sum_axis(Axis(a));
        }
        if scale != T::one() {
            y.mapv_inplace(|v| v * scale);
        }
        if keepdim {
            y = y
                .into_shape_with_order(IxDyn(&kept_shape))
                .expect("same number of elements");
        }
        Tensor::from_op(
            y,
            Sum {
                name,
                scale,
                kept_shape,
            },
            [self.clone()],
        )
    }

    /// The maximum along `axis` (dropped unless `keepdim`). The gradient
    /// goes to the arg max of each lane (the first one on a tie), as
    /// PyTorch's `max(dim)`: ∂(max x)/∂xᵢ = 1 if i is the arg max, else 0.
    ///
    /// # Panics
    /// When the axis is out of range or has length 0.
    pub fn max_axis(&self, axis: usize, keepdim: bool) -> Tensor<T> {
        let ax = checked_axis("max_axis", axis, &self.shape());
        let value = self.value();
        assert!(
            value.len_of(ax) > 0,
            "max_axis: axis {axis} of shape {:?} is empty",
            value.shape()
        );
        let argmax = value.map_axis(ax, |lane| {
            lane.indexed_iter()
                .fold((0, T::neg_infinity()), |best, (i, &x)| {
                    if x > best.1 { (i, x) } else { best }
                })
                .0
        });
        let mut y = value.map_axis(ax, |lane| lane.fold(T::neg_infinity(), |m, &x| m.max(x)));
        drop(value);
        if keepdim {
            y = y.insert_axis(ax);
        }
        Tensor::from_op(y, MaxAxis { axis: ax, argmax }, [self.clone()])
    }
}

/// The maximum along an axis, remembering where each lane's maximum was.
struct MaxAxis {
    axis: Axis,
    argmax: ArrayD<usize>,
}

impl<T: Float> Op<T> for MaxAxis {
    fn name(&self) -> &'static str {
        "max_axis"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let x = &inputs[0];
        if !x.requires_grad() {
            return;
        }
        // With keepdim the gradient has the axis as size 1; drop it to line
        // up with `argmax`, which has one entry per lane.
        let g = grad
            .to_shape(self.argmax.raw_dim())
            .expect("one gradient per lane");
        let mut dx = x.grad_buffer_mut();
        for ((mut lane, &i), &g) in dx
            .lanes_mut(self.axis)
            .into_iter()
            .zip(&self.argmax)
            .zip(&g)
        {
            lane[i] += g;
        }
    }
}
