//! `aiw edit` and `aiw create`: the `kustomize edit` / `kustomize create`
//! commands, with kustomize 5.5's effect on what the kustomization means,
//! and without its rewrite of the whole file.
//!
//! kustomize reads the kustomization into its Go struct and writes the
//! struct back: every value is reformatted, comments inside fields are moved
//! above them or lost, empty fields vanish, and `apiVersion`/`kind` are
//! added. aiw works on the text instead ([`text`]): it finds the field or
//! item a command changes and rewrites only those lines, so comments, key
//! order, quoting and indentation stay as they were, and a `git diff` of the
//! file shows just the change.
//!
//! What each command does to the kustomization's content is kustomize's
//! (checked against its sources and tests, and by building the edited files
//! with `kubectl kustomize` in the tests): `set image` sorts the `images`
//! list by name and replaces an entry whole, `set replicas` likewise, `add
//! label` refuses an existing key without `--force`, `remove` of a last item
//! or key removes the field, a command touching `resources` moves the legacy
//! `bases` into it (kustomize always does, and the order of a build depends
//! on it), `add resource` expands globs as Go's `filepath.Glob` does, and so
//! on. New text is written as kustomize writes it.
//!
//! Deliberate differences, none of which changes what the kustomization
//! builds: aiw does not add `apiVersion`/`kind` to a file that has none
//! (`edit fix` does), does not drop empty fields it did not touch, and does
//! not copy `generatorOptions` into a configMap/secret entry it adds (a
//! kustomize quirk with no effect on the build); `add configmap
//! --disableNameSuffixHash` sets that one option instead of replacing the
//! entry's other options; a remote URL given to `add resource` is added
//! without fetching it.
//!
//! When the file cannot be edited in place (its top level is a flow mapping
//! `{...}`, or it uses YAML anchors and aliases, which an edit could change
//! behind the user's back), aiw writes the whole file in kustomize's format
//! (keys in their original order, aliases expanded) and says so on stderr.

pub mod cli;
pub mod glob;
mod ops;
pub mod text;
mod validate;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::yaml::{Map, Value};
use text::{Doc, Step};

pub use ops::*;

/// The names kustomize recognises for a kustomization file, in its order.
pub const KUSTOMIZATION_FILE_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// What an edit reports besides the file it writes.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Notes and warnings for stderr (kustomize logs them).
    pub warnings: Vec<String>,
    /// Text for stdout (`edit fix` prints what it fixed).
    pub output: String,
}

/// The kustomization file being edited: its text, its content, and whether
/// anything changed.
pub struct EditFile {
    /// The directory holding it (paths in the file are relative to it).
    pub dir: PathBuf,
    /// The file.
    path: PathBuf,
    /// The file name as shown in messages.
    shown: PathBuf,
    doc: Doc,
    /// The top-level mapping as kustomize reads it.
    value: Map,
    changed: bool,
    /// Messages for stderr.
    pub warnings: Vec<String>,
}

/// The kustomization file in `dir`: exactly one of the recognised names
/// (kustomize refuses a directory with two).
pub fn find_kustomization(dir: &Path) -> Result<PathBuf> {
    let found: Vec<&str> = KUSTOMIZATION_FILE_NAMES
        .into_iter()
        .filter(|n| dir.join(n).exists())
        .collect();
    match found.as_slice() {
        [] => Err(Error::in_file(
            dir,
            "missing kustomization file 'kustomization.yaml'",
        )),
        [one] => {
            let p = dir.join(one);
            if p.is_dir() {
                return Err(Error::in_file(&p, "should be a file"));
            }
            Ok(p)
        }
        many => Err(Error::in_file(
            dir,
            format!("found multiple kustomization files: {}", many.join(", ")),
        )),
    }
}

/// The first document of `text` as kustomize reads a kustomization: its
/// top-level mapping (empty for an empty file).
fn read_value(shown: &Path, text: &str) -> Result<Map> {
    let docs = crate::yaml::parse_documents_lenient(text)
        .map_err(|e| Error::in_file(shown, e.message.clone()).with_line(e.line))?;
    match docs.into_iter().next() {
        None | Some(Value::Null(_)) => Ok(Map::new()),
        Some(Value::Map(m)) => Ok(m),
        Some(other) => Err(Error::in_file(
            shown,
            format!(
                "invalid Kustomization: the file holds {}, not a mapping",
                other.type_name()
            ),
        )),
    }
}

