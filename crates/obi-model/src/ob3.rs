//! The Open Badges 3.0 data model (<https://www.imsglobal.org/spec/ob/v3p0/>), on the
//! W3C Verifiable Credentials data model 2.0 (`validFrom`/`validUntil`) and 1.1
//! (`issuanceDate`/`expirationDate`, which many issued 3.0 credentials still use).
//!
//! As in [`crate::ob2`], every property that may be one value or an array is a
//! [`OneOrMany`], an IRI-or-object is an [`IdOr`], numbers are kept as written
//! ([`serde_json::Number`]) and unknown properties stay in `extra`: a parse → serialize
//! round trip gives back an equal JSON value. Parsing is lenient; strict checks are the
//! JSON Schema ([`crate::schema`]) and the verifier. For example an `image` may be an
//! IRI string (common in issued credentials) although the schema wants an `Image` object.

use serde::{Deserialize, Serialize};
use serde_json::Number;

use crate::value::{Absent, Context, DateTime, Extra, IdOr, Iri, OneOrMany, Types};

/// The VC Data Model 2.0 context IRI.
pub const CONTEXT_VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The VC Data Model 1.1 context IRI.
pub const CONTEXT_VC_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// The OB 3.0 context IRI (3.0.3).
pub const CONTEXT_OB_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// Declares a model struct. Fields are written in the order given; an `Option` field is
/// left out of the output when absent ([`Absent`]); `extra` keeps everything else.
macro_rules! node {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fm:meta])* $field:ident : $ty:ty => $json:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $( $(#[$fm])* #[serde(rename = $json, skip_serializing_if = "Absent::is_absent")]
               pub $field: $ty, )*
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
        /// `@context`: the VC context first, then the OB 3.0 context.
        context: Context => "@context",
        /// Credential IRI.
        id: Option<Iri> => "id",
        /// `VerifiableCredential` and `OpenBadgeCredential` (or `AchievementCredential`).
        type_: Types => "type",
        /// Display name of the credential.
        name: Option<String> => "name",
        /// Description.
        description: Option<String> => "description",
        /// Image of the credential.
        image: Option<IdOr<Image>> => "image",
        /// When the credential was awarded.
        awarded_date: Option<DateTime> => "awardedDate",
        /// The issuer: a profile IRI or an embedded [`Profile`].
        issuer: IdOr<Profile> => "issuer",
        /// VCDM 2.0: start of validity.
        valid_from: Option<DateTime> => "validFrom",
        /// VCDM 2.0: end of validity.
        valid_until: Option<DateTime> => "validUntil",
        /// VCDM 1.1: issuance date.
        issuance_date: Option<DateTime> => "issuanceDate",
        /// VCDM 1.1: expiration date.
        expiration_date: Option<DateTime> => "expirationDate",
        /// The recipient and the achievement.
        credential_subject: AchievementSubject => "credentialSubject",
        /// Endorsements embedded as credentials.
        endorsement: Option<OneOrMany<EndorsementCredential>> => "endorsement",
        /// Endorsements as VC-JWT strings.
        endorsement_jwt: Option<OneOrMany<String>> => "endorsementJwt",
        /// Evidence.
        evidence: Option<OneOrMany<Evidence>> => "evidence",
        /// Embedded proofs (Data Integrity).
        proof: Option<OneOrMany<Proof>> => "proof",
        /// Schemas the credential claims to follow.
        credential_schema: Option<OneOrMany<CredentialSchema>> => "credentialSchema",
        /// Revocation or suspension status.
        credential_status: Option<OneOrMany<CredentialStatus>> => "credentialStatus",
        /// Where to refresh the credential.
        refresh_service: Option<OneOrMany<RefreshService>> => "refreshService",
        /// Terms of use.
        terms_of_use: Option<OneOrMany<TermsOfUse>> => "termsOfUse",
    }
}

