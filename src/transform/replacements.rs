//! kustomize `replacements`: copy a field of one resource into fields of
//! others (kustomize v5.5 `ReplacementTransformer` semantics).
//!
//! Behaviour reproduced (each checked with `kubectl kustomize`):
//! - the source is selected by exact group/version/kind/name/namespace
//!   (no regex in 5.5) against the current *and previous* ids, so the name
//!   before a `namePrefix` still selects; it must match exactly one resource;
//! - targets are selected the same way, filtered by `labelSelector` /
//!   `annotationSelector` and by `reject` entries (a reject with an id rejects
//!   on id, one with selectors rejects on labels/annotations);
//! - target field paths walk `[field=regex]` (an *unanchored* regex on the
//!   field's text: `[name=app]` also matches `myapp`), `[=value]`, numeric
//!   indexes, `*`, and `options.create` creates missing fields;
//! - a scalar target keeps its type and takes only the text (`"1"` stays a
//!   string, `replicas: 1` stays an integer, a non-integer into an integer
//!   field is an error); a created scalar takes the text as plain YAML
//!   (`"42"` becomes the number 42); a mapping/sequence target is replaced by
//!   the source node.

use regex::Regex;

use crate::error::Result;
use crate::fieldspec::NodeStep;
use crate::resource::{ResId, ResMap, Resource};
use crate::selector::{Selector, json_field, opt_string};
use crate::transform::NameIndex;
use crate::yaml::{Map, Value};
use crate::{bail, err};

/// The field path used when none is given.
pub const DEFAULT_FIELD_PATH: &str = "metadata.name";

/// `options:` of a source or target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldOptions {
    /// Split the field's text on this (empty = no splitting).
    pub delimiter: String,
    /// Which part of the split to read (source) or write (target; negative
    /// prepends, past the end appends).
    pub index: i64,
    /// Create missing target fields.
    pub create: bool,
}

/// Where a replacement's value comes from.
#[derive(Clone, Debug)]
pub struct Source {
    /// Which resource (only the id fields are used).
    pub selector: Selector,
    /// The field to read; defaults to `metadata.name`.
    pub field_path: String,
    /// Delimiter/index refinement.
    pub options: FieldOptions,
}

/// One `targets:` entry.
#[derive(Clone, Debug)]
pub struct Target {
    /// Resources to write to.
    pub select: Selector,
    /// Resources to leave alone.
    pub reject: Vec<Selector>,
    /// Fields to write; defaults to `[metadata.name]`.
    pub field_paths: Vec<String>,
    /// Delimiter/index/create options.
    pub options: FieldOptions,
}

/// One replacement: a source and its targets.
#[derive(Clone, Debug)]
pub struct Replacement {
    /// The value's origin.
    pub source: Source,
    /// Where it is written.
    pub targets: Vec<Target>,
}

/// One entry of a kustomization's `replacements:` list.
#[derive(Clone, Debug)]
pub enum ReplacementEntry {
    /// `- path: file.yaml` (the caller loads the file and parses it with
    /// [`parse_replacement_file`]).
    Path(String),
    /// An inline replacement.
    Inline(Box<Replacement>),
}

fn as_map<'a>(v: &'a Value, what: &str) -> Result<&'a Map> {
    match v {
        Value::Map(m) => Ok(m),
        other => bail!("{} must be a mapping, not {}", what, other.type_name()),
    }
}

fn parse_options(v: Option<&Value>, ctx: &str) -> Result<FieldOptions> {
    let m = match v {
        None | Some(Value::Null(_)) => return Ok(FieldOptions::default()),
        Some(v) => as_map(v, &format!("{ctx} options"))?,
    };
    let delimiter = opt_string(m, "delimiter", ctx)?;
    let index = match json_field(m, "index") {
        None | Some(Value::Null(_)) => 0,
        Some(Value::Int(i)) => *i,
        Some(v) => bail!(
            "{}: options.index must be an integer, not {} ({})",
            ctx,
            v.type_name(),
            v
        ),
    };
    let create = match json_field(m, "create") {
        None | Some(Value::Null(_)) => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => bail!("{}: options.create must be true or false, not {}", ctx, v),
    };
    Ok(FieldOptions {
        delimiter,
        index,
        create,
    })
}

fn default_path(p: String) -> String {
    if p.is_empty() {
        DEFAULT_FIELD_PATH.to_string()
    } else {
        p
    }
}

fn parse_target(v: &Value, i: usize) -> Result<Target> {
    let ctx = format!("replacement target {}", i + 1);
    let m = as_map(v, &ctx)?;
    let select = match json_field(m, "select") {
        None | Some(Value::Null(_)) => bail!(
            "{}: a target must specify resources to select (select:)",
            ctx
        ),
        Some(s) => Selector::from_value(s).map_err(|e| err!("{}: select: {}", ctx, e.message))?,
    };
    let reject = match json_field(m, "reject") {
        None | Some(Value::Null(_)) => Vec::new(),
        Some(Value::Seq(items)) => items
            .iter()
            .map(|r| Selector::from_value(r).map_err(|e| err!("{}: reject: {}", ctx, e.message)))
            .collect::<Result<Vec<_>>>()?,
        Some(v) => bail!("{}: reject must be a list, not {}", ctx, v.type_name()),
    };
    let field_paths = match json_field(m, "fieldPaths") {
        None | Some(Value::Null(_)) => Vec::new(),
        Some(Value::Seq(items)) => items
            .iter()
            .map(|p| match p {
                Value::String(s) => Ok(s.clone()),
                other => Err(err!(
                    "{}: fieldPaths entries must be strings, not {}",
                    ctx,
                    other.type_name()
                )),
            })
            .collect::<Result<Vec<_>>>()?,
        Some(v) => bail!("{}: fieldPaths must be a list, not {}", ctx, v.type_name()),
    };
    let field_paths = if field_paths.is_empty() {
        vec![DEFAULT_FIELD_PATH.to_string()]
    } else {
        field_paths
    };
    Ok(Target {
        select,
        reject,
        field_paths,
        options: parse_options(json_field(m, "options"), &ctx)?,
    })
}

