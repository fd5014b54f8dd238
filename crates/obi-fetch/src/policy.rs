//! What the HTTP fetcher may do: schemes, addresses, redirects, time.

use std::net::IpAddr;
use std::time::Duration;

use crate::FetchError;
use crate::address::is_public_address;

/// Default time allowed to resolve and connect to one host (5 s).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time allowed for a whole fetch, redirects and body included (15 s).
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(15);
/// Default number of redirects followed (each one checked against the policy again).
pub const DEFAULT_MAX_REDIRECTS: u32 = 5;
/// Longest URL accepted (8 KiB).
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// The rules every HTTP fetch follows. `Default` is the same as [`FetchPolicy::new`]: HTTPS
/// only, public addresses only, 5 s to connect, 15 s in all, at most 5 redirects.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct FetchPolicy {
    pub(crate) connect_timeout: Duration,
    pub(crate) total_timeout: Duration,
    pub(crate) max_redirects: u32,
    pub(crate) allow_http: bool,
    pub(crate) allow_private_network: bool,
    pub(crate) allowed_addresses: Vec<IpAddr>,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl FetchPolicy {
    /// The default policy.
    pub fn new() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            allow_http: false,
            allow_private_network: false,
            allowed_addresses: Vec::new(),
        }
    }

    /// Time allowed to resolve and connect to one host.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole fetch: every redirect, the headers and the body.
    pub fn with_total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// Largest number of redirects followed; 0 refuses every redirect.
    pub fn with_max_redirects(mut self, max: u32) -> Self {
        self.max_redirects = max;
        self
    }

    /// Whether plain `http://` URLs (and redirects to them) are allowed.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Whether loopback, private, link-local and other non-public addresses are allowed.
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.allow_private_network = allow;
        self
    }

    /// Permits one address even though it is not public (a known internal host; tests).
    pub fn allow_address(mut self, ip: IpAddr) -> Self {
        self.allowed_addresses.push(ip);
        self
    }

    /// The connect timeout.
    #[must_use]
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The total timeout.
    #[must_use]
    pub fn total_timeout(&self) -> Duration {
        self.total_timeout
    }

    /// The redirect limit.
    #[must_use]
    pub fn max_redirects(&self) -> u32 {
        self.max_redirects
    }

    /// Whether an address may be connected to under this policy.
    #[must_use]
    pub fn permits_address(&self, ip: IpAddr) -> bool {
        self.allow_private_network || is_public_address(ip) || self.allowed_addresses.contains(&ip)
    }

    /// Checks a URL against the policy before anything is resolved: an absolute `https://`
    /// URL (or `http://` when allowed), ASCII without spaces, with a host, no user name or
    /// password, and, when the host is an IP literal, an address the policy permits. Host names are checked again after resolution, on the addresses
    /// actually connected to.
    ///
    /// # Errors
    /// [`FetchError::InvalidUrl`] or [`FetchError::ForbiddenAddress`].
    pub fn check_url(&self, url: &str) -> Result<UrlParts, FetchError> {
        let invalid = |reason: &str| FetchError::InvalidUrl {
            url: truncate(url),
            reason: reason.to_owned(),
        };
        if url.len() > MAX_URL_BYTES {
            return Err(invalid(&format!(
                "longer than the {MAX_URL_BYTES}-byte URL limit (MAX_URL_BYTES)"
            )));
        }
        if let Some(c) = url
            .chars()
            .find(|c| c.is_ascii_control() || c.is_whitespace() || !c.is_ascii())
        {
            return Err(invalid(&format!(
                "contains {c:?}; only ASCII without spaces or control characters is fetched"
            )));
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| invalid("not an absolute URL with an authority (scheme://host)"))?;
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            if !self.allow_http {
                return Err(invalid(
                    "plain http is not allowed by the fetch policy (https only)",
                ));
            }
            false
        } else {
            return Err(invalid(&format!(
                "scheme {scheme:?} is not fetched (http and https only)"
            )));
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = rest.get(..end).unwrap_or(rest);
        if authority.contains('@') {
            return Err(invalid("URLs with a user name or password are not fetched"));
        }
        let (host, port) =
            split_host_port(authority).ok_or_else(|| invalid("malformed host or port"))?;
        if host.is_empty() {
            return Err(invalid("no host"));
        }
        let ip = if let Some(inner) = host.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or_else(|| invalid("malformed IPv6 literal"))?;
            Some(IpAddr::V6(
                inner
                    .parse()
                    .map_err(|_| invalid("malformed IPv6 literal"))?,
            ))
        } else {
            if !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
            {
                return Err(invalid("host has characters outside [A-Za-z0-9._-]"));
            }
            host.parse::<IpAddr>().ok()
        };
        if let Some(ip) = ip
            && !self.permits_address(ip)
        {
            return Err(FetchError::ForbiddenAddress {
                url: truncate(url),
                address: ip.to_string(),
            });
        }
        Ok(UrlParts {
            https,
            host: host.to_ascii_lowercase(),
            port: port.unwrap_or(if https { 443 } else { 80 }),
        })
    }
}

