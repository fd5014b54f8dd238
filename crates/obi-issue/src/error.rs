//! Errors of issuing.

use std::path::PathBuf;

/// Why an issuing operation could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not the JSON document expected.
    #[error("{}: {message}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A caller's input is invalid (recipient, date, URL, option).
    #[error("{0}")]
    Input(String),
    /// A CSV row is invalid.
    #[error("line {line}: {message}")]
    Row {
        /// The 1-based line number in the CSV file.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A named limit was exceeded.
    #[error("{0}")]
    Limit(String),
    /// Signing failed.
    #[error("signing: {0}")]
    Proof(#[from] obi_proof::ProofError),
    /// A key could not be used.
    #[error("key: {0}")]
    Key(#[from] obi_proof::KeyError),
    /// The issuer state database failed.
    #[error("issuer state: {0}")]
    State(#[from] rusqlite::Error),
    /// Baking the image failed.
    #[error("baking: {0}")]
    Bake(#[from] obi_bake::Error),
    /// A credential id is not known to this issuer.
    #[error("no credential {0} was issued by this issuer")]
    UnknownCredential(String),
    /// Every index of the status list is allocated.
    #[error("the status list is full ({0} entries allocated, STATUS_LIST_MAX_FILL reached)")]
    StatusListFull(usize),
}

/// The result of issuing operations.
pub type Result<T> = std::result::Result<T, IssueError>;

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> IssueError {
    let path = path.into();
    move |source| IssueError::Io { path, source }
}
