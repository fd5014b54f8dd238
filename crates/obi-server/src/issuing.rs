//! Building and signing awards; single awards and bulk jobs share this.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{AppState, CREDENTIALS_V2, MAX_TEXT_CHARS, OB3_CONTEXT};
use crate::error::AppError;
use crate::records::{AchievementRecord, IssuerRecord};

/// The OB 2.0 JSON-LD context.
pub(crate) const OB2_CONTEXT: &str = "https://w3id.org/openbadges/v2";
/// Most evidence URLs on one award.
pub(crate) const MAX_EVIDENCE: usize = 32;

/// How an award is made and hosted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AwardFormat {
    /// OB 3.0, eddsa-rdfc-2022 with the issuer's did:web key, revocable through the status
    /// list; hosted at `/credentials/{id}`.
    Ob3,
    /// OB 2.0 hosted assertion at `/assertions/{id}` (revoked: `revoked: true`).
    Ob2Hosted,
    /// OB 2.0 signed assertion (RS256 compact JWS with the issuer's OB 2.0 key); revoked ones
    /// are listed in the issuer's RevocationList.
    Ob2Signed,
}

impl AwardFormat {
    pub(crate) fn parse(text: Option<&str>) -> Result<Self, AppError> {
        match text.unwrap_or("ob3") {
            "ob3" => Ok(Self::Ob3),
            "ob2-hosted" => Ok(Self::Ob2Hosted),
            "ob2-signed" => Ok(Self::Ob2Signed),
            other => Err(AppError::BadRequest(format!(
                "format {:?} is not one of ob3, ob2-hosted, ob2-signed",
                other.chars().take(40).collect::<String>()
            ))),
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Ob3 => "ob3",
            Self::Ob2Hosted => "ob2-hosted",
            Self::Ob2Signed => "ob2-signed",
        }
    }

    /// The hosted URL path of award `id`.
    pub(crate) fn path(self, id: &str) -> String {
        match self {
            Self::Ob3 => format!("/credentials/{id}"),
            Self::Ob2Hosted | Self::Ob2Signed => format!("/assertions/{id}"),
        }
    }
}

/// One award to make (also the stored form of a bulk job row).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct AwardInput {
    /// The achievement's UUID (one of the issuer's).
    #[serde(rename = "a")]
    pub achievement_id: String,
    /// An email address, a DID or an http(s) URL.
    #[serde(rename = "r")]
    pub recipient: String,
    /// The recipient's name.
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How it was earned.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Evidence URLs.
    #[serde(rename = "e", default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// Checks an award's fields; the message names the field.
pub(crate) fn check_input(input: &AwardInput, format: AwardFormat) -> Result<(), String> {
    let recipient = obi_issue::Recipient::parse(&input.recipient).map_err(|e| e.to_string())?;
    if format != AwardFormat::Ob3 && matches!(recipient, obi_issue::Recipient::Did(_)) {
        return Err("OB 2.0 awards need an email or URL recipient, not a DID".into());
    }
    for (field, value) in [("name", &input.name), ("narrative", &input.narrative)] {
        if let Some(v) = value {
            if v.trim().is_empty() {
                return Err(format!("{field} must not be empty"));
            }
            if v.chars().count() > MAX_TEXT_CHARS {
                return Err(format!(
                    "{field} is longer than MAX_TEXT_CHARS ({MAX_TEXT_CHARS})"
                ));
            }
        }
    }
    if input.evidence.len() > MAX_EVIDENCE {
        return Err(format!(
            "more than MAX_EVIDENCE ({MAX_EVIDENCE}) evidence URLs"
        ));
    }
    for url in &input.evidence {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() > 8
            && url.len() <= 2048
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(format!(
                "evidence {:?} is not an http(s) URL",
                url.chars().take(80).collect::<String>()
            ));
        }
    }
    Ok(())
}

/// An award built and signed, ready to store.
#[derive(Debug, Clone)]
pub(crate) struct PreparedAward {
    pub id: String,
    pub achievement_id: String,
    pub credential: Value,
    pub status_index: i64,
    pub format: AwardFormat,
    pub row_key: Option<String>,
}

