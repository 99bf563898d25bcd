//! Watch mode's rebuild of a top kustomization that redoes the top's own
//! steps (patches, namespace, name prefix and suffix, labels, annotations,
//! replicas, images, replacements, hash suffixes, name references, build
//! metadata) only for the resources that can have changed.
//!
//! The last build of the top kept ([`TopMemo`]) each resource as it entered
//! those steps and as it left them. A rebuild compares what enters now with
//! what entered last time: a resource that enters unchanged ("clean") leaves
//! as it left last time, provided nothing it depends on besides itself
//! changed. Most of the steps read only the resource they edit; those that
//! read others are kept sound as follows:
//!
//! - **replacements** read their source resource: a rebuild where a changed
//!   resource could be a source (its kind is a source's kind) runs in full;
//!   otherwise every clean resource of a source kind is run again with the
//!   changed ones, so the sources are found as in a full build;
//! - **patches found by id** (no `target:`) fail when their resource is
//!   missing: clean resources of the kinds they name are run again too;
//! - **name references** read every resource's names: the resources run
//!   again see the others as the last build left them, and a rebuild in
//!   which any resource run again ends with other names than last time, or
//!   where resources were added or removed, runs in full;
//! - the resources run again must come out of the steps with the same
//!   count (no `$patch: delete`), and the clean ones among them exactly as
//!   last time;
//! - vars, plugin transformers and validators, `buildMetadata`, a change of
//!   field specs or of the merge schema, and a change to any file the top
//!   kustomization reads itself ([`TopMemo::forget`]) all mean a full run.
//!
//! Any error on the short way is not reported: the full run that follows
//! reports the error a cold build gives. The output is the same resources,
//! in the same order, as a full run gives (the watch tests compare rebuilds
//! with cold builds).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::build::{self, Accumulator, HashMemo, SchemaState};
use crate::fieldspec::TransformerConfig;
use crate::kustomization::Kustomization;
use crate::loader::Loader;
use crate::resource::{ResId, ResMap, Resource};

/// What the last build of one top kustomization kept for the next (watch
/// mode): its resources as they entered the top's own steps and as they
/// left them.
#[derive(Debug, Default)]
pub struct TopMemo {
    last: Mutex<Option<Last>>,
    /// The resources the last rebuild took as the build before left them,
    /// for the renderer to reuse their text without comparing.
    unchanged: Mutex<Unchanged>,
    /// What the last rebuild left to free, freed while the watch waits.
    garbage: Mutex<Vec<Vec<Resource>>>,
    /// How many resources the last build that reused the one before ran
    /// through the top's steps again.
    redone: Mutex<Option<usize>>,
}

#[derive(Debug)]
pub(crate) struct Last {
    config: Arc<TransformerConfig>,
    schema: SchemaState,
    /// The resources as they entered the top's steps, in order.
    inputs: Vec<Resource>,
    /// Position in `inputs` by current id.
    by_id: HashMap<ResId, usize>,
    /// Per input position: the resource as it left (`None`: dropped as a
    /// local configuration).
    finals: Vec<Option<Resource>>,
    /// The current ids of `finals` (the same after a rebuild that reuses
    /// this: names may not change).
    final_ids: Arc<HashSet<ResId>>,
    /// Copies of `finals` made while the watch waits, for a rebuild to
    /// take instead of copying then (those not made yet are `None`).
    spares: Vec<Option<Resource>>,
}

impl TopMemo {
    /// Forgets the last build (a file the top kustomization reads itself
    /// changed): the next build runs in full.
    pub fn forget(&self) {
        self.slot().take();
    }

    /// True when a last build is kept.
    pub fn is_kept(&self) -> bool {
        self.slot().is_some()
    }

