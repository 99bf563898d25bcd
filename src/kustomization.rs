//! The kustomization file: reading `kustomization.yaml` into typed fields,
//! strictly (unknown fields and wrong types are errors, as in kustomize).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fieldspec::FieldSpec;
use crate::helm::{HelmChart, HelmGlobals};
use crate::transform::images::ImageSpec;
use crate::transform::labels::LabelOptions;
use crate::transform::replicas::ReplicaSpec;
use crate::yaml::{Map, Value};

/// File names recognised as a kustomization, in kustomize's order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// `kind: Kustomization` or `kind: Component`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KustKind {
    /// A kustomization.
    Kustomization,
    /// A component (`kustomize.config.k8s.io/v1alpha1`).
    Component,
}

/// One `patches:` (or `patchesJson6902:`) entry.
#[derive(Clone, Debug, Default)]
pub struct PatchEntry {
    /// `path:` to a patch file.
    pub path: Option<String>,
    /// Inline `patch:` text.
    pub patch: Option<String>,
    /// `target:` selector, unparsed.
    pub target: Option<Value>,
    /// `options.allowNameChange`.
    pub allow_name_change: bool,
    /// `options.allowKindChange`.
    pub allow_kind_change: bool,
}

/// Options shared by generators (`generatorOptions` or per-generator `options`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeneratorOptions {
    /// Labels added to generated objects.
    pub labels: Vec<(String, String)>,
    /// Annotations added to generated objects.
    pub annotations: Vec<(String, String)>,
    /// No hash suffix on the name.
    pub disable_name_suffix_hash: bool,
    /// Sets `immutable: true`.
    pub immutable: bool,
}

impl GeneratorOptions {
    /// Merges kustomization-wide options into a generator's own ones, as
    /// kustomize's `MergeGlobalOptionsIntoLocal` does (local keys win).
    pub fn merged_with_global(
        local: Option<&GeneratorOptions>,
        global: Option<&GeneratorOptions>,
    ) -> Option<GeneratorOptions> {
        let Some(global) = global else {
            return local.cloned();
        };
        let mut out = local.cloned().unwrap_or_default();
        for (k, v) in &global.labels {
            if !out.labels.iter().any(|(lk, _)| lk == k) {
                out.labels.push((k.clone(), v.clone()));
            }
        }
        for (k, v) in &global.annotations {
            if !out.annotations.iter().any(|(lk, _)| lk == k) {
                out.annotations.push((k.clone(), v.clone()));
            }
        }
        out.disable_name_suffix_hash |= global.disable_name_suffix_hash;
        out.immutable |= global.immutable;
        Some(out)
    }
}

/// One `configMapGenerator` or `secretGenerator` entry.
#[derive(Clone, Debug, Default)]
pub struct GeneratorArgs {
    /// `name`.
    pub name: String,
    /// `namespace`.
    pub namespace: String,
    /// `behavior` (create, merge, replace; empty = create).
    pub behavior: String,
    /// `literals`: `key=value`.
    pub literals: Vec<String>,
    /// `files`: `path` or `key=path`.
    pub files: Vec<String>,
    /// `envs` (plus the legacy `env`).
    pub envs: Vec<String>,
    /// `type` (secrets only).
    pub type_: String,
    /// Per-generator `options`.
    pub options: Option<GeneratorOptions>,
}

/// One `labels:` entry.
#[derive(Clone, Debug, Default)]
pub struct LabelEntry {
    /// `pairs`.
    pub pairs: Vec<(String, String)>,
    /// `includeSelectors`, `includeTemplates` and `fields`.
    pub options: LabelOptions,
}

fn parse_labels(field: &str, v: &Value) -> Result<Vec<LabelEntry>> {
    let mut out = Vec::new();
    for item in get_values(field, v)? {
        let Some(m) = get_map(field, item)? else {
            continue;
        };
        check_fields(
            field,
            m,
            &["pairs", "includeSelectors", "includeTemplates", "fields"],
        )?;
        let mut e = LabelEntry::default();
        for (k, v) in m.iter() {
            let f = format!("{}.{}", field, k);
            match k.as_str() {
                "pairs" => e.pairs = get_string_map(&f, v)?,
                "includeSelectors" => e.options.include_selectors = get_bool(&f, v)?,
                "includeTemplates" => e.options.include_templates = get_bool(&f, v)?,
                "fields" => {
                    for fs in get_values(&f, v)? {
                        e.options.fields.push(FieldSpec::from_value(fs)?);
                    }
                }
                _ => {}
            }
        }
        out.push(e);
    }
    Ok(out)
}

