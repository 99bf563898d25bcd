//! Finds the line of a field in YAML text: the position of a value given by
//! its path of mapping keys and sequence indices, in the document numbering
//! of [`super::parse_documents`] (documents split as kyaml splits them, null
//! documents not counted).
//!
//! It walks the parser's events without building values, so it costs one
//! pass over the document's text and is meant for the few places that need
//! a position (problems found by `aiw validate`). Aliases and merge keys are
//! not followed: a path through one ends at the deepest part found.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::read::split_documents;

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSeg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Locates fields in one YAML stream.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: Cow<'a, str>,
    /// Per non-null document: (start, end) of its text and the number of
    /// lines before it.
    docs: Vec<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    /// Splits `text` into documents (nothing else is parsed yet). Text that
    /// cannot be split gives an index with no documents.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
        let text = text.into();
        let mut docs = Vec::new();
        if let Ok(chunks) = split_documents(&text) {
            for c in chunks {
                if !is_null_document(&text[c.start..c.end]) {
                    docs.push((c.start, c.end, c.line_offset));
                }
            }
        }
        LineIndex { text, docs }
    }

    /// Number of documents (null documents not counted).
    pub fn documents(&self) -> usize {
        self.docs.len()
    }

    /// The 1-based line of the first line of document `doc`'s content.
    pub fn document_line(&self, doc: usize) -> Option<usize> {
        let &(start, end, offset) = self.docs.get(doc)?;
        let mut parser = Parser::new_from_str(&self.text[start..end]);
        while let Some(Ok((ev, span))) = parser.next_event() {
            match ev {
                Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..) => {
                    return Some(span.start.line() + offset);
                }
                Event::StreamEnd | Event::DocumentEnd => break,
                _ => {}
            }
        }
        None
    }

    /// The 1-based line of the value at `path` in document `doc`: the line
    /// of its key for a mapping entry, of the item for a sequence item; for
    /// a path that goes beyond what the text holds, the line of the deepest
    /// part found (the document's first line when nothing matches).
    pub fn line(&self, doc: usize, path: &[PathSeg]) -> Option<usize> {
        let &(start, end, offset) = self.docs.get(doc)?;
        match walk(&self.text[start..end], path) {
            Some(line) => Some(line + offset),
            None => self.document_line(doc),
        }
    }
}

/// True when a document's text holds no node or a null scalar.
fn is_null_document(text: &str) -> bool {
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((ev, _))) = parser.next_event() {
        match ev {
            Event::Scalar(v, style, _, tag) => {
                return tag.is_none()
                    && style == ScalarStyle::Plain
                    && matches!(&*v, "" | "~" | "null" | "Null" | "NULL");
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => return false,
            Event::StreamEnd | Event::DocumentEnd => return true,
            _ => {}
        }
    }
    true
}

/// A container being walked.
enum Frame {
    /// A mapping; `key` is the key whose value comes next (None: a key
    /// comes next). `on_path`: this mapping is the node at `path[..depth]`.
    Map {
        key: Option<(String, usize)>,
        on_path: bool,
    },
    /// A sequence and the index of its next item.
    Seq { next: usize, on_path: bool },
    /// A sequence or mapping used as a mapping key (skipped).
    Key,
}

