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
    /// The quads that mention blank node `n` (each once, in input order) are
    /// `node_quads[node_start[n]..node_start[n + 1]]`.
    node_start: Vec<u32>,
    node_quads: Vec<u32>,
    /// Blank node index to its first-degree hash.
    first_degree: Vec<Hash>,
    /// Per quad: a copy of an earlier quad (the input is a set: it counts once).
    duplicate: Vec<bool>,
    /// Blank node index to its canonical number.
    canonical: Vec<Option<u32>>,
    canonical_count: u32,
    work: u64,
    /// Estimated bytes of all the first-degree lines and of the canonical document, so their
    /// buffers are allocated once.
    first_degree_bytes: usize,
    document_bytes: usize,
    /// The first-degree lines, kept (64 quads or more): the canonical line of a quad with blank
    /// nodes is one of them with the 3-byte `_:a` / `_:z` replaced by labels.
    first_degree_text: String,
    /// Per quad, the span of one of its first-degree lines in `first_degree_text` (empty for
    /// quads without blank nodes).
    first_degree_line: Vec<(u32, u32)>,
}

/// A digest (32 bytes for SHA-256, 48 for SHA-384, the rest zero). Digests of one algorithm
/// sort as their lowercase hexadecimal forms do, the order RDFC-1.0 uses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Hash {
    bytes: [u8; 48],
    len: u8,
}

impl Hash {
    fn new(digest: &[u8]) -> Self {
        let mut bytes = [0; 48];
        let len = digest.len().min(bytes.len());
        if let (Some(to), Some(from)) = (bytes.get_mut(..len), digest.get(..len)) {
            to.copy_from_slice(from);
        }
        Self {
            bytes,
            len: len as u8,
        }
    }

    /// The lowercase hexadecimal form, in a fixed buffer.
    fn hex(&self) -> HexHash {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = HexHash {
            bytes: [0; 96],
            len: usize::from(self.len) * 2,
        };
        for (pair, &b) in out
            .bytes
            .chunks_exact_mut(2)
            .zip(&self.bytes[..usize::from(self.len)])
        {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 15)];
        }
        out
    }
}

/// The hexadecimal form of a [`Hash`].
struct HexHash {
    bytes: [u8; 96],
    len: usize,
}

impl HexHash {
    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
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

    fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
        }
    }

    fn finish(self) -> Hash {
        match self {
            Self::Sha256(h) => Hash::new(&h.finalize()),
            Self::Sha384(h) => Hash::new(&h.finalize()),
        }
    }
}

fn digest(alg: HashAlgorithm, data: &[u8]) -> Hash {
    match alg {
        HashAlgorithm::Sha256 => Hash::new(&Sha256::digest(data)),
        HashAlgorithm::Sha384 => Hash::new(&Sha384::digest(data)),
    }
}

fn push_named(out: &mut String, n: &NamedNode) {
    out.push('<');
    out.push_str(n.as_str());
    out.push('>');
}

/// Writes one N-Quads line (with `\n`), writing blank nodes with `bnode(index, out)`;
/// returns the length of `out` after the subject and its space.
fn write_quad(
    out: &mut String,
    quad: &Quad,
    nodes: [Option<u32>; 3],
    mut bnode: impl FnMut(u32, &mut String),
) -> usize {
    match (&quad.subject, nodes[0]) {
        (_, Some(i)) => bnode(i, out),
        (Subject::NamedNode(n), None) => push_named(out, n),
        (Subject::BlankNode(b), None) => {
            out.push_str("_:");
            out.push_str(b.as_str());
        }
    }
    out.push(' ');
    let subject_end = out.len();
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
    subject_end
}

