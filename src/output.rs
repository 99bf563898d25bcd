//! Writing results: all or nothing.
//!
//! `aiw build -o` takes what kustomize's `-o` takes: `-` (standard output),
//! an existing directory (one file per resource, named as kustomize's
//! `writeIndividualFiles` names them), or a file. A file is written through a
//! temporary file beside it and a rename, so it is either the old file or the
//! complete new one; a new file gets the mode the umask allows (as any
//! program's new file does), an existing file keeps its mode (and, where the
//! process may, its owner), a symlink is written through (its target is
//! replaced, the link stays), and something that is not a regular file
//! (`/dev/stdout`, a FIFO) is written in place. When the directory does not
//! let a temporary file be made but the file itself is writable, the file is
//! written in place, as kubectl writes it. Errors name the file asked for,
//! never a temporary file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::resource::Resource;

/// Where `-o` sends the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `-o -`, or no `-o`: standard output.
    Stdout,
    /// An existing directory: one file per resource.
    Dir(PathBuf),
    /// A file (created or replaced).
    File(PathBuf),
}

/// Classifies an `-o` argument as kustomize does (a directory only when it
/// exists and is one; `-` is standard output).
pub fn target(arg: Option<&Path>) -> Target {
    match arg {
        None => Target::Stdout,
        Some(p) if p.as_os_str() == "-" => Target::Stdout,
        Some(p) if p.is_dir() => Target::Dir(p.to_path_buf()),
        Some(p) => Target::File(p.to_path_buf()),
    }
}

/// An I/O error's message without any path in it (tempfile's errors name the
/// temporary file).
fn bare(e: &std::io::Error) -> String {
    if let Some(code) = e.raw_os_error() {
        return std::io::Error::from_raw_os_error(code).to_string();
    }
    // tempfile wraps the OS error with the temporary path: find the OS
    // error underneath.
    let mut inner: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|r| r as _);
    while let Some(err) = inner {
        if let Some(code) = err
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::raw_os_error)
        {
            return std::io::Error::from_raw_os_error(code).to_string();
        }
        inner = err.source();
    }
    use std::io::ErrorKind as K;
    let code = match e.kind() {
        K::NotFound => libc::ENOENT,
        K::PermissionDenied => libc::EACCES,
        K::AlreadyExists => libc::EEXIST,
        K::NotADirectory => libc::ENOTDIR,
        K::IsADirectory => libc::EISDIR,
        K::ReadOnlyFilesystem => libc::EROFS,
        K::StorageFull => libc::ENOSPC,
        other => return other.to_string(),
    };
    std::io::Error::from_raw_os_error(code).to_string()
}

/// Writes `bytes` to `path` all or nothing (see the module docs); the error
/// names `path` only.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file_pieces(path, &[bytes])
}

/// [`write_file`] of the concatenation of `pieces` (written one after the
/// other, never joined in memory).
pub fn write_file_pieces(path: &Path, pieces: &[&[u8]]) -> Result<()> {
    write_pieces_atomically(path, pieces)
        .map_err(|e| Error::msg(format!("writing {}: {}", path.display(), bare(&e))))
}

/// Follows `path` through symlinks to the file a write should replace (which
/// may not exist yet); `path` itself when it is no symlink.
fn resolve_symlinks(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    // A loop of links ends after this many steps (the OS then reports it).
    for _ in 0..40 {
        match std::fs::read_link(&p) {
            Ok(target) => {
                p = match p.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            Err(_) => break,
        }
    }
    p
}

/// The directory holding `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename (see the module docs for modes, symlinks and special files).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_pieces_atomically(path, &[bytes])
}

/// [`write_atomically`] of the concatenation of `pieces`.
fn write_pieces_atomically(path: &Path, bytes: &[&[u8]]) -> std::io::Result<()> {
    let real = resolve_symlinks(path);
    let existing = std::fs::metadata(&real).ok();
    if let Some(md) = &existing
        && !md.is_file()
    {
        if md.is_dir() {
            return Err(std::io::Error::from_raw_os_error(libc::EISDIR));
        }
        // A device, FIFO or socket: there is nothing to replace.
        return write_in_place(&real, bytes);
    }
    match write_through_temp(&real, bytes, existing.as_ref()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && existing.is_some() => {
            // The directory is not writable but the file may be.
            write_in_place(&real, bytes).map_err(|_| e)
        }
        Err(e) => Err(e),
    }
}

/// Truncates and writes an existing file (or special file) in place.
fn write_in_place(path: &Path, bytes: &[&[u8]]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)?;
    write_buffered(&mut f, bytes)
}

