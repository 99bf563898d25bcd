//! Tests of the project's own manifests (`base/`, `overlays/development`,
//! `overlays/production`, `components/`):
//! - when `kubectl` is on PATH, `aiw build` equals `kubectl kustomize` on all
//!   three, byte for byte (and on production built with the
//!   `secrets-from-env` component in place of `external-secrets`);
//! - insta snapshots of both overlays' outputs (`tests/snapshots/`, checked
//!   against `kubectl kustomize` by the first test);
//! - the development output checked value by value against the Phase IV data
//!   model (the k8s data-model spec): ports, probes, resources, envFrom/env
//!   wiring, ConfigMap data, Secret keys, ingress, HPA, namespace and labels;
//! - the security defaults both overlays must keep (security contexts,
//!   ServiceAccounts, probes, Pod Security labels, network policies) and the
//!   production set-up (PodDisruptionBudgets, topology spread, no replica
//!   count under the HPA, hashed configuration, Secrets from the cluster,
//!   registry images, Guaranteed-QoS memory);
//! - the release version written once in the manifest sources.
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

/// The parsed output, indexed by `(kind, name)` and by `(kind, logical
/// name)`, where the logical name of a generated ConfigMap or Secret is its
/// name without kustomize's content-hash suffix.
struct Built {
    docs: Vec<Value>,
    by_id: HashMap<(String, String), usize>,
    by_logical: HashMap<(String, String), usize>,
}

/// `name` without a kustomize content-hash suffix (`-` and ten characters
/// of the hash alphabet), if it has one.
fn strip_hash(name: &str) -> Option<&str> {
    let (stem, hash) = name.rsplit_once('-')?;
    let is_hash = hash.len() == 10 && hash.bytes().all(|b| b"bcdfghkmt2456789".contains(&b));
    is_hash.then_some(stem)
}

