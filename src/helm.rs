//! Helm chart inflation: kustomize 5.5's `HelmChartInflationGenerator`, run
//! for each `helmCharts` entry and for each plugin config of that kind in
//! `generators:`.
//!
//! Off unless the build is given `--enable-helm` ([`HelmConfig::enabled`]).
//! For each chart, as kustomize does:
//!
//! 1. **Configure**: the chart's own `kubeVersion`, `apiVersions` and `debug`
//!    win over `--helm-kube-version`, `--helm-api-versions`, `--helm-debug`
//!    (kustomize sets the flags' values first and then decodes the chart's
//!    fields over them); `chartHome` defaults to `charts` (relative to the
//!    kustomization root); `valuesFile` to `<chart dir>/values.yaml`;
//!    `additionalValuesFiles` must be loadable under the load restrictor and
//!    are handed to helm as `<root>/<file>`; `valuesMerge` defaults to
//!    `override`.
//! 2. **Locate** the chart: `<chartHome>/<name>`, or
//!    `<chartHome>/<name>-<version>/<name>` when both `repo` and `version` are
//!    set. A chart already there is used as it is; otherwise it is pulled
//!    with `helm pull --untar` (a chart with no `repo` is an error).
//! 3. **Values**: with no `valuesInline`, the values file is copied as it is
//!    to a temporary file. With `valuesInline`, `replace` writes the inline
//!    values alone; `override` merges them over the values file and `merge`
//!    merges the values file over them, both with kyaml's merge (nulls in
//!    the winning side remove keys, lists are replaced, not merged). The
//!    inline values are read as kustomize reads the kustomization file
//!    (go-yaml v2: `yes` is `true`), the values file as kyaml reads a
//!    resource (`2001-12-14` becomes `2001-12-14T00:00:00Z`).
//! 4. **Render** with `helm template` (argv exactly as kustomize builds it,
//!    see [`template_args`]), in the environment `HELM_CONFIG_HOME`
//!    (`configHome`, default `<tmp>/helm`), `HELM_CACHE_HOME` and
//!    `HELM_DATA_HOME` below it. Helm's stdout is read like a resource file.
//!
//! helm runs as a subprocess with a timeout (`AIW_HELM_TIMEOUT` seconds,
//! default 300); any failure is one line naming the kustomization file, the
//! chart entry and helm's own stderr, trimmed. Temporary files live in a
//! directory `aiw-helm-*` under the system temporary directory, removed
//! when the chart is done.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::loader::{Loader, clean};
use crate::resource::Resource;
use crate::yaml::{Map, Value};

/// kustomize's default `chartHome`.
pub const DEFAULT_CHART_HOME: &str = "charts";

/// The `--enable-helm` family of build flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelmConfig {
    /// `--enable-helm`: chart inflation is refused without it.
    pub enabled: bool,
    /// `--helm-command`: the helm executable (default `helm`, looked up on
    /// `PATH`).
    pub command: String,
    /// `--helm-api-versions` (repeatable): for `Capabilities.APIVersions`,
    /// unless a chart sets `apiVersions`.
    pub api_versions: Vec<String>,
    /// `--helm-kube-version`: for `Capabilities.KubeVersion`, unless a chart
    /// sets `kubeVersion`.
    pub kube_version: String,
    /// `--helm-debug`: passes `--debug` to `helm template`; a failing chart's
    /// error then carries all of helm's stderr.
    pub debug: bool,
}

impl Default for HelmConfig {
    fn default() -> Self {
        HelmConfig {
            enabled: false,
            command: "helm".to_string(),
            api_versions: Vec::new(),
            kube_version: String::new(),
            debug: false,
        }
    }
}

/// `helmGlobals`: settings shared by every chart of a kustomization.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelmGlobals {
    /// `chartHome`: the directory holding one subdirectory per chart
    /// (default `charts`, relative to the kustomization root).
    pub chart_home: String,
    /// `configHome`: `HELM_CONFIG_HOME` for helm (default: a temporary
    /// directory).
    pub config_home: String,
}

/// How `valuesInline` combines with the values file (`valuesMerge`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValuesMerge {
    /// `override` (the default): inline values win.
    Override,
    /// `merge`: the values file wins; inline values fill the gaps.
    Merge,
    /// `replace`: the inline values alone.
    Replace,
}

