//! A whole build over a small tree: the input is split on lines `%% NAME` into
//! files of a temporary directory (NAME is one of a fixed set of paths, so the
//! fuzzer cannot write elsewhere), then `build_yaml` runs on its root. It must
//! never panic; a successful output must read back.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use aiw::build::{BuildOptions, build_yaml};
use aiw::yaml::parse_documents;
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "kustomization.yaml",
    "a.yaml",
    "b.yaml",
    "patch.yaml",
    "cfg.env",
    "base/kustomization.yaml",
    "base/r.yaml",
    "comp/kustomization.yaml",
];

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::Builder::new()
            .prefix("aiw-fuzz-build")
            .tempdir()
            .expect("temp dir")
            .keep();
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let root = scratch().join("t");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("base")).expect("mkdir");
    std::fs::create_dir_all(root.join("comp")).expect("mkdir");
    for part in text.split("%% ").skip(1) {
        let (name, body) = part.split_once('\n').unwrap_or((part, ""));
        if let Some(n) = NAMES.iter().find(|n| **n == name.trim()) {
            std::fs::write(root.join(n), body).expect("write");
        }
    }
    let opts = BuildOptions::default();
    if let Ok(out) = build_yaml(&root, &opts) {
        if let Err(e) = parse_documents(&out) {
            panic!("build output does not read back: {e}\n{out}");
        }
    }
});
