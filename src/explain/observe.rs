//! The build's side of `aiw explain`: an `Observer` per kustomization,
//! told by `build.rs` about each step, brings the trails of the resources
//! the step changed up to date (see the module docs of [`crate::explain`]).

use std::sync::Arc;

use crate::kustomization::{GeneratorArgs, Kustomization, PatchEntry};
use crate::loader::Loader;
use crate::patch::{PatchObserver, PatchPart};
use crate::resource::{ResMap, Resource};
use crate::transform::images::{ImageEntries, ImageSpec};
use crate::transform::replicas::ReplicaSpec;
use crate::yaml::{self, PathStep, Pos, PosTree, Value};

use super::trail::{Leaf, Locate, Node, Origin, Place, Scope, Step, StepKind, Trail};
use crate::fieldspec::FieldSpec;

/// Resources per thread, at least, when trails are brought up to date on
/// spare cores.
const SYNC_PARALLEL_MIN: usize = 16;

/// A document with the positions of its nodes, in some file.
struct Doc {
    file: Arc<str>,
    value: Value,
    pos: PosTree,
}

/// What a kustomization adds to the whole build's notes, carried up with
/// the accumulated resources (see `build::Accumulator`).
#[derive(Clone, Debug, Default)]
pub struct Notes {
    /// Where each var was declared.
    vars: Vec<(String, Place)>,
}

impl Notes {
    /// Adds a base's notes.
    pub(crate) fn merge(&mut self, other: Notes) {
        self.vars.extend(other.vars);
    }
}

/// Watches one kustomization's steps while a build explains itself.
pub(crate) struct Observer {
    /// The kustomization file, as messages name it.
    file: Arc<str>,
    /// Its text, document and positions.
    text: String,
    value: Value,
    pos: PosTree,
}

/// Brings the trail of `r` up to date after `step` (a new trail for a
/// resource that has none).
fn sync_one(r: &mut Resource, step: &Step<'_>) {
    let Resource { value, trail, .. } = r;
    match trail {
        Some(t) => t.sync(value, step),
        None => *trail = Some(Box::new(Trail::new(value, step))),
    }
}

/// Brings the trails of the resources at `positions` up to date, each with
/// the step `make` gives for it, on spare cores when there are many.
fn sync_at<'a>(
    res: &mut ResMap,
    positions: &[usize],
    make: &(dyn Fn(&Resource) -> Step<'a> + Sync),
) {
    let mut wanted = positions.iter().copied().peekable();
    let mut picked: Vec<&mut Resource> = Vec::with_capacity(positions.len());
    for (pos, r) in res.resources_mut().iter_mut().enumerate() {
        if wanted.peek() == Some(&pos) {
            wanted.next();
            picked.push(r);
        }
    }
    crate::workers::map_each(&mut picked, SYNC_PARALLEL_MIN, |r| {
        let step = make(r);
        sync_one(r, &step);
    });
}

/// Where each var's value was set: the field of the resource it names.
pub(crate) fn var_sources(
    res: &ResMap,
    vars: &crate::transform::vars::VarSet,
) -> Vec<(String, Option<Origin>)> {
    vars.iter()
        .map(|v| {
            let origin = res
                .resources()
                .iter()
                .find(|r| r.ref_var_names.contains(&v.name))
                .and_then(|r| {
                    let field = crate::transform::vars::var_field(v, r)?;
                    let node = r.trail.as_ref()?.root.find(&r.value, field)?;
                    origin_of(node)
                });
            (v.name.clone(), origin)
        })
        .collect()
}

/// Brings the trails of the resources changed since tracking started up to
/// date with `step`.
fn sync_changed(res: &mut ResMap, step: &Step<'_>) {
    if let Some(positions) = res.take_changes() {
        sync_at(res, &positions, &|_| step.clone());
    }
}