/// One chart to inflate: a `helmCharts` entry (kustomize's `HelmChart`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HelmChart {
    /// `name`: the chart's name (its directory under `chartHome`).
    pub name: String,
    /// `version`: the chart version to pull.
    pub version: String,
    /// `repo`: the repository to pull from (`--repo`, or an `oci://` URL).
    pub repo: String,
    /// `releaseName` (empty: `--generate-name`).
    pub release_name: String,
    /// `namespace`: `--namespace`, the release's namespace.
    pub namespace: String,
    /// `nameTemplate`: `--name-template`.
    pub name_template: String,
    /// `valuesFile`: used instead of the chart's `values.yaml`.
    pub values_file: String,
    /// `additionalValuesFiles`: more `-f` files, after the values file.
    pub additional_values_files: Vec<String>,
    /// `valuesInline`: values given in the kustomization.
    pub values_inline: Option<Map>,
    /// `valuesMerge`: `override`, `merge`, `replace` or empty (override).
    pub values_merge: String,
    /// `includeCRDs`: `--include-crds`.
    pub include_crds: bool,
    /// `skipHooks`: `--no-hooks`.
    pub skip_hooks: bool,
    /// `skipTests`: `--skip-tests`.
    pub skip_tests: bool,
    /// `apiVersions`: `--api-versions`, one per entry.
    pub api_versions: Vec<String>,
    /// `kubeVersion`: `--kube-version`.
    pub kube_version: String,
    /// `debug`: `--debug`.
    pub debug: bool,
}

/// The `helmCharts` entry fields, by their JSON names.
pub const CHART_FIELDS: &[&str] = &[
    "name",
    "version",
    "repo",
    "releaseName",
    "namespace",
    "additionalValuesFiles",
    "valuesFile",
    "valuesInline",
    "valuesMerge",
    "includeCRDs",
    "skipHooks",
    "apiVersions",
    "kubeVersion",
    "nameTemplate",
    "skipTests",
    "debug",
];

/// The `helmGlobals` fields.
pub const GLOBALS_FIELDS: &[&str] = &["chartHome", "configHome"];

/// The deprecated `helmChartInflationGenerator` entry fields
/// (kustomize's `HelmChartArgs`).
pub const LEGACY_FIELDS: &[&str] = &[
    "chartName",
    "chartVersion",
    "chartRepoUrl",
    "chartHome",
    "chartRepoName",
    "helmBin",
    "helmHome",
    "values",
    "valuesLocal",
    "valuesMerge",
    "releaseName",
    "releaseNamespace",
    "extraArgs",
];

/// The field of `fields` that the key `key` sets: an exact match first,
/// else Go's case-insensitive JSON match.
pub fn field_name(fields: &[&'static str], key: &str) -> Option<&'static str> {
    fields
        .iter()
        .find(|f| **f == key)
        .or_else(|| fields.iter().find(|f| f.eq_ignore_ascii_case(key)))
        .copied()
}

/// A field decoder shared by the kustomization (strict) and the plugin
/// config (lenient) forms.
struct Fields<'a> {
    /// What the fields belong to, for messages (`helmCharts[0]`).
    what: &'a str,
}

impl Fields<'_> {
    fn type_error(&self, field: &str, want: &str, got: &Value) -> Error {
        Error::msg(format!(
            "{}.{} must be {}, not {}",
            self.what,
            field,
            want,
            got.type_name()
        ))
    }

    fn string(&self, field: &str, v: &Value) -> Result<String> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Null(_) => Ok(String::new()),
            other => Err(self.type_error(field, "a string", other)),
        }
    }

    fn strings(&self, field: &str, v: &Value) -> Result<Vec<String>> {
        match v {
            Value::Null(_) => Ok(Vec::new()),
            Value::Seq(items) => items.iter().map(|i| self.string(field, i)).collect(),
            other => Err(self.type_error(field, "a list of strings", other)),
        }
    }

    fn bool(&self, field: &str, v: &Value) -> Result<bool> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::Null(_) => Ok(false),
            other => Err(self.type_error(field, "a boolean", other)),
        }
    }

    fn map(&self, field: &str, v: &Value) -> Result<Option<Map>> {
        match v {
            Value::Null(_) => Ok(None),
            Value::Map(m) => Ok(Some(m.clone())),
            other => Err(self.type_error(field, "a mapping", other)),
        }
    }
}

