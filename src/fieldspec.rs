//! Field specs: which fields of which kinds a transformer touches, the walker
//! that finds (and optionally creates) those fields, and the transformer
//! configuration (kustomize's defaults plus `configurations:` files).
//!
//! Behaviour follows kustomize v5.5: a spec applies to an object when each of
//! its non-empty group/version/kind equals the object's; the path is split on
//! `/` (a `\/` keeps a slash inside a key, a leading `/` is ignored); every
//! sequence met on the way is fanned out over its elements with the same
//! remaining path; a `name[]` element names a sequence field (never created,
//! but a `null` there becomes an empty sequence); with `create`, missing
//! fields are created (mappings on the way, the transformer's kind at the
//! leaf) and `null` ones are replaced.

use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use crate::error::{Error, Result};
use crate::resource::{Gvk, ResId};
use crate::yaml::{Map, Value};

/// One kustomizable field: a GVK selector (empty parts match anything), a
/// `/`-separated path and whether to create the field when it is missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSpec {
    /// API group to match; empty matches any.
    pub group: String,
    /// API version to match; empty matches any.
    pub version: String,
    /// Kind to match; empty matches any.
    pub kind: String,
    /// The field path, kustomize style (`spec/template/metadata/labels`).
    pub path: String,
    /// Create the field when it is missing (`create: true`).
    pub create: bool,
}

/// What a transformer creates at the end of a path when a spec says `create`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateKind {
    /// A scalar (names, namespaces, replicas): created as an empty string.
    Scalar,
    /// A mapping (labels, annotations): created empty.
    Map,
}

/// Reads an optional string field of a config mapping (`null` reads as empty).
fn opt_string(m: &Map, key: &str, what: &str) -> Result<String> {
    match m.get(key) {
        None | Some(Value::Null(_)) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(Error::msg(format!(
            "{what}: field '{key}' must be a string, not a {}",
            other.type_name()
        ))),
    }
}

/// Reads an optional bool field of a config mapping (`null` reads as false).
fn opt_bool(m: &Map, key: &str, what: &str) -> Result<bool> {
    match m.get(key) {
        None | Some(Value::Null(_)) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(Error::msg(format!(
            "{what}: field '{key}' must be a bool, not a {}",
            other.type_name()
        ))),
    }
}

/// Fails on a key outside `allowed` (kustomize reads these files strictly).
fn check_keys(m: &Map, allowed: &[&str], what: &str) -> Result<()> {
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(Error::msg(format!("{what}: unknown field \"{k}\"")));
        }
    }
    Ok(())
}

impl FieldSpec {
    /// A spec for `path` on any kind, without create.
    pub fn new(path: &str) -> FieldSpec {
        FieldSpec {
            path: path.to_string(),
            ..FieldSpec::default()
        }
    }

    /// Parses one spec from its config form
    /// (`{path, kind, group, version, create}`).
    pub fn from_value(v: &Value) -> Result<FieldSpec> {
        const WHAT: &str = "fieldSpec";
        let m = v.as_map().ok_or_else(|| {
            Error::msg(format!(
                "fieldSpec: expected a mapping, not a {}",
                v.type_name()
            ))
        })?;
        check_keys(m, &["group", "version", "kind", "path", "create"], WHAT)?;
        Ok(FieldSpec {
            group: opt_string(m, "group", WHAT)?,
            version: opt_string(m, "version", WHAT)?,
            kind: opt_string(m, "kind", WHAT)?,
            path: opt_string(m, "path", WHAT)?,
            create: opt_bool(m, "create", WHAT)?,
        })
    }

    /// The selector part as a [`Gvk`].
    pub fn gvk(&self) -> Gvk {
        Gvk {
            group: self.group.clone(),
            version: self.version.clone(),
            kind: self.kind.clone(),
        }
    }

    /// True when every non-empty part of the selector equals `gvk`'s.
    pub fn matches_gvk(&self, gvk: &Gvk) -> bool {
        gvk_selected(gvk, &self.group, &self.version, &self.kind)
    }

    /// True when the spec applies to the object `obj` (its `apiVersion` and
    /// `kind`; the group is what precedes the first `/`).
    pub fn matches_object(&self, obj: &Value) -> bool {
        let (group, version, kind) = object_gvk_parts(obj);
        (self.group.is_empty() || self.group == group)
            && (self.version.is_empty() || self.version == version)
            && (self.kind.is_empty() || self.kind == kind)
    }

    /// kustomize's `effectivelyEquals`: `other`'s GVK, used as a selector,
    /// selects this spec's GVK, and the paths are equal. (So a kind-specific
    /// spec shadows a later kind-less one with the same path.)
    fn effectively_equals(&self, other: &FieldSpec) -> bool {
        // Path first (the usual difference, cheap); no GVK copies.
        self.path == other.path
            && (other.group.is_empty() || self.group == other.group)
            && (other.version.is_empty() || self.version == other.version)
            && (other.kind.is_empty() || self.kind == other.kind)
    }
}

/// True when `gvk` is selected by the (group, version, kind) selector, empty
/// selector parts matching anything.
pub fn gvk_selected(gvk: &Gvk, group: &str, version: &str, kind: &str) -> bool {
    (group.is_empty() || gvk.group == group)
        && (version.is_empty() || gvk.version == version)
        && (kind.is_empty() || gvk.kind == kind)
}

/// The group, version and kind of an object, borrowed (no allocation).
fn object_gvk_parts(obj: &Value) -> (&str, &str, &str) {
    let api = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let (group, version) = match api.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api),
    };
    (group, version, kind)
}

/// The GVK of an object, splitting `apiVersion` at its first `/` as kyaml does.
pub fn object_gvk(obj: &Value) -> Gvk {
    let (group, version, kind) = object_gvk_parts(obj);
    Gvk {
        group: group.to_string(),
        version: version.to_string(),
        kind: kind.to_string(),
    }
}

/// An id rendered as kyaml prints it in messages:
/// `Kind.version.group/name.namespace` with `[noGrp]`, `[noVer]`, `[noKind]`
/// and `[noNs]` for empty parts.
pub fn kyaml_id_string(id: &ResId) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}.{}.{}/{}.{}",
        or(&id.gvk.kind, "[noKind]"),
        or(&id.gvk.version, "[noVer]"),
        or(&id.gvk.group, "[noGrp]"),
        id.name,
        or(&id.namespace, "[noNs]")
    )
}

