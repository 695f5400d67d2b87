//! Reading a data set from a CSV file, with errors that name the line and
//! the column of a bad cell.
//!
//! The rules (those of the `fit` and `predict` programs):
//! - The first row is the header; line numbers are 1-based and count the
//!   header as line 1 (a quoted cell spanning lines counts them all; blank
//!   lines are skipped but counted). A UTF-8 byte-order mark is ignored.
//!   Errors about the header say "the header".
//! - Only the requested columns are parsed and validated: an unused column
//!   may hold anything. But every row must have as many fields as the
//!   header, used or not: a short or long row has its columns misaligned,
//!   so nothing in it can be trusted.
//! - Header names and cells are trimmed of ASCII whitespace first,
//!   so `a, b` names columns `a` and `b`, and ` 1.5` reads as 1.5.
//! - Every used cell must be a finite number in Rust's (and most
//!   languages') decimal syntax: `3`, `-0.5`, `1e-3`, `.5`. An empty cell,
//!   `NaN`, `inf` or a number beyond the range of f64 is an error.
//! - A class label is a number that is a non-negative integer below
//!   [`MAX_CLASSES`]: `1` and `1.0` read as 1, `1.5`, `-1` and `1e9` are
//!   errors.
//! - Each requested column must appear in the header exactly once, and be
//!   requested once (the target may not also be a feature). Without an
//!   explicit list, the features are every column but the target, in file
//!   order.
//!
//! - No record (a line, or the lines of a quoted cell that spans lines)
//!   may be longer than [`MAX_LINE_BYTES`], the blank lines may number at
//!   most [`MAX_VALUES`] in all, and so may the used cells (rows × used
//!   columns): a file beyond any of these is refused as soon as the reader
//!   gets there, so that an endless input (`/dev/zero`, `yes ''` on a
//!   pipe) ends in an error.
//! - A cell quoted in an error message has its control characters escaped
//!   (`\0`, `\u{1b}`), and so do the header's names.
//!
//! The file is streamed once, from any kind of file (a named pipe too), and
//! values are read into f64, exactly as the file writes them (correctly
//! rounded), straight into one row-major buffer: no per-cell allocation.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use ndarray::Array2;
use thiserror::Error;

use crate::fs::{FileError, ReadError, open_for_reading};
use crate::limits::{LimitExceeded, MAX_LINE_BYTES, MAX_VALUES, Size, check_size};
use sparsegrad_nn::data::{Dataset, Targets, Task};

/// Class labels must be below this (one million): a label is the index of
/// a model output, and a stray large number (a regression target read as a
/// label, say) would otherwise ask for millions of outputs.
pub const MAX_CLASSES: usize = 1_000_000;

/// Which columns of a CSV file make a data set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvSpec {
    /// The target column's name.
    pub target: String,
    /// The feature columns, in this order; `None` = every column but the
    /// target, in file order.
    pub features: Option<Vec<String>>,
    /// Whether the target holds real values or class labels.
    pub task: Task,
}

/// A CSV error: `path: what` (see [`CsvErrorKind`]).
pub type CsvError = FileError<CsvErrorKind>;