fn salt() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn ob3_credential(
    state: &AppState,
    issuer: &IssuerRecord,
    achievement: &AchievementRecord,
    input: &AwardInput,
    id: &str,
    status_index: i64,
) -> Value {
    let recipient = input.recipient.trim();
    let mut subject = serde_json::Map::new();
    subject.insert("type".into(), json!(["AchievementSubject"]));
    if recipient.starts_with("did:")
        || recipient.starts_with("https://")
        || recipient.starts_with("http://")
    {
        subject.insert("id".into(), json!(recipient));
    } else {
        let salt = salt();
        subject.insert(
            "identifier".into(),
            json!([{
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": true,
                "identityHash": obi_issue::identity_hash(&recipient.to_lowercase(), &salt),
                "salt": salt,
            }]),
        );
    }
    let mut ach = crate::app::achievement_json(state, achievement);
    if let Some(a) = ach.as_object_mut() {
        a.remove("@context");
    }
    subject.insert("achievement".into(), ach);
    if let Some(n) = &input.name {
        subject.insert("name".into(), json!(n));
    }
    if let Some(n) = &input.narrative {
        subject.insert("narrative".into(), json!(n));
    }
    let mut issuer_profile = crate::app::profile_json(state, issuer);
    // The issuer is named by its did:web, so the proof's verification method is bound to it.
    if let Some(p) = issuer_profile.as_object_mut() {
        p.remove("@context");
        p.remove("otherIdentifier");
        p.insert("id".into(), json!(state.issuer_did(&issuer.id)));
    }
    let (list, entry) = crate::status::split_index(status_index);
    let list_url = crate::status::list_url(state, &issuer.id, list);
    let mut credential = json!({
        "@context": [CREDENTIALS_V2, OB3_CONTEXT],
        "id": state.url(&AwardFormat::Ob3.path(id)),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "issuer": issuer_profile,
        "validFrom": crate::store::now(),
        "credentialSubject": Value::Object(subject),
        "credentialStatus": {
            "id": format!("{list_url}#{entry}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": entry.to_string(),
            "statusListCredential": list_url,
        },
    });
    if !input.evidence.is_empty()
        && let Some(c) = credential.as_object_mut()
    {
        let ev: Vec<Value> = input
            .evidence
            .iter()
            .map(|e| json!({"id": e, "type": ["Evidence"]}))
            .collect();
        c.insert("evidence".into(), Value::Array(ev));
    }
    credential
}

fn ob2_assertion(
    state: &AppState,
    achievement: &AchievementRecord,
    input: &AwardInput,
    id: &str,
    format: AwardFormat,
) -> Value {
    let recipient = input.recipient.trim();
    let recipient = if recipient.starts_with("https://") || recipient.starts_with("http://") {
        json!({ "type": "url", "hashed": false, "identity": recipient })
    } else {
        let salt = salt();
        json!({
            "type": "email",
            "hashed": true,
            "salt": salt,
            "identity": obi_issue::identity_hash(&recipient.to_lowercase(), &salt),
        })
    };
    let mut doc = json!({
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": state.url(&format.path(id)),
        "recipient": recipient,
        "badge": state.url(&format!("/badgeclasses/{}", achievement.id)),
        "issuedOn": crate::store::now(),
        "verification": { "type": "hosted" },
    });
    if let Some(obj) = doc.as_object_mut() {
        if let Some(n) = &input.narrative {
            obj.insert("narrative".into(), json!(n));
        }
        if !input.evidence.is_empty() {
            let ev: Vec<Value> = input
                .evidence
                .iter()
                .map(|e| json!({"id": e, "type": "Evidence"}))
                .collect();
            obj.insert("evidence".into(), Value::Array(ev));
        }
    }
    doc
}

/// Signs each document (eddsa-rdfc-2022, verification method `{did}#key-1`) on the blocking
/// pool.
pub(crate) async fn sign_all(
    state: &AppState,
    key: &std::sync::Arc<obi_proof::KeyPair>,
    did: &str,
    documents: Vec<Value>,
) -> Result<Vec<Value>, AppError> {
    let vm = format!("{did}#key-1");
    let key = std::sync::Arc::clone(key);
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let options = obi_proof::ProofOptions::new(obi_proof::Suite::EddsaRdfc2022, vm);
        documents
            .into_iter()
            .map(|d| obi_proof::add_proof_owned(d, &options, &*key, state.canon()))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| AppError::Internal(format!("signing task failed: {e}")))?
    .map_err(|e| AppError::Internal(format!("signing failed: {e}")))
}

/// Builds and signs awards of `issuer`. Inputs must have passed [`check_input`] and name
/// achievements in `achievements`. Status indexes are reserved for every award.
pub(crate) async fn prepare(
    state: &AppState,
    issuer: &IssuerRecord,
    key: &std::sync::Arc<obi_proof::KeyPair>,
    achievements: &HashMap<String, AchievementRecord>,
    inputs: Vec<(AwardInput, Option<String>)>,
    format: AwardFormat,
) -> Result<Vec<PreparedAward>, AppError> {
    let n = i64::try_from(inputs.len()).unwrap_or(i64::MAX);
    let indexes = crate::status::reserve_for(state, &issuer.id, n).await?;
    if indexes.len() != inputs.len() {
        return Err(AppError::Internal(
            "status index reservation too small".into(),
        ));
    }
    let mut prepared = Vec::with_capacity(inputs.len());
    let mut unsigned = Vec::with_capacity(inputs.len());
    for ((input, row_key), status_index) in inputs.into_iter().zip(indexes) {
        let achievement = achievements.get(&input.achievement_id).ok_or_else(|| {
            AppError::NotFound(format!(
                "issuer {} has no achievement {:?}",
                issuer.id, input.achievement_id
            ))
        })?;
        let id = uuid::Uuid::new_v4().to_string();
        let doc = match format {
            AwardFormat::Ob3 => {
                ob3_credential(state, issuer, achievement, &input, &id, status_index)
            }
            AwardFormat::Ob2Hosted | AwardFormat::Ob2Signed => {
                ob2_assertion(state, achievement, &input, &id, format)
            }
        };
        unsigned.push(doc);
        prepared.push(PreparedAward {
            id,
            achievement_id: achievement.id.clone(),
            credential: Value::Null,
            status_index,
            format,
            row_key,
        });
    }
    let docs = match format {
        AwardFormat::Ob3 => sign_all(state, key, &state.issuer_did(&issuer.id), unsigned).await?,
        AwardFormat::Ob2Hosted => unsigned,
        AwardFormat::Ob2Signed => {
            let (key, creator) = crate::ob2::signing_key(state, issuer).await?;
            tokio::task::spawn_blocking(move || {
                unsigned
                    .iter()
                    .map(|a| obi_proof::ob2::sign_assertion(a, &*key, &creator).map(Value::String))
                    .collect::<Result<Vec<_>, _>>()
            })
            .await
            .map_err(|e| AppError::Internal(format!("signing task failed: {e}")))?
            .map_err(|e| AppError::Internal(format!("signing failed: {e}")))?
        }
    };
    for (p, d) in prepared.iter_mut().zip(docs) {
        p.credential = d;
    }
    Ok(prepared)
}
