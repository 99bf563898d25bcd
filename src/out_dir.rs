//! `--out-dir OUT`: one output file per directory built, `OUT/<dir as
//! given>.yaml`, written all or nothing.

use std::path::{Component, Path, PathBuf};

use crate::build::BuildOptions;
use crate::error::{Error, Result};
use crate::session::Session;

/// Builds every one of `dirs` in one session (directories they share are
/// built once) and writes each output to [`output_path`]`(out, dir)`; on
/// any error nothing is written. Returns the builds' warnings (each once).
/// With `exiting` (the command line, which ends right after), the builds'
/// resources and the session are left for the OS to take back instead of
/// being freed.
pub fn build_into(
    opts: &BuildOptions,
    dirs: &[PathBuf],
    out: &Path,
    exiting: bool,
) -> Result<Vec<String>> {
    let paths = output_paths(out, dirs)?;
    let session = Session::for_dirs(opts, dirs);
    // Each output is rendered and staged (written and synced beside its
    // target) by the thread that built it, while the other builds go on;
    // only when all are staged are they renamed into place.
    let built = session.build_each(dirs, |i, r| {
        let resources = r?;
        let staged = crate::build::render_pieces(&resources)
            .and_then(|out| crate::output::stage_file(&paths[i], &out.pieces(), true));
        if exiting {
            std::mem::forget(resources);
        }
        staged
    });
    if exiting {
        std::mem::forget(session);
    }
    let mut staged = Vec::with_capacity(built.len());
    let mut warnings: Vec<String> = Vec::new();
    let mut failed = None;
    for b in built {
        match b.result {
            Ok(s) if failed.is_none() => staged.push(s),
            Ok(s) => crate::output::discard(vec![s]),
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
        for w in b.warnings {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
    }
    if let Some(e) = failed {
        crate::output::discard(staged);
        return Err(e);
    }
    crate::output::commit(staged, true)?;
    Ok(warnings)
}

/// Where the output of building `dir` goes under `out`: `dir` as given,
/// cleaned (`./a/b/` → `a/b`), plus `.yaml`. A directory that would leave
/// `out` (absolute, `..`, the working directory itself, a URL) is an error.
pub fn output_path(out: &Path, dir: &Path) -> Result<PathBuf> {
    let mut rel = PathBuf::new();
    let bad = || {
        Error::msg(format!(
            "--out-dir: cannot name an output file after '{}': give directories relative to the working directory, below it",
            dir.display()
        ))
    };
    if dir.to_str().is_some_and(|s| s.contains("://")) {
        return Err(bad());
    }
    for c in dir.components() {
        match c {
            Component::Normal(name) => rel.push(name),
            Component::CurDir => {}
            _ => return Err(bad()),
        }
    }
    let Some(name) = rel.file_name() else {
        return Err(bad());
    };
    let mut file = name.to_os_string();
    file.push(".yaml");
    rel.set_file_name(file);
    Ok(out.join(rel))
}

/// The output paths of `dirs` under `out`, checked to be distinct.
pub fn output_paths(out: &Path, dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let p = output_path(out, dir)?;
        if let Some(i) = paths.iter().position(|q| *q == p) {
            return Err(Error::msg(format!(
                "--out-dir: '{}' and '{}' would both be written to {}",
                dirs[i].display(),
                dir.display(),
                p.display()
            )));
        }
        paths.push(p);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_all(files: &[(PathBuf, &[u8])], durable: bool) -> Result<()> {
        let files: Vec<(PathBuf, Vec<&[u8]>)> =
            files.iter().map(|(p, b)| (p.clone(), vec![*b])).collect();
        crate::output::write_files(&files, durable)
    }

    #[test]
    fn output_paths_follow_the_directory_as_given() {
        let out = Path::new("OUT");
        let p = |d: &str| output_path(out, Path::new(d));
        assert_eq!(
            p("overlays/prod").unwrap(),
            Path::new("OUT/overlays/prod.yaml")
        );
        assert_eq!(
            p("./overlays/prod/").unwrap(),
            Path::new("OUT/overlays/prod.yaml")
        );
        assert_eq!(p("dev").unwrap(), Path::new("OUT/dev.yaml"));
        assert_eq!(p("a.b").unwrap(), Path::new("OUT/a.b.yaml"));
        for bad in [".", "../x", "/abs/x", "a/../b", "https://github.com/o/r"] {
            assert!(p(bad).is_err(), "{bad}");
        }
        let dup = output_paths(out, &["a".into(), "./a".into()]);
        assert!(dup.unwrap_err().message.contains("both"));
    }

    #[test]
    fn nothing_is_replaced_when_one_file_cannot_be_written() {
        for durable in [true, false] {
            nothing_replaced(durable);
        }
    }

    fn nothing_replaced(durable: bool) {
        let t = tempfile::tempdir().unwrap();
        let good = t.path().join("out/a.yaml");
        std::fs::create_dir_all(good.parent().unwrap()).unwrap();
        std::fs::write(&good, "old\n").unwrap();
        // A directory where the second file's parent should be.
        std::fs::write(t.path().join("out/blocked"), "a file").unwrap();
        let bad = t.path().join("out/blocked/b.yaml");
        let r = write_all(&[(good.clone(), b"new\n"), (bad, b"x\n")], durable);
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&good).unwrap(), "old\n");
        let left: Vec<_> = std::fs::read_dir(good.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
        write_all(&[(good.clone(), b"new\n")], durable).unwrap();
        assert_eq!(std::fs::read_to_string(&good).unwrap(), "new\n");
        let left: Vec<_> = std::fs::read_dir(good.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
    }

    /// New files get the mode the umask allows, existing ones keep theirs,
    /// and a symlink is written through, whether or not the files are
    /// synced (a watch's writes exchange names instead of renaming over).
    #[test]
    fn modes_and_symlinks_as_a_single_output_file_has_them() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // SAFETY: umask only reads and sets this process's file mode mask.
        let umask = unsafe {
            let m = libc::umask(0o022);
            libc::umask(m);
            m
        } as u32;
        for durable in [true, false] {
            let t = tempfile::tempdir().unwrap();
            let new = t.path().join("out/new.yaml");
            let kept = t.path().join("out/kept.yaml");
            let link = t.path().join("out/link.yaml");
            let target = t.path().join("target.yaml");
            std::fs::create_dir_all(t.path().join("out")).unwrap();
            std::fs::write(&kept, "old\n").unwrap();
            std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
            std::fs::write(&target, "old\n").unwrap();
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let files = [
                (new.clone(), b"a\n".as_slice()),
                (kept.clone(), b"b\n".as_slice()),
                (link.clone(), b"c\n".as_slice()),
            ];
            write_all(&files, durable).unwrap();
            assert_eq!(mode(&new), 0o666 & !umask, "durable {durable}");
            assert_eq!(mode(&kept), 0o640, "durable {durable}");
            assert_eq!(std::fs::read_to_string(&kept).unwrap(), "b\n");
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "c\n");
            let names = |d: &Path| std::fs::read_dir(d).unwrap().count();
            assert_eq!(names(&t.path().join("out")), 3, "durable {durable}");
            assert_eq!(names(t.path()), 2, "durable {durable}");
        }
    }
}
