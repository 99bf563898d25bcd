//! Everything YAML: the value model, the reader (kustomize's scalar rules) and
//! the go-yaml-v2-compatible emitter. No other module touches a YAML crate.

mod emit;
pub mod fast;
mod locate;
mod pos;
mod read;
pub mod spans;
mod value;

pub use emit::{
    Comments, check_writable, emit_document, emit_document_checked, emit_document_commented,
    emit_stream, emit_stream_refs, natural_less,
};
pub use locate::{LineIndex, PathSeg};
pub use pos::{PathStep, Pos, PosTree};
pub use read::{
    MAX_DEPTH, Scalars, YamlError, float_value, parse_documents, parse_documents_as,
    parse_documents_lenient, parse_documents_with_positions, parse_single,
};
pub use value::{Map, NullForm, Value, format_go_float, format_go_float32};
