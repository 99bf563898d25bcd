//! `aiw validate`: offline schema validation of built manifests.
//!
//! Every document is checked against the Kubernetes API schema of its
//! `apiVersion` and `kind` in the chosen release (embedded: [`releases`]),
//! or against a custom schema: the `openAPIV3Schema` of a CRD in the same
//! input, or a CRD or JSON Schema file from a schema directory
//! ([`CustomSchemas`]). The checks are those of `kubernetes-validate
//! --strict` (unknown fields, types, null, required fields, `apiVersion` and
//! `kind` values, int-or-string) plus quantity syntax, the API versions a
//! release no longer (or not yet) serves, and CRD schemas.
//!
//! [`validate`] returns a [`Report`]: one [`Problem`] per offending value,
//! with the resource id, the field path in `aiw diff`'s notation, and a
//! [`Location`] found through the [`Locate`] hook: [`TextLocator`] gives the
//! line in a YAML file or in the build output; a provenance-based locator
//! can give the source line instead. [`report`] renders reports; [`cli`]
//! runs the command.

mod check;
pub mod cli;
mod removed;
pub mod report;
mod schema;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::build::parse_yaml;
use crate::diff::DocId;
use crate::error::{Error, Result};
use crate::yaml::{LineIndex, PathSeg, Value};
use check::{Checker, Found};
use schema::{Dialect, Tree, builtin_type, definition};

pub use check::is_quantity;
pub use schema::{release_index, releases};

/// What kind of problem a [`Problem`] is (its `problem` code in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    /// A field the schema does not have.
    UnknownField,
    /// A value of the wrong type (or null where null is not allowed).
    Type,
    /// A required field is missing.
    Required,
    /// A value outside the allowed values (`apiVersion`, `kind`, CRD enums).
    Enum,
    /// A resource quantity (`cpu`, `memory`, …) not in quantity syntax.
    Quantity,
    /// An int-or-string field holding something else.
    IntOrString,
    /// A CRD value validation (`pattern`, `minimum`, `maxLength`, …).
    Value,
    /// An `apiVersion`/`kind` the release does not serve (removed, not yet
    /// added, or unknown in a Kubernetes API group).
    NotServed,
    /// A kind with no schema (a custom resource without its CRD).
    UnknownKind,
    /// A document without `apiVersion` or `kind`.
    MissingType,
    /// A CRD whose schema cannot be used.
    BadSchema,
}

impl ProblemKind {
    /// The code used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::UnknownField => "unknown-field",
            ProblemKind::Type => "type",
            ProblemKind::Required => "required",
            ProblemKind::Enum => "enum",
            ProblemKind::Quantity => "quantity",
            ProblemKind::IntOrString => "int-or-string",
            ProblemKind::Value => "value",
            ProblemKind::NotServed => "not-served",
            ProblemKind::UnknownKind => "unknown-kind",
            ProblemKind::MissingType => "missing-type",
            ProblemKind::BadSchema => "bad-schema",
        }
    }
}

/// Where a problem is, as a line of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// What the line is a line of.
    pub kind: LocationKind,
    /// The file (for [`LocationKind::File`] and [`LocationKind::Source`]).
    pub file: Option<String>,
    /// 1-based line.
    pub line: usize,
}

/// What a [`Location`]'s line counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocationKind {
    /// The validated YAML file (or standard input).
    File,
    /// The output of `aiw build TARGET`.
    Output,
    /// The source file that produced the value (provenance).
    Source,
}

impl LocationKind {
    /// `file`, `output` or `source`.
    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::File => "file",
            LocationKind::Output => "output",
            LocationKind::Source => "source",
        }
    }
}

/// Finds where a value of a validated document is: the hook that turns a
/// problem's path into a line.
pub trait Locate: Sync {
    /// The location of the value at `path` in document `doc` (the index in
    /// the validated sequence), if known.
    fn locate(&self, doc: usize, path: &[PathSeg]) -> Option<Location>;
}

/// No locations.
pub struct NoLocations;

impl Locate for NoLocations {
    fn locate(&self, _: usize, _: &[PathSeg]) -> Option<Location> {
        None
    }
}

/// Lines in YAML text: a file of manifests (whose documents may have been
/// expanded from `List`s) or the build output.
pub struct TextLocator<'a> {
    kind: LocationKind,
    file: Option<String>,
    index: LineIndex<'a>,
    /// Per validated document: its document in the text and the path of
    /// the item within it (`items[3]` of a `List`).
    origins: Option<Vec<Origin>>,
}

