//! Open Badges 2.0 verification (and 0.5/1.0/1.1, upgraded on read): the checks of the
//! 1EdTech validator (validator-core), with its check names, and a few stricter ones.
//!
//! Steps, in the order they run (see the
//! [verification section](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#BadgeVerification)
//! of the spec):
//! 1. Upgrade on read ([`obi_model::upgrade`]); every change is an INFO (`UPGRADE_*_NODE`).
//! 2. JSON-LD compaction with the OB 2.0 context (`JSONLD_COMPACT_DATA`, [`jsonld`]): the
//!    checks read the compacted document, so other contexts, aliases, full IRIs and `@graph`
//!    verify as the canonical form; a context that changes an OB 2.0 term's meaning is an
//!    ERROR. Node classes and property value
//!    classes ([`classes`]: `VALIDATE_PROPERTY`, `VALIDATE_RDF_TYPE_PROPERTY`, ...).
//! 3. The BadgeClass and its issuer Profile, fetched when they are IRIs (`FETCH_HTTP_NODE`).
//! 4. Hosted: the assertion is fetched from its `id` and must declare that id
//!    (`VERIFY_HOSTED_ASSERTION`); the id must be in the issuer's verification policy
//!    (`HOSTED_ID_IN_VERIFICATION_SCOPE`); `revoked: true` or HTTP 410 make it invalid
//!    (`VERIFY_HOSTED_ASSERTION_NOT_REVOKED`; validator-core ignores `revoked`).
//!    Signed: the JWS against `verification.creator` (`VERIFY_JWS`), the key listed by the
//!    issuer and owned by it (`VERIFY_KEY_OWNERSHIP`), the issuer's revocation list
//!    (`VALIDATE_REVOCATIONLIST_ENTRIES`, `VERIFY_SIGNED_ASSERTION_NOT_REVOKED`).
//! 5. Dates (`ASSERTION_TIMESTAMP_CHECKS`), images (`IMAGE_VALIDATION`), the expected
//!    recipient (`VERIFY_RECIPIENT_IDENTIFIER`), endorsements (`VERIFY_ENDORSEMENT`: each one
//!    found is verified; its problems are WARNINGs, the badge's verdict does not depend on it).

mod classes;
mod jsonld;
mod md5;
mod values;
mod verification;

use std::collections::HashMap;

use obi_fetch::{FetchError, Request};
use obi_model::upgrade::{ObVersion, UpgradeOptions, detect_version, upgrade_with};
use serde_json::{Map, Value};

use crate::context::VerifyContext;
use crate::options::Options;
use crate::report::{Level, Message};

/// The most documents one OB 2.0 verification fetches (badge class, issuer, key, list,
/// images, endorsements...). A graph that needs more is reported, not followed.
pub(crate) const MAX_OB2_FETCHES: usize = 32;

/// Largest image fetched for `IMAGE_VALIDATION`.
pub(crate) const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// Check name: a document could not be fetched (validator-core's name).
pub(crate) const FETCH_HTTP_NODE: &str = "FETCH_HTTP_NODE";
/// Check name: the input is not verifiable as given (validator-core's name).
pub(crate) const DETECT_INPUT_TYPE: &str = "DETECT_INPUT_TYPE";
/// Check name: the `@context` (validator-core's name for compaction).
pub(crate) const JSONLD_COMPACT_DATA: &str = "JSONLD_COMPACT_DATA";
/// Check name: the JWS could not be read (validator-core's name).
pub(crate) const PROCESS_JWS_INPUT: &str = "PROCESS_JWS_INPUT";

/// The OB 2.0 context IRIs (the canonical one and the forms documents use).
const OB2_CONTEXTS: &[&str] = &[
    "https://w3id.org/openbadges/v2",
    "https://w3id.org/openbadges/v2/",
    "https://openbadgespec.org/v2/context.json",
    "http://w3id.org/openbadges/v2",
];

/// Findings of the OB 2.0 checks, collected before they go into the report (so that the
/// findings of an endorsement can be downgraded to warnings).
#[derive(Debug, Default)]
pub(crate) struct Findings {
    messages: Vec<Message>,
}

impl Findings {
    /// Adds a finding of check `name` about node `node_id`.
    pub(crate) fn push(
        &mut self,
        level: Level,
        name: &str,
        result: impl Into<String>,
        node_id: &str,
    ) {
        let mut m = Message::new(level, name, result);
        if !node_id.is_empty() {
            m = m.with_node_id(node_id);
        }
        self.messages.push(m);
    }

