//! The built programs under hostile input (issue 13): an output never
//! destroys an input, outputs are regular files, every size has a limit,
//! every stdout write is checked, files are written before tables, nothing
//! hangs on a named pipe, and non-finite numbers are errors. Each case ran
//! wrong before these checks existed (data overwritten, a panic, an abort,
//! a hang or a silent `exit 0`).

mod fit_support;

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fit_support::{Scratch, assert_error, assert_success, fit_on, mkfifo, predict, s};

/// A small regression data set.
const DATA: &str = "x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n6,12\n";

/// Runs a built program, killing it after `seconds` (a hang is a failure).
fn run_within(binary: &str, args: &[&str], seconds: u64) -> Output {
    let child = Command::new(binary)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_within(child, seconds, &format!("{binary} {args:?}"))
}

/// Waits for `child`, killing it (and failing) after `seconds`.
fn wait_within(mut child: Child, seconds: u64, what: &str) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(seconds) {
            child.kill().unwrap();
            panic!("{what} still runs after {seconds} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A trained model file `m.json` and the data it was trained on.
fn trained(scratch: &Scratch) -> (PathBuf, PathBuf) {
    let data = scratch.write("d.csv", DATA);
    let model = scratch.path("m.json");
    assert_success(&fit_on(&data, &["--epochs", "3", "--out", s(&model)]));
    (data, model)
}

#[test]
fn an_output_is_never_an_input_however_it_is_spelled() {
    let scratch = Scratch::new("rel-identity");
    let (data, model) = trained(&scratch);
    let model_bytes = fs::read(&model).unwrap();
    std::os::unix::fs::symlink(&data, scratch.path("link.csv")).unwrap();
    let dotted = format!("{}/./d.csv", scratch.dir.display());
    let link = scratch.path("link.csv");
    for (option, target, needle) in [
        ("--out", dotted.as_str(), "--out is the same file as --data"),
        ("--out", s(&link), "--out is the same file as --data"),
        (
            "--metrics",
            s(&data),
            "--metrics is the same file as --data",
        ),
    ] {
        assert_error(&fit_on(&data, &["--epochs", "2", option, target]), needle);
        assert_eq!(fs::read_to_string(&data).unwrap(), DATA);
    }
    let init = ["--epochs", "2", "--init", s(&model), "--metrics", s(&model)];
    assert_error(
        &fit_on(&data, &init),
        "--metrics is the same file as --init",
    );
    assert_eq!(fs::read(&model).unwrap(), model_bytes);

    // Two outputs at one place, neither existing yet: the model would be lost.
    let new = scratch.path("new.json");
    let same = format!("{}/./new.json", scratch.dir.display());
    let two = ["--epochs", "2", "--out", s(&new), "--metrics", &same];
    assert_error(&fit_on(&data, &two), "--metrics is the same file as --out");
    assert!(!new.exists());

    for out in [&model, &data] {
        assert_error(
            &predict(&["--model", s(&model), "--data", s(&data), "--out", s(out)]),
            "is the same file as",
        );
    }
    assert_eq!(fs::read(&model).unwrap(), model_bytes);
    assert_eq!(fs::read_to_string(&data).unwrap(), DATA);

    // path's report in its output folder is one of its files too.
    let folder = scratch.path("out");
    fs::create_dir(&folder).unwrap();
    let inside = folder.join("path.json");
    fs::write(&inside, DATA).unwrap();
    let output = run_within(
        env!("CARGO_BIN_EXE_path"),
        &[
            "--data",
            s(&inside),
            "--target",
            "y",
            "--out-dir",
            s(&folder),
            "--quiet",
        ],
        60,
    );
    assert_error(&output, "is the same file as --data");
    assert_eq!(fs::read_to_string(&inside).unwrap(), DATA);
}

#[test]
fn an_output_that_is_not_a_regular_file_is_refused() {
    let scratch = Scratch::new("rel-special");
    let data = scratch.write("d.csv", DATA);
    let fifo = scratch.path("fifo");
    mkfifo(&fifo);
    let output = fit_on(&data, &["--out", s(&fifo)]);
    assert_error(&output, "is a named pipe, not a regular file");
    assert!(
        fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo_like()
    );
}

/// An output that is the program's own standard output or error: on a
/// pipe it was "No such file or directory"; on a redirected file the
/// atomic rename replaced it behind the program, and compact's table,
/// printed after, was lost.
#[test]
fn an_output_that_is_the_programs_own_stream_is_refused() {
    let scratch = Scratch::new("rel-own-stream");
    let (data, model) = trained(&scratch);
    let piped = predict(&[
        "--model",
        s(&model),
        "--data",
        s(&data),
        "--out",
        "/dev/stdout",
    ]);
    assert_error(
        &piped,
        "--out /dev/stdout: is this program's standard output, not a file it can replace",
    );
    let redirected = scratch.path("out.txt");
    let output = Command::new(env!("CARGO_BIN_EXE_compact"))
        .args(["--model", s(&model), "--out", s(&scratch.path("c.json"))])
        .args(["--report", "/dev/stdout"])
        .stdout(fs::File::create(&redirected).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_error(
        &output,
        "--report /dev/stdout: is this program's standard output",
    );
    assert!(!scratch.path("c.json").exists());
}

/// `FileType::is_fifo` under a name that reads well in the assertion.
trait FifoLike {
    fn is_fifo_like(&self) -> bool;
}

impl FifoLike for fs::FileType {
    fn is_fifo_like(&self) -> bool {
        std::os::unix::fs::FileTypeExt::is_fifo(self)
    }
}

#[test]
fn every_size_from_outside_has_a_limit() {
    let scratch = Scratch::new("rel-limits");
    let data = scratch.write("d.csv", DATA);
    for (extra, needle) in [
        (
            &["--hidden", "1000000000"][..],
            "--hidden layer 1 width is 1000000000, above the limit of 65536",
        ),
        (
            &["--hidden", "60000,60000"],
            "parameter count is 3600240001, above the limit of 10000000",
        ),
        (
            &["--epochs", "18446744073709551615"],
            "--epochs is 18446744073709551615, above the limit of 1000000",
        ),
    ] {
        assert_error(&fit_on(&data, extra), needle);
    }
    // A full batch of 1 000 rows through 60 000 units: 6·10⁷ activations
    // (200 000 rows through 65 536 asked for 52 GB and aborted).
    let mut rows = String::from("x,y\n");
    for i in 0..1000 {
        rows.push_str(&format!("{},{}\n", i % 7, i % 3));
    }
    let rows = scratch.write("rows.csv", &rows);
    assert_error(
        &fit_on(&rows, &["--hidden", "60000", "--batch-size", "0"]),
        "a step's activations (--batch-size rows × the widest layer) is 60000000, above the limit of 50000000",
    );
    // A label of 999 999 asks for a million outputs of 21 inputs each.
    let mut wide =
        String::from("x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,x11,x12,x13,x14,x15,x16,x17,x18,x19,y\n");
    for label in [0, 999_999] {
        wide.push_str(&"1,".repeat(20));
        wide.push_str(&format!("{label}\n"));
    }
    let labels = scratch.write("labels.csv", &wide);
    assert_error(
        &fit_on(&labels, &["--task", "classification", "--epochs", "1"]),
        "the model's parameter count is 21000000, above the limit",
    );
    // One line longer than 16 MiB (a valid cell padded with spaces).
    let mut long = String::from("x,y\n1");
    long.push_str(&" ".repeat(17 << 20));
    long.push_str(",2\n2,3\n");
    let long = scratch.write("long.csv", &long);
    assert_error(
        &fit_on(&long, &["--epochs", "1"]),
        "a line's length in bytes is",
    );
    let path = env!("CARGO_BIN_EXE_path");
    assert_error(
        &run_within(path, &["--grid", "1000000000", "--quiet"], 30),
        "--grid is 1000000000, above the limit of 10000",
    );
    assert_error(
        &run_within(
            path,
            &["--samples", "100000", "--features", "100000", "--quiet"],
            30,
        ),
        "--samples × --features is 10000000000, above the limit of 50000000",
    );
    // wide data within the data limit: the Gram matrices the linear path
    // keeps (one per fold and more) would need 80 GB; refused by size
    assert_error(
        &run_within(
            path,
            &[
                "--samples",
                "12",
                "--features",
                "100000",
                "--folds",
                "2",
                "--quiet",
            ],
            30,
        ),
        "the size of 6 Gram matrices XᵀX of 100000 features (6 × 100000² numbers) is 60000000000, above the limit of 50000000",
    );
    let output = run_within(
        env!("CARGO_BIN_EXE_throughput"),
        &["--threads", "10000", "--workloads", "W1"],
        30,
    );
    assert_error(&output, "10000 is not in 1..=256");
}

#[test]
fn values_that_overflow_are_errors_not_results() {
    let scratch = Scratch::new("rel-finite");
    let (data, model) = trained(&scratch);
    let mut file: serde_json::Value = serde_json::from_slice(&fs::read(&model).unwrap()).unwrap();
    file["layers"][0]["weight"] = serde_json::json!([[3e38]]);
    let overflowing = scratch.write("over.json", &file.to_string());
    assert_error(
        &predict(&["--model", s(&overflowing), "--data", s(&data)]),
        "output 0 of the model is inf, not a finite f32 number",
    );
    file["layers"][0]["weight"] = serde_json::json!([[1.0]]);
    file["standardize"] = serde_json::json!({"mean": [0.0], "std": [1e-320]});
    let tiny_std = scratch.write("tiny.json", &file.to_string());
    assert_error(
        &predict(&["--model", s(&tiny_std), "--data", s(&data)]),
        "the standardized value is beyond the range of the model's dtype f32",
    );
    let huge = scratch.write(
        "huge.csv",
        "x,y\n1,1e308\n2,-1e308\n3,1e308\n4,-1e308\n5,1e308\n6,1e308\n",
    );
    let output = run_within(
        env!("CARGO_BIN_EXE_path"),
        &[
            "--data",
            s(&huge),
            "--target",
            "y",
            "--folds",
            "2",
            "--quiet",
            "--out-dir",
            s(&scratch.path("p")),
        ],
        60,
    );
    assert_error(&output, "λ_max is NaN");
}

#[test]
fn stdout_failures_are_errors() {
    let scratch = Scratch::new("rel-stdout");
    let (data, model) = trained(&scratch);
    // descriptor 1 closed: what was to be printed was not, so no success
    // (compact printed through std's stdout, which takes a closed one for
    // /dev/null, and exited 0)
    let compacted = scratch.path("c.json");
    for (binary, args) in [
        (
            env!("CARGO_BIN_EXE_predict"),
            vec!["--model", s(&model), "--data", s(&data)],
        ),
        (
            env!("CARGO_BIN_EXE_compact"),
            vec!["--model", s(&model), "--out", s(&compacted)],
        ),
    ] {
        let mut command = Command::new(binary);
        command.args(&args);
        // SAFETY: close(2) between fork and exec, an async-signal-safe call.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut command, || {
                libc::close(1);
                Ok(())
            });
        }
        let output = command.stderr(Stdio::piped()).output().unwrap();
        assert_error(&output, "cannot write to standard output: it is closed");
    }

    // A full disk behind stdout.
    for (binary, args) in [
        (
            env!("CARGO_BIN_EXE_predict"),
            vec!["--model", s(&model), "--data", s(&data)],
        ),
        (env!("CARGO_BIN_EXE_backprop"), vec!["--section", "neuron"]),
        (
            env!("CARGO_BIN_EXE_compact"),
            vec!["--model", s(&model), "--out", s(&compacted)],
        ),
    ] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = Command::new(binary)
            .args(&args)
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_error(
            &output,
            "cannot write to standard output: No space left on device",
        );
    }
}

