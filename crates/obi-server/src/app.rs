//! The router: issuer API, hosted documents, public verifier.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::{AppError, AppJson};
use crate::records::{
    AchievementRecord, AwardRecord, IssuerPatch, IssuerRecord, NewAchievement, NewIssuer,
    TokenScope,
};
use crate::seal::KeySealer;
use crate::store::Store;

/// The OB 3.0 JSON-LD context.
pub const OB3_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The VC 2.0 JSON-LD context.
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// Longest name, description or criteria text accepted.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Every route of [`app`] as `(METHOD, path template)`; the OpenAPI document lists exactly
/// these (tested both ways).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/openapi.json"),
    ("GET", "/api/issuers"),
    ("POST", "/api/issuers"),
    ("GET", "/api/issuers/{id}"),
    ("PATCH", "/api/issuers/{id}"),
    ("POST", "/api/issuers/{id}/tokens"),
    ("GET", "/api/issuers/{id}/achievements"),
    ("POST", "/api/issuers/{id}/achievements"),
    ("POST", "/api/issuers/{id}/awards"),
    ("GET", "/api/issuers/{id}/awards"),
    ("POST", "/api/issuers/{id}/awards/bulk"),
    ("GET", "/api/issuers/{id}/jobs/{job}"),
    ("POST", "/api/issuers/{id}/awards/{award}/revoke"),
    ("POST", "/api/verify"),
    ("GET", "/issuers/{id}"),
    ("GET", "/issuers/{id}/did.json"),
    ("GET", "/issuers/{id}/status/{n}"),
    ("GET", "/issuers/{id}/ob2"),
    ("GET", "/issuers/{id}/ob2/key"),
    ("GET", "/issuers/{id}/ob2/revocations"),
    ("GET", "/assertions/{id}"),
    ("GET", "/assertions/{id}/baked.png"),
    ("GET", "/assertions/{id}/baked.svg"),
    ("GET", "/badgeclasses/{id}"),
    ("GET", "/.well-known/did.json"),
    ("GET", "/achievements/{id}"),
    ("GET", "/credentials/{id}"),
    ("GET", "/credentials/{id}/baked.png"),
    ("GET", "/credentials/{id}/baked.svg"),
    ("GET", "/verify"),
    ("POST", "/verify"),
];

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    sealer: KeySealer,
    public_url: String,
    verify: obi_verify::Options,
    canon: obi_proof::LdCanonicalizer,
    jobs: Arc<crate::jobs::Jobs>,
    caches: crate::cache::Caches,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.inner.store)
            .field("public_url", &self.inner.public_url)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over `store`; hosted documents get ids under `public_url`; verification uses
    /// `verify` (give it the guarded HTTP fetcher in production).
    #[must_use]
    pub fn new(
        store: Store,
        sealer: KeySealer,
        public_url: &str,
        verify: obi_verify::Options,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                sealer,
                public_url: public_url.trim_end_matches('/').to_owned(),
                verify,
                canon: obi_proof::LdCanonicalizer::pinned(),
                jobs: Arc::default(),
                caches: crate::cache::Caches::default(),
            }),
        }
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The key sealer.
    #[must_use]
    pub fn sealer(&self) -> &KeySealer {
        &self.inner.sealer
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.public_url)
    }

    pub(crate) fn canon(&self) -> &obi_proof::LdCanonicalizer {
        &self.inner.canon
    }

    pub(crate) fn caches(&self) -> &crate::cache::Caches {
        &self.inner.caches
    }

    pub(crate) fn jobs(&self) -> &crate::jobs::Jobs {
        &self.inner.jobs
    }

    pub(crate) fn jobs_arc(&self) -> Arc<crate::jobs::Jobs> {
        Arc::clone(&self.inner.jobs)
    }

    /// `did:web` of an issuer: the public host (port `%3A`-encoded) plus `issuers:{id}`.
    #[must_use]
    pub fn issuer_did(&self, id: &str) -> String {
        did_web(&self.inner.public_url, id)
    }
}

