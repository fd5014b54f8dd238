//! Errors of JSON-LD processing, carrying the spec's error code
//! ([JSON-LD 1.1 API §9.4.2](https://www.w3.org/TR/json-ld11-api/#jsonlderrorcode)).

use std::fmt;

/// The error codes of the JSON-LD 1.1 API that expansion can raise, plus obi's own
/// ([`ErrorCode::LimitExceeded`], [`ErrorCode::SafeMode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is the spec's error code of the same name
pub enum ErrorCode {
    CollidingKeywords,
    ConflictingIndexes,
    ContextOverflow,
    CyclicIriMapping,
    InvalidIdValue,
    InvalidImportValue,
    InvalidIncludedValue,
    InvalidIndexValue,
    InvalidNestValue,
    InvalidPrefixValue,
    InvalidPropagateValue,
    InvalidProtectedValue,
    InvalidReverseValue,
    InvalidVersionValue,
    InvalidBaseDirection,
    InvalidBaseIri,
    InvalidContainerMapping,
    InvalidContextEntry,
    InvalidContextNullification,
    InvalidDefaultLanguage,
    InvalidIriMapping,
    InvalidKeywordAlias,
    InvalidLanguageMapValue,
    InvalidLanguageMapping,
    InvalidLanguageTaggedString,
    InvalidLanguageTaggedValue,
    InvalidLocalContext,
    InvalidRemoteContext,
    InvalidReverseProperty,
    InvalidReversePropertyMap,
    InvalidReversePropertyValue,
    InvalidScopedContext,
    InvalidSetOrListObject,
    InvalidTermDefinition,
    InvalidTypeMapping,
    InvalidTypeValue,
    InvalidTypedValue,
    InvalidValueObject,
    InvalidValueObjectValue,
    InvalidVocabMapping,
    IriConfusedWithPrefix,
    KeywordRedefinition,
    LoadingDocumentFailed,
    LoadingRemoteContextFailed,
    ProcessingModeConflict,
    ProtectedTermRedefinition,
    /// Not a spec code: one of obi's [`crate::Limits`] was exceeded.
    LimitExceeded,
    /// Not a spec code: safe mode refused to drop or reinterpret part of the input.
    SafeMode,
}

impl ErrorCode {
    /// The spec's spelling of the code, e.g. `"invalid term definition"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            CollidingKeywords => "colliding keywords",
            ConflictingIndexes => "conflicting indexes",
            ContextOverflow => "context overflow",
            CyclicIriMapping => "cyclic IRI mapping",
            InvalidIdValue => "invalid @id value",
            InvalidImportValue => "invalid @import value",
            InvalidIncludedValue => "invalid @included value",
            InvalidIndexValue => "invalid @index value",
            InvalidNestValue => "invalid @nest value",
            InvalidPrefixValue => "invalid @prefix value",
            InvalidPropagateValue => "invalid @propagate value",
            InvalidProtectedValue => "invalid @protected value",
            InvalidReverseValue => "invalid @reverse value",
            InvalidVersionValue => "invalid @version value",
            InvalidBaseDirection => "invalid base direction",
            InvalidBaseIri => "invalid base IRI",
            InvalidContainerMapping => "invalid container mapping",
            InvalidContextEntry => "invalid context entry",
            InvalidContextNullification => "invalid context nullification",
            InvalidDefaultLanguage => "invalid default language",
            InvalidIriMapping => "invalid IRI mapping",
            InvalidKeywordAlias => "invalid keyword alias",
            InvalidLanguageMapValue => "invalid language map value",
            InvalidLanguageMapping => "invalid language mapping",
            InvalidLanguageTaggedString => "invalid language-tagged string",
            InvalidLanguageTaggedValue => "invalid language-tagged value",
            InvalidLocalContext => "invalid local context",
            InvalidRemoteContext => "invalid remote context",
            InvalidReverseProperty => "invalid reverse property",
            InvalidReversePropertyMap => "invalid reverse property map",
            InvalidReversePropertyValue => "invalid reverse property value",
            InvalidScopedContext => "invalid scoped context",
            InvalidSetOrListObject => "invalid set or list object",
            InvalidTermDefinition => "invalid term definition",
            InvalidTypeMapping => "invalid type mapping",
            InvalidTypeValue => "invalid type value",
            InvalidTypedValue => "invalid typed value",
            InvalidValueObject => "invalid value object",
            InvalidValueObjectValue => "invalid value object value",
            InvalidVocabMapping => "invalid vocab mapping",
            IriConfusedWithPrefix => "IRI confused with prefix",
            KeywordRedefinition => "keyword redefinition",
            LoadingDocumentFailed => "loading document failed",
            LoadingRemoteContextFailed => "loading remote context failed",
            ProcessingModeConflict => "processing mode conflict",
            ProtectedTermRedefinition => "protected term redefinition",
            LimitExceeded => "limit exceeded",
            SafeMode => "safe mode violation",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A JSON-LD processing error: the spec's [`ErrorCode`], a message, and where in the input
/// it happened (a JSON path such as `$.credentialSubject.achievement`, when known).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(*.code, .message, .path.as_deref()))]
#[non_exhaustive]
pub struct Error {
    code: ErrorCode,
    message: String,
    path: Option<String>,
}

fn render(code: ErrorCode, message: &str, path: Option<&str>) -> String {
    match path {
        Some(p) => format!("{code} at {p}: {message}"),
        None => format!("{code}: {message}"),
    }
}

impl Error {
    /// A new error with `code` and a human-readable `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            path: None,
        }
    }

    /// The spec's error code.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message, without code and path.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON path of the offending input (`$` is the document root), when known.
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    pub(crate) fn with_path_if_none(mut self, path: impl FnOnce() -> String) -> Self {
        if self.path.is_none() {
            self.path = Some(path());
        }
        self
    }
}

pub(crate) fn err<T>(code: ErrorCode, message: impl Into<String>) -> Result<T, Error> {
    Err(Error::new(code, message))
}
