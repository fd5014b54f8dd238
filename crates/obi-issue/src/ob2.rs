//! Open Badges 2.0 awards: hosted assertions (`verification.type: hosted`, every document
//! published under a base URL) and signed assertions (a compact JWS, RS256 or ES256, with the
//! issuer's `CryptographicKey`), plus the 2.0 `RevocationList`.
//!
//! Published layout under the base URL `BASE` (files written to a directory mirroring it):
//! `BASE/issuer.json` (Issuer profile with `publicKey` and `revocationList`),
//! `BASE/keys/ob2.json` (CryptographicKey), `BASE/badges/NAME.json` (BadgeClass),
//! `BASE/badges/NAME.svg` (its image unless the achievement names one),
//! `BASE/assertions/UUID.json` (hosted assertions), `BASE/revocations.json` (RevocationList).
//! Spec: <https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html>.

use std::path::Path;

use obi_proof::{KeyPair, KeyType};
use serde_json::{Value, json};

use crate::error::{IssueError, Result, io};
use crate::issuer::{
    Award, Issuer, Recipient, check_achievement, check_url, identity_hash, read_json, write_atomic,
};
use crate::state::{NewRecord, now};

/// The Open Badges 2.0 context.
pub const OB2_CONTEXT: &str = "https://w3id.org/openbadges/v2";
/// The file (beside `issuer.json`) holding the 2.0 signing key (a private JWK, mode 0600).
pub const OB2_KEY_FILE: &str = "ob2-key.json";

const META_OB2_BASE: &str = "ob2_base_url";

/// An Open Badges 2.0 award.
#[derive(Debug, Clone)]
pub struct Ob2Issued {
    /// The assertion id (`BASE/assertions/UUID.json`).
    pub id: String,
    /// The assertion to hand to the recipient: the JSON (hosted) or the compact JWS (signed).
    pub assertion: crate::Secured,
    /// Documents to publish: (path relative to the base URL, bytes).
    pub publish: Vec<(String, Vec<u8>)>,
}

fn badge_name(achievement_id: &str) -> String {
    let tail = achievement_id
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("badge");
    let clean: String = tail
        .trim_end_matches(".json")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "badge".into()
    } else {
        clean
    }
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
    b.push(b'\n');
    b
}

/// A plain SVG badge image for achievements without one.
fn default_image(name: &str) -> Vec<u8> {
    let text: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .take(24)
        .collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"200\"><circle cx=\"100\" cy=\"100\" r=\"95\" fill=\"#2a6\"/><text x=\"100\" y=\"108\" font-size=\"16\" text-anchor=\"middle\" fill=\"#fff\">{text}</text></svg>\n"
    )
    .into_bytes()
}

/// What every Open Badges 2.0 assertion of an issuer shares: the base URL its documents are
/// published under. `Sync`, shared by bulk workers.
#[derive(Debug, Clone)]
pub(crate) struct Ob2Template {
    base: String,
}

/// The BadgeClass of an achievement and the documents to publish for it.
pub(crate) struct Ob2Badge {
    /// The BadgeClass id (`BASE/badges/NAME.json`).
    pub(crate) id: String,
    /// `badges/NAME.json` and, when the achievement names no image, `badges/NAME.svg`.
    pub(crate) publish: Vec<(String, Vec<u8>)>,
}

impl Ob2Template {
    /// The base URL (no trailing slash).
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// The CryptographicKey URL.
    pub(crate) fn key_url(&self) -> String {
        format!("{}/keys/ob2.json", self.base)
    }

    /// The Issuer profile URL.
    pub(crate) fn issuer_url(&self) -> String {
        format!("{}/issuer.json", self.base)
    }

    /// A fresh assertion id `BASE/assertions/UUID.json`.
    pub(crate) fn new_assertion_id(&self) -> String {
        format!("{}/assertions/{}.json", self.base, uuid::Uuid::new_v4())
    }

