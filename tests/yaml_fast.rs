//! The YAML reader's fast path (`aiw::yaml::fast`) against the full reader:
//! whenever the fast path accepts a chunk, the full reader must read the same
//! value, and the reader's entry points must behave exactly as the full reader
//! alone (errors included).
//!
//! - a proptest over text generated from a grammar of the fast path's subset
//!   (block mappings and sequences, scalars, literal block scalars, comments)
//!   and its near misses (random edits of that text, tricky tokens);
//! - every `*.yaml` file of the conformance corpus (when present) and of
//!   `tests/fixtures`, plus any directory listed in `AIW_FAST_YAML_DIRS`
//!   (colon-separated), printing how many chunks the fast path accepted.

use std::path::Path;

use aiw::yaml::fast::{FastStats, check_against_full_reader, parse_chunk};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// Ordinary keys.
const KEYS: &[&str] = &[
    "a",
    "b",
    "c",
    "name",
    "image",
    "app.kubernetes.io/name",
    "a b",
    "k ",
    "\"q\"",
    "'s'",
    "\"a b\"",
    "''",
];

/// Number-like, special and broken keys.
const ODD_KEYS: &[&str] = &[
    "1",
    "0755",
    "true",
    "2001-12-14",
    "1.5",
    "~",
    "null",
    "<<",
    "\"<<\"",
    "a:b",
    "x#y",
    "-k",
    "é",
    "$(X)",
    "a\"b",
    "? k",
    "&a k",
    "!t k",
    "[k]",
    "{k}",
    "%k",
    "@k",
    "...",
    "---",
];

/// Ordinary scalar values: resolutions of every kind, quoting.
const SCALARS: &[&str] = &[
    "x",
    "hello world",
    "1",
    "-1",
    "0755",
    "0x1F",
    "1_000",
    "1e3",
    "1.0",
    ".5",
    "2001-12-14",
    "true",
    "~",
    "yes",
    "--debug",
    "'it''s'",
    "\"a\\\"b\"",
    "{}",
    "[]",
    "\"\"",
];

/// Indicators, near misses and values the fast path refuses.
const ODD_SCALARS: &[&str] = &[
    ".inf",
    "-.inf",
    ".nan",
    "12345678901234567890",
    "123456789012345678901234567890",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10",
    "1:20",
    "true",
    "False",
    "yes",
    "~",
    "null",
    "Null",
    "<<",
    "=",
    "$(VAR)",
    "http://x.y/z",
    "a: b",
    "a:b",
    "a :b",
    "a #b",
    "a#b",
    "x   ",
    "--debug",
    "-c",
    "-",
    "- x",
    "-x",
    ":x",
    "?x",
    "? x",
    "{}",
    "[]",
    "{ }",
    "{a: 1}",
    "[1, 2]",
    "{}x",
    "'it''s'",
    "'q'",
    "''",
    "'a # b'",
    "'x'y",
    "\"\"",
    "\"a\\\"b\"",
    "\"a\\\\b\"",
    "\"a\\nb\\t\\/\"",
    "\"\\x41\"",
    "\"\\u00e9\"",
    "\"a # b\"",
    "\"x\" # c",
    "&a x",
    "*a",
    "!t x",
    "!!str 1",
    "%x",
    "@x",
    "`x`",
    ">",
    "|x",
    "é",
    "日本",
    "a\u{a0}b",
    "\u{85}",
    "\u{2028}",
    "'\u{2028}'",
];

/// Lines of literal block scalars (before indentation).
const LITERAL_LINES: &[&str] = &[
    "x",
    "y z",
    "",
    " ",
    "  ",
    "  indented",
    "# not a comment",
    "a: b",
    "- c",
    "'q'",
    "x  ",
];

const LITERAL_HEADERS: &[&str] = &["|", "|-", "|+", "| # c", "|2", ">", "|-  ", "|#c"];

