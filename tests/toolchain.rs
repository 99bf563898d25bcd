//! aiw as a drop-in for the kustomize binary: Argo CD's exact command lines,
//! `-o DIR` / `-o FILE` / `-o -`, the kustomize build flags, `aiw version`,
//! completions and man pages. Outputs are compared with `kubectl kustomize`
//! when it is on PATH.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{kubectl_available, repo_root};

fn aiw(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiw"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the aiw binary runs")
}

fn kubectl(dir: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .arg("kustomize")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("kubectl runs")
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

const APP: &[(&str, &str)] = &[
    (
        "app/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: my-app:1\n      - name: db\n        image: postgres:13\n",
    ),
    (
        "app/worker.yaml",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: worker\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: worker\n  template:\n    metadata:\n      labels:\n        app: worker\n    spec:\n      containers:\n      - name: worker\n        image: my-app:1\n",
    ),
    (
        "components/extra/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  extra: \"on\"\n",
    ),
];

/// Argo CD's semver parsing of `kustomize version --short`
/// (util/kustomize/kustomize.go): trim braces, squeeze spaces, drop
/// `kustomize/`, take the first semantic version.
fn argo_version(out: &str) -> (u64, u64, u64) {
    let v = out.trim();
    let v = v.strip_prefix('{').unwrap_or(v);
    let v = v.strip_suffix('}').unwrap_or(v).trim().replace("  ", " ");
    let v = v.strip_prefix("kustomize/").unwrap_or(&v).to_string();
    let re = regex::Regex::new(r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?").unwrap();
    let c = re.captures(&v).expect("a semantic version");
    let n = |i: usize| {
        c.get(i)
            .map(|m| m.as_str().trim_start_matches('.').parse().unwrap())
            .unwrap_or(0)
    };
    (n(1), n(2), n(3))
}

/// The command lines Argo CD's kustomize.Build runs for an Application
/// with namePrefix, nameSuffix, images, replicas, commonLabels,
/// commonAnnotations, namespace and components set, in its order, then its
/// build with buildOptions: the result must equal `kubectl kustomize` of
/// the same kustomization edited by hand.
#[test]
fn argo_cd_command_lines_run_unchanged() {
    let repo = tempfile::tempdir().unwrap();
    write(repo.path(), APP);
    write(
        repo.path(),
        &[(
            "app/kustomization.yaml",
            "# managed in git\nresources:\n- deployment.yaml\n- worker.yaml\n",
        )],
    );
    let app = repo.path().join("app");
    // getSemverSafe: `version --short`, parsed as Argo CD parses it; v5.5.0
    // is above the 3.8.5 and 3.7.0 thresholds its command lines depend on.
    let v = aiw(&app, &["version", "--short"]);
    assert!(v.status.success());
    assert_eq!(argo_version(&String::from_utf8_lossy(&v.stdout)), (5, 5, 0));
    let digest = "sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3";
    let image = format!("my-app=my-registry/my-app@{}", digest);
    let commands: Vec<Vec<&str>> = vec![
        vec!["edit", "set", "nameprefix", "--", "argo-"],
        vec!["edit", "set", "namesuffix", "--", "-v1"],
        vec![
            "edit",
            "set",
            "image",
            "postgres=eu.gcr.io/my-project/postgres:latest",
            &image,
        ],
        vec!["edit", "set", "replicas", "web=2", "worker=4"],
        vec!["edit", "add", "label", "--force", "team:payments"],
        vec!["edit", "add", "annotation", "--force", "owner:argo"],
        vec!["edit", "set", "namespace", "--", "payments"],
        vec!["edit", "add", "component", "../components/extra"],
    ];
    for c in &commands {
        let out = aiw(&app, c);
        assert!(
            out.status.success(),
            "{:?}: {}",
            c,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // parseKustomizeBuildOptions: `build <path> <buildOptions...>` run in
    // the repository root.
    let app_abs = app.to_string_lossy().into_owned();
    let built = aiw(
        repo.path(),
        &[
            "build",
            &app_abs,
            "--load-restrictor",
            "LoadRestrictionsNone",
        ],
    );
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let text = std::fs::read_to_string(app.join("kustomization.yaml")).unwrap();
    assert!(text.starts_with("# managed in git\nresources:\n- deployment.yaml\n- worker.yaml\n"));
    if kubectl_available() {
        let hand = tempfile::tempdir().unwrap();
        write(hand.path(), APP);
        write(
            hand.path(),
            &[(
                "app/kustomization.yaml",
                &format!(
                    "resources:\n- deployment.yaml\n- worker.yaml\nnamePrefix: argo-\nnameSuffix: -v1\nnamespace: payments\ncommonLabels:\n  team: payments\ncommonAnnotations:\n  owner: argo\nimages:\n- digest: {}\n  name: my-app\n  newName: my-registry/my-app\n- name: postgres\n  newName: eu.gcr.io/my-project/postgres\n  newTag: latest\nreplicas:\n- count: 2\n  name: web\n- count: 4\n  name: worker\ncomponents:\n- ../components/extra\n",
                    digest
                ),
            )],
        );
        let want = kubectl(hand.path(), &["app"]);
        assert!(
            want.status.success(),
            "{}",
            String::from_utf8_lossy(&want.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&built.stdout),
            String::from_utf8_lossy(&want.stdout)
        );
    }
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

const MULTI_NS: &[(&str, &str)] = &[
    ("kustomization.yaml", "resources:\n- r.yaml\n"),
    (
        "r.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: A, namespace: NS1}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n---\napiVersion: example.com/v1\nkind: Foo\nmetadata: {name: x}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: Cr}\n",
    ),
];

/// `-o DIR` writes the files kubectl writes, with the same names and bytes.
#[test]
fn output_dir_matches_kubectl() {
    let multi = tempfile::tempdir().unwrap();
    write(multi.path(), MULTI_NS);
    let overlay = repo_root().join("overlays/production");
    for dir in [multi.path().to_path_buf(), overlay] {
        let ours = tempfile::tempdir().unwrap();
        let out = aiw(&dir, &["build", ".", "-o", &ours.path().to_string_lossy()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty());
        let names: Vec<String> = listing(ours.path()).into_iter().map(|(n, _)| n).collect();
        assert!(!names.is_empty());
        if dir == multi.path() {
            assert_eq!(
                names,
                [
                    "default_example.com_v1_foo_x.yaml",
                    "default_v1_configmap_b.yaml",
                    "default_v1_configmap_c.yaml",
                    "ns1_v1_configmap_a.yaml",
                    "rbac.authorization.k8s.io_v1_clusterrole_cr.yaml"
                ]
            );
        }
        if kubectl_available() {
            let theirs = tempfile::tempdir().unwrap();
            let k = kubectl(&dir, &[".", "-o", &theirs.path().to_string_lossy()]);
            assert!(k.status.success());
            assert_eq!(listing(ours.path()), listing(theirs.path()));
        }
    }
}

/// A failing build leaves `-o DIR` and `-o FILE` untouched.
#[test]
fn failing_build_writes_nothing() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("kustomization.yaml", "resources:\n- missing.yaml\n"),
            ("out/keep.yaml", "old\n"),
            ("out.yaml", "old\n"),
        ],
    );
    for target in ["out", "out.yaml"] {
        let out = aiw(d.path(), &["build", ".", "-o", target]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
    }
    assert_eq!(
        listing(&d.path().join("out")),
        [("keep.yaml".to_string(), b"old\n".to_vec())]
    );
    assert_eq!(std::fs::read(d.path().join("out.yaml")).unwrap(), b"old\n");
    // Two resources that kustomize would write to one file: refused.
    write(
        d.path(),
        &[
            ("kustomization.yaml", "resources:\n- r.yaml\n"),
            (
                "r.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: X}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
            ),
        ],
    );
    let out = aiw(d.path(), &["build", ".", "-o", "out"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("would both be written"));
    assert_eq!(listing(&d.path().join("out")).len(), 1);
}

/// `-o -` is stdout; `-o FILE` writes through a symlink, keeps the mode of
/// an existing file, and names no temporary file in errors.
#[test]
fn output_file_forms() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    write(d.path(), MULTI_NS);
    let stdout = aiw(d.path(), &["build", ".", "-o", "-"]);
    assert!(stdout.status.success());
    assert_eq!(stdout.stdout, aiw(d.path(), &["build", "."]).stdout);
    assert!(!d.path().join("-").exists());

    std::fs::write(d.path().join("real.yaml"), "old").unwrap();
    std::fs::set_permissions(
        d.path().join("real.yaml"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    std::os::unix::fs::symlink("real.yaml", d.path().join("link.yaml")).unwrap();
    let out = aiw(d.path(), &["build", ".", "-o", "link.yaml"]);
    assert!(out.status.success());
    assert!(
        std::fs::symlink_metadata(d.path().join("link.yaml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read(d.path().join("real.yaml")).unwrap(),
        stdout.stdout
    );
    let mode = std::fs::metadata(d.path().join("real.yaml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);

    let out = aiw(d.path(), &["build", ".", "-o", "no/such/dir/out.yaml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("writing no/such/dir/out.yaml: No such file or directory"),
        "{}",
        err
    );
    assert!(!err.contains(".aiw-"), "{}", err);
}

/// `--reorder none|legacy` and `--enable-managedby-label` (and its
/// environment variable) as kubectl's kustomize has them.
///
/// Not on the app overlays: there kustomize's label transformer shares one
/// YAML value node between the `metadata.labels` and pod-template labels it
/// creates (`labels: includeTemplates`), so the managed-by label later
/// rewrites the template's copy too; aiw does not reproduce that aliasing
/// (for `buildMetadata: [managedByLabel]` either).
#[test]
fn build_flags_match_kubectl() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), MULTI_NS);
    write(
        d.path(),
        &[(
            "kustomization.yaml",
            "resources:\n- r.yaml\n- app/deployment.yaml\n- app/worker.yaml\ncommonLabels:\n  team: a\n",
        )],
    );
    write(d.path(), APP);
    let dirs = [d.path().to_path_buf()];
    let cases: [&[&str]; 4] = [
        &["--reorder", "none"],
        &["--reorder", "legacy"],
        &["--enable-managedby-label"],
        &["--enable-managedby-label=false"],
    ];
    for dir in &dirs {
        for flags in cases {
            let mut args = vec!["build", "."];
            args.extend_from_slice(flags);
            let ours = aiw(dir, &args);
            assert!(
                ours.status.success(),
                "{:?}: {}",
                flags,
                String::from_utf8_lossy(&ours.stderr)
            );
            if kubectl_available() {
                let mut kargs = vec!["."];
                kargs.extend_from_slice(flags);
                let theirs = kubectl(dir, &kargs);
                assert_eq!(
                    String::from_utf8_lossy(&ours.stdout),
                    String::from_utf8_lossy(&theirs.stdout),
                    "{:?}",
                    flags
                );
            }
        }
        let env = Command::new(env!("CARGO_BIN_EXE_aiw"))
            .args(["build", "."])
            .current_dir(dir)
            .env("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL", "on")
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&env.stdout)
                .contains("app.kubernetes.io/managed-by: kustomize-(devel)")
        );
    }
}

/// The plugin and function flags aiw does not implement are refused by
/// name, with exit code 2 and nothing on stdout.
#[test]
fn unimplemented_flags_are_refused() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), MULTI_NS);
    for flags in [
        vec!["--enable-alpha-plugins"],
        vec!["--enable-exec"],
        vec!["--network"],
        vec!["--mount", "type=bind,src=/a,dst=/b"],
        vec!["--env", "A=1"],
        vec!["-e", "A=1"],
        vec!["--as-current-user"],
    ] {
        let mut args = vec!["build", "."];
        args.extend_from_slice(&flags);
        let out = aiw(d.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{:?}", flags);
        assert!(out.stdout.is_empty());
        assert!(err.contains("is not supported"), "{:?}: {}", flags, err);
        assert!(!err.contains("unexpected argument"), "{}", err);
    }
    // Accepted: off, or meaningless without functions.
    let ok = aiw(
        d.path(),
        &[
            "build",
            ".",
            "--network-name",
            "host",
            "--enable-alpha-plugins=false",
        ],
    );
    assert!(ok.status.success());
}

#[test]
fn version_forms() {
    let d = tempfile::tempdir().unwrap();
    let plain = aiw(d.path(), &["version"]);
    assert!(String::from_utf8_lossy(&plain.stdout).starts_with("v5.5.0 (aiw "));
    let short = aiw(d.path(), &["version", "--short"]);
    assert_eq!(
        argo_version(&String::from_utf8_lossy(&short.stdout)),
        (5, 5, 0)
    );
    let json = aiw(d.path(), &["version", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["version"], "kustomize/v5.5.0");
    assert!(aiw(d.path(), &["--version"]).status.success());
}

#[test]
fn completions_for_five_shells_and_man_pages() {
    let d = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_aiw()"),
        ("zsh", "#compdef aiw"),
        ("fish", "complete -c aiw"),
        ("elvish", "edit:completion:arg-completer[aiw]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = aiw(d.path(), &["completions", shell]);
        assert!(out.status.success(), "{}", shell);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(marker),
            "{}: {}",
            shell,
            &text[..text.len().min(200)]
        );
        assert!(
            text.contains("edit") && text.contains("load-restrictor"),
            "{}",
            shell
        );
    }
    let man = aiw(d.path(), &["man"]);
    assert!(String::from_utf8_lossy(&man.stdout).starts_with(".ie \\n(.g .ds Aq"));
    assert!(String::from_utf8_lossy(&man.stdout).contains(".TH aiw 1"));
    let sub = aiw(d.path(), &["man", "edit", "set", "image"]);
    assert!(String::from_utf8_lossy(&sub.stdout).contains(".TH aiw-edit-set-image 1"));
    let pages = d.path().join("man1");
    std::fs::create_dir(&pages).unwrap();
    let all = aiw(d.path(), &["man", "--dir", "man1"]);
    assert!(
        all.status.success(),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
    for page in [
        "aiw.1",
        "aiw-build.1",
        "aiw-edit-add-resource.1",
        "aiw-create.1",
    ] {
        assert!(pages.join(page).exists(), "{}", page);
    }
}
