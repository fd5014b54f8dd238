//! The OB 2.0 / 1.x verification corpus (`tests/data/ob2/manifest.json`): every case is
//! verified through `obi_verify::verify` with its documents served by a `MapFetcher`, and must
//! give the expected verdict with the expected check firing at the expected level.
//!
//! With `OBI_OB2_ORACLE` set to a command running the 1EdTech validator oracle (e.g.
//! `/tmp/obi-oracles/py/bin/python /tmp/obi-oracles/py/ob2-oracle.py`), every case is also
//! run through it and the verdicts compared; a disagreement must be listed, with its reason,
//! in `tests/data/ob2/disagreements.md`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;

use obi_fetch::MapFetcher;
use obi_verify::{Input, Level, Options, Recipient, Report, verify};
use serde_json::{Map, Value};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ob2")
}

/// A served document: (url, relative path, content type).
fn served(manifest: &Value, case: &Value) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<(String, String, Option<String>)> = Vec::new();
    let mut add = |docs: &Map<String, Value>| {
        for (url, v) in docs {
            let (file, ct) = match v {
                Value::String(f) => (f.clone(), None),
                Value::Object(o) => (
                    o["file"].as_str().unwrap().to_owned(),
                    o.get("content_type")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                ),
                _ => panic!("bad doc entry for {url}"),
            };
            out.retain(|(u, _, _)| u != url);
            out.push((url.clone(), file, ct));
        }
    };
    add(manifest["shared"].as_object().unwrap());
    add(case["docs"].as_object().unwrap());
    out
}

fn recipient(case: &Value) -> Option<Recipient> {
    let r = case.get("recipient")?.as_object()?;
    let (kind, value) = r.iter().next()?;
    let value = value.as_str()?.to_owned();
    Some(match kind.as_str() {
        "email" => Recipient::Email(value),
        "url" => Recipient::Url(value),
        "telephone" => Recipient::Telephone(value),
        other => panic!("unknown recipient kind {other}"),
    })
}

fn run_case(dir: &Path, manifest: &Value, case: &Value) -> Report {
    let (input, options) = prepare(dir, manifest, case);
    verify(input, &options)
}

/// The input and options (documents served from memory) of a case.
fn prepare(dir: &Path, manifest: &Value, case: &Value) -> (Input, Options) {
    let mut fetcher = MapFetcher::new();
    for (url, file, ct) in served(manifest, case) {
        let body = std::fs::read(dir.join(&file)).unwrap();
        fetcher.insert(
            url,
            Some(ct.unwrap_or_else(|| "application/ld+json".into())),
            body,
        );
    }
    let mut options = Options::new().with_fetcher(Arc::new(fetcher));
    if let Some(r) = recipient(case) {
        options = options.with_recipient(r);
    }
    let input = match case["input_kind"].as_str().unwrap() {
        "json" => {
            let text = std::fs::read(dir.join(case["input"].as_str().unwrap())).unwrap();
            Input::Json(serde_json::from_slice(&text).unwrap())
        }
        "jws" => {
            let text = std::fs::read_to_string(dir.join(case["input"].as_str().unwrap())).unwrap();
            Input::Jws(text.trim().to_owned())
        }
        "url" => Input::Url(case["input_url"].as_str().unwrap().to_owned()),
        other => panic!("unknown input kind {other}"),
    };
    (input, options)
}

/// With `OBI_OB2_THROUGHPUT=N`, verifies the `hosted-valid` and `signed-valid` cases N times
/// each (documents in memory: the "cached documents" case) and prints the rate. A measurement
/// printed for people, never asserted.
fn throughput(dir: &Path, manifest: &Value) {
    let Some(n) = std::env::var("OBI_OB2_THROUGHPUT")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    else {
        return;
    };
    for id in ["hosted-valid", "signed-valid"] {
        let Some(case) = manifest["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
        else {
            continue;
        };
        let (input, options) = prepare(dir, manifest, case);
        let start = std::time::Instant::now();
        for _ in 0..n {
            let report = verify(input.clone(), &options);
            assert!(report.valid);
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "OB 2.0 throughput {id}: {n} verifications in {secs:.3} s = {:.0}/s",
            f64::from(n) / secs
        );
    }
}

fn level(name: &str) -> Level {
    match name {
        "ERROR" => Level::Error,
        "WARNING" => Level::Warning,
        _ => Level::Info,
    }
}

/// Case ids listed in disagreements.md: the backquoted ids at the start of lines starting
/// with "- `", up to the first colon ("- `a`, `b`: reason").
fn listed_disagreements(dir: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(dir.join("disagreements.md")).unwrap_or_default();
    let mut ids = BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with("- `")) {
        let head = line.split("`:").next().unwrap_or("");
        for (i, part) in head.split('`').enumerate() {
            if i % 2 == 1 {
                ids.insert(part.to_owned());
            }
        }
    }
    ids
}

