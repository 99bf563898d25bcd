//! Name references: after names change (prefix, suffix, hash, namespace),
//! every field that refers to a renamed object by its old name is rewritten
//! (kustomize's `nameref` filter over the `nameReference` field specs).
//!
//! Candidates are found through an index of previous names, never by
//! scanning every resource per reference.

use std::collections::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::fieldspec::{self, FieldSpec, TransformerConfig};
use crate::resource::{Gvk, ResId, ResMap, Resource, effective_namespace, is_cluster_scoped};
use crate::transform::NameIndex;
use crate::yaml::Value;

/// What the filter needs to know of a possible referral, snapshotted before
/// referrers are edited.
struct Candidate {
    id: ResId,
    /// Previous ids with the current group/version, as kustomize rebuilds them.
    prev: Vec<ResId>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    cluster_scoped: bool,
    eff_ns: String,
    orig_eff_ns: String,
}

/// kustomize's `SameEndingSubSlice`.
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    let diff = long.len() - short.len();
    (0..short.len()).all(|i| long[i + diff] == short[i])
}

fn prefix_suffix_equals(c: &Candidate, r: &Candidate, allow_empty: bool) -> bool {
    if allow_empty {
        let pe = c.prefixes.is_empty() || r.prefixes.is_empty();
        let se = c.suffixes.is_empty() || r.suffixes.is_empty();
        (pe || same_ending(&c.prefixes, &r.prefixes))
            && (se || same_ending(&c.suffixes, &r.suffixes))
    } else {
        same_ending(&c.prefixes, &r.prefixes) && same_ending(&c.suffixes, &r.suffixes)
    }
}

fn gvk_selected(gvk: &Gvk, sel: &Gvk) -> bool {
    (sel.group.is_empty() || gvk.group == sel.group)
        && (sel.version.is_empty() || gvk.version == sel.version)
        && (sel.kind.is_empty() || gvk.kind == sel.kind)
}

struct Index {
    cands: Vec<Candidate>,
    /// The candidates by their previous names.
    by_prev_name: NameIndex,
    orig_namespaces: HashSet<String>,
}

impl Index {
    /// The candidates: `m`'s resources, then `extra`; `namespaces` are
    /// more original namespaces of referable resources.
    fn new(m: &ResMap, extra: &[&Resource], namespaces: &HashSet<String>) -> Index {
        // Each resource's candidate on its own (split over spare cores),
        // then the name and namespace tables in order.
        let mut resources: Vec<&Resource> =
            m.resources().iter().chain(extra.iter().copied()).collect();
        let cands: Vec<Candidate> =
            crate::workers::map_each(&mut resources, crate::transform::PARALLEL_MIN, |r| {
                Candidate::new(r)
            });
        let mut orig_namespaces: HashSet<String> = namespaces
            .iter()
            .filter(|ns| *ns != "_non_namespaceable_")
            .cloned()
            .collect();
        let by_prev_name = NameIndex::new(
            cands
                .iter()
                .enumerate()
                .flat_map(|(pos, c)| c.prev.iter().map(move |p| (p.name.as_str(), pos))),
        );
        for c in &cands {
            if c.orig_eff_ns != "_non_namespaceable_" && !orig_namespaces.contains(&c.orig_eff_ns) {
                orig_namespaces.insert(c.orig_eff_ns.clone());
            }
        }
        Index {
            cands,
            by_prev_name,
            orig_namespaces,
        }
    }
}

impl Candidate {
    fn new(r: &Resource) -> Candidate {
        let id = r.id();
        let gvk = id.gvk.clone();
        let prev: Vec<ResId> = r
            .prev_ids
            .iter()
            .map(|p| ResId {
                gvk: Gvk {
                    group: gvk.group.clone(),
                    version: gvk.version.clone(),
                    kind: p.gvk.kind.clone(),
                },
                namespace: p.namespace.clone(),
                name: p.name.clone(),
            })
            .collect();
        let cluster_scoped = is_cluster_scoped(&gvk);
        let eff_ns = effective_namespace(&gvk, &id.namespace).to_string();
        let orig = prev.first().unwrap_or(&id);
        let orig_eff_ns = effective_namespace(&orig.gvk, &orig.namespace).to_string();
        Candidate {
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
            id,
            prev,
            cluster_scoped,
            eff_ns,
            orig_eff_ns,
        }
    }
}

