//! The service's router in process (SQLite in a temp dir, offline verifier) on arbitrary
//! bodies and content types at the JSON, text, image and multipart endpoints: never a panic,
//! never a 5xx (none is documented for bad input). Also the multipart parser alone.
#![no_main]

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt as _;

struct Service {
    rt: tokio::runtime::Runtime,
    router: Router,
    admin: String,
    _dir: tempfile::TempDir,
}

fn service() -> &'static Service {
    static SERVICE: OnceLock<Service> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("fuzz.sqlite").display());
        let (router, admin) = rt.block_on(async {
            let store = obi_server::Store::connect(&url, &obi_server::StoreOptions::default())
                .await
                .expect("store");
            let admin = obi_server::new_token();
            store
                .ensure_admin_token(&obi_server::token_hash(&admin))
                .await
                .expect("token");
            let sealer = obi_server::KeySealer::from_base64(
                &obi_server::KeySealer::generate_base64(),
            )
            .expect("sealer");
            // Offline: a URL in a body is never fetched.
            let verify = obi_verify::Options::new()
                .with_fetcher(std::sync::Arc::new(obi_fetch::MapFetcher::new()));
            let state =
                obi_server::AppState::new(store, sealer, "https://badges.example.org", verify);
            let limits = obi_server::AppLimits {
                body_limit: 64 * 1024,
                ..obi_server::AppLimits::default()
            };
            (obi_server::app(state, limits), admin)
        });
        Service {
            rt,
            router,
            admin,
            _dir: dir,
        }
    })
}

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/ld+json",
    "text/plain",
    "image/png",
    "image/svg+xml",
    "multipart/form-data; boundary=b",
    "multipart/form-data; boundary=\"a b\"",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "",
];

const ENDPOINTS: &[(&str, &str, bool)] = &[
    ("POST", "/api/verify", false),
    ("POST", "/verify", false),
    ("POST", "/api/issuers", true),
    ("PATCH", "/api/issuers/00000000-0000-0000-0000-000000000000", true),
    ("POST", "/api/issuers/00000000-0000-0000-0000-000000000000/awards", true),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    // The multipart parser alone, with the content type's boundary.
    let ct = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    if let Ok(parts) = obi_server::parse_multipart(ct, body) {
        assert!(parts.len() <= obi_server::MAX_MULTIPART_PARTS);
        for p in &parts {
            assert!(p.data.len() <= body.len());
        }
    }
    let (method, path, auth) = ENDPOINTS[usize::from(selector / 16) % ENDPOINTS.len()];
    let s = service();
    let mut req = Request::builder().method(method).uri(path);
    if !ct.is_empty() {
        req = req.header("content-type", ct);
    }
    if auth {
        req = req.header("authorization", format!("Bearer {}", s.admin));
    }
    let Ok(req) = req.body(Body::from(body.to_vec())) else {
        return;
    };
    let status = s.rt.block_on(async {
        s.router
            .clone()
            .oneshot(req)
            .await
            .map(|r| r.status())
    });
    let status = status.expect("infallible router");
    assert!(
        !status.is_server_error(),
        "{method} {path} ({ct}): {status}"
    );
});
