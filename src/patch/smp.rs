//! Strategic merge patch, as kustomize v5.5 applies it: kyaml's `merge2`
//! walker (not apimachinery's `strategicpatch`), with patch list items
//! prepended, and the Kubernetes v1.21.2 merge keys from [`crate::schema`].
//!
//! Rules (each checked against `kubectl kustomize`, see the tests):
//! - Mappings merge field by field. A `null` in the patch removes the field.
//!   A null already in the target and not touched by the patch stays when
//!   it was written as a word (`key: null`, `key: ~`: kyaml's "persistent"
//!   null) and is dropped when it was written as nothing (`key:`), in every
//!   mapping the walk reaches: the whole resource, including the items of
//!   merged lists the patch does not name, but not inside replaced lists
//!   (see [`crate::yaml::NullForm`]). Nulls inside a subtree the patch adds
//!   are dropped.
//! - `$patch: delete` on a mapping removes it (on the whole patch: the
//!   resource, see [`MergeOutcome::Delete`]); `$patch: replace` replaces it;
//!   `$patch: merge` is the default. Other values are an error.
//! - Lists whose schema strategy includes `merge` merge by key
//!   (`x-kubernetes-list-map-keys`, else the merge key; lists of scalars by
//!   value): the patch's items first, then the target's items not in the
//!   patch. Other lists, and every list of a kind with no schema (CRDs), are
//!   replaced. A `{$patch: replace|delete}` item directs a merged list.
//! - kyaml's quirks are kept: a patch item lacking the merge key deletes
//!   every target item that has the key; a target item lacking the key wipes
//!   the items before it; `$patch: replace` on a merged list item keeps the
//!   target's item unchanged; with two keys (ports) a patch item without
//!   `protocol` does not merge into a target item that has one.
//! - `$setElementOrder/…`, `$retainKeys`, `$deleteFromPrimitiveList/…` are not
//!   understood by kyaml: they are copied into the result like any field.
//! - A patch value of a different kind than the target's (a list onto a
//!   mapping) is an error; `null` on either side is never a conflict.
//!
//! The caller handles identity: kustomize restores the target's
//! `metadata.name`, `metadata.namespace` and `kind` after the merge (unless
//! the patch allows name/kind changes).

use crate::error::{Error, Result};
use crate::schema::{Schema, SchemaRef};
use crate::yaml::{Map, Value};
use std::borrow::Cow;

/// What became of the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// The target was patched in place.
    Patched,
    /// The patch deleted the whole resource (`$patch: delete` at the top, or
    /// nothing left); the caller must drop it. The target is left as `Null`.
    Delete,
}

/// Applies the strategic merge patch `patch` to one resource `target`, with
/// merge keys from `schema` (the type is looked up by the target's, then the
/// patch's, `apiVersion` and `kind`).
pub fn merge_patch(target: &mut Value, patch: &Value, schema: &Schema) -> Result<MergeOutcome> {
    let dest = std::mem::replace(target, Value::NULL);
    let w = Walker { schema };
    match w.walk(Some(dest), Some(patch.clone()), false, None)? {
        Some(Value::Null(_)) | None => Ok(MergeOutcome::Delete),
        // kustomize drops a resource left empty (`IsNilOrEmpty`).
        Some(Value::Map(m)) if m.is_empty() => Ok(MergeOutcome::Delete),
        Some(v) => {
            *target = v;
            Ok(MergeOutcome::Patched)
        }
    }
}

/// A strategic merge directive (`$patch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

const DIRECTIVE_KEY: &str = "$patch";

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Map,
    Seq,
    Scalar,
    None,
}

fn kind_of(v: &Option<Value>) -> Kind {
    v.as_ref().map_or(Kind::None, kind_of_value)
}

fn kind_of_value(v: &Value) -> Kind {
    match v {
        Value::Null(_) => Kind::None,
        Value::Map(_) => Kind::Map,
        Value::Seq(_) => Kind::Seq,
        _ => Kind::Scalar,
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Map => "MappingNode",
        Kind::Seq => "SequenceNode",
        Kind::Scalar => "ScalarNode",
        Kind::None => "null",
    }
}

/// A walk's result as kyaml's field setter takes it: a null clears the
/// field (only a target's null written as a word is kept, and the walk
/// returns that one directly).
fn cleared_if_null(v: Option<Value>) -> Option<Value> {
    v.filter(|v| !v.is_null())
}

fn is_null_or_missing(v: &Option<Value>) -> bool {
    matches!(v, None | Some(Value::Null(_)))
}

/// The text of a scalar as kyaml holds it (`null` for null; collections
/// have no text).
fn raw_str(v: &Value) -> String {
    match v {
        Value::Null(_) => "null".to_string(),
        Value::Map(_) | Value::Seq(_) => String::new(),
        other => other.scalar_string().unwrap_or_default(),
    }
}

/// [`SchemaRef::is_merge_list`], without splitting the usual `merge`.
fn is_merge_list(s: SchemaRef<'_>) -> bool {
    match s.patch_strategy() {
        None => false,
        Some("merge") => true,
        Some(p) => p.split(',').any(|p| p == "merge"),
    }
}

/// True for mappings and sequences: only their walk depends on the schema.
fn is_collection(v: &Value) -> bool {
    matches!(v, Value::Map(_) | Value::Seq(_))
}

/// The schema of field `key` under `sch`, looked up only when one side is a
/// collection (a scalar or null walk never uses it).
fn child_schema<'s>(
    sch: Option<SchemaRef<'s>>,
    key: &str,
    a: Option<&Value>,
    b: Option<&Value>,
) -> Option<SchemaRef<'s>> {
    if a.is_some_and(is_collection) || b.is_some_and(is_collection) {
        sch.and_then(|s| s.field(key))
    } else {
        None
    }
}

/// [`raw_str`], borrowed for strings.
fn raw_text(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::String(s) => std::borrow::Cow::Borrowed(s),
        other => std::borrow::Cow::Owned(raw_str(other)),
    }
}

/// The entries of a walked mapping: `entries` without those at the indexes
/// in `removed`, then `added` (fields new to the target).
fn finish_map(
    mut entries: Vec<(String, Value)>,
    removed: Vec<usize>,
    added: Vec<(String, Value)>,
) -> Map {
    if !removed.is_empty() {
        let mut gone = vec![false; entries.len()];
        for i in removed {
            gone[i] = true;
        }
        let mut i = 0;
        entries.retain(|_| {
            i += 1;
            !gone[i - 1]
        });
    }
    entries.extend(added);
    Map::from_unique_entries(entries)
}

/// True when no two `n`-long chunks of `texts` are equal.
fn distinct_chunks<T: Eq + std::hash::Hash>(texts: &[T], n: usize) -> bool {
    let count = texts.len() / n;
    if count > 32 {
        let mut seen = std::collections::HashSet::with_capacity(count);
        return texts.chunks(n).all(|c| seen.insert(c));
    }
    for i in 0..count {
        let a = &texts[i * n..(i + 1) * n];
        if (i + 1..count).any(|j| &texts[j * n..(j + 1) * n] == a) {
            return false;
        }
    }
    true
}

/// A list item's value for `key`, as kyaml's `ElementValuesList` reads it:
/// empty when the field is missing, null or an empty collection.
fn key_str(elem: &Value, key: &str) -> String {
    match elem.get(key) {
        None | Some(Value::Null(_)) => String::new(),
        Some(v) => raw_str(v),
    }
}

fn wrong_kind(expected: Kind, got: &Value) -> Error {
    let got = match got {
        Value::Map(_) => Kind::Map,
        Value::Seq(_) => Kind::Seq,
        _ => Kind::Scalar,
    };
    Error::msg(format!(
        "wrong node kind: expected {} but got {}",
        kind_name(expected),
        kind_name(got)
    ))
}

/// Reads (and removes, when valid) the `$patch` directive of a mapping.
/// `Ok(None)` for values that are neither mappings nor sequences (kyaml
/// reports an error that some callers ignore).
fn map_directive(m: &mut Map) -> Result<Directive> {
    let Some(v) = m.get(DIRECTIVE_KEY) else {
        return Ok(Directive::Merge);
    };
    let d = match raw_str(v).as_str() {
        "delete" => Directive::Delete,
        "replace" => Directive::Replace,
        "merge" => Directive::Merge,
        other => return Err(Error::msg(format!("unknown patch strategy '{other}'"))),
    };
    m.remove(DIRECTIVE_KEY);
    Ok(d)
}

/// The directive of a sequence: the first mapping item holding `$patch`
/// directs the list when it has no other key; it is then removed (with every
/// null or empty-mapping item, as kyaml's element setter does).
fn seq_directive(items: &mut Vec<Value>) -> Result<Directive> {
    let Some(item) = items
        .iter()
        .find(|i| matches!(i, Value::Map(m) if m.contains_key(DIRECTIVE_KEY)))
    else {
        return Ok(Directive::Merge);
    };
    let Some(m) = item.as_map() else {
        return Ok(Directive::Merge);
    };
    if m.len() > 1 {
        return Ok(Directive::Merge);
    }
    let v = m.get(DIRECTIVE_KEY).map(raw_str).unwrap_or_default();
    let d = match v.as_str() {
        "delete" => Directive::Delete,
        "replace" => Directive::Replace,
        "merge" => Directive::Merge,
        other => return Err(Error::msg(format!("unknown patch strategy '{other}'"))),
    };
    element_delete(items, &[DIRECTIVE_KEY.to_string()], &[v])?;
    Ok(d)
}

