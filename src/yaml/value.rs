//! The document model: an order-preserving YAML value holding scalars exactly as
//! kustomize reads them (yaml.v3 decoding followed by a JSON round trip).

use std::fmt;

/// A YAML/JSON value as kustomize sees it after reading.
///
/// Scalars are already resolved: `0755` is `Int(493)`, `2001-12-14` is the
/// string `"2001-12-14T00:00:00Z"`, `~` is `Null`. Mappings keep their input
/// order (the emitter sorts keys the way go-yaml v2 does).
///
/// Equality is the equality of what kustomize outputs: every null equals
/// every other, whatever its [`NullForm`] (see [`Value::identical`]).
#[derive(Clone, Debug)]
pub enum Value {
    /// `null`, `~` or an empty scalar; [`NullForm`] says which was written.
    Null(NullForm),
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// An integer above `i64::MAX` that fits in `u64`.
    UInt(u64),
    /// Any other number.
    Float(f64),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Value>),
    /// A mapping with string keys.
    Map(Map),
}

/// How a null was written. Output never shows it (every null is written
/// `null`), but kyaml's strategic merge does: a target field holding a null
/// the patch does not touch is kept when the null was written as a word
/// (`key: null`, `key: ~`: kyaml's "persistent" null) and dropped when it
/// was written as nothing (`key:`, `key: !!null ""`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullForm {
    /// A word: `null`, `~`, `Null`, `NULL` (and every null aiw makes itself,
    /// as JSON has only that form).
    Word,
    /// Nothing: an empty value (`key:`, `- `), or `!!null` on empty text.
    Empty,
}

/// An order-preserving mapping with string keys.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

impl Map {
    /// An empty mapping.
    pub fn new() -> Self {
        Map {
            entries: Vec::new(),
        }
    }

    /// An empty mapping with room for `n` entries.
    pub fn with_capacity(n: usize) -> Self {
        Map {
            entries: Vec::with_capacity(n),
        }
    }

    /// Builds a mapping from entries whose keys are already known to be
    /// distinct (not checked), in O(n). Used by the YAML reader, which checks
    /// duplicates itself with a hash set on large mappings.
    pub fn from_unique_entries(entries: Vec<(String, Value)>) -> Self {
        Map { entries }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the mapping has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value under `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// True when `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// Sets `key` to `value`, replacing in place an existing entry (keeping its
    /// position) or appending a new one. Returns the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) -> Option<Value> {
        let key = key.into();
        if let Some(slot) = self.get_mut(&key) {
            return Some(std::mem::replace(slot, value));
        }
        self.entries.push((key, value));
        None
    }

    /// Removes `key`, keeping the order of the others. Returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }

    /// The value under `key`, inserting `default()` first when absent.
    pub fn entry_or_insert_with(
        &mut self,
        key: &str,
        default: impl FnOnce() -> Value,
    ) -> &mut Value {
        let pos = match self.entries.iter().position(|(k, _)| k == key) {
            Some(p) => p,
            None => {
                self.entries.push((key.to_string(), default()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[pos].1
    }

    /// The position of `key` among the entries.
    pub fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k == key)
    }

    /// The value of entry number `i`, mutably.
    pub fn value_at_mut(&mut self, i: usize) -> Option<&mut Value> {
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    /// Appends `key: value`; the caller knows `key` is absent.
    pub fn push_new(&mut self, key: &str, value: Value) -> &mut Value {
        debug_assert!(!self.contains_key(key));
        self.entries.push((key.to_string(), value));
        let last = self.entries.len() - 1;
        &mut self.entries[last].1
    }

    /// The entries in order, as a slice.
    pub fn entries(&self) -> &[(String, Value)] {
        &self.entries
    }

    /// Iterates over entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Iterates mutably over entries in order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&String, &mut Value)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Keeps only the entries for which `f` returns true.
    pub fn retain(&mut self, mut f: impl FnMut(&str, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| f(k, v));
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<T: IntoIterator<Item = (String, Value)>>(iter: T) -> Self {
        let mut m = Map::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null(_), Value::Null(_)) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::UInt(a), Value::UInt(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Seq(a), Value::Seq(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            _ => false,
        }
    }
}

impl Value {
    /// A null written as a word (`null`), the form of every null aiw makes.
    pub const NULL: Value = Value::Null(NullForm::Word);

    /// Equality that also tells the [`NullForm`]s apart (`==` does not):
    /// the same value read the same way.
    pub fn identical(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null(a), Value::Null(b)) => a == b,
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.identical(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && va.identical(vb))
            }
            _ => self == other,
        }
    }

    /// True for a null written as nothing (`key:`), which a strategic merge
    /// drops from the fields it walks (see [`NullForm`]).
    pub fn is_empty_null(&self) -> bool {
        matches!(self, Value::Null(NullForm::Empty))
    }

    /// The mapping inside, if this is one.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The mapping inside, mutably.
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The sequence inside, if this is one.
    pub fn as_seq(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The sequence inside, mutably.
    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The string inside, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// True for `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null(_))
    }

    /// Looks up `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map()?.get(key)
    }

