//! The resource model: one Kubernetes object with its identity, the build
//! metadata kustomize tracks beside it (previous ids, prefixes and suffixes
//! applied, generator behaviour), and an id-indexed, order-keeping collection.

use rustc_hash::FxHashMap as HashMap;
use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::yaml::{Map, Value};

/// Group, version and kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    /// API group; empty for the core group.
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl Gvk {
    /// Splits an `apiVersion` (`apps/v1`, `v1`) and pairs it with `kind`.
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk {
            group,
            version,
            kind: kind.to_string(),
        }
    }

    /// The `apiVersion` string (`group/version` or `version`).
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl fmt::Display for Gvk {
    /// `apps/v1 Deployment`, as messages name a type.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let av = self.api_version();
        if av.is_empty() {
            f.write_str(&self.kind)
        } else {
            write!(f, "{} {}", av, self.kind)
        }
    }
}

/// A resource's identity: group, version, kind, namespace and name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResId {
    /// Group, version and kind.
    pub gvk: Gvk,
    /// Namespace; empty when unset.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ResId {
    /// A form for people: `apps/v1 Deployment ns/name` (namespace omitted
    /// when empty).
    pub fn readable(&self) -> String {
        let av = self.gvk.api_version();
        let mut out = String::new();
        if !av.is_empty() {
            out.push_str(&av);
            out.push(' ');
        }
        out.push_str(&self.gvk.kind);
        out.push(' ');
        if !self.namespace.is_empty() {
            out.push_str(&self.namespace);
            out.push('/');
        }
        out.push_str(&self.name);
        out
    }
}

impl fmt::Display for ResId {
    /// [`ResId::readable`]: `apps/v1 Deployment ns/web`, as messages name a
    /// resource.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.readable())
    }
}

/// How a generated resource combines with an existing one of the same id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Behavior {
    /// Not generated, or `behavior: create`.
    #[default]
    Create,
    /// `behavior: merge`.
    Merge,
    /// `behavior: replace`.
    Replace,
}

/// One Kubernetes object plus kustomize's build-time bookkeeping.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The object itself: a mapping.
    pub value: Value,
    /// Ids this resource had before renames and moves, oldest first.
    pub prev_ids: Vec<ResId>,
    /// Name prefixes applied so far, outermost last.
    pub prefixes: Vec<String>,
    /// Name suffixes applied so far, outermost last.
    pub suffixes: Vec<String>,
    /// Generator behaviour, for generated resources.
    pub behavior: Behavior,
    /// True for generated ConfigMaps/Secrets that still need a hash suffix.
    pub needs_hash: bool,
    /// True when the resource came from a generator.
    pub generated: bool,
    /// Ids of the resources that reference this one (filled by name references).
    pub ref_by: Vec<ResId>,
    /// Names of vars that this resource is the target of.
    pub ref_var_names: Vec<String>,
    /// The file the resource was read from, when known.
    pub source: Option<PathBuf>,
    /// Where the resource came from, for `buildMetadata: [originAnnotations]`
    /// (absolute paths; made relative to the top kustomization on output).
    pub origin: Option<Origin>,
    /// The plugin transformers that touched the resource, oldest first, for
    /// `buildMetadata: [transformerAnnotations]`.
    pub transformations: Vec<Origin>,
    /// Fields that are one shared node in kustomize (made by the label and
    /// annotation transformers; see [`crate::alias`]).
    pub aliases: crate::alias::Aliases,
    /// Where each value came from, while a build explains itself
    /// (`aiw explain`); `None` otherwise.
    pub trail: Option<Box<crate::explain::Trail>>,
}

/// What made or configured a resource (kustomize's `resource.Origin`). Paths
/// are absolute while building.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The file the resource was read from.
    pub path: Option<PathBuf>,
    /// The remote repository the file or configuration lies in.
    pub repo: Option<std::sync::Arc<OriginRepo>>,
    /// The file holding the generator or transformer configuration.
    pub configured_in: Option<PathBuf>,
    /// The generator or transformer configuration itself.
    pub configured_by: Option<ConfiguredBy>,
}

