//! The `sparsity` program as a user runs it: the quick run CI makes, a
//! user's CSV (regression and classification), the shipped real data,
//! fit's error contract on bad data, and shard-and-merge giving the single
//! run's report byte for byte.

use std::path::{Path, PathBuf};
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

/// A fresh scratch folder for test `name`.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("sparsegrad-sparsity-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The path as a &str.
fn s(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// The shipped data file `name`.
fn shipped(name: &str) -> String {
    format!("{}/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// report.json of `dir`, parsed.
fn report(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap()
}

/// Fast settings on top of --quick, for the runs on other data.
const TINY: [&str; 10] = [
    "--quick",
    "--quiet",
    "--grid",
    "3",
    "--first-epochs",
    "3",
    "--path-epochs",
    "1",
    "--settle-epochs",
    "2",
];

#[test]
fn invalid_options_give_one_error_line() {
    for args in [
        &["--dataset", "moons"][..],
        &["--folds", "many"],
        &["--folds", "1"],
        &["--hidden", "64,0"],
        &["--lr", "-1"],
        &["--eps", "nan"],
        &["--select", "median"],
        &["--shard", "3/2"],
        &["--shard", "0/2"],
        &["--threads", "0"],
        &["--threads", "257"],
        &["--data", "x.csv"],
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
fn the_quick_run_writes_the_contracted_report_and_plots() {
    let dir = scratch("quick");
    let (ok, stdout, stderr) = run(&[&TINY[..], &["--out-dir", s(&dir)]].concat());
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("L1 proximal") && stdout.contains("1-SE rule"),
        "{stdout}"
    );
    let report = report(&dir);
    let regimes = report["regimes"].as_array().unwrap();
    assert_eq!(regimes.len(), 10);
    for regime in regimes {
        for key in [
            "lambda_best",
            "lambda_1se",
            "chosen",
            "test_loss",
            "exact_zero_fraction",
            "features_kept",
            "neurons_kept",
            "params_after_compaction",
            "feature_leave_lambda",
        ] {
            assert!(!regime[key].is_null(), "{key} missing in {regime}");
        }
        assert_eq!(regime["chosen"], regime["lambda_1se"]);
        for point in regime["curve"].as_array().unwrap() {
            for key in [
                "lambda",
                "cv_mean",
                "cv_se",
                "exact_zero_fraction",
                "features_kept",
            ] {
                assert!(point[key].is_number(), "{key} missing in {point}");
            }
        }
    }
    for name in [
        "tradeoff-zeros.svg",
        "tradeoff-params.svg",
        "cv-l1_proximal.svg",
        "cv-sparse_group_lasso.svg",
        "network-none.svg",
        "network-group_lasso_neurons.svg",
        "weights.svg",
        "features.svg",
    ] {
        let svg = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(svg.trim_end().ends_with("</svg>"), "{name}");
    }
    assert!(
        std::fs::read_to_string(dir.join("weights.svg"))
            .unwrap()
            .contains("exactly 0")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn shards_merge_into_the_single_runs_report_byte_for_byte() {
    let dir = scratch("shards");
    let single = dir.join("single");
    let common = [&TINY[..], &["--seed", "5"]].concat();
    let (ok, _, stderr) =
        run(&[&common[..], &["--threads", "2", "--out-dir", s(&single)]].concat());
    assert!(ok, "{stderr}");
    let shards: Vec<PathBuf> = (1..=3).map(|k| dir.join(format!("shard{k}"))).collect();
    for (k, shard_dir) in shards.iter().enumerate() {
        let shard = format!("{}/3", k + 1);
        let args = [
            &common[..],
            &[
                "--threads",
                "1",
                "--shard",
                &shard,
                "--out-dir",
                s(shard_dir),
            ],
        ]
        .concat();
        let (ok, stdout, stderr) = run(&args);
        assert!(ok, "{stderr}");
        assert!(
            stdout.contains(&format!("shard-{}-of-3.json", k + 1)),
            "{stdout}"
        );
    }
    let merged = dir.join("merged");
    let mut args = vec!["--quiet", "--out-dir", s(&merged), "--merge"];
    args.extend(shards.iter().map(|p| s(p)));
    let (ok, _, stderr) = run(&args);
    assert!(ok, "{stderr}");
    let read = |d: &Path| std::fs::read(d.join("report.json")).unwrap();
    assert!(
        read(&single) == read(&merged),
        "merged report differs from the single run's"
    );

    // A missing shard is an error, not a partial report.
    let (ok, _, stderr) = run(&[
        "--quiet",
        "--out-dir",
        s(&merged),
        "--merge",
        s(&shards[0]),
        s(&shards[2]),
    ]);
    assert!(
        !ok && stderr.starts_with("error: ") && stderr.contains("shard 2/3 is missing"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_users_csv_runs_for_regression_and_classification() {
    let dir = scratch("csv");
    let data = shipped("sparse_linear.csv");
    let args = [
        &TINY[..],
        &["--data", &data, "--target", "y", "--out-dir", s(&dir)],
    ]
    .concat();
    let (ok, stdout, stderr) = run(&args);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("sparse_linear.csv"), "{stdout}");
    let regression = report(&dir);
    assert_eq!(regression["task"], "regression");
    assert!(regression["regimes"][0]["test_accuracy"].is_null());

    let data = shipped("breast_cancer.csv");
    let args = [
        &TINY[..],
        &[
            "--data",
            &data,
            "--target",
            "benign",
            "--task",
            "classification",
            "--out-dir",
            s(&dir),
        ],
    ]
    .concat();
    let (ok, stdout, stderr) = run(&args);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("acc"), "{stdout}");
    let classification = report(&dir);
    assert_eq!(classification["task"], "classification");
    assert_eq!(classification["layer_sizes"][0], 30);
    let accuracy = classification["regimes"][0]["test_accuracy"]
        .as_f64()
        .unwrap();
    assert!(accuracy > 0.8, "breast cancer test accuracy {accuracy}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_shipped_data_sets_run() {
    let dir = scratch("shipped");
    for (name, features, task) in [
        ("diabetes", 10, "regression"),
        ("breast-cancer", 30, "classification"),
    ] {
        let args = [&TINY[..], &["--dataset", name, "--out-dir", s(&dir)]].concat();
        let (ok, _, stderr) = run(&args);
        assert!(ok, "{name}: {stderr}");
        let report = report(&dir);
        assert_eq!(
            report["feature_names"].as_array().unwrap().len(),
            features,
            "{name}"
        );
        assert_eq!(report["task"], task, "{name}");
        assert!(
            report["support"].is_null(),
            "{name}: a real data set has no known support"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_data_gets_fits_error_contract() {
    let dir = scratch("bad");
    let out = dir.join("out");
    let bad_cell = dir.join("bad.csv");
    std::fs::write(&bad_cell, "a,b,y\n1,2,3\n4,x,6\n").unwrap();
    let missing = dir.join("missing.csv");
    for (args, needle) in [
        (vec!["--data", s(&missing), "--target", "y"], "missing.csv"),
        (vec!["--data", s(&bad_cell), "--target", "y"], "line 3"),
        (vec!["--data", s(&bad_cell), "--target", "nope"], "nope"),
        (
            vec![
                "--data",
                &shipped("sparse_linear.csv"),
                "--target",
                "y",
                "--task",
                "classification",
            ],
            "label",
        ),
    ] {
        let all = [&args[..], &["--quick", "--quiet", "--out-dir", s(&out)]].concat();
        let (ok, stdout, stderr) = run(&all);
        assert!(!ok, "{args:?} succeeded");
        assert!(stdout.is_empty(), "{args:?} printed {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(needle),
            "{args:?}: {stderr}"
        );
        assert!(!out.exists(), "{args:?} created the out-dir");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn no_output_may_be_an_input() {
    let dir = scratch("clash");
    let csv = std::fs::read(shipped("sparse_linear.csv")).unwrap();
    // the CSV under the name of a regime's CV plot, and of a shard file
    for name in ["cv-group_lasso_neurons.svg", "shard-2-of-3.json"] {
        let data = dir.join(name);
        std::fs::write(&data, &csv).unwrap();
        let shard: &[&str] = if name.starts_with("shard") {
            &["--shard", "2/3"]
        } else {
            &[]
        };
        let args = [
            &TINY[..],
            shard,
            &["--data", s(&data), "--target", "y", "--out-dir", s(&dir)],
        ]
        .concat();
        let (ok, stdout, stderr) = run(&args);
        assert!(!ok && stdout.is_empty(), "{name}: {stdout}");
        assert!(
            stderr.starts_with("error: ") && stderr.lines().count() == 1,
            "{name}: {stderr}"
        );
        assert_eq!(std::fs::read(&data).unwrap(), csv, "{name} was overwritten");
        assert!(
            !dir.join("report.json").exists(),
            "{name}: a report was written"
        );
    }
    // a merge whose report.json would be a shard it reads (a hard link)
    let shards = dir.join("shards");
    let (ok, _, stderr) = run(&[&TINY[..], &["--shard", "1/1", "--out-dir", s(&shards)]].concat());
    assert!(ok, "{stderr}");
    let shard = shards.join("shard-1-of-1.json");
    let before = std::fs::read(&shard).unwrap();
    let out = dir.join("merged");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::hard_link(&shard, out.join("report.json")).unwrap();
    let (ok, _, stderr) = run(&["--quiet", "--out-dir", s(&out), "--merge", s(&shards)]);
    assert!(!ok && stderr.starts_with("error: "), "{stderr}");
    assert_eq!(
        std::fs::read(&shard).unwrap(),
        before,
        "the shard was overwritten"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A change made to a shard file's JSON by hand.
type Edit = fn(&mut serde_json::Value);

/// Shard files edited by hand (or written with an absurd N) are refused
/// with a message, never a panic or an allocation abort: N beyond any
/// number of files, a shard number outside 1..=N, a result of a job the
/// study does not have, a job twice, points that are not the grid, a
/// configuration the options would refuse, and sparsity records no network
/// of the study could have (a feature index beyond the features panicked).
#[test]
fn hand_edited_shards_are_refused_by_name() {
    let dir = scratch("edited-shards");
    let shard_dir = dir.join("shard");
    let (ok, _, stderr) =
        run(&[&TINY[..], &["--shard", "1/1", "--out-dir", s(&shard_dir)]].concat());
    assert!(ok, "{stderr}");
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shard_dir.join("shard-1-of-1.json")).unwrap())
            .unwrap();
    let cases: [(&str, Edit, &str); 11] = [
        (
            "huge N",
            |v| v["shard"]["count"] = u64::MAX.into(),
            "is missing",
        ),
        (
            "index 0",
            |v| v["shard"]["index"] = 0.into(),
            "does not fit",
        ),
        (
            "index above N",
            |v| v["shard"]["index"] = 5.into(),
            "does not fit",
        ),
        (
            "a fold the study lacks",
            |v| v["results"][0]["job"]["part"] = serde_json::json!({"fold": 99}),
            "not one of the study's jobs",
        ),
        (
            "a job twice",
            |v| {
                let first = v["results"][0].clone();
                v["results"].as_array_mut().unwrap().push(first);
            },
            "has two results",
        ),
        (
            "no points",
            |v| v["results"][0]["points"] = serde_json::json!([]),
            "are not its regime's λ grid",
        ),
        (
            "a feature index beyond the features (it panicked)",
            |v| {
                v["results"][0]["points"][0]["sparsity"]["features_kept"] = serde_json::json!([999])
            },
            "features_kept [999] is not an increasing list of features below",
        ),
        (
            "a feature twice",
            |v| {
                v["results"][0]["points"][0]["sparsity"]["features_kept"] =
                    serde_json::json!([3, 3])
            },
            "features_kept [3, 3]",
        ),
        (
            "a fraction of 7",
            |v| v["results"][0]["points"][0]["sparsity"]["exact_zero_fraction"] = 7.into(),
            "exact_zero_fraction 7 is not a fraction",
        ),
        (
            "neurons of layers the network lacks",
            |v| {
                v["results"][0]["points"][0]["sparsity"]["neurons_kept"] =
                    serde_json::json!([1, 1, 1, 1, 1])
            },
            "neurons_kept [1, 1, 1, 1, 1] is not one count per hidden layer",
        ),
        (
            "an eps no run accepts",
            |v| v["header"]["config"]["eps"] = 1e-200.into(),
            "configuration is refused: invalid configuration: --eps must be in [1e-15, 1), got 1e-200",
        ),
    ];
    for (what, edit, expected) in cases {
        let edited = dir.join("edited");
        let _ = std::fs::remove_dir_all(&edited);
        std::fs::create_dir_all(&edited).unwrap();
        let mut value = original.clone();
        edit(&mut value);
        let name = "shard-1-of-1.json";
        std::fs::write(edited.join(name), serde_json::to_vec(&value).unwrap()).unwrap();
        let out = dir.join("merged");
        let output = Command::new(env!("CARGO_BIN_EXE_sparsity"))
            .args(["--quiet", "--out-dir", s(&out), "--merge", s(&edited)])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{what}: {stderr}");
        assert!(
            stderr.starts_with("error: merge: ") && stderr.contains(expected),
            "{what}: {stderr}"
        );
        assert!(
            !out.join("report.json").exists(),
            "{what}: a report was written"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
