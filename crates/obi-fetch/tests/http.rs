//! The HTTP fetcher against tiny HTTP/1.1 servers on 127.0.0.1 started by the tests.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use obi_fetch::{
    CachingFetcher, Fetch, FetchError, FetchLoader, FetchPolicy, HttpFetcher, MemoryCache, Request,
    USER_AGENT,
};
use obi_ld::DocumentLoader;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// What the server sends for a path.
enum Reply {
    Ok(&'static str, Vec<u8>),
    Status(u16),
    Redirect(String),
    /// Announces a huge Content-Length and streams zeros until the client goes away.
    Endless,
    /// Streams chunked zeros until the client goes away.
    EndlessChunked,
    /// Announces 1000 bytes and sends one every 50 ms.
    Drip,
}

struct Server {
    port: u16,
    hits: Arc<AtomicUsize>,
    headers: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(route: fn(&str, u16) -> Reply) -> Server {
        Self::start_on(TcpListener::bind((LOCALHOST, 0)).unwrap(), route)
    }

    fn start_on(listener: TcpListener, route: fn(&str, u16) -> Reply) -> Server {
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let headers = Arc::new(Mutex::new(Vec::new()));
        let (h, u) = (Arc::clone(&hits), Arc::clone(&headers));
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (h, u) = (Arc::clone(&h), Arc::clone(&u));
                thread::spawn(move || serve(stream, route, port, &h, &u));
            }
        });
        Server {
            port,
            hits,
            headers,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Answers requests on one connection (keep-alive), counting each request in `hits`.
fn serve(
    stream: TcpStream,
    route: fn(&str, u16) -> Reply,
    port: u16,
    hits: &AtomicUsize,
    headers: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        hits.fetch_add(1, Ordering::SeqCst);
        let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" {
                break;
            }
            headers
                .lock()
                .unwrap()
                .push(header.trim_end().to_ascii_lowercase());
        }
        let head = |status: &str, extra: &str| format!("HTTP/1.1 {status}\r\n{extra}\r\n");
        let result = match route(&path, port) {
            Reply::Ok(ct, body) => out
                .write_all(
                    head(
                        "200 OK",
                        &format!("Content-Type: {ct}\r\nContent-Length: {}\r\n", body.len()),
                    )
                    .as_bytes(),
                )
                .and_then(|()| out.write_all(&body)),
            Reply::Status(code) => out
                .write_all(head(&format!("{code} Nope"), "Content-Length: 4\r\n").as_bytes())
                .and_then(|()| out.write_all(b"nope")),
            Reply::Redirect(to) => out.write_all(
                head(
                    "302 Found",
                    &format!("Location: {to}\r\nContent-Length: 0\r\n"),
                )
                .as_bytes(),
            ),
            Reply::Endless => {
                let _ = out.write_all(head("200 OK", "Content-Length: 10000000000\r\n").as_bytes());
                let chunk = vec![0_u8; 64 * 1024];
                // Bounded: stops when the client hangs up, or after 1 GiB.
                for _ in 0..16 * 1024 {
                    if out.write_all(&chunk).is_err() {
                        return;
                    }
                }
                return;
            }
            Reply::EndlessChunked => {
                let _ = out.write_all(head("200 OK", "Transfer-Encoding: chunked\r\n").as_bytes());
                let mut chunk = b"10000\r\n".to_vec();
                chunk.extend(vec![b'x'; 0x10000]);
                chunk.extend(b"\r\n");
                for _ in 0..16 * 1024 {
                    if out.write_all(&chunk).is_err() {
                        return;
                    }
                }
                return;
            }
            Reply::Drip => {
                let _ = out.write_all(head("200 OK", "Content-Length: 1000\r\n").as_bytes());
                for _ in 0..1000 {
                    thread::sleep(Duration::from_millis(50));
                    if out.write_all(b"x").and_then(|()| out.flush()).is_err() {
                        return;
                    }
                }
                return;
            }
        };
        if result.is_err() {
            return;
        }
    }
}