fn parse_images(field: &str, v: &Value) -> Result<Vec<ImageSpec>> {
    let mut out = Vec::new();
    for item in get_values(field, v)? {
        let Some(m) = get_map(field, item)? else {
            continue;
        };
        check_fields(
            field,
            m,
            &["name", "newName", "newTag", "digest", "tagSuffix"],
        )?;
        let mut i = ImageSpec::default();
        for (k, v) in m.iter() {
            let f = format!("{}.{}", field, k);
            match k.as_str() {
                "name" => {
                    i.name = get_string(&f, v)?;
                    // kustomize matches image names as regular expressions;
                    // a name without these characters is always a valid one.
                    let may_be_invalid = i
                        .name
                        .contains(['\\', '(', ')', '[', ']', '{', '}', '*', '+', '?']);
                    if may_be_invalid && regex::Regex::new(&format!("^{}$", i.name)).is_err() {
                        return Err(Error::msg(format!(
                            "images: name {:?} is not a valid image name pattern",
                            i.name
                        )));
                    }
                }
                "newName" => i.new_name = get_string(&f, v)?,
                "newTag" => i.new_tag = get_string(&f, v)?,
                "digest" => i.digest = get_string(&f, v)?,
                "tagSuffix" => i.tag_suffix = get_string(&f, v)?,
                _ => {}
            }
        }
        out.push(i);
    }
    Ok(out)
}

fn parse_replicas(field: &str, v: &Value) -> Result<Vec<ReplicaSpec>> {
    let mut out = Vec::new();
    for item in get_values(field, v)? {
        let Some(m) = get_map(field, item)? else {
            continue;
        };
        check_fields(field, m, &["name", "count"])?;
        let mut r = ReplicaSpec::default();
        for (k, v) in m.iter() {
            let f = format!("{}.{}", field, k);
            match k.as_str() {
                "name" => r.name = get_string(&f, v)?,
                "count" => {
                    r.count = match v {
                        Value::Int(i) => *i,
                        Value::Null(_) => 0,
                        other => return Err(type_error(&f, "an integer", other)),
                    }
                }
                _ => {}
            }
        }
        out.push(r);
    }
    Ok(out)
}

/// A parsed kustomization file.
#[derive(Clone, Debug)]
pub struct Kustomization {
    /// The kustomization file itself.
    pub file: PathBuf,
    /// Kustomization or Component.
    pub kind: KustKind,
    /// `resources` followed by the legacy `bases`.
    pub resources: Vec<String>,
    /// `components`.
    pub components: Vec<String>,
    /// `crds`.
    pub crds: Vec<String>,
    /// `configurations`.
    pub configurations: Vec<String>,
    /// `generators` (file paths or inline YAML).
    pub generators: Vec<String>,
    /// `transformers` (file paths or inline YAML).
    pub transformers: Vec<String>,
    /// `validators`.
    pub validators: Vec<String>,
    /// `namePrefix`.
    pub name_prefix: String,
    /// `nameSuffix`.
    pub name_suffix: String,
    /// `namespace`.
    pub namespace: String,
    /// `commonLabels`.
    pub common_labels: Vec<(String, String)>,
    /// `commonAnnotations`.
    pub common_annotations: Vec<(String, String)>,
    /// `labels` entries.
    pub labels: Vec<LabelEntry>,
    /// `patches`.
    pub patches: Vec<PatchEntry>,
    /// `patchesStrategicMerge`: file paths or inline patches.
    pub patches_strategic_merge: Vec<String>,
    /// `patchesJson6902`.
    pub patches_json6902: Vec<PatchEntry>,
    /// `images` followed by the legacy `imageTags`.
    pub images: Vec<ImageSpec>,
    /// `replicas`.
    pub replicas: Vec<ReplicaSpec>,
    /// `replacements`, unparsed (inline or `path:`).
    pub replacements: Vec<Value>,
    /// `vars`, unparsed.
    pub vars: Vec<Value>,
    /// `configMapGenerator`.
    pub config_map_generator: Vec<GeneratorArgs>,
    /// `secretGenerator`.
    pub secret_generator: Vec<GeneratorArgs>,
    /// `generatorOptions`.
    pub generator_options: Option<GeneratorOptions>,
    /// `sortOptions`, unparsed.
    pub sort_options: Option<Value>,
    /// `openapi`, unparsed.
    pub openapi: Option<Value>,
    /// `buildMetadata`.
    pub build_metadata: Vec<String>,
    /// `helmGlobals` (with the deprecated `helmChartInflationGenerator`'s
    /// `chartHome`/`helmHome` when `helmGlobals` is absent).
    pub helm_globals: Option<HelmGlobals>,
    /// `helmCharts`, followed by the charts of the deprecated
    /// `helmChartInflationGenerator`.
    pub helm_charts: Vec<HelmChart>,
    /// How many of [`Kustomization::helm_charts`] come from `helmCharts`.
    pub helm_charts_listed: usize,
    /// kustomize's deprecation warnings for this file, in its order, as it
    /// prints them on stderr when it loads the file ([`DEPRECATIONS`]).
    pub warnings: Vec<&'static str>,
}

