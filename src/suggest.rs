//! "Did you mean" hints: the resource ids nearest to one that matched
//! nothing, the known name nearest to an unknown one.

use crate::resource::{ResId, ResMap};

/// Levenshtein distance between two strings (by chars).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A suffix for an error message listing up to three ids in `m` closest to
/// `id` (same kind first, then by name distance), or an empty string.
pub fn nearest_ids(m: &ResMap, id: &ResId) -> String {
    let mut scored: Vec<(usize, String)> = m
        .resources()
        .iter()
        .map(|r| {
            let rid = r.id();
            let mut d = edit_distance(&rid.name, &id.name);
            if rid.gvk.kind != id.gvk.kind {
                d += 10;
            }
            if rid.namespace != id.namespace {
                d += 2;
            }
            (d, rid.readable())
        })
        .collect();
    scored.sort();
    let near: Vec<String> = scored.into_iter().take(3).map(|(_, s)| s).collect();
    if near.is_empty() {
        String::new()
    } else {
        format!(" (did you mean: {}?)", near.join(", "))
    }
}

/// The candidate closest to `word` (ignoring case) when it is close enough
/// to be a likely typo: at most a third of the word's length in edits (at
/// least 1, at most 3), or a different case only.
pub fn nearest_word<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn nearest_words() {
        let known = [
            "resources",
            "namespace",
            "commonLabels",
            "patches",
            "images",
        ];
        assert_eq!(nearest_word("resource", &known), Some("resources"));
        assert_eq!(nearest_word("namesapce", &known), Some("namespace"));
        assert_eq!(nearest_word("CommonLabel", &known), Some("commonLabels"));
        assert_eq!(nearest_word("image", &known), Some("images"));
        assert_eq!(nearest_word("foo", &known), None);
        assert_eq!(nearest_word("helmCharts", &known), None);
    }
}