/// `did:web` for `/issuers/{id}` under `public_url` (port as `%3A`, path segments as `:`).
fn did_web(public_url: &str, id: &str) -> String {
    let host = public_url.split_once("://").map_or("", |(_, rest)| rest);
    let host = host
        .trim_end_matches('/')
        .replace(':', "%3A")
        .replace('/', ":");
    format!("did:web:{host}:issuers:{id}")
}

/// Router limits and timeouts.
#[derive(Debug, Clone, Copy)]
pub struct AppLimits {
    /// Largest request body.
    pub body_limit: usize,
    /// Per-request timeout.
    pub request_timeout: std::time::Duration,
}

impl Default for AppLimits {
    fn default() -> Self {
        Self {
            body_limit: crate::config::DEFAULT_BODY_LIMIT,
            request_timeout: std::time::Duration::from_secs(
                crate::config::DEFAULT_REQUEST_TIMEOUT_SECS,
            ),
        }
    }
}

/// The whole service. Inside a tokio runtime this also starts the state's bulk-job worker
/// (once), which resumes unfinished jobs.
pub fn app(state: AppState, limits: AppLimits) -> Router {
    state.start_jobs_worker();
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/issuers", get(list_issuers).post(create_issuer))
        .route("/api/issuers/{id}", get(get_issuer).patch(update_issuer))
        .route("/api/issuers/{id}/tokens", post(create_issuer_token))
        .route(
            "/api/issuers/{id}/achievements",
            get(list_achievements).post(create_achievement),
        )
        .route(
            "/api/issuers/{id}/awards",
            get(crate::jobs::list_awards).post(create_award),
        )
        .route("/api/issuers/{id}/awards/bulk", post(crate::jobs::submit))
        .route("/api/issuers/{id}/jobs/{job}", get(crate::jobs::status))
        .route(
            "/api/issuers/{id}/awards/{award}/revoke",
            post(revoke_award),
        )
        .route("/api/verify", post(verify_api))
        .route("/issuers/{id}", get(hosted_issuer))
        .route("/issuers/{id}/did.json", get(issuer_did_document))
        .route("/issuers/{id}/status/{n}", get(hosted_status_list))
        .route("/issuers/{id}/ob2", get(crate::ob2::issuer_profile))
        .route("/issuers/{id}/ob2/key", get(crate::ob2::issuer_key))
        .route(
            "/issuers/{id}/ob2/revocations",
            get(crate::ob2::revocation_list),
        )
        .route("/assertions/{id}", get(crate::ob2::assertion))
        .route(
            "/assertions/{id}/baked.png",
            get(crate::media::baked_assertion_png),
        )
        .route(
            "/assertions/{id}/baked.svg",
            get(crate::media::baked_assertion_svg),
        )
        .route("/badgeclasses/{id}", get(crate::ob2::badge_class_doc))
        .route("/.well-known/did.json", get(default_did_document))
        .route("/achievements/{id}", get(hosted_achievement))
        .route("/credentials/{id}", get(hosted_credential))
        .route("/credentials/{id}/baked.png", get(crate::media::baked_png))
        .route("/credentials/{id}/baked.svg", get(crate::media::baked_svg))
        .route(
            "/verify",
            get(verify_page).post(crate::media::verify_form_post),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(limits.body_limit))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let path = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("-", MatchedPath::as_str);
                tracing::info_span!("request", method = %req.method(), path)
            }),
        )
}

async fn not_found() -> AppError {
    AppError::NotFound("no such route".into())
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

async fn openapi() -> impl IntoResponse {
    AppJson(crate::openapi::document())
}

// ---- authentication ----

/// The SHA-256 (hex) under which a token is stored.
#[must_use]
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random API token (`obi_` + 32 random bytes, base64url).
#[must_use]
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "obi_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<TokenScope, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthorized)?;
    let hash = token_hash(token);
    if let Some(scope) = state.caches().token(&hash) {
        return Ok(scope);
    }
    let scope = state
        .store()
        .token_scope(&hash)
        .await?
        .ok_or(AppError::Unauthorized)?;
    state.caches().put_token(hash, scope.clone());
    Ok(scope)
}

fn require_admin(scope: &TokenScope) -> Result<(), AppError> {
    match scope {
        TokenScope::Admin => Ok(()),
        TokenScope::Issuer(_) => Err(AppError::Forbidden("admin operations".into())),
    }
}

