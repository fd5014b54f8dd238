//! OB 2.0 checks that the corpus's map of documents cannot express: HTTP 410 Gone, nothing
//! fetchable (offline), the endorsement depth limit, the report's shape for a 2.0 badge, and
//! JSON-LD compaction details (messages, remote extension contexts).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use obi_fetch::{Fetch, FetchError, MapFetcher, Request, Response};
use obi_verify::{Input, Level, Options, verify};
use serde_json::Value;

fn data(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/ob2")
            .join(rel),
    )
    .unwrap()
}

fn json(rel: &str) -> Value {
    serde_json::from_slice(&data(rel)).unwrap()
}

/// The shared documents of the corpus (issuer, badge class, key, list).
fn shared() -> MapFetcher {
    let manifest = json("manifest.json");
    let mut f = MapFetcher::new();
    for (url, v) in manifest["shared"].as_object().unwrap() {
        let file = v.as_str().or_else(|| v["file"].as_str()).unwrap();
        f.insert(url.clone(), Some("application/ld+json".into()), data(file));
    }
    f
}

/// Answers 410 Gone for one URL, else asks the inner fetcher.
struct Gone(&'static str, MapFetcher);

impl Fetch for Gone {
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        if request.url == self.0 {
            return Err(FetchError::Status {
                url: request.url.to_owned(),
                status: 410,
            });
        }
        self.1.fetch(request)
    }
}

const HOSTED: &str = "https://issuer.example/assertions/hosted-valid";

#[test]
fn hosted_assertion_gone_is_revoked() {
    let input = json("cases/hosted-valid/input.json");
    let options = Options::new().with_fetcher(Arc::new(Gone(HOSTED, shared())));
    let report = verify(Input::Json(input), &options);
    assert!(!report.valid);
    assert!(report.has(Level::Error, "VERIFY_HOSTED_ASSERTION_NOT_REVOKED"));
}

#[test]
fn offline_without_documents_names_the_missing_url() {
    let input = json("cases/hosted-valid/input.json");
    let report = verify(Input::Json(input), &Options::new().with_offline(true));
    assert!(!report.valid);
    let m = report.messages_named("FETCH_HTTP_NODE").next().unwrap();
    assert_eq!(m.level, Level::Error);
    assert!(m.result.contains(HOSTED), "{}", m.result);
}

#[test]
fn report_shape_for_a_hosted_badge() {
    let input = json("cases/hosted-valid/input.json");
    let fetcher = shared().with_json(HOSTED, data("cases/hosted-valid/input.json"));
    let report = verify(
        Input::Json(input),
        &Options::new().with_fetcher(Arc::new(fetcher)),
    );
    assert!(report.valid, "{:?}", report.messages);
    let j = report.to_json();
    assert_eq!(j["report"]["openBadgesVersion"], "2.0");
    assert_eq!(j["report"]["errorCount"], 0);
    let ids: Vec<&str> = j["graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    assert!(ids.contains(&HOSTED), "{ids:?}");
    assert!(ids.contains(&"https://issuer.example/badges/1"), "{ids:?}");
    assert!(ids.contains(&"https://issuer.example/issuer"), "{ids:?}");
}

#[test]
fn endorsements_past_the_depth_limit_are_reported_not_followed() {
    let manifest = json("manifest.json");
    let case = manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "endorsement-valid")
        .unwrap();
    let mut fetcher = shared();
    for (url, file) in case["docs"].as_object().unwrap() {
        fetcher.insert(
            url.clone(),
            Some("application/ld+json".into()),
            data(file.as_str().unwrap()),
        );
    }
    let input = json(case["input"].as_str().unwrap());
    let fetcher = Arc::new(fetcher);
    let deep = verify(
        Input::Json(input.clone()),
        &Options::new().with_fetcher(fetcher.clone()),
    );
    assert!(deep.valid);
    assert!(
        deep.messages_named("VERIFY_ENDORSEMENT")
            .any(|m| m.result.ends_with("verified"))
    );
    let shallow = verify(
        Input::Json(input),
        &Options::new()
            .with_fetcher(fetcher)
            .with_max_endorsement_depth(0),
    );
    assert!(shallow.valid);
    assert!(
        shallow
            .messages_named("VERIFY_ENDORSEMENT")
            .any(|m| m.result.contains("max_endorsement_depth"))
    );
}