/// Decodes one `helmCharts` entry. With `strict`, an unknown field is an
/// error (the kustomization file); without, it is ignored (a plugin config,
/// which also carries `apiVersion`, `kind`, `metadata` and the globals).
pub fn parse_chart(what: &str, v: &Value, strict: bool) -> Result<HelmChart> {
    let f = Fields { what };
    let m = match v {
        Value::Null(_) => return Ok(HelmChart::default()),
        Value::Map(m) => m,
        other => {
            return Err(Error::msg(format!(
                "{} must be a mapping, not {}",
                what,
                other.type_name()
            )));
        }
    };
    let mut c = HelmChart::default();
    for (key, v) in m.iter() {
        let Some(field) = field_name(CHART_FIELDS, key) else {
            if strict {
                return Err(Error::msg(format!("unknown field {:?} in {}", key, what)));
            }
            continue;
        };
        match field {
            "name" => c.name = f.string(field, v)?,
            "version" => c.version = f.string(field, v)?,
            "repo" => c.repo = f.string(field, v)?,
            "releaseName" => c.release_name = f.string(field, v)?,
            "namespace" => c.namespace = f.string(field, v)?,
            "additionalValuesFiles" => c.additional_values_files = f.strings(field, v)?,
            "valuesFile" => c.values_file = f.string(field, v)?,
            "valuesInline" => c.values_inline = f.map(field, v)?,
            "valuesMerge" => c.values_merge = f.string(field, v)?,
            "includeCRDs" => c.include_crds = f.bool(field, v)?,
            "skipHooks" => c.skip_hooks = f.bool(field, v)?,
            "apiVersions" => c.api_versions = f.strings(field, v)?,
            "kubeVersion" => c.kube_version = f.string(field, v)?,
            "nameTemplate" => c.name_template = f.string(field, v)?,
            "skipTests" => c.skip_tests = f.bool(field, v)?,
            _ => c.debug = f.bool(field, v)?,
        }
    }
    Ok(c)
}

/// Decodes `helmGlobals` (strictly) or the globals of a plugin config.
pub fn parse_globals(what: &str, v: &Value, strict: bool) -> Result<HelmGlobals> {
    let f = Fields { what };
    let mut g = HelmGlobals::default();
    let Some(m) = f.map(what, v)? else {
        return Ok(g);
    };
    for (key, v) in m.iter() {
        match field_name(GLOBALS_FIELDS, key) {
            Some("chartHome") => g.chart_home = f.string("chartHome", v)?,
            Some(_) => g.config_home = f.string("configHome", v)?,
            None if strict => {
                return Err(Error::msg(format!("unknown field {:?} in {}", key, what)));
            }
            None => {}
        }
    }
    Ok(g)
}

/// Decodes one deprecated `helmChartInflationGenerator` entry into a chart
/// and the globals it carries (`chartHome`, `helmHome`), as kustomize's
/// `SplitHelmParameters` does: `releaseNamespace`, `extraArgs`, `helmBin`
/// and `chartRepoName` are read and dropped.
pub fn parse_legacy(what: &str, v: &Value) -> Result<(HelmChart, HelmGlobals)> {
    let f = Fields { what };
    let mut c = HelmChart::default();
    let mut g = HelmGlobals::default();
    let Some(m) = f.map(what, v)? else {
        return Ok((c, g));
    };
    for (key, v) in m.iter() {
        let Some(field) = field_name(LEGACY_FIELDS, key) else {
            return Err(Error::msg(format!("unknown field {:?} in {}", key, what)));
        };
        match field {
            "chartName" => c.name = f.string(field, v)?,
            "chartVersion" => c.version = f.string(field, v)?,
            "chartRepoUrl" => c.repo = f.string(field, v)?,
            "chartHome" => g.chart_home = f.string(field, v)?,
            "helmHome" => g.config_home = f.string(field, v)?,
            "values" => c.values_file = f.string(field, v)?,
            "valuesLocal" => c.values_inline = f.map(field, v)?,
            "valuesMerge" => c.values_merge = f.string(field, v)?,
            "releaseName" => c.release_name = f.string(field, v)?,
            "extraArgs" => {
                f.strings(field, v)?;
            }
            _ => {
                f.string(field, v)?;
            }
        }
    }
    Ok((c, g))
}

/// A chart ready to inflate: its settings after kustomize's `Config` step.
#[derive(Debug)]
pub struct Configured {
    chart: HelmChart,
    merge: ValuesMerge,
    command: String,
    /// The chart home, absolute, with `<name>-<version>` for a repo chart.
    abs_chart_home: PathBuf,
    /// `configHome`, or empty for `<tmp>/helm`.
    config_home: String,
    /// The additional values files as handed to helm.
    additional: Vec<PathBuf>,
}

