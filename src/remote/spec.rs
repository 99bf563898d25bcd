//! Remote references as kustomize 5.5 reads them: which `resources` and
//! `components` entries name a git repository (and where in it), and which
//! name a file to fetch over HTTP(S).
//!
//! The parsing follows kustomize's `NewRepoSpecFromURL` rule for rule, so an
//! entry is a repository here exactly when it is one for `kubectl
//! kustomize`: the query (`ref`, `version`, `timeout`, `submodules`) is cut
//! off first; an optional `git::` prefix is dropped; the scheme (`ssh://`,
//! `https://`, `http://`, `file://`) or an scp-like `user@host:` gives the
//! host, with GitHub hosts normalised (`github.com/…` and `http://github.com/…`
//! clone over `https://github.com/`, `git@github.com/…` over
//! `git@github.com:`); then the repository path is split from the directory
//! inside it at `_git/NAME`, else at `//`, else after `.git`, else after two
//! path segments (all segments for `file://`).

use std::time::Duration;

/// kustomize's clone timeout when the URL gives none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(27);

/// A git repository reference: where to clone from, what to check out, and
/// the kustomization directory inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoSpec {
    /// The entry as written, used to detect repository cycles.
    pub raw: String,
    /// Scheme, user and host: `https://github.com/`, `git@github.com:`,
    /// `file://`.
    pub host: String,
    /// The repository's path on the host (`org/repo`, `org/repo.git`,
    /// `/srv/repo` for `file://`).
    pub repo_path: String,
    /// The kustomization directory inside the repository (no leading `/`,
    /// may be empty).
    pub kust_root: String,
    /// The branch, tag or commit (`?ref=`, else `?version=`); empty for the
    /// remote's HEAD.
    pub git_ref: String,
    /// Whether submodules are checked out (`?submodules=`, default true).
    pub submodules: bool,
    /// Limit for each git command (`?timeout=`, default 27 s).
    pub timeout: Duration,
    /// The entry had the go-getter `git::` prefix, which kustomize strips
    /// with a warning.
    pub forced_git_prefix: bool,
}

impl RepoSpec {
    /// Parses `entry` as kustomize does; `Err` (with kustomize's reason) when
    /// it is not a git repository reference, in which case it is a local
    /// path (or an HTTP file).
    pub fn parse(entry: &str) -> Result<RepoSpec, String> {
        if entry.starts_with('/') {
            return Err(format!("uri looks like abs path: {}", entry));
        }
        let (rest, query) = match entry.split_once('?') {
            Some((r, q)) => (r, q),
            None => (entry, ""),
        };
        let (git_ref, timeout, submodules) = parse_query(query);
        let (rest, forced_git_prefix) = match strip_prefix_ignore_case(rest, "git::") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let (host, path) = split_host(rest)?;
        let all_segments = host.starts_with(FILE_SCHEME);
        let (repo_path, kust_root) = split_path(path, all_segments)?;
        Ok(RepoSpec {
            raw: entry.to_string(),
            host,
            repo_path,
            kust_root,
            git_ref,
            submodules,
            timeout,
            forced_git_prefix,
        })
    }

    /// What `git fetch` is given: host and repository path.
    pub fn clone_url(&self) -> String {
        format!("{}{}", self.host, self.repo_path)
    }

    /// The kustomization directory inside the repository, cleaned: `None`
    /// for the repository's root.
    pub fn kust_dir(&self) -> Option<String> {
        let cleaned = clean_relative(&self.kust_root);
        (cleaned != ".").then_some(cleaned)
    }
}

/// The warning kustomize prints for a `git::` prefix.
pub const GIT_PREFIX_WARNING: &str = "Warning: Forcing the git protocol using the 'git::' URL prefix is not supported. Kustomize currently strips this invalid prefix, but will stop doing so in a future release. Please remove the 'git::' prefix from your configuration.";

const FILE_SCHEME: &str = "file://";
const SCHEMES: [&str; 4] = ["ssh://", "https://", "http://", FILE_SCHEME];