/// What is wrong with a CSV file.
#[derive(Debug, Error)]
pub enum CsvErrorKind {
    /// The file cannot be opened or read.
    #[error("{0}")]
    Read(ReadError),
    /// The file has no header row.
    #[error("the file is empty (a header row is expected)")]
    Empty,
    /// The file has a header and nothing else.
    #[error("the header has no data rows below it")]
    NoRows,
    /// A requested column is not in the header.
    #[error(
        "no {role} column named \"{name}\" in the header (it has: {})",
        quoted_list(available)
    )]
    MissingColumn {
        /// The column asked for.
        name: String,
        /// `"target"` or `"feature"`.
        role: &'static str,
        /// The header's names.
        available: Vec<String>,
    },
    /// A used column's name appears twice in the header, so which one is
    /// meant is ambiguous.
    #[error("the header has column \"{name}\" more than once (columns {first} and {second})")]
    DuplicateInHeader {
        /// The name.
        name: String,
        /// The first two 1-based column numbers holding it.
        first: usize,
        /// See `first`.
        second: usize,
    },
    /// A used column of the header has an empty name.
    #[error("the header's column {column} has no name")]
    UnnamedColumn {
        /// The 1-based column number.
        column: usize,
    },
    /// A used column's name is not UTF-8 or holds a control character.
    #[error(
        "the header's column {column} ({name:?}) {flaw}: a column's name must be text without control characters"
    )]
    UnusableName {
        /// The 1-based column number.
        column: usize,
        /// The name, with any bytes that are not UTF-8 replaced by U+FFFD.
        name: String,
        /// What is wrong with it.
        flaw: &'static str,
    },
    /// The feature list names a column twice.
    #[error("feature column \"{name}\" is requested more than once")]
    RequestedTwice {
        /// The name.
        name: String,
    },
    /// The feature list includes the target.
    #[error("the target column \"{name}\" cannot also be a feature")]
    TargetIsFeature {
        /// The name.
        name: String,
    },
    /// No feature columns are left (the header has only the target).
    #[error("no feature columns: the header has only the target column \"{target}\"")]
    NoFeatures {
        /// The target's name.
        target: String,
    },
    /// A row has a different number of fields from the header.
    #[error("line {line}: {found} fields, but the header has {expected}")]
    FieldCount {
        /// The row's line.
        line: u64,
        /// Its number of fields.
        found: usize,
        /// The header's number of fields.
        expected: usize,
    },
    /// A line or the whole file is beyond a limit.
    #[error("{0}")]
    TooLarge(LimitExceeded),
    /// A used cell cannot be read.
    #[error("line {line}, column \"{column}\": {problem}")]
    Cell {
        /// The cell's line.
        line: u64,
        /// Its column's name.
        column: String,
        /// What is wrong with it.
        problem: CellProblem,
    },
}

/// What is wrong with one cell (its text is quoted, shortened to 40
/// characters).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CellProblem {
    /// Nothing (or only spaces) in the cell.
    #[error("empty cell")]
    Empty,
    /// Not a decimal number.
    #[error("\"{0}\" is not a number")]
    NotANumber(String),
    /// NaN, an infinity, or a number beyond the range of f64.
    #[error(
        "\"{0}\" is not a finite number (NaN, infinities and values beyond ±1.8e308 are not allowed)"
    )]
    NotFinite(String),
    /// A number that is negative or has a fractional part.
    #[error("\"{0}\" is not a class label (a non-negative integer: 0, 1, 2, ...)")]
    NotALabel(String),
    /// A label of [`MAX_CLASSES`] or more.
    #[error("class label \"{0}\" is too large (labels must be below {MAX_CLASSES})")]
    LabelTooLarge(String),
}

/// Reads the data set that `spec` describes from the CSV file at `path`.
///
/// ```
/// # let path = std::env::temp_dir().join(format!("sparsegrad-doc-{}.csv", std::process::id()));
/// std::fs::write(&path, "x0,notes,x1,y\n1,ok,2,0\n3,?,4,1.0\n").unwrap();
/// use sparsegrad_io::csv::{CsvSpec, read_csv};
/// use sparsegrad_nn::data::{Targets, Task};
/// let spec = CsvSpec { target: "y".into(), features: Some(vec!["x1".into(), "x0".into()]), task: Task::Classification };
/// let data = read_csv(&path, &spec).unwrap();
/// assert_eq!(data.features().as_slice().unwrap(), &[2.0, 1.0, 4.0, 3.0]);
/// assert_eq!(data.targets(), &Targets::Classification(vec![0, 1]));
/// # std::fs::remove_file(&path).unwrap();
/// ```
pub fn read_csv(path: &Path, spec: &CsvSpec) -> Result<Dataset<f64>, CsvError> {
    let table = read_table(
        path,
        Some((&spec.target, spec.task)),
        spec.features.as_deref(),
    )
    .map_err(|kind| FileError {
        path: path.to_path_buf(),
        kind,
    })?;
    let targets = match spec.task {
        Task::Regression => Targets::Regression(column_matrix(table.targets)),
        // Labels were checked to be integers in [0, MAX_CLASSES) when read.
        Task::Classification => {
            Targets::Classification(table.targets.into_iter().map(|t| t as usize).collect())
        }
    };
    Ok(Dataset::new(
        table.features,
        targets,
        table.feature_names,
        spec.target.clone(),
    ))
}

/// Reads only the named feature columns (as `predict` does: a target column
/// may be present, and is ignored like any other unused column).
pub fn read_csv_features(path: &Path, features: &[String]) -> Result<Array2<f64>, CsvError> {
    read_table(path, None, Some(features))
        .map(|table| table.features)
        .map_err(|kind| FileError {
            path: path.to_path_buf(),
            kind,
        })
}

