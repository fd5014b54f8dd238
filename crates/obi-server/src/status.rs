//! OB 3.0 revocation status lists (W3C Bitstring Status List).
//!
//! Each issuer has a counter of allocated status entries. Counter value `seq` lands in list
//! `seq / LIST_LEN` at entry `permute(seq % LIST_LEN)`: a keyed (secret, per issuer)
//! permutation of `[0, LIST_LEN)`, so entries look random and are never reused. Each list is
//! hosted at `/issuers/{id}/status/{n}` as a signed `BitstringStatusListCredential`; the signed
//! document is stored with the list's revision and re-signed only after a revocation bumped it.

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::app::{AppState, CREDENTIALS_V2};
use crate::error::AppError;
use crate::records::IssuerRecord;
use crate::store::{Cell, Param, Store, StoreError};

/// Entries per status list (the Bitstring Status List minimum, 131,072).
pub const STATUS_LIST_LENGTH: i64 = obi_issue::MIN_STATUS_LIST_LENGTH as i64;

const LIST_BITS: u32 = 17;
const _: () = assert!(1i64 << LIST_BITS == STATUS_LIST_LENGTH);
/// Rounds of the Feistel network.
const ROUNDS: u8 = 4;
/// Most entries reserved in one call.
pub(crate) const MAX_RESERVE: i64 = 10_000;

/// The URL of an issuer's status list `n`.
pub(crate) fn list_url(state: &AppState, issuer_id: &str, n: i64) -> String {
    state.url(&format!("/issuers/{issuer_id}/status/{n}"))
}

fn round(key: &str, round: u8, half: u32) -> u32 {
    let mut h = Sha256::new();
    h.update(key.as_bytes());
    h.update([round]);
    h.update(half.to_be_bytes());
    let d = h.finalize();
    (u32::from(d[0]) << 8 | u32::from(d[1])) & 0x1ff
}

/// A bijection of `[0, 2^18)`: a balanced 9+9-bit Feistel network keyed by `key`.
fn feistel18(key: &str, v: u32) -> u32 {
    let (mut l, mut r) = (v >> 9 & 0x1ff, v & 0x1ff);
    for i in 0..ROUNDS {
        let f = round(key, i, r);
        (l, r) = (r, l ^ f);
    }
    l << 9 | r
}

/// A keyed bijection of `[0, STATUS_LIST_LENGTH)` (cycle walking on [`feistel18`]).
pub(crate) fn permute(key: &str, x: u32) -> u32 {
    let mut v = x & ((1 << LIST_BITS) - 1);
    loop {
        v = feistel18(key, v);
        if v < (1 << LIST_BITS) {
            return v;
        }
    }
}

/// The global status index (list number × length + entry) of counter value `seq`.
pub(crate) fn index_of(key: &str, seq: i64) -> i64 {
    let list = seq >> LIST_BITS;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // masked to 17 bits
    let entry = permute(key, (seq & (STATUS_LIST_LENGTH - 1)) as u32);
    (list << LIST_BITS) | i64::from(entry)
}

/// The list number and entry of a global status index.
pub(crate) fn split_index(index: i64) -> (i64, i64) {
    (index >> LIST_BITS, index & (STATUS_LIST_LENGTH - 1))
}

fn int(cell: Option<&Cell>) -> Result<i64, StoreError> {
    match cell {
        Some(Cell::Int(v)) => Ok(*v),
        _ => Err(StoreError::Row("expected BIGINT")),
    }
}

fn text(cell: Option<&Cell>) -> Result<String, StoreError> {
    match cell {
        Some(Cell::Text(v)) => Ok(v.clone()),
        _ => Err(StoreError::Row("expected TEXT")),
    }
}

/// Reserves `n` fresh status indexes of an issuer for `state`'s awards: a single one comes
/// from a block of [`crate::cache::STATUS_BLOCK`] this instance reserved earlier (one
/// committed write per block instead of one per award).
pub(crate) async fn reserve_for(
    state: &AppState,
    issuer_id: &str,
    n: i64,
) -> Result<Vec<i64>, StoreError> {
    if n != 1 {
        return reserve(state.store(), issuer_id, n).await;
    }
    if let Some(i) = state.caches().take_status_index(issuer_id) {
        return Ok(vec![i]);
    }
    let mut block = reserve(state.store(), issuer_id, crate::cache::STATUS_BLOCK).await?;
    block.reverse();
    let first = block
        .pop()
        .ok_or(StoreError::Row("empty status index reservation"))?;
    state.caches().put_status_indexes(issuer_id, block);
    Ok(vec![first])
}

