//! What the Rust peers (candle_mlp, burn_mlp) share, as common.py does for
//! the Python ones: the workloads of examples/src/throughput.rs, the command
//! line (--workloads, --threads, --seed), the batch and initial weights, and
//! the timer of `throughput`'s `measure` (warm up 0.3 s, calibrate one
//! repetition to at least 0.5 s, time 7, report the median as one JSON line).
//! Each peer includes this file with `#[path]`; it is no crate of its own so
//! that the peers stay one folder each with no path dependency.

use std::time::Instant;

/// One workload of the comparison.
pub struct Spec {
    /// W1..W4.
    pub name: String,
    /// Layer widths, input first.
    pub sizes: &'static [usize],
    /// The hidden activation is tanh (true) or ReLU (false).
    pub tanh: bool,
    /// Samples per step.
    pub batch: usize,
    /// Softmax cross-entropy over the last width (true) or MSE (false).
    pub classify: bool,
    /// SGD's learning rate.
    pub lr: f32,
    /// Classic momentum μ (0: plain SGD).
    pub momentum: f32,
    /// L2 coefficient λ, on weights only.
    pub l2: f32,
}

impl Spec {
    /// The workload called `name` (W1..W4, any case).
    pub fn new(name: &str) -> Spec {
        //                         sizes               tanh   batch classify lr    momentum l2
        let (sizes, tanh, batch, classify, lr, momentum, l2): (&'static [usize], _, _, _, _, _, _) =
            match name.to_uppercase().as_str() {
                "W1" => (&[2, 16, 16, 1], true, 32, false, 0.01, 0.0, 0.0),
                "W2" => (&[100, 64, 64, 1], false, 64, false, 0.01, 0.0, 1e-4),
                "W3" => (&[784, 256, 128, 10], false, 128, true, 0.01, 0.9, 5e-4),
                "W4" => (&[1024, 1024, 1024, 10], false, 256, true, 0.01, 0.9, 0.0),
                other => panic!("unknown workload {other:?}: expected W1..W4"),
            };
        Spec {
            name: name.to_uppercase(),
            sizes,
            tanh,
            batch,
            classify,
            lr,
            momentum,
            l2,
        }
    }

    /// 6 × batch × (number of weight entries), as `throughput` counts.
    pub fn flops(&self) -> u64 {
        6 * (self.batch * self.sizes.windows(2).map(|w| w[0] * w[1]).sum::<usize>()) as u64
    }
}

/// The command line of the peers: `--workloads W1,W2 --threads N --seed S`.
pub struct Args {
    /// The workloads to time, in order.
    pub workloads: Vec<Spec>,
    /// The thread count the peer is set to.
    pub threads: usize,
    /// The seed of the batch and the initial weights.
    pub seed: u64,
}

impl Args {
    /// Reads the process's arguments; panics with a message on a bad one.
    pub fn parse() -> Args {
        let (mut workloads, mut threads, mut seed) = ("W1,W2,W3,W4".to_string(), 1, 0);
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
            match flag.as_str() {
                "--workloads" => workloads = value,
                "--threads" => threads = value.parse().expect("--threads: a count"),
                "--seed" => seed = value.parse().expect("--seed: an integer"),
                _ => panic!("unknown option {flag}: expected --workloads, --threads, --seed"),
            }
        }
        let workloads = workloads.split(',').map(|w| Spec::new(w.trim())).collect();
        Args {
            workloads,
            threads,
            seed,
        }
    }
}

/// A small deterministic generator (SplitMix64): the values only have to be
/// reasonable, not the same as sparsegrad's, and this keeps the peers free of
/// a rand dependency.
pub struct Rng(u64);

impl Rng {
    /// The generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `n` draws uniform in [-bound, bound).
    pub fn uniform(&mut self, n: usize, bound: f32) -> Vec<f32> {
        (0..n)
            .map(|_| ((2.0 * self.unit() - 1.0) * bound as f64) as f32)
            .collect()
    }

    /// `n` standard-normal draws (Box–Muller: √(-2 ln u₁) cos 2πu₂).
    pub fn normal(&mut self, n: usize) -> Vec<f32> {
        (0..n)
            .map(|_| {
                let (u1, u2) = (1.0 - self.unit(), self.unit());
                ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
            })
            .collect()
    }

    /// `n` labels uniform in 0..classes.
    pub fn labels(&mut self, n: usize, classes: usize) -> Vec<u32> {
        (0..n)
            .map(|_| (self.next_u64() % classes as u64) as u32)
            .collect()
    }
}

/// Sets the peer's thread count before any work: RAYON_NUM_THREADS and
/// CANDLE_NUM_THREADS (which candle reads for its product threads and its
/// own pools) and rayon's global pool (which candle's and burn-ndarray's
/// parallel loops use), so 1 means one thread.
pub fn set_threads(threads: usize) {
    for var in ["RAYON_NUM_THREADS", "CANDLE_NUM_THREADS"] {
        // SAFETY: called first thing in main, before any other thread exists.
        unsafe { std::env::set_var(var, threads.to_string()) };
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("rayon's pool");
}

/// Times `run(steps)` (which performs `steps` training steps and returns the
/// last loss) as common.py's `measure` does, and prints the JSON line.
pub fn measure(
    peer: &str,
    version: &str,
    spec: &Spec,
    threads: usize,
    mut run: impl FnMut(usize) -> f32,
) {
    let (warmup, min_rep, reps) = (0.3, 0.5, 7);
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < warmup {
        run(1);
    }
    let mut steps = 1usize;
    loop {
        let t0 = Instant::now();
        run(steps);
        let t = t0.elapsed().as_secs_f64();
        if t >= min_rep {
            break;
        }
        // aim 20% past the minimum, at most 10x more steps per round
        let scaled = (steps as f64 * (1.2 * min_rep / t.max(1e-9)).min(10.0) + 0.999) as usize;
        steps = scaled.max(steps + 1);
    }
    let mut loss = f32::NAN;
    let mut rates: Vec<f64> = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            loss = run(steps);
            steps as f64 / t0.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    let median = rates[reps / 2];
    let flops = spec.flops();
    println!(
        "{{\"peer\": \"{peer}\", \"version\": \"{version}\", \"workload\": \"{}\", \"threads\": {threads}, \
         \"steps_per_s\": {median}, \"ms_per_step\": {}, \"flops_per_step\": {flops}, \"gflops\": {}, \
         \"reps\": {reps}, \"steps_per_rep\": {steps}, \"steps_per_s_min\": {}, \"steps_per_s_max\": {}, \
         \"loss\": {loss}}}",
        spec.name,
        1000.0 / median,
        flops as f64 * median / 1e9,
        rates[0],
        rates[reps - 1],
    );
}
