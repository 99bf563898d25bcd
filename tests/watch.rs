//! Watch mode: after files change, are added or are deleted (resources,
//! kustomization files, a file in a remote base's cache checkout), the
//! rebuilt output equals a cold build of the changed tree; a failed rebuild
//! keeps the last good output and the next good one replaces it. The
//! library's rebuilds are driven directly (told which paths changed); the
//! command is run for real, with file notifications, and waited for
//! (generous limits, no timing asserted).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use aiw::build::{BuildOptions, build_yaml};
use aiw::watch::{Target, Watch};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn cm(name: &str, value: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  v: \"{value}\"\n")
}

/// A small tree: two overlays over a shared base with a component, a
/// generator and a patch file.
fn tree(r: &Path) {
    write(
        r,
        "base/kustomization.yaml",
        "resources:\n- cm.yaml\n- deploy.yaml\nconfigMapGenerator:\n- name: env\n  files:\n  - app.env\n",
    );
    write(r, "base/cm.yaml", &cm("settings", "1"));
    write(r, "base/app.env", "A=1\n");
    write(
        r,
        "base/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        envFrom:\n        - configMapRef:\n            name: env\n",
    );
    write(r, "other/kustomization.yaml", "resources:\n- o.yaml\n");
    write(r, "other/o.yaml", &cm("other", "x"));
    write(
        r,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\n- ../../other\nnamePrefix: prod-\npatches:\n- path: patch.yaml\n",
    );
    write(
        r,
        "overlays/prod/patch.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
    );
    write(
        r,
        "overlays/dev/kustomization.yaml",
        "resources:\n- ../../base\nnamespace: dev\n",
    );
}

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    watch: Watch,
    dirs: Vec<PathBuf>,
    outs: Vec<PathBuf>,
}

impl Fixture {
    fn new(make: impl FnOnce(&Path), dirs: &[&str], opts: &BuildOptions) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(tmp.path()).unwrap();
        make(&root);
        let dirs: Vec<PathBuf> = dirs.iter().map(|d| PathBuf::from(*d)).collect();
        let abs: Vec<PathBuf> = dirs.iter().map(|d| root.join(d)).collect();
        let outs: Vec<PathBuf> = dirs
            .iter()
            .map(|d| aiw::out_dir::output_path(&root.join("out"), d).unwrap())
            .collect();
        let watch = Watch::new(opts, &abs, &Target::Files(outs.clone())).unwrap();
        Fixture {
            _tmp: tmp,
            root,
            watch,
            dirs: abs,
            outs,
        }
    }

    fn rebuild(&mut self, changed: &[&str]) -> aiw::watch::Rebuild {
        let changed: Vec<PathBuf> = changed.iter().map(|c| self.root.join(c)).collect();
        self.watch.rebuild(&changed, &mut std::io::sink())
    }

    /// Every output equals a cold build of the tree as it is now.
    fn check_cold(&self, opts: &BuildOptions) {
        for (dir, out) in self.dirs.iter().zip(&self.outs) {
            let cold = build_yaml(dir, opts).unwrap();
            let got = std::fs::read_to_string(out).unwrap();
            assert!(got == cold, "{} differs from a cold build", dir.display());
        }
    }
}

