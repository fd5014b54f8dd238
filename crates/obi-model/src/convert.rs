//! Conversion of an Open Badges 2.0 assertion (with its badge class and issuer) into an
//! unsigned Open Badges 3.0 `OpenBadgeCredential` (VC Data Model 2.0). Open Badges 1.x
//! converts to 2.0 through [`crate::upgrade`] first.
//!
//! The result validates against the OB 3.0 JSON Schema (tested). Field by field:
//!
//! | OB 2.0 | OB 3.0 | notes |
//! |---|---|---|
//! | — | `@context` | `https://www.w3.org/ns/credentials/v2`, then `https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json` |
//! | — | `type` | `["VerifiableCredential", "OpenBadgeCredential"]` |
//! | `Assertion.id` | `id` | same IRI (hosted URL or `urn:uuid:`) |
//! | `BadgeClass.name` | `name` | the credential is named after the badge |
//! | `Assertion.image` | `image` | `{id, type: "Image"}` (caption kept from an `Image` object) |
//! | `Assertion.issuedOn` | `validFrom` and `awardedDate` | normalized to RFC 3339; a date-time without zone is taken as UTC |
//! | `Assertion.expires` | `validUntil` | normalized as above |
//! | issuer `Profile` | `issuer` | `{id, type: ["Profile"], name, url, phone (telephone), description, email, image}` |
//! | `Assertion.recipient` | `credentialSubject.identifier[0]` | `IdentityObject {identityHash: identity, hashed, salt, identityType}`; `email` → `emailAddress`, `url` → `ext:url`, `telephone` → `ext:telephone`, other IRIs → `identifier` |
//! | `recipient` of type `url`, unhashed | `credentialSubject.id` | the recipient's IRI becomes the subject id as well |
//! | — | `credentialSubject.type` | `["AchievementSubject"]` |
//! | `Assertion.narrative` | `credentialSubject.narrative` | |
//! | `Assertion.evidence` | `evidence` | each as `{id, type: ["Evidence"], narrative, name, description, genre, audience}`; an IRI becomes `{id, type}` |
//! | `BadgeClass.id` | `credentialSubject.achievement.id` | a badge class without id (upgraded 0.5) gets `urn:uuid:` derived from the assertion id |
//! | `BadgeClass` | `credentialSubject.achievement` | `type: ["Achievement"]`, `name`, `description`, `criteria` (IRI → `{id}`, object → `{id, narrative}`), `image`, `alignment` (each `type: ["Alignment"]`, `targetName`, `targetUrl`, `targetDescription`, `targetFramework`, `targetCode`), `tags` → `tag`, `creator` = the issuer profile |
//! | `verification` | — | dropped: 3.0 credentials are verified by their proof |
//! | `revoked`, `revocationReason` | — | dropped: 3.0 uses `credentialStatus`, chosen by the issuer when signing (noted) |
//! | `endorsement`, extensions | — | dropped (noted) |
//!
//! Every dropped property is reported in [`Converted::notes`].

use serde_json::Value;

use crate::ob2;
use crate::ob3::{self, CONTEXT_OB_V3, CONTEXT_VC_V2};
use crate::upgrade::{Change, upgrade_datetime};
use crate::value::{ContextEntry, DateTime, IdOr, Iri, OneOrMany};

/// Why an assertion could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The assertion names its badge class by IRI and none was supplied.
    #[error("the assertion's badge class {0} is not embedded: supply it (--badge-class FILE)")]
    MissingBadgeClass(String),
    /// The badge class names its issuer by IRI and none was supplied.
    #[error("the badge class's issuer {0} is not embedded: supply it (--issuer FILE)")]
    MissingIssuer(String),
    /// A supplied document has another id than the one referenced.
    #[error("{what} {found} was supplied, but the {referrer} references {expected}")]
    IdMismatch {
        /// `badge class` or `issuer`.
        what: &'static str,
        /// Who references it.
        referrer: &'static str,
        /// The referenced IRI.
        expected: String,
        /// The supplied document's id.
        found: String,
    },
    /// A property OB 3.0 requires is missing in the 2.0 input.
    #[error("{path}: {message}")]
    Missing {
        /// Where (JSON path in the OB 2.0 input).
        path: &'static str,
        /// What is missing.
        message: &'static str,
    },
    /// A date could not be read.
    #[error("{path}: {value:?} is not an ISO 8601 date-time")]
    BadDate {
        /// Where.
        path: &'static str,
        /// The value.
        value: String,
    },
}

