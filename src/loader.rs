//! Filesystem access with kustomize's load restrictions: by default no file
//! outside the kustomization root is read, and directory cycles are
//! detected.
//!
//! A loader can also stand in a remote repository's checkout ([`crate::remote`]):
//! a base named by a git URL is checked out and gets a loader rooted in it,
//! always restricted to its root (whatever `--load-restrictor` says), whose
//! bases must stay inside the checkout; a file named by an `http(s)://` URL
//! is fetched.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::dircache::DirCache;
use crate::error::{Error, Result};
use crate::remote::{Checkout, Remote, RepoSpec};
use crate::resource::OriginRepo;

/// Which files a kustomization may read (`--load-restrictor`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// Only files in or below the kustomization root (kustomize's default).
    #[default]
    RootOnly,
    /// Any file.
    None,
}

impl std::str::FromStr for LoadRestrictor {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "LoadRestrictionsRootOnly" | "rootOnly" => Ok(LoadRestrictor::RootOnly),
            "LoadRestrictionsNone" | "none" => Ok(LoadRestrictor::None),
            other => Err(format!(
                "unknown load restrictor {:?} (want LoadRestrictionsRootOnly or LoadRestrictionsNone)",
                other
            )),
        }
    }
}

/// `--load-restrictor` values, as kustomize names them (with its
/// short spellings `rootOnly` and `none`, and the empty string for the
/// default, accepted too).
impl clap::ValueEnum for LoadRestrictor {
    fn value_variants<'a>() -> &'a [Self] {
        &[LoadRestrictor::RootOnly, LoadRestrictor::None]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue;
        Some(match self {
            LoadRestrictor::RootOnly => PossibleValue::new("LoadRestrictionsRootOnly")
                .aliases(["rootOnly", ""])
                .help("only files in or below the kustomization's directory (default)"),
            LoadRestrictor::None => PossibleValue::new("LoadRestrictionsNone")
                .alias("none")
                .help("any file (breaks the relocatability of the kustomization)"),
        })
    }
}

/// Reads files relative to one kustomization root.
#[derive(Clone, Debug)]
pub struct Loader {
    root: PathBuf,
    restrictor: LoadRestrictor,
    /// The kustomizations that led here (root and repository), for cycle
    /// detection.
    referrers: Arc<Vec<Referrer>>,
    /// The kustomization file, once found.
    kustomization_file: std::sync::OnceLock<PathBuf>,
    /// Remote access for the build (cache, `--offline`).
    remote: Arc<Remote>,
    /// The repository checkout the root lies in, if it came from one.
    repo: Option<Arc<RepoRoot>>,
    /// In a build that shares directory results ([`crate::dircache`]): the
    /// cache, and the record of what this directory's build reads.
    share: Option<Share>,
}

/// A loader's part in a build that shares directory results.
#[derive(Clone, Debug)]
struct Share {
    cache: Arc<DirCache>,
    deps: Arc<DepLog>,
}

/// What one directory's build looked at, its bases' shared: the input of a
/// cached result, and what invalidates it.
#[derive(Clone, Debug, Default)]
pub struct Deps {
    /// Every file and directory the directory's own build read or looked
    /// for (absolute, as joined to the resolved roots; missing ones
    /// included: creating them changes the build).
    pub paths: Vec<PathBuf>,
    /// The kustomization roots it opened, with the repository checkout each
    /// lies in: a result is reused only where the same cycle checks pass
    /// (see [`Loader::can_reuse`]).
    pub roots: Vec<(PathBuf, Option<Arc<RepoRoot>>)>,
    /// The repository URLs it opened (cycle checks too).
    pub urls: Vec<String>,
    /// What the bases and components it built looked at.
    pub bases: Vec<Arc<Deps>>,
}

impl Deps {
    /// Calls `f` on this record and every base's, depth first (a base
    /// reached twice is visited twice).
    pub fn visit(&self, f: &mut dyn FnMut(&Deps)) {
        f(self);
        for b in &self.bases {
            b.visit(f);
        }
    }

    /// Every path looked at, bases included.
    pub fn all_paths(&self) -> Vec<&Path> {
        let mut out = Vec::new();
        self.collect_paths(&mut out);
        out
    }

    fn collect_paths<'a>(&'a self, out: &mut Vec<&'a Path>) {
        out.extend(self.paths.iter().map(PathBuf::as_path));
        for b in &self.bases {
            b.collect_paths(out);
        }
    }
}

/// The [`Deps`] of one directory's build while it runs (its bases may be
/// built on other threads).
#[derive(Debug, Default)]
pub struct DepLog(std::sync::Mutex<Deps>);

