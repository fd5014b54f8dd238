//! Bounded JSON parsing: every crate in obi parses untrusted JSON through here.
//!
//! Two limits are checked before serde builds anything:
//!
//! * size: the input must be at most [`Limits::max_bytes`] ([`MAX_JSON_BYTES`] by default);
//! * depth: a single linear byte scan counts open arrays and objects (outside strings) and
//!   stops at the first container that goes past [`Limits::max_depth`]
//!   ([`MAX_JSON_DEPTH`] by default), reporting its line and column.
//!
//! Only then does `serde_json` parse the document, so a 50 MB document or one nested
//! 10,000 deep is refused in microseconds, with no recursion at all. `serde_json` keeps its
//! own recursion limit of [`SERDE_JSON_MAX_DEPTH`] levels; a configured depth above that
//! is clamped to it, so the error is always [`JsonError::TooDeep`].
//!
//! ```
//! use obi_model::json::{self, JsonError, Limits};
//!
//! let value = json::parse(br#"{"type": "Assertion"}"#)?;
//! assert_eq!(value["type"], "Assertion");
//!
//! let deep = "[".repeat(10_000);
//! let err = json::parse(deep.as_bytes()).unwrap_err();
//! assert!(matches!(err, JsonError::TooDeep { .. }));
//!
//! let small = Limits::new().with_max_bytes(4);
//! assert!(json::parse_with(b"[1, 2, 3]", &small).is_err());
//! # Ok::<(), JsonError>(())
//! ```

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Default largest JSON document accepted, in bytes (16 MiB).
pub const MAX_JSON_BYTES: usize = 16 * 1024 * 1024;

/// Default deepest nesting of arrays and objects accepted (64 levels).
///
/// Open Badges documents nest about 6 levels deep; 64 leaves room for extensions.
pub const MAX_JSON_DEPTH: usize = 64;

/// The deepest nesting `serde_json` itself can parse (its built-in recursion limit
/// allows 127 open containers). [`Limits::max_depth`] is clamped to this.
pub const SERDE_JSON_MAX_DEPTH: usize = 127;

/// Deepest nesting typed parsing ([`from_slice_with`], [`from_value`]) accepts, whatever
/// [`Limits::max_depth`] says (64 levels). Typed parsing recurses once per level, and a
/// debug build needs about 22 KiB of stack per level: 64 levels fit a 2 MiB thread (the
/// default for test and tokio worker threads); release builds need far less.
pub const MAX_TYPED_DEPTH: usize = 64;

/// Limits applied by [`parse_with`]. `Default` is the same as [`Limits::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Limits {
    max_bytes: usize,
    max_depth: usize,
}

impl Limits {
    /// The default limits: [`MAX_JSON_BYTES`] and [`MAX_JSON_DEPTH`].
    pub const fn new() -> Self {
        Self {
            max_bytes: MAX_JSON_BYTES,
            max_depth: MAX_JSON_DEPTH,
        }
    }

    /// Sets the largest document accepted, in bytes.
    pub const fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Sets the deepest nesting of arrays and objects accepted (clamped to
    /// [`SERDE_JSON_MAX_DEPTH`]). A scalar at the top level has depth 0, `[]` depth 1.
    pub const fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = if max_depth > SERDE_JSON_MAX_DEPTH {
            SERDE_JSON_MAX_DEPTH
        } else {
            max_depth
        };
        self
    }

    /// The largest document accepted, in bytes.
    pub const fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The deepest nesting accepted.
    pub const fn max_depth(&self) -> usize {
        self.max_depth
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a JSON document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The document is larger than the size limit.
    #[error("JSON document is {len} bytes, over the MAX_JSON_BYTES limit of {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        len: usize,
        /// The limit in force.
        limit: usize,
    },
    /// Arrays and objects nest deeper than the depth limit.
    #[error(
        "JSON nesting deeper than the MAX_JSON_DEPTH limit of {limit} at line {line}, column {column}"
    )]
    TooDeep {
        /// The limit in force.
        limit: usize,
        /// 1-based line of the first container past the limit.
        line: usize,
        /// 1-based column (in bytes) of that container.
        column: usize,
    },
    /// Typed parsing met nesting deeper than [`MAX_TYPED_DEPTH`] (a stack-safety cap that
    /// applies even when [`Limits::max_depth`] is higher).
    #[error("JSON nesting deeper than the MAX_TYPED_DEPTH limit of {limit} for typed parsing")]
    TypedTooDeep {
        /// [`MAX_TYPED_DEPTH`].
        limit: usize,
    },
    /// The input is not well-formed JSON (or not UTF-8).
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// What `serde_json` reported, without its position suffix.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The JSON is well formed but does not have the expected shape (typed parsing).
    #[error("{message}")]
    Data {
        /// What was wrong, and where (JSON path when known).
        message: String,
        /// 1-based line, 0 when unknown.
        line: usize,
        /// 1-based column, 0 when unknown.
        column: usize,
    },
}

