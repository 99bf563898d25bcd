//! Writing an explanation: the built YAML with a dim comment after each
//! value naming its last source, one field's whole history, or the JSON
//! format (see README "`aiw explain`").

use crate::diff::SECRET_MASK;
use crate::diff::json::value_json;
use crate::diff::render::inline_value;
use crate::resource::Resource;
use crate::yaml::{self, Value};

use super::query::Field;
use super::trail::{Event, Kids, Node, Origin};

/// The version of the JSON format; existing keys keep their meaning while it
/// stays the same (keys may be added).
pub const JSON_VERSION: u32 = 1;

/// How to write.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// Dim comments (ANSI escapes).
    pub color: bool,
    /// Print Secret values instead of masking them.
    pub show_secrets: bool,
}

/// An annotation that may hold a copy of a whole object (and so its Secret
/// values): masked on Secrets.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The resource's value with Secret data masked (unless shown).
fn shown_value<'r>(r: &'r Resource, opts: &RenderOptions) -> std::borrow::Cow<'r, Value> {
    if opts.show_secrets || r.kind() != "Secret" {
        return std::borrow::Cow::Borrowed(&r.value);
    }
    let mut v = r.value.clone();
    if let Some(m) = v.as_map_mut() {
        for field in ["data", "stringData"] {
            if let Some(Value::Map(d)) = m.get_mut(field) {
                for (_, x) in d.iter_mut() {
                    *x = Value::from(SECRET_MASK);
                }
            }
        }
    }
    if let Some(x) = v.get_path_mut(&["metadata", "annotations", LAST_APPLIED]) {
        *x = Value::from(SECRET_MASK);
    }
    std::borrow::Cow::Owned(v)
}

/// `file:line` of an event (`file` alone when the line is unknown).
fn at(file: &str, line: u32) -> String {
    if line == 0 {
        file.to_string()
    } else {
        format!("{file}:{line}")
    }
}

/// Where a copied value came from: `value from FILE:LINE, STEP`.
fn from_text(o: &Origin) -> String {
    format!(
        "value from {}, {}",
        at(&o.place.file, o.place.pos.line),
        o.step.as_str()
    )
}

/// The comment after a value: its last source.
fn comment(e: &Event, color: bool) -> String {
    let mut c = String::with_capacity(e.place.file.len() + 32);
    if color {
        c.push_str("\u{1b}[2m");
    }
    c.push_str("# ");
    c.push_str(&e.place.file);
    if e.place.pos.line > 0 {
        use std::fmt::Write as _;
        let _ = write!(c, ":{}", e.place.pos.line);
    }
    c.push_str(" (");
    c.push_str(e.step.as_str());
    if let Some(o) = &e.from {
        c.push_str("; ");
        c.push_str(&from_text(o));
    }
    c.push(')');
    if color {
        c.push_str("\u{1b}[0m");
    }
    c
}

/// Comments from a resource's trail, followed as the writer walks the
/// value.
struct TrailComments<'v> {
    /// The trail nodes of the collections the writer is in, innermost last
    /// (`None` below a node the trail lacks).
    stack: Vec<Option<&'v Node>>,
    color: bool,
}

impl yaml::Comments for TrailComments<'_> {
    const ACTIVE: bool = true;

    fn enter(&mut self, i: usize, key: Option<&str>) {
        let child = self
            .stack
            .last()
            .copied()
            .flatten()
            .and_then(|n| match (&n.kids, key) {
                (Kids::Map(kids), Some(key)) => match kids.get(i) {
                    Some((k, c)) if k == key => Some(c),
                    _ => kids.iter().find(|(k, _)| k == key).map(|(_, c)| c),
                },
                (Kids::Seq(kids), None) => kids.get(i),
                _ => None,
            });
        self.stack.push(child);
    }

    fn leave(&mut self) {
        self.stack.pop();
    }

    fn comment(&mut self, _: &Value) -> Option<String> {
        let n = self.stack.last().copied().flatten()?;
        n.last().map(|e| comment(e, self.color))
    }
}

/// One resource as `aiw build` writes it, each value followed by a comment
/// naming its last source.
pub fn resource_yaml(r: &Resource, opts: &RenderOptions) -> String {
    let v = shown_value(r, opts);
    let mut c = TrailComments {
        stack: vec![r.trail.as_ref().map(|t| &t.root)],
        color: opts.color,
    };
    yaml::emit_document_commented(&v, &mut c)
}

/// Resources rendered per worker thread, at least.
const RENDER_PARALLEL_MIN: usize = 64;

/// The whole build, as [`resource_yaml`] writes each resource, separated
/// by `---` as `aiw build` does (split over spare cores).
pub fn build_yaml(resources: &[Resource], opts: &RenderOptions) -> String {
    let mut refs: Vec<&Resource> = resources.iter().collect();
    let parts = crate::workers::map_parts(&mut refs, RENDER_PARALLEL_MIN, |offset, part| {
        let mut out = String::new();
        for (i, r) in part.iter().enumerate() {
            if offset + i > 0 {
                out.push_str("---\n");
            }
            out.push_str(&resource_yaml(r, opts));
        }
        out
    });
    parts.concat()
}

/// The value shown for a field (masked Secret data).
fn shown(v: &Value, masked: bool) -> Value {
    if masked {
        Value::from(SECRET_MASK)
    } else {
        v.clone()
    }
}

