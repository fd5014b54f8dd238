//! The service's test suite, run once on SQLite (a temp file) and once on PostgreSQL
//! (a fresh schema at `OBI_TEST_POSTGRES`, default postgres://postgres@127.0.0.1:5432/test;
//! skipped with a message when unreachable). Prints one line per failure and the counts.

use std::future::Future;
use std::pin::Pin;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use obi_server::{AppLimits, AppState, KeySealer, ROUTES, Store, StoreOptions, app, token_hash};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const PUBLIC_URL: &str = "https://badges.example.org:8443";
const BODY_LIMIT: usize = 64 * 1024;
const VALID: &str = include_str!("data/valid-rdfc.json");
const TAMPERED: &str = include_str!("data/invalid-tampered-rdfc.json");
const STATUS_LIST: &str = include_str!("data/status-1.json");

/// No network in tests: the status list comes from memory; loopback URLs go to the guarded
/// HTTP fetcher (which refuses them before connecting); anything else is not found.
struct TestFetcher {
    map: obi_fetch::MapFetcher,
    guarded: obi_fetch::HttpFetcher,
    /// Documents the cases publish while running (the service's own did:web documents).
    published: Published,
}

type Published = std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>>;

impl obi_fetch::Fetch for TestFetcher {
    fn fetch(
        &self,
        request: &obi_fetch::Request<'_>,
    ) -> Result<obi_fetch::Response, obi_fetch::FetchError> {
        let published = self
            .published
            .lock()
            .ok()
            .and_then(|m| m.get(request.url).cloned());
        if let Some(body) = published {
            return Ok(obi_fetch::Response::new(
                request.url,
                Some("application/json".into()),
                body,
            ));
        }
        if request.url.starts_with("http://127.0.0.1") {
            self.guarded.fetch(request)
        } else {
            self.map.fetch(request)
        }
    }
}

#[derive(Clone)]
struct Ctx {
    router: Router,
    /// The state behind `router` (its bulk-job worker competes with any other instance).
    state: AppState,
    store: Store,
    sealer: KeySealer,
    admin: String,
    published: Published,
}

type Fut = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
type Case = (&'static str, fn(Ctx) -> Fut);

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body).map_err(|e| {
            format!(
                "status {}: body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn expect(&self, status: StatusCode) -> Result<&Self, String> {
        if self.status == status {
            Ok(self)
        } else {
            Err(format!(
                "expected {status}, got {}: {}",
                self.status,
                self.text()
            ))
        }
    }
    /// A 4xx with the shared JSON error shape.
    fn expect_error(&self, status: StatusCode) -> Result<String, String> {
        self.expect(status)?;
        let ct = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !ct.starts_with("application/json") {
            return Err(format!("error content type {ct:?}"));
        }
        let v = self.json()?;
        let msg = v["error"]["message"]
            .as_str()
            .ok_or(format!("no error.message in {v}"))?;
        if v["error"]["status"] != json!(status.as_u16()) {
            return Err(format!("error.status mismatch in {v}"));
        }
        Ok(msg.to_owned())
    }
}

async fn call(
    ctx: &Ctx,
    method: &str,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<Reply, String> {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Body::from(body)).map_err(|e| e.to_string())?;
    let res = ctx
        .router
        .clone()
        .oneshot(req)
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let headers = res.headers().clone();
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes()
        .to_vec();
    Ok(Reply {
        status,
        headers,
        body,
    })
}

async fn post_json(
    ctx: &Ctx,
    uri: &str,
    token: Option<&str>,
    body: Value,
) -> Result<Reply, String> {
    call(
        ctx,
        "POST",
        uri,
        token,
        &[("content-type", "application/json")],
        body.to_string().into_bytes(),
    )
    .await
}

async fn get(ctx: &Ctx, uri: &str, token: Option<&str>) -> Result<Reply, String> {
    call(ctx, "GET", uri, token, &[], vec![]).await
}

fn ensure(cond: bool, what: impl Into<String>) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what.into()) }
}

async fn new_issuer(ctx: &Ctx, name: &str) -> Result<Value, String> {
    post_json(
        ctx,
        "/api/issuers",
        Some(&ctx.admin),
        json!({"name": name, "url": "https://example.org", "email": "badges@example.org"}),
    )
    .await?
    .expect(StatusCode::CREATED)?
    .json()
}

