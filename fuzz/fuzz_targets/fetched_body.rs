//! Bodies of fetched documents (the client side of HTTP): the verifier follows a hosted OB 2.0
//! assertion to its badge class, issuer and revocation list, and an OB 3.0 credential to its
//! did:web document and status list; every one of those URLs serves the fuzz input (with a
//! content type chosen by the first byte), and so does a URL given as the input itself. Served
//! from memory: nothing touches the network. Never a panic, and the report is consistent.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use obi_fetch::MapFetcher;
use obi_verify::{Input, Level, Options, verify};
use serde_json::json;

const CONTENT_TYPES: &[Option<&str>] = &[
    Some("application/json"),
    Some("application/ld+json"),
    Some("text/html; charset=utf-8"),
    Some("image/png"),
    Some("image/svg+xml"),
    Some("application/jwt"),
    Some("text/plain"),
    None,
];

/// Every URL the entry documents below lead the verifier to.
const SERVED: &[&str] = &[
    "https://example.org/fuzz",
    "https://example.org/badges/1",
    "https://example.org/issuer",
    "https://example.org/revocations",
    "https://example.org/.well-known/did.json",
    "https://example.org/status/1",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let mut fetcher = MapFetcher::new();
    for url in SERVED {
        fetcher.insert(*url, content_type.map(str::to_owned), body);
    }
    let assertion = json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://example.org/assertions/1",
        "recipient": {"type": "email", "hashed": false, "identity": "a@example.org"},
        "badge": "https://example.org/badges/1",
        "verification": {"type": "HostedBadge"},
        "issuedOn": "2024-01-01T00:00:00Z"
    });
    fetcher.insert(
        "https://example.org/assertions/1",
        Some("application/json".to_owned()),
        assertion.to_string(),
    );
    let credential = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:web:example.org", "type": ["Profile"], "name": "I"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "B",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.org/achievements/1",
                "type": ["Achievement"],
                "name": "A",
                "criteria": {"narrative": "n"}
            }
        },
        "credentialStatus": {
            "id": "https://example.org/status/1#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": "https://example.org/status/1"
        },
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2024-01-01T00:00:00Z",
            "verificationMethod": "did:web:example.org#key-1",
            "proofPurpose": "assertionMethod",
            "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKiZUyBAcrtHMKpN2"
        }
    });
    let input = match (selector >> 4) % 3 {
        0 => Input::Url("https://example.org/fuzz".to_owned()),
        1 => Input::Url("https://example.org/assertions/1".to_owned()),
        _ => Input::Json(credential),
    };
    let options = Options::new().with_fetcher(Arc::new(fetcher));
    let report = verify(input, &options);
    let errors = report
        .messages
        .iter()
        .filter(|m| m.level == Level::Error)
        .count();
    assert_eq!(report.error_count, errors);
    assert_eq!(report.valid, errors == 0);
    assert!(serde_json::to_string(&report).is_ok());
});
