//! JSON-LD compaction of arbitrary JSON with only the pinned contexts: expand, then compact
//! with the document's own context and with the Open Badges 2.0 context; must never panic,
//! and what compaction returns must expand again without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_ld::{CompactOptions, Options, PinnedLoader, compact_expanded, expand};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok(expanded) = expand(&doc, &Options::new(), &PinnedLoader) else {
        return;
    };
    let own = doc.get("@context").cloned().unwrap_or(Value::Null);
    let contexts = [own, Value::String("https://w3id.org/openbadges/v2".into())];
    for context in &contexts {
        for arrays in [true, false] {
            let options = CompactOptions::new().with_compact_arrays(arrays);
            if let Ok(c) =
                compact_expanded(&expanded, context, &Options::new(), &options, &PinnedLoader)
            {
                let _ = expand(&c, &Options::new(), &PinnedLoader);
            }
        }
    }
});
