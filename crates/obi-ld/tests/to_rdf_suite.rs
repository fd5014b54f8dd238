//! The W3C JSON-LD 1.1 toRdf test suite (tests/data/json-ld/toRdf-manifest.jsonld), run
//! offline through `Processor::to_rdf`, then compared with the expected N-Quads as datasets
//! (both canonicalized with RDFC-1.0, so blank node labels do not matter). Every test also
//! checks that `expanded_to_rdf(expand(..))` gives the very same quads (blank node labels
//! included) or the very same error.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test runner: a broken suite file aborts it

mod support;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use obi_ld::{
    MapLoader, Options, ProcessingMode, Processor, RdfDirection, ToRdfError, ToRdfOptions, expand,
    expanded_to_rdf,
};
use obi_rdf::{Quad, canonicalize, nquads};
use serde_json::Value;
use support::{BASE, data_dir, loader, read_json, skips};

fn canonical(quads: &[Quad]) -> String {
    canonicalize(quads).unwrap().into_nquads()
}

/// The test's quads by the fast path, and whether the old path agreed.
fn run(test: &Value, dir: &Path, loader: &Arc<MapLoader>) -> (Result<Vec<Quad>, String>, bool) {
    let opt = &test["option"];
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
    let mut to_rdf = ToRdfOptions::new();
    if opt["produceGeneralizedRdf"] == true {
        to_rdf = to_rdf.with_produce_generalized_rdf(true);
    }
    match opt["rdfDirection"].as_str() {
        Some("i18n-datatype") => to_rdf = to_rdf.with_rdf_direction(RdfDirection::I18nDatatype),
        Some("compound-literal") => {
            to_rdf = to_rdf.with_rdf_direction(RdfDirection::CompoundLiteral);
        }
        _ => {}
    }
    // A fresh processor per test: no context cached by another test.
    let processor = Processor::new(Arc::clone(loader));
    let fast = processor.to_rdf(&input, &options, &to_rdf);
    let old = expand(&input, &options, &**loader)
        .map_err(ToRdfError::from)
        .and_then(|expanded| expanded_to_rdf(&expanded, &to_rdf));
    let agree = fast == old;
    let result = fast.map_err(|e| match e {
        ToRdfError::Expansion(e) => e.code().as_str().to_owned(),
        ToRdfError::ConflictingIndexes { .. } => "conflicting indexes".to_owned(),
        other => other.to_string(),
    });
    (result, agree)
}

fn main() -> ExitCode {
    let dir = data_dir("json-ld");
    let manifest = read_json(&dir.join("toRdf-manifest.jsonld"));
    let skips = skips(&dir.join("to_rdf_skip.txt"));
    let loader = Arc::new(loader(&dir, "toRdf"));

    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for test in manifest["sequence"].as_array().unwrap() {
        let id = test["@id"].as_str().unwrap();
        if skips.contains_key(id) {
            skipped += 1;
            continue;
        }
        let types: Vec<&str> = test["@type"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let (result, agree) = run(test, &dir, &loader);
        let outcome = if !agree {
            Err("Processor::to_rdf differs from expanded_to_rdf(expand(..))".to_owned())
        } else if types.contains(&"jld:NegativeEvaluationTest") {
            let want = test["expectErrorCode"].as_str().unwrap();
            match &result {
                Err(e) if e == want => Ok(()),
                Err(e) => Err(format!("expected error {want:?}, got {e}")),
                Ok(q) => Err(format!(
                    "expected error {want:?}, got\n{}",
                    nquads::to_nquads(q)
                )),
            }
        } else {
            match (&result, test["expect"].as_str()) {
                (Err(e), _) => Err(format!("error {e}")),
                (Ok(_), None) => Ok(()),
                (Ok(quads), Some(expect)) => {
                    let text = std::fs::read_to_string(dir.join(expect)).unwrap();
                    match nquads::parse(&text) {
                        Err(e) => Err(format!("expected output does not parse: {e}")),
                        Ok(want) => {
                            let (got, want) = (canonical(quads), canonical(&want));
                            if got == want {
                                Ok(())
                            } else {
                                Err(format!("got\n{got}   expected\n{want}"))
                            }
                        }
                    }
                }
            }
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(message) => {
                println!("FAIL {id}: {message}");
                failed += 1;
            }
        }
    }
    println!("W3C JSON-LD toRdf: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
