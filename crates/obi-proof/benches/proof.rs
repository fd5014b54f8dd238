//! Proof benchmarks on Open Badges 3.0 credentials (tests/data/ob3-examples, ob-spec):
//! eddsa-rdfc-2022 and eddsa-jcs-2022 sign/verify, VC-JWT EdDSA/ES256 verify.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // benchmark harness

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use obi_proof::{
    ASSERTION_METHOD, JwsLimits, JwtKeyHeader, KeyPair, KeyType, LdCanonicalizer,
    NoRdfCanonicalizer, ProofOptions, Resolver, Suite, add_proof, sign_vc_jwt, verify_proofs,
    verify_vc_jwt,
};
use serde_json::Value;

const CREDENTIALS: [(&str, &str); 3] = [
    (
        "typical (oracle sample)",
        include_str!("../tests/data/ob3-examples/typical-openbadgecredential.json"),
    ),
    (
        "OB 3.0 spec test vector",
        include_str!("../tests/data/ob-spec/obv3p0/unsigned.json"),
    ),
    (
        "spec complete example",
        include_str!("../tests/data/ob3-examples/spec-complete-openbadgecredential.json"),
    ),
];

fn credential(text: &str, key: &KeyPair) -> Value {
    let mut c: Value = serde_json::from_str(text).unwrap();
    if let Some(m) = c.as_object_mut() {
        m.remove("proof");
    }
    if c["issuer"].is_object() {
        c["issuer"]["id"] = Value::String(key.public_key().did_key());
    } else {
        c["issuer"] = Value::String(key.public_key().did_key());
    }
    c
}

fn bench(c: &mut Criterion) {
    let key = KeyPair::ed25519_from_seed(&[7; 32]);
    let vm = key.public_key().did_key_verification_method();
    let resolver = Resolver::new();
    let canon = LdCanonicalizer::pinned();

    // Primitives, to read the numbers below against.
    let msg = [42u8; 64];
    let sig = obi_proof::Signer::sign(&key, &msg).unwrap();
    let public = key.public_key();
    c.bench_function("primitive: Ed25519 sign (64-byte message)", |b| {
        b.iter(|| obi_proof::Signer::sign(&key, black_box(&msg)).unwrap());
    });
    c.bench_function("primitive: Ed25519 verify (64-byte message)", |b| {
        b.iter(|| assert!(public.verify(black_box(&msg), &sig)));
    });
    c.bench_function("primitive: did:key resolve", |b| {
        b.iter(|| obi_proof::resolve::resolve_did_key(black_box(&vm)).unwrap());
    });

    for (name, text) in CREDENTIALS {
        let cred = credential(text, &key);
        let rdfc = ProofOptions::new(Suite::EddsaRdfc2022, vm.clone())
            .with_created("2024-01-01T00:00:00Z");
        c.bench_function(&format!("eddsa-rdfc-2022 sign, {name}"), |b| {
            b.iter(|| add_proof(black_box(&cred), &rdfc, &key, &canon).unwrap());
        });
        let signed = add_proof(&cred, &rdfc, &key, &canon).unwrap();
        c.bench_function(&format!("eddsa-rdfc-2022 verify, {name}"), |b| {
            b.iter(|| {
                verify_proofs(black_box(&signed), ASSERTION_METHOD, &resolver, &canon).unwrap()
            });
        });
        let jcs =
            ProofOptions::new(Suite::EddsaJcs2022, vm.clone()).with_created("2024-01-01T00:00:00Z");
        let signed = add_proof(&cred, &jcs, &key, &NoRdfCanonicalizer).unwrap();
        c.bench_function(&format!("eddsa-jcs-2022 verify, {name}"), |b| {
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
    }

    let cred = credential(CREDENTIALS[0].1, &key);
    let jcs =
        ProofOptions::new(Suite::EddsaJcs2022, vm.clone()).with_created("2024-01-01T00:00:00Z");
    c.bench_function("eddsa-jcs-2022 sign, typical", |b| {
        b.iter(|| add_proof(black_box(&cred), &jcs, &key, &NoRdfCanonicalizer).unwrap());
    });
    let jwt = sign_vc_jwt(&cred, &key, &JwtKeyHeader::Kid(vm.clone())).unwrap();
    c.bench_function("VC-JWT EdDSA verify, typical (kid did:key)", |b| {
        b.iter(|| {
            verify_vc_jwt(black_box(&jwt), &resolver, &JwsLimits::new(), 1_750_000_000).unwrap()
        });
    });
    let p256 = KeyPair::generate(KeyType::P256).unwrap();
    let mut es_cred = cred.clone();
    es_cred["issuer"]["id"] = Value::String("https://example.edu/issuers/565049".into());
    let jwt_es = sign_vc_jwt(&es_cred, &p256, &JwtKeyHeader::Jwk).unwrap();
    c.bench_function("VC-JWT ES256 verify, typical (jwk header)", |b| {
        b.iter(|| {
            verify_vc_jwt(
                black_box(&jwt_es),
                &resolver,
                &JwsLimits::new(),
                1_750_000_000,
            )
            .unwrap()
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
