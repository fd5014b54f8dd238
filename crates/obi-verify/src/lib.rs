//! Verify any Open Badge — 0.5 to 3.0, as a URL, JSON, a compact JWS or a baked PNG/SVG —
//! into a [`Report`] shaped like the 1EdTech validator's output.
//!
//! ```
//! use obi_verify::{Input, Options, verify};
//!
//! let report = verify(Input::Json(serde_json::json!({"hello": "world"})), &Options::new());
//! assert!(!report.valid);
//! println!("{}", serde_json::to_string_pretty(&report).unwrap());
//! ```
//!
//! A badge that fails verification is a report with ERROR messages; a check that could not
//! run (a missing document, an unreadable input) is an ERROR message naming the cause.
#![forbid(unsafe_code)]

mod context;
mod dispatch;
mod input;
mod ob2;
mod ob3;
mod options;
mod presentation;
mod recipient;
mod report;
mod status;

pub use context::FETCH_DOCUMENT;
pub use dispatch::{checks, verify};
pub use input::Input;
pub use ob3::checks as ob3_checks;
pub use options::{
    DEFAULT_MAX_ENDORSEMENT_DEPTH, DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_PRESENTATION_CREDENTIALS,
    DEFAULT_MAX_STATUS_LIST_BYTES, Options, Recipient, SharedCanonicalizer,
};
pub use recipient::hash_identity;
pub use report::{InputInfo, Level, Message, Report};
pub use status::{
    STATUS_LIST_CACHE_BYTES, STATUS_LIST_CACHE_ENTRIES, StatusListCache, StatusListError,
    decode_status_list, status_at,
};
