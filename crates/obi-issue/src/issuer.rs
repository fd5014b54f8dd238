//! An issuer directory: the profile (`issuer.json`), its private key, the example achievement
//! and the state; awarding, revoking and the signed status list.

use std::path::{Path, PathBuf};

use obi_proof::{JwtKeyHeader, KeyPair, KeyType, LdCanonicalizer, ProofOptions, Suite};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::error::{IssueError, Result, io};
use crate::state::{NewRecord, STATE_FILE, State, now};
use crate::status_list::{MIN_STATUS_LIST_LENGTH, StatusList};

/// The W3C Verifiable Credentials 2.0 context.
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The Open Badges 3.0 context obi issues with.
pub const OB3_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The Open Badges 3.0 extensions context (1EdTech status, refresh and schema types).
pub const OB3_EXTENSIONS_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";
/// The profile file name.
pub const ISSUER_FILE: &str = "issuer.json";
/// The private key file name (a private JWK, mode 0600).
pub const KEY_FILE: &str = "issuer-key.json";
/// The example achievement file name.
pub const ACHIEVEMENT_FILE: &str = "achievement.json";
/// The fragment of the did:web verification method.
pub const DID_WEB_KEY_FRAGMENT: &str = "key-1";
/// Largest profile, achievement or key file read (bytes).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

const META_STATUS_URL: &str = "status_url";
const META_LIST_LENGTH: &str = "status_list_length";
const META_STATUS_TYPE: &str = "status_type";

/// How the credentials of an issuer can be revoked (chosen at `init`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StatusType {
    /// W3C Bitstring Status List: a `BitstringStatusListEntry` with a random index in a
    /// signed `BitstringStatusListCredential` (default; private: the list reveals no ids).
    #[default]
    Bitstring,
    /// The 1EdTech Revocation List (OB 3.0 §"1EdTech Revocation List Status Method"): a
    /// `1EdTechRevocationList` entry naming a JSON document that lists the revoked ids.
    OneEdTech,
}

impl StatusType {
    /// The name used on the command line and in the state.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bitstring => "bitstring",
            Self::OneEdTech => "1edtech",
        }
    }
}

impl std::str::FromStr for StatusType {
    type Err = IssueError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "bitstring" | "BitstringStatusList" => Ok(Self::Bitstring),
            "1edtech" | "1EdTechRevocationList" => Ok(Self::OneEdTech),
            other => Err(IssueError::Input(format!(
                "unknown status type {other:?} (bitstring, 1edtech)"
            ))),
        }
    }
}

/// What `init` writes.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The issuer's name.
    pub name: String,
    /// The issuer's web site.
    pub url: String,
    /// Contact email.
    pub email: Option<String>,
    /// Image URL.
    pub image: Option<String>,
    /// Use `did:web:DOMAIN` instead of the key's did:key.
    pub did_web: Option<String>,
    /// The status list URL the credentials name (default `URL/status/revocation`).
    pub status_url: Option<String>,
    /// The status list length (at least [`MIN_STATUS_LIST_LENGTH`]).
    pub status_list_length: Option<usize>,
    /// How credentials can be revoked (default: Bitstring Status List).
    pub status_type: StatusType,
    /// The issuer's key type (default Ed25519). Ed25519 signs `ob3-eddsa` (eddsa-rdfc-2022)
    /// and `ob3-jwt` (EdDSA), and 2.0 signed assertions with a second key
    /// ([`crate::OB2_KEY_FILE`]); P-256 or RSA sign `ob3-jwt` (ES256, RS256) and 2.0 signed
    /// assertions with the one key, but not `ob3-eddsa`.
    pub key_type: KeyType,
    /// Replace existing files.
    pub force: bool,
}

impl Default for InitOptions {
    fn default() -> Self {
        Self {
            name: String::new(),
            url: String::new(),
            email: None,
            image: None,
            did_web: None,
            status_url: None,
            status_list_length: None,
            status_type: StatusType::default(),
            key_type: KeyType::Ed25519,
            force: false,
        }
    }
}

/// The recipient of an award.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recipient {
    /// An email address.
    Email(String),
    /// A DID.
    Did(String),
    /// An http(s) URL.
    Url(String),
}

