//! Strategic merge: two YAML documents (target, patch) separated by a line
//! `%%`; merging must never panic, and the result must be emittable.
#![no_main]

use aiw::patch::smp::merge_patch;
use aiw::schema::Schema;
use aiw::yaml::{Value, emit_document, parse_single};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some((a, b)) = text.split_once("\n%%\n") else {
        return;
    };
    let Ok(Some(mut target)) = parse_single(a) else {
        return;
    };
    let Ok(Some(patch)) = parse_single(b) else {
        return;
    };
    if !matches!(target, Value::Map(_)) || !matches!(patch, Value::Map(_)) {
        return;
    }
    if merge_patch(&mut target, &patch, Schema::builtin()).is_ok() {
        let _ = emit_document(&target);
    }
});
