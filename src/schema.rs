//! The OpenAPI schema subset strategic merge patches need: per type, the
//! field tree with `x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`
//! and `x-kubernetes-list-map-keys`, types indexed by `apiVersion`/`kind`, and
//! which kinds are namespaced.
//!
//! The builtin schema is Kubernetes v1.21.2, the one kustomize v5.5 embeds. It
//! is stored in a compact text form (`src/schema/k8s-1.21.2.txt`, written by
//! `src/schema/gen.py`) and parsed once, on first use.
//!
//! Lookups follow kyaml's `openapi.ResourceSchema`: [`SchemaRef::field`] takes
//! a property (or the `additionalProperties` schema of a map) and resolves
//! `$ref`s, which drops any extension written beside the `$ref` (so a
//! `patch-strategy` on a `$ref` field, such as `DeploymentSpec.strategy`'s
//! `retainKeys`, is never seen); [`SchemaRef::elements`] gives the item schema
//! of a `type: array`.
//!
//! Scope (kustomize's `IsClusterScoped`): a kind is cluster-scoped only when
//! its exact `apiVersion` and `kind` are listed as cluster-scoped; kustomize
//! checks its builtin table first (whatever custom schema is in use) and then
//! the `paths` of a custom schema. Kinds not listed (CRDs, `TokenReview`, or
//! `Namespace` under a wrong `apiVersion`) are treated as namespaced.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::yaml::Value;

const BUILTIN_TEXT: &str = include_str!("schema/k8s-1.21.2.txt");

/// A parsed OpenAPI schema: definitions, the types of resource kinds, and
/// resource scopes.
#[derive(Debug, Default, Clone)]
pub struct Schema {
    nodes: Vec<Node>,
    /// Definition name → node index.
    defs: HashMap<String, usize>,
    /// (apiVersion, kind) → node index of the resource's definition.
    types: HashMap<(String, String), usize>,
    /// (apiVersion, kind) → true when namespaced.
    scopes: HashMap<(String, String), bool>,
}

/// How a `$ref` names its target.
#[derive(Debug, Clone)]
enum Ref {
    /// A definition index of the builtin text form (its node index is found
    /// through `Schema::def_nodes` at parse time).
    Node(usize),
    /// A definition name not (yet) resolved; unresolvable refs act as "no schema".
    Name(String),
}

#[derive(Debug, Default, Clone)]
struct Node {
    reference: Option<Ref>,
    /// Item schema, set only for `type: array`.
    items: Option<usize>,
    additional: Option<usize>,
    /// Properties sorted by name.
    props: Vec<(String, usize)>,
    strategy: Option<String>,
    merge_key: Option<String>,
    list_map_keys: Vec<String>,
}

/// A position in a [`Schema`]: the schema of one resource, field or list item.
#[derive(Debug, Clone, Copy)]
pub struct SchemaRef<'a> {
    schema: &'a Schema,
    node: usize,
}

