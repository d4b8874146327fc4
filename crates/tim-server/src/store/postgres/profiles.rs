//! Profiles on PostgreSQL: the `profile` and `profile_time` columns of `users`.

use super::{execute, inbox, lock_users, relations, row, rows, snapshot, transaction, PgStore};
use crate::now_secs;
use crate::store::{rules, ProfilePatch, ProfileStore, StoreError, StoreResult};
use tim_proto::profile::Profile;

impl ProfileStore for PgStore {
    async fn profiles(&self, app: u64, users: Vec<String>) -> StoreResult<Vec<Profile>> {
        let mut client = self.client().await?;
        let tx = snapshot(&mut client).await?;
        let found = rows(
            &tx,
            "SELECT user_id, profile, profile_time FROM users WHERE app = $1 AND user_id = ANY($2)",
            &[&(app as i64), &users],
        )
        .await?;
        let mut stored = Vec::with_capacity(found.len());
        for r in found {
            let user: String = r.try_get(0)?;
            stored.push((user, r.try_get::<_, String>(1)?, r.try_get::<_, i64>(2)?));
        }
        // In the order asked.
        Ok(users
            .iter()
            .filter_map(|u| stored.iter().find(|(s, _, _)| s == u))
            .map(|(user, p, time)| rules::profile(user, p, *time as u64))
            .collect())
    }

    async fn update_profile(
        &self,
        app: u64,
        user: &str,
        patch: ProfilePatch,
    ) -> StoreResult<Profile> {
        transaction!(self, |tx, writes| {
            // The friends are told too: every user whose row is written is locked first, in
            // userID order as every writer does.
            let friends = relations::friends_of(&tx, app, user).await?;
            let mut locked: Vec<&str> = friends.iter().map(String::as_str).collect();
            locked.push(user);
            lock_users(&tx, app, &locked).await?;
            let found = row(
                &tx,
                "SELECT profile, profile_time FROM users WHERE app = $1 AND user_id = $2 FOR UPDATE",
                &[&(app as i64), &user],
            )
            .await?
            .ok_or_else(|| StoreError::UnknownUser(user.to_owned()))?;
            let (stored, time): (String, i64) = (found.try_get(0)?, found.try_get(1)?);
            match rules::apply_profile(&stored, &patch)? {
                None => Ok(rules::profile(user, &stored, time as u64)),
                Some(changed) => {
                    let now = now_secs();
                    execute(
                        &tx,
                        "UPDATE users SET profile = $3, profile_time = $4 WHERE app = $1 AND user_id = $2",
                        &[&(app as i64), &user, &changed, &(now as i64)],
                    )
                    .await?;
                    let profile = rules::profile(user, &changed, now);
                    let event = rules::profile_changed(&profile);
                    inbox::push(&tx, writes, app, user, None, event.clone()).await?;
                    for friend in &friends {
                        inbox::push(&tx, writes, app, friend, None, event.clone()).await?;
                    }
                    Ok(profile)
                }
            }
        })
    }
}