/// Directive of a patch value of any kind (`determineSmpDirective`).
fn directive(v: &mut Option<Value>) -> Result<Directive> {
    match v {
        None => Ok(Directive::Merge),
        Some(Value::Map(m)) => map_directive(m),
        Some(Value::Seq(s)) => seq_directive(s),
        Some(other) => Err(Error::msg(format!(
            "no implemented strategic merge patch strategy for a {}",
            other.type_name()
        ))),
    }
}

/// A schema computed on first use and kept.
struct LazySchema<'s, F> {
    compute: F,
    value: std::cell::Cell<Option<Option<SchemaRef<'s>>>>,
}

impl<'s, F: Fn() -> Option<SchemaRef<'s>>> LazySchema<'s, F> {
    fn new(compute: F) -> Self {
        LazySchema {
            compute,
            value: std::cell::Cell::new(None),
        }
    }

    fn get(&self) -> Option<SchemaRef<'s>> {
        if let Some(v) = self.value.get() {
            return v;
        }
        let v = (self.compute)();
        self.value.set(Some(v));
        v
    }
}

/// The schemas of the fields of a list's items, each looked up once for
/// the list (the items share their schema).
struct ItemFields<'s, F> {
    elem: LazySchema<'s, F>,
    seen: std::cell::RefCell<Vec<(String, Option<SchemaRef<'s>>)>>,
}

impl<'s, F: Fn() -> Option<SchemaRef<'s>>> ItemFields<'s, F> {
    fn new(elem: F) -> Self {
        ItemFields {
            elem: LazySchema::new(elem),
            seen: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// The schema of field `key` of an item.
    fn field(&self, key: &str) -> Option<SchemaRef<'s>> {
        if let Some((_, s)) = self.seen.borrow().iter().find(|(k, _)| k == key) {
            return *s;
        }
        let s = self.elem.get().and_then(|e| e.field(key));
        self.seen.borrow_mut().push((key.to_string(), s));
        s
    }
}

struct Walker<'s> {
    schema: &'s Schema,
}

