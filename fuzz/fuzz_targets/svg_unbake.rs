//! SVG reader: unbaking and baking any input gives a result or an error, never a panic,
//! and a successful bake unbakes to the payload baked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_bake::{Baker, Limits, Payload};

fuzz_target!(|data: &[u8]| {
    let baker = Baker::new().with_limits(Limits::default().with_max_svg_depth(64));
    let _ = baker.unbake_svg(data);
    let payload = Payload::detect(r#"{"id":"urn:uuid:1","x":"]]>"}"#);
    let mut out = Vec::new();
    if baker.bake_svg(data, &mut out, &payload, None).is_ok() {
        let found = baker.unbake_svg(&out).ok().flatten().map(|b| b.payload);
        assert_eq!(found, Some(payload));
    }
});
