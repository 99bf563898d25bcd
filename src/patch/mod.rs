//! Patches: the `patches`, `patchesStrategicMerge` and `patchesJson6902`
//! fields, built on strategic merge ([`smp`]) and JSON 6902 ([`json6902`]).

pub mod json6902;
pub mod smp;

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::kustomization::PatchEntry;
use crate::loader::Loader;
use crate::resource::{ResMap, Resource};
use crate::selector::Selector;
use crate::yaml::Value;

/// Told about every patch document or operation applied to a resource
/// while a build explains itself (`aiw explain`); may be called from
/// several threads at once, each with its own resource.
pub(crate) trait PatchObserver: Sync {
    /// `part` of the current entry was applied to the resource whose value
    /// and trail these are. `spread`: the part wrote shared nodes (see
    /// [`crate::alias`]), so values also changed where it names nothing.
    fn applied(
        &self,
        part: PatchPart,
        value: &Value,
        trail: &mut Option<Box<crate::explain::Trail>>,
        spread: bool,
    );
}

/// Which part of a patch entry was applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PatchPart {
    /// Strategic merge patch document `i` of the entry.
    Strategic(usize),
    /// JSON 6902 operation `i` of the entry.
    Json(usize),
}

/// Tells `obs` (if any) that `part` was applied to `r` (`spread`: see
/// [`PatchObserver::applied`]).
fn observed(obs: Option<&dyn PatchObserver>, part: PatchPart, r: &mut Resource, spread: bool) {
    if let Some(o) = obs {
        o.applied(part, &r.value, &mut r.trail, spread);
    }
}

/// What a patch text turned out to be.
#[derive(Debug)]
pub enum PatchBody {
    /// One or more strategic merge patch documents.
    Strategic(Vec<Resource>),
    /// A list of JSON 6902 operations.
    Json(json6902::Patch),
}

/// Where a patch came from, for messages.
fn source_of(p: &PatchEntry, ldr: &Loader) -> String {
    match (&p.path, &p.patch) {
        (Some(path), _) => ldr.display_path(path).display().to_string(),
        (_, Some(text)) => {
            let first = text.trim().lines().next().unwrap_or("");
            if names_no_value(first) {
                format!("inline patch {:?}", first)
            } else {
                // The first line may carry a value (a one-line JSON patch, a
                // flow mapping): values may be Secret data, so show none.
                "inline patch".into()
            }
        }
        _ => "patch".into(),
    }
}

/// True when a patch's first line is a plain `key: word` line whose key
/// carries no data (`apiVersion: v1`, `- op: add`, `kind: Secret`), so it is
/// safe to quote in a message.
fn names_no_value(line: &str) -> bool {
    let l = line.trim().trim_start_matches("- ").trim_start();
    let Some((key, rest)) = l.split_once(':') else {
        return false;
    };
    matches!(
        key.trim(),
        "apiVersion" | "kind" | "op" | "metadata" | "path" | "from"
    ) && !rest.contains(['{', '[', ',', '"', '\''])
        && rest.len() <= 60
}

