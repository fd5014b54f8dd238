//! A fixed-work driver for instruction-count profiling of RDFC-1.0 (`valgrind
//! --tool=callgrind`), load-independent where the criterion figures of `canon.rs` are not.
//!
//! `cargo bench -p obi-rdf --bench canon_profile --no-run`, then run the binary as
//! `canon_profile INPUT [ITERATIONS]` under callgrind. INPUT is `complete` (the toRdf quads of
//! the OB 3.0 specification's complete example, 356 quads), `small` (the OB 3.0 example's
//! canonical document, 16 quads), `clr` (the CLR 2.0 example, 49 quads), `complete-xN` (N
//! copies of the complete example, blank nodes renumbered and subject/object/graph IRIs made
//! distinct per copy: a large credential), `credentials-N` (N generated credential-shaped
//! quads), or a path to an N-Quads file. Parsing happens before
//! the loop, which runs `canonicalize_to_nquads` ITERATIONS times (default 100); divide the
//! loop's Ir by ITERATIONS. A third argument `print` prints the canonical document instead of
//! the summary (to compare implementations).
#![allow(missing_docs, clippy::unwrap_used)] // profiling harness

use std::hint::black_box;
use std::path::Path;

use obi_rdf::{BlankNode, Canonicalizer, GraphName, NamedNode, Quad, Subject, Term, nquads};

mod common;

#[inline(never)]
fn measured_loop(n: usize, f: &mut dyn FnMut()) {
    for _ in 0..n {
        f();
    }
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let input = args.next().unwrap_or_else(|| "complete".into());
    let n: usize = args.next().map_or(100, |s| s.parse().unwrap());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ob-spec");
    let text = match input.as_str() {
        name if name == "complete" || name.starts_with("complete-x") => {
            std::fs::read_to_string(dir.join("obv3p0/complete-quads.nq")).unwrap()
        }
        "small" => std::fs::read_to_string(dir.join("obv3p0/document-canon.txt")).unwrap(),
        "clr" => std::fs::read_to_string(dir.join("clrv2p0/document-canon.txt")).unwrap(),
        other => match other.strip_prefix("credentials-") {
            Some(count) => common::credentials(count.parse().unwrap()),
            None => std::fs::read_to_string(other).unwrap(),
        },
    };
    let mut quads = nquads::parse(&text).unwrap();
    if let Some(copies) = input.strip_prefix("complete-x") {
        quads = copies_of(&quads, copies.parse().unwrap());
    }
    let canonicalizer = Canonicalizer::new();
    let mut f = || {
        black_box(
            canonicalizer
                .canonicalize_to_nquads(black_box(&quads))
                .unwrap(),
        );
    };
    f();
    measured_loop(n, &mut f);
    if args.next().as_deref() == Some("print") {
        print!("{}", canonicalizer.canonicalize_to_nquads(&quads).unwrap());
        return;
    }
    println!("{input}: {} quads, {n} iterations", quads.len());
}

/// `n` copies of `quads`, blank node `bK` of copy `c` renamed `b(K + 1000c)` and the IRIs
/// other than predicates suffixed with `#c` (or `-c` when they have a fragment).
fn copies_of(quads: &[Quad], n: usize) -> Vec<Quad> {
    let mut out = Vec::with_capacity(quads.len() * n);
    for c in 0..n {
        let iri = |i: &NamedNode| {
            let sep = if i.as_str().contains('#') { '-' } else { '#' };
            NamedNode::new_unchecked(format!("{}{sep}{c}", i.as_str()))
        };
        let bnode = |b: &BlankNode| {
            let k: usize = b.as_str().trim_start_matches('b').parse().unwrap();
            BlankNode::new_unchecked(format!("b{}", k + 1000 * c))
        };
        for q in quads {
            out.push(Quad {
                subject: match &q.subject {
                    Subject::NamedNode(i) => Subject::NamedNode(iri(i)),
                    Subject::BlankNode(b) => Subject::BlankNode(bnode(b)),
                },
                predicate: q.predicate.clone(),
                object: match &q.object {
                    Term::NamedNode(i) => Term::NamedNode(iri(i)),
                    Term::BlankNode(b) => Term::BlankNode(bnode(b)),
                    Term::Literal(l) => Term::Literal(l.clone()),
                },
                graph_name: match &q.graph_name {
                    GraphName::NamedNode(i) => GraphName::NamedNode(iri(i)),
                    GraphName::BlankNode(b) => GraphName::BlankNode(bnode(b)),
                    GraphName::DefaultGraph => GraphName::DefaultGraph,
                },
            });
        }
    }
    out
}
