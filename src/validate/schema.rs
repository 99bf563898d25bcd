//! Schemas for validation: the embedded Kubernetes API schemas (one table
//! per release, written by `gen.py` into `k8s.rs`), and custom schemas read
//! from CRDs (`openAPIV3Schema`) or JSON Schema files.
//!
//! Every schema is a [`Tree`] of [`Node`]s. An embedded definition is parsed
//! from its compact text on first use and shared by every release whose
//! definition has the same body; its `$ref`s name definitions by number and
//! are resolved in the release being checked. A custom schema is converted
//! once, eagerly, from its YAML or JSON value; `$ref`s inside it point at
//! nodes of the same tree.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

use crate::yaml::{Map, Value};

// K8S_VERSIONS, K8S_BODIES, K8S_DEFS and K8S_TYPES.
include!("k8s.rs");

/// Text borrowed from the embedded tables, or owned for custom schemas.
pub(crate) type Str = Cow<'static, str>;

/// Type bits of [`Node::types`].
pub(crate) const T_STRING: u8 = 1;
/// An integer.
pub(crate) const T_INTEGER: u8 = 2;
/// Any number.
pub(crate) const T_NUMBER: u8 = 4;
/// `true` or `false`.
pub(crate) const T_BOOLEAN: u8 = 8;
/// A sequence.
pub(crate) const T_ARRAY: u8 = 16;
/// A mapping.
pub(crate) const T_OBJECT: u8 = 32;

/// A reference to another schema node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ref {
    /// An embedded definition, by number, resolved in the release checked.
    Def(u16),
    /// A node of the same tree.
    Local(u32),
}

/// A value with a format of its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Special {
    /// Nothing special.
    #[default]
    None,
    /// A resource quantity: a string in quantity syntax, or a number.
    Quantity,
    /// An integer or a string.
    IntOrString,
}

/// One schema node.
#[derive(Clone, Debug, Default)]
pub(crate) struct Node {
    /// Null is accepted.
    pub nullable: bool,
    /// Accepted types (`T_*` bits); 0 accepts any.
    pub types: u8,
    /// Checked first, when set.
    pub reference: Option<Ref>,
    /// A quantity or an int-or-string.
    pub special: Special,
    /// The accepted values, when limited.
    pub enumeration: Option<Vec<Value>>,
    /// An empty string or null is accepted besides `enumeration` (the API
    /// server reads them as unset).
    pub unset_ok: bool,
    /// Properties sorted by name, with their nodes.
    pub props: Vec<(Str, u32)>,
    /// Names of required properties.
    pub required: Vec<Str>,
    /// Keys other than `props` are refused (unless `additional` is set).
    pub closed: bool,
    /// Schema of the values of keys other than `props`.
    pub additional: Option<u32>,
    /// Schema of sequence items.
    pub items: Option<u32>,
    /// `apiVersion`, `kind` and `metadata` are allowed (a custom resource's
    /// root, or `x-kubernetes-embedded-resource`).
    pub resource_fields: bool,
    /// Value validations of custom schemas.
    pub extra: Option<Box<Extra>>,
}

/// The value validations a custom schema may add.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extra {
    /// `pattern` (kept as written for messages).
    pub pattern: Option<(String, Regex)>,
    /// `minLength`, `maxLength` (in characters).
    pub min_length: Option<u64>,
    /// See `min_length`.
    pub max_length: Option<u64>,
    /// `minimum` and whether it is exclusive.
    pub minimum: Option<(f64, bool)>,
    /// `maximum` and whether it is exclusive.
    pub maximum: Option<(f64, bool)>,
    /// `minItems`, `maxItems`.
    pub min_items: Option<u64>,
    /// See `min_items`.
    pub max_items: Option<u64>,
    /// `minProperties`, `maxProperties`.
    pub min_properties: Option<u64>,
    /// See `min_properties`.
    pub max_properties: Option<u64>,
    /// `allOf`: every node must accept the value.
    pub all_of: Vec<u32>,
    /// `anyOf`: one node at least.
    pub any_of: Vec<u32>,
    /// `oneOf`: exactly one node.
    pub one_of: Vec<u32>,
    /// `not`: the node must refuse the value.
    pub not: Option<u32>,
}

impl Node {
    /// The node of property `name`.
    pub fn prop(&self, name: &str) -> Option<u32> {
        self.props
            .binary_search_by(|(k, _)| k.as_ref().cmp(name))
            .ok()
            .map(|i| self.props[i].1)
    }
}

