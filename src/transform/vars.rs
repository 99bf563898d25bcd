//! kustomize `vars` (deprecated, still honoured by kustomize 5.5): `$(NAME)`
//! references in the var-reference fields are replaced by a field of the
//! resource the var names.
//!
//! The build drives it in two steps, as kustomize does:
//! 1. at the end of each kustomization (after its transformers),
//!    [`merge_vars`] finds each new var's resource by exact
//!    group/version/kind/name (and namespace when given) among current and
//!    previous ids, marks it in `Resource::ref_var_names`, and adds the var to
//!    the [`VarSet`] (a name already present is an error; sets of sibling
//!    bases are combined with [`VarSet::merge_set`], same rule);
//! 2. once, after name references are fixed, [`resolve_vars`] reads each
//!    var's value and substitutes it.
//!
//! Facts checked with `kubectl kustomize`: unused vars are not an error
//! (kustomize only logs them; [`resolve_vars`] returns their names); a var
//! whose resource is missing is an error at resolution; two matching
//! resources is an error at merge; an objref without apiVersion/version
//! matches nothing; `"$(PORT)"` alone becomes the number 8080 while
//! `"--p=$(PORT)"` becomes the string `--p=8080`; `$$` escapes `$`;
//! unknown `$(X)` and unterminated `$(X` stay as they are; a var whose value
//! is a mapping or list is left unreplaced; a non-string item in a
//! var-reference list (`args: [1]`) is an error.

use std::collections::{BTreeMap, HashMap};

use crate::error::Result;
use crate::resource::{Gvk, ResId, ResMap, Resource};
use crate::selector::{json_field, opt_string};
use crate::transform::replacements::{lookup, split_field_path};
use crate::yaml::{Value, format_go_float};
use crate::{bail, err};

/// One `vars:` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    /// The name used as `$(NAME)`.
    pub name: String,
    /// The referenced object: group, version, kind, name, namespace ("" = any
    /// namespace).
    pub objref: ResId,
    /// The field read from it; defaults to `metadata.name`.
    pub field_path: String,
}

impl Var {
    fn describe(&self) -> String {
        let ns = if self.objref.namespace.is_empty() {
            String::new()
        } else {
            format!(" in namespace {}", self.objref.namespace)
        };
        format!(
            "var {} ({} {}/{}{}, {})",
            self.name,
            self.objref.gvk.api_version(),
            self.objref.gvk.kind,
            self.objref.name,
            ns,
            self.field_path
        )
    }
}

/// Parses a kustomization's `vars:` list.
pub fn parse_vars(v: &Value) -> Result<Vec<Var>> {
    let items = match v {
        Value::Null(_) => return Ok(Vec::new()),
        Value::Seq(s) => s,
        other => bail!("vars must be a list, not {}", other.type_name()),
    };
    items.iter().map(parse_var).collect()
}

fn parse_var(v: &Value) -> Result<Var> {
    let Value::Map(m) = v else {
        bail!("a vars entry must be a mapping, not {}", v.type_name());
    };
    let name = opt_string(m, "name", "vars entry")?;
    if name.is_empty() {
        bail!("a vars entry needs a name");
    }
    let ctx = format!("var {name}");
    let empty = crate::yaml::Map::new();
    let obj = match json_field(m, "objref") {
        None | Some(Value::Null(_)) => &empty,
        Some(Value::Map(o)) => o,
        Some(o) => bail!("{ctx}: objref must be a mapping, not {}", o.type_name()),
    };
    let api_version = opt_string(obj, "apiVersion", &ctx)?;
    let mut gvk = Gvk {
        group: opt_string(obj, "group", &ctx)?,
        version: opt_string(obj, "version", &ctx)?,
        kind: opt_string(obj, "kind", &ctx)?,
    };
    if !api_version.is_empty() {
        // kustomize's Target.GVK(): `g/v` sets both, `v` only the version.
        let parts: Vec<&str> = api_version.split('/').collect();
        match parts.as_slice() {
            [g, v] => {
                gvk.group = g.to_string();
                gvk.version = v.to_string();
            }
            [v] => gvk.version = v.to_string(),
            _ => {}
        }
    }
    let field_path = match json_field(m, "fieldref") {
        None | Some(Value::Null(_)) => String::new(),
        Some(Value::Map(f)) => opt_string(f, "fieldPath", &ctx)?,
        Some(f) => bail!("{ctx}: fieldref must be a mapping, not {}", f.type_name()),
    };
    Ok(Var {
        name,
        objref: ResId {
            gvk,
            namespace: opt_string(obj, "namespace", &ctx)?,
            name: opt_string(obj, "name", &ctx)?,
        },
        field_path: if field_path.is_empty() {
            "metadata.name".to_string()
        } else {
            field_path
        },
    })
}

