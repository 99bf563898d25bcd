//! Remote bases and files, built by `aiw build` and `kubectl kustomize` on
//! the same trees and compared byte for byte (kubectl runs when it is on
//! PATH; without it only aiw's own promises are checked).
//!
//! Everything is local: git repositories made with the git CLI in a
//! temporary directory and named by `file://` URLs; the other URL forms
//! (`github.com/…`, `git@host:…`, `ssh://…`, `http://…`) are mapped onto
//! them with git's `url.<base>.insteadOf` in a private git config; HTTP
//! files come from a server on 127.0.0.1 that each test starts and stops.
//! The two tools get the same environment: that git config, a private HOME,
//! no proxies, and their own aiw cache directory.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{check_error_output, kubectl_available, unified_diff};

// ---------------------------------------------------------------------------
// A tiny HTTP server: fixed files, 404 for everything else, and a path
// prefix that never answers git's requests (for timeouts).

struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    log: Arc<Mutex<Vec<String>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let thread = {
            let (stop, files, log) = (stop.clone(), files.clone(), log.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (stop, files, log) = (stop.clone(), files.clone(), log.clone());
                    std::thread::spawn(move || serve(stream, &stop, &files, &log));
                }
            })
        };
        Server {
            port,
            stop,
            files,
            log,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    fn put(&self, path: &str, body: &str) {
        self.files
            .lock()
            .unwrap()
            .insert(path.to_string(), body.as_bytes().to_vec());
    }

    fn requests(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    stop: &AtomicBool,
    files: &Mutex<HashMap<String, Vec<u8>>>,
    log: &Mutex<Vec<String>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();
    log.lock().unwrap().push(path.clone());
    if path.starts_with("/hang/") && path.contains("info/refs") {
        // Never answer git (bounded: the test's limit is far shorter).
        let start = Instant::now();
        while !stop.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        return;
    }
    let key = path.split('?').next().unwrap_or("").to_string();
    let body = files.lock().unwrap().get(&key).cloned();
    let mut stream = stream;
    let _ = match body {
        Some(b) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n",
                b.len()
            );
            stream
                .write_all(head.as_bytes())
                .and_then(|_| stream.write_all(&b))
        }
        None => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\nConnection: close\r\n\r\nnot found\n",
        ),
    };
}

// ---------------------------------------------------------------------------
// The world of a test: repositories, a git config, an HTTP server, a cache.

struct World {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    repos: PathBuf,
    home: PathBuf,
    gitconfig: PathBuf,
    cache: PathBuf,
    server: Server,
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - image: nginx:1.25
        name: web
";

const CONFIGMAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: common
data:
  LEVEL: info
";

impl World {
    fn new() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(tmp.path()).unwrap();
        let repos = root.join("repos");
        let home = root.join("home");
        let cache = root.join("cache");
        for d in [&repos, &home] {
            std::fs::create_dir_all(d).unwrap();
        }
        let server = Server::start();
        let gitconfig = root.join("gitconfig");
        let file_base = format!("file://{}/", repos.display());
        std::fs::write(
            &gitconfig,
            format!(
                "[protocol \"file\"]\n\tallow = always\n\
                 [init]\n\tdefaultBranch = main\n\
                 [user]\n\tname = Test\n\temail = test@example.test\n\
                 [url \"{file_base}\"]\n\
                 \tinsteadOf = https://github.com/\n\
                 \tinsteadOf = git@github.com:\n\
                 \tinsteadOf = ssh://git@git.example.test/\n\
                 \tinsteadOf = git@git.example.test:\n\
                 \tinsteadOf = http://127.0.0.1:{port}/git/\n",
                port = server.port
            ),
        )
        .unwrap();
        World {
            _tmp: tmp,
            root,
            repos,
            home,
            gitconfig,
            cache,
            server,
        }
    }

