//! kustomize's AnnotationsTransformer: `commonAnnotations`.

use crate::error::Result;
use crate::fieldspec::FieldSpec;
use crate::resource::Resource;

/// Adds `annotations` to every field `specs` select in every resource (the
/// `commonAnnotations` specs: metadata and pod templates), creating the maps
/// where a spec says `create`. No annotations, no change.
pub fn add_annotations(
    resources: &mut [Resource],
    annotations: &[(String, String)],
    specs: &[FieldSpec],
) -> Result<()> {
    crate::transform::add_map_entries(resources, annotations, specs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fieldspec::default_config;
    use crate::transform::testutil::{res, vals, values};
    use serde_json::json;

    #[test]
    fn annotations_go_to_metadata_and_templates() {
        let mut rs = res(vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d",
                "annotations": {"old": "x"}},
                "spec": {"selector": {"matchLabels": {"app": "d"}},
                    "template": {"spec": {"containers": []}}}}),
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
                "spec": {"jobTemplate": {"spec": {"template": {"spec": {}}}}}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}),
        ]);
        let ann = vec![
            ("note".to_string(), "hi there".to_string()),
            ("a.io/x".to_string(), "1".to_string()),
        ];
        add_annotations(&mut rs, &ann, &default_config().common_annotations).unwrap();
        // From kubectl kustomize (commonAnnotations: {note: hi there, a.io/x: "1"}).
        let both = json!({"a.io/x": "1", "note": "hi there"});
        let want = vals(vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d",
                "annotations": {"old": "x", "a.io/x": "1", "note": "hi there"}},
                "spec": {"selector": {"matchLabels": {"app": "d"}},
                    "template": {"spec": {"containers": []}, "metadata": {"annotations": both}}}}),
            json!({"apiVersion": "batch/v1", "kind": "CronJob",
                "metadata": {"name": "cj", "annotations": both},
                "spec": {"jobTemplate": {"spec": {"template": {"spec": {},
                    "metadata": {"annotations": both}}},
                    "metadata": {"annotations": both}}}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "cm", "annotations": both}}),
        ]);
        assert_eq!(values(&rs), want);
    }
}
