//! Bad input: each case builds a small tree in a temporary directory, runs the
//! `aiw` binary on it, and asserts the CLI's promise for errors: exit code 2,
//! no panic, nothing on stdout, one `Error:` line on stderr naming the
//! offending file. Secret cases also assert that no Secret value (plain or
//! base64) appears on stderr.
//!
//! Every case also fails under `kubectl kustomize` (kustomize v5.5): run
//! `AIW_CHECK_KUBECTL=1 cargo test --test bad_input` to re-check that (the
//! alias bombs are skipped there: kustomize never finishes on them).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A Secret value used by the secret cases, and its base64 form.
const SECRET: &str = "Sup3rS3cretVal";
const SECRET_B64: &str = "U3VwM3JTM2NyZXRWYWw=";

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n";

/// A temporary tree: `(path, contents)` pairs, parent directories created.
fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, body) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(&p, body).expect("write");
    }
    dir
}

#[cfg(unix)]
fn symlink(dir: &Path, target: &str, link: &str) {
    std::os::unix::fs::symlink(target, dir.join(link)).expect("symlink");
}

fn aiw(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiw"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run aiw")
}

/// Runs `aiw build BUILD` in `dir` and checks the error contract; returns
/// stderr.
fn fails(dir: &Path, build: &str, names: &str) -> String {
    fails_with(dir, build, names, true)
}

fn fails_with(dir: &Path, build: &str, names: &str, check_kubectl: bool) -> String {
    let out = aiw(dir, &["build", build]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code for {build}; stderr: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "panic: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "stdout not empty: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "want one line on stderr: {stderr}");
    assert!(lines[0].starts_with("Error: "), "{stderr}");
    assert!(
        stderr.contains(names),
        "error does not name {names:?}: {stderr}"
    );
    if check_kubectl && std::env::var_os("AIW_CHECK_KUBECTL").is_some() {
        let k = Command::new("kubectl")
            .args(["kustomize", build])
            .current_dir(dir)
            .output()
            .expect("run kubectl");
        assert!(!k.status.success(), "kubectl kustomize succeeds on {build}");
    }
    stderr
}

/// As [`fails`], and no Secret value appears in the message.
fn fails_quietly(dir: &Path, build: &str, names: &str) {
    let stderr = fails(dir, build, names);
    assert!(
        !stderr.contains(SECRET) && !stderr.contains(SECRET_B64),
        "secret value leaked: {stderr}"
    );
}

fn k(resources: &str) -> Vec<u8> {
    format!("resources:\n{resources}").into_bytes()
}

// ---------------------------------------------------------------- load restrictions

#[test]
fn resource_in_parent_directory() {
    let d = tree(&[
        ("outside.yaml", CM.as_bytes()),
        ("root/kustomization.yaml", &k("- ../outside.yaml\n")),
    ]);
    let e = fails(d.path(), "root", "outside.yaml");
    assert!(e.contains("security"), "{e}");
}

#[test]
fn resource_by_absolute_path() {
    let other = tree(&[("abs-outside.yaml", CM.as_bytes())]);
    let abs = other.path().join("abs-outside.yaml");
    let d = tree(&[("kustomization.yaml", &k(&format!("- {}\n", abs.display())))]);
    fails(d.path(), ".", "abs-outside.yaml");
}