pub(crate) fn require_issuer(scope: &TokenScope, issuer_id: &str) -> Result<(), AppError> {
    match scope {
        TokenScope::Admin => Ok(()),
        TokenScope::Issuer(own) if own == issuer_id => Ok(()),
        TokenScope::Issuer(_) => Err(AppError::Forbidden(format!("issuer {issuer_id}"))),
    }
}

/// Ids are UUIDs; anything else (SQL, `..`, slashes) is simply not found.
pub(crate) fn parse_id(kind: &str, id: &str) -> Result<String, AppError> {
    uuid::Uuid::parse_str(id)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| AppError::NotFound(format!("no {kind} with id {:?}", truncate(id, 80))))
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

pub(crate) async fn load_issuer(state: &AppState, id: &str) -> Result<IssuerRecord, AppError> {
    let id = parse_id("issuer", id)?;
    state
        .store()
        .get_issuer(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no issuer with id {id:?}")))
}

fn check_text(field: &str, value: &str, required: bool) -> Result<(), AppError> {
    if required && value.trim().is_empty() {
        return Err(AppError::BadRequest(format!("{field} must not be empty")));
    }
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::BadRequest(format!(
            "{field} is longer than MAX_TEXT_CHARS ({MAX_TEXT_CHARS})"
        )));
    }
    Ok(())
}

fn check_url(field: &str, value: Option<&str>) -> Result<(), AppError> {
    if let Some(v) = value {
        check_text(field, v, true)?;
        if !(v.starts_with("https://") || v.starts_with("http://")) {
            return Err(AppError::BadRequest(format!(
                "{field} must be an http(s) URL"
            )));
        }
    }
    Ok(())
}

// ---- issuers ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateIssuer {
    name: String,
    url: Option<String>,
    email: Option<String>,
}

fn issuer_json(state: &AppState, issuer: &IssuerRecord) -> Value {
    json!({
        "id": issuer.id,
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
        "publicKeyMultibase": issuer.public_key,
        "did": state.issuer_did(&issuer.id),
        "profileUrl": state.url(&format!("/issuers/{}", issuer.id)),
        "createdAt": issuer.created_at,
        "updatedAt": issuer.updated_at,
    })
}

async fn create_issuer(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppJson(body): AppJson<CreateIssuer>,
) -> Result<Response, AppError> {
    let scope = authenticate(&state, &headers).await?;
    require_admin(&scope)?;
    check_text("name", &body.name, true)?;
    check_url("url", body.url.as_deref())?;
    if let Some(e) = &body.email {
        check_text("email", e, true)?;
        if !e.contains('@') {
            return Err(AppError::BadRequest("email must contain @".into()));
        }
    }
    let key = obi_proof::KeyPair::generate(obi_proof::KeyType::Ed25519)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let secret = key
        .to_private_multikey()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let public_key = key.public_key().to_multikey();
    // The sealed key is bound to the public key (the id is not known before the insert).
    let sealed_key = state
        .sealer()
        .seal(secret.as_bytes(), &public_key)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let issuer = state
        .store()
        .create_issuer(
            &scope.actor(),
            NewIssuer {
                name: body.name,
                url: body.url,
                email: body.email,
                public_key,
                sealed_key,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, AppJson(issuer_json(&state, &issuer))).into_response())
}

