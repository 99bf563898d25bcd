//! Field paths given to `aiw diff --exclude` and `--filter`, in the syntax
//! the diff prints them: mapping keys joined by `.` (`spec.replicas`), a key
//! with other characters quoted (`metadata.labels["app.kubernetes.io/name"]`),
//! a list item by index (`args[2]`) or by a key's value
//! (`containers[name=app]`, `[name="a b"]`), and `*` for any key or `[*]` for
//! any item.

use crate::yaml::{Map, Value};

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// A mapping key.
    Key(String),
    /// Any mapping key (`*`).
    AnyKey,
    /// A list item by position.
    Index(usize),
    /// A list item whose field `.0` has the scalar value `.1`.
    Item(String, String),
    /// Any list item (`[*]`).
    AnyItem,
}

/// A parsed field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPattern {
    steps: Vec<Step>,
}

impl FieldPattern {
    /// Parses a path; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<FieldPattern, String> {
        let bad = |why: &str| format!("field path {text:?}: {why}");
        let mut steps = Vec::new();
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(bad("empty"));
        }
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('[') {
                let (inner, tail) = split_bracket(after).ok_or_else(|| bad("unclosed ["))?;
                steps.push(bracket_step(inner).ok_or_else(|| bad("bad [...] part"))?);
                rest = tail;
            } else {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let key = &rest[..end];
                if key.is_empty() {
                    return Err(bad("empty key"));
                }
                steps.push(if key == "*" {
                    Step::AnyKey
                } else {
                    Step::Key(key.to_string())
                });
                rest = &rest[end..];
            }
            if let Some(after) = rest.strip_prefix('.') {
                if after.is_empty() || after.starts_with('.') {
                    return Err(bad("empty key"));
                }
                rest = after;
            }
        }
        Ok(FieldPattern { steps })
    }
}

/// The text inside `[...]` (quotes respected) and what follows the `]`.
fn split_bracket(s: &str) -> Option<(&str, &str)> {
    let mut in_quote = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            ']' if !in_quote => return Some((&s[..i], &s[i + 1..])),
            _ => {}
        }
    }
    None
}

/// A JSON string literal's text, or the text itself when not quoted.
fn unquote(s: &str) -> Option<String> {
    let s = s.trim();
    if s.starts_with('"') {
        serde_json::from_str::<String>(s).ok()
    } else {
        Some(s.to_string())
    }
}

fn bracket_step(inner: &str) -> Option<Step> {
    let inner = inner.trim();
    if inner == "*" {
        return Some(Step::AnyItem);
    }
    if inner.starts_with('"') {
        return unquote(inner).map(Step::Key);
    }
    if let Ok(i) = inner.parse::<usize>() {
        return Some(Step::Index(i));
    }
    let (k, v) = inner.split_once('=')?;
    let k = k.trim();
    if k.is_empty() {
        return None;
    }
    Some(Step::Item(k.to_string(), unquote(v)?))
}

/// What a list item's identity field holds, as the diff prints it.
fn item_has(item: &Value, key: &str, want: &str) -> bool {
    item.get(key)
        .and_then(Value::scalar_string)
        .is_some_and(|s| s == want)
}

/// The patterns (each the rest of its steps) that go on below mapping key
/// `k`; `Err(())` when one ends there (the whole value is matched).
fn below_key<'p>(patterns: &[&'p [Step]], k: &str) -> Result<Vec<&'p [Step]>, ()> {
    let mut out = Vec::new();
    for p in patterns {
        let matched = match p.first() {
            Some(Step::Key(key)) => key == k,
            Some(Step::AnyKey) => true,
            _ => false,
        };
        if matched {
            if p.len() == 1 {
                return Err(());
            }
            out.push(&p[1..]);
        }
    }
    Ok(out)
}

/// As [`below_key`], for item `i` of a list.
fn below_item<'p>(patterns: &[&'p [Step]], i: usize, item: &Value) -> Result<Vec<&'p [Step]>, ()> {
    let mut out = Vec::new();
    for p in patterns {
        let matched = match p.first() {
            Some(Step::Index(j)) => *j == i,
            Some(Step::Item(k, v)) => item_has(item, k, v),
            Some(Step::AnyItem) => true,
            _ => false,
        };
        if matched {
            if p.len() == 1 {
                return Err(());
            }
            out.push(&p[1..]);
        }
    }
    Ok(out)
}

/// Removes every field the patterns match (with everything below it).
pub fn exclude(value: &mut Value, patterns: &[FieldPattern]) {
    let steps: Vec<&[Step]> = patterns.iter().map(|p| p.steps.as_slice()).collect();
    prune(value, &steps);
}

