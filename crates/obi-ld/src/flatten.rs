//! Flattening ([JSON-LD 1.1 API §7](https://www.w3.org/TR/json-ld11-api/#flattening-algorithms)):
//! node map generation (§7.2) over an expanded document, then the flattening algorithm (§7.1),
//! optionally compacted with a context.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::compact::{CompactOptions, compact_expanded};
use crate::error::{Error, ErrorCode, err};
use crate::loader::DocumentLoader;
use crate::options::Options;

/// graph name -> node id -> node.
type NodeMap = BTreeMap<String, BTreeMap<String, Map<String, Value>>>;

/// Blank node identifier generation (§7.3): relabels `_:` identifiers to `_:b0`, `_:b1`, ...
#[derive(Default)]
struct Labels {
    map: HashMap<String, String>,
    next: usize,
}

impl Labels {
    fn generate(&mut self, old: Option<&str>) -> String {
        if let Some(o) = old
            && let Some(l) = self.map.get(o)
        {
            return l.clone();
        }
        let l = format!("_:b{}", self.next);
        self.next += 1;
        if let Some(o) = old {
            self.map.insert(o.to_owned(), l.clone());
        }
        l
    }

    fn relabel(&mut self, id: &str) -> String {
        if id.starts_with("_:") {
            self.generate(Some(id))
        } else {
            id.to_owned()
        }
    }
}

/// The subject a value is added to.
#[derive(Clone)]
enum Subject {
    None,
    Id(String),
    /// A reverse property: the referenced node object.
    Reverse(Value),
}

struct Generator {
    map: NodeMap,
    labels: Labels,
    max_depth: usize,
}

fn push_unique(values: &mut Vec<Value>, v: Value) {
    if !values.contains(&v) {
        values.push(v);
    }
}

fn array_entry<'m>(node: &'m mut Map<String, Value>, key: &str) -> &'m mut Vec<Value> {
    let entry = node
        .entry(key.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        let old = entry.take();
        *entry = Value::Array(vec![old]);
    }
    match entry {
        Value::Array(a) => a,
        _ => unreachable!("just made an array"),
    }
}

impl Generator {
    fn node(&mut self, graph: &str, id: &str) -> &mut Map<String, Value> {
        self.map
            .entry(graph.to_owned())
            .or_default()
            .entry(id.to_owned())
            .or_insert_with(|| {
                let mut m = Map::new();
                m.insert("@id".to_owned(), Value::String(id.to_owned()));
                m
            })
    }

    /// Adds `value` to `property` of the subject (unique unless `list`).
    fn add_to_subject(&mut self, graph: &str, subject: &Subject, property: &str, value: Value) {
        if let Subject::Id(s) = subject {
            let node = self.node(graph, s);
            push_unique(array_entry(node, property), value);
        }
    }

