//! Where each node of a document sits in its text, for `aiw explain`.
//!
//! Both readers (the fast path in `fast.rs` and the full reader in
//! `read.rs`) are generic over a [`Positions`] recorder. Plain reads use
//! [`NoPositions`], whose node and child-list types are `()`: every call
//! compiles to nothing and the readers cost exactly what they did before.
//! [`parse_documents_with_positions`] reads with [`Recorder`], which gives
//! each document a [`PosTree`] shaped like its [`Value`]: the position of the
//! node, then one tree per mapping entry (in the mapping's entry order) or
//! sequence item. Whatever the reader does to a mapping's entries (merge keys,
//! duplicate keys in lenient mode) it does to the trees too, and an alias
//! takes the positions of its anchor's node.
//!
//! A node's position is where its text starts: a scalar's first character
//! (the `|` of a block scalar, the quote of a quoted one), a block mapping's
//! first key, a block sequence's first `-`, a flow collection's bracket. An
//! empty value (`key:` with nothing after it) sits at its key; an empty
//! sequence entry (`-` alone) at its dash.

use super::value::Value;

/// A place in a text: 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Pos {
    /// A position from a 1-based line and column.
    pub fn new(line: usize, column: usize) -> Pos {
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

/// The positions of a document's nodes, shaped like its [`Value`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PosTree {
    /// Where the node starts.
    pub pos: Pos,
    /// One tree per mapping entry (in entry order) or sequence item; empty
    /// for scalars and empty collections.
    pub kids: Vec<PosTree>,
}

impl PosTree {
    /// A scalar's (or empty collection's) tree.
    pub fn leaf(pos: Pos) -> PosTree {
        PosTree {
            pos,
            kids: Vec::new(),
        }
    }

    /// The tree of the node at `path` (mapping keys and sequence indices,
    /// as `(key, index)` steps resolved against `value`), if present.
    pub fn at<'t>(&'t self, value: &Value, path: &[PathStep<'_>]) -> Option<&'t PosTree> {
        let (mut v, mut t) = (value, self);
        for step in path {
            let i = match (step, v) {
                (PathStep::Key(k), Value::Map(m)) => {
                    m.entries().iter().position(|(e, _)| e == k)?
                }
                (PathStep::Index(i), Value::Seq(items)) if *i < items.len() => *i,
                _ => return None,
            };
            v = match v {
                Value::Map(m) => &m.entries()[i].1,
                Value::Seq(items) => &items[i],
                _ => return None,
            };
            t = t.kids.as_slice().get(i)?;
        }
        Some(t)
    }
}

/// One step of a path into a document: a mapping key or a sequence index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStep<'a> {
    /// A mapping key.
    Key(&'a str),
    /// A sequence index.
    Index(usize),
}

/// The positions of a collection's children while a reader builds it.
pub(super) trait Kids: Default {
    /// One child's positions.
    type Node: Clone;
    /// Appends a child.
    fn push(&mut self, n: Self::Node);
    /// Removes child `i`.
    fn remove(&mut self, i: usize);
    /// Replaces child `i`.
    fn set(&mut self, i: usize, n: Self::Node);
    /// A copy of child `i`.
    fn get(&self, i: usize) -> Self::Node;
}

impl Kids for () {
    type Node = ();
    #[inline(always)]
    fn push(&mut self, _: ()) {}
    #[inline(always)]
    fn remove(&mut self, _: usize) {}
    #[inline(always)]
    fn set(&mut self, _: usize, _: ()) {}
    #[inline(always)]
    fn get(&self, _: usize) {}
}

impl Kids for Vec<PosTree> {
    type Node = PosTree;
    fn push(&mut self, n: PosTree) {
        Vec::push(self, n);
    }
    fn remove(&mut self, i: usize) {
        if i < self.len() {
            Vec::remove(self, i);
        }
    }
    fn set(&mut self, i: usize, n: PosTree) {
        if let Some(slot) = self.get_mut(i) {
            *slot = n;
        }
    }
    fn get(&self, i: usize) -> PosTree {
        self.as_slice().get(i).cloned().unwrap_or_default()
    }
}

/// How a reader records positions (see the module docs).
pub(super) trait Positions {
    /// True when positions are recorded at all.
    const RECORDS: bool;
    /// One node's positions.
    type Node: Clone;
    /// A collection's children.
    type Kids: Kids<Node = Self::Node>;
    /// The children of a collection node.
    fn children(n: &Self::Node) -> Self::Kids;
    /// A node starting at byte `offset` of the chunk (the fast reader).
    fn at_byte(&mut self, offset: usize) -> Self::Node;
    /// A node starting at 1-based `line` (in the chunk) and 0-based
    /// character column `col` (the full reader).
    fn at_line_col(&mut self, line: usize, col: usize) -> Self::Node;
    /// A collection node from its start and children.
    fn collection(&mut self, start: Self::Node, kids: Self::Kids) -> Self::Node;
}

/// Records nothing: the plain reader.
#[derive(Clone, Copy, Default)]
pub(super) struct NoPositions;

impl Positions for NoPositions {
    const RECORDS: bool = false;
    type Node = ();
    type Kids = ();
    #[inline(always)]
    fn children(_: &()) {}
    #[inline(always)]
    fn at_byte(&mut self, _: usize) {}
    #[inline(always)]
    fn at_line_col(&mut self, _: usize, _: usize) {}
    #[inline(always)]
    fn collection(&mut self, _: (), _: ()) {}
}

/// Records a [`PosTree`] per document, lines counted from the start of the
/// whole text.
#[derive(Clone)]
pub(super) struct Recorder<'t> {
    /// The chunk being read.
    text: &'t str,
    /// Lines before the chunk in the whole text.
    line_offset: usize,
    /// Byte offsets where the chunk's lines start.
    line_starts: Vec<usize>,
}

