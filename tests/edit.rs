//! `aiw edit` and `aiw create` end to end: each case runs edit commands on a
//! kustomization file with comments, flow and block styles and odd
//! indentation, snapshots the edited file and its diff (only the intended
//! lines change), and — with `kubectl` on PATH — checks that the edited
//! directory builds with `kubectl kustomize` exactly as a hand-edited
//! equivalent does (the file kustomize 5.5's `edit` would leave, per its
//! sources and tests), and that `aiw build` agrees.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::kubectl_available;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.0
      - name: db
        image: postgres
      - name: tools
        image: busybox
";

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
";

const WORKER: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: worker
spec:
  replicas: 1
  selector:
    matchLabels:
      app: worker
  template:
    metadata:
      labels:
        app: worker
    spec:
      containers:
      - name: worker
        image: my-app:1
";

/// The files every case starts with (besides its kustomization).
fn write_fixture(dir: &Path) {
    let files: &[(&str, &str)] = &[
        ("deployment.yaml", DEPLOYMENT),
        ("service.yaml", SERVICE),
        ("k8s/worker.yaml", WORKER),
        (
            "k8s/config.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n",
        ),
        (
            "patch-replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n",
        ),
        (
            "patch-json.yaml",
            "- op: add\n  path: /metadata/annotations\n  value:\n    patched: \"yes\"\n",
        ),
        ("app.env", "COLOR=blue\nSIZE=2\n"),
        ("settings.properties", "x=1\n"),
        ("base/kustomization.yaml", "resources:\n- cm.yaml\n"),
        (
            "base/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base-config\ndata:\n  k: v\n",
        ),
        (
            "components/extra/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  extra: \"on\"\n",
        ),
        (
            "transformer.yaml",
            "apiVersion: builtin\nkind: AnnotationsTransformer\nmetadata:\n  name: notes\nannotations:\n  team: platform\nfieldSpecs:\n- path: metadata/annotations\n  create: true\n",
        ),
        (
            "generator.yaml",
            "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: generated\nliterals:\n- k=v\n",
        ),
    ];
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn setup(kustomization: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write_fixture(d.path());
    std::fs::write(d.path().join("kustomization.yaml"), kustomization).unwrap();
    d
}

fn aiw(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiw"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the aiw binary runs")
}

fn kubectl(dir: &Path) -> Output {
    Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .expect("kubectl runs")
}

fn unified(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(1)
        .header("before", "after")
        .to_string()
}