    /// The path of a hosted assertion relative to the base URL (`assertions/UUID.json`), for
    /// an id under it.
    pub(crate) fn relative<'a>(&self, id: &'a str) -> Option<&'a str> {
        let rel = id.strip_prefix(self.base.as_str())?.strip_prefix('/')?;
        (!rel.is_empty() && !rel.split('/').any(|p| p.is_empty() || p == "..")).then_some(rel)
    }

    /// The id of the BadgeClass [`Ob2Template::badge_class`] makes for `achievement`.
    pub(crate) fn badge_id(&self, achievement: &Value) -> String {
        let ach_id = achievement
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        format!("{}/badges/{}.json", self.base, badge_name(ach_id))
    }

    /// The 2.0 BadgeClass made from an OB 3.0 achievement (checked by the caller).
    pub(crate) fn badge_class(&self, achievement: &Value) -> Ob2Badge {
        let base = &self.base;
        let ach_id = achievement
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = badge_name(ach_id);
        let mut publish = Vec::new();
        let image = match achievement.get("image") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Object(o)) if o.get("id").and_then(Value::as_str).is_some() => o
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            _ => {
                let ach_name = achievement
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                publish.push((format!("badges/{name}.svg"), default_image(ach_name)));
                format!("{base}/badges/{name}.svg")
            }
        };
        let criteria = achievement.get("criteria").cloned().unwrap_or(json!({}));
        let mut criteria_2 = serde_json::Map::new();
        if let Some(n) = criteria.get("narrative") {
            criteria_2.insert("narrative".into(), n.clone());
        }
        if let Some(i) = criteria.get("id") {
            criteria_2.insert("id".into(), i.clone());
        }
        let id = self.badge_id(achievement);
        let badge = json!({
            "@context": OB2_CONTEXT,
            "type": "BadgeClass",
            "id": id,
            "name": achievement.get("name").cloned().unwrap_or_else(|| "Badge".into()),
            "description": achievement
                .get("description")
                .cloned()
                .unwrap_or_else(|| achievement.get("name").cloned().unwrap_or_default()),
            "image": image,
            "criteria": criteria_2,
            "issuer": self.issuer_url(),
        });
        publish.push((format!("badges/{name}.json"), pretty(&badge)));
        Ob2Badge { id, publish }
    }

    /// The hosted 2.0 assertion `id` of badge class `badge_id` for `award` (evidence and
    /// `validUntil` checked here).
    pub(crate) fn assertion(&self, id: &str, badge_id: &str, award: &Award) -> Result<Value> {
        for e in &award.evidence {
            check_url("evidence", e)?;
        }
        let expires = award
            .valid_until
            .as_deref()
            .map(crate::issuer::parse_valid_until)
            .transpose()?;
        let issued_on = now();
        if let Some(x) = &expires
            && *x <= issued_on
        {
            return Err(IssueError::Input(format!(
                "expires {x} is not after issuedOn {issued_on}"
            )));
        }
        let recipient = match &award.recipient {
            Recipient::Email(e) if award.hash_email => {
                let salt = uuid::Uuid::new_v4().simple().to_string();
                json!({"type": "email", "hashed": true, "salt": salt, "identity": identity_hash(&crate::issuer::normalized_email(e), &salt)})
            }
            Recipient::Email(e) => json!({"type": "email", "hashed": false, "identity": e}),
            Recipient::Did(u) | Recipient::Url(u) => {
                json!({"type": "url", "hashed": false, "identity": u})
            }
        };
        let mut assertion = json!({
            "@context": OB2_CONTEXT,
            "type": "Assertion",
            "id": id,
            "recipient": recipient,
            "badge": badge_id,
            "issuedOn": issued_on,
            "verification": {"type": "hosted"},
        });
        if let Some(m) = assertion.as_object_mut() {
            if let Some(n) = &award.narrative {
                m.insert("narrative".into(), n.clone().into());
            }
            if !award.evidence.is_empty() {
                let ev: Vec<Value> = award.evidence.iter().map(|e| json!({"id": e})).collect();
                m.insert("evidence".into(), Value::Array(ev));
            }
            if let Some(x) = expires {
                m.insert("expires".into(), x.into());
            }
        }
        Ok(assertion)
    }

    /// Secures `assertion`: signed with `key` (a compact JWS naming the CryptographicKey), or
    /// hosted (`key: None`: the JSON, also to publish at `assertions/UUID.json`).
    pub(crate) fn secure(&self, assertion: Value, key: Option<&KeyPair>) -> Result<crate::Secured> {
        Ok(match key {
            Some(k) => crate::Secured::Jwt(obi_proof::ob2::sign_assertion(
                &assertion,
                k,
                &self.key_url(),
            )?),
            None => crate::Secured::Json(assertion),
        })
    }
}

