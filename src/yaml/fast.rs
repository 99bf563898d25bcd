//! A fast path for the YAML reader: a hand-written single-pass parser for the
//! small subset of YAML that ordinary manifests use.
//!
//! [`parse_chunk`] reads one document chunk (what the reader's document
//! splitter hands to the full reader) and returns `Some(value)` only when the
//! whole chunk lies inside a conservative subset whose result is known to be
//! the full reader's; anything else (anchors, aliases, tags, flow
//! collections with content, multi-line plain or quoted scalars, folded
//! scalars, tabs, duplicate keys, merge keys, odd indentation…) returns
//! `None`, and the full reader runs. It never reports an error: whatever
//! could be one is `None`.
//!
//! The subset:
//!
//! * block mappings and block sequences (compact `- key: v` mappings in
//!   sequences, sequences indented or not under a key), nested up to
//!   [`MAX_FAST_DEPTH`] collections;
//! * single-line plain scalars, resolved by the full reader's own
//!   `scalar_value` (numbers, booleans, null, timestamps come out identical);
//!   plain keys by its key rules (a non-string key only at the top level);
//! * single-line single-quoted scalars (with `''`) and double-quoted ones with
//!   the escapes `\\ \" \/ \n \t \r`;
//! * literal block scalars `|`, `|-`, `|+` without an indentation indicator;
//! * empty values (null), the empty flow collections `{}` and `[]`;
//! * full-line and trailing comments, a leading `---` line.

use std::borrow::Cow;
use std::collections::HashSet;

use super::pos::{Kids, NoPositions, Positions, Recorder};
use super::read::{
    ALIAS_BUDGET_BASE, Builder, Resolved, TagKind, YamlError, check_characters, resolve_implicit,
    scalar_value, split_documents,
};
use super::value::{Map, NullForm, Value};

/// Deepest nesting of collections the fast path reads; deeper input goes to
/// the full reader.
pub const MAX_FAST_DEPTH: usize = 100;

/// Longest key (in bytes, from its first character to the `:`) the fast path
/// reads: YAML limits implicit keys to 1024 characters.
const MAX_KEY_LEN: usize = 512;

/// The indent reported at the end of the chunk: lower than any column, so it
/// closes every open collection.
const EOF: isize = -1;

/// Reads one document chunk when it lies inside the fast path's subset.
///
/// Returns `Some(value)` with exactly what the full reader returns for the
/// chunk (`Value::Null(_)` for an empty or null document, which the caller
/// drops), or `None` when the chunk is outside the subset.
pub fn parse_chunk(text: &str) -> Option<Value> {
    parse_chunk_with(text, NoPositions).map(|(v, _)| v)
}

/// [`parse_chunk`] recording positions with `rec` (see `yaml::pos`); the
/// node is `None` for an empty or null document.
pub(super) fn parse_chunk_with<P: Positions>(
    text: &str,
    rec: P,
) -> Option<(Value, Option<P::Node>)> {
    if !characters_ok(text) {
        return None;
    }
    let mut p = Fast {
        s: text.as_bytes(),
        src: text,
        pos: 0,
        line_start: 0,
        ind: EOF,
        depth: 0,
        rec,
        map_scratch: Vec::new(),
        seq_scratch: Vec::new(),
    };
    // A leading `---` line (a later one would have been split off).
    if p.s.starts_with(b"---") && matches!(p.s.get(3), None | Some(b' ' | b'\n')) {
        p.pos = 3;
        p.end_line()?;
    }
    p.next_content()?;
    if p.ind == EOF {
        return Some((Value::Null(NullForm::Empty), None));
    }
    let col = p.col();
    let (v, n) = p.node(col, EOF, Ctx::Root)?;
    (p.ind == EOF).then_some((v, Some(n)))
}

