//! How many threads the matrix products use.
//!
//! The default build multiplies with matrixmultiply on the calling thread
//! only (its threading feature made training steps slower, measured on the
//! benchmark workloads). The `blas` feature multiplies with the system's
//! OpenBLAS instead (Debian: `libopenblas-dev`), whose thread count is set
//! by [`set_matmul_threads`].

#[cfg(feature = "blas")]
#[link(name = "openblas")]
unsafe extern "C" {
    fn openblas_set_num_threads(threads: std::ffi::c_int);
}

/// The most threads a matrix product can use in this build: 1 without the
/// `blas` feature, else as many as asked.
pub const MULTI_THREADED: bool = cfg!(feature = "blas");

/// Limits every matrix product to `threads` threads (1 = exactly one).
/// Returns false, changing nothing, when `threads` > 1 and the build
/// multiplies on one thread only (see [`MULTI_THREADED`]).
pub fn set_matmul_threads(threads: usize) -> bool {
    if threads > 1 && !MULTI_THREADED {
        return false;
    }
    #[cfg(feature = "blas")]
    // SAFETY: a plain setter of OpenBLAS, callable at any time.
    unsafe {
        openblas_set_num_threads(std::ffi::c_int::try_from(threads).unwrap_or(std::ffi::c_int::MAX))
    };
    true
}

/// The library that computes the matrix products: `"matrixmultiply"` or,
/// with the `blas` feature, `"openblas"`.
pub const MATMUL_BACKEND: &str = if cfg!(feature = "blas") {
    "openblas"
} else {
    "matrixmultiply"
};
