//! Conversation ops: the list, and the changes a user makes to their own conversations.

use super::{c2c_peer, fail, fit, Ctx, Failure};
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
    let after = match &g.after {
        Some(id) => Some(c2c_peer(id)?.to_owned()),
        None => None,
    };
    let Ctx { shared, caller } = ctx;
    let page = shared
        .store
        .conversations(caller.app, &caller.user, after, g.limit);
    let mut page = page.await?;
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
    let peers = ids
        .iter()
        .map(|id| c2c_peer(id).map(str::to_owned))
        .collect::<Result<Vec<_>, _>>()?;
    let Ctx { shared, caller } = ctx;
    let page = shared
        .store
        .change_conversations(caller.app, &caller.user, peers, change);
    Ok(page.await?)
}

pub async fn set_read<S: Store>(ctx: &Ctx<'_, S>, c: ConversationRef) -> Answer {
    change(ctx, &[c.conversation_id], ConversationChange::Read).await
}

pub async fn set_all_read<S: Store>(ctx: &Ctx<'_, S>) -> Answer {
    let Ctx { shared, caller } = ctx;
    Ok(shared.store.set_all_read(caller.app, &caller.user).await?)
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
