//! Every op of a connection, one dispatch line each: the session ops work on the connection's
//! own [`Session`]; every other op is answered for a [`Caller`], which only a logged-in session
//! can give, so no op is reachable without an authenticated caller. Each domain's ops live in
//! the file named after it.

mod conversation_groups;
mod conversations;
pub(crate) mod groups;
mod inbox;
pub(crate) mod messages;
pub(crate) mod profiles;
pub(crate) mod relations;
pub(crate) mod status;

use crate::failure::{fail, Failure, Outcome};
use crate::session::{heartbeat, Caller, Session};
use crate::store::Store;
use crate::Shared;
use tim_proto::{codes, json_len, Call, Json, Op, Request, Response, MAX_ANSWER_BYTES};

/// What an op works with: the server's shared parts and the caller it acts for.
pub struct Ctx<'a, S: Store> {
    pub shared: &'a Shared<S>,
    pub caller: &'a Caller,
}

/// Answers a session op (login, resume, logout) on the connection's session.
pub async fn handle_session<S: Store>(
    shared: &Shared<S>,
    session: &mut Session,
    request: Request,
) -> Outcome {
    let logins = &shared.rates.logins;
    let started = std::time::Instant::now();
    let (outcome, what, login) = match request {
        Request::Login(r) => {
            // Only made when it will be logged.
            let what = tracing::enabled!(tracing::Level::DEBUG)
                .then(|| format!("login of {:?} on {:?}", r.user_id, r.platform));
            (session.login(shared, r).await, what, true)
        }
        Request::Resume(r) => (session.resume(shared, r).await, None, false),
        Request::Logout => return session.logout(shared).await,
        Request::Heartbeat => return Ok(heartbeat()),
        _ => return fail(codes::INTERNAL_ERROR, "not a session op"),
    };
    // With RUST_LOG=tim_server=debug: every login's fate and time, to tell a slow or lost
    // login on the server from one the client lost.
    let code = outcome.as_ref().err().map_or(0, |f| f.0);
    let took = started.elapsed();
    let what = what.as_deref().unwrap_or("resume");
    tracing::debug!("{what} from {}: code {code} in {took:?}", session.peer);
    // Failed logins from one address are answered later and later: guessing UserSigs gets
    // slow. A failed resume is not counted: a resume token (128 random bits) cannot be guessed,
    // and after a restart every client of an address (a whole office behind one NAT) resumes
    // in vain once; slowing those down kept clients cut meanwhile from ever logging in again.
    if login && outcome.is_err() {
        tokio::time::sleep(logins.failed(session.peer)).await;
    }
    outcome
}

/// A page cut to what one answer carries within [`MAX_ANSWER_BYTES`] of JSON (at least one
/// item); a page cut short is not `complete`.
pub(crate) fn fit<T: serde::Serialize>(items: &mut Vec<T>, complete: &mut bool) {
    let mut bytes = 0;
    let fitting = items
        .iter()
        .position(|item| {
            bytes += json_len(item);
            bytes > MAX_ANSWER_BYTES
        })
        .map_or(items.len(), |n| n.max(1));
    if fitting < items.len() {
        items.truncate(fitting);
        *complete = false;
    }
}

