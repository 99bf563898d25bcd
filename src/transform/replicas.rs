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
    let mut found = false;
    for fs in specs {
        for r in resources.iter_mut() {
            // Cheap test first: most resources have another name.
            if r.name() != replica.name && r.prev_ids.iter().all(|id| id.name != replica.name) {
                continue;
            }
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
        let gvks: Vec<String> = specs.iter().map(selector_string).collect();
        return Err(Error::msg(format!(
            "resource with name {} does not match a config with the following GVK [{}]",
            replica.name,
            gvks.join(" ")
        )));
    }
    Ok(())
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
}
