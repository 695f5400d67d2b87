//! Fuzzing of the readers that take untrusted bytes: whatever the bytes,
//! a reader returns `Ok` or a typed error, and never panics.
//!
//! Each reader is one entry of [`READERS`]: a name and a function from
//! bytes to "did it return" (the `Result` is dropped; a panic is the
//! failure). A new file format adds its reader there, and is then covered
//! by the property tests (arbitrary bytes, and valid files mutated byte by
//! byte) and by the long run:
//!
//! ```text
//! cargo test --release -p sparsegrad-io --test fuzz_readers -- --ignored --nocapture
//! ```
//!
//! which feeds each reader `SPARSEGRAD_FUZZ_INPUTS` inputs (default 10⁶)
//! and prints how many it ran, the panics (none) and the time.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sparsegrad_io::csv::{CsvSpec, read_csv, read_csv_features};
use sparsegrad_io::model_file::AnyModelFile;
use sparsegrad_nn::data::Task;

/// A reader under test: its name, a valid input to mutate, and the reader.
struct Reader {
    name: &'static str,
    valid: &'static [u8],
    read: fn(&[u8]),
}

/// Every reader of untrusted bytes.
const READERS: &[Reader] = &[
    Reader {
        name: "csv",
        valid: b"a,b,y\n1,2.5,0\n\n-3,\"4\",1\r\n5e-3,.5,2\n",
        read: read_csv_bytes,
    },
    Reader {
        name: "model file (JSON)",
        valid: include_bytes!("model_file_fixtures/contract_example.json"),
        read: read_model_bytes,
    },
    Reader {
        name: "model file (safetensors)",
        valid: include_bytes!("model_file_fixtures/tiny.safetensors"),
        read: read_safetensors_bytes,
    },
];

/// A safetensors model file's bytes through the parser `load` uses for a
/// `.safetensors` path.
fn read_safetensors_bytes(bytes: &[u8]) {
    let _ = AnyModelFile::from_safetensors_bytes(bytes);
}

/// A model file's bytes through the same parser `load` uses.
fn read_model_bytes(bytes: &[u8]) {
    let _ = AnyModelFile::from_json_bytes(bytes);
}

/// CSV bytes through the three ways of reading them (a regression target,
/// labels, named features), from a file as a program reads them.
fn read_csv_bytes(bytes: &[u8]) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path: PathBuf = std::env::temp_dir().join(format!(
        "sparsegrad-fuzz-{}-{}.csv",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, bytes).unwrap();
    for task in [Task::Regression, Task::Classification] {
        let spec = CsvSpec {
            target: "y".into(),
            features: None,
            task,
        };
        let _ = read_csv(&path, &spec);
    }
    let _ = read_csv_features(&path, &["a".to_string(), "b".to_string()]);
    std::fs::remove_file(&path).unwrap();
}

/// Bytes that are mostly valid: `valid` with a few bytes replaced,
/// inserted or removed, drawn from bytes that matter to the formats.
fn mutated(valid: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    let interesting = prop::sample::select(b"0123456789.eE+-,\"\n\r {}[]:ainfNAy\x00\xff".to_vec());
    prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, interesting), 1..8).prop_map(
        move |edits| {
            let mut bytes = valid.to_vec();
            for (at, kind, byte) in edits {
                let i = at.index(bytes.len() + 1);
                match kind {
                    0 if i < bytes.len() => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ if i < bytes.len() => {
                        bytes.remove(i);
                    }
                    _ => bytes.push(byte),
                }
            }
            bytes
        },
    )
}

/// Arbitrary bytes or a mutated valid input, half and half.
fn inputs(reader: &Reader) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        mutated(reader.valid)
    ]
}

/// Runs `cases` inputs through `reader`; a panic fails with the input.
fn fuzz(reader: &Reader, cases: u32) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&inputs(reader), |bytes| {
            (reader.read)(&bytes);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{} reader: {e}", reader.name));
}

#[test]
fn the_valid_inputs_read() {
    // The mutations start from files that read: a mutation tests an error
    // path, not the same refusal every time.
    let csv =
        std::env::temp_dir().join(format!("sparsegrad-fuzz-valid-{}.csv", std::process::id()));
    std::fs::write(&csv, READERS[0].valid).unwrap();
    let spec = CsvSpec {
        target: "y".into(),
        features: None,
        task: Task::Classification,
    };
    assert_eq!(read_csv(&csv, &spec).unwrap().len(), 3);
    std::fs::remove_file(&csv).unwrap();
    assert!(AnyModelFile::from_json_bytes(READERS[1].valid).is_ok());
    assert!(AnyModelFile::from_safetensors_bytes(READERS[2].valid).is_ok());
}

#[test]
fn no_reader_panics_on_arbitrary_or_mutated_bytes() {
    for reader in READERS {
        fuzz(reader, 2_000);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut deep = b"{\"layers\":".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 100_000));
    assert!(AnyModelFile::from_json_bytes(&deep).is_err());
}

#[test]
#[ignore = "the long run: about a minute per reader in release"]
fn long_run() {
    let cases: u32 = std::env::var("SPARSEGRAD_FUZZ_INPUTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    for reader in READERS {
        let start = std::time::Instant::now();
        fuzz(reader, cases);
        println!(
            "{}: {cases} inputs, 0 panics, {:.1} s",
            reader.name,
            start.elapsed().as_secs_f64()
        );
    }
}
