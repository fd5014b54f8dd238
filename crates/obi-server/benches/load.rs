//! Load over real TCP on 127.0.0.1: the service runs in process on its own tokio runtime
//! (as `obi serve` does), and a keep-alive HTTP/1.1 client with `OBI_LOAD_CONNS` connections
//! (default 64) drives it for `OBI_LOAD_SECS` seconds per scenario (default 10; at most
//! `MAX_REQUESTS` requests) after a short warm-up. Scenarios: hosted credential GET, single
//! signed OB 3.0 award, verify API on a cached credential (its status list served from
//! memory). SQLite always; PostgreSQL at `OBI_BENCH_POSTGRES` (default
//! postgres://postgres@127.0.0.1:5432/test, a fresh schema), skipped with a message when
//! unreachable. One parseable line per scenario:
//! `load: scenario=get db=sqlite conns=64 secs=10.0 requests=… errors=0 rps=… p50_ms=… p90_ms=… p99_ms=… max_ms=…`
//! Run: `cargo bench -p obi-server --bench load` (`OBI_LOAD_SCENARIOS=get,verify` to pick).

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up: fail loudly

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use obi_server::{AppLimits, AppState, KeySealer, Store, StoreOptions, app, token_hash};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const VALID: &str = include_str!("../tests/data/valid-rdfc.json");
const STATUS_LIST: &str = include_str!("../tests/data/status-1.json");
/// Most requests in one scenario, whatever the time.
const MAX_REQUESTS: usize = 5_000_000;
/// Warm-up before measuring (connections open, caches filled).
const WARMUP: Duration = Duration::from_secs(1);
/// Hosted credentials the GET scenario cycles through.
const GET_CREDENTIALS: usize = 64;
/// Largest response the client reads.
const MAX_RESPONSE: usize = 4 * 1024 * 1024;

/// One request, ready to write.
#[derive(Clone)]
struct Req {
    method: &'static str,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn bytes(&self, host: &str) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\nHost: {host}\r\n", self.method, self.path);
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// A minimal keep-alive HTTP/1.1 client connection.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends `req`, reads the whole response; returns the status.
    async fn send(&mut self, req: &[u8]) -> std::io::Result<u16> {
        self.stream.write_all(req).await?;
        self.buf.clear();
        let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_owned());
        let head_end = loop {
            if let Some(p) = find(&self.buf, b"\r\n\r\n") {
                break p + 4;
            }
            self.fill().await?;
            if self.buf.len() > MAX_RESPONSE {
                return Err(bad("head too long"));
            }
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(|_| bad("head not UTF-8"))?;
        let status: u16 = head
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("no status"))?;
        let lower = head.to_ascii_lowercase();
        let length = lower
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        if let Some(len) = length {
            while self.buf.len() < head_end + len {
                self.fill().await?;
            }
        } else if lower.contains("transfer-encoding: chunked") {
            // Enough for our purposes: read until the last chunk.
            while !self.buf[head_end..].ends_with(b"0\r\n\r\n") {
                self.fill().await?;
                if self.buf.len() > MAX_RESPONSE {
                    return Err(bad("body too long"));
                }
            }
        } else {
            return Err(bad("response without a length"));
        }
        Ok(status)
    }

    async fn fill(&mut self) -> std::io::Result<()> {
        let mut chunk = [0_u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

struct Outcome {
    requests: usize,
    errors: usize,
    secs: f64,
    latencies_us: Vec<u32>,
    first_error: Option<String>,
}

/// Drives `requests` (cycled) over `conns` connections for `secs` after the warm-up.
async fn drive(
    addr: SocketAddr,
    conns: usize,
    secs: f64,
    requests: Arc<Vec<Vec<u8>>>,
    expect: u16,
) -> Outcome {
    let stop = Arc::new(AtomicBool::new(false));
    let measuring = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for c in 0..conns {
        let (stop, measuring, counter, requests) = (
            stop.clone(),
            measuring.clone(),
            counter.clone(),
            requests.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0_usize;
            let mut first_error = None;
            let mut conn = Conn::open(addr).await.expect("connect");
            let mut i = c;
            while !stop.load(Ordering::Relaxed) {
                let req = &requests[i % requests.len()];
                i += 1;
                let t = Instant::now();
                let result = conn.send(req).await;
                let us = u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX);
                let ok = matches!(result, Ok(s) if s == expect);
                if measuring.load(Ordering::Relaxed) {
                    if counter.fetch_add(1, Ordering::Relaxed) >= MAX_REQUESTS {
                        break;
                    }
                    lat.push(us);
                    if !ok {
                        errors += 1;
                        if first_error.is_none() {
                            first_error = Some(format!("{result:?}"));
                        }
                    }
                }
                if result.is_err() {
                    conn = match Conn::open(addr).await {
                        Ok(c) => c,
                        Err(_) => break,
                    };
                }
            }
            (lat, errors, first_error)
        }));
    }
    tokio::time::sleep(WARMUP).await;
    measuring.store(true, Ordering::Relaxed);
    let start = Instant::now();
    let deadline = Duration::from_secs_f64(secs);
    while start.elapsed() < deadline && counter.load(Ordering::Relaxed) < MAX_REQUESTS {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    measuring.store(false, Ordering::Relaxed);
    let elapsed = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let mut out = Outcome {
        requests: 0,
        errors: 0,
        secs: elapsed,
        latencies_us: Vec::new(),
        first_error: None,
    };
    for t in tasks {
        let (lat, errors, first) = t.await.expect("client task");
        out.errors += errors;
        out.latencies_us.extend(lat);
        out.first_error = out.first_error.or(first);
    }
    out.requests = out.latencies_us.len();
    out
}

