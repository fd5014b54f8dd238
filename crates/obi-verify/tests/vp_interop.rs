//! A Verifiable Presentation's own proof against Digital Bazaar's libraries (the OB 3.0
//! oracle's `node_modules`, see shared/oracles/ob3-oracle.mjs): a presentation signed there
//! (`vc.signPresentation`, eddsa-rdfc-2022, `authentication` with challenge and domain)
//! verifies in obi, and one signed by obi (obi-proof) verifies there
//! (`jsigs.verify` with `AuthenticationProofPurpose`); tampered ones fail both ways.
//!
//! Runs only when `OBI_OB3_ORACLE` holds the oracle command line, e.g.
//! `node /tmp/obi-oracles/js/ob3-oracle.mjs`; otherwise prints why it skipped.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, ExitCode};
use std::sync::Arc;

use obi_fetch::MapFetcher;
use obi_proof::{KeyPair, LdCanonicalizer, ProofOptions, Suite, add_proof};
use obi_verify::{Input, Options, Report, verify};
use serde_json::{Value, json};

const CHALLENGE: &str = "4f1b-interop-challenge";
const DOMAIN: &str = "https://verifier.example";

/// Signs (`sign IN`) or verifies (`verify IN`) a presentation with Digital Bazaar's libraries,
/// loaded from the oracle's own node_modules; its offline document loader is reused.
const SCRIPT: &str = r#"
import fs from 'node:fs';
import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';
const [oraclePath, mode, file, challenge, domain] = process.argv.slice(2);
const req = createRequire(oraclePath);
const load = name => import(pathToFileURL(req.resolve(name)).href);
const oracle = await import(pathToFileURL(oraclePath).href);
const vc = await load('@digitalbazaar/vc');
const jsigsMod = await load('jsonld-signatures');
const jsigs = jsigsMod.default ?? jsigsMod;
const {DataIntegrityProof} = await load('@digitalbazaar/data-integrity');
const {cryptosuite} = await load('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
const Ed25519Multikey = await load('@digitalbazaar/ed25519-multikey');
const documentLoader = oracle.documentLoader;
const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
if (mode === 'sign') {
  const key = await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  doc.holder = did;
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite});
  const signed = await vc.signPresentation(
    {presentation: doc, suite, challenge, domain, documentLoader});
  process.stdout.write(JSON.stringify(signed));
} else {
  const suite = new DataIntegrityProof({cryptosuite});
  const purpose = new jsigs.purposes.AuthenticationProofPurpose({challenge, domain});
  const result = await jsigs.verify(doc, {suite, purpose, documentLoader});
  const error = result.error ? String(result.error.errors?.[0]?.message ?? result.error.message) : '';
  process.stdout.write(JSON.stringify({verified: result.verified, error}));
  process.exit(result.verified ? 0 : 1);
}
"#;

fn presentation() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/corpus/ob3/cases/valid-presentation.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn options() -> Options {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus/ob3");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut fetcher = MapFetcher::new();
    for (url, file) in manifest["shared"].as_object().unwrap() {
        let body = std::fs::read(dir.join(file.as_str().unwrap())).unwrap();
        fetcher.insert(url.clone(), Some("application/json".into()), body);
    }
    Options::new()
        .with_fetcher(Arc::new(fetcher))
        .with_offline(true)
        .with_now(
            chrono::DateTime::parse_from_rfc3339("2025-06-15T00:00:00Z")
                .unwrap()
                .to_utc(),
        )
}

/// `vp` signed by obi-proof (eddsa-rdfc-2022, authentication, challenge and domain).
fn obi_sign(vp: &Value, key: &KeyPair) -> Value {
    let mut vp = vp.clone();
    vp["holder"] = json!(key.public_key().did_key());
    let options = ProofOptions::new(
        Suite::EddsaRdfc2022,
        key.public_key().did_key_verification_method(),
    )
    .with_created("2025-06-14T12:00:00Z")
    .with_proof_purpose("authentication")
    .with_challenge(CHALLENGE)
    .with_domain(DOMAIN);
    add_proof(&vp, &options, key, &LdCanonicalizer::pinned()).unwrap()
}

struct Node {
    program: String,
    oracle: String,
    script: std::path::PathBuf,
    tmp: std::path::PathBuf,
}