impl<'a> TextLocator<'a> {
    /// Lines of `text`, a YAML file shown as `file`, whose documents are
    /// those [`load_documents`] gave with `origins`.
    pub fn file(text: &'a str, file: &str, origins: Vec<Origin>) -> Self {
        TextLocator {
            kind: LocationKind::File,
            file: Some(file.to_string()),
            index: LineIndex::new(text),
            origins: Some(origins),
        }
    }

    /// Lines of a build's output `text`, one document per resource.
    pub fn output(text: impl Into<std::borrow::Cow<'a, str>>) -> Self {
        TextLocator {
            kind: LocationKind::Output,
            file: None,
            index: LineIndex::new(text),
            origins: None,
        }
    }
}

impl Locate for TextLocator<'_> {
    fn locate(&self, doc: usize, path: &[PathSeg]) -> Option<Location> {
        let line = match &self.origins {
            None => self.index.line(doc, path)?,
            Some(origins) => {
                let o = origins.get(doc)?;
                let mut full = o.prefix.clone();
                full.extend_from_slice(path);
                self.index.line(o.doc, &full)?
            }
        };
        Some(Location {
            kind: self.kind,
            file: self.file.clone(),
            line,
        })
    }
}

/// Where a document read by [`load_documents`] comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The document of the text (null documents not counted).
    pub doc: usize,
    /// The path of the item within it (empty, or `items`, N… for `List`s).
    pub prefix: Vec<PathSeg>,
}

/// Reads a YAML stream of manifests: empty documents are dropped, `List`
/// documents (any kind ending in `List` with `items`) are expanded into
/// their items. Returns the documents and where each comes from.
pub fn load_documents(name: &Path, text: &str) -> Result<(Vec<Value>, Vec<Origin>)> {
    let mut out = Vec::new();
    let mut origins = Vec::new();
    for (n, doc) in parse_yaml(name, text)?.into_iter().enumerate() {
        let mut stack = vec![(doc, Vec::new())];
        while let Some((doc, prefix)) = stack.pop() {
            match doc {
                Value::Null(_) => {}
                Value::Map(ref m) if m.is_empty() => {}
                Value::Map(_) => {
                    let is_list = doc
                        .get("kind")
                        .and_then(Value::as_str)
                        .is_some_and(|k| k.ends_with("List"));
                    if is_list
                        && matches!(doc.get("items"), Some(Value::Seq(_)) | Some(Value::Null(_)))
                    {
                        let Value::Map(mut m) = doc else { continue };
                        if let Some(Value::Seq(items)) = m.remove("items") {
                            for (i, item) in items.into_iter().enumerate().rev() {
                                let mut p = prefix.clone();
                                p.push(PathSeg::Key("items".into()));
                                p.push(PathSeg::Index(i));
                                stack.push((item, p));
                            }
                        }
                        continue;
                    }
                    out.push(doc);
                    origins.push(Origin { doc: n, prefix });
                }
                other => {
                    let what = if prefix.is_empty() {
                        format!("document {}", n + 1)
                    } else {
                        format!("an item of the List in document {}", n + 1)
                    };
                    let t = other.type_name();
                    let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    };
                    return Err(Error::in_file(
                        name,
                        format!("{what} is {article} {t}, not a mapping (a Kubernetes object)"),
                    ));
                }
            }
        }
    }
    Ok((out, origins))
}

/// One problem found.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Index of the document in the validated sequence.
    pub doc: usize,
    /// The resource's id.
    pub resource: DocId,
    /// The field path in `aiw diff`'s notation (empty: the resource).
    pub path: String,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What is wrong.
    pub message: String,
    /// Where, when known.
    pub location: Option<Location>,
}

/// The result of validating a sequence of documents.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The release validated against (`1.37`).
    pub kubernetes_version: String,
    /// Documents validated (skipped ones included).
    pub resources: usize,
    /// Documents skipped (`--skip-kinds`, or no schema with
    /// `--ignore-missing-schemas`).
    pub skipped: usize,
    /// Problems, in document order, then in the order found.
    pub problems: Vec<Problem>,
}

impl Report {
    /// True when nothing is wrong.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    /// Number of documents with at least one problem.
    pub fn invalid_resources(&self) -> usize {
        let mut docs: Vec<usize> = self.problems.iter().map(|p| p.doc).collect();
        docs.dedup();
        docs.len()
    }
}

/// Options of [`validate`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Index of the release among [`releases`].
    pub release: usize,
    /// A kind with no schema is skipped instead of being a problem.
    pub ignore_missing_schemas: bool,
    /// Kinds not validated: `Kind` or `apiVersion/Kind`
    /// (`apps/v1/Deployment`).
    pub skip_kinds: Vec<String>,
}

