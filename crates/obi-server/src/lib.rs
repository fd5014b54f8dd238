#![cfg_attr(doc, doc = include_str!("../README.md"))]
//! obi-server: the `obi serve` service (issuer API, hosted documents, public verifier) over
//! SQLite or PostgreSQL.
#![forbid(unsafe_code)]

mod app;
mod cache;
mod config;
mod error;
mod issuing;
mod jobs;
mod media;
mod migrations;
mod ob2;
mod openapi;
mod pages;
mod records;
mod seal;
mod serve;
mod status;
mod store;

pub use app::{
    AppLimits, AppState, CREDENTIALS_V2, MAX_TEXT_CHARS, OB3_CONTEXT, ROUTES, Wants, app,
    hosted_credential_json, negotiate, new_token, token_hash,
};
pub use config::{
    Config, ConfigError, DEFAULT_BIND, DEFAULT_BODY_LIMIT, DEFAULT_DATABASE,
    DEFAULT_JOB_LEASE_SECS, DEFAULT_POOL_SIZE, DEFAULT_REQUEST_TIMEOUT_SECS, KekSource,
    MAX_CONFIG_FILE_BYTES, MAX_INSTANCE_ID_BYTES, RawConfig,
};
pub use error::{AppError, AppJson};
pub use jobs::{
    DEFAULT_JOB_LEASE, JOB_BATCH, JobCounters, MAX_FIELD_BYTES, MAX_JOB_ROWS, MAX_PAGE,
    MIN_JOB_LEASE,
};
pub use media::{
    DEFAULT_PNG_SIZE, ImageKind, MAX_BOUNDARY_LEN, MAX_MULTIPART_PARTS, MAX_PART_HEADER_BYTES,
    MAX_SOURCE_IMAGE_BYTES, MultipartError, Part, Submission, bake_credential, default_png,
    default_svg, parse_multipart,
};
pub use openapi::document as openapi_document;
pub use records::{
    AchievementRecord, AwardRecord, AwardSummary, IssuerPatch, IssuerRecord, NewAchievement,
    NewIssuer, TokenScope,
};
pub use seal::{KeySealer, SealError};
pub use serve::{
    ServeError, create_admin_token, create_admin_token_blocking, load_sealer, serve,
    serve_blocking, state_from_config,
};
pub use status::STATUS_LIST_LENGTH;
pub use store::{Store, StoreError, StoreOptions};