impl Recipient {
    /// Classifies and checks `text`.
    ///
    /// # Errors
    /// [`IssueError::Input`] when it is neither an email address, a DID nor an http(s) URL.
    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        let bad = |why: &str| IssueError::Input(format!("recipient {t:?}: {why}"));
        if t.is_empty() {
            return Err(bad("empty"));
        }
        if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("contains whitespace"));
        }
        if let Some(rest) = t.strip_prefix("did:") {
            let mut parts = rest.splitn(2, ':');
            let method = parts.next().unwrap_or_default();
            let id = parts.next().unwrap_or_default();
            if method.is_empty()
                || !method
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                || id.is_empty()
            {
                return Err(bad("not a DID (did:METHOD:ID)"));
            }
            return Ok(Self::Did(t.into()));
        }
        if t.starts_with("https://") || t.starts_with("http://") {
            let host = t.split("://").nth(1).unwrap_or_default();
            if host.is_empty() || host.starts_with('/') {
                return Err(bad("URL without a host"));
            }
            return Ok(Self::Url(t.into()));
        }
        let (local, domain) = t
            .rsplit_once('@')
            .ok_or_else(|| bad("not an email address, DID or http(s) URL"))?;
        if local.is_empty() || domain.is_empty() || !domain.contains('.') || domain.contains('@') {
            return Err(bad("not a valid email address"));
        }
        Ok(Self::Email(t.into()))
    }

    /// The recipient as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(s) | Self::Did(s) | Self::Url(s) => s,
        }
    }
}

/// One award: who, and what extra the credential says.
#[derive(Debug, Clone)]
pub struct Award {
    /// The recipient.
    pub recipient: Recipient,
    /// The recipient's name (optional).
    pub name: Option<String>,
    /// Hash email addresses with a random salt (default true).
    pub hash_email: bool,
    /// Evidence URLs.
    pub evidence: Vec<String>,
    /// A narrative of how it was earned.
    pub narrative: Option<String>,
    /// `validUntil` (RFC 3339, or a date: end of that day UTC).
    pub valid_until: Option<String>,
}

impl Award {
    /// An award to `recipient`, email hashed, nothing else.
    #[must_use]
    pub fn new(recipient: Recipient) -> Self {
        Self {
            recipient,
            name: None,
            hash_email: true,
            evidence: Vec::new(),
            narrative: None,
            valid_until: None,
        }
    }
}

/// How an award is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// OB 3.0 with a Data Integrity proof, eddsa-rdfc-2022.
    Ob3Eddsa,
    /// OB 3.0 as a VC-JWT (EdDSA, ES256 or RS256 by the issuer's key type).
    Ob3Jwt,
    /// OB 2.0 signed assertion: a compact JWS (RS256 or ES256), `verification` SignedBadge.
    /// Awarded with [`Issuer::award_ob2`] or [`crate::bulk`].
    Ob2Signed,
    /// OB 2.0 hosted assertion: the assertion JSON, published at its id under the base URL.
    /// Awarded with [`Issuer::award_ob2`] or [`crate::bulk`].
    Ob2Hosted,
}

impl Format {
    /// The name used on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ob3Eddsa => "ob3-eddsa",
            Self::Ob3Jwt => "ob3-jwt",
            Self::Ob2Signed => "ob2-signed",
            Self::Ob2Hosted => "ob2-hosted",
        }
    }

    /// Whether this is an Open Badges 2.0 format.
    #[must_use]
    pub fn is_ob2(self) -> bool {
        matches!(self, Self::Ob2Signed | Self::Ob2Hosted)
    }
}

impl std::str::FromStr for Format {
    type Err = IssueError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "ob3-eddsa" | "eddsa-rdfc-2022" => Ok(Self::Ob3Eddsa),
            "ob3-jwt" | "jwt" => Ok(Self::Ob3Jwt),
            "ob2-signed" => Ok(Self::Ob2Signed),
            "ob2-hosted" => Ok(Self::Ob2Hosted),
            other => Err(IssueError::Input(format!(
                "unknown format {other:?} (ob3-eddsa, ob3-jwt, ob2-signed, ob2-hosted)"
            ))),
        }
    }
}

/// A signed credential.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The credential id.
    pub id: String,
    /// Its revocation status list index.
    pub status_index: usize,
    /// The secured credential: JSON with a proof, or a compact VC-JWT.
    pub secured: Secured,
}

/// A secured credential.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Secured {
    /// JSON with an embedded proof.
    Json(Value),
    /// A compact JWS (VC-JWT).
    Jwt(String),
}

impl Secured {
    /// The bytes to write to a file (pretty JSON, or the JWS and a newline).
    #[must_use]
    pub fn to_file_bytes(&self) -> Vec<u8> {
        match self {
            Self::Json(v) => {
                let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
                b.push(b'\n');
                b
            }
            Self::Jwt(s) => format!("{s}\n").into_bytes(),
        }
    }

    /// The bake payload.
    #[must_use]
    pub fn payload(&self) -> obi_bake::Payload {
        match self {
            Self::Json(v) => obi_bake::Payload::Json(v.to_string()),
            Self::Jwt(s) => obi_bake::Payload::Jws(s.clone()),
        }
    }
}

/// The signing half of an issuer: key, verification method, canonicalizer. `Sync`, shared by
/// bulk workers.
pub struct IssuerKey {
    key: KeyPair,
    verification_method: String,
    canon: LdCanonicalizer,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKey")
            .field("verification_method", &self.verification_method)
            .finish_non_exhaustive()
    }
}

