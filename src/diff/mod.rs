//! `aiw diff`: a semantic, secret-safe diff between two sets of manifests.
//!
//! Each side is an overlay name, a kustomization directory, a YAML file of
//! built manifests (any readable path: `/dev/stdin`, `<(…)`), a directory of
//! built manifests (what `kubectl diff` hands to `KUBECTL_EXTERNAL_DIFF`) or
//! standard input ([`Source`]). Both sides are loaded
//! (kustomizations built in-process, in parallel), then [`diff_documents`]
//! pairs the documents by group, kind, namespace and name, pairs what is left
//! over when the names differ only by a generator hash suffix (or by a prefix
//! or suffix the caller asks to ignore) and reports those as renamed, masks
//! Secret values, and lists the field-level changes of every pair. The
//! [`render`] module writes the result in the output modes, [`json`] holds
//! the stable machine-readable format.

pub mod cli;
pub mod fields;
pub mod json;
pub mod render;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::build::{BuildOptions, build_with_warnings, parse_yaml};
use crate::error::{Error, Result};
use crate::yaml::{Map, Value};

/// The text that replaces every Secret value (`data`, `stringData`).
pub const SECRET_MASK: &str = "<masked>";

/// The text that replaces a Secret value on the new side when it differs from
/// the old side.
pub const SECRET_MASK_CHANGED: &str = "<masked> (changed)";

/// Annotation that may hold a copy of a whole object (and so its Secret
/// values); masked on Secrets like `data`.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Where one side of a diff comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A kustomization directory, built in-process.
    Kustomization(PathBuf),
    /// A directory without a kustomization file: every file in it (hidden
    /// ones aside, no subdirectories) is a YAML stream of built manifests,
    /// and may be empty. `kubectl diff` hands two such directories to
    /// `KUBECTL_EXTERNAL_DIFF` (one object per file, a missing object as a
    /// missing file).
    ManifestDir(PathBuf),
    /// A YAML stream of already-built manifests: a file, or anything else
    /// that reads like one (`/dev/stdin`, a pipe from `<(…)`); `/dev/null`
    /// is the one empty side allowed.
    File(PathBuf),
    /// Already-built manifests on standard input.
    Stdin,
}

/// True when `dir` holds one of the kustomization file names.
fn has_kustomization(dir: &Path) -> bool {
    crate::kustomization::FILE_NAMES
        .iter()
        .any(|n| dir.join(n).exists())
}

/// True for `/dev/null` (however it is named).
fn is_dev_null(path: &Path) -> bool {
    path == Path::new("/dev/null")
        || std::fs::canonicalize(path).is_ok_and(|p| p == Path::new("/dev/null"))
}

/// The error for a side that holds no manifests at all.
fn empty_side(name: &Path, what: &str) -> Error {
    Error::in_file(
        name,
        format!(
            "{what} holds no manifests: an empty side is an error (to compare against nothing, \
             give /dev/null)"
        ),
    )
}

impl Source {
    /// Resolves a command-line argument: `-` is standard input; a bare name
    /// (no path separator) naming a directory `ROOT/overlays/NAME` is that
    /// overlay; otherwise an existing directory is a kustomization and an
    /// existing file is a YAML file of built manifests.
    pub fn resolve(arg: &str, root: &Path) -> Result<Source> {
        if arg == "-" {
            return Ok(Source::Stdin);
        }
        let bare = !arg.is_empty()
            && !arg.contains('/')
            && !arg.contains(std::path::MAIN_SEPARATOR)
            && arg != "."
            && arg != "..";
        if bare {
            let overlay = root.join("overlays").join(arg);
            if overlay.is_dir() {
                return Ok(Source::Kustomization(overlay));
            }
        }
        let path = Path::new(arg);
        if path.is_dir() {
            if has_kustomization(path) {
                Ok(Source::Kustomization(path.to_path_buf()))
            } else {
                Ok(Source::ManifestDir(path.to_path_buf()))
            }
        } else if path.exists() {
            Ok(Source::File(path.to_path_buf()))
        } else if bare {
            Err(Error::msg(format!(
                "{arg:?} is neither an overlay ({} is not a directory) nor a file or directory",
                root.join("overlays").join(arg).display()
            )))
        } else {
            Err(Error::in_file(path, "no such file or directory"))
        }
    }