/// The id of an object value (for messages), from its current fields.
pub fn object_id(obj: &Value) -> ResId {
    let s = |p: &[&str]| {
        obj.get_path(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    ResId {
        gvk: object_gvk(obj),
        namespace: s(&["metadata", "namespace"]),
        name: s(&["metadata", "name"]),
    }
}

/// Splits a kustomize field path on `/`: a leading `/` is dropped and a
/// segment ending in `\` is joined with the next one by a literal `/`.
pub fn split_path(path: &str) -> Vec<String> {
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 1 && parts[0].is_empty() {
        parts.remove(0);
    }
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    for p in parts {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('/');
                last.push_str(p);
            }
            _ => out.push(p.to_string()),
        }
    }
    out
}

/// The segments of a field path still to walk, as [`split_path`] gives
/// them, without allocating when no segment is escaped (the usual case).
#[derive(Clone, Copy)]
enum PathRest<'a> {
    /// The unsplit remainder of an unescaped path; `None` when no segment is
    /// left (`Some("")` is one empty segment).
    Plain(Option<&'a str>),
    /// Segments of a path with escapes.
    Split(&'a [String]),
}

impl<'a> PathRest<'a> {
    fn is_empty(self) -> bool {
        match self {
            PathRest::Plain(p) => p.is_none(),
            PathRest::Split(s) => s.is_empty(),
        }
    }

    /// The first segment and the rest (`None` when empty).
    fn split_first(self) -> Option<(&'a str, PathRest<'a>)> {
        match self {
            PathRest::Plain(None) => None,
            // A byte search: `/` is ASCII, so it splits at a char boundary
            // (and costs a third of a `char` search on these short paths).
            PathRest::Plain(Some(p)) => Some(match p.bytes().position(|b| b == b'/') {
                Some(i) => (&p[..i], PathRest::Plain(Some(&p[i + 1..]))),
                None => (p, PathRest::Plain(None)),
            }),
            PathRest::Split(s) => s
                .split_first()
                .map(|(first, rest)| (first.as_str(), PathRest::Split(rest))),
        }
    }
}

/// Walks `value` along `spec_path` (see [`apply`]).
fn walk_path<V: Visitor>(
    value: &mut Value,
    spec_path: &str,
    create: Option<CreateKind>,
    v: &mut V,
) -> Result<()> {
    if !V::TRACE {
        // No trail is kept: nothing to allocate.
        return walk_path_with(value, spec_path, create, &mut Vec::new(), v);
    }
    // The trail's vector is reused from walk to walk on this thread (a walk
    // started from inside another one finds none and makes its own).
    thread_local! {
        static TRAIL: std::cell::Cell<Vec<NodeStep>> = const { std::cell::Cell::new(Vec::new()) };
    }
    let mut trail = TRAIL.take();
    trail.clear();
    let res = walk_path_with(value, spec_path, create, &mut trail, v);
    TRAIL.set(trail);
    res
}

/// [`walk_path`] with the trail's vector given.
fn walk_path_with<V: Visitor>(
    value: &mut Value,
    spec_path: &str,
    create: Option<CreateKind>,
    trail: &mut Vec<NodeStep>,
    v: &mut V,
) -> Result<()> {
    if spec_path.as_bytes().contains(&b'\\') {
        let parts = split_path(spec_path);
        return walk(value, PathRest::Split(&parts), create, trail, v);
    }
    // As split_path: a leading `/` is dropped.
    let p = spec_path.strip_prefix('/').unwrap_or(spec_path);
    walk(value, PathRest::Plain(Some(p)), create, trail, v)
}

/// What the walker does at each node found: call a function on it, or
/// note where it is.
trait Visitor {
    /// Whether the walker keeps the path to the node (`trail`).
    const TRACE: bool;
    fn visit(&mut self, node: &mut Value, trail: &[NodeStep]) -> Result<()>;
}

/// Calls the function on each node.
struct CallOn<'f>(&'f mut dyn FnMut(&mut Value) -> Result<()>);

impl Visitor for CallOn<'_> {
    const TRACE: bool = false;
    fn visit(&mut self, node: &mut Value, _: &[NodeStep]) -> Result<()> {
        (self.0)(node)
    }
}

/// Calls the function on each node with the path to it.
struct CallOnTraced<'f>(&'f mut dyn FnMut(&mut Value, &[NodeStep]) -> Result<()>);

impl Visitor for CallOnTraced<'_> {
    const TRACE: bool = true;
    fn visit(&mut self, node: &mut Value, trail: &[NodeStep]) -> Result<()> {
        (self.0)(node, trail)
    }
}

/// Reports the path to each node.
struct Trace<'f>(&'f mut dyn FnMut(&[NodeStep]));

impl Visitor for Trace<'_> {
    const TRACE: bool = true;
    fn visit(&mut self, _: &mut Value, trail: &[NodeStep]) -> Result<()> {
        (self.0)(trail);
        Ok(())
    }
}

/// One step from a node to a child: the position of a mapping entry (in the
/// mapping's order) or of a sequence item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeStep {
    /// The n-th entry of a mapping.
    Entry(usize),
    /// The n-th item of a sequence.
    Item(usize),
}

/// The node reached from `root` by `path` (as [`trace_specs`] reports it),
/// if it is still there.
pub fn node_at_mut<'v>(root: &'v mut Value, path: &[NodeStep]) -> Option<&'v mut Value> {
    let mut cur = root;
    for step in path {
        cur = match (*step, cur) {
            (NodeStep::Entry(i), Value::Map(m)) => m.value_at_mut(i)?,
            (NodeStep::Item(i), Value::Seq(items)) => items.get_mut(i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// The text kyaml would see in a scalar node: strings as is, numbers and
/// bools as printed, `null` for null. `None` for mappings and sequences.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Null(_) => Some("null".to_string()),
        Value::Map(_) | Value::Seq(_) => None,
        other => other.scalar_string(),
    }
}

/// kyaml's node-kind name for messages.
pub fn node_kind_name(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "MappingNode",
        Value::Seq(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}

/// The error kyaml gives when a node is not of the expected kind.
pub fn wrong_kind_error(expected: &str, got: &Value) -> Error {
    let contents = match scalar_text(got) {
        Some(s) => s,
        None => got.type_name().to_string(),
    };
    Error::msg(format!(
        "wrong node kind: expected {expected} but got {}: node contents:\n{contents}\n",
        node_kind_name(got)
    ))
}

/// Walks `value` along `spec_path`, calling `f` on every node found at its
/// end (several when the path crosses sequences). With `create`, missing
/// fields are created (mappings on the way, `create` at the leaf) and `null`
/// mappings replaced (a `null` scalar leaf is passed to `f`); without it a missing field ends the walk silently.
///
/// Errors (unprefixed): an empty path element, a scalar met before the end of
/// the path, and whatever `f` returns.
pub fn apply(
    value: &mut Value,
    spec_path: &str,
    create: Option<CreateKind>,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    walk_path(value, spec_path, create, &mut CallOn(f))
}

/// The kind a looked-up field should have (for replacing a `null`).
#[derive(Clone, Copy)]
enum NodeKind {
    Scalar,
    Map,
    Seq,
}

fn empty_node(kind: NodeKind) -> Value {
    match kind {
        // A created scalar reads as the empty string.
        NodeKind::Scalar => Value::String(String::new()),
        NodeKind::Map => Value::Map(Map::new()),
        NodeKind::Seq => Value::Seq(Vec::new()),
    }
}

fn walk<V: Visitor>(
    node: &mut Value,
    path: PathRest<'_>,
    create: Option<CreateKind>,
    trail: &mut Vec<NodeStep>,
    v: &mut V,
) -> Result<()> {
    if path.is_empty() {
        return v.visit(node, trail);
    }
    match node {
        Value::Null(_) => Ok(()),
        Value::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                if V::TRACE {
                    trail.push(NodeStep::Item(i));
                }
                walk(item, path, create, trail, v)?;
                if V::TRACE {
                    trail.pop();
                }
            }
            Ok(())
        }
        Value::Map(m) => walk_map(m, path, create, trail, v),
        _ => Err(Error::msg("expected sequence or mapping node")),
    }
}

