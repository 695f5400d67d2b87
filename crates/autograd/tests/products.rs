//! Matrix products: `gemm` against a product written out by hand, the same
//! bits on any number of threads, and gradients that accumulate correctly
//! when a product writes straight into a gradient buffer.

use std::sync::{Mutex, MutexGuard};

use ndarray::{Array2, ArrayD, ShapeBuilder, s};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sparsegrad_autograd::Tensor;
use sparsegrad_autograd::gemm::{gemm, matmul_threads, set_matmul_threads};

/// The thread count is one setting for the whole process: tests that
/// change it take turns.
static THREADS: Mutex<()> = Mutex::new(());

/// Holds the thread setting at `threads` until dropped, then restores 1.
struct Threads(#[allow(dead_code)] MutexGuard<'static, ()>);

impl Threads {
    fn set(threads: usize) -> Threads {
        let guard = THREADS.lock().unwrap_or_else(|e| e.into_inner());
        set_matmul_threads(threads).expect("threads start");
        Threads(guard)
    }
}

impl Drop for Threads {
    fn drop(&mut self) {
        set_matmul_threads(1).expect("one thread");
    }
}

fn random(rows: usize, cols: usize, rng: &mut StdRng) -> Array2<f64> {
    Array2::from_shape_simple_fn((rows, cols), || rng.random_range(-1.0..1.0))
}

/// C[i][j] = β·C[i][j] + Σₖ α·A[i][k]·B[k][j], row i of C built from the
/// rows of B (fast enough in a debug build for millions of multiply-adds).
fn by_hand(
    alpha: f64,
    a: &Array2<f64>,
    b: &Array2<f64>,
    beta: f64,
    c: &Array2<f64>,
) -> Array2<f64> {
    let mut out = c * beta;
    for (a_row, mut out_row) in a.rows().into_iter().zip(out.rows_mut()) {
        for (&a_ik, b_row) in a_row.iter().zip(b.rows()) {
            out_row.zip_mut_with(&b_row, |o, &b_kj| *o += alpha * a_ik * b_kj);
        }
    }
    out
}

/// The same bits: every band of a product is the same single-threaded
/// product whoever computes it, so this holds with either library.
fn same_bits<T, D>(one: &ndarray::Array<T, D>, other: &ndarray::Array<T, D>, what: &str)
where
    T: sparsegrad_autograd::Float,
    D: ndarray::Dimension,
{
    let bits =
        |a: &ndarray::Array<T, D>| a.iter().map(|x| x.as_f64().to_bits()).collect::<Vec<_>>();
    assert!(bits(one) == bits(other), "{what}: the bits differ");
}

fn assert_close(got: &Array2<f64>, want: &Array2<f64>) {
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= 1e-12 * (1.0 + w.abs()), "{g} vs {w}");
    }
}

#[test]
fn gemm_matches_the_product_by_hand_on_every_thread_count() {
    let mut rng = StdRng::seed_from_u64(1);
    // sizes around the 16-wide bands, tall, wide, and one large enough to split
    for (m, k, n) in [
        (1, 1, 1),
        (3, 5, 2),
        (17, 9, 33),
        (130, 70, 129),
        (40, 300, 200),
    ] {
        let a = random(m, k, &mut rng);
        let b = random(k, n, &mut rng);
        let c0 = random(m, n, &mut rng);
        let want = by_hand(0.5, &a, &b, 2.0, &c0);
        let mut results = Vec::new();
        for threads in [1, 2, 3] {
            let _threads = Threads::set(threads);
            let mut c = c0.clone();
            gemm(0.5, &a.view(), &b.view(), 2.0, &mut c.view_mut());
            assert_close(&c, &want);
            results.push(c);
        }
        same_bits(
            &results[0],
            &results[1],
            &format!("{m}x{k}x{n}: 1 vs 2 threads"),
        );
        same_bits(
            &results[0],
            &results[2],
            &format!("{m}x{k}x{n}: 1 vs 3 threads"),
        );
    }
}

