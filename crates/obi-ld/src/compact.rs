//! Compaction ([JSON-LD 1.1 API §6](https://www.w3.org/TR/json-ld11-api/#compaction-algorithms)):
//! inverse context creation (§4.3), term selection (§4.4), IRI compaction (§6.2), value
//! compaction (§6.3) and the compaction algorithm itself (§6.1).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};

use crate::context::{ActiveContext, ProcessFlags, TermDef, container};
use crate::error::{Error, ErrorCode, err};
use crate::iri::resolve;
use crate::loader::DocumentLoader;
use crate::options::{Options, ProcessingMode};
use crate::processor::{Caches, Env};

/// Default for [`CompactOptions::max_depth`]: the deepest expanded document compaction walks
/// (expanded JSON nests about twice as deep as its compact form).
pub const MAX_COMPACTION_DEPTH: usize = 2 * crate::options::MAX_EXPANSION_DEPTH + 8;

/// Options of [`compact_with`] beyond those of expansion ([`Options`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompactOptions {
    /// `compactArrays`: arrays of one element become that element (default true).
    pub compact_arrays: bool,
    /// `compactToRelative`: IRIs under the base become relative references (default true).
    pub compact_to_relative: bool,
    /// Maximum JSON nesting depth of the expanded document being compacted.
    pub max_depth: usize,
}

impl Default for CompactOptions {
    fn default() -> Self {
        CompactOptions {
            compact_arrays: true,
            compact_to_relative: true,
            max_depth: MAX_COMPACTION_DEPTH,
        }
    }
}

impl CompactOptions {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// Set [`CompactOptions::compact_arrays`].
    #[must_use]
    pub fn with_compact_arrays(mut self, on: bool) -> Self {
        self.compact_arrays = on;
        self
    }
    /// Set [`CompactOptions::compact_to_relative`].
    #[must_use]
    pub fn with_compact_to_relative(mut self, on: bool) -> Self {
        self.compact_to_relative = on;
        self
    }
    /// Set [`CompactOptions::max_depth`].
    #[must_use]
    pub fn with_max_depth(mut self, n: usize) -> Self {
        self.max_depth = n;
        self
    }
}

/// Compact `input` (any JSON-LD document, expanded or not) with `context`
/// ([JSON-LD 1.1 API `compact()`](https://www.w3.org/TR/json-ld11-api/#dom-jsonldprocessor-compact)):
/// the input is expanded with `options` first, then compacted. `context` may be a context
/// (object, IRI or array) or a document with an `@context` entry.
///
/// # Errors
/// [`Error`] with the spec's error code, from expansion, context processing or compaction
/// (e.g. [`ErrorCode::IriConfusedWithPrefix`]); [`ErrorCode::LimitExceeded`] past
/// [`CompactOptions::max_depth`].
pub fn compact(
    input: &Value,
    context: &Value,
    options: &Options,
    loader: &dyn DocumentLoader,
) -> Result<Value, Error> {
    compact_with(input, context, options, &CompactOptions::default(), loader)
}

/// [`compact`] with [`CompactOptions`].
///
/// # Errors
/// As [`compact`].
pub fn compact_with(
    input: &Value,
    context: &Value,
    options: &Options,
    compact_options: &CompactOptions,
    loader: &dyn DocumentLoader,
) -> Result<Value, Error> {
    let caches = Caches::default();
    let env = Env::new(options, loader, &caches);
    let expanded = crate::expansion::expand_document(&env, input)?;
    compact_expanded_in(&env, &expanded, context, compact_options)
}

/// Compact an already expanded document (the output of [`crate::expand`]) with `context`,
/// without expanding it again.
///
/// # Errors
/// As [`compact`]; the input must be in expanded form (anything else compacts to nonsense
/// but never panics).
pub fn compact_expanded(
    expanded: &Value,
    context: &Value,
    options: &Options,
    compact_options: &CompactOptions,
    loader: &dyn DocumentLoader,
) -> Result<Value, Error> {
    let caches = Caches::default();
    let env = Env::new(options, loader, &caches);
    compact_expanded_in(&env, expanded, context, compact_options)
}

/// A context processed once for compacting many documents: the processed context, its
/// inverse contexts and the contexts it scopes are cached. `Send + Sync`; e.g. keep one in a
/// `static` for a fixed context.
pub struct CompactContext {
    context: Value,
    options: Options,
    compact_options: CompactOptions,
    loader: Box<dyn DocumentLoader>,
    caches: Caches,
    active: Arc<ActiveContext>,
    inverses: InverseCache,
}

impl std::fmt::Debug for CompactContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompactContext")
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

impl CompactContext {
    /// Process `context` (as [`compact`] takes it) with `options`, loading remote contexts
    /// (now and for scoped contexts later) with `loader`.
    ///
    /// # Errors
    /// [`Error`] from context processing.
    pub fn new(
        context: &Value,
        options: &Options,
        compact_options: &CompactOptions,
        loader: impl DocumentLoader + 'static,
    ) -> Result<Self, Error> {
        let context = unwrap_context(context).clone();
        let caches = Caches::default();
        let active = {
            let env = Env::new(options, &loader, &caches);
            active_context(&env, &context, compact_options)?
        };
        Ok(CompactContext {
            context,
            options: options.clone(),
            compact_options: *compact_options,
            loader: Box::new(loader),
            caches,
            active,
            inverses: Mutex::new(FastMap::default()),
        })
    }

    /// Compact an expanded document (as [`compact_expanded`]) with this context.
    ///
    /// # Errors
    /// As [`compact`].
    pub fn compact_expanded(&self, expanded: &Value) -> Result<Value, Error> {
        let env = Env::new(&self.options, &*self.loader, &self.caches);
        compact_with_active(
            &env,
            expanded,
            &self.context,
            &self.active,
            &self.compact_options,
            &self.inverses,
        )
    }
}

fn unwrap_context(context: &Value) -> &Value {
    match context {
        Value::Object(m) if m.contains_key("@context") => m.get("@context").unwrap_or(&Value::Null),
        other => other,
    }
}

