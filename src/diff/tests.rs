//! Unit tests of matching, pairing, masking and field paths.

use super::*;
use serde_json::json;

fn v(j: serde_json::Value) -> Value {
    Value::from(j)
}

fn cm(name: &str, data: serde_json::Value) -> Value {
    v(json!({"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": name, "namespace": "ns"}, "data": data}))
}

fn secret(name: &str, data: serde_json::Value) -> Value {
    v(json!({"apiVersion": "v1", "kind": "Secret",
             "metadata": {"name": name, "namespace": "ns"}, "data": data}))
}

fn paths(c: &ResourceChange) -> Vec<(String, FieldChangeKind)> {
    c.fields.iter().map(|f| (f.path.clone(), f.kind)).collect()
}

#[test]
fn hash_suffix_is_stripped_only_when_it_looks_like_one() {
    // `web-config-dhdtb6mhcd`: a name kubectl kustomize generated for the
    // test overlay tests/diff/overlays/old.
    assert_eq!(strip_hash_suffix("web-config-dhdtb6mhcd"), "web-config");
    assert_eq!(strip_hash_suffix("app-deployment"), "app-deployment");
    // a, e, i, j are not in the hash alphabet.
    assert_eq!(strip_hash_suffix("x-abcdefghij"), "x-abcdefghij");
    assert_eq!(strip_hash_suffix("-dhdtb6mhcd"), "-dhdtb6mhcd");
    assert_eq!(strip_hash_suffix("é-dhdtb6mhcd"), "é");
}

#[test]
fn base_name_strips_hash_then_suffix_then_prefix() {
    let opts = DiffOptions {
        ignore_name_prefixes: vec!["dev-".into()],
        ignore_name_suffixes: vec!["-stg".into()],
        ..Default::default()
    };
    assert_eq!(base_name("dev-web-stg-f62b8c2bck", &opts), "web");
    assert_eq!(base_name("web-stg", &opts), "web");
    assert_eq!(base_name("dev-", &opts), "dev-");
    assert_eq!(base_name("other", &opts), "other");
}

#[test]
fn equal_documents_are_unchanged_whatever_the_key_order() {
    let a = v(json!({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "x"}, "data": {"a": "1", "b": "2"}}));
    let b = v(json!({"kind": "ConfigMap", "data": {"b": "2", "a": "1"},
                     "metadata": {"name": "x"}, "apiVersion": "v1"}));
    let d = diff_documents(vec![a], vec![b], &DiffOptions::default());
    assert!(d.is_empty());
    assert_eq!(d.unchanged, 1);
}

#[test]
fn pairs_by_id_and_reports_added_removed_modified() {
    let old = vec![cm("a", json!({"k": "1"})), cm("gone", json!({}))];
    let new = vec![cm("a", json!({"k": "2"})), cm("fresh", json!({}))];
    let d = diff_documents(old, new, &DiffOptions::default());
    let kinds: Vec<(ChangeKind, &str)> = d
        .changes
        .iter()
        .map(|c| (c.kind, c.id().name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::Modified, "a"),
            (ChangeKind::Added, "fresh"),
            (ChangeKind::Removed, "gone"),
        ]
    );
    assert_eq!(
        d.changes[0].fields,
        [FieldChange {
            path: "data.k".into(),
            kind: FieldChangeKind::Modified,
            old: Some(v(json!("1"))),
            new: Some(v(json!("2"))),
        }]
    );
}

#[test]
fn version_is_not_part_of_the_match() {
    let a = v(
        json!({"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler",
                     "metadata": {"name": "h"}}),
    );
    let b = v(
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                     "metadata": {"name": "h"}}),
    );
    let d = diff_documents(vec![a], vec![b], &DiffOptions::default());
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].kind, ChangeKind::Modified);
    assert_eq!(
        paths(&d.changes[0]),
        [("apiVersion".into(), FieldChangeKind::Modified)]
    );
}

