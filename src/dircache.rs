//! Directory results shared between builds: a base reached from several
//! overlays (or twice from one) with the same inputs is loaded, parsed and
//! accumulated once.
//!
//! A result is keyed by everything that can change it besides the files it
//! reads: the directory (resolved), the load restrictor, the repository
//! checkout it lies in, the merge schema in force when it starts and
//! whether origins are tracked (see [`DirKey`]). It records what it read
//! ([`Deps`]): [`DirCache::invalidate`] drops every result that read a
//! changed path, and those of its parents with it, since a parent's record
//! holds its bases'. A result is reused only where the loader's cycle checks
//! would pass as they did ([`crate::loader::Loader::can_reuse`]); only
//! successful builds are kept, so errors are always those of a fresh build.
//!
//! Which results are kept is the [`KeepPolicy`]: all of them (watch mode,
//! where every rebuild reuses them), or only directories expected to be
//! reached more than once, each handed out by move at its last expected use
//! (a build of several overlays: copying a result costs about a third of
//! building it). Watch mode copies its kept results ahead of time, while it
//! waits for changes ([`DirCache::prepare_copies`]), as many per result as
//! the last rebuild used, so that a rebuild takes them without copying.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::build::{Accumulator, SchemaState};
use crate::loader::{Deps, LoadRestrictor, Loader};

/// Everything besides the files read that a directory's result depends on.
#[derive(Clone, Debug)]
pub(crate) struct DirKey {
    root: PathBuf,
    restrictor: LoadRestrictor,
    /// The checkout the directory lies in: its directory, commit, the URL
    /// it was named by and what origins record about it.
    repo: Option<(PathBuf, String, String, Option<crate::resource::OriginRepo>)>,
    schema: SchemaState,
    track_origins: bool,
}

impl DirKey {
    /// The key of building `ldr`'s directory with `schema` in force.
    pub(crate) fn new(ldr: &Loader, schema: SchemaState, track_origins: bool) -> DirKey {
        DirKey {
            root: ldr.root().to_path_buf(),
            restrictor: ldr.restrictor(),
            repo: ldr.repo().map(|r| {
                (
                    r.checkout.dir.clone(),
                    r.checkout.commit.clone(),
                    r.spec.raw.clone(),
                    r.origin.as_deref().cloned(),
                )
            }),
            schema,
            track_origins,
        }
    }
}

impl PartialEq for DirKey {
    fn eq(&self, other: &Self) -> bool {
        self.root == other.root
            && self.restrictor == other.restrictor
            && self.repo == other.repo
            && self.schema.same_as(&other.schema)
            && self.track_origins == other.track_origins
    }
}

impl Eq for DirKey {}

impl Hash for DirKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.root.hash(h);
        self.track_origins.hash(h);
        self.repo.as_ref().map(|r| (&r.0, &r.1)).hash(h);
    }
}

/// One directory's successful build.
#[derive(Debug)]
pub(crate) struct DirResult {
    /// The resources, field specs and vars it gave its parent.
    pub(crate) acc: Accumulator,
    /// The merge schema choice in force after it.
    pub(crate) ended_with: SchemaState,
    /// What it read.
    pub(crate) deps: Arc<Deps>,
}

/// A kept result.
#[derive(Debug)]
struct Entry {
    result: Arc<DirResult>,
    /// The checkout the directory's loader stood in when it was built.
    built_in: Option<Arc<crate::loader::RepoRoot>>,
    /// Uses still expected (`None`: keep it until invalidated).
    uses_left: Option<usize>,
    /// Copies of `result` made ahead of time ([`DirCache::prepare_copies`]),
    /// handed out instead of copying on the build's path.
    spares: Vec<DirResult>,
    /// Uses since copies were last made.
    uses: usize,
    /// Copies to have ready: as many as the last round of builds used
    /// (one at first).
    want: usize,
}

impl DirResult {
    /// A copy (the read record shared).
    fn copy(&self) -> DirResult {
        DirResult {
            acc: self.acc.clone(),
            ended_with: self.ended_with.clone(),
            deps: self.deps.clone(),
        }
    }
}

/// A result taken from the cache: a copy made ahead of time, or the kept
/// one (shared until copied, or the entry's own at its last use).
enum Taken {
    Copy(DirResult),
    Kept(Arc<DirResult>),
}

