//! RDF for obi: terms and quads, N-Quads parsing and canonical serialization, and RDF Dataset
//! Canonicalization ([RDFC-1.0](https://www.w3.org/TR/rdf-canon/)) with a bound on its work.
//!
//! Every term and [`Quad`] prints itself (`Display`) in canonical N-Quads form. Term text is
//! shared (`Arc<str>`), so clones are cheap.
//!
//! ```
//! use obi_rdf::{Canonicalizer, nquads};
//!
//! let quads = nquads::parse(
//!     "_:x <http://example.com/p> \"a\" .\n_:y <http://example.com/q> _:x .\n",
//! )?;
//! let canonical = Canonicalizer::new().canonicalize(&quads)?;
//! assert_eq!(
//!     canonical.as_nquads(),
//!     "_:c14n0 <http://example.com/q> _:c14n1 .\n_:c14n1 <http://example.com/p> \"a\" .\n"
//! );
//! assert_eq!(canonical.issued_identifiers()["x"], "c14n1");
//!
//! // A poison graph (a 10-node clique) is refused quickly, naming the limit.
//! let mut clique = String::new();
//! for i in 0..10 {
//!     for j in 0..10 {
//!         if i != j {
//!             clique.push_str(&format!("_:n{i} <http://example.com/p> _:n{j} .\n"));
//!         }
//!     }
//! }
//! let err = Canonicalizer::new().canonicalize(&nquads::parse(&clique)?).unwrap_err();
//! assert!(err.to_string().contains("max_work"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod canon;
pub mod hash;
pub mod nquads;
mod term;
pub mod vocab;

pub use canon::{
    CanonError, Canonicalized, Canonicalizer, DEFAULT_MAX_DEPTH, DEFAULT_MAX_WORK, HashAlgorithm,
    canonicalize,
};
pub use nquads::{NQuadsError, NQuadsParser};
pub use term::{BlankNode, GraphName, Literal, NamedNode, Quad, Subject, Term, TermError};
