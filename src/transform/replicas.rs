//! kustomize's ReplicaCountTransformer (`replicas:`).

use crate::error::{Error, Result};
use crate::fieldspec::{CreateKind, FieldSpec};
use crate::resource::Resource;
use crate::transform::check_scalar;
use crate::yaml::Value;

/// One `replicas:` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplicaSpec {
    /// The resource name to match (current or any previous name).
    pub name: String,
    /// The replica count to set.
    pub count: i64,
}

/// kyaml's `Kind.version.group` rendering of a spec's selector.
fn selector_string(fs: &FieldSpec) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}.{}.{}",
        or(&fs.kind, "[noKind]"),
        or(&fs.version, "[noVer]"),
        or(&fs.group, "[noGrp]")
    )
}

/// Sets the replica count of every resource whose current or previous name
/// is `replica.name` and whose kind a spec of `specs` (the `replicas` specs:
/// Deployment, StatefulSet, ReplicaSet, ReplicationController) selects; the
/// field is created when the spec says so. Fails when no resource matches
/// any spec.
pub fn set_replicas(
    resources: &mut [Resource],
    replica: &ReplicaSpec,
    specs: &[FieldSpec],
) -> Result<()> {
    set_replicas_all(resources, std::slice::from_ref(replica), specs)
}

/// Every `replicas:` entry in order, with the same result (and the same
/// first error) as running them one at a time, in one pass over the
/// resources: each resource looks its names up among the entries' names
/// instead of every entry scanning every resource.
pub fn set_replicas_all(
    resources: &mut [Resource],
    replicas: &[ReplicaSpec],
    specs: &[FieldSpec],
) -> Result<()> {
    if replicas.is_empty() {
        return Ok(());
    }
    let mut by_name: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
    for (i, rep) in replicas.iter().enumerate() {
        by_name.entry(rep.name.as_str()).or_default().push(i);
    }
    let mut found = vec![false; replicas.len()];
    // The first error in one-entry-at-a-time order: (entry, spec, resource).
    let mut first_error: Option<((usize, usize, usize), Error)> = None;
    let mut entries: Vec<usize> = Vec::new();
    for (pos, r) in resources.iter_mut().enumerate() {
        entries.clear();
        let names = std::iter::once(r.name()).chain(r.prev_ids.iter().map(|id| id.name.as_str()));
        for name in names {
            if let Some(is) = by_name.get(name) {
                entries.extend_from_slice(is);
            }
        }
        if entries.is_empty() {
            continue;
        }
        entries.sort_unstable();
        entries.dedup();
        let cur = r.id();
        'entries: for &i in &entries {
            let rep = &replicas[i];
            for (j, fs) in specs.iter().enumerate() {
                let hit = std::iter::once(&cur)
                    .chain(r.prev_ids.iter())
                    .any(|id| id.name == rep.name && fs.matches_gvk(&id.gvk));
                if !hit {
                    continue;
                }
                found[i] = true;
                let set = crate::alias::apply_spec(r, fs, Some(CreateKind::Scalar), &mut |node| {
                    check_scalar(node)?;
                    *node = Value::Int(rep.count);
                    Ok(())
                });
                if let Err(e) = set {
                    // Later entries for this resource would only come after
                    // this error; earlier resources' errors may come first.
                    if first_error.as_ref().is_none_or(|(at, _)| (i, j, pos) < *at) {
                        first_error = Some(((i, j, pos), e));
                    }
                    break 'entries;
                }
            }
        }
    }
    for (i, rep) in replicas.iter().enumerate() {
        if let Some((_, e)) = first_error.take_if(|((at, _, _), _)| *at == i) {
            return Err(e);
        }
        if !found[i] {
            return Err(not_found(rep, specs));
        }
    }
    Ok(())
}

