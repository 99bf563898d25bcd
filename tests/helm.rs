//! Helm chart inflation, every case checked byte for byte against
//! `kubectl kustomize --enable-helm --helm-command HELM`, run here.
//!
//! Charts come from `helm create` and from charts written below (CRDs in
//! `crds/`, hooks, a test hook, `values.schema.json`, values files). All
//! charts are local; the pull path is exercised with a wrapper around helm
//! that logs every argv and environment and answers `helm pull` by copying
//! a chart, so the helm command lines of aiw and kubectl are compared too.
//!
//! These tests need helm v3 and kubectl. helm is found through `AIW_HELM`,
//! else at `target/helm-v3.17.2/helm` (`scripts/install-helm.sh` installs it
//! there and prints `AIW_HELM=…`). Without them each test prints a loud
//! SKIPPED banner and passes, unless `AIW_REQUIRE_HELM` is set (CI sets it),
//! in which case they fail.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{check_error_output, kubectl_available, repo_root, unified_diff};

/// The helm binary, or `None` (after a loud note) when the tests must be
/// skipped. Panics when helm is missing and `AIW_REQUIRE_HELM` is set.
fn helm() -> Option<PathBuf> {
    let from_env = std::env::var_os("AIW_HELM").map(PathBuf::from);
    let installed = repo_root().join("target/helm-v3.17.2/helm");
    let found = from_env
        .filter(|p| p.is_file())
        .or_else(|| installed.is_file().then_some(installed));
    let required = std::env::var_os("AIW_REQUIRE_HELM").is_some_and(|v| !v.is_empty());
    let kubectl = kubectl_available();
    match found {
        Some(h) if kubectl => Some(h),
        _ => {
            let why = if kubectl {
                "helm not found (set AIW_HELM or run scripts/install-helm.sh)"
            } else {
                "kubectl not on PATH"
            };
            if required {
                panic!("AIW_REQUIRE_HELM is set but {why}");
            }
            eprintln!("\n=========================================================");
            eprintln!("SKIPPED: Helm test not run: {why}.");
            eprintln!("=========================================================\n");
            None
        }
    }
}

/// Writes `files` (path, content) under `root`.
fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let p = root.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
}

