//! Tests of `aiw validate` and `aiw build --validate` through the binary:
//! the manifests written for the tests (`tests/validate/*.yaml`, whose
//! verdicts `scripts/validate-crosscheck.sh` checks against
//! `kubernetes-validate --strict`), the report formats, locations in files
//! and in the build output, custom schemas, options, exit codes and errors.
//!
//! Run: `cargo test --test validate`.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{kubectl_available, repo_root, run_kubectl_kustomize};

/// Runs `aiw ARGS` from the repository root, feeding `stdin`.
fn aiw(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aiw"))
        .args(args)
        .current_dir(repo_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aiw runs");
    {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        if let Some(text) = stdin
            && let Err(e) = pipe.write_all(text.as_bytes())
        {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
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

/// Runs `aiw validate ARGS`, expects exit code `code` and nothing on stderr,
/// returns stdout.
fn validate(args: &[&str], code: i32) -> String {
    let mut all = vec!["validate"];
    all.extend_from_slice(args);
    let out = aiw(&all, None);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stderr(&out), "");
    stdout(&out)
}

/// Expects an error: exit 2, nothing on stdout, one line on stderr
/// containing `needle`.
fn expect_error(args: &[&str], needle: &str) {
    let out = aiw(args, None);
    assert_eq!(out.status.code(), Some(2), "stderr: {}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err}");
}

#[test]
fn every_test_manifest_has_its_verdict() {
    let dir = repo_root().join("tests/validate");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let arg = format!("tests/validate/{name}");
        let valid = name.starts_with("valid-");
        let out = validate(&[&arg], if valid { 0 } else { 1 });
        let last = out.lines().last().unwrap_or("");
        assert!(
            last.starts_with(&format!(
                "{arg}: {}valid for Kubernetes ",
                if valid { "" } else { "in" }
            )),
            "{out}"
        );
        seen += 1;
    }
    assert!(seen >= 10, "{seen} manifests");
}

#[test]
fn problems_one_line_each() {
    assert_eq!(
        validate(&["tests/validate/unknown-fields.yaml"], 1),
        "apps/v1 Deployment web: metadata.lables: unknown field \"lables\" (did you mean \"labels\"?) (tests/validate/unknown-fields.yaml:7)
apps/v1 Deployment web: spec.replica: unknown field \"replica\" (did you mean \"replicas\"?) (tests/validate/unknown-fields.yaml:10)
apps/v1 Deployment web: spec.template.spec.containers[name=web].imagePullPolcy: unknown field \"imagePullPolcy\" (did you mean \"imagePullPolicy\"?) (tests/validate/unknown-fields.yaml:22)
v1 ConfigMap settings: spec: unknown field \"spec\" (tests/validate/unknown-fields.yaml:28)
tests/validate/unknown-fields.yaml: invalid for Kubernetes 1.37: 4 problems in 2 of 2 resources
"
    );
    assert_eq!(
        validate(&["tests/validate/quantities.yaml"], 1),
        "v1 Pod worker: spec.containers[name=worker].resources.requests.cpu: expected a quantity (such as 500m, 2, 1.5Gi), got string \"lots\" (tests/validate/quantities.yaml:13)
v1 Pod worker: spec.containers[name=worker].resources.requests.memory: expected a quantity (such as 500m, 2, 1.5Gi), got string \"1GB\" (tests/validate/quantities.yaml:14)
v1 Pod worker: spec.containers[name=worker].resources.limits.memory: expected a quantity (such as 500m, 2, 1.5Gi), got string \"10 Gi\" (tests/validate/quantities.yaml:17)
v1 PersistentVolumeClaim data: spec.resources.requests.storage: expected a quantity (such as 500m, 2, 1.5Gi), got string \"ten\" (tests/validate/quantities.yaml:27)
tests/validate/quantities.yaml: invalid for Kubernetes 1.37: 4 problems in 2 of 2 resources
"
    );
    let out = validate(&["tests/validate/wrong-types.yaml"], 1);
    assert!(out.contains("apps/v1 Deployment web: spec.replicas: expected integer, got string \"3\" (tests/validate/wrong-types.yaml:9)\n"), "{out}");
    assert!(out.contains("v1 Service web: spec.ports: expected array, got object (tests/validate/wrong-types.yaml:34)\n"), "{out}");
}

#[test]
fn enums_of_built_in_fields() {
    assert_eq!(
        validate(&["tests/validate/enums.yaml"], 1),
        "v1 Service web: spec.type: string \"Loadbalancer\" is not one of \"ClusterIP\", \"ExternalName\", \"LoadBalancer\" or \"NodePort\" (did you mean \"LoadBalancer\"?) (tests/validate/enums.yaml:9)
v1 Service web: spec.ports[port=80].protocol: string \"tcp\" is not one of \"SCTP\", \"TCP\" or \"UDP\" (did you mean \"TCP\"?) (tests/validate/enums.yaml:13)
apps/v1 Deployment web: spec.template.spec.restartPolicy: string \"Sometimes\" is not one of \"Always\", \"Never\" or \"OnFailure\" (tests/validate/enums.yaml:28)
apps/v1 Deployment web: spec.template.spec.containers[name=web].imagePullPolicy: string \"always\" is not one of \"Always\", \"IfNotPresent\" or \"Never\" (did you mean \"Always\"?) (tests/validate/enums.yaml:32)
tests/validate/enums.yaml: invalid for Kubernetes 1.37: 4 problems in 2 of 2 resources
"
    );
}

#[test]
fn removed_apis_say_what_replaces_them() {
    let out = validate(&["tests/validate/removed-apis.yaml"], 1);
    for line in [
        "extensions/v1beta1 Ingress web: extensions/v1beta1 Ingress is not served by Kubernetes 1.37: removed in 1.22; use networking.k8s.io/v1 Ingress (tests/validate/removed-apis.yaml:3)",
        "batch/v1beta1 CronJob report: batch/v1beta1 CronJob is not served by Kubernetes 1.37: removed in 1.25; use batch/v1 CronJob (tests/validate/removed-apis.yaml:12)",
        "autoscaling/v2beta2 HorizontalPodAutoscaler web: autoscaling/v2beta2 HorizontalPodAutoscaler is not served by Kubernetes 1.37: removed in 1.26; use autoscaling/v2 HorizontalPodAutoscaler (tests/validate/removed-apis.yaml:24)",
        "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema health: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is not served by Kubernetes 1.37: removed in 1.32; use flowcontrol.apiserver.k8s.io/v1 FlowSchema (tests/validate/removed-apis.yaml:34)",
        "v1 Deployment wrong-group: v1 Deployment is not served by Kubernetes 1.37; use apps/v1 Deployment (tests/validate/removed-apis.yaml:42)",
    ] {
        assert!(out.contains(&format!("{line}\n")), "{line}\n{out}");
    }
    // Kubernetes 1.30 still serves flowcontrol v1beta3.
    let out = validate(
        &[
            "tests/validate/removed-apis.yaml",
            "--kubernetes-version",
            "1.30",
        ],
        1,
    );
    assert!(!out.contains("FlowSchema health"), "{out}");
    assert!(
        out.ends_with("invalid for Kubernetes 1.30: 6 problems in 6 of 7 resources\n"),
        "{out}"
    );
}

#[test]
fn custom_resources_from_the_input_and_schema_dirs() {
    let out = validate(&["tests/validate/custom-resources.yaml"], 1);
    assert!(out.contains("example.com/v1 Cache bad: spec.mode: string \"fifo\" is not one of \"lru\" or \"lfu\" (tests/validate/custom-resources.yaml:58)\n"), "{out}");
    assert!(
        out.contains(
            "cert-manager.io/v1 Certificate no-crd: no schema for cert-manager.io/v1 Certificate"
        ),
        "{out}"
    );
    assert!(!out.contains("Cache good"), "{out}");
    let out = validate(
        &[
            "tests/validate/custom-resources.yaml",
            "--ignore-missing-schemas",
        ],
        1,
    );
    assert!(!out.contains("Certificate"), "{out}");
    assert!(
        out.ends_with("6 problems in 2 of 5 resources, 1 skipped\n"),
        "{out}"
    );

    let out = validate(&["tests/validate/schema-dir-input.yaml"], 1);
    assert!(out.ends_with("4 problems in 4 of 4 resources\n"), "{out}");
    let out = validate(
        &[
            "tests/validate/schema-dir-input.yaml",
            "--schema-dir",
            "tests/validate/schemas",
        ],
        1,
    );
    assert_eq!(
        out,
        "example.com/v1 Widget bad: spec.replicas: expected integer, got string \"two\" (tests/validate/schema-dir-input.yaml:16)
example.com/v1 Widget bad: spec.port: expected an integer or a string, got number 1.5 (tests/validate/schema-dir-input.yaml:17)
example.com/v1 Widget bad: spec.colour: unknown field \"colour\" (tests/validate/schema-dir-input.yaml:18)
example.com/v1 Gadget bad: spec.color: string \"blue\" is not one of \"red\" or \"green\" (tests/validate/schema-dir-input.yaml:33)
example.com/v1 Gadget bad: spec.size: integer 0 is below 1 (tests/validate/schema-dir-input.yaml:34)
example.com/v1 Gadget bad: spec.weight: unknown field \"weight\" (tests/validate/schema-dir-input.yaml:35)
tests/validate/schema-dir-input.yaml: invalid for Kubernetes 1.37: 6 problems in 2 of 4 resources
"
    );
}

#[test]
fn kustomization_targets_point_at_output_lines() {
    let dir = "tests/validate/kustomization";
    let out = validate(&[dir], 1);
    assert_eq!(
        out,
        "apps/v1 Deployment shop/web: spec.replicas: expected integer, got string \"3\" (output line 7)
apps/v1 Deployment shop/web: spec.template.spec.containers[name=web].resources.limits.cpu: expected a quantity (such as 500m, 2, 1.5Gi), got string \"lots\" (output line 21)
tests/validate/kustomization: invalid for Kubernetes 1.37: 2 problems in 1 of 1 resource
"
    );
    // The lines are those of the build output, which is kubectl's.
    let built = aiw(&["build", dir], None);
    let text = stdout(&built);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[6], "  replicas: \"3\"");
    assert_eq!(lines[20], "            cpu: lots");
    if kubectl_available() {
        let k = run_kubectl_kustomize(&repo_root().join(dir));
        assert_eq!(String::from_utf8_lossy(&k.stdout), text);
    }
}

#[test]
fn json_report() {
    let out = validate(&["tests/validate/kustomization", "-o", "json"], 1);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["version"], 1);
    assert_eq!(j["target"], "tests/validate/kustomization");
    assert_eq!(j["kubernetesVersion"], "1.37");
    assert_eq!(j["valid"], false);
    assert_eq!(
        j["summary"],
        serde_json::json!({"resources": 1, "invalid": 1, "skipped": 0, "problems": 2})
    );
    assert_eq!(
        j["problems"][0],
        serde_json::json!({
            "index": 0,
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"},
            "path": "spec.replicas",
            "problem": "type",
            "message": "expected integer, got string \"3\"",
            "location": {"kind": "output", "file": null, "line": 7},
        })
    );
    let out = validate(&["tests/validate/kinds.yaml", "-o", "json"], 1);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["problems"][2]["problem"], "missing-type");
    assert_eq!(
        j["problems"][2]["location"],
        serde_json::json!({"kind": "file", "file": "tests/validate/kinds.yaml", "line": 12})
    );
    let out = validate(&["overlays/development", "-o", "json"], 0);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["valid"], true);
    assert_eq!(j["problems"], serde_json::json!([]));
}

