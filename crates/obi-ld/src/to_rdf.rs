//! [Deserialize JSON-LD to RDF](https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm)
//! (JSON-LD 1.1 API §8.1): expanded JSON-LD to RDF quads, with "Object to RDF" and "List to
//! RDF", canonical `xsd:double` forms and JCS ([RFC 8785](https://www.rfc-editor.org/rfc/rfc8785))
//! for `@json` literals.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use obi_rdf::vocab::{rdf, xsd};
use obi_rdf::{BlankNode, GraphName, Literal, NamedNode, Quad, Subject, Term};
use serde_json::{Number, Value};

use crate::node_map::{BlankNodeGenerator, DEFAULT_GRAPH, FastMap, Generator, Item, Node};
use crate::tree::{Ev, Obj, Str};

/// IRIs every conversion uses, allocated once.
struct Vocabulary {
    rdf_type: NamedNode,
    first: NamedNode,
    rest: NamedNode,
    nil: NamedNode,
    value: NamedNode,
    language: NamedNode,
    direction: NamedNode,
    json: NamedNode,
    boolean: NamedNode,
    integer: NamedNode,
    double: NamedNode,
}

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| Vocabulary {
    rdf_type: NamedNode::new_unchecked(rdf::TYPE),
    first: NamedNode::new_unchecked(rdf::FIRST),
    rest: NamedNode::new_unchecked(rdf::REST),
    nil: NamedNode::new_unchecked(rdf::NIL),
    value: NamedNode::new_unchecked(rdf::VALUE),
    language: NamedNode::new_unchecked(rdf::LANGUAGE),
    direction: NamedNode::new_unchecked(rdf::DIRECTION),
    json: NamedNode::new_unchecked(rdf::JSON),
    boolean: NamedNode::new_unchecked(xsd::BOOLEAN),
    integer: NamedNode::new_unchecked(xsd::INTEGER),
    double: NamedNode::new_unchecked(xsd::DOUBLE),
});

/// Default for [`ToRdfOptions::max_depth`]: how deep expanded JSON-LD may nest.
pub const MAX_TO_RDF_DEPTH: usize = 512;

/// How `@direction` is carried into RDF (the `rdfDirection` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RdfDirection {
    /// Drop the direction (the default).
    #[default]
    None,
    /// `"value"^^<https://www.w3.org/ns/i18n#{language}_{direction}>`.
    I18nDatatype,
    /// A blank node with `rdf:value`, `rdf:language` and `rdf:direction`.
    CompoundLiteral,
}

/// Options of [`expanded_to_rdf`]. `Default` is the same as [`ToRdfOptions::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ToRdfOptions {
    /// Keep triples whose predicate is a blank node (generalized RDF). The [`Quad`] type has
    /// IRI predicates only, so such triples are dropped either way; with safe mode they are an
    /// error.
    pub produce_generalized_rdf: bool,
    /// How `@direction` is carried into RDF.
    pub rdf_direction: RdfDirection,
    /// Fail instead of dropping a triple whose subject, predicate, object, datatype, graph
    /// name or language tag is not well-formed (a relative IRI, an invalid language tag).
    pub safe_mode: bool,
    /// Maximum nesting depth of the expanded input.
    pub max_depth: usize,
}

impl Default for ToRdfOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl ToRdfOptions {
    /// No generalized RDF, no `rdfDirection`, safe mode off, [`MAX_TO_RDF_DEPTH`].
    #[must_use]
    pub fn new() -> Self {
        Self {
            produce_generalized_rdf: false,
            rdf_direction: RdfDirection::None,
            safe_mode: false,
            max_depth: MAX_TO_RDF_DEPTH,
        }
    }

    /// Set [`ToRdfOptions::produce_generalized_rdf`].
    #[must_use]
    pub fn with_produce_generalized_rdf(mut self, on: bool) -> Self {
        self.produce_generalized_rdf = on;
        self
    }

    /// Set [`ToRdfOptions::rdf_direction`].
    #[must_use]
    pub fn with_rdf_direction(mut self, direction: RdfDirection) -> Self {
        self.rdf_direction = direction;
        self
    }

    /// Set [`ToRdfOptions::safe_mode`].
    #[must_use]
    pub fn with_safe_mode(mut self, on: bool) -> Self {
        self.safe_mode = on;
        self
    }

    /// Set [`ToRdfOptions::max_depth`].
    #[must_use]
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }
}

