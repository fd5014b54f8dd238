//! JSON-LD 1.1 for Open Badges: context processing and expansion with safe mode, pinned
//! contexts, document loaders and an active context cache.
//!
//! ```
//! use obi_ld::{Options, PinnedLoader, expand};
//! let doc = serde_json::json!({
//!     "@context": {"name": "http://schema.org/name"},
//!     "name": "x",
//! });
//! let out = expand(&doc, &Options::new(), &PinnedLoader).unwrap();
//! assert_eq!(out[0]["http://schema.org/name"][0]["@value"], "x");
//! ```
//!
//! Input size is the caller's concern: parse untrusted JSON with a bounded parser first.
//! Everything else is bounded by [`Limits`].
#![forbid(unsafe_code)]

mod context;
mod error;
mod expansion;
pub mod iri;
mod loader;
mod node_map;
mod options;
pub mod pinned;
mod processor;
mod to_rdf;

pub use error::{Error, ErrorCode};
pub use loader::{ChainLoader, DocumentLoader, LoadError, MapLoader, PinnedLoader, RemoteDocument};
pub use options::{
    Limits, MAX_CONTEXT_RECURSION, MAX_EXPANSION_DEPTH, MAX_REMOTE_CONTEXTS, Options,
    ProcessingMode,
};
pub use processor::{MAX_CACHED_CONTEXT_BYTES, MAX_CACHED_CONTEXTS, Processor};
pub use to_rdf::{
    MAX_TO_RDF_DEPTH, RdfDirection, ToRdfError, ToRdfOptions, canonical_double, canonical_json,
    expanded_to_rdf, to_rdf,
};

use serde_json::Value;

/// Expand `input` ([JSON-LD 1.1 API §5.1](https://www.w3.org/TR/json-ld11-api/#expansion))
/// loading remote contexts with `loader`. Contexts are cached for this call only; use a
/// [`Processor`] to reuse them across documents.
///
/// # Errors
/// [`Error`] carrying the spec's error code; in safe mode also [`ErrorCode::SafeMode`].
pub fn expand(
    input: &Value,
    options: &Options,
    loader: &dyn DocumentLoader,
) -> Result<Value, Error> {
    let caches = processor::Caches::default();
    let env = processor::Env::new(options, loader, &caches);
    expansion::expand_document(&env, input)
}