impl Schema {
    /// The Kubernetes v1.21.2 schema kustomize uses by default, parsed on
    /// first use.
    pub fn builtin() -> &'static Schema {
        static BUILTIN: OnceLock<Schema> = OnceLock::new();
        BUILTIN.get_or_init(|| parse_builtin(BUILTIN_TEXT))
    }

    /// An empty schema: every kind is unknown, so every list is replaced.
    pub fn empty() -> Schema {
        Schema::default()
    }

    /// The schema of a resource type, by exact `apiVersion` and `kind`.
    pub fn for_type(&self, api_version: &str, kind: &str) -> Option<SchemaRef<'_>> {
        let &node = self
            .types
            .get(&(api_version.to_string(), kind.to_string()))?;
        Some(SchemaRef { schema: self, node }.resolved()?)
    }

    /// The schema of a definition, by name (`io.k8s.api.core.v1.PodSpec`).
    pub fn definition(&self, name: &str) -> Option<SchemaRef<'_>> {
        let &node = self.defs.get(name)?;
        SchemaRef { schema: self, node }.resolved()
    }

    /// Whether a kind is namespaced: `Some(true)` namespaced, `Some(false)`
    /// cluster-scoped, `None` unknown. Like kustomize, the builtin table is
    /// consulted first, then this schema's own scopes (from a custom schema's
    /// `paths`).
    pub fn is_namespaced(&self, api_version: &str, kind: &str) -> Option<bool> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(&b) = Schema::builtin().scopes.get(&key) {
            return Some(b);
        }
        self.scopes.get(&key).copied()
    }

    /// True when kustomize treats the kind as cluster-scoped (known and not
    /// namespaced). Unknown kinds are namespaced for kustomize.
    pub fn is_cluster_scoped(&self, api_version: &str, kind: &str) -> bool {
        self.is_namespaced(api_version, kind) == Some(false)
    }

    /// Parses a custom OpenAPI document (kustomize's `openapi: path:`) given
    /// as JSON text. Only this document's definitions are used for merging.
    pub fn from_openapi_json(text: &str) -> Result<Schema> {
        let json: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::msg(format!("invalid OpenAPI schema: {e}")))?;
        Schema::from_openapi_value(&Value::from(json))
    }

    /// Parses a custom OpenAPI document already read as a YAML/JSON value:
    /// `definitions` (with `x-kubernetes-group-version-kind`, or `gvk`) and
    /// `paths` (for scopes, as kustomize's `findNamespaceability` does).
    pub fn from_openapi_value(doc: &Value) -> Result<Schema> {
        let Some(top) = doc.as_map() else {
            return Err(Error::msg("invalid OpenAPI schema: not a mapping"));
        };
        let mut s = Schema::default();
        if let Some(defs) = top.get("definitions") {
            let Some(defs) = defs.as_map() else {
                return Err(Error::msg(
                    "invalid OpenAPI schema: definitions is not a mapping",
                ));
            };
            for (name, def) in defs.iter() {
                let node = s.add_value_node(def);
                s.defs.insert(name.clone(), node);
                let gvks = def
                    .get("x-kubernetes-group-version-kind")
                    .or_else(|| def.get("gvk"));
                if let Some(Value::Seq(list)) = gvks {
                    for g in list {
                        if let Some(key) = gvk_type_key(g) {
                            s.types.insert(key, node);
                        }
                    }
                }
            }
        }
        if let Some(Value::Map(paths)) = top.get("paths") {
            for (path, info) in paths.iter() {
                let Some(gvk) = info.get_path(&["get", "x-kubernetes-group-version-kind"]) else {
                    continue;
                };
                let Some(key) = gvk_type_key(gvk) else {
                    continue;
                };
                if path.contains("namespaces/{namespace}") {
                    s.scopes.insert(key, true);
                } else {
                    s.scopes.entry(key).or_insert(false);
                }
            }
        }
        s.link_names();
        Ok(s)
    }

    /// A schema holding `self`'s definitions, types and scopes plus `over`'s,
    /// where `over` wins on equal names (kyaml's `AddDefinitions` when `over`
    /// is parsed later). Use `builtin().merged_with(custom)` when kustomize
    /// had already loaded its builtin schema before the custom one, and
    /// `custom.merged_with(builtin())` when it loads the builtin one after.
    pub fn merged_with(&self, over: &Schema) -> Schema {
        let mut out = Schema::default();
        for (src, is_over) in [(self, false), (over, true)] {
            let base = out.nodes.len();
            let names: HashMap<usize, &str> =
                src.defs.iter().map(|(k, &v)| (v, k.as_str())).collect();
            for n in &src.nodes {
                let mut n = n.clone();
                n.items = n.items.map(|i| i + base);
                n.additional = n.additional.map(|i| i + base);
                for p in &mut n.props {
                    p.1 += base;
                }
                // Refs are re-linked by name so that `over`'s definitions
                // replace `self`'s for both.
                n.reference = match n.reference {
                    Some(Ref::Node(i)) => Some(Ref::Name(
                        names.get(&i).map(|s| s.to_string()).unwrap_or_default(),
                    )),
                    other => other,
                };
                out.nodes.push(n);
            }
            for (k, &v) in &src.defs {
                out.defs.insert(k.clone(), v + base);
            }
            for (k, &v) in &src.types {
                out.types.insert(k.clone(), v + base);
            }
            for (k, &v) in &src.scopes {
                if is_over {
                    // kyaml: a namespaced path always wins; otherwise only
                    // unknown kinds are added.
                    if v {
                        out.scopes.insert(k.clone(), true);
                    } else {
                        out.scopes.entry(k.clone()).or_insert(false);
                    }
                } else {
                    out.scopes.insert(k.clone(), v);
                }
            }
        }
        out.link_names();
        out
    }

    /// Turns name refs into node refs where the name is defined.
    fn link_names(&mut self) {
        for i in 0..self.nodes.len() {
            if let Some(Ref::Name(name)) = &self.nodes[i].reference {
                if let Some(&target) = self.defs.get(name.as_str()) {
                    self.nodes[i].reference = Some(Ref::Node(target));
                }
            }
        }
    }

    fn add_value_node(&mut self, v: &Value) -> usize {
        let idx = self.nodes.len();
        self.nodes.push(Node::default());
        let Some(m) = v.as_map() else {
            return idx;
        };
        let mut node = Node::default();
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            let name = r.strip_prefix("#/definitions/").unwrap_or(r);
            node.reference = Some(Ref::Name(name.to_string()));
        }
        let is_array = match m.get("type") {
            Some(Value::String(t)) => t == "array",
            Some(Value::Seq(ts)) => ts.len() == 1 && ts[0].as_str() == Some("array"),
            _ => false,
        };
        if is_array && let Some(items) = m.get("items") {
            // `items` may also be a list of schemas (tuple form): no item schema.
            if items.as_map().is_some() {
                node.items = Some(self.add_value_node(items));
            }
        }
        if let Some(add) = m.get("additionalProperties")
            && add.as_map().is_some()
        {
            node.additional = Some(self.add_value_node(add));
        }
        if let Some(Value::Map(props)) = m.get("properties") {
            for (k, pv) in props.iter() {
                let child = self.add_value_node(pv);
                node.props.push((k.clone(), child));
            }
            node.props.sort_by(|a, b| a.0.cmp(&b.0));
        }
        node.strategy = m
            .get("x-kubernetes-patch-strategy")
            .and_then(Value::scalar_string);
        node.merge_key = m
            .get("x-kubernetes-patch-merge-key")
            .and_then(Value::scalar_string);
        if let Some(Value::Seq(keys)) = m.get("x-kubernetes-list-map-keys") {
            node.list_map_keys = keys.iter().filter_map(Value::scalar_string).collect();
        }
        self.nodes[idx] = node;
        idx
    }
}

