//! `aiw build DIR... --watch`: build, then rebuild whenever a file the build
//! read changes, redoing only what the change can affect.
//!
//! Every directory's result stays in the session's cache
//! ([`crate::dircache`]) with the paths its build read (missing ones
//! included). A change drops the results that read the changed path, and so
//! those of every directory above them; the next build reuses the rest. The
//! rendered YAML of each resource is kept too, and reused where the resource
//! comes out the same. Between rebuilds, while the watch waits, a thread
//! frees what the last rebuild left behind and copies the kept results a
//! rebuild will take. The output is written atomically (all or nothing
//! across `--out-dir` files) and only when it changed; a failed build keeps
//! the last good output in place. Each rebuild prints one status line.
//!
//! Changes are seen through the OS's file notifications (inotify on Linux,
//! through the `notify` crate) on the directories holding the paths read,
//! and collected until [`DEBOUNCE`] passes without another.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::build::BuildOptions;
use crate::dircache::KeepPolicy;
use crate::error::{Error, Result};
use crate::loader::Deps;
use crate::resource::{ResId, Resource};
use crate::session::Session;
use crate::yaml::Value;
use std::sync::Arc;

/// Quiet time after a change before the rebuild starts: editors and `git`
/// write several files (or a file in steps) in quick succession.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// Where a watch writes its outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Standard output, the whole stream after each successful rebuild.
    Stdout,
    /// A file per directory, in order (`-o FILE` for one directory;
    /// `--out-dir OUT`: see [`crate::out_dir::output_paths`]), written all
    /// or nothing.
    Files(Vec<PathBuf>),
}

/// The state of a watch: the session and, per directory, what its last
/// build read and wrote.
pub struct Watch {
    dirs: Vec<PathBuf>,
    target: Target,
    /// Output files, per directory (empty for standard output).
    outputs: Vec<PathBuf>,
    session: Session,
    tops: Vec<Top>,
    /// What the last rebuild left to free, freed while the watch waits.
    garbage: Vec<Garbage>,
    /// Work done between rebuilds (freeing, copying kept results ahead).
    idle: Option<Idle>,
}

/// Something to free later.
type Garbage = Box<dyn std::any::Any + Send>;

/// The work a watch does while it waits for changes, on a thread of its
/// own: freeing what the last rebuild left behind, then copying the kept
/// directory results ahead of time ([`crate::dircache::DirCache::prepare_copies`]).
/// A rebuild stops it first (it stops between two results).
struct Idle {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Garbage>>,
}

impl Idle {
    /// Starts the idle work (when no thread can start, the garbage waits
    /// for the next time).
    fn start(
        cache: Arc<crate::dircache::DirCache>,
        tops: Vec<Arc<crate::incremental::TopMemo>>,
        garbage: &mut Vec<Garbage>,
    ) -> Option<Idle> {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let mut left = std::mem::take(garbage);
        let ordering = std::sync::atomic::Ordering::Acquire;
        std::thread::Builder::new()
            .spawn(move || {
                // One piece at a time: a rebuild waits for one at most.
                while !flag.load(ordering) {
                    match left.pop() {
                        Some(piece) => drop(piece),
                        None => break,
                    }
                }
                for top in &tops {
                    top.prepare(&flag);
                }
                cache.prepare_copies(&flag);
                left
            })
            .ok()
            .map(|thread| Idle { stop, thread })
    }

    /// Stops the idle work; returns what it had no time to free.
    fn finish(self) -> Vec<Garbage> {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        self.thread.join().unwrap_or_default()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(idle) = self.idle.take() {
            idle.finish();
        }
    }
}

/// Hands `memo` over as garbage in pieces of [`GARBAGE_PIECE`] resources.
fn discard_memo(memo: RenderMemo, garbage: &mut Vec<Garbage>) {
    let RenderMemo { docs, by_id } = memo;
    garbage.push(Box::new(by_id));
    discard_in_pieces(docs, garbage);
}

/// Leaves `items` to be freed while the watch waits, in pieces of
/// [`GARBAGE_PIECE`] (a rebuild waits for one piece at most).
fn discard_in_pieces<T: Send + 'static>(mut items: Vec<T>, garbage: &mut Vec<Garbage>) {
    while items.len() > GARBAGE_PIECE {
        let piece = items.split_off(items.len() - GARBAGE_PIECE);
        garbage.push(Box::new(piece));
    }
    garbage.push(Box::new(items));
}

