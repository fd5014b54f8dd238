//! A Verifiable Presentation's own proof (VC Data Model 2.0 §4.13, OB 3.0 §8.3): a Data
//! Integrity proof (`eddsa-rdfc-2022`, `eddsa-jcs-2022`, `Ed25519Signature2020`) with
//! `proofPurpose: authentication`, or a VP-JWT (the `vp` claim). The signer must be the
//! `holder` (holder binding); the `challenge`/`nonce` and `domain`/`aud` must be the values the
//! caller expects ([`crate::Options::with_expected_challenge`],
//! [`crate::Options::with_expected_domain`]) when it gives them. The credentials inside are
//! verified by the dispatcher as before.

use serde_json::{Map, Value};

use crate::context::VerifyContext;
use crate::dispatch::checks;

/// The proof purpose of a presentation's proof.
pub(crate) const AUTHENTICATION: &str = "authentication";

/// The `holder` id: a string, or an object's `id`.
pub(crate) fn holder_id(vp: &Value) -> Option<&str> {
    match vp.get("holder") {
        Some(Value::String(s)) => Some(s),
        Some(obj) => obj.get("id").and_then(Value::as_str),
        None => None,
    }
}

/// True when `value` (a string or a list of strings) holds `wanted`.
fn holds(value: Option<&Value>, wanted: &str) -> bool {
    match value {
        Some(Value::String(s)) => s == wanted,
        Some(Value::Array(items)) => items.iter().any(|v| v.as_str() == Some(wanted)),
        _ => false,
    }
}

/// Checks the expected challenge and domain against what the proof (or JWT) carries.
/// `challenge_name`/`domain_name` are the property names (`challenge`/`domain` or
/// `nonce`/`aud`).
fn check_challenge_domain(
    source: &Map<String, Value>,
    challenge_name: &str,
    domain_name: &str,
    what: &str,
    ctx: &mut VerifyContext<'_>,
) -> bool {
    let mut ok = true;
    match ctx.options.expected_challenge.clone() {
        Some(expected) => {
            if source.get(challenge_name).and_then(Value::as_str) != Some(expected.as_str()) {
                ok = false;
                ctx.error(
                    checks::PRESENTATION_PROOF,
                    format!(
                        "{what}: {challenge_name} is {}, not the expected challenge {expected:?} (a replayed or foreign presentation)",
                        source
                            .get(challenge_name)
                            .map_or_else(|| "missing".to_owned(), Value::to_string)
                    ),
                );
            }
        }
        None => {
            if source.contains_key(challenge_name) {
                ctx.warning(
                    checks::PRESENTATION_PROOF,
                    format!(
                        "{what} carries a {challenge_name} but no expected challenge was given: replay is not ruled out"
                    ),
                );
            }
        }
    }
    if let Some(expected) = ctx.options.expected_domain.clone()
        && !holds(source.get(domain_name), &expected)
    {
        ok = false;
        ctx.error(
            checks::PRESENTATION_PROOF,
            format!(
                "{what}: {domain_name} is {}, not the expected domain {expected:?} (the presentation was made for another verifier)",
                source
                    .get(domain_name)
                    .map_or_else(|| "missing".to_owned(), Value::to_string)
            ),
        );
    }
    ok
}

/// Checks a JSON presentation's Data Integrity proof(s). A presentation without a proof is
/// an INFO (its holder is not authenticated), or an ERROR when the caller expects a challenge
/// or a domain.
pub(crate) fn check_proof(vp: &Value, ctx: &mut VerifyContext<'_>) {
    let Some(proof_value) = vp.get("proof") else {
        if ctx.options.expected_challenge.is_some() || ctx.options.expected_domain.is_some() {
            ctx.error(
                checks::PRESENTATION_PROOF,
                "the presentation has no proof: the expected challenge/domain cannot be checked and its holder is not authenticated",
            );
        } else {
            ctx.info(
                checks::PRESENTATION_PROOF,
                "the presentation has no proof of its own: its holder is not authenticated; each credential is verified",
            );
        }
        return;
    };
    let proof_objects: Vec<&Value> = match proof_value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let holder = holder_id(vp).map(str::to_owned);
    let fetcher = ctx.proof_fetcher();
    let resolver = obi_proof::Resolver::new().with_fetcher(&fetcher);
    let canon = ctx.options.canonicalizer.clone();
    let result = obi_proof::verify_proofs(vp, AUTHENTICATION, &resolver, canon.as_ref());
    let proofs = match result {
        Ok(p) => p,
        Err(e) => {
            if crate::ob3::could_not_run(&e) {
                ctx.report.incomplete = true;
            }
            ctx.error(
                checks::PRESENTATION_PROOF,
                format!("the presentation's own proof does not verify: {e}"),
            );
            return;
        }
    };
    for (i, p) in proofs.iter().enumerate() {
        let what = format!(
            "the presentation's {} proof by {}",
            p.suite.name(),
            p.verification_method
        );
        let controller = crate::ob3::method_controller(&p.verification_method, ctx);
        let mut ok = true;
        match &holder {
            Some(h) if *h != controller => {
                ok = false;
                ctx.error(
                    checks::PRESENTATION_PROOF,
                    format!(
                        "{what}: the key is controlled by {controller}, not by the holder {h} (holder binding)"
                    ),
                );
            }
            Some(_) => {}
            None => ctx.warning(
                checks::PRESENTATION_PROOF,
                format!(
                    "{what}: the presentation names no holder, so the signer {controller} is bound to nothing"
                ),
            ),
        }
        if let Some(Value::Object(proof)) = proof_objects.get(i).copied() {
            ok &= check_challenge_domain(proof, "challenge", "domain", &what, ctx);
        }
        if ok {
            ctx.info(checks::PRESENTATION_PROOF, format!("{what} verified"));
        }
    }
}

