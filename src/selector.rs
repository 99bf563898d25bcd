//! Resource selection as kustomize's `types.Selector` does it: group,
//! version, kind, name and namespace plus a `labelSelector` and an
//! `annotationSelector` in Kubernetes label-selector syntax.
//!
//! Two matching modes exist in kustomize 5.5 and both are offered here:
//! - [`Selector::matches`]: patch `target:` semantics (`resmap.Select`):
//!   every id field is an anchored regex `^(?:…)$`; the name and namespace
//!   may match either the original or the current id; namespaces compare as
//!   "effective" namespaces (unset = `default`, cluster-scoped kinds have none).
//! - [`Selector::selects_id`]: replacement `select`/`reject` semantics
//!   (`ResId.IsSelectedBy`): exact string equality on the set fields, the
//!   namespace compared with unset = `default`.

use regex::Regex;

use crate::error::Result;
use crate::resource::{Gvk, ResId, Resource};
use crate::yaml::Value;
use crate::{bail, err};

/// The namespace kustomize gives resources with none.
pub const DEFAULT_NAMESPACE: &str = "default";
/// The "namespace" kustomize gives cluster-scoped resources in comparisons.
const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

/// Kinds kustomize's built-in schema (Kubernetes 1.21) knows as cluster
/// scoped, as `(apiVersion, kind)`.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
];

/// True when kustomize's built-in schema knows `gvk` as cluster scoped.
pub fn is_cluster_scoped(gvk: &Gvk) -> bool {
    let av = gvk.api_version();
    CLUSTER_SCOPED
        .iter()
        .any(|(a, k)| *a == av && *k == gvk.kind)
}

/// The namespace kustomize compares for patch targets: cluster-scoped kinds
/// have a sentinel, an unset namespace is `default`.
pub fn effective_namespace(id: &ResId) -> &str {
    if is_cluster_scoped(&id.gvk) {
        NOT_A_NAMESPACE
    } else if id.namespace.is_empty() {
        DEFAULT_NAMESPACE
    } else {
        &id.namespace
    }
}

/// The namespace as `ResId.IsSelectedBy` compares it (no cluster-scope
/// knowledge there): unset and `default` are the same.
fn plain_effective_ns(ns: &str) -> &str {
    if ns.is_empty() { DEFAULT_NAMESPACE } else { ns }
}

/// A label-selector operator.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

/// One requirement of a label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

impl Requirement {
    /// Whether the requirement holds for the key's value (`None`: absent).
    fn matches_value(&self, got: Option<&str>) -> bool {
        match self.op {
            Op::In => got.is_some_and(|v| self.values.iter().any(|w| w == v)),
            Op::NotIn => got.is_none_or(|v| !self.values.iter().any(|w| w == v)),
            Op::Exists => got.is_some(),
            Op::DoesNotExist => got.is_none(),
            Op::Gt | Op::Lt => {
                let (Some(v), Some(want)) = (got, self.values.first()) else {
                    return false;
                };
                let (Ok(v), Ok(want)) = (v.parse::<i64>(), want.parse::<i64>()) else {
                    return false;
                };
                if self.op == Op::Gt {
                    v > want
                } else {
                    v < want
                }
            }
        }
    }
}

/// A parsed Kubernetes label selector (`a=b,c!=d,e in (f,g),!h,i`), matched
/// against labels or annotations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    reqs: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    End,
    ClosePar,
    Comma,
    Not,
    DoubleEq,
    Eq,
    Gt,
    Ident(String),
    In,
    Lt,
    NotEq,
    NotIn,
    OpenPar,
}