/// What [`FetchPolicy::check_url`] found in a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UrlParts {
    /// Whether the scheme is `https`.
    pub https: bool,
    /// The host as written (lower-cased; IPv6 literals keep their brackets).
    pub host: String,
    /// The port, explicit or the scheme's default.
    pub port: u16,
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, after) = authority.split_at(close + 1);
        match after.strip_prefix(':') {
            Some(p) => (host, Some(p)),
            None if after.is_empty() => (host, None),
            None => return None,
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse::<u16>().ok()?),
        Some(_) => return None,
    };
    Some((host, port))
}

/// A URL for an error message: at most 200 bytes.
pub(crate) fn truncate(url: &str) -> String {
    const MAX: usize = 200;
    if url.len() <= MAX {
        return url.to_owned();
    }
    let mut end = MAX;
    while !url.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", url.get(..end).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        let p = FetchPolicy::new();
        let ok = p.check_url("https://Example.org:8443/a?b#c").unwrap();
        assert_eq!(
            (ok.https, ok.host.as_str(), ok.port),
            (true, "example.org", 8443)
        );
        assert_eq!(p.check_url("https://example.org").unwrap().port, 443);
        for bad in [
            "http://example.org/",
            "ftp://example.org/",
            "file:///etc/passwd",
            "https://user:pw@example.org/",
            "https:/example.org",
            "https://",
            "https://exa mple.org/",
            "https://example.org:99999/",
            "https://example.org:8x/",
            "https://[::1/",
            "https://ex%61mple.org/",
            "https://éxample.org/",
        ] {
            assert!(
                matches!(p.check_url(bad), Err(FetchError::InvalidUrl { .. })),
                "{bad}"
            );
        }
        for forbidden in [
            "https://127.0.0.1/",
            "https://[::1]:8443/",
            "https://10.0.0.1/",
            "https://[::ffff:192.168.0.1]/",
            "https://169.254.169.254/latest/meta-data/",
        ] {
            assert!(
                matches!(
                    p.check_url(forbidden),
                    Err(FetchError::ForbiddenAddress { .. })
                ),
                "{forbidden}"
            );
        }
        let open = FetchPolicy::new()
            .allow_http(true)
            .allow_private_network(true);
        assert_eq!(
            open.check_url("http://127.0.0.1:8080/x").unwrap().port,
            8080
        );
        assert!(open.check_url("http://[::1]/").is_ok());
    }

    #[test]
    fn long_urls_are_refused_with_the_limit_named() {
        let url = format!("https://example.org/{}", "a".repeat(MAX_URL_BYTES));
        let e = FetchPolicy::new().check_url(&url).unwrap_err().to_string();
        assert!(e.contains("MAX_URL_BYTES"), "{e}");
        assert!(e.len() < 400);
    }

    proptest::proptest! {
        #[test]
        fn check_url_never_panics(s in "\\PC{0,64}") {
            let _ = FetchPolicy::new().allow_http(true).check_url(&s);
        }

        #[test]
        fn https_host_names_pass(host in "[a-z][a-z0-9-]{0,20}(\\.[a-z][a-z0-9-]{0,10}){1,3}", port: u16) {
            let url = format!("https://{host}:{port}/path");
            let parts = FetchPolicy::new().check_url(&url).unwrap();
            proptest::prop_assert_eq!(parts.host, host);
            proptest::prop_assert_eq!(parts.port, port);
        }
    }
}
