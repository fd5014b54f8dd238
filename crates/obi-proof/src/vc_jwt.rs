//! VC-JWT as Open Badges 3.0 §8.2 "JSON Web Token Proof Format" describes it.
//!
//! Signing: the JWT payload is the credential plus the registered claims `iss` (issuer id),
//! `jti` (credential id), `nbf` (`validFrom`), `sub` (`credentialSubject.id`) and `exp`
//! (`validUntil`), with a JOSE header `{alg, typ: "JWT", kid | jwk}`.
//! Verifying: also accepts the VC-JWT 1.1 form with the credential in a `vc` claim (and
//! `issuanceDate` / `expirationDate`), and checks that every claim agrees with the credential.

use serde_json::{Map, Value};

use crate::error::{JwsError, ProofError};
use crate::jws::{Jws, JwsLimits, sign_compact};
use crate::key::{PublicKey, Signer};
use crate::resolve::Resolver;

/// How the JOSE header names the verification key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtKeyHeader {
    /// `kid`: a URI that dereferences to the public key (a DID URL or an HTTPS JWK / JWKS).
    Kid(String),
    /// `jwk`: the public key itself, embedded in the header.
    Jwk,
}

/// Where the key that verified a VC-JWT came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySource {
    /// The header's `kid`.
    Kid(String),
    /// The header's `jwk`.
    Jwk,
}

/// A VC-JWT whose signature and claims checked out.
#[derive(Debug, Clone)]
pub struct VerifiedJwt {
    /// The credential (the payload without the registered claims, or the `vc` claim).
    pub credential: Value,
    /// The protected header.
    pub header: Map<String, Value>,
    /// True for the VC-JWT 1.1 form (credential in `vc`).
    pub vc_claim: bool,
    /// The key that verified the signature.
    pub key: PublicKey,
    /// Where that key came from.
    pub key_source: KeySource,
}

fn numeric_date(name: &str, iso: &str) -> Result<i64, ProofError> {
    chrono::DateTime::parse_from_rfc3339(iso)
        .map(|t| t.timestamp())
        .map_err(|e| ProofError::Document(format!("{name} {iso:?} is not a dateTime: {e}")))
}

fn issuer_id(credential: &Value) -> Option<&str> {
    match credential.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(obj) => obj.get("id").and_then(Value::as_str),
        None => None,
    }
}

fn subject_ids(credential: &Value) -> Vec<&str> {
    match credential.get("credentialSubject") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|s| s.get("id").and_then(Value::as_str))
            .collect(),
        Some(s) => s.get("id").and_then(Value::as_str).into_iter().collect(),
        None => Vec::new(),
    }
}

fn str_field<'a>(credential: &'a Value, names: &[&str]) -> Option<(&'a str, String)> {
    names.iter().find_map(|n| {
        credential
            .get(*n)
            .and_then(Value::as_str)
            .map(|v| (v, (*n).to_string()))
    })
}

/// Signs `credential` as an Open Badges 3.0 VC-JWT (compact JWS).
pub fn sign_vc_jwt(
    credential: &Value,
    signer: &dyn Signer,
    key_header: &JwtKeyHeader,
) -> Result<String, ProofError> {
    let cred = credential
        .as_object()
        .ok_or_else(|| ProofError::Document("credential is not a JSON object".into()))?;
    let iss = issuer_id(credential)
        .ok_or_else(|| ProofError::Document("credential has no issuer id".into()))?;
    let jti = cred
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| ProofError::Document("credential has no id (the jti claim)".into()))?;
    let (from, from_name) =
        str_field(credential, &["validFrom", "issuanceDate"]).ok_or_else(|| {
            ProofError::Document("credential has no validFrom (the nbf claim)".into())
        })?;
    let mut payload = cred.clone();
    payload.insert("iss".into(), iss.into());
    payload.insert("jti".into(), jti.into());
    payload.insert("nbf".into(), numeric_date(&from_name, from)?.into());
    if let Some(sub) = subject_ids(credential).first() {
        payload.insert("sub".into(), (*sub).into());
    }
    if let Some((until, name)) = str_field(credential, &["validUntil", "expirationDate"]) {
        payload.insert("exp".into(), numeric_date(&name, until)?.into());
    }
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    match key_header {
        JwtKeyHeader::Kid(kid) => {
            header.insert("kid".into(), kid.clone().into());
        }
        JwtKeyHeader::Jwk => {
            header.insert("jwk".into(), signer.public_key().to_jwk());
        }
    }
    let body = serde_json::to_vec(&payload).map_err(|e| ProofError::Document(e.to_string()))?;
    Ok(sign_compact(&header, &body, signer)?)
}