    /// The resources the last build took unchanged from the one before
    /// (their rendered text is the one before's); emptied.
    pub fn take_unchanged(&self) -> Unchanged {
        std::mem::take(&mut *self.unchanged.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// How many resources the last build ran through the top's steps
    /// again, when it reused the build before (`None`: it ran them all);
    /// emptied.
    pub fn take_redone(&self) -> Option<usize> {
        self.redone.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Work for the time between rebuilds, until `stop` is set: frees what
    /// the last rebuild left, then copies the kept results a rebuild takes.
    pub fn prepare(&self, stop: &std::sync::atomic::AtomicBool) {
        let stopped = || stop.load(std::sync::atomic::Ordering::Acquire);
        loop {
            if stopped() {
                return;
            }
            let piece = self.garbage.lock().unwrap_or_else(|e| e.into_inner()).pop();
            match piece {
                Some(piece) => drop(piece),
                None => break,
            }
        }
        let mut slot = self.slot();
        let Some(last) = slot.as_mut() else {
            return;
        };
        let n = last.finals.len();
        last.spares.resize_with(n, || None);
        for start in (0..n).step_by(PIECE) {
            if stopped() {
                return;
            }
            let end = (start + PIECE).min(n);
            for j in start..end {
                if last.spares[j].is_none() {
                    last.spares[j] = last.finals[j].clone();
                }
            }
        }
    }

    fn discard(&self, mut resources: Vec<Resource>) {
        let mut garbage = self.garbage.lock().unwrap_or_else(|e| e.into_inner());
        while resources.len() > PIECE {
            garbage.push(resources.split_off(resources.len() - PIECE));
        }
        garbage.push(resources);
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Last>> {
        self.last.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The resources of a build that are known to come out exactly as the
/// build before left them.
#[derive(Debug, Default)]
pub struct Unchanged {
    all: Option<Arc<HashSet<ResId>>>,
    except: HashSet<ResId>,
}

impl Unchanged {
    /// True for the resource whose current id is `id`.
    pub fn contains(&self, id: &ResId) -> bool {
        self.all.as_ref().is_some_and(|all| all.contains(id)) && !self.except.contains(id)
    }
}

/// Resources copied or freed at a time between rebuilds.
const PIECE: usize = 256;

/// True when the top kustomization `k`, with the accumulated `ra`, has only
/// steps this module knows to be per resource or handles.
pub(crate) fn eligible(k: &Kustomization, ra: &Accumulator) -> bool {
    k.transformers.is_empty()
        && k.validators.is_empty()
        && k.vars.is_empty()
        && ra.vars.is_empty()
        && k.build_metadata.is_empty()
        && !build::explaining()
        && !build::tracking_origins()
}

/// The resources entering the top's steps in a full run, kept to be
/// recorded once the run ends ([`record`]).
#[derive(Debug)]
pub(crate) struct Snapshot {
    memo: Arc<TopMemo>,
    config: Arc<TransformerConfig>,
    schema: SchemaState,
    inputs: Vec<Resource>,
}

impl Snapshot {
    /// A copy of `ra`'s resources, about to enter the top's steps.
    pub(crate) fn take(memo: Arc<TopMemo>, ra: &Accumulator) -> Snapshot {
        let mut inputs: Vec<&Resource> = ra.resources.resources().iter().collect();
        let inputs = crate::workers::map_each(&mut inputs, 64, |r| (*r).clone());
        Snapshot {
            memo,
            config: ra.config.clone(),
            schema: build::current_schema_state(),
            inputs,
        }
    }

    /// The positions, among the inputs, of the resources `after` (the
    /// top's transformers have run) that are local configurations.
    pub(crate) fn local_positions(&self, after: &ResMap) -> Option<Vec<bool>> {
        (after.len() == self.inputs.len()).then(|| {
            after
                .resources()
                .iter()
                .map(build::is_local_config)
                .collect()
        })
    }
}

/// Keeps a full run's result: `finished` are the resources after the top's
/// last step (before ordering), `local` which inputs were dropped.
pub(crate) fn record(snap: Snapshot, local: &[bool], finished: &[Resource]) {
    let Snapshot {
        memo,
        config,
        schema,
        inputs,
    } = snap;
    let kept = local.iter().filter(|l| !**l).count();
    if local.len() != inputs.len() || kept != finished.len() {
        memo.forget();
        return;
    }
    let mut out = finished.iter();
    let finals: Vec<Option<Resource>> = local
        .iter()
        .map(|&l| if l { None } else { out.next().cloned() })
        .collect();
    let Some(by_id) = index(&inputs) else {
        memo.forget();
        return;
    };
    let final_ids = Arc::new(finished.iter().map(Resource::id).collect());
    *memo.slot() = Some(Last {
        config,
        schema,
        inputs,
        by_id,
        finals,
        final_ids,
        spares: Vec::new(),
    });
}

/// Position by current id; `None` when two resources share one.
fn index(inputs: &[Resource]) -> Option<HashMap<ResId, usize>> {
    let mut by_id = HashMap::with_capacity(inputs.len());
    for (i, r) in inputs.iter().enumerate() {
        if by_id.insert(r.id(), i).is_some() {
            return None;
        }
    }
    Some(by_id)
}

/// Everything about a resource that the top's steps read or write, but
/// `ref_by` (the referrers found, read only by `aiw explain`, which never
/// rebuilds this way: a resource run again sees only the referrers run
/// again).
fn same_resource(a: &Resource, b: &Resource) -> bool {
    a.trail.is_none()
        && b.trail.is_none()
        && a.prev_ids == b.prev_ids
        && a.prefixes == b.prefixes
        && a.suffixes == b.suffixes
        && a.behavior == b.behavior
        && a.needs_hash == b.needs_hash
        && a.generated == b.generated
        && a.ref_var_names == b.ref_var_names
        && a.source == b.source
        && a.origin == b.origin
        && a.transformations == b.transformations
        && a.aliases == b.aliases
        && a.value == b.value
}

/// Its current kind and every earlier one.
fn kinds(r: &Resource) -> impl Iterator<Item = &str> {
    std::iter::once(r.kind()).chain(r.prev_ids.iter().map(|p| p.gvk.kind.as_str()))
}

/// The top's steps over `ra` (as it enters them) reusing `memo`'s last
/// build: the resources at their last step, before ordering, or `None`
/// when this rebuild must run in full (`ra` is then as it was). On success
/// `ra`'s resources are kept in `memo` for the next rebuild.
pub(crate) fn rebuild(
    ldr: &Loader,
    k: &Kustomization,
    ra: &mut Accumulator,
    memo: &TopMemo,
    hashes: Option<&HashMemo>,
    managed_by_label: bool,
) -> Option<Vec<Resource>> {
    let mut last = memo.slot().take()?;
    if !(Arc::ptr_eq(&last.config, &ra.config) || *last.config == *ra.config)
        || !last.schema.same_as(&build::current_schema_state())
    {
        return None;
    }
    let n = ra.resources.len();
    if n != last.inputs.len() {
        return None;
    }
    // Per position: its place last time, and whether it enters unchanged.
    let mut items: Vec<&Resource> = ra.resources.resources().iter().collect();
    let places: Vec<Option<(usize, bool)>> = crate::workers::map_each(&mut items, 64, |r| {
        let j = *last.by_id.get(&r.id())?;
        Some((j, same_resource(&last.inputs[j], r)))
    });
    let mut seen = vec![false; n];
    let mut place = Vec::with_capacity(n);
    for p in places {
        // Added, removed or duplicated ids: names may resolve differently.
        let (j, clean) = p?;
        if std::mem::replace(&mut seen[j], true) {
            return None;
        }
        place.push((j, clean));
    }
    // Clean resources run again: those of the kinds patches find by id,
    // and every replacement source (a resource is one if a source selects
    // any id it ended with last time: its ids at the replacement step are
    // among those).
    let by_id_kinds: HashSet<String> = crate::patch::id_matched_kinds(ldr, k)?;
    let mut sources = Vec::new();
    if !k.replacements.is_empty() {
        for rep in build::load_replacements(ldr, &k.replacements).ok()? {
            sources.push(rep.source.selector);
        }
    }
    let is_source = |r: &Resource| {
        sources.iter().any(|s| {
            (s.kind().is_empty() || kinds(r).any(|kd| kd == s.kind()))
                && (s.selects_id(&r.id()) || r.prev_ids.iter().any(|id| s.selects_id(id)))
        })
    };
    let all = ra.resources.resources();
    let mut run = Vec::new();
    for (p, &(j, clean)) in place.iter().enumerate() {
        let again = !clean
            || kinds(&all[p]).any(|kd| by_id_kinds.contains(kd))
            || match &last.finals[j] {
                Some(f) => is_source(f),
                None => true,
            };
        if again {
            run.push(p);
        }
    }
    let mut extras: Vec<&Resource> = Vec::with_capacity(n - run.len());
    let mut is_run = vec![false; n];
    for &p in &run {
        is_run[p] = true;
    }
    let mut others: Vec<&Resource> = Vec::with_capacity(n - run.len());
    for p in 0..n {
        if !is_run[p] {
            // A clean local configuration left no final: run in full.
            let f = last.finals[place[p].0].as_ref()?;
            if crate::transform::name_reference::referable(&ra.config, f) {
                extras.push(f);
            }
            others.push(f);
        }
    }
    let namespaces = crate::transform::name_reference::original_namespaces(others.into_iter());
    // The steps, over the resources run again.
    let mut sub = ResMap::new();
    for &p in &run {
        sub.push(all[p].clone());
    }
    let mut acc = Accumulator {
        resources: sub,
        config: ra.config.clone(),
        ..Default::default()
    };
    build::run_transformers(ldr, k, &mut acc, None).ok()?;
    if acc.resources.len() != run.len() {
        return None;
    }
    let local: Vec<bool> = acc
        .resources
        .resources()
        .iter()
        .map(build::is_local_config)
        .collect();
    build::add_hash_suffixes(&mut acc.resources, hashes).ok()?;
    crate::transform::name_reference::apply_with_referrals(
        &mut acc.resources,
        &acc.config,
        &extras,
        &namespaces,
    )
    .ok()?;
    let dropped: Vec<usize> = (0..run.len()).filter(|&i| local[i]).collect();
    acc.resources.remove_positions(&dropped);
    crate::transform::plugins::apply_build_metadata(k, &mut acc.resources, managed_by_label)
        .ok()?;
    drop(extras);
    // A changed resource that is (or, dropped as a local configuration,
    // may be) a replacement source: its new value may reach clean targets.
    let fresh_all = acc.resources.resources();
    let mut at = 0;
    for (i, &p) in run.iter().enumerate() {
        let changed = !place[p].1;
        if local[i] {
            if changed && !sources.is_empty() {
                return None;
            }
            continue;
        }
        if changed && is_source(&fresh_all[at]) {
            return None;
        }
        at += 1;
    }
    // Names as last time; clean resources exactly as last time.
    let mut fresh = acc.resources.into_resources().into_iter();
    let mut new_finals: Vec<Option<Resource>> = Vec::with_capacity(run.len());
    for (i, &p) in run.iter().enumerate() {
        let (j, clean) = place[p];
        let now = if local[i] { None } else { fresh.next() };
        let same = match (&now, &last.finals[j]) {
            (None, None) => true,
            (Some(a), Some(b)) if clean => same_resource(a, b),
            (Some(a), Some(b)) => {
                a.id() == b.id()
                    && a.prev_ids == b.prev_ids
                    && a.prefixes == b.prefixes
                    && a.suffixes == b.suffixes
            }
            _ => false,
        };
        if !same {
            return None;
        }
        new_finals.push(now);
    }
    // The output, and what the next rebuild compares with.
    let mut finals: Vec<Option<Resource>> = Vec::with_capacity(n);
    let mut fresh = new_finals.into_iter();
    for p in 0..n {
        if is_run[p] {
            finals.push(fresh.next().flatten());
        } else {
            finals.push(last.finals[place[p].0].take());
        }
    }
    // The output: the copies made ahead for the clean resources, else new
    // copies.
    let mut spares = std::mem::take(&mut last.spares);
    spares.resize_with(n, || None);
    let mut wanted: Vec<(Option<Resource>, &Resource)> = (0..n)
        .filter_map(|p| {
            let f = finals[p].as_ref()?;
            let spare = if is_run[p] {
                None
            } else {
                spares[place[p].0].take()
            };
            Some((spare, f))
        })
        .collect();
    let out = crate::workers::map_each(&mut wanted, 64, |(spare, f)| match spare.take() {
        Some(r) => r,
        None => (*f).clone(),
    });
    drop(wanted);
    let except = run
        .iter()
        .filter_map(|&p| finals[p].as_ref().map(Resource::id))
        .collect();
    *memo.redone.lock().unwrap_or_else(|e| e.into_inner()) = Some(run.len());
    *memo.unchanged.lock().unwrap_or_else(|e| e.into_inner()) = Unchanged {
        all: Some(last.final_ids.clone()),
        except,
    };
    // The ids by position: last time's, moved to where they are now.
    let mut now_at = vec![0; n];
    for (p, &(j, _)) in place.iter().enumerate() {
        now_at[j] = p;
    }
    let mut by_id = std::mem::take(&mut last.by_id);
    for p in by_id.values_mut() {
        *p = now_at[*p];
    }
    memo.discard(std::mem::take(&mut last.inputs));
    memo.discard(spares.into_iter().flatten().collect());
    let inputs = std::mem::take(&mut ra.resources).into_resources();
    *memo.slot() = Some(Last {
        config: ra.config.clone(),
        schema: build::current_schema_state(),
        inputs,
        by_id,
        finals,
        final_ids: last.final_ids.clone(),
        spares: Vec::new(),
    });
    Some(out)
}