impl IssuerKey {
    /// The verification method id.
    #[must_use]
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }

    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> obi_proof::PublicKey {
        obi_proof::Signer::public_key(&self.key)
    }

    /// The key type (Ed25519, P-256 or RSA).
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        self.key.key_type()
    }

    /// The private key (2.0 signed assertions use it directly when it is P-256 or RSA).
    pub(crate) fn key_pair(&self) -> &KeyPair {
        &self.key
    }

    /// Checks that this key can secure OB 3.0 credentials in `format`: eddsa-rdfc-2022 needs
    /// an Ed25519 key; the 2.0 formats are not secured here ([`Issuer::award_ob2`]).
    ///
    /// # Errors
    /// [`IssueError::Input`] saying which format to use instead.
    pub fn check_format(&self, format: Format) -> Result<()> {
        let kind = self.key_type();
        match format {
            Format::Ob3Eddsa if kind != KeyType::Ed25519 => Err(IssueError::Input(format!(
                "--format ob3-eddsa (eddsa-rdfc-2022) needs an Ed25519 issuer key; this issuer's key is {} (init --key-type {}): use --format ob3-jwt ({})",
                kind.name(),
                kind.name(),
                kind.algorithm().name()
            ))),
            Format::Ob2Signed | Format::Ob2Hosted => Err(IssueError::Input(format!(
                "--format {} is an Open Badges 2.0 award (Issuer::award_ob2 or bulk)",
                format.as_str()
            ))),
            _ => Ok(()),
        }
    }

    /// Secures `credential` in `format` (proof `created` now). The credential is moved into the
    /// secured result (no copy is made).
    ///
    /// # Errors
    /// [`IssueError::Proof`]; [`IssueError::Input`] when the key cannot secure `format`
    /// ([`IssuerKey::check_format`]).
    pub fn secure(&self, credential: Value, format: Format) -> Result<Secured> {
        self.check_format(format)?;
        match format {
            Format::Ob3Eddsa => {
                let options = ProofOptions::new(Suite::EddsaRdfc2022, &self.verification_method);
                let mut secured =
                    obi_proof::add_proof_owned(credential, &options, &self.key, &self.canon)?;
                // The OB 3.0 JSON Schema wants `proof` as an array (a proof set of one).
                if let Some(m) = secured.as_object_mut()
                    && let Some(p) = m.get_mut("proof")
                    && !p.is_array()
                {
                    *p = Value::Array(vec![p.take()]);
                }
                Ok(Secured::Json(secured))
            }
            Format::Ob3Jwt => {
                // did:key: the public JWK in the header (the key is the DID, and every
                // verifier can import a JWK); did:web: the kid to resolve.
                let header = if self.verification_method.starts_with("did:key:") {
                    JwtKeyHeader::Jwk
                } else {
                    JwtKeyHeader::Kid(self.verification_method.clone())
                };
                Ok(Secured::Jwt(obi_proof::sign_vc_jwt(
                    &credential,
                    &self.key,
                    &header,
                )?))
            }
            Format::Ob2Signed | Format::Ob2Hosted => Err(IssueError::Input(format!(
                "--format {} is an Open Badges 2.0 award",
                format.as_str()
            ))),
        }
    }
}

/// An opened issuer directory.
#[derive(Debug)]
pub struct Issuer {
    dir: PathBuf,
    profile: Value,
    id: String,
    key: IssuerKey,
    state: State,
    status_url: String,
    list_length: usize,
    status_type: StatusType,
}

pub(crate) fn read_json(path: &Path) -> Result<Value> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut buf = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(io(path))?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(IssueError::Limit(format!(
            "{} exceeds MAX_FILE_BYTES ({MAX_FILE_BYTES})",
            path.display()
        )));
    }
    serde_json::from_slice(&buf).map_err(|e| IssueError::BadFile {
        path: path.into(),
        message: format!("not JSON: {e}"),
    })
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees half a file.
///
/// # Errors
/// [`IssueError::Io`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, bytes, true)
}

/// [`write_atomic`], with the fsync of the data optional (bulk syncs a whole batch at once).
pub(crate) fn write_atomic_with(path: &Path, bytes: &[u8], sync: bool) -> Result<()> {
    use std::io::Write as _;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(IssueError::Io {
            path: path.into(),
            source: e,
        });
    }
    Ok(())
}

pub(crate) fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    use std::io::Write as _;
    if force && path.exists() {
        std::fs::remove_file(path).map_err(io(path))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

pub(crate) fn check_url(what: &str, url: &str) -> Result<()> {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url
            .split("://")
            .nth(1)
            .is_some_and(|h| !h.is_empty() && !h.starts_with('/'))
        && !url.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(IssueError::Input(format!(
            "{what} {url:?} is not an http(s) URL"
        )))
    }
}