/// The used columns of a file.
struct Table {
    feature_names: Vec<String>,
    /// n × d, row-major.
    features: Array2<f64>,
    /// One value per row (empty when no target was asked for).
    targets: Vec<f64>,
}

fn read_table(
    path: &Path,
    target: Option<(&str, Task)>,
    features: Option<&[String]>,
) -> Result<Table, CsvErrorKind> {
    let file = open_for_reading(path).map_err(CsvErrorKind::Read)?;
    let metadata = file.metadata().ok();
    let file_len = metadata.as_ref().map_or(0, |m| m.len());
    // A second handle on the same open file, to find a bad row's line by
    // reading at an offset; only for a regular file (a pipe cannot be read
    // twice, and the path is never opened again).
    let lines = metadata
        .filter(|m| m.is_file())
        .and_then(|_| file.try_clone().ok());
    // The default syntax (`,`, `"` doubled to escape, no comments), which
    // RecordLimit follows to find where a record ends.
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true) // field counts are checked here, with a better message
        .buffer_capacity(1 << 16)
        .from_reader(RecordLimit::new(file));
    let mut record = ::csv::ByteRecord::new();

    if !next_record(&mut reader, &mut record)? {
        return Err(CsvErrorKind::Empty);
    }
    let header: Vec<String> = record
        .iter()
        .map(|name| String::from_utf8_lossy(name.trim_ascii()).into_owned())
        .collect();
    let flaws: Vec<Option<&'static str>> = record.iter().map(header_name_flaw).collect();
    let columns = Columns::resolve(&header, &flaws, target, features)?;
    let header_end = reader.position().byte();

    let d = columns.features.len();
    let mut values: Vec<f64> = Vec::new();
    let mut targets: Vec<f64> = Vec::new();
    let mut n_rows = 0;
    while next_record(&mut reader, &mut record)? {
        if record.len() != header.len() {
            return Err(CsvErrorKind::FieldCount {
                line: start_line(lines.as_ref(), &record),
                found: record.len(),
                expected: header.len(),
            });
        }
        check_size(
            "the number of used cells (rows × used columns)",
            Size::product(n_rows as u128 + 1, d as u128),
            MAX_VALUES,
        )
        .map_err(CsvErrorKind::TooLarge)?;
        if n_rows == 0 {
            // Reserve for the whole file at once, guessing its number of
            // rows from the length of the first (never beyond the limit:
            // the file's length may be anything).
            let row_bytes = reader.position().byte().saturating_sub(header_end).max(1);
            let rows = (file_len.saturating_sub(header_end) / row_bytes + 1)
                .min(MAX_VALUES / d.max(1) as u64);
            values.reserve(rows as usize * d);
            targets.reserve(if columns.target.is_some() {
                rows as usize
            } else {
                0
            });
        }
        let cell_error = |column: usize, problem| CsvErrorKind::Cell {
            line: start_line(lines.as_ref(), &record),
            column: header[column].clone(),
            problem,
        };
        for &column in &columns.features {
            values.push(parse_number(&record[column]).map_err(|p| cell_error(column, p))?);
        }
        if let Some((column, task)) = columns.target {
            let cell = &record[column];
            let value = match task {
                Task::Regression => parse_number(cell),
                Task::Classification => parse_label(cell),
            };
            targets.push(value.map_err(|p| cell_error(column, p))?);
        }
        n_rows += 1;
    }
    if n_rows == 0 {
        return Err(CsvErrorKind::NoRows);
    }
    let features = Array2::from_shape_vec((n_rows, d), values)
        .expect("read_table: d values were read for each of the n rows");
    Ok(Table {
        feature_names: columns
            .features
            .iter()
            .map(|&j| header[j].clone())
            .collect(),
        features,
        targets,
    })
}

/// Reads the next record into `record`; `false` at the end of the file.
fn next_record(
    reader: &mut ::csv::Reader<RecordLimit<File>>,
    record: &mut ::csv::ByteRecord,
) -> Result<bool, CsvErrorKind> {
    reader.read_byte_record(record).map_err(|error| {
        // With byte records and rows of any length, the csv crate reports
        // only I/O errors (it accepts any bytes as CSV); anything else is
        // passed on as an I/O error with its own message.
        let io = match error.into_kind() {
            ::csv::ErrorKind::Io(io) => io,
            other => io::Error::other(format!("{other:?}")),
        };
        let limit = io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<LimitExceeded>())
            .cloned();
        match limit {
            Some(limit) => CsvErrorKind::TooLarge(limit),
            None => CsvErrorKind::Read(ReadError::from(io)),
        }
    })
}

