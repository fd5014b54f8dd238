//! Pages, uploads and baked images of the service, in process on SQLite (a temp file):
//! multipart uploads on `POST /api/verify` and `/verify`, `/credentials/{id}/baked.png|svg`
//! (unbaked and verified), HTML pages by content negotiation, escaping.
//! Prints one line per failure and the counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use obi_server::{AppLimits, AppState, KeySealer, Store, StoreOptions, app, token_hash};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const PUBLIC_URL: &str = "https://badges.example.org";
const BODY_LIMIT: usize = 256 * 1024;
const BOUNDARY: &str = "obi-test-boundary-7c1e";

type Published = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// No network: documents the cases publish (the issuer's did:web document), else not found.
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

#[derive(Clone)]
struct Ctx {
    router: Router,
    admin: String,
    published: Published,
}

struct Reply {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("status {}: not JSON ({e}): {}", self.status, self.text()))
    }
    fn expect(&self, status: StatusCode) -> Result<&Self, String> {
        if self.status == status {
            Ok(self)
        } else {
            Err(format!(
                "expected {status}, got {}: {}",
                self.status,
                self.text().chars().take(600).collect::<String>()
            ))
        }
    }
    /// A 4xx with the JSON error shape.
    fn expect_error(&self, status: StatusCode) -> Result<String, String> {
        self.expect(status)?;
        ensure(
            self.content_type.starts_with("application/json"),
            format!("error content type {:?}", self.content_type),
        )?;
        let v = self.json()?;
        ensure(
            v["error"]["status"] == json!(status.as_u16()),
            format!("error shape: {v}"),
        )?;
        Ok(v["error"]["message"].as_str().unwrap_or("").to_owned())
    }
}

fn ensure(cond: bool, what: impl Into<String>) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what.into()) }
}

