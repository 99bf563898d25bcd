//! The edit commands, each as kustomize 5.5's `kustomize/commands/edit`
//! runs it (argument parsing, checks, messages), applied to an
//! [`EditFile`] with minimal text edits.

use std::path::Path;

use super::text::Step;
use super::{EditFile, find_by, glob, validate};
use crate::error::{Error, Result};
use crate::yaml::{Map, Value};

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// Builds a mapping from (key, value) pairs, skipping empty string values.
fn map_of(pairs: &[(&str, Value)]) -> Map {
    let mut m = Map::new();
    for (k, v) in pairs {
        if matches!(v, Value::String(x) if x.is_empty()) || v.is_null() {
            continue;
        }
        m.insert(*k, v.clone());
    }
    m
}

// ---------------------------------------------------------------- set

/// `edit set nameprefix`.
pub fn set_name_prefix(f: &mut EditFile, prefix: &str) -> Result<()> {
    f.set_scalar("namePrefix", prefix)
}

/// `edit set namesuffix`.
pub fn set_name_suffix(f: &mut EditFile, suffix: &str) -> Result<()> {
    f.set_scalar("nameSuffix", suffix)
}

/// Checks a namespace name as `edit set namespace` does.
pub fn check_namespace(ns: &str) -> Result<()> {
    validate::dns1123_label(ns).map_err(Error::msg)
}

/// `edit set namespace`.
pub fn set_namespace(f: &mut EditFile, ns: &str) -> Result<()> {
    check_namespace(ns)?;
    f.set_scalar("namespace", ns)
}

/// An `images` entry: name, newName, newTag, digest (kustomize's
/// `types.Image`, whose tagSuffix `set image` never writes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageArg {
    /// The image name to match.
    pub name: String,
    /// `newName` (`*`: keep the file's).
    pub new_name: String,
    /// `newTag` (`*`: keep the file's).
    pub new_tag: String,
    /// `digest` (`*`: keep the file's).
    pub digest: String,
}

const IMAGE_FORMS: &str = "invalid format of image, use one of the following options:
- <image>=<newimage>:<newtag>
- <image>=<newimage>@<digest>
- <image>=<newimage>:<newtag>@<digest>
- <image>=<newimage>
- <image>:<newtag>
- <image>:<newtag>@<digest>
- <image>@<digest>";

/// kustomize's `image.Split`: name, tag, digest (a registry host's port is
/// not a tag).
pub fn split_image(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|&i| i > 0).unwrap_or(0);
    let search = &image[slash..];
    let id = search.find('@');
    let ic = search.find(':');
    match (ic, id) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (ic, Some(d)) if ic.is_none_or(|c| d < c) => {
            let d = d + slash;
            (
                image[..d].to_string(),
                String::new(),
                image[d + 1..].to_string(),
            )
        }
        (Some(c), Some(d)) => {
            let (c, d) = (c + slash, d + slash);
            (
                image[..c].to_string(),
                image[c + 1..d].to_string(),
                image[d + 1..].to_string(),
            )
        }
        (Some(c), None) => {
            let c = c + slash;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
        (None, Some(_)) => unreachable!("handled by the digest-only arm"),
    }
}

/// Parses one `set image` argument (`name=new:tag@digest`, `name:tag`,
/// `name@digest`, with `*` to keep a part).
pub fn parse_image_arg(arg: &str) -> Result<ImageArg> {
    let (key, value) = match arg.split_once('=') {
        Some((k, v)) => (k, v),
        None => ("", arg),
    };
    let (name, tag, digest) = split_image(value);
    if name == arg {
        return Err(Error::msg(format!("{:?}: {}", arg, IMAGE_FORMS)));
    }
    Ok(if key.is_empty() {
        ImageArg {
            name,
            new_tag: tag,
            digest,
            ..Default::default()
        }
    } else {
        ImageArg {
            name: key.to_string(),
            new_name: name,
            new_tag: tag,
            digest,
        }
    })
}

/// Adds or updates entries of a list of mappings keyed by `name` and keeps
/// it sorted by name, as `set image` and `set replicas` leave it: the first
/// entry of a name wins over later ones (which are removed), an updated
/// entry gets exactly the `managed` fields of its update, new entries go to
/// their sorted place.
fn upsert_sorted(f: &mut EditFile, field: &str, updates: &[Map], managed: &[&str]) -> Result<()> {
    let name_of = |v: &Value| {
        v.get("name")
            .and_then(Value::scalar_string)
            .unwrap_or_default()
    };
    let is_seq = matches!(
        f.doc.node(&[Step::Key(field)]).map(|n| &n.kind),
        Some(crate::yaml::spans::NodeKind::Seq { .. })
    );
    if !f.has_content(field) || !is_seq {
        let mut all: Vec<Value> = Vec::new();
        for it in f.items(field) {
            if !all.iter().any(|a| name_of(a) == name_of(&it)) {
                all.push(it);
            }
        }
        for u in updates {
            let name = u
                .get("name")
                .and_then(Value::scalar_string)
                .unwrap_or_default();
            match all.iter().position(|a| name_of(a) == name) {
                Some(i) => all[i] = Value::Map(u.clone()),
                None => all.push(Value::Map(u.clone())),
            }
        }
        all.sort_by_key(|v| name_of(v));
        let v = Value::Seq(all);
        return f.edit(|d| d.set(&[], field, &v, false));
    }
    // Later duplicates of a name go.
    let items = f.items(field);
    let mut seen = Vec::new();
    let mut dups = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let n = name_of(it);
        if seen.contains(&n) {
            dups.push(i);
        } else {
            seen.push(n);
        }
    }
    f.remove_items(field, &dups)?;
    // Updates of existing entries, field by field.
    for u in updates {
        let name = u
            .get("name")
            .and_then(Value::scalar_string)
            .unwrap_or_default();
        let items = f.items(field);
        let Some(i) = items.iter().position(|it| name_of(it) == name) else {
            continue;
        };
        for m in managed {
            let items = f.items(field);
            let current = items[i].get(m).cloned();
            let want = u.get(m).cloned();
            let path = [Step::Key(field), Step::Index(i)];
            match (current, want) {
                (Some(_), None) => f.edit(|d| d.remove(&path, m))?,
                (c, Some(w)) if c.as_ref() != Some(&w) => f.edit(|d| d.set(&path, m, &w, true))?,
                _ => {}
            }
        }
    }
    // Sorted by name (the moved items keep their comments).
    let names: Vec<String> = f.items(field).iter().map(name_of).collect();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(&names[b]));
    f.edit(|d| d.reorder(&[Step::Key(field)], &order))?;
    // New entries at their sorted places.
    for u in updates {
        let name = u
            .get("name")
            .and_then(Value::scalar_string)
            .unwrap_or_default();
        let names: Vec<String> = f.items(field).iter().map(name_of).collect();
        if names.contains(&name) {
            continue;
        }
        let at = names.iter().position(|n| *n > name).unwrap_or(names.len());
        let v = Value::Map(u.clone());
        f.edit(|d| d.insert_item(&[Step::Key(field)], at, &v))?;
    }
    Ok(())
}

