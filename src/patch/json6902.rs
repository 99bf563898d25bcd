//! JSON 6902 patches with kustomize's quirks.
//!
//! kustomize v5.5 applies JSON patches with `evanphx/json-patch` v4.12.0 on the
//! JSON form of a resource. That library departs from RFC 6902 in ways real
//! kustomizations depend on, and we reproduce them (each checked against
//! `kubectl kustomize`):
//!
//! - `replace` of a missing mapping key adds it;
//! - negative indices count from the end (`remove …/-1` drops the last item,
//!   `add …/-1` appends, `add …/-2` inserts before the last);
//! - indices are parsed like Go's `strconv.Atoi`: `01` is 1, `+1` is 1;
//! - `copy` from a missing mapping key copies `null`;
//! - a path without a leading `/` ignores its first segment (`spec/replicas`
//!   means `/replicas`); `~0`/`~1` are unescaped and any other `~x` is kept;
//! - `replace` of the root `""` with a mapping replaces the whole document,
//!   with a scalar or `null` it does nothing;
//! - a `test` of a missing key (or a `null`) against `null` passes; numbers are
//!   compared by their JSON rendering, so `1.0` equals `1` in YAML patches;
//! - an intermediate `null` or scalar on the path makes the parent "missing".
//!
//! Where kustomize panics (a `test` with no `value`, arrays holding `null` in a
//! `test`, `replace ""` with no value) we return an error or compare sanely.

use crate::error::{Error, Result};
use crate::yaml::{Map, Value};

/// How the patch text was written; it matters only for `test` comparisons.
///
/// kustomize treats patch text whose first byte is `[` as JSON and passes it to
/// the patch library verbatim; anything else is YAML, converted to JSON first
/// (which normalises numbers, so `value: 1.0` then equals a document's `1`).
/// For JSON text the library compares scalars by their raw text, so a `test`
/// of `1.0` against `1` fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Syntax {
    /// The patch was YAML (the first byte of the text is not `[`).
    #[default]
    Yaml,
    /// The patch was JSON text starting with `[`.
    Json,
}

/// The operation name.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Add,
    Remove,
    Replace,
    Move,
    Copy,
    Test,
    /// Any other `op` (or a missing or non-string one): fails when applied.
    Unknown(String),
}

impl Kind {
    fn name(&self) -> &str {
        match self {
            Kind::Add => "add",
            Kind::Remove => "remove",
            Kind::Replace => "replace",
            Kind::Move => "move",
            Kind::Copy => "copy",
            Kind::Test => "test",
            Kind::Unknown(s) => s,
        }
    }
}

/// A JSON pointer split the way the patch library splits it.
#[derive(Clone, Debug, PartialEq)]
struct Pointer {
    /// The text as written.
    raw: String,
    /// Unescaped intermediate segments and the final key; `None` when the text
    /// has no `/` at all (the library then finds no parent).
    split: Option<(Vec<String>, String)>,
}

impl Pointer {
    fn new(raw: &str) -> Pointer {
        let parts: Vec<&str> = raw.split('/').collect();
        let split = if parts.len() < 2 {
            None
        } else {
            // The first segment (normally empty) is ignored, as the library does.
            let last = parts.len() - 1;
            let mids = parts[1..last].iter().map(|p| unescape(p)).collect();
            Some((mids, unescape(parts[last])))
        };
        Pointer {
            raw: raw.to_string(),
            split,
        }
    }
}