impl EditFile {
    /// Opens the kustomization file in `dir`, checking that it is a valid
    /// kustomization (as kustomize refuses to edit an invalid one).
    pub fn open(dir: &Path) -> Result<EditFile> {
        let path = find_kustomization(dir)?;
        let shown = path
            .strip_prefix(".")
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.clone());
        let bytes = std::fs::read(&path).map_err(|e| Error::in_file(&shown, e.to_string()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::in_file(&shown, "the file is not UTF-8 text"))?;
        let value = read_value(&shown, &text)?;
        crate::kustomization::Kustomization::from_value(&shown, &Value::Map(value.clone()))?;
        let mut warnings = Vec::new();
        let mut doc = Doc::parse(text).map_err(|e| Error::in_file(&shown, e))?;
        if !doc.editable() {
            warnings.push(format!(
                "{}: the file uses YAML anchors or a flow-style top level, which cannot be edited in place: writing it whole in kustomize's format (comments are not kept)",
                shown.display()
            ));
            doc =
                Doc::parse(text::render_document(&value)).map_err(|e| Error::in_file(&shown, e))?;
        }
        Ok(EditFile {
            dir: dir.to_path_buf(),
            path,
            shown,
            doc,
            value,
            changed: false,
            warnings,
        })
    }

    /// A new, empty kustomization file in `dir` (for `aiw create`).
    fn new_file(dir: &Path) -> EditFile {
        let path = dir.join("kustomization.yaml");
        EditFile {
            dir: dir.to_path_buf(),
            shown: PathBuf::from("kustomization.yaml"),
            path,
            doc: Doc::parse(String::new()).expect("an empty document"),
            value: Map::new(),
            changed: true,
            warnings: Vec::new(),
        }
    }

    /// The file as shown in messages.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// The file's name in its directory (`kustomization.yaml`, ...).
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The current text.
    pub fn text(&self) -> &str {
        self.doc.text()
    }

    /// An error naming the file.
    pub fn error(&self, message: impl Into<String>) -> Error {
        Error::in_file(&self.shown, message)
    }

    /// Writes the file when something changed (all or nothing, keeping its
    /// mode), after checking that the result is still a valid kustomization.
    pub fn save(self) -> Result<Vec<String>> {
        if !self.changed {
            return Ok(self.warnings);
        }
        let v = read_value(&self.shown, self.doc.text())?;
        crate::kustomization::Kustomization::from_value(&self.shown, &Value::Map(v))?;
        crate::output::write_file(&self.path, self.doc.text().as_bytes())?;
        Ok(self.warnings)
    }

    /// Runs a text edit, then reads the content again.
    fn edit(&mut self, f: impl FnOnce(&mut Doc) -> text::EditResult<()>) -> Result<()> {
        f(&mut self.doc).map_err(|e| self.error(e))?;
        self.value = read_value(&self.shown, self.doc.text())?;
        self.changed = true;
        Ok(())
    }

