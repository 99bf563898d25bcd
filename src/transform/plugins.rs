//! The `generators:` and `transformers:` fields (builtin plugin configs) and
//! `buildMetadata`.
//!
//! Each entry of `generators:`/`transformers:` is inline YAML, a file, or a
//! directory holding a kustomization whose output resources are the plugin
//! configs (kustomize's `configureExternalGenerators`/`Transformers`). Every
//! config must be a builtin plugin (`apiVersion: builtin`); its fields drive
//! the same transformer and generator code as the kustomization fields do.
//! Exec, Go and KRM-function plugins are refused.
//!
//! Origins (`config.kubernetes.io/origin`) and transformations
//! (`alpha.config.kubernetes.io/transformations`) are tracked on
//! [`Resource::origin`]/[`Resource::transformations`] during every build and
//! written as annotations at the end when the top kustomization's
//! `buildMetadata` asks for them.

use std::path::{Component, Path, PathBuf};

use crate::build::Accumulator;
use crate::error::{Error, Result};
use crate::fieldspec::FieldSpec;
use crate::generate::{self, GeneratedKind};
use crate::kustomization::{
    GeneratorArgs, GeneratorOptions, Kustomization, PatchEntry, get_string_map,
};
use crate::loader::Loader;
use crate::resource::{ConfiguredBy, Origin, ResMap, Resource};
use crate::selector::Selector;
use crate::transform;
use crate::yaml::{Map, Value};

/// The annotation holding a resource's origin.
pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";
/// The annotation listing the transformers that touched a resource.
pub const TRANSFORMATIONS_ANNOTATION: &str = "alpha.config.kubernetes.io/transformations";
/// The label `buildMetadata: [managedByLabel]` adds.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// kustomize's build annotations, removed from every output resource
/// (`resource.BuildAnnotations`).
const BUILD_ANNOTATIONS: &[&str] = &[
    "internal.config.kubernetes.io/previousKinds",
    "internal.config.kubernetes.io/previousNames",
    "internal.config.kubernetes.io/prefixes",
    "internal.config.kubernetes.io/suffixes",
    "internal.config.kubernetes.io/previousNamespaces",
    "internal.config.kubernetes.io/allowNameChange",
    "internal.config.kubernetes.io/allowKindChange",
    "internal.config.kubernetes.io/refBy",
    "internal.config.kubernetes.io/generatorBehavior",
    "internal.config.kubernetes.io/needsHashSuffix",
    "internal.config.kubernetes.io/path",
    "internal.config.kubernetes.io/index",
    "internal.config.kubernetes.io/seqindent",
    "internal.config.kubernetes.io/id",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    "config.kubernetes.io/path",
    "config.kubernetes.io/index",
    "config.k8s.io/id",
    "internal.config.kubernetes.io/helm-generated",
];
/// Its value: what kubectl's bundled kustomize reports (checked against
/// `kubectl kustomize`, whose kustomize build has no release version).
pub const MANAGED_BY_VALUE: &str = "kustomize-(devel)";

/// One loaded plugin config: the resource plus where it was configured.
struct PluginConfig {
    config: Resource,
    /// The config as the plugin decodes it ([`PluginConfig::decode`]);
    /// its fields are read from here.
    fields: Value,
    /// The file the config came from (absolute), for messages and origins.
    file: PathBuf,
    origin: Origin,
}

/// The absolute path of the kustomization file of `k` under `ldr`.
fn kust_file_abs(ldr: &Loader, k: &Kustomization) -> PathBuf {
    match k.file.file_name() {
        Some(n) => ldr.root().join(n),
        None => ldr.root().join("kustomization.yaml"),
    }
}

/// True when `entry` is inline YAML holding one or more objects (kustomize
/// tries each entry as YAML first and falls back to a path).
fn parse_inline(entry: &str) -> Option<Vec<Value>> {
    let docs = crate::yaml::parse_documents(entry).ok()?;
    let docs: Vec<Value> = docs
        .into_iter()
        .filter(|d| !transform::is_nil_or_empty(d))
        .collect();
    if docs.is_empty() || !docs.iter().all(|d| d.as_map().is_some()) {
        return None;
    }
    Some(docs)
}

