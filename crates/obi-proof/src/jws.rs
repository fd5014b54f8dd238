//! Compact JWS (RFC 7515), strict.
//!
//! Exactly three parts; canonical unpadded base64url; header a JSON object; `alg` on the
//! allow-list (EdDSA, ES256, RS256; never `none`); the key type must match `alg`; any `crit`
//! member is refused (obi understands no JWS extensions); length capped by [`JwsLimits`].

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::error::JwsError;
use crate::key::{Algorithm, PublicKey, Signer};

/// Largest compact JWS accepted by default (1 MiB).
pub const MAX_JWS_BYTES: usize = 1024 * 1024;

/// Limits for JWS parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwsLimits {
    max_bytes: usize,
}

impl Default for JwsLimits {
    fn default() -> Self {
        Self::new()
    }
}

impl JwsLimits {
    /// The default limits ([`MAX_JWS_BYTES`]).
    #[must_use]
    pub const fn new() -> Self {
        Self {
            max_bytes: MAX_JWS_BYTES,
        }
    }

    /// Sets the largest compact JWS accepted, in bytes.
    #[must_use]
    pub const fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The largest compact JWS accepted, in bytes.
    #[must_use]
    pub const fn max_bytes(&self) -> usize {
        self.max_bytes
    }
}

/// A parsed compact JWS whose signature has not been checked yet.
#[derive(Debug, Clone)]
pub struct Jws {
    header: Map<String, Value>,
    alg: Algorithm,
    payload: Vec<u8>,
    signing_input: String,
    signature: Vec<u8>,
}

fn decode_part(part: &'static str, text: &str) -> Result<Vec<u8>, JwsError> {
    URL_SAFE_NO_PAD.decode(text).map_err(|e| JwsError::Base64 {
        part,
        detail: e.to_string(),
    })
}

impl Jws {
    /// Parses with the default [`JwsLimits`].
    pub fn parse(text: &str) -> Result<Self, JwsError> {
        Self::parse_with(text, &JwsLimits::new())
    }

    /// Parses a compact JWS. Leading and trailing ASCII whitespace is ignored.
    pub fn parse_with(text: &str, limits: &JwsLimits) -> Result<Self, JwsError> {
        if text.len() > limits.max_bytes {
            return Err(JwsError::TooLong {
                len: text.len(),
                max: limits.max_bytes,
            });
        }
        let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
        let parts: Vec<&str> = text.split('.').collect();
        let [h, p, s] = parts.as_slice() else {
            return Err(JwsError::Parts(parts.len()));
        };
        let header_bytes = decode_part("header", h)?;
        let header: Map<String, Value> =
            serde_json::from_slice(&header_bytes).map_err(|e| JwsError::Header(e.to_string()))?;
        let alg_name = header
            .get("alg")
            .and_then(Value::as_str)
            .ok_or_else(|| JwsError::Algorithm("<missing>".into()))?;
        let alg =
            Algorithm::from_name(alg_name).ok_or_else(|| JwsError::Algorithm(alg_name.into()))?;
        if let Some(crit) = header.get("crit") {
            return Err(JwsError::Critical(crit.to_string()));
        }
        if header.get("b64").is_some_and(|v| v != &Value::Bool(true)) {
            return Err(JwsError::Critical(
                "b64 (unencoded payload) is not supported".into(),
            ));
        }
        let payload = decode_part("payload", p)?;
        let signature = decode_part("signature", s)?;
        let signing_input = format!("{h}.{p}");
        Ok(Self {
            header,
            alg,
            payload,
            signing_input,
            signature,
        })
    }

    /// The protected header.
    #[must_use]
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The header's `alg`.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The decoded payload bytes.
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The header's `kid`, if a string.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// The header's `jwk` as a public key; refuses a JWK carrying private members.
    pub fn header_jwk(&self) -> Result<Option<PublicKey>, JwsError> {
        let Some(jwk) = self.header.get("jwk") else {
            return Ok(None);
        };
        if let Some(map) = jwk.as_object()
            && ["d", "p", "q", "dp", "dq", "qi", "k"]
                .iter()
                .any(|m| map.contains_key(*m))
        {
            return Err(JwsError::PrivateJwk);
        }
        Ok(Some(PublicKey::from_jwk(jwk)?))
    }

    /// Checks the signature with `key`, which must be of the type `alg` names.
    pub fn verify(&self, key: &PublicKey) -> Result<(), JwsError> {
        if key.algorithm() != self.alg {
            return Err(JwsError::KeyMismatch {
                key: key.key_type().name(),
                alg: self.alg.name(),
            });
        }
        if key.verify(self.signing_input.as_bytes(), &self.signature) {
            Ok(())
        } else {
            Err(JwsError::BadSignature)
        }
    }
}

