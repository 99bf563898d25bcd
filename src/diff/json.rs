//! The stable JSON format of `aiw diff -o json` (schema version 1).
//!
//! ```json
//! {
//!   "version": 1,
//!   "old": "development",
//!   "new": "production",
//!   "summary": {"added": 0, "removed": 4, "modified": 9, "renamed": 0, "unchanged": 1},
//!   "changes": [
//!     {
//!       "change": "modified",
//!       "resource": {"apiVersion": "apps/v1", "kind": "Deployment",
//!                    "namespace": "ai-wealth", "name": "backend"},
//!       "fields": [
//!         {"path": "spec.replicas", "change": "modified", "old": 1, "new": 3}
//!       ]
//!     }
//!   ]
//! }
//! ```
//!
//! - `change` of a resource: `added`, `removed`, `modified`, `renamed`.
//! - `resource`: the new side's id (the old side's for `removed`);
//!   `namespace` is `""` for cluster-scoped objects. `renamed` entries also
//!   carry `oldResource`.
//! - `added` entries carry the whole object as `new`, `removed` ones as
//!   `old`; their `fields` is empty.
//! - `fields[].change`: `added` (only `new`), `removed` (only `old`),
//!   `modified` (both), `reordered` (a keyed list such as `containers` holds
//!   the same items in another order; `old` and `new` are the item keys).
//! - Secret `data`/`stringData` values are the mask strings unless
//!   `--show-secrets` was given.
//!
//! Keys are written in the order above; new keys may be added in later
//! versions, existing ones keep their meaning while `version` is 1.

use serde_json::{Map as JMap, Value as J, json};

use super::{ChangeKind, Diff, DocId, FieldChange, ResourceChange};
use crate::yaml::{Value, format_go_float, natural_less};

/// The schema version written in `version`.
pub const SCHEMA_VERSION: u64 = 1;

/// The whole diff as JSON; `old_label`/`new_label` name the sides.
pub fn to_json(diff: &Diff, old_label: &str, new_label: &str) -> J {
    let mut summary = JMap::new();
    for k in ChangeKind::ALL {
        summary.insert(k.as_str().into(), json!(diff.count(k)));
    }
    summary.insert("unchanged".into(), json!(diff.unchanged));
    json!({
        "version": SCHEMA_VERSION,
        "old": old_label,
        "new": new_label,
        "summary": J::Object(summary),
        "changes": diff.changes.iter().map(change_json).collect::<Vec<_>>(),
    })
}

fn id_json(id: &DocId) -> J {
    json!({
        "apiVersion": id.api_version,
        "kind": id.kind,
        "namespace": id.namespace,
        "name": id.name,
    })
}

fn change_json(c: &ResourceChange) -> J {
    let mut m = JMap::new();
    m.insert("change".into(), json!(c.kind.as_str()));
    m.insert("resource".into(), id_json(c.id()));
    if c.kind == ChangeKind::Renamed
        && let Some(old) = &c.old
    {
        m.insert("oldResource".into(), id_json(&old.id));
    }
    match c.kind {
        ChangeKind::Added => {
            if let Some(d) = &c.new {
                m.insert("new".into(), value_json(&d.value));
            }
        }
        ChangeKind::Removed => {
            if let Some(d) = &c.old {
                m.insert("old".into(), value_json(&d.value));
            }
        }
        _ => {}
    }
    m.insert(
        "fields".into(),
        J::Array(c.fields.iter().map(field_json).collect()),
    );
    J::Object(m)
}

fn field_json(f: &FieldChange) -> J {
    let mut m = JMap::new();
    m.insert("path".into(), json!(f.path));
    m.insert("change".into(), json!(f.kind.as_str()));
    if let Some(v) = &f.old {
        m.insert("old".into(), value_json(v));
    }
    if let Some(v) = &f.new {
        m.insert("new".into(), value_json(v));
    }
    J::Object(m)
}

/// The emitter's key order (go-yaml's natural order), ties broken bytewise.
pub(crate) fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    if natural_less(a, b) {
        std::cmp::Ordering::Less
    } else if natural_less(b, a) {
        std::cmp::Ordering::Greater
    } else {
        a.cmp(b)
    }
}

/// Converts a YAML value to JSON with mapping keys in the order `aiw build`
/// writes them; non-finite floats become strings (`NaN`, `+Inf`).
pub fn value_json(v: &Value) -> J {
    match v {
        Value::Null(_) => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => json!(i),
        Value::UInt(u) => json!(u),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .unwrap_or_else(|| J::String(format_go_float(*f))),
        Value::String(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(value_json).collect()),
        Value::Map(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| key_order(a.0, b.0));
            J::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), value_json(v)))
                    .collect(),
            )
        }
    }
}
