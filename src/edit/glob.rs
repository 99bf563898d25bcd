//! Go's `filepath.Glob` and `filepath.Match`, which `kustomize edit` uses to
//! expand `add resource 'k8s/*.yaml'` and to match `remove resource`
//! patterns: `*` (any run of characters but `/`), `?`, `[a-z]` and `[^a-z]`
//! classes and `\` escapes; matches sorted by name within each directory,
//! hidden files included, written the way the pattern is written.

use std::path::Path;

/// A malformed pattern (Go's `ErrBadPattern`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPattern;

impl std::fmt::Display for BadPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("syntax error in pattern")
    }
}

/// True when `s` contains a glob metacharacter.
pub fn has_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '\\'])
}

/// Whether `name` matches all of `pattern` (Go's `filepath.Match`).
pub fn matches(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> Result<bool, BadPattern> {
    let (mut pi, mut ni) = (0, 0);
    // Backtracking point for the last `*`: (pattern index after it, name index).
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    pi += 1;
                    star = Some((pi, ni));
                    continue;
                }
                c => {
                    if ni < n.len() {
                        let (ok, next) = match c {
                            '?' => (n[ni] != '/', pi + 1),
                            '[' => class(p, pi, n[ni])?,
                            '\\' => {
                                let e = *p.get(pi + 1).ok_or(BadPattern)?;
                                (e == n[ni], pi + 2)
                            }
                            _ => (c == n[ni], pi + 1),
                        };
                        if ok {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    }
                }
            }
        } else if ni == n.len() {
            return Ok(true);
        }
        // Mismatch: let the last star take one more character (never `/`).
        match star {
            Some((sp, sn)) if sn < n.len() && n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp;
                ni = sn + 1;
            }
            _ => {
                // Go still reports a malformed rest of the pattern.
                check_rest(&p[pi.min(p.len())..])?;
                return Ok(false);
            }
        }
    }
}

/// Reports a malformed class or escape in the rest of a pattern.
fn check_rest(p: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '[' => i = class(p, i, '\0')?.1,
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(BadPattern);
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Matches `c` against the class starting at `p[start] == '['`: (matched,
/// index after the class), as Go's `matchChunk` parses it.
fn class(p: &[char], start: usize, c: char) -> Result<(bool, usize), BadPattern> {
    let mut i = start + 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut ranges = 0;
    loop {
        if p.get(i) == Some(&']') && ranges > 0 {
            i += 1;
            break;
        }
        let lo = class_char(p, &mut i)?;
        let mut hi = lo;
        if p.get(i) == Some(&'-') {
            i += 1;
            hi = class_char(p, &mut i)?;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
        ranges += 1;
    }
    Ok((matched != negated, i))
}

/// Go's `getEsc`: one class character, `\`-escaped or not; `-` and `]`
/// must be escaped, and the class must go on after it.
fn class_char(p: &[char], i: &mut usize) -> Result<char, BadPattern> {
    let mut ch = *p.get(*i).ok_or(BadPattern)?;
    if ch == '-' || ch == ']' {
        return Err(BadPattern);
    }
    if ch == '\\' {
        *i += 1;
        ch = *p.get(*i).ok_or(BadPattern)?;
    }
    *i += 1;
    if *i >= p.len() {
        return Err(BadPattern);
    }
    Ok(ch)
}

/// The paths matching `pattern`, relative to `base` (Go's `filepath.Glob`
/// run in `base`): a pattern without metacharacters matches itself when it
/// exists.
pub fn glob(base: &Path, pattern: &str) -> Result<Vec<String>, BadPattern> {
    let exists = |p: &str| std::fs::symlink_metadata(base.join(p)).is_ok();
    if !has_meta(pattern) {
        return Ok(if exists(pattern) {
            vec![pattern.to_string()]
        } else {
            Vec::new()
        });
    }
    let (dir, file) = match pattern.rfind('/') {
        Some(i) => (&pattern[..i + 1], &pattern[i + 1..]),
        None => ("", pattern),
    };
    // Go's Split keeps the separator on dir; Clean drops it (except "/").
    let dir_clean = if dir.len() > 1 {
        dir.trim_end_matches('/')
    } else {
        dir
    };
    let dirs = if dir_clean.is_empty() {
        vec![String::new()]
    } else if has_meta(dir_clean) {
        glob(base, dir_clean)?
    } else {
        vec![dir_clean.to_string()]
    };
    // Check the file pattern once, as Go does.
    matches(file, "")?;
    let mut out = Vec::new();
    for d in dirs {
        let read = if d.is_empty() {
            base.to_path_buf()
        } else {
            base.join(&d)
        };
        let Ok(entries) = std::fs::read_dir(&read) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        for name in names {
            if matches(file, &name)? {
                out.push(if d.is_empty() {
                    name
                } else if d.ends_with('/') {
                    format!("{}{}", d, name)
                } else {
                    format!("{}/{}", d, name)
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_match_cases() {
        // Cases from Go's filepath match tests.
        let ok = |p, n| matches(p, n).unwrap();
        assert!(ok("abc", "abc"));
        assert!(ok("*", "abc"));
        assert!(ok("*c", "abc"));
        assert!(!ok("a*", "ab/c"));
        assert!(ok("a*/b", "abc/b"));
        assert!(ok("a*b*c*d*e*/f", "axbxcxdxe/f"));
        assert!(!ok("a*b?c*x", "abxbbxdbxebxczzy"));
        assert!(ok("ab[c]", "abc"));
        assert!(ok("ab[b-d]", "abc"));
        assert!(!ok("ab[^c]", "abc"));
        assert!(ok("ab[^e-g]", "abc"));
        assert!(ok("a\\*b", "a*b"));
        assert!(!ok("a?b", "a/b"));
        assert!(ok("[\\-]", "-"));
        assert!(ok("*.yaml", ".hidden.yaml"));
        assert_eq!(matches("[", "a"), Err(BadPattern));
        assert_eq!(matches("a[", "a"), Err(BadPattern));
        assert_eq!(matches("[a-", "a"), Err(BadPattern));
        assert_eq!(matches("*x[", "ab"), Err(BadPattern));
    }

    #[test]
    fn globs_relative_to_the_base() {
        let d = tempfile::tempdir().unwrap();
        for f in ["b.yaml", "a.yaml", "c.txt", "sub/x.yaml"] {
            let p = d.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        assert_eq!(glob(d.path(), "*.yaml").unwrap(), ["a.yaml", "b.yaml"]);
        assert_eq!(glob(d.path(), "*/*.yaml").unwrap(), ["sub/x.yaml"]);
        assert_eq!(glob(d.path(), "sub").unwrap(), ["sub"]);
        assert!(glob(d.path(), "nope.yaml").unwrap().is_empty());
    }
}
