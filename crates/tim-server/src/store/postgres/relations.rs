//! Relations on PostgreSQL: the `relations` table. A plan locks the `users` rows of every user
//! whose rows it reads or writes (in userID order, as every writer does) before it checks its
//! expectations, so two plans about the same users run one after the other; before that it
//! takes an advisory lock per owner of the rows it expects (a group's, a message's rows have no
//! users row), in one order, so two plans checking the same rows never both pass.

use super::messages::take_seq;
use super::{execute, groups, inbox, lock_users, row, rows, snapshot, transaction, PgStore};
use crate::store::groups::group_key;
use crate::store::{Key, Kind, Plan, Relation, RelationStore, StoreError, StoreResult};
use deadpool_postgres::Transaction;
use tim_proto::InboxEvent;

pub(super) async fn relation_at(
    tx: &Transaction<'_>,
    app: u64,
    key: &Key,
) -> StoreResult<Option<Relation>> {
    let found = row(
        tx,
        "SELECT data, time FROM relations WHERE app = $1 AND owner = $2 AND kind = $3 AND other = $4",
        &[&(app as i64), &key.owner, &key.kind.code(), &key.other],
    )
    .await?;
    Ok(match found {
        Some(r) => Some(Relation {
            other: key.other.clone(),
            data: r.try_get(0)?,
            time: r.try_get::<_, i64>(1)? as u64,
        }),
        None => None,
    })
}

/// Whether `owner` has `other` in their blacklist (a send checks it in its transaction).
pub(super) async fn blocks(
    tx: &Transaction<'_>,
    app: u64,
    owner: &str,
    other: &str,
) -> StoreResult<bool> {
    let key = Key::new(owner, Kind::Black, other);
    Ok(relation_at(tx, app, &key).await?.is_some())
}

/// The `other` of each of `owner`'s rows of `kind` (a group's members).
pub(super) async fn owned(
    tx: &Transaction<'_>,
    app: u64,
    owner: &str,
    kind: Kind,
) -> StoreResult<Vec<String>> {
    let found = rows(
        tx,
        "SELECT other FROM relations WHERE app = $1 AND owner = $2 AND kind = $3",
        &[&(app as i64), &owner, &kind.code()],
    )
    .await?;
    Ok(found
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<String>, _>>()?)
}

/// The users who have `user` in their friend list.
pub(super) async fn friends_of(
    tx: &Transaction<'_>,
    app: u64,
    user: &str,
) -> StoreResult<Vec<String>> {
    let found = rows(
        tx,
        "SELECT owner FROM relations WHERE app = $1 AND kind = $2 AND other = $3",
        &[&(app as i64), &Kind::Friend.code(), &user],
    )
    .await?;
    Ok(found
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<String>, _>>()?)
}

