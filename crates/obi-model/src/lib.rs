//! obi-model
