//! Proof benchmarks on Open Badges 3.0 credentials (tests/data/ob3-examples, ob-spec):
//! eddsa-rdfc-2022 and eddsa-jcs-2022 sign/verify, the RDF canonicalization alone (the floor of
//! an RDF proof), VC-JWT EdDSA/ES256/RS256 verify, and raw signature verification per algorithm
//! through obi's `PublicKey::verify`, RustCrypto and ring (the ceilings of the JWS paths).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // benchmark harness

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use obi_proof::{
    ASSERTION_METHOD, JwsLimits, JwtKeyHeader, KeyPair, KeyType, LdCanonicalizer,
    NoRdfCanonicalizer, ProofOptions, RdfCanonicalizer, Resolver, Suite, add_proof, sign_vc_jwt,
    verify_proofs, verify_vc_jwt,
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
    c.bench_function("primitive: Ed25519 sign (64-byte message)", |b| {
        b.iter(|| obi_proof::Signer::sign(&key, black_box(&msg)).unwrap());
    });
    c.bench_function("primitive: did:key resolve", |b| {
        b.iter(|| obi_proof::resolve::resolve_did_key(black_box(&vm)).unwrap());
    });
    let p256 = KeyPair::generate(KeyType::P256).unwrap();
    let rsa = KeyPair::generate(KeyType::Rsa).unwrap();
    raw_verify(c, &key, &p256, &rsa);

    for (name, text) in CREDENTIALS {
        let cred = credential(text, &key);
        c.bench_function(&format!("RDF canonicalization alone, {name}"), |b| {
            b.iter(|| canon.canonicalize(black_box(&cred)).unwrap());
        });
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
    let jwt_rs = sign_vc_jwt(&es_cred, &rsa, &JwtKeyHeader::Jwk).unwrap();
    c.bench_function("VC-JWT RS256 sign, typical (RSA-2048)", |b| {
        b.iter(|| sign_vc_jwt(black_box(&es_cred), &rsa, &JwtKeyHeader::Jwk).unwrap());
    });
    c.bench_function("VC-JWT RS256 verify, typical (jwk header, RSA-2048)", |b| {
        b.iter(|| {
            verify_vc_jwt(
                black_box(&jwt_rs),
                &resolver,
                &JwsLimits::new(),
                1_750_000_000,
            )
            .unwrap()
        });
    });
}

/// Raw signature verification of a JWS-sized message (the signing input of a typical VC-JWT is
/// about 2.5 KB), per algorithm: obi's `PublicKey::verify`, the RustCrypto crate directly, and
/// ring directly.
fn raw_verify(c: &mut Criterion, ed: &KeyPair, p256: &KeyPair, rsa: &KeyPair) {
    use ed25519_dalek::Verifier as _;
    use obi_proof::Signer as _;
    use ring::signature as rs;
    use rsa::traits::PublicKeyParts as _;

    let msg = vec![b'e'; 2500];
    let b64 = |v: &serde_json::Value, m: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(v[m].as_str().unwrap())
            .unwrap()
    };

    // Ed25519.
    let sig = ed.sign(&msg).unwrap();
    let public = ed.public_key();
    let raw = public.ed25519_bytes().unwrap();
    let dalek = ed25519_dalek::VerifyingKey::from_bytes(&raw).unwrap();
    let dsig = ed25519_dalek::Signature::from_slice(&sig).unwrap();
    c.bench_function("raw verify EdDSA: obi PublicKey::verify", |b| {
        b.iter(|| assert!(public.verify(black_box(&msg), &sig)));
    });
    c.bench_function("raw verify EdDSA: ed25519-dalek verify_strict", |b| {
        b.iter(|| dalek.verify_strict(black_box(&msg), &dsig).unwrap());
    });
    c.bench_function("raw verify EdDSA: ed25519-dalek verify", |b| {
        b.iter(|| dalek.verify(black_box(&msg), &dsig).unwrap());
    });
    let ring_ed = rs::UnparsedPublicKey::new(&rs::ED25519, raw);
    c.bench_function("raw verify EdDSA: ring", |b| {
        b.iter(|| ring_ed.verify(black_box(&msg), &sig).unwrap());
    });

    // ES256.
    let sig = p256.sign(&msg).unwrap();
    let public = p256.public_key();
    let jwk = public.to_jwk();
    let mut point = vec![4u8];
    point.extend(b64(&jwk, "x"));
    point.extend(b64(&jwk, "y"));
    let rc = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
    let rc_sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
    c.bench_function("raw verify ES256: obi PublicKey::verify", |b| {
        b.iter(|| assert!(public.verify(black_box(&msg), &sig)));
    });
    c.bench_function("raw verify ES256: p256 (RustCrypto)", |b| {
        b.iter(|| p256::ecdsa::signature::Verifier::verify(&rc, black_box(&msg), &rc_sig).unwrap());
    });
    let ring_es = rs::UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_FIXED, point);
    c.bench_function("raw verify ES256: ring", |b| {
        b.iter(|| ring_es.verify(black_box(&msg), &sig).unwrap());
    });

    // RS256 (RSA-2048, e = 65537).
    let sig = rsa.sign(&msg).unwrap();
    let public = rsa.public_key();
    let jwk = public.to_jwk();
    let (n, e) = (b64(&jwk, "n"), b64(&jwk, "e"));
    let rc = rsa::RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(&n),
        rsa::BigUint::from_bytes_be(&e),
    )
    .unwrap();
    assert_eq!(rc.size(), 256);
    let rc = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(rc);
    let rc_sig = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap();
    c.bench_function("raw verify RS256: obi PublicKey::verify", |b| {
        b.iter(|| assert!(public.verify(black_box(&msg), &sig)));
    });
    c.bench_function("raw verify RS256: rsa (RustCrypto)", |b| {
        b.iter(|| rsa::signature::Verifier::verify(&rc, black_box(&msg), &rc_sig).unwrap());
    });
    let ring_rs = rs::RsaPublicKeyComponents { n, e };
    c.bench_function("raw verify RS256: ring (key from n, e per call)", |b| {
        b.iter(|| {
            ring_rs
                .verify(&rs::RSA_PKCS1_2048_8192_SHA256, black_box(&msg), &sig)
                .unwrap()
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