/// No control character but LF (so no tab and no CR), no DEL or C1 control
/// or NBSP, no line separator, no BOM and no non-character.
fn characters_ok(text: &str) -> bool {
    let mut control = false;
    let mut high = false;
    for &b in text.as_bytes() {
        control |= (b < 0x20) & (b != b'\n');
        high |= b >= 0x7f;
    }
    if control {
        return false;
    }
    !high
        || text.chars().all(|c| {
            c < '\u{7f}'
                || (c > '\u{a0}'
                    && !matches!(
                        c,
                        '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                    ))
        })
}

/// The bytes that may end a plain scalar on its line: a line break, `:`
/// (before a blank) and `#` (after a space).
static MAY_END_PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    t[b'\n' as usize] = true;
    t[b':' as usize] = true;
    t[b'#' as usize] = true;
    t
};

/// Where a node starts, which decides what it may be.
#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    /// The document's root node.
    Root,
    /// After `key: ` on the key's line: a scalar only.
    AfterKey,
    /// After `- ` on the entry's line: anything.
    AfterDash,
    /// On its own line, below a key or an empty entry: no block scalar.
    OwnLine,
}

/// Literal block scalar chomping.
#[derive(Clone, Copy)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// A token at the start of a node.
enum Tok<'a> {
    Plain(&'a str),
    Quoted(Cow<'a, str>),
    EmptyMap,
    EmptySeq,
    Literal(Chomp),
}

struct Fast<'a, P> {
    s: &'a [u8],
    src: &'a str,
    /// Current byte position.
    pos: usize,
    /// Start of the current line.
    line_start: usize,
    /// Indent of the current content line ([`EOF`] at the end).
    ind: isize,
    /// Open collections.
    depth: usize,
    /// Where positions go.
    rec: P,
    /// The entries of the mappings being read, innermost last: each takes
    /// its own off the top when it ends, into a vector of the exact size
    /// (no growing vector per mapping).
    map_scratch: Vec<(String, Value)>,
    /// The same for the items of the sequences being read.
    seq_scratch: Vec<Value>,
}

impl<'a, P: Positions> Fast<'a, P> {
    fn at(&self, i: usize) -> Option<u8> {
        self.s.get(i).copied()
    }

    fn col(&self) -> usize {
        self.pos - self.line_start
    }

    /// `-` followed by a blank or the end: a block sequence entry.
    fn at_dash(&self) -> bool {
        self.at(self.pos) == Some(b'-')
            && matches!(self.at(self.pos + 1), None | Some(b' ' | b'\n'))
    }

    /// Skips spaces; returns how many.
    fn skip_spaces(&mut self) -> usize {
        let start = self.pos;
        while self.at(self.pos) == Some(b' ') {
            self.pos += 1;
        }
        self.pos - start
    }

    /// The rest of the line holds only spaces and maybe a comment (after a
    /// space); moves to the start of the next line.
    fn end_line(&mut self) -> Option<()> {
        let spaces = self.skip_spaces();
        match self.at(self.pos) {
            None => Some(()),
            Some(b'\n') => {
                self.pos += 1;
                Some(())
            }
            Some(b'#') if spaces > 0 => {
                self.skip_to_next_line();
                Some(())
            }
            _ => None,
        }
    }

    fn skip_to_next_line(&mut self) {
        match self.s[self.pos..].iter().position(|&b| b == b'\n') {
            Some(n) => self.pos += n + 1,
            None => self.pos = self.s.len(),
        }
    }

    /// From the start of a line, skips blank and comment lines; sets `ind`
    /// and leaves `pos` on the first character of the next content line.
    /// Refuses a document marker line.
    fn next_content(&mut self) -> Option<()> {
        loop {
            self.line_start = self.pos;
            let k = self.skip_spaces();
            match self.at(self.pos) {
                None => {
                    self.ind = EOF;
                    return Some(());
                }
                Some(b'\n') => self.pos += 1,
                Some(b'#') => self.skip_to_next_line(),
                Some(_) => {
                    if k == 0
                        && (self.s[self.pos..].starts_with(b"---")
                            || self.s[self.pos..].starts_with(b"..."))
                    {
                        return None;
                    }
                    self.ind = k as isize;
                    return Some(());
                }
            }
        }
    }

