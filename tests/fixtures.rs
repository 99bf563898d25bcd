//! Builds every fixture under `tests/fixtures/` with `aiw build` and compares
//! the output byte for byte with `expected.yaml`, which `kubectl kustomize`
//! produced (`tests/fixtures/regenerate.sh`). Error fixtures must fail the way
//! the CLI promises: exit code 2, nothing on stdout, no panic, one line on
//! stderr naming the offending file.
//!
//! Run: `cargo test --test fixtures`; one fixture: `AIW_FIXTURE=name cargo
//! test --test fixtures`. Every failing fixture is reported, not just the first.

mod common;

use common::{Expect, check_error_output, load_fixtures, run_aiw_build, unified_diff};

/// The corpus is large enough to mean something; guards against a test that
/// passes because it found nothing to check.
#[test]
fn fixture_corpus_is_present() {
    if std::env::var("AIW_FIXTURE").is_ok() {
        return;
    }
    let fixtures = load_fixtures();
    let ok = fixtures
        .iter()
        .filter(|f| matches!(f.expect, Expect::Output(_)))
        .count();
    let err = fixtures.len() - ok;
    assert!(ok >= 30, "only {ok} output fixtures found");
    assert!(err >= 10, "only {err} error fixtures found");
}

#[test]
fn every_fixture_builds_to_the_kubectl_output() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in load_fixtures() {
        let Expect::Output(expected) = &f.expect else {
            continue;
        };
        checked += 1;
        let out = run_aiw_build(&f.build_dir);
        if !out.status.success() {
            failures.push(format!(
                "{}: aiw build failed ({:?}): {}",
                f.name,
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).trim_end()
            ));
            continue;
        }
        if &out.stdout != expected {
            failures.push(format!(
                "{}: output differs from expected.yaml\n{}",
                f.name,
                unified_diff(
                    expected,
                    &out.stdout,
                    "expected.yaml (kubectl)",
                    "aiw build"
                )
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} fixtures failed:\n\n{}\n\nfailing: {}",
        failures.len(),
        failures.join("\n\n"),
        failures
            .iter()
            .map(|f| f.split(':').next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

#[test]
fn every_error_fixture_fails_cleanly() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in load_fixtures() {
        let Expect::Error { names_file } = &f.expect else {
            continue;
        };
        checked += 1;
        let out = run_aiw_build(&f.build_dir);
        let problems = check_error_output(&out, names_file);
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", f.name, problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} error fixtures misbehaved:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
