//! The generated-name hash suffix, as kustomize computes it.
//!
//! kustomize v5.5 (`api/hasher`) hashes a small JSON object built from the
//! resource, takes the hex SHA-256 of it, keeps the first 10 hex digits and
//! swaps the digits/letters that could spell words (`0→g 1→h 3→k a→m e→t`).
//!
//! - ConfigMap: `{"binaryData":…,"data":…,"kind":"ConfigMap","name":…}`, with
//!   `binaryData` only when it is a mapping;
//! - Secret: `{"data":…,"kind":"Secret","name":…,"stringData":…,"type":…}`, with
//!   `stringData` only when it is a mapping.
//!
//! Keys are in byte order (Go's `json.Marshal` of a map). A missing field is
//! the empty string `""`, a scalar field its text, a mapping is re-encoded with
//! every number as a float64. The `name` is looked up as the single top-level
//! field `metadata/name` (a kustomize slip), so it is always `""` and the hash
//! does not depend on the name: two generators with equal data share a
//! suffix (checked with kubectl).
//!
//! kustomize hashes any other kind by JSON-encoding its internal YAML node
//! (line and column numbers included), which cannot be reproduced; such
//! resources get an error here. Only generators ask for a hash, and they make
//! ConfigMaps and Secrets.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::yaml::{Map, Value};

/// The 10-character suffix kustomize appends (after a `-`) to the name of a
/// generated ConfigMap or Secret.
///
/// Fails for a resource that is not a mapping, or whose `kind` is neither
/// `ConfigMap` nor `Secret`.
pub fn hash_suffix(resource: &Value) -> Result<String> {
    let map = resource.as_map().ok_or_else(|| {
        Error::msg(format!(
            "cannot compute a name hash: the resource is a {}, not a mapping",
            resource.type_name()
        ))
    })?;
    let encoded = match map.get("kind").and_then(Value::as_str) {
        Some("ConfigMap") => encode_config_map(map),
        Some("Secret") => encode_secret(map),
        other => {
            return Err(Error::msg(format!(
                "cannot compute a name hash for kind {:?}: kustomize only reproducibly hashes ConfigMap and Secret",
                other.unwrap_or("")
            )));
        }
    };
    Ok(suffix_of(&encoded))
}

/// The suffix for an already-encoded string: hex SHA-256, first 10 digits,
/// with `0 1 3 a e` replaced by `g h k m t`.
fn suffix_of(encoded: &str) -> String {
    let digest = Sha256::digest(encoded.as_bytes());
    // The first 10 hex digits (5 bytes), each digit written with the
    // substitutions: `0123456789abcdef` with `0 1 3 a e` swapped.
    const DIGITS: &[u8; 16] = b"gh2k456789mbcdtf";
    digest[..5]
        .iter()
        .flat_map(|&b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]])
        .map(char::from)
        .collect()
}

/// A field as kustomize's hasher reads it.
enum Field<'a> {
    /// Missing: encoded as `""`.
    Missing,
    /// A scalar: encoded as a JSON string of its text.
    Scalar(String),
    /// A mapping.
    Map(&'a Map),
    /// A sequence: fails to decode into a map and becomes `null`.
    Seq,
}

impl Field<'_> {
    fn is_map(&self) -> bool {
        matches!(self, Field::Map(_) | Field::Seq)
    }

    fn encode(&self, out: &mut String) {
        match self {
            Field::Missing => out.push_str("\"\""),
            Field::Scalar(s) => encode_string(s, out),
            Field::Map(m) => encode_map(m, out),
            Field::Seq => out.push_str("null"),
        }
    }
}

fn field<'a>(map: &'a Map, key: &str) -> Field<'a> {
    match map.get(key) {
        None => Field::Missing,
        Some(Value::Map(m)) => Field::Map(m),
        Some(Value::Seq(_)) => Field::Seq,
        // kyaml writes a null it re-created from JSON as `null`.
        Some(Value::Null(_)) => Field::Scalar("null".into()),
        Some(v) => Field::Scalar(v.scalar_string().unwrap_or_default()),
    }
}

fn encode_config_map(map: &Map) -> String {
    let binary = field(map, "binaryData");
    let mut out = String::from("{");
    if binary.is_map() {
        out.push_str("\"binaryData\":");
        binary.encode(&mut out);
        out.push(',');
    }
    out.push_str("\"data\":");
    field(map, "data").encode(&mut out);
    out.push_str(",\"kind\":\"ConfigMap\",\"name\":");
    field(map, "metadata/name").encode(&mut out);
    out.push('}');
    out
}

fn encode_secret(map: &Map) -> String {
    let mut out = String::from("{\"data\":");
    field(map, "data").encode(&mut out);
    out.push_str(",\"kind\":\"Secret\",\"name\":");
    field(map, "metadata/name").encode(&mut out);
    let string_data = field(map, "stringData");
    if string_data.is_map() {
        out.push_str(",\"stringData\":");
        string_data.encode(&mut out);
    }
    out.push_str(",\"type\":");
    field(map, "type").encode(&mut out);
    out.push('}');
    out
}

