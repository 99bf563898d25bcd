//! The `aiw` command line: a thin layer over the library.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use aiw::build::{BuildOptions, build, render};
use aiw::loader::LoadRestrictor;

/// A build makes millions of small allocations (every YAML node, key and
/// string); mimalloc serves them at about half the cost of glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// No transparent huge pages while a build is small: mimalloc asks for them
/// on its arenas, and each first touch then makes a whole 2 MiB page
/// resident, which made up to 40% of a small build's peak memory for no
/// measurable speed. A large build gets them back (about 20% faster at
/// 11,000 documents, one page fault where there were a hundred).
fn tune_memory() {
    set_huge_pages(false);
    // Large builds touch hundreds of MiB: there huge pages save page faults
    // and TLB misses worth more than the memory they round up.
    aiw::build::on_large_build(LARGE_BUILD_DOCUMENTS, || set_huge_pages(true));
}

/// Resource documents read after which a build counts as large (the
/// benchmark tree has about 3,400 at N = 300 and 11,300 at N = 1000).
const LARGE_BUILD_DOCUMENTS: usize = 4000;

/// Allows or forbids transparent huge pages for this process.
fn set_huge_pages(allow: bool) {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and only sets
    // a flag of this process; failure (an old kernel) changes nothing.
    unsafe {
        libc::prctl(
            libc::PR_SET_THP_DISABLE,
            libc::c_ulong::from(!allow),
            0,
            0,
            0,
        );
    }
    #[cfg(not(target_os = "linux"))]
    let _ = allow;
}

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
        /// Directory holding a kustomization.yaml.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Write the output to FILE (atomically: left untouched on error).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Which files a kustomization may read.
        #[arg(
            long = "load-restrictor",
            value_name = "RESTRICTOR",
            default_value = "LoadRestrictionsRootOnly"
        )]
        load_restrictor: LoadRestrictor,
    },
    /// Compare two overlays, directories or built manifests: a semantic,
    /// secret-safe diff. Exit code 0: no differences, 1: differences, 2: error.
    Diff(aiw::diff::cli::DiffArgs),
    /// Show where every value of a build came from: the built YAML with
    /// each value's last source, or one field's whole history.
    Explain(aiw::explain::cli::ExplainArgs),
}

/// Exit code of `aiw diff` when the sides differ.
const EXIT_DIFFERENT: u8 = 1;

/// Exit code for errors (0 is success; 1 is reserved for "differences" in
/// `aiw diff`).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    tune_memory();
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            dir,
            output,
            load_restrictor,
        } => {
            let opts = BuildOptions { load_restrictor };
            let built = build(&dir, &opts).and_then(|resources| {
                let out = render(&resources)?;
                // The process ends right after writing: the OS takes the
                // memory back faster than freeing every node would.
                std::mem::forget(resources);
                Ok(out)
            });
            let out = match built {
                Ok(out) => out,
                Err(e) => {
                    eprintln!("Error: {}", e);
                    return ExitCode::from(EXIT_ERROR);
                }
            };
            let written = match output {
                Some(path) => aiw::output::write_atomically(&path, out.as_bytes()),
                None => {
                    let mut stdout = std::io::stdout().lock();
                    stdout
                        .write_all(out.as_bytes())
                        .and_then(|_| stdout.flush())
                }
            };
            if let Err(e) = written {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
                eprintln!("Error: writing output: {}", e);
                return ExitCode::from(EXIT_ERROR);
            }
            ExitCode::SUCCESS
        }
        Command::Explain(args) => {
            use std::io::IsTerminal;
            let out = match aiw::explain::cli::run(&args, std::io::stdout().is_terminal()) {
                Ok(out) => out,
                Err(e) => {
                    eprintln!("Error: {}", e);
                    return ExitCode::from(EXIT_ERROR);
                }
            };
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    eprintln!("Error: writing output: {}", e);
                    ExitCode::from(EXIT_ERROR)
                }
                _ => ExitCode::SUCCESS,
            }
        }
        Command::Diff(args) => {
            use std::io::IsTerminal;
            let is_tty = std::io::stdout().is_terminal();
            let outcome = match aiw::diff::cli::run(&args, &mut std::io::stdin().lock(), is_tty) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("Error: {}", e);
                    return ExitCode::from(EXIT_ERROR);
                }
            };
            let mut stdout = std::io::stdout().lock();
            let written = stdout
                .write_all(outcome.output.as_bytes())
                .and_then(|_| stdout.flush());
            if let Err(e) = written
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                eprintln!("Error: writing output: {}", e);
                return ExitCode::from(EXIT_ERROR);
            }
            if outcome.differs {
                ExitCode::from(EXIT_DIFFERENT)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}
