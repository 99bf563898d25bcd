//! The system `git`, run with a time limit and never interactively: what
//! resolves a branch or tag to a commit (`git ls-remote`) and what checks a
//! commit out into a directory (kustomize's init, fetch --depth=1, checkout,
//! submodule update).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// True for a full commit id (40 hex digits, or 64 for SHA-256
/// repositories): such a ref names its content, so a cached checkout of it
/// never goes stale.
pub fn is_commit_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Runs `git ARGS` in `dir`, killing it (and everything it started) after
/// `timeout`. Git never prompts: no terminal, no standard input,
/// `GIT_TERMINAL_PROMPT=0`. Returns standard output, or one line saying
/// what failed with git's own message.
pub fn run(dir: Option<&Path>, args: &[&str], timeout: Duration) -> Result<String, String> {
    // Messages show the command without the flags that only quiet it.
    let shown: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !matches!(*a, "--" | "--quiet") && !a.ends_with("^{}"))
        .collect();
    run_shown(dir, args, timeout, &format!("git {}", shown.join(" ")))
}

/// [`run`], naming the command `shown` in messages.
fn run_shown(
    dir: Option<&Path>,
    args: &[&str],
    timeout: Duration,
    shown: &str,
) -> Result<String, String> {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new("git");
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GCM_INTERACTIVE", "never")
        .env("SSH_ASKPASS_REQUIRE", "never");
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    // SAFETY: setsid only detaches the child from our terminal (so neither
    // git nor ssh can open /dev/tty to ask for a password) and makes it the
    // leader of a new process group, which is killed as a whole on timeout.
    // It is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let child = cmd.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "no 'git' program on PATH (remote bases are cloned with git)".to_string()
        } else {
            format!("{}: cannot start git: {}", shown, e)
        }
    })?;
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(timeout) {
        Ok(out) => out,
        Err(_) => {
            // SAFETY: kill with a negative pid signals the process group the
            // child leads (set up by setsid above); no memory is involved.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
            let _ = rx.recv_timeout(Duration::from_secs(5));
            return Err(format!(
                "{} timed out after {} (set ?timeout= in the URL to allow longer)",
                shown,
                human_duration(timeout)
            ));
        }
    };
    let output = output.map_err(|e| format!("{}: {}", shown, e))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let stderr = one_line(&String::from_utf8_lossy(&output.stderr));
    let status = match output.status.code() {
        Some(code) => format!("exit status {}", code),
        None => "killed by a signal".to_string(),
    };
    if stderr.is_empty() {
        Err(format!("{} failed: {}", shown, status))
    } else {
        Err(format!("{} failed: {}", shown, stderr))
    }
}

/// Git's message on one line: its lines trimmed and joined.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `27s`, `1m30s`, `1.5s`.
fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_nanos() != 0 {
        format!("{:.3}s", d.as_secs_f64())
    } else if secs >= 60 && !secs.is_multiple_of(60) {
        format!("{}m{}s", secs / 60, secs % 60)
    } else if secs >= 60 {
        format!("{}m", secs / 60)
    } else {
        format!("{}s", secs)
    }
}

/// The order in which `git fetch` matches a short ref name against the
/// remote's refs (git's `ref_rev_parse_rules`): the earliest rule wins, so a
/// tag beats a branch of the same name.
const RULES: [(&str, &str); 6] = [
    ("", ""),
    ("refs/", ""),
    ("refs/tags/", ""),
    ("refs/heads/", ""),
    ("refs/remotes/", ""),
    ("refs/remotes/", "/HEAD"),
];

/// The commit `git fetch URL REF` would check out, asked of the remote with
/// `git ls-remote` (peeled through annotated tags). `None` when no ref
/// matches: the fetch then reports git's own error.
pub fn resolve(url: &str, git_ref: &str, timeout: Duration) -> Result<Option<String>, String> {
    // A pattern matches ref names ending in `/PATTERN`; the peeled line of
    // an annotated tag is named `TAG^{}` and needs a pattern of its own.
    let peeled_pattern = format!("{}^{{}}", git_ref);
    let out = run(
        None,
        &["ls-remote", "--", url, git_ref, &peeled_pattern],
        timeout,
    )?;
    let mut best: Option<(usize, &str)> = None;
    let mut peeled: Vec<(&str, &str)> = Vec::new();
    let mut direct: Vec<(&str, &str)> = Vec::new();
    for line in out.lines() {
        let Some((oid, name)) = line.split_once('\t') else {
            continue;
        };
        match name.strip_suffix("^{}") {
            Some(tag) => peeled.push((tag, oid)),
            None => direct.push((name, oid)),
        }
    }
    for (name, _) in &direct {
        let rank = RULES.iter().position(|(pre, post)| {
            name.strip_prefix(pre)
                .and_then(|n| n.strip_suffix(post))
                .is_some_and(|n| n == git_ref)
        });
        if let Some(rank) = rank
            && best.is_none_or(|(r, _)| rank < r)
        {
            best = Some((rank, name));
        }
    }
    let Some((_, name)) = best else {
        return Ok(None);
    };
    let oid = peeled
        .iter()
        .chain(direct.iter())
        .find(|(n, _)| *n == name)
        .map(|(_, oid)| oid.to_string());
    Ok(oid.filter(|o| is_commit_id(o)))
}

/// Checks `git_ref` (a branch, tag or commit; `HEAD` for the default) of
/// `url` out into the empty directory `dir` as kustomize does: a shallow
/// fetch, then the submodules when asked for. Returns the commit id;
/// `dir/.git` is removed.
pub fn checkout(
    dir: &Path,
    url: &str,
    git_ref: &str,
    submodules: bool,
    timeout: Duration,
) -> Result<String, String> {
    let git = |args: &[&str]| run(Some(dir), args, timeout);
    git(&["init", "--quiet"])?;
    // Relative submodule URLs are resolved against origin.
    git(&["remote", "add", "origin", url])?;
    git(&["fetch", "--quiet", "--depth=1", url, git_ref])?;
    git(&[
        "-c",
        "advice.detachedHead=false",
        "checkout",
        "--quiet",
        "FETCH_HEAD",
    ])?;
    if submodules {
        git(&["submodule", "--quiet", "update", "--init", "--recursive"])?;
    }
    let commit = git(&["rev-parse", "HEAD"])?.trim().to_string();
    std::fs::remove_dir_all(dir.join(".git"))
        .map_err(|e| format!("cannot remove {}: {}", dir.join(".git").display(), e))?;
    Ok(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_ids() {
        assert!(is_commit_id("5cb99ebde48d8e25cabf5bca2f1aa608a595888e"));
        assert!(!is_commit_id("5cb99eb"));
        assert!(!is_commit_id("main"));
        assert!(!is_commit_id("zcb99ebde48d8e25cabf5bca2f1aa608a595888e"));
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(Duration::from_secs(27)), "27s");
        assert_eq!(human_duration(Duration::from_secs(61)), "1m1s");
        assert_eq!(human_duration(Duration::from_secs(120)), "2m");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.500s");
    }

    #[test]
    fn a_command_that_hangs_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        // A shell alias that sleeps far longer than the limit.
        let start = std::time::Instant::now();
        let err = run(
            Some(dir.path()),
            &["-c", "alias.hang=!sleep 30", "hang"],
            Duration::from_millis(300),
        )
        .unwrap_err();
        assert!(err.contains("timed out after 0.300s"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}
