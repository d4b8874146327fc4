//! Group messages on SQLite: `messages` rows in the group's conversation (its own sequence),
//! no inbox rows and no per-member rows; the members online get them pushed after the commit.

use super::messages::{last_seq, store, Stored};
use super::rows::{message, message_row, CONTROL_NOT_LAST, CONTROL_NOT_UNREAD};
use super::writer::Writes;
use super::{relations, SqliteStore};
use crate::store::groups::{group_key, GroupView, MAX_MENTIONING, MAX_UNREAD};
use crate::store::{GroupStore, HistoryRange, Key, Kind, NewGroupMessage, StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::{ConversationType, Message};

pub(super) fn send_group(
    conn: &Connection,
    writes: &mut Writes,
    new: NewGroupMessage,
) -> StoreResult<Message> {
    let NewGroupMessage {
        message: msg,
        members,
        from_member,
    } = new;
    let member = Key::new(&msg.to, Kind::Member, &msg.from);
    if from_member && !relations::exists(conn, msg.app, &member)? {
        return Err(StoreError::NotMember);
    }
    let (app, conv) = (msg.app, group_key(&msg.to));
    let message = match store(conn, writes, msg, &conv, ConversationType::Group)? {
        Stored::New(_, message) => message,
        Stored::Retry(stored) => return Ok(stored),
    };
    writes.deliver_group(app, members, message.clone());
    Ok(message)
}

/// Messages of `conv` after sequence `from` within `bound` of `column` (see
/// [`crate::store::sql::history_bound`]), not hidden from `me`, at most `limit`, newest first unless `newer`.
fn page(
    conn: &Connection,
    app: u64,
    (me, conv, from): (&str, &str, u64),
    (bound, column, newer): (i64, &str, bool),
    limit: u32,
) -> StoreResult<Vec<Message>> {
    let order = if newer { "ASC" } else { "DESC" };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM messages m
         WHERE m.app = ?1 AND m.conv = ?2 AND {column} ?3 AND m.seq > ?6
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                           WHERE h.app = ?1 AND h.user_id = ?5 AND h.msg = m.id)
         ORDER BY m.seq {order} LIMIT ?4",
        message::LIST
    ))?;
    let found = stmt
        .query_map(
            params![app as i64, conv, bound, limit, me, from as i64],
            message_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(found)
}

impl GroupStore for SqliteStore {
    async fn send_group(&self, msg: NewGroupMessage) -> StoreResult<Message> {
        // `send_group` refuses (not a member, over quota) or answers a retry before it writes.
        self.write_checked(move |conn, writes| send_group(conn, writes, msg))
            .await
    }

    async fn group_history(
        &self,
        app: u64,
        (me, group, from): (&str, &str, u64),
        range: HistoryRange,
        count: u32,
    ) -> StoreResult<(Vec<Message>, bool)> {
        let (me, conv) = (me.to_owned(), group_key(group));
        let bound = crate::store::sql::history_bound(range);
        self.read(move |conn| {
            let messages = page(conn, app, (&me, &conv, from), bound, count + 1)?;
            Ok(crate::store::sql::history_page(messages, count, bound.2))
        })
        .await
    }

    async fn group_seqs(&self, app: u64, groups: Vec<String>) -> StoreResult<Vec<u64>> {
        self.read(move |conn| {
            groups
                .iter()
                .map(|g| Ok(last_seq(conn, app, &group_key(g))? as u64))
                .collect()
        })
        .await
    }

    async fn group_view(
        &self,
        app: u64,
        me: &str,
        group: &str,
        read: u64,
        cleared: u64,
    ) -> StoreResult<GroupView> {
        let (me, conv) = (me.to_owned(), group_key(group));
        let (read, cleared) = (read.max(cleared) as i64, cleared as i64);
        self.read(move |conn| {
            let last = conn
                .prepare_cached(&format!(
                    "SELECT {} FROM messages m
                     WHERE m.app = ?1 AND m.conv = ?2 AND m.seq > ?3 AND m.control & {CONTROL_NOT_LAST} = 0
                       AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                                       WHERE h.app = ?1 AND h.user_id = ?4 AND h.msg = m.id)
                     ORDER BY m.seq DESC LIMIT 1",
                    message::LIST
                ))?
                .query_row(params![app as i64, conv, cleared, me], message_row)
                .optional()?;
            let unread: u32 = conn
                .prepare_cached(&format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM messages
                     WHERE app = ?1 AND conv = ?2 AND seq > ?3 AND sender != ?4
                       AND control & {CONTROL_NOT_UNREAD} = 0 LIMIT {MAX_UNREAD})"
                ))?
                .query_row(params![app as i64, conv, read, me], |r| r.get(0))?;
            let mut mentioning = conn
                .prepare_cached(&format!(
                    "SELECT {} FROM messages m
                     WHERE m.app = ?1 AND m.conv = ?2 AND m.seq > ?3 AND m.sender != ?4
                       AND m.control & {CONTROL_NOT_UNREAD} = 0 AND m.at_users != ''
                       AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                                       WHERE h.app = ?1 AND h.user_id = ?4 AND h.msg = m.id)
                     ORDER BY m.seq DESC LIMIT {MAX_MENTIONING}",
                    message::LIST
                ))?
                .query_map(params![app as i64, conv, read, me], message_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            mentioning.reverse();
            Ok(GroupView {
                last,
                unread,
                mentioning,
            })
        })
        .await
    }

    async fn group_after(
        &self,
        app: u64,
        group: &str,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let conv = group_key(group);
        let bound = crate::store::sql::history_bound(HistoryRange::AfterSeq(after));
        // (A message not received yet was not deleted by anyone.)
        self.read(move |conn| page(conn, app, ("", &conv, 0), bound, limit))
            .await
    }
}