impl Built {
    fn parse(text: &str) -> Built {
        let docs = aiw::yaml::parse_documents(text).expect("aiw's output parses as YAML");
        let mut by_id = HashMap::new();
        let mut by_logical = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            let kind = str_at(d, &["kind"]).to_string();
            let name = str_at(d, &["metadata", "name"]).to_string();
            assert!(
                by_id.insert((kind.clone(), name.clone()), i).is_none(),
                "{kind}/{name} appears twice in the output"
            );
            let generated = kind == "ConfigMap" || kind == "Secret";
            let logical = match strip_hash(&name) {
                Some(stem) if generated => stem.to_string(),
                _ => name.clone(),
            };
            assert!(
                by_logical.insert((kind.clone(), logical), i).is_none(),
                "{kind}/{name}: two objects with one logical name"
            );
        }
        Built {
            docs,
            by_id,
            by_logical,
        }
    }

    fn get(&self, kind: &str, name: &str) -> &Value {
        match self.by_id.get(&(kind.to_string(), name.to_string())) {
            Some(&i) => &self.docs[i],
            None => panic!("{kind}/{name} is missing from the output"),
        }
    }

    /// The object generated as `kind/name`, with or without a hash suffix.
    fn generated(&self, kind: &str, name: &str) -> &Value {
        match self.by_logical.get(&(kind.to_string(), name.to_string())) {
            Some(&i) => &self.docs[i],
            None => panic!("{kind}/{name} (generated) is missing from the output"),
        }
    }

    /// The name `kind/name` was given in the output (with its hash suffix).
    fn output_name(&self, kind: &str, name: &str) -> &str {
        str_at(self.generated(kind, name), &["metadata", "name"])
    }

    fn has(&self, kind: &str, name: &str) -> bool {
        self.by_id
            .contains_key(&(kind.to_string(), name.to_string()))
    }

    /// Every object of one kind.
    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.docs
            .iter()
            .filter(move |d| d.get("kind").and_then(Value::as_str) == Some(kind))
    }

    /// `(kind, logical name)` of every object, sorted.
    fn inventory(&self) -> Vec<(String, String)> {
        let mut ids: Vec<(String, String)> = self.by_logical.keys().cloned().collect();
        ids.sort();
        ids
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
    // The spec's names, each with the content-hash suffix of the generated
    // object (config and credential changes roll the pods).
    assert_eq!(
        env_from(backend),
        [
            (
                "Secret",
                built.output_name("Secret", "db-credentials").into()
            ),
            ("Secret", built.output_name("Secret", "jwt-secret").into()),
            (
                "Secret",
                built.output_name("Secret", "ai-credentials").into()
            ),
            (
                "ConfigMap",
                built.output_name("ConfigMap", "app-config").into()
            ),
        ]
    );
    for (kind, name) in [
        ("ConfigMap", "app-config"),
        ("Secret", "db-credentials"),
        ("Secret", "jwt-secret"),
        ("Secret", "ai-credentials"),
    ] {
        let out = built.output_name(kind, name);
        assert_eq!(
            strip_hash(out),
            Some(name),
            "{kind}/{name} is hashed: {out}"
        );
    }

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
        built.output_name("ConfigMap", "app-config")
    );
    assert_eq!(
        str_at(api_url, &["valueFrom", "configMapKeyRef", "key"]),
        "API_URL"
    );

    let mcp = container(built.get("Deployment", "mcp-server"), "mcp-server");
    check_resources(mcp, "50m", "64Mi", "200m", "128Mi");
    check_probe(mcp, "livenessProbe", &health("/health", 8080, 10, 10));
    assert_eq!(
        env_from(mcp),
        [(
            "Secret",
            built.output_name("Secret", "db-credentials").into()
        )]
    );

    // Every envFrom / env reference resolves to an object in the output.
    for c in [backend, mcp] {
        for (kind, name) in env_from(c) {
            assert!(
                built.has(kind, &name),
                "{kind}/{name} referenced but not built"
            );
        }
    }

    // §4 ConfigMap: all five keys, all strings, exactly the spec's values.
    let cm = built.generated("ConfigMap", "app-config");
    let mut data = string_map(cm, &["data"]);
    data.sort();
    assert_eq!(
        data,
        [
            ("API_URL", "http://backend:8000"),
            ("APP_NAME", "AI Wealth & Spending Companion"),
            ("APP_VERSION", "4.0.0"),
            ("CORS_ORIGINS", "http://frontend:3000,http://localhost:3000"),
            ("DEBUG", "false"),
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
        let secret = built.generated("Secret", name);
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

    // The full inventory: the spec's entities (generated ones by their
    // logical names) plus the ServiceAccounts and NetworkPolicies of issue
    // 17; nothing missing, nothing extra.
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
    .chain(security_inventory())
    .collect();
    want.sort();
    assert_eq!(built.inventory(), want);
}

// ---------------------------------------------------------------------------
// Issue 17: secure by default, in both overlays.
// ---------------------------------------------------------------------------

const WORKLOADS: [&str; 3] = ["backend", "frontend", "mcp-server"];

/// The objects the base adds to the spec's for security: one ServiceAccount
/// per workload and the network policies.
fn security_inventory() -> Vec<(String, String)> {
    let mut ids: Vec<(String, String)> = WORKLOADS
        .iter()
        .map(|w| ("ServiceAccount".to_string(), w.to_string()))
        .collect();
    for policy in [
        "default-deny",
        "allow-dns",
        "allow-frontend",
        "allow-backend",
        "allow-mcp-server",
        "allow-database-egress",
        "allow-ai-provider-egress",
    ] {
        ids.push(("NetworkPolicy".to_string(), policy.to_string()));
    }
    ids
}

fn bool_at(v: &Value, path: &[&str]) -> bool {
    match at(v, path) {
        Value::Bool(b) => *b,
        other => panic!(
            "{} in {} is {other:?}, want a boolean",
            path.join("."),
            describe(v)
        ),
    }
}

fn strings_at(v: &Value, path: &[&str]) -> Vec<String> {
    seq_at(v, path)
        .iter()
        .map(|s| s.as_str().expect("a string item").to_string())
        .collect()
}

/// Does the label selector `sel` (matchLabels / matchExpressions with `In`)
/// select pods labelled `app: <app>`? An empty selector selects every pod.
fn selects_app(sel: &Value, app: &str) -> bool {
    let labels_ok = sel
        .get("matchLabels")
        .and_then(Value::as_map)
        .is_none_or(|m| m.iter().all(|(k, v)| k == "app" && v.as_str() == Some(app)));
    let exprs_ok = sel
        .get("matchExpressions")
        .and_then(Value::as_seq)
        .is_none_or(|exprs| {
            exprs.iter().all(|e| {
                str_at(e, &["key"]) == "app"
                    && str_at(e, &["operator"]) == "In"
                    && strings_at(e, &["values"]).iter().any(|v| v == app)
            })
        });
    labels_ok && exprs_ok
}

/// The checks shared by both overlays: what issue 17 asks of the base.
fn check_secure_defaults(built: &Built, environment: &str) {
    // Pod Security admission: restricted, enforced, audited and warned.
    let ns = built.get("Namespace", "ai-wealth");
    for mode in ["enforce", "audit", "warn"] {
        let key = format!("pod-security.kubernetes.io/{mode}");
        assert_eq!(
            str_at(ns, &["metadata", "labels", &key]),
            "restricted",
            "{environment}: namespace label {key}"
        );
    }

    for name in WORKLOADS {
        let what = format!("{environment}: Deployment/{name}");
        let d = built.get("Deployment", name);
        let pod = at(d, &["spec", "template", "spec"]);

        // Its own ServiceAccount, no token anywhere.
        assert_eq!(str_at(pod, &["serviceAccountName"]), name, "{what}");
        assert!(!bool_at(pod, &["automountServiceAccountToken"]), "{what}");
        let sa = built.get("ServiceAccount", name);
        assert!(!bool_at(sa, &["automountServiceAccountToken"]), "{what}");

        // Pod: non-root with a fixed high UID, RuntimeDefault seccomp.
        let psc = at(pod, &["securityContext"]);
        assert!(bool_at(psc, &["runAsNonRoot"]), "{what}");
        assert!(int_at(psc, &["runAsUser"]) >= 10000, "{what}: runAsUser");
        assert!(int_at(psc, &["runAsGroup"]) >= 10000, "{what}: runAsGroup");
        assert_eq!(
            str_at(psc, &["seccompProfile", "type"]),
            "RuntimeDefault",
            "{what}"
        );

        // Container: read-only root, no escalation, no capabilities.
        let c = container(d, name);
        let csc = at(c, &["securityContext"]);
        assert!(!bool_at(csc, &["allowPrivilegeEscalation"]), "{what}");
        assert!(bool_at(csc, &["readOnlyRootFilesystem"]), "{what}");
        assert_eq!(
            strings_at(csc, &["capabilities", "drop"]),
            ["ALL"],
            "{what}"
        );
        assert!(
            csc.get_path(&["capabilities", "add"]).is_none(),
            "{what}: adds capabilities"
        );

        // Writable paths are emptyDir volumes, /tmp among them.
        let volumes = seq_at(pod, &["volumes"]);
        let mounts = seq_at(c, &["volumeMounts"]);
        assert!(
            mounts.iter().any(|m| str_at(m, &["mountPath"]) == "/tmp"),
            "{what}: /tmp is mounted"
        );
        for m in mounts {
            let vol = str_at(m, &["name"]);
            let v = volumes
                .iter()
                .find(|v| str_at(v, &["name"]) == vol)
                .unwrap_or_else(|| panic!("{what}: volume {vol} is not defined"));
            assert!(v.get("emptyDir").is_some(), "{what}: {vol} is an emptyDir");
        }

        // All three probes, each with an explicit timeout.
        for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
            assert!(
                int_at(c, &[probe, "timeoutSeconds"]) > 0,
                "{what}: {probe}.timeoutSeconds"
            );
            assert!(
                int_at(c, &[probe, "failureThreshold"]) > 0,
                "{what}: {probe}.failureThreshold"
            );
        }
    }
    // Next.js writes its cache under .next/cache.
    let frontend = container(built.get("Deployment", "frontend"), "frontend");
    assert!(
        seq_at(frontend, &["volumeMounts"])
            .iter()
            .any(|m| str_at(m, &["mountPath"]) == "/app/.next/cache"),
        "{environment}: frontend mounts the Next.js cache"
    );

    // Network policies: default deny for every pod in both directions, DNS
    // for every pod, and for each workload an ingress and an egress policy
    // (or ingress only, when it needs no egress but DNS) selecting it.
    let deny = built.get("NetworkPolicy", "default-deny");
    assert!(
        at(deny, &["spec", "podSelector"])
            .as_map()
            .is_some_and(|m| m.is_empty()),
        "{environment}: default-deny selects every pod"
    );
    assert_eq!(
        strings_at(deny, &["spec", "policyTypes"]),
        ["Ingress", "Egress"]
    );
    assert!(deny.get_path(&["spec", "ingress"]).is_none());
    assert!(deny.get_path(&["spec", "egress"]).is_none());
    let dns = built.get("NetworkPolicy", "allow-dns");
    let dns_ports: Vec<(String, i64)> = seq_at(dns, &["spec", "egress"])
        .iter()
        .flat_map(|rule| seq_at(rule, &["ports"]).iter())
        .map(|p| (str_at(p, &["protocol"]).to_string(), int_at(p, &["port"])))
        .collect();
    assert_eq!(
        dns_ports,
        [("UDP".to_string(), 53), ("TCP".to_string(), 53)]
    );

    // Which workloads may talk to which port: (from, to, port).
    let mut ingress_allowed: Vec<(String, String, i64)> = Vec::new();
    let mut egress_allowed: Vec<(String, String, i64)> = Vec::new();
    for np in built.of_kind("NetworkPolicy") {
        let sel = at(np, &["spec", "podSelector"]);
        for app in WORKLOADS.iter().filter(|a| selects_app(sel, a)) {
            for (field, peer_field, out) in [
                ("ingress", "from", &mut ingress_allowed),
                ("egress", "to", &mut egress_allowed),
            ] {
                let Some(rules) = np.get_path(&["spec", field]).and_then(Value::as_seq) else {
                    continue;
                };
                for rule in rules {
                    let ports: Vec<i64> = seq_at(rule, &["ports"])
                        .iter()
                        .map(|p| int_at(p, &["port"]))
                        .collect();
                    for peer in seq_at(rule, &[peer_field]) {
                        let peer_name = if let Some(ns) = peer.get_path(&[
                            "namespaceSelector",
                            "matchLabels",
                            "kubernetes.io/metadata.name",
                        ]) {
                            format!("ns:{}", ns.as_str().expect("namespace name"))
                        } else if let Some(a) =
                            peer.get_path(&["podSelector", "matchLabels", "app"])
                        {
                            a.as_str().expect("app label").to_string()
                        } else if let Some(cidr) = peer.get_path(&["ipBlock", "cidr"]) {
                            format!("cidr:{}", cidr.as_str().expect("cidr"))
                        } else {
                            panic!("{}: unexpected peer {peer:?}", describe(np))
                        };
                        for port in &ports {
                            out.push((app.to_string(), peer_name.clone(), *port));
                        }
                    }
                }
            }
        }
    }
    ingress_allowed.sort();
    let want_ingress: Vec<(String, String, i64)> = [
        ("backend", "frontend", 8000),
        ("backend", "ns:ingress-nginx", 8000),
        ("frontend", "ns:ingress-nginx", 3000),
        ("mcp-server", "backend", 8080),
    ]
    .iter()
    .map(|(a, b, p)| (a.to_string(), b.to_string(), *p))
    .collect();
    assert_eq!(
        ingress_allowed, want_ingress,
        "{environment}: ingress allows"
    );
    for (from, to, port) in [
        ("frontend", "backend", 8000),
        ("backend", "mcp-server", 8080),
    ] {
        assert!(
            egress_allowed.contains(&(from.to_string(), to.to_string(), port)),
            "{environment}: egress {from} -> {to}:{port}"
        );
    }
    for app in WORKLOADS {
        assert!(
            egress_allowed.contains(&(app.to_string(), "ns:kube-system".to_string(), 53)),
            "{environment}: DNS egress for {app}"
        );
    }
    for app in ["backend", "mcp-server"] {
        assert!(
            egress_allowed
                .iter()
                .any(|(a, peer, port)| a == app && peer.starts_with("cidr:") && *port == 5432),
            "{environment}: database egress for {app}"
        );
    }
    assert!(
        egress_allowed
            .iter()
            .any(|(a, peer, port)| a == "backend" && peer.starts_with("cidr:") && *port == 443),
        "{environment}: AI-provider egress for the backend"
    );
    // Nothing else leaves the frontend or the MCP server.
    for (app, peer, port) in &egress_allowed {
        let expected = match app.as_str() {
            "frontend" => peer == "backend" || peer == "ns:kube-system",
            "mcp-server" => peer == "ns:kube-system" || *port == 5432,
            _ => true,
        };
        assert!(
            expected,
            "{environment}: unexpected egress {app} -> {peer}:{port}"
        );
    }
}

