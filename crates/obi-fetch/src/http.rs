//! The HTTP fetcher.
//!
//! # Why ureq
//! One blocking client with rustls is all obi needs: a verifier fetches a handful of small
//! documents per badge. `ureq` 3 (rustls + ring + webpki roots, no gzip) adds about 30 crates
//! and no async runtime; `reqwest`'s blocking client would pull tokio, hyper and their
//! dependencies into every obi build, the CLI and WASM-minded library users included, to save
//! the server (which has tokio anyway) nothing it needs: a guarded fetch is a handful of calls
//! and is run there on a blocking thread. ureq's pluggable resolver lets the address check run on
//! the addresses actually connected to.
//!
//! # The guard
//! - URLs are checked by [`FetchPolicy::check_url`] (scheme, credentials, IP literals) before
//!   every request, redirects included.
//! - Host names are resolved by the fetcher's own resolver, which drops every address the
//!   policy does not permit and fails when none is left; ureq connects only to the addresses
//!   it returns, so a DNS answer that changes between a check and the connect (DNS rebinding)
//!   cannot reach a private address.
//! - Redirects are followed by the fetcher itself, at most `max_redirects`, each target
//!   checked again.
//! - One deadline covers the whole fetch (all redirects, headers and body); a body that drips
//!   slowly fails when the deadline passes, a large one as soon as it passes the cap.
//! - No proxy (ureq reads none from the environment when configured with `proxy(None)`), no
//!   cookies, no compression, `User-Agent: obi/VERSION`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::Agent;
use ureq::http::Uri;
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::policy::{FetchPolicy, truncate};
use crate::{Fetch, FetchError, Request, Response};

/// The `User-Agent` of every request: `obi/` and the crate version.
pub const USER_AGENT: &str = concat!("obi/", env!("CARGO_PKG_VERSION"));

/// Largest response header block accepted (64 KiB).
pub const MAX_RESPONSE_HEADER_BYTES: usize = 64 * 1024;

/// A guarded HTTP(S) client implementing [`Fetch`]; see the module docs for the rules.
///
/// ```no_run
/// use obi_fetch::{Fetch, FetchPolicy, HttpFetcher, Request};
/// let http = HttpFetcher::new(FetchPolicy::new());
/// let doc = http.fetch(&Request::json("https://example.org/badge.json"))?;
/// # Ok::<(), obi_fetch::FetchError>(())
/// ```
#[derive(Debug)]
pub struct HttpFetcher {
    agent: Agent,
    policy: FetchPolicy,
}

impl Default for HttpFetcher {
    fn default() -> Self {
        Self::new(FetchPolicy::new())
    }
}

/// The resolver refused every address of a host.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to addresses the fetch policy refuses ({address})")]
struct Refused {
    host: String,
    address: String,
}

/// Resolves with the system resolver, then keeps only the addresses the policy permits.
#[derive(Debug)]
struct GuardedResolver {
    policy: FetchPolicy,
    inner: DefaultResolver,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = self.inner.resolve(uri, config, timeout)?;
        let mut kept = self.empty();
        let mut refused: Option<SocketAddr> = None;
        for addr in resolved.iter() {
            if self.policy.permits_address(addr.ip()) {
                kept.push(*addr);
            } else if refused.is_none() {
                refused = Some(*addr);
            }
        }
        if kept.is_empty() {
            return Err(match refused {
                Some(addr) => ureq::Error::Other(Box::new(Refused {
                    host: uri.host().unwrap_or_default().to_owned(),
                    address: addr.ip().to_string(),
                })),
                None => ureq::Error::HostNotFound,
            });
        }
        Ok(kept)
    }
}

impl HttpFetcher {
    /// A fetcher following `policy`, trusting the Mozilla root certificates (webpki-roots).
    #[must_use]
    pub fn new(policy: FetchPolicy) -> Self {
        Self::build(policy, RootCerts::WebPki)
    }

    /// A fetcher following `policy` that trusts exactly the given root certificates (DER)
    /// **instead of** the Mozilla roots: for a private PKI, or a test server with its own CA.
    /// With no certificate, no HTTPS server is trusted.
    ///
    /// ```
    /// use obi_fetch::{FetchPolicy, HttpFetcher};
    /// let ca_der: Vec<u8> = Vec::new(); // e.g. std::fs::read("ca.der")?
    /// let http = HttpFetcher::with_root_certificates(FetchPolicy::new(), [ca_der]);
    /// ```
    #[must_use]
    pub fn with_root_certificates(
        policy: FetchPolicy,
        roots_der: impl IntoIterator<Item = Vec<u8>>,
    ) -> Self {
        let roots: Vec<Certificate<'static>> = roots_der
            .into_iter()
            .map(|der| Certificate::from_der(&der).to_owned())
            .collect();
        Self::build(policy, RootCerts::Specific(Arc::new(roots)))
    }

