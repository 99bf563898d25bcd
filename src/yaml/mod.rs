//! Everything YAML: the value model, the reader (kustomize's scalar rules) and
//! the go-yaml-v2-compatible emitter. No other module touches a YAML crate.

mod emit;
pub mod fast;
mod read;
mod value;

pub use emit::{check_writable, emit_document, emit_stream, emit_stream_refs, natural_less};
pub use read::{
    MAX_DEPTH, YamlError, float_value, parse_documents, parse_documents_lenient, parse_single,
};
pub use value::{Map, NullForm, Value, format_go_float, format_go_float32};