/// The trail of the resource read from `file` (the document `pos` gives
/// the positions of).
pub(crate) fn read_trail(r: &mut Resource, file: &std::path::Path, pos: &PosTree) {
    let file: Arc<str> = file.display().to_string().into();
    let step = Step {
        kind: StepKind::Resource,
        place: Place {
            file: file.clone(),
            pos: pos.pos,
        },
        locate: Locate::Doc {
            file,
            value: &r.value,
            pos,
            touch: false,
            limited: false,
        },
        scope: None,
    };
    let trail = Trail::new(&r.value, &step);
    r.trail = Some(Box::new(trail));
}

/// The node at `path` of a document, or the nearest one above it.
fn nearest(value: &Value, pos: &PosTree, path: &[PathStep<'_>]) -> Pos {
    let (mut v, mut t) = (value, pos);
    for step in path {
        let i = match (step, v) {
            (PathStep::Key(k), Value::Map(m)) => m.entries().iter().position(|(e, _)| e == k),
            (PathStep::Index(i), Value::Seq(items)) => (*i < items.len()).then_some(*i),
            _ => None,
        };
        let Some(i) = i else { break };
        let (Some(next_v), Some(next_t)) = (
            match v {
                Value::Map(m) => m.entries().get(i).map(|(_, x)| x),
                Value::Seq(items) => items.get(i),
                _ => None,
            },
            t.kids.get(i),
        ) else {
            break;
        };
        v = next_v;
        t = next_t;
    }
    t.pos
}

/// Decodes a JSON pointer into its segments (`~1` is `/`, `~0` is `~`).
fn pointer_segments(p: &str) -> Vec<String> {
    p.split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Maps every position of `t` with `f`.
fn shift(t: &mut PosTree, f: &dyn Fn(Pos) -> Pos) {
    t.pos = f(t.pos);
    for k in &mut t.kids {
        shift(k, f);
    }
}

impl Observer {
    /// The observer of `k`, when this build explains itself.
    pub(crate) fn new(k: &Kustomization) -> Option<Observer> {
        if !crate::build::explaining() {
            return None;
        }
        let file: Arc<str> = k.file.display().to_string().into();
        let text = std::fs::read_to_string(&k.file).unwrap_or_default();
        let (value, pos) = yaml::parse_documents_with_positions(&text, true)
            .ok()
            .and_then(|d| d.into_iter().next())
            .unwrap_or((Value::NULL, PosTree::default()));
        Some(Observer {
            file,
            text,
            value,
            pos,
        })
    }

    /// The place of the node at `path` of the kustomization (or of the
    /// nearest node above it).
    fn place(&self, path: &[PathStep<'_>]) -> Place {
        Place {
            file: self.file.clone(),
            pos: nearest(&self.value, &self.pos, path),
        }
    }

    /// The index, in the file, of the `n`-th non-null item of the list
    /// `field` (the kustomization's fields skip null items), continuing
    /// into `more` (a legacy field appended to it: `imageTags`, `bases`).
    fn item(
        &self,
        field: &'static str,
        more: Option<&'static str>,
        n: usize,
    ) -> Vec<PathStep<'static>> {
        let mut left = n;
        for f in std::iter::once(field).chain(more) {
            if let Some(Value::Seq(items)) = self.value.get(f) {
                for (i, it) in items.iter().enumerate() {
                    if it.is_null() {
                        continue;
                    }
                    if left == 0 {
                        return vec![PathStep::Key(f), PathStep::Index(i)];
                    }
                    left -= 1;
                }
            }
        }
        vec![PathStep::Key(field)]
    }

    /// Starts a step: the resources it changes are recorded.
    pub(crate) fn begin(&self, res: &mut ResMap) {
        res.track_changes();
    }

    /// Ends a step whose changes all sit at the kustomization's field at
    /// `path` (`namespace`, `namePrefix`, an `images` or `replicas` entry…).
    pub(crate) fn end_at(&self, res: &mut ResMap, kind: StepKind, path: &[PathStep<'_>]) {
        let step = Step {
            kind,
            place: self.place(path),
            locate: Locate::Entry,
            scope: None,
        };
        sync_changed(res, &step);
    }

    /// Ends the step of the plugin generators (`generators`): everything
    /// at that field, which the resources remember as their generator
    /// entry (for their hash suffixes and the references to them).
    pub(crate) fn end_plugin_generators(&self, res: &mut ResMap) {
        let place = self.place(&[PathStep::Key("generators")]);
        let step = Step {
            kind: StepKind::Generator,
            place: place.clone(),
            locate: Locate::Entry,
            scope: None,
        };
        if let Some(positions) = res.take_changes() {
            sync_at(res, &positions, &|_| step.clone());
            let all = res.resources_mut();
            for p in positions {
                if let Some(t) = all.get_mut(p).and_then(|r| r.trail.as_mut()) {
                    t.generated_at = Some(place.clone());
                }
            }
        }
    }

    /// The pairs of the mapping at `path`: key, value text, place.
    fn pairs(&self, path: &[PathStep<'_>], out: &mut Vec<(String, String, Place)>) {
        let mut p: Vec<PathStep<'_>> = path.to_vec();
        if let Some(Value::Map(m)) = at_path(&self.value, path) {
            for (k, v) in m.iter() {
                p.push(PathStep::Key(k));
                out.push((
                    k.clone(),
                    v.scalar_string().unwrap_or_default(),
                    self.place(&p),
                ));
                p.pop();
            }
        }
    }

    /// Ends a step setting key-value pairs (`pairs`, applied in order): a
    /// field named like a pair sits at the last pair with its key and value
    /// (or its key).
    fn end_with_pairs(
        &self,
        res: &mut ResMap,
        kind: StepKind,
        place: Place,
        pairs: &[(String, String, Place)],
        specs: &[&FieldSpec],
    ) {
        // The transformers set pairs only where their field specs lead, and
        // where the shared nodes of the pairs' keys are (see crate::alias).
        let shared: Vec<String> = res
            .resources()
            .iter()
            .filter(|r| !r.aliases.is_empty())
            .flat_map(|r| {
                r.aliases
                    .member_spec_paths(|key| pairs.iter().any(|(k, _, _)| k == key))
            })
            .collect();
        let scope = Scope::of_paths(
            specs
                .iter()
                .map(|s| s.path.as_str())
                .chain(shared.iter().map(String::as_str)),
        );
        let f = |leaf: &Leaf<'_>| {
            let key = leaf.key?;
            let value = leaf.new.scalar_string();
            pairs
                .iter()
                .rev()
                .find(|(k, v, _)| k == key && value.as_ref() == Some(v))
                .or_else(|| pairs.iter().rev().find(|(k, _, _)| k == key))
                .map(|(_, _, p)| (p.clone(), None))
        };
        let step = Step {
            kind,
            place,
            locate: Locate::With(&f),
            scope: Some(&scope),
        };
        sync_changed(res, &step);
    }

    /// Ends the step of the `entries` `labels` entries and `commonLabels`,
    /// which set labels where `specs` lead.
    pub(crate) fn end_labels(&self, res: &mut ResMap, entries: usize, specs: &[&FieldSpec]) {
        let mut pairs = Vec::new();
        for n in 0..entries {
            let mut path = self.item("labels", None, n);
            path.push(PathStep::Key("pairs"));
            self.pairs(&path, &mut pairs);
        }
        self.pairs(&[PathStep::Key("commonLabels")], &mut pairs);
        let place = self.place(&self.item("labels", None, 0));
        self.end_with_pairs(res, StepKind::Labels, place, &pairs, specs);
    }

    /// Ends the `commonAnnotations` step, which set annotations where
    /// `specs` lead.
    pub(crate) fn end_annotations(&self, res: &mut ResMap, specs: &[FieldSpec]) {
        let mut pairs = Vec::new();
        let path = [PathStep::Key("commonAnnotations")];
        self.pairs(&path, &mut pairs);
        let specs: Vec<&FieldSpec> = specs.iter().collect();
        self.end_with_pairs(
            res,
            StepKind::Annotations,
            self.place(&path),
            &pairs,
            &specs,
        );
    }

    /// Ends the step of every `replicas` entry: a count sits at the last
    /// entry naming its resource (by its current or a previous name).
    pub(crate) fn end_replicas(&self, res: &mut ResMap, replicas: &[ReplicaSpec]) {
        let Some(positions) = res.take_changes() else {
            return;
        };
        let fallback = self.place(&[PathStep::Key("replicas")]);
        sync_at(res, &positions, &|r| {
            let named = |n: &str| r.name() == n || r.prev_ids.iter().any(|p| p.name == n);
            let place = replicas.iter().rposition(|x| named(&x.name)).map_or_else(
                || fallback.clone(),
                |i| self.place(&self.item("replicas", None, i)),
            );
            Step {
                kind: StepKind::Replicas,
                place,
                locate: Locate::Entry,
                scope: None,
            }
        });
    }

    /// Ends the step of every `images` entry: an image sits at the last
    /// entry that changed it.
    pub(crate) fn end_images(&self, res: &mut ResMap, images: &[ImageSpec]) {
        let entries = ImageEntries::new(images);
        let places: Vec<Place> = (0..images.len())
            .map(|i| self.place(&self.item("images", Some("imageTags"), i)))
            .collect();
        let f = |leaf: &Leaf<'_>| {
            let i = entries.last_to_change(leaf.old?)?;
            Some((places.get(i)?.clone(), None))
        };
        let step = Step {
            kind: StepKind::Images,
            place: self.place(&[PathStep::Key("images")]),
            locate: Locate::With(&f),
            scope: None,
        };
        sync_changed(res, &step);
    }

    /// Ends a generator step: `args` is the `n`-th entry of `field`
    /// (`configMapGenerator`, `secretGenerator`). A data key sits at the
    /// literal, file or env line that made it; the resource remembers the
    /// entry (its hash suffix and name references point there).
    pub(crate) fn end_generator(
        &self,
        ldr: &Loader,
        res: &mut ResMap,
        field: &'static str,
        n: usize,
        args: &GeneratorArgs,
    ) {
        let entry = self.item(field, None, n);
        let entry_place = self.place(&entry);
        let mut keys: Vec<(String, Place)> = Vec::new();
        let mut list = |name: &'static str, key_of: &dyn Fn(&str) -> Option<String>| {
            let mut p = entry.clone();
            p.push(PathStep::Key(name));
            if let Some(Value::Seq(items)) = at_path(&self.value, &p) {
                for (i, it) in items.iter().enumerate() {
                    if let Some(k) = it.as_str().and_then(key_of) {
                        p.push(PathStep::Index(i));
                        keys.push((k, self.place(&p)));
                        p.pop();
                    }
                }
            }
        };
        list("literals", &|s| {
            s.split_once('=').map(|(k, _)| k.to_string())
        });
        list("files", &|s| {
            Some(match s.split_once('=') {
                Some((k, _)) => k.to_string(),
                None => s
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(s)
                    .to_string(),
            })
        });
        // Keys from env files sit at their line of the env file.
        for e in &args.envs {
            let Ok(bytes) = ldr.load(e) else { continue };
            let shown: Arc<str> = ldr.display_path(e).display().to_string().into();
            for (i, line) in String::from_utf8_lossy(&bytes).lines().enumerate() {
                let l = line.trim_start();
                if l.is_empty() || l.starts_with('#') {
                    continue;
                }
                let k = l.split_once('=').map_or(l, |(k, _)| k);
                keys.push((
                    k.to_string(),
                    Place {
                        file: shown.clone(),
                        pos: Pos::new(i + 1, line.len() - l.len() + 1),
                    },
                ));
            }
        }
        let f = |leaf: &Leaf<'_>| {
            if leaf.depth != 2 || !matches!(leaf.top, Some("data" | "binaryData")) {
                return None;
            }
            let key = leaf.key?;
            keys.iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, p)| (p.clone(), None))
        };
        let step = Step {
            kind: StepKind::Generator,
            place: entry_place.clone(),
            locate: Locate::With(&f),
            scope: None,
        };
        if let Some(positions) = res.take_changes() {
            sync_at(res, &positions, &|_| step.clone());
            let all = res.resources_mut();
            for p in positions {
                if let Some(t) = all.get_mut(p).and_then(|r| r.trail.as_mut()) {
                    t.generated_at = Some(entry_place.clone());
                }
            }
        }
    }

    /// The patch entry `n` of `field` (`patches`, `patchesJson6902`, with
    /// `entry`) or of `patchesStrategicMerge` (the string `psm`), read with
    /// positions: the observer to hand to the patch functions.
    pub(crate) fn patch(
        &self,
        ldr: &Loader,
        field: &'static str,
        n: usize,
        entry: Option<&PatchEntry>,
        psm: Option<&str>,
    ) -> PatchSteps {
        let item = self.item(field, None, n);
        let at = self.place(&item);
        let docs = self.patch_docs(ldr, &item, entry, psm).unwrap_or_default();
        let mut ops = Vec::new();
        if let Some(Doc {
            value: Value::Seq(items),
            pos,
            file,
        }) = docs.first()
            && docs.len() == 1
        {
            for (i, op) in items.iter().enumerate() {
                let Some(t) = pos.kids.get(i) else { continue };
                let key = |k: &str| {
                    op.as_map()
                        .and_then(|m| m.entries().iter().position(|(e, _)| e == k))
                };
                let path = op.get("path").and_then(Value::as_str).unwrap_or("");
                let kind = op.get("op").and_then(Value::as_str).unwrap_or("");
                let value = key("value").and_then(|j| {
                    let v = &op.as_map()?.entries()[j].1;
                    Some((v.clone(), t.kids.get(j)?.clone()))
                });
                let at = key("value")
                    .or_else(|| key("path"))
                    .and_then(|j| t.kids.get(j))
                    .map_or(t.pos, |k| k.pos);
                ops.push(OpStep {
                    file: file.clone(),
                    path: pointer_segments(path),
                    value: if kind == "test" { None } else { value },
                    at,
                    touch: matches!(kind, "add" | "replace"),
                    limited: matches!(kind, "add" | "replace" | "remove" | "test"),
                });
            }
        }
        PatchSteps { at, docs, ops }
    }

    /// The documents of a patch entry, with positions in the file holding
    /// them (an inline patch's in the kustomization file).
    fn patch_docs(
        &self,
        ldr: &Loader,
        item: &[PathStep<'_>],
        entry: Option<&PatchEntry>,
        psm: Option<&str>,
    ) -> Option<Vec<Doc>> {
        let from_file = |path: &str| -> Option<Vec<Doc>> {
            let text = ldr.load_text(path).ok()?;
            let file: Arc<str> = ldr.display_path(path).display().to_string().into();
            let docs = yaml::parse_documents_with_positions(&text, false).ok()?;
            Some(
                docs.into_iter()
                    .map(|(value, pos)| Doc {
                        file: file.clone(),
                        value,
                        pos,
                    })
                    .collect(),
            )
        };
        let (text, node_path) = match (entry, psm) {
            (Some(e), _) => match (&e.path, &e.patch) {
                (Some(p), _) => return from_file(p),
                (None, Some(t)) => {
                    let mut p = item.to_vec();
                    p.push(PathStep::Key("patch"));
                    (t.as_str(), p)
                }
                _ => return None,
            },
            (None, Some(s)) => {
                let inline = yaml::parse_documents(s)
                    .is_ok_and(|d| !d.is_empty() && d.iter().all(|x| x.get("kind").is_some()));
                if !inline {
                    return from_file(s);
                }
                (s, item.to_vec())
            }
            (None, None) => return None,
        };
        // The patch functions read an inline `patches` text trimmed.
        let trimmed = if entry.is_some() { text.trim() } else { text };
        let lead = &text[..text.len() - text.trim_start().len()];
        let lead = if entry.is_some() { lead } else { "" };
        let docs = yaml::parse_documents_with_positions(trimmed, false).ok()?;
        let map = self.inline_map(&node_path, lead);
        let at = nearest(&self.value, &self.pos, &node_path);
        Some(
            docs.into_iter()
                .map(|(value, mut pos)| {
                    match &map {
                        Some(f) => shift(&mut pos, f),
                        None => shift(&mut pos, &|_| at),
                    }
                    Doc {
                        file: self.file.clone(),
                        value,
                        pos,
                    }
                })
                .collect(),
        )
    }

    /// Maps positions in the text of the string at `path` (after `lead`
    /// was trimmed off its start) to positions in the kustomization file:
    /// exact for a literal block scalar and a one-line scalar, `None`
    /// otherwise.
    fn inline_map(&self, path: &[PathStep<'_>], lead: &str) -> Option<Box<dyn Fn(Pos) -> Pos>> {
        let node = self.pos.at(&self.value, path)?.pos;
        let lines: Vec<&str> = self.text.lines().collect();
        let header_line = lines.get(node.line as usize - 1)?;
        let header: String = header_line
            .chars()
            .skip(node.column as usize - 1)
            .take(1)
            .collect();
        let lead_lines = lead.matches('\n').count() as u32;
        if header == "|" {
            // Content lines follow the header, all indented alike.
            let indent = lines[node.line as usize..]
                .iter()
                .find(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())? as u32;
            let first = node.line + 1 + lead_lines;
            return Some(Box::new(move |p: Pos| Pos {
                line: first + p.line - 1,
                column: p.column + indent,
            }));
        }
        let value = at_path(&self.value, path)?.as_str()?;
        if value.contains('\n') || lead_lines > 0 {
            return None;
        }
        let quoted = u32::from(matches!(header.as_str(), "\"" | "'"));
        let (line, col) = (node.line, node.column + quoted + lead.len() as u32);
        Some(Box::new(move |p: Pos| Pos {
            line,
            column: col + p.column - 1,
        }))
    }

    /// Notes the vars of this kustomization (`vars` entries) for the var
    /// steps at the top.
    pub(crate) fn note_vars(&self, notes: &mut Notes, vars: &[Value]) {
        let mut n = 0;
        for v in vars {
            if v.is_null() {
                continue;
            }
            if let Some(name) = v.get("name").and_then(Value::as_str) {
                let path = self.item("vars", None, n);
                notes.vars.push((name.to_string(), self.place(&path)));
            }
            n += 1;
        }
    }

    /// Ends the replacement step of the entry `n` of `replacements`, whose
    /// `i`-th replacement `rep` ran (from the file `file`, for a `path:`
    /// entry). `source` is the resource and field the value came from.
    pub(crate) fn end_replacement(
        &self,
        res: &mut ResMap,
        n: usize,
        file_place: Option<Place>,
        source: Option<(usize, *const Value)>,
    ) {
        let entry = self.item("replacements", None, n);
        let place = file_place.unwrap_or_else(|| self.place(&entry));
        let from = source.and_then(|(pos, ptr)| {
            let r = res.resources().get(pos)?;
            let node = r.trail.as_ref()?.root.find(&r.value, ptr)?;
            origin_of(node)
        });
        let f = |_: &Leaf<'_>| from.clone().map(|o| (place.clone(), Some(o)));
        let step = Step {
            kind: StepKind::Replacement,
            place: place.clone(),
            locate: Locate::With(&f),
            scope: None,
        };
        sync_changed(res, &step);
    }

    /// Ends the hash suffix step: each name sits at the generator entry
    /// that last made or merged its resource.
    pub(crate) fn end_hash(&self, res: &mut ResMap) {
        let fallback = self.place(&[]);
        if let Some(positions) = res.take_changes() {
            sync_at(res, &positions, &|r| Step {
                kind: StepKind::HashSuffix,
                place: r
                    .trail
                    .as_ref()
                    .and_then(|t| t.generated_at.clone())
                    .unwrap_or_else(|| fallback.clone()),
                locate: Locate::Entry,
                scope: None,
            });
        }
    }

    /// Ends the name reference step: a rewritten reference sits where the
    /// resource it names got its current name (a generated ConfigMap's at
    /// the generator entry that last changed it).
    pub(crate) fn end_name_references(&self, res: &mut ResMap) {
        let Some(positions) = res.take_changes() else {
            return;
        };
        let mut by_name: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
        for (i, r) in res.resources().iter().enumerate() {
            by_name.entry(r.name().to_string()).or_default().push(i);
        }
        let fallback = self.place(&[]);
        for pos in positions {
            let Some(mut trail) = res.resources_mut()[pos].trail.take() else {
                continue;
            };
            {
                let all = res.resources();
                let referrer = all[pos].id();
                let f = |leaf: &Leaf<'_>| {
                    let name = leaf.new.as_str()?;
                    let cands = by_name.get(name)?;
                    let target = cands
                        .iter()
                        .find(|&&c| all[c].ref_by.contains(&referrer))
                        .or_else(|| cands.first())?;
                    let t = all[*target].trail.as_ref()?;
                    let e = t.root.key("metadata")?.key("name")?.last()?;
                    Some((e.place.clone(), None))
                };
                let step = Step {
                    kind: StepKind::NameReference,
                    place: fallback.clone(),
                    locate: Locate::With(&f),
                    scope: None,
                };
                trail.sync(&all[pos].value, &step);
            }
            res.resources_mut()[pos].trail = Some(trail);
        }
    }

    /// Ends the var step: a substituted value sits at the declaration of
    /// the first var it names; its source is the var's field.
    pub(crate) fn end_vars(
        &self,
        res: &mut ResMap,
        notes: &Notes,
        sources: &[(String, Option<Origin>)],
    ) {
        let fallback = self.place(&[]);
        let f = |leaf: &Leaf<'_>| {
            let old = leaf.old?.as_str()?;
            let mut rest = old;
            while let Some(i) = rest.find("$(") {
                let after = &rest[i + 2..];
                let end = after.find(')')?;
                let name = &after[..end];
                if let Some((_, p)) = notes.vars.iter().find(|(n, _)| n == name) {
                    let from = sources
                        .iter()
                        .find(|(n, _)| n == name)
                        .and_then(|(_, o)| o.clone());
                    return Some((p.clone(), from));
                }
                rest = &after[end..];
            }
            None
        };
        let step = Step {
            kind: StepKind::Var,
            place: fallback,
            locate: Locate::With(&f),
            scope: None,
        };
        sync_changed(res, &step);
    }
}

