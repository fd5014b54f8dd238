//! Open Badges data models for obi: bounded JSON parsing ([`json`]), the Open Badges 2.0
//! and 3.0 models, upgrade on read of 0.5/1.0/1.1 assertions, 2.0 → 3.0 conversion and
//! JSON Schema validation of 3.0 credentials. No I/O.
#![forbid(unsafe_code)]

pub mod json;
