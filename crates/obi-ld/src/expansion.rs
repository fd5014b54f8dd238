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
    let opts = env.options;
    let mut active = env.initial_context(opts.base.as_deref());
    if let Some((ctx, url)) = &opts.expand_context {
        let ctx = match ctx {
            Value::Object(m) if has(m, "@context") => get(m, "@context").unwrap_or(&Value::Null),
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
        Value::Object(mut m) if m.len() == 1 && has(&m, "@graph") => {
            m.remove("@graph").unwrap_or(Value::Null)
        }
        other => other,
    };
    Ok(match expanded {
        Value::Null => Value::Array(Vec::new()),
        Value::Array(a) => Value::Array(a),
        other => Value::Array(vec![other]),
    })
}

/// Maps of expanded and input objects are small: scanning their keys beats hashing the key
/// (serde_json maps hash with SipHash).
const SCAN_MAX: usize = 16;

fn has(map: &Map<String, Value>, key: &str) -> bool {
    if map.len() <= SCAN_MAX {
        map.keys().any(|k| k == key)
    } else {
        map.contains_key(key)
    }
}

fn get<'m>(map: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    if map.len() <= SCAN_MAX {
        map.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

fn get_mut<'m>(map: &'m mut Map<String, Value>, key: &str) -> Option<&'m mut Value> {
    if map.len() <= SCAN_MAX {
        map.iter_mut().find(|(k, _)| *k == key).map(|(_, v)| v)
    } else {
        map.get_mut(key)
    }
}

fn push_flat(out: &mut Vec<Value>, v: Value) {
    match v {
        Value::Null => {}
        Value::Array(a) => out.extend(a),
        other => out.push(other),
    }
}

fn as_array(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// Append `value` (flattening arrays) to the array at `map[key]`.
fn add_value(map: &mut Map<String, Value>, key: &str, value: Value) {
    let Some(entry) = get_mut(map, key) else {
        let v = match value {
            Value::Array(v) => v,
            other => vec![other],
        };
        map.insert(key.to_owned(), Value::Array(v));
        return;
    };
    if !entry.is_array() {
        let old = std::mem::take(entry);
        *entry = Value::Array(vec![old]);
    }
    if let Value::Array(a) = entry {
        match value {
            Value::Array(v) => a.extend(v),
            other => a.push(other),
        }
    }
}

/// [`add_value`] taking the key as it came from IRI expansion (no copy when it is owned).
fn add_value_owned(map: &mut Map<String, Value>, key: Cow<'_, str>, value: Value) {
    if has(map, key.as_ref()) {
        add_value(map, &key, value);
    } else {
        let v = match value {
            Value::Array(v) => v,
            other => vec![other],
        };
        map.insert(key.into_owned(), Value::Array(v));
    }
}

fn is_list_object(v: &Value) -> bool {
    v.as_object().is_some_and(|m| has(m, "@list"))
}

fn is_value_object(v: &Value) -> bool {
    v.as_object().is_some_and(|m| has(m, "@value"))
}

fn is_graph_object(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        has(m, "@graph")
            && m.keys()
                .all(|k| matches!(k.as_str(), "@graph" | "@id" | "@index" | "@context"))
    })
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

fn is_absolute_or_blank(s: &str) -> bool {
    is_absolute_iri(s) || s.starts_with("_:")
}

/// The expansion algorithm (§5.1.2).
fn expand(
    env: &Env<'_>,
    active: &Arc<ActiveContext>,
    active_property: Option<&str>,
    element: &Value,
    base_url: Option<&str>,
    from_map: bool,
    path: &Path<'_>,
) -> Result<Value, Error> {
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
fn expand_with(
    env: &Env<'_>,
    active: &Arc<ActiveContext>,
    active_property: Option<&str>,
    prop_def: Option<&Arc<TermDef>>,
    element: &Value,
    base_url: Option<&str>,
    from_map: bool,
    path: &Path<'_>,
) -> Result<Value, Error> {
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
    match element {
        Value::Null => Ok(Value::Null),
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
                    let mut m = Map::new();
                    m.insert("@list".into(), e);
                    result.push(Value::Object(m));
                } else {
                    push_flat(&mut result, e);
                }
            }
            Ok(Value::Array(result))
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
                return Ok(Value::Null);
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
            expand_value(env, active, def, scalar, path)
        }
    }
}

