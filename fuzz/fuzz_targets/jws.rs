//! Compact JWS and VC-JWT parsing: any input gives a result or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_proof::{Jws, JwsLimits, Resolver, verify_vc_jwt};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(jws) = Jws::parse(text) {
        let _ = jws.header_jwk();
        let _ = jws.kid();
    }
    let _ = verify_vc_jwt(text, &Resolver::new(), &JwsLimits::new(), 1_700_000_000);
});