fn route(path: &str, port: u16) -> Reply {
    match path {
        "/doc.json" => Reply::Ok("application/ld+json; charset=utf-8", b"{\"a\":1}".to_vec()),
        "/ctx" => Reply::Ok(
            "application/ld+json",
            br#"{"@context":{"name":"http://schema.org/name"}}"#.to_vec(),
        ),
        "/missing" => Reply::Status(404),
        "/error" => Reply::Status(500),
        "/loop" => Reply::Redirect("/loop2".to_owned()),
        "/loop2" => Reply::Redirect(format!("http://127.0.0.1:{port}/loop")),
        "/hop" => Reply::Redirect("doc.json".to_owned()),
        "/to-private" => Reply::Redirect(format!("http://127.0.0.2:{port}/doc.json")),
        "/to-metadata" => Reply::Redirect("http://169.254.169.254/latest/meta-data/".to_owned()),
        "/to-localhost" => Reply::Redirect(format!("http://localhost:{port}/doc.json")),
        "/to-file" => Reply::Redirect("file:///etc/passwd".to_owned()),
        "/huge" => Reply::Endless,
        "/huge-chunked" => Reply::EndlessChunked,
        "/drip" => Reply::Drip,
        _ => Reply::Status(404),
    }
}

/// Plain http to 127.0.0.1 only: what a test server needs, nothing more.
fn local_policy() -> FetchPolicy {
    FetchPolicy::new().allow_http(true).allow_address(LOCALHOST)
}

fn local() -> HttpFetcher {
    HttpFetcher::new(local_policy())
}

#[test]
fn success_passes_body_content_type_and_user_agent() {
    let s = Server::start(route);
    let r = local().fetch(&Request::json(&s.url("/doc.json"))).unwrap();
    assert_eq!(r.body, b"{\"a\":1}");
    assert_eq!(
        r.content_type.as_deref(),
        Some("application/ld+json; charset=utf-8")
    );
    assert_eq!(r.final_url, s.url("/doc.json"));
    let headers = s.headers.lock().unwrap().clone();
    let named = |name: &str| -> Vec<String> {
        headers
            .iter()
            .filter_map(|h| {
                h.strip_prefix(&format!("{name}:"))
                    .map(|v| v.trim().to_owned())
            })
            .collect()
    };
    assert_eq!(named("user-agent"), [USER_AGENT.to_ascii_lowercase()]);
    assert!(USER_AGENT.starts_with("obi/"));
    assert_eq!(
        named("accept"),
        [Request::json("x").accept.to_ascii_lowercase()]
    );
    assert!(named("cookie").is_empty() && named("authorization").is_empty());
}

#[test]
fn non_2xx_is_a_status_error() {
    let s = Server::start(route);
    let f = local();
    assert!(matches!(
        f.fetch(&Request::json(&s.url("/missing"))),
        Err(FetchError::Status { status: 404, .. })
    ));
    assert!(matches!(
        f.fetch(&Request::json(&s.url("/error"))),
        Err(FetchError::Status { status: 500, .. })
    ));
}

#[test]
fn relative_redirect_is_followed_and_final_url_reported() {
    let s = Server::start(route);
    let r = local().fetch(&Request::json(&s.url("/hop"))).unwrap();
    assert_eq!(r.body, b"{\"a\":1}");
    assert_eq!(r.final_url, s.url("/doc.json"));
    let none = HttpFetcher::new(local_policy().with_max_redirects(0));
    let e = none.fetch(&Request::json(&s.url("/hop"))).unwrap_err();
    assert!(e.to_string().contains("max_redirects"), "{e}");
}

#[test]
fn redirect_loop_ends_at_the_limit() {
    let s = Server::start(route);
    let f = HttpFetcher::new(local_policy().with_max_redirects(3));
    let e = f.fetch(&Request::json(&s.url("/loop"))).unwrap_err();
    assert!(matches!(e, FetchError::Transport { .. }), "{e}");
    assert!(e.to_string().contains("more than 3 redirects"), "{e}");
    assert_eq!(
        s.hits(),
        4,
        "the first request and three redirects, then stop"
    );
}