    /// Parses the node starting at `pos` (column `col`) inside a collection
    /// at column `parent` ([`EOF`] for the root). On return, `pos` and `ind`
    /// are at the next content line.
    fn node(&mut self, col: usize, parent: isize, ctx: Ctx) -> Option<(Value, P::Node)> {
        let at = self.rec.at_byte(self.pos);
        if self.at_dash() {
            if ctx == Ctx::AfterKey {
                return None;
            }
            return self.block_seq(col, false, at);
        }
        let tok = self.token()?;
        let key_text = match &tok {
            Tok::Plain(t) => Some((Cow::Borrowed(*t), true)),
            Tok::Quoted(t) => Some((t.clone(), false)),
            _ => None,
        };
        if let Some((text, plain)) = key_text
            && self.at_key_indicator()
        {
            if self.pos - self.line_start > col + MAX_KEY_LEN {
                return None;
            }
            if ctx == Ctx::AfterKey {
                return None;
            }
            let key = self.key(text, plain, ctx == Ctx::Root)?;
            return self.block_map(col, key, ctx == Ctx::Root, at);
        }
        let v = match tok {
            Tok::Plain(t) => scalar_value(t, true, TagKind::Untagged, false).ok()?,
            Tok::Quoted(t) => Value::String(t.into_owned()),
            Tok::EmptyMap => Value::Map(Map::new()),
            Tok::EmptySeq => Value::Seq(Vec::new()),
            Tok::Literal(chomp) => {
                if !matches!(ctx, Ctx::AfterKey | Ctx::AfterDash) {
                    return None;
                }
                return self.literal(chomp, parent).map(|v| (v, at));
            }
        };
        self.end_line()?;
        self.next_content()?;
        Some((v, at))
    }

    /// After a key's token: optional spaces, then `:` followed by a blank or
    /// the end; moves past the `:`.
    fn at_key_indicator(&mut self) -> bool {
        let save = self.pos;
        self.skip_spaces();
        if self.at(self.pos) == Some(b':')
            && matches!(self.at(self.pos + 1), None | Some(b' ' | b'\n'))
        {
            self.pos += 1;
            return true;
        }
        self.pos = save;
        false
    }

    /// The key text as the full reader makes it, when it is simple.
    fn key(&self, text: Cow<'a, str>, plain: bool, root: bool) -> Option<String> {
        if text == "<<" {
            return None;
        }
        if plain {
            match resolve_implicit(&text, true) {
                Resolved::Str => {}
                Resolved::Null => return None,
                // A top-level non-string key is taken as its text.
                _ if root => {}
                _ => return None,
            }
        }
        Some(text.into_owned())
    }