/// The error for an entry no resource matched.
fn not_found(replica: &ReplicaSpec, specs: &[FieldSpec]) -> Error {
    let gvks: Vec<String> = specs.iter().map(selector_string).collect();
    Error::msg(format!(
        "resource with name {} does not match a config with the following GVK [{}]",
        replica.name,
        gvks.join(" ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fieldspec::default_config;
    use crate::transform::testutil::{res, vals, values};
    use serde_json::json;

    fn inputs() -> Vec<Resource> {
        res(vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                "spec": {"replicas": 1}}),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
                "spec": {}}),
            json!({"apiVersion": "ex.com/v1", "kind": "Foo", "metadata": {"name": "web"},
                "spec": {"replicas": 1}}),
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs"},
                "spec": {"replicas": null}}),
        ])
    }

    #[test]
    fn replicas_by_current_or_previous_name() {
        let mut rs = inputs();
        // Simulate `namePrefix: p-` having run: previous ids keep the old names.
        for r in rs.iter_mut() {
            r.store_previous_id();
            let n = format!("p-{}", r.name());
            r.set_name(&n);
        }
        let specs = &default_config().replicas;
        let web = ReplicaSpec {
            name: "web".into(),
            count: 3,
        };
        set_replicas(&mut rs, &web, specs).unwrap();
        let prs = ReplicaSpec {
            name: "p-rs".into(),
            count: 0,
        };
        set_replicas(&mut rs, &prs, specs).unwrap();
        // From kubectl kustomize (namePrefix: p-; replicas: [{name: web, count: 3},
        // {name: p-rs, count: 0}]).
        let want = vals(vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "p-web"},
                "spec": {"replicas": 3}}),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "p-web"},
                "spec": {"replicas": 3}}),
            json!({"apiVersion": "ex.com/v1", "kind": "Foo", "metadata": {"name": "p-web"},
                "spec": {"replicas": 1}}),
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "p-rs"},
                "spec": {"replicas": 0}}),
        ]);
        assert_eq!(values(&rs), want);
    }

    #[test]
    fn no_match_is_an_error() {
        let mut rs = inputs();
        let e = set_replicas(
            &mut rs,
            &ReplicaSpec {
                name: "nothere".into(),
                count: 3,
            },
            &default_config().replicas,
        )
        .unwrap_err();
        // Message as kubectl kustomize prints it.
        assert_eq!(
            e.message,
            "resource with name nothere does not match a config with the following GVK \
             [Deployment.[noVer].[noGrp] StatefulSet.[noVer].[noGrp] \
             ReplicaSet.[noVer].[noGrp] ReplicationController.[noVer].[noGrp]]"
        );
    }

    /// One entry the plain way, as kustomize's filter runs it: every spec,
    /// and under it every resource.
    fn one_entry(
        resources: &mut [Resource],
        replica: &ReplicaSpec,
        specs: &[FieldSpec],
    ) -> Result<()> {
        let mut found = false;
        for fs in specs {
            for r in resources.iter_mut() {
                let cur = r.id();
                let hit = std::iter::once(&cur)
                    .chain(r.prev_ids.iter())
                    .any(|id| id.name == replica.name && fs.matches_gvk(&id.gvk));
                if !hit {
                    continue;
                }
                found = true;
                crate::alias::apply_spec(r, fs, Some(CreateKind::Scalar), &mut |node| {
                    check_scalar(node)?;
                    *node = Value::Int(replica.count);
                    Ok(())
                })?;
            }
        }
        if !found {
            return Err(not_found(replica, specs));
        }
        Ok(())
    }

    /// Runs `entries` one at a time the plain way, and all at once with
    /// [`set_replicas_all`], on `rs`: same resources, same error.
    fn same_as_one_at_a_time(rs: Vec<Resource>, entries: &[ReplicaSpec]) {
        let specs = &default_config().replicas;
        let mut one = rs.clone();
        let one_res = entries
            .iter()
            .try_for_each(|e| one_entry(&mut one, e, specs));
        let mut all = rs;
        let all_res = set_replicas_all(&mut all, entries, specs);
        match (one_res, all_res) {
            (Ok(()), Ok(())) => assert_eq!(values(&all), values(&one)),
            (Err(a), Err(b)) => assert_eq!(a.message, b.message),
            (a, b) => panic!("one at a time: {a:?}; all at once: {b:?}"),
        }
    }

    fn rep(name: &str, count: i64) -> ReplicaSpec {
        ReplicaSpec {
            name: name.into(),
            count,
        }
    }

    #[test]
    fn all_entries_at_once_match_one_at_a_time() {
        let renamed = || {
            let mut rs = inputs();
            for r in rs.iter_mut() {
                r.store_previous_id();
                let n = format!("p-{}", r.name());
                r.set_name(&n);
            }
            rs
        };
        // The later of two entries for one name wins; previous names match.
        same_as_one_at_a_time(inputs(), &[rep("web", 3), rep("rs", 2), rep("web", 5)]);
        same_as_one_at_a_time(renamed(), &[rep("web", 3), rep("p-rs", 0), rep("p-web", 7)]);
        // A missing name fails at its own entry, after the entries before it.
        same_as_one_at_a_time(inputs(), &[rep("web", 3), rep("nothere", 1), rep("rs", 2)]);
        same_as_one_at_a_time(inputs(), &[rep("nothere", 1), rep("alsonot", 2)]);
        // A field that is not a scalar: the first entry to reach it fails,
        // even when a later entry matches an earlier resource.
        let bad = || {
            res(vec![
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"},
                    "spec": {"replicas": 1}}),
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "b"},
                    "spec": {"replicas": {"x": 1}}}),
                json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "b"},
                    "spec": {"replicas": [1]}}),
            ])
        };
        same_as_one_at_a_time(bad(), &[rep("b", 2), rep("a", 3)]);
        same_as_one_at_a_time(bad(), &[rep("a", 2), rep("nothere", 1), rep("b", 3)]);
        let specs = &default_config().replicas;
        assert!(set_replicas_all(&mut bad(), &[rep("a", 2), rep("b", 3)], specs).is_err());
    }
}
