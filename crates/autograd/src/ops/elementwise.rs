//! Elementwise arithmetic and functions, with numpy broadcasting.
//!
//! Every unary function here is an instance of one op, `Map`: y = f(x)
//! with dy/dx = f'(x, y) given next to f. Every binary one is an instance of
//! `Zip2`: y = f(a, b) with ∂y/∂a and ∂y/∂b. The chain rule is then the
//! same for all: ∂L/∂x = ∂L/∂y · dy/dx, summed back over broadcast axes.

use ndarray::{ArrayD, ArrayViewD, Zip};

use crate::broadcast::{broadcast_or_panic, unbroadcast};
use crate::{Float, Op, Tensor};

/// y = f(x) elementwise; backward multiplies by `deriv(x, y)` = dy/dx.
/// (Taking y as well lets exp, tanh and sigmoid reuse their output.)
struct Map<D> {
    name: &'static str,
    deriv: D,
}

impl<T: Float, D: Fn(T, T) -> T + 'static> Op<T> for Map<D> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backward(&self, inputs: &[Tensor<T>], out: &ArrayD<T>, mut grad: ArrayD<T>) {
        let x = &inputs[0];
        if x.requires_grad() {
            // ∂L/∂x = g·dy/dx, written over g (same shape), which then
            // moves on as x's gradient
            let chain = |g: &mut T, x: T, y: T| *g *= (self.deriv)(x, y);
            let xv = x.value();
            // over flat slices when all three are in standard layout (as
            // the ops' values and gradients are): a plain loop, where a
            // three-way Zip over n-d arrays costs more than the multiplies
            // of a small layer
            match (grad.as_slice_mut(), xv.as_slice(), out.as_slice()) {
                (Some(gs), Some(xs), Some(ys)) => {
                    for (g, (&x, &y)) in gs.iter_mut().zip(xs.iter().zip(ys)) {
                        chain(g, x, y);
                    }
                }
                _ => Zip::from(&mut grad)
                    .and(&*xv)
                    .and(out)
                    .for_each(|g, &x, &y| chain(g, x, y)),
            }
            drop(xv);
            x.accumulate_grad(grad.into());
        }
    }
}

impl<T: Float> Tensor<T> {
    /// Applies `f` to every element, recording `deriv(x, y)` = dy/dx for
    /// backward. The building block of every unary op; for op authors.
    pub fn map_elementwise(
        &self,
        name: &'static str,
        f: impl Fn(T) -> T,
        deriv: impl Fn(T, T) -> T + 'static,
    ) -> Tensor<T> {
        let y = map_contiguous(&self.value(), f);
        Tensor::from_op(y, Map { name, deriv }, [self.clone()])
    }

    /// −x. d(−x)/dx = −1
    pub fn neg(&self) -> Tensor<T> {
        self.map_elementwise("neg", |x| -x, |_, _| -T::one())
    }

    /// x + c. d(x + c)/dx = 1
    pub fn add_scalar(&self, c: T) -> Tensor<T> {
        self.map_elementwise("add_scalar", move |x| x + c, |_, _| T::one())
    }

    /// x − c. d(x − c)/dx = 1
    pub fn sub_scalar(&self, c: T) -> Tensor<T> {
        self.map_elementwise("sub_scalar", move |x| x - c, |_, _| T::one())
    }

    /// c·x. d(c·x)/dx = c
    pub fn mul_scalar(&self, c: T) -> Tensor<T> {
        self.map_elementwise("mul_scalar", move |x| x * c, move |_, _| c)
    }

    /// x / c. d(x/c)/dx = 1/c
    pub fn div_scalar(&self, c: T) -> Tensor<T> {
        self.map_elementwise("div_scalar", move |x| x / c, move |_, _| c.recip())
    }

    /// xᵖ. d(xᵖ)/dx = p·xᵖ⁻¹
    pub fn powf(&self, p: T) -> Tensor<T> {
        self.map_elementwise(
            "powf",
            move |x| x.powf(p),
            move |x, _| p * x.powf(p - T::one()),
        )
    }

    /// eˣ. d(eˣ)/dx = eˣ, the output itself.
    pub fn exp(&self) -> Tensor<T> {
        self.map_elementwise("exp", T::exp, |_, y| y)
    }

    /// ln x. d(ln x)/dx = 1/x
    pub fn log(&self) -> Tensor<T> {
        self.map_elementwise("log", T::ln, |x, _| x.recip())
    }

    /// √x. d(√x)/dx = 1/(2√x), from the output.
    pub fn sqrt(&self) -> Tensor<T> {
        self.map_elementwise("sqrt", T::sqrt, |_, y| (y + y).recip())
    }

    /// |x|. d|x|/dx = sign(x), taking the subgradient 0 at x = 0 (as PyTorch).
    pub fn abs(&self) -> Tensor<T> {
        self.map_elementwise("abs", T::abs, |x, _| x.sign())
    }

    /// sign(x) with sign(0) = 0. Its derivative is 0 wherever it exists,
    /// so no gradient flows through it (but backward may pass through, as
    /// in PyTorch, leaving zeros).
    pub fn sign(&self) -> Tensor<T> {
        self.map_elementwise("sign", T::sign, |_, _| T::zero())
    }

    /// max(x, c). d/dx = 1 where x ≥ c, else 0 (PyTorch's `clamp_min`: at
    /// the tie the gradient passes).
    pub fn maximum_scalar(&self, c: T) -> Tensor<T> {
        self.map_elementwise(
            "maximum_scalar",
            move |x| x.max(c),
            move |x, _| pass_if(x >= c),
        )
    }

