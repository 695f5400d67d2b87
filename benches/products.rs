//! The two pure-Rust matrix-product crates side by side: `gemm` (features
//! std + x86-v4, its own threads off) and `matrixmultiply` (AVX-512
//! kernels on), on square f32 and f64 products of 256, 512 and 1024, on 1
//! and 2 threads (row bands of C, one per thread, each an ordinary
//! single-threaded product: the scheme of autograd's gemm.rs). Rounds are
//! interleaved, every library × type × size × thread count once per round,
//! so a slow spell of a shared machine hits all of them; it prints the
//! median GFLOP/s of the rounds.
//!
//! ```text
//! cargo bench --bench products -- 9     # rounds (default 7)
//! ```
//!
//! This is the measurement behind the choice of product library in the
//! workspace's Cargo.toml.

use std::time::Instant;

use rayon::ThreadPool;

/// One library's single-threaded row-major product C = A·B (m×k by k×n).
type Product<T> = fn(usize, usize, usize, &[T], &[T], &mut [T]);

/// The element types measured, with each library's product for them.
trait Element: Copy + Send + Sync + 'static {
    const NAME: &'static str;
    fn from_f64(x: f64) -> Self;
    fn matrixmultiply(m: usize, k: usize, n: usize, a: &[Self], b: &[Self], c: &mut [Self]);
    fn gemm(m: usize, k: usize, n: usize, a: &[Self], b: &[Self], c: &mut [Self]) {
        // SAFETY: the slices hold m×k, k×n and m×n elements, row-major
        // (column stride 1, row stride the width), and C does not alias.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                c.as_mut_ptr(),
                1,
                n as isize,
                false,
                a.as_ptr(),
                1,
                k as isize,
                b.as_ptr(),
                1,
                n as isize,
                Self::from_f64(0.0),
                Self::from_f64(1.0),
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    }
}

/// `Element` for one type, with matrixmultiply's product for it.
macro_rules! element {
    ($t:ty, $name:literal, $product:path) => {
        impl Element for $t {
            const NAME: &'static str = $name;
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            fn matrixmultiply(m: usize, k: usize, n: usize, a: &[$t], b: &[$t], c: &mut [$t]) {
                // SAFETY: as in `gemm`.
                unsafe {
                    $product(
                        m,
                        k,
                        n,
                        1.0,
                        a.as_ptr(),
                        k as isize,
                        1,
                        b.as_ptr(),
                        n as isize,
                        1,
                        0.0,
                        c.as_mut_ptr(),
                        n as isize,
                        1,
                    );
                }
            }
        }
    };
}

element!(f32, "f32", matrixmultiply::sgemm);
element!(f64, "f64", matrixmultiply::dgemm);

/// C = A·B for n×n matrices on the calling thread and the pool's helpers:
/// one row band of C per thread, on whole 16-row tiles.
fn banded<T: Element>(
    f: Product<T>,
    pool: Option<&ThreadPool>,
    n: usize,
    a: &[T],
    b: &[T],
    c: &mut [T],
) {
    let Some(pool) = pool else {
        return f(n, n, n, a, b, c);
    };
    let rows = n.div_ceil(2).div_ceil(16) * 16;
    let (c0, c1) = c.split_at_mut(rows * n);
    let (a0, a1) = a.split_at(rows * n);
    pool.in_place_scope(|s| {
        s.spawn(move |_| f(n - rows, n, n, a1, b, c1));
        f(rows, n, n, a0, b, c0);
    });
}

/// GFLOP/s of one timed repetition of `product` (a product of 2·n³
/// flops), repeated often enough to last at least 0.2 s.
fn rate(n: usize, mut product: impl FnMut()) -> f64 {
    product(); // warm caches and the pool
    let flops = 2.0 * (n as f64).powi(3);
    let mut reps = 1;
    loop {
        let start = Instant::now();
        for _ in 0..reps {
            product();
        }
        let s = start.elapsed().as_secs_f64();
        if s >= 0.2 {
            return flops * reps as f64 / s / 1e9;
        }
        reps *= 2;
    }
}

/// The rows of the table: (type, size, library, threads) → one rate per round.
type Results = Vec<(String, Vec<f64>)>;

fn round<T: Element>(pool: &ThreadPool, results: &mut Results, row: &mut usize) {
    for n in [256, 512, 1024] {
        let a: Vec<T> = (0..n * n)
            .map(|i| T::from_f64(((i * 7919) % 1000) as f64 / 1000.0 - 0.5))
            .collect();
        let b: Vec<T> = (0..n * n)
            .map(|i| T::from_f64(((i * 104729) % 1000) as f64 / 1000.0 - 0.5))
            .collect();
        let mut c = vec![T::from_f64(0.0); n * n];
        let libs: [(&str, Product<T>); 2] =
            [("matrixmultiply", T::matrixmultiply), ("gemm", T::gemm)];
        for (name, f) in libs {
            for (threads, pool) in [(1, None), (2, Some(pool))] {
                if results.len() <= *row {
                    results.push((
                        format!("{} {n:>4}² {name:>14} {threads} thread(s)", T::NAME),
                        Vec::new(),
                    ));
                }
                results[*row]
                    .1
                    .push(rate(n, || banded(f, pool, n, &a, &b, &mut c)));
                *row += 1;
            }
        }
    }
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(7);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one helper thread");
    let mut results = Results::new();
    for r in 0..rounds {
        let mut row = 0;
        round::<f32>(&pool, &mut results, &mut row);
        round::<f64>(&pool, &mut results, &mut row);
        eprintln!("round {} of {rounds} done", r + 1);
    }
    for (label, mut rates) in results {
        rates.sort_by(f64::total_cmp);
        println!(
            "{label}: median {:6.1} GFLOP/s (min {:6.1}, max {:6.1})",
            rates[rates.len() / 2],
            rates[0],
            rates[rates.len() - 1]
        );
    }
}
