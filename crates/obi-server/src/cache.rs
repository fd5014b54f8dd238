//! Small per-instance caches on the hot paths: hosted OB 3.0 credentials as bytes (they never
//! change once stored), token scopes (for [`TOKEN_TTL`], so a token deleted in the database
//! stops working on every instance within it), and opened issuer keys (issuer keys never
//! change; the key is kept only under the public key it was opened for). Each is bounded and
//! simply emptied when full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;

use crate::records::TokenScope;

/// Most hosted credentials kept.
pub(crate) const MAX_CACHED_CREDENTIALS: usize = 4096;
/// Most bytes of hosted credentials kept.
pub(crate) const MAX_CACHED_CREDENTIAL_BYTES: usize = 32 * 1024 * 1024;
/// Most token scopes kept.
pub(crate) const MAX_CACHED_TOKENS: usize = 1024;
/// How long a token's scope is trusted without asking the database again.
pub(crate) const TOKEN_TTL: Duration = Duration::from_secs(30);
/// Status indexes one instance reserves at a time for single awards (a reservation is a
/// committed write; unused indexes are simply never used, as with any reservation).
pub(crate) const STATUS_BLOCK: i64 = 32;
/// Most opened issuer keys kept.
pub(crate) const MAX_CACHED_KEYS: usize = 1024;

#[derive(Default)]
struct Credentials {
    map: HashMap<String, Bytes>,
    bytes: usize,
}

type KeyEntry = (String, Arc<obi_proof::KeyPair>);

/// The caches of one [`crate::AppState`].
#[derive(Default)]
pub(crate) struct Caches {
    credentials: Mutex<Credentials>,
    tokens: Mutex<HashMap<String, (TokenScope, Instant)>>,
    keys: Mutex<HashMap<String, KeyEntry>>,
    status: Mutex<HashMap<String, Vec<i64>>>,
}

impl Caches {
    pub(crate) fn credential(&self, id: &str) -> Option<Bytes> {
        self.credentials.lock().ok()?.map.get(id).cloned()
    }

    pub(crate) fn put_credential(&self, id: String, bytes: Bytes) {
        if bytes.len() > MAX_CACHED_CREDENTIAL_BYTES / 16 {
            return;
        }
        if let Ok(mut c) = self.credentials.lock() {
            if c.map.len() >= MAX_CACHED_CREDENTIALS
                || c.bytes + bytes.len() > MAX_CACHED_CREDENTIAL_BYTES
            {
                c.map.clear();
                c.bytes = 0;
            }
            c.bytes += bytes.len();
            if let Some(old) = c.map.insert(id, bytes) {
                c.bytes -= old.len();
            }
        }
    }

    /// One of the issuer's reserved status indexes not yet handed out.
    pub(crate) fn take_status_index(&self, issuer: &str) -> Option<i64> {
        self.status.lock().ok()?.get_mut(issuer)?.pop()
    }

    pub(crate) fn put_status_indexes(&self, issuer: &str, indexes: Vec<i64>) {
        if let Ok(mut s) = self.status.lock() {
            if s.len() >= MAX_CACHED_KEYS && !s.contains_key(issuer) {
                // Forgetting reserved indexes only leaves them unused.
                s.clear();
            }
            s.entry(issuer.to_owned()).or_default().extend(indexes);
        }
    }

    pub(crate) fn token(&self, hash: &str) -> Option<TokenScope> {
        let tokens = self.tokens.lock().ok()?;
        let (scope, at) = tokens.get(hash)?;
        (at.elapsed() < TOKEN_TTL).then(|| scope.clone())
    }

    pub(crate) fn put_token(&self, hash: String, scope: TokenScope) {
        if let Ok(mut t) = self.tokens.lock() {
            if t.len() >= MAX_CACHED_TOKENS {
                t.clear();
            }
            t.insert(hash, (scope, Instant::now()));
        }
    }

    pub(crate) fn issuer_key(
        &self,
        issuer: &str,
        public_key: &str,
    ) -> Option<Arc<obi_proof::KeyPair>> {
        let keys = self.keys.lock().ok()?;
        let (public, key) = keys.get(issuer)?;
        (public == public_key).then(|| Arc::clone(key))
    }

    pub(crate) fn put_issuer_key(
        &self,
        issuer: String,
        public_key: String,
        key: Arc<obi_proof::KeyPair>,
    ) {
        if let Ok(mut k) = self.keys.lock() {
            if k.len() >= MAX_CACHED_KEYS {
                k.clear();
            }
            k.insert(issuer, (public_key, key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_cache_is_bounded() {
        let c = Caches::default();
        for i in 0..=MAX_CACHED_CREDENTIALS {
            c.put_credential(i.to_string(), Bytes::from_static(b"{}"));
        }
        let guard = c.credentials.lock().unwrap();
        assert!(guard.map.len() <= MAX_CACHED_CREDENTIALS);
        assert_eq!(guard.bytes, guard.map.len() * 2);
    }

    #[test]
    fn token_scope_expires() {
        let c = Caches::default();
        c.put_token("h".into(), TokenScope::Admin);
        assert!(matches!(c.token("h"), Some(TokenScope::Admin)));
        c.tokens.lock().unwrap().get_mut("h").unwrap().1 = Instant::now() - TOKEN_TTL;
        assert!(c.token("h").is_none());
    }
}
