//! The OpenAPI schema subset strategic merge patches need: per type, the
//! field tree with `x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`
//! and `x-kubernetes-list-map-keys`, types indexed by `apiVersion`/`kind`, and
//! which kinds are namespaced.
//!
//! The builtin schema is Kubernetes v1.21.2, the one kustomize v5.5 embeds. It
//! is stored as static tables (`src/schema/builtin.rs`, written by
//! `src/schema/gen.py`): sorted name, type and scope tables searched in place
//! (nothing is built at start-up), and each definition in a compact text form
//! parsed on first use.
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

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::yaml::Value;

/// Names borrowed from the builtin text, or owned for custom schemas.
type Str = Cow<'static, str>;

// BUILTIN_DEFS, BUILTIN_NAMES, BUILTIN_TYPES and BUILTIN_SCOPES.
include!("schema/builtin.rs");

/// A parsed OpenAPI schema: definitions, the types of resource kinds, and
/// resource scopes. Each builtin definition is parsed on first use.
#[derive(Debug, Default, Clone)]
pub struct Schema {
    defs: Vec<Def>,
    /// Definition name → index of the definition that wins for that name.
    def_index: HashMap<Str, usize>,
    /// Definition index → the index it stands for (a later schema's
    /// definition of the same name replaces an earlier one).
    redirect: Vec<usize>,
    /// `apiVersion<TAB>kind` → definition index of the resource's type.
    types: HashMap<Str, usize>,
    /// `apiVersion<TAB>kind` → true when namespaced.
    scopes: HashMap<Str, bool>,
    /// True when definitions `0..BUILTIN_DEFS.len()` are the builtin ones and
    /// the static builtin name and type tables count as entries of
    /// `def_index` and `types` (below them: entries of the maps win).
    builtin_tables: bool,
}

/// One definition: its node tree (node 0 is the root), parsed lazily from
/// the builtin text or built eagerly from a custom document.
#[derive(Debug, Clone)]
struct Def {
    text: &'static str,
    /// Offset added to this definition's numeric refs.
    base: usize,
    tree: OnceLock<Vec<Node>>,
}

/// How a `$ref` names its target.
#[derive(Debug, Clone)]
enum Ref {
    /// A definition number, relative to the referring definition's `base`.
    Def(usize),
    /// A definition name, looked up at resolution (unresolvable refs act as
    /// "no schema", as in kyaml).
    Name(Str),
}

#[derive(Debug, Default, Clone)]
struct Node {
    reference: Option<Ref>,
    /// Item schema, set only for `type: array`.
    items: Option<u32>,
    additional: Option<u32>,
    /// Properties sorted by name.
    props: Vec<(Str, u32)>,
    strategy: Option<Str>,
    merge_key: Option<Str>,
    list_map_keys: Vec<Str>,
}

/// A position in a [`Schema`]: the schema of one resource, field or list item.
#[derive(Debug, Clone, Copy)]
pub struct SchemaRef<'a> {
    schema: &'a Schema,
    def: usize,
    node: u32,
}