/// Verifies an Open Badges 3.0 VC-JWT at time `now` (Unix seconds): signature, key binding, and
/// agreement of `iss`, `sub`, `jti`, `nbf`, `exp` with the credential.
///
/// The key comes from the header `jwk` or from `kid` through `resolver`. When the issuer is a
/// DID, the key must belong to it (a did:key issuer's own key, or a `kid` under the issuer DID).
pub fn verify_vc_jwt(
    compact: &str,
    resolver: &Resolver<'_>,
    limits: &JwsLimits,
    now: i64,
) -> Result<VerifiedJwt, ProofError> {
    let jws = Jws::parse_with(compact, limits)?;
    let (key, key_source) = match (jws.header_jwk()?, jws.kid()) {
        (Some(key), _) => (key, KeySource::Jwk),
        (None, Some(kid)) => (
            resolver.resolve_jwt_kid(kid)?,
            KeySource::Kid(kid.to_string()),
        ),
        (None, None) => {
            return Err(ProofError::Jws(JwsError::Header(
                "the JOSE header has neither kid nor jwk".into(),
            )));
        }
    };
    jws.verify(&key)?;
    let payload: Value =
        serde_json::from_slice(jws.payload()).map_err(|e| JwsError::Payload(e.to_string()))?;
    let Value::Object(mut payload) = payload else {
        return Err(JwsError::Payload("not an object".into()).into());
    };
    // Split the payload into the credential and the JWT claims without copying either.
    let (credential, claims, vc_claim) = match payload.shift_remove("vc") {
        Some(vc @ Value::Object(_)) => (vc, Value::Object(payload), true),
        Some(_) => return Err(ProofError::Claims("the vc claim is not an object".into())),
        None => {
            let mut claims = Map::new();
            for claim in ["iss", "jti", "nbf", "sub", "exp", "iat", "aud"] {
                if let Some(v) = payload.shift_remove(claim) {
                    claims.insert(claim.into(), v);
                }
            }
            (Value::Object(payload), Value::Object(claims), false)
        }
    };
    check_claims(&claims, &credential, now)?;
    let iss = issuer_id(&credential).unwrap_or_default();
    bind_key_to_issuer(iss, &key, &key_source)?;
    Ok(VerifiedJwt {
        credential,
        header: jws.header().clone(),
        vc_claim,
        key,
        key_source,
    })
}

fn bind_key_to_issuer(iss: &str, key: &PublicKey, source: &KeySource) -> Result<(), ProofError> {
    if let Some(multikey) = iss.strip_prefix("did:key:") {
        if !key.matches_multikey(multikey) {
            return Err(ProofError::Claims(format!(
                "the signing key is not the key of the issuer {iss}"
            )));
        }
    } else if iss.starts_with("did:")
        && let KeySource::Kid(kid) = source
        && kid.split('#').next() != Some(iss)
    {
        return Err(ProofError::Claims(format!(
            "kid {kid} is not a key of the issuer {iss}"
        )));
    }
    Ok(())
}