impl Absent for AchievementSubject {}
impl Absent for EndorsementSubject {}
impl Absent for Achievement {}

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
        /// `@context`.
        context: Context => "@context",
        /// Credential IRI.
        id: Option<Iri> => "id",
        /// `VerifiableCredential` and `EndorsementCredential`.
        type_: Types => "type",
        /// Name.
        name: Option<String> => "name",
        /// Description.
        description: Option<String> => "description",
        /// When awarded.
        awarded_date: Option<DateTime> => "awardedDate",
        /// The endorser.
        issuer: IdOr<Profile> => "issuer",
        /// VCDM 2.0: start of validity.
        valid_from: Option<DateTime> => "validFrom",
        /// VCDM 2.0: end of validity.
        valid_until: Option<DateTime> => "validUntil",
        /// VCDM 1.1: issuance date.
        issuance_date: Option<DateTime> => "issuanceDate",
        /// VCDM 1.1: expiration date.
        expiration_date: Option<DateTime> => "expirationDate",
        /// What is endorsed.
        credential_subject: EndorsementSubject => "credentialSubject",
        /// Embedded proofs.
        proof: Option<OneOrMany<Proof>> => "proof",
        /// Schemas.
        credential_schema: Option<OneOrMany<CredentialSchema>> => "credentialSchema",
        /// Status.
        credential_status: Option<OneOrMany<CredentialStatus>> => "credentialStatus",
        /// Refresh service.
        refresh_service: Option<OneOrMany<RefreshService>> => "refreshService",
        /// Terms of use.
        terms_of_use: Option<OneOrMany<TermsOfUse>> => "termsOfUse",
    }
}

node! {
    /// The subject of an [`EndorsementCredential`].
    pub struct EndorsementSubject {
        /// IRI of the endorsed credential, achievement or profile.
        id: Option<Iri> => "id",
        /// `EndorsementSubject`.
        type_: Option<Types> => "type",
        /// The endorser's comment.
        endorsement_comment: Option<String> => "endorsementComment",
    }
}

node! {
    /// The recipient of a credential and what they achieved
    /// ([spec](https://www.imsglobal.org/spec/ob/v3p0/#achievementsubject)).
    pub struct AchievementSubject {
        /// The recipient's IRI (often a DID).
        id: Option<Iri> => "id",
        /// `AchievementSubject`.
        type_: Option<Types> => "type",
        /// The achievement.
        achievement: Achievement => "achievement",
        /// End of the activity.
        activity_end_date: Option<DateTime> => "activityEndDate",
        /// Start of the activity.
        activity_start_date: Option<DateTime> => "activityStartDate",
        /// Credits earned.
        credits_earned: Option<Number> => "creditsEarned",
        /// Other identities of the recipient.
        identifier: Option<OneOrMany<IdentityObject>> => "identifier",
        /// Image.
        image: Option<IdOr<Image>> => "image",
        /// Licence number.
        license_number: Option<String> => "licenseNumber",
        /// Narrative.
        narrative: Option<String> => "narrative",
        /// Results.
        result: Option<OneOrMany<Result>> => "result",
        /// Role.
        role: Option<String> => "role",
        /// The organization that awarded the achievement, if not the issuer.
        source: Option<IdOr<Profile>> => "source",
        /// Academic term.
        term: Option<String> => "term",
    }
}