impl RelationStore for PgStore {
    async fn relations(&self, app: u64, owner: &str, kind: Kind) -> StoreResult<Vec<Relation>> {
        let mut client = self.client().await?;
        let tx = snapshot(&mut client).await?;
        let found = rows(
            &tx,
            "SELECT other, data, time FROM relations WHERE app = $1 AND owner = $2 AND kind = $3
             ORDER BY time, other",
            &[&(app as i64), &owner, &kind.code()],
        )
        .await?;
        let mut out = Vec::with_capacity(found.len());
        for r in found {
            out.push(Relation {
                other: r.try_get(0)?,
                data: r.try_get(1)?,
                time: r.try_get::<_, i64>(2)? as u64,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn count(&self, app: u64, owner: &str, kind: Kind) -> StoreResult<u64> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT COUNT(*) FROM relations WHERE app = $1 AND owner = $2 AND kind = $3",
                &[&(app as i64), &owner, &kind.code()],
            )
            .await?;
        Ok(row.try_get::<_, i64>(0)? as u64)
    }

    async fn relations_at(&self, app: u64, keys: Vec<Key>) -> StoreResult<Vec<Option<Relation>>> {
        let mut client = self.client().await?;
        let tx = snapshot(&mut client).await?;
        let mut out = Vec::with_capacity(keys.len());
        for key in &keys {
            out.push(relation_at(&tx, app, key).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn watchers(&self, app: u64, user: &str) -> StoreResult<Vec<String>> {
        let mut client = self.client().await?;
        let tx = snapshot(&mut client).await?;
        let found = rows(
            &tx,
            "SELECT DISTINCT owner FROM relations WHERE app = $1 AND kind IN ($2, $3) AND other = $4",
            &[&(app as i64), &Kind::Friend.code(), &Kind::Subscribe.code(), &user],
        )
        .await?;
        let owners = found
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<Vec<String>, _>>()?;
        tx.commit().await?;
        Ok(owners)
    }

    async fn add(&self, app: u64, key: Key, delta: i64) -> StoreResult<i64> {
        let client = self.client().await?;
        // The row's lock makes concurrent additions wait for each other; an overflow fails
        // the statement (and changes nothing).
        let found = client
            .query_one(
                "INSERT INTO relations (app, owner, kind, other, data, time)
                 VALUES ($1, $2, $3, $4, $5::bigint::text, $6)
                 ON CONFLICT (app, owner, kind, other)
                 DO UPDATE SET data = (relations.data::bigint + $5::bigint)::text
                 RETURNING data",
                &[
                    &(app as i64),
                    &key.owner,
                    &key.kind.code(),
                    &key.other,
                    &delta,
                    &(crate::now_secs() as i64),
                ],
            )
            .await;
        match found {
            Ok(row) => Ok(row
                .try_get::<_, String>(0)?
                .parse()
                .map_err(super::internal)?),
            Err(e)
                if e.code()
                    == Some(&tokio_postgres::error::SqlState::NUMERIC_VALUE_OUT_OF_RANGE) =>
            {
                Err(StoreError::Invalid("the sum is out of range".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn relate(&self, app: u64, plan: Plan) -> StoreResult<()> {
        let plan = &plan;
        let mut users: Vec<&str> = plan.expect.iter().map(|(k, _)| k.owner.as_str()).collect();
        users.extend(plan.changes.iter().map(|(k, _)| k.owner.as_str()));
        users.extend(plan.tell.iter().map(|(u, _)| u.as_str()));
        users.extend(plan.items.iter().map(|(u, _)| u.as_str()));
        users.extend(plan.posts.iter().map(|p| p.message.from.as_str()));
        let (users, ids) = (&users, self.ids());
        let mut owners: Vec<i64> = plan
            .expect
            .iter()
            .map(|(k, _)| owner_lock(app, &k.owner))
            .collect();
        owners.sort_unstable();
        owners.dedup();
        transaction!(self, |tx, writes| {
            async {
                // The owners of the rows expected, first and in one order: rows of a group or a
                // message have no users row to lock, and a plan checks them, so a concurrent
                // plan about them waits (READ COMMITTED alone would let both pass their check).
                for lock in &owners {
                    execute(&tx, "SELECT pg_advisory_xact_lock($1)", &[lock]).await?;
                }
                // The groups' counter rows before the users' rows, as a group send takes them.
                let mut seqs = Vec::with_capacity(plan.posts.len());
                for post in &plan.posts {
                    let conv = group_key(&post.message.to);
                    seqs.push(take_seq(&tx, app, &conv).await?);
                }
                let known = lock_users(&tx, app, users).await?;
                for (key, expected) in &plan.expect {
                    let found = relation_at(&tx, app, key).await?;
                    if found.map(|r| r.data) != *expected {
                        return Err(StoreError::Stale);
                    }
                }
                let now = crate::now_secs() as i64;
                for (key, data) in &plan.changes {
                    let (owner, kind, other) = (&key.owner, key.kind.code(), &key.other);
                    match data {
                        Some(data) => execute(
                            &tx,
                            "INSERT INTO relations (app, owner, kind, other, data, time)
                             VALUES ($1, $2, $3, $4, $5, $6)
                             ON CONFLICT (app, owner, kind, other) DO UPDATE SET data = excluded.data",
                            &[&(app as i64), owner, &kind, other, data, &now],
                        )
                        .await?,
                        None => execute(
                            &tx,
                            "DELETE FROM relations WHERE app = $1 AND owner = $2 AND kind = $3 AND other = $4",
                            &[&(app as i64), owner, &kind, other],
                        )
                        .await?,
                    };
                }
                for (user, list) in &plan.tell {
                    if known.contains(user) {
                        let event = InboxEvent::Changed { list: *list };
                        inbox::push(&tx, writes, app, user, None, event).await?;
                    }
                }
                for (user, event) in &plan.items {
                    if known.contains(user) {
                        inbox::push(&tx, writes, app, user, None, event.clone()).await?;
                    }
                }
                for (post, seq) in plan.posts.iter().zip(seqs) {
                    groups::post(&tx, writes, ids, post, seq).await?;
                }
                Ok(())
            }
            .await
        })
    }
}

/// The advisory lock of the rows of `owner` in `app`: FNV-1a over both, the same on every node
/// and version (two owners sharing one only wait for each other).
fn owner_lock(app: u64, owner: &str) -> i64 {
    let bytes = app.to_le_bytes().into_iter().chain(owner.bytes());
    let hash = bytes.fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    hash as i64
}