#[test]
fn base_by_absolute_path() {
    let other = tree(&[
        ("base/cm.yaml", CM.as_bytes()),
        ("base/kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    let abs = other.path().join("base");
    let d = tree(&[(
        "root/kustomization.yaml",
        &k(&format!("- {}\n", abs.display())),
    )]);
    let e = fails(d.path(), "root", "root/kustomization.yaml");
    assert!(e.contains("absolute"), "{e}");
}

#[cfg(unix)]
#[test]
fn resource_symlink_pointing_outside() {
    let d = tree(&[
        ("outside.yaml", CM.as_bytes()),
        ("root/kustomization.yaml", &k("- link.yaml\n")),
    ]);
    symlink(d.path(), "../outside.yaml", "root/link.yaml");
    fails(d.path(), "root", "link.yaml");
}

#[test]
fn configmap_generator_file_in_parent() {
    let d = tree(&[
        ("pw.txt", b"data"),
        (
            "root/kustomization.yaml",
            b"configMapGenerator:\n- name: c\n  files:\n  - ../pw.txt\n",
        ),
    ]);
    fails(d.path(), "root", "pw.txt");
}

#[test]
fn secret_generator_keyed_file_in_parent() {
    let d = tree(&[
        ("pw.txt", SECRET.as_bytes()),
        (
            "root/kustomization.yaml",
            b"secretGenerator:\n- name: c\n  files:\n  - pw=../pw.txt\n",
        ),
    ]);
    fails_quietly(d.path(), "root", "pw.txt");
}

#[test]
fn secret_generator_env_file_in_parent() {
    let d = tree(&[
        ("x.env", format!("A={SECRET}\n").as_bytes()),
        (
            "root/kustomization.yaml",
            b"secretGenerator:\n- name: c\n  envs:\n  - ../x.env\n",
        ),
    ]);
    fails_quietly(d.path(), "root", "x.env");
}

#[test]
fn configmap_generator_absolute_file() {
    let other = tree(&[("host.txt", b"h")]);
    let abs = other.path().join("host.txt");
    let d = tree(&[(
        "kustomization.yaml",
        format!(
            "configMapGenerator:\n- name: c\n  files:\n  - {}\n",
            abs.display()
        )
        .as_bytes(),
    )]);
    fails(d.path(), ".", "host.txt");
}

#[cfg(unix)]
#[test]
fn secret_generator_env_symlink_outside() {
    let d = tree(&[
        ("x.env", format!("A={SECRET}\n").as_bytes()),
        (
            "root/kustomization.yaml",
            b"secretGenerator:\n- name: c\n  envs:\n  - x.env\n",
        ),
    ]);
    symlink(d.path(), "../x.env", "root/x.env");
    fails_quietly(d.path(), "root", "x.env");
}

const PATCH_SMP: &[u8] = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: c\n";

#[test]
fn patch_path_in_parent() {
    let d = tree(&[
        ("p.yaml", PATCH_SMP),
        ("root/cm.yaml", CM.as_bytes()),
        (
            "root/kustomization.yaml",
            b"resources:\n- cm.yaml\npatches:\n- path: ../p.yaml\n",
        ),
    ]);
    fails(d.path(), "root", "p.yaml");
}

#[test]
fn patches_strategic_merge_in_parent() {
    let d = tree(&[
        ("p.yaml", PATCH_SMP),
        ("root/cm.yaml", CM.as_bytes()),
        (
            "root/kustomization.yaml",
            b"resources:\n- cm.yaml\npatchesStrategicMerge:\n- ../p.yaml\n",
        ),
    ]);
    fails(d.path(), "root", "p.yaml");
}

#[test]
fn patches_json6902_in_parent() {
    let d = tree(&[
        ("p.yaml", b"- op: add\n  path: /data/x\n  value: y\n"),
        ("root/cm.yaml", CM.as_bytes()),
        (
            "root/kustomization.yaml",
            b"resources:\n- cm.yaml\npatchesJson6902:\n- target:\n    version: v1\n    kind: ConfigMap\n    name: cm\n  path: ../p.yaml\n",
        ),
    ]);
    fails(d.path(), "root", "p.yaml");
}

#[test]
fn replacements_path_in_parent() {
    let d = tree(&[
        (
            "r.yaml",
            b"source:\n  kind: ConfigMap\n  name: cm\n  fieldPath: data.a\ntargets:\n- select:\n    kind: ConfigMap\n  fieldPaths:\n  - data.b\n",
        ),
        ("root/cm.yaml", CM.as_bytes()),
        (
            "root/kustomization.yaml",
            b"resources:\n- cm.yaml\nreplacements:\n- path: ../r.yaml\n",
        ),
    ]);
    fails(d.path(), "root", "r.yaml");
}

#[test]
fn configurations_in_parent() {
    let d = tree(&[
        ("c.yaml", b"namePrefix:\n- path: metadata/name\n"),
        ("root/cm.yaml", CM.as_bytes()),
        (
            "root/kustomization.yaml",
            b"resources:\n- cm.yaml\nconfigurations:\n- ../c.yaml\n",
        ),
    ]);
    fails(d.path(), "root", "c.yaml");
}

#[test]
fn openapi_path_in_parent() {
    let d = tree(&[
        ("s.json", b"{}"),
        ("root/cm.yaml", CM.as_bytes()),
        (
            "root/kustomization.yaml",
            b"resources:\n- cm.yaml\nopenapi:\n  path: ../s.json\n",
        ),
    ]);
    fails(d.path(), "root", "s.json");
}

#[test]
fn openapi_path_missing() {
    let d = tree(&[
        ("cm.yaml", CM.as_bytes()),
        (
            "kustomization.yaml",
            b"resources:\n- cm.yaml\nopenapi:\n  path: nope.json\n",
        ),
    ]);
    fails(d.path(), ".", "nope.json");
}

/// The restrictor lifts with `--load-restrictor LoadRestrictionsNone`; the
/// expected bytes come from `kubectl kustomize --load-restrictor
/// LoadRestrictionsNone` on the same tree.
#[test]
fn load_restrictions_none_reads_outside_files() {
    let d = tree(&[
        ("outside.yaml", CM.as_bytes()),
        ("root/kustomization.yaml", &k("- ../outside.yaml\n")),
    ]);
    let out = aiw(
        d.path(),
        &["build", "root", "--load-restrictor", "LoadRestrictionsNone"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: cm\n"
    );
}

// ---------------------------------------------------------------- cycles and repeats

#[test]
fn kustomization_includes_itself() {
    let d = tree(&[("app/kustomization.yaml", &k("- .\n"))]);
    let e = fails(d.path(), "app", "app");
    assert!(e.contains("cycle"), "{e}");
}

#[test]
fn kustomizations_include_each_other() {
    let d = tree(&[
        ("a/kustomization.yaml", &k("- ../b\n")),
        ("b/kustomization.yaml", &k("- ../a\n")),
    ]);
    let e = fails(d.path(), "a", "b/kustomization.yaml");
    assert!(e.contains("cycle"), "{e}");
}

#[test]
fn kustomization_includes_its_parent() {
    let d = tree(&[
        ("app/kustomization.yaml", &k("- sub\n")),
        ("app/sub/kustomization.yaml", &k("- ..\n")),
    ]);
    let e = fails(d.path(), "app", "app/sub");
    assert!(e.contains("cycle"), "{e}");
}

#[test]
fn component_includes_itself() {
    let d = tree(&[(
        "comp/kustomization.yaml",
        b"apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncomponents:\n- .\n",
    )]);
    let e = fails(d.path(), "comp", "comp");
    assert!(e.contains("cycle"), "{e}");
}

#[cfg(unix)]
#[test]
fn symlink_loop_to_own_directory() {
    let d = tree(&[("app/kustomization.yaml", &k("- loop\n"))]);
    symlink(d.path(), ".", "app/loop");
    let e = fails(d.path(), "app", "app/loop");
    assert!(e.contains("cycle"), "{e}");
}

/// Deep but acyclic chains are fine; 200 nested bases do not overflow.
#[test]
fn long_chain_of_bases_builds() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..200 {
        files.push((
            format!("b{i}/kustomization.yaml"),
            k(&format!("- ../b{}\n", i + 1)),
        ));
    }
    files.push(("b200/kustomization.yaml".into(), k("- cm.yaml\n")));
    files.push(("b200/cm.yaml".into(), CM.as_bytes().to_vec()));
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let d = tree(&refs);
    let out = aiw(d.path(), &["build", "b0"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.stdout,
        CM.replace(
            "kind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n",
            "data:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: cm\n"
        )
        .as_bytes()
    );
}

#[test]
fn same_base_reached_twice() {
    let d = tree(&[
        ("base/cm.yaml", CM.as_bytes()),
        ("base/kustomization.yaml", &k("- cm.yaml\n")),
        ("b/kustomization.yaml", &k("- ../base\n")),
        ("c/kustomization.yaml", &k("- ../base\n")),
        ("root/kustomization.yaml", &k("- ../b\n- ../c\n")),
    ]);
    let e = fails(d.path(), "root", "root/kustomization.yaml");
    assert!(e.contains("already registered"), "{e}");
}

#[test]
fn same_file_listed_twice() {
    let d = tree(&[
        ("cm.yaml", CM.as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml");
}

// ---------------------------------------------------------------- YAML

/// A "billion laughs" document: 9^10 strings once expanded.
fn alias_bomb(prefix: &str, last: &str) -> Vec<u8> {
    let mut s = String::from(prefix);
    s.push_str(
        "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    s.push_str(last);
    s.into_bytes()
}

#[test]
fn alias_bomb_in_resource_fails_fast() {
    let bomb = alias_bomb(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
        "data: {x: *a9}\n",
    );
    let d = tree(&[
        ("cm.yaml", &bomb),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    let start = Instant::now();
    let e = fails_with(d.path(), ".", "cm.yaml", false);
    // The budget makes it fail in milliseconds (measured: ~10 ms with a
    // release build); the bound is loose for loaded CI machines.
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(e.contains("alias"), "{e}");
}

#[test]
fn alias_bomb_in_kustomization_fails_fast() {
    let bomb = alias_bomb("", "resources: *a9\n");
    let d = tree(&[("kustomization.yaml", &bomb)]);
    let start = Instant::now();
    fails_with(d.path(), ".", "kustomization.yaml", false);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn nesting_100000_flow_sequences() {
    let body = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let d = tree(&[
        ("cm.yaml", body.as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    let e = fails(d.path(), ".", "cm.yaml:6");
    assert!(e.contains("depth") || e.contains("recursion"), "{e}");
}

#[test]
fn nesting_100000_flow_mappings() {
    let body = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\nx: {}1{}\n",
        "{a: ".repeat(100_000),
        "}".repeat(100_000)
    );
    let d = tree(&[
        ("cm.yaml", body.as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:5");
}

#[test]
fn nesting_in_kustomization() {
    let body = format!(
        "resources: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let d = tree(&[("kustomization.yaml", body.as_bytes())]);
    fails(d.path(), ".", "kustomization.yaml:1");
}

#[test]
fn invalid_utf8_in_resource() {
    let d = tree(&[
        (
            "cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: \"\xff\xfe\"\n",
        ),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:6");
}

#[test]
fn invalid_utf8_in_kustomization() {
    let d = tree(&[("kustomization.yaml", b"resources:\n- cm\xff.yaml\n")]);
    fails(d.path(), ".", "kustomization.yaml:2");
}

#[test]
fn tab_indentation_in_resource() {
    let d = tree(&[
        (
            "cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: cm\n",
        ),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:4");
}

#[test]
fn tab_indentation_in_kustomization() {
    let d = tree(&[
        ("cm.yaml", CM.as_bytes()),
        ("kustomization.yaml", b"resources:\n\t- cm.yaml\n"),
    ]);
    fails(d.path(), ".", "kustomization.yaml:2");
}

#[test]
fn duplicate_key_in_resource() {
    let d = tree(&[
        ("cm.yaml", format!("{CM}  a: c\n").as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    let e = fails(d.path(), ".", "cm.yaml:7");
    assert!(e.contains("already defined"), "{e}");
}

#[test]
fn duplicate_key_in_kustomization() {
    // kustomize reads kustomization files with go-yaml v2: the last of two
    // equal keys wins, so the missing x.yaml is what fails.
    let d = tree(&[
        ("cm.yaml", CM.as_bytes()),
        (
            "kustomization.yaml",
            b"resources:\n- cm.yaml\nresources:\n- x.yaml\n",
        ),
    ]);
    fails(d.path(), ".", "x.yaml");
}

#[test]
fn integer_mapping_key() {
    let d = tree(&[
        ("cm.yaml", format!("{CM}  1: c\n").as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:7");
}

#[test]
fn sequence_as_mapping_key() {
    let d = tree(&[
        ("cm.yaml", format!("{CM}  ? [a]\n  : c\n").as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:7");
}

#[test]
fn infinity_value() {
    let d = tree(&[
        ("cm.yaml", format!("{CM}spec:\n  x: .inf\n").as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:8");
}

#[test]
fn nan_value() {
    let d = tree(&[
        ("cm.yaml", format!("{CM}spec:\n  x: .nan\n").as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:8");
}

#[test]
fn unclosed_quote() {
    let d = tree(&[
        ("cm.yaml", format!("{CM}  c: \"abc\n").as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:7");
}

#[test]
fn unknown_anchor() {
    let d = tree(&[
        ("cm.yaml", format!("{CM}  c: *nope\n").as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:7");
}

#[test]
fn nul_character() {
    let d = tree(&[
        ("cm.yaml", format!("{CM}  c: \"a\0b\"\n").as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    let e = fails(d.path(), ".", "cm.yaml:7");
    assert!(e.contains("control characters"), "{e}");
}

#[test]
fn control_character_in_comment() {
    let d = tree(&[
        (
            "cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n# comment \x01\ndata:\n  a: b\n",
        ),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:4");
}

#[test]
fn del_character_in_value() {
    let d = tree(&[
        (
            "cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: \"b\x7fc\"\n",
        ),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml:5");
}

#[test]
fn malformed_inline_patch() {
    let d = tree(&[
        ("cm.yaml", CM.as_bytes()),
        (
            "kustomization.yaml",
            b"resources:\n- cm.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm\n",
        ),
    ]);
    fails(d.path(), ".", "kustomization.yaml");
}

/// BOM and CRLF are accepted, as by kubectl; the expected bytes are
/// `kubectl kustomize`'s output for the same trees.
#[test]
fn bom_and_crlf_are_accepted() {
    let want = "apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: cm\n";
    let crlf = CM.replace('\n', "\r\n");
    let bom = format!("\u{feff}{CM}");
    let kbom = "\u{feff}resources:\n- cm.yaml\n".to_string();
    let kcrlf = "resources:\r\n- cm.yaml\r\n";
    for (kust, res) in [
        (k("- cm.yaml\n"), crlf.as_bytes()),
        (k("- cm.yaml\n"), bom.as_bytes()),
        (kbom.into_bytes(), CM.as_bytes()),
        (kcrlf.as_bytes().to_vec(), CM.as_bytes()),
    ] {
        let d = tree(&[("cm.yaml", res), ("kustomization.yaml", &kust)]);
        let out = aiw(d.path(), &["build", "."]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    }
}

#[test]
fn generated_merge_key_cannot_be_written() {
    // go-yaml reads a `<<` key back as a merge key; kubectl fails at output.
    let d = tree(&[(
        "kustomization.yaml",
        b"configMapGenerator:\n- name: c\n  literals: [\"<<=x\"]\n",
    )]);
    let e = fails(d.path(), ".", "kustomization.yaml");
    assert!(e.contains("merge"), "{e}");
}

// ---------------------------------------------------------------- kustomization files

#[test]
fn base_without_kustomization() {
    let d = tree(&[
        ("base/cm.yaml", CM.as_bytes()),
        ("root/kustomization.yaml", &k("- ../base\n")),
    ]);
    fails(d.path(), "root", "base");
}

#[test]
fn two_kustomization_files() {
    let d = tree(&[
        ("kustomization.yaml", &k("- cm.yaml\n")),
        ("kustomization.yml", &k("- cm.yaml\n")),
        ("cm.yaml", CM.as_bytes()),
    ]);
    fails(d.path(), ".", "Error: .:");
}

#[test]
fn build_directory_missing() {
    let d = tree(&[]);
    fails(d.path(), "nowhere", "nowhere");
}

#[test]
fn kustomization_is_a_sequence() {
    let d = tree(&[
        ("kustomization.yaml", b"- resources\n- cm.yaml\n"),
        ("cm.yaml", CM.as_bytes()),
    ]);
    fails(d.path(), ".", "kustomization.yaml");
}

#[test]
fn unknown_kustomization_field() {
    let d = tree(&[
        (
            "kustomization.yaml",
            b"resources:\n- cm.yaml\nnamePrefx: x-\n",
        ),
        ("cm.yaml", CM.as_bytes()),
    ]);
    fails(d.path(), ".", "kustomization.yaml");
}

#[test]
fn kustomization_field_of_wrong_type() {
    let d = tree(&[
        ("kustomization.yaml", b"resources: cm.yaml\n"),
        ("cm.yaml", CM.as_bytes()),
    ]);
    fails(d.path(), ".", "kustomization.yaml");
}

#[test]
fn missing_resource_file() {
    let d = tree(&[("kustomization.yaml", &k("- gone.yaml\n"))]);
    fails(d.path(), ".", "gone.yaml");
}

#[test]
fn resource_without_kind() {
    let d = tree(&[
        ("cm.yaml", b"apiVersion: v1\nmetadata:\n  name: cm\n"),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml");
}

#[test]
fn resource_without_name() {
    let d = tree(&[
        (
            "cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
        ),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml");
}

#[test]
fn resource_is_a_scalar() {
    let d = tree(&[
        ("cm.yaml", b"just text\n"),
        ("kustomization.yaml", &k("- cm.yaml\n")),
    ]);
    fails(d.path(), ".", "cm.yaml");
}

// ---------------------------------------------------------------- secrets never shown

fn secret_yaml() -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: {SECRET_B64}\nstringData:\n  token: {SECRET}\n"
    )
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx\n";

fn secret_tree(kust: &str) -> tempfile::TempDir {
    tree(&[
        ("secret.yaml", secret_yaml().as_bytes()),
        ("deploy.yaml", DEPLOY.as_bytes()),
        ("kustomization.yaml", kust.as_bytes()),
    ])
}

#[test]
fn secret_json6902_test_failure() {
    let d = secret_tree(
        "resources: [secret.yaml]\npatches:\n- target: {kind: Secret, name: db}\n  patch: |-\n    - op: test\n      path: /data/password\n      value: guess\n",
    );
    fails_quietly(d.path(), ".", "kustomization.yaml");
}

#[test]
fn secret_one_line_json_patch_is_not_quoted() {
    let d = secret_tree(&format!(
        "resources: [secret.yaml]\npatches:\n- target: {{kind: Secret, name: db}}\n  patch: '[{{\"op\": \"replace\", \"path\": \"/data/nope/x\", \"value\": \"{SECRET}\"}}]'\n"
    ));
    fails_quietly(d.path(), ".", "kustomization.yaml");
}

#[test]
fn secret_strategic_merge_type_mismatch() {
    let d = secret_tree(
        "resources: [secret.yaml]\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Secret\n    metadata: {name: db}\n    data: {password: [a]}\n",
    );
    fails_quietly(d.path(), ".", "kustomization.yaml");
}

#[test]
fn secret_replacement_into_scalar() {
    let d = secret_tree(
        "resources: [secret.yaml, deploy.yaml]\nreplacements:\n- source: {kind: Secret, name: db, fieldPath: data.password}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.spec.containers.0.image.foo]\n",
    );
    fails_quietly(d.path(), ".", "kustomization.yaml");
}

#[test]
fn secret_replacement_delimiter_out_of_range() {
    let d = secret_tree(
        "resources: [secret.yaml, deploy.yaml]\nreplacements:\n- source: {kind: Secret, name: db, fieldPath: stringData.token, options: {delimiter: 'r', index: 9}}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.spec.containers.0.image]\n",
    );
    fails_quietly(d.path(), ".", "kustomization.yaml");
}

#[test]
fn secret_generator_literal_without_key() {
    let d = secret_tree(&format!(
        "secretGenerator:\n- name: s\n  literals: [{SECRET}]\n"
    ));
    fails_quietly(d.path(), ".", "kustomization.yaml");
}

#[test]
fn secret_generator_literal_with_empty_key() {
    let d = secret_tree(&format!(
        "secretGenerator:\n- name: s\n  literals: ['={SECRET}']\n"
    ));
    fails_quietly(d.path(), ".", "kustomization.yaml");
}

#[test]
fn secret_generator_repeated_key() {
    let d = secret_tree(&format!(
        "secretGenerator:\n- name: s\n  literals: ['A=x', 'A={SECRET}']\n"
    ));
    fails_quietly(d.path(), ".", "kustomization.yaml");
}

#[test]
fn secret_env_file_invalid_utf8() {
    let mut env = format!("OK=1\nA={SECRET}").into_bytes();
    env.push(0xff);
    let d = tree(&[
        ("s.env", &env),
        (
            "kustomization.yaml",
            b"secretGenerator:\n- name: s\n  envs: [s.env]\n",
        ),
    ]);
    fails_quietly(d.path(), ".", "s.env:2");
}

#[test]
fn secret_with_infinity() {
    let d = tree(&[
        (
            "s.yaml",
            format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: x}}\ndata:\n  password: {SECRET_B64}\n  x: .inf\n").as_bytes(),
        ),
        ("kustomization.yaml", &k("- s.yaml\n")),
    ]);
    fails_quietly(d.path(), ".", "s.yaml:6");
}

#[test]
fn secret_with_control_character() {
    let d = tree(&[
        (
            "s.yaml",
            format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: x}}\ndata:\n  password: \"{SECRET}\x7f\"\n").as_bytes(),
        ),
        ("kustomization.yaml", &k("- s.yaml\n")),
    ]);
    fails_quietly(d.path(), ".", "s.yaml:5");
}

#[test]
fn secret_with_escaped_control_character() {
    // Escaped, the character passes the reader; kubectl then fails writing it.
    let d = tree(&[
        (
            "s.yaml",
            format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: x}}\ndata:\n  password: \"{SECRET}\\x7f\"\n").as_bytes(),
        ),
        ("kustomization.yaml", &k("- s.yaml\n")),
    ]);
    fails_quietly(d.path(), ".", "s.yaml");
}

#[test]
fn secret_with_mapping_key_and_value() {
    let d = tree(&[
        (
            "s.yaml",
            format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: x}}\ndata:\n  password: {SECRET_B64}\n  k: {{1: {SECRET}}}\n").as_bytes(),
        ),
        ("kustomization.yaml", &k("- s.yaml\n")),
    ]);
    fails_quietly(d.path(), ".", "s.yaml:6");
}

// ---------------------------------------------------------------- output: all or nothing

#[test]
fn output_file_untouched_on_error() {
    let d = tree(&[
        ("kustomization.yaml", &k("- gone.yaml\n")),
        ("out.yaml", b"previous contents\n"),
    ]);
    let out = aiw(d.path(), &["build", ".", "-o", "out.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        fs::read(d.path().join("out.yaml")).unwrap(),
        b"previous contents\n"
    );
    // A missing output file is not created.
    let out = aiw(d.path(), &["build", ".", "-o", "new.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!d.path().join("new.yaml").exists());
    // No temporary file is left behind either.
    let names: Vec<PathBuf> = fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn output_error_after_partial_work_writes_nothing() {
    // The first resource is fine; the failure comes late (at output time).
    let d = tree(&[
        ("cm.yaml", CM.as_bytes()),
        (
            "s.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\ndata:\n  a: \"\\x7f\"\n",
        ),
        ("kustomization.yaml", &k("- cm.yaml\n- s.yaml\n")),
        ("out.yaml", b"old\n"),
    ]);
    fails(d.path(), ".", "Error:");
    let out = aiw(d.path(), &["build", ".", "-o", "out.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(fs::read(d.path().join("out.yaml")).unwrap(), b"old\n");
}

#[test]
fn output_file_written_on_success() {
    let d = tree(&[
        ("cm.yaml", CM.as_bytes()),
        ("kustomization.yaml", &k("- cm.yaml\n")),
        ("out.yaml", b"old\n"),
    ]);
    let out = aiw(d.path(), &["build", ".", "-o", "out.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert_eq!(
        fs::read_to_string(d.path().join("out.yaml")).unwrap(),
        "apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: cm\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    let d = tree(&[]);
    let out = aiw(d.path(), &["build", ".", "--load-restrictor", "Bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let out = aiw(d.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}
