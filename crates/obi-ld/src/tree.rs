//! The expanded document as expansion builds it and node map generation reads it: strings and
//! numbers borrowed from the input where they come from it, keywords as static strings, and
//! small objects as vectors of entries scanned linearly (no hashing, no key allocation for
//! keywords). [`crate::expand`] converts it to a `serde_json::Value`; `Processor::to_rdf`
//! feeds it to toRdf directly.

use std::sync::Arc;

use serde_json::{Map, Number, Value};

use crate::node_map::FastMap;

/// A string of the expanded tree: borrowed from the input, shared with a term definition,
/// or made by expansion.
#[derive(Debug, Clone)]
pub(crate) enum Str<'a> {
    Borrowed(&'a str),
    Shared(Arc<str>),
    Owned(String),
}

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Str::Borrowed(s) => s,
            Str::Shared(s) => s,
            Str::Owned(s) => s,
        }
    }
}

impl AsRef<str> for Str<'_> {
    fn as_ref(&self) -> &str {
        self
    }
}

impl PartialEq for Str<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Str<'_> {}

impl std::hash::Hash for Str<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl std::borrow::Borrow<str> for Str<'_> {
    fn borrow(&self) -> &str {
        self
    }
}

impl PartialOrd for Str<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Str<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl PartialEq<str> for Str<'_> {
    fn eq(&self, other: &str) -> bool {
        &**self == other
    }
}

impl PartialEq<&str> for Str<'_> {
    fn eq(&self, other: &&str) -> bool {
        &**self == *other
    }
}

impl<'a> From<&'a str> for Str<'a> {
    fn from(s: &'a str) -> Self {
        Str::Borrowed(s)
    }
}

impl From<String> for Str<'_> {
    fn from(s: String) -> Self {
        Str::Owned(s)
    }
}

