//! Output modes of `aiw diff`: human (default), unified, json, markdown and
//! summary. Rendering works on the masked [`Diff`]; it never sees a Secret
//! value unless `--show-secrets` left them in.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use similar::{ChangeTag, TextDiff};

use super::{ChangeKind, Diff, FieldChange, FieldChangeKind, ResourceChange};
use crate::yaml::{Value, emit_document};

/// An output mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Headers per changed resource, field-path changes, then a unified diff.
    #[default]
    Human,
    /// `diff -u`-style text per resource with `a/` and `b/` headers.
    Unified,
    /// The stable JSON format, schema version 1 (module `diff::json`).
    Json,
    /// Markdown for pull-request comments.
    Markdown,
    /// Counts per change kind and per resource kind.
    Summary,
}

/// How to render.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// Output mode.
    pub format: Format,
    /// Lines of context in unified diffs.
    pub context: usize,
    /// ANSI colors (human mode only).
    pub color: bool,
    /// Name of the old side (`development`, a path, `stdin`).
    pub old_label: String,
    /// Name of the new side.
    pub new_label: String,
}

/// Longest value shown inline (in characters) before it is cut with `…`.
const MAX_INLINE: usize = 100;

/// Renders `diff` in the chosen mode.
pub fn render(diff: &Diff, opts: &RenderOptions) -> String {
    match opts.format {
        Format::Human => human(diff, opts),
        Format::Unified => unified(diff, opts),
        Format::Json => {
            let j = super::json::to_json(diff, &opts.old_label, &opts.new_label);
            let mut s = serde_json::to_string_pretty(&j).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Markdown => markdown(diff, opts),
        Format::Summary => summary(diff, opts),
    }
}

/// ANSI styles.
struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on && !text.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

const RED: &str = "31";
const GREEN: &str = "32";
const YELLOW: &str = "33";
const CYAN: &str = "36";
const BOLD_RED: &str = "1;31";
const BOLD_GREEN: &str = "1;32";
const BOLD_YELLOW: &str = "1;33";
const BOLD_CYAN: &str = "1;36";

fn sign(kind: ChangeKind) -> char {
    match kind {
        ChangeKind::Added => '+',
        ChangeKind::Removed => '-',
        ChangeKind::Modified | ChangeKind::Renamed => '~',
    }
}

/// `~ apps/v1 Deployment ai-wealth/backend`, with `(renamed from OLD)`.
fn header(c: &ResourceChange) -> String {
    let mut h = format!("{} {}", sign(c.kind), c.id());
    if c.kind == ChangeKind::Renamed
        && let Some(old) = &c.old
    {
        let _ = write!(h, " (renamed from {})", old.id.qualified_name());
    }
    h
}

/// `9 modified, 4 removed (1 unchanged)`.
fn counts_line(diff: &Diff) -> String {
    let parts: Vec<String> = ChangeKind::ALL
        .iter()
        .filter_map(|&k| {
            let n = diff.count(k);
            (n > 0).then(|| format!("{n} {}", k.as_str()))
        })
        .collect();
    if parts.is_empty() {
        format!("no differences ({} unchanged)", diff.unchanged)
    } else {
        format!("{} ({} unchanged)", parts.join(", "), diff.unchanged)
    }
}

/// The YAML text of both sides of a change (empty for a missing side).
fn texts(c: &ResourceChange) -> (String, String) {
    let t = |d: &Option<super::Doc>| d.as_ref().map(|d| emit_document(&d.value));
    (t(&c.old).unwrap_or_default(), t(&c.new).unwrap_or_default())
}

/// Unified diff hunks (without file headers), each line prefixed by
/// `indent`, colored when `style.on`.
fn hunks(old: &str, new: &str, context: usize, indent: &str, style: &Style) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    let ud = diff.unified_diff();
    let mut ud = ud;
    ud.context_radius(context);
    for hunk in ud.iter_hunks() {
        let _ = writeln!(
            out,
            "{indent}{}",
            style.paint(CYAN, &hunk.header().to_string())
        );
        for change in hunk.iter_changes() {
            let line = change.value().strip_suffix('\n').unwrap_or(change.value());
            let (s, code) = match change.tag() {
                ChangeTag::Delete => ('-', RED),
                ChangeTag::Insert => ('+', GREEN),
                ChangeTag::Equal => (' ', ""),
            };
            let text = format!("{s}{line}");
            if code.is_empty() {
                let _ = writeln!(out, "{indent}{text}");
            } else {
                let _ = writeln!(out, "{indent}{}", style.paint(code, &text));
            }
            if change.missing_newline() {
                let _ = writeln!(out, "{indent}\\ No newline at end of file");
            }
        }
    }
    out
}