/// `s` without `prefix` (compared ignoring ASCII case), if it starts so.
fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Splits off the scheme, user and host; returns the normalised host and
/// the path after it.
fn split_host(n: &str) -> Result<(String, &str), String> {
    let (scheme, n) = SCHEMES
        .iter()
        .find_map(|s| strip_prefix_ignore_case(n, s).map(|rest| (*s, rest)))
        .unwrap_or(("", n));
    let after_scheme = n;
    let (user, n) = n.split_at(user_prefix_len(n));
    let lower = n.to_ascii_lowercase();
    let github = lower.starts_with("github.com/") || lower.starts_with("github.com:");
    let scp = scheme.is_empty() && (!user.is_empty() || github);
    if scheme.is_empty() && !scp {
        return Err("failed to parse scheme".into());
    }
    if scheme == FILE_SCHEME {
        // Everything after file:// is a local path, a "user" included.
        return Ok((FILE_SCHEME.to_string(), after_scheme));
    }
    let slash = n.find('/');
    let sep = if scp {
        let colon = n.find(':');
        match (slash, colon) {
            (None, c) => c,
            (Some(s), Some(c)) if c > 0 && c < s => Some(c),
            (s, _) => s,
        }
    } else {
        slash
    };
    let (host, rest) = match sep {
        Some(i) => (&n[..=i], &n[i + 1..]),
        None => (n, ""),
    };
    let (scheme, user, host) = if github {
        if scheme.starts_with("ssh://") || !user.is_empty() {
            ("", user, "github.com:")
        } else {
            ("https://", "", "github.com/")
        }
    } else {
        (scheme, user, host)
    };
    if host.is_empty() {
        return Err("failed to parse host segment".into());
    }
    Ok((format!("{}{}{}", scheme, user, host), rest))
}

/// Length of a leading `name@` (kustomize's `^([a-zA-Z][a-zA-Z0-9-]*)@`).
fn user_prefix_len(s: &str) -> usize {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphabetic() {
        return 0;
    }
    let mut i = 1;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
        i += 1;
    }
    if i < b.len() && b[i] == b'@' {
        i + 1
    } else {
        0
    }
}

/// Splits the path after the host into the repository path and the
/// kustomization directory.
fn split_path(n: &str, all_segments: bool) -> Result<(String, String), String> {
    let split = explicit_split(n).or_else(|| {
        if all_segments {
            return Some((n.to_string(), String::new()));
        }
        let segments: Vec<&str> = n.split('/').collect();
        (segments.len() >= 2).then(|| (segments[..2].join("/"), segments[2..].join("/")))
    });
    let Some((repo, root)) = split.filter(|(repo, _)| !repo.is_empty()) else {
        return Err("failed to parse repo path segment".into());
    };
    let cleaned = clean_relative(root.strip_prefix('/').unwrap_or(&root));
    if cleaned == ".." || cleaned.starts_with("../") {
        return Err(format!("url path exits repo: {}", n));
    }
    let root = root.strip_prefix('/').unwrap_or(&root).to_string();
    Ok((repo, root))
}

/// The split at an explicit marker: `_git/NAME`, `//` or `.git`.
fn explicit_split(n: &str) -> Option<(String, String)> {
    if let Some(i) = n.find("_git/") {
        let after = &n[i + 5..];
        let (name, sub) = after.split_once('/').unwrap_or((after, ""));
        return Some((format!("{}{}", &n[..i + 5], name), sub.to_string()));
    }
    if let Some(i) = n.find("//") {
        return Some((n[..i].to_string(), n[i + 2..].to_string()));
    }
    if let Some(i) = n.find(".git") {
        return Some((n[..i + 4].to_string(), n[i + 4..].to_string()));
    }
    None
}