impl DepLog {
    fn with(&self, f: impl FnOnce(&mut Deps)) {
        let mut deps = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut deps);
    }

    /// What was recorded so far.
    pub fn snapshot(&self) -> Deps {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// One kustomization on the way to a loader.
#[derive(Clone, Debug)]
struct Referrer {
    root: PathBuf,
    repo: Option<Arc<RepoRoot>>,
}

/// A remote repository checkout that a loader's root lies in.
#[derive(Debug)]
pub struct RepoRoot {
    /// The URL it was named by.
    pub spec: RepoSpec,
    /// Where it is checked out, and at which commit.
    pub checkout: Checkout,
    /// What origin annotations record for files in it (`None` when the
    /// build's own target is the repository, as kustomize records none).
    pub origin: Option<Arc<OriginRepo>>,
}

/// True when two loaders stand in the same checkout instance (or both in
/// none): only then can one's root contain the other's, as kustomize clones
/// every remote base into a directory of its own.
fn same_repo(a: &Option<Arc<RepoRoot>>, b: &Option<Arc<RepoRoot>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

/// Lexically normalises a path (`a/./b/../c` → `a/c`), keeping it absolute
/// when it was.
pub fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Resolves symlinks in the directory part of `path` (absolute) and cleans
/// it, as kustomize's `CleanedAbs` does.
fn real_path(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| clean(path))
}

impl Loader {
    /// A loader rooted at `dir`, which must be a directory.
    pub fn new(dir: &Path, restrictor: LoadRestrictor) -> Result<Loader> {
        let abs = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|e| Error::msg(format!("cannot read the current directory: {}", e)))?
                .join(dir)
        };
        let root = real_path(&abs);
        if !root.is_dir() {
            return Err(Error::in_file(
                dir,
                "must build at directory: not a valid directory",
            ));
        }
        Ok(Loader {
            root,
            restrictor,
            referrers: Arc::new(Vec::new()),
            kustomization_file: std::sync::OnceLock::new(),
            remote: Arc::new(Remote::default()),
            repo: None,
            share: None,
        })
    }

    /// A loader rooted in the checkout of the repository `spec` names (the
    /// target of `aiw build URL`), always restricted to its root.
    pub fn at_repo(spec: RepoSpec, remote: Arc<Remote>) -> Result<Loader> {
        let top = Loader {
            root: PathBuf::new(),
            restrictor: LoadRestrictor::RootOnly,
            referrers: Arc::new(Vec::new()),
            kustomization_file: std::sync::OnceLock::new(),
            remote,
            repo: None,
            share: None,
        };
        let mut ldr = top.open_repo(spec, false)?;
        ldr.referrers = Arc::new(Vec::new());
        Ok(ldr)
    }

    /// The same loader using `remote` for remote bases and files.
    pub fn with_remote(mut self, remote: Arc<Remote>) -> Loader {
        self.remote = remote;
        self
    }

    /// The same loader sharing directory results through `cache`, with a
    /// fresh record of what its build reads.
    pub fn with_cache(mut self, cache: Arc<DirCache>) -> Loader {
        self.share = Some(Share {
            cache,
            deps: Arc::new(DepLog::default()),
        });
        self
    }

    /// The cache of directory results this build shares, if any.
    pub fn dir_cache(&self) -> Option<&Arc<DirCache>> {
        self.share.as_ref().map(|s| &s.cache)
    }

    /// What this directory's build has read so far (empty without a cache).
    pub fn deps(&self) -> Deps {
        self.share
            .as_ref()
            .map(|s| s.deps.snapshot())
            .unwrap_or_default()
    }

    /// Adds `deps` (a base's) to what this directory's build has read.
    pub fn add_deps(&self, deps: Arc<Deps>) {
        if let Some(s) = &self.share {
            s.deps.with(|d| d.bases.push(deps));
        }
    }

    /// Records that the build looked at `path`.
    fn note_path(&self, path: &Path) {
        if let Some(s) = &self.share {
            s.deps.with(|d| d.paths.push(path.to_path_buf()));
        }
    }

    /// True when a result built from `deps` for a directory whose loader
    /// stood in the checkout `built_in` can stand for this loader's build:
    /// the same cycle checks pass with this loader's referrers (everything
    /// else that could change the result is in the cache key).
    pub fn can_reuse(&self, deps: &Deps, built_in: &Option<Arc<RepoRoot>>) -> bool {
        let outer_repos: Vec<&Arc<RepoRoot>> = self
            .repo
            .iter()
            .chain(self.referrers.iter().filter_map(|r| r.repo.as_ref()))
            .collect();
        let mut ok = true;
        deps.visit(&mut |d| {
            for (root, repo) in &d.roots {
                // Roots in another checkout instance than the directory's
                // own (a repository opened below it) are compared with
                // referrers of that instance only, all of them below it.
                if !ok || !same_repo(repo, built_in) {
                    continue;
                }
                ok = !self
                    .referrers
                    .iter()
                    .any(|r| same_repo(&r.repo, &self.repo) && r.root.starts_with(root));
            }
            for u in &d.urls {
                if outer_repos
                    .iter()
                    .any(|e| e.spec.raw.starts_with(u.as_str()))
                {
                    ok = false;
                }
            }
        });
        ok
    }

    /// Remote access for this build.
    pub fn remote(&self) -> &Arc<Remote> {
        &self.remote
    }

    /// The repository checkout the root lies in, if it came from one.
    pub fn repo(&self) -> Option<&Arc<RepoRoot>> {
        self.repo.as_ref()
    }

    /// What origin annotations record about the repository of files read
    /// here (`None` for local files).
    pub fn origin_repo(&self) -> Option<Arc<OriginRepo>> {
        self.repo.as_ref().and_then(|r| r.origin.clone())
    }

    /// The loader's root directory (absolute, symlinks resolved).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The load restrictor in force.
    pub fn restrictor(&self) -> LoadRestrictor {
        self.restrictor
    }

    /// The absolute path of `rel` under the root (not checked).
    pub fn join(&self, rel: &str) -> PathBuf {
        // The root is clean already: a plain relative path (no empty, `.`
        // or `..` segment) joins to a clean path with nothing to normalise.
        let plain = !rel.is_empty()
            && !rel.starts_with('/')
            && rel
                .split('/')
                .all(|s| !s.is_empty() && s != "." && s != "..");
        if plain {
            return self.root.join(rel);
        }
        clean(&self.root.join(rel))
    }

    /// A path for messages: relative to the working directory when possible
    /// (a URL, without credentials, for an `http(s)://` file).
    pub fn display_path(&self, rel: &str) -> PathBuf {
        if crate::remote::is_remote_file(rel) {
            return PathBuf::from(crate::remote::redact(rel));
        }
        display(&self.join(rel))
    }

    /// Checks that `rel` may be read under the restrictor and returns its
    /// absolute path.
    pub fn check_file(&self, rel: &str) -> Result<PathBuf> {
        let path = self.join(rel);
        if self.restrictor == LoadRestrictor::RootOnly {
            let below = match self.real_path_below_root(rel, &path) {
                // Only names going down from the (resolved) root, no symlink.
                None => true,
                Some(real) => real.starts_with(&self.root),
            };
            if !below {
                return Err(Error::in_file(
                    display(&path),
                    format!(
                        "security; file is not in or below the kustomization root '{}' (use --load-restrictor LoadRestrictionsNone to allow it)",
                        display(&self.root).display()
                    ),
                ));
            }
        }
        Ok(path)
    }

    /// [`real_path`] of `path` = root/`rel`, cheaply when `rel` only goes
    /// down: the root is already resolved, so when no component of `rel` is
    /// a symlink (one `lstat` each) the path is its own real path, which
    /// then lies below the root: `None` says so.
    fn real_path_below_root(&self, rel: &str, path: &Path) -> Option<PathBuf> {
        let rel_path = Path::new(rel);
        let downward = rel_path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if downward && !rel.is_empty() {
            let mut cur = self.root.clone();
            let mut plain = true;
            for c in rel_path.components() {
                if let Component::Normal(name) = c {
                    cur.push(name);
                    match fs::symlink_metadata(&cur) {
                        Ok(md) if !md.file_type().is_symlink() => {}
                        _ => {
                            plain = false;
                            break;
                        }
                    }
                }
            }
            if plain {
                return None;
            }
        }
        Some(real_path(path))
    }

    /// Reads the file `rel` (relative to the root), honouring the restrictor;
    /// an `http(s)://` URL is fetched.
    pub fn load(&self, rel: &str) -> Result<Vec<u8>> {
        if crate::remote::is_remote_file(rel) {
            return self.remote.fetch(rel).map_err(|e| {
                Error::in_file(self.display_path(rel), crate::remote::fetch_message(&e))
            });
        }
        let (path, file) = match self.open_plain(rel, libc::O_RDONLY) {
            Some((path, file)) => (path, Ok(file)),
            None => {
                let path = self.check_file(rel)?;
                let file = fs::File::open(&path);
                (path, file)
            }
        };
        self.note_path(&path);
        file.and_then(read_open_file).map_err(|e| {
            let message = if e.kind() == std::io::ErrorKind::IsADirectory {
                "is a directory, expected a file".to_string()
            } else {
                io_message(&e)
            };
            Error::in_file(display(&path), message)
        })
    }

    /// The usual case of opening `rel` (a local path) in one look: below the
    /// root, without a symlink, under the default restrictor, opened with
    /// `flags`. `None` when that cannot be told so (see
    /// [`open_no_symlinks`]): the caller takes the general way.
    fn open_plain(&self, rel: &str, flags: libc::c_int) -> Option<(PathBuf, fs::File)> {
        if self.restrictor != LoadRestrictor::RootOnly {
            return None;
        }
        let path = self.join(rel);
        if !clean_path_below(&path, &self.root) {
            return None;
        }
        let fd = open_no_symlinks(&path, flags)?;
        Some((path, fs::File::from(fd)))
    }

    /// Reads `rel` as UTF-8 text.
    pub fn load_text(&self, rel: &str) -> Result<String> {
        let bytes = self.load(rel)?;
        utf8_text(&self.display_path(rel), bytes)
    }

    /// A local `resources:` entry looked at the usual way in as few system
    /// calls as can tell: a file below the root without a symlink is opened
    /// and read (no `statx` first), and a directory is told by the read
    /// failing. `None` whenever that is not enough (a symlink on the way, a
    /// restrictor other than the default, any error, an empty or large file
    /// that is not a regular file): the caller then takes the general way,
    /// which also gives the errors.
    pub fn read_entry_quick(&self, rel: &str) -> Option<QuickEntry> {
        if crate::remote::is_remote_file(rel) {
            return None;
        }
        // Without blocking: a FIFO opens at once, then fails the check below.
        let (path, file) = self.open_plain(rel, libc::O_RDONLY | libc::O_NONBLOCK)?;
        match read_regular_file(file) {
            Ok(Some(bytes)) => {
                self.note_path(&path);
                Some(QuickEntry::File(bytes))
            }
            Err(e) if e.raw_os_error() == Some(libc::EISDIR) => {
                self.note_path(&path);
                Some(QuickEntry::Dir)
            }
            _ => None,
        }
    }

    /// True when `rel` names an existing directory under the root.
    pub fn is_dir(&self, rel: &str) -> bool {
        if crate::remote::is_remote_file(rel) {
            return false;
        }
        let path = self.join(rel);
        self.note_path(&path);
        path.is_dir()
    }

    /// What `rel` names, with one look at the filesystem (symlinks
    /// followed): `Some(true)` a directory, `Some(false)` a file, `None`
    /// nothing there (or a remote URL).
    pub fn entry_is_dir(&self, rel: &str) -> Option<bool> {
        if crate::remote::is_remote_file(rel) {
            return None;
        }
        let path = self.join(rel);
        self.note_path(&path);
        let md = fs::metadata(&path).ok()?;
        if md.is_dir() {
            Some(true)
        } else if md.is_file() {
            Some(false)
        } else {
            None
        }
    }

    /// Why `rel` (a local path) names nothing readable: a message for a
    /// resource that [`Loader::entry_is_dir`] found missing.
    pub fn missing_reason(&self, rel: &str) -> String {
        let path = self.join(rel);
        match fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match fs::read_link(&path) {
                Ok(target) => format!(
                    "resource not found: dangling symbolic link to '{}'",
                    target.display()
                ),
                Err(_) => "resource not found: no such file or directory".to_string(),
            },
            Err(e) => format!("resource not found: {}", io_message(&e)),
            Ok(_) => "resource not found: neither a file nor a directory".to_string(),
        }
    }

    /// A loader for the kustomization directory `rel`, checking for cycles
    /// (a directory that contains one already being built). A git URL (see
    /// [`RepoSpec::parse`]) is checked out and its loader rooted there.
    pub fn child(&self, rel: &str) -> Result<Loader> {
        if rel.is_empty() {
            return Err(Error::msg("new root cannot be empty"));
        }
        if let Ok(spec) = RepoSpec::parse(rel) {
            return self.open_repo(spec, true);
        }
        if Path::new(rel).is_absolute() {
            return Err(Error::msg(format!("new root '{}' cannot be absolute", rel)));
        }
        let path = self.join(rel);
        self.note_path(&path);
        // A directory reached without a symlink is its own real path.
        let root = if open_no_symlinks(&path, libc::O_PATH | libc::O_DIRECTORY).is_some() {
            path.clone()
        } else {
            if !path.is_dir() {
                return Err(Error::in_file(
                    display(&path),
                    "must build at directory: not a valid directory",
                ));
            }
            real_path(&path)
        };
        if let Some(repo) = &self.repo
            && !clean_path_below(&root, &repo.checkout.dir)
        {
            return Err(Error::in_file(
                display(&path),
                format!(
                    "security; bases in kustomizations found in cloned git repos must be within the repo, but base '{}' is outside '{}' (the checkout of {})",
                    display(&root).display(),
                    display(&repo.checkout.dir).display(),
                    crate::remote::redact(&repo.spec.raw)
                ),
            ));
        }
        let me = Referrer {
            root: self.root.clone(),
            repo: self.repo.clone(),
        };
        for v in std::iter::once(&me).chain(self.referrers.iter()) {
            if same_repo(&v.repo, &self.repo) && clean_path_below(&v.root, &root) {
                return Err(Error::in_file(
                    display(&path),
                    format!(
                        "cycle detected: candidate root '{}' contains visited root '{}'",
                        display(&root).display(),
                        display(&v.root).display()
                    ),
                ));
            }
        }
        if let Some(s) = &self.share {
            s.deps
                .with(|d| d.roots.push((root.clone(), self.repo.clone())));
        }
        Ok(Loader {
            root,
            restrictor: self.restrictor,
            referrers: self.referrers_with_me(),
            kustomization_file: std::sync::OnceLock::new(),
            remote: self.remote.clone(),
            repo: self.repo.clone(),
            share: self.child_share(),
        })
    }

    /// The share of a child loader: the same cache, a fresh record.
    fn child_share(&self) -> Option<Share> {
        self.share.as_ref().map(|s| Share {
            cache: s.cache.clone(),
            deps: Arc::new(DepLog::default()),
        })
    }

    /// The referrers of a child of this loader.
    fn referrers_with_me(&self) -> Arc<Vec<Referrer>> {
        let mut referrers = (*self.referrers).clone();
        referrers.push(Referrer {
            root: self.root.clone(),
            repo: self.repo.clone(),
        });
        Arc::new(referrers)
    }

    /// A loader rooted in the checkout of `spec` (kustomize's
    /// `newLoaderAtGitClone`): restricted to its root, after checking that
    /// no repository on the way here was named by a URL starting with this
    /// one (a cycle). Errors are one line without credentials.
    fn open_repo(&self, spec: RepoSpec, record_origin: bool) -> Result<Loader> {
        let shown = crate::remote::redact(&spec.raw);
        let chain = self
            .repo
            .iter()
            .chain(self.referrers.iter().filter_map(|r| r.repo.as_ref()));
        for earlier in chain {
            if earlier.spec.raw.starts_with(&spec.raw) {
                return Err(Error::msg(format!(
                    "cycle detected: URI '{}' referenced by previous URI '{}'",
                    shown,
                    crate::remote::redact(&earlier.spec.raw)
                )));
            }
        }
        if let Some(s) = &self.share {
            s.deps.with(|d| d.urls.push(spec.raw.clone()));
        }
        if spec.forced_git_prefix {
            eprintln!("{}", crate::remote::spec::GIT_PREFIX_WARNING);
        }
        let checkout = self.remote.checkout(&spec).map_err(Error::msg)?;
        let kust_dir = spec.kust_dir();
        let wanted = match &kust_dir {
            Some(d) => checkout.dir.join(d),
            None => checkout.dir.clone(),
        };
        let root = fs::canonicalize(&wanted).map_err(|_| {
            Error::msg(format!(
                "directory '{}' not found in {} at commit {}",
                kust_dir.as_deref().unwrap_or("."),
                crate::remote::redact(&spec.clone_url()),
                checkout.commit
            ))
        })?;
        if !root.is_dir() {
            return Err(Error::msg(format!(
                "'{}' refers to file '{}' in {}; expecting directory",
                kust_dir.as_deref().unwrap_or("."),
                root.file_name().unwrap_or_default().to_string_lossy(),
                crate::remote::redact(&spec.clone_url()),
            )));
        }
        if !root.starts_with(&checkout.dir) {
            return Err(Error::msg(format!(
                "'{}' refers to directory outside of repo {}",
                kust_dir.as_deref().unwrap_or("."),
                crate::remote::redact(&spec.clone_url()),
            )));
        }
        let origin = record_origin.then(|| {
            Arc::new(OriginRepo {
                url: spec.clone_url(),
                git_ref: spec.git_ref.clone(),
                root: checkout.dir.clone(),
                not_cloned: kust_dir.is_none(),
            })
        });
        Ok(Loader {
            root,
            restrictor: LoadRestrictor::RootOnly,
            referrers: self.referrers_with_me(),
            kustomization_file: std::sync::OnceLock::new(),
            remote: self.remote.clone(),
            repo: Some(Arc::new(RepoRoot {
                spec,
                checkout,
                origin,
            })),
            share: self.child_share(),
        })
    }

    /// Finds the kustomization file in the root: exactly one of
    /// [`crate::kustomization::FILE_NAMES`] must exist.
    pub fn kustomization_file(&self) -> Result<PathBuf> {
        if let Some(file) = self.kustomization_file.get() {
            return Ok(file.clone());
        }
        let candidates = crate::kustomization::FILE_NAMES
            .iter()
            .map(|n| self.root.join(n));
        if let Some(s) = &self.share {
            s.deps.with(|d| d.paths.extend(candidates.clone()));
        }
        // kustomize loads each name through the loader: under the default
        // restrictor, a symlink to a file outside the root fails to load
        // and counts as absent.
        let mut refused = Vec::new();
        let found: Vec<PathBuf> = candidates
            .filter(|p| {
                // One `lstat` for the usual plain file; a symlink is
                // followed, and checked against the root.
                match fs::symlink_metadata(p) {
                    Ok(md) if md.is_file() => true,
                    Ok(md) if md.file_type().is_symlink() && p.is_file() => {
                        let outside = self.restrictor == LoadRestrictor::RootOnly
                            && !real_path(p).starts_with(&self.root);
                        if outside {
                            let name = p.file_name().and_then(|n| n.to_str());
                            refused.push(name.unwrap_or_default().to_string());
                        }
                        !outside
                    }
                    _ => false,
                }
            })
            .collect();
        match found.len() {
            0 if !refused.is_empty() => Err(Error::in_file(
                display(&self.root),
                format!(
                    "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory \
                     ('{}' is a symlink to a file outside the directory, which the load restrictor refuses; \
                     use --load-restrictor LoadRestrictionsNone to allow it)",
                    refused.join("', '")
                ),
            )),
            0 => Err(Error::in_file(
                display(&self.root),
                "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory",
            )),
            1 => Ok(self
                .kustomization_file
                .get_or_init(|| found.into_iter().next().unwrap_or_default())
                .clone()),
            _ => Err(Error::in_file(
                display(&self.root),
                "found multiple kustomization files",
            )),
        }
    }
}

