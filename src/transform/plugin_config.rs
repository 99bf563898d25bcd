//! How kustomize decodes a builtin plugin's config, reproduced as a
//! normalisation of the config value.
//!
//! kustomize writes the config resource out as YAML (through JSON: keys
//! sorted) and hands it to the plugin's `Config`, which decodes it into the
//! plugin's Go struct with `sigs.k8s.io/yaml` (most plugins) or with kyaml's
//! yaml.v3 (`PrefixTransformer`, `SuffixTransformer`). Both are lenient where
//! the kustomization file is strict:
//!
//! * unknown keys are ignored, anywhere (a `fieldSpecs` entry with `extra:`);
//! * `sigs.k8s.io/yaml` matches keys as Go's `encoding/json` does: exactly or
//!   ignoring ASCII case (`Kind:` sets `kind`), the last one in sorted order
//!   winning; yaml.v3 matches exactly;
//! * a number or boolean where the struct holds a string becomes its text
//!   (`51` → `"51"`, `true` → `"true"`; a float as Go formats a `float32`,
//!   `3.1415927`, for `sigs.k8s.io/yaml`, or a `float64` for yaml.v3);
//! * `null` leaves a field at its zero value; in a map of strings it is `""`.
//!
//! Other type mismatches are errors, as in kustomize. [`normalize`] returns
//! the config with every field the plugin reads under its canonical name and
//! of its Go type, and nothing else, for the strict readers that follow.

use crate::yaml::{Map, Value, format_go_float, format_go_float32};

/// A Go type a config field decodes into.
#[derive(Clone, Copy, Debug)]
pub enum GoType {
    /// `string` (and string-based types).
    Str,
    /// `bool`.
    Bool,
    /// `int`, `int64`.
    Int,
    /// `[]string`.
    StrList,
    /// `map[string]string`.
    StrMap,
    /// `map[string]bool`.
    BoolMap,
    /// A slice of another type (`[]FieldSpec`).
    List(&'static GoType),
    /// A struct (or a pointer to one): its JSON field names and types.
    Struct(&'static [(&'static str, GoType)]),
    /// A field promoted from an embedded struct (`resid.Gvk` in a field
    /// spec, the generator arguments of a generator). `sigs.k8s.io/yaml`
    /// looks a key up one struct level only, so its string conversion never
    /// reaches such a field or anything below it: plain JSON types apply
    /// there (`kind: 5` is an error where `path: 5` is `"5"`).
    Promoted(&'static GoType),
}

/// Which library decodes the config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoder {
    /// `sigs.k8s.io/yaml` (JSON rules).
    SigsYaml,
    /// kyaml's yaml.v3.
    YamlV3,
}

use GoType::*;

/// `types.FieldSpec` (its `Gvk` fields promoted).
pub const FIELD_SPEC: GoType = Struct(&[
    ("group", Promoted(&Str)),
    ("version", Promoted(&Str)),
    ("kind", Promoted(&Str)),
    ("path", Str),
    ("create", Bool),
]);

/// `[]types.FieldSpec`.
pub const FIELD_SPECS: GoType = List(&FIELD_SPEC);

/// `types.Selector`.
pub const SELECTOR: GoType = Struct(&[
    ("group", Promoted(&Str)),
    ("version", Promoted(&Str)),
    ("kind", Promoted(&Str)),
    ("name", Promoted(&Str)),
    ("namespace", Promoted(&Str)),
    ("annotationSelector", Str),
    ("labelSelector", Str),
]);

/// `types.FieldOptions` of a replacement.
const FIELD_OPTIONS: GoType = Struct(&[
    ("delimiter", Str),
    ("index", Int),
    ("encoding", Str),
    ("create", Bool),
]);

/// `types.Replacement`, with `path` (`types.ReplacementField`, which
/// embeds the replacement).
pub const REPLACEMENT_FIELD: GoType = Struct(&[
    ("source", Promoted(&REPLACEMENT_SOURCE)),
    ("targets", Promoted(&REPLACEMENT_TARGETS)),
    ("path", Str),
]);

/// `types.Replacement` alone (a file named by a replacements `path:`).
pub const REPLACEMENT: GoType = Struct(&[
    ("source", REPLACEMENT_SOURCE),
    ("targets", REPLACEMENT_TARGETS),
]);

/// `types.SourceSelector`.
const REPLACEMENT_SOURCE: GoType = Struct(&[
    ("group", Promoted(&Str)),
    ("version", Promoted(&Str)),
    ("kind", Promoted(&Str)),
    ("name", Promoted(&Str)),
    ("namespace", Promoted(&Str)),
    ("fieldPath", Str),
    ("options", FIELD_OPTIONS),
]);