fn active_context(
    env: &Env<'_>,
    context: &Value,
    compact_options: &CompactOptions,
) -> Result<Arc<ActiveContext>, Error> {
    let base = env.options.base.as_deref();
    let initial = env.initial_context(base);
    let mut active = env.process(&initial, context, base, ProcessFlags::default())?;
    if !compact_options.compact_to_relative {
        let mut a = (*active).clone();
        a.base = None;
        active = Arc::new(a);
    }
    Ok(active)
}

fn compact_expanded_in(
    env: &Env<'_>,
    expanded: &Value,
    context: &Value,
    compact_options: &CompactOptions,
) -> Result<Value, Error> {
    let context = unwrap_context(context);
    let active = active_context(env, context, compact_options)?;
    let inverses = Mutex::new(FastMap::default());
    compact_with_active(env, expanded, context, &active, compact_options, &inverses)
}

fn compact_with_active(
    env: &Env<'_>,
    expanded: &Value,
    context: &Value,
    active: &Arc<ActiveContext>,
    compact_options: &CompactOptions,
    inverses: &InverseCache,
) -> Result<Value, Error> {
    let active = Arc::clone(active);
    let c = Compactor {
        env,
        compact_arrays: compact_options.compact_arrays,
        max_depth: compact_options.max_depth,
        inverses,
    };
    let out = c.compact(&active, None, expanded, 0)?;
    let mut result = match out {
        Value::Array(a) if a.is_empty() => Map::new(),
        Value::Array(a) => {
            let mut m = Map::new();
            m.insert(
                c.compact_iri(&active, "@graph", None, true, false)?,
                Value::Array(a),
            );
            m
        }
        Value::Object(m) => m,
        // A scalar cannot come out of compacting expanded input; keep it visible as a graph.
        other => {
            let mut m = Map::new();
            m.insert(c.compact_iri(&active, "@graph", None, true, false)?, other);
            m
        }
    };
    let empty = match context {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    };
    if !empty {
        let mut with_ctx = Map::with_capacity(result.len() + 1);
        with_ctx.insert("@context".to_owned(), context.clone());
        with_ctx.append(&mut result);
        result = with_ctx;
    }
    Ok(Value::Object(result))
}

/// A `HashMap` with context processing's Fx hasher for the inverse-context maps: term
/// selection looks up a handful of short keys per IRI compaction, where SipHash dominated
/// the cost. Not flood-resistant, which is fine here: the maps' keys come from the
/// compaction context (bounded by the context-processing limits), never from the document
/// being compacted, which only looks keys up.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<crate::context::FxHasher>>;

/// Term selection maps of one container of one IRI (§4.3): `@language`, `@type`, `@any`.
#[derive(Debug, Default)]
struct TypeLanguage {
    language: FastMap<String, String>,
    types: FastMap<String, String>,
    any: FastMap<String, String>,
}

impl TypeLanguage {
    fn get(&self, which: &str) -> &FastMap<String, String> {
        match which {
            "@language" => &self.language,
            "@type" => &self.types,
            _ => &self.any,
        }
    }
}

/// IRI -> container (the [`container`] flags; the spec's container key is their keyword
/// names sorted and concatenated, `@none` for none) -> type/language maps. A term has one
/// container, so an IRI has a few entries: a short list beats hashing the key.
type Inverse = FastMap<String, Vec<(u8, TypeLanguage)>>;

/// A cached inverse context with the active context it was made from (kept alive, so its
/// address is not reused).
type InverseEntry = (Arc<ActiveContext>, Arc<InverseData>);

/// The most keyword compactions remembered per inverse context.
const MAX_KEYWORD_ALIASES: usize = 64;

/// An inverse context, and what keywords compact to under it (without a value, which
/// depends only on the context: `@id`, `@type`, `@value`... once per context, not per
/// node).
#[derive(Debug, Default)]
struct InverseData {
    map: Inverse,
    /// The terms that may be compact-IRI prefixes, with their IRIs (IRI compaction tries
    /// only these, not every term).
    prefixes: Vec<(String, String)>,
    keywords: Mutex<FastMap<String, String>>,
}

/// Inverse contexts by active-context address.
type InverseCache = Mutex<FastMap<usize, InverseEntry>>;

/// Inverse context creation (§4.3).
fn create_inverse(ctx: &ActiveContext) -> Inverse {
    let mut result = Inverse::default();
    let default_language = ctx
        .language
        .as_deref()
        .map_or_else(|| "@none".to_owned(), str::to_ascii_lowercase);
    let mut terms: Vec<(&String, &Arc<TermDef>)> = ctx.terms.iter().collect();
    terms.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(b.0)));
    for (term, def) in terms {
        let Some(var) = &def.iri else { continue };
        let by_container = result.entry(var.to_string()).or_default();
        let at = match by_container.iter().position(|(c, _)| *c == def.container) {
            Some(at) => at,
            None => {
                let mut t = TypeLanguage::default();
                t.any.insert("@none".to_owned(), term.clone());
                by_container.push((def.container, t));
                by_container.len() - 1
            }
        };
        let maps = &mut by_container[at].1;
        let set = |m: &mut FastMap<String, String>, k: String| {
            m.entry(k).or_insert_with(|| term.clone());
        };
        if def.reverse {
            set(&mut maps.types, "@reverse".to_owned());
        } else if def.type_mapping.as_deref() == Some("@none") {
            set(&mut maps.language, "@any".to_owned());
            set(&mut maps.types, "@any".to_owned());
        } else if let Some(t) = &def.type_mapping {
            set(&mut maps.types, t.to_string());
        } else if let (Some(lang), Some(dir)) = (&def.language, &def.direction) {
            let key = match (lang, dir) {
                (Some(l), Some(d)) => format!("{}_{}", l.to_ascii_lowercase(), d.as_str()),
                (Some(l), None) => l.to_ascii_lowercase(),
                (None, Some(d)) => format!("_{}", d.as_str()),
                (None, None) => "@null".to_owned(),
            };
            set(&mut maps.language, key);
        } else if let Some(lang) = &def.language {
            let key = lang
                .as_deref()
                .map_or_else(|| "@null".to_owned(), str::to_ascii_lowercase);
            set(&mut maps.language, key);
        } else if let Some(dir) = &def.direction {
            let key = dir.map_or_else(|| "@none".to_owned(), |d| format!("_{}", d.as_str()));
            set(&mut maps.language, key);
        } else if let Some(d) = ctx.direction {
            let key = format!(
                "{}_{}",
                ctx.language.as_deref().unwrap_or("").to_ascii_lowercase(),
                d.as_str()
            );
            set(&mut maps.language, key);
            set(&mut maps.language, "@none".to_owned());
            set(&mut maps.types, "@none".to_owned());
        } else {
            set(&mut maps.language, default_language.clone());
            set(&mut maps.language, "@none".to_owned());
            set(&mut maps.types, "@none".to_owned());
        }
    }
    result
}

