//! `stages STAGE N FILE`: runs one stage of obi's JSON-LD -> RDF -> RDFC-1.0 pipeline `N`
//! times on a JSON-LD file (its `proof` removed), after one warm-up run, for instruction
//! counting: `valgrind --tool=callgrind --toggle-collect='*measured*' stages STAGE N FILE`
//! counts only the measured loop, so Ir divided by N is the cost of one operation.
//!
//! STAGE: `expand` (cached processor), `to-rdf` (expanded -> quads), `canon` (quads ->
//! canonical N-Quads), `canon-full` (the same through `canonicalize`, which also relabels the
//! quads), `pipeline` (expand, toRdf and `canon`), `print` (prints the canonical N-Quads
//! once). `rdfc SIZE N` canonicalizes SIZE quads of generated credential-shaped data (the
//! obi-rdf bench's generator) instead of a file.
#![forbid(unsafe_code)]

/// With `--features mimalloc`, the allocator the `obi` binary ships with.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::process::ExitCode;

use obi_ld::{Options, Processor, ToRdfOptions, expanded_to_rdf};
use obi_rdf::{Canonicalizer, Quad, nquads};
use serde_json::Value;

struct Setup {
    processor: Processor,
    opts: Options,
    rdf: ToRdfOptions,
    canon: Canonicalizer,
}

#[inline(never)]
fn measured_expand(s: &Setup, doc: &Value, n: u32) {
    for _ in 0..n {
        black_box(s.processor.expand(black_box(doc), &s.opts).ok());
    }
}

#[inline(never)]
fn measured_to_rdf(s: &Setup, expanded: &Value, n: u32) {
    for _ in 0..n {
        black_box(expanded_to_rdf(black_box(expanded), &s.rdf).ok());
    }
}

#[inline(never)]
fn measured_canon(s: &Setup, quads: &[Quad], n: u32) {
    for _ in 0..n {
        black_box(s.canon.canonicalize_to_nquads(black_box(quads)).ok());
    }
}

#[inline(never)]
fn measured_canon_full(s: &Setup, quads: &[Quad], n: u32) {
    for _ in 0..n {
        black_box(
            s.canon
                .canonicalize(black_box(quads))
                .ok()
                .map(obi_rdf::Canonicalized::into_nquads),
        );
    }
}

#[inline(never)]
fn measured_pipeline(s: &Setup, doc: &Value, n: u32) {
    for _ in 0..n {
        let out = s
            .processor
            .expand(black_box(doc), &s.opts)
            .ok()
            .and_then(|e| expanded_to_rdf(&e, &s.rdf).ok())
            .and_then(|q| s.canon.canonicalize_to_nquads(&q).ok());
        black_box(out);
    }
}

/// `count` quads of credential-shaped data (as in crates/obi-rdf/benches/canon.rs).
fn credentials(count: usize) -> String {
    const RDF_TYPE: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";
    const NAME: &str = "<https://schema.org/name>";
    const CRED: &str = "https://www.w3.org/2018/credentials#";
    const OB: &str = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#";
    let mut lines = Vec::new();
    let mut i = 0;
    while lines.len() < count {
        let c = format!("<urn:uuid:credential-{i}>");
        lines.push(format!("{c} {RDF_TYPE} <{CRED}VerifiableCredential> ."));
        lines.push(format!("{c} {RDF_TYPE} <{OB}OpenBadgeCredential> ."));
        lines.push(format!("{c} {NAME} \"Badge number {i}\" ."));
        lines.push(format!("{c} <{CRED}issuer> _:issuer{i} ."));
        lines.push(format!("_:issuer{i} {NAME} \"Issuer {i}\" ."));
        lines.push(format!("{c} <{CRED}credentialSubject> _:subject{i} ."));
        lines.push(format!("_:subject{i} <{OB}achievement> _:achievement{i} ."));
        lines.push(format!("_:achievement{i} {NAME} \"Achievement {i}\" ."));
        lines.push(format!(
            "_:achievement{i} <{OB}criteria> \"Complete task {i}\" ."
        ));
        lines.push(format!(
            "{c} <{CRED}validFrom> \"2024-01-01T00:00:{:02}Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .",
            i % 60
        ));
        i += 1;
    }
    lines.truncate(count);
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [stage, n, input] = args.as_slice() else {
        eprintln!("usage: stages expand|to-rdf|canon|pipeline N FILE | stages rdfc SIZE N");
        return ExitCode::from(2);
    };
    let s = Setup {
        processor: Processor::pinned(),
        opts: Options::new().with_safe_mode(true),
        rdf: ToRdfOptions::new().with_safe_mode(true),
        canon: Canonicalizer::new(),
    };
    if stage == "rdfc" {
        let (Ok(size), Ok(n)) = (n.parse::<usize>(), input.parse::<u32>()) else {
            eprintln!("SIZE and N must be numbers");
            return ExitCode::from(2);
        };
        let Ok(quads) = nquads::parse(&credentials(size)) else {
            eprintln!("generated data does not parse");
            return ExitCode::FAILURE;
        };
        measured_canon(&s, &quads, 1);
        measured_canon(&s, &quads, n);
        return ExitCode::SUCCESS;
    }
    let Ok(n) = n.parse::<u32>() else {
        eprintln!("N must be a number");
        return ExitCode::from(2);
    };
    let mut doc: Value = match std::fs::read(input)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(map) = doc.as_object_mut() {
        map.remove("proof");
    }
    let expanded = match s.processor.expand(&doc, &s.opts) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let quads = match expanded_to_rdf(&expanded, &s.rdf) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match stage.as_str() {
        "expand" => measured_expand(&s, &doc, n),
        "to-rdf" => measured_to_rdf(&s, &expanded, n),
        "canon" => measured_canon(&s, &quads, n),
        "canon-full" => measured_canon_full(&s, &quads, n),
        "pipeline" => measured_pipeline(&s, &doc, n),
        "print" => match s.canon.canonicalize_to_nquads(&quads) {
            Ok(text) => print!("{text}"),
            Err(e) => {
                eprintln!("{input}: {e}");
                return ExitCode::FAILURE;
            }
        },
        other => {
            eprintln!("unknown stage {other}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
