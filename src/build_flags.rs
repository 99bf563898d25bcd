//! The `kustomize build` / `kubectl kustomize` flags beyond `-o` and
//! `--load-restrictor`, so that any command line written for kustomize is
//! accepted by `aiw build`: the ones aiw implements (`--reorder`,
//! `--enable-managedby-label`) become [`BuildOptions`] fields, and the ones
//! for plugins aiw does not run are refused with a message saying so (never
//! "unexpected argument"); and the Helm flags ([`HelmFlags`]).
//! `--offline` (remote resources) is a plain switch of `aiw build`.
//!
//! Boolean flags take pflag's forms: `--flag`, `--flag=true`, `--flag=false`.

use crate::build::BuildOptions;
use crate::error::{Error, Result};

/// `--reorder`: the final ordering of a build (kustomize marks the flag
/// deprecated in favour of the `sortOptions` field, which wins over it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Reorder {
    /// Namespaces first, webhooks last, and so on (the default).
    Legacy,
    /// Resources in the order the kustomization lists them.
    None,
}

/// The kustomize build flags aiw adds to `aiw build`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct KustomizeFlags {
    /// Reorder the resources just before output: legacy (Namespaces first,
    /// Webhooks last, etc.) or none. The kustomization's sortOptions field
    /// takes precedence.
    #[arg(long = "reorder", value_enum, value_name = "ORDER")]
    pub reorder: Option<Reorder>,
    /// Add the label app.kubernetes.io/managed-by to every resource (also
    /// when KUSTOMIZE_ENABLE_MANAGEDBY_LABEL=on).
    #[arg(long = "enable-managedby-label", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set, default_value = "false",
          value_name = "BOOL")]
    pub enable_managedby_label: bool,
    /// Not supported: aiw runs no exec, container or Go plugins.
    #[arg(long = "enable-alpha-plugins", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set, default_value = "false",
          value_name = "BOOL", hide_short_help = true)]
    pub enable_alpha_plugins: bool,
    /// Not supported: aiw runs no exec functions.
    #[arg(long = "enable-exec", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set, default_value = "false",
          value_name = "BOOL", hide_short_help = true)]
    pub enable_exec: bool,
    /// Not supported: aiw runs no container functions (network access).
    #[arg(long = "network", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set, default_value = "false",
          value_name = "BOOL", hide_short_help = true)]
    pub network: bool,
    /// Accepted and ignored: the docker network for container functions,
    /// which aiw does not run.
    #[arg(long = "network-name", value_name = "NAME", hide_short_help = true)]
    pub network_name: Option<String>,
    /// Not supported: aiw runs no container functions (storage mounts).
    #[arg(long = "mount", value_name = "MOUNT", hide_short_help = true)]
    pub mount: Vec<String>,
    /// Not supported: aiw runs no functions (their environment).
    #[arg(short = 'e', long = "env", value_name = "VAR", hide_short_help = true)]
    pub env: Vec<String>,
    /// Not supported: aiw runs no container functions.
    #[arg(long = "as-current-user", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set, default_value = "false",
          value_name = "BOOL", hide_short_help = true)]
    pub as_current_user: bool,
}

impl KustomizeFlags {
    /// Refuses the flags aiw does not implement, with a message naming the
    /// flag; then sets `opts` from the ones it does (`managedby_env` is the
    /// value of `KUSTOMIZE_ENABLE_MANAGEDBY_LABEL`).
    pub fn apply(&self, opts: &mut BuildOptions, managedby_env: Option<&str>) -> Result<()> {
        let refuse = |flag: &str, what: &str| {
            Err(Error::msg(format!(
                "{} is not supported: aiw does not run {} (only kustomize's builtin generators and transformers); remove the flag",
                flag, what
            )))
        };
        if self.enable_alpha_plugins {
            return refuse(
                "--enable-alpha-plugins",
                "kustomize plugins (exec, container or Go)",
            );
        }
        if self.enable_exec {
            return refuse("--enable-exec", "exec functions");
        }
        if self.network {
            return refuse("--network", "container functions");
        }
        if !self.mount.is_empty() {
            return refuse("--mount", "container functions");
        }
        if !self.env.is_empty() {
            return refuse("--env", "functions");
        }
        if self.as_current_user {
            return refuse("--as-current-user", "container functions");
        }
        opts.reorder = self.reorder;
        opts.managed_by_label = self.enable_managedby_label || managedby_env == Some("on");
        Ok(())
    }
}

