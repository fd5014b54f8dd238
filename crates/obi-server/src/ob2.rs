//! OB 2.0 hosting: `ob2-hosted` awards are Assertions at `/assertions/{id}` (a revoked one
//! answers `revoked: true` with its reason), their BadgeClass at `/badgeclasses/{id}`, the
//! issuer Profile at `/issuers/{id}/ob2`, its CryptographicKey at `/issuers/{id}/ob2/key` and
//! its RevocationList at `/issuers/{id}/ob2/revocations`.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse as _, Response};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::app::{AppState, Wants, load_issuer, parse_id};
use crate::error::AppError;
use crate::issuing::OB2_CONTEXT;
use crate::records::{AchievementRecord, IssuerRecord};

/// The image of badge classes whose achievement has none: a plain SVG medal.
const DEFAULT_BADGE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120"><circle cx="60" cy="60" r="54" fill="#2b5c8a"/><circle cx="60" cy="60" r="40" fill="none" stroke="#fff" stroke-width="6"/></svg>"##;

/// SubjectPublicKeyInfo PEM of an Ed25519 key (RFC 8410).
fn ed25519_pem(key: &[u8; 32]) -> String {
    const PREFIX: [u8; 12] = [
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    let mut der = PREFIX.to_vec();
    der.extend_from_slice(key);
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n")
}

/// The issuer's OB 2.0 signing key (RSA, RS256) and its CryptographicKey URL, made and
/// stored (sealed) on first use.
pub(crate) async fn signing_key(
    state: &AppState,
    issuer: &IssuerRecord,
) -> Result<(std::sync::Arc<obi_proof::KeyPair>, String), AppError> {
    let context = format!("ob2:{}", issuer.id);
    let stored = match state.store().ob2_key(&issuer.id).await? {
        Some(k) => k,
        None => {
            let key = tokio::task::spawn_blocking(|| {
                obi_proof::KeyPair::generate(obi_proof::KeyType::Rsa)
            })
            .await
            .map_err(|e| AppError::Internal(format!("key generation task failed: {e}")))?
            .map_err(|e| AppError::Internal(format!("RSA key generation: {e}")))?;
            let pem = key
                .public_key()
                .to_public_key_pem()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let secret = key.to_private_jwk().to_string();
            let sealed = state
                .sealer()
                .seal(secret.as_bytes(), &context)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            // A concurrent first use may have stored one already: theirs wins, ours is dropped.
            state
                .store()
                .insert_ob2_key(&issuer.id, &pem, &sealed)
                .await?;
            state
                .store()
                .ob2_key(&issuer.id)
                .await?
                .ok_or_else(|| AppError::Internal("OB 2.0 key not stored".into()))?
        }
    };
    let secret = state
        .sealer()
        .open(&stored.1, &context)
        .map_err(|e| AppError::Internal(format!("issuer {} OB 2.0 key: {e}", issuer.id)))?;
    let jwk: Value = serde_json::from_slice(&secret)
        .map_err(|e| AppError::Internal(format!("issuer {} OB 2.0 key: {e}", issuer.id)))?;
    let key = obi_proof::KeyPair::from_jwk(&jwk)
        .map_err(|e| AppError::Internal(format!("issuer {} OB 2.0 key: {e}", issuer.id)))?;
    Ok((std::sync::Arc::new(key), key_url(state, &issuer.id)))
}

pub(crate) fn profile_url(state: &AppState, issuer_id: &str) -> String {
    state.url(&format!("/issuers/{issuer_id}/ob2"))
}

fn key_url(state: &AppState, issuer_id: &str) -> String {
    state.url(&format!("/issuers/{issuer_id}/ob2/key"))
}

fn revocations_url(state: &AppState, issuer_id: &str) -> String {
    state.url(&format!("/issuers/{issuer_id}/ob2/revocations"))
}

fn profile(state: &AppState, issuer: &IssuerRecord) -> Value {
    let mut doc = json!({
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": profile_url(state, &issuer.id),
        "name": issuer.name,
        "url": issuer.url.clone().unwrap_or_else(|| state.url("/")),
        "publicKey": key_url(state, &issuer.id),
        "revocationList": revocations_url(state, &issuer.id),
    });
    if let (Some(e), Some(obj)) = (&issuer.email, doc.as_object_mut()) {
        obj.insert("email".into(), json!(e));
    }
    doc
}

fn badge_class(state: &AppState, a: &AchievementRecord) -> Value {
    let image = a.image.clone().unwrap_or_else(|| {
        format!(
            "data:image/svg+xml;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(DEFAULT_BADGE_SVG)
        )
    });
    json!({
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": state.url(&format!("/badgeclasses/{}", a.id)),
        "name": a.name,
        "description": a.description,
        "image": image,
        "criteria": { "narrative": a.criteria },
        "issuer": profile_url(state, &a.issuer_id),
    })
}

fn json_response(value: &Value) -> Response {
    crate::app::ld_json(value)
}

/// `GET /assertions/{id}`: an `ob2-hosted` award.
pub(crate) async fn assertion(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id("assertion", &id)?;
    let award = state
        .store()
        .get_award(&id)
        .await?
        .filter(|a| a.format == "ob2-hosted" || a.format == "ob2-signed")
        .ok_or_else(|| AppError::NotFound(format!("no assertion with id {id:?}")))?;
    if let Value::String(jws) = &award.credential {
        let media = headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if media.contains("application/jwt") || media.starts_with("text/plain") {
            let mut res = jws.clone().into_response();
            res.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/jwt"),
            );
            return Ok(res);
        }
    }
    let mut doc = match &award.credential {
        Value::String(jws) => obi_proof::Jws::parse(jws)
            .ok()
            .and_then(|j| serde_json::from_slice::<Value>(j.payload()).ok())
            .ok_or_else(|| {
                AppError::Internal(format!("award {}: stored JWS unreadable", award.id))
            })?,
        _ => crate::app::hosted_credential_json(&award),
    };
    if award.revoked
        && let Some(obj) = doc.as_object_mut()
    {
        obj.insert("revoked".into(), json!(true));
    }
    if award.revoked
        && let Some(obj) = doc.as_object_mut()
        && let Some(reason) = state.store().revocation_reason(&award.id).await?
    {
        obj.insert("revocationReason".into(), json!(reason));
    }
    Ok(match crate::app::accept(&headers) {
        Wants::Json => json_response(&doc),
        Wants::Html => crate::app::credential_page(&state, doc, award.revoked).await?,
    })
}