fn parse_helm_charts(field: &str, v: &Value) -> Result<Vec<HelmChart>> {
    get_values(field, v)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            crate::helm::parse_chart(&format!("{}[{}]", field, i), item, true).map_err(invalid)
        })
        .collect()
}

fn invalid(e: Error) -> Error {
    Error::msg(format!("invalid Kustomization: {}", e.message))
}

/// The `valuesInline`-like field of a chart entry in `doc`'s `field` list.
fn chart_entry_values<'a>(doc: &'a Value, field: &str, values: &str) -> Vec<Option<&'a Value>> {
    let Some(m) = doc.as_map() else {
        return Vec::new();
    };
    let list = m
        .iter()
        .find(|(k, _)| k.as_str() == field)
        .or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(field)));
    let Some((_, Value::Seq(items))) = list else {
        return Vec::new();
    };
    items
        .iter()
        .map(|item| {
            let m = item.as_map()?;
            m.iter()
                .find(|(k, _)| k.as_str() == values)
                .or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(values)))
                .map(|(_, v)| v)
        })
        .collect()
}

/// kustomize's deprecated fields and the warning each one prints when it is
/// set (present and not null, even if empty), in the order they are printed.
pub const DEPRECATIONS: [(&str, &str); 6] = [
    (
        "bases",
        "# Warning: 'bases' is deprecated. Please use 'resources' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
    ),
    (
        "commonLabels",
        "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
    ),
    (
        "imageTags",
        "# Warning: 'imageTags' is deprecated. Please use 'images' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
    ),
    (
        "patchesJson6902",
        "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
    ),
    (
        "patchesStrategicMerge",
        "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
    ),
    (
        "vars",
        "# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically.",
    ),
];

/// The beginning of every "unknown field" message (see [`unknown_field`]).
const UNKNOWN_FIELD: &str = "invalid Kustomization: unknown field ";

/// The error for an unknown field `key` (in `parent`, when nested), with the
/// nearest known name when one is close.
fn unknown_field(key: &str, parent: Option<&str>, known: &[&str]) -> Error {
    let mut message = format!("{UNKNOWN_FIELD}{key:?}");
    if let Some(p) = parent {
        message.push_str(&format!(" in {p}"));
    }
    if let Some(near) = crate::suggest::nearest_word(key, known) {
        message.push_str(&format!(" (did you mean {near:?}?)"));
    }
    Error::msg(message)
}

/// Adds the line of the key an "unknown field" error is about, found in the
/// kustomization's text (the first line holding that key, after the line of
/// its parent field when it is nested).
pub fn locate_unknown_field(e: Error, text: &str) -> Error {
    if e.line.is_some() {
        return e;
    }
    let Some(rest) = e.message.strip_prefix(UNKNOWN_FIELD) else {
        return e;
    };
    let Some((key, after)) = quoted_prefix(rest) else {
        return e;
    };
    let parent = after
        .strip_prefix(" in ")
        .map(|p| p.split(" (").next().unwrap_or(p))
        .and_then(|p| p.split('.').next())
        .map(str::to_string);
    let mut path: Vec<&str> = Vec::new();
    if let Some(p) = &parent {
        path.push(p);
    }
    path.push(&key);
    let line = key_line(text, &path);
    e.with_line(line)
}

