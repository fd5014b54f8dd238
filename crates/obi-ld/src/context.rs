//! Context processing ([JSON-LD 1.1 API §4.1](https://www.w3.org/TR/json-ld11-api/#context-processing-algorithms)),
//! term definitions (§4.2) and IRI expansion (§5.2).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode, err};
use crate::iri::{is_absolute_iri, resolve};
use crate::options::ProcessingMode;
use crate::processor::Env;

/// `@container` flags.
pub(crate) mod container {
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const INDEX: u8 = 4;
    pub const LANGUAGE: u8 = 8;
    pub const ID: u8 = 16;
    pub const TYPE: u8 = 32;
    pub const GRAPH: u8 = 64;
}

/// A base direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// A term definition (§4.2).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TermDef {
    /// `None`: the term maps to null (it is explicitly undefined).
    /// Shared, so that expansion can key expanded objects by it without a copy.
    pub iri: Option<Arc<str>>,
    pub prefix: bool,
    pub protected: bool,
    pub reverse: bool,
    pub base_url: Option<String>,
    pub context: Option<Arc<Value>>,
    pub container: u8,
    pub direction: Option<Option<Direction>>,
    pub language: Option<Option<String>>,
    pub index: Option<String>,
    pub nest: Option<String>,
    pub type_mapping: Option<Arc<str>>,
}

impl TermDef {
    fn same_as_ignoring_protected(&self, other: &TermDef) -> bool {
        let mut a = self.clone();
        a.protected = other.protected;
        // The base URL of a scoped context is not part of the definition's identity.
        a.base_url.clone_from(&other.base_url);
        a == *other
    }
}

/// A fast, non-cryptographic hasher for term lookups (the FxHash mixing step). Term maps
/// hold only the keys of contexts, so hash flooding by a document is not a concern beyond
/// what [`crate::Limits`] already bound; the speed matters on every property lookup.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ (rest.len() as u64) << 56);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(FX_SEED);
    }
}

/// The term map of an active context.
pub(crate) type TermMap = HashMap<String, Arc<TermDef>, std::hash::BuildHasherDefault<FxHasher>>;

/// An active context. Cheap to clone: the term map is shared until written.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActiveContext {
    pub base: Option<String>,
    pub original_base: Option<String>,
    pub vocab: Option<String>,
    pub language: Option<String>,
    pub direction: Option<Direction>,
    pub terms: Arc<TermMap>,
    pub previous: Option<Arc<ActiveContext>>,
    /// The terms defined as keyword aliases (term, keyword), found on first use by
    /// [`ActiveContext::keyword_of`] (expansion asks for every key of every object); emptied
    /// whenever the term map changes.
    keyword_aliases: OnceLock<Vec<(String, String)>>,
}

/// Whether `s` has the form of a keyword: `@` followed by one or more ASCII letters.
pub(crate) fn has_keyword_form(s: &str) -> bool {
    s.len() > 1 && s.starts_with('@') && s[1..].bytes().all(|b| b.is_ascii_alphabetic())
}

/// Whether `s` is a JSON-LD keyword.
#[inline]
pub(crate) fn is_keyword(s: &str) -> bool {
    s.starts_with('@')
        && matches!(
            s,
            "@base"
                | "@container"
                | "@context"
                | "@default"
                | "@direction"
                | "@embed"
                | "@explicit"
                | "@graph"
                | "@id"
                | "@import"
                | "@included"
                | "@index"
                | "@json"
                | "@language"
                | "@list"
                | "@nest"
                | "@none"
                | "@omitDefault"
                | "@prefix"
                | "@preserve"
                | "@protected"
                | "@requireAll"
                | "@reverse"
                | "@set"
                | "@type"
                | "@value"
                | "@version"
                | "@vocab"
                | "@propagate"
        )
}

fn is_gen_delim_end(s: &str) -> bool {
    matches!(
        s.as_bytes().last(),
        Some(b':' | b'/' | b'?' | b'#' | b'[' | b']' | b'@')
    )
}

impl ActiveContext {
    /// The initial context with `base`.
    pub(crate) fn new(base: Option<String>) -> Self {
        ActiveContext {
            original_base: base.clone(),
            base,
            ..Default::default()
        }
    }

    pub(crate) fn term(&self, term: &str) -> Option<&Arc<TermDef>> {
        self.terms.get(term)
    }

    fn has_protected_terms(&self) -> bool {
        self.terms.values().any(|t| t.protected)
    }

