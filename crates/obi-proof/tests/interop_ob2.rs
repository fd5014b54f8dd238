//! Interop with the 1EdTech Open Badges 2.0 reference validator (validator-core / badgecheck)
//! through the offline OB 2.0 oracle (`ob2-oracle.py`, installed by the shared oracle setup).
//!
//! Runs only when `OBI_OB2_ORACLE` holds the oracle command line, e.g.
//! `/tmp/obi-oracles/py/bin/python /tmp/obi-oracles/py/ob2-oracle.py`; otherwise prints why it
//! skipped. obi signs an OB 2.0 assertion (RS256, and ES256) -> the validator accepts it; a
//! one-byte tamper -> the validator rejects it and so does obi.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test runner

use std::process::{Command, ExitCode};

use obi_proof::ob2::{OB2_CONTEXT, cryptographic_key, sign_assertion, verify_assertion};
use obi_proof::{JwsLimits, KeyPair, KeyType};
use serde_json::json;

const PNG_1X1: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVQIW2NgUPr/HwADaAIhG61j/AAAAABJRU5ErkJggg==";

fn main() -> ExitCode {
    let Ok(cmdline) = std::env::var("OBI_OB2_ORACLE") else {
        println!("skipped: OBI_OB2_ORACLE not set (run shared/oracles/setup.sh)");
        return ExitCode::SUCCESS;
    };
    let mut words = cmdline.split_whitespace();
    let Some(program) = words.next() else {
        println!("skipped: OBI_OB2_ORACLE is empty");
        return ExitCode::SUCCESS;
    };
    let args: Vec<&str> = words.collect();
    let dir = std::env::temp_dir().join(format!("obi-interop-ob2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut check = |id: &str, ok: bool, detail: &str| {
        if ok {
            passed += 1;
        } else {
            failed += 1;
            println!(
                "FAIL {id}: {}",
                &detail[detail.len().saturating_sub(1500)..]
            );
        }
    };
    let issuer = "https://issuer.example.org/issuer";
    let key_url = "https://issuer.example.org/keys/1";
    let badge = "https://issuer.example.org/badges/teamwork";
    for kind in [KeyType::Rsa, KeyType::P256] {
        let name = kind.name();
        let key = KeyPair::generate(kind).unwrap();
        let ck = cryptographic_key(&key.public_key(), key_url, issuer).unwrap();
        let docs = [
            (
                "issuer.json",
                json!({"@context": OB2_CONTEXT, "type": "Issuer", "id": issuer,
                "name": "Example Issuer", "url": "https://issuer.example.org",
                "email": "badges@issuer.example.org", "publicKey": key_url}),
            ),
            ("key.json", ck.clone()),
            (
                "badge.json",
                json!({"@context": OB2_CONTEXT, "type": "BadgeClass", "id": badge,
                "name": "Teamwork", "description": "Works well in a team.", "image": PNG_1X1,
                "criteria": {"narrative": "Nominated by peers."}, "issuer": issuer}),
            ),
        ];
        for (file, doc) in &docs {
            std::fs::write(dir.join(file), doc.to_string()).unwrap();
        }
        let manifest = json!({issuer: "issuer.json", key_url: "key.json", badge: "badge.json"});
        std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
        let assertion = json!({"@context": OB2_CONTEXT, "type": "Assertion",
            "id": "urn:uuid:3b0a3f2e-5c1d-4d8b-9a5e-7f2b1c0d9e8a",
            "recipient": {"type": "email", "hashed": false, "identity": "learner@example.org"},
            "badge": badge, "issuedOn": "2024-01-01T00:00:00+00:00"});
        let jws = sign_assertion(&assertion, &key, key_url).unwrap();
        let run = |input: &str| {
            std::fs::write(dir.join("input.jws"), input).unwrap();
            let out = Command::new(program)
                .args(&args)
                .args(["--manifest", "manifest.json", "input.jws"])
                .current_dir(&dir)
                .output()
                .unwrap_or_else(|e| panic!("running {program}: {e}"));
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        };
        let (code, out) = run(&jws);
        // validator-core 1.1.8 reads every publicKeyPem as an RSA key: ES256 is obi-only.
        let validator_reads_key = !out.contains("RSA key format is not supported");
        if !validator_reads_key {
            skipped += 2;
            println!(
                "skip ob2/{name}/obi-signs-validator-accepts and tamper-validator-rejects: the reference validator only reads RSA keys"
            );
        } else {
            check(
                &format!("ob2/{name}/obi-signs-validator-accepts"),
                code == 0,
                &out,
            );
        }
        check(
            &format!("ob2/{name}/obi-verifies-own"),
            verify_assertion(&jws, &ck, &JwsLimits::new()).is_ok(),
            "",
        );
        let mut parts: Vec<String> = jws.split('.').map(String::from).collect();
        let i = parts[1].len() / 2;
        let c = if &parts[1][i..=i] == "e" { "f" } else { "e" };
        parts[1].replace_range(i..=i, c);
        let tampered = parts.join(".");
        if validator_reads_key {
            let (code, out) = run(&tampered);
            check(
                &format!("ob2/{name}/tamper-validator-rejects"),
                code == 1,
                &out,
            );
        }
        check(
            &format!("ob2/{name}/tamper-obi-rejects"),
            verify_assertion(&tampered, &ck, &JwsLimits::new()).is_err(),
            "",
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "1EdTech OB 2.0 validator interop: {passed} passed, {failed} failed, {skipped} skipped"
    );
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