/// `[]*types.TargetSelector`.
const REPLACEMENT_TARGETS: GoType = List(&Struct(&[
    ("select", SELECTOR),
    ("reject", List(&SELECTOR)),
    ("fieldPaths", StrList),
    ("options", FIELD_OPTIONS),
]));

/// `types.ObjectMeta`.
const OBJECT_META: GoType = Struct(&[
    ("name", Str),
    ("namespace", Str),
    ("labels", StrMap),
    ("annotations", StrMap),
]);

/// A generator's config: its metadata, then the fields of its embedded
/// `GeneratorArgs` (with `type` for secrets).
const GENERATOR: &[(&str, GoType)] = &[
    ("apiVersion", Str),
    ("kind", Str),
    ("metadata", OBJECT_META),
    ("namespace", Promoted(&Str)),
    ("name", Promoted(&Str)),
    ("behavior", Promoted(&Str)),
    ("literals", Promoted(&StrList)),
    ("files", Promoted(&StrList)),
    ("envs", Promoted(&StrList)),
    ("env", Promoted(&Str)),
    (
        "options",
        Promoted(&Struct(&[
            ("labels", StrMap),
            ("annotations", StrMap),
            ("disableNameSuffixHash", Bool),
            ("immutable", Bool),
        ])),
    ),
    ("type", Promoted(&Str)),
];

/// The config struct of the builtin plugin `kind`, and its decoder; `None`
/// for kinds aiw does not know (reported by the caller).
pub fn schema(kind: &str) -> Option<(GoType, Decoder)> {
    const META: [(&str, GoType); 3] = [
        ("apiVersion", Str),
        ("kind", Str),
        ("metadata", OBJECT_META),
    ];
    macro_rules! plugin {
        ($($f:expr),* $(,)?) => {
            Struct(&[META[0], META[1], META[2], $($f),*])
        };
    }
    let sigs = Decoder::SigsYaml;
    Some(match kind {
        "AnnotationsTransformer" => (
            plugin!(("annotations", StrMap), ("fieldSpecs", FIELD_SPECS)),
            sigs,
        ),
        "LabelTransformer" => (
            plugin!(("labels", StrMap), ("fieldSpecs", FIELD_SPECS)),
            sigs,
        ),
        "NamespaceTransformer" => (
            plugin!(
                ("fieldSpecs", FIELD_SPECS),
                ("unsetOnly", Bool),
                ("setRoleBindingSubjects", Str),
            ),
            sigs,
        ),
        "PrefixTransformer" => (
            plugin!(("prefix", Str), ("fieldSpecs", FIELD_SPECS)),
            Decoder::YamlV3,
        ),
        "SuffixTransformer" => (
            plugin!(("suffix", Str), ("fieldSpecs", FIELD_SPECS)),
            Decoder::YamlV3,
        ),
        "PrefixSuffixTransformer" => (
            plugin!(
                ("prefix", Str),
                ("suffix", Str),
                ("fieldSpecs", FIELD_SPECS)
            ),
            sigs,
        ),
        "ImageTagTransformer" => (
            plugin!(
                (
                    "imageTag",
                    Struct(&[
                        ("name", Str),
                        ("newName", Str),
                        ("tagSuffix", Str),
                        ("newTag", Str),
                        ("digest", Str),
                    ]),
                ),
                ("fieldSpecs", FIELD_SPECS),
            ),
            sigs,
        ),
        "ReplicaCountTransformer" => (
            plugin!(
                ("replica", Struct(&[("name", Str), ("count", Int)])),
                ("fieldSpecs", FIELD_SPECS),
            ),
            sigs,
        ),
        "PatchTransformer" => (
            plugin!(
                ("path", Str),
                ("patch", Str),
                ("target", SELECTOR),
                ("options", BoolMap),
            ),
            sigs,
        ),
        "PatchJson6902Transformer" => (
            plugin!(("target", SELECTOR), ("path", Str), ("jsonOp", Str)),
            sigs,
        ),
        "PatchStrategicMergeTransformer" => (plugin!(("paths", StrList), ("patches", Str)), sigs),
        "ReplacementTransformer" => (plugin!(("replacements", List(&REPLACEMENT_FIELD))), sigs),
        "ValueAddTransformer" => (
            plugin!(
                ("value", Str),
                (
                    "targets",
                    List(&Struct(&[
                        ("selector", SELECTOR),
                        ("fieldPath", Str),
                        ("filePathPosition", Int),
                    ])),
                ),
                ("targetFilePath", Str),
            ),
            sigs,
        ),
        "HashTransformer" => (plugin!(), sigs),
        "ConfigMapGenerator" | "SecretGenerator" => (Struct(GENERATOR), sigs),
        "IAMPolicyGenerator" => (
            plugin!(
                ("cloud", Promoted(&Str)),
                (
                    "kubernetesService",
                    Promoted(&Struct(&[("namespace", Str), ("name", Str)])),
                ),
                (
                    "serviceAccount",
                    Promoted(&Struct(&[("name", Str), ("projectId", Str)])),
                ),
            ),
            sigs,
        ),
        _ => return None,
    })
}

