//! Group messages on PostgreSQL: `messages` rows in the group's conversation (its own
//! sequence, the `conversations` counter row), nothing per member; the members online get
//! them pushed after the commit, as on SQLite.

use super::messages::{insert, stored, take_seq};
use super::rows::{message, message_at, CONTROL_NOT_LAST, CONTROL_NOT_UNREAD};
use super::{row, rows, snapshot, transaction, PgStore, Writes};
use crate::store::groups::{group_key, GroupView, MAX_MENTIONING, MAX_UNREAD};
use crate::store::rules::{self, MessageIds};
use crate::store::{GroupStore, HistoryRange, Kind, NewGroupMessage, StoreError, StoreResult};
use deadpool_postgres::Transaction;
use tim_proto::{ConversationType, Message};

async fn send_group(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    ids: MessageIds,
    new: &NewGroupMessage,
) -> StoreResult<Message> {
    let msg = &new.message;
    if let Some(stored) = stored(tx, ids, msg).await? {
        rules::is_retry(&stored, msg)?;
        return Ok(stored);
    }
    let conv = group_key(&msg.to);
    // The group's counter row first, then the sender's member row (kept from a concurrent
    // removal until this commits), then the sender's user row: the order of every writer.
    let seq = take_seq(tx, msg.app, &conv).await?;
    let member = row(
        tx,
        "SELECT 1 FROM relations WHERE app = $1 AND owner = $2 AND kind = $3 AND other = $4 FOR SHARE",
        &[&(msg.app as i64), &msg.to, &Kind::Member.code(), &msg.from],
    )
    .await?;
    if new.from_member && member.is_none() {
        return Err(StoreError::NotMember);
    }
    post(tx, writes, ids, new, seq).await
}

/// Stores `new` as sequence `seq` of its group (taken in this transaction) and pushes it to
/// its members once committed.
pub(super) async fn post(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    ids: MessageIds,
    new: &NewGroupMessage,
    seq: i64,
) -> StoreResult<Message> {
    let msg = &new.message;
    let conv = group_key(&msg.to);
    let (_, message) = insert(tx, ids, msg, (&conv, ConversationType::Group, seq)).await?;
    writes.deliver_group(msg.app, new.members.clone(), message.clone());
    Ok(message)
}

impl PgStore {
    /// Messages of `conv` after sequence `from` within `bound` of `column` (see
    /// [`crate::store::sql::history_bound`]), not hidden from `me`, at most `limit`, newest
    /// first unless `newer`.
    async fn group_page(
        &self,
        app: u64,
        (me, conv, from): (&str, &str, u64),
        (bound, column, newer): (i64, &str, bool),
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let order = if newer { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {} FROM messages m
             WHERE m.app = $1 AND m.conv = $2 AND {column} $3 AND m.seq > $6
               AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                               WHERE h.app = $1 AND h.user_id = $5 AND h.msg = m.id)
             ORDER BY m.seq {order} LIMIT $4",
            message::LIST
        );
        let mut client = self.client().await?;
        let tx = snapshot(&mut client).await?;
        let from = from as i64;
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] =
            [&(app as i64), &conv, &bound, &i64::from(limit), &me, &from];
        let found = rows(&tx, &sql, &params).await?;
        tx.commit().await?;
        found.iter().map(|r| message_at(self.ids(), r, 0)).collect()
    }
}

impl GroupStore for PgStore {
    async fn send_group(&self, msg: NewGroupMessage) -> StoreResult<Message> {
        let ids = self.ids();
        transaction!(self, |tx, writes| send_group(&tx, writes, ids, &msg).await)
    }

    async fn group_history(
        &self,
        app: u64,
        (me, group, from): (&str, &str, u64),
        range: HistoryRange,
        count: u32,
    ) -> StoreResult<(Vec<Message>, bool)> {
        let bound = crate::store::sql::history_bound(range);
        let conv = group_key(group);
        let messages = self
            .group_page(app, (me, &conv, from), bound, count + 1)
            .await?;
        Ok(crate::store::sql::history_page(messages, count, bound.2))
    }

    async fn group_seqs(&self, app: u64, groups: Vec<String>) -> StoreResult<Vec<u64>> {
        let convs: Vec<String> = groups.iter().map(|g| group_key(g)).collect();
        let mut client = self.client().await?;
        let tx = snapshot(&mut client).await?;
        let found = rows(
            &tx,
            "SELECT conv, last_seq FROM conversations WHERE app = $1 AND conv = ANY($2)",
            &[&(app as i64), &convs],
        )
        .await?;
        tx.commit().await?;
        let mut last = std::collections::HashMap::with_capacity(found.len());
        for r in &found {
            last.insert(r.try_get::<_, String>(0)?, r.try_get::<_, i64>(1)? as u64);
        }
        Ok(convs
            .iter()
            .map(|c| last.get(c).copied().unwrap_or(0))
            .collect())
    }

    async fn group_view(
        &self,
        app: u64,
        me: &str,
        group: &str,
        read: u64,
        cleared: u64,
    ) -> StoreResult<GroupView> {
        let conv = group_key(group);
        let (read, cleared) = (read.max(cleared) as i64, cleared as i64);
        let last_sql = format!(
            "SELECT {} FROM messages m
             WHERE m.app = $1 AND m.conv = $2 AND m.seq > $3 AND m.control & {CONTROL_NOT_LAST} = 0
               AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                               WHERE h.app = $1 AND h.user_id = $4 AND h.msg = m.id)
             ORDER BY m.seq DESC LIMIT 1",
            message::LIST
        );
        let unread_sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM messages
             WHERE app = $1 AND conv = $2 AND seq > $3 AND sender != $4
               AND control & {CONTROL_NOT_UNREAD} = 0 LIMIT {MAX_UNREAD}) n"
        );
        let mentioning_sql = format!(
            "SELECT {} FROM messages m
             WHERE m.app = $1 AND m.conv = $2 AND m.seq > $3 AND m.sender != $4
               AND m.control & {CONTROL_NOT_UNREAD} = 0 AND m.at_users != ''
               AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                               WHERE h.app = $1 AND h.user_id = $4 AND h.msg = m.id)
             ORDER BY m.seq DESC LIMIT {MAX_MENTIONING}",
            message::LIST
        );
        let mut client = self.client().await?;
        let tx = snapshot(&mut client).await?;
        let a = app as i64;
        let last = row(&tx, &last_sql, &[&a, &conv, &cleared, &me]).await?;
        let unread = row(&tx, &unread_sql, &[&a, &conv, &read, &me]).await?;
        let mentioning = rows(&tx, &mentioning_sql, &[&a, &conv, &read, &me]).await?;
        tx.commit().await?;
        let last = last.map(|r| message_at(self.ids(), &r, 0)).transpose()?;
        let unread: i64 = match unread {
            Some(r) => r.try_get(0)?,
            None => 0,
        };
        let mut mentioning = (mentioning.iter())
            .map(|r| message_at(self.ids(), r, 0))
            .collect::<StoreResult<Vec<_>>>()?;
        mentioning.reverse();
        Ok(GroupView {
            last,
            unread: unread as u32,
            mentioning,
        })
    }

    async fn group_after(
        &self,
        app: u64,
        group: &str,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let bound = crate::store::sql::history_bound(HistoryRange::AfterSeq(after));
        self.group_page(app, ("", &group_key(group), 0), bound, limit)
            .await
    }
}
