//! Shapes shared by the Open Badges 2.0 and 3.0 models: IRIs, date-times, a value that
//! is one item or an array, an IRI or an embedded object, and `@context`.
//!
//! Parsing is lenient: an [`Iri`] or [`DateTime`] is kept as written and checked only on
//! demand ([`Iri::validate`], [`DateTime::parse`]), so a verifier can report every problem
//! instead of stopping at the first.

use std::fmt;

use std::marker::PhantomData;

use serde::de::value::{
    BoolDeserializer, F64Deserializer, I64Deserializer, MapAccessDeserializer, StrDeserializer,
    StringDeserializer, U64Deserializer, UnitDeserializer,
};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Properties a model does not know (extensions, newer terms), kept in document order.
pub type Extra = Map<String, Value>;

/// An IRI as written in the document. Not checked on parse; see [`Iri::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Iri(pub String);

impl Iri {
    /// The IRI text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checks the IRI is absolute: a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`),
    /// a colon, a non-empty rest and no whitespace or control characters (RFC 3987).
    ///
    /// # Errors
    /// A message saying what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let s = self.0.as_str();
        let Some((scheme, rest)) = s.split_once(':') else {
            return Err(format!("{s:?} is not an absolute IRI: no scheme"));
        };
        let mut chars = scheme.chars();
        let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok {
            return Err(format!(
                "{s:?} is not an absolute IRI: bad scheme {scheme:?}"
            ));
        }
        if rest.is_empty() {
            return Err(format!(
                "{s:?} is not an absolute IRI: nothing after the scheme"
            ));
        }
        if let Some(c) = s
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
        {
            return Err(format!("{s:?} is not a valid IRI: contains {c:?}"));
        }
        Ok(())
    }
}

impl fmt::Display for Iri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Iri {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for Iri {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// An ISO 8601 date-time as written. Not checked on parse; see [`DateTime::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateTime(pub String);

impl DateTime {
    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the value as an RFC 3339 / ISO 8601 date-time with a time zone
    /// (`2024-01-02T03:04:05Z`, `2024-01-02T03:04:05.123+02:00`).
    ///
    /// # Errors
    /// A message naming the value when it is not such a date-time.
    pub fn parse(&self) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
        chrono::DateTime::parse_from_rfc3339(&self.0).map_err(|e| {
            format!(
                "{:?} is not an ISO 8601 date-time with a time zone: {e}",
                self.0
            )
        })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for DateTime {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// A property that may hold one value or an array of values. The shape is kept on
/// serialization: `One` writes a bare value, `Many` an array (even of one item).
#[derive(Debug, Clone, PartialEq)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// An array.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// Iterates over the values.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        match self {
            Self::One(v) => std::slice::from_ref(v).iter(),
            Self::Many(v) => v.iter(),
        }
    }

    /// The first value, if any.
    pub fn first(&self) -> Option<&T> {
        self.iter().next()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Self::One(_) => 1,
            Self::Many(v) => v.len(),
        }
    }

    /// True for an empty array.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values as a vector.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            Self::One(v) => vec![v],
            Self::Many(v) => v,
        }
    }
}

impl OneOrMany<String> {
    /// True when one of the values equals `s` (for `type`).
    pub fn contains(&self, s: &str) -> bool {
        self.iter().any(|v| v == s)
    }
}

impl<'a, T> IntoIterator for &'a OneOrMany<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> From<T> for OneOrMany<T> {
    fn from(v: T) -> Self {
        Self::One(v)
    }
}

impl<T: Serialize> Serialize for OneOrMany<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::One(v) => v.serialize(s),
            Self::Many(v) => v.serialize(s),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A streaming visitor (no intermediate `Value`): errors keep their JSON path and
        // each nesting level costs little stack.
        struct OneOrManyVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or an array of values")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(OneOrMany::Many(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(OneOrMany::One)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(StrDeserializer::new(v)).map(OneOrMany::One)
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                T::deserialize(StringDeserializer::new(v)).map(OneOrMany::One)
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                T::deserialize(BoolDeserializer::new(v)).map(OneOrMany::One)
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(I64Deserializer::new(v)).map(OneOrMany::One)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(U64Deserializer::new(v)).map(OneOrMany::One)
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                T::deserialize(F64Deserializer::new(v)).map(OneOrMany::One)
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                T::deserialize(UnitDeserializer::new()).map(OneOrMany::One)
            }
        }

        d.deserialize_any(OneOrManyVisitor(PhantomData))
    }
}

