//! Matrix products: `matmul` (2-D, or batched over leading axes that
//! broadcast) and the fused layer `linear` (x·Wᵀ + b).
//!
//! Every product, forward and backward, is one call of
//! [`gemm()`] on views: transposes are stride swaps, never copies,
//! and backward writes its result straight into the gradient buffer
//! (C ← α·A·B + β·C, with β = 1 onto an earlier contribution and β = 0 into
//! a fresh buffer), so accumulating costs no temporary.

use ndarray::{
    ArrayD, ArrayView2, ArrayViewD, ArrayViewMut2, ArrayViewMutD, Axis, Dimension, Ix1, Ix2, IxDyn,
};

use crate::broadcast::broadcast_shapes;
use crate::gemm::gemm;
use crate::tensor::PerInput;
use crate::{Float, Op, Tensor};

impl<T: Float> Tensor<T> {
    /// The matrix product of the last two axes: `[.., m, k] x [.., k, n] ->
    /// [.., m, n]`, the leading (batch) axes broadcasting as in numpy.
    ///
    /// C = A·B. ∂L/∂A = G·Bᵀ, ∂L/∂B = Aᵀ·G (summed over the batches an input
    /// was broadcast across).
    ///
    /// # Panics
    /// When an input has fewer than 2 axes, the inner dimensions differ, or
    /// the batch axes do not broadcast, with a message naming both shapes:
    /// `matmul: [2, 3] x [4, 5]: inner dimensions 3 and 4 differ`.
    pub fn matmul(&self, other: &Tensor<T>) -> Tensor<T> {
        let (a, b) = (self.value(), other.value());
        let (sa, sb) = (a.shape(), b.shape());
        assert!(
            sa.len() >= 2 && sb.len() >= 2,
            "matmul: {sa:?} x {sb:?}: both inputs need at least 2 axes"
        );
        let (m, k) = (sa[sa.len() - 2], sa[sa.len() - 1]);
        let (k2, n) = (sb[sb.len() - 2], sb[sb.len() - 1]);
        assert!(
            k == k2,
            "matmul: {sa:?} x {sb:?}: inner dimensions {k} and {k2} differ"
        );
        let batch =
            broadcast_shapes(&sa[..sa.len() - 2], &sb[..sb.len() - 2]).unwrap_or_else(|| {
                panic!("matmul: {sa:?} x {sb:?}: batch dimensions cannot be broadcast together")
            });
        let mut y = ArrayD::zeros([batch.as_slice(), &[m, n]].concat());
        for index in ndarray::indices(batch.as_slice()) {
            let index = index.slice();
            gemm(
                T::one(),
                &matrix(&a, index),
                &matrix(&b, index),
                T::zero(),
                &mut matrix_mut(&mut y, index),
            );
        }
        drop((a, b));
        Tensor::from_op(y, MatMul, [self.clone(), other.clone()])
    }

    /// A fully connected layer, fused: y = x·Wᵀ + b with x `[batch, in]`,
    /// W `[out, in]` (torch.nn.Linear's layout) and b `[out]`.
    ///
    /// ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x, ∂L/∂b = Σ over the batch of G.
    /// One node instead of three (transpose, matmul, add) and no transposed
    /// copy of W.
    ///
    /// # Panics
    /// When the shapes do not fit, naming them:
    /// `linear: input [8, 3], weight [4, 5]: weight expects 5 input features, got 3`.
    pub fn linear(&self, weight: &Tensor<T>, bias: Option<&Tensor<T>>) -> Tensor<T> {
        let (x, w) = (self.value(), weight.value());
        let (sx, sw) = (x.shape(), w.shape());
        assert!(
            sx.len() == 2 && sw.len() == 2,
            "linear: input {sx:?}, weight {sw:?}: both must have 2 axes"
        );
        assert!(
            sx[1] == sw[1],
            "linear: input {sx:?}, weight {sw:?}: weight expects {} input features, got {}",
            sw[1],
            sx[1]
        );
        let (batch, out) = (sx[0], sw[0]);
        let mut inputs = PerInput::from_iter([self.clone(), weight.clone()]);
        // y starts as b in every row (x·Wᵀ is then added on top, β = 1), or
        // as zeros without a bias.
        let (mut y, beta) = match bias {
            Some(bias) => {
                let b = bias.value();
                assert!(
                    b.shape() == [out],
                    "linear: weight {sw:?}, bias {:?}: bias must have shape [{out}]",
                    b.shape()
                );
                let b = b
                    .as_slice()
                    .expect("a tensor's value is in standard layout");
                let mut rows = Vec::with_capacity(batch * out);
                for _ in 0..batch {
                    rows.extend_from_slice(b); // a memcpy per row
                }
                inputs.push(bias.clone());
                let y = ArrayD::from_shape_vec(IxDyn(&[batch, out]), rows);
                (y.expect("batch·out elements"), T::one())
            }
            None => (ArrayD::zeros(IxDyn(&[batch, out])), T::zero()),
        };
        gemm(
            T::one(),
            &as2(x.view()),
            &as2(w.view()).t(),
            beta,
            &mut as2_mut(y.view_mut()),
        );
        drop((x, w));
        Tensor::from_op(y, Linear, inputs)
    }
}