/// Decodes file contents as UTF-8; the error names `shown` and the line of
/// the first invalid byte (kubectl kustomize also refuses such files).
pub fn utf8_text(shown: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
        Error::in_file(shown, "invalid UTF-8 (the file must be UTF-8 text)").with_line(Some(line))
    })
}

/// Reads the whole file `path` as `fs::read` does, without asking for its
/// size first (see [`read_open_file`]).
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    read_open_file(fs::File::open(path)?)
}

/// Bytes asked for by the first read of a file: most files a build reads
/// are smaller.
const FIRST_READ: usize = 16 << 10;

/// Reads the whole of an open file with reads only (`fs::read` also asks
/// for the file's size first: one more system call per file, and a build
/// reads thousands of small files). The buffer is not zeroed first: reads go
/// into its spare capacity.
fn read_open_file(file: fs::File) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::with_capacity(FIRST_READ);
    // `Take` hides the file's size hint (no `statx`), and reads straight
    // into the spare capacity as it grows.
    file.take(u64::MAX).read_to_end(&mut buf)?;
    Ok(buf)
}

/// What [`Loader::read_entry_quick`] found.
#[derive(Debug, PartialEq)]
pub enum QuickEntry {
    /// A regular file, with its contents.
    File(Vec<u8>),
    /// A directory.
    Dir,
}

