//! The Open Badges 3.0 data model (<https://www.imsglobal.org/spec/ob/v3p0/>), on the
//! W3C Verifiable Credentials data model 2.0 (`validFrom`/`validUntil`) and 1.1
//! (`issuanceDate`/`expirationDate`, which many issued 3.0 credentials still use).
//!
//! As in [`crate::ob2`], every property that may be one value or an array is a
//! [`OneOrMany`], an IRI-or-object is an [`IdOr`], numbers are kept as written
//! ([`serde_json::Number`]) and unknown properties stay in `extra`: a parse → serialize
//! round trip gives back an equal JSON value. Parsing is lenient; strict checks are the
//! JSON Schema ([`crate::schema`]) and the verifier.

use serde::{Deserialize, Serialize};
use serde_json::Number;

use crate::value::{Context, DateTime, Extra, IdOr, Iri, OneOrMany, Types};

/// The VC Data Model 2.0 context IRI.
pub const CONTEXT_VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The VC Data Model 1.1 context IRI.
pub const CONTEXT_VC_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// The OB 3.0 context IRI (3.0.3).
pub const CONTEXT_OB_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// Declares a model struct: `required` fields are plain, `optional` fields are
/// `Option<_>` left out of the output when absent; `extra` keeps everything else.
macro_rules! node {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            required { $( $(#[$rm:meta])* $rname:ident : $rty:ty => $rjson:literal ),* $(,)? }
            optional { $( $(#[$om:meta])* $oname:ident : $oty:ty => $ojson:literal ),* $(,)? }
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $( $(#[$rm])* #[serde(rename = $rjson)] pub $rname: $rty, )*
            $( $(#[$om])* #[serde(rename = $ojson, default, skip_serializing_if = "Option::is_none")]
               pub $oname: Option<$oty>, )*
            /// Properties not named above (extensions), kept as written.
            #[serde(flatten)]
            pub extra: Extra,
        }
    };
}

node! {
    /// An Open Badges 3.0 credential: `OpenBadgeCredential`, or its alias
    /// `AchievementCredential` ([spec](https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential)).
    pub struct OpenBadgeCredential {
        required {
            /// `@context`: the VC context first, then the OB 3.0 context.
            context: Context => "@context",
            /// `VerifiableCredential` and `OpenBadgeCredential` (or `AchievementCredential`).
            type_: Types => "type",
            /// The issuer: a profile IRI or an embedded [`Profile`].
            issuer: IdOr<Profile> => "issuer",
            /// The recipient and the achievement.
            credential_subject: AchievementSubject => "credentialSubject",
        }
        optional {
            /// Credential IRI.
            id: Iri => "id",
            /// Display name of the credential.
            name: String => "name",
            /// Description.
            description: String => "description",
            /// Image of the credential.
            image: Image => "image",
            /// When the credential was awarded.
            awarded_date: DateTime => "awardedDate",
            /// Endorsements embedded as credentials.
            endorsement: OneOrMany<EndorsementCredential> => "endorsement",
            /// Endorsements as VC-JWT strings.
            endorsement_jwt: OneOrMany<String> => "endorsementJwt",
            /// Evidence.
            evidence: OneOrMany<Evidence> => "evidence",
            /// VCDM 2.0: start of validity.
            valid_from: DateTime => "validFrom",
            /// VCDM 2.0: end of validity.
            valid_until: DateTime => "validUntil",
            /// VCDM 1.1: issuance date.
            issuance_date: DateTime => "issuanceDate",
            /// VCDM 1.1: expiration date.
            expiration_date: DateTime => "expirationDate",
            /// Embedded proofs (Data Integrity).
            proof: OneOrMany<Proof> => "proof",
            /// Schemas the credential claims to follow.
            credential_schema: OneOrMany<CredentialSchema> => "credentialSchema",
            /// Revocation or suspension status.
            credential_status: OneOrMany<CredentialStatus> => "credentialStatus",
            /// Where to refresh the credential.
            refresh_service: OneOrMany<RefreshService> => "refreshService",
            /// Terms of use.
            terms_of_use: OneOrMany<TermsOfUse> => "termsOfUse",
        }
    }
}

/// `AchievementCredential` is another name for [`OpenBadgeCredential`].
pub type AchievementCredential = OpenBadgeCredential;

impl OpenBadgeCredential {
    /// The start of validity: `validFrom` (VCDM 2.0), else `issuanceDate` (VCDM 1.1).
    pub fn valid_from_or_issuance(&self) -> Option<&DateTime> {
        self.valid_from.as_ref().or(self.issuance_date.as_ref())
    }

    /// The end of validity: `validUntil`, else `expirationDate`.
    pub fn valid_until_or_expiration(&self) -> Option<&DateTime> {
        self.valid_until.as_ref().or(self.expiration_date.as_ref())
    }

    /// True when `@context` names the VCDM 1.1 context rather than 2.0.
    pub fn is_vcdm_v1(&self) -> bool {
        self.context.iris().any(|c| c == CONTEXT_VC_V1)
    }
}

node! {
    /// A third party's endorsement as a credential
    /// ([spec](https://www.imsglobal.org/spec/ob/v3p0/#endorsementcredential)).
    pub struct EndorsementCredential {
        required {
            /// `@context`.
            context: Context => "@context",
            /// `VerifiableCredential` and `EndorsementCredential`.
            type_: Types => "type",
            /// The endorser.
            issuer: IdOr<Profile> => "issuer",
            /// What is endorsed.
            credential_subject: EndorsementSubject => "credentialSubject",
        }
        optional {
            /// Credential IRI.
            id: Iri => "id",
            /// Name.
            name: String => "name",
            /// Description.
            description: String => "description",
            /// When awarded.
            awarded_date: DateTime => "awardedDate",
            /// VCDM 2.0: start of validity.
            valid_from: DateTime => "validFrom",
            /// VCDM 2.0: end of validity.
            valid_until: DateTime => "validUntil",
            /// VCDM 1.1: issuance date.
            issuance_date: DateTime => "issuanceDate",
            /// VCDM 1.1: expiration date.
            expiration_date: DateTime => "expirationDate",
            /// Embedded proofs.
            proof: OneOrMany<Proof> => "proof",
            /// Schemas.
            credential_schema: OneOrMany<CredentialSchema> => "credentialSchema",
            /// Status.
            credential_status: OneOrMany<CredentialStatus> => "credentialStatus",
            /// Refresh service.
            refresh_service: OneOrMany<RefreshService> => "refreshService",
            /// Terms of use.
            terms_of_use: OneOrMany<TermsOfUse> => "termsOfUse",
        }
    }
}

node! {
    /// The subject of an [`EndorsementCredential`].
    pub struct EndorsementSubject {
        required {}
        optional {
            /// IRI of the endorsed credential, achievement or profile.
            id: Iri => "id",
            /// `EndorsementSubject`.
            type_: Types => "type",
            /// The endorser's comment.
            endorsement_comment: String => "endorsementComment",
        }
    }
}

node! {
    /// The recipient of a credential and what they achieved
    /// ([spec](https://www.imsglobal.org/spec/ob/v3p0/#achievementsubject)).
    pub struct AchievementSubject {
        required {
            /// The achievement.
            achievement: Achievement => "achievement",
        }
        optional {
            /// The recipient's IRI (often a DID).
            id: Iri => "id",
            /// `AchievementSubject`.
            type_: Types => "type",
            /// End of the activity.
            activity_end_date: DateTime => "activityEndDate",
            /// Start of the activity.
            activity_start_date: DateTime => "activityStartDate",
            /// Credits earned.
            credits_earned: Number => "creditsEarned",
            /// Other identities of the recipient.
            identifier: OneOrMany<IdentityObject> => "identifier",
            /// Image.
            image: Image => "image",
            /// Licence number.
            license_number: String => "licenseNumber",
            /// Narrative.
            narrative: String => "narrative",
            /// Results.
            result: OneOrMany<Result> => "result",
            /// Role.
            role: String => "role",
            /// The organization that awarded the achievement, if not the issuer.
            source: IdOr<Profile> => "source",
            /// Academic term.
            term: String => "term",
        }
    }
}

node! {
    /// What was achieved ([spec](https://www.imsglobal.org/spec/ob/v3p0/#achievement)).
    pub struct Achievement {
        required {}
        optional {
            /// Achievement IRI.
            id: Iri => "id",
            /// `Achievement`.
            type_: Types => "type",
            /// Name.
            name: String => "name",
            /// Description.
            description: String => "description",
            /// Criteria.
            criteria: Criteria => "criteria",
            /// Alignments.
            alignment: OneOrMany<Alignment> => "alignment",
            /// Kind of achievement (`Badge`, `Degree`, `ext:...`).
            achievement_type: String => "achievementType",
            /// Who created it.
            creator: IdOr<Profile> => "creator",
            /// Credits available.
            credits_available: Number => "creditsAvailable",
            /// Endorsements.
            endorsement: OneOrMany<EndorsementCredential> => "endorsement",
            /// Endorsements as VC-JWT strings.
            endorsement_jwt: OneOrMany<String> => "endorsementJwt",
            /// Field of study.
            field_of_study: String => "fieldOfStudy",
            /// Human-readable code.
            human_code: String => "humanCode",
            /// Image.
            image: Image => "image",
            /// Language (BCP 47).
            in_language: String => "inLanguage",
            /// Other identifiers.
            other_identifier: OneOrMany<IdentifierEntry> => "otherIdentifier",
            /// Related achievements.
            related: OneOrMany<Related> => "related",
            /// Possible results.
            result_description: OneOrMany<ResultDescription> => "resultDescription",
            /// Specialization.
            specialization: String => "specialization",
            /// Tags.
            tag: OneOrMany<String> => "tag",
            /// Version.
            version: String => "version",
        }
    }
}

node! {
    /// A person or organization ([spec](https://www.imsglobal.org/spec/ob/v3p0/#profile)).
    pub struct Profile {
        required {}
        optional {
            /// Profile IRI.
            id: Iri => "id",
            /// `Profile`.
            type_: Types => "type",
            /// Name.
            name: String => "name",
            /// Home page.
            url: Iri => "url",
            /// Telephone.
            phone: String => "phone",
            /// Description.
            description: String => "description",
            /// Endorsements.
            endorsement: OneOrMany<EndorsementCredential> => "endorsement",
            /// Endorsements as VC-JWT strings.
            endorsement_jwt: OneOrMany<String> => "endorsementJwt",
            /// Image.
            image: Image => "image",
            /// E-mail.
            email: String => "email",
            /// Postal address (kept as JSON).
            address: serde_json::Value => "address",
            /// Other identifiers.
            other_identifier: OneOrMany<IdentifierEntry> => "otherIdentifier",
            /// Official.
            official: String => "official",
            /// Parent organization.
            parent_org: IdOr<Profile> => "parentOrg",
            /// Family name.
            family_name: String => "familyName",
            /// Given name.
            given_name: String => "givenName",
            /// Additional name.
            additional_name: String => "additionalName",
            /// Patronymic name.
            patronymic_name: String => "patronymicName",
            /// Honorific prefix.
            honorific_prefix: String => "honorificPrefix",
            /// Honorific suffix.
            honorific_suffix: String => "honorificSuffix",
            /// Family name prefix.
            family_name_prefix: String => "familyNamePrefix",
            /// Date of birth (`YYYY-MM-DD`).
            date_of_birth: String => "dateOfBirth",
        }
    }
}

node! {
    /// Criteria for earning an [`Achievement`].
    pub struct Criteria {
        required {}
        optional {
            /// IRI of a criteria page.
            id: Iri => "id",
            /// The criteria as text (Markdown).
            narrative: String => "narrative",
        }
    }
}

node! {
    /// A result ([spec](https://www.imsglobal.org/spec/ob/v3p0/#result)).
    pub struct Result {
        required {}
        optional {
            /// `Result`.
            type_: Types => "type",
            /// IRI of the achieved [`RubricCriterionLevel`].
            achieved_level: Iri => "achievedLevel",
            /// Alignments.
            alignment: OneOrMany<Alignment> => "alignment",
            /// IRI of the [`ResultDescription`].
            result_description: Iri => "resultDescription",
            /// Status (`Completed`, ...).
            status: String => "status",
            /// Value.
            value: String => "value",
        }
    }
}

node! {
    /// A possible result of an achievement ([spec](https://www.imsglobal.org/spec/ob/v3p0/#resultdescription)).
    pub struct ResultDescription {
        required {}
        optional {
            /// IRI.
            id: Iri => "id",
            /// `ResultDescription`.
            type_: Types => "type",
            /// Alignments.
            alignment: OneOrMany<Alignment> => "alignment",
            /// Allowed values.
            allowed_value: OneOrMany<String> => "allowedValue",
            /// Name.
            name: String => "name",
            /// IRI of the required rubric level.
            required_level: Iri => "requiredLevel",
            /// Required value.
            required_value: String => "requiredValue",
            /// Result type (`GradePointAverage`, `LetterGrade`, ...).
            result_type: String => "resultType",
            /// Rubric levels.
            rubric_criterion_level: OneOrMany<RubricCriterionLevel> => "rubricCriterionLevel",
            /// Maximum value.
            value_max: String => "valueMax",
            /// Minimum value.
            value_min: String => "valueMin",
        }
    }
}

node! {
    /// A rubric level of a [`ResultDescription`].
    pub struct RubricCriterionLevel {
        required {}
        optional {
            /// IRI.
            id: Iri => "id",
            /// `RubricCriterionLevel`.
            type_: Types => "type",
            /// Alignments.
            alignment: OneOrMany<Alignment> => "alignment",
            /// Description.
            description: String => "description",
            /// Level.
            level: String => "level",
            /// Name.
            name: String => "name",
            /// Points.
            points: String => "points",
        }
    }
}

node! {
    /// Evidence ([spec](https://www.imsglobal.org/spec/ob/v3p0/#evidence)).
    pub struct Evidence {
        required {}
        optional {
            /// IRI of the evidence.
            id: Iri => "id",
            /// `Evidence`.
            type_: Types => "type",
            /// Narrative.
            narrative: String => "narrative",
            /// Name.
            name: String => "name",
            /// Description.
            description: String => "description",
            /// Genre.
            genre: String => "genre",
            /// Audience.
            audience: String => "audience",
        }
    }
}

node! {
    /// An alignment to a framework ([spec](https://www.imsglobal.org/spec/ob/v3p0/#alignment)).
    pub struct Alignment {
        required {}
        optional {
            /// `Alignment`.
            type_: Types => "type",
            /// Code.
            target_code: String => "targetCode",
            /// Description.
            target_description: String => "targetDescription",
            /// Name.
            target_name: String => "targetName",
            /// Framework.
            target_framework: String => "targetFramework",
            /// Type (`CFItem`, `CTDL`, ...).
            target_type: String => "targetType",
            /// URL.
            target_url: Iri => "targetUrl",
        }
    }
}

node! {
    /// Another identity of the recipient ([spec](https://www.imsglobal.org/spec/ob/v3p0/#identityobject)).
    pub struct IdentityObject {
        required {}
        optional {
            /// `IdentityObject`.
            type_: Types => "type",
            /// True when `identity_hash` is hashed.
            hashed: bool => "hashed",
            /// The identity or its hash.
            identity_hash: String => "identityHash",
            /// `emailAddress`, `sourcedId`, ...
            identity_type: String => "identityType",
            /// Salt.
            salt: String => "salt",
        }
    }
}

node! {
    /// An identifier with its type ([spec](https://www.imsglobal.org/spec/ob/v3p0/#identifierentry)).
    pub struct IdentifierEntry {
        required {}
        optional {
            /// `IdentifierEntry`.
            type_: Types => "type",
            /// The identifier.
            identifier: String => "identifier",
            /// Its type.
            identifier_type: String => "identifierType",
        }
    }
}

node! {
    /// A related achievement.
    pub struct Related {
        required {}
        optional {
            /// IRI.
            id: Iri => "id",
            /// `Related`.
            type_: Types => "type",
            /// Language.
            in_language: String => "inLanguage",
            /// Version.
            version: String => "version",
        }
    }
}

node! {
    /// An image ([spec](https://www.imsglobal.org/spec/ob/v3p0/#image)).
    pub struct Image {
        required {}
        optional {
            /// Image IRI or `data:` URI.
            id: Iri => "id",
            /// `Image`.
            type_: Types => "type",
            /// Caption.
            caption: String => "caption",
        }
    }
}

node! {
    /// Where to check revocation/suspension (for example a `1EdTechRevocationList` or
    /// `BitstringStatusListEntry`).
    pub struct CredentialStatus {
        required {}
        optional {
            /// IRI.
            id: Iri => "id",
            /// Status method type.
            type_: Types => "type",
        }
    }
}

node! {
    /// A schema the credential claims to conform to.
    pub struct CredentialSchema {
        required {}
        optional {
            /// Schema IRI.
            id: Iri => "id",
            /// `1EdTechJsonSchemaValidator2019` or `JsonSchema`.
            type_: Types => "type",
        }
    }
}

node! {
    /// Where to get a fresh copy of the credential.
    pub struct RefreshService {
        required {}
        optional {
            /// IRI.
            id: Iri => "id",
            /// `1EdTechCredentialRefresh`.
            type_: Types => "type",
        }
    }
}

node! {
    /// Terms of use.
    pub struct TermsOfUse {
        required {}
        optional {
            /// IRI.
            id: Iri => "id",
            /// Type.
            type_: Types => "type",
        }
    }
}

node! {
    /// An embedded proof (Data Integrity, or older Linked Data suites).
    pub struct Proof {
        required {}
        optional {
            /// `DataIntegrityProof`, `Ed25519Signature2020`, ...
            type_: Types => "type",
            /// Creation time.
            created: DateTime => "created",
            /// Cryptosuite (`eddsa-rdfc-2022`, ...).
            cryptosuite: String => "cryptosuite",
            /// Challenge.
            challenge: String => "challenge",
            /// Domain.
            domain: String => "domain",
            /// Nonce.
            nonce: String => "nonce",
            /// `assertionMethod`.
            proof_purpose: String => "proofPurpose",
            /// The signature (multibase).
            proof_value: String => "proofValue",
            /// Key IRI (DID URL).
            verification_method: Iri => "verificationMethod",
        }
    }
}
