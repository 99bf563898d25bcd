//! The `generators:` and `transformers:` fields (builtin plugin configs) and
//! `buildMetadata`.

use crate::build::Accumulator;
use crate::error::{Error, Result};
use crate::kustomization::Kustomization;
use crate::loader::Loader;
use crate::resource::{ResMap, Resource};

/// Runs the `generators:` entries; returns the generated resources.
pub fn run_generators(
    _ldr: &Loader,
    k: &Kustomization,
    _existing: &ResMap,
) -> Result<Vec<Resource>> {
    if !k.generators.is_empty() {
        return Err(Error::in_file(
            &k.file,
            "field generators: generator plugins are not supported yet",
        ));
    }
    Ok(Vec::new())
}

/// Runs the `transformers:` entries over the accumulated resources.
pub fn run_transformers(_ldr: &Loader, k: &Kustomization, _ra: &mut Accumulator) -> Result<()> {
    if !k.transformers.is_empty() {
        return Err(Error::in_file(
            &k.file,
            "field transformers: transformer plugins are not supported yet",
        ));
    }
    if !k.validators.is_empty() {
        return Err(Error::in_file(
            &k.file,
            "field validators: validator plugins are not supported",
        ));
    }
    Ok(())
}

/// Applies `buildMetadata` options to the final resources.
pub fn apply_build_metadata(k: &Kustomization, _m: &mut ResMap) -> Result<()> {
    if !k.build_metadata.is_empty() {
        return Err(Error::in_file(
            &k.file,
            "field buildMetadata is not supported yet",
        ));
    }
    Ok(())
}
