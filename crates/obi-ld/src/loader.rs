//! Document loaders: where remote contexts come from. This crate never touches the network;
//! [`PinnedLoader`] serves the contexts compiled into the binary, [`MapLoader`] serves documents
//! the caller supplies, and [`ChainLoader`] tries several loaders in order.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::pinned;

/// A loaded JSON-LD document.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RemoteDocument {
    /// The final URL of the document (after any redirect); the base for its relative IRIs.
    pub document_url: String,
    /// The parsed document.
    pub document: Arc<Value>,
    /// A context URL from an HTTP `Link` header, if the loader knows one.
    pub context_url: Option<String>,
}

impl RemoteDocument {
    /// A document at `url`.
    #[must_use]
    pub fn new(url: impl Into<String>, document: Arc<Value>) -> Self {
        RemoteDocument {
            document_url: url.into(),
            document,
            context_url: None,
        }
    }
}

/// Why a document could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The loader does not serve this URL (for [`PinnedLoader`]: obi pins no such context).
    #[error("no document is available for {0} (this loader does not fetch; supply it explicitly)")]
    NotFound(String),
    /// The document exists but is not valid JSON.
    #[error("document {url} is not valid JSON: {message}")]
    InvalidJson {
        /// The URL.
        url: String,
        /// The parser's message.
        message: String,
    },
    /// Any other failure, described.
    #[error("loading {url} failed: {message}")]
    Other {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
}

/// Loads documents (remote contexts) by URL.
pub trait DocumentLoader: Send + Sync {
    /// The document at `url`.
    ///
    /// # Errors
    /// [`LoadError`] when the document is unavailable or not JSON.
    fn load(&self, url: &str) -> Result<RemoteDocument, LoadError>;
}

impl<T: DocumentLoader + ?Sized> DocumentLoader for &T {
    fn load(&self, url: &str) -> Result<RemoteDocument, LoadError> {
        (**self).load(url)
    }
}

impl<T: DocumentLoader + ?Sized> DocumentLoader for Arc<T> {
    fn load(&self, url: &str) -> Result<RemoteDocument, LoadError> {
        (**self).load(url)
    }
}

impl<T: DocumentLoader + ?Sized> DocumentLoader for Box<T> {
    fn load(&self, url: &str) -> Result<RemoteDocument, LoadError> {
        (**self).load(url)
    }
}

/// Serves only the pinned contexts of [`crate::pinned::PINNED`], parsed once per process;
/// refuses every other URL.
#[derive(Debug, Clone, Copy, Default)]
pub struct PinnedLoader;

fn parsed_pinned() -> &'static HashMap<&'static str, Result<Arc<Value>, String>> {
    static PARSED: OnceLock<HashMap<&'static str, Result<Arc<Value>, String>>> = OnceLock::new();
    PARSED.get_or_init(|| {
        pinned::PINNED
            .iter()
            .map(|(url, text)| {
                (
                    *url,
                    serde_json::from_str::<Value>(text)
                        .map(Arc::new)
                        .map_err(|e| e.to_string()),
                )
            })
            .collect()
    })
}

impl DocumentLoader for PinnedLoader {
    fn load(&self, url: &str) -> Result<RemoteDocument, LoadError> {
        match parsed_pinned().get(url) {
            Some(Ok(doc)) => Ok(RemoteDocument::new(url, Arc::clone(doc))),
            Some(Err(message)) => Err(LoadError::InvalidJson {
                url: url.to_owned(),
                message: message.clone(),
            }),
            None => Err(LoadError::NotFound(url.to_owned())),
        }
    }
}

/// Serves documents the caller supplies, by exact URL (e.g. `--doc URL=FILE`, tests).
#[derive(Debug, Clone, Default)]
pub struct MapLoader {
    docs: HashMap<String, Arc<Value>>,
}

impl MapLoader {
    /// An empty loader.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) the document served at `url`.
    pub fn insert(&mut self, url: impl Into<String>, document: Value) {
        self.docs.insert(url.into(), Arc::new(document));
    }

    /// Add the document at `url` from JSON text.
    ///
    /// # Errors
    /// [`LoadError::InvalidJson`] when `json` does not parse.
    pub fn insert_json(&mut self, url: impl Into<String>, json: &str) -> Result<(), LoadError> {
        let url = url.into();
        let value = serde_json::from_str(json).map_err(|e| LoadError::InvalidJson {
            url: url.clone(),
            message: e.to_string(),
        })?;
        self.docs.insert(url, Arc::new(value));
        Ok(())
    }

    /// Builder form of [`MapLoader::insert`].
    #[must_use]
    pub fn with(mut self, url: impl Into<String>, document: Value) -> Self {
        self.insert(url, document);
        self
    }

    /// Number of documents.
    #[must_use]
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether there are no documents.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
}

impl DocumentLoader for MapLoader {
    fn load(&self, url: &str) -> Result<RemoteDocument, LoadError> {
        self.docs
            .get(url)
            .map(|d| RemoteDocument::new(url, Arc::clone(d)))
            .ok_or_else(|| LoadError::NotFound(url.to_owned()))
    }
}

/// Tries each loader in order; the first that does not answer [`LoadError::NotFound`] wins.
#[derive(Default)]
pub struct ChainLoader {
    loaders: Vec<Box<dyn DocumentLoader>>,
}

impl ChainLoader {
    /// An empty chain (refuses everything).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The usual chain: pinned contexts first, then `other`.
    #[must_use]
    pub fn pinned_then(other: impl DocumentLoader + 'static) -> Self {
        Self::new().then(PinnedLoader).then(other)
    }

    /// Append a loader to the chain.
    #[must_use]
    pub fn then(mut self, loader: impl DocumentLoader + 'static) -> Self {
        self.loaders.push(Box::new(loader));
        self
    }
}

impl std::fmt::Debug for ChainLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainLoader")
            .field("loaders", &self.loaders.len())
            .finish()
    }
}

impl DocumentLoader for ChainLoader {
    fn load(&self, url: &str) -> Result<RemoteDocument, LoadError> {
        for loader in &self.loaders {
            match loader.load(url) {
                Err(LoadError::NotFound(_)) => {}
                other => return other,
            }
        }
        Err(LoadError::NotFound(url.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_serves_pinned_and_refuses_others() {
        let doc = PinnedLoader
            .load("https://www.w3.org/ns/credentials/v2")
            .unwrap();
        assert!(doc.document.get("@context").is_some());
        let e = PinnedLoader.load("https://evil.example/ctx").unwrap_err();
        assert!(e.to_string().contains("https://evil.example/ctx"));
    }

    #[test]
    fn chain_falls_through() {
        let map = MapLoader::new().with("https://x.example/c", serde_json::json!({"@context": {}}));
        let chain = ChainLoader::pinned_then(map);
        assert!(chain.load("https://x.example/c").is_ok());
        assert!(chain.load("https://www.w3.org/ns/credentials/v2").is_ok());
        assert!(matches!(
            chain.load("https://y.example/"),
            Err(LoadError::NotFound(_))
        ));
    }
}