node! {
    /// What was achieved ([spec](https://www.imsglobal.org/spec/ob/v3p0/#achievement)).
    pub struct Achievement {
        /// Achievement IRI.
        id: Option<Iri> => "id",
        /// `Achievement`.
        type_: Option<Types> => "type",
        /// Name.
        name: Option<String> => "name",
        /// Description.
        description: Option<String> => "description",
        /// Criteria.
        criteria: Option<Criteria> => "criteria",
        /// Alignments.
        alignment: Option<OneOrMany<Alignment>> => "alignment",
        /// Kind of achievement (`Badge`, `Degree`, `ext:...`).
        achievement_type: Option<String> => "achievementType",
        /// Who created it.
        creator: Option<IdOr<Profile>> => "creator",
        /// Credits available.
        credits_available: Option<Number> => "creditsAvailable",
        /// Endorsements.
        endorsement: Option<OneOrMany<EndorsementCredential>> => "endorsement",
        /// Endorsements as VC-JWT strings.
        endorsement_jwt: Option<OneOrMany<String>> => "endorsementJwt",
        /// Field of study.
        field_of_study: Option<String> => "fieldOfStudy",
        /// Human-readable code.
        human_code: Option<String> => "humanCode",
        /// Image.
        image: Option<IdOr<Image>> => "image",
        /// Language (BCP 47).
        in_language: Option<String> => "inLanguage",
        /// Other identifiers.
        other_identifier: Option<OneOrMany<IdentifierEntry>> => "otherIdentifier",
        /// Related achievements.
        related: Option<OneOrMany<Related>> => "related",
        /// Possible results.
        result_description: Option<OneOrMany<ResultDescription>> => "resultDescription",
        /// Specialization.
        specialization: Option<String> => "specialization",
        /// Tags.
        tag: Option<OneOrMany<String>> => "tag",
        /// Version.
        version: Option<String> => "version",
    }
}

node! {
    /// A person or organization ([spec](https://www.imsglobal.org/spec/ob/v3p0/#profile)).
    pub struct Profile {
        /// Profile IRI.
        id: Option<Iri> => "id",
        /// `Profile`.
        type_: Option<Types> => "type",
        /// Name.
        name: Option<String> => "name",
        /// Home page.
        url: Option<Iri> => "url",
        /// Telephone.
        phone: Option<String> => "phone",
        /// Description.
        description: Option<String> => "description",
        /// Endorsements.
        endorsement: Option<OneOrMany<EndorsementCredential>> => "endorsement",
        /// Endorsements as VC-JWT strings.
        endorsement_jwt: Option<OneOrMany<String>> => "endorsementJwt",
        /// Image.
        image: Option<IdOr<Image>> => "image",
        /// E-mail.
        email: Option<String> => "email",
        /// Postal address (kept as JSON).
        address: Option<serde_json::Value> => "address",
        /// Other identifiers.
        other_identifier: Option<OneOrMany<IdentifierEntry>> => "otherIdentifier",
        /// Official.
        official: Option<String> => "official",
        /// Parent organization.
        parent_org: Option<IdOr<Profile>> => "parentOrg",
        /// Family name.
        family_name: Option<String> => "familyName",
        /// Given name.
        given_name: Option<String> => "givenName",
        /// Additional name.
        additional_name: Option<String> => "additionalName",
        /// Patronymic name.
        patronymic_name: Option<String> => "patronymicName",
        /// Honorific prefix.
        honorific_prefix: Option<String> => "honorificPrefix",
        /// Honorific suffix.
        honorific_suffix: Option<String> => "honorificSuffix",
        /// Family name prefix.
        family_name_prefix: Option<String> => "familyNamePrefix",
        /// Date of birth (`YYYY-MM-DD`).
        date_of_birth: Option<String> => "dateOfBirth",
    }
}

node! {
    /// Criteria for earning an [`Achievement`].
    pub struct Criteria {
        /// IRI of a criteria page.
        id: Option<Iri> => "id",
        /// The criteria as text (Markdown).
        narrative: Option<String> => "narrative",
    }
}

node! {
    /// A result ([spec](https://www.imsglobal.org/spec/ob/v3p0/#result)).
    pub struct Result {
        /// `Result`.
        type_: Option<Types> => "type",
        /// IRI of the achieved [`RubricCriterionLevel`].
        achieved_level: Option<Iri> => "achievedLevel",
        /// Alignments.
        alignment: Option<OneOrMany<Alignment>> => "alignment",
        /// IRI of the [`ResultDescription`].
        result_description: Option<Iri> => "resultDescription",
        /// Status (`Completed`, ...).
        status: Option<String> => "status",
        /// Value.
        value: Option<String> => "value",
    }
}

