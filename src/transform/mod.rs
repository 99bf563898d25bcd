//! The simple builtin transformers of kustomize v5.5, each a pure filter over
//! resources driven by field specs: namespace, name prefix/suffix, labels,
//! annotations, image tags and replica counts.
//!
//! The build pipeline runs them in kustomize's order: namespace, prefix,
//! suffix, labels (each `labels:` entry, then `commonLabels`), annotations,
//! (JSON 6902 patches), replicas, images (one run per `images:` entry).

pub mod annotations;
pub mod images;
pub mod labels;
pub mod name_reference;
pub mod namespace;
pub mod plugin_config;
pub mod plugins;
pub mod prefix_suffix;
pub mod replacements;
pub mod replicas;
pub mod vars;

use crate::error::Result;
use crate::fieldspec::wrong_kind_error;
use crate::yaml::Value;

/// Sets `key: value` in a mapping reached by a field spec, as kyaml's
/// `SetEntry` does: a `null` node is left alone, a scalar or sequence is an
/// error. True when the entry was created (not there before).
pub(crate) fn set_map_entry(node: &mut Value, key: &str, value: &str) -> Result<bool> {
    match node {
        Value::Null(_) => Ok(false),
        Value::Map(m) => match m.position(key) {
            Some(i) => {
                if let Some(slot) = m.value_at_mut(i) {
                    *slot = Value::String(value.to_string());
                }
                Ok(false)
            }
            None => {
                m.push_new(key, Value::String(value.to_string()));
                Ok(true)
            }
        },
        other => Err(wrong_kind_error("MappingNode", other)),
    }
}

/// Fails unless `node` is a scalar (or `null`), as kyaml's scalar setters do.
pub(crate) fn check_scalar(node: &Value) -> Result<()> {
    match node {
        Value::Map(_) | Value::Seq(_) => Err(wrong_kind_error("ScalarNode", node)),
        _ => Ok(()),
    }
}

/// True for a resource kustomize skips as empty (`null` or `{}`).
pub(crate) fn is_nil_or_empty(v: &Value) -> bool {
    match v {
        Value::Null(_) => true,
        Value::Map(m) => m.is_empty(),
        Value::Seq(s) => s.is_empty(),
        _ => false,
    }
}

/// Sorts key/value pairs by key (kustomize applies map entries in sorted key
/// order), keeping the last value of a repeated key.
pub(crate) fn sorted_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        match out.iter_mut().find(|(ek, _)| ek == k) {
            Some(slot) => slot.1 = v.clone(),
            None => out.push((k.clone(), v.clone())),
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Sets every `key: value` of `pairs` (in sorted key order) in each mapping
/// that `specs` select in every resource, creating maps where a spec says
/// `create`: the common body of the label and annotation transformers.
pub(crate) fn add_map_entries(
    resources: &mut [crate::resource::Resource],
    pairs: &[(String, String)],
    specs: &[crate::fieldspec::FieldSpec],
) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    let pairs = sorted_pairs(pairs);
    // kustomize walks the specs once per pair. One walk setting every pair
    // reaches the same nodes in the same order when no set can change a
    // later walk: no spec may change the object's apiVersion or kind (which
    // select the specs), and no pair key is a word of a spec's path (so a
    // set never adds or replaces a node some path goes through).
    let one_walk = !pairs.iter().any(|(k, _)| k == "apiVersion" || k == "kind")
        && !specs.iter().any(|s| {
            crate::fieldspec::may_touch_gvk(&s.path)
                || s.path.contains('\\')
                || s.path
                    .split(['/', '[', ']', '='])
                    .any(|word| pairs.iter().any(|(k, _)| k == word))
        });
    // Each resource on its own: split over spare cores, first error first.
    // Each key a run creates in several places of one resource is one
    // shared node in kustomize: noted, then recorded as an alias group.
    crate::workers::map_parts(resources, PARALLEL_MIN, |_, part| {
        let mut created = crate::alias::Created::default();
        for r in part.iter_mut() {
            created.clear();
            if one_walk {
                crate::fieldspec::apply_specs_traced(
                    &mut r.value,
                    specs,
                    Some(crate::fieldspec::CreateKind::Map),
                    &mut |node, trail| {
                        for (i, (k, v)) in pairs.iter().enumerate() {
                            if set_map_entry(node, k, v)? {
                                created.note(i, trail);
                            } else {
                                created.wrote = true;
                            }
                        }
                        Ok(())
                    },
                )?;
            } else {
                for (i, (k, v)) in pairs.iter().enumerate() {
                    crate::fieldspec::apply_specs_traced(
                        &mut r.value,
                        specs,
                        Some(crate::fieldspec::CreateKind::Map),
                        &mut |node, trail| {
                            if set_map_entry(node, k, v)? {
                                created.note(i, trail);
                            } else {
                                created.wrote = true;
                            }
                            Ok(())
                        },
                    )?;
                }
            }
            crate::alias::record_created(r, &created, &pairs);
        }
        Ok(())
    })
    .into_iter()
    .collect()
}

/// Positions filed under a hash of a name, in one sorted vector: no name
/// copied, one allocation for the whole index. A lookup may also give a
/// position filed under another name of the same hash: every caller checks
/// the name itself after.
pub(crate) struct NameIndex(Vec<(u64, usize)>);

impl NameIndex {
    /// The index of `(name, position)` pairs (in any order, repeats allowed).
    pub(crate) fn new<'a>(entries: impl IntoIterator<Item = (&'a str, usize)>) -> NameIndex {
        let mut idx: Vec<(u64, usize)> = entries
            .into_iter()
            .map(|(name, pos)| (name_hash(name), pos))
            .collect();
        idx.sort_unstable();
        idx.dedup();
        NameIndex(idx)
    }

    /// The positions filed under `name`'s hash, in increasing order.
    pub(crate) fn positions(&self, name: &str) -> impl Iterator<Item = usize> + '_ {
        let h = name_hash(name);
        let start = self.0.partition_point(|&(k, _)| k < h);
        self.0[start..]
            .iter()
            .take_while(move |&&(k, _)| k == h)
            .map(|&(_, pos)| pos)
    }
}

/// The hash [`NameIndex`] files a name under.
fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name)
}

/// Resources per thread, at least, when a transformer splits its work over
/// spare cores (below that, starting a thread costs more than it saves).
pub(crate) const PARALLEL_MIN: usize = 32;

#[cfg(test)]
pub(crate) mod testutil {
    //! Helpers for the transformer tests.

    use crate::resource::{ResMap, Resource};
    use crate::yaml::Value;

    /// Builds resources from JSON values.
    pub fn res(docs: Vec<serde_json::Value>) -> Vec<Resource> {
        docs.into_iter()
            .map(|d| Resource::new(Value::from(d)))
            .collect()
    }

    /// Builds a ResMap from JSON values.
    pub fn resmap(docs: Vec<serde_json::Value>) -> ResMap {
        let mut m = ResMap::new();
        for r in res(docs) {
            m.push(r);
        }
        m
    }

    /// The values of resources, for comparison.
    pub fn values(rs: &[Resource]) -> Vec<Value> {
        rs.iter().map(|r| r.value.clone()).collect()
    }

    /// Values from JSON.
    pub fn vals(docs: Vec<serde_json::Value>) -> Vec<Value> {
        docs.into_iter().map(Value::from).collect()
    }
}