/// The referrer-side context of one filter run.
struct Ctx<'a> {
    index: &'a Index,
    referrer: usize,
    target: &'a Gvk,
    /// Role/ClusterRole gvk named by the referrer's `roleRef`, for
    /// `roleRef/name` specs.
    role_ref: Option<Gvk>,
    /// Namespaces of ServiceAccount subjects when the referrer is a RoleBinding.
    binding_namespaces: &'a HashSet<String>,
    /// (referral, referrer) pairs found.
    refs: Vec<(usize, usize)>,
}

impl Ctx<'_> {
    fn in_subset(&self, c: &Candidate) -> bool {
        let r = &self.index.cands[self.referrer];
        r.cluster_scoped
            || c.cluster_scoped
            || c.eff_ns == r.eff_ns
            || self.binding_namespaces.contains(&c.id.namespace)
    }

    fn sieve(&self, name: &str, ns_filter: Option<&str>) -> Vec<usize> {
        let r = &self.index.cands[self.referrer];
        let by_orig_ns = ns_filter.map(|ns| self.index.orig_namespaces.contains(ns));
        self.index
            .by_prev_name
            .positions(name)
            .filter(|&p| {
                let c = &self.index.cands[p];
                if !c.prev.iter().any(|id| id.name == name) || !self.in_subset(c) {
                    return false;
                }
                if let (Some(ns), Some(orig)) = (ns_filter, by_orig_ns) {
                    let got = if orig { &c.orig_eff_ns } else { &c.eff_ns };
                    if got != ns {
                        return false;
                    }
                }
                if !c.prev.iter().any(|id| gvk_selected(&id.gvk, self.target)) {
                    return false;
                }
                if let Some(rr) = &self.role_ref
                    && !c.prev.iter().any(|id| gvk_selected(&id.gvk, rr))
                {
                    return false;
                }
                // sameCurrentNamespaceAsReferrer
                r.cluster_scoped
                    || c.cluster_scoped
                    || c.id.gvk.kind == "ServiceAccount"
                    || c.eff_ns == r.eff_ns
            })
            .collect()
    }

    /// kustomize's `selectReferral`.
    fn select(&self, name: &str, ns_filter: Option<&str>, with_ns: bool) -> Result<Option<usize>> {
        let mut c = self.sieve(name, ns_filter);
        if c.len() == 1 {
            return Ok(Some(c[0]));
        }
        let r = &self.index.cands[self.referrer];
        c.retain(|&p| prefix_suffix_equals(&self.index.cands[p], r, true));
        if c.len() > 1 {
            c.retain(|&p| prefix_suffix_equals(&self.index.cands[p], r, false));
        }
        match c.len() {
            0 => Ok(None),
            1 => Ok(Some(c[0])),
            _ => {
                let first = &self.index.cands[c[0]].id;
                let identical = c.iter().all(|&p| {
                    let id = &self.index.cands[p].id;
                    id.name == first.name && (!with_ns || id.namespace == first.namespace)
                });
                if identical {
                    return Ok(Some(c[0]));
                }
                let ids: Vec<String> = c
                    .iter()
                    .map(|&p| self.index.cands[p].id.to_string())
                    .collect();
                Err(Error::msg(format!(
                    "found multiple possible referrals for name {:?} referenced by {}: {}",
                    name,
                    r.id,
                    ids.join(", ")
                )))
            }
        }
    }

    fn set_scalar(&mut self, node: &mut Value) -> Result<()> {
        let Some(name) = node.as_str() else {
            return Ok(());
        };
        let Some(p) = self.select(name, None, false)? else {
            return Ok(());
        };
        self.refs.push((p, self.referrer));
        let new = &self.index.cands[p].id.name;
        if new != name {
            *node = Value::String(new.clone());
        }
        Ok(())
    }

    fn set_mapping(&mut self, node: &mut Value) -> Result<()> {
        let Some(m) = node.as_map_mut() else {
            return Ok(());
        };
        let Some(name) = m.get("name") else {
            return Err(Error::msg("path config error; no 'name' field in node"));
        };
        let Some(name) = name.as_str().map(str::to_string) else {
            return Ok(());
        };
        let ns = m
            .get("namespace")
            .map(|v| v.scalar_string().unwrap_or_default());
        let Some(p) = self.select(&name, ns.as_deref(), true)? else {
            return Ok(());
        };
        self.refs.push((p, self.referrer));
        let referral = &self.index.cands[p].id;
        if referral.name == name && referral.namespace.is_empty() {
            return Ok(());
        }
        m.insert("name", Value::String(referral.name.clone()));
        if !referral.namespace.is_empty() {
            m.insert("namespace", Value::String(referral.namespace.clone()));
        }
        Ok(())
    }

    fn set(&mut self, node: &mut Value) -> Result<()> {
        match node {
            Value::Null(_) => Ok(()),
            Value::Map(_) => self.set_mapping(node),
            Value::Seq(items) => {
                for item in items.iter_mut() {
                    match item {
                        Value::Null(_) => {}
                        Value::Map(_) => self.set_mapping(item)?,
                        Value::Seq(_) => {
                            return Err(Error::msg(
                                "a name reference list item must be a string or a mapping",
                            ));
                        }
                        _ => self.set_scalar(item)?,
                    }
                }
                Ok(())
            }
            _ => self.set_scalar(node),
        }
    }
}