async fn list_issuers(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<AppJson<Value>, AppError> {
    let scope = authenticate(&state, &headers).await?;
    let issuers = state.store().list_issuers().await?;
    let items: Vec<Value> = issuers
        .iter()
        .filter(|i| require_issuer(&scope, &i.id).is_ok())
        .map(|i| issuer_json(&state, i))
        .collect();
    Ok(AppJson(json!({ "items": items })))
}

async fn get_issuer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<AppJson<Value>, AppError> {
    let scope = authenticate(&state, &headers).await?;
    let id = parse_id("issuer", &id)?;
    require_issuer(&scope, &id)?;
    let issuer = load_issuer(&state, &id).await?;
    Ok(AppJson(issuer_json(&state, &issuer)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateIssuer {
    name: Option<String>,
    url: Option<String>,
    email: Option<String>,
}

async fn update_issuer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    AppJson(body): AppJson<UpdateIssuer>,
) -> Result<AppJson<Value>, AppError> {
    let scope = authenticate(&state, &headers).await?;
    let id = parse_id("issuer", &id)?;
    require_issuer(&scope, &id)?;
    if let Some(n) = &body.name {
        check_text("name", n, true)?;
    }
    check_url("url", body.url.as_deref())?;
    if let Some(e) = &body.email {
        check_text("email", e, true)?;
    }
    let issuer = state
        .store()
        .update_issuer(
            &scope.actor(),
            &id,
            IssuerPatch {
                name: body.name,
                url: body.url,
                email: body.email,
            },
        )
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no issuer with id {id:?}")))?;
    Ok(AppJson(issuer_json(&state, &issuer)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateToken {
    label: String,
}

async fn create_issuer_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    AppJson(body): AppJson<CreateToken>,
) -> Result<Response, AppError> {
    let scope = authenticate(&state, &headers).await?;
    require_admin(&scope)?;
    check_text("label", &body.label, true)?;
    let issuer = load_issuer(&state, &id).await?;
    let token = new_token();
    state
        .store()
        .create_token(
            &scope.actor(),
            &token_hash(&token),
            Some(&issuer.id),
            &body.label,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        AppJson(json!({ "token": token, "issuerId": issuer.id, "label": body.label })),
    )
        .into_response())
}

// ---- achievements ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateAchievement {
    name: String,
    description: String,
    criteria: String,
    image: Option<String>,
}

pub(crate) fn achievement_json(state: &AppState, a: &AchievementRecord) -> Value {
    let mut doc = json!({
        "@context": [CREDENTIALS_V2, OB3_CONTEXT],
        "id": state.url(&format!("/achievements/{}", a.id)),
        "type": ["Achievement"],
        "name": a.name,
        "description": a.description,
        "criteria": { "narrative": a.criteria },
        "creator": {
            "id": state.url(&format!("/issuers/{}", a.issuer_id)),
            "type": ["Profile"],
        },
    });
    if let (Some(image), Some(obj)) = (&a.image, doc.as_object_mut()) {
        obj.insert("image".into(), json!({ "id": image, "type": "Image" }));
    }
    doc
}

async fn create_achievement(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    AppJson(body): AppJson<CreateAchievement>,
) -> Result<Response, AppError> {
    let scope = authenticate(&state, &headers).await?;
    let id = parse_id("issuer", &id)?;
    require_issuer(&scope, &id)?;
    let issuer = load_issuer(&state, &id).await?;
    check_text("name", &body.name, true)?;
    check_text("description", &body.description, true)?;
    check_text("criteria", &body.criteria, true)?;
    check_url("image", body.image.as_deref())?;
    let a = state
        .store()
        .create_achievement(
            &scope.actor(),
            &issuer.id,
            NewAchievement {
                name: body.name,
                description: body.description,
                criteria: body.criteria,
                image: body.image,
            },
        )
        .await?;
    let mut out = achievement_json(&state, &a);
    if let Some(o) = out.as_object_mut() {
        o.insert("uuid".into(), json!(a.id));
    }
    Ok((StatusCode::CREATED, AppJson(out)).into_response())
}

async fn list_achievements(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<AppJson<Value>, AppError> {
    let scope = authenticate(&state, &headers).await?;
    let id = parse_id("issuer", &id)?;
    require_issuer(&scope, &id)?;
    let issuer = load_issuer(&state, &id).await?;
    let items: Vec<Value> = state
        .store()
        .list_achievements(&issuer.id)
        .await?
        .iter()
        .map(|a| achievement_json(&state, a))
        .collect();
    Ok(AppJson(json!({ "items": items })))
}

// ---- hosted documents ----

/// What the client asked for in `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wants {
    /// `application/json`, `application/ld+json`, `*/*` or no header.
    Json,
    /// `text/html` preferred.
    Html,
}

/// Chooses JSON or HTML by the `Accept` header's q-values; ties go to the earlier entry and
/// an absent header or `*/*` to JSON.
#[must_use]
pub fn negotiate(accept: Option<&str>) -> Wants {
    let Some(accept) = accept else {
        return Wants::Json;
    };
    let mut best: Option<(f32, Wants)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1.0_f32;
        for p in parts {
            if let Some(v) = p.trim().strip_prefix("q=") {
                q = v.trim().parse().unwrap_or(0.0);
            }
        }
        let wants = match media.as_str() {
            "text/html" | "application/xhtml+xml" => Wants::Html,
            "application/json" | "application/ld+json" | "*/*" | "application/*" => Wants::Json,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, wants));
        }
    }
    best.map_or(Wants::Json, |(_, w)| w)
}