#[test]
fn rebuilds_after_changes_equal_cold_builds() {
    let opts = BuildOptions::default();
    let mut f = Fixture::new(tree, &["overlays/prod", "overlays/dev"], &opts);
    let first = f.rebuild(&[]);
    assert!(first.ok(), "{first:?}");
    f.check_cold(&opts);

    // A resource file of the shared base.
    write(&f.root, "base/cm.yaml", &cm("settings", "2"));
    let r = f.rebuild(&["base/cm.yaml"]);
    assert!(r.ok());
    assert_eq!(r.written, 2);
    // `other` is reused; base is rebuilt once for both overlays.
    assert!(r.reused >= 1, "{r:?}");
    f.check_cold(&opts);

    // A generator's file.
    write(&f.root, "base/app.env", "A=2\nB=3\n");
    assert!(f.rebuild(&["base/app.env"]).ok());
    f.check_cold(&opts);

    // A kustomization file: a new label, and a new resource file added.
    write(&f.root, "other/o2.yaml", &cm("other2", "y"));
    write(
        &f.root,
        "other/kustomization.yaml",
        "resources:\n- o.yaml\n- o2.yaml\ncommonLabels:\n  team: t\n",
    );
    let r = f.rebuild(&["other/o2.yaml", "other/kustomization.yaml"]);
    assert!(r.ok());
    // Only prod reads `other`.
    assert_eq!(r.written, 1, "{r:?}");
    f.check_cold(&opts);

    // Nothing read changed: nothing rebuilt below the tops, nothing written.
    let r = f.rebuild(&["unrelated.txt"]);
    assert!(r.ok());
    assert_eq!((r.rebuilt, r.written), (0, 0), "{r:?}");
    f.check_cold(&opts);
}

#[test]
fn copies_made_between_rebuilds_give_the_same_outputs() {
    let opts = BuildOptions::default();
    let mut f = Fixture::new(tree, &["overlays/prod", "overlays/dev"], &opts);
    assert!(f.rebuild(&[]).ok());
    for i in 2..5 {
        // Every kept result gets a copy per use in the last rebuild (base
        // two, other one) while the watch waits.
        f.watch.wait_idle();
        let s = f.watch.cache_stats();
        assert!(s.kept == 2 && s.copies_ready >= 2, "{s:?}");
        write(
            &f.root,
            "overlays/prod/patch.yaml",
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {i}\n"
            ),
        );
        let taken = s.copies_taken;
        let r = f.rebuild(&["overlays/prod/patch.yaml"]);
        assert!(r.ok(), "{r:?}");
        // prod reuses base and other, dev reuses base: all from copies.
        assert_eq!(r.reused, 3, "{r:?}");
        if i > 2 {
            assert_eq!(s.copies_ready, 3, "{s:?}");
            assert_eq!(f.watch.cache_stats().copies_taken, taken + 3);
        }
        f.check_cold(&opts);
        // A base changed right after a rebuild, before any copy is made
        // (or while they are made).
        write(&f.root, "base/cm.yaml", &cm("settings", &i.to_string()));
        assert!(f.rebuild(&["base/cm.yaml"]).ok());
        f.check_cold(&opts);
    }
}