fn role_ref_gvk(v: &Value) -> Option<Gvk> {
    let rr = v.get("roleRef")?;
    let group = rr.get("apiGroup")?.scalar_string()?;
    let kind = rr.get("kind")?.scalar_string()?;
    Some(Gvk {
        group,
        version: String::new(),
        kind,
    })
}

/// Namespaces of the ServiceAccount subjects of a RoleBinding; a subject
/// whose `namespace` is present but blank is an error, as in kustomize.
fn binding_namespaces(v: &Value, id: &ResId) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    if v.get("kind").and_then(Value::as_str) != Some("RoleBinding") {
        return Ok(out);
    }
    if let Some(Value::Seq(subjects)) = v.get("subjects") {
        for s in subjects {
            if s.get("kind").and_then(Value::as_str) != Some("ServiceAccount") {
                continue;
            }
            match s.get("namespace") {
                None => {}
                Some(Value::String(ns)) => {
                    out.insert(ns.clone());
                }
                Some(_) => {
                    return Err(Error::msg(format!(
                        "Invalid Input: namespace is blank for a ServiceAccount subject of {}",
                        id
                    )));
                }
            }
        }
    }
    Ok(out)
}

/// Rewrites every name reference in `m` per `config.name_reference`.
pub fn apply(m: &mut ResMap, config: &TransformerConfig) -> Result<()> {
    apply_with_referrals(m, config, &[], &HashSet::new())
}

/// True when `r` can be the referral of a name reference under `config`:
/// it was renamed (only renamed resources are looked up) and one of its
/// earlier kinds is a referral kind.
pub fn referable(config: &TransformerConfig, r: &Resource) -> bool {
    r.prev_ids.iter().any(|p| {
        config
            .name_reference
            .iter()
            .any(|b| b.gvk.kind.is_empty() || b.gvk.kind == p.gvk.kind)
    })
}

/// The original effective namespaces of `resources`, as the filter reads
/// them to tell how a reference's namespace is meant.
pub fn original_namespaces<'a>(resources: impl Iterator<Item = &'a Resource>) -> HashSet<String> {
    let mut scoped: HashMap<(&str, &str), bool> = HashMap::new();
    let mut out: HashSet<String> = HashSet::new();
    for r in resources {
        let api = r.api_version();
        let (kind, ns) = match r.prev_ids.first() {
            Some(p) => (p.gvk.kind.as_str(), p.namespace.as_str()),
            None => (r.kind(), r.namespace()),
        };
        let cluster = *scoped
            .entry((api, kind))
            .or_insert_with(|| is_cluster_scoped(&Gvk::from_api_version(api, kind)));
        let eff = if cluster {
            "_non_namespaceable_"
        } else if ns.is_empty() {
            "default"
        } else {
            ns
        };
        if !out.contains(eff) {
            out.insert(eff.to_string());
        }
    }
    out
}

