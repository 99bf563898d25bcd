//! Tests of `aiw diff` through the binary: every output mode and kind of
//! change (insta snapshots over the fixtures in `tests/diff/`), hash-suffix
//! and name-suffix rename pairing, file and stdin inputs, exit codes, and
//! that no Secret value (plain or base64) is printed in any mode unless
//! `--show-secrets` is given.
//!
//! Fixtures: `tests/diff/overlays/{old,new,staging}` (kustomizations over
//! `tests/diff/base`; `aiw build` of each was checked byte for byte against
//! `kubectl kustomize`, and `built_sides_diff_like_overlays` re-checks that
//! diffing kubectl's builds gives the same result when kubectl is on PATH),
//! and `tests/diff/files/{old,new}.yaml` (hand-written built manifests).
//!
//! Run: `cargo test --test diff`.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use common::{kubectl_available, repo_root, run_kubectl_kustomize};

const MODES: [&str; 5] = ["human", "unified", "json", "markdown", "summary"];

/// Runs `aiw diff ARGS` from the repository root, feeding `stdin`.
fn aiw_diff(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aiw"))
        .arg("diff")
        .args(args)
        .current_dir(repo_root())
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aiw runs");
    {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        if let Some(text) = stdin {
            // aiw may exit before reading (an error found first): a broken
            // pipe here is fine.
            if let Err(e) = pipe.write_all(text.as_bytes()) {
                assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
            }
        }
    }
    child.wait_with_output().expect("aiw finishes")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the run found differences (exit 1, nothing on stderr).
fn expect_differs(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(out));
    assert!(out.stderr.is_empty(), "stderr: {}", stderr(out));
    stdout(out)
}

