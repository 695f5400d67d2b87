//! Autograd overhead and the cost of a matrix product through the graph.
//!
//! - `chain_1000_ops`: forward and backward of 1 000 ops on 0-d tensors,
//!   where the arithmetic is nothing and the bookkeeping is everything.
//!   Divide the time by 1 000 for the cost per op (target: ≤ 1 µs).
//! - `matmul_256/graph` against `matmul_256/three_products`: forward and
//!   backward of a 256×256 by 256×256 product through the graph, and the
//!   three bare ndarray products it needs (C = A·B, G·Bᵀ, Aᵀ·G) into
//!   preallocated outputs (target: graph ≤ 1.25 × bare).
//! - `tanh_32x16`: tanh of a 32×16 f32 tensor (a hidden layer of the
//!   small-network workload W1), outside the graph: the elementwise kernel
//!   and its output buffer, nothing else.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ndarray::Array2;
use ndarray::linalg::general_mat_mul;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad::prelude::*;
use std::hint::black_box;

fn chain(c: &mut Criterion) {
    c.bench_function("chain_1000_ops", |b| {
        let x = Tensor::<f32>::scalar(0.5).set_requires_grad(true);
        b.iter(|| {
            let mut y = x.clone();
            for i in 0..250 {
                // four kinds of op, so no single one is measured
                y = y.mul_scalar(0.999).add_scalar(1e-3).tanh();
                y = if i % 2 == 0 { &y * &x } else { &y + &x };
            }
            y.backward();
            x.zero_grad();
            black_box(y.item())
        });
    });
}

fn matmul(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(0);
    let n = 256;
    let mut group = c.benchmark_group("matmul_256");
    let a = Tensor::<f32>::rand_normal(&[n, n], 0.0, 1.0, &mut rng).set_requires_grad(true);
    let b = Tensor::<f32>::rand_normal(&[n, n], 0.0, 1.0, &mut rng).set_requires_grad(true);
    let g = ndarray::ArrayD::<f32>::ones(vec![n, n]);
    group.bench_function(BenchmarkId::new("graph", n), |bench| {
        bench.iter(|| {
            let c = a.matmul(&b);
            c.backward_with(g.clone());
            a.zero_grad();
            b.zero_grad();
            black_box(c)
        });
    });
    let (a2, b2): (Array2<f32>, Array2<f32>) = (
        a.to_array().into_dimensionality().unwrap(),
        b.to_array().into_dimensionality().unwrap(),
    );
    let g2 = Array2::<f32>::ones((n, n));
    let (mut c2, mut da, mut db) = (
        Array2::zeros((n, n)),
        Array2::zeros((n, n)),
        Array2::zeros((n, n)),
    );
    group.bench_function(BenchmarkId::new("three_products", n), |bench| {
        bench.iter(|| {
            general_mat_mul(1.0, &a2, &b2, 0.0, &mut c2);
            general_mat_mul(1.0, &g2, &b2.t(), 0.0, &mut da);
            general_mat_mul(1.0, &a2.t(), &g2, 0.0, &mut db);
            black_box((&c2, &da, &db));
        });
    });
    group.finish();
}

fn tanh(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(0);
    let x = Tensor::<f32>::rand_normal(&[32, 16], 0.0, 1.0, &mut rng);
    c.bench_function("tanh_32x16", |b| {
        b.iter(|| no_grad(|| black_box(x.tanh())));
    });
}

criterion_group!(benches, chain, matmul, tanh);
criterion_main!(benches);
