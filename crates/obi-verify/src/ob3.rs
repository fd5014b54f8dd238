//! Open Badges 3.0 verification: a Verifiable Credential (VCDM 1.1 or 2.0) as JSON with Data
//! Integrity proofs, or as a VC-JWT.
//!
//! Checks, in order (each writes messages under its name in [`checks`]): JSON Schema, types,
//! contexts, validity period, proof and key binding, credential status, credential schema,
//! recipient, embedded endorsements, refresh service.
//! Spec: <https://www.imsglobal.org/spec/ob/v3p0/#verification-and-validation>.

use serde_json::Value;

use crate::context::VerifyContext;
use crate::report::Level;

/// The names of the OB 3.0 checks.
pub mod checks {
    /// The pinned OB 3.0 AchievementCredential JSON Schema.
    pub const JSON_SCHEMA: &str = "OB3_JSON_SCHEMA";
    /// `type` holds `VerifiableCredential` and an Open Badges credential type.
    pub const VC_TYPE: &str = "VC_TYPE";
    /// `@context`: the VC context first, the OB 3.0 context after it.
    pub const VC_CONTEXT: &str = "VC_CONTEXT";
    /// The dates are well formed.
    pub const VC_DATES: &str = "VC_DATES";
    /// `validFrom`/`issuanceDate` is in the future.
    pub const NOT_YET_VALID: &str = "CREDENTIAL_NOT_YET_VALID";
    /// `validUntil`/`expirationDate` is in the past.
    pub const EXPIRED: &str = "CREDENTIAL_EXPIRED";
    /// The proof (Data Integrity or VC-JWT signature).
    pub const VERIFY_SIGNATURE: &str = "VERIFY_SIGNATURE";
    /// The verification method belongs to the issuer.
    pub const ISSUER_KEY: &str = "ISSUER_KEY_BINDING";
    /// `credentialStatus`: revocation or suspension lists.
    pub const CREDENTIAL_STATUS: &str = "CREDENTIAL_STATUS";
    /// `credentialSchema` entries.
    pub const CREDENTIAL_SCHEMA: &str = "CREDENTIAL_SCHEMA";
    /// The recipient the caller expects.
    pub const RECIPIENT: &str = "VERIFY_RECIPIENT_IDENTIFIER";
    /// Embedded endorsements.
    pub const ENDORSEMENT: &str = "VERIFY_ENDORSEMENT";
    /// `refreshService` is offered.
    pub const REFRESH_SERVICE: &str = "REFRESH_SERVICE";
}

/// The Open Badges credential types, one of which must be present.
pub(crate) const OB_TYPES: [&str; 3] = [
    "OpenBadgeCredential",
    "AchievementCredential",
    "EndorsementCredential",
];

/// Verifies an OB 3.0 credential given as JSON (Data Integrity proof). The credential ends
/// in the report's graph (moved, not copied).
pub(crate) fn verify_credential(mut value: Value, ctx: &mut VerifyContext<'_>) {
    let node_id = value.get("id").and_then(Value::as_str).map(str::to_owned);
    check_model(&mut value, node_id.as_deref(), ctx);
    check_proof(&value, node_id.as_deref(), ctx);
    check_rest(&value, node_id.as_deref(), ctx);
    ctx.report.graph.push(value);
}