async fn issuer_token(ctx: &Ctx, id: &str) -> Result<String, String> {
    let v = post_json(
        ctx,
        &format!("/api/issuers/{id}/tokens"),
        Some(&ctx.admin),
        json!({"label": "test"}),
    )
    .await?
    .expect(StatusCode::CREATED)?
    .json()?;
    v["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or("no token".into())
}

fn id_of(v: &Value) -> Result<String, String> {
    v["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or(format!("no id in {v}"))
}

/// Serves `path` from the router into the test fetcher's map under PUBLIC_URL, where
/// verification looks for it.
async fn publish(ctx: &Ctx, path: &str) -> Result<Vec<u8>, String> {
    let body = get(ctx, path, None)
        .await?
        .expect(StatusCode::OK)?
        .body
        .clone();
    ctx.published
        .lock()
        .map_err(|e| e.to_string())?
        .insert(format!("{PUBLIC_URL}{path}"), body.clone());
    Ok(body)
}

async fn new_achievement(ctx: &Ctx, iid: &str, name: &str) -> Result<String, String> {
    let a = post_json(
        ctx,
        &format!("/api/issuers/{iid}/achievements"),
        Some(&ctx.admin),
        json!({"name": name, "description": "d", "criteria": "c"}),
    )
    .await?
    .expect(StatusCode::CREATED)?
    .json()?;
    a["uuid"]
        .as_str()
        .map(str::to_owned)
        .ok_or(format!("no uuid in {a}"))
}

/// Polls a job until it is finished (bounded).
async fn wait_job(ctx: &Ctx, location: &str, token: &str) -> Result<Value, String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        let job = get(ctx, location, Some(token))
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        if job["state"] == "finished" {
            return Ok(job);
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("job not finished in 180 s: {job}"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn verify_json(ctx: &Ctx, doc: &Value) -> Result<Value, String> {
    call(
        ctx,
        "POST",
        "/api/verify",
        None,
        &[("content-type", "application/json")],
        doc.to_string().into_bytes(),
    )
    .await?
    .expect(StatusCode::OK)?
    .json()
}

// ---- cases ----

fn bulk_jobs(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let iid = id_of(&new_issuer(&ctx, "Bulk Body").await?)?;
        let aid = new_achievement(&ctx, &iid, "Bulk badge").await?;
        let other_aid = new_achievement(&ctx, &iid, "Second badge").await?;
        let token = issuer_token(&ctx, &iid).await?;
        // 130 rows: line 1 is the header, so row i is on line i + 2.
        let mut csv = String::from("recipient,name,evidence,narrative,achievement\n");
        let mut bad_lines = Vec::new();
        for i in 0..130 {
            let line = i + 2;
            match i {
                7 => {
                    csv.push_str("not-an-address,Bad,,,\n");
                    bad_lines.push(line);
                }
                11 => {
                    csv.push_str("learner0@example.org,Duplicate,,,\n");
                    bad_lines.push(line);
                }
                13 => {
                    csv.push_str("x@example.org,Short row\n");
                    bad_lines.push(line);
                }
                17 => {
                    csv.push_str("y@example.org,Bad evidence,ftp://e,,\n");
                    bad_lines.push(line);
                }
                19 => {
                    csv.push_str(&format!("z@example.org,Other issuer's,,,{}\n", uuid::Uuid::new_v4()));
                    bad_lines.push(line);
                }
                23 => csv.push_str(&format!(
                    "learner{i}@example.org,\"Quoted, name\",https://e.example/1 https://e.example/2,\"multi\nline\",{other_aid}\n"
                )),
                _ => csv.push_str(&format!("learner{i}@example.org,Learner {i},,,\n")),
            }
        }
        // The quoted newline of row 23 shifts every later line by one.
        let bad_lines: Vec<u64> = bad_lines.iter().map(|l| *l as u64).collect();
        let uri = format!("/api/issuers/{iid}/awards/bulk?achievementId={aid}");
        let r = call(
            &ctx,
            "POST",
            &uri,
            Some(&token),
            &[("content-type", "text/csv")],
            csv.clone().into_bytes(),
        )
        .await?;
        r.expect(StatusCode::ACCEPTED)?;
        let accepted = r.json()?;
        let location = r
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or("no Location")?
            .to_owned();
        ensure(accepted["location"] == json!(location), "location in body")?;
        ensure(
            accepted["total"] == json!(130) && accepted["failed"] == json!(5),
            format!("accepted: {accepted}"),
        )?;
        let job = wait_job(&ctx, &location, &token).await?;
        ensure(
            job["done"] == json!(125) && job["failed"] == json!(5) && job["pending"] == json!(0),
            format!("job counts: {job}"),
        )?;
        let lines: Vec<u64> = job["errors"]
            .as_array()
            .ok_or("errors")?
            .iter()
            .filter_map(|e| e["line"].as_u64())
            .collect();
        ensure(
            lines == bad_lines,
            format!("error lines {lines:?}, expected {bad_lines:?}: {job}"),
        )?;
        ensure(
            job["errors"][1]["message"]
                .as_str()
                .unwrap_or("")
                .contains("duplicate"),
            format!("duplicate reason: {job}"),
        )?;
        // The award list, paged: every row once.
        let mut seen = std::collections::BTreeSet::new();
        let mut offset = 0;
        loop {
            let page = get(
                &ctx,
                &format!("/api/issuers/{iid}/awards?offset={offset}&limit=40"),
                Some(&token),
            )
            .await?
            .expect(StatusCode::OK)?
            .json()?;
            ensure(
                page["total"] == json!(125),
                format!("total: {}", page["total"]),
            )?;
            let items = page["items"].as_array().ok_or("items")?;
            if items.is_empty() {
                break;
            }
            for it in items {
                ensure(it["jobId"] == accepted["id"], "jobId")?;
                ensure(
                    seen.insert(it["rowKey"].as_str().ok_or("rowKey")?.to_owned()),
                    "row keys unique",
                )?;
            }
            offset += items.len();
        }
        ensure(seen.len() == 125, format!("{} awards listed", seen.len()))?;
        // One award checked in full: signed, hosted, the quoted row kept its fields.
        let page = get(
            &ctx,
            &format!("/api/issuers/{iid}/awards?limit=1000"),
            Some(&token),
        )
        .await?
        .json()?;
        let mut found_quoted = false;
        for it in page["items"].as_array().ok_or("items")? {
            if it["achievementId"] == json!(other_aid) {
                let c = get(
                    &ctx,
                    &format!("/credentials/{}", it["id"].as_str().ok_or("id")?),
                    None,
                )
                .await?
                .expect(StatusCode::OK)?
                .json()?;
                ensure(
                    c["credentialSubject"]["name"] == "Quoted, name",
                    format!("{c}"),
                )?;
                ensure(
                    c["credentialSubject"]["narrative"] == "multi\nline",
                    "narrative",
                )?;
                ensure(
                    c["evidence"].as_array().map(Vec::len) == Some(2),
                    "evidence",
                )?;
                ensure(c["proof"]["cryptosuite"] == "eddsa-rdfc-2022", "signed")?;
                found_quoted = true;
            }
        }
        ensure(found_quoted, "the achievement column was used")?;
        let audit = ctx.store.audit_entries().await.map_err(|e| e.to_string())?;
        ensure(
            audit.iter().any(|(a, act, t)| {
                *a == format!("issuer:{iid}")
                    && act == "job.create"
                    && Some(t.as_str()) == accepted["id"].as_str()
            }),
            "job audited",
        )?;
        // JSON array body, ob2-hosted.
        let rows = json!([
            {"recipient": "j1@example.org", "name": "J One"},
            {"recipient": "https://j2.example.org/me", "evidence": ["https://e.example/x"]},
            {"recipient": "did:example:123"},
            {"name": "no recipient"},
        ]);
        let r = post_json(
            &ctx,
            &format!("/api/issuers/{iid}/awards/bulk?achievementId={aid}&format=ob2-hosted"),
            Some(&token),
            rows,
        )
        .await?;
        let loc = r.expect(StatusCode::ACCEPTED)?.json()?["location"]
            .as_str()
            .ok_or("location")?
            .to_owned();
        let job = wait_job(&ctx, &loc, &token).await?;
        ensure(
            job["done"] == json!(2) && job["failed"] == json!(2),
            format!("json job: {job}"),
        )?;
        ensure(
            job["errors"][0]["line"] == json!(3) && job["errors"][1]["line"] == json!(4),
            format!("json job lines: {job}"),
        )?;

        // Errors: another issuer's token, unknown job, bad header, wrong type, too large,
        // unknown achievement, no rows, bad paging.
        let other = id_of(&new_issuer(&ctx, "Not Bulk").await?)?;
        let to = issuer_token(&ctx, &other).await?;
        get(&ctx, &location, Some(&to))
            .await?
            .expect_error(StatusCode::FORBIDDEN)?;
        let r = call(
            &ctx,
            "POST",
            &uri,
            Some(&to),
            &[("content-type", "text/csv")],
            csv.clone().into_bytes(),
        )
        .await?;
        r.expect_error(StatusCode::FORBIDDEN)?;
        get(
            &ctx,
            &format!("/api/issuers/{iid}/jobs/{}", uuid::Uuid::new_v4()),
            Some(&token),
        )
        .await?
        .expect_error(StatusCode::NOT_FOUND)?;
        get(
            &ctx,
            &format!(
                "/api/issuers/{other}/jobs/{}",
                accepted["id"].as_str().unwrap_or("")
            ),
            Some(&to),
        )
        .await?
        .expect_error(StatusCode::NOT_FOUND)?;
        get(
            &ctx,
            &format!("/api/issuers/{iid}/jobs/1%27%20OR%201=1"),
            Some(&token),
        )
        .await?
        .expect_error(StatusCode::NOT_FOUND)?;
        let msg = call(
            &ctx,
            "POST",
            &uri,
            Some(&token),
            &[("content-type", "text/csv")],
            b"email,name\na@b.org,x\n".to_vec(),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        ensure(
            msg.contains("line 1"),
            format!("header error names line 1: {msg}"),
        )?;
        call(
            &ctx,
            "POST",
            &uri,
            Some(&token),
            &[("content-type", "text/plain")],
            csv.clone().into_bytes(),
        )
        .await?
        .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE)?;
        let mut big = String::from("recipient,name\n");
        while big.len() <= BODY_LIMIT {
            big.push_str("someone@example.org,A long enough name for padding\n");
        }
        call(
            &ctx,
            "POST",
            &uri,
            Some(&token),
            &[("content-type", "text/csv")],
            big.into_bytes(),
        )
        .await?
        .expect_error(StatusCode::PAYLOAD_TOO_LARGE)?;
        call(
            &ctx,
            "POST",
            &format!(
                "/api/issuers/{iid}/awards/bulk?achievementId={}",
                uuid::Uuid::new_v4()
            ),
            Some(&token),
            &[("content-type", "text/csv")],
            csv.clone().into_bytes(),
        )
        .await?
        .expect_error(StatusCode::NOT_FOUND)?;
        call(
            &ctx,
            "POST",
            &uri,
            Some(&token),
            &[("content-type", "text/csv")],
            b"recipient,name\n".to_vec(),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        post_json(&ctx, &uri, Some(&token), json!({"recipient": "a@b.org"}))
            .await?
            .expect_error(StatusCode::BAD_REQUEST)?;
        call(
            &ctx,
            "POST",
            &format!("{uri}&format=ob9"),
            Some(&token),
            &[("content-type", "text/csv")],
            csv.into_bytes(),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        get(
            &ctx,
            &format!("/api/issuers/{iid}/awards?limit=0"),
            Some(&token),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        get(
            &ctx,
            &format!("/api/issuers/{iid}/awards?limit=x"),
            Some(&token),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        get(&ctx, &format!("/api/issuers/{iid}/awards"), Some(&to))
            .await?
            .expect_error(StatusCode::FORBIDDEN)?;
        Ok(())
    })
}

/// An instance killed in the middle of a job and restarted under the same instance id
/// resumes its own job at once, without waiting for its lease to expire.
fn restarted_instance_resumes_at_once(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let lease = std::time::Duration::from_secs(120);
        let id = format!("node-{}", uuid::Uuid::new_v4().simple());
        ctx.state.stop_jobs_worker();
        let a = idle_instance(&ctx, lease).with_instance_id(&id);
        let a2 = idle_instance(&ctx, lease).with_instance_id(&id);
        let result = async {
            a.start_jobs_worker();
            const N: usize = 200;
            let (iid, location) = submit_rows(&ctx, "Restarted Body", N).await?;
            let started = std::time::Instant::now();
            while a.job_counters().batches == 0 {
                if started.elapsed() > std::time::Duration::from_secs(60) {
                    return Err("instance A committed no batch in 60 s".into());
                }
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            a.stop_jobs_worker();
            let killed_at = std::time::Instant::now();
            a2.start_jobs_worker();
            let job = wait_job(&ctx, &location, &ctx.admin).await?;
            ensure(
                job["done"] == json!(N) && job["lease"]["instance"] == json!(id),
                format!("resumed job: {job}"),
            )?;
            ensure(
                killed_at.elapsed() < lease && a2.job_counters().batches > 0,
                format!("the restarted instance waited for its own lease: {job}"),
            )?;
            awarded_once(&ctx, &iid, N).await
        }
        .await;
        a.stop_jobs_worker();
        a2.stop_jobs_worker();
        ctx.state.start_jobs_worker();
        result
    })
}

/// Every hosted document type (OB 2.0 assertion, badge class, issuer profile, public key,
/// revocation list; OB 3.0 credential, issuer profile, achievement, status list) answers
/// JSON to JSON clients and an HTML page to browsers, varying on Accept.
fn every_hosted_document_negotiates(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let iid = id_of(&new_issuer(&ctx, "Negotiating <Body>").await?)?;
        let aid = new_achievement(&ctx, &iid, "Negotiated").await?;
        let mut ids = Vec::new();
        for format in ["ob3", "ob2-hosted"] {
            let created = post_json(
                &ctx,
                &format!("/api/issuers/{iid}/awards"),
                Some(&ctx.admin),
                json!({"achievementId": aid, "recipientEmail": "n@example.org", "format": format}),
            )
            .await?
            .expect(StatusCode::CREATED)?
            .json()?;
            ids.push(id_of(&created)?);
        }
        let paths = [
            format!("/credentials/{}", ids[0]),
            format!("/issuers/{iid}"),
            format!("/achievements/{aid}"),
            format!("/issuers/{iid}/status/0"),
            format!("/assertions/{}", ids[1]),
            format!("/badgeclasses/{aid}"),
            format!("/issuers/{iid}/ob2"),
            format!("/issuers/{iid}/ob2/key"),
            format!("/issuers/{iid}/ob2/revocations"),
        ];
        for path in &paths {
            let r = call(
                &ctx,
                "GET",
                path,
                None,
                &[("accept", "application/ld+json")],
                vec![],
            )
            .await?;
            r.expect(StatusCode::OK)?;
            let ct = r
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            ensure(
                ct.contains("json"),
                format!("{path}: JSON content type {ct:?}"),
            )?;
            r.json()?;
            let r = call(
                &ctx,
                "GET",
                path,
                None,
                &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")],
                vec![],
            )
            .await?;
            r.expect(StatusCode::OK)?;
            let ct = r
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            ensure(
                ct.starts_with("text/html"),
                format!("{path}: HTML for a browser, got {ct:?}"),
            )?;
            let vary = r
                .headers
                .get(header::VARY)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            ensure(
                vary.to_ascii_lowercase().contains("accept"),
                format!("{path}: Vary {vary:?}"),
            )?;
            let text = r.text();
            ensure(
                text.starts_with("<!DOCTYPE html>") && !text.contains("<Body>"),
                format!("{path}: an escaped HTML page"),
            )?;
        }
        Ok(())
    })
}

/// Submits a bulk job of `n` rows for a new issuer; returns (issuer id, job location).
async fn submit_rows(ctx: &Ctx, name: &str, n: usize) -> Result<(String, String), String> {
    let iid = id_of(&new_issuer(ctx, name).await?)?;
    let aid = new_achievement(ctx, &iid, name).await?;
    let rows: Vec<Value> = (0..n)
        .map(|i| json!({"recipient": format!("lease{i}@example.org")}))
        .collect();
    let accepted = post_json(
        ctx,
        &format!("/api/issuers/{iid}/awards/bulk?achievementId={aid}"),
        Some(&ctx.admin),
        Value::Array(rows),
    )
    .await?
    .expect(StatusCode::ACCEPTED)?
    .json()?;
    let location = accepted["location"].as_str().ok_or("location")?.to_owned();
    Ok((iid, location))
}

/// Every one of the issuer's `n` awards is there once, each with its own row key.
async fn awarded_once(ctx: &Ctx, iid: &str, n: usize) -> Result<(), String> {
    let page = get(
        ctx,
        &format!("/api/issuers/{iid}/awards?limit=1000"),
        Some(&ctx.admin),
    )
    .await?
    .expect(StatusCode::OK)?
    .json()?;
    let keys: std::collections::BTreeSet<&str> = page["items"]
        .as_array()
        .ok_or("items")?
        .iter()
        .filter_map(|i| i["rowKey"].as_str())
        .collect();
    ensure(
        page["total"] == json!(n) && keys.len() == n,
        format!(
            "{} awards, {} row keys, expected {n}",
            page["total"],
            keys.len()
        ),
    )
}

/// Another instance on the same database (no HTTP routes used), its worker not started.
fn idle_instance(ctx: &Ctx, lease: std::time::Duration) -> AppState {
    AppState::new(
        ctx.store.clone(),
        ctx.sealer.clone(),
        PUBLIC_URL,
        obi_verify::Options::new(),
    )
    .with_job_lease(lease)
}

/// Another instance on the same database, its bulk-job worker running.
fn instance(ctx: &Ctx, lease: std::time::Duration) -> AppState {
    let state = idle_instance(ctx, lease);
    let _router = app(state.clone(), AppLimits::default());
    state
}

/// Three workers (three app states over one database, as instances behind a load balancer
/// on one PostgreSQL) on one job: every row is awarded exactly once, counted once, and no
/// award is signed twice (the job's lease keeps the others off it).
fn bulk_job_with_competing_workers(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let before = ctx.state.job_counters();
        let extra: Vec<AppState> = (0..2)
            .map(|_| instance(&ctx, std::time::Duration::from_secs(30)))
            .collect();
        const N: usize = 300;
        let finished = async {
            let (iid, location) = submit_rows(&ctx, "Raced Body", N).await?;
            Ok::<_, String>((iid, wait_job(&ctx, &location, &ctx.admin).await?))
        }
        .await;
        for s in &extra {
            s.stop_jobs_worker();
        }
        let (iid, job) = finished?;
        ensure(
            job["done"] == json!(N) && job["failed"] == json!(0),
            format!("raced job: {job}"),
        )?;
        awarded_once(&ctx, &iid, N).await?;
        let main = ctx.state.job_counters();
        let signed = main.awards_signed - before.awards_signed
            + extra
                .iter()
                .map(|s| s.job_counters().awards_signed)
                .sum::<u64>();
        let batches = main.batches - before.batches
            + extra.iter().map(|s| s.job_counters().batches).sum::<u64>();
        let expected_batches = N.div_ceil(obi_server::JOB_BATCH as usize) as u64;
        ensure(
            signed == N as u64 && batches == expected_batches,
            format!(
                "signing duplicated: {signed} awards signed and {batches} batches committed by the three instances for {N} rows ({expected_batches} batches)"
            ),
        )?;
        let owner = job["lease"]["instance"].as_str().unwrap_or("");
        let ids: Vec<String> = std::iter::once(ctx.state.instance_id())
            .chain(extra.iter().map(AppState::instance_id))
            .collect();
        ensure(
            ids.iter().any(|i| i == owner),
            format!("lease owner {owner:?} is one of the instances: {job}"),
        )?;
        Ok(())
    })
}

/// An instance killed in the middle of a job (its worker task dropped, the lease not
/// released): another instance leaves the job alone while the lease is live, then takes it
/// over once it expires and finishes it; every row is awarded once.
fn killed_instance_job_is_taken_over(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let lease = std::time::Duration::from_secs(2);
        // The suite's own worker would pick the job up: keep it off this case.
        ctx.state.stop_jobs_worker();
        let a = idle_instance(&ctx, lease);
        let b = idle_instance(&ctx, lease);
        let result = async {
            a.start_jobs_worker();
            const N: usize = 400;
            let (iid, location) = submit_rows(&ctx, "Killed Body", N).await?;
            // Kill A once it has committed a batch (and before it finishes).
            let started = std::time::Instant::now();
            while a.job_counters().batches == 0 {
                if started.elapsed() > std::time::Duration::from_secs(120) {
                    return Err("instance A committed no batch in 120 s".into());
                }
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            a.stop_jobs_worker();
            let killed_at = std::time::Instant::now();
            let at_kill = get(&ctx, &location, Some(&ctx.admin))
                .await?
                .expect(StatusCode::OK)?
                .json()?;
            let done_at_kill = at_kill["done"].as_u64().ok_or("done")?;
            ensure(
                done_at_kill < N as u64 && at_kill["state"] != "finished",
                format!("job finished before the kill: {at_kill}"),
            )?;
            ensure(
                at_kill["lease"]["instance"] == json!(a.instance_id()),
                format!("A holds the lease: {at_kill}"),
            )?;
            b.start_jobs_worker();
            // Within the lease, B must leave the job alone.
            tokio::time::sleep(lease / 2).await;
            let mid = get(&ctx, &location, Some(&ctx.admin))
                .await?
                .expect(StatusCode::OK)?
                .json()?;
            if killed_at.elapsed() < lease {
                ensure(
                    b.job_counters().awards_signed == 0
                        && mid["lease"]["instance"] == json!(a.instance_id()),
                    format!("B worked on the job while A's lease was live: {mid}"),
                )?;
            }
            let job = wait_job(&ctx, &location, &ctx.admin).await?;
            ensure(
                job["done"] == json!(N) && job["state"] == "finished",
                format!("taken-over job: {job}"),
            )?;
            ensure(
                job["lease"]["instance"] == json!(b.instance_id()) && b.job_counters().batches > 0,
                format!("B took the job over: {job}"),
            )?;
            ensure(
                killed_at.elapsed() >= lease.mul_f32(0.9),
                "job finished before A's lease expired",
            )?;
            awarded_once(&ctx, &iid, N).await?;
            // At most A's uncommitted batch is signed twice.
            let signed = a.job_counters().awards_signed + b.job_counters().awards_signed;
            ensure(
                signed <= N as u64 + obi_server::JOB_BATCH as u64,
                format!("{signed} awards signed for {N} rows"),
            )?;
            Ok::<(), String>(())
        }
        .await;
        a.stop_jobs_worker();
        b.stop_jobs_worker();
        // The suite's worker back for the cases that follow.
        ctx.state.start_jobs_worker();
        result
    })
}