/// The op of a request, for its caller.
pub async fn dispatch<S: Store>(ctx: &Ctx<'_, S>, request: Request) -> Outcome {
    use Request as R;
    use Response as A;
    Ok(match request {
        R::Sync(r) => A::Sync(inbox::sync(ctx, r).await?),
        R::SendMessage(r) => A::SendMessage(messages::send(ctx, r).await?),
        R::GetHistory(r) => A::GetHistory(messages::history(ctx, r).await?),
        R::RevokeMessage(r) => A::RevokeMessage(messages::revoke(ctx, r).await?),
        R::ModifyMessage(r) => A::ModifyMessage(messages::modify(ctx, r).await?),
        R::DeleteMessages(r) => A::DeleteMessages(messages::delete(ctx, r).await?),
        R::GetConversations(r) => A::GetConversations(conversations::list(ctx, r).await?),
        R::SetRead(r) => A::SetRead(conversations::set_read(ctx, r).await?),
        R::SetAllRead => A::SetAllRead(conversations::set_all_read(ctx).await?),
        R::DeleteConversation(r) => A::DeleteConversation(conversations::delete(ctx, r).await?),
        R::ClearHistory(r) => A::ClearHistory(conversations::clear_history(ctx, r).await?),
        R::PinConversation(r) => A::PinConversation(conversations::pin(ctx, r).await?),
        R::MarkConversations(r) => A::MarkConversations(conversations::mark(ctx, r).await?),
        R::SetCustomData(r) => A::SetCustomData(conversations::set_custom_data(ctx, r).await?),
        R::SyncGroups(r) => A::SyncGroups(groups::messages::sync_groups(ctx, r).await?),
        R::Call(call) => A::Call(Call {
            op: call.op,
            data: stateless(ctx, call).await?,
        }),
        // Answered by `handle_session` on the connection's session.
        R::Login(_) | R::Resume(_) | R::Logout | R::Heartbeat => {
            return fail(codes::INTERNAL_ERROR, "session op outside the session")
        }
    })
}