fn walk_map<V: Visitor>(
    m: &mut Map,
    path: PathRest<'_>,
    create: Option<CreateKind>,
    trail: &mut Vec<NodeStep>,
    v: &mut V,
) -> Result<()> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(());
    };
    let (name, is_seq) = match first.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (first, false),
    };
    if name.is_empty() {
        return Err(Error::msg("cannot set or create an empty field name"));
    }
    // (kind to create when missing, kind a null field is turned into)
    let (make, kind) = match create {
        None => (None, is_seq.then_some(NodeKind::Seq)),
        Some(_) if is_seq => (None, Some(NodeKind::Seq)),
        Some(leaf) if rest.is_empty() => {
            let k = match leaf {
                CreateKind::Scalar => NodeKind::Scalar,
                CreateKind::Map => NodeKind::Map,
            };
            (Some(k), Some(k))
        }
        Some(_) => (Some(NodeKind::Map), Some(NodeKind::Map)),
    };
    let field = if V::TRACE {
        // The entry's position too (a created one is the last).
        let at = m.position(name);
        trail.push(NodeStep::Entry(at.unwrap_or(m.len())));
        match (at, make) {
            (Some(i), _) => match m.value_at_mut(i) {
                Some(field) => field,
                None => {
                    trail.pop();
                    return Ok(());
                }
            },
            (None, None) => {
                trail.pop();
                return Ok(());
            }
            (None, Some(k)) => m.push_new(name, empty_node(k)),
        }
    } else {
        match make {
            None => match m.get_mut(name) {
                Some(field) => field,
                None => return Ok(()),
            },
            Some(k) => m.entry_or_insert_with(name, || empty_node(k)),
        }
    };
    // A null field becomes the kind expected there; a null scalar leaf is
    // passed to `f` as is (kustomize keeps its text, `null`).
    if field.is_null() {
        match kind {
            Some(NodeKind::Map) => *field = Value::Map(Map::new()),
            Some(NodeKind::Seq) => *field = Value::Seq(Vec::new()),
            _ => {}
        }
    }
    let res = walk(field, rest, create, trail, v);
    if V::TRACE {
        trail.pop();
    }
    res
}

/// Applies one spec to an object: does nothing when the spec's GVK does not
/// select it; otherwise walks the path (creating per `spec.create` and
/// `create_kind`) and calls `f` at each end. Errors are prefixed the way
/// kustomize does: `considering field 'PATH' of object ID: ...`.
pub fn apply_spec(
    obj: &mut Value,
    spec: &FieldSpec,
    create_kind: Option<CreateKind>,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    if !spec.matches_object(obj) {
        return Ok(());
    }
    apply_selected(obj, spec, create_kind, &mut CallOn(f))
}

/// [`apply_spec`] for a spec known to select the object.
fn apply_selected<V: Visitor>(
    obj: &mut Value,
    spec: &FieldSpec,
    create_kind: Option<CreateKind>,
    v: &mut V,
) -> Result<()> {
    let create = if spec.create { create_kind } else { None };
    // The id for the message is read after the failed walk: the paths that
    // hold the id (metadata/name, metadata/namespace) are walked to a single
    // node, so a failure there happens before anything at them changed.
    walk_path(obj, &spec.path, create, v).map_err(|e| spec_error(obj, spec, e))
}

/// Walks `obj` along one spec as [`apply_spec`] does (creating per
/// `spec.create` and `create_kind`), but instead of changing the nodes
/// found, reports each one's position to `f`, in walk order. Errors are
/// prefixed as [`apply_spec`]'s.
pub fn trace_spec(
    obj: &mut Value,
    spec: &FieldSpec,
    create_kind: Option<CreateKind>,
    f: &mut dyn FnMut(&[NodeStep]),
) -> Result<()> {
    if !spec.matches_object(obj) {
        return Ok(());
    }
    apply_selected(obj, spec, create_kind, &mut Trace(f))
}

/// An error met while applying `spec` to `obj`, prefixed the way kustomize
/// does: `considering field 'PATH' of object ID: ...` (the id as `obj` is
/// now).
pub fn spec_error(obj: &Value, spec: &FieldSpec, mut e: Error) -> Error {
    e.message = format!(
        "considering field '{}' of object {}: {}",
        spec.path,
        kyaml_id_string(&object_id(obj)),
        e.message
    );
    e
}

/// True when walking `path` may change the object's `apiVersion` or
/// `kind` (the fields specs are selected by).
pub(crate) fn may_touch_gvk(path: &str) -> bool {
    let p = path.strip_prefix('/').unwrap_or(path);
    p.starts_with("apiVersion") || p.starts_with("kind")
}

/// True when the spec selects every object.
fn selects_all(spec: &FieldSpec) -> bool {
    spec.group.is_empty() && spec.version.is_empty() && spec.kind.is_empty()
}

/// Which of `specs` (at most 64) select `obj`, as bits; the object's
/// group/version/kind are read once.
fn selected_mask(obj: &Value, specs: &[FieldSpec]) -> u64 {
    let all = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    if specs.iter().all(selects_all) {
        return all(specs.len());
    }
    let (group, version, kind) = object_gvk_parts(obj);
    let mut mask = 0;
    for (i, s) in specs.iter().enumerate() {
        if (s.group.is_empty() || s.group == group)
            && (s.version.is_empty() || s.version == version)
            && (s.kind.is_empty() || s.kind == kind)
        {
            mask |= 1 << i;
        }
    }
    mask
}

/// Applies each spec of `specs` in turn (kustomize's fsslice filter).
pub fn apply_specs(
    obj: &mut Value,
    specs: &[FieldSpec],
    create_kind: Option<CreateKind>,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    apply_specs_with(obj, specs, create_kind, &mut CallOn(f))
}