/// Parses one replacement mapping (`source:` and `targets:`).
pub fn parse_replacement(v: &Value) -> Result<Replacement> {
    let m = as_map(v, "a replacement")?;
    let missing = || err!("replacements must specify a source and at least one target");
    let src = match json_field(m, "source") {
        None | Some(Value::Null(_)) => return Err(missing()),
        Some(s) => as_map(s, "replacement source")?,
    };
    let targets = match json_field(m, "targets") {
        None | Some(Value::Null(_)) => return Err(missing()),
        Some(Value::Seq(t)) if t.is_empty() => return Err(missing()),
        Some(Value::Seq(t)) => t,
        Some(v) => bail!("replacement targets must be a list, not {}", v.type_name()),
    };
    let ctx = "replacement source";
    let selector = Selector::new(
        &opt_string(src, "group", ctx)?,
        &opt_string(src, "version", ctx)?,
        &opt_string(src, "kind", ctx)?,
        &opt_string(src, "name", ctx)?,
        &opt_string(src, "namespace", ctx)?,
        "",
        "",
    )?;
    let source = Source {
        selector,
        field_path: default_path(opt_string(src, "fieldPath", ctx)?),
        options: parse_options(json_field(src, "options"), ctx)?,
    };
    let targets = targets
        .iter()
        .enumerate()
        .map(|(i, t)| parse_target(t, i))
        .collect::<Result<Vec<_>>>()?;
    Ok(Replacement { source, targets })
}

/// Parses one entry of a kustomization's `replacements:` list: either
/// `{path: file}` or an inline replacement (both at once is an error).
pub fn parse_entry(v: &Value) -> Result<ReplacementEntry> {
    let m = as_map(v, "a replacements entry")?;
    let path = opt_string(m, "path", "replacements entry")?;
    if path.is_empty() {
        return Ok(ReplacementEntry::Inline(Box::new(parse_replacement(v)?)));
    }
    let has_inline = json_field(m, "source").is_some_and(|s| !s.is_null())
        || json_field(m, "targets").is_some_and(|t| t.as_seq().is_some_and(|s| !s.is_empty()));
    if has_inline {
        bail!("cannot specify both path and inline replacement");
    }
    Ok(ReplacementEntry::Path(path))
}

/// Parses the content of a file named by `replacements: - path:`: a list of
/// replacements or a single one.
pub fn parse_replacement_file(v: &Value) -> Result<Vec<Replacement>> {
    match v {
        Value::Seq(items) => items.iter().map(parse_replacement).collect(),
        Value::Map(_) => Ok(vec![parse_replacement(v)?]),
        other => bail!(
            "a replacements file must hold a list or a mapping, not {}",
            other.type_name()
        ),
    }
}

// ---------------------------------------------------------------------------
// Field paths

/// Splits a field path the way kustomize does: on `.`, with `\.` escaping a
/// dot, a leading `.` ignored, and bracketed parts kept whole (`[name=a.b]`
/// keeps its brackets; `[a.b]` becomes the map key `a.b`).
pub fn split_field_path(path: &str) -> Vec<String> {
    let mut ps: Vec<&str> = path.split('.').collect();
    if ps.len() > 1 && ps[0].is_empty() {
        ps.remove(0);
    }
    let mut plain: Vec<String> = Vec::with_capacity(ps.len());
    for p in ps {
        match plain.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('.');
                last.push_str(p);
            }
            _ => plain.push(p.to_string()),
        }
    }
    let mut out = Vec::with_capacity(plain.len());
    let mut i = 0;
    while i < plain.len() {
        let elem = &plain[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut parts = vec![elem.clone()];
            while i < plain.len() - 1 {
                i += 1;
                parts.push(plain[i].clone());
                if plain[i].ends_with(']') {
                    break;
                }
            }
            let joined = parts.join(".");
            if joined.contains('=') {
                out.push(joined);
            } else {
                out.push(joined.trim_matches(|c| c == '[' || c == ']').to_string());
            }
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

fn is_list_index(p: &str) -> bool {
    p.starts_with('[') && p.ends_with(']')
}

/// Go `strconv.Atoi` of a path part, when it is a non-negative integer.
fn idx_number(p: &str) -> Option<usize> {
    p.parse::<i64>()
        .ok()
        .filter(|i| *i >= 0)
        .map(|i| i as usize)
}

fn split_index(p: &str) -> Result<(String, String)> {
    let inner = p.strip_prefix('[').unwrap_or(p);
    let inner = inner.strip_suffix(']').unwrap_or(inner);
    match inner.split_once('=') {
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => bail!("list path element {p:?} must be of the form [fieldName=fieldValue]"),
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "a mapping",
        Value::Seq(_) => "a sequence",
        _ => "a scalar",
    }
}

/// Reads the field at `parts` as kustomize's `Lookup` does (no wildcards,
/// `[k=v]` exact, `-` for the last item). `Ok(None)` when absent.
pub fn lookup<'a>(node: &'a Value, parts: &[String]) -> Result<Option<&'a Value>> {
    let mut cur = node;
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if cur.is_null() {
            return Ok(None);
        }
        let next = if let Ok(i) = part.parse::<i64>() {
            if i < 0 {
                bail!("array index {i} cannot be negative");
            }
            match cur {
                Value::Seq(s) => s.get(i as usize),
                other => bail!(
                    "cannot index {} with {part}: expected a sequence",
                    kind_name(other)
                ),
            }
        } else if part == "-" {
            match cur {
                Value::Seq(s) => s.last(),
                other => bail!(
                    "cannot take '-' of {}: expected a sequence",
                    kind_name(other)
                ),
            }
        } else if part == "*" {
            bail!("wildcard '*' is not supported in this field path");
        } else if is_list_index(part) {
            let (k, want) = split_index(part)?;
            let Value::Seq(items) = cur else {
                bail!(
                    "cannot match {part} in {}: expected a sequence",
                    kind_name(cur)
                );
            };
            if k.is_empty() {
                items
                    .iter()
                    .find(|e| e.scalar_string().is_some_and(|s| s == want))
            } else {
                items.iter().find(|e| {
                    e.get(&k).is_some_and(|f| {
                        !f.is_null() && f.scalar_string().is_some_and(|s| s == want)
                    })
                })
            }
        } else {
            match cur {
                Value::Map(m) => m.get(part),
                other => bail!(
                    "cannot read field {part:?} of {}: expected a mapping",
                    kind_name(other)
                ),
            }
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

// ---------------------------------------------------------------------------
// Scalars: kustomize keeps a YAML tag beside the text.

/// A scalar's YAML type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Str,
    Int,
    Float,
    Bool,
    Null,
}

impl Tag {
    fn of(v: &Value) -> Option<Tag> {
        Some(match v {
            Value::String(_) => Tag::Str,
            Value::Int(_) | Value::UInt(_) => Tag::Int,
            Value::Float(_) => Tag::Float,
            Value::Bool(_) => Tag::Bool,
            Value::Null(_) => Tag::Null,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Tag::Str => "string",
            Tag::Int => "integer",
            Tag::Float => "float",
            Tag::Bool => "boolean",
            Tag::Null => "null",
        }
    }
}

/// Go `strconv.ParseInt(s, 0, 64)` on text without underscores.
fn go_parse_int(s: &str) -> Option<Result<i64, u64>> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Some(Ok((mag as i128).wrapping_neg() as i64))
        } else {
            None
        }
    } else if mag <= i64::MAX as u64 {
        Some(Ok(mag as i64))
    } else if s.starts_with('+') {
        None
    } else {
        Some(Err(mag))
    }
}

