//! Everything YAML: the value model, the reader (kustomize's scalar rules) and
//! the go-yaml-v2-compatible emitter. No other module touches a YAML crate.

mod emit;
mod read;
mod value;

pub use emit::{emit_document, emit_stream};
pub use read::{MAX_DEPTH, YamlError, float_value, parse_documents, parse_single};
pub use value::{Map, Value, format_go_float};