impl Schema {
    /// The Kubernetes v1.21.2 schema kustomize uses by default. The index is
    /// built on first use; each definition is parsed when first reached.
    pub fn builtin() -> &'static Schema {
        static BUILTIN: OnceLock<Schema> = OnceLock::new();
        BUILTIN.get_or_init(builtin_schema)
    }

    /// An empty schema: every kind is unknown, so every list is replaced.
    pub fn empty() -> Schema {
        Schema::default()
    }

    fn tree(&self, def: usize) -> &[Node] {
        let d = &self.defs[def];
        d.tree.get_or_init(|| parse_def_text(d.text))
    }

    fn root(&self, def: usize) -> Option<SchemaRef<'_>> {
        SchemaRef {
            schema: self,
            def,
            node: 0,
        }
        .resolved()
    }

    /// The definition index for `name`, if any.
    fn def_lookup(&self, name: &str) -> Option<usize> {
        if let Some(&i) = self.def_index.get(name) {
            return Some(i);
        }
        if !self.builtin_tables {
            return None;
        }
        let i = BUILTIN_NAMES.binary_search_by(|e| e.0.cmp(name)).ok()?;
        Some(usize::from(BUILTIN_NAMES[i].1))
    }

    /// The definition index of the type `apiVersion`/`kind`, if any.
    fn type_lookup(&self, api_version: &str, kind: &str) -> Option<usize> {
        if !self.types.is_empty()
            && let Some(&i) = self.types.get(type_key(api_version, kind).as_str())
        {
            return Some(i);
        }
        if !self.builtin_tables {
            return None;
        }
        let i = BUILTIN_TYPES
            .binary_search_by(|e| (e.0, e.1).cmp(&(kind, api_version)))
            .ok()?;
        Some(usize::from(BUILTIN_TYPES[i].2))
    }

    /// The schema of a resource type, by exact `apiVersion` and `kind`.
    pub fn for_type(&self, api_version: &str, kind: &str) -> Option<SchemaRef<'_>> {
        let def = self.type_lookup(api_version, kind)?;
        self.root(def)
    }

    /// The schema of a definition, by name (`io.k8s.api.core.v1.PodSpec`).
    pub fn definition(&self, name: &str) -> Option<SchemaRef<'_>> {
        let def = self.def_lookup(name)?;
        self.root(def)
    }

    /// Whether a kind is namespaced: `Some(true)` namespaced, `Some(false)`
    /// cluster-scoped, `None` unknown. Like kustomize, the builtin table is
    /// consulted first, then this schema's own scopes (from a custom schema's
    /// `paths`).
    pub fn is_namespaced(&self, api_version: &str, kind: &str) -> Option<bool> {
        if let Some(b) = builtin_scope(api_version, kind) {
            return Some(b);
        }
        if self.scopes.is_empty() {
            return None;
        }
        self.scopes
            .get(type_key(api_version, kind).as_str())
            .copied()
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
                let mut tree = Vec::new();
                add_value_node(&mut tree, def);
                let idx = s.defs.len();
                s.defs.push(Def {
                    text: "",
                    base: 0,
                    tree: OnceLock::from(tree),
                });
                s.redirect.push(idx);
                s.def_index.insert(Cow::Owned(name.clone()), idx);
                let gvks = def
                    .get("x-kubernetes-group-version-kind")
                    .or_else(|| def.get("gvk"));
                if let Some(Value::Seq(list)) = gvks {
                    for g in list {
                        if let Some(key) = gvk_type_key(g) {
                            s.types.insert(Cow::Owned(key), idx);
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
                    s.scopes.insert(Cow::Owned(key), true);
                } else {
                    s.scopes.entry(Cow::Owned(key)).or_insert(false);
                }
            }
        }
        Ok(s)
    }

    /// A schema holding `self`'s definitions, types and scopes plus `over`'s,
    /// where `over` wins on equal names (kyaml's `AddDefinitions` when `over`
    /// is parsed later). Use `builtin().merged_with(custom)` when kustomize
    /// had already loaded its builtin schema before the custom one, and
    /// `custom.merged_with(builtin())` when it loads the builtin one after.
    pub fn merged_with(&self, over: &Schema) -> Schema {
        let mut out = self.clone();
        let offset = out.defs.len();
        for d in &over.defs {
            let mut d = d.clone();
            d.base += offset;
            out.defs.push(d);
        }
        out.redirect
            .extend(over.redirect.iter().map(|&r| r + offset));
        for (name, i) in over.def_entries() {
            let new = over.redirect[i] + offset;
            if let Some(old) = out.def_lookup(&name) {
                // References to the old definition now reach the new one.
                for r in out.redirect.iter_mut() {
                    if *r == old {
                        *r = new;
                    }
                }
            }
            out.def_index.insert(name, new);
        }
        for (k, v) in over.type_entries() {
            out.types.insert(k, over.redirect[v] + offset);
        }
        for (k, v) in over.scope_entries() {
            // kyaml: a namespaced path always wins; otherwise only unknown
            // kinds are added.
            if v {
                out.scopes.insert(k, true);
            } else if !out.scopes.contains_key(k.as_ref()) && !out.has_builtin_scope(&k) {
                out.scopes.insert(k, false);
            }
        }
        out
    }

    /// Every name → definition index entry (the static table's entries
    /// that the map does not override, then the map's).
    fn def_entries(&self) -> Vec<(Str, usize)> {
        let mut v = Vec::new();
        if self.builtin_tables {
            v.extend(
                BUILTIN_NAMES
                    .iter()
                    .filter(|e| !self.def_index.contains_key(e.0))
                    .map(|e| (Cow::Borrowed(e.0), usize::from(e.1))),
            );
        }
        v.extend(self.def_index.iter().map(|(k, &i)| (k.clone(), i)));
        v
    }

    /// Every type key → definition index entry, as [`Schema::def_entries`].
    fn type_entries(&self) -> Vec<(Str, usize)> {
        let mut v = Vec::new();
        if self.builtin_tables {
            for &(kind, av, i) in &BUILTIN_TYPES {
                let key = type_key(av, kind);
                if !self.types.contains_key(key.as_str()) {
                    v.push((Cow::Owned(key), usize::from(i)));
                }
            }
        }
        v.extend(self.types.iter().map(|(k, &i)| (k.clone(), i)));
        v
    }

    /// Every type key → namespaced entry of this schema (the builtin
    /// scopes count for a schema holding the builtin tables).
    fn scope_entries(&self) -> Vec<(Str, bool)> {
        let mut v = Vec::new();
        if self.builtin_tables {
            for &(kind, av, b) in &BUILTIN_SCOPES {
                let key = type_key(av, kind);
                if !self.scopes.contains_key(key.as_str()) {
                    v.push((Cow::Owned(key), b));
                }
            }
        }
        v.extend(self.scopes.iter().map(|(k, &b)| (k.clone(), b)));
        v
    }

    /// Whether this schema holds the builtin tables and they give a scope
    /// for the type key `key`.
    fn has_builtin_scope(&self, key: &str) -> bool {
        self.builtin_tables
            && key
                .split_once('\t')
                .is_some_and(|(av, kind)| builtin_scope(av, kind).is_some())
    }
}