fn is_list_object(v: &Value) -> bool {
    v.as_object().is_some_and(|m| m.contains_key("@list"))
}

fn is_graph_object(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.contains_key("@graph")
            && m.keys()
                .all(|k| matches!(k.as_str(), "@graph" | "@id" | "@index" | "@context"))
    })
}

fn is_simple_graph_object(v: &Value) -> bool {
    is_graph_object(v) && v.as_object().is_some_and(|m| !m.contains_key("@id"))
}

/// The "add value" helper (§ API helpers): add `value` to `key` of `object`.
fn add_value(object: &mut Map<String, Value>, key: &str, value: Value, as_array: bool) {
    if as_array {
        match object.get_mut(key) {
            None => {
                object.insert(key.to_owned(), Value::Array(Vec::new()));
            }
            Some(Value::Array(_)) => {}
            Some(other) => {
                let old = other.take();
                *other = Value::Array(vec![old]);
            }
        }
    }
    if let Value::Array(items) = value {
        for v in items {
            add_value(object, key, v, as_array);
        }
        return;
    }
    match object.get_mut(key) {
        None => {
            object.insert(key.to_owned(), value);
        }
        Some(Value::Array(a)) => a.push(value),
        Some(other) => {
            let old = other.take();
            *other = Value::Array(vec![old, value]);
        }
    }
}

/// Make `iri` relative to `base` when it resolves back to the same IRI; otherwise keep it.
fn make_relative(iri: &str, base: &str) -> String {
    let Some(candidate) = relative_candidate(iri, base) else {
        return iri.to_owned();
    };
    if resolve(&candidate, base) == iri {
        candidate
    } else {
        iri.to_owned()
    }
}

fn relative_candidate(iri: &str, base: &str) -> Option<String> {
    let scheme_end = base.find(':')?;
    if !base[scheme_end + 1..].starts_with("//") {
        return None;
    }
    let after = scheme_end + 3;
    let authority_end = base[after..]
        .find(['/', '?', '#'])
        .map_or(base.len(), |i| after + i);
    let root = &base[..authority_end];
    let rest = iri.strip_prefix(root)?;
    if !(rest.is_empty() || rest.starts_with(['/', '?', '#'])) {
        return None;
    }
    let base_rest = &base[authority_end..];
    let base_path = &base_rest[..base_rest.find(['?', '#']).unwrap_or(base_rest.len())];
    let split = rest.find(['?', '#']).unwrap_or(rest.len());
    let (path, tail) = rest.split_at(split);
    if path == base_path {
        if tail.is_empty() {
            // The base document itself: its last segment (or "./" for a directory).
            let last = &path[path.rfind('/').map_or(0, |i| i + 1)..];
            return Some(if last.is_empty() {
                "./".to_owned()
            } else {
                last.to_owned()
            });
        }
        if tail.starts_with('#') || base_rest.len() == base_path.len() {
            return Some(tail.to_owned());
        }
    }
    let base_dir: Vec<&str> = match base_path.rfind('/') {
        Some(i) => base_path[..i].split('/').collect(),
        None => Vec::new(),
    };
    let segs: Vec<&str> = path.split('/').collect();
    let (dirs, last) = segs.split_at(segs.len().saturating_sub(1));
    let common = base_dir
        .iter()
        .zip(dirs)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        // Not even the leading empty segment matches: use an absolute path.
        return Some(rest.to_owned());
    }
    let mut out = "../".repeat(base_dir.len() - common);
    for d in &dirs[common..] {
        out.push_str(d);
        out.push('/');
    }
    out.push_str(last.first().copied().unwrap_or(""));
    if out.is_empty() {
        out.push_str("./");
    } else if out
        .split('/')
        .next()
        .is_some_and(|first| first.contains(':'))
    {
        out.insert_str(0, "./");
    }
    out.push_str(tail);
    Some(out)
}

/// The containers term selection tries, in order (IRI compaction lists at most 20), kept
/// on the stack.
#[derive(Default)]
struct Containers {
    items: [u8; 32],
    len: usize,
}

impl Containers {
    fn push(&mut self, c: u8) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = c;
            self.len += 1;
        }
    }
    fn extend<const N: usize>(&mut self, cs: [u8; N]) {
        for c in cs {
            self.push(c);
        }
    }
    fn as_slice(&self) -> &[u8] {
        self.items.get(..self.len).unwrap_or(&[])
    }
}

struct Compactor<'e, 'a> {
    env: &'e Env<'a>,
    compact_arrays: bool,
    max_depth: usize,
    /// Inverse contexts by active-context address; the entry keeps the context alive.
    inverses: &'e InverseCache,
}

