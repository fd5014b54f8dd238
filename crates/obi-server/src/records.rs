//! The rows the service keeps, and the [`Store`] operations handlers call.

use serde::Serialize;

use crate::issuing::{AwardFormat, PreparedAward};
use crate::store::{Cell, Param, Store, StoreError, now};

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An issuer (organisation) with its own signing key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssuerRecord {
    /// UUID.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Home page.
    pub url: Option<String>,
    /// Contact address.
    pub email: Option<String>,
    /// The public key as a Multikey (`z…`).
    pub public_key: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// An achievement (OB 3.0) / badge class (OB 2.0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AchievementRecord {
    /// UUID.
    pub id: String,
    /// The issuer's UUID.
    pub issuer_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Criteria narrative.
    pub criteria: String,
    /// Image URL.
    pub image: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// An awarded credential as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AwardRecord {
    /// UUID.
    pub id: String,
    /// The issuer's UUID.
    pub issuer_id: String,
    /// The achievement's UUID.
    pub achievement_id: String,
    /// The credential JSON (or compact JWS as a JSON string).
    pub credential: serde_json::Value,
    /// Index in the issuer's status list.
    pub status_index: i64,
    /// Revoked.
    pub revoked: bool,
    /// RFC 3339.
    pub created_at: String,
    /// `ob3`, `ob2-hosted` or `ob2-signed`.
    pub format: String,
}

/// An award in a listing (without its credential).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AwardSummary {
    /// UUID.
    pub id: String,
    /// The achievement's UUID.
    pub achievement_id: String,
    /// Global status index (list × 131,072 + entry).
    pub status_index: i64,
    /// Revoked.
    pub revoked: bool,
    /// RFC 3339.
    pub created_at: String,
    /// `ob3`, `ob2-hosted` or `ob2-signed`.
    pub format: String,
    /// `{job id}:{row number}` for awards made by a bulk job.
    pub row_key: Option<String>,
}

/// Who a valid API token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenScope {
    /// Every issuer, and creating issuers.
    Admin,
    /// One issuer only.
    Issuer(String),
}

impl TokenScope {
    /// The actor name written to the audit log.
    #[must_use]
    pub fn actor(&self) -> String {
        match self {
            Self::Admin => "admin".to_owned(),
            Self::Issuer(id) => format!("issuer:{id}"),
        }
    }
}

/// Fields of a new issuer.
#[derive(Debug, Clone)]
pub struct NewIssuer {
    /// Display name.
    pub name: String,
    /// Home page.
    pub url: Option<String>,
    /// Contact address.
    pub email: Option<String>,
    /// Multikey.
    pub public_key: String,
    /// The private key, sealed (see `crate::KeySealer`).
    pub sealed_key: String,
}

/// Changes to an issuer; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct IssuerPatch {
    /// New name.
    pub name: Option<String>,
    /// New URL.
    pub url: Option<String>,
    /// New email.
    pub email: Option<String>,
}

/// Fields of a new achievement.
#[derive(Debug, Clone)]
pub struct NewAchievement {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Criteria narrative.
    pub criteria: String,
    /// Image URL.
    pub image: Option<String>,
}

pub(crate) fn text(row: &[Cell], i: usize) -> Result<String> {
    match row.get(i) {
        Some(Cell::Text(s)) => Ok(s.clone()),
        _ => Err(StoreError::Row("expected TEXT")),
    }
}

pub(crate) fn opt_text(row: &[Cell], i: usize) -> Result<Option<String>> {
    match row.get(i) {
        Some(Cell::Text(s)) => Ok(Some(s.clone())),
        Some(Cell::Null) => Ok(None),
        _ => Err(StoreError::Row("expected TEXT or NULL")),
    }
}

pub(crate) fn int(row: &[Cell], i: usize) -> Result<i64> {
    match row.get(i) {
        Some(Cell::Int(v)) => Ok(*v),
        _ => Err(StoreError::Row("expected BIGINT")),
    }
}

const ISSUER_COLUMNS: &str = "id, name, url, email, public_key, created_at, updated_at";

fn issuer(row: &[Cell]) -> Result<IssuerRecord> {
    Ok(IssuerRecord {
        id: text(row, 0)?,
        name: text(row, 1)?,
        url: opt_text(row, 2)?,
        email: opt_text(row, 3)?,
        public_key: text(row, 4)?,
        created_at: text(row, 5)?,
        updated_at: text(row, 6)?,
    })
}