/// Writes the N-Quads line of `quad` from `line`, one of its first-degree lines (`write_quad`
/// with every blank node written as the 3 bytes `_:a` or `_:z`), writing blank nodes with
/// `bnode(index, out)` instead; returns the length of `out` after the subject and its space.
fn relabel_line(
    out: &mut String,
    line: &str,
    quad: &Quad,
    nodes: [Option<u32>; 3],
    mut bnode: impl FnMut(u32, &mut String),
) -> usize {
    const PLACEHOLDER: usize = "_:a".len();
    let subject_len = match (&quad.subject, nodes[0]) {
        (_, Some(_)) => PLACEHOLDER,
        (Subject::NamedNode(n), None) => n.as_str().len() + 2,
        (Subject::BlankNode(b), None) => b.as_str().len() + 2,
    };
    let copy = |out: &mut String, from: usize, to: usize| {
        out.push_str(line.get(from..to).unwrap_or_default());
    };
    let mut cursor = 0;
    let subject_end = match nodes[0] {
        Some(n) => {
            bnode(n, out);
            cursor = PLACEHOLDER;
            out.len() + 1
        }
        None => out.len() + subject_len + 1,
    };
    if let Some(n) = nodes[1] {
        // After the subject, a space, `<predicate>` and a space.
        let at = subject_len + quad.predicate.as_str().len() + 4;
        copy(out, cursor, at);
        bnode(n, out);
        cursor = at + PLACEHOLDER;
    }
    if let Some(n) = nodes[2] {
        // Before ` .\n`.
        let at = line.len().saturating_sub(PLACEHOLDER + 3);
        copy(out, cursor, at);
        bnode(n, out);
        cursor = at + PLACEHOLDER;
    }
    copy(out, cursor, line.len());
    subject_end
}

/// The bytes of the N-Quads line of `quad` when no character needs escaping, blank node
/// labels counted as written in the input.
fn line_len(quad: &Quad) -> usize {
    let subject = match &quad.subject {
        Subject::NamedNode(n) => n.as_str().len() + 2,
        Subject::BlankNode(b) => b.as_str().len() + 2,
    };
    let object = match &quad.object {
        Term::NamedNode(n) => n.as_str().len() + 2,
        Term::BlankNode(b) => b.as_str().len() + 2,
        Term::Literal(l) => {
            l.value().len()
                + 2
                + match l.language() {
                    Some(language) => language.len() + 1,
                    // An over-estimate for `xsd:string`, which is not written.
                    None => l.datatype().as_str().len() + 4,
                }
        }
    };
    let graph = match &quad.graph_name {
        GraphName::DefaultGraph => 0,
        GraphName::NamedNode(n) => n.as_str().len() + 3,
        GraphName::BlankNode(b) => b.as_str().len() + 3,
    };
    subject + quad.predicate.as_str().len() + object + graph + 6
}

/// The number of a label `b` + decimal digits without a leading zero (as JSON-LD toRdf
/// issues them), so that such labels are told apart without hashing.
fn label_number(label: &str) -> Option<usize> {
    let digits = label.strip_prefix('b')?;
    if digits.is_empty() || digits.len() > 9 || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    digits.bytes().try_fold(0usize, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + usize::from(b - b'0'))
    })
}