/// The builtin schema: the static tables, each definition still unparsed.
fn builtin_schema() -> Schema {
    Schema {
        defs: BUILTIN_DEFS
            .iter()
            .map(|&text| Def {
                text,
                base: 0,
                tree: OnceLock::new(),
            })
            .collect(),
        redirect: (0..BUILTIN_DEFS.len()).collect(),
        builtin_tables: true,
        ..Schema::default()
    }
}

/// The builtin scope of `apiVersion`/`kind`: `Some(true)` namespaced,
/// `Some(false)` cluster-scoped, `None` not listed. Scope checks run for
/// every id comparison, so this is a hash lookup (in a table built at
/// compile time), not a binary search.
fn builtin_scope(api_version: &str, kind: &str) -> Option<bool> {
    let mut slot = scope_slot(kind.as_bytes(), api_version.as_bytes());
    loop {
        // The table is at most half full: an empty slot ends every probe.
        let i = usize::from(SCOPE_SLOTS[slot]).checked_sub(1)?;
        let (k, av, namespaced) = BUILTIN_SCOPES[i];
        if k == kind && av == api_version {
            return Some(namespaced);
        }
        slot = (slot + 1) % SCOPE_SLOTS.len();
    }
}

/// Slots of the scope hash table (a power of two, at least twice the
/// entries).
const SCOPE_SLOT_COUNT: usize = 256;

/// The scope hash table: 1 + the index of a `BUILTIN_SCOPES` entry, or 0 for
/// an empty slot; linear probing from [`scope_slot`].
static SCOPE_SLOTS: [u8; SCOPE_SLOT_COUNT] = scope_slots();

const fn scope_slots() -> [u8; SCOPE_SLOT_COUNT] {
    assert!(BUILTIN_SCOPES.len() * 2 <= SCOPE_SLOT_COUNT && BUILTIN_SCOPES.len() < 255);
    let mut slots = [0u8; SCOPE_SLOT_COUNT];
    let mut i = 0;
    while i < BUILTIN_SCOPES.len() {
        let (kind, av, _) = BUILTIN_SCOPES[i];
        let mut slot = scope_slot(kind.as_bytes(), av.as_bytes());
        while slots[slot] != 0 {
            slot = (slot + 1) % SCOPE_SLOT_COUNT;
        }
        slots[slot] = i as u8 + 1;
        i += 1;
    }
    slots
}

/// The first slot to probe for `kind`/`apiVersion` (an FxHash-style word
/// hash; the high bits of the product are the well mixed ones).
const fn scope_slot(kind: &[u8], api_version: &[u8]) -> usize {
    let h = hash_bytes(hash_bytes(0, kind), api_version);
    (h >> (64 - SCOPE_SLOT_COUNT.trailing_zeros())) as usize
}

