//! The node tree of a YAML document with the byte range of every node in the
//! text, for editing the text in place (`aiw edit`).
//!
//! Values here are raw scalar texts (no type resolution: [`super::parse_documents`]
//! gives the values); what this adds is where each node is written:
//!
//! * a scalar's range is its text, quotes included; a block scalar's (`|`,
//!   `>`) runs from its indicator to the end of its last non-blank line;
//!   an empty value (`key:` with nothing after it) is a zero-length range
//!   just after the colon;
//! * a flow collection's range runs from its opening bracket to its closing
//!   one; a block collection's from its first key or item (the item's dash
//!   for a sequence) to the end of its last child.
//!
//! Comments are not nodes: they stay in the text between ranges.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Plain (unquoted).
    Plain,
    /// `'single-quoted'`.
    SingleQuoted,
    /// `"double-quoted"`.
    DoubleQuoted,
    /// A `|` or `>` block scalar.
    Block,
}

/// What a node is.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// A scalar: its (unresolved) text and style.
    Scalar {
        /// The scalar's content.
        value: String,
        /// How it is written.
        style: Style,
    },
    /// A sequence.
    Seq {
        /// Written `[a, b]`.
        flow: bool,
        /// The items.
        items: Vec<SpanNode>,
    },
    /// A mapping.
    Map {
        /// Written `{a: b}`.
        flow: bool,
        /// Key and value nodes, in text order.
        entries: Vec<(SpanNode, SpanNode)>,
    },
    /// An alias (`*name`).
    Alias,
}

/// A node and where it is written.
#[derive(Clone, Debug)]
pub struct SpanNode {
    /// What it is.
    pub kind: NodeKind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
    /// True when it carries an anchor (`&name`).
    pub anchored: bool,
}

impl SpanNode {
    /// True for an empty plain scalar (`key:` with no value).
    pub fn is_empty_scalar(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, style: Style::Plain } if value.is_empty())
            && self.start == self.end
    }

    /// True for `null`, `~`, an empty value, `[]` or `{}`: a value that a
    /// list or mapping can replace outright.
    pub fn is_placeholder(&self) -> bool {
        match &self.kind {
            NodeKind::Scalar {
                value,
                style: Style::Plain,
            } => matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"),
            NodeKind::Seq { items, .. } => items.is_empty(),
            NodeKind::Map { entries, .. } => entries.is_empty(),
            _ => false,
        }
    }

    /// The scalar text, for scalars.
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// True when this node or one below it is an alias or has an anchor.
    pub fn has_aliases(&self) -> bool {
        if self.anchored {
            return true;
        }
        match &self.kind {
            NodeKind::Alias => true,
            NodeKind::Scalar { .. } => false,
            NodeKind::Seq { items, .. } => items.iter().any(SpanNode::has_aliases),
            NodeKind::Map { entries, .. } => entries
                .iter()
                .any(|(k, v)| k.has_aliases() || v.has_aliases()),
        }
    }
}

/// Reads the first document of `text`; `None` for a stream with no
/// document. The error is the parser's message with its line.
pub fn parse_first_document(text: &str) -> Result<Option<SpanNode>, String> {
    let mut b = Builder {
        text,
        byte_of_char: Vec::new(),
        parser: Parser::new_from_str(text),
        peeked: None,
    };
    if !text.is_ascii() {
        b.byte_of_char = text.char_indices().map(|(i, _)| i).collect();
        b.byte_of_char.push(text.len());
    }
    loop {
        match b.next()? {
            None | Some((Event::StreamEnd, _)) => return Ok(None),
            Some((Event::DocumentStart(_), _)) => break,
            Some(_) => {}
        }
    }
    b.node(0).map(Some)
}

