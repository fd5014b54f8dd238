//! The expansion algorithm ([JSON-LD 1.1 API §5.1](https://www.w3.org/TR/json-ld11-api/#expansion-algorithm))
//! and value expansion (§5.3), with safe mode.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::context::{ActiveContext, ProcessFlags, TermDef, container, is_keyword};
use crate::error::{Error, ErrorCode};
use crate::iri::{is_absolute_iri, is_well_formed_absolute_iri};
use crate::options::ProcessingMode;
use crate::processor::Env;
use crate::tree::{Ev, Obj, Str};

/// A JSON path to the element being expanded, kept on the stack (rendered only for errors).
#[derive(Clone, Copy)]
pub(crate) enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
    depth: usize,
}

impl<'a> Path<'a> {
    const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
        depth: 0,
    };

    fn key(&'a self, k: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Key(k),
            depth: self.depth + 1,
        }
    }

    fn index(&'a self, i: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Index(i),
            depth: self.depth + 1,
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut p = Some(self);
        while let Some(x) = p {
            segs.push(x.seg);
            p = x.parent;
        }
        let mut out = String::new();
        for s in segs.iter().rev() {
            match s {
                Seg::Root => out.push('$'),
                Seg::Key(k) => {
                    if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                        out.push('.');
                        out.push_str(k);
                    } else {
                        out.push_str(&format!("[{}]", Value::String((*k).to_owned())));
                    }
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

fn at<T>(path: &Path<'_>, code: ErrorCode, message: impl Into<String>) -> Result<T, Error> {
    Err(Error::new(code, message).with_path_if_none(|| path.render()))
}

fn safe<T>(path: &Path<'_>, message: impl Into<String>) -> Result<T, Error> {
    at(path, ErrorCode::SafeMode, message)
}

/// Expand a whole document (§5.1 plus the API's final steps).
pub(crate) fn expand_document(env: &Env<'_>, input: &Value) -> Result<Value, Error> {
    expand_document_tree(env, input).map(Ev::into_value)
}

/// [`expand_document`] as an expanded tree borrowing from `input` (an array).
pub(crate) fn expand_document_tree<'a>(env: &Env<'_>, input: &'a Value) -> Result<Ev<'a>, Error> {
    let opts = env.options;
    let mut active = env.initial_context(opts.base.as_deref());
    if let Some((ctx, url)) = &opts.expand_context {
        let ctx = match ctx {
            Value::Object(m) if m.contains_key("@context") => {
                m.get("@context").unwrap_or(&Value::Null)
            }
            other => other,
        };
        let base = url.as_deref().or(opts.base.as_deref());
        active = env.process_embedded(&active, ctx, base)?;
    }
    let root = Path::ROOT;
    let expanded = expand(
        env,
        &active,
        None,
        input,
        opts.base.as_deref(),
        false,
        &root,
    )?;
    let expanded = match expanded {
        Ev::Object(mut m) if m.len() == 1 && m.contains_key("@graph") => {
            m.remove("@graph").unwrap_or(Ev::Null)
        }
        other => other,
    };
    Ok(match expanded {
        Ev::Null => Ev::Array(Vec::new()),
        Ev::Array(a) => Ev::Array(a),
        other => Ev::Array(vec![other]),
    })
}

/// Maps of input objects are small: scanning their keys beats hashing the key (serde_json
/// maps hash with SipHash).
const SCAN_MAX: usize = 16;

fn get<'m>(map: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    if map.len() <= SCAN_MAX {
        map.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

/// `iri`, expanded from `input`, borrowed from the input when it is `input` itself.
fn from_input<'a>(input: &'a str, iri: Cow<'_, str>) -> Str<'a> {
    match iri {
        Cow::Borrowed(s) if std::ptr::eq(s, input) => Str::Borrowed(input),
        other => Str::Owned(other.into_owned()),
    }
}

/// `active.expand_iri(value, document_relative, true)`, sharing the IRI of a term definition
/// instead of copying it.
fn expand_vocab<'a>(
    active: &ActiveContext,
    value: &'a str,
    document_relative: bool,
) -> Option<Str<'a>> {
    // A term never has the form of a keyword: for a defined term, IRI expansion returns its
    // IRI (null included).
    if !value.starts_with('@')
        && let Some(d) = active.term(value)
    {
        return d.iri.clone().map(Str::Shared);
    }
    active
        .expand_iri(value, document_relative, true)
        .map(|i| from_input(value, i))
}

/// The static form of the keywords expansion puts into an expanded object.
fn static_keyword(k: &str) -> Str<'static> {
    Str::Borrowed(match k {
        "@id" => "@id",
        "@type" => "@type",
        "@graph" => "@graph",
        "@included" => "@included",
        "@value" => "@value",
        "@language" => "@language",
        "@direction" => "@direction",
        "@index" => "@index",
        "@list" => "@list",
        "@set" => "@set",
        "@reverse" => "@reverse",
        other => return Str::Owned(other.to_owned()),
    })
}

fn push_flat<'a>(out: &mut Vec<Ev<'a>>, v: Ev<'a>) {
    match v {
        Ev::Null => {}
        Ev::Array(a) => out.extend(a),
        other => out.push(other),
    }
}