    /// The value of a top-level field.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.value.get(field).filter(|v| !v.is_null())
    }

    /// A top-level list of strings (missing: empty).
    pub fn strings(&self, field: &str) -> Vec<String> {
        match self.get(field) {
            Some(Value::Seq(items)) => items.iter().filter_map(Value::scalar_string).collect(),
            _ => Vec::new(),
        }
    }

    /// A top-level list (missing: empty).
    pub fn items(&self, field: &str) -> Vec<Value> {
        match self.get(field) {
            Some(Value::Seq(items)) => items.clone(),
            _ => Vec::new(),
        }
    }

    /// A top-level mapping of strings (missing: `None`).
    pub fn string_map(&self, field: &str) -> Option<Vec<(String, String)>> {
        match self.get(field) {
            Some(Value::Map(m)) => Some(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.scalar_string().unwrap_or_default()))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// True when the top-level field is written in the file with a value
    /// that holds something.
    fn has_content(&self, field: &str) -> bool {
        self.doc
            .node(&[Step::Key(field)])
            .is_some_and(|n| !n.is_placeholder())
    }

    /// Sets a top-level scalar field (an empty value removes it, as
    /// kustomize omits empty fields).
    pub fn set_scalar(&mut self, field: &str, value: &str) -> Result<()> {
        if value.is_empty() {
            return self.remove_field(field);
        }
        let v = Value::String(value.to_string());
        self.edit(|d| d.set(&[], field, &v, false))
    }

    /// Removes a top-level field (nothing when absent).
    pub fn remove_field(&mut self, field: &str) -> Result<()> {
        if self.doc.node(&[Step::Key(field)]).is_none() {
            return Ok(());
        }
        self.edit(|d| d.remove(&[], field))
    }

    /// Appends items to a top-level list, creating it when absent or empty.
    pub fn append(&mut self, field: &str, items: &[Value]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        if !self.has_content(field)
            || !matches!(
                self.doc.node(&[Step::Key(field)]).map(|n| &n.kind),
                Some(crate::yaml::spans::NodeKind::Seq { .. })
            )
        {
            let mut all = self.items(field);
            all.extend(items.iter().cloned());
            let v = Value::Seq(all);
            return self.edit(|d| d.set(&[], field, &v, false));
        }
        for item in items {
            let n = self.doc.len(&[Step::Key(field)]);
            self.edit(|d| d.insert_item(&[Step::Key(field)], n, item))?;
        }
        Ok(())
    }

    /// Removes the items of a top-level list at `indices`; the field goes
    /// when no item is left.
    pub fn remove_items(&mut self, field: &str, indices: &[usize]) -> Result<()> {
        if indices.is_empty() {
            return Ok(());
        }
        let len = self.doc.len(&[Step::Key(field)]);
        if indices.len() >= len {
            return self.remove_field(field);
        }
        let mut sorted = indices.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        for &i in sorted.iter().rev() {
            self.edit(|d| d.remove_item(&[Step::Key(field)], i))?;
        }
        Ok(())
    }

    /// Sets `key` in a top-level mapping of strings, creating the mapping
    /// when absent (new keys go to their sorted place when the keys are
    /// sorted).
    pub fn map_set(&mut self, field: &str, key: &str, value: &str) -> Result<()> {
        let v = Value::String(value.to_string());
        if !self.has_content(field)
            || !matches!(
                self.doc.node(&[Step::Key(field)]).map(|n| &n.kind),
                Some(crate::yaml::spans::NodeKind::Map { .. })
            )
        {
            let mut m = match self.get(field) {
                Some(Value::Map(m)) => m.clone(),
                _ => Map::new(),
            };
            m.insert(key, v);
            let m = Value::Map(m);
            return self.edit(|d| d.set(&[], field, &m, false));
        }
        self.edit(|d| d.set(&[Step::Key(field)], key, &v, true))
    }

    /// Removes `key` from a top-level mapping; the field goes when it is
    /// left empty.
    pub fn map_remove(&mut self, field: &str, key: &str) -> Result<()> {
        let keys = self.doc.keys(&[Step::Key(field)]);
        if !keys.iter().any(|k| k == key) {
            return Ok(());
        }
        if keys.iter().all(|k| k == key) {
            return self.remove_field(field);
        }
        self.edit(|d| d.remove(&[Step::Key(field)], key))
    }

    /// Moves the legacy `bases` into `resources` (after its entries), as
    /// kustomize does whenever it writes a kustomization: a command that
    /// changes `resources` must, or the build order would change.
    pub fn migrate_bases(&mut self) -> Result<()> {
        if self.doc.node(&[Step::Key("bases")]).is_none() {
            return Ok(());
        }
        let bases = self.strings("bases");
        if !self.has_content("resources") && !bases.is_empty() {
            // `bases:` becomes `resources:` in place.
            self.remove_field("resources")?;
            return self.edit(|d| d.rename(&[], "bases", "resources"));
        }
        self.remove_field("bases")?;
        let items: Vec<Value> = bases.into_iter().map(Value::String).collect();
        self.append("resources", &items)
    }
}

/// The item of a list of mappings whose `key` is `value`.
fn find_by(items: &[Value], key: &str, value: &str) -> Vec<usize> {
    items
        .iter()
        .enumerate()
        .filter(|(_, v)| v.get(key).and_then(Value::scalar_string).as_deref() == Some(value))
        .map(|(i, _)| i)
        .collect()
}
