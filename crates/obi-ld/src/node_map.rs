//! [Node Map Generation](https://www.w3.org/TR/json-ld11-api/#node-map-generation) (JSON-LD 1.1
//! API §7.2) over expanded JSON-LD, as needed by [Deserialize JSON-LD to
//! RDF](https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm).
//!
//! Identifiers, property names and value objects are borrowed from the expanded document;
//! only generated blank node identifiers are allocated.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use serde_json::{Number, Value};

use crate::to_rdf::ToRdfError;

use crate::tree::{Ev, Obj, Str};

/// The keyed fast-hash map of obi-rdf, shared with canonicalization.
pub(crate) use obi_rdf::hash::FastMap;

/// Issues `_:b0`, `_:b1`, ... and remembers which input identifier got which.
#[derive(Debug, Default)]
pub(crate) struct BlankNodeGenerator {
    issued: FastMap<String, Arc<str>>,
    counter: usize,
}

impl BlankNodeGenerator {
    /// A fresh identifier, or the one already issued for `old`.
    pub(crate) fn generate(&mut self, old: Option<&str>) -> Arc<str> {
        if let Some(old) = old
            && let Some(id) = self.issued.get(old)
        {
            return Arc::clone(id);
        }
        let mut id = String::with_capacity(8);
        id.push_str("_:b");
        push_decimal(&mut id, self.counter);
        self.counter += 1;
        let id: Arc<str> = id.into();
        if let Some(old) = old {
            self.issued.insert(old.to_owned(), Arc::clone(&id));
        }
        id
    }
}

/// Appends `n` in decimal (cheaper than the formatting machinery).
fn push_decimal(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// An entry in a node's property values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item<'a> {
    /// A node reference (`{"@id": ...}`).
    Node(Str<'a>),
    /// A value object.
    Value(&'a Obj<'a>),
    /// A list object.
    List(Vec<Item<'a>>),
}

/// A node in the node map.
#[derive(Debug)]
pub(crate) struct Node<'a> {
    /// The node's identifier (an IRI, a generated blank node identifier, or "" for `@id: null`).
    pub(crate) id: Str<'a>,
    /// `@type` values.
    pub(crate) types: Vec<Str<'a>>,
    /// `@index`, if any.
    pub(crate) index: Option<&'a Ev<'a>>,
    /// Properties (IRIs or blank node identifiers) and their values, one entry per value in
    /// the order they were added (no per-property vector: most properties have one value).
    /// [`Node::sort_properties`] groups them by property, keeping that order within each.
    pub(crate) properties: Vec<(Str<'a>, Item<'a>)>,
    /// Properties that were given no value (an empty array): they produce no triple but are
    /// still checked, as the node map of the algorithm keeps them.
    pub(crate) empty_properties: Vec<Str<'a>>,
    /// Once the node has more than [`SCAN_MAX_VALUES`] values: the hash of each distinct
    /// (property, value) to the position of its first occurrence in `properties`, so that the
    /// algorithm's "add unless already there" stays constant time instead of scanning every
    /// value (quadratic for a node with hundreds of values, such as 700 alignments).
    seen: Option<FastMap<u64, usize>>,
}

/// A (property, item) pair hashed by [`hash_entry`].
struct Entry<'e, 'a>(&'e str, &'e Item<'a>);

impl Hash for Entry<'_, '_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_entry(self.0, self.1, state);
    }
}

/// Values a node may have before [`Node::add`] indexes them instead of scanning them.
const SCAN_MAX_VALUES: usize = 16;

/// One graph of the node map: its nodes, in creation order, and an index by identifier.
#[derive(Debug, Default)]
pub(crate) struct Graph<'a> {
    pub(crate) nodes: Vec<Node<'a>>,
    ids: FastMap<Str<'a>, usize>,
}

/// Graph name (`@default` for the default graph) to graph, as built by [`Generator::add`].
pub(crate) struct NodeMap<'a> {
    /// Graphs in creation order.
    pub(crate) graphs: Vec<(Str<'a>, Graph<'a>)>,
    index: FastMap<Str<'a>, usize>,
}

/// The graph name of the default graph in a node map.
pub(crate) const DEFAULT_GRAPH: &str = "@default";

#[derive(Clone, Copy)]
enum ActiveSubject {
    None,
    /// The node at this index of the active graph.
    Node(usize),
    /// A reverse property: the node at this index is the value to add.
    Reverse(usize),
}

/// The keyword entries of one JSON object.
#[derive(Default)]
struct Keywords<'a> {
    value: bool,
    list: Option<&'a Ev<'a>>,
    id: Option<&'a Ev<'a>>,
    types: Option<&'a Ev<'a>>,
    index: Option<&'a Ev<'a>>,
    reverse: Option<&'a Ev<'a>>,
    graph: Option<&'a Ev<'a>>,
    included: Option<&'a Ev<'a>>,
}