/// Blank lines a file may have in all: [`MAX_VALUES`]. The CSV parser
/// skips them without returning, so no other limit sees them, and an
/// endless stream of them (`yes ''` on a pipe) would be read forever. A
/// real file has a few; even one after every row of a file at the limit of
/// used cells makes no more than this.
const MAX_BLANK_LINES: u64 = MAX_VALUES;

/// A reader that fails once a record grows beyond [`MAX_LINE_BYTES`], so
/// that the CSV parser, which holds a whole record in memory, never holds
/// more than that, and once the blank lines exceed [`MAX_BLANK_LINES`].
///
/// A record ends at a newline outside quotes, so the reader follows the
/// syntax as the csv crate's parser does (see [`Syntax`]): counting `"`
/// bytes would not do, since a `"` inside an unquoted cell (`5'3"`) is an
/// ordinary byte, and an odd number of those would hide a quoted cell
/// that spans lines without end.
struct RecordLimit<R> {
    inner: R,
    /// Whether nothing has been read yet (a byte-order mark may come).
    at_start: bool,
    scan: Scan,
}

/// How far a [`RecordLimit`] has read; a `Copy` value, so that the loop
/// over a chunk keeps it in registers.
#[derive(Clone, Copy)]
struct Scan {
    syntax: Syntax,
    /// Bytes of the current record so far.
    run: u64,
    /// Whether the current record has a newline inside quotes.
    spans_lines: bool,
    /// Newlines read so far, and the 1-based line where the current record
    /// started, for the message.
    newlines: u64,
    record_line: u64,
    blank_lines: u64,
}

/// Where a [`RecordLimit`] is in the CSV syntax of the csv crate's parser
/// as configured here: `,` between cells, `"` quotes with `""` for a
/// quote inside, and `\r`, `\n` or `\r\n` ending a record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    /// Before a record: a line ending here ends a blank line.
    RecordStart,
    /// Just after a `\r` that ended a line: a `\n` here belongs to it.
    AfterCr,
    /// At the start of a cell, the only place where a `"` opens quotes.
    CellStart,
    /// In a cell without quotes.
    Unquoted,
    /// Inside quotes.
    Quoted,
    /// Just after a `"` inside quotes: another `"` is a quote in the
    /// text, anything else closes the quotes.
    QuoteInQuotes,
}

impl<R> RecordLimit<R> {
    fn new(inner: R) -> Self {
        RecordLimit {
            inner,
            at_start: true,
            scan: Scan {
                syntax: Syntax::RecordStart,
                run: 0,
                spans_lines: false,
                newlines: 0,
                record_line: 1,
                blank_lines: 0,
            },
        }
    }
}

impl Scan {
    /// Follows `chunk` through the syntax; an error once a limit is passed.
    fn feed(mut self, chunk: &[u8]) -> Result<Scan, LimitExceeded> {
        use Syntax::*;
        for &byte in chunk {
            let mut state = self.syntax;
            if state == AfterCr {
                if byte == b'\n' {
                    self.newlines += 1;
                    self.syntax = RecordStart;
                    continue;
                }
                state = RecordStart;
            }
            if state == RecordStart {
                if let b'\r' | b'\n' = byte {
                    self.newlines += u64::from(byte == b'\n');
                    self.blank_lines += 1;
                    self.syntax = if byte == b'\r' { AfterCr } else { RecordStart };
                    continue;
                }
                self.record_line = self.newlines + 1;
                state = CellStart;
            }
            self.run += 1;
            self.syntax = match (state, byte) {
                (CellStart | QuoteInQuotes, b'"') => Quoted,
                (Quoted, b'"') => QuoteInQuotes,
                (Quoted, b'\r' | b'\n') => {
                    self.newlines += u64::from(byte == b'\n');
                    self.spans_lines = true;
                    Quoted
                }
                (Quoted, _) => Quoted,
                (_, b',') => CellStart,
                (_, b'\r' | b'\n') => {
                    self.check_run()?;
                    self.newlines += u64::from(byte == b'\n');
                    self.run = 0;
                    self.spans_lines = false;
                    if byte == b'\r' { AfterCr } else { RecordStart }
                }
                _ => Unquoted,
            };
        }
        // Checked once a chunk (at most the parser's 64 KiB buffer) for a
        // record still open: it may pass the limit by that much.
        self.check_run()?;
        if self.blank_lines > MAX_BLANK_LINES {
            return Err(LimitExceeded {
                what: "the number of blank lines".into(),
                value: Size::Exact(u128::from(self.blank_lines)),
                limit: MAX_BLANK_LINES,
            });
        }
        Ok(self)
    }