/// Go's `filepath.Clean` for a relative path (`.` when empty).
pub(crate) fn clean_relative(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(last) if *last != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

/// `ref` (else `version`), timeout and submodules from the query, with
/// kustomize's defaults for anything missing or malformed (and for all three
/// when the query does not parse).
fn parse_query(query: &str) -> (String, Duration, bool) {
    let defaults = (String::new(), DEFAULT_TIMEOUT, true);
    let Some(values) = parse_query_values(query) else {
        return defaults;
    };
    let get = |key: &str| {
        values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut git_ref = get("version").to_string();
    if !get("ref").is_empty() {
        git_ref = get("ref").to_string();
    }
    let mut timeout = DEFAULT_TIMEOUT;
    let t = get("timeout");
    if !t.is_empty() {
        if let Some(secs) = go_atoi(t).filter(|&s| s > 0) {
            timeout = Duration::from_secs(secs as u64);
        } else if let Some(d) = go_parse_duration(t).filter(|d| !d.is_zero()) {
            timeout = d;
        }
    }
    let submodules = go_parse_bool(get("submodules")).unwrap_or(true);
    (git_ref, timeout, submodules)
}

/// Go's `url.ParseQuery`: `None` on any error (a `;`, a bad escape).
fn parse_query_values(query: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut ok = true;
    for piece in query.split('&') {
        if piece.contains(';') {
            ok = false;
            continue;
        }
        if piece.is_empty() {
            continue;
        }
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        match (query_unescape(k), query_unescape(v)) {
            (Some(k), Some(v)) => out.push((k, v)),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte.
pub(crate) fn query_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |c: u8| (c as char).to_digit(16);
                let hi = b.get(i + 1).copied().and_then(hex)?;
                let lo = b.get(i + 2).copied().and_then(hex)?;
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `strconv.Atoi` (optional sign, decimal digits).
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Go's `strconv.ParseBool`.
fn go_parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `time.ParseDuration` for non-negative durations (`1m1s`, `1.5s`,
/// `300ms`); `None` for malformed or negative ones.
fn go_parse_duration(s: &str) -> Option<Duration> {
    let mut rest = s.strip_prefix('+').unwrap_or(s);
    if rest.starts_with('-') {
        return None;
    }
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = num.parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let nanos = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * nanos;
    }
    Some(Duration::from_nanos(total as u64))
}

/// True when `path` is a URL kustomize fetches over HTTP (Go's `url.Parse`
/// accepts it and its scheme is `http` or `https`, in any case).
pub fn is_remote_file(path: &str) -> bool {
    let Some((scheme, rest)) = path.split_once(':') else {
        return false;
    };
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return false;
    }
    if path.bytes().any(|c| c < 0x20 || c == 0x7f) {
        return false;
    }
    // url.Parse checks the escapes of the path and of a fragment, and the
    // port of the authority; the query is kept raw.
    let (before_fragment, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let before_query = before_fragment.split('?').next().unwrap_or("");
    if !valid_escapes(before_query) || !valid_escapes(fragment) {
        return false;
    }
    if let Some(after) = before_query.strip_prefix("//") {
        let authority = after.split('/').next().unwrap_or("");
        let host = authority.rsplit('@').next().unwrap_or("");
        if !host.starts_with('[')
            && let Some((_, port)) = host.rsplit_once(':')
            && !port.bytes().all(|c| c.is_ascii_digit())
        {
            return false;
        }
    }
    true
}

/// Every `%` starts a two-digit hex escape.
fn valid_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !(i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (entry, host, repo path, kustomization dir, ref, clone URL), the
    /// cases of kustomize 5.5's `repospec_test.go`.
    const CASES: &[(&str, &str, &str, &str, &str, &str)] = &[
        (
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir",
            "https://git-codecommit.us-east-2.amazonaws.com/",
            "someorg/somerepo",
            "somedir",
            "",
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
        ),
        (
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir?ref=testbranch",
            "https://git-codecommit.us-east-2.amazonaws.com/",
            "someorg/somerepo",
            "somedir",
            "testbranch",
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
        ),
        (
            "https://fabrikops2.visualstudio.com/someorg/somerepo?ref=master",
            "https://fabrikops2.visualstudio.com/",
            "someorg/somerepo",
            "",
            "master",
            "https://fabrikops2.visualstudio.com/someorg/somerepo",
        ),
        (
            "http://github.com/someorg/somerepo/somedir",
            "https://github.com/",
            "someorg/somerepo",
            "somedir",
            "",
            "https://github.com/someorg/somerepo",
        ),
        (
            "git@github.com:someorg/somerepo/somedir",
            "git@github.com:",
            "someorg/somerepo",
            "somedir",
            "",
            "git@github.com:someorg/somerepo",
        ),
        (
            "http://github.com/someorg/somerepo.git/somedir",
            "https://github.com/",
            "someorg/somerepo.git",
            "somedir",
            "",
            "https://github.com/someorg/somerepo.git",
        ),
        (
            "git@github.com:someorg/somerepo.git/somedir",
            "git@github.com:",
            "someorg/somerepo.git",
            "somedir",
            "",
            "git@github.com:someorg/somerepo.git",
        ),
        (
            "git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git?ref=v0.1.0",
            "git@gitlab2.sqtools.ru:",
            "infra/kubernetes/thanos-base.git",
            "",
            "v0.1.0",
            "git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git",
        ),
        (
            "git@bitbucket.org:company/project.git//path?ref=branch",
            "git@bitbucket.org:",
            "company/project.git",
            "path",
            "branch",
            "git@bitbucket.org:company/project.git",
        ),
        (
            "git@bitbucket.org/company/project.git//path?ref=branch",
            "git@bitbucket.org/",
            "company/project.git",
            "path",
            "branch",
            "git@bitbucket.org/company/project.git",
        ),
        (
            "ssh://git@bitbucket.org/company/project.git//path?ref=branch",
            "ssh://git@bitbucket.org/",
            "company/project.git",
            "path",
            "branch",
            "ssh://git@bitbucket.org/company/project.git",
        ),
        (
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "",
            "",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
        ),
        (
            "https://itfs.mycompany.com/collection/project/_git/somerepos?version=v1.0.0",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "",
            "v1.0.0",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
        ),
        (
            "https://itfs.mycompany.com/collection/project/_git/somerepos/somedir?version=v1.0.0",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "somedir",
            "v1.0.0",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
        ),
        (
            "git::https://itfs.mycompany.com/collection/project/_git/somerepos",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "",
            "",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
        ),
        (
            "https://bitbucket.example.com/scm/project/repository.git",
            "https://bitbucket.example.com/",
            "scm/project/repository.git",
            "",
            "",
            "https://bitbucket.example.com/scm/project/repository.git",
        ),
        (
            "ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somepath",
            "ssh://git-codecommit.us-east-2.amazonaws.com/",
            "someorg/somerepo",
            "somepath",
            "",
            "ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
        ),
        (
            "git@github.com/someorg/somerepo/somepath",
            "git@github.com:",
            "someorg/somerepo",
            "somepath",
            "",
            "git@github.com:someorg/somerepo",
        ),
        (
            "https://github.com/kubernetes-sigs/kustomize//examples/multibases/dev/?ref=v1.0.6",
            "https://github.com/",
            "kubernetes-sigs/kustomize",
            "examples/multibases/dev/",
            "v1.0.6",
            "https://github.com/kubernetes-sigs/kustomize",
        ),
        (
            "file://a/b/c/someRepo.git/somepath?ref=someBranch",
            "file://",
            "a/b/c/someRepo.git",
            "somepath",
            "someBranch",
            "file://a/b/c/someRepo.git",
        ),
        (
            "file://a/b/c/someRepo//somepath?ref=someBranch",
            "file://",
            "a/b/c/someRepo",
            "somepath",
            "someBranch",
            "file://a/b/c/someRepo",
        ),
        (
            "file://a/b/c/someRepo?ref=someBranch",
            "file://",
            "a/b/c/someRepo",
            "",
            "someBranch",
            "file://a/b/c/someRepo",
        ),
        (
            "file:///a/b/c/someRepo?ref=someBranch",
            "file://",
            "/a/b/c/someRepo",
            "",
            "someBranch",
            "file:///a/b/c/someRepo",
        ),
        (
            "ssh://git@github.com/kubernetes-sigs/kustomize//examples/multibases/dev?ref=v1.0.6",
            "git@github.com:",
            "kubernetes-sigs/kustomize",
            "examples/multibases/dev",
            "v1.0.6",
            "git@github.com:kubernetes-sigs/kustomize",
        ),
        (
            "file:///a/b/c/someRepo",
            "file://",
            "/a/b/c/someRepo",
            "",
            "",
            "file:///a/b/c/someRepo",
        ),
        ("file:///", "file://", "/", "", "", "file:///"),
        (
            "https://example.org/path/to/repo//examples/multibases/dev",
            "https://example.org/",
            "path/to/repo",
            "examples/multibases/dev",
            "",
            "https://example.org/path/to/repo",
        ),
        (
            "https://example.org/path/to/repo.git/examples/multibases/dev",
            "https://example.org/",
            "path/to/repo.git",
            "examples/multibases/dev",
            "",
            "https://example.org/path/to/repo.git",
        ),
        (
            "ssh://alice@example.com/path/to/repo//examples/multibases/dev",
            "ssh://alice@example.com/",
            "path/to/repo",
            "examples/multibases/dev",
            "",
            "ssh://alice@example.com/path/to/repo",
        ),
        (
            "https://authority/org/repo?ref=group/version",
            "https://authority/",
            "org/repo",
            "",
            "group/version",
            "https://authority/org/repo",
        ),
        (
            "https://authority/org/repo/?ref=includes_git/for_some_reason",
            "https://authority/",
            "org/repo",
            "",
            "includes_git/for_some_reason",
            "https://authority/org/repo",
        ),
        (
            "https://authority/org/repo/?ref=includes.git/for_some_reason",
            "https://authority/",
            "org/repo",
            "",
            "includes.git/for_some_reason",
            "https://authority/org/repo",
        ),
        (
            "https://authority/org/repo/%-invalid-uri-so-not-parsable-by-net/url.Parse",
            "https://authority/",
            "org/repo",
            "%-invalid-uri-so-not-parsable-by-net/url.Parse",
            "",
            "https://authority/org/repo",
        ),
        (
            "ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git//path?ref=branch",
            "ssh://myusername@bitbucket.org/",
            "ourteamname/ourrepositoryname.git",
            "path",
            "branch",
            "ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git",
        ),
        (
            "file://git@home/path/to/repository.git//path?ref=branch",
            "file://",
            "git@home/path/to/repository.git",
            "path",
            "branch",
            "file://git@home/path/to/repository.git",
        ),
        (
            "http://git@home.com/path/to/repository.git//path?ref=branch",
            "http://git@home.com/",
            "path/to/repository.git",
            "path",
            "branch",
            "http://git@home.com/path/to/repository.git",
        ),
        (
            "https://git@home.com/path/to/repository.git//path?ref=branch",
            "https://git@home.com/",
            "path/to/repository.git",
            "path",
            "branch",
            "https://git@home.com/path/to/repository.git",
        ),
        (
            "ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git",
            "ssh://git@ssh.github.com:443/",
            "YOUR-USERNAME/YOUR-REPOSITORY.git",
            "",
            "",
            "ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git",
        ),
        (
            "git@gitlab.com/user:name/YOUR-REPOSITORY.git/path",
            "git@gitlab.com/",
            "user:name/YOUR-REPOSITORY.git",
            "path",
            "",
            "git@gitlab.com/user:name/YOUR-REPOSITORY.git",
        ),
        (
            "git@gitlab.com:gitlab-tests/sample-project.git",
            "git@gitlab.com:",
            "gitlab-tests/sample-project.git",
            "",
            "",
            "git@gitlab.com:gitlab-tests/sample-project.git",
        ),
        (
            "git@gitlab.com:gitlab-tests/sample-project",
            "git@gitlab.com:",
            "gitlab-tests/sample-project",
            "",
            "",
            "git@gitlab.com:gitlab-tests/sample-project",
        ),
        (
            "https://username@dev.azure.com/org/project/_git/repo//path/to/kustomization/root",
            "https://username@dev.azure.com/",
            "org/project/_git/repo",
            "path/to/kustomization/root",
            "",
            "https://username@dev.azure.com/org/project/_git/repo",
        ),
        (
            "https://org.visualstudio.com/project/_git/repo/path/to/kustomization/root",
            "https://org.visualstudio.com/",
            "project/_git/repo",
            "path/to/kustomization/root",
            "",
            "https://org.visualstudio.com/project/_git/repo",
        ),
        (
            "ssh://org-12345@github.com/kubernetes-sigs/kustomize",
            "org-12345@github.com:",
            "kubernetes-sigs/kustomize",
            "",
            "",
            "org-12345@github.com:kubernetes-sigs/kustomize",
        ),
        (
            "org-12345@github.com/kubernetes-sigs/kustomize",
            "org-12345@github.com:",
            "kubernetes-sigs/kustomize",
            "",
            "",
            "org-12345@github.com:kubernetes-sigs/kustomize",
        ),
        (
            "git@gist.github.com:bc7947cb727d7f9217e7862d961a1ffd.git",
            "git@gist.github.com:",
            "bc7947cb727d7f9217e7862d961a1ffd.git",
            "",
            "",
            "git@gist.github.com:bc7947cb727d7f9217e7862d961a1ffd.git",
        ),
        (
            "https://gist.github.com/bc7947cb727d7f9217e7862d961a1ffd.git",
            "https://gist.github.com/",
            "bc7947cb727d7f9217e7862d961a1ffd.git",
            "",
            "",
            "https://gist.github.com/bc7947cb727d7f9217e7862d961a1ffd.git",
        ),
    ];

    #[test]
    fn kustomize_cases() {
        for &(entry, host, repo, root, git_ref, clone) in CASES {
            let s = RepoSpec::parse(entry).unwrap_or_else(|e| panic!("{entry}: {e}"));
            assert_eq!(
                (
                    s.host.as_str(),
                    s.repo_path.as_str(),
                    s.kust_root.as_str(),
                    s.git_ref.as_str()
                ),
                (host, repo, root, git_ref),
                "{entry}"
            );
            assert_eq!(s.clone_url(), clone, "{entry}");
        }
    }

    #[test]
    fn host_forms_times_paths_and_refs() {
        let hosts = [
            ("gitHub.com/", "https://github.com/"),
            ("github.com:", "https://github.com/"),
            ("http://github.com/", "https://github.com/"),
            ("https://github.com/", "https://github.com/"),
            ("hTTps://github.com/", "https://github.com/"),
            (
                "https://git-codecommit.us-east-2.amazonaws.com/",
                "https://git-codecommit.us-east-2.amazonaws.com/",
            ),
            ("ssh://git.example.com:7999/", "ssh://git.example.com:7999/"),
            ("git::https://gitlab.com/", "https://gitlab.com/"),
            ("git::http://git.example.com/", "http://git.example.com/"),
            ("git@github.com:", "git@github.com:"),
            ("git@github.com/", "git@github.com:"),
            ("git::git@github.com:", "git@github.com:"),
            ("org-12345@github.com:", "org-12345@github.com:"),
            ("org-12345@github.com/", "org-12345@github.com:"),
        ];
        for (raw, host) in hosts {
            for repo in ["someOrg/someRepo", "kubernetes/website"] {
                for path in ["README.md", "foo/krusty.txt", ""] {
                    for git_ref in ["group/version", "someBranch", "v0.1.0", ""] {
                        let mut url = format!("{raw}{repo}");
                        if !path.is_empty() {
                            url = format!("{url}/{path}");
                        }
                        if !git_ref.is_empty() {
                            url = format!("{url}?ref={git_ref}");
                        }
                        let s = RepoSpec::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
                        assert_eq!(
                            (
                                s.host.as_str(),
                                s.repo_path.as_str(),
                                s.kust_root.as_str(),
                                s.git_ref.as_str()
                            ),
                            (host, repo, path, git_ref),
                            "{url}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn not_repositories() {
        for (entry, why) in [
            ("/tmp", "uri looks like abs path"),
            ("../../tmp", "failed to parse scheme"),
            ("src/github.com/org/repo/path", "failed to parse scheme"),
            ("iauhsdiuashduas", "failed to parse scheme"),
            ("htxxxtp://github.com/", "failed to parse scheme"),
            ("ssh://git.example.com", "failed to parse repo path segment"),
            ("git::___", "failed to parse scheme"),
            (
                "https://host?ref=group/version/minor_version",
                "failed to parse repo path segment",
            ),
            (
                "https://github.com/org/repo.git//path/../../exits/repo",
                "url path exits repo",
            ),
            ("github.com!org/repo.git//path", "failed to parse scheme"),
            ("gh:org/repo", "failed to parse scheme"),
            (
                "https://github.com/thisisa404.yaml",
                "failed to parse repo path segment",
            ),
            (
                "file:////tmp//path/to/whatever",
                "failed to parse repo path segment",
            ),
            (
                "git@scp://github.com/org/repo.git//path",
                "failed to parse repo path segment",
            ),
            (
                "git@ssh://github.com/org/repo.git//path",
                "failed to parse repo path segment",
            ),
            ("base", "failed to parse scheme"),
            ("deployment.yaml", "failed to parse scheme"),
        ] {
            let err = RepoSpec::parse(entry).unwrap_err();
            assert!(err.contains(why), "{entry}: {err}");
        }
    }

    #[test]
    fn query_parameters() {
        let d = DEFAULT_TIMEOUT;
        for (query, git_ref, timeout, submodules) in [
            ("", "", d, true),
            ("ref=v1.0.0", "v1.0.0", d, true),
            ("ref=kustomize/v4.5.7", "kustomize/v4.5.7", d, true),
            ("ref=kustomize%2Fv4.5.7", "kustomize/v4.5.7", d, true),
            ("version=master", "master", d, true),
            ("version=master&ref=v1.0.0", "v1.0.0", d, true),
            ("version=master&submodules=", "master", d, true),
            ("version=master&submodules=maybe", "master", d, true),
            ("version=master&submodules=true", "master", d, true),
            ("version=master&submodules=false", "master", d, false),
            ("version=master&submodules=0", "master", d, false),
            ("version=master&timeout=", "master", d, true),
            ("version=master&timeout=jiffy", "master", d, true),
            ("version=master&timeout=0", "master", d, true),
            ("version=master&timeout=0s", "master", d, true),
            (
                "version=master&timeout=61",
                "master",
                Duration::from_secs(61),
                true,
            ),
            (
                "version=master&timeout=1m1s",
                "master",
                Duration::from_secs(61),
                true,
            ),
            ("timeout=1.5s", "", Duration::from_millis(1500), true),
            (
                "version=master&submodules=false&timeout=1m1s",
                "master",
                Duration::from_secs(61),
                false,
            ),
            // A query Go cannot parse gives the defaults for everything.
            ("ref=v1;x", "", d, true),
            ("ref=v1&bad=%zz", "", d, true),
        ] {
            assert_eq!(
                parse_query(query),
                (git_ref.to_string(), timeout, submodules),
                "{query}"
            );
        }
    }

    #[test]
    fn kustomization_dirs() {
        let dir = |e: &str| RepoSpec::parse(e).unwrap().kust_dir();
        assert_eq!(dir("file:///r"), None);
        assert_eq!(dir("file:///r//"), None);
        assert_eq!(dir("file:///r//a/../"), None);
        assert_eq!(dir("file:///r//a/b/"), Some("a/b".to_string()));
        assert!(
            RepoSpec::parse("git::file:///r//a")
                .unwrap()
                .forced_git_prefix
        );
    }

    #[test]
    fn remote_files() {
        assert!(is_remote_file("https://example.com/a.yaml"));
        assert!(is_remote_file("HTTP://example.com/a.yaml?x=%zz"));
        assert!(is_remote_file("http://127.0.0.1:8080/a.yaml"));
        assert!(!is_remote_file("https://authority/org/repo/%-invalid/x"));
        assert!(!is_remote_file("http://host:port/a.yaml"));
        assert!(!is_remote_file("file:///a.yaml"));
        assert!(!is_remote_file("github.com/org/repo"));
        assert!(!is_remote_file("a.yaml"));
    }
}