/// Runs `kubectl kustomize` (with `kubectl` true) or `aiw build` on `dir`
/// with `--enable-helm --helm-command helm` and `flags`, in `cwd`.
fn run(kubectl: bool, helm: &Path, dir: &Path, flags: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = if kubectl {
        let mut c = Command::new("kubectl");
        c.arg("kustomize");
        c
    } else {
        let mut c = Command::new(env!("CARGO_BIN_EXE_aiw"));
        c.arg("build");
        c
    };
    cmd.arg(dir).args(flags);
    if !flags.iter().any(|f| f.starts_with("--enable-helm")) {
        cmd.arg("--enable-helm");
    }
    if !flags.iter().any(|f| f.starts_with("--helm-command")) {
        cmd.arg("--helm-command").arg(helm);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs")
}

/// Builds `dir` with both tools; both must succeed with the same bytes.
/// Returns the output.
fn same(helm: &Path, dir: &Path, flags: &[&str]) -> String {
    same_env(helm, dir, flags, &[])
}

fn same_env(helm: &Path, dir: &Path, flags: &[&str], env: &[(&str, &str)]) -> String {
    let k = run(true, helm, dir, flags, env);
    let a = run(false, helm, dir, flags, env);
    assert!(
        k.status.success(),
        "kubectl kustomize failed on {}: {}",
        dir.display(),
        String::from_utf8_lossy(&k.stderr)
    );
    assert!(
        a.status.success(),
        "aiw build failed on {}: {}",
        dir.display(),
        String::from_utf8_lossy(&a.stderr)
    );
    assert!(
        k.stdout == a.stdout,
        "{}: output differs\n{}",
        dir.display(),
        unified_diff(&k.stdout, &a.stdout, "kubectl kustomize", "aiw build")
    );
    assert!(!a.stdout.is_empty(), "{}: empty output", dir.display());
    String::from_utf8(a.stdout).unwrap()
}

/// Builds `dir` with both tools; both must fail, aiw with one line on
/// stderr naming every string of `names` (and exit 2, nothing on stdout).
/// Returns aiw's stderr.
fn both_fail(helm: &Path, dir: &Path, flags: &[&str], names: &[&str]) -> String {
    let k = run(true, helm, dir, flags, &[]);
    let a = run(false, helm, dir, flags, &[]);
    assert!(
        !k.status.success(),
        "{}: kubectl kustomize succeeds:\n{}",
        dir.display(),
        String::from_utf8_lossy(&k.stdout)
    );
    let stderr = String::from_utf8_lossy(&a.stderr).into_owned();
    for n in names {
        let problems = check_error_output(&a, n);
        assert!(problems.is_empty(), "{}: {problems:?}", dir.display());
    }
    stderr
}

/// A hand-written chart `full`: a CRD in `crds/`, a ConfigMap showing the
/// values, release and capabilities helm saw, a custom resource, a hook, a
/// test hook, an optional template that renders to nothing, and a values
/// schema.
fn full_chart(root: &Path, home: &str, name: &str) {
    let c = |p: &str| format!("{home}/{name}/{p}");
    write(
        root,
        &[
            (
                &c("Chart.yaml"),
                &format!("apiVersion: v2\nname: {name}\nversion: 1.2.3\nappVersion: \"4.5\"\n"),
            ),
            (
                &c("values.yaml"),
                "# chart defaults\nreplicas: 1\nimage:\n  repository: nginx\n  tag: \"1.25\"\n\
                 flags:\n  on: yes\n  plain: y\nports: [80, 443]\nlist:\n- name: a\n  v: 1\n\
                 - name: b\n  v: 2\nremoveme: here\nwhen: 2001-12-14\nextra: false\n",
            ),
            (
                &c("values.schema.json"),
                r#"{"$schema": "https://json-schema.org/draft-07/schema#", "type": "object",
                   "properties": {"replicas": {"type": "integer", "minimum": 1}}}"#,
            ),
            (
                &c("crds/widget-crd.yaml"),
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  \
                 name: widgets.example.com\nspec:\n  group: example.com\n  names:\n    kind: Widget\n    \
                 plural: widgets\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    \
                 storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        \
                 x-kubernetes-preserve-unknown-fields: true\n",
            ),
            (
                &c("templates/values.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-values\n  \
                 namespace: {{ .Release.Namespace }}\n  labels:\n    chart: {{ .Chart.Name }}-{{ .Chart.Version }}\n\
                 data:\n  values: {{ toJson .Values | quote }}\n  \
                 kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  \
                 widgets: {{ .Capabilities.APIVersions.Has \"example.com/v1\" | quote }}\n  \
                 gadgets: {{ .Capabilities.APIVersions.Has \"gadgets.example.com/v2\" | quote }}\n",
            ),
            (
                &c("templates/deployment.yaml"),
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\n\
                 spec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels:\n      \
                 app: {{ .Release.Name }}\n  template:\n    metadata:\n      labels:\n        \
                 app: {{ .Release.Name }}\n    spec:\n      containers:\n      - name: web\n        \
                 image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n        \
                 envFrom:\n        - configMapRef:\n            name: {{ .Release.Name }}-values\n",
            ),
            (
                &c("templates/widget.yaml"),
                "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: {{ .Release.Name }}-widget\n\
                 spec:\n  size: {{ len .Values.ports }}\n",
            ),
            (
                &c("templates/extra.yaml"),
                "{{- if .Values.extra }}\napiVersion: v1\nkind: Service\nmetadata:\n  \
                 name: {{ .Release.Name }}-extra\nspec:\n  ports:\n  - port: 80\n{{- end }}\n",
            ),
            (
                &c("templates/hook.yaml"),
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-migrate\n  \
                 annotations:\n    \"helm.sh/hook\": pre-install,pre-upgrade\n    \
                 \"helm.sh/hook-weight\": \"-5\"\nspec:\n  template:\n    spec:\n      \
                 restartPolicy: Never\n      containers:\n      - name: migrate\n        image: busybox\n",
            ),
            (
                &c("templates/tests/test-connection.yaml"),
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-test\n  \
                 annotations:\n    \"helm.sh/hook\": test\nspec:\n  restartPolicy: Never\n  \
                 containers:\n  - name: wget\n    image: busybox\n    \
                 args: [\"wget\", \"{{ .Release.Name }}-web:80\"]\n",
            ),
            (
                &c("templates/NOTES.txt"),
                "Thanks for installing {{ .Chart.Name }}.\n",
            ),
            (
                &c("templates/list.yaml"),
                "# a comment-only document, then a List helm renders as one\n---\n# nothing\n---\n\
                 apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    \
                 name: {{ .Release.Name }}-l1\n  data:\n    port: \"8080\"\n- apiVersion: v1\n  kind: ConfigMap\n  \
                 metadata:\n    name: {{ .Release.Name }}-local\n    annotations:\n      \
                 config.kubernetes.io/local-config: \"true\"\n",
            ),
        ],
    );
}

/// A kustomization directory with the `full` chart under `charts/`.
fn full_tree(kustomization: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    full_chart(dir.path(), "charts", "full");
    write(dir.path(), &[("kustomization.yaml", kustomization)]);
    dir
}

/// `helm create NAME` in `dir/charts`.
fn helm_create(helm: &Path, dir: &Path, name: &str) {
    fs::create_dir_all(dir.join("charts")).unwrap();
    let out = Command::new(helm)
        .arg("create")
        .arg(name)
        .current_dir(dir.join("charts"))
        .env("HELM_CONFIG_HOME", dir.join(".helm"))
        .env("HELM_CACHE_HOME", dir.join(".helm/cache"))
        .env("HELM_DATA_HOME", dir.join(".helm/data"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn helm_create_chart_with_overlay_transformers() {
    let Some(helm) = helm() else { return };
    let dir = tempfile::tempdir().unwrap();
    helm_create(&helm, dir.path(), "web");
    write(
        dir.path(),
        &[(
            "kustomization.yaml",
            "namespace: shop\nnamePrefix: prod-\ncommonLabels:\n  team: shop\nimages:\n- name: nginx\n  newTag: 1.27.0\n\
             helmCharts:\n- name: web\n  releaseName: storefront\n",
        )],
    );
    let out = same(&helm, dir.path(), &[]);
    assert!(out.contains("name: prod-storefront-web\n"));
    assert!(out.contains("image: nginx:1.27.0\n"));
    // helm create's test hook is part of `helm template`'s output.
    assert!(out.contains("helm.sh/hook: test"));
}

#[test]
fn release_name_defaults_and_the_generate_name_flag() {
    let Some(helm) = helm() else { return };
    let dir = tempfile::tempdir().unwrap();
    helm_create(&helm, dir.path(), "web");
    write(
        dir.path(),
        &[("kustomization.yaml", "helmCharts:\n- name: web\n")],
    );
    let out = same(&helm, dir.path(), &[]);
    assert!(out.contains("name: release-name-web\n"));
}

#[test]
fn hooks_tests_crds_and_their_switches() {
    let Some(helm) = helm() else { return };
    // (fields, hook rendered, test hook rendered, CRD rendered)
    let cases = [
        ("", true, true, false),
        ("  includeCRDs: true\n", true, true, true),
        ("  skipHooks: true\n", false, false, false),
        ("  skipTests: true\n", true, false, false),
        (
            "  includeCRDs: true\n  skipTests: true\n  skipHooks: false\n",
            true,
            false,
            true,
        ),
    ];
    for (fields, hook, test, crd) in cases {
        let dir = full_tree(&format!(
            "helmCharts:\n- name: full\n  releaseName: shop\n{fields}"
        ));
        let out = same(&helm, dir.path(), &[]);
        assert_eq!(out.contains("name: shop-migrate\n"), hook, "{fields}");
        assert_eq!(out.contains("name: shop-test\n"), test, "{fields}");
        assert_eq!(
            out.contains("kind: CustomResourceDefinition\n"),
            crd,
            "{fields}"
        );
        assert!(out.contains("kind: Widget\n"));
        // The List is expanded; the local config is dropped.
        assert!(out.contains("name: shop-l1\n") && !out.contains("shop-local"));
        assert!(!out.contains("shop-extra"));
    }
}

#[test]
fn values_inline_with_each_merge_mode() {
    let Some(helm) = helm() else { return };
    // YAML 1.1 scalars (`y`, `no`, `on`, `n` as a key), nulls, lists,
    // numbers and a timestamp: each mode treats them as kustomize does.
    let inline = "  valuesInline:\n    replicas: 3\n    image:\n      tag: \"1.27\"\n    \
                  flags:\n      plain: n\n      new: no\n    ports: [8080]\n    list:\n    \
                  - name: y\n      v: 3\n    removeme: null\n    added: null\n    n: on\n    \
                  big: 12345678901234567890\n    oct: 0o17\n    date: 2001-12-14\n    \
                  float: 1.50\n    quoted: \"yes\"\n    extra: true\n    \
                  flowmap: {a: , b: n}\n";
    let mut outs = Vec::new();
    for mode in [
        "",
        "  valuesMerge: override\n",
        "  valuesMerge: merge\n",
        "  valuesMerge: replace\n",
    ] {
        let dir = full_tree(&format!(
            "helmCharts:\n- name: full\n  releaseName: v\n{mode}{inline}"
        ));
        outs.push(same(&helm, dir.path(), &[]));
    }
    assert_eq!(outs[0], outs[1], "override is the default");
    assert_ne!(outs[1], outs[2]);
    assert_ne!(outs[1], outs[3]);
    // An empty valuesInline is no valuesInline: the values file is used as it is.
    let dir = full_tree("helmCharts:\n- name: full\n  releaseName: v\n  valuesInline: {}\n");
    same(&helm, dir.path(), &[]);
}

#[test]
fn values_file_and_additional_values_files() {
    let Some(helm) = helm() else { return };
    let dir = full_tree(
        "helmCharts:\n- name: full\n  releaseName: vf\n  valuesFile: values/base.yaml\n  \
         additionalValuesFiles:\n  - values/more.yaml\n  - values/last.yaml\n",
    );
    write(
        dir.path(),
        &[
            (
                "values/base.yaml",
                "replicas: 2\nports: [1]\nimage:\n  tag: base\n",
            ),
            ("values/more.yaml", "replicas: 4\nextra: true\n"),
            ("values/last.yaml", "image:\n  repository: httpd\n"),
        ],
    );
    let out = same(&helm, dir.path(), &[]);
    assert!(out.contains("replicas: 4\n"));
    assert!(out.contains("image: httpd:base\n"));
    assert!(out.contains("name: vf-extra\n"));
    // valuesInline merges over the chosen values file, not the chart's.
    let dir = full_tree(
        "helmCharts:\n- name: full\n  releaseName: vf\n  valuesFile: values/base.yaml\n  \
         valuesInline:\n    replicas: 5\n",
    );
    write(
        dir.path(),
        &[("values/base.yaml", "ports: [1, 2, 3]\nimage:\n  tag: t\n")],
    );
    let out = same(&helm, dir.path(), &[]);
    assert!(out.contains("replicas: 5\n") && out.contains("image: nginx:t\n"));
}

#[test]
fn api_versions_and_kube_version_from_chart_and_flags() {
    let Some(helm) = helm() else { return };
    let flags: &[&str] = &[
        "--helm-kube-version",
        "1.29.3",
        "--helm-api-versions",
        "example.com/v1",
        "--helm-api-versions",
        "gadgets.example.com/v2",
    ];
    // Flags only.
    let dir = full_tree("helmCharts:\n- name: full\n  releaseName: caps\n");
    let out = same(&helm, dir.path(), flags);
    assert!(out.contains("kube: v1.29.3\n") && out.contains("gadgets: \"true\"\n"));
    // The chart's fields win over the flags.
    let dir = full_tree(
        "helmCharts:\n- name: full\n  releaseName: caps\n  kubeVersion: \"1.27.0\"\n  \
         apiVersions:\n  - example.com/v1\n",
    );
    let out = same(&helm, dir.path(), flags);
    assert!(out.contains("kube: v1.27.0\n") && out.contains("gadgets: \"false\"\n"));
    assert!(out.contains("widgets: \"true\"\n"));
    // --helm-debug changes nothing in a successful build.
    same(&helm, dir.path(), &["--helm-debug"]);
}

#[test]
fn namespace_name_template_and_release_name() {
    let Some(helm) = helm() else { return };
    for fields in [
        "  releaseName: r1\n  namespace: billing\n",
        "  nameTemplate: \"{{ printf \\\"%s-tpl\\\" \\\"nt\\\" }}\"\n",
        "  nameTemplate: fixed\n  namespace: ops\n",
    ] {
        let dir = full_tree(&format!("helmCharts:\n- name: full\n{fields}"));
        same(&helm, dir.path(), &[]);
    }
    // Two releases of one chart, and a chart from helm create, in one build.
    let dir = full_tree(
        "helmCharts:\n- name: full\n  releaseName: one\n- name: full\n  releaseName: two\n  \
         namespace: other\n  valuesInline:\n    extra: true\n",
    );
    let out = same(&helm, dir.path(), &[]);
    assert!(out.contains("name: one-web\n") && out.contains("name: two-extra\n"));
}

#[test]
fn plugin_config_form_in_generators() {
    let Some(helm) = helm() else { return };
    // A file, and inline: fields side by side with the globals, unknown
    // fields ignored; valuesInline read with the resource rules (the
    // timestamp and `y` differ from the helmCharts form).
    let dir = full_tree(
        "generators:\n- helm.yaml\n- |-\n  apiVersion: builtin\n  kind: HelmChartInflationGenerator\n  metadata:\n    name: inline\n  name: full\n  releaseName: inl\n  ignoredField: 1\n",
    );
    write(
        dir.path(),
        &[(
            "helm.yaml",
            "apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata:\n  name: from-file\n\
             chartHome: charts\nname: full\nreleaseName: gen\nnamespace: gen-ns\nincludeCRDs: true\n\
             skipTests: true\nvaluesMerge: override\nvaluesInline:\n  replicas: 2\n  \
             flags:\n    plain: y\n  date: 2001-12-14\n",
        )],
    );
    let out = same(&helm, dir.path(), &[]);
    assert!(out.contains("name: gen-web\n") && out.contains("name: inl-web\n"));
    // The same chart through a kustomization directory of plugin configs.
    write(
        dir.path(),
        &[
            ("kustomization.yaml", "generators:\n- gens\n"),
            ("gens/kustomization.yaml", "resources:\n- ../helm.yaml\n"),
        ],
    );
    same(
        &helm,
        dir.path(),
        &["--load-restrictor", "LoadRestrictionsNone"],
    );
}

#[test]
fn helm_globals_chart_home_and_config_home() {
    let Some(helm) = helm() else { return };
    let dir = tempfile::tempdir().unwrap();
    full_chart(dir.path(), "vendor/helm", "full");
    write(
        dir.path(),
        &[(
            "kustomization.yaml",
            "helmGlobals:\n  chartHome: vendor/helm\n  configHome: helm-config\n\
             helmCharts:\n- name: full\n  releaseName: g\n",
        )],
    );
    let log = dir.path().join("argv.log");
    let wrapper = wrapper(&helm, dir.path(), None);
    let env = [("HELM_WRAPPER_LOG", log.to_str().unwrap())];
    let flags = ["--helm-command", wrapper.to_str().unwrap()];
    same_argv(dir.path(), &flags, &env, &log);
    // An absolute chartHome outside the root: its values.yaml is read by
    // kustomize through the load restrictor.
    let outside = tempfile::tempdir().unwrap();
    full_chart(outside.path(), "charts", "full");
    let home = outside.path().join("charts");
    write(
        dir.path(),
        &[(
            "kustomization.yaml",
            &format!(
                "helmGlobals:\n  chartHome: {}\nhelmCharts:\n- name: full\n  releaseName: abs\n",
                home.display()
            ),
        )],
    );
    same(
        &helm,
        dir.path(),
        &["--load-restrictor", "LoadRestrictionsNone"],
    );
    both_fail(
        &helm,
        dir.path(),
        &[],
        &["kustomization.yaml", "helmCharts[0] (full)"],
    );
}

#[test]
fn deprecated_helm_chart_inflation_generator_field() {
    let Some(helm) = helm() else { return };
    let dir = tempfile::tempdir().unwrap();
    full_chart(dir.path(), "old-home", "full");
    write(
        dir.path(),
        &[(
            "kustomization.yaml",
            "helmChartInflationGenerator:\n- chartName: full\n  chartHome: old-home\n  \
             releaseName: legacy\n  releaseNamespace: ignored\n  valuesLocal:\n    replicas: 7\n",
        )],
    );
    let out = same(&helm, dir.path(), &[]);
    assert!(out.contains("replicas: 7\n"));
}

#[test]
fn base_with_a_chart_in_two_overlays() {
    let Some(helm) = helm() else { return };
    let dir = tempfile::tempdir().unwrap();
    full_chart(dir.path(), "base/charts", "full");
    write(
        dir.path(),
        &[
            (
                "base/kustomization.yaml",
                "helmCharts:\n- name: full\n  releaseName: app\n",
            ),
            (
                "dev/kustomization.yaml",
                "namespace: dev\nnamePrefix: dev-\nresources:\n- ../base\n",
            ),
            (
                "prod/kustomization.yaml",
                "namespace: prod\nnamePrefix: prod-\nresources:\n- ../base\n",
            ),
            (
                "both/kustomization.yaml",
                "resources:\n- ../dev\n- ../prod\n",
            ),
        ],
    );
    let out = same(&helm, &dir.path().join("both"), &[]);
    // Name references follow the prefixes into the chart's resources.
    assert!(out.contains("name: dev-app-values\n") && out.contains("name: prod-app-values\n"));
}

#[test]
fn build_metadata_origins_of_chart_resources() {
    let Some(helm) = helm() else { return };
    let dir = full_tree(
        "buildMetadata: [originAnnotations, transformerAnnotations]\nnamespace: x\n\
         helmCharts:\n- name: full\n  releaseName: o\n",
    );
    same(&helm, dir.path(), &[]);
}

#[test]
fn values_inline_without_a_values_file() {
    let Some(helm) = helm() else { return };
    let dir = full_tree(
        "helmCharts:\n- name: bare\n  releaseName: b\n  valuesMerge: replace\n  valuesInline:\n    replicas: 2\n    ports: [1]\n    image: {repository: r, tag: t}\n",
    );
    full_chart(dir.path(), "charts", "bare");
    fs::remove_file(dir.path().join("charts/bare/values.yaml")).unwrap();
    same(&helm, dir.path(), &[]);
    // Without replace the missing values.yaml is an error.
    write(
        dir.path(),
        &[(
            "kustomization.yaml",
            "helmCharts:\n- name: bare\n  valuesInline:\n    replicas: 2\n",
        )],
    );
    let err = both_fail(
        &helm,
        dir.path(),
        &[],
        &["kustomization.yaml", "helmCharts[0] (bare)"],
    );
    assert!(err.contains("values.yaml"), "{err}");
}

/// A shell script standing for helm: logs each argv and the HELM_*
/// environment to `$HELM_WRAPPER_LOG`, answers `pull` by copying
/// `pull_from` into the `--untardir`, and runs the real helm otherwise.
fn wrapper(helm: &Path, dir: &Path, pull_from: Option<&Path>) -> PathBuf {
    let path = dir.join("helm-wrapper.sh");
    let pull = match pull_from {
        Some(src) => format!(
            "if [ \"$1\" = pull ]; then mkdir -p \"$4\" && cp -R '{}' \"$4/\"; exit $?; fi\n",
            src.display()
        ),
        None => String::new(),
    };
    let script = format!(
        "#!/bin/sh\n{{ printf 'ARGV'; printf ' [%s]' \"$@\"; printf '\\n'; \
         echo \"CONFIG=$HELM_CONFIG_HOME CACHE=$HELM_CACHE_HOME DATA=$HELM_DATA_HOME\"; }} >> \"$HELM_WRAPPER_LOG\"\n\
         {pull}exec '{}' \"$@\"\n",
        helm.display()
    );
    fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

/// Replaces the two tools' temporary directory names by `<tmp>`.
fn normalise_tmp(log: &str) -> String {
    let re = regex::Regex::new(r"[^\s\[\]=]*/(kustomize|aiw)-helm-[A-Za-z0-9]+").unwrap();
    re.replace_all(log, "<tmp>").into_owned()
}

/// Builds `dir` with both tools through the logging wrapper: same output
/// and the same helm command lines and environments. Returns the log.
fn same_argv(dir: &Path, flags: &[&str], env: &[(&str, &str)], log: &Path) -> String {
    let helm = PathBuf::from("unused");
    let mut logs = Vec::new();
    let mut outs = Vec::new();
    for kubectl in [true, false] {
        let _ = fs::remove_file(log);
        let out = run(kubectl, &helm, dir, flags, env);
        assert!(
            out.status.success(),
            "kubectl={kubectl}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        outs.push(out.stdout);
        logs.push(normalise_tmp(&fs::read_to_string(log).unwrap_or_default()));
    }
    assert!(
        outs[0] == outs[1],
        "{}",
        unified_diff(&outs[0], &outs[1], "kubectl kustomize", "aiw build")
    );
    // aiw asks for helm's version once per process, kustomize once per
    // chart: compare the logs without repeated version checks.
    let dedup = |log: &str| {
        let mut seen_version = false;
        let mut out = Vec::new();
        let lines: Vec<&str> = log.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let is_version = lines[i].starts_with("ARGV [version]");
            if !(is_version && seen_version) {
                out.push(lines[i]);
                if i + 1 < lines.len() {
                    out.push(lines[i + 1]);
                }
            }
            seen_version |= is_version;
            i += 2;
        }
        out.join("\n")
    };
    assert_eq!(
        dedup(&logs[0]),
        dedup(&logs[1]),
        "helm command lines differ"
    );
    logs.remove(1)
}

#[test]
fn helm_command_lines_match_kubectl() {
    let Some(helm) = helm() else { return };
    let dir = full_tree(
        "helmCharts:\n- name: full\n  releaseName: argv\n  namespace: ns\n  \
         valuesFile: v.yaml\n  additionalValuesFiles: [a.yaml, sub/b.yaml]\n  \
         valuesInline: {replicas: 9}\n  valuesMerge: merge\n  includeCRDs: true\n  skipHooks: true\n  \
         skipTests: true\n  apiVersions: [x/v1, y/v2]\n  kubeVersion: 1.30.1\n  debug: true\n\
         - name: full\n  nameTemplate: tpl\n",
    );
    write(
        dir.path(),
        &[
            (
                "v.yaml",
                "replicas: 1\nports: [1]\nimage: {repository: r, tag: t}\n",
            ),
            ("a.yaml", "extra: true\n"),
            ("sub/b.yaml", "replicas: 2\n"),
        ],
    );
    let log = dir.path().join("argv.log");
    let w = wrapper(&helm, dir.path(), None);
    let env = [("HELM_WRAPPER_LOG", log.to_str().unwrap())];
    let out = same_argv(
        dir.path(),
        &[
            "--helm-command",
            w.to_str().unwrap(),
            "--helm-kube-version",
            "1.28.0",
        ],
        &env,
        &log,
    );
    assert!(out.contains("[--kube-version] [1.30.1]"), "{out}");
    assert!(out.contains("[--kube-version] [1.28.0]"), "{out}");
}

#[test]
fn repo_chart_already_in_chart_home_is_not_pulled() {
    let Some(helm) = helm() else { return };
    let dir = tempfile::tempdir().unwrap();
    full_chart(dir.path(), "charts/full-1.2.3", "full");
    write(
        dir.path(),
        &[(
            "kustomization.yaml",
            "helmCharts:\n- name: full\n  version: 1.2.3\n  repo: https://charts.invalid/stable\n  releaseName: pinned\n",
        )],
    );
    let log = dir.path().join("argv.log");
    let w = wrapper(&helm, dir.path(), None);
    let env = [("HELM_WRAPPER_LOG", log.to_str().unwrap())];
    let out = same_argv(
        dir.path(),
        &["--helm-command", w.to_str().unwrap()],
        &env,
        &log,
    );
    assert!(!out.contains("[pull]"), "{out}");
    assert!(out.contains("/charts/full-1.2.3/full]"), "{out}");
}

#[test]
fn missing_repo_chart_is_pulled_into_its_version_directory() {
    let Some(helm) = helm() else { return };
    let src = tempfile::tempdir().unwrap();
    full_chart(src.path(), "cache", "full");
    for (repo, version) in [
        ("https://charts.invalid/stable", "1.2.3"),
        ("oci://registry.invalid/charts/", "1.2.3"),
        ("https://charts.invalid/stable", ""),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let version_field = if version.is_empty() {
            String::new()
        } else {
            format!("  version: {version}\n")
        };
        write(
            dir.path(),
            &[(
                "kustomization.yaml",
                &format!(
                    "helmCharts:\n- name: full\n{version_field}  repo: {repo}\n  releaseName: pulled\n"
                ),
            )],
        );
        let log = dir.path().join("argv.log");
        let w = wrapper(&helm, dir.path(), Some(&src.path().join("cache/full")));
        let env = [("HELM_WRAPPER_LOG", log.to_str().unwrap())];
        // Each tool pulls into a fresh chart home.
        let mut logs = Vec::new();
        for kubectl in [true, false] {
            let _ = fs::remove_dir_all(dir.path().join("charts"));
            let _ = fs::remove_file(&log);
            let out = run(
                kubectl,
                &helm,
                dir.path(),
                &["--helm-command", w.to_str().unwrap()],
                &env,
            );
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            logs.push((
                normalise_tmp(&fs::read_to_string(&log).unwrap()),
                out.stdout,
            ));
        }
        assert_eq!(logs[0].1, logs[1].1, "{repo} {version}: outputs differ");
        let pulls = |l: &str| {
            l.lines()
                .filter(|l| l.starts_with("ARGV [pull]"))
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert_eq!(pulls(&logs[0].0), pulls(&logs[1].0), "{repo} {version}");
        assert_eq!(pulls(&logs[1].0).len(), 1);
    }
}

#[test]
fn errors_name_the_kustomization_and_the_chart() {
    let Some(helm) = helm() else { return };
    let entry = "helmCharts[0] (full)";
    // Off by default.
    let dir = full_tree("helmCharts:\n- name: full\n");
    let err = both_fail(
        &helm,
        dir.path(),
        &["--enable-helm=false"],
        &["kustomization.yaml", entry],
    );
    assert!(err.contains("--enable-helm"), "{err}");
    // No such helm.
    let err = both_fail(
        &helm,
        dir.path(),
        &["--helm-command", "/nonexistent/helm"],
        &["kustomization.yaml", entry, "/nonexistent/helm"],
    );
    assert!(err.contains("--helm-command"), "{err}");
    // A helm that is not Helm 3.
    let fake = dir.path().join("helm2");
    fs::write(&fake, "#!/bin/sh\necho 'Client: v2.17.0+ga1b2c3'\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let err = both_fail(
        &helm,
        dir.path(),
        &["--helm-command", fake.to_str().unwrap()],
        &[entry],
    );
    assert!(err.contains("v2.17.0"), "{err}");
    // A chart that fails to render: helm's own message.
    write(
        dir.path(),
        &[(
            "charts/full/templates/bad.yaml",
            "{{ fail \"chart says no\" }}\n",
        )],
    );
    let err = both_fail(
        &helm,
        dir.path(),
        &[],
        &["kustomization.yaml", entry, "chart says no"],
    );
    assert!(!err.contains("Use --debug"), "{err}");
    both_fail(
        &helm,
        dir.path(),
        &["--helm-debug"],
        &[entry, "chart says no"],
    );
    fs::remove_file(dir.path().join("charts/full/templates/bad.yaml")).unwrap();
    // Values that break values.schema.json.
    write(
        dir.path(),
        &[(
            "kustomization.yaml",
            "helmCharts:\n- name: full\n  valuesInline:\n    replicas: 0\n",
        )],
    );
    both_fail(&helm, dir.path(), &[], &[entry, "replicas"]);
    // No such chart, and no repo to pull it from.
    write(
        dir.path(),
        &[("kustomization.yaml", "helmCharts:\n- name: nothere\n")],
    );
    both_fail(
        &helm,
        dir.path(),
        &[],
        &["kustomization.yaml", "helmCharts[0] (nothere)", "no repo"],
    );
    // Bad settings.
    for (k, names) in [
        (
            "helmCharts:\n- name: full\n  valuesMerge: sideways\n",
            vec![entry, "valuesMerge"],
        ),
        (
            "helmCharts:\n- releaseName: x\n",
            vec!["helmCharts[0] ()", "name"],
        ),
        (
            "helmCharts:\n- name: full\n  bogus: 1\n",
            vec!["kustomization.yaml", "bogus"],
        ),
        (
            "helmGlobals:\n  chartHome: charts\n  bogus: 1\nhelmCharts:\n- name: full\n",
            vec!["bogus"],
        ),
        (
            "helmCharts:\n- name: full\n  additionalValuesFiles: [../outside.yaml]\n",
            vec![entry, "outside.yaml"],
        ),
        (
            "helmCharts:\n- name: full\n  valuesFile: missing.yaml\n",
            vec![entry, "missing.yaml"],
        ),
        (
            "helmCharts:\n- name: full\n  releaseName: a\n  nameTemplate: b\n",
            vec![entry, "cannot set --name-template and also specify a name"],
        ),
        (
            "helmCharts:\n- name: full\n  releaseName: a\n- name: full\n  releaseName: a\n",
            vec!["helmCharts[1] (full)", "exists"],
        ),
    ] {
        write(dir.path(), &[("kustomization.yaml", k)]);
        both_fail(&helm, dir.path(), &[], &names);
    }
    // A plugin config names its own file.
    write(
        dir.path(),
        &[
            ("kustomization.yaml", "generators:\n- gen.yaml\n"),
            (
                "gen.yaml",
                "apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata:\n  name: g\nname: nothere\n",
            ),
        ],
    );
    both_fail(
        &helm,
        dir.path(),
        &[],
        &["gen.yaml", "HelmChartInflationGenerator", "nothere"],
    );
}

#[test]
fn a_hanging_helm_is_stopped_by_the_timeout() {
    let Some(helm) = helm() else { return };
    let dir = full_tree("helmCharts:\n- name: full\n");
    let slow = dir.path().join("slow-helm");
    fs::write(&slow, "#!/bin/sh\nsleep 30\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&slow, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let start = std::time::Instant::now();
    let out = run(
        false,
        &helm,
        dir.path(),
        &["--helm-command", slow.to_str().unwrap()],
        &[("AIW_HELM_TIMEOUT", "1")],
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(15));
    let problems = check_error_output(&out, "did not finish within 1 s");
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn diff_inflates_charts_on_both_sides() {
    let Some(helm) = helm() else { return };
    let dir = tempfile::tempdir().unwrap();
    helm_create(&helm, &dir.path().join("dev"), "web");
    helm_create(&helm, &dir.path().join("prod"), "web");
    let dev_k = "helmCharts:\n- name: web\n  releaseName: shop\n";
    let prod_k = format!("{dev_k}  valuesInline:\n    replicaCount: 3\n");
    write(
        dir.path(),
        &[
            ("dev/kustomization.yaml", dev_k),
            ("prod/kustomization.yaml", &prod_k),
        ],
    );
    let flags = ["--enable-helm", "--helm-command", helm.to_str().unwrap()];
    // The diff of the two kustomizations is the diff of kubectl's builds.
    for side in ["dev", "prod"] {
        let k = run(true, &helm, &dir.path().join(side), &[], &[]);
        assert!(k.status.success(), "{}", String::from_utf8_lossy(&k.stderr));
        fs::write(dir.path().join(format!("{side}.yaml")), &k.stdout).unwrap();
    }
    let aiw_diff = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_aiw"))
            .arg("diff")
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let mut dirs = vec!["dev", "prod"];
    dirs.extend(flags);
    let of_dirs = aiw_diff(&dirs);
    assert_eq!(
        of_dirs.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&of_dirs.stderr)
    );
    let of_files = aiw_diff(&["dev.yaml", "prod.yaml"]);
    assert_eq!(of_files.status.code(), Some(1));
    let text = String::from_utf8_lossy(&of_dirs.stdout);
    assert!(text.contains("spec.replicas"), "{text}");
    assert_eq!(
        text.replace("dev → prod", "X"),
        String::from_utf8_lossy(&of_files.stdout).replace("dev.yaml → prod.yaml", "X")
    );
    // Off unless asked for, as in a build.
    let off = aiw_diff(&["dev", "prod"]);
    assert_eq!(off.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&off.stderr).contains("--enable-helm"));
}

/// Serves `body` at every path on 127.0.0.1 until the test process ends;
/// returns the port.
fn serve_forever(body: &'static str) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line == "\r\n" || line == "\n" => break,
                    Ok(_) => {}
                }
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn values_file_over_http() {
    let Some(helm) = helm() else { return };
    let port = serve_forever("replicaCount: 4\nservice:\n  port: 8081\n");
    let dir = tempfile::tempdir().unwrap();
    helm_create(&helm, dir.path(), "web");
    for inline in [
        "",
        "  valuesInline:\n    replicaCount: 5\n  valuesMerge: override\n",
    ] {
        write(
            dir.path(),
            &[(
                "kustomization.yaml",
                &format!(
                    "helmCharts:\n- name: web\n  releaseName: s\n  \
                     valuesFile: http://127.0.0.1:{port}/values.yaml\n{inline}"
                ),
            )],
        );
        let out = same(&helm, dir.path(), &[]);
        assert!(out.contains("port: 8081\n"), "{out}");
        let replicas = if inline.is_empty() { 4 } else { 5 };
        assert!(out.contains(&format!("replicas: {replicas}\n")), "{out}");
    }
}