/// `edit set image`.
pub fn set_images(f: &mut EditFile, args: &[String]) -> Result<()> {
    if args.is_empty() {
        return Err(Error::msg("no image specified"));
    }
    let mut wanted: Vec<ImageArg> = Vec::new();
    for a in args {
        let img = parse_image_arg(a)?;
        match wanted.iter().position(|w| w.name == img.name) {
            Some(i) => wanted[i] = img,
            None => wanted.push(img),
        }
    }
    // The deprecated imageTags are images to kustomize.
    if f.doc.node(&[Step::Key("imageTags")]).is_some() {
        let tags = f.items("imageTags");
        f.remove_field("imageTags")?;
        f.append("images", &tags)?;
    }
    let existing = f.items("images");
    let field = |v: &Value, k: &str| v.get(k).and_then(Value::scalar_string).unwrap_or_default();
    let mut updates = Vec::new();
    for mut w in wanted {
        if let Some(&i) = find_by(&existing, "name", &w.name).first() {
            let im = &existing[i];
            if w.new_name == "*" {
                w.new_name = field(im, "newName");
            }
            if w.new_tag == "*" {
                w.new_tag = field(im, "newTag");
            }
            if w.digest == "*" {
                w.digest = field(im, "digest");
            }
        }
        for part in [&mut w.new_name, &mut w.new_tag, &mut w.digest] {
            if part == "*" {
                part.clear();
            }
        }
        updates.push(map_of(&[
            ("name", s(&w.name)),
            ("newName", s(&w.new_name)),
            ("newTag", s(&w.new_tag)),
            ("digest", s(&w.digest)),
        ]));
    }
    upsert_sorted(
        f,
        "images",
        &updates,
        &["newName", "tagSuffix", "newTag", "digest"],
    )
}

/// `edit set replicas` (`name=count`).
pub fn set_replicas(f: &mut EditFile, args: &[String]) -> Result<()> {
    if args.is_empty() {
        return Err(Error::msg("no replicas specified"));
    }
    let bad = || Error::msg("invalid format of replica, use the following format: <name>=<count>");
    let mut updates: Vec<Map> = Vec::new();
    for a in args {
        let parts: Vec<&str> = a.split('=').collect();
        let [name, count] = parts.as_slice() else {
            return Err(bad());
        };
        let count: i64 = count.parse().map_err(|_| bad())?;
        let m = map_of(&[("name", s(name)), ("count", Value::Int(count))]);
        match updates.iter().position(|u| u.get("name") == m.get("name")) {
            Some(i) => updates[i] = m,
            None => updates.push(m),
        }
    }
    upsert_sorted(f, "replicas", &updates, &["count"])
}

/// kustomize's `ConvertSliceToMap`: `key:value` (value optional, one pair of
/// surrounding double quotes dropped), in argument order, later keys
/// winning.
pub fn parse_pairs(args: &[String], kind: &str) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for a in args {
        let (k, v) = match a.find(':') {
            Some(0) => {
                return Err(Error::msg(format!(
                    "invalid {}: '{}' (need k:v pair where v may be quoted)",
                    kind, a
                )));
            }
            Some(i) => {
                let v = &a[i + 1..];
                let v = if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                    &v[1..v.len() - 1]
                } else {
                    v
                };
                (a[..i].to_string(), v.to_string())
            }
            None => (a.clone(), String::new()),
        };
        match out.iter().position(|(x, _)| *x == k) {
            Some(i) => out[i].1 = v,
            None => out.push((k, v)),
        }
    }
    Ok(out)
}

/// Checks labels as kustomize's label validator does.
pub fn check_labels(pairs: &[(String, String)]) -> Result<()> {
    for (k, v) in pairs {
        validate::qualified_name("label", k).map_err(Error::msg)?;
        validate::label_value(k, v).map_err(Error::msg)?;
    }
    Ok(())
}

/// Checks annotation keys.
pub fn check_annotations(pairs: &[(String, String)]) -> Result<()> {
    for (k, _) in pairs {
        validate::qualified_name("annotation", k).map_err(Error::msg)?;
    }
    Ok(())
}

/// `edit set label` (commonLabels, overwriting).
pub fn set_labels(f: &mut EditFile, args: &[String]) -> Result<()> {
    if args.is_empty() {
        return Err(Error::msg("must specify label"));
    }
    let pairs = parse_pairs(args, "label")?;
    check_labels(&pairs)?;
    for (k, v) in &pairs {
        f.map_set("commonLabels", k, v)?;
    }
    Ok(())
}

/// `edit set annotation` (commonAnnotations, overwriting).
pub fn set_annotations(f: &mut EditFile, args: &[String]) -> Result<()> {
    if args.is_empty() {
        return Err(Error::msg("must specify annotation"));
    }
    let pairs = parse_pairs(args, "annotation")?;
    check_annotations(&pairs)?;
    for (k, v) in &pairs {
        f.map_set("commonAnnotations", k, v)?;
    }
    Ok(())
}

const BUILD_METADATA_OPTIONS: [&str; 3] = [
    "originAnnotations",
    "transformerAnnotations",
    "managedByLabel",
];

/// kustomize's `BuildMetadataValidator`: one argument, comma-separated
/// options.
pub fn parse_build_metadata(args: &[String]) -> Result<Vec<String>> {
    match args {
        [] => Err(Error::msg("must specify a buildMetadata option")),
        [one] => {
            let opts: Vec<String> = one.split(',').map(str::to_string).collect();
            for o in &opts {
                if !BUILD_METADATA_OPTIONS.contains(&o.as_str()) {
                    return Err(Error::msg(format!("invalid buildMetadata option: {}", o)));
                }
            }
            Ok(opts)
        }
        many => Err(Error::msg(format!(
            "too many arguments: [{}]; to provide multiple buildMetadata options, please separate options by comma",
            many.join(" ")
        ))),
    }
}