/// The history of `fields` of `r`: for each, its path and value, then one
/// line per step, oldest first: where (`file:line:column`), what kind of
/// step, the value after it (and, for copies, where the value came from).
pub fn history_text(r: &Resource, fields: &[Field<'_>], opts: &RenderOptions) -> String {
    let mut out = format!("{}\n", r.id().readable());
    for f in fields {
        let masked = !opts.show_secrets && f.secret;
        out.push_str(&format!(
            "{}: {}\n",
            f.path,
            inline_value(&shown(f.value, masked))
        ));
        let history = f.node.map(Node::history).unwrap_or_default();
        let rows: Vec<(String, &str, String, String)> = history
            .iter()
            .map(|e| {
                let p = e.place.pos;
                let place = if p.line == 0 {
                    e.place.file.to_string()
                } else {
                    format!("{}:{}:{}", e.place.file, p.line, p.column)
                };
                let from = e
                    .from
                    .as_ref()
                    .map(|o| format!("  ({})", from_text(o)))
                    .unwrap_or_default();
                (
                    place,
                    e.step.as_str(),
                    inline_value(&shown(&e.value, masked)),
                    from,
                )
            })
            .collect();
        let w_place = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        let w_step = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
        for (place, step, value, from) in rows {
            let place = format!("{place:<w_place$}");
            let place = if opts.color {
                format!("\u{1b}[2m{place}\u{1b}[0m")
            } else {
                place
            };
            out.push_str(&format!("  {place}  {step:<w_step$}  {value}{from}\n"));
        }
    }
    out
}

/// Appends `s` as a JSON string.
fn json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        if esc.is_empty() {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Appends a value as JSON (as `aiw diff`'s JSON writes values).
fn json_value(out: &mut String, v: &Value) {
    match v {
        Value::String(s) => json_str(out, s),
        Value::Null(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{i}");
        }
        Value::UInt(u) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{u}");
        }
        _ => out.push_str(&value_json(v).to_string()),
    }
}

/// Appends a value as JSON, or the mask.
fn json_shown(out: &mut String, v: &Value, masked: bool) {
    if masked {
        json_str(out, SECRET_MASK);
    } else {
        json_value(out, v);
    }
}

/// Appends `"file": …, "line": …, "column": …` of a place.
fn json_place(out: &mut String, file: &str, line: u32, column: u32) {
    use std::fmt::Write as _;
    out.push_str("\"file\": ");
    json_str(out, file);
    let _ = write!(out, ", \"line\": {line}, \"column\": {column}");
}

/// Appends the identity of a resource, as the JSON format writes it.
fn json_id(out: &mut String, r: &Resource) {
    for (i, (k, v)) in [
        ("apiVersion", r.api_version()),
        ("kind", r.kind()),
        ("namespace", r.namespace()),
        ("name", r.name()),
    ]
    .into_iter()
    .enumerate()
    {
        out.push_str(if i == 0 { "{\"" } else { ", \"" });
        out.push_str(k);
        out.push_str("\": ");
        json_str(out, v);
    }
    out.push('}');
}

/// Appends the fields of a resource, one per line indented by `indent`.
fn json_fields(out: &mut String, fields: &[Field<'_>], opts: &RenderOptions, indent: &str) {
    if fields.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push_str("[\n");
    for (n, f) in fields.iter().enumerate() {
        let masked = !opts.show_secrets && f.secret;
        out.push_str(indent);
        out.push_str("  {\"path\": ");
        json_str(out, &f.path);
        out.push_str(", \"value\": ");
        json_shown(out, f.value, masked);
        out.push_str(", \"history\": [");
        for (i, e) in f
            .node
            .map(Node::history)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if i > 0 {
                out.push_str(", ");
            }
            out.push('{');
            let p = e.place.pos;
            json_place(out, &e.place.file, p.line, p.column);
            out.push_str(", \"step\": ");
            json_str(out, e.step.as_str());
            out.push_str(", \"value\": ");
            json_shown(out, &e.value, masked);
            if let Some(o) = &e.from {
                out.push_str(", \"from\": {");
                let q = o.place.pos;
                json_place(out, &o.place.file, q.line, q.column);
                out.push_str(", \"step\": ");
                json_str(out, o.step.as_str());
                out.push('}');
            }
            out.push('}');
        }
        out.push_str("]}");
        out.push_str(if n + 1 < fields.len() { ",\n" } else { "\n" });
    }
    out.push_str(indent);
    out.push(']');
}

/// One resource (its `fields`) in the JSON format.
pub fn resource_json(r: &Resource, fields: &[Field<'_>], opts: &RenderOptions) -> String {
    let mut out = format!("{{\n  \"version\": {JSON_VERSION},\n  \"resource\": ");
    json_id(&mut out, r);
    out.push_str(",\n  \"fields\": ");
    json_fields(&mut out, fields, opts, "  ");
    out.push_str("\n}\n");
    out
}

/// The whole build in the JSON format (resources split over spare cores).
pub fn build_json(resources: &[Resource], opts: &RenderOptions) -> String {
    let mut refs: Vec<&Resource> = resources.iter().collect();
    let parts = crate::workers::map_parts(&mut refs, RENDER_PARALLEL_MIN, |offset, part| {
        let mut out = String::new();
        for (i, r) in part.iter().enumerate() {
            out.push_str(if offset + i > 0 {
                ",\n    {"
            } else {
                "\n    {"
            });
            out.push_str("\"resource\": ");
            json_id(&mut out, r);
            out.push_str(",\n     \"fields\": ");
            let fields = super::query::fields(&r.value, r.trail.as_ref().map(|t| &t.root));
            json_fields(&mut out, &fields, opts, "     ");
            out.push('}');
        }
        out
    });
    let body = parts.concat();
    let mut out = format!("{{\n  \"version\": {JSON_VERSION},\n  \"resources\": [");
    out.push_str(&body);
    out.push_str(if body.is_empty() {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    });
    out
}