/// The value a plain (untagged) YAML scalar with this text resolves to under
/// yaml.v3 rules, as kustomize reads it.
pub(crate) fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::NULL,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Value::String(text.to_string());
    }
    let plain: String = text.chars().filter(|c| *c != '_').collect();
    match go_parse_int(&plain) {
        Some(Ok(i)) => return Value::Int(i),
        Some(Err(u)) => return Value::UInt(u),
        None => {}
    }
    static FLOAT: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = FLOAT.get_or_init(|| {
        Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").expect("regex")
    });
    if re.is_match(&plain)
        && let Ok(f) = plain.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::String(text.to_string())
}

/// A scalar with tag `tag` and text `text`, as kustomize later decodes it;
/// an error when the text does not fit the tag.
fn typed_scalar(tag: Tag, text: &str) -> Result<Value> {
    if tag == Tag::Str {
        return Ok(Value::String(text.to_string()));
    }
    let v = resolve_plain(text);
    let fits = match tag {
        Tag::Int => matches!(v, Value::Int(_) | Value::UInt(_)),
        Tag::Float => matches!(v, Value::Int(_) | Value::UInt(_) | Value::Float(_)),
        Tag::Bool => matches!(v, Value::Bool(_)),
        Tag::Null => v.is_null(),
        Tag::Str => true,
    };
    if fits {
        Ok(v)
    } else {
        let got = Tag::of(&v).unwrap_or(Tag::Str);
        bail!(
            "a {} value cannot be stored in a {} field",
            got.name(),
            tag.name()
        )
    }
}

/// The value a replacement writes: a typed scalar or a whole node.
#[derive(Clone, Debug)]
enum SourceValue {
    Scalar(Tag, String),
    Node(Value),
}

impl SourceValue {
    fn from_value(v: &Value) -> SourceValue {
        match Tag::of(v) {
            Some(t) => SourceValue::Scalar(t, v.scalar_string().unwrap_or_default()),
            None => SourceValue::Node(v.clone()),
        }
    }

    fn is_scalar(&self) -> bool {
        matches!(self, SourceValue::Scalar(..))
    }
}

/// How a created leaf looks before the value lands in it.
fn created_leaf(src: &SourceValue) -> Value {
    match src {
        SourceValue::Scalar(..) => Value::NULL,
        SourceValue::Node(Value::Seq(_)) => Value::Seq(Vec::new()),
        SourceValue::Node(_) => Value::Map(Map::new()),
    }
}

/// The node to create for a path part followed by `next` (kustomize
/// `getPathPartKind`).
fn node_for_next(next: Option<&String>, src: &SourceValue) -> Value {
    match next {
        None => created_leaf(src),
        Some(n) if is_list_index(n) || idx_number(n).is_some() => Value::Seq(Vec::new()),
        Some(_) => Value::Map(Map::new()),
    }
}

/// `Regex::new(pattern)`, compiled once per thread: a path's `[field=re]`
/// part is matched in every target resource, and compiling costs far more
/// than matching.
fn cached_regex(pattern: &str) -> std::result::Result<Regex, regex::Error> {
    thread_local! {
        static COMPILED: std::cell::RefCell<rustc_hash::FxHashMap<String, Regex>> =
            Default::default();
    }
    COMPILED.with(|c| {
        if let Some(re) = c.borrow().get(pattern) {
            return Ok(re.clone());
        }
        let re = Regex::new(pattern)?;
        c.borrow_mut().insert(pattern.to_string(), re.clone());
        Ok(re)
    })
}

type Visit<'a> = dyn FnMut(&mut Value, bool, &[NodeStep]) -> Result<()> + 'a;

