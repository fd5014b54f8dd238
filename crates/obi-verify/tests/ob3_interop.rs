//! The OB 3.0 corpus against Digital Bazaar's verifier (`ob3-oracle.mjs`): for every case not
//! listed in `tests/data/corpus/ob3/oracle-skips.json` (each skip has a reason), the oracle's
//! verdict (proof verified and its OB data-model checks passed) must equal the corpus verdict,
//! which `verify_corpus` checks obi gives. Runs only when `OBI_OB3_ORACLE` holds the oracle
//! command line (e.g. `node /tmp/obi-oracles/js/ob3-oracle.mjs`); otherwise prints why it
//! skipped. Prints `OB 3.0 oracle interop: N agree, N disagree, N skipped`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // a test runner

use std::path::Path;
use std::process::{Command, ExitCode};

use serde_json::Value;

fn main() -> ExitCode {
    let Ok(cmdline) = std::env::var("OBI_OB3_ORACLE") else {
        println!(
            "OB 3.0 oracle interop: skipped: OBI_OB3_ORACLE not set (see shared/oracles/setup.sh)"
        );
        return ExitCode::SUCCESS;
    };
    let mut words = cmdline.split_whitespace().map(String::from);
    let Some(program) = words.next() else {
        println!("OB 3.0 oracle interop: skipped: OBI_OB3_ORACLE is empty");
        return ExitCode::SUCCESS;
    };
    let base_args: Vec<String> = words.collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus/ob3");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let skips: Value =
        serde_json::from_slice(&std::fs::read(dir.join("oracle-skips.json")).unwrap()).unwrap();
    let now = manifest["now"].as_str().unwrap();
    let mut doc_args = Vec::new();
    for (url, file) in manifest["shared"].as_object().unwrap() {
        let file = dir.join(file.as_str().unwrap());
        doc_args.push("--doc".to_owned());
        doc_args.push(format!("{url}={}", file.display()));
        if url == "https://issuer.example/.well-known/did.json" {
            doc_args.push("--doc".to_owned());
            doc_args.push(format!("did:web:issuer.example={}", file.display()));
        }
    }
    let (mut agree, mut disagree, mut skipped) = (0, 0, 0);
    for case in manifest["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if let Some(reason) = skips[id].as_str() {
            skipped += 1;
            println!("skip {id}: {reason}");
            continue;
        }
        let input = dir.join(case["input"].as_str().unwrap());
        let out = Command::new(&program)
            .args(&base_args)
            .arg("verify")
            .args(["--now", now])
            .args(&doc_args)
            .arg(&input)
            .output()
            .unwrap_or_else(|e| panic!("running {program}: {e}"));
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let oracle_valid =
            out.status.code() == Some(0) && report["obChecks"]["ok"].as_bool().unwrap_or(true);
        if out.status.code() == Some(3) {
            disagree += 1;
            println!(
                "FAIL {id}: the oracle failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        }
        let ours = case["expect"]["valid"].as_bool().unwrap();
        if ours == oracle_valid {
            agree += 1;
        } else {
            disagree += 1;
            println!("FAIL {id}: obi says valid={ours}, the oracle valid={oracle_valid}: {report}");
        }
    }
    println!("OB 3.0 oracle interop: {agree} agree, {disagree} disagree, {skipped} skipped");
    if disagree == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