/// Verifies an OB 3.0 credential given as a VC-JWT.
pub(crate) fn verify_vc_jwt(jws: &str, ctx: &mut VerifyContext<'_>) {
    let fetcher = ctx.proof_fetcher();
    let resolver = obi_proof::Resolver::new().with_fetcher(&fetcher);
    let now = ctx.options.now().timestamp();
    let result = obi_proof::verify_vc_jwt(jws, &resolver, &obi_proof::JwsLimits::new(), now);
    match result {
        Ok(verified) => {
            let mut credential = verified.credential;
            let node_id = credential
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_owned);
            ctx.node(
                Level::Info,
                checks::VERIFY_SIGNATURE,
                node_id.as_deref(),
                format!(
                    "VC-JWT {} signature verified",
                    verified
                        .header
                        .get("alg")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                ),
            );
            check_model(&mut credential, node_id.as_deref(), ctx);
            if credential.get("proof").is_some() {
                check_proof(&credential, node_id.as_deref(), ctx);
            }
            check_rest(&credential, node_id.as_deref(), ctx);
            ctx.report.graph.push(credential);
        }
        Err(e) => {
            if could_not_run(&e) {
                ctx.report.incomplete = true;
            }
            ctx.error(
                checks::VERIFY_SIGNATURE,
                format!("the VC-JWT does not verify: {e}"),
            );
            // Still report what the (unverified) payload says about its dates, and keep it in
            // the graph, for a relying party reading the report.
            if let Ok(parsed) = obi_proof::Jws::parse(jws)
                && let Ok(claims) = obi_model::json::parse(parsed.payload())
            {
                let credential = claims.get("vc").cloned().unwrap_or_else(|| claims.clone());
                let node_id = credential
                    .get("id")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                check_dates(&credential, node_id.as_deref(), ctx);
                ctx.report.graph.push(claims);
            }
        }
    }
}

/// Schema, types, contexts and dates. `value` is only borrowed mutably for the schema check,
/// which restores it (see [`check_schema`]).
fn check_model(value: &mut Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    check_schema(value, node_id, ctx);
    check_types(value, node_id, ctx);
    check_contexts(value, node_id, ctx);
    check_dates(value, node_id, ctx);
}

/// Status, credential schema, recipient, endorsements, refresh service.
fn check_rest(value: &Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    crate::status::check_status(value, node_id, ctx);
    check_credential_schema(value, node_id, ctx);
    check_recipient(value, node_id, ctx);
    check_endorsements(value, ctx);
    if let Some(refresh) = value.get("refreshService") {
        let id = refresh.get("id").and_then(Value::as_str).unwrap_or("?");
        ctx.node(
            Level::Info,
            checks::REFRESH_SERVICE,
            node_id,
            format!("a refresh service is offered at {id}"),
        );
    }
}

fn is_endorsement(value: &Value) -> bool {
    crate::dispatch::has_type(value, "EndorsementCredential")
}

/// Validates against the pinned schema. Single-object proofs are wrapped in arrays in place
/// for the check and unwrapped after it, so the credential is not copied.
fn check_schema(value: &mut Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    if is_endorsement(value) {
        // The pinned schema is the AchievementCredential one; endorsements have their own.
        return;
    }
    let wrapped = wrap_proofs(value);
    let result = obi_model::schema::validate_ob3(value);
    if wrapped {
        unwrap_proofs(value);
    }
    // The pinned 3.0.3 schema is written for VCDM 2.0; a VCDM 1.1 credential (OB 3.0.0-3.0.2)
    // is checked against it except for the two VCDM 2.0 requirements it cannot meet.
    let vcdm11 = first_context(value) == Some(obi_model::ob3::CONTEXT_VC_V1);
    match result {
        Ok(errors) => {
            for e in errors {
                if vcdm11
                    && (e.instance_path == "/@context/0"
                        || (e.keyword == "required" && e.message.contains("\"validFrom\"")))
                {
                    continue;
                }
                ctx.node(Level::Error, checks::JSON_SCHEMA, node_id, e.to_string());
            }
        }
        Err(e) => ctx.node(Level::Error, checks::JSON_SCHEMA, node_id, e.to_string()),
    }
}

/// The marker [`wrap_proofs`] leaves on the arrays it makes, so that [`unwrap_proofs`] undoes
/// exactly those (an issuer's own one-element proof array stays as written).
const WRAPPED: &str = "\u{0}obi-wrapped-proof";

