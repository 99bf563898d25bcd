//! Unit tests of matching, pairing, masking and field paths.

use super::*;
use serde_json::json;

fn v(j: serde_json::Value) -> Value {
    Value::from(j)
}

#[test]
fn placeholder() {}
