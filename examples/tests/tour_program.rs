//! The `backprop` program end to end: each section runs and exits 0, the
//! drawing is written (with and without a `dot` program), bad options fail
//! with one line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sparsegrad-tour-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the program with `args`, with only `path` on the PATH.
fn backprop(args: &[&str], path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(args)
        .env("PATH", path)
        .output()
        .expect("the program runs")
}

#[test]
fn each_section_runs_and_prints_its_heading() {
    let dir = scratch("sections");
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    let empty = dir.join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    for (section, heading) in [
        ("neuron", "== 1. One neuron"),
        ("mlp", "== 2. A tiny MLP"),
        ("penalty", "== 3. One weight"),
    ] {
        let run = backprop(&["--section", section, "--out-dir", out], &empty);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{section}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(stdout.starts_with(heading), "{section}: {stdout}");
        assert_eq!(
            stdout.matches("== ").count(),
            1,
            "{section} shows only itself"
        );
    }
    let all = backprop(&["--out-dir", out, "--seed", "7"], &empty);
    assert!(all.status.success());
    assert_eq!(
        String::from_utf8_lossy(&all.stdout)
            .matches("\n== ")
            .count(),
        2
    );
}

#[test]
fn without_dot_the_program_writes_graph_dot_and_says_there_is_no_svg() {
    let dir = scratch("no-dot");
    let out = dir.join("drawings");
    let run = backprop(
        &["--section", "mlp", "--out-dir", out.to_str().unwrap()],
        &dir,
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let dot = std::fs::read_to_string(out.join("graph.dot")).unwrap();
    assert!(dot.starts_with("digraph") && dot.contains("mse_loss (loss)"));
    assert!(!out.join("graph.svg").exists());
    assert!(String::from_utf8_lossy(&run.stdout).contains("no `dot` program on the PATH"));
}

#[cfg(unix)]
#[test]
fn with_a_dot_program_its_svg_is_written_beside_the_dot_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("fake-dot");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    // A stand-in for Graphviz: checks its arguments, answers with an SVG
    // that names the file it was given.
    let fake = bin.join("dot");
    std::fs::write(
        &fake,
        "#!/bin/sh\n[ \"$1\" = -Tsvg ] || exit 3\nprintf '<svg>%s</svg>' \"$2\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = dir.join("drawings");
    let run = backprop(
        &["--section", "mlp", "--out-dir", out.to_str().unwrap()],
        &bin,
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let svg = std::fs::read_to_string(out.join("graph.svg")).unwrap();
    assert_eq!(
        svg,
        format!("<svg>{}</svg>", out.join("graph.dot").display())
    );
}

#[test]
fn a_bad_option_fails_with_one_error_line() {
    let dir = scratch("bad-option");
    for args in [&["--section", "lstm"][..], &["--seed", "minus one"]] {
        let run = backprop(args, &dir);
        assert!(!run.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
}

#[test]
fn an_out_dir_that_is_a_file_fails_with_one_error_line() {
    let dir = scratch("out-is-file");
    let file = dir.join("taken");
    std::fs::write(&file, "not a folder").unwrap();
    let run = backprop(
        &["--section", "mlp", "--out-dir", file.to_str().unwrap()],
        &dir,
    );
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        // refused by the up-front check of the output files, before the tour runs
        stderr.starts_with("error: --out-dir ") && stderr.contains("Not a directory"),
        "{stderr}"
    );
}
