//! Property tests (proptest): a short fuzz smoke run inside `cargo test`.
//!
//! - Round trip: for any document aiw emits, reading it back and emitting
//!   again gives the same bytes (random `Value` trees with YAML-hostile
//!   strings: indicators, number- and bool-like text, newlines, Unicode).
//! - The reader, strategic merge and JSON 6902 never panic, whatever the
//!   input; YAML-ish random text that reads at all round-trips too.
//!
//! The long runs live in `fuzz/` (libFuzzer); see `fuzz/run.sh`. Inputs
//! that once crashed a fuzz target are kept in `fuzz/regressions/TARGET/`
//! and replayed here.

use aiw::patch::json6902::{Patch, Syntax};
use aiw::patch::smp::merge_patch;
use aiw::schema::Schema;
use aiw::yaml::{Map, Value, check_writable, emit_document, emit_stream, parse_documents};
use proptest::prelude::*;

#[path = "support/roundtrip.rs"]
mod roundtrip;
use roundtrip::{ends_in_line_separator, unordered};

/// Strings that stress the emitter's quoting rules.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::sample::select(vec![
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "True",
            "NULL",
            "null",
            "~",
            "1",
            "1.0",
            "1e3",
            "0755",
            "0x1F",
            "0o17",
            "0b101",
            "1_000",
            "+1",
            "-1",
            ".5",
            ".inf",
            "-.inf",
            ".nan",
            "1:20",
            "2001-12-14",
            "2001-12-14t21:59:43.10-05:00",
            "-",
            "- a",
            "? x",
            ": x",
            "a: b",
            "#",
            "a #b",
            "&a",
            "*a",
            "!tag",
            "%x",
            "@x",
            "`x",
            "|",
            ">",
            "'",
            "\"",
            "[",
            "]",
            "{",
            "}",
            ",",
            "---",
            "...",
            " lead",
            "trail ",
            "a\nb",
            "a\n",
            "\n",
            "\t",
            "a\tb",
            "\\",
            "é",
            "\u{85}",
            "\u{a0}",
            "\u{2028}",
            "\u{feff}x",
            "日本",
            "😀",
            "<<",
            "=",
            "$(VAR)",
        ])
        .prop_map(str::to_string),
        "[a-z0-9 :#\\-\\[\\]{},'\"\\n\\t|>!&*?%@`.~=]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(16).collect()),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::NULL),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        (i64::MAX as u64 + 1..=u64::MAX).prop_map(Value::UInt),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::Float),
        prop::sample::select(vec![0.5, 1.0, -0.0, 1e21, 1.5e-7, 100000.5, 1234567.5])
            .prop_map(Value::Float),
        tricky_string().prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Seq),
            prop::collection::vec((tricky_string(), inner), 0..5).prop_map(map_of),
        ]
    })
}