/// Resources freed at a time by the idle work.
const GARBAGE_PIECE: usize = 256;

/// One watched directory.
#[derive(Default)]
struct Top {
    /// What its last build looked at.
    deps: crate::loader::Deps,
    /// Its last successful output, as written: the documents' texts, in
    /// order (the stream joins them with `---` lines).
    written: Option<Vec<Arc<str>>>,
    memo: RenderMemo,
}

/// What one rebuild did.
#[derive(Clone, Debug)]
pub struct Rebuild {
    /// Wall time from the start of the rebuild to the output written.
    pub elapsed: Duration,
    /// Per directory: the resources written, or the error (the last good
    /// output stays).
    pub results: Vec<std::result::Result<usize, Error>>,
    /// Per directory: how many resources went through the top
    /// kustomization's own steps again when the rest were taken from the
    /// last build ([`crate::incremental`]); `None` when all of them did.
    pub redone: Vec<Option<usize>>,
    /// Directory builds that ran.
    pub rebuilt: usize,
    /// Directory results reused.
    pub reused: usize,
    /// Output files written (unchanged outputs are left alone).
    pub written: usize,
    /// The builds' warnings, in order, each once.
    pub warnings: Vec<String>,
}

impl Rebuild {
    /// The status line: local time, time taken, resources, directories
    /// rebuilt and reused, and the errors.
    pub fn status(&self, dirs: &[PathBuf]) -> String {
        let mut parts = Vec::new();
        for (i, (dir, r)) in dirs.iter().zip(&self.results).enumerate() {
            let name = dir.display();
            parts.push(match r {
                Ok(n) => match self.redone.get(i).copied().flatten() {
                    Some(k) => format!("{name}: {n} resources ({k} through the top's steps again)"),
                    None => format!("{name}: {n} resources"),
                },
                Err(e) => format!("{name}: error: {e} (last good output kept)"),
            });
        }
        format!(
            "[{}] built in {:.1} ms: {}; {} directories rebuilt, {} reused, {} files written",
            clock(),
            self.elapsed.as_secs_f64() * 1000.0,
            parts.join("; "),
            self.rebuilt,
            self.reused,
            self.written
        )
    }

    /// True when every directory built.
    pub fn ok(&self) -> bool {
        self.results.iter().all(|r| r.is_ok())
    }
}

impl Watch {
    /// A watch of `dirs` writing to `target` (nothing is built yet).
    pub fn new(opts: &BuildOptions, dirs: &[PathBuf], target: &Target) -> Result<Watch> {
        let outputs = match target {
            Target::Stdout if dirs.len() == 1 => Vec::new(),
            Target::Files(files) if files.len() == dirs.len() => files.clone(),
            _ => return Err(Error::msg("several directories need --out-dir OUT")),
        };
        Ok(Watch {
            dirs: dirs.to_vec(),
            target: target.clone(),
            outputs,
            session: Session::new(opts, KeepPolicy::All),
            tops: dirs.iter().map(|_| Top::default()).collect(),
            garbage: Vec::new(),
            idle: None,
        })
    }