#[derive(Debug, Clone)]
enum Node {
    Scalar(&'static str),
    Literal(&'static str, Vec<&'static str>),
    Map(Vec<(&'static str, Node)>),
    Seq(Vec<Node>),
}

fn key() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        8 => prop::sample::select(KEYS),
        1 => prop::sample::select(ODD_KEYS),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        6 => prop::sample::select(SCALARS).prop_map(Node::Scalar),
        1 => prop::sample::select(ODD_SCALARS).prop_map(Node::Scalar),
        1 => (
            prop::sample::select(LITERAL_HEADERS),
            prop::collection::vec(prop::sample::select(LITERAL_LINES), 0..4)
        )
            .prop_map(|(h, l)| Node::Literal(h, l)),
    ];
    leaf.prop_recursive(5, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec((key(), inner.clone()), 1..5).prop_map(Node::Map),
            prop::collection::vec(inner, 1..5).prop_map(Node::Seq),
        ]
    })
}

/// A small deterministic random source for rendering choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// True with probability 1/n.
    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Renderer {
    out: String,
    rng: Rng,
}

impl Renderer {
    /// Ends the current line, sometimes with a comment, blank or comment lines.
    fn newline(&mut self) {
        if self.rng.one_in(8) {
            self.out.push_str(" # c");
        }
        self.out.push('\n');
        if self.rng.one_in(10) {
            self.out.push('\n');
        }
        if self.rng.one_in(12) {
            let n = self.rng.below(6);
            self.out.push_str(&" ".repeat(n));
            self.out.push_str("# comment\n");
        }
    }

    fn step(&mut self) -> usize {
        [2, 2, 2, 1, 4, 3][self.rng.below(6)]
    }

    /// The value of a key or entry whose line is written up to the indicator;
    /// `indent` is the column of the enclosing collection.
    fn value(&mut self, n: &Node, indent: usize, after_dash: bool) {
        match n {
            Node::Scalar(s) => {
                self.out.push(' ');
                if self.rng.one_in(10) {
                    self.out.push(' ');
                }
                self.out.push_str(s);
                self.newline();
            }
            Node::Literal(h, lines) => {
                self.out.push(' ');
                self.out.push_str(h);
                self.out.push('\n');
                let ind = indent + self.step();
                for l in lines {
                    // Empty lines: no indentation, some, or the full one.
                    let n = if l.is_empty() {
                        self.rng.below(ind + 2).min(ind)
                    } else {
                        ind
                    };
                    self.out.push_str(&" ".repeat(n));
                    self.out.push_str(l);
                    self.out.push('\n');
                }
            }
            Node::Map(entries) if after_dash && self.rng.one_in(2) => {
                // Compact: `- k: v`, the rest at the first key's column.
                let extra = usize::from(self.rng.one_in(4));
                self.out.push_str(&" ".repeat(1 + extra));
                let col = indent + 2 + extra;
                self.map_entries(entries, col, true);
            }
            Node::Seq(items) if after_dash && self.rng.one_in(3) => {
                self.out.push(' ');
                self.seq_items(items, indent + 2, true);
            }
            Node::Map(entries) => {
                self.newline();
                let ind = indent + self.step();
                self.map_entries(entries, ind, false);
            }
            Node::Seq(items) => {
                self.newline();
                // Under a key, often not indented.
                let ind = if !after_dash && self.rng.one_in(2) {
                    indent
                } else {
                    indent + self.step()
                };
                self.seq_items(items, ind, false);
            }
        }
    }

    /// Entries at column `col`; the first one's indentation is already
    /// written when `started`.
    fn map_entries(&mut self, entries: &[(&str, Node)], col: usize, started: bool) {
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 || !started {
                self.out.push_str(&" ".repeat(col));
            }
            self.out.push_str(k);
            self.out.push(':');
            if self.rng.one_in(8) {
                // An empty value.
                self.newline();
                continue;
            }
            self.value(v, col, false);
        }
    }

    fn seq_items(&mut self, items: &[Node], col: usize, started: bool) {
        for (i, v) in items.iter().enumerate() {
            if i > 0 || !started {
                self.out.push_str(&" ".repeat(col));
            }
            self.out.push('-');
            if self.rng.one_in(10) {
                self.newline();
                continue;
            }
            self.value(v, col, true);
        }
    }
}