impl JsonError {
    /// Line and column (1-based) of the problem, when the error has a position.
    pub fn location(&self) -> Option<(usize, usize)> {
        match self {
            Self::TooLarge { .. } | Self::TypedTooDeep { .. } => None,
            Self::TooDeep { line, column, .. }
            | Self::Syntax { line, column, .. }
            | Self::Data { line, column, .. } => (*line > 0).then_some((*line, *column)),
        }
    }

    fn from_serde(err: &serde_json::Error, limit: usize) -> Self {
        let (line, column) = (err.line(), err.column());
        let full = err.to_string();
        // serde_json appends " at line L column C"; keep the message itself.
        let message = match full.rfind(" at line ") {
            Some(at) if line > 0 => full.get(..at).unwrap_or(&full).to_owned(),
            _ => full,
        };
        if message.contains("recursion limit exceeded") {
            return Self::TooDeep {
                limit,
                line,
                column,
            };
        }
        match err.classify() {
            serde_json::error::Category::Data => Self::Data {
                message,
                line,
                column,
            },
            _ => Self::Syntax {
                message,
                line,
                column,
            },
        }
    }
}

/// Parses JSON with the default [`Limits`].
///
/// # Errors
/// [`JsonError::TooLarge`], [`JsonError::TooDeep`] or [`JsonError::Syntax`].
pub fn parse(input: &[u8]) -> Result<Value, JsonError> {
    parse_with(input, &Limits::new())
}

/// Parses JSON with the given limits.
///
/// # Errors
/// [`JsonError::TooLarge`], [`JsonError::TooDeep`] or [`JsonError::Syntax`].
pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Value, JsonError> {
    check_limits(input, limits)?;
    // A `Value` accepts any JSON, so no path tracking is needed here.
    serde_json::from_slice(input).map_err(|e| JsonError::from_serde(&e, limits.max_depth))
}

/// Parses JSON straight into a typed value with the default [`Limits`].
///
/// # Errors
/// Any [`JsonError`].
pub fn from_slice<T: DeserializeOwned>(input: &[u8]) -> Result<T, JsonError> {
    from_slice_with(input, &Limits::new())
}

/// Parses JSON straight into a typed value (for example an `ob3::OpenBadgeCredential`)
/// with the given limits. Shape errors become [`JsonError::Data`].
///
/// # Errors
/// Any [`JsonError`].
pub fn from_slice_with<T: DeserializeOwned>(input: &[u8], limits: &Limits) -> Result<T, JsonError> {
    let capped = limits.with_max_depth(limits.max_depth.min(MAX_TYPED_DEPTH));
    match check_limits(input, &capped) {
        Err(JsonError::TooDeep { .. }) if limits.max_depth > MAX_TYPED_DEPTH => {
            return Err(JsonError::TypedTooDeep {
                limit: MAX_TYPED_DEPTH,
            });
        }
        other => other?,
    }
    let limits = capped;
    let mut de = serde_json::Deserializer::from_slice(input);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let err = e.into_inner();
        let mut out = JsonError::from_serde(&err, limits.max_depth);
        if let JsonError::Data { message, .. } = &mut out
            && path != "."
        {
            *message = format!("{path}: {message}");
        }
        out
    })?;
    de.end()
        .map_err(|e| JsonError::from_serde(&e, limits.max_depth))?;
    Ok(value)
}

/// Reads an already parsed JSON value as a typed value. Shape errors become
/// [`JsonError::Data`] with the JSON path of the problem at the start of the message
/// (`badge.issuer: missing field ...`), and no line or column.
///
/// # Errors
/// [`JsonError::Data`].
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, JsonError> {
    if value_depth(value) > MAX_TYPED_DEPTH {
        return Err(JsonError::TypedTooDeep {
            limit: MAX_TYPED_DEPTH,
        });
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        JsonError::Data {
            message: if path == "." {
                message
            } else {
                format!("{path}: {message}")
            },
            line: 0,
            column: 0,
        }
    })
}

/// Nesting depth of a value (`[]` is 1), without recursion.
fn value_depth(value: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        match v {
            Value::Array(items) => {
                max = max.max(depth + 1);
                stack.extend(items.iter().map(|i| (i, depth + 1)));
            }
            Value::Object(map) => {
                max = max.max(depth + 1);
                stack.extend(map.values().map(|i| (i, depth + 1)));
            }
            _ => max = max.max(depth),
        }
    }
    max
}

