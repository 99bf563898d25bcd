//! Unit tests of validation (end-to-end cases live in tests/validate.rs).

use super::*;
use crate::yaml::parse_documents;

fn problems(yaml: &str) -> Vec<(String, ProblemKind)> {
    problems_with(yaml, &Options::newest())
}

fn problems_with(yaml: &str, opts: &Options) -> Vec<(String, ProblemKind)> {
    let docs = parse_documents(yaml).unwrap();
    let refs: Vec<&Value> = docs.iter().collect();
    let report = validate(&refs, &CustomSchemas::new(), opts, &NoLocations);
    report
        .problems
        .into_iter()
        .map(|p| (format!("{}: {}", p.path, p.message), p.kind))
        .collect()
}

#[test]
fn a_valid_deployment() {
    let y = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  selector:\n    matchLabels: {app: a}\n  template:\n    metadata:\n      labels: {app: a}\n    spec:\n      containers:\n      - name: a\n        image: a\n        resources:\n          limits: {cpu: 500m, memory: 1Gi}\n        ports:\n        - containerPort: 80\n";
    assert_eq!(problems(y), vec![]);
}

fn deployment(spec_extra: &str, container_extra: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n{spec_extra}  selector:\n    matchLabels: {{app: a}}\n  template:\n    metadata:\n      labels: {{app: a}}\n    spec:\n      containers:\n      - name: a\n        image: a\n{container_extra}"
    )
}

#[test]
fn unknown_fields_with_suggestions() {
    let p = problems(&deployment(
        "  replica: 2\n",
        "        imagePullPolcy: Always\n",
    ));
    assert_eq!(
        p,
        vec![
            (
                "spec.replica: unknown field \"replica\" (did you mean \"replicas\"?)".to_string(),
                ProblemKind::UnknownField
            ),
            (
                "spec.template.spec.containers[name=a].imagePullPolcy: unknown field \"imagePullPolcy\" (did you mean \"imagePullPolicy\"?)".to_string(),
                ProblemKind::UnknownField
            ),
        ]
    );
    // Nothing close: no suggestion.
    let p = problems(&deployment("  zzzzzzzz: 2\n", ""));
    assert_eq!(p[0].0, "spec.zzzzzzzz: unknown field \"zzzzzzzz\"");
}

#[test]
fn types_nulls_and_required() {
    let p = problems(&deployment(
        "  replicas: \"3\"\n  paused: null\n",
        "        ports:\n        - containerPort: 80.5\n",
    ));
    assert_eq!(
        p,
        vec![
            ("spec.replicas: expected integer, got string \"3\"".to_string(), ProblemKind::Type),
            (
                "spec.template.spec.containers[name=a].ports[0].containerPort: expected integer, got number 80.5".to_string(),
                ProblemKind::Type
            ),
        ]
    );
    let p = problems(
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - name: ~\n    protocol: TCP\n",
    );
    assert_eq!(
        p,
        vec![(
            "spec.ports[0].port: required field is missing".to_string(),
            ProblemKind::Required
        )]
    );
}

#[test]
fn quantities_and_int_or_strings() {
    let p = problems(&deployment(
        "  strategy:\n    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1.5}\n",
        "        resources:\n          limits: {cpu: lots, memory: 1Gi}\n          requests: {cpu: 0.5, memory: null}\n",
    ));
    let kinds: Vec<ProblemKind> = p.iter().map(|(_, k)| *k).collect();
    assert_eq!(
        kinds,
        [
            ProblemKind::IntOrString,
            ProblemKind::Quantity,
            ProblemKind::Quantity
        ],
        "{p:?}"
    );
    assert!(p[1].0.starts_with(
        "spec.template.spec.containers[name=a].resources.limits.cpu: expected a quantity"
    ));
    assert!(p[2].0.ends_with("got null"));
}

#[test]
fn secret_values_are_never_quoted() {
    let p = problems(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  token: 12345\nstringData:\n  a: [sekrit]\ntype: 99\n",
    );
    for (msg, _) in &p {
        assert!(
            !msg.contains("12345") && !msg.contains("sekrit") && !msg.contains("99"),
            "{msg}"
        );
    }
    assert_eq!(p.len(), 3, "{p:?}");
}

#[test]
fn api_versions_and_kinds() {
    let p = problems("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: a}\n");
    assert_eq!(p[0].1, ProblemKind::NotServed);
    assert!(
        p[0].0
            .ends_with("removed in 1.22; use networking.k8s.io/v1 Ingress"),
        "{p:?}"
    );
    let p = problems("kind: ConfigMap\nmetadata: {name: a}\n");
    assert_eq!(
        p,
        vec![(
            ": apiVersion missing or not a string".to_string(),
            ProblemKind::MissingType
        )]
    );
    let cr = "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: a}\n";
    assert_eq!(problems(cr)[0].1, ProblemKind::UnknownKind);
    let opts = Options {
        ignore_missing_schemas: true,
        ..Options::newest()
    };
    assert_eq!(problems_with(cr, &opts), vec![]);
    // A Kubernetes group is never a custom resource's.
    assert_eq!(
        problems_with("apiVersion: apps/v9\nkind: Deployment\n", &opts)[0].1,
        ProblemKind::NotServed
    );
}

#[test]
fn releases_differ() {
    let y = "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: PriorityLevelConfiguration\nmetadata: {name: a}\nspec:\n  type: Exempt\n";
    assert_eq!(
        problems_with(
            y,
            &Options {
                release: 0,
                ..Options::default()
            }
        ),
        vec![]
    );
    let p = problems(y);
    assert!(p[0].0.contains("removed in 1.32"), "{p:?}");
}

