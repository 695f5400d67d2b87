//! How many threads the matrix products use.
//!
//! The default build multiplies with matrixmultiply, which splits large
//! products over up to 4 threads (by default one per physical core) and
//! reads `MATMUL_NUM_THREADS` once, at the first product. The `blas`
//! feature multiplies with the system's OpenBLAS instead (Debian:
//! `libopenblas-dev`), whose thread count is set by a call. Either way a
//! product splits its *output* among threads, so the result does not depend
//! on their number.

#[cfg(feature = "blas")]
#[link(name = "openblas")]
unsafe extern "C" {
    fn openblas_set_num_threads(threads: std::ffi::c_int);
}

/// Limits every matrix product to `threads` threads (1 = exactly one).
///
/// # Safety
/// Sets the environment variable `MATMUL_NUM_THREADS`, which is sound only
/// while no other thread runs (as `std::env::set_var` requires): call it
/// first thing in `main`. It must also come before the first matrix
/// product, after which matrixmultiply no longer reads the variable.
pub unsafe fn set_matmul_threads(threads: usize) {
    // SAFETY: the caller guarantees that no other thread runs yet.
    unsafe { std::env::set_var("MATMUL_NUM_THREADS", threads.to_string()) };
    #[cfg(feature = "blas")]
    // SAFETY: a plain setter of OpenBLAS, callable at any time.
    unsafe {
        openblas_set_num_threads(std::ffi::c_int::try_from(threads).unwrap_or(std::ffi::c_int::MAX))
    };
}

/// The library that computes the matrix products: `"matrixmultiply"` or,
/// with the `blas` feature, `"openblas"`.
pub const MATMUL_BACKEND: &str = if cfg!(feature = "blas") {
    "openblas"
} else {
    "matrixmultiply"
};
