//! `aiw man`: manual pages (roff) made from the command-line definitions, so
//! they never drift from `--help`. One page per command, named as git names
//! its pages: `aiw(1)`, `aiw-build(1)`, `aiw-edit-set-image(1)`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Arguments of `aiw man`.
#[derive(Clone, Debug, clap::Args)]
pub struct ManArgs {
    /// The command whose page to print (`aiw man edit set image`); none for
    /// the page of aiw itself.
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
    /// Write every page (aiw.1, aiw-build.1, ...) into this directory
    /// instead, for `man -M` or packaging.
    #[arg(long = "dir", value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

/// `cmd` ready for rendering: subcommands named `aiw-build` and so on.
fn prepared(cmd: &clap::Command) -> clap::Command {
    let mut cmd = cmd.clone().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The roff page of the subcommand at `path` under `cmd` (the top page when
/// `path` is empty).
pub fn render(cmd: &clap::Command, path: &[String], out: &mut Vec<u8>) -> Result<()> {
    let mut cur = prepared(cmd);
    for name in path {
        let next = cur
            .get_subcommands()
            .find(|s| s.get_name() == name || s.get_all_aliases().any(|a| a == name))
            .cloned();
        cur = next.ok_or_else(|| {
            Error::msg(format!(
                "no command {:?} under {}",
                name,
                cur.get_display_name().unwrap_or(cur.get_name())
            ))
        })?;
    }
    clap_mangen::Man::new(cur)
        .render(out)
        .map_err(|e| Error::msg(format!("rendering the manual page: {}", e)))
}

/// Writes the pages of `cmd` and all its visible subcommands into `dir`,
/// returning the files written.
pub fn write_all(cmd: &clap::Command, dir: &Path) -> Result<Vec<PathBuf>> {
    fn walk(cmd: &clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, dir, written)?;
        }
        let man = clap_mangen::Man::new(cmd.clone());
        let path = dir.join(man.get_filename());
        let mut out = Vec::new();
        man.render(&mut out)
            .map_err(|e| Error::msg(format!("rendering the manual page: {}", e)))?;
        crate::output::write_file(&path, &out)?;
        written.push(path);
        Ok(())
    }
    let mut written = Vec::new();
    walk(&prepared(cmd), dir, &mut written)?;
    Ok(written)
}