    /// True when some finding is an ERROR.
    fn has_errors(&self) -> bool {
        self.messages.iter().any(|m| m.level == Level::Error)
    }
}

/// How the assertion is verified.
#[derive(Debug, Clone, Copy)]
enum Mode<'j> {
    /// Hosted at its `id`.
    Hosted,
    /// A compact JWS.
    Signed(&'j str),
}

/// The Open Badges 2.0 class of a document whose `@context` names no context obi knows,
/// told by its meaning (validator-core compacts every input with the OB 2.0 context): the
/// document is expanded and its top-level node typed `Assertion`, `BadgeClass`, `Profile`,
/// `Issuer` (under `https://w3id.org/openbadges#`) or `Endorsement`
/// (`https://w3id.org/credentials#Credential`). `None` when it cannot be expanded or has
/// none of these types.
pub(crate) fn class_by_meaning(value: &Value, options: &Options) -> Option<&'static str> {
    jsonld::class_by_meaning(value, &*options.fetcher)
}

/// Verifies an OB 0.5/1.0/1.1/2.0 JSON document (an assertion, or a badge class or issuer
/// profile on its own). Findings go into `ctx.report`.
pub(crate) fn verify_ob2(value: &Value, ctx: &mut VerifyContext<'_>) {
    let mut run = Run::new(ctx.options, ctx.depth);
    run.json(value.clone(), ctx.source_url.clone());
    run.finish(ctx);
}

/// Verifies an OB 2.0 (or 1.x) signed assertion given as a compact JWS.
pub(crate) fn verify_ob2_jws(jws: &str, ctx: &mut VerifyContext<'_>) {
    let mut run = Run::new(ctx.options, ctx.depth);
    run.jws(jws);
    run.finish(ctx);
}

/// The state of one OB 2.0 verification.
struct Run<'o> {
    options: &'o Options,
    now: chrono::DateTime<chrono::Utc>,
    f: Findings,
    graph: Vec<Value>,
    fetches: usize,
    cache: HashMap<String, Result<Value, String>>,
    depth: usize,
    version: Option<ObVersion>,
}

/// Why a fetch failed, when the caller needs to tell.
enum Fetched {
    Ok(Value),
    /// HTTP 410 Gone.
    Gone,
    Failed,
}

impl<'o> Run<'o> {
    fn new(options: &'o Options, depth: usize) -> Self {
        Self {
            options,
            now: options.now(),
            f: Findings::default(),
            graph: Vec::new(),
            fetches: 0,
            cache: HashMap::new(),
            depth,
            version: None,
        }
    }

    fn finish(self, ctx: &mut VerifyContext<'_>) {
        if let Some(v) = self.version {
            ctx.report.open_badges_version = Some(v.to_string());
        }
        for m in self.f.messages {
            ctx.report.push(m);
        }
        ctx.report.graph.extend(self.graph);
    }

    fn push_graph(&mut self, node: &Value) {
        let id = node.get("id");
        if id.is_none() || !self.graph.iter().any(|g| g.get("id") == id) {
            self.graph.push(node.clone());
        }
    }

    /// Fetches `url` as JSON; a failure is an ERROR of `FETCH_HTTP_NODE` naming the URL and
    /// what the document was needed for.
    fn fetch_json(&mut self, url: &str, what: &str) -> Fetched {
        if let Some(hit) = self.cache.get(url) {
            return match hit {
                Ok(v) => Fetched::Ok(v.clone()),
                Err(_) => Fetched::Failed,
            };
        }
        if self.fetches >= MAX_OB2_FETCHES {
            self.f.push(
                Level::Error,
                FETCH_HTTP_NODE,
                format!(
                    "not fetching the {what} at {url}: this badge needs more than MAX_OB2_FETCHES ({MAX_OB2_FETCHES}) documents"
                ),
                url,
            );
            return Fetched::Failed;
        }
        self.fetches += 1;
        let result = self.options.fetcher.fetch(&Request::json(url));
        let outcome = match result {
            Ok(response) => match obi_model::json::parse(&response.body) {
                Ok(v) => Ok(v),
                Err(e) => Err(format!("the {what} at {url} is not valid JSON: {e}")),
            },
            Err(FetchError::Status { status: 410, .. }) => {
                self.cache.insert(url.to_owned(), Err("gone".into()));
                return Fetched::Gone;
            }
            Err(e) => Err(format!("could not fetch the {what}: {e}")),
        };
        self.cache.insert(url.to_owned(), outcome.clone());
        match outcome {
            Ok(v) => Fetched::Ok(v),
            Err(why) => {
                self.f.push(Level::Error, FETCH_HTTP_NODE, why, url);
                Fetched::Failed
            }
        }
    }