impl<'s> Walker<'s> {
    /// The schema for a value: the one given, else the type named by the
    /// value's own `apiVersion` and `kind` (kyaml looks again at every level
    /// where the schema is unknown).
    fn schema_for(
        &self,
        sch: Option<SchemaRef<'s>>,
        dest: &Option<Value>,
        origin: &Option<Value>,
    ) -> Option<SchemaRef<'s>> {
        if sch.is_some() {
            return sch;
        }
        self.own_schema(dest.as_ref())
            .or_else(|| self.own_schema(origin.as_ref()))
    }

    /// The schema named by a mapping's own `apiVersion` and `kind`.
    fn own_schema(&self, v: Option<&Value>) -> Option<SchemaRef<'s>> {
        let m = v?.as_map()?;
        let (av, kind) = (raw_text(m.get("apiVersion")?), raw_text(m.get("kind")?));
        if av.is_empty() || kind.is_empty() {
            return None;
        }
        self.schema.for_type(&av, &kind)
    }

    /// True when walking `v` (not null) against no patch
    /// (`walk(Some(v), None, false, sch)`) gives `v` back unchanged and
    /// cannot fail: then the walk can be skipped. Only associative lists
    /// (see [`Walker::list_settled`]) and fields holding an empty null
    /// (dropped) change in such a walk; fields holding a null written as a
    /// word stay.
    fn settled(&self, v: &Value, sch: Option<SchemaRef<'s>>) -> bool {
        self.settled_in(v, &|| sch)
    }

    /// [`Walker::settled`] with the schema looked up only when needed: only
    /// sequences use it, so a subtree without one costs no lookup.
    fn settled_in(&self, v: &Value, sch: &dyn Fn() -> Option<SchemaRef<'s>>) -> bool {
        match v {
            Value::Map(m) => {
                let mine = LazySchema::new(|| sch().or_else(|| self.own_schema(Some(v))));
                m.iter().all(|(k, c)| {
                    if is_collection(c) {
                        self.settled_in(c, &|| mine.get().and_then(|s| s.field(k)))
                    } else {
                        !c.is_empty_null()
                    }
                })
            }
            Value::Seq(items) => match sch() {
                Some(s) if is_merge_list(s) => self.list_settled(items, s, false),
                _ => true,
            },
            _ => true,
        }
    }

    /// True when walking `v` as a subtree the patch adds (merged with
    /// itself: `walk(None, Some(v), true, sch)`) gives `v` back unchanged and
    /// cannot fail: no `null` field (those are dropped), no `$patch` key, and
    /// every associative list settled.
    fn same_settled(&self, v: &Value, sch: Option<SchemaRef<'s>>) -> bool {
        self.same_settled_in(v, &|| sch)
    }

    /// [`Walker::same_settled`] with the schema looked up only when needed.
    fn same_settled_in(&self, v: &Value, sch: &dyn Fn() -> Option<SchemaRef<'s>>) -> bool {
        match v {
            Value::Null(_) => false,
            Value::Map(m) => {
                if m.contains_key(DIRECTIVE_KEY) {
                    return false;
                }
                let mine = LazySchema::new(|| sch().or_else(|| self.own_schema(Some(v))));
                m.iter().all(|(k, c)| {
                    if is_collection(c) {
                        self.same_settled_in(c, &|| mine.get().and_then(|s| s.field(k)))
                    } else {
                        !c.is_null()
                    }
                })
            }
            Value::Seq(items) => match sch() {
                Some(s) if is_merge_list(s) => self.list_settled(items, s, true),
                _ => true,
            },
            _ => true,
        }
    }

    /// True when the associative list merge of `items` against no patch
    /// items (a list the patch does not touch), or with itself when `same`
    /// (a list the patch adds), gives the items back unchanged and cannot
    /// fail. That holds when every item has its own key ([`key_texts`]: no
    /// null, empty or `$patch` item, no two items kyaml would merge) and
    /// each item is itself settled. Then each item is merged in place and
    /// put back where it was.
    fn list_settled(&self, items: &[Value], sch: SchemaRef<'s>, same: bool) -> bool {
        let keys = sch.merge_keys();
        if key_texts(&[], items, &keys).is_none() {
            return false;
        }
        if keys.is_empty() {
            return true;
        }
        let fields = ItemFields::new(|| sch.elements());
        items
            .iter()
            .all(|item| self.item_settled(item, &fields, same))
    }

    /// [`Walker::settled`] (or [`Walker::same_settled`] when `same`) of a
    /// list item, with the schemas of its fields from `fields` (shared by
    /// the items of one list).
    fn item_settled<F: Fn() -> Option<SchemaRef<'s>>>(
        &self,
        item: &Value,
        fields: &ItemFields<'s, F>,
        same: bool,
    ) -> bool {
        let Value::Map(m) = item else {
            return if same {
                self.same_settled_in(item, &|| fields.elem.get())
            } else {
                self.settled_in(item, &|| fields.elem.get())
            };
        };
        if same && m.contains_key(DIRECTIVE_KEY) {
            return false;
        }
        // An item without a schema of its own type may name one.
        let own = LazySchema::new(|| self.own_schema(Some(item)));
        let child = |k: &str| match fields.elem.get() {
            Some(_) => fields.field(k),
            None => own.get().and_then(|s| s.field(k)),
        };
        m.iter().all(|(k, c)| match (is_collection(c), same) {
            (true, true) => self.same_settled_in(c, &|| child(k)),
            (true, false) => self.settled_in(c, &|| child(k)),
            (false, true) => !c.is_null(),
            (false, false) => !c.is_empty_null(),
        })
    }

    /// Merges `origin` (patch) into `dest` (target). `same` means both are
    /// the same node in kyaml (a subtree the patch adds): `dest` is ignored
    /// and `origin` is merged with itself. `None` = the field is cleared.
    fn walk(
        &self,
        dest: Option<Value>,
        origin: Option<Value>,
        same: bool,
        sch: Option<SchemaRef<'s>>,
    ) -> Result<Option<Value>> {
        // In `same` mode the target is the patch node itself: `dest` is not
        // used (the patch stands for both sides).
        let dest = if same { None } else { dest };
        let sch = self.schema_for(sch, &dest, &origin);
        let kind = match kind_of(&dest) {
            Kind::None => kind_of(&origin),
            k => k,
        };
        for v in [&dest, &origin].into_iter().flatten() {
            let k = kind_of_value(v);
            if k != Kind::None && k != kind && kind != Kind::None {
                return Err(wrong_kind(kind, v));
            }
        }
        match kind {
            Kind::Map | Kind::None => self.walk_map(dest, origin, same, sch),
            Kind::Seq => {
                if sch.is_some_and(is_merge_list) {
                    self.walk_assoc(dest, origin, same, sch)
                } else if origin.is_some() {
                    Ok(cleared_if_null(origin))
                } else {
                    Ok(dest)
                }
            }
            Kind::Scalar => Ok(cleared_if_null(if origin.is_some() {
                origin
            } else {
                dest
            })),
        }
    }

    fn walk_map(
        &self,
        dest: Option<Value>,
        mut origin: Option<Value>,
        same: bool,
        sch: Option<SchemaRef<'s>>,
    ) -> Result<Option<Value>> {
        // The merged node, and whether it is the patch's own node.
        let dest_null = if same {
            is_null_or_missing(&origin)
        } else {
            is_null_or_missing(&dest)
        };
        let (new_dest, now_same) = if dest_null {
            // Add. kyaml ignores a bad directive here.
            let d = directive(&mut origin).unwrap_or(Directive::Merge);
            if d == Directive::Delete {
                return Ok(None);
            }
            if origin.is_none() {
                // Nothing in the patch: a null written as a word stays
                // (kyaml's persistent null), an empty one goes.
                return Ok(dest.filter(|d| !d.is_empty_null()));
            }
            (origin.take(), true)
        } else if matches!(origin, Some(Value::Null(_))) {
            return Ok(None);
        } else {
            match directive(&mut origin)? {
                Directive::Delete => return Ok(None),
                Directive::Replace => (origin.take(), true),
                Directive::Merge if same => (origin.take(), true),
                Directive::Merge => (dest, false),
            }
        };
        let Some(Value::Map(out)) = new_dest else {
            return Ok(cleared_if_null(new_dest));
        };
        // The fields are walked in sorted order (kyaml's), in place: a field
        // walked to nothing is removed, the patch's new fields are appended
        // in sorted order after the target's.
        let mut entries: Vec<(String, Value)> = out.into_iter().collect();
        let mut removed: Vec<usize> = Vec::new();
        if now_same {
            // The patch's own subtree: each field is merged with itself.
            let mut order: Vec<usize> = (0..entries.len()).collect();
            order.sort_unstable_by(|&a, &b| entries[a].0.cmp(&entries[b].0));
            for i in order {
                let (key, slot) = &mut entries[i];
                let o = std::mem::replace(slot, Value::NULL);
                let child_sch = child_schema(sch, key, Some(&o), None);
                match self.walk(None, Some(o), true, child_sch)? {
                    None => removed.push(i),
                    Some(v) => entries[i].1 = v,
                }
            }
            return Ok(Some(Value::Map(finish_map(entries, removed, Vec::new()))));
        }
        let mut patch_fields: Vec<(String, Value)> = match origin {
            Some(Value::Map(m)) => m.into_iter().collect(),
            _ => Vec::new(),
        };
        patch_fields.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // The target's fields to walk: those the patch has, and those the
        // walk would change (others: untouched; a null in the target stays
        // when written as a word, is dropped when written as nothing). The
        // checks have no effects, so they can run first.
        let mut in_patch = vec![false; patch_fields.len()];
        let mut work: Vec<(usize, Option<usize>)> = Vec::new();
        for (i, (key, d)) in entries.iter().enumerate() {
            match patch_fields.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
                Ok(j) => {
                    in_patch[j] = true;
                    work.push((i, Some(j)));
                }
                Err(_) => {
                    if d.is_empty_null() {
                        removed.push(i);
                    } else if !(d.is_null()
                        || self.settled_in(d, &|| sch.and_then(|s| s.field(key))))
                    {
                        work.push((i, None));
                    }
                }
            }
        }
        work.sort_unstable_by(|a, b| entries[a.0].0.cmp(&entries[b.0].0));
        let mut added: Vec<(String, Value)> = Vec::new();
        let mut work = work.into_iter().peekable();
        let mut new_fields = (0..patch_fields.len()).filter(|&j| !in_patch[j]).peekable();
        // Those fields and the patch's new ones, in sorted order (kyaml's;
        // a merge of the two sorted lists).
        loop {
            let (target_field, new_field) = match (work.peek(), new_fields.peek()) {
                (None, None) => break,
                (Some(&(i, _)), Some(&j)) => {
                    if entries[i].0 < patch_fields[j].0 {
                        (work.next(), None)
                    } else {
                        (None, new_fields.next())
                    }
                }
                (Some(_), None) => (work.next(), None),
                (None, Some(_)) => (None, new_fields.next()),
            };
            if let Some(j) = new_field {
                // A field only the patch has.
                let key = std::mem::take(&mut patch_fields[j].0);
                let o = std::mem::replace(&mut patch_fields[j].1, Value::NULL);
                let child_sch = child_schema(sch, &key, Some(&o), None);
                if let Some(v) = self.walk(None, Some(o), false, child_sch)? {
                    added.push((key, v));
                }
                continue;
            }
            let Some((i, j)) = target_field else { break };
            // Each field is visited once: its patch value is moved out.
            let o = j.map(|j| std::mem::replace(&mut patch_fields[j].1, Value::NULL));
            let (key, d) = &mut entries[i];
            let child_sch = child_schema(sch, key, o.as_ref(), Some(d));
            let d = std::mem::replace(d, Value::NULL);
            match self.walk(Some(d), o, false, child_sch)? {
                None => removed.push(i),
                Some(v) => entries[i].1 = v,
            }
        }
        Ok(Some(Value::Map(finish_map(entries, removed, added))))
    }

    fn walk_assoc(
        &self,
        dest: Option<Value>,
        mut origin: Option<Value>,
        same: bool,
        sch: Option<SchemaRef<'s>>,
    ) -> Result<Option<Value>> {
        // VisitList for an associative list.
        let (mut list, same) = if same {
            match directive(&mut origin)? {
                Directive::Delete => return Ok(None),
                _ => (origin.take(), true),
            }
        } else if is_null_or_missing(&dest) {
            (origin.take(), true)
        } else if matches!(origin, Some(Value::Null(_))) {
            return Ok(None);
        } else {
            match directive(&mut origin)? {
                Directive::Delete => return Ok(None),
                Directive::Replace => (origin.take(), true),
                Directive::Merge => (dest, false),
            }
        };
        let Some(Value::Seq(d_items)) = list.take() else {
            return Ok(cleared_if_null(list));
        };
        // The patch's items; none (`None`) when the list is merged with
        // itself, an empty list when the patch has no items for it (each
        // target item is then walked against no patch item).
        let o_items: Option<Vec<Value>> = if same {
            None
        } else {
            match origin {
                Some(Value::Seq(s)) => Some(s),
                _ => Some(Vec::new()),
            }
        };
        let untouched = o_items.as_ref().is_none_or(Vec::is_empty);
        if untouched && sch.is_some_and(|s| self.list_settled(&d_items, s, same)) {
            return Ok(Some(Value::Seq(d_items)));
        }
        if let (Some(o), Some(s)) = (&o_items, sch) {
            let keys = s.merge_keys();
            if let Some((matches, width)) = keyed_matches(&d_items, o, &keys) {
                let o = o_items.unwrap_or_default();
                let out = self.merge_distinct(d_items, o, &matches, width > 1, s.elements())?;
                return Ok(Some(Value::Seq(out)));
            }
        }
        let keys: Vec<String> = sch
            .map(|s| s.merge_keys().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        let elem_sch = sch.and_then(|s| s.elements());
        let mut m = ListMerge {
            walker: self,
            dest: d_items,
            origin: o_items,
            elem_sch,
        };
        let values = m.element_values(&keys);
        let out = if !values.is_empty() || !keys.is_empty() {
            m.set_elements(values, keys)?
        } else {
            let values = m.primitive_values();
            m.set_elements(values, vec![String::new()])?
        };
        Ok(Some(Value::Seq(out)))
    }
}

