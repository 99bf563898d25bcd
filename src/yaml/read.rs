//! Reads YAML text into [`Value`]s the way kustomize 5.5 reads it.
//!
//! kustomize reads a file with kyaml (which splits the text into documents
//! itself, expands anchors and `<<` merge keys with its own rules), keeps
//! yaml.v3 nodes, and at output time decodes them with yaml.v3 into Go maps and
//! round-trips them through JSON. This module reproduces the observable result
//! of that whole pipeline directly from the saphyr event stream:
//!
//! * documents are split the way kyaml splits them (`\n---…\n` lines), and only
//!   the first YAML document of each piece is read; null documents are dropped;
//! * plain scalars resolve with yaml.v3's rules (`0755` is 493, `yes` is a
//!   string, `2001-12-14` is a timestamp), then go through JSON: integral floats
//!   become integers, timestamps become RFC 3339 strings, `.inf` is an error;
//! * anchors and aliases are expanded (with an expansion budget), merge keys
//!   are applied as kyaml applies them;
//! * keys must be strings, except in the top-level mapping of a document where
//!   a number, boolean or timestamp key is taken as its text.
//!
//! Every rule here was checked against `kubectl kustomize` (kustomize v5.5.0).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use base64::Engine as _;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

use super::value::{Map, Value};