/// The Rust-debug-quoted string at the start of `s`, unescaped, and the rest.
fn quoted_prefix(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, &body[i + 1..])),
            c => out.push(c),
        }
    }
    None
}

/// The 1-based line of the mapping key at the end of `path` in YAML `text`:
/// each key is looked for, from the line of the one before it, as the first
/// token of a line (after indentation and list dashes, quoted or not)
/// followed by `:`.
pub fn key_line(text: &str, path: &[&str]) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    let mut found = None;
    for key in path {
        let i = (from..lines.len()).find(|&i| line_has_key(lines[i], key))?;
        found = Some(i + 1);
        from = i;
    }
    found
}

fn line_has_key(line: &str, key: &str) -> bool {
    let mut t = line.trim_start();
    while let Some(r) = t.strip_prefix("- ") {
        t = r.trim_start();
    }
    let rest = if let Some(r) = t.strip_prefix(key) {
        r
    } else if let Some(r) = t.strip_prefix(&format!("{key:?}")) {
        r
    } else if let Some(r) = t
        .strip_prefix('\'')
        .and_then(|r| r.strip_prefix(key))
        .and_then(|r| r.strip_prefix('\''))
    {
        r
    } else {
        return false;
    };
    rest.trim_start().starts_with(':')
}

fn type_error(field: &str, want: &str, got: &Value) -> Error {
    Error::msg(format!(
        "invalid Kustomization: field {} must be {}, not {}",
        field,
        want,
        got.type_name()
    ))
}

fn get_string(field: &str, v: &Value) -> Result<String> {
    string_named(v, || field.to_string())
}

/// [`get_string`], with the field's name made only for an error.
fn string_named(v: &Value, field: impl FnOnce() -> String) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Null(_) => Ok(String::new()),
        other => Err(type_error(&field(), "a string", other)),
    }
}

fn get_bool(field: &str, v: &Value) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null(_) => Ok(false),
        other => Err(type_error(field, "a boolean", other)),
    }
}

fn get_strings(field: &str, v: &Value) -> Result<Vec<String>> {
    match v {
        Value::Null(_) => Ok(Vec::new()),
        Value::Seq(items) => items
            .iter()
            .map(|i| string_named(i, || format!("{}[]", field)))
            .collect(),
        other => Err(type_error(field, "a list of strings", other)),
    }
}

/// Reads a `map[string]string` field: every value must be a string.
pub fn get_string_map(field: &str, v: &Value) -> Result<Vec<(String, String)>> {
    match v {
        Value::Null(_) => Ok(Vec::new()),
        Value::Map(m) => m
            .iter()
            .map(|(k, v)| Ok((k.clone(), string_named(v, || format!("{}.{}", field, k))?)))
            .collect(),
        other => Err(type_error(field, "a map of strings", other)),
    }
}

fn get_values<'a>(field: &str, v: &'a Value) -> Result<&'a [Value]> {
    match v {
        Value::Null(_) => Ok(&[]),
        Value::Seq(items) => Ok(items),
        other => Err(type_error(field, "a list", other)),
    }
}

fn get_map<'a>(field: &str, v: &'a Value) -> Result<Option<&'a Map>> {
    match v {
        Value::Null(_) => Ok(None),
        Value::Map(m) => Ok(Some(m)),
        other => Err(type_error(field, "a mapping", other)),
    }
}

fn check_fields(field: &str, m: &Map, allowed: &[&str]) -> Result<()> {
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(unknown_field(k, Some(field), allowed));
        }
    }
    Ok(())
}

fn parse_generator_options(field: &str, v: &Value) -> Result<Option<GeneratorOptions>> {
    let Some(m) = get_map(field, v)? else {
        return Ok(None);
    };
    check_fields(
        field,
        m,
        &[
            "labels",
            "annotations",
            "disableNameSuffixHash",
            "immutable",
        ],
    )?;
    let mut o = GeneratorOptions::default();
    for (k, v) in m.iter() {
        let f = format!("{}.{}", field, k);
        match k.as_str() {
            "labels" => o.labels = get_string_map(&f, v)?,
            "annotations" => o.annotations = get_string_map(&f, v)?,
            "disableNameSuffixHash" => o.disable_name_suffix_hash = get_bool(&f, v)?,
            "immutable" => o.immutable = get_bool(&f, v)?,
            _ => {}
        }
    }
    Ok(Some(o))
}