    /// min(x, c). d/dx = 1 where x ≤ c, else 0 (PyTorch's `clamp_max`).
    pub fn minimum_scalar(&self, c: T) -> Tensor<T> {
        self.map_elementwise(
            "minimum_scalar",
            move |x| x.min(c),
            move |x, _| pass_if(x <= c),
        )
    }

    /// min(max(x, lo), hi). d/dx = 1 where lo ≤ x ≤ hi, else 0 (PyTorch's `clamp`).
    ///
    /// # Panics
    /// When `lo > hi`.
    pub fn clamp(&self, lo: T, hi: T) -> Tensor<T> {
        assert!(
            lo <= hi,
            "clamp: lower bound {lo} is above upper bound {hi}"
        );
        self.map_elementwise(
            "clamp",
            move |x| x.max(lo).min(hi),
            move |x, _| pass_if(lo <= x && x <= hi),
        )
    }
}

/// f applied to every element. For a standard-layout array (every value a
/// tensor holds) this maps over the flat slice, a loop LLVM vectorizes when
/// f is branch-free; ndarray's `mapv` goes through a general iterator.
fn map_contiguous<T: Float>(x: &ArrayD<T>, f: impl Fn(T) -> T) -> ArrayD<T> {
    match x.as_slice() {
        Some(flat) => {
            let y = flat.iter().map(|&v| f(v)).collect();
            ArrayD::from_shape_vec(x.raw_dim(), y).expect("same number of elements")
        }
        None => x.mapv(f),
    }
}

/// 1 when the gradient passes, 0 when it is blocked.
pub(crate) fn pass_if<T: Float>(pass: bool) -> T {
    if pass { T::one() } else { T::zero() }
}

/// y = f(a, b) with broadcasting; backward multiplies by `da(a, b, y)` =
/// ∂y/∂a and `db(a, b, y)` = ∂y/∂b, then sums back to each input's shape.
struct Zip2<DA, DB> {
    name: &'static str,
    da: DA,
    db: DB,
}

impl<T, DA, DB> Op<T> for Zip2<DA, DB>
where
    T: Float,
    DA: Fn(T, T, T) -> T + 'static,
    DB: Fn(T, T, T) -> T + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }
    fn backward(&self, inputs: &[Tensor<T>], out: &ArrayD<T>, grad: ArrayD<T>) {
        let (a, b) = (&inputs[0], &inputs[1]);
        let (av, bv) = (a.value(), b.value());
        let (ab, bb) = (broadcast_view(&av, out), broadcast_view(&bv, out));
        if a.requires_grad() {
            a.accumulate_grad(unbroadcast(
                chain(&grad, &ab, &bb, out, &self.da),
                av.shape(),
            ));
        }
        if b.requires_grad() {
            b.accumulate_grad(unbroadcast(
                chain(&grad, &ab, &bb, out, &self.db),
                bv.shape(),
            ));
        }
    }
}

/// The chain rule for one input of a binary op: g · ∂y/∂input, elementwise
/// over the broadcast shape.
fn chain<T: Float>(
    grad: &ArrayD<T>,
    a: &ArrayViewD<'_, T>,
    b: &ArrayViewD<'_, T>,
    out: &ArrayD<T>,
    partial: impl Fn(T, T, T) -> T,
) -> ArrayD<T> {
    Zip::from(grad)
        .and(a)
        .and(b)
        .and(out)
        .map_collect(|&g, &a, &b, &y| g * partial(a, b, y))
}

/// `x` seen with the shape of `out` (the broadcast result).
fn broadcast_view<'a, T: Float>(x: &'a ArrayD<T>, out: &ArrayD<T>) -> ArrayViewD<'a, T> {
    x.broadcast(out.raw_dim())
        .expect("shapes were checked in the forward pass")
}

impl<T: Float> Tensor<T> {
    /// Applies `f` to broadcast pairs of elements, recording the partial
    /// derivatives `da`, `db` (functions of a, b and the output y).
    fn zip_elementwise(
        &self,
        other: &Tensor<T>,
        name: &'static str,
        f: impl Fn(T, T) -> T,
        da: impl Fn(T, T, T) -> T + 'static,
        db: impl Fn(T, T, T) -> T + 'static,
    ) -> Tensor<T> {
        let (a, b) = (self.value(), other.value());
        let shape = broadcast_or_panic(name, a.shape(), b.shape());
        let ab = a.broadcast(shape.as_slice()).expect("checked above");
        let bb = b.broadcast(shape.as_slice()).expect("checked above");
        let y = Zip::from(&ab).and(&bb).map_collect(|&a, &b| f(a, b));
        drop((a, b));
        Tensor::from_op(y, Zip2 { name, da, db }, [self.clone(), other.clone()])
    }

    /// a + b, broadcasting. ∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1
    pub fn add(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_elementwise(
            other,
            "add",
            |a, b| a + b,
            |_, _, _| T::one(),
            |_, _, _| T::one(),
        )
    }

    /// a − b, broadcasting. ∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1
    pub fn sub(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_elementwise(
            other,
            "sub",
            |a, b| a - b,
            |_, _, _| T::one(),
            |_, _, _| -T::one(),
        )
    }

    /// a·b, broadcasting. ∂(ab)/∂a = b, ∂(ab)/∂b = a
    pub fn mul(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_elementwise(other, "mul", |a, b| a * b, |_, b, _| b, |a, _, _| a)
    }

    /// a / b, broadcasting. ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b² = −y/b
    pub fn div(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_elementwise(
            other,
            "div",
            |a, b| a / b,
            |_, b, _| b.recip(),
            |_, b, y| -y / b,
        )
    }
}