#[test]
fn files_are_written_before_the_table_is_printed() {
    let scratch = Scratch::new("rel-head");
    let folder = scratch.path("tour");
    // `backprop | head -0`: the reader has gone before the first line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(["--section", "mlp", "--out-dir", s(&folder)])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    wait_within(child, 60, "backprop");
    assert!(
        folder.join("graph.dot").is_file(),
        "graph.dot was not written"
    );
}

#[test]
fn a_named_pipe_with_a_bad_row_does_not_hang() {
    let scratch = Scratch::new("rel-fifo");
    let fifo = scratch.path("data.csv");
    mkfifo(&fifo);
    let child = Command::new(env!("CARGO_BIN_EXE_fit"))
        .args(["--data", s(&fifo), "--target", "y", "--quiet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .unwrap()
        .write_all(b"x,y\n1,2\n\n\nzz,3\n")
        .unwrap();
    let output = wait_within(child, 30, "fit on a named pipe");
    assert_error(&output, "\"zz\" is not a number");
}

#[test]
fn temporary_names_fit_any_legal_name() {
    let scratch = Scratch::new("rel-long-name");
    let data = scratch.write("d.csv", DATA);
    let out = scratch.path(&"m".repeat(250));
    assert_success(&fit_on(&data, &["--epochs", "1", "--out", s(&out)]));
    assert!(out.is_file());
    let names: Vec<String> = fs::read_dir(&scratch.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn negative_looking_values_are_values() {
    let path = run_within(
        env!("CARGO_BIN_EXE_path"),
        &["--penalty", "elastic", "--l1-ratio", "-0.1", "--quiet"],
        30,
    );
    assert_error(&path, "--l1-ratio -0.1 must be in [0, 1]");
    let sparsity = run_within(
        env!("CARGO_BIN_EXE_sparsity"),
        &["--quick", "--lr", "-0.1", "--quiet"],
        30,
    );
    assert_error(&sparsity, "--lr must be finite and > 0, got -0.1");
    // clap's own test for a negative number knows neither exponents nor a
    // leading '.' nor inf: each was "unexpected argument '-1' found"
    let scratch = Scratch::new("rel-negative");
    let data = scratch.write("d.csv", DATA);
    for (extra, needle) in [
        (
            ["--l2", "-1e-3"],
            "--l2 must be finite and non-negative, got -0.001",
        ),
        (
            ["--lr", "-.5"],
            "--lr must be finite and positive, got -0.5",
        ),
        (
            ["--lr", "-inf"],
            "--lr must be finite and positive, got -inf",
        ),
    ] {
        assert_error(&fit_on(&data, &extra), needle);
    }
    // a list option given twice is an error, as a repeated option is (the
    // two lists were joined: --hidden 2 --hidden 3 trained [2, 3])
    for extra in [
        ["--hidden", "2", "--hidden", "3"],
        ["--features", "x", "--features", "x"],
    ] {
        assert_error(&fit_on(&data, &extra), "cannot be used multiple times");
    }
    // --l1-ratio is checked whichever --penalty is chosen
    for ratio in ["-1e-1", "nan"] {
        let output = run_within(
            env!("CARGO_BIN_EXE_path"),
            &["--l1-ratio", ratio, "--quiet"],
            30,
        );
        assert_error(&output, "must be in [0, 1]");
    }
    // every program reads -1 as a value (refused by its range), not as an
    // unknown option
    for (binary, option) in [
        (env!("CARGO_BIN_EXE_backprop"), "--seed"),
        (env!("CARGO_BIN_EXE_throughput"), "--threads"),
        (env!("CARGO_BIN_EXE_playground"), "--port"),
    ] {
        let output = run_within(binary, &[option, "-1"], 30);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("invalid value '-1'"), "{binary}: {stderr}");
    }
}

#[test]
fn a_message_says_its_cause_once() {
    let scratch = Scratch::new("rel-message");
    let blocker = scratch.write("file", "not a folder\n");
    let output = run_within(
        env!("CARGO_BIN_EXE_sparsity"),
        &["--quick", "--quiet", "--out-dir", s(&blocker.join("sub"))],
        60,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert_eq!(stderr.matches("(os error").count(), 1, "{stderr}");
}

/// A run that fails after its work (at a chart whose values no axis can
/// span) leaves the previous run's files as they were: every output is
/// drawn before any is written. Before, `report.json` / `path.json` of the
/// failed run replaced the old ones beside the old plots. The late
/// failures: a merged shard whose CV loss was edited to 1e200, and a path
/// on a target of 1e155 (its coefficients leave the charts' range).
#[test]
fn a_run_that_fails_leaves_the_previous_runs_files_as_they_were() {
    let scratch = Scratch::new("rel-all-or-nothing");
    let sparsity = env!("CARGO_BIN_EXE_sparsity");
    let shard = scratch.path("shard");
    let tiny = ["--quick", "--grid", "3", "--path-epochs", "1", "--quiet"];
    assert_success(&run_within(
        sparsity,
        &[&tiny[..], &["--shard", "1/1", "--out-dir", s(&shard)]].concat(),
        120,
    ));
    let shard_file = shard.join("shard-1-of-1.json");
    let mut edited: serde_json::Value =
        serde_json::from_slice(&fs::read(&shard_file).unwrap()).unwrap();
    let penalized = edited["results"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["job"]["regime"] == "l1_proximal" && r["job"]["part"]["fold"] == 0)
        .unwrap();
    penalized["points"][0]["loss"] = 1e200.into();
    let edited_dir = scratch.path("edited");
    fs::create_dir_all(&edited_dir).unwrap();
    fs::write(
        edited_dir.join("shard-1-of-1.json"),
        serde_json::to_vec(&edited).unwrap(),
    )
    .unwrap();
    let line = |slope: f64| {
        let mut csv = String::from("a,b,y\n");
        for i in 0..40 {
            let (a, b) = (f64::from(i % 7) - 3.0, f64::from(i % 5) - 2.0);
            csv.push_str(&format!("{a},{b},{:e}\n", slope * (2.0 * a - b)));
        }
        csv
    };
    let plain = scratch.write("plain.csv", &line(1.0));
    let huge = scratch.write("huge.csv", &line(1e155));
    let path_on = |data: &PathBuf| {
        vec![
            "--data",
            s(data),
            "--target",
            "y",
            "--folds",
            "2",
            "--grid",
            "5",
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
    };
    let merge = |dir: &PathBuf| vec!["--merge".to_string(), s(dir).to_string()];
    let runs = [
        (sparsity, merge(&shard), merge(&edited_dir), "report.json"),
        (
            env!("CARGO_BIN_EXE_path"),
            path_on(&plain),
            path_on(&huge),
            "path.json",
        ),
    ];
    for (binary, good, bad, report) in runs {
        let out = scratch.path(report);
        let with_out = |args: &[String]| {
            let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
            all.extend(["--quiet", "--out-dir", s(&out)]);
            run_within(binary, &all, 120)
        };
        assert_success(&with_out(&good));
        let before: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.clone(), fs::read(&p).unwrap()))
            .collect();
        let failed = with_out(&bad);
        assert_error(&failed, "too wide a range");
        for (path, bytes) in &before {
            assert!(
                fs::read(path).unwrap() == *bytes,
                "{} changed",
                path.display()
            );
        }
        assert_eq!(fs::read_dir(&out).unwrap().count(), before.len());
    }
}