impl Options {
    /// Options for the newest embedded release.
    pub fn newest() -> Self {
        Options {
            release: releases().len() - 1,
            ..Options::default()
        }
    }

    fn skips(&self, api_version: &str, kind: &str) -> bool {
        self.skip_kinds.iter().any(|s| match s.rsplit_once('/') {
            Some((av, k)) => av == api_version && k == kind,
            None => s == kind,
        })
    }
}

/// A custom schema for one `apiVersion`/`kind`.
#[derive(Clone, Debug)]
struct Custom {
    tree: std::sync::Arc<Tree>,
}

/// Schemas of custom resources: from CRDs and JSON Schema files.
#[derive(Clone, Debug, Default)]
pub struct CustomSchemas {
    /// `(apiVersion, kind)` → schema.
    exact: HashMap<(String, String), Custom>,
    /// `kind-group-version` as kubernetes-validate names its files (kind
    /// lowercased, the group's first label) → schema.
    loose: HashMap<String, Custom>,
}

impl CustomSchemas {
    /// No custom schemas.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of custom types known.
    pub fn len(&self) -> usize {
        self.exact.len() + self.loose.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, api_version: &str, kind: &str) -> Option<&Custom> {
        self.exact
            .get(&(api_version.to_string(), kind.to_string()))
            .or_else(|| {
                if self.loose.is_empty() {
                    None
                } else {
                    self.loose.get(&loose_name(api_version, kind))
                }
            })
    }

    /// Reads every `.yaml`, `.yml` and `.json` file under `dir`: CRDs (any
    /// other Kubernetes object is ignored) and JSON Schema files, each for
    /// the kind its `x-kubernetes-group-version-kind` names, or its path
    /// (`GROUP/KIND_VERSION.json`, or `KIND-GROUP-VERSION.json` with the
    /// group's first label, as kubernetes-validate and openapi2jsonschema
    /// name them).
    pub fn add_dir(&mut self, dir: &Path) -> Result<()> {
        if !dir.is_dir() {
            return Err(Error::in_file(dir, "schema directory not found"));
        }
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
            })
            .collect();
        files.sort();
        for file in files {
            let text =
                std::fs::read_to_string(&file).map_err(|e| Error::in_file(&file, e.to_string()))?;
            let docs = parse_yaml(&file, &text)?;
            let rel = file.strip_prefix(dir).unwrap_or(&file);
            for doc in docs {
                if doc.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition") {
                    let (schemas, errors) = crd_schemas(&doc);
                    if let Some((path, e)) = errors.into_iter().next() {
                        return Err(Error::in_file(&file, format!("{path}: {e}")));
                    }
                    for (av, kind, tree) in schemas {
                        self.exact.insert((av, kind), Custom { tree: tree.into() });
                    }
                } else if doc.get("apiVersion").is_some() && doc.get("kind").is_some() {
                    // Some other object: not a schema.
                } else if doc.as_map().is_some() {
                    self.add_json_schema(&file, rel, &doc)?;
                }
            }
        }
        Ok(())
    }

    fn add_json_schema(&mut self, file: &Path, rel: &Path, doc: &Value) -> Result<()> {
        let tree = schema::convert(doc, Dialect::JsonSchema, false)
            .map_err(|e| Error::in_file(file, e))?;
        let custom = Custom { tree: tree.into() };
        let gvks: Vec<&Value> = match doc.get("x-kubernetes-group-version-kind") {
            Some(Value::Seq(list)) => list.iter().collect(),
            Some(m @ Value::Map(_)) => vec![m],
            _ => Vec::new(),
        };
        if !gvks.is_empty() {
            for g in gvks {
                let s = |k: &str| g.get(k).and_then(Value::as_str).unwrap_or("");
                let av = if s("group").is_empty() {
                    s("version").to_string()
                } else {
                    format!("{}/{}", s("group"), s("version"))
                };
                self.exact
                    .insert((av, s("kind").to_string()), custom.clone());
            }
            return Ok(());
        }
        let stem = rel
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let parent = rel.parent().and_then(|p| p.to_str()).unwrap_or("");
        if !parent.is_empty()
            && let Some((kind, version)) = stem.rsplit_once('_')
        {
            self.loose
                .insert(loose_name(&format!("{parent}/{version}"), kind), custom);
            return Ok(());
        }
        if stem.matches('-').count() >= 1 && !stem.contains('_') {
            self.loose.insert(stem.to_lowercase(), custom);
            return Ok(());
        }
        Err(Error::in_file(
            file,
            "cannot tell which kind this JSON schema is for: add x-kubernetes-group-version-kind, \
             or name it GROUP/KIND_VERSION.json or KIND-GROUP-VERSION.json",
        ))
    }
}

