//! Full OB 3.0 verification of a typical credential: eddsa-rdfc-2022 proof, JSON Schema,
//! contexts, dates, and a BitstringStatusList fetched from a `MapFetcher` (its own proof
//! verified too). Inputs come from the committed corpus. `verify_presentation`: the corpus's
//! presentation of two credentials, unsigned and signed by its holder (eddsa-rdfc-2022,
//! `authentication`, challenge and domain), so the ratio is the cost of checking a
//! presentation's own proof.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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

fn bench(c: &mut Criterion) {
    let credential = corpus("cases/valid-rdfc.json");
    let value: serde_json::Value = serde_json::from_slice(&credential).unwrap();
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
    assert!(verify(Input::Json(value.clone()), &options).valid);
    let mut g = c.benchmark_group("verify_ob3");
    g.throughput(Throughput::Elements(1));
    g.bench_function("eddsa-rdfc-2022 + schema + status list (bytes)", |b| {
        b.iter(|| verify(Input::bytes("c.json", credential.clone()), &options));
    });
    let no_status = {
        let mut v = value.clone();
        v.as_object_mut().unwrap().remove("credentialStatus");
        v
    };
    g.bench_function("eddsa-rdfc-2022 + schema, no status (json)", |b| {
        b.iter(|| verify(Input::Json(no_status.clone()), &options));
    });
    g.finish();
    presentation(c, &options);
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

fn presentation(c: &mut Criterion, options: &Options) {
    let vp: serde_json::Value =
        serde_json::from_slice(&corpus("cases/valid-presentation.json")).unwrap();
    let signed = signed_presentation(&vp, &obi_proof::KeyPair::ed25519_from_seed(&[9; 32]));
    let expecting = options
        .clone()
        .with_expected_challenge("bench-challenge")
        .with_expected_domain("https://verifier.example");
    assert!(verify(Input::Json(vp.clone()), options).valid);
    let report = verify(Input::Json(signed.clone()), &expecting);
    assert!(report.valid && report.has(obi_verify::Level::Info, "VERIFY_PRESENTATION_PROOF"));
    let mut g = c.benchmark_group("verify_presentation");
    g.throughput(Throughput::Elements(1));
    g.bench_function("two credentials, no presentation proof", |b| {
        b.iter(|| verify(Input::Json(vp.clone()), options));
    });
    g.bench_function(
        "two credentials, holder's eddsa-rdfc-2022 proof checked",
        |b| {
            b.iter(|| verify(Input::Json(signed.clone()), &expecting));
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
