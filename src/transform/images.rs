//! kustomize's ImageTagTransformer (`images:`).

use regex::Regex;

use crate::error::Result;
use crate::fieldspec::{
    FieldSpec, NodeStep, apply_specs, node_at_mut, scalar_text, spec_error, trace_specs,
    wrong_kind_error,
};
use crate::resource::Resource;
use crate::transform::check_scalar;
use crate::yaml::Value;

/// One `images:` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageSpec {
    /// `name`: the image name to match (without tag or digest).
    pub name: String,
    /// `newName`: replaces the name.
    pub new_name: String,
    /// `newTag`: replaces the tag (and drops a digest).
    pub new_tag: String,
    /// `digest`: replaces the digest (and drops the tag unless `newTag`).
    pub digest: String,
    /// `tagSuffix`: appended to the tag.
    pub tag_suffix: String,
}

/// Splits an image reference into name, tag and digest as kustomize does:
/// the first `@` or `:` after the first `/` (if any) starts the tag/digest.
pub fn split_image(image: &str) -> (String, String, String) {
    let slash = match image.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let search = &image[slash..];
    let at = search.find('@').map(|a| a + slash);
    let colon = search.find(':').map(|c| c + slash);
    match (colon, at) {
        // digest only: an `@` before any `:`
        (c, Some(a)) if c.is_none_or(|c| a < c) => (
            image[..a].to_string(),
            String::new(),
            image[a + 1..].to_string(),
        ),
        (Some(c), Some(a)) => (
            image[..c].to_string(),
            image[c + 1..a].to_string(),
            image[a + 1..].to_string(),
        ),
        (Some(c), None) => (
            image[..c].to_string(),
            image[c + 1..].to_string(),
            String::new(),
        ),
        _ => (image.to_string(), String::new(), String::new()),
    }
}

/// How an image name is matched.
enum Pattern {
    /// A name without regex syntax but `.` (any character but a newline),
    /// matched without compiling a regex.
    Dotted,
    /// The compiled pattern.
    Regex(Regex),
    /// Not a valid pattern: nothing matches.
    Invalid,
}

/// True when the tail after an image name is what kustomize's pattern
/// accepts there: `(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?`.
fn tag_and_digest_ok(rest: &str) -> bool {
    let class = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '{' | '}' | '-');
    let mut rest = rest;
    if let Some(r) = rest.strip_prefix(':') {
        rest = r.trim_start_matches(class);
    }
    if let Some(r) = rest.strip_prefix("@sha256:") {
        rest = r.trim_start_matches(class);
    }
    rest.is_empty()
}

/// An image entry ready to apply: the spec plus its name pattern.
struct Updater<'a> {
    spec: &'a ImageSpec,
    pattern: Pattern,
    /// The name is ASCII: its characters are its bytes.
    ascii_name: bool,
}

impl<'a> Updater<'a> {
    fn new(spec: &'a ImageSpec) -> Self {
        // kustomize uses the name as a regular expression, unescaped.
        let pattern = if crate::selector::is_dotted_literal(&spec.name) {
            Pattern::Dotted
        } else {
            match Regex::new(&format!(
                "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
                spec.name
            )) {
                Ok(r) => Pattern::Regex(r),
                Err(_) => Pattern::Invalid,
            }
        };
        let ascii_name = spec.name.is_ascii();
        Updater {
            spec,
            pattern,
            ascii_name,
        }
    }