    fn build(policy: FetchPolicy, roots: RootCerts) -> Self {
        let config = Agent::config_builder()
            .tls_config(TlsConfig::builder().root_certs(roots).build())
            .proxy(None)
            .max_redirects(0)
            .http_status_as_error(false)
            .https_only(!policy.allow_http)
            .user_agent(USER_AGENT)
            .accept_encoding("identity")
            .max_response_header_size(MAX_RESPONSE_HEADER_BYTES)
            .timeout_resolve(Some(policy.connect_timeout))
            .timeout_connect(Some(policy.connect_timeout))
            .timeout_global(Some(policy.total_timeout))
            .build();
        let resolver = GuardedResolver {
            policy: policy.clone(),
            inner: DefaultResolver::default(),
        };
        let agent = Agent::with_parts(config, DefaultConnector::default(), resolver);
        Self { agent, policy }
    }

    /// The policy this fetcher follows.
    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    fn fetch_one(
        &self,
        url: &str,
        request: &Request<'_>,
        remaining: Duration,
    ) -> Result<Step, FetchError> {
        let mut response = self
            .agent
            .get(url)
            .header("Accept", request.accept)
            .config()
            .timeout_global(Some(remaining))
            .build()
            .call()
            .map_err(|e| map_error(url, e, request.max_bytes))?;
        let status = response.status().as_u16();
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| FetchError::Transport {
                    url: truncate(url),
                    reason: format!("redirect {status} without a usable Location header"),
                })?;
            return Ok(Step::Redirect(obi_ld::iri::resolve(location, url)));
        }
        if !(200..300).contains(&status) {
            return Err(FetchError::Status {
                url: truncate(url),
                status,
            });
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let limit = u64::try_from(request.max_bytes).unwrap_or(u64::MAX);
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| map_error(url, e, request.max_bytes))?;
        Ok(Step::Done(Response::new(url, content_type, body)))
    }
}

enum Step {
    Redirect(String),
    Done(Response),
}

fn map_error(url: &str, error: ureq::Error, max_bytes: usize) -> FetchError {
    let url = truncate(url);
    match error {
        ureq::Error::Other(inner) => match inner.downcast::<Refused>() {
            Ok(refused) => FetchError::ForbiddenAddress {
                url,
                address: refused.address,
            },
            Err(other) => FetchError::Transport {
                url,
                reason: other.to_string(),
            },
        },
        ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge {
            url,
            limit: max_bytes,
        },
        ureq::Error::Timeout(which) => FetchError::Transport {
            url,
            reason: format!("timed out ({which}) under the fetch policy's timeouts"),
        },
        ureq::Error::HostNotFound => FetchError::Transport {
            url,
            reason: "host not found".to_owned(),
        },
        ureq::Error::BadUri(reason) => FetchError::InvalidUrl { url, reason },
        ureq::Error::RequireHttpsOnly(_) => FetchError::InvalidUrl {
            url,
            reason: "plain http is not allowed by the fetch policy (https only)".to_owned(),
        },
        other => FetchError::Transport {
            url,
            reason: other.to_string(),
        },
    }
}

impl Fetch for HttpFetcher {
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        let start = Instant::now();
        let total = self.policy.total_timeout;
        let mut url = request.url.to_owned();
        let mut redirects = 0_u32;
        loop {
            self.policy.check_url(&url)?;
            let remaining = total.saturating_sub(start.elapsed());
            if remaining.is_zero() {
                return Err(FetchError::Transport {
                    url: truncate(request.url),
                    reason: format!("timed out after the {total:?} total timeout"),
                });
            }
            match self.fetch_one(&url, request, remaining)? {
                Step::Done(response) => return Ok(response),
                Step::Redirect(next) => {
                    redirects += 1;
                    if redirects > self.policy.max_redirects {
                        return Err(FetchError::Transport {
                            url: truncate(request.url),
                            reason: format!(
                                "more than {} redirects (the fetch policy's max_redirects)",
                                self.policy.max_redirects
                            ),
                        });
                    }
                    url = next;
                }
            }
        }
    }
}