impl Compactor<'_, '_> {
    fn inverse(&self, ctx: &Arc<ActiveContext>) -> Arc<InverseData> {
        let key = Arc::as_ptr(ctx) as usize;
        let mut cache = self.inverses.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, inv)) = cache.get(&key) {
            return Arc::clone(inv);
        }
        let inv = Arc::new(InverseData {
            map: create_inverse(ctx),
            prefixes: ctx
                .terms
                .iter()
                .filter(|(_, d)| d.prefix)
                .filter_map(|(t, d)| d.iri.as_ref().map(|i| (t.clone(), i.to_string())))
                .collect(),
            keywords: Mutex::default(),
        });
        if cache.len() >= crate::processor::MAX_CACHED_CONTEXTS {
            cache.clear();
        }
        cache.insert(key, (Arc::clone(ctx), Arc::clone(&inv)));
        inv
    }

    fn json_ld_11(&self) -> bool {
        self.env.options.processing_mode != ProcessingMode::JsonLd10
    }

    /// Term selection (§4.4).
    fn select_term(
        inverse: &Inverse,
        var: &str,
        containers: &[u8],
        type_language: &str,
        preferred: &[&str],
    ) -> Option<String> {
        let container_map = inverse.get(var)?;
        for c in containers {
            let Some((_, tl)) = container_map.iter().find(|(flags, _)| flags == c) else {
                continue;
            };
            let value_map = tl.get(type_language);
            for p in preferred {
                if let Some(term) = value_map.get(*p) {
                    return Some(term.clone());
                }
            }
        }
        None
    }

    /// IRI compaction (§6.2).
    fn compact_iri(
        &self,
        ctx: &Arc<ActiveContext>,
        var: &str,
        value: Option<&Value>,
        vocab: bool,
        reverse: bool,
    ) -> Result<String, Error> {
        if !(vocab && value.is_none() && !reverse && var.starts_with('@')) {
            return self.compact_iri_uncached(ctx, var, value, vocab, reverse);
        }
        let inverse = self.inverse(ctx);
        if let Some(alias) = inverse
            .keywords
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(var)
        {
            return Ok(alias.clone());
        }
        let alias = self.compact_iri_uncached(ctx, var, None, true, false)?;
        let mut keywords = inverse
            .keywords
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if keywords.len() < MAX_KEYWORD_ALIASES {
            keywords.insert(var.to_owned(), alias.clone());
        }
        Ok(alias)
    }

    /// [`Compactor::compact_iri`] without the keyword memo.
    #[allow(clippy::too_many_lines)]
    fn compact_iri_uncached(
        &self,
        ctx: &Arc<ActiveContext>,
        var: &str,
        value: Option<&Value>,
        vocab: bool,
        reverse: bool,
    ) -> Result<String, Error> {
        let data = self.inverse(ctx);
        let inverse = &data.map;
        if vocab && inverse.contains_key(var) {
            let default_language = || match (ctx.direction, &ctx.language) {
                (Some(d), l) => format!(
                    "{}_{}",
                    l.as_deref().unwrap_or("").to_ascii_lowercase(),
                    d.as_str()
                ),
                (None, Some(l)) => l.to_ascii_lowercase(),
                (None, None) => "@none".to_owned(),
            };
            let mut value = value;
            if let Some(p) = value.and_then(|v| v.get("@preserve")) {
                value = Some(match p {
                    Value::Array(a) => a.first().unwrap_or(&Value::Null),
                    other => other,
                });
            }
            let map = value.and_then(Value::as_object);
            let empty = Map::new();
            let mut containers = Containers::default();
            let mut type_language = "@language";
            let mut tl_value: Option<Cow<'_, str>> = None;
            if map.is_some_and(|m| m.contains_key("@index")) && !value.is_some_and(is_graph_object)
            {
                containers.extend([container::INDEX, container::INDEX | container::SET]);
            }
            let value_is_list = value.is_some_and(is_list_object);
            if reverse {
                type_language = "@type";
                tl_value = Some(Cow::Borrowed("@reverse"));
                containers.push(container::SET);
            } else if value_is_list {
                let m = map.unwrap_or(&empty);
                if !m.contains_key("@index") {
                    containers.push(container::LIST);
                }
                let list: &[Value] = m.get("@list").and_then(Value::as_array).map_or(&[], |a| a);
                let mut common_language: Option<String> = None;
                let mut common_type: Option<String> = None;
                if list.is_empty() {
                    common_language = Some(default_language());
                }
                for item in list {
                    let mut item_language = "@none".to_owned();
                    let mut item_type = "@none".to_owned();
                    let is_value = item.get("@value").is_some();
                    if is_value {
                        if let Some(d) = item.get("@direction").and_then(Value::as_str) {
                            item_language = format!(
                                "{}_{}",
                                item.get("@language")
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_ascii_lowercase(),
                                d
                            );
                        } else if let Some(l) = item.get("@language").and_then(Value::as_str) {
                            item_language = l.to_ascii_lowercase();
                        } else if let Some(t) = item.get("@type").and_then(Value::as_str) {
                            item_type = t.to_owned();
                        } else {
                            item_language = "@null".to_owned();
                        }
                    } else {
                        item_type = "@id".to_owned();
                    }
                    match &common_language {
                        None => common_language = Some(item_language),
                        Some(c) if *c != item_language && is_value => {
                            common_language = Some("@none".to_owned());
                        }
                        _ => {}
                    }
                    match &common_type {
                        None => common_type = Some(item_type),
                        Some(c) if *c != item_type => common_type = Some("@none".to_owned()),
                        _ => {}
                    }
                    if common_language.as_deref() == Some("@none")
                        && common_type.as_deref() == Some("@none")
                    {
                        break;
                    }
                }
                let common_language = common_language.unwrap_or_else(|| "@none".to_owned());
                let common_type = common_type.unwrap_or_else(|| "@none".to_owned());
                if common_type == "@none" {
                    tl_value = Some(Cow::Owned(common_language));
                } else {
                    type_language = "@type";
                    tl_value = Some(Cow::Owned(common_type));
                }
            } else if value.is_some_and(is_graph_object) {
                let m = map.unwrap_or(&empty);
                let (has_index, has_id) = (m.contains_key("@index"), m.contains_key("@id"));
                if has_index {
                    containers.extend([
                        container::GRAPH | container::INDEX,
                        container::GRAPH | container::INDEX | container::SET,
                    ]);
                }
                if has_id {
                    containers.extend([
                        container::GRAPH | container::ID,
                        container::GRAPH | container::ID | container::SET,
                    ]);
                }
                containers.extend([
                    container::GRAPH,
                    container::GRAPH | container::SET,
                    container::SET,
                ]);
                if !has_index {
                    containers.extend([
                        container::GRAPH | container::INDEX,
                        container::GRAPH | container::INDEX | container::SET,
                    ]);
                }
                if !has_id {
                    containers.extend([
                        container::GRAPH | container::ID,
                        container::GRAPH | container::ID | container::SET,
                    ]);
                }
                containers.extend([container::INDEX, container::INDEX | container::SET]);
                type_language = "@type";
                tl_value = Some(Cow::Borrowed("@id"));
            } else {
                match map {
                    Some(m) if m.contains_key("@value") => {
                        let lang = m.get("@language").and_then(Value::as_str);
                        let has_index = m.contains_key("@index");
                        if let (Some(d), false) =
                            (m.get("@direction").and_then(Value::as_str), has_index)
                        {
                            tl_value = Some(Cow::Owned(format!(
                                "{}_{}",
                                lang.unwrap_or("").to_ascii_lowercase(),
                                d
                            )));
                            containers.extend([
                                container::LANGUAGE,
                                container::LANGUAGE | container::SET,
                            ]);
                        } else if let (Some(l), false) = (lang, has_index) {
                            tl_value = Some(Cow::Owned(l.to_ascii_lowercase()));
                            containers.extend([
                                container::LANGUAGE,
                                container::LANGUAGE | container::SET,
                            ]);
                        } else if let Some(t) = m.get("@type").and_then(Value::as_str) {
                            tl_value = Some(Cow::Borrowed(t));
                            type_language = "@type";
                        }
                    }
                    _ => {
                        type_language = "@type";
                        tl_value = Some(Cow::Borrowed("@id"));
                        containers.extend([
                            container::ID,
                            container::ID | container::SET,
                            container::TYPE,
                            container::SET | container::TYPE,
                        ]);
                    }
                }
                containers.push(container::SET);
            }
            containers.push(0);
            if self.json_ld_11() {
                if !map.is_some_and(|m| m.contains_key("@index")) {
                    containers.extend([container::INDEX, container::INDEX | container::SET]);
                }
                // Only a string can be a language map value (a number there would not
                // expand again).
                if map
                    .is_some_and(|m| m.len() == 1 && m.get("@value").is_some_and(Value::is_string))
                {
                    containers.extend([container::LANGUAGE, container::LANGUAGE | container::SET]);
                }
            }
            let tl_value = tl_value.unwrap_or(Cow::Borrowed("@null"));
            let mut preferred: Vec<&str> = Vec::with_capacity(8);
            if tl_value == "@reverse" {
                preferred.push("@reverse");
            }
            let id = map.and_then(|m| m.get("@id")).and_then(Value::as_str);
            if let (true, Some(id)) = (tl_value == "@id" || tl_value == "@reverse", id) {
                let compacted = self.compact_iri(ctx, id, None, true, false)?;
                let same = ctx
                    .term(&compacted)
                    .is_some_and(|d| d.iri.as_deref() == Some(id));
                if same {
                    preferred.extend(["@vocab", "@id", "@none"]);
                } else {
                    preferred.extend(["@id", "@vocab", "@none"]);
                }
            } else {
                preferred.push(&tl_value);
                preferred.push("@none");
                if value_is_list
                    && map
                        .and_then(|m| m.get("@list"))
                        .and_then(Value::as_array)
                        .is_some_and(Vec::is_empty)
                {
                    type_language = "@any";
                }
            }
            preferred.push("@any");
            for i in 0..preferred.len() {
                let p = preferred[i];
                if let Some(at) = p.find('_') {
                    preferred.push(&p[at..]);
                }
            }
            if let Some(term) = Self::select_term(
                inverse,
                var,
                containers.as_slice(),
                type_language,
                &preferred,
            ) {
                return Ok(term);
            }
        }
        if vocab
            && let Some(v) = &ctx.vocab
            && let Some(suffix) = var.strip_prefix(v.as_str())
            && !suffix.is_empty()
            && ctx.term(suffix).is_none()
        {
            return Ok(suffix.to_owned());
        }
        let mut compact_iri: Option<String> = None;
        for (term, iri) in &data.prefixes {
            if iri == var {
                continue;
            }
            let Some(suffix) = var.strip_prefix(iri.as_str()) else {
                continue;
            };
            let candidate = format!("{term}:{suffix}");
            let better = compact_iri.as_ref().is_none_or(|c| {
                candidate.len() < c.len() || (candidate.len() == c.len() && candidate < *c)
            });
            let usable = match ctx.term(&candidate) {
                None => true,
                Some(d) => d.iri.as_deref() == Some(var) && value.is_none(),
            };
            if better && usable {
                compact_iri = Some(candidate);
            }
        }
        if let Some(c) = compact_iri {
            return Ok(c);
        }
        if let Some(colon) = var.find(':') {
            let (scheme, rest) = (&var[..colon], &var[colon + 1..]);
            if !rest.starts_with("//") && ctx.term(scheme).is_some_and(|d| d.prefix) {
                return err(
                    ErrorCode::IriConfusedWithPrefix,
                    format!("{var:?} would read as a compact IRI with prefix {scheme:?}"),
                );
            }
        }
        if !vocab && let Some(base) = &ctx.base {
            let relative = make_relative(var, base);
            // A relative reference must not read as a keyword.
            if crate::context::has_keyword_form(&relative) {
                return Ok(format!("./{relative}"));
            }
            return Ok(relative);
        }
        Ok(var.to_owned())
    }

    /// Value compaction (§6.3).
    fn compact_value(
        &self,
        ctx: &Arc<ActiveContext>,
        active_property: Option<&str>,
        value: &Map<String, Value>,
    ) -> Result<Value, Error> {
        let def = active_property.and_then(|p| ctx.term(p));
        let language: Option<&str> = match def.and_then(|d| d.language.as_ref()) {
            Some(l) => l.as_deref(),
            None => ctx.language.as_deref(),
        };
        let direction = match def.and_then(|d| d.direction) {
            Some(d) => d,
            None => ctx.direction,
        };
        let type_mapping = def.and_then(|d| d.type_mapping.as_deref());
        let container = def.map_or(0, |d| d.container);
        let index_ok = !value.contains_key("@index") || container & container::INDEX != 0;
        let vtype = value.get("@type").and_then(Value::as_str);
        let only_id =
            value.contains_key("@id") && value.keys().all(|k| k == "@id" || k == "@index");
        if only_id {
            if let Some(id) = value.get("@id").and_then(Value::as_str) {
                match type_mapping {
                    Some("@id") if index_ok => {
                        return Ok(Value::String(
                            self.compact_iri(ctx, id, None, false, false)?,
                        ));
                    }
                    Some("@vocab") if index_ok => {
                        return Ok(Value::String(self.compact_iri(ctx, id, None, true, false)?));
                    }
                    _ => {}
                }
            }
        } else if value.contains_key("@type") && vtype.is_some() && vtype == type_mapping {
            if index_ok {
                return Ok(value.get("@value").cloned().unwrap_or(Value::Null));
            }
        } else if type_mapping == Some("@none") || value.contains_key("@type") {
            // Value compaction is disabled: keep the value object, compacting its keys and type.
        } else if !value.get("@value").is_some_and(Value::is_string) {
            if index_ok {
                return Ok(value.get("@value").cloned().unwrap_or(Value::Null));
            }
        } else {
            let vlang = value.get("@language").and_then(Value::as_str);
            let lang_ok = match (vlang, language) {
                (Some(v), Some(l)) => v.eq_ignore_ascii_case(l),
                (None, None) => true,
                _ => false,
            };
            let vdir = value.get("@direction").and_then(Value::as_str);
            let dir_ok = match (vdir, direction) {
                (Some(v), Some(d)) => v == d.as_str(),
                (None, None) => true,
                _ => false,
            };
            if lang_ok && dir_ok && index_ok {
                return Ok(value.get("@value").cloned().unwrap_or(Value::Null));
            }
        }
        let mut out = Map::with_capacity(value.len());
        for (k, v) in value {
            let v = if k == "@type" {
                match v {
                    Value::String(t) => Value::String(self.compact_iri(ctx, t, None, true, false)?),
                    other => other.clone(),
                }
            } else if k == "@id" {
                match v {
                    Value::String(t) => {
                        Value::String(self.compact_iri(ctx, t, None, false, false)?)
                    }
                    other => other.clone(),
                }
            } else {
                v.clone()
            };
            out.insert(self.compact_iri(ctx, k, None, true, false)?, v);
        }
        Ok(Value::Object(out))
    }

    fn container_of(ctx: &ActiveContext, property: Option<&str>) -> u8 {
        property
            .and_then(|p| ctx.term(p))
            .map_or(0, |d| d.container)
    }

    /// The compaction algorithm (§6.1).
    #[allow(clippy::too_many_lines)]
    fn compact(
        &self,
        input_ctx: &Arc<ActiveContext>,
        active_property: Option<&str>,
        element: &Value,
        depth: usize,
    ) -> Result<Value, Error> {
        if depth > self.max_depth {
            return err(
                ErrorCode::LimitExceeded,
                format!(
                    "the expanded document nests deeper than max_depth ({})",
                    self.max_depth
                ),
            );
        }
        let element_map = match element {
            Value::Array(items) => {
                let mut result = Vec::with_capacity(items.len());
                for item in items {
                    let c = self.compact(input_ctx, active_property, item, depth + 1)?;
                    if !c.is_null() {
                        result.push(c);
                    }
                }
                let container = Self::container_of(input_ctx, active_property);
                if result.len() != 1
                    || !self.compact_arrays
                    || matches!(active_property, Some("@graph" | "@set"))
                    || container & (container::LIST | container::SET) != 0
                {
                    return Ok(Value::Array(result));
                }
                return Ok(result.pop().unwrap_or(Value::Null));
            }
            Value::Object(m) => m,
            scalar => return Ok(scalar.clone()),
        };
        let type_scoped = input_ctx;
        let mut active = Arc::clone(input_ctx);
        // Step 5: a term-scoped (non-propagated) context does not apply to new node objects.
        if let Some(prev) = &active.previous {
            let node_ref = element_map.len() == 1 && element_map.contains_key("@id");
            if !element_map.contains_key("@value") && !node_ref {
                active = Arc::clone(prev);
            }
        }
        // Step 6: property-scoped context.
        if let Some(d) = active_property.and_then(|p| input_ctx.term(p))
            && let Some(c) = &d.context
        {
            active = self.env.process_scoped(
                &active,
                c,
                d.base_url.as_deref(),
                ProcessFlags {
                    override_protected: true,
                    ..ProcessFlags::default()
                },
            )?;
        }
        // Step 7: value objects and node references.
        let node_reference = element_map.contains_key("@id")
            && element_map.keys().all(|k| k == "@id" || k == "@index");
        if element_map.contains_key("@value") || node_reference {
            let r = self.compact_value(&active, active_property, element_map)?;
            let json = active_property
                .and_then(|p| active.term(p))
                .is_some_and(|d| d.type_mapping.as_deref() == Some("@json"));
            if !r.is_object() || json {
                return Ok(r);
            }
        }
        // Step 8: a list in a list container.
        if let Some(list) = element_map.get("@list")
            && Self::container_of(&active, active_property) & container::LIST != 0
        {
            return self.compact(&active, active_property, list, depth + 1);
        }
        let inside_reverse = active_property == Some("@reverse");
        let mut result = Map::new();
        // Step 11: type-scoped contexts.
        if let Some(types) = element_map.get("@type") {
            let mut compacted: Vec<String> = Vec::new();
            let list: &[Value] = match types {
                Value::Array(a) => a,
                other => std::slice::from_ref(other),
            };
            for t in list.iter().filter_map(Value::as_str) {
                compacted.push(self.compact_iri(&active, t, None, true, false)?);
            }
            compacted.sort_unstable();
            for term in &compacted {
                if let Some(d) = type_scoped.term(term)
                    && let Some(c) = &d.context
                {
                    active = self.env.process_scoped(
                        &active,
                        c,
                        d.base_url.as_deref(),
                        ProcessFlags {
                            propagate: false,
                            ..ProcessFlags::default()
                        },
                    )?;
                }
            }
        }
        let mut keys: Vec<&String> = element_map.keys().collect();
        keys.sort_unstable();
        for expanded_property in keys {
            let expanded_value = &element_map[expanded_property];
            match expanded_property.as_str() {
                "@id" => {
                    let v = match expanded_value {
                        Value::String(s) => {
                            Value::String(self.compact_iri(&active, s, None, false, false)?)
                        }
                        other => other.clone(),
                    };
                    let alias = self.compact_iri(&active, "@id", None, true, false)?;
                    result.insert(alias, v);
                    continue;
                }
                "@type" => {
                    let v = match expanded_value {
                        Value::String(s) => {
                            Value::String(self.compact_iri(type_scoped, s, None, true, false)?)
                        }
                        Value::Array(a) => {
                            let mut out = Vec::with_capacity(a.len());
                            for t in a {
                                out.push(match t {
                                    Value::String(s) => Value::String(self.compact_iri(
                                        type_scoped,
                                        s,
                                        None,
                                        true,
                                        false,
                                    )?),
                                    other => other.clone(),
                                });
                            }
                            Value::Array(out)
                        }
                        other => other.clone(),
                    };
                    let alias = self.compact_iri(&active, "@type", None, true, false)?;
                    let as_array = (self.json_ld_11()
                        && Self::container_of(&active, Some(&alias)) & container::SET != 0)
                        || !self.compact_arrays;
                    add_value(&mut result, &alias, v, as_array);
                    continue;
                }
                "@reverse" => {
                    let compacted =
                        self.compact(&active, Some("@reverse"), expanded_value, depth + 1)?;
                    let mut rest = Map::new();
                    if let Value::Object(m) = compacted {
                        for (property, value) in m {
                            match active.term(&property) {
                                Some(d) if d.reverse => {
                                    let as_array =
                                        d.container & container::SET != 0 || !self.compact_arrays;
                                    add_value(&mut result, &property, value, as_array);
                                }
                                _ => {
                                    rest.insert(property, value);
                                }
                            }
                        }
                    }
                    if !rest.is_empty() {
                        let alias = self.compact_iri(&active, "@reverse", None, true, false)?;
                        result.insert(alias, Value::Object(rest));
                    }
                    continue;
                }
                "@preserve" => {
                    let c = self.compact(&active, active_property, expanded_value, depth + 1)?;
                    if c.as_array().is_none_or(|a| !a.is_empty()) {
                        result.insert("@preserve".to_owned(), c);
                    }
                    continue;
                }
                "@index"
                    if Self::container_of(&active, active_property) & container::INDEX != 0 =>
                {
                    continue;
                }
                "@direction" | "@index" | "@language" | "@value" => {
                    let alias = self.compact_iri(&active, expanded_property, None, true, false)?;
                    result.insert(alias, expanded_value.clone());
                    continue;
                }
                _ => {}
            }
            let items: &[Value] = match expanded_value {
                Value::Array(a) => a,
                other => std::slice::from_ref(other),
            };
            if items.is_empty() {
                let item_property = self.compact_iri(
                    &active,
                    expanded_property,
                    Some(expanded_value),
                    true,
                    inside_reverse,
                )?;
                let nest = self.nest_target(&active, &item_property, &mut result)?;
                add_value(nest, &item_property, Value::Array(Vec::new()), true);
                continue;
            }
            for expanded_item in items {
                let item_property = self.compact_iri(
                    &active,
                    expanded_property,
                    Some(expanded_item),
                    true,
                    inside_reverse,
                )?;
                let container = Self::container_of(&active, Some(&item_property));
                let as_array = container & container::SET != 0
                    || item_property == "@graph"
                    || item_property == "@list"
                    || !self.compact_arrays;
                let is_list = is_list_object(expanded_item);
                let is_graph = is_graph_object(expanded_item);
                let inner = if is_list {
                    &expanded_item["@list"]
                } else if is_graph {
                    &expanded_item["@graph"]
                } else {
                    expanded_item
                };
                let mut compacted =
                    self.compact(&active, Some(&item_property), inner, depth + 1)?;
                let index_def: &str = active
                    .term(&item_property)
                    .and_then(|d| d.index.as_deref())
                    .unwrap_or("@index");
                let nest = self.nest_target(&active, &item_property, &mut result)?;
                if is_list {
                    if !compacted.is_array() {
                        compacted = Value::Array(vec![compacted]);
                    }
                    if container & container::LIST == 0 {
                        let mut m = Map::new();
                        m.insert(
                            self.compact_iri(&active, "@list", None, true, false)?,
                            compacted,
                        );
                        if let Some(i) = expanded_item.get("@index") {
                            m.insert(
                                self.compact_iri(&active, "@index", None, true, false)?,
                                i.clone(),
                            );
                        }
                        add_value(nest, &item_property, Value::Object(m), as_array);
                    } else if nest.contains_key(&item_property) {
                        // A second list for a `@list` term: the spec would overwrite the first
                        // (JSON-LD 1.0 raised "compaction to list of lists"). Keep it, as a list
                        // object under a key without the list container.
                        let key =
                            self.compact_iri(&active, expanded_property, None, true, false)?;
                        let mut m = Map::new();
                        m.insert(
                            self.compact_iri(&active, "@list", None, true, false)?,
                            compacted,
                        );
                        add_value(nest, &key, Value::Object(m), as_array);
                    } else {
                        nest.insert(item_property, compacted);
                    }
                    continue;
                }
                if is_graph {
                    let graph = container & container::GRAPH != 0;
                    let id = expanded_item.get("@id").and_then(Value::as_str);
                    if graph && container & container::ID != 0 {
                        let key = match id {
                            Some(id) => self.compact_iri(&active, id, None, false, false)?,
                            None => self.compact_iri(&active, "@none", None, true, false)?,
                        };
                        let map_object = map_entry(nest, &item_property)?;
                        add_value(map_object, &key, compacted, as_array);
                    } else if graph
                        && container & container::INDEX != 0
                        && is_simple_graph_object(expanded_item)
                    {
                        let key = match expanded_item.get("@index").and_then(Value::as_str) {
                            Some(i) => i.to_owned(),
                            None => self.compact_iri(&active, "@none", None, true, false)?,
                        };
                        let map_object = map_entry(nest, &item_property)?;
                        add_value(map_object, &key, compacted, as_array);
                    } else if graph && is_simple_graph_object(expanded_item) {
                        if compacted.as_array().is_some_and(|a| a.len() > 1) {
                            let mut m = Map::new();
                            m.insert(
                                self.compact_iri(&active, "@included", None, true, false)?,
                                compacted,
                            );
                            compacted = Value::Object(m);
                        }
                        add_value(nest, &item_property, compacted, as_array);
                    } else {
                        let mut m = Map::new();
                        m.insert(
                            self.compact_iri(&active, "@graph", None, true, false)?,
                            compacted,
                        );
                        if let Some(id) = id {
                            m.insert(
                                self.compact_iri(&active, "@id", None, true, false)?,
                                Value::String(self.compact_iri(&active, id, None, false, false)?),
                            );
                        }
                        if let Some(i) = expanded_item.get("@index") {
                            m.insert(
                                self.compact_iri(&active, "@index", None, true, false)?,
                                i.clone(),
                            );
                        }
                        add_value(nest, &item_property, Value::Object(m), as_array);
                    }
                    continue;
                }
                let map_container =
                    container::LANGUAGE | container::INDEX | container::ID | container::TYPE;
                if container & map_container != 0 && container & container::GRAPH == 0 {
                    let mut container_key = self.compact_iri(
                        &active,
                        if container & container::LANGUAGE != 0 {
                            "@language"
                        } else if container & container::INDEX != 0 {
                            "@index"
                        } else if container & container::ID != 0 {
                            "@id"
                        } else {
                            "@type"
                        },
                        None,
                        true,
                        false,
                    )?;
                    let mut map_key: Option<String> = None;
                    if container & container::LANGUAGE != 0 {
                        if let Some(v) = expanded_item.get("@value") {
                            compacted = v.clone();
                        }
                        map_key = expanded_item
                            .get("@language")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                    } else if container & container::INDEX != 0 && index_def == "@index" {
                        map_key = expanded_item
                            .get("@index")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                    } else if container & container::INDEX != 0 {
                        let expanded_key = active
                            .expand_iri(index_def, false, true)
                            .map_or_else(|| index_def.to_owned(), std::borrow::Cow::into_owned);
                        container_key =
                            self.compact_iri(&active, &expanded_key, None, true, false)?;
                        // The property may have compacted to another term (its value chose
                        // it, e.g. a `@type: @vocab` term): find the key that expands to it.
                        if let Value::Object(m) = &compacted
                            && !m.contains_key(&container_key)
                            && let Some(k) = m.keys().find(|k| {
                                active.expand_iri(k, false, true).as_deref()
                                    == Some(expanded_key.as_str())
                            })
                        {
                            container_key = k.clone();
                        }
                        map_key = take_first_string(&mut compacted, &container_key);
                    } else if container & container::ID != 0 {
                        if let Some(Value::Object(m)) = Some(&mut compacted)
                            && let Some(v) = m.remove(&container_key)
                        {
                            map_key = v.as_str().map(str::to_owned);
                        }
                    } else {
                        map_key = take_first_string(&mut compacted, &container_key);
                        let single_id = compacted.as_object().is_some_and(|m| {
                            m.len() == 1
                                && m.keys().next().is_some_and(|k| {
                                    active.expand_iri(k, false, true).as_deref() == Some("@id")
                                })
                        });
                        if single_id {
                            let mut only = Map::new();
                            if let Some(id) = expanded_item.get("@id") {
                                only.insert("@id".to_owned(), id.clone());
                            }
                            compacted = self.compact(
                                &active,
                                Some(&item_property),
                                &Value::Object(only),
                                depth + 1,
                            )?;
                        }
                    }
                    let map_key = match map_key {
                        Some(k) => k,
                        None => self.compact_iri(&active, "@none", None, true, false)?,
                    };
                    let map_object = map_entry(nest, &item_property)?;
                    add_value(map_object, &map_key, compacted, as_array);
                    continue;
                }
                add_value(nest, &item_property, compacted, as_array);
            }
        }
        Ok(Value::Object(result))
    }

    /// Where a property goes: `result` itself, or the map under its `@nest` term.
    fn nest_target<'r>(
        &self,
        active: &Arc<ActiveContext>,
        item_property: &str,
        result: &'r mut Map<String, Value>,
    ) -> Result<&'r mut Map<String, Value>, Error> {
        let Some(nest_term) = active.term(item_property).and_then(|d| d.nest.clone()) else {
            return Ok(result);
        };
        if nest_term != "@nest"
            && active.expand_iri(&nest_term, false, true).as_deref() != Some("@nest")
        {
            return err(
                ErrorCode::InvalidNestValue,
                format!("@nest {nest_term:?} of {item_property:?} is not @nest or an alias of it"),
            );
        }
        map_entry(result, &nest_term)
    }
}

/// The map under `key` of `object`, created if absent.
fn map_entry<'r>(
    object: &'r mut Map<String, Value>,
    key: &str,
) -> Result<&'r mut Map<String, Value>, Error> {
    let entry = object
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    match entry {
        Value::Object(m) => Ok(m),
        _ => err(
            ErrorCode::InvalidNestValue,
            format!("{key:?} is both a map container or nest and a plain property"),
        ),
    }
}

/// Remove the first string value of `key` in the map `compacted` and return it; the other
/// values stay.
fn take_first_string(compacted: &mut Value, key: &str) -> Option<String> {
    let Value::Object(m) = compacted else {
        return None;
    };
    let values = match m.remove(key)? {
        Value::Array(a) => a,
        other => vec![other],
    };
    let mut first: Option<String> = None;
    let mut rest = Vec::new();
    for v in values {
        match (&first, v) {
            (None, Value::String(s)) => first = Some(s),
            (_, v) => rest.push(v),
        }
    }
    if !rest.is_empty() {
        add_value(m, key, Value::Array(rest), false);
    }
    first
}
