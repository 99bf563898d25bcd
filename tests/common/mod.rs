//! Helpers shared by the integration tests: the fixture corpus under
//! `tests/fixtures/`, running the built `aiw` binary and `kubectl kustomize`,
//! and readable diffs.
//!
//! Fixture layout (see `tests/fixtures/regenerate.sh`, which writes the
//! expected outputs with `kubectl kustomize`):
//! - `input/`: the kustomization tree; `root.txt` optionally names the
//!   directory to build, relative to `input/`;
//! - `expected.yaml`: the exact stdout of `kubectl kustomize input/<root>`;
//! - or, for an error fixture, `error-file.txt`: the file name aiw's one-line
//!   error must mention (`expect-error` holds kubectl's stderr, for reference).

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What a fixture expects.
#[derive(Debug)]
pub enum Expect {
    /// The build succeeds and prints exactly these bytes.
    Output(Vec<u8>),
    /// The build fails; the error names this file.
    Error { names_file: String },
}

/// One fixture directory.
#[derive(Debug)]
pub struct Fixture {
    /// Directory name under `tests/fixtures/`.
    pub name: String,
    /// The directory to build (`input/` or `input/<root>`).
    pub build_dir: PathBuf,
    /// The expected outcome.
    pub expect: Expect,
}

/// The repository root (where `Cargo.toml` is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/`.
pub fn fixtures_dir() -> PathBuf {
    repo_root().join("tests").join("fixtures")
}

/// Every fixture, sorted by name. `AIW_FIXTURE=name[,name…]` restricts the
/// list (handy while debugging one case). Panics on a malformed fixture
/// directory: that is a bug in the test data, not in aiw.
pub fn load_fixtures() -> Vec<Fixture> {
    let filter: Option<Vec<String>> = std::env::var("AIW_FIXTURE")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split(',').map(|p| p.trim().to_string()).collect());
    let mut out = Vec::new();
    let entries = fs::read_dir(fixtures_dir()).expect("tests/fixtures is readable");
    for entry in entries {
        let entry = entry.expect("fixture directory entry");
        let dir = entry.path();
        if !dir.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if filter.as_ref().is_some_and(|f| !f.contains(&name)) {
            continue;
        }
        out.push(load_fixture(&name, &dir));
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn load_fixture(name: &str, dir: &Path) -> Fixture {
    let input = dir.join("input");
    assert!(input.is_dir(), "fixture {name}: missing input/");
    let build_dir = match fs::read_to_string(dir.join("root.txt")) {
        Ok(root) => input.join(root.trim()),
        Err(_) => input,
    };
    assert!(
        build_dir.is_dir(),
        "fixture {name}: build directory {} does not exist",
        build_dir.display()
    );
    let expect = match fs::read_to_string(dir.join("error-file.txt")) {
        Ok(file) => {
            let names_file = file.trim().to_string();
            assert!(
                !names_file.is_empty(),
                "fixture {name}: empty error-file.txt"
            );
            assert!(
                !dir.join("expected.yaml").exists(),
                "fixture {name}: has both error-file.txt and expected.yaml"
            );
            Expect::Error { names_file }
        }
        Err(_) => {
            let bytes = fs::read(dir.join("expected.yaml")).unwrap_or_else(|_| {
                panic!("fixture {name}: missing expected.yaml (run tests/fixtures/regenerate.sh)")
            });
            Expect::Output(bytes)
        }
    };
    Fixture {
        name: name.to_string(),
        build_dir,
        expect,
    }
}

/// Runs `aiw build <dir>` with the binary cargo built for this test run.
pub fn run_aiw_build(dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiw"))
        .arg("build")
        .arg(dir)
        .output()
        .expect("the aiw binary runs")
}

/// True when `kubectl` is on PATH and has the `kustomize` subcommand.
pub fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["kustomize", "--help"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Runs `kubectl kustomize <dir>`.
pub fn run_kubectl_kustomize(dir: &Path) -> Output {
    Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .expect("kubectl runs")
}

/// A unified diff of `expected` against `actual`, cut to 200 lines.
pub fn unified_diff(
    expected: &[u8],
    actual: &[u8],
    expected_name: &str,
    actual_name: &str,
) -> String {
    const MAX_LINES: usize = 200;
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    let diff = similar::TextDiff::from_lines(expected.as_ref(), actual.as_ref());
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(expected_name, actual_name)
        .to_string();
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.len() > MAX_LINES {
        let more = lines.len() - MAX_LINES;
        lines.truncate(MAX_LINES);
        format!("{}\n… {more} more diff lines", lines.join("\n"))
    } else if lines.is_empty() {
        // Same lines, different bytes (e.g. a missing final newline).
        format!(
            "(no line differences; lengths {} vs {} bytes)",
            expected.len(),
            actual.len()
        )
    } else {
        lines.join("\n")
    }
}

/// Checks that a failing build behaved as the CLI promises: exit code 2,
/// nothing on stdout, no panic, one line on stderr naming `names_file`.
/// Returns a description of every broken promise.
pub fn check_error_output(out: &Output, names_file: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(2) {
        problems.push(format!("exit status {:?}, want code 2", out.status.code()));
    }
    if !out.stdout.is_empty() {
        problems.push(format!("{} bytes on stdout, want none", out.stdout.len()));
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        problems.push("panicked".to_string());
    }
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() != 1 {
        problems.push(format!("{} lines on stderr, want exactly one", lines.len()));
    }
    if !stderr.contains(names_file) {
        problems.push(format!("stderr does not name {names_file:?}"));
    }
    if !problems.is_empty() {
        problems.push(format!("stderr was: {}", stderr.trim_end()));
    }
    problems
}