/// Why expanded JSON-LD could not be turned into RDF.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ToRdfError {
    /// Expansion failed (from [`crate::to_rdf`]).
    #[error(transparent)]
    Expansion(#[from] crate::Error),
    /// Two different `@index` values for one node (the spec's "conflicting indexes").
    #[error("conflicting indexes: node {id} has two different @index values")]
    ConflictingIndexes {
        /// The node's identifier.
        id: String,
    },
    /// The input is not in expanded form.
    #[error("invalid expanded JSON-LD: {message}")]
    InvalidExpandedInput {
        /// What is wrong.
        message: String,
    },
    /// Safe mode refused to drop part of the data.
    #[error("safe mode violation: {message}")]
    SafeMode {
        /// What would have been dropped, and why.
        message: String,
    },
    /// A named limit was exceeded.
    #[error("toRdf exceeds the {limit} limit of {max}")]
    LimitExceeded {
        /// The name of the limit (`max_depth`).
        limit: &'static str,
        /// Its configured value.
        max: usize,
    },
}

/// Turns expanded JSON-LD (as produced by [`crate::expand`]) into RDF quads, labelling blank
/// nodes `_:b0`, `_:b1`, ... in the order the algorithm meets them.
///
/// # Errors
/// [`ToRdfError`]: conflicting indexes, input not in expanded form, safe-mode violations,
/// exceeded limits.
pub fn expanded_to_rdf(expanded: &Value, options: &ToRdfOptions) -> Result<Vec<Quad>, ToRdfError> {
    tree_to_rdf(&Ev::from_value(expanded), options)
}

/// [`expanded_to_rdf`] of an expanded tree.
pub(crate) fn tree_to_rdf(
    expanded: &Ev<'_>,
    options: &ToRdfOptions,
) -> Result<Vec<Quad>, ToRdfError> {
    let mut blank_nodes = BlankNodeGenerator::default();
    let mut generator = Generator::new(&mut blank_nodes, options.max_depth);
    generator.add(expanded)?;
    let mut graphs = std::mem::take(&mut generator.map.graphs);
    drop(generator);
    graphs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // Room for every quad but list and compound-literal ones, and for every identifier.
    let (mut quads, mut nodes) = (0, 0);
    for (_, graph) in &mut graphs {
        graph.nodes.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        for node in &mut graph.nodes {
            node.sort_properties();
            quads += node.types.len()
                + node
                    .properties
                    .iter()
                    .map(|(_, item)| item_quads(item))
                    .sum::<usize>();
        }
        nodes += graph.nodes.len();
    }
    let mut out = Serializer {
        options,
        blank_nodes: &mut blank_nodes,
        quads: Vec::with_capacity(quads),
        resources: FastMap::with_capacity_and_hasher(
            (2 * nodes).next_power_of_two().clamp(16, 4096),
            Default::default(),
        ),
        by_address: vec![None; BY_ADDRESS_SLOTS],
    };
    for (graph_name, graph) in &graphs {
        let graph_name = if graph_name == DEFAULT_GRAPH {
            GraphName::DefaultGraph
        } else {
            match out.resource(graph_name, "graph name")? {
                Some(Subject::NamedNode(n)) => GraphName::NamedNode(n),
                Some(Subject::BlankNode(b)) => GraphName::BlankNode(b),
                None => continue,
            }
        };
        for node in &graph.nodes {
            let Some(subject) = out.resource(&node.id, "subject")? else {
                continue;
            };
            out.node(&subject, node, &graph_name)?;
        }
    }
    Ok(out.quads)
}

/// Expands `input` (with `options` and `loader`, see [`crate::expand`]) and turns it into RDF
/// quads; safe mode carries over from `options`. Use [`crate::Processor::to_rdf`] to reuse
/// processed contexts across documents.
///
/// # Errors
/// [`ToRdfError::Expansion`] when expansion fails, otherwise as [`expanded_to_rdf`].
pub fn to_rdf(
    input: &Value,
    options: &crate::Options,
    loader: &dyn crate::DocumentLoader,
) -> Result<Vec<Quad>, ToRdfError> {
    let caches = crate::processor::Caches::default();
    let env = crate::processor::Env::new(options, loader, &caches);
    let expanded = crate::expansion::expand_document_tree(&env, input)?;
    tree_to_rdf(
        &expanded,
        &ToRdfOptions::new().with_safe_mode(options.safe_mode),
    )
}

/// The number of quads `item` makes (compound literals aside): one, plus two per list entry.
fn item_quads(item: &Item<'_>) -> usize {
    match item {
        Item::List(items) => 1 + items.iter().map(|i| 1 + item_quads(i)).sum::<usize>(),
        _ => 1,
    }
}

struct Serializer<'a, 'o> {
    options: &'o ToRdfOptions,
    blank_nodes: &'o mut BlankNodeGenerator,
    quads: Vec<Quad>,
    /// Identifiers already converted (`None`: not well-formed), so each IRI is checked and
    /// allocated once.
    resources: FastMap<&'a str, Option<Subject>>,
    /// The last resources by the address and length of their text, direct-mapped: a property
    /// or type shared by many nodes is one string of the expanded tree (shared with its term
    /// definition), found again without hashing its text. Every string it is keyed by lives as
    /// long as the serializer, so an address cannot come back with another text.
    by_address: Vec<Option<(usize, usize, Option<Subject>)>>,
}

