//! A resource's provenance: a [`Trail`] shaped like its value, each leaf with
//! its history, kept up to date by `Trail::sync` after every step.

use std::sync::Arc;

use crate::yaml::{Map, Pos, PosTree, Value};

/// What kind of step wrote a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// Read from a resource file.
    Resource,
    /// A strategic merge or JSON 6902 patch.
    Patch,
    /// An `images` entry.
    Images,
    /// `namespace`.
    Namespace,
    /// `namePrefix`.
    NamePrefix,
    /// `nameSuffix`.
    NameSuffix,
    /// `labels` or `commonLabels`.
    Labels,
    /// `commonAnnotations`.
    Annotations,
    /// A `replicas` entry.
    Replicas,
    /// A `replacements` entry.
    Replacement,
    /// A `vars` entry (a `$(VAR)` resolved).
    Var,
    /// A `configMapGenerator`, `secretGenerator` or `generators` entry.
    Generator,
    /// A name reference rewritten after a rename.
    NameReference,
    /// A generated resource's hash suffix.
    HashSuffix,
    /// A `transformers` entry.
    Transformer,
    /// `buildMetadata`.
    BuildMetadata,
}

impl StepKind {
    /// The name used in output (`patch`, `name reference`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Resource => "resource",
            StepKind::Patch => "patch",
            StepKind::Images => "images",
            StepKind::Namespace => "namespace",
            StepKind::NamePrefix => "namePrefix",
            StepKind::NameSuffix => "nameSuffix",
            StepKind::Labels => "labels",
            StepKind::Annotations => "annotations",
            StepKind::Replicas => "replicas",
            StepKind::Replacement => "replacement",
            StepKind::Var => "var",
            StepKind::Generator => "generator",
            StepKind::NameReference => "name reference",
            StepKind::HashSuffix => "hash suffix",
            StepKind::Transformer => "transformer",
            StepKind::BuildMetadata => "buildMetadata",
        }
    }
}

/// A place in a file: the file as error messages name it, and a position
/// (line 0 when only the file is known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file, relative to the current directory as in error messages.
    pub file: Arc<str>,
    /// Line and column.
    pub pos: Pos,
}

/// Where a copied value (a replacement's source, a var's value) was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The step that set it.
    pub step: StepKind,
    /// Where.
    pub place: Place,
}

/// One step of a field's history.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// What kind of step.
    pub step: StepKind,
    /// Where in which file the step's value came from.
    pub place: Place,
    /// The value after the step.
    pub value: Value,
    /// For copies (replacements, vars): where the copied value was set.
    pub from: Option<Box<Origin>>,
}

/// A node of a [`Trail`]: the history of a leaf (a scalar or an empty
/// collection), or the nodes of a collection's children.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// Oldest first; empty for non-empty collections.
    pub(crate) history: Vec<Event>,
    /// The children, in the value's order.
    pub(crate) kids: Kids,
}

/// The children of a [`Node`].
#[derive(Clone, Debug, Default)]
pub(crate) enum Kids {
    /// A leaf.
    #[default]
    Leaf,
    /// A non-empty mapping's entries, keyed.
    Map(Vec<(String, Node)>),
    /// A non-empty sequence's items.
    Seq(Vec<Node>),
}

impl Node {
    /// The last event of a leaf.
    pub fn last(&self) -> Option<&Event> {
        match self.kids {
            Kids::Leaf => self.history.last(),
            _ => None,
        }
    }

    /// The history of a leaf, oldest first (empty for collections).
    pub fn history(&self) -> &[Event] {
        &self.history
    }

    /// The child under `key` of a mapping node.
    pub fn key(&self, key: &str) -> Option<&Node> {
        match &self.kids {
            Kids::Map(kids) => kids.iter().find(|(k, _)| k == key).map(|(_, n)| n),
            _ => None,
        }
    }

    /// Child `i` of a collection node (a mapping's `i`-th entry).
    pub fn child(&self, i: usize) -> Option<&Node> {
        match &self.kids {
            Kids::Map(kids) => kids.get(i).map(|(_, n)| n),
            Kids::Seq(kids) => kids.get(i),
            Kids::Leaf => None,
        }
    }