/// C = A·B over broadcast batch axes.
struct MatMul;

impl<T: Float> Op<T> for MatMul {
    fn name(&self) -> &'static str {
        "matmul"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let (a, b) = (&inputs[0], &inputs[1]);
        let batch = &grad.shape()[..grad.ndim() - 2];
        if a.requires_grad() {
            let bv = b.value(); // ∂L/∂A += G·Bᵀ
            accumulate_products(a, batch, |i| {
                (matrix(&grad, i), matrix(&bv, i).reversed_axes())
            });
        }
        if b.requires_grad() {
            let av = a.value(); // ∂L/∂B += Aᵀ·G
            accumulate_products(b, batch, |i| {
                (matrix(&av, i).reversed_axes(), matrix(&grad, i))
            });
        }
    }
}

/// For every batch index i: grad(x)[i] += lhs(i)·rhs(i), straight into the
/// gradient buffer. An input broadcast across batches receives the sum of
/// their products, as broadcasting's backward requires.
fn accumulate_products<'a, T: Float>(
    x: &Tensor<T>,
    batch: &[usize],
    factors: impl Fn(&[usize]) -> (ArrayView2<'a, T>, ArrayView2<'a, T>),
) {
    let (mut dx, fresh_beta) = x.grad_product_target();
    for index in ndarray::indices(batch) {
        let index = index.slice();
        let (lhs, rhs) = factors(index);
        // a fresh buffer's matrix is overwritten by the first batch that
        // lands on it and added to by the rest
        let beta = if first_visit(dx.shape(), index) {
            fresh_beta
        } else {
            T::one()
        };
        gemm(T::one(), &lhs, &rhs, beta, &mut matrix_mut(&mut dx, index));
    }
}

/// y = x·Wᵀ + b.
struct Linear;

impl<T: Float> Op<T> for Linear {
    fn name(&self) -> &'static str {
        "linear"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let (x, w) = (&inputs[0], &inputs[1]);
        let g = as2(grad.view());
        if x.requires_grad() {
            // ∂L/∂x += G·W
            let (mut dx, beta) = x.grad_product_target();
            gemm(
                T::one(),
                &g,
                &as2(w.value().view()),
                beta,
                &mut as2_mut(dx.view_mut()),
            );
        }
        if w.requires_grad() {
            // ∂L/∂W += Gᵀ·x
            let (mut dw, beta) = w.grad_product_target();
            gemm(
                T::one(),
                &g.t(),
                &as2(x.value().view()),
                beta,
                &mut as2_mut(dw.view_mut()),
            );
        }
        if let Some(b) = inputs.get(2).filter(|b| b.requires_grad()) {
            // ∂L/∂b += Σ_rows G
            let mut db = b.grad_buffer_mut();
            let mut db = db
                .view_mut()
                .into_dimensionality::<Ix1>()
                .expect("bias has 1 axis");
            match (db.as_slice_mut(), g.as_slice()) {
                (Some(d), Some(g)) => add_column_sums(d, g),
                // a gradient laid out otherwise
                _ => g.rows().into_iter().for_each(|row| db += &row),
            }
        }
    }
}