    /// An error if the current record is beyond [`MAX_LINE_BYTES`].
    fn check_run(&self) -> Result<(), LimitExceeded> {
        if self.run <= MAX_LINE_BYTES {
            return Ok(());
        }
        // A record that spans lines is most likely a quote left open.
        let what = if self.spans_lines {
            "a record's length in bytes (a quoted cell spans lines: is a quote left open?)"
        } else {
            "a line's length in bytes"
        };
        Err(LimitExceeded {
            what: format!("line {}: {what}", self.record_line),
            value: Size::Exact(u128::from(self.run)),
            limit: MAX_LINE_BYTES,
        })
    }
}

impl<R: Read> Read for RecordLimit<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buffer)?;
        let mut chunk = &buffer[..n];
        // The parser skips a byte-order mark at the start of its first
        // buffer, which is this first chunk.
        if std::mem::take(&mut self.at_start) {
            chunk = chunk.strip_prefix(b"\xef\xbb\xbf").unwrap_or(chunk);
        }
        self.scan = self.scan.feed(chunk).map_err(io::Error::other)?;
        Ok(n)
    }
}

/// The 1-based line on which `record` starts, for an error message.
///
/// The csv crate gives the line where it started reading, which lies
/// before any blank lines it skipped to reach the record. Those are
/// counted by reading the same open file (`lines`, a regular file) at
/// that offset: only on an error, so that the normal path streams the
/// file once. From a pipe, where nothing can be read twice, the line where
/// reading started is given.
fn start_line(lines: Option<&File>, record: &::csv::ByteRecord) -> u64 {
    let Some(position) = record.position() else {
        return 0;
    };
    position.line() + lines.map_or(0, |file| blank_lines_at(file, position.byte()))
}

/// The newlines of the run of `\n` and `\r` bytes at `offset` of `file`.
fn blank_lines_at(file: &File, offset: u64) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let mut newlines = 0;
        let mut buffer = [0u8; 4096];
        let mut at = offset;
        while let Ok(n @ 1..) = file.read_at(&mut buffer, at) {
            for &byte in &buffer[..n] {
                match byte {
                    b'\n' => newlines += 1,
                    b'\r' => {}
                    _ => return newlines,
                }
            }
            at += n as u64;
        }
        newlines
    }
    #[cfg(not(unix))]
    {
        let _ = (file, offset);
        0
    }
}

/// The 0-based positions in the header of the columns to read.
struct Columns {
    features: Vec<usize>,
    target: Option<(usize, Task)>,
}

impl Columns {
    /// The positions of `target` and `features` (default: every other
    /// column) in `header`; `flaws[j]` says why column j's name may not be
    /// used, if it may not.
    fn resolve(
        header: &[String],
        flaws: &[Option<&'static str>],
        target: Option<(&str, Task)>,
        features: Option<&[String]>,
    ) -> Result<Self, CsvErrorKind> {
        let mut positions: HashMap<&str, Vec<usize>> = HashMap::new();
        for (j, name) in header.iter().enumerate() {
            positions.entry(name).or_default().push(j);
        }
        let find = |name: &str, role: &'static str| -> Result<usize, CsvErrorKind> {
            match positions.get(name).map(Vec::as_slice) {
                None | Some([]) => Err(CsvErrorKind::MissingColumn {
                    name: name.to_owned(),
                    role,
                    available: header.to_vec(),
                }),
                Some(found) if name.is_empty() => Err(CsvErrorKind::UnnamedColumn {
                    column: found[0] + 1,
                }),
                Some([j]) => match flaws[*j] {
                    None => Ok(*j),
                    Some(flaw) => Err(CsvErrorKind::UnusableName {
                        column: j + 1,
                        name: name.to_owned(),
                        flaw,
                    }),
                },
                Some([first, second, ..]) => Err(CsvErrorKind::DuplicateInHeader {
                    name: name.to_owned(),
                    first: first + 1,
                    second: second + 1,
                }),
            }
        };

        let target_column = match target {
            Some((name, task)) => Some((find(name, "target")?, task)),
            None => None,
        };
        let feature_columns = match features {
            Some(names) => {
                let mut requested: HashSet<&str> = HashSet::with_capacity(names.len());
                for name in names {
                    if target.is_some_and(|(t, _)| t == name) {
                        return Err(CsvErrorKind::TargetIsFeature { name: name.clone() });
                    }
                    if !requested.insert(name) {
                        return Err(CsvErrorKind::RequestedTwice { name: name.clone() });
                    }
                }
                names
                    .iter()
                    .map(|name| find(name, "feature"))
                    .collect::<Result<Vec<_>, _>>()?
            }
            None => {
                let target_index = target_column.map(|(j, _)| j);
                let others = (0..header.len()).filter(|&j| Some(j) != target_index);
                let columns = others
                    .map(|j| find(&header[j], "feature"))
                    .collect::<Result<Vec<_>, _>>()?;
                if columns.is_empty() {
                    return Err(CsvErrorKind::NoFeatures {
                        target: target.map_or_else(String::new, |(t, _)| t.to_owned()),
                    });
                }
                columns
            }
        };
        Ok(Columns {
            features: feature_columns,
            target: target_column,
        })
    }
}