#[test]
fn an_error_keeps_the_last_good_output_until_fixed() {
    let opts = BuildOptions::default();
    let mut f = Fixture::new(tree, &["overlays/prod", "overlays/dev"], &opts);
    assert!(f.rebuild(&[]).ok());
    let good: Vec<String> = f
        .outs
        .iter()
        .map(|o| std::fs::read_to_string(o).unwrap())
        .collect();

    // A deleted resource file: both fail, both outputs stay.
    std::fs::remove_file(f.root.join("base/cm.yaml")).unwrap();
    let r = f.rebuild(&["base/cm.yaml"]);
    assert!(r.results.iter().all(|x| x.is_err()), "{r:?}");
    let status = r.status(&f.dirs);
    assert!(
        status.contains("error") && status.contains("cm.yaml"),
        "{status}"
    );
    for (o, g) in f.outs.iter().zip(&good) {
        assert_eq!(&std::fs::read_to_string(o).unwrap(), g);
    }
    // Back again, changed.
    write(&f.root, "base/cm.yaml", &cm("settings", "3"));
    assert!(f.rebuild(&["base/cm.yaml"]).ok());
    f.check_cold(&opts);

    // A broken kustomization file in one overlay: only that one fails.
    write(&f.root, "overlays/dev/kustomization.yaml", "resources: [\n");
    let r = f.rebuild(&["overlays/dev/kustomization.yaml"]);
    assert!(r.results[0].is_ok() && r.results[1].is_err(), "{r:?}");
    write(
        &f.root,
        "overlays/dev/kustomization.yaml",
        "resources:\n- ../../base\nnamePrefix: d-\n",
    );
    assert!(f.rebuild(&["overlays/dev/kustomization.yaml"]).ok());
    f.check_cold(&opts);

    // The base's kustomization file renamed to kustomization.yml.
    std::fs::rename(
        f.root.join("base/kustomization.yaml"),
        f.root.join("base/kustomization.yml"),
    )
    .unwrap();
    write(
        &f.root,
        "base/kustomization.yml",
        "resources:\n- cm.yaml\n- deploy.yaml\ncommonLabels:\n  renamed: \"yes\"\n",
    );
    assert!(
        f.rebuild(&["base/kustomization.yaml", "base/kustomization.yml"])
            .ok()
    );
    f.check_cold(&opts);
    // A second kustomization file appears: an error; it goes: fine again.
    write(&f.root, "base/Kustomization", "resources: []\n");
    let r = f.rebuild(&["base/Kustomization"]);
    assert!(!r.ok(), "two kustomization files: {r:?}");
    std::fs::remove_file(f.root.join("base/Kustomization")).unwrap();
    assert!(f.rebuild(&["base/Kustomization"]).ok());
    f.check_cold(&opts);

    // A whole base directory removed, then restored.
    std::fs::rename(f.root.join("other"), f.root.join("other.away")).unwrap();
    assert!(!f.rebuild(&["other"]).ok());
    std::fs::rename(f.root.join("other.away"), f.root.join("other")).unwrap();
    assert!(f.rebuild(&["other"]).ok());
    f.check_cold(&opts);
}

/// A directory without a kustomization file yet: an error, then a build
/// once the file appears.
#[test]
fn a_kustomization_file_that_appears_later() {
    let opts = BuildOptions::default();
    let mut f = Fixture::new(
        |r| {
            tree(r);
            write(r, "overlays/new/cm.yaml", &cm("fresh", "1"));
        },
        &["overlays/new"],
        &opts,
    );
    let r = f.rebuild(&[]);
    assert!(!r.ok(), "{r:?}");
    assert!(!f.outs[0].exists(), "nothing written");
    write(
        &f.root,
        "overlays/new/kustomization.yaml",
        "resources:\n- cm.yaml\n- ../../base\n",
    );
    assert!(f.rebuild(&["overlays/new/kustomization.yaml"]).ok());
    f.check_cold(&opts);
}

