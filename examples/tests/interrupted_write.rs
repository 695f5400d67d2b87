//! A real SIGINT or SIGTERM while `fit` writes its model (issue 13): the
//! temporary file is removed, the target is either absent or complete, and
//! the exit status says which signal ended the program.
//!
//! The program writes a model of about 2.7 million parameters (tens of MB
//! of JSON); the test watches the output folder and sends the signal the
//! moment the temporary file appears, that is, while the bytes are being
//! written and flushed.

mod fit_support;

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fit_support::{Scratch, s};

/// Starts `fit` on a wide model, sends `signal` as soon as a temporary file
/// shows in the output folder, and checks what is left.
fn interrupt_the_model_write(signal: libc::c_int, test: &str) {
    let scratch = Scratch::new(test);
    let features = 300;
    let header: Vec<String> = (0..features)
        .map(|j| format!("x{j}"))
        .chain(["y".into()])
        .collect();
    let mut csv = header.join(",") + "\n";
    for i in 0..4 {
        let row: Vec<String> = (0..=features).map(|j| format!("{}", (i + j) % 7)).collect();
        csv += &(row.join(",") + "\n");
    }
    let data = scratch.write("d.csv", &csv);
    let out_dir = scratch.path("out");
    fs::create_dir(&out_dir).unwrap();
    let model = out_dir.join("m.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fit"))
        .args([
            "--data",
            s(&data),
            "--target",
            "y",
            "--hidden",
            "1500,1500",
            "--epochs",
            "1",
            "--quiet",
            "--out",
            s(&model),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Busy-poll the folder: the temporary exists only while it is written.
    let start = Instant::now();
    let caught = loop {
        let temporary = fs::read_dir(&out_dir)
            .unwrap()
            .filter_map(Result::ok)
            .any(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"));
        if temporary {
            // SAFETY: sends a signal to our own child, which is still running
            // (it has not been waited for, so its pid cannot be reused).
            assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
            break true;
        }
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "fit neither wrote nor ended within 120 s"
        );
    };
    let output = child.wait_with_output().unwrap();
    assert!(
        caught,
        "fit ended before its temporary file was seen: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    assert_eq!(
        output.status.signal(),
        Some(signal),
        "the exit status names the signal ({:?})",
        output.status
    );
    let left: Vec<String> = fs::read_dir(&out_dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.iter().all(|name| !name.ends_with(".tmp")),
        "a temporary file was left: {left:?}"
    );
    // The rename is the only step that makes the target: if the signal came
    // after it, the model is whole.
    if model.exists() {
        let text = fs::read_to_string(&model).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).expect("a model left is complete");
    }
}

#[test]
fn sigint_during_the_model_write_leaves_no_temporary_file() {
    interrupt_the_model_write(libc::SIGINT, "int-sigint");
}

#[test]
fn sigterm_during_the_model_write_leaves_no_temporary_file() {
    interrupt_the_model_write(libc::SIGTERM, "int-sigterm");
}
