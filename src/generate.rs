//! The builtin generators: `configMapGenerator` and `secretGenerator`.

use base64::Engine;

use crate::error::{Error, Result};
use crate::kustomization::{GeneratorArgs, GeneratorOptions};
use crate::loader::{Loader, QuickEntry};
use crate::resource::{Behavior, Resource};
use crate::yaml::{Map, Value};

/// Which object a generator makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratedKind {
    /// A ConfigMap.
    ConfigMap,
    /// A Secret.
    Secret,
}

/// A key and its raw bytes.
struct Pair {
    key: String,
    value: Vec<u8>,
}

/// Splits a `key=value` literal. The error never shows the literal itself:
/// a literal with no `=` is most likely a bare value, which may be a secret.
fn literal_pair(source: &str) -> Result<Pair> {
    let Some((k, v)) = source.split_once('=').filter(|(k, _)| !k.is_empty()) else {
        let why = if source.contains('=') {
            "the key before '=' is empty"
        } else {
            "it has no '='"
        };
        return Err(Error::msg(format!(
            "invalid literal source ({}), expected key=value",
            why
        )));
    };
    let b = v.as_bytes();
    let v = if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &v[1..v.len() - 1]
    } else {
        v
    };
    Ok(Pair {
        key: k.to_string(),
        value: v.as_bytes().to_vec(),
    })
}

fn file_source(source: &str) -> Result<(String, String)> {
    let n = source.matches('=').count();
    match n {
        0 => {
            let base = source
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(source);
            Ok((base.to_string(), source.to_string()))
        }
        1 if source.starts_with('=') => Err(Error::msg(format!(
            "missing key name for file path {:?} in source {:?}",
            &source[1..],
            source
        ))),
        1 if source.ends_with('=') => Err(Error::msg(format!(
            "missing file path for key name {:?} in source {:?}",
            &source[..source.len() - 1],
            source
        ))),
        1 => {
            let (k, p) = source.split_once('=').expect("one '='");
            Ok((k.to_string(), p.to_string()))
        }
        _ => Err(Error::msg(format!(
            "source {:?} key name or file path contains '='",
            source
        ))),
    }
}

fn env_pairs(ldr: &Loader, path: &str) -> Result<Vec<Pair>> {
    let content = ldr.load(path)?;
    let mut out = Vec::new();
    for (i, raw) in content.split(|&b| b == b'\n').enumerate() {
        let mut line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if i == 0 {
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        let Ok(line) = std::str::from_utf8(line) else {
            return Err(Error::in_file(
                ldr.display_path(path),
                format!("line {} has invalid utf8 bytes", i + 1),
            )
            .with_line(Some(i + 1)));
        };
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        if k.is_empty() {
            return Err(Error::in_file(
                ldr.display_path(path),
                "a line has an empty variable name",
            )
            .with_line(Some(i + 1)));
        }
        out.push(Pair {
            key: k.to_string(),
            value: v.as_bytes().to_vec(),
        });
    }
    Ok(out)
}

/// Base64 as kustomize writes Secret data: lines of 70 characters, each
/// followed by a newline when the encoding is 70 characters or longer.
fn encode_secret(value: &[u8]) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(value);
    if enc.len() < 70 {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / 70 + 1);
    for chunk in enc.as_bytes().chunks(70) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ascii"));
        out.push('\n');
    }
    out
}

fn options_into_metadata(meta: &mut Map, opts: Option<&GeneratorOptions>) {
    let Some(o) = opts else { return };
    let mut put = |field: &str, pairs: &[(String, String)]| {
        if pairs.is_empty() {
            return;
        }
        let m = meta.entry_or_insert_with(field, || Value::Map(Map::new()));
        if let Value::Map(m) = m {
            for (k, v) in pairs {
                m.insert(k.clone(), Value::String(v.clone()));
            }
        }
    };
    put("labels", &o.labels);
    put("annotations", &o.annotations);
}

