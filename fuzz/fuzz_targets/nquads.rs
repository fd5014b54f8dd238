//! N-Quads: parsing never panics, and parse -> serialize -> parse gives the same quads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_rdf::nquads::{NQuadsParser, to_nquads};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parser = NQuadsParser::new()
        .with_max_input_bytes(1 << 16)
        .with_max_quads(1_000);
    if let Ok(quads) = parser.parse(text) {
        let serialized = to_nquads(&quads);
        let again = NQuadsParser::new()
            .parse(&serialized)
            .expect("canonical serialization must parse");
        assert_eq!(quads, again, "round trip changed the quads");
        assert_eq!(serialized, to_nquads(&again), "serialization is not stable");
    }
});
