//! Configuration in two stages: [`RawConfig`] layers (flags, then `OBI_…` environment, then a
//! TOML file, then defaults) become one validated [`Config`] at start.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Default listen address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Default database.
pub const DEFAULT_DATABASE: &str = "sqlite://obi.sqlite";
/// Default request body limit (bytes).
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// Default per-request timeout (seconds).
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
/// Default connection pool size.
pub const DEFAULT_POOL_SIZE: usize = 8;
/// Default bulk-job lease length (seconds).
pub const DEFAULT_JOB_LEASE_SECS: u64 = 30;
/// Longest instance id.
pub const MAX_INSTANCE_ID_BYTES: usize = 200;
/// Largest configuration file read.
pub const MAX_CONFIG_FILE_BYTES: u64 = 64 * 1024;

/// A configuration problem, named by the setting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_CONFIG_FILE_BYTES`].
    #[error(
        "configuration file {0} is larger than MAX_CONFIG_FILE_BYTES ({MAX_CONFIG_FILE_BYTES})"
    )]
    TooLarge(PathBuf),
    /// The file is not valid TOML for [`RawConfig`].
    #[error("configuration file {path}: {message}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A setting has a bad value.
    #[error("invalid {setting}: {message}")]
    Invalid {
        /// The setting (`bind`, `OBI_BODY_LIMIT`…).
        setting: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// One layer of settings; every field optional. Deserialised from the TOML file with the same
/// names as the flags (`bind`, `database`, `public_url`, `body_limit`, `request_timeout_secs`,
/// `pool_size`, `job_lease_secs`, `key_encryption_key`, `key_encryption_key_file`,
/// `admin_token`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// `ADDR:PORT` to listen on.
    pub bind: Option<String>,
    /// `sqlite://PATH` or `postgres://…`.
    pub database: Option<String>,
    /// The public base URL of hosted documents (`https://badges.example.org`).
    pub public_url: Option<String>,
    /// Largest request body in bytes.
    pub body_limit: Option<usize>,
    /// Per-request timeout in seconds.
    pub request_timeout_secs: Option<u64>,
    /// Database connections.
    pub pool_size: Option<usize>,
    /// Length in seconds of the lease an instance holds on a bulk job it works on.
    pub job_lease_secs: Option<u64>,
    /// This instance's name in job leases (unique among live instances; stable across
    /// restarts, so a restarted instance resumes its own jobs at once).
    pub instance_id: Option<String>,
    /// The key that seals issuer private keys: 32 bytes, base64.
    pub key_encryption_key: Option<String>,
    /// A file holding `key_encryption_key`; created with a fresh key when missing.
    pub key_encryption_key_file: Option<PathBuf>,
    /// An admin API token; its SHA-256 is stored at start (the token itself never is).
    pub admin_token: Option<String>,
}

impl RawConfig {
    /// Reads the `OBI_…` variables through `get` (the binary passes `std::env::var`).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            bind: get("OBI_BIND"),
            database: get("OBI_DATABASE"),
            public_url: get("OBI_PUBLIC_URL"),
            body_limit: parse_num(get("OBI_BODY_LIMIT"), "OBI_BODY_LIMIT")?,
            request_timeout_secs: parse_num(
                get("OBI_REQUEST_TIMEOUT_SECS"),
                "OBI_REQUEST_TIMEOUT_SECS",
            )?,
            pool_size: parse_num(get("OBI_POOL_SIZE"), "OBI_POOL_SIZE")?,
            job_lease_secs: parse_num(get("OBI_JOB_LEASE_SECS"), "OBI_JOB_LEASE_SECS")?,
            instance_id: get("OBI_INSTANCE_ID"),
            key_encryption_key: get("OBI_KEY_ENCRYPTION_KEY"),
            key_encryption_key_file: get("OBI_KEY_ENCRYPTION_KEY_FILE").map(PathBuf::from),
            admin_token: get("OBI_ADMIN_TOKEN"),
        })
    }

    /// Reads a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let meta = std::fs::metadata(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        if meta.len() > MAX_CONFIG_FILE_BYTES {
            return Err(ConfigError::TooLarge(path.to_owned()));
        }
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Toml {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// `self` where set, else `lower`.
    #[must_use]
    pub fn or(self, lower: Self) -> Self {
        Self {
            bind: self.bind.or(lower.bind),
            database: self.database.or(lower.database),
            public_url: self.public_url.or(lower.public_url),
            body_limit: self.body_limit.or(lower.body_limit),
            request_timeout_secs: self.request_timeout_secs.or(lower.request_timeout_secs),
            pool_size: self.pool_size.or(lower.pool_size),
            job_lease_secs: self.job_lease_secs.or(lower.job_lease_secs),
            instance_id: self.instance_id.or(lower.instance_id),
            key_encryption_key: self.key_encryption_key.or(lower.key_encryption_key),
            key_encryption_key_file: self
                .key_encryption_key_file
                .or(lower.key_encryption_key_file),
            admin_token: self.admin_token.or(lower.admin_token),
        }
    }
}

