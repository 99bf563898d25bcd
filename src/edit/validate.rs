//! The checks `kustomize edit` makes on names, labels and annotations
//! before it writes them (Kubernetes' validation rules).

/// A DNS-1123 label: a namespace name.
pub fn dns1123_label(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{:?} is not a valid namespace name: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', start and end with an alphanumeric character, and be at most 63 characters",
            s
        ))
    }
}

fn dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63 characters.
fn qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A label or annotation key: `[prefix/]name`, the prefix a DNS-1123
/// subdomain.
pub fn qualified_name(kind: &str, key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if prefix.is_some_and(|p| !dns1123_subdomain(p)) || !qualified_name_part(name) {
        return Err(format!(
            "invalid {} key {:?}: a valid key is an optional DNS subdomain prefix and '/', then a name of at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character",
            kind, key
        ));
    }
    Ok(())
}

/// A label value: empty, or a name part.
pub fn label_value(key: &str, value: &str) -> Result<(), String> {
    if value.is_empty() || qualified_name_part(value) {
        Ok(())
    } else {
        Err(format!(
            "invalid label value {:?} for {:?}: a valid label value is empty or at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character",
            value, key
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(dns1123_label("staging-1").is_ok());
        assert!(dns1123_label("Staging").is_err());
        assert!(dns1123_label("-a").is_err());
        assert!(qualified_name("label", "app.kubernetes.io/name").is_ok());
        assert!(qualified_name("label", "app").is_ok());
        assert!(qualified_name("label", "a b").is_err());
        assert!(qualified_name("label", "Bad_Prefix/x").is_err());
        assert!(label_value("k", "").is_ok());
        assert!(label_value("k", "v1.2_x").is_ok());
        assert!(label_value("k", "has space").is_err());
    }
}
