//! Verification-method resolution: did:key built in; did:web and HTTPS controller / key
//! documents through a caller-supplied [`Fetcher`] (the guarded HTTP client lives elsewhere).
//!
//! A method is accepted only when its controller document lists it under the proof purpose
//! (`assertionMethod` for credentials), as VC Data Integrity §4 "Retrieve Verification Method"
//! and the controller-document rules require.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::RwLock;

use serde_json::Value;

use crate::error::ResolveError;
use crate::key::PublicKey;

/// Largest controller / DID document accepted by default (256 KiB).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// Fetches a document over HTTPS. Implementations enforce timeouts, redirect policy and refuse
/// private addresses; obi-proof calls it only with `https://` URLs.
pub trait Fetcher {
    /// Returns the body of `url`, or why it could not be fetched. The body must not exceed
    /// `max_bytes`: stop reading and fail past it (obi-proof checks again).
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String>;
}

/// Resolves a verification method id to the public key it names, checking that its controller
/// authorizes it for `purpose`.
pub trait VerificationMethodResolver {
    /// Resolves `id` (a DID URL or an HTTPS URL) for `purpose` (e.g. `assertionMethod`).
    fn resolve(&self, id: &str, purpose: &str) -> Result<PublicKey, ResolveError>;
}

/// The built-in resolver: did:key always; did:web and HTTPS with a fetcher.
#[derive(Clone, Copy)]
pub struct Resolver<'a> {
    fetcher: Option<&'a dyn Fetcher>,
    max_document_bytes: usize,
}

impl std::fmt::Debug for Resolver<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("fetcher", &self.fetcher.is_some())
            .field("max_document_bytes", &self.max_document_bytes)
            .finish()
    }
}

impl Default for Resolver<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Resolver<'a> {
    /// An offline resolver: did:key only.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            fetcher: None,
            max_document_bytes: MAX_DOCUMENT_BYTES,
        }
    }

    /// Adds a fetcher for did:web and HTTPS documents.
    #[must_use]
    pub const fn with_fetcher(mut self, fetcher: &'a dyn Fetcher) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// Sets the largest document accepted, in bytes.
    #[must_use]
    pub const fn with_max_document_bytes(mut self, max: usize) -> Self {
        self.max_document_bytes = max;
        self
    }

    fn fetch_json(&self, url: &str) -> Result<Value, ResolveError> {
        let fetcher = self
            .fetcher
            .ok_or_else(|| ResolveError::Offline(url.to_string()))?;
        check_https_url(url)?;
        let body = fetcher
            .fetch(url, self.max_document_bytes)
            .map_err(|reason| ResolveError::Fetch {
                url: url.to_string(),
                reason,
            })?;
        if body.len() > self.max_document_bytes {
            return Err(ResolveError::TooLarge {
                url: url.to_string(),
                len: body.len(),
                max: self.max_document_bytes,
            });
        }
        serde_json::from_slice(&body).map_err(|e| ResolveError::Document {
            url: url.to_string(),
            reason: format!("not JSON: {e}"),
        })
    }

    /// Resolves a VC-JWT `kid`: a DID URL (as a verification method for `assertionMethod`), or an
    /// HTTPS URL to a JWK, a JWK Set (matched by `kid`), or a verification method document.
    pub fn resolve_jwt_kid(&self, kid: &str) -> Result<PublicKey, ResolveError> {
        if kid.starts_with("did:") {
            return self.resolve(kid, "assertionMethod");
        }
        let (base, _) = split_fragment(kid);
        let doc = self.fetch_json(base)?;
        if let Some(keys) = doc.get("keys").and_then(Value::as_array) {
            let found = keys
                .iter()
                .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
                .or_else(|| if keys.len() == 1 { keys.first() } else { None })
                .ok_or_else(|| ResolveError::Document {
                    url: base.into(),
                    reason: format!("JWK Set has no key with kid {kid}"),
                })?;
            return Ok(PublicKey::from_jwk(found)?);
        }
        if doc.get("kty").is_some() {
            return Ok(PublicKey::from_jwk(&doc)?);
        }
        if let Some(method) = find_method(&doc, base, kid) {
            return key_from_method(method, kid);
        }
        key_from_method(&doc, kid)
    }
}