/// `(apiVersion, kind)` from a `{group, version, kind}` entry or a list of them
/// (the first entry).
fn gvk_type_key(g: &Value) -> Option<(String, String)> {
    let g = match g {
        Value::Seq(s) => s.first()?,
        other => other,
    };
    let version = g.get("version")?.as_str()?;
    let kind = g.get("kind")?.as_str()?;
    let av = match g.get("group").and_then(Value::as_str) {
        Some(group) if !group.is_empty() => format!("{group}/{version}"),
        _ => version.to_string(),
    };
    Some((av, kind.to_string()))
}

impl<'a> SchemaRef<'a> {
    fn node(&self) -> &'a Node {
        &self.schema.nodes[self.node]
    }

    /// Follows `$ref`s; `None` when one does not resolve.
    fn resolved(self) -> Option<SchemaRef<'a>> {
        let mut cur = self;
        // A cycle of bare refs would never end; the bound is the node count.
        for _ in 0..=self.schema.nodes.len() {
            match &cur.node().reference {
                None => return Some(cur),
                Some(Ref::Node(i)) => {
                    cur = SchemaRef {
                        schema: cur.schema,
                        node: *i,
                    }
                }
                Some(Ref::Name(_)) => return None,
            }
        }
        None
    }

    /// The schema of field `name`: the property of that name, else the
    /// `additionalProperties` schema (maps), with `$ref`s resolved.
    pub fn field(self, name: &str) -> Option<SchemaRef<'a>> {
        let n = self.node();
        let child = match n.props.binary_search_by(|p| p.0.as_str().cmp(name)) {
            Ok(i) => n.props[i].1,
            Err(_) => n.additional?,
        };
        SchemaRef {
            schema: self.schema,
            node: child,
        }
        .resolved()
    }

    /// The schema of a map's values (`additionalProperties`), if this is a map.
    pub fn map_values(self) -> Option<SchemaRef<'a>> {
        let node = self.node().additional?;
        SchemaRef {
            schema: self.schema,
            node,
        }
        .resolved()
    }

    /// The schema of a list's items, if this is a `type: array` with items.
    pub fn elements(self) -> Option<SchemaRef<'a>> {
        let node = self.node().items?;
        SchemaRef {
            schema: self.schema,
            node,
        }
        .resolved()
    }

    /// `x-kubernetes-patch-strategy` (`merge`, `replace`, `retainKeys`,
    /// `merge,retainKeys`), if set.
    pub fn patch_strategy(self) -> Option<&'a str> {
        self.node().strategy.as_deref()
    }

    /// `x-kubernetes-patch-merge-key`, if set.
    pub fn merge_key(self) -> Option<&'a str> {
        self.node().merge_key.as_deref()
    }

    /// `x-kubernetes-list-map-keys` (empty when unset).
    pub fn list_map_keys(self) -> &'a [String] {
        &self.node().list_map_keys
    }

    /// True when the patch strategy includes `merge`: kyaml then merges the
    /// list's items by key (or by value for lists of scalars).
    pub fn is_merge_list(self) -> bool {
        self.patch_strategy()
            .is_some_and(|s| s.split(',').any(|p| p == "merge"))
    }

    /// The keys kyaml merges list items by (`PatchStrategyAndKeyList`): none
    /// without a patch strategy; else `list-map-keys` when set, else the
    /// merge key, else none (a list of scalars).
    pub fn merge_keys(self) -> Vec<&'a str> {
        let n = self.node();
        if n.strategy.is_none() {
            return Vec::new();
        }
        if !n.list_map_keys.is_empty() {
            return n.list_map_keys.iter().map(String::as_str).collect();
        }
        n.merge_key.as_deref().into_iter().collect()
    }
}

