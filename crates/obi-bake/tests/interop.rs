//! Interop with openbadges-bakery (placeholder).
fn main() {}