fn parse_num<T: std::str::FromStr>(
    value: Option<String>,
    setting: &'static str,
) -> Result<Option<T>, ConfigError> {
    value
        .map(|v| {
            v.trim().parse().map_err(|_| ConfigError::Invalid {
                setting,
                message: format!("{v:?} is not a number"),
            })
        })
        .transpose()
}

/// Where the key encryption key comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum KekSource {
    /// Given directly (base64).
    Inline(String),
    /// A file, created with a fresh key when missing.
    File(PathBuf),
}

impl std::fmt::Debug for KekSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Inline(_) => f.write_str("Inline(..)"),
            Self::File(p) => write!(f, "File({})", p.display()),
        }
    }
}

/// The validated configuration.
#[derive(Clone)]
pub struct Config {
    /// Listen address.
    pub bind: SocketAddr,
    /// Database URL.
    pub database: String,
    /// Public base URL without a trailing slash.
    pub public_url: String,
    /// Largest request body (bytes).
    pub body_limit: usize,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// Database connections.
    pub pool_size: usize,
    /// Lease length on bulk jobs (another instance takes a job over this long after its
    /// owner stopped renewing).
    pub job_lease: Duration,
    /// This instance's name in job leases (default `HOSTNAME/BIND`).
    pub instance_id: String,
    /// Key encryption key source.
    pub kek: KekSource,
    /// Admin token to register at start.
    pub admin_token: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database", &redact_url(&self.database))
            .field("public_url", &self.public_url)
            .field("body_limit", &self.body_limit)
            .field("request_timeout", &self.request_timeout)
            .field("pool_size", &self.pool_size)
            .field("job_lease", &self.job_lease)
            .field("instance_id", &self.instance_id)
            .field("kek", &self.kek)
            .field("admin_token", &self.admin_token.as_ref().map(|_| ".."))
            .finish()
    }
}

/// The URL without a password.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

impl Config {
    /// Validates a merged [`RawConfig`], filling defaults.
    pub fn from_raw(raw: RawConfig) -> Result<Self, ConfigError> {
        let bind_text = raw.bind.unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind: SocketAddr = bind_text.parse().map_err(|_| ConfigError::Invalid {
            setting: "bind",
            message: format!("{bind_text:?} is not ADDR:PORT"),
        })?;
        let database = raw.database.unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        let is_sqlite = database.starts_with("sqlite://");
        if !(is_sqlite
            || database.starts_with("postgres://")
            || database.starts_with("postgresql://"))
            || database == "sqlite://"
        {
            return Err(ConfigError::Invalid {
                setting: "database",
                message: format!(
                    "{} is not sqlite://PATH or postgres://…",
                    redact_url(&database)
                ),
            });
        }
        let public_url = raw
            .public_url
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                setting: "public_url",
                message: format!("{public_url:?} is not an http(s) URL"),
            });
        }
        let body_limit = raw.body_limit.unwrap_or(DEFAULT_BODY_LIMIT);
        if body_limit == 0 {
            return Err(ConfigError::Invalid {
                setting: "body_limit",
                message: "must be at least 1".into(),
            });
        }
        let secs = raw
            .request_timeout_secs
            .unwrap_or(DEFAULT_REQUEST_TIMEOUT_SECS);
        if secs == 0 {
            return Err(ConfigError::Invalid {
                setting: "request_timeout_secs",
                message: "must be at least 1".into(),
            });
        }
        let pool_size = raw.pool_size.unwrap_or(DEFAULT_POOL_SIZE);
        if pool_size == 0 {
            return Err(ConfigError::Invalid {
                setting: "pool_size",
                message: "must be at least 1".into(),
            });
        }
        let lease_secs = raw.job_lease_secs.unwrap_or(DEFAULT_JOB_LEASE_SECS);
        if lease_secs == 0 {
            return Err(ConfigError::Invalid {
                setting: "job_lease_secs",
                message: "must be at least 1".into(),
            });
        }
        let instance_id = match raw.instance_id {
            Some(id) => id.trim().to_owned(),
            None => format!("{}/{bind}", hostname()),
        };
        if instance_id.is_empty()
            || instance_id.len() > MAX_INSTANCE_ID_BYTES
            || instance_id.chars().any(char::is_control)
        {
            return Err(ConfigError::Invalid {
                setting: "instance_id",
                message: format!(
                    "must be 1 to MAX_INSTANCE_ID_BYTES ({MAX_INSTANCE_ID_BYTES}) bytes without control characters"
                ),
            });
        }
        let kek = match (raw.key_encryption_key, raw.key_encryption_key_file) {
            (Some(k), _) => {
                crate::seal::KeySealer::from_base64(&k).map_err(|e| ConfigError::Invalid {
                    setting: "key_encryption_key",
                    message: e.to_string(),
                })?;
                KekSource::Inline(k)
            }
            (None, Some(f)) => KekSource::File(f),
            (None, None) if is_sqlite => {
                let path = database.trim_start_matches("sqlite://");
                KekSource::File(PathBuf::from(format!("{path}.key")))
            }
            (None, None) => {
                return Err(ConfigError::Invalid {
                    setting: "key_encryption_key",
                    message: "PostgreSQL deployments must set OBI_KEY_ENCRYPTION_KEY or key_encryption_key_file (the same on every instance)".into(),
                });
            }
        };
        Ok(Self {
            bind,
            database,
            public_url,
            body_limit,
            request_timeout: Duration::from_secs(secs),
            pool_size,
            job_lease: Duration::from_secs(lease_secs),
            instance_id,
            kek,
            admin_token: raw.admin_token.filter(|t| !t.is_empty()),
        })
    }
}

