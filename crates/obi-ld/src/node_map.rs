//! [Node Map Generation](https://www.w3.org/TR/json-ld11-api/#node-map-generation) (JSON-LD 1.1
//! API §7.2) over expanded JSON-LD, as needed by [Deserialize JSON-LD to
//! RDF](https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::to_rdf::ToRdfError;

/// Issues `_:b0`, `_:b1`, ... and remembers which input identifier got which.
#[derive(Debug, Default)]
pub(crate) struct BlankNodeGenerator {
    issued: HashMap<String, String>,
    counter: usize,
}

impl BlankNodeGenerator {
    /// A fresh identifier, or the one already issued for `old`.
    pub(crate) fn generate(&mut self, old: Option<&str>) -> String {
        if let Some(old) = old
            && let Some(id) = self.issued.get(old)
        {
            return id.clone();
        }
        let id = format!("_:b{}", self.counter);
        self.counter += 1;
        if let Some(old) = old {
            self.issued.insert(old.to_owned(), id.clone());
        }
        id
    }
}

/// An entry in a node's property values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// A node reference (`{"@id": ...}`).
    Node(String),
    /// A value object.
    Value(Map<String, Value>),
    /// A list object.
    List(Vec<Item>),
}

/// A node in the node map.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// `@type` values.
    pub(crate) types: Vec<String>,
    /// `@index`, if any.
    pub(crate) index: Option<Value>,
    /// Properties (IRIs or blank node identifiers) and their values.
    pub(crate) properties: BTreeMap<String, Vec<Item>>,
}

/// Graph name (`@default` for the default graph) to subject to node.
pub(crate) type NodeMap = BTreeMap<String, BTreeMap<String, Node>>;

/// The graph name of the default graph in a node map.
pub(crate) const DEFAULT_GRAPH: &str = "@default";

#[derive(Clone, Copy)]
enum ActiveSubject<'a> {
    None,
    Id(&'a str),
    /// A reverse property: the referenced node is the value to add.
    Reverse(&'a str),
}

/// Where a value goes: a node's property, or a list being built.
enum Target<'a> {
    Property,
    List(&'a mut Vec<Item>),
}

pub(crate) struct Generator<'g> {
    pub(crate) map: NodeMap,
    pub(crate) blank_nodes: &'g mut BlankNodeGenerator,
    max_depth: usize,
}

fn push_unique(values: &mut Vec<Item>, item: Item) {
    if !values.contains(&item) {
        values.push(item);
    }
}

fn invalid(message: impl Into<String>) -> ToRdfError {
    ToRdfError::InvalidExpandedInput {
        message: message.into(),
    }
}

impl<'g> Generator<'g> {
    pub(crate) fn new(blank_nodes: &'g mut BlankNodeGenerator, max_depth: usize) -> Self {
        let mut map = NodeMap::new();
        map.insert(DEFAULT_GRAPH.to_owned(), BTreeMap::new());
        Self {
            map,
            blank_nodes,
            max_depth,
        }
    }

    /// Adds everything in the expanded document `element` to the node map.
    pub(crate) fn add(&mut self, element: &Value) -> Result<(), ToRdfError> {
        self.generate(
            element,
            DEFAULT_GRAPH,
            ActiveSubject::None,
            None,
            Target::Property,
            0,
        )
    }

    fn node_mut(&mut self, graph: &str, id: &str) -> &mut Node {
        self.map
            .entry(graph.to_owned())
            .or_default()
            .entry(id.to_owned())
            .or_default()
    }

    /// Adds `item` to the active property of the active subject, or to the list.
    fn add_to_target(
        &mut self,
        graph: &str,
        subject: ActiveSubject<'_>,
        property: Option<&str>,
        target: Target<'_>,
        item: Item,
        unique: bool,
    ) {
        match target {
            Target::List(list) => list.push(item),
            Target::Property => {
                let (ActiveSubject::Id(subject) | ActiveSubject::Reverse(subject), Some(property)) =
                    (subject, property)
                else {
                    return;
                };
                let values = self
                    .node_mut(graph, subject)
                    .properties
                    .entry(property.to_owned())
                    .or_default();
                if unique {
                    push_unique(values, item);
                } else {
                    values.push(item);
                }
            }
        }
    }