/// Vars by name (no name twice).
#[derive(Clone, Debug, Default)]
pub struct VarSet {
    vars: BTreeMap<String, Var>,
}

impl VarSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a var; a name already present is an error.
    pub fn merge(&mut self, v: Var) -> Result<()> {
        if self.vars.contains_key(&v.name) {
            bail!("var '{}' is defined more than once", v.name);
        }
        self.vars.insert(v.name.clone(), v);
        Ok(())
    }

    /// Adds every var of `other` (a sibling base's set); a name present in
    /// both is an error.
    pub fn merge_set(&mut self, other: VarSet) -> Result<()> {
        for (_, v) in other.vars {
            self.merge(v)?;
        }
        Ok(())
    }

    /// Number of vars.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// True when there are no vars.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// The vars sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &Var> {
        self.vars.values()
    }
}

fn ns_equal(a: &str, b: &str) -> bool {
    let eff = |s: &str| if s.is_empty() { "default" } else { s }.to_string();
    eff(a) == eff(b)
}

fn objref_matches(v: &Var, id: &ResId) -> bool {
    id.gvk == v.objref.gvk
        && id.name == v.objref.name
        && (v.objref.namespace.is_empty() || ns_equal(&v.objref.namespace, &id.namespace))
}

/// Step 1, at the end of a kustomization: marks the resource each var of
/// `incoming` refers to (matched by current or previous id) and adds the
/// vars to `set`. Errors when a var matches several resources or its name is
/// already taken.
pub fn merge_vars(set: &mut VarSet, incoming: &[Var], resources: &mut ResMap) -> Result<()> {
    if incoming.is_empty() {
        return Ok(());
    }
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in resources.resources().iter().enumerate() {
        by_name.entry(r.name()).or_default().push(i);
        for p in &r.prev_ids {
            by_name.entry(p.name.as_str()).or_default().push(i);
        }
    }
    let mut marks: Vec<(usize, String)> = Vec::new();
    for v in incoming {
        let mut matched: Vec<usize> = by_name
            .get(v.objref.name.as_str())
            .map(|c| {
                c.iter()
                    .copied()
                    .filter(|&i| {
                        let r = resources.get(i);
                        objref_matches(v, &r.id())
                            || r.prev_ids.iter().any(|p| objref_matches(v, p))
                    })
                    .collect()
            })
            .unwrap_or_default();
        matched.sort_unstable();
        matched.dedup();
        if matched.len() > 1 {
            let ids: Vec<String> = matched
                .iter()
                .map(|&i| resources.get(i).id().to_string())
                .collect();
            bail!(
                "{} matches {} resources ({}); give objref a namespace to pick one",
                v.describe(),
                matched.len(),
                ids.join(", ")
            );
        }
        if let Some(&i) = matched.first() {
            marks.push((i, v.name.clone()));
        }
    }
    for (i, name) in marks {
        resources.update(i, |r| r.ref_var_names.push(name));
    }
    for v in incoming {
        set.merge(v.clone())?;
    }
    Ok(())
}

/// A place where `$(VAR)` is substituted: resources whose group/version/kind
/// match the set fields ("" = any), at a `/`-separated path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VarFieldSpec {
    /// API group ("" = any).
    pub group: String,
    /// API version ("" = any).
    pub version: String,
    /// Kind ("" = any).
    pub kind: String,
    /// Path such as `spec/template/spec/containers/args`.
    pub path: String,
}