    /// Fetches raw bytes (images).
    fn fetch_bytes(&mut self, url: &str, accept: &str) -> Result<Vec<u8>, String> {
        if self.fetches >= MAX_OB2_FETCHES {
            return Err(format!(
                "not fetched: this badge needs more than MAX_OB2_FETCHES ({MAX_OB2_FETCHES}) documents"
            ));
        }
        self.fetches += 1;
        let request = Request::json(url)
            .with_accept(accept)
            .with_max_bytes(MAX_IMAGE_BYTES);
        self.options
            .fetcher
            .fetch(&request)
            .map(|r| r.body)
            .map_err(|e| e.to_string())
    }

    /// Upgrades a 0.5/1.x object to 2.0; each change is an INFO. `None` (with an ERROR)
    /// when it cannot be upgraded.
    fn upgrade(
        &mut self,
        value: Value,
        source: Option<&str>,
        record_version: bool,
    ) -> Option<Value> {
        let detected = detect_version(&value);
        if detected.is_none() && value.get("@context").is_some() {
            // No @context IRI obi knows (an inline context, an alias context): read it as
            // validator-core does, compacted with the OB 2.0 context. The dispatcher only
            // sends such a document here when its expanded types are Open Badges 2.0 ones.
            if record_version {
                self.version = Some(ObVersion::V2_0);
            }
            return jsonld::compact_ob2(&mut self.f, &*self.options.fetcher, value);
        }
        let mut opts = UpgradeOptions::new();
        if let Some(s) = source
            && matches!(detected, Some(ObVersion::V0_5 | ObVersion::V1_0))
        {
            opts = opts.with_source(s);
        }
        let node_id = value
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        match upgrade_with(value, &opts) {
            Ok(up) => {
                if record_version {
                    self.version = Some(up.from);
                }
                let name = match up.from {
                    ObVersion::V0_5 => "UPGRADE_0_5_NODE",
                    ObVersion::V1_0 => "UPGRADE_1_0_NODE",
                    _ => "UPGRADE_1_1_NODE",
                };
                for change in &up.changes {
                    self.f.push(
                        Level::Info,
                        name,
                        format!("Open Badges {} object upgraded to 2.0: {change}", up.from),
                        &node_id,
                    );
                }
                jsonld::compact_ob2(&mut self.f, &*self.options.fetcher, up.value)
            }
            Err(e) => {
                if record_version {
                    self.version = detected;
                }
                self.f.push(
                    Level::Error,
                    "INTAKE_JSON",
                    format!("could not read this as an Open Badges 0.5-2.0 object: {e}"),
                    &node_id,
                );
                None
            }
        }
    }

    /// The `@context` of a top-level document must be the OB 2.0 context.
    fn context_check(&mut self, node: &Map<String, Value>) {
        let id = classes::node_label(node);
        let entries: Vec<&Value> = match node.get("@context") {
            None => {
                self.f.push(
                    Level::Error,
                    JSONLD_COMPACT_DATA,
                    format!(
                        "{id} has no @context: add \"@context\": \"https://w3id.org/openbadges/v2\""
                    ),
                    &id,
                );
                return;
            }
            Some(Value::Array(items)) => items.iter().collect(),
            Some(other) => vec![other],
        };
        let has_ob2 = entries
            .iter()
            .any(|e| e.as_str().is_some_and(|s| OB2_CONTEXTS.contains(&s)));
        if !has_ob2 {
            self.f.push(
                Level::Error,
                JSONLD_COMPACT_DATA,
                format!(
                    "the @context of {id} is not the Open Badges 2.0 context https://w3id.org/openbadges/v2"
                ),
                &id,
            );
            return;
        }
        let others = entries
            .iter()
            .filter(|e| !e.as_str().is_some_and(|s| OB2_CONTEXTS.contains(&s)))
            .count();
        if others > 0 {
            self.f.push(
                Level::Info,
                JSONLD_COMPACT_DATA,
                format!(
                    "{id} uses {others} more @context entr{} (extensions): the properties they define are kept but not checked",
                    if others == 1 { "y" } else { "ies" }
                ),
                &id,
            );
        }
    }

