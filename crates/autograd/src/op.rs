//! The interface between an operation and the backward walk.
//!
//! An op computes its output in a function on [`Tensor`] (its forward pass)
//! and hands the engine a value implementing [`Op`], which knows how to turn
//! the gradient of that output into gradients of the inputs (its backward
//! pass). The engine in `backward.rs` never looks inside an op; an op never
//! walks the graph.

use ndarray::ArrayD;

use crate::{Float, Tensor};

/// The backward half of an operation.
///
/// `backward` receives the op's inputs (as given to [`Tensor::from_op`]), the
/// output value computed by the forward pass, and `grad` = ∂L/∂output. It
/// must add ∂L/∂input = (∂output/∂input)ᵀ·grad into each input that
/// [requires a gradient](Tensor::requires_grad), through
/// [`Tensor::accumulate_grad`] or [`Tensor::grad_buffer_mut`], and skip the
/// work for inputs that do not.
///
/// `grad` is handed over: the walk has no further use for it. An op whose
/// input gradient has the output's shape can turn it into that gradient in
/// place and move it on (the elementwise ops do), instead of allocating a
/// buffer of the same size while this one is freed.
///
/// A complete op, `y = x³` (the tutorial walks through it and checks it
/// with [`gradcheck`](crate::gradcheck())):
///
/// ```
/// use ndarray::ArrayD;
/// use sparsegrad_autograd::{Float, Op, Tensor};
///
/// /// d(x³)/dx = 3x²
/// struct Cube;
///
/// impl<T: Float> Op<T> for Cube {
///     fn name(&self) -> &'static str {
///         "cube"
///     }
///     fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
///         let x = &inputs[0];
///         if x.requires_grad() {
///             let three = T::from_f64(3.0);
///             let dx = ndarray::Zip::from(&grad)
///                 .and(&*x.value())
///                 .map_collect(|&g, &x| g * three * x * x);
///             x.accumulate_grad(dx.into());
///         }
///     }
/// }
///
/// let x = Tensor::<f64>::from_vec(vec![1.0, 2.0], &[2]).set_requires_grad(true);
/// let y = Tensor::from_op(x.value().mapv(|v| v * v * v), Cube, [x.clone()]);
/// y.sum().backward();
/// assert_eq!(x.grad().unwrap().as_slice().unwrap(), &[3.0, 12.0]);
/// ```
pub trait Op<T: Float>: 'static {
    /// The short name shown in traces, graph drawings and panics (`"matmul"`).
    fn name(&self) -> &'static str;

    /// Adds this op's contribution to the gradient of each input that
    /// requires one. See the trait documentation.
    fn backward(&self, inputs: &[Tensor<T>], out: &ArrayD<T>, grad: ArrayD<T>);
}