/// kustomize's `PathMatcher`: calls `f` on every node matching `parts`
/// (with `true` for freshly created, untyped scalars, and the node's
/// position below the starting `trail`); returns how many.
fn walk(
    node: &mut Value,
    parts: &[String],
    create: Option<&SourceValue>,
    fresh: bool,
    trail: &mut Vec<NodeStep>,
    f: &mut Visit<'_>,
) -> Result<usize> {
    let Some(part) = parts.first() else {
        f(node, fresh, trail)?;
        return Ok(1);
    };
    let rest = &parts[1..];
    if let Some(idx) = idx_number(part) {
        let items = match node {
            Value::Seq(s) => s,
            Value::Null(_) => return Ok(0),
            other => bail!(
                "cannot index {} with {part}: expected a sequence",
                kind_name(other)
            ),
        };
        let mut new = false;
        if let Some(src) = create
            && items.len() == idx
        {
            items.push(node_for_next(rest.first(), src));
            new = rest.is_empty() && src.is_scalar();
        }
        let len = items.len();
        let Some(elem) = items.get_mut(idx) else {
            bail!("index {idx} specified but only {len} elements found");
        };
        trail.push(NodeStep::Item(idx));
        let n = walk(elem, rest, create, new, trail, f);
        trail.pop();
        return n;
    }
    if is_list_index(part) {
        let (field, pattern) = split_index(part)?;
        let re =
            cached_regex(&pattern).map_err(|e| err!("invalid regex {pattern:?} in {part}: {e}"))?;
        let items = match node {
            Value::Seq(s) => s,
            Value::Null(_) => return Ok(0),
            other => bail!(
                "cannot match {part} in {}: expected a sequence",
                kind_name(other)
            ),
        };
        let mut count = 0;
        let mut created: Option<usize> = None;
        for _ in 0..2 {
            for (i, elem) in items.iter_mut().enumerate() {
                if field.is_empty() {
                    // kustomize returns the element itself, ignoring the rest
                    // of the path; an element it just created is untyped.
                    if elem.scalar_string().is_some_and(|s| re.is_match(s.trim())) {
                        trail.push(NodeStep::Item(i));
                        let r = f(elem, created == Some(i), trail);
                        trail.pop();
                        r?;
                        count += 1;
                    }
                } else {
                    let hit = elem
                        .get(&field)
                        .filter(|v| !v.is_null())
                        .and_then(Value::scalar_string)
                        .is_some_and(|s| re.is_match(s.trim()));
                    if hit {
                        trail.push(NodeStep::Item(i));
                        let n = walk(elem, rest, create, false, trail, f);
                        trail.pop();
                        count += n?;
                    }
                }
            }
            if count > 0 || create.is_none() {
                break;
            }
            let value = resolve_plain(&pattern);
            created = Some(items.len());
            items.push(if field.is_empty() {
                value
            } else {
                let mut m = Map::new();
                m.insert(field.clone(), Value::String(pattern.clone()));
                Value::Map(m)
            });
        }
        return Ok(count);
    }
    if part == "*" {
        let items = match node {
            Value::Seq(s) => s,
            Value::Null(_) => return Ok(0),
            other => bail!(
                "cannot use '*' on {}: expected a sequence",
                kind_name(other)
            ),
        };
        let mut count = 0;
        for (i, elem) in items.iter_mut().enumerate() {
            trail.push(NodeStep::Item(i));
            let n = walk(elem, rest, create, false, trail, f);
            trail.pop();
            count += n?;
        }
        return Ok(count);
    }
    match node {
        Value::Map(m) => {
            let mut new = false;
            if !m.contains_key(part) {
                let Some(src) = create else { return Ok(0) };
                m.insert(part.clone(), node_for_next(rest.first(), src));
                new = rest.is_empty() && src.is_scalar();
            }
            let Some(at) = m.position(part) else {
                return Ok(0);
            };
            trail.push(NodeStep::Entry(at));
            let n = match m.value_at_mut(at) {
                Some(child) => walk(child, rest, create, new, trail, f),
                None => Ok(0),
            };
            trail.pop();
            n
        }
        // kustomize "creates" under a null node without any visible effect.
        Value::Null(_) => Ok(if create.is_some() { 1 } else { 0 }),
        other => bail!(
            "cannot read field {part:?} of {}: expected a mapping",
            kind_name(other)
        ),
    }
}