/// True when `deps` (or a base's record) holds one of `changed`; `seen`
/// remembers the answer per record.
fn touches(
    deps: &Arc<Deps>,
    changed: &HashSet<&Path>,
    seen: &mut HashMap<*const Deps, bool>,
) -> bool {
    if let Some(&t) = seen.get(&Arc::as_ptr(deps)) {
        return t;
    }
    let t = deps.paths.iter().any(|p| changed.contains(p.as_path()))
        || deps.bases.iter().any(|b| touches(b, changed, seen));
    seen.insert(Arc::as_ptr(deps), t);
    t
}

/// True when `me` waiting for `owner` would close a circle of threads each
/// waiting for the next one's build.
fn closes_circle(f: &Flights, owner: std::thread::ThreadId, me: std::thread::ThreadId) -> bool {
    let mut cur = owner;
    for _ in 0..=f.waiting.len() {
        if cur == me {
            return true;
        }
        match f.waiting.get(&cur).and_then(|k| f.building.get(k)) {
            Some(&next) => cur = next,
            None => return false,
        }
    }
    true
}

/// Which results a [`DirCache`] keeps.
#[derive(Clone, Debug, Default)]
pub enum KeepPolicy {
    /// Every result, until a path it read changes (watch mode).
    #[default]
    All,
    /// Results of the directories (resolved paths) expected to be reached
    /// more than once, with the number of times: the last expected use takes
    /// the result away instead of copying it.
    Expected(std::collections::HashMap<PathBuf, usize>),
    /// [`KeepPolicy::Expected`] once the counts are known (they are worked
    /// out while the builds start); until then every result is kept, as
    /// with [`KeepPolicy::All`].
    Soon(Arc<std::sync::OnceLock<std::collections::HashMap<PathBuf, usize>>>),
}

impl KeepPolicy {
    /// How often the directory `root` is expected to be reached: `None`
    /// when every result is kept (for good).
    fn expected(&self, root: &Path) -> Option<usize> {
        let counts = match self {
            KeepPolicy::All => return None,
            KeepPolicy::Expected(counts) => counts,
            KeepPolicy::Soon(counts) => counts.get()?,
        };
        Some(counts.get(root).copied().unwrap_or(0))
    }
}

/// Counts of results built, reused and kept, for status lines and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Directory builds that found a result to reuse.
    pub hits: usize,
    /// Directory builds that ran.
    pub misses: usize,
    /// Results kept now.
    pub kept: usize,
    /// Copies of kept results made ahead of time, ready.
    pub copies_ready: usize,
    /// Reuses that took a copy made ahead of time.
    pub copies_taken: usize,
}

/// Results of directory builds, shared by the builds of one session.
#[derive(Debug, Default)]
pub struct DirCache {
    entries: Mutex<HashMap<DirKey, Entry>>,
    policy: KeepPolicy,
    stats: Mutex<CacheStats>,
    /// Directories being built now, for builds running side by side.
    flights: Mutex<Flights>,
    /// Signalled when a build in flight ends.
    landed: std::sync::Condvar,
}

/// Which thread builds which directory now, and which directory each
/// waiting thread waits for.
#[derive(Debug, Default)]
struct Flights {
    building: HashMap<DirKey, std::thread::ThreadId>,
    waiting: HashMap<std::thread::ThreadId, DirKey>,
}

/// Longest wait for another thread's build of a directory: past it (only a
/// cycle of directories, which fails anyway, can make a wait that long),
/// the directory is built again.
const LONGEST_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A directory this thread builds while other threads may want it: they
/// wait until it is dropped (after the result is kept, or the build failed).
pub(crate) struct Flight<'a> {
    cache: &'a DirCache,
    key: DirKey,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let mut f = self.cache.flights.lock().unwrap_or_else(|e| e.into_inner());
        f.building.remove(&self.key);
        drop(f);
        self.cache.landed.notify_all();
    }
}