/// The helm flags of `aiw build`, as `kubectl kustomize` takes them.
#[derive(Clone, Debug, clap::Args)]
pub struct HelmFlags {
    /// Enable use of the Helm chart inflator generator (helmCharts).
    #[arg(long = "enable-helm", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set, default_value = "false")]
    pub enable_helm: bool,
    /// helm command (path to executable).
    #[arg(long = "helm-command", value_name = "PATH", default_value = "helm")]
    pub helm_command: String,
    /// Kubernetes api versions used by Helm for Capabilities.APIVersions
    /// (repeatable).
    #[arg(long = "helm-api-versions", value_name = "VERSION")]
    pub helm_api_versions: Vec<String>,
    /// Kubernetes version used by Helm for Capabilities.KubeVersion.
    #[arg(
        long = "helm-kube-version",
        value_name = "VERSION",
        default_value = "",
        hide_default_value = true
    )]
    pub helm_kube_version: String,
    /// Enable debug output from the Helm chart inflator generator.
    #[arg(long = "helm-debug", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set, default_value = "false")]
    pub helm_debug: bool,
}

impl HelmFlags {
    /// The helm settings of a build.
    pub fn config(self) -> crate::helm::HelmConfig {
        crate::helm::HelmConfig {
            enabled: self.enable_helm,
            command: self.helm_command,
            api_versions: self.helm_api_versions,
            kube_version: self.helm_kube_version,
            debug: self.helm_debug,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        f: KustomizeFlags,
    }

    fn parse(args: &[&str]) -> KustomizeFlags {
        let mut v = vec!["t"];
        v.extend_from_slice(args);
        T::try_parse_from(v).unwrap().f
    }

    #[test]
    fn implemented_flags_set_options() {
        let mut o = BuildOptions::default();
        parse(&["--reorder", "none", "--enable-managedby-label"])
            .apply(&mut o, None)
            .unwrap();
        assert_eq!(o.reorder, Some(Reorder::None));
        assert!(o.managed_by_label);
        let mut o = BuildOptions::default();
        parse(&["--enable-managedby-label=false"])
            .apply(&mut o, Some("on"))
            .unwrap();
        assert!(o.managed_by_label, "the environment variable turns it on");
        let mut o = BuildOptions::default();
        parse(&[]).apply(&mut o, Some("yes")).unwrap();
        assert!(!o.managed_by_label);
        assert_eq!(o.reorder, None);
    }

    #[test]
    fn unimplemented_flags_are_refused_by_name() {
        for (args, flag) in [
            (vec!["--enable-alpha-plugins"], "--enable-alpha-plugins"),
            (vec!["--enable-exec=true"], "--enable-exec"),
            (vec!["--network"], "--network"),
            (vec!["--mount", "type=bind,src=/a,dst=/b"], "--mount"),
            (vec!["-e", "A=1"], "--env"),
            (vec!["--as-current-user"], "--as-current-user"),
        ] {
            let err = parse(&args)
                .apply(&mut BuildOptions::default(), None)
                .unwrap_err();
            assert!(err.to_string().starts_with(flag), "{}", err);
        }
        // Off, or harmless without functions: accepted.
        parse(&["--enable-alpha-plugins=false", "--network-name", "host"])
            .apply(&mut BuildOptions::default(), None)
            .unwrap();
    }
}
