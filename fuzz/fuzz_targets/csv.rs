//! Bulk CSV rows (obi-issue): never a panic; every row is either valid or an error with a line
//! number inside the input; status lists decode without panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_issue::{BulkOptions, StatusList, check_csv};

fuzz_target!(|data: &[u8]| {
    let achievement = serde_json::json!({
        "id": "https://example.edu/a/1",
        "type": ["Achievement"],
        "name": "A",
        "criteria": {"narrative": "n"},
    });
    let options = BulkOptions {
        base_dir: std::env::temp_dir().join("obi-fuzz-csv-none"),
        ..BulkOptions::default()
    };
    if let Ok((_valid, errors)) = check_csv(&achievement, data, &options) {
        let lines = data.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 1;
        for e in errors {
            assert!(e.line >= 1 && e.line <= lines + 1, "line {} of {lines}", e.line);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = StatusList::decode(text);
    }
});
