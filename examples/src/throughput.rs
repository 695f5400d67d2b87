//! The training workloads of the performance comparison, and the timer that
//! reports them the way the peers' scripts do: one JSON line each.
//!
//! One step is what a training loop does per batch: zero the gradients,
//! forward, loss, backward, optimizer update. Each workload trains on one
//! batch generated once (inputs and regression targets from a standard
//! normal, class labels uniform in 0..10), each step through [`train_step`],
//! the step of the loop every program uses.

use std::str::FromStr;
use std::time::Instant;

use ndarray::Array2;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use serde::Serialize;
use sparsegrad::autograd::Tensor;
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::clip::Clip;
use sparsegrad::nn::data::Targets;
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::{GroupRules, Momentum, Sgd, SgdConfig};
use sparsegrad::nn::regularize::Penalty;
use sparsegrad::nn::train::train_step;

/// The four workloads of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// 2→16→16→1 tanh, batch 32, MSE, SGD lr 0.01.
    W1,
    /// 100→64→64→1 ReLU, batch 64, MSE, SGD lr 0.01, L2 1e-4 on weights.
    W2,
    /// 784→256→128→10 ReLU, batch 128, softmax CE, SGD lr 0.01 momentum 0.9,
    /// L2 5e-4 on weights.
    W3,
    /// 1024→1024→1024→10 ReLU, batch 256, softmax CE, SGD lr 0.01 momentum 0.9.
    W4,
}

/// What a workload trains.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadSpec {
    /// Layer widths, input first.
    pub sizes: &'static [usize],
    /// The hidden activation.
    pub activation: Activation,
    /// Samples per step.
    pub batch: usize,
    /// Softmax cross-entropy over the last width (true) or MSE (false).
    pub classification: bool,
    /// SGD's settings; the penalty applies to weights only.
    pub sgd: SgdConfig,
}

impl Workload {
    /// Every workload, in order.
    pub const ALL: [Workload; 4] = [Workload::W1, Workload::W2, Workload::W3, Workload::W4];

    /// The workload's definition.
    pub fn spec(self) -> WorkloadSpec {
        let sgd = |momentum, l2| SgdConfig {
            lr: 0.01,
            momentum: Momentum::classic(momentum),
            penalty: Penalty::l2(l2),
        };
        let (sizes, activation, batch, classification, sgd): (&'static [usize], _, _, _, _) =
            match self {
                Workload::W1 => (&[2, 16, 16, 1], Activation::Tanh, 32, false, sgd(0.0, 0.0)),
                Workload::W2 => (
                    &[100, 64, 64, 1],
                    Activation::Relu,
                    64,
                    false,
                    sgd(0.0, 1e-4),
                ),
                Workload::W3 => (
                    &[784, 256, 128, 10],
                    Activation::Relu,
                    128,
                    true,
                    sgd(0.9, 5e-4),
                ),
                Workload::W4 => (
                    &[1024, 1024, 1024, 10],
                    Activation::Relu,
                    256,
                    true,
                    sgd(0.9, 0.0),
                ),
            };
        WorkloadSpec {
            sizes,
            activation,
            batch,
            classification,
            sgd,
        }
    }

    /// 6 × batch × (number of weight-matrix entries): 2 flops per
    /// multiply-add, for the forward product and the two of backward.
    pub fn flops_per_step(self) -> u64 {
        let spec = self.spec();
        let weights: usize = spec.sizes.windows(2).map(|w| w[0] * w[1]).sum();
        6 * (spec.batch * weights) as u64
    }
}

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl FromStr for Workload {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Workload::ALL
            .into_iter()
            .find(|w| w.to_string().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown workload {s:?} (expected W1, W2, W3 or W4)"))
    }
}

/// A workload ready to run: model, optimizer and its one batch.
pub struct Bench {
    model: Mlp<f32>,
    optimizer: Sgd<f32>,
    inputs: Tensor<f32>,
    targets: Targets<f32>,
}

impl Bench {
    /// Builds `workload` with everything drawn from `seed`.
    pub fn new(workload: Workload, seed: u64) -> Self {
        let spec = workload.spec();
        let mut rng = StdRng::seed_from_u64(seed);
        let model = Mlp::new(spec.sizes, spec.activation, &mut rng);
        let (inputs, outputs) = (spec.sizes[0], spec.sizes[spec.sizes.len() - 1]);
        let features =
            Array2::from_shape_simple_fn((spec.batch, inputs), || rng.sample(StandardNormal));
        let targets = if spec.classification {
            Targets::Classification(
                (0..spec.batch)
                    .map(|_| rng.random_range(0..outputs))
                    .collect(),
            )
        } else {
            Targets::Regression(Array2::from_shape_simple_fn((spec.batch, outputs), || {
                rng.sample(StandardNormal)
            }))
        };
        // the weights inherit the config's penalty, the biases get none
        let groups = GroupRules::new().build(model.named_parameters());
        let optimizer = Sgd::new(groups, spec.sgd).expect("the workloads' settings are valid");
        Bench {
            model,
            optimizer,
            inputs: Tensor::new(features),
            targets,
        }
    }

