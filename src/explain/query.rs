//! Choosing what to explain: a resource (`KIND/NAME`, `GROUP/KIND/NAME`,
//! `KIND/NAMESPACE/NAME`, by its output or its original name) and a field
//! (a path in `aiw diff`'s notation), and listing a resource's fields with
//! their paths and trails.

use crate::diff::{identity_scalar, item_key, push_index, push_item, push_key};
use crate::error::{Error, Result};
use crate::resource::Resource;
use crate::yaml::{Value, natural_less};

use super::trail::{Kids, Node};

/// A `RESOURCE` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceQuery {
    /// The text as given.
    pub text: String,
    /// Ways to read it: (group, kind, namespace, name), `None` for "any".
    readings: Vec<(Option<String>, String, Option<String>, String)>,
}

impl ResourceQuery {
    /// Parses `KIND/NAME`, `GROUP/KIND/NAME`, `KIND/NAMESPACE/NAME` or
    /// `GROUP/KIND/NAMESPACE/NAME` (three parts are read both ways).
    pub fn parse(text: &str) -> Result<ResourceQuery> {
        let parts: Vec<&str> = text.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) || !(2..=4).contains(&parts.len()) {
            return Err(Error::msg(format!(
                "resource {text:?}: expected KIND/NAME, GROUP/KIND/NAME or KIND/NAMESPACE/NAME"
            )));
        }
        let s = |x: &str| x.to_string();
        let readings = match parts.as_slice() {
            [k, n] => vec![(None, s(k), None, s(n))],
            [a, b, n] => vec![
                (Some(s(a)), s(b), None, s(n)),
                (None, s(a), Some(s(b)), s(n)),
            ],
            [g, k, ns, n] => vec![(Some(s(g)), s(k), Some(s(ns)), s(n))],
            _ => Vec::new(),
        };
        Ok(ResourceQuery {
            text: text.to_string(),
            readings,
        })
    }

    /// True when `r` is meant: kind (any case), group and namespace when
    /// given, and its output name or any name it had before.
    pub fn matches(&self, r: &Resource) -> bool {
        let gvk = r.gvk();
        let names = std::iter::once(r.name()).chain(r.prev_ids.iter().map(|p| p.name.as_str()));
        let names: Vec<&str> = names.collect();
        self.readings.iter().any(|(group, kind, ns, name)| {
            gvk.kind.eq_ignore_ascii_case(kind)
                && group.as_ref().is_none_or(|g| {
                    *g == gvk.group || (gvk.group.is_empty() && (g == "core" || g == "v1"))
                })
                && ns.as_ref().is_none_or(|n| n == r.namespace())
                && names.contains(&name.as_str())
        })
    }

    /// The one resource of `resources` meant; an error naming the
    /// candidates when there are none or several.
    pub fn find<'r>(&self, resources: &'r [Resource]) -> Result<&'r Resource> {
        let found: Vec<&Resource> = resources.iter().filter(|r| self.matches(r)).collect();
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::msg(format!(
                "no resource {} in the output",
                self.text
            ))),
            many => Err(Error::msg(format!(
                "resource {} is ambiguous: {}; add the group or namespace (GROUP/KIND/NAME, KIND/NAMESPACE/NAME)",
                self.text,
                many.iter()
                    .map(|r| r.id().readable())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// `.key` or `["key"]`.
    Key(String),
    /// `[3]`.
    Index(usize),
    /// `[name=value]`: the list item whose `name` is `value`.
    Item(String, String),
}

/// Parses a field path in `aiw diff`'s notation:
/// `spec.template.spec.containers[name=api].image`,
/// `metadata.labels["app.kubernetes.io/name"]`, `envFrom[0]`.
pub fn parse_field(text: &str) -> Result<Vec<Segment>> {
    let bad = |why: &str| Error::msg(format!("field {text:?}: {why}"));
    let mut out = Vec::new();
    let mut rest = text;
    let mut first = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let (seg, after) = bracket(r).ok_or_else(|| bad("unclosed or malformed [...]"))?;
            out.push(seg);
            rest = after;
        } else {
            if !first {
                rest = rest
                    .strip_prefix('.')
                    .ok_or_else(|| bad("expected '.' or '[' between parts"))?;
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            if end == 0 {
                return Err(bad("empty part"));
            }
            if rest[..end].contains([']', '"']) {
                return Err(bad("a key with `]` or `\"` must be quoted: [\"key\"]"));
            }
            out.push(Segment::Key(rest[..end].to_string()));
            rest = &rest[end..];
        }
        first = false;
    }
    if out.is_empty() {
        return Err(bad("empty path"));
    }
    Ok(out)
}

/// A quoted string at the start of `s` (JSON escapes): its text and the rest.
fn quoted(s: &str) -> Option<(String, &str)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => {
                let text: String = serde_json::from_str(&s[..=i]).ok()?;
                return Some((text, &s[i + 1..]));
            }
            _ => i += 1,
        }
    }
    None
}