/// Slots of [`Serializer::by_address`] (a power of two).
const BY_ADDRESS_SLOTS: usize = 256;

/// Whether `tag` is a well-formed BCP 47 language tag (in the simplified form JSON-LD
/// processors check: `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`).
fn is_well_formed_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or_default();
    (1..=8).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `iri` as a named node if it is a well-formed absolute IRI: a scheme, no character N-Quads
/// forbids in an IRI, at most one `#`.
fn well_formed_iri(iri: &str) -> Option<NamedNode> {
    if let Some(hash) = iri.find('#')
        && iri
            .get(hash + 1..)
            .is_some_and(|fragment| fragment.contains('#'))
    {
        return None;
    }
    NamedNode::new(iri).ok()
}

/// Entries the per-thread cache of checked IRIs keeps at most (it is emptied when full).
const IRI_CACHE_ENTRIES: usize = 4096;
/// Bytes of IRI text the per-thread cache keeps at most (it is emptied when full).
const IRI_CACHE_BYTES: usize = 1 << 18;

/// Well-formed IRIs already checked on this thread, shared: documents of one kind use the
/// same vocabulary (properties, types, datatypes), so converting the next one neither checks
/// nor allocates those again. Bounded by [`IRI_CACHE_ENTRIES`] and [`IRI_CACHE_BYTES`]; it
/// lives across documents and is keyed by their text, so it hashes with std's SipHash.
#[derive(Default)]
struct IriCache {
    iris: HashMap<Arc<str>, NamedNode>,
    bytes: usize,
}

thread_local! {
    static IRI_CACHE: RefCell<IriCache> = RefCell::new(IriCache::default());
}

/// Term IRIs already checked on this thread, by the address of their text (shared with a
/// term definition): each entry keeps its text alive, so an address cannot come back with
/// another text. Bounded like [`IriCache`]; the keys are addresses, not input.
#[derive(Default)]
struct SharedIriCache {
    iris: FastMap<usize, (Arc<str>, Option<NamedNode>)>,
    bytes: usize,
}

thread_local! {
    static SHARED_IRI_CACHE: RefCell<SharedIriCache> = RefCell::new(SharedIriCache::default());
}

/// [`cached_well_formed_iri`] of a term IRI, found by its address.
fn shared_well_formed_iri(iri: &Arc<str>) -> Option<NamedNode> {
    SHARED_IRI_CACHE.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return cached_well_formed_iri(iri);
        };
        let address = Arc::as_ptr(iri).addr();
        if let Some((text, node)) = cache.iris.get(&address)
            && Arc::ptr_eq(text, iri)
        {
            return node.clone();
        }
        let node = cached_well_formed_iri(iri);
        if cache.iris.len() >= IRI_CACHE_ENTRIES || cache.bytes + iri.len() > IRI_CACHE_BYTES {
            cache.iris.clear();
            cache.bytes = 0;
        }
        cache.bytes += iri.len();
        cache.iris.insert(address, (Arc::clone(iri), node.clone()));
        node
    })
}

/// [`well_formed_iri`] through this thread's cache of checked IRIs.
fn cached_well_formed_iri(iri: &str) -> Option<NamedNode> {
    IRI_CACHE.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return well_formed_iri(iri);
        };
        if let Some(known) = cache.iris.get(iri) {
            return Some(known.clone());
        }
        let node = well_formed_iri(iri)?;
        if cache.iris.len() >= IRI_CACHE_ENTRIES || cache.bytes + iri.len() > IRI_CACHE_BYTES {
            cache.iris.clear();
            cache.bytes = 0;
        }
        cache.bytes += iri.len();
        cache.iris.insert(Arc::from(iri), node.clone());
        Some(node)
    })
}