fn prune(value: &mut Value, patterns: &[&[Step]]) {
    if patterns.is_empty() {
        return;
    }
    match value {
        Value::Map(m) => m.retain(|k, v| match below_key(patterns, k) {
            Err(()) => false,
            Ok(rest) => {
                prune(v, &rest);
                true
            }
        }),
        Value::Seq(items) => {
            let mut i = 0;
            items.retain_mut(|item| {
                i += 1;
                match below_item(patterns, i - 1, item) {
                    Err(()) => false,
                    Ok(rest) => {
                        prune(item, &rest);
                        true
                    }
                }
            });
        }
        _ => {}
    }
}

/// The fields that identify a resource, kept by [`filter`].
const IDENTITY: [&[&str]; 4] = [
    &["apiVersion"],
    &["kind"],
    &["metadata", "name"],
    &["metadata", "namespace"],
];

/// Keeps only the fields the patterns match (with everything below them)
/// and the resource's identity fields.
pub fn filter(value: &Value, patterns: &[FieldPattern]) -> Value {
    let identity: Vec<Vec<Step>> = IDENTITY
        .iter()
        .map(|p| p.iter().map(|k| Step::Key(k.to_string())).collect())
        .collect();
    let steps: Vec<&[Step]> = patterns
        .iter()
        .map(|p| p.steps.as_slice())
        .chain(identity.iter().map(Vec::as_slice))
        .collect();
    keep(value, &steps).unwrap_or_else(|| Value::Map(Map::new()))
}

fn keep(value: &Value, patterns: &[&[Step]]) -> Option<Value> {
    match value {
        Value::Map(m) => {
            let mut out = Map::new();
            for (k, v) in m.iter() {
                match below_key(patterns, k) {
                    Err(()) => {
                        out.insert(k.clone(), v.clone());
                    }
                    Ok(rest) if !rest.is_empty() => {
                        if let Some(kept) = keep(v, &rest) {
                            out.insert(k.clone(), kept);
                        }
                    }
                    Ok(_) => {}
                }
            }
            (!out.is_empty()).then_some(Value::Map(out))
        }
        Value::Seq(items) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match below_item(patterns, i, item) {
                    Err(()) => out.push(item.clone()),
                    Ok(rest) if !rest.is_empty() => {
                        if let Some(kept) = keep(item, &rest) {
                            out.push(kept);
                        }
                    }
                    Ok(_) => {}
                }
            }
            (!out.is_empty()).then_some(Value::Seq(out))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        crate::yaml::parse_documents(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app.kubernetes.io/name: web\n    tier: front\n  annotations:\n    a: b\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n        args: [x, y]\n      - name: side\n        image: side:1\n",
        )
        .expect("yaml")
        .remove(0)
    }

    fn pats(paths: &[&str]) -> Vec<FieldPattern> {
        paths
            .iter()
            .map(|p| FieldPattern::parse(p).expect("path"))
            .collect()
    }

    #[test]
    fn parses_the_paths_the_diff_prints() {
        let p = FieldPattern::parse(
            r#"spec.template.spec.containers[name=app].args[1].x["a.b"][*].*[k="v w"]"#,
        )
        .expect("path");
        assert_eq!(
            p.steps,
            vec![
                Step::Key("spec".into()),
                Step::Key("template".into()),
                Step::Key("spec".into()),
                Step::Key("containers".into()),
                Step::Item("name".into(), "app".into()),
                Step::Key("args".into()),
                Step::Index(1),
                Step::Key("x".into()),
                Step::Key("a.b".into()),
                Step::AnyItem,
                Step::AnyKey,
                Step::Item("k".into(), "v w".into()),
            ]
        );
        for bad in ["", "a..b", "a.", "a[", "a[=x]", "[\"x]"] {
            assert!(FieldPattern::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn exclude_removes_matched_fields() {
        let mut v = doc();
        exclude(
            &mut v,
            &pats(&[
                r#"metadata.labels["app.kubernetes.io/name"]"#,
                "metadata.annotations",
                "spec.template.spec.containers[name=side]",
                "spec.template.spec.containers[*].args[0]",
            ]),
        );
        let want = crate::yaml::parse_documents(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    tier: front\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n        args: [y]\n",
        )
        .expect("yaml")
        .remove(0);
        assert_eq!(v, want);
    }

    #[test]
    fn filter_keeps_matched_fields_and_the_identity() {
        let v = filter(
            &doc(),
            &pats(&["spec.replicas", "spec.template.spec.containers[*].image"]),
        );
        let want = crate::yaml::parse_documents(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - image: app:1\n      - image: side:1\n",
        )
        .expect("yaml")
        .remove(0);
        assert_eq!(v, want);
    }
}