/// [`apply_specs`], passing `f` the position of each node too.
pub fn apply_specs_traced(
    obj: &mut Value,
    specs: &[FieldSpec],
    create_kind: Option<CreateKind>,
    f: &mut dyn FnMut(&mut Value, &[NodeStep]) -> Result<()>,
) -> Result<()> {
    apply_specs_with(obj, specs, create_kind, &mut CallOnTraced(f))
}

fn apply_specs_with<V: Visitor>(
    obj: &mut Value,
    specs: &[FieldSpec],
    create_kind: Option<CreateKind>,
    v: &mut V,
) -> Result<()> {
    for chunk in specs.chunks(64) {
        if chunk.iter().any(|s| may_touch_gvk(&s.path)) {
            // A spec may change what selects the next ones: one at a time.
            for spec in chunk {
                if spec.matches_object(obj) {
                    apply_selected(obj, spec, create_kind, v)?;
                }
            }
            continue;
        }
        // No spec changes the object's GVK: select them all up front.
        let mask = selected_mask(obj, chunk);
        for (i, spec) in chunk.iter().enumerate() {
            if mask & (1 << i) != 0 {
                apply_selected(obj, spec, create_kind, v)?;
            }
        }
    }
    Ok(())
}

/// Walks `obj` along each spec of `specs` that selects it, as
/// [`apply_specs`] does without creating anything (a `null` named by a
/// `name[]` element still becomes an empty sequence), but instead of
/// changing the nodes found, reports each one's position to `f` with the
/// index of its spec. Stops at the first walk error, returned unprefixed
/// with the index of its spec (see [`spec_error`]). The specs are selected
/// by the object's GVK as it is before the walk: `None` (nothing walked)
/// when a spec's path may change it.
pub fn trace_specs(
    obj: &mut Value,
    specs: &[FieldSpec],
    f: &mut dyn FnMut(usize, &[NodeStep]),
) -> Option<std::result::Result<(), (usize, Error)>> {
    if specs.iter().any(|s| may_touch_gvk(&s.path)) {
        return None;
    }
    for (c, chunk) in specs.chunks(64).enumerate() {
        let mask = selected_mask(obj, chunk);
        for (i, spec) in chunk.iter().enumerate() {
            if mask & (1 << i) == 0 {
                continue;
            }
            let idx = c * 64 + i;
            let mut report = |trail: &[NodeStep]| f(idx, trail);
            if let Err(e) = walk_path(obj, &spec.path, None, &mut Trace(&mut report)) {
                return Some(Err((idx, e)));
            }
        }
    }
    Some(Ok(()))
}

/// kustomize's GVK order for sorting specs: kinds in its fixed "first" list,
/// then others, then webhook configurations; ties by `group_version_kind`
/// with `~G`/`~V`/`~K` for empty parts.
pub fn gvk_cmp(a: &Gvk, b: &Gvk) -> Ordering {
    gvk_parts_cmp(
        (&a.group, &a.version, &a.kind),
        (&b.group, &b.version, &b.kind),
    )
}

/// A kind's rank in kustomize's fixed order: kinds of its "first" list
/// (negative), others (0), webhook configurations (positive).
fn gvk_rank(kind: &str) -> i32 {
    use crate::order::{DEFAULT_ORDER_FIRST as FIRST, DEFAULT_ORDER_LAST as LAST};
    if let Some(i) = FIRST.iter().position(|k| *k == kind) {
        return i as i32 - FIRST.len() as i32;
    }
    if let Some(i) = LAST.iter().position(|k| *k == kind) {
        return i as i32 + 1;
    }
    0
}

/// Merges `incoming` into `list`: specs whose primary key (GVK selector and
/// path) is already present are skipped, or rejected when their `create`
/// differs; others are appended.
pub fn merge_specs(list: &mut Vec<FieldSpec>, incoming: &[FieldSpec]) -> Result<()> {
    for x in incoming {
        match list.iter().find(|s| s.effectively_equals(x)) {
            Some(s) if s.create != x.create => {
                return Err(Error::msg("conflicting fieldspecs"));
            }
            Some(_) => {}
            None => list.push(x.clone()),
        }
    }
    Ok(())
}

/// The key [`gvk_cmp`] orders by, computed once per element.
fn gvk_sort_key(group: &str, version: &str, kind: &str) -> (i32, String) {
    let or = |s: &str, d: &'static str| if s.is_empty() { d } else { s }.to_string();
    (
        gvk_rank(kind),
        format!(
            "{}_{}_{}",
            or(group, "~G"),
            or(version, "~V"),
            or(kind, "~K")
        ),
    )
}

/// [`gvk_sort_key`]`(a).cmp(&gvk_sort_key(b))`, without building the keys.
fn gvk_parts_cmp(a: (&str, &str, &str), b: (&str, &str, &str)) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    fn text<'a>((g, v, k): (&'a str, &'a str, &'a str)) -> impl Iterator<Item = u8> + 'a {
        let or = |s: &'a str, d: &'static str| if s.is_empty() { d } else { s };
        let sep = std::iter::once(b'_');
        or(g, "~G")
            .bytes()
            .chain(sep.clone())
            .chain(or(v, "~V").bytes())
            .chain(sep)
            .chain(or(k, "~K").bytes())
    }
    gvk_rank(a.2)
        .cmp(&gvk_rank(b.2))
        .then_with(|| text(a).cmp(text(b)))
}

fn sort_specs(list: &mut [FieldSpec]) {
    fn parts(s: &FieldSpec) -> (&str, &str, &str) {
        (&s.group, &s.version, &s.kind)
    }
    // Lists are usually merged from sorted ones: a stable sort would then
    // change nothing.
    if list
        .windows(2)
        .all(|w| gvk_parts_cmp(parts(&w[0]), parts(&w[1])) != Ordering::Greater)
    {
        return;
    }
    // Stable, like `sort_by(gvk_cmp)`, with each key built once.
    list.sort_by_cached_key(|s| gvk_sort_key(&s.group, &s.version, &s.kind));
}

/// Name-reference config for one referent kind: the fields (of other kinds)
/// that hold the name of a resource of this GVK.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameBackRef {
    /// The referent's group, version and kind (empty parts match any).
    pub gvk: Gvk,
    /// The referrer fields.
    pub referrers: Vec<FieldSpec>,
}