impl VarFieldSpec {
    fn applies_to(&self, g: &Gvk) -> bool {
        (self.group.is_empty() || self.group == g.group)
            && (self.version.is_empty() || self.version == g.version)
            && (self.kind.is_empty() || self.kind == g.kind)
    }
}

/// kustomize's `GetFieldValue` path: `a.b[0].c` also means `a.b.0.c`.
fn var_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in split_field_path(path) {
        if let Some(open) = part.rfind('[')
            && part.ends_with(']')
            && !part[open + 1..part.len() - 1].is_empty()
            && part[open + 1..part.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_digit())
        {
            if open > 0 {
                out.push(part[..open].to_string());
            }
            out.push(part[open + 1..part.len() - 1].to_string());
        } else {
            out.push(part);
        }
    }
    out
}

/// The field of `r` a var reads (for `aiw explain`), if present.
pub(crate) fn var_field<'r>(v: &Var, r: &'r Resource) -> Option<&'r Value> {
    lookup(&r.value, &var_path(&v.field_path)).ok().flatten()
}

fn var_value(v: &Var, r: &Resource) -> Result<Value> {
    let not_found = || err!("{}: field not found in {}", v.describe(), r.id());
    let found = lookup(&r.value, &var_path(&v.field_path)).map_err(|_| not_found())?;
    match found {
        None => Err(not_found()),
        // A null scalar reads as its text.
        Some(Value::Null(_)) => Ok(Value::String("null".into())),
        Some(val) => Ok(val.clone()),
    }
}

fn is_primitive(v: &Value) -> bool {
    matches!(
        v,
        Value::String(_) | Value::Int(_) | Value::UInt(_) | Value::Float(_) | Value::Bool(_)
    )
}

fn as_text(v: &Value) -> String {
    match v {
        Value::Float(f) => format_go_float(*f),
        other => other.scalar_string().unwrap_or_default(),
    }
}

/// Expands `$(NAME)` in `input` (kustomize `DoReplacements`): `$$` is a `$`,
/// unknown or non-scalar vars stay as written, and an input that is exactly
/// one `$(NAME)` takes the var's typed value.
pub fn expand(
    input: &str,
    vars: &HashMap<String, Value>,
    counts: &mut HashMap<String, usize>,
) -> Value {
    let b = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut checkpoint = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            out.push_str(&input[checkpoint..i]);
            let rest = &input[i + 1..];
            let advance;
            match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    advance = 1;
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        let hit = vars.get(name).filter(|v| is_primitive(v));
                        if hit.is_some() {
                            *counts.entry(name.to_string()).or_default() += 1;
                        }
                        if input.len() == close + 2 && i == 0 {
                            return match hit {
                                Some(v) => v.clone(),
                                None => Value::String(input.to_string()),
                            };
                        }
                        match hit {
                            Some(v) => out.push_str(&as_text(v)),
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        advance = close + 1;
                    }
                    None => {
                        out.push_str("$(");
                        advance = 1;
                    }
                },
                _ => {
                    // `$` and the next character (which may be multi-byte).
                    let ch = rest.chars().next().map(char::len_utf8).unwrap_or(1);
                    out.push('$');
                    out.push_str(&rest[..ch]);
                    advance = ch;
                }
            }
            i += advance + 1;
            checkpoint = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&input[checkpoint.min(input.len())..]);
    Value::String(out)
}