    /// The keyword `key` expands to, if any: the keyword itself or a keyword alias. Cheaper
    /// than [`ActiveContext::expand_iri`] (vocabulary and compact-IRI expansion never yield a
    /// keyword).
    #[inline]
    pub(crate) fn keyword_of<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        if is_keyword(key) {
            return Some(key);
        }
        // A scan of the few aliases instead of a term lookup.
        self.keyword_aliases
            .get_or_init(|| {
                self.terms
                    .iter()
                    .filter_map(|(t, d)| match d.iri.as_deref() {
                        Some(iri) if is_keyword(iri) => Some((t.clone(), iri.to_owned())),
                        _ => None,
                    })
                    .collect()
            })
            .iter()
            .find(|(alias, _)| alias == key)
            .map(|(_, keyword)| keyword.as_str())
    }

    /// IRI expansion (§5.2) without a local context: the read-only form used by expansion.
    /// `None` means null (the value maps to nothing).
    pub(crate) fn expand_iri<'a>(
        &'a self,
        value: &'a str,
        document_relative: bool,
        vocab: bool,
    ) -> Option<Cow<'a, str>> {
        if is_keyword(value) {
            return Some(Cow::Borrowed(value));
        }
        if has_keyword_form(value) {
            return None;
        }
        if let Some(def) = self.terms.get(value) {
            if let Some(iri) = &def.iri
                && is_keyword(iri)
            {
                return Some(Cow::Borrowed(iri));
            }
            if vocab {
                return def.iri.as_deref().map(Cow::Borrowed);
            }
        }
        if let Some(colon) = value.get(1..).and_then(|s| s.find(':')).map(|i| i + 1) {
            let (prefix, suffix) = (&value[..colon], &value[colon + 1..]);
            if prefix == "_" || suffix.starts_with("//") {
                return Some(Cow::Borrowed(value));
            }
            if let Some(def) = self.terms.get(prefix)
                && let (Some(iri), true) = (&def.iri, def.prefix)
            {
                return Some(Cow::Owned(format!("{iri}{suffix}")));
            }
            if is_absolute_iri(value) {
                return Some(Cow::Borrowed(value));
            }
        }
        if vocab && let Some(v) = &self.vocab {
            return Some(Cow::Owned(format!("{v}{value}")));
        }
        if document_relative && let Some(base) = &self.base {
            return Some(Cow::Owned(resolve(value, base)));
        }
        Some(Cow::Borrowed(value))
    }
}

/// Flags of a context-processing call (§4.1.2 inputs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ProcessFlags {
    pub override_protected: bool,
    pub propagate: bool,
    pub validate_scoped: bool,
}

impl Default for ProcessFlags {
    fn default() -> Self {
        ProcessFlags {
            override_protected: false,
            propagate: true,
            validate_scoped: true,
        }
    }
}