/// The benchmark generator's tree: a change in one service base rebuilds
/// that base and the directories above it, nothing else.
#[test]
fn a_change_rebuilds_only_the_directories_above_it() {
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen.py");
    if !generator.exists() {
        eprintln!("skipped: {} not found", generator.display());
        return;
    }
    let opts = BuildOptions::default();
    let make = |r: &Path| {
        let status = Command::new("python3")
            .arg(&generator)
            .args(["--services", "20", "--seed", "2", "--out"])
            .arg(r)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    };
    let mut f = Fixture::new(make, &["overlays/prod"], &opts);
    let first = f.rebuild(&[]);
    assert!(first.ok());
    // A service base's Service file: the base, the team level (maybe a
    // service overlay between) and nothing else is built again.
    let svc = std::fs::read_dir(f.root.join("apps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let base = std::fs::read_dir(&svc)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("service.yaml").exists())
        .expect("a service base");
    let file = base.join("service.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("port: 80", "port: 81")).unwrap();
    let r = f
        .watch
        .rebuild(std::slice::from_ref(&file), &mut std::io::sink());
    assert!(r.ok());
    assert!(r.rebuilt <= 3, "{r:?}");
    assert!(r.reused >= 2, "{r:?}");
    assert_eq!(r.written, 1);
    // At the top, only the Service, the replacements' source and the
    // patches' resources found by id go through the steps again.
    assert!(r.redone[0].is_some_and(|k| k <= 5), "{r:?}");
    f.check_cold(&opts);
}

/// A remote base checked out into the cache: a file changed inside the
/// checkout is read again.
#[test]
fn a_file_in_a_remote_checkout_is_watched_too() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = std::fs::canonicalize(tmp.path()).unwrap().join("repo");
    write(&repo, "base/kustomization.yaml", "resources:\n- cm.yaml\n");
    write(&repo, "base/cm.yaml", &cm("remote", "1"));
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(&repo)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "base"]);
    let commit = git(&["rev-parse", "HEAD"]);
    let cache = tmp.path().join("cache");
    let opts = BuildOptions {
        remote: aiw::remote::RemoteOptions {
            offline: false,
            cache_dir: Some(cache.clone()),
        },
        ..Default::default()
    };
    let url = format!("file://{}//base?ref={commit}", repo.display());
    let mut f = Fixture::new(
        |r| {
            write(
                r,
                "top/kustomization.yaml",
                &format!("resources:\n- {url}\nnamePrefix: t-\n"),
            )
        },
        &["top"],
        &opts,
    );
    assert!(f.rebuild(&[]).ok());
    f.check_cold(&opts);
    let in_checkout = walkdir(&cache)
        .into_iter()
        .find(|p| p.ends_with("base/cm.yaml"))
        .expect("the checkout's cm.yaml");
    std::fs::write(&in_checkout, cm("remote", "2")).unwrap();
    let changed = [std::fs::canonicalize(&in_checkout).unwrap()];
    let r = f.watch.rebuild(&changed, &mut std::io::sink());
    assert!(r.ok() && r.written == 1, "{r:?}");
    f.check_cold(&opts);
    let out = std::fs::read_to_string(&f.outs[0]).unwrap();
    assert!(out.contains("v: \"2\""), "{out}");
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The command for real: `aiw build DIR --watch -o FILE`, files changed
/// from outside, status lines read from stderr.
#[test]
fn the_command_follows_changes_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let r = std::fs::canonicalize(tmp.path()).unwrap();
    tree(&r);
    let out = r.join("prod.yaml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_aiw"))
        .current_dir(&r)
        .args(["build", "overlays/prod", "--watch", "-o"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let next_status = || {
        let s = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("a status line");
        eprintln!("status: {s}");
        s
    };
    let cold = || build_yaml(&r.join("overlays/prod"), &BuildOptions::default()).unwrap();
    let read = || std::fs::read_to_string(&out).unwrap_or_default();
    // A change may arrive as several events far enough apart (a loaded
    // machine) to make more than one rebuild: wait for the one that matches.
    let settles = || {
        let want = cold();
        loop {
            let s = next_status();
            if read() == want {
                assert!(!s.contains("error"), "{s}");
                return;
            }
        }
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let s = next_status();
        assert!(
            s.contains("overlays/prod: ") && s.contains("resources"),
            "{s}"
        );
        assert_eq!(read(), cold());

        // Editors replace files by renaming a new one over them.
        let tmpfile = r.join("base/.cm.yaml.swp");
        std::fs::write(&tmpfile, cm("settings", "9")).unwrap();
        std::fs::rename(&tmpfile, r.join("base/cm.yaml")).unwrap();
        settles();
        assert!(read().contains("v: \"9\""));

        // A kustomization file changed in place.
        write(
            &r,
            "overlays/prod/kustomization.yaml",
            "resources:\n- ../../base\n- ../../other\nnamePrefix: p2-\npatches:\n- path: patch.yaml\n",
        );
        settles();
        assert!(read().contains("p2-web"));

        // A file deleted: an error, the output stays; restored: rebuilt.
        let before = read();
        std::fs::remove_file(r.join("overlays/prod/patch.yaml")).unwrap();
        // (Skipping a late line about the previous change, if any.)
        let s = loop {
            let s = next_status();
            if s.contains("error") {
                break s;
            }
        };
        assert!(s.contains("patch.yaml"), "{s}");
        assert_eq!(read(), before);
        write(
            &r,
            "overlays/prod/patch.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n",
        );
        settles();
        assert!(read().contains("replicas: 5"));

        // A whole base directory renamed away (one event, on the directory):
        // an error; back again: rebuilt.
        std::fs::rename(r.join("other"), r.join("other.away")).unwrap();
        let s = loop {
            let s = next_status();
            if s.contains("error") {
                break s;
            }
        };
        assert!(s.contains("other"), "{s}");
        std::fs::rename(r.join("other.away"), r.join("other")).unwrap();
        settles();
    }));
    let _ = child.kill();
    let _ = child.wait();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

