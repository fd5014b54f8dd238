//! obi-rdf