#[test]
fn the_apps_own_manifests_are_valid_for_every_release() {
    for dir in ["base", "overlays/development", "overlays/production"] {
        for version in ["1.30", "1.37"] {
            // Production's ExternalSecrets are custom resources with no
            // schema here (tests/manifests.rs checks their structure).
            let out = validate(
                &[
                    dir,
                    "--kubernetes-version",
                    version,
                    "--skip-kinds",
                    "ExternalSecret",
                ],
                0,
            );
            assert!(
                out.starts_with(&format!("{dir}: valid for Kubernetes {version} (")),
                "{out}"
            );
        }
    }
}

#[test]
fn standard_input_and_skipped_kinds() {
    let text =
        std::fs::read_to_string(repo_root().join("tests/validate/unknown-fields.yaml")).unwrap();
    let out = aiw(&["validate", "-"], Some(&text));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains(
        "spec.replica: unknown field \"replica\" (did you mean \"replicas\"?) (<stdin>:10)\n"
    ));
    let out = aiw(
        &["validate", "-", "--skip-kinds", "Deployment,v1/ConfigMap"],
        Some(&text),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "-: valid for Kubernetes 1.37 (2 resources, 2 skipped)\n"
    );
}

#[test]
fn build_validate_writes_nothing_when_invalid() {
    let out = aiw(
        &["build", "--validate", "tests/validate/kustomization"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out)
            .contains("spec.replicas: expected integer, got string \"3\" (output line 7)\n")
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("out.yaml");
    let f = file.to_str().unwrap();
    let out = aiw(
        &[
            "build",
            "--validate=1.30",
            "tests/validate/kustomization",
            "-o",
            f,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!file.exists());
    // Custom resources without a CRD are skipped (no --schema-dir here).
    std::fs::write(
        tmp.path().join("kustomization.yaml"),
        "resources:\n- cert.yaml\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("cert.yaml"),
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: tls\nspec:\n  secretName: tls\n",
    )
    .unwrap();
    let dir = tmp.path().to_str().unwrap();
    let out = aiw(&["build", "--validate", dir], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), stdout(&aiw(&["build", dir], None)));
    // Valid: the same bytes as a plain build.
    let plain = aiw(&["build", "overlays/production"], None);
    for flag in ["--validate", "--validate=1.30", "--validate=v1.37.1"] {
        let checked = aiw(&["build", flag, "overlays/production"], None);
        assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
        assert_eq!(checked.stdout, plain.stdout);
        assert_eq!(stderr(&checked), "");
    }
}

#[test]
fn errors_exit_2() {
    expect_error(
        &["validate", "base", "--kubernetes-version", "1.29"],
        "Kubernetes 1.29 has no embedded schemas (available: 1.30 to ",
    );
    expect_error(
        &["validate", "base", "--kubernetes-version", "latest"],
        "invalid Kubernetes version",
    );
    expect_error(
        &["build", "--validate=2.0", "base"],
        "Kubernetes 2.0 has no embedded schemas",
    );
    expect_error(
        &["validate", "tests/validate/nope.yaml"],
        "tests/validate/nope.yaml: no such file or directory",
    );
    expect_error(
        &["validate", "base", "--schema-dir", "tests/validate/nope"],
        "tests/validate/nope: schema directory not found",
    );
    expect_error(
        &[
            "validate",
            "tests/validate/kustomization/deployment.yaml",
            "--schema-dir",
            "tests/validate/kustomization",
        ],
        "cannot tell which kind this JSON schema is for",
    );
    let out = aiw(&["validate", "-"], Some("- a\n- b\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("<stdin>: document 1 is a sequence, not a mapping"),
        "{}",
        stderr(&out)
    );
    let out = aiw(
        &["validate", "-"],
        Some("apiVersion: v1\nkind: List\nitems:\n- 5\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("<stdin>: an item of the List in document 1 is an integer, not a mapping"),
        "{}",
        stderr(&out)
    );
    let out = aiw(&["validate", "-"], Some("a: [\n"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
}
