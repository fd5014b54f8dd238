//! Proof benchmarks: eddsa-jcs-2022 sign/verify, VC-JWT EdDSA verify, eddsa-rdfc-2022 sign/verify
//! on the OB 3.0 spec credential (tests/data/ob-spec/obv3p0) and the reference sample.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // benchmark harness

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use obi_proof::{
    ASSERTION_METHOD, JwsLimits, JwtKeyHeader, KeyPair, KeyType, NoRdfCanonicalizer, ProofOptions,
    RdfCanonicalizer, Resolver, Suite, add_proof, sign_vc_jwt, verify_proofs, verify_vc_jwt,
};
use serde_json::Value;

fn credential(key: &KeyPair) -> Value {
    let text = include_str!("../tests/data/ob-spec/obv3p0/unsigned.json");
    let mut c: Value = serde_json::from_str(text).unwrap();
    c["issuer"]["id"] = Value::String(key.public_key().did_key());
    c
}

fn canonicalizers() -> Vec<(&'static str, Box<dyn RdfCanonicalizer>)> {
    vec![(
        "OB 3.0 spec credential",
        Box::new(obi_proof::LdCanonicalizer::pinned()),
    )]
}

fn bench(c: &mut Criterion) {
    let key = KeyPair::ed25519_from_seed(&[7; 32]);
    let cred = credential(&key);
    let vm = key.public_key().did_key_verification_method();
    let resolver = Resolver::new();

    let jcs =
        ProofOptions::new(Suite::EddsaJcs2022, vm.clone()).with_created("2024-01-01T00:00:00Z");
    c.bench_function("eddsa-jcs-2022 sign (OB 3.0 spec credential)", |b| {
        b.iter(|| add_proof(black_box(&cred), &jcs, &key, &NoRdfCanonicalizer).unwrap());
    });
    let signed = add_proof(&cred, &jcs, &key, &NoRdfCanonicalizer).unwrap();
    c.bench_function("eddsa-jcs-2022 verify (OB 3.0 spec credential)", |b| {
        b.iter(|| {
            verify_proofs(
                black_box(&signed),
                ASSERTION_METHOD,
                &resolver,
                &NoRdfCanonicalizer,
            )
            .unwrap()
        });
    });

    let mut jwt_cred = cred.clone();
    jwt_cred["id"] = Value::String("urn:uuid:4f1c5f9c-6a57-4c8e-9f5e-2b8f3f5c0a11".into());
    let jwt = sign_vc_jwt(&jwt_cred, &key, &JwtKeyHeader::Kid(vm.clone())).unwrap();
    c.bench_function("VC-JWT EdDSA verify (kid did:key)", |b| {
        b.iter(|| {
            verify_vc_jwt(black_box(&jwt), &resolver, &JwsLimits::new(), 1_700_000_000).unwrap()
        });
    });
    let p256 = KeyPair::generate(KeyType::P256).unwrap();
    let mut es_cred = jwt_cred.clone();
    es_cred["issuer"]["id"] = Value::String("https://example.edu/issuers/565049".into());
    let jwt_es = sign_vc_jwt(&es_cred, &p256, &JwtKeyHeader::Jwk).unwrap();
    c.bench_function("VC-JWT ES256 verify (jwk header)", |b| {
        b.iter(|| {
            verify_vc_jwt(
                black_box(&jwt_es),
                &resolver,
                &JwsLimits::new(),
                1_700_000_000,
            )
            .unwrap()
        });
    });

    for (name, canon) in canonicalizers() {
        let rdfc = ProofOptions::new(Suite::EddsaRdfc2022, vm.clone())
            .with_created("2024-01-01T00:00:00Z");
        c.bench_function(&format!("eddsa-rdfc-2022 sign ({name})"), |b| {
            b.iter(|| add_proof(black_box(&cred), &rdfc, &key, canon.as_ref()).unwrap());
        });
        let signed = add_proof(&cred, &rdfc, &key, canon.as_ref()).unwrap();
        c.bench_function(&format!("eddsa-rdfc-2022 verify ({name})"), |b| {
            b.iter(|| {
                verify_proofs(
                    black_box(&signed),
                    ASSERTION_METHOD,
                    &resolver,
                    canon.as_ref(),
                )
                .unwrap()
            });
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