/// Value expansion (§5.3.2).
fn expand_value(
    env: &Env<'_>,
    active: &ActiveContext,
    def: Option<&TermDef>,
    value: &Value,
    path: &Path<'_>,
) -> Result<Value, Error> {
    let type_mapping = def.and_then(|d| d.type_mapping.as_deref());
    if let (Some(tm @ ("@id" | "@vocab")), Value::String(s)) = (type_mapping, value) {
        let iri = active.expand_iri(s, true, tm == "@vocab");
        let mut m = Map::with_capacity(1);
        match iri {
            Some(i) => {
                if env.options.safe_mode && !is_absolute_or_blank(&i) {
                    return safe(
                        path,
                        format!("the identifier {s:?} does not expand to an absolute IRI"),
                    );
                }
                m.insert("@id".into(), Value::String(i.into_owned()));
            }
            None => {
                if env.options.safe_mode {
                    return safe(
                        path,
                        format!("the identifier {s:?} has the form of a keyword"),
                    );
                }
                m.insert("@id".into(), Value::Null);
            }
        }
        return Ok(Value::Object(m));
    }
    let mut m = Map::with_capacity(3);
    m.insert("@value".into(), value.clone());
    match type_mapping {
        Some("@id" | "@vocab" | "@none") => {}
        Some(t) => {
            m.insert("@type".into(), Value::String(t.to_owned()));
            return Ok(Value::Object(m));
        }
        None => {}
    }
    if value.is_string() {
        let language = match def.and_then(|d| d.language.as_ref()) {
            Some(l) => l.as_deref(),
            None => active.language.as_deref(),
        };
        let direction = match def.and_then(|d| d.direction) {
            Some(d) => d,
            None => active.direction,
        };
        if let Some(l) = language {
            m.insert("@language".into(), Value::String(l.to_owned()));
        }
        if let Some(d) = direction {
            m.insert("@direction".into(), Value::String(d.as_str().to_owned()));
        }
    }
    Ok(Value::Object(m))
}

struct NodeState<'e> {
    result: Map<String, Value>,
    nests: Vec<&'e str>,
}