/// Parses the builtin text form (see `src/schema/gen.py`). The text is ours
/// and fixed, so a malformed record is skipped rather than reported.
fn parse_builtin(text: &str) -> Schema {
    let mut s = Schema::default();
    let mut def_nodes: Vec<usize> = Vec::new();
    let mut def_names: Vec<&str> = Vec::new();
    for line in text.lines() {
        let Some(tag) = line.as_bytes().first() else {
            continue;
        };
        let rest = &line[1..];
        let mut f = rest.split('\t');
        match tag {
            b'D' => {
                let (Some(name), Some(expr)) = (f.next(), f.next()) else {
                    continue;
                };
                let mut p = NodeParser {
                    b: expr.as_bytes(),
                    s: expr,
                    pos: 0,
                    schema: &mut s,
                };
                let node = p.node();
                def_nodes.push(node);
                def_names.push(name);
                s.defs.insert(name.to_string(), node);
            }
            b'G' => {
                let (Some(av), Some(kind), Some(idx)) = (f.next(), f.next(), f.next()) else {
                    continue;
                };
                if let Some(&node) = idx.parse::<usize>().ok().and_then(|i| def_nodes.get(i)) {
                    s.types.insert((av.to_string(), kind.to_string()), node);
                }
            }
            b'S' => {
                let (Some(av), Some(kind), Some(scope)) = (f.next(), f.next(), f.next()) else {
                    continue;
                };
                s.scopes
                    .insert((av.to_string(), kind.to_string()), scope == "N");
            }
            _ => {}
        }
    }
    // Definition indices → node indices.
    for n in &mut s.nodes {
        if let Some(Ref::Node(d)) = n.reference {
            n.reference = match def_nodes.get(d) {
                Some(&node) => Some(Ref::Node(node)),
                None => Some(Ref::Name(String::new())),
            };
        }
    }
    s
}

struct NodeParser<'t, 's> {
    b: &'t [u8],
    s: &'t str,
    pos: usize,
    schema: &'s mut Schema,
}

