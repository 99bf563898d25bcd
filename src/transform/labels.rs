//! kustomize's LabelTransformer: `commonLabels` and `labels:` entries.

use crate::error::{Error, Result};
use crate::fieldspec::{FieldSpec, TransformerConfig, merge_specs};
use crate::resource::Resource;

/// One `labels:` entry of a kustomization, as far as field selection goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelOptions {
    /// `includeSelectors`: also selectors and templates (the `commonLabels`
    /// field specs).
    pub include_selectors: bool,
    /// `includeTemplates`: also pod templates (ignored with selectors).
    pub include_templates: bool,
    /// `fields`: extra field specs.
    pub fields: Vec<FieldSpec>,
}

/// The field specs a `labels:` entry touches, as kustomize v5.5 computes
/// them: its `fields`, the config's `labels` specs, then either all
/// `commonLabels` specs (with selectors) or the template specs (with
/// templates) plus `metadata/labels`.
pub fn label_entry_specs(
    opts: &LabelOptions,
    config: &TransformerConfig,
) -> Result<Vec<FieldSpec>> {
    let wrap = |prefix: &str, e: Error| {
        let mut e = e;
        e.message = format!("{prefix}: {}", e.message);
        e
    };
    let mut fss = opts.fields.clone();
    merge_specs(&mut fss, &config.labels).map_err(|e| wrap("failed to merge labels", e))?;
    if opts.include_selectors {
        merge_specs(&mut fss, &config.common_labels)
            .map_err(|e| wrap("failed to merge labels", e))?;
    } else {
        if opts.include_templates {
            merge_specs(&mut fss, &config.template_labels)
                .map_err(|e| wrap("failed to merge template fieldSpec", e))?;
        }
        let meta = FieldSpec {
            create: true,
            ..FieldSpec::new("metadata/labels")
        };
        merge_specs(&mut fss, std::slice::from_ref(&meta))
            .map_err(|e| wrap("failed to merge labels", e))?;
    }
    Ok(fss)
}