#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn expand_object(
    env: &Env<'_>,
    active: &Arc<ActiveContext>,
    active_property: Option<&str>,
    prop_def: Option<&Arc<TermDef>>,
    element: &Map<String, Value>,
    base_url: Option<&str>,
    from_map: bool,
    path: &Path<'_>,
) -> Result<Value, Error> {
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
        result: Map::with_capacity(element.len() + 1),
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
            let expanded_property = active.expand_iri(key, false, true);
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
                if has(&state.result, ep)
                    && !(mode == ProcessingMode::JsonLd11 && (ep == "@included" || ep == "@type"))
                {
                    return at(
                        &kp,
                        ErrorCode::CollidingKeywords,
                        format!("{ep} appears more than once"),
                    );
                }
                let expanded_value: Value = match ep {
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
                                Value::String(i.into_owned())
                            }
                            None => {
                                if safe_mode {
                                    return safe(
                                        &kp,
                                        format!("@id {s:?} has the form of a keyword"),
                                    );
                                }
                                Value::Null
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
                                match self.type_scoped.expand_iri(t, false, true) {
                                    // `@json` is the one keyword a (value object's) type may be.
                                    Some(i) if is_absolute_or_blank(&i) || i == "@json" => {
                                        out.push(Value::String(i.into_owned()))
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
                            } else if let Some(i) = self.type_scoped.expand_iri(t, true, true) {
                                out.push(Value::String(i.into_owned()));
                            }
                        }

                        if let Some(prev) = state.result.remove("@type") {
                            let mut v = as_array(prev);
                            v.extend(out);
                            Value::Array(v)
                        } else if value.is_array() {
                            Value::Array(out)
                        } else {
                            out.into_iter().next().unwrap_or(Value::Null)
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
                        Value::Array(as_array(e))
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
                        Value::Array(all)
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
                            value.clone()
                        } else if value.is_null() {
                            state.result.insert("@value".into(), Value::Null);
                            continue;
                        } else if is_scalar(value) {
                            value.clone()
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
                        Value::String(s.to_ascii_lowercase())
                    }
                    "@direction" => {
                        if mode == ProcessingMode::JsonLd10 {
                            continue;
                        }
                        match value.as_str() {
                            Some("ltr" | "rtl") => value.clone(),
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
                        value.clone()
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
                        Value::Array(as_array(e))
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
                        if let Value::Object(mut e) = e {
                            if let Some(Value::Object(rev)) = e.remove("@reverse") {
                                for (p, items) in rev {
                                    add_value(&mut state.result, &p, items);
                                }
                            }
                            if !e.is_empty() {
                                let mut rmap = match state.result.remove("@reverse") {
                                    Some(Value::Object(m)) => m,
                                    _ => Map::new(),
                                };
                                for (p, items) in e {
                                    for item in as_array(items) {
                                        if is_value_object(&item) || is_list_object(&item) {
                                            return at(
                                                &kp,
                                                ErrorCode::InvalidReversePropertyValue,
                                                "a reverse property value cannot be a value or list object",
                                            );
                                        }
                                        add_value(&mut rmap, &p, item);
                                    }
                                }
                                state.result.insert("@reverse".into(), Value::Object(rmap));
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
                    state.result.insert(ep.to_owned(), expanded_value);
                }
                continue;
            }
            // Non-keyword property.
            let key_def = active.term(key);
            let cont = key_def.map_or(0, |d| d.container);
            let mut expanded_value: Value = if key_def
                .is_some_and(|d| d.type_mapping.as_deref() == Some("@json"))
            {
                let mut m = Map::new();
                m.insert("@value".into(), value.clone());
                m.insert("@type".into(), Value::String("@json".into()));
                Value::Object(m)
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
                        let mut v = Map::with_capacity(3);
                        v.insert("@value".into(), item.clone());
                        let is_none = lang == "@none"
                            || active.expand_iri(lang, false, true).as_deref() == Some("@none");
                        if !is_none {
                            v.insert("@language".into(), Value::String(lang.to_ascii_lowercase()));
                        }
                        if let Some(d) = direction {
                            v.insert("@direction".into(), Value::String(d.as_str().into()));
                        }
                        out.push(Value::Object(v));
                    }
                }
                Value::Array(out)
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
                let mut m = Map::new();
                m.insert("@list".into(), Value::Array(as_array(expanded_value)));
                expanded_value = Value::Object(m);
            }
            if cont & container::GRAPH != 0 && cont & (container::ID | container::INDEX) == 0 {
                let items = as_array(expanded_value)
                    .into_iter()
                    .map(|ev| {
                        let mut m = Map::new();
                        m.insert("@graph".into(), Value::Array(as_array(ev)));
                        Value::Object(m)
                    })
                    .collect();
                expanded_value = Value::Array(items);
            }
            if key_def.is_some_and(|d| d.reverse) {
                let mut rmap = match state.result.remove("@reverse") {
                    Some(Value::Object(m)) => m,
                    _ => Map::new(),
                };
                for item in as_array(expanded_value) {
                    if is_value_object(&item) || is_list_object(&item) {
                        state.result.insert("@reverse".into(), Value::Object(rmap));
                        return at(
                            &kp,
                            ErrorCode::InvalidReversePropertyValue,
                            "a reverse property value cannot be a value or list object",
                        );
                    }
                    add_value(&mut rmap, ep, item);
                }
                state.result.insert("@reverse".into(), Value::Object(rmap));
            } else {
                add_value_owned(&mut state.result, expanded_property, expanded_value);
            }
        }
        Ok(())
    }

    /// Step 13.8: index, id and type maps.
    fn expand_index_map(
        &self,
        key: &str,
        key_def: Option<&Arc<TermDef>>,
        cont: u8,
        imap: &Map<String, Value>,
        kp: &Path<'_>,
    ) -> Result<Value, Error> {
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
            let wrapped;
            let iv: &Value = if index_value.is_array() {
                index_value
            } else {
                wrapped = Value::Array(vec![index_value.clone()]);
                &wrapped
            };
            let items = expand(env, &map_context, Some(key), iv, self.base_url, true, &ip)?;
            for item in as_array(items) {
                let mut item = item;
                if cont & container::GRAPH != 0 && !is_graph_object(&item) {
                    let mut m = Map::new();
                    m.insert("@graph".into(), Value::Array(as_array(item)));
                    item = Value::Object(m);
                }
                if cont & container::INDEX != 0 && index_key != "@index" && !is_none {
                    let re_expanded = expand_value(
                        env,
                        active,
                        active.term(index_key).map(|d| &**d),
                        &Value::String(index.clone()),
                        &ip,
                    )?;
                    let Some(eik) = active.expand_iri(index_key, false, true) else {
                        continue;
                    };
                    let Value::Object(m) = &mut item else {
                        continue;
                    };
                    if has(m, "@value") {
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
                    m.insert(eik.into_owned(), Value::Array(vals));
                } else if cont & container::INDEX != 0 && !is_none {
                    if let Value::Object(m) = &mut item
                        && !has(m, "@index")
                    {
                        m.insert("@index".into(), Value::String(index.clone()));
                    }
                } else if cont & container::ID != 0 && !is_none {
                    // Step 13.8.3.7.4 would give a value or list object an @id, which no
                    // value or list object may have: an error (as jsonld.js and the Ruby
                    // processor do), not an invalid expanded document.
                    if let Value::Object(m) = &item
                        && (has(m, "@value") || has(m, "@list"))
                    {
                        return at(
                            &ip,
                            if has(m, "@value") {
                                ErrorCode::InvalidValueObject
                            } else {
                                ErrorCode::InvalidSetOrListObject
                            },
                            format!(
                                "the id map key {index:?} cannot be the @id of a value or list"
                            ),
                        );
                    }
                    if let Value::Object(m) = &mut item
                        && !has(m, "@id")
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
                                m.insert("@id".into(), Value::String(i.into_owned()));
                            }
                            None => {
                                if env.options.safe_mode {
                                    return safe(
                                        &ip,
                                        format!("id map key {index:?} has the form of a keyword"),
                                    );
                                }
                                m.insert("@id".into(), Value::Null);
                            }
                        }
                    }
                } else if cont & container::TYPE != 0
                    && !is_none
                    && let Value::Object(m) = &mut item
                {
                    // Step 13.8.3.7.5 would give a value object a list of types (a value has
                    // at most one datatype) and a list object a type: errors, as above.
                    if has(m, "@value") || has(m, "@list") {
                        return at(
                            &ip,
                            if has(m, "@value") {
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
                    let mut types = vec![Value::String(t)];
                    if let Some(existing) = m.remove("@type") {
                        types.extend(as_array(existing));
                    }
                    m.insert("@type".into(), Value::Array(types));
                }
                out.push(item);
            }
        }
        Ok(Value::Array(out))
    }
}