/// OB 2.0 hosted awards served over a real 127.0.0.1 listener and verified by obi's verifier
/// fetching from it.
fn ob2_hosted_over_http(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let public = format!("http://{addr}");
        let policy = obi_fetch::FetchPolicy::new()
            .allow_http(true)
            .allow_address(std::net::IpAddr::from([127, 0, 0, 1]));
        let options = obi_verify::Options::new()
            .with_fetcher(std::sync::Arc::new(obi_fetch::HttpFetcher::new(policy)));
        let state = AppState::new(
            ctx.store.clone(),
            ctx.sealer.clone(),
            &public,
            options.clone(),
        );
        let router = app(state.clone(), AppLimits::default());
        let hosted_state = state;
        let served = router.clone();
        let server = tokio::spawn(async move { axum::serve(listener, served).await });
        let live = Ctx {
            router,
            ..ctx.clone()
        };
        let result = async {
            let iid = id_of(&new_issuer(&live, "OB2 Host").await?)?;
            let aid = new_achievement(&live, &iid, "Hosted two").await?;
            let created = post_json(&live, &format!("/api/issuers/{iid}/awards"), Some(&live.admin),
                json!({"achievementId": aid, "recipientEmail": "two@example.org", "format": "ob2-hosted", "narrative": "did it"}))
                .await?
                .expect(StatusCode::CREATED)?
                .json()?;
            let oid = id_of(&created)?;
            let url = format!("{public}/assertions/{oid}");
            ensure(created["url"] == json!(url) && created["format"] == "ob2-hosted", format!("created: {created}"))?;
            let a = &created["credential"];
            ensure(a["type"] == "Assertion" && a["verification"]["type"] == "hosted" && a["recipient"]["hashed"] == json!(true), format!("assertion: {a}"))?;
            let verify_url = |options: obi_verify::Options, url: String| async move {
                tokio::task::spawn_blocking(move || obi_verify::verify(obi_verify::Input::Url(url), &options))
                    .await
                    .map_err(|e| e.to_string())
            };
            let report = verify_url(options.clone(), url.clone()).await?;
            ensure(report.valid, format!("hosted OB 2.0 assertion verifies: {}", report.to_json()))?;
            let list = get(&live, &format!("/issuers/{iid}/ob2/revocations"), None).await?.expect(StatusCode::OK)?.json()?;
            ensure(list["revokedAssertions"] == json!([]), format!("empty revocation list: {list}"))?;
            let key = get(&live, &format!("/issuers/{iid}/ob2/key"), None).await?.expect(StatusCode::OK)?.json()?;
            ensure(key["publicKeyPem"].as_str().unwrap_or("").starts_with("-----BEGIN PUBLIC KEY-----"), format!("key: {key}"))?;
            post_json(&live, &format!("/api/issuers/{iid}/awards/{oid}/revoke"), Some(&live.admin), json!({"reason": "duplicate"}))
                .await?
                .expect(StatusCode::OK)?;
            let hosted = get(&live, &format!("/assertions/{oid}"), None).await?.expect(StatusCode::OK)?.json()?;
            ensure(hosted["revoked"] == json!(true) && hosted["revocationReason"] == "duplicate", format!("revoked: {hosted}"))?;
            let list = get(&live, &format!("/issuers/{iid}/ob2/revocations"), None).await?.expect(StatusCode::OK)?.json()?;
            ensure(list["revokedAssertions"] == json!([{"id": url, "revocationReason": "duplicate"}]), format!("revocation list: {list}"))?;
            let report = verify_url(options.clone(), url.clone()).await?;
            ensure(!report.valid && report.to_json().to_string().contains("revoked"), format!("revoked assertion fails: {}", report.to_json()))?;
            // OB 2.0 signed (RS256 with the issuer's OB 2.0 key), revocable by its list.
            let signed = post_json(&live, &format!("/api/issuers/{iid}/awards"), Some(&live.admin),
                json!({"achievementId": aid, "recipientEmail": "signed@example.org", "format": "ob2-signed"}))
                .await?
                .expect(StatusCode::CREATED)?
                .json()?;
            let sid = id_of(&signed)?;
            let jws = signed["credential"].as_str().ok_or(format!("a compact JWS: {signed}"))?.to_owned();
            let payload = get(&live, &format!("/assertions/{sid}"), None).await?.expect(StatusCode::OK)?.json()?;
            ensure(payload["verification"]["type"] == "SignedBadge"
                && payload["verification"]["creator"] == json!(format!("{public}/issuers/{iid}/ob2/key")), format!("signed payload: {payload}"))?;
            let raw = call(&live, "GET", &format!("/assertions/{sid}"), None, &[("accept", "application/jwt")], vec![]).await?;
            ensure(raw.expect(StatusCode::OK)?.text() == jws, "the JWS itself on Accept: application/jwt")?;
            let key = get(&live, &format!("/issuers/{iid}/ob2/key"), None).await?.expect(StatusCode::OK)?.json()?;
            ensure(key["publicKeyPem"].as_str().unwrap_or("").len() > 300, format!("the RSA key is published: {key}"))?;
            let verify_jws = |options: obi_verify::Options, jws: String| async move {
                tokio::task::spawn_blocking(move || obi_verify::verify(obi_verify::Input::Jws(jws), &options))
                    .await
                    .map_err(|e| e.to_string())
            };
            let audit = live.store.audit_entries().await.map_err(|e| e.to_string())?;
            ensure(
                audit.iter().filter(|(_, act, t)| act == "issuer.ob2_key" && *t == iid).count() == 1,
                "the OB 2.0 key creation is audited once",
            )?;
            let report = verify_jws(options.clone(), jws.clone()).await?;
            ensure(report.valid, format!("signed OB 2.0 assertion verifies: {}", report.to_json()))?;
            // Baked 2.0 assertions: the signed one carries its JWS, and the image verifies.
            let png = get(&live, &format!("/assertions/{sid}/baked.png"), None).await?.expect(StatusCode::OK)?.body.clone();
            let baked = obi_bake::unbake(&png).map_err(|e| e.to_string())?.ok_or("no badge in the baked PNG")?;
            ensure(baked.payload == obi_bake::Payload::Jws(jws.clone()), format!("baked PNG holds the JWS: {:?}", baked.payload))?;
            let image_options = options.clone();
            let report = tokio::task::spawn_blocking(move || obi_verify::verify(obi_verify::Input::bytes("baked.png", png), &image_options))
                .await
                .map_err(|e| e.to_string())?;
            ensure(report.valid, format!("baked signed assertion verifies: {}", report.to_json()))?;
            let svg = get(&live, &format!("/assertions/{oid}/baked.svg"), None).await?.expect(StatusCode::OK)?.body.clone();
            let baked = obi_bake::unbake(&svg).map_err(|e| e.to_string())?.ok_or("no badge in the baked SVG")?;
            let obi_bake::Payload::Json(text) = &baked.payload else {
                return Err(format!("hosted assertion baked as JSON: {:?}", baked.payload));
            };
            let inner: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            ensure(inner["id"] == json!(url) && inner["revoked"] == json!(true), format!("baked SVG holds the hosted assertion, revoked: {inner}"))?;
            post_json(&live, &format!("/api/issuers/{iid}/awards/{sid}/revoke"), Some(&live.admin), json!({"reason": "withdrawn"}))
                .await?
                .expect(StatusCode::OK)?;
            let list = get(&live, &format!("/issuers/{iid}/ob2/revocations"), None).await?.expect(StatusCode::OK)?.json()?;
            ensure(list["revokedAssertions"].as_array().map(Vec::len) == Some(2), format!("both revoked listed: {list}"))?;
            let report = verify_jws(options.clone(), jws).await?;
            ensure(!report.valid && report.to_json().to_string().contains("revoked"), format!("revoked signed assertion fails: {}", report.to_json()))?;
            // An OB 3.0 award is not an assertion; unknown ids are 404.
            let three = post_json(&live, &format!("/api/issuers/{iid}/awards"), Some(&live.admin),
                json!({"achievementId": aid, "recipientEmail": "three@example.org"}))
                .await?
                .expect(StatusCode::CREATED)?
                .json()?;
            get(&live, &format!("/assertions/{}", id_of(&three)?), None).await?.expect_error(StatusCode::NOT_FOUND)?;
            get(&live, &format!("/assertions/{}/baked.png", id_of(&three)?), None).await?.expect_error(StatusCode::NOT_FOUND)?;
            get(&live, "/assertions/..%2Fx/baked.svg", None).await?.expect_error(StatusCode::NOT_FOUND)?;
            get(&live, &format!("/badgeclasses/{}", uuid::Uuid::new_v4()), None).await?.expect_error(StatusCode::NOT_FOUND)?;
            get(&live, "/issuers/..%2F..%2Fetc/ob2", None).await?.expect_error(StatusCode::NOT_FOUND)?;
            post_json(&live, &format!("/api/issuers/{iid}/awards"), Some(&live.admin),
                json!({"achievementId": aid, "recipientEmail": "x@example.org", "format": "ob2-signed-by-magic"}))
                .await?
                .expect_error(StatusCode::BAD_REQUEST)?;
            Ok::<(), String>(())
        }
        .await;
        server.abort();
        hosted_state.stop_jobs_worker();
        result
    })
}