/// Wraps every single-object `proof` in `value` in an array; returns whether any was. The
/// 1EdTech schema declares `proof` an array, while VCDM 2.0 §4.12 (and JSON-LD: one value is
/// a set of one) allows a single proof object, which is what the OB 3.0 examples and issuers
/// write. The wrapped object gets a [`WRAPPED`] member, removed by [`unwrap_proofs`]; the
/// schema's proof definition allows additional properties, so it changes no verdict.
fn wrap_proofs(value: &mut Value) -> bool {
    let mut any = false;
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "proof" && v.is_object() {
                    if let Some(obj) = v.as_object_mut() {
                        obj.insert(WRAPPED.to_owned(), Value::Bool(true));
                    }
                    *v = Value::Array(vec![v.take()]);
                    any = true;
                }
                any |= wrap_proofs(v);
            }
        }
        Value::Array(items) => {
            for item in items {
                any |= wrap_proofs(item);
            }
        }
        _ => {}
    }
    any
}

/// Undoes [`wrap_proofs`].
fn unwrap_proofs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "proof"
                    && let Value::Array(items) = v
                    && items.len() == 1
                    && let Some(obj) = items[0].as_object_mut()
                    && obj.shift_remove(WRAPPED).is_some()
                {
                    *v = items.remove(0);
                }
                unwrap_proofs(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_proofs),
        _ => {}
    }
}

fn first_context(value: &Value) -> Option<&str> {
    value
        .get("@context")
        .and_then(|c| c.get(0).or(Some(c)))
        .and_then(Value::as_str)
}

fn types(value: &Value) -> Vec<&str> {
    match value.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn check_types(value: &Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    let t = types(value);
    if !t.contains(&"VerifiableCredential") {
        ctx.node(
            Level::Error,
            checks::VC_TYPE,
            node_id,
            "type does not include VerifiableCredential",
        );
    }
    if !t.iter().any(|t| OB_TYPES.contains(t)) {
        ctx.node(
            Level::Error,
            checks::VC_TYPE,
            node_id,
            "type includes none of OpenBadgeCredential, AchievementCredential, EndorsementCredential",
        );
    }
}

fn check_contexts(value: &Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    let contexts: Vec<&Value> = match value.get("@context") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    let first = contexts.first().and_then(|c| c.as_str());
    let vc_first = matches!(
        first,
        Some(obi_model::ob3::CONTEXT_VC_V2 | obi_model::ob3::CONTEXT_VC_V1)
    );
    if !vc_first {
        ctx.node(
            Level::Error,
            checks::VC_CONTEXT,
            node_id,
            format!(
                "the first @context entry must be {} (or {} for VCDM 1.1), found {}",
                obi_model::ob3::CONTEXT_VC_V2,
                obi_model::ob3::CONTEXT_VC_V1,
                first.unwrap_or("none")
            ),
        );
    }
    let ob_prefix = "https://purl.imsglobal.org/spec/ob/v3p0/context";
    let ob_pos = contexts
        .iter()
        .position(|c| c.as_str().is_some_and(|s| s.starts_with(ob_prefix)));
    match ob_pos {
        Some(i) if i > 1 => ctx.node(
            Level::Error,
            checks::VC_CONTEXT,
            node_id,
            format!("the Open Badges 3.0 context must be the second @context entry, found at position {}", i + 1),
        ),
        None => ctx.node(
            Level::Error,
            checks::VC_CONTEXT,
            node_id,
            format!(
                "@context does not include the Open Badges 3.0 context ({ob_prefix}-3.0.x.json)"
            ),
        ),
        Some(0) if vc_first => {}
        Some(0) => ctx.node(
            Level::Error,
            checks::VC_CONTEXT,
            node_id,
            "the Open Badges 3.0 context must come after the VC context",
        ),
        Some(_) => {}
    }
}

fn parse_date(
    value: &Value,
    name: &str,
    node_id: Option<&str>,
    ctx: &mut VerifyContext<'_>,
) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let raw = value.get(name)?;
    let Some(text) = raw.as_str() else {
        ctx.node(
            Level::Error,
            checks::VC_DATES,
            node_id,
            format!("{name} is not a string"),
        );
        return None;
    };
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) => Some(t),
        Err(e) => {
            ctx.node(
                Level::Error,
                checks::VC_DATES,
                node_id,
                format!("{name} {text:?} is not an RFC 3339 date-time: {e}"),
            );
            None
        }
    }
}