    /// The node shaped like `value` at the node `target` points into
    /// (found by address): the trail of a field the caller has a reference
    /// to.
    pub fn find<'n>(&'n self, value: &Value, target: *const Value) -> Option<&'n Node> {
        if std::ptr::eq(value, target) {
            return Some(self);
        }
        match (value, &self.kids) {
            (Value::Map(m), Kids::Map(kids)) => m
                .entries()
                .iter()
                .zip(kids)
                .find_map(|((_, v), (_, n))| n.find(v, target)),
            (Value::Seq(items), Kids::Seq(kids)) => {
                items.iter().zip(kids).find_map(|(v, n)| n.find(v, target))
            }
            _ => None,
        }
    }
}

/// A resource's provenance: a tree shaped like its value.
#[derive(Clone, Debug, Default)]
pub struct Trail {
    /// The root (the resource's top mapping).
    pub(crate) root: Node,
    /// The generator entry that last made or merged the resource.
    pub(crate) generated_at: Option<Place>,
}

impl Trail {
    /// The root node.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// The generator entry that last made or merged the resource.
    pub fn generated_at(&self) -> Option<&Place> {
        self.generated_at.as_ref()
    }

    /// Forgets the history of the top-level fields `keys` (a generator
    /// with `behavior: replace` replaces a resource's data: what it sets
    /// is its own, even where the old value was the same).
    pub(crate) fn forget(&mut self, keys: &[&str]) {
        if let Kids::Map(kids) = &mut self.root.kids {
            kids.retain(|(k, _)| !keys.contains(&k.as_str()));
        }
    }
}

/// What a leaf's place can depend on, for [`Locate::With`].
pub(crate) struct Leaf<'v> {
    /// The mapping key the leaf sits under (none in a sequence).
    pub key: Option<&'v str>,
    /// The leaf's depth (1 for the resource's top-level fields).
    pub depth: usize,
    /// The key of the mapping entry at depth 1 above it (`data`, `spec`…).
    pub top: Option<&'v str>,
    /// The leaf is the field that identifies its list item (a container's
    /// `name`…): a patch names it to find the item, not to set it.
    pub ident: bool,
    /// The leaf's last value before the step, if it had one.
    pub old: Option<&'v Value>,
    /// The new value.
    pub new: &'v Value,
}

/// A function giving a changed leaf's place (and its source, for copies).
pub(crate) type LocateFn<'a> = dyn Fn(&Leaf<'_>) -> Option<(Place, Option<Origin>)> + Sync + 'a;

/// How a step finds the place of each value it wrote.
#[derive(Clone)]
pub(crate) enum Locate<'a> {
    /// Every value at the step's own place.
    Entry,
    /// A document shaped like the resource: a resource file, a strategic
    /// merge patch. A value sits where the document has it (or at the
    /// nearest enclosing node it has). With `touch`, a value the document
    /// sets to what it already was is recorded too.
    Doc {
        /// The document's file.
        file: Arc<str>,
        /// The document.
        value: &'a Value,
        /// Its positions.
        pos: &'a PosTree,
        /// Record unchanged values the document names.
        touch: bool,
        /// The step changes nothing outside the mapping keys the document
        /// has (a strategic merge patch without `$` directives): other
        /// entries are not walked.
        limited: bool,
    },
    /// A JSON 6902 operation: values under its path sit where its `value`
    /// has them.
    Op {
        /// The file holding the patch.
        file: Arc<str>,
        /// The operation's path, decoded (`-` for the end of a list).
        path: &'a [String],
        /// The operation's value and its positions (add, replace, test).
        value: Option<(&'a Value, &'a PosTree)>,
        /// The operation's own position (its `path` when it has no value).
        at: Pos,
        /// Record unchanged values the operation writes (add, replace).
        touch: bool,
        /// The operation changes nothing off its path (all but `move` and
        /// `copy`): other entries are not walked.
        limited: bool,
    },
    /// A function of the leaf.
    With(&'a LocateFn<'a>),
}

/// One step as `Trail::sync` sees it.
#[derive(Clone)]
pub(crate) struct Step<'a> {
    /// What kind.
    pub kind: StepKind,
    /// Its place: where values sit when nothing finer is known.
    pub place: Place,
    /// How finer places are found.
    pub locate: Locate<'a>,
    /// Where the step can change anything, when it is known (the field
    /// specs of a labels or annotations step): the rest is not walked.
    pub scope: Option<&'a Scope>,
}

/// The fields a step can change: a tree of mapping keys (sequences met on
/// the way are fanned out, as field specs are); below an `end` node,
/// anything.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    kids: Vec<(String, Scope)>,
    end: bool,
}