fn status_lists(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let iid = id_of(&new_issuer(&ctx, "Status Body").await?)?;
        let aid = new_achievement(&ctx, &iid, "Revocable").await?;
        let token = issuer_token(&ctx, &iid).await?;
        // No list before the first award.
        get(&ctx, &format!("/issuers/{iid}/status/0"), None)
            .await?
            .expect_error(StatusCode::NOT_FOUND)?;
        let created = post_json(
            &ctx,
            &format!("/api/issuers/{iid}/awards"),
            Some(&token),
            json!({"achievementId": aid, "recipientEmail": "s@example.org"}),
        )
        .await?
        .expect(StatusCode::CREATED)?
        .json()?;
        let cid = id_of(&created)?;
        let credential = created["credential"].clone();
        let status = &credential["credentialStatus"];
        let list_url = format!("{PUBLIC_URL}/issuers/{iid}/status/0");
        ensure(
            status["type"] == "BitstringStatusListEntry"
                && status["statusPurpose"] == "revocation"
                && status["statusListCredential"] == json!(list_url),
            format!("credentialStatus: {status}"),
        )?;
        let index: usize = status["statusListIndex"]
            .as_str()
            .ok_or("index")?
            .parse()
            .map_err(|e| format!("{e}"))?;
        let list_bytes = publish(&ctx, &format!("/issuers/{iid}/status/0")).await?;
        let list: Value = serde_json::from_slice(&list_bytes).map_err(|e| e.to_string())?;
        ensure(
            list["type"] == json!(["VerifiableCredential", "BitstringStatusListCredential"])
                && list["id"] == json!(list_url)
                && list["proof"]["cryptosuite"] == "eddsa-rdfc-2022",
            format!("status list: {list}"),
        )?;
        let bits = obi_issue::StatusList::decode(
            list["credentialSubject"]["encodedList"]
                .as_str()
                .ok_or("encodedList")?,
        )
        .map_err(|e| e.to_string())?;
        ensure(
            bits.len() >= 131_072 && bits.get(index) == Some(false),
            "131,072 entries, not set",
        )?;
        // Cached: the same signed bytes on the next GET.
        let again = get(&ctx, &format!("/issuers/{iid}/status/0"), None)
            .await?
            .expect(StatusCode::OK)?
            .body
            .clone();
        ensure(
            again == list_bytes,
            "the signed list is cached, not re-signed per GET",
        )?;
        publish(&ctx, &format!("/issuers/{iid}/did.json")).await?;
        let report = verify_json(&ctx, &credential).await?;
        ensure(
            report["report"]["valid"] == json!(true),
            format!("valid before revocation: {report}"),
        )?;
        post_json(
            &ctx,
            &format!("/api/issuers/{iid}/awards/{cid}/revoke"),
            Some(&token),
            json!({"reason": "test"}),
        )
        .await?
        .expect(StatusCode::OK)?;
        let revoked_bytes = publish(&ctx, &format!("/issuers/{iid}/status/0")).await?;
        ensure(
            revoked_bytes != list_bytes,
            "re-signed after the revocation",
        )?;
        let list: Value = serde_json::from_slice(&revoked_bytes).map_err(|e| e.to_string())?;
        let bits = obi_issue::StatusList::decode(
            list["credentialSubject"]["encodedList"]
                .as_str()
                .ok_or("encodedList")?,
        )
        .map_err(|e| e.to_string())?;
        ensure(bits.get(index) == Some(true), "bit set")?;
        ensure(
            (0..131_072).filter(|i| bits.get(*i) == Some(true)).count() == 1,
            "only that bit",
        )?;
        let report = verify_json(&ctx, &credential).await?;
        ensure(
            report["report"]["valid"] == json!(false),
            format!("invalid after revocation: {report}"),
        )?;
        ensure(
            report.to_string().contains("revoked"),
            "the report says revoked",
        )?;
        // Bad list numbers.
        for n in ["1", "-1", "x", "99999999999999999999"] {
            get(&ctx, &format!("/issuers/{iid}/status/{n}"), None)
                .await?
                .expect_error(StatusCode::NOT_FOUND)?;
        }
        Ok(())
    })
}