/// Writes `value` into one target node (kustomize `setFieldValue`).
fn set_field(
    target: &mut Value,
    fresh: bool,
    value: &SourceValue,
    opts: &FieldOptions,
) -> Result<()> {
    let mut value = value.clone();
    if !opts.delimiter.is_empty() {
        let Some(cur) = (if fresh {
            Some(String::new())
        } else {
            target.scalar_string()
        }) else {
            bail!("delimiter option can only be used with scalar nodes");
        };
        let mut parts: Vec<String> = cur
            .split(opts.delimiter.as_str())
            .map(str::to_string)
            .collect();
        let v = match &value {
            SourceValue::Scalar(_, t) => t.clone(),
            SourceValue::Node(_) => String::new(),
        };
        if opts.index < 0 {
            parts.insert(0, v);
        } else if opts.index as usize >= parts.len() {
            parts.push(v);
        } else {
            parts[opts.index as usize] = v;
        }
        let joined = parts.join(&opts.delimiter);
        value = match value {
            SourceValue::Scalar(t, _) => SourceValue::Scalar(t, joined),
            SourceValue::Node(_) => SourceValue::Scalar(Tag::Str, joined),
        };
    }
    let target_tag = if fresh { None } else { Tag::of(target) };
    match (target_tag, &value, fresh) {
        (_, SourceValue::Scalar(_, text), true) => *target = resolve_plain(text),
        (Some(tag), SourceValue::Scalar(_, text), false) => *target = typed_scalar(tag, text)?,
        // A scalar target takes only the text of a scalar; a mapping or
        // sequence source replaces it (and any non-scalar target) whole.
        (Some(_), SourceValue::Node(n), _) | (None, SourceValue::Node(n), _) => *target = n.clone(),
        (None, SourceValue::Scalar(tag, text), _) => *target = typed_scalar(*tag, text)?,
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Applying

fn all_ids(r: &Resource) -> Vec<ResId> {
    let mut ids = Vec::with_capacity(1 + r.prev_ids.len());
    ids.push(r.id());
    ids.extend(r.prev_ids.iter().cloned());
    ids
}

/// Positions of resources by every name they had (current and previous).
fn name_index(resources: &ResMap) -> NameIndex {
    NameIndex::new(resources.resources().iter().enumerate().flat_map(|(i, r)| {
        std::iter::once(r.name())
            .chain(r.prev_ids.iter().map(|id| id.name.as_str()))
            .map(move |name| (name, i))
    }))
}

/// The positions a selector may select, in order: those with its name (or
/// a name of the same hash), or every one when it names none.
fn candidates(sel: &Selector, resources: &ResMap, idx: &NameIndex) -> Vec<usize> {
    if sel.name().is_empty() {
        return (0..resources.len()).collect();
    }
    idx.positions(sel.name()).collect()
}

fn find_source(src: &Source, resources: &ResMap, idx: &NameIndex) -> Result<usize> {
    let mut found: Option<usize> = None;
    for pos in candidates(&src.selector, resources, idx) {
        let r = resources.get(pos);
        if all_ids(r).iter().any(|id| src.selector.selects_id(id)) {
            if let Some(first) = found {
                bail!(
                    "replacement source {} matches more than one resource: {} and {}",
                    src.selector.describe(),
                    resources.get(first).id(),
                    r.id()
                );
            }
            found = Some(pos);
        }
    }
    found.ok_or_else(|| {
        let wanted = ResId {
            gvk: crate::resource::Gvk {
                group: src.selector.group().to_string(),
                version: src.selector.version().to_string(),
                kind: src.selector.kind().to_string(),
            },
            namespace: src.selector.namespace().to_string(),
            name: src.selector.name().to_string(),
        };
        err!(
            "replacement source {} matches no resource{}",
            src.selector.describe(),
            crate::suggest::nearest_ids(resources, &wanted)
        )
    })
}

fn source_value(src: &Source, r: &Resource) -> Result<SourceValue> {
    let parts = split_field_path(&src.field_path);
    let found = lookup(&r.value, &parts).map_err(|e| {
        err!(
            "replacement source {}: field path {:?}: {}",
            r.id(),
            src.field_path,
            e.message
        )
    })?;
    let v = match found {
        None | Some(Value::Null(_)) => None,
        Some(Value::Map(m)) if m.is_empty() => None,
        Some(Value::Seq(s)) if s.is_empty() => None,
        Some(v) => Some(v),
    };
    let Some(v) = v else {
        bail!(
            "field path {:?} is missing (or empty) in replacement source {}",
            src.field_path,
            r.id()
        );
    };
    let sv = SourceValue::from_value(v);
    if src.options.delimiter.is_empty() {
        return Ok(sv);
    }
    let SourceValue::Scalar(tag, text) = sv else {
        bail!(
            "replacement source {}: delimiter option can only be used with scalar fields, {:?} is {}",
            r.id(),
            src.field_path,
            kind_name(v)
        );
    };
    let parts: Vec<&str> = text.split(src.options.delimiter.as_str()).collect();
    let i = src.options.index;
    if i < 0 || i as usize >= parts.len() {
        bail!(
            "replacement source {}: options.index {} is out of bounds: {:?} splits into {} parts on {:?}",
            r.id(),
            i,
            src.field_path,
            parts.len(),
            src.options.delimiter
        );
    }
    Ok(SourceValue::Scalar(tag, parts[i as usize].to_string()))
}

fn is_target(t: &Target, r: &Resource) -> bool {
    // Any of the resource's ids (current or previous), read in place.
    let selects = |sel: &Selector| {
        sel.selects_current_id(r) || r.prev_ids.iter().any(|id| sel.selects_id(id))
    };
    selects(&t.select)
        && t.select.matches_meta(r)
        && !t
            .reject
            .iter()
            .any(|rej| !rej.meta_is_empty() && rej.matches_meta(r))
        && !t
            .reject
            .iter()
            .any(|rej| !rej.id_is_empty() && selects(rej))
}

fn write_target(r: &mut Resource, t: &Target, value: &SourceValue) -> Result<()> {
    for fp in &t.field_paths {
        let parts = split_field_path(fp);
        let what = if t.options.create {
            "unable to find or create field"
        } else {
            "unable to find field"
        };
        let id = r.id();
        let create = t.options.create.then_some(value);
        let wrap = |e: crate::Error| {
            err!(
                "{} {:?} in replacement target {}: {}",
                what,
                fp,
                id,
                e.message
            )
        };
        let mut trail = Vec::new();
        let keys = parts
            .iter()
            .map(String::as_str)
            .filter(|p| idx_number(p).is_none() && !is_list_index(p) && *p != "*");
        if r.aliases.is_empty() || !r.aliases.reachable_by(keys) {
            let mut visit = |node: &mut Value, fresh: bool, _: &[NodeStep]| {
                set_field(node, fresh, value, &t.options)
            };
            let n =
                walk(&mut r.value, &parts, create, false, &mut trail, &mut visit).map_err(wrap)?;
            if n == 0 {
                bail!("{} {:?} in replacement target {}", what, fp, id);
            }
            continue;
        }
        // Shared nodes: find the targets first (as kustomize's
        // `PathMatcher` does), then write them one at a time, each write
        // passed to the node's aliases before the next.
        let mut hits: Vec<(Vec<NodeStep>, bool)> = Vec::new();
        let mut visit = |_: &mut Value, fresh: bool, at: &[NodeStep]| {
            hits.push((at.to_vec(), fresh));
            Ok(())
        };
        let n = walk(&mut r.value, &parts, create, false, &mut trail, &mut visit).map_err(wrap)?;
        if n == 0 {
            bail!("{} {:?} in replacement target {}", what, fp, id);
        }
        let trails: Vec<Vec<NodeStep>> = hits.iter().map(|(t, _)| t.clone()).collect();
        crate::alias::write_each(r, &trails, &mut |node, i| {
            // A mapping or list target takes new nodes.
            let whole = matches!(node, Value::Map(_) | Value::Seq(_));
            set_field(node, hits[i].1, value, &t.options)?;
            Ok(whole)
        })
        .map_err(wrap)?;
    }
    Ok(())
}

/// The resource (its position) and the field a replacement reads its value
/// from, when it selects exactly one (for `aiw explain`).
pub(crate) fn source_field<'r>(
    rep: &Replacement,
    resources: &'r ResMap,
) -> Option<(usize, &'r Value)> {
    let idx = name_index(resources);
    let pos = find_source(&rep.source, resources, &idx).ok()?;
    let parts = split_field_path(&rep.source.field_path);
    let v = lookup(&resources.get(pos).value, &parts).ok()??;
    Some((pos, v))
}

/// Applies replacements in order to `resources` (kustomize runs them after
/// every other transformer of the same kustomization).
pub fn apply_replacements(resources: &mut ResMap, replacements: &[Replacement]) -> Result<()> {
    let mut idx = name_index(resources);
    for rep in replacements {
        let src_pos = find_source(&rep.source, resources, &idx)?;
        let value = source_value(&rep.source, resources.get(src_pos))?;
        let mut ids_changed = false;
        for t in &rep.targets {
            let positions: Vec<usize> = candidates(&t.select, resources, &idx)
                .into_iter()
                .filter(|&pos| is_target(t, resources.get(pos)))
                .collect();
            // Each target resource on its own, split over spare cores.
            let written = resources.update_each(&positions, |_, r| -> Result<bool> {
                let before = r.id();
                write_target(r, t, &value)?;
                Ok(r.id() != before)
            });
            for changed in written {
                ids_changed |= changed?;
            }
            if ids_changed {
                idx = name_index(resources);
                ids_changed = false;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resmap(docs: Vec<serde_json::Value>) -> ResMap {
        let mut m = ResMap::new();
        for d in docs {
            m.push(Resource::new(Value::from(d)));
        }
        m
    }

    fn reps(v: serde_json::Value) -> Vec<Replacement> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| parse_replacement(&Value::from(r.clone())).unwrap())
            .collect()
    }

    fn at<'a>(m: &'a ResMap, i: usize, path: &[&str]) -> &'a Value {
        m.get(i).value.get_path(path).unwrap()
    }

    #[test]
    fn splits_paths() {
        assert_eq!(
            split_field_path("spec.containers.[name=a.b].image"),
            ["spec", "containers", "[name=a.b]", "image"]
        );
        assert_eq!(
            split_field_path("metadata.annotations.[a.b/c]"),
            ["metadata", "annotations", "a.b/c"]
        );
        assert_eq!(split_field_path(r"a.b\.c.d"), ["a", "b.c", "d"]);
        assert_eq!(split_field_path(".a.b"), ["a", "b"]);
    }

    #[test]
    fn resolves_plain_scalars() {
        // Values observed in kubectl output after a replacement into an
        // integer field or a created field.
        assert_eq!(resolve_plain("0x1F"), Value::Int(31));
        assert_eq!(resolve_plain("007"), Value::Int(7));
        assert_eq!(resolve_plain("1_000"), Value::Int(1000));
        assert_eq!(resolve_plain("+5"), Value::Int(5));
        assert_eq!(resolve_plain("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain("True"), Value::Bool(true));
        assert_eq!(resolve_plain("yes"), Value::String("yes".into()));
        assert_eq!(resolve_plain(""), Value::NULL);
    }

    /// The resources of kubectl experiment "a": a namePrefix `p-` was
    /// applied before the replacement.
    fn experiment_a() -> ResMap {
        let mut m = resmap(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                   "data": {"port": "8080", "host": "a.b.c", "num": 42}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "web", "labels": {"app": "web"}},
                   "spec": {"replicas": 1, "template": {"spec": {"containers": [
                       {"name": "app", "image": "nginx:1.0", "args": ["--x", "y"],
                        "env": [{"name": "PORT", "value": "1"}]},
                       {"name": "app-sidecar", "image": "busybox"},
                       {"name": "myapp", "image": "other"}]}}}}),
        ]);
        for i in 0..2 {
            m.update(i, |r| {
                r.store_previous_id();
                let n = format!("p-{}", r.name());
                r.set_name(&n);
            });
        }
        m
    }

    #[test]
    fn typed_copy_regex_list_match_and_prev_name() {
        // kubectl kustomize (namePrefix p-, source data.num = 42):
        //   replicas: 42; env PORT value: "42"; every container whose name
        //   contains "app" gets image "42"; containers.0.args (a list) -> 42.
        let mut m = experiment_a();
        let r = reps(json!([{
            "source": {"kind": "ConfigMap", "name": "src", "fieldPath": "data.num"},
            "targets": [{"select": {"kind": "Deployment", "name": "web"},
                "fieldPaths": ["spec.replicas",
                    "spec.template.spec.containers.[name=app].env.[name=PORT].value",
                    "spec.template.spec.containers.[name=app].image",
                    "spec.template.spec.containers.0.args"]}]}]));
        apply_replacements(&mut m, &r).unwrap();
        assert_eq!(at(&m, 1, &["spec", "replicas"]), &Value::Int(42));
        let cs = at(&m, 1, &["spec", "template", "spec", "containers"])
            .as_seq()
            .unwrap();
        assert_eq!(
            cs[0].get_path(&["env"]).unwrap().as_seq().unwrap()[0].get("value"),
            Some(&Value::String("42".into()))
        );
        for c in cs {
            assert_eq!(c.get("image"), Some(&Value::String("42".into())));
        }
        assert_eq!(cs[0].get("args"), Some(&Value::Int(42)));
    }

    #[test]
    fn missing_target_field_is_an_error() {
        // kubectl: unable to find field "metadata.annotations.x" in replacement target
        let mut m = experiment_a();
        let r = reps(json!([{
            "source": {"kind": "ConfigMap", "name": "src", "fieldPath": "data.num"},
            "targets": [{"select": {"kind": "Deployment"},
                "fieldPaths": ["metadata.annotations.x"]}]}]));
        let e = apply_replacements(&mut m, &r).unwrap_err();
        assert!(
            e.message
                .contains("unable to find field \"metadata.annotations.x\""),
            "{e}"
        );
    }

    fn experiment_b() -> ResMap {
        resmap(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                   "data": {"s": "abc", "q": "42", "n": 12345, "dotted": "a.b.c", "t": true,
                            "m": {"k": "v"}}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "tgt"},
                   "data": {"s": "x", "img": "nginx:1.0", "img2": "nginx:1.0",
                            "img3": "nginx:1.0", "list": ["a", "b"], "map": {"x": "y"}}}),
        ])
    }

    #[test]
    fn create_delimiters_and_nodes() {
        // Expected values from kubectl kustomize on the same input.
        let mut m = experiment_b();
        let src = |p: &str| json!({"kind": "ConfigMap", "name": "src", "fieldPath": p});
        let r = reps(json!([
            {"source": src("data.n"), "targets": [{"select": {"name": "tgt"},
                "fieldPaths": ["data.s", "data.new1"], "options": {"create": true}}]},
            {"source": {"kind": "ConfigMap", "name": "src", "fieldPath": "data.n",
                        "options": {"delimiter": "3", "index": 0}},
             "targets": [{"select": {"name": "tgt"}, "fieldPaths": ["data.new2", "data.list"],
                "options": {"create": true}}]},
            {"source": {"kind": "ConfigMap", "name": "src", "fieldPath": "data.dotted",
                        "options": {"delimiter": ".", "index": 2}},
             "targets": [
                {"select": {"name": "tgt"}, "fieldPaths": ["data.img"],
                 "options": {"delimiter": ":", "index": 1}},
                {"select": {"name": "tgt"}, "fieldPaths": ["data.img2"],
                 "options": {"delimiter": ":", "index": -1}},
                {"select": {"name": "tgt"}, "fieldPaths": ["data.img3"],
                 "options": {"delimiter": ":", "index": 5}}]},
            {"source": src("data.m"), "targets": [{"select": {"name": "tgt"},
                "fieldPaths": ["data.map", "data.new3.deep.[name=z].val"],
                "options": {"create": true}}]},
            {"source": src("data.t"), "targets": [{"select": {"name": "tgt"},
                "fieldPaths": ["data.new4", "data.new5.0", "data.new6.[=q]"],
                "options": {"create": true}}]},
            {"source": src("data.q"), "targets": [{"select": {"name": "tgt"},
                "fieldPaths": ["data.new7", "data.new8.x"], "options": {"create": true}}]},
        ]));
        apply_replacements(&mut m, &r).unwrap();
        let got = m.get(1).value.get("data").unwrap().clone();
        let want = Value::from(json!({
            "s": "12345", "img": "nginx:c", "img2": "c:nginx:1.0", "img3": "nginx:1.0:c",
            "list": 12, "map": {"k": "v"},
            "new1": 12345, "new2": 12,
            "new3": {"deep": [{"name": "z", "val": {"k": "v"}}]},
            "new4": true, "new5": [true], "new6": [true],
            "new7": 42, "new8": {"x": 42}}));
        for (k, v) in want.as_map().unwrap().iter() {
            assert_eq!(got.get(k), Some(v), "data.{k}");
        }
    }

    #[test]
    fn scalar_type_rules() {
        // kubectl: string into int/bool/float/null fields fails; 42 into a
        // float field is fine; "0x1F" into an int field gives 31.
        let cases = [
            (json!("abc"), json!(1), None),
            (json!("abc"), json!(null), None),
            (json!(42), json!(false), None),
            (json!(1.5), json!(1), None),
            (json!(42), json!(2.5), Some(json!(42))),
            (json!("42"), json!(1), Some(json!(42))),
            (json!("0x1F"), json!(1), Some(json!(31))),
            (json!("True"), json!(false), Some(json!(true))),
            (json!(""), json!(1), None),
            (json!(7), json!("s"), Some(json!("7"))),
        ];
        for (src, tgt, want) in cases {
            let mut m = resmap(vec![
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                       "data": {"v": src.clone()}}),
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "tgt"},
                       "data": {"t": tgt.clone()}}),
            ]);
            let r = reps(
                json!([{"source": {"kind": "ConfigMap", "name": "src", "fieldPath": "data.v"},
                "targets": [{"select": {"name": "tgt"}, "fieldPaths": ["data.t"]}]}]),
            );
            let res = apply_replacements(&mut m, &r);
            match want {
                Some(w) => {
                    res.unwrap();
                    assert_eq!(at(&m, 1, &["data", "t"]), &Value::from(w), "{src} -> {tgt}");
                }
                None => assert!(res.is_err(), "{src} -> {tgt} should fail"),
            }
        }
    }

    fn experiment_sel() -> ResMap {
        resmap(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "src", "labels": {"app": "a", "tier": "x"}},
                   "data": {"v": "val", "list": ["a", "b"]}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "tgt", "namespace": "ns1", "labels": {"app": "a"}},
                   "data": {"t": "old", "nul": null, "seq": [1, 2]}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "tgt2", "labels": {"app": "b"}}, "data": {"t": "old"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "src"},
                   "spec": {"replicas": 1}}),
        ])
    }

    fn run_sel(source: serde_json::Value, target: serde_json::Value) -> Result<ResMap> {
        let mut m = experiment_sel();
        let r = reps(json!([{"source": source, "targets": [target]}]));
        apply_replacements(&mut m, &r)?;
        Ok(m)
    }

    fn ts(m: &ResMap) -> (Value, Value) {
        (
            at(m, 1, &["data", "t"]).clone(),
            at(m, 2, &["data", "t"]).clone(),
        )
    }

    #[test]
    fn selection_reject_and_labels() {
        // kubectl results on the same four resources.
        let src = json!({"kind": "ConfigMap", "name": "src", "fieldPath": "data.v"});
        let old = Value::from("old");
        let val = Value::from("val");
        let m = run_sel(
            src.clone(),
            json!({"select": {"kind": "ConfigMap"},
            "reject": [{"labelSelector": "app=a"}], "fieldPaths": ["data.t"]}),
        )
        .unwrap();
        assert_eq!(ts(&m), (old.clone(), val.clone()));
        let m = run_sel(
            src.clone(),
            json!({"select": {"kind": "ConfigMap",
            "labelSelector": "app in (a,b),!tier"}, "fieldPaths": ["data.t"]}),
        )
        .unwrap();
        assert_eq!(ts(&m), (val.clone(), val.clone()));
        // Exact names in 5.5: `tgt.*` is no regex and selects nothing.
        let m = run_sel(
            src.clone(),
            json!({"select": {"kind": "ConfigMap", "name": "tgt.*"},
            "fieldPaths": ["data.t"]}),
        )
        .unwrap();
        assert_eq!(ts(&m), (old.clone(), old.clone()));
        // `select: {}` selects everything; src has no data.t -> error.
        assert!(run_sel(src.clone(), json!({"select": {}, "fieldPaths": ["data.t"]})).is_err());
        // namespace default selects the unnamespaced ones (src lacks data.t).
        assert!(
            run_sel(
                src.clone(),
                json!({"select": {"kind": "ConfigMap", "namespace": "default"},
            "fieldPaths": ["data.t"]})
            )
            .is_err()
        );
        // Source `namespace: default` finds the unnamespaced src.
        let m = run_sel(
            json!({"kind": "ConfigMap", "name": "src", "namespace": "default",
            "fieldPath": "data.v"}),
            json!({"select": {"name": "tgt2"}, "fieldPaths": ["data.t"]}),
        )
        .unwrap();
        assert_eq!(ts(&m), (old.clone(), val.clone()));
    }

    #[test]
    fn source_lookup_forms_and_errors() {
        let t = json!({"select": {"name": "tgt2"}, "fieldPaths": ["data.t"]});
        let src = |p: &str| json!({"kind": "ConfigMap", "name": "src", "fieldPath": p});
        // kubectl: data.list.1, data.list.[=b] and data.list.- all give "b".
        for p in ["data.list.1", "data.list.[=b]", "data.list.-"] {
            let m = run_sel(src(p), t.clone()).unwrap();
            assert_eq!(at(&m, 2, &["data", "t"]), &Value::from("b"), "{p}");
        }
        // kubectl errors: multiple matches, nothing selected, missing field,
        // scalar traversal, delimiter on a list, index out of bounds, wildcard.
        let e = run_sel(json!({"name": "src", "fieldPath": "data.v"}), t.clone()).unwrap_err();
        assert!(e.message.contains("more than one"), "{e}");
        let e = run_sel(json!({"kind": "ConfigMap", "name": "nope"}), t.clone()).unwrap_err();
        assert!(e.message.contains("matches no resource"), "{e}");
        for bad in ["data.zz", "data.list.5"] {
            let e = run_sel(src(bad), t.clone()).unwrap_err();
            assert!(e.message.contains("is missing"), "{e}");
        }
        assert!(run_sel(src("data.v.x"), t.clone()).is_err());
        assert!(run_sel(src("data.list.*"), t.clone()).is_err());
        assert!(
            run_sel(
                json!({"kind": "ConfigMap", "name": "src", "fieldPath": "data.list",
            "options": {"delimiter": ","}}),
                t.clone()
            )
            .is_err()
        );
        let e = run_sel(
            json!({"kind": "ConfigMap", "name": "src", "fieldPath": "data.v",
            "options": {"delimiter": "a", "index": 3}}),
            t.clone(),
        )
        .unwrap_err();
        assert!(e.message.contains("out of bounds"), "{e}");
    }

    #[test]
    fn target_walk_errors_and_null_create() {
        let src = json!({"kind": "ConfigMap", "name": "src", "fieldPath": "data.v"});
        // kubectl: scalar/sequence traversal fails with or without create.
        assert!(
            run_sel(
                src.clone(),
                json!({"select": {"name": "tgt2"},
            "fieldPaths": ["data.t.x"]})
            )
            .is_err()
        );
        assert!(
            run_sel(
                src.clone(),
                json!({"select": {"name": "tgt"},
            "fieldPaths": ["data.seq.x"], "options": {"create": true}})
            )
            .is_err()
        );
        // Index past the end (not an append) fails even with create.
        let e = run_sel(
            src.clone(),
            json!({"select": {"name": "tgt"},
            "fieldPaths": ["data.seq.5"], "options": {"create": true}}),
        )
        .unwrap_err();
        assert!(e.message.contains("only 2 elements"), "{e}");
        // Appending at len with create works (kubectl: seq [1, 2, val, val]).
        let m = run_sel(
            src.clone(),
            json!({"select": {"name": "tgt"},
            "fieldPaths": ["data.seq.2", "data.seq.3"], "options": {"create": true}}),
        )
        .unwrap();
        assert_eq!(
            at(&m, 1, &["data", "seq"]),
            &Value::from(json!([1, 2, "val", "val"]))
        );
        // Under a null: nothing happens with create, an error without.
        let m = run_sel(
            src.clone(),
            json!({"select": {"name": "tgt"},
            "fieldPaths": ["data.nul.x", "data.nul2.y"], "options": {"create": true}}),
        )
        .unwrap();
        assert_eq!(at(&m, 1, &["data", "nul"]), &Value::NULL);
        assert_eq!(at(&m, 1, &["data", "nul2", "y"]), &Value::from("val"));
        assert!(
            run_sel(
                src.clone(),
                json!({"select": {"name": "tgt"},
            "fieldPaths": ["data.nul.x"]})
            )
            .is_err()
        );
    }

    #[test]
    fn parse_errors() {
        // kubectl: "replacements must specify a source and at least one target"
        for bad in [
            json!({"targets": []}),
            json!({"source": {"kind": "X"}}),
            json!({"source": {"kind": "X"}, "targets": []}),
        ] {
            let e = parse_replacement(&Value::from(bad)).unwrap_err();
            assert!(e.message.contains("must specify a source"), "{e}");
        }
        // kubectl: "target must specify resources to select"
        let e = parse_replacement(&Value::from(json!({"source": {"kind": "X"},
            "targets": [{"fieldPaths": ["a"]}]})))
        .unwrap_err();
        assert!(e.message.contains("select"), "{e}");
        let e = parse_entry(&Value::from(
            json!({"path": "r.yaml", "source": {"kind": "X"}}),
        ))
        .unwrap_err();
        assert!(e.message.contains("both path and inline"), "{e}");
        assert!(
            matches!(parse_entry(&Value::from(json!({"path": "r.yaml"}))).unwrap(),
            ReplacementEntry::Path(p) if p == "r.yaml")
        );
        let one = json!({"source": {"kind": "X"}, "targets": [{"select": {"kind": "Y"}}]});
        assert_eq!(
            parse_replacement_file(&Value::from(one.clone()))
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            parse_replacement_file(&Value::from(json!([one.clone(), one])))
                .unwrap()
                .len(),
            2
        );
        assert!(parse_replacement_file(&Value::from("x")).is_err());
    }
}