/// The result of [`ob2_to_ob3`].
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// The unsigned 3.0 credential.
    pub credential: ob3::OpenBadgeCredential,
    /// Properties of the 2.0 input with no 3.0 counterpart, which were dropped.
    pub notes: Vec<Change>,
}

/// Converts an OB 2.0 assertion to an unsigned OB 3.0 `OpenBadgeCredential`.
///
/// The badge class and issuer are taken from the assertion when embedded, else from
/// `badge_class` and `issuer` (whose `id` must match the reference).
///
/// # Errors
/// See [`ConvertError`].
pub fn ob2_to_ob3(
    assertion: &ob2::Assertion,
    badge_class: Option<&ob2::BadgeClass>,
    issuer: Option<&ob2::Profile>,
) -> Result<Converted, ConvertError> {
    let mut notes = Vec::new();
    let badge = match &assertion.badge {
        IdOr::Object(b) => b.as_ref(),
        IdOr::Id(iri) => {
            let b = badge_class.ok_or_else(|| ConvertError::MissingBadgeClass(iri.0.clone()))?;
            check_id("badge class", "assertion", iri, b.id.as_ref())?;
            b
        }
    };
    let profile = match &badge.issuer {
        IdOr::Object(p) => p.as_ref(),
        IdOr::Id(iri) => {
            let p = issuer.ok_or_else(|| ConvertError::MissingIssuer(iri.0.clone()))?;
            check_id("issuer", "badge class", iri, p.id.as_ref())?;
            p
        }
    };

    let issuer3 = convert_profile(profile)?;
    let issued = normalize_date(&assertion.issued_on, "issuedOn")?;
    let expires = assertion
        .expires
        .as_ref()
        .map(|d| normalize_date(d, "expires"))
        .transpose()?;

    let achievement = convert_badge_class(badge, assertion, &issuer3)?;
    let recipient = &assertion.recipient;
    let subject_id =
        (recipient.type_ == "url" && !recipient.hashed).then(|| Iri(recipient.identity.clone()));
    let identity = ob3::IdentityObject {
        type_: Some(OneOrMany::One("IdentityObject".into())),
        hashed: Some(recipient.hashed),
        identity_hash: Some(recipient.identity.clone()),
        identity_type: Some(
            match recipient.type_.as_str() {
                "email" => "emailAddress",
                "url" => "ext:url",
                "telephone" => "ext:telephone",
                _ => "identifier",
            }
            .to_owned(),
        ),
        salt: recipient.salt.clone(),
        extra: Default::default(),
    };
    let subject = ob3::AchievementSubject {
        achievement,
        id: subject_id,
        type_: Some(OneOrMany::Many(vec!["AchievementSubject".into()])),
        activity_end_date: None,
        activity_start_date: None,
        credits_earned: None,
        identifier: Some(OneOrMany::Many(vec![identity])),
        image: None,
        license_number: None,
        narrative: assertion.narrative.clone(),
        result: None,
        role: None,
        source: None,
        term: None,
        extra: Default::default(),
    };

    let evidence = assertion.evidence.as_ref().map(|ev| {
        OneOrMany::Many(
            ev.iter()
                .map(|e| match e {
                    IdOr::Id(iri) => ob3::Evidence {
                        id: Some(iri.clone()),
                        type_: Some(OneOrMany::Many(vec!["Evidence".into()])),
                        narrative: None,
                        name: None,
                        description: None,
                        genre: None,
                        audience: None,
                        extra: Default::default(),
                    },
                    IdOr::Object(e) => ob3::Evidence {
                        id: e.id.clone(),
                        type_: Some(OneOrMany::Many(vec!["Evidence".into()])),
                        narrative: e.narrative.clone(),
                        name: e.name.clone(),
                        description: e.description.clone(),
                        genre: e.genre.clone(),
                        audience: e.audience.clone(),
                        extra: Default::default(),
                    },
                })
                .collect(),
        )
    });

    let image = assertion
        .image
        .as_ref()
        .and_then(|i| convert_image(i, "/image", &mut notes));

    if assertion.verification.is_some() {
        note(
            &mut notes,
            "/verification",
            "dropped: a 3.0 credential is verified by its proof",
        );
    }
    if assertion.revoked == Some(true) || assertion.revocation_reason.is_some() {
        note(
            &mut notes,
            "/revoked",
            "dropped: 3.0 revocation is a credentialStatus the issuer adds when signing",
        );
    }
    if assertion.endorsement.is_some() {
        note(
            &mut notes,
            "/endorsement",
            "dropped: 2.0 endorsements are not 3.0 EndorsementCredentials",
        );
    }
    for key in assertion.extra.keys() {
        note(
            &mut notes,
            &format!("/{}", escape(key)),
            "dropped: not an OB 2.0 property",
        );
    }

    let credential = ob3::OpenBadgeCredential {
        context: OneOrMany::Many(vec![
            ContextEntry::Iri(CONTEXT_VC_V2.into()),
            ContextEntry::Iri(CONTEXT_OB_V3.into()),
        ]),
        type_: OneOrMany::Many(vec![
            "VerifiableCredential".into(),
            "OpenBadgeCredential".into(),
        ]),
        issuer: IdOr::Object(Box::new(issuer3)),
        credential_subject: subject,
        id: Some(assertion.id.clone()),
        name: Some(badge.name.clone()),
        description: None,
        image,
        awarded_date: Some(issued.clone()),
        endorsement: None,
        endorsement_jwt: None,
        evidence,
        valid_from: Some(issued),
        valid_until: expires,
        issuance_date: None,
        expiration_date: None,
        proof: None,
        credential_schema: None,
        credential_status: None,
        refresh_service: None,
        terms_of_use: None,
        extra: Default::default(),
    };
    Ok(Converted { credential, notes })
}

