//! The element type of a tensor: `f32` or `f64`.

use std::fmt::{self, Debug, Display, LowerExp};
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
    + LowerExp
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

/// Shows a number in the fewest digits that read back, in its own type, as
/// the same value (Rust's `Display` and `LowerExp` both choose those
/// digits): positional like `0.25` or `-3`, or, as Python's `repr` does, in
/// exponent form like `1e-30` or `1e308` when |x| < 1e-4 or |x| ≥ 1e16,
/// where the positional form would spell out dozens of zeros. Error
/// messages show the values a user gave through it, so that `--eps 1e308`
/// is echoed as `1e308`, not as 309 digits.
///
/// ```
/// use sparsegrad_autograd::Shortest;
/// let shown: Vec<String> = [0.1f32, -3.0, 1.0 / 3.0, 2.5e-30, 0.0, 1e30]
///     .map(|x| Shortest(x).to_string())
///     .into();
/// assert_eq!(shown, ["0.1", "-3", "0.33333334", "2.5e-30", "0", "1e30"]);
/// assert_eq!(Shortest(f64::NAN).to_string(), "NaN");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Shortest<T>(pub T);

impl<T: Float> Display for Shortest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.abs().as_f64();
        if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
            LowerExp::fmt(&self.0, f)
        } else {
            Display::fmt(&self.0, f)
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