/// The inside of `[...]` (after the `[`): a segment and the rest after `]`.
fn bracket(s: &str) -> Option<(Segment, &str)> {
    if let Some((key, rest)) = quoted(s) {
        return Some((Segment::Key(key), rest.strip_prefix(']')?));
    }
    if let Some(eq) = s.find('=')
        && s.find(']').is_some_and(|close| eq < close)
    {
        let key = s[..eq].to_string();
        let after = &s[eq + 1..];
        let (value, rest) = match quoted(after) {
            Some((v, r)) => (v, r),
            None => {
                let close = after.find(']')?;
                (after[..close].to_string(), &after[close..])
            }
        };
        return Some((Segment::Item(key, value), rest.strip_prefix(']')?));
    }
    let close = s.find(']')?;
    let i = s[..close].trim().parse().ok()?;
    Some((Segment::Index(i), &s[close + 1..]))
}

/// One field (a scalar or an empty collection) of a resource.
#[derive(Clone, Debug)]
pub struct Field<'r> {
    /// Its path, as `aiw diff` writes it.
    pub path: String,
    /// Its value.
    pub value: &'r Value,
    /// Its history, when the resource has a trail.
    pub node: Option<&'r Node>,
    /// True for Secret data (`data`, `stringData`, a last-applied
    /// configuration annotation of a Secret), masked in output.
    pub secret: bool,
    /// The indices leading to it (entry indices in the value's mappings);
    /// kept by [`select`] only.
    steps: Vec<usize>,
}

/// An annotation that may hold a copy of a whole object (and so its
/// Secret values).
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Where a walk is, for telling Secret data.
#[derive(Clone, Copy, PartialEq)]
enum Secretish {
    /// Not in a Secret, or in nothing that holds its data.
    No,
    /// At the top of a Secret.
    Top,
    /// In a Secret's `metadata`.
    Metadata,
    /// In a Secret's `metadata.annotations`.
    Annotations,
    /// In Secret data.
    Data,
}

impl Secretish {
    fn below(self, key: Option<&str>) -> Secretish {
        match (self, key) {
            (Secretish::Top, Some("data" | "stringData")) => Secretish::Data,
            (Secretish::Top, Some("metadata")) => Secretish::Metadata,
            (Secretish::Metadata, Some("annotations")) => Secretish::Annotations,
            (Secretish::Annotations, Some(LAST_APPLIED)) => Secretish::Data,
            (Secretish::Data, _) => Secretish::Data,
            _ => Secretish::No,
        }
    }
}

/// The child of a trail node matching entry `i` (key `key`) of a mapping.
fn map_kid<'n>(node: Option<&'n Node>, i: usize, key: &str) -> Option<&'n Node> {
    match &node?.kids {
        Kids::Map(kids) => match kids.get(i) {
            Some((k, n)) if k == key => Some(n),
            _ => kids.iter().find(|(k, _)| k == key).map(|(_, n)| n),
        },
        _ => None,
    }
}

fn seq_kid(node: Option<&Node>, i: usize, len: usize) -> Option<&Node> {
    match &node?.kids {
        Kids::Seq(kids) if kids.len() == len => kids.get(i),
        _ => None,
    }
}

/// Every field of `value` in output order (mapping keys as the YAML output
/// sorts them), with its path and its node of `trail`.
pub fn fields<'r>(value: &'r Value, trail: Option<&'r Node>) -> Vec<Field<'r>> {
    walk_fields(value, trail, false)
}

fn walk_fields<'r>(value: &'r Value, trail: Option<&'r Node>, keep_steps: bool) -> Vec<Field<'r>> {
    let mut w = Walk {
        out: Vec::new(),
        path: String::new(),
        steps: Vec::new(),
        keep_steps,
    };
    let secret = if value.get("kind").and_then(Value::as_str) == Some("Secret") {
        Secretish::Top
    } else {
        Secretish::No
    };
    w.walk(value, trail, secret);
    w.out
}

/// The state of a [`fields`] walk.
struct Walk<'r> {
    out: Vec<Field<'r>>,
    path: String,
    steps: Vec<usize>,
    keep_steps: bool,
}

impl<'r> Walk<'r> {
    fn walk(&mut self, v: &'r Value, node: Option<&'r Node>, secret: Secretish) {
        walk(v, node, secret, self)
    }
}