/// The remote repository an origin lies in: recorded as `repo:` and `ref:`,
/// with paths relative to the repository (kustomize's `Origin.Append` for a
/// git URL).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OriginRepo {
    /// The URL cloned (`host` + repository path).
    pub url: String,
    /// The ref asked for (empty for the default branch).
    pub git_ref: String,
    /// The checkout's root directory.
    pub root: PathBuf,
    /// The URL named the repository's root: kustomize then records paths
    /// under a `notCloned/` prefix (the placeholder directory it parses the
    /// URL against).
    pub not_cloned: bool,
}

/// The identity of a plugin configuration (kyaml's `ResourceIdentifier`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfiguredBy {
    /// `apiVersion` of the configuration (`builtin` for builtins).
    pub api_version: String,
    /// `kind` of the configuration.
    pub kind: String,
    /// `metadata.name`, when set.
    pub name: String,
    /// `metadata.namespace`, when set.
    pub namespace: String,
}

impl Resource {
    /// Wraps a parsed document, checking it is a mapping with a kind.
    pub fn new(value: Value) -> Resource {
        Resource {
            value,
            prev_ids: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            behavior: Behavior::Create,
            needs_hash: false,
            generated: false,
            ref_by: Vec::new(),
            ref_var_names: Vec::new(),
            source: None,
            origin: None,
            transformations: Vec::new(),
            aliases: crate::alias::Aliases::default(),
            trail: None,
        }
    }

    /// The top-level mapping.
    pub fn map(&self) -> &Map {
        self.value.as_map().expect("resource is a mapping")
    }

    /// The top-level mapping, mutably.
    pub fn map_mut(&mut self) -> &mut Map {
        self.value.as_map_mut().expect("resource is a mapping")
    }

    fn str_at(&self, path: &[&str]) -> &str {
        self.value
            .get_path(path)
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        self.str_at(&["kind"])
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        self.str_at(&["apiVersion"])
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.str_at(&["metadata", "name"])
    }

    /// `metadata.namespace` (empty when unset).
    pub fn namespace(&self) -> &str {
        self.str_at(&["metadata", "namespace"])
    }