node! {
    /// A possible result of an achievement ([spec](https://www.imsglobal.org/spec/ob/v3p0/#resultdescription)).
    pub struct ResultDescription {
        /// IRI.
        id: Option<Iri> => "id",
        /// `ResultDescription`.
        type_: Option<Types> => "type",
        /// Alignments.
        alignment: Option<OneOrMany<Alignment>> => "alignment",
        /// Allowed values.
        allowed_value: Option<OneOrMany<String>> => "allowedValue",
        /// Name.
        name: Option<String> => "name",
        /// IRI of the required rubric level.
        required_level: Option<Iri> => "requiredLevel",
        /// Required value.
        required_value: Option<String> => "requiredValue",
        /// Result type (`GradePointAverage`, `LetterGrade`, ...).
        result_type: Option<String> => "resultType",
        /// Rubric levels.
        rubric_criterion_level: Option<OneOrMany<RubricCriterionLevel>> => "rubricCriterionLevel",
        /// Maximum value.
        value_max: Option<String> => "valueMax",
        /// Minimum value.
        value_min: Option<String> => "valueMin",
    }
}

node! {
    /// A rubric level of a [`ResultDescription`].
    pub struct RubricCriterionLevel {
        /// IRI.
        id: Option<Iri> => "id",
        /// `RubricCriterionLevel`.
        type_: Option<Types> => "type",
        /// Alignments.
        alignment: Option<OneOrMany<Alignment>> => "alignment",
        /// Description.
        description: Option<String> => "description",
        /// Level.
        level: Option<String> => "level",
        /// Name.
        name: Option<String> => "name",
        /// Points.
        points: Option<String> => "points",
    }
}

node! {
    /// Evidence ([spec](https://www.imsglobal.org/spec/ob/v3p0/#evidence)).
    pub struct Evidence {
        /// IRI of the evidence.
        id: Option<Iri> => "id",
        /// `Evidence`.
        type_: Option<Types> => "type",
        /// Narrative.
        narrative: Option<String> => "narrative",
        /// Name.
        name: Option<String> => "name",
        /// Description.
        description: Option<String> => "description",
        /// Genre.
        genre: Option<String> => "genre",
        /// Audience.
        audience: Option<String> => "audience",
    }
}

node! {
    /// An alignment to a framework ([spec](https://www.imsglobal.org/spec/ob/v3p0/#alignment)).
    pub struct Alignment {
        /// `Alignment`.
        type_: Option<Types> => "type",
        /// Code.
        target_code: Option<String> => "targetCode",
        /// Description.
        target_description: Option<String> => "targetDescription",
        /// Name.
        target_name: Option<String> => "targetName",
        /// Framework.
        target_framework: Option<String> => "targetFramework",
        /// Type (`CFItem`, `CTDL`, ...).
        target_type: Option<String> => "targetType",
        /// URL.
        target_url: Option<Iri> => "targetUrl",
    }
}

node! {
    /// Another identity of the recipient ([spec](https://www.imsglobal.org/spec/ob/v3p0/#identityobject)).
    pub struct IdentityObject {
        /// `IdentityObject`.
        type_: Option<Types> => "type",
        /// True when `identity_hash` is hashed.
        hashed: Option<bool> => "hashed",
        /// The identity or its hash.
        identity_hash: Option<String> => "identityHash",
        /// `emailAddress`, `sourcedId`, ...
        identity_type: Option<String> => "identityType",
        /// Salt.
        salt: Option<String> => "salt",
    }
}

