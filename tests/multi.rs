//! `aiw build A B C --out-dir OUT`: each output equals the directory's own
//! build (and kubectl's where a fixture has it), all or nothing; directories
//! shared by several overlays are built once, and only where the settings
//! that can change them are the same (merge schema, buildMetadata, cycle
//! checks); errors are those of a build of its own.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Expect, fixtures_dir, kubectl_available, load_fixtures, run_kubectl_kustomize};

fn aiw(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiw"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the aiw binary runs")
}

fn build_alone(cwd: &Path, dir: &str) -> Output {
    aiw(cwd, &["build", dir])
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Builds `dirs` (relative to `cwd`) into `cwd/out` in one run and checks
/// every output equals the directory's build of its own, and kubectl's when
/// `kubectl` is there.
fn check_together(cwd: &Path, dirs: &[&str]) {
    let out_dir = cwd.join("out");
    let _ = std::fs::remove_dir_all(&out_dir);
    let mut args = vec!["build"];
    args.extend(dirs);
    args.extend(["--out-dir", "out"]);
    let run = aiw(cwd, &args);
    assert!(
        run.status.success(),
        "{dirs:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.stdout.is_empty(), "nothing on stdout with --out-dir");
    for dir in dirs {
        let alone = build_alone(cwd, dir);
        assert!(alone.status.success(), "{dir} alone fails");
        let got = std::fs::read(out_dir.join(format!("{dir}.yaml"))).expect("output written");
        assert!(got == alone.stdout, "{dir}: differs from its own build");
        if kubectl_available() {
            let k = run_kubectl_kustomize(&cwd.join(dir));
            assert!(k.status.success(), "kubectl fails on {dir}");
            assert!(got == k.stdout, "{dir}: differs from kubectl");
        }
    }
}

#[test]
fn every_output_fixture_in_one_run_equals_kubectls_output() {
    let root = fixtures_dir();
    let mut dirs = Vec::new();
    let mut expected = Vec::new();
    for f in load_fixtures() {
        if let Expect::Output(bytes) = f.expect {
            dirs.push(f.build_dir.strip_prefix(&root).unwrap().to_path_buf());
            expected.push(bytes);
        }
    }
    assert!(dirs.len() >= 30, "only {} fixtures", dirs.len());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_aiw"))
        .current_dir(&root)
        .arg("build")
        .args(&dirs)
        .arg("--out-dir")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for (dir, want) in dirs.iter().zip(&expected) {
        let file = out.join(format!("{}.yaml", dir.display()));
        let got = std::fs::read(&file).unwrap_or_else(|_| panic!("{} missing", file.display()));
        assert!(
            &got == want,
            "{}: differs from expected.yaml",
            dir.display()
        );
    }
}

/// The repository's own overlays, which share `base/` and components.
#[test]
fn project_overlays_together_equal_their_own_builds() {
    let repo = common::repo_root();
    let tmp = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_aiw"))
        .current_dir(&repo)
        .args([
            "build",
            "overlays/development",
            "overlays/production",
            "--out-dir",
        ])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for o in ["overlays/development", "overlays/production"] {
        let alone = build_alone(&repo, o);
        let got = std::fs::read(tmp.path().join(format!("{o}.yaml"))).unwrap();
        assert!(got == alone.stdout, "{o} differs");
    }
}

/// A base reached under a custom merge schema and without one: the patch in
/// it merges a list by key with the schema and replaces it without, so the
/// two uses must not share a result (both orders).
#[test]
fn a_base_under_another_merge_schema_is_built_again() {
    let src = fixtures_dir().join("openapi-schema-from-earlier-sibling/input");
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    copy_tree(&src.join("schema-base"), &r.join("schema-base"));
    copy_tree(&src.join("gateway-base"), &r.join("gateway-base"));
    write(
        r,
        "with/kustomization.yaml",
        "resources:\n- ../schema-base\n- ../gateway-base\n",
    );
    write(
        r,
        "without/kustomization.yaml",
        "resources:\n- ../gateway-base\n",
    );
    write(
        r,
        "without2/kustomization.yaml",
        "resources:\n- ../gateway-base\nnamePrefix: x-\n",
    );
    let with = build_alone(r, "with").stdout;
    let without = build_alone(r, "without").stdout;
    assert!(with != without, "the schema must matter for this test");
    check_together(r, &["with", "without", "without2"]);
    check_together(r, &["without", "with", "without2"]);
}

/// A base reached from an overlay with `buildMetadata` (origins and
/// transformers recorded) and from one without.
#[test]
fn a_base_under_build_metadata_is_built_again() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(
        r,
        "base/kustomization.yaml",
        "resources:\n- cm.yaml\nnamePrefix: b-\ncommonLabels:\n  tier: base\n",
    );
    write(
        r,
        "base/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n",
    );
    write(
        r,
        "tracked/kustomization.yaml",
        "resources:\n- ../base\nbuildMetadata: [originAnnotations, transformerAnnotations]\n",
    );
    write(
        r,
        "plain/kustomization.yaml",
        "resources:\n- ../base\nnamespace: apps\n",
    );
    write(r, "plain2/kustomization.yaml", "resources:\n- ../base\n");
    check_together(r, &["tracked", "plain", "plain2"]);
    check_together(r, &["plain", "tracked", "plain2"]);
}

/// A base whose own bases would contain the second overlay's root: from
/// the first overlay it builds, from the second kustomize reports a cycle.
/// The result kept from the first must not stand in for the second: the run
/// fails with the second's own error and writes nothing.
#[test]
fn a_kept_result_is_not_reused_where_its_cycle_checks_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n");
    write(r, "shared/kustomization.yaml", "resources:\n- ../leaf\n");
    write(r, "leaf/kustomization.yaml", "resources:\n- leaf.yaml\n");
    write(r, "leaf/leaf.yaml", &cm("leaf"));
    write(r, "one/kustomization.yaml", "resources:\n- ../shared\n");
    write(
        r,
        "two/kustomization.yaml",
        "resources:\n- ../shared\nnamePrefix: t-\n",
    );
    write(
        r,
        "leaf/sub/kustomization.yaml",
        "resources:\n- ../../shared\n",
    );
    let alone = build_alone(r, "leaf/sub");
    assert_eq!(alone.status.code(), Some(2));
    let want = String::from_utf8_lossy(&alone.stderr).to_string();
    assert!(want.contains("cycle"), "{want}");
    if kubectl_available() {
        let k = run_kubectl_kustomize(&r.join("leaf/sub"));
        assert!(!k.status.success(), "kubectl also finds the cycle");
    }
    let run = aiw(r, &["build", "one", "two", "leaf/sub", "--out-dir", "out"]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&run.stderr), want);
    assert!(run.stdout.is_empty());
    assert!(!r.join("out").exists(), "nothing written");
    check_together(r, &["one", "two"]);
}