fn check_dates(value: &Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    let v1 = first_context(value) == Some(obi_model::ob3::CONTEXT_VC_V1);
    let (from_name, until_name) = if v1 {
        ("issuanceDate", "expirationDate")
    } else {
        ("validFrom", "validUntil")
    };
    let (other_from, other_until) = if v1 {
        ("validFrom", "validUntil")
    } else {
        ("issuanceDate", "expirationDate")
    };
    for name in [other_from, other_until] {
        if value.get(name).is_some() {
            ctx.node(
                Level::Warning,
                checks::VC_DATES,
                node_id,
                format!(
                    "{name} belongs to the other VC data model version; this credential's context uses {from_name}/{until_name}"
                ),
            );
        }
    }
    let from = parse_date(value, from_name, node_id, ctx)
        .or_else(|| parse_date(value, other_from, node_id, ctx));
    let until = parse_date(value, until_name, node_id, ctx)
        .or_else(|| parse_date(value, other_until, node_id, ctx));
    if from.is_none() && value.get(from_name).is_none() && value.get(other_from).is_none() {
        ctx.node(
            Level::Error,
            checks::VC_DATES,
            node_id,
            format!("the credential has no {from_name}"),
        );
    }
    let now = ctx.options.now();
    if let Some(from) = from
        && from > now
    {
        ctx.node(
            Level::Error,
            checks::NOT_YET_VALID,
            node_id,
            format!("the credential is not valid before {}", from.to_rfc3339()),
        );
    }
    if let Some(until) = until
        && until < now
    {
        ctx.node(
            Level::Error,
            checks::EXPIRED,
            node_id,
            format!("the credential expired at {}", until.to_rfc3339()),
        );
    }
    if let (Some(from), Some(until)) = (from, until)
        && until < from
    {
        ctx.node(
            Level::Error,
            checks::VC_DATES,
            node_id,
            format!("{until_name} is before {from_name}"),
        );
    }
}

/// The issuer id: `issuer` as a string, or its `id`.
pub(crate) fn issuer_id(value: &Value) -> Option<&str> {
    match value.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(obj) => obj.get("id").and_then(Value::as_str),
        None => None,
    }
}

/// Verifies the Data Integrity proofs of `value` (a credential, an endorsement, a status list
/// credential) and that each verification method belongs to the issuer. Returns true when
/// every proof verified; writes messages under `name` (and [`checks::ISSUER_KEY`]).
pub(crate) fn verify_data_integrity(
    value: &Value,
    node_id: Option<&str>,
    name: &str,
    what: &str,
    ctx: &mut VerifyContext<'_>,
) -> bool {
    if value.get("proof").is_none() {
        ctx.node(Level::Error, name, node_id, format!("{what} has no proof"));
        return false;
    }
    let fetcher = ctx.proof_fetcher();
    let resolver = obi_proof::Resolver::new().with_fetcher(&fetcher);
    let canon = ctx.options.canonicalizer.clone();
    let result = obi_proof::verify_proofs(
        value,
        obi_proof::ASSERTION_METHOD,
        &resolver,
        canon.as_ref(),
    );
    match result {
        Ok(proofs) => {
            let issuer = issuer_id(value).unwrap_or_default().to_owned();
            let mut ok = true;
            for p in &proofs {
                let controller = method_controller(&p.verification_method, ctx);
                if controller != issuer {
                    ok = false;
                    ctx.node(
                        Level::Error,
                        checks::ISSUER_KEY,
                        node_id,
                        format!(
                            "{what}: the verification method {} is not controlled by the issuer {issuer}",
                            p.verification_method
                        ),
                    );
                }
                ctx.node(
                    Level::Info,
                    name,
                    node_id,
                    format!(
                        "{what}: {} proof by {} verified",
                        p.suite.name(),
                        p.verification_method
                    ),
                );
            }
            ok
        }
        Err(e) => {
            let text = format!("{what}: the proof does not verify: {e}");
            if could_not_run(&e) {
                ctx.report.incomplete = true;
            }
            ctx.node(Level::Error, name, node_id, text);
            false
        }
    }
}