#[test]
fn gemm_in_f32_gives_the_same_bits_on_one_to_four_threads() {
    // 64×300 · 300×400: 7.7·10⁶ multiply-adds, two bands of columns (192
    // and 208 wide) on any number of threads; α and β that round make any
    // difference in how a band is computed show in the last bits
    let mut rng = StdRng::seed_from_u64(6);
    let mut random32 = |rows, cols| {
        Array2::<f32>::from_shape_simple_fn((rows, cols), || rng.random_range(-1.0f32..1.0))
    };
    let (a, b, c0) = (random32(64, 300), random32(300, 400), random32(64, 400));
    let product = |threads| {
        let _threads = Threads::set(threads);
        let mut c = c0.clone();
        gemm(0.3, &a.view(), &b.view(), 0.7, &mut c.view_mut());
        c
    };
    let one = product(1);
    let (a64, b64, c64) = (a.mapv(f64::from), b.mapv(f64::from), c0.mapv(f64::from));
    let want = by_hand(f64::from(0.3f32), &a64, &b64, f64::from(0.7f32), &c64);
    for (g, w) in one.iter().zip(&want) {
        assert!((f64::from(*g) - w).abs() < 1e-4, "{g} vs {w}");
    }
    for threads in [2, 3, 4] {
        same_bits(&one, &product(threads), &format!("1 vs {threads} threads"));
    }
}

#[test]
#[should_panic(expected = "gemm: [2, 3] x [4, 5] -> [2, 5]: shapes do not fit")]
fn gemm_names_the_shapes_that_do_not_fit() {
    let (a, b) = (Array2::<f32>::zeros((2, 3)), Array2::<f32>::zeros((4, 5)));
    gemm(
        1.0,
        &a.view(),
        &b.view(),
        0.0,
        &mut Array2::zeros((2, 5)).view_mut(),
    );
}

#[test]
fn gemm_on_transposed_and_sliced_views_splits_by_rows_and_by_columns() {
    let mut rng = StdRng::seed_from_u64(2);
    // 300×260 and 260×300 outputs with k = 64: 5·10⁶ multiply-adds, two
    // bands, once of rows, once of columns
    for (m, n) in [(300, 260), (260, 300)] {
        let at = random(64, m + 3, &mut rng); // A = atᵀ without its last 3 rows
        let b = random(64, n, &mut rng);
        let a = at.slice(s![.., ..m]).t().to_owned();
        let want = by_hand(1.0, &a, &b, 0.0, &Array2::zeros((m, n)));
        let mut results = Vec::new();
        for threads in [1, 2] {
            let _threads = Threads::set(threads);
            assert_eq!(matmul_threads(), threads);
            let mut c = Array2::zeros((m, n));
            gemm(
                1.0,
                &at.slice(s![.., ..m]).t(),
                &b.view(),
                0.0,
                &mut c.view_mut(),
            );
            assert_close(&c, &want);
            results.push(c);
        }
        same_bits(&results[0], &results[1], "1 vs 2 threads");
    }
}

