//! The `aiw edit` and `aiw create` command lines: kustomize's commands,
//! arguments and flags, run on the kustomization in a directory.

use std::path::Path;

use clap::{Args, Subcommand};

use super::ops::{self, CreateOptions, GeneratorFlags, GeneratorKind, PatchArg};
use super::{EditFile, Outcome};
use crate::error::Result;

/// Arguments of `aiw edit`.
#[derive(Clone, Debug, Args)]
pub struct EditArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: EditCommand,
}

/// `aiw edit` subcommands.
#[derive(Clone, Debug, Subcommand)]
pub enum EditCommand {
    /// Add an item to the kustomization file.
    Add {
        /// What to add.
        #[command(subcommand)]
        what: AddCommand,
    },
    /// Set the value of a field of the kustomization file.
    Set {
        /// What to set.
        #[command(subcommand)]
        what: SetCommand,
    },
    /// Remove items from the kustomization file.
    Remove {
        /// What to remove.
        #[command(subcommand)]
        what: RemoveCommand,
    },
    /// Rewrite deprecated fields: commonLabels → labels,
    /// patchesStrategicMerge/patchesJson6902 → patches, bases → resources,
    /// imageTags → images; add apiVersion and kind. vars are left (with a
    /// warning).
    Fix(FixArgs),
}

/// `aiw edit fix` flags.
#[derive(Clone, Debug, Args)]
pub struct FixArgs {
    /// Not supported: kustomize's vars-to-replacements conversion
    /// (it rewrites resource files).
    #[arg(long = "vars", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set,
          default_value = "false", value_name = "BOOL")]
    pub vars: bool,
}

/// Patch and target flags of `add patch` / `remove patch`.
#[derive(Clone, Debug, Args)]
pub struct PatchFlags {
    /// Path to the patch file. Cannot be used with --patch.
    #[arg(long = "path", default_value = "")]
    pub path: String,
    /// Literal patch content. Cannot be used with --path.
    #[arg(long = "patch", default_value = "", allow_hyphen_values = true)]
    pub patch: String,
    /// API group in the patch target.
    #[arg(long = "group", default_value = "")]
    pub group: String,
    /// API version in the patch target.
    #[arg(long = "version", default_value = "")]
    pub version: String,
    /// Resource kind in the patch target.
    #[arg(long = "kind", default_value = "")]
    pub kind: String,
    /// Resource name in the patch target.
    #[arg(long = "name", default_value = "")]
    pub name: String,
    /// Resource namespace in the patch target.
    #[arg(long = "namespace", default_value = "")]
    pub namespace: String,
    /// annotationSelector in the patch target.
    #[arg(long = "annotation-selector", default_value = "")]
    pub annotation_selector: String,
    /// labelSelector in the patch target.
    #[arg(long = "label-selector", default_value = "")]
    pub label_selector: String,
}

impl PatchFlags {
    fn arg(&self) -> PatchArg {
        PatchArg {
            path: self.path.clone(),
            patch: self.patch.clone(),
            target: [
                self.group.clone(),
                self.version.clone(),
                self.kind.clone(),
                self.name.clone(),
                self.namespace.clone(),
                self.annotation_selector.clone(),
                self.label_selector.clone(),
            ],
        }
    }
}

/// Flags of `add configmap|secret`.
#[derive(Clone, Debug, Args)]
pub struct AddGeneratorFlags {
    /// The name of the ConfigMap or Secret.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// A file source, [key=]path (globs expanded; a directory adds its files).
    #[arg(long = "from-file", value_delimiter = ',', value_name = "[KEY=]SOURCE")]
    pub from_file: Vec<String>,
    /// A key and literal value (key=value).
    #[arg(long = "from-literal", value_name = "KEY=VALUE")]
    pub from_literal: Vec<String>,
    /// A file of key=value lines (a Docker .env file).
    #[arg(long = "from-env-file", value_name = "PATH", default_value = "")]
    pub from_env_file: String,
    /// create (the default), merge or replace.
    #[arg(long = "behavior", default_value = "")]
    pub behavior: String,
    /// The namespace of the ConfigMap or Secret.
    #[arg(long = "namespace", default_value = "")]
    pub namespace: String,
    /// Disable the name suffix hash of the generated object.
    #[arg(long = "disableNameSuffixHash", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set,
          default_value = "false", value_name = "BOOL")]
    pub disable_name_suffix_hash: bool,
    /// The secret type (secrets only): Opaque (default), kubernetes.io/tls, ...
    #[arg(long = "type", default_value = "Opaque")]
    pub type_: String,
}

