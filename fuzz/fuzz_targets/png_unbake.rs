//! PNG chunk reader: unbaking and baking any input gives a result or an error, never a panic,
//! and a successful bake unbakes to the payload baked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_bake::{Baker, Limits, Payload};

fuzz_target!(|data: &[u8]| {
    // Small caps so bombs and huge declared lengths are exercised cheaply.
    let baker = Baker::new().with_limits(
        Limits::default()
            .with_max_text_len(1 << 20)
            .with_max_decompressed_len(1 << 20)
            .with_max_chunks(10_000),
    );
    let _ = baker.unbake_png(data);
    let _ = baker.unbake_png_seekable(std::io::Cursor::new(data));
    let _ = baker.unbake(data);
    let payload = Payload::detect("https://example.org/assertions/1");
    let mut out = Vec::new();
    if baker.bake_png(data, &mut out, &payload, None).is_ok() {
        let found = baker.unbake(&out).ok().flatten().map(|b| b.payload);
        assert_eq!(found, Some(payload));
    }
});