fn check_domain(domain: &str) -> Result<()> {
    let ok = !domain.is_empty()
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '%'));
    if ok {
        Ok(())
    } else {
        Err(IssueError::Input(format!(
            "--did-web {domain:?} is not a domain (use %3A for a port, : for a path)"
        )))
    }
}

/// Converts `--valid-until`: RFC 3339 as is, or a date `YYYY-MM-DD` to the end of that day UTC.
///
/// # Errors
/// [`IssueError::Input`].
pub fn parse_valid_until(text: &str) -> Result<String> {
    if chrono::DateTime::parse_from_rfc3339(text).is_ok() {
        return Ok(text.into());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| format!("{}T23:59:59Z", d.format("%Y-%m-%d")))
        .map_err(|_| {
            IssueError::Input(format!(
                "--valid-until {text:?} is neither a date (YYYY-MM-DD) nor an RFC 3339 time"
            ))
        })
}

/// The identity hash of an email (OB 3.0 `identityHash`, OB 2.0 `identity`): `sha256$` + hex
/// SHA-256 of email + salt. Awards hash the email in lower case ([`normalized_email`]), as
/// `obi serve` does and obi's verifier expects, so the same address typed with other capitals
/// still matches.
#[must_use]
pub fn identity_hash(email: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{email}{salt}").as_bytes());
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256$");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// An email address as awards hash it: trimmed and in lower case.
#[must_use]
pub fn normalized_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Issuer {
    /// Creates an issuer directory: `issuer.json`, `issuer-key.json` (0600),
    /// `achievement.json` and `state.sqlite`, then opens it.
    ///
    /// # Errors
    /// [`IssueError::Input`] for a bad URL or domain, or files that exist without `force`;
    /// [`IssueError::Io`].
    pub fn init(dir: &Path, options: &InitOptions) -> Result<Self> {
        if options.name.trim().is_empty() {
            return Err(IssueError::Input("the issuer needs a --name".into()));
        }
        check_url("--url", &options.url)?;
        if let Some(u) = &options.status_url {
            check_url("--status-url", u)?;
        }
        if let Some(i) = &options.image {
            check_url("--image", i)?;
        }
        if let Some(e) = &options.email
            && !matches!(Recipient::parse(e)?, Recipient::Email(_))
        {
            return Err(IssueError::Input(format!(
                "--email {e:?} is not an email address"
            )));
        }
        if let Some(d) = &options.did_web {
            check_domain(d)?;
        }
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        for f in [ISSUER_FILE, KEY_FILE, ACHIEVEMENT_FILE, STATE_FILE] {
            let p = dir.join(f);
            if p.exists() && !options.force {
                return Err(IssueError::Input(format!(
                    "{} exists; use --force to replace the issuer",
                    p.display()
                )));
            }
        }
        if options.force {
            for f in [STATE_FILE, "state.sqlite-wal", "state.sqlite-shm"] {
                let _ = std::fs::remove_file(dir.join(f));
            }
        }
        let key = KeyPair::generate(options.key_type)?;
        let public = obi_proof::Signer::public_key(&key);
        let (id, vm) = match &options.did_web {
            Some(domain) => {
                let did = format!("did:web:{domain}");
                let vm = format!("{did}#{DID_WEB_KEY_FRAGMENT}");
                (did, vm)
            }
            None => (public.did_key(), public.did_key_verification_method()),
        };
        let mut jwk = key.to_private_jwk();
        if let Some(m) = jwk.as_object_mut() {
            m.insert("alg".into(), options.key_type.algorithm().name().into());
            m.insert("kid".into(), vm.clone().into());
        }
        let mut profile = json!({
            "@context": [CREDENTIALS_V2, OB3_CONTEXT],
            "id": id,
            "type": ["Profile"],
            "name": options.name,
            "url": options.url,
        });
        if let Some(m) = profile.as_object_mut() {
            if let Some(e) = &options.email {
                m.insert("email".into(), e.clone().into());
            }
            if let Some(i) = &options.image {
                m.insert("image".into(), json!({"id": i, "type": "Image"}));
            }
        }
        let base = options.url.trim_end_matches('/');
        let achievement = json!({
            "id": format!("{base}/achievements/{}", uuid::Uuid::new_v4()),
            "type": ["Achievement"],
            "name": "Example Achievement",
            "description": "Edit this file: what the achievement means.",
            "criteria": {"narrative": "Edit this file: what a recipient did to earn it."},
        });
        write_private(
            &dir.join(KEY_FILE),
            &serde_json::to_vec_pretty(&jwk).unwrap_or_default(),
            options.force,
        )?;
        write_atomic(
            &dir.join(ACHIEVEMENT_FILE),
            &serde_json::to_vec_pretty(&achievement).unwrap_or_default(),
        )?;
        let state = State::open(&dir.join(STATE_FILE))?;
        let status_url = options
            .status_url
            .clone()
            .unwrap_or_else(|| format!("{base}/status/revocation"));
        state.set_meta(META_STATUS_URL, &status_url)?;
        let length = options
            .status_list_length
            .unwrap_or(MIN_STATUS_LIST_LENGTH)
            .max(MIN_STATUS_LIST_LENGTH)
            .div_ceil(8)
            * 8;
        state.set_meta(META_LIST_LENGTH, &length.to_string())?;
        state.set_meta(META_STATUS_TYPE, options.status_type.as_str())?;
        drop(state);
        // issuer.json last: its presence marks a complete directory.
        write_atomic(
            &dir.join(ISSUER_FILE),
            &serde_json::to_vec_pretty(&profile).unwrap_or_default(),
        )?;
        Self::open(&dir.join(ISSUER_FILE))
    }

    /// Opens the issuer whose profile is `issuer_json` (its key and state beside it).
    ///
    /// # Errors
    /// [`IssueError::BadFile`] for a profile without an id or a key that is not the
    /// issuer's; [`IssueError::Io`]; [`IssueError::State`].
    pub fn open(issuer_json: &Path) -> Result<Self> {
        let dir = issuer_json
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let profile = read_json(issuer_json)?;
        let bad = |m: String| IssueError::BadFile {
            path: issuer_json.into(),
            message: m,
        };
        let id = profile
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("the profile has no id".into()))?
            .to_string();
        let key_path = dir.join(KEY_FILE);
        let jwk = read_json(&key_path)?;
        let key = KeyPair::from_jwk(&jwk).map_err(|e| IssueError::BadFile {
            path: key_path.clone(),
            message: format!("not a private key: {e}"),
        })?;
        let public = obi_proof::Signer::public_key(&key);
        let vm = if id.starts_with("did:key:") {
            if id != public.did_key() {
                return Err(bad(format!(
                    "the issuer is {id}, but {} holds the key of {}",
                    key_path.display(),
                    public.did_key()
                )));
            }
            public.did_key_verification_method()
        } else if id.starts_with("did:web:") {
            format!("{id}#{DID_WEB_KEY_FRAGMENT}")
        } else {
            return Err(bad(format!(
                "issuer id {id} is neither did:key nor did:web"
            )));
        };
        let state = State::open(&dir.join(STATE_FILE))?;
        let url = profile
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let status_url = match state.get_meta(META_STATUS_URL)? {
            Some(u) => u,
            None => format!("{}/status/revocation", url.trim_end_matches('/')),
        };
        check_url("status list URL", &status_url)?;
        let status_type = match state.get_meta(META_STATUS_TYPE)? {
            Some(t) => t.parse()?,
            None => StatusType::Bitstring,
        };
        let list_length = state
            .get_meta(META_LIST_LENGTH)?
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(MIN_STATUS_LIST_LENGTH)
            .max(MIN_STATUS_LIST_LENGTH);
        Ok(Self {
            dir,
            profile,
            id,
            key: IssuerKey {
                key,
                verification_method: vm,
                canon: LdCanonicalizer::pinned(),
            },
            state,
            status_url,
            list_length,
            status_type,
        })
    }

    /// The issuer directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The issuer id (a DID).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The profile as in `issuer.json`.
    #[must_use]
    pub fn profile(&self) -> &Value {
        &self.profile
    }

    /// The signing key.
    #[must_use]
    pub fn key(&self) -> &IssuerKey {
        &self.key
    }

    /// The state.
    #[must_use]
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The state, mutably.
    pub fn state_mut(&mut self) -> &mut State {
        &mut self.state
    }

    /// The key and the state at once (bulk signs on other threads while recording).
    pub(crate) fn key_and_state(&mut self) -> (&IssuerKey, &mut State) {
        (&self.key, &mut self.state)
    }

    /// The URL of the status list credential the credentials name.
    #[must_use]
    pub fn status_url(&self) -> &str {
        &self.status_url
    }

    /// How this issuer's credentials can be revoked.
    #[must_use]
    pub fn status_type(&self) -> StatusType {
        self.status_type
    }

    /// The status list length.
    #[must_use]
    pub fn status_list_length(&self) -> usize {
        self.list_length
    }

    /// The DID document to publish at `/.well-known/did.json` (did:web), or the did:key
    /// document.
    #[must_use]
    pub fn did_document(&self) -> Value {
        let public = self.key.public_key();
        let vm = &self.key.verification_method;
        // Multikey defines Ed25519 and P-256 keys; an RSA key is listed as a JsonWebKey.
        let (context, method) = if public.key_type() == KeyType::Rsa {
            (
                "https://w3id.org/security/jwk/v1",
                json!({
                    "id": vm,
                    "type": "JsonWebKey",
                    "controller": self.id,
                    "publicKeyJwk": public.to_jwk(),
                }),
            )
        } else {
            (
                "https://w3id.org/security/multikey/v1",
                json!({
                    "id": vm,
                    "type": "Multikey",
                    "controller": self.id,
                    "publicKeyMultibase": public.to_multikey(),
                }),
            )
        };
        json!({
            "@context": ["https://www.w3.org/ns/did/v1", context],
            "id": self.id,
            "verificationMethod": [method],
            "authentication": [vm],
            "assertionMethod": [vm],
        })
    }

    /// The profile as embedded in credentials (no `@context`).
    fn embedded_profile(&self) -> Value {
        let mut p = self.profile.as_object().cloned().unwrap_or_default();
        p.remove("@context");
        Value::Object(p)
    }

    /// A fresh credential id: `urn:uuid:…`, or `BASE/credentials/UUID` under `base_url`.
    #[must_use]
    pub fn new_credential_id(base_url: Option<&str>) -> String {
        let u = uuid::Uuid::new_v4();
        match base_url {
            Some(b) => format!("{}/credentials/{u}", b.trim_end_matches('/')),
            None => format!("urn:uuid:{u}"),
        }
    }

    /// The unsigned OB 3.0 credential `id` for `award` of `achievement` with status index
    /// `status_index`.
    ///
    /// # Errors
    /// [`IssueError::Input`] for a bad achievement, evidence URL or `validUntil`.
    pub fn credential(
        &self,
        id: &str,
        achievement: &Value,
        award: &Award,
        status_index: usize,
    ) -> Result<Value> {
        self.template().build(id, achievement, award, status_index)
    }

    /// What every credential of this issuer shares (`Sync`, for bulk workers).
    pub(crate) fn template(&self) -> Template {
        Template {
            profile: self.embedded_profile(),
            status_url: self.status_url.clone(),
            status_type: self.status_type,
        }
    }

    /// Awards `achievement` to one recipient: records a fresh id and status index in the
    /// state (committed before signing, so the index is never reused), then signs.
    ///
    /// # Errors
    /// As [`Issuer::credential`] and [`IssuerKey::secure`]; [`IssueError::State`].
    pub fn award(
        &mut self,
        achievement: &Value,
        award: &Award,
        format: Format,
        base_url: Option<&str>,
    ) -> Result<Issued> {
        check_achievement(achievement)?;
        self.key.check_format(format)?;
        if let Some(b) = base_url {
            check_url("--base-url", b)?;
        }
        let id = Self::new_credential_id(base_url);
        let ach_id = achievement
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // Build once before recording, so bad input never allocates an index.
        self.credential(&id, achievement, award, 0)?;
        let indexes = self.state.record(
            &[NewRecord {
                id: &id,
                recipient: award.recipient.as_str(),
                achievement: ach_id,
                row_key: None,
            }],
            self.list_length,
        )?;
        let index = indexes.first().copied().unwrap_or_default();
        let credential = self.credential(&id, achievement, award, index)?;
        let secured = self.key.secure(credential, format)?;
        Ok(Issued {
            id,
            status_index: index,
            secured,
        })
    }

    /// Issues a signed OB 3.0 `EndorsementCredential`: this issuer endorses `subject` (an
    /// achievement, issuer profile or credential id) with `comment`. Recorded in the state
    /// like an award (revocable, with a status entry).
    ///
    /// # Errors
    /// [`IssueError::Input`] for a subject that is not a URI or an empty comment;
    /// [`IssueError::State`]; [`IssueError::Proof`].
    pub fn endorse(
        &mut self,
        subject: &str,
        comment: &str,
        format: Format,
        base_url: Option<&str>,
    ) -> Result<Issued> {
        self.key.check_format(format)?;
        if let Some(b) = base_url {
            check_url("--base-url", b)?;
        }
        let template = self.template();
        let id = Self::new_credential_id(base_url);
        template.endorsement(&id, subject, comment, 0)?;
        let indexes = self.state.record(
            &[NewRecord {
                id: &id,
                recipient: subject,
                achievement: "endorsement",
                row_key: None,
            }],
            self.list_length,
        )?;
        let index = indexes.first().copied().unwrap_or_default();
        let credential = template.endorsement(&id, subject, comment, index)?;
        let secured = self.key.secure(credential, format)?;
        Ok(Issued {
            id,
            status_index: index,
            secured,
        })
    }

    /// Revokes credential `id` with `reason`.
    ///
    /// # Errors
    /// [`IssueError::UnknownCredential`]; [`IssueError::State`].
    pub fn revoke(&self, id: &str, reason: &str) -> Result<crate::state::Record> {
        if reason.trim().is_empty() {
            return Err(IssueError::Input("a revocation needs a --reason".into()));
        }
        self.state.revoke(id, reason)
    }

    /// The current revocation bitstring.
    ///
    /// # Errors
    /// [`IssueError::State`].
    pub fn status_list(&self) -> Result<StatusList> {
        let mut list = StatusList::new(self.list_length);
        for (_, index, _) in self.state.revoked()? {
            list.set(index, true)?;
        }
        Ok(list)
    }

    /// The 1EdTech Revocation List document, to publish at [`Issuer::status_url`] when the
    /// issuer's [`StatusType`] is [`StatusType::OneEdTech`]: `{id, issuer,
    /// revokedCredentials: [{id, revocationReason}]}`, unsigned JSON as the 1EdTech
    /// Revocation List 1.0 describes it.
    ///
    /// # Errors
    /// [`IssueError::State`].
    pub fn revocation_list(&self) -> Result<Value> {
        let revoked: Vec<Value> = self
            .state
            .revoked()?
            .into_iter()
            .map(|(id, _, reason)| {
                let mut r = json!({"id": id});
                if let (Some(m), Some(reason)) = (r.as_object_mut(), reason) {
                    m.insert("revocationReason".into(), reason.into());
                }
                r
            })
            .collect();
        Ok(json!({
            "id": self.status_url,
            "issuer": self.id,
            "revokedCredentials": revoked,
        }))
    }

    /// The document to publish at [`Issuer::status_url`]: the signed status list credential
    /// or the 1EdTech revocation list, by the issuer's [`StatusType`]. An issuer with a P-256
    /// or RSA key signs its status list as a VC-JWT: use [`Issuer::status_document_secured`].
    ///
    /// # Errors
    /// As [`Issuer::status_list_credential`] and [`Issuer::revocation_list`].
    pub fn status_document(&self) -> Result<Value> {
        match self.status_type {
            StatusType::Bitstring => self.status_list_credential(),
            StatusType::OneEdTech => self.revocation_list(),
        }
    }

    /// The document to publish at [`Issuer::status_url`], for any key type: the status list
    /// credential with an eddsa-rdfc-2022 proof (Ed25519 issuers) or as a VC-JWT (ES256,
    /// RS256: P-256 and RSA issuers), or the 1EdTech revocation list (JSON).
    ///
    /// # Errors
    /// As [`Issuer::status_document`].
    pub fn status_document_secured(&self) -> Result<Secured> {
        match self.status_type {
            StatusType::Bitstring => {
                let format = if self.key.key_type() == KeyType::Ed25519 {
                    Format::Ob3Eddsa
                } else {
                    Format::Ob3Jwt
                };
                self.key
                    .secure(self.unsigned_status_list_credential()?, format)
            }
            StatusType::OneEdTech => Ok(Secured::Json(self.revocation_list()?)),
        }
    }

    /// The signed `BitstringStatusListCredential` (eddsa-rdfc-2022), to publish at
    /// [`Issuer::status_url`].
    ///
    /// # Errors
    /// [`IssueError::State`]; [`IssueError::Proof`]; [`IssueError::Input`] for an issuer
    /// whose key is not Ed25519 (see [`Issuer::status_document_secured`]).
    pub fn status_list_credential(&self) -> Result<Value> {
        let credential = self.unsigned_status_list_credential()?;
        match self.key.secure(credential, Format::Ob3Eddsa)? {
            Secured::Json(v) => Ok(v),
            Secured::Jwt(_) => Err(IssueError::Input("unexpected JWT".into())),
        }
    }

    fn unsigned_status_list_credential(&self) -> Result<Value> {
        let list = self.status_list()?;
        let credential = json!({
            "@context": [CREDENTIALS_V2],
            "id": self.status_url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.id,
            "validFrom": now(),
            "credentialSubject": {
                "id": format!("{}#list", self.status_url),
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": list.encode(),
            },
        });
        Ok(credential)
    }
}