impl DirCache {
    /// An empty cache keeping results per `policy`.
    pub fn new(policy: KeepPolicy) -> DirCache {
        DirCache {
            policy,
            ..Default::default()
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DirKey, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn count(&self, f: impl FnOnce(&mut CacheStats)) {
        f(&mut self.stats.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Like [`DirCache::get`], for builds running side by side: when
    /// another thread is building `key`, waits for its result first; on a
    /// miss this thread is recorded as building `key` (if the result will
    /// be kept) until the returned flight is dropped. A wait that could
    /// close a circle of waiting threads is not entered: the directory is
    /// built again instead.
    pub(crate) fn lookup(
        &self,
        key: &DirKey,
        ldr: &Loader,
    ) -> (Option<DirResult>, Option<Flight<'_>>) {
        let flight = self.enter(key, ldr);
        match self.get(key, ldr) {
            Some(found) => (Some(found), None),
            None => (None, flight),
        }
    }

    /// Waits while another thread builds `key`; then claims it when its
    /// result will be kept.
    fn enter(&self, key: &DirKey, ldr: &Loader) -> Option<Flight<'_>> {
        let kept = self.policy.expected(ldr.root()).is_none_or(|n| n > 1);
        if !kept {
            return None;
        }
        let me = std::thread::current().id();
        let start = std::time::Instant::now();
        let mut f = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let Some(&owner) = f.building.get(key) else {
                f.building.insert(key.clone(), me);
                return Some(Flight {
                    cache: self,
                    key: key.clone(),
                });
            };
            if owner == me || start.elapsed() > LONGEST_WAIT || closes_circle(&f, owner, me) {
                return None;
            }
            f.waiting.insert(me, key.clone());
            // This thread's core serves the other builds meanwhile.
            let _lent = crate::workers::LentCore::lend();
            f = self
                .landed
                .wait_timeout(f, std::time::Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
            f.waiting.remove(&me);
        }
    }

    /// The result kept for `key`, when `ldr` (the directory's loader) may
    /// reuse it: a copy, or the result itself at its last expected use.
    pub(crate) fn get(&self, key: &DirKey, ldr: &Loader) -> Option<DirResult> {
        let found = self.take_use(key, ldr);
        self.count(|s| match &found {
            Some(Taken::Copy(_)) => {
                s.hits += 1;
                s.copies_taken += 1;
            }
            Some(Taken::Kept(_)) => s.hits += 1,
            None => s.misses += 1,
        });
        // Copied outside the lock: other threads go on meanwhile.
        found.map(|taken| match taken {
            Taken::Copy(copy) => copy,
            Taken::Kept(result) => Arc::try_unwrap(result).unwrap_or_else(|shared| shared.copy()),
        })
    }

    /// The kept result for `key` if `ldr` may reuse it, counting the use
    /// (and dropping the entry at its last expected one).
    fn take_use(&self, key: &DirKey, ldr: &Loader) -> Option<Taken> {
        let mut entries = self.lock();
        let entry = entries.get_mut(key)?;
        if !ldr.can_reuse(&entry.result.deps, &entry.built_in) {
            return None;
        }
        let last = match &mut entry.uses_left {
            Some(n) => {
                *n = n.saturating_sub(1);
                *n == 0
            }
            None => false,
        };
        entry.uses += 1;
        if let Some(copy) = entry.spares.pop() {
            if last {
                entries.remove(key);
            }
            return Some(Taken::Copy(copy));
        }
        let result = entry.result.clone();
        if last {
            entries.remove(key);
        }
        Some(Taken::Kept(result))
    }

    /// Makes a copy ahead of time of every kept result that has none, so
    /// that the next build using it takes it without copying (watch mode
    /// does this while it waits for changes). Stops early, between two
    /// results, once `stop` is set.
    pub fn prepare_copies(&self, stop: &std::sync::atomic::AtomicBool) {
        let mut wanted: Vec<(DirKey, Arc<DirResult>)> = Vec::new();
        for (k, e) in self.lock().iter_mut() {
            if e.uses_left.is_some() {
                continue;
            }
            if e.uses > 0 {
                e.want = e.uses;
                e.uses = 0;
            }
            for _ in e.spares.len()..e.want {
                wanted.push((k.clone(), e.result.clone()));
            }
        }
        for (key, result) in wanted {
            if stop.load(std::sync::atomic::Ordering::Acquire) {
                return;
            }
            let copy = result.copy();
            let mut entries = self.lock();
            // Still the same result (not invalidated and built again).
            if let Some(e) = entries.get_mut(&key)
                && Arc::ptr_eq(&e.result, &result)
                && e.spares.len() < e.want
            {
                e.spares.push(copy);
            }
        }
    }

    /// Keeps a copy of `result`, the build of `key` by `ldr`, when the
    /// policy wants it.
    pub(crate) fn keep(&self, key: DirKey, ldr: &Loader, result: &DirResult) {
        // This build was the first use.
        let uses_left = |policy: &KeepPolicy| match policy.expected(ldr.root()) {
            None => Some(None),
            Some(n) if n > 1 => Some(Some(n - 1)),
            Some(_) => None,
        };
        if uses_left(&self.policy).is_none() {
            return;
        }
        let copy = Arc::new(result.copy());
        // Asked again under the lock: counts that came meanwhile
        // ([`DirCache::counts_known`]) apply to this entry too.
        let mut entries = self.lock();
        let Some(uses_left) = uses_left(&self.policy) else {
            return;
        };
        entries.insert(
            key,
            Entry {
                result: copy,
                built_in: ldr.repo().cloned(),
                uses_left,
                spares: Vec::new(),
                // The build that made it is a use.
                uses: 1,
                want: 1,
            },
        );
    }

    /// Applies the counts of a [`KeepPolicy::Soon`] that just came to the
    /// results kept before them: a result reached no more than it has been
    /// already is dropped, the others are handed out by move at their last
    /// expected use, as if the counts had been known from the start.
    pub(crate) fn counts_known(&self) {
        let mut entries = self.lock();
        entries.retain(|key, e| {
            if e.uses_left.is_some() {
                return true;
            }
            match self.policy.expected(&key.root) {
                None => true,
                Some(n) if n > e.uses => {
                    e.uses_left = Some(n - e.uses);
                    true
                }
                Some(_) => false,
            }
        });
    }

    /// Drops every result that read one of `changed` (a parent's record
    /// holds its bases', so their parents go too). Returns how many.
    pub fn invalidate(&self, changed: &[PathBuf]) -> usize {
        self.invalidate_into(changed, &mut Vec::new())
    }

    /// [`DirCache::invalidate`], moving the dropped results into
    /// `dropped` (for the caller to free when it suits it).
    pub fn invalidate_into(
        &self,
        changed: &[PathBuf],
        dropped: &mut Vec<Box<dyn std::any::Any + Send>>,
    ) -> usize {
        if changed.is_empty() {
            return 0;
        }
        let changed: HashSet<&Path> = changed.iter().map(PathBuf::as_path).collect();
        // Records are shared between results: each is looked at once.
        let mut touched: HashMap<*const Deps, bool> = HashMap::default();
        let mut entries = self.lock();
        let gone: Vec<DirKey> = entries
            .iter()
            .filter(|(_, e)| touches(&e.result.deps, &changed, &mut touched))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &gone {
            if let Some(e) = entries.remove(key) {
                dropped.push(Box::new(e));
            }
        }
        gone.len()
    }

    /// Drops every result.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Results built, reused and kept so far.
    pub fn stats(&self) -> CacheStats {
        let mut s = *self.stats.lock().unwrap_or_else(|e| e.into_inner());
        let entries = self.lock();
        s.kept = entries.len();
        s.copies_ready = entries.values().map(|e| e.spares.len()).sum();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_whose_counts_come_later_keeps_everything_until_then() {
        let counts = Arc::new(std::sync::OnceLock::new());
        let soon = KeepPolicy::Soon(counts.clone());
        let (a, b) = (Path::new("/t/a"), Path::new("/t/b"));
        assert_eq!(soon.expected(a), None);
        assert_eq!(KeepPolicy::All.expected(a), None);
        let known: std::collections::HashMap<PathBuf, usize> = [(a.to_path_buf(), 3)].into();
        counts.set(known.clone()).unwrap();
        assert_eq!(soon.expected(a), Some(3));
        assert_eq!(soon.expected(b), Some(0));
        let expected = KeepPolicy::Expected(known);
        assert_eq!(expected.expected(a), Some(3));
        assert_eq!(expected.expected(b), Some(0));
    }

    #[test]
    fn results_kept_before_the_counts_come_follow_them_after() {
        let t = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(t.path()).unwrap();
        for d in ["a", "b"] {
            std::fs::create_dir(root.join(d)).unwrap();
        }
        let top = Loader::new(&root, crate::loader::LoadRestrictor::RootOnly).unwrap();
        let (a, b) = (top.child("a").unwrap(), top.child("b").unwrap());
        let counts = Arc::new(std::sync::OnceLock::new());
        let cache = DirCache::new(KeepPolicy::Soon(counts.clone()));
        let key = |l: &Loader| DirKey::new(l, SchemaState::default(), false);
        let result = DirResult {
            acc: Accumulator::default(),
            ended_with: SchemaState::default(),
            deps: Arc::default(),
        };
        cache.keep(key(&a), &a, &result);
        cache.keep(key(&b), &b, &result);
        assert!(cache.get(&key(&a), &a).is_some());
        assert_eq!(cache.stats().kept, 2);
        // `a` is reached three times in all (two so far), `b` once.
        counts
            .set([(a.root().to_path_buf(), 3), (b.root().to_path_buf(), 1)].into())
            .unwrap();
        cache.counts_known();
        assert_eq!(cache.stats().kept, 1);
        assert!(cache.get(&key(&a), &a).is_some());
        assert_eq!(cache.stats().kept, 0, "the last expected use takes it");
    }
}