/// A schema: its nodes, node 0 the root.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tree {
    /// The nodes.
    pub nodes: Vec<Node>,
}

// ---------------------------------------------------------------------------
// Embedded releases

/// The embedded Kubernetes releases, oldest first (`1.30`, …).
pub fn releases() -> &'static [&'static str] {
    &K8S_VERSIONS
}

/// The index of release `version` (`1.33`, `1.33.2`, `v1.33`) among
/// [`releases`]; versions past the newest are an error, as are those before
/// the oldest.
pub fn release_index(version: &str) -> Result<usize, String> {
    let v = version.strip_prefix('v').unwrap_or(version);
    let mut parts = v.split('.');
    let parse = |p: Option<&str>| p.and_then(|p| p.parse::<u32>().ok());
    let (major, minor) = match (parse(parts.next()), parse(parts.next())) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            return Err(format!(
                "invalid Kubernetes version {version:?} (expected MAJOR.MINOR, such as {})",
                K8S_VERSIONS[K8S_VERSIONS.len() - 1]
            ));
        }
    };
    if parts.clone().any(|p| p.parse::<u32>().is_err()) || parts.count() > 1 {
        return Err(format!(
            "invalid Kubernetes version {version:?} (expected MAJOR.MINOR, such as {})",
            K8S_VERSIONS[K8S_VERSIONS.len() - 1]
        ));
    }
    let want = format!("{major}.{minor}");
    K8S_VERSIONS.iter().position(|v| *v == want).ok_or_else(|| {
        format!(
            "Kubernetes {want} has no embedded schemas (available: {} to {})",
            K8S_VERSIONS[0],
            K8S_VERSIONS[K8S_VERSIONS.len() - 1]
        )
    })
}

/// An embedded resource type: its definition and the releases serving it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BuiltinType {
    /// Definition number.
    pub def: u16,
    /// Bit `i` set: release `i` serves the type.
    pub served: u32,
}

/// The embedded type of `apiVersion` and `kind`, whatever the release.
pub(crate) fn builtin_type(api_version: &str, kind: &str) -> Option<BuiltinType> {
    K8S_TYPES
        .binary_search_by(|(a, k, _, _)| (*a, *k).cmp(&(api_version, kind)))
        .ok()
        .map(|i| BuiltinType {
            def: K8S_TYPES[i].2,
            served: K8S_TYPES[i].3,
        })
}

/// Every embedded type: (apiVersion, kind, releases serving it).
pub(crate) fn builtin_types() -> impl Iterator<Item = (&'static str, &'static str, u32)> {
    K8S_TYPES.iter().map(|(a, k, _, m)| (*a, *k, *m))
}

/// The tree of definition `def` in `release`, parsed on first use.
pub(crate) fn definition(release: usize, def: u16) -> Option<&'static Tree> {
    let body = *K8S_DEFS.get(release)?.get(usize::from(def))?;
    if body == 0 {
        return None;
    }
    let body = usize::from(body - 1);
    static TREES: OnceLock<Vec<OnceLock<Tree>>> = OnceLock::new();
    let trees = TREES.get_or_init(|| (0..K8S_BODIES.len()).map(|_| OnceLock::new()).collect());
    Some(trees[body].get_or_init(|| parse_body(K8S_BODIES[body])))
}

/// The definition number of `ObjectMeta` (custom resources' metadata).
pub(crate) fn object_meta_def() -> Option<u16> {
    // Any namespaced type's metadata will do: ConfigMap is in every release.
    let t = builtin_type("v1", "ConfigMap")?;
    let release = t.served.trailing_zeros() as usize;
    let tree = definition(release, t.def)?;
    match tree.nodes[tree.nodes[0].prop("metadata")? as usize].reference {
        Some(Ref::Def(d)) => Some(d),
        _ => None,
    }
}

/// Parses one body of the node grammar gen.py documents.
fn parse_body(text: &'static str) -> Tree {
    let mut tree = Tree::default();
    let mut p = BodyParser { text, pos: 0 };
    p.node(&mut tree);
    debug_assert_eq!(p.pos, text.len(), "{text}");
    tree
}

struct BodyParser {
    text: &'static str,
    pos: usize,
}