/// kubernetes-validate's file name for a type: `deployment-apps-v1`,
/// `configmap-v1`, `certificate-cert-manager-v1` (kind lowercased, the
/// group's first label).
fn loose_name(api_version: &str, kind: &str) -> String {
    match api_version.split_once('/') {
        Some((group, version)) => {
            let first = group.split('.').next().unwrap_or(group);
            format!("{}-{}-{}", kind.to_lowercase(), first, version).to_lowercase()
        }
        None => format!("{}-{}", kind.to_lowercase(), api_version).to_lowercase(),
    }
}

/// The schemas a CRD document defines: `(apiVersion, kind, tree)` per
/// served version, and the schemas it could not convert (path, error).
/// `(apiVersion, kind, schema)` of each served version of a CRD, and the
/// schemas it could not convert as `(path, error)`.
type CrdSchemas = (Vec<(String, String, Tree)>, Vec<(String, String)>);

fn crd_schemas(doc: &Value) -> CrdSchemas {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    let spec = doc.get("spec");
    let group = s(spec.and_then(|x| x.get("group")));
    let kind = s(spec
        .and_then(|x| x.get("names"))
        .and_then(|n| n.get("kind")));
    if group.is_empty() || kind.is_empty() {
        return (out, errors);
    }
    let v1beta1 =
        doc.get("apiVersion").and_then(Value::as_str) == Some("apiextensions.k8s.io/v1beta1");
    let preserve_all = match spec.and_then(|x| x.get("preserveUnknownFields")) {
        Some(Value::Bool(b)) => *b,
        _ => v1beta1,
    };
    let dialect = Dialect::Crd { preserve_all };
    let top = spec
        .and_then(|x| x.get("validation"))
        .and_then(|v| v.get("openAPIV3Schema"));
    let mut versions: Vec<(String, Option<&Value>, String)> = Vec::new();
    match spec.and_then(|x| x.get("versions")) {
        Some(Value::Seq(vs)) => {
            for (i, v) in vs.iter().enumerate() {
                if v.get("served") == Some(&Value::Bool(false)) {
                    continue;
                }
                let schema = v
                    .get("schema")
                    .and_then(|x| x.get("openAPIV3Schema"))
                    .or(top);
                let at = if v.get("schema").is_some() {
                    format!("spec.versions[{i}].schema.openAPIV3Schema")
                } else {
                    "spec.validation.openAPIV3Schema".to_string()
                };
                versions.push((s(v.get("name")), schema, at));
            }
        }
        _ => {
            let name = s(spec.and_then(|x| x.get("version")));
            versions.push((name, top, "spec.validation.openAPIV3Schema".to_string()));
        }
    }
    for (version, schema, at) in versions {
        if version.is_empty() {
            continue;
        }
        let tree = match schema {
            Some(sch) => match schema::convert(sch, dialect, true) {
                Ok(t) => t,
                Err(e) => {
                    errors.push((at, e));
                    continue;
                }
            },
            // No schema: anything goes.
            None => {
                let mut t = Tree::default();
                t.nodes.push(schema::Node {
                    nullable: true,
                    resource_fields: true,
                    ..Default::default()
                });
                t
            }
        };
        out.push((format!("{group}/{version}"), kind.clone(), tree));
    }
    (out, errors)
}