/// Renders a document, then applies a few random edits (near misses).
fn render(root: &Node, seed: u64, edits: &[(usize, usize)]) -> String {
    let mut r = Renderer {
        out: String::new(),
        rng: Rng(seed | 1),
    };
    if r.rng.one_in(4) {
        r.out
            .push_str(["---\n", "--- # c\n", "# head\n", "\n"][r.rng.below(4)]);
    }
    match root {
        Node::Map(entries) => r.map_entries(entries, 0, false),
        Node::Seq(items) => r.seq_items(items, 0, false),
        Node::Scalar(s) => {
            r.out.push_str(s);
            r.out.push('\n');
        }
        Node::Literal(..) => r.value(root, 0, false),
    }
    const EDIT: &[&str] = &[
        " ", "  ", "\t", ":", ": ", "#", " #", "-", "- ", "\n", "\n  ", "'", "\"", "|", "{", "a",
        "\r\n", "\u{2028}", "\\", "&", "---\n", "",
    ];
    let mut text = r.out;
    for &(at, what) in edits {
        if text.is_empty() {
            break;
        }
        let mut at = at % text.len();
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        if what % 3 == 0 {
            // Delete one character.
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            text.replace_range(at..end, "");
        } else {
            text.insert_str(at, EDIT[what % EDIT.len()]);
        }
    }
    text
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// fast(x) == Some(v) ⇒ full(x) == Ok(v), chunk by chunk, and the
    /// reader's entry points give what the full reader alone gives.
    #[test]
    fn fast_path_agrees_with_the_full_reader(
        root in node(),
        seed in any::<u64>(),
        edits in prop::collection::vec((any::<usize>(), any::<usize>()), 0..3),
    ) {
        let text = render(&root, seed, &edits);
        if let Err(e) = check_against_full_reader(&text) {
            return Err(TestCaseError::fail(e));
        }
    }
}

/// The grammar mostly produces text the fast path reads: the property above
/// is not vacuous.
#[test]
fn generated_text_is_mostly_accepted() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (node(), any::<u64>());
    let (mut total, mut accepted) = (0, 0);
    for _ in 0..2000 {
        let (root, seed) = strategy.new_tree(&mut runner).expect("tree").current();
        let text = render(&root, seed, &[]);
        total += 1;
        if parse_chunk(&text).is_some() {
            accepted += 1;
        }
    }
    println!("generated documents accepted by the fast path: {accepted}/{total}");
    assert!(accepted * 5 > total, "{accepted}/{total}");
}

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// Every YAML file of the corpora: the fast path agrees with the full reader.
#[test]
fn corpus_files_agree() {
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    let conformance = Path::new("/work/shared/conformance/cases");
    if conformance.is_dir() {
        dirs.push(conformance.to_path_buf());
    }
    if let Ok(extra) = std::env::var("AIW_FAST_YAML_DIRS") {
        dirs.extend(extra.split(':').filter(|d| !d.is_empty()).map(Into::into));
    }
    for dir in dirs {
        let mut files = Vec::new();
        yaml_files(&dir, &mut files);
        let mut sum = FastStats::default();
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else {
                continue;
            };
            match check_against_full_reader(&text) {
                Ok(s) => {
                    sum.chunks += s.chunks;
                    sum.accepted += s.accepted;
                }
                Err(e) => panic!("{}: {e}", f.display()),
            }
        }
        println!(
            "{}: {} files, fast path accepted {} of {} chunks",
            dir.display(),
            files.len(),
            sum.accepted,
            sum.chunks
        );
    }
}

/// Lists the files of `AIW_FAST_YAML_LIST` whose chunks the fast path refuses
/// (a tool for widening the subset; does nothing without the variable).
#[test]
fn list_refused_files() {
    let Ok(dir) = std::env::var("AIW_FAST_YAML_LIST") else {
        return;
    };
    let mut files = Vec::new();
    yaml_files(Path::new(&dir), &mut files);
    for f in &files {
        if let Ok(text) = std::fs::read_to_string(f)
            && let Ok(s) = check_against_full_reader(&text)
            && s.accepted < s.chunks
        {
            println!("refused: {} ({} of {})", f.display(), s.accepted, s.chunks);
        }
    }
}