async fn call(
    ctx: &Ctx,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<Reply, String> {
    let mut req = Request::builder().method(method).uri(uri);
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
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes()
        .to_vec();
    Ok(Reply {
        status,
        content_type,
        body,
    })
}

async fn post_json(ctx: &Ctx, uri: &str, token: &str, body: Value) -> Result<Value, String> {
    let auth = format!("Bearer {token}");
    call(
        ctx,
        "POST",
        uri,
        &[
            ("content-type", "application/json"),
            ("authorization", &auth),
        ],
        body.to_string().into_bytes(),
    )
    .await?
    .expect(StatusCode::CREATED)?
    .json()
}

/// A part: `(field name, file name, content type, content)`.
type FormPart<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// One multipart body.
fn multipart(parts: &[FormPart<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, filename, ct, data) in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(f) = filename {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        out.extend_from_slice(disposition.as_bytes());
        out.extend_from_slice(b"\r\n");
        if let Some(ct) = ct {
            out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// An issuer (its did:web document published), an achievement and one award.
struct Awarded {
    credential_id: String,
    credential: Value,
    achievement_id: String,
    issuer_id: String,
}

async fn award(ctx: &Ctx, issuer_name: &str, badge_name: &str) -> Result<Awarded, String> {
    let issuer = post_json(
        ctx,
        "/api/issuers",
        &ctx.admin,
        json!({"name": issuer_name, "url": "https://example.org"}),
    )
    .await?;
    let iid = issuer["id"].as_str().ok_or("issuer id")?.to_owned();
    let a = post_json(
        ctx,
        &format!("/api/issuers/{iid}/achievements"),
        &ctx.admin,
        json!({"name": badge_name, "description": "Knows <b>HTML</b> & more", "criteria": "Wrote a page with <script>alert(1)</script>"}),
    )
    .await?;
    let aid = a["uuid"].as_str().ok_or("achievement uuid")?.to_owned();
    let created = post_json(
        ctx,
        &format!("/api/issuers/{iid}/awards"),
        &ctx.admin,
        json!({"achievementId": aid, "recipientEmail": "learner@example.org", "recipientName": "Ada"}),
    )
    .await?;
    let did = call(ctx, "GET", &format!("/issuers/{iid}/did.json"), &[], vec![])
        .await?
        .expect(StatusCode::OK)?
        .body
        .clone();
    ctx.published
        .lock()
        .unwrap()
        .insert(format!("{PUBLIC_URL}/issuers/{iid}/did.json"), did);
    // And its status list, when the credential names one the service hosts.
    if let Some(list) = created["credential"]["credentialStatus"]["statusListCredential"].as_str()
        && let Some(path) = list.strip_prefix(PUBLIC_URL)
    {
        let body = call(ctx, "GET", path, &[("accept", "application/json")], vec![])
            .await?
            .expect(StatusCode::OK)?
            .body
            .clone();
        ctx.published.lock().unwrap().insert(list.to_owned(), body);
    }
    Ok(Awarded {
        credential_id: created["id"].as_str().ok_or("award id")?.to_owned(),
        credential: created["credential"].clone(),
        achievement_id: aid,
        issuer_id: iid,
    })
}

type Fut = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

fn baked_images_unbake_and_verify(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let aw = award(&ctx, "Baking Body", "Bread").await?;
        for (ext, ct) in [("png", "image/png"), ("svg", "image/svg+xml")] {
            let r = call(
                &ctx,
                "GET",
                &format!("/credentials/{}/baked.{ext}", aw.credential_id),
                &[],
                vec![],
            )
            .await?;
            r.expect(StatusCode::OK)?;
            ensure(
                r.content_type == ct,
                format!("{ext}: type {}", r.content_type),
            )?;
            let baked = obi_bake::unbake(&r.body)
                .map_err(|e| format!("{ext}: unbake: {e}"))?
                .ok_or(format!("{ext}: no badge inside"))?;
            ensure(
                baked.version == obi_bake::Version::Ob3,
                format!("{ext}: version {:?}", baked.version),
            )?;
            let back: Value = serde_json::from_str(baked.payload.as_str())
                .map_err(|e| format!("{ext}: payload: {e}"))?;
            ensure(
                back == aw.credential,
                format!("{ext}: unbaked is the credential"),
            )?;
            // The baked image itself verifies (raw image body, and multipart upload).
            let report = call(
                &ctx,
                "POST",
                "/api/verify",
                &[("content-type", ct)],
                r.body.clone(),
            )
            .await?
            .expect(StatusCode::OK)?
            .json()?;
            ensure(
                report["report"]["valid"] == json!(true),
                format!("{ext}: baked image verifies: {report}"),
            )?;
            let file_name = format!("badge.{ext}");
            let body = multipart(&[("file", Some(&file_name), Some(ct), &r.body)]);
            let report = call(
                &ctx,
                "POST",
                "/api/verify",
                &[("content-type", &multipart_type())],
                body,
            )
            .await?
            .expect(StatusCode::OK)?
            .json()?;
            ensure(
                report["report"]["valid"] == json!(true),
                format!("{ext}: multipart upload verifies: {report}"),
            )?;
        }
        // Unknown and malformed ids: JSON 404.
        for id in [
            "00000000-0000-0000-0000-000000000000",
            "..%2F..%2Fetc",
            "1' OR '1'='1",
        ] {
            let id = id.replace(' ', "%20").replace('\'', "%27");
            call(
                &ctx,
                "GET",
                &format!("/credentials/{id}/baked.png"),
                &[],
                vec![],
            )
            .await?
            .expect_error(StatusCode::NOT_FOUND)?;
        }
        Ok(())
    })
}

fn multipart_verify_api(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let aw = award(&ctx, "Upload Body", "Upload").await?;
        let mp = multipart_type();
        let json_file = aw.credential.to_string();
        // A JSON file, with an unrelated text field before it.
        let body = multipart(&[
            ("note", None, None, b"hello"),
            (
                "file",
                Some("credential.json"),
                Some("application/json"),
                json_file.as_bytes(),
            ),
        ]);
        let r = call(&ctx, "POST", "/api/verify", &[("content-type", &mp)], body)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(
            r["report"]["valid"] == json!(true),
            format!("json file: {r}"),
        )?;
        // A pasted badge field.
        let body = multipart(&[("badge", None, None, json_file.as_bytes())]);
        let r = call(&ctx, "POST", "/api/verify", &[("content-type", &mp)], body)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(
            r["report"]["valid"] == json!(true),
            format!("badge field: {r}"),
        )?;
        // A tampered credential: 200, not valid.
        let mut tampered = aw.credential.clone();
        tampered["name"] = json!("Something else");
        let body = multipart(&[(
            "file",
            Some("t.json"),
            None,
            tampered.to_string().as_bytes(),
        )]);
        let r = call(&ctx, "POST", "/api/verify", &[("content-type", &mp)], body)
            .await?
            .expect(StatusCode::OK)?
            .json()?;
        ensure(
            r["report"]["valid"] == json!(false),
            format!("tampered: {r}"),
        )?;
        // Not a badge: a plain PNG without a badge, random bytes, an empty form: 422.
        let plain_png = obi_server::default_png();
        for (what, body) in [
            (
                "plain png",
                multipart(&[("file", Some("x.png"), Some("image/png"), plain_png)]),
            ),
            (
                "bytes",
                multipart(&[("file", Some("x.bin"), None, b"\x00\x01garbage")]),
            ),
            ("empty", multipart(&[("url", None, None, b"")])),
        ] {
            let msg = call(&ctx, "POST", "/api/verify", &[("content-type", &mp)], body)
                .await?
                .expect_error(StatusCode::UNPROCESSABLE_ENTITY)
                .map_err(|e| format!("{what}: {e}"))?;
            ensure(
                msg.contains("not a badge"),
                format!("{what}: message {msg}"),
            )?;
        }
        // Malformed: no boundary, broken framing, a non-http URL: 400.
        for (what, ct, body) in [
            (
                "no boundary",
                "multipart/form-data".to_owned(),
                b"--x\r\n\r\n".to_vec(),
            ),
            ("framing", mp.clone(), b"--nope\r\nhello".to_vec()),
            (
                "url scheme",
                mp.clone(),
                multipart(&[("url", None, None, b"file:///etc/passwd")]),
            ),
        ] {
            call(&ctx, "POST", "/api/verify", &[("content-type", &ct)], body)
                .await?
                .expect_error(StatusCode::BAD_REQUEST)
                .map_err(|e| format!("{what}: {e}"))?;
        }
        // Larger than the body limit: 413.
        let big = vec![b'a'; BODY_LIMIT + 1];
        let body = multipart(&[("file", Some("big.json"), None, &big)]);
        call(&ctx, "POST", "/api/verify", &[("content-type", &mp)], body)
            .await?
            .expect_error(StatusCode::PAYLOAD_TOO_LARGE)?;
        Ok(())
    })
}

