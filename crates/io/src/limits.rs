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
/// Bytes of one record of a CSV file (a line, or the lines of a quoted
/// cell that spans lines): 16 MiB (a record is read whole before its cells
/// are parsed).
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

/// The numbers of `copies` d × d Gram matrices XᵀX (d = `features`)
/// against [`MAX_VALUES`]: `path`'s linear engine keeps about two per
/// fold. Data with many more features than fit in that (d ≳ 7 000 for
/// one copy) would ask for gigabytes.
pub fn check_gram(features: usize, copies: usize) -> Result<(), LimitExceeded> {
    check_size(
        format!(
            "the size of {copies} Gram matrices XᵀX of {features} features ({copies} × {features}² numbers)"
        ),
        Size::product(features as u128, features as u128).times(copies as u128),
        MAX_VALUES,
    )
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

/// The sizes a path or study run takes from its options, each with the
/// name the user gave it (for the error).
#[derive(Clone, Copy, Debug)]
pub struct RunSizes<'a> {
    /// The λ values of the grid.
    pub grid: (&'a str, usize),
    /// Each epoch budget.
    pub epochs: &'a [(&'a str, usize)],
    /// The hidden widths.
    pub hidden: (&'a str, &'a [usize]),
    /// A synthetic data set's samples and features, with the name of their
    /// product; `None` for data read from a file (its reader checks it).
    pub synthetic: Option<(&'a str, usize, usize)>,
}

/// Every size of `run` against its limit: the grid against [`MAX_GRID`],
/// each epoch budget against [`MAX_EPOCHS`], the hidden widths against
/// [`MAX_WIDTH`], and for synthetic data samples × features against
/// [`MAX_VALUES`] and the MLP features → hidden → 1 against
/// [`MAX_PARAMETERS`]. The one check of `path` and `sparsity`.
pub fn check_run(run: &RunSizes<'_>) -> Result<(), LimitExceeded> {
    check(run.grid.0, run.grid.1 as u64, MAX_GRID)?;
    for &(name, epochs) in run.epochs {
        check(name, epochs as u64, MAX_EPOCHS)?;
    }
    check_widths(run.hidden.0, run.hidden.1)?;
    if let Some((name, samples, features)) = run.synthetic {
        check_size(
            name,
            Size::product(samples as u128, features as u128),
            MAX_VALUES,
        )?;
        let widths: Vec<usize> = std::iter::once(features)
            .chain(run.hidden.1.iter().copied())
            .chain([1])
            .collect();
        check_mlp(&widths)?;
    }
    Ok(())
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

    #[test]
    fn a_run_names_the_first_size_over_its_limit() {
        let run = |grid, epochs, hidden: &[usize], synthetic| {
            check_run(&RunSizes {
                grid: ("--grid", grid),
                epochs: &[("--first", 10), ("--settle", epochs)],
                hidden: ("--hidden", hidden),
                synthetic,
            })
            .map_err(|e| e.to_string())
        };
        let data = Some(("samples × features", 1000, 50));
        assert_eq!(run(10, 10, &[32], data), Ok(()));
        let at = |what: &str, value: u128, limit: u64| {
            Err(format!("{what} is {value}, above the limit of {limit}"))
        };
        assert_eq!(run(10_001, 10, &[32], data), at("--grid", 10_001, MAX_GRID));
        assert_eq!(
            run(10, 2_000_000, &[32], data),
            at("--settle", 2_000_000, MAX_EPOCHS)
        );
        assert_eq!(
            run(10, 10, &[32, 70_000], data),
            at("--hidden layer 2 width", 70_000, MAX_WIDTH)
        );
        let big = Some(("samples × features", 1_000_000, 100));
        assert_eq!(
            run(10, 10, &[32], big),
            at("samples × features", 100_000_000, MAX_VALUES)
        );
        // 40 000 features → 300 hidden: (40 001)·300 + 301·1 parameters
        let wide = Some(("samples × features", 10, 40_000));
        assert_eq!(
            run(10, 10, &[300], wide),
            at("the model's parameter count", 12_000_601, MAX_PARAMETERS)
        );
        assert_eq!(
            run(10, 10, &[300], None),
            Ok(()),
            "a file's data is checked by its reader"
        );
    }
}
