//! Checks one value against a schema [`Tree`]: types, null, unknown and
//! required fields, enums, quantities, int-or-strings and the value
//! validations of custom schemas. Problems carry the path of the offending
//! value as keys and indices; the caller renders them.

use super::ProblemKind;
use super::schema::{
    Node, Ref, Special, T_ARRAY, T_BOOLEAN, T_INTEGER, T_NUMBER, T_OBJECT, T_STRING, Tree,
    definition, object_meta_def,
};
use crate::diff::semantic_eq;
use crate::yaml::{PathSeg, Value};

/// A problem before it is placed: where in the document, and what.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Found {
    /// Keys and indices from the document's root.
    pub path: Vec<PathSeg>,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What is wrong, in words.
    pub message: String,
}

/// One step of the path being walked (borrowed from the document).
#[derive(Clone, Copy, Debug)]
enum Seg<'v> {
    Key(&'v str),
    Index(usize),
}

/// Walks a document against a schema.
pub(crate) struct Checker<'v> {
    release: usize,
    path: Vec<Seg<'v>>,
    /// Problems found so far.
    pub found: Vec<Found>,
    /// Values may be quoted in messages (false for Secrets).
    show_values: bool,
    /// References followed without going deeper into the document (a
    /// schema whose `$ref`s loop ends here).
    refs: usize,
    /// References that may still be followed in this document (a schema
    /// whose references branch and loop would take forever otherwise).
    budget: usize,
}

/// Most references followed in a row at one place of a document.
const MAX_REFS: usize = 64;

/// Most references followed in one document.
const REF_BUDGET: usize = 1_000_000;

/// Deepest document nesting checked (deeper values are not looked at).
const MAX_DEPTH: usize = 256;

impl<'v> Checker<'v> {
    /// A checker for `release`; `show_values` false keeps values out of the
    /// messages.
    pub fn new(release: usize, show_values: bool) -> Self {
        Checker {
            release,
            path: Vec::new(),
            found: Vec::new(),
            show_values,
            refs: 0,
            budget: REF_BUDGET,
        }
    }

    /// Records a problem at the current path (plus `key`, when given).
    fn problem(&mut self, key: Option<&str>, kind: ProblemKind, message: String) {
        let mut path: Vec<PathSeg> = self
            .path
            .iter()
            .map(|s| match s {
                Seg::Key(k) => PathSeg::Key((*k).to_string()),
                Seg::Index(i) => PathSeg::Index(*i),
            })
            .collect();
        if let Some(k) = key {
            path.push(PathSeg::Key(k.to_string()));
        }
        self.found.push(Found {
            path,
            kind,
            message,
        });
    }

    /// `v` described for a message: its type, and its value when short and
    /// allowed.
    fn describe(&self, v: &Value) -> String {
        let t = type_word(v);
        if !self.show_values {
            return t.to_string();
        }
        match v {
            Value::String(s) if s.chars().count() <= 60 => format!("{t} {}", quote(s)),
            Value::String(_) => t.to_string(),
            Value::Seq(_) | Value::Map(_) | Value::Null(_) => t.to_string(),
            other => format!("{t} {other}"),
        }
    }

