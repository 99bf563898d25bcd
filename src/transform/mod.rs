//! Transformers: each a small filter over the accumulated resources.

pub mod name_reference;
pub mod plugins;
pub mod replacements;
pub mod vars;
