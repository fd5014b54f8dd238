//! validator-core's `JSONLD_COMPACT_DATA` step: every OB 2.0 document is expanded (remote
//! contexts from the pinned set, then through the verifier's fetcher) and compacted with the
//! Open Badges 2.0 context, and the checks read the compacted form. So a document written
//! with another context, aliases, full IRIs or `@graph` verifies as its canonical form, and
//! a context that changes what an OB 2.0 term means is reported.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use obi_fetch::{Fetch, Request};
use obi_ld::{
    CompactContext, CompactOptions, DocumentLoader, ErrorCode, LoadError, PinnedLoader, Processor,
    RemoteDocument,
};
use serde_json::{Map, Value};

use super::{Findings, JSONLD_COMPACT_DATA, OB2_CONTEXTS};
use crate::report::Level;

/// The context documents are compacted with (validator-core's `OPENBADGES_CONTEXT_V2_URI`).
pub(crate) const OB2_CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// The most remote contexts (beyond the pinned ones) one document may load.
pub(crate) const MAX_OB2_REMOTE_CONTEXTS: usize = 8;

/// Remote contexts: the pinned ones, then the verifier's fetcher (bounded).
pub(crate) struct Loader<'f> {
    fetcher: &'f dyn Fetch,
    loads: AtomicUsize,
}

impl<'f> Loader<'f> {
    pub(crate) fn new(fetcher: &'f dyn Fetch) -> Self {
        Loader {
            fetcher,
            loads: AtomicUsize::new(0),
        }
    }
}

impl DocumentLoader for Loader<'_> {
    fn load(&self, url: &str) -> Result<RemoteDocument, LoadError> {
        if let Ok(doc) = PinnedLoader.load(url) {
            return Ok(doc);
        }
        if self.loads.fetch_add(1, Ordering::Relaxed) >= MAX_OB2_REMOTE_CONTEXTS {
            return Err(LoadError::Other {
                url: url.to_owned(),
                message: format!(
                    "more than MAX_OB2_REMOTE_CONTEXTS ({MAX_OB2_REMOTE_CONTEXTS}) remote contexts"
                ),
            });
        }
        let response = self
            .fetcher
            .fetch(&Request::json(url))
            .map_err(|e| LoadError::Other {
                url: url.to_owned(),
                message: e.to_string(),
            })?;
        let doc = obi_model::json::parse(&response.body).map_err(|e| LoadError::InvalidJson {
            url: url.to_owned(),
            message: e.to_string(),
        })?;
        Ok(RemoteDocument::new(url, Arc::new(doc)))
    }
}

/// The terms the Open Badges 2.0 context defines.
fn ob2_terms() -> &'static BTreeSet<String> {
    static TERMS: OnceLock<BTreeSet<String>> = OnceLock::new();
    TERMS.get_or_init(|| {
        serde_json::from_str::<Value>(obi_ld::pinned::OPENBADGES_V2)
            .ok()
            .and_then(|v| v.get("@context").and_then(Value::as_object).cloned())
            .map(|m| m.keys().filter(|k| !k.starts_with('@')).cloned().collect())
            .unwrap_or_default()
    })
}

