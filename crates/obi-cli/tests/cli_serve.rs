//! `obi serve` as a process: starts on a free port with a temp SQLite file, answers
//! /api/openapi.json, and exits cleanly on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure here is a test failure

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serve_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("obi.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database"])
        .arg(format!("sqlite://{}", db.display()))
        .env_remove("OBI_CONFIG")
        .env_remove("OBI_DATABASE")
        .env_remove("OBI_KEY_ENCRYPTION_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(addr) = line.split("listening on http://").nth(1) {
                let _ = tx.send(addr.trim().to_owned());
            }
        }
    });
    let addr = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(a) => a,
        Err(e) => {
            let _ = child.kill();
            panic!("server did not report its address: {e}");
        }
    };
    let res = http_get(&addr, "/api/openapi.json");
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    assert!(res.contains("\"openapi\":\"3.1.0\""), "{res}");
    let res = http_get(&addr, "/api/issuers");
    assert!(res.starts_with("HTTP/1.1 401"), "{res}");
    // The key encryption key file was created next to the database, mode 0600.
    let key = dir.path().join("obi.sqlite.key");
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("server did not stop within 30 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exit status {exit:?}");
}

#[test]
fn create_token_prints_a_token_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("obi.sqlite").display());
    let out = Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(["serve", "--create-token", "--database", &db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    assert!(
        token.trim().starts_with("obi_") && token.trim().len() > 40,
        "{token}"
    );
}

#[test]
fn bad_settings_are_named() {
    let out = Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(["serve", "--bind", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bind"));
    let out = Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    // Every setting: its flag (secrets have none), its OBI_ variable, and the TOML key.
    for word in [
        "--bind",
        "--database",
        "--config",
        "--public-url",
        "--body-limit",
        "--request-timeout-secs",
        "--pool-size",
        "--job-lease-secs",
        "--instance-id",
        "--create-token",
        "OBI_BIND",
        "OBI_DATABASE",
        "OBI_PUBLIC_URL",
        "OBI_BODY_LIMIT",
        "OBI_REQUEST_TIMEOUT_SECS",
        "OBI_POOL_SIZE",
        "OBI_JOB_LEASE_SECS",
        "OBI_INSTANCE_ID",
        "OBI_KEY_ENCRYPTION_KEY",
        "OBI_KEY_ENCRYPTION_KEY_FILE",
        "OBI_ADMIN_TOKEN",
        "OBI_CONFIG",
        "TOML",
    ] {
        assert!(help.contains(word), "--help lacks {word}");
    }
}