fn parse_generators(field: &str, v: &Value, secret: bool) -> Result<Vec<GeneratorArgs>> {
    let mut out = Vec::new();
    for item in get_values(field, v)? {
        let Some(m) = get_map(field, item)? else {
            continue;
        };
        let mut allowed = vec![
            "name",
            "namespace",
            "behavior",
            "literals",
            "files",
            "envs",
            "env",
            "options",
        ];
        if secret {
            allowed.push("type");
        }
        check_fields(field, m, &allowed)?;
        let mut g = GeneratorArgs::default();
        let mut env = None;
        for (k, v) in m.iter() {
            let f = format!("{}.{}", field, k);
            match k.as_str() {
                "name" => g.name = get_string(&f, v)?,
                "namespace" => g.namespace = get_string(&f, v)?,
                "behavior" => g.behavior = get_string(&f, v)?,
                "literals" => g.literals = get_strings(&f, v)?,
                "files" => g.files = get_strings(&f, v)?,
                "envs" => g.envs = get_strings(&f, v)?,
                "env" => env = Some(get_string(&f, v)?),
                "type" => g.type_ = get_string(&f, v)?,
                "options" => g.options = parse_generator_options(&f, v)?,
                _ => {}
            }
        }
        if let Some(e) = env.filter(|e| !e.is_empty()) {
            g.envs.push(e);
        }
        out.push(g);
    }
    Ok(out)
}

fn parse_patches(field: &str, v: &Value, json6902: bool) -> Result<Vec<PatchEntry>> {
    let mut out = Vec::new();
    for item in get_values(field, v)? {
        let Some(m) = get_map(field, item)? else {
            continue;
        };
        check_fields(field, m, &["path", "patch", "target", "options"])?;
        let mut p = PatchEntry::default();
        for (k, v) in m.iter() {
            let f = format!("{}.{}", field, k);
            match k.as_str() {
                "path" => p.path = Some(get_string(&f, v)?).filter(|s| !s.is_empty()),
                "patch" => p.patch = Some(get_string(&f, v)?).filter(|s| !s.is_empty()),
                "target" => {
                    if !v.is_null() {
                        get_map(&f, v)?;
                        p.target = Some(v.clone());
                    }
                }
                "options" if !json6902 => {
                    if let Some(o) = get_map(&f, v)? {
                        check_fields(&f, o, &["allowNameChange", "allowKindChange"])?;
                        if let Some(b) = o.get("allowNameChange") {
                            p.allow_name_change = get_bool(&f, b)?;
                        }
                        if let Some(b) = o.get("allowKindChange") {
                            p.allow_kind_change = get_bool(&f, b)?;
                        }
                    }
                }
                _ => {
                    let known: &[&str] = if json6902 {
                        &["path", "patch", "target"]
                    } else {
                        &["path", "patch", "target", "options"]
                    };
                    return Err(unknown_field(k, Some(field), known));
                }
            }
        }
        out.push(p);
    }
    Ok(out)
}

/// Every top-level field kustomize 5.5 knows.
const KNOWN_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "crds",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "commonAnnotations",
    "labels",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "images",
    "imageTags",
    "replicas",
    "replacements",
    "vars",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "sortOptions",
    "openapi",
    "buildMetadata",
    "helmCharts",
    "helmGlobals",
    "helmChartInflationGenerator",
];