    fn generate(
        &mut self,
        element: &Value,
        graph: &str,
        subject: ActiveSubject<'_>,
        property: Option<&str>,
        target: Target<'_>,
        depth: usize,
    ) -> Result<(), ToRdfError> {
        if depth > self.max_depth {
            return Err(ToRdfError::LimitExceeded {
                limit: "max_depth",
                max: self.max_depth,
            });
        }
        let object = match element {
            Value::Array(items) => {
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
            Value::Object(object) => object,
            // Free-floating scalars cannot occur in expanded form; ignore them.
            _ => return Ok(()),
        };
        if object.contains_key("@value") {
            let mut value = object.clone();
            if let Some(Value::String(t)) = value.get("@type")
                && t.starts_with("_:")
            {
                let id = self.blank_nodes.generate(Some(t));
                value.insert("@type".to_owned(), Value::String(id));
            }
            self.add_to_target(graph, subject, property, target, Item::Value(value), true);
            return Ok(());
        }
        if let Some(list) = object.get("@list") {
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
        let id = match object.get("@id") {
            Some(Value::String(id)) if id.starts_with("_:") => self.blank_nodes.generate(Some(id)),
            Some(Value::String(id)) => id.clone(),
            // Expansion leaves `"@id": null` for ignored keyword-like IRIs: a node that is
            // never well-formed, so it and every reference to it are dropped.
            Some(Value::Null) => String::new(),
            None => self.blank_nodes.generate(None),
            Some(other) => return Err(invalid(format!("@id is not a string: {other}"))),
        };
        self.node_mut(graph, &id);
        match subject {
            ActiveSubject::Reverse(referenced) => {
                if let Some(property) = property {
                    let values = self
                        .node_mut(graph, &id)
                        .properties
                        .entry(property.to_owned())
                        .or_default();
                    push_unique(values, Item::Node(referenced.to_owned()));
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
        if let Some(types) = object.get("@type") {
            let types: Vec<&Value> = match types {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for t in types {
                let Value::String(t) = t else {
                    return Err(invalid(format!("@type is not a string: {t}")));
                };
                let t = if t.starts_with("_:") {
                    self.blank_nodes.generate(Some(t))
                } else {
                    t.clone()
                };
                let node = self.node_mut(graph, &id);
                if !node.types.contains(&t) {
                    node.types.push(t);
                }
            }
        }
        if let Some(index) = object.get("@index") {
            let node = self.node_mut(graph, &id);
            match &node.index {
                Some(existing) if existing != index => {
                    return Err(ToRdfError::ConflictingIndexes { id });
                }
                _ => node.index = Some(index.clone()),
            }
        }
        if let Some(reverse) = object.get("@reverse") {
            let Value::Object(reverse) = reverse else {
                return Err(invalid("@reverse is not a map"));
            };
            for (reverse_property, values) in reverse {
                self.generate(
                    values,
                    graph,
                    ActiveSubject::Reverse(&id),
                    Some(reverse_property),
                    Target::Property,
                    depth + 1,
                )?;
            }
        }
        if let Some(inner) = object.get("@graph") {
            self.map.entry(id.clone()).or_default();
            self.generate(
                inner,
                &id,
                ActiveSubject::None,
                None,
                Target::Property,
                depth + 1,
            )?;
        }
        if let Some(included) = object.get("@included") {
            self.generate(
                included,
                graph,
                ActiveSubject::None,
                None,
                Target::Property,
                depth + 1,
            )?;
        }
        let mut properties: Vec<(&String, &Value)> =
            object.iter().filter(|(k, _)| !k.starts_with('@')).collect();
        properties.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (key, value) in properties {
            let key = if key.starts_with("_:") {
                self.blank_nodes.generate(Some(key))
            } else {
                key.clone()
            };
            self.node_mut(graph, &id)
                .properties
                .entry(key.clone())
                .or_default();
            self.generate(
                value,
                graph,
                ActiveSubject::Id(&id),
                Some(&key),
                Target::Property,
                depth + 1,
            )?;
        }
        Ok(())
    }
}