    /// Drops what `changed` paths (as the builds recorded them) can affect,
    /// rebuilds, and writes the outputs that changed; standard output gets
    /// `stdout` each successful build.
    pub fn rebuild(&mut self, changed: &[PathBuf], stdout: &mut dyn Write) -> Rebuild {
        let start = Instant::now();
        if let Some(idle) = self.idle.take() {
            let left = idle.finish();
            self.garbage.extend(left);
        }
        self.session
            .cache()
            .invalidate_into(changed, &mut self.garbage);
        // A file a top kustomization reads itself (the kustomization, a
        // patch, a replacement file) can change any of its resources.
        for (dir, top) in self.dirs.iter().zip(&self.tops) {
            if changed.iter().any(|c| top.deps.paths.contains(c))
                && let Some(memo) = self.session.top_memo(dir)
            {
                memo.forget();
            }
        }
        let before = self.session.cache().stats();
        let mut memos: Vec<RenderMemo> = self
            .tops
            .iter_mut()
            .map(|t| std::mem::take(&mut t.memo))
            .collect();
        let memo_slots: Vec<std::sync::Mutex<RenderMemo>> =
            memos.drain(..).map(std::sync::Mutex::new).collect();
        let garbage = std::sync::Mutex::new(std::mem::take(&mut self.garbage));
        let redone_slots: Vec<std::sync::Mutex<Option<usize>>> =
            self.dirs.iter().map(|_| Default::default()).collect();
        let built = self.session.build_each(&self.dirs, |i, resources| {
            let mut memo = memo_slots[i].lock().unwrap_or_else(|e| e.into_inner());
            let old = std::mem::take(&mut *memo);
            let top_memo = self.session.top_memo(&self.dirs[i]);
            let unchanged = top_memo
                .as_ref()
                .map(|m| m.take_unchanged())
                .unwrap_or_default();
            *redone_slots[i].lock().unwrap_or_else(|e| e.into_inner()) =
                top_memo.and_then(|m| m.take_redone());
            let r = resources.and_then(|resources| {
                let n = resources.len();
                render_reusing(resources, &old, &unchanged, &mut memo, &garbage).map(|out| (n, out))
            });
            // The old texts and values are freed while the watch waits.
            discard_memo(old, &mut garbage.lock().unwrap_or_else(|e| e.into_inner()));
            r
        });
        let after = self.session.cache().stats();
        self.garbage = garbage.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut results = Vec::with_capacity(self.dirs.len());
        let mut outputs: Vec<Option<Vec<Arc<str>>>> = Vec::with_capacity(self.dirs.len());
        let mut warnings: Vec<String> = Vec::new();
        for ((top, b), memo) in self.tops.iter_mut().zip(built).zip(memo_slots) {
            for w in b.warnings {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
            top.deps = b.deps;
            top.memo = memo.into_inner().unwrap_or_else(|e| e.into_inner());
            match b.result {
                Ok((n, out)) => {
                    results.push(Ok(n));
                    outputs.push(Some(out));
                }
                Err(e) => {
                    // A failed render leaves no trustworthy texts behind.
                    top.memo = RenderMemo::default();
                    results.push(Err(e));
                    outputs.push(None);
                }
            }
        }
        let written = match self.write(outputs, stdout) {
            Ok(n) => n,
            Err(e) => {
                for r in results.iter_mut() {
                    if r.is_ok() {
                        *r = Err(e.clone());
                    }
                }
                0
            }
        };
        let elapsed = start.elapsed();
        let top_memos = self
            .dirs
            .iter()
            .filter_map(|d| self.session.top_memo(d))
            .collect();
        self.idle = Idle::start(self.session.shared_cache(), top_memos, &mut self.garbage);
        Rebuild {
            elapsed,
            results,
            redone: redone_slots
                .into_iter()
                .map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner()))
                .collect(),
            rebuilt: after.misses - before.misses,
            reused: after.hits - before.hits,
            written,
            warnings,
        }
    }

    /// Writes the outputs that differ from the last ones written (all
    /// files at once, or none); returns how many.
    fn write(
        &mut self,
        outputs: Vec<Option<Vec<Arc<str>>>>,
        stdout: &mut dyn Write,
    ) -> Result<usize> {
        let mut files: Vec<(PathBuf, Vec<&[u8]>)> = Vec::new();
        let mut fresh = Vec::new();
        for (i, out) in outputs.iter().enumerate() {
            let Some(out) = out else { continue };
            if self.tops[i]
                .written
                .as_ref()
                .is_some_and(|w| same_texts(w, out))
            {
                continue;
            }
            fresh.push(i);
            if let Some(path) = self.outputs.get(i) {
                files.push((path.clone(), crate::build::stream_pieces(out)));
            }
        }
        if self.target == Target::Stdout {
            for &i in &fresh {
                if let Some(out) = &outputs[i] {
                    crate::output::write_buffered(stdout, &crate::build::stream_pieces(out))
                        .map_err(|e| Error::msg(format!("writing output: {e}")))?;
                }
            }
        } else {
            // Not synced to disk: the next change rewrites it anyway, and a
            // reader sees the old file or the whole new one.
            crate::output::write_files(&files, false)?;
        }
        let n = fresh.len();
        for (i, out) in outputs.into_iter().enumerate() {
            if fresh.contains(&i) {
                self.tops[i].written = out;
            }
        }
        Ok(n)
    }

    /// Waits until the work done between rebuilds (freeing what the last
    /// one left, copying kept results ahead of time) is finished.
    pub fn wait_idle(&mut self) {
        if let Some(idle) = self.idle.take() {
            let _ = idle.thread.join();
        }
    }

    /// The session's directory results (for tests and status).
    pub fn cache_stats(&self) -> crate::dircache::CacheStats {
        self.session.cache().stats()
    }

    /// What the last build of each directory looked at.
    pub fn deps(&self) -> impl Iterator<Item = &crate::loader::Deps> {
        self.tops.iter().map(|t| &t.deps)
    }

    /// The directories watched, as given.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }
}

