//! RDF Dataset Canonicalization, [RDFC-1.0](https://www.w3.org/TR/rdf-canon/), with a bound on
//! the work spent hashing blank nodes so that "poison" graphs are refused quickly.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256, Sha384};

use crate::hash::FastMap;
use crate::term::{BlankNode, GraphName, NamedNode, Quad, Subject, Term};

/// Default bound on the work of hashing blank nodes: the number of
/// [Hash N-Degree Quads](https://www.w3.org/TR/rdf-canon/#hash-nd-quads-algorithm) calls plus
/// the number of permutations they examine. Blank nodes told apart by their own quads (the
/// usual case in credentials) cost nothing; a ring of n look-alike blank nodes costs about 3n²
/// (n = 180: 97,200 and 0.16 s in a release build). Poison graphs are refused after 0.1 to 0.3 s
/// (measured: cliques of 8 to 80 blank nodes, rings of 200 to 400).
pub const DEFAULT_MAX_WORK: u64 = 100_000;

/// Default bound on the recursion depth of Hash N-Degree Quads. A chain of blank nodes that all
/// look alike recurses once per node, about 1 KiB of stack per level in release builds (more
/// in debug builds), and such a chain can be deep while cheap in work: this bound keeps the
/// stack use well inside a 2 MiB thread stack.
pub const DEFAULT_MAX_DEPTH: usize = 256;

/// The hash function RDFC-1.0 uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256 (the default of RDFC-1.0).
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
}

/// Why canonicalization was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonError {
    /// Hashing the blank nodes needed more work than allowed (a "poison" graph).
    #[error(
        "RDFC-1.0 blank node hashing exceeded the max_work limit of {max_work} \
         (Hash N-Degree Quads calls plus permutations)"
    )]
    WorkLimitExceeded {
        /// The configured limit.
        max_work: u64,
    },
    /// Hash N-Degree Quads recursed deeper than allowed.
    #[error("RDFC-1.0 blank node hashing exceeded the max_depth limit of {max_depth}")]
    DepthLimitExceeded {
        /// The configured limit.
        max_depth: usize,
    },
}

/// Runs RDFC-1.0. `Default` is the same as [`Canonicalizer::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canonicalizer {
    max_work: u64,
    max_depth: usize,
    hash: HashAlgorithm,
}

impl Default for Canonicalizer {
    fn default() -> Self {
        Self::new()
    }
}

/// The result of canonicalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonicalized {
    quads: Vec<Quad>,
    nquads: String,
    issued: BTreeMap<String, String>,
    work: u64,
}

impl Canonicalized {
    /// The canonical quads (blank nodes relabelled `c14nN`), deduplicated, in the order of the
    /// canonical N-Quads document.
    #[must_use]
    pub fn quads(&self) -> &[Quad] {
        &self.quads
    }

    /// The canonical quads, by value.
    #[must_use]
    pub fn into_quads(self) -> Vec<Quad> {
        self.quads
    }

    /// The canonical N-Quads document: sorted lines, each ending in `\n`.
    #[must_use]
    pub fn as_nquads(&self) -> &str {
        &self.nquads
    }

    /// The canonical N-Quads document, as an owned string.
    #[must_use]
    pub fn to_nquads(&self) -> String {
        self.nquads.clone()
    }

    /// The canonical N-Quads document, by value.
    #[must_use]
    pub fn into_nquads(self) -> String {
        self.nquads
    }

    /// The issued identifiers map: input blank node identifier (without `_:`) to its canonical
    /// identifier (`c14nN`, without `_:`).
    #[must_use]
    pub fn issued_identifiers(&self) -> &BTreeMap<String, String> {
        &self.issued
    }

    /// The work units spent (Hash N-Degree Quads calls plus permutations), to compare with
    /// [`Canonicalizer::with_max_work`].
    #[must_use]
    pub fn work(&self) -> u64 {
        self.work
    }
}

