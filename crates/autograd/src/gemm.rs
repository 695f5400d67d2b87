//! How matrix products run: which library multiplies, and on how many
//! threads. Every product of the framework, forward and backward, goes
//! through [`gemm()`].
//!
//! The library is the `gemm` crate (pure Rust, AVX-512 kernels where the
//! CPU has them, picked at run time) or, with the `blas` feature, the
//! system's OpenBLAS (Debian: `libopenblas-dev`). Either way the library
//! itself multiplies on one thread; threads come from cutting a large
//! product into bands of C:
//!
//! ```text
//! C = A·B, cut by rows:     [C₀; C₁] = [A₀; A₁]·B
//! C = A·B, cut by columns:  [C₀ C₁]  = A·[B₀ B₁]
//! ```
//!
//! Each band is an ordinary single-threaded product on views. How a
//! product is cut depends on its shape alone (see `band_count`), never on
//! the thread count: one thread multiplies the bands one after the other,
//! two share them out. Every element of C therefore comes from the same
//! call on the same operands whoever computes it, and results are bit for
//! bit the same on 1 thread or 8, with either library (tested on odd
//! shapes and transposed views). That matters because a library's product
//! is not the same sum in another shape: the `gemm` crate, for one, blocks
//! k differently for outputs up to 64×64 and takes other kernels for a
//! single row or column.
//!
//! The default is one thread (see [`set_matmul_threads`]): the networks
//! this framework is for are small, and on small products a second thread
//! costs more than it saves.
//!
//! With glibc, a program that multiplies on several threads gains from
//! telling malloc to keep freed memory (`mallopt(M_MMAP_THRESHOLD, 32 MiB)`
//! and `mallopt(M_TRIM_THRESHOLD, 256 MiB)`, or the environment variables
//! `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_`): otherwise each
//! helper thread hands its packing buffers back to the operating system
//! after every product and faults them in again on the next (measured on a
//! 1024-wide network with two threads: 37 → 45 steps/s). The `throughput`
//! program does this; a library should not decide it for its users.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use ndarray::{ArrayView2, ArrayViewMut2, Axis};

use crate::Float;

/// Products with fewer multiply-adds than this per band stay one band, on
/// the calling thread: handing a band to another thread costs several µs
/// (waking it, and the caller waiting for the slower of the two), which a
/// band of this size (about 25 µs at 160 GFLOP/s) repays. Measured on W3
/// with two threads (three interleaved rounds against 2²⁰, 2²² and 2²³):
/// with 2²⁰ its 4·10⁶-multiply-add products went in four bands of 13 µs
/// and the step was the slowest of the four settings in every round.
/// Measured again once the band list no longer serialized the threads
/// (two interleaved rounds, W3 and W4 on 1 and 2 threads, against 2²²,
/// 2²³ and at most 4 bands): W3 on two threads ran at 531–587 steps/s
/// here and 330–515 with the others, and no setting was faster on one.
const MIN_MULADDS_PER_BAND: usize = 1 << 21;

/// At most this many bands: enough to share out evenly over 2 or 4
/// threads, few enough that one thread, which multiplies them one after the
/// other, repacks the shared operand only a few times. Each band packs the
/// operand it shares again: W4's dW product alone ran at 91.0, 89.3, 86.4
/// and 80.0 GFLOP/s on one core in 1, 2, 4 and 8 bands. Against 8 bands
/// (three interleaved rounds, medians, steps/s) 4 ran W4 at 30.1 vs 29.3 on
/// one thread and 55.5 vs 53.7 on two, W3 at 604 vs 592 on one and 979 vs
/// 964 on two. The count depends on the shape alone, never on the threads,
/// so that every thread count adds the same products in the same order.
const MAX_BANDS: usize = 4;

/// Bands are whole multiples of this many rows or columns: the side of the
/// AVX-512 f32 kernels' tiles, so that bands do not cut a tile in two.
const BAND_ALIGN: usize = 16;