/// The context processing algorithm (§4.1.2).
pub(crate) fn process_context(
    env: &Env<'_>,
    active: &Arc<ActiveContext>,
    local: &Value,
    base_url: Option<&str>,
    remote_contexts: &mut Vec<String>,
    flags: ProcessFlags,
    depth: usize,
) -> Result<Arc<ActiveContext>, Error> {
    if depth > env.options.limits.max_context_recursion {
        return err(
            ErrorCode::ContextOverflow,
            format!(
                "remote contexts nest deeper than max_context_recursion ({}); a cycle?",
                env.options.limits.max_context_recursion
            ),
        );
    }
    let mut result: ActiveContext = (**active).clone();
    let mut propagate = flags.propagate;
    if let Value::Object(m) = local
        && let Some(p) = m.get("@propagate")
    {
        if let Value::Bool(b) = p {
            propagate = *b;
        } else {
            return err(
                ErrorCode::InvalidPropagateValue,
                "@propagate must be a boolean",
            );
        }
    }
    if !propagate && result.previous.is_none() {
        result.previous = Some(Arc::clone(active));
    }
    let items: &[Value] = match local {
        Value::Array(a) => a,
        other => std::slice::from_ref(other),
    };
    for context in items {
        match context {
            Value::Null => {
                if !flags.override_protected && result.has_protected_terms() {
                    return err(
                        ErrorCode::InvalidContextNullification,
                        "a null context cannot clear protected terms",
                    );
                }
                let prev = result.clone();
                result = ActiveContext::new(active.original_base.clone());
                result.original_base.clone_from(&active.original_base);
                if !propagate {
                    result.previous = Some(Arc::new(prev));
                }
            }
            Value::String(s) => {
                let url = match base_url {
                    Some(b) => resolve(s, b),
                    None => s.clone(),
                };
                if !is_absolute_iri(&url) {
                    return err(
                        ErrorCode::LoadingDocumentFailed,
                        format!(
                            "context reference {s:?} is not an absolute IRI and there is no base"
                        ),
                    );
                }
                if !flags.validate_scoped && remote_contexts.contains(&url) {
                    continue;
                }
                if remote_contexts.len() >= env.options.limits.max_remote_contexts {
                    return err(
                        ErrorCode::ContextOverflow,
                        format!(
                            "more than max_remote_contexts ({}) remote contexts",
                            env.options.limits.max_remote_contexts
                        ),
                    );
                }
                remote_contexts.push(url.clone());
                let (doc_url, ctx) = env.load_context(&url)?;
                let mut nested = remote_contexts.clone();
                let r = process_context(
                    env,
                    &Arc::new(result),
                    &ctx,
                    Some(&doc_url),
                    &mut nested,
                    ProcessFlags {
                        override_protected: false,
                        propagate: true,
                        validate_scoped: flags.validate_scoped,
                    },
                    depth + 1,
                )?;
                result = Arc::unwrap_or_clone(r);
            }
            Value::Object(def) => {
                process_definition(
                    env,
                    &mut result,
                    def,
                    base_url,
                    remote_contexts,
                    flags,
                    depth,
                )?;
            }
            _ => {
                return err(
                    ErrorCode::InvalidLocalContext,
                    "a context must be null, a string, an object or an array of those",
                );
            }
        }
    }
    Ok(Arc::new(result))
}