/// Canonicalizes with the default settings; see [`Canonicalizer::canonicalize`].
///
/// # Errors
/// As [`Canonicalizer::canonicalize`].
pub fn canonicalize(quads: &[Quad]) -> Result<Canonicalized, CanonError> {
    Canonicalizer::new().canonicalize(quads)
}

impl Canonicalizer {
    /// SHA-256, [`DEFAULT_MAX_WORK`], [`DEFAULT_MAX_DEPTH`].
    #[must_use]
    pub fn new() -> Self {
        Self {
            max_work: DEFAULT_MAX_WORK,
            max_depth: DEFAULT_MAX_DEPTH,
            hash: HashAlgorithm::Sha256,
        }
    }

    /// Bounds the work of hashing blank nodes (Hash N-Degree Quads calls plus permutations).
    #[must_use]
    pub fn with_max_work(mut self, max_work: u64) -> Self {
        self.max_work = max_work;
        self
    }

    /// Bounds the recursion depth of Hash N-Degree Quads.
    #[must_use]
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Chooses the hash function.
    #[must_use]
    pub fn with_hash(mut self, hash: HashAlgorithm) -> Self {
        self.hash = hash;
        self
    }

    /// Canonicalizes a dataset (duplicate quads count once).
    ///
    /// # Errors
    /// [`CanonError::WorkLimitExceeded`] or [`CanonError::DepthLimitExceeded`] when hashing
    /// the blank nodes needs more than the configured limits.
    pub fn canonicalize(&self, quads: &[Quad]) -> Result<Canonicalized, CanonError> {
        let mut state = State::new(quads, *self);
        state.run()?;
        Ok(state.finish(true))
    }

    /// Only the canonical N-Quads document (sorted lines, each ending in `\n`) of
    /// [`Canonicalizer::canonicalize`], without building the relabelled quads and the issued
    /// identifiers map: what a signature needs, faster.
    ///
    /// # Errors
    /// As [`Canonicalizer::canonicalize`].
    pub fn canonicalize_to_nquads(&self, quads: &[Quad]) -> Result<String, CanonError> {
        let mut state = State::new(quads, *self);
        state.run()?;
        Ok(state.finish(false).nquads)
    }
}

/// Positions of the components that may be blank nodes.
const POSITIONS: [u8; 3] = [b's', b'o', b'g'];

/// A temporary identifier issuer (prefix `b`): blank node indices in issue order; the
/// identifier of a node is its position.
#[derive(Clone, Default)]
struct Issuer {
    issued: Vec<u32>,
}

impl Issuer {
    fn get(&self, node: u32) -> Option<usize> {
        self.issued.iter().position(|&n| n == node)
    }

    fn issue(&mut self, node: u32) -> usize {
        match self.get(node) {
            Some(i) => i,
            None => {
                self.issued.push(node);
                self.issued.len() - 1
            }
        }
    }
}

struct State<'a> {
    config: Canonicalizer,
    /// The input quads, duplicates removed.
    quads: Vec<&'a Quad>,
    /// Per quad, the blank node index of subject, object and graph.
    quad_nodes: Vec<[Option<u32>; 3]>,
    /// Blank node index to label.
    labels: Vec<&'a str>,
    /// Blank node index to the quads that mention it (each once).
    node_quads: Vec<Vec<u32>>,
    /// Blank node index to its first-degree hash.
    first_degree: Vec<String>,
    /// Per quad: a copy of an earlier quad (the input is a set: it counts once).
    duplicate: Vec<bool>,
    /// Blank node index to its canonical number.
    canonical: Vec<Option<u32>>,
    canonical_count: u32,
    work: u64,
}

fn hash_hex(alg: HashAlgorithm, data: &[u8]) -> String {
    match alg {
        HashAlgorithm::Sha256 => hex(&Sha256::digest(data)),
        HashAlgorithm::Sha384 => hex(&Sha384::digest(data)),
    }
}