/// A band spans at least this many tiles (64 rows or columns): each band
/// packs the operand it shares with the others again, a cost of one
/// multiply-add per element against the band's width of them.
const MIN_TILES_PER_BAND: usize = 4;

/// The thread count set by [`set_matmul_threads`].
static THREADS: AtomicUsize = AtomicUsize::new(1);

/// The helper threads (all but the caller's) that multiply bands, created
/// by [`set_matmul_threads`] and shared by every product.
static HELPERS: Mutex<Option<Arc<rayon::ThreadPool>>> = Mutex::new(None);

/// Lets every matrix product use up to `threads` threads: the calling
/// thread and `threads − 1` helpers. `1` (the default) means exactly one
/// thread: no helper exists. Results do not depend on the count.
///
/// ```
/// use sparsegrad_autograd::gemm::{matmul_threads, set_matmul_threads};
/// set_matmul_threads(2).unwrap();
/// assert_eq!(matmul_threads(), 2);
/// set_matmul_threads(1).unwrap();
/// ```
///
/// # Errors
/// When the operating system refuses to start the helper threads; the
/// previous setting is then kept.
///
/// # Panics
/// When `threads` is 0.
pub fn set_matmul_threads(threads: usize) -> std::io::Result<()> {
    assert!(threads >= 1, "set_matmul_threads: need at least 1 thread");
    let mut helpers = HELPERS.lock().unwrap_or_else(PoisonError::into_inner);
    let current = helpers
        .as_ref()
        .map_or(1, |pool| pool.current_num_threads() + 1);
    if threads == current {
        THREADS.store(threads, Ordering::Relaxed);
        return Ok(());
    }
    *helpers = if threads == 1 {
        None
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads - 1)
            .thread_name(|i| format!("sparsegrad-matmul-{i}"))
            .build()
            .map_err(std::io::Error::other)?;
        Some(Arc::new(pool))
    };
    THREADS.store(threads, Ordering::Relaxed);
    Ok(())
}

/// The number of threads a matrix product may use (1 unless
/// [`set_matmul_threads`] said otherwise).
pub fn matmul_threads() -> usize {
    THREADS.load(Ordering::Relaxed)
}

/// C ← α·A·B + β·C, on views (a transposed operand is a stride swap, not a
/// copy), cut into bands that the [`matmul_threads`] share out when the
/// product is large enough to gain from it.
///
/// # Panics
/// When the shapes do not fit (A is m×k, B k×n, C m×n), naming them:
/// `gemm: [2, 3] x [4, 5] -> [2, 5]: shapes do not fit`.
pub fn gemm<T: Float>(
    alpha: T,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
    beta: T,
    c: &mut ArrayViewMut2<'_, T>,
) {
    let (m, n) = c.dim();
    let k = a.ncols();
    assert!(
        a.nrows() == m && b.ncols() == n && k == b.nrows(),
        "gemm: {:?} x {:?} -> {:?}: shapes do not fit",
        a.shape(),
        b.shape(),
        c.shape()
    );
    // Split the longer side of C: each band then repeats the packing of the
    // smaller operand only (rows repeat B, columns repeat A). A layer's
    // x·Wᵀ goes by rows whatever its shape: its bands are multiplied
    // column-major, reading B without packing it (`flat_times_transposed`).
    let by_rows = m >= n || flat_times_transposed(a, b, c);
    let len = if by_rows { m } else { n };
    let tiles = len.div_ceil(BAND_ALIGN);
    let bands = band_count(m * n * k, tiles);
    if bands == 1 {
        return product(alpha, a, b, beta, c);
    }
    // band i covers [end(i), end(i + 1)), whole tiles shared out evenly
    let end = |i: usize| (tiles * i / bands * BAND_ALIGN).min(len);
    let axis = if by_rows { Axis(0) } else { Axis(1) };
    let (mut a, mut b, mut c) = (a.view(), b.view(), c.view_mut());
    let mut work = Vec::with_capacity(bands);
    for i in (1..bands).rev() {
        // peel the last band off
        let at = end(i);
        let (c_rest, c_band) = c.split_at(axis, at);
        c = c_rest;
        let (a_band, b_band) = if by_rows {
            let (rest, band) = a.split_at(Axis(0), at);
            a = rest;
            (band, b)
        } else {
            let (rest, band) = b.split_at(Axis(1), at);
            b = rest;
            (a, band)
        };
        work.push((a_band, b_band, c_band));
    }
    work.push((a, b, c));
    let helpers = if matmul_threads() > 1 {
        HELPERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    } else {
        None
    };
    let Some(helpers) = helpers else {
        for (a, b, mut c) in work {
            product(alpha, &a, &b, beta, &mut c);
        }
        return;
    };
    // Every thread takes the next band until none is left: whoever
    // computes a band, it is the same product on the same views.
    let work = Mutex::new(work);
    let multiply = |(a, b, mut c): Band<'_, T>| product(alpha, &a, &b, beta, &mut c);
    let helper_count = helpers.current_num_threads().min(bands - 1);
    helpers.in_place_scope(|scope| {
        for _ in 0..helper_count {
            scope.spawn(|_| take_bands(&work, multiply));
        }
        take_bands(&work, multiply);
    });
}

