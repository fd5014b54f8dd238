//! bytes → bounded JSON parse → OB 2.0 / 3.0 typed parse → serialize, upgrade and
//! conversion; none of it may panic, and a typed parse must round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_model::{convert, json, ob2, ob3, schema, upgrade};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = json::parse(data) else {
        return;
    };
    if let Ok(a) = json::from_value::<ob2::Assertion>(&value) {
        let back = serde_json::to_value(&a).expect("serialize");
        assert_eq!(back, value, "OB 2.0 round trip");
        if let Ok(c) = convert::ob2_to_ob3(&a, None, None) {
            let _ = serde_json::to_value(&c.credential).expect("serialize");
        }
    }
    if let Ok(c) = json::from_value::<ob3::OpenBadgeCredential>(&value) {
        let back = serde_json::to_value(&c).expect("serialize");
        assert_eq!(back, value, "OB 3.0 round trip");
        let _ = schema::validate_ob3(&value);
    }
    let _ = json::from_value::<ob2::BadgeClass>(&value);
    let _ = json::from_value::<ob2::Profile>(&value);
    let _ = upgrade::detect_version(&value);
    if let Ok(up) = upgrade::upgrade(value) {
        let _ = up.assertion();
    }
});