    /// Runs `steps` training steps and returns the last one's loss (NaN
    /// for 0 steps). Allocates nothing that outlives a step.
    pub fn run(&mut self, steps: usize) -> f64 {
        let mut loss = f64::NAN;
        for _ in 0..steps {
            loss = train_step(
                &self.model,
                &mut self.optimizer,
                &self.inputs,
                &self.targets,
                Clip::None,
            );
            assert!(loss.is_finite(), "the workloads do not diverge");
        }
        loss
    }
}

/// One line of the comparison, as the peers' scripts print it.
#[derive(Clone, Debug, Serialize)]
pub struct Measurement {
    /// Always "sparsegrad".
    pub peer: &'static str,
    /// The crate's version.
    pub version: &'static str,
    /// "W1".."W4", or "sgemm256" (and 512, 1024).
    pub workload: String,
    /// Threads the matrix products may use.
    pub threads: usize,
    /// The median repetition's rate.
    pub steps_per_s: f64,
    /// 1000 / steps_per_s.
    pub ms_per_step: f64,
    /// Floating-point operations in one step.
    pub flops_per_step: u64,
    /// flops_per_step × steps_per_s / 1e9.
    pub gflops: f64,
    /// Timed repetitions.
    pub reps: usize,
    /// Steps in each repetition (calibrated so one lasts at least the minimum).
    pub steps_per_rep: usize,
    /// The slowest repetition's rate.
    pub steps_per_s_min: f64,
    /// The fastest repetition's rate.
    pub steps_per_s_max: f64,
    /// The training loss after the last step (`null` for sgemm).
    pub loss: Option<f64>,
}

/// How long to time.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Seconds of untimed warm-up.
    pub warmup_s: f64,
    /// The shortest a repetition may last, in seconds.
    pub min_rep_s: f64,
    /// Timed repetitions.
    pub reps: usize,
}

impl Default for Timing {
    /// 0.3 s warm-up, repetitions of at least 0.5 s, 7 of them.
    fn default() -> Self {
        Timing {
            warmup_s: 0.3,
            min_rep_s: 0.5,
            reps: 7,
        }
    }
}

/// Times `run(n)` (which performs n steps and returns a loss): warms up,
/// finds the number of steps that lasts at least `timing.min_rep_s`, then
/// times `timing.reps` repetitions of it.
pub fn measure(
    workload: String,
    threads: usize,
    flops_per_step: u64,
    timing: Timing,
    mut run: impl FnMut(usize) -> Option<f64>,
) -> Measurement {
    let seconds = |run: &mut dyn FnMut(usize) -> Option<f64>, n| {
        let start = Instant::now();
        let loss = run(n);
        (start.elapsed().as_secs_f64(), loss)
    };
    let warm = Instant::now();
    while warm.elapsed().as_secs_f64() < timing.warmup_s {
        run(1);
    }
    let mut steps = 1;
    loop {
        let (t, _) = seconds(&mut run, steps);
        if t >= timing.min_rep_s {
            break;
        }
        // aim 20% past the minimum, at most 10× more steps per round
        let scale = (1.2 * timing.min_rep_s / t.max(1e-9)).min(10.0);
        steps = ((steps as f64 * scale).ceil() as usize).max(steps + 1);
    }
    let mut rates = Vec::with_capacity(timing.reps);
    let mut loss = None;
    for _ in 0..timing.reps {
        let (t, l) = seconds(&mut run, steps);
        rates.push(steps as f64 / t);
        loss = l;
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    Measurement {
        peer: "sparsegrad",
        version: env!("CARGO_PKG_VERSION"),
        workload,
        threads,
        steps_per_s: median,
        ms_per_step: 1000.0 / median,
        flops_per_step,
        gflops: flops_per_step as f64 * median / 1e9,
        reps: timing.reps,
        steps_per_rep: steps,
        steps_per_s_min: rates[0],
        steps_per_s_max: rates[rates.len() - 1],
        loss,
    }
}

/// Times a training workload.
pub fn measure_workload(
    workload: Workload,
    threads: usize,
    timing: Timing,
    seed: u64,
) -> Measurement {
    let mut bench = Bench::new(workload, seed);
    measure(
        workload.to_string(),
        threads,
        workload.flops_per_step(),
        timing,
        |n| Some(bench.run(n)),
    )
}

/// Times C = A·B for n×n f32 matrices through autograd's
/// [`gemm`](sparsegrad::autograd::gemm::gemm) (the product every op of the
/// framework uses, on as many threads as it is set to): 2n³ flops a step.
pub fn measure_sgemm(n: usize, threads: usize, timing: Timing, seed: u64) -> Measurement {
    let mut rng = StdRng::seed_from_u64(seed);
    let a: Array2<f32> = Array2::from_shape_simple_fn((n, n), || rng.sample(StandardNormal));
    let b: Array2<f32> = Array2::from_shape_simple_fn((n, n), || rng.sample(StandardNormal));
    let mut c = Array2::<f32>::zeros((n, n));
    let run = |steps| {
        for _ in 0..steps {
            sparsegrad::autograd::gemm::gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
        }
        None
    };
    measure(
        format!("sgemm{n}"),
        threads,
        2 * (n as u64).pow(3),
        timing,
        run,
    )
}

/// Tells glibc's malloc to keep memory that a training step frees for the
/// next step, instead of handing it back to the operating system; returns
/// false where that does not apply (another C library) or glibc refused.
///
/// By default glibc gives back a freed block of more than 128 KiB (later
/// its own adaptive threshold), and the free top of a heap past a trim
/// threshold, at once. A step that allocates and frees the same
/// megabyte-sized buffers then page-faults them all in again every step,
/// and a thread other than the main one (a matrix-product helper) trims
/// its heap after every product. Measured on W4 with two threads: 350 000
/// page faults per run and 37 steps/s; with this, 11 000 and 45 steps/s.
/// Memory stays at the peak one step needs, which is flat over time.
pub fn keep_freed_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // blocks up to 32 MiB (glibc's largest allowed threshold) come from
        // the heaps, and up to 256 MiB of free heap top is kept
        // SAFETY: mallopt only sets malloc parameters; it is called at
        // start-up, before the program allocates in more than one thread.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    false
}

/// Peak resident memory so far, in KiB (Linux's VmHWM), or `None` where
/// /proc is not available.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