/// kustomize's `Config` and `validateArgs`: checks that Helm is enabled and
/// the chart's settings are valid, and resolves the defaults. `ldr` is the
/// loader of the kustomization that lists the chart.
pub fn configure(
    ldr: &Loader,
    chart: &HelmChart,
    globals: &HelmGlobals,
    cfg: &HelmConfig,
) -> Result<Configured> {
    if !cfg.enabled {
        return Err(Error::msg(
            "Helm chart inflation is off: pass --enable-helm to turn it on",
        ));
    }
    if cfg.command.is_empty() {
        return Err(Error::msg("must specify --helm-command"));
    }
    let mut chart = chart.clone();
    // kustomize writes the flags' values into the plugin and then decodes
    // the chart's own fields over them: a chart's setting wins.
    if chart.kube_version.is_empty() {
        chart.kube_version = cfg.kube_version.clone();
    }
    if chart.api_versions.is_empty() {
        chart.api_versions = cfg.api_versions.clone();
    }
    chart.debug |= cfg.debug;
    if chart.name.is_empty() {
        return Err(Error::msg("chart name cannot be empty"));
    }
    let chart_home = if globals.chart_home.is_empty() {
        DEFAULT_CHART_HOME
    } else {
        globals.chart_home.as_str()
    };
    let mut abs_chart_home = if Path::new(chart_home).is_absolute() {
        clean(Path::new(chart_home))
    } else {
        clean(&ldr.root().join(chart_home))
    };
    if !chart.version.is_empty() && !chart.repo.is_empty() {
        abs_chart_home.push(format!("{}-{}", chart.name, chart.version));
        abs_chart_home = clean(&abs_chart_home);
    }
    if chart.values_file.is_empty() {
        let default = clean(&abs_chart_home.join(&chart.name).join("values.yaml"));
        chart.values_file = default.to_string_lossy().into_owned();
    }
    let mut additional = Vec::new();
    for file in &chart.additional_values_files {
        ldr.load(file).map_err(|e| {
            Error::msg(format!(
                "could not load additionalValuesFile: {}",
                located(&e)
            ))
        })?;
        // Go's filepath.Join(root, file): an absolute file is joined below
        // the root too, as kustomize does.
        additional.push(clean(&ldr.root().join(file.trim_start_matches('/'))));
    }
    let merge = match chart.values_merge.as_str() {
        "" | "override" => ValuesMerge::Override,
        "merge" => ValuesMerge::Merge,
        "replace" => ValuesMerge::Replace,
        other => {
            return Err(Error::msg(format!(
                "valuesMerge must be one of [merge override replace], not {:?}",
                other
            )));
        }
    };
    Ok(Configured {
        command: cfg.command.clone(),
        merge,
        abs_chart_home,
        config_home: globals.config_home.clone(),
        additional,
        chart,
    })
}

/// An error's message with its file in front, for wrapping into another
/// error about the kustomization file.
fn located(e: &Error) -> String {
    match &e.file {
        Some(f) => format!("{}: {}", f.display(), e.message),
        None => e.message.clone(),
    }
}

/// Wraps an inflation error into one naming the kustomization (or plugin
/// config) file `file` and the chart entry `entry`.
pub fn entry_error(file: &Path, entry: &str, e: Error) -> Error {
    Error::in_file(file, format!("{}: {}", entry, located(&e)))
}

/// `helm template`'s arguments for `chart` whose chart home is
/// `abs_chart_home`, the values file handed over being `values_file`
/// (kustomize's `AsHelmArgs`).
pub fn template_args(
    chart: &HelmChart,
    abs_chart_home: &Path,
    values_file: &Path,
    additional: &[PathBuf],
) -> Vec<String> {
    let mut args = vec!["template".to_string()];
    if chart.release_name.is_empty() {
        args.push("--generate-name".into());
    } else {
        args.push(chart.release_name.clone());
    }
    args.push(
        clean(&abs_chart_home.join(&chart.name))
            .to_string_lossy()
            .into_owned(),
    );
    if !chart.namespace.is_empty() {
        args.extend(["--namespace".into(), chart.namespace.clone()]);
    }
    if !chart.name_template.is_empty() {
        args.extend(["--name-template".into(), chart.name_template.clone()]);
    }
    args.extend(["-f".into(), values_file.to_string_lossy().into_owned()]);
    for f in additional {
        args.extend(["-f".into(), f.to_string_lossy().into_owned()]);
    }
    for v in &chart.api_versions {
        args.extend(["--api-versions".into(), v.clone()]);
    }
    if !chart.kube_version.is_empty() {
        args.extend(["--kube-version".into(), chart.kube_version.clone()]);
    }
    if chart.include_crds {
        args.push("--include-crds".into());
    }
    if chart.skip_tests {
        args.push("--skip-tests".into());
    }
    if chart.skip_hooks {
        args.push("--no-hooks".into());
    }
    if chart.debug {
        args.push("--debug".into());
    }
    args
}