fn as_array(v: Ev<'_>) -> Vec<Ev<'_>> {
    match v {
        Ev::Array(a) => a,
        Ev::Null => Vec::new(),
        other => vec![other],
    }
}

/// Append `value` (flattening arrays) to the array at `map[key]`.
fn add_value<'a>(map: &mut Obj<'a>, key: Str<'a>, value: Ev<'a>) {
    let Some(entry) = map.get_mut(&key) else {
        let v = match value {
            Ev::Array(v) => v,
            other => vec![other],
        };
        map.push_new(key, Ev::Array(v));
        return;
    };
    if !matches!(entry, Ev::Array(_)) {
        let old = std::mem::replace(entry, Ev::Null);
        *entry = Ev::Array(vec![old]);
    }
    if let Ev::Array(a) = entry {
        match value {
            Ev::Array(v) => a.extend(v),
            other => a.push(other),
        }
    }
}

fn is_list_object(v: &Ev<'_>) -> bool {
    v.as_object().is_some_and(|m| m.contains_key("@list"))
}

fn is_value_object(v: &Ev<'_>) -> bool {
    v.as_object().is_some_and(|m| m.contains_key("@value"))
}

fn is_graph_object(v: &Ev<'_>) -> bool {
    v.as_object().is_some_and(|m| {
        m.contains_key("@graph")
            && m.keys()
                .all(|k| matches!(k, "@graph" | "@id" | "@index" | "@context"))
    })
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

fn is_absolute_or_blank(s: &str) -> bool {
    is_absolute_iri(s) || s.starts_with("_:")
}

/// The expansion algorithm (§5.1.2).
fn expand<'a>(
    env: &Env<'_>,
    active: &Arc<ActiveContext>,
    active_property: Option<&str>,
    element: &'a Value,
    base_url: Option<&str>,
    from_map: bool,
    path: &Path<'_>,
) -> Result<Ev<'a>, Error> {
    let prop_def = active_property.and_then(|p| active.term(p));
    expand_with(
        env,
        active,
        active_property,
        prop_def,
        element,
        base_url,
        from_map,
        path,
    )
}

/// [`expand`] given the active property's term definition in `active` (looked up once by
/// the caller).
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn expand_with<'a>(
    env: &Env<'_>,
    active: &Arc<ActiveContext>,
    active_property: Option<&str>,
    prop_def: Option<&Arc<TermDef>>,
    element: &'a Value,
    base_url: Option<&str>,
    from_map: bool,
    path: &Path<'_>,
) -> Result<Ev<'a>, Error> {
    check_depth(env, path)?;
    match element {
        Value::Null => Ok(Ev::Null),
        Value::Array(items) => {
            let is_list = prop_def.is_some_and(|d| d.container & container::LIST != 0);
            let mut result = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let p = path.index(i);
                let e = expand_with(
                    env,
                    active,
                    active_property,
                    prop_def,
                    item,
                    base_url,
                    from_map,
                    &p,
                )?;
                if is_list && e.is_array() {
                    result.push(Ev::Object(Obj::one("@list", e)));
                } else {
                    push_flat(&mut result, e);
                }
            }
            Ok(Ev::Array(result))
        }
        Value::Object(element) => expand_object(
            env,
            active,
            active_property,
            prop_def,
            element,
            base_url,
            from_map,
            path,
        ),
        scalar => {
            if active_property.is_none() || active_property == Some("@graph") {
                if env.options.safe_mode {
                    return safe(path, "a free-floating value would be dropped");
                }
                return Ok(Ev::Null);
            }
            let ctx;
            let (active, def) = match prop_def.and_then(|d| d.context.as_ref().map(|c| (d, c))) {
                Some((d, c)) => {
                    ctx = env.process_scoped(
                        active,
                        c,
                        d.base_url.as_deref(),
                        ProcessFlags {
                            override_protected: true,
                            ..ProcessFlags::default()
                        },
                    )?;
                    (&ctx, active_property.and_then(|p| ctx.term(p)))
                }
                // Same context: the definition is the one already looked up.
                None => (active, prop_def),
            };
            let def = def.map(|d| &**d);
            expand_value(env, active, def, Ev::scalar(scalar), path)
        }
    }
}

fn check_depth(env: &Env<'_>, path: &Path<'_>) -> Result<(), Error> {
    if path.depth > env.options.limits.max_expansion_depth {
        return at(
            path,
            ErrorCode::LimitExceeded,
            format!(
                "the document nests deeper than max_expansion_depth ({})",
                env.options.limits.max_expansion_depth
            ),
        );
    }
    Ok(())
}

