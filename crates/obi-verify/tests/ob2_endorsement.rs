//! An Open Badges 2.0 `Endorsement` verified on its own (not embedded in the node it
//! endorses): hosted endorsements issued by obi-issue's library (`Issuer::endorse_ob2`, what
//! `obi issue endorse --format ob2-hosted` runs) and signed ones (RS256 with the corpus's test
//! key), valid and tampered.
//!
//! With `OBI_OB2_ORACLE` set (see tests/ob2_corpus.rs), every case also runs through the
//! 1EdTech validator (validator-core) and the verdicts are compared; where validator-core is
//! known to differ the case says why. Without it the comparison prints a skip line.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use obi_fetch::MapFetcher;
use obi_issue::{InitOptions, Issuer, Secured};
use obi_proof::KeyPair;
use obi_verify::{Input, Level, Options, Report, verify};
use serde_json::{Value, json};

const BASE: &str = "https://endorser.example/ob2";
const ENDORSED: &str = "https://issuer.example/badges/1";
const ISSUER: &str = "https://issuer.example/issuer";
const KEY1: &str = "https://issuer.example/keys/1";
const KEY2: &str = "https://issuer.example/keys/2";
/// Listed as revoked in the corpus's shared RevocationList.
const REVOKED_ID: &str = "urn:uuid:0b5e0a1c-ffff-4c1e-9a2b-7d3e5f6a7b8c";

fn ob2_data(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/ob2")
            .join(rel),
    )
    .unwrap()
}

enum CaseInput {
    Json(Value),
    Url(String),
    Jws(String),
}

struct Case {
    name: &'static str,
    input: CaseInput,
    /// (url, body) served to obi and to the oracle.
    docs: Vec<(String, Vec<u8>)>,
    valid: bool,
    check: &'static str,
    level: Level,
    /// validator-core's expected verdict when it differs from obi's, and why.
    oracle_differs: Option<&'static str>,
}

fn pretty(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap()
}

/// The documents every signed case needs: the endorser (issuer) profile, its key and list.
fn signed_docs() -> Vec<(String, Vec<u8>)> {
    vec![
        (ISSUER.into(), ob2_data("docs/issuer.example_issuer.json")),
        (KEY1.into(), ob2_data("docs/issuer.example_keys_1.json")),
        (
            "https://issuer.example/revocations".into(),
            ob2_data("docs/issuer.example_revocations.json"),
        ),
    ]
}

fn endorsement(id: &str, comment: &str) -> Value {
    json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Endorsement",
        "id": id,
        "claim": {"id": ENDORSED, "endorsementComment": comment},
        "issuedOn": "2024-02-01T09:00:00Z",
        "issuer": ISSUER
    })
}

