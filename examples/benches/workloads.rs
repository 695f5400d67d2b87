//! One training step of each benchmark workload (see
//! `sparsegrad_examples::throughput`), under criterion. The `throughput`
//! program times the same steps the way the peers' scripts do.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sparsegrad_examples::throughput::{Bench, Workload};
use std::time::Duration;

fn workloads(c: &mut Criterion) {
    let mut group = c.benchmark_group("train_step");
    for workload in Workload::ALL {
        if matches!(workload, Workload::W3 | Workload::W4) {
            // a W4 step takes tens of milliseconds: fewer, longer samples
            group
                .sample_size(10)
                .measurement_time(Duration::from_secs(5));
        }
        let mut bench = Bench::new(workload, 0);
        group.bench_function(BenchmarkId::from_parameter(workload), |b| {
            b.iter(|| bench.run(1))
        });
    }
    group.finish();
}

criterion_group!(benches, workloads);
criterion_main!(benches);