/// `helm pull`'s arguments for a chart missing from its chart home
/// (kustomize's `pullCommand`).
pub fn pull_args(chart: &HelmChart, abs_chart_home: &Path) -> Vec<String> {
    let mut args = vec![
        "pull".to_string(),
        "--untar".into(),
        "--untardir".into(),
        abs_chart_home.to_string_lossy().into_owned(),
    ];
    if chart.repo.starts_with("oci://") {
        args.push(format!(
            "{}/{}",
            chart.repo.trim_end_matches('/'),
            chart.name
        ));
    } else {
        if !chart.repo.is_empty() {
            args.extend(["--repo".into(), chart.repo.clone()]);
        }
        args.push(chart.name.clone());
    }
    if !chart.version.is_empty() {
        args.extend(["--version".into(), chart.version.clone()]);
    }
    args
}

impl Configured {
    /// Inflates the chart (kustomize's `Generate`): returns the rendered
    /// resources in helm's order. `shown` names the output in messages.
    pub fn inflate(&self, ldr: &Loader, shown: &Path) -> Result<Vec<Resource>> {
        let tmp = tempfile::Builder::new()
            .prefix("aiw-helm-")
            .tempdir()
            .map_err(|e| Error::msg(format!("cannot create a temporary directory: {}", e)))?;
        let config_home = if self.config_home.is_empty() {
            tmp.path().join("helm")
        } else {
            PathBuf::from(&self.config_home)
        };
        let helm = Helm {
            command: &self.command,
            config_home: &config_home,
            debug: self.chart.debug,
        };
        helm.check_version()?;
        let chart_dir = clean(&self.abs_chart_home.join(&self.chart.name));
        if !chart_dir.is_dir() {
            if self.chart.repo.is_empty() {
                return Err(Error::msg(format!(
                    "no chart found at {} and no repo to pull it from",
                    crate::loader::display(&chart_dir).display()
                )));
            }
            helm.run(&pull_args(&self.chart, &self.abs_chart_home))?;
        }
        let inline = self.chart.values_inline.as_ref().filter(|m| !m.is_empty());
        let values = match inline {
            Some(inline) => merged_values(ldr, &self.chart.values_file, inline, self.merge)?,
            None => ldr.load(&self.chart.values_file)?,
        };
        let values_path = tmp
            .path()
            .join(format!("{}-kustomize-values.yaml", self.chart.name));
        std::fs::write(&values_path, values).map_err(|e| {
            Error::msg(format!(
                "cannot write the values file {}: {}",
                values_path.display(),
                e
            ))
        })?;
        let args = template_args(
            &self.chart,
            &self.abs_chart_home,
            &values_path,
            &self.additional,
        );
        let out = helm.run(&args)?;
        let text = String::from_utf8(out)
            .map_err(|_| Error::msg("helm template printed output that is not UTF-8"))?;
        let resources = crate::build::resources_from_text(shown, &text)?;
        let mut ids = HashSet::with_capacity(resources.len());
        for r in &resources {
            if !ids.insert(r.id()) {
                return Err(Error::msg(format!(
                    "helm template output: may not add resource with an already registered id: {}",
                    r.id()
                )));
            }
        }
        Ok(resources)
    }
}