impl AddGeneratorFlags {
    fn flags(&self) -> GeneratorFlags {
        GeneratorFlags {
            name: self.name.clone(),
            files: self.from_file.clone(),
            literals: self.from_literal.clone(),
            env_file: self.from_env_file.clone(),
            behavior: self.behavior.clone(),
            namespace: self.namespace.clone(),
            new_namespace: String::new(),
            disable_name_suffix_hash: self.disable_name_suffix_hash,
            type_: self.type_.clone(),
        }
    }
}

/// Flags of `set configmap|secret`.
#[derive(Clone, Debug, Args)]
pub struct SetGeneratorFlags {
    /// The name of the existing ConfigMap or Secret entry.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// An existing key and its new value (key=value).
    #[arg(long = "from-literal", value_name = "KEY=VALUE")]
    pub from_literal: Vec<String>,
    /// The entry's current namespace (empty: default).
    #[arg(long = "namespace", default_value = "")]
    pub namespace: String,
    /// A new namespace for the entry.
    #[arg(long = "new-namespace", default_value = "")]
    pub new_namespace: String,
}

/// `aiw edit add` subcommands.
#[derive(Clone, Debug, Subcommand)]
pub enum AddCommand {
    /// Add resource files or directories (globs expanded).
    Resource {
        /// Files, directories, globs or URLs.
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
        /// Add the arguments as given, without checking they exist.
        #[arg(long = "no-verify", num_args = 0..=1, require_equals = true,
              default_missing_value = "true", action = clap::ArgAction::Set,
              default_value = "false", value_name = "BOOL")]
        no_verify: bool,
    },
    /// Add components (globs expanded).
    Component {
        /// Component directories.
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
    },
    /// Add bases (to resources): DIR[,DIR...].
    Base {
        /// Comma-separated directories.
        #[arg(value_name = "DIRS")]
        paths: Vec<String>,
    },
    /// Add an item to patches.
    Patch(PatchFlags),
    /// Add a configMapGenerator entry (or sources to an existing one).
    Configmap(AddGeneratorFlags),
    /// Add a secretGenerator entry (or sources to an existing one).
    Secret(AddGeneratorFlags),
    /// Add commonLabels (or, with --without-selector, a labels entry).
    Label {
        /// key:value pairs.
        #[arg(value_name = "KEY:VALUE")]
        pairs: Vec<String>,
        /// Overwrite labels that exist.
        #[arg(short = 'f', long = "force", num_args = 0..=1, require_equals = true,
              default_missing_value = "true", action = clap::ArgAction::Set,
              default_value = "false", value_name = "BOOL")]
        force: bool,
        /// Add a labels entry whose labels are not added to selectors.
        #[arg(long = "without-selector", num_args = 0..=1, require_equals = true,
              default_missing_value = "true", action = clap::ArgAction::Set,
              default_value = "false", value_name = "BOOL")]
        without_selector: bool,
        /// Add the labels to templates too (with --without-selector).
        #[arg(long = "include-templates", num_args = 0..=1, require_equals = true,
              default_missing_value = "true", action = clap::ArgAction::Set,
              default_value = "false", value_name = "BOOL")]
        include_templates: bool,
    },
    /// Add commonAnnotations.
    Annotation {
        /// key:value pairs.
        #[arg(value_name = "KEY:VALUE")]
        pairs: Vec<String>,
        /// Overwrite annotations that exist.
        #[arg(short = 'f', long = "force", num_args = 0..=1, require_equals = true,
              default_missing_value = "true", action = clap::ArgAction::Set,
              default_value = "false", value_name = "BOOL")]
        force: bool,
    },
    /// Add transformer configuration files (globs expanded).
    Transformer {
        /// Files or globs.
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
    },
    /// Add generator configuration files (globs expanded).
    Generator {
        /// Files or globs.
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
    },
    /// Add buildMetadata options: OPTION[,OPTION...] (originAnnotations,
    /// transformerAnnotations, managedByLabel).
    Buildmetadata {
        /// Comma-separated options.
        #[arg(value_name = "OPTIONS")]
        options: Vec<String>,
    },
}