#[test]
fn tampered_signature_and_garbage_never_panic() {
    let jws = String::from_utf8(data("cases/signed-valid/input.jws")).unwrap();
    let jws = jws.trim();
    let options = Options::new().with_fetcher(Arc::new(shared()));
    assert!(verify(Input::Jws(jws.to_owned()), &options).valid);
    for cut in [1, jws.len() / 2, jws.len() - 1] {
        let report = verify(Input::Jws(jws[..cut].to_owned()), &options);
        assert!(!report.valid);
    }
    let flipped: String = jws
        .char_indices()
        .map(|(i, c)| {
            if i == jws.len() - 3 && c != 'A' {
                'A'
            } else if i == jws.len() - 3 {
                'B'
            } else {
                c
            }
        })
        .collect();
    assert!(!verify(Input::Jws(flipped), &options).valid);
}

/// A hosted assertion `a` (served at its id) plus the shared documents and `extra` ones.
fn hosted_with(a: &Value, extra: &[(&str, Value)]) -> (Input, Options) {
    let mut f = shared();
    let id = a["id"].as_str().unwrap().to_owned();
    f.insert(
        id,
        Some("application/ld+json".into()),
        a.to_string().into_bytes(),
    );
    for (url, doc) in extra {
        f.insert(
            (*url).to_owned(),
            Some("application/ld+json".into()),
            doc.to_string().into_bytes(),
        );
    }
    (
        Input::Json(a.clone()),
        Options::new().with_fetcher(Arc::new(f)),
    )
}

#[test]
fn a_context_remapping_badge_is_reported_with_its_meaning() {
    let mut a = json("cases/hosted-valid/input.json");
    a["@context"] = serde_json::json!([
        "https://w3id.org/openbadges/v2",
        {"badge": {"@id": "https://example.org/vocab#award", "@type": "@id"}}
    ]);
    let (input, options) = hosted_with(&a, &[]);
    let report = verify(input, &options);
    assert!(!report.valid);
    let m = report
        .messages
        .iter()
        .find(|m| m.name == "JSONLD_COMPACT_DATA" && m.level == Level::Error)
        .expect("a JSONLD_COMPACT_DATA error");
    assert!(
        m.result.contains("\"badge\"") && m.result.contains("https://example.org/vocab#award"),
        "{}",
        m.result
    );
}

const EXT: &str = "https://example.org/ext/context.json";

#[test]
fn a_remote_extension_context_is_loaded_through_the_fetcher() {
    let mut a = json("cases/hosted-valid/input.json");
    a["@context"] = serde_json::json!(["https://w3id.org/openbadges/v2", EXT]);
    a["note"] = Value::String("extension data".into());
    let ext = serde_json::json!({"@context": {"note": "https://example.org/ext#note"}});
    let (input, options) = hosted_with(&a, &[(EXT, ext)]);
    let report = verify(input, &options);
    assert!(report.valid, "{:?}", report.messages);
    // The graph holds the compacted form: OB 2.0 terms, the extension property by its IRI.
    let node = report
        .graph
        .iter()
        .find(|n| n["id"] == HOSTED)
        .expect("the assertion in the graph");
    assert_eq!(node["badge"], "https://issuer.example/badges/1");
    assert_eq!(node["https://example.org/ext#note"], "extension data");
}

#[test]
fn a_missing_remote_context_is_a_compaction_error_naming_it() {
    let mut a = json("cases/hosted-valid/input.json");
    a["@context"] = serde_json::json!(["https://w3id.org/openbadges/v2", EXT]);
    let (input, options) = hosted_with(&a, &[]);
    let report = verify(input, &options);
    assert!(!report.valid);
    assert!(
        report
            .messages
            .iter()
            .any(|m| m.name == "JSONLD_COMPACT_DATA" && m.result.contains(EXT)),
        "{:?}",
        report.messages
    );
}