fn special(c: u8) -> bool {
    matches!(c, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

fn symbol(s: &str) -> Option<Tok> {
    Some(match s {
        ")" => Tok::ClosePar,
        "," => Tok::Comma,
        "!" => Tok::Not,
        "==" => Tok::DoubleEq,
        "=" => Tok::Eq,
        ">" => Tok::Gt,
        "<" => Tok::Lt,
        "!=" => Tok::NotEq,
        "(" => Tok::OpenPar,
        _ => return None,
    })
}

fn lex(s: &str) -> Result<Vec<Tok>> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if i >= b.len() {
            out.push(Tok::End);
            return Ok(out);
        }
        if special(b[i]) {
            // Longest run of special characters that is still a token.
            let start = i;
            let mut last: Option<(Tok, usize)> = None;
            while i < b.len() && special(b[i]) {
                i += 1;
                match symbol(&s[start..i]) {
                    Some(t) => last = Some((t, i)),
                    None if last.is_some() => {
                        i -= 1;
                        break;
                    }
                    None => {}
                }
            }
            match last {
                Some((t, end)) => {
                    i = end;
                    out.push(t);
                }
                None => bail!("unexpected '{}' in selector", &s[start..i]),
            }
        } else {
            let start = i;
            while i < b.len() && !special(b[i]) && !matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
                i += 1;
            }
            let word = &s[start..i];
            out.push(match word {
                "in" => Tok::In,
                "notin" => Tok::NotIn,
                _ => Tok::Ident(word.to_string()),
            });
        }
    }
}

fn valid_label_key(k: &str) -> bool {
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix {
        let ok = !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            });
        if !ok {
            return false;
        }
    }
    valid_label_value(name) && !name.is_empty()
}

fn valid_label_value(v: &str) -> bool {
    if v.is_empty() {
        return true;
    }
    let b = v.as_bytes();
    v.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

impl LabelSelector {
    /// Parses a selector string; the empty string selects everything.
    pub fn parse(s: &str) -> Result<LabelSelector> {
        let toks = lex(s)?;
        let mut p = 0usize;
        let mut reqs = Vec::new();
        // In value position `in`/`notin` are plain identifiers.
        let as_value = |t: &Tok| -> Tok {
            match t {
                Tok::In => Tok::Ident("in".into()),
                Tok::NotIn => Tok::Ident("notin".into()),
                t => t.clone(),
            }
        };
        loop {
            match as_value(&toks[p]) {
                Tok::End => break,
                Tok::Ident(_) | Tok::Not => {}
                t => bail!(
                    "invalid selector {:?}: found {:?}, expected a key or '!'",
                    s,
                    t
                ),
            }
            // key and inferred operator
            let mut neg = false;
            if toks[p] == Tok::Not {
                neg = true;
                p += 1;
            }
            let key = match as_value(&toks[p]) {
                Tok::Ident(k) => k,
                t => bail!("invalid selector {:?}: found {:?}, expected a key", s, t),
            };
            p += 1;
            if !valid_label_key(&key) {
                bail!("invalid selector {:?}: invalid label key {:?}", s, key);
            }
            let next = &toks[p];
            let req = if neg || matches!(next, Tok::End | Tok::Comma) {
                if neg && !matches!(next, Tok::End | Tok::Comma) {
                    bail!("invalid selector {:?}: '!{}' takes no operator", s, key);
                }
                Requirement {
                    key,
                    op: if neg { Op::DoesNotExist } else { Op::Exists },
                    values: Vec::new(),
                }
            } else {
                let op = match next {
                    Tok::In => Op::In,
                    Tok::NotIn => Op::NotIn,
                    Tok::Eq | Tok::DoubleEq => Op::In,
                    Tok::NotEq => Op::NotIn,
                    Tok::Gt => Op::Gt,
                    Tok::Lt => Op::Lt,
                    t => bail!(
                        "invalid selector {:?}: found {:?}, expected '=', '!=', '==', 'in', 'notin'",
                        s,
                        t
                    ),
                };
                let set_based = matches!(next, Tok::In | Tok::NotIn);
                p += 1;
                let mut values: Vec<String> = Vec::new();
                if set_based {
                    if toks[p] != Tok::OpenPar {
                        bail!("invalid selector {:?}: expected '(' after {}", s, key);
                    }
                    p += 1;
                    // Comma-separated, possibly empty, identifiers.
                    let mut expect_value = true;
                    loop {
                        match as_value(&toks[p]) {
                            Tok::Ident(v) if expect_value => {
                                values.push(v);
                                expect_value = false;
                                p += 1;
                            }
                            Tok::Comma => {
                                if expect_value {
                                    values.push(String::new());
                                }
                                expect_value = true;
                                p += 1;
                            }
                            Tok::ClosePar => {
                                if expect_value {
                                    values.push(String::new());
                                }
                                p += 1;
                                break;
                            }
                            t => bail!(
                                "invalid selector {:?}: found {:?}, expected ',', ')' or a value",
                                s,
                                t
                            ),
                        }
                    }
                } else {
                    match as_value(&toks[p]) {
                        Tok::End | Tok::Comma => values.push(String::new()),
                        Tok::Ident(v) => {
                            values.push(v);
                            p += 1;
                        }
                        t => bail!("invalid selector {:?}: found {:?}, expected a value", s, t),
                    }
                    if matches!(op, Op::Gt | Op::Lt) && values[0].parse::<i64>().is_err() {
                        bail!(
                            "invalid selector {:?}: for '>' and '<' the value must be an integer",
                            s
                        );
                    }
                }
                values.sort();
                values.dedup();
                for v in &values {
                    if !valid_label_value(v) {
                        bail!("invalid selector {:?}: invalid label value {:?}", s, v);
                    }
                }
                Requirement { key, op, values }
            };
            reqs.push(req);
            match &toks[p] {
                Tok::End => break,
                Tok::Comma => {
                    p += 1;
                    if !matches!(as_value(&toks[p]), Tok::Ident(_) | Tok::Not) {
                        bail!("invalid selector {:?}: expected a requirement after ','", s);
                    }
                }
                t => bail!(
                    "invalid selector {:?}: found {:?}, expected ',' or the end",
                    s,
                    t
                ),
            }
        }
        Ok(LabelSelector { reqs })
    }

    /// True when every requirement holds for `labels`.
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        self.reqs.iter().all(|r| {
            let got = labels
                .iter()
                .find(|(k, _)| *k == r.key)
                .map(|(_, v)| v.as_str());
            r.matches_value(got)
        })
    }

    /// True when every requirement holds for a `labels` (or `annotations`)
    /// mapping, absent = empty; values compare as their scalar text.
    pub fn matches_map(&self, labels: Option<&crate::yaml::Map>) -> bool {
        self.reqs.iter().all(|r| {
            let got = labels.and_then(|m| m.get(&r.key));
            match got {
                None => r.matches_value(None),
                Some(Value::String(s)) => r.matches_value(Some(s)),
                Some(v) => r.matches_value(Some(&v.scalar_string().unwrap_or_default())),
            }
        })
    }

    /// True when the selector has no requirements (selects everything).
    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }
}