impl Kustomization {
    /// Reads a kustomization from its parsed document. `file` is used in errors.
    pub fn from_value(file: &Path, doc: &Value) -> Result<Kustomization> {
        let at = |e: Error| e.with_file(file);
        let empty = Map::new();
        let m = match doc {
            Value::Map(m) => m,
            Value::Null(_) => &empty,
            other => {
                return Err(at(Error::msg(format!(
                    "invalid Kustomization: expected a mapping, found a {}",
                    other.type_name()
                ))));
            }
        };
        let mut k = Kustomization {
            file: file.to_path_buf(),
            kind: KustKind::Kustomization,
            resources: Vec::new(),
            components: Vec::new(),
            crds: Vec::new(),
            configurations: Vec::new(),
            generators: Vec::new(),
            transformers: Vec::new(),
            validators: Vec::new(),
            name_prefix: String::new(),
            name_suffix: String::new(),
            namespace: String::new(),
            common_labels: Vec::new(),
            common_annotations: Vec::new(),
            labels: Vec::new(),
            patches: Vec::new(),
            patches_strategic_merge: Vec::new(),
            patches_json6902: Vec::new(),
            images: Vec::new(),
            replicas: Vec::new(),
            replacements: Vec::new(),
            vars: Vec::new(),
            config_map_generator: Vec::new(),
            secret_generator: Vec::new(),
            generator_options: None,
            sort_options: None,
            openapi: None,
            build_metadata: Vec::new(),
            helm_globals: None,
            helm_charts: Vec::new(),
            helm_charts_listed: 0,
            warnings: Vec::new(),
        };
        let mut legacy_helm = Vec::new();
        let mut kind = String::new();
        let mut api_version = String::new();
        let mut bases = Vec::new();
        let mut image_tags = Vec::new();
        for (key, v) in m.iter() {
            // Go's JSON decoding matches field names case-insensitively.
            let f = KNOWN_FIELDS
                .iter()
                .find(|k| **k == key.as_str())
                .or_else(|| KNOWN_FIELDS.iter().find(|k| k.eq_ignore_ascii_case(key)))
                .copied()
                .unwrap_or(key.as_str());
            let r: Result<()> = (|| {
                match f {
                    "apiVersion" => api_version = get_string(f, v)?,
                    "kind" => kind = get_string(f, v)?,
                    "metadata" => {
                        get_map(f, v)?;
                    }
                    "resources" => k.resources = get_strings(f, v)?,
                    "bases" => bases = get_strings(f, v)?,
                    "components" => k.components = get_strings(f, v)?,
                    "crds" => k.crds = get_strings(f, v)?,
                    "configurations" => k.configurations = get_strings(f, v)?,
                    "generators" => k.generators = get_strings(f, v)?,
                    "transformers" => k.transformers = get_strings(f, v)?,
                    "validators" => k.validators = get_strings(f, v)?,
                    "namePrefix" => k.name_prefix = get_string(f, v)?,
                    "nameSuffix" => k.name_suffix = get_string(f, v)?,
                    "namespace" => k.namespace = get_string(f, v)?,
                    "commonLabels" => k.common_labels = get_string_map(f, v)?,
                    "commonAnnotations" => k.common_annotations = get_string_map(f, v)?,
                    "labels" => k.labels = parse_labels(f, v)?,
                    "patches" => k.patches = parse_patches(f, v, false)?,
                    "patchesStrategicMerge" => k.patches_strategic_merge = get_strings(f, v)?,
                    "patchesJson6902" => k.patches_json6902 = parse_patches(f, v, true)?,
                    "images" => k.images = parse_images(f, v)?,
                    "imageTags" => image_tags = parse_images(f, v)?,
                    "replicas" => k.replicas = parse_replicas(f, v)?,
                    "replacements" => k.replacements = get_values(f, v)?.to_vec(),
                    "vars" => k.vars = get_values(f, v)?.to_vec(),
                    "configMapGenerator" => k.config_map_generator = parse_generators(f, v, false)?,
                    "secretGenerator" => k.secret_generator = parse_generators(f, v, true)?,
                    "generatorOptions" => k.generator_options = parse_generator_options(f, v)?,
                    "sortOptions" => {
                        get_map(f, v)?;
                        k.sort_options = Some(v.clone()).filter(|v| !v.is_null());
                    }
                    "openapi" => {
                        get_map(f, v)?;
                        k.openapi = Some(v.clone()).filter(|v| !v.is_null());
                    }
                    "buildMetadata" => k.build_metadata = get_strings(f, v)?,
                    "helmCharts" => k.helm_charts = parse_helm_charts(f, v)?,
                    "helmGlobals" => {
                        if !v.is_null() {
                            k.helm_globals =
                                Some(crate::helm::parse_globals(f, v, true).map_err(invalid)?);
                        }
                    }
                    "helmChartInflationGenerator" => {
                        for (i, item) in get_values(f, v)?.iter().enumerate() {
                            legacy_helm.push(
                                crate::helm::parse_legacy(&format!("{}[{}]", f, i), item)
                                    .map_err(invalid)?,
                            );
                        }
                    }
                    _ => {
                        return Err(unknown_field(f, None, KNOWN_FIELDS));
                    }
                }
                Ok(())
            })();
            r.map_err(at)?;
        }
        k.resources.extend(bases);
        k.images.extend(image_tags);
        // kustomize's SplitHelmParameters: the deprecated entries become
        // charts after `helmCharts`; their globals count (last non-empty
        // wins) only when `helmGlobals` is absent.
        k.helm_charts_listed = k.helm_charts.len();
        let mut legacy_globals = HelmGlobals::default();
        for (chart, g) in legacy_helm {
            if !g.chart_home.is_empty() {
                legacy_globals.chart_home = g.chart_home;
            }
            if !g.config_home.is_empty() {
                legacy_globals.config_home = g.config_home;
            }
            k.helm_charts.push(chart);
        }
        if k.helm_globals.is_none() && legacy_globals != HelmGlobals::default() {
            k.helm_globals = Some(legacy_globals);
        }
        // A deprecated field set to anything but null warns (Go: non-nil).
        for (name, warning) in DEPRECATIONS {
            let set = m.iter().any(|(key, v)| {
                !v.is_null()
                    && (key == name
                        || (key.eq_ignore_ascii_case(name)
                            && !KNOWN_FIELDS.contains(&key.as_str())))
            });
            if set {
                k.warnings.push(warning);
            }
        }
        match kind.as_str() {
            "" | "Kustomization" => {}
            "Component" => k.kind = KustKind::Component,
            other => {
                return Err(at(Error::msg(format!(
                    "kind should be Kustomization or Component, not {:?}",
                    other
                ))));
            }
        }
        let want = match k.kind {
            KustKind::Kustomization => "kustomize.config.k8s.io/v1beta1",
            KustKind::Component => "kustomize.config.k8s.io/v1alpha1",
        };
        if !api_version.is_empty() && api_version != want {
            return Err(at(Error::msg(format!(
                "apiVersion for {} should be {}, not {:?}",
                if k.kind == KustKind::Component {
                    "Component"
                } else {
                    "Kustomization"
                },
                want,
                api_version
            ))));
        }
        let only_meta = m.keys().all(|key| key == "apiVersion" || key == "kind");
        if only_meta {
            return Err(at(Error::msg("kustomization.yaml is empty")));
        }
        Ok(k)
    }

