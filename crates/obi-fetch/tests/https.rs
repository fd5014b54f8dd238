//! The HTTPS success path: a rustls server on 127.0.0.1 with a certificate from a test CA
//! (`tests/data/test-ca.der`, leaf for `localhost` and `127.0.0.1`, valid until 2126),
//! fetched by an [`HttpFetcher`] that trusts that CA.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::Arc;
use std::thread;

use obi_fetch::{Fetch, FetchError, FetchPolicy, HttpFetcher, Request};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const BODY: &[u8] = br#"{"@context":"https://www.w3.org/ns/credentials/v2","tls":true}"#;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

/// Starts a TLS server answering every request with [`BODY`]; returns its port.
fn start_tls_server() -> u16 {
    let cert = rustls::pki_types::CertificateDer::from(data("localhost-cert.der"));
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(data("localhost-key.pk8.der").into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind((LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut tcp) = stream else { return };
            let config = Arc::clone(&config);
            thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, &mut tcp);
                let mut reader = BufReader::new(&mut tls);
                // Read the request head (a failed handshake ends here).
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) if line == "\r\n" => break,
                        Ok(_) => {}
                    }
                }
                drop(reader);
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/ld+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    BODY.len()
                );
                let _ = tls.write_all(head.as_bytes());
                let _ = tls.write_all(BODY);
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    port
}

/// HTTPS only (plain http stays refused), 127.0.0.1 allowed: the test server's address.
fn policy() -> FetchPolicy {
    FetchPolicy::new().allow_address(LOCALHOST)
}

#[test]
fn https_with_a_trusted_private_root_succeeds() {
    let port = start_tls_server();
    let http = HttpFetcher::with_root_certificates(policy(), [data("test-ca.der")]);
    // `localhost` resolves to 127.0.0.1 (allowed) and perhaps ::1 (refused, dropped); the
    // certificate names both `localhost` and the address.
    for host in ["127.0.0.1", "localhost"] {
        let url = format!("https://{host}:{port}/doc.json");
        let r = http.fetch(&Request::json(&url)).unwrap();
        assert_eq!(r.body, BODY);
        assert_eq!(r.final_url, url);
        assert_eq!(r.content_type.as_deref(), Some("application/ld+json"));
    }
}

#[test]
fn https_with_an_untrusted_certificate_fails_cleanly() {
    let port = start_tls_server();
    let url = format!("https://127.0.0.1:{port}/doc.json");
    // The Mozilla roots do not include the test CA.
    let err = HttpFetcher::new(policy())
        .fetch(&Request::json(&url))
        .unwrap_err();
    assert!(matches!(err, FetchError::Transport { .. }), "{err:?}");
    // Trusting no root at all trusts no server.
    let none: [Vec<u8>; 0] = [];
    let err = HttpFetcher::with_root_certificates(policy(), none)
        .fetch(&Request::json(&url))
        .unwrap_err();
    assert!(matches!(err, FetchError::Transport { .. }), "{err:?}");
    // Trusting the leaf's CA but not its address: the policy still refuses 127.0.0.1.
    let err = HttpFetcher::with_root_certificates(FetchPolicy::new(), [data("test-ca.der")])
        .fetch(&Request::json(&url))
        .unwrap_err();
    assert!(
        matches!(err, FetchError::ForbiddenAddress { .. }),
        "{err:?}"
    );
}