/// Each resource's rendered YAML from the last build, by id, with the
/// value it was rendered from.
#[derive(Default)]
struct RenderMemo {
    docs: Vec<(Value, Arc<str>)>,
    by_id: HashMap<ResId, usize>,
}

/// Renders `resources` as [`crate::build::render`] does, taking the text of
/// every resource that comes out exactly as last time from `old` (without
/// comparing, for the ids in `unchanged`: known to be as last time); `memo`
/// then holds this build's, and the rest of `resources` is left in
/// `garbage`.
fn render_reusing(
    mut resources: Vec<Resource>,
    old: &RenderMemo,
    unchanged: &crate::incremental::Unchanged,
    memo: &mut RenderMemo,
    garbage: &std::sync::Mutex<Vec<Garbage>>,
) -> Result<Vec<Arc<str>>> {
    // Per resource, on spare cores too: its id, and its text from last time
    // if it is the same, else a new one (checked to be writable: the reused
    // ones passed that check).
    let done: Vec<Result<(ResId, Arc<str>)>> = crate::workers::map_each(&mut resources, 64, |r| {
        let id = r.id();
        let text = match old.by_id.get(&id) {
            Some(&j) if unchanged.contains(&id) || old.docs[j].0 == r.value => {
                old.docs[j].1.clone()
            }
            _ => Arc::from(crate::build::render_one(r)?),
        };
        Ok((id, text))
    });
    let mut texts = Vec::with_capacity(done.len());
    let mut by_id = HashMap::default();
    for (i, d) in done.into_iter().enumerate() {
        let (id, text) = d?;
        by_id.insert(id, i);
        texts.push(text);
    }
    // The values are kept; the rest of each resource (ids, origins, names
    // made of several allocations, many made on other threads) is freed
    // while the watch waits, not here.
    let mut rest = Vec::with_capacity(resources.len());
    memo.docs = resources
        .into_iter()
        .zip(texts.iter().cloned())
        .map(|(mut r, t)| {
            let value = std::mem::replace(&mut r.value, Value::NULL);
            rest.push(r);
            (value, t)
        })
        .collect();
    memo.by_id = by_id;
    discard_in_pieces(rest, &mut garbage.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(texts)
}

/// True when two outputs are the same stream (texts shared or equal).
fn same_texts(a: &[Arc<str>], b: &[Arc<str>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Arc::ptr_eq(x, y) || x == y)
}

/// The local time of day, `HH:MM:SS`.
fn clock() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let t = libc::time_t::try_from(now).unwrap_or_default();
    // SAFETY: localtime_r writes only into `tm`, which outlives the call.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if !ok {
        return "--:--:--".into();
    }
    format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec)
}

/// The directories a watch listens on, and which recorded paths an event
/// under them stands for.
#[derive(Default)]
struct Listening {
    /// Directories watched (resolved).
    dirs: HashSet<PathBuf>,
    /// Each recorded path by the resolved form events name it with (a
    /// symlinked file also by its target).
    by_event_path: HashMap<PathBuf, Vec<PathBuf>>,
    /// The records already mapped (kept alive so that their addresses stay
    /// theirs): a result reused from the cache needs no second look.
    mapped: HashMap<*const Deps, Arc<Deps>>,
    /// Resolved directories, by directory as recorded.
    resolved: HashMap<PathBuf, Option<PathBuf>>,
    /// Every proper ancestor of a key of `by_event_path`: only an event on
    /// one of these can stand for paths below it.
    ancestors: HashSet<PathBuf>,
}

