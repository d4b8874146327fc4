//! Conversation ops: the list, and the changes a user makes to their own conversations.

use super::{c2c_peer, fail, fit, groups, Ctx, Failure};
use crate::store::{ConversationChange, Store};
use tim_proto::*;

type Answer = Result<ConversationsOk, Failure>;

pub async fn list<S: Store>(ctx: &Ctx<'_, S>, g: GetConversations) -> Answer {
    if g.limit == 0 || g.limit > MAX_CONVERSATIONS_PAGE {
        return fail(
            codes::INVALID_REQUEST,
            format!("limit must be 1..={MAX_CONVERSATIONS_PAGE}"),
        );
    }
    // conversationID order: every C2C conversation ("C2C…"), then every group ("GROUP…").
    let (after, after_group) = match &g.after {
        // Past every C2C peer: no character follows U+10FFFF.
        Some(ConversationId::Group(id)) => (Some(char::MAX.to_string()), Some(id.as_str())),
        Some(id) => (Some(c2c_peer(id)?.to_owned()), None),
        None => (None, None),
    };
    let Ctx { shared, caller } = ctx;
    let page = shared
        .store
        .conversations(caller.app, &caller.user, after, g.limit);
    let mut page = page.await?;
    let room = g.limit as usize - page.conversations.len();
    // (With no room left, whether any group follows.)
    if page.complete {
        let (groups, complete) = groups::conversations::list(ctx, after_group, room).await?;
        page.conversations.extend(groups);
        page.complete = complete;
    }
    // Each C2C peer's nick and avatar, for the conversation's userProfile.
    let peers = page
        .conversations
        .iter()
        .filter_map(|c| c.id.c2c_peer().map(str::to_owned))
        .collect();
    let profiles = shared.store.profiles(caller.app, peers).await?;
    let profiles: std::collections::HashMap<String, _> = profiles
        .into_iter()
        .map(|p| (p.user_id.clone(), p))
        .collect();
    for c in &mut page.conversations {
        if let Some(p) = c.id.c2c_peer().and_then(|peer| profiles.get(peer)) {
            c.peer_nick.clone_from(&p.nick);
            c.peer_avatar.clone_from(&p.avatar);
        }
    }
    fit(&mut page.conversations, &mut page.complete);
    if g.after.is_none() {
        page.conversation_groups = super::conversation_groups::groups(ctx).await?;
    }
    Ok(page)
}

/// Apply `change` to the caller's conversations named by `ids`.
async fn change<S: Store>(
    ctx: &Ctx<'_, S>,
    ids: &[ConversationId],
    change: ConversationChange,
) -> Answer {
    if ids.is_empty() || ids.len() > MAX_CONVERSATIONS_PER_REQUEST {
        return fail(
            codes::INVALID_REQUEST,
            format!("name 1..={MAX_CONVERSATIONS_PER_REQUEST} conversations"),
        );
    }
    let (groups, others): (Vec<_>, Vec<_>) = ids
        .iter()
        .partition(|id| matches!(id, ConversationId::Group(_)));
    let peers = others
        .into_iter()
        .map(|id| c2c_peer(id).map(str::to_owned))
        .collect::<Result<Vec<_>, _>>()?;
    let Ctx { shared, caller } = ctx;
    // Every group one must be the caller's before anything changes.
    let group_ids: Vec<&str> = groups
        .iter()
        .filter_map(|id| match id {
            ConversationId::Group(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    groups::conversations::all_mine(ctx, &group_ids).await?;
    let mut page = match peers.is_empty() {
        true => empty_page(),
        false => {
            let page =
                shared
                    .store
                    .change_conversations(caller.app, &caller.user, peers, change.clone());
            page.await?
        }
    };
    for id in group_ids {
        let changed = groups::conversations::change(ctx, id, &change).await?;
        page.conversations.push(changed);
    }
    Ok(page)
}

/// A change's answer before any conversation is in it.
fn empty_page() -> ConversationsOk {
    ConversationsOk {
        conversation_groups: Vec::new(),
        conversations: Vec::new(),
        inbox_seq: 0,
        complete: true,
    }
}

pub async fn set_read<S: Store>(ctx: &Ctx<'_, S>, c: ConversationRef) -> Answer {
    change(ctx, &[c.conversation_id], ConversationChange::Read).await
}

pub async fn set_all_read<S: Store>(ctx: &Ctx<'_, S>) -> Answer {
    let Ctx { shared, caller } = ctx;
    let mut page = shared.store.set_all_read(caller.app, &caller.user).await?;
    for id in groups::conversations::unread(ctx).await? {
        let read = groups::conversations::change(ctx, &id, &ConversationChange::Read);
        page.conversations.push(read.await?);
    }
    Ok(page)
}

pub async fn delete<S: Store>(ctx: &Ctx<'_, S>, c: ConversationRef) -> Answer {
    change(ctx, &[c.conversation_id], ConversationChange::Delete).await
}

pub async fn clear_history<S: Store>(ctx: &Ctx<'_, S>, c: ConversationRef) -> Answer {
    change(ctx, &[c.conversation_id], ConversationChange::ClearHistory).await
}

pub async fn pin<S: Store>(ctx: &Ctx<'_, S>, p: PinConversation) -> Answer {
    let how = ConversationChange::Pin(p.is_pinned);
    change(ctx, &[p.conversation_id], how).await
}

pub async fn mark<S: Store>(ctx: &Ctx<'_, S>, m: MarkConversations) -> Answer {
    if m.mark_type == 0 {
        return fail(
            codes::INVALID_REQUEST,
            "markType must name at least one mark",
        );
    }
    let how = ConversationChange::Mark(m.mark_type, m.enable_mark);
    change(ctx, &m.conversation_ids, how).await
}

pub async fn set_custom_data<S: Store>(ctx: &Ctx<'_, S>, d: SetCustomData) -> Answer {
    if d.custom_data.len() > MAX_CUSTOM_DATA_BYTES {
        return fail(
            codes::BODY_SIZE_LIMIT,
            format!("customData is over {MAX_CUSTOM_DATA_BYTES} bytes"),
        );
    }
    let how = ConversationChange::CustomData(d.custom_data);
    change(ctx, &d.conversation_ids, how).await
}
