//! Message ops: send (stored, or online only), history pages, revoke, modify, delete for me.

use super::{c2c_peer, fail, groups, Ctx, Failure};
use crate::bus::{Push, Target};
use crate::config::DEFAULT_REVOKE_LIMIT_SECS;
use crate::now_secs;
use crate::session::valid_user_id;
use crate::store::rules::online_message_id;
use crate::store::{Deleted, HistoryRange, NewMessage, Store};
use tim_proto::*;

/// The official body limit, for a send and a modification alike.
fn check_body_size(bytes: usize) -> Result<(), Failure> {
    if bytes > MAX_MESSAGE_BODY_BYTES {
        return fail(
            codes::BODY_SIZE_LIMIT,
            format!("message body of {bytes} bytes exceeds {MAX_MESSAGE_BODY_BYTES}"),
        );
    }
    Ok(())
}

/// What a client may put in a message: no element only the server makes (a group tip).
fn check_elements(elements: &[Element]) -> Result<(), Failure> {
    match elements.iter().any(Element::is_server_made) {
        true => fail(
            codes::INVALID_REQUEST,
            "group tips and notices are made by the server, not sent",
        ),
        false => Ok(()),
    }
}

/// Users one message may mention.
const MAX_AT_USERS: usize = 100;

pub(crate) fn check_send(s: &SendMessage) -> Result<(), Failure> {
    match s.conversation_type {
        ConversationType::C2C if !valid_user_id(&s.to) => {
            return fail(
                codes::INVALID_USER_ID,
                format!("invalid recipient {:?}", s.to),
            )
        }
        ConversationType::Group if s.to.is_empty() || s.to.len() > group::MAX_GROUP_ID => {
            return fail(
                codes::GROUP_INVALID_GROUPID,
                format!("invalid groupID {:?}", s.to),
            )
        }
        ConversationType::System => {
            return fail(
                codes::INVALID_REQUEST,
                "the @TIM#SYSTEM conversation takes no messages",
            )
        }
        _ => {}
    }
    if s.client_msg_id.is_empty() || s.client_msg_id.len() > 64 {
        return fail(codes::INVALID_REQUEST, "clientMsgID must be 1-64 bytes");
    }
    if s.body.elements.is_empty() {
        return fail(
            codes::INVALID_REQUEST,
            "a message needs at least one element",
        );
    }
    check_elements(&s.body.elements)?;
    if s.body.at_user_list.len() > MAX_AT_USERS {
        return fail(
            codes::INVALID_REQUEST,
            format!("atUserList names over {MAX_AT_USERS} users"),
        );
    }
    if let Some(bad) = s.body.at_user_list.iter().find(|u| !valid_user_id(u)) {
        return fail(
            codes::INVALID_USER_ID,
            format!("atUserList names an invalid userID {bad:?}"),
        );
    }
    check_body_size(s.body.bytes())
}

pub async fn send<S: Store>(ctx: &Ctx<'_, S>, s: SendMessage) -> Result<SendMessageOk, Failure> {
    check_send(&s)?;
    let Ctx { shared, caller } = ctx;
    if !shared
        .rates
        .messages
        .take(&(caller.app, caller.user.clone()))
    {
        let rate = shared.cfg.limits.messages_per_sec.per_sec;
        return fail(
            codes::OVERLOAD,
            format!("over {rate} messages a second from one user"),
        );
    }
    if s.conversation_type == ConversationType::Group {
        return groups::messages::send(ctx, s, groups::messages::Sender::Member).await;
    }
    if s.online_only {
        return Ok(send_online(ctx, s));
    }
    let message = shared
        .store
        .send_c2c(NewMessage {
            app: caller.app,
            from: caller.user.clone(),
            to: s.to,
            client_msg_id: s.client_msg_id,
            random: s.random,
            body: s.body,
            quota_bytes: shared.cfg.limits.user_quota_bytes,
            name_card: String::new(),
        })
        .await?;
    Ok(SendMessageOk { message })
}

