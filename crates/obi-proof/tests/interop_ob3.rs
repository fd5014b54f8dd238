//! Interop with Digital Bazaar's JavaScript libraries through the offline OB 3.0 oracle
//! (`ob3-oracle.mjs`, installed by the project's shared oracle setup script).
//!
//! Runs only when `OBI_OB3_ORACLE` holds the oracle command line, e.g.
//! `node /tmp/obi-oracles/js/ob3-oracle.mjs`; otherwise prints why it skipped. For each format:
//! obi signs -> the oracle verifies; the oracle signs -> obi verifies; a one-byte tamper fails in
//! both directions.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test runner

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use obi_proof::{
    ASSERTION_METHOD, JwsLimits, JwtKeyHeader, KeyPair, KeyType, ProofOptions, RdfCanonicalizer,
    Resolver, Suite, add_proof, sign_vc_jwt, verify_proofs, verify_vc_jwt,
};
use serde_json::Value;

struct Oracle {
    program: String,
    args: Vec<String>,
    dir: PathBuf,
}

impl Oracle {
    /// Runs the oracle; returns (exit code, stdout).
    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = Command::new(&self.program)
            .args(&self.args)
            .args(args)
            .current_dir(&self.dir)
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", self.program));
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn write(&self, name: &str, content: &str) -> String {
        std::fs::write(self.dir.join(name), content).unwrap();
        name.to_string()
    }
}

/// Changes one character in the middle of a JWS payload to another base64url character.
fn tamper_jws(jws: &str) -> String {
    let mut parts: Vec<String> = jws.trim().split('.').map(String::from).collect();
    let p = &mut parts[1];
    let i = p.len() / 2;
    let c = if &p[i..=i] == "e" { "f" } else { "e" };
    p.replace_range(i..=i, c);
    parts.join(".")
}

/// Changes one byte of the credential's name.
fn tamper_json(doc: &Value) -> Value {
    let mut t = doc.clone();
    let name = t["name"].as_str().unwrap_or("x").to_string();
    t["name"] = Value::String(format!("{}!", &name[..name.len().saturating_sub(1)]));
    t
}