fn process_definition(
    env: &Env<'_>,
    result: &mut ActiveContext,
    def: &Map<String, Value>,
    base_url: Option<&str>,
    remote_contexts: &mut Vec<String>,
    flags: ProcessFlags,
    depth: usize,
) -> Result<(), Error> {
    let mode = env.options.processing_mode;
    if let Some(v) = def.get("@version") {
        if v.as_f64() != Some(1.1) {
            return err(ErrorCode::InvalidVersionValue, "@version must be 1.1");
        }
        if mode == ProcessingMode::JsonLd10 {
            return err(
                ErrorCode::ProcessingModeConflict,
                "@version 1.1 in json-ld-1.0 processing mode",
            );
        }
    }
    let imported: Map<String, Value>;
    let mut def = def;
    if let Some(v) = def.get("@import") {
        if mode == ProcessingMode::JsonLd10 {
            return err(
                ErrorCode::InvalidContextEntry,
                "@import in json-ld-1.0 mode",
            );
        }
        let Value::String(s) = v else {
            return err(ErrorCode::InvalidImportValue, "@import must be a string");
        };
        let url = match base_url {
            Some(b) => resolve(s, b),
            None => s.clone(),
        };
        let (_, ctx) = env.load_context(&url)?;
        let Value::Object(import) = &*ctx else {
            return err(
                ErrorCode::InvalidRemoteContext,
                format!("@import {url} must be a single context object"),
            );
        };
        if import.contains_key("@import") {
            return err(
                ErrorCode::InvalidContextEntry,
                format!("imported context {url} itself has @import"),
            );
        }
        let mut merged = import.clone();
        for (k, v) in def {
            merged.insert(k.clone(), v.clone());
        }
        imported = merged;
        def = &imported;
    }
    if let Some(v) = def.get("@base")
        && remote_contexts.is_empty()
    {
        match v {
            Value::Null => result.base = None,
            Value::String(s) if is_absolute_iri(s) => result.base = Some(s.clone()),
            Value::String(s) => match &result.base {
                Some(b) => result.base = Some(resolve(s, b)),
                None => {
                    return err(
                        ErrorCode::InvalidBaseIri,
                        format!("relative @base {s:?} with no base to resolve it against"),
                    );
                }
            },
            _ => return err(ErrorCode::InvalidBaseIri, "@base must be a string or null"),
        }
    }
    if let Some(v) = def.get("@vocab") {
        match v {
            Value::Null => result.vocab = None,
            Value::String(s) => {
                let expanded = expand_iri_defining(
                    env,
                    result,
                    s,
                    true,
                    true,
                    None,
                    &mut HashMap::new(),
                    base_url,
                    remote_contexts,
                    depth,
                )?;
                match expanded {
                    Some(iri) if is_absolute_iri(&iri) || iri.starts_with("_:") => {
                        if env.options.safe_mode && !is_absolute_iri(s) && !s.starts_with("_:") {
                            return err(
                                ErrorCode::SafeMode,
                                format!("@vocab {s:?} is relative (it would resolve to {iri:?})"),
                            );
                        }
                        result.vocab = Some(iri);
                    }
                    _ => {
                        return err(
                            ErrorCode::InvalidVocabMapping,
                            format!("invalid @vocab {s:?}"),
                        );
                    }
                }
            }
            _ => {
                return err(
                    ErrorCode::InvalidVocabMapping,
                    "@vocab must be a string or null",
                );
            }
        }
    }
    if let Some(v) = def.get("@language") {
        match v {
            Value::Null => result.language = None,
            Value::String(s) => result.language = Some(s.to_ascii_lowercase()),
            _ => {
                return err(
                    ErrorCode::InvalidDefaultLanguage,
                    "@language must be a string or null",
                );
            }
        }
    }
    if let Some(v) = def.get("@direction") {
        if mode == ProcessingMode::JsonLd10 {
            return err(
                ErrorCode::InvalidContextEntry,
                "@direction in json-ld-1.0 mode",
            );
        }
        result.direction = match v {
            Value::Null => None,
            Value::String(s) if s == "ltr" => Some(Direction::Ltr),
            Value::String(s) if s == "rtl" => Some(Direction::Rtl),
            _ => {
                return err(
                    ErrorCode::InvalidBaseDirection,
                    "@direction must be \"ltr\", \"rtl\" or null",
                );
            }
        };
    }
    if def.contains_key("@propagate") {
        if mode == ProcessingMode::JsonLd10 {
            return err(
                ErrorCode::InvalidContextEntry,
                "@propagate in json-ld-1.0 mode",
            );
        }
        if !def.get("@propagate").is_some_and(Value::is_boolean) {
            return err(
                ErrorCode::InvalidPropagateValue,
                "@propagate must be a boolean",
            );
        }
    }
    let protected = match def.get("@protected") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return err(
                ErrorCode::InvalidProtectedValue,
                "@protected must be a boolean",
            );
        }
    };
    let mut defined: HashMap<String, bool> = HashMap::new();
    for key in def.keys() {
        if matches!(
            key.as_str(),
            "@base"
                | "@direction"
                | "@import"
                | "@language"
                | "@propagate"
                | "@protected"
                | "@version"
                | "@vocab"
        ) {
            continue;
        }
        create_term_definition(
            env,
            result,
            def,
            key,
            &mut defined,
            base_url,
            protected,
            flags.override_protected,
            remote_contexts,
            depth,
        )
        .map_err(|e| e.with_path_if_none(|| format!("@context term {key:?}")))?;
    }
    Ok(())
}

/// IRI expansion (§5.2) during context processing, defining terms of `local` on demand.
#[allow(clippy::too_many_arguments)]
fn expand_iri_defining(
    env: &Env<'_>,
    active: &mut ActiveContext,
    value: &str,
    document_relative: bool,
    vocab: bool,
    local: Option<&Map<String, Value>>,
    defined: &mut HashMap<String, bool>,
    base_url: Option<&str>,
    remote_contexts: &mut Vec<String>,
    depth: usize,
) -> Result<Option<String>, Error> {
    if is_keyword(value) {
        return Ok(Some(value.to_owned()));
    }
    if has_keyword_form(value) {
        return Ok(None);
    }
    if let Some(local) = local
        && local.contains_key(value)
        && defined.get(value) != Some(&true)
    {
        create_term_definition(
            env,
            active,
            local,
            value,
            defined,
            base_url,
            false,
            false,
            remote_contexts,
            depth,
        )?;
    }
    if let Some(def) = active.terms.get(value) {
        if let Some(iri) = &def.iri
            && is_keyword(iri)
        {
            return Ok(Some(iri.to_string()));
        }
        if vocab {
            return Ok(def.iri.as_deref().map(str::to_owned));
        }
    }
    if let Some(colon) = value.get(1..).and_then(|s| s.find(':')).map(|i| i + 1) {
        let (prefix, suffix) = (&value[..colon], &value[colon + 1..]);
        if prefix == "_" || suffix.starts_with("//") {
            return Ok(Some(value.to_owned()));
        }
        if let Some(local) = local
            && local.contains_key(prefix)
            && defined.get(prefix) != Some(&true)
        {
            create_term_definition(
                env,
                active,
                local,
                prefix,
                defined,
                base_url,
                false,
                false,
                remote_contexts,
                depth,
            )?;
        }
        if let Some(def) = active.terms.get(prefix)
            && let (Some(iri), true) = (&def.iri, def.prefix)
        {
            return Ok(Some(format!("{iri}{suffix}")));
        }
        if is_absolute_iri(value) {
            return Ok(Some(value.to_owned()));
        }
    }
    if vocab && let Some(v) = &active.vocab {
        return Ok(Some(format!("{v}{value}")));
    }
    if document_relative && let Some(base) = &active.base {
        return Ok(Some(resolve(value, base)));
    }
    Ok(Some(value.to_owned()))
}