/// Why a header name cannot name a feature or a target, if it cannot (see
/// [`name_flaw`]), or that its bytes are not UTF-8.
fn header_name_flaw(name: &[u8]) -> Option<&'static str> {
    std::str::from_utf8(name.trim_ascii()).map_or(Some("is not valid UTF-8"), name_flaw)
}

/// Why `name` cannot name a feature or a target, if it cannot: it is empty,
/// or holds a control character. Names go into model files, reports and
/// charts, and SVG (XML) cannot hold a control character. Shared by the
/// CSV reader and the model file's checks.
pub fn name_flaw(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.chars().any(char::is_control) {
        Some("holds a control character")
    } else {
        None
    }
}

/// A cell as a finite f64 (see the module docs for the syntax).
fn parse_number(cell: &[u8]) -> Result<f64, CellProblem> {
    let text = cell.trim_ascii();
    if text.is_empty() {
        return Err(CellProblem::Empty);
    }
    let value = std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or_else(|| CellProblem::NotANumber(excerpt(text)))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(CellProblem::NotFinite(excerpt(text)))
    }
}

/// A cell as a class label: an integer in [0, MAX_CLASSES), returned as the
/// f64 it was read as (`1.0` is 1).
fn parse_label(cell: &[u8]) -> Result<f64, CellProblem> {
    let value = parse_number(cell)?;
    if value < 0.0 || value.fract() != 0.0 {
        Err(CellProblem::NotALabel(excerpt(cell.trim_ascii())))
    } else if value >= MAX_CLASSES as f64 {
        Err(CellProblem::LabelTooLarge(excerpt(cell.trim_ascii())))
    } else {
        Ok(value)
    }
}

/// A cell's text for a message: at most 40 characters, so that a stray
/// megabyte of text does not fill the terminal, with control characters
/// escaped (see [`escape_controls`]).
fn excerpt(text: &[u8]) -> String {
    const MAX_CHARS: usize = 40;
    let text = String::from_utf8_lossy(text);
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", escape_controls(&text[..cut])),
        None => escape_controls(&text),
    }
}

/// `text` with each control character written as Rust escapes it (`\0`,
/// `\t`, `\u{1b}`): text from a file goes into messages on a terminal,
/// which would act on an ESC sequence or a BEL. Other text, `é` too, is
/// kept as it is.
fn escape_controls(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            escaped.extend(c.escape_debug());
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// The names of a header, quoted and separated by commas, each as an
/// [`excerpt`] (an unused name may hold control characters, or megabytes);
/// past the first 20, only how many more there are.
fn quoted_list(names: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut list: Vec<String> = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("\"{}\"", excerpt(n.as_bytes())))
        .collect();
    if names.len() > SHOWN {
        list.push(format!("and {} more", names.len() - SHOWN));
    }
    list.join(", ")
}

/// n values as an n × 1 matrix.
fn column_matrix(values: Vec<f64>) -> Array2<f64> {
    let n = values.len();
    Array2::from_shape_vec((n, 1), values).expect("column_matrix: n values make n × 1")
}