/// Value expansion (§5.3.2).
fn expand_value<'a>(
    env: &Env<'_>,
    active: &ActiveContext,
    def: Option<&TermDef>,
    value: Ev<'a>,
    path: &Path<'_>,
) -> Result<Ev<'a>, Error> {
    let type_mapping = def.and_then(|d| d.type_mapping.as_deref());
    if let (Some(tm @ ("@id" | "@vocab")), Ev::Str(s)) = (type_mapping, &value) {
        let iri = active.expand_iri(s, true, tm == "@vocab");
        let id = match iri {
            Some(i) => {
                if env.options.safe_mode && !is_absolute_or_blank(&i) {
                    return safe(
                        path,
                        format!("the identifier {s:?} does not expand to an absolute IRI"),
                    );
                }
                match s {
                    Str::Borrowed(input) => Ev::Str(from_input(input, i)),
                    _ => Ev::Str(Str::Owned(i.into_owned())),
                }
            }
            None => {
                if env.options.safe_mode {
                    return safe(
                        path,
                        format!("the identifier {s:?} has the form of a keyword"),
                    );
                }
                Ev::Null
            }
        };
        return Ok(Ev::Object(Obj::one("@id", id)));
    }
    let is_string = value.is_string();
    let mut m = Obj::with_capacity(3);
    m.push_new(Str::Borrowed("@value"), value);
    match type_mapping {
        Some("@id" | "@vocab" | "@none") => {}
        Some(t) => {
            // Shared with the term definition.
            if let Some(t) = def.and_then(|d| d.type_mapping.clone()) {
                m.push_new(Str::Borrowed("@type"), Ev::Str(Str::Shared(t)));
            } else {
                m.push_new(Str::Borrowed("@type"), Ev::Str(Str::Owned(t.to_owned())));
            }
            return Ok(Ev::Object(m));
        }
        None => {}
    }
    if is_string {
        let language = match def.and_then(|d| d.language.as_ref()) {
            Some(l) => l.as_deref(),
            None => active.language.as_deref(),
        };
        let direction = match def.and_then(|d| d.direction) {
            Some(d) => d,
            None => active.direction,
        };
        if let Some(l) = language {
            m.push_new(
                Str::Borrowed("@language"),
                Ev::Str(Str::Owned(l.to_owned())),
            );
        }
        if let Some(d) = direction {
            m.push_new(Str::Borrowed("@direction"), Ev::str(d.as_str()));
        }
    }
    Ok(Ev::Object(m))
}

struct NodeState<'e> {
    result: Obj<'e>,
    nests: Vec<&'e str>,
}

#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn expand_object<'a>(
    env: &Env<'_>,
    active: &Arc<ActiveContext>,
    active_property: Option<&str>,
    prop_def: Option<&Arc<TermDef>>,
    element: &'a Map<String, Value>,
    base_url: Option<&str>,
    from_map: bool,
    path: &Path<'_>,
) -> Result<Ev<'a>, Error> {
    let mut active = Arc::clone(active);
    // The top-level object may have an entry the caller wants left out (no copy made).
    let skip = match &env.options.skipped_root_entry {
        Some(k) if path.depth == 0 && element.contains_key(k.as_str()) => Some(k.as_str()),
        _ => None,
    };
    let kept = |k: &&String| Some(k.as_str()) != skip;
    // Step 7: revert a non-propagated context.
    if let Some(prev) = &active.previous
        && !from_map
    {
        let mut keep = false;
        for k in element.keys().filter(kept) {
            if active.keyword_of(k) == Some("@value") {
                keep = true;
                break;
            }
        }
        let mut keys = element.keys().filter(kept);
        if !keep && let (Some(k), None) = (keys.next(), keys.next()) {
            keep = active.keyword_of(k) == Some("@id");
        }
        if !keep {
            active = Arc::clone(prev);
        }
    }
    // Step 8: property-scoped context.
    if let Some((d, c)) = prop_def.and_then(|d| d.context.as_ref().map(|c| (d, c))) {
        active = env.process_scoped(
            &active,
            c,
            d.base_url.as_deref(),
            ProcessFlags {
                override_protected: true,
                ..ProcessFlags::default()
            },
        )?;
    }
    // Step 9: embedded context.
    if let Some(c) = get(element, "@context").filter(|_| skip != Some("@context")) {
        let p = path.key("@context");
        active = env
            .process_embedded(&active, c, base_url)
            .map_err(|e| e.with_path_if_none(|| p.render()))?;
    }
    // Steps 10-11: type-scoped contexts.
    let type_scoped = Arc::clone(&active);
    // Usually one key (no allocation); aliases of @type make more, sorted.
    let one_key: [&str; 1];
    let many_keys: Vec<&str>;
    let type_keys: &[&str] = {
        let mut keys = element
            .keys()
            .filter(kept)
            .filter(|k| active.keyword_of(k) == Some("@type"))
            .map(String::as_str);
        match (keys.next(), keys.next()) {
            (None, _) => &[],
            (Some(k), None) => {
                one_key = [k];
                &one_key
            }
            (Some(a), Some(b)) => {
                let mut v = vec![a, b];
                v.extend(keys);
                v.sort_unstable();
                many_keys = v;
                &many_keys
            }
        }
    };
    for k in type_keys {
        let values: &[Value] = match get(element, k) {
            Some(Value::Array(a)) => a,
            Some(v) => std::slice::from_ref(v),
            None => &[],
        };
        // Only the types that carry a context matter, in sorted order.
        let mut scoped: Vec<(&str, &Arc<TermDef>, &Arc<Value>)> = Vec::new();
        for t in values.iter().filter_map(Value::as_str) {
            if let Some(d) = type_scoped.term(t)
                && let Some(c) = &d.context
            {
                scoped.push((t, d, c));
            }
        }
        scoped.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (_, d, c) in scoped {
            {
                active = env
                    .process_scoped(
                        &active,
                        c,
                        d.base_url.as_deref(),
                        ProcessFlags {
                            propagate: false,
                            ..ProcessFlags::default()
                        },
                    )
                    .map_err(|e| e.with_path_if_none(|| path.key(k).render()))?;
            }
        }
    }
    // Step 12: input type.
    let input_type: Option<Cow<'_, str>> = type_keys.first().and_then(|k| {
        let last = match get(element, k) {
            Some(Value::Array(a)) => a.last(),
            other => other,
        };
        last.and_then(Value::as_str)
            .and_then(|t| type_scoped.expand_iri(t, false, true))
    });
    let mut state = NodeState {
        result: Obj::with_capacity(element.len() + 1),
        nests: Vec::new(),
    };
    let ctx = ObjCtx {
        env,
        active: &active,
        type_scoped: &type_scoped,
        active_property,
        base_url,
        input_type: input_type.as_deref(),
    };
    ctx.expand_entries(element, skip, &mut state, path)?;
    // Step 14: nested properties.
    ctx.expand_nests(element, &mut state, path)?;
    finish_object(env, active_property, state.result, path)
}