#[test]
fn hash_renames_pair_as_renamed() {
    let old = vec![cm("cfg-dhdtb6mhcd", json!({"k": "1"}))];
    let new = vec![cm("cfg-f62b8c2bck", json!({"k": "2"}))];
    let d = diff_documents(old, new, &DiffOptions::default());
    assert_eq!(d.changes.len(), 1);
    let c = &d.changes[0];
    assert_eq!(c.kind, ChangeKind::Renamed);
    assert_eq!(
        c.old.as_ref().map(|o| o.id.name.as_str()),
        Some("cfg-dhdtb6mhcd")
    );
    assert_eq!(
        paths(c),
        [
            ("data.k".into(), FieldChangeKind::Modified),
            ("metadata.name".into(), FieldChangeKind::Modified),
        ]
    );
}

#[test]
fn prefix_renames_pair_only_when_asked() {
    let old = vec![cm("web", json!({}))];
    let new = vec![cm("dev-web", json!({}))];
    let d = diff_documents(old.clone(), new.clone(), &DiffOptions::default());
    assert_eq!(d.count(ChangeKind::Added), 1);
    assert_eq!(d.count(ChangeKind::Removed), 1);
    let opts = DiffOptions {
        ignore_name_prefixes: vec!["dev-".into()],
        ..Default::default()
    };
    let d = diff_documents(old, new, &opts);
    assert_eq!(d.count(ChangeKind::Renamed), 1);
    assert_eq!(d.changes.len(), 1);
}

#[test]
fn ignored_affixes_apply_to_namespaces_too() {
    let mut a = cm("web-stg", json!({}));
    if let Some(ns) = a.get_path_mut(&["metadata", "namespace"]) {
        *ns = Value::from("ns-staging");
    }
    let b = cm("web", json!({}));
    let opts = DiffOptions {
        ignore_name_suffixes: vec!["-stg".into(), "-staging".into()],
        ..Default::default()
    };
    let d = diff_documents(vec![a.clone()], vec![b.clone()], &opts);
    assert_eq!(d.count(ChangeKind::Renamed), 1);
    assert_eq!(
        paths(&d.changes[0]),
        [
            ("metadata.name".into(), FieldChangeKind::Modified),
            ("metadata.namespace".into(), FieldChangeKind::Modified),
        ]
    );
    let d = diff_documents(vec![a], vec![b], &DiffOptions::default());
    assert_eq!(d.count(ChangeKind::Renamed), 0);
}

#[test]
fn duplicate_ids_pair_in_order_and_other_kinds_never_pair() {
    let old = vec![cm("x", json!({"n": "1"})), cm("x", json!({"n": "2"}))];
    let new = vec![
        cm("x", json!({"n": "1"})),
        cm("x", json!({"n": "3"})),
        secret("x", json!({})),
    ];
    let d = diff_documents(old, new, &DiffOptions::default());
    assert_eq!(d.unchanged, 1);
    let kinds: Vec<ChangeKind> = d.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::Modified, ChangeKind::Added]);
}

#[test]
fn field_paths_quote_keys_and_name_list_items() {
    let a = v(
        json!({"kind": "Deployment", "metadata": {"name": "d", "labels": {}},
        "spec": {"containers": [
            {"name": "app", "args": ["a", "b"], "volumeMounts": [{"mountPath": "/data", "name": "v", "readOnly": true}]},
        ], "items": [{"x": 1}]}}),
    );
    let b = v(json!({"kind": "Deployment",
        "metadata": {"name": "d", "labels": {"app.kubernetes.io/name": "x"}},
        "spec": {"containers": [
            {"name": "app", "args": ["a", "new", "b"], "volumeMounts": [{"mountPath": "/data", "name": "v", "readOnly": false}]},
        ], "items": [{"x": 2}]}}));
    let d = diff_documents(vec![a], vec![b], &DiffOptions::default());
    assert_eq!(
        paths(&d.changes[0]),
        [
            (
                "metadata.labels[\"app.kubernetes.io/name\"]".into(),
                FieldChangeKind::Added
            ),
            (
                "spec.containers[name=app].args[1]".into(),
                FieldChangeKind::Added
            ),
            (
                "spec.containers[name=app].volumeMounts[name=v].readOnly".into(),
                FieldChangeKind::Modified
            ),
            ("spec.items[0].x".into(), FieldChangeKind::Modified),
        ]
    );
}