/// `edit set buildmetadata`: the field becomes exactly these options.
pub fn set_build_metadata(f: &mut EditFile, args: &[String]) -> Result<()> {
    let opts = parse_build_metadata(args)?;
    let v = Value::Seq(opts.into_iter().map(Value::String).collect());
    f.edit(|d| d.set(&[], "buildMetadata", &v, false))
}

// ---------------------------------------------------------------- add

/// Expands `add resource`/`add component` arguments as kustomize's
/// `GlobPatternsWithLoader` does: glob matches, or a remote URL as given;
/// anything else is an error.
fn expand_checked(dir: &Path, patterns: &[String], what: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for p in patterns {
        let m = glob::glob(dir, p).map_err(|e| Error::msg(format!("{}: {}", p, e)))?;
        if !m.is_empty() {
            out.extend(m);
        } else if crate::remote::RepoSpec::parse(p).is_ok() || crate::remote::is_remote_file(p) {
            out.push(p.clone());
        } else {
            return Err(Error::msg(format!(
                "{} {}: no file or directory matches it in {}",
                what,
                p,
                if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                }
                .display()
            )));
        }
    }
    Ok(out)
}

/// Expands arguments as kustomize's `GlobPatterns` does: no match is a
/// warning.
fn expand_lenient(f: &mut EditFile, patterns: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for p in patterns {
        let m = glob::glob(&f.dir, p).map_err(|e| Error::msg(format!("{}: {}", p, e)))?;
        if m.is_empty() {
            f.warnings.push(format!("{} has no match", p));
        }
        out.extend(m);
    }
    Ok(out)
}

/// `edit add resource` (globs expanded, `--no-verify` takes them as given).
pub fn add_resources(f: &mut EditFile, patterns: &[String], no_verify: bool) -> Result<()> {
    if patterns.is_empty() {
        return Err(Error::msg("must specify a resource file"));
    }
    let found = if no_verify {
        patterns.to_vec()
    } else {
        expand_checked(&f.dir, patterns, "resource")?
    };
    add_to_list(f, "resources", "resource", found)
}

/// Appends new entries to a list (resources with the legacy bases),
/// skipping the kustomization file itself and entries already there.
fn add_to_list(f: &mut EditFile, field: &str, what: &str, found: Vec<String>) -> Result<()> {
    let me = f.file_name();
    let mut have = f.strings(field);
    if field == "resources" {
        have.extend(f.strings("bases"));
    }
    let mut add = Vec::new();
    for r in found {
        if r == me {
            continue;
        }
        if have.contains(&r) {
            f.warnings
                .push(format!("{} {} already in kustomization file", what, r));
            continue;
        }
        have.push(r.clone());
        add.push(Value::String(r));
    }
    if add.is_empty() {
        return Ok(());
    }
    if field == "resources" {
        f.migrate_bases()?;
    }
    f.append(field, &add)
}

/// `edit add component`.
pub fn add_components(f: &mut EditFile, patterns: &[String]) -> Result<()> {
    if patterns.is_empty() {
        return Err(Error::msg("must specify a component file"));
    }
    let found = expand_checked(&f.dir, patterns, "component")?;
    add_to_list(f, "components", "component", found)
}

/// `edit add base DIR[,DIR...]` (added to resources).
pub fn add_bases(f: &mut EditFile, args: &[String]) -> Result<()> {
    let [arg] = args else {
        return Err(Error::msg("must specify a base directory"));
    };
    let mut have = f.strings("resources");
    have.extend(f.strings("bases"));
    let mut add = Vec::new();
    for p in arg.split(',') {
        if std::fs::symlink_metadata(f.dir.join(p)).is_err() {
            return Err(Error::msg(format!("{} does not exist", p)));
        }
        if have.iter().any(|h| h == p) {
            return Err(f.error(format!("base {} already in kustomization file", p)));
        }
        have.push(p.to_string());
        add.push(s(p));
    }
    f.migrate_bases()?;
    f.append("resources", &add)
}

/// `edit add transformer`.
pub fn add_transformers(f: &mut EditFile, patterns: &[String]) -> Result<()> {
    if patterns.is_empty() {
        return Err(Error::msg(
            "must specify a yaml file which contains a transformer plugin resource",
        ));
    }
    let found = expand_lenient(f, patterns)?;
    add_to_list(f, "transformers", "transformer", found)
}

/// `edit add generator`.
pub fn add_generators(f: &mut EditFile, patterns: &[String]) -> Result<()> {
    if patterns.is_empty() {
        return Err(Error::msg(
            "must specify a yaml file which contains a generator plugin resource",
        ));
    }
    let found = expand_lenient(f, patterns)?;
    add_to_list(f, "generators", "generator", found)
}

/// `edit add buildmetadata`.
pub fn add_build_metadata(f: &mut EditFile, args: &[String]) -> Result<()> {
    let opts = parse_build_metadata(args)?;
    let mut have = f.strings("buildMetadata");
    let mut add = Vec::new();
    for o in opts {
        if have.contains(&o) {
            return Err(f.error(format!(
                "buildMetadata option {} already in kustomization file",
                o
            )));
        }
        have.push(o.clone());
        add.push(Value::String(o));
    }
    f.append("buildMetadata", &add)
}

/// `edit add label`: commonLabels (refusing existing keys unless
/// `force`), or with `without_selector` a new `labels` entry.
pub fn add_labels(
    f: &mut EditFile,
    args: &[String],
    force: bool,
    without_selector: bool,
    include_templates: bool,
) -> Result<()> {
    if args.is_empty() {
        return Err(Error::msg("must specify label"));
    }
    if !without_selector && include_templates {
        return Err(Error::msg(
            "--without-selector flag must be specified for --include-templates to work",
        ));
    }
    let pairs = parse_pairs(args, "label")?;
    check_labels(&pairs)?;
    if without_selector {
        let mut p = Map::new();
        for (k, v) in &pairs {
            p.insert(k.clone(), s(v));
        }
        let mut entry = Map::new();
        entry.insert("pairs", Value::Map(p));
        if include_templates {
            entry.insert("includeTemplates", Value::Bool(true));
        }
        return f.append("labels", &[Value::Map(entry)]);
    }
    add_pairs(f, "commonLabels", "label", &pairs, force)
}