/// RFC 6901 unescaping, left to right: `~1` → `/`, `~0` → `~`; any other `~`
/// is kept as is (kustomize accepts `~2`).
fn unescape(s: &str) -> String {
    if !s.contains('~') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.peek() {
                Some('1') => {
                    out.push('/');
                    chars.next();
                }
                Some('0') => {
                    out.push('~');
                    chars.next();
                }
                _ => out.push('~'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One operation as parsed; problems that kustomize only reports when the
/// operation runs (unknown op, missing path) are kept until then.
#[derive(Clone, Debug, PartialEq)]
struct Op {
    kind: Kind,
    /// `None` when `path` is absent, null or not a string.
    path: Option<Pointer>,
    /// `None` when `from` is absent, null or not a string.
    from: Option<Pointer>,
    /// `None` when the `value` key is absent; `Some(Null)` for `value: null`.
    value: Option<Value>,
}

/// A parsed JSON 6902 patch: a list of operations ready to apply to any
/// number of resources.
#[derive(Clone, Debug, PartialEq)]
pub struct Patch {
    ops: Vec<Op>,
    syntax: Syntax,
}

impl Patch {
    /// Parses the operations (a sequence of mappings with `op`, `path`,
    /// `value`, `from`), failing where kustomize fails when it loads the patch:
    /// the value is not a sequence, an item is not a mapping, or the list is
    /// empty.
    ///
    /// Like kustomize, an unknown `op` or a missing `path` is only an error
    /// when the operation is applied (a patch whose target matches nothing
    /// builds fine); call [`Patch::check`] to reject those upfront too.
    pub fn parse(ops: &Value, syntax: Syntax) -> Result<Patch> {
        let items = match ops {
            Value::Seq(items) => items,
            other => {
                return Err(Error::msg(format!(
                    "JSON 6902 patch must be a sequence of operations, found a {}",
                    other.type_name()
                )));
            }
        };
        if items.is_empty() {
            return Err(Error::msg("JSON 6902 patch has no operations"));
        }
        let mut parsed = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let map = item.as_map().ok_or_else(|| {
                Error::msg(format!(
                    "JSON 6902 patch operation {} must be a mapping with op and path, found a {}",
                    i + 1,
                    item.type_name()
                ))
            })?;
            parsed.push(parse_op(map));
        }
        Ok(Patch {
            ops: parsed,
            syntax,
        })
    }

    /// Checks every operation for mistakes that would fail on any document:
    /// an unknown or missing `op`, a missing or non-string `path` (or `from`
    /// for move/copy), a path with no `/`, an `add` to the root, a `replace`
    /// of the root with a sequence, a `test` or `replace ""` with no `value`.
    ///
    /// kustomize reports these only when a resource is patched; use this to
    /// fail early on a malformed patch file.
    pub fn check(&self) -> Result<()> {
        for (i, op) in self.ops.iter().enumerate() {
            let fail = |msg: &str| Err(op_error(i, self.ops.len(), op, msg));
            if let Kind::Unknown(name) = &op.kind {
                return fail(&unknown_op_message(name));
            }
            let Some(path) = &op.path else {
                return fail("missing or non-string \"path\"");
            };
            if matches!(op.kind, Kind::Move | Kind::Copy) {
                match &op.from {
                    None => return fail("missing or non-string \"from\""),
                    Some(from) if from.split.is_none() => {
                        return fail(&no_slash_message("from", &from.raw));
                    }
                    _ => {}
                }
            }
            let root = path.raw.is_empty();
            match op.kind {
                Kind::Replace if root => match &op.value {
                    None => return fail("missing \"value\""),
                    Some(Value::Seq(_)) => {
                        return fail("the document can only be replaced by a mapping");
                    }
                    _ => {}
                },
                Kind::Test if op.value.is_none() => return fail("missing \"value\""),
                Kind::Test if root => {}
                _ if path.split.is_none() => {
                    return fail(&no_slash_message("path", &path.raw));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True when there are no operations (never, for a parsed patch).
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Applies the operations in order to `doc`. On error `doc` may be left
    /// partly patched (kustomize aborts the build then anyway).
    pub fn apply(&self, doc: &mut Value) -> Result<()> {
        self.apply_observed(doc, |_, _| {})
    }

    /// [`Patch::apply`], calling `after(i, doc)` once operation `i` is
    /// applied (`aiw explain` places each operation's values).
    pub fn apply_observed(
        &self,
        doc: &mut Value,
        mut after: impl FnMut(usize, &Value),
    ) -> Result<()> {
        for (i, op) in self.ops.iter().enumerate() {
            self.apply_op(doc, op)
                .map_err(|msg| op_error(i, self.ops.len(), op, &msg))?;
            after(i, doc);
        }
        Ok(())
    }

    fn apply_op(&self, doc: &mut Value, op: &Op) -> std::result::Result<(), String> {
        if let Kind::Unknown(name) = &op.kind {
            return Err(unknown_op_message(name));
        }
        let path = op.path.as_ref().ok_or("missing or non-string \"path\"")?;
        match op.kind {
            Kind::Add => {
                let (parent, key) = locate(doc, path, "path")?;
                add(parent, key, op.value.clone().unwrap_or(Value::NULL))
            }
            Kind::Remove => {
                let (parent, key) = locate(doc, path, "path")?;
                remove(parent, key).map(|_| ())
            }
            Kind::Replace => {
                if path.raw.is_empty() {
                    return replace_root(doc, op.value.as_ref());
                }
                let (parent, key) = locate(doc, path, "path")?;
                replace(parent, key, op.value.clone().unwrap_or(Value::NULL))
            }
            Kind::Move => {
                let from = op.from.as_ref().ok_or("missing or non-string \"from\"")?;
                let (parent, key) = locate(doc, from, "from")?;
                let moved = remove(parent, key)?;
                let (parent, key) = locate(doc, path, "path")?;
                add(parent, key, moved)
            }
            Kind::Copy => {
                let from = op.from.as_ref().ok_or("missing or non-string \"from\"")?;
                let (parent, key) = locate(doc, from, "from")?;
                // A missing mapping key copies null, as kustomize does.
                let copied = get(parent, key)?.cloned().unwrap_or(Value::NULL);
                let (parent, key) = locate(doc, path, "path")?;
                add(parent, key, copied)
            }
            Kind::Test => self.test(doc, path, op.value.as_ref()),
            Kind::Unknown(ref name) => Err(unknown_op_message(name)),
        }
    }

    fn test(
        &self,
        doc: &mut Value,
        path: &Pointer,
        expected: Option<&Value>,
    ) -> std::result::Result<(), String> {
        let expected = expected.ok_or("missing \"value\"")?;
        let actual = if path.raw.is_empty() {
            Some(&*doc)
        } else {
            let (parent, key) = locate(doc, path, "path")?;
            get(parent, key)?
        };
        let equal = match actual {
            // A missing key or a null compares equal only to null.
            None | Some(Value::Null(_)) => expected.is_null(),
            Some(actual) => !expected.is_null() && json_equal(actual, expected, self.syntax),
        };
        if equal {
            Ok(())
        } else {
            Err("test failed: the value differs".into())
        }
    }
}

/// Parses `ops` and applies them to `doc` (YAML syntax rules; see
/// [`Patch::parse`] and [`Patch::apply`]).
pub fn apply(doc: &mut Value, ops: &Value) -> Result<()> {
    Patch::parse(ops, Syntax::Yaml)?.apply(doc)
}

/// Parses and fully checks a patch upfront ([`Patch::parse`] then
/// [`Patch::check`]), so a malformed patch file fails before any resource is
/// touched.
pub fn parse_strict(ops: &Value, syntax: Syntax) -> Result<Patch> {
    let patch = Patch::parse(ops, syntax)?;
    patch.check()?;
    Ok(patch)
}

fn unknown_op_message(name: &str) -> String {
    if name.is_empty() {
        "missing or non-string \"op\" (expected add, remove, replace, move, copy or test)".into()
    } else {
        format!(
            "unknown op {:?} (expected add, remove, replace, move, copy or test)",
            name
        )
    }
}

fn no_slash_message(field: &str, raw: &str) -> String {
    if raw.is_empty() {
        format!("{} \"\" (the whole document) cannot be used here", field)
    } else {
        format!("{} {:?} must start with '/'", field, raw)
    }
}

fn op_error(index: usize, total: usize, op: &Op, msg: &str) -> Error {
    let path = match &op.path {
        Some(p) => format!(" {:?}", p.raw),
        None => String::new(),
    };
    let from = match (&op.kind, &op.from) {
        (Kind::Move | Kind::Copy, Some(f)) => format!(" from {:?}", f.raw),
        _ => String::new(),
    };
    let name = match &op.kind {
        Kind::Unknown(n) if n.is_empty() => "?",
        k => k.name(),
    };
    Error::msg(format!(
        "JSON patch operation {} of {} ({}{}{}): {}",
        index + 1,
        total,
        name,
        path,
        from,
        msg
    ))
}

fn parse_op(map: &Map) -> Op {
    let string = |key: &str| map.get(key).and_then(Value::as_str);
    let kind = match string("op") {
        Some("add") => Kind::Add,
        Some("remove") => Kind::Remove,
        Some("replace") => Kind::Replace,
        Some("move") => Kind::Move,
        Some("copy") => Kind::Copy,
        Some("test") => Kind::Test,
        Some(other) => Kind::Unknown(other.to_string()),
        None => Kind::Unknown(String::new()),
    };
    Op {
        kind,
        path: string("path").map(Pointer::new),
        from: string("from").map(Pointer::new),
        value: map.get("value").cloned(),
    }
}

/// Parses an array index the way Go's `strconv.Atoi` does: an optional sign,
/// then decimal digits (leading zeros allowed), within `i64`.
fn parse_index(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// Resolves an index for reading an existing item: negative counts from the
/// end; out of range is `None`.
fn existing_index(key: &str, len: usize) -> std::result::Result<usize, String> {
    let idx = parse_index(key).ok_or_else(|| format!("{:?} is not an array index", key))?;
    let len_i = len as i64;
    let resolved = if idx < 0 { idx + len_i } else { idx };
    if resolved < 0 || resolved >= len_i {
        return Err(format!(
            "index {} is out of range for a sequence of {} items",
            idx, len
        ));
    }
    Ok(resolved as usize)
}

/// Finds the container holding the pointer's final key. Intermediate mapping
/// keys must exist and not be null; intermediate items must be mappings or
/// sequences.
fn locate<'a, 'p>(
    doc: &'a mut Value,
    ptr: &'p Pointer,
    field: &str,
) -> std::result::Result<(&'a mut Value, &'p str), String> {
    let Some((mids, key)) = &ptr.split else {
        return Err(no_slash_message(field, &ptr.raw));
    };
    if let Some(reason) = diagnose_parent(doc, mids) {
        return Err(reason);
    }
    let mut cur = doc;
    for part in mids {
        let next = match cur {
            Value::Map(m) => m.get_mut(part),
            Value::Seq(s) => match existing_index(part, s.len()) {
                Ok(i) => s.get_mut(i),
                Err(_) => None,
            },
            _ => None,
        };
        match next {
            Some(v @ (Value::Map(_) | Value::Seq(_))) => cur = v,
            // diagnose_parent has ruled these out.
            _ => return Err("the parent does not exist".into()),
        }
    }
    Ok((cur, key.as_str()))
}

/// Explains why the intermediate segments do not lead to a mapping or a
/// sequence, or returns `None` when they do.
fn diagnose_parent(doc: &Value, mids: &[String]) -> Option<String> {
    // The pointer to segment `i` (`/a/b`), made only for a message.
    let at = |i: usize| -> String {
        mids[..=i]
            .iter()
            .map(|p| format!("/{}", escape(p)))
            .collect()
    };
    let mut cur = doc;
    for (i, part) in mids.iter().enumerate() {
        let next = match cur {
            Value::Map(m) => match m.get(part) {
                Some(v) => v,
                None => return Some(format!("the parent {} does not exist", at(i))),
            },
            Value::Seq(s) => match existing_index(part, s.len()) {
                Ok(i) => &s[i],
                Err(e) => return Some(format!("the parent {} does not exist: {}", at(i), e)),
            },
            _ => {
                let here = match i {
                    0 => "the document".to_string(),
                    _ => at(i - 1),
                };
                return Some(format!("{} is not a mapping or sequence", here));
            }
        };
        match next {
            Value::Map(_) | Value::Seq(_) => cur = next,
            Value::Null(_) => return Some(format!("the parent {} is null", at(i))),
            other => {
                return Some(format!(
                    "the parent {} is a {}, not a mapping or sequence",
                    at(i),
                    other.type_name()
                ));
            }
        }
    }
    None
}

fn escape(part: &str) -> String {
    part.replace('~', "~0").replace('/', "~1")
}

/// Reads `key` in a container. A missing mapping key is `Ok(None)`, a bad or
/// out-of-range index an error.
fn get<'a>(parent: &'a Value, key: &str) -> std::result::Result<Option<&'a Value>, String> {
    match parent {
        Value::Map(m) => Ok(m.get(key)),
        Value::Seq(s) => existing_index(key, s.len()).map(|i| Some(&s[i])),
        other => Err(format!("cannot index a {}", other.type_name())),
    }
}

fn add(parent: &mut Value, key: &str, value: Value) -> std::result::Result<(), String> {
    match parent {
        Value::Map(m) => {
            m.insert(key, value);
            Ok(())
        }
        Value::Seq(s) => {
            if key == "-" {
                s.push(value);
                return Ok(());
            }
            let idx = parse_index(key)
                .ok_or_else(|| format!("{:?} is not an array index or '-'", key))?;
            // An insert position ranges over len+1 slots; negatives count back
            // from the end, so -1 appends.
            let slots = s.len() as i64 + 1;
            let resolved = if idx < 0 { idx + slots } else { idx };
            if resolved < 0 || resolved >= slots {
                return Err(format!(
                    "index {} is out of range for inserting into a sequence of {} items",
                    idx,
                    s.len()
                ));
            }
            s.insert(resolved as usize, value);
            Ok(())
        }
        other => Err(format!("cannot add to a {}", other.type_name())),
    }
}

fn remove(parent: &mut Value, key: &str) -> std::result::Result<Value, String> {
    match parent {
        Value::Map(m) => m
            .remove(key)
            .ok_or_else(|| format!("key {:?} does not exist", key)),
        Value::Seq(s) => {
            let i = existing_index(key, s.len())?;
            Ok(s.remove(i))
        }
        other => Err(format!("cannot remove from a {}", other.type_name())),
    }
}

fn replace(parent: &mut Value, key: &str, value: Value) -> std::result::Result<(), String> {
    match parent {
        // kustomize adds a missing key instead of failing.
        Value::Map(m) => {
            m.insert(key, value);
            Ok(())
        }
        Value::Seq(s) => {
            let i = existing_index(key, s.len())?;
            s[i] = value;
            Ok(())
        }
        other => Err(format!("cannot replace in a {}", other.type_name())),
    }
}

fn replace_root(doc: &mut Value, value: Option<&Value>) -> std::result::Result<(), String> {
    match value {
        None => Err("missing \"value\"".into()),
        Some(Value::Map(m)) => {
            *doc = Value::Map(m.clone());
            Ok(())
        }
        Some(Value::Seq(_)) => Err("the document can only be replaced by a mapping".into()),
        // kustomize silently ignores a scalar or null root replacement.
        Some(_) => Ok(()),
    }
}

/// Structural equality as the patch library's `test` does it: mappings by
/// keys regardless of order, sequences item by item, scalars by their JSON
/// text.
fn json_equal(doc: &Value, patch: &Value, syntax: Syntax) -> bool {
    match (doc, patch) {
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter().all(|(k, v)| match b.get(k) {
                    Some(w) => match (v.is_null(), w.is_null()) {
                        (true, true) => true,
                        (false, false) => json_equal(v, w, syntax),
                        _ => false,
                    },
                    None => false,
                })
        }
        (Value::Seq(a), Value::Seq(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| json_equal(v, w, syntax))
        }
        (Value::Map(_) | Value::Seq(_), _) | (_, Value::Map(_) | Value::Seq(_)) => false,
        (Value::Null(_), Value::Null(_)) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::String(a), Value::String(b)) => a == b,
        (a, b) => match (go_json_number(a), patch_number_text(b, syntax)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// The number as Go's `encoding/json` writes it (how the document side is
/// rendered before comparison).
fn go_json_number(v: &Value) -> Option<String> {
    Some(match v {
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => go_json_float(*f),
        _ => return None,
    })
}

/// The patch side's number text: re-encoded for YAML patches; for JSON text the
/// library keeps the raw text, which for a float with an integral value always
/// holds a `.` or an exponent and so never equals an encoded document number.
fn patch_number_text(v: &Value, syntax: Syntax) -> Option<String> {
    match (syntax, v) {
        (Syntax::Json, Value::Float(f)) if f.fract() == 0.0 => None,
        _ => go_json_number(v),
    }
}

/// Go `encoding/json` float formatting: shortest digits, plain notation for
/// 1e-6 <= |f| < 1e21, else exponent form like `1e+21` / `1e-7`.
fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{:e}", f);
        match s.split_once('e') {
            Some((mant, exp)) if !exp.starts_with('-') => format!("{}e+{}", mant, exp),
            _ => s,
        }
    } else {
        format!("{}", f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_missing_parent_is_explained_by_its_escaped_pointer() {
        let doc = Value::from(json!({"a": {"b": 1, "n": null, "s": [{"x": 1}], "k/~": {}}}));
        let why = |mids: &[&str]| {
            let mids: Vec<String> = mids.iter().map(|m| m.to_string()).collect();
            diagnose_parent(&doc, &mids)
        };
        assert_eq!(why(&["a", "s", "0"]), None);
        assert_eq!(why(&["a", "k/~"]), None);
        assert_eq!(
            why(&["a", "zz", "q"]).as_deref(),
            Some("the parent /a/zz does not exist")
        );
        assert_eq!(
            why(&["a", "b"]).as_deref(),
            Some("the parent /a/b is a integer, not a mapping or sequence")
        );
        assert_eq!(why(&["a", "n"]).as_deref(), Some("the parent /a/n is null"));
        assert!(
            why(&["a", "s", "5"])
                .unwrap()
                .starts_with("the parent /a/s/5 does not exist: ")
        );
        assert_eq!(
            why(&["a", "k/~", "z"]).as_deref(),
            Some("the parent /a/k~1~0/z does not exist")
        );
        let scalar = Value::from(json!("text"));
        assert_eq!(
            diagnose_parent(&scalar, &["a".to_string()]).as_deref(),
            Some("the document is not a mapping or sequence")
        );
    }

    fn v(j: serde_json::Value) -> Value {
        Value::from(j)
    }

    /// The resource used by the kubectl checks (the same content as the
    /// Deployment given to `kubectl kustomize` with `patches: - path: …,
    /// target: {kind: Deployment}`).
    fn deployment() -> Value {
        v(json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"a": "b"}, "annotations": {"n": "x"}},
            "spec": {
                "replicas": 1,
                "nullv": null,
                "list": [1, 2.5, "x", null, {"k": "v"}],
                "template": {"spec": {"containers": [
                    {"name": "c0", "image": "i0"},
                    {"name": "c1", "image": "i1"},
                    {"name": "c2", "image": "i2"}
                ]}}
            }
        }))
    }

    fn patched(ops: serde_json::Value) -> Result<Value> {
        let mut doc = deployment();
        apply(&mut doc, &v(ops))?;
        Ok(doc)
    }

    fn err_of(ops: serde_json::Value) -> String {
        match patched(ops) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.message,
        }
    }

    fn at<'a>(doc: &'a Value, path: &[&str]) -> Option<&'a Value> {
        doc.get_path(path)
    }

    fn images(doc: &Value) -> Vec<String> {
        doc.get_path(&["spec", "template", "spec", "containers"])
            .and_then(Value::as_seq)
            .map(|cs| {
                cs.iter()
                    .map(|c| {
                        c.get("image")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    // kubectl: replace of /spec/paused (missing) adds `paused: true`.
    #[test]
    fn replace_missing_key_adds_it() {
        let doc =
            patched(json!([{"op": "replace", "path": "/spec/paused", "value": true}])).unwrap();
        assert_eq!(at(&doc, &["spec", "paused"]), Some(&Value::Bool(true)));
    }

    // kubectl: remove …/containers/-1 drops c2.
    #[test]
    fn negative_index_removes_last() {
        let doc = patched(json!([{"op": "remove", "path": "/spec/template/spec/containers/-1"}]))
            .unwrap();
        assert_eq!(images(&doc), ["i0", "i1"]);
    }

    // kubectl: add /spec/list/-1 appends Z; add /spec/list/-2 inserts Z
    // before the last item.
    #[test]
    fn negative_index_add() {
        let doc = patched(json!([{"op": "add", "path": "/spec/list/-1", "value": "Z"}])).unwrap();
        assert_eq!(
            at(&doc, &["spec", "list"]),
            Some(&v(json!([1, 2.5, "x", null, {"k": "v"}, "Z"])))
        );
        let doc = patched(json!([{"op": "add", "path": "/spec/list/-2", "value": "Z"}])).unwrap();
        assert_eq!(
            at(&doc, &["spec", "list"]),
            Some(&v(json!([1, 2.5, "x", null, "Z", {"k": "v"}])))
        );
    }

    // kubectl: replace …/containers/-1 sets the last item; -6 (of 5) fails
    // "doc is missing key".
    #[test]
    fn negative_index_replace() {
        let doc =
            patched(json!([{"op": "replace", "path": "/spec/list/-1", "value": "Q"}])).unwrap();
        assert_eq!(
            at(&doc, &["spec", "list"])
                .and_then(|l| l.as_seq())
                .map(|l| l[4].clone()),
            Some(v(json!("Q")))
        );
        let e = err_of(json!([{"op": "replace", "path": "/spec/list/-6", "value": "Q"}]));
        assert!(e.contains("out of range"), "{e}");
    }

    // kubectl: …/containers/01/image and …/+1/image both change c1.
    #[test]
    fn atoi_indices() {
        for p in ["01", "+1"] {
            let path = format!("/spec/template/spec/containers/{}/image", p);
            let doc = patched(json!([{"op": "replace", "path": path, "value": "NEW"}])).unwrap();
            assert_eq!(images(&doc), ["i0", "NEW", "i2"]);
        }
    }

    // kubectl: "spec/replicas" (no leading slash) adds a top-level `replicas: 7`.
    #[test]
    fn path_without_slash_ignores_first_segment() {
        let doc = patched(json!([{"op": "replace", "path": "spec/replicas", "value": 7}])).unwrap();
        assert_eq!(at(&doc, &["replicas"]), Some(&Value::Int(7)));
        assert_eq!(at(&doc, &["spec", "replicas"]), Some(&Value::Int(1)));
    }

    // kubectl: copy from /spec/nothere adds `copied: null`.
    #[test]
    fn copy_from_missing_key_copies_null() {
        let doc = patched(json!([{"op": "copy", "from": "/spec/nothere", "path": "/spec/copied"}]))
            .unwrap();
        assert_eq!(at(&doc, &["spec", "copied"]), Some(&Value::NULL));
    }

    // kubectl: copy /spec/list/4 to containers/0 inserts {k: v} first.
    #[test]
    fn copy_into_sequence() {
        let doc = patched(json!([{"op": "copy", "from": "/spec/list/4",
            "path": "/spec/template/spec/containers/0"}]))
        .unwrap();
        let cs = at(&doc, &["spec", "template", "spec", "containers"]).unwrap();
        assert_eq!(
            cs.as_seq().map(|s| s[0].clone()),
            Some(v(json!({"k": "v"})))
        );
        assert_eq!(cs.as_seq().map(Vec::len), Some(4));
        // The source is untouched.
        assert_eq!(
            at(&doc, &["spec", "list"])
                .and_then(|l| l.as_seq())
                .map(Vec::len),
            Some(5)
        );
    }

    // kubectl: labels a~2b and a/b~c are added from `a~2b` and `a~1b~0c`.
    #[test]
    fn escapes() {
        let doc = patched(json!([
            {"op": "replace", "path": "/metadata/labels/a~2b", "value": "q"},
            {"op": "add", "path": "/metadata/labels/a~1b~0c", "value": "q"}
        ]))
        .unwrap();
        let labels = at(&doc, &["metadata", "labels"]).unwrap();
        assert!(labels.get("a~2b").is_some());
        assert!(labels.get("a/b~c").is_some());
        assert_eq!(unescape("~01"), "~1");
    }

    // kubectl: move list/0 to list/- puts 1 last; move to itself is a no-op;
    // moving a null moves it.
    #[test]
    fn move_ops() {
        let doc = patched(json!([{"op": "move", "from": "/spec/list/0", "path": "/spec/list/-"}]))
            .unwrap();
        assert_eq!(
            at(&doc, &["spec", "list"]),
            Some(&v(json!([2.5, "x", null, {"k": "v"}, 1])))
        );
        let doc = patched(json!([{"op": "move", "from": "/spec/list/1", "path": "/spec/list/1"}]))
            .unwrap();
        assert_eq!(
            at(&doc, &["spec", "list"]),
            deployment().get_path(&["spec", "list"])
        );
        let doc =
            patched(json!([{"op": "move", "from": "/spec/nullv", "path": "/spec/x"}])).unwrap();
        assert_eq!(at(&doc, &["spec", "x"]), Some(&Value::NULL));
        assert!(at(&doc, &["spec", "nullv"]).is_none());
    }

    // kubectl: move from a missing key fails ("Unable to remove nonexistent
    // key"); move into its own child fails ("missing destination path").
    #[test]
    fn move_errors() {
        let e = err_of(json!([{"op": "move", "from": "/spec/nothere", "path": "/spec/x"}]));
        assert!(e.contains("does not exist"), "{e}");
        let e =
            err_of(json!([{"op": "move", "from": "/spec/template", "path": "/spec/template/x"}]));
        assert!(e.contains("/spec/template does not exist"), "{e}");
    }

    // kubectl: all of these pass (the following add then shows up).
    #[test]
    fn test_passes() {
        for (path, value) in [
            ("/spec/nothere", json!(null)),
            ("/spec/nullv", json!(null)),
            ("/spec/list/3", json!(null)),
            ("/spec/replicas", json!(1.0)),
            ("/spec/replicas", json!(1.0000000000000001)),
            ("/spec/list/1", json!(2.5)),
            ("/spec/list/4", json!({"k": "v"})),
            ("/metadata/labels", json!({"a": "b"})),
            (
                "/spec/template",
                json!({"spec": {"containers": [
                    {"name": "c0", "image": "i0"},
                    {"name": "c1", "image": "i1"},
                    {"name": "c2", "image": "i2"}]}}),
            ),
        ] {
            let r = patched(json!([{"op": "test", "path": path, "value": value}]));
            assert!(r.is_ok(), "{path}: {r:?}");
        }
    }

    // kubectl: each fails with "testing value … failed".
    #[test]
    fn test_fails() {
        for (path, value) in [
            ("/spec/replicas", json!(2)),
            ("/spec/replicas", json!("1")),
            ("/spec/list/4", json!({"k": "v", "z": null})),
        ] {
            let e = err_of(json!([{"op": "test", "path": path, "value": value}]));
            assert!(e.contains("test failed"), "{e}");
        }
        // No value: kubectl fails too.
        let e = err_of(json!([{"op": "test", "path": "/spec/replicas"}]));
        assert!(e.contains("missing \"value\""), "{e}");
    }

    // kubectl: with JSON text `[{"op":"test",…,"value":1.0}]` the test fails
    // (raw text compare), while the YAML `value: 1.0` passes.
    #[test]
    fn json_syntax_test_compares_raw_numbers() {
        let ops = v(json!([{"op": "test", "path": "/spec/replicas", "value": 1.0}]));
        let mut doc = deployment();
        let patch = Patch::parse(&ops, Syntax::Json).unwrap();
        assert!(patch.apply(&mut doc).is_err());
        let patch = Patch::parse(&ops, Syntax::Yaml).unwrap();
        assert!(patch.apply(&mut doc).is_ok());
    }

    // kubectl: the errors named in the reference.
    #[test]
    fn errors() {
        let e = err_of(json!([{"op": "add", "path": "/spec/strategy/type", "value": "x"}]));
        assert_eq!(
            e,
            "JSON patch operation 1 of 1 (add \"/spec/strategy/type\"): the parent /spec/strategy does not exist"
        );
        let e = err_of(json!([
            {"op": "test", "path": "/kind", "value": "Deployment"},
            {"op": "frob", "path": "/spec/replicas", "value": 2}
        ]));
        assert!(
            e.starts_with("JSON patch operation 2 of 2 (frob \"/spec/replicas\"): unknown op"),
            "{e}"
        );
        for ops in [
            json!([{"op": "add", "path": "/spec/list/6", "value": 1}]),
            json!([{"op": "remove", "path": "/spec/nothere"}]),
            json!([{"op": "remove", "path": "/spec/list/-"}]),
            json!([{"op": "add", "path": "/spec/list/99999999999999999999", "value": 1}]),
            json!([{"op": "add", "path": "/spec/list/-/x", "value": 1}]),
            json!([{"op": "add", "path": "/spec/nullv/x", "value": 1}]),
            json!([{"op": "add", "path": "/spec/replicas/x", "value": 1}]),
            json!([{"op": "add", "path": "/spec//x", "value": 1}]),
            json!([{"op": "add", "path": "", "value": {"a": 1}}]),
            json!([{"op": "add", "path": 5, "value": 1}]),
            json!([{"op": "add", "value": 1}]),
            json!([{"path": "/spec/x", "value": 1}]),
            json!([{"op": 5, "path": "/spec/x", "value": 1}]),
            json!([{"op": "replace", "path": "/spec/list/5", "value": 1}]),
            json!([{"op": "replace", "path": "", "value": [1]}]),
        ] {
            assert!(patched(ops.clone()).is_err(), "{ops}");
        }
    }

    // kubectl: add /spec/list/5 (== len) appends; add /spec/template/0 adds a
    // key "0"; add "/" adds a key "" at the top; add with no value adds null.
    #[test]
    fn add_edges() {
        let doc = patched(json!([
            {"op": "add", "path": "/spec/list/5", "value": 1},
            {"op": "add", "path": "/spec/template/0", "value": "Q"},
            {"op": "add", "path": "/", "value": "Q"},
            {"op": "add", "path": "/spec/nv"}
        ]))
        .unwrap();
        assert_eq!(
            at(&doc, &["spec", "list"])
                .and_then(|l| l.as_seq())
                .map(Vec::len),
            Some(6)
        );
        assert_eq!(at(&doc, &["spec", "template", "0"]), Some(&v(json!("Q"))));
        assert_eq!(at(&doc, &[""]), Some(&v(json!("Q"))));
        assert_eq!(at(&doc, &["spec", "nv"]), Some(&Value::NULL));
    }

    // kubectl: replace "" with a mapping swaps the document (later ops see
    // the new one); with 5 or null nothing changes.
    #[test]
    fn replace_root() {
        let doc = patched(json!([
            {"op": "replace", "path": "", "value": {"apiVersion": "v1", "kind": "Deployment",
                "metadata": {"name": "z"}}},
            {"op": "add", "path": "/spec", "value": {"a": 1}}
        ]))
        .unwrap();
        assert_eq!(
            doc,
            v(
                json!({"apiVersion": "v1", "kind": "Deployment", "metadata": {"name": "z"},
                "spec": {"a": 1}})
            )
        );
        for value in [json!(5), json!(null)] {
            let doc = patched(json!([{"op": "replace", "path": "", "value": value}])).unwrap();
            assert_eq!(doc, deployment());
        }
    }

    // kubectl rejects a non-sequence, non-mapping items and an empty list
    // when loading the patch.
    #[test]
    fn parse_errors() {
        for ops in [json!({"op": "add"}), json!([5]), json!([])] {
            assert!(
                Patch::parse(&v(ops.clone()), Syntax::Yaml).is_err(),
                "{ops}"
            );
        }
    }

    #[test]
    fn strict_check() {
        let bad = [
            json!([{"op": "frob", "path": "/a"}]),
            json!([{"path": "/a"}]),
            json!([{"op": "add", "value": 1}]),
            json!([{"op": "add", "path": "a", "value": 1}]),
            json!([{"op": "add", "path": "", "value": 1}]),
            json!([{"op": "move", "path": "/a"}]),
            json!([{"op": "test", "path": "/a"}]),
            json!([{"op": "replace", "path": "", "value": [1]}]),
        ];
        for ops in bad {
            assert!(
                parse_strict(&v(ops.clone()), Syntax::Yaml).is_err(),
                "{ops}"
            );
            // Lenient parsing accepts them (kustomize fails only when applying).
            assert!(Patch::parse(&v(ops.clone()), Syntax::Yaml).is_ok(), "{ops}");
        }
        let good = json!([
            {"op": "add", "path": "/a/-", "value": 1},
            {"op": "replace", "path": "", "value": {"a": 1}},
            {"op": "test", "path": "", "value": {"a": 1}},
            {"op": "copy", "from": "/a", "path": "/b"},
            {"op": "remove", "path": "/b"}
        ]);
        assert!(parse_strict(&v(good), Syntax::Yaml).is_ok());
    }

    #[test]
    fn go_float_rendering() {
        assert_eq!(go_json_float(1.0), "1");
        assert_eq!(go_json_float(2.5), "2.5");
        assert_eq!(go_json_float(1e20), "100000000000000000000");
        assert_eq!(go_json_float(1e21), "1e+21");
        assert_eq!(go_json_float(1.5e-7), "1.5e-7");
        assert_eq!(go_json_float(0.000001), "0.000001");
        assert_eq!(parse_index("007"), Some(7));
        assert_eq!(parse_index("-"), None);
        assert_eq!(parse_index("1_0"), None);
    }
}