/// `aiw edit set` subcommands.
#[derive(Clone, Debug, Subcommand)]
pub enum SetCommand {
    /// Set namePrefix.
    Nameprefix {
        /// The prefix (use -- before a value starting with -).
        #[arg(value_name = "PREFIX")]
        value: Vec<String>,
    },
    /// Set nameSuffix.
    Namesuffix {
        /// The suffix (use -- before a value starting with -).
        #[arg(value_name = "SUFFIX")]
        value: Vec<String>,
    },
    /// Set namespace.
    Namespace {
        /// The namespace.
        #[arg(value_name = "NAMESPACE")]
        value: Vec<String>,
    },
    /// Set images: NAME=NEWNAME:TAG, NAME:TAG, NAME@DIGEST, NAME=*:TAG ...
    Image {
        /// Image specifications.
        #[arg(value_name = "IMAGE")]
        images: Vec<String>,
    },
    /// Set replicas: NAME=COUNT.
    Replicas {
        /// name=count pairs.
        #[arg(value_name = "NAME=COUNT")]
        replicas: Vec<String>,
    },
    /// Set commonLabels (overwriting).
    Label {
        /// key:value pairs.
        #[arg(value_name = "KEY:VALUE")]
        pairs: Vec<String>,
    },
    /// Set commonAnnotations (overwriting).
    Annotation {
        /// key:value pairs.
        #[arg(value_name = "KEY:VALUE")]
        pairs: Vec<String>,
    },
    /// Set buildMetadata to exactly these options: OPTION[,OPTION...].
    Buildmetadata {
        /// Comma-separated options.
        #[arg(value_name = "OPTIONS")]
        options: Vec<String>,
    },
    /// Set values of existing literal keys, or the namespace, of a
    /// configMapGenerator entry.
    Configmap(SetGeneratorFlags),
    /// Set values of existing literal keys, or the namespace, of a
    /// secretGenerator entry.
    Secret(SetGeneratorFlags),
}

/// `aiw edit remove` subcommands.
#[derive(Clone, Debug, Subcommand)]
pub enum RemoveCommand {
    /// Remove resources (patterns match the entries).
    Resource {
        /// Entries or patterns.
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
    },
    /// Remove the patches equal to the one described.
    Patch(PatchFlags),
    /// Remove commonLabels: KEY[,KEY...].
    Label {
        /// Comma-separated keys.
        #[arg(value_name = "KEYS")]
        keys: Vec<String>,
        /// Ignore keys that are not there.
        #[arg(short = 'i', long = "ignore-non-existence", num_args = 0..=1, require_equals = true,
              default_missing_value = "true", action = clap::ArgAction::Set,
              default_value = "false", value_name = "BOOL")]
        ignore: bool,
    },
    /// Remove commonAnnotations: KEY[,KEY...].
    Annotation {
        /// Comma-separated keys.
        #[arg(value_name = "KEYS")]
        keys: Vec<String>,
        /// Ignore keys that are not there.
        #[arg(short = 'i', long = "ignore-non-existence", num_args = 0..=1, require_equals = true,
              default_missing_value = "true", action = clap::ArgAction::Set,
              default_value = "false", value_name = "BOOL")]
        ignore: bool,
    },
    /// Remove configMapGenerator entries: NAME[,NAME...].
    Configmap {
        /// Comma-separated names.
        #[arg(value_name = "NAMES")]
        names: Vec<String>,
        /// Their namespace (empty: default).
        #[arg(long = "namespace", default_value = "")]
        namespace: String,
    },
    /// Remove secretGenerator entries: NAME[,NAME...].
    Secret {
        /// Comma-separated names.
        #[arg(value_name = "NAMES")]
        names: Vec<String>,
        /// Their namespace (empty: default).
        #[arg(long = "namespace", default_value = "")]
        namespace: String,
    },
    /// Remove transformers (patterns match the entries).
    Transformer {
        /// Entries or patterns.
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
    },
    /// Remove buildMetadata options: OPTION[,OPTION...].
    Buildmetadata {
        /// Comma-separated options.
        #[arg(value_name = "OPTIONS")]
        options: Vec<String>,
    },
}