    /// A JSON input: hosted assertion (fetched from its id), or a badge class / profile.
    fn json(&mut self, value: Value, source: Option<String>) {
        let Some(doc) = self.upgrade(value, source.as_deref(), true) else {
            return;
        };
        let Some(node) = doc.as_object() else {
            self.f.push(
                Level::Error,
                DETECT_INPUT_TYPE,
                "the input is not a JSON object",
                "",
            );
            return;
        };
        let class = primary_class(node);
        if class == "Endorsement" {
            return self.hosted_endorsement(&doc, source.as_deref());
        }
        if class != "Assertion" {
            return self.lone_node(&doc, class);
        }
        let id = node
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let vtype = verification_type(node);
        if vtype.as_deref() == Some("SignedBadge") {
            self.f.push(
                Level::Error,
                DETECT_INPUT_TYPE,
                format!(
                    "assertion {id} is a SignedBadge given as plain JSON: its signature cannot be checked. Verify the compact JWS (the baked badge holds it)"
                ),
                &id,
            );
            self.context_check(node);
            classes::assertion(&mut self.f, node);
            return;
        }
        if !values::is_url(&id) {
            self.f.push(
                Level::Error,
                DETECT_INPUT_TYPE,
                format!(
                    "Could not determine verifiable input from provided JSON: no hosted verification URL found. A hosted assertion's id must be the http(s) URL where it is hosted (found {})",
                    classes::short(&Value::String(id.clone()))
                ),
                &id,
            );
            self.context_check(node);
            classes::assertion(&mut self.f, node);
            return;
        }
        let Some(hosted) = self.hosted_copy(&doc, &id, source.as_deref(), "assertion") else {
            return;
        };
        self.assertion(&hosted, Mode::Hosted);
    }

    /// The copy of a hosted document (`what`: "assertion", "endorsement") served at its `id`:
    /// `doc` itself when it was fetched from there, else fetched (upgraded and compacted) and
    /// compared. `None` when it cannot be had (the ERROR is written).
    fn hosted_copy(
        &mut self,
        doc: &Value,
        id: &str,
        source: Option<&str>,
        what: &str,
    ) -> Option<Value> {
        if source == Some(id) {
            return Some(doc.clone());
        }
        if let Some(s) = source {
            self.f.push(
                Level::Warning,
                "VERIFY_HOSTED_ASSERTION",
                format!(
                    "Node fetched from source {s} declared its id as {id}: fetching it from its id"
                ),
                id,
            );
        }
        match self.fetch_json(id, &format!("hosted {what}")) {
            Fetched::Ok(v) => {
                let up = self.upgrade(v, Some(id), false)?;
                if up.get("id").and_then(Value::as_str) != Some(id) {
                    self.f.push(
                        Level::Error,
                        "VERIFY_HOSTED_ASSERTION",
                        format!(
                            "the {what} hosted at {id} declares the id {}: a hosted {what}'s id must be the URL it is hosted at",
                            up.get("id").map_or_else(|| "(none)".to_owned(), classes::short)
                        ),
                        id,
                    );
                    return None;
                }
                if up != *doc {
                    self.f.push(
                        Level::Warning,
                        "VERIFY_HOSTED_ASSERTION",
                        format!(
                            "the {what} given differs from the copy hosted at {id}; the hosted copy was verified"
                        ),
                        id,
                    );
                }
                Some(up)
            }
            Fetched::Gone => {
                self.f.push(
                    Level::Error,
                    "VERIFY_HOSTED_ASSERTION_NOT_REVOKED",
                    format!("the hosted {what} {id} is gone (HTTP 410): the issuer revoked it"),
                    id,
                );
                None
            }
            Fetched::Failed => None,
        }
    }