pub(crate) fn accept(headers: &HeaderMap) -> Wants {
    negotiate(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()))
}

pub(crate) fn ld_json(value: &Value) -> Response {
    let mut res = AppJson(value).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    res
}

/// A JSON-LD document already serialised.
fn ld_json_bytes(bytes: Bytes) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    res
}

pub(crate) fn html(markup: maud::Markup) -> Response {
    let mut res = Html(markup.into_string()).into_response();
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    res
}

pub(crate) fn profile_json(state: &AppState, issuer: &IssuerRecord) -> Value {
    let mut doc = json!({
        "@context": [CREDENTIALS_V2, OB3_CONTEXT],
        "id": state.url(&format!("/issuers/{}", issuer.id)),
        "type": ["Profile"],
        "name": issuer.name,
        "otherIdentifier": [{
            "type": "IdentifierEntry",
            "identifier": state.issuer_did(&issuer.id),
            "identifierType": "identifier",
        }],
    });
    if let Some(obj) = doc.as_object_mut() {
        if let Some(u) = &issuer.url {
            obj.insert("url".into(), json!(u));
        }
        if let Some(e) = &issuer.email {
            obj.insert("email".into(), json!(e));
        }
    }
    doc
}

async fn hosted_issuer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issuer = load_issuer(&state, &id).await?;
    Ok(match accept(&headers) {
        Wants::Json => ld_json(&profile_json(&state, &issuer)),
        Wants::Html => html(crate::pages::issuer(&issuer, &state.issuer_did(&issuer.id))),
    })
}

fn did_document(state: &AppState, issuer: &IssuerRecord) -> Value {
    let did = state.issuer_did(&issuer.id);
    let vm = format!("{did}#key-1");
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{
            "id": vm,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": issuer.public_key,
        }],
        "assertionMethod": [vm],
        "authentication": [vm],
    })
}

async fn issuer_did_document(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issuer = load_issuer(&state, &id).await?;
    let mut res = AppJson(did_document(&state, &issuer)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/did+json"),
    );
    Ok(res)
}

/// The default issuer (the first created) answers at `/.well-known/did.json`.
async fn default_did_document(State(state): State<AppState>) -> Result<Response, AppError> {
    let issuers = state.store().list_issuers().await?;
    let issuer = issuers
        .first()
        .ok_or_else(|| AppError::NotFound("no issuer has been created yet".into()))?;
    let mut doc = did_document(&state, issuer);
    let host = state
        .issuer_did(&issuer.id)
        .trim_end_matches(&format!(":issuers:{}", issuer.id))
        .to_owned();
    if let Some(obj) = doc.as_object_mut() {
        let vm = format!("{host}#key-1");
        obj.insert("id".into(), json!(host));
        obj.insert(
            "verificationMethod".into(),
            json!([{ "id": vm, "type": "Multikey", "controller": host, "publicKeyMultibase": issuer.public_key }]),
        );
        obj.insert("assertionMethod".into(), json!([vm]));
        obj.insert("authentication".into(), json!([vm]));
    }
    let mut res = AppJson(doc).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/did+json"),
    );
    Ok(res)
}

