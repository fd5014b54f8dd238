//! In-process throughput of the router on SQLite (a temp file): hosted credential GET,
//! verify API on a cached credential, single signed award. `cargo bench -p obi-server`.
//! Set OBI_BENCH_POSTGRES=postgres://… to run the same on PostgreSQL (a fresh schema).

#![allow(clippy::unwrap_used)] // benchmark set-up: any failure should abort the run loudly
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt as _;
use obi_server::{AppLimits, AppState, KeySealer, Store, StoreOptions, app, token_hash};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const VALID: &str = include_str!("../tests/data/valid-rdfc.json");
const STATUS_LIST: &str = include_str!("../tests/data/status-1.json");

async fn send(router: &Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, body)
}

fn post(uri: &str, token: Option<&str>, body: &Value) -> Request<Body> {
    let mut b = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

struct Setup {
    router: Router,
    admin: String,
    issuer: String,
    achievement: String,
    credential: String,
    store: Store,
    _dir: tempfile::TempDir,
}

async fn setup(pg: Option<&str>) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = match pg {
        Some(url) => {
            let options = StoreOptions {
                pg_schema: Some(format!("obi_bench_{}", uuid::Uuid::new_v4().simple())),
                ..StoreOptions::default()
            };
            Store::connect(url, &options).await.unwrap()
        }
        None => {
            let url = format!("sqlite://{}", dir.path().join("bench.sqlite").display());
            Store::connect(&url, &StoreOptions::default())
                .await
                .unwrap()
        }
    };
    let admin = obi_server::new_token();
    store.ensure_admin_token(&token_hash(&admin)).await.unwrap();
    let fetcher = obi_fetch::MapFetcher::new().with_json(
        "https://issuer.example/status/1",
        STATUS_LIST.as_bytes().to_vec(),
    );
    let verify = obi_verify::Options::new().with_fetcher(std::sync::Arc::new(fetcher));
    let sealer = KeySealer::from_base64(&KeySealer::generate_base64()).unwrap();
    let state = AppState::new(store.clone(), sealer, "https://badges.example.org", verify);
    let router = app(state, AppLimits::default());
    let (_, body) = send(
        &router,
        post("/api/issuers", Some(&admin), &json!({"name": "Bench"})),
    )
    .await;
    let issuer: Value = serde_json::from_slice(&body).unwrap();
    let issuer = issuer["id"].as_str().unwrap().to_owned();
    let (_, body) = send(
        &router,
        post(
            &format!("/api/issuers/{issuer}/achievements"),
            Some(&admin),
            &json!({"name": "B", "description": "d", "criteria": "c"}),
        ),
    )
    .await;
    let a: Value = serde_json::from_slice(&body).unwrap();
    let achievement = a["uuid"].as_str().unwrap().to_owned();
    let (status, body) = send(
        &router,
        post(
            &format!("/api/issuers/{issuer}/awards"),
            Some(&admin),
            &json!({"achievementId": achievement, "recipientEmail": "a@example.org"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let award: Value = serde_json::from_slice(&body).unwrap();
    let credential = award["id"].as_str().unwrap().to_owned();
    Setup {
        router,
        admin,
        issuer,
        achievement,
        credential,
        store,
        _dir: dir,
    }
}

fn bench_backend(c: &mut Criterion, name: &str, pg: Option<&str>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(setup(pg));
    let mut group = c.benchmark_group(name);
    let uri = format!("/credentials/{}", s.credential);
    group.bench_function("hosted_credential_get", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (status, _) =
                    send(&s.router, Request::get(&uri).body(Body::empty()).unwrap()).await;
                assert_eq!(status, StatusCode::OK);
            })
        })
    });
    let valid: Value = serde_json::from_str(VALID).unwrap();
    group.bench_function("verify_api", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (status, _) = send(&s.router, post("/api/verify", None, &valid)).await;
                assert_eq!(status, StatusCode::OK);
            })
        })
    });
    let award_uri = format!("/api/issuers/{}/awards", s.issuer);
    let award_body = json!({"achievementId": s.achievement, "recipientEmail": "a@example.org"});
    group.bench_function("award_single_signed", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (status, _) =
                    send(&s.router, post(&award_uri, Some(&s.admin), &award_body)).await;
                assert_eq!(status, StatusCode::CREATED);
            })
        })
    });
    group.finish();
    rt.block_on(s.store.drop_schema()).unwrap();
}

fn benches(c: &mut Criterion) {
    bench_backend(c, "sqlite", None);
    if let Ok(url) = std::env::var("OBI_BENCH_POSTGRES") {
        bench_backend(c, "postgres", Some(&url));
    }
}

criterion_group!(server, benches);
criterion_main!(server);