/// An incremental hash of the configured algorithm.
enum Digester {
    Sha256(Sha256),
    Sha384(Sha384),
}

impl Digester {
    fn new(alg: HashAlgorithm) -> Self {
        match alg {
            HashAlgorithm::Sha256 => Self::Sha256(Sha256::new()),
            HashAlgorithm::Sha384 => Self::Sha384(Sha384::new()),
        }
    }

    fn update(&mut self, data: &str) {
        match self {
            Self::Sha256(h) => h.update(data.as_bytes()),
            Self::Sha384(h) => h.update(data.as_bytes()),
        }
    }

    fn finish_hex(self) -> String {
        match self {
            Self::Sha256(h) => hex(&h.finalize()),
            Self::Sha384(h) => hex(&h.finalize()),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

fn push_named(out: &mut String, n: &NamedNode) {
    out.push('<');
    out.push_str(n.as_str());
    out.push('>');
}

/// Writes one N-Quads line (with `\n`), writing blank nodes with `bnode(index, out)`.
fn write_quad(
    out: &mut String,
    quad: &Quad,
    nodes: [Option<u32>; 3],
    mut bnode: impl FnMut(u32, &mut String),
) {
    match (&quad.subject, nodes[0]) {
        (_, Some(i)) => bnode(i, out),
        (Subject::NamedNode(n), None) => push_named(out, n),
        (Subject::BlankNode(b), None) => {
            out.push_str("_:");
            out.push_str(b.as_str());
        }
    }
    out.push(' ');
    push_named(out, &quad.predicate);
    out.push(' ');
    match (&quad.object, nodes[1]) {
        (_, Some(i)) => bnode(i, out),
        (Term::NamedNode(n), None) => push_named(out, n),
        (Term::Literal(l), None) => crate::term::push_literal(out, l),
        (Term::BlankNode(b), None) => {
            out.push_str("_:");
            out.push_str(b.as_str());
        }
    }
    match (&quad.graph_name, nodes[2]) {
        (_, Some(i)) => {
            out.push(' ');
            bnode(i, out);
        }
        (GraphName::NamedNode(n), None) => {
            out.push(' ');
            push_named(out, n);
        }
        (GraphName::BlankNode(b), None) => {
            out.push_str(" _:");
            out.push_str(b.as_str());
        }
        (GraphName::DefaultGraph, None) => {}
    }
    out.push_str(" .\n");
}

fn push_number(out: &mut String, prefix: &str, n: usize) {
    out.push_str(prefix);
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

impl<'a> State<'a> {
    fn new(input: &'a [Quad], config: Canonicalizer) -> Self {
        let mut ids: FastMap<&'a str, u32> = FastMap::default();
        let mut labels: Vec<&'a str> = Vec::new();
        let mut node_quads: Vec<Vec<u32>> = Vec::new();
        let mut quads = Vec::with_capacity(input.len());
        let mut quad_nodes = Vec::with_capacity(input.len());
        for quad in input {
            let components = [
                quad.subject.as_blank_node(),
                quad.object.as_blank_node(),
                quad.graph_name.as_blank_node(),
            ];
            let mut nodes = [None; 3];
            if components.iter().any(Option::is_some) {
                let qi = u32::try_from(quads.len()).unwrap_or(u32::MAX);
                for (slot, component) in nodes.iter_mut().zip(components) {
                    if let Some(b) = component {
                        let next = u32::try_from(labels.len()).unwrap_or(u32::MAX);
                        let id = *ids.entry(b.as_str()).or_insert_with(|| {
                            labels.push(b.as_str());
                            node_quads.push(Vec::new());
                            next
                        });
                        *slot = Some(id);
                        if let Some(list) = node_quads.get_mut(id as usize)
                            && list.last() != Some(&qi)
                        {
                            list.push(qi);
                        }
                    }
                }
            }
            quads.push(quad);
            quad_nodes.push(nodes);
        }
        let count = labels.len();
        Self {
            config,
            quads,
            quad_nodes,
            labels,
            node_quads,
            first_degree: Vec::with_capacity(count),
            duplicate: vec![false; input.len()],
            canonical: vec![None; count],
            canonical_count: 0,
            work: 0,
        }
    }

    fn hash(&self, data: &str) -> String {
        hash_hex(self.config.hash, data.as_bytes())
    }

    fn issue_canonical(&mut self, node: u32) {
        if let Some(slot) = self.canonical.get_mut(node as usize)
            && slot.is_none()
        {
            *slot = Some(self.canonical_count);
            self.canonical_count += 1;
        }
    }

    fn canonical_of(&self, node: u32) -> Option<u32> {
        self.canonical.get(node as usize).copied().flatten()
    }

    /// [Hash First Degree Quads](https://www.w3.org/TR/rdf-canon/#hash-1d-quads) for every
    /// blank node. The lines of all nodes are built first, in one buffer: equal lines that come
    /// from equal quads reveal duplicate quads, which are then left out of every hash.
    fn hash_first_degree_all(&mut self) {
        let mut buffer = String::with_capacity(self.quads.len() * 96);
        // Every node's lines, node after node: (start, end, quad); `groups` ends each node's.
        let mut spans: Vec<(u32, u32, u32)> = Vec::with_capacity(self.quads.len() * 2);
        let mut groups: Vec<usize> = Vec::with_capacity(self.labels.len());
        for (node, list) in self.node_quads.iter().enumerate() {
            let node = u32::try_from(node).unwrap_or(u32::MAX);
            for &qi in list {
                let (Some(quad), Some(&nodes)) = (
                    self.quads.get(qi as usize),
                    self.quad_nodes.get(qi as usize),
                ) else {
                    continue;
                };
                let start = buffer.len();
                write_quad(&mut buffer, quad, nodes, |i, out| {
                    out.push_str(if i == node { "_:a" } else { "_:z" });
                });
                spans.push((
                    u32::try_from(start).unwrap_or(u32::MAX),
                    u32::try_from(buffer.len()).unwrap_or(u32::MAX),
                    qi,
                ));
            }
            groups.push(spans.len());
        }
        // (line, quad), each node's lines sorted: the slices are compared directly.
        let mut lines: Vec<(&str, u32)> = spans
            .iter()
            .map(|&(s, e, q)| (buffer.get(s as usize..e as usize).unwrap_or(""), q))
            .collect();
        let quads = &self.quads;
        let mut begin = 0;
        for &end in &groups {
            if let Some(group) = lines.get_mut(begin..end) {
                // Equal lines can come from different quads (other blank nodes are all `_:z`):
                // ties are ordered by quad, then position, so that copies of one quad end up
                // side by side in input order and every copy after the first is marked.
                group.sort_unstable_by(|a, b| {
                    a.0.cmp(b.0)
                        .then_with(|| quads.get(a.1 as usize).cmp(&quads.get(b.1 as usize)))
                        .then_with(|| a.1.cmp(&b.1))
                });
                for pair in group.windows(2) {
                    if let [a, b] = pair
                        && a.0 == b.0
                        && quads.get(a.1 as usize) == quads.get(b.1 as usize)
                    {
                        let later = a.1.max(b.1) as usize;
                        if let Some(d) = self.duplicate.get_mut(later) {
                            *d = true;
                        }
                    }
                }
            }
            begin = end;
        }
        let mut begin = 0;
        for &end in &groups {
            let mut digest = Digester::new(self.config.hash);
            for l in lines.get(begin..end).unwrap_or_default() {
                if self.duplicate.get(l.1 as usize) == Some(&true) {
                    continue;
                }
                digest.update(l.0);
            }
            self.first_degree.push(digest.finish_hex());
            begin = end;
        }
    }

    /// [Hash Related Blank Node](https://www.w3.org/TR/rdf-canon/#hash-related-blank-node).
    fn hash_related(&self, related: u32, quad: &Quad, issuer: &Issuer, position: u8) -> String {
        let mut input = String::with_capacity(160);
        input.push(char::from(position));
        if position != b'g' {
            push_named(&mut input, &quad.predicate);
        }
        if let Some(c) = self.canonical_of(related) {
            push_number(&mut input, "_:c14n", c as usize);
        } else if let Some(i) = issuer.get(related) {
            push_number(&mut input, "_:b", i);
        } else if let Some(h) = self.first_degree.get(related as usize) {
            input.push_str(h);
        }
        self.hash(&input)
    }

    fn spend_work(&mut self) -> Result<(), CanonError> {
        self.work += 1;
        if self.work > self.config.max_work {
            Err(CanonError::WorkLimitExceeded {
                max_work: self.config.max_work,
            })
        } else {
            Ok(())
        }
    }

    /// [Hash N-Degree Quads](https://www.w3.org/TR/rdf-canon/#hash-nd-quads).
    fn hash_n_degree(
        &mut self,
        node: u32,
        mut issuer: Issuer,
        depth: usize,
    ) -> Result<(String, Issuer), CanonError> {
        self.spend_work()?;
        if depth > self.config.max_depth {
            return Err(CanonError::DepthLimitExceeded {
                max_depth: self.config.max_depth,
            });
        }
        let mut related_by_hash: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let empty = Vec::new();
        let list = self.node_quads.get(node as usize).unwrap_or(&empty);
        for &qi in list {
            let (Some(quad), Some(nodes), Some(false)) = (
                self.quads.get(qi as usize),
                self.quad_nodes.get(qi as usize),
                self.duplicate.get(qi as usize),
            ) else {
                continue;
            };
            for (slot, position) in nodes.iter().zip(POSITIONS) {
                if let Some(related) = *slot
                    && related != node
                {
                    let h = self.hash_related(related, quad, &issuer, position);
                    related_by_hash.entry(h).or_default().push(related);
                }
            }
        }
        let mut data = String::new();
        for (related_hash, mut nodes) in related_by_hash {
            data.push_str(&related_hash);
            let mut chosen_path = String::new();
            let mut chosen_issuer: Option<Issuer> = None;
            nodes.sort_unstable();
            let mut first = true;
            while first || next_permutation(&mut nodes) {
                first = false;
                self.spend_work()?;
                let mut issuer_copy = issuer.clone();
                let mut path = String::new();
                let mut recursion = Vec::new();
                let mut skip = false;
                for &related in &nodes {
                    if let Some(c) = self.canonical_of(related) {
                        push_number(&mut path, "_:c14n", c as usize);
                    } else {
                        if issuer_copy.get(related).is_none() {
                            recursion.push(related);
                        }
                        let id = issuer_copy.issue(related);
                        push_number(&mut path, "_:b", id);
                    }
                    if !chosen_path.is_empty()
                        && path.len() >= chosen_path.len()
                        && path > chosen_path
                    {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                for related in recursion {
                    let id = issuer_copy.issue(related);
                    let (result_hash, result_issuer) =
                        self.hash_n_degree(related, issuer_copy, depth + 1)?;
                    push_number(&mut path, "_:b", id);
                    path.push('<');
                    path.push_str(&result_hash);
                    path.push('>');
                    issuer_copy = result_issuer;
                    if !chosen_path.is_empty()
                        && path.len() >= chosen_path.len()
                        && path > chosen_path
                    {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                if chosen_path.is_empty() || path < chosen_path {
                    chosen_path = path;
                    chosen_issuer = Some(issuer_copy);
                }
            }
            data.push_str(&chosen_path);
            if let Some(chosen) = chosen_issuer {
                issuer = chosen;
            }
        }
        Ok((self.hash(&data), issuer))
    }

    /// The [canonicalization algorithm](https://www.w3.org/TR/rdf-canon/#canon-algorithm),
    /// steps 3 to 5.
    fn run(&mut self) -> Result<(), CanonError> {
        self.hash_first_degree_all();
        // Nodes in first-degree hash order (ties in node order): runs of one hash.
        let first_degree = &self.first_degree;
        let hash_of = |n: u32| first_degree.get(n as usize).map_or("", String::as_str);
        let mut order: Vec<u32> =
            (0..u32::try_from(first_degree.len()).unwrap_or(u32::MAX)).collect();
        order.sort_by(|&a, &b| hash_of(a).cmp(hash_of(b)));
        let mut unique = Vec::with_capacity(order.len());
        let mut shared = Vec::new();
        for run in order.chunk_by(|&a, &b| hash_of(a) == hash_of(b)) {
            match run {
                [single] => unique.push(*single),
                _ => shared.push(run.to_vec()),
            }
        }
        for node in unique {
            self.issue_canonical(node);
        }
        for nodes in shared {
            let mut results = Vec::with_capacity(nodes.len());
            for node in nodes {
                if self.canonical_of(node).is_some() {
                    continue;
                }
                let mut issuer = Issuer::default();
                issuer.issue(node);
                results.push(self.hash_n_degree(node, issuer, 0)?);
            }
            results.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, issuer) in results {
                for node in issuer.issued {
                    self.issue_canonical(node);
                }
            }
        }
        Ok(())
    }

    /// Step 6 and 7: relabel, serialize, sort. Without `with_quads`, only the document is built.
    fn finish(self, with_quads: bool) -> Canonicalized {
        let c14n: Vec<String> = (0..self.labels.len())
            .map(|n| {
                let mut label = String::with_capacity(12);
                push_number(
                    &mut label,
                    "_:c14n",
                    self.canonical.get(n).copied().flatten().unwrap_or(0) as usize,
                );
                label
            })
            .collect();
        let mut buffer = String::with_capacity(self.quads.len() * 112);
        let mut ends: Vec<usize> = Vec::with_capacity(self.quads.len());
        for (quad, nodes) in self.quads.iter().zip(&self.quad_nodes) {
            write_quad(&mut buffer, quad, *nodes, |n, out| {
                out.push_str(c14n.get(n as usize).map_or("_:c14n", String::as_str));
            });
            ends.push(buffer.len());
        }
        // (line, quad index), sorted by line: the slices are compared directly.
        let mut lines: Vec<(&str, usize)> = Vec::with_capacity(ends.len());
        let mut start = 0;
        for (i, &end) in ends.iter().enumerate() {
            lines.push((buffer.get(start..end).unwrap_or(""), i));
            start = end;
        }
        lines.sort_unstable_by(|a, b| a.0.cmp(b.0));
        lines.dedup_by(|a, b| a.0 == b.0);
        let mut nquads = String::with_capacity(buffer.len());
        let mut quads = Vec::with_capacity(if with_quads { lines.len() } else { 0 });
        let label_count = if with_quads { self.labels.len() } else { 0 };
        let labels: Vec<BlankNode> = (0..label_count)
            .map(|n| {
                let c = self.canonical.get(n).copied().flatten().unwrap_or(0);
                BlankNode::new_unchecked(format!("c14n{c}"))
            })
            .collect();
        let label = |n: u32| {
            labels
                .get(n as usize)
                .cloned()
                .unwrap_or_else(|| BlankNode::new_unchecked("c14n"))
        };
        for line in &lines {
            nquads.push_str(line.0);
            if !with_quads {
                continue;
            }
            let (Some(quad), Some(nodes)) = (self.quads.get(line.1), self.quad_nodes.get(line.1))
            else {
                continue;
            };
            let subject = match nodes[0] {
                Some(n) => Subject::BlankNode(label(n)),
                None => quad.subject.clone(),
            };
            let object = match nodes[1] {
                Some(n) => Term::BlankNode(label(n)),
                None => quad.object.clone(),
            };
            let graph_name = match nodes[2] {
                Some(n) => GraphName::BlankNode(label(n)),
                None => quad.graph_name.clone(),
            };
            quads.push(Quad {
                subject,
                predicate: quad.predicate.clone(),
                object,
                graph_name,
            });
        }
        if !with_quads {
            return Canonicalized {
                quads,
                nquads,
                issued: BTreeMap::new(),
                work: self.work,
            };
        }
        let issued = self
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let c = self.canonical.get(i).copied().flatten().unwrap_or(0);
                ((*l).to_owned(), format!("c14n{c}"))
            })
            .collect();
        Canonicalized {
            quads,
            nquads,
            issued,
            work: self.work,
        }
    }
}

/// Rearranges `v` into the next permutation in lexicographic order; false after the last.
fn next_permutation(v: &mut [u32]) -> bool {
    let n = v.len();
    if n < 2 {
        return false;
    }
    let mut i = n - 1;
    while i > 0 && v[i - 1] >= v[i] {
        i -= 1;
    }
    if i == 0 {
        return false;
    }
    let mut j = n - 1;
    while v[j] <= v[i - 1] {
        j -= 1;
    }
    v.swap(i - 1, j);
    v[i..].reverse();
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nquads::parse;

    #[test]
    fn permutations_are_all_visited() {
        let mut v = vec![1, 2, 3];
        let mut count = 1;
        while next_permutation(&mut v) {
            count += 1;
        }
        assert_eq!(count, 6);
        assert_eq!(v, vec![3, 2, 1]);
    }

    #[test]
    fn simple_graph() {
        let quads = parse("_:x <http://p> \"a\" .\n_:y <http://p> \"b\" .\n_:x <http://q> _:y .\n")
            .unwrap();
        let c = canonicalize(&quads).unwrap();
        assert_eq!(c.quads().len(), 3);
        assert!(c.as_nquads().ends_with('\n'));
        assert_eq!(c.issued_identifiers().len(), 2);
    }

    #[test]
    fn duplicates_count_once() {
        let one = parse("_:x <http://p> _:y .\n<http://s> <http://p> \"a\" .\n").unwrap();
        let mut two = one.clone();
        two.extend(one.clone());
        assert_eq!(
            canonicalize(&one).unwrap().as_nquads(),
            canonicalize(&two).unwrap().as_nquads()
        );
    }

    #[test]
    fn deep_but_cheap_recursion_is_refused_not_overflowed() {
        // Two identical chains: every node has a twin, and hashing the first pair recurses
        // along the whole chain while spending little work.
        let mut doc = String::new();
        for chain in ["a", "b"] {
            for i in 0..2_000 {
                doc.push_str(&format!("_:{chain}{i} <http://p> _:{chain}{} .\n", i + 1));
            }
        }
        let quads = parse(&doc).unwrap();
        let err = canonicalize(&quads).unwrap_err();
        assert_eq!(
            err,
            CanonError::DepthLimitExceeded {
                max_depth: DEFAULT_MAX_DEPTH
            }
        );
    }

    #[test]
    fn long_chain_of_alike_nodes_is_bounded() {
        // A ring of n blank nodes that all look alike recurses n deep.
        let n = 100;
        let mut doc = String::new();
        for i in 0..n {
            doc.push_str(&format!("_:n{i} <http://p> _:n{} .\n", (i + 1) % n));
        }
        let quads = parse(&doc).unwrap();
        let c = Canonicalizer::new()
            .with_max_work(1_000_000)
            .canonicalize(&quads)
            .unwrap();
        assert_eq!(c.quads().len(), n);
        assert!(c.work() > 300);
        let err = Canonicalizer::new()
            .with_max_depth(10)
            .canonicalize(&quads)
            .unwrap_err();
        assert!(err.to_string().contains("max_depth"));
    }
}
