//! Everything YAML: the value model, the reader (kustomize's scalar rules) and
//! the go-yaml-v2-compatible emitter. No other module touches a YAML crate.

mod emit;
pub mod fast;
mod pos;
mod read;
mod value;

pub use emit::{
    Comments, check_writable, emit_document, emit_document_commented, emit_stream,
    emit_stream_refs, natural_less,
};
pub use pos::{PathStep, Pos, PosTree};
pub use read::{
    MAX_DEPTH, YamlError, float_value, parse_documents, parse_documents_lenient,
    parse_documents_with_positions, parse_single,
};
pub use value::{Map, Value, format_go_float};