/// The parts of an issuer every credential shares: the embedded profile and the status list.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    profile: Value,
    status_url: String,
    status_type: StatusType,
}

impl Template {
    /// The unsigned OB 3.0 credential; see [`Issuer::credential`].
    pub(crate) fn build(
        &self,
        id: &str,
        achievement: &Value,
        award: &Award,
        status_index: usize,
    ) -> Result<Value> {
        check_achievement(achievement)?;
        let mut achievement = achievement.as_object().cloned().unwrap_or_default();
        achievement.remove("@context");
        let name = achievement
            .get("name")
            .cloned()
            .unwrap_or_else(|| "Open Badge".into());
        let mut subject = Map::new();
        subject.insert("type".into(), json!(["AchievementSubject"]));
        match &award.recipient {
            Recipient::Did(d) | Recipient::Url(d) => {
                subject.insert("id".into(), d.clone().into());
            }
            Recipient::Email(e) => {
                let identity = if award.hash_email {
                    let salt = uuid::Uuid::new_v4().simple().to_string();
                    json!({
                        "type": "IdentityObject",
                        "identityType": "emailAddress",
                        "hashed": true,
                        "identityHash": identity_hash(&normalized_email(e), &salt),
                        "salt": salt,
                    })
                } else {
                    json!({
                        "type": "IdentityObject",
                        "identityType": "emailAddress",
                        "hashed": false,
                        "identityHash": e,
                    })
                };
                subject.insert("identifier".into(), json!([identity]));
            }
        }
        if let Some(n) = &award.name {
            subject.insert("name".into(), n.clone().into());
        }
        if let Some(n) = &award.narrative {
            subject.insert("narrative".into(), n.clone().into());
        }
        subject.insert("achievement".into(), Value::Object(achievement));
        let valid_from = now();
        let mut c = Map::new();
        c.insert("@context".into(), self.context());
        c.insert("id".into(), id.into());
        c.insert(
            "type".into(),
            json!(["VerifiableCredential", "OpenBadgeCredential"]),
        );
        c.insert("issuer".into(), self.profile.clone());
        c.insert("validFrom".into(), valid_from.clone().into());
        if let Some(u) = &award.valid_until {
            let u = parse_valid_until(u)?;
            if u <= valid_from {
                return Err(IssueError::Input(format!(
                    "validUntil {u} is not after validFrom {valid_from}"
                )));
            }
            c.insert("validUntil".into(), u.into());
        }
        c.insert("name".into(), name);
        c.insert("credentialSubject".into(), Value::Object(subject));
        if !award.evidence.is_empty() {
            let mut ev = Vec::new();
            for e in &award.evidence {
                check_url("evidence", e)?;
                ev.push(json!({"id": e, "type": ["Evidence"]}));
            }
            c.insert("evidence".into(), Value::Array(ev));
        }
        c.insert("credentialStatus".into(), self.status(status_index));
        Ok(Value::Object(c))
    }
}