fn percentile_ms(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[idx.min(sorted.len() - 1)]) / 1000.0
}

/// The service state for one backend, with the verify scenario's status list in memory.
async fn state(store: Store, public_url: &str) -> (AppState, String) {
    let admin = obi_server::new_token();
    store.ensure_admin_token(&token_hash(&admin)).await.unwrap();
    let fetcher = obi_fetch::MapFetcher::new().with_json(
        "https://issuer.example/status/1",
        STATUS_LIST.as_bytes().to_vec(),
    );
    let verify = obi_verify::Options::new().with_fetcher(Arc::new(fetcher));
    let sealer = KeySealer::from_base64(&KeySealer::generate_base64()).unwrap();
    (AppState::new(store, sealer, public_url, verify), admin)
}

/// One request through a fresh connection, for set-up.
async fn once(addr: SocketAddr, req: &Req) -> Value {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut r = req.clone();
    r.headers.push(("Connection".into(), "close".into()));
    stream.write_all(&r.bytes(&addr.to_string())).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.1 201"),
        "{} {}: {head}\n{body}",
        req.method,
        req.path
    );
    serde_json::from_str(body).unwrap_or(Value::Null)
}

fn post_json(path: String, token: Option<&str>, body: &Value) -> Req {
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    if let Some(t) = token {
        headers.push(("Authorization".to_owned(), format!("Bearer {t}")));
    }
    Req {
        method: "POST",
        path,
        headers,
        body: body.to_string().into_bytes(),
    }
}