    /// Looks up `key` mutably when this is a mapping.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.as_map_mut()?.get_mut(key)
    }

    /// Follows a path of mapping keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Value> {
        let mut cur = self;
        for k in path {
            cur = cur.get(k)?;
        }
        Some(cur)
    }

    /// Follows a path of mapping keys mutably.
    pub fn get_path_mut(&mut self, path: &[&str]) -> Option<&mut Value> {
        let mut cur = self;
        for k in path {
            cur = cur.get_mut(k)?;
        }
        Some(cur)
    }

    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null(_) => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::UInt(_) => "integer",
            Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "sequence",
            Value::Map(_) => "mapping",
        }
    }

    /// The scalar rendered the way kustomize stringifies it (Go `fmt` of the
    /// JSON-decoded value): strings as is, numbers in Go's shortest form.
    /// Returns `None` for sequences and mappings.
    pub fn scalar_string(&self) -> Option<String> {
        Some(match self {
            Value::Null(_) => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::UInt(u) => u.to_string(),
            Value::Float(f) => format_go_float(*f),
            Value::String(s) => s.clone(),
            _ => return None,
        })
    }
}

/// Formats a float as Go's `strconv.FormatFloat(f, 'g', -1, 64)` does
/// (`1e+06`, `1.5e-07`, `0.0001`, `100000.5`).
pub fn format_go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Shortest round-trip digits via Rust's `{:e}` formatting.
    go_g_format(&format!("{:e}", f))
}

/// Formats a float as Go's `strconv.FormatFloat(f, 'g', -1, 32)` does: the
/// shortest digits that read back as the same `float32` (`3.1415927`,
/// `1.2345679e+07`).
pub fn format_go_float32(f: f64) -> String {
    let g = f as f32;
    if g.is_nan() || g.is_infinite() || g == 0.0 {
        return format_go_float(g as f64);
    }
    go_g_format(&format!("{:e}", g))
}

/// Go's `%g` layout (shortest precision) of a number given in Rust's `{:e}`
/// form.
fn go_g_format(sci: &str) -> String {
    let (mant, exp) = sci.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let ndigits = digits.len() as i32;
    // Go's %g with the shortest precision switches to the exponent form when
    // exp < -4 || exp >= 6.
    let eprec = 6;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if exp < -4 || exp >= eprec {
        out.push_str(&digits[..1]);
        if ndigits > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let a = exp.abs();
        if a < 10 {
            out.push('0');
        }
        out.push_str(&a.to_string());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = (exp + 1) as usize;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in 0..(int_len - digits.len()) {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scalar_string() {
            Some(s) => f.write_str(&s),
            None => f.write_str(self.type_name()),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

impl From<serde_json::Value> for Value {
    /// Converts JSON (handy in tests and for JSON-syntax patches); object key
    /// order follows serde_json's map.
    fn from(j: serde_json::Value) -> Self {
        match j {
            serde_json::Value::Null => Value::NULL,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Value::UInt(u)
                } else {
                    Value::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::Seq(a.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => {
                Value::Map(o.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_insert_keeps_position() {
        let mut m = Map::new();
        m.insert("b", Value::Int(1));
        m.insert("a", Value::Int(2));
        m.insert("b", Value::Int(3));
        let keys: Vec<_> = m.keys().cloned().collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(m.get("b"), Some(&Value::Int(3)));
    }
}
