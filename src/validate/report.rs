//! Renders a validation [`Report`]: one line per problem and a closing
//! summary line (human), or the versioned JSON document (`-o json`,
//! described in the README).

use serde_json::{Value as Json, json};

use super::{Location, LocationKind, Problem, Report};

/// The version of the JSON output's schema.
pub const JSON_VERSION: u64 = 1;

/// Output format of `aiw validate`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per problem, then a summary line.
    #[default]
    Human,
    /// The JSON document described in the README.
    Json,
}

/// Renders `report` about `target` (as given on the command line).
pub fn render(report: &Report, target: &str, format: Format) -> String {
    match format {
        Format::Human => human(report, target),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&to_json(report, target))
                .unwrap_or_else(|_| "{}".to_string());
            s.push('\n');
            s
        }
    }
}

/// The human report: the problem lines and the summary line.
pub fn human(report: &Report, target: &str) -> String {
    let mut out = String::new();
    for p in &report.problems {
        out.push_str(&problem_line(p));
        out.push('\n');
    }
    out.push_str(&summary_line(report, target));
    out.push('\n');
    out
}

/// `apps/v1 Deployment ns/name: spec.replicas: expected integer, got string "3" (deploy.yaml:12)`.
pub fn problem_line(p: &Problem) -> String {
    let mut line = resource_id(p);
    line.push_str(": ");
    if !p.path.is_empty() {
        line.push_str(&p.path);
        line.push_str(": ");
    }
    line.push_str(&p.message);
    if let Some(loc) = &p.location {
        line.push_str(" (");
        line.push_str(&location_text(loc));
        line.push(')');
    }
    line
}

/// `FILE:LINE`, or `output line N` for a line of the build output.
pub fn location_text(loc: &Location) -> String {
    match (loc.kind, &loc.file) {
        (LocationKind::Output, _) | (_, None) => format!("output line {}", loc.line),
        (_, Some(f)) => format!("{f}:{}", loc.line),
    }
}

/// The resource's id, with `?` for what the document lacks.
fn resource_id(p: &Problem) -> String {
    let r = &p.resource;
    let or_q = |s: &str| {
        if s.is_empty() {
            "?".to_string()
        } else {
            s.to_string()
        }
    };
    let name = if r.namespace.is_empty() {
        or_q(&r.name)
    } else {
        format!("{}/{}", r.namespace, or_q(&r.name))
    };
    format!("{} {} {}", or_q(&r.api_version), or_q(&r.kind), name)
}

/// `TARGET: valid for Kubernetes 1.37 (14 resources)` or
/// `TARGET: invalid for Kubernetes 1.37: 2 problems in 1 of 14 resources`.
pub fn summary_line(report: &Report, target: &str) -> String {
    let skipped = if report.skipped > 0 {
        format!(", {} skipped", report.skipped)
    } else {
        String::new()
    };
    let resources = plural(report.resources, "resource");
    if report.is_valid() {
        format!(
            "{target}: valid for Kubernetes {} ({resources}{skipped})",
            report.kubernetes_version
        )
    } else {
        format!(
            "{target}: invalid for Kubernetes {}: {} in {} of {resources}{skipped}",
            report.kubernetes_version,
            plural(report.problems.len(), "problem"),
            report.invalid_resources(),
        )
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The JSON document (schema version [`JSON_VERSION`]).
pub fn to_json(report: &Report, target: &str) -> Json {
    let problems: Vec<Json> = report
        .problems
        .iter()
        .map(|p| {
            let r = &p.resource;
            json!({
                "index": p.doc,
                "resource": {
                    "apiVersion": r.api_version,
                    "kind": r.kind,
                    "namespace": r.namespace,
                    "name": r.name,
                },
                "path": p.path,
                "problem": p.kind.as_str(),
                "message": p.message,
                "location": p.location.as_ref().map(|l| json!({
                    "kind": l.kind.as_str(),
                    "file": l.file,
                    "line": l.line,
                })),
            })
        })
        .collect();
    json!({
        "version": JSON_VERSION,
        "target": target,
        "kubernetesVersion": report.kubernetes_version,
        "valid": report.is_valid(),
        "summary": {
            "resources": report.resources,
            "invalid": report.invalid_resources(),
            "skipped": report.skipped,
            "problems": report.problems.len(),
        },
        "problems": problems,
    })
}