/// A temporary file beside `path` with the mode a new file would get
/// (0666 less the umask) or the existing file's mode and owner.
fn temp_beside(
    path: &Path,
    existing: Option<&std::fs::Metadata>,
) -> std::io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::Builder::new()
        .prefix(".aiw-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(parent_dir(path))?;
    if let Some(md) = existing {
        use std::os::unix::fs::MetadataExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(md.mode() & 0o7777))?;
        // Keep the owner where allowed (root, or the same owner); a failure
        // leaves the writer's ownership, as any rewrite would.
        let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(md.uid()), Some(md.gid()));
    }
    Ok(tmp)
}

/// `pieces` written to a [`temp_beside`] `path`, synced to disk when
/// `durable`: ready to be renamed into place.
fn stage(
    path: &Path,
    existing: Option<&std::fs::Metadata>,
    pieces: &[&[u8]],
    durable: bool,
) -> std::io::Result<tempfile::NamedTempFile> {
    let mut tmp = temp_beside(path, existing)?;
    write_buffered(&mut tmp, pieces)?;
    if durable {
        // While the disk catches up, this thread's core goes to the work
        // still running (several overlays built side by side).
        let _lent = crate::workers::LentCore::lend();
        tmp.as_file().sync_all()?;
    }
    Ok(tmp)
}

fn write_through_temp(
    path: &Path,
    bytes: &[&[u8]],
    existing: Option<&std::fs::Metadata>,
) -> std::io::Result<()> {
    stage(path, existing, bytes, true)?
        .persist(path)
        .map_err(|e| e.error)?;
    Ok(())
}

/// Writes every `(path, pieces)` file, all or nothing, as [`write_file`]
/// writes one (modes, owners, symlinks written through; missing parent
/// directories are created): each is staged in a temporary file beside its
/// target ([`stage_file`]), and only when all are staged are they renamed
/// into place ([`commit`]). A target that exists and is no regular file
/// (`/dev/stdout`, a FIFO) is written in place after the others are staged.
/// With `durable`, each temporary file reaches the disk before its rename;
/// without it (watch mode, which rewrites its outputs on every change) a
/// reader still sees the old file or the whole new one.
pub fn write_files(files: &[(PathBuf, Vec<&[u8]>)], durable: bool) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, pieces) in files {
        match stage_file(path, pieces, durable) {
            Ok(s) => staged.push(s),
            Err(e) => {
                discard(staged);
                return Err(e);
            }
        }
    }
    commit(staged, durable)
}

/// An output file staged by [`stage_file`], put in place by [`commit`] or
/// thrown away by [`discard`].
pub struct Staged {
    /// The path as given (for messages).
    path: PathBuf,
    /// The path written: symlinks resolved.
    real: PathBuf,
    how: StagedHow,
    /// Directories created for it, outermost first.
    made: Vec<PathBuf>,
}

enum StagedHow {
    /// A temporary file beside `real`, and whether `real` existed.
    Temp(tempfile::NamedTempFile, bool),
    /// `real` is a special file, written in place at commit.
    InPlace(Vec<u8>),
}

/// Stages `pieces` as the new content of `path` (see [`write_files`]): in a
/// temporary file beside it (synced when `durable`), or held for a special
/// file. Nothing is visible at `path` before [`commit`]; missing parent
/// directories are created (and removed again by [`discard`]).
pub fn stage_file(path: &Path, pieces: &[&[u8]], durable: bool) -> Result<Staged> {
    let fail = |e: &std::io::Error| Error::msg(format!("writing {}: {}", path.display(), bare(e)));
    let real = resolve_symlinks(path);
    let made = create_dirs(parent_dir(&real)).map_err(|e| fail(&e))?;
    let mut staged = Staged {
        path: path.to_path_buf(),
        real,
        how: StagedHow::InPlace(Vec::new()),
        made,
    };
    let existing = std::fs::metadata(&staged.real).ok();
    let how = match &existing {
        Some(md) if md.is_dir() => Err(std::io::Error::from_raw_os_error(libc::EISDIR)),
        Some(md) if !md.is_file() => Ok(StagedHow::InPlace(pieces.concat())),
        _ => stage(&staged.real, existing.as_ref(), pieces, durable)
            .map(|tmp| StagedHow::Temp(tmp, existing.is_some())),
    };
    match how {
        Ok(how) => {
            staged.how = how;
            Ok(staged)
        }
        Err(e) => {
            discard(vec![staged]);
            Err(fail(&e))
        }
    }
}

