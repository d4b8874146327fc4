//! Accounts on SQLite: the `users` table.

use super::inbox::inbox_seq;
use super::SqliteStore;
use crate::now_secs;
use crate::store::{StoreResult, UserStore};
use rusqlite::{params, Connection};

/// Whether `user` has an account (has logged in once).
pub(super) fn exists(conn: &Connection, app: u64, user: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE app = ?1 AND user_id = ?2)")?
        .query_row(params![app as i64, user], |r| r.get(0))?)
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