fn openapi_lists_every_route(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let doc = get(&ctx, "/api/openapi.json", None)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(doc["openapi"] == "3.1.0", "openapi version")?;
        let paths = doc["paths"].as_object().ok_or("no paths")?;
        for (method, path) in ROUTES {
            ensure(
                paths
                    .get(*path)
                    .and_then(|p| p.get(method.to_ascii_lowercase()))
                    .is_some(),
                format!("{method} {path} missing from the OpenAPI document"),
            )?;
            // The route is really served: not the fallback, not 405.
            let uri = path.replace("{id}", "00000000-0000-4000-8000-000000000000");
            let r = call(&ctx, method, &uri, None, &[], vec![]).await?;
            ensure(
                r.status != StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} {path}: 405"),
            )?;
            ensure(
                !r.text().contains("no such route"),
                format!("{method} {path} is not routed"),
            )?;
        }
        for (path, item) in paths {
            for method in item.as_object().ok_or("path item")?.keys() {
                if method == "parameters" {
                    continue;
                }
                ensure(
                    ROUTES
                        .iter()
                        .any(|(m, p)| p == path && m.eq_ignore_ascii_case(method)),
                    format!("OpenAPI lists {method} {path}, which ROUTES does not"),
                )?;
            }
        }
        let r = get(&ctx, "/no/such/thing", None).await?;
        r.expect_error(StatusCode::NOT_FOUND)?;
        Ok(())
    })
}

fn issuer_lifecycle_is_audited(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let issuer = new_issuer(&ctx, "Lifecycle Univ").await?;
        let id = id_of(&issuer)?;
        ensure(
            issuer["publicKeyMultibase"]
                .as_str()
                .is_some_and(|k| k.starts_with("z6Mk")),
            "Ed25519 multikey",
        )?;
        let got = get(&ctx, &format!("/api/issuers/{id}"), Some(&ctx.admin))
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(got["name"] == "Lifecycle Univ", "get name")?;
        let list = get(&ctx, "/api/issuers", Some(&ctx.admin))
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(
            list["items"]
                .as_array()
                .is_some_and(|a| a.iter().any(|i| i["id"] == json!(id))),
            "listed",
        )?;
        let patched = call(
            &ctx,
            "PATCH",
            &format!("/api/issuers/{id}"),
            Some(&ctx.admin),
            &[("content-type", "application/json")],
            br#"{"name":"Renamed Univ"}"#.to_vec(),
        )
        .await?
        .expect(StatusCode::OK)?
        .json()?;
        ensure(
            patched["name"] == "Renamed Univ" && patched["url"] == "https://example.org",
            format!("patch kept others: {patched}"),
        )?;
        let audit = ctx.store.audit_entries().await.map_err(|e| e.to_string())?;
        for action in ["issuer.create", "issuer.update"] {
            ensure(
                audit
                    .iter()
                    .any(|(actor, a, t)| actor == "admin" && a == action && *t == id),
                format!("{action} audited"),
            )?;
        }
        Ok(())
    })
}

fn private_keys_are_sealed(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let issuer = new_issuer(&ctx, "Sealed Keys Ltd").await?;
        let id = id_of(&issuer)?;
        let public = issuer["publicKeyMultibase"].as_str().ok_or("public key")?;
        let sealed = ctx
            .store
            .issuer_sealed_key(&id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no key row")?;
        ensure(sealed.starts_with("v1:"), "sealed format")?;
        let secret = ctx
            .sealer
            .open(&sealed, public)
            .map_err(|e| e.to_string())?;
        let secret = String::from_utf8(secret).map_err(|e| e.to_string())?;
        ensure(
            !sealed.contains(&secret),
            "the private key is stored in clear",
        )?;
        let pair = obi_proof::KeyPair::from_private_multikey(&secret).map_err(|e| e.to_string())?;
        ensure(
            pair.public_key().to_multikey() == public,
            "sealed key matches the public key",
        )?;
        let other =
            KeySealer::from_base64(&KeySealer::generate_base64()).map_err(|e| e.to_string())?;
        ensure(
            other.open(&sealed, public).is_err(),
            "another key encryption key opens it",
        )?;
        Ok(())
    })
}

