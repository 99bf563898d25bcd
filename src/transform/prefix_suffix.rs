//! kustomize's PrefixTransformer and SuffixTransformer (`namePrefix:`,
//! `nameSuffix:`).

use crate::error::Result;
use crate::fieldspec::{CreateKind, FieldSpec, gvk_selected, scalar_text};
use crate::resource::{Gvk, ResMap};
use crate::transform::check_scalar;
use crate::yaml::Value;

/// Which end of the name to extend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Prefix,
    Suffix,
}

/// Kinds the prefix and suffix transformers never rename (by original id):
/// CustomResourceDefinition, APIService (apiregistration.k8s.io) and
/// Namespace, whatever their group or version.
fn skipped(gvk: &Gvk) -> bool {
    gvk_selected(gvk, "", "", "CustomResourceDefinition")
        || gvk_selected(gvk, "apiregistration.k8s.io", "", "APIService")
        || gvk_selected(gvk, "", "", "Namespace")
}

fn run(resmap: &mut ResMap, affix: &str, specs: &[FieldSpec], end: End) -> Result<()> {
    for pos in 0..resmap.len() {
        let orig_gvk = resmap.get(pos).orig_id().gvk;
        if skipped(&orig_gvk) {
            continue;
        }
        resmap.update(pos, |r| -> Result<()> {
            for fs in specs {
                if !fs.matches_gvk(&orig_gvk) {
                    continue;
                }
                if fs.path == "metadata/name" && !affix.is_empty() {
                    match end {
                        End::Prefix => r.prefixes.push(affix.to_string()),
                        End::Suffix => r.suffixes.push(affix.to_string()),
                    }
                    r.store_previous_id();
                }
                crate::alias::apply_spec(r, fs, Some(CreateKind::Scalar), &mut |node| {
                    check_scalar(node)?;
                    let old = scalar_text(node).unwrap_or_default();
                    *node = Value::String(match end {
                        End::Prefix => format!("{affix}{old}"),
                        End::Suffix => format!("{old}{affix}"),
                    });
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Prepends `prefix` to every field `specs` select (the `namePrefix` specs:
/// `metadata/name`), except on CRDs, APIServices and Namespaces. For the
/// `metadata/name` spec the prefix is recorded in `Resource::prefixes` and the
/// id before renaming in `Resource::prev_ids` (when the prefix is non-empty).
pub fn add_name_prefix(resmap: &mut ResMap, prefix: &str, specs: &[FieldSpec]) -> Result<()> {
    run(resmap, prefix, specs, End::Prefix)
}

/// Appends `suffix` to every field `specs` select (the `nameSuffix` specs),
/// like [`add_name_prefix`], recording it in `Resource::suffixes`.
pub fn add_name_suffix(resmap: &mut ResMap, suffix: &str, specs: &[FieldSpec]) -> Result<()> {
    run(resmap, suffix, specs, End::Suffix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fieldspec::{TransformerConfig, default_config};
    use crate::transform::testutil::{resmap, vals};
    use serde_json::json;

    fn out(m: &ResMap) -> Vec<Value> {
        m.resources().iter().map(|r| r.value.clone()).collect()
    }

    #[test]
    fn prefix_and_suffix_rename_and_record() {
        let mut m = resmap(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}),
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "foos.ex.com"}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"}}),
            json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                "metadata": {"name": "v1.ex.com"}}),
            json!({"apiVersion": "ex.com/v1", "kind": "Namespace", "metadata": {"name": "n2"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": "cr"}}),
        ]);
        let d = default_config();
        add_name_prefix(&mut m, "p-", &d.name_prefix).unwrap();
        add_name_suffix(&mut m, "-s", &d.name_suffix).unwrap();
        // From kubectl kustomize (namePrefix: p-, nameSuffix: -s).
        let want = vals(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "p-cm-s"}}),
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "foos.ex.com"}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"}}),
            json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                "metadata": {"name": "v1.ex.com"}}),
            json!({"apiVersion": "ex.com/v1", "kind": "Namespace", "metadata": {"name": "n2"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": "p-cr-s"}}),
        ]);
        assert_eq!(out(&m), want);
        let cm = &m.resources()[0];
        assert_eq!(cm.prefixes, ["p-"]);
        assert_eq!(cm.suffixes, ["-s"]);
        let names: Vec<&str> = cm.prev_ids.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["cm", "p-cm"]);
        assert_eq!(m.positions(&cm.id()), &[0]);
        assert!(m.resources()[1].prev_ids.is_empty());
    }

    #[test]
    fn custom_prefix_specs_touch_null_and_missing_fields() {
        // configurations: namePrefix specs on kind Foo (spec/a no create,
        // spec/b create, spec/d create missing, spec/e an int, spec/f/g create).
        let extra = TransformerConfig::from_value(&Value::from(json!({"namePrefix": [
            {"path": "spec/a", "kind": "Foo"},
            {"path": "spec/b", "kind": "Foo", "create": true},
            {"path": "spec/d", "kind": "Foo", "create": true},
            {"path": "spec/e", "kind": "Foo"},
            {"path": "spec/f/g", "kind": "Foo", "create": true}
        ]})))
        .unwrap();
        let mut cfg = default_config().clone();
        cfg.merge(&extra).unwrap();
        let mut m = resmap(vec![json!({"apiVersion": "ex.com/v1", "kind": "Foo",
            "metadata": {"name": "f"}, "spec": {"a": null, "b": null, "e": 5}})]);
        add_name_prefix(&mut m, "p-", &cfg.name_prefix).unwrap();
        // From kubectl kustomize.
        assert_eq!(
            out(&m),
            vals(vec![json!({"apiVersion": "ex.com/v1", "kind": "Foo",
                "metadata": {"name": "p-f"},
                "spec": {"a": "p-null", "b": "p-null", "e": "p-5", "d": "p-", "f": {"g": "p-"}}})])
        );
    }

    #[test]
    fn non_scalar_name_is_an_error() {
        let mut m = resmap(vec![json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": {"x": 1}}})]);
        let e = add_name_prefix(&mut m, "p-", &default_config().name_prefix).unwrap_err();
        assert!(
            e.message
                .contains("expected ScalarNode but got MappingNode")
        );
    }
}