    /// An Open Badges 2.0 `Endorsement` given as JSON: verified as hosted (fetched from its
    /// `id` and compared: a claim that differs from the hosted copy's is an ERROR).
    fn hosted_endorsement(&mut self, doc: &Value, source: Option<&str>) {
        let Some(node) = doc.as_object() else {
            return;
        };
        let id = classes::node_label(node);
        let vtype = verification_type(node);
        if vtype.as_deref() == Some("SignedBadge") || !values::is_url(&id) {
            let why = if vtype.as_deref() == Some("SignedBadge") {
                format!(
                    "endorsement {id} is a SignedBadge given as plain JSON: its signature cannot be checked. Verify the compact JWS"
                )
            } else {
                format!(
                    "Could not determine verifiable input from provided JSON: no hosted verification URL found. A hosted endorsement's id must be the http(s) URL where it is hosted (found {})",
                    classes::short(&Value::String(id.clone()))
                )
            };
            self.f.push(Level::Error, DETECT_INPUT_TYPE, why, &id);
            self.context_check(node);
            classes::endorsement(&mut self.f, node);
            return;
        }
        let Some(hosted) = self.hosted_copy(doc, &id, source, "endorsement") else {
            return;
        };
        if hosted.get("claim") != node.get("claim") {
            self.f.push(
                Level::Error,
                "VERIFY_ENDORSEMENT",
                format!(
                    "the claim of endorsement {id} differs from the copy hosted at its id: the endorser did not make this claim"
                ),
                &id,
            );
        }
        self.endorsement(&hosted, Mode::Hosted);
    }

