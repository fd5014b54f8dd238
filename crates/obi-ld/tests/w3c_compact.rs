//! The W3C JSON-LD 1.1 compaction and flattening test suites
//! (tests/data/compact/compact-manifest.jsonld, flatten-manifest.jsonld), run offline: documents
//! the tests would fetch are served from the test data by URL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test runner: a broken suite file aborts it

mod support;

use std::process::ExitCode;

use obi_ld::{CompactOptions, Options, ProcessingMode, compact_with, expand, flatten};
use serde_json::Value;
use support::{BASE, data_dir, loader, read_json, same, skips};

fn main() -> ExitCode {
    let compact_ok = run("compact");
    let flatten_ok = run("flatten");
    if compact_ok && flatten_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs one manifest (`compact` or `flatten`); true when nothing failed.
#[allow(clippy::too_many_lines)]
fn run(kind: &str) -> bool {
    let dir = data_dir("compact");
    let manifest = read_json(&dir.join(format!("{kind}-manifest.jsonld")));
    let skips = skips(&dir.join("skip.txt"));
    let loader = loader(&dir, kind);

    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for test in manifest["sequence"].as_array().unwrap() {
        let id = test["@id"].as_str().unwrap();
        let opt = &test["option"];
        let skip_key = if kind == "compact" {
            id.to_owned()
        } else {
            format!("{kind}{id}")
        };
        if let Some(reason) = skips.get(&skip_key) {
            println!("skip {id}: {reason}");
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
        let context = test["context"]
            .as_str()
            .map_or(Value::Null, |c| read_json(&dir.join(c)));
        let mut options = Options::new().with_base(
            opt["base"]
                .as_str()
                .map_or_else(|| format!("{BASE}{input_path}"), str::to_owned),
        );
        if opt["processingMode"] == "json-ld-1.0" {
            options = options.with_processing_mode(ProcessingMode::JsonLd10);
        }
        let mut copts = CompactOptions::new();
        if opt["compactArrays"] == false {
            copts = copts.with_compact_arrays(false);
        }
        if opt["compactToRelative"] == false {
            copts = copts.with_compact_to_relative(false);
        }
        let negative = test["@type"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "jld:NegativeEvaluationTest");
        let result = if kind == "flatten" {
            flatten(&input, &context, &options, &copts, &loader)
        } else {
            compact_with(&input, &context, &options, &copts, &loader)
        };
        let ok = if negative {
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
                Ok(v) if same(v, &want, false) => {
                    // The README's second check: both expand to the same thing.
                    let o = Options::new().with_base(format!("{BASE}{input_path}"));
                    let (a, b) = (expand(v, &o, &loader), expand(&want, &o, &loader));
                    match (a, b) {
                        (Ok(a), Ok(b)) if same(&a, &b, false) => true,
                        (a, b) => {
                            println!("FAIL {id}: re-expansion differs: {a:?} vs {b:?}");
                            false
                        }
                    }
                }
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
    println!("W3C JSON-LD {kind}: {passed} passed, {failed} failed, {skipped} skipped");
    failed == 0
}
