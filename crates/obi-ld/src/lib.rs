//! JSON-LD 1.1 for Open Badges: pinned contexts and document loading.
#![forbid(unsafe_code)]

pub mod pinned;
