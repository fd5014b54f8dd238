//! Input detection and OB 3.0 verification of arbitrary bytes (JSON, compact JWS, PNG, SVG,
//! text), offline: never panics, and the report is consistent (`valid` exactly when there is
//! no ERROR, the counts match the messages). Also the status list decoder on arbitrary text:
//! never more than the cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_verify::{Input, Level, Options, decode_status_list, verify};

fuzz_target!(|data: &[u8]| {
    if let Some((&0, rest)) = data.split_first() {
        if let Ok(text) = std::str::from_utf8(rest) {
            if let Ok(bits) = decode_status_list(text, 4096) {
                assert!(bits.len() <= 4096);
            }
        }
        return;
    }
    let options = Options::new().with_offline(true);
    let report = verify(Input::bytes("fuzz", data.to_vec()), &options);
    let errors = report.messages.iter().filter(|m| m.level == Level::Error).count();
    let warnings = report.messages.iter().filter(|m| m.level == Level::Warning).count();
    assert_eq!(report.error_count, errors);
    assert_eq!(report.warning_count, warnings);
    assert_eq!(report.valid, errors == 0);
    assert!(serde_json::to_string(&report).is_ok());
});