async fn hosted_achievement(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id("achievement", &id)?;
    let a = state
        .store()
        .get_achievement(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no achievement with id {id:?}")))?;
    Ok(match accept(&headers) {
        Wants::Json => ld_json(&achievement_json(&state, &a)),
        Wants::Html => {
            let issuer = state.store().get_issuer(&a.issuer_id).await?;
            html(crate::pages::achievement(&a, issuer.as_ref()))
        }
    })
}

/// The hosted form of a stored award: OB 2.0 assertions say `revoked: true` once revoked.
#[must_use]
pub fn hosted_credential_json(award: &AwardRecord) -> Value {
    let mut doc = award.credential.clone();
    let is_ob2 = doc.get("badge").is_some() && doc.get("recipient").is_some();
    if award.revoked
        && is_ob2
        && let Some(obj) = doc.as_object_mut()
    {
        obj.insert("revoked".into(), json!(true));
    }
    doc
}

async fn hosted_credential(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id("credential", &id)?;
    let wants = accept(&headers);
    if wants == Wants::Json {
        // OB 3.0 credentials never change once stored (revocation lives in the status
        // list): served from their stored bytes, kept in a small cache.
        if let Some(bytes) = state.caches().credential(&id) {
            return Ok(ld_json_bytes(bytes));
        }
        let (text, immutable) = state
            .store()
            .hosted_credential_text(&id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no credential with id {id:?}")))?;
        if let Some(text) = text {
            let bytes = Bytes::from(text);
            if immutable {
                state.caches().put_credential(id, bytes.clone());
            }
            return Ok(ld_json_bytes(bytes));
        }
    }
    let award = state
        .store()
        .get_award(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no credential with id {id:?}")))?;
    let doc = hosted_credential_json(&award);
    Ok(match wants {
        Wants::Json => ld_json(&doc),
        Wants::Html => credential_page(&state, doc, award.revoked).await?,
    })
}

/// The human page of a hosted credential or assertion, with its verification result.
pub(crate) async fn credential_page(
    state: &AppState,
    doc: Value,
    revoked: bool,
) -> Result<Response, AppError> {
    let report = run_verify(state, obi_verify::Input::Json(doc.clone())).await?;
    Ok(html(crate::pages::credential(&doc, revoked, &report)))
}

/// `GET /issuers/{id}/status/{n}`: the issuer's signed BitstringStatusListCredential `n`.
async fn hosted_status_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let issuer = load_issuer(&state, &id).await?;
    let n: i64 = n
        .parse()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| AppError::NotFound(format!("no status list {:?}", truncate(&n, 40))))?;
    let doc = crate::status::list_document(&state, &issuer, n).await?;
    if accept(&headers) == Wants::Html {
        return Ok(html(crate::pages::document(
            &format!("Status list {n} of {}", issuer.name),
            "A signed W3C Bitstring Status List: the revocation status of this issuer's Open Badges 3.0 credentials.",
            &doc,
        )));
    }
    let mut res = ld_json(&doc);
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vc+ld+json"),
    );
    Ok(res)
}

// ---- verifier ----

pub(crate) async fn run_verify(
    state: &AppState,
    input: obi_verify::Input,
) -> Result<obi_verify::Report, AppError> {
    let options = state.inner.verify.clone();
    tokio::task::spawn_blocking(move || obi_verify::verify(input, &options))
        .await
        .map_err(|e| AppError::Internal(format!("verification task failed: {e}")))
}

pub(crate) fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Turns a request body into a verifier input. `Ok(None)`: the body names a URL.
fn verify_input(headers: &HeaderMap, body: &[u8]) -> Result<obi_verify::Input, AppError> {
    let media = media_type(headers);
    match media.as_str() {
        "application/json" | "application/ld+json" | "application/vc+ld+json" => {
            let value: Value = serde_json::from_slice(body)
                .map_err(|e| AppError::BadRequest(format!("body is not JSON: {e}")))?;
            if let Some(obj) = value.as_object()
                && obj.len() == 1
                && let Some(url) = obj.get("url")
            {
                let url = url
                    .as_str()
                    .ok_or_else(|| AppError::BadRequest("\"url\" must be a string".into()))?;
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(AppError::BadRequest(
                        "\"url\" must be an http(s) URL".into(),
                    ));
                }
                return Ok(obi_verify::Input::Url(url.to_owned()));
            }
            if !value.is_object() {
                return Err(AppError::Unprocessable(
                    "not a badge: expected a JSON object (assertion, credential) or {\"url\": …}"
                        .into(),
                ));
            }
            Ok(obi_verify::Input::Json(value))
        }
        "text/plain" | "application/jwt" | "application/vc+jwt" => {
            let text = std::str::from_utf8(body)
                .map_err(|_| AppError::BadRequest("body is not UTF-8 text".into()))?
                .trim();
            if text.split('.').count() != 3 {
                return Err(AppError::Unprocessable(
                    "not a badge: text/plain bodies must be a compact JWS (three dot-separated parts)"
                        .into(),
                ));
            }
            Ok(obi_verify::Input::Jws(text.to_owned()))
        }
        "image/png" | "image/svg+xml" => Ok(obi_verify::Input::bytes("upload", body.to_vec())),
        "multipart/form-data" => crate::media::verify_input_multipart(headers, body),
        "" => Err(AppError::UnsupportedMediaType(
            "missing Content-Type (application/json, text/plain, image/png or image/svg+xml)"
                .into(),
        )),
        other => Err(AppError::UnsupportedMediaType(format!(
            "{other} (expected application/json, text/plain, image/png, image/svg+xml or multipart/form-data)"
        ))),
    }
}