/// The chunk-relative line of `path` in the first document of `text`.
fn walk(text: &str, path: &[PathSeg]) -> Option<usize> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut best: Option<usize> = None;
    let mut started = false;
    while let Some(Ok((ev, span))) = parser.next_event() {
        let line = span.start.line();
        // Where does the node starting here sit?
        let (is_node, is_end) = match ev {
            Event::Scalar(..)
            | Event::Alias(_)
            | Event::SequenceStart(..)
            | Event::MappingStart(..) => (true, false),
            Event::SequenceEnd | Event::MappingEnd => (false, true),
            Event::DocumentEnd | Event::StreamEnd => {
                if started {
                    break;
                }
                (false, false)
            }
            _ => (false, false),
        };
        if is_end {
            if !matches!(stack.pop(), Some(Frame::Key)) {
                finish_value(&mut stack);
            }
            if stack.is_empty() {
                break;
            }
            continue;
        }
        if !is_node {
            continue;
        }
        started = true;
        // Is this node a key? Then remember it and go on.
        if let Some(Frame::Map { key, .. }) = stack.last_mut()
            && key.is_none()
        {
            let text = match &ev {
                Event::Scalar(v, ..) => v.to_string(),
                _ => String::new(),
            };
            *key = Some((text, line));
            if matches!(ev, Event::SequenceStart(..) | Event::MappingStart(..)) {
                stack.push(Frame::Key);
            }
            continue;
        }
        if matches!(stack.last(), Some(Frame::Key)) {
            // Inside a complex key: only its nesting matters.
            if matches!(ev, Event::SequenceStart(..) | Event::MappingStart(..)) {
                stack.push(Frame::Key);
            }
            continue;
        }
        // A value: does it extend the matched path?
        let depth = stack.len();
        let on_path = match stack.last() {
            None => true,
            Some(Frame::Map {
                key: Some((k, kline)),
                on_path: true,
            }) => {
                let hit =
                    depth <= path.len() && matches!(&path[depth - 1], PathSeg::Key(p) if p == k);
                if hit {
                    best = Some(*kline);
                }
                hit
            }
            Some(Frame::Seq {
                next,
                on_path: true,
            }) => {
                let hit = depth <= path.len()
                    && matches!(&path[depth - 1], PathSeg::Index(i) if i == next);
                if hit {
                    best = Some(line);
                }
                hit
            }
            _ => false,
        };
        if on_path && depth == path.len() {
            return best.or(Some(line));
        }
        match ev {
            Event::SequenceStart(..) => stack.push(Frame::Seq { next: 0, on_path }),
            Event::MappingStart(..) => stack.push(Frame::Map { key: None, on_path }),
            _ => {
                finish_value(&mut stack);
                if stack.is_empty() {
                    break;
                }
            }
        }
    }
    best
}

/// Moves the innermost container past the value just completed.
fn finish_value(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Map { key, .. }) => *key = None,
        Some(Frame::Seq { next, .. }) => *next += 1,
        Some(Frame::Key) | None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> PathSeg {
        PathSeg::Key(s.to_string())
    }

    #[test]
    fn lines_of_keys_items_and_documents() {
        let text = "# c\n---\n~\n---\napiVersion: v1\nkind: A\nspec:\n  list:\n  - name: a\n    v: 1\n  - name: b\n    v:\n      deep: 2\n---\nkind: B\nx: [1, {y: 2}]\n";
        let ix = LineIndex::new(text);
        assert_eq!(ix.documents(), 2);
        assert_eq!(ix.line(0, &[k("kind")]), Some(6));
        assert_eq!(ix.line(0, &[k("spec")]), Some(7));
        assert_eq!(
            ix.line(0, &[k("spec"), k("list"), PathSeg::Index(1)]),
            Some(11)
        );
        assert_eq!(
            ix.line(
                0,
                &[k("spec"), k("list"), PathSeg::Index(1), k("v"), k("deep")]
            ),
            Some(13)
        );
        // Missing parts: the deepest part found.
        assert_eq!(ix.line(0, &[k("spec"), k("nope"), k("x")]), Some(7));
        assert_eq!(ix.line(0, &[]), Some(5));
        assert_eq!(ix.line(1, &[k("x"), PathSeg::Index(1), k("y")]), Some(16));
        assert_eq!(ix.line(2, &[]), None);
    }

    #[test]
    fn keys_after_nested_values_are_found() {
        let text = "a:\n  b: [1, 2]\n  c:\n    d: 1\ne: 2\n";
        let ix = LineIndex::new(text);
        assert_eq!(ix.line(0, &[k("e")]), Some(5));
        assert_eq!(ix.line(0, &[k("a"), k("c"), k("d")]), Some(4));
    }
}