#[test]
fn keyed_values_with_odd_characters_are_quoted() {
    let a = v(json!({"kind": "K", "metadata": {"name": "n"},
        "env": [{"name": "A B", "value": "1"}, {"name": "C", "value": "1"}]}));
    let b = v(json!({"kind": "K", "metadata": {"name": "n"},
        "env": [{"name": "A B", "value": "2"}, {"name": "C", "value": "1"}]}));
    let d = diff_documents(vec![a], vec![b], &DiffOptions::default());
    assert_eq!(
        paths(&d.changes[0]),
        [("env[name=\"A B\"].value".into(), FieldChangeKind::Modified)]
    );
}

#[test]
fn reordered_keyed_lists_are_reported() {
    let a = v(json!({"kind": "K", "metadata": {"name": "n"},
        "c": [{"name": "a"}, {"name": "b"}]}));
    let b = v(json!({"kind": "K", "metadata": {"name": "n"},
        "c": [{"name": "b"}, {"name": "a"}]}));
    let d = diff_documents(vec![a], vec![b], &DiffOptions::default());
    let f = &d.changes[0].fields;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, FieldChangeKind::Reordered);
    assert_eq!(f[0].old, Some(v(json!(["a", "b"]))));
    assert_eq!(f[0].new, Some(v(json!(["b", "a"]))));
}

#[test]
fn a_single_changed_port_reads_positionally() {
    let a = v(json!({"kind": "Service", "metadata": {"name": "s"}, "ports": [{"port": 80}]}));
    let b = v(json!({"kind": "Service", "metadata": {"name": "s"}, "ports": [{"port": 8080}]}));
    let d = diff_documents(vec![a], vec![b], &DiffOptions::default());
    assert_eq!(
        paths(&d.changes[0]),
        [("ports[0].port".into(), FieldChangeKind::Modified)]
    );
}

#[test]
fn secret_pairs_are_masked_with_changed_marks() {
    let old = vec![secret(
        "s",
        json!({"same": "c2FtZQ==", "diff": "b2xk", "gone": "eA=="}),
    )];
    let new = vec![secret(
        "s",
        json!({"same": "c2FtZQ==", "diff": "bmV3", "added": "eQ=="}),
    )];
    let d = diff_documents(old, new, &DiffOptions::default());
    let c = &d.changes[0];
    let old_data = c.old.as_ref().and_then(|o| o.value.get("data")).cloned();
    let new_data = c.new.as_ref().and_then(|o| o.value.get("data")).cloned();
    assert_eq!(
        old_data,
        Some(v(
            json!({"same": SECRET_MASK, "diff": SECRET_MASK, "gone": SECRET_MASK})
        ))
    );
    assert_eq!(
        new_data,
        Some(v(
            json!({"same": SECRET_MASK, "diff": SECRET_MASK_CHANGED, "added": SECRET_MASK})
        ))
    );
    assert_eq!(
        paths(c),
        [
            ("data.added".into(), FieldChangeKind::Added),
            ("data.diff".into(), FieldChangeKind::Modified),
            ("data.gone".into(), FieldChangeKind::Removed),
        ]
    );
}

#[test]
fn equal_secrets_stay_unchanged_and_lone_secrets_are_masked() {
    let d = diff_documents(
        vec![
            secret("s", json!({"k": "dg=="})),
            secret("old", json!({"k": "dg=="})),
        ],
        vec![
            secret("s", json!({"k": "dg=="})),
            v(
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "n"},
                     "stringData": "weird"}),
            ),
        ],
        &DiffOptions::default(),
    );
    assert_eq!(d.unchanged, 1);
    for c in &d.changes {
        let doc = c.new.as_ref().or(c.old.as_ref()).map(|d| &d.value);
        let text = doc.map(crate::yaml::emit_document).unwrap_or_default();
        assert!(!text.contains("dg=="), "{text}");
        assert!(!text.contains("weird"), "{text}");
    }
}

