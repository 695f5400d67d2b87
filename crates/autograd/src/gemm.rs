//! How matrix products run: which library multiplies, and on how many
//! threads. Every product of the framework, forward and backward, goes
//! through [`gemm`].
//!
//! The library is matrixmultiply (pure Rust, AVX-512 kernels where the CPU
//! has them) or, with the `blas` feature, the system's OpenBLAS (Debian:
//! `libopenblas-dev`). Either way the library itself multiplies on one
//! thread; threads come from splitting a large product into bands of C,
//! one per thread:
//!
//! ```text
//! C = A·B, split by rows:     [C₀; C₁] = [A₀; A₁]·B
//! C = A·B, split by columns:  [C₀ C₁]  = A·[B₀ B₁]
//! ```
//!
//! Each band is an ordinary product on views, so every element of C is
//! computed by the same instructions in the same order whatever the number
//! of threads: with matrixmultiply, results are bit for bit the same with 1
//! thread or 8 (its blocking along k does not depend on m or n, and bands
//! start on its tile grid; tested). OpenBLAS picks kernels by size, so a
//! band can take another path than the whole product: with the `blas`
//! feature the last bits can differ between thread counts (seen in f64,
//! 300×64 · 64×260).
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

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, Axis};

use crate::Float;

/// Products with fewer multiply-adds than this per thread stay whole: a
/// band this small takes about as long as handing it to another thread
/// (tens of µs). 2²⁰ multiply-adds take about 25 µs at 80 GFLOP/s.
const MIN_MULADDS_PER_THREAD: usize = 1 << 20;

/// Bands are whole multiples of this many rows or columns: the side of the
/// AVX-512 f32 kernel's 16×16 tile, so no band ends in a partial tile that
/// the one-thread product would not have had.
const BAND_ALIGN: usize = 16;

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
/// copy), split into bands across the [`matmul_threads`] when the product
/// is large enough to gain from it.
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
    assert!(
        a.nrows() == m && b.ncols() == n && a.ncols() == b.nrows(),
        "gemm: {:?} x {:?} -> {:?}: shapes do not fit",
        a.shape(),
        b.shape(),
        c.shape()
    );
    single_threaded_blas();
    let muladds = m * n * a.ncols();
    let threads = matmul_threads().min(muladds / MIN_MULADDS_PER_THREAD);
    // Split the longer side of C: each band then repeats the packing of the
    // smaller operand only (rows repeat B, columns repeat A).
    let by_rows = m >= n;
    let bands = threads.min((if by_rows { m } else { n }) / BAND_ALIGN);
    let helpers = if bands > 1 {
        HELPERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    } else {
        None
    };
    let Some(helpers) = helpers else {
        general_mat_mul(alpha, a, b, beta, c);
        return;
    };
    let axis = if by_rows { Axis(0) } else { Axis(1) };
    // band i covers [start_i, start_{i+1}), whole tiles shared out evenly
    let len = c.len_of(axis);
    let tiles = len.div_ceil(BAND_ALIGN);
    let end = |i: usize| (tiles * i / bands * BAND_ALIGN).min(len);
    let (mut a, mut b, mut c) = (a.view(), b.view(), c.view_mut());
    helpers.in_place_scope(|scope| {
        for i in (1..bands).rev() {
            // peel the last band off and hand it to a helper
            let at = end(i);
            let (c_rest, mut c_band) = c.split_at(axis, at);
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
            scope.spawn(move |_| general_mat_mul(alpha, &a_band, &b_band, beta, &mut c_band));
        }
        // the first band on the calling thread, while the helpers work
        general_mat_mul(alpha, &a, &b, beta, &mut c);
    });
}

/// With the `blas` feature, tells OpenBLAS (once) to multiply on the
/// calling thread only: threads are [`gemm`]'s business, and OpenBLAS's own
/// threads inside gemm's would oversubscribe the cores.
fn single_threaded_blas() {
    #[cfg(feature = "blas")]
    {
        #[link(name = "openblas")]
        unsafe extern "C" {
            fn openblas_set_num_threads(threads: std::ffi::c_int);
        }
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: a plain setter of OpenBLAS, callable at any time.
        ONCE.call_once(|| unsafe { openblas_set_num_threads(1) });
    }
}