/// `edit add annotation`.
pub fn add_annotations(f: &mut EditFile, args: &[String], force: bool) -> Result<()> {
    if args.is_empty() {
        return Err(Error::msg("must specify annotation"));
    }
    let pairs = parse_pairs(args, "annotation")?;
    check_annotations(&pairs)?;
    add_pairs(f, "commonAnnotations", "annotation", &pairs, force)
}

fn add_pairs(
    f: &mut EditFile,
    field: &str,
    what: &str,
    pairs: &[(String, String)],
    force: bool,
) -> Result<()> {
    let have = f.string_map(field).unwrap_or_default();
    if !force && let Some((k, _)) = pairs.iter().find(|(k, _)| have.iter().any(|(h, _)| h == k)) {
        return Err(f.error(format!("{} {} already in kustomization file", what, k)));
    }
    let mut sorted = pairs.to_vec();
    sorted.sort();
    for (k, v) in &sorted {
        f.map_set(field, k, v)?;
    }
    Ok(())
}

/// A patch as `edit add patch` / `edit remove patch` describe it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatchArg {
    /// `--path`.
    pub path: String,
    /// `--patch` (inline).
    pub patch: String,
    /// Target: group, version, kind, name, namespace, annotationSelector,
    /// labelSelector (empty: no target).
    pub target: [String; 7],
}

const TARGET_KEYS: [&str; 7] = [
    "group",
    "version",
    "kind",
    "name",
    "namespace",
    "annotationSelector",
    "labelSelector",
];

impl PatchArg {
    fn value(&self) -> Value {
        let mut m = map_of(&[("path", s(&self.path)), ("patch", s(&self.patch))]);
        if self.target.iter().any(|t| !t.is_empty()) {
            let pairs: Vec<(&str, Value)> = TARGET_KEYS
                .iter()
                .zip(&self.target)
                .map(|(k, v)| (*k, s(v)))
                .collect();
            m.insert("target", Value::Map(map_of(&pairs)));
        }
        Value::Map(m)
    }

    /// kustomize's `Patch.Equals` against a `patches` entry.
    fn equals(&self, v: &Value) -> bool {
        let str_of = |v: Option<&Value>| v.and_then(Value::scalar_string).unwrap_or_default();
        if str_of(v.get("path")) != self.path || str_of(v.get("patch")) != self.patch {
            return false;
        }
        if v.get("options").is_some_and(|o| !o.is_null()) {
            return false;
        }
        match v.get("target").filter(|t| !t.is_null()) {
            None => self.target.iter().all(String::is_empty),
            Some(t) => {
                self.target.iter().any(|x| !x.is_empty())
                    && TARGET_KEYS
                        .iter()
                        .zip(&self.target)
                        .all(|(k, want)| str_of(t.get(k)) == *want)
            }
        }
    }
}

/// `edit add patch`.
pub fn add_patch(f: &mut EditFile, p: &PatchArg) -> Result<()> {
    if !p.patch.is_empty() && !p.path.is_empty() {
        return Err(Error::msg("patch and path can't be set at the same time"));
    }
    if p.patch.is_empty() && p.path.is_empty() {
        return Err(Error::msg("must provide either patch or path"));
    }
    if f.items("patches").iter().any(|e| p.equals(e)) {
        f.warnings.push(format!(
            "patch {} already in kustomization file",
            if p.path.is_empty() { &p.patch } else { &p.path }
        ));
        return Ok(());
    }
    f.append("patches", &[p.value()])
}

/// `edit remove patch`: removes the entries equal to `p`.
pub fn remove_patch(f: &mut EditFile, p: &PatchArg) -> Result<()> {
    if !p.patch.is_empty() && !p.path.is_empty() {
        return Err(Error::msg("patch and path can't be set at the same time"));
    }
    let gone: Vec<usize> = f
        .items("patches")
        .iter()
        .enumerate()
        .filter(|(_, e)| p.equals(e))
        .map(|(i, _)| i)
        .collect();
    if gone.is_empty() {
        f.warnings.push(format!(
            "patch {} doesn't exist in kustomization file",
            if p.path.is_empty() { &p.patch } else { &p.path }
        ));
        return Ok(());
    }
    f.remove_items("patches", &gone)
}

/// Which generator list an `add/set/remove configmap|secret` works on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratorKind {
    /// `configMapGenerator`.
    ConfigMap,
    /// `secretGenerator`.
    Secret,
}

impl GeneratorKind {
    fn field(self) -> &'static str {
        match self {
            GeneratorKind::ConfigMap => "configMapGenerator",
            GeneratorKind::Secret => "secretGenerator",
        }
    }
    fn word(self) -> &'static str {
        match self {
            GeneratorKind::ConfigMap => "configmap",
            GeneratorKind::Secret => "secret",
        }
    }
}

/// The flags of `edit add configmap|secret` and `edit set configmap|secret`.
#[derive(Clone, Debug, Default)]
pub struct GeneratorFlags {
    /// The generator's name.
    pub name: String,
    /// `--from-file` (`[key=]path`, globs expanded).
    pub files: Vec<String>,
    /// `--from-literal` (`key=value`).
    pub literals: Vec<String>,
    /// `--from-env-file`.
    pub env_file: String,
    /// `--behavior`.
    pub behavior: String,
    /// `--namespace`.
    pub namespace: String,
    /// `--new-namespace` (set only).
    pub new_namespace: String,
    /// `--disableNameSuffixHash`.
    pub disable_name_suffix_hash: bool,
    /// `--type` (secrets; kustomize's default is Opaque).
    pub type_: String,
}

/// kustomize's `NamespaceEqual`: empty means `default`.
fn namespace_equal(a: &str, b: &str) -> bool {
    let d = |x: &str| {
        if x.is_empty() {
            "default".to_string()
        } else {
            x.to_string()
        }
    };
    d(a) == d(b)
}

