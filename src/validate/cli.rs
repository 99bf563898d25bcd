//! The `aiw validate` command (and `aiw build --validate`): arguments, and
//! the run from a TARGET to a rendered report.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::report::{Format, render};
use super::{
    CustomSchemas, Locate, Options, Report, TextLocator, load_documents, release_index, releases,
    validate,
};
use crate::build::{BuildOptions, build, render as render_output};
use crate::error::{Error, Result};
use crate::loader::LoadRestrictor;
use crate::resource::Resource;
use crate::yaml::{PathSeg, Value};

/// Arguments of `aiw validate`.
#[derive(Clone, Debug, clap::Args)]
pub struct ValidateArgs {
    /// A kustomization directory (built first, as `aiw build` would), a
    /// YAML file of manifests, or - (standard input).
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// Kubernetes release to validate against (MAJOR.MINOR; default: the
    /// newest embedded).
    #[arg(long = "kubernetes-version", value_name = "X.Y")]
    pub kubernetes_version: Option<String>,
    /// Directory of CRDs or JSON Schema files for custom resources
    /// (repeatable).
    #[arg(long = "schema-dir", value_name = "DIR")]
    pub schema_dir: Vec<PathBuf>,
    /// Skip resources whose kind has no schema instead of reporting them.
    #[arg(long = "ignore-missing-schemas")]
    pub ignore_missing_schemas: bool,
    /// Kinds not to validate: Kind or apiVersion/Kind, comma-separated
    /// (repeatable).
    #[arg(long = "skip-kinds", value_name = "KINDS", value_delimiter = ',')]
    pub skip_kinds: Vec<String>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "human")]
    pub output: Format,
    /// Which files a kustomization may read.
    #[arg(
        long = "load-restrictor",
        value_name = "RESTRICTOR",
        default_value = "LoadRestrictionsRootOnly"
    )]
    pub load_restrictor: LoadRestrictor,
}

/// The result of a run.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The text for stdout.
    pub output: String,
    /// True when everything is valid (exit code 0; 1 otherwise).
    pub valid: bool,
}

/// Runs `aiw validate`. `stdin` is read only when TARGET is `-`.
pub fn run(args: &ValidateArgs, stdin: &mut dyn Read) -> Result<Outcome> {
    let release = match &args.kubernetes_version {
        Some(v) => release_index(v).map_err(Error::msg)?,
        None => releases().len() - 1,
    };
    let mut custom = CustomSchemas::new();
    for dir in &args.schema_dir {
        custom.add_dir(dir)?;
    }
    let opts = Options {
        release,
        ignore_missing_schemas: args.ignore_missing_schemas,
        skip_kinds: args
            .skip_kinds
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    };
    let report = if args.target == "-" {
        let mut bytes = Vec::new();
        stdin
            .read_to_end(&mut bytes)
            .map_err(|e| Error::in_file("<stdin>", e.to_string()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::in_file("<stdin>", "input is not valid UTF-8"))?;
        validate_text(Path::new("<stdin>"), &text, &custom, &opts)?
    } else {
        let path = Path::new(&args.target);
        if path.is_dir() {
            let bopts = BuildOptions {
                load_restrictor: args.load_restrictor,
                ..Default::default()
            };
            let resources = build(path, &bopts)?;
            let docs: Vec<&Value> = resources.iter().map(|r| &r.value).collect();
            let report = validate(&docs, &custom, &opts, &OutputLines::new(&resources));
            std::mem::forget(resources);
            report
        } else if path.exists() {
            let bytes = std::fs::read(path).map_err(|e| Error::in_file(path, e.to_string()))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| Error::in_file(path, "file is not valid UTF-8"))?;
            validate_text(path, &text, &custom, &opts)?
        } else {
            return Err(Error::in_file(path, "no such file or directory"));
        }
    };
    Ok(Outcome {
        output: render(&report, &args.target, args.output),
        valid: report.is_valid(),
    })
}

/// Validates a YAML stream of manifests read from `name`.
fn validate_text(
    name: &Path,
    text: &str,
    custom: &CustomSchemas,
    opts: &Options,
) -> Result<Report> {
    let (docs, origins) = load_documents(name, text)?;
    let refs: Vec<&Value> = docs.iter().collect();
    let shown = name.display().to_string();
    Ok(validate(
        &refs,
        custom,
        opts,
        &TextLocator::file(text, &shown, origins),
    ))
}

/// Lines of the build output, rendered only when a problem needs one.
struct OutputLines<'a> {
    resources: &'a [Resource],
    lines: std::sync::OnceLock<Option<TextLocator<'static>>>,
}

impl<'a> OutputLines<'a> {
    fn new(resources: &'a [Resource]) -> Self {
        OutputLines {
            resources,
            lines: std::sync::OnceLock::new(),
        }
    }
}

impl Locate for OutputLines<'_> {
    fn locate(&self, doc: usize, path: &[PathSeg]) -> Option<super::Location> {
        self.lines
            .get_or_init(|| render_output(self.resources).ok().map(TextLocator::output))
            .as_ref()?
            .locate(doc, path)
    }
}

/// `aiw build --validate[=X.Y]`: validates a build's resources (`rendered`
/// is their output) against release `version` (empty: the newest), with
/// the CRDs of the output as the only custom schemas; kinds with no schema
/// are skipped (a build has no `--schema-dir`). Returns the human report
/// when they are invalid.
pub fn check_build(
    resources: &[Resource],
    rendered: &str,
    target: &Path,
    version: &str,
) -> Result<Option<String>> {
    let release = if version.is_empty() {
        releases().len() - 1
    } else {
        release_index(version).map_err(Error::msg)?
    };
    let opts = Options {
        release,
        ignore_missing_schemas: true,
        ..Options::default()
    };
    let docs: Vec<&Value> = resources.iter().map(|r| &r.value).collect();
    let report = validate(
        &docs,
        &CustomSchemas::new(),
        &opts,
        &TextLocator::output(rendered),
    );
    if report.is_valid() {
        Ok(None)
    } else {
        Ok(Some(super::report::human(
            &report,
            &target.display().to_string(),
        )))
    }
}