/// Where a value goes: a node's property, or a list being built.
enum Target<'t, 'a> {
    Property,
    List(&'t mut Vec<Item<'a>>),
}

/// Builds a node map.
pub(crate) struct Generator<'a, 'g> {
    pub(crate) map: NodeMap<'a>,
    blank_nodes: &'g mut BlankNodeGenerator,
    max_depth: usize,
}

fn same_item(a: &Item<'_>, b: &Item<'_>) -> bool {
    match (a, b) {
        (Item::Value(a), Item::Value(b)) => {
            std::ptr::eq(*a, *b)
                || (a.len() == b.len() && a.get("@value") == b.get("@value") && a == b)
        }
        (Item::Node(a), Item::Node(b)) => a == b,
        (Item::List(a), Item::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_item(x, y))
        }
        _ => false,
    }
}

/// Feeds `n` to `state` (0.0 and -0.0 are equal numbers).
fn hash_number(n: &Number, state: &mut impl Hasher) {
    state.write_u8(3);
    match (n.as_u64(), n.as_i64(), n.as_f64()) {
        (Some(u), _, _) => state.write_u64(u),
        (None, Some(i), _) => state.write_i64(i),
        (None, None, Some(f)) => state.write_u64(if f == 0.0 { 0 } else { f.to_bits() }),
        _ => {}
    }
}

/// Feeds `s` to `state`.
fn hash_str(s: &str, state: &mut impl Hasher) {
    state.write_u8(4);
    state.write(s.as_bytes());
    state.write_u8(0xff);
}

/// Feeds `value` to `state` so that values equal as JSON hash alike (arrays and objects by
/// their length only, so entries in any order hash alike).
fn hash_json(value: &Value, state: &mut impl Hasher) {
    match value {
        Value::Null => state.write_u8(0),
        Value::Bool(b) => state.write_u8(1 + u8::from(*b)),
        Value::Number(n) => hash_number(n, state),
        Value::String(s) => hash_str(s, state),
        Value::Array(a) => {
            state.write_u8(5);
            state.write_usize(a.len());
        }
        Value::Object(m) => {
            state.write_u8(6);
            state.write_usize(m.len());
        }
    }
}

/// [`hash_json`] for a value of the expanded tree: an [`Ev`] hashes as the JSON it equals.
fn hash_ev(value: &Ev<'_>, state: &mut impl Hasher) {
    match value {
        Ev::Null => state.write_u8(0),
        Ev::Bool(b) => state.write_u8(1 + u8::from(*b)),
        Ev::Num(n) => hash_number(n, state),
        Ev::Str(s) => hash_str(s, state),
        Ev::Array(a) => {
            state.write_u8(5);
            state.write_usize(a.len());
        }
        Ev::Object(m) => {
            state.write_u8(6);
            state.write_usize(m.len());
        }
        Ev::Json(v) => hash_json(v, state),
    }
}

/// Feeds `(property, item)` to `state`: items [`same_item`] finds equal hash alike.
fn hash_entry(property: &str, item: &Item<'_>, state: &mut impl Hasher) {
    state.write(property.as_bytes());
    state.write_u8(0xff);
    match item {
        Item::Node(id) => {
            state.write_u8(0);
            state.write(id.as_bytes());
        }
        Item::Value(map) => {
            state.write_u8(1);
            state.write_usize(map.len());
            hash_ev(map.get("@value").unwrap_or(&Ev::Null), state);
        }
        Item::List(items) => {
            state.write_u8(2);
            state.write_usize(items.len());
        }
    }
}

impl<'a> Node<'a> {
    /// Adds `item` to `property`; with `unique`, only if the property does not have it yet.
    // The name is cloned into the node: borrowed or shared, no allocation.
    #[allow(clippy::ptr_arg)]
    fn add(&mut self, property: &Str<'a>, item: Item<'a>, unique: bool) {
        let scan = |properties: &[(Str<'a>, Item<'a>)], item: &Item<'a>| {
            properties
                .iter()
                .any(|(p, v)| p == property && same_item(v, item))
        };
        if self.seen.is_none() && self.properties.len() < SCAN_MAX_VALUES {
            if unique && scan(&self.properties, &item) {
                return;
            }
            self.properties.push((property.clone(), item));
            return;
        }
        let seen = self.seen.get_or_insert_with(|| {
            let mut seen = FastMap::default();
            for (i, (p, v)) in self.properties.iter().enumerate() {
                let h = seen.hasher().hash_one(Entry(p, v));
                seen.entry(h).or_insert(i);
            }
            seen
        });
        let h = seen.hasher().hash_one(Entry(property, &item));
        match seen.entry(h) {
            std::collections::hash_map::Entry::Occupied(first) => {
                if unique {
                    // The same hash: most likely the same value; a different one (a collision)
                    // is settled by the full scan.
                    let (p, v) = &self.properties[*first.get()];
                    if (p == property && same_item(v, &item)) || scan(&self.properties, &item) {
                        return;
                    }
                }
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(self.properties.len());
            }
        }
        self.properties.push((property.clone(), item));
    }

    /// Groups the properties by name in code point order, each keeping its values' order.
    pub(crate) fn sort_properties(&mut self) {
        // Usually already in order: generation adds a node's properties sorted.
        if !self.properties.is_sorted_by(|a, b| a.0 <= b.0) {
            self.properties.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }
}