    /// Loads the side's documents: builds a kustomization, or reads a YAML
    /// stream (from the file, or `stdin` for [`Source::Stdin`]). `List`
    /// documents are expanded into their items. Also returns the build's
    /// warnings (none for built manifests).
    pub fn load(
        &self,
        opts: &BuildOptions,
        stdin: Option<&str>,
    ) -> Result<(Vec<Value>, Vec<String>)> {
        if let Source::Kustomization(dir) = self {
            let built = build_with_warnings(dir, opts)?;
            let docs = built.resources.into_iter().map(|r| r.value).collect();
            return Ok((docs, built.warnings));
        }
        Ok((self.load_manifests(stdin)?, Vec::new()))
    }

    fn load_manifests(&self, stdin: Option<&str>) -> Result<Vec<Value>> {
        match self {
            Source::Kustomization(_) => Ok(Vec::new()),
            Source::ManifestDir(dir) => documents_from_dir(dir),
            Source::File(path) => {
                let docs = documents_from_text(path, &read_text(path)?)?;
                if docs.is_empty() && !is_dev_null(path) {
                    return Err(empty_side(path, "the file"));
                }
                Ok(docs)
            }
            Source::Stdin => {
                let docs = documents_from_text(Path::new("<stdin>"), stdin.unwrap_or(""))?;
                if docs.is_empty() {
                    return Err(empty_side(Path::new("<stdin>"), "standard input"));
                }
                Ok(docs)
            }
        }
    }
}

/// Reads a side's file (or pipe, or device) as UTF-8 text.
fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::in_file(path, e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| Error::in_file(path, "file is not valid UTF-8"))
}

/// The documents of every file in a directory of built manifests, files in
/// name order.
fn documents_from_dir(dir: &Path) -> Result<Vec<Value>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::in_file(dir, e.to_string()))?;
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::in_file(dir, e.to_string()))?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let path = entry.path();
        if !hidden && path.is_file() {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(Error::in_file(
            dir,
            "holds neither a kustomization file nor files of built manifests",
        ));
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        out.extend(documents_from_text(&f, &read_text(&f)?)?);
    }
    Ok(out)
}

/// Parses a YAML stream of built manifests, expanding `List` documents and
/// checking every document is a mapping. `name` is used in errors.
pub fn documents_from_text(name: &Path, text: &str) -> Result<Vec<Value>> {
    let mut queue: VecDeque<Value> = parse_yaml(name, text)?.into();
    let mut out = Vec::with_capacity(queue.len());
    let mut n = 0usize;
    while let Some(doc) = queue.pop_front() {
        n += 1;
        match doc {
            Value::Null(_) => {}
            Value::Map(ref m) if m.is_empty() => {}
            Value::Map(_) => {
                let is_list = doc
                    .get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.ends_with("List"));
                match (is_list, doc.get("items")) {
                    (true, Some(Value::Seq(items))) => {
                        for (i, item) in items.iter().enumerate() {
                            queue.insert(i, item.clone());
                        }
                    }
                    (true, Some(Value::Null(_))) => {}
                    _ => out.push(doc),
                }
            }
            other => {
                return Err(Error::in_file(
                    name,
                    format!(
                        "document {n} is a {}, not a mapping (a Kubernetes object)",
                        other.type_name()
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// A document's identity: apiVersion, kind, namespace and name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DocId {
    /// `apiVersion` (`apps/v1`, `v1`); empty when missing.
    pub api_version: String,
    /// `kind`; empty when missing.
    pub kind: String,
    /// `metadata.namespace`; empty when unset.
    pub namespace: String,
    /// `metadata.name`; empty when missing.
    pub name: String,
}

impl DocId {
    /// Reads the identity fields of a document (missing ones are empty).
    pub fn of(v: &Value) -> DocId {
        let s = |path: &[&str]| {
            v.get_path(path)
                .and_then(Value::scalar_string)
                .unwrap_or_default()
        };
        DocId {
            api_version: s(&["apiVersion"]),
            kind: s(&["kind"]),
            namespace: s(&["metadata", "namespace"]),
            name: s(&["metadata", "name"]),
        }
    }

    /// The API group: the part of `apiVersion` before `/`, empty for core.
    pub fn group(&self) -> &str {
        self.api_version
            .split_once('/')
            .map(|(g, _)| g)
            .unwrap_or("")
    }

    /// True for Secrets, whose values are masked. Any group counts: masking
    /// a look-alike custom resource is the safe mistake.
    pub fn is_secret(&self) -> bool {
        self.kind == "Secret"
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    pub fn qualified_name(&self) -> String {
        if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }
}

impl fmt::Display for DocId {
    /// `apps/v1 Deployment ai-wealth/backend`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.api_version,
            self.kind,
            self.qualified_name()
        )
    }
}

/// One side's document with its identity (values already masked unless
/// `show_secrets`).
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    /// Identity.
    pub id: DocId,
    /// The whole object.
    pub value: Value,
}

/// What happened to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Only on the new side.
    Added,
    /// Only on the old side.
    Removed,
    /// On both sides with the same id, different content.
    Modified,
    /// Paired across a name change (hash suffix, ignored prefix/suffix);
    /// other fields may differ too.
    Renamed,
}

impl ChangeKind {
    /// `added`, `removed`, `modified`, `renamed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Modified => "modified",
            ChangeKind::Renamed => "renamed",
        }
    }

    /// All kinds, in report order.
    pub const ALL: [ChangeKind; 4] = [
        ChangeKind::Added,
        ChangeKind::Removed,
        ChangeKind::Modified,
        ChangeKind::Renamed,
    ];
}