/// A band of a product: its rows (or columns) of A, B and C.
type Band<'a, T> = (ArrayView2<'a, T>, ArrayView2<'a, T>, ArrayViewMut2<'a, T>);

/// Takes bands off the shared list and multiplies them until none is left.
/// The list is locked only to take a band, never while multiplying one:
/// a guard in a `while let` condition would live through the loop body and
/// make the threads multiply one at a time.
fn take_bands<B>(work: &Mutex<Vec<B>>, mut multiply: impl FnMut(B)) {
    loop {
        let next = work.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let Some(band) = next else { return };
        multiply(band);
    }
}

/// How many bands a product of `muladds` multiply-adds is cut into, when
/// its longer side has `tiles` tiles: a power of two (1, 2 or 4) with
/// at least [`MIN_MULADDS_PER_BAND`] and [`MIN_TILES_PER_BAND`] each. It depends
/// on the shape alone, never on the thread count, so every element of C
/// comes from the same single-threaded product of the same band on 1
/// thread or 8: the same bits, whatever the library does inside a band.
fn band_count(muladds: usize, tiles: usize) -> usize {
    let fit = (muladds / MIN_MULADDS_PER_BAND)
        .min(tiles / MIN_TILES_PER_BAND)
        .min(MAX_BANDS);
    if fit <= 1 { 1 } else { 1 << fit.ilog2() }
}

/// One band's product on the calling thread: C ← α·A·B + β·C by the
/// `gemm` crate (or, with the `blas` feature, OpenBLAS through ndarray).
fn product<T: Float>(
    alpha: T,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
    beta: T,
    c: &mut ArrayViewMut2<'_, T>,
) {
    #[cfg(feature = "blas")]
    {
        single_threaded_blas();
        ndarray::linalg::general_mat_mul(alpha, a, b, beta, c);
    }
    #[cfg(not(feature = "blas"))]
    {
        if flat_times_transposed(a, b, c) {
            return via_column_major(alpha, a, b, beta, c);
        }
        let [c_rs, c_cs] = [c.strides()[0], c.strides()[1]];
        // SAFETY: C is a view of m×n elements with these strides, borrowed
        // mutably, so it overlaps neither A nor B.
        unsafe { crate_gemm(alpha, a, b, beta, c.as_mut_ptr(), c_rs, c_cs) }
    }
}