#[test]
fn show_secrets_leaves_values() {
    let opts = DiffOptions {
        show_secrets: true,
        ..Default::default()
    };
    let d = diff_documents(
        vec![secret("s", json!({"k": "b2xk"}))],
        vec![secret("s", json!({"k": "bmV3"}))],
        &opts,
    );
    assert_eq!(d.changes[0].fields[0].new, Some(v(json!("bmV3"))));
}

#[test]
fn documents_from_text_expands_lists_and_rejects_scalars() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- kind: A\n  metadata: {name: a}\n- kind: B\n  metadata: {name: b}\n---\nkind: C\nmetadata: {name: c}\n---\n{}\n";
    let docs = documents_from_text(Path::new("f.yaml"), text).expect("parses");
    let kinds: Vec<String> = docs.iter().map(|d| DocId::of(d).kind).collect();
    assert_eq!(kinds, ["A", "B", "C"]);
    let err = documents_from_text(Path::new("f.yaml"), "kind: A\n---\n- 1\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "f.yaml: document 2 is a sequence, not a mapping (a Kubernetes object)"
    );
    let err = documents_from_text(Path::new("f.yaml"), "a: [\n").unwrap_err();
    assert!(err.to_string().starts_with("f.yaml:"), "{err}");
}

#[test]
fn resolve_sides() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    std::fs::create_dir_all(root.join("overlays/dev")).expect("mkdir");
    std::fs::write(root.join("built.yaml"), "kind: A\n").expect("write");
    assert_eq!(Source::resolve("-", root).ok(), Some(Source::Stdin));
    assert_eq!(
        Source::resolve("dev", root).ok(),
        Some(Source::Kustomization(root.join("overlays/dev")))
    );
    let file = root.join("built.yaml");
    let file_arg = file.to_string_lossy().into_owned();
    assert_eq!(
        Source::resolve(&file_arg, root).ok(),
        Some(Source::File(file))
    );
    // A directory is a kustomization when it holds a kustomization file,
    // else a directory of built manifests (as kubectl diff writes them).
    let dir_arg = root.join("overlays").to_string_lossy().into_owned();
    assert_eq!(
        Source::resolve(&dir_arg, root).ok(),
        Some(Source::ManifestDir(root.join("overlays")))
    );
    std::fs::write(root.join("overlays/kustomization.yaml"), "").expect("write");
    assert_eq!(
        Source::resolve(&dir_arg, root).ok(),
        Some(Source::Kustomization(root.join("overlays")))
    );
    // Anything else that exists reads as a stream: /dev/null, /dev/stdin.
    assert_eq!(
        Source::resolve("/dev/null", root).ok(),
        Some(Source::File("/dev/null".into()))
    );
    let err = Source::resolve("prod", root).unwrap_err().to_string();
    assert!(err.contains("\"prod\" is neither an overlay"), "{err}");
}

#[test]
fn inline_values_quote_ambiguous_strings_and_cut_long_ones() {
    use render::inline_value;
    assert_eq!(inline_value(&v(json!("3"))), "\"3\"");
    assert_eq!(inline_value(&v(json!(3))), "3");
    assert_eq!(inline_value(&v(json!("true"))), "\"true\"");
    assert_eq!(inline_value(&v(json!("plain"))), "plain");
    assert_eq!(inline_value(&v(json!("a\nb"))), "\"a\\nb\"");
    assert_eq!(inline_value(&v(json!({"a": [1]}))), "{\"a\":[1]}");
    let long = "é".repeat(150);
    let cut = inline_value(&v(json!(long)));
    assert_eq!(cut.chars().count(), 101);
    assert!(cut.ends_with('…'));
}
