//! kustomize's NamespaceTransformer (`namespace:`).

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::fieldspec::{CreateKind, FieldSpec, kyaml_id_string, scalar_text};
use crate::resource::{Gvk, ResMap};
use crate::transform::{check_scalar, is_nil_or_empty};
use crate::yaml::Value;

/// Which RoleBinding/ClusterRoleBinding subjects get the namespace
/// (`setRoleBindingSubjects`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RoleBindingSubjects {
    /// `defaultOnly` (the default): subjects named `default`.
    #[default]
    DefaultOnly,
    /// `allServiceAccounts`: every subject of kind ServiceAccount.
    AllServiceAccounts,
    /// `none`: no subject.
    None,
}

impl RoleBindingSubjects {
    /// Parses the plugin option (empty means `defaultOnly`).
    pub fn parse(s: &str) -> Result<RoleBindingSubjects> {
        match s {
            "" | "defaultOnly" => Ok(RoleBindingSubjects::DefaultOnly),
            "allServiceAccounts" => Ok(RoleBindingSubjects::AllServiceAccounts),
            "none" => Ok(RoleBindingSubjects::None),
            other => Err(Error::msg(format!(
                "invalid value \"{other}\" for setRoleBindingSubjects: must be one of \
                 \"defaultOnly\", \"none\" or \"allServiceAccounts\""
            ))),
        }
    }
}

/// The NamespaceTransformer's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamespaceOptions {
    /// The namespace to set; empty means the transformer does nothing.
    pub namespace: String,
    /// `unsetOnly`: only set namespace fields that are empty.
    pub unset_only: bool,
    /// `setRoleBindingSubjects`.
    pub role_binding_subjects: RoleBindingSubjects,
}

impl NamespaceOptions {
    /// Options for a kustomization's `namespace:` field.
    pub fn new(namespace: &str) -> NamespaceOptions {
        NamespaceOptions {
            namespace: namespace.to_string(),
            ..NamespaceOptions::default()
        }
    }
}

/// True when kustomize v5.5 treats `gvk` as cluster-scoped (no namespace is
/// set on it, and its namespace does not count in its id): kyaml's table from
/// the builtin Kubernetes 1.21 schema, by exact apiVersion and kind.
pub fn is_cluster_scoped(gvk: &Gvk) -> bool {
    crate::resource::is_cluster_scoped(gvk)
}

fn is_role_binding(kind: &str) -> bool {
    kind == "RoleBinding" || kind == "ClusterRoleBinding"
}

/// Whether a setter ran into a mapping or sequence (for kustomize's message).
struct Setter<'a> {
    ns: &'a str,
    unset_only: bool,
    hit_non_scalar: bool,
}

impl Setter<'_> {
    fn set(&mut self, node: &mut Value) -> Result<()> {
        if self.unset_only {
            // kyaml's "has an existing value": a non-empty scalar. A null
            // counts as unset.
            let has_value = match &*node {
                Value::Null(_) | Value::Map(_) | Value::Seq(_) => false,
                other => scalar_text(other).is_some_and(|s| !s.is_empty()),
            };
            if has_value {
                return Ok(());
            }
        }
        if let Err(e) = check_scalar(node) {
            self.hit_non_scalar = true;
            return Err(e);
        }
        *node = Value::String(self.ns.to_string());
        Ok(())
    }
}

/// Sets the namespace on the subjects of a (Cluster)RoleBinding.
fn set_subjects(obj: &mut Value, mode: RoleBindingSubjects, setter: &mut Setter) -> Result<()> {
    let (want_key, want_value) = match mode {
        RoleBindingSubjects::None => return Ok(()),
        RoleBindingSubjects::DefaultOnly => ("name", "default"),
        RoleBindingSubjects::AllServiceAccounts => ("kind", "ServiceAccount"),
    };
    let wrap = |e: Error| {
        let mut e = e;
        e.message = format!(
            "setting namespace on (cluster)role binding subjects: {}",
            e.message
        );
        e
    };
    let subjects = match obj.get_mut("subjects") {
        None | Some(Value::Null(_)) => return Ok(()),
        Some(Value::Seq(s)) => s,
        Some(other) => {
            return Err(wrap(crate::fieldspec::wrong_kind_error(
                "SequenceNode",
                other,
            )));
        }
    };
    for subject in subjects.iter_mut() {
        let m = match subject {
            Value::Null(_) => continue,
            Value::Map(m) => m,
            other => {
                return Err(wrap(crate::fieldspec::wrong_kind_error(
                    "MappingNode",
                    other,
                )));
            }
        };
        let matches = m
            .get(want_key)
            .and_then(scalar_text)
            .is_some_and(|s| s == want_value);
        if !matches {
            continue;
        }
        let field = m.entry_or_insert_with("namespace", || Value::String(String::new()));
        setter.set(field).map_err(wrap)?;
    }
    Ok(())
}