/// Reads the whole of `file` as [`read_open_file`] does, when it is a
/// regular file: `Ok(None)` when it is not. Most files are told by their
/// reads alone (data shorter than the first read asked for, then the end):
/// only a file that reads empty or fills the first read is asked for its
/// type, as a device or FIFO can do either.
fn read_regular_file(file: fs::File) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut file = file;
    let mut buf = Vec::with_capacity(FIRST_READ);
    (&mut file).take(FIRST_READ as u64).read_to_end(&mut buf)?;
    if (buf.is_empty() || buf.len() == FIRST_READ) && !file.metadata()?.is_file() {
        return Ok(None);
    }
    if buf.len() == FIRST_READ {
        file.read_to_end(&mut buf)?;
    }
    Ok(Some(buf))
}

/// Opens `path` (absolute and clean) with `flags` when no component of it
/// is a symbolic link: then `path` is its own real path, found with one
/// system call where resolving it costs one per component. `None` when
/// that cannot be told this way (a symlink on the way, any error, a kernel
/// without `openat2`): the caller takes the general way, which also gives
/// the errors.
#[cfg(target_os = "linux")]
fn open_no_symlinks(path: &Path, flags: libc::c_int) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: `open_how` is plain data; zeroed is its valid empty value.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (flags | libc::O_CLOEXEC) as u64;
    how.resolve = libc::RESOLVE_NO_SYMLINKS;
    // SAFETY: a NUL-terminated path and an `open_how` of the size passed,
    // both alive for the call; a descriptor returned is ours to own.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            libc::AT_FDCWD,
            c.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd < 0 {
        return None;
    }
    // SAFETY: a descriptor just opened, owned by nothing else.
    Some(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as libc::c_int) })
}

