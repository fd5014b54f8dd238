//! A fixed-work driver for instruction-count profiling (`valgrind --tool=callgrind`), which is
//! load-independent where the criterion figures of `proof.rs` are not.
//!
//! `cargo bench -p obi-proof --bench proof_profile --no-run`, then run the binary as
//! `proof_profile OPERATION [ITERATIONS]` under callgrind. Setup (key generation, the first
//! signature, context loading) happens before the timed loop, which runs the operation
//! ITERATIONS times (default 100); divide the loop's Ir by ITERATIONS. Operations:
//! `rdfc-verify-typical`, `rdfc-verify-complete`, `rdfc-sign-typical`, `rdfc-sign-complete`,
//! `canon-typical`, `canon-complete`, `canon-config-typical`, `canon-config-complete`, `jwt-eddsa`, `jwt-es256`, `jwt-rs256`, `raw-eddsa`,
//! `raw-es256`, `raw-rs256`.
//!
//! With `--features bench-mimalloc` the driver runs on mimalloc instead of the system (glibc)
//! allocator: build both variants, copy the binaries aside and run them interleaved.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // profiling harness

#[cfg(feature = "bench-mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use obi_proof::{
    ASSERTION_METHOD, JwsLimits, JwtKeyHeader, KeyPair, KeyType, LdCanonicalizer, ProofOptions,
    RdfCanonicalizer, Resolver, Signer, Suite, add_proof, sign_vc_jwt, verify_proofs,
    verify_vc_jwt,
};
use serde_json::Value;

const TYPICAL: &str = include_str!("../tests/data/ob3-examples/typical-openbadgecredential.json");
const COMPLETE: &str =
    include_str!("../tests/data/ob3-examples/spec-complete-openbadgecredential.json");

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

/// Runs `f` once to warm caches, then `n` times inside a function named for the profile.
#[inline(never)]
fn measured_loop(n: usize, f: &mut dyn FnMut()) {
    for _ in 0..n {
        f();
    }
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let op = args.next().unwrap_or_else(|| "rdfc-verify-typical".into());
    let n: usize = args.next().map_or(100, |s| s.parse().unwrap());
    let key = KeyPair::ed25519_from_seed(&[7; 32]);
    let vm = key.public_key().did_key_verification_method();
    let resolver = Resolver::new();
    let canon = LdCanonicalizer::pinned();
    let opts =
        ProofOptions::new(Suite::EddsaRdfc2022, vm.clone()).with_created("2024-01-01T00:00:00Z");
    let text = if op.ends_with("complete") {
        COMPLETE
    } else {
        TYPICAL
    };
    let cred = credential(text, &key);
    let msg = vec![b'e'; 2500];
    let mut f: Box<dyn FnMut()> = match op.as_str() {
        "rdfc-verify-typical" | "rdfc-verify-complete" => {
            let signed = add_proof(&cred, &opts, &key, &canon).unwrap();
            Box::new(move || {
                verify_proofs(black_box(&signed), ASSERTION_METHOD, &resolver, &canon).unwrap();
            })
        }
        "rdfc-sign-typical" | "rdfc-sign-complete" => Box::new(move || {
            add_proof(black_box(&cred), &opts, &key, &canon).unwrap();
        }),
        "canon-typical" | "canon-complete" => Box::new(move || {
            canon.canonicalize(black_box(&cred)).unwrap();
        }),
        "canon-config-typical" | "canon-config-complete" => {
            // The proof configuration verification canonicalizes besides the document.
            let signed = add_proof(&cred, &opts, &key, &canon).unwrap();
            let mut config = signed["proof"].clone();
            config.as_object_mut().unwrap().remove("proofValue");
            config["@context"] = cred["@context"].clone();
            Box::new(move || {
                canon.canonicalize(black_box(&config)).unwrap();
            })
        }
        "jwt-eddsa" => {
            let jwt = sign_vc_jwt(&cred, &key, &JwtKeyHeader::Kid(vm.clone())).unwrap();
            Box::new(move || {
                verify_vc_jwt(black_box(&jwt), &resolver, &JwsLimits::new(), 1_750_000_000)
                    .unwrap();
            })
        }
        "jwt-es256" | "jwt-rs256" => {
            let pair = KeyPair::generate(if op == "jwt-es256" {
                KeyType::P256
            } else {
                KeyType::Rsa
            })
            .unwrap();
            let mut c = cred.clone();
            c["issuer"]["id"] = Value::String("https://example.edu/issuers/565049".into());
            let jwt = sign_vc_jwt(&c, &pair, &JwtKeyHeader::Jwk).unwrap();
            Box::new(move || {
                verify_vc_jwt(black_box(&jwt), &resolver, &JwsLimits::new(), 1_750_000_000)
                    .unwrap();
            })
        }
        "raw-eddsa" | "raw-es256" | "raw-rs256" => {
            let pair = match op.as_str() {
                "raw-eddsa" => key,
                "raw-es256" => KeyPair::generate(KeyType::P256).unwrap(),
                _ => KeyPair::generate(KeyType::Rsa).unwrap(),
            };
            let sig = pair.sign(&msg).unwrap();
            let public = pair.public_key();
            Box::new(move || assert!(public.verify(black_box(&msg), &sig)))
        }
        other => panic!("unknown operation {other}"),
    };
    f();
    let (cpu0, wall0) = (cpu_seconds(), std::time::Instant::now());
    measured_loop(n, &mut f);
    let wall = wall0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    // CPU time (user + system, from /proc on Linux) leaves out the time other processes held
    // the core, so on a loaded machine it is closer to the unloaded rate than wall time is.
    if let Some(cpu) = cpu.filter(|c| *c > 0.0) {
        let allocator = if cfg!(feature = "bench-mimalloc") {
            "mimalloc"
        } else {
            "system"
        };
        println!(
            "{op} [{allocator}]: {n} in {cpu:.2} s CPU ({:.0}/s), {wall:.2} s wall ({:.0}/s)",
            n as f64 / cpu,
            n as f64 / wall
        );
    }
}

/// This process's user + system CPU time in seconds, from `/proc/self/stat` (Linux; clock
/// ticks of 10 ms).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
