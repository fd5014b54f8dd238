//! `obi serve` killed with SIGKILL in the middle of a bulk award job, then restarted on the
//! same database: every award the API reported before the kill is still there, every row is
//! awarded exactly once, and the job finishes. On SQLite (a temp file) and on PostgreSQL (a
//! fresh database at 127.0.0.1:5432, trust auth; skipped with a message when unreachable).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure here is a test failure

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ROWS: usize = 3000;
const ADMIN: &str = "obi_crash_test_admin_token";

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(database: &str, kek_file: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database", database])
        .env_remove("OBI_CONFIG")
        .env_remove("OBI_DATABASE")
        .env_remove("OBI_KEY_ENCRYPTION_KEY")
        .env("OBI_KEY_ENCRYPTION_KEY_FILE", kek_file)
        .env("OBI_ADMIN_TOKEN", ADMIN)
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
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(addr) => Server { child, addr },
        Err(e) => {
            let _ = child.kill();
            panic!("server did not report its address: {e}");
        }
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = body.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = std::str::from_utf8(&body[..end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[end + 2 + size + 2..];
    }
}

/// One HTTP/1.1 request; returns the status, the Location header and the body as JSON.
fn request(
    addr: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {ADMIN}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let mut location = None;
    for line in head.lines().skip(1) {
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            if k == "location" {
                location = Some(v.trim().to_owned());
            }
            if k == "transfer-encoding" && v.trim().eq_ignore_ascii_case("chunked") {
                body = dechunk(&body);
            }
        }
    }
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, location, value)
}

fn post_json(addr: &str, path: &str, body: &Value) -> Value {
    let (status, _, v) = request(
        addr,
        "POST",
        path,
        "application/json",
        body.to_string().as_bytes(),
    );
    assert!((200..300).contains(&status), "POST {path}: {status} {v}");
    v
}

fn get_json(addr: &str, path: &str) -> Value {
    let (status, _, v) = request(addr, "GET", path, "application/json", b"");
    assert_eq!(status, 200, "GET {path}: {v}");
    v
}

/// Every award of the issuer: (award id, row key), paging through the listing.
fn all_awards(addr: &str, issuer: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let page = get_json(
            addr,
            &format!("/api/issuers/{issuer}/awards?offset={offset}&limit=1000"),
        );
        let items = page["items"].as_array().unwrap();
        if items.is_empty() {
            return out;
        }
        for it in items {
            out.push((
                it["id"].as_str().unwrap().to_owned(),
                it["rowKey"].as_str().unwrap_or("").to_owned(),
            ));
        }
        offset += items.len();
    }
}

fn crash_and_resume(database: &str, kek_file: &Path, label: &str) {
    let server = start(database, kek_file);
    let addr = server.addr.clone();
    let issuer = post_json(&addr, "/api/issuers", &json!({"name": "Crash Test Body"}));
    let iid = issuer["id"].as_str().unwrap().to_owned();
    let achievement = post_json(
        &addr,
        &format!("/api/issuers/{iid}/achievements"),
        &json!({"name": "Survivor", "description": "d", "criteria": "c"}),
    );
    let aid = achievement["uuid"].as_str().unwrap().to_owned();
    let mut csv = String::from("recipient,name\n");
    for i in 0..ROWS {
        csv.push_str(&format!("learner{i}@example.org,Learner {i}\n"));
    }
    let (status, location, accepted) = request(
        &addr,
        "POST",
        &format!("/api/issuers/{iid}/awards/bulk?achievementId={aid}"),
        "text/csv",
        csv.as_bytes(),
    );
    assert_eq!(status, 202, "{accepted}");
    let location = location.expect("Location");
    let job_id = accepted["id"].as_str().unwrap().to_owned();

    // Wait until a quarter of the awards are reported, read them all, then SIGKILL at once
    // (the worker is mid-job, usually mid-batch).
    let deadline = Instant::now() + Duration::from_secs(600);
    let done_before = loop {
        let job = get_json(&addr, &location);
        let done = job["done"].as_u64().unwrap();
        if done >= (ROWS / 4) as u64 {
            break done;
        }
        assert!(Instant::now() < deadline, "no progress in 600 s: {job}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let observed = all_awards(&addr, &iid);
    let mut server = server;
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    drop(server);
    let observed_ids: BTreeSet<String> = observed.iter().map(|(id, _)| id.clone()).collect();
    assert!(
        observed.len() as u64 >= done_before,
        "{label}: the listing has at least the reported count"
    );
    assert!(
        observed.len() < ROWS,
        "{label}: the job finished before the kill ({} awards); nothing to resume",
        observed.len()
    );

    let server = start(database, kek_file);
    let addr = server.addr.clone();
    let deadline = Instant::now() + Duration::from_secs(900);
    let job = loop {
        let job = get_json(&addr, &location);
        if job["state"] == "finished" {
            break job;
        }
        assert!(
            Instant::now() < deadline,
            "{label}: job not finished: {job}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(job["done"], json!(ROWS), "{label}: {job}");
    assert_eq!(job["failed"], json!(0), "{label}: {job}");
    let after = all_awards(&addr, &iid);
    let ids: BTreeSet<String> = after.iter().map(|(id, _)| id.clone()).collect();
    let keys: BTreeSet<String> = after.iter().map(|(_, k)| k.clone()).collect();
    let expected: BTreeSet<String> = (0..ROWS).map(|i| format!("{job_id}:{i}")).collect();
    assert_eq!(after.len(), ROWS, "{label}: exactly one award per row");
    assert_eq!(ids.len(), ROWS, "{label}: no duplicate award ids");
    assert_eq!(keys, expected, "{label}: every row once");
    let lost: Vec<&String> = observed_ids.difference(&ids).collect();
    assert!(
        lost.is_empty(),
        "{label}: awards reported before the kill are gone: {lost:?}"
    );
    println!(
        "{label}: killed after {} of {ROWS} awards were reported; after restart {} awards, all rows once, job finished",
        observed.len(),
        after.len()
    );
}

#[test]
fn bulk_job_survives_sigkill_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("obi.sqlite");
    crash_and_resume(
        &format!("sqlite://{}", db.display()),
        &dir.path().join("obi.key"),
        "SQLite",
    );
}

fn psql(sql: &str) -> Result<(), String> {
    let out = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            "5432",
            "-U",
            "postgres",
            "-d",
            "test",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("psql: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

#[test]
fn bulk_job_survives_sigkill_postgres() {
    let name = format!(
        "obi_crash_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    if let Err(e) = psql(&format!("CREATE DATABASE {name}")) {
        println!(
            "skipped: PostgreSQL not reachable at 127.0.0.1:5432 as postgres (or psql missing): {e}"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let result = std::panic::catch_unwind(|| {
        crash_and_resume(
            &format!("postgres://postgres@127.0.0.1:5432/{name}"),
            &dir.path().join("obi.key"),
            "PostgreSQL",
        );
    });
    if let Err(e) = psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")) {
        println!("warning: could not drop {name}: {e}");
    }
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
