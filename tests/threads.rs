//! A build gives the same bytes on one thread as on every core (base
//! directories of one `resources:` list are built in parallel and taken in
//! order; transformers over many resources split them over the cores): a
//! fixture against its kubectl output, a generated multi-team tree built with
//! `AIW_THREADS` at 1 and at 4, and the first error of a split transformer.

use std::path::Path;
use std::process::Command;

fn build(dir: &Path, threads: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_aiw"))
        .arg("build")
        .arg(dir)
        .env("AIW_THREADS", threads)
        .output()
        .expect("aiw runs");
    assert!(
        out.status.success(),
        "{}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn one_thread_and_many_give_kubectls_output() {
    // Two sibling bases; the first one's `openapi` schema decides how the
    // second one's patch merges. Expected output from `kubectl kustomize`
    // (tests/fixtures/regenerate.sh).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/openapi-schema-from-earlier-sibling");
    let expected = std::fs::read(dir.join("expected.yaml")).expect("expected.yaml");
    for threads in ["1", "4"] {
        assert!(
            build(&dir.join("input"), threads) == expected,
            "AIW_THREADS={threads} differs from kubectl's output"
        );
    }
}

/// The benchmark generator's tree (teams of services, components, patches,
/// generators): when `../shared/bench/gen.py` is there.
#[test]
fn generated_tree_same_on_one_thread_and_many() {
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen.py");
    if !generator.exists() {
        eprintln!("skipped: {} not found", generator.display());
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let status = Command::new("python3")
        .arg(&generator)
        .args(["--services", "20", "--seed", "3", "--out"])
        .arg(tmp.path())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs");
    assert!(status.success(), "gen.py failed");
    let prod = tmp.path().join("overlays/prod");
    let one = build(&prod, "1");
    assert!(one.len() > 10_000, "suspiciously small output");
    for _ in 0..3 {
        assert!(build(&prod, "4") == one, "AIW_THREADS=4 differs from 1");
    }
}

/// A transformer split over the cores reports the error a one-at-a-time run
/// meets first: a JSON patch `test` fails on two of 80 ConfigMaps (kubectl
/// fails on this input too); the message names the earlier one.
#[test]
fn split_transformer_reports_the_first_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let docs: Vec<String> = (0..80)
        .map(|i| {
            let v = if i == 30 || i == 70 { "bad" } else { "ok" };
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:02}\ndata:\n  v: {v}\n"
            )
        })
        .collect();
    std::fs::write(tmp.path().join("cms.yaml"), docs.join("---\n")).expect("write");
    std::fs::write(
        tmp.path().join("kustomization.yaml"),
        "resources:\n- cms.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |\n    - op: test\n      path: /data/v\n      value: ok\n",
    )
    .expect("write");
    let mut messages = Vec::new();
    for threads in ["1", "4", "4"] {
        let out = Command::new(env!("CARGO_BIN_EXE_aiw"))
            .arg("build")
            .arg(tmp.path())
            .env("AIW_THREADS", threads)
            .output()
            .expect("aiw runs");
        assert!(!out.status.success());
        assert!(out.stdout.is_empty());
        messages.push(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    assert!(messages[0].contains("cm-30"), "{}", messages[0]);
    assert!(!messages[0].contains("cm-70"), "{}", messages[0]);
    assert_eq!(messages[1], messages[0]);
    assert_eq!(messages[2], messages[0]);
}