/// How an id field's text is matched as the anchored regex `^(?:text)$`.
#[derive(Clone, Debug)]
enum Matcher {
    /// Empty text: matches anything.
    Any,
    /// No regex syntax but `.`: the same length, each `.` any character
    /// but a newline, every other character itself (no regex compiled).
    Dotted,
    /// Anything else.
    Regex(Regex),
}

/// True when `text` as a regex is a plain string with `.` wildcards.
pub(crate) fn is_dotted_literal(text: &str) -> bool {
    !text.contains([
        '\\', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$',
    ])
}

/// Matches `s` against a [`is_dotted_literal`] pattern, as the regex
/// `^(?:pattern)$` would.
pub(crate) fn dotted_matches(pattern: &str, s: &str) -> bool {
    if pattern == s {
        return true;
    }
    if !pattern.contains('.') {
        return false;
    }
    let mut got = s.chars();
    for want in pattern.chars() {
        match got.next() {
            Some(c) if c == want || (want == '.' && c != '\n') => {}
            _ => return false,
        }
    }
    got.next().is_none()
}

/// One id field: the raw text (empty = any) and how it is matched.
#[derive(Clone, Debug)]
struct Field {
    text: String,
    re: Matcher,
}

impl Field {
    fn new(what: &str, text: String) -> Result<Field> {
        let re = if text.is_empty() {
            Matcher::Any
        } else if is_dotted_literal(&text) {
            Matcher::Dotted
        } else {
            Matcher::Regex(
                Regex::new(&format!("^(?:{})$", text))
                    .map_err(|e| err!("invalid {} regex {:?} in selector: {}", what, text, e))?,
            )
        };
        Ok(Field { text, re })
    }

    fn is_set(&self) -> bool {
        !matches!(self.re, Matcher::Any)
    }

    fn regex_matches(&self, s: &str) -> bool {
        match &self.re {
            Matcher::Any => true,
            Matcher::Dotted => dotted_matches(&self.text, s),
            Matcher::Regex(r) => r.is_match(s),
        }
    }
}

