//! The fetch policy's URL check on arbitrary strings: never panics; whatever it accepts has a
//! host, an https scheme unless http is allowed, and no IP literal the policy forbids.
#![no_main]

use std::net::IpAddr;

use libfuzzer_sys::fuzz_target;
use obi_fetch::{FetchPolicy, is_public_address};

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    let strict = FetchPolicy::new();
    if let Ok(parts) = strict.check_url(url) {
        assert!(parts.https);
        assert!(!parts.host.is_empty());
        let literal = parts.host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            assert!(is_public_address(ip), "{url} passed with {ip}");
        }
        let rest = url.split_once("://").map_or("", |(_, r)| r);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        assert!(!authority.contains('@'), "{url} passed with credentials");
    }
    let open = FetchPolicy::new()
        .allow_http(true)
        .allow_private_network(true);
    if strict.check_url(url).is_ok() {
        assert!(open.check_url(url).is_ok(), "a wider policy refused {url}");
    }
});