#[test]
fn skip_kinds() {
    let y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nspec: {}\n";
    for skip in ["ConfigMap", "v1/ConfigMap"] {
        let opts = Options {
            skip_kinds: vec![skip.to_string()],
            ..Options::newest()
        };
        let docs = parse_documents(y).unwrap();
        let refs: Vec<&Value> = docs.iter().collect();
        let report = validate(&refs, &CustomSchemas::new(), &opts, &NoLocations);
        assert!(report.is_valid());
        assert_eq!((report.resources, report.skipped), (1, 1));
    }
    let opts = Options {
        skip_kinds: vec!["apps/v1/ConfigMap".to_string()],
        ..Options::newest()
    };
    assert_eq!(problems_with(y, &opts).len(), 1);
}

#[test]
fn crds_in_the_input_are_used() {
    let y = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.example.com}\nspec:\n  group: example.com\n  names: {kind: Thing, plural: things}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              n: {type: integer, maximum: 3}\n              any: {x-kubernetes-preserve-unknown-fields: true}\n              list: {type: array, items: {type: string}, maxItems: 1}\n---\napiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t, labels: {a: b}}\nspec:\n  n: 4\n  any: {x: [1]}\n  list: [a, 1]\n  other: 1\n";
    let p = problems(y);
    assert_eq!(
        p,
        vec![
            (
                "spec.n: integer 4 is above 3".to_string(),
                ProblemKind::Value
            ),
            (
                "spec.list[1]: expected string, got integer 1".to_string(),
                ProblemKind::Type
            ),
            (
                "spec.list: 2 items, outside 0..1".to_string(),
                ProblemKind::Value
            ),
            (
                "spec.other: unknown field \"other\"".to_string(),
                ProblemKind::UnknownField
            ),
        ]
    );
}

#[test]
fn paths_name_list_items_as_diff_does() {
    let doc = parse_documents("spec:\n  containers:\n  - name: a\n  - name: b.c/d\n  ports:\n  - 1\n  - 2\n  labels:\n    app.kubernetes.io/name: x\n").unwrap().remove(0);
    let k = |s: &str| PathSeg::Key(s.to_string());
    assert_eq!(
        render_path(
            &doc,
            &[k("spec"), k("containers"), PathSeg::Index(1), k("image")]
        ),
        "spec.containers[name=b.c/d].image"
    );
    assert_eq!(
        render_path(&doc, &[k("spec"), k("ports"), PathSeg::Index(1)]),
        "spec.ports[1]"
    );
    assert_eq!(
        render_path(&doc, &[k("spec"), k("labels"), k("app.kubernetes.io/name")]),
        "spec.labels[\"app.kubernetes.io/name\"]"
    );
}

#[test]
fn file_locations_follow_list_items() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n  spec: 1\n";
    let (docs, origins) = load_documents(Path::new("f.yaml"), text).unwrap();
    assert_eq!(docs.len(), 2);
    let refs: Vec<&Value> = docs.iter().collect();
    let report = validate(
        &refs,
        &CustomSchemas::new(),
        &Options::newest(),
        &TextLocator::file(text, "f.yaml", origins),
    );
    assert_eq!(report.problems.len(), 1);
    let p = &report.problems[0];
    assert_eq!((p.doc, p.path.as_str()), (1, "spec"));
    assert_eq!(
        report::problem_line(p),
        "v1 ConfigMap b: spec: unknown field \"spec\" (f.yaml:11)"
    );
}

#[test]
fn bad_crd_schemas_are_problems_of_the_crd() {
    let y = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.example.com}\nspec:\n  group: example.com\n  names: {kind: Thing, plural: things}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          s: {type: string, pattern: \"(\"}\n";
    let p = problems(y);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].1, ProblemKind::BadSchema);
}

#[test]
fn looping_references_end() {
    let schema = parse_documents("definitions:\n  a: {$ref: '#/definitions/b'}\n  b: {$ref: '#/definitions/a', allOf: [{$ref: '#/definitions/a'}]}\n$ref: '#/definitions/a'\n").unwrap().remove(0);
    let tree = schema::convert(&schema, Dialect::JsonSchema, false).unwrap();
    let doc = parse_documents("x: 1\n").unwrap().remove(0);
    let mut c = Checker::new(0, true);
    c.check(&doc, &tree, 0);
    assert!(c.found.is_empty());
}

#[test]
fn enums_of_built_in_fields() {
    let p = problems(&deployment(
        "  strategy: {type: rolling}\n",
        "        imagePullPolicy: always\n        terminationMessagePolicy: \"\"\n        ports:\n        - containerPort: 80\n          protocol: null\n",
    ));
    assert_eq!(
        p,
        vec![
            (
                "spec.strategy.type: string \"rolling\" is not one of \"Recreate\" or \"RollingUpdate\"".to_string(),
                ProblemKind::Enum
            ),
            (
                "spec.template.spec.containers[name=a].imagePullPolicy: string \"always\" is not one of \"Always\", \"IfNotPresent\" or \"Never\" (did you mean \"Always\"?)".to_string(),
                ProblemKind::Enum
            ),
        ]
    );
    let p = problems(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: a}\nspec:\n  accessModes: [ReadWriteOnce, ReadWriteEverywhere]\n",
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].0
            .starts_with("spec.accessModes[1]: string \"ReadWriteEverywhere\" is not one of"),
        "{p:?}"
    );
}