fn parse_container(v: &Value, mode: ProcessingMode) -> Result<u8, Error> {
    use container::*;
    let bad = || {
        err(
            ErrorCode::InvalidContainerMapping,
            format!("invalid @container {v}"),
        )
    };
    let one = |s: &str| -> Option<u8> {
        Some(match s {
            "@list" => LIST,
            "@set" => SET,
            "@index" => INDEX,
            "@language" => LANGUAGE,
            "@id" => ID,
            "@type" => TYPE,
            "@graph" => GRAPH,
            _ => return None,
        })
    };
    let flags = match v {
        Value::String(s) => match one(s) {
            Some(f) => f,
            None => return bad(),
        },
        Value::Array(a) if mode == ProcessingMode::JsonLd11 => {
            let mut f = 0u8;
            for item in a {
                let Some(x) = item.as_str().and_then(one) else {
                    return bad();
                };
                f |= x;
            }
            f
        }
        _ => return bad(),
    };
    if mode == ProcessingMode::JsonLd10 && flags & (ID | TYPE | GRAPH) != 0 {
        return bad();
    }
    let valid = match flags {
        LIST | SET | INDEX | LANGUAGE | ID | TYPE | GRAPH => true,
        f if f & LIST != 0 => false,
        f if f & GRAPH != 0 => {
            let rest = f & !(GRAPH | SET);
            rest == 0 || rest == ID || rest == INDEX
        }
        f if f & SET != 0 => {
            let rest = f & !SET;
            matches!(rest, 0 | INDEX | ID | TYPE | LANGUAGE)
        }
        _ => false,
    };
    if !valid {
        return bad();
    }
    Ok(flags)
}