/// Makes the object a generator entry describes. `global` is the
/// kustomization's `generatorOptions`.
pub fn generate(
    ldr: &Loader,
    kind: GeneratedKind,
    args: &GeneratorArgs,
    global: Option<&GeneratorOptions>,
) -> Result<Resource> {
    let what = match kind {
        GeneratedKind::ConfigMap => "configMapGenerator",
        GeneratedKind::Secret => "secretGenerator",
    };
    if args.name.is_empty() {
        return Err(Error::msg(format!(
            "{}: a {} must have a name",
            what,
            if kind == GeneratedKind::Secret {
                "secret"
            } else {
                "configmap"
            }
        )));
    }
    // kustomize takes any other value (`Merge`, a typo) as unspecified,
    // which is create.
    let behavior = match args.behavior.as_str() {
        "merge" => Behavior::Merge,
        "replace" => Behavior::Replace,
        _ => Behavior::Create,
    };
    let opts = GeneratorOptions::merged_with_global(args.options.as_ref(), global);

    // Sources in kustomize's order: envs, literals, files.
    let mut pairs = Vec::new();
    for e in &args.envs {
        pairs.extend(env_pairs(ldr, e)?);
    }
    for (i, l) in args.literals.iter().enumerate() {
        pairs.push(literal_pair(l).map_err(|e| {
            Error::msg(format!(
                "{} {:?}: literal {}: {}",
                what,
                args.name,
                i + 1,
                e.message
            ))
        })?);
    }
    for f in &args.files {
        let (key, path) = file_source(f)
            .map_err(|e| Error::msg(format!("{} {:?}: {}", what, args.name, e.message)))?;
        // The usual plain file in one open and its reads.
        let quick = ldr.read_entry_quick(&path);
        if quick == Some(QuickEntry::Dir) || (quick.is_none() && ldr.is_dir(&path)) {
            return Err(Error::in_file(
                ldr.display_path(&path),
                format!(
                    "{} {:?}: file sources must be files, not directories",
                    what, args.name
                ),
            ));
        }
        let mut value = match quick {
            Some(QuickEntry::File(bytes)) => bytes,
            _ => ldr.load(&path)?,
        };
        // Kept in the output: without the read buffer's spare room (a
        // small file is read into at least 16 KiB).
        value.shrink_to_fit();
        pairs.push(Pair { key, value });
    }
    let mut seen = std::collections::HashSet::new();
    for p in &pairs {
        if !seen.insert(p.key.clone()) {
            return Err(Error::msg(format!(
                "{} {} illegally repeats the key `{}`",
                if kind == GeneratedKind::Secret {
                    "secret"
                } else {
                    "configmap"
                },
                args.name,
                p.key
            )));
        }
    }
    pairs.sort_by(|a, b| a.key.cmp(&b.key));

    let mut meta = Map::new();
    meta.insert("name", Value::String(args.name.clone()));
    if !args.namespace.is_empty() {
        meta.insert("namespace", Value::String(args.namespace.clone()));
    }
    options_into_metadata(&mut meta, opts.as_ref());

    let mut doc = Map::new();
    doc.insert("apiVersion", Value::from("v1"));
    match kind {
        GeneratedKind::ConfigMap => {
            doc.insert("kind", Value::from("ConfigMap"));
            doc.insert("metadata", Value::Map(meta));
            let mut data = Map::new();
            let mut binary = Map::new();
            for p in pairs {
                match String::from_utf8(p.value) {
                    Ok(s) => {
                        data.insert(p.key, Value::String(s));
                    }
                    Err(e) => {
                        binary.insert(p.key, Value::String(encode_secret(e.as_bytes())));
                    }
                }
            }
            if !data.is_empty() {
                doc.insert("data", Value::Map(data));
            }
            if !binary.is_empty() {
                doc.insert("binaryData", Value::Map(binary));
            }
        }
        GeneratedKind::Secret => {
            doc.insert("kind", Value::from("Secret"));
            doc.insert("metadata", Value::Map(meta));
            let ty = if args.type_.is_empty() {
                "Opaque"
            } else {
                &args.type_
            };
            doc.insert("type", Value::from(ty));
            let mut data = Map::new();
            for p in pairs {
                data.insert(p.key, Value::String(encode_secret(&p.value)));
            }
            doc.insert("data", Value::Map(data));
        }
    }
    if opts.as_ref().is_some_and(|o| o.immutable) {
        doc.insert("immutable", Value::Bool(true));
    }
    let mut r = Resource::new(Value::Map(doc));
    r.generated = true;
    r.behavior = behavior;
    r.needs_hash = !opts.as_ref().is_some_and(|o| o.disable_name_suffix_hash);
    // For messages about the object (e.g. at output time): the generator's
    // kustomization file.
    r.source = ldr
        .kustomization_file()
        .ok()
        .map(|f| crate::loader::display(&f));
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_quotes_are_removed() {
        let p = literal_pair("a=\"x y\"").unwrap();
        assert_eq!(p.value, b"x y");
        let p = literal_pair("b='q'").unwrap();
        assert_eq!(p.value, b"q");
        assert!(literal_pair("=x").is_err());
        assert!(literal_pair("novalue").is_err());
    }

    #[test]
    fn literal_errors_never_show_the_literal() {
        // kubectl kustomize fails on both (and prints them); aiw must not.
        for bad in ["Sup3rS3cretVal", "=Sup3rS3cretVal"] {
            let e = literal_pair(bad).err().expect("invalid literal");
            assert!(!e.message.contains("Sup3r"), "{}", e.message);
        }
    }

    #[test]
    fn file_sources() {
        assert_eq!(
            file_source("dir/a.txt").unwrap(),
            ("a.txt".into(), "dir/a.txt".into())
        );
        assert_eq!(
            file_source("k=dir/a.txt").unwrap(),
            ("k".into(), "dir/a.txt".into())
        );
        assert!(file_source("=a").is_err());
        assert!(file_source("a=").is_err());
        assert!(file_source("a=b=c").is_err());
    }

    #[test]
    fn long_secret_values_wrap_at_70() {
        let v = vec![b'x'; 60];
        let enc = encode_secret(&v);
        assert!(enc.ends_with('\n'));
        assert_eq!(enc.lines().next().unwrap().len(), 70);
        assert_eq!(encode_secret(b"x y"), "eCB5");
    }
}
