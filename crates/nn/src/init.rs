//! Initial values for weights, as `torch.nn.init`, drawn from an explicit
//! RNG only: the same seed gives the same bits.
//!
//! The schemes choose the spread of the weights so that the variance of the
//! activations (Xavier/Glorot) or of the activations and the gradients
//! (Kaiming/He) neither grows nor shrinks from layer to layer:
//!
//! | scheme | std | uniform bound a = √3·std |
//! | --- | --- | --- |
//! | Xavier | gain·√(2 / (fan_in + fan_out)) | gain·√(6 / (fan_in + fan_out)) |
//! | Kaiming | gain / √fan (fan = fan_in or fan_out) | gain·√(3 / fan) |
//! | torch.nn.Linear default | 1/√(3·fan_in) | 1/√fan_in |
//!
//! U(−a, a) has standard deviation a/√3, which links the two columns. The
//! fans of a weight of shape `[out, in, k…]` are fan_in = in·Πk and
//! fan_out = out·Πk (torch's `_calculate_fan_in_and_fan_out`).

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use sparsegrad_autograd::{Float, Tensor};

/// The nonlinearity that follows a layer, for the gain of
/// [`kaiming_uniform`] / [`kaiming_normal`] (torch's `calculate_gain`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Nonlinearity {
    /// No nonlinearity (or a convolution): gain 1.
    Linear,
    /// Logistic sigmoid: gain 1.
    Sigmoid,
    /// tanh: gain 5/3.
    Tanh,
    /// ReLU: gain √2, since ReLU zeroes half of a symmetric input and so
    /// halves its second moment.
    Relu,
    /// Leaky ReLU with this negative slope: gain √(2 / (1 + slope²)).
    LeakyRelu(f64),
    /// SELU: gain 3/4.
    Selu,
}

impl Nonlinearity {
    /// The recommended gain, as `torch.nn.init.calculate_gain`.
    pub fn gain(self) -> f64 {
        match self {
            Nonlinearity::Linear | Nonlinearity::Sigmoid => 1.0,
            Nonlinearity::Tanh => 5.0 / 3.0,
            Nonlinearity::Relu => std::f64::consts::SQRT_2,
            Nonlinearity::LeakyRelu(slope) => (2.0 / (1.0 + slope * slope)).sqrt(),
            Nonlinearity::Selu => 0.75,
        }
    }
}

/// Which fan Kaiming initialization preserves the variance over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FanMode {
    /// The forward pass: the variance of the activations (torch's default).
    #[default]
    FanIn,
    /// The backward pass: the variance of the gradients.
    FanOut,
}

/// (fan_in, fan_out) of a weight of shape `[out, in, k…]`:
/// (in·Πk, out·Πk).
///
/// # Panics
/// When the shape has fewer than 2 axes (torch refuses them too).
pub fn fans(shape: &[usize]) -> (usize, usize) {
    assert!(
        shape.len() >= 2,
        "fans: fan in and fan out need a shape with at least 2 axes, got {shape:?}"
    );
    let receptive_field: usize = shape[2..].iter().product();
    (shape[1] * receptive_field, shape[0] * receptive_field)
}

/// Samples from U[−bound, bound) (all zeros when `bound` is 0).
///
/// # Panics
/// When `bound` is negative or not finite.
pub fn uniform<T: Float>(shape: &[usize], bound: f64, rng: &mut impl Rng) -> Tensor<T> {
    assert!(
        bound.is_finite() && bound >= 0.0,
        "uniform: bound {bound} must be finite and non-negative"
    );
    if bound == 0.0 {
        return Tensor::zeros(shape);
    }
    let bound = T::from_f64(bound);
    Tensor::rand_uniform(shape, -bound, bound, rng)
}

/// Samples from N(0, std²).
///
/// # Panics
/// When `std` is negative or not finite.
pub fn normal<T: Float>(shape: &[usize], std: f64, rng: &mut impl Rng) -> Tensor<T>
where
    StandardNormal: Distribution<T>,
{
    assert!(
        std.is_finite() && std >= 0.0,
        "normal: std {std} must be finite and non-negative"
    );
    Tensor::rand_normal(shape, T::zero(), T::from_f64(std), rng)
}

/// The std of Xavier/Glorot initialization: gain·√(2 / (fan_in + fan_out)).
fn xavier_std(shape: &[usize], gain: f64) -> f64 {
    let (fan_in, fan_out) = fans(shape);
    gain * (2.0 / (fan_in + fan_out) as f64).sqrt()
}

/// The std of Kaiming/He initialization: gain / √fan.
fn kaiming_std(shape: &[usize], mode: FanMode, nonlinearity: Nonlinearity) -> f64 {
    let (fan_in, fan_out) = fans(shape);
    let fan = match mode {
        FanMode::FanIn => fan_in,
        FanMode::FanOut => fan_out,
    };
    nonlinearity.gain() / (fan as f64).sqrt()
}

/// Xavier/Glorot uniform: U(−a, a) with a = gain·√(6 / (fan_in + fan_out))
/// (`torch.nn.init.xavier_uniform_`).
pub fn xavier_uniform<T: Float>(shape: &[usize], gain: f64, rng: &mut impl Rng) -> Tensor<T> {
    uniform(shape, 3f64.sqrt() * xavier_std(shape, gain), rng)
}

/// Xavier/Glorot normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out))
/// (`torch.nn.init.xavier_normal_`).
pub fn xavier_normal<T: Float>(shape: &[usize], gain: f64, rng: &mut impl Rng) -> Tensor<T>
where
    StandardNormal: Distribution<T>,
{
    normal(shape, xavier_std(shape, gain), rng)
}

/// Kaiming/He uniform: U(−a, a) with a = gain·√(3 / fan)
/// (`torch.nn.init.kaiming_uniform_`).
pub fn kaiming_uniform<T: Float>(
    shape: &[usize],
    mode: FanMode,
    nonlinearity: Nonlinearity,
    rng: &mut impl Rng,
) -> Tensor<T> {
    uniform(
        shape,
        3f64.sqrt() * kaiming_std(shape, mode, nonlinearity),
        rng,
    )
}

/// Kaiming/He normal: N(0, std²) with std = gain / √fan
/// (`torch.nn.init.kaiming_normal_`).
pub fn kaiming_normal<T: Float>(
    shape: &[usize],
    mode: FanMode,
    nonlinearity: Nonlinearity,
    rng: &mut impl Rng,
) -> Tensor<T>
where
    StandardNormal: Distribution<T>,
{
    normal(shape, kaiming_std(shape, mode, nonlinearity), rng)
}

/// torch.nn.Linear's default for its weight and its bias alike:
/// U(−1/√fan_in, 1/√fan_in), fan_in = the layer's input features.
///
/// (For the weight this is `kaiming_uniform_(a=√5)`: gain √(2/(1+5)) =
/// 1/√3, so a = √3·(1/√3)/√fan_in = 1/√fan_in.)
///
/// # Panics
/// When `fan_in` is 0.
pub fn linear_default<T: Float>(shape: &[usize], fan_in: usize, rng: &mut impl Rng) -> Tensor<T> {
    assert!(
        fan_in > 0,
        "linear_default: fan_in must be positive (shape {shape:?})"
    );
    uniform(shape, 1.0 / (fan_in as f64).sqrt(), rng)
}