impl Issuer {
    /// The 2.0 signing key. An issuer whose own key is P-256 or RSA signs with it (a copy is
    /// returned; `kind` is ignored). An Ed25519 issuer uses a second key, `ob2-key.json`
    /// beside `issuer.json`, created as `kind` (RSA or P-256) when absent.
    ///
    /// # Errors
    /// [`IssueError::BadFile`] for a key file that is not an RSA or P-256 private key.
    pub fn ob2_key(&self, kind: KeyType) -> Result<KeyPair> {
        match self.ob2_file_key(kind)? {
            Some(k) => Ok(k),
            None => Ok(KeyPair::from_jwk(&self.key().key_pair().to_private_jwk())?),
        }
    }

    /// Whether this issuer signs 2.0 assertions with its own key (P-256 or RSA).
    #[must_use]
    pub fn ob2_uses_own_key(&self) -> bool {
        self.key().key_type() != KeyType::Ed25519
    }

    /// The 2.0 key from `ob2-key.json` (created as `kind` when absent), or `None` when the
    /// issuer signs with its own key.
    pub(crate) fn ob2_file_key(&self, kind: KeyType) -> Result<Option<KeyPair>> {
        if self.ob2_uses_own_key() {
            return Ok(None);
        }
        let path = self.dir().join(OB2_KEY_FILE);
        if path.exists() {
            let jwk = read_json(&path)?;
            let key = KeyPair::from_jwk(&jwk).map_err(|e| IssueError::BadFile {
                path: path.clone(),
                message: format!("not a private key: {e}"),
            })?;
            if key.key_type() == KeyType::Ed25519 {
                return Err(IssueError::BadFile {
                    path,
                    message: "Open Badges 2.0 signing needs an RSA or P-256 key".into(),
                });
            }
            return Ok(Some(key));
        }
        if kind == KeyType::Ed25519 {
            return Err(IssueError::Input(
                "Open Badges 2.0 signed assertions need an RSA or P-256 key (--ob2-key rsa|p256)"
                    .into(),
            ));
        }
        let key = KeyPair::generate(kind)?;
        crate::issuer::write_private(
            &path,
            &serde_json::to_vec_pretty(&key.to_private_jwk()).unwrap_or_default(),
            false,
        )?;
        Ok(Some(key))
    }

    /// Whether this issuer has a 2.0 signing key (its own P-256/RSA key, or `ob2-key.json`).
    fn ob2_has_key(&self) -> bool {
        self.ob2_uses_own_key() || self.dir().join(OB2_KEY_FILE).exists()
    }

    /// The base URL of this issuer's 2.0 documents, fixed by its first 2.0 award.
    ///
    /// # Errors
    /// [`IssueError::State`].
    pub fn ob2_base_url(&self) -> Result<Option<String>> {
        self.state().get_meta(META_OB2_BASE)
    }

    fn ob2_base(&self, base_url: &str) -> Result<String> {
        check_url("--base-url", base_url)?;
        let base = base_url.trim_end_matches('/').to_string();
        match self.ob2_base_url()? {
            Some(b) if b != base => Err(IssueError::Input(format!(
                "this issuer publishes its Open Badges 2.0 documents under {b}, not {base}"
            ))),
            Some(_) => Ok(base),
            None => {
                self.state().set_meta(META_OB2_BASE, &base)?;
                Ok(base)
            }
        }
    }

    fn ob2_require_email(&self) -> Result<()> {
        if self
            .profile()
            .get("email")
            .and_then(Value::as_str)
            .is_none()
        {
            return Err(IssueError::Input(
                "an Open Badges 2.0 Issuer needs an email: add \"email\" to issuer.json (or init with --email)".into(),
            ));
        }
        Ok(())
    }

    /// Checks the issuer can publish 2.0 documents under `base_url` (fixing it on first use)
    /// and returns what its assertions share.
    pub(crate) fn ob2_template(&self, base_url: &str) -> Result<Ob2Template> {
        self.ob2_require_email()?;
        Ok(Ob2Template {
            base: self.ob2_base(base_url)?,
        })
    }

