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
//!   a number, boolean or timestamp key is taken as its text;
//! * yaml.v3's own reading where saphyr's differs: NEL is a line break; a
//!   block scalar ending the text without a final break has none; the
//!   continuation lines of quoted scalars and flow collections may be
//!   indented less than the block around them; an implicit key in a flow
//!   collection must be on one line; a null remembers whether it was written
//!   as a word or as nothing ([`super::NullForm`]);
//! * values as kustomize writes them out: a folded scalar of a resource comes
//!   back from yaml.v3's folded writer with an extra break before its
//!   more-indented lines.
//!
//! Every rule here was checked against `kubectl kustomize` (kustomize v5.5.0).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use base64::Engine as _;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

use super::pos::{Kids, NoPositions, PosTree, Positions, Recorder};
use super::value::{Map, NullForm, Value};

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
pub(super) const ALIAS_BUDGET_BASE: usize = 200_000;

/// Parses a multi-document stream as kustomize reads a resource file; null and
/// empty documents are dropped (kustomize also drops `{}` and `[]` documents,
/// which this function returns: that is the caller's business).
pub fn parse_documents(text: &str) -> Result<Vec<Value>, YamlError> {
    parse_documents_with(text, false)
}

/// Parses a kustomization file as kustomize does (go-yaml v2 underneath):
/// like [`parse_documents`], but a repeated mapping key is not an error and
/// the last occurrence wins.
pub fn parse_documents_lenient(text: &str) -> Result<Vec<Value>, YamlError> {
    parse_documents_with(text, true)
}

fn parse_documents_with(text: &str, allow_duplicates: bool) -> Result<Vec<Value>, YamlError> {
    read_documents(text, allow_duplicates, true)
}

/// How plain scalars (and keys) resolve: which Go decoder the reader stands
/// for. Quoted and tagged scalars read the same in every mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scalars {
    /// kyaml (yaml.v3) followed by a JSON round trip, as kustomize reads
    /// resources: `2001-12-14` becomes `"2001-12-14T00:00:00Z"`.
    #[default]
    Resources,
    /// go-yaml v2 through `sigs.k8s.io/yaml`, as kustomize decodes the
    /// kustomization file's own fields: YAML 1.1 booleans (`y`, `no`, `on`…),
    /// a timestamp keeps its text, and a key of any type becomes its text
    /// (`y:` is the key `"true"`).
    GoYamlV2,
}

/// Parses a stream with the given scalar rules (duplicate keys: the last
/// wins, as go-yaml v2 and kyaml's map decoding both do). Always the full
/// reader: the fast path knows the [`Scalars::Resources`] rules only.
pub fn parse_documents_as(text: &str, scalars: Scalars) -> Result<Vec<Value>, YamlError> {
    read_documents_with(text, true, false, scalars)
}

/// The reader's entry point; `fast` lets ordinary chunks take the fast path
/// (`yaml::fast`), which gives the same result (tests compare the two).
pub(super) fn read_documents(
    text: &str,
    allow_duplicates: bool,
    fast: bool,
) -> Result<Vec<Value>, YamlError> {
    read_documents_with(text, allow_duplicates, fast, Scalars::Resources)
}

fn read_documents_with(
    text: &str,
    allow_duplicates: bool,
    fast: bool,
    scalars: Scalars,
) -> Result<Vec<Value>, YamlError> {
    // kyaml replaces CRLF line endings before anything else.
    let text: Cow<str> = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let text = text.as_ref();
    check_characters(text)?;
    let mut budget = ALIAS_BUDGET_BASE + text.len() / 16;
    let mut out = Vec::new();
    for chunk in split_documents(text)? {
        let piece = &text[chunk.start..chunk.end];
        // yaml.v3 reads NEL (U+0085) as a line break everywhere and keeps
        // it as `\n` in values: the same as reading a `\n` there.
        let nel: String;
        let piece = if piece.contains('\u{85}') {
            nel = piece.replace('\u{85}', "\n");
            nel.as_str()
        } else {
            piece
        };
        // Ordinary YAML takes the fast path (same result; it never fails);
        // it leaves text holding a raw LS/PS to the full reader.
        let quick = if fast {
            super::fast::parse_chunk(piece)
        } else {
            None
        };
        let parsed = match quick {
            Some(v) => Some(v),
            None => read_chunk(
                piece,
                chunk.line_offset,
                &mut budget,
                allow_duplicates,
                scalars,
            )?,
        };
        match parsed {
            None | Some(Value::Null(_)) => {}
            Some(v) => out.push(v),
        }
    }
    Ok(out)
}

/// Most re-indented reads of one chunk (see [`read_chunk`]); then the
/// error stands.
const MAX_INDENT_ROUNDS: usize = 64;

/// Reads the first document of a chunk with the full reader.
///
/// yaml.v3 does not check the indentation of the continuation lines of a
/// quoted scalar or of a flow collection (`k: "a` / `b"` at column 0 reads
/// as `a b`); saphyr refuses them. On such an error the lines concerned are
/// indented (leading blanks there are not part of the value, and separate
/// flow tokens) and the chunk read again, a few times at most.
fn read_chunk(
    piece: &str,
    line_offset: usize,
    budget: &mut usize,
    allow_duplicates: bool,
    scalars: Scalars,
) -> Result<Option<Value>, YamlError> {
    let initial_budget = *budget;
    let mut text = Cow::Borrowed(piece);
    let mut first_error = None;
    for _ in 0..MAX_INDENT_ROUNDS {
        *budget = initial_budget;
        let mut b = Builder::new(&text, line_offset, budget);
        b.allow_duplicates = allow_duplicates;
        b.scalars = scalars;
        let e = match b.parse_first_document() {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let fixed = b.low_indent.take().and_then(|l| reindent(&text, l));
        let first = first_error.get_or_insert(e);
        match fixed {
            Some(t) => text = Cow::Owned(t),
            None => return Err(first.clone()),
        }
    }
    Err(first_error.expect("at least one round"))
}

/// A continuation line saphyr refused for its indentation, by the character
/// index of what the error points at.
#[derive(Clone, Copy, Debug)]
enum LowIndent {
    /// The opening quote of a quoted scalar with such a line.
    Quoted(usize),
    /// A token on such a line of a flow collection; the column the
    /// outermost open flow collection starts at.
    Flow(usize, usize),
}

/// The text with the lines of `at` indented enough for saphyr, or `None`
/// when no line can be (a document marker at column 0 ends a scalar for
/// yaml.v3 too).
fn reindent(text: &str, at: LowIndent) -> Option<String> {
    let byte_of = |ci: usize| text.char_indices().nth(ci).map_or(text.len(), |(b, _)| b);
    let col_of = |b: usize| text[..b].rsplit('\n').next().unwrap_or("").chars().count();
    // The byte range whose line starts are moved, and the column they need.
    let (from, to, col) = match at {
        LowIndent::Quoted(ci) => {
            let open = byte_of(ci);
            let quote = *text.as_bytes().get(open)?;
            if quote != b'"' && quote != b'\'' {
                return None;
            }
            let end = closing_quote(text.as_bytes(), open, quote);
            (open, end, col_of(open))
        }
        LowIndent::Flow(ci, start_col) => {
            let b = byte_of(ci);
            let line = text[..b].rfind('\n').map_or(0, |i| i + 1);
            (line.checked_sub(1)?, line + 1, start_col + 1)
        }
    };
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    let mut changed = false;
    // Bytes, not a string slice: `to` may fall inside a character (a
    // flow's line starting with `é`); a line break is one byte anyway.
    let range = text
        .as_bytes()
        .get(from..to.min(text.len()))
        .unwrap_or_default();
    for i in newline_offsets(range) {
        let start = from + i + 1;
        if start >= to.min(text.len()) {
            break;
        }
        let line = text[start..].split('\n').next().unwrap_or("");
        let spaces = line.bytes().take_while(|&b| b == b' ').count();
        if spaces >= col || line[spaces..].trim_start_matches(['\t', ' ']).is_empty() {
            continue;
        }
        if spaces == 0 && (line.starts_with("---") || line.starts_with("...")) {
            return None;
        }
        out.push_str(&text[last..start]);
        out.extend(std::iter::repeat_n(' ', col - spaces));
        last = start;
        changed = true;
    }
    if !changed {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// Parses a multi-document stream as [`parse_documents`] does (or as
/// [`parse_documents_lenient`] does when `lenient`), with the position of
/// every node of every document (see `yaml::pos`); lines count from the
/// start of `text`.
pub fn parse_documents_with_positions(
    text: &str,
    lenient: bool,
) -> Result<Vec<(Value, PosTree)>, YamlError> {
    let text: Cow<str> = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let text = text.as_ref();
    check_characters(text)?;
    let mut budget = ALIAS_BUDGET_BASE + text.len() / 16;
    let mut out = Vec::new();
    for chunk in split_documents(text)? {
        let piece = &text[chunk.start..chunk.end];
        let rec = Recorder::new(piece, chunk.line_offset);
        let parsed = match super::fast::parse_chunk_with(piece, rec.clone()) {
            Some((v, n)) => n.map(|n| (v, n)),
            None => {
                let mut b = Builder::with_positions(piece, chunk.line_offset, &mut budget, rec);
                b.allow_duplicates = lenient;
                b.parse_first_document_with()?
            }
        };
        match parsed {
            None | Some((Value::Null(_), _)) => {}
            Some(doc) => out.push(doc),
        }
    }
    Ok(out)
}

/// yaml.v3 (and go-yaml v2, which reads kustomization files) refuses any
/// character outside YAML's printable set anywhere in the input, comments
/// included: C0 controls other than tab, LF and CR, DEL, C1 controls other
/// than NEL, surrogates and U+FFFE/U+FFFF. Checked upfront, as kubectl does.
pub(super) fn check_characters(text: &str) -> Result<(), YamlError> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}')
            || matches!(c, '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    };
    // Fast path: printable ASCII, tab, LF and CR are all allowed; the scan by
    // character starts at the first other byte (a char boundary: ASCII).
    let Some(start) = first_unusual_byte(text.as_bytes()) else {
        return Ok(());
    };
    let Some(pos) = text[start..].find(|c: char| !allowed(c)).map(|p| p + start) else {
        return Ok(());
    };
    let line = 1 + text[..pos].matches('\n').count();
    let line_start = text[..pos].rfind('\n').map_or(0, |nl| nl + 1);
    let column = 1 + text[line_start..pos].chars().count();
    let c = text[pos..].chars().next().unwrap_or('\0');
    Err(YamlError::at(
        line,
        column,
        format!("control characters are not allowed (U+{:04X})", c as u32),
    ))
}

/// True for a byte other than printable ASCII, tab, LF and CR.
#[inline(always)]
fn unusual_byte(b: u8) -> bool {
    (b.wrapping_sub(b' ') > b'~' - b' ') & (b != b'\t') & (b != b'\n') & (b != b'\r')
}

/// The position of the first [`unusual_byte`] in `b`. Blocks of 32 bytes
/// are tested whole (a loop without an early exit, which the compiler
/// vectorizes); the block holding one is then searched byte by byte.
pub(super) fn first_unusual_byte(b: &[u8]) -> Option<usize> {
    const BLOCK: usize = 32;
    let mut blocks = b.chunks_exact(BLOCK);
    let mut at = 0;
    for block in &mut blocks {
        let mut any = false;
        for &c in block {
            any |= unusual_byte(c);
        }
        if any {
            return block.iter().position(|&c| unusual_byte(c)).map(|p| at + p);
        }
        at += BLOCK;
    }
    blocks
        .remainder()
        .iter()
        .position(|&c| unusual_byte(c))
        .map(|p| at + p)
}

/// U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: line breaks for
/// yaml.v3 (YAML 1.1), ordinary characters for saphyr (YAML 1.2).
const LINE_SEPARATORS: [char; 2] = ['\u{2028}', '\u{2029}'];

/// yaml.v3's folding around a U+2028/U+2029 break inside a quoted scalar:
/// the break is kept and the blanks before and after it are dropped (go-yaml
/// writes `"q\u{2028}r"` as `'q\u{2028}    r'`, indentation after the break).
fn fold_line_separators(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skipping = false;
    for c in text.chars() {
        if LINE_SEPARATORS.contains(&c) {
            let kept = out.trim_end_matches([' ', '\t']).len();
            out.truncate(kept);
            out.push(c);
            skipping = true;
        } else if skipping && (c == ' ' || c == '\t') {
            continue;
        } else {
            skipping = false;
            out.push(c);
        }
    }
    out
}

/// True when the text holds a raw U+2028 or U+2029 (the common case, none,
/// costs two byte searches).
fn has_line_separator(text: &str) -> bool {
    text.contains(LINE_SEPARATORS[0]) || text.contains(LINE_SEPARATORS[1])
}

// ---------------------------------------------------------------------------
// Raw U+2028/U+2029 outside quoted scalars
//
// yaml.v3 takes a raw LS/PS as a line break everywhere: the column restarts
// at 0 and the line count grows, so it ends a comment, separates tokens, and
// ends a plain or block scalar when the next "line" is less indented. Inside
// a plain or block scalar the break is kept in the value as the character
// itself and is never folded into a space. saphyr (YAML 1.2) sees an
// ordinary character.
//
// A piece holding one is parsed with each LS/PS outside quoted scalars
// replaced by `\n`, so that saphyr sees yaml.v3's structure (and counts lines
// as it does); the value of each plain or block scalar spanning a replaced
// one is then recomputed from the original text with yaml.v3's rules.
// Character indices are the same in both texts. Which LS/PS sit in quoted
// scalars (left alone: `fold_line_separators` handles them) is learnt from
// the parse itself: the first round replaces them all; each round checks its
// choice against the quoted scalars that its parse found, and the first
// LS/PS whose choice disagrees, and every later one, are decided again from
// that parse. The choices before it stay, so the rounds make progress; one
// round suffices without LS/PS in quoted scalars, two are usual with.

/// Most parses of one piece while deciding which LS/PS are line breaks; the
/// last parse is the answer when this is reached (only contrived inputs).
const MAX_SEPARATOR_ROUNDS: usize = 16;

/// What a parse with replaced line separators needs and learns.
struct SeparatorState<'a> {
    /// The piece as written.
    original: &'a str,
    /// Character indices of the LS/PS replaced by `\n`, ascending.
    replaced: Vec<usize>,
    /// Character spans of the quoted scalars met, in order.
    quoted: Vec<(usize, usize)>,
    /// Character index up to which the parse read the text.
    reached: usize,
}

impl SeparatorState<'_> {
    /// True when a replaced separator lies in `[start, end)` (char indices).
    fn replaced_in(&self, start: usize, end: usize) -> bool {
        let i = self.replaced.partition_point(|&c| c < start);
        self.replaced.get(i).is_some_and(|&c| c < end)
    }

    /// Byte offset in the original text of char index `ci`, whose byte
    /// offset in the parsed text is `parsed_byte` (each replaced separator
    /// is 3 bytes there, 1 here).
    fn original_byte(&self, ci: usize, parsed_byte: usize) -> usize {
        parsed_byte + 2 * self.replaced.partition_point(|&c| c < ci)
    }
}

