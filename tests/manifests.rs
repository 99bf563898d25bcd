//! Tests of the project's own manifests (`base/`, `overlays/development`,
//! `overlays/production`):
//! - when `kubectl` is on PATH, `aiw build` equals `kubectl kustomize` on all
//!   three, byte for byte;
//! - insta snapshots of both overlays' outputs (`tests/snapshots/`, taken from
//!   `kubectl kustomize`);
//! - the development output checked value by value against the Phase IV data
//!   model (the k8s data-model spec): ports, probes, resources, envFrom/env
//!   wiring, ConfigMap data, Secret keys, ingress, HPA, namespace and labels.
//!
//! Run: `cargo test --test manifests`.

mod common;

use std::collections::HashMap;

use aiw::yaml::Value;
use common::{kubectl_available, repo_root, run_aiw_build, run_kubectl_kustomize, unified_diff};

const MANIFEST_DIRS: [&str; 3] = ["base", "overlays/development", "overlays/production"];

/// `aiw build <dir>` (relative to the repository root); panics with aiw's
/// error when the build fails.
fn aiw_build(dir: &str) -> String {
    let out = run_aiw_build(&repo_root().join(dir));
    assert!(
        out.status.success(),
        "aiw build {dir} failed: {}",
        String::from_utf8_lossy(&out.stderr).trim_end()
    );
    String::from_utf8(out.stdout).expect("aiw prints UTF-8")
}

