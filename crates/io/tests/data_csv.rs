//! Reading CSV files: values, column selection, and every error, each named
//! by line and column.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use sparsegrad_io::csv::{
    CellProblem, CsvError, CsvErrorKind, CsvSpec, MAX_CLASSES, read_csv, read_csv_features,
};
use sparsegrad_io::fs::ReadError;
use sparsegrad_nn::data::{Targets, Task};

/// A CSV file in the temporary folder, removed when dropped.
struct CsvFile(PathBuf);

impl CsvFile {
    fn new(contents: impl AsRef<[u8]>) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "sparsegrad-data-csv-{}-{}.csv",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, contents).unwrap();
        CsvFile(path)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for CsvFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn spec(target: &str, features: Option<&[&str]>, task: Task) -> CsvSpec {
    CsvSpec {
        target: target.into(),
        features: features.map(|f| f.iter().map(|s| s.to_string()).collect()),
        task,
    }
}

fn regression(target: &str) -> CsvSpec {
    spec(target, None, Task::Regression)
}

/// Reads `contents` and returns the error's kind and its full message.
fn error_of(contents: impl AsRef<[u8]>, spec: &CsvSpec) -> (CsvErrorKind, String) {
    let file = CsvFile::new(contents);
    let error: CsvError = read_csv(file.path(), spec).unwrap_err();
    let message = error.to_string();
    let prefix = format!("{}: ", file.path().display());
    assert!(message.starts_with(&prefix), "{message}");
    (error.kind, message[prefix.len()..].to_owned())
}

fn cell_problem(contents: &str, spec: &CsvSpec) -> (u64, String, CellProblem) {
    match error_of(contents, spec).0 {
        CsvErrorKind::Cell {
            line,
            column,
            problem,
        } => (line, column, problem),
        other => panic!("expected a cell error, got {other:?}"),
    }
}