impl NodeParser<'_, '_> {
    fn until(&mut self, stops: &[u8]) -> &str {
        let start = self.pos;
        while self.pos < self.b.len() && !stops.contains(&self.b[self.pos]) {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    fn node(&mut self) -> usize {
        let idx = self.schema.nodes.len();
        self.schema.nodes.push(Node::default());
        let mut node = Node::default();
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            match c {
                b'@' => {
                    self.pos += 1;
                    let num = self.until(b"[{(!~^,):");
                    if let Ok(d) = num.parse::<usize>() {
                        node.reference = Some(Ref::Node(d));
                    }
                }
                b'[' => {
                    self.pos += 1;
                    node.items = Some(self.node());
                }
                b'{' => {
                    self.pos += 1;
                    node.additional = Some(self.node());
                }
                b'(' => {
                    self.pos += 1;
                    loop {
                        let name = self.until(b":").to_string();
                        self.pos += 1; // ':'
                        let child = self.node();
                        node.props.push((name, child));
                        match self.b.get(self.pos) {
                            Some(b',') => self.pos += 1,
                            _ => {
                                self.pos += 1; // ')'
                                break;
                            }
                        }
                    }
                    node.props.sort_by(|a, b| a.0.cmp(&b.0));
                }
                b'!' | b'~' | b'^' => {
                    self.pos += 1;
                    let v = self.until(b";").to_string();
                    self.pos += 1;
                    match c {
                        b'!' => node.strategy = Some(v),
                        b'~' => node.merge_key = Some(v),
                        _ => node.list_map_keys = v.split(',').map(str::to_string).collect(),
                    }
                }
                // ',' or ')' end this node (they belong to the parent).
                _ => break,
            }
        }
        self.schema.nodes[idx] = node;
        idx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_pod_spec_lists() {
        let s = Schema::builtin();
        let dep = s.for_type("apps/v1", "Deployment").expect("Deployment");
        let pod = dep
            .field("spec")
            .and_then(|x| x.field("template"))
            .and_then(|x| x.field("spec"))
            .expect("pod spec");
        let containers = pod.field("containers").expect("containers");
        assert!(containers.is_merge_list());
        assert_eq!(containers.merge_keys(), ["name"]);
        let c = containers.elements().expect("Container");
        let ports = c.field("ports").expect("ports");
        assert_eq!(ports.merge_keys(), ["containerPort", "protocol"]);
        assert_eq!(ports.merge_key(), Some("containerPort"));
        assert!(!c.field("args").expect("args").is_merge_list());
        let vols = pod.field("volumes").expect("volumes");
        assert_eq!(vols.patch_strategy(), Some("merge,retainKeys"));
        assert!(vols.is_merge_list());
        // tolerations: no strategy; resourceClaims did not exist in 1.21.
        assert!(!pod.field("tolerations").expect("tol").is_merge_list());
        assert!(pod.field("resourceClaims").is_none());
        // A map field gives its value schema for any key.
        let labels = dep
            .field("metadata")
            .and_then(|m| m.field("labels"))
            .expect("labels");
        assert!(labels.field("anything").is_some());
        let fin = dep
            .field("metadata")
            .and_then(|m| m.field("finalizers"))
            .expect("finalizers");
        assert!(fin.is_merge_list());
        assert!(fin.merge_keys().is_empty());
        // The $ref drops the retainKeys written beside it.
        let strat = dep.field("spec").and_then(|x| x.field("strategy")).unwrap();
        assert_eq!(strat.patch_strategy(), None);
        assert!(s.for_type("example.com/v1", "Foo").is_none());
        assert!(s.for_type("apps/v1beta1", "Deployment").is_none());
    }

    #[test]
    fn builtin_scopes() {
        let s = Schema::builtin();
        assert!(s.is_cluster_scoped("v1", "Namespace"));
        assert!(s.is_cluster_scoped("rbac.authorization.k8s.io/v1", "ClusterRole"));
        assert!(!s.is_cluster_scoped("apps/v1", "Deployment"));
        // Exact apiVersion only; listed without scope → unknown.
        assert!(!s.is_cluster_scoped("v2", "Namespace"));
        assert_eq!(s.is_namespaced("authentication.k8s.io/v1", "TokenReview"), None);
        assert_eq!(s.is_namespaced("v1", "ConfigMap"), Some(true));
    }

    #[test]
    fn custom_schema() {
        let text = r##"{"definitions": {
          "v1.Foo": {"type": "object",
            "x-kubernetes-group-version-kind": [{"group": "ex.com", "kind": "Foo", "version": "v1"}],
            "properties": {"spec": {"type": "object", "properties": {
              "items": {"type": "array", "items": {"$ref": "#/definitions/v1.Item"},
                        "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"},
              "bad": {"$ref": "#/definitions/missing"}}}}},
          "v1.Item": {"type": "object", "properties": {"name": {"type": "string"}}}},
          "paths": {"/apis/ex.com/v1/foos": {"get": {"x-kubernetes-group-version-kind":
             {"group": "ex.com", "kind": "Foo", "version": "v1"}}}}}"##;
        let s = Schema::from_openapi_json(text).expect("parse");
        let foo = s.for_type("ex.com/v1", "Foo").expect("Foo");
        let items = foo.field("spec").and_then(|x| x.field("items")).unwrap();
        assert_eq!(items.merge_keys(), ["name"]);
        assert!(items.elements().and_then(|e| e.field("name")).is_some());
        assert!(foo.field("spec").and_then(|x| x.field("bad")).is_none());
        assert!(s.is_cluster_scoped("ex.com", "Foo") == false);
        assert!(s.is_cluster_scoped("ex.com/v1", "Foo"));
        // Builtin scopes still apply; builtin types do not.
        assert!(s.is_cluster_scoped("v1", "Namespace"));
        assert!(s.for_type("apps/v1", "Deployment").is_none());
        let both = s.merged_with(Schema::builtin());
        assert!(both.for_type("apps/v1", "Deployment").is_some());
        assert!(both.for_type("ex.com/v1", "Foo").is_some());
        assert!(Schema::from_openapi_json("[").is_err());
    }
}