    /// The 2.0 Issuer profile published at `BASE/issuer.json`.
    fn ob2_profile(&self, base: &str, key: bool) -> Value {
        let p = self.profile();
        let mut profile = json!({
            "@context": OB2_CONTEXT,
            "type": "Issuer",
            "id": format!("{base}/issuer.json"),
            "name": p.get("name").cloned().unwrap_or_else(|| "Issuer".into()),
            "url": p.get("url").cloned().unwrap_or_else(|| base.into()),
            "revocationList": format!("{base}/revocations.json"),
        });
        if let Some(m) = profile.as_object_mut() {
            if let Some(e) = p.get("email") {
                m.insert("email".into(), e.clone());
            }
            if key {
                m.insert("publicKey".into(), format!("{base}/keys/ob2.json").into());
            }
        }
        profile
    }

    /// The issuer-wide 2.0 documents to publish: `issuer.json`, `keys/ob2.json` (when the
    /// issuer has a 2.0 key; `kind` creates none) and `revocations.json`.
    pub(crate) fn ob2_issuer_documents(
        &self,
        template: &Ob2Template,
        signing: Option<&KeyPair>,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let mut publish = Vec::new();
        let public = match signing {
            Some(k) => Some(obi_proof::Signer::public_key(k)),
            None if self.ob2_has_key() => {
                // Keep publishing the key a signed award named earlier.
                Some(obi_proof::Signer::public_key(&self.ob2_key(KeyType::Rsa)?))
            }
            None => None,
        };
        if let Some(public) = &public {
            let ck = obi_proof::ob2::cryptographic_key(
                public,
                &template.key_url(),
                &template.issuer_url(),
            )?;
            publish.push(("keys/ob2.json".into(), pretty(&ck)));
        }
        publish.push((
            "issuer.json".into(),
            pretty(&self.ob2_profile(template.base(), public.is_some())),
        ));
        publish.push((
            "revocations.json".into(),
            pretty(&self.ob2_revocation_list()?),
        ));
        Ok(publish)
    }

    /// Awards `achievement` as an Open Badges 2.0 assertion: hosted (`signed_with: None`) or
    /// signed (`Some(kind)`: with the issuer's own key when it is P-256 or RSA, otherwise
    /// with the 2.0 key `ob2-key.json`, created as `kind` when absent). Recorded in the state
    /// like a 3.0 award; returns the assertion and the documents to publish under
    /// `base_url`.
    ///
    /// # Errors
    /// [`IssueError::Input`] for a bad achievement, recipient, URL or date;
    /// [`IssueError::State`]; [`IssueError::Proof`].
    pub fn award_ob2(
        &mut self,
        achievement: &Value,
        award: &Award,
        base_url: &str,
        signed_with: Option<KeyType>,
    ) -> Result<Ob2Issued> {
        check_achievement(achievement)?;
        self.ob2_require_email()?;
        check_url("--base-url", base_url)?;
        let file_key = match signed_with {
            Some(kind) => self.ob2_file_key(kind)?,
            None => None,
        };
        let template = self.ob2_template(base_url)?;
        let badge = template.badge_class(achievement);
        let id = template.new_assertion_id();
        // Built before recording, so bad input never allocates an index.
        let assertion = template.assertion(&id, &badge.id, award)?;
        let ach_id = achievement
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let length = self.status_list_length();
        self.state_mut().record(
            &[NewRecord {
                id: &id,
                recipient: award.recipient.as_str(),
                achievement: ach_id,
                row_key: None,
            }],
            length,
        )?;
        let signing = match (signed_with, &file_key) {
            (None, _) => None,
            (Some(_), Some(k)) => Some(k),
            (Some(_), None) => Some(self.key().key_pair()),
        };
        let mut publish = badge.publish;
        if signing.is_none()
            && let Some(rel) = template.relative(&id)
        {
            publish.push((rel.to_string(), pretty(&assertion)));
        }
        let secured = template.secure(assertion, signing)?;
        publish.extend(self.ob2_issuer_documents(&template, signing)?);
        Ok(Ob2Issued {
            id,
            assertion: secured,
            publish,
        })
    }

