//! obi-proof
