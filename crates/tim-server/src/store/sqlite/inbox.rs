//! The inbox on SQLite: appending items (a message kind names its message row, the others
//! carry their JSON) and reading them back in order; an inbox's sequence is its last item's.

use super::rows::{json_column, message, message_at};
use super::users;
use super::writer::{Counter, Writes};
use super::{internal, SqliteStore};
use crate::store::{InboxStore, StoreResult};
use rusqlite::{params, Connection, Row};
use tim_proto::{InboxEvent, InboxItem, Message, SyncOk};

use crate::store::sql::{kind_of, KIND_MESSAGE, KIND_MODIFIED, KIND_REVOKED};

/// The next sequence of `owner`'s inbox, not yet taken ([`push_at`] takes it); `None` for no
/// such user.
pub(super) fn next_seq(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    owner: &str,
) -> StoreResult<Option<i64>> {
    let counter = Counter::Inbox(app, owner.to_owned());
    writes.next(&counter, || {
        if !users::exists(conn, app, owner)? {
            return Ok(None);
        }
        Ok(Some(inbox_seq(conn, app, owner)? as i64))
    })
}

/// The user's newest inbox item (0 for no items or no such user).
pub(super) fn inbox_seq(conn: &Connection, app: u64, user: &str) -> StoreResult<u64> {
    let seq: Option<i64> = conn
        .prepare_cached("SELECT MAX(seq) FROM inbox WHERE app = ?1 AND user_id = ?2")?
        .query_row(params![app as i64, user], |r| r.get(0))?;
    Ok(seq.unwrap_or(0) as u64)
}

/// Append an item to `owner`'s inbox.
pub(super) fn push(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    owner: &str,
    msg: Option<i64>,
    event: InboxEvent,
) -> StoreResult<()> {
    let seq = next_seq(conn, writes, app, owner)?.ok_or_else(|| internal("an inbox of no user"))?;
    push_at(conn, writes, app, owner, seq, msg, event)
}

/// Append an item to `owner`'s inbox at `seq`, from [`next_seq`].
pub(super) fn push_at(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    owner: &str,
    seq: i64,
    msg: Option<i64>,
    event: InboxEvent,
) -> StoreResult<()> {
    let (kind, as_json) = kind_of(&event);
    let body = match as_json {
        true => Some(serde_json::to_string(&event).map_err(internal)?),
        false => None,
    };
    conn.prepare_cached(
        "INSERT INTO inbox (app, user_id, seq, kind, msg, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![app as i64, owner, seq, kind, msg, body])?;
    writes.take(Counter::Inbox(app, owner.to_owned()), seq);
    let item = InboxItem {
        seq: seq as u64,
        event,
    };
    writes.deliver(app, owner, item);
    Ok(())
}

/// Append the item of message row `msg`, `message`, to each owner's inbox at the sequence
/// given (from [`next_seq`]; one owner or two), in one statement.
pub(super) fn push_message(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    msg: i64,
    owners: &[(&str, i64)],
    message: &Message,
) -> StoreResult<()> {
    let sql = match owners {
        [_] => "INSERT OR FAIL INTO inbox (app, user_id, seq, kind, msg) VALUES (?1, ?2, ?3, ?4, ?5)",
        [_, _] => {
            "INSERT OR FAIL INTO inbox (app, user_id, seq, kind, msg) VALUES (?1, ?2, ?3, ?4, ?5), (?1, ?6, ?7, ?4, ?5)"
        }
        _ => return Err(internal("a message item for other than one or two owners")),
    };
    let (second, second_seq) = owners.get(1).copied().unwrap_or(("", 0));
    conn.prepare_cached(sql)?.execute(
        &params![
            app as i64,
            owners[0].0,
            owners[0].1,
            KIND_MESSAGE,
            msg,
            second,
            second_seq
        ][..owners.len() * 2 + 3],
    )?;
    for (owner, seq) in owners {
        writes.take(Counter::Inbox(app, (*owner).to_owned()), *seq);
        let event = InboxEvent::Message {
            message: message.clone(),
        };
        let item = InboxItem {
            seq: *seq as u64,
            event,
        };
        writes.deliver(app, owner, item);
    }
    Ok(())
}

/// An inbox item from its row: `seq, kind, body`, then the message columns (NULL for kinds
/// that carry a body).
fn item_row(r: &Row<'_>) -> rusqlite::Result<InboxItem> {
    let seq = r.get::<_, i64>(0)? as u64;
    let event = match r.get::<_, i64>(1)? {
        KIND_MESSAGE => InboxEvent::Message {
            message: message_at(r, 3)?,
        },
        KIND_REVOKED => InboxEvent::Revoked {
            message: message_at(r, 3)?,
        },
        KIND_MODIFIED => InboxEvent::Modified {
            message: message_at(r, 3)?,
        },
        _ => json_column(r, 2)?,
    };
    Ok(InboxItem { seq, event })
}

impl InboxStore for SqliteStore {
    async fn inbox_after(
        &self,
        app: u64,
        user: &str,
        after: u64,
        limit: u32,
    ) -> StoreResult<SyncOk> {
        let user = user.to_owned();
        self.read(move |conn| {
            let tx = conn.unchecked_transaction()?;
            let inbox_seq = inbox_seq(&tx, app, &user)?;
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT i.seq, i.kind, i.body, {} FROM inbox i LEFT JOIN messages m ON m.id = i.msg
                 WHERE i.app = ?1 AND i.user_id = ?2 AND i.seq > ?3 ORDER BY i.seq LIMIT ?4",
                message::LIST
            ))?;
            let after = after.min(i64::MAX as u64) as i64;
            let items = stmt
                .query_map(params![app as i64, user, after, limit], item_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let complete = items.last().is_none_or(|i| i.seq >= inbox_seq);
            Ok(SyncOk {
                items,
                inbox_seq,
                complete,
            })
        })
        .await
    }
}