/// This machine's host name (for the default instance id), or `localhost`.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty() && h.len() <= 100)
        .unwrap_or_else(|| "localhost".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_precedence() {
        let c = Config::from_raw(RawConfig::default()).unwrap();
        assert_eq!(c.bind.to_string(), DEFAULT_BIND);
        assert_eq!(c.database, DEFAULT_DATABASE);
        assert_eq!(c.kek, KekSource::File("obi.sqlite.key".into()));
        let flags = RawConfig {
            bind: Some("127.0.0.1:9".into()),
            ..RawConfig::default()
        };
        let env = RawConfig::from_env(|k| match k {
            "OBI_BIND" => Some("127.0.0.1:10".into()),
            "OBI_POOL_SIZE" => Some("3".into()),
            _ => None,
        })
        .unwrap();
        let file: RawConfig = toml::from_str("pool_size = 5\nbody_limit = 77\n").unwrap();
        let c = Config::from_raw(flags.or(env).or(file)).unwrap();
        assert_eq!(c.bind.port(), 9);
        assert_eq!(c.pool_size, 3);
        assert_eq!(c.body_limit, 77);
        assert_eq!(c.job_lease, Duration::from_secs(DEFAULT_JOB_LEASE_SECS));
        assert!(c.instance_id.ends_with("/127.0.0.1:9"), "{}", c.instance_id);
        let env =
            RawConfig::from_env(|k| (k == "OBI_INSTANCE_ID").then(|| "node-a".into())).unwrap();
        assert_eq!(Config::from_raw(env).unwrap().instance_id, "node-a");
        let env = RawConfig::from_env(|k| (k == "OBI_INSTANCE_ID").then(|| " ".into())).unwrap();
        assert!(
            Config::from_raw(env)
                .unwrap_err()
                .to_string()
                .contains("instance_id")
        );
        let env = RawConfig::from_env(|k| (k == "OBI_JOB_LEASE_SECS").then(|| "7".into())).unwrap();
        assert_eq!(
            Config::from_raw(env).unwrap().job_lease,
            Duration::from_secs(7)
        );
        let file: RawConfig = toml::from_str("job_lease_secs = 0").unwrap();
        assert!(
            Config::from_raw(file)
                .unwrap_err()
                .to_string()
                .contains("job_lease_secs")
        );
    }

    #[test]
    fn bad_values_name_the_setting() {
        let e = RawConfig::from_env(|k| (k == "OBI_BODY_LIMIT").then(|| "lots".into()));
        assert!(e.unwrap_err().to_string().contains("OBI_BODY_LIMIT"));
        let e = Config::from_raw(RawConfig {
            bind: Some("nowhere".into()),
            ..RawConfig::default()
        });
        assert!(e.unwrap_err().to_string().contains("bind"));
        let e = Config::from_raw(RawConfig {
            database: Some("mysql://x".into()),
            ..RawConfig::default()
        });
        assert!(e.unwrap_err().to_string().contains("database"));
        let e = Config::from_raw(RawConfig {
            database: Some("postgres://u:secret@h/db".into()),
            ..RawConfig::default()
        });
        let text = e.unwrap_err().to_string();
        assert!(text.contains("key_encryption_key"));
        assert!(toml::from_str::<RawConfig>("colour = 1").is_err());
        assert!(
            !format!(
                "{:?}",
                Config::from_raw(RawConfig {
                    database: Some("postgres://u:secret@h/db".into()),
                    key_encryption_key: Some(crate::seal::KeySealer::generate_base64()),
                    ..RawConfig::default()
                })
                .unwrap()
            )
            .contains("secret")
        );
    }
}
