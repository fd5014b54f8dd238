#![cfg_attr(doc, doc = include_str!("../README.md"))]
//! obi-issue: issuer directories, signed awards, bulk issuance from CSV, revocation and
//! Bitstring Status Lists, with the issuer's state in SQLite.
#![forbid(unsafe_code)]

mod bulk;
mod error;
mod issuer;
mod ob2;
mod state;
mod status_list;

pub use bulk::{
    BulkOptions, BulkReport, DEFAULT_BATCH, MAX_CSV_FIELD_BYTES, MAX_CSV_ROWS, OutputWriter,
    RowError, bulk, bulk_file, check_csv, row_key,
};
pub use error::{IssueError, Result};
pub use issuer::{
    ACHIEVEMENT_FILE, Award, CREDENTIALS_V2, DID_WEB_KEY_FRAGMENT, Format, ISSUER_FILE,
    InitOptions, Issued, Issuer, IssuerKey, KEY_FILE, MAX_FILE_BYTES, OB3_CONTEXT, Recipient,
    Secured, StatusType, check_achievement, identity_hash, normalized_email, parse_valid_until,
    write_atomic,
};
pub use ob2::{OB2_CONTEXT, OB2_KEY_FILE, Ob2Issued, mark_hosted_revoked, write_published};
pub use state::{NewRecord, Record, STATE_FILE, STATUS_LIST_MAX_FILL, State};
pub use status_list::{
    MAX_DECODED_LIST_BYTES, MAX_ENCODED_LIST_CHARS, MIN_STATUS_LIST_LENGTH, StatusList,
};
