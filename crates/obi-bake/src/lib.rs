//! obi-bake
