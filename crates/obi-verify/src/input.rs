//! What can be verified.

use serde_json::Value;

/// One thing to verify.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Input {
    /// A URL: fetched with the options' fetcher, then verified as whatever it holds.
    Url(String),
    /// Raw bytes (JSON, compact JWS, PNG or SVG, detected from the content), with the name
    /// they came from (a file name, `-`), used in the report.
    Bytes {
        /// The file name or other label.
        name: Option<String>,
        /// The content.
        bytes: Vec<u8>,
    },
    /// An already parsed JSON document (assertion, badge class, credential, presentation).
    Json(Value),
    /// A compact JWS (OB 2.0 signed assertion or VC-JWT).
    Jws(String),
}

impl Input {
    /// Bytes with a name.
    #[must_use]
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self::Bytes {
            name: Some(name.into()),
            bytes: bytes.into(),
        }
    }
}
