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