/// Signs `payload` as a compact JWS. `header` supplies extra members (`kid`, `jwk`, `typ`);
/// `alg` is always set from the signer.
pub fn sign_compact(
    header: &Map<String, Value>,
    payload: &[u8],
    signer: &dyn Signer,
) -> Result<String, JwsError> {
    let mut full = Map::new();
    full.insert(
        "alg".into(),
        Value::String(signer.algorithm().name().into()),
    );
    for (k, v) in header {
        if k != "alg" {
            full.insert(k.clone(), v.clone());
        }
    }
    let header_json = serde_json::to_vec(&full).map_err(|e| JwsError::Header(e.to_string()))?;
    let mut out = URL_SAFE_NO_PAD.encode(header_json);
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(payload));
    let signature = signer.sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(signature));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{KeyPair, KeyType};
    use proptest::prelude::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn round_trip_and_tamper() {
        for kind in [KeyType::Ed25519, KeyType::P256] {
            let pair = KeyPair::generate(kind).unwrap();
            let jws = sign_compact(&Map::new(), b"{\"a\":1}", &pair).unwrap();
            let parsed = Jws::parse(&jws).unwrap();
            parsed.verify(&pair.public_key()).unwrap();
            assert_eq!(parsed.payload(), b"{\"a\":1}");
            let mut bytes = jws.into_bytes();
            let i = bytes.len() - 5;
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            let failed = Jws::parse(&tampered).and_then(|j| j.verify(&pair.public_key()));
            assert!(failed.is_err());
        }
    }

    #[test]
    fn rejects_confusion_and_none() {
        let ed = KeyPair::generate(KeyType::Ed25519).unwrap();
        let p = KeyPair::generate(KeyType::P256).unwrap();
        let jws = sign_compact(&Map::new(), b"{}", &ed).unwrap();
        assert!(matches!(
            Jws::parse(&jws).unwrap().verify(&p.public_key()),
            Err(JwsError::KeyMismatch { .. })
        ));
        let none = format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64("{}"));
        assert!(matches!(Jws::parse(&none), Err(JwsError::Algorithm(_))));
        let hs = format!("{}.{}.AAAA", b64(r#"{"alg":"HS256"}"#), b64("{}"));
        assert!(matches!(Jws::parse(&hs), Err(JwsError::Algorithm(_))));
        let crit = format!(
            "{}.{}.AAAA",
            b64(r#"{"alg":"EdDSA","crit":["exp"]}"#),
            b64("{}")
        );
        assert!(matches!(Jws::parse(&crit), Err(JwsError::Critical(_))));
        let arr = format!("{}.{}.AAAA", b64(r#"["EdDSA"]"#), b64("{}"));
        assert!(matches!(Jws::parse(&arr), Err(JwsError::Header(_))));
        assert!(matches!(Jws::parse("a.b"), Err(JwsError::Parts(2))));
        assert!(matches!(Jws::parse("a.b.c.d"), Err(JwsError::Parts(4))));
        let padded = format!("{}=.{}.AAAA", b64(r#"{"alg":"EdDSA"}"#), b64("{}"));
        assert!(matches!(Jws::parse(&padded), Err(JwsError::Base64 { .. })));
        // Non-canonical: trailing bits set in the last character.
        let noncanon = format!("{}.{}.AB", b64(r#"{"alg":"EdDSA"}"#), b64("{}"));
        assert!(matches!(
            Jws::parse(&noncanon),
            Err(JwsError::Base64 { .. })
        ));
        let long = "a".repeat(MAX_JWS_BYTES + 1);
        assert!(matches!(Jws::parse(&long), Err(JwsError::TooLong { .. })));
        let limited = JwsLimits::new().with_max_bytes(10);
        assert!(matches!(
            Jws::parse_with(&jws, &limited),
            Err(JwsError::TooLong { .. })
        ));
    }

    #[test]
    fn private_header_jwk() {
        let ed = KeyPair::generate(KeyType::Ed25519).unwrap();
        let mut h = Map::new();
        h.insert("jwk".into(), ed.to_private_jwk());
        let jws = sign_compact(&h, b"{}", &ed).unwrap();
        assert!(matches!(
            Jws::parse(&jws).unwrap().header_jwk(),
            Err(JwsError::PrivateJwk)
        ));
    }

    proptest! {
        #[test]
        fn never_panics(text in "[A-Za-z0-9_.=-]{0,120}") {
            let _ = Jws::parse(&text);
        }
    }
}