/// Exactly one value (kustomize's "must specify exactly one ... value").
fn one<'a>(v: &'a [String], what: &str) -> Result<&'a str> {
    match v {
        [x] => Ok(x),
        _ => Err(crate::Error::msg(format!(
            "must specify exactly one {} value",
            what
        ))),
    }
}

/// Runs an edit command on the kustomization in `dir`.
pub fn run(args: &EditArgs, dir: &Path) -> Result<Outcome> {
    // Argument checks that kustomize makes before reading the file.
    match &args.command {
        EditCommand::Set { what } => match what {
            SetCommand::Nameprefix { value } => {
                one(value, "prefix")?;
            }
            SetCommand::Namesuffix { value } => {
                one(value, "suffix")?;
            }
            SetCommand::Namespace { value } => {
                ops::check_namespace(one(value, "namespace")?)?;
            }
            _ => {}
        },
        EditCommand::Fix(f) if f.vars => {
            return Err(crate::Error::msg(
                "--vars is not supported: aiw does not convert vars to replacements (kustomize's conversion rewrites resource files); convert them by hand",
            ));
        }
        _ => {}
    }
    if let EditCommand::Fix(_) = &args.command {
        return run_fix(dir);
    }
    let mut f = EditFile::open(dir)?;
    match &args.command {
        EditCommand::Add { what } => match what {
            AddCommand::Resource { paths, no_verify } => {
                ops::add_resources(&mut f, paths, *no_verify)?
            }
            AddCommand::Component { paths } => ops::add_components(&mut f, paths)?,
            AddCommand::Base { paths } => ops::add_bases(&mut f, paths)?,
            AddCommand::Patch(p) => ops::add_patch(&mut f, &p.arg())?,
            AddCommand::Configmap(g) => {
                ops::add_generator(&mut f, GeneratorKind::ConfigMap, &g.flags())?
            }
            AddCommand::Secret(g) => ops::add_generator(&mut f, GeneratorKind::Secret, &g.flags())?,
            AddCommand::Label {
                pairs,
                force,
                without_selector,
                include_templates,
            } => ops::add_labels(&mut f, pairs, *force, *without_selector, *include_templates)?,
            AddCommand::Annotation { pairs, force } => ops::add_annotations(&mut f, pairs, *force)?,
            AddCommand::Transformer { paths } => ops::add_transformers(&mut f, paths)?,
            AddCommand::Generator { paths } => ops::add_generators(&mut f, paths)?,
            AddCommand::Buildmetadata { options } => ops::add_build_metadata(&mut f, options)?,
        },
        EditCommand::Set { what } => match what {
            SetCommand::Nameprefix { value } => {
                ops::set_name_prefix(&mut f, one(value, "prefix")?)?
            }
            SetCommand::Namesuffix { value } => {
                ops::set_name_suffix(&mut f, one(value, "suffix")?)?
            }
            SetCommand::Namespace { value } => {
                ops::set_namespace(&mut f, one(value, "namespace")?)?
            }
            SetCommand::Image { images } => ops::set_images(&mut f, images)?,
            SetCommand::Replicas { replicas } => ops::set_replicas(&mut f, replicas)?,
            SetCommand::Label { pairs } => ops::set_labels(&mut f, pairs)?,
            SetCommand::Annotation { pairs } => ops::set_annotations(&mut f, pairs)?,
            SetCommand::Buildmetadata { options } => ops::set_build_metadata(&mut f, options)?,
            SetCommand::Configmap(g) => {
                ops::set_generator(&mut f, GeneratorKind::ConfigMap, &set_flags(g))?
            }
            SetCommand::Secret(g) => {
                ops::set_generator(&mut f, GeneratorKind::Secret, &set_flags(g))?
            }
        },
        EditCommand::Remove { what } => match what {
            RemoveCommand::Resource { paths } => ops::remove_resources(&mut f, paths)?,
            RemoveCommand::Patch(p) => ops::remove_patch(&mut f, &p.arg())?,
            RemoveCommand::Label { keys, ignore } => {
                ops::remove_pairs(&mut f, true, keys, *ignore)?
            }
            RemoveCommand::Annotation { keys, ignore } => {
                ops::remove_pairs(&mut f, false, keys, *ignore)?
            }
            RemoveCommand::Configmap { names, namespace } => {
                ops::remove_generators(&mut f, GeneratorKind::ConfigMap, names, namespace)?
            }
            RemoveCommand::Secret { names, namespace } => {
                ops::remove_generators(&mut f, GeneratorKind::Secret, names, namespace)?
            }
            RemoveCommand::Transformer { paths } => ops::remove_transformers(&mut f, paths)?,
            RemoveCommand::Buildmetadata { options } => {
                ops::remove_build_metadata(&mut f, options)?
            }
        },
        EditCommand::Fix(_) => unreachable!("handled above"),
    }
    Ok(Outcome {
        warnings: f.save()?,
        output: String::new(),
    })
}