fn invalid(message: impl Into<String>) -> ToRdfError {
    ToRdfError::InvalidExpandedInput {
        message: message.into(),
    }
}

impl<'a, 'g> Generator<'a, 'g> {
    pub(crate) fn new(blank_nodes: &'g mut BlankNodeGenerator, max_depth: usize) -> Self {
        let mut map = NodeMap {
            graphs: Vec::new(),
            index: FastMap::default(),
        };
        map.index.insert(Str::Borrowed(DEFAULT_GRAPH), 0);
        map.graphs
            .push((Str::Borrowed(DEFAULT_GRAPH), Graph::default()));
        Self {
            map,
            blank_nodes,
            max_depth,
        }
    }

    /// Adds everything in the expanded document `element` to the node map.
    pub(crate) fn add(&mut self, element: &'a Ev<'a>) -> Result<(), ToRdfError> {
        self.generate(element, 0, ActiveSubject::None, None, Target::Property, 0)
    }

    // The name is cloned into the map: borrowed or shared, no allocation.
    #[allow(clippy::ptr_arg)]
    fn graph_index(&mut self, name: &Str<'a>) -> usize {
        if let Some(&i) = self.map.index.get(name.as_ref()) {
            return i;
        }
        let i = self.map.graphs.len();
        self.map.graphs.push((name.clone(), Graph::default()));
        self.map.index.insert(name.clone(), i);
        i
    }

    // The id is cloned into the map: borrowed or shared, no allocation.
    #[allow(clippy::ptr_arg)]
    fn node_index(&mut self, graph: usize, id: &Str<'a>) -> usize {
        let Some((_, g)) = self.map.graphs.get_mut(graph) else {
            return usize::MAX;
        };
        if let Some(&i) = g.ids.get(id.as_ref()) {
            return i;
        }
        let i = g.nodes.len();
        g.nodes.push(Node {
            id: id.clone(),
            types: Vec::new(),
            index: None,
            properties: Vec::new(),
            empty_properties: Vec::new(),
            seen: None,
        });
        g.ids.insert(id.clone(), i);
        i
    }