impl<'s> Walker<'s> {
    /// The associative list merge when every item of both lists has its own
    /// complete key (see [`keyed_matches`]; `matches[i]` is the target
    /// item patch item `i` merges into). kyaml's element setting then comes
    /// down to: each patch item merged into its target item (or added), in
    /// patch order, then the target's other items in their order, each
    /// walked against no patch. With several keys (ports) kyaml deletes and
    /// re-appends every target item at the end: the new items come first,
    /// then all the target's items in their order. An item merged to nothing
    /// is dropped, as the element setter does. The merges run in the order
    /// kyaml runs them (patch items, then the target's others), so the same
    /// error is reported first.
    fn merge_distinct(
        &self,
        mut dest: Vec<Value>,
        origin: Vec<Value>,
        matches: &[Option<usize>],
        multi_key: bool,
        elem_sch: Option<SchemaRef<'s>>,
    ) -> Result<Vec<Value>> {
        let keep = |v: Option<Value>| match v {
            None | Some(Value::Null(_)) => None,
            Some(Value::Map(m)) if m.is_empty() => None,
            Some(v) => Some(v),
        };
        let mut matched = vec![false; dest.len()];
        let mut patched: Vec<Option<Value>> = Vec::with_capacity(origin.len());
        for (o, &m) in origin.into_iter().zip(matches) {
            let d = m.map(|j| {
                matched[j] = true;
                std::mem::replace(&mut dest[j], Value::NULL)
            });
            let v = keep(self.walk(d, Some(o), false, elem_sch)?);
            match m {
                // Several keys: the merged item stays at its target place.
                Some(j) if multi_key => {
                    if let Some(v) = v {
                        dest[j] = v;
                    }
                    patched.push(None);
                }
                _ => patched.push(v),
            }
        }
        let mut gone = vec![false; dest.len()];
        let fields = ItemFields::new(|| elem_sch);
        for (j, d) in dest.iter_mut().enumerate() {
            if matched[j] {
                // Dropped when its merge gave nothing (several keys).
                gone[j] = d.is_null();
                continue;
            }
            if self.item_settled(d, &fields, false) {
                continue;
            }
            let v = std::mem::replace(d, Value::NULL);
            match keep(self.walk(Some(v), None, false, elem_sch)?) {
                Some(v) => *d = v,
                None => gone[j] = true,
            }
        }
        let mut out: Vec<Value> = Vec::with_capacity(patched.len() + dest.len());
        out.extend(patched.into_iter().flatten());
        out.extend(
            dest.into_iter()
                .zip(gone)
                .zip(matched)
                .filter(|((_, gone), matched)| !gone && (multi_key || !matched))
                .map(|((d, _), _)| d),
        );
        Ok(out)
    }
}

/// The merge-key texts of the items of the two lists of one associative
/// list merge (the patch's and the target's; for a list merged with itself,
/// no patch list), when kyaml finds every item by its own key alone.
struct KeyTexts<'v> {
    /// How many keys count (kyaml's `validateKeys`: those with a value in
    /// some item); 1 for a list of scalars.
    width: usize,
    /// `width` texts per item (`""` for a key the item lacks): the patch's
    /// items, then the target's.
    texts: Vec<Cow<'v, str>>,
    /// Where the target's texts start.
    split: usize,
}

/// True when the `$patch` of a list item (if any) is allowed: only in a
/// patch's items, and only `delete` or `merge`.
fn item_directive_ok(m: &Map, patch_item: bool) -> bool {
    match m.get(DIRECTIVE_KEY) {
        None => true,
        Some(Value::String(s)) => patch_item && (s == "delete" || s == "merge"),
        Some(_) => false,
    }
}

/// True when no two texts are equal.
fn distinct_texts(texts: &[Cow<'_, str>]) -> bool {
    if texts.len() > 32 {
        let mut seen = std::collections::HashSet::with_capacity(texts.len());
        return texts.iter().all(|t| seen.insert(t.as_ref()));
    }
    texts
        .iter()
        .enumerate()
        .all(|(i, a)| texts[i + 1..].iter().all(|b| a != b))
}

/// The key texts of the `patch` and `target` lists ([`KeyTexts`]) when
/// kyaml's general element setting comes down to finding each item by its
/// own key; `None` when it does not (then kyaml's quirks apply: missing or
/// duplicate keys, null or empty items, directives, unified key tuples).
///
/// For a list of scalars (no `keys`): every item a scalar with a non-empty
/// text, distinct within its list. For keyed lists, every item is a
/// mapping, with no `$patch` (except a `delete` or `merge` one in a patch
/// item), and:
/// - the keys that count are those with a non-empty scalar in some item
///   (at least one); the others are missing, null or `""` in every item;
/// - an item holds a non-empty scalar for the first key that counts and for
///   the ones after it, up to the point where it lacks the rest (absent,
///   not null: kyaml lines up the texts of the keys an item has with the
///   keys);
/// - no two items of one list have the same texts, and no two items with
///   different texts would be unified (kyaml's `mergeValues`: texts equal or
///   one side empty at every key).
fn key_texts<'v>(patch: &'v [Value], target: &'v [Value], keys: &[&str]) -> Option<KeyTexts<'v>> {
    let lists = [(patch, true), (target, false)];
    let split = patch.len();
    if keys.len() <= 1 {
        // A list of scalars, or one key (the common case): one text each.
        let mut texts: Vec<Cow<'v, str>> = Vec::with_capacity(patch.len() + target.len());
        for (items, patch_item) in lists {
            for item in items {
                let f = match (keys.first(), item) {
                    (None, Value::Null(_) | Value::Map(_) | Value::Seq(_)) => return None,
                    (None, scalar) => scalar,
                    (Some(k), Value::Map(m)) => {
                        if !item_directive_ok(m, patch_item) {
                            return None;
                        }
                        match m.get(k) {
                            None | Some(Value::Null(_) | Value::Map(_) | Value::Seq(_)) => {
                                return None;
                            }
                            Some(f) => f,
                        }
                    }
                    (Some(_), _) => return None,
                };
                let text = raw_text(f);
                if text.is_empty() {
                    return None;
                }
                texts.push(text);
            }
        }
        if !distinct_texts(&texts[..split]) || !distinct_texts(&texts[split..]) {
            return None;
        }
        return Some(KeyTexts {
            width: 1,
            texts,
            split,
        });
    }
    // Which keys count: every item is checked here.
    let mut valid = vec![false; keys.len()];
    for (items, patch_item) in lists {
        for item in items {
            let Value::Map(m) = item else {
                return None;
            };
            if !item_directive_ok(m, patch_item) {
                return None;
            }
            for (k, is_valid) in keys.iter().zip(valid.iter_mut()) {
                match m.get(k) {
                    None | Some(Value::Null(_)) => {}
                    Some(Value::Map(_) | Value::Seq(_)) => return None,
                    Some(f) => {
                        if !raw_text(f).is_empty() {
                            *is_valid = true;
                        }
                    }
                }
            }
        }
    }
    let width = valid.iter().filter(|v| **v).count();
    if width == 0 {
        // No item has a key: fine only when there are no items.
        return (patch.is_empty() && target.is_empty()).then(|| KeyTexts {
            width: 1,
            texts: Vec::new(),
            split: 0,
        });
    }
    let mut texts: Vec<Cow<'v, str>> = Vec::with_capacity((patch.len() + target.len()) * width);
    let mut split = 0;
    for (items, patch_item) in lists {
        let start = texts.len();
        for item in items {
            let m = item.as_map()?;
            // Once a key is lacking, so must the ones after it be.
            let mut lacking = false;
            let counted = keys.iter().zip(&valid).filter(|(_, v)| **v);
            for (i, (k, _)) in counted.enumerate() {
                match m.get(k) {
                    Some(Value::Null(_)) => return None,
                    None if i > 0 => {
                        lacking = true;
                        texts.push(Cow::Borrowed(""));
                    }
                    Some(f) if !lacking => {
                        let text = raw_text(f);
                        if text.is_empty() {
                            return None;
                        }
                        texts.push(text);
                    }
                    _ => return None,
                }
            }
        }
        if !distinct_chunks(&texts[start..], width) {
            return None;
        }
        if patch_item {
            split = texts.len();
        }
    }
    // No two different tuples may be unified.
    let all: Vec<&[Cow<'v, str>]> = texts.chunks(width).collect();
    if all.len() > 64 {
        return None;
    }
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            if a != b
                && a.iter()
                    .zip(*b)
                    .all(|(x, y)| x == y || x.is_empty() || y.is_empty())
            {
                return None;
            }
        }
    }
    Some(KeyTexts {
        width,
        texts,
        split,
    })
}

