//! Differential test: when `kubectl` is on PATH, builds every fixture with
//! both `aiw build` and `kubectl kustomize` and compares stdout byte for byte.
//! Also catches a stale `expected.yaml` (kubectl's output moved on from the
//! committed one; rerun `tests/fixtures/regenerate.sh`). Without kubectl the
//! test prints a note and passes.
//!
//! Run: `cargo test --test differential -- --nocapture`.

mod common;

use common::{
    Expect, kubectl_available, load_fixtures, run_aiw_build, run_kubectl_kustomize, unified_diff,
};

#[test]
fn aiw_matches_kubectl_kustomize_on_every_fixture() {
    if !kubectl_available() {
        eprintln!("note: kubectl not on PATH; differential test skipped");
        return;
    }
    let mut failures = Vec::new();
    let fixtures = load_fixtures();
    for f in &fixtures {
        let kubectl = run_kubectl_kustomize(&f.build_dir);
        let aiw = run_aiw_build(&f.build_dir);
        match (kubectl.status.success(), aiw.status.success()) {
            (true, true) => {
                if aiw.stdout != kubectl.stdout {
                    failures.push(format!(
                        "{}: output differs\n{}",
                        f.name,
                        unified_diff(
                            &kubectl.stdout,
                            &aiw.stdout,
                            "kubectl kustomize",
                            "aiw build"
                        )
                    ));
                }
            }
            (true, false) => failures.push(format!(
                "{}: kubectl succeeds but aiw fails: {}",
                f.name,
                String::from_utf8_lossy(&aiw.stderr).trim_end()
            )),
            (false, true) => failures.push(format!(
                "{}: kubectl fails but aiw succeeds; kubectl said: {}",
                f.name,
                String::from_utf8_lossy(&kubectl.stderr).trim_end()
            )),
            (false, false) => {
                if aiw.status.code() != Some(2) {
                    failures.push(format!(
                        "{}: both fail, but aiw exits {:?}, want 2",
                        f.name,
                        aiw.status.code()
                    ));
                }
            }
        }
        // The committed expectation must still be what kubectl says.
        match &f.expect {
            Expect::Output(expected) if kubectl.status.success() && &kubectl.stdout != expected => {
                failures.push(format!(
                    "{}: expected.yaml is stale (rerun tests/fixtures/regenerate.sh)\n{}",
                    f.name,
                    unified_diff(
                        expected,
                        &kubectl.stdout,
                        "expected.yaml",
                        "kubectl kustomize"
                    )
                ));
            }
            Expect::Error { .. } if kubectl.status.success() => failures.push(format!(
                "{}: error fixture, but kubectl kustomize now succeeds",
                f.name
            )),
            _ => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ between aiw and kubectl:\n\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n\n")
    );
}
