//! Tests of `aiw explain` through the binary: insta snapshots of the human
//! and JSON output on the fixtures in `tests/explain/` (every line of the
//! snapshots was checked by hand against the fixture files: each value's
//! file, line and kind of step), the built YAML under the comments (the
//! same bytes as `aiw build`, and as `kubectl kustomize` when kubectl is on
//! PATH), Secret masking, and the errors.
//!
//! Fixtures:
//! - `tests/explain/app`: a base (resource files, a `List`, generators with
//!   literals and an env file), a component (commonAnnotations, inline JSON
//!   6902), an overlay with namespace, namePrefix, labels, commonLabels,
//!   commonAnnotations, chained images, replicas, a strategic merge patch
//!   file, an inline JSON 6902 patch, generators with `behavior: merge`
//!   and `behavior: replace`, replacements (inline and from a file); name
//!   references and hash suffixes follow;
//! - `tests/explain/legacy`: vars, nameSuffix, patchesStrategicMerge (a file
//!   and an inline patch), patchesJson6902 (JSON syntax), a `transformers`
//!   plugin config, buildMetadata.
//!
//! - `tests/fixtures/alias-*` (kubectl-checked build fixtures): values
//!   written through shared nodes (`crate::alias`), placed at the step that
//!   wrote them.
//!
//! Run: `cargo test --test explain`.

mod common;

use std::process::{Command, Output};

use common::{kubectl_available, repo_root, run_kubectl_kustomize};

const APP: &str = "tests/explain/app/overlay";
const LEGACY: &str = "tests/explain/legacy/overlay";

/// Runs `aiw ARGS` from the repository root.
fn aiw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiw"))
        .args(args)
        .current_dir(repo_root())
        .env_remove("NO_COLOR")
        .output()
        .expect("aiw runs")
}