/// What happened to one field of a paired resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldChangeKind {
    /// Present only on the new side.
    Added,
    /// Present only on the old side.
    Removed,
    /// Present on both sides with different values.
    Modified,
    /// A list whose items are matched by a key (`name`, …) holds the same
    /// keys in another order; old and new are the lists of keys.
    Reordered,
}

impl FieldChangeKind {
    /// `added`, `removed`, `modified`, `reordered`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldChangeKind::Added => "added",
            FieldChangeKind::Removed => "removed",
            FieldChangeKind::Modified => "modified",
            FieldChangeKind::Reordered => "reordered",
        }
    }
}

/// One field-level change.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    /// Path such as `spec.template.spec.containers[name=app].image`,
    /// `metadata.labels["app.kubernetes.io/name"]` or `spec.args[2]`.
    pub path: String,
    /// What happened.
    pub kind: FieldChangeKind,
    /// The old value (absent for added fields).
    pub old: Option<Value>,
    /// The new value (absent for removed fields).
    pub new: Option<Value>,
}

/// One changed resource.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceChange {
    /// What happened.
    pub kind: ChangeKind,
    /// The old side's document (absent when added).
    pub old: Option<Doc>,
    /// The new side's document (absent when removed).
    pub new: Option<Doc>,
    /// Field changes (empty for added and removed resources).
    pub fields: Vec<FieldChange>,
}

impl ResourceChange {
    /// The new side's id, or the old one for a removed resource.
    pub fn id(&self) -> &DocId {
        match (&self.new, &self.old) {
            (Some(d), _) | (None, Some(d)) => &d.id,
            (None, None) => unreachable_id(),
        }
    }
}

/// A static empty id (a change always has at least one side; this keeps
/// [`ResourceChange::id`] total without a panic).
fn unreachable_id() -> &'static DocId {
    static EMPTY: std::sync::OnceLock<DocId> = std::sync::OnceLock::new();
    EMPTY.get_or_init(DocId::default)
}

/// The result of comparing two sides.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diff {
    /// Changed resources, sorted by kind, namespace, name, apiVersion.
    pub changes: Vec<ResourceChange>,
    /// Number of pairs with identical content.
    pub unchanged: usize,
}

impl Diff {
    /// True when the sides are equivalent.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Number of resource changes of `kind`.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }
}

/// Options for [`diff_documents`].
#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    /// Leave Secret `data`/`stringData` values unmasked.
    pub show_secrets: bool,
    /// Prefixes ignored when pairing leftover resources (`dev-`), in names
    /// and namespaces.
    pub ignore_name_prefixes: Vec<String>,
    /// Suffixes ignored when pairing leftover resources (`-stg`), in names
    /// (before the generator hash) and namespaces.
    pub ignore_name_suffixes: Vec<String>,
    /// Do not report order changes: a keyed list holding the same items in
    /// another order (`reordered`), or any list holding the same items.
    pub ignore_order: bool,
    /// Fields left out on both sides before comparing.
    pub exclude: Vec<fields::FieldPattern>,
    /// When not empty, only these fields (and each resource's identity) are
    /// compared.
    pub filter: Vec<fields::FieldPattern>,
    /// Kinds left out on both sides (compared ignoring ASCII case).
    pub suppress: Vec<String>,
}