/// The values file for a chart with `valuesInline` (kustomize's
/// `createNewMergedValuesFile`).
fn merged_values(
    ldr: &Loader,
    values_file: &str,
    inline: &Map,
    how: ValuesMerge,
) -> Result<Vec<u8>> {
    // kustomize holds `valuesInline` as a Go map, so every null in it is
    // written back as the word `null`, however the kustomization spelt it.
    let mut inline = Value::Map(inline.clone());
    nulls_as_words(&mut inline);
    let merged = match how {
        ValuesMerge::Replace => inline,
        ValuesMerge::Override | ValuesMerge::Merge => {
            let text = ldr.load_text(values_file)?;
            let shown = ldr.display_path(values_file);
            let docs = crate::yaml::parse_documents(&text).map_err(|e| {
                Error::in_file(
                    &shown,
                    format!("could not parse values file: {}", e.message),
                )
                .with_line(e.line)
            })?;
            let file_values = match docs.into_iter().next() {
                Some(v @ Value::Map(_)) => v,
                Some(other) => {
                    return Err(Error::in_file(
                        &shown,
                        format!(
                            "could not merge values: the values file holds a {}, not a mapping",
                            other.type_name()
                        ),
                    ));
                }
                None => {
                    return Err(Error::in_file(
                        &shown,
                        "could not parse values file: no values in it",
                    ));
                }
            };
            // kyaml's merge2.Merge(src, dest): `override` merges the inline
            // values into the file's, `merge` the other way round.
            let (mut dest, src) = match how {
                ValuesMerge::Override => (file_values, inline),
                _ => (inline, file_values),
            };
            let outcome = crate::build::with_active_schema(|schema| {
                crate::patch::smp::merge_patch(&mut dest, &src, schema)
            })
            .map_err(|e| Error::msg(format!("could not merge values: {}", e.message)))?;
            match outcome {
                crate::patch::smp::MergeOutcome::Patched => dest,
                crate::patch::smp::MergeOutcome::Delete => Value::Map(Map::new()),
            }
        }
    };
    Ok(crate::yaml::emit_document(&merged).into_bytes())
}

/// Turns every null in `v` written as nothing (`key:`) into the word form.
fn nulls_as_words(v: &mut Value) {
    match v {
        Value::Null(_) => *v = Value::NULL,
        Value::Map(m) => m.iter_mut().for_each(|(_, v)| nulls_as_words(v)),
        Value::Seq(items) => items.iter_mut().for_each(nulls_as_words),
        _ => {}
    }
}

/// How long one helm command may run (`AIW_HELM_TIMEOUT`, seconds).
fn timeout() -> Duration {
    let secs = std::env::var("AIW_HELM_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(300);
    Duration::from_secs(secs)
}

/// Helm commands whose version was checked in this process.
static CHECKED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// One helm executable with kustomize's environment.
struct Helm<'a> {
    command: &'a str,
    config_home: &'a Path,
    debug: bool,
}

impl Helm<'_> {
    /// Fails unless the helm command is Helm 3 (kustomize's
    /// `checkHelmVersion`); checked once per command and process.
    fn check_version(&self) -> Result<()> {
        if CHECKED
            .lock()
            .map(|c| c.iter().any(|c| c == self.command))
            .unwrap_or(false)
        {
            return Ok(());
        }
        let out = self.run(&["version".into(), "-c".into(), "--short".into()])?;
        let out = String::from_utf8_lossy(&out);
        let Some(version) = find_version(&out) else {
            return Err(Error::msg(format!(
                "cannot find a version in the output of `{} version -c --short`: {:?}",
                self.command,
                out.trim()
            )));
        };
        let version = version.trim_start_matches('v');
        if version.split('.').next() != Some("3") {
            return Err(Error::msg(format!(
                "Helm 3 is required, but {} is v{}",
                self.command, version
            )));
        }
        if let Ok(mut c) = CHECKED.lock() {
            c.push(self.command.to_string());
        }
        Ok(())
    }

    /// Runs helm with `args`; returns its stdout. Fails with helm's stderr
    /// on a non-zero exit, and kills it (with anything it started) when it
    /// runs past the timeout.
    fn run(&self, args: &[String]) -> Result<Vec<u8>> {
        let home = self.config_home;
        let mut cmd = Command::new(self.command);
        cmd.args(args)
            .env("HELM_CONFIG_HOME", home)
            .env("HELM_CACHE_HOME", format!("{}/.cache", home.display()))
            .env("HELM_DATA_HOME", format!("{}/.data", home.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let sub = args.first().map(String::as_str).unwrap_or("");
        let mut child = cmd.spawn().map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::NotFound {
                " (is helm installed? name it with --helm-command)"
            } else {
                ""
            };
            Error::msg(format!(
                "cannot run helm command {:?}: {}{}",
                self.command,
                spawn_message(&e),
                hint
            ))
        })?;
        let mut stdout = child.stdout.take();
        let mut stderr = child.stderr.take();
        let out_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(s) = stdout.as_mut() {
                let _ = s.read_to_end(&mut buf);
            }
            buf
        });
        let err_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(s) = stderr.as_mut() {
                let _ = s.read_to_end(&mut buf);
            }
            buf
        });
        let limit = timeout();
        let start = Instant::now();
        let mut pause = Duration::from_millis(1);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if start.elapsed() >= limit => {
                    stop(&mut child);
                    break None;
                }
                Ok(None) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(e) => {
                    stop(&mut child);
                    return Err(Error::msg(format!("waiting for helm {}: {}", sub, e)));
                }
            }
        };
        let Some(status) = status else {
            // The readers are left behind: anything helm started may still
            // hold its pipes, and the build fails now.
            return Err(Error::msg(format!(
                "helm {} did not finish within {} s and was stopped (AIW_HELM_TIMEOUT sets the limit)",
                sub,
                limit.as_secs()
            )));
        };
        let out = out_reader.join().unwrap_or_default();
        let err = err_reader.join().unwrap_or_default();
        if !status.success() {
            let why = match status.code() {
                Some(code) => format!("exit status {}", code),
                None => "killed by a signal".to_string(),
            };
            let said = trim_stderr(&String::from_utf8_lossy(&err), self.debug);
            return Err(Error::msg(if said.is_empty() {
                format!("helm {} failed ({})", sub, why)
            } else {
                format!("helm {} failed ({}): {}", sub, why, said)
            }));
        }
        Ok(out)
    }
}

