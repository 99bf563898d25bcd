//! Writes [`Value`]s byte for byte as kustomize 5.5 does (go-yaml v2 style).

use super::value::Value;

/// One document, ending in a newline, without a leading `---`.
pub fn emit_document(_v: &Value) -> String {
    unimplemented!("yaml emitter")
}

/// Documents joined by `---\n`.
pub fn emit_stream(docs: &[Value]) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&emit_document(d));
    }
    out
}
