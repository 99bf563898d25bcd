//! What `aiw build` says on stderr besides errors: kustomize's deprecation
//! warnings, word for word and in kustomize's order (each kustomization's as
//! it is loaded, depth first), and the unused-vars warning; and what it says
//! about an unknown kustomization field (the nearest known name, the line).
//!
//! The expected text was printed by `kubectl kustomize` on the same trees
//! (klog's prefix aside on the vars line); when kubectl is on PATH the tests
//! also compare with it live.
//!
//! Run: `cargo test --test warnings`.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{check_error_output, kubectl_available};

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    for (rel, text) in files {
        let path = tmp.path().join(rel);
        fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        fs::write(&path, text).expect("write");
    }
    tmp
}

fn aiw_build(root: &Path, dir: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiw"))
        .args(["build", dir])
        .current_dir(root)
        .output()
        .expect("aiw runs")
}

/// kubectl's stderr without klog's `I1204 18:00:00.000000  123 log.go:245] `
/// prefixes.
fn kubectl_stderr(root: &Path, dir: &str) -> String {
    let out = Command::new("kubectl")
        .args(["kustomize", dir])
        .current_dir(root)
        .output()
        .expect("kubectl runs");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| match l.find("] ") {
            Some(i) if l.starts_with('I') && l[..i].contains("log.go") => &l[i + 2..],
            _ => l,
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

const W_BASES: &str = "# Warning: 'bases' is deprecated. Please use 'resources' instead. Run 'kustomize edit fix' to update your Kustomization automatically.\n";
const W_LABELS: &str = "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.\n";
const W_TAGS: &str = "# Warning: 'imageTags' is deprecated. Please use 'images' instead. Run 'kustomize edit fix' to update your Kustomization automatically.\n";
const W_JSON: &str = "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.\n";
const W_SMP: &str = "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.\n";
const W_VARS: &str = "# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically.\n";

#[test]
fn deprecation_warnings_as_kubectl_prints_them() {
    let root = tree(&[
        (
            "base/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n",
        ),
        (
            "base/kustomization.yaml",
            "bases: []\nresources:\n- cm.yaml\nimageTags:\n- name: x\n  newTag: \"1\"\n",
        ),
        // A null field is not set: no warning for commonLabels here.
        (
            "comp/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatchesJson6902: []\ncommonLabels:\n",
        ),
        (
            "top/kustomization.yaml",
            "resources:\n- ../base\ncomponents:\n- ../comp\ncommonLabels: {a: b}\npatchesStrategicMerge: []\nvars:\n- name: V\n  objref: {kind: ConfigMap, name: c, apiVersion: v1}\n  fieldref: {fieldpath: data.a}\n",
        ),
    ]);
    let out = aiw_build(root.path(), "top");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = [
        W_LABELS,
        W_SMP,
        W_VARS,
        W_BASES,
        W_TAGS,
        W_JSON,
        "well-defined vars that were never replaced: V\n",
    ]
    .concat();
    assert_eq!(String::from_utf8_lossy(&out.stderr), want);
    if kubectl_available() {
        assert_eq!(kubectl_stderr(root.path(), "top"), want);
    }
    // A failing build prints its one-line error only.
    fs::write(
        root.path().join("base/kustomization.yaml"),
        "bases: []\nresources:\n- missing.yaml\n",
    )
    .expect("write");
    let out = aiw_build(root.path(), "top");
    let problems = check_error_output(&out, "missing.yaml");
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn unknown_fields_suggest_the_nearest_name_and_give_the_line() {
    let root = tree(&[
        (
            "a/kustomization.yaml",
            "resources: []\n\ncommonLabel:\n  a: b\n",
        ),
        (
            "b/kustomization.yaml",
            "resources: []\npatches:\n- path: p.yaml\n- pth: q.yaml\n",
        ),
        ("c/kustomization.yaml", "namePrefix: x-\nfrobnicate: true\n"),
    ]);
    let cases = [
        (
            "a",
            "a/kustomization.yaml:3: invalid Kustomization: unknown field \"commonLabel\" (did you mean \"commonLabels\"?)",
        ),
        (
            "b",
            "b/kustomization.yaml:4: invalid Kustomization: unknown field \"pth\" in patches (did you mean \"path\"?)",
        ),
        (
            "c",
            "c/kustomization.yaml:2: invalid Kustomization: unknown field \"frobnicate\"",
        ),
    ];
    for (dir, want) in cases {
        let out = aiw_build(root.path(), dir);
        let problems = check_error_output(&out, "kustomization.yaml");
        assert!(problems.is_empty(), "{dir}: {problems:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim_end(),
            format!("Error: {want}")
        );
        if kubectl_available() {
            let k = Command::new("kubectl")
                .args(["kustomize", dir])
                .current_dir(root.path())
                .output()
                .expect("kubectl runs");
            assert!(!k.status.success(), "kubectl accepted {dir}");
        }
    }
}