/// The caller's online-only message `s`: not stored (an ID of row 0, which no stored message
/// has), never unread nor a last message.
pub(crate) fn online_message<S: Store>(ctx: &Ctx<'_, S>, s: SendMessage) -> Message {
    let time = now_secs();
    let mut body = s.body;
    body.excluded_from_unread = true;
    body.excluded_from_last_message = true;
    Message {
        id: online_message_id(time, s.random),
        conversation_type: s.conversation_type,
        from: ctx.caller.user.clone(),
        to: s.to,
        time,
        random: s.random,
        client_msg_id: s.client_msg_id,
        body,
        ..Message::default()
    }
}

/// A C2C online-only message, pushed to the recipient's sessions and the sender's other ones.
fn send_online<S: Store>(ctx: &Ctx<'_, S>, s: SendMessage) -> SendMessageOk {
    let Ctx { shared, caller } = ctx;
    let message = online_message(ctx, s);
    let (app, except) = (caller.app, caller.session);
    for user in crate::store::rules::parties(&message) {
        let target = Target::Others { app, user, except };
        shared.bus.publish(target, Push::Online(message.clone()));
    }
    SendMessageOk { message }
}

pub async fn history<S: Store>(ctx: &Ctx<'_, S>, h: GetHistory) -> Result<GetHistoryOk, Failure> {
    if h.count == 0 || h.count > MAX_HISTORY_COUNT {
        return fail(
            codes::INVALID_REQUEST,
            format!("count must be 1..={MAX_HISTORY_COUNT}"),
        );
    }
    let range = match (h.before_seq, h.after_seq, h.before_time, h.after_time) {
        (b, None, None, None) => HistoryRange::BeforeSeq(b),
        (None, Some(a), None, None) => HistoryRange::AfterSeq(a),
        (None, None, Some(t), None) => HistoryRange::BeforeTime(t),
        (None, None, None, Some(t)) => HistoryRange::AfterTime(t),
        _ => return fail(codes::INVALID_REQUEST, "give at most one bound of history"),
    };
    let (messages, complete) = match &h.conversation_id {
        ConversationId::Group(group) => {
            groups::messages::history(ctx, group, range, h.count).await?
        }
        id => {
            let peer = c2c_peer(id)?;
            let Ctx { shared, caller } = ctx;
            let page = shared
                .store
                .history_c2c(caller.app, &caller.user, peer, range, h.count);
            page.await?
        }
    };
    Ok(GetHistoryOk { messages, complete })
}

pub async fn revoke<S: Store>(ctx: &Ctx<'_, S>, r: RevokeMessage) -> Result<MessageOk, Failure> {
    let Ctx { shared, caller } = ctx;
    let limit = shared
        .cfg
        .apps
        .get(&caller.app)
        .map_or(DEFAULT_REVOKE_LIMIT_SECS, |a| a.revoke_limit_secs);
    let message = shared
        .store
        .revoke(caller.app, &caller.user, &r.message_id, limit)
        .await?;
    Ok(MessageOk { message })
}

pub async fn modify<S: Store>(ctx: &Ctx<'_, S>, m: ModifyMessage) -> Result<MessageOk, Failure> {
    check_elements(&m.elements)?;
    check_body_size(body_bytes(&m.elements, &m.cloud_custom_data))?;
    let Ctx { shared, caller } = ctx;
    let sender_only = shared
        .cfg
        .apps
        .get(&caller.app)
        .is_some_and(|a| a.modify_sender_only);
    let modify = shared
        .store
        .modify(caller.app, &caller.user, m, sender_only);
    let message = modify.await?;
    Ok(MessageOk { message })
}

pub async fn delete<S: Store>(
    ctx: &Ctx<'_, S>,
    d: DeleteMessages,
) -> Result<ConversationsOk, Failure> {
    if d.message_ids.is_empty() || d.message_ids.len() > MAX_DELETE_MESSAGES {
        return fail(
            codes::INVALID_REQUEST,
            format!("name 1..={MAX_DELETE_MESSAGES} messages"),
        );
    }
    let Ctx { shared, caller } = ctx;
    let deleted = shared
        .store
        .delete_messages(caller.app, &caller.user, d.message_ids);
    let Deleted { mut page, groups } = deleted.await?;
    for group in groups {
        let now = super::groups::conversations::after_delete(ctx, &group).await?;
        page.conversations.extend(now);
    }
    Ok(page)
}
