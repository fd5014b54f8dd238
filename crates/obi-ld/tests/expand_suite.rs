//! The W3C JSON-LD 1.1 expansion test suite (tests/data/json-ld/expand-manifest.jsonld),
//! run offline: documents the tests would fetch are served from the test data by URL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test runner: a broken suite file aborts it

mod support;

use std::process::ExitCode;

use obi_ld::{Options, ProcessingMode, expand};
use serde_json::Value;
use support::{BASE, data_dir, loader, read_json, same, skips};

fn main() -> ExitCode {
    let dir = data_dir("json-ld");
    let manifest = read_json(&dir.join("expand-manifest.jsonld"));
    let skips = skips(&dir.join("skip.txt"));
    let loader = loader(&dir, "expand");

    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for test in manifest["sequence"].as_array().unwrap() {
        let id = test["@id"].as_str().unwrap();
        let opt = &test["option"];
        if skips.contains_key(id) {
            skipped += 1;
            continue;
        }
        if opt["specVersion"] == "json-ld-1.0" {
            println!("FAIL {id}: json-ld-1.0-only test missing from skip.txt");
            failed += 1;
            continue;
        }
        let input_path = test["input"].as_str().unwrap();
        let input = read_json(&dir.join(input_path));
        let mut options = Options::new().with_base(
            opt["base"]
                .as_str()
                .map_or_else(|| format!("{BASE}{input_path}"), str::to_owned),
        );
        if let Some(ctx) = opt["expandContext"].as_str() {
            options =
                options.with_expand_context_url(read_json(&dir.join(ctx)), format!("{BASE}{ctx}"));
        }
        if opt["processingMode"] == "json-ld-1.0" {
            options = options.with_processing_mode(ProcessingMode::JsonLd10);
        }
        let types: Vec<&str> = test["@type"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let result = expand(&input, &options, &loader);
        let ok = if types.contains(&"jld:NegativeEvaluationTest") {
            let want = test["expectErrorCode"].as_str().unwrap();
            match &result {
                Err(e) if e.code().as_str() == want => true,
                Err(e) => {
                    println!("FAIL {id}: expected error {want:?}, got {e}");
                    false
                }
                Ok(v) => {
                    println!("FAIL {id}: expected error {want:?}, got {v}");
                    false
                }
            }
        } else {
            let want = read_json(&dir.join(test["expect"].as_str().unwrap()));
            match &result {
                Ok(v) if same(v, &want, false) => true,
                Ok(v) => {
                    println!("FAIL {id}: got {v}\n   expected {want}");
                    false
                }
                Err(e) => {
                    println!("FAIL {id}: error {e}");
                    false
                }
            }
        };
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    println!("W3C JSON-LD expand: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