/// A property that holds either an IRI (a reference to a node published elsewhere) or the
/// embedded object itself.
#[derive(Debug, Clone, PartialEq)]
pub enum IdOr<T> {
    /// A reference by IRI.
    Id(Iri),
    /// The embedded object.
    Object(Box<T>),
}

impl<T> IdOr<T> {
    /// The embedded object, if this is not a reference.
    pub fn object(&self) -> Option<&T> {
        match self {
            Self::Id(_) => None,
            Self::Object(o) => Some(o),
        }
    }

    /// The IRI, if this is a reference.
    pub fn iri(&self) -> Option<&Iri> {
        match self {
            Self::Id(i) => Some(i),
            Self::Object(_) => None,
        }
    }
}

impl<T: Serialize> Serialize for IdOr<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Id(v) => v.serialize(s),
            Self::Object(v) => v.serialize(s),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for IdOr<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdOrVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for IdOrVisitor<T> {
            type Value = IdOr<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an IRI string or an object")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(IdOr::Id(Iri(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(IdOr::Id(Iri(v)))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|o| IdOr::Object(Box::new(o)))
            }
        }

        d.deserialize_any(IdOrVisitor(PhantomData))
    }
}

/// One entry of `@context`: a context IRI or an embedded context definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ContextEntry {
    /// A context by IRI, e.g. `https://w3id.org/openbadges/v2`.
    Iri(String),
    /// An embedded context object.
    Object(Map<String, Value>),
}

/// `@context`: a string, an object or an array of them.
pub type Context = OneOrMany<ContextEntry>;

impl Context {
    /// The context IRIs, in order (embedded objects skipped).
    pub fn iris(&self) -> impl Iterator<Item = &str> {
        self.iter().filter_map(|e| match e {
            ContextEntry::Iri(s) => Some(s.as_str()),
            ContextEntry::Object(_) => None,
        })
    }
}

/// `type`: one string or an array of strings.
pub type Types = OneOrMany<String>;

/// Whether a field is left out on serialization: `Option`s when `None`, never for the
/// required shapes. Lets one field attribute serve required and optional fields alike.
pub trait Absent {
    /// True when the field is not written.
    fn is_absent(&self) -> bool {
        false
    }
}

impl<T> Absent for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T> Absent for OneOrMany<T> {}
impl<T> Absent for IdOr<T> {}

/// A JSON type name for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iri_validation() {
        assert!(Iri::from("https://example.org/a").validate().is_ok());
        assert!(Iri::from("urn:uuid:1234").validate().is_ok());
        assert!(Iri::from("did:key:z6Mk").validate().is_ok());
        assert!(Iri::from("relative/path").validate().is_err());
        assert!(Iri::from("1http://x").validate().is_err());
        assert!(Iri::from("http:").validate().is_err());
        assert!(Iri::from("http://a b").validate().is_err());
    }

    #[test]
    fn datetime_parse() {
        assert!(DateTime::from("2024-01-02T03:04:05Z").parse().is_ok());
        assert!(
            DateTime::from("2024-01-02T03:04:05.5+02:00")
                .parse()
                .is_ok()
        );
        let err = DateTime::from("2024-13-02").parse().unwrap_err();
        assert!(err.contains("2024-13-02"), "{err}");
    }

    #[test]
    fn one_or_many_keeps_shape() {
        let one: Types = serde_json::from_str("\"A\"").unwrap();
        let many: Types = serde_json::from_str("[\"A\"]").unwrap();
        assert!(one.contains("A") && many.contains("A"));
        assert_eq!(serde_json::to_string(&one).unwrap(), "\"A\"");
        assert_eq!(serde_json::to_string(&many).unwrap(), "[\"A\"]");
        let err = crate::json::from_slice::<Types>(b"[\"A\", 3]").unwrap_err();
        assert!(err.to_string().starts_with("[1]: invalid type"), "{err}");
    }

    #[test]
    fn id_or_object() {
        #[derive(Debug, PartialEq, Deserialize, Serialize)]
        struct N {
            name: String,
        }
        let r: IdOr<N> = serde_json::from_str("\"https://x.org/n\"").unwrap();
        assert_eq!(r.iri().map(Iri::as_str), Some("https://x.org/n"));
        let o: IdOr<N> = serde_json::from_str("{\"name\":\"n\"}").unwrap();
        assert_eq!(o.object().map(|n| n.name.as_str()), Some("n"));
        let err = crate::json::from_slice::<IdOr<N>>(b"{\"name\":3}").unwrap_err();
        assert!(err.to_string().starts_with("name: invalid type"), "{err}");
        let err = crate::json::from_slice::<IdOr<N>>(b"3").unwrap_err();
        assert!(
            err.to_string()
                .contains("expected an IRI string or an object")
        );
    }
}
