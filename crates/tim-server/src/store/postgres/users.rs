//! Accounts on PostgreSQL: the `users` table, whose rows also hold each user's inbox counter.

use super::{execute, PgStore};
use crate::now_secs;
use crate::store::{StoreResult, UserStore};

impl UserStore for PgStore {
    async fn login_user(&self, app: u64, user: &str) -> StoreResult<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        execute(
            &tx,
            "INSERT INTO users (app, user_id, created) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&(app as i64), &user, &(now_secs() as i64)],
        )
        .await?;
        let seq = super::inbox::inbox_seq(&tx, app, user).await?;
        tx.commit().await?;
        Ok(seq)
    }
}