    /// The environment both tools (and git) run in.
    fn env(&self, cmd: &mut Command) {
        cmd.env("GIT_CONFIG_GLOBAL", &self.gitconfig)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", &self.home)
            .env("AIW_CACHE_DIR", &self.cache)
            .env("LC_ALL", "C")
            .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z");
        for var in [
            "XDG_CACHE_HOME",
            "http_proxy",
            "https_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
            "GIT_DIR",
            "GIT_WORK_TREE",
        ] {
            cmd.env_remove(var);
        }
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(dir);
        self.env(&mut cmd);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "git {:?} in {}: {}",
            args,
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn write(&self, path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `repos/org/app`: a root kustomization over `base`, which loads
    /// `../common` (inside the repository), plus bases that try to leave
    /// it, a component and a generator. Tags `v1` (annotated) and `light`,
    /// branch `dev`, and a later commit on main.
    fn make_app(&self) -> PathBuf {
        let app = self.repos.join("org/app");
        std::fs::create_dir_all(&app).unwrap();
        self.git(&app, &["init", "--quiet"]);
        self.write(&app.join("kustomization.yaml"), "resources:\n- base\n");
        self.write(
            &app.join("base/kustomization.yaml"),
            "resources:\n- ../common\n- deployment.yaml\nlabels:\n- pairs:\n    app: web\n",
        );
        self.write(&app.join("base/deployment.yaml"), DEPLOYMENT);
        self.write(
            &app.join("common/kustomization.yaml"),
            "resources:\n- configmap.yaml\n",
        );
        self.write(&app.join("common/configmap.yaml"), CONFIGMAP);
        self.write(
            &app.join("component/kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: comp-\ncommonAnnotations:\n  team: platform\n",
        );
        self.write(
            &app.join("gen/kustomization.yaml"),
            "resources:\n- ../base\nconfigMapGenerator:\n- name: settings\n  literals:\n  - MODE=remote\nnamePrefix: gen-\n",
        );
        // Bases that try to leave the repository.
        self.write(
            &app.join("escape/kustomization.yaml"),
            "resources:\n- ../..\n",
        );
        self.write(
            &app.join("file-escape/kustomization.yaml"),
            "resources:\n- ../common/configmap.yaml\n",
        );
        let outside = self.root.join("outside");
        self.write(
            &outside.join("kustomization.yaml"),
            "resources:\n- cm.yaml\n",
        );
        self.write(&outside.join("cm.yaml"), CONFIGMAP);
        std::fs::create_dir_all(app.join("symlink-escape")).unwrap();
        std::os::unix::fs::symlink(&outside, app.join("symlink-escape/outside")).unwrap();
        self.write(
            &app.join("symlink-escape/kustomization.yaml"),
            "resources:\n- outside\n",
        );
        self.git(&app, &["add", "-A"]);
        self.git(&app, &["commit", "--quiet", "-m", "first"]);
        self.git(&app, &["tag", "-a", "v1", "-m", "v1"]);
        self.git(&app, &["tag", "light"]);
        self.git(&app, &["checkout", "--quiet", "-b", "dev"]);
        self.write(
            &app.join("base/deployment.yaml"),
            &DEPLOYMENT.replace("nginx:1.25", "nginx:1.26"),
        );
        self.git(&app, &["commit", "--quiet", "-am", "dev image"]);
        self.git(&app, &["checkout", "--quiet", "main"]);
        self.write(
            &app.join("common/configmap.yaml"),
            &CONFIGMAP.replace("info", "debug"),
        );
        self.git(&app, &["commit", "--quiet", "-am", "debug level"]);
        // The same repository as a bare `app.git` and under `_git/`.
        self.git(
            &self.repos.join("org"),
            &["clone", "--quiet", "--bare", "app", "app.git"],
        );
        self.git(
            &self.repos.join("org"),
            &["clone", "--quiet", "app", "_git/app"],
        );
        app
    }

    /// `repos/org/with-sub`: `sub/` is a submodule holding org/app.
    fn make_with_submodule(&self) {
        let dir = self.repos.join("org/with-sub");
        std::fs::create_dir_all(&dir).unwrap();
        self.git(&dir, &["init", "--quiet"]);
        let app = format!("file://{}", self.repos.join("org/app").display());
        self.git(&dir, &["submodule", "--quiet", "add", &app, "sub"]);
        self.git(&dir, &["commit", "--quiet", "-m", "submodule"]);
    }

    /// `repos/org/nested`: a base that itself names a remote base.
    fn make_nested(&self) {
        let dir = self.repos.join("org/nested");
        std::fs::create_dir_all(&dir).unwrap();
        self.git(&dir, &["init", "--quiet"]);
        self.write(
            &dir.join("kustomization.yaml"),
            &format!(
                "resources:\n- file://{}/org/app//base?ref=v1\nnameSuffix: -nested\n",
                self.repos.display()
            ),
        );
        // A base naming its own repository again: a cycle.
        self.write(
            &dir.join("cycle/kustomization.yaml"),
            &format!(
                "resources:\n- file://{}/org/nested//cycle\n",
                self.repos.display()
            ),
        );
        self.git(&dir, &["add", "-A"]);
        self.git(&dir, &["commit", "--quiet", "-m", "nested"]);
    }

    fn file_url(&self, rest: &str) -> String {
        format!("file://{}/{}", self.repos.display(), rest)
    }

    /// A fresh overlay directory with this kustomization.
    fn overlay(&self, name: &str, kustomization: &str) -> PathBuf {
        let dir = self.root.join("overlays").join(name);
        self.write(&dir.join("kustomization.yaml"), kustomization);
        dir
    }

    fn aiw(&self, target: &str, extra: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aiw"));
        cmd.arg("build").arg(target).args(extra);
        self.env(&mut cmd);
        cmd.output().unwrap()
    }

    fn kubectl(&self, target: &str, extra: &[&str]) -> Output {
        let mut cmd = Command::new("kubectl");
        cmd.arg("kustomize").arg(target).args(extra);
        self.env(&mut cmd);
        cmd.output().unwrap()
    }

    /// Builds `target` with both tools; both must succeed with the same
    /// bytes. Returns aiw's output.
    fn same(&self, target: &str, extra: &[&str]) -> Vec<u8> {
        let aiw = self.aiw(target, extra);
        assert!(
            aiw.status.success(),
            "{target}: aiw failed: {}",
            String::from_utf8_lossy(&aiw.stderr)
        );
        assert!(!aiw.stdout.is_empty(), "{target}: empty output");
        if kubectl_available() {
            let kubectl = self.kubectl(target, extra);
            assert!(
                kubectl.status.success(),
                "{target}: kubectl failed: {}",
                String::from_utf8_lossy(&kubectl.stderr)
            );
            assert!(
                aiw.stdout == kubectl.stdout,
                "{target}: output differs\n{}",
                unified_diff(
                    &kubectl.stdout,
                    &aiw.stdout,
                    "kubectl kustomize",
                    "aiw build"
                )
            );
        }
        aiw.stdout
    }

    /// Builds `target` with both tools; both must fail, aiw with one line
    /// naming `names` (and every one of `says`), exit code 2 and no output.
    fn both_fail(&self, target: &str, extra: &[&str], names: &str, says: &[&str]) -> String {
        let aiw = self.aiw(target, extra);
        let problems = check_error_output(&aiw, names);
        assert!(problems.is_empty(), "{target}: {}", problems.join("; "));
        let stderr = String::from_utf8_lossy(&aiw.stderr).into_owned();
        for s in says {
            assert!(
                stderr.contains(s),
                "{target}: message lacks {s:?}: {stderr}"
            );
        }
        if kubectl_available() {
            let kubectl = self.kubectl(target, extra);
            assert!(
                !kubectl.status.success(),
                "{target}: kubectl succeeds where aiw fails: {stderr}"
            );
        }
        stderr
    }

    /// Builds an overlay holding just `resources: [entry]` with both tools.
    fn same_resource(&self, name: &str, entry: &str) -> Vec<u8> {
        let dir = self.overlay(name, &format!("resources:\n- {}\n", quote(entry)));
        self.same(dir.to_str().unwrap(), &[])
    }

    /// Cached trees (excluding refs records) and temporary leftovers.
    fn cache_entries(&self) -> (Vec<String>, Vec<String>) {
        let mut trees = Vec::new();
        let mut temps = Vec::new();
        let git = self.cache.join("git");
        for repo in std::fs::read_dir(&git).into_iter().flatten().flatten() {
            for e in std::fs::read_dir(repo.path()).unwrap().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(".tmp-") {
                    temps.push(name);
                } else if name != "refs" {
                    trees.push(name);
                }
            }
        }
        trees.sort();
        (trees, temps)
    }
}

/// A YAML double-quoted scalar.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

// ---------------------------------------------------------------------------

#[test]
fn every_url_form_matches_kubectl() {
    let w = World::new();
    let app = w.make_app();
    w.make_with_submodule();
    w.make_nested();
    let first = w.git(&app, &["rev-parse", "main~1"]);
    let tip = w.git(&app, &["rev-parse", "main"]);
    let port = w.server.port;
    let r = w.repos.display().to_string();
    let forms = [
        // file:// in all its shapes
        w.file_url("org/app"),
        w.file_url("org/app//base"),
        w.file_url("org/app//base/"),
        w.file_url("org/app//base?ref=v1"),
        w.file_url("org/app//base?ref=light"),
        w.file_url("org/app//base?ref=dev"),
        w.file_url("org/app//base?ref=refs/heads/dev"),
        w.file_url("org/app//base?version=dev"),
        w.file_url("org/app//base?version=dev&ref=v1"),
        w.file_url(&format!("org/app//base?ref={first}")),
        w.file_url(&format!("org/app//base?ref={tip}")),
        w.file_url("org/app//base?timeout=500"),
        w.file_url("org/app//base?ref=v1&timeout=1m30s&submodules=false"),
        w.file_url("org/app.git/base"),
        w.file_url("org/app.git//base?ref=dev"),
        w.file_url("org/_git/app/base?ref=v1"),
        format!("git::{}", w.file_url("org/app//base?ref=v1")),
        format!("FILE://{r}/org/app//base"),
        w.file_url("org/with-sub//sub/base"),
        w.file_url("org/with-sub//sub?submodules=true"),
        w.file_url("org/nested"),
        w.file_url("org/app//gen?ref=dev"),
        // other schemes, mapped onto the repositories by insteadOf
        "github.com/org/app/base?ref=v1".to_string(),
        "gitHub.com/org/app//base".to_string(),
        "git@github.com:org/app//base?ref=dev".to_string(),
        "git@github.com/org/app/base".to_string(),
        "ssh://git@github.com/org/app//base?version=v1".to_string(),
        "ssh://git@git.example.test/org/app.git/base".to_string(),
        "git@git.example.test:org/app//base?ref=light".to_string(),
        "git::ssh://git@git.example.test/org/app//base".to_string(),
        // an http URL that is not a file (404) but a repository
        format!("http://127.0.0.1:{port}/git/org/app//base?ref=v1"),
        format!("http://127.0.0.1:{port}/git/org/app.git/base"),
    ];
    for (i, form) in forms.iter().enumerate() {
        w.same_resource(&format!("form{i}"), form);
    }
    // Several remote bases next to each other and to a local file.
    let dir = w.overlay(
        "mixed",
        &format!(
            "resources:\n- {}\n- {}\n- local.yaml\nnamePrefix: x-\n",
            w.file_url("org/app//base?ref=v1"),
            w.file_url("org/app//gen?ref=dev"),
        ),
    );
    w.write(
        &dir.join("local.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n",
    );
    w.same(dir.to_str().unwrap(), &[]);
}

#[test]
fn components_and_build_targets_can_be_remote() {
    let w = World::new();
    w.make_app();
    let dir = w.overlay(
        "components",
        &format!(
            "resources:\n- {}\ncomponents:\n- {}\n",
            w.file_url("org/app//base?ref=v1"),
            w.file_url("org/app//component?ref=v1"),
        ),
    );
    w.same(dir.to_str().unwrap(), &[]);
    let dir = w.overlay(
        "github-component",
        &format!(
            "resources:\n- {}\ncomponents:\n- github.com/org/app//component\n",
            w.file_url("org/app//base?ref=dev"),
        ),
    );
    w.same(dir.to_str().unwrap(), &[]);
    // The build target itself may be a URL.
    w.same(&w.file_url("org/app//gen?ref=dev"), &[]);
    w.same("github.com/org/app?ref=v1", &[]);
    // A component listed under resources, and a base under components.
    w.both_fail(
        w.overlay(
            "component-as-resource",
            &format!("resources:\n- {}\n", w.file_url("org/app//component")),
        )
        .to_str()
        .unwrap(),
        &[],
        "kustomization.yaml",
        &["Component"],
    );
    w.both_fail(
        w.overlay(
            "base-as-component",
            &format!("components:\n- {}\n", w.file_url("org/app//base")),
        )
        .to_str()
        .unwrap(),
        &[],
        "kustomization.yaml",
        &["Component"],
    );
}

#[test]
fn origin_annotations_name_the_repository_and_ref() {
    let w = World::new();
    w.make_app();
    for (name, entry) in [
        ("root", w.file_url("org/app?ref=v1")),
        ("sub", w.file_url("org/app//gen?ref=dev")),
        ("github", "github.com/org/app/base".to_string()),
    ] {
        let dir = w.overlay(
            name,
            &format!(
                "resources:\n- {}\nnameSuffix: -x\nbuildMetadata: [originAnnotations, transformerAnnotations]\n",
                quote(&entry)
            ),
        );
        let out = w.same(dir.to_str().unwrap(), &[]);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("repo: "), "{text}");
    }
}

#[test]
fn a_remote_base_reads_inside_its_repository_only() {
    let w = World::new();
    w.make_app();
    // ../common inside the repository: allowed (every form above uses it).
    w.same_resource("inside", &w.file_url("org/app//base"));
    // A base above the checkout's root.
    w.both_fail(
        w.overlay(
            "escape",
            &format!("resources:\n- {}\n", w.file_url("org/app//escape")),
        )
        .to_str()
        .unwrap(),
        &[],
        "kustomization.yaml",
        &["must be within the repo"],
    );
    // A symlink in the repository pointing outside it.
    w.both_fail(
        w.overlay(
            "symlink",
            &format!("resources:\n- {}\n", w.file_url("org/app//symlink-escape")),
        )
        .to_str()
        .unwrap(),
        &[],
        "kustomization.yaml",
        &["must be within the repo"],
    );
    // A file outside the base's root: refused even when the top build
    // allows it, as kustomize always restricts checkouts to their root.
    for extra in [&[][..], &["--load-restrictor", "LoadRestrictionsNone"][..]] {
        w.both_fail(
            w.overlay(
                "file-escape",
                &format!("resources:\n- {}\n", w.file_url("org/app//file-escape")),
            )
            .to_str()
            .unwrap(),
            extra,
            "configmap.yaml",
            &["not in or below"],
        );
    }
}

#[test]
fn failures_are_one_clear_line() {
    let w = World::new();
    let app = w.make_app();
    w.make_with_submodule();
    w.make_nested();
    let short = w.git(&app, &["rev-parse", "--short", "main"]);
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            w.file_url("org/missing//base"),
            vec!["does not appear to be a git repository"],
        ),
        (
            w.file_url("org/app//base?ref=nosuch"),
            vec!["couldn't find remote ref nosuch"],
        ),
        (
            w.file_url(&format!("org/app//base?ref={short}")),
            vec!["couldn't find remote ref"],
        ),
        (
            w.file_url("org/app//base/deployment.yaml"),
            vec!["expecting directory"],
        ),
        (w.file_url("org/app//nowhere"), vec!["'nowhere' not found"]),
        (
            w.file_url("org/with-sub//sub/base?submodules=false"),
            vec!["not found"],
        ),
        (w.file_url("org/nested//cycle"), vec!["cycle detected"]),
        (w.file_url("org/app//../up"), vec!["resource not found"]),
    ];
    for (i, (entry, says)) in cases.iter().enumerate() {
        let dir = w.overlay(
            &format!("fail{i}"),
            &format!("resources:\n- {}\n", quote(entry)),
        );
        let msg = w.both_fail(dir.to_str().unwrap(), &[], "kustomization.yaml", says);
        if !entry.contains("..") {
            assert!(msg.contains(entry.as_str()), "entry not named: {msg}");
        }
    }
    // No git at all: a clear error, not a crash.
    let dir = w.overlay(
        "nogit",
        &format!("resources:\n- {}\n", w.file_url("org/app//base?ref=v1")),
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aiw"));
    cmd.arg("build").arg(&dir);
    w.env(&mut cmd);
    cmd.env("PATH", w.root.join("no-such-bin"));
    let out = cmd.output().unwrap();
    let problems = check_error_output(&out, "kustomization.yaml");
    assert!(problems.is_empty(), "{}", problems.join("; "));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no 'git' program"));
}

#[test]
fn http_files_are_fetched() {
    let w = World::new();
    w.server.put("/files/configmap.yaml", CONFIGMAP);
    w.server.put(
        "/files/patch.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: common\ndata:\n  EXTRA: \"yes\"\n",
    );
    w.server.put("/files/deployment.yaml", DEPLOYMENT);
    let dir = w.overlay(
        "http",
        &format!(
            "resources:\n- {}\n- {}\npatches:\n- path: {}\nnamespace: web\n",
            w.server.url("/files/configmap.yaml"),
            w.server.url("/files/deployment.yaml?download=1"),
            w.server.url("/files/patch.yaml"),
        ),
    );
    w.same(dir.to_str().unwrap(), &[]);
    let dir = w.overlay(
        "http-origin",
        &format!(
            "resources:\n- {}\nbuildMetadata: [originAnnotations]\n",
            w.server.url("/files/configmap.yaml")
        ),
    );
    w.same(dir.to_str().unwrap(), &[]);
    // 404 on a URL that cannot name a repository.
    let dir = w.overlay(
        "http-404",
        &format!("resources:\n- {}\n", w.server.url("/missing.yaml")),
    );
    w.both_fail(
        dir.to_str().unwrap(),
        &[],
        "kustomization.yaml",
        &["HTTP Error: status code 404 (Not Found)"],
    );
    // Nothing listening.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let dir = w.overlay(
        "http-refused",
        &format!("resources:\n- http://127.0.0.1:{port}/x.yaml\n"),
    );
    w.both_fail(
        dir.to_str().unwrap(),
        &[],
        "kustomization.yaml",
        &["x.yaml"],
    );
}