/// kustomize's `ExpandFileSource`: globs in `--from-file` expanded; a
/// `key=pattern` must match exactly one file.
fn expand_file_sources(f: &mut EditFile, sources: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for src in sources {
        let parts: Vec<&str> = src.split('=').collect();
        let (key, pattern) = match parts.as_slice() {
            [k, p] => (Some(*k), *p),
            _ => (None, parts[0]),
        };
        let found = expand_lenient(f, &[pattern.to_string()])?;
        match key {
            Some(k) => {
                if found.len() != 1 {
                    return Err(Error::msg(format!(
                        "'pattern '{}' catches files [{}], should catch only one",
                        src,
                        found.join(" ")
                    )));
                }
                out.push(format!("{}={}", k, found[0]));
            }
            None => out.extend(found),
        }
    }
    Ok(out)
}

/// Index of the generator entry named `name` in namespace `ns`.
fn find_generator(f: &EditFile, kind: GeneratorKind, name: &str, ns: &str) -> Option<usize> {
    f.items(kind.field()).iter().position(|e| {
        e.get("name").and_then(Value::scalar_string).as_deref() == Some(name)
            && namespace_equal(
                &e.get("namespace")
                    .and_then(Value::scalar_string)
                    .unwrap_or_default(),
                ns,
            )
    })
}

/// Appends to a list inside item `i` of `field` (creating it).
fn append_in_item(f: &mut EditFile, field: &str, i: usize, key: &str, add: &[Value]) -> Result<()> {
    if add.is_empty() {
        return Ok(());
    }
    let node = f
        .doc
        .node(&[Step::Key(field), Step::Index(i), Step::Key(key)]);
    let is_list = matches!(
        node.map(|n| &n.kind),
        Some(crate::yaml::spans::NodeKind::Seq { items, .. }) if !items.is_empty()
    );
    if is_list {
        for v in add {
            let path = [Step::Key(field), Step::Index(i), Step::Key(key)];
            let n = f.doc.len(&path);
            f.edit(|d| d.insert_item(&path, n, v))?;
        }
        return Ok(());
    }
    let mut all = match f.items(field)[i].get(key) {
        Some(Value::Seq(v)) => v.clone(),
        _ => Vec::new(),
    };
    all.extend(add.iter().cloned());
    let v = Value::Seq(all);
    f.edit(|d| d.set(&[Step::Key(field), Step::Index(i)], key, &v, true))
}

/// Checks that the generator entry now in the file makes a valid object
/// (its files exist, its keys are valid and unique), as kustomize checks
/// by generating it.
fn check_generator(f: &EditFile, kind: GeneratorKind, name: &str, ns: &str) -> Result<()> {
    let k =
        crate::kustomization::Kustomization::from_value(f.shown(), &Value::Map(f.value.clone()))?;
    let list = match kind {
        GeneratorKind::ConfigMap => &k.config_map_generator,
        GeneratorKind::Secret => &k.secret_generator,
    };
    let Some(args) = list
        .iter()
        .find(|a| a.name == name && namespace_equal(&a.namespace, ns))
    else {
        return Ok(());
    };
    let ldr = crate::loader::Loader::new(&f.dir, crate::loader::LoadRestrictor::RootOnly)?;
    let gk = match kind {
        GeneratorKind::ConfigMap => crate::generate::GeneratedKind::ConfigMap,
        GeneratorKind::Secret => crate::generate::GeneratedKind::Secret,
    };
    crate::generate::generate(&ldr, gk, args, k.generator_options.as_ref())
        .map(|_| ())
        .map_err(|e| Error::msg(format!("failed to create {}: {}", kind.word(), e)))
}

/// `edit add configmap|secret NAME`: adds the sources to the entry of
/// that name and namespace, or adds a new entry.
pub fn add_generator(f: &mut EditFile, kind: GeneratorKind, flags: &GeneratorFlags) -> Result<()> {
    let files = expand_file_sources(f, &flags.files)?;
    if flags.env_file.is_empty() && files.is_empty() && flags.literals.is_empty() {
        return Err(Error::msg(
            "at least from-env-file, or from-file or from-literal must be set",
        ));
    }
    if !flags.env_file.is_empty() && (!files.is_empty() || !flags.literals.is_empty()) {
        return Err(Error::msg(
            "from-env-file cannot be combined with from-file or from-literal",
        ));
    }
    if !flags.behavior.is_empty()
        && !["create", "merge", "replace"].contains(&flags.behavior.as_str())
    {
        return Err(Error::msg(
            "invalid behavior: must be one of \"create\", \"merge\", or \"replace\"",
        ));
    }
    let field = kind.field();
    let strs = |v: &[String]| v.iter().map(|x| s(x)).collect::<Vec<Value>>();
    let envs: Vec<Value> = if flags.env_file.is_empty() {
        Vec::new()
    } else {
        vec![s(&flags.env_file)]
    };
    match find_generator(f, kind, &flags.name, &flags.namespace) {
        Some(i) => {
            append_in_item(f, field, i, "literals", &strs(&flags.literals))?;
            append_in_item(f, field, i, "files", &strs(&files))?;
            if !envs.is_empty() {
                // The legacy `env` joins `envs` first, as kustomize reads it.
                let legacy = f.items(field)[i].get("env").and_then(Value::scalar_string);
                let mut add = Vec::new();
                if let Some(e) = legacy.filter(|e| !e.is_empty()) {
                    f.edit(|d| d.remove(&[Step::Key(field), Step::Index(i)], "env"))?;
                    add.push(s(&e));
                }
                add.extend(envs);
                append_in_item(f, field, i, "envs", &add)?;
            }
            let path = [Step::Key(field), Step::Index(i)];
            if !flags.behavior.is_empty() {
                let b = s(&flags.behavior);
                f.edit(|d| d.set(&path, "behavior", &b, true))?;
            }
            if flags.disable_name_suffix_hash {
                let opts = f.items(field)[i].get("options").cloned();
                match opts {
                    Some(Value::Map(m)) if !m.is_empty() => {
                        let opath = [Step::Key(field), Step::Index(i), Step::Key("options")];
                        f.edit(|d| {
                            d.set(&opath, "disableNameSuffixHash", &Value::Bool(true), true)
                        })?;
                    }
                    _ => {
                        let mut m = Map::new();
                        m.insert("disableNameSuffixHash", Value::Bool(true));
                        let m = Value::Map(m);
                        f.edit(|d| d.set(&path, "options", &m, true))?;
                    }
                }
            }
        }
        None => {
            let mut opts = Map::new();
            if flags.disable_name_suffix_hash {
                opts.insert("disableNameSuffixHash", Value::Bool(true));
            }
            let list = |v: Vec<Value>| {
                if v.is_empty() {
                    Value::NULL
                } else {
                    Value::Seq(v)
                }
            };
            let mut pairs = vec![
                ("name", s(&flags.name)),
                ("namespace", s(&flags.namespace)),
                ("behavior", s(&flags.behavior)),
                ("literals", list(strs(&flags.literals))),
                ("files", list(strs(&files))),
                ("envs", list(envs)),
            ];
            if !opts.is_empty() {
                pairs.push(("options", Value::Map(opts)));
            }
            if kind == GeneratorKind::Secret {
                let t = if flags.type_.is_empty() {
                    "Opaque"
                } else {
                    &flags.type_
                };
                pairs.push(("type", s(t)));
            }
            f.append(field, &[Value::Map(map_of(&pairs))])?;
        }
    }
    check_generator(f, kind, &flags.name, &flags.namespace)
}

