//! What a verification may do: fetch, at which time, for which recipient, how deep.

use std::fmt;
use std::sync::Arc;

use obi_fetch::{Fetch, NoFetch};
use obi_proof::RdfCanonicalizer;

/// A canonicalizer usable from many threads.
pub type SharedCanonicalizer = Arc<dyn RdfCanonicalizer + Send + Sync>;

/// The process-wide pinned-context canonicalizer (its context cache is shared).
fn default_canonicalizer() -> SharedCanonicalizer {
    static CANON: std::sync::OnceLock<SharedCanonicalizer> = std::sync::OnceLock::new();
    CANON
        .get_or_init(|| Arc::new(obi_proof::LdCanonicalizer::pinned()))
        .clone()
}

/// How deep embedded endorsements are verified by default (an endorsement of an endorsement
/// of the credential is depth 2).
pub const DEFAULT_MAX_ENDORSEMENT_DEPTH: usize = 3;

/// The largest input (JSON, JWS or image) verified by default: 16 MiB.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// The most credentials a verifiable presentation may hold by default.
pub const DEFAULT_MAX_PRESENTATION_CREDENTIALS: usize = 256;

/// The largest decompressed status list bitstring by default: 16 MiB (the W3C minimum list is
/// 16 KiB; 131,072 entries).
pub const DEFAULT_MAX_STATUS_LIST_BYTES: usize = 16 * 1024 * 1024;

/// The identity a caller expects the badge to be issued to (`--recipient`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recipient {
    /// An email address.
    Email(String),
    /// A URL (e.g. a profile page).
    Url(String),
    /// A telephone number.
    Telephone(String),
}

impl Recipient {
    /// Guesses the kind from the text: `http(s)://…` is a URL, `+digits` or digits a
    /// telephone number, anything with `@` an email; `None` otherwise.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        if t.starts_with("http://") || t.starts_with("https://") {
            Some(Self::Url(t.to_owned()))
        } else if t.contains('@') {
            Some(Self::Email(t.to_owned()))
        } else if !t.is_empty()
            && t.trim_start_matches('+')
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        {
            Some(Self::Telephone(t.to_owned()))
        } else {
            None
        }
    }

    /// The OB 2.0 identity type: `email`, `url` or `telephone`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Email(_) => "email",
            Self::Url(_) => "url",
            Self::Telephone(_) => "telephone",
        }
    }

    /// The identity as written.
    #[must_use]
    pub fn value(&self) -> &str {
        match self {
            Self::Email(v) | Self::Url(v) | Self::Telephone(v) => v,
        }
    }
}

/// Everything a verification may use. Build with [`Options::new`] and the `with_*` methods.
#[derive(Clone)]
#[non_exhaustive]
pub struct Options {
    /// Where remote documents come from; [`NoFetch`] by default.
    pub fetcher: Arc<dyn Fetch>,
    /// The time dates are checked against; the clock when `None`.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// The identity the badge must be issued to, if the caller knows it.
    pub recipient: Option<Recipient>,
    /// How deep embedded endorsements are verified.
    pub max_endorsement_depth: usize,
    /// Only pinned and supplied documents are available: a missing document is an ERROR
    /// naming its URL (the fetcher should then be a map of supplied documents).
    pub offline: bool,
    /// The largest input accepted.
    pub max_input_bytes: usize,
    /// The most credentials a verifiable presentation may hold.
    pub max_presentation_credentials: usize,
    /// The largest decompressed status list.
    pub max_status_list_bytes: usize,
    /// JSON-LD → canonical N-Quads for eddsa-rdfc-2022 and Ed25519Signature2020 proofs; the
    /// pinned contexts only by default.
    pub canonicalizer: SharedCanonicalizer,
    /// Verified status lists, shared by clones (see [`crate::StatusListCache`]).
    pub status_lists: Arc<crate::status::StatusListCache>,
    /// The challenge a presentation's proof must carry (`challenge`, or the VP-JWT `nonce`):
    /// the verifier's fresh value against replay. Not checked when `None`.
    pub expected_challenge: Option<String>,
    /// The domain a presentation's proof must carry (`domain`, or the VP-JWT `aud`): the
    /// verifier it was made for. Not checked when `None`.
    pub expected_domain: Option<String>,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("now", &self.now)
            .field("recipient", &self.recipient)
            .field("max_endorsement_depth", &self.max_endorsement_depth)
            .field("offline", &self.offline)
            .field("max_input_bytes", &self.max_input_bytes)
            .field("expected_challenge", &self.expected_challenge)
            .field("expected_domain", &self.expected_domain)
            .finish_non_exhaustive()
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

impl Options {
    /// Defaults: no fetching, the clock, no expected recipient, the default limits.
    #[must_use]
    pub fn new() -> Self {
        Self {
            fetcher: Arc::new(NoFetch),
            now: None,
            recipient: None,
            max_endorsement_depth: DEFAULT_MAX_ENDORSEMENT_DEPTH,
            offline: false,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_presentation_credentials: DEFAULT_MAX_PRESENTATION_CREDENTIALS,
            max_status_list_bytes: DEFAULT_MAX_STATUS_LIST_BYTES,
            canonicalizer: default_canonicalizer(),
            status_lists: Arc::default(),
            expected_challenge: None,
            expected_domain: None,
        }
    }