/// Why helm could not be started.
fn spawn_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Kills the helm process this module started, and reaps it.
fn stop(child: &mut std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// The first `v?\d+(\.\d+)+` in `s`.
fn find_version(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let mut j = i;
        if b[j] == b'v' {
            j += 1;
        }
        let digits = |mut k: usize| {
            let from = k;
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            (k > from).then_some(k)
        };
        if let Some(mut k) = digits(j) {
            let mut parts = 0;
            while k < b.len() && b[k] == b'.' {
                match digits(k + 1) {
                    Some(next) => {
                        k = next;
                        parts += 1;
                    }
                    None => break,
                }
            }
            if parts > 0 {
                return Some(&s[start..k]);
            }
        }
        i += 1;
    }
    None
}

/// Longest stderr text kept in an error message.
const MAX_STDERR: usize = 2000;

/// helm's stderr as one line: blank lines and the hint about `--debug`
/// dropped, lines joined with `; `, cut to [`MAX_STDERR`] characters. With
/// `debug`, every line is kept.
pub fn trim_stderr(stderr: &str, debug: bool) -> String {
    let stderr = redact_url_credentials(stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| debug || !l.starts_with("Use --debug flag"))
        .collect();
    let mut out = lines.join("; ");
    if out.chars().count() > MAX_STDERR {
        out = out.chars().take(MAX_STDERR).collect::<String>() + "…";
    }
    out
}

