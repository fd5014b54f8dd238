//! A Verifiable Presentation's own proof: Data Integrity (eddsa-rdfc-2022, eddsa-jcs-2022)
//! with `proofPurpose: authentication` and VP-JWT, made here with obi-proof: the holder
//! binding, the expected challenge (`challenge` / `nonce`) and domain (`domain` / `aud`), and
//! the embedded credentials still verified one by one.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use obi_fetch::MapFetcher;
use obi_proof::{KeyPair, LdCanonicalizer, ProofOptions, Suite, add_proof, sign_compact};
use obi_verify::{Input, Level, Options, Report, verify};
use serde_json::{Map, Value, json};

const CHECK: &str = "VERIFY_PRESENTATION_PROOF";
const CHALLENGE: &str = "c0ffee-1234";
const DOMAIN: &str = "https://verifier.example";

/// The corpus's presentation of two valid credentials (no holder, no proof).
fn presentation() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/corpus/ob3/cases/valid-presentation.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn holder_key(seed: u8) -> KeyPair {
    KeyPair::ed25519_from_seed(&[seed; 32])
}

/// The corpus's clock (its credentials' validity and status lists are fixed in time) and
/// its shared documents (status lists, the issuer's DID document).
fn options() -> Options {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus/ob3");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut fetcher = MapFetcher::new();
    for (url, file) in manifest["shared"].as_object().unwrap() {
        let body = std::fs::read(dir.join(file.as_str().unwrap())).unwrap();
        fetcher.insert(url.clone(), Some("application/json".into()), body);
    }
    Options::new()
        .with_fetcher(Arc::new(fetcher))
        .with_offline(true)
        .with_now(
            chrono::DateTime::parse_from_rfc3339("2025-06-15T00:00:00Z")
                .unwrap()
                .to_utc(),
        )
}

fn with_holder(mut vp: Value, key: &KeyPair) -> Value {
    vp["holder"] = json!(key.public_key().did_key());
    vp
}

/// `vp` signed with eddsa-rdfc-2022 by `key` (its did:key method) for `purpose`.
fn sign(vp: &Value, key: &KeyPair, purpose: &str) -> Value {
    let options = ProofOptions::new(
        Suite::EddsaRdfc2022,
        key.public_key().did_key_verification_method(),
    )
    .with_created("2025-06-14T12:00:00Z")
    .with_proof_purpose(purpose);
    add_proof(vp, &options, key, &LdCanonicalizer::pinned()).unwrap()
}

/// `vp` signed by `key` with a proof carrying `extra` (challenge, domain), built the way a
/// holder's wallet does: the extra options are part of the signed proof configuration.
fn sign_with(vp: &Value, key: &KeyPair, suite: Suite, challenge: &str, domain: &str) -> Value {
    let options = ProofOptions::new(suite, key.public_key().did_key_verification_method())
        .with_created("2025-06-14T12:00:00Z")
        .with_proof_purpose("authentication")
        .with_challenge(challenge)
        .with_domain(domain);
    add_proof(vp, &options, key, &LdCanonicalizer::pinned()).unwrap()
}

fn run(vp: Value, options: &Options) -> Report {
    verify(Input::Json(vp), options)
}