fn note(notes: &mut Vec<Change>, path: &str, description: &str) {
    notes.push(Change {
        path: path.to_owned(),
        description: description.to_owned(),
    });
}

/// JSON Pointer escaping of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn check_id(
    what: &'static str,
    referrer: &'static str,
    expected: &Iri,
    found: Option<&Iri>,
) -> Result<(), ConvertError> {
    match found {
        Some(f) if f == expected => Ok(()),
        other => Err(ConvertError::IdMismatch {
            what,
            referrer,
            expected: expected.0.clone(),
            found: other.map_or_else(|| "(without id)".to_owned(), |f| f.0.clone()),
        }),
    }
}

fn normalize_date(d: &DateTime, path: &'static str) -> Result<DateTime, ConvertError> {
    if d.parse().is_ok() {
        return Ok(d.clone());
    }
    upgrade_datetime(&Value::String(d.0.clone()))
        .map(DateTime)
        .ok_or_else(|| ConvertError::BadDate {
            path,
            value: d.0.clone(),
        })
}

fn convert_image(
    image: &IdOr<ob2::Image>,
    path: &str,
    notes: &mut Vec<Change>,
) -> Option<IdOr<ob3::Image>> {
    let (id, caption) = match image {
        IdOr::Id(iri) => (Some(iri.clone()), None),
        IdOr::Object(i) => (i.id.clone(), i.caption.clone()),
    };
    if id.is_none() {
        note(notes, path, "dropped: an image without id");
        return None;
    }
    Some(IdOr::Object(Box::new(ob3::Image {
        id,
        type_: Some(OneOrMany::One("Image".into())),
        caption,
        extra: Default::default(),
    })))
}