/// The field specs of every builtin transformer, per category, as kustomize's
/// `TransformerConfig`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransformerConfig {
    /// `namePrefix` fields.
    pub name_prefix: Vec<FieldSpec>,
    /// `nameSuffix` fields.
    pub name_suffix: Vec<FieldSpec>,
    /// `namespace` fields (besides `metadata/namespace`).
    pub namespace: Vec<FieldSpec>,
    /// `commonLabels` fields (metadata, selectors and templates).
    pub common_labels: Vec<FieldSpec>,
    /// `labels` fields: extra fields every `labels:` entry touches.
    pub labels: Vec<FieldSpec>,
    /// `templateLabels` fields (`labels:` with `includeTemplates`).
    pub template_labels: Vec<FieldSpec>,
    /// `commonAnnotations` fields.
    pub common_annotations: Vec<FieldSpec>,
    /// `nameReference`: per referent kind, the referrer fields.
    pub name_reference: Vec<NameBackRef>,
    /// `varReference` fields ($(VAR) substitution).
    pub var_reference: Vec<FieldSpec>,
    /// `images` fields.
    pub images: Vec<FieldSpec>,
    /// `replicas` fields.
    pub replicas: Vec<FieldSpec>,
}

const CATEGORIES: [&str; 11] = [
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "templateLabels",
    "commonAnnotations",
    "nameReference",
    "varReference",
    "images",
    "replicas",
];

fn spec_list(v: Option<&Value>, category: &str) -> Result<Vec<FieldSpec>> {
    match v {
        None | Some(Value::Null(_)) => Ok(Vec::new()),
        Some(Value::Seq(items)) => items
            .iter()
            .map(|i| {
                FieldSpec::from_value(i).map_err(|mut e| {
                    e.message = format!("{category}: {}", e.message);
                    e
                })
            })
            .collect(),
        Some(other) => Err(Error::msg(format!(
            "{category}: expected a list of field specs, not a {}",
            other.type_name()
        ))),
    }
}

impl TransformerConfig {
    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a configuration (the contents of a `configurations:` file, as a
    /// value) and sorts each list the way kustomize does. Unknown keys are
    /// errors.
    pub fn from_value(v: &Value) -> Result<TransformerConfig> {
        let m = match v {
            Value::Null(_) => return Ok(TransformerConfig::default()),
            Value::Map(m) => m,
            other => {
                return Err(Error::msg(format!(
                    "transformer configuration: expected a mapping, not a {}",
                    other.type_name()
                )));
            }
        };
        check_keys(m, &CATEGORIES, "transformer configuration")?;
        let mut t = TransformerConfig {
            name_prefix: spec_list(m.get("namePrefix"), "namePrefix")?,
            name_suffix: spec_list(m.get("nameSuffix"), "nameSuffix")?,
            namespace: spec_list(m.get("namespace"), "namespace")?,
            common_labels: spec_list(m.get("commonLabels"), "commonLabels")?,
            labels: spec_list(m.get("labels"), "labels")?,
            template_labels: spec_list(m.get("templateLabels"), "templateLabels")?,
            common_annotations: spec_list(m.get("commonAnnotations"), "commonAnnotations")?,
            name_reference: Vec::new(),
            var_reference: spec_list(m.get("varReference"), "varReference")?,
            images: spec_list(m.get("images"), "images")?,
            replicas: spec_list(m.get("replicas"), "replicas")?,
        };
        match m.get("nameReference") {
            None | Some(Value::Null(_)) => {}
            Some(Value::Seq(items)) => {
                for item in items {
                    t.name_reference.push(parse_backref(item)?);
                }
            }
            Some(other) => {
                return Err(Error::msg(format!(
                    "nameReference: expected a list, not a {}",
                    other.type_name()
                )));
            }
        }
        t.sort();
        Ok(t)
    }

    /// Merges `other` into this configuration (kustomize's
    /// `TransformerConfig.Merge`): specs already present are skipped, a
    /// present spec with a different `create` is an error, name-reference
    /// referrers are merged into every entry of an equal GVK (or appended as
    /// a new entry); each list is then re-sorted.
    pub fn merge(&mut self, other: &TransformerConfig) -> Result<()> {
        // Merging a configuration into an equal one changes nothing (every
        // spec is already present with the same `create`, and the lists are
        // kept sorted): the common case of each directory's defaults.
        if self == other {
            return Ok(());
        }
        let pairs: [(&mut Vec<FieldSpec>, &Vec<FieldSpec>, &str); 10] = [
            (&mut self.name_prefix, &other.name_prefix, "NamePrefix"),
            (&mut self.name_suffix, &other.name_suffix, "NameSuffix"),
            (&mut self.namespace, &other.namespace, "NameSpace"),
            (
                &mut self.common_annotations,
                &other.common_annotations,
                "CommonAnnotations",
            ),
            (
                &mut self.common_labels,
                &other.common_labels,
                "CommonLabels",
            ),
            (&mut self.labels, &other.labels, "Labels"),
            (
                &mut self.template_labels,
                &other.template_labels,
                "TemplateLabels",
            ),
            (
                &mut self.var_reference,
                &other.var_reference,
                "VarReference",
            ),
            (&mut self.images, &other.images, "Images"),
            (&mut self.replicas, &other.replicas, "Replicas"),
        ];
        for (mine, theirs, name) in pairs {
            merge_specs(mine, theirs).map_err(|mut e| {
                e.message = format!("failed to merge {name} fieldSpec: {}", e.message);
                e
            })?;
        }
        for nbr in &other.name_reference {
            let mut found = false;
            for mine in self.name_reference.iter_mut() {
                if mine.gvk == nbr.gvk {
                    merge_specs(&mut mine.referrers, &nbr.referrers).map_err(|mut e| {
                        e.message =
                            format!("failed to merge NameReference fieldSpec: {}", e.message);
                        e
                    })?;
                    found = true;
                }
            }
            if !found {
                self.name_reference.push(nbr.clone());
            }
        }
        self.sort();
        Ok(())
    }

    /// Sorts every list by kustomize's GVK order (stable; kustomize's own sort
    /// is not, which only reorders specs of one GVK among themselves).
    fn sort(&mut self) {
        for list in [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.namespace,
            &mut self.common_labels,
            &mut self.labels,
            &mut self.template_labels,
            &mut self.common_annotations,
            &mut self.var_reference,
            &mut self.images,
            &mut self.replicas,
        ] {
            sort_specs(list);
        }
        fn parts(n: &NameBackRef) -> (&str, &str, &str) {
            (&n.gvk.group, &n.gvk.version, &n.gvk.kind)
        }
        if !self
            .name_reference
            .windows(2)
            .all(|w| gvk_parts_cmp(parts(&w[0]), parts(&w[1])) != Ordering::Greater)
        {
            self.name_reference
                .sort_by_cached_key(|n| gvk_sort_key(&n.gvk.group, &n.gvk.version, &n.gvk.kind));
        }
    }
}

fn parse_backref(v: &Value) -> Result<NameBackRef> {
    const WHAT: &str = "nameReference";
    let m = v.as_map().ok_or_else(|| {
        Error::msg(format!(
            "nameReference: expected a mapping, not a {}",
            v.type_name()
        ))
    })?;
    check_keys(m, &["group", "version", "kind", "fieldSpecs"], WHAT)?;
    Ok(NameBackRef {
        gvk: Gvk {
            group: opt_string(m, "group", WHAT)?,
            version: opt_string(m, "version", WHAT)?,
            kind: opt_string(m, "kind", WHAT)?,
        },
        referrers: spec_list(m.get("fieldSpecs"), WHAT)?,
    })
}

/// A default field spec as generated: (group, version, kind, path, create).
type StaticSpec = (&'static str, &'static str, &'static str, &'static str, bool);

// kustomize v5.5's default field specs, one static per category
// (`DEFAULT_NAME_PREFIX`, ...), written by `src/fieldspec/gen.py` from the
// YAML beside this module, each list already in `TransformerConfig::sort`'s
// order.
include!("fieldspec/defaults.rs");

/// kustomize v5.5's default transformer configuration, built once.
pub fn default_config() -> &'static TransformerConfig {
    default_config_shared()
}

