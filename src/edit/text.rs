//! Minimal edits to the text of a YAML document: the layer under `aiw edit`.
//!
//! A [`Doc`] holds the text and its node tree with byte ranges
//! ([`crate::yaml::spans`]). Every operation (set or remove a mapping key,
//! insert, remove or reorder sequence items, rename a key) rewrites only the
//! text of the nodes it changes and then reads the tree again:
//!
//! * block collections are edited line by line: a new key or item is a new
//!   line (or lines) at the indentation of its siblings, a removed one takes
//!   its lines with it, a changed scalar is replaced where it stands (its
//!   key, the comment after it and the rest of the line stay);
//! * flow collections (`[a, b]`, `{a: b}`) are rewritten as one flow
//!   collection holding the original text of the items kept;
//! * an empty value, `null`, `[]` or `{}` that receives items becomes a block
//!   collection;
//! * new text is written as kustomize writes it (go-yaml v2: keys of new
//!   mappings sorted, strings quoted when they would read as something
//!   else), with the file's own sequence indentation (`- a` under its key or
//!   indented) when the file has one.
//!
//! Comments are never moved or removed, except a comment on the same line
//! as a removed item.

use crate::yaml::spans::{NodeKind, SpanNode, parse_first_document};
use crate::yaml::{Map, Value, emit_document, natural_less};

/// One step of a path to a node: a mapping key or a sequence index.
#[derive(Clone, Copy, Debug)]
pub enum Step<'a> {
    /// The value of this key (its last occurrence).
    Key(&'a str),
    /// This item.
    Index(usize),
}

/// How the file indents: sequence dashes relative to their key, and nested
/// mapping keys relative to their parent key.
#[derive(Clone, Copy, Debug)]
struct Indents {
    seq: usize,
    map: usize,
}

/// A YAML document's text with its node tree.
#[derive(Clone, Debug)]
pub struct Doc {
    text: String,
    root: Option<SpanNode>,
    indents: Indents,
}

/// An edit that cannot be made on the text as it is.
pub type EditResult<T> = std::result::Result<T, String>;

impl Doc {
    /// Reads `text` (its first document).
    pub fn parse(text: String) -> EditResult<Doc> {
        let root = parse_first_document(&text)?;
        let mut d = Doc {
            text,
            root,
            indents: Indents { seq: 0, map: 2 },
        };
        d.indents = d.detect_indents();
        Ok(d)
    }

    /// The current text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when the document can be edited in place: its top is a block
    /// mapping (or there is no content yet) and it uses no anchors or
    /// aliases (an edit under an anchor would change every alias of it).
    pub fn editable(&self) -> bool {
        match &self.root {
            None => true,
            Some(r)
                if r.is_placeholder()
                    && !matches!(
                        r.kind,
                        NodeKind::Map { flow: true, .. } | NodeKind::Seq { .. }
                    ) =>
            {
                true
            }
            Some(r) => matches!(r.kind, NodeKind::Map { flow: false, .. }) && !r.has_aliases(),
        }
    }

    fn replace(&mut self, start: usize, end: usize, with: &str) -> EditResult<()> {
        let mut text = String::with_capacity(self.text.len() + with.len());
        text.push_str(&self.text[..start]);
        text.push_str(with);
        text.push_str(&self.text[end..]);
        let root = parse_first_document(&text)
            .map_err(|e| format!("the edit would make the file unreadable ({})", e))?;
        self.text = text;
        self.root = root;
        Ok(())
    }