/// Loads the plugin configs that `entries` name, in order; the warnings of
/// the kustomizations among them go to `warnings`.
fn load_configs(
    ldr: &Loader,
    k: &Kustomization,
    entries: &[String],
    field: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<PluginConfig>> {
    let kfile = kust_file_abs(ldr, k);
    let mut inline = Vec::new();
    let mut paths = Vec::new();
    for e in entries {
        match parse_inline(e) {
            Some(docs) => {
                for d in docs {
                    let kind = d.get("kind").and_then(Value::as_str).unwrap_or("");
                    if kind.is_empty() {
                        return Err(Error::in_file(
                            &k.file,
                            format!("{}: inline plugin config has no kind", field),
                        ));
                    }
                    inline.push(Resource::new(d));
                }
            }
            None => paths.push(e.clone()),
        }
    }
    let mut out = Vec::new();
    for r in inline {
        out.push(PluginConfig {
            config: r,
            fields: Value::NULL,
            file: kfile.clone(),
            origin: Origin {
                path: Some(kfile.clone()),
                repo: ldr.origin_repo(),
                ..Default::default()
            },
        });
    }
    if !paths.is_empty() {
        let (m, w) = crate::build::accumulate_paths(ldr, k, &paths)?;
        warnings.extend(w);
        for r in m.into_resources() {
            let origin = r.origin.clone().unwrap_or_default();
            let file = origin
                .path
                .clone()
                .or_else(|| r.source.clone())
                .unwrap_or_else(|| kfile.clone());
            out.push(PluginConfig {
                config: r,
                fields: Value::NULL,
                file,
                origin,
            });
        }
    }
    Ok(out)
}

impl PluginConfig {
    /// The origin of what this plugin makes or changes (kustomize's
    /// `OriginFromCustomPlugin`).
    fn plugin_origin(&self) -> Origin {
        Origin {
            path: None,
            repo: self.origin.repo.clone(),
            configured_in: self.origin.path.clone(),
            configured_by: Some(ConfiguredBy {
                api_version: self.config.api_version().to_string(),
                kind: self.config.kind().to_string(),
                name: self.config.name().to_string(),
                namespace: self.config.namespace().to_string(),
            }),
        }
    }

    fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::in_file(
            crate::loader::display(&self.file),
            format!(
                "plugin {} {:?}: {}",
                self.config.kind(),
                self.config.name(),
                msg
            ),
        )
    }

    /// Fails unless the config is a builtin plugin; then decodes it as the
    /// plugin does (leniently: see [`super::plugin_config`]).
    fn check_builtin(&mut self) -> Result<()> {
        let gvk = self.config.gvk();
        if !(gvk.group.is_empty() && gvk.version == "builtin") {
            return Err(self.err(format!(
                "apiVersion {:?} is not a builtin plugin: only builtin plugins (apiVersion: builtin) are supported; exec, Go and KRM function plugins are not",
                self.config.api_version()
            )));
        }
        self.fields = match super::plugin_config::schema(self.config.kind()) {
            Some((ty, decoder)) => super::plugin_config::normalize(&self.config.value, ty, decoder)
                .map_err(|m| self.err(m))?,
            // An unknown kind: reported when it is configured.
            None => self.config.value.clone(),
        };
        Ok(())
    }

    fn field(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    /// `metadata.<name>` as the plugin decodes it (`namespace: 12` is
    /// `"12"`).
    fn meta(&self, name: &str) -> String {
        self.fields
            .get_path(&["metadata", name])
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    fn string(&self, name: &str) -> Result<String> {
        match self.field(name) {
            None => Ok(String::new()),
            Some(v) => v
                .scalar_string()
                .filter(|_| !matches!(v, Value::Map(_) | Value::Seq(_)))
                .ok_or_else(|| self.err(format!("field {} must be a string", name))),
        }
    }

    fn strings(&self, name: &str) -> Result<Vec<String>> {
        match self.field(name) {
            None => Ok(Vec::new()),
            Some(Value::Seq(items)) => items
                .iter()
                .map(|i| {
                    i.scalar_string()
                        .filter(|_| !matches!(i, Value::Map(_) | Value::Seq(_)))
                        .ok_or_else(|| {
                            self.err(format!("field {} must be a list of strings", name))
                        })
                })
                .collect(),
            Some(_) => Err(self.err(format!("field {} must be a list of strings", name))),
        }
    }

    fn bool(&self, name: &str) -> Result<bool> {
        match self.field(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.err(format!("field {} must be a boolean", name))),
        }
    }

    fn pairs(&self, name: &str) -> Result<Vec<(String, String)>> {
        match self.field(name) {
            None => Ok(Vec::new()),
            Some(v) => get_string_map(name, v).map_err(|e| self.err(e.message)),
        }
    }

    fn field_specs(&self) -> Result<Option<Vec<FieldSpec>>> {
        match self.field("fieldSpecs") {
            None => Ok(None),
            Some(Value::Seq(items)) => items
                .iter()
                .map(|i| FieldSpec::from_value(i).map_err(|e| self.err(e.message)))
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(_) => Err(self.err("field fieldSpecs must be a list")),
        }
    }

    fn map_field(&self, name: &str) -> Result<Option<&Map>> {
        match self.field(name) {
            None => Ok(None),
            Some(Value::Map(m)) => Ok(Some(m)),
            Some(_) => Err(self.err(format!("field {} must be a mapping", name))),
        }
    }
}

fn map_string(m: &Map, key: &str) -> String {
    m.get(key)
        .filter(|v| !matches!(v, Value::Map(_) | Value::Seq(_)))
        .and_then(Value::scalar_string)
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Generators

/// Runs the `generators:` entries; returns the generated resources, each with
/// its origin set.
pub fn run_generators(
    ldr: &Loader,
    k: &Kustomization,
    warnings: &mut Vec<String>,
) -> Result<Vec<Resource>> {
    if k.generators.is_empty() {
        return Ok(Vec::new());
    }
    let mut configs = load_configs(ldr, k, &k.generators, "generators", warnings)?;
    let mut out = Vec::new();
    for pc in &mut configs {
        pc.check_builtin()?;
        let pc = &*pc;
        let origin = pc.plugin_origin();
        let made = generate_one(ldr, pc)?;
        for mut r in made {
            if r.origin.is_none() {
                r.origin = Some(origin.clone());
            }
            out.push(r);
        }
    }
    Ok(out)
}

fn generate_one(ldr: &Loader, pc: &PluginConfig) -> Result<Vec<Resource>> {
    match pc.config.kind() {
        "ConfigMapGenerator" => Ok(vec![generate_kv(ldr, pc, GeneratedKind::ConfigMap)?]),
        "SecretGenerator" => Ok(vec![generate_kv(ldr, pc, GeneratedKind::Secret)?]),
        "IAMPolicyGenerator" => Ok(vec![iam_policy(pc)?]),
        "HelmChartInflationGenerator" => helm_chart(ldr, pc),
        k if is_builtin_transformer(k) => Err(pc.err("plugin is not a generator")),
        _ => Err(pc.err("unknown builtin plugin kind")),
    }
}

/// A `HelmChartInflationGenerator` plugin config: the chart and globals
/// fields side by side, decoded leniently (unknown fields are ignored, as
/// kustomize decodes plugin configs); relative paths are the listing
/// kustomization's.
fn helm_chart(ldr: &Loader, pc: &PluginConfig) -> Result<Vec<Resource>> {
    let cfg = crate::build::helm_config();
    let v = &pc.config.value;
    let what = format!("{} {:?}", pc.config.kind(), pc.config.name());
    let configured = crate::helm::parse_chart(&what, v, false)
        .and_then(|chart| {
            let globals = crate::helm::parse_globals(&what, v, false)?;
            crate::helm::configure(ldr, &chart, &globals, &cfg)
        })
        .map_err(|e| pc.err(e.message))?;
    let shown = crate::loader::display(&pc.file);
    configured
        .inflate(ldr, &shown)
        .map_err(|e| crate::helm::entry_error(&shown, &format!("plugin {}", what), e))
}

fn generator_options(pc: &PluginConfig) -> Result<Option<GeneratorOptions>> {
    let Some(m) = pc.map_field("options")? else {
        return Ok(None);
    };
    let mut o = GeneratorOptions::default();
    for (k, v) in m.iter() {
        let f = format!("options.{}", k);
        match k.as_str() {
            "labels" => o.labels = get_string_map(&f, v).map_err(|e| pc.err(e.message))?,
            "annotations" => {
                o.annotations = get_string_map(&f, v).map_err(|e| pc.err(e.message))?
            }
            "disableNameSuffixHash" => o.disable_name_suffix_hash = matches!(v, Value::Bool(true)),
            "immutable" => o.immutable = matches!(v, Value::Bool(true)),
            _ => {}
        }
    }
    Ok(Some(o))
}

fn generate_kv(ldr: &Loader, pc: &PluginConfig, kind: GeneratedKind) -> Result<Resource> {
    let mut args = GeneratorArgs {
        name: pc.string("name")?,
        namespace: pc.string("namespace")?,
        behavior: pc.string("behavior")?,
        literals: pc.strings("literals")?,
        files: pc.strings("files")?,
        envs: pc.strings("envs")?,
        options: generator_options(pc)?,
        ..Default::default()
    };
    if kind == GeneratedKind::Secret {
        args.type_ = pc.string("type")?;
    }
    let env = pc.string("env")?;
    if !env.is_empty() {
        args.envs.push(env);
    }
    if args.name.is_empty() {
        args.name = pc.meta("name");
    }
    if args.namespace.is_empty() {
        args.namespace = pc.meta("namespace");
    }
    generate::generate(ldr, kind, &args, None)
}

fn iam_policy(pc: &PluginConfig) -> Result<Resource> {
    let cloud = pc.string("cloud")?;
    if cloud != "gke" {
        return Err(pc.err(format!("cloud provider {} not supported yet", cloud)));
    }
    let ks = pc.map_field("kubernetesService")?;
    let sa = pc.map_field("serviceAccount")?;
    let get = |m: Option<&Map>, k: &str| m.map(|m| map_string(m, k)).unwrap_or_default();
    let mut annotations = Map::new();
    annotations.insert(
        "iam.gke.io/gcp-service-account",
        Value::String(format!(
            "{}@{}.iam.gserviceaccount.com",
            get(sa, "name"),
            get(sa, "projectId")
        )),
    );
    let mut md = Map::new();
    md.insert("annotations", Value::Map(annotations));
    md.insert("name", Value::String(get(ks, "name")));
    let ns = get(ks, "namespace");
    if !ns.is_empty() {
        md.insert("namespace", Value::String(ns));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion", Value::String("v1".into()));
    obj.insert("kind", Value::String("ServiceAccount".into()));
    obj.insert("metadata", Value::Map(md));
    let mut r = Resource::new(Value::Map(obj));
    r.generated = true;
    Ok(r)
}

// ---------------------------------------------------------------------------
// Transformers

const BUILTIN_TRANSFORMERS: &[&str] = &[
    "AnnotationsTransformer",
    "HashTransformer",
    "ImageTagTransformer",
    "LabelTransformer",
    "NamespaceTransformer",
    "PatchJson6902Transformer",
    "PatchStrategicMergeTransformer",
    "PatchTransformer",
    "PrefixSuffixTransformer",
    "PrefixTransformer",
    "SuffixTransformer",
    "ReplacementTransformer",
    "ReplicaCountTransformer",
    "ValueAddTransformer",
];

fn is_builtin_transformer(kind: &str) -> bool {
    BUILTIN_TRANSFORMERS.contains(&kind)
}

/// A configured builtin transformer.
enum Plugin {
    Annotations(Vec<(String, String)>, Vec<FieldSpec>),
    Labels(Vec<(String, String)>, Vec<FieldSpec>),
    Hash,
    Images(transform::images::ImageSpec, Vec<FieldSpec>),
    Namespace(transform::namespace::NamespaceOptions, Vec<FieldSpec>),
    Patch(PatchEntry),
    Json6902(PatchEntry),
    Strategic(Vec<String>),
    Prefix(String, Vec<FieldSpec>),
    Suffix(String, Vec<FieldSpec>),
    PrefixSuffix(String, String, Vec<FieldSpec>),
    Replacements(Vec<transform::replacements::Replacement>),
    Replicas(transform::replicas::ReplicaSpec, Vec<FieldSpec>),
    ValueAdd(String, Vec<ValueAddTarget>),
}

/// One `targets:` item of a ValueAddTransformer.
struct ValueAddTarget {
    selector: Option<Selector>,
    field_path: String,
    file_path_position: i64,
}

fn configure(ldr: &Loader, pc: &PluginConfig) -> Result<Plugin> {
    let specs = || -> Result<Vec<FieldSpec>> { Ok(pc.field_specs()?.unwrap_or_default()) };
    let required_specs = || -> Result<Vec<FieldSpec>> {
        pc.field_specs()?
            .ok_or_else(|| pc.err("fieldSpecs is not expected to be nil"))
    };
    Ok(match pc.config.kind() {
        "AnnotationsTransformer" => Plugin::Annotations(pc.pairs("annotations")?, specs()?),
        "LabelTransformer" => Plugin::Labels(pc.pairs("labels")?, specs()?),
        "HashTransformer" => Plugin::Hash,
        "ImageTagTransformer" => {
            let m = pc.map_field("imageTag")?;
            let g = |k: &str| m.map(|m| map_string(m, k)).unwrap_or_default();
            Plugin::Images(
                transform::images::ImageSpec {
                    name: g("name"),
                    new_name: g("newName"),
                    new_tag: g("newTag"),
                    digest: g("digest"),
                    tag_suffix: g("tagSuffix"),
                },
                specs()?,
            )
        }
        "NamespaceTransformer" => {
            let mut opts = transform::namespace::NamespaceOptions::new(&pc.meta("namespace"));
            opts.unset_only = pc.bool("unsetOnly")?;
            let mode = pc.string("setRoleBindingSubjects")?;
            if !mode.is_empty() {
                opts.role_binding_subjects =
                    transform::namespace::RoleBindingSubjects::parse(&mode)
                        .map_err(|e| pc.err(e.message))?;
            }
            Plugin::Namespace(opts, specs()?)
        }
        "PatchTransformer" => {
            let mut e = PatchEntry {
                path: Some(pc.string("path")?).filter(|s| !s.is_empty()),
                patch: Some(pc.string("patch")?).filter(|s| !s.trim().is_empty()),
                target: pc.field("target").cloned(),
                ..Default::default()
            };
            if let Some(o) = pc.map_field("options")? {
                e.allow_name_change = matches!(o.get("allowNameChange"), Some(Value::Bool(true)));
                e.allow_kind_change = matches!(o.get("allowKindChange"), Some(Value::Bool(true)));
            }
            if e.path.is_none() && e.patch.is_none() {
                return Err(pc.err("must specify one of patch and path"));
            }
            if e.path.is_some() && e.patch.is_some() {
                return Err(pc.err("patch and path can't be set at the same time"));
            }
            Plugin::Patch(e)
        }
        "PatchJson6902Transformer" => {
            let e = PatchEntry {
                path: Some(pc.string("path")?).filter(|s| !s.is_empty()),
                patch: Some(pc.string("jsonOp")?).filter(|s| !s.is_empty()),
                target: pc.field("target").cloned(),
                ..Default::default()
            };
            if e.path.is_none() && e.patch.is_none() {
                return Err(pc.err("empty file path and empty jsonOp"));
            }
            if e.path.is_some() && e.patch.is_some() {
                return Err(pc.err("must specify a file path or jsonOp, not both"));
            }
            Plugin::Json6902(e)
        }
        "PatchStrategicMergeTransformer" => {
            let mut entries = pc.strings("paths")?;
            let patches = pc.string("patches")?;
            if !patches.is_empty() {
                entries.push(patches);
            }
            if entries.is_empty() {
                return Err(pc.err("empty file path and empty patch content"));
            }
            Plugin::Strategic(entries)
        }
        "PrefixTransformer" => Plugin::Prefix(pc.string("prefix")?, required_specs()?),
        "SuffixTransformer" => Plugin::Suffix(pc.string("suffix")?, required_specs()?),
        "PrefixSuffixTransformer" => Plugin::PrefixSuffix(
            pc.string("prefix")?,
            pc.string("suffix")?,
            required_specs()?,
        ),
        "ReplacementTransformer" => {
            let entries = match pc.field("replacements") {
                None => Vec::new(),
                Some(Value::Seq(items)) => items.clone(),
                Some(_) => return Err(pc.err("field replacements must be a list")),
            };
            let reps = crate::build::load_replacements(ldr, &entries).map_err(|e| {
                if e.file.is_none() {
                    pc.err(e.message)
                } else {
                    e
                }
            })?;
            Plugin::Replacements(reps)
        }
        "ReplicaCountTransformer" => {
            let m = pc.map_field("replica")?;
            let count = match m.and_then(|m| m.get("count")) {
                None | Some(Value::Null(_)) => 0,
                Some(Value::Int(i)) => *i,
                Some(_) => return Err(pc.err("replica.count must be an integer")),
            };
            Plugin::Replicas(
                transform::replicas::ReplicaSpec {
                    name: m.map(|m| map_string(m, "name")).unwrap_or_default(),
                    count,
                },
                specs()?,
            )
        }
        "ValueAddTransformer" => configure_value_add(ldr, pc)?,
        "ConfigMapGenerator"
        | "SecretGenerator"
        | "IAMPolicyGenerator"
        | "HelmChartInflationGenerator" => return Err(pc.err("plugin is not a transformer")),
        _ => return Err(pc.err("unknown builtin plugin kind")),
    })
}

fn value_add_targets(pc: &PluginConfig, v: Option<&Value>) -> Result<Vec<ValueAddTarget>> {
    let items = match v {
        None | Some(Value::Null(_)) => return Ok(Vec::new()),
        Some(Value::Seq(items)) => items,
        Some(_) => return Err(pc.err("targets must be a list")),
    };
    let mut out = Vec::new();
    for i in items {
        let Some(m) = i.as_map() else {
            return Err(pc.err("each target must be a mapping"));
        };
        let selector = match m.get("selector") {
            None | Some(Value::Null(_)) => None,
            Some(s) => Some(Selector::from_value(s).map_err(|e| pc.err(e.message))?),
        };
        let field_path = map_string(m, "fieldPath");
        if field_path.is_empty() {
            return Err(pc.err("fieldPath cannot be empty"));
        }
        let file_path_position = match m.get("filePathPosition") {
            None | Some(Value::Null(_)) => 0,
            Some(Value::Int(i)) => *i,
            Some(_) => return Err(pc.err("filePathPosition must be an integer")),
        };
        if file_path_position < 0 {
            return Err(pc.err(format!(
                "value of FilePathPosition ({}) cannot be negative",
                file_path_position
            )));
        }
        out.push(ValueAddTarget {
            selector,
            field_path,
            file_path_position,
        });
    }
    Ok(out)
}

fn configure_value_add(ldr: &Loader, pc: &PluginConfig) -> Result<Plugin> {
    let mut value = pc.string("value")?.trim().to_string();
    if value.is_empty() {
        value = ldr
            .root()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    let mut targets = value_add_targets(pc, pc.field("targets"))?;
    let tfp = pc.string("targetFilePath")?;
    if !tfp.is_empty() {
        let text = ldr.load_text(&tfp)?;
        let shown = ldr.display_path(&tfp);
        for doc in crate::build::parse_yaml(&shown, &text)? {
            targets.extend(value_add_targets(pc, doc.get("targets"))?);
        }
    }
    if targets.is_empty() {
        return Err(pc.err("must specify at least one target"));
    }
    Ok(Plugin::ValueAdd(value, targets))
}

/// kyaml's `InsertPathPart`: inserts `part` at position `pos` of a
/// slash-separated path.
fn insert_path_part(path: &str, pos: usize, part: &str) -> String {
    if part.is_empty() {
        return path.to_string();
    }
    let mut parts: Vec<String> = if path.is_empty() {
        Vec::new()
    } else {
        let trimmed = path.trim_end_matches('/');
        if trimmed.is_empty() {
            vec![String::new()]
        } else {
            trimmed.split('/').map(str::to_string).collect()
        }
    };
    // Collapse empty segments from repeated slashes, keeping a leading "".
    let absolute = parts.first().is_some_and(|p| p.is_empty());
    parts = parts
        .into_iter()
        .enumerate()
        .filter(|(i, p)| *i == 0 && absolute || !p.is_empty())
        .map(|(_, p)| p)
        .collect();
    let mut pos = pos.min(parts.len());
    if absolute && pos < parts.len() {
        pos += 1;
    }
    parts.insert(pos, part.to_string());
    let joined: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    let body = crate::loader::clean(Path::new(&joined.join("/")))
        .to_string_lossy()
        .into_owned();
    if parts.first().is_some_and(|p| p.is_empty()) {
        format!("/{}", body)
    } else {
        body
    }
}

fn value_add(m: &mut ResMap, value: &str, targets: &[ValueAddTarget]) -> Result<()> {
    for t in targets {
        let positions: Vec<usize> = (0..m.len())
            .filter(|&p| t.selector.as_ref().is_none_or(|s| s.matches(m.get(p))))
            .collect();
        for pos in positions {
            if t.field_path == "metadata/namespace" {
                let opts = transform::namespace::NamespaceOptions::new(value);
                let mut one = ResMap::new();
                one.push(m.get(pos).clone());
                transform::namespace::set_namespace(&mut one, &opts, &[])?;
                let updated = one.into_resources().into_iter().next();
                if let Some(u) = updated {
                    m.update(pos, |r| *r = u);
                }
                continue;
            }
            let mut fields: Vec<String> = Vec::new();
            for f in t.field_path.split('/') {
                match fields.last_mut() {
                    Some(last) if last.ends_with('\\') => {
                        last.pop();
                        last.push('/');
                        last.push_str(f);
                    }
                    _ => fields.push(f.to_string()),
                }
            }
            m.update(pos, |r| {
                set_value_add(&mut r.value, &fields, value, t)?;
                // One node written: passed to its aliases, if shared.
                crate::alias::sync_all(std::slice::from_mut(r));
                Ok::<(), crate::Error>(())
            })?;
        }
    }
    Ok(())
}

fn set_value_add(
    node: &mut Value,
    fields: &[String],
    value: &str,
    t: &ValueAddTarget,
) -> Result<()> {
    let Some((first, rest)) = fields.split_first() else {
        transform::check_scalar(node)?;
        // A field just created (or null) counts as empty, as kyaml's new
        // scalar node does.
        let old = match node {
            Value::Null(_) => String::new(),
            _ => crate::fieldspec::scalar_text(node).unwrap_or_default(),
        };
        let new = if t.file_path_position > 0 {
            insert_path_part(&old, (t.file_path_position - 1) as usize, value)
        } else {
            value.to_string()
        };
        // kyaml puts an untagged scalar in the node's place, in the old
        // node's style: a new, plain or non-string node is plain, and the
        // text then reads as YAML (`42` is a number); a string that would
        // not read back as one was quoted, and stays a string.
        let plain = match &*node {
            Value::String(s) => {
                matches!(transform::replacements::resolve_plain(s), Value::String(_))
            }
            _ => true,
        };
        *node = if plain {
            transform::replacements::resolve_plain(&new)
        } else {
            Value::String(new)
        };
        return Ok(());
    };
    if node.is_null() {
        *node = Value::Map(Map::new());
    }
    let Value::Map(m) = node else {
        return Err(crate::fieldspec::wrong_kind_error("MappingNode", node));
    };
    let child = m.entry_or_insert_with(first.as_str(), || Value::NULL);
    set_value_add(child, rest, value, t)
}

fn hash_names(m: &mut ResMap) -> Result<()> {
    for pos in 0..m.len() {
        if !m.get(pos).needs_hash {
            continue;
        }
        let h = crate::hash::hash_suffix(&m.get(pos).value)?;
        m.update(pos, |r| {
            r.store_previous_id();
            let name = format!("{}-{}", r.name(), h);
            r.set_name(&name);
        });
    }
    Ok(())
}

fn apply(ldr: &Loader, p: &Plugin, m: &mut ResMap) -> Result<()> {
    use transform::*;
    match p {
        Plugin::Annotations(pairs, specs) => {
            annotations::add_annotations(m.resources_mut(), pairs, specs)
        }
        Plugin::Labels(pairs, specs) => labels::add_labels(m.resources_mut(), pairs, specs),
        Plugin::Hash => hash_names(m),
        Plugin::Images(spec, specs) => images::set_images(m.resources_mut(), spec, specs),
        Plugin::Namespace(opts, specs) => namespace::set_namespace(m, opts, specs),
        Plugin::Patch(e) => crate::patch::apply_patches(ldr, std::slice::from_ref(e), m),
        Plugin::Json6902(e) => {
            crate::patch::apply_patches_json6902(ldr, std::slice::from_ref(e), m)
        }
        Plugin::Strategic(entries) => crate::patch::apply_patches_strategic_merge(ldr, entries, m),
        Plugin::Prefix(p, specs) => prefix_suffix::add_name_prefix(m, p, specs),
        Plugin::Suffix(s, specs) => prefix_suffix::add_name_suffix(m, s, specs),
        Plugin::PrefixSuffix(p, s, specs) => {
            prefix_suffix::add_name_prefix(m, p, specs)?;
            prefix_suffix::add_name_suffix(m, s, specs)
        }
        Plugin::Replacements(reps) => replacements::apply_replacements(m, reps),
        Plugin::Replicas(spec, specs) => replicas::set_replicas(m.resources_mut(), spec, specs),
        Plugin::ValueAdd(value, targets) => value_add(m, value, targets),
    }
}

/// Records that a transformer configured by `origin` ran over `m`: every
/// resource without an origin takes it as its origin, every other one adds
/// it to its transformations (kustomize's `AddTransformerAnnotation`).
pub fn note_transformer(m: &mut ResMap, origin: &Origin) {
    for r in m.resources_mut() {
        // When it tracks origins (`buildMetadata`), kustomize records the
        // transformer by rewriting `metadata.annotations` (new nodes): the
        // annotations there are shared no more. Otherwise the transformer
        // has no origin and nothing is rewritten.
        if crate::build::tracking_origins() {
            r.aliases.drop_under(&["metadata", "annotations"]);
        }
        if r.origin.is_none() {
            r.origin = Some(origin.clone());
        } else {
            r.transformations.push(origin.clone());
        }
    }
}

/// Records that the builtin transformer `kind`, configured by a field of the
/// kustomization `k`, ran over `m` (see [`note_transformer`]).
pub fn note_builtin_transformer(ldr: &Loader, k: &Kustomization, kind: &str, m: &mut ResMap) {
    let origin = builtin_origin(ldr, k, kind);
    note_transformer(m, &origin);
}

/// The origin of what a builtin generator or transformer configured by a
/// field of `k` makes or changes.
pub fn builtin_origin(ldr: &Loader, k: &Kustomization, kind: &str) -> Origin {
    Origin {
        path: None,
        repo: ldr.origin_repo(),
        configured_in: Some(kust_file_abs(ldr, k)),
        configured_by: Some(ConfiguredBy {
            api_version: "builtin".into(),
            kind: kind.into(),
            ..Default::default()
        }),
    }
}

/// Runs the `transformers:` entries over the accumulated resources.
pub fn run_transformers(ldr: &Loader, k: &Kustomization, ra: &mut Accumulator) -> Result<()> {
    if !k.validators.is_empty() {
        return Err(Error::in_file(
            &k.file,
            "field validators: validator plugins are not supported",
        ));
    }
    if k.transformers.is_empty() {
        return Ok(());
    }
    let mut configs = load_configs(ldr, k, &k.transformers, "transformers", &mut ra.warnings)?;
    // Each config checked and configured in turn (the first error wins).
    let mut configured = Vec::with_capacity(configs.len());
    for pc in &mut configs {
        pc.check_builtin()?;
        configured.push(configure(ldr, pc)?);
    }
    for (p, pc) in configured.iter().zip(&configs) {
        let origin = &pc.plugin_origin();
        apply(ldr, p, &mut ra.resources).map_err(|e| {
            if e.file.is_none() {
                pc.err(e.message)
            } else {
                e
            }
        })?;
        note_transformer(&mut ra.resources, origin);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// buildMetadata

/// `path` relative to `base`, lexically (both absolute and clean).
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(b.iter()).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A scalar as the YAML emitter writes it (quoted when needed).
fn scalar(s: &str) -> String {
    let text = crate::yaml::emit_document(&Value::String(s.to_string()));
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

/// Renders an origin as kyaml marshals it (fields in declaration order:
/// path, configuredIn, configuredBy), each line prefixed by `first` (first
/// line) or `rest` (the others).
fn render_origin(o: &Origin, top: &Path, first: &str, rest: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let rel = |p: &Path| match &o.repo {
        // Paths in a remote repository are relative to its root.
        Some(repo) => {
            let mut inside = relative_to(p, &repo.root);
            if repo.not_cloned {
                inside = crate::loader::clean(&Path::new("notCloned").join(inside));
            }
            scalar(&inside.to_string_lossy())
        }
        None => scalar(&relative_to(p, top).to_string_lossy()),
    };
    if let Some(p) = &o.path {
        lines.push(format!("path: {}", rel(p)));
    }
    if let Some(repo) = &o.repo {
        lines.push(format!("repo: {}", scalar(&repo.url)));
        if !repo.git_ref.is_empty() {
            lines.push(format!("ref: {}", scalar(&repo.git_ref)));
        }
    }
    if let Some(p) = &o.configured_in {
        lines.push(format!("configuredIn: {}", rel(p)));
    }
    if let Some(by) = &o.configured_by {
        let fields: Vec<String> = [
            ("apiVersion", &by.api_version),
            ("kind", &by.kind),
            ("name", &by.name),
            ("namespace", &by.namespace),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("  {}: {}", k, scalar(v)))
        .collect();
        if !fields.is_empty() {
            lines.push("configuredBy:".to_string());
            lines.extend(fields);
        }
    }
    if lines.is_empty() {
        return format!("{}{{}}\n", first);
    }
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        out.push_str(if i == 0 { first } else { rest });
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Renders one entry of an existing transformations annotation (read from
/// an input file) as kyaml re-marshals it: known fields in declaration order.
fn render_origin_map(m: &Map, first: &str, rest: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let text = |v: &Value| v.scalar_string().map(|s| scalar(&s));
    for key in ["path", "repo", "ref", "configuredIn"] {
        if let Some(t) = m
            .get(key)
            .and_then(text)
            .filter(|t| !t.is_empty() && t != "\"\"")
        {
            lines.push(format!("{}: {}", key, t));
        }
    }
    if let Some(Value::Map(by)) = m.get("configuredBy") {
        let fields: Vec<String> = ["apiVersion", "kind", "name", "namespace"]
            .iter()
            .filter_map(|k| {
                by.get(k)
                    .and_then(text)
                    .filter(|t| !t.is_empty() && t != "\"\"")
                    .map(|t| format!("  {}: {}", k, t))
            })
            .collect();
        if !fields.is_empty() {
            lines.push("configuredBy:".to_string());
            lines.extend(fields);
        }
    }
    if lines.is_empty() {
        return format!("{}{{}}\n", first);
    }
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        out.push_str(if i == 0 { first } else { rest });
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Rewrites `metadata.annotations` as kyaml's `SetAnnotations` does: values
/// become strings (null becomes empty), `drop` keys go, and an empty map is
/// removed. With `always` false a missing or empty map is left alone.
fn normalize_annotations(r: &mut Resource, drop: &[&str], always: bool) {
    let Some(Value::Map(md)) = r.value.get_mut("metadata") else {
        return;
    };
    let Some(anns) = md.get("annotations") else {
        return;
    };
    let empty = match anns {
        Value::Map(m) => m.is_empty(),
        Value::Null(_) => true,
        _ => return,
    };
    if empty && !always {
        return;
    }
    if let Value::Map(m) = anns
        && !m.is_empty()
        && m.iter()
            .all(|(k, v)| !drop.contains(&k.as_str()) && matches!(v, Value::String(_)))
    {
        // Nothing to drop or to turn into a string: left as it is.
        return;
    }
    let mut out = Map::new();
    if let Value::Map(m) = anns {
        for (k, v) in m.iter() {
            if drop.contains(&k.as_str()) {
                continue;
            }
            let v = match v.scalar_string() {
                Some(s) => Value::String(s),
                None => v.clone(),
            };
            out.insert(k.clone(), v);
        }
    }
    if out.is_empty() {
        md.remove("annotations");
    } else {
        md.insert("annotations", Value::Map(out));
    }
}

fn set_annotation(r: &mut Resource, key: &str, value: String) {
    let md = r.metadata_mut();
    let anns = md.entry_or_insert_with("annotations", || Value::Map(Map::new()));
    if !matches!(anns, Value::Map(_)) {
        *anns = Value::Map(Map::new());
    }
    if let Value::Map(a) = anns {
        a.insert(key, Value::String(value));
    }
}

/// Applies `buildMetadata` options to the final resources, as kustomize's
/// last steps do: the managed-by label, then origin and transformation
/// annotations (paths relative to the top kustomization's directory). Those
/// two annotations are removed when not asked for, which (as in kustomize)
/// also rewrites every annotation value as a string and drops empty
/// annotation maps. `managed_by_label` adds the label without the option
/// (`--enable-managedby-label`).
pub fn apply_build_metadata(
    k: &Kustomization,
    m: &mut ResMap,
    managed_by_label: bool,
) -> Result<()> {
    let has = |o: &str| k.build_metadata.iter().any(|b| b == o);
    let origins = has("originAnnotations");
    let transformations = has("transformerAnnotations");
    if managed_by_label || has("managedByLabel") {
        let spec = FieldSpec {
            create: true,
            ..FieldSpec::new("metadata/labels")
        };
        transform::labels::add_labels(
            m.resources_mut(),
            &[(MANAGED_BY_LABEL.to_string(), MANAGED_BY_VALUE.to_string())],
            std::slice::from_ref(&spec),
        )?;
    }
    let top = if origins || transformations {
        let dir = k.dir();
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
    } else {
        PathBuf::new()
    };
    let mut drop: Vec<&str> = BUILD_ANNOTATIONS.to_vec();
    let always = !(origins && transformations);
    if !origins {
        drop.push(ORIGIN_ANNOTATION);
    }
    if !transformations {
        drop.push(TRANSFORMATIONS_ANNOTATION);
    }
    // Each resource on its own, split over spare cores.
    crate::workers::map_each(m.resources_mut(), transform::PARALLEL_MIN, |r| {
        if transformations && !r.transformations.is_empty() {
            let existing = r
                .value
                .get_path(&["metadata", "annotations", TRANSFORMATIONS_ANNOTATION])
                .and_then(Value::as_str)
                .and_then(|t| crate::yaml::parse_single(t).ok().flatten());
            let mut text = String::new();
            if let Some(Value::Seq(items)) = existing {
                for i in items.iter().filter_map(Value::as_map) {
                    text.push_str(&render_origin_map(i, "- ", "  "));
                }
            }
            for o in &r.transformations {
                text.push_str(&render_origin(o, &top, "- ", "  "));
            }
            set_annotation(r, TRANSFORMATIONS_ANNOTATION, text);
        }
        if origins && let Some(o) = r.origin.clone() {
            let text = render_origin(&o, &top, "", "");
            set_annotation(r, ORIGIN_ANNOTATION, text);
        }
        normalize_annotations(r, &drop, always);
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Expected values checked with `kubectl kustomize` through a
    // ValueAddTransformer with `filePathPosition` = pos + 1 on these values.
    #[test]
    fn insert_path_part_like_kubectl() {
        assert_eq!(insert_path_part("projects", 1, "dog"), "projects/dog");
        assert_eq!(insert_path_part("a/b/c", 0, "x"), "x/a/b/c");
        assert_eq!(insert_path_part("a/b/c", 9, "x"), "a/b/c/x");
        assert_eq!(insert_path_part("/a/b", 0, "x"), "/x/a/b");
        assert_eq!(insert_path_part("", 0, "x"), "x");
        assert_eq!(insert_path_part("a//b/", 1, "x"), "a/x/b");
        assert_eq!(insert_path_part("a", 0, ""), "a");
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_to(Path::new("/w/base/a.yaml"), Path::new("/w/prod")),
            PathBuf::from("../base/a.yaml")
        );
        assert_eq!(
            relative_to(
                Path::new("/w/prod/kustomization.yaml"),
                Path::new("/w/prod")
            ),
            PathBuf::from("kustomization.yaml")
        );
    }

    #[test]
    fn inline_detection() {
        assert!(parse_inline("apiVersion: builtin\nkind: X\nmetadata:\n  name: a\n").is_some());
        assert!(parse_inline("gen.yaml").is_none());
        assert!(parse_inline("../dir").is_none());
    }

    // Layout as kubectl prints the origin and transformations annotations
    // (see the build-metadata-origins fixture; kubectl quotes the name "n").
    #[test]
    fn renders_origins_in_kyaml_field_order() {
        let o = Origin {
            path: None,
            repo: None,
            configured_in: Some(PathBuf::from("/top/kustomization.yaml")),
            configured_by: Some(ConfiguredBy {
                api_version: "builtin".into(),
                kind: "NamespaceTransformer".into(),
                name: "n".into(),
                namespace: "test".into(),
            }),
        };
        assert_eq!(
            render_origin(&o, Path::new("/top"), "- ", "  "),
            "- configuredIn: kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: NamespaceTransformer\n    name: \"n\"\n    namespace: test\n"
        );
        let p = Origin {
            path: Some(PathBuf::from("/w/base/service.yaml")),
            ..Default::default()
        };
        assert_eq!(
            render_origin(&p, Path::new("/w/prod"), "", ""),
            "path: ../base/service.yaml\n"
        );
    }

    // kubectl prints `a: "true"`, `b: "1"`, `c: ""` for `a: true`, `b: 1`,
    // `c:` and drops an emptied annotations map (build-metadata-cleanup
    // fixture).
    #[test]
    fn normalizes_annotations_like_set_annotations() {
        let mut r = Resource::new(Value::from(json!({
            "kind": "ConfigMap",
            "metadata": {"name": "c", "annotations": {"a": true, "b": 1, "c": null}}
        })));
        normalize_annotations(&mut r, &[], true);
        assert_eq!(
            r.value.get_path(&["metadata", "annotations"]),
            Some(&Value::from(json!({"a": "true", "b": "1", "c": ""})))
        );
        let mut e = Resource::new(Value::from(json!({
            "kind": "ConfigMap",
            "metadata": {"name": "e", "annotations": {ORIGIN_ANNOTATION: "path: x\n"}}
        })));
        normalize_annotations(&mut e, &[ORIGIN_ANNOTATION], true);
        assert_eq!(e.value.get_path(&["metadata", "annotations"]), None);
    }

    #[test]
    fn transformer_notes_set_origin_or_append() {
        let mut m = ResMap::new();
        m.push(Resource::new(Value::from(
            json!({"kind": "A", "metadata": {"name": "a"}}),
        )));
        let mut with_origin =
            Resource::new(Value::from(json!({"kind": "B", "metadata": {"name": "b"}})));
        with_origin.origin = Some(Origin {
            path: Some(PathBuf::from("/x/b.yaml")),
            ..Default::default()
        });
        m.push(with_origin);
        let t = Origin {
            configured_in: Some(PathBuf::from("/x/kustomization.yaml")),
            ..Default::default()
        };
        note_transformer(&mut m, &t);
        assert_eq!(m.get(0).origin.as_ref(), Some(&t));
        assert!(m.get(0).transformations.is_empty());
        assert_eq!(m.get(1).transformations, vec![t]);
    }
}