#[test]
fn development_is_secure_by_default() {
    let built = Built::parse(&aiw_build("overlays/development"));
    check_secure_defaults(&built, "development");
    // The :dev images exist only in the local cluster: never pulled.
    for name in WORKLOADS {
        let c = container(built.get("Deployment", name), name);
        assert_eq!(str_at(c, &["imagePullPolicy"]), "Never", "{name}");
    }
}

#[test]
fn production_is_ready_for_a_real_cluster() {
    let built = Built::parse(&aiw_build("overlays/production"));
    check_secure_defaults(&built, "production");

    for doc in &built.docs {
        check_recommended_labels(doc, "production");
    }

    // The HPA alone owns the backend's scale; the others have fixed counts.
    let hpa = built.get("HorizontalPodAutoscaler", "ai-agents-hpa");
    assert_eq!(str_at(hpa, &["spec", "scaleTargetRef", "name"]), "backend");
    assert_eq!(int_at(hpa, &["spec", "minReplicas"]), 3);
    assert_eq!(int_at(hpa, &["spec", "maxReplicas"]), 10);
    let backend = built.get("Deployment", "backend");
    assert!(
        backend.get_path(&["spec", "replicas"]).is_none(),
        "the HPA-scaled backend has no spec.replicas"
    );
    assert_eq!(
        int_at(built.get("Deployment", "frontend"), &["spec", "replicas"]),
        3
    );
    assert_eq!(
        int_at(built.get("Deployment", "mcp-server"), &["spec", "replicas"]),
        2
    );

    for name in WORKLOADS {
        let d = built.get("Deployment", name);
        let pod = at(d, &["spec", "template", "spec"]);

        // A PodDisruptionBudget selecting exactly this Deployment's pods.
        let pdb = built.get("PodDisruptionBudget", name);
        assert_eq!(
            string_map(pdb, &["spec", "selector", "matchLabels"]),
            string_map(d, &["spec", "selector", "matchLabels"]),
            "PDB {name} selects the Deployment's pods"
        );
        assert_eq!(int_at(pdb, &["spec", "maxUnavailable"]), 1, "PDB {name}");

        // Spread over nodes (hard) and zones (soft), counting this app only.
        let spread = seq_at(pod, &["topologySpreadConstraints"]);
        let mut keys: Vec<(&str, &str)> = spread
            .iter()
            .map(|t| {
                assert_eq!(
                    string_map(t, &["labelSelector", "matchLabels"]),
                    [("app".to_string(), name.to_string())],
                    "{name}: spread counts its own pods"
                );
                assert_eq!(int_at(t, &["maxSkew"]), 1, "{name}");
                (
                    str_at(t, &["topologyKey"]),
                    str_at(t, &["whenUnsatisfiable"]),
                )
            })
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                ("kubernetes.io/hostname", "DoNotSchedule"),
                ("topology.kubernetes.io/zone", "ScheduleAnyway"),
            ],
            "{name}: topology spread"
        );

        // Release images from the registry, tagged with the version.
        let c = container(d, name);
        assert_eq!(
            str_at(c, &["image"]),
            format!("registry.example.com/ai-wealth-companion/{name}:4.0.0"),
            "{name} image"
        );

        // Memory requests equal limits (no memory overcommit).
        assert_eq!(
            str_at(c, &["resources", "requests", "memory"]),
            str_at(c, &["resources", "limits", "memory"]),
            "{name}: memory request = limit"
        );
    }
    // The backend is Guaranteed QoS: CPU request = limit as well.
    let b = container(backend, "backend");
    assert_eq!(
        str_at(b, &["resources", "requests", "cpu"]),
        str_at(b, &["resources", "limits", "cpu"]),
        "backend: CPU request = limit"
    );

    // Configuration is hashed, so a change rolls the pods.
    let cm_name = built.output_name("ConfigMap", "app-config");
    assert_eq!(strip_hash(cm_name), Some("app-config"), "{cm_name}");
    let cm = built.generated("ConfigMap", "app-config");
    assert_eq!(str_at(cm, &["data", "DEBUG"]), "false");
    assert_eq!(
        str_at(cm, &["data", "CORS_ORIGINS"]),
        "https://ai-wealth.example.com"
    );

    // No Secret objects: the External Secrets Operator creates them under
    // the names the Deployments reference.
    assert_eq!(
        built.of_kind("Secret").count(),
        0,
        "no Secret in production"
    );
    let mut referenced: Vec<String> = WORKLOADS
        .iter()
        .filter_map(|name| container(built.get("Deployment", name), name).get("envFrom"))
        .flat_map(|e| e.as_seq().expect("envFrom list").iter())
        .filter_map(|e| e.get_path(&["secretRef", "name"]))
        .map(|n| n.as_str().expect("secret name").to_string())
        .collect();
    referenced.sort();
    referenced.dedup();
    let mut targets: Vec<String> = built
        .of_kind("ExternalSecret")
        .map(|es| {
            assert_eq!(str_at(es, &["apiVersion"]), "external-secrets.io/v1");
            assert_eq!(
                str_at(es, &["spec", "secretStoreRef", "kind"]),
                "ClusterSecretStore"
            );
            assert!(!seq_at(es, &["spec", "dataFrom"]).is_empty());
            let target = str_at(es, &["spec", "target", "name"]);
            assert_eq!(target, str_at(es, &["metadata", "name"]));
            target.to_string()
        })
        .collect();
    targets.sort();
    assert_eq!(
        targets,
        [
            "ai-credentials",
            "db-credentials",
            "jwt-secret",
            "oauth-credentials"
        ]
    );
    for name in &referenced {
        assert!(
            targets.contains(name),
            "Secret {name} has no ExternalSecret"
        );
    }

    // The database egress is narrowed to a CIDR, not the whole internet.
    let db = built.get("NetworkPolicy", "allow-database-egress");
    for rule in seq_at(db, &["spec", "egress"]) {
        for peer in seq_at(rule, &["to"]) {
            if let Some(cidr) = peer.get_path(&["ipBlock", "cidr"]) {
                assert_ne!(cidr.as_str(), Some("0.0.0.0/0"), "database egress CIDR");
            }
        }
    }

    // Everything the spec and issue 17 put in production, nothing else.
    let mut want: Vec<(String, String)> = [
        ("ConfigMap", "app-config"),
        ("Deployment", "backend"),
        ("Deployment", "frontend"),
        ("Deployment", "mcp-server"),
        ("ExternalSecret", "ai-credentials"),
        ("ExternalSecret", "db-credentials"),
        ("ExternalSecret", "jwt-secret"),
        ("ExternalSecret", "oauth-credentials"),
        ("HorizontalPodAutoscaler", "ai-agents-hpa"),
        ("Ingress", "ai-wealth-ingress"),
        ("Namespace", "ai-wealth"),
        ("NetworkPolicy", "allow-acme-http01-solver"),
        ("PodDisruptionBudget", "backend"),
        ("PodDisruptionBudget", "frontend"),
        ("PodDisruptionBudget", "mcp-server"),
        ("Service", "backend"),
        ("Service", "frontend"),
        ("Service", "mcp-server"),
    ]
    .iter()
    .map(|(k, n)| (k.to_string(), n.to_string()))
    .chain(security_inventory())
    .collect();
    want.sort();
    assert_eq!(built.inventory(), want);
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn release_version_is_written_once() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["base", "overlays", "components"] {
        files_under(&root.join(dir), &mut files);
    }
    // "4.0.0" standing alone (not inside an address such as 169.254.0.0).
    let mentions_version = |text: &str| {
        text.match_indices("4.0.0").any(|(i, m)| {
            let before = text[..i].chars().next_back();
            let after = text[i + m.len()..].chars().next();
            let part_of_number =
                |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
            !part_of_number(before) && !part_of_number(after)
        })
    };
    let holders: Vec<String> = files
        .iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .map(|text| mentions_version(&text))
                .unwrap_or(false)
        })
        .map(|f| {
            f.strip_prefix(&root)
                .expect("under the root")
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(holders, ["base/app-config.env"]);
}

/// Copies `from` into `to` (files and directories only).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("readable directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The production overlay with `components/secrets-from-env` in place of
/// `components/external-secrets`, as README describes for a cluster without
/// an operator: Secrets generated from untracked env files, hash-suffixed,
/// and referenced under those names. aiw must match kubectl byte for byte.
#[test]
fn production_with_secrets_from_env_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for dir in ["base", "overlays", "components"] {
        copy_tree(&repo_root().join(dir), &tmp.path().join(dir));
    }
    let kust = tmp.path().join("overlays/production/kustomization.yaml");
    let text = std::fs::read_to_string(&kust).expect("production kustomization");
    let swapped = text.replace(
        "  - ../../components/external-secrets\n",
        "  - ../../components/secrets-from-env\n",
    );
    assert_ne!(swapped, text, "the component line to swap is there");
    std::fs::write(&kust, swapped).expect("write kustomization");

    // Env files as the release pipeline would write them (fake values).
    let env_dir = tmp.path().join("components/secrets-from-env");
    let mut keys_by_secret: Vec<(&str, Vec<String>)> = Vec::new();
    for secret in [
        "db-credentials",
        "jwt-secret",
        "ai-credentials",
        "oauth-credentials",
    ] {
        let example = std::fs::read_to_string(env_dir.join(format!("{secret}.env.example")))
            .expect("example env file");
        let keys: Vec<String> = example
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains('='))
            .map(|l| l.split('=').next().expect("a key").to_string())
            .collect();
        let body: String = keys
            .iter()
            .map(|k| format!("{k}=test-value-for-{k}\n"))
            .collect();
        std::fs::write(env_dir.join(format!("{secret}.env")), body).expect("write env file");
        keys_by_secret.push((secret, keys));
    }

    let dir = tmp.path().join("overlays/production");
    let aiw = run_aiw_build(&dir);
    assert!(
        aiw.status.success(),
        "aiw build failed: {}",
        String::from_utf8_lossy(&aiw.stderr).trim_end()
    );
    if kubectl_available() {
        let kubectl = run_kubectl_kustomize(&dir);
        assert!(kubectl.status.success(), "kubectl kustomize failed");
        assert!(
            aiw.stdout == kubectl.stdout,
            "aiw and kubectl differ on production with secrets-from-env"
        );
    }

    let built = Built::parse(&String::from_utf8(aiw.stdout).expect("UTF-8"));
    assert_eq!(built.of_kind("ExternalSecret").count(), 0);
    for (secret, keys) in &keys_by_secret {
        let s = built.generated("Secret", secret);
        check_recommended_labels(s, "production");
        let out_name = str_at(s, &["metadata", "name"]);
        if *secret == "oauth-credentials" {
            assert_eq!(out_name, *secret, "no Deployment references it");
        } else {
            assert_eq!(strip_hash(out_name), Some(*secret), "{out_name} is hashed");
        }
        let mut data_keys: Vec<&String> = at(s, &["data"])
            .as_map()
            .expect("data mapping")
            .keys()
            .collect();
        data_keys.sort();
        let mut want: Vec<&String> = keys.iter().collect();
        want.sort();
        assert_eq!(data_keys, want, "Secret {secret} keys");
    }
    let backend = container(built.get("Deployment", "backend"), "backend");
    assert_eq!(
        env_from(backend),
        [
            (
                "Secret",
                built.output_name("Secret", "db-credentials").into()
            ),
            ("Secret", built.output_name("Secret", "jwt-secret").into()),
            (
                "Secret",
                built.output_name("Secret", "ai-credentials").into()
            ),
            (
                "ConfigMap",
                built.output_name("ConfigMap", "app-config").into()
            ),
        ]
    );
}