fn walk<'r>(v: &'r Value, node: Option<&'r Node>, secret: Secretish, w: &mut Walk<'r>) {
    match v {
        Value::Map(m) if !m.is_empty() => {
            let mut order: Vec<usize> = (0..m.len()).collect();
            let entries = m.entries();
            order.sort_by(|&a, &b| {
                let (x, y) = (&entries[a].0, &entries[b].0);
                if natural_less(x, y) {
                    std::cmp::Ordering::Less
                } else if natural_less(y, x) {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            });
            for i in order {
                let (k, cv) = &entries[i];
                let len = w.path.len();
                push_key(&mut w.path, k);
                w.steps.push(i);
                walk(cv, map_kid(node, i, k), secret.below(Some(k)), w);
                w.steps.pop();
                w.path.truncate(len);
            }
        }
        Value::Seq(items) if !items.is_empty() => {
            let key = item_key(items, items);
            for (i, cv) in items.iter().enumerate() {
                let len = w.path.len();
                match key.and_then(|k| cv.get(k).and_then(identity_scalar).map(|s| (k, s))) {
                    Some((k, s)) => push_item(&mut w.path, k, &s),
                    None => push_index(&mut w.path, i),
                }
                w.steps.push(i);
                walk(cv, seq_kid(node, i, items.len()), secret.below(None), w);
                w.steps.pop();
                w.path.truncate(len);
            }
        }
        _ => {
            let steps = if w.keep_steps {
                w.steps.clone()
            } else {
                Vec::new()
            };
            w.out.push(Field {
                path: w.path.clone(),
                value: v,
                node,
                secret: secret == Secretish::Data,
                steps,
            })
        }
    }
}

/// The fields at or below the path `segments` of `value` (an error naming
/// the field when there is none).
pub fn select<'r>(
    value: &'r Value,
    trail: Option<&'r Node>,
    segments: &[Segment],
    text: &str,
) -> Result<Vec<Field<'r>>> {
    let mut at = Vec::new();
    let mut cur = value;
    for seg in segments {
        let (i, next) = match (seg, cur) {
            (Segment::Key(k), Value::Map(m)) => m
                .entries()
                .iter()
                .enumerate()
                .find(|(_, (e, _))| e == k)
                .map(|(i, (_, v))| (i, v)),
            (Segment::Index(i), Value::Seq(items)) => items.get(*i).map(|v| (*i, v)),
            (Segment::Item(k, want), Value::Seq(items)) => {
                items.iter().enumerate().find(|(_, it)| {
                    it.get(k)
                        .and_then(identity_scalar)
                        .is_some_and(|s| s == *want)
                })
            }
            _ => None,
        }
        .ok_or_else(|| Error::msg(format!("no field {text} in the resource")))?;
        at.push(i);
        cur = next;
    }
    Ok(walk_fields(value, trail, true)
        .into_iter()
        .filter(|f| f.steps.starts_with(&at))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_parse_as_diff_writes_them() {
        use Segment::*;
        let k = |s: &str| Key(s.into());
        assert_eq!(
            parse_field("spec.template.spec.containers[name=api].image").unwrap(),
            [
                k("spec"),
                k("template"),
                k("spec"),
                k("containers"),
                Item("name".into(), "api".into()),
                k("image")
            ]
        );
        assert_eq!(
            parse_field("metadata.labels[\"app.kubernetes.io/name\"]").unwrap(),
            [k("metadata"), k("labels"), k("app.kubernetes.io/name")]
        );
        assert_eq!(parse_field("envFrom[0]").unwrap(), [k("envFrom"), Index(0)]);
        assert_eq!(
            parse_field("[\"a b\"][name=\"x]y\"]").unwrap(),
            [k("a b"), Item("name".into(), "x]y".into())]
        );
        for bad in ["", "a..b", "a[", "a[x", "a.[0]x", "a]"] {
            assert!(parse_field(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_follow_the_output_order_and_name_keyed_items() {
        let v = Value::from(serde_json::json!({
            "spec": {"containers": [{"name": "app", "args": ["a", "b"]}], "b": {}},
            "metadata": {"labels": {"app.kubernetes.io/name": "x"}}
        }));
        let paths: Vec<String> = fields(&v, None).into_iter().map(|f| f.path).collect();
        assert_eq!(
            paths,
            [
                "metadata.labels[\"app.kubernetes.io/name\"]",
                "spec.b",
                "spec.containers[name=app].args[0]",
                "spec.containers[name=app].args[1]",
                "spec.containers[name=app].name",
            ]
        );
        let sel = select(
            &v,
            None,
            &parse_field("spec.containers[0]").unwrap(),
            "spec.containers[0]",
        )
        .unwrap();
        assert_eq!(sel.len(), 3);
        assert!(select(&v, None, &parse_field("spec.x").unwrap(), "spec.x").is_err());
    }

    #[test]
    fn resources_are_found_by_kind_group_namespace_and_either_name() {
        let mut r = Resource::new(Value::from(serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "prod"}
        })));
        r.store_previous_id();
        r.set_name("p-web");
        let found = |q: &str| ResourceQuery::parse(q).unwrap().matches(&r);
        assert!(found("Deployment/web"));
        assert!(found("deployment/p-web"));
        assert!(found("apps/Deployment/web"));
        assert!(found("Deployment/prod/web"));
        assert!(found("apps/Deployment/prod/p-web"));
        assert!(!found("Service/web"));
        assert!(!found("Deployment/dev/web"));
        assert!(!found("batch/Deployment/web"));
        assert!(ResourceQuery::parse("web").is_err());
        assert!(ResourceQuery::parse("a//b").is_err());
    }
}