/// Create term definition (§4.2.2).
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
pub(crate) fn create_term_definition(
    env: &Env<'_>,
    active: &mut ActiveContext,
    local: &Map<String, Value>,
    term: &str,
    defined: &mut HashMap<String, bool>,
    base_url: Option<&str>,
    protected: bool,
    override_protected: bool,
    remote_contexts: &mut Vec<String>,
    depth: usize,
) -> Result<(), Error> {
    let mode = env.options.processing_mode;
    match defined.get(term) {
        Some(true) => return Ok(()),
        Some(false) => {
            return err(
                ErrorCode::CyclicIriMapping,
                format!("term {term:?} is defined in terms of itself"),
            );
        }
        None => {}
    }
    if term.is_empty() {
        return err(
            ErrorCode::InvalidTermDefinition,
            "the empty string is not a valid term",
        );
    }
    defined.insert(term.to_owned(), false);
    let value = local.get(term).unwrap_or(&Value::Null);
    if term == "@type" {
        if mode == ProcessingMode::JsonLd10 {
            return err(
                ErrorCode::KeywordRedefinition,
                "@type cannot be redefined in json-ld-1.0 mode",
            );
        }
        let ok = match value {
            Value::Object(m) => {
                !m.is_empty()
                    && m.iter().all(|(k, v)| match k.as_str() {
                        "@container" => v == "@set",
                        "@protected" => true,
                        _ => false,
                    })
            }
            _ => false,
        };
        if !ok {
            return err(
                ErrorCode::KeywordRedefinition,
                "@type may only be given @container: @set and @protected",
            );
        }
    } else if is_keyword(term) {
        return err(
            ErrorCode::KeywordRedefinition,
            format!("keyword {term} cannot be redefined"),
        );
    } else if has_keyword_form(term) {
        if env.options.safe_mode {
            return err(
                ErrorCode::SafeMode,
                format!("term {term:?} has the form of a keyword and would be ignored"),
            );
        }
        defined.insert(term.to_owned(), true);
        return Ok(());
    }
    active.keyword_aliases = OnceLock::new();
    let previous = Arc::make_mut(&mut active.terms).remove(term);
    let (map, simple_term): (Cow<'_, Map<String, Value>>, bool) = match value {
        Value::Null => {
            let mut m = Map::new();
            m.insert("@id".into(), Value::Null);
            (Cow::Owned(m), false)
        }
        Value::String(s) => {
            let mut m = Map::new();
            m.insert("@id".into(), Value::String(s.clone()));
            (Cow::Owned(m), true)
        }
        Value::Object(m) => (Cow::Borrowed(m), false),
        _ => {
            return err(
                ErrorCode::InvalidTermDefinition,
                format!("definition of {term:?} must be a string, object or null"),
            );
        }
    };
    let value = &*map;
    let mut def = TermDef::default();
    if let Some(p) = value.get("@protected") {
        if mode == ProcessingMode::JsonLd10 {
            return err(
                ErrorCode::InvalidTermDefinition,
                "@protected in json-ld-1.0 mode",
            );
        }
        match p {
            Value::Bool(b) => def.protected = *b,
            _ => {
                return err(
                    ErrorCode::InvalidProtectedValue,
                    "@protected must be a boolean",
                );
            }
        }
    } else {
        def.protected = protected;
    }
    if let Some(t) = value.get("@type") {
        let Value::String(t) = t else {
            return err(
                ErrorCode::InvalidTypeMapping,
                format!("@type of {term:?} must be a string"),
            );
        };
        let expanded = expand_iri_defining(
            env,
            active,
            t,
            false,
            true,
            Some(local),
            defined,
            base_url,
            remote_contexts,
            depth,
        )?;
        let Some(expanded) = expanded else {
            return err(
                ErrorCode::InvalidTypeMapping,
                format!("@type {t:?} of {term:?} is not an IRI"),
            );
        };
        if (expanded == "@json" || expanded == "@none") && mode == ProcessingMode::JsonLd10 {
            return err(
                ErrorCode::InvalidTypeMapping,
                format!("@type {expanded} in json-ld-1.0 mode"),
            );
        }
        if !matches!(expanded.as_str(), "@id" | "@json" | "@none" | "@vocab")
            && !is_absolute_iri(&expanded)
        {
            return err(
                ErrorCode::InvalidTypeMapping,
                format!("@type {t:?} of {term:?} is not an absolute IRI"),
            );
        }
        def.type_mapping = Some(expanded.into());
    }
    if let Some(r) = value.get("@reverse") {
        if value.contains_key("@id") || value.contains_key("@nest") {
            return err(
                ErrorCode::InvalidReverseProperty,
                format!("{term:?} has @reverse with @id or @nest"),
            );
        }
        let Value::String(r) = r else {
            return err(
                ErrorCode::InvalidIriMapping,
                format!("@reverse of {term:?} must be a string"),
            );
        };
        if has_keyword_form(r) {
            if env.options.safe_mode {
                return err(
                    ErrorCode::SafeMode,
                    format!("@reverse {r:?} of {term:?} has the form of a keyword"),
                );
            }
            defined.insert(term.to_owned(), true);
            return Ok(());
        }
        let iri = expand_iri_defining(
            env,
            active,
            r,
            false,
            true,
            Some(local),
            defined,
            base_url,
            remote_contexts,
            depth,
        )?;
        match iri {
            Some(i) if i.contains(':') => def.iri = Some(i.into()),
            _ => {
                return err(
                    ErrorCode::InvalidIriMapping,
                    format!("@reverse {r:?} of {term:?} is not an IRI"),
                );
            }
        }
        if let Some(c) = value.get("@container") {
            def.container = match c {
                Value::Null => 0,
                Value::String(s) if s == "@set" => container::SET,
                Value::String(s) if s == "@index" => container::INDEX,
                _ => {
                    return err(
                        ErrorCode::InvalidReverseProperty,
                        format!(
                            "@container of reverse property {term:?} must be @set, @index or null"
                        ),
                    );
                }
            };
        }
        def.reverse = true;
    }
    let id = value.get("@id");
    if def.reverse {
        // The mapping came from @reverse above.
    } else if id.is_some_and(|i| i.as_str() != Some(term)) {
        match id {
            Some(Value::Null) => def.iri = None,
            Some(Value::String(i)) => {
                if !is_keyword(i) && has_keyword_form(i) {
                    if env.options.safe_mode {
                        return err(
                            ErrorCode::SafeMode,
                            format!("@id {i:?} of {term:?} has the form of a keyword"),
                        );
                    }
                    defined.insert(term.to_owned(), true);
                    return Ok(());
                }
                let iri = expand_iri_defining(
                    env,
                    active,
                    i,
                    false,
                    true,
                    Some(local),
                    defined,
                    base_url,
                    remote_contexts,
                    depth,
                )?;
                let Some(iri) = iri else {
                    return err(
                        ErrorCode::InvalidIriMapping,
                        format!("@id {i:?} of {term:?} is not an IRI"),
                    );
                };
                if !(is_keyword(&iri) || iri.contains(':')) {
                    return err(
                        ErrorCode::InvalidIriMapping,
                        format!(
                            "@id {i:?} of {term:?} is not an absolute IRI, blank node or keyword"
                        ),
                    );
                }
                if iri == "@context" {
                    return err(ErrorCode::InvalidKeywordAlias, "@context cannot be aliased");
                }
                let inner_colon =
                    term.len() > 2 && term.as_bytes()[1..term.len() - 1].contains(&b':');
                if inner_colon || term.contains('/') {
                    defined.insert(term.to_owned(), true);
                    let check = expand_iri_defining(
                        env,
                        active,
                        term,
                        false,
                        true,
                        Some(local),
                        defined,
                        base_url,
                        remote_contexts,
                        depth,
                    )?;
                    if check.as_deref() != Some(iri.as_str()) {
                        return err(
                            ErrorCode::InvalidIriMapping,
                            format!("term {term:?} looks like an IRI but maps to a different one"),
                        );
                    }
                }
                if !term.contains(':')
                    && !term.contains('/')
                    && simple_term
                    && (is_gen_delim_end(&iri) || iri.starts_with("_:"))
                {
                    def.prefix = true;
                }
                def.iri = Some(iri.into());
            }
            _ => {
                return err(
                    ErrorCode::InvalidIriMapping,
                    format!("@id of {term:?} must be a string or null"),
                );
            }
        }
    } else if let Some(colon) = term.get(1..).and_then(|s| s.find(':')).map(|i| i + 1) {
        let (prefix, suffix) = (&term[..colon], &term[colon + 1..]);
        if local.contains_key(prefix) {
            create_term_definition(
                env,
                active,
                local,
                prefix,
                defined,
                base_url,
                false,
                false,
                remote_contexts,
                depth,
            )?;
        }
        if let Some(pdef) = active.terms.get(prefix).and_then(|d| d.iri.clone()) {
            def.iri = Some(format!("{pdef}{suffix}").into());
        } else {
            def.iri = Some(term.into());
        }
    } else if term.contains('/') {
        let iri = expand_iri_defining(
            env,
            active,
            term,
            false,
            true,
            None,
            defined,
            base_url,
            remote_contexts,
            depth,
        )?;
        match iri {
            Some(i) if is_absolute_iri(&i) => def.iri = Some(i.into()),
            _ => {
                return err(
                    ErrorCode::InvalidIriMapping,
                    format!("relative term {term:?} does not expand to an IRI"),
                );
            }
        }
    } else if term == "@type" {
        def.iri = Some("@type".into());
    } else if let Some(v) = &active.vocab {
        def.iri = Some(format!("{v}{term}").into());
    } else {
        return err(
            ErrorCode::InvalidIriMapping,
            format!("term {term:?} has no @id and there is no @vocab"),
        );
    }
    if let (Some(c), false) = (value.get("@container"), def.reverse) {
        def.container = parse_container(c, mode)?;
        if def.container & container::TYPE != 0 {
            match def.type_mapping.as_deref() {
                None => def.type_mapping = Some("@id".into()),
                Some("@id" | "@vocab") => {}
                Some(_) => {
                    return err(
                        ErrorCode::InvalidTypeMapping,
                        format!("a @type container on {term:?} needs @type @id or @vocab"),
                    );
                }
            }
        }
    }
    if let Some(i) = value.get("@index") {
        if mode == ProcessingMode::JsonLd10 || def.container & container::INDEX == 0 {
            return err(
                ErrorCode::InvalidTermDefinition,
                format!("@index on {term:?} needs an @index container"),
            );
        }
        let Value::String(i) = i else {
            return err(
                ErrorCode::InvalidTermDefinition,
                format!("@index of {term:?} must be a string"),
            );
        };
        let expanded = active.expand_iri(i, false, true);
        if !expanded.as_deref().is_some_and(is_absolute_iri) {
            return err(
                ErrorCode::InvalidTermDefinition,
                format!("@index {i:?} of {term:?} is not an IRI"),
            );
        }
        def.index = Some(i.clone());
    }
    if let Some(c) = value.get("@context") {
        if mode == ProcessingMode::JsonLd10 {
            return err(
                ErrorCode::InvalidTermDefinition,
                "scoped @context in json-ld-1.0 mode",
            );
        }
        let mut rc = remote_contexts.clone();
        let snapshot = Arc::new(active.clone());
        process_context(
            env,
            &snapshot,
            c,
            base_url,
            &mut rc,
            ProcessFlags {
                override_protected: true,
                propagate: true,
                validate_scoped: false,
            },
            depth + 1,
        )
        .map_err(|e| {
            if e.code() == ErrorCode::LimitExceeded || e.code() == ErrorCode::SafeMode {
                e
            } else {
                Error::new(
                    ErrorCode::InvalidScopedContext,
                    format!("scoped context of {term:?}: {e}"),
                )
            }
        })?;
        def.context = Some(Arc::new(c.clone()));
        def.base_url = base_url.map(str::to_owned);
    }
    if value.contains_key("@language") && !value.contains_key("@type") {
        match value.get("@language") {
            Some(Value::Null) => def.language = Some(None),
            Some(Value::String(s)) => def.language = Some(Some(s.to_ascii_lowercase())),
            _ => {
                return err(
                    ErrorCode::InvalidLanguageMapping,
                    format!("@language of {term:?} must be a string or null"),
                );
            }
        }
    }
    if value.contains_key("@direction") && !value.contains_key("@type") {
        def.direction = Some(match value.get("@direction") {
            Some(Value::Null) => None,
            Some(Value::String(s)) if s == "ltr" => Some(Direction::Ltr),
            Some(Value::String(s)) if s == "rtl" => Some(Direction::Rtl),
            _ => {
                return err(
                    ErrorCode::InvalidBaseDirection,
                    format!("@direction of {term:?} must be ltr, rtl or null"),
                );
            }
        });
    }
    if let Some(n) = value.get("@nest") {
        if mode == ProcessingMode::JsonLd10 {
            return err(
                ErrorCode::InvalidTermDefinition,
                "@nest in json-ld-1.0 mode",
            );
        }
        match n {
            Value::String(s) if !is_keyword(s) || s == "@nest" => def.nest = Some(s.clone()),
            _ => {
                return err(
                    ErrorCode::InvalidNestValue,
                    format!("@nest of {term:?} must be a term or @nest"),
                );
            }
        }
    }
    if let Some(p) = value.get("@prefix") {
        if mode == ProcessingMode::JsonLd10 || term.contains(':') || term.contains('/') {
            return err(
                ErrorCode::InvalidTermDefinition,
                format!("@prefix is not allowed on {term:?}"),
            );
        }
        match p {
            Value::Bool(b) => def.prefix = *b,
            _ => {
                return err(
                    ErrorCode::InvalidPrefixValue,
                    format!("@prefix of {term:?} must be a boolean"),
                );
            }
        }
        if def.prefix && def.iri.as_deref().is_some_and(is_keyword) {
            return err(
                ErrorCode::InvalidTermDefinition,
                format!("keyword alias {term:?} cannot be a prefix"),
            );
        }
    }
    for k in value.keys() {
        if !matches!(
            k.as_str(),
            "@id"
                | "@reverse"
                | "@container"
                | "@context"
                | "@direction"
                | "@index"
                | "@language"
                | "@nest"
                | "@prefix"
                | "@protected"
                | "@type"
        ) {
            return err(
                ErrorCode::InvalidTermDefinition,
                format!("unexpected entry {k:?} in the definition of {term:?}"),
            );
        }
    }
    let def = match previous {
        Some(prev) if !override_protected && prev.protected => {
            if !def.same_as_ignoring_protected(&prev) {
                return err(
                    ErrorCode::ProtectedTermRedefinition,
                    format!("protected term {term:?} cannot be redefined"),
                );
            }
            prev
        }
        _ => Arc::new(def),
    };
    active.keyword_aliases = OnceLock::new();
    Arc::make_mut(&mut active.terms).insert(term.to_owned(), def);
    defined.insert(term.to_owned(), true);
    Ok(())
}
