//! RDF for obi: terms and quads, N-Quads parsing and canonical serialization, and RDF Dataset
//! Canonicalization ([RDFC-1.0](https://www.w3.org/TR/rdf-canon/)) with a bound on its work.
//!
//! Every term and [`Quad`] prints itself (`Display`) in canonical N-Quads form.
#![forbid(unsafe_code)]

mod term;
pub mod vocab;

pub use term::{BlankNode, GraphName, Literal, NamedNode, Quad, Subject, Term, TermError};
pub mod nquads;

pub use nquads::{NQuadsError, NQuadsParser};
mod canon;
mod hash;

pub use canon::{
    CanonError, Canonicalized, Canonicalizer, DEFAULT_MAX_DEPTH, DEFAULT_MAX_WORK, HashAlgorithm,
    canonicalize,
};