/// A stateless op, by its op: its result `data`.
async fn stateless<S: Store>(ctx: &Ctx<'_, S>, call: Call) -> Result<Json, Failure> {
    let Call { op, data: r } = call;
    match op {
        Op::GetMyProfile => profiles::get_my_profile(ctx, r).await,
        Op::GetUserProfile => profiles::get_user_profile(ctx, r).await,
        Op::UpdateMyProfile => profiles::update_my_profile(ctx, r).await,
        Op::GetBlacklist => relations::get_blacklist(ctx, r).await,
        Op::AddToBlacklist => relations::add_to_blacklist(ctx, r).await,
        Op::RemoveFromBlacklist => relations::remove_from_blacklist(ctx, r).await,
        Op::GetFriendList => relations::get_friend_list(ctx, r).await,
        Op::AddFriend => relations::add_friend(ctx, r).await,
        Op::DeleteFriend => relations::delete_friend(ctx, r).await,
        Op::CheckFriend => relations::check_friend(ctx, r).await,
        Op::GetFriendProfile => relations::get_friend_profile(ctx, r).await,
        Op::UpdateFriend => relations::update_friend(ctx, r).await,
        Op::GetFriendApplicationList => relations::get_friend_application_list(ctx, r).await,
        Op::AcceptFriendApplication => relations::accept_friend_application(ctx, r).await,
        Op::RefuseFriendApplication => relations::refuse_friend_application(ctx, r).await,
        Op::DeleteFriendApplication => relations::delete_friend_application(ctx, r).await,
        Op::SetFriendApplicationRead => relations::set_friend_application_read(ctx, r).await,
        Op::GetFriendGroupList => relations::get_friend_group_list(ctx, r).await,
        Op::CreateFriendGroup => relations::create_friend_group(ctx, r).await,
        Op::DeleteFriendGroup => relations::delete_friend_group(ctx, r).await,
        Op::RenameFriendGroup => relations::rename_friend_group(ctx, r).await,
        Op::AddToFriendGroup => relations::add_to_friend_group(ctx, r).await,
        Op::RemoveFromFriendGroup => relations::remove_from_friend_group(ctx, r).await,
        Op::CreateConversationGroup => conversation_groups::create_conversation_group(ctx, r).await,
        Op::GetConversationGroupList => {
            conversation_groups::get_conversation_group_list(ctx, r).await
        }
        Op::DeleteConversationGroup => conversation_groups::delete_conversation_group(ctx, r).await,
        Op::RenameConversationGroup => conversation_groups::rename_conversation_group(ctx, r).await,
        Op::AddConversationsToGroup => {
            conversation_groups::add_conversations_to_group(ctx, r).await
        }
        Op::DeleteConversationsFromGroup => {
            conversation_groups::delete_conversations_from_group(ctx, r).await
        }
        Op::CreateGroup => groups::create_group(ctx, r).await,
        Op::GetGroupList => groups::get_group_list(ctx, r).await,
        Op::GetGroupProfile => groups::get_group_profile(ctx, r).await,
        Op::SearchGroupById => groups::search_group_by_id(ctx, r).await,
        Op::UpdateGroupProfile => groups::update_group_profile(ctx, r).await,
        Op::JoinGroup => groups::join_group(ctx, r).await,
        Op::QuitGroup => groups::quit_group(ctx, r).await,
        Op::DismissGroup => groups::dismiss_group(ctx, r).await,
        Op::ChangeGroupOwner => groups::change_group_owner(ctx, r).await,
        Op::GetGroupApplicationList => groups::get_group_application_list(ctx, r).await,
        Op::HandleGroupApplication => groups::handle_group_application(ctx, r).await,
        Op::SetMessageRemindType => groups::set_message_remind_type(ctx, r).await,
        Op::GetGroupMemberList => groups::get_group_member_list(ctx, r).await,
        Op::GetGroupMemberProfile => groups::get_group_member_profile(ctx, r).await,
        Op::AddGroupMember => groups::add_group_member(ctx, r).await,
        Op::DeleteGroupMember => groups::delete_group_member(ctx, r).await,
        Op::SetGroupMemberRole => groups::set_group_member_role(ctx, r).await,
        Op::SetGroupMemberMuteTime => groups::set_group_member_mute_time(ctx, r).await,
        Op::SetGroupMemberNameCard => groups::set_group_member_name_card(ctx, r).await,
        Op::SetGroupMemberCustomField => groups::set_group_member_custom_field(ctx, r).await,
        Op::SendMessageReadReceipt => groups::send_message_read_receipt(ctx, r).await,
        Op::GetMessageReadReceiptList => groups::get_message_read_receipt_list(ctx, r).await,
        Op::GetGroupMessageReadMemberList => {
            groups::get_group_message_read_member_list(ctx, r).await
        }
        Op::InitGroupAttributes => groups::init_group_attributes(ctx, r).await,
        Op::SetGroupAttributes => groups::set_group_attributes(ctx, r).await,
        Op::DeleteGroupAttributes => groups::delete_group_attributes(ctx, r).await,
        Op::GetGroupAttributes => groups::get_group_attributes(ctx, r).await,
        Op::SetGroupCounters => groups::set_group_counters(ctx, r).await,
        Op::IncreaseGroupCounter => groups::increase_group_counter(ctx, r).await,
        Op::DecreaseGroupCounter => groups::decrease_group_counter(ctx, r).await,
        Op::GetGroupCounters => groups::get_group_counters(ctx, r).await,
        Op::GetGroupOnlineMemberCount => groups::get_group_online_member_count(ctx, r).await,
        Op::SetSelfStatus => status::set_self_status(ctx, r).await,
        Op::GetUserStatus => status::get_user_status(ctx, r).await,
        Op::SubscribeUserStatus => status::subscribe_user_status(ctx, r).await,
        Op::UnsubscribeUserStatus => status::unsubscribe_user_status(ctx, r).await,
        _ => fail(
            codes::INTERNAL_ERROR,
            format!("{} is not stateless", op.name()),
        ),
    }
}

/// The peer of a C2C conversation, as a valid userID (20003 otherwise); other kinds are not
/// supported yet (20001).
fn c2c_peer(id: &tim_proto::ConversationId) -> Result<&str, Failure> {
    let Some(peer) = id.c2c_peer() else {
        return fail(
            codes::INVALID_REQUEST,
            format!("unsupported conversationID {:?}", id.to_id_string()),
        );
    };
    if !crate::session::valid_user_id(peer) {
        return fail(codes::INVALID_USER_ID, format!("invalid userID {peer:?}"));
    }
    Ok(peer)
}