impl<'a> Str<'a> {
    /// The same text without a copy: borrowed from `self`, or the same shared string.
    pub(crate) fn share(&'a self) -> Str<'a> {
        match self {
            Str::Shared(s) => Str::Shared(Arc::clone(s)),
            other => Str::Borrowed(other),
        }
    }

    pub(crate) fn into_string(self) -> String {
        match self {
            Str::Owned(s) => s,
            other => other.as_ref().to_owned(),
        }
    }
}

/// An expanded JSON-LD value.
#[derive(Debug, Clone)]
pub(crate) enum Ev<'a> {
    Null,
    Bool(bool),
    Num(&'a Number),
    Str(Str<'a>),
    Array(Vec<Ev<'a>>),
    Object(Obj<'a>),
    /// A JSON literal's value (`@type: @json`), kept as the input has it.
    Json(&'a Value),
}

/// An expanded object: its entries in insertion order, with the replace and remove semantics
/// of `serde_json::Map` with `preserve_order` (removal swaps the last entry in), so that its
/// conversion has the entry order the `Value`-building expansion had. Small objects (nearly
/// all) are scanned; beyond [`INDEXED_LEN`] entries a hash index keeps lookups constant-time,
/// so that a huge input object does not make expansion quadratic.
#[derive(Debug, Clone, Default)]
pub(crate) struct Obj<'a> {
    entries: Vec<(Str<'a>, Ev<'a>)>,
    /// Boxed: the index is rare and `Ev` stays small.
    index: Option<Box<FastMap<String, usize>>>,
}

/// Entries beyond which an [`Obj`] indexes its keys.
pub(crate) const INDEXED_LEN: usize = 32;

impl<'a> Obj<'a> {
    pub(crate) fn new() -> Self {
        Obj::default()
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        Obj {
            entries: Vec::with_capacity(n.min(INDEXED_LEN)),
            index: None,
        }
    }

    /// An object of one entry.
    pub(crate) fn one(key: &'static str, value: Ev<'a>) -> Self {
        Obj {
            entries: vec![(Str::Borrowed(key), value)],
            index: None,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    #[inline]
    fn position(&self, key: &str) -> Option<usize> {
        if self.index.is_some() {
            return self.indexed_position(key);
        }
        self.entries.iter().position(|(k, _)| k == key)
    }

    /// The position of `key` in an indexed (large) object.
    #[cold]
    #[inline(never)]
    fn indexed_position(&self, key: &str) -> Option<usize> {
        self.index
            .as_ref()
            .and_then(|index| index.get(key).copied())
    }

    #[inline]
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        if self.index.is_some() {
            return self.indexed_position(key).is_some();
        }
        self.entries.iter().any(|(k, _)| k == key)
    }

    #[inline]
    pub(crate) fn get(&self, key: &str) -> Option<&Ev<'a>> {
        if self.index.is_some() {
            return self
                .entries
                .get(self.indexed_position(key)?)
                .map(|(_, v)| v);
        }
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Ev<'a>> {
        if self.index.is_some() {
            let i = self.indexed_position(key)?;
            return self.entries.get_mut(i).map(|(_, v)| v);
        }
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Sets `key` to `value`: in place if present, else at the end.
    pub(crate) fn insert(&mut self, key: impl Into<Str<'a>>, value: Ev<'a>) {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.push_new(key, value),
        }
    }

    /// Appends an entry known not to be present.
    #[inline]
    pub(crate) fn push_new(&mut self, key: Str<'a>, value: Ev<'a>) {
        if self.entries.len() >= INDEXED_LEN {
            self.push_indexed(key, value);
        } else {
            self.entries.push((key, value));
        }
    }

    #[cold]
    fn push_indexed(&mut self, key: Str<'a>, value: Ev<'a>) {
        let index = self.index.get_or_insert_with(|| {
            Box::new(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.as_ref().to_owned(), i))
                    .collect(),
            )
        });
        index.insert(key.as_ref().to_owned(), self.entries.len());
        self.entries.push((key, value));
    }

    /// Removes `key`, moving the last entry into its place (as `serde_json::Map::remove`).
    pub(crate) fn remove(&mut self, key: &str) -> Option<Ev<'a>> {
        let i = self.position(key)?;
        let (_, value) = self.entries.swap_remove(i);
        if let Some(index) = &mut self.index {
            index.remove(key);
            if let Some((moved, _)) = self.entries.get(i) {
                index.insert(moved.as_ref().to_owned(), i);
            }
        }
        Some(value)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Str<'a>, &Ev<'a>)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub(crate) fn into_entries(self) -> std::vec::IntoIter<(Str<'a>, Ev<'a>)> {
        self.entries.into_iter()
    }

    pub(crate) fn to_map(&self) -> Map<String, Value> {
        let mut m = Map::with_capacity(self.entries.len());
        for (k, v) in &self.entries {
            m.insert(k.as_ref().to_owned(), v.to_value());
        }
        m
    }

    /// Borrows a JSON object (every key and string borrowed).
    pub(crate) fn from_map(map: &'a Map<String, Value>) -> Self {
        let mut obj = Obj::with_capacity(map.len());
        for (k, v) in map {
            obj.push_new(Str::Borrowed(k.as_str()), Ev::from_value(v));
        }
        obj
    }
}

impl<'a> Ev<'a> {
    pub(crate) fn str(s: &'a str) -> Self {
        Ev::Str(Str::Borrowed(s))
    }

    /// A borrowed view of a JSON value (every string borrowed).
    pub(crate) fn from_value(v: &'a Value) -> Self {
        match v {
            Value::Null => Ev::Null,
            Value::Bool(b) => Ev::Bool(*b),
            Value::Number(n) => Ev::Num(n),
            Value::String(s) => Ev::str(s),
            Value::Array(a) => Ev::Array(a.iter().map(Ev::from_value).collect()),
            Value::Object(m) => Ev::Object(Obj::from_map(m)),
        }
    }