/// The controller of verification method `vm` (which the resolver has already found to
/// authorize it): the part before `#` for a method inside a controller or DID document; for
/// an HTTPS key document (a method whose id is its document's URL), the base of that
/// document's `controller`.
pub(crate) fn method_controller(vm: &str, ctx: &VerifyContext<'_>) -> String {
    let base = vm.split('#').next().unwrap_or_default();
    if !base.starts_with("https://") {
        return base.to_owned();
    }
    let doc = obi_proof::Fetcher::fetch(&ctx.proof_fetcher(), base, 256 * 1024)
        .ok()
        .and_then(|body| obi_model::json::parse(&body).ok());
    match doc {
        Some(doc) if doc.get("id").and_then(Value::as_str) == Some(vm) => doc
            .get("controller")
            .and_then(Value::as_str)
            .map_or(base, |c| c.split('#').next().unwrap_or_default())
            .to_owned(),
        _ => base.to_owned(),
    }
}

/// Could the proof check not run (rather than find the proof wrong)? A context or key obi
/// cannot load, an unsupported proof type or verification method, a fetch that failed.
pub(crate) fn could_not_run(e: &obi_proof::ProofError) -> bool {
    use obi_proof::{ProofError as P, ResolveError as R};
    matches!(
        e,
        P::Canonicalization(_)
            | P::Unsupported(_)
            | P::Resolve(
                R::Offline(_) | R::Unsupported { .. } | R::Fetch { .. } | R::TooLarge { .. }
            )
    )
}

fn check_proof(value: &Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    verify_data_integrity(
        value,
        node_id,
        checks::VERIFY_SIGNATURE,
        "the credential",
        ctx,
    );
}

fn check_credential_schema(value: &Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    let entries: Vec<&Value> = match value.get("credentialSchema") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => return,
    };
    for entry in entries {
        let id = entry.get("id").and_then(Value::as_str).unwrap_or_default();
        let ty = entry
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if ty != "1EdTechJsonSchemaValidator2019" {
            ctx.node(
                Level::Warning,
                checks::CREDENTIAL_SCHEMA,
                node_id,
                format!("credentialSchema {id}: type {ty:?} is not supported; not checked"),
            );
            continue;
        }
        if id == obi_model::schema::OB3_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID {
            // Already validated by the JSON Schema check (the same pinned schema).
            ctx.node(
                Level::Info,
                checks::CREDENTIAL_SCHEMA,
                node_id,
                format!("credentialSchema {id}: validated against the pinned schema"),
            );
        } else {
            // Only the pinned schema is checked: fetching and compiling arbitrary remote
            // schemas is not done (offline or not).
            ctx.node(
                Level::Warning,
                checks::CREDENTIAL_SCHEMA,
                node_id,
                format!("credentialSchema {id}: not a pinned schema; not checked"),
            );
        }
    }
}