#[cfg(not(target_os = "linux"))]
fn open_no_symlinks(_path: &Path, _flags: libc::c_int) -> Option<std::os::fd::OwnedFd> {
    None
}

/// The working directory, resolved, as it was when first asked for (a build
/// names thousands of files; resolving it each time costs a system call per
/// path component).
fn working_dir() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| {
        std::env::current_dir()
            .ok()
            .map(|cwd| fs::canonicalize(&cwd).unwrap_or(cwd))
    })
    .as_deref()
}

/// A path relative to the working directory when it lies below it.
pub fn display(path: &Path) -> PathBuf {
    if let Some(cwd) = working_dir()
        && cwd.parent().is_some()
        && let Some(rel) = strip_prefix_quick(path, cwd)
    {
        if rel.as_os_str().is_empty() {
            return PathBuf::from(".");
        }
        return rel.to_path_buf();
    }
    path.to_path_buf()
}

/// `path.starts_with(base)`, answered from the bytes in the usual case (a
/// loader's roots and joined paths are clean): see [`strip_prefix_quick`].
fn clean_path_below(path: &Path, base: &Path) -> bool {
    strip_prefix_quick(path, base).is_some()
}

/// `path.strip_prefix(base)` (component by component), answered from the
/// bytes in the usual case: `path` is `base`, a `/`, then plain names
/// (no empty or `.` component, no trailing `/`). Then the components of
/// `path` are those of `base` followed by those names, so the remainder is
/// the same text `Path::strip_prefix` gives. Anything else takes the
/// component walk.
fn strip_prefix_quick<'p>(path: &'p Path, base: &Path) -> Option<&'p Path> {
    use std::os::unix::ffi::OsStrExt;
    let (p, b) = (path.as_os_str().as_bytes(), base.as_os_str().as_bytes());
    if p == b {
        return Some(Path::new(""));
    }
    if !b.is_empty()
        && !b.ends_with(b"/")
        && p.len() > b.len() + 1
        && p.starts_with(b)
        && p[b.len()] == b'/'
    {
        let rest = &p[b.len() + 1..];
        if rest
            .split(|&c| c == b'/')
            .all(|seg| !seg.is_empty() && seg != b".")
        {
            return Some(Path::new(std::ffi::OsStr::from_bytes(rest)));
        }
    }
    path.strip_prefix(base).ok()
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            // "Too many levels of symbolic links (os error 40)" → lower
            // case, without the number.
            let text = e.to_string();
            let text = match text.rfind(" (os error ") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
            let mut chars = text.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_path_below_agrees_with_path_starts_with() {
        let paths = [
            "/", "/a", "/ab", "/a/b", "/a/bc", "/a/b/c", "/ab/c", "/x/a/b", "a", "a/b", "",
        ];
        for p in paths {
            for b in paths {
                assert_eq!(
                    clean_path_below(Path::new(p), Path::new(b)),
                    Path::new(p).starts_with(b),
                    "{p:?} below {b:?}"
                );
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn quick_entries_are_plain_files_and_directories_below_the_root() {
        let t = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(t.path()).unwrap();
        fs::create_dir(root.join("d")).unwrap();
        fs::write(root.join("d/f.yaml"), "kind: A\n").unwrap();
        fs::write(root.join("empty.yaml"), "").unwrap();
        // At, across and well past the first read's size.
        let sizes = [
            FIRST_READ - 1,
            FIRST_READ,
            FIRST_READ + 1,
            5 * FIRST_READ + 3,
        ];
        for n in sizes {
            let text: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            fs::write(root.join(format!("big{n}")), &text).unwrap();
        }
        std::os::unix::fs::symlink(root.join("d/f.yaml"), root.join("lf.yaml")).unwrap();
        let fifo = std::ffi::CString::new(root.join("fifo").to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated path alive for the call.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        let ldr = Loader::new(&root, LoadRestrictor::RootOnly).unwrap();
        let file = |b: &[u8]| Some(QuickEntry::File(b.to_vec()));
        assert_eq!(ldr.read_entry_quick("d/f.yaml"), file(b"kind: A\n"));
        assert_eq!(ldr.read_entry_quick("./d/../d/f.yaml"), file(b"kind: A\n"));
        assert_eq!(ldr.read_entry_quick("empty.yaml"), file(b""));
        for n in sizes {
            let rel = format!("big{n}");
            assert_eq!(
                ldr.read_entry_quick(&rel),
                Some(QuickEntry::File(ldr.load(&rel).unwrap()))
            );
        }
        assert_eq!(ldr.read_entry_quick("d"), Some(QuickEntry::Dir));
        assert_eq!(ldr.read_entry_quick("d/"), Some(QuickEntry::Dir));
        // The general way decides (and words the errors) for the rest.
        assert_eq!(ldr.read_entry_quick("lf.yaml"), None);
        assert_eq!(ldr.read_entry_quick("fifo"), None);
        assert_eq!(ldr.read_entry_quick("missing.yaml"), None);
        assert_eq!(ldr.read_entry_quick("../outside.yaml"), None);
        assert_eq!(ldr.read_entry_quick("https://example.com/a.yaml"), None);
        let open = Loader::new(&root, LoadRestrictor::None).unwrap();
        assert_eq!(open.read_entry_quick("d/f.yaml"), None);
    }

    #[test]
    fn open_no_symlinks_opens_only_paths_without_a_symlink() {
        let t = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(t.path()).unwrap();
        fs::create_dir(root.join("d")).unwrap();
        fs::write(root.join("d/f.yaml"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("d"), root.join("ld")).unwrap();
        std::os::unix::fs::symlink(root.join("d/f.yaml"), root.join("lf.yaml")).unwrap();
        let file = libc::O_RDONLY;
        let dir = libc::O_PATH | libc::O_DIRECTORY;
        assert!(open_no_symlinks(&root.join("d/f.yaml"), file).is_some());
        assert!(open_no_symlinks(&root.join("d"), dir).is_some());
        assert!(open_no_symlinks(&root.join("ld/f.yaml"), file).is_none());
        assert!(open_no_symlinks(&root.join("lf.yaml"), file).is_none());
        assert!(open_no_symlinks(&root.join("ld"), dir).is_none());
        assert!(open_no_symlinks(&root.join("d/f.yaml"), dir).is_none());
        assert!(open_no_symlinks(&root.join("missing"), file).is_none());
        // The general way resolves what the quick one refuses.
        let ldr = Loader::new(&root, LoadRestrictor::RootOnly).unwrap();
        assert_eq!(ldr.child("ld").unwrap().root(), root.join("d"));
        assert_eq!(ldr.load("lf.yaml").unwrap(), b"x");
        assert_eq!(ldr.load("ld/f.yaml").unwrap(), b"x");
    }

    /// The byte shortcut answers as `Path::strip_prefix` does.
    #[test]
    fn strip_prefix_quick_agrees_with_the_component_walk() {
        let bases = ["/a/b", "/a/b/", "/a//b", "/", "/a/./b", "a/b", ""];
        let paths = [
            "/a/b",
            "/a/b/",
            "/a/b/c",
            "/a/b/c/d.yaml",
            "/a/b//c",
            "/a/b/./c",
            "/a/b/c/.",
            "/a/b/c/",
            "/a/b/..",
            "/a/b/../c",
            "/a/bc",
            "/a/b.",
            "/a//b/c",
            "/a/./b/c",
            "/x/y",
            "a/b/c",
            "/a/b/.c",
            "/a/b/...",
        ];
        for base in bases {
            for path in paths {
                let (p, b) = (Path::new(path), Path::new(base));
                assert_eq!(
                    strip_prefix_quick(p, b).map(|r| r.as_os_str()),
                    p.strip_prefix(b).ok().map(|r| r.as_os_str()),
                    "{path:?} minus {base:?}"
                );
            }
        }
    }
}
