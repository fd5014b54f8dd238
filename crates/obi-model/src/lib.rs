//! Open Badges data models for obi: bounded JSON parsing ([`json`]), the Open Badges 2.0
//! ([`ob2`]) and 3.0 ([`ob3`]) models, upgrade on read of 0.5/1.0/1.1 assertions
//! ([`upgrade`]), 2.0 → 3.0 conversion ([`convert`]) and JSON Schema validation of 3.0
//! credentials ([`schema`]). No I/O.
#![cfg_attr(doc, doc = include_str!("../README.md"))]
#![forbid(unsafe_code)]

pub mod json;
pub mod ob2;
pub mod ob3;
mod value;

pub use value::{Context, ContextEntry, DateTime, Extra, IdOr, Iri, OneOrMany, Types};
pub mod convert;
pub mod schema;
pub mod upgrade;