fn run_backend(
    db: &str,
    url: &str,
    options: &StoreOptions,
    conns: usize,
    secs: f64,
    scenarios: &[String],
) {
    // The server: its own runtime, like `obi serve` (tokio's default worker count). The store
    // connects on it (PostgreSQL connections are tasks of the runtime that opened them).
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let connected = server_rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), Store::connect(url, options)).await
    });
    let store = match connected {
        Ok(Ok(store)) => store,
        Ok(Err(e)) => {
            println!("load: db={db} skipped: cannot connect to {url}: {e}");
            return;
        }
        Err(_) => {
            println!("load: db={db} skipped: connecting to {url} timed out");
            return;
        }
    };
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (state, admin) = server_rt.block_on(state(store.clone(), "https://badges.example.org"));
    let router = app(state, AppLimits::default());
    server_rt.spawn(async move { axum::serve(listener, router).await });

    // The client: one runtime thread, so it takes as little CPU from the server as it can.
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let host = addr.to_string();
    let (issuer, achievement, credentials) = client_rt.block_on(async {
        let issuer = once(
            addr,
            &post_json(
                "/api/issuers".into(),
                Some(&admin),
                &json!({"name": "Load"}),
            ),
        )
        .await;
        let issuer = issuer["id"].as_str().unwrap().to_owned();
        let a = once(
            addr,
            &post_json(
                format!("/api/issuers/{issuer}/achievements"),
                Some(&admin),
                &json!({"name": "Load badge", "description": "d", "criteria": "c"}),
            ),
        )
        .await;
        let achievement = a["uuid"].as_str().unwrap().to_owned();
        let mut credentials = Vec::new();
        for _ in 0..GET_CREDENTIALS {
            let award = once(
                addr,
                &post_json(
                    format!("/api/issuers/{issuer}/awards"),
                    Some(&admin),
                    &json!({"achievementId": achievement, "recipientEmail": "a@example.org"}),
                ),
            )
            .await;
            credentials.push(award["id"].as_str().unwrap().to_owned());
        }
        (issuer, achievement, credentials)
    });

    for scenario in scenarios {
        let (requests, expect): (Vec<Req>, u16) = match scenario.as_str() {
            "get" => (
                credentials
                    .iter()
                    .map(|id| Req {
                        method: "GET",
                        path: format!("/credentials/{id}"),
                        headers: vec![("Accept".into(), "application/ld+json".into())],
                        body: Vec::new(),
                    })
                    .collect(),
                200,
            ),
            "award" => (
                vec![post_json(
                    format!("/api/issuers/{issuer}/awards"),
                    Some(&admin),
                    &json!({"achievementId": achievement, "recipientEmail": "learner@example.org", "recipientName": "Load"}),
                )],
                201,
            ),
            "verify" => {
                let valid: Value = serde_json::from_str(VALID).unwrap();
                (vec![post_json("/api/verify".into(), None, &valid)], 200)
            }
            other => {
                println!("load: unknown scenario {other} (get, award, verify)");
                continue;
            }
        };
        let raw: Arc<Vec<Vec<u8>>> = Arc::new(requests.iter().map(|r| r.bytes(&host)).collect());
        let mut out = client_rt.block_on(drive(addr, conns, secs, raw, expect));
        out.latencies_us.sort_unstable();
        let l = &out.latencies_us;
        println!(
            "load: scenario={scenario} db={db} conns={conns} secs={:.1} requests={} errors={} rps={:.0} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2}",
            out.secs,
            out.requests,
            out.errors,
            out.requests as f64 / out.secs,
            percentile_ms(l, 0.50),
            percentile_ms(l, 0.90),
            percentile_ms(l, 0.99),
            l.last().map_or(f64::NAN, |m| f64::from(*m) / 1000.0),
        );
        if let Some(e) = out.first_error {
            println!("load: scenario={scenario} db={db} first error: {e}");
        }
    }
    drop(client_rt);
    server_rt.block_on(async {
        let _ = store.drop_schema().await;
    });
    server_rt.shutdown_timeout(Duration::from_secs(2));
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing useful: run short.
    let args: Vec<String> = std::env::args().collect();
    let is_bench = args.iter().any(|a| a == "--bench");
    let secs: f64 = std::env::var("OBI_LOAD_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if is_bench { 10.0 } else { 0.5 });
    let conns: usize = std::env::var("OBI_LOAD_CONNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
        .clamp(1, 1024);
    let scenarios: Vec<String> = std::env::var("OBI_LOAD_SCENARIOS")
        .unwrap_or_else(|_| "get,award,verify".into())
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let dir = tempfile::tempdir().unwrap();

    let url = format!("sqlite://{}", dir.path().join("load.sqlite").display());
    run_backend(
        "sqlite",
        &url,
        &StoreOptions::default(),
        conns,
        secs,
        &scenarios,
    );

    let pg = std::env::var("OBI_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let options = StoreOptions {
        pg_schema: Some(format!("obi_load_{}", uuid::Uuid::new_v4().simple())),
        max_connections: 16,
    };
    run_backend("postgres", &pg, &options, conns, secs, &scenarios);
}
