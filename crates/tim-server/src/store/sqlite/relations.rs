//! Relations on SQLite: the `relations` table.

use super::SqliteStore;
use super::{groups, inbox};
use crate::now_secs;
use crate::store::{Key, Kind, Plan, Relation, RelationStore, StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::InboxEvent;

pub(super) fn relation_at(conn: &Connection, app: u64, key: &Key) -> StoreResult<Option<Relation>> {
    Ok(conn
        .prepare_cached(
            "SELECT data, time FROM relations WHERE app = ?1 AND owner = ?2 AND kind = ?3 AND other = ?4",
        )?
        .query_row(
            params![app as i64, key.owner, key.kind.code(), key.other],
            |r| {
                Ok(Relation {
                    other: key.other.clone(),
                    data: r.get(0)?,
                    time: r.get::<_, i64>(1)? as u64,
                })
            },
        )
        .optional()?)
}

/// Whether `owner` has `other` in their blacklist (a send checks it in its transaction).
pub(super) fn blocks(conn: &Connection, app: u64, owner: &str, other: &str) -> StoreResult<bool> {
    exists(conn, app, &Key::new(owner, Kind::Black, other))
}

/// Whether the row of `key` exists (a group send checks the sender's member row in its
/// transaction).
pub(super) fn exists(conn: &Connection, app: u64, key: &Key) -> StoreResult<bool> {
    Ok(relation_at(conn, app, key)?.is_some())
}

/// The `other` of each of `owner`'s rows of `kind` (a group's members).
pub(super) fn owned(
    conn: &Connection,
    app: u64,
    owner: &str,
    kind: Kind,
) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT other FROM relations WHERE app = ?1 AND owner = ?2 AND kind = ?3",
    )?;
    let found = stmt
        .query_map(params![app as i64, owner, kind.code()], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(found)
}

/// The users who have `user` in their friend list.
pub(super) fn friends_of(conn: &Connection, app: u64, user: &str) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT owner FROM relations WHERE app = ?1 AND kind = ?2 AND other = ?3",
    )?;
    let found = stmt
        .query_map(params![app as i64, Kind::Friend.code(), user], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(found)
}

impl RelationStore for SqliteStore {
    async fn relations(&self, app: u64, owner: &str, kind: Kind) -> StoreResult<Vec<Relation>> {
        let owner = owner.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT other, data, time FROM relations WHERE app = ?1 AND owner = ?2 AND kind = ?3
                 ORDER BY time, other",
            )?;
            let found = stmt
                .query_map(params![app as i64, owner, kind.code()], |r| {
                    Ok(Relation {
                        other: r.get(0)?,
                        data: r.get(1)?,
                        time: r.get::<_, i64>(2)? as u64,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(found)
        })
        .await
    }

    async fn count(&self, app: u64, owner: &str, kind: Kind) -> StoreResult<u64> {
        let owner = owner.to_owned();
        self.read(move |conn| {
            let n: i64 = conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM relations WHERE app = ?1 AND owner = ?2 AND kind = ?3",
                )?
                .query_row(params![app as i64, owner, kind.code()], |r| r.get(0))?;
            Ok(n as u64)
        })
        .await
    }

    async fn relations_at(&self, app: u64, keys: Vec<Key>) -> StoreResult<Vec<Option<Relation>>> {
        self.read(move |conn| {
            let tx = conn.unchecked_transaction()?;
            keys.iter().map(|k| relation_at(&tx, app, k)).collect()
        })
        .await
    }

    async fn watchers(&self, app: u64, user: &str) -> StoreResult<Vec<String>> {
        let user = user.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT owner FROM relations WHERE app = ?1 AND kind IN (?2, ?3) AND other = ?4",
            )?;
            let kinds = (Kind::Friend.code(), Kind::Subscribe.code());
            let found = stmt
                .query_map(params![app as i64, kinds.0, kinds.1, user], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(found)
        })
        .await
    }

    async fn add(&self, app: u64, key: Key, delta: i64) -> StoreResult<i64> {
        self.write_checked(move |conn, _| {
            let held = match relation_at(conn, app, &key)? {
                Some(r) => r.data.parse::<i64>().map_err(super::internal)?,
                None => 0,
            };
            let sum = held
                .checked_add(delta)
                .ok_or_else(|| StoreError::Invalid("the sum is out of range".into()))?;
            conn.prepare_cached(
                "INSERT INTO relations (app, owner, kind, other, data, time)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (app, owner, kind, other) DO UPDATE SET data = excluded.data",
            )?
            .execute(params![
                app as i64,
                key.owner,
                key.kind.code(),
                key.other,
                sum.to_string(),
                now_secs() as i64
            ])?;
            Ok(sum)
        })
        .await
    }

    async fn relate(&self, app: u64, plan: Plan) -> StoreResult<()> {
        self.write_checked(move |conn, writes| {
            for (key, expected) in &plan.expect {
                let found = relation_at(conn, app, key)?;
                if found.map(|r| r.data) != *expected {
                    return Err(StoreError::Stale);
                }
            }
            let now = now_secs() as i64;
            for (key, data) in &plan.changes {
                let (owner, kind, other) = (&key.owner, key.kind.code(), &key.other);
                if key.kind == Kind::Black {
                    writes.forget_blocks(app, owner, other);
                }
                match data {
                    Some(data) => conn
                        .prepare_cached(
                            "INSERT INTO relations (app, owner, kind, other, data, time)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                             ON CONFLICT (app, owner, kind, other) DO UPDATE SET data = excluded.data",
                        )?
                        .execute(params![app as i64, owner, kind, other, data, now])?,
                    None => conn
                        .prepare_cached(
                            "DELETE FROM relations WHERE app = ?1 AND owner = ?2 AND kind = ?3 AND other = ?4",
                        )?
                        .execute(params![app as i64, owner, kind, other])?,
                };
            }
            let told = plan.tell.into_iter().map(|(user, list)| (user, InboxEvent::Changed { list }));
            for (user, event) in told.chain(plan.items) {
                if let Some(seq) = inbox::next_seq(conn, writes, app, &user)? {
                    inbox::push_at(conn, writes, app, &user, seq, None, event)?;
                }
            }
            for post in plan.posts {
                groups::send_group(conn, writes, post)?;
            }
            Ok(())
        })
        .await
    }
}