impl Scope {
    /// The scope of field specs with these paths (`spec/template/metadata/
    /// labels`, `spec/volumeClaimTemplates[]/metadata/labels`).
    pub(crate) fn of_paths<'p>(paths: impl IntoIterator<Item = &'p str>) -> Scope {
        let mut root = Scope::default();
        for p in paths {
            let mut node = &mut root;
            for seg in crate::fieldspec::split_path(p) {
                let seg = seg.strip_suffix("[]").unwrap_or(&seg).to_string();
                let i = match node.kids.iter().position(|(k, _)| *k == seg) {
                    Some(i) => i,
                    None => {
                        node.kids.push((seg, Scope::default()));
                        node.kids.len() - 1
                    }
                };
                node = &mut node.kids[i].1;
            }
            node.end = true;
        }
        root
    }

    /// The scope below `key` of a mapping in this scope: `None` when the
    /// entry cannot change, `Some(None)` when anything below can.
    #[inline]
    fn below(&self, key: &str) -> Option<Option<&Scope>> {
        let (_, s) = self.kids.iter().find(|(k, _)| k == key)?;
        Some(if s.end { None } else { Some(s) })
    }
}

/// Where the walk is in the step's source document.
#[derive(Clone, Copy)]
enum Cur<'s> {
    /// No document, or outside it.
    Off,
    /// At this node of the document.
    In(&'s Value, &'s PosTree),
    /// Below a node the document does not have; the nearest one it has.
    Lost(Pos),
    /// The first `n` segments of a JSON 6902 path matched.
    OpPath(usize),
}

/// A list item's identity, for matching items across a step (and into a
/// patch's lists): a scalar item itself, or a mapping item's first
/// identifying field.
#[derive(Clone, Copy, PartialEq)]
enum Ident<'v> {
    None,
    Scalar(&'v Value),
    Keyed(&'static str, &'v Value),
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Map(_) | Value::Seq(_))
}

/// The rank of `k` among the identifying keys (`aiw diff`'s `ITEM_KEYS`),
/// if it is one.
#[inline]
fn item_key_rank(k: &str) -> Option<usize> {
    match k {
        "name" => Some(0),
        "mountPath" => Some(1),
        "devicePath" => Some(2),
        "containerPort" => Some(3),
        "port" => Some(4),
        "ip" => Some(5),
        _ => None,
    }
}

/// The identity from the best-ranked identifying key among `entries`
/// (key, scalar value), in one pass.
fn keyed<'v>(entries: impl Iterator<Item = (&'v str, Option<&'v Value>)>) -> Ident<'v> {
    let mut best: Option<(usize, &'static str, &'v Value)> = None;
    for (k, v) in entries {
        if let (Some(rank), Some(v)) = (item_key_rank(k), v)
            && best.is_none_or(|(r, _, _)| rank < r)
            && is_scalar(v)
        {
            best = Some((rank, crate::diff::ITEM_KEYS[rank], v));
            if rank == 0 {
                break;
            }
        }
    }
    best.map_or(Ident::None, |(_, k, v)| Ident::Keyed(k, v))
}

fn ident_of_value(v: &Value) -> Ident<'_> {
    match v {
        Value::Map(m) => keyed(m.entries().iter().map(|(k, v)| (k.as_str(), Some(v)))),
        Value::Seq(_) => Ident::None,
        other => Ident::Scalar(other),
    }
}

fn ident_of_node(n: &Node) -> Ident<'_> {
    match &n.kids {
        Kids::Leaf => match n.history.last() {
            Some(e) if is_scalar(&e.value) => Ident::Scalar(&e.value),
            _ => Ident::None,
        },
        Kids::Map(kids) => keyed(
            kids.iter()
                .map(|(k, n)| (k.as_str(), n.last().map(|e| &e.value))),
        ),
        Kids::Seq(_) => Ident::None,
    }
}

/// A hashable form of an identity, for long lists.
fn ident_text(i: Ident<'_>) -> Option<String> {
    match i {
        Ident::None => None,
        Ident::Scalar(v) => Some(format!("{v:?}")),
        Ident::Keyed(k, v) => Some(format!("{k}\u{0}{v:?}")),
    }
}

/// Lists longer than this match items through a hash map.
const LINEAR_MATCH_MAX: usize = 32;