fn convert_profile(p: &ob2::Profile) -> Result<ob3::Profile, ConvertError> {
    let id = p.id.clone().ok_or(ConvertError::Missing {
        path: "badge.issuer.id",
        message: "the issuer profile has no id, which OB 3.0 requires",
    })?;
    let mut ignored = Vec::new();
    Ok(ob3::Profile {
        id: Some(id),
        type_: Some(OneOrMany::Many(vec!["Profile".into()])),
        name: p.name.clone(),
        url: p.url.clone(),
        phone: p.telephone.clone(),
        description: p.description.clone(),
        endorsement: None,
        endorsement_jwt: None,
        image: p
            .image
            .as_ref()
            .and_then(|i| convert_image(i, "/badge/issuer/image", &mut ignored)),
        email: p.email.clone(),
        address: None,
        other_identifier: None,
        official: None,
        parent_org: None,
        family_name: None,
        given_name: None,
        additional_name: None,
        patronymic_name: None,
        honorific_prefix: None,
        honorific_suffix: None,
        family_name_prefix: None,
        date_of_birth: None,
        extra: Default::default(),
    })
}

fn convert_badge_class(
    b: &ob2::BadgeClass,
    assertion: &ob2::Assertion,
    creator: &ob3::Profile,
) -> Result<ob3::Achievement, ConvertError> {
    let description = b.description.clone().ok_or(ConvertError::Missing {
        path: "badge.description",
        message: "the badge class has no description, which an OB 3.0 Achievement requires",
    })?;
    let criteria = match &b.criteria {
        Some(IdOr::Id(iri)) => ob3::Criteria {
            id: Some(iri.clone()),
            narrative: None,
            extra: Default::default(),
        },
        Some(IdOr::Object(c)) => ob3::Criteria {
            id: c.id.clone(),
            narrative: c.narrative.clone(),
            extra: Default::default(),
        },
        None => {
            return Err(ConvertError::Missing {
                path: "badge.criteria",
                message: "the badge class has no criteria, which an OB 3.0 Achievement requires",
            });
        }
    };
    let id = b.id.clone().unwrap_or_else(|| {
        // Upgraded 0.5 badges have no badge class id: derive a stable one.
        Iri(format!("{}#achievement", assertion.id.0))
    });
    let mut ignored = Vec::new();
    let alignment = b.alignment.as_ref().map(|al| {
        OneOrMany::Many(
            al.iter()
                .map(|a| ob3::Alignment {
                    type_: Some(OneOrMany::Many(vec!["Alignment".into()])),
                    target_code: a.target_code.clone(),
                    target_description: a.target_description.clone(),
                    target_name: a.target_name.clone(),
                    target_framework: a.target_framework.clone(),
                    target_type: None,
                    target_url: a.target_url.clone(),
                    extra: Default::default(),
                })
                .collect(),
        )
    });
    Ok(ob3::Achievement {
        id: Some(id),
        type_: Some(OneOrMany::Many(vec!["Achievement".into()])),
        name: Some(b.name.clone()),
        description: Some(description),
        criteria: Some(criteria),
        alignment,
        achievement_type: None,
        creator: Some(IdOr::Object(Box::new(creator.clone()))),
        credits_available: None,
        endorsement: None,
        endorsement_jwt: None,
        field_of_study: None,
        human_code: None,
        image: b
            .image
            .as_ref()
            .and_then(|i| convert_image(i, "/badge/image", &mut ignored)),
        in_language: None,
        other_identifier: None,
        related: None,
        result_description: None,
        specialization: None,
        tag: b
            .tags
            .as_ref()
            .map(|t| OneOrMany::Many(t.iter().cloned().collect())),
        version: None,
        extra: Default::default(),
    })
}
