//! OB 2.0 verification of arbitrary input (offline: nothing can be fetched): a JSON object gets
//! the OB 2.0 context when it has none, so the bytes reach the OB 2.0 checks; any text is also
//! tried as a signed assertion (compact JWS). Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_verify::{Input, Options, verify};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let options = Options::new();
    if let Ok(mut value) = serde_json::from_slice::<Value>(data) {
        if let Some(obj) = value.as_object_mut() {
            obj.entry("@context")
                .or_insert_with(|| Value::String("https://w3id.org/openbadges/v2".into()));
        }
        let _ = verify(Input::Json(value), &options);
    } else if let Ok(text) = std::str::from_utf8(data) {
        let _ = verify(Input::Jws(text.trim().to_owned()), &options);
    }
});