/// Creates `dir` and its missing parents; returns those it created,
/// outermost first.
fn create_dirs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut d = dir;
    while !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err() {
        missing.push(d.to_path_buf());
        match d.parent() {
            Some(p) => d = p,
            None => break,
        }
    }
    missing.reverse();
    std::fs::create_dir_all(dir)?;
    Ok(missing)
}

/// Puts staged files in place, in order: special files written first, then
/// the temporary files renamed over their targets.
pub fn commit(staged: Vec<Staged>, durable: bool) -> Result<()> {
    let fail = |path: &Path, e: &std::io::Error| {
        Error::msg(format!("writing {}: {}", path.display(), bare(e)))
    };
    for s in &staged {
        if let StagedHow::InPlace(bytes) = &s.how {
            write_in_place(&s.real, &[bytes]).map_err(|e| fail(&s.path, &e))?;
        }
    }
    for s in staged {
        let StagedHow::Temp(tmp, existed) = s.how else {
            continue;
        };
        let tmp = tmp.into_temp_path();
        // Renaming over a file makes ext4 allocate the new file's blocks
        // first (its guard for programs that skip fsync), which costs more
        // than the write; exchanging the two names does not, and the old
        // file, now under the temporary name, goes with it.
        if !durable && existed && exchange(&tmp, &s.real).is_ok() {
            drop(tmp);
            continue;
        }
        tmp.persist(&s.real).map_err(|e| fail(&s.path, &e.error))?;
    }
    Ok(())
}

/// Throws staged files away: their temporary files, then the directories
/// created for them that are left empty.
pub fn discard(staged: Vec<Staged>) {
    let mut made = Vec::new();
    for s in staged {
        made.extend(s.made);
        drop(s.how);
    }
    // Deepest first: files staged on several threads may each have made
    // part of one chain of directories.
    made.sort();
    made.dedup();
    made.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in &made {
        let _ = std::fs::remove_dir(d);
    }
}