fn main() -> ExitCode {
    let Ok(cmdline) = std::env::var("OBI_OB3_ORACLE") else {
        println!("skipped: OBI_OB3_ORACLE not set (run shared/oracles/setup.sh)");
        return ExitCode::SUCCESS;
    };
    let mut words = cmdline.split_whitespace().map(String::from);
    let Some(program) = words.next() else {
        println!("skipped: OBI_OB3_ORACLE is empty");
        return ExitCode::SUCCESS;
    };
    let dir = std::env::temp_dir().join(format!("obi-interop-ob3-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let oracle = Oracle {
        program,
        args: words.collect(),
        dir: dir.clone(),
    };
    let now = 1_750_000_000; // 2025-06-15: after the sample's validFrom.
    let (mut passed, mut failed, skipped) = (0, 0, 0);
    let mut check = |id: &str, ok: bool, detail: &str| {
        if ok {
            passed += 1;
        } else {
            failed += 1;
            println!("FAIL {id}: {detail}");
        }
    };

    // An unsigned OB 3.0 sample credential from the oracle, issued by an https issuer.
    let (code, sample) = oracle.run(&["sample", "--issuer", "https://example.edu/issuers/565049"]);
    if code != 0 {
        println!("FAIL oracle sample: {sample}");
        return ExitCode::FAILURE;
    }
    let sample: Value = serde_json::from_str(&sample).unwrap();

    // VC-JWT, all three algorithms, both directions.
    for (kind, alg) in [
        (KeyType::Ed25519, "EdDSA"),
        (KeyType::P256, "ES256"),
        (KeyType::Rsa, "RS256"),
    ] {
        let key = KeyPair::generate(kind).unwrap();
        let jwt = sign_vc_jwt(&sample, &key, &JwtKeyHeader::Jwk).unwrap();
        let f = oracle.write("obi.jwt", &jwt);
        let (code, out) = oracle.run(&["verify", "--now", "2025-06-15T00:00:00Z", &f]);
        check(
            &format!("vc-jwt/{alg}/obi-signs-oracle-verifies"),
            code == 0,
            &out,
        );
        let f = oracle.write("obi-tampered.jwt", &tamper_jws(&jwt));
        let (code, out) = oracle.run(&["verify", "--now", "2025-06-15T00:00:00Z", &f]);
        check(
            &format!("vc-jwt/{alg}/tamper-oracle-rejects"),
            code == 1,
            &out,
        );

        let (code, jwk) = oracle.run(&["jwt-keygen", "--alg", alg]);
        check(&format!("vc-jwt/{alg}/oracle-keygen"), code == 0, &jwk);
        let kf = oracle.write("jwk.json", &jwk);
        let cf = oracle.write("cred.json", &sample.to_string());
        let (code, theirs) = oracle.run(&["jwt-sign", "--key", &kf, &cf]);
        check(&format!("vc-jwt/{alg}/oracle-signs"), code == 0, &theirs);
        let ok = verify_vc_jwt(theirs.trim(), &Resolver::new(), &JwsLimits::new(), now);
        check(
            &format!("vc-jwt/{alg}/oracle-signs-obi-verifies"),
            ok.is_ok(),
            &format!("{ok:?}"),
        );
        if let Ok(v) = ok {
            check(
                &format!("vc-jwt/{alg}/credential-round-trips"),
                v.credential == sample,
                "credential differs",
            );
        }
        let bad = verify_vc_jwt(
            &tamper_jws(&theirs),
            &Resolver::new(),
            &JwsLimits::new(),
            now,
        );
        check(
            &format!("vc-jwt/{alg}/tamper-obi-rejects"),
            bad.is_err(),
            "tampered JWS accepted",
        );
    }

    // Data Integrity eddsa-rdfc-2022, both directions.
    {
        let canon: Box<dyn RdfCanonicalizer> = Box::new(obi_proof::LdCanonicalizer::pinned());
        let key = KeyPair::generate(KeyType::Ed25519).unwrap();
        let mut cred = sample.clone();
        cred["issuer"]["id"] = Value::String(key.public_key().did_key());
        let opts = ProofOptions::new(
            Suite::EddsaRdfc2022,
            key.public_key().did_key_verification_method(),
        );
        let secured = add_proof(&cred, &opts, &key, canon.as_ref()).unwrap();
        let f = oracle.write("obi-signed.json", &secured.to_string());
        let (code, out) = oracle.run(&["verify", &f]);
        check("eddsa-rdfc-2022/obi-signs-oracle-verifies", code == 0, &out);
        let f = oracle.write("obi-tampered.json", &tamper_json(&secured).to_string());
        let (code, out) = oracle.run(&["verify", &f]);
        check("eddsa-rdfc-2022/tamper-oracle-rejects", code == 1, &out);

        let (_, keyjson) = oracle.run(&["keygen"]);
        let kf = oracle.write("key.json", &keyjson);
        let controller =
            serde_json::from_str::<Value>(&keyjson).unwrap_or(Value::Null)["controller"]
                .as_str()
                .unwrap_or_default()
                .to_string();
        let (_, theirs) = oracle.run(&["sample", "--issuer", &controller]);
        let cf = oracle.write("their-cred.json", &theirs);
        let (code, signed) = oracle.run(&["sign", "--key", &kf, &cf]);
        check("eddsa-rdfc-2022/oracle-signs", code == 0, &signed);
        let signed: Value = serde_json::from_str(&signed).unwrap_or(Value::Null);
        let ok = verify_proofs(&signed, ASSERTION_METHOD, &Resolver::new(), canon.as_ref());
        check(
            "eddsa-rdfc-2022/oracle-signs-obi-verifies",
            ok.is_ok(),
            &format!("{ok:?}"),
        );
        let bad = verify_proofs(
            &tamper_json(&signed),
            ASSERTION_METHOD,
            &Resolver::new(),
            canon.as_ref(),
        );
        check(
            "eddsa-rdfc-2022/tamper-obi-rejects",
            bad.is_err(),
            "tampered credential accepted",
        );
    }
    let _ = std::fs::remove_dir_all(Path::new(&dir));
    println!(
        "Digital Bazaar interop (OB 3.0 oracle): {passed} passed, {failed} failed, {skipped} skipped"
    );
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