impl<'a> Serializer<'a, '_> {
    fn dropped(&self, what: &str, value: &str) -> Result<(), ToRdfError> {
        if self.options.safe_mode {
            Err(ToRdfError::SafeMode {
                message: format!("{what} {value:?} is not an absolute IRI or blank node"),
            })
        } else {
            Ok(())
        }
    }

    /// An IRI or blank node identifier as an RDF resource; `None` (dropped) when not
    /// well-formed.
    fn resource(&mut self, id: &'a Str<'a>, what: &str) -> Result<Option<Subject>, ToRdfError> {
        let address = id.as_ptr().addr();
        let slot = ((address >> 4) ^ id.len()) & (BY_ADDRESS_SLOTS - 1);
        let resource = match self.by_address.get(slot) {
            Some(Some((a, len, known))) if *a == address && *len == id.len() => known.clone(),
            _ => {
                let resource = match id {
                    // An IRI shared with a term definition: checked once per thread.
                    Str::Shared(iri) if !iri.starts_with("_:") => {
                        shared_well_formed_iri(iri).map(Subject::NamedNode)
                    }
                    _ => self.resource_by_text(id),
                };
                if let Some(entry) = self.by_address.get_mut(slot) {
                    *entry = Some((address, id.len(), resource.clone()));
                }
                resource
            }
        };
        match resource {
            Some(s) => Ok(Some(s)),
            None => self.dropped(what, id).map(|()| None),
        }
    }

    fn resource_by_text(&mut self, id: &'a str) -> Option<Subject> {
        // One hash of `id` whether it is known or not.
        match self.resources.entry(id) {
            std::collections::hash_map::Entry::Occupied(known) => known.get().clone(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let resource = if let Some(label) = id.strip_prefix("_:") {
                    BlankNode::new(label).ok().map(Subject::BlankNode)
                } else {
                    cached_well_formed_iri(id).map(Subject::NamedNode)
                };
                slot.insert(resource).clone()
            }
        }
    }

    fn predicate(&mut self, iri: &'a Str<'a>) -> Result<Option<NamedNode>, ToRdfError> {
        match self.resource(iri, "property")? {
            Some(Subject::NamedNode(n)) => Ok(Some(n)),
            Some(Subject::BlankNode(_)) => {
                // Generalized RDF (blank node predicates) cannot be represented by `Quad`.
                if self.options.safe_mode {
                    return Err(ToRdfError::SafeMode {
                        message: format!("property {:?} is a blank node", &**iri),
                    });
                }
                Ok(None)
            }
            None => Ok(None),
        }
    }

    fn fresh_blank_node(&mut self) -> BlankNode {
        let id = self.blank_nodes.generate(None);
        BlankNode::new_unchecked(id.strip_prefix("_:").unwrap_or(&id))
    }

    fn push(&mut self, subject: Subject, predicate: NamedNode, object: Term, graph: &GraphName) {
        self.quads.push(Quad {
            subject,
            predicate,
            object,
            graph_name: graph.clone(),
        });
    }

    fn node(
        &mut self,
        subject: &Subject,
        node: &'a Node<'a>,
        graph: &GraphName,
    ) -> Result<(), ToRdfError> {
        if !node.types.is_empty() {
            let rdf_type = &VOCABULARY.rdf_type;
            for t in &node.types {
                if let Some(object) = self.resource(t, "type")? {
                    self.push(subject.clone(), rdf_type.clone(), object.into(), graph);
                }
            }
        }
        for property in &node.empty_properties {
            self.predicate(property)?;
        }
        // Properties are grouped by name (`Node::sort_properties`): one predicate per group.
        let mut current: Option<(&str, Option<NamedNode>)> = None;
        for (property, item) in &node.properties {
            let predicate = match &current {
                Some((p, predicate)) if *p == property.as_ref() => predicate.clone(),
                _ => {
                    let predicate = self.predicate(property)?;
                    current = Some((property, predicate.clone()));
                    predicate
                }
            };
            let Some(predicate) = predicate else {
                continue;
            };
            if let Some(object) = self.object(item, graph)? {
                self.push(subject.clone(), predicate, object, graph);
            }
        }
        Ok(())
    }

    /// [Object to RDF](https://www.w3.org/TR/json-ld11-api/#object-to-rdf-conversion);
    /// list and compound-literal triples go straight into the output.
    fn object(
        &mut self,
        item: &'a Item<'a>,
        graph: &GraphName,
    ) -> Result<Option<Term>, ToRdfError> {
        match item {
            Item::Node(id) => Ok(self.resource(id, "object")?.map(Term::from)),
            Item::List(items) => self.list(items, graph).map(Some),
            Item::Value(value) => self.value(value, graph),
        }
    }

    /// [List to RDF](https://www.w3.org/TR/json-ld11-api/#list-to-rdf-conversion).
    fn list(&mut self, items: &'a [Item<'a>], graph: &GraphName) -> Result<Term, ToRdfError> {
        let nodes: Vec<BlankNode> = items.iter().map(|_| self.fresh_blank_node()).collect();
        let first = &VOCABULARY.first;
        let rest = &VOCABULARY.rest;
        let nil = &VOCABULARY.nil;
        for (i, (item, node)) in items.iter().zip(&nodes).enumerate() {
            if let Some(object) = self.object(item, graph)? {
                self.push(node.clone().into(), first.clone(), object, graph);
            }
            let next = nodes.get(i + 1).map_or_else(
                || Term::NamedNode(nil.clone()),
                |b| Term::BlankNode(b.clone()),
            );
            self.push(node.clone().into(), rest.clone(), next, graph);
        }
        Ok(nodes
            .into_iter()
            .next()
            .map_or(Term::NamedNode(nil.clone()), Term::BlankNode))
    }

    fn value(&mut self, item: &'a Obj<'a>, graph: &GraphName) -> Result<Option<Term>, ToRdfError> {
        let (mut value, mut datatype, mut language, mut direction) = (&Ev::Null, None, None, None);
        for (key, v) in item.iter() {
            match key.as_ref() {
                "@value" => value = v,
                "@type" => datatype = Some(v),
                "@language" => language = Some(v),
                "@direction" => direction = v.as_str(),
                _ => {}
            }
        }
        let datatype = match datatype {
            None | Some(Ev::Null) => None,
            Some(Ev::Str(t)) if t == "@json" => Some(VOCABULARY.json.clone()),
            Some(Ev::Str(t)) => match self.resource(t, "datatype")? {
                Some(Subject::NamedNode(n)) => Some(n),
                // A blank node or a relative IRI is no datatype: drop the value.
                Some(Subject::BlankNode(_)) => return self.dropped("datatype", t).map(|()| None),
                None => return Ok(None),
            },
            Some(other) => {
                return Err(ToRdfError::InvalidExpandedInput {
                    message: format!(
                        "@type of a value object is not a string: {}",
                        other.to_value()
                    ),
                });
            }
        };
        let language = match language {
            Some(Ev::Str(l)) => {
                if !is_well_formed_language(l) {
                    if self.options.safe_mode {
                        return Err(ToRdfError::SafeMode {
                            message: format!("language tag {l:?} is not well-formed"),
                        });
                    }
                    return Ok(None);
                }
                Some(l.as_ref())
            }
            _ => None,
        };
        let is_json = datatype.as_ref().is_some_and(|d| d.as_str() == rdf::JSON);
        let json_view;
        let (lexical, datatype): (Cow<'_, str>, _) = if is_json {
            (Cow::Owned(canonical_json(&value.to_value())), datatype)
        } else {
            // A JSON literal's value given another datatype: read as the JSON it is.
            let value = match value {
                Ev::Json(v) => {
                    json_view = Ev::from_value(v);
                    &json_view
                }
                other => other,
            };
            match value {
                Ev::Bool(b) => (
                    Cow::Borrowed(if *b { "true" } else { "false" }),
                    Some(datatype.unwrap_or_else(|| VOCABULARY.boolean.clone())),
                ),
                Ev::Num(n) => {
                    let is_double = datatype.as_ref().is_some_and(|d| d.as_str() == xsd::DOUBLE);
                    match integer_form(n) {
                        Some(i) if !is_double => (
                            Cow::Owned(i),
                            Some(datatype.unwrap_or_else(|| VOCABULARY.integer.clone())),
                        ),
                        _ => (
                            Cow::Owned(canonical_double(n.as_f64().unwrap_or(f64::NAN))),
                            Some(datatype.unwrap_or_else(|| VOCABULARY.double.clone())),
                        ),
                    }
                }
                Ev::Str(s) => (Cow::Borrowed(s.as_ref()), datatype),
                other => {
                    return Err(ToRdfError::InvalidExpandedInput {
                        message: format!("@value is not a scalar: {}", other.to_value()),
                    });
                }
            }
        };
        if let (Some(direction), false) = (direction, is_json) {
            match self.options.rdf_direction {
                RdfDirection::I18nDatatype => {
                    let iri = format!(
                        "https://www.w3.org/ns/i18n#{}_{direction}",
                        language.unwrap_or_default().to_ascii_lowercase()
                    );
                    return Ok(Some(Term::Literal(Literal::new_typed(
                        lexical,
                        NamedNode::new_unchecked(iri),
                    ))));
                }
                RdfDirection::CompoundLiteral => {
                    let node = self.fresh_blank_node();
                    let subject = Subject::BlankNode(node.clone());
                    self.push(
                        subject.clone(),
                        VOCABULARY.value.clone(),
                        Literal::new_simple(lexical).into(),
                        graph,
                    );
                    if let Some(language) = language {
                        self.push(
                            subject.clone(),
                            VOCABULARY.language.clone(),
                            Literal::new_simple(language.to_ascii_lowercase()).into(),
                            graph,
                        );
                    }
                    self.push(
                        subject,
                        VOCABULARY.direction.clone(),
                        Literal::new_simple(direction).into(),
                        graph,
                    );
                    return Ok(Some(Term::BlankNode(node)));
                }
                RdfDirection::None => {}
            }
        }
        let literal = match (datatype, language) {
            (Some(datatype), _) => Literal::new_typed(lexical, datatype),
            (None, Some(language)) => Literal::new_language_tagged_unchecked(lexical, language),
            (None, None) => Literal::new_simple(lexical),
        };
        Ok(Some(Term::Literal(literal)))
    }
}

