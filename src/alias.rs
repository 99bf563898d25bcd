//! Shared YAML nodes ("aliases") inside one resource, as kustomize v5.5
//! makes them, and what later steps of a build do to them.
//!
//! # The kustomize behaviour modelled
//!
//! kustomize holds resources as kyaml node trees. The label and annotation
//! filters (`api/filters/labels`, `api/filters/annotations`: `commonLabels`,
//! `labels:` entries, `commonAnnotations`, the `LabelTransformer` and
//! `AnnotationsTransformer` plugins, the managed-by label of
//! `--enable-managedby-label`) build one `filtersutil.SetEntry` per key per
//! resource, and kyaml's `FieldSetter` appends that one node wherever it
//! *creates* the key. So every entry a run creates for one key in one
//! resource (`metadata.labels.app`, `spec.selector.matchLabels.app`,
//! `spec.template.metadata.labels.app`, …) is one node: an alias group.
//! Where the key already existed, `FieldSetter` copies the value into the
//! existing node instead (`SetYNode`: `*node = *new`), which makes no alias.
//! The rules, each checked with `kubectl kustomize` (fixtures under
//! `tests/fixtures/`, named after each rule):
//!
//! - **Groups are per resource and per run.** Nothing is ever shared between
//!   two resources (filters run resource by resource), nor between two runs or
//!   two keys. A group survives kustomization boundaries, components and
//!   every step that leaves its nodes in place. Fixtures:
//!   `alias-not-across-resources`, `alias-replacements`,
//!   `alias-labels-overwrite`.
//! - **In-place writes reach every alias.** A later write into one member
//!   changes all of them: a labels or annotations run over an existing key
//!   (`labels`, `commonAnnotations`, the plugins, the managed-by label),
//!   `replacements` (a scalar target keeps its node and type, only the text
//!   changes), a strategic merge patch setting the field (the patch's node is
//!   copied in, type included; when one patch sets two members, the last in
//!   kyaml's walk order wins), `vars`, and any field spec of the namespace,
//!   prefix, suffix, replicas, images or name-reference transformers that
//!   happens to point at a member. Writes happen one node at a time, so a
//!   writer reaching two members of one group writes twice (a `namePrefix`
//!   field spec on two aliased labels gives `p-p-a`, as kustomize does).
//!   The write reaches members its writer's field specs never name (an
//!   annotation shared with containers' limits). Fixtures:
//!   `alias-labels-overwrite`, `alias-annotations-off-specs`,
//!   `alias-managed-by`, `alias-replacements`, `alias-strategic-merge`,
//!   `alias-vars`, `alias-field-spec-writers`.
//! - **Rebuilt nodes leave their group.** A strategic merge patch that
//!   deletes the field (`null`, `$patch: delete`), replaces a mapping above it
//!   (`$patch: replace`) or replaces a list above it (a list without a merge
//!   key, or a `{$patch: replace}` list directive; in a list merged by key,
//!   items keep their nodes even when they move, an item deleted with
//!   `$patch: delete` leaves, and one with `$patch: replace` is kept as it
//!   was); a replacement whose target is a mapping or list above it; a JSON
//!   6902 patch (kustomize round trips the whole resource through JSON: every
//!   group of the resource is gone); a generator `behavior: merge`/`replace`
//!   (a new object); and, when `buildMetadata` is set, every transformer run
//!   (kustomize rewrites each resource's `metadata.annotations` to record it,
//!   so members there leave; without `buildMetadata` transformers have no
//!   origin and nothing is rewritten). The other members stay shared.
//!   Fixtures: `alias-strategic-merge`, `alias-replacements`,
//!   `alias-not-across-resources`, `alias-generator-merge`,
//!   `alias-build-metadata`.
//!
//! # Representation
//!
//! A [`Resource`] carries an [`Aliases`] table: its groups, each the current
//! value of the shared node and the paths of its members (mapping keys and
//! sequence indexes from the root). An empty table costs one empty `Vec`;
//! steps look at it only when it is not empty. The creating transformers add
//! groups ([`Created`], [`record_created`]); in-place writers either write
//! node by node through [`apply_spec`]/[`apply_specs`] (exact even when a
//! writer reaches two members) or call [`Aliases::sync`] after writing (for
//! writers that set the same value wherever they write); structural steps
//! drop members ([`Aliases::clear`], [`Aliases::drop_under`],
//! [`SmpPlan`]).
//!
//! `aiw explain` walks only where a labels or annotations step or a
//! strategic merge document can change anything; writes through shared
//! nodes widen that: the step's scope takes the members of the pairs' keys
//! ([`Aliases::member_spec_paths`]), and a patch that spread a value
//! ([`SmpPlan::finish`] returns true) is walked whole.