    /// Group, version and kind.
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    /// The current id.
    pub fn id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            namespace: self.namespace().to_string(),
            name: self.name().to_string(),
        }
    }

    /// The id the resource was first loaded with.
    pub fn orig_id(&self) -> ResId {
        self.prev_ids.first().cloned().unwrap_or_else(|| self.id())
    }

    /// Remembers the current id as a previous one (before a rename), with
    /// its namespace made effective as kustomize records it.
    pub fn store_previous_id(&mut self) {
        let id = self.id().effective();
        self.prev_ids.push(id);
    }

    /// The `metadata` mapping, created when absent.
    pub fn metadata_mut(&mut self) -> &mut Map {
        let meta = self
            .map_mut()
            .entry_or_insert_with("metadata", || Value::Map(Map::new()));
        if !matches!(meta, Value::Map(_)) {
            *meta = Value::Map(Map::new());
        }
        meta.as_map_mut().expect("mapping")
    }

    /// Sets `metadata.name`.
    pub fn set_name(&mut self, name: &str) {
        self.metadata_mut()
            .insert("name", Value::String(name.to_string()));
    }

    /// Sets `metadata.namespace`.
    pub fn set_namespace(&mut self, ns: &str) {
        self.metadata_mut()
            .insert("namespace", Value::String(ns.to_string()));
    }

    /// `metadata.labels` (or `metadata.annotations`) as string pairs.
    pub fn string_map(&self, field: &str) -> Vec<(String, String)> {
        match self.value.get_path(&["metadata", field]) {
            Some(Value::Map(m)) => m
                .iter()
                .map(|(k, v)| (k.clone(), v.scalar_string().unwrap_or_default()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `metadata.labels` as string pairs.
    pub fn labels(&self) -> Vec<(String, String)> {
        self.string_map("labels")
    }

    /// `metadata.annotations` as string pairs.
    pub fn annotations(&self) -> Vec<(String, String)> {
        self.string_map("annotations")
    }
}

/// The namespace kustomize compares ids by: `_non_namespaceable_` for
/// cluster-scoped kinds, `default` for an empty namespace.
pub fn effective_namespace<'a>(gvk: &Gvk, namespace: &'a str) -> &'a str {
    if is_cluster_scoped(gvk) {
        "_non_namespaceable_"
    } else if namespace.is_empty() {
        "default"
    } else {
        namespace
    }
}

/// True when the kind is certainly cluster-scoped per the builtin schema.
pub fn is_cluster_scoped(gvk: &Gvk) -> bool {
    let schema = crate::schema::Schema::builtin();
    if gvk.group.is_empty() {
        return schema.is_cluster_scoped(&gvk.version, &gvk.kind);
    }
    // `group/version` in a stack buffer: this runs for every id comparison.
    let mut buf = [0u8; 128];
    let (g, v) = (gvk.group.as_bytes(), gvk.version.as_bytes());
    let n = g.len() + 1 + v.len();
    if n > buf.len() {
        return schema.is_cluster_scoped(&gvk.api_version(), &gvk.kind);
    }
    buf[..g.len()].copy_from_slice(g);
    buf[g.len()] = b'/';
    buf[g.len() + 1..n].copy_from_slice(v);
    match std::str::from_utf8(&buf[..n]) {
        Ok(api_version) => schema.is_cluster_scoped(api_version, &gvk.kind),
        Err(_) => schema.is_cluster_scoped(&gvk.api_version(), &gvk.kind),
    }
}

impl ResId {
    /// The id with its namespace replaced by the effective one, for equality
    /// tests the way kustomize's `ResId.Equals` does them.
    pub fn effective(&self) -> ResId {
        ResId {
            gvk: self.gvk.clone(),
            namespace: effective_namespace(&self.gvk, &self.namespace).to_string(),
            name: self.name.clone(),
        }
    }

    /// Equality with namespaces compared effectively (`""` == `default`).
    pub fn equals(&self, other: &ResId) -> bool {
        self.gvk == other.gvk
            && self.name == other.name
            && effective_namespace(&self.gvk, &self.namespace)
                == effective_namespace(&other.gvk, &other.namespace)
    }
}

/// Resources per thread, at least, when [`ResMap::update_each`] splits its
/// work over spare cores.
const UPDATE_PARALLEL_MIN: usize = 16;

/// Resources in build order, indexed by every id (current and previous) they
/// have had, compared effectively.
#[derive(Clone, Debug, Default)]
pub struct ResMap {
    resources: Vec<Resource>,
    /// Per position: the effective current id and every effective id (sorted,
    /// deduplicated) the resource is indexed under.
    keys: Vec<Keys>,
    /// Positions by the hash of an effective id ([`id_hash`]); a lookup
    /// checks the resources it finds against the id itself, so two ids
    /// with one hash cost a comparison, never a wrong answer.
    index: HashMap<u64, Vec<usize>>,
    /// The positions changed since [`ResMap::track_changes`]; `None` (and
    /// nothing recorded) unless a build explains itself.
    changes: Option<Box<Changes>>,
}

/// What [`ResMap`] records while tracking changes.
#[derive(Clone, Debug, Default)]
struct Changes {
    /// Every position may have changed.
    all: bool,
    /// Positions changed, in any order, maybe repeated.
    positions: Vec<usize>,
}

/// The ids one resource is indexed under, as [`id_hash`]es: its current
/// effective id and every effective id it had (sorted, deduplicated).
#[derive(Clone, Debug, Default, PartialEq)]
struct Keys {
    current: u64,
    all: Vec<u64>,
}

/// The hash of the effective id (see [`ResId::effective`]) of a resource of
/// `gvk` named `namespace`/`name`, from the parts in place (no id is built).
fn id_hash(group: &str, version: &str, kind: &str, namespace: &str, name: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    #[cfg(test)]
    if tests::ONE_HASH.with(|c| c.get()) {
        return 7;
    }
    let mut h = rustc_hash::FxHasher::default();
    for part in [group, version, kind, namespace, name] {
        part.hash(&mut h);
    }
    h.finish()
}

impl ResId {
    /// [`id_hash`] of this id.
    fn index_hash(&self) -> u64 {
        let g = &self.gvk;
        id_hash(
            &g.group,
            &g.version,
            &g.kind,
            effective_namespace(g, &self.namespace),
            &self.name,
        )
    }
}

/// True when `r`'s current id is `key` (an effective id), compared in place.
fn current_id_is(r: &Resource, key: &ResId) -> bool {
    let api = r.api_version();
    let (group, version) = api.split_once('/').unwrap_or(("", api));
    key.name == r.name()
        && key.gvk.kind == r.kind()
        && key.gvk.group == group
        && key.gvk.version == version
        && key.namespace == effective_namespace(&key.gvk, r.namespace())
}

/// True when `a` and `b` have the same current id (compared effectively).
fn same_current_id(a: &Resource, b: &Resource) -> bool {
    a.name() == b.name()
        && a.kind() == b.kind()
        && a.api_version() == b.api_version()
        && (a.namespace() == b.namespace() || {
            let gvk = a.gvk();
            effective_namespace(&gvk, a.namespace()) == effective_namespace(&gvk, b.namespace())
        })
}

/// The [`id_hash`] of `r`'s current id.
fn current_hash(r: &Resource) -> u64 {
    let api = r.api_version();
    let (group, version) = api.split_once('/').unwrap_or(("", api));
    let kind = r.kind();
    let namespace = if crate::schema::Schema::builtin().is_cluster_scoped(api, kind) {
        "_non_namespaceable_"
    } else if r.namespace().is_empty() {
        "default"
    } else {
        r.namespace()
    };
    id_hash(group, version, kind, namespace, r.name())
}

impl ResMap {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// The resources in order.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// Takes the resources out, in order.
    pub fn into_resources(self) -> Vec<Resource> {
        self.resources
    }

    fn keys_of(r: &Resource) -> Keys {
        let current = current_hash(r);
        let mut all: Vec<u64> = Vec::with_capacity(r.prev_ids.len() + 1);
        all.extend(r.prev_ids.iter().map(ResId::index_hash));
        all.push(current);
        if all.len() > 1 {
            all.sort_unstable();
            all.dedup();
        }
        Keys { current, all }
    }

    /// True when `keys` still hold `r`'s current id.
    fn keys_current(keys: &Keys, r: &Resource) -> bool {
        keys.current == current_hash(r)
    }

    /// Indexes the resource at `pos` (its keys not yet in `self.keys`).
    fn index_add(&mut self, pos: usize, keys: Keys) {
        for &k in &keys.all {
            let v = self.index.entry(k).or_default();
            if let Err(at) = v.binary_search(&pos) {
                v.insert(at, pos);
            }
        }
        if pos == self.keys.len() {
            self.keys.push(keys);
        } else {
            self.keys[pos] = keys;
        }
    }

    fn index_remove(&mut self, pos: usize) {
        let keys = std::mem::take(&mut self.keys[pos]);
        for k in &keys.all {
            if let Some(v) = self.index.get_mut(k) {
                if let Ok(at) = v.binary_search(&pos) {
                    v.remove(at);
                }
                if v.is_empty() {
                    self.index.remove(k);
                }
            }
        }
    }

    /// Appends a resource; fails when its current id is already present.
    pub fn append(&mut self, r: Resource) -> Result<()> {
        let id = r.id();
        if !self.positions(&id).is_empty() {
            return Err(Error::msg(format!(
                "may not add resource with an already registered id: {}",
                id
            )));
        }
        self.push(r);
        Ok(())
    }

    /// Appends every resource of `other` in order (reusing the ids it has
    /// already worked out), failing at the first whose current id is
    /// already present.
    pub fn append_all(&mut self, other: ResMap) -> Result<()> {
        for (r, keys) in other.resources.into_iter().zip(other.keys) {
            // A transformer given `resources_mut` may have moved the current
            // id (a custom field spec on `metadata/name`): check, in place.
            let keys = if Self::keys_current(&keys, &r) {
                keys
            } else {
                Self::keys_of(&r)
            };
            let taken = self.index.get(&keys.current).and_then(|v| {
                v.iter().find(|&&p| {
                    self.keys[p].current == keys.current && same_current_id(&self.resources[p], &r)
                })
            });
            if let Some(&pos) = taken {
                return Err(Error::msg(format!(
                    "may not add resource with an already registered id: {}",
                    self.resources[pos].id()
                )));
            }
            self.resources.push(r);
            self.index_add(self.resources.len() - 1, keys);
        }
        Ok(())
    }

    /// Appends a resource without checking for a duplicate id.
    pub fn push(&mut self, r: Resource) {
        let keys = Self::keys_of(&r);
        self.resources.push(r);
        self.index_add(self.resources.len() - 1, keys);
        self.changed(self.resources.len() - 1);
    }

    /// Starts recording which resources change (for `aiw explain`).
    pub(crate) fn track_changes(&mut self) {
        self.changes = Some(Box::default());
    }

    /// The positions changed since [`ResMap::track_changes`], ascending,
    /// and stops recording; `None` when nothing was recorded.
    pub(crate) fn take_changes(&mut self) -> Option<Vec<usize>> {
        let c = self.changes.take()?;
        if c.all {
            return Some((0..self.resources.len()).collect());
        }
        let mut p = c.positions;
        p.sort_unstable();
        p.dedup();
        p.retain(|&i| i < self.resources.len());
        Some(p)
    }

    /// Records a change at `pos` when tracking.
    fn changed(&mut self, pos: usize) {
        if let Some(c) = &mut self.changes {
            c.positions.push(pos);
        }
    }

    /// Records that any resource may have changed, when tracking.
    fn changed_all(&mut self) {
        if let Some(c) = &mut self.changes {
            c.all = true;
        }
    }

    /// Positions of resources whose current id equals `id`, in order.
    pub fn positions(&self, id: &ResId) -> Vec<usize> {
        let h = id.index_hash();
        let Some(v) = self.index.get(&h) else {
            return Vec::new();
        };
        let key = id.effective();
        v.iter()
            .copied()
            .filter(|&p| self.keys[p].current == h && current_id_is(&self.resources[p], &key))
            .collect()
    }

    /// Positions of resources whose current id or any previous id equals
    /// `id` (kustomize's `GetMatchingResourcesByAnyId`), in order.
    pub fn find_by_any_id(&self, id: &ResId) -> Vec<usize> {
        let Some(v) = self.index.get(&id.index_hash()) else {
            return Vec::new();
        };
        let key = id.effective();
        v.iter()
            .copied()
            .filter(|&p| {
                let r = &self.resources[p];
                current_id_is(r, &key) || r.prev_ids.iter().any(|prev| prev.equals(&key))
            })
            .collect()
    }

    /// The resource at `pos`.
    pub fn get(&self, pos: usize) -> &Resource {
        &self.resources[pos]
    }

    /// Mutates the resource at `pos` with `f`, keeping the index right.
    pub fn update<T>(&mut self, pos: usize, f: impl FnOnce(&mut Resource) -> T) -> T {
        self.changed(pos);
        let out = f(&mut self.resources[pos]);
        let keys = Self::keys_of(&self.resources[pos]);
        if keys != self.keys[pos] {
            self.index_remove(pos);
            self.index_add(pos, keys);
        }
        out
    }

    /// Mutates the resources at `positions` (ascending; others are skipped)
    /// with `f(position, resource)`, split over spare cores when there are
    /// many, keeping the index right. Results come in position order, one
    /// per position. `f` must not depend on the other resources' changes.
    pub fn update_each<T, F>(&mut self, positions: &[usize], f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize, &mut Resource) -> T + Sync,
    {
        debug_assert!(positions.windows(2).all(|w| w[0] < w[1]));
        if let Some(c) = &mut self.changes {
            c.positions.extend_from_slice(positions);
        }
        let mut wanted = positions.iter().copied().peekable();
        let mut picked: Vec<(usize, &mut Resource)> = Vec::with_capacity(positions.len());
        for (pos, r) in self.resources.iter_mut().enumerate() {
            if wanted.peek() == Some(&pos) {
                wanted.next();
                picked.push((pos, r));
            }
        }
        let done = crate::workers::map_each(&mut picked, UPDATE_PARALLEL_MIN, |(pos, r)| {
            let out = f(*pos, r);
            (*pos, out, Self::keys_of(r))
        });
        let mut out = Vec::with_capacity(done.len());
        for (pos, value, keys) in done {
            if keys != self.keys[pos] {
                self.index_remove(pos);
                self.index_add(pos, keys);
            }
            out.push(value);
        }
        out
    }

    /// Replaces all resources (rebuilding the index).
    pub fn replace_all(&mut self, resources: Vec<Resource>) {
        self.resources = resources;
        self.reindex();
        self.changed_all();
    }

    /// Rebuilds the id index after bulk edits through [`ResMap::resources_mut`].
    pub fn reindex(&mut self) {
        self.index.clear();
        self.keys.clear();
        for pos in 0..self.resources.len() {
            let keys = Self::keys_of(&self.resources[pos]);
            self.index_add(pos, keys);
        }
    }

    /// Mutable access to every resource. Call [`ResMap::reindex`] afterwards
    /// when ids may have changed.
    pub fn resources_mut(&mut self) -> &mut [Resource] {
        self.changed_all();
        &mut self.resources
    }

    /// Removes the resources at the given positions.
    pub fn remove_positions(&mut self, positions: &[usize]) {
        if positions.is_empty() {
            return;
        }
        let drop: std::collections::HashSet<usize> = positions.iter().copied().collect();
        let kept = std::mem::take(&mut self.resources)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !drop.contains(i))
            .map(|(_, r)| r)
            .collect();
        self.replace_all(kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Every id hashes alike (on this thread): lookups must still
        /// tell ids apart.
        pub(super) static ONE_HASH: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    #[test]
    fn ids_with_one_hash_are_still_told_apart() {
        ONE_HASH.with(|c| c.set(true));
        let mut m = ResMap::new();
        for n in ["a", "b", "c"] {
            m.push(cm(n));
        }
        assert_eq!(m.positions(&cm("b").id()), [1]);
        assert!(m.positions(&cm("z").id()).is_empty());
        let mut other = ResMap::new();
        other.push(cm("d"));
        m.append_all(other).unwrap();
        let mut dup = ResMap::new();
        dup.push(cm("c"));
        assert!(m.append_all(dup).is_err());
        m.update(0, |r| {
            r.prev_ids.push(r.id());
            r.set_name("a2");
        });
        assert_eq!(m.positions(&cm("a2").id()), [0]);
        assert!(m.positions(&cm("a").id()).is_empty());
        assert_eq!(m.find_by_any_id(&cm("a").id()), [0]);
        assert_eq!(m.find_by_any_id(&cm("d").id()), [3]);
        ONE_HASH.with(|c| c.set(false));
    }

    fn cm(name: &str) -> Resource {
        Resource::new(Value::from(serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}
        })))
    }

    fn names(m: &ResMap) -> Vec<&str> {
        m.resources().iter().map(|r| r.name()).collect()
    }

    #[test]
    fn append_all_keeps_order_and_index() {
        let mut a = ResMap::new();
        a.push(cm("a"));
        let mut b = ResMap::new();
        b.push(cm("b"));
        b.push(cm("c"));
        a.append_all(b).unwrap();
        assert_eq!(names(&a), ["a", "b", "c"]);
        assert_eq!(a.positions(&cm("c").id()), [2]);
    }

    #[test]
    fn append_all_refuses_a_taken_id() {
        let mut a = ResMap::new();
        a.push(cm("a"));
        let mut b = ResMap::new();
        b.push(cm("a"));
        let e = a.append_all(b).unwrap_err();
        assert!(e.message.contains("already registered id"), "{}", e.message);
    }

    #[test]
    fn append_all_sees_ids_moved_without_reindexing() {
        // A name changed through `resources_mut` (no reindex): the appended
        // resource is indexed, and checked, under its new name.
        let mut a = ResMap::new();
        a.push(cm("x"));
        let mut b = ResMap::new();
        b.push(cm("y"));
        b.resources_mut()[0].set_name("x");
        assert!(a.clone().append_all(b.clone()).is_err());
        let mut c = ResMap::new();
        c.append_all(b).unwrap();
        assert_eq!(c.positions(&cm("x").id()), [0]);
        assert!(c.positions(&cm("y").id()).is_empty());
    }

    #[test]
    fn update_each_reindexes_changed_ids() {
        let mut m = ResMap::new();
        for n in ["a", "b", "c", "d"] {
            m.push(cm(n));
        }
        let out = m.update_each(&[1, 3], |pos, r| {
            let name = format!("{}-{}", r.name(), pos);
            r.set_name(&name);
            pos
        });
        assert_eq!(out, [1, 3]);
        assert_eq!(names(&m), ["a", "b-1", "c", "d-3"]);
        assert_eq!(m.positions(&cm("d-3").id()), [3]);
        assert!(m.positions(&cm("b").id()).is_empty());
    }
}