/// The `xsd:integer` form of a JSON number, if it has no fractional part and is below 10^21.
fn integer_form(n: &Number) -> Option<String> {
    if n.is_i64() || n.is_u64() {
        return Some(n.to_string());
    }
    let f = n.as_f64()?;
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if f == 0.0 {
            return Some("0".to_owned());
        }
        return Some(format!("{f:.0}"));
    }
    None
}

/// The canonical `xsd:double` lexical form used by JSON-LD: `%1.15E` with trailing zeros of
/// the mantissa removed (`1.1E1`, `5.3E0`, `1.0E0`).
#[must_use]
pub fn canonical_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "INF" } else { "-INF" }.to_owned();
    }
    let formatted = format!("{f:.15e}");
    let (mantissa, exponent) = formatted.split_once('e').unwrap_or((&formatted, "0"));
    let mantissa = match mantissa.split_once('.') {
        Some((int, frac)) => {
            let frac = frac.trim_end_matches('0');
            format!("{int}.{}", if frac.is_empty() { "0" } else { frac })
        }
        None => format!("{mantissa}.0"),
    };
    format!("{mantissa}E{exponent}")
}

/// JSON Canonicalization Scheme ([RFC 8785](https://www.rfc-editor.org/rfc/rfc8785)): keys
/// sorted by UTF-16 code units, no whitespace, ECMAScript string escaping and number forms.
#[must_use]
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_jcs(&mut out, value);
    out
}