#[test]
fn odd_shapes_give_the_same_bits_on_one_and_two_threads() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut random32 = |rows, cols| {
        Array2::<f32>::from_shape_simple_fn((rows, cols), || rng.random_range(-1.0f32..1.0))
    };
    // (m, k, n, A as a transposed view, B as one, C as one): a row times a
    // matrix and a matrix times a column (each large enough for two bands,
    // of columns and of rows), prime sides cut into 2 and 4 bands off the
    // tile grid, and operands and output stored the other way round
    let shapes = [
        (1, 4099, 1031, false, false, false),
        (1031, 4099, 1, false, true, false),
        (257, 131, 263, false, false, false),
        (131, 1021, 67, true, true, false),
        (263, 257, 127, true, false, true),
        (97, 2053, 131, false, true, true),
        // a layer's x·Wᵀ with several times more columns than rows, which
        // is multiplied column-major and copied into C: one band, then two
        // bands of rows
        (37, 300, 263, false, true, false),
        (130, 257, 1031, false, true, false),
    ];
    for (m, k, n, a_t, b_t, c_t) in shapes {
        // an operand stored transposed is the transposed view of its storage
        let a_store = if a_t { random32(k, m) } else { random32(m, k) };
        let b_store = if b_t { random32(n, k) } else { random32(k, n) };
        let c_store = if c_t { random32(n, m) } else { random32(m, n) };
        let view = |x: &Array2<f32>, t: bool| if t { x.t().to_owned() } else { x.clone() };
        let (a, b, c0) = (
            view(&a_store, a_t),
            view(&b_store, b_t),
            view(&c_store, c_t),
        );
        // in f64 from the f32 operands: the product, and Σ|terms|
        let (alpha, beta) = (f64::from(0.7f32), f64::from(1.3f32));
        let wide = |x: &Array2<f32>| x.mapv(f64::from);
        let want = by_hand(alpha, &wide(&a), &wide(&b), beta, &wide(&c0));
        let abs = |x: &Array2<f32>| x.mapv(|v| f64::from(v).abs());
        let magnitude = by_hand(alpha, &abs(&a), &abs(&b), beta, &abs(&c0));
        let product = |threads| {
            let _threads = Threads::set(threads);
            let mut c = c_store.clone();
            let a = if a_t { a_store.t() } else { a_store.view() };
            let b = if b_t { b_store.t() } else { b_store.view() };
            let mut c_view = if c_t {
                c.view_mut().reversed_axes()
            } else {
                c.view_mut()
            };
            gemm(0.7, &a, &b, 1.3, &mut c_view);
            view(&c, c_t)
        };
        let (one, two) = (product(1), product(2));
        let what = format!("{m}x{k}x{n} (transposed A {a_t}, B {b_t}, C {c_t})");
        same_bits(&one, &two, &format!("{what}: 1 vs 2 threads"));
        // the classic bound of a sum of k + 1 rounded f32 products:
        // |error| ≤ (k + 2)·ε·Σ|terms|, whatever the order of the sum
        let bound = (k + 2) as f64 * f64::from(f32::EPSILON);
        for ((g, w), m) in one.iter().zip(&want).zip(&magnitude) {
            assert!((f64::from(*g) - w).abs() <= bound * m, "{what}: {g} vs {w}");
        }
    }
}

#[test]
fn gemm_with_beta_zero_overwrites_without_reading() {
    let mut rng = StdRng::seed_from_u64(3);
    let (a, b) = (random(40, 300, &mut rng), random(300, 200, &mut rng));
    // B as stored, and as the transposed view of its transpose (x·Wᵀ, the
    // product that goes through a column-major buffer)
    let mut bt = Array2::zeros((200, 300)); // stored row-major (to_owned would keep b.t()'s order)
    bt.assign(&b.t());
    let want = by_hand(1.0, &a, &b, 0.0, &Array2::zeros((40, 200)));
    for threads in [1, 2] {
        let _threads = Threads::set(threads);
        for b in [b.view(), bt.t()] {
            let mut c = Array2::from_elem((40, 200), f64::NAN);
            gemm(1.0, &a.view(), &b, 0.0, &mut c.view_mut());
            assert_close(&c, &want);
        }
    }
}

/// A two-layer network's forward and backward: the loss, and every
/// gradient, as f32 (the bits the training programs see).
fn two_layers(seed: u64) -> Vec<ArrayD<f32>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tensor = |shape: &[usize], grad: bool| {
        let n = shape.iter().product();
        let values = (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        Tensor::from_vec(values, shape).set_requires_grad(grad)
    };
    // 128×256×256 per layer: split in two with two threads
    let x = tensor(&[128, 256], true);
    let (w1, b1) = (tensor(&[256, 256], true), tensor(&[256], true));
    let w2 = tensor(&[256, 256], true);
    let loss = x
        .linear(&w1, Some(&b1))
        .relu()
        .linear(&w2, None)
        .powf(2.0)
        .sum();
    loss.backward();
    [&x, &w1, &b1, &w2]
        .iter()
        .map(|t| t.grad().expect("a gradient").to_owned())
        .chain([loss.value().to_owned()])
        .collect()
}

#[test]
fn training_step_is_bit_for_bit_the_same_on_one_and_two_threads() {
    let one = {
        let _threads = Threads::set(1);
        two_layers(4)
    };
    let two = {
        let _threads = Threads::set(2);
        two_layers(4)
    };
    for (one, two) in one.iter().zip(&two) {
        same_bits(one, two, "a gradient or the loss, 1 vs 2 threads");
    }
}