fn explain(report: &Report) -> String {
    report
        .messages
        .iter()
        .map(|m| format!("{} {}: {}", m.level, m.name, m.result))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_valid(report: &Report) {
    assert!(report.valid, "{}", explain(report));
    assert!(report.has(Level::Info, CHECK), "{}", explain(report));
    assert!(
        report.has(Level::Info, "VERIFY_SIGNATURE"),
        "{}",
        explain(report)
    );
}

fn assert_proof_error(report: &Report, contains: &str) {
    assert!(!report.valid, "{}", explain(report));
    let m = report
        .messages_named(CHECK)
        .find(|m| m.level == Level::Error)
        .unwrap_or_else(|| panic!("no ERROR {CHECK}:\n{}", explain(report)));
    assert!(m.result.contains(contains), "{}", m.result);
}

#[test]
fn a_presentation_signed_by_its_holder_verifies() {
    let key = holder_key(1);
    let vp = sign(&with_holder(presentation(), &key), &key, "authentication");
    let report = run(vp, &options());
    assert_valid(&report);
    assert_eq!(report.input.input_type.as_deref(), Some("presentation"));
}

#[test]
fn a_tampered_presentation_fails() {
    let key = holder_key(1);
    let mut vp = sign(&with_holder(presentation(), &key), &key, "authentication");
    vp["id"] = json!("urn:uuid:00000000-0000-4000-8000-000000000001");
    assert_proof_error(&run(vp, &options()), "does not verify");
}

#[test]
fn a_presentation_with_a_credential_swapped_in_fails() {
    let key = holder_key(1);
    let mut vp = sign(&with_holder(presentation(), &key), &key, "authentication");
    // Drop one of the two credentials after signing: the holder did not present this.
    vp["verifiableCredential"].as_array_mut().unwrap().pop();
    assert_proof_error(&run(vp, &options()), "does not verify");
}

#[test]
fn a_proof_by_someone_else_than_the_holder_fails() {
    let holder = holder_key(1);
    let other = holder_key(2);
    let vp = sign(
        &with_holder(presentation(), &holder),
        &other,
        "authentication",
    );
    assert_proof_error(&run(vp, &options()), "holder binding");
}

#[test]
fn an_assertion_method_proof_is_not_an_authentication() {
    let key = holder_key(1);
    let vp = sign(&with_holder(presentation(), &key), &key, "assertionMethod");
    assert_proof_error(&run(vp, &options()), "authentication");
}

#[test]
fn no_holder_is_a_warning() {
    let key = holder_key(1);
    let vp = sign(&presentation(), &key, "authentication");
    let report = run(vp, &options());
    assert!(report.valid, "{}", explain(&report));
    assert!(report.has(Level::Warning, CHECK), "{}", explain(&report));
}

#[test]
fn challenge_and_domain_are_checked_when_expected() {
    let key = holder_key(3);
    let vp = with_holder(presentation(), &key);
    for suite in [Suite::EddsaRdfc2022, Suite::EddsaJcs2022] {
        let signed = sign_with(&vp, &key, suite, CHALLENGE, DOMAIN);
        let expecting = options()
            .with_expected_challenge(CHALLENGE)
            .with_expected_domain(DOMAIN);
        assert_valid(&run(signed.clone(), &expecting));
        // Not expecting a challenge: valid, with a warning that replay is not ruled out.
        let report = run(signed.clone(), &options());
        assert!(report.valid, "{}", explain(&report));
        assert!(report.has(Level::Warning, CHECK), "{}", explain(&report));
        // Another challenge or domain: a replay, or a presentation for another verifier.
        let report = run(signed.clone(), &options().with_expected_challenge("other"));
        assert_proof_error(&report, "expected challenge");
        let report = run(
            signed.clone(),
            &options().with_expected_domain("https://else.example"),
        );
        assert_proof_error(&report, "expected domain");
        // The challenge edited to the expected one: the signature breaks.
        let mut edited = signed.clone();
        edited["proof"]["challenge"] = json!("other");
        let report = run(edited, &options().with_expected_challenge("other"));
        assert_proof_error(&report, "does not verify");
    }
}

#[test]
fn an_unsigned_presentation_is_info_unless_a_challenge_is_expected() {
    let report = run(presentation(), &options());
    assert!(report.valid, "{}", explain(&report));
    assert!(report.has(Level::Info, CHECK));
    let report = run(
        presentation(),
        &options().with_expected_challenge(CHALLENGE),
    );
    assert_proof_error(&report, "no proof");
}

#[test]
fn an_embedded_credential_that_fails_still_fails_a_well_signed_presentation() {
    let key = holder_key(1);
    let mut vp = with_holder(presentation(), &key);
    vp["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = json!("Forged");
    let vp = sign(&vp, &key, "authentication");
    let report = run(vp, &options());
    assert!(!report.valid, "{}", explain(&report));
    assert!(report.has(Level::Info, CHECK), "{}", explain(&report));
    assert!(
        report.has(Level::Error, "VERIFY_SIGNATURE"),
        "{}",
        explain(&report)
    );
}

/// A VP-JWT (EdDSA, did:key kid) with the presentation in `vp`.
fn vp_jwt(key: &KeyPair, iss: &str, extra: &[(&str, Value)]) -> String {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    header.insert(
        "kid".into(),
        key.public_key().did_key_verification_method().into(),
    );
    let mut claims = Map::new();
    claims.insert("iss".into(), iss.into());
    claims.insert("vp".into(), with_holder(presentation(), key));
    for (k, v) in extra {
        claims.insert((*k).into(), v.clone());
    }
    sign_compact(&header, &serde_json::to_vec(&claims).unwrap(), key).unwrap()
}

#[test]
fn a_vp_jwt_signed_by_its_holder_verifies() {
    let key = holder_key(4);
    let holder = key.public_key().did_key();
    let jwt = vp_jwt(
        &key,
        &holder,
        &[("nonce", json!(CHALLENGE)), ("aud", json!(DOMAIN))],
    );
    let expecting = options()
        .with_expected_challenge(CHALLENGE)
        .with_expected_domain(DOMAIN);
    let report = verify(Input::Jws(jwt.clone()), &expecting);
    assert_valid(&report);
    assert_eq!(report.input.input_type.as_deref(), Some("presentation"));
    // As bytes (a file holding the JWT) it is detected the same way.
    let report = verify(Input::bytes("vp.jwt", jwt.into_bytes()), &expecting);
    assert_valid(&report);
}

#[test]
fn a_vp_jwt_with_a_wrong_nonce_audience_signer_or_signature_fails() {
    let key = holder_key(4);
    let holder = key.public_key().did_key();
    let expecting = options()
        .with_expected_challenge(CHALLENGE)
        .with_expected_domain(DOMAIN);
    let jwt = vp_jwt(
        &key,
        &holder,
        &[("nonce", json!("stale")), ("aud", json!(DOMAIN))],
    );
    assert_proof_error(&verify(Input::Jws(jwt), &expecting), "expected challenge");
    let jwt = vp_jwt(
        &key,
        &holder,
        &[
            ("nonce", json!(CHALLENGE)),
            ("aud", json!(["https://else.example"])),
        ],
    );
    assert_proof_error(&verify(Input::Jws(jwt), &expecting), "expected domain");
    // Signed by another key than the holder's (its own did:key in kid).
    let other = holder_key(5);
    let mut header = Map::new();
    header.insert(
        "kid".into(),
        other.public_key().did_key_verification_method().into(),
    );
    let claims = json!({"iss": holder, "nonce": CHALLENGE, "aud": DOMAIN, "vp": with_holder(presentation(), &key)});
    let jwt = sign_compact(&header, &serde_json::to_vec(&claims).unwrap(), &other).unwrap();
    assert_proof_error(&verify(Input::Jws(jwt), &expecting), "holder");
    // The payload edited after signing.
    let jwt = vp_jwt(
        &key,
        &holder,
        &[("nonce", json!(CHALLENGE)), ("aud", json!(DOMAIN))],
    );
    let parts: Vec<&str> = jwt.split('.').collect();
    let forged = vp_jwt(
        &key,
        &holder,
        &[
            ("nonce", json!(CHALLENGE)),
            ("aud", json!(DOMAIN)),
            ("exp", json!(4_102_444_800_i64)),
        ],
    );
    let forged_payload = forged.split('.').nth(1).unwrap();
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert_proof_error(
        &verify(Input::Jws(tampered), &expecting),
        "signature does not verify",
    );
}