/// Whether C = A·B is the forward product of a layer, x·Wᵀ (both operands
/// contiguous along k) into a row-major C with several times more columns
/// than rows. The `gemm` crate multiplies into a column-major C; handed a
/// row-major one, it computes Cᵀ = Bᵀ·Aᵀ and packs Bᵀ = W, the larger
/// operand, with a transposing gather. Written column-major, C = A·B packs
/// only the smaller A and reads W as it lies, which costs C's transposition
/// (m·n copies) and saves more when n ≥ 2m and k is not short. Measured on
/// the project's machine, one core, GFLOP/s before → after: 256×1024×1024
/// (W4's layers) 83 → 90, 128×256×784 (W3's first) 85 → 89, 32×1024×1024
/// 42 → 91; 128×256×128 lost (85 → 80), as did every shape with n < 2m.
/// A row band of such a product is one too, so [`gemm()`] cuts them by rows
/// (W4's layer as 4 bands of 64 rows: 92 GFLOP/s, against 84 as 8 bands of
/// 128 columns multiplied row-major). The `blas` build cuts the same way.
fn flat_times_transposed<T: Float>(
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
    c: &ArrayViewMut2<'_, T>,
) -> bool {
    let ((m, n), k) = (c.dim(), a.ncols());
    c.strides()[1] == 1
        && a.strides()[1] == 1
        && b.strides()[0] == 1
        && m >= 8
        && n >= 2 * m
        && k >= 256
        // the scratch buffer holds u64s: T must fit their alignment
        && std::mem::align_of::<T>() <= std::mem::align_of::<u64>()
}

#[cfg(not(feature = "blas"))]
thread_local! {
    /// The column-major C of [`via_column_major`], kept between products
    /// so that a training step allocates it once per thread, not once per
    /// product. Held as u64 words so that one buffer serves f32 and f64.
    static COLUMN_MAJOR_C: std::cell::RefCell<Vec<u64>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// C ← α·S + β·C, where S = A·B is multiplied into a column-major scratch
/// buffer first (see [`flat_times_transposed`]).
#[cfg(not(feature = "blas"))]
fn via_column_major<T: Float>(
    alpha: T,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
    beta: T,
    c: &mut ArrayViewMut2<'_, T>,
) {
    let (m, n) = c.dim();
    COLUMN_MAJOR_C.with_borrow_mut(|words| {
        let len = m * n;
        words.resize((len * std::mem::size_of::<T>()).div_ceil(8), 0);
        // SAFETY: the buffer holds at least m·n elements of T (T is no
        // more aligned than u64, checked by flat_times_transposed); it is
        // this thread's own, so nothing else reads or writes it meanwhile.
        let s = unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<T>(), len) };
        // SAFETY: s is m×n elements, column-major (row stride 1, column
        // stride m), and overlaps neither A nor B.
        unsafe { crate_gemm(T::one(), a, b, T::zero(), s.as_mut_ptr(), 1, m as isize) };
        // C[i][j] = α·S[i + j·m] (+ β·C[i][j]), in tiles of 64×64: a
        // tile's columns of S (16 KiB) stay in L1 while its rows of C are
        // written. Row i of a tile reads S with stride m through an
        // iterator (no bounds check per element) and tests β once, not per
        // element: 0.54 against 1.07 ns an element for W4's 64×1024 bands
        // (one core of the project's Zen 3 machine, interleaved medians).
        const TILE: usize = 64;
        for i0 in (0..m).step_by(TILE) {
            for j0 in (0..n).step_by(TILE) {
                let j1 = (j0 + TILE).min(n);
                for i in i0..(i0 + TILE).min(m) {
                    let mut row = c.row_mut(i);
                    let row = &mut row.as_slice_mut().expect("C's rows are contiguous")[j0..j1];
                    let column = s[j0 * m + i..].iter().step_by(m);
                    if beta == T::zero() {
                        row.iter_mut()
                            .zip(column)
                            .for_each(|(c, &s)| *c = alpha * s);
                    } else {
                        let terms = row.iter_mut().zip(column);
                        terms.for_each(|(c, &s)| *c = alpha * s + beta * *c);
                    }
                }
            }
        }
    });
}

