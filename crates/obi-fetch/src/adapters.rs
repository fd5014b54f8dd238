//! [`Fetch`] as the other crates' loader traits: [`obi_ld::DocumentLoader`] (remote JSON-LD
//! contexts) and [`obi_proof::Fetcher`] (did:web and HTTPS key documents).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use obi_ld::{DocumentLoader, LoadError, RemoteDocument};
use serde_json::Value;

use crate::cache::{CachingFetcher, DEFAULT_MEMORY_CACHE_ENTRIES, MemoryCache};
use crate::http::HttpFetcher;
use crate::{DEFAULT_MAX_BODY_BYTES, Fetch, FetchError, MapFetcher, NoFetch, Request};

/// The `Accept` header of context fetches.
pub const CONTEXT_ACCEPT: &str = "application/ld+json, application/json;q=0.9, */*;q=0.1";

/// The `Accept` header of controller / DID document fetches.
pub const CONTROLLER_ACCEPT: &str = "application/did+json, application/did+ld+json, \
     application/ld+json;q=0.9, application/json;q=0.8, */*;q=0.1";

/// A JSON-LD document loader on top of any [`Fetch`], keeping parsed documents for the
/// loader's lifetime (at most [`DEFAULT_MEMORY_CACHE_ENTRIES`] unless changed). Off by default in library use: obi-ld's loaders never touch the
/// network. Put the pinned contexts first so they are never fetched:
///
/// ```
/// use obi_fetch::{FetchLoader, FetchPolicy, HttpFetcher};
/// let loader = obi_ld::ChainLoader::pinned_then(FetchLoader::new(HttpFetcher::new(FetchPolicy::new())));
/// ```
#[derive(Debug)]
pub struct FetchLoader<F> {
    fetcher: F,
    max_bytes: usize,
    max_entries: usize,
    documents: Mutex<HashMap<String, RemoteDocument>>,
}

impl<F: Fetch> FetchLoader<F> {
    /// A loader fetching with `fetcher`, bodies capped at [`DEFAULT_MAX_BODY_BYTES`].
    #[must_use]
    pub fn new(fetcher: F) -> Self {
        Self {
            fetcher,
            max_bytes: DEFAULT_MAX_BODY_BYTES,
            max_entries: DEFAULT_MEMORY_CACHE_ENTRIES,
            documents: Mutex::new(HashMap::new()),
        }
    }

    /// The largest context document accepted.
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Keep at most `max` parsed documents (0: fetch every time).
    #[must_use]
    pub fn with_max_entries(mut self, max: usize) -> Self {
        self.max_entries = max;
        self
    }
}

impl<F: Fetch> DocumentLoader for FetchLoader<F> {
    fn load(&self, url: &str) -> Result<RemoteDocument, LoadError> {
        if let Some(doc) = self.documents.lock().ok().and_then(|d| d.get(url).cloned()) {
            return Ok(doc);
        }
        let request = Request::json(url)
            .with_accept(CONTEXT_ACCEPT)
            .with_max_bytes(self.max_bytes);
        let response = self.fetcher.fetch(&request).map_err(|e| match e {
            FetchError::NotFound { url } => LoadError::NotFound(url),
            other => LoadError::Other {
                url: url.to_owned(),
                message: other.to_string(),
            },
        })?;
        let value: Value =
            serde_json::from_slice(&response.body).map_err(|e| LoadError::InvalidJson {
                url: url.to_owned(),
                message: e.to_string(),
            })?;
        let doc = RemoteDocument::new(response.final_url, Arc::new(value));
        if let Ok(mut documents) = self.documents.lock()
            && documents.len() < self.max_entries
        {
            documents.insert(url.to_owned(), doc.clone());
        }
        Ok(doc)
    }
}

/// Any [`Fetch`] as an [`obi_proof::Fetcher`] (for types of other crates; obi-fetch's own
/// fetchers implement it directly).
#[derive(Debug, Clone, Copy)]
pub struct ProofFetcher<F>(pub F);

fn fetch_for_proof(fetcher: &dyn Fetch, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
    let request = Request::json(url)
        .with_accept(CONTROLLER_ACCEPT)
        .with_max_bytes(max_bytes);
    fetcher
        .fetch(&request)
        .map(|r| r.body)
        .map_err(|e| e.to_string())
}

impl<F: Fetch> obi_proof::Fetcher for ProofFetcher<F> {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        fetch_for_proof(&self.0, url, max_bytes)
    }
}

impl obi_proof::Fetcher for dyn Fetch + '_ {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        fetch_for_proof(self, url, max_bytes)
    }
}

macro_rules! proof_fetcher {
    ($($ty:ty),*) => {$(
        impl obi_proof::Fetcher for $ty {
            fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
                fetch_for_proof(self, url, max_bytes)
            }
        }
    )*};
}

proof_fetcher!(HttpFetcher, MapFetcher, NoFetch);

impl<F: Fetch> obi_proof::Fetcher for CachingFetcher<F> {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        fetch_for_proof(self, url, max_bytes)
    }
}

impl<F: Fetch> obi_proof::Fetcher for MemoryCache<F> {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        fetch_for_proof(self, url, max_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_parses_and_keeps_documents() {
        let map = MapFetcher::new()
            .with_json(
                "https://c.example/ctx",
                br#"{"@context":{"a":"urn:a"}}"#.to_vec(),
            )
            .with_json("https://c.example/bad", b"not json".to_vec());
        let loader = FetchLoader::new(map);
        let doc = loader.load("https://c.example/ctx").unwrap();
        assert_eq!(doc.document["@context"]["a"], "urn:a");
        assert!(matches!(
            loader.load("https://c.example/bad"),
            Err(LoadError::InvalidJson { .. })
        ));
        assert!(matches!(
            loader.load("https://c.example/none"),
            Err(LoadError::NotFound(_))
        ));
        let small =
            FetchLoader::new(MapFetcher::new().with_json("https://c.example/ctx", b"{}".to_vec()))
                .with_max_bytes(1);
        assert!(matches!(
            small.load("https://c.example/ctx"),
            Err(LoadError::Other { .. })
        ));
    }

    #[test]
    fn pinned_contexts_come_first() {
        let chain = obi_ld::ChainLoader::pinned_then(FetchLoader::new(NoFetch));
        assert!(chain.load("https://www.w3.org/ns/credentials/v2").is_ok());
        assert!(chain.load("https://x.example/ctx").is_err());
    }

    #[test]
    fn proof_fetcher_passes_the_cap() {
        let map = MapFetcher::new().with_json("https://k.example/did.json", b"{\"id\":1}".to_vec());
        let f: &dyn obi_proof::Fetcher = &map;
        assert_eq!(
            f.fetch("https://k.example/did.json", 100).unwrap(),
            b"{\"id\":1}"
        );
        let e = f.fetch("https://k.example/did.json", 3).unwrap_err();
        assert!(e.contains("3-byte limit"), "{e}");
        let wrapped = ProofFetcher(map);
        assert!(obi_proof::Fetcher::fetch(&wrapped, "https://k.example/x", 9).is_err());
    }
}