/// For each new item, the old item it continues (see `Trail::sync`).
fn match_items(old: &[Node], new: &[Value]) -> Vec<Option<usize>> {
    let old_ids: Vec<Ident<'_>> = old.iter().map(ident_of_node).collect();
    let new_ids: Vec<Ident<'_>> = new.iter().map(ident_of_value).collect();
    let mut used = vec![false; old.len()];
    let mut out = vec![None; new.len()];
    if old.len() <= LINEAR_MATCH_MAX && new.len() <= LINEAR_MATCH_MAX {
        for (j, id) in new_ids.iter().enumerate() {
            if *id == Ident::None {
                continue;
            }
            if let Some(i) = (0..old.len()).find(|&i| !used[i] && old_ids[i] == *id) {
                used[i] = true;
                out[j] = Some(i);
            }
        }
    } else {
        let mut by_id: rustc_hash::FxHashMap<String, std::collections::VecDeque<usize>> =
            rustc_hash::FxHashMap::default();
        for (i, id) in old_ids.iter().enumerate() {
            if let Some(t) = ident_text(*id) {
                by_id.entry(t).or_default().push_back(i);
            }
        }
        for (j, id) in new_ids.iter().enumerate() {
            if let Some(i) = ident_text(*id)
                .and_then(|t| by_id.get_mut(&t))
                .and_then(|q| q.pop_front())
            {
                used[i] = true;
                out[j] = Some(i);
            }
        }
    }
    // What is left pairs by position (a scalar item replaced, a keyless
    // item changed), except items keyed differently (one removed, another
    // added).
    for j in 0..new.len() {
        if out[j].is_none() && j < old.len() && !used[j] {
            let differently_keyed = matches!(
                (old_ids[j], new_ids[j]),
                (Ident::Keyed(..), Ident::Keyed(..))
            );
            if !differently_keyed {
                used[j] = true;
                out[j] = Some(j);
            }
        }
    }
    out
}

/// The item of a source document's list that `item` (at `index` of a list
/// of `len` items) corresponds to: the same identity, or the same index in
/// a list as long.
fn source_item(items: &[Value], index: usize, len: usize, item: &Value) -> Option<usize> {
    let id = ident_of_value(item);
    if id != Ident::None
        && let Some(i) = items.iter().position(|s| ident_of_value(s) == id)
    {
        return Some(i);
    }
    (items.len() == len && index < len && id == Ident::None).then_some(index)
}

/// The context of one `Trail::sync` walk.
struct Walk<'a, 's> {
    step: &'s Step<'a>,
}

