//! The on-disk cache of remote checkouts and files.
//!
//! Layout under the cache directory (`$AIW_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/aiw`, else `~/.cache/aiw`):
//!
//! ```text
//! git/NAME-URLHASH/COMMIT/              the tree of COMMIT (submodules checked out)
//! git/NAME-URLHASH/COMMIT-nosubmodules/ the same without submodules
//! git/NAME-URLHASH/refs/REFHASH         the commit a branch or tag last resolved to
//! git/NAME-URLHASH/.tmp-PID-N/          a checkout in progress
//! http/URLHASH                          the last body fetched from a URL
//! ```
//!
//! `URLHASH` is a SHA-256 of the URL without its user information, so the
//! directory names carry no credentials. Nothing is ever modified in place:
//! a checkout or file is written under a temporary name in the same
//! directory and renamed into place, so concurrent builds sharing the cache
//! see either nothing or a complete entry; when two race, the first rename
//! wins and the other's copy is discarded.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

/// The cache directory: `$AIW_CACHE_DIR`, else `$XDG_CACHE_HOME/aiw`, else
/// `$HOME/.cache/aiw` (empty variables count as unset).
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("AIW_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(xdg) = var("XDG_CACHE_HOME").map(PathBuf::from)
        && xdg.is_absolute()
    {
        return Some(xdg.join("aiw"));
    }
    var("HOME").map(|home| PathBuf::from(home).join(".cache").join("aiw"))
}

/// A cache rooted at one directory (created on first write).
#[derive(Debug)]
pub struct Cache {
    root: PathBuf,
}

/// Names temporary entries uniquely within this process.
static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Hex SHA-256 of `text`, cut to `len` digits.
fn hash_hex(text: &str, len: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{:02x}", b));
    }
    out.truncate(len);
    out
}

/// `url` without the user information of its authority
/// (`https://user:token@host/x` → `https://host/x`).
fn without_userinfo(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            return format!("{}://{}", scheme, &rest[at + 1..]);
        }
    }
    url.to_string()
}

/// A readable directory-name part for a repository URL: its last path
/// segment without `.git`, in safe characters.
fn repo_name(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    let last = trimmed
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("")
        .trim_end_matches(".git");
    let name: String = last
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(40)
        .collect();
    let name = name.trim_start_matches('.');
    if name.is_empty() {
        "repo".to_string()
    } else {
        name.to_string()
    }
}

impl Cache {
    /// A cache in `root`.
    pub fn new(root: PathBuf) -> Cache {
        Cache { root }
    }

    /// The cache directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory holding everything cached for the repository `url`.
    fn repo_dir(&self, url: &str) -> PathBuf {
        let key = without_userinfo(url);
        self.root
            .join("git")
            .join(format!("{}-{}", repo_name(&key), hash_hex(&key, 16)))
    }

    /// Where the checkout of `commit` lives (whether or not it exists).
    pub fn tree_path(&self, url: &str, commit: &str, submodules: bool) -> PathBuf {
        let name = if submodules {
            commit.to_ascii_lowercase()
        } else {
            format!("{}-nosubmodules", commit.to_ascii_lowercase())
        };
        self.repo_dir(url).join(name)
    }

    /// The cached checkout of `commit`, if there is one.
    pub fn tree(&self, url: &str, commit: &str, submodules: bool) -> Option<PathBuf> {
        let path = self.tree_path(url, commit, submodules);
        path.is_dir().then_some(path)
    }

    /// A new empty directory to check `url` out into, on the same filesystem
    /// as its final place. Removed when the guard drops unless installed.
    pub fn temp_tree(&self, url: &str) -> Result<TempDir, String> {
        let parent = self.repo_dir(url);
        std::fs::create_dir_all(&parent).map_err(|e| {
            format!(
                "cannot create the cache directory {}: {}",
                parent.display(),
                e
            )
        })?;
        let path = parent.join(temp_name());
        std::fs::create_dir(&path)
            .map_err(|e| format!("cannot create {}: {}", path.display(), e))?;
        Ok(TempDir { path: Some(path) })
    }