/// A top kustomization with steps that read other resources than the one
/// they edit (replacements, name references to generated names, a
/// generator merged into a base's, a patch found by id) besides the
/// per-resource ones.
fn cross_tree(r: &Path) {
    write(
        r,
        "base/kustomization.yaml",
        "resources:\n- deploy.yaml\n- svc.yaml\n- sa.yaml\n- rb.yaml\n- hpa.yaml\n- settings.yaml\nconfigMapGenerator:\n- name: env\n  literals:\n  - A=1\nsecretGenerator:\n- name: pull\n  literals:\n  - token=1\n",
    );
    write(
        r,
        "base/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      serviceAccountName: runner\n      containers:\n      - name: web\n        image: web:1\n        env:\n        - name: MODE\n          value: a\n        envFrom:\n        - configMapRef:\n            name: env\n",
    );
    write(
        r,
        "base/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n",
    );
    write(
        r,
        "base/sa.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\nimagePullSecrets:\n- name: pull\n",
    );
    write(
        r,
        "base/rb.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: runner\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: ServiceAccount\n  name: runner\n",
    );
    write(
        r,
        "base/hpa.yaml",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n  minReplicas: 1\n  maxReplicas: 3\n",
    );
    write(r, "base/settings.yaml", &cm("settings", "a.example.com"));
    write(
        r,
        "app2/kustomization.yaml",
        "resources:\n- deploy.yaml\nconfigMapGenerator:\n- name: env2\n  literals:\n  - B=1\n",
    );
    write(
        r,
        "app2/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n    spec:\n      containers:\n      - name: worker\n        image: worker:1\n        envFrom:\n        - configMapRef:\n            name: env2\n        - configMapRef:\n            name: env\n",
    );
    write(
        r,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\n- ../../app2\nnamespace: prod\nnamePrefix: p-\ncommonLabels:\n  env: prod\nimages:\n- name: web\n  newTag: \"2\"\nreplicas:\n- name: web\n  count: 2\nconfigMapGenerator:\n- name: env\n  behavior: merge\n  literals:\n  - C=3\npatches:\n- path: patch.yaml\n- path: svc-patch.yaml\n  target:\n    kind: Service\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n      path: /spec/revisionHistoryLimit\n      value: 5\nreplacements:\n- source:\n    kind: ConfigMap\n    name: settings\n    fieldPath: data.v\n  targets:\n  - select:\n      kind: Service\n    fieldPaths:\n    - metadata.annotations.host\n    options:\n      create: true\n",
    );
    write(
        r,
        "overlays/prod/patch.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  replicas: 4\n",
    );
    write(
        r,
        "overlays/prod/svc-patch.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: any\nspec:\n  sessionAffinity: None\n",
    );
}