node! {
    /// An identifier with its type ([spec](https://www.imsglobal.org/spec/ob/v3p0/#identifierentry)).
    pub struct IdentifierEntry {
        /// `IdentifierEntry`.
        type_: Option<Types> => "type",
        /// The identifier.
        identifier: Option<String> => "identifier",
        /// Its type.
        identifier_type: Option<String> => "identifierType",
    }
}

node! {
    /// A related achievement.
    pub struct Related {
        /// IRI.
        id: Option<Iri> => "id",
        /// `Related`.
        type_: Option<Types> => "type",
        /// Language.
        in_language: Option<String> => "inLanguage",
        /// Version.
        version: Option<String> => "version",
    }
}

node! {
    /// An image ([spec](https://www.imsglobal.org/spec/ob/v3p0/#image)).
    pub struct Image {
        /// Image IRI or `data:` URI.
        id: Option<Iri> => "id",
        /// `Image`.
        type_: Option<Types> => "type",
        /// Caption.
        caption: Option<String> => "caption",
    }
}

node! {
    /// Where to check revocation/suspension (for example a `1EdTechRevocationList` or
    /// `BitstringStatusListEntry`).
    pub struct CredentialStatus {
        /// IRI.
        id: Option<Iri> => "id",
        /// Status method type.
        type_: Option<Types> => "type",
    }
}

node! {
    /// A schema the credential claims to conform to.
    pub struct CredentialSchema {
        /// Schema IRI.
        id: Option<Iri> => "id",
        /// `1EdTechJsonSchemaValidator2019` or `JsonSchema`.
        type_: Option<Types> => "type",
    }
}

node! {
    /// Where to get a fresh copy of the credential.
    pub struct RefreshService {
        /// IRI.
        id: Option<Iri> => "id",
        /// `1EdTechCredentialRefresh`.
        type_: Option<Types> => "type",
    }
}

node! {
    /// Terms of use.
    pub struct TermsOfUse {
        /// IRI.
        id: Option<Iri> => "id",
        /// Type.
        type_: Option<Types> => "type",
    }
}

node! {
    /// An embedded proof (Data Integrity, or older Linked Data suites).
    pub struct Proof {
        /// `DataIntegrityProof`, `Ed25519Signature2020`, ...
        type_: Option<Types> => "type",
        /// Creation time.
        created: Option<DateTime> => "created",
        /// Cryptosuite (`eddsa-rdfc-2022`, ...).
        cryptosuite: Option<String> => "cryptosuite",
        /// Challenge.
        challenge: Option<String> => "challenge",
        /// Domain.
        domain: Option<String> => "domain",
        /// Nonce.
        nonce: Option<String> => "nonce",
        /// `assertionMethod`.
        proof_purpose: Option<String> => "proofPurpose",
        /// The signature (multibase).
        proof_value: Option<String> => "proofValue",
        /// Key IRI (DID URL).
        verification_method: Option<Iri> => "verificationMethod",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Typed parsing recurses through `IdOr`/`OneOrMany` per level; at the parser's depth
    /// limit it must still fit a test thread's stack (2 MiB), in debug builds too.
    #[test]
    fn nesting_at_the_depth_limit_fits_the_stack() {
        let levels = crate::json::MAX_JSON_DEPTH - 1;
        let mut doc = String::new();
        for _ in 0..levels - 1 {
            doc.push_str(r#"{"id":"https://example.org/p","parentOrg":"#);
        }
        doc.push_str(r#"{"id":"https://example.org/p"}"#);
        doc.push_str(&"}".repeat(levels - 1));
        let value = crate::json::parse(doc.as_bytes()).unwrap();
        let profile: Profile = crate::json::from_value(&value).unwrap();
        assert_eq!(serde_json::to_value(&profile).unwrap(), value);
        let deeper = format!(r#"{{"parentOrg":{doc}}}"#);
        let deeper = format!(r#"{{"parentOrg":{deeper}}}"#);
        assert!(crate::json::parse(deeper.as_bytes()).is_err());
    }
}
