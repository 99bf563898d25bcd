//! Remote bases and files: git repositories named in `resources` and
//! `components` (every URL form kustomize 5.5 accepts, see [`spec`]) and
//! files behind `http(s)://` URLs.
//!
//! Repositories are checked out with the system `git` ([`git`]) into a cache
//! shared by every build ([`cache`]), keyed by repository URL and commit:
//!
//! - a ref that is a full commit id is served from the cache with no git
//!   call and no network access at all;
//! - a branch or tag (or the default branch) is resolved with
//!   `git ls-remote`, then served from the cache when that commit is there;
//! - otherwise the commit is fetched as kustomize does (`git fetch
//!   --depth=1`, checkout, submodules) into a temporary directory and renamed
//!   into place.
//!
//! With `--offline` ([`RemoteOptions::offline`]) nothing touches the
//! network: commits come from the cache, branches and tags resolve to the
//! commit they resolved to last time, and HTTP files are the copies kept
//! from the last fetch; anything else fails with an error saying so.
//!
//! Every message that shows a URL goes through [`redact`], so credentials
//! in URLs (`https://user:token@host/…`) never appear in errors.

pub mod cache;
pub mod git;
pub mod http;
pub mod spec;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

pub use http::FetchError;
pub use spec::{RepoSpec, is_remote_file};

/// How a build treats remote bases and files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemoteOptions {
    /// Never touch the network: use only what the cache holds.
    pub offline: bool,
    /// The cache directory; `None` for the default (see
    /// [`cache::default_dir`]).
    pub cache_dir: Option<PathBuf>,
}

/// A repository checked out at one commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkout {
    /// The checkout's root (absolute, symlinks resolved).
    pub dir: PathBuf,
    /// The commit checked out.
    pub commit: String,
}

/// The remote access of one build: options, the cache, and the checkouts
/// already made (a repository named twice is resolved once per build).
#[derive(Debug)]
pub struct Remote {
    offline: bool,
    cache: cache::Cache,
    checkouts: Mutex<HashMap<(String, String, bool), Checkout>>,
}

impl Default for Remote {
    fn default() -> Self {
        Remote::new(&RemoteOptions::default())
    }
}

impl Remote {
    /// Remote access with `opts`.
    pub fn new(opts: &RemoteOptions) -> Remote {
        let dir = opts
            .cache_dir
            .clone()
            .or_else(cache::default_dir)
            .unwrap_or_else(|| {
                // No home directory: a cache private to this user in /tmp.
                // SAFETY: getuid has no preconditions and cannot fail.
                let uid = unsafe { libc::getuid() };
                std::env::temp_dir().join(format!("aiw-cache-{}", uid))
            });
        Remote {
            offline: opts.offline,
            cache: cache::Cache::new(dir),
            checkouts: Mutex::new(HashMap::new()),
        }
    }

    /// True when nothing may touch the network.
    pub fn offline(&self) -> bool {
        self.offline
    }

    /// The cached checkout of `spec` when its ref is a full commit id that
    /// the cache holds: no git call, no network.
    pub fn cached_checkout(&self, spec: &RepoSpec) -> Option<Checkout> {
        if !git::is_commit_id(&spec.git_ref) {
            return None;
        }
        let url = spec.clone_url();
        let dir = self.cache.tree(&url, &spec.git_ref, spec.submodules)?;
        Some(Checkout {
            dir: std::fs::canonicalize(&dir).unwrap_or(dir),
            commit: spec.git_ref.to_ascii_lowercase(),
        })
    }

    /// The checkout of `spec`: from the cache when possible, else fetched
    /// (see the module documentation). Errors are one line, credentials
    /// removed.
    pub fn checkout(&self, spec: &RepoSpec) -> Result<Checkout, String> {
        self.checkout_inner(spec).map_err(|e| redact(&e))
    }