/// [`default_config`] in a shared `Arc`. Merged into an empty configuration
/// the defaults give themselves (a unit test checks it), so this one value
/// can also stand for that merge.
pub fn default_config_shared() -> &'static Arc<TransformerConfig> {
    static CONFIG: OnceLock<Arc<TransformerConfig>> = OnceLock::new();
    CONFIG.get_or_init(|| Arc::new(build_defaults()))
}

/// Copies the generated tables into a configuration. They are written
/// sorted, so nothing is sorted here (unit tests check the content against
/// the kustomize YAML, and the order).
fn build_defaults() -> TransformerConfig {
    fn specs(list: &[StaticSpec]) -> Vec<FieldSpec> {
        list.iter()
            .map(|&(group, version, kind, path, create)| FieldSpec {
                group: group.to_string(),
                version: version.to_string(),
                kind: kind.to_string(),
                path: path.to_string(),
                create,
            })
            .collect()
    }
    TransformerConfig {
        name_prefix: specs(DEFAULT_NAME_PREFIX),
        name_suffix: specs(DEFAULT_NAME_SUFFIX),
        namespace: specs(DEFAULT_NAMESPACE),
        common_labels: specs(DEFAULT_COMMON_LABELS),
        labels: specs(DEFAULT_LABELS),
        template_labels: specs(DEFAULT_TEMPLATE_LABELS),
        common_annotations: specs(DEFAULT_COMMON_ANNOTATIONS),
        name_reference: DEFAULT_NAME_REFERENCE
            .iter()
            .map(|&(group, version, kind, referrers)| NameBackRef {
                gvk: Gvk {
                    group: group.to_string(),
                    version: version.to_string(),
                    kind: kind.to_string(),
                },
                referrers: specs(referrers),
            })
            .collect(),
        var_reference: specs(DEFAULT_VAR_REFERENCE),
        images: specs(DEFAULT_IMAGES),
        replicas: specs(DEFAULT_REPLICAS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `defaults.rs` says exactly what the kustomize YAML it was generated
    /// from says.
    #[test]
    fn defaults_text_matches_the_kustomize_yaml() {
        let files = [
            include_str!("fieldspec/nameprefix.yaml"),
            include_str!("fieldspec/namesuffix.yaml"),
            include_str!("fieldspec/commonlabels.yaml"),
            include_str!("fieldspec/templatelabels.yaml"),
            include_str!("fieldspec/commonannotations.yaml"),
            include_str!("fieldspec/namespace.yaml"),
            include_str!("fieldspec/varreference.yaml"),
            include_str!("fieldspec/namereference.yaml"),
            include_str!("fieldspec/images.yaml"),
            include_str!("fieldspec/replicas.yaml"),
        ];
        let mut all = Map::new();
        for text in files {
            for doc in crate::yaml::parse_documents(text).unwrap() {
                for (k, v) in doc.as_map().unwrap().iter() {
                    all.insert(k, v.clone());
                }
            }
        }
        // from_value sorts, build_defaults does not: equal means the tables
        // are written in sorted order.
        let from_yaml = TransformerConfig::from_value(&Value::Map(all)).unwrap();
        assert_eq!(default_config(), &from_yaml);
        assert!(from_yaml.name_reference.len() > 10 && from_yaml.images.len() > 3);
    }

    /// The tables are written in the order `sort` keeps (so building the
    /// defaults needs no sort), and the defaults are a merge fixed point (so
    /// `default_config_shared` can stand for them merged into nothing).
    #[test]
    fn defaults_are_sorted_and_a_merge_fixed_point() {
        let d = build_defaults();
        let mut sorted = d.clone();
        sorted.sort();
        assert_eq!(sorted, d);
        // The check above can fail: sort moves misplaced entries.
        let mut swapped = d.clone();
        let n = swapped.name_reference.len();
        swapped.name_reference.swap(0, n - 1);
        let mut resorted = swapped.clone();
        resorted.sort();
        assert_ne!(resorted, swapped);
        let mut merged = TransformerConfig::default();
        merged.merge(&d).unwrap();
        assert_eq!(merged, d);
        assert!(std::ptr::eq(
            default_config(),
            default_config_shared().as_ref()
        ));
    }

    /// `defaults.rs` is what `gen.py` writes (checked where python3 with
    /// PyYAML is available).
    #[test]
    fn defaults_text_matches_the_generator() {
        let out = std::env::temp_dir().join(format!("aiw-defaults-{}.rs", std::process::id()));
        let gen_py = concat!(env!("CARGO_MANIFEST_DIR"), "/src/fieldspec/gen.py");
        let Ok(status) = std::process::Command::new("python3")
            .arg(gen_py)
            .arg(&out)
            .status()
        else {
            eprintln!("skipped: python3 not found");
            return;
        };
        if !status.success() {
            eprintln!("skipped: gen.py failed (PyYAML missing?)");
            return;
        }
        let fresh = std::fs::read_to_string(&out).unwrap();
        let _ = std::fs::remove_file(&out);
        assert!(
            fresh == include_str!("fieldspec/defaults.rs"),
            "run src/fieldspec/gen.py"
        );
    }
    use serde_json::json;

    fn v(j: serde_json::Value) -> Value {
        Value::from(j)
    }

    #[test]
    fn unsplit_paths_segment_like_split_path() {
        for p in [
            "a/b/c",
            "/a/b",
            "",
            "/",
            "a//b",
            "a/",
            "//a",
            r"x/a.io\/b/c",
            "spec/c[]/image",
        ] {
            let mut got = Vec::new();
            let parts;
            let mut rest = if p.contains('\\') {
                parts = split_path(p);
                PathRest::Split(&parts)
            } else {
                PathRest::Plain(Some(p.strip_prefix('/').unwrap_or(p)))
            };
            while let Some((first, r)) = rest.split_first() {
                got.push(first.to_string());
                rest = r;
            }
            assert_eq!(got, split_path(p), "{p:?}");
        }
    }

    #[test]
    fn split_path_handles_escapes_and_leading_slash() {
        assert_eq!(split_path("a/b/c"), ["a", "b", "c"]);
        assert_eq!(split_path("/a/b"), ["a", "b"]);
        assert_eq!(
            split_path(r"metadata/annotations/a.io\/b"),
            ["metadata", "annotations", "a.io/b"]
        );
        assert_eq!(split_path(""), [""]);
        assert_eq!(split_path("spec/containers[]/image")[1], "containers[]");
    }

    #[test]
    fn gvk_matching_treats_empty_as_any() {
        let fs = FieldSpec {
            group: "apps".into(),
            kind: "Deployment".into(),
            ..FieldSpec::new("spec/replicas")
        };
        let obj = v(json!({"apiVersion": "apps/v1", "kind": "Deployment"}));
        assert!(fs.matches_object(&obj));
        let obj = v(json!({"apiVersion": "extensions/v1beta1", "kind": "Deployment"}));
        assert!(!fs.matches_object(&obj));
        let any = FieldSpec::new("metadata/name");
        assert!(any.matches_object(&v(json!({"kind": "X"}))));
    }

    fn set_to(s: &'static str) -> impl FnMut(&mut Value) -> Result<()> {
        move |n: &mut Value| {
            *n = Value::String(s.into());
            Ok(())
        }
    }

    /// The reused trail starts empty on every walk, after a failed one
    /// too.
    #[test]
    fn traced_walks_start_from_an_empty_trail() {
        use serde_json::json;
        let mut obj = v(json!({"c": "x", "a": [{"b": 1}, {"z": 0, "b": 2}]}));
        let trails = |obj: &mut Value, path: &str| {
            let mut got: Vec<Vec<NodeStep>> = Vec::new();
            let res = trace_specs(obj, &[FieldSpec::new(path)], &mut |_, t| {
                got.push(t.to_vec())
            });
            (got, res.map(|r| r.is_ok()))
        };
        let want = vec![
            vec![NodeStep::Entry(1), NodeStep::Item(0), NodeStep::Entry(0)],
            vec![NodeStep::Entry(1), NodeStep::Item(1), NodeStep::Entry(1)],
        ];
        assert_eq!(trails(&mut obj, "a/b"), (want.clone(), Some(true)));
        assert_eq!(trails(&mut obj, "c/d/e"), (vec![], Some(false)));
        assert_eq!(trails(&mut obj, "a/b"), (want, Some(true)));
    }

    #[test]
    fn walker_fans_out_over_sequences_and_creates() {
        let mut obj = v(json!({"spec": {"containers": [{"image": "a"}, {"name": "x"}, null]}}));
        apply(
            &mut obj,
            "spec/containers[]/image",
            Some(CreateKind::Scalar),
            &mut set_to("z"),
        )
        .unwrap();
        // `containers[]` itself is never created, but the fields after it are
        // (as kubectl does for `spec/volumeClaimTemplates[]/metadata/labels`).
        assert_eq!(
            obj,
            v(json!({"spec": {"containers": [{"image": "z"}, {"name": "x", "image": "z"}, null]}}))
        );
        let mut obj = v(json!({"spec": {}}));
        apply(
            &mut obj,
            "spec/containers[]/image",
            Some(CreateKind::Scalar),
            &mut set_to("z"),
        )
        .unwrap();
        assert_eq!(obj, v(json!({"spec": {}})));
        let mut obj = v(json!({"spec": {"a": [{"b": 1}, {"c": 2}]}}));
        apply(
            &mut obj,
            "spec/a/b",
            Some(CreateKind::Scalar),
            &mut set_to("z"),
        )
        .unwrap();
        assert_eq!(
            obj,
            v(json!({"spec": {"a": [{"b": "z"}, {"c": 2, "b": "z"}]}}))
        );
    }

    /// `apply_specs` selects specs by the object's GVK read once, unless a
    /// spec may change it: the result must equal applying the specs one at a
    /// time (each selected by the object as it is then).
    #[test]
    fn apply_specs_selects_like_one_at_a_time() {
        let kind = |k: &str, path: &str| FieldSpec {
            kind: k.into(),
            create: true,
            ..FieldSpec::new(path)
        };
        let spec_lists = [
            vec![
                kind("Deployment", "metadata/labels"),
                kind("Service", "spec/selector"),
                FieldSpec {
                    group: "apps".into(),
                    create: true,
                    ..FieldSpec::new("spec/template/metadata/labels")
                },
                kind("", "metadata/annotations"),
            ],
            // The first spec turns the Deployment into a Service: the second
            // then selects it and the third does not.
            vec![
                kind("Deployment", "kind"),
                kind("Service", "spec/selector"),
                kind("Deployment", "metadata/labels"),
            ],
            (0..70)
                .map(|i| {
                    kind(
                        if i % 2 == 0 { "Deployment" } else { "Pod" },
                        &format!("x{i}"),
                    )
                })
                .collect(),
        ];
        let obj = v(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d"}, "spec": {"template": {}}}));
        for specs in &spec_lists {
            // Maps are created at the ends; `kind` is a scalar: set it.
            let mut f = |n: &mut Value| {
                match n {
                    Value::Map(m) => {
                        m.insert("a", Value::String("b".into()));
                    }
                    other => *other = Value::String("Service".into()),
                }
                Ok(())
            };
            let mut one = obj.clone();
            for spec in specs {
                apply_spec(&mut one, spec, Some(CreateKind::Map), &mut f).unwrap();
            }
            let mut all = obj.clone();
            apply_specs(&mut all, specs, Some(CreateKind::Map), &mut f).unwrap();
            assert_eq!(all, one);
        }
        let mut one = obj.clone();
        apply_specs(&mut one, &spec_lists[1], Some(CreateKind::Map), &mut |n| {
            if let Value::Map(m) = n {
                m.insert("a", Value::String("b".into()));
            } else {
                *n = Value::String("Service".into());
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(
            one,
            v(json!({"apiVersion": "apps/v1", "kind": "Service",
                "metadata": {"name": "d"}, "spec": {"template": {}, "selector": {"a": "b"}}}))
        );
    }

    /// `trace_specs` reports the nodes `apply_specs` (without create) would
    /// visit, in its order, and the same error.
    #[test]
    fn trace_specs_finds_what_apply_specs_visits() {
        let specs = [
            FieldSpec::new("spec/containers[]/image"),
            FieldSpec::new("spec/template/spec/containers[]/image"),
            FieldSpec {
                kind: "Foo".into(),
                ..FieldSpec::new("spec/runner/img")
            },
            FieldSpec::new("spec/jobs/image"),
        ];
        let objs = [
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec":
                {"containers": [{"image": "a"}, {"name": "n", "image": "b"}, null, {}]}}}}),
            json!({"kind": "Foo", "spec": {"containers": null, "runner": {"x": 1, "img": "c"},
                "jobs": [{"image": "d"}, {"q": 1, "image": "e"}]}}),
            json!({"kind": "Bar", "spec": {"runner": {"img": "c"}, "jobs": [{"image": "f"}, 3]}}),
        ];
        for obj in objs {
            let mut applied = v(obj.clone());
            let mut n = 0;
            let want = apply_specs(&mut applied, &specs, None, &mut |node| {
                n += 1;
                *node = Value::Int(n);
                Ok(())
            });
            let mut traced = v(obj);
            let mut paths = Vec::new();
            let got = trace_specs(&mut traced, &specs, &mut |i, p| paths.push((i, p.to_vec())))
                .expect("traceable");
            for (k, (_, p)) in paths.iter().enumerate() {
                *node_at_mut(&mut traced, p).expect("node") = Value::Int(k as i64 + 1);
            }
            assert_eq!(traced, applied);
            match (want, got) {
                (Ok(()), Ok(())) => {}
                (Err(w), Err((i, e))) => {
                    assert_eq!(spec_error(&traced, &specs[i], e).message, w.message)
                }
                (w, g) => panic!("{w:?} vs {g:?}"),
            }
        }
        // A spec that may change the kind: not traced.
        let mut obj = v(json!({"kind": "Foo"}));
        assert!(trace_specs(&mut obj, &[FieldSpec::new("kind")], &mut |_, _| {}).is_none());
    }

    #[test]
    fn gvk_order_without_keys_equals_order_of_keys() {
        let parts = [
            "",
            "apps",
            "a",
            "a_b",
            "~",
            "v1",
            "Namespace",
            "Secret",
            "Deployment",
            "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration",
            "é",
            "Z",
        ];
        let mut gvks = Vec::new();
        for g in parts {
            for v in ["", "v1", "a"] {
                for k in parts {
                    gvks.push((g, v, k));
                }
            }
        }
        for &a in &gvks {
            for &b in &gvks {
                let want = gvk_sort_key(a.0, a.1, a.2).cmp(&gvk_sort_key(b.0, b.1, b.2));
                assert_eq!(gvk_parts_cmp(a, b), want, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn walker_null_handling() {
        // Checked against kubectl kustomize: `containers: null` under an
        // images path becomes `[]`; a null mapping on the way is replaced when
        // creating; without create a null leaf is passed to the setter.
        let mut obj = v(json!({"spec": {"containers": null}}));
        apply(&mut obj, "spec/containers[]/image", None, &mut set_to("z")).unwrap();
        assert_eq!(obj, v(json!({"spec": {"containers": []}})));
        let mut obj = v(json!({"metadata": null}));
        apply(
            &mut obj,
            "metadata/labels",
            Some(CreateKind::Map),
            &mut |n: &mut Value| {
                n.as_map_mut().unwrap().insert("a", "b".into());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(obj, v(json!({"metadata": {"labels": {"a": "b"}}})));
        let mut obj = v(json!({"spec": {"x": null}}));
        apply(&mut obj, "spec/x/y", None, &mut set_to("z")).unwrap();
        assert_eq!(obj, v(json!({"spec": {"x": null}})));
    }

    #[test]
    fn walker_errors() {
        let mut obj = v(json!({"spec": {"template": 5}}));
        let e = apply(&mut obj, "spec/template/metadata", None, &mut set_to("z")).unwrap_err();
        assert_eq!(e.message, "expected sequence or mapping node");
        let e = apply(&mut obj, "spec//x", None, &mut set_to("z")).unwrap_err();
        assert_eq!(e.message, "cannot set or create an empty field name");
        let spec = FieldSpec::new("spec/template/metadata/labels");
        let mut obj = v(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "c"}, "spec": {"template": 5}}));
        let e = apply_spec(&mut obj, &spec, None, &mut set_to("z")).unwrap_err();
        // Message as kubectl kustomize prints it.
        assert_eq!(
            e.message,
            "considering field 'spec/template/metadata/labels' of object \
             Deployment.v1.apps/c.[noNs]: expected sequence or mapping node"
        );
    }

    #[test]
    fn default_config_is_kustomize_v5_5() {
        let d = default_config();
        assert_eq!(d.name_prefix, vec![FieldSpec::new("metadata/name")]);
        assert_eq!(d.images.len(), 4);
        assert_eq!(d.replicas.len(), 4);
        assert_eq!(d.common_labels.len(), 32);
        assert!(d.labels.is_empty());
        // v5.5 labels volumeClaimTemplates through the template labels.
        assert!(
            d.template_labels
                .iter()
                .any(|f| f.path == "spec/volumeClaimTemplates[]/metadata/labels")
        );
        assert_eq!(d.name_reference.len(), 16);
        // Sorted by kustomize's GVK order: Namespace-first kinds lead.
        assert_eq!(d.name_reference[0].gvk.kind, "StorageClass");
        let secret = d
            .name_reference
            .iter()
            .find(|n| n.gvk.kind == "Secret")
            .unwrap();
        assert_eq!(secret.referrers.len(), 70);
    }

    #[test]
    fn merge_dedupes_and_detects_conflicts() {
        let mut t = default_config().clone();
        let extra = TransformerConfig::from_value(&v(json!({
            "namePrefix": [{"path": "metadata/name"}, {"path": "spec/x", "kind": "Foo"}],
            "nameReference": [
                {"kind": "Secret", "version": "v1", "fieldSpecs": [{"path": "spec/s", "kind": "Foo"}]},
                {"kind": "Bar", "fieldSpecs": [{"path": "spec/bar", "kind": "Foo"}]}
            ]
        })))
        .unwrap();
        t.merge(&extra).unwrap();
        assert_eq!(t.name_prefix.len(), 2);
        let secret = t
            .name_reference
            .iter()
            .find(|n| n.gvk.kind == "Secret")
            .unwrap();
        assert_eq!(secret.referrers.len(), 71);
        assert!(t.name_reference.iter().any(|n| n.gvk.kind == "Bar"));
        let bad = TransformerConfig::from_value(&v(json!({
            "namePrefix": [{"path": "metadata/name", "create": true}]
        })))
        .unwrap();
        let e = t.merge(&bad).unwrap_err();
        assert_eq!(
            e.message,
            "failed to merge NamePrefix fieldSpec: conflicting fieldspecs"
        );
        assert!(TransformerConfig::from_value(&v(json!({"bogus": []}))).is_err());
    }
}