fn tokens_are_scoped(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let a = id_of(&new_issuer(&ctx, "Scope A").await?)?;
        let b = id_of(&new_issuer(&ctx, "Scope B").await?)?;
        let ta = issuer_token(&ctx, &a).await?;
        // Only the hash is stored.
        ensure(
            ctx.store
                .token_scope(&token_hash(&ta))
                .await
                .map_err(|e| e.to_string())?
                .is_some(),
            "hash lookup",
        )?;
        ensure(
            ctx.store
                .token_scope(&ta)
                .await
                .map_err(|e| e.to_string())?
                .is_none(),
            "token stored in clear",
        )?;
        get(&ctx, "/api/issuers", None)
            .await?
            .expect_error(StatusCode::UNAUTHORIZED)?;
        get(&ctx, "/api/issuers", Some("obi_wrong"))
            .await?
            .expect_error(StatusCode::UNAUTHORIZED)?;
        get(&ctx, &format!("/api/issuers/{a}"), Some(&ta))
            .await?
            .expect(StatusCode::OK)?;
        get(&ctx, &format!("/api/issuers/{b}"), Some(&ta))
            .await?
            .expect_error(StatusCode::FORBIDDEN)?;
        call(
            &ctx,
            "PATCH",
            &format!("/api/issuers/{b}"),
            Some(&ta),
            &[("content-type", "application/json")],
            br#"{"name":"hijack"}"#.to_vec(),
        )
        .await?
        .expect_error(StatusCode::FORBIDDEN)?;
        post_json(
            &ctx,
            &format!("/api/issuers/{b}/achievements"),
            Some(&ta),
            json!({"name":"x","description":"x","criteria":"x"}),
        )
        .await?
        .expect_error(StatusCode::FORBIDDEN)?;
        get(&ctx, &format!("/api/issuers/{b}/achievements"), Some(&ta))
            .await?
            .expect_error(StatusCode::FORBIDDEN)?;
        post_json(&ctx, "/api/issuers", Some(&ta), json!({"name":"rogue"}))
            .await?
            .expect_error(StatusCode::FORBIDDEN)?;
        post_json(
            &ctx,
            &format!("/api/issuers/{a}/tokens"),
            Some(&ta),
            json!({"label":"more"}),
        )
        .await?
        .expect_error(StatusCode::FORBIDDEN)?;
        let list = get(&ctx, "/api/issuers", Some(&ta))
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        let items = list["items"].as_array().ok_or("items")?;
        ensure(
            items.len() == 1 && items[0]["id"] == json!(a),
            format!("issuer token sees only its issuer: {list}"),
        )?;
        // The issuer's own token works for writes on it, and the audit names the issuer.
        post_json(
            &ctx,
            &format!("/api/issuers/{a}/achievements"),
            Some(&ta),
            json!({"name":"Own","description":"d","criteria":"c"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
        let audit = ctx.store.audit_entries().await.map_err(|e| e.to_string())?;
        ensure(
            audit.iter().any(|(actor, act, _)| {
                *actor == format!("issuer:{a}") && act == "achievement.create"
            }),
            "audit actor",
        )?;
        Ok(())
    })
}

fn achievements_and_hosted_documents(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let issuer = new_issuer(&ctx, "Hosted <Docs> & Co").await?;
        let iid = id_of(&issuer)?;
        let created = post_json(&ctx, &format!("/api/issuers/{iid}/achievements"), Some(&ctx.admin),
            json!({"name": "Rust <script>alert(1)</script>", "description": "Writes Rust", "criteria": "Ship a crate", "image": "https://example.org/b.png"}))
            .await?.expect(StatusCode::CREATED)?.json()?;
        let aid = created["uuid"].as_str().ok_or("uuid")?.to_owned();
        ensure(
            created["id"] == json!(format!("{PUBLIC_URL}/achievements/{aid}")),
            "achievement id URL",
        )?;
        let list = get(
            &ctx,
            &format!("/api/issuers/{iid}/achievements"),
            Some(&ctx.admin),
        )
        .await?
        .expect(StatusCode::OK)?
        .json()?;
        ensure(
            list["items"].as_array().is_some_and(|a| a.len() == 1),
            "one achievement listed",
        )?;

        for accept in [
            None,
            Some("application/ld+json"),
            Some("application/json"),
            Some("text/html;q=0.5, application/json"),
        ] {
            let headers: Vec<(&str, &str)> =
                accept.map(|a| vec![("accept", a)]).unwrap_or_default();
            let r = call(
                &ctx,
                "GET",
                &format!("/achievements/{aid}"),
                None,
                &headers,
                vec![],
            )
            .await?;
            r.expect(StatusCode::OK)?;
            let ct = r
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            ensure(
                ct == "application/ld+json",
                format!("Accept {accept:?}: content type {ct}"),
            )?;
            let doc = r.json()?;
            ensure(
                doc["type"] == json!(["Achievement"])
                    && doc["criteria"]["narrative"] == "Ship a crate",
                "achievement JSON",
            )?;
        }
        let r = call(
            &ctx,
            "GET",
            &format!("/achievements/{aid}"),
            None,
            &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")],
            vec![],
        )
        .await?;
        r.expect(StatusCode::OK)?;
        let page = r.text();
        ensure(
            page.contains("&lt;script&gt;") && !page.contains("<script>"),
            "HTML escapes names",
        )?;
        ensure(
            page.contains("Hosted &lt;Docs&gt; &amp; Co"),
            "issuer named on the page",
        )?;

        let profile = get(&ctx, &format!("/issuers/{iid}"), None)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(
            profile["type"] == json!(["Profile"]) && profile["name"] == "Hosted <Docs> & Co",
            "profile JSON",
        )?;
        let did = get(&ctx, &format!("/issuers/{iid}/did.json"), None)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(
            did["id"] == json!(format!("did:web:badges.example.org%3A8443:issuers:{iid}")),
            format!("did:web id {}", did["id"]),
        )?;
        ensure(
            did["verificationMethod"][0]["publicKeyMultibase"] == issuer["publicKeyMultibase"],
            "did key",
        )?;
        ensure(
            did["assertionMethod"][0] == did["verificationMethod"][0]["id"],
            "assertionMethod",
        )?;
        let host = get(&ctx, "/.well-known/did.json", None)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(
            host["id"] == "did:web:badges.example.org%3A8443",
            format!("host did {}", host["id"]),
        )?;
        Ok(())
    })
}

fn hosted_credentials(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let issuer = new_issuer(&ctx, "Credential Host").await?;
        let iid = id_of(&issuer)?;
        let a = post_json(
            &ctx,
            &format!("/api/issuers/{iid}/achievements"),
            Some(&ctx.admin),
            json!({"name":"A","description":"d","criteria":"c"}),
        )
        .await?
        .expect(StatusCode::CREATED)?
        .json()?;
        let aid = a["uuid"].as_str().ok_or("uuid")?.to_owned();
        let credential: Value = serde_json::from_str(VALID).map_err(|e| e.to_string())?;
        let cid = uuid::Uuid::new_v4().to_string();
        let award = ctx
            .store
            .insert_award("admin", &iid, &aid, &cid, &credential)
            .await
            .map_err(|e| e.to_string())?;
        ensure(
            (0..obi_server::STATUS_LIST_LENGTH).contains(&award.status_index),
            "first status index is in list 0",
        )?;
        let got = get(&ctx, &format!("/credentials/{cid}"), None)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(
            got == credential,
            "hosted credential is byte-for-byte the stored JSON",
        )?;
        let page = call(
            &ctx,
            "GET",
            &format!("/credentials/{cid}"),
            None,
            &[("accept", "text/html")],
            vec![],
        )
        .await?;
        page.expect(StatusCode::OK)?;
        ensure(
            page.text().contains("This badge is valid."),
            format!("page shows the verification: {}", page.text()),
        )?;

        // OB 2.0 assertion: revoked: true once revoked.
        let ob2 = json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "https://example.org/a/1",
            "recipient": {"type": "email", "hashed": false, "identity": "a@example.org"}, "badge": "https://example.org/b",
            "verification": {"type": "hosted"}, "issuedOn": "2024-01-01T00:00:00Z"});
        let oid = uuid::Uuid::new_v4().to_string();
        let second = ctx
            .store
            .insert_award("admin", &iid, &aid, &oid, &ob2)
            .await
            .map_err(|e| e.to_string())?;
        ensure(
            second.status_index != award.status_index,
            "status indexes are not reused",
        )?;
        let before = get(&ctx, &format!("/credentials/{oid}"), None)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(before.get("revoked").is_none(), "not revoked yet")?;
        ensure(
            ctx.store
                .revoke_award("admin", &oid, "test")
                .await
                .map_err(|e| e.to_string())?,
            "revoked",
        )?;
        let after = get(&ctx, &format!("/credentials/{oid}"), None)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(after["revoked"] == json!(true), "revoked: true")?;
        get(
            &ctx,
            &format!("/credentials/{}", uuid::Uuid::new_v4()),
            None,
        )
        .await?
        .expect_error(StatusCode::NOT_FOUND)?;
        Ok(())
    })
}

fn verify_api(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let r = call(
            &ctx,
            "POST",
            "/api/verify",
            None,
            &[("content-type", "application/json")],
            VALID.as_bytes().to_vec(),
        )
        .await?;
        let report = r.expect(StatusCode::OK)?.json()?;
        ensure(
            report["report"]["valid"] == json!(true),
            format!("valid credential: {report}"),
        )?;
        let r = call(
            &ctx,
            "POST",
            "/api/verify",
            None,
            &[("content-type", "application/json")],
            TAMPERED.as_bytes().to_vec(),
        )
        .await?;
        let report = r.expect(StatusCode::OK)?.json()?;
        ensure(
            report["report"]["valid"] == json!(false),
            "tampered credential is reported invalid with 200",
        )?;
        post_json(&ctx, "/api/verify", None, json!({"hello": "world"}))
            .await?
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY)?;
        post_json(&ctx, "/api/verify", None, json!([1, 2]))
            .await?
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY)?;
        call(
            &ctx,
            "POST",
            "/api/verify",
            None,
            &[("content-type", "text/plain")],
            b"not a jws".to_vec(),
        )
        .await?
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY)?;
        call(
            &ctx,
            "POST",
            "/api/verify",
            None,
            &[("content-type", "application/xml")],
            b"<a/>".to_vec(),
        )
        .await?
        .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE)?;
        call(
            &ctx,
            "POST",
            "/api/verify",
            None,
            &[("content-type", "application/json")],
            b"{\"a\":".to_vec(),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        // A URL on a private address is refused by the guarded fetcher: a report, not an error.
        let report = post_json(
            &ctx,
            "/api/verify",
            None,
            json!({"url": "http://127.0.0.1:9/badge.json"}),
        )
        .await?
        .expect(StatusCode::OK)?
        .json()?;
        ensure(
            report["report"]["valid"] == json!(false),
            "private URL not fetched",
        )?;
        post_json(
            &ctx,
            "/api/verify",
            None,
            json!({"url": "file:///etc/passwd"}),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        Ok(())
    })
}