/// `edit set configmap|secret NAME`: new values for existing literal keys,
/// and/or a new namespace.
pub fn set_generator(f: &mut EditFile, kind: GeneratorKind, flags: &GeneratorFlags) -> Result<()> {
    if flags.literals.is_empty() && flags.new_namespace.is_empty() {
        return Err(Error::msg(
            "at least one of [--from-literal, --new-namespace] must be specified",
        ));
    }
    let field = kind.field();
    let Some(i) = find_generator(f, kind, &flags.name, &flags.namespace) else {
        return Err(f.error(format!(
            "could not set new {} value: unable to find {} with name {:?}",
            kind.word(),
            match kind {
                GeneratorKind::ConfigMap => "ConfigMap",
                GeneratorKind::Secret => "Secret",
            },
            flags.name
        )));
    };
    let split = |l: &str| -> Result<(String, String)> {
        if l.matches('=').count() != 1 {
            return Err(Error::msg(
                "invalid format: literal values must be specified in the key=value format",
            ));
        }
        let (k, v) = l.split_once('=').unwrap_or((l, ""));
        Ok((k.to_string(), v.to_string()))
    };
    let existing: Vec<String> = match f.items(field)[i].get("literals") {
        Some(Value::Seq(v)) => v.iter().filter_map(Value::scalar_string).collect(),
        _ => Vec::new(),
    };
    for l in &existing {
        split(l)?;
    }
    for l in &flags.literals {
        let (k, v) = split(l)?;
        let hits: Vec<usize> = existing
            .iter()
            .enumerate()
            .filter(|(_, e)| split(e).map(|(ek, _)| ek == k).unwrap_or(false))
            .map(|(j, _)| j)
            .collect();
        if hits.is_empty() {
            return Err(f.error(format!("key '{}' not found in resource", k)));
        }
        for j in hits {
            let path = [Step::Key(field), Step::Index(i), Step::Key("literals")];
            let new = s(&format!("{}={}", k, v));
            // Replace item j in place.
            f.edit(|d| {
                d.remove_item(&path, j)?;
                d.insert_item(&path, j, &new)
            })?;
        }
    }
    let mut ns = flags.namespace.clone();
    if !flags.new_namespace.is_empty() {
        let v = s(&flags.new_namespace);
        f.edit(|d| d.set(&[Step::Key(field), Step::Index(i)], "namespace", &v, true))?;
        ns = flags.new_namespace.clone();
    }
    check_generator(f, kind, &flags.name, &ns)
}

// ---------------------------------------------------------------- remove

/// Patterns matched against entries (Go's `filepath.Match`).
fn matching(entries: &[String], patterns: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for p in patterns {
        for e in entries {
            if glob::matches(p, e).map_err(|err| Error::msg(format!("{}: {}", p, err)))? {
                out.push(e.clone());
            }
        }
    }
    Ok(out)
}

/// `edit remove resource` (patterns match entries, not files).
pub fn remove_resources(f: &mut EditFile, patterns: &[String]) -> Result<()> {
    if patterns.is_empty() {
        return Err(Error::msg("must specify a resource file"));
    }
    let mut all = f.strings("resources");
    all.extend(f.strings("bases"));
    let gone = matching(&all, patterns)?;
    if gone.is_empty() {
        return Ok(());
    }
    f.migrate_bases()?;
    let idx: Vec<usize> = f
        .strings("resources")
        .iter()
        .enumerate()
        .filter(|(_, r)| gone.contains(r))
        .map(|(i, _)| i)
        .collect();
    f.remove_items("resources", &idx)
}

/// `edit remove transformer`.
pub fn remove_transformers(f: &mut EditFile, patterns: &[String]) -> Result<()> {
    if patterns.is_empty() {
        return Err(Error::msg("must specify a transformer file"));
    }
    let all = f.strings("transformers");
    let gone = matching(&all, patterns)?;
    let idx: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, r)| gone.contains(r))
        .map(|(i, _)| i)
        .collect();
    f.remove_items("transformers", &idx)
}

/// `edit remove buildmetadata`.
pub fn remove_build_metadata(f: &mut EditFile, args: &[String]) -> Result<()> {
    let opts = parse_build_metadata(args)?;
    let idx: Vec<usize> = f
        .strings("buildMetadata")
        .iter()
        .enumerate()
        .filter(|(_, o)| opts.contains(o))
        .map(|(i, _)| i)
        .collect();
    f.remove_items("buildMetadata", &idx)
}

/// `edit remove label|annotation KEY[,KEY...]`.
pub fn remove_pairs(
    f: &mut EditFile,
    labels: bool,
    args: &[String],
    ignore_missing: bool,
) -> Result<()> {
    let (field, what) = if labels {
        ("commonLabels", "label")
    } else {
        ("commonAnnotations", "annotation")
    };
    let arg = match args {
        [] => return Err(Error::msg(format!("must specify {}", what))),
        [one] => one,
        _ => {
            return Err(Error::msg(format!(
                "{}s must be comma-separated, with no spaces",
                what
            )));
        }
    };
    let keys: Vec<&str> = arg.split(',').collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(Error::msg(format!("invalid {}: '' (name is empty)", what)));
    }
    for k in &keys {
        validate::qualified_name(what, k).map_err(Error::msg)?;
    }
    let Some(have) = f.string_map(field) else {
        if ignore_missing {
            return Ok(());
        }
        return Err(f.error(format!("{} is not defined in kustomization file", field)));
    };
    for k in &keys {
        if !have.iter().any(|(h, _)| h == k) && !ignore_missing {
            return Err(f.error(format!(
                "{} {} is not defined in kustomization file",
                what, k
            )));
        }
    }
    for k in keys {
        f.map_remove(field, k)?;
    }
    Ok(())
}