    /// A chart entry for messages: `helmCharts[0] (name)`.
    pub fn helm_chart_entry(&self, i: usize) -> String {
        let name = self
            .helm_charts
            .get(i)
            .map(|c| c.name.as_str())
            .unwrap_or("");
        if i < self.helm_charts_listed {
            format!("helmCharts[{}] ({})", i, name)
        } else {
            format!(
                "helmChartInflationGenerator[{}] ({})",
                i - self.helm_charts_listed,
                name
            )
        }
    }

    /// True when a chart has inline values, which must be read with the
    /// kustomization file's own scalar rules (see
    /// [`Kustomization::set_helm_values_inline`]).
    pub fn has_helm_values_inline(&self) -> bool {
        self.helm_charts.iter().any(|c| c.values_inline.is_some())
    }

    /// Replaces the charts' inline values by those of `doc`, the same file
    /// read with go-yaml v2's scalar rules ([`crate::yaml::Scalars::GoYamlV2`]),
    /// as kustomize decodes the kustomization file.
    pub fn set_helm_values_inline(&mut self, doc: &Value) -> Result<()> {
        let listed = chart_entry_values(doc, "helmCharts", "valuesInline");
        let legacy = chart_entry_values(doc, "helmChartInflationGenerator", "valuesLocal");
        let n = self.helm_charts_listed;
        for (i, chart) in self.helm_charts.iter_mut().enumerate() {
            let found = if i < n {
                listed.get(i)
            } else {
                legacy.get(i - n)
            };
            if let Some(Some(v)) = found {
                chart.values_inline = match v {
                    Value::Map(m) => Some(m.clone()),
                    Value::Null(_) => None,
                    other => {
                        return Err(type_error("valuesInline", "a mapping", other));
                    }
                };
            }
        }
        Ok(())
    }

    /// The directory holding the kustomization file.
    pub fn dir(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }
}
