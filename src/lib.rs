//! aiw: a Kustomize-compatible overlay compiler.
//!
//! The pipeline reads top to bottom: [`loader`] (filesystem, load
//! restrictions) → [`kustomization`] (the file's fields) → [`build`]
//! (accumulate resources, components and [`generate`]d objects, run the
//! [`patch`]es and [`transform`]ers, fix name references) → [`order`] →
//! [`yaml`] emit.

pub mod alias;
pub mod build;
pub mod build_flags;
pub mod crds;
pub mod diff;
pub mod dircache;
pub mod edit;
pub mod error;
pub mod explain;
pub mod fieldspec;
pub mod generate;
pub mod hash;
pub mod helm;
pub mod incremental;
pub mod kustomization;
pub mod loader;
pub mod manpage;
pub mod order;
pub mod out_dir;
pub mod output;
pub mod patch;
pub mod remote;
pub mod resource;
pub mod schema;
pub mod selector;
pub mod session;
pub mod stable_sort;
pub mod suggest;
pub mod transform;
pub mod validate;
pub mod version;
pub mod watch;
mod workers;
pub use workers::Warm;
pub mod yaml;

pub use error::{Error, Result};
