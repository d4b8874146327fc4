//! Accounts on SQLite: the `users` table.

use super::SqliteStore;
use crate::now_secs;
use crate::store::{StoreResult, UserStore};
use rusqlite::{params, Connection};

/// The user's newest inbox item (0 for no items or no such user).
pub(super) fn inbox_seq(conn: &Connection, app: u64, user: &str) -> StoreResult<u64> {
    let seq: Option<i64> = conn
        .prepare_cached("SELECT MAX(seq) FROM inbox WHERE app = ?1 AND user_id = ?2")?
        .query_row(params![app as i64, user], |r| r.get(0))?;
    Ok(seq.unwrap_or(0) as u64)
}

impl UserStore for SqliteStore {
    async fn login_user(&self, app: u64, user: &str) -> StoreResult<u64> {
        let user = user.to_owned();
        self.write(move |conn, _| {
            conn.prepare_cached(
                "INSERT INTO users (app, user_id, created) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )?
            .execute(params![app as i64, user, now_secs() as i64])?;
            inbox_seq(conn, app, &user)
        })
        .await
    }
}
