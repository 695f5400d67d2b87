//! The largest sizes accepted from outside, checked before anything is
//! allocated for them, so that a typo (`--hidden 1000000000`) or a hostile
//! file (`/dev/zero` as a CSV) ends in one error line naming the limit
//! instead of an aborted allocation.
//!
//! Each limit is far above what this framework trains well on one machine
//! (a network of ten million parameters, a data set of fifty million
//! numbers) and far below what would exhaust memory.

use std::fmt;

use thiserror::Error;

/// Parameters of one model (weights and biases): 10⁷, 80 MB in f64 per
/// copy (the optimizer keeps up to three more).
pub const MAX_PARAMETERS: u64 = 10_000_000;
/// Units of one hidden layer: 65 536 (the activations of a batch are
/// batch × width numbers).
pub const MAX_WIDTH: u64 = 65_536;
/// Epochs of one run: 10⁶ (one loss is kept per epoch).
pub const MAX_EPOCHS: u64 = 1_000_000;
/// λ values on a regularization path grid: 10 000.
pub const MAX_GRID: u64 = 10_000;
/// Numbers of one data set (samples × features, counting only the columns
/// used): 5·10⁷, 400 MB in f64.
pub const MAX_VALUES: u64 = 50_000_000;
/// Threads of the matrix products: 256.
pub const MAX_THREADS: u64 = 256;
/// Bytes of one line of a CSV file: 16 MiB (a line is read whole before
/// its cells are parsed).
pub const MAX_LINE_BYTES: u64 = 16 << 20;
/// Bytes of a model file: 256 MiB (the file is read whole, then parsed;
/// a model at [`MAX_PARAMETERS`] takes about 220 MB of JSON).
pub const MAX_MODEL_FILE_BYTES: u64 = 256 << 20;

/// A size beyond its limit: `what is value, above the limit of limit`.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{what} is {value}, above the limit of {limit}")]
pub struct LimitExceeded {
    /// What was measured, as the user would name it ("--hidden layer 1
    /// width", "the model's parameter count").
    pub what: String,
    /// The size found (a product of sizes is computed without overflow).
    pub value: Size,
    /// The limit.
    pub limit: u64,
}

/// A size as found: a count that may exceed any machine integer (the
/// product of two large options) is kept exactly in 128 bits, or as
/// "more than" when even that overflows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// The exact size.
    Exact(u128),
    /// A size beyond 2¹²⁸.
    Huge,
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Size::Exact(n) => write!(f, "{n}"),
            Size::Huge => f.write_str("more than 2^128"),
        }
    }
}

impl Size {
    /// `a · b`, exact.
    pub fn product(a: impl Into<u128>, b: impl Into<u128>) -> Size {
        Size::Exact(a.into()).times(b)
    }

    /// `self · b`.
    pub fn times(self, b: impl Into<u128>) -> Size {
        match self {
            Size::Exact(a) => a.checked_mul(b.into()).map_or(Size::Huge, Size::Exact),
            Size::Huge => Size::Huge,
        }
    }

    /// `self + b`.
    pub fn plus(self, b: Size) -> Size {
        match (self, b) {
            (Size::Exact(a), Size::Exact(b)) => a.checked_add(b).map_or(Size::Huge, Size::Exact),
            _ => Size::Huge,
        }
    }
}

/// `Ok` when `value` ≤ `limit`, else the error naming `what`.
pub fn check(
    what: impl Into<String>,
    value: impl Into<u128>,
    limit: u64,
) -> Result<(), LimitExceeded> {
    check_size(what, Size::Exact(value.into()), limit)
}

/// [`check`] for a [`Size`] (a product or sum of sizes).
pub fn check_size(what: impl Into<String>, value: Size, limit: u64) -> Result<(), LimitExceeded> {
    match value {
        Size::Exact(n) if n <= u128::from(limit) => Ok(()),
        _ => Err(LimitExceeded {
            what: what.into(),
            value,
            limit,
        }),
    }
}

/// Each hidden width of `widths` against [`MAX_WIDTH`], named as layer
/// 1, 2, … of `option` (`--hidden layer 2 width is …`).
pub fn check_widths(option: &str, widths: &[usize]) -> Result<(), LimitExceeded> {
    widths.iter().enumerate().try_for_each(|(layer, &width)| {
        check(
            format!("{option} layer {} width", layer + 1),
            width as u64,
            MAX_WIDTH,
        )
    })
}

/// The parameters of an MLP of layer widths `widths` (inputs, hidden
/// widths, outputs), each linear layer holding (in + 1) · out numbers
/// (weight and bias), checked against [`MAX_PARAMETERS`].
pub fn check_mlp(widths: &[usize]) -> Result<(), LimitExceeded> {
    let parameters = widths.windows(2).fold(Size::Exact(0), |total, pair| {
        total.plus(Size::product(pair[0] as u128 + 1, pair[1] as u128))
    });
    check_size("the model's parameter count", parameters, MAX_PARAMETERS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_never_overflow_and_name_the_limit() {
        assert!(check_mlp(&[10, 64, 1]).is_ok());
        let error = check_mlp(&[100_000, 100_000, 1]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model's parameter count is 10000200001, above the limit of 10000000"
        );
        let huge = check_mlp(&[usize::MAX, usize::MAX, usize::MAX]).unwrap_err();
        assert_eq!(huge.value, Size::Huge);
        assert!(check("--epochs", u64::MAX, MAX_EPOCHS).is_err());
        assert!(check("--epochs", MAX_EPOCHS, MAX_EPOCHS).is_ok());
    }
}