impl DiffOptions {
    /// The document as compared: `None` for a suppressed kind; excluded
    /// fields removed, or only the filtered ones kept.
    fn prepare(&self, v: Value) -> Option<Doc> {
        let id = DocId::of(&v);
        if self
            .suppress
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&id.kind))
        {
            return None;
        }
        let mut value = if self.filter.is_empty() {
            v
        } else {
            fields::filter(&v, &self.filter)
        };
        if !self.exclude.is_empty() {
            fields::exclude(&mut value, &self.exclude);
        }
        Some(Doc { id, value })
    }
}

/// Compares two sides' documents.
pub fn diff_documents(old: Vec<Value>, new: Vec<Value>, opts: &DiffOptions) -> Diff {
    let old: Vec<Doc> = old.into_iter().filter_map(|v| opts.prepare(v)).collect();
    let new: Vec<Doc> = new.into_iter().filter_map(|v| opts.prepare(v)).collect();
    let (pairs, old_left, new_left) = pair_documents(&old, &new, opts);

    let mut old: Vec<Option<Doc>> = old.into_iter().map(Some).collect();
    let mut new: Vec<Option<Doc>> = new.into_iter().map(Some).collect();
    let mut work: Vec<(Option<Doc>, Option<Doc>, bool)> = Vec::new();
    for (i, j, renamed) in pairs {
        work.push((old[i].take(), new[j].take(), renamed));
    }
    for i in old_left {
        work.push((old[i].take(), None, false));
    }
    for j in new_left {
        work.push((None, new[j].take(), false));
    }

    let results: Vec<Option<ResourceChange>> = work
        .into_par_iter()
        .map(|(o, n, renamed)| compare(o, n, renamed, opts))
        .collect();
    let total = results.len();
    let mut changes: Vec<ResourceChange> = results.into_iter().flatten().collect();
    let unchanged = total - changes.len();
    changes.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    Diff { changes, unchanged }
}

fn sort_key(c: &ResourceChange) -> (&str, &str, &str, &str, &str) {
    let id = c.id();
    let old_name = c.old.as_ref().map(|d| d.id.name.as_str()).unwrap_or("");
    (&id.kind, &id.namespace, &id.name, &id.api_version, old_name)
}

/// Pairs `(old index, new index, renamed)`, then the unpaired old and new
/// indices.
type Pairing = (Vec<(usize, usize, bool)>, Vec<usize>, Vec<usize>);

/// Pairs old and new documents: first by (group, kind, namespace, name),
/// in order for duplicates; then the leftovers by the name without its
/// generator hash and without the ignored prefixes/suffixes. Returns the
/// pairs `(old index, new index, renamed)` and the unpaired indices.
fn pair_documents(old: &[Doc], new: &[Doc], opts: &DiffOptions) -> Pairing {
    type Key<'a> = (&'a str, &'a str, &'a str, String);
    fn exact(d: &Doc) -> Key<'_> {
        (
            d.id.group(),
            d.id.kind.as_str(),
            d.id.namespace.as_str(),
            d.id.name.clone(),
        )
    }
    let mut by_key: HashMap<Key, VecDeque<usize>> = HashMap::with_capacity(new.len());
    for (j, d) in new.iter().enumerate() {
        by_key.entry(exact(d)).or_default().push_back(j);
    }
    let mut pairs = Vec::new();
    let mut new_used = vec![false; new.len()];
    let mut old_left = Vec::new();
    for (i, d) in old.iter().enumerate() {
        match by_key.get_mut(&exact(d)).and_then(VecDeque::pop_front) {
            Some(j) => {
                new_used[j] = true;
                pairs.push((i, j, false));
            }
            None => old_left.push(i),
        }
    }
    let new_left: Vec<usize> = (0..new.len()).filter(|&j| !new_used[j]).collect();
    if old_left.is_empty() || new_left.is_empty() {
        return (pairs, old_left, new_left);
    }

    fn loose<'a>(d: &'a Doc, opts: &DiffOptions) -> Key<'a> {
        (
            d.id.group(),
            d.id.kind.as_str(),
            strip_affixes(&d.id.namespace, opts),
            base_name(&d.id.name, opts),
        )
    }
    let mut by_loose: HashMap<Key, VecDeque<usize>> = HashMap::new();
    for &j in &new_left {
        by_loose
            .entry(loose(&new[j], opts))
            .or_default()
            .push_back(j);
    }
    let mut still_old = Vec::new();
    for i in old_left {
        match by_loose
            .get_mut(&loose(&old[i], opts))
            .and_then(VecDeque::pop_front)
        {
            Some(j) => {
                new_used[j] = true;
                let moved =
                    old[i].id.name != new[j].id.name || old[i].id.namespace != new[j].id.namespace;
                pairs.push((i, j, moved));
            }
            None => still_old.push(i),
        }
    }
    let still_new = new_left.into_iter().filter(|&j| !new_used[j]).collect();
    (pairs, still_old, still_new)
}