fn split_fragment(id: &str) -> (&str, Option<&str>) {
    match id.split_once('#') {
        Some((base, frag)) => (base, Some(frag)),
        None => (id, None),
    }
}

/// Refuses non-HTTPS URLs and hosts that are IP literals in private, loopback or link-local
/// ranges, or `localhost` (the fetcher enforces the same after DNS resolution).
fn check_https_url(url: &str) -> Result<(), ResolveError> {
    let unsupported = |reason: &str| ResolveError::Unsupported {
        id: url.to_string(),
        reason: reason.to_string(),
    };
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| unsupported("only https:// URLs are fetched"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(unsupported("URLs with user information are refused"));
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Err(unsupported("no host"));
    }
    let lower = host.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        return Err(unsupported("localhost is refused"));
    }
    if let Ok(ip) = host.parse::<IpAddr>()
        && !is_public(ip)
    {
        return Err(unsupported(
            "private, loopback or link-local address refused",
        ));
    }
    Ok(())
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] >= 224)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// The HTTPS URL of a did:web DID document (W3C CCG did:web §3.2 Read).
pub fn did_web_url(did: &str) -> Result<String, ResolveError> {
    let invalid = |reason: &str| ResolveError::InvalidDid {
        id: did.to_string(),
        reason: reason.to_string(),
    };
    let rest = did
        .strip_prefix("did:web:")
        .ok_or_else(|| invalid("not did:web"))?;
    let mut parts = rest.split(':');
    let host = parts
        .next()
        .unwrap_or_default()
        .replace("%3A", ":")
        .replace("%3a", ":");
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
    {
        return Err(invalid("bad host"));
    }
    let path: Vec<&str> = parts.collect();
    if path.iter().any(|p| {
        p.is_empty()
            || *p == "."
            || *p == ".."
            || !p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '%'))
    }) {
        return Err(invalid("bad path segment"));
    }
    Ok(if path.is_empty() {
        format!("https://{host}/.well-known/did.json")
    } else {
        format!("https://{host}/{}/did.json", path.join("/"))
    })
}

/// The key a did:key DID URL names (Ed25519, P-256 or RSA); the fragment, if any, must be the
/// multibase key itself.
pub fn resolve_did_key(id: &str) -> Result<PublicKey, ResolveError> {
    let (did, fragment) = split_fragment(id);
    let mb = did
        .strip_prefix("did:key:")
        .ok_or_else(|| ResolveError::InvalidDid {
            id: id.to_string(),
            reason: "not did:key".into(),
        })?;
    if let Some(f) = fragment
        && f != mb
    {
        return Err(ResolveError::InvalidDid {
            id: id.to_string(),
            reason: "the fragment must repeat the multibase key".into(),
        });
    }
    if let Some(hit) = read_cache().get(mb) {
        return Ok(hit.clone());
    }
    let key = PublicKey::from_multikey(mb).map_err(|e| ResolveError::InvalidDid {
        id: id.to_string(),
        reason: e.to_string(),
    })?;
    if mb.len() <= MAX_CACHED_DID_KEY_CHARS {
        let mut cache = DID_KEYS
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() >= DID_KEY_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(mb.to_string(), key.clone());
    }
    Ok(key)
}

/// How many decoded did:key keys [`resolve_did_key`] keeps (process-wide; emptied when full).
/// A did:key is its own key, so caching it changes no result; a verifier checking many
/// credentials of one issuer decodes the key (base58 and a curve point decompression) once.
pub const DID_KEY_CACHE_ENTRIES: usize = 256;

/// Longer multibase keys (RSA) are decoded each time rather than cached.
const MAX_CACHED_DID_KEY_CHARS: usize = 128;

static DID_KEYS: std::sync::LazyLock<RwLock<HashMap<String, PublicKey>>> =
    std::sync::LazyLock::new(RwLock::default);

