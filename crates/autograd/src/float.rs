//! The element type of a tensor: `f32` or `f64`.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use ndarray::{LinalgScalar, ScalarOperand};
use rand::distr::uniform::SampleUniform;

/// The one bound every tensor element satisfies. Implemented for `f32` (the
/// default everywhere) and `f64` (used by [`gradcheck`](crate::gradcheck()),
/// where finite differences need the extra precision).
pub trait Float:
    num_traits::Float
    + LinalgScalar
    + ScalarOperand
    + SampleUniform
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Default
    + Debug
    + Display
    + Send
    + Sync
    + 'static
{
    /// The name of the type as the model files spell it (`"f32"`, `"f64"`).
    const NAME: &'static str;

    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64(x: f64) -> Self;

    /// Converts to `f64` exactly.
    fn as_f64(self) -> f64;

    /// Converts from a count (a batch size, a number of elements); exact for
    /// every count below 2²⁴ (`f32`) or 2⁵³ (`f64`).
    fn from_usize(n: usize) -> Self {
        Self::from_f64(n as f64)
    }

    /// tanh through a kernel that vectorizes when mapped over a slice: for
    /// f32 [`math::tanh_f32`](crate::math::tanh_f32) (within 1 ulp of the
    /// correctly rounded value), for f64 std's `tanh`.
    fn tanh_vectorizable(self) -> Self;

    /// sign(x) ∈ {−1, 0, 1} with **sign(0) = 0**, the subgradient of |x|
    /// that L1 uses (unlike [`signum`](num_traits::Float::signum), which
    /// gives ±1 at ±0). NaN stays NaN.
    fn sign(self) -> Self {
        if self > Self::zero() {
            Self::one()
        } else if self < Self::zero() {
            -Self::one()
        } else {
            self * Self::zero() // ±0 → 0, NaN → NaN
        }
    }
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline]
    fn tanh_vectorizable(self) -> Self {
        crate::math::tanh_f32(self)
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    fn from_f64(x: f64) -> Self {
        x
    }
    fn as_f64(self) -> f64 {
        self
    }
    #[inline]
    fn tanh_vectorizable(self) -> Self {
        self.tanh()
    }
}