/// A value for one line: scalars as text (strings JSON-quoted when they
/// would be ambiguous), collections as compact JSON; cut at
/// [`MAX_INLINE`] characters.
pub fn inline_value(v: &Value) -> String {
    let s = match v {
        Value::String(s) => {
            let ambiguous = s.is_empty()
                || s.trim() != s
                || s.contains(|c: char| c.is_control() || c == '"')
                || s.contains(" → ")
                || matches!(
                    s.to_ascii_lowercase().as_str(),
                    "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off"
                )
                || s.parse::<f64>().is_ok();
            if ambiguous {
                serde_json::to_string(s).unwrap_or_default()
            } else {
                s.clone()
            }
        }
        Value::Seq(_) | Value::Map(_) => super::json::value_json(v).to_string(),
        other => other.scalar_string().unwrap_or_default(),
    };
    truncate(&s, MAX_INLINE)
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// `spec.replicas: 1 → 3` and friends, without the leading sign.
fn field_text(f: &FieldChange) -> String {
    let show = |v: &Option<Value>| v.as_ref().map(inline_value).unwrap_or_default();
    match f.kind {
        FieldChangeKind::Added => format!("{}: {}", f.path, show(&f.new)),
        FieldChangeKind::Removed => format!("{}: {}", f.path, show(&f.old)),
        FieldChangeKind::Modified => format!("{}: {} → {}", f.path, show(&f.old), show(&f.new)),
        FieldChangeKind::Reordered => {
            format!("{}: order {} → {}", f.path, show(&f.old), show(&f.new))
        }
    }
}

fn field_sign(k: FieldChangeKind) -> (char, &'static str) {
    match k {
        FieldChangeKind::Added => ('+', GREEN),
        FieldChangeKind::Removed => ('-', RED),
        FieldChangeKind::Modified | FieldChangeKind::Reordered => ('~', YELLOW),
    }
}

fn human_one(c: &ResourceChange, opts: &RenderOptions) -> String {
    let style = Style { on: opts.color };
    let code = match c.kind {
        ChangeKind::Added => BOLD_GREEN,
        ChangeKind::Removed => BOLD_RED,
        ChangeKind::Modified => BOLD_YELLOW,
        ChangeKind::Renamed => BOLD_CYAN,
    };
    let mut out = style.paint(code, &header(c));
    out.push('\n');
    for f in &c.fields {
        let (s, code) = field_sign(f.kind);
        let _ = writeln!(
            out,
            "  {} {}",
            style.paint(code, &s.to_string()),
            field_text(f)
        );
    }
    let (old, new) = texts(c);
    out.push_str(&hunks(&old, &new, opts.context, "    ", &style));
    out
}

fn human(diff: &Diff, opts: &RenderOptions) -> String {
    let parts: Vec<String> = diff
        .changes
        .par_iter()
        .map(|c| human_one(c, opts))
        .collect();
    let mut out = String::new();
    for p in parts {
        out.push_str(&p);
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} → {}: {}",
        opts.old_label,
        opts.new_label,
        counts_line(diff)
    );
    out
}

/// `apps/v1/Deployment/ai-wealth/backend` (namespace left out when empty).
fn file_name(id: &super::DocId) -> String {
    let mut s = format!("{}/{}", id.api_version, id.kind);
    if !id.namespace.is_empty() {
        s.push('/');
        s.push_str(&id.namespace);
    }
    s.push('/');
    s.push_str(&id.name);
    s
}

