//! JSON-LD expansion of arbitrary JSON with only the pinned contexts: must never panic, and
//! safe mode must never accept what normal mode refuses or give a different result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_ld::{Options, PinnedLoader, expand};

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let normal = expand(&doc, &Options::new(), &PinnedLoader);
    let safe = expand(&doc, &Options::new().with_safe_mode(true), &PinnedLoader);
    if let Ok(s) = safe {
        assert_eq!(normal.ok(), Some(s), "safe mode accepted a document normal mode refused");
    }
    let based = Options::new().with_base("https://example.org/a/b?q#f");
    let _ = expand(&doc, &based, &PinnedLoader);
});