fn set_flags(g: &SetGeneratorFlags) -> GeneratorFlags {
    GeneratorFlags {
        name: g.name.clone(),
        literals: g.from_literal.clone(),
        namespace: g.namespace.clone(),
        new_namespace: g.new_namespace.clone(),
        ..Default::default()
    }
}

/// `edit fix`, then a build before and after: kustomize warns when the
/// fixed file builds differently (patchesStrategicMerge and
/// patchesJson6902 patches run at another step once they are `patches`).
fn run_fix(dir: &Path) -> Result<Outcome> {
    let opts = crate::build::BuildOptions::default();
    let before = crate::build::build_yaml(dir, &opts).ok();
    let mut f = EditFile::open(dir)?;
    let fixed = ops::fix(&mut f)?;
    let mut warnings = f.save()?;
    let mut output = String::new();
    if fixed.is_empty() {
        output.push_str("Nothing to fix.\n");
    } else {
        output.push_str("Fixed fields:\n");
        for x in &fixed {
            output.push_str(&format!("  {}\n", x));
        }
    }
    if let Some(before) = before {
        match crate::build::build_yaml(dir, &opts) {
            Err(e) => warnings.push(format!(
                "Warning: the fixed kustomization no longer builds: {}",
                e
            )),
            Ok(after) if after != before => warnings.push(
                "Warning: the fixed kustomization builds to different output (patches that were in patchesStrategicMerge or patchesJson6902 now run with the other patches); check it with aiw build".to_string(),
            ),
            Ok(_) => {}
        }
    }
    Ok(Outcome { warnings, output })
}

/// Arguments of `aiw create`.
#[derive(Clone, Debug, Args)]
pub struct CreateArgs {
    /// Resources to add: PATH[,PATH...] (globs expanded; each must exist).
    #[arg(long = "resources", default_value = "")]
    pub resources: String,
    /// Set the namespace field.
    #[arg(long = "namespace", default_value = "")]
    pub namespace: String,
    /// Add common annotations: KEY:VALUE[,KEY:VALUE...].
    #[arg(long = "annotations", default_value = "")]
    pub annotations: String,
    /// Add common labels: KEY:VALUE[,KEY:VALUE...].
    #[arg(long = "labels", default_value = "")]
    pub labels: String,
    /// Set the namePrefix field.
    #[arg(long = "nameprefix", default_value = "", allow_hyphen_values = true)]
    pub nameprefix: String,
    /// Set the nameSuffix field.
    #[arg(long = "namesuffix", default_value = "", allow_hyphen_values = true)]
    pub namesuffix: String,
    /// Add the Kubernetes resource files found in the directory.
    #[arg(long = "autodetect", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set,
          default_value = "false", value_name = "BOOL")]
    pub autodetect: bool,
    /// With --autodetect, search subdirectories too (a subdirectory with
    /// a kustomization is added as one resource).
    #[arg(long = "recursive", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set,
          default_value = "false", value_name = "BOOL")]
    pub recursive: bool,
}

/// Runs `aiw create` in `dir`; returns the warnings.
pub fn run_create(args: &CreateArgs, dir: &Path) -> Result<Vec<String>> {
    ops::create(
        dir,
        &CreateOptions {
            resources: args.resources.clone(),
            namespace: args.namespace.clone(),
            annotations: args.annotations.clone(),
            labels: args.labels.clone(),
            prefix: args.nameprefix.clone(),
            suffix: args.namesuffix.clone(),
            autodetect: args.autodetect,
            recursive: args.recursive,
        },
    )
}