impl Walk<'_, '_> {
    fn start(&self) -> Cur<'_> {
        match &self.step.locate {
            Locate::Doc { value, pos, .. } => Cur::In(value, pos),
            Locate::Op { path, .. } => self.op_cur(0, path.len()),
            _ => Cur::Off,
        }
    }

    /// The cursor once `n` segments of an operation's path have matched.
    fn op_cur(&self, n: usize, len: usize) -> Cur<'_> {
        match &self.step.locate {
            Locate::Op { value, at, .. } if n == len => match value {
                Some((v, t)) => Cur::In(v, t),
                None => Cur::Lost(*at),
            },
            _ => Cur::OpPath(n),
        }
    }

    #[inline]
    fn cur_key<'c>(&'c self, cur: Cur<'c>, key: &str) -> Cur<'c> {
        match cur {
            Cur::Off => Cur::Off,
            Cur::Lost(p) => Cur::Lost(p),
            _ => self.cur_key_in(cur, key),
        }
    }

    fn cur_key_in<'c>(&'c self, cur: Cur<'c>, key: &str) -> Cur<'c> {
        match cur {
            Cur::In(Value::Map(m), t) => match m.entries().iter().position(|(k, _)| k == key) {
                Some(i) => match t.kids.get(i) {
                    Some(kt) => Cur::In(&m.entries()[i].1, kt),
                    None => Cur::Lost(t.pos),
                },
                None => Cur::Lost(t.pos),
            },
            Cur::In(_, t) => Cur::Lost(t.pos),
            Cur::OpPath(n) => match &self.step.locate {
                Locate::Op { path, .. } if path.get(n).is_some_and(|s| s == key) => {
                    self.op_cur(n + 1, path.len())
                }
                _ => Cur::Off,
            },
            other => other,
        }
    }

    #[inline]
    fn cur_item<'c>(&'c self, cur: Cur<'c>, index: usize, len: usize, item: &Value) -> Cur<'c> {
        match cur {
            Cur::Off => Cur::Off,
            Cur::Lost(p) => Cur::Lost(p),
            _ => self.cur_item_in(cur, index, len, item),
        }
    }

    fn cur_item_in<'c>(&'c self, cur: Cur<'c>, index: usize, len: usize, item: &Value) -> Cur<'c> {
        match cur {
            Cur::In(Value::Seq(items), t) => match source_item(items, index, len, item) {
                Some(i) => match t.kids.get(i) {
                    Some(kt) => Cur::In(&items[i], kt),
                    None => Cur::Lost(t.pos),
                },
                None => Cur::Lost(t.pos),
            },
            Cur::In(_, t) => Cur::Lost(t.pos),
            Cur::OpPath(n) => match &self.step.locate {
                Locate::Op { path, .. }
                    if path.get(n).is_some_and(|s| {
                        (s == "-" && index + 1 == len) || s.parse::<usize>().ok() == Some(index)
                    }) =>
                {
                    self.op_cur(n + 1, path.len())
                }
                _ => Cur::Off,
            },
            other => other,
        }
    }

    /// The place (and source) of a leaf the step wrote.
    fn place(&self, cur: Cur<'_>, leaf: &Leaf<'_>) -> (Place, Option<Origin>) {
        let in_doc = |pos: Pos| -> Place {
            let file = match &self.step.locate {
                Locate::Doc { file, .. } | Locate::Op { file, .. } => file.clone(),
                _ => self.step.place.file.clone(),
            };
            Place { file, pos }
        };
        match cur {
            Cur::In(_, t) => (in_doc(t.pos), None),
            Cur::Lost(pos) => (in_doc(pos), None),
            Cur::Off | Cur::OpPath(_) => match &self.step.locate {
                Locate::With(f) => f(leaf).unwrap_or_else(|| (self.step.place.clone(), None)),
                Locate::Op { at, .. } => (in_doc(*at), None),
                _ => (self.step.place.clone(), None),
            },
        }
    }

    /// True when the child at `child` of the mapping at `parent` cannot
    /// have changed (see `limited` in [`Locate`]).
    #[inline]
    fn skip_entry(&self, parent: Cur<'_>, child: Cur<'_>) -> bool {
        matches!(
            (&self.step.locate, parent, child),
            (
                Locate::Doc { limited: true, .. },
                Cur::In(Value::Map(_), _),
                Cur::Lost(_)
            ) | (Locate::Op { limited: true, .. }, Cur::OpPath(_), Cur::Off)
        )
    }

    /// True when item `child` of the sequence at `parent` cannot have
    /// changed: off an operation's path, above the list it changes.
    #[inline]
    fn skip_item(&self, parent: Cur<'_>, child: Cur<'_>) -> bool {
        match (&self.step.locate, parent, child) {
            (
                Locate::Op {
                    limited: true,
                    path,
                    ..
                },
                Cur::OpPath(n),
                Cur::Off,
            ) => n + 1 < path.len(),
            _ => false,
        }
    }

    /// True when the step's document names this unchanged leaf with its
    /// value (a patch setting what was there already).
    fn touches(&self, cur: Cur<'_>, v: &Value, leaf: &Leaf<'_>) -> bool {
        let touch = match &self.step.locate {
            Locate::Doc { touch, .. } | Locate::Op { touch, .. } => *touch,
            _ => false,
        };
        let identity = match (leaf.depth, leaf.key) {
            (1, Some("apiVersion" | "kind")) => true,
            (2, Some("name" | "namespace")) => leaf.top == Some("metadata"),
            _ => false,
        };
        touch
            && !identity
            && !leaf.ident
            && matches!(cur, Cur::In(sv, t) if t.kids.is_empty() && sv == v)
    }

    /// Brings `node` up to date with `v` (see `Trail::sync`). `item`:
    /// `v` is a list item; `ident`: `v` identifies the item it is in.
    #[allow(clippy::too_many_arguments)]
    fn sync<'v>(
        &self,
        node: &mut Node,
        v: &'v Value,
        cur: Cur<'_>,
        key: Option<&'v str>,
        depth: usize,
        top: Option<&'v str>,
        (item, ident): (bool, bool),
        scope: Option<&Scope>,
    ) {
        match v {
            Value::Map(m) if !m.is_empty() => self.sync_map(node, m, cur, depth, top, item, scope),
            Value::Seq(items) if !items.is_empty() => {
                self.sync_seq(node, items, cur, depth, top, scope)
            }
            _ => {
                let old = node.last().map(|e| &e.value);
                let changed = old != Some(v);
                let leaf = Leaf {
                    key,
                    depth,
                    top,
                    ident,
                    old,
                    new: v,
                };
                if !changed && !self.touches(cur, v, &leaf) {
                    return;
                }
                let (place, from) = self.place(cur, &leaf);
                if !matches!(node.kids, Kids::Leaf) {
                    node.kids = Kids::Leaf;
                    node.history.clear();
                }
                node.history.push(Event {
                    step: self.step.kind,
                    place,
                    value: v.clone(),
                    from: from.map(Box::new),
                });
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn sync_map<'v>(
        &self,
        node: &mut Node,
        m: &'v Map,
        cur: Cur<'_>,
        depth: usize,
        top: Option<&'v str>,
        item: bool,
        scope: Option<&Scope>,
    ) {
        let ident_key = match item {
            true => match keyed(m.entries().iter().map(|(k, v)| (k.as_str(), Some(v)))) {
                Ident::Keyed(k, _) => Some(k),
                _ => None,
            },
            false => None,
        };
        let flags = |k: &str| (false, ident_key == Some(k));
        let mut old = match std::mem::take(&mut node.kids) {
            Kids::Map(kids) => kids,
            _ => {
                node.history.clear();
                Vec::new()
            }
        };
        let entries = m.entries();
        let top_of = |k: &'v str| if depth == 0 { Some(k) } else { top };
        if old.len() == entries.len() && old.iter().zip(entries).all(|((a, _), (b, _))| a == b) {
            for ((_, n), (k, cv)) in old.iter_mut().zip(entries) {
                let sub = match scope {
                    None => None,
                    Some(s) => match s.below(k) {
                        Some(sub) => sub,
                        None => continue,
                    },
                };
                let c = self.cur_key(cur, k);
                if self.skip_entry(cur, c) {
                    continue;
                }
                self.sync(n, cv, c, Some(k), depth + 1, top_of(k), flags(k), sub);
            }
            node.kids = Kids::Map(old);
            return;
        }
        let index: Option<rustc_hash::FxHashMap<&str, usize>> = (old.len() > LINEAR_MATCH_MAX)
            .then(|| {
                old.iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.as_str(), i))
                    .collect()
            });
        let found: Vec<Option<usize>> = entries
            .iter()
            .map(|(k, _)| match &index {
                Some(ix) => ix.get(k.as_str()).copied(),
                None => old.iter().position(|(ok, _)| ok == k),
            })
            .collect();
        drop(index);
        let mut slots: Vec<Option<Node>> = old.into_iter().map(|(_, n)| Some(n)).collect();
        let mut kids = Vec::with_capacity(entries.len());
        for ((k, cv), f) in entries.iter().zip(found) {
            let old = f.and_then(|i| slots[i].take());
            let c = self.cur_key(cur, k);
            let (out_of_scope, sub) = match scope {
                None => (false, None),
                Some(s) => match s.below(k) {
                    Some(sub) => (false, sub),
                    None => (true, None),
                },
            };
            let n = match old {
                Some(n) if out_of_scope || self.skip_entry(cur, c) => n,
                old => {
                    let mut n = old.unwrap_or_default();
                    // A new entry out of the scope is walked whole.
                    let sub = if out_of_scope { None } else { sub };
                    self.sync(&mut n, cv, c, Some(k), depth + 1, top_of(k), flags(k), sub);
                    n
                }
            };
            kids.push((k.clone(), n));
        }
        node.kids = Kids::Map(kids);
    }

    fn sync_seq<'v>(
        &self,
        node: &mut Node,
        items: &'v [Value],
        cur: Cur<'_>,
        depth: usize,
        top: Option<&'v str>,
        scope: Option<&Scope>,
    ) {
        let old = match std::mem::take(&mut node.kids) {
            Kids::Seq(kids) => kids,
            _ => {
                node.history.clear();
                Vec::new()
            }
        };
        let len = items.len();
        let same = old.len() == len
            && old
                .iter()
                .zip(items)
                .all(|(n, v)| ident_of_node(n) == ident_of_value(v));
        if same {
            let mut kids = old;
            for (i, (n, cv)) in kids.iter_mut().zip(items).enumerate() {
                let c = self.cur_item(cur, i, len, cv);
                if self.skip_item(cur, c) {
                    continue;
                }
                self.sync(n, cv, c, None, depth + 1, top, (true, false), scope);
            }
            node.kids = Kids::Seq(kids);
            return;
        }
        let found = match_items(&old, items);
        let mut slots: Vec<Option<Node>> = old.into_iter().map(Some).collect();
        let mut kids = Vec::with_capacity(len);
        for (i, (cv, f)) in items.iter().zip(found).enumerate() {
            let mut n = f.and_then(|j| slots[j].take()).unwrap_or_default();
            let c = self.cur_item(cur, i, len, cv);
            // Items moved or new are walked whole.
            self.sync(&mut n, cv, c, None, depth + 1, top, (true, false), None);
            kids.push(n);
        }
        node.kids = Kids::Seq(kids);
    }
}