impl BodyParser {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Text up to (not including) the first of `stops`.
    fn until(&mut self, stops: &[u8]) -> &'static str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if stops.contains(&c) {
                break;
            }
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    fn node(&mut self, tree: &mut Tree) -> u32 {
        let id = tree.nodes.len() as u32;
        tree.nodes.push(Node::default());
        let mut n = Node {
            nullable: true,
            ..Node::default()
        };
        if self.peek() == Some(b'!') {
            n.nullable = false;
            self.pos += 1;
        }
        while let Some(c) = self.peek() {
            let bit = match c {
                b's' => T_STRING,
                b'i' => T_INTEGER,
                b'n' => T_NUMBER,
                b'b' => T_BOOLEAN,
                b'a' => T_ARRAY,
                b'o' => T_OBJECT,
                _ => break,
            };
            n.types |= bit;
            self.pos += 1;
        }
        if self.peek() == Some(b'@') {
            self.pos += 1;
            let num = self.until(b";");
            self.pos += 1;
            n.reference = num.parse().ok().map(Ref::Def);
        }
        match self.peek() {
            Some(b'Q') => {
                n.special = Special::Quantity;
                self.pos += 1;
            }
            Some(b'I') => {
                n.special = Special::IntOrString;
                self.pos += 1;
            }
            _ => {}
        }
        if let Some(c @ (b'=' | b'~')) = self.peek() {
            self.pos += 1;
            let values = self.until(b";");
            self.pos += 1;
            n.enumeration = Some(values.split('|').map(Value::from).collect());
            n.unset_ok = c == b'~';
        }
        if self.peek() == Some(b'(') {
            self.pos += 1;
            n.closed = true;
            while self.peek().is_some_and(|c| c != b')') {
                let required = self.peek() == Some(b'*');
                if required {
                    self.pos += 1;
                }
                let name = self.until(b":");
                self.pos += 1;
                let child = self.node(tree);
                n.props.push((Cow::Borrowed(name), child));
                if required {
                    n.required.push(Cow::Borrowed(name));
                }
                if self.peek() == Some(b',') {
                    self.pos += 1;
                }
            }
            self.pos += 1;
        }
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                n.additional = Some(self.node(tree));
            }
            Some(b'[') => {
                self.pos += 1;
                n.items = Some(self.node(tree));
            }
            _ => {}
        }
        tree.nodes[id as usize] = n;
        id
    }
}

// ---------------------------------------------------------------------------
// Custom schemas

/// How a custom schema reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// A CRD's structural `openAPIV3Schema`: objects closed unless
    /// `x-kubernetes-preserve-unknown-fields`, null only when `nullable`.
    Crd {
        /// `spec.preserveUnknownFields` of an `apiextensions.k8s.io/v1beta1`
        /// CRD: unknown fields are kept everywhere.
        preserve_all: bool,
    },
    /// A JSON Schema document: objects open unless `additionalProperties:
    /// false`, `type` lists may include `null`.
    JsonSchema,
}

/// Converts a schema value into a tree. Errors name the schema keyword.
pub(crate) fn convert(
    schema: &Value,
    dialect: Dialect,
    root_is_resource: bool,
) -> Result<Tree, String> {
    let mut c = Converter {
        tree: Tree::default(),
        dialect,
        defs: Vec::new(),
    };
    // Local definitions first, so that `$ref`s can point at them.
    for key in ["definitions", "$defs"] {
        if let Some(Value::Map(m)) = schema.get(key) {
            for (name, _) in m.iter() {
                c.defs.push((format!("#/{key}/{name}"), u32::MAX));
            }
        }
    }
    let root = c.node(schema, 0)?;
    debug_assert_eq!(root, 0);
    for i in 0..c.defs.len() {
        let (name, _) = c.defs[i].clone();
        let (key, def) = name[2..].split_once('/').unwrap_or(("", ""));
        if let Some(v) = schema.get(key).and_then(|m| m.get(def)) {
            let id = c.node(v, 1)?;
            c.defs[i].1 = id;
        }
    }
    // Patch local references now that every definition has a node.
    let defs = std::mem::take(&mut c.defs);
    for n in &mut c.tree.nodes {
        if let Some(Ref::Local(r)) = n.reference
            && r >= PENDING
        {
            let id = defs[(r - PENDING) as usize].1;
            n.reference = (id != u32::MAX).then_some(Ref::Local(id));
        }
    }
    if root_is_resource {
        c.tree.nodes[0].resource_fields = true;
    }
    Ok(c.tree)
}

/// Local references are numbered from here until patched.
const PENDING: u32 = u32::MAX / 2;

/// Deepest schema nesting converted.
const MAX_SCHEMA_DEPTH: usize = 200;

