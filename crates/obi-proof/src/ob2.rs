//! Open Badges 2.0 signed assertions: a compact JWS (RS256, or ES256) whose payload is the
//! assertion, with `verification: {type: "SignedBadge", creator: <CryptographicKey id>}`.

use serde_json::{Map, Value, json};

use crate::error::{JwsError, ProofError};
use crate::jws::{Jws, JwsLimits, sign_compact};
use crate::key::{KeyType, PublicKey, Signer};

/// The Open Badges 2.0 JSON-LD context.
pub const OB2_CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// A signed assertion whose signature checked out against the CryptographicKey.
#[derive(Debug, Clone)]
pub struct VerifiedAssertion {
    /// The assertion (the JWS payload).
    pub assertion: Value,
    /// `verification.creator`, if present.
    pub creator: Option<String>,
    /// The CryptographicKey's `owner` (the issuer profile that must list the key).
    pub owner: Option<String>,
}

/// The Open Badges 2.0 `CryptographicKey` for `key` (P-256 or RSA), with its `id` URL and
/// `owner` (the issuer profile URL).
pub fn cryptographic_key(key: &PublicKey, id: &str, owner: &str) -> Result<Value, ProofError> {
    Ok(json!({
        "@context": OB2_CONTEXT,
        "type": "CryptographicKey",
        "id": id,
        "owner": owner,
        "publicKeyPem": key.to_public_key_pem()?,
    }))
}

/// Signs an Open Badges 2.0 assertion: sets `verification` to `SignedBadge` with `creator`, and
/// returns the compact JWS. RSA (RS256) or P-256 (ES256) keys only.
pub fn sign_assertion(
    assertion: &Value,
    signer: &dyn Signer,
    creator: &str,
) -> Result<String, ProofError> {
    if signer.public_key().key_type() == KeyType::Ed25519 {
        return Err(ProofError::Proof(
            "Open Badges 2.0 signed assertions use RS256 (or ES256); Ed25519 is not supported by 2.0 verifiers".into(),
        ));
    }
    let mut a = assertion
        .as_object()
        .cloned()
        .ok_or_else(|| ProofError::Document("assertion is not a JSON object".into()))?;
    a.insert(
        "verification".into(),
        json!({"type": "SignedBadge", "creator": creator}),
    );
    let body = serde_json::to_vec(&a).map_err(|e| ProofError::Document(e.to_string()))?;
    Ok(sign_compact(&Map::new(), &body, signer)?)
}

/// Verifies a signed Open Badges 2.0 assertion against the issuer's `CryptographicKey`
/// (`publicKeyPem`). Checks the alg/key match, `verification.type` SignedBadge, and that
/// `verification.creator` (when present) is the key's `id`. Whether the key's `owner` lists the
/// key is the caller's check (it needs the issuer profile).
pub fn verify_assertion(
    compact: &str,
    cryptographic_key: &Value,
    limits: &JwsLimits,
) -> Result<VerifiedAssertion, ProofError> {
    let pem = cryptographic_key
        .get("publicKeyPem")
        .and_then(Value::as_str)
        .ok_or_else(|| ProofError::Proof("CryptographicKey has no publicKeyPem".into()))?;
    let key = PublicKey::from_public_key_pem(pem)?;
    let jws = Jws::parse_with(compact, limits)?;
    jws.verify(&key)?;
    let assertion: Value =
        serde_json::from_slice(jws.payload()).map_err(|e| JwsError::Payload(e.to_string()))?;
    let verification = assertion
        .get("verification")
        .ok_or_else(|| ProofError::Document("assertion has no verification".into()))?;
    let vtype = verification
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !vtype.eq_ignore_ascii_case("SignedBadge") && !vtype.eq_ignore_ascii_case("signed") {
        return Err(ProofError::Document(format!(
            "verification.type is {vtype:?}, not SignedBadge"
        )));
    }
    let creator = verification
        .get("creator")
        .and_then(Value::as_str)
        .map(str::to_string);
    let key_id = cryptographic_key.get("id").and_then(Value::as_str);
    if let (Some(c), Some(k)) = (creator.as_deref(), key_id)
        && c != k
    {
        return Err(ProofError::Proof(format!(
            "verification.creator {c} is not the CryptographicKey {k}"
        )));
    }
    Ok(VerifiedAssertion {
        assertion,
        creator,
        owner: cryptographic_key
            .get("owner")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::KeyPair;

    #[test]
    fn es256_round_trip_and_tamper() {
        let pair = KeyPair::generate(KeyType::P256).unwrap();
        let ck = cryptographic_key(
            &pair.public_key(),
            "https://example.org/key",
            "https://example.org/issuer",
        )
        .unwrap();
        let a = json!({"@context": OB2_CONTEXT, "type": "Assertion", "id": "urn:uuid:1", "badge": "https://example.org/badge"});
        let jws = sign_assertion(&a, &pair, "https://example.org/key").unwrap();
        let v = verify_assertion(&jws, &ck, &JwsLimits::new()).unwrap();
        assert_eq!(v.assertion["verification"]["type"], "SignedBadge");
        let mut other = ck.clone();
        other["id"] = json!("https://example.org/other");
        assert!(verify_assertion(&jws, &other, &JwsLimits::new()).is_err());
        let (head, _) = jws.rsplit_once('.').unwrap();
        let forged = format!("{head}.{}", "A".repeat(86));
        assert!(verify_assertion(&forged, &ck, &JwsLimits::new()).is_err());
        let ed = KeyPair::generate(KeyType::Ed25519).unwrap();
        assert!(sign_assertion(&a, &ed, "x").is_err());
    }
}

#[cfg(test)]
mod rsa_tests {
    use super::*;
    use crate::key::KeyPair;

    #[test]
    fn rs256_round_trip() {
        let pair = KeyPair::generate(KeyType::Rsa).unwrap();
        let back = KeyPair::from_jwk(&pair.to_private_jwk()).unwrap();
        assert_eq!(back.public_key(), pair.public_key());
        assert_eq!(
            PublicKey::from_multikey(&pair.public_key().to_multikey()).unwrap(),
            pair.public_key()
        );
        let ck = cryptographic_key(
            &pair.public_key(),
            "https://example.org/key",
            "https://example.org/issuer",
        )
        .unwrap();
        let a = json!({"@context": OB2_CONTEXT, "type": "Assertion", "id": "urn:uuid:1"});
        let jws = sign_assertion(&a, &back, "https://example.org/key").unwrap();
        verify_assertion(&jws, &ck, &JwsLimits::new()).unwrap();
        // VC-JWT RS256 with the same key.
        let cred = json!({"id": "urn:uuid:2", "issuer": "https://example.org/issuer",
            "validFrom": "2020-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:s"}});
        let jwt =
            crate::vc_jwt::sign_vc_jwt(&cred, &back, &crate::vc_jwt::JwtKeyHeader::Jwk).unwrap();
        let v = crate::vc_jwt::verify_vc_jwt(
            &jwt,
            &crate::resolve::Resolver::new(),
            &JwsLimits::new(),
            1_700_000_000,
        )
        .unwrap();
        assert_eq!(v.credential, cred);
        let p = KeyPair::generate(KeyType::P256).unwrap();
        let pck = cryptographic_key(&p.public_key(), "https://example.org/key", "o").unwrap();
        assert!(matches!(
            verify_assertion(&jws, &pck, &JwsLimits::new()),
            Err(ProofError::Jws(JwsError::KeyMismatch { .. }))
        ));
    }
}