    /// Checks `v` against node `id` of `tree`.
    pub fn check(&mut self, v: &'v Value, tree: &Tree, id: u32) {
        if self.path.len() > MAX_DEPTH {
            return;
        }
        let Some(n) = tree.nodes.get(id as usize) else {
            return;
        };
        if let Some(r) = n.reference
            && self.refs < MAX_REFS
            && self.budget > 0
        {
            self.refs += 1;
            self.budget -= 1;
            match r {
                Ref::Def(d) => {
                    if let Some(t) = definition(self.release, d) {
                        self.check(v, t, 0);
                    }
                }
                Ref::Local(i) => self.check(v, tree, i),
            }
            self.refs -= 1;
        }
        if v.is_null() {
            self.check_null(n);
            return;
        }
        if n.types != 0 && !type_ok(v, n.types) {
            let msg = format!("expected {}, got {}", type_list(n.types), self.describe(v));
            self.problem(None, ProblemKind::Type, msg);
            return;
        }
        match n.special {
            Special::None => {}
            Special::Quantity => {
                let ok = match v {
                    Value::String(s) => is_quantity(s),
                    Value::Int(_) | Value::UInt(_) => true,
                    Value::Float(f) => f.is_finite(),
                    _ => false,
                };
                if !ok {
                    let msg = format!(
                        "expected a quantity (such as 500m, 2, 1.5Gi), got {}",
                        self.describe(v)
                    );
                    self.problem(None, ProblemKind::Quantity, msg);
                    return;
                }
            }
            Special::IntOrString => {
                if !matches!(v, Value::String(_) | Value::Int(_) | Value::UInt(_)) {
                    let msg = format!("expected an integer or a string, got {}", self.describe(v));
                    self.problem(None, ProblemKind::IntOrString, msg);
                    return;
                }
            }
        }
        if let Some(values) = &n.enumeration
            && !(n.unset_ok && v.as_str() == Some(""))
            && !values.iter().any(|e| semantic_eq(e, v))
        {
            let mut msg = format!(
                "{} is not one of {}",
                if self.show_values {
                    self.describe(v)
                } else {
                    "the value".to_string()
                },
                enum_list(values)
            );
            if self.show_values
                && let Some(s) = v.as_str()
                && let Some(near) = values
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|e| e.eq_ignore_ascii_case(s))
            {
                msg.push_str(&format!(" (did you mean {}?)", quote(near)));
            }
            self.problem(None, ProblemKind::Enum, msg);
        }
        match v {
            Value::Map(m) => {
                for (k, child) in m.iter() {
                    if let Some(pid) = n.prop(k) {
                        self.path.push(Seg::Key(k));
                        self.check_child(child, tree, pid);
                        self.path.pop();
                    } else if n.resource_fields
                        && matches!(k.as_str(), "apiVersion" | "kind" | "metadata")
                    {
                        self.path.push(Seg::Key(k));
                        self.check_resource_field(k, child);
                        self.path.pop();
                    } else if let Some(a) = n.additional {
                        self.path.push(Seg::Key(k));
                        self.check_child(child, tree, a);
                        self.path.pop();
                    } else if n.closed {
                        let msg = unknown_field_message(k, n);
                        self.problem(Some(k), ProblemKind::UnknownField, msg);
                    }
                }
                for r in &n.required {
                    if !m.contains_key(r) {
                        self.problem(
                            Some(r),
                            ProblemKind::Required,
                            "required field is missing".to_string(),
                        );
                    }
                }
            }
            Value::Seq(items) => {
                if let Some(it) = n.items {
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(Seg::Index(i));
                        self.check_child(item, tree, it);
                        self.path.pop();
                    }
                }
            }
            _ => {}
        }
        if let Some(x) = &n.extra {
            self.check_extra(v, tree, x);
        }
    }

    /// Checks a value one level down (references counted afresh there).
    fn check_child(&mut self, v: &'v Value, tree: &Tree, id: u32) {
        let refs = std::mem::replace(&mut self.refs, 0);
        self.check(v, tree, id);
        self.refs = refs;
    }

    /// Null where node `n` is expected.
    fn check_null(&mut self, n: &Node) {
        if let Some(values) = &n.enumeration
            && !n.unset_ok
        {
            if !values.iter().any(Value::is_null) {
                let msg = format!("null is not one of {}", enum_list(values));
                self.problem(None, ProblemKind::Enum, msg);
            }
        } else if n.special == Special::Quantity {
            let msg = "expected a quantity (such as 500m, 2, 1.5Gi), got null".to_string();
            self.problem(None, ProblemKind::Quantity, msg);
        } else if n.special == Special::IntOrString {
            let msg = "expected an integer or a string, got null".to_string();
            self.problem(None, ProblemKind::IntOrString, msg);
        } else if !n.nullable && n.types != 0 {
            let msg = format!("expected {}, got null", type_list(n.types));
            self.problem(None, ProblemKind::Type, msg);
        }
    }

    /// `apiVersion`, `kind` (strings) and `metadata` (an `ObjectMeta`) of a
    /// custom resource or an embedded resource.
    fn check_resource_field(&mut self, key: &str, v: &'v Value) {
        if key == "metadata" {
            if let Some(d) = object_meta_def()
                && let Some(t) = definition(self.release, d)
            {
                self.check(v, t, 0);
            }
        } else if !matches!(v, Value::String(_)) {
            let msg = format!("expected string, got {}", self.describe(v));
            self.problem(None, ProblemKind::Type, msg);
        }
    }

    /// Value validations of custom schemas.
    fn check_extra(&mut self, v: &'v Value, tree: &Tree, x: &super::schema::Extra) {
        if let Value::String(s) = v {
            let len = s.chars().count() as u64;
            if let Some((p, re)) = &x.pattern
                && !re.is_match(s)
            {
                let msg = format!(
                    "{} does not match the pattern {}",
                    self.describe(v),
                    quote(p)
                );
                self.problem(None, ProblemKind::Value, msg);
            }
            if let Some(min) = x.min_length
                && len < min
            {
                let msg = format!("string shorter than {min} characters");
                self.problem(None, ProblemKind::Value, msg);
            }
            if let Some(max) = x.max_length
                && len > max
            {
                let msg = format!("string longer than {max} characters");
                self.problem(None, ProblemKind::Value, msg);
            }
        }
        let num = match v {
            Value::Int(i) => Some(*i as f64),
            Value::UInt(u) => Some(*u as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        };
        if let Some(f) = num {
            if let Some((min, excl)) = x.minimum
                && (f < min || (excl && f == min))
            {
                let msg = format!(
                    "{} is {} {}",
                    self.describe(v),
                    if excl { "not above" } else { "below" },
                    crate::yaml::format_go_float(min)
                );
                self.problem(None, ProblemKind::Value, msg);
            }
            if let Some((max, excl)) = x.maximum
                && (f > max || (excl && f == max))
            {
                let msg = format!(
                    "{} is {} {}",
                    self.describe(v),
                    if excl { "not below" } else { "above" },
                    crate::yaml::format_go_float(max)
                );
                self.problem(None, ProblemKind::Value, msg);
            }
        }
        if let Value::Seq(items) = v {
            let len = items.len() as u64;
            if x.min_items.is_some_and(|m| len < m) || x.max_items.is_some_and(|m| len > m) {
                let msg = format!(
                    "{len} items, outside {}..{}",
                    x.min_items.unwrap_or(0),
                    x.max_items.map(|m| m.to_string()).unwrap_or_default()
                );
                self.problem(None, ProblemKind::Value, msg);
            }
        }
        if let Value::Map(m) = v {
            let len = m.len() as u64;
            if x.min_properties.is_some_and(|p| len < p)
                || x.max_properties.is_some_and(|p| len > p)
            {
                let msg = format!(
                    "{len} fields, outside {}..{}",
                    x.min_properties.unwrap_or(0),
                    x.max_properties.map(|m| m.to_string()).unwrap_or_default()
                );
                self.problem(None, ProblemKind::Value, msg);
            }
        }
        for &a in &x.all_of {
            self.check(v, tree, a);
        }
        if !x.any_of.is_empty() {
            let passing = x
                .any_of
                .iter()
                .filter(|&&a| self.passes(v, tree, a))
                .count();
            if passing == 0 {
                let msg = "matches none of the schemas of anyOf".to_string();
                self.problem(None, ProblemKind::Value, msg);
            }
        }
        if !x.one_of.is_empty() {
            let passing = x
                .one_of
                .iter()
                .filter(|&&a| self.passes(v, tree, a))
                .count();
            if passing != 1 {
                let msg = format!("matches {passing} of the schemas of oneOf (exactly 1 needed)");
                self.problem(None, ProblemKind::Value, msg);
            }
        }
        if let Some(not) = x.not
            && self.passes(v, tree, not)
        {
            let msg = "matches the schema of not".to_string();
            self.problem(None, ProblemKind::Value, msg);
        }
    }

    /// True when `v` passes node `id` (nothing recorded).
    fn passes(&mut self, v: &'v Value, tree: &Tree, id: u32) -> bool {
        let before = self.found.len();
        self.check(v, tree, id);
        let ok = self.found.len() == before;
        self.found.truncate(before);
        ok
    }
}