impl Template {
    /// The `credentialStatus` entry for `status_index`.
    fn status(&self, status_index: usize) -> Value {
        match self.status_type {
            StatusType::Bitstring => json!({
                "id": format!("{}#{status_index}", self.status_url),
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": status_index.to_string(),
                "statusListCredential": self.status_url,
            }),
            // The list is looked up by the credential id; the index stays in the state only.
            StatusType::OneEdTech => json!({
                "id": self.status_url,
                "type": "1EdTechRevocationList",
            }),
        }
    }

    fn context(&self) -> Value {
        match self.status_type {
            StatusType::Bitstring => json!([CREDENTIALS_V2, OB3_CONTEXT]),
            // Defines the `1EdTechRevocationList` type.
            StatusType::OneEdTech => json!([CREDENTIALS_V2, OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT]),
        }
    }

    /// The unsigned OB 3.0 `EndorsementCredential` `id`: the issuer endorses `subject` (the id
    /// of an achievement, a profile or a credential) with `comment`.
    pub(crate) fn endorsement(
        &self,
        id: &str,
        subject: &str,
        comment: &str,
        status_index: usize,
    ) -> Result<Value> {
        if !subject.contains(':') || subject.chars().any(char::is_whitespace) {
            return Err(IssueError::Input(format!(
                "--subject {subject:?} is not a URI (the id of an achievement, issuer or credential)"
            )));
        }
        if comment.trim().is_empty() {
            return Err(IssueError::Input("an endorsement needs a --comment".into()));
        }
        let name = self
            .profile
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("An issuer");
        Ok(json!({
            "@context": self.context(),
            "id": id,
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": format!("Endorsement by {name}"),
            "issuer": self.profile,
            "validFrom": now(),
            "credentialSubject": {
                "id": subject,
                "type": ["EndorsementSubject"],
                "endorsementComment": comment,
            },
            "credentialStatus": self.status(status_index),
        }))
    }
}

/// Checks an achievement has what OB 3.0 requires: id, type Achievement, name, criteria.
///
/// # Errors
/// [`IssueError::Input`].
pub fn check_achievement(achievement: &Value) -> Result<()> {
    let o = achievement
        .as_object()
        .ok_or_else(|| IssueError::Input("the achievement is not a JSON object".into()))?;
    let missing = |f: &str| IssueError::Input(format!("the achievement has no {f}"));
    let id = o
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("id"))?;
    if !id.contains(':') {
        return Err(IssueError::Input(format!(
            "the achievement id {id:?} is not a URI"
        )));
    }
    let has_type = match o.get("type") {
        Some(Value::String(s)) => s == "Achievement",
        Some(Value::Array(a)) => a.iter().any(|t| t.as_str() == Some("Achievement")),
        _ => false,
    };
    if !has_type {
        return Err(missing("type Achievement"));
    }
    o.get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("name"))?;
    o.get("criteria")
        .filter(|c| c.is_object())
        .ok_or_else(|| missing("criteria object"))?;
    Ok(())
}