/// `GET /badgeclasses/{id}`.
pub(crate) async fn badge_class_doc(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id("badge class", &id)?;
    let a = state
        .store()
        .get_achievement(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no badge class with id {id:?}")))?;
    Ok(match crate::app::accept(&headers) {
        Wants::Json => json_response(&badge_class(&state, &a)),
        Wants::Html => {
            let issuer = state.store().get_issuer(&a.issuer_id).await?;
            crate::app::html(crate::pages::achievement(&a, issuer.as_ref()))
        }
    })
}

/// `GET /issuers/{id}/ob2`.
pub(crate) async fn issuer_profile(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issuer = load_issuer(&state, &id).await?;
    Ok(match crate::app::accept(&headers) {
        Wants::Json => json_response(&profile(&state, &issuer)),
        Wants::Html => {
            crate::app::html(crate::pages::issuer(&issuer, &state.issuer_did(&issuer.id)))
        }
    })
}

/// JSON, or the generic document page for `text/html`.
fn negotiated(headers: &HeaderMap, title: &str, what: &str, doc: &Value) -> Response {
    match crate::app::accept(headers) {
        Wants::Json => json_response(doc),
        Wants::Html => crate::app::html(crate::pages::document(title, what, doc)),
    }
}

/// `GET /issuers/{id}/ob2/key`: the issuer's Ed25519 public key as a CryptographicKey (PEM).
pub(crate) async fn issuer_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issuer = load_issuer(&state, &id).await?;
    let title = format!("Public key of {}", issuer.name);
    let what = "The Open Badges 2.0 CryptographicKey that checks this issuer's signed assertions.";
    if let Some((pem, _)) = state.store().ob2_key(&issuer.id).await? {
        return Ok(negotiated(
            &headers,
            &title,
            what,
            &json!({
                "@context": OB2_CONTEXT,
                "type": "CryptographicKey",
                "id": key_url(&state, &issuer.id),
                "owner": profile_url(&state, &issuer.id),
                "publicKeyPem": pem,
            }),
        ));
    }
    let key = obi_proof::PublicKey::from_multikey(&issuer.public_key)
        .map_err(|e| AppError::Internal(format!("issuer {} key: {e}", issuer.id)))?;
    let pem = match key.ed25519_bytes() {
        Some(bytes) => ed25519_pem(&bytes),
        None => key
            .to_public_key_pem()
            .map_err(|e| AppError::Internal(format!("issuer {} key: {e}", issuer.id)))?,
    };
    Ok(negotiated(
        &headers,
        &title,
        what,
        &json!({
            "@context": OB2_CONTEXT,
            "type": "CryptographicKey",
            "id": key_url(&state, &issuer.id),
            "owner": profile_url(&state, &issuer.id),
            "publicKeyPem": pem,
        }),
    ))
}

/// `GET /issuers/{id}/ob2/revocations`: the RevocationList of the issuer's revoked OB 2.0
/// assertions.
pub(crate) async fn revocation_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issuer = load_issuer(&state, &id).await?;
    let mut revoked = state
        .store()
        .revoked_awards(&issuer.id, "ob2-signed")
        .await?;
    revoked.extend(
        state
            .store()
            .revoked_awards(&issuer.id, "ob2-hosted")
            .await?,
    );
    let revoked: Vec<Value> = revoked
        .into_iter()
        .map(|(id, reason)| {
            let mut entry = json!({ "id": state.url(&format!("/assertions/{id}")) });
            if let (Some(r), Some(obj)) = (reason, entry.as_object_mut()) {
                obj.insert("revocationReason".into(), json!(r));
            }
            entry
        })
        .collect();
    Ok(negotiated(
        &headers,
        &format!("Revoked badges of {}", issuer.name),
        "The Open Badges 2.0 RevocationList of this issuer: the assertions it has revoked, with the reasons given.",
        &json!({
            "@context": OB2_CONTEXT,
            "type": "RevocationList",
            "id": revocations_url(&state, &issuer.id),
            "issuer": profile_url(&state, &issuer.id),
            "revokedAssertions": revoked,
        }),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ed25519_pem_is_spki() {
        let pem = super::ed25519_pem(&[7; 32]);
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
    }
}
