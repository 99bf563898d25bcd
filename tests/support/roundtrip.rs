//! Round-trip helpers shared by `tests/properties.rs` and the
//! `yaml_roundtrip` fuzz target (which includes this file by path).

use aiw::yaml::Value;

/// True when a document of the stream ends in U+2028/U+2029, so that the
/// next `---` follows it on the same line (kyaml does not split there).
pub fn ends_in_line_separator(out: &str) -> bool {
    out.contains("\u{2028}---\n") || out.contains("\u{2029}---\n")
}

/// The documents with every mapping's entries sorted by key.
pub fn unordered(docs: &[Value]) -> Vec<Value> {
    fn canon(v: &Value) -> Value {
        match v {
            Value::Map(m) => {
                let mut e: Vec<(String, Value)> =
                    m.iter().map(|(k, v)| (k.clone(), canon(v))).collect();
                e.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Map(e.into_iter().collect())
            }
            Value::Seq(items) => Value::Seq(items.iter().map(canon).collect()),
            other => other.clone(),
        }
    }
    docs.iter().map(canon).collect()
}