fn verify_page_upload(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let aw = award(&ctx, "Page Body", "Page Badge").await?;
        let page = call(&ctx, "GET", "/verify", &[], vec![])
            .await?
            .expect(StatusCode::OK)?
            .text();
        for needle in [
            "enctype=\"multipart/form-data\"",
            "type=\"file\"",
            "name=\"url\"",
            "name=\"badge\"",
        ] {
            ensure(page.contains(needle), format!("/verify has {needle}"))?;
        }
        ensure(
            !page.contains("src=\"http") && !page.contains("href=\"http"),
            "/verify loads nothing external",
        )?;
        let png = call(
            &ctx,
            "GET",
            &format!("/credentials/{}/baked.png", aw.credential_id),
            &[],
            vec![],
        )
        .await?
        .expect(StatusCode::OK)?
        .body
        .clone();
        let mp = multipart_type();
        let body = multipart(&[
            ("url", None, None, b""),
            ("badge", None, None, b""),
            ("file", Some("badge.png"), Some("image/png"), &png),
        ]);
        let r = call(&ctx, "POST", "/verify", &[("content-type", &mp)], body).await?;
        let html = r.expect(StatusCode::OK)?.text();
        ensure(r.content_type.starts_with("text/html"), "result is HTML")?;
        for needle in [
            "This badge is valid.",
            "Page Badge",
            "Page Body",
            "Awarded to",
            "Ada",
        ] {
            ensure(html.contains(needle), format!("result page has {needle:?}"))?;
        }
        // Invalid: plain language says so and why.
        let mut tampered = aw.credential.clone();
        tampered["validFrom"] = json!("2020-01-01T00:00:00Z");
        let body = multipart(&[("badge", None, None, tampered.to_string().as_bytes())]);
        let html = call(&ctx, "POST", "/verify", &[("content-type", &mp)], body)
            .await?
            .expect(StatusCode::OK)?
            .text();
        ensure(
            html.contains("This badge is not valid."),
            "tampered: not valid",
        )?;
        ensure(html.contains("Details"), "tampered: why")?;
        // The urlencoded form still works; an empty form is a 400 page.
        let body = format!("badge={}", urlencode(&aw.credential.to_string()));
        let html = call(
            &ctx,
            "POST",
            "/verify",
            &[("content-type", "application/x-www-form-urlencoded")],
            body.into_bytes(),
        )
        .await?
        .expect(StatusCode::OK)?
        .text();
        ensure(html.contains("This badge is valid."), "urlencoded: valid")?;
        call(
            &ctx,
            "POST",
            "/verify",
            &[("content-type", &mp)],
            multipart(&[("url", None, None, b"")]),
        )
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
        call(
            &ctx,
            "POST",
            "/verify",
            &[("content-type", &mp)],
            b"garbage".to_vec(),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST)?;
        Ok(())
    })
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn html_pages_are_escaped(ctx: Ctx) -> Fut {
    Box::pin(async move {
        let evil_issuer = "<script>alert('issuer')</script>";
        let evil_badge = "<img src=x onerror=alert(1)> & \"Badge\"";
        let aw = award(&ctx, evil_issuer, evil_badge).await?;
        let html_accept = [("accept", "text/html,application/xhtml+xml,*/*;q=0.8")];
        let pages = [
            format!("/credentials/{}", aw.credential_id),
            format!("/achievements/{}", aw.achievement_id),
            format!("/issuers/{}", aw.issuer_id),
        ];
        for path in &pages {
            let r = call(&ctx, "GET", path, &html_accept, vec![]).await?;
            let html = r.expect(StatusCode::OK)?.text();
            ensure(
                r.content_type.starts_with("text/html"),
                format!("{path}: HTML"),
            )?;
            for raw in [
                "<script>alert",
                "<img src=x",
                "<b>HTML</b>",
                "<script>alert(1)",
            ] {
                ensure(!html.contains(raw), format!("{path}: unescaped {raw:?}"))?;
            }
            ensure(
                html.contains("&lt;script&gt;alert(") || html.contains("&lt;img src=x"),
                format!("{path}: the escaped name is shown"),
            )?;
        }
        // The credential page: image, name, issuer, criteria, verdict, links.
        let cid = &aw.credential_id;
        let html = call(&ctx, "GET", &pages[0], &html_accept, vec![])
            .await?
            .text();
        for needle in [
            format!("src=\"{cid}/baked.png\""),
            format!("href=\"{cid}/baked.svg\""),
            "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Badge&quot;".to_owned(),
            "&lt;script&gt;alert('issuer')&lt;/script&gt;".to_owned(),
            "Criteria".to_owned(),
            "This badge is valid.".to_owned(),
            "Accept: application/ld+json".to_owned(),
        ] {
            ensure(
                html.contains(&needle),
                format!("credential page has {needle:?}"),
            )?;
        }
        // The same URLs still give JSON to JSON clients.
        for path in &pages {
            let r = call(
                &ctx,
                "GET",
                path,
                &[("accept", "application/ld+json")],
                vec![],
            )
            .await?;
            r.expect(StatusCode::OK)?.json()?;
        }
        // The baked SVG carries the escaped name (well-formed XML).
        let svg = call(
            &ctx,
            "GET",
            &format!("/credentials/{cid}/baked.svg"),
            &[],
            vec![],
        )
        .await?
        .expect(StatusCode::OK)?
        .text();
        ensure(
            svg.contains("<title>&lt;img src=x onerror=alert(1)&gt;"),
            format!(
                "svg: name escaped in the title: {}",
                &svg[..svg.len().min(800)]
            ),
        )?;
        obi_bake::unbake(svg.as_bytes())
            .map_err(|e| format!("svg parses: {e}"))?
            .ok_or("svg has the badge")?;
        Ok(())
    })
}