/// For a patch list `origin` merged into `dest` by `keys`, when kyaml finds
/// every item by its own key ([`key_texts`]): the target item each patch
/// item matches (the one with the same texts), and how many keys count.
fn keyed_matches(
    dest: &[Value],
    origin: &[Value],
    keys: &[&str],
) -> Option<(Vec<Option<usize>>, usize)> {
    let kt = key_texts(origin, dest, keys)?;
    let width = kt.width;
    let (o, d) = kt.texts.split_at(kt.split);
    let d_chunks: Vec<&[Cow<'_, str>]> = d.chunks(width).collect();
    if d_chunks.len() > 32 {
        let index: std::collections::HashMap<&[Cow<'_, str>], usize> =
            d_chunks.iter().enumerate().map(|(j, c)| (*c, j)).collect();
        let m = o.chunks(width).map(|c| index.get(c).copied()).collect();
        return Some((m, width));
    }
    let m = o
        .chunks(width)
        .map(|c| d_chunks.iter().position(|dc| *dc == c))
        .collect();
    Some((m, width))
}

/// One associative list merge: the target's items (`dest`, edited as kyaml
/// edits them in place) and the patch's (`origin`; `None` when both are the
/// same node).
struct ListMerge<'w, 's> {
    walker: &'w Walker<'s>,
    dest: Vec<Value>,
    origin: Option<Vec<Value>>,
    elem_sch: Option<SchemaRef<'s>>,
}

impl ListMerge<'_, '_> {
    /// Sources in kyaml's prepend order: the patch, then the target.
    fn sources(&self) -> Vec<&Vec<Value>> {
        match &self.origin {
            Some(o) => vec![o, &self.dest],
            None => vec![&self.dest, &self.dest],
        }
    }

    fn element_values(&self, keys: &[String]) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        if keys.is_empty() {
            return out;
        }
        for src in self.sources() {
            for elem in src {
                let vals: Vec<String> = keys.iter().map(|k| key_str(elem, k)).collect();
                if !out.contains(&vals) {
                    out.push(vals);
                }
            }
        }
        out
    }

    fn primitive_values(&self) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for src in self.sources() {
            for elem in src {
                let v = vec![raw_str(elem)];
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
        out
    }

    fn set_elements(
        &mut self,
        mut values: Vec<Vec<String>>,
        keys: Vec<String>,
    ) -> Result<Vec<Value>> {
        if keys.len() > 1 {
            merge_values(&mut values);
        }
        // Each value's keys, worked out once: `vk`/`vv` for the setters,
        // `k2`/`v2` to find the items; and the patch item it merges (the
        // patch list does not change while merging).
        let mut steps: Vec<Step> = Vec::with_capacity(values.len());
        for vals in &values {
            if vals.is_empty() {
                continue;
            }
            let (vk, vv) = validate_keys(&values, vals, &keys);
            let (k2, v2) = validate_keys(std::slice::from_ref(&vv), &vv, &vk);
            let o_idx = self
                .origin
                .as_ref()
                .and_then(|src| find_element(src, &k2, &v2));
            steps.push(Step {
                vk,
                vv,
                k2,
                v2,
                o_idx,
            });
        }
        // How many steps still use each patch item: the last one takes it.
        let mut uses = vec![0usize; self.origin.as_ref().map_or(0, Vec::len)];
        for st in &steps {
            if let Some(i) = st.o_idx {
                uses[i] += 1;
            }
        }
        let mut items: Vec<Value> = Vec::new();
        for st in &steps {
            let d_idx = find_element(&self.dest, &st.k2, &st.v2);
            let val = match self.origin.as_mut() {
                None => self.merge_same(d_idx)?,
                Some(src) => {
                    let o = st.o_idx.map(|i| {
                        uses[i] -= 1;
                        if uses[i] == 0 {
                            std::mem::replace(&mut src[i], Value::NULL)
                        } else {
                            src[i].clone()
                        }
                    });
                    self.merge_pair(d_idx, o)?
                }
            };
            let (vk, vv) = (&st.vk, &st.vv);
            let mut v = match val {
                None | Some(Value::Null(_)) => None,
                Some(Value::Map(m)) if m.is_empty() => None,
                Some(v) => Some(v),
            };
            let Some(mut v) = v.take() else {
                element_delete(&mut self.dest, vk, vv)?;
                continue;
            };
            for (i, key) in vk.iter().enumerate() {
                if let Value::Map(m) = &mut v
                    && !m.contains_key(key)
                    && !vv[i].is_empty()
                {
                    m.insert(key.clone(), resolve_plain(&vv[i]));
                }
            }
            element_set(&mut items, v, vk, vv)?;
        }
        if values.is_empty() {
            return Ok(std::mem::take(&mut self.dest));
        }
        let valid_keys = match steps.last() {
            Some(st) => &st.vk,
            None => &keys,
        };
        append_list(&mut items, std::mem::take(&mut self.dest), valid_keys)?;
        Ok(items)
    }

    /// Merges the target item at `d_idx` with itself (the list is the
    /// patch's own, or one the patch does not touch); the item in `dest`
    /// becomes the result, as kyaml edits the node in place.
    fn merge_same(&mut self, d_idx: Option<usize>) -> Result<Option<Value>> {
        let w = self.walker;
        let Some(i) = d_idx else {
            return w.walk(None, None, true, self.elem_sch);
        };
        if w.same_settled(&self.dest[i], self.elem_sch) {
            return Ok(Some(self.dest[i].clone()));
        }
        // The walk can drop the item only when it holds a directive (or is
        // a list); then `dest` must keep it as it was.
        let item = &mut self.dest[i];
        let o = match item {
            Value::Seq(_) => item.clone(),
            Value::Map(m) if m.contains_key(DIRECTIVE_KEY) => item.clone(),
            _ => std::mem::replace(item, Value::NULL),
        };
        let val = w.walk(None, Some(o), true, self.elem_sch)?;
        if let Some(v) = &val {
            self.dest[i] = v.clone();
        }
        Ok(val)
    }

    /// Merges the patch item `o` into the target item at `d_idx`; the item
    /// in `dest` becomes the result, as kyaml merges into the target's node
    /// in place, except when the patch item replaces it (the node stays as
    /// it was) or deletes it.
    fn merge_pair(&mut self, d_idx: Option<usize>, o: Option<Value>) -> Result<Option<Value>> {
        let w = self.walker;
        if o.is_none()
            && let Some(i) = d_idx
            && w.settled(&self.dest[i], self.elem_sch)
        {
            return Ok(Some(self.dest[i].clone()));
        }
        let replaces = matches!(d_idx.map(|i| &self.dest[i]), Some(Value::Map(_)))
            && matches!(&o, Some(Value::Map(m))
                if m.get(DIRECTIVE_KEY).map(raw_str).as_deref() == Some("replace"));
        // Without a patch item, or with a mapping or scalar one holding no
        // directive, the walk gives a value: `dest` is then overwritten and
        // the item can be moved out of it.
        let keeps_result = match &o {
            None => true,
            Some(Value::Map(m)) => !m.contains_key(DIRECTIVE_KEY),
            Some(Value::Null(_) | Value::Seq(_)) => false,
            Some(_) => true,
        };
        let d = d_idx.map(|i| {
            if keeps_result && !replaces {
                std::mem::replace(&mut self.dest[i], Value::NULL)
            } else {
                self.dest[i].clone()
            }
        });
        let val = w.walk(d, o, false, self.elem_sch)?;
        if !replaces && let (Some(i), Some(v)) = (d_idx, &val) {
            self.dest[i] = v.clone();
        }
        Ok(val)
    }
}

/// The keys of one merged value (see [`ListMerge::set_elements`]).
struct Step {
    vk: Vec<String>,
    vv: Vec<String>,
    k2: Vec<String>,
    v2: Vec<String>,
    o_idx: Option<usize>,
}

/// Unifies key tuples that differ only where one side is empty (kyaml's
/// `mergeValues`, pairwise and in place).
fn merge_values(list: &mut [Vec<String>]) {
    for i in 0..list.len() {
        for j in 0..list.len() {
            let (a, b) = (&list[i], &list[j]);
            if a.len() != b.len() {
                continue;
            }
            let mut common = false;
            let mut res = Vec::with_capacity(a.len());
            let mut ok = true;
            for (x, y) in a.iter().zip(b) {
                if x == y {
                    common = true;
                    res.push(x.clone());
                } else if !x.is_empty() && !y.is_empty() {
                    ok = false;
                    break;
                } else if !x.is_empty() {
                    res.push(x.clone());
                } else {
                    res.push(y.clone());
                }
            }
            if ok && common {
                list[i] = res.clone();
                list[j] = res;
            }
        }
    }
}

/// Keeps the keys that have a value in some tuple of `all` (all keys when
/// none has), with `vals`' values for them (kyaml's `validateKeys`).
fn validate_keys(
    all: &[Vec<String>],
    vals: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let valid: Vec<&String> = keys
        .iter()
        .enumerate()
        .filter(|(i, _)| all.iter().any(|t| t.get(*i).is_some_and(|v| !v.is_empty())))
        .map(|(_, k)| k)
        .collect();
    if valid.is_empty() {
        return (keys.to_vec(), vals.to_vec());
    }
    let vk: Vec<String> = keys.iter().filter(|k| valid.contains(k)).cloned().collect();
    let vv: Vec<String> = vals
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || keys.get(*i).is_some_and(|k| valid.contains(&k)))
        .map(|(_, v)| v.clone())
        .collect();
    (vk, vv)
}

/// The first item matching every key/value (kyaml's `ElementMatcher`): for
/// keys `[""]`, the first item whose text is the value; otherwise the first
/// mapping whose fields have those texts.
fn find_element(list: &[Value], keys: &[String], vals: &[String]) -> Option<usize> {
    if keys.is_empty() || keys[0].is_empty() {
        let want = vals.first().map(String::as_str).unwrap_or("");
        return list.iter().position(|e| raw_str(e) == want);
    }
    if keys.len() != vals.len() {
        return None;
    }
    list.iter().position(|e| {
        let Value::Map(m) = e else { return false };
        keys.iter()
            .zip(vals)
            .all(|(k, v)| m.get(k).is_some_and(|f| &raw_str(f) == v))
    })
}

/// kyaml's `FieldMatcher` as the element setter uses it: an empty value
/// matches any item having the field.
fn field_matches(elem: &Value, key: &str, val: &str) -> Result<bool> {
    if elem.is_null() {
        return Ok(false);
    }
    if key.is_empty() {
        if matches!(elem, Value::Map(_) | Value::Seq(_)) {
            return Err(wrong_kind(Kind::Scalar, elem));
        }
        return Ok(raw_str(elem) == val);
    }
    let Value::Map(m) = elem else {
        return Err(wrong_kind(Kind::Map, elem));
    };
    Ok(match m.get(key) {
        None => false,
        Some(_) if val.is_empty() => true,
        Some(f) => raw_str(f) == val,
    })
}

/// kyaml's `ElementSetter`: drops null and empty-mapping items, then
/// replaces every item matching `keys`/`vals` with `element` (deletes them
/// when `None`), appending `element` when none matched. Items that are not
/// mappings stay when matching mappings by a non-empty value; other items
/// stay only when `vals` is not empty.
fn element_setter(
    list: &mut Vec<Value>,
    element: Option<Value>,
    keys: &[String],
    vals: &[String],
) -> Result<()> {
    let keys: Vec<String> = if keys.is_empty() {
        vec![String::new()]
    } else {
        keys.to_vec()
    };
    let mapping_setter = !keys[0].is_empty() && vals.first().is_some_and(|v| !v.is_empty());
    let mut out = Vec::with_capacity(list.len() + 1);
    // Where `element` goes for each matching item: filled in at the end, so
    // that the last one takes `element` itself instead of a copy.
    let mut slots: Vec<usize> = Vec::new();
    for elem in list.drain(..) {
        if elem.is_null() || matches!(&elem, Value::Map(m) if m.is_empty()) {
            continue;
        }
        if !matches!(elem, Value::Map(_)) && mapping_setter {
            out.push(elem);
            continue;
        }
        let mut found = true;
        let mut last = false;
        for (j, k) in keys.iter().enumerate() {
            if let Some(v) = vals.get(j) {
                last = field_matches(&elem, k, v)?;
            }
            if !last {
                found = false;
                break;
            }
        }
        if !found {
            if !vals.is_empty() {
                out.push(elem);
            }
            continue;
        }
        if element.is_some() {
            slots.push(out.len());
            out.push(Value::NULL);
        }
    }
    *list = out;
    if let Some(e) = element {
        match slots.split_last() {
            Some((&last, others)) => {
                for &i in others {
                    list[i] = e.clone();
                }
                list[last] = e;
            }
            None if !e.is_null() => list.push(e),
            None => {}
        }
    }
    Ok(())
}

fn element_delete(list: &mut Vec<Value>, keys: &[String], vals: &[String]) -> Result<()> {
    element_setter(list, None, keys, vals)
}

fn element_set(
    list: &mut Vec<Value>,
    element: Value,
    keys: &[String],
    vals: &[String],
) -> Result<()> {
    element_setter(list, Some(element), keys, vals)
}

/// kyaml's `appendListNode`: puts each target item into `items` (replacing
/// the merged one of the same key, else appending).
fn append_list(items: &mut Vec<Value>, src: Vec<Value>, keys: &[String]) -> Result<()> {
    for elem in src {
        if keys.first().is_none_or(|k| k.is_empty()) {
            let text = raw_str(&elem);
            element_set(items, elem, &[String::new()], &[text])?;
            continue;
        }
        let mut v = Vec::new();
        for key in keys {
            match &elem {
                Value::Null(_) => items.push(elem.clone()),
                Value::Map(m) => match m.get(key) {
                    None => items.push(elem.clone()),
                    Some(f) => v.push(raw_str(f)),
                },
                other => return Err(wrong_kind(Kind::Map, other)),
            }
        }
        if keys.len() > 1 {
            element_delete(items, keys, &v)?;
        }
        element_set(items, elem, keys, &v)?;
    }
    Ok(())
}

/// A plain scalar written from text, as YAML would read it back.
fn resolve_plain(s: &str) -> Value {
    if let Ok(i) = s.parse::<i64>() {
        return Value::Int(i);
    }
    match s {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(s.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Value {
        Value::from(serde_json::from_str::<serde_json::Value>(json).expect("test JSON"))
    }

    /// Maps compared regardless of key order (kustomize's output is sorted).
    fn canon(v: &Value) -> Value {
        match v {
            Value::Map(m) => {
                let mut entries: Vec<(String, Value)> =
                    m.iter().map(|(k, v)| (k.clone(), canon(v))).collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Map(entries.into_iter().collect())
            }
            Value::Seq(s) => Value::Seq(s.iter().map(canon).collect()),
            other => other.clone(),
        }
    }

    fn check(target: &str, patch: &str, expected: &str) {
        let mut t = parse(target);
        let out = merge_patch(&mut t, &parse(patch), Schema::builtin()).expect("merge");
        assert_eq!(out, MergeOutcome::Patched);
        assert_eq!(canon(&t), canon(&parse(expected)));
    }

    #[test]
    fn env_patch_items_first() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"c","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"c","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"env":[{"name":"B","value":"3"},{"name":"C","value":"4"},{"name":"A","value":"1"}],"name":"c"}]}}}}"#,
        );
    }

    #[test]
    fn containers_merge_and_add() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a","args":["x"]},{"name":"b","image":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b2"},{"name":"c","image":"c"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"image":"b2","name":"b"},{"image":"c","name":"c"},{"args":["x"],"image":"a","name":"a"}]}}}}"#,
        );
    }

    #[test]
    fn finalizers_primitive_merge() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","finalizers":["a","b"]}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","finalizers":["c","a"]}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"finalizers":["c","a","b"],"name":"d"}}"#,
        );
    }

    #[test]
    fn args_and_tolerations_replaced() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"tolerations":[{"key":"k1"},{"key":"k2"}],"containers":[{"name":"a","args":["1","2"]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"tolerations":[{"key":"k3"}],"containers":[{"name":"a","args":["3"]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"args":["3"],"name":"a"}],"tolerations":[{"key":"k3"}]}}}}"#,
        );
    }

    #[test]
    fn crd_lists_replaced() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"ex.com/v1","kind":"Foo","metadata":{"name":"f"},"spec":{"items":[{"name":"one"},{"name":"two"}]}}"#,
            r#"{"apiVersion":"ex.com/v1","kind":"Foo","metadata":{"name":"f"},"spec":{"items":[{"name":"two","x":1},{"name":"three"}]}}"#,
            r#"{"apiVersion":"ex.com/v1","kind":"Foo","metadata":{"name":"f"},"spec":{"items":[{"name":"two","x":1},{"name":"three"}]}}"#,
        );
    }

    #[test]
    fn null_deletes_and_maps_merge() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","labels":{"x":"1","y":"2"}},"spec":{"replicas":3,"paused":null,"template":{"metadata":{"labels":{"a":"1","b":"2"}}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","labels":{"x":null}},"spec":{"replicas":null,"paused":null,"minReadySeconds":5,"template":{"metadata":{"labels":{"a":null,"c":"3"}}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"y":"2"},"name":"d"},"spec":{"minReadySeconds":5,"template":{"metadata":{"labels":{"b":"2","c":"3"}}}}}"#,
        );
    }

    #[test]
    fn untouched_null_stays() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"paused":null,"replicas":1}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":2}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"paused":null,"replicas":2}}"#,
        );
    }

    #[test]
    fn added_subtree_drops_nulls() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"x":null,"y":"1"}},"strategy":{}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1,"selector":{"matchLabels":{"y":"1"}},"strategy":{}}}"#,
        );
    }

    #[test]
    fn patch_delete_container() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"b"}]}}}}"#,
        );
    }

    #[test]
    fn patch_replace_map() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a"}],"hostNetwork":true}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"$patch":"replace","containers":[{"name":"z"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"z"}]}}}}"#,
        );
    }

    #[test]
    fn patch_delete_map() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1,"strategy":{"type":"Recreate"}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"strategy":{"$patch":"delete"}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1}}"#,
        );
    }

    #[test]
    fn patch_merge_map_noop_directive() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"strategy":{"type":"Recreate"}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"strategy":{"$patch":"merge","rollingUpdate":{"maxSurge":1}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"strategy":{"rollingUpdate":{"maxSurge":1},"type":"Recreate"}}}"#,
        );
    }

    #[test]
    fn list_patch_replace() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"c"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"c"}]}}}}"#,
        );
    }

    #[test]
    fn list_patch_delete() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a"}],"volumes":[{"name":"v"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"volumes":[{"$patch":"delete"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}"#,
        );
    }

    #[test]
    fn element_replace_keeps_original() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a","args":["x"]},{"name":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a2","$patch":"replace"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"args":["x"],"image":"a","name":"a"},{"name":"b"}]}}}}"#,
        );
    }

    #[test]
    fn patch_item_without_key() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[]}}}}"#,
        );
    }

    #[test]
    fn target_item_without_key() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a"},{"image":"nameless"},{"name":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"c"},{"name":"b","image":"b2"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"image":"nameless"}]}}}}"#,
        );
    }

    #[test]
    fn untouched_list_item_without_key() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","replicas":null},"spec":{"template":{"spec":{"containers":[{"name":"a"},{"image":"nameless"},{"name":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":2}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","replicas":null},"spec":{"replicas":2,"template":{"spec":{"containers":[{"image":"nameless"}]}}}}"#,
        );
    }

    #[test]
    fn ports_two_keys() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"protocol":"TCP","name":"http"},{"containerPort":90}]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":443,"protocol":"UDP"}]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":443,"protocol":"UDP"},{"containerPort":80,"name":"http","protocol":"TCP"},{"containerPort":90}]}]}}}}"#,
        );
    }

    #[test]
    fn ports_no_protocol() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"}]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":443}]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":443}]}]}}}}"#,
        );
    }

    #[test]
    fn service_ports() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80,"protocol":"TCP","targetPort":8080},{"port":443,"protocol":"TCP"}]}}"#,
            r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80,"protocol":"TCP","targetPort":9090},{"port":53,"protocol":"UDP"}]}}"#,
            r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":53,"protocol":"UDP"},{"port":80,"protocol":"TCP","targetPort":9090},{"port":443,"protocol":"TCP"}]}}"#,
        );
    }

    #[test]
    fn unknown_directives_copied() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","finalizers":["f1","f2"]},"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","$deleteFromPrimitiveList/finalizers":["f1"]},"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"},"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a","image":"a2"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"$deleteFromPrimitiveList/finalizers":["f1"],"finalizers":["f1","f2"],"name":"d"},"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":1},"type":"Recreate"},"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"image":"a2","name":"a"},{"name":"b"}]}}}}"#,
        );
    }

    #[test]
    fn pdb_selector_replace_strategy_ignored() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"p"},"spec":{"selector":{"matchLabels":{"a":"1"}}}}"#,
            r#"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"p"},"spec":{"selector":{"matchLabels":{"b":"2"}}}}"#,
            r#"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"p"},"spec":{"selector":{"matchLabels":{"a":"1","b":"2"}}}}"#,
        );
    }

    #[test]
    fn new_list_with_delete_item() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"initContainers":[{"name":"i"},{"name":"j","$patch":"delete"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a"}],"initContainers":[{"name":"i"}]}}}}"#,
        );
    }

    #[test]
    fn empty_list_and_map_in_patch() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"E"}]}],"nodeSelector":{"a":"b"}}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","env":[]}],"nodeSelector":{}}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"env":[{"name":"E"}],"name":"a"}],"nodeSelector":{"a":"b"}}}}}"#,
        );
    }

    #[test]
    fn volumes_merge_retainkeys() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"volumes":[{"name":"v","emptyDir":{}},{"name":"w","configMap":{"name":"c"}}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"volumes":[{"name":"v","secret":{"secretName":"s"}}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"volumes":[{"emptyDir":{},"name":"v","secret":{"secretName":"s"}},{"configMap":{"name":"c"},"name":"w"}]}}}}"#,
        );
    }

    #[test]
    fn embedded_known_type_in_crd() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"ex.com/v1","kind":"Foo","metadata":{"name":"f"},"spec":{"template":{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"name":"a","image":"a"}]}}}}}}"#,
            r#"{"apiVersion":"ex.com/v1","kind":"Foo","metadata":{"name":"f"},"spec":{"template":{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"name":"b","image":"b"}]}}}}}}"#,
            r#"{"apiVersion":"ex.com/v1","kind":"Foo","metadata":{"name":"f"},"spec":{"template":{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"image":"b","name":"b"},{"image":"a","name":"a"}]}}}}}}"#,
        );
    }

    #[test]
    fn duplicate_keys_in_target() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"1"},{"name":"a","image":"2"},{"name":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"image":"b","name":"b"},{"image":"2","name":"a"}]}}}}"#,
        );
    }

    #[test]
    fn finalizers_patch_items_exist() {
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","finalizers":["a","b","c"]}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","finalizers":["c","x","a"]}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"finalizers":["c","x","a","b"],"name":"d"}}"#,
        );
    }

    #[test]
    fn fast_ports_protocol_in_some_items() {
        // Ports where only some items have a protocol: both keys count, the
        // new port comes first, then the target's ports in their order.
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"m","ports":[{"name":"statsd","containerPort":9125,"protocol":"UDP"},{"name":"prom","containerPort":9102}]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"m","ports":[{"containerPort":9102,"name":"metrics"},{"containerPort":8080,"protocol":"TCP"}]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"m","ports":[{"containerPort":8080,"protocol":"TCP"},{"containerPort":9125,"name":"statsd","protocol":"UDP"},{"containerPort":9102,"name":"metrics"}]}]}}}}"#,
        );
    }

    #[test]
    fn fast_untouched_list_ports_protocol_in_some_items() {
        // An untouched container list whose ports have a protocol in some items
        // only is left as it is.
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a","ports":[{"containerPort":9125,"protocol":"UDP"},{"containerPort":9102}],"env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]},{"name":"b","image":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"ScheduleAnyway"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}],"image":"a","name":"a","ports":[{"containerPort":9125,"protocol":"UDP"},{"containerPort":9102}]},{"image":"b","name":"b"}],"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"ScheduleAnyway"}]}}}}"#,
        );
    }

    #[test]
    fn fast_delete_and_merge_items() {
        // Patch items with `$patch: delete` (matched or not) and `$patch: merge`.
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"a"},{"name":"envoy","image":"e"},{"name":"log","image":"l"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"log","$patch":"delete"},{"name":"envoy","image":"e2","$patch":"merge"},{"name":"gone","$patch":"delete"},{"name":"new","image":"n"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"image":"e2","name":"envoy"},{"image":"n","name":"new"},{"image":"a","name":"app"}]}}}}"#,
        );
    }

    #[test]
    fn fast_service_ports_two_keys() {
        // Two keys set everywhere: new ports first, then the target's in order
        // (53/TCP and 53/UDP are different items).
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":53,"protocol":"UDP"},{"port":80,"protocol":"TCP","targetPort":8080},{"port":443,"protocol":"TCP"}]}}"#,
            r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":443,"protocol":"TCP","name":"https"},{"port":8443,"protocol":"TCP"},{"port":53,"protocol":"TCP"}]}}"#,
            r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":8443,"protocol":"TCP"},{"port":53,"protocol":"TCP"},{"port":53,"protocol":"UDP"},{"port":80,"protocol":"TCP","targetPort":8080},{"name":"https","port":443,"protocol":"TCP"}]}}"#,
        );
    }

    #[test]
    fn fast_ports_without_protocol() {
        // No item has a protocol: one key counts, patch items come first.
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"},{"containerPort":81},{"containerPort":82}]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":82,"name":"x"},{"containerPort":90}]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":82,"name":"x"},{"containerPort":90},{"containerPort":80,"name":"http"},{"containerPort":81}]}]}}}}"#,
        );
    }

    #[test]
    fn fast_untouched_item_and_scalars() {
        // A target item the patch does not name stays as it is (after the
        // patch's); scalars merged by value.
        // Expected output from `kubectl kustomize` (kustomize v5.5.0).
        check(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","finalizers":["a","b"]},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a","env":[{"name":"E"},{"name":"F","value":"f"}]},{"name":"b","image":"b"}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","finalizers":["c","a"]},"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b2","command":["x"]}]}}}}"#,
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"finalizers":["c","a","b"],"name":"d"},"spec":{"template":{"spec":{"containers":[{"command":["x"],"image":"b2","name":"b"},{"env":[{"name":"E"},{"name":"F","value":"f"}],"image":"a","name":"a"}]}}}}"#,
        );
    }

    #[test]
    fn fast_path_conditions() {
        let list = |json: &str| match parse(json) {
            Value::Seq(s) => s,
            _ => panic!("not a list"),
        };
        let ports = ["containerPort", "protocol"];
        let dest = list(
            r#"[{"name":"statsd","containerPort":9125,"protocol":"UDP"},{"name":"prom","containerPort":9102}]"#,
        );
        let patch = list(
            r#"[{"containerPort":9102,"name":"metrics"},{"containerPort":8080,"protocol":"TCP"}]"#,
        );
        assert_eq!(
            keyed_matches(&dest, &patch, &ports),
            Some((vec![Some(1), None], 2))
        );
        // No protocol anywhere: one key counts.
        let dest = list(r#"[{"containerPort":80},{"containerPort":81}]"#);
        let patch = list(r#"[{"containerPort":81,"name":"x"}]"#);
        assert_eq!(
            keyed_matches(&dest, &patch, &ports),
            Some((vec![Some(1)], 1))
        );
        // 80 and 80/TCP would be unified.
        let dest = list(r#"[{"containerPort":80},{"containerPort":80,"protocol":"TCP"}]"#);
        assert!(key_texts(&[], &dest, &ports).is_none());
        let dest = list(r#"[{"containerPort":80,"protocol":"TCP"}]"#);
        let patch = list(r#"[{"containerPort":80}]"#);
        assert!(keyed_matches(&dest, &patch, &ports).is_none());
        // A protocol without a port, a null key, a missing key, duplicates.
        for items in [
            r#"[{"containerPort":80,"protocol":"TCP"},{"protocol":"UDP"}]"#,
            r#"[{"containerPort":80,"protocol":null},{"containerPort":81,"protocol":"UDP"}]"#,
        ] {
            assert!(key_texts(&[], &list(items), &ports).is_none(), "{items}");
        }
        let names = ["name"];
        for items in [
            r#"[{"name":"a"},{"image":"x"}]"#,
            r#"[{"name":"a"},{"name":"a"}]"#,
            r#"[{"name":"a"},{"name":null}]"#,
            r#"[{"name":"a"},{}]"#,
            r#"[{"name":"a","$patch":"delete"}]"#,
        ] {
            assert!(key_texts(&[], &list(items), &names).is_none(), "{items}");
        }
        // Directives: `delete` and `merge` in patch items only.
        let dest = list(r#"[{"name":"a"},{"name":"b"}]"#);
        let patch = list(r#"[{"name":"b","$patch":"delete"},{"name":"c","$patch":"merge"}]"#);
        assert_eq!(
            keyed_matches(&dest, &patch, &names),
            Some((vec![Some(1), None], 1))
        );
        let patch = list(r#"[{"name":"b","$patch":"replace"}]"#);
        assert!(keyed_matches(&dest, &patch, &names).is_none());
        // Scalars: merged by text, `80` and `"80"` are the same.
        let dest = list(r#"["a",80]"#);
        let patch = list(r#"["80","c"]"#);
        assert_eq!(
            keyed_matches(&dest, &patch, &[]),
            Some((vec![Some(1), None], 1))
        );
        assert!(key_texts(&[], &list(r#"["a",null]"#), &[]).is_none());
    }

    /// `settled` must only say yes when the walk against no patch gives the
    /// value back unchanged; `same_settled` likewise for the walk of a value
    /// merged with itself. The samples cover each reason to say no.
    #[test]
    fn settled_means_walk_changes_nothing() {
        let schema = Schema::builtin();
        let w = Walker { schema };
        let dep = |containers: &str| {
            parse(&format!(
                r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"d","labels":null}},"spec":{{"template":{{"spec":{{"containers":{containers}}}}}}}}}"#
            ))
        };
        let cases = [
            (
                r#"[{"name":"a","image":"x","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":80,"protocol":"UDP"}]},{"name":"b"}]"#,
                true,
            ),
            ("[]", true),
            // Two items with one key: kyaml merges them.
            (
                r#"[{"name":"a","image":"1"},{"name":"a","image":"2"}]"#,
                false,
            ),
            // An item lacking the key wipes the ones before it.
            (r#"[{"name":"a"},{"image":"nameless"}]"#, false),
            // Null fields written as a word stay inside list items.
            (r#"[{"name":"a","image":null}]"#, true),
            (r#"[{"name":"a","env":[{"name":"E","value":null}]}]"#, true),
            // A `$patch` in a target's item is no directive there, but an
            // item without the key wipes the items before it.
            (r#"[{"$patch":"replace"},{"name":"b"}]"#, false),
            // Null and empty items are dropped.
            (r#"[{"name":"a"},null]"#, false),
            (r#"[{"name":"a"},{}]"#, false),
            // 80 and "80" have the same text.
            (
                r#"[{"name":"a","ports":[{"containerPort":80},{"containerPort":"80"}]}]"#,
                false,
            ),
        ];
        for (containers, want) in cases {
            let v = dep(containers);
            let got = w.settled(&v, None);
            assert_eq!(got, want, "{containers}");
            let walked = w.walk(Some(v.clone()), None, false, None);
            if got {
                assert_eq!(walked.expect("walk"), Some(v.clone()), "{containers}");
            } else {
                // Each "no" is a real change (or error) of the walk.
                assert!(
                    walked.map_or(true, |r| r != Some(v.clone())),
                    "{containers}"
                );
            }
        }
        // The check gives up on a `$patch` key in a target's item (the
        // walk happens to keep it: kyaml applies no directive of the target).
        let v = dep(r#"[{"name":"a","$patch":"delete"},{"name":"b"}]"#);
        assert!(!w.settled(&v, None));
        assert_eq!(
            w.walk(Some(v.clone()), None, false, None).expect("walk"),
            Some(v)
        );
        // A port without protocol is unified with one that has it: not
        // settled (here the walk happens to give the same list back).
        let v = dep(
            r#"[{"name":"a","ports":[{"containerPort":80},{"containerPort":80,"protocol":"TCP"}]}]"#,
        );
        assert!(!w.settled(&v, None));
        // Merged with itself, a null field is dropped; left alone it stays
        // when written as a word, and goes when written as nothing.
        let m = parse(r#"{"a":null,"b":1}"#);
        assert!(w.settled(&m, None));
        assert!(!w.same_settled(&m, None));
        for empty in [
            "a:\nb: 1\n",
            "a:\n  b:\n    c:\n",
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image:\n",
        ] {
            let v = crate::yaml::parse_documents(empty).expect("yaml").remove(0);
            assert!(!w.settled(&v, None), "{empty}");
            let walked = w.walk(Some(v.clone()), None, false, None).expect("walk");
            assert_ne!(walked, Some(v), "{empty}");
        }
        let same = parse(r#"{"a":{"b":[1,2]},"c":"x"}"#);
        assert!(w.same_settled(&same, None));
        assert_eq!(
            w.walk(None, Some(same.clone()), true, None).expect("walk"),
            Some(same)
        );
        // Lists of scalars merged by value: duplicates are merged.
        let fin = |list: &str| {
            parse(&format!(
                r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"d","finalizers":{list}}}}}"#
            ))
        };
        assert!(w.settled(&fin(r#"["a","b"]"#), None));
        assert!(!w.settled(&fin(r#"["a","a"]"#), None));
        assert!(!w.settled(&fin(r#"["1",1]"#), None));
    }

    #[test]
    fn whole_resource_delete() {
        // kubectl kustomize drops a resource patched with a top-level `$patch: delete`.
        let mut t = parse(
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"b"}}"#,
        );
        let p = parse(
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"$patch":"delete"}"#,
        );
        let out = merge_patch(&mut t, &p, Schema::builtin()).expect("merge");
        assert_eq!(out, MergeOutcome::Delete);
    }

    #[test]
    fn errors() {
        // kubectl kustomize: "wrong node kind: expected SequenceNode but got
        // MappingNode: node contents: ..." (we leave the contents out).
        let mut t = parse(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}"#,
        );
        let p = parse(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":{"name":"a"}}}}}"#,
        );
        let e = merge_patch(&mut t, &p, Schema::builtin()).unwrap_err();
        assert_eq!(
            e.message,
            "wrong node kind: expected SequenceNode but got MappingNode"
        );
        // kubectl kustomize: "unknown patch strategy 'bogus'".
        let mut t = parse(
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"b"}}"#,
        );
        let p = parse(
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"$patch":"bogus"}}"#,
        );
        let e = merge_patch(&mut t, &p, Schema::builtin()).unwrap_err();
        assert_eq!(e.message, "unknown patch strategy 'bogus'");
    }

    #[test]
    fn custom_schema_replaces_builtin() {
        // kubectl kustomize with `openapi: path:` at the top: the custom
        // schema's merge key is used for Foo, and Deployment lists (no longer
        // in the schema) are replaced.
        let schema = Schema::from_openapi_json(
            r#"{"definitions": {"v1.Foo": {"type": "object",
              "x-kubernetes-group-version-kind": [{"group": "ex.com", "kind": "Foo", "version": "v1"}],
              "properties": {"spec": {"type": "object", "properties": {"items": {"type": "array",
                "items": {"type": "object"}, "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge"}}}}}}}"#,
        )
        .expect("schema");
        let mut t = parse(
            r#"{"apiVersion":"ex.com/v1","kind":"Foo","metadata":{"name":"f"},"spec":{"items":[{"name":"a","v":1},{"name":"b"}]}}"#,
        );
        let p = parse(
            r#"{"apiVersion":"ex.com/v1","kind":"Foo","metadata":{"name":"f"},"spec":{"items":[{"name":"a","v":2}]}}"#,
        );
        merge_patch(&mut t, &p, &schema).expect("merge");
        let want = parse(
            r#"{"apiVersion":"ex.com/v1","kind":"Foo","metadata":{"name":"f"},"spec":{"items":[{"name":"a","v":2},{"name":"b"}]}}"#,
        );
        assert_eq!(canon(&t), canon(&want));
        let mut t = parse(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"}]}}}}"#,
        );
        let p = parse(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a2"}]}}}}"#,
        );
        merge_patch(&mut t, &p, &schema).expect("merge");
        let want = parse(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a2"}]}}}}"#,
        );
        assert_eq!(canon(&t), canon(&want));
    }
}