    /// An Open Badges 2.0 `Endorsement` (hosted): this issuer endorses `subject` (a 2.0
    /// Issuer, BadgeClass or Assertion id) with `comment`. Recorded and revocable like an
    /// award; the document is published at `BASE/endorsements/UUID.json` with the issuer
    /// profile.
    ///
    /// # Errors
    /// [`IssueError::Input`] for a subject that is not a URI, an empty comment, a bad base URL
    /// or a profile without email; [`IssueError::State`].
    pub fn endorse_ob2(
        &mut self,
        subject: &str,
        comment: &str,
        base_url: &str,
    ) -> Result<Ob2Issued> {
        if !subject.contains(':') || subject.chars().any(char::is_whitespace) {
            return Err(IssueError::Input(format!(
                "--subject {subject:?} is not a URI (the id of an issuer, badge class or assertion)"
            )));
        }
        if comment.trim().is_empty() {
            return Err(IssueError::Input("an endorsement needs a --comment".into()));
        }
        self.ob2_require_email()?;
        let base = self.ob2_base(base_url)?;
        let uuid = uuid::Uuid::new_v4();
        let id = format!("{base}/endorsements/{uuid}.json");
        let doc = json!({
            "@context": OB2_CONTEXT,
            "type": "Endorsement",
            "id": id,
            "claim": {"id": subject, "endorsementComment": comment},
            "issuedOn": now(),
            "issuer": format!("{base}/issuer.json"),
            "verification": {"type": "hosted"},
        });
        let length = self.status_list_length();
        self.state_mut().record(
            &[NewRecord {
                id: &id,
                recipient: subject,
                achievement: "endorsement",
                row_key: None,
            }],
            length,
        )?;
        let has_key = self.ob2_has_key();
        let publish = vec![
            (format!("endorsements/{uuid}.json"), pretty(&doc)),
            (
                "issuer.json".into(),
                pretty(&self.ob2_profile(&base, has_key)),
            ),
        ];
        Ok(Ob2Issued {
            id,
            assertion: crate::Secured::Json(doc),
            publish,
        })
    }

    /// The Open Badges 2.0 `RevocationList` to publish at `BASE/revocations.json`: the revoked
    /// 2.0 assertions (ids under the 2.0 base URL) with their reasons.
    ///
    /// # Errors
    /// [`IssueError::Input`] when the issuer has made no 2.0 award; [`IssueError::State`].
    pub fn ob2_revocation_list(&self) -> Result<Value> {
        let base = self.ob2_base_url()?.ok_or_else(|| {
            IssueError::Input("this issuer has made no Open Badges 2.0 award".into())
        })?;
        let prefix = format!("{base}/assertions/");
        let revoked: Vec<Value> = self
            .state()
            .revoked()?
            .into_iter()
            .filter(|(id, _, _)| id.starts_with(&prefix))
            .map(|(id, _, reason)| match reason {
                Some(r) => json!({"id": id, "revocationReason": r}),
                None => json!({"id": id}),
            })
            .collect();
        Ok(json!({
            "@context": OB2_CONTEXT,
            "type": "RevocationList",
            "id": format!("{base}/revocations.json"),
            "issuer": format!("{base}/issuer.json"),
            "revokedAssertions": revoked,
        }))
    }
}

/// Marks the published hosted 2.0 assertion of `id` revoked (`revoked: true` and
/// `revocationReason`) in the publish directory `dir`, as 2.0 hosted verification expects.
/// Returns whether there was such a file.
///
/// # Errors
/// [`IssueError::Io`]; [`IssueError::BadFile`].
pub fn mark_hosted_revoked(dir: &Path, base_url: &str, id: &str, reason: &str) -> Result<bool> {
    let prefix = format!("{}/assertions/", base_url.trim_end_matches('/'));
    let Some(name) = id.strip_prefix(&prefix) else {
        return Ok(false);
    };
    if name.contains('/') || name.contains("..") {
        return Ok(false);
    }
    let path = dir.join("assertions").join(name);
    if !path.exists() {
        return Ok(false);
    }
    let mut doc = read_json(&path)?;
    if let Some(m) = doc.as_object_mut() {
        m.insert("revoked".into(), true.into());
        m.insert("revocationReason".into(), reason.into());
    }
    write_atomic(&path, &pretty(&doc))?;
    Ok(true)
}

/// Writes `publish` documents under `dir` (each through a temporary file and a rename).
///
/// # Errors
/// [`IssueError::Io`]; [`IssueError::Input`] for a path leaving `dir`.
pub fn write_published(dir: &Path, publish: &[(String, Vec<u8>)]) -> Result<()> {
    for (rel, bytes) in publish {
        if rel.split('/').any(|p| p == ".." || p.is_empty()) {
            return Err(IssueError::Input(format!("bad publish path {rel}")));
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        write_atomic(&path, bytes)?;
    }
    Ok(())
}