/// Kustomize's hash suffix alphabet (hex digits with 0, 1, 3, a, e swapped
/// for g, h, k, m, t).
fn is_hash_char(c: u8) -> bool {
    matches!(c, b'2' | b'4'..=b'9' | b'b'..=b'd' | b'f'..=b'h' | b'k' | b'm' | b't')
}

/// Strips a generator hash suffix (`-` and 10 hash characters).
pub fn strip_hash_suffix(name: &str) -> &str {
    let b = name.as_bytes();
    if b.len() > 11 && b[b.len() - 11] == b'-' && b[b.len() - 10..].iter().all(|&c| is_hash_char(c))
    {
        &name[..name.len() - 11]
    } else {
        name
    }
}

/// The name used to pair leftovers: without the hash suffix, then without
/// the first matching ignored suffix, then without the first matching
/// ignored prefix.
fn base_name(name: &str, opts: &DiffOptions) -> String {
    strip_affixes(strip_hash_suffix(name), opts).to_string()
}

/// `name` without the first matching ignored suffix, then without the first
/// matching ignored prefix (never down to nothing).
fn strip_affixes<'a>(name: &'a str, opts: &DiffOptions) -> &'a str {
    let mut n = name;
    if let Some(s) = opts
        .ignore_name_suffixes
        .iter()
        .find(|s| !s.is_empty() && n.len() > s.len() && n.ends_with(s.as_str()))
    {
        n = &n[..n.len() - s.len()];
    }
    if let Some(p) = opts
        .ignore_name_prefixes
        .iter()
        .find(|p| !p.is_empty() && n.len() > p.len() && n.starts_with(p.as_str()))
    {
        n = &n[p.len()..];
    }
    n
}

/// Compares one pair (or one unpaired document); `None` when equal.
fn compare(
    old: Option<Doc>,
    new: Option<Doc>,
    renamed: bool,
    opts: &DiffOptions,
) -> Option<ResourceChange> {
    let show_secrets = opts.show_secrets;
    match (old, new) {
        (Some(mut o), Some(mut n)) => {
            if !show_secrets && o.id.is_secret() && n.id.is_secret() {
                mask_secret_pair(&mut o.value, &mut n.value);
            } else if !show_secrets {
                mask_secret(&mut o);
                mask_secret(&mut n);
            }
            if !renamed && semantic_eq(&o.value, &n.value) {
                return None;
            }
            let mut fields = Vec::new();
            let mut path = String::new();
            let cx = Cx {
                ignore_order: opts.ignore_order,
            };
            cx.diff_values(&mut path, &o.value, &n.value, &mut fields);
            if fields.is_empty() && !renamed {
                return None;
            }
            Some(ResourceChange {
                kind: if renamed {
                    ChangeKind::Renamed
                } else {
                    ChangeKind::Modified
                },
                old: Some(o),
                new: Some(n),
                fields,
            })
        }
        (Some(mut o), None) => {
            if !show_secrets {
                mask_secret(&mut o);
            }
            Some(ResourceChange {
                kind: ChangeKind::Removed,
                old: Some(o),
                new: None,
                fields: Vec::new(),
            })
        }
        (None, Some(mut n)) => {
            if !show_secrets {
                mask_secret(&mut n);
            }
            Some(ResourceChange {
                kind: ChangeKind::Added,
                old: None,
                new: Some(n),
                fields: Vec::new(),
            })
        }
        (None, None) => None,
    }
}