use crate::error::Result;
use crate::fieldspec::{self, CreateKind, FieldSpec, NodeStep};
use crate::resource::Resource;
use crate::schema::{Schema, SchemaRef};
use crate::yaml::Value;

/// One step of a member's path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step<'a> {
    /// A mapping key.
    Key(&'a str),
    /// A sequence index.
    Index(usize),
}

/// The tag byte of a key step in an encoded path.
const KEY: u8 = 0;
/// The tag byte of an index step in an encoded path.
const INDEX: u8 = 1;

/// A member's path from the resource's root, encoded in one allocation:
/// per step a tag byte and a little-endian `u32` (a key's length, then its
/// bytes; or an index).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Path(Box<[u8]>);

/// The steps of an encoded path, keys as bytes.
#[derive(Clone)]
struct RawSteps<'a>(&'a [u8]);

impl<'a> Iterator for RawSteps<'a> {
    /// A key's bytes (`Ok`) or an index (`Err`).
    type Item = std::result::Result<&'a [u8], usize>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&tag, rest) = self.0.split_first()?;
        let n = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let rest = &rest[4..];
        if tag == INDEX {
            self.0 = rest;
            return Some(Err(n));
        }
        let key = rest.get(..n)?;
        self.0 = &rest[n..];
        Some(Ok(key))
    }
}

/// The steps of an encoded path.
#[derive(Clone)]
struct Steps<'a>(RawSteps<'a>);

impl<'a> Iterator for Steps<'a> {
    type Item = Step<'a>;

    fn next(&mut self) -> Option<Step<'a>> {
        Some(match self.0.next()? {
            Ok(key) => Step::Key(std::str::from_utf8(key).ok()?),
            Err(i) => Step::Index(i),
        })
    }
}

/// Appends one step to an encoded path.
fn push_step(buf: &mut Vec<u8>, step: Step<'_>) {
    match step {
        Step::Key(k) => {
            buf.push(KEY);
            buf.extend_from_slice(&(k.len() as u32).to_le_bytes());
            buf.extend_from_slice(k.as_bytes());
        }
        Step::Index(i) => {
            buf.push(INDEX);
            buf.extend_from_slice(&(i as u32).to_le_bytes());
        }
    }
}