    /// Reads the token at `pos` (a non-space character).
    fn token(&mut self) -> Option<Tok<'a>> {
        let start = self.pos;
        let c = self.at(start)?;
        match c {
            b'"' => self.double_quoted().map(Tok::Quoted),
            b'\'' => self.single_quoted().map(Tok::Quoted),
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                if self.at(start + 1) != Some(close) {
                    return None;
                }
                self.pos += 2;
                Some(if c == b'{' {
                    Tok::EmptyMap
                } else {
                    Tok::EmptySeq
                })
            }
            b'|' => {
                self.pos += 1;
                let chomp = match self.at(self.pos) {
                    Some(b'-') => Chomp::Strip,
                    Some(b'+') => Chomp::Keep,
                    _ => Chomp::Clip,
                };
                if !matches!(chomp, Chomp::Clip) {
                    self.pos += 1;
                }
                Some(Tok::Literal(chomp))
            }
            b'-' => {
                // `-` then a non-blank (a lone `-` is an entry, seen before).
                self.plain().map(Tok::Plain)
            }
            b'0'..=b'9'
            | b'a'..=b'z'
            | b'A'..=b'Z'
            | b'$'
            | b'('
            | b')'
            | b'+'
            | b'.'
            | b'/'
            | b';'
            | b'<'
            | b'='
            | b'\\'
            | b'^'
            | b'_'
            | b'~'
            | 0x80.. => self.plain().map(Tok::Plain),
            _ => None,
        }
    }

    /// A plain scalar on one line: up to `: `, ` #` or the end of the line,
    /// trailing spaces dropped. `pos` ends after the text.
    fn plain(&mut self) -> Option<&'a str> {
        let s = self.s;
        let start = self.pos;
        let mut i = start + 1;
        loop {
            // Skip the bytes that cannot end the scalar (one table lookup each).
            while i < s.len() && !MAY_END_PLAIN[usize::from(s[i])] {
                i += 1;
            }
            match s.get(i) {
                None | Some(b'\n') => break,
                Some(b':') if matches!(s.get(i + 1), None | Some(b' ' | b'\n')) => break,
                Some(b'#') if s[i - 1] == b' ' => break,
                _ => i += 1,
            }
        }
        let mut end = i;
        while s[end - 1] == b' ' {
            end -= 1;
        }
        self.pos = end;
        self.src.get(start..end)
    }

    /// A single-quoted scalar closed on its line.
    fn single_quoted(&mut self) -> Option<Cow<'a, str>> {
        let s = self.s;
        let start = self.pos + 1;
        let mut i = start;
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            match s.get(i)? {
                b'\n' => return None,
                b'\'' if s.get(i + 1) == Some(&b'\'') => {
                    let o = owned.get_or_insert_with(String::new);
                    o.push_str(self.src.get(run..=i)?);
                    i += 2;
                    run = i;
                }
                b'\'' => break,
                _ => i += 1,
            }
        }
        self.pos = i + 1;
        joined(owned, self.src.get(run..i)?)
    }

    /// A double-quoted scalar closed on its line, with simple escapes only.
    fn double_quoted(&mut self) -> Option<Cow<'a, str>> {
        let s = self.s;
        let start = self.pos + 1;
        let mut i = start;
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            match s.get(i)? {
                b'\n' => return None,
                b'"' => break,
                b'\\' => {
                    let e = match s.get(i + 1)? {
                        b'\\' => '\\',
                        b'"' => '"',
                        b'/' => '/',
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        _ => return None,
                    };
                    let o = owned.get_or_insert_with(String::new);
                    o.push_str(self.src.get(run..i)?);
                    o.push(e);
                    i += 2;
                    run = i;
                }
                _ => i += 1,
            }
        }
        self.pos = i + 1;
        joined(owned, self.src.get(run..i)?)
    }

    /// A block mapping at column `col` whose first key was just read (`pos`
    /// after its `:`).
    fn block_map(
        &mut self,
        col: usize,
        first_key: String,
        root: bool,
        at: P::Node,
    ) -> Option<(Value, P::Node)> {
        self.depth += 1;
        if self.depth > MAX_FAST_DEPTH {
            return None;
        }
        let c = col as isize;
        let base = self.map_scratch.len();
        let mut kids = P::Kids::default();
        let mut key = first_key;
        let mut key_at = at.clone();
        loop {
            let (v, n) = self.map_value(col, key_at)?;
            self.map_scratch.push((key, v));
            kids.push(n);
            if self.ind < c {
                break;
            }
            if self.ind > c || self.at_dash() {
                return None;
            }
            key_at = self.rec.at_byte(self.pos);
            let (text, plain) = match self.token()? {
                Tok::Plain(t) => (Cow::Borrowed(t), true),
                Tok::Quoted(t) => (t, false),
                _ => return None,
            };
            if self.pos - self.line_start > col + MAX_KEY_LEN || !self.at_key_indicator() {
                return None;
            }
            key = self.key(text, plain, root)?;
        }
        self.depth -= 1;
        let entries: Vec<(String, Value)> = self.map_scratch.drain(base..).collect();
        if has_duplicates(&entries) {
            return None;
        }
        let node = self.rec.collection(at, kids);
        Some((Value::Map(Map::from_unique_entries(entries)), node))
    }

    /// The value after a key's `:` in a mapping at column `col` (an empty
    /// value sits at its key, `key_at`).
    fn map_value(&mut self, col: usize, key_at: P::Node) -> Option<(Value, P::Node)> {
        let spaces = self.skip_spaces();
        match self.at(self.pos) {
            None | Some(b'\n') => {}
            Some(b'#') if spaces > 0 => {}
            _ => {
                let at = self.col();
                return self.node(at, col as isize, Ctx::AfterKey);
            }
        }
        self.end_line()?;
        self.next_content()?;
        let c = col as isize;
        if self.ind > c {
            let at = self.col();
            self.node(at, c, Ctx::OwnLine)
        } else if self.ind == c && self.at_dash() {
            let at = self.rec.at_byte(self.pos);
            self.block_seq(col, true, at)
        } else {
            Some((Value::Null(NullForm::Empty), key_at))
        }
    }

    /// A block sequence at column `col` (`pos` on its first `-`);
    /// `indentless` when it is the value of a key at the same column.
    fn block_seq(&mut self, col: usize, indentless: bool, at: P::Node) -> Option<(Value, P::Node)> {
        self.depth += 1;
        if self.depth > MAX_FAST_DEPTH {
            return None;
        }
        let c = col as isize;
        let base = self.seq_scratch.len();
        let mut kids = P::Kids::default();
        loop {
            let dash_at = self.rec.at_byte(self.pos);
            self.pos += 1;
            let spaces = self.skip_spaces();
            let item = match self.at(self.pos) {
                None | Some(b'\n') => None,
                Some(b'#') if spaces > 0 => None,
                _ => {
                    let at = self.col();
                    Some(self.node(at, c, Ctx::AfterDash)?)
                }
            };
            let (item, n) = match item {
                Some(v) => v,
                None => {
                    self.end_line()?;
                    self.next_content()?;
                    if self.ind > c {
                        let at = self.col();
                        self.node(at, c, Ctx::OwnLine)?
                    } else {
                        (Value::Null(NullForm::Empty), dash_at)
                    }
                }
            };
            self.seq_scratch.push(item);
            kids.push(n);
            if self.ind < c {
                break;
            }
            if self.ind > c {
                return None;
            }
            if !self.at_dash() {
                if indentless {
                    break;
                }
                return None;
            }
        }
        self.depth -= 1;
        let items: Vec<Value> = self.seq_scratch.drain(base..).collect();
        let node = self.rec.collection(at, kids);
        Some((Value::Seq(items), node))
    }

    /// A literal block scalar; `pos` is just after its header's indicators,
    /// `parent` the column of the enclosing collection.
    fn literal(&mut self, chomp: Chomp, parent: isize) -> Option<Value> {
        self.end_line()?;
        let s = self.s;
        let mut out = String::new();
        let mut breaks = 0usize;
        let mut indent = 0usize;
        let mut max_lead = 0usize;
        loop {
            let line = self.pos;
            let mut k = 0;
            while s.get(line + k) == Some(&b' ') {
                k += 1;
            }
            match s.get(line + k) {
                None if k == 0 => break,
                None => return None,
                Some(b'\n') => {
                    if indent == 0 {
                        max_lead = max_lead.max(k);
                    } else if k > indent {
                        return None;
                    }
                    breaks += 1;
                    self.pos = line + k + 1;
                }
                Some(_) => {
                    if indent == 0 {
                        if (k as isize) <= parent || max_lead > k {
                            return None;
                        }
                        indent = k;
                    } else if k < indent {
                        break;
                    }
                    let end = line + k + s[line + k..].iter().position(|&b| b == b'\n')?;
                    for _ in 0..breaks {
                        out.push('\n');
                    }
                    breaks = 0;
                    out.push_str(self.src.get(line + indent..end)?);
                    out.push('\n');
                    self.pos = end + 1;
                }
            }
        }
        if indent == 0 {
            return None;
        }
        match chomp {
            Chomp::Strip => {
                out.pop();
            }
            Chomp::Clip => {}
            Chomp::Keep => {
                for _ in 0..breaks {
                    out.push('\n');
                }
            }
        }
        self.next_content()?;
        Some(Value::String(out))
    }
}