/// What to check a document against.
enum Target<'a> {
    Custom(&'a Custom),
    Builtin(&'static Tree),
}

/// Validates `docs` (mappings) against the release of `opts`, CRDs found
/// among the documents, and `custom`. Problems are placed by `locate`.
pub fn validate(
    docs: &[&Value],
    custom: &CustomSchemas,
    opts: &Options,
    locate: &dyn Locate,
) -> Report {
    // CRDs of the input first: they win over schema directories.
    let mut input = CustomSchemas::new();
    let mut crd_errors: HashMap<usize, Vec<(String, String)>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        if d.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition")
            && d.get("apiVersion")
                .and_then(Value::as_str)
                .is_some_and(|a| a.starts_with("apiextensions.k8s.io/"))
        {
            let (schemas, errors) = crd_schemas(d);
            for (av, kind, tree) in schemas {
                input.exact.insert((av, kind), Custom { tree: tree.into() });
            }
            if !errors.is_empty() {
                crd_errors.insert(i, errors);
            }
        }
    }
    let release = opts.release;
    let results: Vec<(bool, Vec<Problem>)> = docs
        .par_iter()
        .enumerate()
        .map(|(i, doc)| {
            let (skipped, mut found) = check_document(doc, &input, custom, opts, release);
            if let Some(errors) = crd_errors.get(&i) {
                for (at, e) in errors {
                    found.push(Found {
                        path: Vec::new(),
                        kind: ProblemKind::BadSchema,
                        message: format!("{at}: {e}"),
                    });
                }
            }
            let id = DocId::of(doc);
            let mut problems: Vec<Problem> = found
                .into_iter()
                .map(|f| Problem {
                    doc: i,
                    resource: id.clone(),
                    path: render_path(doc, &f.path),
                    kind: f.kind,
                    message: f.message,
                    location: locate.locate(i, &f.path),
                })
                .collect();
            // In the order of the text where lines are known.
            problems.sort_by_key(|p| p.location.as_ref().map_or(usize::MAX, |l| l.line));
            (skipped, problems)
        })
        .collect();
    let mut report = Report {
        kubernetes_version: releases()[release].to_string(),
        resources: docs.len(),
        skipped: 0,
        problems: Vec::new(),
    };
    for (skipped, problems) in results {
        report.skipped += usize::from(skipped);
        report.problems.extend(problems);
    }
    report
}

/// Checks one document; returns whether it was skipped, and its problems.
fn check_document(
    doc: &Value,
    input: &CustomSchemas,
    custom: &CustomSchemas,
    opts: &Options,
    release: usize,
) -> (bool, Vec<Found>) {
    let root = |kind, message: String| Found {
        path: Vec::new(),
        kind,
        message,
    };
    let api_version = doc.get("apiVersion");
    let kind = doc.get("kind");
    let (Some(Value::String(api_version)), Some(Value::String(kind))) = (api_version, kind) else {
        let missing: Vec<&str> = [("apiVersion", api_version), ("kind", kind)]
            .iter()
            .filter(|(_, v)| !matches!(v, Some(Value::String(s)) if !s.is_empty()))
            .map(|(k, _)| *k)
            .collect();
        let msg = format!("{} missing or not a string", missing.join(" and "));
        return (false, vec![root(ProblemKind::MissingType, msg)]);
    };
    if opts.skips(api_version, kind) {
        return (true, Vec::new());
    }
    let show_values = kind != "Secret";
    let target = match input
        .get(api_version, kind)
        .or_else(|| custom.get(api_version, kind))
    {
        Some(c) => Target::Custom(c),
        None => match builtin_type(api_version, kind) {
            Some(t) if t.served & (1 << release) != 0 => match definition(release, t.def) {
                Some(tree) => Target::Builtin(tree),
                None => return (false, Vec::new()),
            },
            other => {
                let served = other.map(|t| t.served).unwrap_or(0);
                let group = removed::group_of(api_version);
                if served != 0 || removed::is_builtin_group(group) {
                    let msg = removed::not_served_message(api_version, kind, served, release);
                    return (false, vec![root(ProblemKind::NotServed, msg)]);
                }
                if opts.ignore_missing_schemas {
                    return (true, Vec::new());
                }
                let msg = format!(
                    "no schema for {api_version} {kind}: add its CustomResourceDefinition to the \
                     input or to a --schema-dir, or pass --ignore-missing-schemas"
                );
                return (false, vec![root(ProblemKind::UnknownKind, msg)]);
            }
        },
    };
    let mut checker = Checker::new(release, show_values);
    match target {
        Target::Custom(c) => checker.check(doc, &c.tree, 0),
        Target::Builtin(tree) => checker.check(doc, tree, 0),
    }
    (false, checker.found)
}

/// Renders a path of keys and indices in `aiw diff`'s notation, naming list
/// items by their key (`containers[name=app]`) when the list has one.
pub fn render_path(doc: &Value, path: &[PathSeg]) -> String {
    let mut out = String::new();
    let mut cur = Some(doc);
    for seg in path {
        match seg {
            PathSeg::Key(k) => {
                crate::diff::push_key(&mut out, k);
                cur = cur.and_then(|v| v.get(k));
            }
            PathSeg::Index(i) => {
                let items = cur.and_then(Value::as_seq);
                let keyed = items.and_then(|s| {
                    let key = crate::diff::item_key(s, s)?;
                    let id = s.get(*i)?.get(key).and_then(crate::diff::identity_scalar)?;
                    Some((key, id))
                });
                match keyed {
                    Some((key, id)) => crate::diff::push_item(&mut out, key, &id),
                    None => crate::diff::push_index(&mut out, *i),
                }
                cur = items.and_then(|s| s.get(*i));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
