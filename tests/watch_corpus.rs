//! Watch mode over the conformance corpus (`../shared/conformance`, when it
//! is there): in every case that builds, each YAML file of the input is
//! changed in a few ways (one value edited near its start, one near its end,
//! a document appended), and after each change and after each restore the
//! watch's rebuild must equal a cold build of the tree as it is then: the
//! same bytes, or the same error. This puts the rebuild's reuse (kept
//! directory results, the top kustomization's steps rerun only for some
//! resources, reused rendered text) against every feature of the corpus.

use std::path::{Path, PathBuf};

use aiw::build::{BuildOptions, build_yaml};
use aiw::loader::LoadRestrictor;
use aiw::watch::{Target, Watch};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/cases");
    dir.is_dir().then_some(dir)
}

/// Copies a tree, symlinks as symlinks.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(from).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let src = e.path();
        let dst = to.join(e.file_name());
        let ty = e.file_type().unwrap();
        if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if ty.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// The regular YAML files below `dir`, sorted.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let ty = e.file_type().unwrap();
        if ty.is_dir() {
            yaml_files(&p, out);
        } else if ty.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

/// The lines of `text` that hold `key: value` with a plain word for value.
fn editable_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let t = line.trim_start().trim_start_matches("- ");
            let Some((key, value)) = t.split_once(": ") else {
                return false;
            };
            !key.is_empty()
                && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
        .map(|(i, _)| i)
        .collect()
}

/// `text` with the value of line `at` edited: a number gets one added, a
/// word a letter appended.
fn edit_line(text: &str, at: usize) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == at {
            let (head, value) = line.rsplit_once(": ").unwrap();
            let value = match value.parse::<u32>() {
                Ok(n) => (n + 1).to_string(),
                Err(_) => format!("{value}w"),
            };
            out.push_str(&format!("{head}: {value}"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The changes tried on one file: at most three, each a whole new text.
fn variants(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    let lines = editable_lines(text);
    if let Some(&first) = lines.first() {
        v.push(edit_line(text, first));
    }
    if let Some(&last) = lines.last()
        && lines.len() > 1
    {
        v.push(edit_line(text, last));
    }
    if text.contains("kind:") && !text.contains("resources:") {
        let mut t = text.to_string();
        if !t.ends_with('\n') {
            t.push('\n');
        }
        t.push_str(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watch-extra\ndata:\n  a: b\n",
        );
        v.push(t);
    }
    v
}

/// The case's build options, or `None` for a case this test leaves out
/// (other flags, Helm charts, remote resources).
fn case_options(case: &Path) -> Option<BuildOptions> {
    let meta = std::fs::read_to_string(case.join("case.yaml")).ok()?;
    if !meta.contains("expect: output") {
        return None;
    }
    let mut opts = BuildOptions::default();
    if meta.contains("--load-restrictor=LoadRestrictionsNone") {
        opts.load_restrictor = LoadRestrictor::None;
    } else if meta.contains("\n- --") {
        return None;
    }
    let mut files = Vec::new();
    yaml_files(&case.join("input"), &mut files);
    for f in &files {
        let text = std::fs::read_to_string(f).ok()?;
        if text.contains("helmCharts") || text.contains("://") {
            return None;
        }
    }
    Some(opts)
}

fn root_of(case: &Path) -> Option<String> {
    let meta = std::fs::read_to_string(case.join("case.yaml")).ok()?;
    meta.lines()
        .find_map(|l| l.strip_prefix("root:"))
        .map(|r| r.trim().trim_matches('"').trim_matches('\'').to_string())
}

/// The watch's last rebuild agrees with a cold build of the tree now.
fn check(
    name: &str,
    what: &str,
    r: &aiw::watch::Rebuild,
    dir: &Path,
    out: &Path,
    opts: &BuildOptions,
) {
    match build_yaml(dir, opts) {
        Ok(cold) => {
            assert!(
                r.ok(),
                "{name}: {what}: rebuild failed where a cold build works: {r:?}"
            );
            let got = std::fs::read_to_string(out).unwrap();
            assert!(
                got == cold,
                "{name}: {what}: rebuild differs from a cold build"
            );
        }
        Err(e) => {
            let got = r.results[0].as_ref().err().map(|e| e.to_string());
            assert_eq!(
                got.as_deref(),
                Some(e.to_string().as_str()),
                "{name}: {what}: a cold build fails"
            );
        }
    }
}

#[test]
fn every_corpus_case_rebuilds_as_it_builds_cold() {
    let Some(cases) = corpus() else {
        eprintln!("no conformance corpus: nothing to run");
        return;
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(&cases)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    let (mut ran, mut rebuilds, mut short) = (0, 0, 0);
    for case in names {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let (Some(opts), Some(root)) = (case_options(&case), root_of(&case)) else {
            continue;
        };
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        copy_tree(&case.join("input"), &base.join("input"));
        let dir = base.join("input").join(&root);
        let out = base.join("out.yaml");
        let mut watch = Watch::new(
            &opts,
            std::slice::from_ref(&dir),
            &Target::Files(vec![out.clone()]),
        )
        .unwrap();
        let first = watch.rebuild(&[], &mut std::io::sink());
        if !first.ok() {
            continue;
        }
        ran += 1;
        let mut files = Vec::new();
        yaml_files(&base.join("input"), &mut files);
        for (n, f) in files.iter().enumerate() {
            let original = std::fs::read_to_string(f).unwrap();
            for (k, changed) in variants(&original).into_iter().enumerate() {
                let rel = f.strip_prefix(&base).unwrap().display().to_string();
                std::fs::write(f, &changed).unwrap();
                let r = watch.rebuild(std::slice::from_ref(f), &mut std::io::sink());
                rebuilds += 1;
                short += r.redone.iter().flatten().count();
                check(&name, &format!("{rel} change {k}"), &r, &dir, &out, &opts);
                // Half the restores come after the watch's idle work.
                if (n + k) % 2 == 0 {
                    watch.wait_idle();
                }
                std::fs::write(f, &original).unwrap();
                let r = watch.rebuild(std::slice::from_ref(f), &mut std::io::sink());
                rebuilds += 1;
                short += r.redone.iter().flatten().count();
                check(
                    &name,
                    &format!("{rel} restored after change {k}"),
                    &r,
                    &dir,
                    &out,
                    &opts,
                );
            }
        }
    }
    println!(
        "{ran} cases, {rebuilds} rebuilds, {short} through the top's steps for some resources only"
    );
    assert!(ran > 200, "only {ran} corpus cases ran");
    assert!(short > 100, "the short way was taken {short} times only");
}