/// d[j] += Σ_r g[r·w + j] for the row-major `g` with rows of w = d.len(),
/// each column summed over the rows in order (the same additions, so the
/// same bits, as adding g into d row after row). A block of columns is
/// held in registers: row after row, every element of d was stored and
/// read back once a row, and each add waited for that store.
fn add_column_sums<T: Float>(d: &mut [T], g: &[T]) {
    const BLOCK: usize = 16;
    let width = d.len();
    if width == 0 {
        return; // a layer of no outputs (and chunks of 0 would panic)
    }
    let mut blocks = d.chunks_exact_mut(BLOCK);
    for (i, block) in (&mut blocks).enumerate() {
        let mut sums: [T; BLOCK] = (&*block).try_into().expect("a block of BLOCK");
        for row in g.chunks_exact(width) {
            let row = &row[i * BLOCK..(i + 1) * BLOCK];
            sums.iter_mut().zip(row).for_each(|(s, &g)| *s += g);
        }
        block.copy_from_slice(&sums);
    }
    // the last < BLOCK columns one at a time, each sum in a register (a
    // row-wise pass here compiled to masked loads and stores, which the
    // next row's load could not be forwarded from)
    let rest = blocks.into_remainder();
    let start = width - rest.len();
    for (j, sum) in rest.iter_mut().enumerate() {
        *sum = g[start + j..]
            .iter()
            .step_by(width)
            .fold(*sum, |s, &g| s + g);
    }
}

/// A 2-D view of an array known to have 2 axes.
fn as2<T: Float>(v: ArrayViewD<'_, T>) -> ArrayView2<'_, T> {
    v.into_dimensionality::<Ix2>()
        .expect("2 axes checked in the forward pass")
}

/// A 2-D mutable view of an array known to have 2 axes.
fn as2_mut<T: Float>(v: ArrayViewMutD<'_, T>) -> ArrayViewMut2<'_, T> {
    v.into_dimensionality::<Ix2>()
        .expect("2 axes checked in the forward pass")
}

/// The matrix (last two axes) of `x` at the broadcast batch `index`.
fn matrix<'a, T: Float>(x: &'a ArrayD<T>, index: &[usize]) -> ArrayView2<'a, T> {
    let mut v = x.view();
    for i in batch_position(x.shape(), index) {
        v = v.index_axis_move(Axis(0), i);
    }
    as2(v)
}

/// The mutable matrix (last two axes) of `x` at the broadcast batch `index`.
fn matrix_mut<'a, T: Float>(x: &'a mut ArrayD<T>, index: &[usize]) -> ArrayViewMut2<'a, T> {
    let position: Vec<usize> = batch_position(x.shape(), index).collect();
    let mut v = x.view_mut();
    for i in position {
        v = v.index_axis_move(Axis(0), i);
    }
    as2_mut(v)
}

/// Whether the broadcast batch `index` is the first, in row-major order, to
/// fall on its matrix of an array of `shape`: true when it is 0 along every
/// batch axis the array lacks or has size 1 in.
fn first_visit(shape: &[usize], index: &[usize]) -> bool {
    let batch = &shape[..shape.len() - 2];
    let lead = index.len() - batch.len();
    index[..lead].iter().all(|&i| i == 0)
        && batch
            .iter()
            .zip(&index[lead..])
            .all(|(&size, &i)| size != 1 || i == 0)
}

/// Where the broadcast batch `index` falls in an array of `shape`: batch
/// axes the array lacks are skipped, and those where it has size 1 are read
/// at 0, which is what broadcasting means.
fn batch_position<'a>(shape: &'a [usize], index: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
    let batch = &shape[..shape.len() - 2];
    let lead = index.len() - batch.len();
    batch
        .iter()
        .zip(&index[lead..])
        .map(|(&size, &i)| if size == 1 { 0 } else { i })
}