/// The value `v` decoded into `ty` and written back: canonical keys, Go
/// types, unknown keys and null fields gone. The error names the field
/// (`annotations.a`) and what was wrong.
pub fn normalize(v: &Value, ty: GoType, decoder: Decoder) -> Result<Value, String> {
    normalize_at(v, ty, decoder, true, "").map(|n| n.unwrap_or_else(|| Value::Map(Map::new())))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn mismatch(path: &str, want: &str, got: &Value) -> String {
    let what = match got {
        Value::Map(_) => "a mapping",
        Value::Seq(_) => "a list",
        Value::String(_) => "a string",
        Value::Bool(_) => "a boolean",
        Value::Int(_) | Value::UInt(_) | Value::Float(_) => "a number",
        Value::Null(_) => "null",
    };
    if path.is_empty() {
        format!("the config must be {want}, not {what}")
    } else {
        format!("field {path} must be {want}, not {what}")
    }
}

/// A scalar as the text a Go string field receives (a string only, when
/// `convert` is off).
fn scalar_text(v: &Value, decoder: Decoder, convert: bool) -> Option<String> {
    Some(match v {
        Value::String(s) => s.clone(),
        _ if !convert => return None,
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        // JSON's `-0` reads back as the integer 0.
        Value::Float(f) if *f == 0.0 => "0".to_string(),
        Value::Float(f) => match decoder {
            Decoder::SigsYaml => format_go_float32(*f),
            Decoder::YamlV3 => format_go_float(*f),
        },
        Value::Bool(b) => b.to_string(),
        _ => return None,
    })
}

/// The value of struct field `name` in `m`: exact key, or for JSON rules a
/// key equal but for ASCII case, the last such in sorted order.
fn struct_field<'v>(m: &'v Map, name: &str, decoder: Decoder) -> Option<&'v Value> {
    match decoder {
        Decoder::YamlV3 => m.get(name),
        Decoder::SigsYaml => m
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .max_by(|a, b| a.0.cmp(b.0))
            .map(|(_, v)| v),
    }
}

fn normalize_at(
    v: &Value,
    ty: GoType,
    decoder: Decoder,
    convert: bool,
    path: &str,
) -> Result<Option<Value>, String> {
    if v.is_null() {
        return Ok(None);
    }
    Ok(Some(match ty {
        Promoted(inner) => {
            let convert = convert && decoder == Decoder::YamlV3;
            return normalize_at(v, *inner, decoder, convert, path);
        }
        Str => Value::String(
            scalar_text(v, decoder, convert).ok_or_else(|| mismatch(path, "a string", v))?,
        ),
        Bool => match v {
            Value::Bool(b) => Value::Bool(*b),
            _ => return Err(mismatch(path, "a boolean", v)),
        },
        Int => match v {
            Value::Int(i) => Value::Int(*i),
            _ => return Err(mismatch(path, "an integer", v)),
        },
        StrList => {
            let Value::Seq(items) = v else {
                return Err(mismatch(path, "a list of strings", v));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let at = format!("{path}[{i}]");
                out.push(match item {
                    Value::Null(_) => Value::String(String::new()),
                    _ => Value::String(
                        scalar_text(item, decoder, convert)
                            .ok_or_else(|| mismatch(&at, "a string", item))?,
                    ),
                });
            }
            Value::Seq(out)
        }
        StrMap | BoolMap => {
            let Value::Map(m) = v else {
                return Err(mismatch(path, "a mapping", v));
            };
            let mut out = Map::with_capacity(m.len());
            for (k, item) in m.iter() {
                let at = join(path, k);
                let value = match (ty, item) {
                    (StrMap, Value::Null(_)) => Value::String(String::new()),
                    (StrMap, _) => Value::String(
                        scalar_text(item, decoder, convert)
                            .ok_or_else(|| mismatch(&at, "a string", item))?,
                    ),
                    (_, Value::Null(_)) => Value::Bool(false),
                    (_, Value::Bool(b)) => Value::Bool(*b),
                    _ => return Err(mismatch(&at, "a boolean", item)),
                };
                out.insert(k.clone(), value);
            }
            Value::Map(out)
        }
        List(elem) => {
            let Value::Seq(items) = v else {
                return Err(mismatch(path, "a list", v));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let at = format!("{path}[{i}]");
                let n = normalize_at(item, *elem, decoder, convert, &at)?;
                // A null element is the element type's zero value.
                out.push(n.unwrap_or_else(|| zero(*elem)));
            }
            Value::Seq(out)
        }
        Struct(fields) => {
            let Value::Map(m) = v else {
                return Err(mismatch(path, "a mapping", v));
            };
            let mut out = Map::with_capacity(fields.len());
            for &(name, fty) in fields {
                if let Some(fv) = struct_field(m, name, decoder)
                    && let Some(n) = normalize_at(fv, fty, decoder, convert, &join(path, name))?
                {
                    out.insert(name, n);
                }
            }
            Value::Map(out)
        }
    }))
}

