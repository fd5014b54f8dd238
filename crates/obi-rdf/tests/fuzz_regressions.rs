//! Inputs the fuzz targets (fuzz/fuzz_targets) found, kept as regression tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use obi_rdf::{BlankNode, Canonicalizer, NamedNode, Quad, Subject, Term, canonicalize, nquads};

fn data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn to_ox(quad: &Quad) -> oxrdf::Quad {
    let bn = |b: &BlankNode| oxrdf::BlankNode::new_unchecked(b.as_str());
    let nn = |n: &NamedNode| oxrdf::NamedNode::new_unchecked(n.as_str());
    let subject: oxrdf::NamedOrBlankNode = match &quad.subject {
        Subject::NamedNode(n) => nn(n).into(),
        Subject::BlankNode(b) => bn(b).into(),
    };
    let object: oxrdf::Term = match &quad.object {
        Term::NamedNode(n) => nn(n).into(),
        Term::BlankNode(b) => bn(b).into(),
        Term::Literal(l) => match l.language() {
            Some(lang) => {
                oxrdf::Literal::new_language_tagged_literal_unchecked(l.value(), lang).into()
            }
            None => oxrdf::Literal::new_typed_literal(l.value(), nn(l.datatype())).into(),
        },
    };
    let graph: oxrdf::GraphName = match &quad.graph_name {
        obi_rdf::GraphName::DefaultGraph => oxrdf::GraphName::DefaultGraph,
        obi_rdf::GraphName::NamedNode(n) => nn(n).into(),
        obi_rdf::GraphName::BlankNode(b) => bn(b).into(),
    };
    oxrdf::Quad::new(subject, nn(&quad.predicate), object, graph)
}

fn oxrdf_canonical(quads: &[Quad]) -> String {
    let mut dataset: oxrdf::Dataset = quads.iter().map(to_ox).collect();
    dataset.canonicalize(oxrdf::dataset::CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: oxrdf::dataset::CanonicalizationHashAlgorithm::Sha256,
    });
    let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
    lines.sort();
    lines.concat()
}

/// fuzz target `rdfc` (fuzz/artifacts/rdfc/crash-fbd52d5b…): a dense graph of 12 blank nodes
/// with duplicate quads. A duplicate was only noticed when its copy sorted next to it among one
/// node's first-degree lines, but other quads give the same line (every other blank node is
/// `_:z`): the copy was hashed twice, the labels differed from oxrdf's, and canonicalizing the
/// canonical form gave another canonical form.
#[test]
fn rdfc_duplicates_apart_in_first_degree_lines() {
    let quads = nquads::parse(&data("rdfc-not-fixed-point.nq")).unwrap();
    let first = Canonicalizer::new()
        .with_max_work(10_000)
        .canonicalize(&quads)
        .unwrap();
    assert_eq!(first.as_nquads(), oxrdf_canonical(&quads));
    let again = canonicalize(first.quads()).unwrap();
    assert_eq!(again.as_nquads(), first.as_nquads());
}

/// Three copies of one quad, separated by a quad with the same first-degree line.
#[test]
fn rdfc_three_copies_count_once() {
    let with_copies = "_:a <http://p> _:b .\n_:a <http://p> _:c .\n_:a <http://p> _:b .\n\
                       _:a <http://p> _:c .\n_:a <http://p> _:b .\n_:b <http://q> \"x\" .\n";
    let once = "_:a <http://p> _:b .\n_:a <http://p> _:c .\n_:b <http://q> \"x\" .\n";
    let with_copies = nquads::parse(with_copies).unwrap();
    let once = nquads::parse(once).unwrap();
    let c = canonicalize(&with_copies).unwrap();
    assert_eq!(c.as_nquads(), canonicalize(&once).unwrap().as_nquads());
    assert_eq!(c.as_nquads(), oxrdf_canonical(&with_copies));
    assert_eq!(
        Canonicalizer::new()
            .canonicalize_to_nquads(&with_copies)
            .unwrap(),
        c.as_nquads()
    );
}
