//! `--out-dir OUT`: one output file per directory built, `OUT/<dir as
//! given>.yaml`, written all or nothing.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::build::BuildOptions;
use crate::error::{Error, Result};
use crate::session::Session;

/// Builds every one of `dirs` in one session (directories they share are
/// built once) and writes each output to [`output_path`]`(out, dir)`; on
/// any error nothing is written. Returns the builds' warnings (each once).
pub fn build_into(opts: &BuildOptions, dirs: &[PathBuf], out: &Path) -> Result<Vec<String>> {
    let paths = output_paths(out, dirs)?;
    let (outputs, warnings) = Session::for_dirs(opts, dirs).build_all(dirs)?;
    let files: Vec<(PathBuf, &[u8])> = paths
        .into_iter()
        .zip(&outputs)
        .map(|(p, o)| (p, o.as_bytes()))
        .collect();
    write_all(&files)?;
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

/// Writes every `(path, bytes)` pair, all or nothing: each goes to a
/// temporary file beside its path first, and only when all of them are
/// written are they renamed into place. Missing directories are created.
pub fn write_all(files: &[(PathBuf, &[u8])]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let fail = |e: std::io::Error| Error::msg(format!("writing {}: {}", path.display(), e));
        std::fs::create_dir_all(dir).map_err(fail)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".aiw-")
            .tempfile_in(dir)
            .map_err(fail)?;
        tmp.write_all(bytes)
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(fail)?;
        staged.push((tmp, path));
    }
    for (tmp, path) in staged {
        tmp.persist(path)
            .map_err(|e| Error::msg(format!("writing {}: {}", path.display(), e.error)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let t = tempfile::tempdir().unwrap();
        let good = t.path().join("out/a.yaml");
        std::fs::create_dir_all(good.parent().unwrap()).unwrap();
        std::fs::write(&good, "old\n").unwrap();
        // A directory where the second file's parent should be.
        std::fs::write(t.path().join("out/blocked"), "a file").unwrap();
        let bad = t.path().join("out/blocked/b.yaml");
        let r = write_all(&[(good.clone(), b"new\n"), (bad, b"x\n")]);
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&good).unwrap(), "old\n");
        let left: Vec<_> = std::fs::read_dir(good.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
        write_all(&[(good.clone(), b"new\n")]).unwrap();
        assert_eq!(std::fs::read_to_string(&good).unwrap(), "new\n");
    }
}
