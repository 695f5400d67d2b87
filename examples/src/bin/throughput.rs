//! Runs the benchmark workloads and prints one JSON line each, for a
//! side-by-side comparison with `benches/peers/torch_mlp.py`:
//!
//! ```text
//! cargo run --release --bin throughput -- --workloads W1,W2,W3,W4 --threads 1
//! cargo run --release --bin throughput -- --sgemm
//! cargo run --release --bin throughput -- --workloads W1 --memory
//! ```

use anyhow::{Context, Result};
use clap::Parser;
use sparsegrad::io::limits::MAX_THREADS;
use sparsegrad_examples::cli::print;
use sparsegrad_examples::throughput::{
    Bench, Timing, Workload, keep_freed_memory, measure_sgemm, measure_workload, peak_memory_kib,
};

/// Training-step throughput of the benchmark workloads.
#[derive(Parser, Debug)]
#[command(name = "throughput", version, allow_negative_numbers = true)]
struct Args {
    /// Workloads to run, comma-separated (W1, W2, W3, W4).
    #[arg(long, value_delimiter = ',', action = clap::ArgAction::Set, default_value = "W1,W2,W3,W4")]
    workloads: Vec<Workload>,
    /// Threads the matrix products may use (1 means exactly one).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS as i64))]
    threads: u16,
    /// Time square matrix products of 256, 512 and 1024 instead.
    #[arg(long)]
    sgemm: bool,
    /// Check that memory does not grow: peak memory after 100 and after
    /// 10 000 steps of each workload, each in a process of its own.
    #[arg(long)]
    memory: bool,
    /// Seed of the data and the initial weights.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> std::process::ExitCode {
    sparsegrad_examples::cli::finish(run(sparsegrad_examples::cli::parse::<Args>()))
}

fn run(args: Args) -> Result<()> {
    let threads = usize::from(args.threads);
    if !keep_freed_memory() {
        eprintln!(
            "note: malloc keeps its defaults here (not glibc); multi-threaded runs may page-fault more"
        );
    }
    sparsegrad::autograd::gemm::set_matmul_threads(threads)
        .with_context(|| format!("--threads {threads}: cannot start the threads"))?;
    let timing = Timing::default();
    // Each line is printed as soon as it is measured (a run takes
    // minutes), every write checked.
    let print_line = |line: String| print(&format!("{line}\n"));
    if args.sgemm {
        for n in [256, 512, 1024] {
            print_line(serde_json::to_string(&measure_sgemm(
                n, threads, timing, args.seed,
            ))?)?;
        }
        return Ok(());
    }
    if args.memory && args.workloads.len() > 1 {
        // Each workload in a process of its own: VmHWM is the peak since the
        // process started, so after a larger workload a smaller one could
        // not show growth, and malloc keeps the larger one's freed memory.
        let program =
            std::env::current_exe().context("finding this program to run each workload")?;
        for workload in &args.workloads {
            let output = std::process::Command::new(&program)
                .args(["--memory", "--workloads", &workload.to_string()])
                .args([
                    "--threads",
                    &threads.to_string(),
                    "--seed",
                    &args.seed.to_string(),
                ])
                .stderr(std::process::Stdio::inherit())
                .output()
                .with_context(|| format!("running {workload} in a process of its own"))?;
            anyhow::ensure!(
                output.status.success(),
                "the process measuring {workload} failed ({})",
                output.status
            );
            print(&String::from_utf8_lossy(&output.stdout))?;
        }
        return Ok(());
    }
    for &workload in &args.workloads {
        if args.memory {
            let mut bench = Bench::new(workload, args.seed);
            bench.run(100);
            let after_100 = peak_memory_kib();
            bench.run(9_900);
            let after_10_000 = peak_memory_kib();
            let line = serde_json::json!({
                "peer": "sparsegrad", "workload": workload.to_string(), "threads": threads,
                "peak_kib_after_100_steps": after_100, "peak_kib_after_10000_steps": after_10_000,
            });
            print_line(line.to_string())?;
        } else {
            print_line(serde_json::to_string(&measure_workload(
                workload, threads, timing, args.seed,
            ))?)?;
        }
    }
    Ok(())
}
