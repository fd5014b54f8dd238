//! The state one verification carries: options, the report being written, nesting depth.

use obi_fetch::{FetchError, Request, Response};
use serde_json::Value;

use crate::options::Options;
use crate::report::{Level, Report};

/// Check name for a document that could not be fetched.
pub const FETCH_DOCUMENT: &str = "FETCH_DOCUMENT";

/// The state of one verification, passed to every check.
///
/// Checks write findings with [`VerifyContext::error`], [`VerifyContext::warning`],
/// [`VerifyContext::info`] (or through `report` directly), fetch through
/// [`VerifyContext::fetch_json`] (which writes the ERROR naming the URL itself when the
/// document is missing) and add the documents they looked at to `report.graph`.
pub(crate) struct VerifyContext<'a> {
    /// What the caller allows.
    pub(crate) options: &'a Options,
    /// The report being written.
    pub(crate) report: Report,
    /// How deep in embedded endorsements this verification is (0 for the input itself).
    pub(crate) depth: usize,
    /// The URL the input was fetched from, if it was (OB 2.0 hosted verification compares
    /// the assertion `id` with it).
    pub(crate) source_url: Option<String>,
}

impl<'a> VerifyContext<'a> {
    /// A fresh context at depth 0.
    pub(crate) fn new(options: &'a Options) -> Self {
        Self {
            options,
            report: Report::new(),
            depth: 0,
            source_url: None,
        }
    }

    /// A context for a nested document (an endorsement) one level deeper, with its own report.
    pub(crate) fn nested(&self) -> VerifyContext<'a> {
        VerifyContext {
            options: self.options,
            report: Report::new(),
            depth: self.depth + 1,
            source_url: None,
        }
    }

    /// Adds an ERROR from check `name`.
    pub(crate) fn error(&mut self, name: &str, result: impl Into<String>) {
        self.report.error(name, result);
    }

    /// Adds a WARNING from check `name`.
    pub(crate) fn warning(&mut self, name: &str, result: impl Into<String>) {
        self.report.warning(name, result);
    }

    /// Adds an INFO from check `name`.
    pub(crate) fn info(&mut self, name: &str, result: impl Into<String>) {
        self.report.info(name, result);
    }

    /// Adds a message of `level` from check `name` about node `node_id`.
    pub(crate) fn node(
        &mut self,
        level: Level,
        name: &str,
        node_id: Option<&str>,
        result: impl Into<String>,
    ) {
        self.report.node(level, name, node_id, result);
    }

    /// Fetches `url` with the options' fetcher; no message is written.
    pub(crate) fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        self.options.fetcher.fetch(request)
    }

    /// Fetches `url` as JSON (bounded parse). On failure writes an ERROR from check `name`
    /// naming the URL and the cause, and returns `None`.
    pub(crate) fn fetch_json(&mut self, name: &str, url: &str) -> Option<Value> {
        let response = match self.fetch(&Request::json(url)) {
            Ok(r) => r,
            Err(e) => {
                self.report
                    .could_not_run(name, format!("could not fetch {url}: {e}"));
                return None;
            }
        };
        match obi_model::json::parse(&response.body) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(name, format!("{url} is not valid JSON: {e}"));
                None
            }
        }
    }

    /// An adapter so obi-proof's key resolver fetches through the options' fetcher.
    pub(crate) fn proof_fetcher(&self) -> ProofFetcher<'_> {
        ProofFetcher(self.options)
    }
}

/// [`obi_proof::Fetcher`] over the options' [`obi_fetch::Fetch`].
pub(crate) struct ProofFetcher<'a>(&'a Options);

impl obi_proof::Fetcher for ProofFetcher<'_> {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        let request = Request::json(url)
            .with_accept("application/did+ld+json, application/ld+json, application/json;q=0.9")
            .with_max_bytes(max_bytes);
        self.0
            .fetcher
            .fetch(&request)
            .map(|r| r.body)
            .map_err(|e| e.to_string())
    }
}
