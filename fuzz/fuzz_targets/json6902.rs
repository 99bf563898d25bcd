//! JSON 6902: a YAML target document and a YAML list of operations,
//! separated by a line `%%`; parsing, checking and applying must never panic.
#![no_main]

use aiw::patch::json6902::{Patch, Syntax};
use aiw::yaml::{emit_document, parse_single};
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
    let Ok(Some(ops)) = parse_single(b) else {
        return;
    };
    let syntax = if b.starts_with('[') {
        Syntax::Json
    } else {
        Syntax::Yaml
    };
    let Ok(patch) = Patch::parse(&ops, syntax) else {
        return;
    };
    let _ = patch.check();
    if patch.apply(&mut target).is_ok() {
        let _ = emit_document(&target);
    }
});
