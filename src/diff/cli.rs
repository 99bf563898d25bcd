//! The `aiw diff` command: arguments and the run from arguments to output.

use std::ffi::OsStr;
use std::io::Read;
use std::path::PathBuf;

use super::fields::FieldPattern;
use super::render::{Format, RenderOptions, render};
use super::{DiffOptions, Source, diff_documents};
use crate::build::BuildOptions;
use crate::error::{Error, Result};
use crate::loader::LoadRestrictor;

/// When to color the human output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// Only when stdout is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Whether to color: `always`, `never`, or for `auto` only on a terminal
/// and when `NO_COLOR` (its value `no_color`) is unset or empty.
pub fn use_color(when: ColorWhen, stdout_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => stdout_is_terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// Arguments of `aiw diff`.
#[derive(Clone, Debug, clap::Args)]
pub struct DiffArgs {
    /// Old side: an overlay name (overlays/NAME under --root), a
    /// kustomization directory, a YAML file of built manifests, or - (stdin).
    #[arg(value_name = "OLD")]
    pub old: String,
    /// New side, as OLD.
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Output mode.
    #[arg(short = 'o', long = "output", value_enum, default_value = "human")]
    pub output: Format,
    /// Lines of context in unified diffs.
    #[arg(short = 'U', long = "context", value_name = "N", default_value_t = 3)]
    pub context: usize,
    /// Directory whose overlays/ holds the overlays named by OLD and NEW.
    #[arg(long = "root", value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Show Secret data/stringData values instead of masking them.
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,
    /// Color the human output.
    #[arg(
        long = "color",
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    pub color: ColorWhen,
    /// Pair resources whose names (and namespaces) differ only by this
    /// prefix (repeatable), reporting them as renamed.
    #[arg(
        long = "ignore-name-prefix",
        value_name = "PREFIX",
        allow_hyphen_values = true
    )]
    pub ignore_name_prefix: Vec<String>,
    /// Pair resources whose names (before any generator hash) and
    /// namespaces differ only by this suffix (repeatable), reporting them as
    /// renamed.
    #[arg(
        long = "ignore-name-suffix",
        value_name = "SUFFIX",
        allow_hyphen_values = true
    )]
    pub ignore_name_suffix: Vec<String>,
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
    /// Helm chart inflation for sides that are kustomizations, as for
    /// `aiw build`.
    #[command(flatten)]
    pub helm: crate::build_flags::HelmFlags,
    /// The other kustomize build flags, as for `aiw build`.
    #[command(flatten)]
    pub kustomize: crate::build_flags::KustomizeFlags,
    /// Do not report order changes: items of a keyed list (containers by
    /// name, …) in another order, or any list holding the same items.
    #[arg(long = "ignore-order-changes")]
    pub ignore_order_changes: bool,
    /// Leave out this field, and everything below it, on both sides: a path
    /// as the diff prints it (`metadata.annotations`,
    /// `spec.template.spec.containers[name=app].image`; `*` for any key,
    /// `[*]` for any item). Repeatable.
    #[arg(long = "exclude", value_name = "PATH")]
    pub exclude: Vec<String>,
    /// Compare only this field and what is below it (a path as for
    /// --exclude); resources are still matched by apiVersion, kind,
    /// namespace and name. Repeatable.
    #[arg(long = "filter", value_name = "PATH")]
    pub filter: Vec<String>,
    /// Leave out every resource of this kind (`Secret`, `ConfigMap`) on
    /// both sides. Repeatable.
    #[arg(long = "suppress", value_name = "KIND")]
    pub suppress: Vec<String>,
}

/// The result of a successful run.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The text for stdout.
    pub output: String,
    /// True when the sides differ (exit code 1).
    pub differs: bool,
    /// The builds' warnings for stderr (deprecated kustomization fields…),
    /// each once.
    pub warnings: Vec<String>,
}

/// Runs `aiw diff`: resolves and loads both sides (kustomizations are built
/// in parallel), compares and renders. `stdin` is read only when a side is
/// `-`; `stdout_is_terminal` decides `--color auto` together with
/// `NO_COLOR`.
pub fn run(args: &DiffArgs, stdin: &mut dyn Read, stdout_is_terminal: bool) -> Result<Outcome> {
    let patterns = |paths: &[String]| -> Result<Vec<FieldPattern>> {
        paths
            .iter()
            .map(|p| FieldPattern::parse(p).map_err(Error::msg))
            .collect()
    };
    let exclude = patterns(&args.exclude)?;
    let filter = patterns(&args.filter)?;
    let old = Source::resolve(&args.old, &args.root)?;
    let new = Source::resolve(&args.new, &args.root)?;
    if old == Source::Stdin && new == Source::Stdin {
        return Err(Error::msg(
            "only one side can be - (standard input)".to_string(),
        ));
    }
    let input = if old == Source::Stdin || new == Source::Stdin {
        let mut bytes = Vec::new();
        stdin
            .read_to_end(&mut bytes)
            .map_err(|e| Error::in_file("<stdin>", e.to_string()))?;
        Some(
            String::from_utf8(bytes)
                .map_err(|_| Error::in_file("<stdin>", "input is not valid UTF-8"))?,
        )
    } else {
        None
    };
    let mut bopts = BuildOptions {
        load_restrictor: args.load_restrictor,
        remote: crate::remote::RemoteOptions {
            offline: args.offline,
            ..Default::default()
        },
        helm: args.helm.clone().config(),
        ..Default::default()
    };
    let managedby_env = std::env::var("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL").ok();
    args.kustomize.apply(&mut bopts, managedby_env.as_deref())?;
    let (a, b) = rayon::join(
        || old.load(&bopts, input.as_deref()),
        || new.load(&bopts, input.as_deref()),
    );
    let ((a, wa), (b, wb)) = (a?, b?);
    let mut warnings: Vec<String> = Vec::new();
    for w in wa.into_iter().chain(wb) {
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }
    let dopts = DiffOptions {
        show_secrets: args.show_secrets,
        ignore_name_prefixes: args.ignore_name_prefix.clone(),
        ignore_name_suffixes: args.ignore_name_suffix.clone(),
        ignore_order: args.ignore_order_changes,
        exclude,
        filter,
        suppress: args.suppress.clone(),
    };
    let diff = diff_documents(a, b, &dopts);
    let no_color = std::env::var_os("NO_COLOR");
    let color = use_color(args.color, stdout_is_terminal, no_color.as_deref());
    let label = |arg: &str| {
        if arg == "-" {
            "stdin".to_string()
        } else {
            arg.to_string()
        }
    };
    let ropts = RenderOptions {
        format: args.output,
        context: args.context,
        color,
        old_label: label(&args.old),
        new_label: label(&args.new),
    };
    Ok(Outcome {
        output: render(&diff, &ropts),
        differs: !diff.is_empty(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_only_on_a_terminal_without_no_color() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(use_color(ColorWhen::Auto, true, None));
        assert!(use_color(ColorWhen::Auto, true, empty));
        assert!(!use_color(ColorWhen::Auto, true, set));
        assert!(!use_color(ColorWhen::Auto, false, None));
        assert!(use_color(ColorWhen::Always, false, set));
        assert!(!use_color(ColorWhen::Never, true, None));
    }
}
