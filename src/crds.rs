//! The `crds` field: OpenAPI definitions of custom types whose `x-kubernetes-*`
//! extensions add field specs (name references, prefixes, labels,
//! annotations), as kustomize's `LoadConfigFromCRDs` reads them.

use crate::error::{Error, Result};
use crate::fieldspec::{FieldSpec, NameBackRef, TransformerConfig};
use crate::resource::Gvk;
use crate::yaml::{Map, Value};

fn props(def: &Value) -> Option<&Map> {
    def.get_path(&["Schema", "properties"])
        .and_then(Value::as_map)
}

fn looks_like_k8s_type(def: &Value) -> bool {
    props(def).is_some_and(|p| {
        p.contains_key("kind") && p.contains_key("apiVersion") && p.contains_key("metadata")
    })
}

fn spec(kind: &str, path: &[String]) -> FieldSpec {
    FieldSpec {
        kind: kind.to_string(),
        path: path.join("/"),
        ..FieldSpec::default()
    }
}

fn ext<'a>(p: &'a Value, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

fn load_type(
    tc: &mut TransformerConfig,
    kind: &str,
    defs: &Map,
    type_name: &str,
    path: &[String],
    depth: usize,
) -> Result<()> {
    // A self-referencing definition must not recurse forever.
    if depth > 64 {
        return Ok(());
    }
    let Some(api) = defs.get(type_name) else {
        return Ok(());
    };
    let Some(properties) = props(api) else {
        return Ok(());
    };
    for (name, p) in properties.iter() {
        let mut here = path.to_vec();
        here.push(name.clone());
        let mut add = TransformerConfig::default();
        if ext(p, "x-kubernetes-annotation").is_some() {
            add.common_annotations.push(spec(kind, &here));
        }
        if ext(p, "x-kubernetes-label-selector").is_some() {
            add.common_labels.push(spec(kind, &here));
        }
        if ext(p, "x-kubernetes-identity").is_some() {
            add.name_prefix.push(spec(kind, &here));
        }
        if let (Some(version), Some(ref_kind)) = (
            ext(p, "x-kubernetes-object-ref-api-version"),
            ext(p, "x-kubernetes-object-ref-kind"),
        ) {
            let key = ext(p, "x-kubernetes-object-ref-name-key").unwrap_or("name");
            let mut with_key = here.clone();
            with_key.push(key.to_string());
            add.name_reference.push(NameBackRef {
                gvk: Gvk {
                    group: String::new(),
                    version: version.to_string(),
                    kind: ref_kind.to_string(),
                },
                referrers: vec![spec(kind, &with_key)],
            });
        }
        tc.merge(&add)?;
        if let Some(r) = p.get("$ref").and_then(Value::as_str) {
            load_type(tc, kind, defs, r, &here, depth + 1)?;
        }
    }
    Ok(())
}

/// Field specs from one `crds` file (a map of type names to
/// `{Schema, Dependencies}` OpenAPI definitions).
pub fn config_from_crd_definitions(doc: &Value) -> Result<TransformerConfig> {
    let Some(defs) = doc.as_map() else {
        return Err(Error::msg(
            "unable to parse open API definition: expected a mapping of type names",
        ));
    };
    let mut tc = TransformerConfig::default();
    for (name, def) in defs.iter() {
        if !looks_like_k8s_type(def) {
            continue;
        }
        let kind = name.rsplit('.').next().unwrap_or(name);
        load_type(&mut tc, kind, defs, name, &[], 0)?;
    }
    Ok(tc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn object_refs_become_name_references() {
        let doc = Value::from(json!({
            "ex/v1.MyKind": {"Schema": {"properties": {
                "apiVersion": {}, "kind": {}, "metadata": {},
                "spec": {"$ref": "ex/v1.MyKindSpec"}}}},
            "ex/v1.MyKindSpec": {"Schema": {"properties": {
                "secretRef": {"x-kubernetes-object-ref-api-version": "v1",
                              "x-kubernetes-object-ref-kind": "Secret"}}}}
        }));
        let tc = config_from_crd_definitions(&doc).unwrap();
        let nr = tc
            .name_reference
            .iter()
            .find(|b| b.gvk.kind == "Secret")
            .unwrap();
        assert_eq!(nr.referrers[0].path, "spec/secretRef/name");
        assert_eq!(nr.referrers[0].kind, "MyKind");
    }
}