impl Trail {
    /// Brings the trail up to date with the resource's value after `step`:
    /// mapping entries are matched by key and list items by identity (a
    /// scalar item by its value, a mapping item by its `name`, `mountPath`,
    /// … as `aiw diff` keys them; what is left by position), so values
    /// keep their history through merges and reorders. Every leaf whose
    /// value differs from its last event gets an event of the step (a new
    /// leaf its first), placed by the step's [`Locate`].
    pub(crate) fn sync(&mut self, value: &Value, step: &Step<'_>) {
        let w = Walk { step };
        let cur = w.start();
        w.sync(
            &mut self.root,
            value,
            cur,
            None,
            0,
            None,
            (false, false),
            step.scope,
        );
    }

    /// A trail for a value just read or made by `step`.
    pub(crate) fn new(value: &Value, step: &Step<'_>) -> Trail {
        let mut t = Trail::default();
        t.sync(value, step);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(j: serde_json::Value) -> Value {
        Value::from(j)
    }

    fn place(file: &str, line: usize) -> Place {
        Place {
            file: file.into(),
            pos: Pos::new(line, 1),
        }
    }

    fn step(kind: StepKind, file: &str, line: usize) -> Step<'static> {
        Step {
            kind,
            place: place(file, line),
            locate: Locate::Entry,
            scope: None,
        }
    }