fn write_jcs(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&ecmascript_number(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => write_jcs_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_jcs(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_jcs_string(out, k);
                out.push(':');
                write_jcs(out, v);
            }
            out.push('}');
        }
    }
}

fn write_jcs_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// ECMAScript `Number.prototype.toString` for a finite double (what RFC 8785 requires).
#[must_use]
fn ecmascript_number(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        return "0".to_owned();
    }
    let sign = if f < 0.0 { "-" } else { "" };
    // Shortest round-trip digits and exponent: "d.ddde-7" or "de21".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let k = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let n = exponent + 1;
    let body = if k <= n && n <= 21 {
        let zeros = usize::try_from(n - k).unwrap_or(0);
        format!("{digits}{}", "0".repeat(zeros))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat(usize::try_from(-n).unwrap_or(0)))
    } else {
        let e = n - 1;
        let e_sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{e_sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{e_sign}{}", e.abs())
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn doubles_are_canonical() {
        assert_eq!(canonical_double(11.0), "1.1E1");
        assert_eq!(canonical_double(5.3), "5.3E0");
        assert_eq!(canonical_double(1.0), "1.0E0");
        assert_eq!(canonical_double(-0.00012), "-1.2E-4");
        assert_eq!(canonical_double(1e21), "1.0E21");
        assert_eq!(canonical_double(0.0), "0.0E0");
    }

    #[test]
    fn ecmascript_numbers() {
        for (f, s) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (123.456, "123.456"),
            (4.35, "4.35"),
            (9007199254740993.0, "9007199254740992"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ] {
            assert_eq!(ecmascript_number(f), s, "{f}");
        }
    }

    #[test]
    fn jcs_sorts_and_escapes() {
        let v = json!({"b": [1, 2.5, true, null], "a": "x\u{1}\n\"", "\u{e9}": {}, "A": 1e30});
        assert_eq!(
            canonical_json(&v),
            r#"{"A":1e+30,"a":"x\u0001\n\"","b":[1,2.5,true,null],"é":{}}"#
        );
    }

    #[test]
    fn repeated_values_of_a_node_with_many_values_make_one_quad() {
        // Past 16 values a node indexes its values instead of scanning them: duplicates (node
        // references, strings, numbers, 0.0 and -0.0) must still be dropped, and only them.
        let mut distinct = Vec::new();
        for i in 0..20 {
            distinct.push(json!({"@id": format!("http://example.com/o{i}")}));
            distinct.push(json!({"@value": format!("v{i}")}));
            distinct.push(json!({"@value": format!("v{i}"), "@language": "en"}));
            distinct.push(json!({"@value": i}));
        }
        distinct.push(json!({"@value": 0.5}));
        let mut repeated = distinct.clone();
        repeated.extend(distinct.iter().rev().cloned());
        repeated.push(json!({"@value": 0.0}));
        repeated.push(json!({"@value": -0.0}));
        let node = |values: &[Value]| {
            json!([
                {"@id": "http://example.com/s", "http://example.com/p": values},
                // A second node object for the same subject merges into it.
                {"@id": "http://example.com/s", "http://example.com/p": values},
            ])
        };
        let once = expanded_to_rdf(&node(&distinct), &ToRdfOptions::new()).unwrap();
        let twice = expanded_to_rdf(&node(&repeated), &ToRdfOptions::new()).unwrap();
        assert_eq!(once.len(), distinct.len());
        // The values past `distinct`: one 0.0 (-0.0 is the same number).
        assert_eq!(twice.len(), distinct.len() + 1);
        assert_eq!(twice[..once.len()], once[..]);
    }

    #[test]
    fn simple_document() {
        let expanded = json!([{
            "@id": "http://example.com/s",
            "@type": ["http://example.com/T"],
            "http://example.com/p": [
                {"@value": "x", "@language": "en"},
                {"@value": 1},
                {"@value": 1.5},
                {"@value": true},
                {"@list": [{"@value": "a"}, {"@id": "_:n"}]},
                {"@id": "relative"}
            ],
            "relative-property": [{"@value": "dropped"}]
        }]);
        let quads = expanded_to_rdf(&expanded, &ToRdfOptions::new()).unwrap();
        let text: Vec<String> = quads.iter().map(ToString::to_string).collect();
        let expected = [
            "<http://example.com/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.com/T> .",
            "<http://example.com/s> <http://example.com/p> \"x\"@en .",
            "<http://example.com/s> <http://example.com/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
            "<http://example.com/s> <http://example.com/p> \"1.5E0\"^^<http://www.w3.org/2001/XMLSchema#double> .",
            "<http://example.com/s> <http://example.com/p> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean> .",
            "_:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> \"a\" .",
            "_:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> _:b2 .",
            "_:b2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> _:b0 .",
            "_:b2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .",
            "<http://example.com/s> <http://example.com/p> _:b1 .",
        ];
        assert_eq!(text, expected);
        let err =
            expanded_to_rdf(&expanded, &ToRdfOptions::new().with_safe_mode(true)).unwrap_err();
        assert!(matches!(err, ToRdfError::SafeMode { .. }), "{err}");
    }

    #[test]
    fn safe_mode_checks_properties_without_values() {
        // The node map keeps a property given no value, so safe mode still refuses its IRI.
        let expanded = json!([{"@id": "http://example.com/s", "relative": []}]);
        assert!(
            expanded_to_rdf(&expanded, &ToRdfOptions::new())
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            expanded_to_rdf(&expanded, &ToRdfOptions::new().with_safe_mode(true)),
            Err(ToRdfError::SafeMode { .. })
        ));
        let fine = json!([{"@id": "http://example.com/s", "http://example.com/p": []}]);
        assert!(
            expanded_to_rdf(&fine, &ToRdfOptions::new().with_safe_mode(true))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn iri_cache_is_bounded_and_checks_once() {
        for i in 0..IRI_CACHE_ENTRIES + 10 {
            let iri = format!("https://example.com/{i}");
            let node = cached_well_formed_iri(&iri).unwrap();
            assert_eq!(node.as_str(), iri);
            assert_eq!(cached_well_formed_iri(&iri).unwrap(), node);
        }
        IRI_CACHE.with(|c| {
            let c = c.borrow();
            assert!(c.iris.len() <= IRI_CACHE_ENTRIES && c.bytes <= IRI_CACHE_BYTES);
        });
        let long = format!("https://example.com/{}", "x".repeat(IRI_CACHE_BYTES / 2));
        for _ in 0..3 {
            assert!(cached_well_formed_iri(&long).is_some());
            IRI_CACHE.with(|c| assert!(c.borrow().bytes <= IRI_CACHE_BYTES));
        }
        for bad in ["relative", "http://a/b#c#d", "http://a/b c", ""] {
            assert_eq!(cached_well_formed_iri(bad), None, "{bad}");
            assert_eq!(cached_well_formed_iri(bad), None, "{bad}");
        }
    }

    #[test]
    fn depth_is_limited() {
        let mut v = json!({"@value": "x"});
        for _ in 0..100 {
            v = json!([{"http://example.com/p": [v]}]);
        }
        let err = expanded_to_rdf(&v, &ToRdfOptions::new().with_max_depth(50)).unwrap_err();
        assert!(err.to_string().contains("max_depth"));
        assert!(expanded_to_rdf(&v, &ToRdfOptions::new()).is_ok());
    }

    fn pipeline(input: &str, loader: &dyn crate::DocumentLoader) -> String {
        let doc: Value = serde_json::from_str(input).unwrap();
        let options = crate::Options::new().with_safe_mode(true);
        let quads = to_rdf(&doc, &options, loader).unwrap();
        obi_rdf::canonicalize(&quads).unwrap().into_nquads()
    }

    /// The W3C vc-di-eddsa test vector: expansion, toRdf and RDFC-1.0 give its canonical
    /// document byte for byte.
    #[test]
    fn vc_di_eddsa_vector() {
        let examples = crate::MapLoader::new().with(
            "https://www.w3.org/ns/credentials/examples/v2",
            json!({"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}),
        );
        let loader = crate::ChainLoader::pinned_then(examples);
        assert_eq!(
            pipeline(VC_DI_EDDSA_UNSIGNED, &loader),
            VC_DI_EDDSA_CANONICAL
        );
    }

    /// A minimal Open Badges 3.0 credential: the same canonical N-Quads as jsonld.js and
    /// rdf-canonize (safe mode) produced for it.
    #[test]
    fn ob3_minimal_credential_matches_jsonld_js() {
        assert_eq!(
            pipeline(OB3_MINIMAL, &crate::PinnedLoader),
            OB3_MINIMAL_CANONICAL
        );
    }

    #[test]
    fn safe_mode_refuses_bad_language_and_datatype() {
        let bad_language = json!([{
            "@id": "http://example.com/s",
            "http://example.com/p": [{"@value": "x", "@language": "not a tag"}]
        }]);
        assert!(
            expanded_to_rdf(&bad_language, &ToRdfOptions::new())
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            expanded_to_rdf(&bad_language, &ToRdfOptions::new().with_safe_mode(true)),
            Err(ToRdfError::SafeMode { .. })
        ));
        let bad_datatype = json!([{
            "@id": "http://example.com/s",
            "http://example.com/p": [{"@value": "x", "@type": "relative"}]
        }]);
        assert!(
            expanded_to_rdf(&bad_datatype, &ToRdfOptions::new())
                .unwrap()
                .is_empty()
        );
        assert!(expanded_to_rdf(&bad_datatype, &ToRdfOptions::new().with_safe_mode(true)).is_err());
    }

    const VC_DI_EDDSA_UNSIGNED: &str = r#"{
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2"
    ],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:example:abcdefgh",
        "alumniOf": "The School of Examples"
    }
}"#;

    const VC_DI_EDDSA_CANONICAL: &str = r#"<did:example:abcdefgh> <https://www.w3.org/ns/credentials/examples#alumniOf> "The School of Examples" .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/ns/credentials/examples#AlumniCredential> .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://schema.org/description> "A minimum viable example of an Alumni Credential." .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://schema.org/name> "Alumni Credential" .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:abcdefgh> .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://www.w3.org/2018/credentials#issuer> <https://vc.example/issuers/5678> .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://www.w3.org/2018/credentials#validFrom> "2023-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
"#;

    const OB3_MINIMAL: &str = r#"{
  "@context": [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
  ],
  "id": "http://example.com/credentials/example-credential",
  "type": [
    "VerifiableCredential",
    "OpenBadgeCredential"
  ],
  "issuer": {
    "id": "https://www.edubadges.nl/public/issuers/lQ67BQQQS-eBx5syJGpazg",
    "type": [
      "Profile"
    ],
    "name": " SURF - Team edubadges"
  },
  "validFrom": "2014-06-01T00:00:00Z",
  "name": "Example Badge",
  "credentialSubject": {
    "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
    "type": [
      "AchievementSubject"
    ],
    "achievement": {
      "id": "https://example.com/achievements/lorem-ipsum",
      "type": [
        "Achievement"
      ],
      "criteria": {
        "narrative": "Lorem ipsum dolor sit amet, consectetur adipiscing elit"
      },
      "description": "Lorem ipsum dolor sit amet, consectetur adipiscing elit sit amet, consectetur adipiscing elit",
      "name": "Lorem ipsum"
    }
  }
}"#;

    const OB3_MINIMAL_CANONICAL: &str = r#"<did:example:ebfeb1f712ebc6f1c276e12ec21> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject> .