/// ∂/∂W and ∂/∂x of Σ (x·Wᵀ)² + Σ (x·Wᵀ): 2·y + 1 = G, ∂W = Gᵀ·x, ∂x = G·W.
fn linear_grads(x: &Array2<f64>, w: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    let g = x.dot(&w.t()) * 2.0 + 1.0;
    (g.t().dot(x), g.dot(w))
}

#[test]
fn products_add_onto_earlier_gradients() {
    let mut rng = StdRng::seed_from_u64(5);
    let (x0, w0) = (random(6, 4, &mut rng), random(3, 4, &mut rng));
    let (dw, dx) = linear_grads(&x0, &w0);
    let x = Tensor::new(x0.clone()).set_requires_grad(true);
    let w = Tensor::new(w0.clone()).set_requires_grad(true);
    for calls in 1..=2 {
        let y = x.linear(&w, None);
        (y.powf(2.0).sum() + y.sum()).backward();
        // the second backward adds (β = 1) instead of overwriting (β = 0)
        let calls = f64::from(calls);
        assert_close(
            &w.grad().unwrap().to_owned().into_dimensionality().unwrap(),
            &(&dw * calls),
        );
        assert_close(
            &x.grad().unwrap().to_owned().into_dimensionality().unwrap(),
            &(&dx * calls),
        );
    }
    // a weight shared by two products in one graph gets both contributions
    let x2_0 = random(5, 4, &mut rng);
    let x2 = Tensor::new(x2_0.clone());
    w.zero_grad();
    let (y1, y2) = (x.linear(&w, None), x2.linear(&w, None));
    (y1.powf(2.0).sum() + y1.sum() + y2.powf(2.0).sum() + y2.sum()).backward();
    let want = dw + linear_grads(&x2_0, &w0).0;
    assert_close(
        &w.grad().unwrap().to_owned().into_dimensionality().unwrap(),
        &want,
    );
    // and so does a matmul operand used twice: ∂/∂A of Σ A·B + Σ A·C
    let (a0, b0, c0) = (
        random(3, 4, &mut rng),
        random(4, 2, &mut rng),
        random(4, 5, &mut rng),
    );
    let a = Tensor::new(a0).set_requires_grad(true);
    let (b, c) = (Tensor::new(b0.clone()), Tensor::new(c0.clone()));
    (a.matmul(&b).sum() + a.matmul(&c).sum()).backward();
    let row = b0.sum_axis(ndarray::Axis(1)) + c0.sum_axis(ndarray::Axis(1));
    let want = Array2::from_shape_fn((3, 4), |(_, j)| row[j]);
    assert_close(
        &a.grad().unwrap().to_owned().into_dimensionality().unwrap(),
        &want,
    );
}

/// The gradient of a linear layer's bias is each column of G summed over
/// the rows in order (so, in exact bits, 0 + G[0][j] + G[1][j] + …), on
/// every width: those cut into blocks of columns, those with a remainder,
/// one column, none; with G in row-major or column-major layout; and added
/// onto the bias's earlier gradient by a second backward.
#[test]
fn bias_gradients_are_the_column_sums_of_g_in_row_order() {
    let mut rng = StdRng::seed_from_u64(9);
    for (rows, width) in [(7, 1), (5, 15), (3, 16), (9, 17), (4, 40), (1, 33), (6, 0)] {
        let x = Tensor::<f32>::new(Array2::from_shape_simple_fn((rows, 3), || {
            rng.random_range(-1.0..1.0)
        }));
        let w = Tensor::<f32>::zeros(&[width, 3]);
        let b = Tensor::<f32>::zeros(&[width]).set_requires_grad(true);
        let mut want = vec![0.0f32; width];
        for column_major in [false, true] {
            let g =
                Array2::<f32>::from_shape_simple_fn((rows, width), || rng.random_range(-1.0..1.0));
            for (j, sum) in want.iter_mut().enumerate() {
                *sum = g.column(j).iter().fold(*sum, |s, &v| s + v);
            }
            let g = if column_major {
                let mut f = Array2::zeros(g.raw_dim().f());
                f.assign(&g);
                f
            } else {
                g
            };
            x.linear(&w, Some(&b)).backward_with(g.into_dyn());
            let got: Vec<u32> = b.grad().unwrap().iter().map(|v| v.to_bits()).collect();
            let want: Vec<u32> = want.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want, "{rows}×{width}, column-major G: {column_major}");
        }
    }
}