/// Go `json.Marshal` of a decoded `map[string]interface{}`: keys sorted by
/// bytes, numbers as float64.
fn encode_map(map: &Map, out: &mut String) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode_string(k, out);
        out.push(':');
        encode_value(v, out);
    }
    out.push('}');
}

fn encode_value(v: &Value, out: &mut String) {
    match v {
        Value::Null(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&go_json_float(*i as f64)),
        Value::UInt(u) => out.push_str(&go_json_float(*u as f64)),
        Value::Float(f) => out.push_str(&go_json_float(*f)),
        Value::String(s) => encode_string(s, out),
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                encode_value(item, out);
            }
            out.push(']');
        }
        Value::Map(m) => encode_map(m, out),
    }
}

/// Go `encoding/json` float64 text: shortest digits, plain for
/// 1e-6 <= |f| < 1e21, else like `1e+21` / `1e-7`. (NaN and infinities cannot
/// come out of a JSON document; they are written as `null`.)
fn go_json_float(f: f64) -> String {
    if !f.is_finite() {
        return "null".into();
    }
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

/// Go `encoding/json` string quoting (Go 1.22+, HTML-safe): `<`, `>`, `&`,
/// U+2028 and U+2029 as `\uXXXX`; `\b \f \n \r \t` short; other control
/// characters as `\u00xx`.
fn encode_string(s: &str, out: &mut String) {
    out.push('"');
    // Runs of bytes that need no escaping are copied whole; 0xE2 may start
    // U+2028/U+2029, so it takes the character path.
    let mut rest = s;
    while let Some(pos) = first_needing_care(rest.as_bytes()) {
        out.push_str(&rest[..pos]);
        let mut chars = rest[pos..].chars();
        if let Some(c) = chars.next() {
            encode_char(c, out);
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out.push('"');
}

/// True for a byte [`encode_string`] does not copy as is: a control
/// character, `"`, `\\`, `<`, `>`, `&`, or 0xE2 (which may start U+2028 or
/// U+2029).
#[inline(always)]
fn needs_care(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\') | (b == b'<') | (b == b'>') | (b == b'&') | (b == 0xE2)
}

/// The position of the first byte that [`needs_care`]. Blocks of 32 bytes
/// are tested whole (a loop without an early exit, which the compiler
/// vectorizes); the block holding one is then searched byte by byte.
fn first_needing_care(b: &[u8]) -> Option<usize> {
    const BLOCK: usize = 32;
    let mut blocks = b.chunks_exact(BLOCK);
    let mut at = 0;
    for block in &mut blocks {
        let mut any = false;
        for &c in block {
            any |= needs_care(c);
        }
        if any {
            return block.iter().position(|&c| needs_care(c)).map(|p| at + p);
        }
        at += BLOCK;
    }
    blocks
        .remainder()
        .iter()
        .position(|&c| needs_care(c))
        .map(|p| at + p)
}

/// One character of [`encode_string`].
fn encode_char(c: char, out: &mut String) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c if (c as u32) < 0x20 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hash(j: serde_json::Value) -> String {
        hash_suffix(&Value::from(j)).unwrap()
    }

    fn cm(data: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": data})
    }

    /// The table-driven suffix equals hex digits with the substitutions.
    #[test]
    fn suffix_digits_follow_the_substitutions() {
        for text in ["", "a", "{\"data\":\"\"}", "x\ny", &"long ".repeat(40)] {
            let digest = Sha256::digest(text.as_bytes());
            let mut hex = String::new();
            for b in digest.iter() {
                let _ = write!(hex, "{:02x}", b);
            }
            let want: String = hex
                .chars()
                .take(10)
                .map(|c| match c {
                    '0' => 'g',
                    '1' => 'h',
                    '3' => 'k',
                    'a' => 'm',
                    'e' => 't',
                    c => c,
                })
                .collect();
            assert_eq!(suffix_of(text), want, "{text:?}");
        }
    }

    /// The block-wise search finds what a byte-by-byte one does.
    #[test]
    fn first_needing_care_agrees_with_the_byte_search() {
        for len in [0usize, 1, 31, 32, 33, 64, 70] {
            let base = "ab ~/:{}".repeat(10).into_bytes()[..len].to_vec();
            assert_eq!(first_needing_care(&base), None);
            for pos in 0..len {
                for bad in [
                    0u8, b'\n', 0x1f, b'"', b'\\', b'<', b'>', b'&', 0xe2, b'x', 0xe3,
                ] {
                    let mut t = base.clone();
                    t[pos] = bad;
                    let want = t.iter().position(|&c| {
                        c < 0x20 || matches!(c, b'"' | b'\\' | b'<' | b'>' | b'&' | 0xE2)
                    });
                    assert_eq!(first_needing_care(&t), want, "{len} {pos} {bad}");
                }
            }
        }
    }

    // Every expected suffix below came from `kubectl kustomize` (v5.5.0) on a
    // configMapGenerator / secretGenerator producing exactly this content.

    #[test]
    fn config_map_literals() {
        // name a, literals [k=v]
        assert_eq!(hash(cm(json!({"k": "v"}))), "bdg947hgcc");
        // name c, literals [k=v, x=1, "z=<&>"]
        assert_eq!(
            hash(cm(json!({"k": "v", "x": "1", "z": "<&>"}))),
            "ktf6mg59k7"
        );
        // literals [b=2, a=1, "c=three words", "d="]
        assert_eq!(
            hash(cm(json!({"a": "1", "b": "2", "c": "three words", "d": ""}))),
            "tfgkg7t229"
        );
        // behavior: replace with literals [z=26]
        assert_eq!(hash(cm(json!({"z": "26"}))), "9m94kf28mm");
    }

    #[test]
    fn name_is_not_hashed() {
        // kubectl: generators `a` and `b` with the same literal both got
        // -bdg947hgcc.
        let mut other = cm(json!({"k": "v"}));
        other["metadata"]["name"] = json!("a-completely-different-name");
        assert_eq!(hash(other), "bdg947hgcc");
    }

    #[test]
    fn config_map_without_data() {
        // literals: [] gives a ConfigMap with no data field.
        assert_eq!(
            hash(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "e"}})),
            "6ct58987ht"
        );
    }

    #[test]
    fn config_map_files_and_binary_data() {
        // files [f.txt ("hello\nworld\n"), b.bin (ff fe 00 'bin')]
        let r = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "files"},
            "data": {"f.txt": "hello\nworld\n"}, "binaryData": {"b.bin": "//4AYmlu"}});
        assert_eq!(hash(r), "92f6tdfh49");
    }

    #[test]
    fn config_map_escapes() {
        // file w.txt: a U+2028 e é 😀 < > & " \ / newline tab z CR LF
        let r = cm(json!({"w.txt": "a\u{2028}e\u{e9}\u{1F600}<>&\"\\/\n\tz\r\n"}));
        assert_eq!(hash(r), "2c7bd85d5m");
    }

    #[test]
    fn config_map_patched_non_strings() {
        // generated num (n=5), then a JSON patch made n 12345678901234567890,
        // added m: 1.5, t: true, nul: null.
        let r = cm(json!({"n": 12345678901234567890u64, "m": 1.5, "t": true, "nul": null}));
        assert_eq!(hash(r), "7df5g4m5h7");
        let r = cm(json!({"n": 12345678901234567000.0, "m": 1.5, "t": true, "nul": null}));
        assert_eq!(hash(r), "7df5g4m5h7");
        // Before the patch: n=5.
        assert_eq!(hash(cm(json!({"n": "5"}))), "g4d5c6cd52");
    }

    #[test]
    fn secrets() {
        let s = |data: serde_json::Value, ty: &str| {
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                "type": ty, "data": data})
        };
        // literals [k=v]
        assert_eq!(hash(s(json!({"k": "dg=="}), "Opaque")), "ftgtgc4t9f");
        // literals [k=v], type kubernetes.io/tls
        assert_eq!(
            hash(s(json!({"k": "dg=="}), "kubernetes.io/tls")),
            "8d9db26b4d"
        );
        // literals [user=admin, pass=s3cr3t]
        assert_eq!(
            hash(s(json!({"user": "YWRtaW4=", "pass": "czNjcjN0"}), "Opaque")),
            "27b7dg5m6t"
        );
        // tls.crt=CERT, tls.key=KEY, type kubernetes.io/tls
        assert_eq!(
            hash(s(
                json!({"tls.crt": "Q0VSVA==", "tls.key": "S0VZ"}),
                "kubernetes.io/tls"
            )),
            "4b255hm948"
        );
        // [a=1] in the base; merged with [b=2] by an overlay (behavior: merge).
        assert_eq!(hash(s(json!({"a": "MQ=="}), "Opaque")), "25khgmg44c");
        assert_eq!(
            hash(s(json!({"a": "MQ==", "b": "Mg=="}), "Opaque")),
            "8fb7cfch84"
        );
    }

    #[test]
    fn encodings() {
        let m = Value::from(json!({"kind": "ConfigMap", "metadata": {"name": "x"}}));
        assert_eq!(
            encode_config_map(m.as_map().unwrap()),
            r#"{"data":"","kind":"ConfigMap","name":""}"#
        );
        let m = Value::from(
            json!({"kind": "Secret", "data": {"b": 1, "a": [1e21, 1e-7]},
            "stringData": {"x": "\u{1}"}}),
        );
        assert_eq!(
            encode_secret(m.as_map().unwrap()),
            r#"{"data":{"a":[1e+21,1e-7],"b":1},"kind":"Secret","name":"","stringData":{"x":"\u0001"},"type":""}"#
        );
    }

    #[test]
    fn other_kinds_fail() {
        let r = Value::from(json!({"kind": "Deployment", "metadata": {"name": "x"}}));
        assert!(hash_suffix(&r).is_err());
        assert!(hash_suffix(&Value::from(json!([1]))).is_err());
    }
}