/// `edit remove configmap|secret NAME[,NAME...]`.
pub fn remove_generators(
    f: &mut EditFile,
    kind: GeneratorKind,
    args: &[String],
    namespace: &str,
) -> Result<()> {
    let arg = match args {
        [] => {
            return Err(Error::msg(format!(
                "at least one {} name must be specified",
                kind.word()
            )));
        }
        [one] => one,
        many => {
            return Err(Error::msg(format!(
                "too many arguments: [{}]; to provide multiple {}s to remove, please separate {} names by commas",
                many.join(" "),
                kind.word(),
                kind.word()
            )));
        }
    };
    let names: Vec<&str> = arg.split(',').collect();
    let mut found = Vec::new();
    let mut idx = Vec::new();
    for (i, e) in f.items(kind.field()).iter().enumerate() {
        let name = e
            .get("name")
            .and_then(Value::scalar_string)
            .unwrap_or_default();
        let ns = e
            .get("namespace")
            .and_then(Value::scalar_string)
            .unwrap_or_default();
        if names.contains(&name.as_str()) && namespace_equal(&ns, namespace) {
            found.push(name);
            idx.push(i);
        }
    }
    if idx.is_empty() {
        return Err(f.error(format!(
            "no specified {}(s) were found in the {} file",
            kind.word(),
            f.file_name()
        )));
    }
    for n in names {
        if !found.iter().any(|x| x == n) {
            f.warnings.push(format!(
                "{} {} doesn't exist in kustomization file",
                kind.word(),
                n
            ));
        }
    }
    f.remove_items(kind.field(), &idx)
}

// ---------------------------------------------------------------- fix

/// `edit fix`: the deprecated fields rewritten as kustomize 5.5 rewrites
/// them (apiVersion/kind added, bases → resources, imageTags → images, a
/// generator's env → envs, patchesJson6902 and patchesStrategicMerge →
/// patches, commonLabels → labels with includeSelectors). vars are left as
/// they are, with a warning. Returns the fields fixed, for the report.
pub fn fix(f: &mut EditFile) -> Result<Vec<String>> {
    let mut fixed = Vec::new();
    // commonLabels and labels must not share a key (checked before anything).
    let common = f.string_map("commonLabels").unwrap_or_default();
    if !common.is_empty() {
        for l in f.items("labels") {
            if let Some(Value::Map(p)) = l.get("pairs")
                && let Some((k, _)) = common.iter().find(|(k, _)| p.contains_key(k))
            {
                return Err(f.error(format!(
                    "label name '{}' exists in both commonLabels and labels",
                    k
                )));
            }
        }
    }
    let kind = f
        .get("kind")
        .and_then(Value::scalar_string)
        .unwrap_or_default();
    if f.get("kind").is_none() {
        f.edit(|d| d.set_first("kind", &s("Kustomization")))?;
        fixed.push("kind".to_string());
    }
    if f.get("apiVersion").is_none() {
        let v = if kind == "Component" {
            "kustomize.config.k8s.io/v1alpha1"
        } else {
            "kustomize.config.k8s.io/v1beta1"
        };
        f.edit(|d| d.set_first("apiVersion", &s(v)))?;
        fixed.push("apiVersion".to_string());
    }
    if f.doc.node(&[Step::Key("bases")]).is_some() {
        f.migrate_bases()?;
        fixed.push("bases -> resources".to_string());
    }
    if f.doc.node(&[Step::Key("imageTags")]).is_some() {
        let tags = f.items("imageTags");
        f.remove_field("imageTags")?;
        f.append("images", &tags)?;
        fixed.push("imageTags -> images".to_string());
    }
    for kind in [GeneratorKind::ConfigMap, GeneratorKind::Secret] {
        let field = kind.field();
        for i in 0..f.items(field).len() {
            let env = f.items(field)[i].get("env").and_then(Value::scalar_string);
            if let Some(e) = env {
                f.edit(|d| d.remove(&[Step::Key(field), Step::Index(i)], "env"))?;
                if !e.is_empty() {
                    append_in_item(f, field, i, "envs", &[s(&e)])?;
                }
                fixed.push(format!("{}[].env -> envs", field));
            }
        }
    }
    let json = f.items("patchesJson6902");
    let smp = f.strings("patchesStrategicMerge");
    let had_json = f.doc.node(&[Step::Key("patchesJson6902")]).is_some();
    let had_smp = f.doc.node(&[Step::Key("patchesStrategicMerge")]).is_some();
    let smp_items: Vec<Value> = smp
        .iter()
        .map(|p| {
            let is_file = std::fs::metadata(f.dir.join(p)).is_ok_and(|m| m.is_file());
            let mut m = Map::new();
            m.insert(if is_file { "path" } else { "patch" }, s(p));
            Value::Map(m)
        })
        .collect();
    if had_json {
        if !f.has_content("patches") && !json.is_empty() {
            // patchesJson6902 becomes patches in place.
            f.remove_field("patches")?;
            f.edit(|d| d.rename(&[], "patchesJson6902", "patches"))?;
        } else {
            f.remove_field("patchesJson6902")?;
            f.append("patches", &json)?;
        }
        fixed.push("patchesJson6902 -> patches".to_string());
    }
    if had_smp {
        f.remove_field("patchesStrategicMerge")?;
        f.append("patches", &smp_items)?;
        fixed.push("patchesStrategicMerge -> patches".to_string());
    }
    if f.doc.node(&[Step::Key("commonLabels")]).is_some() {
        if !common.is_empty() {
            let mut pairs = Map::new();
            for (k, v) in &common {
                pairs.insert(k.clone(), s(v));
            }
            let mut entry = Map::new();
            entry.insert("pairs", Value::Map(pairs));
            entry.insert("includeSelectors", Value::Bool(true));
            if f.has_content("labels") {
                f.remove_field("commonLabels")?;
                f.append("labels", &[Value::Map(entry)])?;
            } else {
                // commonLabels becomes labels in place.
                f.remove_field("labels")?;
                let v = Value::Seq(vec![Value::Map(entry)]);
                f.edit(|d| d.set(&[], "commonLabels", &v, false))?;
                f.edit(|d| d.rename(&[], "commonLabels", "labels"))?;
            }
        } else {
            f.remove_field("commonLabels")?;
        }
        fixed.push("commonLabels -> labels".to_string());
    }
    if f.get("vars").is_some() {
        f.warnings.push(
            "vars are deprecated and were left as they are: convert them to replacements by hand (aiw does not run kustomize's vars conversion, which rewrites resource files)"
                .to_string(),
        );
    }
    Ok(fixed)
}