/// Runs `commands` (each an `aiw` argument list) in a directory holding
/// `kustomization`, snapshots the result, and checks its build against the
/// build of `equivalent`.
fn check(name: &str, kustomization: &str, commands: &[&[&str]], equivalent: &str) -> String {
    let d = setup(kustomization);
    let mut stderr = String::new();
    for c in commands {
        let out = aiw(d.path(), c);
        assert!(
            out.status.success(),
            "{}: aiw {:?} failed: {}",
            name,
            c,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout.is_empty() || c.contains(&"fix"),
            "{}: unexpected stdout",
            name
        );
        stderr.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    let edited = std::fs::read_to_string(d.path().join("kustomization.yaml")).unwrap();
    insta::assert_snapshot!(
        name.to_string(),
        format!(
            "{}\n----- diff -----\n{}",
            edited,
            unified(kustomization, &edited)
        )
    );
    if kubectl_available() {
        let got = kubectl(d.path());
        assert!(
            got.status.success(),
            "{}: kubectl cannot build the edited file: {}",
            name,
            String::from_utf8_lossy(&got.stderr)
        );
        let e = setup(equivalent);
        let want = kubectl(e.path());
        assert!(
            want.status.success(),
            "{}: the equivalent does not build: {}",
            name,
            String::from_utf8_lossy(&want.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&got.stdout),
            String::from_utf8_lossy(&want.stdout),
            "{}: the edited file builds differently from kustomize's edit",
            name
        );
        let ours = aiw(d.path(), &["build", "."]);
        assert_eq!(
            ours.stdout, got.stdout,
            "{}: aiw build differs from kubectl",
            name
        );
    }
    stderr
}

#[test]
fn set_image_keeps_comments_sorts_and_replaces_entries() {
    check(
        "set_image",
        "# Staging overlay\nresources:   # what we deploy\n  - deployment.yaml\n\nimages:\n  # the web server\n  - name: nginx # pinned\n    newTag: \"1.0\"\n  - name: busybox\n    newName: my/busybox\n    tagSuffix: -debug\n",
        &[&[
            "edit",
            "set",
            "image",
            "nginx=nginx:1.27",
            "postgres=eu.gcr.io/my-project/postgres:15",
            "busybox=*:1.36",
        ]],
        "resources:\n- deployment.yaml\nimages:\n- name: busybox\n  newName: my/busybox\n  newTag: \"1.36\"\n- name: nginx\n  newName: nginx\n  newTag: \"1.27\"\n- name: postgres\n  newName: eu.gcr.io/my-project/postgres\n  newTag: \"15\"\n",
    );
}

#[test]
fn set_image_in_a_flow_list_and_by_digest() {
    check(
        "set_image_flow",
        "resources: [deployment.yaml]\nimages: [{name: nginx, newTag: '1.1'}]\n",
        &[&[
            "edit",
            "set",
            "image",
            "busybox@sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3",
            "nginx=*@sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3",
        ]],
        "resources:\n- deployment.yaml\nimages:\n- digest: sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3\n  name: busybox\n- digest: sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3\n  name: nginx\n",
    );
}

#[test]
fn set_scalars_in_place_and_new() {
    check(
        "set_scalars",
        "namePrefix: old-   # team prefix\nresources:\n- deployment.yaml\n- service.yaml\n",
        &[
            &["edit", "set", "nameprefix", "--", "acme-"],
            &["edit", "set", "namesuffix", "--", "-v2"],
            &["edit", "set", "namespace", "--", "staging"],
        ],
        "namePrefix: acme-\nnameSuffix: -v2\nnamespace: staging\nresources:\n- deployment.yaml\n- service.yaml\n",
    );
}

#[test]
fn set_replicas_labels_annotations() {
    check(
        "set_replicas_labels",
        "resources:\n- deployment.yaml\n- k8s/worker.yaml\nreplicas:\n- name: web\n  count: 2 # two for now\ncommonLabels: {app: web, tier: front}\ncommonAnnotations:\n  owner: team-a\n",
        &[
            &["edit", "set", "replicas", "worker=3", "web=5"],
            &["edit", "set", "label", "tier:back", "env:prod"],
            &[
                "edit",
                "set",
                "annotation",
                "owner:team-b",
                "note:hello world",
            ],
        ],
        "resources:\n- deployment.yaml\n- k8s/worker.yaml\nreplicas:\n- count: 5\n  name: web\n- count: 3\n  name: worker\ncommonLabels:\n  app: web\n  env: prod\n  tier: back\ncommonAnnotations:\n  note: hello world\n  owner: team-b\n",
    );
}

#[test]
fn add_resources_with_globs_and_bases() {
    let stderr = check(
        "add_resources",
        "bases:\n- base\nresources:\n    - deployment.yaml   # odd indentation\n",
        &[
            &["edit", "add", "resource", "k8s/*.yaml", "deployment.yaml"],
            &["edit", "add", "component", "components/*"],
        ],
        "resources:\n- deployment.yaml\n- base\n- k8s/config.yaml\n- k8s/worker.yaml\ncomponents:\n- components/extra\n",
    );
    assert!(stderr.contains("resource deployment.yaml already in kustomization file"));
}

#[test]
fn add_base_and_remove_resources() {
    check(
        "add_base_remove",
        "resources:\n- deployment.yaml\n# the service is optional\n- service.yaml\n- k8s/worker.yaml\n",
        &[
            &["edit", "add", "base", "base"],
            &["edit", "remove", "resource", "k8s/*", "service.yaml"],
        ],
        "resources:\n- deployment.yaml\n- base\n",
    );
}

#[test]
fn add_and_remove_patches() {
    check(
        "patches",
        "resources:\n- deployment.yaml\npatches:\n  - path: patch-json.yaml\n    target: {kind: Deployment, name: web}\n",
        &[
            &[
                "edit",
                "add",
                "patch",
                "--path",
                "patch-replicas.yaml",
                "--kind",
                "Deployment",
                "--group",
                "apps",
                "--version",
                "v1",
            ],
            &[
                "edit",
                "add",
                "patch",
                "--patch",
                "- op: replace\n  path: /spec/replicas\n  value: 7",
                "--kind",
                "Deployment",
            ],
            &[
                "edit",
                "remove",
                "patch",
                "--path",
                "patch-json.yaml",
                "--kind",
                "Deployment",
                "--name",
                "web",
            ],
        ],
        "resources:\n- deployment.yaml\npatches:\n- path: patch-replicas.yaml\n  target:\n    group: apps\n    kind: Deployment\n    version: v1\n- patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 7\n  target:\n    kind: Deployment\n",
    );
}

#[test]
fn add_configmaps_and_secrets() {
    check(
        "generators",
        "resources:\n- deployment.yaml\nconfigMapGenerator:\n- name: app # main settings\n  literals:\n  - MODE=dev\n",
        &[
            &[
                "edit",
                "add",
                "configmap",
                "app",
                "--from-literal=LEVEL=3",
                "--behavior=create",
            ],
            &[
                "edit",
                "add",
                "configmap",
                "props",
                "--from-file=settings.properties",
                "--disableNameSuffixHash",
            ],
            &[
                "edit",
                "add",
                "secret",
                "creds",
                "--from-env-file=app.env",
                "--namespace=ops",
            ],
            &[
                "edit",
                "set",
                "configmap",
                "app",
                "--from-literal=MODE=prod",
            ],
        ],
        "resources:\n- deployment.yaml\nconfigMapGenerator:\n- behavior: create\n  literals:\n  - MODE=prod\n  - LEVEL=3\n  name: app\n- files:\n  - settings.properties\n  name: props\n  options:\n    disableNameSuffixHash: true\nsecretGenerator:\n- envs:\n  - app.env\n  name: creds\n  namespace: ops\n  type: Opaque\n",
    );
}

#[test]
fn remove_generators_and_metadata() {
    check(
        "remove_generators",
        "resources:\n- deployment.yaml\ncommonLabels:\n  app: web   # selector label\n  team: a\ncommonAnnotations: {note: x, keep: y}\nconfigMapGenerator:\n- name: a\n  literals: [A=1]\n- name: b\n  literals: [B=1]\nsecretGenerator:\n- name: s\n  literals: [S=1]\n",
        &[
            &["edit", "remove", "configmap", "a"],
            &["edit", "remove", "secret", "s"],
            &["edit", "remove", "label", "team"],
            &["edit", "remove", "annotation", "note,keep"],
        ],
        "resources:\n- deployment.yaml\ncommonLabels:\n  app: web\nconfigMapGenerator:\n- name: b\n  literals: [B=1]\n",
    );
}

#[test]
fn add_labels_and_annotations() {
    check(
        "labels",
        "resources:\n- deployment.yaml\n- service.yaml\ncommonLabels:\n  app: web\n",
        &[
            &["edit", "add", "label", "env:prod", "app:shop", "--force"],
            &[
                "edit",
                "add",
                "label",
                "--without-selector",
                "--include-templates",
                "version:v2",
            ],
            &["edit", "add", "annotation", "owner:team-a"],
        ],
        "resources:\n- deployment.yaml\n- service.yaml\ncommonLabels:\n  app: shop\n  env: prod\nlabels:\n- includeTemplates: true\n  pairs:\n    version: v2\ncommonAnnotations:\n  owner: team-a\n",
    );
}

#[test]
fn plugins_and_build_metadata() {
    check(
        "plugins_buildmetadata",
        "resources:\n- deployment.yaml\nbuildMetadata: [originAnnotations]\n",
        &[
            &["edit", "add", "transformer", "transformer.yaml"],
            &["edit", "add", "generator", "generator.yaml"],
            &["edit", "add", "buildmetadata", "managedByLabel"],
            &["edit", "remove", "buildmetadata", "originAnnotations"],
        ],
        "resources:\n- deployment.yaml\nbuildMetadata:\n- managedByLabel\ntransformers:\n- transformer.yaml\ngenerators:\n- generator.yaml\n",
    );
    check(
        "remove_transformer",
        "resources:\n- deployment.yaml\ntransformers:\n- transformer.yaml\nbuildMetadata: [originAnnotations]\n",
        &[
            &["edit", "remove", "transformer", "*.yaml"],
            &[
                "edit",
                "set",
                "buildmetadata",
                "managedByLabel,transformerAnnotations",
            ],
        ],
        "resources:\n- deployment.yaml\nbuildMetadata:\n- managedByLabel\n- transformerAnnotations\n",
    );
}

#[test]
fn fix_rewrites_deprecated_fields() {
    let d = setup(
        "# legacy file\nbases:\n- base\ncommonLabels:\n  app: web\npatchesStrategicMerge:\n- patch-replicas.yaml\npatchesJson6902:\n- path: patch-json.yaml\n  target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: web\nresources:\n- deployment.yaml\n",
    );
    let out = aiw(d.path(), &["edit", "fix"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("patchesJson6902 -> patches") && report.contains("commonLabels -> labels")
    );
    let edited = std::fs::read_to_string(d.path().join("kustomization.yaml")).unwrap();
    insta::assert_snapshot!("fix", edited);
    if kubectl_available() {
        let e = setup(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\n- base\nlabels:\n- pairs:\n    app: web\n  includeSelectors: true\npatches:\n- path: patch-json.yaml\n  target:\n    group: apps\n    kind: Deployment\n    name: web\n    version: v1\n- path: patch-replicas.yaml\n",
        );
        assert_eq!(kubectl(d.path()).stdout, kubectl(e.path()).stdout);
    }
}

#[test]
fn create_with_flags_and_autodetect() {
    let d = tempfile::tempdir().unwrap();
    write_fixture(d.path());
    std::fs::write(d.path().join("notes.txt"), "not a resource\n").unwrap();
    let out = aiw(
        d.path(),
        &[
            "create",
            "--autodetect",
            "--recursive",
            "--namespace",
            "shop",
            "--labels",
            "app:web,tier:front",
            "--nameprefix",
            "acme-",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(d.path().join("kustomization.yaml")).unwrap();
    insta::assert_snapshot!("create", text);
    // A second create is refused.
    let again = aiw(d.path(), &["create"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn anchors_fall_back_to_a_whole_file_rewrite() {
    let stderr = check(
        "anchors",
        "resources:\n- deployment.yaml\ncommonLabels: &l {app: web}\ncommonAnnotations: *l\n",
        &[&["edit", "set", "namespace", "shop"]],
        "resources:\n- deployment.yaml\ncommonLabels:\n  app: web\ncommonAnnotations:\n  app: web\nnamespace: shop\n",
    );
    assert!(stderr.contains("cannot be edited in place"));
}

/// Errors: exit code 2, one line naming the file or the argument, nothing
/// on stdout, the file untouched.
#[test]
fn errors_name_the_problem_and_leave_the_file() {
    let original = "resources:\n- deployment.yaml\ncommonLabels:\n  app: web\n";
    let d = setup(original);
    for (args, needle) in [
        (
            vec!["edit", "add", "resource", "missing.yaml"],
            "missing.yaml",
        ),
        (
            vec!["edit", "set", "image", "nginx"],
            "invalid format of image",
        ),
        (
            vec!["edit", "set", "namespace", "Bad_NS"],
            "not a valid namespace name",
        ),
        (
            vec!["edit", "add", "label", "app:other"],
            "kustomization.yaml: label app already in kustomization file",
        ),
        (
            vec!["edit", "remove", "annotation", "x"],
            "commonAnnotations is not defined",
        ),
        (
            vec!["edit", "add", "configmap", "c", "--from-file=nope.txt"],
            "at least from-env-file",
        ),
        (
            vec!["edit", "add", "secret", "s", "--from-literal=bad"],
            "failed to create secret",
        ),
        (
            vec!["edit", "set", "replicas", "web=x"],
            "invalid format of replica",
        ),
    ] {
        let out = aiw(d.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{:?}: {}", args, err);
        assert!(out.stdout.is_empty());
        assert!(err.contains(needle), "{:?}: {}", args, err);
        assert_eq!(
            std::fs::read_to_string(d.path().join("kustomization.yaml")).unwrap(),
            original
        );
    }
    let empty = tempfile::tempdir().unwrap();
    let out = aiw(empty.path(), &["edit", "set", "namespace", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing kustomization file"));
}
