//! The library's error type: every error names the file (and line where known).

use std::fmt;
use std::path::{Path, PathBuf};

/// A build error. Renders as `FILE:LINE: message` (or `FILE: message`), with
/// the chain of kustomizations that led to it appended when known.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// What went wrong, in one line.
    pub message: String,
    /// The file the error is about, when known.
    pub file: Option<PathBuf>,
    /// 1-based line in `file`, when known.
    pub line: Option<usize>,
    /// Kustomization files that included the failing one, innermost first.
    pub chain: Vec<PathBuf>,
}

/// Shorthand for results carrying [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with a message and no location.
    pub fn msg(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            file: None,
            line: None,
            chain: Vec::new(),
        }
    }

    /// An error about `file`.
    pub fn in_file(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error::msg(message).with_file(file)
    }

    /// Sets the file unless one is already set.
    pub fn with_file(mut self, file: impl AsRef<Path>) -> Self {
        if self.file.is_none() {
            self.file = Some(file.as_ref().to_path_buf());
        }
        self
    }

    /// Sets the line unless one is already set.
    pub fn with_line(mut self, line: Option<usize>) -> Self {
        if self.line.is_none() {
            self.line = line;
        }
        self
    }

    /// Records that the failing file was reached through `kustomization`.
    pub fn via(mut self, kustomization: impl AsRef<Path>) -> Self {
        let k = kustomization.as_ref().to_path_buf();
        if self.file.as_ref() != Some(&k) && !self.chain.contains(&k) {
            self.chain.push(k);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{}: ", file.display(), line)?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            _ => {}
        }
        f.write_str(&self.message)?;
        if !self.chain.is_empty() {
            f.write_str(" (included from ")?;
            for (i, k) in self.chain.iter().enumerate() {
                if i > 0 {
                    f.write_str(" <- ")?;
                }
                write!(f, "{}", k.display())?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Builds an [`Error`] from a format string.
#[macro_export]
macro_rules! err {
    ($($arg:tt)*) => { $crate::error::Error::msg(format!($($arg)*)) };
}

/// Returns early with an [`Error`] built from a format string.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::err!($($arg)*)) };
}
