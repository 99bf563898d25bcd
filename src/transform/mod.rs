//! Transformers: each a small, pure filter over the accumulated resources,
//! listed in the order kustomize runs them.

pub mod namespace;
pub mod prefix_suffix;
pub mod labels;
pub mod annotations;
pub mod replicas;
pub mod images;
pub mod replacements;
pub mod name_reference;
pub mod vars;
pub mod plugins;
