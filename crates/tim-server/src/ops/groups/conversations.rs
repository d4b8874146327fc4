//! Group conversations: each member's view of a group's conversation (read and cleared
//! sequences, pin, marks, custom data, deleted) lives in the member's Joined row, so it is
//! written once per change the member makes, never per message; the last message and the
//! unread count are read from the group's messages when the list is read
//! ([`GroupStore::group_view`](crate::store::GroupStore::group_view)).

use super::{joined_key, parse, to_data};
use crate::failure::{fail, Failure};
use crate::ops::relations::decided;
use crate::ops::Ctx;
use crate::store::{ConversationChange, Kind, Plan, Store};
use serde::{Deserialize, Serialize};
use tim_proto::codes::CONVERSATION_NOT_FOUND;
use tim_proto::conversation::GroupAtInfo;
use tim_proto::group as g;
use tim_proto::{Conversation, ConversationId, InboxEvent};

/// A member's view of a group's conversation: the data of their Joined row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct View {
    /// Read up to this sequence.
    pub read_seq: u64,
    /// History up to this sequence hidden (cleared or deleted).
    pub cleared_seq: u64,
    pub pinned: bool,
    pub mark: u32,
    pub custom_data: String,
    /// Off the list until a message after `cleared_seq` comes.
    pub deleted: bool,
}

impl View {
    /// A member who joins a group of `kind` whose last message is `last`: nothing before is
    /// unread, and Work and Public groups show no history from before (as the official's
    /// default).
    pub fn joining(kind: &str, last: u64) -> View {
        let hidden = matches!(kind, g::WORK | g::PUBLIC);
        View {
            read_seq: last,
            cleared_seq: if hidden { last } else { 0 },
            ..View::default()
        }
    }
}

/// The conversation of group `id` as the caller sees it; `None` while deleted with nothing new.
async fn conversation<S: Store>(
    ctx: &Ctx<'_, S>,
    id: &str,
    view: &View,
) -> Result<Option<Conversation>, Failure> {
    let (app, me) = (ctx.caller.app, &ctx.caller.user);
    let read = ctx
        .shared
        .store
        .group_view(app, me, id, view.read_seq, view.cleared_seq);
    let found = read.await?;
    let last_message = found.last;
    if view.deleted && last_message.is_none() {
        return Ok(None);
    }
    let mentions = found.mentioning.iter();
    Ok(Some(Conversation {
        id: ConversationId::Group(id.to_owned()),
        unread_count: found.unread,
        group_at_info_list: mentions.filter_map(|m| GroupAtInfo::of(m, me)).collect(),
        is_pinned: view.pinned,
        mark: view.mark,
        custom_data: view.custom_data.clone(),
        updated: last_message.as_ref().map_or(0, |m| m.time),
        last_message,
        ..Conversation::empty(ConversationId::Group(id.to_owned()))
    }))
}

/// The caller's conversation of group `id` as it is now that messages of it were deleted for
/// them (its last message may have moved): also an inbox item of the caller, so every session
/// follows. `None` when not a member any more, or deleted with nothing new.
pub(crate) async fn after_delete<S: Store>(
    ctx: &Ctx<'_, S>,
    id: &str,
) -> Result<Option<Conversation>, Failure> {
    let (store, app, me) = (&ctx.shared.store, ctx.caller.app, &ctx.caller.user);
    let Some(row) = store
        .relations_at(app, vec![joined_key(me, id)])
        .await?
        .remove(0)
    else {
        return Ok(None);
    };
    let Some(now) = conversation(ctx, id, &parse(&row.data)).await? else {
        return Ok(None);
    };
    let mut plan = Plan::default();
    let conversation = now.clone();
    plan.item(me, InboxEvent::Conversation { conversation });
    store.relate(app, plan).await?;
    Ok(Some(now))
}

/// The caller's group conversations after group `after` (all when `None`), in groupID order,
/// at most `limit`; and whether none follow.
pub(crate) async fn list<S: Store>(
    ctx: &Ctx<'_, S>,
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<Conversation>, bool), Failure> {
    let store = &ctx.shared.store;
    let mut joined = store
        .relations(ctx.caller.app, &ctx.caller.user, Kind::Joined)
        .await?;
    joined.retain(|j| after.is_none_or(|a| j.other.as_str() > a));
    joined.sort_by(|a, b| a.other.cmp(&b.other));
    let mut out = Vec::new();
    for (i, row) in joined.iter().enumerate() {
        if out.len() == limit {
            return Ok((out, i == joined.len()));
        }
        if let Some(c) = conversation(ctx, &row.other, &parse(&row.data)).await? {
            out.push(c);
        }
    }
    Ok((out, true))
}

/// The caller's group conversations with unread messages.
pub(crate) async fn unread<S: Store>(ctx: &Ctx<'_, S>) -> Result<Vec<String>, Failure> {
    let (all, _) = list(ctx, None, usize::MAX).await?;
    Ok(all
        .into_iter()
        .filter(|c| c.unread_count > 0)
        .filter_map(|c| match c.id {
            ConversationId::Group(id) => Some(id),
            _ => None,
        })
        .collect())
}

/// Each of `ids` is a group of the caller's (2500 otherwise).
pub(crate) async fn all_mine<S: Store>(ctx: &Ctx<'_, S>, ids: &[&str]) -> Result<(), Failure> {
    if ids.is_empty() {
        return Ok(());
    }
    let keys = ids
        .iter()
        .map(|id| joined_key(&ctx.caller.user, id))
        .collect();
    let rows = ctx.shared.store.relations_at(ctx.caller.app, keys).await?;
    match ids.iter().zip(&rows).find(|(_, row)| row.is_none()) {
        Some((id, _)) => fail(CONVERSATION_NOT_FOUND, format!("GROUP{id} not found")),
        None => Ok(()),
    }
}

/// Applies `change` to the caller's conversation of group `id` (2500 when not a member): the
/// conversation as it is now, which is also an inbox item of the caller.
pub(crate) async fn change<S: Store>(
    ctx: &Ctx<'_, S>,
    id: &str,
    change: &ConversationChange,
) -> Result<Conversation, Failure> {
    let (store, app, me) = (&ctx.shared.store, ctx.caller.app, &ctx.caller.user);
    let key = joined_key(me, id);
    decided!(ctx, {
        let Some(row) = store.relations_at(app, vec![key.clone()]).await?.remove(0) else {
            return fail(CONVERSATION_NOT_FOUND, format!("GROUP{id} not found"));
        };
        let mut view: View = parse(&row.data);
        let last = store.group_seqs(app, vec![id.to_owned()]).await?[0];
        match change {
            ConversationChange::Read => view.read_seq = last,
            ConversationChange::Delete | ConversationChange::ClearHistory => {
                view.read_seq = last;
                view.cleared_seq = last;
                view.deleted = *change == ConversationChange::Delete;
            }
            ConversationChange::Pin(pinned) => view.pinned = *pinned,
            ConversationChange::Mark(bits, true) => view.mark |= bits,
            ConversationChange::Mark(bits, false) => view.mark &= !bits,
            ConversationChange::CustomData(data) => view.custom_data.clone_from(data),
        }
        let empty = || Conversation::empty(ConversationId::Group(id.to_owned()));
        let mut now = conversation(ctx, id, &view).await?.unwrap_or_else(empty);
        now.deleted = view.deleted;
        let mut plan = Plan::default();
        plan.expect(key.clone(), Some(&row));
        plan.set(key.clone(), Some(to_data(&view)));
        let event = InboxEvent::Conversation {
            conversation: now.clone(),
        };
        plan.item(me, event);
        (plan, now)
    })
}