impl Listening {
    /// Watches the directories holding what `tops` looked at, and maps the
    /// paths (records seen before are skipped). Returns the recorded paths
    /// in directories watched only now that changed after `since` (the
    /// build's start): their events came too early to be seen.
    fn update<'a>(
        &mut self,
        watcher: &mut dyn notify::Watcher,
        tops: impl Iterator<Item = &'a Deps>,
        since: std::time::SystemTime,
    ) -> Vec<PathBuf> {
        let mut fresh: HashSet<PathBuf> = HashSet::default();
        let mut missed = Vec::new();
        let mut reachable: HashSet<*const Deps> = HashSet::default();
        // Directories may have been moved or relinked since the last time.
        self.resolved.clear();
        for top in tops {
            let mut pending: Vec<(&Deps, bool)> = vec![(top, true)];
            while let Some((d, new)) = pending.pop() {
                if new {
                    for dep in &d.paths {
                        self.map_path(watcher, dep, since, &mut fresh, &mut missed);
                    }
                }
                for b in &d.bases {
                    if reachable.insert(Arc::as_ptr(b)) {
                        let new = !self.mapped.contains_key(&Arc::as_ptr(b));
                        if new {
                            self.mapped.insert(Arc::as_ptr(b), b.clone());
                        }
                        pending.push((b, new));
                    }
                }
            }
        }
        self.mapped.retain(|p, _| reachable.contains(p));
        missed
    }

    /// Maps one recorded path, watching its directory if need be.
    fn map_path(
        &mut self,
        watcher: &mut dyn notify::Watcher,
        dep: &Path,
        since: std::time::SystemTime,
        fresh: &mut HashSet<PathBuf>,
        missed: &mut Vec<PathBuf>,
    ) {
        for form in event_forms(dep, &mut self.resolved) {
            if let Some(dir) = form.parent() {
                if !self.dirs.contains(dir)
                    && watcher
                        .watch(dir, notify::RecursiveMode::NonRecursive)
                        .is_ok()
                {
                    self.dirs.insert(dir.to_path_buf());
                    fresh.insert(dir.to_path_buf());
                }
                if fresh.contains(dir) && changed_since(&form, since) {
                    missed.push(dep.to_path_buf());
                }
            }
            for a in form.ancestors().skip(1) {
                if !self.ancestors.insert(a.to_path_buf()) {
                    break;
                }
            }
            let known = self.by_event_path.entry(form).or_default();
            if !known.iter().any(|k| k == dep) {
                known.push(dep.to_path_buf());
            }
        }
    }

    /// The recorded paths an event on `path` can change: the path itself,
    /// or everything below it (a directory created, removed or renamed).
    fn affected(&mut self, path: &Path, out: &mut HashSet<PathBuf>) {
        if let Some(deps) = self.by_event_path.get(path) {
            out.extend(deps.iter().cloned());
        }
        // A directory created, removed or renamed: everything below it (a
        // file's event needs no look at every path).
        if self.ancestors.contains(path) {
            for (form, deps) in &self.by_event_path {
                if form.starts_with(path) && form != path {
                    out.extend(deps.iter().cloned());
                }
            }
        }
        // A watched directory removed or replaced: watch it afresh.
        if self.dirs.remove(path) {
            out.insert(path.to_path_buf());
        }
    }
}

/// True when `path` exists and its status changed (contents, name, mode)
/// after `since`.
fn changed_since(path: &Path, since: std::time::SystemTime) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(md) = std::fs::symlink_metadata(path) else {
        return false;
    };
    let ctime = std::time::UNIX_EPOCH
        + Duration::new(
            u64::try_from(md.ctime()).unwrap_or(0),
            u32::try_from(md.ctime_nsec()).unwrap_or(0),
        );
    ctime >= since
}

