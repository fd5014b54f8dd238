//! A driver for `valgrind --tool=callgrind` (load-independent instruction counts): verifies
//! the typical signed OB 3.0 credential (eddsa-rdfc-2022 + schema + status list from a
//! `MapFetcher`) once to warm every cache, then `OBI_PROFILE_ITERS` more times (default 100).
//! Run it twice with different counts and divide the difference in `Ir` by the difference
//! in iterations for the per-verification cost. `OBI_PROFILE_CASE=presentation` verifies the
//! corpus's presentation of two credentials instead, `presentation-signed` the same signed by
//! its holder (eddsa-rdfc-2022, `authentication`, challenge and domain checked):
//!
//! ```text
//! OBI_PROFILE_ITERS=1   valgrind --tool=callgrind target/release/deps/verify_profile-* --bench
//! OBI_PROFILE_ITERS=101 valgrind --tool=callgrind target/release/deps/verify_profile-* --bench
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use obi_fetch::MapFetcher;
use obi_verify::{Input, Options, verify};

fn corpus(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/corpus/ob3")
            .join(rel),
    )
    .unwrap()
}

fn main() {
    let iters: usize = std::env::var("OBI_PROFILE_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let credential = corpus("cases/valid-rdfc.json");
    let fetcher = MapFetcher::new().with_json(
        "https://issuer.example/status/1",
        corpus("docs/issuer.example_status_1.json"),
    );
    let now = chrono::DateTime::parse_from_rfc3339("2025-06-15T00:00:00Z")
        .unwrap()
        .to_utc();
    let options = Options::new()
        .with_fetcher(Arc::new(fetcher))
        .with_offline(true)
        .with_now(now);
    let case = std::env::var("OBI_PROFILE_CASE").unwrap_or_default();
    let (credential, options) = match case.as_str() {
        "presentation" => (corpus("cases/valid-presentation.json"), options),
        "presentation-signed" => {
            let vp: serde_json::Value =
                serde_json::from_slice(&corpus("cases/valid-presentation.json")).unwrap();
            let key = obi_proof::KeyPair::ed25519_from_seed(&[9; 32]);
            let signed = signed_presentation(&vp, &key);
            let options = options
                .with_expected_challenge("bench-challenge")
                .with_expected_domain("https://verifier.example");
            (serde_json::to_vec(&signed).unwrap(), options)
        }
        _ => (credential, options),
    };
    let first = verify(Input::bytes("c.json", credential.clone()), &options);
    assert!(first.valid, "{first:?}");
    let mut valid = 0usize;
    for _ in 0..iters {
        let report = verify(Input::bytes("c.json", credential.clone()), &options);
        valid += usize::from(report.valid);
    }
    assert_eq!(valid, iters);
    println!("verify_profile: {iters} verifications, all valid");
}

/// The corpus presentation signed by `key` as its holder, with a challenge and domain.
fn signed_presentation(vp: &serde_json::Value, key: &obi_proof::KeyPair) -> serde_json::Value {
    let mut vp = vp.clone();
    vp["holder"] = key.public_key().did_key().into();
    let options = obi_proof::ProofOptions::new(
        obi_proof::Suite::EddsaRdfc2022,
        key.public_key().did_key_verification_method(),
    )
    .with_created("2025-06-14T12:00:00Z")
    .with_proof_purpose("authentication")
    .with_challenge("bench-challenge")
    .with_domain("https://verifier.example");
    obi_proof::add_proof(&vp, &options, key, &obi_proof::LdCanonicalizer::pinned()).unwrap()
}
