//! Multibase / Multikey / did:key parsing: never a panic, and valid values round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obi_proof::{KeyPair, PublicKey, multibase, resolve::resolve_did_key};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(bytes) = multibase::decode_base58btc(text) {
        assert_eq!(multibase::encode_base58btc(&bytes), text);
    }
    if let Ok(key) = PublicKey::from_multikey(text) {
        assert_eq!(PublicKey::from_multikey(&key.to_multikey()).ok(), Some(key));
    }
    let _ = KeyPair::from_private_multikey(text);
    let _ = resolve_did_key(text);
});
