//! Options and limits of expansion.

use serde_json::Value;

/// Default for [`Limits::max_context_recursion`].
pub const MAX_CONTEXT_RECURSION: usize = 16;
/// Default for [`Limits::max_remote_contexts`].
pub const MAX_REMOTE_CONTEXTS: usize = 256;
/// Default for [`Limits::max_expansion_depth`]. Expansion recurses once per JSON level,
/// using about 2.5 KiB of stack per level in release builds (about 4x that in debug builds):
/// the default fits a 1 MiB thread stack in release. serde_json's own parser stops at 128.
pub const MAX_EXPANSION_DEPTH: usize = 256;

/// Bounds on the work of one expansion. Every error for an exceeded limit names it.
///
/// The size of the input document is the caller's concern: parse it with a bounded parser
/// (obi-model's `json::parse`) before calling [`crate::expand`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum nesting of contexts: remote contexts that load contexts, and scoped contexts
    /// inside scoped contexts. Cyclic remote contexts hit this limit ("context overflow").
    pub max_context_recursion: usize,
    /// Maximum number of remote context references (cached or not) processed in one context
    /// processing call chain; also bounds repeated loads in one expansion.
    pub max_remote_contexts: usize,
    /// Maximum JSON nesting depth of the document being expanded.
    pub max_expansion_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_context_recursion: MAX_CONTEXT_RECURSION,
            max_remote_contexts: MAX_REMOTE_CONTEXTS,
            max_expansion_depth: MAX_EXPANSION_DEPTH,
        }
    }
}

impl Limits {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// Set [`Limits::max_context_recursion`].
    #[must_use]
    pub fn with_max_context_recursion(mut self, n: usize) -> Self {
        self.max_context_recursion = n;
        self
    }
    /// Set [`Limits::max_remote_contexts`].
    #[must_use]
    pub fn with_max_remote_contexts(mut self, n: usize) -> Self {
        self.max_remote_contexts = n;
        self
    }
    /// Set [`Limits::max_expansion_depth`].
    #[must_use]
    pub fn with_max_expansion_depth(mut self, n: usize) -> Self {
        self.max_expansion_depth = n;
        self
    }
}

/// The JSON-LD processing mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ProcessingMode {
    /// `json-ld-1.0`: 1.1 features are errors.
    JsonLd10,
    /// `json-ld-1.1` (the default).
    #[default]
    JsonLd11,
}

/// Options of [`crate::expand`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// The base IRI of the document (usually its URL); relative IRIs resolve against it.
    pub base: Option<String>,
    /// A context applied before the document's own (`expandContext`), with the URL it came
    /// from (the base for its relative references), if any.
    pub expand_context: Option<(Value, Option<String>)>,
    /// Safe mode: fail instead of dropping or reinterpreting anything (VC Data Integrity).
    pub safe_mode: bool,
    /// The processing mode.
    pub processing_mode: ProcessingMode,
    /// Work limits.
    pub limits: Limits,
    /// An entry of the top-level object that expansion treats as absent (for example `proof`
    /// when a Data Integrity proof is checked over the document without it, with no copy).
    pub skipped_root_entry: Option<String>,
}

impl Options {
    /// Defaults: no base, no expand context, safe mode off, JSON-LD 1.1, default limits.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// Set the document base IRI.
    #[must_use]
    pub fn with_base(mut self, base: impl Into<String>) -> Self {
        self.base = Some(base.into());
        self
    }
    /// Set the `expandContext` (a context, or a document with `@context`).
    #[must_use]
    pub fn with_expand_context(mut self, context: Value) -> Self {
        self.expand_context = Some((context, None));
        self
    }
    /// Set the `expandContext` with the URL it came from.
    #[must_use]
    pub fn with_expand_context_url(mut self, context: Value, url: impl Into<String>) -> Self {
        self.expand_context = Some((context, Some(url.into())));
        self
    }
    /// Turn safe mode on or off.
    #[must_use]
    pub fn with_safe_mode(mut self, on: bool) -> Self {
        self.safe_mode = on;
        self
    }
    /// Set the processing mode.
    #[must_use]
    pub fn with_processing_mode(mut self, mode: ProcessingMode) -> Self {
        self.processing_mode = mode;
        self
    }
    /// Set the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// Expand the document as if its top-level object had no entry `key` (when the document
    /// is an object; entries of nested objects are not affected).
    #[must_use]
    pub fn with_skipped_root_entry(mut self, key: impl Into<String>) -> Self {
        self.skipped_root_entry = Some(key.into());
        self
    }
}
