//! Fixed-work driver for instruction counts (callgrind), not timing: sets up the service on
//! SQLite (a temp file) in process, then sends exactly `OBI_PROFILE_REQUESTS` requests
//! (default 1000) of scenario `OBI_PROFILE_SCENARIO` (`get`: hosted credential GET, JSON;
//! `award`: single signed OB 3.0 award) through the router. Per-request cost is the
//! difference of two runs with different counts divided by the difference in requests:
//! `valgrind --tool=callgrind --callgrind-out-file=/tmp/x.out target/release/deps/profile-…`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up: fail loudly

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use obi_server::{AppLimits, AppState, KeySealer, Store, StoreOptions, app, token_hash};
use serde_json::{Value, json};
use tower::ServiceExt as _;

async fn send(router: &Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, body)
}

fn post(uri: &str, token: &str, body: &Value) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn main() {
    let scenario = std::env::var("OBI_PROFILE_SCENARIO").unwrap_or_else(|_| "get".into());
    let n: usize = std::env::var("OBI_PROFILE_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("p.sqlite").display());
        let store = Store::connect(&url, &StoreOptions::default())
            .await
            .unwrap();
        let admin = obi_server::new_token();
        store.ensure_admin_token(&token_hash(&admin)).await.unwrap();
        let sealer = KeySealer::from_base64(&KeySealer::generate_base64()).unwrap();
        let state = AppState::new(
            store,
            sealer,
            "https://badges.example.org",
            obi_verify::Options::new(),
        );
        let router = app(state, AppLimits::default());
        let (_, body) = send(&router, post("/api/issuers", &admin, &json!({"name": "P"}))).await;
        let issuer: Value = serde_json::from_slice(&body).unwrap();
        let issuer = issuer["id"].as_str().unwrap().to_owned();
        let (_, body) = send(
            &router,
            post(
                &format!("/api/issuers/{issuer}/achievements"),
                &admin,
                &json!({"name": "B", "description": "d", "criteria": "c"}),
            ),
        )
        .await;
        let a: Value = serde_json::from_slice(&body).unwrap();
        let achievement = a["uuid"].as_str().unwrap().to_owned();
        let award_uri = format!("/api/issuers/{issuer}/awards");
        let award_body = json!({"achievementId": achievement, "recipientEmail": "a@example.org"});
        let mut ids = Vec::new();
        for _ in 0..16 {
            let (status, body) = send(&router, post(&award_uri, &admin, &award_body)).await;
            assert_eq!(status, StatusCode::CREATED);
            let v: Value = serde_json::from_slice(&body).unwrap();
            ids.push(v["id"].as_str().unwrap().to_owned());
        }
        for i in 0..n {
            match scenario.as_str() {
                "get" => {
                    let req = Request::get(format!("/credentials/{}", ids[i % ids.len()]))
                        .header(header::ACCEPT, "application/ld+json")
                        .body(Body::empty())
                        .unwrap();
                    let (status, _) = send(&router, req).await;
                    assert_eq!(status, StatusCode::OK);
                }
                "award" => {
                    let (status, _) = send(&router, post(&award_uri, &admin, &award_body)).await;
                    assert_eq!(status, StatusCode::CREATED);
                }
                other => panic!("unknown scenario {other}"),
            }
        }
        println!("profile: scenario={scenario} requests={n}");
    });
}