<did:example:ebfeb1f712ebc6f1c276e12ec21> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement> <https://example.com/achievements/lorem-ipsum> .
<http://example.com/credentials/example-credential> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential> .
<http://example.com/credentials/example-credential> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .
<http://example.com/credentials/example-credential> <https://schema.org/name> "Example Badge" .
<http://example.com/credentials/example-credential> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:ebfeb1f712ebc6f1c276e12ec21> .
<http://example.com/credentials/example-credential> <https://www.w3.org/2018/credentials#issuer> <https://www.edubadges.nl/public/issuers/lQ67BQQQS-eBx5syJGpazg> .
<http://example.com/credentials/example-credential> <https://www.w3.org/2018/credentials#validFrom> "2014-06-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
<https://example.com/achievements/lorem-ipsum> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> .
<https://example.com/achievements/lorem-ipsum> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria> _:c14n0 .
<https://example.com/achievements/lorem-ipsum> <https://schema.org/description> "Lorem ipsum dolor sit amet, consectetur adipiscing elit sit amet, consectetur adipiscing elit" .
<https://example.com/achievements/lorem-ipsum> <https://schema.org/name> "Lorem ipsum" .
<https://www.edubadges.nl/public/issuers/lQ67BQQQS-eBx5syJGpazg> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile> .
<https://www.edubadges.nl/public/issuers/lQ67BQQQS-eBx5syJGpazg> <https://schema.org/name> " SURF - Team edubadges" .
_:c14n0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> "Lorem ipsum dolor sit amet, consectetur adipiscing elit" .
"#;
}
