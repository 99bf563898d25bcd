//! The `aiw` command line: a thin layer over the library.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use aiw::build::{BuildOptions, build_with_warnings, render_pieces};
use aiw::loader::LoadRestrictor;

/// A build makes millions of small allocations (every YAML node, key and
/// string); mimalloc serves them at about half the cost of glibc's malloc.
/// Its arenas ask for transparent huge pages, which this process keeps: at
/// N = 100 they save ~5,000 page faults, about 9 % of the build's wall
/// time. mimalloc 2 rather than 3: at N = 100 it touches 23 MiB of heap
/// where 3 touches 37 MiB, and first touches (the kernel zeroing pages) are
/// a quarter of a build's CPU time on a VM.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// aiw: a Kustomize-compatible overlay compiler.
#[derive(Parser)]
#[command(name = "aiw", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a kustomization directory and print the resulting YAML stream.
    Build {
        /// Directory holding a kustomization.yaml, or a git URL; several
        /// with --out-dir (directories they share are built once).
        #[arg(default_value = ".", value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Write the output to PATH: a file (atomically: left untouched on
        /// error), an existing directory (one file per resource, all or
        /// nothing), or - for standard output.
        #[arg(short = 'o', long = "output", value_name = "PATH")]
        output: Option<PathBuf>,
        /// Write each DIR's output to OUT/<DIR as given>.yaml, all or
        /// nothing.
        #[arg(long = "out-dir", value_name = "OUT", conflicts_with = "output")]
        out_dir: Option<PathBuf>,
        /// Build, then rebuild whenever a file the build read changes (one
        /// status line per rebuild on stderr; an error keeps the last good
        /// output).
        #[arg(long = "watch")]
        watch: bool,
        /// Which files a kustomization may read.
        #[arg(
            long = "load-restrictor",
            value_name = "RESTRICTOR",
            default_value = "LoadRestrictionsRootOnly"
        )]
        load_restrictor: LoadRestrictor,
        /// Never touch the network: remote bases and files come from the
        /// cache ($AIW_CACHE_DIR, else $XDG_CACHE_HOME/aiw, else ~/.cache/aiw)
        /// or the build fails.
        #[arg(long = "offline")]
        offline: bool,
        #[command(flatten)]
        helm: aiw::build_flags::HelmFlags,
        /// Validate the output against the Kubernetes API schemas (the
        /// newest embedded release, or X.Y); write nothing when invalid.
        #[arg(long = "validate", value_name = "X.Y", num_args = 0..=1, require_equals = true, default_missing_value = "")]
        validate: Option<String>,
        #[command(flatten)]
        kustomize: aiw::build_flags::KustomizeFlags,
    },
    /// Compare two overlays, directories or built manifests: a semantic,
    /// secret-safe diff. Exit code 0: no differences, 1: differences, 2: error.
    Diff(aiw::diff::cli::DiffArgs),
    /// Validate built manifests (a kustomization, a YAML file or -) against
    /// the Kubernetes API schemas, offline. Exit code 0: valid, 1: invalid,
    /// 2: error.
    Validate(aiw::validate::cli::ValidateArgs),
    /// Edit the kustomization file in the current directory (the
    /// `kustomize edit` commands; comments and formatting are kept).
    Edit(aiw::edit::cli::EditArgs),
    /// Create a kustomization.yaml in the current directory.
    #[command(visible_alias = "init")]
    Create(aiw::edit::cli::CreateArgs),
    /// Print the kustomize version aiw reproduces, then aiw's version.
    Version(aiw::version::VersionArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of aiw or one of its commands, or write
    /// them all into a directory.
    Man(aiw::manpage::ManArgs),
    /// Show where every value of a build came from: the built YAML with
    /// each value's last source, or one field's whole history.
    Explain(aiw::explain::cli::ExplainArgs),
}

/// Exit code of `aiw diff` when the sides differ.
const EXIT_DIFFERENT: u8 = 1;