/// Masks every value of a lone Secret.
fn mask_secret(d: &mut Doc) {
    if !d.id.is_secret() {
        return;
    }
    let Some(m) = d.value.as_map_mut() else {
        return;
    };
    for field in ["data", "stringData"] {
        if let Some(v) = m.get_mut(field) {
            mask_all(v);
        }
    }
    if let Some(v) = d
        .value
        .get_path_mut(&["metadata", "annotations", LAST_APPLIED])
    {
        *v = Value::from(SECRET_MASK);
    }
}

/// Replaces a `data` mapping's values (or a malformed non-mapping field as a
/// whole) with the mask.
fn mask_all(v: &mut Value) {
    match v {
        Value::Map(m) => {
            for (_, x) in m.iter_mut() {
                *x = Value::from(SECRET_MASK);
            }
        }
        Value::Null(_) => {}
        other => *other = Value::from(SECRET_MASK),
    }
}

/// Masks the values of two paired Secrets: equal values become the mask on
/// both sides, differing ones the mask on the old side and the "changed"
/// mask on the new side.
fn mask_secret_pair(old: &mut Value, new: &mut Value) {
    for field in ["data", "stringData"] {
        let o = old.get_mut(field);
        let n = new.get_mut(field);
        match (o, n) {
            (Some(Value::Map(om)), Some(Value::Map(nm))) => {
                let index: HashMap<String, Value> =
                    nm.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                let mut changed_new: Vec<String> = Vec::new();
                for (k, ov) in om.iter_mut() {
                    if let Some(nv) = index.get(k.as_str())
                        && !semantic_eq(ov, nv)
                    {
                        changed_new.push(k.clone());
                    }
                    *ov = Value::from(SECRET_MASK);
                }
                let changed: std::collections::HashSet<String> = changed_new.into_iter().collect();
                for (k, nv) in nm.iter_mut() {
                    *nv = Value::from(if changed.contains(k.as_str()) {
                        SECRET_MASK_CHANGED
                    } else {
                        SECRET_MASK
                    });
                }
            }
            (o, n) => {
                let differ = match (&o, &n) {
                    (Some(a), Some(b)) => !semantic_eq(a, b),
                    _ => false,
                };
                if let Some(o) = o {
                    mask_all(o);
                }
                if let Some(n) = n {
                    if differ && !matches!(n, Value::Map(_) | Value::Null(_)) {
                        *n = Value::from(SECRET_MASK_CHANGED);
                    } else {
                        mask_all(n);
                    }
                }
            }
        }
    }
    let path = ["metadata", "annotations", LAST_APPLIED];
    let differ = match (old.get_path(&path), new.get_path(&path)) {
        (Some(a), Some(b)) => !semantic_eq(a, b),
        _ => false,
    };
    if let Some(v) = old.get_path_mut(&path) {
        *v = Value::from(SECRET_MASK);
    }
    if let Some(v) = new.get_path_mut(&path) {
        *v = Value::from(if differ {
            SECRET_MASK_CHANGED
        } else {
            SECRET_MASK
        });
    }
}

/// Equality that ignores the order of mapping keys.
pub fn semantic_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() {
                return false;
            }
            // Fast path: the same keys in the same order.
            if x.keys().zip(y.keys()).all(|(p, q)| p == q) {
                return x
                    .iter()
                    .zip(y.iter())
                    .all(|((_, p), (_, q))| semantic_eq(p, q));
            }
            let index = MapIndex::new(y);
            x.iter()
                .all(|(k, v)| index.get(k).is_some_and(|w| semantic_eq(v, w)))
        }
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| semantic_eq(p, q))
        }
        _ => a == b,
    }
}

/// Key lookup in a mapping: linear for small ones, hashed for large ones.
struct MapIndex<'a> {
    map: &'a Map,
    hashed: Option<HashMap<&'a str, &'a Value>>,
}

impl<'a> MapIndex<'a> {
    fn new(map: &'a Map) -> Self {
        let hashed = (map.len() > 16).then(|| map.iter().map(|(k, v)| (k.as_str(), v)).collect());
        MapIndex { map, hashed }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        match &self.hashed {
            Some(h) => h.get(key).copied(),
            None => self.map.get(key),
        }
    }
}

/// How field changes are worked out.
struct Cx {
    /// `--ignore-order-changes`.
    ignore_order: bool,
}

