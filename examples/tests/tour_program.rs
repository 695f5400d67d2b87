//! The `backprop` program end to end: each section runs and exits 0, the
//! drawing is written (with no program on the PATH), bad options fail
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
fn with_no_program_on_the_path_it_writes_graph_svg_and_graph_dot() {
    let dir = scratch("no-dot");
    let out = dir.join("drawings");
    // PATH is an empty folder: no Graphviz, nothing else either.
    let run = backprop(
        &["--section", "mlp", "--out-dir", out.to_str().unwrap()],
        &dir,
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let svg = std::fs::read_to_string(out.join("graph.svg")).unwrap();
    let document = roxmltree::Document::parse(&svg).expect("graph.svg is XML");
    let count = |class: &str| {
        document
            .descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .count()
    };
    // 4 ops and 6 leaves; 3 + 1 + 3 + 2 inputs (as in graph.dot)
    assert_eq!((count("node"), count("edge")), (10, 9));
    assert!(svg.contains(">mse_loss (loss)</text>"));
    let dot = std::fs::read_to_string(out.join("graph.dot")).unwrap();
    assert!(dot.starts_with("digraph") && dot.contains("mse_loss (loss)"));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains(&format!(
            "wrote {} and {}",
            out.join("graph.svg").display(),
            out.join("graph.dot").display()
        )),
        "{stdout}"
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