fn achievement(row: &[Cell]) -> Result<AchievementRecord> {
    Ok(AchievementRecord {
        id: text(row, 0)?,
        issuer_id: text(row, 1)?,
        name: text(row, 2)?,
        description: text(row, 3)?,
        criteria: text(row, 4)?,
        image: opt_text(row, 5)?,
        created_at: text(row, 6)?,
    })
}

pub(crate) fn audit_stmt(
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> (&'static str, Vec<Param>) {
    (
        "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
        vec![
            Param::Text(now()),
            Param::Text(actor.to_owned()),
            Param::Text(action.to_owned()),
            Param::Text(target.to_owned()),
            Param::Text(detail.to_owned()),
        ],
    )
}

impl Store {
    /// Creates an issuer and audits it, atomically.
    pub async fn create_issuer(&self, actor: &str, new: NewIssuer) -> Result<IssuerRecord> {
        let id = uuid::Uuid::new_v4().to_string();
        let at = now();
        self.transaction(vec![
            (
                "INSERT INTO issuers (id, name, url, email, public_key, sealed_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                vec![
                    Param::Text(id.clone()),
                    Param::Text(new.name.clone()),
                    Param::OptText(new.url.clone()),
                    Param::OptText(new.email.clone()),
                    Param::Text(new.public_key.clone()),
                    Param::Text(new.sealed_key),
                    Param::Text(at.clone()),
                ],
            ),
            audit_stmt(actor, "issuer.create", &id, &new.name),
        ])
        .await?;
        Ok(IssuerRecord {
            id,
            name: new.name,
            url: new.url,
            email: new.email,
            public_key: new.public_key,
            created_at: at.clone(),
            updated_at: at,
        })
    }

    /// Every issuer, oldest first.
    pub async fn list_issuers(&self) -> Result<Vec<IssuerRecord>> {
        const SQL: &str = "SELECT id, name, url, email, public_key, created_at, updated_at FROM issuers ORDER BY created_at, id";
        debug_assert!(SQL.contains(ISSUER_COLUMNS));
        self.query(SQL, vec![])
            .await?
            .iter()
            .map(|r| issuer(r))
            .collect()
    }

    /// One issuer.
    pub async fn get_issuer(&self, id: &str) -> Result<Option<IssuerRecord>> {
        let rows = self
            .query(
                "SELECT id, name, url, email, public_key, created_at, updated_at FROM issuers WHERE id = $1",
                vec![Param::Text(id.to_owned())],
            )
            .await?;
        rows.first().map(|r| issuer(r)).transpose()
    }

    /// The issuer's sealed private key.
    pub async fn issuer_sealed_key(&self, id: &str) -> Result<Option<String>> {
        let rows = self
            .query(
                "SELECT sealed_key FROM issuers WHERE id = $1",
                vec![Param::Text(id.to_owned())],
            )
            .await?;
        rows.first().map(|r| text(r, 0)).transpose()
    }

    /// Applies `patch`; `None` when there is no such issuer.
    pub async fn update_issuer(
        &self,
        actor: &str,
        id: &str,
        patch: IssuerPatch,
    ) -> Result<Option<IssuerRecord>> {
        let changed = self
            .transaction(vec![
                (
                    "UPDATE issuers SET name = COALESCE($2, name), url = COALESCE($3, url), email = COALESCE($4, email), updated_at = $5 WHERE id = $1",
                    vec![
                        Param::Text(id.to_owned()),
                        Param::OptText(patch.name.clone()),
                        Param::OptText(patch.url.clone()),
                        Param::OptText(patch.email.clone()),
                        Param::Text(now()),
                    ],
                ),
                audit_stmt(actor, "issuer.update", id, ""),
            ])
            .await?;
        if changed.first().copied().unwrap_or(0) == 0 {
            return Ok(None);
        }
        self.get_issuer(id).await
    }

    /// Creates an achievement of `issuer_id` and audits it.
    pub async fn create_achievement(
        &self,
        actor: &str,
        issuer_id: &str,
        new: NewAchievement,
    ) -> Result<AchievementRecord> {
        let id = uuid::Uuid::new_v4().to_string();
        let at = now();
        self.transaction(vec![
            (
                "INSERT INTO achievements (id, issuer_id, name, description, criteria, image, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                vec![
                    Param::Text(id.clone()),
                    Param::Text(issuer_id.to_owned()),
                    Param::Text(new.name.clone()),
                    Param::Text(new.description.clone()),
                    Param::Text(new.criteria.clone()),
                    Param::OptText(new.image.clone()),
                    Param::Text(at.clone()),
                ],
            ),
            audit_stmt(actor, "achievement.create", &id, issuer_id),
        ])
        .await?;
        Ok(AchievementRecord {
            id,
            issuer_id: issuer_id.to_owned(),
            name: new.name,
            description: new.description,
            criteria: new.criteria,
            image: new.image,
            created_at: at,
        })
    }

    /// The achievements of one issuer, oldest first.
    pub async fn list_achievements(&self, issuer_id: &str) -> Result<Vec<AchievementRecord>> {
        self.query(
            "SELECT id, issuer_id, name, description, criteria, image, created_at FROM achievements WHERE issuer_id = $1 ORDER BY created_at, id",
            vec![Param::Text(issuer_id.to_owned())],
        )
        .await?
        .iter()
        .map(|r| achievement(r))
        .collect()
    }

    /// One achievement.
    pub async fn get_achievement(&self, id: &str) -> Result<Option<AchievementRecord>> {
        let rows = self
            .query(
                "SELECT id, issuer_id, name, description, criteria, image, created_at FROM achievements WHERE id = $1",
                vec![Param::Text(id.to_owned())],
            )
            .await?;
        rows.first().map(|r| achievement(r)).transpose()
    }

    /// Stores a credential made elsewhere (stored as given) under `id`, at a freshly
    /// reserved status index, and audits it.
    pub async fn insert_award(
        &self,
        actor: &str,
        issuer_id: &str,
        achievement_id: &str,
        id: &str,
        credential: &serde_json::Value,
    ) -> Result<AwardRecord> {
        let index = crate::status::reserve(self, issuer_id, 1)
            .await?
            .first()
            .copied()
            .ok_or(StoreError::Row("no status index reserved"))?;
        let format = if credential.is_string() {
            AwardFormat::Ob2Signed
        } else if credential.get("badge").is_some() && credential.get("recipient").is_some() {
            AwardFormat::Ob2Hosted
        } else {
            AwardFormat::Ob3
        };
        let award = PreparedAward {
            id: id.to_owned(),
            achievement_id: achievement_id.to_owned(),
            credential: credential.clone(),
            status_index: index,
            format,
            row_key: None,
        };
        self.insert_prepared(actor, issuer_id, &[award], vec![])
            .await?;
        self.get_award(id)
            .await?
            .ok_or(StoreError::Row("inserted award not found"))
    }

    /// Stores prepared awards (each audited) and runs `extra` checked statements, all in one
    /// transaction. A row key already present fails the whole transaction.
    pub(crate) async fn insert_prepared(
        &self,
        actor: &str,
        issuer_id: &str,
        awards: &[PreparedAward],
        extra: Vec<(&'static str, Vec<Param>, u64)>,
    ) -> Result<()> {
        let at = now();
        let mut statements = Vec::with_capacity(awards.len() * 2 + extra.len());
        for a in awards {
            statements.push((
                "INSERT INTO awards (id, issuer_id, achievement_id, credential, status_index, revoked, created_at, row_key, format) \
                 VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)",
                vec![
                    Param::Text(a.id.clone()),
                    Param::Text(issuer_id.to_owned()),
                    Param::Text(a.achievement_id.clone()),
                    Param::Text(a.credential.to_string()),
                    Param::Int(a.status_index),
                    Param::Text(at.clone()),
                    Param::OptText(a.row_key.clone()),
                    Param::Text(a.format.as_str().to_owned()),
                ],
                1,
            ));
            let (sql, params) = audit_stmt(actor, "award.create", &a.id, &a.achievement_id);
            statements.push((sql, params, 1));
        }
        statements.extend(extra);
        self.checked_transaction(statements).await?;
        Ok(())
    }

    /// A page of an issuer's awards, oldest first, and the total count.
    pub async fn list_awards(
        &self,
        issuer_id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<AwardSummary>, i64)> {
        let rows = self
            .query(
                "SELECT id, achievement_id, status_index, revoked, created_at, format, row_key FROM awards \
                 WHERE issuer_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3",
                vec![
                    Param::Text(issuer_id.to_owned()),
                    Param::Int(limit),
                    Param::Int(offset),
                ],
            )
            .await?;
        let total = self
            .query(
                "SELECT COUNT(*) FROM awards WHERE issuer_id = $1",
                vec![Param::Text(issuer_id.to_owned())],
            )
            .await?;
        let total = total.first().map(|r| int(r, 0)).transpose()?.unwrap_or(0);
        let items = rows
            .iter()
            .map(|r| {
                Ok(AwardSummary {
                    id: text(r, 0)?,
                    achievement_id: text(r, 1)?,
                    status_index: int(r, 2)?,
                    revoked: int(r, 3)? != 0,
                    created_at: text(r, 4)?,
                    format: text(r, 5)?,
                    row_key: opt_text(r, 6)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }

    /// The hosted JSON of an award as stored text, when it is served exactly as stored
    /// (`None` inside for a revoked OB 2.0 hosted assertion, which gains `revoked: true`),
    /// and whether it can never change (OB 3.0 credentials: revocation is in the status
    /// list). Outer `None`: no such award.
    pub(crate) async fn hosted_credential_text(
        &self,
        id: &str,
    ) -> Result<Option<(Option<String>, bool)>> {
        let rows = self
            .query(
                "SELECT credential, revoked, format FROM awards WHERE id = $1",
                vec![Param::Text(id.to_owned())],
            )
            .await?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let format = text(r, 2)?;
        if int(r, 1)? != 0 && format == AwardFormat::Ob2Hosted.as_str() {
            return Ok(Some((None, false)));
        }
        Ok(Some((
            Some(text(r, 0)?),
            format == AwardFormat::Ob3.as_str(),
        )))
    }

    /// One stored award.
    pub async fn get_award(&self, id: &str) -> Result<Option<AwardRecord>> {
        let rows = self
            .query(
                "SELECT id, issuer_id, achievement_id, credential, status_index, revoked, created_at, format FROM awards WHERE id = $1",
                vec![Param::Text(id.to_owned())],
            )
            .await?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let credential = serde_json::from_str(&text(r, 3)?)
            .map_err(|_| StoreError::Row("stored credential is not JSON"))?;
        Ok(Some(AwardRecord {
            id: text(r, 0)?,
            issuer_id: text(r, 1)?,
            achievement_id: text(r, 2)?,
            credential,
            status_index: int(r, 4)?,
            revoked: int(r, 5)? != 0,
            created_at: text(r, 6)?,
            format: text(r, 7)?,
        }))
    }

    /// Stores the SHA-256 hash of a new token (`issuer_id` `None`: admin).
    pub async fn create_token(
        &self,
        actor: &str,
        token_hash: &str,
        issuer_id: Option<&str>,
        label: &str,
    ) -> Result<()> {
        self.transaction(vec![
            (
                "INSERT INTO api_tokens (token_hash, issuer_id, label, created_at) VALUES ($1, $2, $3, $4)",
                vec![
                    Param::Text(token_hash.to_owned()),
                    Param::OptText(issuer_id.map(str::to_owned)),
                    Param::Text(label.to_owned()),
                    Param::Text(now()),
                ],
            ),
            audit_stmt(actor, "token.create", issuer_id.unwrap_or("admin"), label),
        ])
        .await?;
        Ok(())
    }

    /// Stores an admin token hash if it is not there yet (start-up bootstrap).
    pub async fn ensure_admin_token(&self, token_hash: &str) -> Result<()> {
        if self.token_scope(token_hash).await?.is_none() {
            self.create_token("startup", token_hash, None, "OBI_ADMIN_TOKEN")
                .await?;
        }
        Ok(())
    }

    /// The scope of the token with this hash, if any.
    pub async fn token_scope(&self, token_hash: &str) -> Result<Option<TokenScope>> {
        let rows = self
            .query(
                "SELECT issuer_id FROM api_tokens WHERE token_hash = $1",
                vec![Param::Text(token_hash.to_owned())],
            )
            .await?;
        rows.first()
            .map(|r| {
                Ok(match opt_text(r, 0)? {
                    Some(id) => TokenScope::Issuer(id),
                    None => TokenScope::Admin,
                })
            })
            .transpose()
    }

    /// The audit log, newest last: `(actor, action, target)`.
    pub async fn audit_entries(&self) -> Result<Vec<(String, String, String)>> {
        self.query(
            "SELECT actor, action, target FROM audit_log ORDER BY id",
            vec![],
        )
        .await?
        .iter()
        .map(|r| Ok((text(r, 0)?, text(r, 1)?, text(r, 2)?)))
        .collect()
    }
}

impl Store {
    /// Marks an award revoked, marks its status list changed and audits it, atomically;
    /// `false` when there is no such award.
    pub async fn revoke_award(&self, actor: &str, id: &str, reason: &str) -> Result<bool> {
        let Some(award) = self.get_award(id).await? else {
            return Ok(false);
        };
        let (list, _) = crate::status::split_index(award.status_index);
        let changed = self
            .transaction(vec![
                (
                    "UPDATE awards SET revoked = 1, revocation_reason = $2 WHERE id = $1",
                    vec![Param::Text(id.to_owned()), Param::Text(reason.to_owned())],
                ),
                crate::status::bump_revision(&award.issuer_id, list),
                audit_stmt(actor, "award.revoke", id, reason),
            ])
            .await?;
        Ok(changed.first().copied().unwrap_or(0) > 0)
    }

    /// Revoked awards of an issuer in a format: `(id, reason)`.
    pub(crate) async fn revoked_awards(
        &self,
        issuer_id: &str,
        format: &str,
    ) -> Result<Vec<(String, Option<String>)>> {
        self.query(
            "SELECT id, revocation_reason FROM awards WHERE issuer_id = $1 AND format = $2 AND revoked = 1 ORDER BY id",
            vec![Param::Text(issuer_id.to_owned()), Param::Text(format.to_owned())],
        )
        .await?
        .iter()
        .map(|r| Ok((text(r, 0)?, opt_text(r, 1)?)))
        .collect()
    }

    /// The issuer's OB 2.0 key: (public PEM, sealed private JWK).
    pub(crate) async fn ob2_key(&self, issuer_id: &str) -> Result<Option<(String, String)>> {
        let rows = self
            .query(
                "SELECT public_pem, sealed_key FROM ob2_keys WHERE issuer_id = $1",
                vec![Param::Text(issuer_id.to_owned())],
            )
            .await?;
        rows.first()
            .map(|r| Ok((text(r, 0)?, text(r, 1)?)))
            .transpose()
    }

    /// Stores the issuer's OB 2.0 key unless it has one.
    pub(crate) async fn insert_ob2_key(
        &self,
        issuer_id: &str,
        public_pem: &str,
        sealed_key: &str,
    ) -> Result<()> {
        // One transaction: the key, and its audit entry only when this key is the one stored.
        self.transaction(vec![
            (
                "INSERT INTO ob2_keys (issuer_id, public_pem, sealed_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (issuer_id) DO NOTHING",
                vec![
                    Param::Text(issuer_id.to_owned()),
                    Param::Text(public_pem.to_owned()),
                    Param::Text(sealed_key.to_owned()),
                    Param::Text(now()),
                ],
            ),
            (
                "INSERT INTO audit_log (at, actor, action, target, detail) \
                 SELECT $1, 'system', 'issuer.ob2_key', $2, 'RS256 key created' \
                 WHERE EXISTS (SELECT 1 FROM ob2_keys WHERE issuer_id = $2 AND sealed_key = $3)",
                vec![
                    Param::Text(now()),
                    Param::Text(issuer_id.to_owned()),
                    Param::Text(sealed_key.to_owned()),
                ],
            ),
        ])
        .await?;
        Ok(())
    }

    /// Why an award was revoked (`None`: not revoked, or no reason).
    pub(crate) async fn revocation_reason(&self, id: &str) -> Result<Option<String>> {
        let rows = self
            .query(
                "SELECT revocation_reason FROM awards WHERE id = $1 AND revoked = 1",
                vec![Param::Text(id.to_owned())],
            )
            .await?;
        Ok(rows.first().map(|r| opt_text(r, 0)).transpose()?.flatten())
    }
}
