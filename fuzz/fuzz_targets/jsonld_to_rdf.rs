//! JSON-LD toRdf and flattening of arbitrary JSON with only the pinned contexts, and the whole
//! Data Integrity canonicalization step (safe-mode expansion, toRdf, RDFC-1.0) that
//! eddsa-rdfc-2022 signs: never a panic; canonical N-Quads parse again and are a fixed point of
//! RDFC-1.0; safe mode never yields quads normal mode refuses or other quads than it.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use obi_ld::{CompactOptions, Options, PinnedLoader, flatten, to_rdf};
use obi_proof::{LdCanonicalizer, RdfCanonicalizer};
use obi_rdf::{Canonicalizer, nquads::NQuadsParser};
use serde_json::Value;

fn canonicalizer() -> &'static LdCanonicalizer {
    // One processor for the run, as a verifier service keeps one (its context cache is shared).
    static C: OnceLock<LdCanonicalizer> = OnceLock::new();
    C.get_or_init(|| {
        LdCanonicalizer::pinned().with_canonicalizer(Canonicalizer::new().with_max_work(10_000))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let normal = to_rdf(&doc, &Options::new(), &PinnedLoader);
    let safe = to_rdf(&doc, &Options::new().with_safe_mode(true), &PinnedLoader);
    if let Ok(s) = safe {
        assert_eq!(
            normal.ok(),
            Some(s),
            "safe-mode toRdf accepted what normal mode refused, or gave other quads"
        );
    }
    let _ = flatten(
        &doc,
        &Value::Null,
        &Options::new(),
        &CompactOptions::new(),
        &PinnedLoader,
    );
    if let Ok(nquads) = canonicalizer().canonicalize(&doc) {
        let quads = NQuadsParser::new()
            .parse(&nquads)
            .expect("canonical N-Quads must parse");
        if let Ok(again) = Canonicalizer::new()
            .with_max_work(100_000)
            .canonicalize_to_nquads(&quads)
        {
            assert_eq!(nquads, again, "canonical form is not a fixed point");
        }
    }
});