#[test]
fn reads_the_values_of_the_file_exactly_with_default_features_in_file_order() {
    let file = CsvFile::new("a,y,b\n0.1,1e-3,-2\n3.5,2,0.30000000000000004\n");
    let data = read_csv(file.path(), &regression("y")).unwrap();
    assert_eq!(data.feature_names(), ["a", "b"]);
    assert_eq!(data.target_name(), "y");
    assert_eq!(
        data.features().as_slice().unwrap(),
        &[0.1, -2.0, 3.5, 0.30000000000000004]
    );
    match data.targets() {
        Targets::Regression(y) => assert_eq!(y.as_slice().unwrap(), &[0.001, 2.0]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn explicit_features_keep_the_requested_order_and_unused_columns_are_not_read() {
    let contents = "x0,junk,x1,y,more\n1,abc,2,0,\n3,,4,1.0,NaN\n5,\"a,\nb\",6,2,inf\n";
    let file = CsvFile::new(contents);
    let spec = spec("y", Some(&["x1", "x0"]), Task::Classification);
    let data = read_csv(file.path(), &spec).unwrap();
    assert_eq!(
        data.features().as_slice().unwrap(),
        &[2.0, 1.0, 4.0, 3.0, 6.0, 5.0]
    );
    assert_eq!(data.targets(), &Targets::Classification(vec![0, 1, 2]));
    assert_eq!(data.targets().num_classes(), Some(3));
}

#[test]
fn predict_reads_only_the_features_and_ignores_a_bad_target() {
    let file = CsvFile::new("y,x\nnot-a-number,7\n,8\n");
    let x = read_csv_features(file.path(), &["x".to_string()]).unwrap();
    assert_eq!(x.as_slice().unwrap(), &[7.0, 8.0]);
    assert_eq!(x.dim(), (2, 1));
}

#[test]
fn whitespace_crlf_and_a_byte_order_mark_are_accepted() {
    let file = CsvFile::new("\u{feff}a , y\r\n 1.5 ,\t2 \r\n");
    let data = read_csv(file.path(), &regression("y")).unwrap();
    assert_eq!(data.feature_names(), ["a"]);
    assert_eq!(data.features().as_slice().unwrap(), &[1.5]);
}

#[test]
fn a_bad_cell_is_named_by_line_and_column() {
    let contents = "x1,x2,x3,y\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,abc,4\n";
    let (_, message) = error_of(contents, &regression("y"));
    assert_eq!(message, "line 7, column \"x3\": \"abc\" is not a number");
}

#[test]
fn line_numbers_count_the_header_blank_lines_and_lines_inside_quotes() {
    let contents = "note,x,y\n\"two\nlines\",1,2\n\nok,zz,3\n";
    let (line, column, problem) =
        cell_problem(contents, &spec("y", Some(&["x"]), Task::Regression));
    assert_eq!((line, column.as_str()), (5, "x"));
    assert_eq!(problem, CellProblem::NotANumber("zz".into()));

    let (line, _, _) = cell_problem("\r\n\nx,y\r\n\r\n1,2\r\n\n\nq,3\n", &regression("y"));
    assert_eq!(line, 8);
    let (kind, _) = error_of("x,y\n1,2\n\n\n1\n", &regression("y"));
    assert!(
        matches!(kind, CsvErrorKind::FieldCount { line: 5, .. }),
        "{kind:?}"
    );
}

#[test]
fn line_numbers_stay_exact_far_into_a_large_file() {
    // 20 000 rows (≈ 200 kB, several read buffers), then blank lines and a
    // bad cell on line 1 + 20 000 + 3 + 1.
    let mut contents = String::from("x,y\n");
    for i in 0..20_000 {
        contents.push_str(&format!("{i}.25,{i}\n"));
    }
    contents.push_str("\n\r\n\n7,oops\n");
    let (line, column, problem) = cell_problem(&contents, &regression("y"));
    assert_eq!((line, column.as_str()), (20_005, "y"));
    assert_eq!(problem, CellProblem::NotANumber("oops".into()));
}

#[test]
fn empty_and_non_finite_cells_are_refused_and_said_so() {
    let cases = [
        ("", CellProblem::Empty),
        ("  ", CellProblem::Empty),
        ("NaN", CellProblem::NotFinite("NaN".into())),
        ("nan", CellProblem::NotFinite("nan".into())),
        ("inf", CellProblem::NotFinite("inf".into())),
        ("-Infinity", CellProblem::NotFinite("-Infinity".into())),
        ("1e400", CellProblem::NotFinite("1e400".into())),
        ("0x10", CellProblem::NotANumber("0x10".into())),
    ];
    for (cell, expected) in &cases {
        let contents = format!("x,y\n1,2\n{cell},3\n");
        let (line, column, problem) = cell_problem(&contents, &regression("y"));
        assert_eq!(
            (line, column.as_str(), &problem),
            (3, "x", expected),
            "cell {cell:?}"
        );
    }
    let (_, message) = error_of("x,y\n1,NaN\n", &regression("y"));
    assert!(message.contains("not a finite number"), "{message}");
    let (_, message) = error_of("x,y\n,1\n", &regression("y"));
    assert_eq!(message, "line 2, column \"x\": empty cell");
}

#[test]
fn a_long_cell_is_shortened_in_the_message() {
    let cell = "z".repeat(100);
    let (_, _, problem) = cell_problem(&format!("x,y\n{cell},1\n"), &regression("y"));
    assert_eq!(
        problem,
        CellProblem::NotANumber(format!("{}…", "z".repeat(40)))
    );
}

/// Text from the file reaches the user's terminal in a message: a control
/// character (NUL, ESC, BEL, the 8-bit CSI) is escaped, other text is not.
#[test]
fn control_characters_of_a_cell_or_a_name_are_escaped_in_the_message() {
    let cases: [(&[u8], &str); 5] = [
        (b"5\0", "5\\0"),
        (b"\x1b[2J1", "\\u{1b}[2J1"),
        (b"1\x07", "1\\u{7}"),
        ("\u{9b}31m".as_bytes(), "\\u{9b}31m"),
        ("é\t1".as_bytes(), "é\\t1"),
    ];
    for (cell, shown) in cases {
        let mut contents = b"x,y\n".to_vec();
        contents.extend_from_slice(cell);
        contents.extend_from_slice(b",1\n");
        let (kind, message) = error_of(&contents, &regression("y"));
        assert!(
            matches!(&kind, CsvErrorKind::Cell { problem: CellProblem::NotANumber(text), .. } if text == shown),
            "{kind:?}"
        );
        assert!(!message.chars().any(char::is_control), "{message:?}");
    }
    // Shortened to 40 characters first, then escaped.
    let (_, _, problem) = cell_problem(&format!("x,y\n{}\0,1\n", "z".repeat(40)), &regression("y"));
    assert_eq!(
        problem,
        CellProblem::NotANumber(format!("{}…", "z".repeat(40)))
    );

    // An unused column's name may hold anything, and is listed when a
    // column is missing.
    let (_, message) = error_of("x,\u{1b}]0;owned\u{7},y\n1,2,3\n", &regression("t"));
    assert_eq!(
        message,
        "no target column named \"t\" in the header (it has: \"x\", \"\\u{1b}]0;owned\\u{7}\", \"y\")"
    );
}

#[test]
fn class_labels_must_be_non_negative_integers_below_the_limit() {
    let file = CsvFile::new("x,y\n0,1.0\n0,-0\n0,2e0\n0,+3\n");
    let data = read_csv(file.path(), &spec("y", None, Task::Classification)).unwrap();
    assert_eq!(data.targets(), &Targets::Classification(vec![1, 0, 2, 3]));

    let largest = (MAX_CLASSES - 1).to_string();
    let file = CsvFile::new(format!("x,y\n0,{largest}\n"));
    let data = read_csv(file.path(), &spec("y", None, Task::Classification)).unwrap();
    assert_eq!(data.targets().num_classes(), Some(MAX_CLASSES));

    let too_large = MAX_CLASSES.to_string();
    let cases = [
        ("1.5", CellProblem::NotALabel("1.5".into())),
        ("-1", CellProblem::NotALabel("-1".into())),
        ("0.0001", CellProblem::NotALabel("0.0001".into())),
        ("1e9", CellProblem::LabelTooLarge("1e9".into())),
        (
            too_large.as_str(),
            CellProblem::LabelTooLarge(too_large.clone()),
        ),
        ("one", CellProblem::NotANumber("one".into())),
        ("inf", CellProblem::NotFinite("inf".into())),
    ];
    for (cell, expected) in cases {
        let contents = format!("x,y\n0,0\n0,{cell}\n");
        let (line, column, problem) =
            cell_problem(&contents, &spec("y", None, Task::Classification));
        assert_eq!(
            (line, column.as_str(), problem),
            (3, "y", expected),
            "label {cell:?}"
        );
    }
}

#[test]
fn short_and_long_rows_are_refused_even_when_the_missing_column_is_unused() {
    let (kind, message) = error_of(
        "x,y,unused\n1,2,3\n1,2\n",
        &spec("y", Some(&["x"]), Task::Regression),
    );
    assert!(
        matches!(
            kind,
            CsvErrorKind::FieldCount {
                line: 3,
                found: 2,
                expected: 3
            }
        ),
        "{kind:?}"
    );
    assert_eq!(message, "line 3: 2 fields, but the header has 3");
    let (kind, _) = error_of("x,y\n1,2\n1,2,3\n", &regression("y"));
    assert!(
        matches!(
            kind,
            CsvErrorKind::FieldCount {
                line: 3,
                found: 3,
                expected: 2
            }
        ),
        "{kind:?}"
    );
}

#[test]
fn missing_directory_empty_and_header_only_files_are_refused() {
    let missing = std::env::temp_dir().join("sparsegrad-data-csv-no-such-file.csv");
    let error = read_csv(&missing, &regression("y")).unwrap_err();
    assert!(
        matches!(error.kind, CsvErrorKind::Read(ReadError::NotFound)),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("no-such-file.csv: no such file"),
        "{error}"
    );

    let error = read_csv(&std::env::temp_dir(), &regression("y")).unwrap_err();
    assert!(
        matches!(error.kind, CsvErrorKind::Read(ReadError::IsDirectory)),
        "{error:?}"
    );

    for empty in ["", "\n\n", "\r\n"] {
        assert!(
            matches!(error_of(empty, &regression("y")).0, CsvErrorKind::Empty),
            "{empty:?}"
        );
    }
    for header_only in ["x,y", "x,y\n", "x,y\n\n"] {
        let (kind, message) = error_of(header_only, &regression("y"));
        assert!(matches!(kind, CsvErrorKind::NoRows), "{header_only:?}");
        assert_eq!(message, "the header has no data rows below it");
    }
}

#[test]
fn missing_columns_are_named_with_their_role() {
    let (kind, message) = error_of("x,y\n1,2\n", &regression("target"));
    assert!(
        matches!(&kind, CsvErrorKind::MissingColumn { name, role: "target", .. } if name == "target")
    );
    assert_eq!(
        message,
        "no target column named \"target\" in the header (it has: \"x\", \"y\")"
    );
    let (kind, _) = error_of(
        "x,y\n1,2\n",
        &spec("y", Some(&["x", "z"]), Task::Regression),
    );
    assert!(
        matches!(&kind, CsvErrorKind::MissingColumn { name, role: "feature", .. } if name == "z")
    );
}

#[test]
fn a_long_header_is_listed_in_part() {
    let header: Vec<String> = (0..25).map(|j| format!("c{j}")).collect();
    let contents = format!("{}\n{}\n", header.join(","), vec!["0"; 25].join(","));
    let (_, message) = error_of(&contents, &regression("y"));
    assert!(message.ends_with("\"c19\", and 5 more)"), "{message}");
}

#[test]
fn ambiguous_and_doubled_requests_are_refused() {
    let (kind, message) = error_of("x,y,x\n1,2,3\n", &regression("y"));
    assert!(
        matches!(
            kind,
            CsvErrorKind::DuplicateInHeader {
                first: 1,
                second: 3,
                ..
            }
        ),
        "{kind:?}"
    );
    assert_eq!(
        message,
        "the header has column \"x\" more than once (columns 1 and 3)"
    );

    // The same duplicate is harmless when that column is not used.
    let file = CsvFile::new("x,y,dup,dup\n1,2,a,b\n");
    read_csv(file.path(), &spec("y", Some(&["x"]), Task::Regression)).unwrap();

    let (kind, _) = error_of(
        "x,y\n1,2\n",
        &spec("y", Some(&["x", "x"]), Task::Regression),
    );
    assert!(
        matches!(&kind, CsvErrorKind::RequestedTwice { name } if name == "x"),
        "{kind:?}"
    );
    let (kind, _) = error_of(
        "x,y\n1,2\n",
        &spec("y", Some(&["x", "y"]), Task::Regression),
    );
    assert!(
        matches!(&kind, CsvErrorKind::TargetIsFeature { name } if name == "y"),
        "{kind:?}"
    );
}

#[test]
fn a_file_of_only_the_target_or_with_an_unnamed_used_column_is_refused() {
    let (kind, _) = error_of("y\n1\n", &regression("y"));
    assert!(
        matches!(&kind, CsvErrorKind::NoFeatures { target } if target == "y"),
        "{kind:?}"
    );
    let (kind, message) = error_of("x,,y\n1,2,3\n", &regression("y"));
    assert!(
        matches!(kind, CsvErrorKind::UnnamedColumn { column: 2 }),
        "{kind:?}"
    );
    assert_eq!(message, "the header's column 2 has no name");
}

/// A missing column's message lists the header's names shortened: one
/// name of a megabyte made a megabyte-long message.
#[test]
fn the_names_listed_for_a_missing_column_are_shortened() {
    let long = "n".repeat(1 << 20);
    let (_, message) = error_of(format!("x,{long},y\n1,2,3\n"), &regression("z"));
    assert!(message.len() < 200, "{} bytes", message.len());
    assert!(
        message.contains(&format!("\"{}…\"", "n".repeat(40))),
        "{message}"
    );
}

/// A used column's name goes into model files and SVG charts, where a
/// control character or a byte that is not text breaks them: refused by
/// column. An unused column may have any name.
#[test]
fn a_used_name_that_is_not_text_is_refused() {
    let (kind, message) = error_of(&b"x\0z,y\n1,2\n"[..], &regression("y"));
    assert!(
        matches!(kind, CsvErrorKind::UnusableName { column: 1, .. }),
        "{kind:?}"
    );
    assert_eq!(
        message,
        "the header's column 1 (\"x\\0z\") holds a control character: a column's name must be text without control characters"
    );
    let (kind, message) = error_of(&b"x,\xff\xfe,y\n1,2,3\n"[..], &regression("y"));
    assert!(
        matches!(kind, CsvErrorKind::UnusableName { column: 2, .. }),
        "{kind:?}"
    );
    assert!(message.contains("is not valid UTF-8"), "{message}");
    let (kind, _) = error_of("x,y\u{1b}[31m\n1,2\n", &regression("x"));
    assert!(
        matches!(kind, CsvErrorKind::UnusableName { column: 2, .. }),
        "{kind:?}"
    );
    let unused = CsvFile::new(&b"x,\xff\0,y\n1,2,3\n"[..]);
    let data = read_csv(unused.path(), &spec("y", Some(&["x"]), Task::Regression)).unwrap();
    assert_eq!(data.feature_names(), ["x"]);
}

/// Runs `read` and checks that it took less than `seconds` (these inputs
/// are tens of megabytes: a reader that held them whole, or went on to the
/// end of an endless one, would be slow or never end).
fn within<T>(seconds: u64, read: impl FnOnce() -> T) -> T {
    let start = std::time::Instant::now();
    let result = read();
    let took = start.elapsed();
    assert!(took.as_secs() < seconds, "took {took:?}");
    result
}

/// `(header, opening)` followed by short lines up to more than 16 MiB.
fn header_then_lines(opening: &str, line: &str) -> Vec<u8> {
    let mut contents = format!("a,y\n{opening}").into_bytes();
    while contents.len() <= 17 << 20 {
        contents.extend_from_slice(line.as_bytes());
    }
    contents
}

/// The CSV parser holds a whole record in memory, and a quoted cell's
/// newlines do not end it: an open quote followed by endless short lines
/// is one endless record, refused at 16 MiB like a long line.
#[test]
fn a_record_spanning_lines_is_refused_beyond_the_limit_of_a_line() {
    // `x"x,"`: the first quote is text (it is inside an unquoted cell), the
    // second opens quotes; counting quotes alone would miss it.
    for opening in ["\"", "1,\"", "x\"x,\"", "\"\"\"\r\n"] {
        let file = CsvFile::new(header_then_lines(opening, "1,2\n"));
        let error = within(5, || read_csv(file.path(), &regression("y"))).unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(&error.kind, CsvErrorKind::TooLarge(limit) if limit.limit == 16 << 20),
            "{opening:?}: {error:?}"
        );
        assert!(
            message.contains(": line 2: a record's length in bytes (a quoted cell spans lines: is a quote left open?) is "),
            "{opening:?}: {message}"
        );
        assert!(
            message.ends_with(", above the limit of 16777216"),
            "{message}"
        );
    }

    // One line over 16 MiB keeps its message, with the line it is on.
    let mut long = b"a,y\n1,2\n\n\"1\",".to_vec();
    long.resize(long.len() + (17 << 20), b' ');
    let (kind, message) = within(5, || error_of(&long, &regression("y")));
    assert!(matches!(kind, CsvErrorKind::TooLarge(_)), "{kind:?}");
    assert!(
        message.starts_with("line 4: a line's length in bytes is "),
        "{message}"
    );
}

/// A `"` inside an unquoted cell is text, and a quoted cell that closes
/// ends where the parser ends it: neither makes the rest of a large file
/// one record.
#[test]
fn quotes_that_open_no_record_spanning_lines_leave_a_large_file_readable() {
    // The second row's note is `x"` and a newline and `"`, quoted.
    let mut contents = String::from("a,note,y\n1,5'3\",2\n1,\"x\"\"\n\"\"\",2\n");
    let mut rows = 2;
    while contents.len() <= 17 << 20 {
        contents.push_str("1,x,2\n");
        rows += 1;
    }
    let file = CsvFile::new(&contents);
    let data = within(5, || {
        read_csv(file.path(), &spec("y", Some(&["a"]), Task::Regression))
    })
    .unwrap();
    assert_eq!(data.features().nrows(), rows);
}

/// The parser skips blank lines without returning, so that an endless
/// stream of them (`yes ''` on a pipe) is refused by their count: up to
/// the limit of used cells (50 000 000) they are skipped.
#[test]
fn blank_lines_beyond_the_limit_are_refused() {
    const LIMIT: usize = 50_000_000;
    let mut contents = b"a,y\n1,2\n".to_vec();
    contents.resize(contents.len() + LIMIT, b'\n');
    contents.extend_from_slice(b"3,4\n");
    let file = CsvFile::new(&contents);
    let data = within(5, || read_csv(file.path(), &regression("y"))).unwrap();
    assert_eq!(data.features().as_slice().unwrap(), &[1.0, 3.0]);

    contents.truncate(contents.len() - 4);
    contents.extend_from_slice(b"\n3,4\n");
    let (kind, message) = within(5, || error_of(&contents, &regression("y")));
    assert!(matches!(kind, CsvErrorKind::TooLarge(_)), "{kind:?}");
    assert_eq!(
        message,
        "the number of blank lines is 50000001, above the limit of 50000000"
    );
}

proptest! {
    /// Any finite f64 written in Rust's shortest round-trip form reads back
    /// bit for bit.
    #[test]
    fn every_finite_value_reads_back_bit_for_bit(
        rows in proptest::collection::vec(
            (any::<f64>().prop_filter("finite", |x| x.is_finite()),
             any::<f64>().prop_filter("finite", |x| x.is_finite())),
            1..20,
        )
    ) {
        let mut contents = String::from("x,y\n");
        for (x, y) in &rows {
            contents.push_str(&format!("{x},{y:e}\n"));
        }
        let file = CsvFile::new(&contents);
        let data = read_csv(file.path(), &regression("y")).unwrap();
        let Targets::Regression(y) = data.targets() else { panic!("regression") };
        for (i, (x, t)) in rows.iter().enumerate() {
            prop_assert_eq!(data.features()[[i, 0]].to_bits(), x.to_bits());
            prop_assert_eq!(y[[i, 0]].to_bits(), t.to_bits());
        }
    }
}