/// The OB 2.0 context, processed once per process (it is pinned and scopes no contexts).
fn ob2_compactor() -> Result<&'static CompactContext, obi_ld::Error> {
    static CTX: OnceLock<Result<CompactContext, obi_ld::Error>> = OnceLock::new();
    CTX.get_or_init(|| {
        CompactContext::new(
            &Value::String(OB2_CONTEXT.to_owned()),
            &obi_ld::Options::new(),
            &CompactOptions::new(),
            PinnedLoader,
        )
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Expand `doc`: with the process-wide pinned processor (cached contexts) when every
/// context it needs is pinned, else loading the others through the verifier's fetcher.
fn expand(doc: &Value, loader: &Loader<'_>) -> Result<Value, obi_ld::Error> {
    let options = obi_ld::Options::new();
    match Processor::shared_pinned().expand(doc, &options) {
        Err(e) if e.code() == ErrorCode::LoadingRemoteContextFailed => {
            obi_ld::expand(doc, &options, loader)
        }
        other => other,
    }
}

/// See [`super::class_by_meaning`].
pub(crate) fn class_by_meaning(doc: &Value, fetcher: &dyn Fetch) -> Option<&'static str> {
    const CLASSES: &[(&str, &str)] = &[
        ("https://w3id.org/openbadges#Assertion", "Assertion"),
        ("https://w3id.org/openbadges#BadgeClass", "BadgeClass"),
        ("https://w3id.org/openbadges#Profile", "Profile"),
        ("https://w3id.org/openbadges#Issuer", "Profile"),
        ("https://w3id.org/credentials#Credential", "Endorsement"),
    ];
    doc.get("@context")?;
    let loader = Loader::new(fetcher);
    let expanded = expand(doc, &loader).ok()?;
    let nodes = expanded.as_array()?;
    // One top-level node, as compaction will require (a @graph of several is reported there).
    let [node] = nodes.as_slice() else {
        return None;
    };
    let types = node.get("@type")?;
    let types: Vec<&str> = match types {
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        Value::String(s) => vec![s.as_str()],
        _ => Vec::new(),
    };
    CLASSES
        .iter()
        .find(|(iri, _)| types.contains(iri))
        .map(|(_, class)| *class)
}

fn is_ob2_context(v: &Value) -> bool {
    v.as_str().is_some_and(|s| OB2_CONTEXTS.contains(&s))
}

/// The document as validator-core reads it: compacted with the OB 2.0 context. `None` (with
/// an ERROR of `JSONLD_COMPACT_DATA` saying why) when it cannot be read as JSON-LD. A
/// document that is not an object, or has no `@context`, is returned unchanged (the class
/// and context checks report it).
pub(crate) fn compact_ob2(f: &mut Findings, fetcher: &dyn Fetch, doc: Value) -> Option<Value> {
    let Some(node) = doc.as_object() else {
        return Some(doc);
    };
    let Some(context) = node.get("@context") else {
        return Some(doc);
    };
    let label = super::classes::node_label(node);
    let loader = Loader::new(fetcher);
    let compacted = expand(&doc, &loader)
        .and_then(|expanded| ob2_compactor().and_then(|c| c.compact_expanded(&expanded)));
    let compacted = match compacted {
        Ok(c) => c,
        Err(e) => {
            f.push(
                Level::Error,
                JSONLD_COMPACT_DATA,
                format!("{label} cannot be read as JSON-LD: {e}"),
                &label,
            );
            return None;
        }
    };
    let Value::Object(out) = compacted else {
        return Some(doc);
    };
    if let Some(graph) = out.get("@graph") {
        let n = graph.as_array().map_or(1, Vec::len);
        f.push(
            Level::Error,
            JSONLD_COMPACT_DATA,
            format!(
                "{label} holds {n} unconnected top-level nodes (@graph): an Open Badges document is one node with the nodes it links to embedded or referenced by IRI"
            ),
            &label,
        );
        return None;
    }
    // The meaning check: an OB 2.0 term the document uses must still be there.
    let plain = match context {
        Value::Array(a) => a.iter().all(is_ob2_context),
        other => is_ob2_context(other),
    };
    let mut changed = false;
    if !plain {
        for key in node.keys() {
            if key.starts_with('@') || !ob2_terms().contains(key) || out.contains_key(key) {
                continue;
            }
            changed = true;
            let meaning = what_it_means(context, key, &node[key], &loader);
            f.push(
                Level::Error,
                JSONLD_COMPACT_DATA,
                format!(
                    "the @context of {label} changes the meaning of {key:?}: it {meaning}, not the Open Badges 2.0 term {key:?}"
                ),
                &label,
            );
        }
    }
    if !changed && out != *node {
        f.push(
            Level::Info,
            JSONLD_COMPACT_DATA,
            format!(
                "{label} was compacted with the Open Badges 2.0 context {OB2_CONTEXT} (it is written in another JSON-LD form): the compacted form was checked"
            ),
            &label,
        );
    }
    // Keep the original key order where it survives, so reports read like the input.
    // (One pass and a stable sort: removing keys one by one from the compacted map shifts
    // its entries each time.)
    let position: HashMap<&str, usize> = node
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i + 1))
        .collect();
    let mut entries: Vec<(usize, String, Value)> = out
        .into_iter()
        .map(|(k, v)| {
            let rank = if k == "@context" {
                0
            } else {
                position.get(k.as_str()).copied().unwrap_or(usize::MAX)
            };
            (rank, k, v)
        })
        .collect();
    entries.sort_by_key(|e| e.0);
    Some(Value::Object(
        entries.into_iter().map(|(_, k, v)| (k, v)).collect(),
    ))
}

/// What `key` expands to under `context` (for the message): "means <IRI>" or "is dropped".
fn what_it_means(context: &Value, key: &str, value: &Value, loader: &Loader<'_>) -> String {
    let mut probe = Map::new();
    probe.insert("@context".to_owned(), context.clone());
    probe.insert(key.to_owned(), value.clone());
    let expanded = obi_ld::expand(&Value::Object(probe), &obi_ld::Options::new(), loader);
    let first = expanded.ok().and_then(|e| {
        e.as_array()
            .and_then(|a| a.first())
            .and_then(Value::as_object)
            .and_then(|m| m.keys().find(|k| !k.starts_with('@')).cloned())
    });
    match first {
        Some(iri) => format!("means <{iri}>"),
        None => "is not defined (the property is dropped)".to_owned(),
    }
}
