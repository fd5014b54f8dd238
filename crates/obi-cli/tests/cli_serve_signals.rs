//! `obi serve` and SIGTERM with requests in flight: two verify requests whose bodies are
//! still being sent when the signal arrives complete with 200, new connections are refused
//! once the server stops accepting, and the process exits 0 within a bounded time.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure here is a test failure
#![cfg(unix)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the process may take to exit after the last in-flight request completed.
const EXIT_WITHIN: Duration = Duration::from_secs(15);

/// An OB 3.0 credential without a proof: the verifier reports it (200, not valid) without
/// fetching anything.
fn credential() -> String {
    serde_json::json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": "urn:uuid:0b8f0a1e-7a63-4bd4-9a4b-5e0f6c1d2a3b",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": { "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "type": ["Profile"], "name": "Signal Test" },
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "In flight",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:uuid:5f0d2b8e-3c1a-4e6f-8b7d-9a0c1e2f3a4b",
                "type": ["Achievement"],
                "name": "Patience",
                "description": "Waited for a graceful shutdown.",
                "criteria": { "narrative": "Be in flight during SIGTERM." }
            }
        }
    })
    .to_string()
}

fn start(dir: &std::path::Path) -> (Child, String) {
    let db = dir.join("obi.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database"])
        .arg(format!("sqlite://{}", db.display()))
        .env_remove("OBI_CONFIG")
        .env_remove("OBI_DATABASE")
        .env_remove("OBI_KEY_ENCRYPTION_KEY")
        .env("RUST_LOG", "obi_server=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            eprintln!("[obi serve] {line}");
            if let Some(addr) = line.split("listening on http://").nth(1) {
                let _ = tx.send(addr.trim().to_owned());
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(a) => (child, a),
        Err(e) => {
            let _ = child.kill();
            panic!("server did not report its address: {e}");
        }
    }
}

/// Sends the head and the first half of a verify request's body; the rest comes later.
fn begin_slow_verify(addr: &str, body: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /api/verify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body[..body.len() / 2]).unwrap();
    stream.flush().unwrap();
    stream
}

fn finish_slow_verify(mut stream: TcpStream, body: &[u8]) -> String {
    // Slowly: a few bytes at a time.
    for chunk in body[body.len() / 2..].chunks(64) {
        stream.write_all(chunk).unwrap();
        stream.flush().unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = Vec::new();
    let mut buf = [0_u8; 8192];
    // Read until the connection closes (the server closes it after shutting down) or the
    // whole response has arrived.
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if complete(&out) {
                    break;
                }
            }
            Err(e) => panic!("reading the in-flight response: {e}"),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A full HTTP/1.1 response with a Content-Length body or a final chunk.
fn complete(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let lower = head.to_ascii_lowercase();
    if let Some(len) = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        return body.len() >= len;
    }
    lower.contains("transfer-encoding: chunked") && body.ends_with("0\r\n\r\n")
}

#[test]
fn sigterm_completes_in_flight_requests_and_refuses_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = start(dir.path());
    let body = credential().into_bytes();

    let first = begin_slow_verify(&addr, &body);
    let second = begin_slow_verify(&addr, &body);
    // Both heads are read by the server before the signal.
    std::thread::sleep(Duration::from_millis(300));

    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    // New connections are refused once the listener is closed (give it a moment).
    let mut refused = false;
    while sent.elapsed() < Duration::from_secs(5) {
        match TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_millis(500)) {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                refused = true;
                break;
            }
            Err(_) | Ok(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    assert!(refused, "new connections still accepted 5 s after SIGTERM");
    assert!(
        child.try_wait().unwrap().is_none(),
        "the process exited before its in-flight requests completed"
    );

    // The in-flight requests complete with 200 and the verifier's report.
    let body2 = body.clone();
    let a = std::thread::spawn(move || finish_slow_verify(first, &body2));
    let b = std::thread::spawn({
        let body = body.clone();
        move || finish_slow_verify(second, &body)
    });
    for res in [a.join().unwrap(), b.join().unwrap()] {
        assert!(res.starts_with("HTTP/1.1 200"), "in-flight request: {res}");
        assert!(res.contains("\"report\""), "in-flight request body: {res}");
    }
    eprintln!(
        "in-flight requests completed {:?} after SIGTERM",
        sent.elapsed()
    );

    // Then the process exits 0, in bounded time.
    let done = Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if done.elapsed() > EXIT_WITHIN {
            let _ = child.kill();
            panic!("obi serve did not exit within {EXIT_WITHIN:?} after its last request");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exit status {exit}");
    eprintln!("obi serve exited {:?} after SIGTERM", sent.elapsed());
}