/// A YAML syntax or semantic error with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl YamlError {
    fn at(line: usize, column: usize, message: impl Into<String>) -> Self {
        YamlError {
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for YamlError {}

/// Deepest nesting of sequences and mappings accepted; deeper input is an
/// error (kubectl has no such limit, but no real manifest comes close).
pub const MAX_DEPTH: usize = 1000;

/// Alias expansion budget, in weight units (one node, or 32 bytes of string),
/// on top of `text.len() / 16`: a "billion laughs" input fails fast.
const ALIAS_BUDGET_BASE: usize = 200_000;

/// Parses a multi-document stream as kustomize reads a resource file; null and
/// empty documents are dropped (kustomize also drops `{}` and `[]` documents,
/// which this function returns: that is the caller's business).
pub fn parse_documents(text: &str) -> Result<Vec<Value>, YamlError> {
    // kyaml replaces CRLF line endings before anything else.
    let text: Cow<str> = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let text = text.as_ref();
    let mut budget = ALIAS_BUDGET_BASE + text.len() / 16;
    let mut out = Vec::new();
    for chunk in split_documents(text)? {
        let mut b = Builder::new(
            &text[chunk.start..chunk.end],
            chunk.line_offset,
            &mut budget,
        );
        match b.parse_first_document()? {
            None | Some(Value::Null) => {}
            Some(v) => out.push(v),
        }
    }
    Ok(out)
}

/// Parses text holding at most one document (a kustomization file, a patch).
/// Returns `None` when the text has no non-null document; more than one
/// document is an error.
pub fn parse_single(text: &str) -> Result<Option<Value>, YamlError> {
    let mut docs = parse_documents(text)?;
    match docs.len() {
        0 => Ok(None),
        1 => Ok(docs.pop()),
        n => Err(YamlError {
            line: None,
            column: None,
            message: format!("expected a single YAML document, found {n}"),
        }),
    }
}

/// Converts a float as yaml.v3 decoded it into what kustomize prints after its
/// JSON round trip (Go `encoding/json`, then go-yaml v2 reading the JSON
/// number back): integral values below 1e21 become `Int`/`UInt` (`1.0` → 1,
/// `1e3` → 1000, `9.3e18` → `UInt`), others stay `Float`. NaN and infinities
/// are errors, as in Go's `json.Marshal`.
pub fn float_value(f: f64) -> Result<Value, String> {
    if f.is_nan() {
        return Err("json: unsupported value: NaN".into());
    }
    if f.is_infinite() {
        let s = if f > 0.0 { "+Inf" } else { "-Inf" };
        return Err(format!("json: unsupported value: {s}"));
    }
    if f == 0.0 {
        // `-0` in JSON reads back as the integer 0.
        return Ok(Value::Int(0));
    }
    let a = f.abs();
    if !(1e-6..1e21).contains(&a) || f.fract() != 0.0 {
        return Ok(Value::Float(f));
    }
    if a < 9.0e15 {
        return Ok(Value::Int(f as i64));
    }
    // Go writes the shortest decimal digits padded with zeros (as Rust's
    // Display does): 2^63 is written 9223372036854776000.
    let s = f.to_string();
    if let Ok(i) = s.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    if let Ok(u) = s.parse::<u64>() {
        return Ok(Value::UInt(u));
    }
    Ok(Value::Float(f))
}

// ---------------------------------------------------------------------------
// Document splitting (kyaml's own, before any YAML parsing)

struct Chunk {
    start: usize,
    end: usize,
    line_offset: usize,
}

/// Splits like kyaml: a separator is `\n---` followed by anything up to the
/// next `\n` (matches do not overlap); text after `---` must be blank or a
/// comment. Each piece but the last keeps one trailing newline.
fn split_documents(s: &str) -> Result<Vec<Chunk>, YamlError> {
    let mut chunks = Vec::new();
    let mut prev = 0;
    let mut pos = 0;
    let mut line_offset = 0;
    while let Some(found) = s[pos..].find("\n---") {
        let p = pos + found;
        let Some(nl) = s[p + 4..].find('\n') else {
            break;
        };
        let e = p + 4 + nl;
        let rest = s[p + 4..e].trim();
        if !rest.is_empty() && !rest.starts_with('#') {
            let line = line_offset + count_newlines(&s[prev..p]) + 2;
            return Err(YamlError::at(
                line,
                1,
                format!("invalid document separator: {}", s[p..=e].trim()),
            ));
        }
        chunks.push(Chunk {
            start: prev,
            end: p + 1,
            line_offset,
        });
        line_offset += count_newlines(&s[prev..=e]);
        prev = e + 1;
        pos = e + 1;
    }
    chunks.push(Chunk {
        start: prev,
        end: s.len(),
        line_offset,
    });
    Ok(chunks)
}

fn count_newlines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

// ---------------------------------------------------------------------------
// Building values from events

/// What is known about a mapping key besides its text.
#[derive(Clone, Copy)]
struct KeyMeta {
    /// The key is a merge key (`<<` plain, or tagged `!!merge`).
    merge: bool,
    /// 1-based line of the key.
    line: usize,
    /// The value was an alias (matters for merge-key errors only).
    value_from_alias: bool,
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        flow: bool,
        weight: usize,
    },
    Map {
        entries: Vec<(String, Value)>,
        meta: Vec<KeyMeta>,
        pending: Option<(String, KeyMeta)>,
        anchor: usize,
        flow: bool,
        weight: usize,
        root: bool,
    },
}

impl Frame {
    fn flow(&self) -> bool {
        match self {
            Frame::Seq { flow, .. } | Frame::Map { flow, .. } => *flow,
        }
    }
}

struct Builder<'a, 'b> {
    text: &'a str,
    ascii: bool,
    cursor_char: usize,
    cursor_byte: usize,
    line_offset: usize,
    budget: &'b mut usize,
    anchors: Vec<Option<(Value, usize)>>,
    stack: Vec<Frame>,
}

fn scalar_weight(len: usize) -> usize {
    1 + len / 32
}

impl<'a, 'b> Builder<'a, 'b> {
    fn new(text: &'a str, line_offset: usize, budget: &'b mut usize) -> Self {
        Builder {
            text,
            ascii: text.is_ascii(),
            cursor_char: 0,
            cursor_byte: 0,
            line_offset,
            budget,
            anchors: Vec::new(),
            stack: Vec::new(),
        }
    }

    fn err(&self, span: &Span, message: impl Into<String>) -> YamlError {
        YamlError::at(
            span.start.line() + self.line_offset,
            span.start.col() + 1,
            message,
        )
    }

    fn scan_err(&self, e: &ScanError) -> YamlError {
        YamlError::at(
            e.marker().line() + self.line_offset,
            e.marker().col() + 1,
            e.info().to_string(),
        )
    }

    /// Byte offset of a character index into the chunk text.
    fn byte_index(&mut self, ci: usize) -> usize {
        if self.ascii {
            return ci.min(self.text.len());
        }
        if ci < self.cursor_char {
            self.cursor_char = 0;
            self.cursor_byte = 0;
        }
        let skip = ci - self.cursor_char;
        let b = match self.text[self.cursor_byte..].char_indices().nth(skip) {
            Some((off, _)) => self.cursor_byte + off,
            None => self.text.len(),
        };
        self.cursor_char = ci;
        self.cursor_byte = b;
        b
    }

    /// True when a collection start event opened a flow collection: its span
    /// ends just after the `{` or `[`.
    fn starts_flow(&mut self, span: &Span) -> bool {
        if span.end.index() <= span.start.index() {
            return false;
        }
        let b = self.byte_index(span.end.index());
        matches!(self.text[..b].chars().next_back(), Some('{' | '['))
    }

    fn charge(&mut self, weight: usize, span: &Span) -> Result<(), YamlError> {
        if weight > *self.budget {
            return Err(self.err(
                span,
                "too many alias expansions (anchors and aliases expand to too much data)",
            ));
        }
        *self.budget -= weight;
        Ok(())
    }

    fn store_anchor(
        &mut self,
        id: usize,
        v: &Value,
        weight: usize,
        span: &Span,
    ) -> Result<(), YamlError> {
        if id == 0 {
            return Ok(());
        }
        self.charge(weight, span)?;
        if self.anchors.len() <= id {
            self.anchors.resize(id + 1, None);
        }
        self.anchors[id] = Some((v.clone(), weight));
        Ok(())
    }

    /// True when the next scalar or collection is a mapping key.
    fn at_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }))
    }

    fn in_flow(&self) -> bool {
        self.stack.last().is_some_and(Frame::flow)
    }

    fn in_root_map(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { root: true, .. }))
    }

    /// Reads the first document of the chunk (kyaml decodes one document per
    /// piece; anything after it is ignored). `None` when there is none.
    fn parse_first_document(&mut self) -> Result<Option<Value>, YamlError> {
        let mut parser = Parser::new_from_str(self.text);
        loop {
            let (ev, span) = match parser.next_event() {
                None => return Ok(None),
                Some(Err(e)) => return Err(self.scan_err(&e)),
                Some(Ok(x)) => x,
            };
            let done = match ev {
                Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => None,
                Event::StreamEnd | Event::DocumentEnd => return Ok(None),
                Event::Alias(id) => {
                    let (v, w) = match self.anchors.get(id) {
                        Some(Some((v, w))) => (v, *w),
                        _ => {
                            return Err(self.err(
                                &span,
                                "alias refers to an anchor whose node is not complete",
                            ));
                        }
                    };
                    let v = v.clone();
                    self.charge(w, &span)?;
                    self.complete(v, w, true, &span)?
                }
                Event::Scalar(text, style, anchor, tag) => {
                    self.scalar(text, style, anchor, tag.as_deref(), &span)?
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if self.at_key() {
                        return Err(self.err(
                            &span,
                            "invalid map key: a sequence or mapping cannot be a key",
                        ));
                    }
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(self.err(
                            &span,
                            format!("exceeded max depth of {MAX_DEPTH} nested collections"),
                        ));
                    }
                    let flow = self.in_flow() || self.starts_flow(&span);
                    let frame = if matches!(ev, Event::SequenceStart(..)) {
                        Frame::Seq {
                            items: Vec::new(),
                            anchor,
                            flow,
                            weight: 1,
                        }
                    } else {
                        Frame::Map {
                            entries: Vec::new(),
                            meta: Vec::new(),
                            pending: None,
                            anchor,
                            flow,
                            weight: 1,
                            root: self.stack.is_empty(),
                        }
                    };
                    self.stack.push(frame);
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else {
                        return Err(self.err(&span, "unbalanced collection end"));
                    };
                    let (v, anchor, weight) = match frame {
                        Frame::Seq {
                            items,
                            anchor,
                            weight,
                            ..
                        } => (Value::Seq(items), anchor, weight),
                        Frame::Map {
                            entries,
                            meta,
                            anchor,
                            weight,
                            ..
                        } => (self.finish_map(entries, meta, &span)?, anchor, weight),
                    };
                    self.store_anchor(anchor, &v, weight, &span)?;
                    self.complete(v, weight, false, &span)?
                }
            };
            if let Some(root) = done {
                // yaml.v3 reads up to the end of the document: a syntax error
                // right after the root node still fails.
                if let Some(Err(e)) = parser.next_event() {
                    return Err(self.scan_err(&e));
                }
                return Ok(Some(root));
            }
        }
    }

    /// Handles a scalar event, as a key or as a value.
    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: &Span,
    ) -> Result<Option<Value>, YamlError> {
        let kind = tag_kind(tag);
        let plain = style == ScalarStyle::Plain;
        let flow = self.in_flow();
        if self.at_key() {
            let line = span.start.line() + self.line_offset;
            let root = self.in_root_map();
            let (key, merge) = self.key_from_scalar(&text, plain, kind, root, span)?;
            if anchor != 0 {
                let v = scalar_value(&text, plain, kind, flow).map_err(|m| self.err(span, m))?;
                let w = scalar_weight(text.len());
                self.store_anchor(anchor, &v, w, span)?;
            }
            if let Some(Frame::Map {
                pending, weight, ..
            }) = self.stack.last_mut()
            {
                *weight += scalar_weight(key.len());
                *pending = Some((
                    key,
                    KeyMeta {
                        merge,
                        line,
                        value_from_alias: false,
                    },
                ));
            }
            return Ok(None);
        }
        let v = scalar_value(&text, plain, kind, flow).map_err(|m| self.err(span, m))?;
        let w = scalar_weight(text.len());
        self.store_anchor(anchor, &v, w, span)?;
        self.complete(v, w, false, span)
    }

    /// The key text of a scalar key, and whether it is a merge key.
    fn key_from_scalar(
        &self,
        text: &str,
        plain: bool,
        kind: TagKind,
        root: bool,
        span: &Span,
    ) -> Result<(String, bool), YamlError> {
        let non_string = |what: &str| -> Result<(String, bool), YamlError> {
            if root {
                // The top-level mapping is decoded into a Go
                // map[string]interface{}: such a key becomes its text.
                Ok((text.to_string(), false))
            } else {
                Err(self.err(
                    span,
                    format!(
                        "invalid mapping key {text:?}: {what} keys are not supported \
                         (json: unsupported type: map[interface {{}}]interface {{}})"
                    ),
                ))
            }
        };
        let resolved = match kind {
            TagKind::Untagged if plain && text == "<<" => return Ok((text.to_string(), true)),
            TagKind::Core(CoreTag::Merge) => return Ok((text.to_string(), true)),
            TagKind::Untagged if !plain => return Ok((text.to_string(), false)),
            TagKind::Core(CoreTag::Str) => return Ok((text.to_string(), false)),
            TagKind::Core(CoreTag::Binary) => {
                let bytes = decode_binary(text).map_err(|m| self.err(span, m))?;
                return Ok((go_lossy_string(bytes), false));
            }
            TagKind::Other => return non_string("tagged"),
            TagKind::Untagged => resolve_implicit(text, true),
            TagKind::Core(t) => resolve_tagged(text, t).map_err(|m| self.err(span, m))?,
        };
        match resolved {
            Resolved::Str => Ok((text.to_string(), false)),
            Resolved::Null => Err(self.err(
                span,
                format!("invalid mapping key {text:?}: null keys are not supported"),
            )),
            _ => non_string("non-string"),
        }
    }

    /// Attaches a finished node to its parent; returns it when it is the root.
    fn complete(
        &mut self,
        v: Value,
        w: usize,
        from_alias: bool,
        span: &Span,
    ) -> Result<Option<Value>, YamlError> {
        let root = self.in_root_map();
        let line = span.start.line() + self.line_offset;
        let key_from_alias = if self.at_key() {
            // Only an alias can complete in key position.
            let key = match &v {
                Value::String(s) => s.clone(),
                Value::Null => {
                    return Err(self.err(span, "invalid mapping key: null keys are not supported"));
                }
                Value::Seq(_) | Value::Map(_) => {
                    return Err(self.err(
                        span,
                        "invalid map key: a sequence or mapping cannot be a key",
                    ));
                }
                other => {
                    if root {
                        other.scalar_string().unwrap_or_default()
                    } else {
                        return Err(self.err(
                            span,
                            format!(
                                "invalid mapping key {other}: non-string keys are not supported"
                            ),
                        ));
                    }
                }
            };
            Some(key)
        } else {
            None
        };
        match self.stack.last_mut() {
            None => Ok(Some(v)),
            Some(Frame::Seq { items, weight, .. }) => {
                items.push(v);
                *weight += w;
                Ok(None)
            }
            Some(Frame::Map {
                entries,
                meta,
                pending,
                weight,
                ..
            }) => {
                if let Some(key) = key_from_alias {
                    *weight += scalar_weight(key.len());
                    *pending = Some((
                        key,
                        KeyMeta {
                            merge: false,
                            line,
                            value_from_alias: false,
                        },
                    ));
                    return Ok(None);
                }
                if let Some((k, mut m)) = pending.take() {
                    m.value_from_alias = from_alias;
                    entries.push((k, v));
                    meta.push(m);
                    *weight += w;
                }
                Ok(None)
            }
        }
    }

    /// Applies merge keys (kyaml's rules), checks duplicates and builds the map.
    fn finish_map(
        &mut self,
        mut entries: Vec<(String, Value)>,
        mut meta: Vec<KeyMeta>,
        span: &Span,
    ) -> Result<Value, YamlError> {
        if meta.iter().any(|m| m.merge) || entries.iter().any(|(k, _)| k == "<<") {
            self.apply_merges(&mut entries, &mut meta, span)?;
        }
        check_duplicates(&entries, &meta).map_err(|(line, key, first)| {
            YamlError::at(
                line,
                1,
                format!("mapping key {key:?} already defined at line {first}"),
            )
        })?;
        Ok(Value::Map(Map::from_unique_entries(entries)))
    }

    fn apply_merges(
        &mut self,
        entries: &mut Vec<(String, Value)>,
        meta: &mut Vec<KeyMeta>,
        span: &Span,
    ) -> Result<(), YamlError> {
        let mut merge_idx = None;
        for (i, m) in meta.iter().enumerate() {
            if m.merge {
                if merge_idx.is_some() {
                    return Err(YamlError::at(m.line, 1, "duplicate merge key"));
                }
                merge_idx = Some(i);
            }
        }
        // kyaml then deletes the first field whose key text is `<<`, whatever
        // its style or tag (so a quoted "<<" key disappears too).
        let clear_idx = entries.iter().position(|(k, _)| k == "<<");
        let merge_value = match merge_idx {
            None => None,
            Some(i) => {
                let m = meta[i];
                let v = if clear_idx == Some(i) {
                    meta.remove(i);
                    entries.remove(i).1
                } else {
                    let v = entries[i].1.clone();
                    self.charge(value_weight(&v), span)?;
                    v
                };
                Some((v, m))
            }
        };
        if merge_idx.is_none() || (clear_idx.is_some() && clear_idx != merge_idx) {
            if let Some(c) = clear_idx {
                entries.remove(c);
                meta.remove(c);
            }
        }
        let Some((value, m)) = merge_value else {
            return Ok(());
        };
        let bad = |msg: &str| YamlError::at(m.line, 1, msg.to_string());
        const NOT_MAPS: &str = "map merge requires map or sequence of maps as the value";
        const ALIAS_NOT_MAP: &str = "invalid map merge: received alias for a non-map value";
        let mut sources: Vec<Map> = match value {
            Value::Map(map) => vec![map],
            Value::Seq(_) if m.value_from_alias => return Err(bad(ALIAS_NOT_MAP)),
            Value::Seq(items) => {
                let mut v = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::Map(map) => v.push(map),
                        Value::Seq(_) => {
                            return Err(bad("invalid map merge: received a nested sequence"));
                        }
                        _ => return Err(bad(NOT_MAPS)),
                    }
                }
                v
            }
            _ if m.value_from_alias => return Err(bad(ALIAS_NOT_MAP)),
            _ => return Err(bad(NOT_MAPS)),
        };
        // The last map of a merge list is applied first, so the first wins;
        // the mapping's own keys win over all.
        sources.reverse();
        let own = entries.len();
        let mut index: HashMap<String, usize> = HashMap::new();
        let use_index = own + sources.iter().map(Map::len).sum::<usize>() > 16;
        if use_index {
            for (i, (k, _)) in entries.iter().enumerate() {
                index.entry(k.clone()).or_insert(i);
            }
        }
        for src in sources {
            for (k, v) in src {
                let found = if use_index {
                    index.get(&k).copied()
                } else {
                    entries.iter().position(|(e, _)| *e == k)
                };
                match found {
                    Some(i) if i < own => {}
                    Some(i) => entries[i].1 = v,
                    None => {
                        if use_index {
                            index.insert(k.clone(), entries.len());
                        }
                        entries.push((k, v));
                        meta.push(KeyMeta {
                            merge: false,
                            line: m.line,
                            value_from_alias: false,
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// Finds the first duplicate key: `(line, key, first line)`.
fn check_duplicates<'e>(
    entries: &'e [(String, Value)],
    meta: &[KeyMeta],
) -> Result<(), (usize, &'e str, usize)> {
    if entries.len() <= 16 {
        for (j, (k, _)) in entries.iter().enumerate() {
            if let Some(i) = entries[..j].iter().position(|(e, _)| e == k) {
                return Err((meta[j].line, k, meta[i].line));
            }
        }
        return Ok(());
    }
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    for (j, (k, _)) in entries.iter().enumerate() {
        if let Some(&i) = seen.get(k.as_str()) {
            return Err((meta[j].line, k, meta[i].line));
        }
        seen.insert(k, j);
    }
    Ok(())
}

fn value_weight(v: &Value) -> usize {
    // Iterative, so that a deep value cannot overflow the stack.
    let mut total = 0;
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        total += match v {
            Value::String(s) => scalar_weight(s.len()),
            Value::Seq(items) => {
                todo.extend(items.iter());
                1
            }
            Value::Map(m) => {
                let mut w = 1;
                for (k, v) in m.iter() {
                    w += scalar_weight(k.len());
                    todo.push(v);
                }
                w
            }
            _ => 1,
        };
    }
    total
}

// ---------------------------------------------------------------------------
// Scalars

#[derive(Clone, Copy, PartialEq, Debug)]
enum CoreTag {
    Str,
    Binary,
    Int,
    Float,
    Bool,
    Null,
    Timestamp,
    Merge,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum TagKind {
    /// No tag, or the non-specific `!`.
    Untagged,
    /// A tag of the YAML core schema that yaml.v3 acts on.
    Core(CoreTag),
    /// Any other tag (custom `!foo`, `!!map` on a scalar…): the text is kept.
    Other,
}

fn tag_kind(tag: Option<&Tag>) -> TagKind {
    let Some(t) = tag else {
        return TagKind::Untagged;
    };
    if t.handle.is_empty() && t.suffix == "!" {
        return TagKind::Untagged;
    }
    const CORE: &str = "tag:yaml.org,2002:";
    let name = if t.handle == CORE {
        Some(t.suffix.as_str())
    } else if t.handle.is_empty() {
        t.suffix.strip_prefix(CORE)
    } else {
        None
    };
    match name {
        Some("str") => TagKind::Core(CoreTag::Str),
        Some("binary") => TagKind::Core(CoreTag::Binary),
        Some("int") => TagKind::Core(CoreTag::Int),
        Some("float") => TagKind::Core(CoreTag::Float),
        Some("bool") => TagKind::Core(CoreTag::Bool),
        Some("null") => TagKind::Core(CoreTag::Null),
        Some("timestamp") => TagKind::Core(CoreTag::Timestamp),
        Some("merge") => TagKind::Core(CoreTag::Merge),
        _ => TagKind::Other,
    }
}

/// A scalar resolved by yaml.v3, before the JSON round trip.
#[derive(Debug, PartialEq)]
enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Time(Timestamp),
    Str,
}

impl Resolved {
    fn short_tag(&self) -> &'static str {
        match self {
            Resolved::Null => "!!null",
            Resolved::Bool(_) => "!!bool",
            Resolved::Int(_) | Resolved::UInt(_) => "!!int",
            Resolved::Float(_) => "!!float",
            Resolved::Time(_) => "!!timestamp",
            Resolved::Str => "!!str",
        }
    }
}

/// The value of a scalar node (not a key).
fn scalar_value(text: &str, plain: bool, kind: TagKind, flow: bool) -> Result<Value, String> {
    let resolved = match kind {
        TagKind::Untagged if !plain => return Ok(Value::String(text.to_string())),
        // kustomize re-encodes nodes before decoding them: an empty plain
        // scalar inside a flow collection is written as '' and reads back as
        // an empty string (`{a: }` gives "", block `a:` gives null).
        TagKind::Untagged if flow && text.is_empty() => return Ok(Value::String(String::new())),
        TagKind::Untagged => resolve_implicit(text, true),
        TagKind::Core(CoreTag::Str) | TagKind::Core(CoreTag::Merge) | TagKind::Other => {
            return Ok(Value::String(text.to_string()));
        }
        TagKind::Core(CoreTag::Binary) => {
            return Ok(Value::String(go_lossy_string(decode_binary(text)?)));
        }
        TagKind::Core(t) => resolve_tagged(text, t)?,
    };
    Ok(match resolved {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Int(i),
        Resolved::UInt(u) => Value::UInt(u),
        Resolved::Float(f) => float_value(f)?,
        Resolved::Time(t) => Value::String(t.to_rfc3339()?),
        Resolved::Str => Value::String(text.to_string()),
    })
}

/// yaml.v3's resolution of a plain untagged scalar.
fn resolve_implicit(s: &str, try_timestamp: bool) -> Resolved {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match s.as_bytes()[0] {
        b'.' => match dot_float(s) {
            Some(f) => Resolved::Float(f),
            None => Resolved::Str,
        },
        b'0'..=b'9' | b'+' | b'-' => {
            if try_timestamp {
                if let Some(t) = Timestamp::parse(s) {
                    return Resolved::Time(t);
                }
            }
            let plain: Cow<str> = if s.contains('_') {
                Cow::Owned(s.replace('_', ""))
            } else {
                Cow::Borrowed(s)
            };
            if let Some(i) = go_parse_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Resolved::UInt(u);
            }
            if is_yaml_float(&plain) {
                if let Ok(f) = plain.parse::<f64>() {
                    if f.is_finite() {
                        return Resolved::Float(f);
                    }
                }
            }
            Resolved::Str
        }
        _ => Resolved::Str,
    }
}

/// Resolution under an explicit `!!int`, `!!float`, `!!bool`, `!!null` or
/// `!!timestamp` tag (quoted or not): the text must resolve to that type.
fn resolve_tagged(s: &str, tag: CoreTag) -> Result<Resolved, String> {
    let r = resolve_implicit(s, tag == CoreTag::Timestamp);
    let ok = match (&r, tag) {
        (Resolved::Int(_) | Resolved::UInt(_), CoreTag::Int)
        | (Resolved::Float(_), CoreTag::Float)
        | (Resolved::Bool(_), CoreTag::Bool)
        | (Resolved::Null, CoreTag::Null)
        | (Resolved::Time(_), CoreTag::Timestamp) => true,
        (Resolved::Int(i), CoreTag::Float) => return Ok(Resolved::Float(*i as f64)),
        _ => false,
    };
    if ok {
        return Ok(r);
    }
    let want = match tag {
        CoreTag::Int => "!!int",
        CoreTag::Float => "!!float",
        CoreTag::Bool => "!!bool",
        CoreTag::Null => "!!null",
        _ => "!!timestamp",
    };
    Err(format!(
        "cannot decode {} `{}` as a {}",
        r.short_tag(),
        s,
        want
    ))
}

/// A float starting with `.`: Go's `strconv.ParseFloat` on the raw text, so
/// underscores must sit between digits (`.5_0` is 0.5, `._5` a string).
fn dot_float(s: &str) -> Option<f64> {
    if s.contains('_') && !go_underscore_ok(s) {
        return None;
    }
    let t: Cow<str> = if s.contains('_') {
        Cow::Owned(s.replace('_', ""))
    } else {
        Cow::Borrowed(s)
    };
    let b = t.as_bytes();
    let mut i = 1;
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == digits_start || !exponent_ok(&b[i..]) {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `[eE][-+]?[0-9]+` or nothing.
fn exponent_ok(b: &[u8]) -> bool {
    if b.is_empty() {
        return true;
    }
    if b[0] != b'e' && b[0] != b'E' {
        return false;
    }
    let rest = match b.get(1) {
        Some(b'+' | b'-') => &b[2..],
        _ => &b[1..],
    };
    !rest.is_empty() && rest.iter().all(u8::is_ascii_digit)
}

/// yaml.v3's float syntax: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    } else {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    exponent_ok(&b[i..])
}

/// Go's rule for underscores in number literals: only between digits (or
/// after a base prefix).
fn go_underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut saw = b'^';
    let mut hex = false;
    if b.len() >= i + 2 && b[i] == b'0' && matches!(b[i + 1] | 0x20, b'b' | b'o' | b'x') {
        hex = b[i + 1] | 0x20 == b'x';
        i += 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && (c | 0x20).is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, 0, 64)` (no underscores: yaml.v3 removed them).
fn go_parse_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (base, digits): (u32, &[u8]) = if b[0] == b'0' {
        if b.len() >= 3 && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
            let base = match b[1] | 0x20 {
                b'b' => 2,
                b'o' => 8,
                _ => 16,
            };
            (base, &b[2..])
        } else {
            (8, &b[1..])
        }
    } else {
        (10, b)
    };
    let mut n: u64 = 0;
    for &c in digits {
        let d = (c as char).to_digit(base)?;
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(rest)?;
    if neg {
        if u <= 1u64 << 63 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// Decodes `!!binary` text as Go's `base64.StdEncoding` does (newlines are
/// ignored, padding is required).
fn decode_binary(text: &str) -> Result<Vec<u8>, String> {
    const ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
    );
    let cleaned: Cow<str> = if text.contains(['\n', '\r']) {
        Cow::Owned(text.chars().filter(|c| *c != '\n' && *c != '\r').collect())
    } else {
        Cow::Borrowed(text)
    };
    ENGINE
        .decode(cleaned.as_bytes())
        .map_err(|_| "!!binary value contains invalid base64 data".to_string())
}

/// Bytes to a string as Go's `json.Marshal` writes them: each invalid byte
/// becomes U+FFFD.
fn go_lossy_string(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                for _ in chunk.invalid() {
                    out.push('\u{FFFD}');
                }
            }
            out
        }
    }
}

// ---------------------------------------------------------------------------
// Timestamps (yaml.v3 accepts four Go time layouts; JSON writes RFC 3339)

#[derive(Debug, PartialEq, Clone, Copy)]
struct Timestamp {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    /// Offset from UTC in seconds.
    offset: i32,
}

impl Timestamp {
    /// Parses with yaml.v3's layouts `2006-1-2T15:4:5.999999999Z07:00` (also
    /// with `t`), `2006-1-2 15:4:5.999999999` and `2006-1-2`, with Go's
    /// `time.Parse` leniencies (one-digit fields, runs of spaces, `,` before
    /// the fraction, any number of fraction digits, offsets up to 24:60).
    fn parse(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
            return None;
        }
        let year = b[..4]
            .iter()
            .fold(0u32, |n, &c| n * 10 + u32::from(c - b'0'));
        let mut i = 5;
        let month = getnum(b, &mut i)?;
        if b.get(i) != Some(&b'-') {
            return None;
        }
        i += 1;
        let day = getnum(b, &mut i)?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
            return None;
        }
        let mut t = Timestamp {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
            nanos: 0,
            offset: 0,
        };
        if i == b.len() {
            return Some(t);
        }
        let zoned = match b[i] {
            b'T' | b't' => {
                i += 1;
                true
            }
            b' ' => {
                while i < b.len() && b[i] == b' ' {
                    i += 1;
                }
                false
            }
            _ => return None,
        };
        t.hour = getnum(b, &mut i)?;
        if t.hour >= 24 || b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        t.minute = getnum(b, &mut i)?;
        if t.minute >= 60 || b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        t.second = getnum(b, &mut i)?;
        if t.second >= 60 {
            return None;
        }
        if i + 1 < b.len() && (b[i] == b'.' || b[i] == b',') && b[i + 1].is_ascii_digit() {
            i += 1;
            let mut n = 0u32;
            let mut count = 0;
            while i < b.len() && b[i].is_ascii_digit() {
                if count < 9 {
                    n = n * 10 + u32::from(b[i] - b'0');
                    count += 1;
                }
                i += 1;
            }
            for _ in count..9 {
                n *= 10;
            }
            t.nanos = n;
        }
        if !zoned {
            return (i == b.len()).then_some(t);
        }
        let z = &b[i..];
        if z == b"Z" {
            return Some(t);
        }
        if z.len() != 6
            || !matches!(z[0], b'+' | b'-')
            || z[3] != b':'
            || ![z[1], z[2], z[4], z[5]].iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        let hh = i32::from(z[1] - b'0') * 10 + i32::from(z[2] - b'0');
        let mm = i32::from(z[4] - b'0') * 10 + i32::from(z[5] - b'0');
        if hh > 24 || mm > 60 {
            return None;
        }
        let off = hh * 3600 + mm * 60;
        t.offset = if z[0] == b'-' { -off } else { off };
        Some(t)
    }

    /// Go's `time.Time.MarshalJSON` (RFC 3339 with trimmed nanoseconds).
    fn to_rfc3339(&self) -> Result<String, String> {
        let mut s = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        if self.offset == 0 {
            s.push('Z');
        } else {
            let a = self.offset.unsigned_abs();
            let (hh, mm) = (a / 3600, (a / 60) % 60);
            if hh >= 24 {
                return Err("json: error calling MarshalJSON for type time.Time: \
                            Time.MarshalJSON: timezone hour outside of range [0,23]"
                    .into());
            }
            let sign = if self.offset < 0 { '-' } else { '+' };
            s.push_str(&format!("{sign}{hh:02}:{mm:02}"));
        }
        Ok(s)
    }
}

/// One or two digits, as Go's `getnum` without the fixed-width flag.
fn getnum(b: &[u8], i: &mut usize) -> Option<u32> {
    let c = *b.get(*i)?;
    if !c.is_ascii_digit() {
        return None;
    }
    let mut n = u32::from(c - b'0');
    *i += 1;
    if let Some(&c) = b.get(*i) {
        if c.is_ascii_digit() {
            n = n * 10 + u32::from(c - b'0');
            *i += 1;
        }
    }
    Some(n)
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {}
