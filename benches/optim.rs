//! One optimizer step over 1 000 000 f32 parameters in 10 tensors, with
//! every element's gradient set. Divide the time by 1e6 for the cost per
//! parameter (targets: SGD with momentum, L2 and proximal L1 ≤ 3 ns;
//! Adam ≤ 4 ns).

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad::prelude::*;

/// 10 tensors of 100 000 parameters, each with a random gradient.
fn parameters(rng: &mut StdRng) -> Vec<(String, Tensor<f32>)> {
    (0..10)
        .map(|i| {
            let p = Tensor::<f32>::rand_normal(&[100, 1000], 0.0, 1.0, rng).set_requires_grad(true);
            let g = Tensor::<f32>::rand_normal(&[100, 1000], 0.0, 1.0, rng).to_array();
            *p.grad_buffer_mut() = g;
            (format!("p{i}"), p)
        })
        .collect()
}

fn optimizer_step(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(0);
    let mut group = c.benchmark_group("optimizer_step_1M");
    let config = SgdConfig {
        lr: 1e-3,
        momentum: Momentum::classic(0.9),
        penalty: Penalty::l1_proximal(1e-4).and(Penalty::l2(1e-4)),
    };
    let mut sgd = Sgd::new(vec![ParamGroup::new(parameters(&mut rng))], config).unwrap();
    group.bench_function("sgd_momentum_l2_prox_l1", |b| b.iter(|| sgd.step()));
    let config = AdamConfig {
        lr: 1e-3,
        ..AdamConfig::default()
    };
    let mut adam = Adam::new(vec![ParamGroup::new(parameters(&mut rng))], config).unwrap();
    group.bench_function("adam", |b| b.iter(|| adam.step()));
    group.finish();
}

criterion_group!(benches, optimizer_step);
criterion_main!(benches);