/// dst ← α·A·B + β·dst by the `gemm` crate, for a dst of A's rows and B's
/// columns at `c` with row stride `c_rs` and column stride `c_cs`.
///
/// # Safety
/// `c` with those strides must address A.nrows() × B.ncols() elements
/// that overlap neither A nor B and that nothing else accesses meanwhile.
#[cfg(not(feature = "blas"))]
unsafe fn crate_gemm<T: Float>(
    alpha: T,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
    beta: T,
    c: *mut T,
    c_rs: isize,
    c_cs: isize,
) {
    let [a_rs, a_cs] = [a.strides()[0], a.strides()[1]];
    let [b_rs, b_cs] = [b.strides()[0], b.strides()[1]];
    // SAFETY: A and B are views of m×k and k×n elements, which gemm()
    // checked fit; the caller vouches for dst. The crate computes
    // dst ← α'·dst + β'·lhs·rhs, reading dst only when told to: with our
    // β = 0 it overwrites dst without reading it (a fresh, unmapped buffer
    // is never faulted in for reading, and NaN there stays out).
    unsafe {
        ::gemm::gemm(
            a.nrows(),
            b.ncols(),
            a.ncols(),
            c,
            c_cs,
            c_rs,
            beta != T::zero(),
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            beta,
            alpha,
            false,
            false,
            false,
            ::gemm::Parallelism::None,
        );
    }
}

/// With the `blas` feature, tells OpenBLAS (once) to multiply on the
/// calling thread only: threads are [`gemm()`]'s business, and OpenBLAS's own
/// threads inside gemm's would oversubscribe the cores.
#[cfg(feature = "blas")]
fn single_threaded_blas() {
    #[link(name = "openblas")]
    unsafe extern "C" {
        fn openblas_set_num_threads(threads: std::ffi::c_int);
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: a plain setter of OpenBLAS, callable at any time.
    ONCE.call_once(|| unsafe { openblas_set_num_threads(1) });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regression that kept two threads from ever multiplying at once:
    /// the list stayed locked while a band was multiplied.
    #[test]
    fn the_band_list_is_unlocked_while_a_band_is_multiplied() {
        let work = Mutex::new(vec![1, 2, 3]);
        let mut seen = Vec::new();
        take_bands(&work, |band| {
            assert!(
                work.try_lock().is_ok(),
                "band {band}: the list is still locked"
            );
            seen.push(band);
        });
        assert_eq!(seen, [3, 2, 1]);
        assert!(work.lock().unwrap().is_empty());
    }

    /// Only a layer's x·Wᵀ with n ≥ 2m and k ≥ 256 goes column-major: not
    /// the backward products (G·W, Gᵀ·x), not a square or tall x·Wᵀ, not a
    /// short k, and not an output stored column-major.
    #[test]
    fn only_flat_products_with_a_transposed_operand_go_column_major() {
        use ndarray::Array2;
        let route = |m, k, n, a_t: bool, b_t: bool| {
            let a = Array2::<f32>::zeros(if a_t { (k, m) } else { (m, k) });
            let b = Array2::<f32>::zeros(if b_t { (n, k) } else { (k, n) });
            let mut c = Array2::<f32>::zeros((m, n));
            let a = if a_t { a.t() } else { a.view() };
            let b = if b_t { b.t() } else { b.view() };
            let row_major = flat_times_transposed(&a, &b, &c.view_mut());
            let mut ct = Array2::<f32>::zeros((n, m));
            let col_major = flat_times_transposed(&a, &b, &ct.view_mut().reversed_axes());
            assert!(!col_major, "{m}x{k}x{n}: C column-major");
            row_major
        };
        assert!(route(256, 1024, 1024, false, true)); // W4's x·Wᵀ
        assert!(route(128, 784, 256, false, true)); // W3's first
        assert!(!route(256, 1024, 1024, false, false)); // G·W
        assert!(!route(1024, 256, 1024, true, false)); // Gᵀ·x
        assert!(!route(1024, 1024, 1024, false, true)); // square
        assert!(!route(128, 128, 256, false, true)); // k short
        assert!(!route(4, 1024, 1024, false, true)); // m tiny
    }
}