impl<'t> Recorder<'t> {
    /// A recorder for the chunk `text`, which starts after `line_offset`
    /// lines of the whole text.
    pub(super) fn new(text: &'t str, line_offset: usize) -> Recorder<'t> {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Recorder {
            text,
            line_offset,
            line_starts,
        }
    }
}

impl Positions for Recorder<'_> {
    const RECORDS: bool = true;
    type Node = PosTree;
    type Kids = Vec<PosTree>;

    fn children(n: &PosTree) -> Vec<PosTree> {
        n.kids.clone()
    }

    fn at_byte(&mut self, offset: usize) -> PosTree {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        PosTree::leaf(Pos::new(self.line_offset + line, column + 1))
    }

    fn at_line_col(&mut self, line: usize, col: usize) -> PosTree {
        PosTree::leaf(Pos::new(self.line_offset + line, col + 1))
    }

    fn collection(&mut self, start: PosTree, kids: Vec<PosTree>) -> PosTree {
        PosTree {
            pos: start.pos,
            kids,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_become_lines_and_character_columns() {
        let text = "a: 1\nbé: x\n\nc:\n";
        let mut r = Recorder::new(text, 10);
        assert_eq!(r.at_byte(0).pos, Pos::new(11, 1));
        assert_eq!(r.at_byte(3).pos, Pos::new(11, 4));
        // "bé: x": `x` is byte 10 of the text, character column 5.
        assert_eq!(r.at_byte(5 + 5).pos, Pos::new(12, 5));
        assert_eq!(r.at_byte(text.len() - 3).pos, Pos::new(14, 1));
    }

    fn positions(text: &str, lenient: bool) -> Vec<(Value, PosTree)> {
        super::super::parse_documents_with_positions(text, lenient).unwrap()
    }

    /// (line, column) of the node at `path` of document `doc`.
    fn at(docs: &[(Value, PosTree)], doc: usize, path: &[PathStep<'_>]) -> (u32, u32) {
        let (v, t) = &docs[doc];
        let p = t.at(v, path).unwrap().pos;
        (p.line, p.column)
    }

    use PathStep::{Index as I, Key as K};

    #[test]
    fn documents_count_lines_from_the_start_of_the_text() {
        let text = "a: 1\n---\n# c\nb:\n  - x\n  -\n  - 'y'\nc:\nd: |\n  text\n";
        let docs = positions(text, false);
        assert_eq!(at(&docs, 0, &[K("a")]), (1, 4));
        assert_eq!(at(&docs, 1, &[]), (4, 1));
        assert_eq!(at(&docs, 1, &[K("b")]), (5, 3));
        assert_eq!(at(&docs, 1, &[K("b"), I(0)]), (5, 5));
        // An empty entry sits at its dash, an empty value at its key.
        assert_eq!(at(&docs, 1, &[K("b"), I(1)]), (6, 3));
        assert_eq!(at(&docs, 1, &[K("b"), I(2)]), (7, 5));
        assert_eq!(at(&docs, 1, &[K("c")]), (8, 1));
        // A block scalar at its header.
        assert_eq!(at(&docs, 1, &[K("d")]), (9, 4));
    }

    #[test]
    fn the_full_reader_follows_aliases_merges_and_duplicates() {
        // Flow collections, an anchor and its alias, a merge key: read by
        // the full reader.
        let text = "base: &b {x: 1, y: [2, 3]}\ncopy: *b\nmerged:\n  <<: *b\n  y: 4\nblock: >-\n  folded\n";
        let docs = positions(text, false);
        assert_eq!(at(&docs, 0, &[K("base"), K("x")]), (1, 14));
        assert_eq!(at(&docs, 0, &[K("base"), K("y"), I(1)]), (1, 24));
        // An alias has its anchor's positions.
        assert_eq!(at(&docs, 0, &[K("copy"), K("x")]), (1, 14));
        // Merged entries keep the positions of their source; own keys win.
        assert_eq!(at(&docs, 0, &[K("merged"), K("y")]), (5, 6));
        assert_eq!(at(&docs, 0, &[K("merged"), K("x")]), (1, 14));
        assert_eq!(at(&docs, 0, &[K("block")]), (6, 8));
        // Lenient reading: the last value of a repeated key, at the first
        // key's place in the mapping.
        let docs = positions("a: 1\nb: 2\na: 3\n", true);
        assert_eq!(docs[0].0, Value::from(serde_json::json!({"a": 3, "b": 2})));
        assert_eq!(at(&docs, 0, &[K("a")]), (3, 4));
        assert_eq!(at(&docs, 0, &[K("b")]), (2, 4));
    }

    #[test]
    fn columns_count_characters() {
        let docs = positions("é: {k: \"ü\", v: x}\n", false);
        assert_eq!(at(&docs, 0, &[K("é"), K("v")]), (1, 16));
        let docs = positions("é:\n  v: x\n", false);
        assert_eq!(at(&docs, 0, &[K("é"), K("v")]), (2, 6));
    }
}
