//! The `aiw explain` command: arguments and the run from arguments to
//! output.

use std::path::PathBuf;

use super::query::{ResourceQuery, fields, parse_field, select};
use super::render::{self, RenderOptions};
use crate::build::BuildOptions;
use crate::diff::cli::{ColorWhen, use_color};
use crate::error::Result;
use crate::loader::LoadRestrictor;

/// Output formats of `aiw explain`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The built YAML with a comment after each value; a field's history.
    #[default]
    Human,
    /// The stable JSON format (schema version 1).
    Json,
}

/// Arguments of `aiw explain`.
#[derive(Clone, Debug, clap::Args)]
pub struct ExplainArgs {
    /// Directory holding a kustomization.yaml.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// One resource: KIND/NAME, GROUP/KIND/NAME or KIND/NAMESPACE/NAME (its
    /// output name or its original one).
    #[arg(value_name = "RESOURCE")]
    pub resource: Option<String>,
    /// One field of it, in `aiw diff`'s notation
    /// (`spec.template.spec.containers[name=api].image`): its whole history.
    #[arg(value_name = "FIELD")]
    pub field: Option<String>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "human")]
    pub output: Format,
    /// Show Secret data/stringData values instead of masking them.
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,
    /// Color (dim comments) in the human output.
    #[arg(
        long = "color",
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    pub color: ColorWhen,
    /// Which files a kustomization may read.
    #[arg(
        long = "load-restrictor",
        value_name = "RESTRICTOR",
        default_value = "LoadRestrictionsRootOnly"
    )]
    pub load_restrictor: LoadRestrictor,
    /// Never use the network: remote bases and files must be in the cache.
    #[arg(long = "offline")]
    pub offline: bool,
    /// Helm chart inflation, as for `aiw build`.
    #[command(flatten)]
    pub helm: crate::build_flags::HelmFlags,
    /// The other kustomize build flags, as for `aiw build`.
    #[command(flatten)]
    pub kustomize: crate::build_flags::KustomizeFlags,
}

/// Runs `aiw explain`: builds `dir` recording where values come from and
/// renders what was asked. `stdout_is_terminal` decides `--color auto`
/// together with `NO_COLOR`.
pub fn run(args: &ExplainArgs, stdout_is_terminal: bool) -> Result<String> {
    // Arguments are checked before the build.
    let query = args
        .resource
        .as_deref()
        .map(ResourceQuery::parse)
        .transpose()?;
    let field = args.field.as_deref().map(parse_field).transpose()?;
    let mut opts = BuildOptions {
        load_restrictor: args.load_restrictor,
        remote: crate::remote::RemoteOptions {
            offline: args.offline,
            ..Default::default()
        },
        helm: args.helm.clone().config(),
        ..Default::default()
    };
    let managedby_env = std::env::var("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL").ok();
    args.kustomize.apply(&mut opts, managedby_env.as_deref())?;
    let resources = super::explain(&args.dir, &opts)?;
    let ropts = RenderOptions {
        color: args.output == Format::Human
            && use_color(
                args.color,
                stdout_is_terminal,
                std::env::var_os("NO_COLOR").as_deref(),
            ),
        show_secrets: args.show_secrets,
    };
    let Some(query) = query else {
        let out = match args.output {
            Format::Human => render::build_yaml(&resources, &ropts),
            Format::Json => render::build_json(&resources, &ropts),
        };
        std::mem::forget(resources);
        return Ok(out);
    };
    let r = query.find(&resources)?;
    let trail = r.trail.as_ref().map(|t| t.root());
    let selected = match (&field, &args.field) {
        (Some(segments), Some(text)) => Some(select(&r.value, trail, segments, text)?),
        _ => None,
    };
    let out = match (args.output, selected) {
        (Format::Human, None) => render::resource_yaml(r, &ropts),
        (Format::Human, Some(f)) => render::history_text(r, &f, &ropts),
        (Format::Json, None) => render::resource_json(r, &fields(&r.value, trail), &ropts),
        (Format::Json, Some(f)) => render::resource_json(r, &f, &ropts),
    };
    // The process ends right after writing: the OS takes the memory back
    // faster than freeing every node would.
    std::mem::forget(resources);
    Ok(out)
}