async fn verify_api(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, AppError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::BadRequest(e.body_text())
        }
    })?;
    let input = verify_input(&headers, &body)?;
    let is_url = matches!(input, obi_verify::Input::Url(_));
    let report = run_verify(&state, input).await?;
    // Not a badge: no version detected, or the verifier could not take the document in
    // (an INTAKE error and nothing in the graph).
    let intake_failed = report.graph.is_empty()
        && report
            .messages
            .iter()
            .any(|m| m.level == obi_verify::Level::Error && m.name.starts_with("INTAKE"));
    if !is_url && (report.open_badges_version.is_none() || intake_failed) {
        let why = report
            .messages
            .iter()
            .find(|m| m.level == obi_verify::Level::Error)
            .map_or_else(|| "unrecognised document".to_owned(), |m| m.result.clone());
        return Err(AppError::Unprocessable(format!("not a badge: {why}")));
    }
    Ok(AppJson(report.to_json()).into_response())
}

async fn verify_page() -> Response {
    html(crate::pages::verify_form(None, "", ""))
}

// ---- awards ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateAward {
    achievement_id: String,
    recipient_email: String,
    recipient_name: Option<String>,
    narrative: Option<String>,
    evidence: Option<Vec<String>>,
    format: Option<String>,
}

/// Opens the issuer's sealed key.
/// The issuer's signing key, opened once per instance and kept (issuer keys never change).
pub(crate) async fn issuer_key(
    state: &AppState,
    issuer: &IssuerRecord,
) -> Result<Arc<obi_proof::KeyPair>, AppError> {
    if let Some(key) = state.caches().issuer_key(&issuer.id, &issuer.public_key) {
        return Ok(key);
    }
    let key = Arc::new(open_issuer_key(state, issuer).await?);
    state.caches().put_issuer_key(
        issuer.id.clone(),
        issuer.public_key.clone(),
        Arc::clone(&key),
    );
    Ok(key)
}

