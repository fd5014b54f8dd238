//! The processor: a document loader plus caches of loaded and processed contexts, so that
//! expanding many documents with the same contexts parses and processes each context once.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use obi_rdf::Quad;
use serde_json::Value;

use crate::context::{ActiveContext, ProcessFlags, process_context};
use crate::error::{Error, ErrorCode, err};
use crate::loader::DocumentLoader;
use crate::options::{Options, ProcessingMode};
use crate::to_rdf::{ToRdfError, ToRdfOptions};

/// Default for [`Processor::with_max_cached_contexts`]: entries each cache (documents, scoped,
/// embedded and initial contexts) keeps at most; a full cache is emptied and refilled.
pub const MAX_CACHED_CONTEXTS: usize = 1024;

type ScopedKey = (usize, usize, ProcessFlags, bool, ProcessingMode);
/// (base URL, kept-alive active context, kept-alive scoped context, result).
type ScopedEntry = (
    Option<String>,
    Arc<ActiveContext>,
    Arc<Value>,
    Arc<ActiveContext>,
);
type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<crate::context::FxHasher>>;
type EmbeddedKey = (usize, String, Option<String>, bool, ProcessingMode);
type EmbeddedEntry = (Arc<ActiveContext>, Arc<ActiveContext>);

/// Embedded contexts larger than this (serialized) are processed without caching.
pub const MAX_CACHED_CONTEXT_BYTES: usize = 64 * 1024;

pub(crate) struct Caches {
    max_entries: usize,
    /// Base IRI -> the initial context for it (one stable address per base, so that the
    /// other caches, keyed by address, hit across documents).
    initial: RwLock<HashMap<Option<String>, Arc<ActiveContext>>>,
    /// URL -> (document URL, the document's `@context` value).
    documents: RwLock<HashMap<String, (String, Arc<Value>)>>,
    /// (active context, scoped context, flags, base URL, safe mode, mode) -> result. The entry
    /// keeps both inputs alive, so their addresses cannot be reused while cached.
    scoped: RwLock<FxMap<ScopedKey, Vec<ScopedEntry>>>,
    /// Embedded `@context` values: (active context, the context serialized, base URL, safe
    /// mode, mode) -> result. The entry keeps the active context alive, so its address cannot
    /// be reused while cached.
    embedded: RwLock<HashMap<EmbeddedKey, EmbeddedEntry>>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches::with_max_entries(MAX_CACHED_CONTEXTS)
    }
}

impl Caches {
    fn with_max_entries(max_entries: usize) -> Self {
        Caches {
            max_entries: max_entries.max(1),
            initial: RwLock::default(),
            documents: RwLock::default(),
            scoped: RwLock::default(),
            embedded: RwLock::default(),
        }
    }
}

/// Make room for one more entry in `map`, emptying it when full.
fn make_room<K, V, S>(map: &mut HashMap<K, V, S>, max: usize) {
    if map.len() >= max {
        map.clear();
    }
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches").finish_non_exhaustive()
    }
}

/// What one expansion runs with.
pub(crate) struct Env<'a> {
    pub options: &'a Options,
    pub loader: &'a dyn DocumentLoader,
    pub caches: &'a Caches,
    loads: Cell<usize>,
}

fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    // A panic while holding the lock cannot leave a cache inconsistent (entries are inserted
    // whole), so a poisoned lock is still usable.
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl<'a> Env<'a> {
    pub(crate) fn new(
        options: &'a Options,
        loader: &'a dyn DocumentLoader,
        caches: &'a Caches,
    ) -> Self {
        Env {
            options,
            loader,
            caches,
            loads: Cell::new(0),
        }
    }

    /// Dereference a remote context: `(document URL, its @context value)`.
    pub(crate) fn load_context(&self, url: &str) -> Result<(String, Arc<Value>), Error> {
        let n = self.loads.get() + 1;
        self.loads.set(n);
        let max = self.options.limits.max_remote_contexts.saturating_mul(4);
        if n > max {
            return err(
                ErrorCode::ContextOverflow,
                format!(
                    "more than {max} remote context loads in one expansion (4 x max_remote_contexts)"
                ),
            );
        }
        if let Some(hit) = read(&self.caches.documents).get(url) {
            return Ok(hit.clone());
        }
        // Spec §4.1.2 step 5.2.5: a context that cannot be dereferenced or parsed is a
        // "loading remote context failed".
        let doc = self
            .loader
            .load(url)
            .map_err(|e| Error::new(ErrorCode::LoadingRemoteContextFailed, e.to_string()))?;
        let Some(ctx) = doc.document.as_object().and_then(|o| o.get("@context")) else {
            return err(
                ErrorCode::InvalidRemoteContext,
                format!("remote context {url} is not an object with @context"),
            );
        };
        let entry = (doc.document_url.clone(), Arc::new(ctx.clone()));
        let mut cache = write(&self.caches.documents);
        make_room(&mut cache, self.caches.max_entries);
        cache.insert(url.to_owned(), entry.clone());
        Ok(entry)
    }

    /// The initial context for `base`, one shared value per base.
    pub(crate) fn initial_context(&self, base: Option<&str>) -> Arc<ActiveContext> {
        let key = base.map(str::to_owned);
        if let Some(hit) = read(&self.caches.initial).get(&key) {
            return Arc::clone(hit);
        }
        let mut cache = write(&self.caches.initial);
        if let Some(hit) = cache.get(&key) {
            return Arc::clone(hit);
        }
        make_room(&mut cache, self.caches.max_entries);
        let ctx = Arc::new(ActiveContext::new(base.map(str::to_owned)));
        cache.insert(key, Arc::clone(&ctx));
        ctx
    }

    /// Process a scoped context (from a term definition) against `active`, cached.
    pub(crate) fn process_scoped(
        &self,
        active: &Arc<ActiveContext>,
        ctx: &Arc<Value>,
        base_url: Option<&str>,
        flags: ProcessFlags,
    ) -> Result<Arc<ActiveContext>, Error> {
        let key: ScopedKey = (
            Arc::as_ptr(active) as usize,
            Arc::as_ptr(ctx) as usize,
            flags,
            self.options.safe_mode,
            self.options.processing_mode,
        );
        if let Some(entries) = read(&self.caches.scoped).get(&key)
            && let Some((_, _, _, r)) = entries.iter().find(|e| e.0.as_deref() == base_url)
        {
            return Ok(Arc::clone(r));
        }
        let r = process_context(self, active, ctx, base_url, &mut Vec::new(), flags, 0)?;
        let mut cache = write(&self.caches.scoped);
        make_room(&mut cache, self.caches.max_entries);
        cache.entry(key).or_default().push((
            base_url.map(str::to_owned),
            Arc::clone(active),
            Arc::clone(ctx),
            Arc::clone(&r),
        ));
        Ok(r)
    }

    /// Process a context without caching (embedded contexts).
    pub(crate) fn process(
        &self,
        active: &Arc<ActiveContext>,
        ctx: &Value,
        base_url: Option<&str>,
        flags: ProcessFlags,
    ) -> Result<Arc<ActiveContext>, Error> {
        process_context(self, active, ctx, base_url, &mut Vec::new(), flags, 0)
    }

    /// Process an embedded `@context` (cached by its serialization).
    pub(crate) fn process_embedded(
        &self,
        active: &Arc<ActiveContext>,
        ctx: &Value,
        base_url: Option<&str>,
    ) -> Result<Arc<ActiveContext>, Error> {
        let text = cache_key_text(ctx);
        if text.len() > MAX_CACHED_CONTEXT_BYTES {
            return self.process(active, ctx, base_url, ProcessFlags::default());
        }
        let key: EmbeddedKey = (
            Arc::as_ptr(active) as usize,
            text,
            base_url.map(str::to_owned),
            self.options.safe_mode,
            self.options.processing_mode,
        );
        if let Some((_, hit)) = read(&self.caches.embedded).get(&key) {
            return Ok(Arc::clone(hit));
        }
        let r = self.process(active, ctx, base_url, ProcessFlags::default())?;
        let mut cache = write(&self.caches.embedded);
        make_room(&mut cache, self.caches.max_entries);
        cache.insert(key, (Arc::clone(active), Arc::clone(&r)));
        Ok(r)
    }
}