/// Asserts the run failed (exit 2, error on stderr, nothing on stdout).
fn expect_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "stdout: {}", stdout(out));
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(out));
    let err = stderr(out);
    assert!(err.starts_with("Error: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

#[test]
fn overlays_every_mode() {
    for mode in MODES {
        let out = aiw_diff(&["--root", "tests/diff", "old", "new", "-o", mode], None);
        insta::assert_snapshot!(format!("overlays_{mode}"), expect_differs(&out));
    }
}

#[test]
fn files_every_mode() {
    for mode in MODES {
        let out = aiw_diff(
            &[
                "tests/diff/files/old.yaml",
                "tests/diff/files/new.yaml",
                "-o",
                mode,
            ],
            None,
        );
        insta::assert_snapshot!(format!("files_{mode}"), expect_differs(&out));
    }
}

#[test]
fn stdin_on_either_side() {
    let files = stdout(&aiw_diff(
        &[
            "tests/diff/files/old.yaml",
            "tests/diff/files/new.yaml",
            "-o",
            "json",
        ],
        None,
    ));
    let new_text =
        std::fs::read_to_string(repo_root().join("tests/diff/files/new.yaml")).expect("read");
    let out = aiw_diff(
        &["tests/diff/files/old.yaml", "-", "-o", "json"],
        Some(&new_text),
    );
    assert_eq!(
        expect_differs(&out),
        files.replace(
            "\"new\": \"tests/diff/files/new.yaml\"",
            "\"new\": \"stdin\""
        )
    );

    let old_text =
        std::fs::read_to_string(repo_root().join("tests/diff/files/old.yaml")).expect("read");
    let out = aiw_diff(
        &["-", "tests/diff/files/new.yaml", "-o", "json"],
        Some(&old_text),
    );
    assert_eq!(
        expect_differs(&out),
        files.replace(
            "\"old\": \"tests/diff/files/old.yaml\"",
            "\"old\": \"stdin\""
        )
    );
}

#[test]
fn a_kustomization_directory_against_a_built_file() {
    // The same content built two ways: no differences.
    let tmp = tempfile::tempdir().expect("tempdir");
    let built = tmp.path().join("new.yaml");
    let b = Command::new(env!("CARGO_BIN_EXE_aiw"))
        .args(["build", "tests/diff/overlays/new", "-o"])
        .arg(&built)
        .current_dir(repo_root())
        .output()
        .expect("aiw build runs");
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let built_arg = built.to_string_lossy().into_owned();
    for mode in MODES {
        let out = aiw_diff(&["tests/diff/overlays/new", &built_arg, "-o", mode], None);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        match mode {
            "unified" => assert_eq!(text, ""),
            "json" => assert!(text.contains("\"changes\": []"), "{text}"),
            "markdown" => assert!(text.contains("No differences (6 unchanged)."), "{text}"),
            "summary" => assert!(text.contains("unchanged       6"), "{text}"),
            _ => assert!(text.ends_with(": no differences (6 unchanged)\n"), "{text}"),
        }
    }
}

#[test]
fn exit_code_zero_when_equal() {
    let out = aiw_diff(&["--root", "tests/diff", "old", "old"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "old → old: no differences (6 unchanged)\n");
}

#[test]
fn exit_code_two_on_errors() {
    let err = expect_error(&aiw_diff(&["--root", "tests/diff", "old", "nope"], None));
    assert!(err.contains("\"nope\" is neither an overlay"), "{err}");
    let err = expect_error(&aiw_diff(&["-", "-"], Some("kind: A\n")));
    assert!(err.contains("only one side"), "{err}");
    let err = expect_error(&aiw_diff(
        &["tests/diff/files/old.yaml", "-"],
        Some("a: [\n"),
    ));
    assert!(err.contains("<stdin>"), "{err}");
    let err = expect_error(&aiw_diff(
        &["tests/diff/files/old.yaml", "tests/diff/no-such.yaml"],
        None,
    ));
    assert!(err.contains("tests/diff/no-such.yaml"), "{err}");
    // A kustomization that fails to build: the build error, and the other
    // side's output is not printed.
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("kustomization.yaml"),
        "resources:\n- missing.yaml\n",
    )
    .expect("write");
    let dir = tmp.path().to_string_lossy().into_owned();
    let err = expect_error(&aiw_diff(&["--root", "tests/diff", "old", &dir], None));
    assert!(err.contains("missing.yaml"), "{err}");
    // Bad option values are usage errors (clap exits 2 as well).
    let out = aiw_diff(&["-o", "xml", "a", "b"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// Secret values in the test overlays (fake strings), plain.
const SECRET_VALUES: [&str; 8] = [
    "OldPassw0rd-AAA",
    "NewPassw0rd-BBB",
    "app-user-CCC",
    "tok-old-DDD",
    "tok-new-EEE",
    "plain-old-FFF",
    "plain-new-GGG",
    "same-HHH",
];

/// Every form a secret value could leak in: plain, base64 (padded and not),
/// and fragments.
fn leak_needles() -> Vec<String> {
    let mut out = Vec::new();
    for s in SECRET_VALUES {
        out.push(s.to_string());
        let b = base64::engine::general_purpose::STANDARD.encode(s);
        out.push(b.trim_end_matches('=').to_string());
        out.push(b);
    }
    out.extend(["Passw0rd", "tok-old", "tok-new", "plain-old", "plain-new"].map(String::from));
    out
}

#[test]
fn secrets_are_never_printed_without_show_secrets() {
    let needles = leak_needles();
    let mut variants: Vec<Vec<&str>> = MODES.iter().map(|m| vec!["-o", *m]).collect();
    variants.push(vec!["--color", "always"]);
    variants.push(vec!["-o", "unified", "-U", "1000"]);
    for extra in &variants {
        for (a, b) in [("old", "new"), ("new", "old"), ("old", "staging")] {
            let mut args = vec!["--root", "tests/diff", a, b];
            args.extend(extra.iter().copied());
            let text = expect_differs(&aiw_diff(&args, None));
            for n in &needles {
                assert!(!text.contains(n.as_str()), "{args:?} prints {n:?}:\n{text}");
            }
            if extra[1] != "summary" {
                assert!(text.contains("<masked>"), "{args:?}:\n{text}");
            }
        }
    }
    // Masking applies to file and stdin input as well.
    let tmp = tempfile::tempdir().expect("tempdir");
    let old_file = tmp.path().join("old.yaml");
    let k = aiw_build_to(&old_file, "tests/diff/overlays/old");
    assert!(k.status.success());
    let new_text = stdout(&aiw_build("tests/diff/overlays/new"));
    let old_arg = old_file.to_string_lossy().into_owned();
    for mode in MODES {
        let text = expect_differs(&aiw_diff(&[&old_arg, "-", "-o", mode], Some(&new_text)));
        for n in &needles {
            assert!(!text.contains(n.as_str()), "{mode} prints {n:?}:\n{text}");
        }
    }
}

#[test]
fn show_secrets_reveals_values() {
    let text = expect_differs(&aiw_diff(
        &[
            "--root",
            "tests/diff",
            "old",
            "new",
            "-o",
            "unified",
            "--show-secrets",
        ],
        None,
    ));
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for s in [
        "OldPassw0rd-AAA",
        "NewPassw0rd-BBB",
        "tok-old-DDD",
        "tok-new-EEE",
    ] {
        assert!(text.contains(&b64(s)), "{s}:\n{text}");
    }
    assert!(text.contains("plain-new-GGG"), "{text}");
    assert!(!text.contains("<masked>"), "{text}");
}

fn aiw_build(dir: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiw"))
        .args(["build", dir])
        .current_dir(repo_root())
        .output()
        .expect("aiw build runs")
}

fn aiw_build_to(file: &std::path::Path, dir: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiw"))
        .args(["build", dir, "-o"])
        .arg(file)
        .current_dir(repo_root())
        .output()
        .expect("aiw build runs")
}

#[test]
fn name_suffix_renames_pair_with_ignore_name_suffix() {
    let plain = expect_differs(&aiw_diff(
        &["--root", "tests/diff", "new", "staging", "-o", "summary"],
        None,
    ));
    insta::assert_snapshot!("staging_summary", plain);
    let paired = expect_differs(&aiw_diff(
        &[
            "--root",
            "tests/diff",
            "new",
            "staging",
            "-o",
            "summary",
            "--ignore-name-suffix",
            "-stg",
        ],
        None,
    ));
    insta::assert_snapshot!("staging_summary_ignore_suffix", paired);
}

#[test]
fn colors_only_when_asked_or_on_a_terminal() {
    let args = ["tests/diff/files/old.yaml", "tests/diff/files/new.yaml"];
    // Not a terminal here: no colors by default.
    let plain = expect_differs(&aiw_diff(&args, None));
    assert!(!plain.contains('\x1b'));
    let mut with = args.to_vec();
    with.extend(["--color", "always"]);
    let colored = expect_differs(&aiw_diff(&with, None));
    assert!(colored.contains("\x1b[1;36m~ v1 ConfigMap"), "{colored}");
    insta::assert_snapshot!("files_human_color", colored);
    // Without the escapes, the same text.
    let stripped = regex::Regex::new("\x1b\\[[0-9;]*m")
        .expect("regex")
        .replace_all(&colored, "");
    assert_eq!(stripped, plain);
}

#[test]
fn context_lines() {
    let out = aiw_diff(
        &[
            "tests/diff/files/old.yaml",
            "tests/diff/files/new.yaml",
            "-o",
            "unified",
            "-U",
            "0",
        ],
        None,
    );
    insta::assert_snapshot!("files_unified_u0", expect_differs(&out));
}

#[test]
fn project_overlays_development_production() {
    let out = aiw_diff(&["development", "production", "-o", "summary"], None);
    insta::assert_snapshot!("project_summary", expect_differs(&out));
    let human = expect_differs(&aiw_diff(&["development", "production"], None));
    assert!(
        human.contains("~ apps/v1 Deployment ai-wealth/frontend\n  ~ metadata.labels.environment: development → production\n  ~ spec.replicas: 1 → 3\n"),
        "{human}"
    );
    // Production leaves the backend's scale to its HPA.
    assert!(
        human.contains("~ apps/v1 Deployment ai-wealth/backend\n  ~ metadata.labels.environment: development → production\n  - spec.replicas: 1\n"),
        "{human}"
    );
    // Development's placeholder credentials are Secret values too.
    for needle in ["dev-placeholder-password", "postgresql://"] {
        assert!(!human.contains(needle), "{needle}:\n{human}");
    }
}

/// Diffing kubectl's builds of the overlays gives the same changes as
/// diffing the overlays (so the snapshots hold kubectl-true manifests).
#[test]
fn built_sides_diff_like_overlays() {
    if !kubectl_available() {
        eprintln!("note: kubectl not on PATH; comparison with kubectl kustomize skipped");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for side in ["old", "new"] {
        let out = run_kubectl_kustomize(&repo_root().join("tests/diff/overlays").join(side));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let f = tmp.path().join(format!("{side}.yaml"));
        std::fs::write(&f, &out.stdout).expect("write");
        files.push(f.to_string_lossy().into_owned());
    }
    for mode in ["unified", "summary"] {
        let from_files = expect_differs(&aiw_diff(&[&files[0], &files[1], "-o", mode], None));
        let from_overlays = expect_differs(&aiw_diff(
            &["--root", "tests/diff", "old", "new", "-o", mode],
            None,
        ));
        let from_files = from_files
            .replace(&files[0], "old")
            .replace(&files[1], "new");
        assert_eq!(from_files, from_overlays, "{mode}");
    }
}

/// A side holding no manifests (an empty file, empty standard input, a file
/// of comments) is an error; `/dev/null` is the explicit "nothing".
#[test]
fn empty_sides_are_errors_but_dev_null_is_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let empty = tmp.path().join("empty.yaml");
    std::fs::write(&empty, "").expect("write");
    let comments = tmp.path().join("comments.yaml");
    std::fs::write(&comments, "# nothing here\n---\n").expect("write");
    for f in [&empty, &comments] {
        let arg = f.to_string_lossy().into_owned();
        let err = expect_error(&aiw_diff(&[&arg, "tests/diff/files/new.yaml"], None));
        assert!(err.contains("holds no manifests"), "{err}");
    }
    let err = expect_error(&aiw_diff(&["-", "tests/diff/files/new.yaml"], Some("")));
    assert!(err.contains("standard input holds no manifests"), "{err}");
    let out = aiw_diff(
        &["/dev/null", "tests/diff/files/new.yaml", "-o", "summary"],
        None,
    );
    let text = expect_differs(&out);
    assert!(
        text.starts_with("/dev/null → tests/diff/files/new.yaml\n  added"),
        "{text}"
    );
    assert!(!text.contains("removed         1"), "{text}");
}

/// `/dev/stdin` and a process substitution `<(…)` are streams like a file.
#[cfg(unix)]
#[test]
fn dev_stdin_and_process_substitution_sides() {
    let new_text =
        std::fs::read_to_string(repo_root().join("tests/diff/files/new.yaml")).expect("read");
    let out = aiw_diff(
        &["/dev/stdin", "tests/diff/files/new.yaml"],
        Some(&new_text),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    if Command::new("bash").arg("--version").output().is_err() {
        return;
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{} diff <(cat tests/diff/files/old.yaml) tests/diff/files/new.yaml -o summary",
            env!("CARGO_BIN_EXE_aiw")
        ))
        .current_dir(repo_root())
        .output()
        .expect("bash runs");
    let text = expect_differs(&out);
    assert!(text.contains("modified        3"), "{text}");
}

/// Two directories of plain manifests, one object per file and an absent
/// object as an absent (or empty) file: what `kubectl diff` hands to
/// `KUBECTL_EXTERNAL_DIFF`.
#[test]
fn directories_of_manifests_as_kubectl_diff_writes_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (live, merged) = (tmp.path().join("LIVE-1"), tmp.path().join("MERGED-2"));
    std::fs::create_dir_all(&live).expect("mkdir");
    std::fs::create_dir_all(&merged).expect("mkdir");
    let dep = |replicas: u32| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: {replicas}\n"
        )
    };
    std::fs::write(live.join("apps.v1.Deployment.default.web"), dep(1)).expect("write");
    std::fs::write(merged.join("apps.v1.Deployment.default.web"), dep(3)).expect("write");
    std::fs::write(live.join("v1.ConfigMap.default.c"), "").expect("write");
    std::fs::write(
        merged.join("v1.ConfigMap.default.c"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n",
    )
    .expect("write");
    let (l, m) = (
        live.to_string_lossy().into_owned(),
        merged.to_string_lossy().into_owned(),
    );
    let text = expect_differs(&aiw_diff(&[&l, &m, "--color", "never"], None));
    assert!(text.contains("~ spec.replicas: 1 → 3"), "{text}");
    assert!(text.contains("+ v1 ConfigMap default/c"), "{text}");
    assert!(
        text.ends_with(": 1 added, 1 modified (0 unchanged)\n"),
        "{text}"
    );
    let out = aiw_diff(&[&m, &m], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn suppress_exclude_filter_and_ignore_order() {
    let run = |extra: &[&str]| {
        let mut args = vec!["--root", "tests/diff", "old", "new", "--color", "never"];
        args.extend_from_slice(extra);
        aiw_diff(&args, None)
    };
    // Without Secrets and ConfigMaps, only the Deployment and the Ingress.
    let text = expect_differs(&run(&["--suppress", "Secret", "--suppress", "configmap"]));
    assert!(
        !text.contains("Secret") && !text.contains("ConfigMap"),
        "{text}"
    );
    assert!(
        text.ends_with("old → new: 1 added, 1 modified (1 unchanged)\n"),
        "{text}"
    );
    // Only the replica count: the Deployment still differs, the renamed
    // pairs stay renamed, the other Secret no longer differs.
    let text = expect_differs(&run(&["--filter", "spec.replicas", "-o", "json"]));
    assert!(text.contains("\"path\": \"spec.replicas\""), "{text}");
    assert!(!text.contains("containers"), "{text}");
    assert!(!text.contains("\"path\": \"data.token\""), "{text}");
    // Excluding everything that changed in the Deployment leaves it equal.
    let text = expect_differs(&run(&[
        "--exclude",
        "spec.replicas",
        "--exclude",
        "spec.template.spec.containers[*]",
    ]));
    assert!(!text.contains("Deployment"), "{text}");
    // A bad path is a usage error.
    let err = expect_error(&run(&["--exclude", "spec..replicas"]));
    assert!(err.contains("field path \"spec..replicas\""), "{err}");
    // Order changes: reported, or not with --ignore-order-changes.
    let tmp = tempfile::tempdir().expect("tempdir");
    let doc = |a: &str, b: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  finalizers: [{a}, {b}]\nspec:\n  containers:\n  - name: {a}\n  - name: {b}\n"
        )
    };
    std::fs::write(tmp.path().join("a.yaml"), doc("x", "y")).expect("write");
    std::fs::write(tmp.path().join("b.yaml"), doc("y", "x")).expect("write");
    let (a, b) = (
        tmp.path().join("a.yaml").to_string_lossy().into_owned(),
        tmp.path().join("b.yaml").to_string_lossy().into_owned(),
    );
    let text = expect_differs(&aiw_diff(&[&a, &b, "--color", "never"], None));
    assert!(
        text.contains("~ spec.containers: order [\"x\",\"y\"] → [\"y\",\"x\"]"),
        "{text}"
    );
    assert!(text.contains("~ metadata.finalizers[0]: x → y"), "{text}");
    let out = aiw_diff(&[&a, &b, "--ignore-order-changes"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// The `aiw diff` examples of README.md run as written (in a copy of the
/// repository's overlays), except the one needing git history and the one
/// needing a cluster.
#[test]
fn readme_diff_examples_run() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    let section = readme
        .split("## `aiw diff`")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("the aiw diff section");
    let mut commands = Vec::new();
    let mut in_sh = false;
    for line in section.lines() {
        match line.trim() {
            "```sh" => in_sh = true,
            "```" => in_sh = false,
            l if in_sh && !l.is_empty() && !l.starts_with('#') => commands.push(l.to_string()),
            _ => {}
        }
    }
    assert!(commands.len() >= 8, "{commands:?}");
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(tmp.path().join("tests")).expect("mkdir");
    for (dir, to) in [
        ("base", ""),
        ("components", ""),
        ("overlays", ""),
        ("tests/diff", "tests"),
    ] {
        let status = Command::new("cp")
            .arg("-r")
            .arg(repo_root().join(dir))
            .arg(tmp.path().join(to))
            .status()
            .expect("cp runs");
        assert!(status.success());
    }
    let kubectl = kubectl_available();
    let mut ran = 0;
    for cmd in &commands {
        if cmd.contains("git worktree") || cmd.contains("kubectl diff") {
            continue;
        }
        if cmd.contains("kubectl") && !kubectl {
            continue;
        }
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -o pipefail; aiw() {{ {:?} \"$@\"; }}; {cmd}",
                env!("CARGO_BIN_EXE_aiw")
            ))
            .current_dir(tmp.path())
            .output()
            .expect("bash runs");
        let code = out.status.code();
        assert!(
            code == Some(0) || code == Some(1),
            "{cmd}: exit {code:?}: {}",
            stderr(&out)
        );
        ran += 1;
    }
    assert!(ran >= 6, "ran {ran} of {commands:?}");
}

/// The builds' warnings (deprecated fields) go to stderr, each once.
#[test]
fn build_warnings_on_stderr_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("kustomization.yaml"),
        "resources:\n- cm.yaml\ncommonLabels: {a: b}\n",
    )
    .expect("write");
    std::fs::write(
        tmp.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    )
    .expect("write");
    let dir = tmp.path().to_string_lossy().into_owned();
    let out = aiw_diff(&[&dir, &dir], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.\n"
    );
}