/// A mapping from possibly repeated keys (the last one wins).
fn map_of(entries: Vec<(String, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in entries {
        m.insert(k, v);
    }
    Value::Map(m)
}

/// A top-level document: a mapping, as every resource is.
fn document() -> impl Strategy<Value = Value> {
    prop::collection::vec((tricky_string(), value()), 0..6).prop_map(map_of)
}

fn has_merge_key(v: &Value) -> bool {
    match v {
        Value::Map(m) => m.iter().any(|(k, v)| k == "<<" || has_merge_key(v)),
        Value::Seq(items) => items.iter().any(has_merge_key),
        _ => false,
    }
}

/// YAML-looking random text, for the reader.
fn yamlish_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        tricky_string(),
        prop::sample::select(vec![
            "\n",
            "\n  ",
            "\n- ",
            ": ",
            "\n---\n",
            "&a ",
            "*a",
            "<<: ",
            "{",
            "}",
            "[",
            "]",
            ", ",
            "!!str ",
            "!!binary ",
            "|\n  ",
            ">-\n  ",
            "? ",
            "\"\\x7f\"",
            "'q''q'",
            "# c\n",
        ])
        .prop_map(str::to_string),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

/// `cases` by default (a few seconds in CI); `PROPTEST_CASES=N` for longer runs.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        max_global_rejects: cases.max(1024),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// emit → parse → emit gives the same bytes.
    #[test]
    fn emitted_documents_round_trip(docs in prop::collection::vec(document(), 1..3)) {
        prop_assume!(docs.iter().all(|d| check_writable(d).is_ok()));
        // A `<<` key is a merge key when read back, in kustomize too
        // (kubectl fails or merges): not a document aiw emits unchanged.
        prop_assume!(!docs.iter().any(has_merge_key));
        let out = emit_stream(&docs);
        let back = parse_documents(&out)
            .map_err(|e| TestCaseError::fail(format!("emitted YAML does not read back: {e}\n{out}")))?;
        let again = emit_stream(&back);
        prop_assume!(out == again || !known_gap(&out));
        prop_assert_eq!(&out, &again, "round trip changed the bytes");
    }

    /// Random YAML-ish text: the reader never panics, and what it reads
    /// round-trips like any emitted document.
    #[test]
    fn reader_never_panics_and_round_trips(text in yamlish_text()) {
        if let Ok(docs) = parse_documents(&text)
            && docs.iter().all(|d| check_writable(d).is_ok())
        {
            let out = emit_stream(&docs);
            let back = parse_documents(&out)
                .map_err(|e| TestCaseError::fail(format!("emitted YAML does not read back: {e}\n{out}")))?;
            let again = emit_stream(&back);
            prop_assume!(out == again || !known_gap(&out));
            prop_assert_eq!(&out, &again);
        }
    }

    /// Strategic merge of random documents never panics; a merged result
    /// can be emitted.
    #[test]
    fn strategic_merge_never_panics(
        target in document(),
        patch in document(),
        kind in prop::sample::select(vec!["Deployment", "Service", "ConfigMap", "Unknown"]),
    ) {
        let with_type = |v: Value, api: &str| {
            let mut m = match v { Value::Map(m) => m, _ => Map::new() };
            m.insert("apiVersion", Value::from(api));
            m.insert("kind", Value::from(kind));
            Value::Map(m)
        };
        let api = if kind == "Deployment" { "apps/v1" } else { "v1" };
        let mut t = with_type(target, api);
        let p = with_type(patch, api);
        if merge_patch(&mut t, &p, Schema::builtin()).is_ok() {
            let _ = emit_document(&t);
        }
    }

    /// JSON 6902 operations built from random parts never panic.
    #[test]
    fn json6902_never_panics(
        mut target in document(),
        ops in prop::collection::vec(
            (
                prop::sample::select(vec!["add", "remove", "replace", "move", "copy", "test", "bogus"]),
                prop::collection::vec(
                    prop::sample::select(vec!["a", "b", "0", "1", "-", "~0", "~1", "", "10", "x"]),
                    0..4,
                ),
                prop::option::of(value()),
                prop::option::of(prop::collection::vec(
                    prop::sample::select(vec!["a", "b", "0", "-", ""]),
                    0..3,
                )),
            ),
            1..4,
        ),
    ) {
        let ops: Vec<Value> = ops
            .into_iter()
            .map(|(op, path, value, from)| {
                let mut m = Map::new();
                m.insert("op", Value::from(op));
                m.insert("path", Value::from(path.iter().map(|p| format!("/{p}")).collect::<String>()));
                if let Some(v) = value {
                    m.insert("value", v);
                }
                if let Some(f) = from {
                    m.insert("from", Value::from(f.iter().map(|p| format!("/{p}")).collect::<String>()));
                }
                Value::Map(m)
            })
            .collect();
        if let Ok(patch) = Patch::parse(&Value::Seq(ops), Syntax::Yaml) {
            let _ = patch.check();
            if patch.apply(&mut target).is_ok() {
                let _ = emit_document(&target);
            }
        }
    }
}

/// Known gaps, skipped (kubectl is no fixed point there either):
///
/// - go-yaml v2's key comparator is not transitive for some keys with digit
///   runs, so their order depends on the input order;
///   `fuzz/known/yaml_roundtrip/non-transitive-key-order.yaml`. Same values
///   in another order only.
/// - a document ending in a raw U+2028/U+2029 is followed by `---` on the
///   same line, where kyaml does not split: yaml.v3 drops the next document;
///   `fuzz/known/yaml_roundtrip/line-separator-before-document-separator.yaml`.
fn known_gap(out: &str) -> bool {
    if ends_in_line_separator(out) {
        return true;
    }
    let (Ok(a), Ok(b)) = (
        parse_documents(out),
        parse_documents(out).map(|d| emit_stream(&d)),
    ) else {
        return false;
    };
    parse_documents(&b).is_ok_and(|bd| unordered(&a) == unordered(&bd))
}