struct ObjCtx<'c, 'e> {
    env: &'c Env<'e>,
    active: &'c Arc<ActiveContext>,
    type_scoped: &'c Arc<ActiveContext>,
    active_property: Option<&'c str>,
    base_url: Option<&'c str>,
    input_type: Option<&'c str>,
}

impl ObjCtx<'_, '_> {
    fn expand_nests<'e>(
        &self,
        element: &'e Map<String, Value>,
        state: &mut NodeState<'e>,
        path: &Path<'_>,
    ) -> Result<(), Error> {
        let mut nests = std::mem::take(&mut state.nests);
        nests.sort_unstable();
        for key in nests {
            let kp = path.key(key);
            let values: &[Value] = match get(element, key) {
                Some(Value::Array(a)) => a,
                Some(v) => std::slice::from_ref(v),
                None => &[],
            };
            for (i, nested) in values.iter().enumerate() {
                let ip = if get(element, key).is_some_and(Value::is_array) {
                    kp.index(i)
                } else {
                    kp
                };
                let Value::Object(nested) = nested else {
                    return at(
                        &ip,
                        ErrorCode::InvalidNestValue,
                        "a nested value must be an object",
                    );
                };
                if nested
                    .keys()
                    .any(|k| self.active.keyword_of(k) == Some("@value"))
                {
                    return at(
                        &ip,
                        ErrorCode::InvalidNestValue,
                        "a nested object cannot be a value object",
                    );
                }
                let scoped;
                let active = match self
                    .active
                    .term(key)
                    .and_then(|d| d.context.as_ref().map(|c| (d, c)))
                {
                    Some((d, c)) => {
                        scoped = self
                            .env
                            .process_scoped(
                                self.active,
                                c,
                                d.base_url.as_deref(),
                                ProcessFlags {
                                    override_protected: true,
                                    ..ProcessFlags::default()
                                },
                            )
                            .map_err(|e| e.with_path_if_none(|| ip.render()))?;
                        &scoped
                    }
                    None => self.active,
                };
                let inner = ObjCtx {
                    env: self.env,
                    active,
                    type_scoped: self.type_scoped,
                    active_property: self.active_property,
                    base_url: self.base_url,
                    input_type: self.input_type,
                };
                inner.expand_entries(nested, None, state, &ip)?;
                inner.expand_nests(nested, state, &ip)?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_lines)]
    fn expand_entries<'e>(
        &self,
        element: &'e Map<String, Value>,
        skip: Option<&str>,
        state: &mut NodeState<'e>,
        path: &Path<'_>,
    ) -> Result<(), Error> {
        let env = self.env;
        let safe_mode = env.options.safe_mode;
        let mode = env.options.processing_mode;
        let active = self.active;
        for (key, value) in element {
            if key == "@context" || Some(key.as_str()) == skip {
                continue;
            }
            let kp = path.key(key);
            // One term lookup serves IRI expansion and the term definition.
            let key_def = active.term(key);
            let expanded_property: Option<Str<'e>> = match key_def {
                // What `expand_iri(key, false, true)` returns for a defined term (a term never
                // has the form of a keyword), shared.
                Some(d) if !key.starts_with('@') => d.iri.clone().map(Str::Shared),
                _ => active
                    .expand_iri(key, false, true)
                    .map(|i| from_input(key, i)),
            };
            let Some(expanded_property) = expanded_property else {
                if safe_mode {
                    return safe(
                        &kp,
                        format!(
                            "property {key:?} is not defined by the context and would be dropped"
                        ),
                    );
                }
                continue;
            };
            let ep: &str = &expanded_property;
            let keyword = is_keyword(ep);
            if !keyword && !ep.contains(':') {
                if safe_mode {
                    return safe(
                        &kp,
                        format!(
                            "property {key:?} does not expand to an absolute IRI and would be dropped"
                        ),
                    );
                }
                continue;
            }
            if keyword {
                if self.active_property == Some("@reverse") {
                    return at(
                        &kp,
                        ErrorCode::InvalidReversePropertyMap,
                        "a reverse property map cannot contain keywords",
                    );
                }
                if state.result.contains_key(ep)
                    && !(mode == ProcessingMode::JsonLd11 && (ep == "@included" || ep == "@type"))
                {
                    return at(
                        &kp,
                        ErrorCode::CollidingKeywords,
                        format!("{ep} appears more than once"),
                    );
                }
                let expanded_value: Ev<'e> = match ep {
                    "@id" => {
                        let Value::String(s) = value else {
                            return at(&kp, ErrorCode::InvalidIdValue, "@id must be a string");
                        };
                        match active.expand_iri(s, true, false) {
                            Some(i) => {
                                if safe_mode && !is_absolute_or_blank(&i) {
                                    return safe(
                                        &kp,
                                        format!(
                                            "@id {s:?} is not an absolute IRI and there is no base to resolve it"
                                        ),
                                    );
                                }
                                Ev::Str(from_input(s, i))
                            }
                            None => {
                                if safe_mode {
                                    return safe(
                                        &kp,
                                        format!("@id {s:?} has the form of a keyword"),
                                    );
                                }
                                Ev::Null
                            }
                        }
                    }
                    "@type" => {
                        let items: &[Value] = match value {
                            Value::String(_) => std::slice::from_ref(value),
                            Value::Array(a) if a.iter().all(Value::is_string) => a,
                            _ => {
                                return at(
                                    &kp,
                                    ErrorCode::InvalidTypeValue,
                                    "@type must be a string or an array of strings",
                                );
                            }
                        };
                        let mut out = Vec::with_capacity(items.len());
                        for t in items.iter().filter_map(Value::as_str) {
                            if safe_mode {
                                match expand_vocab(self.type_scoped, t, false) {
                                    // `@json` is the one keyword a (value object's) type may be.
                                    Some(i) if is_absolute_or_blank(&i) || *i == *"@json" => {
                                        out.push(Ev::Str(i));
                                    }
                                    _ => {
                                        return safe(
                                            &kp,
                                            format!(
                                                "type {t:?} does not expand to an absolute IRI"
                                            ),
                                        );
                                    }
                                }
                            } else if let Some(i) = expand_vocab(self.type_scoped, t, true) {
                                out.push(Ev::Str(i));
                            }
                        }

                        if let Some(prev) = state.result.remove("@type") {
                            let mut v = as_array(prev);
                            v.extend(out);
                            Ev::Array(v)
                        } else if value.is_array() {
                            Ev::Array(out)
                        } else {
                            out.into_iter().next().unwrap_or(Ev::Null)
                        }
                    }
                    "@graph" => {
                        let e = expand(
                            env,
                            active,
                            Some("@graph"),
                            value,
                            self.base_url,
                            false,
                            &kp,
                        )?;
                        Ev::Array(as_array(e))
                    }
                    "@included" => {
                        if mode == ProcessingMode::JsonLd10 {
                            continue;
                        }
                        let e = as_array(expand(
                            env,
                            active,
                            Some("@included"),
                            value,
                            self.base_url,
                            false,
                            &kp,
                        )?);
                        if !e
                            .iter()
                            .all(|x| x.is_object() && !is_value_object(x) && !is_list_object(x))
                        {
                            return at(
                                &kp,
                                ErrorCode::InvalidIncludedValue,
                                "@included values must be node objects",
                            );
                        }
                        let mut all = state
                            .result
                            .remove("@included")
                            .map(as_array)
                            .unwrap_or_default();
                        all.extend(e);
                        Ev::Array(all)
                    }
                    "@value" => {
                        if self.input_type == Some("@json") {
                            if mode == ProcessingMode::JsonLd10 {
                                return at(
                                    &kp,
                                    ErrorCode::InvalidValueObjectValue,
                                    "@json in json-ld-1.0 mode",
                                );
                            }
                            Ev::Json(value)
                        } else if value.is_null() {
                            state.result.insert("@value", Ev::Null);
                            continue;
                        } else if is_scalar(value) {
                            Ev::scalar(value)
                        } else {
                            return at(
                                &kp,
                                ErrorCode::InvalidValueObjectValue,
                                "@value must be a string, number, boolean or null",
                            );
                        }
                    }
                    "@language" => {
                        let Value::String(s) = value else {
                            return at(
                                &kp,
                                ErrorCode::InvalidLanguageTaggedString,
                                "@language must be a string",
                            );
                        };
                        if s.bytes().any(|b| b.is_ascii_uppercase()) {
                            Ev::Str(Str::Owned(s.to_ascii_lowercase()))
                        } else {
                            Ev::str(s)
                        }
                    }
                    "@direction" => {
                        if mode == ProcessingMode::JsonLd10 {
                            continue;
                        }
                        match value.as_str() {
                            Some(d @ ("ltr" | "rtl")) => Ev::str(d),
                            _ => {
                                return at(
                                    &kp,
                                    ErrorCode::InvalidBaseDirection,
                                    "@direction must be \"ltr\" or \"rtl\"",
                                );
                            }
                        }
                    }
                    "@index" => {
                        if !value.is_string() {
                            return at(
                                &kp,
                                ErrorCode::InvalidIndexValue,
                                "@index must be a string",
                            );
                        }
                        Ev::scalar(value)
                    }
                    "@list" => {
                        if self.active_property.is_none() || self.active_property == Some("@graph")
                        {
                            if safe_mode {
                                return safe(&kp, "a free-floating list would be dropped");
                            }
                            continue;
                        }
                        let e = expand(
                            env,
                            active,
                            self.active_property,
                            value,
                            self.base_url,
                            false,
                            &kp,
                        )?;
                        Ev::Array(as_array(e))
                    }
                    "@set" => expand(
                        env,
                        active,
                        self.active_property,
                        value,
                        self.base_url,
                        false,
                        &kp,
                    )?,
                    "@reverse" => {
                        if !value.is_object() {
                            return at(
                                &kp,
                                ErrorCode::InvalidReverseValue,
                                "@reverse must be an object",
                            );
                        }
                        let e = expand(
                            env,
                            active,
                            Some("@reverse"),
                            value,
                            self.base_url,
                            false,
                            &kp,
                        )?;
                        if let Ev::Object(mut e) = e {
                            if let Some(Ev::Object(rev)) = e.remove("@reverse") {
                                for (p, items) in rev.into_entries() {
                                    add_value(&mut state.result, p, items);
                                }
                            }
                            if !e.is_empty() {
                                let mut rmap = match state.result.remove("@reverse") {
                                    Some(Ev::Object(m)) => m,
                                    _ => Obj::new(),
                                };
                                for (p, items) in e.into_entries() {
                                    for item in as_array(items) {
                                        if is_value_object(&item) || is_list_object(&item) {
                                            return at(
                                                &kp,
                                                ErrorCode::InvalidReversePropertyValue,
                                                "a reverse property value cannot be a value or list object",
                                            );
                                        }
                                        add_value(&mut rmap, p.clone(), item);
                                    }
                                }
                                state.result.insert("@reverse", Ev::Object(rmap));
                            }
                        }
                        continue;
                    }
                    "@nest" => {
                        state.nests.push(key.as_str());
                        continue;
                    }
                    _ => continue,
                };
                if !(expanded_value.is_null() && ep == "@value" && self.input_type != Some("@json"))
                {
                    state.result.insert(static_keyword(ep), expanded_value);
                }
                continue;
            }
            // Non-keyword property.
            let cont = key_def.map_or(0, |d| d.container);
            let mut expanded_value: Ev<'e> = if key_def
                .is_some_and(|d| d.type_mapping.as_deref() == Some("@json"))
            {
                let mut m = Obj::with_capacity(2);
                m.push_new(Str::Borrowed("@value"), Ev::Json(value));
                m.push_new(Str::Borrowed("@type"), Ev::str("@json"));
                Ev::Object(m)
            } else if let (true, Value::Object(lmap)) = (cont & container::LANGUAGE != 0, value) {
                let direction = match key_def.and_then(|d| d.direction) {
                    Some(d) => d,
                    None => active.direction,
                };
                let mut out = Vec::new();
                for (lang, lv) in lmap {
                    let lp = kp.key(lang);
                    let items: &[Value] = match lv {
                        Value::Array(a) => a,
                        other => std::slice::from_ref(other),
                    };
                    for item in items {
                        match item {
                            Value::Null => continue,
                            Value::String(_) => {}
                            _ => {
                                return at(
                                    &lp,
                                    ErrorCode::InvalidLanguageMapValue,
                                    "language map values must be strings",
                                );
                            }
                        }
                        let mut v = Obj::with_capacity(3);
                        v.push_new(Str::Borrowed("@value"), Ev::scalar(item));
                        let is_none = lang == "@none"
                            || active.expand_iri(lang, false, true).as_deref() == Some("@none");
                        if !is_none {
                            v.push_new(
                                Str::Borrowed("@language"),
                                Ev::Str(Str::Owned(lang.to_ascii_lowercase())),
                            );
                        }
                        if let Some(d) = direction {
                            v.push_new(Str::Borrowed("@direction"), Ev::str(d.as_str()));
                        }
                        out.push(Ev::Object(v));
                    }
                }
                Ev::Array(out)
            } else if let (true, Value::Object(imap)) = (
                cont & (container::INDEX | container::TYPE | container::ID) != 0,
                value,
            ) {
                self.expand_index_map(key, key_def, cont, imap, &kp)?
            } else {
                expand_with(
                    env,
                    active,
                    Some(key),
                    key_def,
                    value,
                    self.base_url,
                    false,
                    &kp,
                )?
            };
            if expanded_value.is_null() {
                continue;
            }
            if cont & container::LIST != 0 && !is_list_object(&expanded_value) {
                expanded_value = Ev::Object(Obj::one("@list", Ev::Array(as_array(expanded_value))));
            }
            if cont & container::GRAPH != 0 && cont & (container::ID | container::INDEX) == 0 {
                let items = as_array(expanded_value)
                    .into_iter()
                    .map(|ev| Ev::Object(Obj::one("@graph", Ev::Array(as_array(ev)))))
                    .collect();
                expanded_value = Ev::Array(items);
            }
            if key_def.is_some_and(|d| d.reverse) {
                let mut rmap = match state.result.remove("@reverse") {
                    Some(Ev::Object(m)) => m,
                    _ => Obj::new(),
                };
                let ep = expanded_property;
                for item in as_array(expanded_value) {
                    if is_value_object(&item) || is_list_object(&item) {
                        state.result.insert("@reverse", Ev::Object(rmap));
                        return at(
                            &kp,
                            ErrorCode::InvalidReversePropertyValue,
                            "a reverse property value cannot be a value or list object",
                        );
                    }
                    add_value(&mut rmap, ep.clone(), item);
                }
                state.result.insert("@reverse", Ev::Object(rmap));
            } else {
                add_value(&mut state.result, expanded_property, expanded_value);
            }
        }
        Ok(())
    }

    /// Step 13.8: index, id and type maps.
    fn expand_index_map<'e>(
        &self,
        key: &str,
        key_def: Option<&Arc<TermDef>>,
        cont: u8,
        imap: &'e Map<String, Value>,
        kp: &Path<'_>,
    ) -> Result<Ev<'e>, Error> {
        let env = self.env;
        let active = self.active;
        let index_key = key_def.and_then(|d| d.index.as_deref()).unwrap_or("@index");
        let mut out = Vec::new();
        for (index, index_value) in imap {
            let ip = kp.key(index);
            // Steps 13.8.3.1-3: id and type maps revert a non-propagated context.
            let mut map_context = Arc::clone(active);
            if cont & (container::ID | container::TYPE) != 0
                && let Some(prev) = &active.previous
            {
                map_context = Arc::clone(prev);
            }
            if cont & container::TYPE != 0
                && let Some(d) = map_context.term(index)
                && let Some(c) = &d.context
            {
                let c = Arc::clone(c);
                let b = d.base_url.clone();
                map_context =
                    env.process_scoped(&map_context, &c, b.as_deref(), ProcessFlags::default())?;
            }
            let expanded_index = active.expand_iri(index, false, true);
            let is_none = expanded_index.as_deref() == Some("@none");
            // A single value expands as an array of it would (the array's path is the value's).
            let items = if index_value.is_array() {
                expand(
                    env,
                    &map_context,
                    Some(key),
                    index_value,
                    self.base_url,
                    true,
                    &ip,
                )?
            } else {
                // The array the value is wrapped in is one level deeper than the map.
                check_depth(env, &ip)?;
                let e = expand(
                    env,
                    &map_context,
                    Some(key),
                    index_value,
                    self.base_url,
                    true,
                    &ip.index(0),
                )?;
                let is_list = map_context
                    .term(key)
                    .is_some_and(|d| d.container & container::LIST != 0);
                let mut result = Vec::new();
                if is_list && e.is_array() {
                    result.push(Ev::Object(Obj::one("@list", e)));
                } else {
                    push_flat(&mut result, e);
                }
                Ev::Array(result)
            };
            for item in as_array(items) {
                let mut item = item;
                if cont & container::GRAPH != 0 && !is_graph_object(&item) {
                    item = Ev::Object(Obj::one("@graph", Ev::Array(as_array(item))));
                }
                if cont & container::INDEX != 0 && index_key != "@index" && !is_none {
                    let re_expanded = expand_value(
                        env,
                        active,
                        active.term(index_key).map(|d| &**d),
                        Ev::str(index),
                        &ip,
                    )?;
                    let Some(eik) = active.expand_iri(index_key, false, true) else {
                        continue;
                    };
                    let Ev::Object(m) = &mut item else {
                        continue;
                    };
                    if m.contains_key("@value") {
                        return at(
                            &ip,
                            ErrorCode::InvalidValueObject,
                            "a value object cannot take a property-valued index",
                        );
                    }
                    let mut vals = vec![re_expanded];
                    if let Some(existing) = m.remove(eik.as_ref()) {
                        vals.extend(as_array(existing));
                    }
                    m.insert(eik.into_owned(), Ev::Array(vals));
                } else if cont & container::INDEX != 0 && !is_none {
                    if let Ev::Object(m) = &mut item
                        && !m.contains_key("@index")
                    {
                        m.insert("@index", Ev::str(index));
                    }
                } else if cont & container::ID != 0 && !is_none {
                    // Step 13.8.3.7.4 would give a value or list object an @id, which no
                    // value or list object may have: an error (as jsonld.js and the Ruby
                    // processor do), not an invalid expanded document.
                    if let Ev::Object(m) = &item
                        && (m.contains_key("@value") || m.contains_key("@list"))
                    {
                        return at(
                            &ip,
                            if m.contains_key("@value") {
                                ErrorCode::InvalidValueObject
                            } else {
                                ErrorCode::InvalidSetOrListObject
                            },
                            format!(
                                "the id map key {index:?} cannot be the @id of a value or list"
                            ),
                        );
                    }
                    if let Ev::Object(m) = &mut item
                        && !m.contains_key("@id")
                    {
                        let id = active.expand_iri(index, true, false);
                        match id {
                            Some(i) => {
                                if env.options.safe_mode && !is_absolute_or_blank(&i) {
                                    return safe(
                                        &ip,
                                        format!("id map key {index:?} is not an absolute IRI"),
                                    );
                                }
                                m.insert("@id", Ev::Str(from_input(index, i)));
                            }
                            None => {
                                if env.options.safe_mode {
                                    return safe(
                                        &ip,
                                        format!("id map key {index:?} has the form of a keyword"),
                                    );
                                }
                                m.insert("@id", Ev::Null);
                            }
                        }
                    }
                } else if cont & container::TYPE != 0
                    && !is_none
                    && let Ev::Object(m) = &mut item
                {
                    // Step 13.8.3.7.5 would give a value object a list of types (a value has
                    // at most one datatype) and a list object a type: errors, as above.
                    if m.contains_key("@value") || m.contains_key("@list") {
                        return at(
                            &ip,
                            if m.contains_key("@value") {
                                ErrorCode::InvalidValueObject
                            } else {
                                ErrorCode::InvalidSetOrListObject
                            },
                            format!("the type map key {index:?} cannot type a value or list"),
                        );
                    }
                    let t = match &expanded_index {
                        Some(t) => t.to_string(),
                        None => continue,
                    };
                    if env.options.safe_mode && !is_absolute_or_blank(&t) {
                        return safe(
                            &ip,
                            format!("type map key {index:?} is not an absolute IRI"),
                        );
                    }
                    let mut types = vec![Ev::Str(Str::Owned(t))];
                    if let Some(existing) = m.remove("@type") {
                        types.extend(as_array(existing));
                    }
                    m.insert("@type", Ev::Array(types));
                }
                out.push(item);
            }
        }
        Ok(Ev::Array(out))
    }
}