/// Whether an expanded object has `@list` or `@set` (one scan of its keys).
fn is_list_or_set(map: &Map<String, Value>) -> bool {
    if map.len() <= SCAN_MAX {
        map.keys().any(|k| k == "@list" || k == "@set")
    } else {
        map.contains_key("@list") || map.contains_key("@set")
    }
}

/// Steps 15-20 of §5.1.2.
fn finish_object(
    env: &Env<'_>,
    active_property: Option<&str>,
    mut result: Map<String, Value>,
    path: &Path<'_>,
) -> Result<Value, Error> {
    let safe_mode = env.options.safe_mode;
    if has(&result, "@value") {
        if !result.keys().all(|k| {
            matches!(
                k.as_str(),
                "@direction" | "@index" | "@language" | "@type" | "@value"
            )
        }) || (has(&result, "@type")
            && (has(&result, "@language") || has(&result, "@direction")))
        {
            return at(
                path,
                ErrorCode::InvalidValueObject,
                "a value object has entries that do not belong together",
            );
        }
        let is_json = get(&result, "@type").and_then(Value::as_str) == Some("@json");
        if !is_json {
            let v = get(&result, "@value").unwrap_or(&Value::Null);
            if v.is_null() || v.as_array().is_some_and(Vec::is_empty) {
                if safe_mode {
                    return safe(path, "a value object with a null @value would be dropped");
                }
                return Ok(Value::Null);
            }
            if !v.is_string() && has(&result, "@language") {
                return at(
                    path,
                    ErrorCode::InvalidLanguageTaggedValue,
                    "only strings can have a language",
                );
            }
            if let Some(t) = get(&result, "@type") {
                match t {
                    Value::String(s) if is_well_formed_absolute_iri(s) => {}
                    _ => {
                        return at(
                            path,
                            ErrorCode::InvalidTypedValue,
                            format!("the type {t} of a value must be an absolute IRI"),
                        );
                    }
                }
            }
        }
    } else if is_list_or_set(&result)
        && (result.len() > 2 || (result.len() == 2 && !has(&result, "@index")))
    {
        // Step 17 (a list or set object carries at most @index besides) comes after step 16
        // (@type as an array) in an "otherwise" chain, so that read literally a list with a
        // string @type escapes it while one with an array @type does not: both are refused.
        return at(
            path,
            ErrorCode::InvalidSetOrListObject,
            "@set and @list objects may only carry @index besides",
        );
    } else if let Some(t) = get_mut(&mut result, "@type") {
        if !t.is_array() {
            let old = std::mem::take(t);
            *t = Value::Array(vec![old]);
        }
    } else if has(&result, "@set")
        && let Some(s) = result.remove("@set")
    {
        return Ok(s);
    }
    if result.len() == 1 && has(&result, "@language") {
        if safe_mode {
            return safe(path, "an object with only @language would be dropped");
        }
        return Ok(Value::Null);
    }
    if active_property.is_none() || active_property == Some("@graph") {
        if result.is_empty() || has(&result, "@value") || has(&result, "@list") {
            if safe_mode && !result.is_empty() {
                return safe(path, "a free-floating value or list would be dropped");
            }
            return Ok(Value::Null);
        }
        if result.len() == 1 && has(&result, "@id") {
            return Ok(Value::Null);
        }
    }
    Ok(Value::Object(result))
}
