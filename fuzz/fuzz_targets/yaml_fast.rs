//! The YAML reader's fast path against the full reader: for any text, every
//! chunk the fast path accepts reads to the same value with the full reader
//! (strict and lenient), and the reader's entry points give exactly what the
//! full reader alone gives, errors included.
#![no_main]

use aiw::yaml::fast::check_against_full_reader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = check_against_full_reader(text) {
        panic!("fast path and full reader differ: {e}");
    }
});