fn check_claims(claims: &Value, credential: &Value, now: i64) -> Result<(), ProofError> {
    let claim_str = |name: &str| claims.get(name).and_then(Value::as_str);
    let mismatch = |what: String| Err(ProofError::Claims(what));
    let iss = issuer_id(credential);
    if iss.is_none() || claim_str("iss") != iss {
        return mismatch(format!(
            "iss {:?} does not match issuer.id {iss:?}",
            claim_str("iss")
        ));
    }
    let jti = credential.get("id").and_then(Value::as_str);
    if jti.is_none() || claim_str("jti") != jti {
        return mismatch(format!(
            "jti {:?} does not match id {jti:?}",
            claim_str("jti")
        ));
    }
    let subjects = subject_ids(credential);
    if !subjects.is_empty() {
        match claim_str("sub") {
            Some(sub) if subjects.contains(&sub) => {}
            other => {
                return mismatch(format!(
                    "sub {other:?} does not match credentialSubject.id {subjects:?}"
                ));
            }
        }
    }
    let nbf = claims.get("nbf").and_then(Value::as_i64);
    let (from, from_name) = str_field(credential, &["validFrom", "issuanceDate"])
        .ok_or_else(|| ProofError::Claims("the credential has no validFrom".into()))?;
    let from = numeric_date(&from_name, from)?;
    match nbf {
        Some(nbf) if nbf == from => {}
        other => return mismatch(format!("nbf {other:?} does not match {from_name} ({from})")),
    }
    if now < from {
        return mismatch(format!("not valid yet (nbf {from} is after now {now})"));
    }
    let exp = claims.get("exp");
    if let Some(exp) = exp {
        let exp = exp
            .as_i64()
            .ok_or_else(|| ProofError::Claims("exp is not a NumericDate".into()))?;
        if let Some((until, name)) = str_field(credential, &["validUntil", "expirationDate"])
            && numeric_date(&name, until)? != exp
        {
            return mismatch(format!("exp {exp} does not match {name}"));
        }
        if now > exp {
            return mismatch(format!("expired (exp {exp} is before now {now})"));
        }
    } else if str_field(credential, &["validUntil", "expirationDate"]).is_some() {
        return mismatch("the credential has validUntil but the JWT has no exp".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{KeyPair, KeyType};
    use serde_json::json;

    fn cred(issuer: &str) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:a63a60be-f4af-491c-87fc-2c8fd3007a58",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": issuer, "type": ["Profile"], "name": "Example"},
            "validFrom": "2010-01-01T00:00:00Z",
            "validUntil": "2100-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "type": ["AchievementSubject"]}
        })
    }

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn all_algorithms_round_trip() {
        for kind in [KeyType::Ed25519, KeyType::P256] {
            let pair = KeyPair::generate(kind).unwrap();
            let c = cred(&pair.public_key().did_key());
            for header in [
                JwtKeyHeader::Jwk,
                JwtKeyHeader::Kid(pair.public_key().did_key_verification_method()),
            ] {
                let jwt = sign_vc_jwt(&c, &pair, &header).unwrap();
                let v = verify_vc_jwt(&jwt, &Resolver::new(), &JwsLimits::new(), NOW).unwrap();
                assert_eq!(v.credential, c);
                assert!(!v.vc_claim);
            }
        }
    }

    #[test]
    fn claim_mismatches() {
        let pair = KeyPair::generate(KeyType::Ed25519).unwrap();
        let c = cred(&pair.public_key().did_key());
        let jwt = sign_vc_jwt(&c, &pair, &JwtKeyHeader::Jwk).unwrap();
        assert!(matches!(
            verify_vc_jwt(&jwt, &Resolver::new(), &JwsLimits::new(), 1_000),
            Err(ProofError::Claims(_))
        ));
        assert!(matches!(
            verify_vc_jwt(&jwt, &Resolver::new(), &JwsLimits::new(), 5_000_000_000),
            Err(ProofError::Claims(_))
        ));
        // A different key claiming a did:key issuer.
        let other = KeyPair::generate(KeyType::Ed25519).unwrap();
        let forged = sign_vc_jwt(&c, &other, &JwtKeyHeader::Jwk).unwrap();
        assert!(matches!(
            verify_vc_jwt(&forged, &Resolver::new(), &JwsLimits::new(), NOW),
            Err(ProofError::Claims(_))
        ));
        // VC 1.1 form with a wrong jti.
        let mut payload = Map::new();
        payload.insert("vc".into(), c.clone());
        payload.insert("iss".into(), pair.public_key().did_key().into());
        payload.insert("jti".into(), "urn:other".into());
        payload.insert("nbf".into(), 1_262_304_000.into());
        payload.insert(
            "sub".into(),
            "did:example:ebfeb1f712ebc6f1c276e12ec21".into(),
        );
        payload.insert("exp".into(), 4_102_444_800i64.into());
        let mut h = Map::new();
        h.insert("jwk".into(), pair.public_key().to_jwk());
        let bad = sign_compact(&h, &serde_json::to_vec(&payload).unwrap(), &pair).unwrap();
        assert!(matches!(
            verify_vc_jwt(&bad, &Resolver::new(), &JwsLimits::new(), NOW),
            Err(ProofError::Claims(_))
        ));
        payload.insert("jti".into(), c["id"].clone());
        let good = sign_compact(&h, &serde_json::to_vec(&payload).unwrap(), &pair).unwrap();
        let v = verify_vc_jwt(&good, &Resolver::new(), &JwsLimits::new(), NOW).unwrap();
        assert!(v.vc_claim);
    }
}
