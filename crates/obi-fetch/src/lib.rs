//! Guarded document fetching.
//!
//! Everything in obi that needs a document from elsewhere (a hosted assertion, a badge class,
//! an issuer profile, a revocation or status list, a did:web document, a JSON-LD context that
//! is not pinned) asks a [`Fetch`] for it. The verifier and the proof layer take a
//! `&dyn Fetch`; the caller decides what is reachable: [`MapFetcher`] serves documents the
//! caller supplied (offline), the HTTP fetcher goes to the network with timeouts, size caps and
//! no private-network addresses unless allowed.
//!
//! - [`HttpFetcher`] with a [`FetchPolicy`]: the one guarded HTTP client (module docs of
//!   `http` give the rules and why the client is ureq).
//! - [`CachingFetcher`] (on disk, across runs) and [`MemoryCache`] (one run) in front of any
//!   fetcher.
//! - [`FetchLoader`]: any fetcher as an [`obi_ld::DocumentLoader`] (behind the pinned contexts,
//!   via [`obi_ld::ChainLoader`]); every fetcher of this crate is also an
//!   [`obi_proof::Fetcher`] ([`ProofFetcher`] wraps others).
#![forbid(unsafe_code)]

mod adapters;
mod address;
mod cache;
mod http;
mod policy;

pub use adapters::{CONTEXT_ACCEPT, CONTROLLER_ACCEPT, FetchLoader, ProofFetcher};
pub use address::is_public_address;
pub use cache::{CachingFetcher, DEFAULT_CACHE_MAX_AGE, DEFAULT_MEMORY_CACHE_ENTRIES, MemoryCache};
pub use http::{HttpFetcher, MAX_RESPONSE_HEADER_BYTES, USER_AGENT};
pub use policy::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_REDIRECTS, DEFAULT_TOTAL_TIMEOUT, FetchPolicy,
    MAX_URL_BYTES, UrlParts,
};

use std::collections::HashMap;

/// Largest body any fetch returns by default (2 MiB): Open Badges documents are small.
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// What to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Request<'a> {
    /// The absolute URL.
    pub url: &'a str,
    /// The `Accept` header, e.g. `application/ld+json, application/json`.
    pub accept: &'a str,
    /// The largest body accepted; reading stops and the fetch fails past it.
    pub max_bytes: usize,
}

impl<'a> Request<'a> {
    /// A request for JSON (`application/ld+json, application/json`) with the default body cap.
    #[must_use]
    pub fn json(url: &'a str) -> Self {
        Self {
            url,
            accept: "application/ld+json, application/json;q=0.9, */*;q=0.1",
            max_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// The same request with another `Accept` header.
    #[must_use]
    pub fn with_accept(mut self, accept: &'a str) -> Self {
        self.accept = accept;
        self
    }

    /// The same request with another body cap.
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }
}

/// A fetched document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response {
    /// The URL the body came from, after any redirects.
    pub final_url: String,
    /// The `Content-Type` header, if any (media type and parameters as sent).
    pub content_type: Option<String>,
    /// The body, at most the request's `max_bytes` long.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with the given parts.
    #[must_use]
    pub fn new(final_url: impl Into<String>, content_type: Option<String>, body: Vec<u8>) -> Self {
        Self {
            final_url: final_url.into(),
            content_type,
            body,
        }
    }
}

/// Why a document could not be fetched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is not an absolute `http(s)` URL, or its scheme is not allowed.
    #[error("{url}: not a fetchable URL: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The host resolves to an address the policy forbids (loopback, private, link-local...).
    #[error("{url}: refused: {address} is a private or reserved address")]
    ForbiddenAddress {
        /// The URL as given.
        url: String,
        /// The address it resolved to.
        address: String,
    },
    /// The body is larger than the cap.
    #[error("{url}: body larger than the {limit}-byte limit")]
    TooLarge {
        /// The URL as given.
        url: String,
        /// The cap that was exceeded.
        limit: usize,
    },
    /// The server answered with a status other than 2xx (after redirects).
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL as given.
        url: String,
        /// The status code.
        status: u16,
    },
    /// No document for this URL (an offline fetcher that does not know it).
    #[error("{url}: not available offline (supply it with --doc URL=FILE)")]
    NotFound {
        /// The URL as given.
        url: String,
    },
    /// Timed out, too many redirects, connection or TLS failure.
    #[error("{url}: {reason}")]
    Transport {
        /// The URL as given.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// Fetches documents. Implementations must be safe to share between threads.
pub trait Fetch: Send + Sync {
    /// Fetches `request.url`, or says why not.
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError>;
}

impl<T: Fetch + ?Sized> Fetch for &T {
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        (**self).fetch(request)
    }
}

impl<T: Fetch + ?Sized> Fetch for Box<T> {
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        (**self).fetch(request)
    }
}

impl<T: Fetch + ?Sized> Fetch for std::sync::Arc<T> {
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        (**self).fetch(request)
    }
}

/// An offline fetcher that serves documents the caller supplied, by exact URL.
#[derive(Debug, Clone, Default)]
pub struct MapFetcher {
    documents: HashMap<String, (Option<String>, Vec<u8>)>,
}

impl MapFetcher {
    /// An empty map: every fetch fails with [`FetchError::NotFound`].
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `body` (with `content_type`) at `url`.
    pub fn insert(
        &mut self,
        url: impl Into<String>,
        content_type: Option<String>,
        body: impl Into<Vec<u8>>,
    ) {
        self.documents
            .insert(url.into(), (content_type, body.into()));
    }

    /// The same map, also serving `body` at `url` as JSON.
    #[must_use]
    pub fn with_json(mut self, url: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        self.insert(url, Some("application/json".to_owned()), body);
        self
    }
}

impl Fetch for MapFetcher {
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        let (content_type, body) =
            self.documents
                .get(request.url)
                .ok_or_else(|| FetchError::NotFound {
                    url: request.url.to_owned(),
                })?;
        if body.len() > request.max_bytes {
            return Err(FetchError::TooLarge {
                url: request.url.to_owned(),
                limit: request.max_bytes,
            });
        }
        Ok(Response::new(
            request.url,
            content_type.clone(),
            body.clone(),
        ))
    }
}

/// A fetcher that refuses everything: the default for offline verification.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFetch;

impl Fetch for NoFetch {
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        Err(FetchError::NotFound {
            url: request.url.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_fetcher_serves_exact_urls_within_the_cap() {
        let f = MapFetcher::new().with_json("https://a.example/x", b"{}".to_vec());
        let ok = f.fetch(&Request::json("https://a.example/x")).unwrap();
        assert_eq!(ok.body, b"{}");
        assert!(matches!(
            f.fetch(&Request::json("https://a.example/x/")),
            Err(FetchError::NotFound { .. })
        ));
        assert!(matches!(
            f.fetch(&Request::json("https://a.example/x").with_max_bytes(1)),
            Err(FetchError::TooLarge { limit: 1, .. })
        ));
        assert!(
            NoFetch
                .fetch(&Request::json("https://a.example/x"))
                .is_err()
        );
    }
}