impl Observer {
    /// Ends the build: a resource no observed step made (a step added to
    /// the pipeline without an observer call) gets a trail placing its
    /// values in the file it was read from, or in this kustomization.
    pub(crate) fn end_build(&self, res: &mut ResMap) {
        let fallback = self.place(&[]);
        for r in res.resources_mut() {
            if r.trail.is_some() {
                continue;
            }
            let place = match &r.source {
                Some(f) => Place {
                    file: f.display().to_string().into(),
                    pos: Pos::default(),
                },
                None => fallback.clone(),
            };
            let step = Step {
                kind: StepKind::Resource,
                place,
                locate: Locate::Entry,
                scope: None,
            };
            sync_one(r, &step);
        }
    }
}

/// Where the value at `node` was last set, for a copy of it.
pub(crate) fn origin_of(node: &Node) -> Option<Origin> {
    let e = node.last()?;
    Some(Origin {
        step: e.step,
        place: e.place.clone(),
    })
}

/// The value at `path`.
fn at_path<'v>(v: &'v Value, path: &[PathStep<'_>]) -> Option<&'v Value> {
    let mut cur = v;
    for step in path {
        cur = match (step, cur) {
            (PathStep::Key(k), Value::Map(m)) => m.get(k)?,
            (PathStep::Index(i), Value::Seq(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// One JSON 6902 operation as the observer places it.
struct OpStep {
    file: Arc<str>,
    path: Vec<String>,
    value: Option<(Value, PosTree)>,
    at: Pos,
    touch: bool,
    limited: bool,
}

/// True when `v` holds a mapping key starting with `$` (a strategic merge
/// directive).
fn has_directive(v: &Value) -> bool {
    match v {
        Value::Map(m) => m
            .iter()
            .any(|(k, x)| k.starts_with('$') || has_directive(x)),
        Value::Seq(items) => items.iter().any(has_directive),
        _ => false,
    }
}

/// The observer of one patch entry (see [`Observer::patch`]).
pub(crate) struct PatchSteps {
    at: Place,
    docs: Vec<Doc>,
    ops: Vec<OpStep>,
}

impl PatchObserver for PatchSteps {
    fn applied(
        &self,
        part: PatchPart,
        value: &Value,
        trail: &mut Option<Box<Trail>>,
        spread: bool,
    ) {
        let step = match part {
            PatchPart::Strategic(i) => match self.docs.get(i) {
                Some(d) => Step {
                    kind: StepKind::Patch,
                    place: self.at.clone(),
                    locate: Locate::Doc {
                        file: d.file.clone(),
                        value: &d.value,
                        pos: &d.pos,
                        touch: true,
                        // A document that wrote shared nodes changed
                        // values off its own keys too.
                        limited: !spread && !has_directive(&d.value),
                    },
                    scope: None,
                },
                None => Step {
                    kind: StepKind::Patch,
                    place: self.at.clone(),
                    locate: Locate::Entry,
                    scope: None,
                },
            },
            PatchPart::Json(i) => match self.ops.get(i) {
                Some(op) => Step {
                    kind: StepKind::Patch,
                    place: self.at.clone(),
                    locate: Locate::Op {
                        file: op.file.clone(),
                        path: &op.path,
                        value: op.value.as_ref().map(|(v, t)| (v, t)),
                        at: op.at,
                        touch: op.touch,
                        limited: op.limited,
                    },
                    scope: None,
                },
                None => Step {
                    kind: StepKind::Patch,
                    place: self.at.clone(),
                    locate: Locate::Entry,
                    scope: None,
                },
            },
        };
        match trail {
            Some(t) => t.sync(value, &step),
            None => *trail = Some(Box::new(Trail::new(value, &step))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_decode_their_escapes() {
        assert_eq!(
            pointer_segments("/metadata/annotations/a.io~1b~0c"),
            ["metadata", "annotations", "a.io/b~c"]
        );
        assert_eq!(pointer_segments("/spec/ports/-"), ["spec", "ports", "-"]);
        assert!(pointer_segments("").is_empty());
    }

    #[test]
    fn directives_are_found_anywhere() {
        let v = |j| Value::from(j);
        assert!(!has_directive(&v(
            serde_json::json!({"spec": {"a": [{"b": 1}]}})
        )));
        assert!(has_directive(&v(
            serde_json::json!({"spec": {"a": [{"$patch": "delete"}]}})
        )));
        assert!(has_directive(&v(
            serde_json::json!({"$setElementOrder/a": []})
        )));
    }
}