/// The forms an event can name `dep` by: its directory resolved (or, when
/// missing, its nearest existing ancestor resolved, plus the rest), and the
/// target of a symlinked file.
fn event_forms(dep: &Path, resolved: &mut HashMap<PathBuf, Option<PathBuf>>) -> Vec<PathBuf> {
    let mut forms = Vec::with_capacity(1);
    let mut tail = Vec::new();
    let mut cur = dep;
    while let (Some(parent), Some(name)) = (cur.parent(), cur.file_name()) {
        tail.push(name);
        let real = resolved
            .entry(parent.to_path_buf())
            .or_insert_with(|| std::fs::canonicalize(parent).ok())
            .clone();
        if let Some(mut p) = real {
            for n in tail.iter().rev() {
                p.push(n);
            }
            forms.push(p);
            break;
        }
        cur = parent;
    }
    if let Ok(md) = std::fs::symlink_metadata(dep)
        && md.file_type().is_symlink()
        && let Ok(target) = std::fs::canonicalize(dep)
    {
        forms.push(target);
    }
    forms
}

/// Runs a watch until the notifications fail: builds `dirs` into `target`,
/// then rebuilds after every change, one status line each on `status`.
pub fn run(
    opts: &BuildOptions,
    dirs: &[PathBuf],
    target: &Target,
    status: &mut dyn Write,
) -> Result<()> {
    let mut watch = Watch::new(opts, dirs, target)?;
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)
        .map_err(|e| Error::msg(format!("cannot watch files: {e}")))?;
    let mut listening = Listening::default();
    let mut stdout = std::io::stdout();
    let mut changed: Vec<PathBuf> = Vec::new();
    let mut last_warnings: Vec<String> = Vec::new();
    // The first build, and each rebuild from the first event it follows,
    // keeps the worker threads polling (they sleep while the watch waits).
    let mut warm = Some(crate::workers::Warm::start());
    loop {
        // File times come from a coarse clock: a margin, at worst one
        // needless rebuild.
        let since = std::time::SystemTime::now() - Duration::from_millis(20);
        let rebuild = watch.rebuild(&changed, &mut stdout);
        drop(warm.take());
        // Listen before saying so: a change made after the status line is
        // then always seen.
        changed = listening.update(&mut watcher, watch.deps(), since);
        if rebuild.ok() && rebuild.warnings != last_warnings {
            for w in &rebuild.warnings {
                let _ = writeln!(status, "{w}");
            }
            last_warnings = rebuild.warnings.clone();
        }
        let _ = writeln!(status, "{}", rebuild.status(watch.dirs()));
        let _ = status.flush();
        if changed.is_empty() {
            (changed, warm) = wait_for_changes(&rx, &mut listening)?;
        } else {
            warm = Some(crate::workers::Warm::start());
        }
    }
}

/// Blocks until an event touches a recorded path, then collects events until
/// [`DEBOUNCE`] passes without one; returns the recorded paths touched, and
/// the worker threads started polling at the first (they are awake when the
/// rebuild starts).
fn wait_for_changes(
    rx: &std::sync::mpsc::Receiver<notify::Result<notify::Event>>,
    listening: &mut Listening,
) -> Result<(Vec<PathBuf>, Option<crate::workers::Warm>)> {
    let mut touched = HashSet::default();
    let lost = |e: &dyn std::fmt::Display| Error::msg(format!("watching files: {e}"));
    loop {
        let event = rx.recv().map_err(|e| lost(&e))?;
        note_event(event, listening, &mut touched);
        if touched.is_empty() {
            continue;
        }
        let warm = crate::workers::Warm::start();
        loop {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(event) => note_event(event, listening, &mut touched),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    return Ok((touched.into_iter().collect(), Some(warm)));
                }
                Err(e) => return Err(lost(&e)),
            }
        }
    }
}

fn note_event(
    event: notify::Result<notify::Event>,
    listening: &mut Listening,
    touched: &mut HashSet<PathBuf>,
) {
    use notify::EventKind;
    match event {
        Ok(ev) => {
            if ev.need_rescan() {
                touched.extend(listening.by_event_path.values().flatten().cloned());
                return;
            }
            if matches!(ev.kind, EventKind::Access(_)) {
                return;
            }
            for p in &ev.paths {
                listening.affected(p, touched);
            }
        }
        // Events were lost (the queue overflowed): anything may have
        // changed.
        Err(_) => {
            touched.extend(listening.by_event_path.values().flatten().cloned());
        }
    }
}