impl Cx {
    /// Appends the field changes between `a` and `b` at `path` to `out`.
    fn diff_values(&self, path: &mut String, a: &Value, b: &Value, out: &mut Vec<FieldChange>) {
        match (a, b) {
            (Value::Map(x), Value::Map(y)) => self.diff_maps(path, x, y, out),
            (Value::Seq(x), Value::Seq(y)) => self.diff_seqs(path, x, y, out),
            _ => {
                if !semantic_eq(a, b) {
                    out.push(FieldChange {
                        path: path.clone(),
                        kind: FieldChangeKind::Modified,
                        old: Some(a.clone()),
                        new: Some(b.clone()),
                    });
                }
            }
        }
    }

    fn diff_maps(&self, path: &mut String, x: &Map, y: &Map, out: &mut Vec<FieldChange>) {
        // Keys in the emitter's order, so that the field list follows the order
        // of the unified diff.
        let xi = MapIndex::new(x);
        let yi = MapIndex::new(y);
        let mut keys: Vec<&str> = Vec::with_capacity(x.len() + y.len());
        keys.extend(x.keys().map(String::as_str));
        keys.extend(y.keys().map(String::as_str).filter(|k| xi.get(k).is_none()));
        keys.sort_by(|a, b| json::key_order(a, b));
        for k in keys {
            let len = path.len();
            push_key(path, k);
            match (xi.get(k), yi.get(k)) {
                (Some(a), Some(b)) => self.diff_values(path, a, b, out),
                (Some(a), None) => out.push(FieldChange {
                    path: path.clone(),
                    kind: FieldChangeKind::Removed,
                    old: Some(a.clone()),
                    new: None,
                }),
                (None, Some(b)) => out.push(FieldChange {
                    path: path.clone(),
                    kind: FieldChangeKind::Added,
                    old: None,
                    new: Some(b.clone()),
                }),
                (None, None) => {}
            }
            path.truncate(len);
        }
    }

    fn diff_seqs(&self, path: &mut String, x: &[Value], y: &[Value], out: &mut Vec<FieldChange>) {
        if self.ignore_order && same_items(x, y) {
            return;
        }
        if let Some(key) = item_key(x, y) {
            // Lists with no key in common and the same length (one port changed
            // its number) read better position by position.
            if x.len() != y.len() || shares_item(key, x, y) {
                return self.diff_keyed(path, key, x, y, out);
            }
        }
        // Positional: skip the common head and tail, pair the middle by index.
        let mut head = 0;
        while head < x.len() && head < y.len() && semantic_eq(&x[head], &y[head]) {
            head += 1;
        }
        let mut tail = 0;
        while tail < x.len() - head
            && tail < y.len() - head
            && semantic_eq(&x[x.len() - 1 - tail], &y[y.len() - 1 - tail])
        {
            tail += 1;
        }
        let xm = &x[head..x.len() - tail];
        let ym = &y[head..y.len() - tail];
        let common = xm.len().min(ym.len());
        for i in 0..common {
            let len = path.len();
            push_index(path, head + i);
            self.diff_values(path, &xm[i], &ym[i], out);
            path.truncate(len);
        }
        for (i, v) in xm.iter().enumerate().skip(common) {
            let len = path.len();
            push_index(path, head + i);
            out.push(FieldChange {
                path: path.clone(),
                kind: FieldChangeKind::Removed,
                old: Some(v.clone()),
                new: None,
            });
            path.truncate(len);
        }
        for (i, v) in ym.iter().enumerate().skip(common) {
            let len = path.len();
            push_index(path, head + i);
            out.push(FieldChange {
                path: path.clone(),
                kind: FieldChangeKind::Added,
                old: None,
                new: Some(v.clone()),
            });
            path.truncate(len);
        }
    }