/// The block scalar header (`|` or `>`) on the line from `from`, after any
/// tags and anchors.
fn header_from(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' => i += 1,
            b'&' | b'!' => {
                while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\n') {
                    i += 1;
                }
            }
            b'|' | b'>' => return Some(i),
            _ => return None,
        }
    }
    None
}

/// Byte offset just after the quote closing the quoted scalar opened at
/// `open` with `quote`, or the end of the text.
fn closing_quote(b: &[u8], open: usize, quote: u8) -> usize {
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// True when char index `ci` lies in one of the (ordered, disjoint) spans.
fn in_spans(spans: &[(usize, usize)], ci: usize) -> bool {
    let i = spans.partition_point(|&(s, _)| s <= ci);
    i > 0 && ci < spans[i - 1].1
}

/// Reads the first document of a piece holding raw LS/PS as yaml.v3 does
/// (see above).
fn parse_with_line_separators<P: Positions + Clone>(
    text: &str,
    line_offset: usize,
    budget: &mut usize,
    allow_duplicates: bool,
    scalars: Scalars,
    rec: &P,
) -> Result<Option<(Value, P::Node)>, YamlError> {
    // (char index, byte offset) of each LS/PS.
    let seps: Vec<(usize, usize)> = text
        .char_indices()
        .enumerate()
        .filter(|(_, (_, c))| LINE_SEPARATORS.contains(c))
        .map(|(ci, (bi, _))| (ci, bi))
        .collect();
    // First guess: all are line breaks (true of all but those in quoted
    // scalars, which the first parse finds).
    let mut replace = vec![true; seps.len()];
    let initial_budget = *budget;
    let mut round = 0;
    loop {
        round += 1;
        let mut parsed = String::with_capacity(text.len());
        let mut replaced = Vec::new();
        let mut last = 0;
        for (&(ci, bi), _) in seps.iter().zip(&replace).filter(|(_, r)| **r) {
            parsed.push_str(&text[last..bi]);
            parsed.push('\n');
            last = bi + LINE_SEPARATORS[0].len_utf8();
            replaced.push(ci);
        }
        parsed.push_str(&text[last..]);
        *budget = initial_budget;
        let mut b = Builder::with_positions(&parsed, line_offset, budget, rec.clone());
        b.allow_duplicates = allow_duplicates;
        b.scalars = scalars;
        b.separators = Some(SeparatorState {
            original: text,
            replaced,
            quoted: Vec::new(),
            reached: 0,
        });
        let result = b.parse_events();
        let Some(state) = b.separators.take() else {
            return result;
        };
        // Beyond what the parse read, the first guess stands.
        let decide = |ci: usize| !in_spans(&state.quoted, ci);
        let wrong = seps
            .iter()
            .zip(&replace)
            .position(|(&(ci, _), &r)| ci < state.reached && r != decide(ci));
        match wrong {
            Some(k) if round < MAX_SEPARATOR_ROUNDS => {
                for (r, &(ci, _)) in replace[k..].iter_mut().zip(&seps[k..]) {
                    *r = decide(ci);
                }
            }
            _ => return result,
        }
    }
}

/// True for the characters yaml.v3 takes as line breaks (NEL aside: the
/// reader has replaced it by `\n` before parsing).
fn is_go_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Reads the line break at the start of `rest` as yaml.v3's `read_line`
/// does (CR LF, CR and LF give `\n`; LS and PS are kept), moving past it.
fn read_go_break(rest: &mut &str, out: &mut String) -> bool {
    let Some(c) = rest.chars().next() else {
        return false;
    };
    if !is_go_break(c) {
        return false;
    }
    let mut len = c.len_utf8();
    if c == '\r' && rest[1..].starts_with('\n') {
        len = 2;
    }
    out.push(if c == '\r' { '\n' } else { c });
    *rest = &rest[len..];
    true
}

/// The value of a plain scalar from its source text (first to last
/// character), folded as yaml.v3 folds it: a line break is a space, or the
/// empty lines after it; an LS/PS break is kept with the breaks after it.
fn go_plain_value(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len());
    let mut whitespaces = String::new();
    let mut leading_break = String::new();
    let mut trailing_breaks = String::new();
    let mut leading_blanks = false;
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if c == ' ' || c == '\t' {
            if !leading_blanks {
                whitespaces.push(c);
            }
            rest = &rest[1..];
        } else if is_go_break(c) {
            if leading_blanks {
                read_go_break(&mut rest, &mut trailing_breaks);
            } else {
                whitespaces.clear();
                leading_break.clear();
                read_go_break(&mut rest, &mut leading_break);
                leading_blanks = true;
            }
        } else {
            if leading_blanks {
                if leading_break.starts_with('\n') {
                    if trailing_breaks.is_empty() {
                        s.push(' ');
                    }
                } else {
                    s.push_str(&leading_break);
                }
                s.push_str(&trailing_breaks);
                trailing_breaks.clear();
                leading_blanks = false;
            } else {
                s.push_str(&whitespaces);
                whitespaces.clear();
            }
            s.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    s
}

/// The value of a block scalar as yaml.v3 reads it, from the text after its
/// header line; `indent` is its content indentation (`usize::MAX` when it
/// has no content line), `chomp` is -1 (`-`), 0 or 1 (`+`).
fn go_block_value(text: &str, indent: usize, literal: bool, chomp: i8) -> String {
    // Eats indentation up to `indent` and the empty lines, collecting their
    // breaks; returns the column reached.
    fn breaks(rest: &mut &str, indent: usize, out: &mut String) -> usize {
        loop {
            let spaces = rest.bytes().take(indent).take_while(|&b| b == b' ').count();
            *rest = &rest[spaces..];
            if !read_go_break(rest, out) {
                return spaces;
            }
        }
    }
    let mut rest = text;
    let mut s = String::with_capacity(text.len());
    let mut leading_break = String::new();
    let mut trailing_breaks = String::new();
    let mut col = breaks(&mut rest, indent, &mut trailing_breaks);
    let mut leading_blank = false;
    while col == indent && !rest.is_empty() {
        let trailing_blank = rest.starts_with([' ', '\t']);
        if !literal && !leading_blank && !trailing_blank && leading_break.starts_with('\n') {
            if trailing_breaks.is_empty() {
                s.push(' ');
            }
        } else {
            s.push_str(&leading_break);
        }
        leading_break.clear();
        s.push_str(&trailing_breaks);
        trailing_breaks.clear();
        leading_blank = trailing_blank;
        let end = rest.find(is_go_break).unwrap_or(rest.len());
        s.push_str(&rest[..end]);
        rest = &rest[end..];
        read_go_break(&mut rest, &mut leading_break);
        col = breaks(&mut rest, indent, &mut trailing_breaks);
    }
    if chomp != -1 {
        s.push_str(&leading_break);
    }
    if chomp == 1 {
        s.push_str(&trailing_breaks);
    }
    s
}

/// A block scalar that reaches the end of a text with no final line break,
/// as yaml.v3 reads it from saphyr's value: saphyr counts the missing break
/// (its value ends with a line break for `|`, `|+`, `>`, `>+`), yaml.v3 does
/// not. When the last line holds content, that break goes; when it holds
/// only spaces, only a keeping (`+`) scalar has a break too many (a clipped
/// one ends in exactly one break after content, or is empty).
fn block_at_end_without_break(text: Cow<'_, str>, last_line_blank: bool) -> Cow<'_, str> {
    let drop = if last_line_blank {
        text == "\n" || text.ends_with("\n\n")
    } else {
        text.ends_with('\n')
    };
    if !drop {
        return text;
    }
    match text {
        Cow::Borrowed(t) => Cow::Borrowed(&t[..t.len() - 1]),
        Cow::Owned(mut t) => {
            t.pop();
            Cow::Owned(t)
        }
    }
}

/// The value a folded scalar (`>`) of a resource has in kustomize's output,
/// when it differs from the value read: `None` when it is the same.
///
/// kustomize writes each resource out with yaml.v3 and reads it back, and
/// the node keeps its folded style. yaml.v3's folded writer puts an empty
/// line after a line that does not start with a blank, to keep the break
/// from folding, but decides it by the first character of the whole value
/// instead of the next line's: read back, the empty line adds a break
/// before a more-indented line, and at the end of a kept (`>+`) value
/// ending in two breaks or more. Values yaml.v3 does not write folded
/// (trailing space, a space before a break) come back as they were.
fn folded_round_trip(value: &str) -> Option<String> {
    if value.is_empty()
        || value.ends_with(' ')
        || value.contains(" \n")
        || value.contains(['\r', '\u{85}', '\u{feff}', '\u{2028}', '\u{2029}'])
    {
        return None;
    }
    // A value whose first character after its leading breaks is a blank
    // (or that is only breaks) gets no empty lines.
    if value
        .trim_start_matches('\n')
        .chars()
        .next()
        .is_none_or(|c| c == ' ' || c == '\t')
    {
        return None;
    }
    // Without a more-indented line or several final breaks, the empty lines
    // fold away again.
    if !value.contains("\n ") && !value.contains("\n\t") && !value.ends_with("\n\n") {
        return None;
    }
    // The body yaml.v3 writes (line wrapping aside: it folds back to the
    // same spaces), indented by 2, then read back with its chomping hint.
    let mut body = String::with_capacity(value.len() + 16);
    let (mut breaks, mut leading_blank) = (true, true);
    for c in value.chars() {
        if c == '\n' {
            if !breaks && !leading_blank {
                body.push('\n');
            }
            body.push('\n');
            breaks = true;
        } else {
            if breaks {
                body.push_str("  ");
                leading_blank = c == ' ' || c == '\t';
            }
            body.push(c);
            breaks = false;
        }
    }
    if !body.ends_with('\n') {
        body.push('\n');
    }
    let chomp = if !value.ends_with('\n') {
        -1
    } else if value == "\n" || value.ends_with("\n\n") {
        1
    } else {
        0
    };
    let back = go_block_value(&body, 2, false, chomp);
    (back != value).then_some(back)
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

pub(super) struct Chunk {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) line_offset: usize,
}

/// Splits like kyaml: a separator is `\n---` followed by anything up to the
/// next `\n` (matches do not overlap); text after `---` must be blank or a
/// comment. Each piece but the last keeps one trailing newline.
pub(super) fn split_documents(s: &str) -> Result<Vec<Chunk>, YamlError> {
    let mut chunks = Vec::new();
    let mut prev = 0;
    let mut pos = 0;
    let mut line_offset = 0;
    while let Some(found) = find_marker(&s.as_bytes()[pos..]) {
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

/// The position of the first `\n---` in `b`. Blocks of 32 starting
/// positions are tested whole with a bitwise loop (vectorized), and only a
/// block holding a match is searched position by position.
pub(super) fn find_marker(b: &[u8]) -> Option<usize> {
    const BLOCK: usize = 32;
    let at = |i: usize| b[i] == b'\n' && b[i + 1..i + 4] == *b"---";
    let n = b.len().saturating_sub(3); // starting positions with room
    let mut start = 0;
    while start + BLOCK <= n {
        let w = &b[start..start + BLOCK + 3];
        let mut any = false;
        for i in 0..BLOCK {
            any |= (w[i] == b'\n') & (w[i + 1] == b'-') & (w[i + 2] == b'-') & (w[i + 3] == b'-');
        }
        if any {
            return (start..start + BLOCK).find(|&i| at(i));
        }
        start += BLOCK;
    }
    (start..n).find(|&i| at(i))
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

enum Frame<P: Positions> {
    Seq {
        items: Vec<Value>,
        kids: P::Kids,
        at: P::Node,
        anchor: usize,
        flow: bool,
        weight: usize,
    },
    Map {
        entries: Vec<(String, Value)>,
        meta: Vec<KeyMeta>,
        kids: P::Kids,
        at: P::Node,
        /// The key waiting for its value, and where the key is.
        pending: Option<(String, KeyMeta, P::Node)>,
        anchor: usize,
        flow: bool,
        weight: usize,
        root: bool,
    },
}

impl<P: Positions> Frame<P> {
    fn flow(&self) -> bool {
        match self {
            Frame::Seq { flow, .. } | Frame::Map { flow, .. } => *flow,
        }
    }
}

pub(super) struct Builder<'a, 'b, P: Positions = NoPositions> {
    text: &'a str,
    ascii: bool,
    cursor_char: usize,
    cursor_byte: usize,
    line_offset: usize,
    budget: &'b mut usize,
    anchors: Vec<Option<(Value, usize, P::Node)>>,
    stack: Vec<Frame<P>>,
    /// go-yaml v2 semantics for duplicate keys: the last one wins. Set for
    /// kustomization files, which kustomize decodes into its own types: their
    /// values are never written out, so [`folded_round_trip`] does not apply.
    pub(super) allow_duplicates: bool,
    /// How plain scalars resolve.
    pub(super) scalars: Scalars,
    /// Set when the text is a piece whose raw LS/PS were replaced.
    separators: Option<SeparatorState<'a>>,
    /// Char index where the previous event ended.
    prev_end: usize,
    /// Set by a scan error that yaml.v3 would not report (see [`read_chunk`]).
    low_indent: Option<LowIndent>,
    /// Start (char index) of the outermost open flow collection, and the
    /// depth of its frame.
    flow_start: Option<(usize, usize)>,
    /// Where node positions go (see `yaml::pos`).
    rec: P,
}

/// How a node's start is found from its event's span (see
/// [`Builder::start_of`]).
#[derive(Clone, Copy)]
enum Start {
    /// Where the span starts.
    Plain,
    /// At the `|` or `>` header before the span.
    BlockScalar,
    /// At the `-` just before the span, if there is one (`indentless`: a
    /// sequence that is a mapping's value, which saphyr starts after its
    /// first dash even when that is followed by another).
    AfterDash { indentless: bool },
}

fn scalar_weight(len: usize) -> usize {
    1 + len / 32
}

impl<'a, 'b> Builder<'a, 'b, NoPositions> {
    pub(super) fn new(text: &'a str, line_offset: usize, budget: &'b mut usize) -> Self {
        Builder::with_positions(text, line_offset, budget, NoPositions)
    }

    /// Reads the first document of the chunk (kyaml decodes one document per
    /// piece; anything after it is ignored). `None` when there is none.
    /// A chunk holding a raw LS/PS is read as yaml.v3 reads it (see
    /// [`parse_with_line_separators`]).
    pub(super) fn parse_first_document(&mut self) -> Result<Option<Value>, YamlError> {
        Ok(self.parse_first_document_with()?.map(|(v, ())| v))
    }
}

impl<'a, 'b, P: Positions + Clone> Builder<'a, 'b, P> {
    /// A builder recording positions with `rec`.
    pub(super) fn with_positions(
        text: &'a str,
        line_offset: usize,
        budget: &'b mut usize,
        rec: P,
    ) -> Self {
        Builder {
            text,
            ascii: text.is_ascii(),
            cursor_char: 0,
            cursor_byte: 0,
            line_offset,
            budget,
            anchors: Vec::new(),
            stack: Vec::new(),
            allow_duplicates: false,
            scalars: Scalars::Resources,
            separators: None,
            prev_end: 0,
            low_indent: None,
            flow_start: None,
            rec,
        }
    }

    /// Notes how far a parse with replaced separators read.
    fn reached(&mut self, ci: usize) {
        if let Some(st) = &mut self.separators {
            st.reached = st.reached.max(ci);
        }
    }

    /// Notes a scan error: the text up to the end of its line was read.
    fn reached_error(&mut self, e: &ScanError) {
        let ci = e.marker().index();
        self.low_indent = match e.info() {
            "invalid indentation in quoted scalar" => Some(LowIndent::Quoted(ci)),
            "invalid indentation" | "invalid indentation in flow construct" => {
                self.flow_start.map(|(start, _)| {
                    let b = self.byte_index(start);
                    let col = self.text[..b]
                        .rsplit('\n')
                        .next()
                        .unwrap_or("")
                        .chars()
                        .count();
                    LowIndent::Flow(ci, col)
                })
            }
            _ => None,
        };
        if self.separators.is_none() {
            return;
        }
        let ci = e.marker().index();
        self.pending_quoted(ci);
        let b = self.byte_index(ci);
        let line = self.text[b..].split('\n').next().unwrap_or("");
        // The break ending that line was read too.
        self.reached(ci + line.chars().count() + 1);
    }

    /// Records the quoted scalars the scanner read after the last event
    /// before it failed at `error_ci` (their events never came): found by
    /// skipping tokens from the end of the last event (roughly: enough for a
    /// key and its value).
    fn pending_quoted(&mut self, error_ci: usize) {
        let from = self.byte_index(self.prev_end);
        let until = self.byte_index(error_ci.max(self.prev_end));
        let t = self.text;
        let b = t.as_bytes();
        let mut spans = Vec::new();
        let mut i = from;
        while i <= until && i < b.len() {
            match b[i] {
                b' ' | b'\t' | b'\n' | b'\r' | b':' | b'-' | b'?' | b',' | b'[' | b']' | b'{'
                | b'}' => i += 1,
                b'#' => i = t[i..].find('\n').map_or(t.len(), |n| i + n),
                b'!' | b'&' | b'*' => {
                    i = t[i..].find([' ', '\t', '\n']).map_or(t.len(), |n| i + n);
                }
                q @ (b'\'' | b'"') => {
                    let end = closing_quote(b, i, q);
                    spans.push((i, end));
                    i = end;
                }
                // A plain scalar: up to `: `, ` #`, a flow indicator or the
                // end of the line.
                _ => {
                    i += 1;
                    while i < b.len() {
                        match b[i] {
                            b'\n' | b',' | b'[' | b']' | b'{' | b'}' => break,
                            b':' if matches!(b.get(i + 1), None | Some(b' ' | b'\t' | b'\n')) => {
                                break;
                            }
                            b'#' if matches!(b[i - 1], b' ' | b'\t') => break,
                            _ => i += 1,
                        }
                    }
                }
            }
        }
        let mut ci = self.prev_end;
        let mut at = from;
        let mut to_char = |byte: usize| {
            ci += t[at..byte].chars().count();
            at = byte;
            ci
        };
        let spans: Vec<(usize, usize)> = spans
            .into_iter()
            .map(|(s, e)| (to_char(s), to_char(e)))
            .collect();
        if let Some(st) = &mut self.separators {
            st.quoted.extend(spans);
        }
    }

    /// The scalar text as yaml.v3 reads it when raw LS/PS were replaced: a
    /// plain or block scalar spanning a replaced one is read again from the
    /// original text; quoted scalars are recorded.
    fn scalar_with_separators<'t>(
        &mut self,
        text: Cow<'t, str>,
        style: ScalarStyle,
        properties: bool,
        span: &Span,
    ) -> Cow<'t, str> {
        let (start, end) = (span.start.index(), span.end.index());
        match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                if let Some(st) = &mut self.separators {
                    st.quoted.push((start, end));
                }
                text
            }
            ScalarStyle::Plain => {
                if !self
                    .separators
                    .as_ref()
                    .is_some_and(|st| st.replaced_in(start, end))
                {
                    return text;
                }
                let (bs, be) = (self.byte_index(start), self.byte_index(end));
                match &self.separators {
                    Some(st) => {
                        let (os, oe) = (st.original_byte(start, bs), st.original_byte(end, be));
                        st.original
                            .get(os..oe)
                            .map_or(text, |raw| Cow::Owned(go_plain_value(raw)))
                    }
                    None => text,
                }
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                self.block_with_separators(text, style == ScalarStyle::Literal, properties, span)
            }
        }
    }

    /// See [`Builder::scalar_with_separators`]: a block scalar. saphyr's span
    /// starts at its first property when it has one; else at its first
    /// content character, or at what follows when it has none (at its header
    /// when that is the end of the text). The header is then on the last
    /// non-blank line before the span.
    fn block_with_separators<'t>(
        &mut self,
        text: Cow<'t, str>,
        literal: bool,
        properties: bool,
        span: &Span,
    ) -> Cow<'t, str> {
        let lower = self.byte_index(self.prev_end);
        let start = self.byte_index(span.start.index());
        let t = self.text;
        let bytes = t.as_bytes();
        let empty = text.bytes().all(|b| b == b'\n');
        let header = if properties || (empty && matches!(bytes.get(start), Some(b'|' | b'>'))) {
            header_from(bytes, start)
        } else {
            let line_start = t[..start].rfind('\n').map_or(0, |i| i + 1);
            if !t[line_start..start].bytes().all(|b| b == b' ') {
                return text;
            }
            let blank = |l: &str| l.bytes().all(|b| b == b' ' || b == b'\t');
            let mut region = line_start;
            let header_line = loop {
                if region == 0 {
                    return text;
                }
                let prev = t[..region - 1].rfind('\n').map_or(0, |i| i + 1);
                if blank(&t[prev..region - 1]) {
                    region = prev;
                } else {
                    break prev;
                }
            };
            (header_line.max(lower)..region - 1).find(|&j| {
                matches!(bytes[j], b'|' | b'>')
                    && (j == header_line || matches!(bytes[j - 1], b' ' | b'\t'))
            })
        };
        let Some(h) = header else {
            return text;
        };
        let Some(nl) = t[h..].find('\n') else {
            return text;
        };
        // The line after the header, where the content region starts.
        let region = h + nl + 1;
        let region_ci = if region >= start {
            span.start.index() + t[start..region].chars().count()
        } else {
            span.start.index() - t[region..start].chars().count()
        };
        let chomp = bytes[h + 1..region - 1]
            .iter()
            .take_while(|b| matches!(b, b'+' | b'-' | b'0'..=b'9'))
            .fold(0i8, |c, b| match b {
                b'+' => 1,
                b'-' => -1,
                _ => c,
            });
        let Some(st) = &self.separators else {
            return text;
        };
        if !st.replaced_in(region_ci, span.end.index().max(region_ci) + 1) {
            return text;
        }
        let indent = if empty {
            usize::MAX
        } else {
            // The first content line, less its indentation, starts the value.
            let rest = &t[region..];
            let first = rest
                .split('\n')
                .find(|l| !l.bytes().all(|b| b == b' ' || b == b'\t'))
                .unwrap_or("");
            let value = text.trim_start_matches('\n');
            let spaces = first.bytes().take_while(|&b| b == b' ').count();
            match (0..=spaces).rev().find(|&p| value.starts_with(&first[p..])) {
                Some(p) => p,
                None => return text,
            }
        };
        let ob = st.original_byte(region_ci, region);
        match st.original.get(ob..) {
            Some(rest) => Cow::Owned(go_block_value(rest, indent, literal, chomp)),
            None => text,
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
            // Walk back from the cursor (the line-separator code looks back
            // a little; starting over from 0 would cost the whole text).
            let back = self.cursor_char - ci;
            let b = match self.text[..self.cursor_byte]
                .char_indices()
                .nth_back(back - 1)
            {
                Some((off, _)) => off,
                None => 0,
            };
            self.cursor_char = ci;
            self.cursor_byte = b;
            return b;
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

    /// yaml.v3 refuses a tab where a block scalar's indentation is read:
    /// on a line after its first content line, before its content column
    /// (a tab-only line, or a less indented line starting with a tab, ends
    /// nothing but the parse); saphyr reads such lines. Block scalars with
    /// an indentation indicator are not checked (their column is not the
    /// first line's).
    fn check_block_tabs(&mut self, span: &Span) -> Result<(), YamlError> {
        let start = self.byte_index(span.start.index());
        let t = self.text;
        let line_start = t[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = t[line_start..].bytes().take_while(|&b| b == b' ').count();
        if indent == 0 || line_start + indent != start {
            return Ok(());
        }
        // The header: the last non-blank line before the first content line.
        let header = t[..line_start.saturating_sub(1)]
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let explicit = header
            .rfind(['|', '>'])
            .is_some_and(|i| header[i + 1..].bytes().take(2).any(|b| b.is_ascii_digit()));
        if explicit {
            return Ok(());
        }
        let first_line = span.start.line() + self.line_offset;
        for (n, line) in t[line_start..].split('\n').enumerate().skip(1) {
            let spaces = line.bytes().take(indent).take_while(|&b| b == b' ').count();
            if spaces == indent {
                continue;
            }
            match line.as_bytes().get(spaces) {
                Some(b'\t') => {
                    return Err(YamlError::at(
                        first_line + n,
                        spaces + 1,
                        "found a tab character where an indentation space is expected",
                    ));
                }
                None => continue,
                Some(_) => return Ok(()),
            }
        }
        Ok(())
    }

    /// True when the key scalar at `span` is implicit (no `?` before it)
    /// and a `:` follows it: yaml.v3 then needs it on one line.
    fn implicit_key_with_value(&mut self, span: &Span) -> bool {
        let (a, b) = (
            self.byte_index(span.start.index()),
            self.byte_index(span.end.index()),
        );
        let before = self.text[..a].trim_end_matches([' ', '\t', '\n']);
        let after = self.text[b..].trim_start_matches([' ', '\t', '\n']);
        !before.ends_with('?') && after.starts_with(':')
    }

    /// Where a node whose event starts at `span` sits (see `yaml::pos`):
    /// saphyr starts a block scalar at its text (the node starts at its
    /// header), an indentless block sequence and an empty sequence entry
    /// after their dash (they start at it). Plain reads skip the look-ups.
    fn start_of(&mut self, span: &Span, start: Start) -> P::Node {
        let (line, col) = (span.start.line(), span.start.col());
        if !P::RECORDS {
            return self.rec.at_line_col(line, col);
        }
        let at = self.byte_index(span.start.index());
        let b = self.text.as_bytes();
        match start {
            Start::Plain => {}
            Start::BlockScalar => {
                // From the end of the previous event, past indicators and
                // comments, to the header (after any tag or anchor).
                let mut i = self.byte_index(self.prev_end).min(at);
                loop {
                    while i < at && matches!(b[i], b' ' | b'\t' | b'\n' | b':' | b'-' | b'?' | b',')
                    {
                        i += 1;
                    }
                    if i < at && b[i] == b'#' {
                        i = self.text[i..at].find('\n').map_or(at, |n| i + n);
                    } else {
                        break;
                    }
                }
                if let Some(h) = header_from(b, i).filter(|&h| h < at) {
                    let lines_between = self.text[h..at].matches('\n').count();
                    let line_start = self.text[..h].rfind('\n').map_or(0, |n| n + 1);
                    let col = self.text[line_start..h].chars().count();
                    return self.rec.at_line_col(line - lines_between, col);
                }
            }
            Start::AfterDash { indentless } => {
                // An indentless sequence starts after its first dash even
                // when its first item is a sequence (`- - x`).
                let on_dash = b.get(at) == Some(&b'-')
                    && matches!(b.get(at + 1), None | Some(b' ' | b'\t' | b'\n'));
                if indentless || !on_dash {
                    let mut i = at;
                    while i > 0 && matches!(b[i - 1], b' ' | b'\t') {
                        i -= 1;
                    }
                    if i > 0 && b[i - 1] == b'-' && (i == 1 || matches!(b[i - 2], b' ' | b'\n')) {
                        return self.rec.at_line_col(line, col - (at - i) - 1);
                    }
                }
            }
        }
        self.rec.at_line_col(line, col)
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

    /// True when a quoted scalar holds a raw U+2028/U+2029 in the source
    /// (not a `\L`/`\P` escape): yaml.v3 reads those as line breaks.
    fn has_raw_line_separator(&mut self, text: &str, style: ScalarStyle, span: &Span) -> bool {
        if !text.contains(LINE_SEPARATORS) {
            return false;
        }
        match style {
            ScalarStyle::SingleQuoted => true,
            ScalarStyle::DoubleQuoted => {
                let (a, b) = (
                    self.byte_index(span.start.index()),
                    self.byte_index(span.end.index()),
                );
                self.text
                    .get(a..b)
                    .is_some_and(|raw| raw.contains(LINE_SEPARATORS))
            }
            _ => false,
        }
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
        node: &P::Node,
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
        self.anchors[id] = Some((v.clone(), weight, node.clone()));
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

    /// [`Builder::parse_first_document`] with the root's positions.
    pub(super) fn parse_first_document_with(
        &mut self,
    ) -> Result<Option<(Value, P::Node)>, YamlError> {
        if self.separators.is_none() && has_line_separator(self.text) {
            return parse_with_line_separators(
                self.text,
                self.line_offset,
                self.budget,
                self.allow_duplicates,
                self.scalars,
                &self.rec,
            );
        }
        self.parse_events()
    }

    /// [`Builder::parse_first_document`] on the text as it is.
    fn parse_events(&mut self) -> Result<Option<(Value, P::Node)>, YamlError> {
        let mut parser = Parser::new_from_str(self.text);
        loop {
            let (ev, span) = match parser.next_event() {
                None => return Ok(None),
                Some(Err(e)) => {
                    self.reached_error(&e);
                    return Err(self.scan_err(&e));
                }
                Some(Ok(x)) => x,
            };
            self.reached(span.end.index());
            // An implicit document start has the span of the first token.
            let last_end = if matches!(ev, Event::DocumentStart(_)) {
                self.prev_end
            } else {
                span.end.index()
            };
            let done = match ev {
                Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => None,
                Event::StreamEnd | Event::DocumentEnd => return Ok(None),
                Event::Alias(id) => {
                    let (v, w, n) = match self.anchors.get(id) {
                        Some(Some((v, w, n))) => (v, *w, n),
                        _ => {
                            return Err(self.err(
                                &span,
                                "alias refers to an anchor whose node is not complete",
                            ));
                        }
                    };
                    let (v, n) = (v.clone(), n.clone());
                    self.charge(w, &span)?;
                    self.complete(v, n, w, true, &span)?
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
                    if flow && self.flow_start.is_none() {
                        self.flow_start = Some((span.start.index(), self.stack.len()));
                    }
                    let start = if matches!(ev, Event::SequenceStart(..)) && !flow {
                        Start::AfterDash {
                            indentless: matches!(self.stack.last(), Some(Frame::Map { .. })),
                        }
                    } else {
                        Start::Plain
                    };
                    let at = self.start_of(&span, start);
                    let frame = if matches!(ev, Event::SequenceStart(..)) {
                        Frame::Seq {
                            items: Vec::new(),
                            kids: P::Kids::default(),
                            at,
                            anchor,
                            flow,
                            weight: 1,
                        }
                    } else {
                        Frame::Map {
                            entries: Vec::new(),
                            meta: Vec::new(),
                            kids: P::Kids::default(),
                            at,
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
                    if self
                        .flow_start
                        .is_some_and(|(_, depth)| depth == self.stack.len())
                    {
                        self.flow_start = None;
                    }
                    let (v, n, anchor, weight) = match frame {
                        Frame::Seq {
                            items,
                            kids,
                            at,
                            anchor,
                            weight,
                            ..
                        } => (
                            Value::Seq(items),
                            self.rec.collection(at, kids),
                            anchor,
                            weight,
                        ),
                        Frame::Map {
                            entries,
                            meta,
                            kids,
                            at,
                            anchor,
                            weight,
                            ..
                        } => {
                            let (v, kids) = self.finish_map(entries, meta, kids, &span)?;
                            (v, self.rec.collection(at, kids), anchor, weight)
                        }
                    };
                    self.store_anchor(anchor, &v, &n, weight, &span)?;
                    self.complete(v, n, weight, false, &span)?
                }
            };
            self.prev_end = last_end;
            if let Some(root) = done {
                // yaml.v3 reads up to the end of the document: a syntax error
                // right after the root node still fails.
                match parser.next_event() {
                    Some(Err(e)) => {
                        self.reached_error(&e);
                        return Err(self.scan_err(&e));
                    }
                    Some(Ok((_, span))) => self.reached(span.end.index()),
                    None => {}
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
    ) -> Result<Option<(Value, P::Node)>, YamlError> {
        let kind = tag_kind(tag);
        let plain = style == ScalarStyle::Plain;
        let flow = self.in_flow();
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
            && self.separators.is_none()
            && text.contains('\n')
        {
            self.check_block_tabs(span)?;
        }
        let text = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
            && !self.text.ends_with('\n')
            && self.byte_index(span.end.index()) >= self.text.len()
        {
            let last_line = self.text.rsplit('\n').next().unwrap_or("");
            block_at_end_without_break(text, last_line.bytes().all(|b| b == b' '))
        } else {
            text
        };
        let text = if self.separators.is_some() {
            self.scalar_with_separators(text, style, anchor != 0 || tag.is_some(), span)
        } else {
            text
        };
        let text = if self.has_raw_line_separator(&text, style, span) {
            Cow::Owned(fold_line_separators(&text))
        } else {
            text
        };
        let start = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => Start::BlockScalar,
            ScalarStyle::Plain
                if text.is_empty()
                    && matches!(self.stack.last(), Some(Frame::Seq { flow: false, .. })) =>
            {
                Start::AfterDash { indentless: false }
            }
            _ => Start::Plain,
        };
        let at = self.start_of(span, start);
        if self.at_key() {
            if flow && span.end.line() != span.start.line() && self.implicit_key_with_value(span) {
                return Err(self.err(
                    span,
                    "did not find expected ',' or '}' (an implicit key in a flow \
                     collection must be on one line)",
                ));
            }
            let line = span.start.line() + self.line_offset;
            let root = self.in_root_map();
            let (key, merge) = self.key_from_scalar(&text, plain, kind, root, span)?;
            if anchor != 0 {
                let v = self.value_of(&text, plain, kind, flow, span)?;
                let w = scalar_weight(text.len());
                self.store_anchor(anchor, &v, &at, w, span)?;
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
                    at,
                ));
            }
            return Ok(None);
        }
        let text = match style {
            ScalarStyle::Folded if !self.allow_duplicates => match folded_round_trip(&text) {
                Some(v) => Cow::Owned(v),
                None => text,
            },
            _ => text,
        };
        // An empty value (`key:` with nothing after it) sits at its key.
        let at = match self.stack.last() {
            Some(Frame::Map {
                pending: Some((_, _, key_at)),
                ..
            }) if plain && text.is_empty() => key_at.clone(),
            _ => at,
        };
        let v = self.value_of(&text, plain, kind, flow, span)?;
        let w = scalar_weight(text.len());
        self.store_anchor(anchor, &v, &at, w, span)?;
        self.complete(v, at, w, false, span)
    }

    /// The value of a scalar node under this reader's [`Scalars`] rules.
    fn value_of(
        &self,
        text: &str,
        plain: bool,
        kind: TagKind,
        flow: bool,
        span: &Span,
    ) -> Result<Value, YamlError> {
        let v = match self.scalars {
            Scalars::Resources => scalar_value(text, plain, kind, flow),
            // No re-encoding step here: an empty flow value is null.
            Scalars::GoYamlV2 if plain && kind == TagKind::Untagged => {
                resolved_value(text, resolve_go_yaml_v2(text))
            }
            Scalars::GoYamlV2 => scalar_value(text, plain, kind, flow),
        };
        v.map_err(|m| self.err(span, m))
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
            // sigs.k8s.io/yaml turns every key into a string.
            TagKind::Untagged if self.scalars == Scalars::GoYamlV2 => {
                return Ok((go_yaml_v2_key(text, resolve_go_yaml_v2(text)), false));
            }
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
        n: P::Node,
        w: usize,
        from_alias: bool,
        span: &Span,
    ) -> Result<Option<(Value, P::Node)>, YamlError> {
        let root = self.in_root_map();
        let line = span.start.line() + self.line_offset;
        let key_from_alias = if self.at_key() {
            // Only an alias can complete in key position.
            let key = match &v {
                Value::String(s) => s.clone(),
                Value::Null(_) => {
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
            None => Ok(Some((v, n))),
            Some(Frame::Seq {
                items,
                kids,
                weight,
                ..
            }) => {
                items.push(v);
                kids.push(n);
                *weight += w;
                Ok(None)
            }
            Some(Frame::Map {
                entries,
                meta,
                kids,
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
                        n,
                    ));
                    return Ok(None);
                }
                if let Some((k, mut m, _)) = pending.take() {
                    m.value_from_alias = from_alias;
                    entries.push((k, v));
                    meta.push(m);
                    kids.push(n);
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
        mut kids: P::Kids,
        span: &Span,
    ) -> Result<(Value, P::Kids), YamlError> {
        if meta.iter().any(|m| m.merge) || entries.iter().any(|(k, _)| k == "<<") {
            self.apply_merges(&mut entries, &mut meta, &mut kids, span)?;
        }
        if self.allow_duplicates {
            let mut m = Map::with_capacity(entries.len());
            if !P::RECORDS {
                for (k, v) in entries {
                    m.insert(k, v);
                }
                return Ok((Value::Map(m), kids));
            }
            // The last value of a repeated key wins, at the first key's place.
            let mut out = P::Kids::default();
            for (j, (k, v)) in entries.into_iter().enumerate() {
                match m.entries().iter().position(|(e, _)| *e == k) {
                    Some(p) => out.set(p, kids.get(j)),
                    None => out.push(kids.get(j)),
                }
                m.insert(k, v);
            }
            return Ok((Value::Map(m), out));
        }
        check_duplicates(&entries, &meta).map_err(|(line, key, first)| YamlError {
            line: Some(line),
            column: None,
            message: format!("mapping key {key:?} already defined at line {first}"),
        })?;
        Ok((Value::Map(Map::from_unique_entries(entries)), kids))
    }

    fn apply_merges(
        &mut self,
        entries: &mut Vec<(String, Value)>,
        meta: &mut Vec<KeyMeta>,
        kids: &mut P::Kids,
        span: &Span,
    ) -> Result<(), YamlError> {
        let mut merge_idx = None;
        for (i, m) in meta.iter().enumerate() {
            if m.merge {
                if merge_idx.is_some() {
                    return Err(YamlError {
                        line: Some(m.line),
                        column: None,
                        message: "duplicate merge key".into(),
                    });
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
                let n = kids.get(i);
                let v = if clear_idx == Some(i) {
                    meta.remove(i);
                    kids.remove(i);
                    entries.remove(i).1
                } else {
                    let v = entries[i].1.clone();
                    self.charge(value_weight(&v), span)?;
                    v
                };
                Some((v, n, m))
            }
        };
        if let Some(c) = clear_idx
            && clear_idx != merge_idx
        {
            entries.remove(c);
            meta.remove(c);
            kids.remove(c);
        }
        let Some((value, node, m)) = merge_value else {
            return Ok(());
        };
        let bad = |msg: &str| YamlError {
            line: Some(m.line),
            column: None,
            message: msg.to_string(),
        };
        const NOT_MAPS: &str = "map merge requires map or sequence of maps as the value";
        const ALIAS_NOT_MAP: &str = "invalid map merge: received alias for a non-map value";
        let mut sources: Vec<(Map, P::Kids)> = match value {
            Value::Map(map) => vec![(map, P::children(&node))],
            Value::Seq(_) if m.value_from_alias => return Err(bad(ALIAS_NOT_MAP)),
            Value::Seq(items) => {
                let mut v = Vec::with_capacity(items.len());
                let item_nodes = P::children(&node);
                for (j, item) in items.into_iter().enumerate() {
                    match item {
                        Value::Map(map) => v.push((map, P::children(&item_nodes.get(j)))),
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
        let use_index = own + sources.iter().map(|(m, _)| m.len()).sum::<usize>() > 16;
        if use_index {
            for (i, (k, _)) in entries.iter().enumerate() {
                index.entry(k.clone()).or_insert(i);
            }
        }
        for (src, src_kids) in sources {
            for (j, (k, v)) in src.into_iter().enumerate() {
                let found = if use_index {
                    index.get(&k).copied()
                } else {
                    entries.iter().position(|(e, _)| *e == k)
                };
                match found {
                    Some(i) if i < own => {}
                    Some(i) => {
                        entries[i].1 = v;
                        kids.set(i, src_kids.get(j));
                    }
                    None => {
                        if use_index {
                            index.insert(k.clone(), entries.len());
                        }
                        entries.push((k, v));
                        kids.push(src_kids.get(j));
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
pub(super) enum CoreTag {
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
pub(super) enum TagKind {
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
pub(super) enum Resolved {
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
pub(super) fn scalar_value(
    text: &str,
    plain: bool,
    kind: TagKind,
    flow: bool,
) -> Result<Value, String> {
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
    resolved_value(text, resolved)
}

/// The value of a resolved scalar after the JSON round trip.
fn resolved_value(text: &str, resolved: Resolved) -> Result<Value, String> {
    Ok(match resolved {
        Resolved::Null if text.is_empty() => Value::Null(NullForm::Empty),
        Resolved::Null => Value::NULL,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Int(i),
        Resolved::UInt(u) => Value::UInt(u),
        Resolved::Float(f) => float_value(f)?,
        Resolved::Time(t) => Value::String(t.to_rfc3339()?),
        Resolved::Str => Value::String(text.to_string()),
    })
}

/// go-yaml v2's resolution of a plain untagged scalar, as
/// `sigs.k8s.io/yaml` decodes it into Go values: YAML 1.1's booleans, and a
/// timestamp stays a string (with its text). Numbers and null resolve as in
/// yaml.v3.
fn resolve_go_yaml_v2(s: &str) -> Resolved {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Resolved::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Resolved::Bool(false),
        _ => resolve_implicit(s, false),
    }
}

/// The string `sigs.k8s.io/yaml` makes of a plain key that go-yaml v2
/// resolved to `r`.
fn go_yaml_v2_key(text: &str, r: Resolved) -> String {
    match r {
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(i) => i.to_string(),
        Resolved::UInt(u) => u.to_string(),
        Resolved::Null => "null".to_string(),
        Resolved::Float(f) => super::value::format_go_float(f),
        Resolved::Time(_) | Resolved::Str => text.to_string(),
    }
}

/// yaml.v3's resolution of a plain untagged scalar.
pub(super) fn resolve_implicit(s: &str, try_timestamp: bool) -> Resolved {
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
            if try_timestamp && let Some(t) = Timestamp::parse(s) {
                return Resolved::Time(t);
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
            if is_yaml_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
                && f.is_finite()
            {
                return Resolved::Float(f);
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
pub(super) struct Timestamp {
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
    fn to_rfc3339(self) -> Result<String, String> {
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
    if let Some(&c) = b.get(*i)
        && c.is_ascii_digit()
    {
        n = n * 10 + u32::from(c - b'0');
        *i += 1;
    }
    Some(n)
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Offsets of the line breaks in `bytes`.
fn newline_offsets(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    //! Every expected value below was observed with `kubectl kustomize`
    //! (kustomize v5.5.0) on a ConfigMap whose `data:` held the input, unless
    //! the test says otherwise.

    use super::*;

    #[test]
    fn a_flow_line_starting_with_a_wide_character_is_an_error_not_a_panic() {
        // Found by the fast-path property test: kubectl says "did not find
        // expected ',' or '}'".
        let text = "ka :\n0755: {\"\\x41\"\n\u{e9}:\n'': 1.0\n";
        assert!(parse_documents(text).is_err());
    }
    use serde_json::json;
    use std::time::{Duration, Instant};

    /// The block-wise marker search finds what `str::find` does.
    #[test]
    fn find_marker_agrees_with_str_find() {
        for len in [0usize, 3, 4, 5, 31, 32, 35, 36, 37, 64, 70, 100] {
            let base = "a: -\n- b\n--x\n".repeat(10)[..len].to_string();
            assert_eq!(find_marker(base.as_bytes()), base.find("\n---"), "{base:?}");
            for pos in 0..len.saturating_sub(3) {
                let mut t = base.clone().into_bytes();
                t[pos..pos + 4].copy_from_slice(b"\n---");
                let t = String::from_utf8(t).unwrap();
                assert_eq!(find_marker(t.as_bytes()), t.find("\n---"), "{t:?}");
                let mut u = base.clone().into_bytes();
                u[pos..pos + 4].copy_from_slice(b"\n--x");
                let u = String::from_utf8(u).unwrap();
                assert_eq!(find_marker(u.as_bytes()), u.find("\n---"), "{u:?}");
            }
        }
    }

    /// The block-wise search finds what a byte-by-byte one does, wherever
    /// the byte sits relative to the 32-byte blocks.
    #[test]
    fn first_unusual_byte_agrees_with_the_byte_search() {
        let plain = |b: &[u8]| {
            b.iter()
                .position(|&c| !matches!(c, b' '..=b'~' | b'\t' | b'\n' | b'\r'))
        };
        for len in [0usize, 1, 31, 32, 33, 64, 70, 100] {
            let base = "ab ~\t\r\n".repeat(20).into_bytes()[..len].to_vec();
            assert_eq!(first_unusual_byte(&base), plain(&base));
            for pos in 0..len {
                for bad in [0u8, 0x1f, 0x7f, 0x80, 0xc3, 0xff, b'x'] {
                    let mut t = base.clone();
                    t[pos] = bad;
                    assert_eq!(first_unusual_byte(&t), plain(&t), "{len} {pos} {bad}");
                }
            }
        }
    }

    fn docs(s: &str) -> Vec<Value> {
        parse_documents(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    /// The value of `a` in `a: <input>`.
    fn val(input: &str) -> Value {
        let d = docs(&format!("a: {input}\n"));
        d[0].get("a").cloned().expect("key a")
    }

    fn err(s: &str) -> YamlError {
        match parse_documents(s) {
            Ok(v) => panic!("{s:?} parsed as {v:?}"),
            Err(e) => e,
        }
    }

    fn s(x: &str) -> Value {
        Value::String(x.to_string())
    }

    /// go-yaml v2's rules, as `kubectl kustomize` applies them to a chart's
    /// `valuesInline` (checked through the values helm receives).
    #[test]
    fn go_yaml_v2_scalars_and_keys() {
        let text = "a: y\nb: no\nc: 2001-12-14\nd: 0o10\ne: 010\nf: 1_000\ng: 0x1F\n\
                    h: 1.0\ni: on\nj: ~\nk: \"yes\"\nl: '2001-12-14'\nn: 1\nm:\n  Y: Off\n  \
                    1: x\nflow: {a: , b: n}\n";
        let docs = parse_documents_as(text, Scalars::GoYamlV2).unwrap();
        let got = crate::yaml::emit_document(&docs[0]);
        assert_eq!(
            got,
            "a: true\nb: false\nc: \"2001-12-14\"\nd: 8\ne: 8\nf: 1000\n\"false\": 1\n\
             flow:\n  a: null\n  b: false\ng: 31\nh: 1\ni: true\nj: null\nk: \"yes\"\n\
             l: \"2001-12-14\"\nm:\n  \"1\": x\n  \"true\": false\n"
        );
        // The default rules for comparison: YAML 1.2 booleans, timestamps.
        let docs = parse_documents("a: y\nc: 2001-12-14\n").unwrap();
        assert_eq!(docs[0].get("a"), Some(&Value::String("y".into())));
        assert_eq!(
            docs[0].get("c"),
            Some(&Value::String("2001-12-14T00:00:00Z".into()))
        );
    }

    /// A block scalar ending the text with no final line break: yaml.v3
    /// does not count the missing break (kubectl on each `k: <input>`, the
    /// file ending where the input ends).
    #[test]
    fn block_scalar_at_end_without_break() {
        for (input, want) in [
            ("|\n  line1\n  line2", "line1\nline2"),
            (">\n  line1\n  line2", "line1 line2"),
            ("|+\n  line1\n  line2", "line1\nline2"),
            ("|-\n  line1\n  line2", "line1\nline2"),
            ("|\n  line1\n\n  line2\n ", "line1\n\nline2\n"),
            ("|+\n  a\n  ", "a\n"),
            ("|+\n  a\n\n  b", "a\n\nb"),
            ("|+\n  a\n\n", "a\n\n"),
            ("|\n  a\n  ", "a\n"),
            (">+\n  a\n  b", "a b"),
            ("|\n  a\n  # x", "a\n# x"),
            ("|+\n  a\n ", "a\n"),
            ("|-\n  a\n  ", "a"),
            ("|\n  a\n\n  ", "a\n"),
            (">\n  a\n\n  b", "a\nb"),
            ("|", ""),
            ("|+", ""),
            ("|+\n  a\n  # c\n# d", "a\n# c\n"),
            (">+\n\n  a", "\na"),
        ] {
            let d = docs(&format!("k: {input}"));
            assert_eq!(d[0].get("k"), Some(&s(want)), "{input:?}");
        }
    }

    /// A folded scalar with more-indented lines, or kept with several
    /// final breaks, has the value kubectl prints (yaml.v3's folded writer
    /// adds an empty line; see `folded_round_trip`); not in a kustomization
    /// file, whose values are not written out.
    #[test]
    fn folded_scalars_as_kubectl_prints_them() {
        for (input, want) in [
            (">\n  a\n    b\n  c\n", "a\n\n  b\nc\n"),
            (">+\n  x\n", "x\n\n\n"),
            (">\n  a\n\n    b\n", "a\n\n\n  b\n"),
            (">2\n    a\n  b\n", "  a\nb\n"),
            (">\n  a\n  b\n    c\n", "a b\n\n  c\n"),
            (">\n  a\n  b\n", "a b\n"),
            (">-\n  a\n    b\n", "a\n\n  b"),
            (">\n  a \n    b\n", "a \n  b\n"),
            (">\n  a\t\n    b\n", "a\t\n\n  b\n"),
            (">\n  a\n", "a\n"),
            (">\n  a\n\n    b\n  c\n\n  d\n", "a\n\n\n  b\nc\nd\n"),
        ] {
            assert_eq!(val(input), s(want), "{input:?}");
        }
        let kustomization = parse_documents_lenient("a: >\n  a\n    b\n").unwrap();
        assert_eq!(kustomization[0].get("a"), Some(&s("a\n  b\n")));
    }

    /// yaml.v3 refuses a tab where a block scalar's indentation is read
    /// (kubectl: "found a tab character where an indentation space is
    /// expected"); a tab after the indentation is content.
    #[test]
    fn tabs_in_block_scalar_indentation() {
        for input in [
            "d:\n  k: |\n    a\n\t\n    b\n",
            "d:\n  k: |\n    a\n  \t\n    b\n",
            "d:\n  k: >\n    a\n\t\n",
            "d:\n  k: |\n    a\n\t",
        ] {
            let e = err(input);
            assert!(e.message.contains("tab"), "{input:?}: {e}");
        }
        assert_eq!(
            to_json(&docs("d:\n  k: |\n    a\n    \tb\n")[0]),
            json!({"d": {"k": "a\n\tb\n"}})
        );
    }

    /// yaml.v3 reads NEL (U+0085) as a line break, `\n` in values.
    #[test]
    fn nel_is_a_line_break() {
        for (input, want) in [
            ("a: \"x\u{85}y\"\n", json!({"a": "x y"})),
            ("a: 'x\u{85}y'\n", json!({"a": "x y"})),
            ("a: x # c\u{85}b: y\n", json!({"a": "x", "b": "y"})),
            ("a: x\u{85}b: y\n", json!({"a": "x", "b": "y"})),
            ("a: >\n  x\u{85}  y\n  z\n", json!({"a": "x y z\n"})),
        ] {
            assert_eq!(to_json(&docs(input)[0]), want, "{input:?}");
        }
        for input in ["a: x\u{85}y\n", "a: |\n  x\u{85}y\n", "a: x\u{85}\u{85}y\n"] {
            err(input);
        }
    }

    /// yaml.v3 does not check the indentation of the continuation lines of
    /// quoted scalars and flow collections (saphyr does; the reader indents
    /// them and reads again); a multi-line implicit key in a flow mapping
    /// is an error for yaml.v3 (not for saphyr).
    #[test]
    fn continuation_lines_and_keys_in_flow() {
        for (input, want) in [
            ("d:\n  k: \"abc\ndef\"\n", json!({"d": {"k": "abc def"}})),
            ("d:\n  k: 'abc\ndef'\n", json!({"d": {"k": "abc def"}})),
            ("d:\n  k: \"abc\n def\"\n", json!({"d": {"k": "abc def"}})),
            ("d:\n  k: [a,\nb]\n", json!({"d": {"k": ["a", "b"]}})),
            (
                "d:\n  k: {x: a,\ny: b}\n",
                json!({"d": {"k": {"x": "a", "y": "b"}}}),
            ),
            ("d:\n  k: [\"a\nb\"]\n", json!({"d": {"k": ["a b"]}})),
            (
                "d:\n  k: [a,\nb,\nc]\n  j: 1\n",
                json!({"d": {"k": ["a", "b", "c"], "j": 1}}),
            ),
            ("d:\n  k: {x\n    y}\n", json!({"d": {"k": {"x y": ""}}})),
            (
                "d:\n  k: {? x\n    y : 1}\n",
                json!({"d": {"k": {"x y": 1}}}),
            ),
            (
                "d:\n  k: {\"x\n    y\"}\n",
                json!({"d": {"k": {"x y": ""}}}),
            ),
        ] {
            assert_eq!(to_json(&docs(input)[0]), want, "{input:?}");
        }
        for input in [
            "d:\n  k: abc\n def\n",
            "d:\n  k: abc\ndef\n",
            "d:\n  k: \"abc\n---\n\"\n",
            "d:\n  k: [x\n    y: 1]\n",
            "d:\n  k: {x\n    y : 1}\n",
            "d:\n  k: {a: 1, x\n    y: 1}\n",
            "d:\n  k: {x: 1,\n    y\n    z: 2}\n",
            "d:\n  k: {\"x\n  y\": 1}\n",
        ] {
            err(input);
        }
    }

    #[test]
    fn null_bool_and_strings() {
        // How the null was written is kept (a strategic merge keeps only
        // the word forms).
        for n in ["~", "null", "Null", "NULL", "!!null null", "!!null ~"] {
            assert!(val(n).identical(&Value::NULL), "{n}");
        }
        for n in ["", "!!null", "!!null \"\"", "!!null ''"] {
            assert!(val(n).identical(&Value::Null(NullForm::Empty)), "{n}");
        }
        assert!(
            docs("- \n- a")
                .remove(0)
                .identical(&Value::Seq(vec![Value::Null(NullForm::Empty), s("a")]))
        );
        for (i, b) in [
            ("true", true),
            ("True", true),
            ("TRUE", true),
            ("false", false),
            ("False", false),
            ("FALSE", false),
        ] {
            assert_eq!(val(i), Value::Bool(b), "{i}");
        }
        // YAML 1.1 booleans and odd spellings stay strings in yaml.v3.
        for i in [
            "yes", "no", "on", "off", "y", "n", "Y", "N", "tRUE", "nULL", "<<",
        ] {
            assert_eq!(val(i), s(i), "{i}");
        }
        assert_eq!(val("\"123\""), s("123"));
        assert_eq!(val("'true'"), s("true"));
        assert_eq!(val("\"\""), s(""));
        assert_eq!(val("''"), s(""));
        assert_eq!(val("'it''s'"), s("it's"));
        assert_eq!(val(r#""a\x41\u00e9""#), s("aAé"));
        assert_eq!(val("plain\n  multi line"), s("plain multi line"));
    }

    #[test]
    fn integers() {
        let cases: &[(&str, Value)] = &[
            ("0", Value::Int(0)),
            ("00", Value::Int(0)),
            ("01", Value::Int(1)),
            ("08", Value::Int(8)),
            ("0755", Value::Int(493)),
            ("017", Value::Int(15)),
            ("0o17", Value::Int(15)),
            ("0O17", Value::Int(15)),
            ("-0o17", Value::Int(-15)),
            ("0x1F", Value::Int(31)),
            ("0X1f", Value::Int(31)),
            ("-0x1F", Value::Int(-31)),
            ("+0x1F", Value::Int(31)),
            ("0x_1F", Value::Int(31)),
            ("0x1_F", Value::Int(31)),
            ("0b101", Value::Int(5)),
            ("0B11", Value::Int(3)),
            ("-0b101", Value::Int(-5)),
            ("1_000", Value::Int(1000)),
            ("1__0", Value::Int(10)),
            ("1_", Value::Int(1)),
            ("0_1", Value::Int(1)),
            ("+1", Value::Int(1)),
            ("-1", Value::Int(-1)),
            ("-0", Value::Int(0)),
            ("9223372036854775807", Value::Int(i64::MAX)),
            ("-9223372036854775808", Value::Int(i64::MIN)),
            ("9223372036854775808", Value::UInt(9223372036854775808)),
            ("12345678901234567890", Value::UInt(12345678901234567890)),
            ("18446744073709551615", Value::UInt(u64::MAX)),
            ("0xFFFFFFFFFFFFFFFF", Value::UInt(u64::MAX)),
            ("0x8000000000000000", Value::UInt(1 << 63)),
        ];
        for (i, want) in cases {
            assert_eq!(&val(i), want, "{i}");
        }
        // Not numbers at all.
        for i in [
            "0o8", "0xg", "0b2", "0x", "0o", "0b", "_1", "1,000", "1:20", "1-2", "+-1",
        ] {
            assert_eq!(val(i), s(i), "{i}");
        }
        // Too big for u64: hex stays a string, decimal becomes a float.
        assert_eq!(val("0x1FFFFFFFFFFFFFFFF"), s("0x1FFFFFFFFFFFFFFFF"));
        assert_eq!(
            val("18446744073709551616"),
            Value::Float(1.8446744073709552e19)
        );
        assert_eq!(
            val("123456789012345678901234567890"),
            Value::Float(1.2345678901234568e29)
        );
        assert_eq!(
            val("-9223372036854775809"),
            Value::Float(-9.223372036854776e18)
        );
        // ParseUint takes no sign, so "+2^63" is read as a float and printed
        // by JSON as 9223372036854775808 → 9223372036854776000 (uint).
        assert_eq!(
            val("+9223372036854775808"),
            Value::UInt(9223372036854776000)
        );
    }

    #[test]
    fn floats_after_the_json_round_trip() {
        let cases: &[(&str, Value)] = &[
            ("1.0", Value::Int(1)),
            ("3.0", Value::Int(3)),
            ("7.", Value::Int(7)),
            ("-0.0", Value::Int(0)),
            ("1e3", Value::Int(1000)),
            ("1E3", Value::Int(1000)),
            ("1e+3", Value::Int(1000)),
            ("12.0e2", Value::Int(1200)),
            ("0.1e1", Value::Int(1)),
            ("100.0e-2", Value::Int(1)),
            ("1e1_0", Value::Int(10000000000)),
            ("1.0e15", Value::Int(1000000000000000)),
            ("4e18", Value::Int(4000000000000000000)),
            ("-4e18", Value::Int(-4000000000000000000)),
            ("9.3e17", Value::Int(930000000000000000)),
            ("9.3e18", Value::UInt(9300000000000000000)),
            ("9.223372036854775807e18", Value::UInt(9223372036854776000)),
            ("9007199254740993.0", Value::Int(9007199254740992)),
            ("1.5", Value::Float(1.5)),
            ("0.1", Value::Float(0.1)),
            (".5", Value::Float(0.5)),
            ("+.5", Value::Float(0.5)),
            ("-.5e3", Value::Int(-500)),
            (".5e3", Value::Int(500)),
            (".5_0", Value::Float(0.5)),
            ("1_0.5", Value::Float(10.5)),
            ("1__0.5", Value::Float(10.5)),
            ("1.5_", Value::Float(1.5)),
            ("1_000.5", Value::Float(1000.5)),
            ("1234567.5", Value::Float(1234567.5)),
            ("1e-7", Value::Float(1e-7)),
            ("0.000001", Value::Float(1e-6)),
            ("-9.3e18", Value::Float(-9.3e18)),
            ("1e20", Value::Float(1e20)),
            ("1e21", Value::Float(1e21)),
            ("1.5e300", Value::Float(1.5e300)),
            ("123456789012345678901", Value::Float(1.2345678901234568e20)),
            (
                "1.8446744073709551615e19",
                Value::Float(1.8446744073709552e19),
            ),
            ("1e-400", Value::Int(0)),
        ];
        for (i, want) in cases {
            assert_eq!(&val(i), want, "{i}");
        }
        // Out of range or not Go float syntax: strings.
        for i in [
            "1e400", ".5e400", ".5__0", "._5", ".", ".e3", "1e", "1e+", "e3", "+.", "inf", "nan",
            "infinity", "0x1p3", ".inf-x",
        ] {
            assert_eq!(val(i), s(i), "{i}");
        }
    }

    #[test]
    fn infinity_and_nan_are_errors() {
        for (i, m) in [
            (".inf", "+Inf"),
            (".Inf", "+Inf"),
            ("+.INF", "+Inf"),
            ("-.Inf", "-Inf"),
            (".NaN", "NaN"),
            ("!!float .inf", "+Inf"),
        ] {
            let e = err(&format!("a: {i}\n"));
            assert_eq!(e.message, format!("json: unsupported value: {m}"), "{i}");
            assert_eq!(e.line, Some(1));
        }
    }

    #[test]
    fn timestamps() {
        let cases = [
            ("2001-12-14", "2001-12-14T00:00:00Z"),
            ("2001-1-4", "2001-01-04T00:00:00Z"),
            ("2000-02-29", "2000-02-29T00:00:00Z"),
            ("0000-01-01", "0000-01-01T00:00:00Z"),
            ("2001-12-14T21:59:43Z", "2001-12-14T21:59:43Z"),
            (
                "2001-12-14t21:59:43.10-05:00",
                "2001-12-14T21:59:43.1-05:00",
            ),
            ("2001-12-14 21:59:43", "2001-12-14T21:59:43Z"),
            ("2001-12-14  21:59:43", "2001-12-14T21:59:43Z"),
            ("2001-12-14 21:59:43.5", "2001-12-14T21:59:43.5Z"),
            ("2001-12-14 1:2:3.000", "2001-12-14T01:02:03Z"),
            (
                "2001-12-14T21:59:43.123456789123+01:00",
                "2001-12-14T21:59:43.123456789+01:00",
            ),
            ("2001-12-14T21:59:43+00:00", "2001-12-14T21:59:43Z"),
            ("2001-12-14T21:59:43-00:00", "2001-12-14T21:59:43Z"),
            ("2001-12-14T23:59:59,5Z", "2001-12-14T23:59:59.5Z"),
            ("2001-12-14T23:59:59+01:60", "2001-12-14T23:59:59+02:00"),
        ];
        for (i, want) in cases {
            assert_eq!(val(i), s(want), "{i}");
        }
        // Not timestamps: kept as strings.
        for i in [
            "2001-12-14T21:59:43",
            "2001-02-30",
            "2001-13-01",
            "2001-12-00",
            "2001-12-14T24:00:00Z",
            "2001-12-14T23:60:00Z",
            "2001-12-14T23:59:60Z",
            "2001-12-14T23:59:59z",
            "2001-12-14T23:59:59+25:00",
            "2001-12-14T23:59:59+01:61",
            "2001-12-14T23:59:59+0100",
            "2001-12-14T23:59:59.Z",
            "2001-12-014",
            "12001-12-14",
            "2001-12-14 21:59:43.10 -5",
        ] {
            assert_eq!(val(i), s(i), "{i}");
        }
        // Parsed, but Go's JSON encoder refuses the offset.
        let e = err("a: 2001-12-14T23:59:59+24:00\n");
        assert!(e.message.contains("timezone hour outside of range [0,23]"));
    }

    #[test]
    fn tags() {
        let cases: &[(&str, Value)] = &[
            ("!!str 123", s("123")),
            ("!!str true", s("true")),
            ("!!str ~", s("~")),
            ("!!str", s("")),
            ("!!str 2001-12-14", s("2001-12-14")),
            ("!<tag:yaml.org,2002:str> 12", s("12")),
            ("!!int \"3\"", Value::Int(3)),
            ("!!int 0x10", Value::Int(16)),
            ("!!int \"0755\"", Value::Int(493)),
            ("!!int \"-0x1F\"", Value::Int(-31)),
            ("!!int 1_000", Value::Int(1000)),
            ("!!float \"3\"", Value::Int(3)),
            ("!!float 1", Value::Int(1)),
            ("!!float 0x10", Value::Int(16)),
            ("!!float \"1.5\"", Value::Float(1.5)),
            ("!!float .5", Value::Float(0.5)),
            (
                "!!float 9223372036854775807",
                Value::UInt(9223372036854776000),
            ),
            ("!!bool \"true\"", Value::Bool(true)),
            ("!!bool \"True\"", Value::Bool(true)),
            ("!!null \"\"", Value::NULL),
            ("!!null ~", Value::NULL),
            ("!!timestamp 2001-12-14", s("2001-12-14T00:00:00Z")),
            ("!!timestamp \"2001-12-14\"", s("2001-12-14T00:00:00Z")),
            (
                "!!timestamp 2001-12-14 21:59:43.10",
                s("2001-12-14T21:59:43.1Z"),
            ),
            ("!mytag foo", s("foo")),
            ("!mytag 123", s("123")),
            ("!mytag true", s("true")),
            ("!mytag ~", s("~")),
            ("!!merge x", s("x")),
            ("! 123", Value::Int(123)),
            ("! \"123\"", s("123")),
            ("!!str {a: 1}", Value::from(json!({"a": 1}))),
            ("!foo {a: 1}", Value::from(json!({"a": 1}))),
            ("!!int [1]", Value::from(json!([1]))),
        ];
        for (i, want) in cases {
            assert_eq!(&val(i), want, "{i}");
        }
        let errors = [
            ("!!int \"abc\"", "cannot decode !!str `abc` as a !!int"),
            ("!!int 1.5", "cannot decode !!float `1.5` as a !!int"),
            ("!!float \"abc\"", "cannot decode !!str `abc` as a !!float"),
            (
                "!!float 2001-12-14",
                "cannot decode !!str `2001-12-14` as a !!float",
            ),
            (
                "!!float 18446744073709551615",
                "cannot decode !!int `18446744073709551615` as a !!float",
            ),
            (
                "!!int 2001-12-14",
                "cannot decode !!str `2001-12-14` as a !!int",
            ),
            ("!!bool \"yes\"", "cannot decode !!str `yes` as a !!bool"),
            ("!!null \"x\"", "cannot decode !!str `x` as a !!null"),
            (
                "!!timestamp \"abc\"",
                "cannot decode !!str `abc` as a !!timestamp",
            ),
        ];
        for (i, m) in errors {
            assert_eq!(err(&format!("a: {i}\n")).message, m, "{i}");
        }
    }

    #[test]
    fn binary() {
        assert_eq!(val("!!binary aGVsbG8="), s("hello"));
        assert_eq!(val("!!binary |\n  aGVs\n  bG8=\n"), s("hello"));
        assert_eq!(val("!!binary \"\""), s(""));
        // Invalid UTF-8 bytes each become U+FFFD, as Go's JSON encoder does.
        assert_eq!(val("!!binary /w=="), s("\u{FFFD}"));
        assert_eq!(val("!!binary 8J+Y"), s("\u{FFFD}\u{FFFD}\u{FFFD}"));
        assert_eq!(val("!!binary 7aCA"), s("\u{FFFD}\u{FFFD}\u{FFFD}"));
        for i in ["aGVsbG8", "\"aGVs bG8=\"", "\"!!!\"", "x"] {
            assert_eq!(
                err(&format!("a: !!binary {i}\n")).message,
                "!!binary value contains invalid base64 data",
                "{i}"
            );
        }
    }

    #[test]
    fn block_and_flow_styles() {
        assert_eq!(val("|-\n  l1\n  l2\n"), s("l1\nl2"));
        assert_eq!(val("|\n  x\n"), s("x\n"));
        assert_eq!(val(">-\n  y\n  z\n"), s("y z"));
        assert_eq!(
            val(">\n  folded\n  text\n\n  para\n"),
            s("folded text\npara\n")
        );
        assert_eq!(val("\"dq\n  multi\""), s("dq multi"));
        // An empty plain scalar is null in block context but "" inside a
        // flow collection (kustomize re-encodes it as '').
        assert_eq!(
            val("{x: , y: ~, z: !!null , w: !foo , v: \"\"}"),
            Value::from(json!({"x": "", "y": null, "z": null, "w": "", "v": ""}))
        );
        assert_eq!(val("{x}"), Value::from(json!({"x": ""})));
        assert_eq!(val("{? x}"), Value::from(json!({"x": ""})));
        assert_eq!(val("[x: ]"), Value::from(json!([{"x": ""}])));
        assert_eq!(val("[x: 1]"), Value::from(json!([{"x": 1}])));
        assert_eq!(val("\n  ? x\n"), Value::from(json!({"x": null})));
        assert_eq!(val("\n  x:\n"), Value::from(json!({"x": null})));
        assert_eq!(val("[1, '2', a]"), Value::from(json!([1, "2", "a"])));
    }

    #[test]
    fn anchors_and_aliases() {
        let d =
            docs("a: &x {p: 1, q: [1, 2]}\nb: [*x, *x]\nc: &s 5\nd: *s\ne: !!str &t 5\nf: *t\n");
        assert_eq!(
            d[0],
            Value::from(json!({
                "a": {"p": 1, "q": [1, 2]},
                "b": [{"p": 1, "q": [1, 2]}, {"p": 1, "q": [1, 2]}],
                "c": 5, "d": 5, "e": "5", "f": "5"
            }))
        );
        // kubectl overflows its stack on this one; we refuse it.
        let e = err("a: &a [*a]\n");
        assert!(e.message.contains("not complete"), "{}", e.message);
        let e = err("a: *nope\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("unknown anchor"), "{}", e.message);
        // Anchors do not cross documents.
        assert!(parse_documents("a: &x 1\n---\nb: *x\n").is_err());
    }

    #[test]
    fn merge_keys() {
        let src = "\
base: &base {a: \"1\", b: \"2\"}
other: &other {b: \"3\", c: \"4\"}
m1: {z: 0, <<: *base, a: override}
m2:
  a: first
  <<: *base
m3: {<<: [*base, *other]}
m4: {<<: [*other, *base]}
m6: {<<: {q: 1}, r: 2}
d: {<<: {x: {p: 1}}, x: {q: 2}}
e: {<<: [{x: 1}, {x: 2, y: 3}]}
f: {\"<<\": {x: 1}}
r: {<<: {<<: {deep: 1}}}
s: {!!merge x: {a: 1}}
";
        let d = docs(src);
        let want = json!({
            "m1": {"z": 0, "a": "override", "b": "2"},
            "m2": {"a": "first", "b": "2"},
            "m3": {"a": "1", "b": "2", "c": "4"},
            "m4": {"a": "1", "b": "3", "c": "4"},
            "m6": {"r": 2, "q": 1},
            "d": {"x": {"q": 2}},
            "e": {"x": 1, "y": 3},
            "f": {},
            "r": {"deep": 1},
            "s": {"x": {"a": 1}, "a": 1},
        });
        for (k, v) in want.as_object().unwrap() {
            let got = d[0].get(k).unwrap();
            // Key order is not observable (the emitter sorts), so compare
            // as JSON objects.
            assert_eq!(to_json(got), *v, "{k}");
        }
        let errors = [
            (
                "{<<: 1}",
                "map merge requires map or sequence of maps as the value",
            ),
            (
                "{<<: ~}",
                "map merge requires map or sequence of maps as the value",
            ),
            (
                "{<<: [1]}",
                "map merge requires map or sequence of maps as the value",
            ),
            (
                "{<<: [{x: 1}, ~]}",
                "map merge requires map or sequence of maps as the value",
            ),
            (
                "{<<: [[a]]}",
                "invalid map merge: received a nested sequence",
            ),
            ("{<<: {x: 1}, <<: {y: 2}}", "duplicate merge key"),
            ("{x: 0, <<: {x: 1}, <<: {x: 2}}", "duplicate merge key"),
        ];
        for (i, m) in errors {
            assert_eq!(err(&format!("a: {i}\n")).message, m, "{i}");
        }
        // Not observed with kubectl's wording: an alias to a sequence.
        let e = err("l: &l [{a: 1}]\nm: {<<: *l}\n");
        assert_eq!(
            e.message,
            "invalid map merge: received alias for a non-map value"
        );
    }

    fn to_json(v: &Value) -> serde_json::Value {
        match v {
            Value::Null(_) => serde_json::Value::Null,
            Value::Bool(b) => json!(b),
            Value::Int(i) => json!(i),
            Value::UInt(u) => json!(u),
            Value::Float(f) => json!(f),
            Value::String(s) => json!(s),
            Value::Seq(s) => serde_json::Value::Array(s.iter().map(to_json).collect()),
            Value::Map(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
            }
        }
    }

    #[test]
    fn keys() {
        // Top-level non-string keys are taken as their text.
        let d = docs("1: x\n2: y\ntrue: z\n1.5: w\n2001-12-14: v\n");
        let keys: Vec<&str> = d[0].as_map().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["1", "2", "true", "1.5", "2001-12-14"]);
        // Nested ones are an error (json: unsupported type).
        for i in [
            "{1: x}",
            "{true: x}",
            "{1.5: x}",
            "{2001-12-14: x}",
            "{!foo k: x}",
        ] {
            let e = err(&format!("data: {i}\n"));
            assert!(e.message.contains("unsupported type"), "{i}: {}", e.message);
        }
        // Quoted or !!str keys are strings anywhere.
        assert_eq!(
            docs("data: {\"1\": x, !!str 2: y, \"\": z}\n")[0],
            Value::from(json!({"data": {"1": "x", "2": "y", "": "z"}}))
        );
        // Null keys are refused at any level.
        for i in ["~: x\n", "null: x\n", "data:\n  ~: x\n"] {
            assert!(err(i).message.contains("null keys"), "{i}");
        }
        let e = err("data:\n  ? [a]\n  : b\n");
        assert!(e.message.contains("invalid map key"), "{}", e.message);
        // An alias as a key.
        assert_eq!(
            docs("a: &k key\nb: {*k : v}\n")[0],
            Value::from(json!({"a": "key", "b": {"key": "v"}}))
        );
    }

    #[test]
    fn lenient_parsing_lets_the_last_duplicate_win() {
        let docs = parse_documents_lenient("a: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(docs[0].get("a"), Some(&Value::Int(3)));
        assert_eq!(docs[0].as_map().unwrap().len(), 2);
    }

    #[test]
    fn raw_line_separators_fold_like_yaml_v3() {
        // kubectl kustomize reads these as the values asserted here (its
        // output writes them back as 'q\u{2028}    r' and so on).
        let v = parse_single(
            "a: 'q \u{2028}   r'\nb: \"s\u{2029}  t\"\nc: \"u\\L  v\"\nd: 'w\u{2028}\u{2028} x'\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(v.get("a"), Some(&Value::from("q\u{2028}r")));
        assert_eq!(v.get("b"), Some(&Value::from("s\u{2029}t")));
        // An escape is not a raw break: nothing is folded.
        assert_eq!(v.get("c"), Some(&Value::from("u\u{2028}  v")));
        assert_eq!(v.get("d"), Some(&Value::from("w\u{2028}\u{2028}x")));
    }

    #[test]
    fn raw_line_separators_outside_quotes_are_line_breaks() {
        // Each input (without the ConfigMap's other fields, and with no final
        // newline, as given) and the values kubectl kustomize printed for it.
        let cases = [
            // Literal: the LS is a break kept in the value, the next line's
            // indentation is consumed.
            (
                "data:\n  a: |\n    x\u{2028}    y\n    z\n  b: c",
                json!({"data": {"a": "x\u{2028}y\nz\n", "b": "c"}}),
            ),
            // A less indented line after the LS ends the block; chomping
            // takes the LS as the final break.
            (
                "data:\n  a: |\n    x\u{2028}  b: c",
                json!({"data": {"a": "x\u{2028}", "b": "c"}}),
            ),
            (
                "data:\n  a: |-\n    x\u{2028}  b: c",
                json!({"data": {"a": "x", "b": "c"}}),
            ),
            (
                "data:\n  a: |+\n    x\u{2028}\u{2028}\n  b: c",
                json!({"data": {"a": "x\u{2028}\u{2028}\n", "b": "c"}}),
            ),
            // An LS on an otherwise empty (less indented) line.
            (
                "data:\n  a: |\n    x\n  \u{2028}    y",
                json!({"data": {"a": "x\n\u{2028}y"}}),
            ),
            // A block scalar ending the text with an LS and nothing else.
            (
                "data:\n  a: \"x\u{2028}  y\"\u{2028}  b: |+\n\u{2028}\u{2028}    z\n\n\n  c: >+\n    \u{2028}",
                json!({"data": {"a": "x\u{2028}y", "b": "\u{2028}\u{2028}z\n\n\n", "c": "\u{2028}"}}),
            ),
            // Folded: an LS break is kept, not folded into a space.
            (
                "data:\n  a: >\n    x\u{2028}    y\n    z\n    w\n\n    v\u{2028}\n    u\n  b: c",
                json!({"data": {"a": "x\u{2028}y z w\nv\u{2028}\nu\n", "b": "c"}}),
            ),
            // Header breaks, header comments, indentation indicators,
            // properties, complex keys.
            (
                "data:\n  a: |\u{2029}    x\n    y\u{2029}  b: c",
                json!({"data": {"a": "x\ny\u{2029}", "b": "c"}}),
            ),
            (
                "data:\n  a: | # c\u{2028}    x\n  b: >- \u{2028}\u{2028}    y",
                json!({"data": {"a": "x\n", "b": "\u{2028}y"}}),
            ),
            (
                "data:\n  a: |\n    x\nl:\n- |2\n   x\u{2028}   y\n- >1-\n  a\n\n  b\u{2028}",
                json!({"data": {"a": "x\n"}, "l": [" x\u{2028} y\n", " a\n\n b"]}),
            ),
            (
                "data:\n  a: ! |\n    x\u{2028}  b: !!str >\n    y\u{2028}",
                json!({"data": {"a": "x\u{2028}", "b": "y\u{2028}"}}),
            ),
            (
                "data:\n  a: &x |\n    p\u{2028}    q\n  b: *x",
                json!({"data": {"a": "p\u{2028}q\n", "b": "p\u{2028}q\n"}}),
            ),
            (
                "data:\n  ? |\n    k\u{2028}    x\n  : v",
                json!({"data": {"k\u{2028}x\n": "v"}}),
            ),
            (
                "data:\n  l:\n  - |\n    x\u{2028}  - y",
                json!({"data": {"l": ["x\u{2028}", "y"]}}),
            ),
            // Plain scalars: the LS break is kept with the breaks after it,
            // or ends the scalar.
            (
                "data:\n  a: x \u{2028}   y\n    z\n  b: c",
                json!({"data": {"a": "x\u{2028}y z", "b": "c"}}),
            ),
            (
                "data:\n  b: [a\u{2028}  b, c\u{2028} d \u{2028}\u{2028} e]",
                json!({"data": {"b": ["a\u{2028}b", "c\u{2028}d\u{2028}\u{2028}e"]}}),
            ),
            (
                "data:\n  a: x\u{2028}  b: c",
                json!({"data": {"a": "x", "b": "c"}}),
            ),
            (
                "data:\n  a: x\u{2028}  #c\n  b: c",
                json!({"data": {"a": "x", "b": "c"}}),
            ),
            ("data:\n  a\u{2028}b: c", json!({"data": "a", "b": "c"})),
            // Between tokens and in comments.
            ("data:\u{2028}  a: b", json!({"data": {"a": "b"}})),
            (
                "data: # hi\u{2028}  b: c\n  d: e",
                json!({"data": {"b": "c", "d": "e"}}),
            ),
            (
                "data:\n  a: |\n    x\n  b: y\n  \u{2028}c: z",
                json!({"data": {"a": "x\n", "b": "y"}, "c": "z"}),
            ),
            // A document marker after an LS ends the document.
            (
                "data:\n  a: b\u{2028}---\u{2028}x: y",
                json!({"data": {"a": "b"}}),
            ),
            // Quoted scalars keep their own folding, wherever they turn out
            // to be once earlier separators are read as breaks.
            (
                "data:\n  # c\u{2028}  b: 'x\u{2028}y'\n  c: d",
                json!({"data": {"b": "x\u{2028}y", "c": "d"}}),
            ),
            (
                "data:\n  a: 'x\u{2028}y'\u{2028}  b: c",
                json!({"data": {"a": "x\u{2028}y", "b": "c"}}),
            ),
            (
                "data:\n  a: |\n    'x\u{2028}  b: 'p\u{2028}q'",
                json!({"data": {"a": "'x\u{2028}", "b": "p\u{2028}q"}}),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(to_json(&docs(input)[0]), want, "{input:?}");
        }
    }

    #[test]
    fn line_separators_count_as_lines_in_errors() {
        // kubectl: "yaml: line 7: found a tab character that violates
        // indentation" (the ConfigMap had 4 more lines before `data:`).
        let e = err("data:\n  a: b\u{2028}  c: d\u{2028}\tx: y\n");
        assert_eq!(e.line, Some(3));
        // Without separators the parse takes the usual path.
        assert!(!has_line_separator("a: b\n"));
        assert!(has_line_separator("a: \u{2029}"));
    }

    #[test]
    fn go_scalar_folding() {
        // yaml.v3's rules, as in the kubectl-checked cases above.
        assert_eq!(go_plain_value("a \u{2028}  b\n\n c\n d"), "a\u{2028}b\nc d");
        assert_eq!(go_plain_value("a\r\n b"), "a b");
        assert_eq!(go_block_value("  x\n  y\n", 2, false, 0), "x y\n");
        assert_eq!(go_block_value("  x\n  y\n\n", 2, true, 1), "x\ny\n\n");
        assert_eq!(go_block_value("  x\u{2028}\n", 2, true, -1), "x");
        assert_eq!(
            go_block_value("\n \u{2028}\n", usize::MAX, true, 1),
            "\n\u{2028}\n"
        );
        assert_eq!(go_block_value("\n \u{2028}\n", usize::MAX, true, 0), "");
        // No final break: none is added.
        assert_eq!(go_block_value("  x", 2, true, 0), "x");
    }

    #[test]
    fn control_characters_are_refused_anywhere() {
        // kubectl: "yaml: control characters are not allowed" for each.
        for (text, line) in [
            ("a: b\n# c \u{1}\n", 2),
            ("a: \"b\u{7f}\"\n", 1),
            ("a: b\nc: \"\u{80}\"\n", 2),
            ("a: \"x\u{0}y\"\n", 1),
            ("a: \u{fffe}\n", 1),
        ] {
            let e = parse_documents(text).unwrap_err();
            assert!(e.message.contains("control characters"), "{}", e.message);
            assert_eq!(e.line, Some(line), "{text:?}");
        }
        // Tab, CR, NEL, NBSP and BOM are fine (kubectl accepts them).
        assert!(parse_documents("\u{feff}a:\t\"b\u{85}\u{a0}\"\r\n").is_ok());
    }

    #[test]
    fn duplicate_keys() {
        let e = err(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: 1\n  b: 2\n  a: 3\n",
        );
        assert_eq!(e.message, "mapping key \"a\" already defined at line 6");
        assert_eq!(e.line, Some(8));
        // The text decides, not the style.
        let e = err("data:\n  \"a\": 1\n  a: 2\n");
        assert_eq!(e.message, "mapping key \"a\" already defined at line 2");
        assert_eq!(e.line, Some(3));
        let e = err("a: 1\na: 2\n");
        assert_eq!(
            (e.line, e.message.as_str()),
            (Some(2), "mapping key \"a\" already defined at line 1")
        );
        // Large mappings use a hash set; the duplicate is still found.
        let mut big = String::new();
        for i in 0..5000 {
            big.push_str(&format!("k{i}: {i}\n"));
        }
        big.push_str("k1234: again\n");
        let e = err(&big);
        assert_eq!(
            e.message,
            "mapping key \"k1234\" already defined at line 1235"
        );
        assert_eq!(e.line, Some(5001));
    }

    #[test]
    fn documents() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
        // Comment-only, null and `...`-only pieces are dropped.
        let d = docs(&format!("---\n# c\n---\n{cm}---\n~\n---\nnull\n---\n"));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].get_path(&["metadata", "name"]), Some(&s("x")));
        // kyaml reads only the first document of a piece: after `...` the
        // rest is ignored.
        let d = docs(&format!("{cm}data: {{a: 1}}\n...\nb: 2\n"));
        assert_eq!(d.len(), 1);
        assert!(d[0].get("b").is_none());
        // Separator lines may carry a comment, nothing else.
        assert_eq!(docs(&format!("{cm}--- # c\n{cm}")).len(), 2);
        let e = err(&format!("{cm}--- foo\na: 1\n"));
        assert_eq!(e.message, "invalid document separator: --- foo");
        assert_eq!(e.line, Some(5));
        // `{}` and `[]` documents are returned (kustomize's factory drops them).
        assert_eq!(docs("{}\n---\n[]\n").len(), 2);
        // A leading `---`, a trailing one, and no final newline.
        assert_eq!(docs(&format!("---\n{cm}---")).len(), 1);
        assert_eq!(docs("a: 1").len(), 1);
        assert!(docs("").is_empty());
        assert!(docs("# only a comment\n").is_empty());
    }

    #[test]
    fn bom_and_crlf() {
        let d = docs("\u{FEFF}apiVersion: v1\nkind: ConfigMap\n");
        assert_eq!(d[0].get("apiVersion"), Some(&s("v1")));
        let d = docs("a: 1\r\nb: |\r\n  x\r\n  y\r\n---\r\nc: 2\r\n");
        assert_eq!(d.len(), 2);
        assert_eq!(d[0], Value::from(json!({"a": 1, "b": "x\ny\n"})));
        assert_eq!(d[1], Value::from(json!({"c": 2})));
    }

    #[test]
    fn syntax_errors_have_lines() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
        // kubectl: "yaml: line 6: found character that cannot start any token".
        let e = err(&format!("{cm}data:\n\ta: 1\n"));
        assert_eq!(e.line, Some(6));
        // kubectl: "yaml: line 6: block sequence entries are not allowed in this context".
        let e = err(&format!("{cm}data:\n  u: -\n"));
        assert_eq!(e.line, Some(6));
        assert!(e.message.contains("block sequence entries are not allowed"));
        // Lines count from the start of the file, not of the document.
        let e = err(&format!("{cm}---\n{cm}data: [1, 2\n"));
        assert!(e.line.unwrap() >= 10, "{e:?}");
        assert!(err("a: \"x\n").line.is_some());
    }

    #[test]
    fn billion_laughs_fails_fast() {
        let mut src = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let (prev, cur) = (w[0], w[1]);
            src.push_str(&format!(
                "{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
        }
        let t = Instant::now();
        let e = err(&src);
        assert!(e.message.contains("alias"), "{}", e.message);
        assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
        // Moderate alias use is fine.
        let d = docs("x: &x {a: 1}\ny: [*x, *x, *x]\n");
        assert_eq!(d[0].get("y").unwrap().as_seq().unwrap().len(), 3);
    }

    #[test]
    fn deep_nesting_fails_cleanly() {
        let t = Instant::now();
        assert!(parse_documents(&"[".repeat(100_000)).is_err());
        assert!(parse_documents(&"{a: ".repeat(100_000)).is_err());
        assert!(parse_documents(&"- ".repeat(100_000)).is_err());
        let mut block = String::new();
        for i in 0..(MAX_DEPTH + 10) {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        let e = err(&block);
        assert!(e.message.contains("max depth"), "{}", e.message);
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
        // Just under the limit works.
        let ok = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(docs(&ok).len(), 1);
    }

    #[test]
    fn large_flat_mapping_is_linear() {
        let mut src = String::from("data:\n");
        for i in 0..200_000 {
            src.push_str(&format!("  key{i}: value{i}\n"));
        }
        let t = Instant::now();
        let d = docs(&src);
        assert_eq!(d[0].get("data").unwrap().as_map().unwrap().len(), 200_000);
        assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    }

    #[test]
    fn many_line_separators_stay_linear() {
        let mut src = String::from("data:\n");
        for i in 0..20_000 {
            src.push_str(&format!(
                "  k{i}: |\n    \u{e9}{i}\u{2028}    b\n  q{i}: 'x\u{2028}    y'\n  p{i}: a\u{2028}  r{i}: c\n"
            ));
        }
        let t = Instant::now();
        let d = docs(&src);
        let data = d[0].get("data").unwrap();
        assert_eq!(data.as_map().unwrap().len(), 80_000);
        assert_eq!(data.get("k7"), Some(&s("\u{e9}7\u{2028}b\n")));
        assert_eq!(data.get("q7"), Some(&s("x\u{2028}y")));
        assert_eq!(data.get("p7"), Some(&s("a")));
        assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    }

    #[test]
    fn non_ascii_flow_detection() {
        // Character and byte offsets differ; flow context is still found.
        assert_eq!(
            docs("é: ü\nb: {x: }\nc: [ß: ]\n")[0],
            Value::from(json!({"é": "ü", "b": {"x": ""}, "c": [{"ß": ""}]}))
        );
    }

    #[test]
    fn float_value_rules() {
        assert_eq!(float_value(1.0), Ok(Value::Int(1)));
        assert_eq!(float_value(-0.0), Ok(Value::Int(0)));
        assert_eq!(float_value(1e20), Ok(Value::Float(1e20)));
        assert_eq!(
            float_value(2f64.powi(63)),
            Ok(Value::UInt(9223372036854776000))
        );
        assert_eq!(
            float_value(-(2f64.powi(63))),
            Ok(Value::Float(-(2f64.powi(63))))
        );
        assert_eq!(float_value(0.5), Ok(Value::Float(0.5)));
        assert_eq!(float_value(1e-7), Ok(Value::Float(1e-7)));
        assert!(float_value(f64::NAN).is_err());
        assert!(float_value(f64::INFINITY).is_err());
    }

    #[test]
    fn go_number_helpers() {
        assert_eq!(go_parse_int("0755"), Some(493));
        assert_eq!(go_parse_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(go_parse_int("9223372036854775808"), None);
        assert_eq!(go_parse_uint("+1"), None);
        assert_eq!(go_parse_uint("0"), Some(0));
        assert!(is_yaml_float("1."));
        assert!(is_yaml_float("+.5e3"));
        assert!(!is_yaml_float("."));
        assert!(!is_yaml_float("1e"));
        assert!(go_underscore_ok("0x_1F"));
        assert!(!go_underscore_ok("1__0"));
    }

    #[test]
    fn parse_single_counts_documents() {
        assert_eq!(parse_single("# nothing\n"), Ok(None));
        assert_eq!(
            parse_single("a: 1\n"),
            Ok(Some(Value::from(json!({"a": 1}))))
        );
        assert!(parse_single("a: 1\n---\nb: 2\n").is_err());
    }
}
