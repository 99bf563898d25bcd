//! `aiw version`: aiw's version and the kustomize release whose output it
//! reproduces, in the forms kustomize's own `version` command prints.
//!
//! Tools that drive a kustomize binary parse these. Argo CD runs
//! `kustomize version --short`, strips the braces and `kustomize/`, and takes
//! the first semantic version in what is left (`util/kustomize/kustomize.go`);
//! it then picks its command lines by that version (`edit add label` takes one
//! argument per label from v3.8.5 on, components need v3.7.0). So every form
//! starts with the kustomize version, and aiw's own version comes after it.

/// The kustomize release whose `build` output aiw reproduces.
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";

/// aiw's own version (the crate version).
pub const AIW_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How `aiw version` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// YAML provenance, as `kustomize version -o yaml`.
    Yaml,
    /// JSON provenance, as `kustomize version -o json`.
    Json,
}

/// Arguments of `aiw version`.
#[derive(Clone, Debug, clap::Args)]
pub struct VersionArgs {
    /// Short form, as kustomize's deprecated `--short`:
    /// `{kustomize/v5.5.0  aiw/X.Y.Z   }` (what Argo CD runs).
    #[arg(long = "short", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = clap::ArgAction::Set, default_value = "false")]
    pub short: bool,
    /// Print the provenance as YAML or JSON.
    #[arg(short = 'o', long = "output", value_enum, value_name = "FORMAT")]
    pub output: Option<Format>,
}

/// The text `aiw version` prints for `args` (with its final newline), or the
/// error kustomize gives for `--short` with `--output`.
pub fn render(args: &VersionArgs) -> crate::Result<String> {
    match (args.short, args.output) {
        (true, Some(_)) => Err(crate::Error::msg(
            "--short and --output are mutually exclusive",
        )),
        (true, None) => Ok(short()),
        (false, None) => Ok(format!("{} (aiw {})\n", KUSTOMIZE_VERSION, AIW_VERSION)),
        (false, Some(Format::Yaml)) => Ok(provenance_yaml()),
        (false, Some(Format::Json)) => Ok(provenance_json()),
    }
}

/// The `--short` form: Go's `%v` of kustomize's provenance struct with the
/// build date's place taken by aiw's version.
pub fn short() -> String {
    format!(
        "{{kustomize/{}  aiw/{}   }}\n",
        KUSTOMIZE_VERSION, AIW_VERSION
    )
}

/// GOOS-style name of the operating system aiw was built for.
fn go_os() -> &'static str {
    std::env::consts::OS
}

/// GOARCH-style name of the architecture aiw was built for.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64",
        other => other,
    }
}

/// The provenance fields, in kustomize's order, then aiw's version.
fn provenance() -> [(&'static str, String); 6] {
    [
        ("version", format!("kustomize/{}", KUSTOMIZE_VERSION)),
        ("gitCommit", "unknown".to_string()),
        ("buildDate", "unknown".to_string()),
        ("goOs", go_os().to_string()),
        ("goArch", go_arch().to_string()),
        ("aiwVersion", AIW_VERSION.to_string()),
    ]
}

/// `-o yaml` (kustomize prints the YAML and then an empty line).
fn provenance_yaml() -> String {
    let mut out = String::new();
    for (k, v) in provenance() {
        out.push_str(&format!("{}: {}\n", k, v));
    }
    out.push('\n');
    out
}

/// `-o json`: indented by two spaces.
fn provenance_json() -> String {
    let mut m = serde_json::Map::new();
    for (k, v) in provenance() {
        m.insert(k.to_string(), serde_json::Value::String(v));
    }
    let mut s = serde_json::to_string_pretty(&serde_json::Value::Object(m)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Argo CD's parsing of `version --short`, step by step.
    fn argo_parse(out: &str) -> String {
        let v = out.trim();
        let v = v.strip_prefix('{').unwrap_or(v);
        let v = v.strip_suffix('}').unwrap_or(v);
        let v = v.trim().replace("  ", " ");
        v.strip_prefix("kustomize/").unwrap_or(&v).to_string()
    }

    #[test]
    fn argo_cd_reads_the_kustomize_version_first() {
        let parsed = argo_parse(&short());
        // Argo CD's semver regex takes the leftmost match.
        let re = regex::Regex::new(
            r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
        )
        .unwrap();
        assert_eq!(re.find(&parsed).unwrap().as_str(), "v5.5.0");
        assert!(parsed.starts_with("v5.5.0 aiw/"));
    }

    #[test]
    fn forms() {
        let a = |short, output| VersionArgs { short, output };
        assert!(render(&a(false, None)).unwrap().starts_with("v5.5.0 (aiw "));
        assert!(render(&a(true, Some(Format::Json))).is_err());
        let y = render(&a(false, Some(Format::Yaml))).unwrap();
        assert!(y.starts_with("version: kustomize/v5.5.0\ngitCommit: unknown\n"));
        let j: serde_json::Value =
            serde_json::from_str(&render(&a(false, Some(Format::Json))).unwrap()).unwrap();
        assert_eq!(j["version"], "kustomize/v5.5.0");
        assert_eq!(j["aiwVersion"], AIW_VERSION);
    }
}