/// Adds `labels` to every field `specs` select in every resource, creating
/// label maps where a spec says `create` (kustomize's labels filter). Keys are
/// applied in sorted order. No labels, no change.
pub fn add_labels(
    resources: &mut [Resource],
    labels: &[(String, String)],
    specs: &[FieldSpec],
) -> Result<()> {
    crate::transform::add_map_entries(resources, labels, specs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fieldspec::default_config;
    use crate::transform::testutil::{res, vals, values};
    use serde_json::json;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn inputs() -> Vec<Resource> {
        res(vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"selector": {"matchLabels": {"app": "d"}},
                    "template": {"metadata": {"labels": {"app": "d"}},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                "spec": {"selector": {"app": "d"}}}),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "ss"},
                "spec": {"template": {"spec": {}}, "volumeClaimTemplates": [{"metadata": {"name": "data"}}]}}),
            json!({"apiVersion": "ex.com/v1", "kind": "Foo", "metadata": {"name": "f"},
                "spec": {"selector": {"matchLabels": null}}}),
        ])
    }

    #[test]
    fn common_labels_touch_selectors_and_templates() {
        let mut rs = inputs();
        let specs = &default_config().common_labels;
        add_labels(&mut rs, &pairs(&[("team", "a"), ("env", "dev")]), specs).unwrap();
        // From kubectl kustomize (commonLabels: {team: a, env: dev}).
        let want = vals(vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "d", "labels": {"env": "dev", "team": "a"}},
                "spec": {"selector": {"matchLabels": {"app": "d", "env": "dev", "team": "a"}},
                    "template": {"metadata": {"labels": {"app": "d", "env": "dev", "team": "a"}},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}),
            json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "s", "labels": {"env": "dev", "team": "a"}},
                "spec": {"selector": {"app": "d", "env": "dev", "team": "a"}}}),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "ss", "labels": {"env": "dev", "team": "a"}},
                "spec": {"template": {"spec": {}, "metadata": {"labels": {"env": "dev", "team": "a"}}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data",
                        "labels": {"env": "dev", "team": "a"}}}],
                    "selector": {"matchLabels": {"env": "dev", "team": "a"}}}}),
            json!({"apiVersion": "ex.com/v1", "kind": "Foo",
                "metadata": {"name": "f", "labels": {"env": "dev", "team": "a"}},
                "spec": {"selector": {"matchLabels": null}}}),
        ]);
        assert_eq!(values(&rs), want);
    }

    #[test]
    fn labels_entry_with_templates_only() {
        let mut rs = inputs();
        let opts = LabelOptions {
            include_templates: true,
            ..LabelOptions::default()
        };
        let specs = label_entry_specs(&opts, default_config()).unwrap();
        add_labels(&mut rs, &pairs(&[("tmpl", "yes")]), &specs).unwrap();
        // From kubectl kustomize (labels: [{pairs: {tmpl: "yes"}, includeTemplates: true}]):
        // templates and volumeClaimTemplates get it, selectors do not.
        let want = vals(vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "d", "labels": {"tmpl": "yes"}},
                "spec": {"selector": {"matchLabels": {"app": "d"}},
                    "template": {"metadata": {"labels": {"app": "d", "tmpl": "yes"}},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}),
            json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "s", "labels": {"tmpl": "yes"}},
                "spec": {"selector": {"app": "d"}}}),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "ss", "labels": {"tmpl": "yes"}},
                "spec": {"template": {"spec": {}, "metadata": {"labels": {"tmpl": "yes"}}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data", "labels": {"tmpl": "yes"}}}]}}),
            json!({"apiVersion": "ex.com/v1", "kind": "Foo",
                "metadata": {"name": "f", "labels": {"tmpl": "yes"}},
                "spec": {"selector": {"matchLabels": null}}}),
        ]);
        assert_eq!(values(&rs), want);
    }

    #[test]
    fn labels_entry_plain_and_custom_fields() {
        let mut rs = res(vec![json!({"apiVersion": "ex.com/v1", "kind": "Foo",
            "metadata": {"name": "f"}, "spec": {"sel": {}}})]);
        let opts = LabelOptions {
            fields: vec![FieldSpec {
                kind: "Foo".into(),
                create: true,
                ..FieldSpec::new("spec/sel/labels")
            }],
            ..LabelOptions::default()
        };
        let specs = label_entry_specs(&opts, default_config()).unwrap();
        add_labels(&mut rs, &pairs(&[("a", "b")]), &specs).unwrap();
        // From kubectl kustomize (labels: [{pairs: {a: b}, fields: [{path: spec/sel/labels, kind: Foo, create: true}]}]).
        assert_eq!(
            values(&rs),
            vals(vec![json!({"apiVersion": "ex.com/v1", "kind": "Foo",
                "metadata": {"name": "f", "labels": {"a": "b"}},
                "spec": {"sel": {"labels": {"a": "b"}}}})])
        );
    }

    #[test]
    fn non_mapping_labels_is_an_error() {
        let mut rs = res(vec![json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "c", "labels": 5}})]);
        let e = add_labels(
            &mut rs,
            &pairs(&[("a", "b")]),
            &default_config().common_labels,
        )
        .unwrap_err();
        // Message as kubectl kustomize prints it.
        assert_eq!(
            e.message,
            "considering field 'metadata/labels' of object Deployment.v1.apps/c.[noNs]: \
             wrong node kind: expected MappingNode but got ScalarNode: node contents:\n5\n"
        );
    }

    /// A label key that is also a word of a spec's path: the specs are
    /// walked once per label, as kustomize does. Checked with kubectl:
    /// `configurations` adding a ConfigMap spec `metadata/labels/x`
    /// (create), commonLabels `a: v1`, `x: v2`; kubectl prints
    /// `labels: {a: v1, x: v2}` (keys are sorted when written).
    #[test]
    fn label_key_that_is_a_path_word() {
        let mut rs = res(vec![json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c"}})]);
        // In the order the merged configuration has them.
        let specs = vec![
            FieldSpec {
                create: true,
                kind: "ConfigMap".into(),
                ..FieldSpec::new("metadata/labels/x")
            },
            FieldSpec {
                create: true,
                ..FieldSpec::new("metadata/labels")
            },
        ];
        add_labels(&mut rs, &pairs(&[("a", "v1"), ("x", "v2")]), &specs).unwrap();
        assert_eq!(
            values(&rs),
            vals(vec![json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "labels": {"x": "v2", "a": "v1"}}})])
        );
    }
}
