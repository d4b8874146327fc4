//! Group read receipts: sendMessageReadReceipt, getMessageReadReceiptList and
//! getGroupMessageReadMemberList for the messages of a group's conversation. Each member's read
//! of a message that asked for a receipt is a row owned by the message's ID (its `other` the
//! reader), written once however often it is sent; the counts are those rows, counted when
//! asked. The sender learns of each new read through a `receipts` inbox item with the counts
//! after it (MESSAGE_READ_RECEIPT_RECEIVED), written once the reads are.

use super::{invalid, member_key};
use crate::failure::{fail, Failure};
use crate::ops::profiles::params;
use crate::ops::relations::decided;
use crate::ops::Ctx;
use crate::store::{Key, Kind, Plan, Store};
use serde_json::{json, Value};
use tim_proto::codes::{GROUP_PERMISSION_DENY, READ_RECEIPT_MESSAGE_LIST_EMPTY};
use tim_proto::group::{MessageRef, ReadMemberPage, MAX_PAGE, MAX_RECEIPT_MESSAGES};
use tim_proto::{ConversationId, InboxEvent, Json, Message};

fn receipt_key(message: &str, reader: &str) -> Key {
    Key::new(message, Kind::Receipt, reader)
}

/// The group of `refs`, all of one group's conversation of which the caller is a member
/// (10007 otherwise), and each message they name: read back by its sequence, `None` unless
/// its ID is the one given.
async fn named<S: Store>(
    ctx: &Ctx<'_, S>,
    refs: &[MessageRef],
) -> Result<(String, Vec<Option<Message>>), Failure> {
    let Some(first) = refs.first() else {
        return invalid("no messages");
    };
    if refs.len() > MAX_RECEIPT_MESSAGES {
        return invalid(format!("over {MAX_RECEIPT_MESSAGES} messages"));
    }
    let Some(ConversationId::Group(group)) = ConversationId::parse(&first.conversation_id) else {
        return invalid("not the messages of a group's conversation");
    };
    if refs
        .iter()
        .any(|r| r.conversation_id != first.conversation_id)
    {
        return invalid("messages of more than one conversation");
    }
    let (store, app) = (&ctx.shared.store, ctx.caller.app);
    let me = member_key(&group, &ctx.caller.user);
    if store.relations_at(app, vec![me]).await?[0].is_none() {
        return fail(GROUP_PERMISSION_DENY, format!("not a member of {group:?}"));
    }
    let mut found = Vec::with_capacity(refs.len());
    for r in refs {
        let at = match r.sequence {
            0 => Vec::new(),
            seq => store.group_after(app, &group, seq - 1, 1).await?,
        };
        found.push(at.into_iter().find(|m| m.id == r.id));
    }
    Ok((group, found))
}

/// How many members read `message`, and how many of the others (all members but its sender,
/// `others` of them) did not.
async fn counts<S: Store>(
    ctx: &Ctx<'_, S>,
    message: &str,
    others: u64,
) -> Result<(u32, u32), Failure> {
    let read = ctx
        .shared
        .store
        .count(ctx.caller.app, message, Kind::Receipt)
        .await?;
    Ok((read as u32, others.saturating_sub(read) as u32))
}

/// The members of `group` but a message's sender.
async fn others<S: Store>(ctx: &Ctx<'_, S>, group: &str) -> Result<u64, Failure> {
    let members = ctx.shared.store.count(ctx.caller.app, group, Kind::Member);
    Ok(members.await?.saturating_sub(1))
}

