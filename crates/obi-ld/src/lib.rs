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
//! For many documents, use a [`Processor`] (or the process-wide [`Processor::shared_pinned`]):
//! it caches loaded and processed contexts, so a credential using the usual contexts costs
//! only its own expansion.
//!
//! # Safe mode
//!
//! [`Options::with_safe_mode`] (what VC Data Integrity requires) makes expansion fail with
//! [`ErrorCode::SafeMode`] and the JSON path of the offending input instead of silently
//! dropping or reinterpreting anything:
//! - a property that does not expand to an absolute IRI or keyword (an undefined term);
//! - a `@type` value that does not expand to an absolute IRI or blank node without the
//!   document base (a relative type);
//! - an `@id` (or `@type: @id` value, or `@id` map key) that stays relative because there
//!   is no base, or has the form of a keyword (`@ignoreMe`);
//! - a value object with a null `@value`, an object with only `@language`, a free-floating
//!   value or list (all dropped by the algorithm);
//! - a context term with the form of a keyword, a term whose `@id` or `@reverse` has the form
//!   of a keyword (ignored by the algorithm), a relative `@vocab`.
//!
//! When safe mode succeeds, the result equals normal mode's (a property test checks this).
//!
//! # Limits
//!
//! Input size is the caller's concern: parse untrusted JSON with a bounded parser first.
//! Everything else is bounded by [`Limits`] (context nesting and cycles, remote context
//! loads, document depth) and the processor's cache size ([`MAX_CACHED_CONTEXTS`]).
//! This crate never touches the network: remote contexts come from a [`DocumentLoader`].
#![forbid(unsafe_code)]

mod compact;
mod context;
mod error;
mod expansion;
mod flatten;
pub mod iri;
mod loader;
mod node_map;
mod options;
pub mod pinned;
mod processor;
mod to_rdf;
mod tree;

pub use compact::{
    CompactContext, CompactOptions, MAX_COMPACTION_DEPTH, compact, compact_expanded, compact_with,
};
pub use error::{Error, ErrorCode};
pub use flatten::flatten;
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
