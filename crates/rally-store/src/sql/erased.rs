//! The keyed hash that stands for an erased address: an HMAC-SHA256 under a secret of the database, kept
//! in the suppression list so an erased person is never e-mailed again (the outbox asks
//! [`erased_among`]) nor brought back by an import, while the address itself is gone.

use std::collections::{BTreeMap, BTreeSet};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sqlx::{QueryBuilder, Row};

use super::{Conn, Db};
use crate::{Result, StoreError};

/// The `secrets` row whose value keys the hashes of erased addresses.
const ERASURE_SECRET: &str = "erasure";

pub(super) fn keyed_hash(secret: &str, email: &str) -> String {
    let address = email.trim().to_lowercase();
    // HMAC takes a key of any length, so this never fails; were it to, a plain digest of key and address
    // still never stores the address.
    let bytes: Vec<u8> = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(address.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Sha256::digest(format!("{secret}\n{address}")).to_vec(),
    };
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("erased:{hex}")
}

async fn read_secret(conn: &mut Conn) -> Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM secrets WHERE name = $1")
        .bind(ERASURE_SECRET)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.try_get("value")).transpose()?)
}

/// The erasure secret, made the first time someone is erased (256 random bits).
pub(super) async fn secret(conn: &mut Conn) -> Result<String> {
    if let Some(s) = read_secret(conn).await? {
        return Ok(s);
    }
    let bytes: [u8; 32] = rand::random();
    let fresh: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query("INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(ERASURE_SECRET)
        .bind(&fresh)
        .execute(&mut *conn)
        .await?;
    read_secret(conn).await?.ok_or_else(|| StoreError::Corrupt("the erasure secret was not stored".into()))
}

/// Which of `emails` (as given) belong to erased people. One query for the lot; none at all while
/// nobody was ever erased (there is no secret yet).
pub(super) async fn erased_among<'a>(
    conn: &mut Conn,
    emails: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeSet<String>> {
    let Some(secret) = read_secret(conn).await? else { return Ok(BTreeSet::new()) };
    let by_hash: BTreeMap<String, &str> = emails.into_iter().map(|e| (keyed_hash(&secret, e), e)).collect();
    let mut found = BTreeSet::new();
    let hashes: Vec<&String> = by_hash.keys().collect();
    for part in hashes.chunks(500) {
        let mut q = QueryBuilder::<Db>::new("SELECT email FROM suppressions WHERE reason = 'erased' AND email IN (");
        let mut list = q.separated(", ");
        for h in part {
            list.push_bind((*h).clone());
        }
        q.push(")");
        for r in q.build().fetch_all(&mut *conn).await? {
            let hash: String = r.try_get("email")?;
            if let Some(e) = by_hash.get(&hash) {
                found.insert((*e).to_owned());
            }
        }
    }
    Ok(found)
}
