//! aiw: a Kustomize-compatible overlay compiler.
//!
//! The pipeline reads top to bottom: [`loader`] (filesystem, load restrictions)
//! → [`kustomization`] (the file's fields) → [`build`] (accumulate resources,
//! components and generators, run transformers) → [`order`] → [`yaml`] emit.

pub mod error;
pub mod hash;
pub mod order;
pub mod patch;
pub mod resource;
pub mod schema;
pub mod yaml;

pub use error::{Error, Result};