    fn node(&mut self, graph: usize, node: usize) -> Option<&mut Node<'a>> {
        self.map
            .graphs
            .get_mut(graph)
            .and_then(|(_, g)| g.nodes.get_mut(node))
    }

    /// Adds `item` to the active property of the active subject, or to the list.
    fn add_to_target(
        &mut self,
        graph: usize,
        subject: ActiveSubject,
        property: Option<&Str<'a>>,
        target: Target<'_, 'a>,
        item: Item<'a>,
        unique: bool,
    ) {
        match target {
            Target::List(list) => list.push(item),
            Target::Property => {
                let (
                    ActiveSubject::Node(subject) | ActiveSubject::Reverse(subject),
                    Some(property),
                ) = (subject, property)
                else {
                    return;
                };
                if let Some(node) = self.node(graph, subject) {
                    node.add(property, item, unique);
                }
            }
        }
    }

    fn generate(
        &mut self,
        element: &'a Ev<'a>,
        graph: usize,
        subject: ActiveSubject,
        property: Option<&Str<'a>>,
        target: Target<'_, 'a>,
        depth: usize,
    ) -> Result<(), ToRdfError> {
        if depth > self.max_depth {
            return Err(ToRdfError::LimitExceeded {
                limit: "max_depth",
                max: self.max_depth,
            });
        }
        let object = match element {
            Ev::Array(items) => {
                let mut target = target;
                for item in items {
                    let t = match &mut target {
                        Target::Property => Target::Property,
                        Target::List(list) => Target::List(list),
                    };
                    self.generate(item, graph, subject, property, t, depth + 1)?;
                }
                return Ok(());
            }
            Ev::Object(object) => object,
            // Free-floating scalars cannot occur in expanded form; ignore them.
            _ => return Ok(()),
        };
        // One pass over the entries instead of a hash lookup per keyword.
        let mut keys = Keywords::default();
        for (key, value) in object.iter() {
            if !key.starts_with('@') {
                continue;
            }
            match key.as_ref() {
                "@value" => keys.value = true,
                "@list" => keys.list = Some(value),
                "@id" => keys.id = Some(value),
                "@type" => keys.types = Some(value),
                "@index" => keys.index = Some(value),
                "@reverse" => keys.reverse = Some(value),
                "@graph" => keys.graph = Some(value),
                "@included" => keys.included = Some(value),
                _ => {}
            }
        }
        if keys.value {
            self.add_to_target(graph, subject, property, target, Item::Value(object), true);
            return Ok(());
        }
        if let Some(list) = keys.list {
            let mut result = Vec::new();
            self.generate(
                list,
                graph,
                subject,
                property,
                Target::List(&mut result),
                depth + 1,
            )?;
            self.add_to_target(graph, subject, property, target, Item::List(result), false);
            return Ok(());
        }

        // A node object.
        let id: Str<'a> = match keys.id {
            Some(Ev::Str(id)) if id.starts_with("_:") => {
                Str::Shared(self.blank_nodes.generate(Some(id)))
            }
            Some(Ev::Str(id)) => id.share(),
            // Expansion leaves `"@id": null` for ignored keyword-like IRIs: a node that is
            // never well-formed, so it and every reference to it are dropped.
            Some(Ev::Null) => Str::Borrowed(""),
            None => Str::Shared(self.blank_nodes.generate(None)),
            Some(other) => {
                return Err(invalid(format!(
                    "@id is not a string: {}",
                    other.to_value()
                )));
            }
        };
        let node = self.node_index(graph, &id);
        match subject {
            ActiveSubject::Reverse(referenced) => {
                if let Some(property) = property {
                    let referenced_id = self
                        .node(graph, referenced)
                        .map(|n| n.id.clone())
                        .unwrap_or(Str::Borrowed(""));
                    if let Some(n) = self.node(graph, node) {
                        n.add(property, Item::Node(referenced_id), true);
                    }
                }
            }
            _ if property.is_some() => {
                self.add_to_target(
                    graph,
                    subject,
                    property,
                    target,
                    Item::Node(id.clone()),
                    true,
                );
            }
            _ => {}
        }
        if let Some(types) = keys.types {
            let types: &[Ev<'a>] = match types {
                Ev::Array(a) => a,
                other => std::slice::from_ref(other),
            };
            for t in types {
                let Ev::Str(t) = t else {
                    return Err(invalid(format!("@type is not a string: {}", t.to_value())));
                };
                let t = if t.starts_with("_:") {
                    Str::Shared(self.blank_nodes.generate(Some(t)))
                } else {
                    t.share()
                };
                if let Some(n) = self.node(graph, node)
                    && !n.types.contains(&t)
                {
                    n.types.push(t);
                }
            }
        }
        if let Some(index) = keys.index
            && let Some(n) = self.node(graph, node)
        {
            match n.index {
                Some(existing) if existing != index => {
                    return Err(ToRdfError::ConflictingIndexes {
                        id: id.into_string(),
                    });
                }
                _ => n.index = Some(index),
            }
        }
        if let Some(reverse) = keys.reverse {
            let Ev::Object(reverse) = reverse else {
                return Err(invalid("@reverse is not a map"));
            };
            for (reverse_property, values) in reverse.iter() {
                let reverse_property = reverse_property.share();
                self.generate(
                    values,
                    graph,
                    ActiveSubject::Reverse(node),
                    Some(&reverse_property),
                    Target::Property,
                    depth + 1,
                )?;
            }
        }
        if let Some(inner) = keys.graph {
            let inner_graph = self.graph_index(&id);
            self.generate(
                inner,
                inner_graph,
                ActiveSubject::None,
                None,
                Target::Property,
                depth + 1,
            )?;
        }
        if let Some(included) = keys.included {
            self.generate(
                included,
                graph,
                ActiveSubject::None,
                None,
                Target::Property,
                depth + 1,
            )?;
        }
        // Sorted by their text (taken once from each key).
        let mut properties: Vec<(&'a str, &'a Str<'a>, &'a Ev<'a>)> = object
            .iter()
            .map(|(k, v)| (&**k, k, v))
            .filter(|(k, _, _)| !k.starts_with('@'))
            .collect();
        properties.sort_unstable_by(|a, b| a.0.cmp(b.0));
        // Each property usually brings one value: room for them at once.
        if let Some(n) = self.node(graph, node) {
            n.properties.reserve(properties.len());
        }
        for (_, key, value) in properties {
            let key: Str<'a> = if key.starts_with("_:") {
                Str::Shared(self.blank_nodes.generate(Some(key)))
            } else {
                key.share()
            };
            let before = self.node(graph, node).map_or(0, |n| n.properties.len());
            self.generate(
                value,
                graph,
                ActiveSubject::Node(node),
                Some(&key),
                Target::Property,
                depth + 1,
            )?;
            if let Some(n) = self.node(graph, node)
                && n.properties.len() == before
            {
                n.empty_properties.push(key);
            }
        }
        Ok(())
    }
}
