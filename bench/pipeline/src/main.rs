//! `obi-bench-pipeline N FILE...`: for each JSON-LD file (its `proof` removed), expands it with
//! the pinned contexts (safe mode, processed contexts cached as jsonld.js caches them), turns it
//! into RDF and canonicalizes it with RDFC-1.0 to N-Quads, N times after one warm-up run, and
//! prints one JSON line per file: `{"file", "n", "perSec", "quads"}` (the peer script's format).
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use obi_ld::{Options, Processor, ToRdfOptions, expanded_to_rdf};
use obi_rdf::Canonicalizer;
use serde_json::Value;

fn run(
    processor: &Processor,
    opts: &Options,
    rdf: &ToRdfOptions,
    canon: &Canonicalizer,
    doc: &Value,
) -> Result<String, String> {
    let expanded = processor.expand(doc, opts).map_err(|e| e.to_string())?;
    let quads = expanded_to_rdf(&expanded, rdf).map_err(|e| e.to_string())?;
    canon
        .canonicalize_to_nquads(&quads)
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((n, files)) = args.split_first() else {
        eprintln!("usage: obi-bench-pipeline N FILE...");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u32>() else {
        eprintln!("N must be a number, not {n}");
        return ExitCode::from(2);
    };
    let processor = Processor::pinned();
    let opts = Options::new().with_safe_mode(true);
    let rdf = ToRdfOptions::new().with_safe_mode(true);
    let canon = Canonicalizer::new();
    for file in files {
        let mut doc: Value = match std::fs::read(file)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(doc) => doc,
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Some(map) = doc.as_object_mut() {
            map.remove("proof");
        }
        let first = match run(&processor, &opts, &rdf, &canon, &doc) {
            Ok(nq) => nq,
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let start = Instant::now();
        for _ in 0..n {
            if let Err(e) = run(&processor, &opts, &rdf, &canon, black_box(&doc)) {
                eprintln!("{file}: {e}");
                return ExitCode::FAILURE;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let name = std::path::Path::new(file)
            .file_name()
            .map_or_else(|| file.clone(), |s| s.to_string_lossy().into_owned());
        println!(
            "{{\"file\":{},\"n\":{n},\"perSec\":{:.1},\"quads\":{}}}",
            Value::from(name),
            f64::from(n) / secs,
            first.lines().count()
        );
    }
    ExitCode::SUCCESS
}