fn unified_one(c: &ResourceChange, context: usize) -> String {
    let a = c
        .old
        .as_ref()
        .map(|d| format!("a/{}", file_name(&d.id)))
        .unwrap_or_else(|| "/dev/null".into());
    let b = c
        .new
        .as_ref()
        .map(|d| format!("b/{}", file_name(&d.id)))
        .unwrap_or_else(|| "/dev/null".into());
    let (old, new) = texts(c);
    format!(
        "--- {a}\n+++ {b}\n{}",
        hunks(&old, &new, context, "", &Style { on: false })
    )
}

fn unified(diff: &Diff, opts: &RenderOptions) -> String {
    let parts: Vec<String> = diff
        .changes
        .par_iter()
        .map(|c| unified_one(c, opts.context))
        .collect();
    parts.concat()
}

/// A Markdown inline code span that survives table cells (`|` escaped,
/// backticks fenced with a longer run).
fn md_code(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let s = s.replace('|', "\\|");
    let longest = longest_run(&s, '`');
    if longest == 0 {
        format!("`{s}`")
    } else {
        let fence = "`".repeat(longest + 1);
        format!("{fence} {s} {fence}")
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn markdown_one(c: &ResourceChange, context: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<details>\n<summary><code>{}</code></summary>\n",
        html_escape(&header(c))
    );
    if !c.fields.is_empty() {
        out.push_str("| Change | Path | Old | New |\n| --- | --- | --- | --- |\n");
        for f in &c.fields {
            let show =
                |v: &Option<Value>| md_code(&v.as_ref().map(inline_value).unwrap_or_default());
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                f.kind.as_str(),
                md_code(&f.path),
                show(&f.old),
                show(&f.new)
            );
        }
        out.push('\n');
    }
    let (old, new) = texts(c);
    let body = hunks(&old, &new, context, "", &Style { on: false });
    let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
    let _ = writeln!(out, "{fence}diff\n{body}{fence}\n\n</details>\n");
    out
}

fn markdown(diff: &Diff, opts: &RenderOptions) -> String {
    let mut out = format!(
        "### aiw diff: {} → {}\n\n",
        md_code(&opts.old_label),
        md_code(&opts.new_label)
    );
    if diff.is_empty() {
        let _ = writeln!(out, "No differences ({} unchanged).", diff.unchanged);
        return out;
    }
    let _ = writeln!(out, "**{}**\n", counts_line(diff));
    out.push_str("| | Resource | Fields changed |\n| --- | --- | --- |\n");
    for c in &diff.changes {
        let mut name = c.id().to_string();
        if c.kind == ChangeKind::Renamed
            && let Some(old) = &c.old
        {
            let _ = write!(name, " (renamed from {})", old.id.qualified_name());
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            c.kind.as_str(),
            md_code(&name),
            c.fields.len()
        );
    }
    out.push('\n');
    let parts: Vec<String> = diff
        .changes
        .par_iter()
        .map(|c| markdown_one(c, opts.context))
        .collect();
    out.push_str(&parts.concat());
    out
}

fn summary(diff: &Diff, opts: &RenderOptions) -> String {
    let mut out = format!("{} → {}\n", opts.old_label, opts.new_label);
    for k in ChangeKind::ALL {
        let _ = writeln!(out, "  {:<10} {:>6}", k.as_str(), diff.count(k));
    }
    let _ = writeln!(out, "  {:<10} {:>6}", "unchanged", diff.unchanged);
    if diff.is_empty() {
        return out;
    }
    let mut per_kind: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for c in &diff.changes {
        let row = per_kind.entry(c.id().kind.as_str()).or_default();
        let col = ChangeKind::ALL
            .iter()
            .position(|&k| k == c.kind)
            .unwrap_or(0);
        row[col] += 1;
    }
    let width = per_kind
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let _ = writeln!(
        out,
        "\n{:<width$}  {:>7}  {:>7}  {:>8}  {:>7}",
        "KIND", "ADDED", "REMOVED", "MODIFIED", "RENAMED"
    );
    for (kind, row) in per_kind {
        let _ = writeln!(
            out,
            "{:<width$}  {:>7}  {:>7}  {:>8}  {:>7}",
            kind, row[0], row[1], row[2], row[3]
        );
    }
    out
}