fn read_cache() -> std::sync::RwLockReadGuard<'static, HashMap<String, PublicKey>> {
    // Entries are inserted whole, so a poisoned lock still holds a consistent map.
    DID_KEYS
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Resolves `reference` (absolute or `#fragment`) against `base`.
fn absolute(reference: &str, base: &str) -> String {
    if reference.starts_with('#') {
        format!("{base}{reference}")
    } else {
        reference.to_string()
    }
}

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// Finds the method object `id` in `doc`'s `verificationMethod` or any relationship list.
fn find_method<'d>(doc: &'d Value, base: &str, id: &str) -> Option<&'d Value> {
    for rel in [
        "verificationMethod",
        "assertionMethod",
        "authentication",
        "publicKey",
    ] {
        for m in as_list(doc.get(rel)) {
            if let Some(mid) = m.get("id").and_then(Value::as_str)
                && absolute(mid, base) == id
            {
                return Some(m);
            }
        }
    }
    None
}

fn authorized(doc: &Value, base: &str, id: &str, purpose: &str) -> bool {
    as_list(doc.get(purpose)).into_iter().any(|m| {
        let mid = m.as_str().or_else(|| m.get("id").and_then(Value::as_str));
        mid.is_some_and(|mid| absolute(mid, base) == id)
    })
}

fn key_from_method(method: &Value, id: &str) -> Result<PublicKey, ResolveError> {
    let doc_err = |reason: String| ResolveError::Document {
        url: id.to_string(),
        reason,
    };
    if let Some(mb) = method.get("publicKeyMultibase").and_then(Value::as_str) {
        return Ok(PublicKey::from_multikey(mb)?);
    }
    if let Some(jwk) = method.get("publicKeyJwk") {
        return Ok(PublicKey::from_jwk(jwk)?);
    }
    if let Some(b58) = method.get("publicKeyBase58").and_then(Value::as_str) {
        let bytes = bs58::decode(b58)
            .into_vec()
            .map_err(|e| doc_err(format!("publicKeyBase58: {e}")))?;
        return Ok(PublicKey::from_ed25519_bytes(&bytes)?);
    }
    Err(doc_err(
        "the verification method has no publicKeyMultibase, publicKeyJwk or publicKeyBase58".into(),
    ))
}

impl VerificationMethodResolver for Resolver<'_> {
    fn resolve(&self, id: &str, purpose: &str) -> Result<PublicKey, ResolveError> {
        if id.starts_with("did:key:") {
            // A did:key document lists its one key under every verification relationship.
            return resolve_did_key(id);
        }
        let (base, fragment) = split_fragment(id);
        if base.starts_with("did:web:") {
            if fragment.is_none() {
                return Err(ResolveError::InvalidDid {
                    id: id.into(),
                    reason: "a did:web verification method needs a #fragment".into(),
                });
            }
            let url = did_web_url(base)?;
            let doc = self.fetch_json(&url)?;
            if doc.get("id").and_then(Value::as_str) != Some(base) {
                return Err(ResolveError::Document {
                    url,
                    reason: format!("document id is not {base}"),
                });
            }
            let method = find_method(&doc, base, id).ok_or_else(|| ResolveError::Document {
                url: url.clone(),
                reason: format!("no verification method {id}"),
            })?;
            check_controller(method, base, id)?;
            if !authorized(&doc, base, id, purpose) {
                return Err(ResolveError::NotAuthorized {
                    id: id.into(),
                    purpose: purpose.into(),
                    controller: base.into(),
                });
            }
            return key_from_method(method, id);
        }
        if base.starts_with("https://") {
            let doc = self.fetch_json(base)?;
            let doc_id = doc.get("id").and_then(Value::as_str);
            if doc_id == Some(id) {
                // A key document: authorization is in its controller's document.
                let controller =
                    doc.get("controller")
                        .and_then(Value::as_str)
                        .ok_or_else(|| ResolveError::Document {
                            url: base.into(),
                            reason: "key document has no controller".into(),
                        })?;
                let (cbase, _) = split_fragment(controller);
                let cdoc = if cbase == base {
                    doc.clone()
                } else {
                    self.fetch_json(cbase)?
                };
                if !authorized(&cdoc, cbase, id, purpose) {
                    return Err(ResolveError::NotAuthorized {
                        id: id.into(),
                        purpose: purpose.into(),
                        controller: controller.into(),
                    });
                }
                return key_from_method(&doc, id);
            }
            if doc_id != Some(base) {
                return Err(ResolveError::Document {
                    url: base.into(),
                    reason: format!("document id is not {base}"),
                });
            }
            let method = find_method(&doc, base, id).ok_or_else(|| ResolveError::Document {
                url: base.into(),
                reason: format!("no verification method {id}"),
            })?;
            check_controller(method, base, id)?;
            if !authorized(&doc, base, id, purpose) {
                return Err(ResolveError::NotAuthorized {
                    id: id.into(),
                    purpose: purpose.into(),
                    controller: base.into(),
                });
            }
            return key_from_method(method, id);
        }
        Err(ResolveError::Unsupported {
            id: id.into(),
            reason: "supported: did:key, did:web, https URLs".into(),
        })
    }
}

