//! The Open Badges 2.0 data model
//! (<https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html>).
//!
//! Every shape the specification allows is accepted: a property that may be an IRI or an
//! embedded object is an [`IdOr`], one value or an array is a [`OneOrMany`], `type` is a
//! string or an array ([`Types`]) and `@context` a string, object or array ([`Context`]).
//! Properties the model does not name are kept in `extra`, in document order, so a
//! parse → serialize round trip keeps every field (named properties are written in the
//! order of the struct, then the extensions).
//!
//! Parsing is lenient: only the properties without which a node means nothing are
//! required (an assertion's `recipient`, `badge` and `issuedOn`; a badge class's `name`
//! and `issuer`; an endorsement's `claim`). IRIs and dates are checked on demand
//! ([`Iri::validate`], [`DateTime::parse`]); the verifier reports the rest.
//!
//! 1.x assertions are not read here: upgrade them first with [`crate::upgrade`].

use serde::{Deserialize, Serialize};

use crate::value::{Context, DateTime, Extra, IdOr, Iri, OneOrMany, Types};

/// The OB 2.0 JSON-LD context IRI.
pub const CONTEXT_V2: &str = "https://w3id.org/openbadges/v2";

/// An awarded badge ([Assertion](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Assertion)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assertion {
    /// `@context`, normally [`CONTEXT_V2`].
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// The assertion's IRI (its hosted URL, or `urn:uuid:` for signed badges).
    pub id: Iri,
    /// `Assertion`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// Who earned the badge.
    pub recipient: IdentityObject,
    /// The badge class, by IRI or embedded.
    pub badge: IdOr<BadgeClass>,
    /// How to verify the assertion (hosted or signed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationObject>,
    /// When the badge was awarded.
    pub issued_on: DateTime,
    /// A baked image of the award, or its IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOr<Image>>,
    /// Evidence: IRIs or embedded [`Evidence`] objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<OneOrMany<IdOr<Evidence>>>,
    /// A narrative of what the recipient did (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// When the award expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime>,
    /// True when the issuer revoked the award.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// Why it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    /// Endorsements of this assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<OneOrMany<IdOr<Endorsement>>>,
    /// Properties not named above (extensions), kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What a badge is for ([BadgeClass](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#BadgeClass)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BadgeClass {
    /// `@context`.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// The badge class IRI (absent only in documents upgraded from 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `BadgeClass`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// The badge's name.
    pub name: String,
    /// A short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The badge image: an IRI (often a `data:` URI) or an [`Image`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOr<Image>>,
    /// The criteria: an IRI or an embedded [`Criteria`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<IdOr<Criteria>>,
    /// The issuer profile, by IRI or embedded.
    pub issuer: IdOr<Profile>,
    /// Educational standards the badge aligns to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<OneOrMany<AlignmentObject>>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<OneOrMany<String>>,
    /// Endorsements of this badge class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<OneOrMany<IdOr<Endorsement>>>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An issuer or other entity ([Profile](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Profile)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// `@context`.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// The profile IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `Issuer` or `Profile`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Iri>,
    /// Telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Image: IRI or [`Image`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOr<Image>>,
    /// Contact e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Public keys for signed assertions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<OneOrMany<IdOr<CryptographicKey>>>,
    /// Verification policy for this issuer's assertions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationObject>,
    /// IRI of the issuer's [`RevocationList`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_list: Option<Iri>,
    /// Endorsements of this profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<OneOrMany<IdOr<Endorsement>>>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The recipient ([IdentityObject](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#IdentityObject)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityObject {
    /// The identity type: `email`, `url`, `telephone` or an IRI.
    #[serde(rename = "type")]
    pub type_: String,
    /// The identity, or its hash (`sha256$hex` / `md5$hex`).
    pub identity: String,
    /// True when `identity` is hashed.
    pub hashed: bool,
    /// Salt appended to the identity before hashing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// How to verify an assertion ([VerificationObject](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#VerificationObject)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationObject {
    /// `HostedBadge` or `SignedBadge` (`hosted`/`signed` in older documents).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// For issuer policies: the property to check (normally `id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_property: Option<String>,
    /// For issuer policies: allowed prefixes of assertion IRIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_with: Option<OneOrMany<String>>,
    /// For issuer policies: allowed origins (hosts) of assertion IRIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<OneOrMany<String>>,
    /// For signed badges: the IRI of the signing [`CryptographicKey`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<Iri>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Evidence of the achievement ([Evidence](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Evidence)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// IRI of the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `Evidence`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// Narrative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Genre (e.g. `Poetry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genre: Option<String>,
    /// Audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What earning a badge takes ([Criteria](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Criteria)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Criteria {
    /// IRI of a criteria page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `Criteria`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// The criteria as text (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A standard the badge aligns to ([AlignmentObject](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Alignment)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlignmentObject {
    /// `AlignmentObject`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// Name of the standard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
    /// URL of the standard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_url: Option<Iri>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_description: Option<String>,
    /// Framework name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_framework: Option<String>,
    /// Code within the framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_code: Option<String>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An image with metadata ([Image](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Image)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// The image IRI (or `data:` URI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `schema:ImageObject`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// Caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// IRI of the author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Iri>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A third party's endorsement ([Endorsement](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Endorsement)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endorsement {
    /// `@context`.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// Endorsement IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `Endorsement`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// What is endorsed, and the comment.
    pub claim: EndorsementClaim,
    /// The endorser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IdOr<Profile>>,
    /// When it was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<DateTime>,
    /// How to verify it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationObject>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The claim of an [`Endorsement`]: the endorsed node and a comment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndorsementClaim {
    /// IRI of the endorsed assertion, badge class or profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// The endorser's comment (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement_comment: Option<String>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Revoked assertions of an issuer ([RevocationList](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#RevocationList)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevocationList {
    /// `@context`.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// List IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `RevocationList`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// The issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IdOr<Profile>>,
    /// Revoked assertions: IRIs or objects with `id`/`uid` and `revocationReason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_assertions: Option<OneOrMany<IdOr<RevokedAssertion>>>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One entry of [`RevocationList::revoked_assertions`] given as an object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokedAssertion {
    /// IRI of the revoked assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// The 1.x `uid` of the revoked assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Why it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A public key ([CryptographicKey](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#CryptographicKey)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CryptographicKey {
    /// `@context`.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// Key IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `CryptographicKey`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<Types>,
    /// IRI of the owning [`Profile`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Iri>,
    /// The key in PEM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_pem: Option<String>,
    /// Properties not named above.
    #[serde(flatten)]
    pub extra: Extra,
}