impl Path {
    fn steps(&self) -> Steps<'_> {
        Steps(RawSteps(&self.0))
    }

    /// The keys of the path (sequence steps left out), as bytes.
    fn keys(&self) -> impl Iterator<Item = &[u8]> {
        RawSteps(&self.0).filter_map(|s| s.ok())
    }

    #[cfg(test)]
    fn from_steps<'a>(steps: impl IntoIterator<Item = Step<'a>>) -> Path {
        let mut buf = Vec::new();
        for step in steps {
            push_step(&mut buf, step);
        }
        Path(buf.into_boxed_slice())
    }

    /// True when the path starts with the keys `prefix`.
    fn starts_with_keys(&self, prefix: &[&str]) -> bool {
        let mut steps = self.steps();
        prefix
            .iter()
            .all(|k| matches!(steps.next(), Some(Step::Key(s)) if s == *k))
    }

    /// True when the path starts with `prefix` (an encoded path).
    fn starts_with(&self, prefix: &Path) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// The node at the path.
    fn get<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        let mut cur = root;
        for step in self.steps() {
            cur = match (step, cur) {
                (Step::Key(k), Value::Map(m)) => m.get(k)?,
                (Step::Index(i), Value::Seq(items)) => items.get(i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The node at the path, mutably.
    fn get_mut<'v>(&self, root: &'v mut Value) -> Option<&'v mut Value> {
        let mut cur = root;
        for step in self.steps() {
            cur = match (step, cur) {
                (Step::Key(k), Value::Map(m)) => m.get_mut(k)?,
                (Step::Index(i), Value::Seq(items)) => items.get_mut(i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The path for people: keys and indexes joined by `/`.
    fn readable(&self) -> String {
        let parts: Vec<String> = self
            .steps()
            .map(|s| match s {
                Step::Key(k) => k.replace('/', "\\/"),
                Step::Index(i) => i.to_string(),
            })
            .collect();
        parts.join("/")
    }
}

/// The path of the node at `trail` (positions as the walkers report
/// them); `buf` is scratch space.
fn path_of(root: &Value, trail: &[NodeStep], buf: &mut Vec<u8>) -> Option<Path> {
    encode_path(root, trail, buf)?;
    Some(Path(buf.as_slice().into()))
}

/// Encodes the path of the node at `trail` into `buf` (emptied first).
fn encode_path(root: &Value, trail: &[NodeStep], buf: &mut Vec<u8>) -> Option<()> {
    buf.clear();
    let mut cur = root;
    for step in trail {
        cur = match (*step, cur) {
            (NodeStep::Entry(i), Value::Map(m)) => {
                let (k, v) = m.entries().get(i)?;
                push_step(buf, Step::Key(k));
                v
            }
            (NodeStep::Item(i), Value::Seq(items)) => {
                push_step(buf, Step::Index(i));
                items.get(i)?
            }
            _ => return None,
        };
    }
    Some(())
}

/// One shared node: its value, the key it is an entry of (every member's
/// last step), and where it appears.
#[derive(Clone, Debug, PartialEq)]
struct Group {
    value: Value,
    key: Box<str>,
    members: Vec<Path>,
}

/// The alias groups of one resource (see the module docs). Empty for almost
/// every resource that no label or annotation transformer touched.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Aliases {
    groups: Vec<Group>,
}

impl Aliases {
    /// True when the resource has no shared nodes.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The groups, each as its members' paths (`metadata/labels/app`, a
    /// `/` inside a key written `\/`), for tests and diagnostics.
    pub fn groups(&self) -> Vec<Vec<String>> {
        self.groups
            .iter()
            .map(|g| g.members.iter().map(Path::readable).collect())
            .collect()
    }

    /// The members of the groups whose key `key` accepts, as field-spec
    /// paths (keys joined by `/`, a `/` inside a key written `\/`,
    /// sequence steps left out as a field-spec walk fans out over them):
    /// where a write to one member of those groups can show.
    pub fn member_spec_paths(&self, key: impl Fn(&str) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        for g in self.groups.iter().filter(|g| key(&g.key)) {
            for m in &g.members {
                let keys: Vec<String> = m
                    .steps()
                    .filter_map(|s| match s {
                        Step::Key(k) => Some(k.replace('/', "\\/")),
                        Step::Index(_) => None,
                    })
                    .collect();
                out.push(keys.join("/"));
            }
        }
        out
    }

    /// Forgets every group: the resource's nodes were all rebuilt (a JSON
    /// 6902 patch).
    pub fn clear(&mut self) {
        self.groups.clear();
    }

    /// Drops the members under the mapping keys `prefix` (a mapping kustomize
    /// rebuilds, such as `metadata.annotations` when it records a
    /// transformer); groups left with one member are dropped.
    pub fn drop_under(&mut self, prefix: &[&str]) {
        if self.groups.is_empty() {
            return;
        }
        for g in &mut self.groups {
            g.members.retain(|m| !m.starts_with_keys(prefix));
        }
        self.groups.retain(|g| g.members.len() > 1);
    }

    /// Drops the members at or under the node at `trail`.
    fn drop_under_trail(&mut self, root: &Value, trail: &[NodeStep]) {
        let Some(prefix) = path_of(root, trail, &mut Vec::new()) else {
            return;
        };
        for g in &mut self.groups {
            g.members.retain(|m| !m.starts_with(&prefix));
        }
        self.groups.retain(|g| g.members.len() > 1);
    }

    /// Makes every member of a group hold what one of them was changed to:
    /// the in-place write kustomize makes through a shared node. In each
    /// group the first member whose value differs from the group's value
    /// is taken as written. Members no longer found (or no longer scalars)
    /// are dropped, and groups left with one member.
    pub fn sync(&mut self, root: &mut Value) {
        self.sync_where(root, |_| true);
    }

    /// [`Aliases::sync`] for the groups whose members are entries named
    /// as `key` accepts (the others were not written).
    fn sync_where(&mut self, root: &mut Value, key: impl Fn(&str) -> bool) {
        for g in &mut self.groups {
            if !key(&g.key) {
                continue;
            }
            let mut changed: Option<Value> = None;
            g.members.retain(|m| match m.get(root) {
                Some(Value::Map(_) | Value::Seq(_)) | None => false,
                Some(v) => {
                    if changed.is_none() && *v != g.value {
                        changed = Some(v.clone());
                    }
                    true
                }
            });
            if let Some(v) = changed {
                for m in &g.members {
                    if let Some(slot) = m.get_mut(root) {
                        *slot = v.clone();
                    }
                }
                g.value = v;
            }
        }
        self.groups.retain(|g| g.members.len() > 1);
    }

    /// True when the members of some group are entries named as the last
    /// key of the field-spec `path`.
    fn has_key_of(&self, path: &str) -> bool {
        self.groups.iter().any(|g| ends_with_key(path, &g.key))
    }

    /// True when a writer of the scalar at the end of the field-spec `path`
    /// may write a member: a member has the path's last key, and the path
    /// reaches it.
    fn writes_member(&self, path: &str) -> bool {
        self.has_key_of(path) && self.reachable(path)
    }

    /// True when a walk along the field-spec `path` can reach a member or a
    /// node above one (a field-spec walk fans out over every sequence it
    /// meets, so member indexes are skipped).
    fn reachable(&self, path: &str) -> bool {
        if path.contains('\\') {
            let parts = fieldspec::split_path(path);
            return self.reachable_by(parts.iter().map(String::as_str));
        }
        self.reachable_by(path.strip_prefix('/').unwrap_or(path).split('/'))
    }

    /// [`Aliases::reachable`] for a path's keys (`name[]` counts as `name`;
    /// sequence steps are left out).
    pub(crate) fn reachable_by<'k>(&self, keys: impl Iterator<Item = &'k str>) -> bool {
        let mut buf: [&[u8]; 16] = [&[]; 16];
        let mut n = 0;
        for k in keys {
            if n == buf.len() {
                // Deeper than any member kustomize makes: check them all.
                return true;
            }
            buf[n] = k.strip_suffix("[]").unwrap_or(k).as_bytes();
            n += 1;
        }
        let want = &buf[..n];
        self.groups.iter().any(|g| {
            g.members.iter().any(|m| {
                let mut keys = m.keys();
                want.iter().all(|k| keys.next() == Some(*k))
            })
        })
    }
}

/// The entries a label or annotation run created in one resource, by key:
/// the positions of the mappings that got each new key. Kept between
/// resources to reuse its buffers.
#[derive(Debug, Default)]
pub(crate) struct Created {
    steps: Vec<NodeStep>,
    /// (index of the key in the run's pairs, range of `steps`)
    entries: Vec<(usize, std::ops::Range<usize>)>,
    /// True when the run also wrote over an existing entry.
    pub(crate) wrote: bool,
}

impl Created {
    /// Empties the record for the next resource.
    pub(crate) fn clear(&mut self) {
        self.steps.clear();
        self.entries.clear();
        self.wrote = false;
    }

    /// Notes that key number `key` was created in the mapping at `trail`.
    pub(crate) fn note(&mut self, key: usize, trail: &[NodeStep]) {
        let start = self.steps.len();
        self.steps.extend_from_slice(trail);
        self.entries.push((key, start..self.steps.len()));
    }
}

/// After one label or annotation run over `r`: passes the run's in-place
/// writes to the aliases of the nodes written (every write of a run sets
/// the same value, so a sync after the run is exact), then makes each key
/// the run created in two places or more a group.
pub(crate) fn record_created(r: &mut Resource, created: &Created, pairs: &[(String, String)]) {
    if created.wrote && !r.aliases.is_empty() {
        r.aliases
            .sync_where(&mut r.value, |key| pairs.iter().any(|(k, _)| k == key));
    }
    if created.entries.len() < 2 {
        return;
    }
    let mut buf = Vec::with_capacity(128);
    for (i, (k, v)) in pairs.iter().enumerate() {
        let mut at = created.entries.iter().filter(|(key, _)| *key == i);
        let Some(first) = at.next() else { continue };
        let Some(second) = at.next() else { continue };
        let members: Vec<Path> = [first, second]
            .into_iter()
            .chain(at)
            .filter_map(|(_, range)| {
                encode_path(&r.value, &created.steps[range.clone()], &mut buf)?;
                push_step(&mut buf, Step::Key(k));
                Some(Path(buf.as_slice().into()))
            })
            .collect();
        if members.len() > 1 {
            r.aliases.groups.push(Group {
                value: Value::String(v.clone()),
                key: k.as_str().into(),
                members,
            });
        }
    }
}

/// Syncs every resource that has aliases (see [`Aliases::sync`]), after a
/// writer that sets the same value wherever it writes.
pub fn sync_all(resources: &mut [Resource]) {
    for r in resources {
        if !r.aliases.is_empty() {
            r.aliases.sync(&mut r.value);
        }
    }
}

/// [`sync_all`] after a writer of the scalars at the end of the field-spec
/// `paths`: only resources where a group's members are entries named as
/// one of the paths' last keys are synced, and only those groups.
pub fn sync_keys<'p>(resources: &mut [Resource], paths: impl Iterator<Item = &'p str>) {
    let mut paths = Some(paths);
    let mut names: Vec<std::borrow::Cow<'p, str>> = Vec::new();
    for r in resources {
        if r.aliases.is_empty() {
            continue;
        }
        // The names, worked out once, at the first resource with aliases.
        if let Some(p) = paths.take() {
            for name in p.map(last_key) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        if r.aliases
            .groups
            .iter()
            .any(|g| names.iter().any(|n| *n == *g.key))
        {
            r.aliases
                .sync_where(&mut r.value, |key| names.iter().any(|n| n == key));
        }
    }
}

/// True when the last key of the field-spec `path` is `key` (see
/// [`last_key`]); cheap when it is not.
fn ends_with_key(path: &str, key: &str) -> bool {
    let p = path.strip_suffix("[]").unwrap_or(path);
    if key.contains('/') {
        // Only an escaped segment (`a\/b`) holds a `/`.
        return path.contains('\\') && last_key(path) == key;
    }
    p.ends_with(key) && last_key(path) == key
}

/// The last key of a field-spec path (`name[]` as `name`, `a\\/b` as `a/b`).
pub fn last_key(path: &str) -> std::borrow::Cow<'_, str> {
    if path.contains('\\') {
        let mut parts = fieldspec::split_path(path);
        let last = parts.pop().unwrap_or_default();
        return match last.strip_suffix("[]") {
            Some(k) => k.to_string().into(),
            None => last.into(),
        };
    }
    let last = path.rsplit('/').next().unwrap_or(path);
    last.strip_suffix("[]").unwrap_or(last).into()
}

/// Syncs `r` when the field-spec `path` reaches one of its members or a
/// node above one (after a writer of the mapping or scalar there).
pub fn sync_if_reached(r: &mut Resource, path: &str) {
    if !r.aliases.is_empty() && r.aliases.reachable(path) {
        r.aliases.sync(&mut r.value);
    }
}

/// [`fieldspec::apply_spec`] on a resource, for `f` writing the scalar at
/// the end of the path: when the walk can reach a member of an alias group,
/// the nodes are written one at a time, each write passed to the node's
/// aliases before the next.
pub fn apply_spec(
    r: &mut Resource,
    spec: &FieldSpec,
    create_kind: Option<CreateKind>,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    if r.aliases.is_empty() || !r.aliases.writes_member(&spec.path) {
        return fieldspec::apply_spec(&mut r.value, spec, create_kind, f);
    }
    let mut trails: Vec<Vec<NodeStep>> = Vec::new();
    fieldspec::trace_spec(&mut r.value, spec, create_kind, &mut |t| {
        trails.push(t.to_vec())
    })?;
    for t in &trails {
        let Some(node) = fieldspec::node_at_mut(&mut r.value, t) else {
            continue;
        };
        if let Err(e) = f(node) {
            return Err(fieldspec::spec_error(&r.value, spec, e));
        }
        r.aliases.sync(&mut r.value);
    }
    Ok(())
}

/// [`fieldspec::apply_specs`] on a resource, as [`apply_spec`] does for one
/// spec.
pub fn apply_specs(
    r: &mut Resource,
    specs: &[FieldSpec],
    create_kind: Option<CreateKind>,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    if r.aliases.is_empty() || !specs.iter().any(|s| r.aliases.writes_member(&s.path)) {
        return fieldspec::apply_specs(&mut r.value, specs, create_kind, f);
    }
    for spec in specs {
        apply_spec(r, spec, create_kind, f)?;
    }
    Ok(())
}

/// Writes at the nodes `trails` reach (positions as the walkers report
/// them), one at a time: `f` gets each node and its index; each write is
/// passed to the node's aliases before the next. A write that replaces a
/// mapping or sequence (`f` returns true) drops the members under it.
pub fn write_each(
    r: &mut Resource,
    trails: &[Vec<NodeStep>],
    f: &mut dyn FnMut(&mut Value, usize) -> Result<bool>,
) -> Result<()> {
    for (i, t) in trails.iter().enumerate() {
        let Some(node) = fieldspec::node_at_mut(&mut r.value, t) else {
            continue;
        };
        if f(node, i)? {
            r.aliases.drop_under_trail(&r.value, t);
        }
        r.aliases.sync(&mut r.value);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Strategic merge patches

/// How to find a member's list item again after a merge: at the same
/// index, or (in a list merged by key) by the values of its merge keys.
#[derive(Debug)]
enum ItemLocator {
    Index,
    ByKeys(Vec<(String, String)>),
}

/// What a strategic merge patch does to one member.
#[derive(Debug, PartialEq)]
enum Fate {
    /// Untouched, at the same path (no list above it was merged).
    Same,
    /// Untouched, but a list above it was merged: found again by its
    /// items' keys, checked after the merge.
    Moved,
    /// The patch sets it: kyaml copies the patch's node into it.
    Written,
    /// Deleted or replaced with new nodes.
    Gone,
}

/// What one strategic merge patch does to the alias groups of its target,
/// worked out before the merge ([`SmpPlan::new`]) and applied after it
/// ([`SmpPlan::finish`]). kyaml's merge walks the target and the patch
/// together: a field both have is set in place (`FieldSetter` copies the
/// patch's node into the target's), a `null` or `$patch: delete` clears it,
/// `$patch: replace` and lists without a merge strategy take the patch's
/// nodes, lists merged by key keep the target's items (possibly moved).
#[derive(Debug)]
pub struct SmpPlan {
    /// Per group, per member: its fate and, per sequence step of its path,
    /// how to find the item again.
    fates: Vec<Vec<(Fate, Vec<ItemLocator>)>>,
}

impl SmpPlan {
    /// Works out the plan for patching `dest` with `patch`, merge keys from
    /// `schema`. `None` when the target has no aliases or the patch touches
    /// none of them.
    pub fn new(aliases: &Aliases, dest: &Value, patch: &Value, schema: &Schema) -> Option<SmpPlan> {
        if aliases.is_empty() {
            return None;
        }
        let top = dest
            .get("apiVersion")
            .and_then(Value::as_str)
            .zip(dest.get("kind").and_then(Value::as_str))
            .and_then(|(av, k)| schema.for_type(av, k));
        // Most patches leave every member where it is: checked first,
        // without keeping anything.
        let all_same = aliases.groups.iter().all(|g| {
            g.members
                .iter()
                .all(|m| member_fate(m, dest, patch, top).0 == Fate::Same)
        });
        if all_same {
            return None;
        }
        let fates = aliases
            .groups
            .iter()
            .map(|g| {
                g.members
                    .iter()
                    .map(|m| member_fate(m, dest, patch, top))
                    .collect()
            })
            .collect();
        Some(SmpPlan { fates })
    }

    /// Applies the plan to the merged resource: members kept or written
    /// stay (found again where the merge moved them), others leave; when
    /// the patch wrote members of a group, the last one kyaml's walk wrote
    /// (fields in sorted order) gives the whole group its value.
    pub fn finish(self, aliases: &mut Aliases, root: &mut Value) -> bool {
        let mut spread = false;
        for (g, fates) in aliases.groups.iter_mut().zip(self.fates) {
            if fates.iter().all(|(f, _)| *f == Fate::Same) {
                continue;
            }
            let mut members = Vec::with_capacity(g.members.len());
            let mut written: Option<Path> = None;
            for (m, (fate, items)) in g.members.iter().zip(fates) {
                let path = match fate {
                    Fate::Gone => continue,
                    Fate::Same => {
                        members.push(m.clone());
                        continue;
                    }
                    Fate::Moved | Fate::Written => match locate(root, m, &items) {
                        Some(p) => p,
                        None => continue,
                    },
                };
                match (path.get(root), &fate) {
                    (None | Some(Value::Map(_) | Value::Seq(_)), _) => continue,
                    (Some(v), Fate::Moved) if *v != g.value => continue,
                    _ => {}
                }
                if fate == Fate::Written
                    && written
                        .as_ref()
                        .is_none_or(|w| walk_order(w, &path).is_lt())
                {
                    written = Some(path.clone());
                }
                members.push(path);
            }
            g.members = members;
            if let Some(w) = written
                && let Some(v) = w.get(root).cloned()
            {
                for m in &g.members {
                    if let Some(slot) = m.get_mut(root)
                        && *slot != v
                    {
                        *slot = v.clone();
                        spread = true;
                    }
                }
                g.value = v;
            }
        }
        aliases.groups.retain(|g| g.members.len() > 1);
        spread
    }
}

/// The order kyaml's merge walk visits two paths in: mapping fields in
/// sorted order, list items in order.
fn walk_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let (mut x, mut y) = (a.steps(), b.steps());
    loop {
        match (x.next(), y.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (p, q) {
                    (Step::Key(p), Step::Key(q)) => p.as_bytes().cmp(q.as_bytes()),
                    (Step::Index(p), Step::Index(q)) => p.cmp(&q),
                    (Step::Key(_), Step::Index(_)) => std::cmp::Ordering::Less,
                    (Step::Index(_), Step::Key(_)) => std::cmp::Ordering::Greater,
                };
                if o.is_ne() {
                    return o;
                }
            }
        }
    }
}

/// The `$patch` directive of a patch mapping, if any.
fn directive(m: &crate::yaml::Map) -> Option<&str> {
    m.get("$patch").and_then(Value::as_str)
}

/// The directive of a patch list, as kyaml reads it: the first mapping
/// item holding `$patch` directs the list when it has no other key.
fn list_directive(items: &[Value]) -> Option<&str> {
    let m = items
        .iter()
        .filter_map(Value::as_map)
        .find(|m| m.contains_key("$patch"))?;
    if m.len() > 1 {
        return None;
    }
    directive(m)
}

/// The texts of an item's merge keys; `None` when one is missing.
fn key_values(item: &Value, keys: &[&str]) -> Option<Vec<(String, String)>> {
    keys.iter()
        .map(|k| {
            item.get(k)
                .and_then(Value::scalar_string)
                .map(|v| (k.to_string(), v))
        })
        .collect()
}

fn member_fate(
    member: &Path,
    dest: &Value,
    patch: &Value,
    top: Option<SchemaRef<'_>>,
) -> (Fate, Vec<ItemLocator>) {
    let mut items = Vec::new();
    let mut d = Some(dest);
    let mut p = Some(patch);
    let mut s = top;
    let mut steps = member.steps().peekable();
    while let Some(step) = steps.next() {
        let last = steps.peek().is_none();
        match step {
            Step::Key(k) => {
                if let Some(pv) = p {
                    let Value::Map(pm) = pv else {
                        return (Fate::Gone, items);
                    };
                    if matches!(directive(pm), Some("replace" | "delete")) {
                        return (Fate::Gone, items);
                    }
                    p = match pm.get(k) {
                        None => None,
                        Some(Value::Null(_)) => return (Fate::Gone, items),
                        Some(c) => Some(c),
                    };
                }
                if last {
                    let fate = match p {
                        Some(Value::Map(_) | Value::Seq(_)) => Fate::Gone,
                        Some(_) => Fate::Written,
                        None if items.is_empty() => Fate::Same,
                        None => Fate::Moved,
                    };
                    return (fate, items);
                }
                if p.is_none() && items.is_empty() && !member_has_index(&steps) {
                    // The patch stops above it, and no list on the way.
                    return (Fate::Same, items);
                }
                d = d.and_then(|v| v.get(k));
                s = s.and_then(|s| s.field(k));
            }
            Step::Index(n) => {
                let merged = s.is_some_and(|s| s.is_merge_list());
                let keys = s.map(|s| s.merge_keys()).unwrap_or_default();
                let item = d.and_then(Value::as_seq).and_then(|list| list.get(n));
                let by_keys = if merged && !keys.is_empty() {
                    item.and_then(|it| key_values(it, &keys))
                } else {
                    None
                };
                if let Some(pv) = p {
                    let Value::Seq(pl) = pv else {
                        return (Fate::Gone, items);
                    };
                    // A replaced list, or list directives: new nodes.
                    let Some(kv) = &by_keys else {
                        return (Fate::Gone, items);
                    };
                    // A list directive (`{$patch: delete|replace}`) gives
                    // new nodes; an item's own `$patch` is the next step's.
                    if matches!(list_directive(pl), Some("delete" | "replace")) {
                        return (Fate::Gone, items);
                    }
                    p = pl
                        .iter()
                        .find(|it| key_values(it, &keys).as_ref() == Some(kv));
                    // kyaml leaves a target item patched with `$patch:
                    // replace` as it was (nodes included).
                    if p.and_then(Value::as_map).and_then(directive) == Some("replace") {
                        p = None;
                    }
                }
                items.push(match by_keys {
                    Some(kv) => ItemLocator::ByKeys(kv),
                    None => ItemLocator::Index,
                });
                d = item;
                s = s.and_then(|s| s.elements());
            }
        }
    }
    (Fate::Gone, items)
}

/// True when the steps left hold a sequence index.
fn member_has_index(steps: &std::iter::Peekable<Steps<'_>>) -> bool {
    steps.clone().any(|s| matches!(s, Step::Index(_)))
}

/// Where `member` is after a merge: its keys, and its list items found
/// again per `items` (one per index step).
fn locate(root: &Value, member: &Path, items: &[ItemLocator]) -> Option<Path> {
    let mut buf = Vec::with_capacity(member.0.len());
    let mut cur = root;
    let mut items = items.iter();
    for step in member.steps() {
        match step {
            Step::Key(k) => {
                cur = cur.get(k)?;
                push_step(&mut buf, step);
            }
            Step::Index(n) => {
                let list = cur.as_seq()?;
                let at = match items.next()? {
                    ItemLocator::Index => n,
                    ItemLocator::ByKeys(kv) => {
                        let matches = |it: &Value| {
                            kv.iter().all(|(k, v)| {
                                it.get(k).and_then(Value::scalar_string).as_deref() == Some(v)
                            })
                        };
                        if list.get(n).is_some_and(matches) {
                            n
                        } else {
                            list.iter().position(matches)?
                        }
                    }
                };
                cur = list.get(at)?;
                push_step(&mut buf, Step::Index(at));
            }
        }
    }
    Some(Path(buf.into_boxed_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fieldspec::default_config;
    use crate::transform::labels::add_labels;
    use crate::transform::testutil::res;
    use serde_json::json;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn deployment() -> Resource {
        res(vec![json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {"template": {"metadata": {"labels": {"tier": "x"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})])
        .remove(0)
    }

    #[test]
    fn created_entries_form_one_group_per_key() {
        let mut rs = vec![deployment()];
        let specs = &default_config().common_labels;
        add_labels(&mut rs, &pairs(&[("tier", "a"), ("app", "b")]), specs).unwrap();
        // `tier` existed in the template: written there, not shared.
        let mut groups = rs[0].aliases.groups();
        groups.iter_mut().for_each(|g| g.sort());
        groups.sort();
        assert_eq!(
            groups,
            vec![
                vec![
                    "metadata/labels/app",
                    "spec/selector/matchLabels/app",
                    "spec/template/metadata/labels/app"
                ],
                vec!["metadata/labels/tier", "spec/selector/matchLabels/tier"],
            ]
        );
    }

    #[test]
    fn one_member_is_no_group() {
        let mut rs = res(vec![json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c"}})]);
        add_labels(
            &mut rs,
            &pairs(&[("a", "b")]),
            &default_config().common_labels,
        )
        .unwrap();
        assert!(rs[0].aliases.is_empty());
    }

    #[test]
    fn sync_writes_the_changed_member_everywhere() {
        let mut rs = vec![deployment()];
        let specs = &default_config().common_labels;
        add_labels(&mut rs, &pairs(&[("app", "a")]), specs).unwrap();
        let r = &mut rs[0];
        *r.value
            .get_path_mut(&["spec", "selector", "matchLabels", "app"])
            .unwrap() = Value::Int(5);
        r.aliases.sync(&mut r.value);
        for p in [
            &["metadata", "labels", "app"][..],
            &["spec", "template", "metadata", "labels", "app"],
        ] {
            assert_eq!(r.value.get_path(p), Some(&Value::Int(5)));
        }
        // A member that went away leaves; the group of two stays.
        r.value
            .get_path_mut(&["metadata", "labels"])
            .unwrap()
            .as_map_mut()
            .unwrap()
            .remove("app");
        r.aliases.sync(&mut r.value);
        assert_eq!(r.aliases.groups()[0].len(), 2);
        r.aliases.drop_under(&["spec", "template"]);
        assert!(r.aliases.is_empty());
    }

    #[test]
    fn reachability_ignores_indexes_and_list_markers() {
        let mut rs = res(vec![json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "s"},
            "spec": {"volumeClaimTemplates": [{"metadata": {"name": "v"}}]}})]);
        add_labels(
            &mut rs,
            &pairs(&[("a", "b")]),
            &default_config().common_labels,
        )
        .unwrap();
        let a = &rs[0].aliases;
        assert!(
            a.groups()[0].contains(&"spec/volumeClaimTemplates/0/metadata/labels/a".to_string())
        );
        assert!(a.reachable("spec/volumeClaimTemplates[]/metadata/labels"));
        assert!(a.reachable("spec/volumeClaimTemplates/metadata/labels/a"));
        assert!(a.reachable("/metadata/labels/a"));
        assert!(!a.reachable("metadata/name"));
        assert!(!a.reachable("spec/template/spec/containers/image"));
    }

    #[test]
    fn paths_encode_and_walk_order() {
        let p = Path::from_steps([Step::Key("a/b"), Step::Index(3), Step::Key("c\0\u{1}")]);
        assert_eq!(
            p.steps().collect::<Vec<_>>(),
            [Step::Key("a/b"), Step::Index(3), Step::Key("c\0\u{1}")]
        );
        assert_eq!(p.readable(), "a\\/b/3/c\0\u{1}");
        let m = Path::from_steps([Step::Key("metadata"), Step::Key("x")]);
        let s = Path::from_steps([Step::Key("spec"), Step::Key("x")]);
        assert!(walk_order(&m, &s).is_lt());
    }
}