/// Exit code of `aiw validate` (and `aiw build --validate`) when the
/// manifests are invalid.
const EXIT_INVALID: u8 = 1;

/// Exit code for errors (0 is success; 1 is reserved for "differences" in
/// `aiw diff`).
const EXIT_ERROR: u8 = 2;

/// Writes `out` to standard output; a closed pipe is not an error.
fn print(out: &[u8]) -> ExitCode {
    print_pieces(&[out])
}

/// Writes the concatenation of `pieces` to standard output, as [`print`].
fn print_pieces(pieces: &[&[u8]]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    let written = pieces
        .iter()
        .try_for_each(|piece| stdout.write_all(piece))
        .and_then(|_| stdout.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("Error: writing output: {}", e);
            ExitCode::from(EXIT_ERROR)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// Reports an error on stderr, exit code 2.
fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("Error: {}", e);
    ExitCode::from(EXIT_ERROR)
}

/// True when the command line asks for a command that builds one
/// directory (it splits its work over worker threads). Several at once
/// (`--out-dir`, `diff`) keep every core busy without polling workers, which
/// would only take cores from threads with work.
fn builds(args: &[std::ffi::OsString]) -> bool {
    let command = args.get(1).and_then(|a| a.to_str());
    matches!(command, Some("build" | "validate" | "explain"))
}

fn main() -> ExitCode {
    // The worker threads start while the command line is read, and poll
    // for work until the process ends (a watch sleeps between builds).
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let warm = builds(&args).then(aiw::Warm::start);
    let cli = Cli::parse_from(args);
    match cli.command {
        Command::Build {
            dirs,
            output,
            out_dir,
            watch,
            load_restrictor,
            offline,
            helm,
            validate,
            kustomize,
        } => {
            use aiw::output::Target;
            let mut opts = BuildOptions {
                load_restrictor,
                remote: aiw::remote::RemoteOptions {
                    offline,
                    ..Default::default()
                },
                helm: helm.config(),
                ..Default::default()
            };
            let managedby_env = std::env::var("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL").ok();
            if let Err(e) = kustomize.apply(&mut opts, managedby_env.as_deref()) {
                return fail(e);
            }
            let target = aiw::output::target(output.as_deref());
            if (watch || out_dir.is_some()) && validate.is_some() {
                return fail(aiw::Error::msg(
                    "--validate builds one directory once: not with --watch or --out-dir",
                ));
            }
            if watch || out_dir.is_some() {
                drop(warm);
            }
            if watch {
                let target = match (&target, &out_dir) {
                    (Target::File(file), _) => Ok(aiw::watch::Target::Files(vec![file.clone()])),
                    (Target::Dir(_), _) => Err(aiw::Error::msg(
                        "--watch writes one file per directory: -o FILE or --out-dir OUT",
                    )),
                    (_, Some(out)) => {
                        aiw::out_dir::output_paths(out, &dirs).map(aiw::watch::Target::Files)
                    }
                    _ => Ok(aiw::watch::Target::Stdout),
                };
                let watched = target.and_then(|target| {
                    aiw::watch::run(&opts, &dirs, &target, &mut std::io::stderr())
                });
                return match watched {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => fail(e),
                };
            }
            if let Some(out) = out_dir {
                return match aiw::out_dir::build_into(&opts, &dirs, &out, true) {
                    Ok(warnings) => {
                        for w in &warnings {
                            eprintln!("{w}");
                        }
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail(e),
                };
            }
            let [dir] = dirs.as_slice() else {
                return fail(aiw::Error::msg("several directories need --out-dir OUT"));
            };
            let built = build_with_warnings(dir, &opts).and_then(|built| {
                // Warnings on stderr, as kubectl prints them.
                for w in &built.warnings {
                    eprintln!("{w}");
                }
                let resources = built.resources;
                let out = match &target {
                    Target::Dir(_) => Err(aiw::output::individual_files(&resources)?),
                    _ => Ok(render_pieces(&resources)?),
                };
                if let Some(version) = &validate {
                    // Problems are located by their line in the output
                    // stream, which `-o DIR` does not otherwise render.
                    let text = match &out {
                        Ok(rendered) => rendered.pieces().concat(),
                        Err(_) => render_pieces(&resources)?.pieces().concat(),
                    };
                    let text = String::from_utf8(text).unwrap_or_default();
                    let invalid = aiw::validate::cli::check_build(&resources, &text, dir, version)?;
                    if let Some(report) = invalid {
                        return Ok(Err(report));
                    }
                }
                // The process ends right after writing: the OS takes the
                // memory back faster than freeing every node would.
                std::mem::forget(resources);
                Ok(Ok(out))
            });
            let built = match built {
                Ok(Err(report)) => {
                    eprint!("{report}");
                    return ExitCode::from(EXIT_INVALID);
                }
                Ok(Ok(out)) => Ok(out),
                Err(e) => Err(e),
            };
            let written = match (built, &target) {
                (Err(e), _) => Err(e),
                (Ok(Ok(out)), Target::Stdout) => return print_pieces(&out.pieces()),
                (Ok(Ok(out)), Target::File(path)) => {
                    aiw::output::write_file_pieces(path, &out.pieces())
                }
                (Ok(Err(files)), Target::Dir(dir)) => {
                    aiw::output::write_individual_files(dir, &files)
                }
                (Ok(_), _) => unreachable!("the rendering follows the target"),
            };
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        Command::Explain(args) => {
            use std::io::IsTerminal;
            match aiw::explain::cli::run(&args, std::io::stdout().is_terminal()) {
                Ok(out) => print(out.as_bytes()),
                Err(e) => fail(e),
            }
        }
        Command::Diff(args) => {
            use std::io::IsTerminal;
            let is_tty = std::io::stdout().is_terminal();
            let outcome = match aiw::diff::cli::run(&args, &mut std::io::stdin().lock(), is_tty) {
                Ok(o) => o,
                Err(e) => return fail(e),
            };
            for w in &outcome.warnings {
                eprintln!("{w}");
            }
            let code = print(outcome.output.as_bytes());
            if code != ExitCode::SUCCESS {
                code
            } else if outcome.differs {
                ExitCode::from(EXIT_DIFFERENT)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Validate(args) => {
            match aiw::validate::cli::run(&args, &mut std::io::stdin().lock()) {
                Ok(outcome) => match print(outcome.output.as_bytes()) {
                    code if code != ExitCode::SUCCESS => code,
                    _ if outcome.valid => ExitCode::SUCCESS,
                    _ => ExitCode::from(EXIT_INVALID),
                },
                Err(e) => fail(e),
            }
        }
        Command::Edit(args) => match aiw::edit::cli::run(&args, Path::new(".")) {
            Ok(outcome) => {
                for w in &outcome.warnings {
                    eprintln!("{}", w);
                }
                print(outcome.output.as_bytes())
            }
            Err(e) => fail(e),
        },
        Command::Create(args) => match aiw::edit::cli::run_create(&args, Path::new(".")) {
            Ok(warnings) => {
                for w in &warnings {
                    eprintln!("{}", w);
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Version(args) => match aiw::version::render(&args) {
            Ok(out) => print(out.as_bytes()),
            Err(e) => fail(e),
        },
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "aiw", &mut out);
            print(&out)
        }
        Command::Man(args) => {
            if let Some(dir) = &args.dir {
                return match aiw::manpage::write_all(&Cli::command(), dir) {
                    Ok(_) => ExitCode::SUCCESS,
                    Err(e) => fail(e),
                };
            }
            let mut out = Vec::new();
            match aiw::manpage::render(&Cli::command(), &args.command, &mut out) {
                Ok(()) => print(&out),
                Err(e) => fail(e),
            }
        }
    }
}