impl Node {
    /// Runs the script; (exit code, stdout).
    fn run(&self, mode: &str, doc: &Value) -> (Option<i32>, String) {
        let input = self.tmp.join(format!("{mode}-input.json"));
        std::fs::write(&input, serde_json::to_vec(doc).unwrap()).unwrap();
        let out = Command::new(&self.program)
            .arg(&self.script)
            .arg(&self.oracle)
            .arg(mode)
            .arg(&input)
            .arg(CHALLENGE)
            .arg(DOMAIN)
            .output()
            .unwrap();
        if !out.status.success() && out.stdout.is_empty() {
            println!(
                "    node stderr: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .take(5)
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

fn has_proof_error(report: &Report) -> bool {
    report
        .messages_named("VERIFY_PRESENTATION_PROOF")
        .any(|m| m.level == obi_verify::Level::Error)
}

fn main() -> ExitCode {
    let Ok(cmdline) = std::env::var("OBI_OB3_ORACLE") else {
        println!(
            "VP interop (Digital Bazaar): skipped: OBI_OB3_ORACLE not set (run shared/oracles/setup.sh)"
        );
        return ExitCode::SUCCESS;
    };
    let parts: Vec<&str> = cmdline.split_whitespace().collect();
    let (Some(program), Some(oracle)) = (parts.first(), parts.iter().find(|p| p.ends_with(".mjs")))
    else {
        println!("VP interop (Digital Bazaar): skipped: OBI_OB3_ORACLE names no .mjs script");
        return ExitCode::SUCCESS;
    };
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("vp.mjs");
    std::fs::write(&script, SCRIPT).unwrap();
    let node = Node {
        program: (*program).to_owned(),
        oracle: (*oracle).to_owned(),
        script,
        tmp: tmp.path().to_path_buf(),
    };
    let (mut passed, mut failed) = (0, 0);
    let mut check = |name: &str, ok: bool, detail: &dyn Fn() -> String| {
        if ok {
            passed += 1;
        } else {
            failed += 1;
            println!("FAIL {name}: {}", detail());
        }
    };

    // 1. Signed by Digital Bazaar, verified by obi.
    let (code, text) = node.run("sign", &presentation());
    let signed: Option<Value> = (code == Some(0))
        .then(|| serde_json::from_str(&text).ok())
        .flatten();
    check("node signs a presentation", signed.is_some(), &|| {
        format!("exit {code:?}: {text}")
    });
    if let Some(signed) = signed {
        let expecting = options()
            .with_expected_challenge(CHALLENGE)
            .with_expected_domain(DOMAIN);
        let report = verify(Input::Json(signed.clone()), &expecting);
        check(
            "obi verifies Digital Bazaar's presentation proof",
            report.valid && !has_proof_error(&report),
            &|| format!("{:#?}", report.messages),
        );
        let report = verify(
            Input::Json(signed.clone()),
            &options().with_expected_challenge("another"),
        );
        check(
            "obi rejects it for another challenge",
            !report.valid && has_proof_error(&report),
            &|| format!("{:#?}", report.messages),
        );
        let mut tampered = signed;
        tampered["verifiableCredential"]
            .as_array_mut()
            .unwrap()
            .pop();
        let report = verify(Input::Json(tampered), &expecting);
        check(
            "obi rejects it with a credential removed",
            !report.valid && has_proof_error(&report),
            &|| format!("{:#?}", report.messages),
        );
    }

    // 2. Signed by obi, verified by Digital Bazaar.
    let key = KeyPair::ed25519_from_seed(&[7; 32]);
    let ours = obi_sign(&presentation(), &key);
    let report = verify(
        Input::Json(ours.clone()),
        &options()
            .with_expected_challenge(CHALLENGE)
            .with_expected_domain(DOMAIN),
    );
    check("obi verifies its own presentation", report.valid, &|| {
        format!("{:#?}", report.messages)
    });
    let (code, text) = node.run("verify", &ours);
    check(
        "Digital Bazaar verifies obi's presentation proof",
        code == Some(0),
        &|| format!("exit {code:?}: {text}"),
    );
    let mut tampered = ours;
    tampered["holder"] = json!("did:example:someone-else");
    let (code, text) = node.run("verify", &tampered);
    check(
        "Digital Bazaar rejects obi's presentation tampered",
        code == Some(1),
        &|| format!("exit {code:?}: {text}"),
    );

    println!("VP interop (Digital Bazaar): {passed} passed, {failed} failed, 0 skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
