//! The inbox on PostgreSQL: appending items (a message kind names its message row, the others
//! carry their JSON) and reading them back in order. A user's inbox sequence is the counter in
//! their `users` row, taken under its lock.

use super::rows::{json, message, message_at};
use super::{internal, row, rows, snapshot, PgStore, Writes};
use crate::store::{InboxStore, StoreResult};
use deadpool_postgres::Transaction;
use tim_proto::{InboxEvent, InboxItem, SyncOk};

use crate::store::sql::{kind_of, KIND_MESSAGE, KIND_MODIFIED, KIND_REVOKED};

/// The user's newest inbox item (0 for none or no such user).
pub(super) async fn inbox_seq(tx: &Transaction<'_>, app: u64, user: &str) -> StoreResult<u64> {
    let r = row(
        tx,
        "SELECT inbox_seq FROM users WHERE app = $1 AND user_id = $2",
        &[&(app as i64), &user],
    )
    .await?;
    Ok(match r {
        Some(r) => r.try_get::<_, i64>(0)? as u64,
        None => 0,
    })
}

/// The item `event` appended to `owner`'s inbox, at the next number of their counter (locking
/// their row until the transaction ends), in one statement; `None` when there is no such user.
/// The caller delivers it ([`Writes::deliver`]) once it has all it needs (sends append two at
/// once).
pub(super) async fn append(
    tx: &Transaction<'_>,
    app: u64,
    owner: &str,
    msg: Option<i64>,
    event: InboxEvent,
) -> StoreResult<Option<InboxItem>> {
    let (kind, as_json) = kind_of(&event);
    let body = match as_json {
        true => Some(serde_json::to_string(&event).map_err(internal)?),
        false => None,
    };
    let appended = row(
        tx,
        "WITH taken AS (UPDATE users SET inbox_seq = inbox_seq + 1 WHERE app = $1 AND user_id = $2 RETURNING inbox_seq)
         INSERT INTO inbox (app, user_id, seq, kind, msg, body)
         SELECT $1, $2, inbox_seq, $3, $4, $5 FROM taken RETURNING seq",
        &[&(app as i64), &owner, &kind, &msg, &body],
    )
    .await?;
    match appended {
        Some(r) => Ok(Some(InboxItem {
            seq: r.try_get::<_, i64>(0)? as u64,
            event,
        })),
        None => Ok(None),
    }
}

/// Append an item to `owner`'s inbox and deliver it after the commit; `None` when there is no
/// such user.
pub(super) async fn push(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    app: u64,
    owner: &str,
    msg: Option<i64>,
    event: InboxEvent,
) -> StoreResult<Option<u64>> {
    let Some(item) = append(tx, app, owner, msg, event).await? else {
        return Ok(None);
    };
    let seq = item.seq;
    writes.deliver(app, owner, item);
    Ok(Some(seq))
}

/// [`push`] for an owner known to exist.
pub(super) async fn push_known(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    app: u64,
    owner: &str,
    msg: Option<i64>,
    event: InboxEvent,
) -> StoreResult<()> {
    push(tx, writes, app, owner, msg, event)
        .await?
        .map(|_| ())
        .ok_or_else(|| internal("an inbox of no user"))
}

impl InboxStore for PgStore {
    async fn inbox_after(
        &self,
        app: u64,
        user: &str,
        after: u64,
        limit: u32,
    ) -> StoreResult<SyncOk> {
        let mut client = self.client().await?;
        let tx = snapshot(&mut client).await?;
        let inbox_seq = inbox_seq(&tx, app, user).await?;
        let sql = format!(
            "SELECT i.seq, i.kind, i.body, {} FROM inbox i LEFT JOIN messages m ON m.id = i.msg
             WHERE i.app = $1 AND i.user_id = $2 AND i.seq > $3 ORDER BY i.seq LIMIT $4",
            message::LIST
        );
        let after = after.min(i64::MAX as u64) as i64;
        let found = rows(
            &tx,
            &sql,
            &[&(app as i64), &user, &after, &i64::from(limit)],
        )
        .await?;
        let mut items = Vec::with_capacity(found.len());
        for r in found {
            let seq = r.try_get::<_, i64>(0)? as u64;
            let event = match r.try_get::<_, i64>(1)? {
                KIND_MESSAGE => InboxEvent::Message {
                    message: message_at(self.ids(), &r, 3)?,
                },
                KIND_REVOKED => InboxEvent::Revoked {
                    message: message_at(self.ids(), &r, 3)?,
                },
                KIND_MODIFIED => InboxEvent::Modified {
                    message: message_at(self.ids(), &r, 3)?,
                },
                _ => json(&r.try_get::<_, String>(2)?)?,
            };
            items.push(InboxItem { seq, event });
        }
        tx.commit().await?;
        let complete = items.last().is_none_or(|i| i.seq >= inbox_seq);
        Ok(SyncOk {
            items,
            inbox_seq,
            complete,
        })
    }
}