/// Verifies a VP-JWT's signature and claims; returns the presentation (the `vp` claim) to
/// verify the credentials of, or `None` when it cannot be read (ERROR written). A signature
/// or claim that does not verify is an ERROR and the presentation is still returned.
pub(crate) fn verify_vp_jwt(text: &str, ctx: &mut VerifyContext<'_>) -> Option<Value> {
    let jws = match obi_proof::Jws::parse_with(text, &obi_proof::JwsLimits::new()) {
        Ok(j) => j,
        Err(e) => {
            ctx.error(checks::INPUT, format!("not a valid compact JWS: {e}"));
            return None;
        }
    };
    let claims = match obi_model::json::parse(jws.payload()) {
        Ok(Value::Object(c)) => c,
        Ok(_) | Err(_) => {
            ctx.error(
                checks::PRESENTATION_PROOF,
                "the VP-JWT payload is not a JSON object",
            );
            return None;
        }
    };
    let Some(vp) = claims.get("vp").filter(|v| v.is_object()).cloned() else {
        ctx.error(
            checks::PRESENTATION_PROOF,
            "the VP-JWT has no vp claim (an object)",
        );
        return None;
    };
    let what = "the presentation's VP-JWT";
    let fetcher = ctx.proof_fetcher();
    let resolver = obi_proof::Resolver::new().with_fetcher(&fetcher);
    let key = match (jws.header_jwk(), jws.kid()) {
        (Err(e), _) => Err(format!("the jwk header is not a usable key: {e}")),
        (Ok(Some(k)), _) => Ok((k, None)),
        (Ok(None), Some(kid)) => {
            use obi_proof::VerificationMethodResolver;
            let resolved = if kid.starts_with("did:") {
                resolver.resolve(kid, AUTHENTICATION)
            } else {
                resolver.resolve_jwt_kid(kid)
            };
            resolved
                .map(|k| (k, Some(kid.to_owned())))
                .map_err(|e| format!("the key {kid} cannot be used for authentication: {e}"))
        }
        (Ok(None), None) => Err("the JOSE header has neither kid nor jwk".to_owned()),
    };
    let (key, kid) = match key {
        Ok(k) => k,
        Err(e) => {
            ctx.report.incomplete = true;
            ctx.error(checks::PRESENTATION_PROOF, format!("{what}: {e}"));
            return Some(vp);
        }
    };
    if let Err(e) = jws.verify(&key) {
        ctx.error(
            checks::PRESENTATION_PROOF,
            format!("{what} signature does not verify: {e}"),
        );
        return Some(vp);
    }
    let mut ok = true;
    let iss = claims.get("iss").and_then(Value::as_str);
    let holder = holder_id(&vp).or(iss);
    if let (Some(h), Some(i)) = (holder_id(&vp), iss)
        && h != i
    {
        ok = false;
        ctx.error(
            checks::PRESENTATION_PROOF,
            format!("{what}: iss {i} is not the presentation's holder {h}"),
        );
    }
    // Holder binding: the signing key belongs to the holder.
    match holder {
        None => ctx.warning(
            checks::PRESENTATION_PROOF,
            format!(
                "{what} names no holder (no iss, no vp.holder): the signer is bound to nothing"
            ),
        ),
        Some(h) => {
            let bound = if let Some(multikey) = h.strip_prefix("did:key:") {
                key.matches_multikey(multikey.split('#').next().unwrap_or_default())
            } else if let Some(kid) = &kid {
                kid.split('#').next() == Some(h)
                    || (kid.starts_with("https://") && crate::ob3::method_controller(kid, ctx) == h)
            } else {
                false
            };
            if !bound {
                ok = false;
                ctx.error(
                    checks::PRESENTATION_PROOF,
                    format!(
                        "{what}: the signing key is not a key of the holder {h} (holder binding)"
                    ),
                );
            }
        }
    }
    let now = ctx.options.now().timestamp();
    if let Some(exp) = claims.get("exp") {
        match exp.as_i64() {
            Some(exp) if now > exp => {
                ok = false;
                ctx.error(
                    checks::PRESENTATION_PROOF,
                    format!("{what} expired (exp {exp} is before now {now})"),
                );
            }
            Some(_) => {}
            None => {
                ok = false;
                ctx.error(
                    checks::PRESENTATION_PROOF,
                    format!("{what}: exp is not a NumericDate"),
                );
            }
        }
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_i64)
        && now < nbf
    {
        ok = false;
        ctx.error(
            checks::PRESENTATION_PROOF,
            format!("{what} is not valid yet (nbf {nbf} is after now {now})"),
        );
    }
    ok &= check_challenge_domain(&claims, "nonce", "aud", what, ctx);
    if ok {
        ctx.info(
            checks::PRESENTATION_PROOF,
            format!(
                "{what} {} signature by the holder verified",
                jws.algorithm().name()
            ),
        );
    }
    Some(vp)
}
