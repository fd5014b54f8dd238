//! The service's pages in a real browser: starts the service on 127.0.0.1 (SQLite in a temp
//! dir), awards a badge, then runs Debian's chromium headless to load a hosted credential
//! page and the `/verify` page, and to submit the verifier form (a file:// page posts a
//! pasted badge to `/verify`, multipart, the way the page's own form does). Checks the DOM
//! shows the verdict and prints the screenshot paths. Skips with a message when
//! `/usr/bin/chromium` (or `OBI_CHROMIUM`) is absent: `apt-get install -y chromium`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use obi_server::{AppLimits, AppState, KeySealer, Store, StoreOptions, app, token_hash};
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// Where hosted documents say they live.
const PUBLIC_URL: &str = "https://badges.example.org";
/// Longest a chromium run may take.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

type Published = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// No network: the documents published below (did:web document, status list), else none.
struct Fetcher {
    published: Published,
    none: obi_fetch::MapFetcher,
}

impl obi_fetch::Fetch for Fetcher {
    fn fetch(
        &self,
        request: &obi_fetch::Request<'_>,
    ) -> Result<obi_fetch::Response, obi_fetch::FetchError> {
        let body = self.published.lock().unwrap().get(request.url).cloned();
        match body {
            Some(b) => Ok(obi_fetch::Response::new(
                request.url,
                Some("application/json".into()),
                b,
            )),
            None => self.none.fetch(request),
        }
    }
}

