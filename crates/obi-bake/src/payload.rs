//! What a baked image carries: the format, the Open Badges version and the payload.

use base64::Engine as _;
use serde::Serialize;

/// The image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// PNG: the badge is in a `tEXt` or `iTXt` chunk.
    Png,
    /// SVG: the badge is in an `openbadges:assertion` or `openbadges:credential` element.
    Svg,
}

/// The Open Badges version of a baked badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum Version {
    /// Open Badges 1.0: a `tEXt` chunk `openbadges` holding the assertion URL.
    #[serde(rename = "1.0")]
    Ob1,
    /// Open Badges 2.0: `iTXt` `openbadges` or `<openbadges:assertion>`.
    #[serde(rename = "2.0")]
    Ob2,
    /// Open Badges 3.0: `iTXt` `openbadgecredential` or `<openbadges:credential>`.
    #[serde(rename = "3.0")]
    Ob3,
}

impl Version {
    /// "1.0", "2.0" or "3.0".
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ob1 => "1.0",
            Self::Ob2 => "2.0",
            Self::Ob3 => "3.0",
        }
    }

    /// Picks the version a payload should be baked as: 3.0 when it is (or, for a JWS, signs) a
    /// Verifiable Credential, 2.0 otherwise (a 2.0 assertion, a signed 2.0 assertion, a hosted URL).
    #[must_use]
    pub fn detect(payload: &Payload) -> Self {
        let is_vc = match payload {
            Payload::Url(_) => false,
            Payload::Json(json) => serde_json::from_str::<serde_json::Value>(json)
                .map(|value| is_credential(&value))
                .unwrap_or(false),
            Payload::Jws(jws) => jws_claims(jws).is_some_and(|claims| {
                claims.get("vc").is_some_and(serde_json::Value::is_object) || is_credential(&claims)
            }),
        };
        if is_vc { Self::Ob3 } else { Self::Ob2 }
    }
}

/// The version of a found badge: the container's (chunk keyword, element name), raised to 3.0
/// when a 2.0 container holds a Verifiable Credential (as some early 3.0 bakers wrote).
pub(crate) fn found_version(container: Version, payload: &Payload) -> Version {
    if container == Version::Ob2 {
        container.max(Version::detect(payload))
    } else {
        container
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The credentials contexts that mark a Verifiable Credential (VCDM 2.0 and 1.1).
pub const CREDENTIALS_CONTEXTS: [&str; 2] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/2018/credentials/v1",
];

fn is_credential(value: &serde_json::Value) -> bool {
    let has = |key: &str, wanted: &[&str]| match value.get(key) {
        Some(serde_json::Value::String(s)) => wanted.contains(&s.as_str()),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .any(|item| item.as_str().is_some_and(|s| wanted.contains(&s))),
        _ => false,
    };
    has("@context", &CREDENTIALS_CONTEXTS)
        || has("type", &["VerifiableCredential", "OpenBadgeCredential"])
}

/// Decodes the claims (payload segment) of a compact JWS, if it is a JSON object.
fn jws_claims(jws: &str) -> Option<serde_json::Value> {
    let segment = jws.trim().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.is_object().then_some(value)
}

/// The embedded badge, exactly as stored in the image.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "form", content = "payload", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Payload {
    /// A hosted assertion URL (Open Badges 1.0, or 2.0 hosted verification).
    Url(String),
    /// An assertion (2.0) or credential (3.0) as JSON.
    Json(String),
    /// A compact JWS: a signed 2.0 assertion or a VC-JWT 3.0 credential.
    Jws(String),
}

impl Payload {
    /// Classifies stored text: JSON when it starts (after whitespace) with `{`, a compact JWS when
    /// it is three base64url segments joined by dots, a URL otherwise. The text is kept as is.
    #[must_use]
    pub fn detect(text: impl Into<String>) -> Self {
        let text = text.into();
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            Self::Json(text)
        } else if is_compact_jws(trimmed) {
            Self::Jws(text)
        } else {
            Self::Url(text)
        }
    }

    /// The stored text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Url(s) | Self::Json(s) | Self::Jws(s) => s,
        }
    }

    /// The stored text, owned.
    #[must_use]
    pub fn into_string(self) -> String {
        match self {
            Self::Url(s) | Self::Json(s) | Self::Jws(s) => s,
        }
    }

    /// "url", "json" or "jws".
    #[must_use]
    pub const fn form(&self) -> &'static str {
        match self {
            Self::Url(_) => "url",
            Self::Json(_) => "json",
            Self::Jws(_) => "jws",
        }
    }
}

/// Whether `s` has the shape of a compact JWS: `header.payload.signature` in base64url.
#[must_use]
pub fn is_compact_jws(s: &str) -> bool {
    let mut parts = 0;
    for (i, part) in s.split('.').enumerate() {
        parts += 1;
        let b64 = part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=');
        // The header and the signature are never empty; the payload may be (detached).
        if !b64 || (part.is_empty() && i != 1) {
            return false;
        }
    }
    parts == 3
}

/// A badge found in an image.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Baked {
    /// The image format.
    pub format: Format,
    /// The version: from where the badge was found (chunk type and keyword, element name), and
    /// 3.0 when a 2.0 container (`openbadges`, `<openbadges:assertion>`) holds a Verifiable
    /// Credential.
    pub version: Version,
    /// The payload, exactly as stored.
    #[serde(flatten)]
    pub payload: Payload,
}