    /// The node at `path`.
    pub fn node(&self, path: &[Step]) -> Option<&SpanNode> {
        let mut cur = self.root.as_ref()?;
        for step in path {
            cur = match (step, &cur.kind) {
                (Step::Key(k), NodeKind::Map { entries, .. }) => {
                    &entries
                        .iter()
                        .rev()
                        .find(|(key, _)| key.scalar() == Some(k))?
                        .1
                }
                (Step::Index(i), NodeKind::Seq { items, .. }) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The keys of the mapping at `path`, in text order.
    pub fn keys(&self, path: &[Step]) -> Vec<String> {
        match self.node(path).map(|n| &n.kind) {
            Some(NodeKind::Map { entries, .. }) => entries
                .iter()
                .filter_map(|(k, _)| k.scalar().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Number of items of the sequence at `path` (0 when it is no sequence).
    pub fn len(&self, path: &[Step]) -> usize {
        match self.node(path).map(|n| &n.kind) {
            Some(NodeKind::Seq { items, .. }) => items.len(),
            _ => 0,
        }
    }

    // ---- text geometry ----

    fn line_start(&self, pos: usize) -> usize {
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Just past the newline ending the line holding `pos` (or the end of
    /// the text).
    fn line_after(&self, pos: usize) -> usize {
        self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i + 1)
    }

    fn col(&self, pos: usize) -> usize {
        self.text[self.line_start(pos)..pos].chars().count()
    }

    /// True when only spaces precede `pos` on its line.
    fn starts_line(&self, pos: usize) -> bool {
        self.text[self.line_start(pos)..pos]
            .chars()
            .all(|c| c == ' ')
    }

    /// The start of the comment lines directly above the line of `pos` (no
    /// blank line between), or that line's start.
    fn with_leading_comments(&self, pos: usize, floor: usize) -> usize {
        let mut start = self.line_start(pos);
        while start > floor {
            let prev = self.line_start(start - 1);
            if prev < floor || !self.text[prev..start].trim_start().starts_with('#') {
                break;
            }
            start = prev;
        }
        start
    }

    fn detect_indents(&self) -> Indents {
        fn walk(d: &Doc, n: &SpanNode, out: &mut (Option<usize>, Option<usize>)) {
            match &n.kind {
                NodeKind::Map {
                    flow: false,
                    entries,
                } => {
                    for (k, v) in entries {
                        let kc = d.col(k.start);
                        let block_seq = matches!(&v.kind, NodeKind::Seq { flow: false, items } if !items.is_empty());
                        let block_map = matches!(&v.kind, NodeKind::Map { flow: false, entries: e } if !e.is_empty());
                        if block_seq && out.0.is_none() && d.starts_line(v.start) {
                            out.0 = Some(d.col(v.start).saturating_sub(kc));
                        }
                        if block_map
                            && out.1.is_none()
                            && d.starts_line(v.start)
                            && d.col(v.start) > kc
                        {
                            out.1 = Some(d.col(v.start) - kc);
                        }
                        walk(d, v, out);
                    }
                }
                NodeKind::Seq { items, .. } => items.iter().for_each(|i| walk(d, i, out)),
                NodeKind::Map { entries, .. } => entries.iter().for_each(|(_, v)| walk(d, v, out)),
                _ => {}
            }
        }
        let mut found = (None, None);
        if let Some(r) = &self.root {
            walk(self, r, &mut found);
        }
        Indents {
            seq: found.0.unwrap_or(0),
            map: found.1.unwrap_or(2).max(1),
        }
    }

    fn node_or_err(&self, path: &[Step]) -> EditResult<SpanNode> {
        self.node(path)
            .cloned()
            .ok_or_else(|| "internal: no node at the edited path".to_string())
    }

    // ---- mappings ----

    /// Sets `key` of the mapping at `path` to `value`: the value is replaced
    /// where it stands, or a new entry is added at the end of the mapping
    /// (at its sorted place when `sorted` and the keys are sorted). An empty
    /// document gets its first key.
    pub fn set(&mut self, path: &[Step], key: &str, value: &Value, sorted: bool) -> EditResult<()> {
        if path.is_empty()
            && self
                .root
                .as_ref()
                .is_none_or(|r| !matches!(r.kind, NodeKind::Map { .. }))
        {
            let mut add = String::new();
            if !self.text.is_empty() && !self.text.ends_with('\n') {
                add.push('\n');
            }
            add.push_str(&self.render_entry(key, value, 0));
            let end = self.text.len();
            return self.replace(end, end, &add);
        }
        let map = self.node_or_err(path)?;
        let NodeKind::Map { flow, entries } = &map.kind else {
            return Err("internal: not a mapping".to_string());
        };
        if let Some((k, v)) = entries.iter().rev().find(|(k, _)| k.scalar() == Some(key)) {
            if *flow {
                return self.replace(v.start, v.end, &render_flow(value));
            }
            let indent = self.col(k.start);
            return match value {
                Value::Seq(_) | Value::Map(_) => {
                    let colon = self.text[k.end..]
                        .find(':')
                        .map_or(k.end, |i| k.end + i + 1);
                    let end = v.end.max(colon);
                    let with = self.render_after_colon(value, indent);
                    self.replace(colon, end, &with)
                }
                _ if v.start == v.end => {
                    let with = format!(" {}", self.inline_scalar(value, indent));
                    self.replace(v.start, v.end, &with)
                }
                _ if matches!(v.kind, NodeKind::Scalar { .. } | NodeKind::Alias) => {
                    let with = self.inline_scalar(value, indent);
                    self.replace(v.start, v.end, &with)
                }
                _ => {
                    let colon = self.text[k.end..]
                        .find(':')
                        .map_or(k.end, |i| k.end + i + 1);
                    let with = format!(" {}", self.inline_scalar(value, indent));
                    self.replace(colon, v.end, &with)
                }
            };
        }
        if *flow {
            let mut parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| self.text[k.start..v.end.max(k.end)].to_string())
                .collect();
            parts.push(format!("{}: {}", render_key(key), render_flow(value)));
            return self.replace(map.start, map.end, &format!("{{{}}}", parts.join(", ")));
        }
        let indent = self.col(entries[0].0.start);
        let text = self.render_entry(key, value, indent);
        let keys: Vec<&str> = entries.iter().filter_map(|(k, _)| k.scalar()).collect();
        let in_order = keys.windows(2).all(|w| w[0] <= w[1]);
        let before = if sorted && in_order {
            entries
                .iter()
                .find(|(k, _)| k.scalar().is_some_and(|s| s > key))
        } else {
            None
        };
        match before {
            Some((k, _)) if self.starts_line(k.start) => {
                let floor = self.line_start(map.start);
                let at = self.with_leading_comments(k.start, floor);
                self.replace(at, at, &text)
            }
            _ => {
                let (lk, lv) = entries.last().expect("a non-empty mapping");
                let at = self.line_after(lv.end.max(lk.end));
                let mut with = String::new();
                if at == self.text.len() && !self.text.ends_with('\n') {
                    with.push('\n');
                }
                with.push_str(&text);
                self.replace(at, at, &with)
            }
        }
    }

    /// Adds `key` as the first entry of the top-level mapping (below any
    /// comment lines that open the file).
    pub fn set_first(&mut self, key: &str, value: &Value) -> EditResult<()> {
        let first = match self.root.as_ref().map(|r| &r.kind) {
            Some(NodeKind::Map {
                flow: false,
                entries,
            }) if !entries.is_empty() => entries[0].0.start,
            _ => return self.set(&[], key, value, false),
        };
        let at = self.line_start(first);
        let text = self.render_entry(key, value, 0);
        self.replace(at, at, &text)
    }

    /// Removes `key` from the mapping at `path` (nothing when absent). In a
    /// block mapping the entry's lines go; a first entry sharing its line
    /// with a sequence dash gives that place to the next entry.
    pub fn remove(&mut self, path: &[Step], key: &str) -> EditResult<()> {
        let map = self.node_or_err(path)?;
        let NodeKind::Map { flow, entries } = &map.kind else {
            return Err("internal: not a mapping".to_string());
        };
        let Some(i) = entries.iter().rposition(|(k, _)| k.scalar() == Some(key)) else {
            return Ok(());
        };
        if *flow {
            let parts: Vec<String> = entries
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, (k, v))| self.text[k.start..v.end.max(k.end)].to_string())
                .collect();
            return self.replace(map.start, map.end, &format!("{{{}}}", parts.join(", ")));
        }
        let (k, v) = &entries[i];
        let end = self.line_after(v.end.max(k.end));
        if self.starts_line(k.start) {
            let start = self.line_start(k.start);
            return self.replace(start, end, "");
        }
        // The entry follows a dash (`- key: v`): the next entry moves up.
        match entries.get(i + 1) {
            Some((next, _)) => self.replace(k.start, next.start, ""),
            None => Err("internal: removing the only entry of a mapping item".to_string()),
        }
    }

    /// Renames `old` to `new` in the mapping at `path`, keeping the value's
    /// text.
    pub fn rename(&mut self, path: &[Step], old: &str, new: &str) -> EditResult<()> {
        let map = self.node_or_err(path)?;
        let NodeKind::Map { entries, .. } = &map.kind else {
            return Err("internal: not a mapping".to_string());
        };
        let Some((k, _)) = entries.iter().rev().find(|(k, _)| k.scalar() == Some(old)) else {
            return Ok(());
        };
        let (s, e) = (k.start, k.end);
        self.replace(s, e, &render_key(new))
    }

    // ---- sequences ----

    /// Inserts `value` as item `index` of the sequence at `path` (`index` =
    /// length appends).
    pub fn insert_item(&mut self, path: &[Step], index: usize, value: &Value) -> EditResult<()> {
        let seq = self.node_or_err(path)?;
        let NodeKind::Seq { flow, items } = &seq.kind else {
            return Err("internal: not a sequence".to_string());
        };
        if *flow {
            let mut parts: Vec<String> = items
                .iter()
                .map(|n| self.text[n.start..n.end].to_string())
                .collect();
            parts.insert(index.min(parts.len()), render_flow(value));
            return self.replace(seq.start, seq.end, &format!("[{}]", parts.join(", ")));
        }
        let dash = seq.start;
        let text = self.render_item(value, self.col(dash));
        if index < items.len() {
            let floor = if index == 0 {
                self.line_start(dash)
            } else {
                self.line_after(items[index - 1].end)
            };
            let item_dash = self.item_dash(&items[index]);
            let at = self.with_leading_comments(item_dash, floor);
            self.replace(at, at, &text)
        } else {
            let at = self.line_after(items.last().map_or(dash, |i| i.end));
            let mut with = String::new();
            if at == self.text.len() && !self.text.ends_with('\n') {
                with.push('\n');
            }
            with.push_str(&text);
            self.replace(at, at, &with)
        }
    }

    /// The dash of a block sequence item.
    fn item_dash(&self, item: &SpanNode) -> usize {
        let before = self.text[..item.start].trim_end_matches([' ', '\t', '\n', '\r']);
        if before.ends_with('-') {
            before.len() - 1
        } else {
            item.start
        }
    }

    /// Removes item `index` of the sequence at `path` (its lines, in a block
    /// sequence).
    pub fn remove_item(&mut self, path: &[Step], index: usize) -> EditResult<()> {
        let seq = self.node_or_err(path)?;
        let NodeKind::Seq { flow, items } = &seq.kind else {
            return Err("internal: not a sequence".to_string());
        };
        if index >= items.len() {
            return Ok(());
        }
        if *flow {
            let parts: Vec<String> = items
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != index)
                .map(|(_, n)| self.text[n.start..n.end].to_string())
                .collect();
            return self.replace(seq.start, seq.end, &format!("[{}]", parts.join(", ")));
        }
        let item = &items[index];
        let dash = self.item_dash(item);
        if !self.starts_line(dash) {
            return Err("internal: a sequence item shares its line".to_string());
        }
        let (s, e) = (self.line_start(dash), self.line_after(item.end.max(dash)));
        self.replace(s, e, "")
    }

    /// Puts the items of the sequence at `path` in the order `order` (a
    /// permutation of their indices). In a block sequence each item moves
    /// with the comment lines above it.
    pub fn reorder(&mut self, path: &[Step], order: &[usize]) -> EditResult<()> {
        let seq = self.node_or_err(path)?;
        let NodeKind::Seq { flow, items } = &seq.kind else {
            return Err("internal: not a sequence".to_string());
        };
        if order.iter().enumerate().all(|(i, &j)| i == j) {
            return Ok(());
        }
        if *flow {
            let parts: Vec<String> = order
                .iter()
                .map(|&j| self.text[items[j].start..items[j].end].to_string())
                .collect();
            return self.replace(seq.start, seq.end, &format!("[{}]", parts.join(", ")));
        }
        let mut bounds = Vec::with_capacity(items.len() + 1);
        // The first item takes the comment lines above it along.
        bounds.push(self.with_leading_comments(self.item_dash(&items[0]), 0));
        for it in items {
            bounds.push(self.line_after(it.end));
        }
        let mut chunks: Vec<String> = bounds
            .windows(2)
            .map(|w| self.text[w[0]..w[1]].to_string())
            .collect();
        for c in &mut chunks {
            if !c.ends_with('\n') {
                c.push('\n');
            }
        }
        let mut out = String::new();
        for &j in order {
            out.push_str(&chunks[j]);
        }
        let (s, e) = (bounds[0], *bounds.last().unwrap_or(&bounds[0]));
        if e == self.text.len() && !self.text.ends_with('\n') {
            out.pop();
        }
        self.replace(s, e, &out)
    }

    // ---- rendering ----

    /// A scalar for the rest of a line at `indent` (`key: <here>` or
    /// `- <here>`), continuation lines indented below it.
    fn inline_scalar(&self, v: &Value, indent: usize) -> String {
        let mut m = Map::new();
        m.insert("k", v.clone());
        let doc = emit_document(&Value::Map(m));
        let body = doc
            .strip_prefix("k: ")
            .unwrap_or(&doc)
            .trim_end_matches('\n');
        indent_rest(body, indent)
    }

    /// The text after `key:` for `v` at key indentation `indent` (no final
    /// newline).
    fn render_after_colon(&self, v: &Value, indent: usize) -> String {
        match v {
            Value::Seq(items) if !items.is_empty() => {
                let dash = indent + self.indents.seq;
                let mut s = String::from("\n");
                for i in items {
                    s.push_str(&self.render_item(i, dash));
                }
                s.pop();
                s
            }
            Value::Map(m) if !m.is_empty() => {
                let mut s = String::from("\n");
                for (k, v) in sorted_entries(m) {
                    s.push_str(&self.render_entry(k, v, indent + self.indents.map));
                }
                s.pop();
                s
            }
            Value::Seq(_) => " []".to_string(),
            Value::Map(_) => " {}".to_string(),
            _ => format!(" {}", self.inline_scalar(v, indent)),
        }
    }

    /// `key: value` lines at `indent`, ending in a newline.
    fn render_entry(&self, key: &str, v: &Value, indent: usize) -> String {
        format!(
            "{}{}:{}\n",
            " ".repeat(indent),
            render_key(key),
            self.render_after_colon(v, indent)
        )
    }

    /// A sequence item with its dash at column `dash`, ending in a newline.
    fn render_item(&self, v: &Value, dash: usize) -> String {
        let pad = " ".repeat(dash);
        match v {
            Value::Map(m) if !m.is_empty() => {
                let mut s = String::new();
                for (k, v) in sorted_entries(m) {
                    s.push_str(&self.render_entry(k, v, dash + 2));
                }
                format!("{}- {}", pad, &s[dash + 2..])
            }
            Value::Seq(items) if !items.is_empty() => {
                let mut s = String::new();
                for i in items {
                    s.push_str(&self.render_item(i, dash + 2));
                }
                format!("{}- {}", pad, &s[dash + 2..])
            }
            Value::Seq(_) => format!("{}- []\n", pad),
            Value::Map(_) => format!("{}- {{}}\n", pad),
            _ => {
                let doc = emit_document(&Value::Seq(vec![v.clone()]));
                let body = doc
                    .strip_prefix("- ")
                    .unwrap_or(&doc)
                    .trim_end_matches('\n');
                format!("{}- {}\n", pad, indent_rest(body, dash))
            }
        }
    }
}

/// A mapping's entries in go-yaml v2's key order (how kustomize writes the
/// mappings it makes).
fn sorted_entries(m: &Map) -> Vec<(&str, &Value)> {
    let mut e: Vec<(&str, &Value)> = m.iter().map(|(k, v)| (k.as_str(), v)).collect();
    e.sort_by(|a, b| {
        if natural_less(a.0, b.0) {
            std::cmp::Ordering::Less
        } else if natural_less(b.0, a.0) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    e
}

/// Indents every line after the first of `body` by `indent` more spaces
/// (empty lines stay empty).
fn indent_rest(body: &str, indent: usize) -> String {
    let mut out = String::with_capacity(body.len());
    for (i, line) in body.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&" ".repeat(indent));
            }
        }
        out.push_str(line);
    }
    out
}

/// A mapping key as go-yaml v2 writes it.
fn render_key(key: &str) -> String {
    let mut m = Map::new();
    m.insert(key, Value::NULL);
    let doc = emit_document(&Value::Map(m));
    doc.trim_end_matches('\n')
        .strip_suffix(": null")
        .unwrap_or(key)
        .to_string()
}

/// `v` in flow style (for `[..]` and `{..}`): plain where that reads back
/// the same inside a flow collection, else a double-quoted string.
pub fn render_flow(v: &Value) -> String {
    match v {
        Value::Seq(items) => format!(
            "[{}]",
            items.iter().map(render_flow).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(m) => format!(
            "{{{}}}",
            sorted_entries(m)
                .into_iter()
                .map(|(k, v)| format!(
                    "{}: {}",
                    render_flow(&Value::String(k.to_string())),
                    render_flow(v)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => {
            let doc = emit_document(&Value::Seq(vec![v.clone()]));
            let body = doc
                .strip_prefix("- ")
                .unwrap_or(&doc)
                .trim_end_matches('\n');
            let flow_safe = !body.contains('\n')
                && !body.contains(['[', ']', '{', '}', ','])
                && !body.contains(": ")
                && !body.contains(" #");
            if flow_safe {
                body.to_string()
            } else {
                match v {
                    Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
                    _ => body.to_string(),
                }
            }
        }
    }
}

/// The document `v` (a mapping) written as kustomize writes a kustomization
/// file: the top-level keys in the order given, each value as go-yaml v2
/// writes it.
pub fn render_document(v: &Map) -> String {
    let d = Doc {
        text: String::new(),
        root: None,
        indents: Indents { seq: 0, map: 2 },
    };
    let mut out = String::new();
    for (k, val) in v.iter() {
        out.push_str(&d.render_entry(k, val, 0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::String(v.to_string())
    }

    fn doc(t: &str) -> Doc {
        Doc::parse(t.to_string()).unwrap()
    }

    #[test]
    fn set_scalar_in_place_keeps_comments() {
        let mut d = doc("# head\nnamePrefix: old- # why\nresources:\n- a\n");
        d.set(&[], "namePrefix", &s("new-"), false).unwrap();
        assert_eq!(
            d.text(),
            "# head\nnamePrefix: new- # why\nresources:\n- a\n"
        );
        d.set(&[], "namespace", &s("1234"), false).unwrap();
        assert_eq!(
            d.text(),
            "# head\nnamePrefix: new- # why\nresources:\n- a\nnamespace: \"1234\"\n"
        );
    }

    #[test]
    fn block_sequences_follow_the_file_indentation() {
        let mut d = doc("resources:\n  - a # first\n  # b was here\n  - c\nnamespace: x\n");
        d.insert_item(&[Step::Key("resources")], 2, &s("d"))
            .unwrap();
        assert_eq!(
            d.text(),
            "resources:\n  - a # first\n  # b was here\n  - c\n  - d\nnamespace: x\n"
        );
        d.remove_item(&[Step::Key("resources")], 0).unwrap();
        assert_eq!(
            d.text(),
            "resources:\n  # b was here\n  - c\n  - d\nnamespace: x\n"
        );
        d.set(&[], "components", &Value::Seq(vec![s("../c")]), false)
            .unwrap();
        assert!(d.text().ends_with("namespace: x\ncomponents:\n  - ../c\n"));
    }

    #[test]
    fn flow_collections_stay_flow() {
        let mut d = doc("resources: [a, 'b']\ncommonLabels: {app: x}\n");
        d.insert_item(&[Step::Key("resources")], 2, &s("c, d"))
            .unwrap();
        d.set(&[Step::Key("commonLabels")], "tier", &s("web"), true)
            .unwrap();
        assert_eq!(
            d.text(),
            "resources: [a, 'b', \"c, d\"]\ncommonLabels: {app: x, tier: web}\n"
        );
        d.remove(&[Step::Key("commonLabels")], "app").unwrap();
        d.remove_item(&[Step::Key("resources")], 0).unwrap();
        assert_eq!(
            d.text(),
            "resources: ['b', \"c, d\"]\ncommonLabels: {tier: web}\n"
        );
    }

    #[test]
    fn mapping_items_and_sorted_insertion() {
        let mut d = doc("images:\n- name: a\n  newTag: \"1\"\n- name: c\n  newName: x\n");
        let mut m = Map::new();
        m.insert("name", s("b"));
        m.insert("newTag", s("2"));
        d.insert_item(&[Step::Key("images")], 1, &Value::Map(m))
            .unwrap();
        assert_eq!(
            d.text(),
            "images:\n- name: a\n  newTag: \"1\"\n- name: b\n  newTag: \"2\"\n- name: c\n  newName: x\n"
        );
        d.set(
            &[Step::Key("images"), Step::Index(2)],
            "digest",
            &s("sha256:0"),
            true,
        )
        .unwrap();
        d.remove(&[Step::Key("images"), Step::Index(0)], "name")
            .unwrap();
        assert_eq!(
            d.text(),
            "images:\n- newTag: \"1\"\n- name: b\n  newTag: \"2\"\n- name: c\n  newName: x\n  digest: sha256:0\n"
        );
        d.reorder(&[Step::Key("images")], &[2, 0, 1]).unwrap();
        assert_eq!(
            d.text(),
            "images:\n- name: c\n  newName: x\n  digest: sha256:0\n- newTag: \"1\"\n- name: b\n  newTag: \"2\"\n"
        );
    }

    #[test]
    fn placeholders_become_block_collections() {
        let mut d = doc("resources: []\n#- service.yaml\ncommonLabels:\n");
        d.set(&[], "resources", &Value::Seq(vec![s("a.yaml")]), false)
            .unwrap();
        let mut m = Map::new();
        m.insert("app", s("x"));
        d.set(&[], "commonLabels", &Value::Map(m), false).unwrap();
        assert_eq!(
            d.text(),
            "resources:\n- a.yaml\n#- service.yaml\ncommonLabels:\n  app: x\n"
        );
    }

    #[test]
    fn empty_document_and_block_scalars() {
        let mut d = doc("# nothing yet\n");
        let mut p = Map::new();
        p.insert("patch", s("a: 1\nb: 2\n"));
        d.set(&[], "patches", &Value::Seq(vec![Value::Map(p)]), false)
            .unwrap();
        assert_eq!(
            d.text(),
            "# nothing yet\npatches:\n- patch: |\n    a: 1\n    b: 2\n"
        );
        d.set(
            &[Step::Key("patches"), Step::Index(0)],
            "patch",
            &s("c"),
            false,
        )
        .unwrap();
        assert_eq!(d.text(), "# nothing yet\npatches:\n- patch: c\n");
        d.rename(&[], "patches", "bases").unwrap();
        assert_eq!(d.text(), "# nothing yet\nbases:\n- patch: c\n");
    }
}