/// Swaps the names of two files atomically (Linux's `RENAME_EXCHANGE`).
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are NUL-terminated paths that outlive the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Writes `pieces` one after the other through a buffer (they may be many
/// and small: one document's text each).
pub fn write_buffered(w: &mut dyn Write, pieces: &[&[u8]]) -> std::io::Result<()> {
    let mut buf = std::io::BufWriter::with_capacity(1 << 18, w);
    for piece in pieces {
        buf.write_all(piece)?;
    }
    buf.flush()
}

/// The file name kustomize's `writeIndividualFiles` gives a resource:
/// `<group>_<version>_<kind>_<name>.yaml` lowercased, empty parts left out,
/// prefixed by `<namespace>_` when the namespaced resources span more than
/// one namespace.
fn individual_file_name(r: &Resource, namespace_prefix: Option<&str>) -> String {
    let gvk = r.gvk();
    let parts: Vec<&str> = [gvk.group.as_str(), gvk.version.as_str(), gvk.kind.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let base = format!("{}_{}.yaml", parts.join("_"), r.name()).to_lowercase();
    match namespace_prefix {
        Some(ns) => format!("{}_{}", ns.to_lowercase(), base),
        None => base,
    }
}

/// The files `-o DIR` writes for `resources` (in output order): names as
/// kustomize gives them, each holding the resource's document as the output
/// stream has it. Two resources with one file name, or a name that is not a
/// plain file name, are errors (kustomize would silently write one over the
/// other, or fail half-way).
pub fn individual_files(resources: &[Resource]) -> Result<Vec<(String, String)>> {
    use crate::resource::{effective_namespace, is_cluster_scoped};
    let mut namespaces: Vec<&str> = Vec::new();
    for r in resources {
        let gvk = r.gvk();
        if !is_cluster_scoped(&gvk) {
            let ns = effective_namespace(&gvk, r.namespace());
            if !namespaces.contains(&ns) {
                namespaces.push(ns);
            }
        }
    }
    let prefixed = namespaces.len() > 1;
    // kustomize writes the namespaced resources first, then the cluster-scoped.
    let (namespaced, cluster): (Vec<&Resource>, Vec<&Resource>) =
        resources.iter().partition(|r| !is_cluster_scoped(&r.gvk()));
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut files = Vec::with_capacity(resources.len());
    for (r, cluster_scoped) in namespaced
        .into_iter()
        .map(|r| (r, false))
        .chain(cluster.into_iter().map(|r| (r, true)))
    {
        let ns = effective_namespace(&r.gvk(), r.namespace()).to_string();
        let name = individual_file_name(r, (prefixed && !cluster_scoped).then_some(ns.as_str()));
        if name.contains('/') || name.contains('\0') {
            return Err(Error::msg(format!(
                "cannot write {} to its own file: the file name {:?} is not a plain file name",
                r.id().readable(),
                name
            )));
        }
        if let Some(other) = seen.insert(name.clone(), r.id().readable()) {
            return Err(Error::msg(format!(
                "cannot write one file per resource: {} and {} would both be written to {}",
                other,
                r.id().readable(),
                name
            )));
        }
        crate::yaml::check_writable(&r.value).map_err(|e| {
            let e = Error::msg(format!("{}: {}", r.id().readable(), e.message));
            match &r.source {
                Some(file) => e.with_file(file),
                None => e,
            }
        })?;
        files.push((name, crate::yaml::emit_document(&r.value)));
    }
    Ok(files)
}

/// Writes `files` (name, content) into `dir`, all or nothing: every file is
/// first written to a temporary file in `dir`, and only when all are written
/// are they renamed into place (temporaries are removed on failure). Other
/// files in `dir` are left alone, as kustomize leaves them.
pub fn write_individual_files(dir: &Path, files: &[(String, String)]) -> Result<()> {
    let fail = |name: &str, e: &std::io::Error| {
        Error::msg(format!("writing {}: {}", dir.join(name).display(), bare(e)))
    };
    let mut staged = Vec::with_capacity(files.len());
    for (name, content) in files {
        let path = resolve_symlinks(&dir.join(name));
        let existing = std::fs::metadata(&path).ok();
        if existing.as_ref().is_some_and(|m| !m.is_file()) {
            return Err(fail(name, &std::io::Error::from_raw_os_error(libc::EEXIST)));
        }
        let tmp = stage(&path, existing.as_ref(), &[content.as_bytes()], true)
            .map_err(|e| fail(name, &e))?;
        staged.push((tmp, path, name));
    }
    // Renames within one directory: all of them go through or the first
    // failure stops the rest (the temporaries left are removed on drop).
    for (tmp, path, name) in staged {
        tmp.persist(&path).map_err(|e| fail(name, &e.error))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn discard_removes_a_chain_of_directories_made_by_several_stagings() {
        // One staging made the innermost directory, another the outer ones
        // (as two threads staging side by side can): all go.
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a");
        std::fs::create_dir_all(a.join("b/c")).unwrap();
        let staged = |made: Vec<PathBuf>| Staged {
            path: PathBuf::new(),
            real: PathBuf::new(),
            how: StagedHow::InPlace(Vec::new()),
            made,
        };
        discard(vec![
            staged(vec![a.join("b/c")]),
            staged(vec![a.clone(), a.join("b")]),
        ]);
        assert!(!a.exists());
    }

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn targets() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(target(None), Target::Stdout);
        assert_eq!(target(Some(Path::new("-"))), Target::Stdout);
        assert_eq!(target(Some(d.path())), Target::Dir(d.path().to_path_buf()));
        let f = d.path().join("x.yaml");
        assert_eq!(target(Some(&f)), Target::File(f.clone()));
    }

    #[test]
    fn existing_file_keeps_its_mode_and_new_file_follows_umask() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("out.yaml");
        std::fs::write(&f, "old").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_file(&f, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
        assert_eq!(mode(&f), 0o640);
        let g = d.path().join("fresh.yaml");
        write_file(&g, b"x").unwrap();
        // SAFETY: umask only reads and sets this process's mask; it is put
        // back at once.
        let mask = unsafe {
            let m = libc::umask(0o022);
            libc::umask(m);
            m
        };
        assert_eq!(mode(&g), 0o666 & !(mask as u32));
    }

    #[test]
    fn symlink_is_written_through() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.yaml");
        std::fs::write(&real, "old").unwrap();
        let link = d.path().join("link.yaml");
        std::os::unix::fs::symlink("real.yaml", &link).unwrap();
        write_file(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn errors_name_the_file_not_a_temporary() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("missing-dir").join("out.yaml");
        let e = write_file(&f, b"x").unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "writing {}: No such file or directory (os error 2)",
                f.display()
            )
        );
    }

    #[test]
    fn special_files_are_written_in_place() {
        write_file(Path::new("/dev/null"), b"x").unwrap();
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device_like()
        );
    }

    trait CharDevice {
        fn is_char_device_like(&self) -> bool;
    }
    impl CharDevice for std::fs::FileType {
        fn is_char_device_like(&self) -> bool {
            use std::os::unix::fs::FileTypeExt;
            self.is_char_device()
        }
    }
}