/// The decimal digits of `n`, in `buffer`.
fn digits(n: usize, buffer: &mut [u8; 20]) -> &[u8] {
    let mut i = buffer.len();
    let mut n = n;
    loop {
        i -= 1;
        buffer[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buffer[i..]
}

fn push_number(out: &mut Vec<u8>, prefix: &[u8], n: usize) {
    out.extend_from_slice(prefix);
    out.extend_from_slice(digits(n, &mut [0; 20]));
}

/// Appends `_:c14n` and the number.
fn push_c14n_label(out: &mut String, n: u32) {
    out.push_str("_:c14n");
    for &d in digits(n as usize, &mut [0; 20]) {
        out.push(char::from(d));
    }
}

impl<'a> State<'a> {
    fn new(input: &'a [Quad], config: Canonicalizer) -> Self {
        let mut ids: FastMap<&'a str, u32> = FastMap::default();
        // Labels `b0`, `b1`, ... (JSON-LD toRdf's) are found by number, the others by hash.
        let mut by_number: Vec<u32> = Vec::new();
        let max_number = input.len().saturating_mul(4).saturating_add(64);
        let mut labels: Vec<&'a str> = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut quads = Vec::with_capacity(input.len());
        let mut quad_nodes = Vec::with_capacity(input.len());
        let (mut first_degree_bytes, mut document_bytes) = (0, 0);
        for quad in input {
            let components = [
                quad.subject.as_blank_node(),
                quad.object.as_blank_node(),
                quad.graph_name.as_blank_node(),
            ];
            let mut nodes = [None; 3];
            let len = line_len(quad);
            document_bytes += len + 16;
            if components.iter().any(Option::is_some) {
                for (slot, component) in nodes.iter_mut().zip(components) {
                    if let Some(b) = component {
                        let next = u32::try_from(labels.len()).unwrap_or(u32::MAX);
                        let numbered =
                            label_number(b.as_str())
                                .filter(|&n| n < max_number)
                                .map(|n| {
                                    if by_number.len() <= n {
                                        let want = (n + 1).max(input.len());
                                        by_number.reserve(want - by_number.len());
                                        by_number.resize(n + 1, u32::MAX);
                                    }
                                    by_number.get_mut(n)
                                });
                        let id = match numbered {
                            Some(Some(known)) if *known != u32::MAX => *known,
                            Some(Some(unknown)) => {
                                *unknown = next;
                                labels.push(b.as_str());
                                counts.push(0);
                                next
                            }
                            _ => *ids.entry(b.as_str()).or_insert_with(|| {
                                labels.push(b.as_str());
                                counts.push(0);
                                next
                            }),
                        };
                        *slot = Some(id);
                    }
                }
                // Each node counts the quad once.
                for (i, slot) in nodes.iter().enumerate() {
                    if let Some(n) = *slot
                        && !nodes[..i].contains(slot)
                        && let Some(count) = counts.get_mut(n as usize)
                    {
                        *count += 1;
                        first_degree_bytes += len;
                    }
                }
            }
            quads.push(quad);
            quad_nodes.push(nodes);
        }
        // Compressed lists: the quads of node n follow those of node n - 1.
        let mut node_start = Vec::with_capacity(counts.len() + 1);
        let mut total = 0u32;
        node_start.push(0);
        for &count in &counts {
            total = total.saturating_add(count);
            node_start.push(total);
        }
        let mut node_quads = vec![0u32; total as usize];
        let mut fill: Vec<u32> = node_start.clone();
        for (qi, nodes) in quad_nodes.iter().enumerate() {
            for (i, slot) in nodes.iter().enumerate() {
                if let Some(n) = *slot
                    && !nodes[..i].contains(slot)
                    && let Some(at) = fill.get_mut(n as usize)
                {
                    if let Some(entry) = node_quads.get_mut(*at as usize) {
                        *entry = u32::try_from(qi).unwrap_or(u32::MAX);
                    }
                    *at += 1;
                }
            }
        }
        let count = labels.len();
        Self {
            config,
            quads,
            quad_nodes,
            labels,
            node_start,
            node_quads,
            first_degree: Vec::with_capacity(count),
            duplicate: vec![false; input.len()],
            canonical: vec![None; count],
            canonical_count: 0,
            work: 0,
            first_degree_bytes,
            document_bytes,
            first_degree_text: String::new(),
            first_degree_line: Vec::new(),
        }
    }

    /// The quads that mention `node`.
    fn quads_of(&self, node: u32) -> &[u32] {
        let n = node as usize;
        match (self.node_start.get(n), self.node_start.get(n + 1)) {
            (Some(&start), Some(&end)) => self
                .node_quads
                .get(start as usize..end as usize)
                .unwrap_or_default(),
            _ => &[],
        }
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
        let mut buffer = String::with_capacity(self.first_degree_bytes);
        // Every node's lines, node after node: (line, quad); `node_start` ends each node's.
        let mut spans: Vec<(u32, u32, u32)> = Vec::with_capacity(self.node_quads.len());
        for node in 0..self.labels.len() {
            let node = u32::try_from(node).unwrap_or(u32::MAX);
            for &qi in self.quads_of(node) {
                let (Some(quad), Some(&nodes)) = (
                    self.quads.get(qi as usize),
                    self.quad_nodes.get(qi as usize),
                ) else {
                    continue;
                };
                let start = buffer.len();
                let _ = write_quad(&mut buffer, quad, nodes, |i, out| {
                    out.push_str(if i == node { "_:a" } else { "_:z" });
                });
                spans.push((
                    u32::try_from(start).unwrap_or(u32::MAX),
                    u32::try_from(buffer.len()).unwrap_or(u32::MAX),
                    qi,
                ));
            }
        }
        let mut lines: Vec<(&str, u32)> = spans
            .iter()
            .map(|&(s, e, q)| (buffer.get(s as usize..e as usize).unwrap_or(""), q))
            .collect();
        let quads = &self.quads;
        for bounds in self.node_start.windows(2) {
            let [begin, end] = *bounds else { continue };
            let Some(group) = lines.get_mut(begin as usize..end as usize) else {
                continue;
            };
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
        // Look-alike nodes (the proofs of several endorsements, repeated alignments) have the
        // same lines: a node whose lines are those of a node already hashed takes its hash
        // instead of hashing them again. Only nodes of `SHARED_MIN_BYTES` or more are looked
        // at; candidates have as many lines and bytes and the same bytes before each line's
        // ` .\n`, and a few are compared, so that many nodes of one shape cost no more than
        // hashing them.
        const SHARED_MIN_BYTES: usize = 256;
        const CANDIDATES: usize = 4;
        let duplicate = &self.duplicate;
        let node_start = &self.node_start;
        let node_lines = |node: u32| {
            let n = node as usize;
            let (Some(&begin), Some(&end)) = (node_start.get(n), node_start.get(n + 1)) else {
                return &[][..];
            };
            lines.get(begin as usize..end as usize).unwrap_or_default()
        };
        let kept = |node: u32| {
            node_lines(node)
                .iter()
                .filter(|l| duplicate.get(l.1 as usize) != Some(&true))
                .map(|l| l.0)
        };
        let alg = self.config.hash;
        let hash_lines = |node: u32| {
            let mut digest = Digester::new(alg);
            for line in kept(node) {
                digest.update(line.as_bytes());
            }
            digest.finish()
        };
        let mut hashes = std::mem::take(&mut self.first_degree);
        hashes.clear();
        if self.quads.len() < 64 {
            // Small datasets: every node hashed, none looked at for a look-alike, no lines kept.
            for bounds in node_start.windows(2) {
                let [begin, end] = *bounds else { continue };
                let mut digest = Digester::new(alg);
                for l in lines.get(begin as usize..end as usize).unwrap_or_default() {
                    if duplicate.get(l.1 as usize) != Some(&true) {
                        digest.update(l.0.as_bytes());
                    }
                }
                hashes.push(digest.finish());
            }
            self.first_degree = hashes;
            return;
        }
        let mut shapes: Vec<(usize, usize, u64, u32)> = Vec::new();
        for (node, bounds) in node_start.windows(2).enumerate() {
            let [begin, end] = *bounds else { continue };
            let node_lines = lines.get(begin as usize..end as usize).unwrap_or_default();
            // The bytes of the node's lines, copies included (they are side by side).
            let written = match (
                spans.get(begin as usize),
                spans.get((end as usize).wrapping_sub(1)),
            ) {
                (Some(first), Some(last)) if end > begin => last.1.saturating_sub(first.0) as usize,
                _ => 0,
            };
            if written < SHARED_MIN_BYTES {
                let mut digest = Digester::new(alg);
                for l in node_lines {
                    if duplicate.get(l.1 as usize) == Some(&true) {
                        continue;
                    }
                    digest.update(l.0.as_bytes());
                }
                hashes.push(digest.finish());
                continue;
            }
            // Filled in below.
            hashes.push(Hash::new(&[]));
            let node = u32::try_from(node).unwrap_or(u32::MAX);
            let (mut lines, mut bytes, mut tails) = (0, 0, 0u64);
            for line in kept(node) {
                let end = line.len().saturating_sub(3);
                let mut tail = [0u8; 8];
                if let Some(from) = line.as_bytes().get(end.saturating_sub(8)..end) {
                    tail.get_mut(..from.len())
                        .unwrap_or_default()
                        .copy_from_slice(from);
                }
                tails = tails.rotate_left(7) ^ u64::from_le_bytes(tail);
                lines += 1;
                bytes += line.len();
            }
            shapes.push((lines, bytes, tails, node));
        }
        shapes.sort_unstable();
        for run in shapes.chunk_by(|a, b| (a.0, a.1, a.2) == (b.0, b.1, b.2)) {
            let mut hashed = [0u32; CANDIDATES];
            let mut hashed_count = 0;
            for &(_, _, _, node) in run {
                let same = hashed
                    .get(..hashed_count)
                    .unwrap_or_default()
                    .iter()
                    .find(|&&earlier| kept(earlier).eq(kept(node)));
                let hash = match same.and_then(|&earlier| hashes.get(earlier as usize)) {
                    Some(&hash) => hash,
                    None => {
                        if let Some(slot) = hashed.get_mut(hashed_count) {
                            *slot = node;
                            hashed_count += 1;
                        }
                        hash_lines(node)
                    }
                };
                if let Some(slot) = hashes.get_mut(node as usize) {
                    *slot = hash;
                }
            }
        }
        self.first_degree = hashes;
        let mut first_degree_line = vec![(0, 0); self.quads.len()];
        for &(start, end, qi) in &spans {
            if let Some(slot) = first_degree_line.get_mut(qi as usize)
                && *slot == (0, 0)
            {
                *slot = (start, end);
            }
        }
        self.first_degree_line = first_degree_line;
        self.first_degree_text = buffer;
    }

    /// [Hash Related Blank Node](https://www.w3.org/TR/rdf-canon/#hash-related-blank-node).
    /// `last` holds the previous input and its hash: a node related through several quads of
    /// one graph name (a proof in its graph) gives the same input again, hashed once.
    fn hash_related(
        &self,
        last: &mut (Vec<u8>, Vec<u8>, Option<Hash>),
        related: u32,
        quad: &Quad,
        issuer: &Issuer,
        position: u8,
    ) -> Hash {
        let (input, previous, previous_hash) = last;
        input.clear();
        input.push(position);
        if position != b'g' {
            input.push(b'<');
            input.extend_from_slice(quad.predicate.as_str().as_bytes());
            input.push(b'>');
        }
        if let Some(c) = self.canonical_of(related) {
            push_number(input, b"_:c14n", c as usize);
        } else if let Some(i) = issuer.get(related) {
            push_number(input, b"_:b", i);
        } else if let Some(h) = self.first_degree.get(related as usize) {
            input.extend_from_slice(h.hex().as_bytes());
        }
        if let Some(h) = *previous_hash
            && input == previous
        {
            return h;
        }
        let h = digest(self.config.hash, input);
        std::mem::swap(input, previous);
        *previous_hash = Some(h);
        h
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
    ) -> Result<(Hash, Issuer), CanonError> {
        self.spend_work()?;
        if depth > self.config.max_depth {
            return Err(CanonError::DepthLimitExceeded {
                max_depth: self.config.max_depth,
            });
        }
        // (related hash, related node), sorted: runs of one hash, in hash order.
        let mut related_by_hash: Vec<(Hash, u32)> =
            Vec::with_capacity(self.quads_of(node).len() * 2);
        let mut last = (Vec::with_capacity(160), Vec::with_capacity(160), None);
        for &qi in self.quads_of(node) {
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
                    let h = self.hash_related(&mut last, related, quad, &issuer, position);
                    related_by_hash.push((h, related));
                }
            }
        }
        related_by_hash.sort_unstable();
        let mut data = Digester::new(self.config.hash);
        let mut nodes: Vec<u32> = Vec::new();
        let mut recursion: Vec<u32> = Vec::new();
        let (mut path, mut chosen_path) = (Vec::new(), Vec::new());
        // Room for a path of every node of the longest run and its hash.
        let longest = related_by_hash
            .chunk_by(|a, b| a.0 == b.0)
            .map(<[_]>::len)
            .max()
            .unwrap_or(0);
        if longest > 0 {
            path.reserve(longest * 80);
            chosen_path.reserve(longest * 80);
        }
        for run in related_by_hash.chunk_by(|a, b| a.0 == b.0) {
            let Some((related_hash, _)) = run.first() else {
                continue;
            };
            data.update(related_hash.hex().as_bytes());
            chosen_path.clear();
            let mut chosen_issuer: Option<Issuer> = None;
            // Sorted, as the run is: the first permutation.
            nodes.clear();
            nodes.extend(run.iter().map(|r| r.1));
            let mut first = true;
            while first || next_permutation(&mut nodes) {
                first = false;
                self.spend_work()?;
                // With room for the nodes this permutation may issue.
                let mut issuer_copy = Issuer {
                    issued: Vec::with_capacity(issuer.issued.len() + nodes.len()),
                };
                issuer_copy.issued.extend_from_slice(&issuer.issued);
                path.clear();
                recursion.clear();
                let mut skip = false;
                for &related in &nodes {
                    if let Some(c) = self.canonical_of(related) {
                        push_number(&mut path, b"_:c14n", c as usize);
                    } else {
                        if issuer_copy.get(related).is_none() {
                            recursion.push(related);
                        }
                        let id = issuer_copy.issue(related);
                        push_number(&mut path, b"_:b", id);
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
                for &related in &recursion {
                    let id = issuer_copy.issue(related);
                    let (result_hash, result_issuer) =
                        self.hash_n_degree(related, issuer_copy, depth + 1)?;
                    push_number(&mut path, b"_:b", id);
                    path.push(b'<');
                    path.extend_from_slice(result_hash.hex().as_bytes());
                    path.push(b'>');
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
                    std::mem::swap(&mut chosen_path, &mut path);
                    chosen_issuer = Some(issuer_copy);
                }
            }
            data.update(&chosen_path);
            if let Some(chosen) = chosen_issuer {
                issuer = chosen;
            }
        }
        Ok((data.finish(), issuer))
    }

    /// The [canonicalization algorithm](https://www.w3.org/TR/rdf-canon/#canon-algorithm),
    /// steps 3 to 5.
    fn run(&mut self) -> Result<(), CanonError> {
        self.hash_first_degree_all();
        // Nodes in first-degree hash order (ties in node order): runs of one hash.
        let first_degree = &self.first_degree;
        let mut order: Vec<(Hash, u32)> = first_degree
            .iter()
            .enumerate()
            .map(|(n, h)| (*h, u32::try_from(n).unwrap_or(u32::MAX)))
            .collect();
        order.sort_unstable();
        let mut shared = Vec::new();
        for run in order.chunk_by(|a, b| a.0 == b.0) {
            match run {
                [(_, single)] => self.issue_canonical(*single),
                _ => shared.push(run.iter().map(|r| r.1).collect::<Vec<u32>>()),
            }
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
            results.sort_by_key(|r| r.0);
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
        let canonical = &self.canonical;
        let mut buffer = String::with_capacity(self.document_bytes);
        // Per line: where it starts and where its subject and space end.
        let mut offsets: Vec<(usize, usize)> = Vec::with_capacity(self.quads.len());
        for (qi, (quad, nodes)) in self.quads.iter().zip(&self.quad_nodes).enumerate() {
            let start = buffer.len();
            let label = |n: u32, out: &mut String| {
                push_c14n_label(
                    out,
                    canonical.get(n as usize).copied().flatten().unwrap_or(0),
                );
            };
            let first_degree = self
                .first_degree_line
                .get(qi)
                .filter(|span| span.1 > span.0)
                .and_then(|&(s, e)| self.first_degree_text.get(s as usize..e as usize));
            let split = match first_degree {
                Some(line) => relabel_line(&mut buffer, line, quad, *nodes, label),
                None => write_quad(&mut buffer, quad, *nodes, label),
            };
            offsets.push((start, split - start));
        }
        let mut lines: Vec<Line<'_>> = Vec::with_capacity(offsets.len());
        let mut ends = offsets.iter().skip(1).map(|o| o.0).chain([buffer.len()]);
        for (quad, &(start, split)) in offsets.iter().enumerate() {
            let end = ends.next().unwrap_or(start);
            lines.push(Line {
                text: buffer.get(start..end).unwrap_or(""),
                split,
                quad,
            });
        }
        sort_lines(&mut lines);
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
            nquads.push_str(line.text);
            if !with_quads {
                continue;
            }
            let quad_index = line.quad;
            let (Some(quad), Some(nodes)) =
                (self.quads.get(quad_index), self.quad_nodes.get(quad_index))
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

/// One line of the canonical document: its text, the length of its subject and space, its quad.
#[derive(Clone, Copy)]
struct Line<'b> {
    text: &'b str,
    split: usize,
    quad: usize,
}

impl<'b> Line<'b> {
    fn subject(&self) -> &'b [u8] {
        self.text.as_bytes().get(..self.split).unwrap_or_default()
    }

    fn rest(&self) -> &'b [u8] {
        self.text.as_bytes().get(self.split..).unwrap_or_default()
    }
}

/// Sorts N-Quads lines by their bytes, dropping copies. A subject with its space is a
/// prefix-free term (IRIs and blank node labels hold no space), so lines sort by subject first:
/// when they come in long runs of one subject (as JSON-LD toRdf produces them), the runs are
/// sorted by subject and then the lines of each subject by the rest, fewer and shorter
/// comparisons than sorting whole lines.
fn sort_lines<'b>(lines: &mut Vec<Line<'b>>) {
    fn first<'b>(run: &[Line<'b>]) -> &'b [u8] {
        run.first().map_or(&[][..], Line::subject)
    }
    let grouped = lines.len() >= 64 && {
        let runs = lines.chunk_by(|a, b| a.subject() == b.subject()).count();
        runs * 3 <= lines.len()
    };
    if grouped {
        let mut runs: Vec<&[Line<'_>]> =
            lines.chunk_by(|a, b| a.subject() == b.subject()).collect();
        runs.sort_unstable_by(|a, b| first(a).cmp(first(b)));
        let mut sorted: Vec<Line<'_>> = Vec::with_capacity(lines.len());
        for same in runs.chunk_by(|a, b| first(a) == first(b)) {
            let from = sorted.len();
            for run in same {
                sorted.extend_from_slice(run);
            }
            if let Some(group) = sorted.get_mut(from..) {
                group.sort_unstable_by(|a, b| a.rest().cmp(b.rest()));
            }
        }
        *lines = sorted;
    } else {
        lines.sort_unstable_by(|a, b| a.text.cmp(b.text));
    }
    lines.dedup_by(|a, b| a.text == b.text);
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
    fn grouped_line_sort_matches_a_plain_sort() {
        // Long runs of one subject (the grouped path), a subject in two runs whose lines copy
        // earlier ones, and subjects that are prefixes of others (`_:c14n1`, `<http://a>`).
        let mut text = String::new();
        for (subject, count) in [
            ("<http://a/b>", 30),
            ("_:c14n10", 20),
            ("<http://a>", 25),
            ("_:c14n1", 20),
            ("<http://a/b>", 10),
        ] {
            for i in 0..count {
                text.push_str(&format!("{subject} <http://p/{}> \"{}\" .\n", i % 7, i % 5));
            }
        }
        let mut lines: Vec<Line<'_>> = text
            .split_inclusive('\n')
            .enumerate()
            .map(|(quad, text)| Line {
                text,
                split: text.find(' ').unwrap() + 1,
                quad,
            })
            .collect();
        sort_lines(&mut lines);
        let mut expected: Vec<&str> = text.split_inclusive('\n').collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(expected.len(), 95);
        let sorted: Vec<&str> = lines.iter().map(|l| l.text).collect();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn look_alike_nodes_share_a_first_degree_hash() {
        // x and y have the same lines, w differs from them in one byte in the middle of a line
        // (same number of lines, bytes and line endings): x's hash is reused for y, not w's.
        // Each has more than `SHARED_MIN_BYTES` (256) of lines; quads without blank nodes make
        // the dataset large enough (64 quads) to look for look-alikes.
        let mut doc = String::new();
        for i in 0..40 {
            doc.push_str(&format!("<http://s/{i}> <http://p> \"{i}\" .\n"));
        }
        for node in ["x", "w", "y"] {
            for i in 0..10 {
                let middle = if node == "w" && i == 3 { 'B' } else { 'A' };
                doc.push_str(&format!(
                    "_:{node} <http://example.com/p{i}> \"value {i} {middle} and some more text to be long\" .\n"
                ));
            }
        }
        let quads = parse(&doc).unwrap();
        let mut state = State::new(&quads, Canonicalizer::new());
        state.hash_first_degree_all();
        let expected = |node: &str| {
            let mut lines: Vec<String> = doc
                .lines()
                .filter(|l| l.starts_with(&format!("_:{node} ")))
                .map(|l| format!("_:a{}\n", &l[2 + node.len()..]))
                .collect();
            lines.sort();
            assert!(lines.concat().len() > 700);
            digest(HashAlgorithm::Sha256, lines.concat().as_bytes())
        };
        let [x, w, y] = [0, 1, 2].map(|n| state.first_degree[n]);
        assert!(expected("x") == x && expected("y") == y && expected("w") == w);
        assert!(x == y && x != w);
    }

    #[test]
    fn canonical_lines_from_first_degree_lines() {
        // 64 quads or more: canonical lines are first-degree lines relabelled. Blank nodes as
        // subject, object and graph, one node twice or three times in a quad, escapes.
        let mut doc = String::new();
        for i in 0..20 {
            doc.push_str(&format!("_:n{i} <http://p/{i}> _:n{i} _:n{i} .\n"));
            doc.push_str(&format!("_:n{i} <http://q> \"a\\\"b {i}\"@en _:g .\n"));
            doc.push_str(&format!(
                "<http://s/{i}> <http://r> _:n{} _:n{i} .\n",
                (i + 1) % 20
            ));
            doc.push_str(&format!("<http://s/{i}> <http://r> \"{i}\" .\n"));
        }
        let quads = parse(&doc).unwrap();
        assert!(quads.len() >= 64);
        let c = canonicalize(&quads).unwrap();
        assert_eq!(c.as_nquads(), crate::nquads::to_nquads(c.quads()));
        assert_eq!(c.quads().len(), 80);
        assert_eq!(
            Canonicalizer::new().canonicalize_to_nquads(&quads).unwrap(),
            c.as_nquads()
        );
    }

    #[test]
    fn numbered_labels_are_told_apart() {
        // `b1` is found by number, `b01` and `b999999999` (too large) by hash.
        let quads = parse(
            "_:b1 <http://p> _:b01 .\n_:b01 <http://p> _:b999999999 .\n\
             _:b999999999 <http://q> _:b1 .\n_:b1 <http://q> \"x\" .\n",
        )
        .unwrap();
        let c = canonicalize(&quads).unwrap();
        let issued = c.issued_identifiers();
        assert_eq!(issued.len(), 3);
        assert!(issued.contains_key("b1") && issued.contains_key("b01"));
        assert_eq!(c.quads().len(), 4);
        assert_eq!(label_number("b0"), Some(0));
        assert_eq!(label_number("b01"), None);
        assert_eq!(label_number("b12x"), None);
        assert_eq!(label_number("c14n1"), None);
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