/// `scheme://user:password@host` → `scheme://***@host`: repository
/// credentials in helm's messages never reach ours.
pub fn redact_url_credentials(text: &str) -> std::borrow::Cow<'_, str> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@").expect("a valid pattern")
    });
    re.replace_all(text, "${1}***@")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(name: &str) -> HelmChart {
        HelmChart {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn template_args_follow_kustomize_order() {
        let mut c = chart("app");
        c.release_name = "rel".into();
        c.namespace = "ns".into();
        c.name_template = "t".into();
        c.api_versions = vec!["a/v1".into(), "b/v1".into()];
        c.kube_version = "1.29.0".into();
        c.include_crds = true;
        c.skip_tests = true;
        c.skip_hooks = true;
        c.debug = true;
        let args = template_args(
            &c,
            Path::new("/r/charts"),
            Path::new("/tmp/v.yaml"),
            &[PathBuf::from("/r/more.yaml")],
        );
        assert_eq!(
            args.join(" "),
            "template rel /r/charts/app --namespace ns --name-template t -f /tmp/v.yaml \
             -f /r/more.yaml --api-versions a/v1 --api-versions b/v1 --kube-version 1.29.0 \
             --include-crds --skip-tests --no-hooks --debug"
        );
        let args = template_args(&chart("x"), Path::new("/c"), Path::new("/v"), &[]);
        assert_eq!(args.join(" "), "template --generate-name /c/x -f /v");
    }

    #[test]
    fn pull_args_for_repo_and_oci() {
        let mut c = chart("app");
        c.repo = "https://charts.example.com".into();
        c.version = "1.2.3".into();
        assert_eq!(
            pull_args(&c, Path::new("/h/app-1.2.3")).join(" "),
            "pull --untar --untardir /h/app-1.2.3 --repo https://charts.example.com app --version 1.2.3"
        );
        c.repo = "oci://registry.example.com/charts/".into();
        c.version.clear();
        assert_eq!(
            pull_args(&c, Path::new("/h")).join(" "),
            "pull --untar --untardir /h oci://registry.example.com/charts/app"
        );
    }

    #[test]
    fn version_is_found_as_kustomize_finds_it() {
        assert_eq!(find_version("v3.17.2+gcc0bbbd\n"), Some("v3.17.2"));
        assert_eq!(find_version("Client: v2.17.0"), Some("v2.17.0"));
        assert_eq!(find_version("version 3.1"), Some("3.1"));
        assert_eq!(find_version("v3 only"), None);
    }

    #[test]
    fn stderr_becomes_one_line() {
        let s = "Error: execution error at (c/templates/x.yaml:1:3): boom\n\nUse --debug flag to render out invalid YAML\n";
        assert_eq!(
            trim_stderr(s, false),
            "Error: execution error at (c/templates/x.yaml:1:3): boom"
        );
        assert!(trim_stderr(s, true).ends_with("; Use --debug flag to render out invalid YAML"));
        assert!(!trim_stderr(&"x\n".repeat(5000), false).contains('\n'));
        assert_eq!(
            trim_stderr(
                "Error: looks like \"https://bob:s3cret@charts.example.com/x\" is not a valid chart repository\n",
                false
            ),
            "Error: looks like \"https://***@charts.example.com/x\" is not a valid chart repository"
        );
    }

    #[test]
    fn chart_fields_match_case_insensitively_and_unknown_ones_fail() {
        let doc = crate::yaml::parse_single("Name: a\nreleasename: r\nincludeCRDs: true\n")
            .unwrap()
            .unwrap();
        let c = parse_chart("helmCharts[0]", &doc, true).unwrap();
        assert_eq!((c.name.as_str(), c.release_name.as_str()), ("a", "r"));
        assert!(c.include_crds);
        let bad = crate::yaml::parse_single("name: a\nbogus: 1\n")
            .unwrap()
            .unwrap();
        assert!(parse_chart("helmCharts[0]", &bad, true).is_err());
        assert!(parse_chart("plugin", &bad, false).is_ok());
    }

    #[test]
    fn flags_apply_only_where_the_chart_sets_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let ldr = Loader::new(dir.path(), Default::default()).unwrap();
        let cfg = HelmConfig {
            enabled: true,
            kube_version: "1.29.0".into(),
            api_versions: vec!["foo/v1".into()],
            ..Default::default()
        };
        let mut c = chart("x");
        let got = configure(&ldr, &c, &HelmGlobals::default(), &cfg).unwrap();
        assert_eq!(got.chart.kube_version, "1.29.0");
        assert_eq!(got.chart.api_versions, vec!["foo/v1".to_string()]);
        c.kube_version = "1.25.0".into();
        c.api_versions = vec!["bar/v1".into()];
        let got = configure(&ldr, &c, &HelmGlobals::default(), &cfg).unwrap();
        assert_eq!(got.chart.kube_version, "1.25.0");
        assert_eq!(got.chart.api_versions, vec!["bar/v1".to_string()]);
        let off = configure(&ldr, &c, &HelmGlobals::default(), &HelmConfig::default());
        assert!(off.unwrap_err().message.contains("--enable-helm"));
    }

    #[test]
    fn repo_charts_live_in_a_versioned_directory() {
        let dir = tempfile::tempdir().unwrap();
        let ldr = Loader::new(dir.path(), Default::default()).unwrap();
        let cfg = HelmConfig {
            enabled: true,
            ..Default::default()
        };
        let mut c = chart("app");
        c.version = "1.0.0".into();
        let local = configure(&ldr, &c, &HelmGlobals::default(), &cfg).unwrap();
        assert_eq!(local.abs_chart_home, ldr.root().join("charts"));
        c.repo = "https://example.com".into();
        let pulled = configure(&ldr, &c, &HelmGlobals::default(), &cfg).unwrap();
        assert_eq!(pulled.abs_chart_home, ldr.root().join("charts/app-1.0.0"));
        assert_eq!(
            pulled.chart.values_file,
            ldr.root()
                .join("charts/app-1.0.0/app/values.yaml")
                .to_string_lossy()
        );
    }
}