    #[allow(clippy::too_many_lines, clippy::too_many_arguments)]
    fn generate(
        &mut self,
        element: &Value,
        graph: &str,
        subject: &Subject,
        property: Option<&str>,
        list: Option<&mut Vec<Value>>,
        depth: usize,
    ) -> Result<(), Error> {
        if depth > self.max_depth {
            return err(
                ErrorCode::LimitExceeded,
                format!(
                    "the expanded document nests deeper than max_depth ({})",
                    self.max_depth
                ),
            );
        }
        let element = match element {
            Value::Array(items) => {
                let mut list = list;
                for item in items {
                    self.generate(
                        item,
                        graph,
                        subject,
                        property,
                        list.as_deref_mut(),
                        depth + 1,
                    )?;
                }
                return Ok(());
            }
            Value::Object(m) => m,
            _ => return Ok(()),
        };
        self.map.entry(graph.to_owned()).or_default();
        let mut element = element.clone();
        if let Some(t) = element.get_mut("@type") {
            match t {
                Value::Array(items) => {
                    for i in items.iter_mut() {
                        if let Value::String(s) = i {
                            *s = self.labels.relabel(s);
                        }
                    }
                }
                Value::String(s) => *s = self.labels.relabel(s),
                _ => {}
            }
        }
        if element.contains_key("@value") {
            match list {
                None => {
                    if let Some(p) = property {
                        self.add_to_subject(graph, subject, p, Value::Object(element));
                    }
                }
                Some(l) => l.push(Value::Object(element)),
            }
            return Ok(());
        }
        if let Some(items) = element.get("@list") {
            let mut inner = Vec::new();
            self.generate(items, graph, subject, property, Some(&mut inner), depth + 1)?;
            let mut result = Map::new();
            result.insert("@list".to_owned(), Value::Array(inner));
            match list {
                None => {
                    if let (Subject::Id(s), Some(p)) = (subject, property) {
                        let node = self.node(graph, s);
                        array_entry(node, p).push(Value::Object(result));
                    }
                }
                Some(l) => l.push(Value::Object(result)),
            }
            return Ok(());
        }
        let id = match element.remove("@id") {
            Some(Value::String(s)) => self.labels.relabel(&s),
            _ => self.labels.generate(None),
        };
        self.node(graph, &id);
        match subject {
            Subject::Reverse(referenced) => {
                if let Some(p) = property {
                    let node = self.node(graph, &id);
                    push_unique(array_entry(node, p), referenced.clone());
                }
            }
            _ => {
                if let Some(p) = property {
                    let mut reference = Map::new();
                    reference.insert("@id".to_owned(), Value::String(id.clone()));
                    match list {
                        None => self.add_to_subject(graph, subject, p, Value::Object(reference)),
                        Some(l) => l.push(Value::Object(reference)),
                    }
                }
            }
        }
        if let Some(types) = element.remove("@type") {
            let node = self.node(graph, &id);
            let values = array_entry(node, "@type");
            match types {
                Value::Array(items) => {
                    for t in items {
                        push_unique(values, t);
                    }
                }
                other => push_unique(values, other),
            }
        }
        if let Some(index) = element.remove("@index") {
            let node = self.node(graph, &id);
            match node.get("@index") {
                Some(existing) if *existing != index => {
                    return err(
                        ErrorCode::ConflictingIndexes,
                        format!("node {id} has two different @index values"),
                    );
                }
                _ => {
                    node.insert("@index".to_owned(), index);
                }
            }
        }
        if let Some(Value::Object(reverse)) = element.remove("@reverse") {
            let mut referenced = Map::new();
            referenced.insert("@id".to_owned(), Value::String(id.clone()));
            let referenced = Subject::Reverse(Value::Object(referenced));
            for (p, values) in &reverse {
                let items: &[Value] = match values {
                    Value::Array(a) => a,
                    other => std::slice::from_ref(other),
                };
                for v in items {
                    self.generate(v, graph, &referenced, Some(p), None, depth + 1)?;
                }
            }
        }
        if let Some(g) = element.remove("@graph") {
            self.generate(&g, &id, &Subject::None, None, None, depth + 1)?;
        }
        if let Some(inc) = element.remove("@included") {
            self.generate(&inc, graph, &Subject::None, None, None, depth + 1)?;
        }
        let mut keys: Vec<String> = element.keys().cloned().collect();
        keys.sort_unstable();
        let me = Subject::Id(id.clone());
        for key in keys {
            let Some(value) = element.get(&key) else {
                continue;
            };
            let p = if key.starts_with("_:") {
                self.labels.relabel(&key)
            } else {
                key.clone()
            };
            let node = self.node(graph, &id);
            array_entry(node, &p);
            self.generate(value, graph, &me, Some(&p), None, depth + 1)?;
        }
        Ok(())
    }
}

/// Flatten `input` ([JSON-LD 1.1 API `flatten()`](https://www.w3.org/TR/json-ld11-api/#dom-jsonldprocessor-flatten)):
/// expand it with `options`, collect every node into one flat array (named graphs as nodes
/// with `@graph`), blank nodes relabelled `_:b0`, `_:b1`, ... in document order; then, if
/// `context` is not null, compact the result with it.
///
/// # Errors
/// [`Error`] from expansion, flattening ([`ErrorCode::ConflictingIndexes`]) or compaction.
pub fn flatten(
    input: &Value,
    context: &Value,
    options: &Options,
    compact_options: &CompactOptions,
    loader: &dyn DocumentLoader,
) -> Result<Value, Error> {
    let expanded = crate::expand(input, options, loader)?;
    let mut g = Generator {
        map: NodeMap::new(),
        labels: Labels::default(),
        max_depth: compact_options.max_depth,
    };
    g.map.entry("@default".to_owned()).or_default();
    g.generate(&expanded, "@default", &Subject::None, None, None, 0)?;
    let mut map = g.map;
    let mut default = map.remove("@default").unwrap_or_default();
    for (name, graph) in map {
        let entry = default.entry(name.clone()).or_insert_with(|| {
            let mut m = Map::new();
            m.insert("@id".to_owned(), Value::String(name.clone()));
            m
        });
        let nodes: Vec<Value> = graph
            .into_values()
            .filter(|n| !(n.len() == 1 && n.contains_key("@id")))
            .map(Value::Object)
            .collect();
        entry.insert("@graph".to_owned(), Value::Array(nodes));
    }
    let flattened: Vec<Value> = default
        .into_values()
        .filter(|n| !(n.len() == 1 && n.contains_key("@id")))
        .map(Value::Object)
        .collect();
    if context.is_null() {
        return Ok(Value::Array(flattened));
    }
    compact_expanded(
        &Value::Array(flattened),
        context,
        options,
        compact_options,
        loader,
    )
}
