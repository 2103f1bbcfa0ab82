//! Running the `webrunner` binary and reading what it leaves behind.

use std::path::Path;
use std::process::{Command, Output};

use webrunner::Record;

/// The `webrunner` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_webrunner");

/// Runs `webrunner ARGS` in `dir` to the end.
pub fn webrunner(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run webrunner")
}

/// What the run wrote to stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The records of the output folder `out`, failing the test unless `records.json` is there
/// and valid.
pub fn records(out: &Path) -> Vec<Record> {
    let path = out.join("records.json");
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