/// emit → parse → emit on the documents read from `text`, when it reads.
fn round_trips(text: &str) -> Result<(), String> {
    let Ok(docs) = parse_documents(text) else {
        return Ok(());
    };
    if docs.iter().any(|d| check_writable(d).is_err()) {
        return Ok(());
    }
    let out = emit_stream(&docs);
    let back = parse_documents(&out).map_err(|e| format!("does not read back: {e}\n{out}"))?;
    let again = emit_stream(&back);
    if out != again {
        return Err(format!("bytes changed:\n{out}\n---- vs ----\n{again}"));
    }
    Ok(())
}

/// Replays the inputs that once crashed `fuzz/fuzz_targets/yaml_roundtrip`.
#[test]
fn fuzz_regressions_yaml_roundtrip() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/yaml_roundtrip");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/regressions/yaml_roundtrip") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        if let Ok(text) = std::str::from_utf8(&bytes) {
            n += 1;
            if let Err(e) = round_trips(text) {
                panic!("{}: {e}", path.display());
            }
        }
    }
    assert!(n > 0, "no regression inputs found");
}

/// The known gap above: kubectl kustomize, given its own output of these
/// two ConfigMaps (the first ends in `zz: |\n  a\n  b\u{2028}---`), prints
/// the first only; so does aiw.
#[test]
fn line_separator_before_document_separator() {
    let text = "zz: \"a\\nb\\L\"\n---\nb: 1\n";
    let docs = parse_documents(text).unwrap();
    assert_eq!(docs.len(), 2);
    let out = emit_stream(&docs);
    assert_eq!(out, "zz: |\n  a\n  b\u{2028}---\nb: 1\n");
    assert!(known_gap(&out));
    assert_eq!(parse_documents(&out).unwrap(), docs[..1]);
}

/// A value holding U+2028 (found by the fuzzer): go-yaml writes it
/// single-quoted with the break followed by indentation, and yaml.v3 drops
/// the blanks around the break when reading it back (checked with kubectl
/// kustomize), so the round trip is stable.
#[test]
fn line_separator_round_trip() {
    let mut m = Map::new();
    m.insert("a", Value::from("q\u{2028}r"));
    let out = emit_document(&Value::Map(m));
    assert_eq!(out, "a: 'q\u{2028}  r'\n");
    round_trips(&out).unwrap();
    round_trips("a: 'q \u{2028}   r'\nb: \"s\u{2029}  t\"\nc: \"u\\L  v\"\n").unwrap();
}

/// Strings holding both `\n` and U+2028 (found by the fuzzer, once in
/// `fuzz/known/`): go-yaml writes them as block scalars whose lines end in,
/// or consist of, a raw U+2028, which yaml.v3 reads as a line break kept in
/// the value. kubectl kustomize reads its own output of these back to the
/// same bytes (a fixed point), and so must aiw.
#[test]
fn line_separator_in_block_scalar_round_trip() {
    // The two fuzz inputs, as found.
    round_trips("\".\\L\\nes\\L\"").unwrap();
    round_trips("\r\n\r\n\"\r\n\r\\L\"\r\n").unwrap();
    // A quote in a block scalar's line before a U+2028 line (fuzz crash in
    // the first run with this support).
    round_trips("a}\n\n*3*}\n---\n\n>\n'}\n-\n\n\u{2028}2-").unwrap();
    // Many U+2028 in a flow sequence among quoted scalars (fuzz crash,
    // minimized): a round per error ran out of rounds.
    round_trips(
        "a: &x{b: [0 \r\r\u{2028}c,a:,.\r\r\u{2028}e, a: \"\r\r\u{2028}a\",f: t\n\r\u{2028}7,l: u\r\r\u{2028}e ,a:\r\"\r\r\u{2028}t\",a: 7\r\r\u{2028}a,a: \"\r\r\u{2028}t\"]}\nd: *x",
    )
    .unwrap();
    // kubectl kustomize output for a ConfigMap whose data held
    // a: ".\L\nes\L", b: "x\ny\Lz", c: "x\Ly": reads back to itself.
    let out = "apiVersion: v1\ndata:\n  a: |\n    .\u{2028}\n    es\u{2028}  b: |-\n    x\n    \
               y\u{2028}    z\n  c: 'x\u{2028}    y'\nkind: ConfigMap\nmetadata:\n  name: x\n";
    let docs = parse_documents(out).unwrap();
    assert_eq!(
        docs[0].get("data"),
        Some(&Value::from(serde_json::json!({
            "a": ".\u{2028}\nes\u{2028}",
            "b": "x\ny\u{2028}z",
            "c": "x\u{2028}y",
        })))
    );
    assert_eq!(emit_stream(&docs), out);
    round_trips(out).unwrap();
}