/// Asserts success (exit 0, nothing on stderr) and returns stdout.
fn ok(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {err}");
    assert!(out.stderr.is_empty(), "stderr: {err}");
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// Asserts failure (exit 2, one line on stderr, nothing on stdout) and
/// returns the error.
fn failed(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.starts_with("Error: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

/// The YAML without the comments `aiw explain` adds (`  # FILE:LINE
/// (STEP…)` at the end of a line).
fn uncommented(text: &str) -> String {
    let comment = regex::Regex::new(r"  # [^ ]+ \([a-zA-Z ]+[^)]*\)$").expect("regex");
    text.lines()
        .map(|l| format!("{}\n", comment.replace(l, "")))
        .collect()
}

#[test]
fn app_whole_build() {
    insta::assert_snapshot!("app_human", ok(&aiw(&["explain", APP])));
}

#[test]
fn app_histories() {
    let mut out = String::new();
    for (resource, field) in [
        ("Deployment/web", "spec.replicas"),
        ("Deployment/web", "spec.revisionHistoryLimit"),
        (
            "Deployment/prod/prod-web",
            "spec.template.spec.containers[name=app]",
        ),
        (
            "apps/Deployment/web",
            "spec.template.spec.containers[name=sidecar].image",
        ),
        ("Deployment/web", "spec.template.metadata.annotations"),
        ("ConfigMap/web-config", "data"),
        ("ConfigMap/prod-web-config-b26m94g97g", "metadata.name"),
        ("Secret/web-secret", "metadata.name"),
        ("Service/web", "spec.selector"),
        ("Ingress/web", "spec.rules[0]"),
    ] {
        out.push_str(&format!("$ aiw explain {APP} {resource} {field}\n"));
        out.push_str(&ok(&aiw(&["explain", APP, resource, field])));
    }
    insta::assert_snapshot!("app_histories", out);
}

#[test]
fn app_one_resource_json() {
    let text = ok(&aiw(&["explain", APP, "Deployment/web", "-o", "json"]));
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["version"], 1);
    insta::assert_snapshot!("app_deployment_json", text);
    let one = ok(&aiw(&[
        "explain",
        APP,
        "Deployment/web",
        "spec.replicas",
        "-o",
        "json",
    ]));
    insta::assert_snapshot!("app_replicas_json", one);
}

#[test]
fn legacy_whole_build() {
    insta::assert_snapshot!("legacy_human", ok(&aiw(&["explain", LEGACY])));
    let json = ok(&aiw(&["explain", LEGACY, "-o", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["resources"].as_array().map(Vec::len), Some(2));
    insta::assert_snapshot!("legacy_json", json);
    let histories = ok(&aiw(&[
        "explain",
        LEGACY,
        "Deployment/api",
        "spec.template.spec.containers[name=api]",
    ]));
    insta::assert_snapshot!("legacy_vars", histories);
}

#[test]
fn color_dims_the_comments() {
    let out = ok(&aiw(&[
        "explain",
        LEGACY,
        "Service/api-v2",
        "--color",
        "always",
    ]));
    assert!(out.contains(
        "  \u{1b}[2m# tests/explain/legacy/overlay/kustomization.yaml:5 (nameSuffix)\u{1b}[0m"
    ));
    let plain = ok(&aiw(&[
        "explain",
        LEGACY,
        "Service/api-v2",
        "--color",
        "never",
    ]));
    assert!(!plain.contains('\u{1b}'));
}

#[test]
fn the_yaml_under_the_comments_is_the_build() {
    for dir in [APP, LEGACY, "overlays/development", "overlays/production"] {
        let explained = ok(&aiw(&["explain", dir, "--show-secrets"]));
        // `aiw build` may warn on stderr (deprecated fields) as kubectl
        // does; `aiw explain` does not repeat the warnings.
        let b = aiw(&["build", dir]);
        assert_eq!(b.status.code(), Some(0), "{dir}");
        let built = String::from_utf8(b.stdout.clone()).expect("UTF-8 output");
        assert_eq!(uncommented(&explained), built, "{dir}");
        if kubectl_available() {
            let k = run_kubectl_kustomize(&repo_root().join(dir));
            assert_eq!(
                built.as_bytes(),
                &k.stdout[..],
                "{dir}: aiw build and kubectl kustomize differ"
            );
            assert_eq!(b.stderr, k.stderr, "{dir}: warnings differ");
        }
    }
}

#[test]
fn secret_values_are_masked_unless_shown() {
    // TOKEN=base-token in the base, replaced by TOKEN=prod-token (base64
    // cHJvZC10b2tlbg==); histories hold every value the field had.
    for args in [
        vec!["explain", APP],
        vec!["explain", APP, "-o", "json"],
        vec!["explain", APP, "Secret/web-secret", "data"],
        vec!["explain", APP, "Secret/web-secret", "-o", "json"],
    ] {
        let out = ok(&aiw(&args));
        for secret in [
            "cHJvZC10b2tlbg==",
            "prod-token",
            "YmFzZS10b2tlbg==",
            "base-token",
        ] {
            assert!(!out.contains(secret), "{args:?}: {secret}");
        }
        assert!(out.contains("<masked>"), "{args:?}");
    }
    let shown = ok(&aiw(&[
        "explain",
        APP,
        "Secret/web-secret",
        "data",
        "--show-secrets",
    ]));
    assert!(shown.contains("cHJvZC10b2tlbg=="));
}

#[test]
fn bad_queries_fail_with_one_line() {
    let e = failed(&aiw(&["explain", APP, "Deployment/nope"]));
    assert!(e.contains("no resource Deployment/nope"), "{e}");
    let e = failed(&aiw(&["explain", APP, "web"]));
    assert!(e.contains("expected KIND/NAME"), "{e}");
    let e = failed(&aiw(&["explain", APP, "Deployment/web", "spec.nope"]));
    assert!(e.contains("no field spec.nope"), "{e}");
    let e = failed(&aiw(&["explain", APP, "Deployment/web", "spec..x"]));
    assert!(e.contains("field \"spec..x\""), "{e}");
    // Two resources named web with the kinds apart: ambiguous only when
    // the kind matches both (never here), so check the group reading.
    let e = failed(&aiw(&["explain", APP, "batch/Deployment/web"]));
    assert!(e.contains("no resource"), "{e}");
    let e = failed(&aiw(&["explain", "tests/explain/nope"]));
    assert!(e.contains("tests/explain/nope"), "{e}");
}

/// The benchmark generator's tree (when `../shared/bench/gen.py` is
/// there): the same explanation on one thread as on four (trails are synced
/// and rendered on spare cores), valid JSON with a history for every
/// field, and the build's YAML under the comments.
#[test]
fn generated_tree_same_on_one_thread_and_many() {
    let generator = repo_root().join("../shared/bench/gen.py");
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
    let run = |args: &[&str], threads: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_aiw"))
            .args(args)
            .arg(&prod)
            .env("AIW_THREADS", threads)
            .output()
            .expect("aiw runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let human = run(&["explain", "--show-secrets"], "1");
    assert_eq!(human, run(&["explain", "--show-secrets"], "4"));
    assert_eq!(uncommented(&human), run(&["build"], "4"));
    let json = run(&["explain", "-o", "json"], "1");
    assert_eq!(json, run(&["explain", "-o", "json"], "4"));
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    for r in v["resources"].as_array().expect("resources") {
        for f in r["fields"].as_array().expect("fields") {
            let history = f["history"].as_array().expect("history");
            assert!(
                !history.is_empty(),
                "{}: {} has no history",
                r["resource"],
                f["path"]
            );
            let last = history.last().expect("an event");
            assert_eq!(
                last["value"], f["value"],
                "{}: {}",
                r["resource"], f["path"]
            );
            assert!(
                last["line"].as_u64().unwrap_or(0) > 0,
                "{}: {}",
                r["resource"],
                f["path"]
            );
        }
    }
}

/// A write to one place of a shared node changes the others too, outside
/// the writer's field specs or the patch's keys: their history names that
/// step (the labels/annotations pair; the patch, at the nearest place of its
/// document), not whichever later step walks the whole resource.
#[test]
fn values_written_through_shared_nodes_name_the_writer() {
    let cases = [
        (
            "tests/fixtures/alias-annotations-off-specs/input/overlay",
            "Deployment/web",
            "spec.template.spec.containers[name=log].resources.limits.budget",
            "apps/v1 Deployment web
spec.template.spec.containers[name=log].resources.limits.budget: high
  tests/fixtures/alias-annotations-off-specs/input/base/kustomization.yaml:8:3      transformer  low
  tests/fixtures/alias-annotations-off-specs/input/overlay/kustomization.yaml:8:11  annotations  high
",
        ),
        (
            "tests/fixtures/alias-strategic-merge/input/top",
            "DaemonSet/typed",
            "spec.template.metadata.labels.tier",
            "apps/v1 DaemonSet typed
spec.template.metadata.labels.tier: 5
  tests/fixtures/alias-strategic-merge/input/base/kustomization.yaml:8:9      labels  a
  tests/fixtures/alias-strategic-merge/input/patched/kustomization.yaml:20:9  patch   5
",
        ),
        (
            "tests/fixtures/alias-strategic-merge/input/top",
            "ReplicaSet/item-written",
            "metadata.annotations.limit",
            "apps/v1 ReplicaSet item-written
metadata.annotations.limit: \"9\"
  tests/fixtures/alias-strategic-merge/input/base/kustomization.yaml:12:3      transformer  v
  tests/fixtures/alias-strategic-merge/input/patched/kustomization.yaml:127:9  patch        \"9\"
",
        ),
    ];
    for (dir, resource, field, want) in cases {
        assert_eq!(
            ok(&aiw(&["explain", dir, resource, field])),
            want,
            "{dir} {resource} {field}"
        );
    }
}