/// The top's steps run again only for what changed, where that is sound,
/// and in full where a change can reach other resources; every rebuild
/// equals a cold build.
#[test]
fn the_top_steps_run_again_only_where_sound() {
    let opts = BuildOptions::default();
    let mut f = Fixture::new(cross_tree, &["overlays/prod"], &opts);
    let first = f.rebuild(&[]);
    assert!(first.ok(), "{first:?}");
    f.check_cold(&opts);
    let deploy = std::fs::read_to_string(f.root.join("base/deploy.yaml")).unwrap();
    let worker = std::fs::read_to_string(f.root.join("app2/deploy.yaml")).unwrap();
    let svc = std::fs::read_to_string(f.root.join("base/svc.yaml")).unwrap();
    // (what to change, the file's new text, whether the short way is sound)
    let steps: Vec<(&str, String, bool)> = vec![
        // A field of one resource: only it (plus the replacement source and
        // the patch's resource) runs again.
        ("base/deploy.yaml", deploy.replace("value: a", "value: b"), true),
        ("app2/deploy.yaml", worker.replace("worker:1", "worker:2"), true),
        ("base/svc.yaml", svc.replace("port: 80", "port: 81"), true),
        // The replacement source: its value reaches other resources.
        ("base/settings.yaml", cm("settings", "b.example.com"), false),
        ("base/deploy.yaml", deploy.replace("value: a", "value: c"), true),
        // A generator's content: a new hash suffix, so new names to refer to.
        (
            "base/kustomization.yaml",
            "resources:\n- deploy.yaml\n- svc.yaml\n- sa.yaml\n- rb.yaml\n- hpa.yaml\n- settings.yaml\nconfigMapGenerator:\n- name: env\n  literals:\n  - A=2\nsecretGenerator:\n- name: pull\n  literals:\n  - token=1\n"
                .to_string(),
            false,
        ),
        ("base/svc.yaml", svc.replace("port: 80", "port: 82"), true),
        // A Secret the ServiceAccount refers to gets a new hash suffix.
        (
            "base/kustomization.yaml",
            "resources:\n- deploy.yaml\n- svc.yaml\n- sa.yaml\n- rb.yaml\n- hpa.yaml\n- settings.yaml\nconfigMapGenerator:\n- name: env\n  literals:\n  - A=2\nsecretGenerator:\n- name: pull\n  literals:\n  - token=2\n"
                .to_string(),
            false,
        ),
        ("base/svc.yaml", svc.replace("port: 80", "port: 84"), true),
        // A resource added, then removed: names may resolve differently.
        (
            "app2/kustomization.yaml",
            "resources:\n- deploy.yaml\n- extra.yaml\nconfigMapGenerator:\n- name: env2\n  literals:\n  - B=1\n"
                .to_string(),
            false,
        ),
        (
            "app2/kustomization.yaml",
            "resources:\n- deploy.yaml\nconfigMapGenerator:\n- name: env2\n  literals:\n  - B=1\n"
                .to_string(),
            false,
        ),
        // A file the top reads itself.
        (
            "overlays/prod/patch.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  replicas: 6\n"
                .to_string(),
            false,
        ),
        (
            "overlays/prod/svc-patch.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: any\nspec:\n  sessionAffinity: ClientIP\n"
                .to_string(),
            false,
        ),
        // A rename in a base: the names the others refer to change.
        ("base/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner2\n".to_string(), false),
        ("base/svc.yaml", svc.replace("port: 80", "port: 83"), true),
    ];
    write(&f.root, "app2/extra.yaml", &cm("extra", "e"));
    for (file, text, short) in steps {
        write(&f.root, file, &text);
        let r = f.rebuild(&[file]);
        assert!(r.ok(), "{file}: {r:?}");
        f.check_cold(&opts);
        match r.redone[0] {
            Some(k) => {
                assert!(short, "{file}: the top's steps were not run in full: {r:?}");
                // The changed resource, the replacement source and the
                // patch's Deployment, of 10 or so.
                assert!(k <= 4, "{file}: {k} resources ran again: {r:?}");
            }
            None => assert!(!short, "{file}: the top's steps ran in full: {r:?}"),
        }
    }
}