/// Runs the oracle on one case; `Some(valid)` or `None` when it errored.
fn oracle_verdict(
    cmd: &str,
    dir: &Path,
    manifest: &Value,
    case: &Value,
    tmp: &Path,
) -> Option<bool> {
    let id = case["id"].as_str().unwrap();
    let mut m = Map::new();
    for (url, file, ct) in served(manifest, case) {
        let path = dir.join(&file).to_string_lossy().into_owned();
        let entry = match ct {
            Some(ct) => serde_json::json!({"file": path, "content_type": ct}),
            None => Value::String(path),
        };
        m.insert(url, entry);
    }
    let mpath = tmp.join(format!("{id}.manifest.json"));
    std::fs::write(&mpath, serde_json::to_vec(&Value::Object(m)).unwrap()).unwrap();
    let mut parts = cmd.split_whitespace();
    let mut command = Command::new(parts.next()?);
    command.args(parts);
    command
        .arg("--manifest")
        .arg(&mpath)
        .arg("--no-self-serve")
        .arg("--compact");
    if let Some(r) = case.get("recipient") {
        let rpath = tmp.join(format!("{id}.recipient.json"));
        std::fs::write(&rpath, serde_json::to_vec(r).unwrap()).unwrap();
        command.arg("--recipient").arg(&rpath);
    }
    match case["input_kind"].as_str().unwrap() {
        "url" => command.arg(case["input_url"].as_str().unwrap()),
        _ => command.arg(dir.join(case["input"].as_str().unwrap())),
    };
    let out = command.output().ok()?;
    match out.status.code() {
        Some(0) => Some(true),
        Some(1) => Some(false),
        _ => None,
    }
}

fn main() -> ExitCode {
    let mut ok = run_corpus(&data_dir(), "OB 2.0 verify corpus");
    // JSON-LD forms (other contexts, aliases, full IRIs, @graph): tests/data/ob2-jsonld.
    let jsonld = data_dir().with_file_name("ob2-jsonld");
    ok &= run_corpus(&jsonld, "OB 2.0 JSON-LD forms corpus");
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs the corpus in `dir` (its manifest.json and disagreements.md); true when it passes.
fn run_corpus(dir: &Path, title: &str) -> bool {
    let dir = dir.to_path_buf();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let cases = manifest["cases"].as_array().unwrap();
    let (mut passed, mut failed) = (0, 0);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let expect = &case["expect"];
        let report = run_case(&dir, &manifest, case);
        let want_valid = expect["valid"].as_bool().unwrap();
        let check = expect["check"].as_str().unwrap_or("");
        let mut problems = Vec::new();
        if report.valid != want_valid {
            problems.push(format!("valid is {}, expected {want_valid}", report.valid));
        }
        if !check.is_empty() {
            let lvl = level(expect["level"].as_str().unwrap_or("ERROR"));
            if !report.has(lvl, check) {
                problems.push(format!("check {check} did not fire at {lvl}"));
            }
        }
        if problems.is_empty() {
            passed += 1;
        } else {
            failed += 1;
            println!("FAIL {id}: {}", problems.join("; "));
            for m in &report.messages {
                println!("    {} {}: {}", m.level, m.name, m.result);
            }
        }
    }
    println!("{title}: {passed} passed, {failed} failed");
    throughput(&dir, &manifest);

    let mut oracle_failed = false;
    match std::env::var("OBI_OB2_ORACLE") {
        Err(_) => println!("{title}, 1EdTech validator interop: skipped: OBI_OB2_ORACLE not set"),
        Ok(cmd) => {
            let listed = listed_disagreements(&dir);
            let tmp = std::env::temp_dir().join(format!("obi-ob2-oracle-{}", std::process::id()));
            std::fs::create_dir_all(&tmp).unwrap();
            let (mut agree, mut explained, mut unexplained, mut errors) = (0, 0, 0, 0);
            for case in cases {
                let id = case["id"].as_str().unwrap();
                let ours = run_case(&dir, &manifest, case).valid;
                match oracle_verdict(&cmd, &dir, &manifest, case, &tmp) {
                    None => {
                        errors += 1;
                        println!("ORACLE ERROR {id}: the validator did not run (exit 2)");
                        oracle_failed = true;
                    }
                    Some(theirs) if theirs == ours => {
                        agree += 1;
                        if listed.contains(id) {
                            println!(
                                "NOTE {id}: listed in disagreements.md but both say valid={ours}"
                            );
                        }
                    }
                    Some(theirs) => {
                        if listed.contains(id) {
                            explained += 1;
                        } else {
                            unexplained += 1;
                            oracle_failed = true;
                            println!(
                                "DISAGREE {id}: obi valid={ours}, validator valid={theirs} (not in disagreements.md)"
                            );
                        }
                    }
                }
            }
            let _ = std::fs::remove_dir_all(&tmp);
            println!(
                "{title}, 1EdTech validator interop: {agree} agree, {explained} listed disagreements, {unexplained} unlisted disagreements, {errors} oracle errors"
            );
        }
    }
    failed == 0 && !oracle_failed
}