#[test]
fn manifests_match_kubectl_kustomize() {
    if !kubectl_available() {
        eprintln!("note: kubectl not on PATH; comparison with kubectl kustomize skipped");
        return;
    }
    let mut failures = Vec::new();
    for dir in MANIFEST_DIRS {
        let kubectl = run_kubectl_kustomize(&repo_root().join(dir));
        assert!(
            kubectl.status.success(),
            "kubectl kustomize {dir} failed: {}",
            String::from_utf8_lossy(&kubectl.stderr)
        );
        let aiw = run_aiw_build(&repo_root().join(dir));
        if !aiw.status.success() {
            failures.push(format!(
                "{dir}: aiw build failed: {}",
                String::from_utf8_lossy(&aiw.stderr).trim_end()
            ));
        } else if aiw.stdout != kubectl.stdout {
            failures.push(format!(
                "{dir}: output differs\n{}",
                unified_diff(
                    &kubectl.stdout,
                    &aiw.stdout,
                    "kubectl kustomize",
                    "aiw build"
                )
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn development_overlay_snapshot() {
    let output = aiw_build("overlays/development");
    insta::assert_snapshot!("development", output);
}

#[test]
fn production_overlay_snapshot() {
    let output = aiw_build("overlays/production");
    insta::assert_snapshot!("production", output);
}

// ---------------------------------------------------------------------------
// The spec test: the development output, value by value.
// ---------------------------------------------------------------------------

/// The parsed output, indexed by `(kind, name)`.
struct Built {
    docs: Vec<Value>,
    by_id: HashMap<(String, String), usize>,
}

impl Built {
    fn parse(text: &str) -> Built {
        let docs = aiw::yaml::parse_documents(text).expect("aiw's output parses as YAML");
        let mut by_id = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            let kind = str_at(d, &["kind"]).to_string();
            let name = str_at(d, &["metadata", "name"]).to_string();
            assert!(
                by_id.insert((kind.clone(), name.clone()), i).is_none(),
                "{kind}/{name} appears twice in the output"
            );
        }
        Built { docs, by_id }
    }

    fn get(&self, kind: &str, name: &str) -> &Value {
        match self.by_id.get(&(kind.to_string(), name.to_string())) {
            Some(&i) => &self.docs[i],
            None => panic!("{kind}/{name} is missing from the output"),
        }
    }

    fn has(&self, kind: &str, name: &str) -> bool {
        self.by_id
            .contains_key(&(kind.to_string(), name.to_string()))
    }
}

fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    v.get_path(path)
        .unwrap_or_else(|| panic!("no {} in {}", path.join("."), describe(v)))
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    match at(v, path) {
        Value::String(s) => s,
        other => panic!(
            "{} in {} is {other:?}, want a string",
            path.join("."),
            describe(v)
        ),
    }
}

fn int_at(v: &Value, path: &[&str]) -> i64 {
    match at(v, path) {
        Value::Int(i) => *i,
        other => panic!(
            "{} in {} is {other:?}, want an integer",
            path.join("."),
            describe(v)
        ),
    }
}

fn seq_at<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    at(v, path)
        .as_seq()
        .unwrap_or_else(|| panic!("{} in {} is not a sequence", path.join("."), describe(v)))
}

/// `kind/name` of a document, for messages.
fn describe(v: &Value) -> String {
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("?");
    let name = v
        .get_path(&["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap_or("?");
    format!("{kind}/{name}")
}

/// The string-valued map at `path` as `(key, value)` pairs in order.
fn string_map(v: &Value, path: &[&str]) -> Vec<(String, String)> {
    let map = at(v, path)
        .as_map()
        .unwrap_or_else(|| panic!("{} in {} is not a mapping", path.join("."), describe(v)));
    map.iter()
        .map(|(k, val)| {
            let s = val.as_str().unwrap_or_else(|| {
                panic!("{}.{k} in {} is not a string", path.join("."), describe(v))
            });
            (k.clone(), s.to_string())
        })
        .collect()
}

/// The only container of a Deployment, checked to be named `name`.
fn container<'a>(deploy: &'a Value, name: &str) -> &'a Value {
    let containers = seq_at(deploy, &["spec", "template", "spec", "containers"]);
    assert_eq!(containers.len(), 1, "{}: one container", describe(deploy));
    let c = &containers[0];
    assert_eq!(
        str_at(c, &["name"]),
        name,
        "{}: container name",
        describe(deploy)
    );
    c
}

/// Spec §3: expected values for one container's probe.
struct Probe {
    path: &'static str,
    port: i64,
    initial_delay: i64,
    period: i64,
}

fn check_probe(c: &Value, which: &str, want: &Probe) {
    let p = at(c, &[which]);
    assert_eq!(
        str_at(p, &["httpGet", "path"]),
        want.path,
        "{which}.httpGet.path"
    );
    assert_eq!(
        int_at(p, &["httpGet", "port"]),
        want.port,
        "{which}.httpGet.port"
    );
    assert_eq!(
        int_at(p, &["initialDelaySeconds"]),
        want.initial_delay,
        "{which}.initialDelaySeconds"
    );
    assert_eq!(
        int_at(p, &["periodSeconds"]),
        want.period,
        "{which}.periodSeconds"
    );
}

/// Spec §3: requests and limits of one container.
fn check_resources(c: &Value, req_cpu: &str, req_mem: &str, lim_cpu: &str, lim_mem: &str) {
    assert_eq!(str_at(c, &["resources", "requests", "cpu"]), req_cpu);
    assert_eq!(str_at(c, &["resources", "requests", "memory"]), req_mem);
    assert_eq!(str_at(c, &["resources", "limits", "cpu"]), lim_cpu);
    assert_eq!(str_at(c, &["resources", "limits", "memory"]), lim_mem);
}

/// The names referenced by a container's `envFrom`, as `(kind, name)`.
fn env_from(c: &Value) -> Vec<(&'static str, String)> {
    seq_at(c, &["envFrom"])
        .iter()
        .map(|e| {
            if let Some(n) = e.get_path(&["secretRef", "name"]) {
                (
                    "Secret",
                    n.as_str().expect("secretRef.name string").to_string(),
                )
            } else if let Some(n) = e.get_path(&["configMapRef", "name"]) {
                (
                    "ConfigMap",
                    n.as_str().expect("configMapRef.name string").to_string(),
                )
            } else {
                panic!("envFrom entry {e:?} is neither secretRef nor configMapRef")
            }
        })
        .collect()
}

/// Every resource carries the recommended labels of spec §9.
fn check_recommended_labels(doc: &Value, environment: &str) {
    let labels = string_map(doc, &["metadata", "labels"]);
    let get = |k: &str| {
        labels
            .iter()
            .find(|(lk, _)| lk == k)
            .map(|(_, v)| v.as_str())
    };
    let what = describe(doc);
    assert_eq!(
        get("app.kubernetes.io/name"),
        Some("ai-wealth-companion"),
        "{what}"
    );
    assert_eq!(
        get("app.kubernetes.io/part-of"),
        Some("ai-wealth-companion"),
        "{what}"
    );
    assert_eq!(get("app.kubernetes.io/version"), Some("4.0.0"), "{what}");
    assert_eq!(get("app.kubernetes.io/managed-by"), Some("aiw"), "{what}");
    assert_eq!(get("environment"), Some(environment), "{what}");
    assert!(
        get("app.kubernetes.io/component").is_some_and(|c| !c.is_empty()),
        "{what}: app.kubernetes.io/component"
    );
}

#[test]
fn development_output_matches_the_data_model_spec() {
    let built = Built::parse(&aiw_build("overlays/development"));

    // §1 Namespace.
    let ns = built.get("Namespace", "ai-wealth");
    let ns_labels = string_map(ns, &["metadata", "labels"]);
    for (k, v) in [
        ("app.kubernetes.io/name", "ai-wealth-companion"),
        ("app.kubernetes.io/part-of", "ai-wealth-companion"),
        ("environment", "development"),
    ] {
        assert!(
            ns_labels.iter().any(|(lk, lv)| lk == k && lv == v),
            "Namespace label {k}={v}"
        );
    }

    // Every namespaced resource is in ai-wealth; every resource is labelled
    // (spec §9); no selector carries the release-dependent version label.
    for doc in &built.docs {
        if str_at(doc, &["kind"]) != "Namespace" {
            assert_eq!(
                str_at(doc, &["metadata", "namespace"]),
                "ai-wealth",
                "{} namespace",
                describe(doc)
            );
        }
        check_recommended_labels(doc, "development");
    }

    // §2 Services.
    for (name, port, component) in [
        ("backend", 8000, "api"),
        ("frontend", 3000, "ui"),
        ("mcp-server", 8080, "mcp"),
    ] {
        let svc = built.get("Service", name);
        assert_eq!(str_at(svc, &["spec", "type"]), "ClusterIP", "{name} type");
        let ports = seq_at(svc, &["spec", "ports"]);
        assert_eq!(ports.len(), 1, "{name}: one port");
        assert_eq!(int_at(&ports[0], &["port"]), port, "{name} port");
        assert_eq!(
            int_at(&ports[0], &["targetPort"]),
            port,
            "{name} targetPort"
        );
        assert_eq!(
            string_map(svc, &["spec", "selector"]),
            [("app".to_string(), name.to_string())],
            "{name}: selector is exactly app={name}"
        );
        assert_eq!(
            str_at(svc, &["metadata", "labels", "app.kubernetes.io/component"]),
            component
        );
    }

    // §3 Deployments: replicas, selectors, images, ports, probes, resources.
    for (name, port, component) in [
        ("backend", 8000, "api"),
        ("frontend", 3000, "ui"),
        ("mcp-server", 8080, "mcp"),
    ] {
        let d = built.get("Deployment", name);
        assert_eq!(int_at(d, &["spec", "replicas"]), 1, "{name} replicas");
        assert_eq!(
            string_map(d, &["spec", "selector", "matchLabels"]),
            [("app".to_string(), name.to_string())],
            "{name}: selector is exactly app={name} (no version label)"
        );
        assert_eq!(
            str_at(d, &["spec", "template", "metadata", "labels", "app"]),
            name,
            "{name}: pod template label app"
        );
        assert_eq!(
            str_at(d, &["metadata", "labels", "app.kubernetes.io/component"]),
            component
        );
        let c = container(d, name);
        assert_eq!(
            str_at(c, &["image"]),
            format!("ai-wealth-companion/{name}:dev"),
            "{name} image"
        );
        // Locally built images must not be pulled from a registry.
        let policy = str_at(c, &["imagePullPolicy"]);
        assert!(
            policy == "IfNotPresent" || policy == "Never",
            "{name} imagePullPolicy {policy}"
        );
        let ports = seq_at(c, &["ports"]);
        assert_eq!(ports.len(), 1, "{name}: one container port");
        assert_eq!(
            int_at(&ports[0], &["containerPort"]),
            port,
            "{name} containerPort"
        );
    }

    let backend = container(built.get("Deployment", "backend"), "backend");
    check_resources(backend, "100m", "256Mi", "500m", "512Mi");
    let health = |path, port, initial_delay, period| Probe {
        path,
        port,
        initial_delay,
        period,
    };
    check_probe(backend, "livenessProbe", &health("/health", 8000, 30, 10));
    check_probe(
        backend,
        "readinessProbe",
        &health("/health/ready", 8000, 5, 5),
    );
    assert_eq!(
        env_from(backend),
        [
            ("Secret", "db-credentials".to_string()),
            ("Secret", "jwt-secret".to_string()),
            ("Secret", "ai-credentials".to_string()),
            ("ConfigMap", "app-config".to_string()),
        ]
    );

    let frontend = container(built.get("Deployment", "frontend"), "frontend");
    check_resources(frontend, "100m", "128Mi", "300m", "256Mi");
    check_probe(frontend, "livenessProbe", &health("/", 3000, 30, 10));
    check_probe(frontend, "readinessProbe", &health("/", 3000, 5, 5));
    let env = seq_at(frontend, &["env"]);
    let api_url = env
        .iter()
        .find(|e| e.get("name").and_then(Value::as_str) == Some("NEXT_PUBLIC_API_URL"))
        .expect("frontend env NEXT_PUBLIC_API_URL");
    assert_eq!(
        str_at(api_url, &["valueFrom", "configMapKeyRef", "name"]),
        "app-config"
    );
    assert_eq!(
        str_at(api_url, &["valueFrom", "configMapKeyRef", "key"]),
        "API_URL"
    );

    let mcp = container(built.get("Deployment", "mcp-server"), "mcp-server");
    check_resources(mcp, "50m", "64Mi", "200m", "128Mi");
    check_probe(mcp, "livenessProbe", &health("/health", 8080, 10, 10));
    assert_eq!(env_from(mcp), [("Secret", "db-credentials".to_string())]);

    // Every envFrom / env reference resolves to an object in the output.
    for c in [backend, mcp] {
        for (kind, name) in env_from(c) {
            assert!(
                built.has(kind, &name),
                "{kind}/{name} referenced but not built"
            );
        }
    }
    assert!(built.has("ConfigMap", "app-config"));

    // §4 ConfigMap: all five keys, all strings; DEBUG on in development.
    let cm = built.get("ConfigMap", "app-config");
    let mut data = string_map(cm, &["data"]);
    data.sort();
    assert_eq!(
        data,
        [
            ("API_URL", "http://backend:8000"),
            ("APP_NAME", "AI Wealth & Spending Companion"),
            ("APP_VERSION", "4.0.0"),
            ("CORS_ORIGINS", "http://frontend:3000,http://localhost:3000"),
            ("DEBUG", "true"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );

    // §5 Secrets and their keys (in data or stringData).
    for (name, keys) in [
        ("db-credentials", &["DATABASE_URL"][..]),
        ("jwt-secret", &["JWT_SECRET_KEY"][..]),
        ("ai-credentials", &["GEMINI_API_KEY", "OPENAI_API_KEY"][..]),
        (
            "oauth-credentials",
            &[
                "GOOGLE_CLIENT_ID",
                "GOOGLE_CLIENT_SECRET",
                "GITHUB_CLIENT_ID",
                "GITHUB_CLIENT_SECRET",
            ][..],
        ),
    ] {
        let secret = built.get("Secret", name);
        for key in keys {
            let found = ["stringData", "data"]
                .iter()
                .any(|field| secret.get_path(&[field, key]).is_some());
            assert!(found, "Secret {name} has no key {key}");
        }
    }

    // §6 Ingress.
    let ing = built.get("Ingress", "ai-wealth-ingress");
    assert_eq!(str_at(ing, &["spec", "ingressClassName"]), "nginx");
    assert_eq!(
        str_at(
            ing,
            &[
                "metadata",
                "annotations",
                "nginx.ingress.kubernetes.io/rewrite-target"
            ]
        ),
        "/$1"
    );
    let rules = seq_at(ing, &["spec", "rules"]);
    assert_eq!(rules.len(), 1, "one ingress rule");
    assert_eq!(str_at(&rules[0], &["host"]), "ai-wealth.local");
    let paths = seq_at(&rules[0], &["http", "paths"]);
    let got: Vec<(&str, &str, &str, i64)> = paths
        .iter()
        .map(|p| {
            (
                str_at(p, &["path"]),
                str_at(p, &["pathType"]),
                str_at(p, &["backend", "service", "name"]),
                int_at(p, &["backend", "service", "port", "number"]),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("/api/(.*)", "Prefix", "backend", 8000),
            ("/(.*)", "Prefix", "frontend", 3000),
        ]
    );
    for (_, _, svc, _) in &got {
        assert!(built.has("Service", svc), "ingress backend {svc} is built");
    }

    // §7 HPA.
    let hpa = built.get("HorizontalPodAutoscaler", "ai-agents-hpa");
    assert_eq!(str_at(hpa, &["apiVersion"]), "autoscaling/v2");
    assert_eq!(
        str_at(hpa, &["spec", "scaleTargetRef", "apiVersion"]),
        "apps/v1"
    );
    assert_eq!(
        str_at(hpa, &["spec", "scaleTargetRef", "kind"]),
        "Deployment"
    );
    assert_eq!(str_at(hpa, &["spec", "scaleTargetRef", "name"]), "backend");
    assert_eq!(int_at(hpa, &["spec", "minReplicas"]), 1);
    assert_eq!(int_at(hpa, &["spec", "maxReplicas"]), 3);
    let metrics = seq_at(hpa, &["spec", "metrics"]);
    assert_eq!(metrics.len(), 1, "one HPA metric");
    let m = &metrics[0];
    assert_eq!(str_at(m, &["type"]), "Resource");
    assert_eq!(str_at(m, &["resource", "name"]), "cpu");
    assert_eq!(str_at(m, &["resource", "target", "type"]), "Utilization");
    assert_eq!(int_at(m, &["resource", "target", "averageUtilization"]), 70);

    // The full inventory: nothing missing, nothing extra.
    let mut ids: Vec<(String, String)> = built.by_id.keys().cloned().collect();
    ids.sort();
    let mut want: Vec<(String, String)> = [
        ("ConfigMap", "app-config"),
        ("Deployment", "backend"),
        ("Deployment", "frontend"),
        ("Deployment", "mcp-server"),
        ("HorizontalPodAutoscaler", "ai-agents-hpa"),
        ("Ingress", "ai-wealth-ingress"),
        ("Namespace", "ai-wealth"),
        ("Secret", "ai-credentials"),
        ("Secret", "db-credentials"),
        ("Secret", "jwt-secret"),
        ("Secret", "oauth-credentials"),
        ("Service", "backend"),
        ("Service", "frontend"),
        ("Service", "mcp-server"),
    ]
    .iter()
    .map(|(k, n)| (k.to_string(), n.to_string()))
    .collect();
    want.sort();
    assert_eq!(ids, want);
}