    /// Moves a finished checkout into its place for `commit`. When another
    /// build got there first, its copy is kept and this one removed.
    pub fn install(
        &self,
        mut tmp: TempDir,
        url: &str,
        commit: &str,
        submodules: bool,
    ) -> Result<PathBuf, String> {
        let dest = self.tree_path(url, commit, submodules);
        let Some(src) = tmp.path.take() else {
            return Err("internal error: checkout already installed".into());
        };
        match std::fs::rename(&src, &dest) {
            Ok(()) => Ok(dest),
            Err(_) if dest.is_dir() => {
                let _ = std::fs::remove_dir_all(&src);
                Ok(dest)
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&src);
                Err(format!(
                    "cannot move the checkout to {}: {}",
                    dest.display(),
                    e
                ))
            }
        }
    }

    /// The file recording what `git_ref` of `url` last resolved to.
    fn ref_record(&self, url: &str, git_ref: &str) -> PathBuf {
        self.repo_dir(url).join("refs").join(hash_hex(git_ref, 32))
    }

    /// Records that `git_ref` of `url` resolved to `commit` (for
    /// `--offline`). Failures are ignored: the record is only a hint.
    pub fn record_ref(&self, url: &str, git_ref: &str, commit: &str) {
        let path = self.ref_record(url, git_ref);
        if std::fs::read_to_string(&path).is_ok_and(|c| c.trim() == commit) {
            return;
        }
        let _ = write_atomically(&path, format!("{}\n", commit).as_bytes());
    }

    /// The commit `git_ref` of `url` last resolved to, if recorded.
    pub fn recorded_ref(&self, url: &str, git_ref: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.ref_record(url, git_ref)).ok()?;
        let commit = text.trim();
        super::git::is_commit_id(commit).then(|| commit.to_string())
    }

    /// Where the last body fetched from `url` is kept.
    fn http_path(&self, url: &str) -> PathBuf {
        self.root.join("http").join(hash_hex(url, 64))
    }

    /// Keeps `body` as the last fetched from `url` (errors ignored: the copy
    /// only serves `--offline`).
    pub fn store_http(&self, url: &str, body: &[u8]) {
        let _ = write_atomically(&self.http_path(url), body);
    }

    /// The last body fetched from `url`, if kept.
    pub fn http(&self, url: &str) -> Option<Vec<u8>> {
        std::fs::read(self.http_path(url)).ok()
    }
}

/// A unique name for a temporary entry: `.tmp-PID-N`.
fn temp_name() -> String {
    format!(
        ".tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Writes `path` through a temporary file in its directory and a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(temp_name());
    let written = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// A temporary checkout directory, removed on drop unless installed.
#[derive(Debug)]
pub struct TempDir {
    path: Option<PathBuf>,
}

impl TempDir {
    /// The directory.
    pub fn path(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new(""))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_no_credentials() {
        let c = Cache::new(PathBuf::from("/c"));
        let a = c.tree_path("https://user:s3cret@host/org/repo.git", "ab", true);
        let b = c.tree_path("https://host/org/repo.git", "ab", true);
        assert_eq!(a, b);
        assert!(!a.to_string_lossy().contains("s3cret"));
        assert!(a.starts_with("/c/git"));
        assert!(
            a.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("repo-")
        );
        assert_ne!(a, c.tree_path("https://host/org/repo.git", "ab", false));
        assert_eq!(repo_name("git@github.com:org/my-app.git"), "my-app");
        assert_eq!(repo_name("file:///"), "repo");
    }

    #[test]
    fn racing_installs_keep_one_copy() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::new(dir.path().to_path_buf());
        let url = "file:///srv/repo";
        let commit = "5cb99ebde48d8e25cabf5bca2f1aa608a595888e";
        let first = c.temp_tree(url).unwrap();
        std::fs::write(first.path().join("a"), "1").unwrap();
        let second = c.temp_tree(url).unwrap();
        std::fs::write(second.path().join("a"), "2").unwrap();
        let second_path = second.path().to_path_buf();
        let p1 = c.install(first, url, commit, true).unwrap();
        let p2 = c.install(second, url, commit, true).unwrap();
        assert_eq!(p1, p2);
        assert_eq!(std::fs::read_to_string(p1.join("a")).unwrap(), "1");
        assert!(!second_path.exists());
        assert_eq!(c.tree(url, commit, true), Some(p1));
        let dropped = c.temp_tree(url).unwrap();
        let dropped_path = dropped.path().to_path_buf();
        drop(dropped);
        assert!(!dropped_path.exists());
    }

    #[test]
    fn ref_records_and_http_copies() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::new(dir.path().to_path_buf());
        let commit = "5cb99ebde48d8e25cabf5bca2f1aa608a595888e";
        assert_eq!(c.recorded_ref("file:///r", "v1"), None);
        c.record_ref("file:///r", "v1", commit);
        assert_eq!(c.recorded_ref("file:///r", "v1").as_deref(), Some(commit));
        assert_eq!(c.recorded_ref("file:///r", "v2"), None);
        c.store_http("http://h/x.yaml", b"kind: X\n");
        assert_eq!(c.http("http://h/x.yaml").unwrap(), b"kind: X\n");
        assert_eq!(c.http("http://h/y.yaml"), None);
    }
}