    fn checkout_inner(&self, spec: &RepoSpec) -> Result<Checkout, String> {
        if spec.git_ref.starts_with('-') {
            return Err(format!("invalid ref {:?}", spec.git_ref));
        }
        if let Some(found) = self.cached_checkout(spec) {
            return Ok(found);
        }
        let url = spec.clone_url();
        let git_ref = if spec.git_ref.is_empty() {
            "HEAD"
        } else {
            spec.git_ref.as_str()
        };
        let key = (url.clone(), git_ref.to_string(), spec.submodules);
        if let Some(found) = self
            .checkouts
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Ok(found);
        }
        let found = if self.offline {
            self.offline_checkout(spec, &url, git_ref)?
        } else {
            self.online_checkout(spec, &url, git_ref)?
        };
        let found = Checkout {
            dir: std::fs::canonicalize(&found.dir).unwrap_or(found.dir),
            commit: found.commit,
        };
        if let Ok(mut m) = self.checkouts.lock() {
            m.insert(key, found.clone());
        }
        Ok(found)
    }

    fn offline_checkout(
        &self,
        spec: &RepoSpec,
        url: &str,
        git_ref: &str,
    ) -> Result<Checkout, String> {
        let commit = if git::is_commit_id(git_ref) {
            Some(git_ref.to_ascii_lowercase())
        } else {
            self.cache.recorded_ref(url, git_ref)
        };
        let found = commit.and_then(|c| {
            self.cache
                .tree(url, &c, spec.submodules)
                .map(|dir| Checkout { dir, commit: c })
        });
        found.ok_or_else(|| {
            format!(
                "{} at {} is not in the cache ({}) and --offline forbids fetching it",
                url,
                git_ref,
                self.cache.root().display()
            )
        })
    }

    fn online_checkout(
        &self,
        spec: &RepoSpec,
        url: &str,
        git_ref: &str,
    ) -> Result<Checkout, String> {
        if !git::is_commit_id(git_ref)
            && let Some(commit) = git::resolve(url, git_ref, spec.timeout)?
            && let Some(dir) = self.cache.tree(url, &commit, spec.submodules)
        {
            self.cache.record_ref(url, git_ref, &commit);
            return Ok(Checkout { dir, commit });
        }
        let tmp = self.cache.temp_tree(url)?;
        let commit = git::checkout(tmp.path(), url, git_ref, spec.submodules, spec.timeout)?;
        let dir = self.cache.install(tmp, url, &commit, spec.submodules)?;
        if !git::is_commit_id(git_ref) {
            self.cache.record_ref(url, git_ref, &commit);
        }
        Ok(Checkout { dir, commit })
    }

    /// The body of the `http(s)://` file `url` (a 2xx answer). Online, every
    /// fetch goes to the server and the body is kept for `--offline`;
    /// offline, the kept body is returned.
    pub fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        if self.offline {
            return self.cache.http(url).ok_or_else(|| {
                FetchError::Failed(format!(
                    "not in the cache ({}) and --offline forbids fetching it",
                    self.cache.root().display()
                ))
            });
        }
        let body = http::get(url).map_err(|e| match e {
            FetchError::Failed(m) => FetchError::Failed(redact(&m)),
            other => other,
        })?;
        self.cache.store_http(url, &body);
        Ok(body)
    }
}

/// The one-line reason for a failed fetch, as kustomize words an HTTP
/// status (`HTTP Error: status code 404 (Not Found)`).
pub fn fetch_message(e: &FetchError) -> String {
    match e {
        FetchError::Status(code) => format!(
            "HTTP Error: status code {} ({})",
            code,
            http::status_text(*code)
        ),
        FetchError::Failed(m) => m.clone(),
    }
}

/// `text` with credentials taken out of every URL in it: the user
/// information of `scheme://user:password@host` (all of it, since a token
/// often stands alone as the user; a plain `git@` is kept) and the values
/// of query parameters other than kustomize's `ref`, `version`, `timeout`
/// and `submodules`.
pub fn redact(text: &str) -> String {
    static URL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = URL.get_or_init(|| {
        regex::Regex::new(r#"[A-Za-z][A-Za-z0-9+.-]*://[^\s'"<>`]*"#).expect("valid regex")
    });
    re.replace_all(text, |c: &regex::Captures| redact_url(&c[0]))
        .into_owned()
}

/// [`redact`] for one URL.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) if &authority[..at] == "git" => authority.to_string(),
        Some(at) => format!("***@{}", &authority[at + 1..]),
        None => authority.to_string(),
    };
    let path = match path.split_once('?') {
        Some((p, query)) => {
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (query, None),
            };
            let kept: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if !matches!(k, "ref" | "version" | "timeout" | "submodules") => {
                        format!("{}=***", k)
                    }
                    _ => pair.to_string(),
                })
                .collect();
            let mut out = format!("{}?{}", p, kept.join("&"));
            if let Some(f) = fragment {
                out.push('#');
                out.push_str(f);
            }
            out
        }
        None => path.to_string(),
    };
    format!("{}://{}{}", scheme, authority, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        assert_eq!(
            redact("fatal: unable to access 'https://user:s3cret@host/org/repo/': 403"),
            "fatal: unable to access 'https://***@host/org/repo/': 403"
        );
        assert_eq!(
            redact("https://ghp_tok3n@github.com/org/repo//dir?ref=v1&timeout=5"),
            "https://***@github.com/org/repo//dir?ref=v1&timeout=5"
        );
        assert_eq!(
            redact("ssh://git@host.example/org/repo and git@github.com:org/repo"),
            "ssh://git@host.example/org/repo and git@github.com:org/repo"
        );
        assert_eq!(
            redact("GET https://host/x.yaml?private_token=abc&ref=main: 404"),
            "GET https://host/x.yaml?private_token=***&ref=main: 404"
        );
        assert_eq!(redact("file:///srv/repo//base"), "file:///srv/repo//base");
    }
}