/// `unknown field "x"`, with the nearest known field when one is close.
fn unknown_field_message(k: &str, n: &Node) -> String {
    let near = n
        .props
        .iter()
        .map(|(p, _)| {
            (
                crate::suggest::edit_distance(&p.to_lowercase(), &k.to_lowercase()),
                p,
            )
        })
        .min();
    match near {
        Some((d, p)) if d <= 2.max(k.len() / 4) => {
            format!("unknown field {} (did you mean {}?)", quote(k), quote(p))
        }
        _ => format!("unknown field {}", quote(k)),
    }
}

/// True when `v` has one of the `types` bits.
fn type_ok(v: &Value, types: u8) -> bool {
    let bit = match v {
        Value::String(_) => T_STRING,
        Value::Int(_) | Value::UInt(_) => T_INTEGER | T_NUMBER,
        Value::Float(f) if f.fract() == 0.0 && f.is_finite() => T_INTEGER | T_NUMBER,
        Value::Float(_) => T_NUMBER,
        Value::Bool(_) => T_BOOLEAN,
        Value::Seq(_) => T_ARRAY,
        Value::Map(_) => T_OBJECT,
        Value::Null(_) => return true,
    };
    types & bit != 0
}

/// The type of a value in the words of JSON Schema.
fn type_word(v: &Value) -> &'static str {
    match v {
        Value::Null(_) => "null",
        Value::Bool(_) => "boolean",
        Value::Int(_) | Value::UInt(_) => "integer",
        Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

/// `string`, `integer or string`, … for the `types` bits.
fn type_list(types: u8) -> String {
    let names: Vec<&str> = [
        (T_OBJECT, "object"),
        (T_ARRAY, "array"),
        (T_STRING, "string"),
        (T_INTEGER, "integer"),
        (T_NUMBER, "number"),
        (T_BOOLEAN, "boolean"),
    ]
    .iter()
    .filter(|(b, _)| types & b != 0)
    .map(|(_, n)| *n)
    .collect();
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "any".to_string(),
    }
}