/// Whether an expanded object has `@list` or `@set` (one scan of its keys).
fn is_list_or_set(map: &Obj<'_>) -> bool {
    map.keys().any(|k| k == "@list" || k == "@set")
}

/// Steps 15-20 of §5.1.2.
fn finish_object<'a>(
    env: &Env<'_>,
    active_property: Option<&str>,
    mut result: Obj<'a>,
    path: &Path<'_>,
) -> Result<Ev<'a>, Error> {
    let safe_mode = env.options.safe_mode;
    if result.contains_key("@value") {
        if !result.keys().all(|k| {
            matches!(
                k,
                "@direction" | "@index" | "@language" | "@type" | "@value"
            )
        }) || (result.contains_key("@type")
            && (result.contains_key("@language") || result.contains_key("@direction")))
        {
            return at(
                path,
                ErrorCode::InvalidValueObject,
                "a value object has entries that do not belong together",
            );
        }
        let is_json = result.get("@type").and_then(Ev::as_str) == Some("@json");
        if !is_json {
            let v = result.get("@value").unwrap_or(&Ev::Null);
            let empty_array = match v {
                Ev::Array(a) => a.is_empty(),
                Ev::Json(Value::Array(a)) => a.is_empty(),
                _ => false,
            };
            if v.is_null() || empty_array {
                if safe_mode {
                    return safe(path, "a value object with a null @value would be dropped");
                }
                return Ok(Ev::Null);
            }
            if !v.is_string() && result.contains_key("@language") {
                return at(
                    path,
                    ErrorCode::InvalidLanguageTaggedValue,
                    "only strings can have a language",
                );
            }
            if let Some(t) = result.get("@type") {
                match t.as_str() {
                    Some(s) if is_well_formed_absolute_iri(s) => {}
                    _ => {
                        return at(
                            path,
                            ErrorCode::InvalidTypedValue,
                            format!(
                                "the type {} of a value must be an absolute IRI",
                                t.to_value()
                            ),
                        );
                    }
                }
            }
        }
    } else if is_list_or_set(&result)
        && (result.len() > 2 || (result.len() == 2 && !result.contains_key("@index")))
    {
        // Step 17 (a list or set object carries at most @index besides) comes after step 16
        // (@type as an array) in an "otherwise" chain, so that read literally a list with a
        // string @type escapes it while one with an array @type does not: both are refused.
        return at(
            path,
            ErrorCode::InvalidSetOrListObject,
            "@set and @list objects may only carry @index besides",
        );
    } else if let Some(t) = result.get_mut("@type") {
        if !matches!(t, Ev::Array(_)) {
            let old = std::mem::replace(t, Ev::Null);
            *t = Ev::Array(vec![old]);
        }
    } else if result.contains_key("@set")
        && let Some(s) = result.remove("@set")
    {
        return Ok(s);
    }
    if result.len() == 1 && result.contains_key("@language") {
        if safe_mode {
            return safe(path, "an object with only @language would be dropped");
        }
        return Ok(Ev::Null);
    }
    if active_property.is_none() || active_property == Some("@graph") {
        if result.is_empty() || result.contains_key("@value") || result.contains_key("@list") {
            if safe_mode && !result.is_empty() {
                return safe(path, "a free-floating value or list would be dropped");
            }
            return Ok(Ev::Null);
        }
        if result.len() == 1 && result.contains_key("@id") {
            return Ok(Ev::Null);
        }
    }
    Ok(Ev::Object(result))
}
