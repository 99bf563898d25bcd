//! replacements