fn substitute(
    node: &mut Value,
    path: &[&str],
    vars: &HashMap<String, Value>,
    counts: &mut HashMap<String, usize>,
) -> Result<()> {
    if let Some((first, rest)) = path.split_first() {
        match node {
            Value::Map(m) => {
                if let Some(child) = m.get_mut(first) {
                    if let Value::Seq(items) = child
                        && !rest.is_empty()
                    {
                        for it in items {
                            substitute(it, rest, vars, counts)?;
                        }
                        return Ok(());
                    }
                    substitute(child, rest, vars, counts)?;
                }
            }
            Value::Seq(items) => {
                for it in items {
                    substitute(it, path, vars, counts)?;
                }
            }
            _ => {}
        }
        return Ok(());
    }
    match node {
        Value::String(s) => {
            let new = expand(s, vars, counts);
            *node = new;
        }
        Value::Map(m) => {
            for (_, v) in m.iter_mut() {
                if let Value::String(s) = v {
                    let new = expand(s, vars, counts);
                    *v = new;
                }
            }
        }
        Value::Seq(items) => {
            for it in items.iter_mut() {
                let Value::String(s) = it else {
                    bail!(
                        "a var reference list holds a {} where only strings are allowed",
                        it.type_name()
                    );
                };
                let new = expand(s, vars, counts);
                *it = new;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Step 2, once at the top: reads every var's value from the resource marked
/// for it and replaces `$(NAME)` in the `specs` fields of all resources.
/// Returns the names of vars never used (kustomize only logs those).
pub fn resolve_vars(
    set: &VarSet,
    resources: &mut ResMap,
    specs: &[VarFieldSpec],
) -> Result<Vec<String>> {
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, r) in resources.resources().iter().enumerate() {
        for n in &r.ref_var_names {
            owner.entry(n.as_str()).or_insert(i);
        }
    }
    let mut values: HashMap<String, Value> = HashMap::new();
    for v in set.iter() {
        let Some(&i) = owner.get(v.name.as_str()) else {
            bail!("{} refers to no resource of the build", v.describe());
        };
        values.insert(v.name.clone(), var_value(v, resources.get(i))?);
    }
    let split: Vec<Vec<&str>> = specs
        .iter()
        .map(|s| s.path.split('/').filter(|p| !p.is_empty()).collect())
        .collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for pos in 0..resources.len() {
        let gvk = resources.get(pos).gvk();
        let id = resources.get(pos).id();
        for (spec, path) in specs.iter().zip(&split) {
            if !spec.applies_to(&gvk) {
                continue;
            }
            resources
                .update(pos, |r| {
                    substitute(&mut r.value, path, &values, &mut counts)?;
                    // Values replaced in shared nodes reach their aliases.
                    crate::alias::sync_if_reached(r, &spec.path);
                    Ok::<(), crate::Error>(())
                })
                .map_err(|e| err!("{} at {}: {}", id, spec.path, e.message))?;
        }
    }
    Ok(set
        .iter()
        .filter(|v| !counts.contains_key(&v.name))
        .map(|v| v.name.clone())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn specs() -> Vec<VarFieldSpec> {
        let s = |kind: &str, path: &str| VarFieldSpec {
            kind: kind.into(),
            path: path.into(),
            ..Default::default()
        };
        vec![
            s("Deployment", "spec/template/spec/containers/args"),
            s("Deployment", "spec/template/spec/containers/env/value"),
            s("Deployment", "spec/template/metadata/annotations"),
            s("Pod", "spec/containers/args"),
            s("", "metadata/annotations"),
        ]
    }

    fn res(v: serde_json::Value) -> Resource {
        Resource::new(Value::from(v))
    }

    fn prefixed(mut r: Resource, p: &str) -> Resource {
        r.store_previous_id();
        let n = format!("{p}{}", r.name());
        r.set_name(&n);
        r
    }

    fn vars(v: serde_json::Value) -> Vec<Var> {
        parse_vars(&Value::from(v)).unwrap()
    }

    #[test]
    fn expansion_rules() {
        let mut vars = HashMap::new();
        vars.insert("SVC".to_string(), Value::from("o-b-svc"));
        vars.insert("PORT".to_string(), Value::Int(8080));
        vars.insert("MAP".to_string(), Value::from(json!({"a": "b"})));
        let mut c = HashMap::new();
        // kubectl: `$$(SVC) $(NOPE) $(SVC` -> `$(SVC) $(NOPE) $(SVC`
        assert_eq!(
            expand("$$(SVC) $(NOPE) $(SVC", &vars, &mut c),
            Value::from("$(SVC) $(NOPE) $(SVC")
        );
        assert_eq!(expand("$(PORT)", &vars, &mut c), Value::Int(8080));
        assert_eq!(expand("p-$(PORT)", &vars, &mut c), Value::from("p-8080"));
        assert_eq!(expand("$(MAP)", &vars, &mut c), Value::from("$(MAP)"));
        assert_eq!(expand("a$", &vars, &mut c), Value::from("a$"));
        assert_eq!(expand("$x$(SVC)", &vars, &mut c), Value::from("$xo-b-svc"));
        assert!(!c.contains_key("MAP"));
        assert_eq!(c.get("PORT"), Some(&2));
    }

    /// kubectl experiment: base with namePrefix b- and six vars, overlay with
    /// namePrefix o-.
    #[test]
    fn two_levels_typed_values_and_unused() {
        let mut m = ResMap::new();
        m.push(res(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
            "spec": {"ports": [{"port": 8080, "name": "http"}]}}),
        ));
        m.push(res(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"},
            "data": {"f": 1.5, "b": true, "m": {"a": "b"}}}),
        ));
        m.push(res(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "annotations": {"a1": "$(SVC)"}},
            "spec": {"template": {"metadata": {"annotations": {
                "x": "$(PORT)", "y": "p-$(PORT)", "z": "$(FLT)", "w": "$(BOOL)", "u": "$(MAP)",
                "e": "$$(SVC) $(NOPE) $(SVC"}},
              "spec": {"containers": [{"name": "c", "image": "x",
                "args": ["$(SVC)", "$(PORT)", "--p=$(PORT)", "$(BOOL)"],
                "env": [{"name": "A", "value": "$(PORT)"}]}]}}}})));
        let base = m
            .clone()
            .into_resources()
            .into_iter()
            .map(|r| prefixed(r, "b-"))
            .collect();
        m.replace_all(base);
        let mut set = VarSet::new();
        let vs = vars(json!([
            {"name": "SVC", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"}},
            {"name": "PORT", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"},
             "fieldref": {"fieldpath": "spec.ports[0].port"}},
            {"name": "FLT", "objref": {"kind": "ConfigMap", "name": "cm", "apiVersion": "v1"},
             "fieldref": {"fieldpath": "data.f"}},
            {"name": "BOOL", "objref": {"kind": "ConfigMap", "name": "cm", "apiVersion": "v1"},
             "fieldref": {"fieldpath": "data.b"}},
            {"name": "MAP", "objref": {"kind": "ConfigMap", "name": "cm", "apiVersion": "v1"},
             "fieldref": {"fieldpath": "data.m"}},
            {"name": "UNUSED", "objref": {"kind": "ConfigMap", "name": "cm", "apiVersion": "v1"}}]));
        merge_vars(&mut set, &vs, &mut m).unwrap();
        let top = m
            .clone()
            .into_resources()
            .into_iter()
            .map(|r| prefixed(r, "o-"))
            .collect();
        m.replace_all(top);
        let unused = resolve_vars(&set, &mut m, &specs()).unwrap();
        assert_eq!(unused, ["MAP", "UNUSED"]);
        let d = &m.get(2).value;
        assert_eq!(
            d.get_path(&["metadata", "annotations", "a1"]),
            Some(&Value::from("o-b-svc"))
        );
        let ann = d
            .get_path(&["spec", "template", "metadata", "annotations"])
            .unwrap();
        let want = Value::from(
            json!({"x": 8080, "y": "p-8080", "z": 1.5, "w": true, "u": "$(MAP)",
            "e": "$(SVC) $(NOPE) $(SVC"}),
        );
        for (k, v) in want.as_map().unwrap().iter() {
            assert_eq!(ann.get(k), Some(v), "annotation {k}");
        }
        let c = &d
            .get_path(&["spec", "template", "spec", "containers"])
            .unwrap()
            .as_seq()
            .unwrap()[0];
        assert_eq!(
            c.get("args"),
            Some(&Value::from(json!(["o-b-svc", 8080, "--p=8080", true])))
        );
        assert_eq!(
            c.get_path(&["env"]).unwrap().as_seq().unwrap()[0].get("value"),
            Some(&Value::Int(8080))
        );
    }

    fn two_services() -> ResMap {
        let mut m = ResMap::new();
        for ns in ["a", "b"] {
            m.push(res(json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "svc", "namespace": ns}})));
        }
        m.push(res(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "args": ["$(V)", 1]}]}}),
        ));
        m
    }

    #[test]
    fn errors_as_kubectl() {
        let svc = |extra: serde_json::Value| {
            let mut o = json!({"kind": "Service", "name": "svc", "apiVersion": "v1"});
            for (k, v) in extra.as_object().unwrap() {
                o[k] = v.clone();
            }
            o
        };
        // Two matches without namespace: error at merge.
        let mut m = two_services();
        let e = merge_vars(
            &mut VarSet::new(),
            &vars(json!([{"name": "V", "objref": svc(json!({}))}])),
            &mut m,
        )
        .unwrap_err();
        assert!(e.message.contains("matches 2 resources"), "{e}");
        // Same name twice: error.
        let mut m = two_services();
        let e = merge_vars(
            &mut VarSet::new(),
            &vars(json!([
            {"name": "V", "objref": svc(json!({"namespace": "a"}))},
            {"name": "V", "objref": svc(json!({"namespace": "b"}))}])),
            &mut m,
        )
        .unwrap_err();
        assert!(e.message.contains("more than once"), "{e}");
        // No match: error when resolving.
        for objref in [
            json!({"kind": "Service", "name": "nope", "apiVersion": "v1"}),
            json!({"kind": "Service", "name": "svc", "namespace": "a"}),
        ] {
            let mut m = two_services();
            let mut set = VarSet::new();
            merge_vars(
                &mut set,
                &vars(json!([{"name": "V", "objref": objref}])),
                &mut m,
            )
            .unwrap();
            let e = resolve_vars(&set, &mut m, &specs()).unwrap_err();
            assert!(e.message.contains("refers to no resource"), "{e}");
        }
        // Non-string list item in a var reference field: error.
        let mut m = two_services();
        let mut set = VarSet::new();
        merge_vars(
            &mut set,
            &vars(json!([{"name": "V", "objref": svc(json!({"namespace": "a"}))}])),
            &mut m,
        )
        .unwrap();
        assert!(resolve_vars(&set, &mut m, &specs()).is_err());
        // Missing field: error.
        let mut m = two_services();
        let mut set = VarSet::new();
        merge_vars(
            &mut set,
            &vars(
                json!([{"name": "V", "objref": svc(json!({"namespace": "a"})),
            "fieldref": {"fieldPath": "metadata.nope"}}]),
            ),
            &mut m,
        )
        .unwrap();
        let e = resolve_vars(&set, &mut m, &specs()).unwrap_err();
        assert!(e.message.contains("field not found"), "{e}");
        // Without the bad list item it resolves.
        let mut m = two_services();
        m.update(2, |r| {
            *r.value.get_path_mut(&["spec", "containers"]).unwrap() =
                Value::from(json!([{"name": "c", "args": ["$(V)"]}]));
        });
        let mut set = VarSet::new();
        merge_vars(
            &mut set,
            &vars(json!([{"name": "V", "objref": svc(json!({"namespace": "a"}))}])),
            &mut m,
        )
        .unwrap();
        assert!(resolve_vars(&set, &mut m, &specs()).unwrap().is_empty());
        assert_eq!(
            m.get(2)
                .value
                .get_path(&["spec", "containers"])
                .unwrap()
                .as_seq()
                .unwrap()[0]
                .get("args"),
            Some(&Value::from(json!(["svc"])))
        );
    }

    #[test]
    fn merge_set_conflict() {
        let v = vars(json!([{"name": "V", "objref": {"kind": "X", "name": "y"}}]));
        let mut a = VarSet::new();
        a.merge(v[0].clone()).unwrap();
        let mut b = VarSet::new();
        b.merge(v[0].clone()).unwrap();
        assert!(a.merge_set(b).is_err());
        assert_eq!(
            var_path("spec.ports[0].port"),
            ["spec", "ports", "0", "port"]
        );
    }
}