type Case = (&'static str, fn(Ctx) -> Fut);

const CASES: &[Case] = &[
    (
        "baked_images_unbake_and_verify",
        baked_images_unbake_and_verify,
    ),
    ("multipart_verify_api", multipart_verify_api),
    ("verify_page_upload", verify_page_upload),
    ("html_pages_are_escaped", html_pages_are_escaped),
];

async fn context(dir: &std::path::Path) -> Result<Ctx, String> {
    let url = format!("sqlite://{}", dir.join("obi.sqlite").display());
    let store = Store::connect(&url, &StoreOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let admin = obi_server::new_token();
    store
        .ensure_admin_token(&token_hash(&admin))
        .await
        .map_err(|e| e.to_string())?;
    let sealer =
        KeySealer::from_base64(&KeySealer::generate_base64()).map_err(|e| e.to_string())?;
    let published = Published::default();
    let verify = obi_verify::Options::new().with_fetcher(Arc::new(Fetcher {
        published: published.clone(),
        none: obi_fetch::MapFetcher::new(),
    }));
    let state = AppState::new(store, sealer, PUBLIC_URL, verify);
    let router = app(
        state,
        AppLimits {
            body_limit: BODY_LIMIT,
            ..AppLimits::default()
        },
    );
    Ok(Ctx {
        router,
        admin,
        published,
    })
}

fn main() -> std::process::ExitCode {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (passed, failed) = rt.block_on(async {
        let ctx = match context(dir.path()).await {
            Ok(c) => c,
            Err(e) => {
                println!("FAIL setup: {e}");
                return (0, CASES.len());
            }
        };
        let (mut passed, mut failed) = (0, 0);
        for (name, case) in CASES {
            match tokio::spawn(case(ctx.clone())).await {
                Ok(Ok(())) => passed += 1,
                Ok(Err(e)) => {
                    failed += 1;
                    println!("FAIL {name}: {e}");
                }
                Err(e) => {
                    failed += 1;
                    println!("FAIL {name}: panicked: {e}");
                }
            }
        }
        (passed, failed)
    });
    println!("pages: {passed} passed, {failed} failed");
    if failed == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
