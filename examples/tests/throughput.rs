//! The `throughput` program: workload sizes and FLOP counts written out by
//! hand, the timer's bookkeeping, training that is seeded and learns, and
//! its command line.

use std::process::Command;
use std::time::{Duration, Instant};

use sparsegrad_examples::throughput::{Bench, Timing, Workload, measure};

#[test]
fn flops_per_step_are_six_times_batch_times_weight_entries() {
    // W1: 2·16 + 16·16 + 16·1 = 304 weights, batch 32
    assert_eq!(Workload::W1.flops_per_step(), 6 * 32 * 304);
    // W2: 100·64 + 64·64 + 64 = 10 560, batch 64
    assert_eq!(Workload::W2.flops_per_step(), 6 * 64 * 10_560);
    // W3: 784·256 + 256·128 + 128·10 = 234 752, batch 128
    assert_eq!(Workload::W3.flops_per_step(), 6 * 128 * 234_752);
    // W4: 1024² · 2 + 10 240 = 2 107 392, batch 256: 3.24 GFLOP
    assert_eq!(Workload::W4.flops_per_step(), 3_236_954_112);
}

#[test]
fn workload_names_parse_in_any_case_and_unknown_ones_are_named() {
    assert_eq!("w3".parse::<Workload>(), Ok(Workload::W3));
    assert_eq!("W4".parse::<Workload>(), Ok(Workload::W4));
    let err = "W5".parse::<Workload>().unwrap_err();
    assert!(err.contains("\"W5\""), "{err}");
}

#[test]
fn the_timer_calibrates_repetitions_to_the_minimum_and_reports_the_median() {
    let timing = Timing {
        warmup_s: 0.0,
        min_rep_s: 0.02,
        reps: 5,
    };
    // a "step" of 200 µs
    let mut calls = 0;
    let m = measure("fake".into(), 3, 1_000, timing, |n| {
        calls += 1;
        let start = Instant::now();
        while start.elapsed() < Duration::from_micros(200) * n as u32 {}
        Some(n as f64)
    });
    assert_eq!(m.workload, "fake");
    assert_eq!(m.threads, 3);
    assert_eq!(m.reps, 5);
    // 0.02 s / 200 µs = 100 steps at least; within the 20% aim plus slack
    assert!(
        (100..=200).contains(&m.steps_per_rep),
        "{}",
        m.steps_per_rep
    );
    assert!(m.steps_per_s_min <= m.steps_per_s && m.steps_per_s <= m.steps_per_s_max);
    // at most 5 000 steps/s, as each lasts at least 200 µs
    assert!(m.steps_per_s_max <= 5_000.0, "{}", m.steps_per_s_max);
    assert!((m.ms_per_step - 1000.0 / m.steps_per_s).abs() < 1e-9);
    assert!((m.gflops - 1_000.0 * m.steps_per_s / 1e9).abs() < 1e-12);
    assert_eq!(
        m.loss,
        Some(m.steps_per_rep as f64),
        "the last repetition's loss"
    );
    assert!(calls > 5, "warm-up or calibration calls happened");
}

#[test]
fn benches_are_seeded_and_learn() {
    let losses = |seed| {
        let mut bench = Bench::new(Workload::W1, seed);
        (bench.run(1), bench.run(5_000))
    };
    let (first, after) = losses(7);
    assert_eq!(losses(7), (first, after), "same seed, same bits");
    assert_ne!(
        Bench::new(Workload::W1, 8).run(1),
        first,
        "another seed, other data"
    );
    // random targets, lr 0.01: memorizing them is slow, but steady
    assert!(after < 0.85 * first, "W1 learns: {first} -> {after}");
}

/// Runs the built program with `args`; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_throughput"))
        .args(args)
        .output()
        .expect("the throughput binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn bad_options_are_one_error_line_and_exit_2() {
    for (args, mentions) in [
        (&["--threads", "0"][..], "--threads"),
        (&["--workloads", "W1,W9"], "W9"),
    ] {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error:") && stderr.contains(mentions),
            "{stderr}"
        );
    }
}

/// With several workloads, `--memory` measures each in a process of its
/// own (VmHWM is the process's peak so far: after a larger workload a
/// smaller one could not show growth): one line per workload, in order,
/// each with a peak after 100 steps no larger than after 10 000.
#[test]
fn memory_is_measured_per_workload_in_order() {
    let (code, stdout, stderr) = run(&["--memory", "--workloads", "W2,W1"]);
    assert_eq!(code, Some(0), "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let names: Vec<&str> = lines
        .iter()
        .map(|l| l["workload"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["W2", "W1"]);
    for line in &lines {
        let early = line["peak_kib_after_100_steps"].as_u64().unwrap();
        let late = line["peak_kib_after_10000_steps"].as_u64().unwrap();
        assert!(early > 0 && early <= late, "{line}");
    }
}