    /// A scalar of the input (null, boolean, number or string), borrowed.
    pub(crate) fn scalar(v: &'a Value) -> Self {
        match v {
            Value::Null => Ev::Null,
            Value::Bool(b) => Ev::Bool(*b),
            Value::Number(n) => Ev::Num(n),
            Value::String(s) => Ev::str(s),
            other => Ev::Json(other),
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        match self {
            Ev::Null => Value::Null,
            Ev::Bool(b) => Value::Bool(*b),
            Ev::Num(n) => Value::Number((*n).clone()),
            Ev::Str(s) => Value::String(s.as_ref().to_owned()),
            Ev::Array(a) => Value::Array(a.iter().map(Ev::to_value).collect()),
            Ev::Object(m) => Value::Object(m.to_map()),
            Ev::Json(v) => (*v).clone(),
        }
    }

    pub(crate) fn into_value(self) -> Value {
        match self {
            Ev::Str(s) => Value::String(s.into_string()),
            Ev::Array(a) => Value::Array(a.into_iter().map(Ev::into_value).collect()),
            Ev::Object(m) => {
                let mut out = Map::with_capacity(m.len());
                for (k, v) in m.into_entries() {
                    out.insert(k.into_string(), v.into_value());
                }
                Value::Object(out)
            }
            other => other.to_value(),
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        match self {
            Ev::Null => true,
            Ev::Json(v) => v.is_null(),
            _ => false,
        }
    }

    pub(crate) fn is_array(&self) -> bool {
        match self {
            Ev::Array(_) => true,
            Ev::Json(v) => v.is_array(),
            _ => false,
        }
    }

    pub(crate) fn is_object(&self) -> bool {
        match self {
            Ev::Object(_) => true,
            Ev::Json(v) => v.is_object(),
            _ => false,
        }
    }

    pub(crate) fn is_string(&self) -> bool {
        match self {
            Ev::Str(_) => true,
            Ev::Json(v) => v.is_string(),
            _ => false,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Ev::Str(s) => Some(s),
            Ev::Json(v) => v.as_str(),
            _ => None,
        }
    }

    pub(crate) fn as_object(&self) -> Option<&Obj<'a>> {
        match self {
            Ev::Object(m) => Some(m),
            _ => None,
        }
    }
}

impl PartialEq for Ev<'_> {
    /// Equality of the JSON values (objects compared regardless of entry order).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Ev::Null, Ev::Null) => true,
            (Ev::Bool(a), Ev::Bool(b)) => a == b,
            (Ev::Num(a), Ev::Num(b)) => a == b,
            (Ev::Str(a), Ev::Str(b)) => a == b,
            (Ev::Array(a), Ev::Array(b)) => a == b,
            (Ev::Object(a), Ev::Object(b)) => a == b,
            (Ev::Json(a), Ev::Json(b)) => a == b,
            (Ev::Json(a), b) | (b, Ev::Json(a)) => **a == b.to_value(),
            _ => false,
        }
    }
}

impl PartialEq for Obj<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .entries
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|w| v == w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inserts, replacements and removals keep the entries and their order exactly as a
    /// `serde_json::Map` (with `preserve_order`) keeps them, scanned or indexed.
    #[test]
    fn entries_follow_serde_json_map_semantics_small_and_large() {
        for keys in [8u64, 200] {
            let mut obj = Obj::new();
            let mut map = Map::new();
            let mut state = 0x2545_f491_4f6c_dd1d_u64;
            for step in 0..4000u64 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let key = format!("k{}", (state >> 33) % keys);
                if (state >> 20).is_multiple_of(4) {
                    assert_eq!(
                        obj.remove(&key).map(|v| v.to_value()),
                        map.remove(&key),
                        "{key}"
                    );
                } else {
                    let value = step.to_string();
                    obj.insert(Str::Owned(key.clone()), Ev::Str(Str::Owned(value.clone())));
                    map.insert(key, Value::String(value));
                }
                assert_eq!(obj.len(), map.len());
            }
            let ours: Vec<&str> = obj.keys().collect();
            let theirs: Vec<&str> = map.keys().map(String::as_str).collect();
            assert_eq!(ours, theirs);
            assert_eq!(obj.to_map(), map);
            assert!(
                keys < 100 || obj.index.is_some(),
                "large objects are indexed"
            );
            for k in map.keys() {
                assert_eq!(obj.get(k).map(Ev::to_value).as_ref(), map.get(k));
            }
            assert!(!obj.contains_key("absent"));
        }
    }
}