fn verify_page(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let r = get(&ctx, "/verify", None).await?;
        let page = r.expect(StatusCode::OK)?.text();
        ensure(
            page.contains("<form method=\"post\" action=\"/verify\""),
            "form",
        )?;
        ensure(
            !page.contains("<script")
                && !page.contains("src=\"http")
                && !page.contains("href=\"http"),
            "no scripts or external resources",
        )?;
        let form = format!("url=&badge={}", urlencode(VALID));
        let r = call(
            &ctx,
            "POST",
            "/verify",
            None,
            &[("content-type", "application/x-www-form-urlencoded")],
            form.into_bytes(),
        )
        .await?;
        ensure(
            r.expect(StatusCode::OK)?
                .text()
                .contains("This badge is valid."),
            "form result valid",
        )?;
        let form = format!("badge={}", urlencode(TAMPERED));
        let r = call(
            &ctx,
            "POST",
            "/verify",
            None,
            &[("content-type", "application/x-www-form-urlencoded")],
            form.into_bytes(),
        )
        .await?;
        ensure(
            r.expect(StatusCode::OK)?
                .text()
                .contains("This badge is not valid."),
            "form result invalid",
        )?;
        let r = call(
            &ctx,
            "POST",
            "/verify",
            None,
            &[("content-type", "application/x-www-form-urlencoded")],
            b"url=&badge=".to_vec(),
        )
        .await?;
        ensure(
            r.expect(StatusCode::BAD_REQUEST)?
                .text()
                .to_lowercase()
                .contains("paste a badge"),
            "empty form",
        )?;
        Ok(())
    })
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn bad_input_gets_json_4xx(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let big = vec![b' '; BODY_LIMIT + 1];
        let msg = call(
            &ctx,
            "POST",
            "/api/issuers",
            Some(&ctx.admin),
            &[("content-type", "application/json")],
            big.clone(),
        )
        .await?
        .expect_error(StatusCode::PAYLOAD_TOO_LARGE)?;
        ensure(msg.contains("body_limit"), "413 names the limit")?;
        call(
            &ctx,
            "POST",
            "/api/verify",
            None,
            &[("content-type", "application/json")],
            big,
        )
        .await?
        .expect_error(StatusCode::PAYLOAD_TOO_LARGE)?;
        call(
            &ctx,
            "POST",
            "/api/issuers",
            Some(&ctx.admin),
            &[("content-type", "application/json")],
            b"{\"name\": ".to_vec(),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        call(
            &ctx,
            "POST",
            "/api/issuers",
            Some(&ctx.admin),
            &[],
            b"{\"name\":\"x\"}".to_vec(),
        )
        .await?
        .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE)?;
        post_json(
            &ctx,
            "/api/issuers",
            Some(&ctx.admin),
            json!({"name": "x", "colour": "red"}),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        post_json(
            &ctx,
            "/api/issuers",
            Some(&ctx.admin),
            json!({"name": "  "}),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        post_json(
            &ctx,
            "/api/issuers",
            Some(&ctx.admin),
            json!({"name": "x", "url": "javascript:alert(1)"}),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        post_json(
            &ctx,
            "/api/issuers",
            Some(&ctx.admin),
            json!({"name": "x".repeat(obi_server::MAX_TEXT_CHARS + 1)}),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        let unknown = uuid::Uuid::new_v4();
        for uri in [
            format!("/api/issuers/{unknown}"),
            format!("/api/issuers/{unknown}/achievements"),
        ] {
            get(&ctx, &uri, Some(&ctx.admin))
                .await?
                .expect_error(StatusCode::NOT_FOUND)?;
        }
        for uri in [
            format!("/issuers/{unknown}"),
            format!("/issuers/{unknown}/did.json"),
            format!("/achievements/{unknown}"),
            format!("/credentials/{unknown}"),
        ] {
            get(&ctx, &uri, None)
                .await?
                .expect_error(StatusCode::NOT_FOUND)?;
        }
        let nasty = [
            "1%27%20OR%20%271%27%3D%271",
            "x%27%3B%20DROP%20TABLE%20issuers%3B--",
            "%22%29%3B--",
            "..%2F..%2Fetc%2Fpasswd",
            "%2e%2e",
            "%00",
            "$1",
        ];
        for id in nasty {
            for uri in [
                format!("/issuers/{id}"),
                format!("/issuers/{id}/did.json"),
                format!("/achievements/{id}"),
                format!("/credentials/{id}"),
            ] {
                get(&ctx, &uri, None)
                    .await?
                    .expect_error(StatusCode::NOT_FOUND)
                    .map_err(|e| format!("{uri}: {e}"))?;
            }
            get(&ctx, &format!("/api/issuers/{id}"), Some(&ctx.admin))
                .await?
                .expect_error(StatusCode::NOT_FOUND)
                .map_err(|e| format!("{id}: {e}"))?;
        }
        // Every parameterised GET route of the router, every parameter nasty.
        for (method, template) in ROUTES {
            if *method != "GET" || !template.contains('{') {
                continue;
            }
            for id in nasty {
                let uri = template
                    .replace("{id}", id)
                    .replace("{n}", id)
                    .replace("{job}", id)
                    .replace("{award}", id);
                get(&ctx, &uri, Some(&ctx.admin))
                    .await?
                    .expect_error(StatusCode::NOT_FOUND)
                    .map_err(|e| format!("{uri}: {e}"))?;
            }
        }
        // A known route with a method it does not take: 405 with the JSON error shape.
        for (method, uri) in [
            ("DELETE", "/api/issuers"),
            ("PUT", "/credentials/x"),
            ("POST", "/api/openapi.json"),
        ] {
            let r = call(&ctx, method, uri, Some(&ctx.admin), &[], vec![]).await?;
            r.expect_error(StatusCode::METHOD_NOT_ALLOWED)
                .map_err(|e| format!("{method} {uri}: {e}"))?;
        }
        for uri in [
            "/issuers/../../etc/passwd",
            "/../etc/passwd",
            "/credentials/%2e%2e%2f%2e%2e%2fCargo.toml",
            "/static/../../Cargo.toml",
        ] {
            let r = get(&ctx, uri, None).await?;
            ensure(r.status.is_client_error(), format!("{uri}: {}", r.status))?;
            ensure(
                !r.text().contains("[package]") && !r.text().contains("root:"),
                "no file served",
            )?;
        }
        // The tables survived.
        get(&ctx, "/api/issuers", Some(&ctx.admin))
            .await?
            .expect(StatusCode::OK)?;
        Ok(())
    })
}

fn migrations_are_idempotent(ctx: Ctx) -> Fut {
    Box::pin(async move {
        ctx.store.migrate().await.map_err(|e| e.to_string())?;
        ctx.store.migrate().await.map_err(|e| e.to_string())?;
        get(&ctx, "/api/issuers", Some(&ctx.admin))
            .await?
            .expect(StatusCode::OK)?;
        Ok(())
    })
}

fn concurrent_writes(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let mut handles = Vec::new();
        for i in 0..16 {
            let c = ctx.clone();
            handles.push(tokio::spawn(async move {
                new_issuer(&c, &format!("Concurrent {i}")).await
            }));
        }
        for h in handles {
            h.await.map_err(|e| e.to_string())??;
        }
        let list = get(&ctx, "/api/issuers", Some(&ctx.admin))
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        let n = list["items"].as_array().map_or(0, |a| {
            a.iter()
                .filter(|i| {
                    i["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("Concurrent "))
                })
                .count()
        });
        ensure(n == 16, format!("16 concurrent creates, {n} stored"))
    })
}

fn awards_are_signed_hosted_and_verify(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let issuer = new_issuer(&ctx, "Awarding Body").await?;
        let iid = id_of(&issuer)?;
        let a = post_json(
            &ctx,
            &format!("/api/issuers/{iid}/achievements"),
            Some(&ctx.admin),
            json!({"name":"Awarded","description":"d","criteria":"c"}),
        )
        .await?
        .expect(StatusCode::CREATED)?
        .json()?;
        let aid = a["uuid"].as_str().ok_or("uuid")?.to_owned();
        let ta = issuer_token(&ctx, &iid).await?;
        let body = json!({"achievementId": aid, "recipientEmail": "Learner@Example.org", "recipientName": "Ada"});
        let created = post_json(
            &ctx,
            &format!("/api/issuers/{iid}/awards"),
            Some(&ta),
            body.clone(),
        )
        .await?
        .expect(StatusCode::CREATED)?
        .json()?;
        let cid = created["id"].as_str().ok_or("award id")?.to_owned();
        let credential = created["credential"].clone();
        ensure(
            credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022",
            format!("signed: {credential}"),
        )?;
        ensure(
            credential["id"] == json!(format!("{PUBLIC_URL}/credentials/{cid}")),
            "credential id is its hosted URL",
        )?;
        let hosted = get(&ctx, &format!("/credentials/{cid}"), None)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(hosted == credential, "hosted copy is the issued credential")?;
        // Publish the issuer's did:web document where did:web resolution looks, then verify.
        let did_doc = get(&ctx, &format!("/issuers/{iid}/did.json"), None)
            .await?
            .expect(StatusCode::OK)?
            .body
            .clone();
        ctx.published.lock().map_err(|e| e.to_string())?.insert(
            format!("https://badges.example.org:8443/issuers/{iid}/did.json"),
            did_doc,
        );
        publish(&ctx, &format!("/issuers/{iid}/status/0")).await?;
        let report = call(
            &ctx,
            "POST",
            "/api/verify",
            None,
            &[("content-type", "application/json")],
            credential.to_string().into_bytes(),
        )
        .await?
        .expect(StatusCode::OK)?
        .json()?;
        ensure(
            report["report"]["valid"] == json!(true),
            format!("issued credential verifies: {report}"),
        )?;
        // Another issuer's token, an achievement of another issuer, bad email.
        let other = id_of(&new_issuer(&ctx, "Other Body").await?)?;
        let to = issuer_token(&ctx, &other).await?;
        post_json(
            &ctx,
            &format!("/api/issuers/{iid}/awards"),
            Some(&to),
            body.clone(),
        )
        .await?
        .expect_error(StatusCode::FORBIDDEN)?;
        post_json(
            &ctx,
            &format!("/api/issuers/{other}/awards"),
            Some(&to),
            body.clone(),
        )
        .await?
        .expect_error(StatusCode::NOT_FOUND)?;
        post_json(
            &ctx,
            &format!("/api/issuers/{iid}/awards"),
            Some(&ta),
            json!({"achievementId": aid, "recipientEmail": "nobody"}),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        // Concurrent awards get distinct status indexes.
        let mut handles = Vec::new();
        for _ in 0..8 {
            let (c, uri, t, b) = (
                ctx.clone(),
                format!("/api/issuers/{iid}/awards"),
                ta.clone(),
                body.clone(),
            );
            handles.push(tokio::spawn(async move {
                post_json(&c, &uri, Some(&t), b)
                    .await?
                    .expect(StatusCode::CREATED)?
                    .json()
            }));
        }
        let first_index = ctx
            .store
            .get_award(&cid)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("stored")?
            .status_index;
        let mut indexes = std::collections::BTreeSet::new();
        for h in handles {
            let v = h.await.map_err(|e| e.to_string())??;
            let id = v["id"].as_str().ok_or("id")?.to_owned();
            let award = ctx
                .store
                .get_award(&id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("stored")?;
            indexes.insert(award.status_index);
        }
        ensure(
            indexes.len() == 8 && !indexes.contains(&first_index),
            format!("distinct status indexes: {indexes:?}"),
        )?;
        let audit = ctx.store.audit_entries().await.map_err(|e| e.to_string())?;
        ensure(
            audit
                .iter()
                .filter(|(actor, act, _)| {
                    *actor == format!("issuer:{iid}") && act == "award.create"
                })
                .count()
                == 9,
            "9 awards audited",
        )?;

        // Revocation: another issuer cannot, the owner can, the page says so.
        post_json(
            &ctx,
            &format!("/api/issuers/{other}/awards/{cid}/revoke"),
            Some(&to),
            json!({"reason": "x"}),
        )
        .await?
        .expect_error(StatusCode::NOT_FOUND)?;
        post_json(
            &ctx,
            &format!("/api/issuers/{iid}/awards/{cid}/revoke"),
            Some(&to),
            json!({"reason": "x"}),
        )
        .await?
        .expect_error(StatusCode::FORBIDDEN)?;
        post_json(
            &ctx,
            &format!("/api/issuers/{iid}/awards/{cid}/revoke"),
            Some(&ta),
            json!({"reason": "issued in error"}),
        )
        .await?
        .expect(StatusCode::OK)?;
        let page = call(
            &ctx,
            "GET",
            &format!("/credentials/{cid}"),
            None,
            &[("accept", "text/html")],
            vec![],
        )
        .await?;
        ensure(
            page.expect(StatusCode::OK)?.text().contains("revoked"),
            "page shows revocation",
        )?;
        Ok(())
    })
}

const CASES: &[Case] = &[
    ("bulk_jobs", bulk_jobs),
    (
        "killed_instance_job_is_taken_over",
        killed_instance_job_is_taken_over,
    ),
    (
        "restarted_instance_resumes_at_once",
        restarted_instance_resumes_at_once,
    ),
    ("status_lists", status_lists),
    (
        "bulk_job_with_competing_workers",
        bulk_job_with_competing_workers,
    ),
    ("ob2_hosted_over_http", ob2_hosted_over_http),
    (
        "awards_are_signed_hosted_and_verify",
        awards_are_signed_hosted_and_verify,
    ),
    ("openapi_lists_every_route", openapi_lists_every_route),
    ("issuer_lifecycle_is_audited", issuer_lifecycle_is_audited),
    ("private_keys_are_sealed", private_keys_are_sealed),
    ("tokens_are_scoped", tokens_are_scoped),
    (
        "achievements_and_hosted_documents",
        achievements_and_hosted_documents,
    ),
    ("hosted_credentials", hosted_credentials),
    (
        "every_hosted_document_negotiates",
        every_hosted_document_negotiates,
    ),
    ("verify_api", verify_api),
    ("verify_page", verify_page),
    ("bad_input_gets_json_4xx", bad_input_gets_json_4xx),
    ("migrations_are_idempotent", migrations_are_idempotent),
    ("concurrent_writes", concurrent_writes),
];

async fn context(store: Store) -> Result<Ctx, String> {
    let sealer =
        KeySealer::from_base64(&KeySealer::generate_base64()).map_err(|e| e.to_string())?;
    let admin = obi_server::new_token();
    store
        .ensure_admin_token(&token_hash(&admin))
        .await
        .map_err(|e| e.to_string())?;
    let published = Published::default();
    let verify = obi_verify::Options::new().with_fetcher(std::sync::Arc::new(TestFetcher {
        map: obi_fetch::MapFetcher::new().with_json(
            "https://issuer.example/status/1",
            STATUS_LIST.as_bytes().to_vec(),
        ),
        guarded: obi_fetch::HttpFetcher::new(obi_fetch::FetchPolicy::new()),
        published: published.clone(),
    }));
    let state = AppState::new(store.clone(), sealer.clone(), PUBLIC_URL, verify);
    let router = app(
        state.clone(),
        AppLimits {
            body_limit: BODY_LIMIT,
            ..AppLimits::default()
        },
    );
    Ok(Ctx {
        router,
        state,
        store,
        sealer,
        admin,
        published,
    })
}

async fn run_suite(backend: &str, store: Store) -> (usize, usize) {
    let ctx = match context(store).await {
        Ok(c) => c,
        Err(e) => {
            println!("FAIL {backend} setup: {e}");
            return (0, CASES.len());
        }
    };
    let (mut passed, mut failed) = (0, 0);
    for (name, case) in CASES {
        match tokio::spawn(case(ctx.clone())).await {
            Ok(Ok(())) => passed += 1,
            Ok(Err(e)) => {
                failed += 1;
                println!("FAIL {backend} {name}: {e}");
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {backend} {name}: panicked: {e}");
            }
        }
    }
    (passed, failed)
}

fn main() -> std::process::ExitCode {
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        println!("cannot start tokio");
        return std::process::ExitCode::FAILURE;
    };
    let ok = rt.block_on(async {
        let mut ok = true;
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => {
                println!("FAIL tempdir: {e}");
                return false;
            }
        };
        let url = format!("sqlite://{}", dir.path().join("obi.sqlite").display());
        match Store::connect(&url, &StoreOptions::default()).await {
            Ok(store) => {
                let (p, f) = run_suite("sqlite", store).await;
                println!("SQLite: {p} passed, {f} failed, 0 skipped");
                ok &= f == 0;
            }
            Err(e) => {
                println!("FAIL sqlite connect: {e}");
                ok = false;
            }
        }
        let pg = std::env::var("OBI_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let schema = format!("obi_test_{}", uuid::Uuid::new_v4().simple());
        let options = StoreOptions {
            pg_schema: Some(schema),
            ..StoreOptions::default()
        };
        let connected = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            Store::connect(&pg, &options),
        )
        .await;
        match connected {
            Ok(Ok(store)) => {
                let (p, f) = run_suite("postgres", store.clone()).await;
                if let Err(e) = store.drop_schema().await {
                    println!("warning: could not drop the test schema: {e}");
                }
                println!("PostgreSQL: {p} passed, {f} failed, 0 skipped");
                ok &= f == 0;
            }
            Ok(Err(e)) => {
                println!("skipped: PostgreSQL not reachable at {pg} ({e})");
                println!("PostgreSQL: 0 passed, 0 failed, {} skipped", CASES.len());
            }
            Err(_) => {
                println!("skipped: PostgreSQL not reachable at {pg} (timed out)");
                println!("PostgreSQL: 0 passed, 0 failed, {} skipped", CASES.len());
            }
        }
        ok
    });
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