async fn open_issuer_key(
    state: &AppState,
    issuer: &IssuerRecord,
) -> Result<obi_proof::KeyPair, AppError> {
    let sealed = state
        .store()
        .issuer_sealed_key(&issuer.id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no issuer with id {:?}", issuer.id)))?;
    let secret = state
        .sealer()
        .open(&sealed, &issuer.public_key)
        .map_err(|e| AppError::Internal(format!("issuer {}: {e}", issuer.id)))?;
    let secret = String::from_utf8(secret)
        .map_err(|_| AppError::Internal(format!("issuer {}: sealed key is not text", issuer.id)))?;
    obi_proof::KeyPair::from_private_multikey(&secret)
        .map_err(|e| AppError::Internal(format!("issuer {}: {e}", issuer.id)))
}

/// Issues one OB 3.0 credential (eddsa-rdfc-2022, signed with the issuer's did:web key),
/// stores it and hosts it at `/credentials/{id}`.
async fn create_award(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    AppJson(body): AppJson<CreateAward>,
) -> Result<Response, AppError> {
    let scope = authenticate(&state, &headers).await?;
    let id = parse_id("issuer", &id)?;
    require_issuer(&scope, &id)?;
    let issuer = load_issuer(&state, &id).await?;
    let achievement_id = parse_id("achievement", &body.achievement_id)?;
    let achievement = state
        .store()
        .get_achievement(&achievement_id)
        .await?
        .filter(|a| a.issuer_id == issuer.id)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "issuer {} has no achievement {achievement_id:?}",
                issuer.id
            ))
        })?;
    let email = body.recipient_email.trim();
    check_text("recipientEmail", email, true)?;
    if !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(AppError::BadRequest(
            "recipientEmail must be an email address".into(),
        ));
    }
    if let Some(n) = &body.recipient_name {
        check_text("recipientName", n, true)?;
    }
    if let Some(n) = &body.narrative {
        check_text("narrative", n, true)?;
    }
    let format = crate::issuing::AwardFormat::parse(body.format.as_deref())?;
    let input = crate::issuing::AwardInput {
        achievement_id: achievement.id.clone(),
        recipient: email.to_owned(),
        name: body.recipient_name,
        narrative: body.narrative,
        evidence: body.evidence.unwrap_or_default(),
    };
    crate::issuing::check_input(&input, format).map_err(AppError::BadRequest)?;
    let key = issuer_key(&state, &issuer).await?;
    let achievements = std::collections::HashMap::from([(achievement.id.clone(), achievement)]);
    let prepared = crate::issuing::prepare(
        &state,
        &issuer,
        &key,
        &achievements,
        vec![(input, None)],
        format,
    )
    .await?;
    state
        .store()
        .insert_prepared(&scope.actor(), &issuer.id, &prepared, vec![])
        .await?;
    let award = prepared
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal("no award prepared".into()))?;
    Ok((
        StatusCode::CREATED,
        AppJson(json!({
            "id": award.id,
            "url": state.url(&award.format.path(&award.id)),
            "format": award.format.as_str(),
            "credential": award.credential,
        })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeAward {
    reason: String,
}

/// Marks an award revoked: the hosted page says so, a hosted OB 2.0 assertion answers
/// `revoked: true`, and the OB 3.0 status list is re-signed on its next request.
async fn revoke_award(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, award)): Path<(String, String)>,
    AppJson(body): AppJson<RevokeAward>,
) -> Result<AppJson<Value>, AppError> {
    let scope = authenticate(&state, &headers).await?;
    let id = parse_id("issuer", &id)?;
    require_issuer(&scope, &id)?;
    let award_id = parse_id("award", &award)?;
    check_text("reason", &body.reason, true)?;
    let found = state
        .store()
        .get_award(&award_id)
        .await?
        .filter(|a| a.issuer_id == id)
        .ok_or_else(|| AppError::NotFound(format!("issuer {id} has no award {award_id:?}")))?;
    state
        .store()
        .revoke_award(&scope.actor(), &found.id, &body.reason)
        .await?;
    Ok(AppJson(json!({ "id": found.id, "revoked": true })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn negotiation() {
        assert_eq!(negotiate(None), Wants::Json);
        assert_eq!(negotiate(Some("*/*")), Wants::Json);
        assert_eq!(negotiate(Some("text/html")), Wants::Html);
        assert_eq!(
            negotiate(Some("text/html,application/xhtml+xml,*/*;q=0.8")),
            Wants::Html
        );
        assert_eq!(
            negotiate(Some("text/html;q=0.5, application/ld+json")),
            Wants::Json
        );
        assert_eq!(negotiate(Some("application/json, text/html")), Wants::Json);
        assert_eq!(negotiate(Some("text/html;q=0")), Wants::Json);
        assert_eq!(negotiate(Some("image/png")), Wants::Json);
    }

    #[test]
    fn did_web_encodes_port_and_path() {
        assert_eq!(
            did_web("https://h.example:8443", "x"),
            "did:web:h.example%3A8443:issuers:x"
        );
        assert_eq!(
            did_web("https://h.example/badges/", "x"),
            "did:web:h.example:badges:issuers:x"
        );
    }

    proptest! {
        #[test]
        fn negotiate_never_panics_and_html_needs_html(accept in ".{0,200}") {
            let wants = negotiate(Some(&accept));
            if wants == Wants::Html {
                let lower = accept.to_ascii_lowercase();
                prop_assert!(lower.contains("text/html") || lower.contains("application/xhtml+xml"));
            }
        }
    }
}