#[inline(always)]
fn has_duplicates(entries: &[(String, Value)]) -> bool {
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .any(|(j, (k, _))| entries[..j].iter().any(|(e, _)| e == k));
    }
    let mut seen = HashSet::with_capacity(entries.len());
    !entries.iter().all(|(k, _)| seen.insert(k.as_str()))
}

// ---------------------------------------------------------------------------
// Checking the fast path against the full reader (tests and fuzzing)

/// How the fast path did on a text, from [`check_against_full_reader`].
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct FastStats {
    /// Document chunks in the text.
    pub chunks: usize,
    /// Chunks the fast path read (each one checked against the full reader).
    pub accepted: usize,
}

/// Reads `text` chunk by chunk with both the fast path and the full reader,
/// as the reader's entry points do; for every chunk the fast path accepts,
/// checks that the full reader gives the same value (in both strict and
/// lenient mode). Also checks that `parse_documents`(and the lenient variant)
/// give exactly what the full reader alone gives, errors included.
/// Returns the counts, or a description of the first difference.
pub fn check_against_full_reader(text: &str) -> Result<FastStats, String> {
    let mut stats = FastStats::default();
    let norm: Cow<str> = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let norm = norm.as_ref();
    if check_characters(norm).is_ok()
        && let Ok(chunks) = split_documents(norm)
    {
        for chunk in chunks {
            stats.chunks += 1;
            let piece = &norm[chunk.start..chunk.end];
            let Some(fast) = parse_chunk(piece) else {
                continue;
            };
            stats.accepted += 1;
            // Both readers put every node at the same place.
            let rec = Recorder::new(piece, chunk.line_offset);
            let fast_pos = parse_chunk_with(piece, rec.clone())
                .filter(|(v, _)| !v.is_null())
                .and_then(|(_, n)| n);
            let mut budget = ALIAS_BUDGET_BASE + norm.len() / 16;
            let full_pos = Builder::with_positions(piece, chunk.line_offset, &mut budget, rec)
                .parse_first_document_with()
                .ok()
                .flatten()
                .filter(|(v, _)| !v.is_null())
                .map(|(_, n)| n);
            if fast_pos != full_pos {
                return Err(format!(
                    "chunk {piece:?}: fast path positions {fast_pos:?}, full reader {full_pos:?}"
                ));
            }
            for lenient in [false, true] {
                let mut budget = ALIAS_BUDGET_BASE + norm.len() / 16;
                let mut b = Builder::new(piece, chunk.line_offset, &mut budget);
                b.allow_duplicates = lenient;
                match b.parse_first_document() {
                    Ok(full) if full.as_ref().map_or(fast.is_null(), |f| f.identical(&fast)) => {}
                    other => {
                        return Err(format!(
                            "chunk {piece:?}: fast path {fast:?}, full reader {other:?}"
                        ));
                    }
                }
            }
        }
    }
    for lenient in [false, true] {
        let with_fast = if lenient {
            super::parse_documents_lenient(text)
        } else {
            super::parse_documents(text)
        };
        let full = full_reader_only(text, lenient);
        let same = match (&with_fast, &full) {
            (Ok(a), Ok(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.identical(y)),
            (a, b) => a == b,
        };
        if !same {
            return Err(format!(
                "text {text:?}: with the fast path {with_fast:?}, full reader alone {full:?}"
            ));
        }
    }
    Ok(stats)
}

/// The reader's entry point without the fast path.
fn full_reader_only(text: &str, allow_duplicates: bool) -> Result<Vec<Value>, YamlError> {
    super::read::read_documents(text, allow_duplicates, false)
}

/// A quoted scalar's text: the borrowed run alone, or the unescaped text
/// so far followed by the last run.
fn joined<'a>(owned: Option<String>, tail: &'a str) -> Option<Cow<'a, str>> {
    Some(match owned {
        None => Cow::Borrowed(tail),
        Some(mut o) => {
            o.push_str(tail);
            Cow::Owned(o)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path reads `text`, and the full reader agrees.
    fn accepted(text: &str) -> Value {
        let v = parse_chunk(text).unwrap_or_else(|| panic!("fast path refused {text:?}"));
        check_against_full_reader(text).unwrap_or_else(|e| panic!("{e}"));
        v
    }

    fn refused(text: &str) {
        assert_eq!(parse_chunk(text), None, "{text:?}");
        check_against_full_reader(text).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Plain scalars around the bytes that may end them (`:`, `#`, line
    /// breaks) read as the full reader reads them, at the end of the text
    /// too.
    #[test]
    fn plain_scalar_ends_agree_with_the_full_reader() {
        let values = [
            "a",
            "a:b",
            "http://x:80/y",
            "a#b",
            "a #c",
            "a  #c",
            "a:",
            "a: b",
            "a:#",
            "x::y",
            "#",
            "a,b:c",
            "long-value-with-no-stop-bytes-at-all-0123456789",
        ];
        for v in values {
            for text in [
                format!("k: {v}\n"),
                format!("k: {v}"),
                format!("- {v}\n- z\n"),
            ] {
                let _ = parse_chunk(&text);
                check_against_full_reader(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            }
        }
        assert_eq!(
            accepted("k: http://x:80/y #c\n"),
            Value::Map(Map::from_unique_entries(vec![(
                "k".into(),
                Value::String("http://x:80/y".into())
            )]))
        );
    }

    #[test]
    fn reads_an_ordinary_manifest() {
        let text = "\
---  # first
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  labels:
    app.kubernetes.io/name: web
  annotations:
    example.com/debug: \"true\"
    quoted: 'it''s'
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: app
        image: \"registry.example.com/app:1.0\"
        args:
        - --debug
        - -c
        - \"--log-level\"
        env:
        - name: A
          value:
        - name: B
          valueFrom:
            configMapKeyRef: {name: x, key: y}
        ports:
          - containerPort: 8080
            protocol: TCP
      volumes:
      - name: tmp
        emptyDir: {}
      tolerations: []
# the end
";
        // The flow mapping with content is refused; without it, accepted.
        refused(text);
        let text = text.replace(
            "{name: x, key: y}",
            "\n              name: x\n              key: y",
        );
        let v = accepted(&text);
        assert_eq!(v.get_path(&["spec", "replicas"]), Some(&Value::Int(2)),);
        assert_eq!(
            v.get_path(&["metadata", "annotations", "quoted"]),
            Some(&Value::from("it's"))
        );
    }

    #[test]
    fn literal_block_scalars() {
        for text in [
            "a: |\n  x\n  y\nb: 1\n",
            "a: |-\n  x\n\n  y\n\n\nb: 1\n",
            "a: |+\n  x\n\n\nb: 1\n",
            "a: |+\n  x\n \n\n",
            "a: |  # c\n\n   x\n    y\n   # z\n",
            "- |\n x\n- |-\n  y\n- k: |\n    z\n  l: 2\n",
            "a:\n- |\n  x\n",
        ] {
            accepted(text);
        }
        for text in [
            "a: >\n  x\n",
            "a: |2\n  x\n",
            "a: |\n  x",
            "a: |\n    \n  x\n",
            "a: |\n  x\n    \n  y\n",
            "a: |\nb: 1\n",
            "a: |#c\n  x\n",
            "|\n x\n",
        ] {
            refused(text);
        }
    }

    #[test]
    fn scalars_resolve_like_the_full_reader() {
        for text in [
            "a: 0755\nb: 0x1F\nc: 1e3\nd: 2001-12-14\ne: ~\nf: yes\ng: -1\nh: .5\n",
            "a: 1:20\nb: x#y\nc: a :b\nd: \"a\\\"b\\n\"\ne: ''\nf: \"\"\ng: é ü\n",
            "1: x\ntrue: y\n2001-12-14: z\n\"2\": w\n",
            "- 1\n- - 2\n  - 3\n-\n  - 4\n- \n- k:\n  - 5\n  l: 6\n",
            "plain document\n",
            "{}\n",
            "# only a comment\n",
            "",
        ] {
            accepted(text);
        }
    }

    #[test]
    fn bails_on_what_it_does_not_know() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: {b: 1}\n",
            "a: [1]\n",
            "a: b\n  c\n",
            "a: 'b\n  c'\n",
            "a: \"\\x41\"\n",
            "a:\tb\n",
            "a: 1\na: 2\n",
            "<<: {}\n",
            "\"<<\": 1\n",
            "? a\n: b\n",
            "a: b: c\n",
            "a: - b\n",
            "a: -\n",
            "a:\n  - b\n  c: 1\n",
            "a: 1\n b: 2\n",
            "%YAML 1.1\n---\na: 1\n",
            "a: 1\n...\n",
            "a: 1\n---",
            "a: @x\n",
            "a: `x`\n",
            "data:\n  1: x\n",
            "~: x\n",
            "a: .inf\n",
            "a: \u{2028}\n",
            "\u{feff}a: 1\n",
            "a: 'x'y\n",
            "a: 'x'#y\n",
        ] {
            refused(text);
        }
        let deep: String = (0..=MAX_FAST_DEPTH)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        refused(&deep);
    }
}