/// A signed assertion whose payload names no OB 2.0 context IRI (an inline context with the
/// OB 2.0 terms' IRIs) is read by meaning and its signature checked; the same payload edited
/// after signing fails.
#[test]
fn a_signed_assertion_with_an_inline_context_verifies() {
    let mut payload = json("../ob2-jsonld/cases/jsonld-inline-context/input.json");
    payload["id"] = Value::String("urn:uuid:2c1f6a0e-7d4b-4b7e-9c55-1a2b3c4d5e6f".into());
    let ctx = payload["@context"].as_object_mut().unwrap();
    ctx.insert("SignedBadge".into(), "obi:SignedBadge".into());
    ctx.insert(
        "creator".into(),
        serde_json::json!({"@id": "http://purl.org/dc/terms/creator", "@type": "@id"}),
    );
    let key_text = String::from_utf8(data("keys/rsa1.jwk.json")).unwrap();
    let key = obi_proof::KeyPair::from_jwk(&serde_json::from_str(&key_text).unwrap()).unwrap();
    let jws =
        obi_proof::ob2::sign_assertion(&payload, &key, "https://issuer.example/keys/1").unwrap();
    let options = Options::new().with_fetcher(Arc::new(shared()));
    let report = verify(Input::Jws(jws.clone()), &options);
    let explain = || {
        report
            .messages
            .iter()
            .map(|m| format!("{} {}: {}", m.level, m.name, m.result))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(report.valid, "{}", explain());
    assert!(
        report.has(Level::Info, "JSONLD_COMPACT_DATA"),
        "{}",
        explain()
    );
    assert!(report.has(Level::Info, "DETECT_VERSION"), "{}", explain());
    assert_eq!(report.open_badges_version.as_deref(), Some("2.0"));
    // The recipient's salt changed after signing: the signature no longer matches.
    let parts: Vec<&str> = jws.split('.').collect();
    let mut edited = payload.clone();
    edited["recipient"]["salt"] = Value::String("other".into());
    edited["verification"] =
        serde_json::json!({"type": "SignedBadge", "creator": "https://issuer.example/keys/1"});
    let other =
        obi_proof::ob2::sign_assertion(&edited, &key, "https://issuer.example/keys/1").unwrap();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        other.split('.').nth(1).unwrap(),
        parts[2]
    );
    let report = verify(Input::Jws(forged), &options);
    assert!(!report.valid);
    assert!(report.has(Level::Error, "VERIFY_JWS"));
}

/// A standalone Endorsement whose hosted copy is gone (HTTP 410) is revoked.
#[test]
fn a_hosted_endorsement_gone_is_revoked() {
    const ID: &str = "https://issuer.example/endorsements/gone";
    let endorsement = serde_json::json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Endorsement",
        "id": ID,
        "claim": {"id": "https://issuer.example/badges/1", "endorsementComment": "Good."},
        "issuedOn": "2024-02-01T09:00:00Z",
        "issuer": "https://issuer.example/issuer",
        "verification": {"type": "hosted"}
    });
    let options = Options::new().with_fetcher(Arc::new(Gone(ID, shared())));
    let report = verify(Input::Json(endorsement), &options);
    assert!(!report.valid);
    assert!(report.has(Level::Error, "VERIFY_HOSTED_ASSERTION_NOT_REVOKED"));
}

/// A JWS whose payload has a @context with no Open Badges meaning is not an Open Badge.
#[test]
fn a_signed_payload_with_no_open_badges_meaning_is_not_a_badge() {
    let payload = serde_json::json!({
        "@context": {"id": "@id", "type": "@type", "Thing": "https://example.org/vocab#Thing"},
        "type": "Thing",
        "id": "urn:uuid:7a1f6a0e-7d4b-4b7e-9c55-1a2b3c4d5e6f"
    });
    let key_text = String::from_utf8(data("keys/rsa1.jwk.json")).unwrap();
    let key = obi_proof::KeyPair::from_jwk(&serde_json::from_str(&key_text).unwrap()).unwrap();
    let jws =
        obi_proof::ob2::sign_assertion(&payload, &key, "https://issuer.example/keys/1").unwrap();
    let report = verify(
        Input::Jws(jws),
        &Options::new().with_fetcher(Arc::new(shared())),
    );
    assert!(!report.valid);
    assert!(report.has(Level::Error, "DETECT_VERSION"));
}
