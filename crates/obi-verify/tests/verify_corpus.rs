//! The verification corpus: every case of `tests/data/corpus/*/manifest.json` (the OB 3.0
//! corpus and any other corpus written in the same format) is verified offline, with the
//! manifest's documents served by a `MapFetcher`, and must give the expected verdict with the
//! named check firing at the named level. Prints `verify corpus: N passed, N failed`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // a test runner

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use obi_fetch::MapFetcher;
use obi_verify::{Input, Level, Options, Recipient, verify};
use serde_json::Value;

fn add_docs(fetcher: &mut MapFetcher, dir: &Path, docs: Option<&Value>) {
    for (url, file) in docs.and_then(Value::as_object).into_iter().flatten() {
        let (rel, ct) = match file {
            Value::String(s) => (s.as_str(), None),
            other => (
                other["file"].as_str().unwrap(),
                other["content_type"].as_str().map(str::to_owned),
            ),
        };
        let body = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let ct = ct.or_else(|| {
            Path::new(rel)
                .extension()
                .is_some_and(|e| e == "json")
                .then(|| "application/json".to_owned())
        });
        fetcher.insert(url.clone(), ct, body);
    }
}

fn level(name: &str) -> Level {
    match name {
        "ERROR" => Level::Error,
        "WARNING" => Level::Warning,
        _ => Level::Info,
    }
}

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("manifest.json").is_file())
        .collect();
    dirs.sort();
    let (mut passed, mut failed) = (0usize, 0usize);
    for dir in dirs {
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        let now = manifest["now"]
            .as_str()
            .map(|s| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc());
        let suite = dir.file_name().unwrap().to_string_lossy().into_owned();
        for case in manifest["cases"].as_array().unwrap() {
            let id = case["id"].as_str().unwrap();
            let mut fetcher = MapFetcher::new();
            add_docs(&mut fetcher, &dir, manifest.get("shared"));
            add_docs(&mut fetcher, &dir, case.get("docs"));
            let mut options = Options::new()
                .with_fetcher(Arc::new(fetcher))
                .with_offline(true);
            if let Some(now) = now {
                options = options.with_now(now);
            }
            if let Some(r) = case["recipient"].as_str() {
                options = options.with_recipient(Recipient::parse(r).unwrap());
            }
            let input_rel = case["input"].as_str().unwrap();
            let bytes = std::fs::read(dir.join(input_rel)).unwrap();
            let report = verify(Input::bytes(input_rel, bytes), &options);
            let expect = &case["expect"];
            let want_valid = expect["valid"].as_bool().unwrap();
            let check = expect["check"].as_str().unwrap();
            let want_level = level(expect["level"].as_str().unwrap_or("ERROR"));
            let fired = report.has(want_level, check);
            if report.valid == want_valid && fired {
                passed += 1;
            } else {
                failed += 1;
                println!(
                    "FAIL {suite}/{id}: expected valid={want_valid} with {check} {}; got valid={} messages:",
                    expect["level"], report.valid
                );
                for m in &report.messages {
                    println!("    {} {}: {}", m.level, m.name, m.result);
                }
            }
        }
    }
    println!("verify corpus: {passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