#[test]
fn redirects_to_forbidden_targets_are_refused() {
    let s = Server::start(route);
    let f = local();
    for (path, address) in [
        ("/to-private", "127.0.0.2"),
        ("/to-metadata", "169.254.169.254"),
    ] {
        match f.fetch(&Request::json(&s.url(path))) {
            Err(FetchError::ForbiddenAddress { address: a, .. }) => assert_eq!(a, address),
            other => panic!("{path}: {other:?}"),
        }
    }
    // A host name: refused after resolution (localhost is 127.0.0.1 and ::1 here; 127.0.0.1 is
    // allowed, so only the ::1 answer, if any, is dropped and the fetch succeeds on 127.0.0.1).
    assert!(f.fetch(&Request::json(&s.url("/to-localhost"))).is_ok());
    assert!(matches!(
        f.fetch(&Request::json(&s.url("/to-file"))),
        Err(FetchError::InvalidUrl { .. })
    ));
}

#[test]
fn host_names_are_checked_on_the_resolved_address() {
    let s = Server::start(route);
    let f = HttpFetcher::new(FetchPolicy::new().allow_http(true));
    let url = format!("http://localhost:{}/doc.json", s.port);
    match f.fetch(&Request::json(&url)) {
        Err(FetchError::ForbiddenAddress { address, .. }) => {
            let ip: IpAddr = address.parse().unwrap();
            assert!(ip.is_loopback(), "{ip}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.hits(), 0, "no request to a refused address");
}

#[test]
fn private_addresses_refused_by_default_allowed_with_the_flag() {
    let s = Server::start(route);
    let url = s.url("/doc.json");
    let default = HttpFetcher::new(FetchPolicy::new().allow_http(true));
    assert!(matches!(
        default.fetch(&Request::json(&url)),
        Err(FetchError::ForbiddenAddress { .. })
    ));
    let https_only = HttpFetcher::default();
    assert!(matches!(
        https_only.fetch(&Request::json(&url)),
        Err(FetchError::InvalidUrl { .. })
    ));
    assert_eq!(s.hits(), 0);
    let open = HttpFetcher::new(
        FetchPolicy::new()
            .allow_http(true)
            .allow_private_network(true),
    );
    assert_eq!(open.fetch(&Request::json(&url)).unwrap().body, b"{\"a\":1}");
}

#[test]
fn oversized_bodies_stop_at_the_cap() {
    let s = Server::start(route);
    let f = local();
    for path in ["/huge", "/huge-chunked", "/doc.json"] {
        let e = f
            .fetch(&Request::json(&s.url(path)).with_max_bytes(4))
            .unwrap_err();
        assert!(
            matches!(e, FetchError::TooLarge { limit: 4, .. }),
            "{path}: {e}"
        );
        assert!(e.to_string().contains("4-byte limit"));
    }
    let exact = f
        .fetch(&Request::json(&s.url("/doc.json")).with_max_bytes(7))
        .unwrap();
    assert_eq!(exact.body.len(), 7);
}

#[test]
fn slow_drip_ends_at_the_total_timeout() {
    let s = Server::start(route);
    let f = HttpFetcher::new(local_policy().with_total_timeout(Duration::from_millis(600)));
    let start = Instant::now();
    let e = f.fetch(&Request::json(&s.url("/drip"))).unwrap_err();
    assert!(matches!(e, FetchError::Transport { .. }), "{e}");
    assert!(e.to_string().contains("timed out"), "{e}");
    // The drip takes 50 s; the fetch gives up long before (no tight bound: a busy machine).
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[test]
fn disk_cache_serves_the_second_fetch() {
    let s = Server::start(route);
    let dir = tempfile::tempdir().unwrap();
    let url = s.url("/doc.json");
    let cache = CachingFetcher::new(local(), dir.path());
    let first = cache.fetch(&Request::json(&url)).unwrap();
    let second = cache.fetch(&Request::json(&url)).unwrap();
    assert_eq!(first, second);
    assert_eq!(s.hits(), 1);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // A second cache over the same directory (the next run) does not fetch either.
    let again = CachingFetcher::new(local(), dir.path());
    assert_eq!(again.fetch(&Request::json(&url)).unwrap(), first);
    assert_eq!(s.hits(), 1);
    // The cap holds for cached bodies too.
    assert!(matches!(
        again.fetch(&Request::json(&url).with_max_bytes(2)),
        Err(FetchError::TooLarge { .. })
    ));
    // Stale entries are fetched again; failures are not cached.
    let stale = CachingFetcher::new(local(), dir.path()).with_max_age(Duration::ZERO);
    stale.fetch(&Request::json(&url)).unwrap();
    assert!(s.hits() >= 2);
    assert!(cache.fetch(&Request::json(&s.url("/missing"))).is_err());
    assert!(cache.fetch(&Request::json(&s.url("/missing"))).is_err());
}

#[test]
fn memory_cache_fetches_once() {
    let s = Server::start(route);
    let cache = MemoryCache::new(local());
    let url = s.url("/doc.json");
    for _ in 0..3 {
        assert_eq!(
            cache.fetch(&Request::json(&url)).unwrap().body,
            b"{\"a\":1}"
        );
    }
    assert_eq!(s.hits(), 1);
    assert_eq!(cache.len(), 1);
}

#[test]
fn context_loader_over_http() {
    let s = Server::start(route);
    let loader = obi_ld::ChainLoader::pinned_then(FetchLoader::new(local()));
    let doc = loader.load(&s.url("/ctx")).unwrap();
    assert_eq!(doc.document["@context"]["name"], "http://schema.org/name");
    assert!(loader.load("https://www.w3.org/ns/credentials/v2").is_ok());
    assert_eq!(s.hits(), 1, "pinned contexts are never fetched");
    let input = serde_json::json!({"@context": s.url("/ctx"), "@id": "urn:x", "name": "n"});
    let expanded = obi_ld::expand(&input, &obi_ld::Options::new(), &loader).unwrap();
    assert_eq!(expanded[0]["http://schema.org/name"][0]["@value"], "n");
}

#[test]
fn proof_fetcher_over_http() {
    let s = Server::start(route);
    let f = local();
    let p: &dyn obi_proof::Fetcher = &f;
    assert_eq!(p.fetch(&s.url("/doc.json"), 1000).unwrap(), b"{\"a\":1}");
    let e = p.fetch(&s.url("/missing"), 1000).unwrap_err();
    assert!(e.contains("404"), "{e}");
}

#[test]
fn https_to_a_plain_http_server_fails_cleanly() {
    let s = Server::start(route);
    let url = format!("https://127.0.0.1:{}/doc.json", s.port);
    let e = local().fetch(&Request::json(&url)).unwrap_err();
    assert!(matches!(e, FetchError::Transport { .. }), "{e}");
}

/// Run in a child process (see `proxy_settings_in_the_environment_are_ignored`), where
/// `HTTP_PROXY` and friends point at a listener that must never be contacted.
#[test]
#[ignore = "run by proxy_settings_in_the_environment_are_ignored in a child process"]
fn child_fetch_with_proxy_environment() {
    assert!(
        std::env::var("HTTP_PROXY").is_ok(),
        "run by the parent test"
    );
    let s = Server::start(route);
    let r = local().fetch(&Request::json(&s.url("/doc.json"))).unwrap();
    assert_eq!(r.body, b"{\"a\":1}");
    assert_eq!(s.hits(), 1);
}

#[test]
fn proxy_settings_in_the_environment_are_ignored() {
    let proxy = TcpListener::bind((LOCALHOST, 0)).unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://127.0.0.1:{}", proxy.local_addr().unwrap().port());
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_fetch_with_proxy_environment",
            "--ignored",
            "--nocapture",
        ])
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("HTTPS_PROXY", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert!(
        proxy.accept().is_err(),
        "the proxy from the environment was contacted"
    );
}

#[test]
fn ipv6_literals_are_checked_and_fetched() {
    let Ok(listener) = TcpListener::bind((std::net::Ipv6Addr::LOCALHOST, 0)) else {
        eprintln!("no IPv6 loopback here: skipped");
        return;
    };
    let s = Server::start_on(listener, route);
    let url = format!("http://[::1]:{}/doc.json", s.port);
    let refused = HttpFetcher::new(local_policy()).fetch(&Request::json(&url));
    assert!(
        matches!(&refused, Err(FetchError::ForbiddenAddress { address, .. }) if address == "::1"),
        "{refused:?}"
    );
    assert_eq!(s.hits(), 0);
    let v6 = HttpFetcher::new(
        FetchPolicy::new()
            .allow_http(true)
            .allow_address(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)),
    );
    assert_eq!(v6.fetch(&Request::json(&url)).unwrap().body, b"{\"a\":1}");
}
