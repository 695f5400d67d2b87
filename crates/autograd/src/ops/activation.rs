//! Activation functions, and softmax / log-softmax along an axis.

use ndarray::{ArrayD, Axis, Zip};

use super::checked_axis;
use super::elementwise::pass_if;
use crate::{Float, Op, Tensor};

/// √(2/π), for the tanh approximation of GELU.
const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
/// The cubic coefficient of the tanh approximation of GELU.
const GELU_CUBIC: f64 = 0.044_715;

impl<T: Float> Tensor<T> {
    /// max(x, 0). d/dx = 1 where x > 0, else 0 (0 at x = 0, as PyTorch).
    pub fn relu(&self) -> Tensor<T> {
        self.map_elementwise("relu", |x| x.max(T::zero()), |x, _| pass_if(x > T::zero()))
    }

    /// x where x > 0, else s·x. d/dx = 1 where x > 0, else s.
    pub fn leaky_relu(&self, s: T) -> Tensor<T> {
        self.map_elementwise(
            "leaky_relu",
            move |x| if x > T::zero() { x } else { s * x },
            move |x, _| if x > T::zero() { T::one() } else { s },
        )
    }

    /// tanh x. d(tanh x)/dx = 1 − tanh²x, from the output.
    /// (In f32 through a vectorizing kernel: see [`math::tanh_f32`](crate::math::tanh_f32).)
    pub fn tanh(&self) -> Tensor<T> {
        self.map_elementwise("tanh", T::tanh_vectorizable, |_, y| T::one() - y * y)
    }

    /// σ(x) = 1/(1 + e⁻ˣ). dσ/dx = σ(1 − σ), from the output.
    pub fn sigmoid(&self) -> Tensor<T> {
        self.map_elementwise("sigmoid", sigmoid, |_, y| y * (T::one() - y))
    }

    /// GELU, tanh approximation (PyTorch's `approximate="tanh"`):
    /// y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³).
    /// dy/dx = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²).
    pub fn gelu(&self) -> Tensor<T> {
        let (c, k, half) = (
            T::from_f64(SQRT_2_OVER_PI),
            T::from_f64(GELU_CUBIC),
            T::from_f64(0.5),
        );
        let three = T::from_f64(3.0);
        let t = move |x: T| (c * (x + k * x * x * x)).tanh();
        self.map_elementwise(
            "gelu",
            move |x| half * x * (T::one() + t(x)),
            move |x, _| {
                let t = t(x);
                half * (T::one() + t)
                    + half * x * (T::one() - t * t) * c * (T::one() + three * k * x * x)
            },
        )
    }

    /// softplus(x) = ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^−|x|) so
    /// that it neither overflows for large x nor loses precision for very
    /// negative x. d/dx = σ(x).
    pub fn softplus(&self) -> Tensor<T> {
        self.map_elementwise(
            "softplus",
            |x| x.max(T::zero()) + (-x.abs()).exp().ln_1p(),
            |x, _| sigmoid(x),
        )
    }

    /// softmax along `axis`: yᵢ = e^xᵢ / Σⱼ e^xⱼ = e^(xᵢ − ln Σⱼ e^xⱼ), with
    /// the log-sum-exp computed stably (see [`log_softmax`](Tensor::log_softmax)).
    /// ∂L/∂xᵢ = yᵢ·(gᵢ − Σⱼ gⱼyⱼ).
    pub fn softmax(&self, axis: usize) -> Tensor<T> {
        let axis = checked_axis("softmax", axis, &self.shape());
        let mut y = self.to_array();
        for mut lane in y.lanes_mut(axis) {
            let lse = log_sum_exp(lane.view());
            lane.mapv_inplace(|x| (x - lse).exp());
        }
        Tensor::from_op(y, Softmax { axis, log: false }, [self.clone()])
    }

    /// log-softmax along `axis`: yᵢ = xᵢ − m − ln Σⱼ e^(xⱼ−m), stable for
    /// logits of any size. ∂L/∂xᵢ = gᵢ − e^(yᵢ)·Σⱼ gⱼ.
    pub fn log_softmax(&self, axis: usize) -> Tensor<T> {
        let axis = checked_axis("log_softmax", axis, &self.shape());
        let mut y = self.to_array();
        for mut lane in y.lanes_mut(axis) {
            let lse = log_sum_exp(lane.view());
            lane.mapv_inplace(|x| x - lse);
        }
        Tensor::from_op(y, Softmax { axis, log: true }, [self.clone()])
    }
}

/// σ(x) = 1/(1 + e⁻ˣ); for very negative x, e⁻ˣ overflows to ∞ and σ to 0,
/// which is the right limit.
pub(crate) fn sigmoid<T: Float>(x: T) -> T {
    (T::one() + (-x).exp()).recip()
}

/// ln Σ eˣ = m + ln Σ e^(x−m), m = max x: the shift changes nothing
/// mathematically and keeps every e^· at most 1, so nothing overflows.
pub(crate) fn log_sum_exp<T: Float>(lane: ndarray::ArrayView1<'_, T>) -> T {
    let m = lane.fold(T::neg_infinity(), |m, &x| m.max(x));
    if m == T::neg_infinity() {
        return m; // every logit is −∞: the sum is 0
    }
    m + lane.fold(T::zero(), |s, &x| s + (x - m).exp()).ln()
}

/// softmax (`log: false`) or log-softmax (`log: true`) along `axis`.
struct Softmax {
    axis: Axis,
    log: bool,
}

impl<T: Float> Op<T> for Softmax {
    fn name(&self) -> &'static str {
        if self.log { "log_softmax" } else { "softmax" }
    }
    fn backward(&self, inputs: &[Tensor<T>], out: &ArrayD<T>, grad: ArrayD<T>) {
        let x = &inputs[0];
        if !x.requires_grad() {
            return;
        }
        let mut dx = grad;
        Zip::from(dx.lanes_mut(self.axis))
            .and(out.lanes(self.axis))
            .for_each(|mut g, y| {
                if self.log {
                    // gᵢ − e^(yᵢ)·Σⱼ gⱼ
                    let s = g.sum();
                    Zip::from(&mut g)
                        .and(&y)
                        .for_each(|g, &y| *g -= y.exp() * s);
                } else {
                    // yᵢ·(gᵢ − Σⱼ gⱼyⱼ)
                    let s = g.dot(&y);
                    Zip::from(&mut g)
                        .and(&y)
                        .for_each(|g, &y| *g = y * (*g - s));
                }
            });
        x.accumulate_grad(dx.into());
    }
}
