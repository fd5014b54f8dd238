//! RDFC-1.0: never panics, stays within its work limit, and the canonical form is a fixed
//! point (canonicalizing it again gives it back).
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_rdf::{Canonicalizer, nquads::NQuadsParser};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(quads) = NQuadsParser::new()
        .with_max_input_bytes(1 << 14)
        .with_max_quads(200)
        .parse(text)
    else {
        return;
    };
    let canonicalizer = Canonicalizer::new().with_max_work(10_000);
    if let Ok(canonical) = canonicalizer.canonicalize(&quads) {
        // Relabelling may change the order permutations are tried in, so allow more work.
        if let Ok(again) = Canonicalizer::new()
            .with_max_work(100_000)
            .canonicalize(canonical.quads())
        {
            assert_eq!(canonical.as_nquads(), again.as_nquads());
        }
    }
});
