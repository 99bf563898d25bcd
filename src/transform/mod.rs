//! Transformers that run over the whole resource set.

pub mod replacements;
pub mod vars;