    fn matches(&self, value: &str) -> bool {
        match &self.pattern {
            Pattern::Dotted => {
                // Most images are ASCII: then the name's characters are its
                // bytes, and a byte comparison (`.` matching any byte but a
                // line break) rejects at the first difference.
                let (name, v) = (self.spec.name.as_bytes(), value.as_bytes());
                if self.ascii_name && v.len() < name.len() {
                    // Fewer bytes, so fewer characters, than the name has.
                    return false;
                }
                if self.ascii_name && v[..name.len()].is_ascii() {
                    let same = name
                        .iter()
                        .zip(v)
                        .all(|(&w, &c)| w == c || (w == b'.' && c != b'\n'));
                    return same && tag_and_digest_ok(&value[name.len()..]);
                }
                // The name has a fixed length in characters, so the split
                // between name and tail is known.
                let n = self.spec.name.chars().count();
                let split = value.char_indices().nth(n).map_or(value.len(), |(i, _)| i);
                crate::selector::dotted_matches(&self.spec.name, &value[..split])
                    && tag_and_digest_ok(&value[split..])
            }
            Pattern::Regex(r) => r.is_match(value),
            Pattern::Invalid => false,
        }
    }

    fn update(&self, node: &mut Value) -> Result<()> {
        check_scalar(node)?;
        let value: std::borrow::Cow<'_, str> = match &*node {
            Value::String(s) => std::borrow::Cow::Borrowed(s),
            other => match scalar_text(other) {
                Some(t) => std::borrow::Cow::Owned(t),
                None => return Ok(()),
            },
        };
        if !self.matches(&value) {
            return Ok(());
        }
        let (mut name, mut tag, mut digest) = split_image(&value);
        let s = self.spec;
        if !s.new_name.is_empty() {
            name = s.new_name.clone();
        }
        if !s.new_tag.is_empty() && !s.digest.is_empty() {
            tag = s.new_tag.clone();
            digest = s.digest.clone();
        } else if !s.new_tag.is_empty() {
            tag = s.new_tag.clone();
            digest.clear();
        } else if !s.digest.is_empty() {
            tag.clear();
            digest = s.digest.clone();
        } else if !s.tag_suffix.is_empty() {
            tag.push_str(&s.tag_suffix);
            digest.clear();
        }
        if !tag.is_empty() {
            name.push(':');
            name.push_str(&tag);
        }
        if !digest.is_empty() {
            name.push('@');
            name.push_str(&digest);
        }
        *node = Value::String(name);
        Ok(())
    }

    /// The legacy pass: every `containers`/`initContainers` sequence anywhere
    /// in the object.
    fn walk(&self, node: &mut Value) -> Result<()> {
        match node {
            Value::Map(m) => {
                for (key, value) in m.iter_mut() {
                    self.walk(value)?;
                    if key == "containers" || key == "initContainers" {
                        self.containers(value)?;
                    }
                }
                Ok(())
            }
            Value::Seq(items) => {
                for item in items.iter_mut() {
                    self.walk(item)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn containers(&self, list: &mut Value) -> Result<()> {
        let Value::Seq(items) = list else {
            return Ok(());
        };
        for item in items.iter_mut() {
            match item {
                Value::Null(_) => {}
                Value::Map(m) => {
                    if let Some(image) = m.get_mut("image") {
                        self.update(image)?;
                    }
                }
                other => return Err(wrong_kind_error("MappingNode", other)),
            }
        }
        Ok(())
    }
}

/// The `images` entries as [`set_images_all`] applies them, to tell which
/// one last changed an image (for `aiw explain`).
pub(crate) struct ImageEntries<'a>(Vec<Updater<'a>>);

impl<'a> ImageEntries<'a> {
    /// The entries of a kustomization's `images`.
    pub(crate) fn new(images: &'a [ImageSpec]) -> Self {
        ImageEntries(images.iter().map(Updater::new).collect())
    }

    /// The index of the last entry that changes the image `old` when the
    /// entries are applied to it in order.
    pub(crate) fn last_to_change(&self, old: &Value) -> Option<usize> {
        let mut v = old.clone();
        let mut last = None;
        for (i, u) in self.0.iter().enumerate() {
            let before = v.clone();
            if u.update(&mut v).is_ok() && v != before {
                last = Some(i);
            }
        }
        last
    }
}

fn is_crd(r: &Resource) -> bool {
    r.kind() == "CustomResourceDefinition"
}

/// Applies one `images:` entry to every resource but CRDs, as kustomize
/// does: first to the `image` of every `containers`/`initContainers` item
/// anywhere in the object, then to the fields `specs` select (the `images`
/// specs; never created). An image matches when it is the entry's `name`
/// (used as a regular expression) optionally followed by `:tag` and/or
/// `@sha256:digest`. Both passes apply, so a `tagSuffix` can land twice, as it
/// does in kustomize.
pub fn set_images(
    resources: &mut [Resource],
    image: &ImageSpec,
    specs: &[FieldSpec],
) -> Result<()> {
    let updater = Updater::new(image);
    for r in resources.iter_mut() {
        if is_crd(r) {
            continue;
        }
        updater.walk(&mut r.value)?;
    }
    for r in resources.iter_mut() {
        if is_crd(r) {
            continue;
        }
        apply_specs(&mut r.value, specs, None, &mut |n| updater.update(n))?;
    }
    // Image updates give the same value wherever they write: a shared node
    // written anywhere takes it everywhere.
    sync_aliases(resources, specs);
    Ok(())
}

/// What the legacy `containers`/`initContainers` pass meets, in its order:
/// an `image` field to update (its path, a range of the steps), or an item
/// that is not a mapping (an error).
enum Visit {
    Image(std::ops::Range<usize>),
    NotAMapping(Value),
}

/// What the field-spec pass meets, in its order: a node to update (the
/// index of its spec, and its path, a range of the steps), or a walk error
/// (which ends the pass).
enum SpecVisit {
    Node(usize, std::ops::Range<usize>),
    Fails(usize, crate::error::Error),
}

/// Records, in [`Updater::walk`]'s order, the image fields it would update
/// and the errors it would meet (the same for every image entry: updating an
/// image changes no structure). Paths go to `steps`.
fn collect_visits(
    node: &Value,
    path: &mut Vec<NodeStep>,
    steps: &mut Vec<NodeStep>,
    out: &mut Vec<Visit>,
) {
    match node {
        Value::Map(m) => {
            for (i, (key, value)) in m.iter().enumerate() {
                let containers = key == "containers" || key == "initContainers";
                // A scalar holds nothing to visit.
                if !containers && !is_collection(value) {
                    continue;
                }
                path.push(NodeStep::Entry(i));
                collect_visits(value, path, steps, out);
                if containers && let Value::Seq(items) = value {
                    for (j, item) in items.iter().enumerate() {
                        match item {
                            Value::Null(_) => {}
                            Value::Map(c) => {
                                if let Some(at) = c.keys().position(|k| k == "image") {
                                    let start = steps.len();
                                    steps.extend_from_slice(path);
                                    steps.push(NodeStep::Item(j));
                                    steps.push(NodeStep::Entry(at));
                                    out.push(Visit::Image(start..steps.len()));
                                }
                            }
                            other => {
                                out.push(Visit::NotAMapping(other.clone()));
                                // The walk stops at the first error.
                                path.pop();
                                return;
                            }
                        }
                    }
                }
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                if is_collection(item) {
                    path.push(NodeStep::Item(i));
                    collect_visits(item, path, steps, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// True for a mapping or a sequence.
fn is_collection(v: &Value) -> bool {
    matches!(v, Value::Map(_) | Value::Seq(_))
}

/// Applies every `images:` entry in order, with the same result (and the
/// same first error) as calling [`set_images`] for each in turn, but finding
/// each resource's image fields once instead of walking the whole object
/// (and every field spec) once per entry.
///
/// Updating an image only rewrites a scalar into a string, which changes
/// what no walk meets (a scalar in the middle of a path is an error either
/// way), unless an entry matches the text `null` (a `null` node ends a walk
/// silently, a string does not) or a spec may change the object's GVK (which
/// selects the specs): then the field specs are walked once per entry.
pub fn set_images_all(
    resources: &mut [Resource],
    images: &[ImageSpec],
    specs: &[FieldSpec],
) -> Result<()> {
    if images.is_empty() {
        return Ok(());
    }
    let updaters: Vec<Updater> = images.iter().map(Updater::new).collect();
    let trace = !updaters.iter().any(|u| u.matches("null"));
    // The first error in the order of one-entry-at-a-time runs: by entry,
    // then pass (containers, then field specs), then resource.
    let first_error =
        crate::workers::map_parts(resources, crate::transform::PARALLEL_MIN, |offset, part| {
            set_images_part(part, offset, &updaters, trace, specs)
        })
        .into_iter()
        .flatten()
        .min_by_key(|(at, _)| *at);
    match first_error {
        Some((_, err)) => Err(err),
        None => {
            // As in `set_images`: shared nodes written take the value everywhere.
            sync_aliases(resources, specs);
            Ok(())
        }
    }
}

/// Passes image updates written into shared nodes to their aliases: the
/// field-spec pass, and the `image` fields of the containers pass.
fn sync_aliases(resources: &mut [Resource], specs: &[FieldSpec]) {
    let paths = specs.iter().map(|s| s.path.as_str());
    crate::alias::sync_keys(resources, paths.chain(std::iter::once("image")));
}

/// The first error's position in one-entry-at-a-time order (entry, pass,
/// resource) and the error.
type ImageError = ((usize, u8, usize), crate::error::Error);

/// [`set_images_all`] on `resources`, the first of which is resource
/// `offset` of the whole list; the first error in one-entry-at-a-time order.
fn set_images_part(
    resources: &mut [Resource],
    offset: usize,
    updaters: &[Updater],
    trace: bool,
    specs: &[FieldSpec],
) -> Option<ImageError> {
    let mut first_error: Option<ImageError> = None;
    let mut visits = Vec::new();
    let mut spec_visits = Vec::new();
    let mut steps = Vec::new();
    let mut path = Vec::new();
    for (i, r) in resources.iter_mut().enumerate() {
        let pos = offset + i;
        if is_crd(r) {
            continue;
        }
        visits.clear();
        spec_visits.clear();
        steps.clear();
        collect_visits(&r.value, &mut path, &mut steps, &mut visits);
        // The field-spec pass, walked once (`None`: once per entry).
        let traced = if trace {
            let mut record = |spec: usize, trail: &[NodeStep]| {
                let start = steps.len();
                steps.extend_from_slice(trail);
                spec_visits.push(SpecVisit::Node(spec, start..steps.len()));
            };
            match trace_specs(&mut r.value, specs, &mut record) {
                None => false,
                Some(Ok(())) => true,
                Some(Err((spec, e))) => {
                    spec_visits.push(SpecVisit::Fails(spec, e));
                    true
                }
            }
        } else {
            false
        };
        let failed = 'entries: {
            for (e, u) in updaters.iter().enumerate() {
                for v in &visits {
                    let res = match v {
                        Visit::Image(p) => match node_at_mut(&mut r.value, &steps[p.clone()]) {
                            Some(node) => u.update(node),
                            None => Ok(()),
                        },
                        Visit::NotAMapping(item) => Err(wrong_kind_error("MappingNode", item)),
                    };
                    if let Err(err) = res {
                        break 'entries Some(((e, 0, pos), err));
                    }
                }
                if !traced {
                    if let Err(err) = apply_specs(&mut r.value, specs, None, &mut |n| u.update(n)) {
                        break 'entries Some(((e, 1, pos), err));
                    }
                    continue;
                }
                for v in &spec_visits {
                    let (spec, err) = match v {
                        SpecVisit::Node(spec, p) => {
                            match node_at_mut(&mut r.value, &steps[p.clone()]).map(|n| u.update(n))
                            {
                                Some(Err(err)) => (*spec, err),
                                _ => continue,
                            }
                        }
                        SpecVisit::Fails(spec, err) => (*spec, err.clone()),
                    };
                    let err = spec_error(&r.value, &specs[spec], err);
                    break 'entries Some(((e, 1, pos), err));
                }
            }
            None
        };
        if let Some((at, err)) = failed
            && first_error.as_ref().is_none_or(|(best, _)| at < *best)
        {
            first_error = Some((at, err));
        }
    }
    first_error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fieldspec::default_config;
    use crate::transform::testutil::{res, vals, values};
    use serde_json::json;

    #[test]
    fn all_entries_at_once_equal_one_at_a_time() {
        let docs = vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {
                    "initContainers": [{"name": "i", "image": "busybox:1.0"}],
                    "containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx:1"},
                        {"name": "c"}, null]}}}}),
            json!({"apiVersion": "ex.com/v1", "kind": "Foo", "metadata": {"name": "f"},
                "spec": {"jobs": [{"containers": [{"image": "nginx"}]}], "containers": null}}),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "a", "image": "other/nginx:1"}]}}),
        ];
        let entries = [
            ImageSpec {
                new_name: "other/nginx".into(),
                ..img("nginx")
            },
            ImageSpec {
                tag_suffix: "-x".into(),
                ..img("other/nginx")
            },
            ImageSpec {
                new_tag: "2".into(),
                ..img("busy.ox")
            },
            ImageSpec {
                digest: "sha256:ff".into(),
                ..img("other/ng.*")
            },
        ];
        let specs = &default_config().images;
        let mut one = res(docs.clone());
        for e in &entries {
            set_images(&mut one, e, specs).unwrap();
        }
        let mut all = res(docs);
        set_images_all(&mut all, &entries, specs).unwrap();
        assert_eq!(values(&all), values(&one));
        // The same first error: an item that is not a mapping.
        let bad = vec![
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "a", "image": "nginx"}, "x"]}}),
        ];
        let mut one = res(bad.clone());
        let e1 = entries
            .iter()
            .try_for_each(|e| set_images(&mut one, e, specs))
            .unwrap_err();
        let mut all = res(bad);
        let e2 = set_images_all(&mut all, &entries, specs).unwrap_err();
        assert_eq!(e1.message, e2.message);
    }

    /// `set_images_all` against one `set_images` per entry: the same values,
    /// or the same first error.
    fn check_like_one_at_a_time(
        docs: Vec<serde_json::Value>,
        entries: &[ImageSpec],
        specs: &[FieldSpec],
    ) {
        let mut one = res(docs.clone());
        let want = entries
            .iter()
            .try_for_each(|e| set_images(&mut one, e, specs));
        let mut all = res(docs);
        let got = set_images_all(&mut all, entries, specs);
        match (want, got) {
            (Ok(()), Ok(())) => assert_eq!(values(&all), values(&one)),
            (Err(w), Err(g)) => assert_eq!(g.message, w.message),
            (w, g) => panic!("{w:?} vs {g:?}"),
        }
    }

    #[test]
    fn field_spec_pass_walked_once_like_one_at_a_time() {
        let specs = &default_config().images;
        let entries = [
            ImageSpec {
                new_name: "other/nginx".into(),
                ..img("nginx")
            },
            ImageSpec {
                tag_suffix: "-x".into(),
                ..img("other/nginx")
            },
        ];
        // A walk error (a scalar in the middle of a path) after an update.
        let docs = vec![
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "a", "image": "nginx"}],
                    "initContainers": [{"image": "nginx"}, "x"]}}),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"},
                "spec": {"containers": [{"image": "nginx"}], "template": "x"}}),
        ];
        check_like_one_at_a_time(docs.clone(), &entries, specs);
        check_like_one_at_a_time(docs[1..].to_vec(), &entries, specs);
        // An image that is a mapping: the setter fails.
        let docs = vec![
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"template": {"spec": {"containers": [{"image": {"a": 1}}]}}}}),
        ];
        check_like_one_at_a_time(docs, &entries, specs);
        // An entry matching `null` turns null nodes into strings, which the
        // later walks then meet; custom paths through such nodes.
        let mut custom = specs.clone();
        custom.push(FieldSpec::new("spec/runner/img"));
        custom.push(FieldSpec::new("spec/runner/img/deeper"));
        let docs = vec![
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"runner": {"img": null}, "containers": [{"image": null}]}}),
        ];
        check_like_one_at_a_time(docs.clone(), &[img("nu.l"), img("nu.l")], &custom);
        check_like_one_at_a_time(docs, &entries, &custom);
        // A spec that rewrites the kind, which selects the specs.
        let mut custom = specs.clone();
        custom.push(FieldSpec::new("kind"));
        custom.push(FieldSpec {
            kind: "nginx".into(),
            ..FieldSpec::new("spec/runner/img")
        });
        let docs = vec![
            json!({"apiVersion": "v1", "kind": "nginx", "metadata": {"name": "p"},
            "spec": {"runner": {"img": "nginx"}}}),
        ];
        check_like_one_at_a_time(docs, &entries, &custom);
    }

    #[test]
    fn literal_names_match_like_the_regex() {
        let names = ["nginx", "docker.io/nginx", "my.registry:5000/nginx", "a.c"];
        let images = [
            "nginx",
            "nginx:1.0",
            "nginx@sha256:ab",
            "nginx:1@sha256:ab",
            "nginx:",
            "nginxx",
            "nginx:1:2",
            "nginx@sha256:",
            "nginx@md5:ab",
            "docker.io/nginx:1",
            "dockerxio/nginx",
            "my.registry:5000/nginx:1",
            "abc",
            "a\nc",
            "abc:{x}",
            "abc:a b",
            "",
            "ngin",
            "a.",
            "é",
            "aé",
            "ngié",
            "docker.io/ngin",
        ];
        for name in names {
            let spec = img(name);
            let u = Updater::new(&spec);
            assert!(matches!(u.pattern, Pattern::Dotted));
            let re = Regex::new(&format!(
                "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
                name
            ))
            .unwrap();
            for i in images {
                assert_eq!(u.matches(i), re.is_match(i), "{name:?} on {i:?}");
            }
        }
    }

    #[test]
    fn split_follows_kustomize() {
        let s = |i: &str| {
            let (n, t, d) = split_image(i);
            (n, t, d)
        };
        let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(s("nginx"), t("nginx", "", ""));
        assert_eq!(s("nginx:1"), t("nginx", "1", ""));
        assert_eq!(s("nginx@sha256:ab"), t("nginx", "", "sha256:ab"));
        assert_eq!(s("nginx:1@sha256:ab"), t("nginx", "1", "sha256:ab"));
        assert_eq!(s("reg:5000/nginx:1"), t("reg:5000/nginx", "1", ""));
        assert_eq!(s("reg:5000/nginx"), t("reg:5000/nginx", "", ""));
    }

    /// The byte comparison for ASCII images answers as the character one
    /// (the slow path, taken for non-ASCII values) does.
    #[test]
    fn dotted_names_match_bytes_as_characters() {
        let cases = [
            ("reg.io/app", "reg.io/app", true),
            ("reg.io/app", "regXio/app:1", true),
            ("reg.io/app", "reg\nio/app", false),
            ("reg.io/app", "reg.io/app2", false),
            ("reg.io/app", "reg.io/ap", false),
            ("reg.io/app", "régio/ap", false),
            ("a.b", "é", false),
            ("a.b", "", false),
            ("reg.io/app", "reg.io/app@sha256:ab", true),
            ("reg.io/app", "regéio/app", true),
            ("reg.io/app", "reg.io/appé", false),
            ("a.b", "aéb:1", true),
            ("a.b", "a\nb", false),
        ];
        for (name, value, want) in cases {
            let spec = img(name);
            let u = Updater::new(&spec);
            assert!(matches!(u.pattern, Pattern::Dotted), "{name}");
            assert_eq!(u.matches(value), want, "{name} ~ {value:?}");
        }
    }

    fn img(name: &str) -> ImageSpec {
        ImageSpec {
            name: name.into(),
            ..ImageSpec::default()
        }
    }

    #[test]
    fn images_match_and_rewrite_like_kubectl() {
        let mut rs = res(vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {
                    "initContainers": [{"name": "i", "image": "busybox:1.0"}, {"name": "j", "image": "busybox"}],
                    "containers": [
                        {"name": "a", "image": "nginx"},
                        {"name": "b", "image": "nginx:1.0"},
                        {"name": "c", "image": "nginx@sha256:abc"},
                        {"name": "d", "image": "docker.io/nginx:1"},
                        {"name": "e", "image": "my.registry:5000/nginx:1"},
                        {"name": "f", "image": "alpine:3"},
                        {"name": "g", "image": "nginxx"},
                        {"name": "h"}]}}}}),
            json!({"apiVersion": "ex.com/v1", "kind": "Foo", "metadata": {"name": "f"},
                "spec": {"jobs": [{"containers": [{"image": "nginx"}]}], "image": "nginx"}}),
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "foos.ex.com"}, "spec": {"containers": [{"image": "nginx"}]}}),
        ]);
        let specs = &default_config().images;
        let entries = [
            ImageSpec {
                new_tag: "2.0".into(),
                ..img("nginx")
            },
            ImageSpec {
                new_name: "other/nginx".into(),
                digest: "sha256:ff".into(),
                ..img("my.registry:5000/nginx")
            },
            ImageSpec {
                tag_suffix: "-x".into(),
                ..img("busybox")
            },
            ImageSpec {
                new_tag: "t".into(),
                digest: "sha256:dd".into(),
                ..img("alpine")
            },
        ];
        for e in &entries {
            set_images(&mut rs, e, specs).unwrap();
        }
        // From kubectl kustomize with the same four images: entries.
        let want = vals(vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {
                    "initContainers": [{"name": "i", "image": "busybox:1.0-x-x"},
                        {"name": "j", "image": "busybox:-x-x"}],
                    "containers": [
                        {"name": "a", "image": "nginx:2.0"},
                        {"name": "b", "image": "nginx:2.0"},
                        {"name": "c", "image": "nginx:2.0"},
                        {"name": "d", "image": "docker.io/nginx:1"},
                        {"name": "e", "image": "other/nginx@sha256:ff"},
                        {"name": "f", "image": "alpine:t@sha256:dd"},
                        {"name": "g", "image": "nginxx"},
                        {"name": "h"}]}}}}),
            json!({"apiVersion": "ex.com/v1", "kind": "Foo", "metadata": {"name": "f"},
                "spec": {"jobs": [{"containers": [{"image": "nginx:2.0"}]}], "image": "nginx"}}),
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "foos.ex.com"}, "spec": {"containers": [{"image": "nginx"}]}}),
        ]);
        assert_eq!(values(&rs), want);
    }

    #[test]
    fn custom_image_specs_and_null_containers() {
        let mut rs = res(vec![json!({"apiVersion": "ex.com/v1", "kind": "Foo",
            "metadata": {"name": "f"},
            "spec": {"runner": {"img": "nginx:1"}, "containers": null}})]);
        let mut specs = default_config().images.clone();
        specs.push(FieldSpec {
            kind: "Foo".into(),
            ..FieldSpec::new("spec/runner/img")
        });
        set_images(
            &mut rs,
            &ImageSpec {
                new_name: "repo/nginx".into(),
                ..img("nginx")
            },
            &specs,
        )
        .unwrap();
        // From kubectl kustomize (configurations: images: [{path: spec/runner/img, kind: Foo}]):
        // the custom field changes and `containers: null` becomes `[]`.
        assert_eq!(
            values(&rs),
            vals(vec![json!({"apiVersion": "ex.com/v1", "kind": "Foo",
                "metadata": {"name": "f"},
                "spec": {"runner": {"img": "repo/nginx:1"}, "containers": []}})])
        );
    }
}