fn check_recipient(value: &Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    let Some(expected) = ctx.options.recipient.clone() else {
        return;
    };
    let subjects: Vec<&Value> = match value.get("credentialSubject") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    let wanted_type = match expected.kind() {
        "email" => "emailAddress",
        "url" => "url",
        _ => "phone",
    };
    let mut found = false;
    for subject in subjects {
        if let Some(id) = subject.get("id").and_then(Value::as_str) {
            let plain = id
                .strip_prefix("mailto:")
                .or_else(|| id.strip_prefix("tel:"))
                .unwrap_or(id);
            if crate::recipient::same_identity(&expected, plain) {
                found = true;
            }
        }
        let identifiers: Vec<&Value> = match subject.get("identifier") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(v) => vec![v],
            None => Vec::new(),
        };
        for ident in identifiers {
            let ty = ident
                .get("identityType")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if ty != wanted_type {
                continue;
            }
            let hash = ident
                .get("identityHash")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let hashed = ident
                .get("hashed")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let salt = ident.get("salt").and_then(Value::as_str);
            if crate::recipient::matches(&expected, hash, hashed, salt) {
                found = true;
            }
        }
    }
    if found {
        ctx.node(
            Level::Info,
            checks::RECIPIENT,
            node_id,
            format!(
                "issued to the expected {} {}",
                expected.kind(),
                expected.value()
            ),
        );
    } else {
        ctx.node(
            Level::Error,
            checks::RECIPIENT,
            node_id,
            format!(
                "not issued to the expected {} {}",
                expected.kind(),
                expected.value()
            ),
        );
    }
}

fn check_endorsements(value: &Value, ctx: &mut VerifyContext<'_>) {
    fn collect<'v>(found: &mut Vec<&'v Value>, v: Option<&'v Value>) {
        match v {
            Some(Value::Array(items)) => found.extend(items.iter()),
            Some(v @ Value::Object(_)) => found.push(v),
            _ => {}
        }
    }
    let mut found: Vec<&Value> = Vec::new();
    collect(&mut found, value.get("endorsement"));
    if let Some(subject) = value.get("credentialSubject") {
        collect(
            &mut found,
            subject
                .get("achievement")
                .and_then(|a| a.get("endorsement")),
        );
    }
    if let Some(issuer) = value.get("issuer").filter(|i| i.is_object()) {
        collect(&mut found, issuer.get("endorsement"));
    }
    if let Some(jwts) = value.get("endorsementJwt").and_then(Value::as_array) {
        found.extend(jwts.iter());
    }
    if found.is_empty() {
        return;
    }
    if ctx.depth >= ctx.options.max_endorsement_depth {
        ctx.warning(
            checks::ENDORSEMENT,
            format!(
                "{} endorsement(s) not verified: the max_endorsement_depth limit of {} is reached",
                found.len(),
                ctx.options.max_endorsement_depth
            ),
        );
        return;
    }
    for endorsement in found {
        let mut nested = ctx.nested();
        match endorsement {
            Value::String(s) => verify_vc_jwt(s.trim(), &mut nested),
            v => verify_credential(v.clone(), &mut nested),
        }
        let id = endorsement
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("(no id)")
            .to_owned();
        if nested.report.valid {
            ctx.info(checks::ENDORSEMENT, format!("endorsement {id} verified"));
        } else {
            let reasons: Vec<String> = nested
                .report
                .messages
                .iter()
                .filter(|m| m.level == Level::Error)
                .map(|m| format!("{}: {}", m.name, m.result))
                .collect();
            ctx.warning(
                checks::ENDORSEMENT,
                format!("endorsement {id} does not verify: {}", reasons.join("; ")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn proofs_are_wrapped_for_the_schema_and_restored_exactly() {
        let original = json!({
            "id": "urn:x",
            "proof": {"type": "DataIntegrityProof", "proofValue": "z1"},
            "credentialSubject": {"achievement": {"endorsement": [{
                "id": "urn:e",
                "proof": {"type": "DataIntegrityProof", "created": "2025-01-01T00:00:00Z"},
                "name": "after the proof"
            }]}},
            "other": {"proof": [{"type": "already an array"}]}
        });
        let mut value = original.clone();
        assert!(wrap_proofs(&mut value));
        assert!(value["proof"].is_array());
        assert!(value["credentialSubject"]["achievement"]["endorsement"][0]["proof"].is_array());
        unwrap_proofs(&mut value);
        assert_eq!(value, original);
        // Key order is kept too (the report's graph shows the document as received).
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            serde_json::to_string(&original).unwrap()
        );
        let mut arrays_only = json!({"proof": [{"type": "x"}]});
        assert!(!wrap_proofs(&mut arrays_only));
    }
}
