//! Profiles on SQLite: the `profile` and `profile_time` columns of `users`.

use super::SqliteStore;
use super::{inbox, relations};
use crate::now_secs;
use crate::store::{rules, ProfilePatch, ProfileStore, StoreError, StoreResult};
use rusqlite::{params, OptionalExtension};
use tim_proto::profile::Profile;

impl ProfileStore for SqliteStore {
    async fn profiles(&self, app: u64, users: Vec<String>) -> StoreResult<Vec<Profile>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT profile, profile_time FROM users WHERE app = ?1 AND user_id = ?2",
            )?;
            let mut found = Vec::with_capacity(users.len());
            for user in &users {
                let row = stmt
                    .query_row(params![app as i64, user], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                    })
                    .optional()?;
                if let Some((stored, time)) = row {
                    found.push(rules::profile(user, &stored, time as u64));
                }
            }
            Ok(found)
        })
        .await
    }

    async fn update_profile(
        &self,
        app: u64,
        user: &str,
        patch: ProfilePatch,
    ) -> StoreResult<Profile> {
        let user = user.to_owned();
        self.write(move |conn, writes| {
            let (stored, time): (String, i64) = conn
                .prepare_cached(
                    "SELECT profile, profile_time FROM users WHERE app = ?1 AND user_id = ?2",
                )?
                .query_row(params![app as i64, user], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .ok_or_else(|| StoreError::UnknownUser(user.clone()))?;
            let Some(changed) = rules::apply_profile(&stored, &patch)? else {
                return Ok(rules::profile(&user, &stored, time as u64));
            };
            let now = now_secs();
            conn.prepare_cached(
                "UPDATE users SET profile = ?3, profile_time = ?4 WHERE app = ?1 AND user_id = ?2",
            )?
            .execute(params![app as i64, user, changed, now as i64])?;
            writes.forget_stamp(app, &user);
            let profile = rules::profile(&user, &changed, now);
            let event = rules::profile_changed(&profile);
            inbox::push(conn, writes, app, &user, None, event.clone())?;
            for friend in relations::friends_of(conn, app, &user)? {
                inbox::push(conn, writes, app, &friend, None, event.clone())?;
            }
            Ok(profile)
        })
        .await
    }
}