/// One failing directory: exit 2, its error as its own build prints it,
/// nothing written (an earlier output stays as it was).
#[test]
fn one_failure_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(r, "good/kustomization.yaml", "resources:\n- cm.yaml\n");
    write(
        r,
        "good/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    );
    write(r, "bad/kustomization.yaml", "resources:\n- missing.yaml\n");
    write(r, "out/good.yaml", "old\n");
    let alone = build_alone(r, "bad");
    let run = aiw(r, &["build", "good", "bad", "--out-dir", "out"]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(run.stderr, alone.stderr);
    assert_eq!(
        std::fs::read_to_string(r.join("out/good.yaml")).unwrap(),
        "old\n"
    );
    assert!(!r.join("out/bad.yaml").exists());
    let names: Vec<_> = std::fs::read_dir(r.join("out")).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file left");
    // Outputs are staged as their builds end: the directories made for
    // them go again when a later build fails.
    write(
        r,
        "nested/good/kustomization.yaml",
        "resources:\n- ../../good\n",
    );
    let run = aiw(
        r,
        &[
            "build",
            "nested/good",
            "good",
            "bad",
            "--out-dir",
            "new/out",
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(run.stderr, alone.stderr);
    assert!(!r.join("new").exists(), "no directory left");
}

#[test]
fn several_directories_need_out_dir_and_names_must_differ() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(r, "a/kustomization.yaml", "resources: []\n");
    let run = aiw(r, &["build", "a", "a"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--out-dir"));
    let run = aiw(r, &["build", "a", "./a/", "--out-dir", "out"]);
    assert_eq!(run.status.code(), Some(2));
    let run = aiw(r, &["build", "../x", "--out-dir", "out"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(!r.join("out").exists());
}

/// The benchmark generator's tree: dev, staging and prod in one run equal
/// their own builds, and the service bases they share are built once.
#[test]
fn generated_environments_together_equal_their_own_builds() {
    let generator = common::repo_root().join("../shared/bench/gen.py");
    if !generator.exists() {
        eprintln!("skipped: {} not found", generator.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let status = Command::new("python3")
        .arg(&generator)
        .args(["--services", "12", "--seed", "5", "--out"])
        .arg(tmp.path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let envs = ["overlays/dev", "overlays/staging", "overlays/prod"];
    let dirs: Vec<PathBuf> = envs.iter().map(|e| tmp.path().join(e)).collect();
    let session = aiw::session::Session::for_dirs(&Default::default(), &dirs);
    let (outputs, warnings) = session.build_all(&dirs).expect("builds");
    let mut want_warnings: Vec<String> = Vec::new();
    for (dir, got) in dirs.iter().zip(&outputs) {
        let alone = aiw::build::build_yaml(dir, &Default::default()).unwrap();
        assert!(*got == alone, "{} differs", dir.display());
        let built = aiw::build::build_with_warnings(dir, &Default::default()).unwrap();
        for w in built.warnings {
            if !want_warnings.contains(&w) {
                want_warnings.push(w);
            }
        }
    }
    // The builds' warnings (commonLabels is deprecated), each once.
    assert!(!warnings.is_empty());
    assert_eq!(warnings, want_warnings);
    let stats = session.cache().stats();
    // 12 service bases, the team commons and the platform base are reached
    // from all three environments.
    assert!(stats.hits >= 2 * 12, "{stats:?}");
    assert_eq!(stats.kept, 0, "every kept result was used up: {stats:?}");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn bases_in_a_cycle_built_side_by_side_fail_as_alone_and_do_not_hang() {
    // a → x → y → x and b → y → x → y: built side by side, each thread may
    // start on the other's base; waiting for each other would never end.
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(r, "a/kustomization.yaml", "resources: [../x]\n");
    write(r, "b/kustomization.yaml", "resources: [../y]\n");
    write(r, "x/kustomization.yaml", "resources: [../y, cm.yaml]\n");
    write(r, "y/kustomization.yaml", "resources: [../x]\n");
    write(
        r,
        "x/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    );
    let dirs = [r.join("a"), r.join("b")];
    for _ in 0..20 {
        let session = aiw::session::Session::for_dirs(&Default::default(), &dirs);
        let built = session.build_each(&dirs, |_, res| res.map(|v| v.len()));
        for (dir, b) in dirs.iter().zip(built) {
            let alone = aiw::build::build(dir, &Default::default()).unwrap_err();
            let got = b.result.unwrap_err();
            assert_eq!(got.to_string(), alone.to_string(), "{}", dir.display());
        }
    }
}

#[test]
fn shared_bases_built_side_by_side_are_built_once() {
    // Four overlays over the same twelve bases: whichever thread reaches a
    // base first builds it, the others wait for it.
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    let bases: Vec<String> = (0..12).map(|i| format!("../../bases/b{i}")).collect();
    for i in 0..12 {
        write(
            r,
            &format!("bases/b{i}/kustomization.yaml"),
            "resources: [cm.yaml]\ncommonLabels: {team: t}\n",
        );
        write(
            r,
            &format!("bases/b{i}/cm.yaml"),
            &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n"),
        );
    }
    let envs = ["o/e0", "o/e1", "o/e2", "o/e3"];
    for (i, e) in envs.iter().enumerate() {
        write(
            r,
            &format!("{e}/kustomization.yaml"),
            &format!("namePrefix: e{i}-\nresources: [{}]\n", bases.join(", ")),
        );
    }
    let dirs: Vec<PathBuf> = envs.iter().map(|e| r.join(e)).collect();
    for _ in 0..10 {
        let session = aiw::session::Session::for_dirs(&Default::default(), &dirs);
        let (outs, _) = session.build_all(&dirs).unwrap();
        for (dir, got) in dirs.iter().zip(&outs) {
            assert_eq!(
                *got,
                aiw::build::build_yaml(dir, &Default::default()).unwrap()
            );
        }
        let stats = session.cache().stats();
        assert_eq!((stats.misses, stats.hits), (12, 36), "{stats:?}");
    }
}