async fn call(router: &Router, method: &str, uri: &str, token: &str, body: Value) -> Vec<u8> {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(if method == "GET" {
            Body::empty()
        } else {
            Body::from(body.to_string())
        })
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    assert!(
        status == StatusCode::OK || status == StatusCode::CREATED,
        "{method} {uri}: {status}: {}",
        String::from_utf8_lossy(&bytes)
    );
    bytes
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("OBI_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    path.exists().then_some(path)
}

/// Runs chromium headless with `args` then `url`; returns stdout (the DOM with --dump-dom).
fn run_chromium(bin: &Path, profile: &Path, args: &[String], url: &str) -> String {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            panic!("chromium did not finish within {CHROMIUM_TIMEOUT:?} on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

fn check(failures: &mut Vec<String>, cond: bool, what: &str) {
    if !cond {
        println!("FAIL {what}");
        failures.push(what.to_owned());
    }
}

fn main() -> ExitCode {
    let Some(bin) = chromium() else {
        println!(
            "browser: 0 passed, 0 failed, 1 skipped (no /usr/bin/chromium; apt-get install -y chromium, or set OBI_CHROMIUM)"
        );
        return ExitCode::SUCCESS;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Screenshots go where they outlive the test: the target directory's tmp.
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();

    // The service on a free port. Its public URL (ids, did:web) is a public host name: the
    // verifier refuses loopback did:web hosts; page links are relative, so they work here.
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let public_url = PUBLIC_URL.to_owned();
    let published = Published::default();
    let (router, admin) = rt.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("obi.sqlite").display());
        let store = Store::connect(&url, &StoreOptions::default())
            .await
            .unwrap();
        let admin = obi_server::new_token();
        store.ensure_admin_token(&token_hash(&admin)).await.unwrap();
        let sealer = KeySealer::from_base64(&KeySealer::generate_base64()).unwrap();
        let verify = obi_verify::Options::new().with_fetcher(Arc::new(Fetcher {
            published: published.clone(),
            none: obi_fetch::MapFetcher::new(),
        }));
        let state = AppState::new(store, sealer, &public_url, verify);
        (app(state, AppLimits::default()), admin)
    });
    let server = router.clone();
    rt.spawn(async move { axum::serve(listener, server).await });

    // An issuer, an achievement, an award; publish the issuer's did:web document and list.
    let (cid, credential) = rt.block_on(async {
        let issuer: Value = serde_json::from_slice(
            &call(&router, "POST", "/api/issuers", &admin, json!({"name": "Browser Test Academy"})).await,
        )
        .unwrap();
        let iid = issuer["id"].as_str().unwrap().to_owned();
        let a: Value = serde_json::from_slice(
            &call(
                &router,
                "POST",
                &format!("/api/issuers/{iid}/achievements"),
                &admin,
                json!({"name": "Headless Hero", "description": "Loaded a page without a head.", "criteria": "Run chromium --headless."}),
            )
            .await,
        )
        .unwrap();
        let created: Value = serde_json::from_slice(
            &call(
                &router,
                "POST",
                &format!("/api/issuers/{iid}/awards"),
                &admin,
                json!({"achievementId": a["uuid"], "recipientEmail": "ada@example.org", "recipientName": "Ada"}),
            )
            .await,
        )
        .unwrap();
        let did_path = format!("/issuers/{iid}/did.json");
        let did = call(&router, "GET", &did_path, &admin, Value::Null).await;
        published
            .lock()
            .unwrap()
            .insert(format!("{public_url}{did_path}"), did);
        if let Some(list) = created["credential"]["credentialStatus"]["statusListCredential"].as_str() {
            let path = list.strip_prefix(&public_url).unwrap().to_owned();
            let body = call(&router, "GET", &path, &admin, Value::Null).await;
            published.lock().unwrap().insert(list.to_owned(), body);
        }
        (
            created["id"].as_str().unwrap().to_owned(),
            created["credential"].clone(),
        )
    });

    let mut failures = Vec::new();
    let mut passed = 0;
    let size = "--window-size=1000,1400".to_owned();
    let budget = "--virtual-time-budget=10000".to_owned();

    // 1. The hosted credential page (chromium asks for text/html).
    let page = format!("{base}/credentials/{cid}");
    let dom = run_chromium(
        &bin,
        &dir.path().join("p1"),
        &["--dump-dom".into(), budget.clone()],
        &page,
    );
    let before = failures.len();
    check(
        &mut failures,
        dom.contains("This badge is valid."),
        "credential page: verdict in the DOM",
    );
    check(
        &mut failures,
        dom.contains("Headless Hero"),
        "credential page: badge name",
    );
    check(
        &mut failures,
        dom.contains("Browser Test Academy"),
        "credential page: issuer",
    );
    check(
        &mut failures,
        dom.contains("baked.png"),
        "credential page: baked image",
    );
    let shot = shots.join("credential.png");
    run_chromium(
        &bin,
        &dir.path().join("p2"),
        &[
            format!("--screenshot={}", shot.display()),
            size.clone(),
            budget.clone(),
        ],
        &page,
    );
    check(
        &mut failures,
        is_png(&shot),
        "credential page: screenshot written",
    );
    println!("screenshot: {}", shot.display());
    passed += usize::from(failures.len() == before);

    // 2. The verifier page itself.
    let verify = format!("{base}/verify");
    let dom = run_chromium(
        &bin,
        &dir.path().join("p3"),
        &["--dump-dom".into()],
        &verify,
    );
    let before = failures.len();
    check(
        &mut failures,
        dom.contains("Verify an Open Badge"),
        "/verify: heading",
    );
    check(
        &mut failures,
        dom.contains("type=\"file\""),
        "/verify: file input",
    );
    passed += usize::from(failures.len() == before);

    // 3. The form submitted (multipart, as the page's form does), result page rendered.
    let escaped = credential
        .to_string()
        .replace('&', "&amp;")
        .replace('<', "&lt;");
    let submit = dir.path().join("submit.html");
    std::fs::write(
        &submit,
        format!(
            "<!doctype html><form method=\"post\" action=\"{verify}\" enctype=\"multipart/form-data\">\
<textarea name=\"badge\">{escaped}</textarea></form><script>document.forms[0].submit()</script>"
        ),
    )
    .unwrap();
    let submit_url = format!("file://{}", submit.display());
    let dom = run_chromium(
        &bin,
        &dir.path().join("p4"),
        &["--dump-dom".into(), budget.clone()],
        &submit_url,
    );
    let before = failures.len();
    check(
        &mut failures,
        dom.contains("This badge is valid."),
        "/verify result: verdict in the DOM",
    );
    check(
        &mut failures,
        dom.contains("Headless Hero"),
        "/verify result: achievement name",
    );
    check(
        &mut failures,
        dom.contains("Awarded to"),
        "/verify result: recipient",
    );
    if failures.len() != before {
        println!("DOM was: {}", dom.chars().take(2000).collect::<String>());
    }
    let shot = shots.join("verify-result.png");
    run_chromium(
        &bin,
        &dir.path().join("p5"),
        &[format!("--screenshot={}", shot.display()), size, budget],
        &submit_url,
    );
    check(
        &mut failures,
        is_png(&shot),
        "/verify result: screenshot written",
    );
    println!("screenshot: {}", shot.display());
    passed += usize::from(failures.len() == before);

    let failed = 3 - passed;
    println!("browser: {passed} passed, {failed} failed, 0 skipped");
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn is_png(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| b.starts_with(b"\x89PNG\r\n\x1a\n") && b.len() > 1000)
}
