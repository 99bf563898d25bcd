//! Several builds in one process, sharing the results of the directories
//! they have in common ([`crate::dircache`]): `aiw build A B C --out-dir`,
//! the two sides of `aiw diff`, and watch mode's rebuilds.
//!
//! Each build gives the same resources, in the same order, as a build of
//! its own ([`crate::build::build`]) would. Several overlays are built side
//! by side, one per spare core, each to the end (its last steps and
//! whatever the caller does with the result, such as rendering); a shared
//! directory is built by the first thread that reaches it while the others
//! wait for it ([`crate::dircache::DirCache::lookup`]).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::build::{self, BuildOptions};
use crate::dircache::{DirCache, KeepPolicy};
use crate::error::{Error, Result};
use crate::loader::Deps;
use crate::remote::Remote;
use crate::resource::Resource;
use crate::workers::WorkerSlot;

/// Builds sharing options, remote checkouts and directory results.
#[derive(Debug)]
pub struct Session {
    opts: BuildOptions,
    remote: Arc<Remote>,
    cache: Arc<DirCache>,
    /// Per top directory, in a session that rebuilds (watch mode): hash
    /// suffixes to reuse.
    hashes: Option<std::sync::Mutex<HashMap<PathBuf, Arc<build::HashMemo>>>>,
    /// Per top directory, in a session that rebuilds: the top's
    /// per-resource results to reuse ([`crate::incremental`]).
    tops: Option<std::sync::Mutex<HashMap<PathBuf, Arc<crate::incremental::TopMemo>>>>,
}

/// One top kustomization's build: the resources (or the first error) and
/// every path the build looked at, successful or not.
#[derive(Debug)]
pub struct Built<T> {
    /// The finished result.
    pub result: Result<T>,
    /// The build's warnings for the user (as [`build::Built`] has them);
    /// none when it failed.
    pub warnings: Vec<String>,
    /// What the build read (for watch mode).
    pub deps: Deps,
}

impl Session {
    /// A session whose cache keeps results per `policy` (all of them: a
    /// session for rebuilds, which also reuses hash suffixes).
    pub fn new(opts: &BuildOptions, policy: KeepPolicy) -> Session {
        let rebuilds = matches!(policy, KeepPolicy::All);
        Session {
            opts: opts.clone(),
            remote: Arc::new(Remote::new(&opts.remote)),
            cache: Arc::new(DirCache::new(policy)),
            hashes: rebuilds.then(Default::default),
            tops: rebuilds.then(Default::default),
        }
    }

    /// A session for building `dirs` once each: it keeps only the results
    /// of directories that more than one of them (or one of them twice)
    /// reaches. Which those are is worked out on a thread of its own while
    /// the builds start (reading every kustomization file takes a few
    /// milliseconds); results built before then are kept.
    pub fn for_dirs(opts: &BuildOptions, dirs: &[PathBuf]) -> Session {
        let counts = Arc::new(std::sync::OnceLock::new());
        let session = Session::new(opts, KeepPolicy::Soon(counts.clone()));
        let cache = session.cache.clone();
        let fill = move |tops: &[PathBuf]| {
            let _ = counts.set(expected_uses(tops));
            cache.counts_known();
        };
        let tops = dirs.to_vec();
        let fill_later = fill.clone();
        if std::thread::Builder::new()
            .spawn(move || fill_later(&tops))
            .is_err()
        {
            fill(dirs);
        }
        session
    }

    /// The directory results shared by this session's builds.
    pub fn cache(&self) -> &DirCache {
        &self.cache
    }

    /// The directory results, shared (for work done between builds).
    pub(crate) fn shared_cache(&self) -> Arc<DirCache> {
        self.cache.clone()
    }

    /// Builds `dir`: the same resources as [`build::build`] gives.
    pub fn build(&self, dir: &Path) -> Built<Vec<Resource>> {
        self.build_each(&[dir.to_path_buf()], |_, r| r)
            .pop()
            .unwrap_or_else(|| Built {
                result: Err(crate::Error::msg("internal error: no build")),
                warnings: Vec::new(),
                deps: Deps::default(),
            })
    }

    /// Builds each of `dirs` and hands its resources (or error) to `then`
    /// with its index; results in the order of `dirs`. Several directories
    /// are built side by side (a directory they share is built by one and
    /// waited for by the others).
    pub fn build_each<T, F>(&self, dirs: &[PathBuf], then: F) -> Vec<Built<T>>
    where
        T: Send,
        F: Fn(usize, Result<Vec<Resource>>) -> Result<T> + Sync,
    {
        if dirs.len() > 1 {
            return self.build_side_by_side(dirs, &then);
        }
        // One directory (or none): built here to the end; its steps split
        // their own work over the spare cores.
        dirs.iter()
            .enumerate()
            .map(|(i, dir)| {
                let (top, deps) = self.accumulate(dir);
                let mut warnings = Vec::new();
                let resources = top.and_then(build::finish_top).map(|b| {
                    warnings = b.warnings;
                    b.resources
                });
                Built {
                    result: then(i, resources),
                    warnings,
                    deps,
                }
            })
            .collect()
    }