// ---------------------------------------------------------------- create

/// The flags of `aiw create` (`kustomize create`).
#[derive(Clone, Debug, Default)]
pub struct CreateOptions {
    /// `--resources a.yaml,../base` (globs expanded, each must exist).
    pub resources: String,
    /// `--namespace`.
    pub namespace: String,
    /// `--annotations k:v,k:v`.
    pub annotations: String,
    /// `--labels k:v,k:v`.
    pub labels: String,
    /// `--nameprefix`.
    pub prefix: String,
    /// `--namesuffix`.
    pub suffix: String,
    /// `--autodetect`: add the resource files of the directory.
    pub autodetect: bool,
    /// `--recursive`: autodetect in subdirectories too (a subdirectory with
    /// a kustomization is added as one resource).
    pub recursive: bool,
}

/// True when `text` reads as kustomize reads a resource file: every
/// document a mapping with a kind and a name (a `...List` needs no name).
fn is_resource_file(text: &str) -> bool {
    let Ok(docs) = crate::yaml::parse_documents(text) else {
        return false;
    };
    docs.iter().all(|d| {
        let kind = d
            .get("kind")
            .and_then(Value::scalar_string)
            .unwrap_or_default();
        let name = d
            .get_path(&["metadata", "name"])
            .and_then(Value::scalar_string)
            .unwrap_or_default();
        matches!(d, Value::Map(_))
            && !kind.is_empty()
            && (kind.ends_with("List") || !name.is_empty())
    })
}

/// kustomize's `detectResources`, in `filepath.Walk` order.
fn detect_resources(dir: &Path, recursive: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut walk = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walk.next() {
        let Ok(entry) = entry else { continue };
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .into_owned();
        if entry.file_type().is_dir() {
            if !recursive {
                walk.skip_current_dir();
                continue;
            }
            if super::KUSTOMIZATION_FILE_NAMES
                .iter()
                .any(|n| entry.path().join(n).exists())
            {
                out.push(rel);
                walk.skip_current_dir();
            }
            continue;
        }
        let Ok(bytes) = std::fs::read(entry.path()) else {
            continue;
        };
        if let Ok(text) = String::from_utf8(bytes)
            && is_resource_file(&text)
        {
            out.push(rel);
        }
    }
    out
}

/// `aiw create` in `dir`: a new kustomization.yaml (refused when the
/// directory has one). Returns the warnings.
pub fn create(dir: &Path, o: &CreateOptions) -> Result<Vec<String>> {
    let mut resources = Vec::new();
    if !o.resources.is_empty() {
        let patterns: Vec<String> = o.resources.split(',').map(str::to_string).collect();
        resources = expand_checked(dir, &patterns, "resource")?;
    }
    if super::find_kustomization(dir).is_ok() {
        return Err(Error::in_file(dir, "kustomization file already exists"));
    }
    if o.autodetect {
        for r in detect_resources(dir, o.recursive) {
            if !resources.contains(&r) {
                resources.push(r);
            }
        }
    }
    let to_pairs = |arg: &str, kind: &str| -> Result<Vec<(String, String)>> {
        if arg.is_empty() {
            return Ok(Vec::new());
        }
        let parts: Vec<String> = arg.split(',').map(str::to_string).collect();
        parse_pairs(&parts, kind)
    };
    let labels = to_pairs(&o.labels, "label")?;
    let annotations = to_pairs(&o.annotations, "annotation")?;
    if !o.namespace.is_empty() {
        check_namespace(&o.namespace)?;
    }
    let mut f = EditFile::new_file(dir);
    f.set_scalar("apiVersion", "kustomize.config.k8s.io/v1beta1")?;
    f.set_scalar("kind", "Kustomization")?;
    let items: Vec<Value> = resources.into_iter().map(Value::String).collect();
    f.append("resources", &items)?;
    f.set_scalar("namePrefix", &o.prefix)?;
    f.set_scalar("nameSuffix", &o.suffix)?;
    f.set_scalar("namespace", &o.namespace)?;
    let mut labels = labels;
    labels.sort();
    for (k, v) in &labels {
        f.map_set("commonLabels", k, v)?;
    }
    let mut annotations = annotations;
    annotations.sort();
    for (k, v) in &annotations {
        f.map_set("commonAnnotations", k, v)?;
    }
    f.save()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_args_as_kustomize_splits_them() {
        let p = |a: &str| parse_image_arg(a).unwrap();
        assert_eq!(
            p("image1=my-image1:my-tag"),
            ImageArg {
                name: "image1".into(),
                new_name: "my-image1".into(),
                new_tag: "my-tag".into(),
                digest: String::new()
            }
        );
        assert_eq!(
            p("ngnix=localhost:5000/my-project/ngnix").new_name,
            "localhost:5000/my-project/ngnix"
        );
        assert_eq!(p("ngnix=localhost:5000/my-project/ngnix").new_tag, "");
        let d = p("my-image1:my-tag@sha256:24a0");
        assert_eq!(
            (d.name.as_str(), d.new_tag.as_str(), d.digest.as_str()),
            ("my-image1", "my-tag", "sha256:24a0")
        );
        assert_eq!(p("alpine@sha256:1").digest, "sha256:1");
        assert_eq!(p("image1=*:v1").new_name, "*");
        assert!(parse_image_arg("bad").is_err());
        assert_eq!(
            p("postgres=eu.gcr.io/my-project/postgres:latest").new_tag,
            "latest"
        );
    }

    #[test]
    fn pairs_as_kustomize_reads_them() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_pairs(&a(&["app:web", "tier", "q:\"x:y\""]), "label").unwrap(),
            vec![
                ("app".to_string(), "web".to_string()),
                ("tier".to_string(), String::new()),
                ("q".to_string(), "x:y".to_string())
            ]
        );
        assert!(parse_pairs(&a(&[":v"]), "label").is_err());
    }
}