struct Converter {
    tree: Tree,
    dialect: Dialect,
    /// `#/definitions/NAME` → node (u32::MAX until converted).
    defs: Vec<(String, u32)>,
}

fn uint(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Int(i) if *i >= 0 => Some(*i as u64),
        Value::UInt(u) => Some(*u),
        Value::Float(f) if *f >= 0.0 && f.fract() == 0.0 => Some(*f as u64),
        _ => None,
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Int(i) => Some(*i as f64),
        Value::UInt(u) => Some(*u as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

impl Converter {
    fn node(&mut self, s: &Value, depth: usize) -> Result<u32, String> {
        if depth > MAX_SCHEMA_DEPTH {
            return Err(format!(
                "schema nested deeper than {MAX_SCHEMA_DEPTH} levels"
            ));
        }
        let id = self.tree.nodes.len() as u32;
        self.tree.nodes.push(Node::default());
        let Some(m) = s.as_map() else {
            // `true` (or anything that is not a schema): accept anything.
            self.tree.nodes[id as usize] = Node {
                nullable: true,
                ..Node::default()
            };
            return Ok(id);
        };
        let n = self.fill(m, depth)?;
        self.tree.nodes[id as usize] = n;
        Ok(id)
    }

    fn fill(&mut self, m: &Map, depth: usize) -> Result<Node, String> {
        let crd = matches!(self.dialect, Dialect::Crd { .. });
        let preserve_all = matches!(self.dialect, Dialect::Crd { preserve_all: true });
        let mut n = Node::default();
        let flag = |key: &str| m.get(key) == Some(&Value::Bool(true));
        match m.get("type") {
            None => n.nullable = true,
            Some(Value::String(t)) => n.types = type_bit(t)?,
            Some(Value::Seq(ts)) => {
                for t in ts {
                    match t.as_str() {
                        Some("null") => n.nullable = true,
                        Some(t) => n.types |= type_bit(t)?,
                        None => return Err("type: not a string".into()),
                    }
                }
                if n.types == 0 {
                    n.types = 0xff;
                }
            }
            Some(other) => return Err(format!("type: a {}, not a string", other.type_name())),
        }
        if n.types == 0xff {
            // `type: [null]`: only null.
            n.types = 0;
            n.enumeration = Some(vec![Value::NULL]);
        }
        if flag("nullable") {
            n.nullable = true;
        }
        if let Some(Value::String(r)) = m.get("$ref") {
            match self.defs.iter().position(|(name, _)| name == r) {
                Some(i) => n.reference = Some(Ref::Local(PENDING + i as u32)),
                None => {
                    return Err(format!(
                        "$ref {r:?}: only local definitions (#/definitions/NAME) are supported"
                    ));
                }
            }
        }
        if flag("x-kubernetes-int-or-string") {
            n.special = Special::IntOrString;
            n.types = 0;
        }
        if let Some(Value::Seq(vs)) = m.get("enum") {
            n.enumeration = Some(vs.clone());
        }
        if let Some(Value::Map(props)) = m.get("properties") {
            for (k, v) in props.iter() {
                let child = self.node(v, depth + 1)?;
                n.props.push((Cow::Owned(k.clone()), child));
            }
            n.props.sort_by(|a, b| a.0.cmp(&b.0));
        }
        if let Some(Value::Seq(req)) = m.get("required") {
            n.required = req
                .iter()
                .filter_map(|r| r.as_str().map(|s| Cow::Owned(s.to_string())))
                .collect();
        }
        let is_object = n.types & T_OBJECT != 0 || !n.props.is_empty();
        match m.get("additionalProperties") {
            Some(Value::Bool(false)) => n.closed = true,
            Some(Value::Bool(true)) => {}
            Some(v @ Value::Map(_)) => n.additional = Some(self.node(v, depth + 1)?),
            _ => {
                if crd
                    && is_object
                    && !preserve_all
                    && !flag("x-kubernetes-preserve-unknown-fields")
                {
                    n.closed = true;
                }
            }
        }
        if flag("x-kubernetes-embedded-resource") {
            n.resource_fields = true;
        }
        match m.get("items") {
            Some(v @ Value::Map(_)) => n.items = Some(self.node(v, depth + 1)?),
            Some(Value::Bool(false)) => {
                let id = self.tree.nodes.len() as u32;
                self.tree.nodes.push(Node {
                    enumeration: Some(Vec::new()),
                    ..Node::default()
                });
                n.items = Some(id);
            }
            _ => {}
        }
        let mut extra = Extra::default();
        let mut any = false;
        if let Some(Value::String(p)) = m.get("pattern") {
            let re = Regex::new(p).map_err(|e| format!("pattern {p:?}: {e}"))?;
            extra.pattern = Some((p.clone(), re));
            any = true;
        }
        for (key, slot) in [
            ("minLength", &mut extra.min_length),
            ("maxLength", &mut extra.max_length),
            ("minItems", &mut extra.min_items),
            ("maxItems", &mut extra.max_items),
            ("minProperties", &mut extra.min_properties),
            ("maxProperties", &mut extra.max_properties),
        ] {
            if let Some(x) = uint(m.get(key)) {
                *slot = Some(x);
                any = true;
            }
        }
        if let Some(x) = number(m.get("minimum")) {
            extra.minimum = Some((x, flag("exclusiveMinimum")));
            any = true;
        } else if let Some(x) = number(m.get("exclusiveMinimum")) {
            extra.minimum = Some((x, true));
            any = true;
        }
        if let Some(x) = number(m.get("maximum")) {
            extra.maximum = Some((x, flag("exclusiveMaximum")));
            any = true;
        } else if let Some(x) = number(m.get("exclusiveMaximum")) {
            extra.maximum = Some((x, true));
            any = true;
        }
        for (key, list) in [
            ("allOf", &mut extra.all_of),
            ("anyOf", &mut extra.any_of),
            ("oneOf", &mut extra.one_of),
        ] {
            if let Some(Value::Seq(vs)) = m.get(key) {
                for v in vs {
                    // Structural CRD schemas restate types and properties in
                    // these only to constrain values; unknown fields are the
                    // outer node's business.
                    let id = self.node_open(v, depth + 1)?;
                    list.push(id);
                }
                any = true;
            }
        }
        if let Some(v) = m.get("not") {
            extra.not = Some(self.node_open(v, depth + 1)?);
            any = true;
        }
        if any {
            n.extra = Some(Box::new(extra));
        }
        Ok(n)
    }

    /// A node for a value validation (`allOf`, `anyOf`, `oneOf`, `not`):
    /// converted as a JSON Schema (open objects, any type unless given), so
    /// that it only adds constraints.
    fn node_open(&mut self, v: &Value, depth: usize) -> Result<u32, String> {
        let saved = self.dialect;
        if matches!(saved, Dialect::Crd { .. }) {
            self.dialect = Dialect::JsonSchema;
        }
        let id = self.node(v, depth);
        self.dialect = saved;
        let id = id?;
        // In a CRD, a nested schema without `nullable` still refuses null
        // only when the outer one does: leave null to the outer node.
        if matches!(saved, Dialect::Crd { .. }) {
            self.tree.nodes[id as usize].nullable = true;
        }
        Ok(id)
    }
}

fn type_bit(t: &str) -> Result<u8, String> {
    Ok(match t {
        "string" => T_STRING,
        "integer" => T_INTEGER,
        "number" => T_NUMBER,
        "boolean" => T_BOOLEAN,
        "array" => T_ARRAY,
        "object" => T_OBJECT,
        "null" => 0,
        other => return Err(format!("type: unknown type {other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_body_parses_to_its_end() {
        for body in K8S_BODIES {
            let mut tree = Tree::default();
            let mut p = BodyParser { text: body, pos: 0 };
            p.node(&mut tree);
            assert_eq!(p.pos, body.len(), "{body}");
        }
    }

    #[test]
    fn versions() {
        let newest = releases().len() - 1;
        assert_eq!(release_index("1.30"), Ok(0));
        assert_eq!(release_index("v1.30.4"), Ok(0));
        assert_eq!(release_index(releases()[newest]), Ok(newest));
        assert!(
            release_index("1.29")
                .unwrap_err()
                .contains("no embedded schemas")
        );
        assert!(release_index("1").unwrap_err().contains("invalid"));
        assert!(release_index("1.3x").unwrap_err().contains("invalid"));
        assert!(release_index("1.30.1.2").unwrap_err().contains("invalid"));
    }

    #[test]
    fn deployment_is_served_and_parsed() {
        let t = builtin_type("apps/v1", "Deployment").unwrap();
        assert_eq!(t.served.count_ones() as usize, releases().len());
        let tree = definition(releases().len() - 1, t.def).unwrap();
        let root = &tree.nodes[0];
        assert!(root.closed);
        assert!(root.prop("spec").is_some());
        assert!(root.prop("nope").is_none());
        assert!(object_meta_def().is_some());
    }
}