/// The caller read these messages: those from others that asked for a receipt (2114 when
/// none), each counted once; their senders are told the counts now.
pub async fn send_message_read_receipt<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let refs: Vec<MessageRef> = params(&data)?;
    let (group, found) = named(ctx, &refs).await?;
    let (store, app, me) = (&ctx.shared.store, ctx.caller.app, &ctx.caller.user);
    let mut asked: Vec<Message> = found
        .into_iter()
        .flatten()
        .filter(|m| m.from != *me && m.body.need_read_receipt)
        .collect();
    asked.dedup_by(|a, b| a.id == b.id);
    if asked.is_empty() {
        return fail(
            READ_RECEIPT_MESSAGE_LIST_EMPTY,
            "no message from someone else asks for a read receipt",
        );
    }
    let new: Vec<Message> = decided!(ctx, {
        let keys = asked.iter().map(|m| receipt_key(&m.id, me)).collect();
        let rows = store.relations_at(app, keys).await?;
        let mut plan = Plan::default();
        let mut new = Vec::new();
        for (m, row) in asked.iter().zip(rows) {
            if row.is_none() {
                let key = receipt_key(&m.id, me);
                plan.expect(key.clone(), None);
                plan.set(key, Some("{}".into()));
                new.push(m.clone());
            }
        }
        (plan, new)
    })?;
    if new.is_empty() {
        return Ok(Json("{}".into()));
    }
    let others = others(ctx, &group).await?;
    let conversation_id = ConversationId::Group(group.clone()).to_id_string();
    let mut by_sender: Vec<(String, Vec<Value>)> = Vec::new();
    for m in new {
        let (read, unread) = counts(ctx, &m.id, others).await?;
        let receipt = json!({
            "groupID": group, "conversationID": conversation_id, "messageID": m.id,
            "readCount": read, "unreadCount": unread,
        });
        match by_sender.iter_mut().find(|(s, _)| *s == m.from) {
            Some((_, list)) => list.push(receipt),
            None => by_sender.push((m.from, vec![receipt])),
        }
    }
    let mut plan = Plan::default();
    for (sender, receipts) in by_sender {
        let receipts = Json::of(&receipts);
        plan.item(&sender, InboxEvent::Receipts { receipts });
    }
    store.relate(app, plan).await?;
    Ok(Json("{}".into()))
}

/// `{messageList}`: each message's `readReceiptInfo` {readCount, unreadCount}, in the list's
/// order (nothing for a message not found).
pub async fn get_message_read_receipt_list<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let refs: Vec<MessageRef> = params(&data)?;
    let (group, found) = named(ctx, &refs).await?;
    let others = others(ctx, &group).await?;
    let mut list = Vec::with_capacity(found.len());
    for m in found {
        list.push(match m {
            Some(m) => {
                let (read, unread) = counts(ctx, &m.id, others).await?;
                json!({"readReceiptInfo": {"readCount": read, "unreadCount": unread}})
            }
            None => json!({}),
        });
    }
    Ok(Json::of(&json!({ "messageList": list })))
}

/// A page of the members who read a message (`filter` 0, in the order they read it) or of
/// those who did not (1: the members but its sender and its readers, in join order); `cursor`
/// is the next page's, '' after the last.
pub async fn get_group_message_read_member_list<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: ReadMemberPage = params(&data)?;
    let (group, mut found) = named(ctx, std::slice::from_ref(&r.message)).await?;
    let Some(m) = found.pop().flatten() else {
        return invalid(format!("no message {:?} in {group:?}", r.message.id));
    };
    let (store, app) = (&ctx.shared.store, ctx.caller.app);
    let readers: Vec<String> = (store.relations(app, &m.id, Kind::Receipt).await?)
        .into_iter()
        .map(|r| r.other)
        .collect();
    let list = match r.filter {
        0 => readers,
        _ => (store.relations(app, &group, Kind::Member).await?)
            .into_iter()
            .map(|r| r.other)
            .filter(|u| *u != m.from && !readers.contains(u))
            .collect(),
    };
    let start = r.cursor.parse::<usize>().unwrap_or(0).min(list.len());
    let end = (start + r.count.clamp(1, MAX_PAGE)).min(list.len());
    let page = &list[start..end];
    let done = end == list.len();
    let (read, unread) = match r.filter {
        0 => (page, &[][..]),
        _ => (&[][..], page),
    };
    Ok(Json::of(&json!({
        "messageID": m.id,
        "cursor": if done { String::new() } else { end.to_string() },
        "isCompleted": done,
        "readUserIDList": read,
        "unreadUserIDList": unread,
    })))
}
