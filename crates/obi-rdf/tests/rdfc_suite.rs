//! The W3C RDFC-1.0 test suite (tests/data/rdf-canon), run from its manifest.

// A test runner: unreadable test data is a failure to report at once.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use obi_rdf::{CanonError, Canonicalizer, HashAlgorithm, nquads};

/// How long refusing a poison graph may take: about 40 ms in release builds; debug builds hash
/// far slower, and other builds may share the machine.
const MAX_REFUSAL_SECONDS: u64 = if cfg!(debug_assertions) { 20 } else { 2 };

fn main() -> ExitCode {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rdf-canon");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.jsonld")).unwrap())
            .unwrap();
    let (mut passed, mut failed, skipped) = (0, 0, 0);
    for entry in manifest["entries"].as_array().unwrap() {
        let id = entry["id"].as_str().unwrap();
        let kind = entry["type"].as_str().unwrap();
        let action = std::fs::read_to_string(dir.join(entry["action"].as_str().unwrap())).unwrap();
        let mut canonicalizer = Canonicalizer::new();
        if entry["hashAlgorithm"].as_str() == Some("SHA384") {
            canonicalizer = canonicalizer.with_hash(HashAlgorithm::Sha384);
        }
        let quads = match nquads::parse(&action) {
            Ok(q) => q,
            Err(e) => {
                println!("FAIL {id}: input does not parse: {e}");
                failed += 1;
                continue;
            }
        };
        let started = Instant::now();
        let result = canonicalizer.canonicalize(&quads);
        let elapsed = started.elapsed();
        let outcome: Result<(), String> = match kind {
            "rdfc:RDFC10EvalTest" => {
                let expected =
                    std::fs::read_to_string(dir.join(entry["result"].as_str().unwrap())).unwrap();
                let document = canonicalizer.canonicalize_to_nquads(&quads);
                match &result {
                    Ok(_) if document.as_deref().ok() != Some(expected.as_str()) => {
                        Err("canonicalize_to_nquads differs from canonicalize".to_owned())
                    }
                    Ok(c) if c.as_nquads() == expected => Ok(()),
                    Ok(c) => Err(format!(
                        "output differs\n--- expected\n{expected}--- got\n{}",
                        c.as_nquads()
                    )),
                    Err(e) => Err(format!("error: {e}")),
                }
            }
            "rdfc:RDFC10MapTest" => {
                let expected: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(dir.join(entry["result"].as_str().unwrap())).unwrap(),
                )
                .unwrap();
                match &result {
                    Ok(c) => {
                        let got = serde_json::to_value(c.issued_identifiers()).unwrap();
                        if got == expected {
                            Ok(())
                        } else {
                            Err(format!("map differs: expected {expected}, got {got}"))
                        }
                    }
                    Err(e) => Err(format!("error: {e}")),
                }
            }
            "rdfc:RDFC10NegativeEvalTest" => match &result {
                Err(e @ CanonError::WorkLimitExceeded { .. }) => {
                    // The refusal must be quick, and the message must name the limit.
                    if !e.to_string().contains("max_work") {
                        Err(format!("error does not name the limit: {e}"))
                    } else if elapsed.as_secs() >= MAX_REFUSAL_SECONDS {
                        Err(format!("refusal took {elapsed:?}"))
                    } else {
                        println!("{id}: refused in {elapsed:?}: {e}");
                        Ok(())
                    }
                }
                Err(e) => Err(format!("unexpected error: {e}")),
                Ok(_) => Err("expected the work limit to be exceeded".to_owned()),
            },
            other => Err(format!("unknown test type {other}")),
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(message) => {
                println!("FAIL {id}: {message}");
                failed += 1;
            }
        }
    }
    println!("W3C RDFC-1.0: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