/// Checks the size and depth limits without parsing: one pass over the bytes.
///
/// # Errors
/// [`JsonError::TooLarge`] or [`JsonError::TooDeep`].
pub fn check_limits(input: &[u8], limits: &Limits) -> Result<(), JsonError> {
    if input.len() > limits.max_bytes {
        return Err(JsonError::TooLarge {
            len: input.len(),
            limit: limits.max_bytes,
        });
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut line = 1usize;
    let mut line_start = 0usize;
    for (i, &b) in input.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            } else if b == b'\n' {
                // Invalid in JSON, but keep positions right for the error serde will report.
                line += 1;
                line_start = i + 1;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(JsonError::TooDeep {
                        limit: limits.max_depth,
                        line,
                        column: i - line_start + 1,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ordinary_json_keeping_key_order() {
        let v = parse(br#"{"b": 1, "a": [true, null, "x"]}"#).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["b", "a"]);
    }

    #[test]
    fn depth_exactly_at_limit_is_accepted() {
        let limits = Limits::new().with_max_depth(3);
        assert!(parse_with(b"[[[1]]]", &limits).is_ok());
        let err = parse_with(b"[[[[1]]]]", &limits).unwrap_err();
        assert_eq!(
            err,
            JsonError::TooDeep {
                limit: 3,
                line: 1,
                column: 4
            }
        );
        assert!(err.to_string().contains("MAX_JSON_DEPTH"));
    }

    #[test]
    fn brackets_inside_strings_do_not_count() {
        let limits = Limits::new().with_max_depth(1);
        assert!(parse_with(br#"["[[[[\"{{{{"]"#, &limits).is_ok());
    }

    #[test]
    fn deep_nesting_ten_thousand_is_refused_with_position() {
        let doc = format!("{{\"a\":\n{}", "[".repeat(10_000));
        let err = parse(doc.as_bytes()).unwrap_err();
        match err {
            JsonError::TooDeep {
                limit,
                line,
                column,
            } => {
                assert_eq!(limit, MAX_JSON_DEPTH);
                assert_eq!(line, 2);
                assert_eq!(column, MAX_JSON_DEPTH); // `{` on line 1 is level 1
            }
            other => panic!("unexpected {other:?}"),
        }
        let objects = "{\"a\":".repeat(10_000);
        assert!(matches!(
            parse(objects.as_bytes()),
            Err(JsonError::TooDeep { .. })
        ));
    }

    #[test]
    fn serde_recursion_limit_maps_to_too_deep() {
        // Our scan is clamped to serde_json's limit, so this is refused by the scan,
        // and serde_json's own error is mapped the same way if it ever fires.
        let limits = Limits::new().with_max_depth(10_000);
        assert_eq!(limits.max_depth(), SERDE_JSON_MAX_DEPTH);
        let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(parse_with(ok.as_bytes(), &limits).is_ok());
        let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(matches!(
            parse_with(deep.as_bytes(), &limits),
            Err(JsonError::TooDeep { .. })
        ));
        let serde_err = serde_json::from_slice::<Value>(deep.as_bytes()).unwrap_err();
        assert!(matches!(
            JsonError::from_serde(&serde_err, 127),
            JsonError::TooDeep { .. }
        ));
    }

    #[test]
    fn fifty_megabytes_is_refused_before_parsing() {
        let big = vec![b' '; 50 * 1024 * 1024];
        let err = parse(&big).unwrap_err();
        assert_eq!(
            err,
            JsonError::TooLarge {
                len: 50 * 1024 * 1024,
                limit: MAX_JSON_BYTES
            }
        );
        assert!(err.to_string().contains("MAX_JSON_BYTES"));
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err = parse(b"{\n  \"a\": x,\n}").unwrap_err();
        match &err {
            JsonError::Syntax { line, message, .. } => {
                assert_eq!(*line, 2);
                assert!(!message.contains(" at line "), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(err.location().map(|l| l.0), Some(2));
        assert!(matches!(parse(b""), Err(JsonError::Syntax { .. })));
        assert!(matches!(parse(b"[1] x"), Err(JsonError::Syntax { .. })));
        assert!(matches!(parse(b"\"\xff\""), Err(JsonError::Syntax { .. })));
    }

    #[test]
    fn typed_parsing_is_capped_at_max_typed_depth() {
        let limits = Limits::new().with_max_depth(100);
        let doc = format!("{}{}", "[".repeat(80), "]".repeat(80));
        assert!(parse_with(doc.as_bytes(), &limits).is_ok());
        let err = from_slice_with::<Value>(doc.as_bytes(), &limits).unwrap_err();
        assert_eq!(
            err,
            JsonError::TypedTooDeep {
                limit: MAX_TYPED_DEPTH
            }
        );
        assert!(err.to_string().contains("MAX_TYPED_DEPTH"));
        let value = parse_with(doc.as_bytes(), &limits).unwrap();
        assert_eq!(value_depth(&value), 80);
        assert!(matches!(
            from_value::<Value>(&value),
            Err(JsonError::TypedTooDeep { .. })
        ));
        assert_eq!(value_depth(&Value::Null), 0);
        assert_eq!(value_depth(&serde_json::json!({"a": [1]})), 2);
    }

    #[test]
    fn typed_errors_are_data_errors() {
        let err = from_slice_with::<Vec<u32>>(b"[\"x\"]", &Limits::default()).unwrap_err();
        assert!(matches!(err, JsonError::Data { .. }), "{err:?}");
    }
}