#[test]
fn a_pinned_commit_builds_from_the_cache_without_git_or_its_repository() {
    let w = World::new();
    let app = w.make_app();
    let commit = w.git(&app, &["rev-parse", "v1^{}"]);
    let dir = w.overlay(
        "pinned",
        &format!(
            "resources:\n- {}\n",
            w.file_url(&format!("org/app//base?ref={commit}"))
        ),
    );
    let first = w.same(dir.to_str().unwrap(), &[]);
    std::fs::remove_dir_all(w.repos.join("org")).unwrap();
    // No git on PATH: any git call would fail the build.
    for extra in [&[][..], &["--offline"][..]] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aiw"));
        cmd.arg("build").arg(&dir).args(extra);
        w.env(&mut cmd);
        cmd.env("PATH", w.root.join("no-such-bin"));
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, first);
    }
    let (trees, temps) = w.cache_entries();
    assert_eq!(trees, vec![commit]);
    assert!(temps.is_empty());
}

#[test]
fn offline_uses_only_the_cache() {
    let w = World::new();
    let app = w.make_app();
    w.server.put("/files/configmap.yaml", CONFIGMAP);
    let dir = w.overlay(
        "offline",
        &format!(
            "resources:\n- {}\n- {}\n",
            w.file_url("org/app//base?ref=v1"),
            w.server.url("/files/configmap.yaml"),
        ),
    );
    // Nothing cached yet: offline fails, naming the entry.
    let out = w.aiw(dir.to_str().unwrap(), &["--offline"]);
    let problems = check_error_output(&out, "kustomization.yaml");
    assert!(problems.is_empty(), "{}", problems.join("; "));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--offline"));
    assert_eq!(w.server.requests(), 0);
    // Built once online (checked against kubectl, except that both remote
    // entries hold the same ConfigMap: use the base alone for that).
    let base_only = w.overlay(
        "offline-base",
        &format!("resources:\n- {}\n", w.file_url("org/app//base?ref=v1")),
    );
    let online = w.same(base_only.to_str().unwrap(), &[]);
    let http_only = w.overlay(
        "offline-http",
        &format!("resources:\n- {}\n", w.server.url("/files/configmap.yaml")),
    );
    let online_http = w.same(http_only.to_str().unwrap(), &[]);
    // Then offline, with the repository gone and the server not asked.
    std::fs::remove_dir_all(&app).unwrap();
    let before = w.server.requests();
    let out = w.aiw(base_only.to_str().unwrap(), &["--offline"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, online);
    let out = w.aiw(http_only.to_str().unwrap(), &["--offline"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, online_http);
    assert_eq!(w.server.requests(), before);
    // A ref never resolved is not in the cache.
    let dir = w.overlay(
        "offline-dev",
        &format!("resources:\n- {}\n", w.file_url("org/app//base?ref=dev")),
    );
    let out = w.aiw(dir.to_str().unwrap(), &["--offline"]);
    let problems = check_error_output(&out, "kustomization.yaml");
    assert!(problems.is_empty(), "{}", problems.join("; "));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the cache"));
}

#[test]
fn a_moved_branch_is_followed() {
    let w = World::new();
    let app = w.make_app();
    let dir = w.overlay(
        "branch",
        &format!("resources:\n- {}\n", w.file_url("org/app//base?ref=dev")),
    );
    let before = w.same(dir.to_str().unwrap(), &[]);
    w.git(&app, &["checkout", "--quiet", "dev"]);
    w.write(
        &app.join("base/deployment.yaml"),
        &DEPLOYMENT.replace("nginx:1.25", "nginx:1.27"),
    );
    w.git(&app, &["commit", "--quiet", "-am", "newer"]);
    w.git(&app, &["checkout", "--quiet", "main"]);
    let after = w.same(dir.to_str().unwrap(), &[]);
    assert_ne!(before, after);
    assert!(String::from_utf8_lossy(&after).contains("nginx:1.27"));
    // A second build of the moved branch comes from the cache.
    let (trees, _) = w.cache_entries();
    assert_eq!(trees.len(), 2);
    w.same(dir.to_str().unwrap(), &[]);
    assert_eq!(w.cache_entries().0.len(), 2);
}

#[test]
fn concurrent_builds_share_the_cache() {
    let w = World::new();
    w.make_app();
    let dir = w.overlay(
        "concurrent",
        &format!(
            "resources:\n- {}\ncomponents:\n- {}\n",
            w.file_url("org/app//gen?ref=dev"),
            w.file_url("org/app//component?ref=v1"),
        ),
    );
    let children: Vec<_> = (0..6)
        .map(|_| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_aiw"));
            cmd.arg("build").arg(&dir);
            w.env(&mut cmd);
            cmd.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for o in &outputs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.stdout, outputs[0].stdout);
    }
    let expected = w.same(dir.to_str().unwrap(), &[]);
    assert_eq!(outputs[0].stdout, expected);
    let (trees, temps) = w.cache_entries();
    assert_eq!(trees.len(), 2, "{trees:?}");
    assert!(temps.is_empty(), "{temps:?}");
}

#[test]
fn credentials_in_urls_are_never_shown() {
    let w = World::new();
    w.make_app();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let entries = [
        format!(
            "http://user:s3cr3t@127.0.0.1:{}/git/org/nope//base?ref=v1",
            w.server.port
        ),
        format!("https://s3cr3t@127.0.0.1:{port}/org/repo//base"),
        format!("http://user:s3cr3t@127.0.0.1:{port}/file.yaml"),
        format!(
            "http://127.0.0.1:{}/missing.yaml?private_token=s3cr3t",
            w.server.port
        ),
        format!("ssh://user:s3cr3t@127.0.0.1:{port}/org/repo//base"),
    ];
    for (i, entry) in entries.iter().enumerate() {
        let dir = w.overlay(
            &format!("secret{i}"),
            &format!("resources:\n- {}\n", quote(entry)),
        );
        let aiw = w.aiw(dir.to_str().unwrap(), &[]);
        let stderr = String::from_utf8_lossy(&aiw.stderr);
        assert!(!stderr.contains("s3cr3t"), "secret shown: {stderr}");
        let problems = check_error_output(&aiw, "kustomization.yaml");
        assert!(problems.is_empty(), "{}", problems.join("; "));
        if kubectl_available() {
            assert!(!w.kubectl(dir.to_str().unwrap(), &[]).status.success());
        }
    }
}

#[test]
fn a_hanging_git_is_stopped_by_the_timeout() {
    let w = World::new();
    let dir = w.overlay(
        "hang",
        &format!(
            "resources:\n- {}\n",
            w.server.url("/hang/org/app//base?timeout=1")
        ),
    );
    let start = Instant::now();
    let out = w.aiw(dir.to_str().unwrap(), &[]);
    assert!(start.elapsed() < Duration::from_secs(15));
    let problems = check_error_output(&out, "kustomization.yaml");
    assert!(problems.is_empty(), "{}", problems.join("; "));
    assert!(String::from_utf8_lossy(&out.stderr).contains("timed out after 1s"));
    if kubectl_available() {
        assert!(!w.kubectl(dir.to_str().unwrap(), &[]).status.success());
    }
}