    /// (step, file:line, value) of the leaf at `path` (keys or indices).
    fn history(t: &Trail, path: &[&str]) -> Vec<(String, String, Value)> {
        let mut n = &t.root;
        for p in path {
            n = match p.parse::<usize>() {
                Ok(i) => n.child(i).unwrap(),
                Err(_) => n.key(p).unwrap(),
            };
        }
        n.history()
            .iter()
            .map(|e| {
                (
                    e.step.as_str().to_string(),
                    format!("{}:{}", e.place.file, e.place.pos.line),
                    e.value.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn changed_leaves_get_events_and_others_keep_their_history() {
        let mut val = v(json!({"spec": {"replicas": 1, "paused": false}}));
        let mut t = Trail::new(&val, &step(StepKind::Resource, "r.yaml", 1));
        val = v(json!({"spec": {"replicas": 3, "paused": false}}));
        t.sync(&val, &step(StepKind::Patch, "p.yaml", 7));
        assert_eq!(
            history(&t, &["spec", "replicas"]),
            [
                ("resource".into(), "r.yaml:1".into(), Value::Int(1)),
                ("patch".into(), "p.yaml:7".into(), Value::Int(3)),
            ]
        );
        assert_eq!(history(&t, &["spec", "paused"]).len(), 1);
    }

    #[test]
    fn list_items_keep_their_history_through_reorders_and_insertions() {
        let mut val = v(
            json!({"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                               "args": ["x", "y", "z"]}),
        );
        let mut t = Trail::new(&val, &step(StepKind::Resource, "r.yaml", 1));
        // A strategic merge puts new items first; an item removed from the
        // middle of a list of scalars.
        val = v(
            json!({"env": [{"name": "C", "value": "3"}, {"name": "B", "value": "2"},
                               {"name": "A", "value": "9"}],
                       "args": ["x", "z"]}),
        );
        t.sync(&val, &step(StepKind::Patch, "p.yaml", 4));
        assert_eq!(history(&t, &["env", "1", "value"])[0].1, "r.yaml:1");
        assert_eq!(history(&t, &["env", "1", "value"]).len(), 1);
        assert_eq!(
            history(&t, &["env", "2", "value"])
                .iter()
                .map(|e| e.2.clone())
                .collect::<Vec<_>>(),
            [Value::from("1"), Value::from("9")]
        );
        assert_eq!(history(&t, &["env", "0", "name"])[0].0, "patch");
        assert_eq!(history(&t, &["args", "1"]).len(), 1);
        // A scalar item replaced in place continues the item's history.
        val = v(json!({"env": [], "args": ["x", "w"]}));
        t.sync(&val, &step(StepKind::Patch, "q.yaml", 2));
        assert_eq!(history(&t, &["args", "1"]).len(), 2);
        assert_eq!(history(&t, &["env"])[0].2, v(json!([])));
    }

    #[test]
    fn a_document_places_values_where_it_has_them() {
        let text = "spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: new\n";
        let docs = crate::yaml::parse_documents_with_positions(text, false).unwrap();
        let (doc, pos) = &docs[0];
        let mut val = v(json!({"spec": {"template": {"spec": {"containers": [
            {"name": "side", "image": "s"}, {"name": "app", "image": "old"}]}}}}));
        let mut t = Trail::new(&val, &step(StepKind::Resource, "r.yaml", 1));
        val = v(json!({"spec": {"template": {"spec": {"containers": [
            {"name": "side", "image": "s"}, {"name": "app", "image": "new"}]}}}}));
        let s = Step {
            kind: StepKind::Patch,
            place: place("kustomization.yaml", 3),
            locate: Locate::Doc {
                file: "p.yaml".into(),
                value: doc,
                pos,
                touch: true,
                limited: true,
            },
            scope: None,
        };
        t.sync(&val, &s);
        let path = ["spec", "template", "spec", "containers", "1"];
        let image: Vec<_> = path.iter().copied().chain(["image"]).collect();
        let name: Vec<_> = path.iter().copied().chain(["name"]).collect();
        assert_eq!(history(&t, &image)[1].1, "p.yaml:6");
        // The patch names the container to find it, not to set its name.
        assert_eq!(history(&t, &name).len(), 1);
        assert_eq!(
            history(
                &t,
                &["spec", "template", "spec", "containers", "0", "image"]
            )
            .len(),
            1
        );
    }

    #[test]
    fn an_operation_places_values_inside_its_value() {
        let text = "- op: add\n  path: /spec/tls\n  value:\n  - hosts:\n    - a.example.com\n    secretName: tls\n";
        let docs = crate::yaml::parse_documents_with_positions(text, false).unwrap();
        let (ops, pos) = &docs[0];
        let op = &ops.as_seq().unwrap()[0];
        let value = op.get("value").unwrap();
        let value_pos = &pos.kids[0].kids[2];
        let mut val = v(json!({"spec": {"rules": []}}));
        let mut t = Trail::new(&val, &step(StepKind::Resource, "r.yaml", 1));
        val = v(json!({"spec": {"rules": [],
            "tls": [{"hosts": ["a.example.com"], "secretName": "tls"}]}}));
        let path = vec!["spec".to_string(), "tls".to_string()];
        let s = Step {
            kind: StepKind::Patch,
            place: place("kustomization.yaml", 9),
            locate: Locate::Op {
                file: "ops.yaml".into(),
                path: &path,
                value: Some((value, value_pos)),
                at: Pos::new(3, 3),
                touch: true,
                limited: true,
            },
            scope: None,
        };
        t.sync(&val, &s);
        assert_eq!(
            history(&t, &["spec", "tls", "0", "hosts", "0"])[0].1,
            "ops.yaml:5"
        );
        assert_eq!(
            history(&t, &["spec", "tls", "0", "secretName"])[0].1,
            "ops.yaml:6"
        );
        assert_eq!(history(&t, &["spec", "rules"]).len(), 1);
    }

    #[test]
    fn a_scope_walks_only_where_field_specs_lead() {
        let scope = Scope::of_paths([
            "metadata/labels",
            "spec/volumeClaimTemplates[]/metadata/labels",
        ]);
        let mut val = v(json!({"metadata": {"name": "a"}, "spec": {"replicas": 1,
            "volumeClaimTemplates": [{"metadata": {"name": "d"}}]}}));
        let mut t = Trail::new(&val, &step(StepKind::Resource, "r.yaml", 1));
        val = v(
            json!({"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"replicas": 1,
            "volumeClaimTemplates": [{"metadata": {"name": "d", "labels": {"x": "1"}}}]}}),
        );
        let mut s = step(StepKind::Labels, "k.yaml", 4);
        s.scope = Some(&scope);
        t.sync(&val, &s);
        assert_eq!(history(&t, &["metadata", "labels", "x"])[0].0, "labels");
        let vct = [
            "spec",
            "volumeClaimTemplates",
            "0",
            "metadata",
            "labels",
            "x",
        ];
        assert_eq!(history(&t, &vct)[0].1, "k.yaml:4");
        assert_eq!(history(&t, &["spec", "replicas"]).len(), 1);
        // Outside the scope nothing is walked: a change there (which the
        // step cannot make) is not seen.
        val = v(
            json!({"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"replicas": 5,
            "volumeClaimTemplates": [{"metadata": {"name": "d", "labels": {"x": "1"}}}]}}),
        );
        t.sync(&val, &s);
        assert_eq!(history(&t, &["spec", "replicas"]).len(), 1);
    }
}