fn key(name: &str) -> KeyPair {
    let text = String::from_utf8(ob2_data(&format!("keys/{name}.jwk.json"))).unwrap();
    KeyPair::from_jwk(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// The same JWS with its payload edited (the signature no longer matches).
fn tamper_payload(compact: &str, edit: impl FnOnce(&mut Value)) -> String {
    let parts: Vec<&str> = compact.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    edit(&mut payload);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap());
    format!("{}.{body}.{}", parts[0], parts[2])
}

fn cases(tmp: &Path) -> Vec<Case> {
    // A hosted endorsement issued by obi-issue's library.
    let dir = tmp.join("issuer");
    let mut issuer = Issuer::init(
        &dir,
        &InitOptions {
            name: "Endorsing Body".into(),
            url: "https://endorser.example".into(),
            email: Some("endorse@endorser.example".into()),
            ..InitOptions::default()
        },
    )
    .unwrap();
    let issued = issuer
        .endorse_ob2(ENDORSED, "A rigorous badge.", BASE)
        .unwrap();
    let Secured::Json(doc) = issued.assertion.clone() else {
        panic!("a hosted endorsement is JSON");
    };
    let published: Vec<(String, Vec<u8>)> = issued
        .publish
        .iter()
        .map(|(path, body)| (format!("{BASE}/{path}"), body.clone()))
        .collect();
    let without_profile: Vec<(String, Vec<u8>)> = published
        .iter()
        .filter(|(u, _)| !u.ends_with("/issuer.json"))
        .cloned()
        .collect();
    let mut tampered = doc.clone();
    tampered["claim"]["endorsementComment"] = json!("The best badge ever issued.");
    let mut retargeted = doc.clone();
    retargeted["claim"]["id"] = json!("https://issuer.example/badges/other");

    // Signed endorsements (RS256, the corpus's issuer and key 1).
    let rsa1 = key("rsa1");
    let rsa2 = key("rsa2");
    let signed_id = "urn:uuid:6f1c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f";
    let signed =
        obi_proof::ob2::sign_assertion(&endorsement(signed_id, "Well made."), &rsa1, KEY1).unwrap();
    let signed_tampered = tamper_payload(&signed, |p| {
        p["claim"]["endorsementComment"] = json!("Forged praise.");
    });
    let signed_revoked =
        obi_proof::ob2::sign_assertion(&endorsement(REVOKED_ID, "Withdrawn."), &rsa1, KEY1)
            .unwrap();
    let signed_other_key =
        obi_proof::ob2::sign_assertion(&endorsement(signed_id, "Well made."), &rsa2, KEY2).unwrap();
    let mut other_key_docs = signed_docs();
    other_key_docs.push((
        KEY2.into(),
        pretty(&obi_proof::ob2::cryptographic_key(&rsa2.public_key(), KEY2, ISSUER).unwrap()),
    ));

    vec![
        Case {
            name: "hosted-issued-by-obi-issue",
            input: CaseInput::Json(doc.clone()),
            docs: published.clone(),
            valid: true,
            check: "VERIFY_ENDORSEMENT",
            level: Level::Info,
            oracle_differs: None,
        },
        Case {
            name: "hosted-by-url",
            input: CaseInput::Url(issued.id.clone()),
            docs: published.clone(),
            valid: true,
            check: "VERIFY_ENDORSEMENT",
            level: Level::Info,
            oracle_differs: None,
        },
        Case {
            name: "hosted-tampered-comment",
            input: CaseInput::Json(tampered),
            docs: published.clone(),
            valid: false,
            check: "VERIFY_ENDORSEMENT",
            level: Level::Error,
            oracle_differs: Some(
                "validator-core ignores the JSON given and verifies the copy at its id, so a changed claim goes unnoticed",
            ),
        },
        Case {
            name: "hosted-tampered-subject",
            input: CaseInput::Json(retargeted),
            docs: published.clone(),
            valid: false,
            check: "VERIFY_ENDORSEMENT",
            level: Level::Error,
            oracle_differs: Some(
                "validator-core ignores the JSON given and verifies the copy at its id, so a changed claim goes unnoticed",
            ),
        },
        Case {
            name: "hosted-endorser-missing",
            input: CaseInput::Json(doc.clone()),
            docs: without_profile,
            valid: false,
            check: "FETCH_HTTP_NODE",
            level: Level::Error,
            oracle_differs: None,
        },
        Case {
            name: "hosted-not-served",
            input: CaseInput::Json(doc),
            docs: Vec::new(),
            valid: false,
            check: "FETCH_HTTP_NODE",
            level: Level::Error,
            oracle_differs: None,
        },
        Case {
            name: "signed-valid",
            input: CaseInput::Jws(signed),
            docs: signed_docs(),
            valid: true,
            check: "VERIFY_ENDORSEMENT",
            level: Level::Info,
            oracle_differs: Some(
                "validator-core checks the signature (it passes) but its key-ownership and revocation tasks find the issuer through badge.issuer, which only an Assertion has: on an Endorsement they fail (KeyError: 'badge'), so every signed endorsement is invalid there",
            ),
        },
        Case {
            name: "signed-tampered",
            input: CaseInput::Jws(signed_tampered),
            docs: signed_docs(),
            valid: false,
            check: "VERIFY_JWS",
            level: Level::Error,
            oracle_differs: None,
        },
        Case {
            name: "signed-revoked",
            input: CaseInput::Jws(signed_revoked),
            docs: signed_docs(),
            valid: false,
            check: "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
            level: Level::Error,
            oracle_differs: None,
        },
        Case {
            name: "signed-key-not-listed",
            input: CaseInput::Jws(signed_other_key),
            docs: other_key_docs,
            valid: false,
            check: "VERIFY_KEY_OWNERSHIP",
            level: Level::Error,
            oracle_differs: None,
        },
    ]
}

fn run(case: &Case) -> Report {
    let mut fetcher = MapFetcher::new();
    for (url, body) in &case.docs {
        fetcher.insert(
            url.clone(),
            Some("application/ld+json".into()),
            body.clone(),
        );
    }
    let input = match &case.input {
        CaseInput::Json(v) => Input::Json(v.clone()),
        CaseInput::Url(u) => Input::Url(u.clone()),
        CaseInput::Jws(t) => Input::Jws(t.clone()),
    };
    verify(input, &Options::new().with_fetcher(Arc::new(fetcher)))
}

/// validator-core's verdict on a case, `None` when it did not run.
fn oracle(cmd: &str, case: &Case, tmp: &Path) -> Option<bool> {
    let dir = tmp.join(case.name);
    std::fs::create_dir_all(&dir).ok()?;
    let mut manifest = serde_json::Map::new();
    for (i, (url, body)) in case.docs.iter().enumerate() {
        let path = dir.join(format!("doc{i}.json"));
        std::fs::write(&path, body).ok()?;
        manifest.insert(url.clone(), Value::String(path.to_string_lossy().into()));
    }
    let mpath = dir.join("manifest.json");
    std::fs::write(&mpath, serde_json::to_vec(&Value::Object(manifest)).ok()?).ok()?;
    let mut parts = cmd.split_whitespace();
    let mut command = Command::new(parts.next()?);
    command
        .args(parts)
        .arg("--manifest")
        .arg(&mpath)
        .arg("--no-self-serve")
        .arg("--compact");
    let input_path = dir.join("input");
    match &case.input {
        CaseInput::Json(v) => {
            std::fs::write(&input_path, pretty(v)).ok()?;
            command.arg(&input_path);
        }
        CaseInput::Jws(t) => {
            std::fs::write(&input_path, t).ok()?;
            command.arg(&input_path);
        }
        CaseInput::Url(u) => {
            command.arg(u);
        }
    }
    let out = command.output().ok()?;
    match out.status.code() {
        Some(0) => Some(true),
        Some(1) => {
            // Show why, for a reader comparing the two verdicts.
            if let Ok(v) = serde_json::from_slice::<Value>(&out.stdout) {
                for m in v["report"]["messages"].as_array().into_iter().flatten() {
                    if m["messageLevel"] == "ERROR" {
                        println!(
                            "    validator {}: {} {}",
                            case.name,
                            m["name"].as_str().unwrap_or("?"),
                            m["result"].as_str().unwrap_or("?")
                        );
                    }
                }
            }
            Some(false)
        }
        _ => {
            println!(
                "    oracle stderr: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            None
        }
    }
}

fn main() -> ExitCode {
    let tmp = tempfile::tempdir().unwrap();
    let cases = cases(tmp.path());
    let (mut passed, mut failed) = (0, 0);
    for case in &cases {
        let report = run(case);
        let mut problems = Vec::new();
        if report.valid != case.valid {
            problems.push(format!(
                "valid is {}, expected {}",
                report.valid, case.valid
            ));
        }
        if !report.has(case.level, case.check) {
            problems.push(format!(
                "check {} did not fire at {}",
                case.check, case.level
            ));
        }
        if report.open_badges_version.as_deref() != Some("2.0") {
            problems.push(format!(
                "openBadgesVersion is {:?}",
                report.open_badges_version
            ));
        }
        if problems.is_empty() {
            passed += 1;
        } else {
            failed += 1;
            println!("FAIL {}: {}", case.name, problems.join("; "));
            for m in &report.messages {
                println!("    {} {}: {}", m.level, m.name, m.result);
            }
        }
    }
    println!("OB 2.0 endorsement: {passed} passed, {failed} failed, 0 skipped");

    let mut oracle_failed = false;
    match std::env::var("OBI_OB2_ORACLE") {
        Err(_) => println!(
            "OB 2.0 endorsement, 1EdTech validator interop: skipped: OBI_OB2_ORACLE not set"
        ),
        Ok(cmd) => {
            let otmp: PathBuf = tmp.path().join("oracle");
            let (mut agree, mut explained, mut unexpected, mut errors) = (0, 0, 0, 0);
            for case in &cases {
                match oracle(&cmd, case, &otmp) {
                    None => {
                        errors += 1;
                        oracle_failed = true;
                        println!("ORACLE ERROR {}: the validator did not run", case.name);
                    }
                    Some(theirs) if theirs == case.valid && case.oracle_differs.is_none() => {
                        agree += 1;
                    }
                    Some(theirs) if theirs != case.valid && case.oracle_differs.is_some() => {
                        explained += 1;
                        println!(
                            "KNOWN DIFFERENCE {}: obi valid={}, validator valid={theirs}: {}",
                            case.name,
                            case.valid,
                            case.oracle_differs.unwrap_or_default()
                        );
                    }
                    Some(theirs) => {
                        unexpected += 1;
                        oracle_failed = true;
                        println!(
                            "UNEXPECTED {}: obi valid={}, validator valid={theirs} (difference expected: {})",
                            case.name,
                            case.valid,
                            case.oracle_differs.is_some()
                        );
                    }
                }
            }
            println!(
                "OB 2.0 endorsement, 1EdTech validator interop: {agree} agree, {explained} known differences, {unexpected} unexpected, {errors} oracle errors"
            );
        }
    }
    if failed == 0 && !oracle_failed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