const fn hash_bytes(mut h: u64, b: &[u8]) -> u64 {
    const fn mix(h: u64, w: u64) -> u64 {
        (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95)
    }
    let mut rest = b;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        h = mix(h, u64::from_le_bytes(*word));
        rest = tail;
    }
    // The tail in one word, with the length so "a" and "a\0" differ.
    let mut w = b.len() as u64;
    let mut i = 0;
    while i < rest.len() {
        w |= (rest[i] as u64) << (8 * (i + 1));
        i += 1;
    }
    mix(h, w)
}

/// Builds the node tree of one definition from a custom document; returns
/// the new node's index.
fn add_value_node(tree: &mut Vec<Node>, v: &Value) -> u32 {
    let idx = tree.len();
    tree.push(Node::default());
    let Some(m) = v.as_map() else {
        return idx as u32;
    };
    let mut node = Node::default();
    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/definitions/").unwrap_or(r);
        node.reference = Some(Ref::Name(Cow::Owned(name.to_string())));
    }
    let is_array = match m.get("type") {
        Some(Value::String(t)) => t == "array",
        Some(Value::Seq(ts)) => ts.len() == 1 && ts[0].as_str() == Some("array"),
        _ => false,
    };
    if is_array && let Some(items) = m.get("items") {
        // `items` may also be a list of schemas (tuple form): no item schema.
        if items.as_map().is_some() {
            node.items = Some(add_value_node(tree, items));
        }
    }
    if let Some(add) = m.get("additionalProperties")
        && add.as_map().is_some()
    {
        node.additional = Some(add_value_node(tree, add));
    }
    if let Some(Value::Map(props)) = m.get("properties") {
        for (k, pv) in props.iter() {
            let child = add_value_node(tree, pv);
            node.props.push((Cow::Owned(k.clone()), child));
        }
        node.props.sort_by(|a, b| a.0.cmp(&b.0));
    }
    node.strategy = m
        .get("x-kubernetes-patch-strategy")
        .and_then(Value::scalar_string)
        .map(Cow::Owned);
    node.merge_key = m
        .get("x-kubernetes-patch-merge-key")
        .and_then(Value::scalar_string)
        .map(Cow::Owned);
    if let Some(Value::Seq(keys)) = m.get("x-kubernetes-list-map-keys") {
        node.list_map_keys = keys
            .iter()
            .filter_map(Value::scalar_string)
            .map(Cow::Owned)
            .collect();
    }
    tree[idx] = node;
    idx as u32
}

/// The key of the type and scope tables.
fn type_key(api_version: &str, kind: &str) -> String {
    let mut k = String::with_capacity(api_version.len() + kind.len() + 1);
    k.push_str(api_version);
    k.push('\t');
    k.push_str(kind);
    k
}

/// The type key of a `{group, version, kind}` entry or a list of them (the
/// first entry).
fn gvk_type_key(g: &Value) -> Option<String> {
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
    Some(type_key(&av, kind))
}

impl<'a> SchemaRef<'a> {
    fn node(&self) -> &'a Node {
        &self.schema.tree(self.def)[self.node as usize]
    }

    fn at(self, node: u32) -> SchemaRef<'a> {
        SchemaRef { node, ..self }
    }

    /// Follows `$ref`s; `None` when one does not resolve.
    fn resolved(self) -> Option<SchemaRef<'a>> {
        let s = self.schema;
        let mut cur = self;
        // A cycle of bare refs would never end; bound it.
        for _ in 0..=s.defs.len() {
            let target = match &cur.node().reference {
                None => return Some(cur),
                Some(Ref::Def(n)) => *s.redirect.get(s.defs[cur.def].base + n)?,
                Some(Ref::Name(name)) => s.def_lookup(name)?,
            };
            cur = SchemaRef {
                schema: s,
                def: target,
                node: 0,
            };
        }
        None
    }

    /// The schema of field `name`: the property of that name, else the
    /// `additionalProperties` schema (maps), with `$ref`s resolved.
    pub fn field(self, name: &str) -> Option<SchemaRef<'a>> {
        let n = self.node();
        let child = match n.props.binary_search_by(|p| p.0.as_ref().cmp(name)) {
            Ok(i) => n.props[i].1,
            Err(_) => n.additional?,
        };
        self.at(child).resolved()
    }

    /// The schema of a map's values (`additionalProperties`), if this is a map.
    pub fn map_values(self) -> Option<SchemaRef<'a>> {
        let node = self.node().additional?;
        self.at(node).resolved()
    }

    /// The schema of a list's items, if this is a `type: array` with items.
    pub fn elements(self) -> Option<SchemaRef<'a>> {
        let node = self.node().items?;
        self.at(node).resolved()
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
    pub fn list_map_keys(self) -> Vec<&'a str> {
        self.node()
            .list_map_keys
            .iter()
            .map(|k| k.as_ref())
            .collect()
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
            return n.list_map_keys.iter().map(|k| k.as_ref()).collect();
        }
        n.merge_key.as_deref().into_iter().collect()
    }
}