    /// Fetches remote documents with `fetcher`.
    #[must_use]
    pub fn with_fetcher(mut self, fetcher: Arc<dyn Fetch>) -> Self {
        self.fetcher = fetcher;
        self
    }

    /// Checks dates against `now` instead of the clock.
    #[must_use]
    pub fn with_now(mut self, now: chrono::DateTime<chrono::Utc>) -> Self {
        self.now = Some(now);
        self
    }

    /// Requires the badge to be issued to `recipient`.
    #[must_use]
    pub fn with_recipient(mut self, recipient: Recipient) -> Self {
        self.recipient = Some(recipient);
        self
    }

    /// Verifies embedded endorsements at most `depth` levels deep.
    #[must_use]
    pub fn with_max_endorsement_depth(mut self, depth: usize) -> Self {
        self.max_endorsement_depth = depth;
        self
    }

    /// Marks the verification offline (see [`Options::offline`]).
    #[must_use]
    pub fn with_offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// Accepts inputs of at most `bytes`.
    #[must_use]
    pub fn with_max_input_bytes(mut self, bytes: usize) -> Self {
        self.max_input_bytes = bytes;
        self
    }

    /// Accepts presentations of at most `count` credentials.
    #[must_use]
    pub fn with_max_presentation_credentials(mut self, count: usize) -> Self {
        self.max_presentation_credentials = count;
        self
    }

    /// Accepts status lists of at most `bytes` decompressed.
    #[must_use]
    pub fn with_max_status_list_bytes(mut self, bytes: usize) -> Self {
        self.max_status_list_bytes = bytes;
        self
    }

    /// Canonicalizes RDF proofs with `canonicalizer` (e.g. one whose loader knows more contexts).
    #[must_use]
    pub fn with_canonicalizer(mut self, canonicalizer: SharedCanonicalizer) -> Self {
        self.canonicalizer = canonicalizer;
        self
    }

    /// Requires a presentation's proof to carry `challenge` (Data Integrity `challenge`,
    /// VP-JWT `nonce`).
    #[must_use]
    pub fn with_expected_challenge(mut self, challenge: impl Into<String>) -> Self {
        self.expected_challenge = Some(challenge.into());
        self
    }

    /// Requires a presentation's proof to carry `domain` (Data Integrity `domain`, VP-JWT
    /// `aud`).
    #[must_use]
    pub fn with_expected_domain(mut self, domain: impl Into<String>) -> Self {
        self.expected_domain = Some(domain.into());
        self
    }

    /// The time to check dates against.
    #[must_use]
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.now.unwrap_or_else(chrono::Utc::now)
    }
}