/// `"a", "b" or "c"`.
fn enum_list(values: &[Value]) -> String {
    let shown: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::String(s) => quote(s),
            Value::Null(_) => "null".to_string(),
            other => other.to_string(),
        })
        .collect();
    match shown.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "nothing (no value is allowed)".to_string(),
    }
}

/// A string in double quotes, JSON-escaped.
pub(crate) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// True for text in Kubernetes quantity syntax (`resource.Quantity`):
/// an optional sign, digits with an optional decimal point, then nothing,
/// a binary suffix (`Ki` … `Ei`), a decimal suffix (`m`, `k`, `M` … `E`) or
/// an exponent (`e3`, `E-2`).
pub fn is_quantity(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    match &s[i..] {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => {
            true
        }
        rest => {
            let Some(exp) = rest.strip_prefix(['e', 'E']) else {
                return false;
            };
            let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            !exp.is_empty() && exp.bytes().all(|c| c.is_ascii_digit())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in [
            "1", "500m", "1.5Gi", "0.5", ".5", "5.", "+1", "-2k", "1e3", "1E-2", "2Ei", "100M",
        ] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in [
            "", "lots", "1.2.3", "1 Gi", "1gi", "1KB", "e3", "1e", "1e+", ".", "Gi", " 1",
        ] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }

    #[test]
    fn type_lists() {
        assert_eq!(type_list(T_STRING), "string");
        assert_eq!(type_list(T_STRING | T_INTEGER), "string or integer");
        assert_eq!(
            type_list(T_OBJECT | T_STRING | T_BOOLEAN),
            "object, string or boolean"
        );
    }
}