/// Moves every resource into `opts.namespace` (kustomize's
/// NamespaceTransformer): sets `metadata.namespace` on all but cluster-scoped
/// kinds, renames `v1` Namespace objects, sets the namespace fields `specs`
/// select (the `namespace` field specs), and the namespace of
/// (Cluster)RoleBinding subjects per `opts.role_binding_subjects`. Each
/// resource's id before the move is remembered for name references. Fails
/// when two resources end up with the same id.
pub fn set_namespace(
    resmap: &mut ResMap,
    opts: &NamespaceOptions,
    specs: &[FieldSpec],
) -> Result<()> {
    if opts.namespace.is_empty() {
        return Ok(());
    }
    let meta_ns = FieldSpec {
        create: true,
        ..FieldSpec::new("metadata/namespace")
    };
    // The specs besides `metadata/namespace`, for `v1` objects and for the
    // others (which skip `metadata/name`), copied once for all resources.
    let for_v1: Vec<FieldSpec> = specs
        .iter()
        .filter(|f| f.path != "metadata/namespace")
        .cloned()
        .collect();
    let for_others: Vec<FieldSpec> = for_v1
        .iter()
        .filter(|f| f.path != "metadata/name")
        .cloned()
        .collect();
    for pos in 0..resmap.len() {
        if is_nil_or_empty(&resmap.get(pos).value) {
            continue;
        }
        resmap.update(pos, |r| -> Result<()> {
            r.store_previous_id();
            let gvk = r.gvk();
            let mut fs: Cow<'_, [FieldSpec]> = if r.api_version() == "v1" {
                Cow::Borrowed(&for_v1)
            } else {
                Cow::Borrowed(&for_others)
            };
            let mut setter = Setter {
                ns: &opts.namespace,
                unset_only: opts.unset_only,
                hit_non_scalar: false,
            };
            if !is_cluster_scoped(&gvk) {
                crate::alias::apply_spec(r, &meta_ns, Some(CreateKind::Scalar), &mut |n| {
                    setter.set(n)
                })?;
            }
            if is_role_binding(&gvk.kind) {
                fs.to_mut()
                    .retain(|f| !(is_role_binding(&f.kind) && f.path == "subjects/namespace"));
                set_subjects(&mut r.value, opts.role_binding_subjects, &mut setter)?;
                crate::alias::sync_all(std::slice::from_mut(r));
            }
            setter.hit_non_scalar = false;
            crate::alias::apply_specs(r, &fs, Some(CreateKind::Scalar), &mut |n| {
                setter.set(n)
            })
            .map_err(|mut e| {
                e.message = if setter.hit_non_scalar {
                    format!(
                        "namespace transformation failed: namespace field specs must target scalar nodes: {}",
                        e.message
                    )
                } else {
                    format!("namespace transformation failed: {}", e.message)
                };
                e
            })
        })?;
        let id = resmap.get(pos).id();
        let n = resmap.positions(&id).len();
        if n != 1 {
            return Err(Error::msg(format!(
                "namespace transformation produces ID conflict: {} resources with id {}",
                n,
                kyaml_id_string(&id)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fieldspec::default_config;
    use crate::transform::testutil::{resmap, vals};
    use serde_json::json;

    fn out(m: &ResMap) -> Vec<Value> {
        m.resources().iter().map(|r| r.value.clone()).collect()
    }

    #[test]
    fn cluster_scoped_table() {
        let g = |a: &str, k: &str| Gvk::from_api_version(a, k);
        assert!(is_cluster_scoped(&g("v1", "Namespace")));
        assert!(is_cluster_scoped(&g(
            "rbac.authorization.k8s.io/v1",
            "ClusterRole"
        )));
        // Checked with kubectl: these get a namespace.
        assert!(!is_cluster_scoped(&g(
            "rbac.authorization.k8s.io/v1alpha1",
            "ClusterRole"
        )));
        assert!(!is_cluster_scoped(&g(
            "authentication.k8s.io/v1",
            "TokenReview"
        )));
        assert!(!is_cluster_scoped(&g("example.com/v1", "Namespace")));
        assert!(!is_cluster_scoped(&g("v1", "ConfigMap")));
    }

    #[test]
    fn namespace_moves_namespaced_kinds_and_default_subjects() {
        let mut m = resmap(vec![
            json!({"apiVersion": "rbac.authorization.k8s.io/v1alpha1", "kind": "ClusterRole",
                "metadata": {"name": "a"}}),
            json!({"apiVersion": "example.com/v1", "kind": "Namespace", "metadata": {"name": "c"}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "d"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "other"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": "rb"},
                "subjects": [
                    {"kind": "ServiceAccount", "name": "default"},
                    {"kind": "ServiceAccount", "name": "sa", "namespace": "old"},
                    {"kind": "User", "name": "default", "namespace": "zz"}]}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": "cr"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "dep", "namespace": null}}),
        ]);
        set_namespace(
            &mut m,
            &NamespaceOptions::new("x"),
            &default_config().namespace,
        )
        .unwrap();
        // From kubectl kustomize (namespace: x).
        let want = vals(vec![
            json!({"apiVersion": "rbac.authorization.k8s.io/v1alpha1", "kind": "ClusterRole",
                "metadata": {"name": "a", "namespace": "x"}}),
            json!({"apiVersion": "example.com/v1", "kind": "Namespace",
                "metadata": {"name": "c", "namespace": "x"}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "x"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": "rb", "namespace": "x"},
                "subjects": [
                    {"kind": "ServiceAccount", "name": "default", "namespace": "x"},
                    {"kind": "ServiceAccount", "name": "sa", "namespace": "old"},
                    {"kind": "User", "name": "default", "namespace": "x"}]}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": "cr"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "dep", "namespace": "x"}}),
        ]);
        assert_eq!(out(&m), want);
        // Previous ids are recorded and the index follows the move.
        let cm = &m.resources()[3];
        assert_eq!(cm.prev_ids.len(), 1);
        assert_eq!(cm.prev_ids[0].namespace, "other");
        assert_eq!(m.positions(&cm.id()), &[3]);
    }

    #[test]
    fn all_service_accounts_and_unset_only() {
        let mut m = resmap(vec![
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": "crb"},
                "subjects": [
                    {"kind": "ServiceAccount", "name": "sa"},
                    {"kind": "ServiceAccount", "name": "sb", "namespace": "keep"},
                    {"kind": "Group", "name": "default"}]}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "other"}}),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}),
        ]);
        let opts = NamespaceOptions {
            namespace: "x".into(),
            unset_only: true,
            role_binding_subjects: RoleBindingSubjects::AllServiceAccounts,
        };
        set_namespace(&mut m, &opts, &default_config().namespace).unwrap();
        // From kubectl kustomize (a NamespaceTransformer in `transformers:` with
        // unsetOnly: true, setRoleBindingSubjects: allServiceAccounts).
        let want = vals(vec![
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": "crb"},
                "subjects": [
                    {"kind": "ServiceAccount", "name": "sa", "namespace": "x"},
                    {"kind": "ServiceAccount", "name": "sb", "namespace": "keep"},
                    {"kind": "Group", "name": "default"}]}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "other"}}),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "x"}}),
        ]);
        assert_eq!(out(&m), want);
    }

    #[test]
    fn id_conflict_is_an_error() {
        let mut m = resmap(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "a"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "b"}}),
        ]);
        let e = set_namespace(
            &mut m,
            &NamespaceOptions::new("x"),
            &default_config().namespace,
        )
        .unwrap_err();
        assert!(
            e.message
                .starts_with("namespace transformation produces ID conflict")
        );
    }

    #[test]
    fn subject_mode_parse() {
        assert_eq!(
            RoleBindingSubjects::parse("").unwrap(),
            RoleBindingSubjects::DefaultOnly
        );
        assert_eq!(
            RoleBindingSubjects::parse("none").unwrap(),
            RoleBindingSubjects::None
        );
        assert!(RoleBindingSubjects::parse("bogus").is_err());
    }
}