/// The text an embedded context is cached under: its JSON serialization, or for the usual
/// context (a URL or an array of URLs) a cheaper unambiguous form that no serialization
/// has (it starts with a control character, which JSON text never does).
fn cache_key_text(ctx: &Value) -> String {
    fn push_url(out: &mut String, url: &str) {
        // Writing to a String cannot fail.
        let _ = write!(out, "{}:{url}", url.len());
    }
    match ctx {
        Value::String(url) => {
            let mut out = String::with_capacity(url.len() + 8);
            out.push('\u{1}');
            push_url(&mut out, url);
            out
        }
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let len = items
                .iter()
                .filter_map(Value::as_str)
                .map(str::len)
                .sum::<usize>();
            let mut out = String::with_capacity(len + 8 * items.len() + 1);
            out.push('\u{2}');
            for url in items.iter().filter_map(Value::as_str) {
                push_url(&mut out, url);
            }
            out
        }
        other => other.to_string(),
    }
}

/// A JSON-LD processor: a document loader and an active context cache shared by every
/// expansion it runs. `Send + Sync`; share one per process.
pub struct Processor {
    loader: Arc<dyn DocumentLoader>,
    caches: Caches,
}

impl std::fmt::Debug for Processor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processor").finish_non_exhaustive()
    }
}

impl Processor {
    /// A processor loading remote contexts with `loader`.
    pub fn new(loader: impl DocumentLoader + 'static) -> Self {
        Processor {
            loader: Arc::new(loader),
            caches: Caches::default(),
        }
    }

    /// Bound each of the processor's caches to `n` entries (default [`MAX_CACHED_CONTEXTS`]).
    /// A cached processed context costs roughly the size of its term definitions.
    #[must_use]
    pub fn with_max_cached_contexts(mut self, n: usize) -> Self {
        self.caches = Caches::with_max_entries(n);
        self
    }

    /// A processor that serves only the pinned contexts.
    #[must_use]
    pub fn pinned() -> Self {
        Self::new(crate::loader::PinnedLoader)
    }

    /// One process-wide pinned-only processor, so that code signing or verifying many
    /// credentials processes each pinned context once (the first expansion with the OB 3.0
    /// contexts costs about a millisecond; later ones reuse the processed contexts).
    #[must_use]
    pub fn shared_pinned() -> &'static Processor {
        static SHARED: std::sync::OnceLock<Processor> = std::sync::OnceLock::new();
        SHARED.get_or_init(Processor::pinned)
    }

    /// Expand `input` ([JSON-LD 1.1 API §5.1](https://www.w3.org/TR/json-ld11-api/#expansion)),
    /// reusing contexts processed by earlier calls.
    ///
    /// # Errors
    /// [`Error`] with the spec's error code; in safe mode also [`ErrorCode::SafeMode`].
    pub fn expand(&self, input: &Value, options: &Options) -> Result<Value, Error> {
        let env = Env::new(options, &*self.loader, &self.caches);
        crate::expansion::expand_document(&env, input)
    }

    /// Expand `input` and turn it into RDF quads ([JSON-LD 1.1 API
    /// §8.1](https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm)) without
    /// building the expanded document as a `Value`: the same quads and errors as
    /// [`crate::expanded_to_rdf`] of [`Processor::expand`], at about half the cost.
    ///
    /// # Errors
    /// [`ToRdfError::Expansion`] when expansion fails, otherwise as [`crate::expanded_to_rdf`].
    pub fn to_rdf(
        &self,
        input: &Value,
        options: &Options,
        rdf: &ToRdfOptions,
    ) -> Result<Vec<Quad>, ToRdfError> {
        let env = Env::new(options, &*self.loader, &self.caches);
        let expanded = crate::expansion::expand_document_tree(&env, input)?;
        crate::to_rdf::tree_to_rdf(&expanded, rdf)
    }

    /// Drop every cached context and document.
    pub fn clear_cache(&self) {
        write(&self.caches.initial).clear();
        write(&self.caches.documents).clear();
        write(&self.caches.scoped).clear();
        write(&self.caches.embedded).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::cache_key_text;
    use serde_json::json;

    #[test]
    fn embedded_context_cache_keys_tell_contexts_apart() {
        let contexts = [
            json!("https://a.example/"),
            json!(["https://a.example/"]),
            json!(["https://a.example/", "https://b.example/"]),
            json!(["https://a.example/https://b.example/"]),
            json!(["https://a.example/", {"x": "https://b.example/"}]),
            json!([]),
            json!({"@vocab": "https://a.example/"}),
            json!(null),
        ];
        let keys: Vec<String> = contexts.iter().map(cache_key_text).collect();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        // Same context, same key.
        assert_eq!(
            cache_key_text(&json!(["https://a.example/"])),
            keys[1],
            "keys are deterministic"
        );
    }
}