/// [`apply`] where `extra` are more resources that may be referred to (as
/// they are at this step) but are not themselves edited, and `namespaces`
/// the original namespaces ([`original_namespaces`]) of any others that
/// exist besides `m` and `extra`: watch mode's rebuild runs the top-level
/// steps only over the resources that can have changed (see
/// [`crate::incremental`]), the others being referable as the last build
/// left them.
pub fn apply_with_referrals(
    m: &mut ResMap,
    config: &TransformerConfig,
    extra: &[&Resource],
    namespaces: &HashSet<String>,
) -> Result<()> {
    if config.name_reference.is_empty() || m.is_empty() {
        return Ok(());
    }
    let index = Index::new(m, extra, namespaces);
    let own = m.len();
    // Referrers by original kind, so a spec naming a kind visits only those.
    let mut by_kind: HashMap<&str, Vec<usize>> = HashMap::new();
    for (pos, c) in index.cands[..own].iter().enumerate() {
        let k = c
            .prev
            .first()
            .map(|p| p.gvk.kind.as_str())
            .unwrap_or(&c.id.gvk.kind);
        by_kind.entry(k).or_default().push(pos);
    }
    let all: Vec<usize> = (0..own).collect();
    // The filters each referrer runs, in config order.
    let mut filters: Vec<Vec<(&Gvk, &FieldSpec)>> = vec![Vec::new(); own];
    for backref in &config.name_reference {
        for spec in &backref.referrers {
            let positions = if spec.kind.is_empty() {
                &all
            } else {
                match by_kind.get(spec.kind.as_str()) {
                    Some(v) => v,
                    None => continue,
                }
            };
            for &pos in positions {
                let c = &index.cands[pos];
                let orig_gvk = c.prev.first().map(|p| &p.gvk).unwrap_or(&c.id.gvk);
                if spec.matches_gvk(orig_gvk) {
                    filters[pos].push((&backref.gvk, spec));
                }
            }
        }
    }
    // Referrals come from the snapshot in `index`, so each referrer is
    // edited in place on its own (split over spare cores); `update_each`
    // keeps the id index right.
    let positions: Vec<usize> = (0..filters.len())
        .filter(|&p| !filters[p].is_empty())
        .collect();
    let found = m.update_each(&positions, |pos, r| -> Result<Vec<(usize, usize)>> {
        let referrer_id = &index.cands[pos].id;
        let role_ref = role_ref_gvk(&r.value);
        let binding_ns = if index.cands[pos].cluster_scoped {
            HashSet::new()
        } else {
            binding_namespaces(&r.value, referrer_id)?
        };
        let mut refs = Vec::new();
        // The paths of the specs that wrote (or kept) a name, when the
        // resource has shared nodes.
        let mut written: Vec<&str> = Vec::new();
        for (target, spec) in &filters[pos] {
            let mut ctx = Ctx {
                index: &index,
                referrer: pos,
                target,
                role_ref: if spec.path.ends_with("roleRef/name") {
                    role_ref.clone()
                } else {
                    None
                },
                binding_namespaces: &binding_ns,
                refs: Vec::new(),
            };
            fieldspec::apply(&mut r.value, &spec.path, None, &mut |node| ctx.set(node)).map_err(
                |e| {
                    Error::msg(format!(
                        "updating name reference in '{}' field of '{}': {}",
                        spec.path, referrer_id, e.message
                    ))
                },
            )?;
            if !ctx.refs.is_empty() && !r.aliases.is_empty() {
                written.push(&spec.path);
            }
            refs.extend(ctx.refs);
        }
        // A name written into a shared node reaches its aliases (a mapping
        // reference has its `name` and `namespace` written).
        if !written.is_empty() {
            let paths = written.iter().copied().chain(["name", "namespace"]);
            crate::alias::sync_keys(std::slice::from_mut(r), paths);
        }
        Ok(refs)
    });
    let mut refs = Vec::new();
    for r in found {
        refs.extend(r?);
    }
    // Recording referrers changes no id: no re-indexing needed.
    let resources = m.resources_mut();
    for (referral, referrer) in refs {
        if let Some(r) = resources.get_mut(referral) {
            r.ref_by.push(index.cands[referrer].id.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_ending_sub_slice() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_ending(&s(&["b"]), &s(&["a", "b"])));
        assert!(!same_ending(&s(&["a"]), &s(&["a", "b"])));
        assert!(same_ending(&s(&[]), &s(&[])));
        assert!(!same_ending(&s(&[]), &s(&["a"])));
    }
}