fn check_controller(method: &Value, controller: &str, id: &str) -> Result<(), ResolveError> {
    match method.get("controller").and_then(Value::as_str) {
        Some(c) if c == controller => Ok(()),
        other => Err(ResolveError::Document {
            url: id.into(),
            reason: format!(
                "method controller {other:?} is not the document's subject {controller}"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{KeyPair, KeyType};
    use serde_json::json;
    use std::collections::HashMap;

    struct MemFetcher(HashMap<String, Vec<u8>>);
    impl Fetcher for MemFetcher {
        fn fetch(&self, url: &str, _max_bytes: usize) -> Result<Vec<u8>, String> {
            self.0.get(url).cloned().ok_or_else(|| "404".to_string())
        }
    }

    #[test]
    fn did_web_urls() {
        assert_eq!(
            did_web_url("did:web:w3c-ccg.github.io").unwrap(),
            "https://w3c-ccg.github.io/.well-known/did.json"
        );
        assert_eq!(
            did_web_url("did:web:w3c-ccg.github.io:user:alice").unwrap(),
            "https://w3c-ccg.github.io/user/alice/did.json"
        );
        assert_eq!(
            did_web_url("did:web:example.com%3A3000:u").unwrap(),
            "https://example.com:3000/u/did.json"
        );
        assert!(did_web_url("did:web:exa/mple.com").is_err());
        assert!(did_web_url("did:web:example.com:..").is_err());
    }

    #[test]
    fn did_key() {
        let k = resolve_did_key("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2").unwrap();
        assert_eq!(k.key_type(), KeyType::Ed25519);
        assert!(
            resolve_did_key("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#other")
                .is_err()
        );
        let p = KeyPair::generate(KeyType::P256).unwrap().public_key();
        assert_eq!(
            Resolver::new()
                .resolve(&p.did_key_verification_method(), "assertionMethod")
                .unwrap(),
            p
        );
    }

    #[test]
    fn did_web_in_memory() {
        let key = KeyPair::generate(KeyType::Ed25519).unwrap().public_key();
        let did = "did:web:issuer.example:badges";
        let doc = json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": did,
            "verificationMethod": [{
                "id": "#key-1", "type": "Multikey", "controller": did,
                "publicKeyMultibase": key.to_multikey()
            }, {
                "id": format!("{did}#key-2"), "type": "Multikey", "controller": did,
                "publicKeyMultibase": key.to_multikey()
            }],
            "assertionMethod": ["#key-1"]
        });
        let mut map = HashMap::new();
        map.insert(
            "https://issuer.example/badges/did.json".to_string(),
            serde_json::to_vec(&doc).unwrap(),
        );
        let fetcher = MemFetcher(map);
        let r = Resolver::new().with_fetcher(&fetcher);
        assert_eq!(
            r.resolve(&format!("{did}#key-1"), "assertionMethod")
                .unwrap(),
            key
        );
        assert!(matches!(
            r.resolve(&format!("{did}#key-2"), "assertionMethod"),
            Err(ResolveError::NotAuthorized { .. })
        ));
        assert!(
            r.resolve(&format!("{did}#key-3"), "assertionMethod")
                .is_err()
        );
        assert!(matches!(
            Resolver::new().resolve(&format!("{did}#key-1"), "assertionMethod"),
            Err(ResolveError::Offline(_))
        ));
        let small = Resolver::new()
            .with_fetcher(&fetcher)
            .with_max_document_bytes(10);
        assert!(matches!(
            small.resolve(&format!("{did}#key-1"), "assertionMethod"),
            Err(ResolveError::TooLarge { .. })
        ));
    }

    #[test]
    fn key_document_and_jwt_kid() {
        let key = KeyPair::generate(KeyType::P256).unwrap().public_key();
        let controller = "https://issuer.example/profile";
        let key_id = "https://issuer.example/keys/1";
        let key_doc = json!({"id": key_id, "type": "JsonWebKey", "controller": controller,
            "publicKeyJwk": key.to_jwk()});
        let profile = json!({"id": controller, "assertionMethod": [key_id]});
        let jwks = json!({"keys": [
            {"kid": "https://issuer.example/jwks#a", "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            {"kid": "https://issuer.example/jwks#b", "kty": "EC", "crv": "P-256",
             "x": key.to_jwk()["x"], "y": key.to_jwk()["y"]}
        ]});
        let mut map = HashMap::new();
        map.insert(key_id.to_string(), serde_json::to_vec(&key_doc).unwrap());
        map.insert(
            controller.to_string(),
            serde_json::to_vec(&profile).unwrap(),
        );
        map.insert(
            "https://issuer.example/jwks".to_string(),
            serde_json::to_vec(&jwks).unwrap(),
        );
        map.insert(
            "https://issuer.example/jwk".to_string(),
            serde_json::to_vec(&key.to_jwk()).unwrap(),
        );
        let fetcher = MemFetcher(map);
        let r = Resolver::new().with_fetcher(&fetcher);
        assert_eq!(r.resolve(key_id, "assertionMethod").unwrap(), key);
        assert!(matches!(
            r.resolve(key_id, "authentication"),
            Err(ResolveError::NotAuthorized { .. })
        ));
        assert_eq!(
            r.resolve_jwt_kid("https://issuer.example/jwks#b").unwrap(),
            key
        );
        assert_eq!(
            r.resolve_jwt_kid("https://issuer.example/jwk").unwrap(),
            key
        );
        assert!(r.resolve_jwt_kid("https://issuer.example/jwks#c").is_err());
        assert!(r.resolve_jwt_kid("https://issuer.example/missing").is_err());
    }

    #[test]
    fn https_controller_and_private_hosts() {
        let key = KeyPair::generate(KeyType::Ed25519).unwrap().public_key();
        let base = "https://example.edu/issuers/565049";
        let id = format!("{base}#{}", key.to_multikey());
        let doc = json!({
            "id": base,
            "verificationMethod": [{"id": id, "type": "Multikey", "controller": base,
                "publicKeyMultibase": key.to_multikey()}],
            "assertionMethod": [id]
        });
        let mut map = HashMap::new();
        map.insert(base.to_string(), serde_json::to_vec(&doc).unwrap());
        let fetcher = MemFetcher(map);
        let r = Resolver::new().with_fetcher(&fetcher);
        assert_eq!(r.resolve(&id, "assertionMethod").unwrap(), key);
        assert!(r.resolve(&id, "authentication").is_err());
        for bad in [
            "http://example.edu/k#1",
            "https://127.0.0.1/k#1",
            "https://10.0.0.8/k#1",
            "https://[::1]/k#1",
            "https://localhost/k#1",
            "https://169.254.169.254/latest#1",
            "did:web:192.168.1.1#k",
        ] {
            assert!(r.resolve(bad, "assertionMethod").is_err(), "{bad}");
        }
    }
}