struct Builder<'a> {
    text: &'a str,
    /// Byte offset of each character (empty when the text is ASCII).
    byte_of_char: Vec<usize>,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    peeked: Option<(Event<'a>, Span)>,
}

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<Option<(Event<'a>, Span)>, String> {
        if let Some(p) = self.peeked.take() {
            return Ok(Some(p));
        }
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok(e)) => Ok(Some(e)),
            Some(Err(e)) => Err(format!("line {}: {}", e.marker().line(), e.info())),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.byte_of_char.is_empty() {
            char_index.min(self.text.len())
        } else {
            self.byte_of_char[char_index.min(self.byte_of_char.len() - 1)]
        }
    }

    fn node(&mut self, depth: usize) -> Result<SpanNode, String> {
        if depth > super::MAX_DEPTH {
            return Err("nesting too deep".to_string());
        }
        let Some((ev, span)) = self.next()? else {
            return Err("unexpected end of the document".to_string());
        };
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index());
        match ev {
            Event::Scalar(value, style, anchor, _) => {
                let (style, start, end) = match style {
                    ScalarStyle::Plain => (Style::Plain, start, end),
                    ScalarStyle::SingleQuoted => (Style::SingleQuoted, start, end),
                    ScalarStyle::DoubleQuoted => (Style::DoubleQuoted, start, end),
                    ScalarStyle::Literal | ScalarStyle::Folded => {
                        let s = block_indicator(self.text, start);
                        let e = s.max(start + self.text[start..end].trim_end().len());
                        (Style::Block, s, e)
                    }
                };
                Ok(SpanNode {
                    kind: NodeKind::Scalar {
                        value: value.into_owned(),
                        style,
                    },
                    start,
                    end,
                    anchored: anchor != 0,
                })
            }
            Event::Alias(_) => Ok(SpanNode {
                kind: NodeKind::Alias,
                start,
                end,
                anchored: false,
            }),
            Event::SequenceStart(anchor, _) => {
                let flow = self.text[start..].starts_with('[');
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Some((Event::SequenceEnd, sp)) => {
                            let close = self.byte(sp.end.index());
                            let (start, end) = if flow {
                                (start, close)
                            } else {
                                let first = items.first().map_or(start, |i: &SpanNode| i.start);
                                (
                                    dash_before(self.text, first).unwrap_or(first),
                                    items.last().map_or(start, |i| i.end),
                                )
                            };
                            return Ok(SpanNode {
                                kind: NodeKind::Seq { flow, items },
                                start,
                                end,
                                anchored: anchor != 0,
                            });
                        }
                        Some(e) => {
                            self.peeked = Some(e);
                            items.push(self.node(depth + 1)?);
                        }
                        None => return Err("unexpected end of a sequence".to_string()),
                    }
                }
            }
            Event::MappingStart(anchor, _) => {
                let flow = self.text[start..].starts_with('{');
                let mut entries = Vec::new();
                loop {
                    match self.next()? {
                        Some((Event::MappingEnd, sp)) => {
                            let close = self.byte(sp.end.index());
                            let end = if flow {
                                close
                            } else {
                                entries
                                    .last()
                                    .map_or(start, |(k, v): &(SpanNode, SpanNode)| k.end.max(v.end))
                            };
                            let start = if flow {
                                start
                            } else {
                                entries.first().map_or(start, |(k, _)| k.start)
                            };
                            return Ok(SpanNode {
                                kind: NodeKind::Map { flow, entries },
                                start,
                                end,
                                anchored: anchor != 0,
                            });
                        }
                        Some(e) => {
                            self.peeked = Some(e);
                            let k = self.node(depth + 1)?;
                            let mut v = self.node(depth + 1)?;
                            if v.is_empty_scalar() || v.end <= k.end {
                                // An empty value: just after the colon.
                                let colon = self.text[k.end..]
                                    .find(':')
                                    .map_or(k.end, |i| k.end + i + 1);
                                v.start = colon;
                                v.end = colon;
                            }
                            entries.push((k, v));
                        }
                        None => return Err("unexpected end of a mapping".to_string()),
                    }
                }
            }
            other => Err(format!("unexpected {:?}", other)),
        }
    }
}

/// The `|` or `>` that starts the block scalar whose content begins at
/// `content` (the last such indicator before it, outside any comment).
fn block_indicator(text: &str, content: usize) -> usize {
    let before = &text[..content];
    let mut pos = before.len();
    // The header is on the last line before the content with an indicator.
    for line_start in before
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .rev()
        .chain(std::iter::once(0))
    {
        let line = &before[line_start..pos];
        let code = match line.find(" #") {
            Some(c) => &line[..c],
            None => line,
        };
        if let Some(i) = code.rfind(['|', '>']) {
            return line_start + i;
        }
        pos = line_start.saturating_sub(1);
        if line_start == 0 {
            break;
        }
    }
    content
}

/// The `-` of the block sequence item whose content starts at `item`.
fn dash_before(text: &str, item: usize) -> Option<usize> {
    let before = text[..item].trim_end_matches([' ', '\t', '\n', '\r']);
    before.ends_with('-').then(|| before.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, n: &SpanNode) -> String {
        text[n.start..n.end].to_string()
    }

    #[test]
    fn ranges() {
        let text = "# c\nresources:   # c1\n- a.yaml\n  # mid\n- \"b.yaml\"\nimages:\n  - name: x\n    newTag: \"1\"\nlabels: {a: b, 'c': d}\nempty:\npatches:\n- patch: |-\n    foo\n    bar\n\n  target:\n    kind: X\nlast: 'q'\n";
        let root = parse_first_document(text).unwrap().unwrap();
        let NodeKind::Map {
            flow: false,
            entries,
        } = &root.kind
        else {
            panic!()
        };
        let get = |k: &str| {
            &entries
                .iter()
                .find(|(e, _)| e.scalar() == Some(k))
                .unwrap()
                .1
        };
        assert_eq!(
            at(text, get("resources")),
            "- a.yaml\n  # mid\n- \"b.yaml\""
        );
        assert_eq!(at(text, get("images")), "- name: x\n    newTag: \"1\"");
        assert_eq!(at(text, get("labels")), "{a: b, 'c': d}");
        let e = get("empty");
        assert!(
            e.is_empty_scalar()
                && &text[..e.start]
                    == "# c\nresources:   # c1\n- a.yaml\n  # mid\n- \"b.yaml\"\nimages:\n  - name: x\n    newTag: \"1\"\nlabels: {a: b, 'c': d}\nempty:"
        );
        let NodeKind::Seq { items, .. } = &get("patches").kind else {
            panic!()
        };
        let NodeKind::Map { entries: p, .. } = &items[0].kind else {
            panic!()
        };
        assert_eq!(at(text, &p[0].1), "|-\n    foo\n    bar");
        assert_eq!(at(text, &p[1].1), "kind: X");
        assert_eq!(at(text, get("last")), "'q'");
        assert!(!root.has_aliases());
    }

    #[test]
    fn unicode_offsets_and_aliases() {
        let text = "a: &x é\nb: *x\n";
        let root = parse_first_document(text).unwrap().unwrap();
        let NodeKind::Map { entries, .. } = &root.kind else {
            panic!()
        };
        assert_eq!(at(text, &entries[1].0), "b");
        assert!(root.has_aliases());
        assert!(
            parse_first_document("# only a comment\n")
                .unwrap()
                .is_none_or(|n| n.is_placeholder())
        );
    }
}