    /// The checks of an endorsement verified on its own (hosted copy or JWS payload): its
    /// properties and issuer, then hosted (revoked flag, verification policy) or signed
    /// (signature, key ownership, the endorser's revocation list) verification.
    fn endorsement(&mut self, doc: &Value, mode: Mode<'_>) {
        let Some(node) = doc.as_object() else {
            return;
        };
        let id = classes::node_label(node);
        if !node.contains_key("@context") {
            self.context_check(node);
        }
        let issuer = verification::endorsement_common(self, doc, node);
        let issuer_node = issuer.as_ref().and_then(Value::as_object);
        let vtype = verification_type(node);
        match mode {
            Mode::Hosted => {
                if let Some(t) = &vtype
                    && t != "HostedBadge"
                {
                    self.f.push(
                        Level::Error,
                        "ASSERTION_VERIFICATION_DEPENDENCIES",
                        format!("endorsement {id} is verified as hosted but its verification type is {t}"),
                        &id,
                    );
                }
                verification::hosted_not_revoked(self, node, &id);
                if let Some(iss) = issuer_node {
                    verification::hosted_scope(self, &id, iss);
                }
            }
            Mode::Signed(compact) => {
                if let Some(t) = &vtype
                    && t != "SignedBadge"
                {
                    self.f.push(
                        Level::Error,
                        "ASSERTION_VERIFICATION_DEPENDENCIES",
                        format!("endorsement {id} is a JWS but its verification type is {t}: set it to SignedBadge"),
                        &id,
                    );
                }
                verification::signed(self, compact, node, &id, issuer_node);
            }
        }
        self.endorsements(node);
        if !self.f.has_errors() {
            let claim = node
                .get("claim")
                .and_then(|c| c.get("id"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            let by = issuer_node.map_or_else(|| "?".to_owned(), classes::node_label);
            self.f.push(
                Level::Info,
                "VERIFY_ENDORSEMENT",
                format!("endorsement {id}: {by} endorses {claim}; verified"),
                &id,
            );
        }
    }

    /// A compact JWS input.
    fn jws(&mut self, compact: &str) {
        let jws = match obi_proof::Jws::parse_with(compact, &obi_proof::JwsLimits::new()) {
            Ok(j) => j,
            Err(e) => {
                self.version = Some(ObVersion::V2_0);
                self.f.push(
                    Level::Error,
                    PROCESS_JWS_INPUT,
                    format!("not a readable compact JWS: {e}"),
                    "",
                );
                return;
            }
        };
        let payload = match obi_model::json::parse(jws.payload()) {
            Ok(v) => v,
            Err(e) => {
                self.version = Some(ObVersion::V2_0);
                self.f.push(
                    Level::Error,
                    PROCESS_JWS_INPUT,
                    format!("the JWS payload is not JSON: {e}"),
                    "",
                );
                return;
            }
        };
        if detect_version(&payload).is_none() && payload.get("@context").is_some() {
            // As the dispatcher does for JSON: read by meaning, or not an Open Badge.
            let label = payload
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            match jsonld::class_by_meaning(&payload, &*self.options.fetcher) {
                Some(class) => self.f.push(
                    Level::Info,
                    crate::dispatch::checks::DETECT_VERSION,
                    format!(
                        "the JWS payload's @context names no Open Badges context, but expanded it is an Open Badges 2.0 {class}: verified as 2.0 (compacted with the Open Badges 2.0 context)"
                    ),
                    &label,
                ),
                None => {
                    self.version = Some(ObVersion::V2_0);
                    self.f.push(
                        Level::Error,
                        crate::dispatch::checks::DETECT_VERSION,
                        "the JWS payload is not an Open Badge: its @context names neither Open Badges nor Verifiable Credentials, and expanded as JSON-LD its type is no Open Badges 2.0 class",
                        &label,
                    );
                    return;
                }
            }
        }
        let Some(doc) = self.upgrade(payload, None, true) else {
            return;
        };
        if doc
            .as_object()
            .is_some_and(|n| primary_class(n) == "Endorsement")
        {
            return self.endorsement(&doc, Mode::Signed(compact));
        }
        self.assertion(&doc, Mode::Signed(compact))
    }

    /// A badge class or profile given on its own (validator-core validates any node class).
    fn lone_node(&mut self, doc: &Value, class: &str) {
        let Some(node) = doc.as_object() else {
            return;
        };
        self.context_check(node);
        self.push_graph(doc);
        match class {
            "BadgeClass" => {
                self.badge_class(node, false);
            }
            "Profile" => {
                classes::profile(&mut self.f, node, true, false);
                self.endorsements(node);
            }
            _ => self.f.push(
                Level::Error,
                "DETECT_AND_VALIDATE_NODE_CLASS",
                format!(
                    "{} is not an Assertion, BadgeClass or Profile: set its type",
                    classes::node_label(node)
                ),
                &classes::node_label(node),
            ),
        }
    }

    /// Resolves a linked node (`badge`, `issuer`): fetched when an IRI, as is when embedded.
    fn linked(&mut self, value: Option<&Value>, what: &str, from: &str) -> Option<Value> {
        match value? {
            Value::Object(_) => value.cloned(),
            Value::String(url) if values::is_url(url) => {
                let url = url.clone();
                match self.fetch_json(&url, what) {
                    Fetched::Ok(v) => {
                        let up = self.upgrade(v, Some(&url), false)?;
                        let Some(node) = up.as_object() else {
                            self.f.push(
                                Level::Error,
                                classes::VALIDATE_EXPECTED_NODE_CLASS,
                                format!("the {what} at {url} is not a JSON object"),
                                &url,
                            );
                            return None;
                        };
                        self.context_check(node);
                        let declared = node.get("id").and_then(Value::as_str);
                        if declared != Some(url.as_str()) {
                            self.f.push(
                                Level::Warning,
                                FETCH_HTTP_NODE,
                                format!(
                                    "Node fetched from source {url} declared its id as {}",
                                    declared.unwrap_or("(none)")
                                ),
                                &url,
                            );
                        }
                        Some(up)
                    }
                    Fetched::Gone => {
                        self.f.push(
                            Level::Error,
                            FETCH_HTTP_NODE,
                            format!("the {what} at {url} is gone (HTTP 410)"),
                            &url,
                        );
                        None
                    }
                    Fetched::Failed => None,
                }
            }
            Value::String(other) => {
                // Non-URL IRIs (urn:uuid) cannot be fetched: validator-core reports the same.
                if values::is_iri(other) {
                    self.f.push(
                        Level::Error,
                        FETCH_HTTP_NODE,
                        format!("the {what} {other} of {from} is not embedded and cannot be fetched (not an http(s) URL)"),
                        from,
                    );
                }
                None
            }
            _ => None,
        }
    }

    /// Checks a badge class and its issuer; returns the issuer profile.
    fn badge_class(&mut self, bc: &Map<String, Value>, embedded: bool) -> Option<Value> {
        classes::badge_class(&mut self.f, bc, embedded);
        let bc_id = classes::node_label(bc);
        verification::image(self, bc, &bc_id, "BadgeClass", true, true);
        let issuer = self.linked(bc.get("issuer"), "issuer Profile", &bc_id);
        if let Some(issuer) = &issuer
            && let Some(node) = issuer.as_object()
        {
            let embedded = bc.get("issuer").is_some_and(Value::is_object);
            classes::profile(&mut self.f, node, true, embedded);
            self.push_graph(issuer);
        }
        self.endorsements(bc);
        if let Some(issuer) = issuer.as_ref().and_then(Value::as_object) {
            self.endorsements(issuer);
        }
        issuer
    }

    /// The checks of an assertion (hosted copy or JWS payload).
    fn assertion(&mut self, doc: &Value, mode: Mode<'_>) {
        let Some(node) = doc.as_object() else {
            self.f.push(
                Level::Error,
                DETECT_INPUT_TYPE,
                "the assertion is not a JSON object",
                "",
            );
            return;
        };
        let id = classes::node_label(node);
        self.context_check(node);
        classes::assertion(&mut self.f, node);
        self.push_graph(doc);
        if let Mode::Hosted = mode
            && let Some(t) = verification_type(node)
            && t != "HostedBadge"
        {
            self.f.push(
                Level::Error,
                "ASSERTION_VERIFICATION_DEPENDENCIES",
                format!("assertion {id} is verified as hosted but its verification type is {t}"),
                &id,
            );
        }
        let badge = self.linked(node.get("badge"), "BadgeClass", &id);
        let mut issuer = None;
        if let Some(bc) = &badge
            && let Some(bc_node) = bc.as_object()
        {
            self.push_graph(bc);
            let embedded = node.get("badge").is_some_and(Value::is_object);
            issuer = self.badge_class(bc_node, embedded);
        }
        verification::timestamps(self, node, &id);
        verification::image(self, node, &id, "Assertion", false, false);
        let issuer_node = issuer.as_ref().and_then(Value::as_object);
        match mode {
            Mode::Hosted => {
                verification::hosted_not_revoked(self, node, &id);
                if let Some(iss) = issuer_node {
                    verification::hosted_scope(self, &id, iss);
                }
            }
            Mode::Signed(compact) => {
                if let Some(t) = verification_type(node)
                    && t != "SignedBadge"
                {
                    self.f.push(
                        Level::Error,
                        "ASSERTION_VERIFICATION_DEPENDENCIES",
                        format!("assertion {id} is a JWS but its verification type is {t}: set it to SignedBadge"),
                        &id,
                    );
                }
                verification::signed(self, compact, node, &id, issuer_node);
            }
        }
        verification::recipient(self, node, &id);
        self.endorsements(node);
    }

    /// Verifies every endorsement of `node` (`endorsement` property); problems are WARNINGs.
    fn endorsements(&mut self, node: &Map<String, Value>) {
        let Some(value) = node.get("endorsement") else {
            return;
        };
        let endorsed = classes::node_label(node);
        for e in classes::values_of(value) {
            if self.depth >= self.options.max_endorsement_depth {
                self.f.push(
                    Level::Info,
                    "VERIFY_ENDORSEMENT",
                    format!(
                        "endorsement of {endorsed} not verified: max_endorsement_depth ({}) reached",
                        self.options.max_endorsement_depth
                    ),
                    &endorsed,
                );
                continue;
            }
            verification::endorsement(self, e, &endorsed);
        }
    }
}

/// The primary class a top-level document declares: `Assertion` (also when it has no type
/// but a recipient), `Endorsement`, `BadgeClass`, `Profile` (or `Issuer`), else `unknown`.
fn primary_class(node: &Map<String, Value>) -> &'static str {
    let types: Vec<&str> = node
        .get("type")
        .map(classes::values_of)
        .unwrap_or_default()
        .into_iter()
        .filter_map(Value::as_str)
        .map(values::compact_type)
        .collect();
    if types.contains(&"Assertion") || node.contains_key("recipient") {
        "Assertion"
    } else if types.contains(&"Endorsement") {
        "Endorsement"
    } else if types.contains(&"BadgeClass") {
        "BadgeClass"
    } else if types.contains(&"Profile") || types.contains(&"Issuer") {
        "Profile"
    } else if types.is_empty() {
        "Assertion"
    } else {
        "unknown"
    }
}

/// `verification.type` as the context term (`HostedBadge` / `SignedBadge`).
fn verification_type(node: &Map<String, Value>) -> Option<String> {
    let t = node.get("verification")?.get("type")?;
    let t = classes::values_of(t).into_iter().find_map(Value::as_str)?;
    Some(values::compact_type(t).to_owned())
}