    fn diff_keyed(
        &self,
        path: &mut String,
        key: &str,
        x: &[Value],
        y: &[Value],
        out: &mut Vec<FieldChange>,
    ) {
        let ident = |v: &Value| v.get(key).and_then(identity_scalar).unwrap_or_default();
        let xk: Vec<String> = x.iter().map(ident).collect();
        let yk: Vec<String> = y.iter().map(ident).collect();
        let yi: HashMap<&str, usize> = yk
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let xi: HashMap<&str, usize> = xk
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        for (i, k) in xk.iter().enumerate() {
            let len = path.len();
            push_item(path, key, k);
            match yi.get(k.as_str()) {
                Some(&j) => self.diff_values(path, &x[i], &y[j], out),
                None => out.push(FieldChange {
                    path: path.clone(),
                    kind: FieldChangeKind::Removed,
                    old: Some(x[i].clone()),
                    new: None,
                }),
            }
            path.truncate(len);
        }
        for (j, k) in yk.iter().enumerate() {
            if xi.contains_key(k.as_str()) {
                continue;
            }
            let len = path.len();
            push_item(path, key, k);
            out.push(FieldChange {
                path: path.clone(),
                kind: FieldChangeKind::Added,
                old: None,
                new: Some(y[j].clone()),
            });
            path.truncate(len);
        }
        // Order of the common items.
        let xo: Vec<&str> = xk
            .iter()
            .map(String::as_str)
            .filter(|k| yi.contains_key(k))
            .collect();
        let yo: Vec<&str> = yk
            .iter()
            .map(String::as_str)
            .filter(|k| xi.contains_key(k))
            .collect();
        if xo != yo && !self.ignore_order {
            let as_seq = |ks: &[&str]| Value::Seq(ks.iter().map(|k| Value::from(*k)).collect());
            out.push(FieldChange {
                path: path.clone(),
                kind: FieldChangeKind::Reordered,
                old: Some(as_seq(&xo)),
                new: Some(as_seq(&yo)),
            });
        }
    }
}

/// Keys that identify list items, tried in order.
pub(crate) const ITEM_KEYS: [&str; 6] = [
    "name",
    "mountPath",
    "devicePath",
    "containerPort",
    "port",
    "ip",
];

/// The key whose scalar value is present and unique in every item of both
/// lists, if any.
pub(crate) fn item_key(x: &[Value], y: &[Value]) -> Option<&'static str> {
    if x.is_empty() || y.is_empty() {
        return None;
    }
    ITEM_KEYS.into_iter().find(|key| {
        [x, y].iter().all(|items| {
            let mut seen = std::collections::HashSet::with_capacity(items.len());
            items.iter().all(|it| {
                it.get(key)
                    .and_then(identity_scalar)
                    .is_some_and(|s| seen.insert(s))
            })
        })
    })
}

/// True when some item of `x` has the same `key` value as an item of `y`.
fn shares_item(key: &str, x: &[Value], y: &[Value]) -> bool {
    let xs: std::collections::HashSet<String> = x
        .iter()
        .filter_map(|v| v.get(key).and_then(identity_scalar))
        .collect();
    y.iter()
        .filter_map(|v| v.get(key).and_then(identity_scalar))
        .any(|k| xs.contains(&k))
}

/// A list item's identity value as text (strings and integers only).
pub(crate) fn identity_scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Int(_) | Value::UInt(_) => v.scalar_string(),
        _ => None,
    }
}

/// True when the two lists hold the same items, in any order (each item as
/// many times in both).
fn same_items(x: &[Value], y: &[Value]) -> bool {
    if x.len() != y.len() {
        return false;
    }
    let mut used = vec![false; y.len()];
    x.iter().all(|a| {
        let found = (0..y.len()).find(|&j| !used[j] && semantic_eq(a, &y[j]));
        if let Some(j) = found {
            used[j] = true;
        }
        found.is_some()
    })
}

/// True for text usable unquoted in a path segment.
fn is_plain(s: &str, extra: &[char]) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || extra.contains(&c))
}

fn json_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// Appends `.key` (or `["key"]` when the key is not plain).
pub(crate) fn push_key(path: &mut String, key: &str) {
    if is_plain(key, &['$']) {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&json_quote(key));
        path.push(']');
    }
}

/// Appends `[i]`.
pub(crate) fn push_index(path: &mut String, i: usize) {
    path.push('[');
    path.push_str(&i.to_string());
    path.push(']');
}

/// Appends `[key=value]` (value quoted when not plain).
pub(crate) fn push_item(path: &mut String, key: &str, value: &str) {
    path.push('[');
    path.push_str(key);
    path.push('=');
    if is_plain(value, &['.', '/', ':', '@']) {
        path.push_str(value);
    } else {
        path.push_str(&json_quote(value));
    }
    path.push(']');
}

#[cfg(test)]
mod tests;