    /// [`Session::build_each`] of several directories: each thread (this
    /// one and one per spare core) takes the next directory nobody has
    /// taken and builds it to the end.
    fn build_side_by_side<T, F>(&self, dirs: &[PathBuf], then: &F) -> Vec<Built<T>>
    where
        T: Send,
        F: Fn(usize, Result<Vec<Resource>>) -> Result<T> + Sync,
    {
        use std::sync::Mutex;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let next = AtomicUsize::new(0);
        let threads = AtomicUsize::new(1);
        let done: Vec<Mutex<Option<Built<T>>>> = dirs.iter().map(|_| Mutex::new(None)).collect();
        let work = || {
            loop {
                let i = next.fetch_add(1, Ordering::AcqRel);
                let Some(dir) = dirs.get(i) else {
                    break;
                };
                // The builds running side by side read the same bases in the
                // same order: each starts its lists at its own share of the
                // way in, so they build different bases first and take the
                // others from the cache, instead of each waiting on the one
                // building every base.
                build::set_claim_from(i, threads.load(Ordering::Acquire));
                let (top, deps) = self.accumulate(dir);
                let mut warnings = Vec::new();
                let resources = top.and_then(build::finish_top).map(|b| {
                    warnings = b.warnings;
                    b.resources
                });
                let built = Built {
                    result: then(i, resources),
                    warnings,
                    deps,
                };
                *done[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(built);
            }
        };
        // A thread per directory while there are at most two per core (a
        // directory left over would be built alone at the end, its own work
        // split over the cores less well than builds side by side); beyond
        // that, or on one core (`AIW_THREADS=1`), one per core. Pool threads
        // take directories too; dropping `lent` waits for them.
        let cores = crate::workers::cores();
        let mut slots = Vec::new();
        while slots.len() + 1 < dirs.len() {
            match WorkerSlot::take() {
                Some(slot) => slots.push(slot),
                None if cores > 1 && dirs.len() <= 2 * cores => {
                    slots.push(WorkerSlot::take_extra())
                }
                None => break,
            }
        }
        threads.store(slots.len() + 1, Ordering::Release);
        let lent = crate::workers::Lent::new();
        for slot in slots {
            lent.spawn(slot, &work);
        }
        work();
        {
            // Nothing left to take: this thread's core goes to the builds
            // still running.
            let _lent = crate::workers::LentCore::lend();
            drop(lent);
        }
        done.into_iter()
            .map(|d| {
                d.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .unwrap_or_else(|| Built {
                        result: Err(Error::msg("internal error: no build")),
                        warnings: Vec::new(),
                        deps: Deps::default(),
                    })
            })
            .collect()
    }

    /// Builds and renders every one of `dirs` (as `kubectl kustomize`
    /// prints it), all or nothing: the first error in the order of `dirs`
    /// if any build fails. Also returns the builds' warnings, in order,
    /// each once.
    pub fn build_all(&self, dirs: &[PathBuf]) -> Result<(Vec<String>, Vec<String>)> {
        let mut outs = Vec::with_capacity(dirs.len());
        let mut warnings: Vec<String> = Vec::new();
        for b in self.build_each(dirs, |_, r| build::render(&r?)) {
            outs.push(b.result?);
            for w in b.warnings {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
        }
        Ok((outs, warnings))
    }

    /// The accumulation of `dir` on this thread, and what it read.
    fn accumulate(&self, dir: &Path) -> (Result<build::TopBuild>, Deps) {
        let ldr = match build::top_loader(dir, &self.opts, self.remote.clone()) {
            Ok(ldr) => ldr.with_cache(self.cache.clone()),
            Err(e) => {
                // No directory yet: what would make one (for watch mode).
                let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
                let mut paths = vec![abs.clone()];
                paths.extend(crate::kustomization::FILE_NAMES.iter().map(|n| abs.join(n)));
                let deps = Deps {
                    paths,
                    ..Default::default()
                };
                return (Err(e), deps);
            }
        };
        let hashes = self.hashes.as_ref().map(|h| {
            let mut h = h.lock().unwrap_or_else(|e| e.into_inner());
            h.entry(dir.to_path_buf()).or_default().clone()
        });
        let memo = self.top_memo(dir);
        let top = build::accumulate_top_reusing(&ldr, &self.opts, hashes, memo);
        (top, ldr.deps())
    }

    /// The kept per-resource results of the top directory `dir`, in a
    /// session that rebuilds.
    pub fn top_memo(&self, dir: &Path) -> Option<Arc<crate::incremental::TopMemo>> {
        self.tops.as_ref().map(|t| {
            let mut t = t.lock().unwrap_or_else(|e| e.into_inner());
            t.entry(dir.to_path_buf()).or_default().clone()
        })
    }
}

/// How many times each kustomization directory (its path cleaned, as a
/// loader resolves it where no symlink is on the way) is expected to be
/// built as a base when building `tops`: once per kustomization that lists
/// it in `resources` or `bases`, components counted once per use. Read
/// from the kustomization files alone (local directories only), so it can
/// be off where a build would fail, or through remote bases; a wrong count
/// only costs a copy or a rebuild.
pub fn expected_uses(tops: &[PathBuf]) -> HashMap<PathBuf, usize> {
    let mut walk = Walk::default();
    for top in tops {
        // A top is built on its own even where it is also a base.
        if let Ok(root) = std::fs::canonicalize(top) {
            walk.dir(&root, true, 0);
        }
    }
    walk.counts.retain(|_, n| *n > 1);
    walk.counts
}

#[derive(Default)]
struct Walk {
    counts: HashMap<PathBuf, usize>,
    walked: HashSet<PathBuf>,
}

/// Deeper than any real tree: a cycle of components stops here.
const MAX_WALK_DEPTH: usize = 64;

impl Walk {
    /// Counts the bases `root` lists and walks them: each base once (kept
    /// or not, it is built once), and with `every_time` (a component, a
    /// top) however often it comes.
    fn dir(&mut self, root: &Path, every_time: bool, depth: usize) {
        if depth > MAX_WALK_DEPTH || (!every_time && !self.walked.insert(root.to_path_buf())) {
            return;
        }
        let Some(doc) = read_kustomization(root) else {
            return;
        };
        for (field, is_component) in [("resources", false), ("bases", false), ("components", true)]
        {
            let Some(entries) = doc.get(field).and_then(crate::yaml::Value::as_seq) else {
                continue;
            };
            for entry in entries.iter().filter_map(crate::yaml::Value::as_str) {
                if crate::remote::is_remote_file(entry)
                    || Path::new(entry).is_absolute()
                    || names_a_file(entry)
                {
                    continue;
                }
                // Cleaned, not resolved: without symlinks on the way, the
                // path a build's loader resolves it to. A count missed or
                // wrong (a symlink, a directory named like a file, a
                // file that is no kustomization) costs a build again or a
                // copy, never a different result.
                let dir = crate::loader::clean(&root.join(entry));
                if !is_component {
                    *self.counts.entry(dir.clone()).or_default() += 1;
                }
                self.dir(&dir, is_component, depth + 1);
            }
        }
    }
}

/// Whether a `resources` entry names a file of resources by its extension
/// (what kustomize's trees always do): not walked as a directory.
fn names_a_file(entry: &str) -> bool {
    Path::new(entry)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["yaml", "yml", "json"].contains(&e))
}

/// The first document of the kustomization file in `root`, if it reads.
fn read_kustomization(root: &Path) -> Option<crate::yaml::Value> {
    let text = crate::kustomization::FILE_NAMES
        .iter()
        .find_map(|n| std::fs::read_to_string(root.join(n)).ok())?;
    crate::yaml::parse_documents_lenient(&text)
        .ok()?
        .into_iter()
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn expected_uses_counts_bases_reached_more_than_once() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        write(r, "base/kustomization.yaml", "resources: [cm.yaml]\n");
        write(
            r,
            "comp/kustomization.yaml",
            "kind: Component\nresources: [../inner]\n",
        );
        write(r, "inner/kustomization.yaml", "resources: []\n");
        write(
            r,
            "a/kustomization.yaml",
            "resources: [../base]\ncomponents: [../comp]\n",
        );
        write(
            r,
            "b/kustomization.yaml",
            "resources: [../base, ../a]\ncomponents: [../comp]\n",
        );
        write(r, "c/kustomization.yaml", "resources: [../solo]\n");
        write(r, "solo/kustomization.yaml", "resources: []\n");
        let counts = expected_uses(&[r.join("a"), r.join("b"), r.join("c")]);
        let real = |p: &str| std::fs::canonicalize(r.join(p)).unwrap();
        // base: from a, from b and from a as b's base; inner: through comp
        // in the same three builds; a: as b's base only; solo: once.
        assert_eq!(counts.get(&real("base")), Some(&3));
        assert_eq!(counts.get(&real("inner")), Some(&3));
        assert_eq!(counts.get(&real("a")), None);
        assert_eq!(counts.get(&real("solo")), None);
    }
}