/// A resource selector (kustomize `types.Selector`).
#[derive(Clone, Debug)]
pub struct Selector {
    group: Field,
    version: Field,
    kind: Field,
    name: Field,
    namespace: Field,
    label_text: String,
    annotation_text: String,
    labels: LabelSelector,
    annotations: LabelSelector,
}

/// Looks up `key` in a mapping the way Go's `encoding/json` does: an exact
/// match first, else a case-insensitive one.
pub(crate) fn json_field<'a>(m: &'a crate::yaml::Map, key: &str) -> Option<&'a Value> {
    m.get(key).or_else(|| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Reads an optional string field of a config mapping (null = unset).
pub(crate) fn opt_string(m: &crate::yaml::Map, key: &str, ctx: &str) -> Result<String> {
    match json_field(m, key) {
        None | Some(Value::Null(_)) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v) => Err(err!(
            "{}: field {:?} must be a string, not {} ({})",
            ctx,
            key,
            v.type_name(),
            v
        )),
    }
}

impl Selector {
    /// A selector from its fields (empty strings = any).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        group: &str,
        version: &str,
        kind: &str,
        name: &str,
        namespace: &str,
        label_selector: &str,
        annotation_selector: &str,
    ) -> Result<Selector> {
        Ok(Selector {
            group: Field::new("group", group.to_string())?,
            version: Field::new("version", version.to_string())?,
            kind: Field::new("kind", kind.to_string())?,
            name: Field::new("name", name.to_string())?,
            namespace: Field::new("namespace", namespace.to_string())?,
            label_text: label_selector.to_string(),
            annotation_text: annotation_selector.to_string(),
            labels: LabelSelector::parse(label_selector)?,
            annotations: LabelSelector::parse(annotation_selector)?,
        })
    }

    /// Reads a selector mapping (`group`, `version`, `kind`, `name`,
    /// `namespace`, `labelSelector`, `annotationSelector`; other keys are
    /// ignored as kustomize does). Null means "select everything".
    pub fn from_value(v: &Value) -> Result<Selector> {
        let empty = crate::yaml::Map::new();
        let m = match v {
            Value::Map(m) => m,
            Value::Null(_) => &empty,
            other => bail!("a selector must be a mapping, not {}", other.type_name()),
        };
        let ctx = "selector";
        Selector::new(
            &opt_string(m, "group", ctx)?,
            &opt_string(m, "version", ctx)?,
            &opt_string(m, "kind", ctx)?,
            &opt_string(m, "name", ctx)?,
            &opt_string(m, "namespace", ctx)?,
            &opt_string(m, "labelSelector", ctx)?,
            &opt_string(m, "annotationSelector", ctx)?,
        )
    }

    /// The group ("" = any).
    pub fn group(&self) -> &str {
        &self.group.text
    }
    /// The version ("" = any).
    pub fn version(&self) -> &str {
        &self.version.text
    }
    /// The kind ("" = any).
    pub fn kind(&self) -> &str {
        &self.kind.text
    }
    /// The name ("" = any).
    pub fn name(&self) -> &str {
        &self.name.text
    }
    /// The namespace ("" = any).
    pub fn namespace(&self) -> &str {
        &self.namespace.text
    }
    /// The label selector text.
    pub fn label_selector(&self) -> &str {
        &self.label_text
    }
    /// The annotation selector text.
    pub fn annotation_selector(&self) -> &str {
        &self.annotation_text
    }

    /// True when no id field (group, version, kind, name, namespace) is set.
    pub fn id_is_empty(&self) -> bool {
        [
            &self.group,
            &self.version,
            &self.kind,
            &self.name,
            &self.namespace,
        ]
        .iter()
        .all(|f| f.text.is_empty())
    }

    /// True when neither a label nor an annotation selector is set.
    pub fn meta_is_empty(&self) -> bool {
        self.labels.is_empty() && self.annotations.is_empty()
    }

    /// Patch-target matching (kustomize `resmap.Select`): regexes anchored
    /// as `^(?:…)$`; name and namespace match the original or the current
    /// id; namespaces compared as effective namespaces; then the label and
    /// annotation selectors.
    pub fn matches(&self, r: &Resource) -> bool {
        // Borrowed fields of the current id (no copies: this runs for every
        // resource a patch target is tested against).
        let api = r.api_version();
        let (group, version) = match api.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api),
        };
        let orig = r.prev_ids.first();
        if self.name.is_set()
            && !orig.is_some_and(|o| self.name.regex_matches(&o.name))
            && !self.name.regex_matches(r.name())
        {
            return false;
        }
        if !self.group.regex_matches(group)
            || !self.version.regex_matches(version)
            || !self.kind.regex_matches(r.kind())
        {
            return false;
        }
        if self.namespace.is_set() {
            let cur = r.id();
            let orig_ns = effective_namespace(orig.unwrap_or(&cur));
            if !self.namespace.regex_matches(orig_ns)
                && !self.namespace.regex_matches(effective_namespace(&cur))
            {
                return false;
            }
        }
        self.matches_meta(r)
    }

    /// True when the label and annotation selectors hold for `r`.
    pub fn matches_meta(&self, r: &Resource) -> bool {
        let meta = |field: &str| {
            r.value
                .get_path(&["metadata", field])
                .and_then(Value::as_map)
        };
        (self.labels.is_empty() || self.labels.matches_map(meta("labels")))
            && (self.annotations.is_empty() || self.annotations.matches_map(meta("annotations")))
    }

    /// Exact id selection (kustomize `ResId.IsSelectedBy`, used by
    /// replacements): each set field equals the id's, namespaces compared
    /// with unset = `default`. Labels and annotations are not considered.
    pub fn selects_id(&self, id: &ResId) -> bool {
        (self.name.text.is_empty() || self.name.text == id.name)
            && (self.namespace.text.is_empty()
                || plain_effective_ns(&self.namespace.text) == plain_effective_ns(&id.namespace))
            && (self.group.text.is_empty() || self.group.text == id.gvk.group)
            && (self.version.text.is_empty() || self.version.text == id.gvk.version)
            && (self.kind.text.is_empty() || self.kind.text == id.gvk.kind)
    }

    /// [`Selector::selects_id`] on a resource's current id, read in place
    /// (no copy of the id).
    pub fn selects_current_id(&self, r: &Resource) -> bool {
        let api = r.api_version();
        let (group, version) = api.split_once('/').unwrap_or(("", api));
        (self.kind.text.is_empty() || self.kind.text == r.kind())
            && (self.name.text.is_empty() || self.name.text == r.name())
            && (self.namespace.text.is_empty()
                || plain_effective_ns(&self.namespace.text) == plain_effective_ns(r.namespace()))
            && (self.group.text.is_empty() || self.group.text == group)
            && (self.version.text.is_empty() || self.version.text == version)
    }

    /// A short description for messages (`kind/name` with the other set
    /// fields), e.g. `ConfigMap/app (namespace prod)`.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let gv = match (self.group.text.as_str(), self.version.text.as_str()) {
            ("", "") => String::new(),
            ("", v) => v.to_string(),
            (g, "") => format!("{}/*", g),
            (g, v) => format!("{}/{}", g, v),
        };
        if !gv.is_empty() {
            s.push_str(&gv);
            s.push(' ');
        }
        s.push_str(if self.kind.text.is_empty() {
            "*"
        } else {
            &self.kind.text
        });
        s.push('/');
        s.push_str(if self.name.text.is_empty() {
            "*"
        } else {
            &self.name.text
        });
        if !self.namespace.text.is_empty() {
            s.push_str(&format!(" (namespace {})", self.namespace.text));
        }
        if !self.label_text.is_empty() {
            s.push_str(&format!(" labelSelector {:?}", self.label_text));
        }
        if !self.annotation_text.is_empty() {
            s.push_str(&format!(" annotationSelector {:?}", self.annotation_text));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_literals_match_like_the_anchored_regex() {
        let patterns = ["app", "a.p", "my.app", "", "é.x", "a-b_c/d"];
        let inputs = [
            "app", "axp", "a\np", "my.app", "myxapp", "ap", "appp", "", "éyx", "a-b_c/d",
        ];
        for p in patterns {
            assert!(is_dotted_literal(p), "{p}");
            let re = Regex::new(&format!("^(?:{})$", p)).unwrap();
            for s in inputs {
                assert_eq!(dotted_matches(p, s), re.is_match(s), "{p:?} on {s:?}");
            }
        }
        for p in [
            "a*", "a|b", "(a)", "x+", "[ab]", "a?", "^a", "b$", "\\d", "a{2}",
        ] {
            assert!(!is_dotted_literal(p), "{p}");
        }
    }
    use serde_json::json;

    fn res(v: serde_json::Value) -> Resource {
        Resource::new(Value::from(v))
    }

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_selector_operators() {
        // Matching as checked with kubectl (replacement select labelSelector
        // `app in (a,b),!tier` picks resources labelled app=a or app=b that
        // have no tier label).
        let s = LabelSelector::parse("app in (a,b),!tier").unwrap();
        assert!(s.matches(&labels(&[("app", "a")])));
        assert!(s.matches(&labels(&[("app", "b")])));
        assert!(!s.matches(&labels(&[("app", "a"), ("tier", "x")])));
        assert!(!s.matches(&labels(&[("app", "c")])));
        let s = LabelSelector::parse("app notin (a), x!=y, k, z==1").unwrap();
        assert!(s.matches(&labels(&[("k", ""), ("z", "1")])));
        assert!(!s.matches(&labels(&[("k", ""), ("z", "1"), ("x", "y")])));
        assert!(!s.matches(&labels(&[("z", "1")])));
        assert!(!s.matches(&labels(&[("app", "a"), ("k", ""), ("z", "1")])));
        let s = LabelSelector::parse("a=").unwrap();
        assert!(s.matches(&labels(&[("a", "")])));
        assert!(LabelSelector::parse("").unwrap().is_empty());
        let s = LabelSelector::parse("n>3").unwrap();
        assert!(s.matches(&labels(&[("n", "4")])));
        assert!(!s.matches(&labels(&[("n", "3")])));
        let s = LabelSelector::parse("x in (in, notin)").unwrap();
        assert!(s.matches(&labels(&[("x", "notin")])));
    }

    #[test]
    fn label_selector_errors() {
        for bad in [
            "a=b=c", "a in b", "a in (b", "!a=b", ",a", "a,", "a b", "a=(b)", "-a", "a=-b", "n>x",
        ] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn regex_selector_anchored_and_orig_name() {
        // Checked with kubectl: in an overlay over a base with namePrefix p-,
        // patch targets `name: web` (original name) and `name: p-w.*,
        // kind: Deploy.*` hit p-web, `name: we` hits nothing, and
        // `namespace: default` hits unnamespaced Deployments but not a
        // ClusterRole.
        let mut r = res(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}}));
        r.store_previous_id();
        r.set_name("p-web");
        let sel = |v| Selector::from_value(&Value::from(v)).unwrap();
        assert!(sel(json!({"kind": "Deploy.*", "name": "web"})).matches(&r));
        assert!(sel(json!({"name": "p-web"})).matches(&r));
        assert!(!sel(json!({"name": "we"})).matches(&r));
        assert!(!sel(json!({"name": "we|web2"})).matches(&r));
        assert!(sel(json!({"group": "apps", "version": "v1"})).matches(&r));
        assert!(sel(json!({"group": ""})).matches(&r));
        assert!(sel(json!({"namespace": "default"})).matches(&r));
        let cr = res(json!({"apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole", "metadata": {"name": "x"}}));
        assert!(!sel(json!({"namespace": "default"})).matches(&cr));
    }

    #[test]
    fn exact_selection() {
        let id = ResId {
            gvk: Gvk::from_api_version("v1", "ConfigMap"),
            namespace: String::new(),
            name: "tgt.x".into(),
        };
        let sel = |v| Selector::from_value(&Value::from(v)).unwrap();
        assert!(sel(json!({})).selects_id(&id));
        assert!(sel(json!({"namespace": "default", "name": "tgt.x"})).selects_id(&id));
        // kubectl: `name: tgt.*` selects nothing in replacements.
        assert!(!sel(json!({"name": "tgt.*"})).selects_id(&id));
        assert!(!sel(json!({"kind": "Secret"})).selects_id(&id));
    }

    #[test]
    fn from_value_errors() {
        assert!(Selector::from_value(&Value::from(json!({"name": "("}))).is_err());
        assert!(Selector::from_value(&Value::from(json!({"name": 3}))).is_err());
        assert!(Selector::from_value(&Value::from(json!([1]))).is_err());
    }
}
