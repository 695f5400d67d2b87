//! The `sparsity` program's command line: bad options are one `error:`
//! line and a non-zero exit.

use std::process::Command;

/// Runs the built program with `args`; returns (success, stdout, stderr).
fn run(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sparsity"))
        .args(args)
        .output()
        .expect("the sparsity binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn invalid_options_give_one_error_line() {
    for args in [
        &["--dataset", "moons"][..],
        &["--epochs", "many"],
        &["--hidden", "64,0"],
        &["--l1", "-1"],
        &["--l2", "nan"],
        &["--no-such-option"],
    ] {
        let (ok, stdout, stderr) = run(args);
        assert!(!ok, "{args:?} succeeded");
        assert!(stdout.is_empty(), "{args:?} printed {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
}

#[test]
fn a_tiny_run_writes_the_report_and_plots() {
    let dir = std::env::temp_dir().join(format!("sparsegrad-sparsity-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (ok, stdout, stderr) = run(&[
        "--quick",
        "--quiet",
        "--epochs",
        "2",
        "--full-batch-epochs",
        "1",
        "--hidden",
        "8",
        "--seed",
        "3",
        "--out-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("L1 proximal") && stdout.contains("elastic net"),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["config"]["seed"], 3);
    assert_eq!(report["config"]["hidden"], serde_json::json!([8]));
    assert_eq!(report["regimes"].as_array().unwrap().len(), 7);
    for name in [
        "sparsity-weights.svg",
        "sparsity-features.svg",
        "sparsity-loss.svg",
    ] {
        let svg = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(svg.trim_end().ends_with("</svg>"), "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