/// Parses one definition's node expression from the builtin text.
fn parse_def_text(expr: &'static str) -> Vec<Node> {
    let mut p = NodeParser {
        b: expr.as_bytes(),
        s: expr,
        pos: 0,
        tree: Vec::new(),
    };
    p.node();
    p.tree
}

struct NodeParser {
    b: &'static [u8],
    s: &'static str,
    pos: usize,
    tree: Vec<Node>,
}

impl NodeParser {
    fn until(&mut self, stops: &[u8]) -> &'static str {
        let start = self.pos;
        while self.pos < self.b.len() && !stops.contains(&self.b[self.pos]) {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    fn node(&mut self) -> u32 {
        let idx = self.tree.len();
        self.tree.push(Node::default());
        let mut node = Node::default();
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            match c {
                b'@' => {
                    self.pos += 1;
                    let num = self.until(b"[{(!~^,):");
                    if let Ok(d) = num.parse::<usize>() {
                        node.reference = Some(Ref::Def(d));
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
                        let name = Cow::Borrowed(self.until(b":"));
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
                    // gen.py writes properties sorted.
                }
                b'!' | b'~' | b'^' => {
                    self.pos += 1;
                    let v = self.until(b";");
                    self.pos += 1;
                    match c {
                        b'!' => node.strategy = Some(Cow::Borrowed(v)),
                        b'~' => node.merge_key = Some(Cow::Borrowed(v)),
                        _ => node.list_map_keys = v.split(',').map(Cow::Borrowed).collect(),
                    }
                }
                // ',' or ')' end this node (they belong to the parent).
                _ => break,
            }
        }
        self.tree[idx] = node;
        idx as u32
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
        assert_eq!(
            s.is_namespaced("authentication.k8s.io/v1", "TokenReview"),
            None
        );
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
        assert!(!s.is_cluster_scoped("ex.com", "Foo"));
        assert!(s.is_cluster_scoped("ex.com/v1", "Foo"));
        // Builtin scopes still apply; builtin types do not.
        assert!(s.is_cluster_scoped("v1", "Namespace"));
        assert!(s.for_type("apps/v1", "Deployment").is_none());
        let both = s.merged_with(Schema::builtin());
        assert!(both.for_type("apps/v1", "Deployment").is_some());
        assert!(both.for_type("ex.com/v1", "Foo").is_some());
        assert!(Schema::from_openapi_json("[").is_err());
    }

    #[test]
    fn merged_with_builtin_both_ways() {
        // A custom Container replaces the builtin one when merged over it
        // (builtin references follow), and is replaced when merged under it.
        let text = r##"{"definitions": {
          "io.k8s.api.core.v1.Container": {"type": "object",
            "properties": {"zzz": {"type": "array", "items": {"type": "string"},
              "x-kubernetes-patch-strategy": "merge"}}}},
          "paths": {"/api/v1/namespaces/{namespace}/namespaces": {"get":
             {"x-kubernetes-group-version-kind": {"group": "", "kind": "Namespace", "version": "v1"}}},
             "/apis/ex.com/v1/bars": {"get": {"x-kubernetes-group-version-kind":
             {"group": "ex.com", "kind": "Bar", "version": "v1"}}}}}"##;
        let custom = Schema::from_openapi_json(text).expect("parse");
        fn container(s: &Schema) -> SchemaRef<'_> {
            s.for_type("apps/v1", "Deployment")
                .and_then(|d| d.field("spec"))
                .and_then(|x| x.field("template"))
                .and_then(|x| x.field("spec"))
                .and_then(|x| x.field("containers"))
                .and_then(|x| x.elements())
                .expect("container")
        }
        let over = Schema::builtin().merged_with(&custom);
        let c = container(&over);
        assert!(c.field("zzz").is_some_and(|f| f.is_merge_list()));
        assert!(c.field("image").is_none());
        let by_name = over.definition("io.k8s.api.core.v1.Container").unwrap();
        assert!(by_name.field("zzz").is_some());
        assert!(over.definition("io.k8s.api.core.v1.PodSpec").is_some());
        let under = custom.merged_with(Schema::builtin());
        let c = container(&under);
        assert!(c.field("image").is_some());
        assert!(c.field("zzz").is_none());
        // The builtin scope table wins; unknown kinds take the custom scope.
        for s in [&over, &under, &custom] {
            assert!(s.is_cluster_scoped("v1", "Namespace"));
            assert!(s.is_cluster_scoped("ex.com/v1", "Bar"));
        }
        assert_eq!(over.is_namespaced("apps/v1", "Deployment"), Some(true));
        assert_eq!(under.is_namespaced("apps/v1", "Deployment"), Some(true));
    }

    #[test]
    fn builtin_tables_are_sorted_and_whole() {
        let n = BUILTIN_DEFS.len();
        assert!(n > 600);
        assert_eq!(BUILTIN_NAMES.len(), n);
        assert!(BUILTIN_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        let mut seen = vec![false; n];
        for &(_, i) in &BUILTIN_NAMES {
            assert!(!std::mem::replace(&mut seen[usize::from(i)], true));
        }
        assert!(
            BUILTIN_TYPES
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
        );
        assert!(BUILTIN_TYPES.iter().all(|t| usize::from(t.2) < n));
        assert!(
            BUILTIN_SCOPES
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
        );
        // Every definition parses to its end, and its refs are in range.
        for text in BUILTIN_DEFS {
            let mut p = NodeParser {
                b: text.as_bytes(),
                s: text,
                pos: 0,
                tree: Vec::new(),
            };
            p.node();
            assert_eq!(p.pos, text.len(), "{text}");
            for node in &p.tree {
                if let Some(r) = &node.reference {
                    assert!(matches!(r, Ref::Def(d) if *d < n), "{text}");
                }
            }
        }
        // Lookups agree with the tables.
        let s = Schema::builtin();
        for &(name, i) in &BUILTIN_NAMES {
            assert_eq!(s.def_lookup(name), Some(usize::from(i)));
        }
        for &(kind, av, i) in &BUILTIN_TYPES {
            assert_eq!(s.type_lookup(av, kind), Some(usize::from(i)));
        }
        for &(kind, av, b) in &BUILTIN_SCOPES {
            assert_eq!(s.is_namespaced(av, kind), Some(b));
        }
        assert_eq!(s.def_lookup("io.k8s.api.core.v1.PodSpe"), None);
    }

    /// `builtin.rs` is what `gen.py` writes from the reference OpenAPI
    /// document (checked where the document and python3 are available).
    #[test]
    fn builtin_tables_match_the_generator() {
        let src = "/work/shared/reference/k8s-openapi-v1.21.2-merge.json";
        if !std::path::Path::new(src).exists() {
            eprintln!("skipped: {src} not found");
            return;
        }
        let out = std::env::temp_dir().join(format!("aiw-schema-{}.rs", std::process::id()));
        let gen_py = concat!(env!("CARGO_MANIFEST_DIR"), "/src/schema/gen.py");
        let status = std::process::Command::new("python3")
            .arg(gen_py)
            .arg(src)
            .arg(&out)
            .status();
        let Ok(status) = status else {
            eprintln!("skipped: python3 not found");
            return;
        };
        assert!(status.success());
        let fresh = std::fs::read_to_string(&out).unwrap();
        let _ = std::fs::remove_file(&out);
        assert!(
            fresh == include_str!("schema/builtin.rs"),
            "run src/schema/gen.py"
        );
    }

    #[test]
    fn builtin_schema_is_cheap() {
        // Nothing is indexed up front; definitions parse on first use.
        let s = builtin_schema();
        assert_eq!(s.defs.len(), BUILTIN_DEFS.len());
        assert!(s.def_index.is_empty() && s.types.is_empty() && s.scopes.is_empty());
        assert!(s.defs.iter().all(|d| d.tree.get().is_none()));
        assert!(s.for_type("v1", "ConfigMap").is_some());
        assert_eq!(s.defs.iter().filter(|d| d.tree.get().is_some()).count(), 1);
    }
}