/// The zero value of a list element type, as a normalised value.
fn zero(ty: GoType) -> Value {
    match ty {
        Str => Value::String(String::new()),
        Bool => Value::Bool(false),
        Int => Value::Int(0),
        StrList | List(_) => Value::Seq(Vec::new()),
        StrMap | BoolMap | Struct(_) => Value::Map(Map::new()),
        Promoted(inner) => zero(*inner),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        crate::yaml::parse_documents(text).expect("yaml").remove(0)
    }

    /// The values kubectl gave for an AnnotationsTransformer config holding
    /// these scalars (the annotations it set).
    #[test]
    fn scalars_become_strings_as_in_kustomize() {
        let config = yaml(
            "annotations:\n  a: 51\n  b: yes\n  c: 1.50\n  d: 0x1F\n  e: true\n  \
             f: 3.14159265358979\n  g: 1e21\n  h: 2001-12-14\n  i: on\n  j: 0.1\n  \
             k: 12345678.9\n  l: null\n  m: \"\"\n  n: 1e6\n  o: -0.0\n  \
             p: 18446744073709551615\n  q: 9007199254740993\n",
        );
        let (ty, dec) = schema("AnnotationsTransformer").expect("known");
        let n = normalize(&config, ty, dec).expect("decodes");
        let got: Vec<(String, String)> = n
            .get("annotations")
            .and_then(Value::as_map)
            .expect("annotations")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("?").to_string()))
            .collect();
        let want = [
            ("a", "51"),
            ("b", "yes"),
            ("c", "1.5"),
            ("d", "31"),
            ("e", "true"),
            ("f", "3.1415927"),
            ("g", "1e+21"),
            ("h", "2001-12-14T00:00:00Z"),
            ("i", "on"),
            ("j", "0.1"),
            ("k", "1.2345679e+07"),
            ("l", ""),
            ("m", ""),
            ("n", "1000000"),
            ("o", "0"),
            ("p", "18446744073709551615"),
            ("q", "9007199254740993"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn keys_match_as_go_decoders_match_them() {
        let config = yaml(
            "fieldSpecs:\n- Path: metadata/labels\n  KIND: ConfigMap\n  extra: 1\n  create: true\n",
        );
        let (ty, dec) = schema("LabelTransformer").expect("known");
        let n = normalize(&config, ty, dec).expect("decodes");
        let spec = &n.get("fieldSpecs").and_then(Value::as_seq).expect("specs")[0];
        assert_eq!(spec.get("path"), Some(&Value::from("metadata/labels")));
        assert_eq!(spec.get("kind"), Some(&Value::from("ConfigMap")));
        assert!(spec.get("extra").is_none());
        // yaml.v3 (PrefixTransformer) matches keys exactly.
        let config = yaml("prefix: 7\nfieldSpecs:\n- Path: metadata/name\n  path: x\n");
        let (ty, dec) = schema("PrefixTransformer").expect("known");
        let n = normalize(&config, ty, dec).expect("decodes");
        assert_eq!(n.get("prefix"), Some(&Value::from("7")));
        let spec = &n.get("fieldSpecs").and_then(Value::as_seq).expect("specs")[0];
        assert_eq!(spec.get("path"), Some(&Value::from("x")));
    }

    #[test]
    fn real_mismatches_are_errors() {
        let (ty, dec) = schema("LabelTransformer").expect("known");
        for (text, msg) in [
            (
                "labels: [a]\n",
                "field labels must be a mapping, not a list",
            ),
            (
                "labels:\n  a: {b: c}\n",
                "field labels.a must be a string, not a mapping",
            ),
            (
                "fieldSpecs:\n- create: \"yes\"\n",
                "field fieldSpecs[0].create must be a boolean, not a string",
            ),
        ] {
            assert_eq!(
                normalize(&yaml(text), ty, dec),
                Err(msg.to_string()),
                "{text}"
            );
        }
        let (ty, dec) = schema("ReplicaCountTransformer").expect("known");
        assert!(normalize(&yaml("replica:\n  count: 1.5\n"), ty, dec).is_err());
    }
}