/// Parses patch text, detecting strategic merge vs JSON 6902 as kustomize
/// does: the text must parse as exactly one of the two.
pub fn parse_patch_text(text: &str, origin: &str) -> Result<PatchBody> {
    let file = PathBuf::from(origin);
    let docs = if origin.starts_with("inline patch") {
        // Not a file: leave the file unset so the kustomization is named.
        crate::yaml::parse_documents(text).map_err(|e| Error::msg(format!("{}: {}", origin, e)))?
    } else {
        crate::build::parse_yaml(&file, text)?
    };
    // A JSON 6902 patch is a single sequence of mappings.
    if docs.len() == 1
        && let Value::Seq(ops) = &docs[0]
    {
        if ops.iter().all(|o| matches!(o, Value::Map(_))) {
            if ops.is_empty() {
                return Err(Error::msg(format!("patch appears to be empty: {}", origin)));
            }
            let syntax = if text.starts_with('[') {
                json6902::Syntax::Json
            } else {
                json6902::Syntax::Yaml
            };
            let patch = json6902::Patch::parse(&docs[0], syntax)
                .map_err(|e| Error::msg(format!("{}: {}", origin, e.message)))?;
            return Ok(PatchBody::Json(patch));
        }
        return Err(Error::msg(format!(
            "unable to parse SM or JSON patch from {}",
            origin
        )));
    }
    let mut out = Vec::new();
    for d in docs {
        match &d {
            Value::Map(m) => {
                let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
                let name = d
                    .get_path(&["metadata", "name"])
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if kind.is_empty() {
                    return Err(Error::msg(format!(
                        "unable to parse SM or JSON patch from {}: missing kind",
                        origin
                    )));
                }
                if name.is_empty() && !kind.ends_with("List") {
                    return Err(Error::msg(format!(
                        "unable to parse SM or JSON patch from {}: missing metadata.name",
                        origin
                    )));
                }
                out.push(Resource::new(d));
            }
            _ => {
                return Err(Error::msg(format!(
                    "unable to parse SM or JSON patch from {}",
                    origin
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(Error::msg(format!("patch appears to be empty: {}", origin)));
    }
    Ok(PatchBody::Strategic(out))
}

/// Applies one strategic merge patch to the resource at `pos`, as kustomize's
/// `Resource.ApplySmPatch` does: the patch takes the target's apiVersion;
/// kind and name are restored unless the patch allows changing them; the
/// namespace is always restored. Returns false when the patch deleted the
/// resource.
fn apply_smp_at(
    m: &mut ResMap,
    pos: usize,
    patch: &Resource,
    allow_name_change: bool,
    allow_kind_change: bool,
    obs: Option<(&dyn PatchObserver, usize)>,
) -> Result<bool> {
    m.update(pos, |r| {
        let kept = apply_smp(r, patch, allow_name_change, allow_kind_change)?;
        if let (Some(spread), Some((o, doc))) = (kept, obs) {
            observed(Some(o), PatchPart::Strategic(doc), r, spread);
        }
        Ok(kept.is_some())
    })
}

/// [`apply_smp_at`] on one resource (the caller keeps the index right).
/// `None` when the patch deleted the resource, else whether it wrote shared
/// nodes (values changed where the patch names nothing).
fn apply_smp(
    r: &mut Resource,
    patch: &Resource,
    allow_name_change: bool,
    allow_kind_change: bool,
) -> Result<Option<bool>> {
    let mut patch_value = patch.value.clone();
    let api_version = r.api_version().to_string();
    if let Some(pm) = patch_value.as_map_mut() {
        if api_version.is_empty() {
            pm.remove("apiVersion");
        } else {
            pm.insert("apiVersion", Value::String(api_version));
        }
    }
    let id = r.id();
    let (name, ns, kind) = (
        r.name().to_string(),
        r.namespace().to_string(),
        r.kind().to_string(),
    );
    if allow_name_change || allow_kind_change {
        r.store_previous_id();
    }
    let (outcome, aliases) = crate::build::with_active_schema(|schema| {
        // What the merge does to the target's shared nodes, worked out first.
        let plan = crate::alias::SmpPlan::new(&r.aliases, &r.value, &patch_value, schema);
        smp::merge_patch(&mut r.value, &patch_value, schema).map(|o| (o, plan))
    })
    .map_err(|e| Error::msg(format!("applying patch to {}: {}", id, e.message)))?;
    if outcome == smp::MergeOutcome::Delete {
        return Ok(None);
    }
    let spread = match aliases {
        Some(plan) => plan.finish(&mut r.aliases, &mut r.value),
        None => false,
    };
    if !allow_kind_change {
        r.map_mut().insert("kind", Value::String(kind));
    }
    if !allow_name_change {
        r.set_name(&name);
    }
    if ns.is_empty() {
        if let Some(Value::Map(md)) = r.map_mut().get_mut("metadata") {
            md.remove("namespace");
        }
    } else {
        r.set_namespace(&ns);
    }
    Ok(Some(spread))
}

fn select(m: &ResMap, sel: &Selector) -> Vec<usize> {
    (0..m.len()).filter(|&p| sel.matches(m.get(p))).collect()
}

fn apply_smp_by_id(
    m: &mut ResMap,
    patch: &Resource,
    allow_name: bool,
    allow_kind: bool,
    origin: &str,
    obs: Option<(&dyn PatchObserver, usize)>,
) -> Result<()> {
    let id = patch.id();
    let found = m.find_by_any_id(&id);
    match found.len() {
        1 => {
            if !apply_smp_at(m, found[0], patch, allow_name, allow_kind, obs)? {
                m.remove_positions(&found);
            }
            Ok(())
        }
        0 => Err(Error::msg(format!(
            "no resource matches strategic merge patch {} from {}{}",
            id,
            origin,
            crate::suggest::nearest_ids(m, &id)
        ))),
        _ => Err(Error::msg(format!(
            "multiple resources match strategic merge patch {} from {}",
            id, origin
        ))),
    }
}

/// The `patchesStrategicMerge` field: file paths or inline patches, each
/// applied to the resource whose id (current or original) it names.
pub fn apply_patches_strategic_merge(
    ldr: &Loader,
    entries: &[String],
    m: &mut ResMap,
) -> Result<()> {
    apply_patches_strategic_merge_observed(ldr, entries, m, None)
}

/// [`apply_patches_strategic_merge`], telling `obs` about each document
/// applied.
pub(crate) fn apply_patches_strategic_merge_observed(
    ldr: &Loader,
    entries: &[String],
    m: &mut ResMap,
    obs: Option<&dyn PatchObserver>,
) -> Result<()> {
    for entry in entries {
        let (patches, origin) = strategic_merge_entry(ldr, entry)?;
        for (i, p) in patches.iter().enumerate() {
            apply_smp_by_id(m, p, false, false, &origin, obs.map(|o| (o, i)))?;
        }
    }
    Ok(())
}

/// The documents of one `patchesStrategicMerge` entry, and its origin for
/// messages.
fn strategic_merge_entry(ldr: &Loader, entry: &str) -> Result<(Vec<Resource>, String)> {
    // kustomize first tries the entry as inline YAML, then as a path.
    // Inline means: it parses as YAML documents that are all objects.
    let inline = crate::yaml::parse_documents(entry)
        .is_ok_and(|docs| !docs.is_empty() && docs.iter().all(|d| d.get("kind").is_some()));
    let (text, origin) = if inline {
        (
            entry.to_string(),
            "inline patchesStrategicMerge entry".to_string(),
        )
    } else {
        (
            ldr.load_text(entry)?,
            ldr.display_path(entry).display().to_string(),
        )
    };
    let body = parse_patch_text(&text, &origin)?;
    let PatchBody::Strategic(patches) = body else {
        return Err(Error::msg(format!(
            "{}: patchesStrategicMerge entries must be strategic merge patches, not JSON 6902",
            origin
        )));
    };
    Ok((patches, origin))
}

/// The kinds of the resources that `k`'s patches find by id rather than
/// through a `target:` selector (strategic merge patches without a target,
/// `patchesStrategicMerge`, and the targets of `patchesJson6902`): a patch
/// whose resource is missing is an error. `None` when some patch cannot
/// be read or its kind is not a plain name.
pub(crate) fn id_matched_kinds(
    ldr: &Loader,
    k: &crate::kustomization::Kustomization,
) -> Option<std::collections::HashSet<String>> {
    let plain = |kind: &str| !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric());
    let mut kinds = std::collections::HashSet::new();
    let mut add_docs = |docs: &[Resource]| -> bool {
        for d in docs {
            if !plain(d.kind()) {
                return false;
            }
            kinds.insert(d.kind().to_string());
        }
        true
    };
    for p in &k.patches {
        if p.target.is_some() {
            continue;
        }
        let origin = source_of(p, ldr);
        let text = load_entry_text(ldr, p).ok()?;
        match parse_patch_text(&text, &origin).ok()? {
            PatchBody::Strategic(docs) => {
                if !add_docs(&docs) {
                    return None;
                }
            }
            PatchBody::Json(_) => return None,
        }
    }
    for entry in &k.patches_strategic_merge {
        let (docs, _) = strategic_merge_entry(ldr, entry).ok()?;
        if !add_docs(&docs) {
            return None;
        }
    }
    for p in &k.patches_json6902 {
        let kind = p.target.as_ref()?.get("kind")?.as_str()?;
        if !plain(kind) {
            return None;
        }
        kinds.insert(kind.to_string());
    }
    Some(kinds)
}

fn load_entry_text(ldr: &Loader, p: &PatchEntry) -> Result<String> {
    match (&p.path, &p.patch) {
        (Some(_), Some(_)) => Err(Error::msg("patch and path can't be set at the same time")),
        (None, None) => Err(Error::msg("must specify one of patch and path")),
        (Some(path), None) => ldr.load_text(path),
        (None, Some(text)) => Ok(text.trim().to_string()),
    }
}

/// The `patches` field: each entry a strategic merge or JSON 6902 patch,
/// applied to its `target` selection or, for strategic merge patches
/// without a target, to the resource the patch names.
pub fn apply_patches(ldr: &Loader, entries: &[PatchEntry], m: &mut ResMap) -> Result<()> {
    apply_patches_observed(ldr, entries, m, None)
}

/// [`apply_patches`], telling `obs` about each document or operation
/// applied.
pub(crate) fn apply_patches_observed(
    ldr: &Loader,
    entries: &[PatchEntry],
    m: &mut ResMap,
    obs: Option<&dyn PatchObserver>,
) -> Result<()> {
    for p in entries {
        let origin = source_of(p, ldr);
        let text = load_entry_text(ldr, p)?;
        let body = parse_patch_text(&text, &origin)?;
        let target = p.target.as_ref().map(Selector::from_value).transpose()?;
        match body {
            PatchBody::Strategic(patches) => match &target {
                Some(sel) => {
                    if patches.len() > 1 {
                        return Err(Error::msg(format!(
                            "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: {}",
                            origin
                        )));
                    }
                    let positions = select(m, sel);
                    let outcomes = m.update_each(&positions, |_, r| {
                        let kept =
                            apply_smp(r, &patches[0], p.allow_name_change, p.allow_kind_change)?;
                        if let Some(spread) = kept {
                            observed(obs, PatchPart::Strategic(0), r, spread);
                        }
                        Ok(kept.is_some())
                    });
                    let mut deleted = Vec::new();
                    for (pos, kept) in positions.into_iter().zip(outcomes) {
                        if !kept? {
                            deleted.push(pos);
                        }
                    }
                    m.remove_positions(&deleted);
                }
                None => {
                    for (i, patch) in patches.iter().enumerate() {
                        let before = m.len();
                        apply_smp_by_id(
                            m,
                            patch,
                            p.allow_name_change,
                            p.allow_kind_change,
                            &origin,
                            obs.map(|o| (o, i)),
                        )?;
                        if m.len() < before && i + 1 < patches.len() {
                            // kustomize 5.5 crashes on this input; refuse it clearly.
                            return Err(Error::msg(format!(
                                "{}: a `$patch: delete` document must be the last document of its patch (kustomize cannot apply further documents after a deletion in the same `patches` entry)",
                                origin
                            )));
                        }
                    }
                }
            },
            PatchBody::Json(ops) => {
                let Some(sel) = &target else {
                    return Err(Error::msg(format!(
                        "must specify a target for JSON patch {}",
                        origin
                    )));
                };
                let positions = select(m, sel);
                m.update_each(&positions, |_, r| {
                    let id = r.id();
                    r.store_previous_id();
                    apply_ops(&ops, r, obs).map_err(|e| {
                        Error::msg(format!("{}: applying to {}: {}", origin, id, e.message))
                    })
                })
                .into_iter()
                .collect::<Result<()>>()?;
            }
        }
    }
    Ok(())
}

/// The legacy `patchesJson6902` field: JSON 6902 patches with a target.
pub fn apply_patches_json6902(ldr: &Loader, entries: &[PatchEntry], m: &mut ResMap) -> Result<()> {
    apply_patches_json6902_observed(ldr, entries, m, None)
}

/// Applies JSON 6902 operations to `r`, telling `obs` about each one.
fn apply_ops(
    ops: &json6902::Patch,
    r: &mut Resource,
    obs: Option<&dyn PatchObserver>,
) -> Result<()> {
    // kustomize round trips the resource through JSON: no node stays
    // shared.
    r.aliases.clear();
    match obs {
        None => ops.apply(&mut r.value),
        Some(o) => {
            let Resource { value, trail, .. } = r;
            ops.apply_observed(value, |i, v| o.applied(PatchPart::Json(i), v, trail, false))
        }
    }
}

/// [`apply_patches_json6902`], telling `obs` about each operation applied.
pub(crate) fn apply_patches_json6902_observed(
    ldr: &Loader,
    entries: &[PatchEntry],
    m: &mut ResMap,
    obs: Option<&dyn PatchObserver>,
) -> Result<()> {
    for p in entries {
        let origin = source_of(p, ldr);
        let Some(target) = &p.target else {
            return Err(Error::msg(format!(
                "must specify a target for patch {}",
                origin
            )));
        };
        if target
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            return Err(Error::msg(format!(
                "must specify the target name for {}",
                origin
            )));
        }
        let text = load_entry_text(ldr, p)?;
        let docs = crate::build::parse_yaml(&PathBuf::from(&origin), &text)?;
        let syntax = if text.trim_start().starts_with('[') {
            json6902::Syntax::Json
        } else {
            json6902::Syntax::Yaml
        };
        let ops = match docs.as_slice() {
            [ops] => json6902::Patch::parse(ops, syntax)
                .map_err(|e| Error::msg(format!("{}: {}", origin, e.message)))?,
            [] => return Err(Error::msg(format!("patch appears to be empty: {}", origin))),
            _ => {
                return Err(Error::msg(format!(
                    "{}: a JSON 6902 patch must be a list of operations",
                    origin
                )));
            }
        };
        let sel = Selector::from_value(target)?;
        let positions = select(m, &sel);
        m.update_each(&positions, |_, r| {
            let id = r.id();
            apply_ops(&ops, r, obs)
                .map_err(|e| Error::msg(format!("{}: applying to {}: {}", origin, id, e.message)))
        })
        .into_iter()
        .collect::<Result<()>>()?;
    }
    Ok(())
}