/// Reserves `n` fresh status indexes of an issuer (never handed out again, even when the
/// awards using them are never committed).
pub(crate) async fn reserve(
    store: &Store,
    issuer_id: &str,
    n: i64,
) -> Result<Vec<i64>, StoreError> {
    const BUMP: &str = "UPDATE status_counters SET next_seq = next_seq + $2 WHERE issuer_id = $1 RETURNING next_seq, perm_key";
    let n = n.clamp(0, MAX_RESERVE);
    let mut rows = store
        .query(BUMP, vec![Param::Text(issuer_id.to_owned()), Param::Int(n)])
        .await?;
    if rows.is_empty() {
        let key: [u8; 32] = rand::random();
        let key: String = key.iter().map(|b| format!("{b:02x}")).collect();
        store
            .transaction(vec![(
                "INSERT INTO status_counters (issuer_id, next_seq, perm_key) VALUES ($1, 0, $2) ON CONFLICT (issuer_id) DO NOTHING",
                vec![Param::Text(issuer_id.to_owned()), Param::Text(key)],
            )])
            .await?;
        rows = store
            .query(BUMP, vec![Param::Text(issuer_id.to_owned()), Param::Int(n)])
            .await?;
    }
    let row = rows
        .first()
        .ok_or(StoreError::Row("status counter missing"))?;
    let end = int(row.first())?;
    let key = text(row.get(1))?;
    Ok(((end - n)..end).map(|seq| index_of(&key, seq)).collect())
}

/// How many lists the issuer has (0 before its first award).
async fn list_count(store: &Store, issuer_id: &str) -> Result<i64, StoreError> {
    let rows = store
        .query(
            "SELECT next_seq FROM status_counters WHERE issuer_id = $1",
            vec![Param::Text(issuer_id.to_owned())],
        )
        .await?;
    Ok(match rows.first() {
        Some(r) => {
            let next = int(r.first())?;
            if next == 0 {
                0
            } else {
                ((next - 1) >> LIST_BITS) + 1
            }
        }
        None => 0,
    })
}

/// The statement that marks list `n` of an issuer changed (run in the revocation's
/// transaction).
pub(crate) fn bump_revision(issuer_id: &str, list: i64) -> (&'static str, Vec<Param>) {
    (
        "INSERT INTO status_lists (issuer_id, list_no, revision) VALUES ($1, $2, 1) \
         ON CONFLICT (issuer_id, list_no) DO UPDATE SET revision = status_lists.revision + 1",
        vec![Param::Text(issuer_id.to_owned()), Param::Int(list)],
    )
}

/// The signed status list `n` of `issuer`: the stored copy when it is current, else a fresh
/// one (signed, stored).
pub(crate) async fn list_document(
    state: &AppState,
    issuer: &IssuerRecord,
    n: i64,
) -> Result<Value, AppError> {
    let store = state.store();
    if n < 0 || n >= list_count(store, &issuer.id).await? {
        return Err(AppError::NotFound(format!(
            "issuer {} has no status list {n}",
            issuer.id
        )));
    }
    let rows = store
        .query(
            "SELECT revision, doc_revision, document FROM status_lists WHERE issuer_id = $1 AND list_no = $2",
            vec![Param::Text(issuer.id.clone()), Param::Int(n)],
        )
        .await?;
    let revision = match rows.first() {
        Some(r) => {
            let revision = int(r.first())?;
            if int(r.get(1))? == revision
                && let Some(Cell::Text(doc)) = r.get(2)
                && let Ok(v) = serde_json::from_str::<Value>(doc)
            {
                return Ok(v);
            }
            revision
        }
        None => 0,
    };
    let revoked = store
        .query(
            "SELECT status_index FROM awards WHERE issuer_id = $1 AND revoked = 1 AND format = 'ob3' AND status_index >= $2 AND status_index < $3",
            vec![
                Param::Text(issuer.id.clone()),
                Param::Int(n << LIST_BITS),
                Param::Int((n + 1) << LIST_BITS),
            ],
        )
        .await?;
    let mut list = obi_issue::StatusList::new(obi_issue::MIN_STATUS_LIST_LENGTH);
    for r in &revoked {
        let (_, entry) = split_index(int(r.first())?);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // < 2^17
        list.set(entry as usize, true)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let url = list_url(state, &issuer.id, n);
    let did = state.issuer_did(&issuer.id);
    let credential = json!({
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": crate::store::now(),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": list.encode(),
        },
    });
    let key = crate::app::issuer_key(state, issuer).await?;
    let signed = crate::issuing::sign_all(state, &key, &did, vec![credential])
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal("status list not signed".into()))?;
    store
        .transaction(vec![(
            "INSERT INTO status_lists (issuer_id, list_no, revision, doc_revision, document) VALUES ($1, $2, $3, $3, $4) \
             ON CONFLICT (issuer_id, list_no) DO UPDATE SET doc_revision = $3, document = $4 WHERE status_lists.revision = $3",
            vec![
                Param::Text(issuer.id.clone()),
                Param::Int(n),
                Param::Int(revision),
                Param::Text(signed.to_string()),
            ],
        )])
        .await?;
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_bijection() {
        let mut seen = vec![false; 1 << LIST_BITS];
        for x in 0..(1u32 << LIST_BITS) {
            let y = permute("k", x) as usize;
            assert!(!seen[y], "{x} collides");
            seen[y] = true;
        }
        // Not the identity, and another key gives another order.
        assert!((0..64).any(|x| permute("k", x) != x));
        assert!((0..64).any(|x| permute("k", x) != permute("other", x)));
    }

    #[test]
    fn indexes_stay_in_their_list() {
        let n = STATUS_LIST_LENGTH;
        assert_eq!(split_index(index_of("k", 5)).0, 0);
        assert_eq!(split_index(index_of("k", n + 5)).0, 1);
        assert!(split_index(index_of("k", 2 * n - 1)).1 < n);
    }
}
