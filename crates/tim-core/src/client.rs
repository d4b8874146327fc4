//! [`Core`], the client state machine. API calls, server frames, socket closes and timer ticks
//! go in as method calls with the current time; everything the client does comes out as queued
//! [`Effect`]s. One login lives in a [`Session`]; without one, `reason` is why the SDK is not
//! ready, which is what every API call needing SDK_READY rejects with.

use crate::conversation::SdkConversation;
use crate::error::*;
use crate::message::{MessageDraft, SdkMessage, STATUS_FAIL, STATUS_UNSEND};
use crate::output::*;
use crate::session::{in_order, ChangeResult, Kind, Link, News, Pending, Session};
use std::collections::VecDeque;
use tim_proto::codes::{
    INTERNAL_ERROR, MODIFY_CONFLICT, OVERLOAD, REPEAT_LOGIN, USERSIG_EXPIRED, USER_NOT_LOGGED_IN,
};
use tim_proto::{
    ClientFrame, Conversation, ConversationId, ConversationRef, ConversationType, ConversationsOk,
    DeleteMessages, Element, GetConversations, GetHistory, GetHistoryOk, Login, MarkConversations,
    Message, MessageBody, ModifyMessage, PinConversation, Request, Response, Resume, RevokeMessage,
    SendMessage, ServerFrame, SetCustomData, Sync, SyncOk, MAX_CONVERSATIONS_PAGE,
    PROTOCOL_VERSION,
};

/// The official `sendMessage` options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// Only for those online now: not stored, no history, no unread count.
    pub online_user_only: bool,
    /// messageControlInfo.excludedFromUnreadCount
    pub excluded_from_unread_count: bool,
    /// messageControlInfo.excludedFromLastMessage
    pub excluded_from_last_message: bool,
}

/// A `C2C<userID>` conversationID, or the official 2503.
fn c2c(id: &str) -> Result<ConversationId, ApiError> {
    ConversationId::parse(id)
        .filter(|c| c.c2c_peer().is_some())
        .ok_or_else(|| ApiError::sdk(INVALID_CONVERSATION_ID))
}

/// A page size as the official takes it: 0 is "not given", the default, which is also the
/// maximum.
fn page_size(count: u32) -> u32 {
    if count == 0 {
        MESSAGE_LIST_COUNT
    } else {
        count.min(MESSAGE_LIST_COUNT)
    }
}

/// The official getMessageList page size, also its maximum.
pub const MESSAGE_LIST_COUNT: u32 = 15;

/// Tunables; the defaults are the official SDK's where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// From `login` to the server's answer (the official login request timeout is 90 s).
    pub login_timeout_ms: u64,
    /// For every other request (an app's request waits out reconnections within it), and for
    /// a reconnection attempt to get its hello.
    pub request_timeout_ms: u64,
    /// The longest a live connection goes without sending: heartbeats fill the silence (the
    /// server's hello may ask for less).
    pub heartbeat_ms: u64,
    /// A connection that received nothing for this long is dead: drop it and reconnect.
    pub dead_after_ms: u64,
    /// The cap of the reconnection backoff (exponential from 1 s, full jitter).
    pub reconnect_max_ms: u64,
    /// Inbox items per sync page.
    pub sync_limit: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            login_timeout_ms: 90_000,
            request_timeout_ms: 15_000,
            heartbeat_ms: 5_000,
            dead_after_ms: 12_000,
            reconnect_max_ms: 30_000,
            sync_limit: 100,
        }
    }
}

pub struct Core {
    sdk_app_id: u64,
    config: Config,
    rng: u64,
    /// Random per instance, so clientMsgIDs of different instances of a user never collide.
    id_prefix: String,
    /// Op ids, frame ids and client sequences, all from one increasing counter.
    next_id: u64,
    reason: u32,
    session: Option<Session>,
    effects: VecDeque<Effect>,
}

impl Core {
    /// `seed` must be random (e.g. from `crypto.getRandomValues`): it makes this instance's
    /// clientMsgIDs and message randoms.
    pub fn new(sdk_app_id: u64, seed: u64) -> Self {
        Self::with_config(sdk_app_id, seed, Config::default())
    }

    pub fn with_config(sdk_app_id: u64, seed: u64, config: Config) -> Self {
        let mut core = Core {
            sdk_app_id,
            config,
            rng: seed,
            id_prefix: String::new(),
            next_id: 1,
            reason: USER_NOT_LOGGED_IN,
            session: None,
            effects: VecDeque::new(),
        };
        let mut bits = core.random();
        for _ in 0..16 {
            core.id_prefix
                .push(char::from(b"0123456789abcdef"[(bits & 15) as usize]));
            bits >>= 4;
        }
        core
    }

    /// The next thing for the driver to do.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        self.effects.pop_front()
    }

    /// When `tick` must next be called, if ever.
    pub fn next_wakeup(&self) -> Option<u64> {
        let s = self.session.as_ref()?;
        let (link, beat) = match s.link {
            Link::Down { retry_at } => (Some(retry_at).filter(|_| !s.offline), None),
            Link::Opening { deadline } => (Some(deadline), None),
            // A login or resume in flight has its own deadline.
            Link::Authing => (None, None),
            Link::Syncing | Link::Up => (
                Some(s.last_rx + self.config.dead_after_ms),
                Some(s.next_heartbeat).filter(|_| s.heartbeat_ms > 0),
            ),
        };
        s.pending
            .values()
            .chain(&s.queued)
            .map(|p| p.deadline)
            .chain(link)
            .chain(beat)
            .min()
    }

    /// The environment's word on the network (the browser's `online`/`offline`): offline, the
    /// connection is dropped and the app told `disconnected`; back online, reconnect at once.
    pub fn set_online(&mut self, now_ms: u64, online: bool) {
        let Some(s) = self.session.as_mut().filter(|s| s.ready) else {
            return;
        };
        s.offline = !online;
        if !online {
            if s.link.has_socket() {
                self.lose_link(now_ms, NETWORK_ERROR, true);
            }
            self.set_net(NET_STATE_DISCONNECTED);
        } else if let Link::Down { .. } = s.link {
            s.link = Link::Down { retry_at: now_ms };
            s.retries = 0;
            self.set_net(NET_STATE_CONNECTING);
        }
    }

    /// A hint that now is a good time to reconnect (e.g. the page became visible).
    pub fn wake(&mut self, now_ms: u64) {
        if let Some(s) = self.session.as_mut().filter(|s| !s.offline) {
            if let Link::Down { retry_at } = &mut s.link {
                *retry_at = (*retry_at).min(now_ms);
            }
        }
    }

    /// Whether APIs that need a ready SDK may run now; the error is the official not-ready
    /// reason (2024 before login, 3000 while logging in, …).
    pub fn check_ready(&self) -> Result<(), ApiError> {
        self.ready_session().map(|_| ())
    }

    /// The inbox sequence handled last. An app that stores it and passes it to the next `login`
    /// gets the messages it missed in between as MESSAGE_RECEIVED.
    pub fn inbox_cursor(&self) -> Option<u64> {
        self.session.as_ref()?.cursor
    }

    /// Logs in, resolving when the server accepts; SDK_READY follows once the inbox is synced.
    /// `resume_after` is an [`inbox_cursor`](Self::inbox_cursor) of an earlier session.
    pub fn login(
        &mut self,
        now_ms: u64,
        user_id: &str,
        user_sig: &str,
        resume_after: Option<u64>,
    ) -> Result<OpId, ApiError> {
        if self.session.as_ref().is_some_and(|s| s.login_op.is_some()) {
            return Err(ApiError::sdk(REPEAT_LOGIN));
        }
        let op = self.id();
        if let Some(s) = &self.session {
            let mut info = String::from("already logged in as ");
            info.push_str(&s.user_id);
            info.push_str("; call logout before logging in again");
            let result = OpOk::Login(LoginOk {
                repeat_login: true,
                error_info: Some(info),
            });
            self.complete(op, Ok(result));
            return Ok(op);
        }
        let deadline = now_ms + self.config.login_timeout_ms;
        self.session = Some(Session::new(user_id, user_sig, resume_after, op, deadline));
        self.effects.push_back(Effect::Connect);
        Ok(op)
    }

    /// Logs out at once: the server is told if it can be, but not waited for.
    pub fn logout(&mut self) -> Result<OpId, ApiError> {
        let Some(s) = &self.session else {
            return Err(ApiError::sdk(USER_NOT_LOGGED_IN));
        };
        if matches!(s.link, Link::Authing | Link::Syncing | Link::Up) {
            let id = self.id();
            self.effects.push_back(Effect::Send(ClientFrame {
                id,
                request: Request::Logout,
            }));
        }
        self.end_session(LOGGED_OUT);
        let op = self.id();
        self.complete(op, Ok(OpOk::Empty {}));
        Ok(op)
    }

    /// `createXxxMessage`: a message ready for [`send_message`](Self::send_message).
    pub fn create_message(
        &mut self,
        now_ms: u64,
        draft: MessageDraft,
    ) -> Result<SdkMessage, ApiError> {
        let me = self.ready_session()?.user_id.clone();
        if draft.conversation_type != ConversationType::C2C {
            return Err(ApiError::sdk(MESSAGE_SEND_INVALID_CONVERSATION_TYPE));
        }
        let client_sequence = self.id();
        let random = self.random() as u32;
        let mut client_msg_id = self.id_prefix.clone();
        client_msg_id.push('-');
        client_msg_id.push_str(&client_sequence.to_string());
        Ok(SdkMessage::outgoing(
            client_msg_id,
            &me,
            draft,
            random,
            client_sequence,
            now_ms / 1000,
        ))
    }

    /// Sends a created message, or resends one that failed (the server stores it once).
    pub fn send_message(&mut self, now_ms: u64, message: SdkMessage) -> Result<OpId, ApiError> {
        self.send_message_with(now_ms, message, SendOptions::default())
    }

    /// `sendMessage(message, options)` with the official options.
    pub fn send_message_with(
        &mut self,
        now_ms: u64,
        mut message: SdkMessage,
        options: SendOptions,
    ) -> Result<OpId, ApiError> {
        let s = self.ready_session_mut()?;
        // An online-only message is not echoed to this session (it is not in the inbox).
        if !options.online_user_only {
            s.own_sends.insert(message.id.clone(), ());
        }
        message.is_resend = message.status == STATUS_FAIL;
        message.status = STATUS_UNSEND;
        let request = Request::SendMessage(SendMessage {
            conversation_type: ConversationType::C2C,
            to: message.to.clone(),
            client_msg_id: message.id.clone(),
            random: message.random,
            body: MessageBody {
                elements: vec![message.payload.clone()],
                cloud_custom_data: message.cloud_custom_data.clone(),
                need_read_receipt: message.need_read_receipt,
                excluded_from_unread: options.excluded_from_unread_count,
                excluded_from_last_message: options.excluded_from_last_message,
                at_user_list: message.at_user_list.clone(),
            },
            online_only: options.online_user_only,
        });
        let op = self.id();
        let message = Box::new(message);
        self.start(now_ms, request, Kind::Send { op, message });
        Ok(op)
    }

    /// A page of a C2C conversation's history, newest page first; `count` is at most 15, and 0
    /// asks for the default.
    pub fn get_message_list(
        &mut self,
        now_ms: u64,
        conversation_id: &str,
        next_req_message_id: Option<&str>,
        count: u32,
    ) -> Result<OpId, ApiError> {
        let s = self.ready_session()?;
        let id = c2c(conversation_id)?;
        let before_seq = match next_req_message_id.filter(|id| !id.is_empty()) {
            None => None,
            Some(id) => Some(
                s.recent
                    .get(id)
                    .filter(|m| m.conversation_id == conversation_id)
                    .map(|m| m.sequence)
                    .ok_or_else(|| ApiError::sdk(INVALID_OPERATION))?,
            ),
        };
        let request = Request::GetHistory(GetHistory {
            conversation_id: id,
            before_seq,
            after_seq: None,
            before_time: None,
            after_time: None,
            count: page_size(count),
        });
        let op = self.id();
        self.start(now_ms, request, Kind::History { op });
        Ok(op)
    }

    /// `getMessageListHopping({conversationID, sequence, time, count, direction})`: the page
    /// next to a message's `sequence` (or a `time`), older (`direction` 0) or newer (1).
    pub fn get_message_list_hopping(
        &mut self,
        now_ms: u64,
        conversation_id: &str,
        sequence: Option<u64>,
        time: Option<u64>,
        newer: bool,
        count: u32,
    ) -> Result<OpId, ApiError> {
        self.ready_session()?;
        let id = c2c(conversation_id)?;
        // The message itself is part of the page: bounds are exclusive on the wire.
        let (before_seq, after_seq, before_time, after_time) = match (sequence, time, newer) {
            (Some(s), _, false) => (Some(s.saturating_add(1)), None, None, None),
            (Some(s), _, true) => (None, Some(s.saturating_sub(1)), None, None),
            (None, Some(t), false) => (None, None, Some(t.saturating_add(1)), None),
            (None, Some(t), true) => (None, None, None, Some(t.saturating_sub(1))),
            (None, None, _) => (None, None, None, None),
        };
        let request = Request::GetHistory(GetHistory {
            conversation_id: id,
            before_seq,
            after_seq,
            before_time,
            after_time,
            count: page_size(count),
        });
        let op = self.id();
        self.start(now_ms, request, Kind::History { op });
        Ok(op)
    }

    /// `getConversationList`: every conversation, or those of `ids` (known ones only).
    pub fn get_conversation_list(&mut self, ids: Option<Vec<String>>) -> Result<OpId, ApiError> {
        let s = self.ready_session()?;
        let mut list = s.conversations.list();
        if let Some(ids) = ids {
            list.retain(|c| ids.contains(&c.conversation_id));
        }
        let result = OpOk::ConversationList(ConversationList {
            conversation_list: list,
            is_sync_completed: true,
        });
        let op = self.id();
        self.complete(op, Ok(result));
        Ok(op)
    }

    /// `getConversationProfile`: a known conversation, or an empty one with a C2C peer.
    pub fn get_conversation_profile(&mut self, id: &str) -> Result<OpId, ApiError> {
        let s = self.ready_session()?;
        let id = c2c(id)?;
        let conversation = match s.conversations.get(&id) {
            Some(c) => SdkConversation::of(c),
            None => SdkConversation::of(&Conversation::empty(id)),
        };
        let op = self.id();
        let conversation = Box::new(conversation);
        self.complete(op, Ok(OpOk::ConversationProfile { conversation }));
        Ok(op)
    }

    /// `sendMessageReadReceipt(messageList)` for messages of one C2C conversation: the
    /// conversation is read, and the peer learns it (MESSAGE_READ_RECEIPT_RECEIVED for the
    /// messages that asked for a receipt, MESSAGE_READ_BY_PEER for all).
    pub fn send_read_receipt(
        &mut self,
        now_ms: u64,
        conversation_ids: Vec<String>,
    ) -> Result<OpId, ApiError> {
        let Some(first) = conversation_ids.first().cloned() else {
            return Err(ApiError::sdk(READ_RECEIPT_MESSAGE_LIST_EMPTY));
        };
        if conversation_ids.iter().any(|c| *c != first) {
            return Err(ApiError::sdk(INVALID_OPERATION));
        }
        self.set_message_read(now_ms, &first)
    }

    /// How far the peer of a C2C conversation has read (its `peerReadSeq`), for
    /// `getMessageReadReceiptList`.
    pub fn peer_read_seq(&self, conversation_id: &str) -> Result<u64, ApiError> {
        let s = self.ready_session()?;
        let id = ConversationId::parse(conversation_id);
        Ok(id
            .and_then(|id| s.conversations.get(&id))
            .map_or(0, |c| c.peer_read_seq))
    }

    /// `findMessage(messageID)`: a message this instance has seen lately (sent, received or
    /// loaded), as it is now; `None` when unknown or not ready.
    pub fn find_message(&self, id: &str) -> Option<SdkMessage> {
        self.ready_session().ok()?.recent.get(id).cloned()
    }

    /// `getTotalUnreadMessageCount`.
    pub fn total_unread_count(&self) -> Result<u32, ApiError> {
        Ok(self.ready_session()?.conversations.total_unread())
    }

    /// `setMessageRead({conversationID})`.
    pub fn set_message_read(&mut self, now_ms: u64, id: &str) -> Result<OpId, ApiError> {
        let request = Request::SetRead(ConversationRef {
            conversation_id: self.known(id)?,
        });
        self.change(now_ms, request, ChangeResult::Empty)
    }

    /// `setAllMessageRead({scope})`: every C2C conversation read (there are no group ones yet).
    pub fn set_all_message_read(&mut self, now_ms: u64) -> Result<OpId, ApiError> {
        self.change(now_ms, Request::SetAllRead, ChangeResult::Empty)
    }

    /// `deleteConversation`: by one ID (2.x: resolves `{conversationID}`) or a list (3.x:
    /// `{conversationIDList}`); one request per conversation, in order.
    pub fn delete_conversation(
        &mut self,
        now_ms: u64,
        ids: Vec<String>,
        as_list: bool,
    ) -> Result<OpId, ApiError> {
        let [id] =
            <[String; 1]>::try_from(ids.clone()).map_err(|_| ApiError::sdk(INVALID_OPERATION))?;
        let request = Request::DeleteConversation(ConversationRef {
            conversation_id: self.known(&id)?,
        });
        let result = if as_list {
            ChangeResult::ConversationIDList(ids)
        } else {
            ChangeResult::ConversationID(id)
        };
        self.change(now_ms, request, result)
    }

    /// `deleteMessage(messageList)`: gone from this user's history (the peer keeps them).
    pub fn delete_messages(&mut self, now_ms: u64, ids: Vec<String>) -> Result<OpId, ApiError> {
        if ids.is_empty() {
            return Err(ApiError::sdk(MESSAGE_DELETE_FAIL));
        }
        let request = Request::DeleteMessages(DeleteMessages { message_ids: ids });
        self.change(now_ms, request, ChangeResult::Empty)
    }

    /// `clearHistoryMessage(conversationID)`.
    pub fn clear_history(&mut self, now_ms: u64, id: &str) -> Result<OpId, ApiError> {
        let request = Request::ClearHistory(ConversationRef {
            conversation_id: self.known(id)?,
        });
        self.change(now_ms, request, ChangeResult::Empty)
    }

    /// `pinConversation({conversationID, isPinned})`.
    pub fn pin_conversation(
        &mut self,
        now_ms: u64,
        id: &str,
        pinned: bool,
    ) -> Result<OpId, ApiError> {
        let conversation_id = self.known(id)?;
        let result = ChangeResult::ConversationID(id.to_owned());
        let request = Request::PinConversation(PinConversation {
            conversation_id,
            is_pinned: pinned,
        });
        self.change(now_ms, request, result)
    }

    /// `markConversation({conversationIDList, markType, enableMark})`.
    pub fn mark_conversations(
        &mut self,
        now_ms: u64,
        ids: Vec<String>,
        mark_type: u32,
        enable_mark: bool,
    ) -> Result<OpId, ApiError> {
        let known = self.all_known(&ids)?;
        let result = ChangeResult::SuccessList(ids);
        let request = Request::MarkConversations(MarkConversations {
            conversation_ids: known,
            mark_type,
            enable_mark,
        });
        self.change(now_ms, request, result)
    }

    /// `setConversationCustomData({conversationIDList, customData})`.
    pub fn set_conversation_custom_data(
        &mut self,
        now_ms: u64,
        ids: Vec<String>,
        custom_data: String,
    ) -> Result<OpId, ApiError> {
        let known = self.all_known(&ids)?;
        let result = ChangeResult::SuccessList(ids);
        let request = Request::SetCustomData(SetCustomData {
            conversation_ids: known,
            custom_data,
        });
        self.change(now_ms, request, result)
    }

    /// `revokeMessage(message)`: resolves `{message}` with `isRevoked`; the other sessions and
    /// the peer get MESSAGE_REVOKED.
    pub fn revoke_message(&mut self, now_ms: u64, message_id: &str) -> Result<OpId, ApiError> {
        let s = self.ready_session_mut()?;
        s.own_revokes.insert(message_id.to_owned(), ());
        let request = Request::RevokeMessage(RevokeMessage {
            message_id: message_id.to_owned(),
        });
        let op = self.id();
        let id = message_id.to_owned();
        self.start(now_ms, request, Kind::Revoke { op, id });
        Ok(op)
    }

    /// `modifyMessage(message)`: new content (same type) and cloudCustomData for a message this
    /// instance has seen; fails with 2480 if it changed since. MESSAGE_MODIFIED reaches the
    /// other sessions and the peer.
    pub fn modify_message(
        &mut self,
        now_ms: u64,
        message_id: &str,
        payload: Element,
        cloud_custom_data: String,
    ) -> Result<OpId, ApiError> {
        let s = self.ready_session_mut()?;
        let version = s.recent.get(message_id).map_or(0, |m| m.version);
        s.own_modifies.insert(message_id.to_owned(), ());
        let request = Request::ModifyMessage(ModifyMessage {
            message_id: message_id.to_owned(),
            elements: vec![payload],
            cloud_custom_data,
            version,
        });
        let op = self.id();
        let id = message_id.to_owned();
        self.start(now_ms, request, Kind::Modify { op, id });
        Ok(op)
    }

    /// A conversation of this user's list, or the official 2500.
    fn known(&self, id: &str) -> Result<ConversationId, ApiError> {
        let s = self.ready_session()?;
        let id = c2c(id)?;
        match s.conversations.get(&id) {
            Some(_) => Ok(id),
            None => Err(ApiError::sdk(CONVERSATION_NOT_FOUND)),
        }
    }

    /// Every one of `ids` a conversation of this user's list, or the first failure.
    fn all_known(&self, ids: &[String]) -> Result<Vec<ConversationId>, ApiError> {
        ids.iter().map(|id| self.known(id)).collect()
    }

    fn change(
        &mut self,
        now_ms: u64,
        request: Request,
        result: ChangeResult,
    ) -> Result<OpId, ApiError> {
        self.ready_session()?;
        let op = self.id();
        self.start(now_ms, request, Kind::ConversationChange { op, result });
        Ok(op)
    }

    /// A frame from the socket of the last `Connect`.
    pub fn on_frame(&mut self, now_ms: u64, frame: ServerFrame) {
        let Some(s) = self.session.as_mut().filter(|s| s.link.has_socket()) else {
            return;
        };
        s.last_rx = now_ms;
        if s.heartbeat_ms > 0 {
            s.next_heartbeat = now_ms + s.heartbeat_ms;
        }
        match frame {
            ServerFrame::Hello(hello) => {
                let Link::Opening { deadline } = s.link else {
                    return;
                };
                s.heartbeat_ms = hello.heartbeat_ms.min(self.config.heartbeat_ms);
                s.link = Link::Authing;
                if s.login_op.is_some() {
                    self.send_login(deadline);
                } else if let Some(token) = s.resume_token.clone() {
                    let deadline = now_ms + self.config.request_timeout_ms;
                    self.request(deadline, Request::Resume(Resume { token }), Kind::Resume);
                } else {
                    self.send_login(now_ms + self.config.request_timeout_ms);
                }
            }
            ServerFrame::Ok(ok) => {
                if let Some(p) = s.pending.remove(&ok.id) {
                    self.answer(now_ms, p.kind, Ok(ok.response));
                }
            }
            ServerFrame::Err(err) => {
                if let Some(p) = err.id.and_then(|id| s.pending.remove(&id)) {
                    self.answer(now_ms, p.kind, Err(ApiError::new(err.code, err.message)));
                }
            }
            ServerFrame::Inbox(item) => {
                // Until the conversation list is loaded, pushes wait in the inbox: the sync
                // that follows the list fetches them, so none is applied twice or missed.
                if !s.convs_loaded {
                    return;
                }
                let Some(cursor) = s.cursor else { return };
                if item.seq <= cursor {
                    return;
                }
                if item.seq > cursor + 1 {
                    // A push went missing; the inbox has it, since pushes follow commits.
                    if s.sync_pending {
                        s.resync = true;
                    } else {
                        self.sync(now_ms);
                    }
                    return;
                }
                let mut news = News::default();
                s.accept(item, &mut news);
                self.deliver(news);
            }
            ServerFrame::Kicked(kicked) => self.kicked(kicked.reason),
            ServerFrame::Online(online) => {
                let message = s.view(online.message);
                self.emit(Event::MessageReceived(vec![message]));
            }
        }
    }

    /// The socket of the last `Connect` closed or failed to open.
    pub fn on_close(&mut self, now_ms: u64) {
        if self.session.as_ref().is_some_and(|s| s.link.has_socket()) {
            self.lose_link(now_ms, NETWORK_ERROR, false);
        }
    }

    /// Time passed: reconnect, expire requests, send heartbeats.
    pub fn tick(&mut self, now_ms: u64) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        match s.link {
            Link::Down { retry_at } if now_ms >= retry_at && !s.offline => {
                s.link = Link::Opening {
                    deadline: now_ms + self.config.request_timeout_ms,
                };
                self.effects.push_back(Effect::Connect);
            }
            Link::Opening { deadline } if now_ms >= deadline => {
                self.lose_link(now_ms, NETWORK_TIMEOUT, true)
            }
            // Nothing came for too long, not even heartbeat answers: the socket is dead even
            // if it never closed.
            Link::Syncing | Link::Up if now_ms >= s.last_rx + self.config.dead_after_ms => {
                self.lose_link(now_ms, NETWORK_TIMEOUT, true)
            }
            _ => {}
        }
        if let Some(s) = self.session.as_mut() {
            let (late, waiting): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut s.queued)
                .into_iter()
                .partition(|p| p.deadline <= now_ms);
            s.queued = waiting;
            for p in late {
                self.fail(p.kind, ApiError::sdk(NETWORK_TIMEOUT));
            }
        }
        while let Some(s) = self.session.as_mut() {
            let Some(id) = s
                .pending
                .iter()
                .filter(|(_, p)| p.deadline <= now_ms)
                .map(|(id, _)| *id)
                .min()
            else {
                break;
            };
            if let Some(p) = s.pending.remove(&id) {
                self.expire(now_ms, p.kind);
            }
        }
        if let Some(s) = self.session.as_mut() {
            if s.link.logged_in() && s.heartbeat_ms > 0 && now_ms >= s.next_heartbeat {
                s.next_heartbeat = now_ms + s.heartbeat_ms;
                // Its answer only matters as traffic: silence is caught by `dead_after_ms`.
                self.request(u64::MAX, Request::Heartbeat, Kind::Heartbeat);
            }
        }
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// splitmix64: small, and good enough for IDs and message randoms.
    fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn emit(&mut self, event: Event) {
        self.effects.push_back(Effect::Emit(event));
    }

    fn complete(&mut self, op: OpId, result: Result<OpOk, ApiError>) {
        self.effects.push_back(Effect::Complete(op, result));
    }

    /// Why the SDK is not ready, while it is not.
    fn not_ready(&self) -> u32 {
        match &self.session {
            Some(_) => LOGGING_IN,
            None => self.reason,
        }
    }

    fn ready_session(&self) -> Result<&Session, ApiError> {
        match &self.session {
            Some(s) if s.ready => Ok(s),
            _ => Err(ApiError::sdk(self.not_ready())),
        }
    }

    fn ready_session_mut(&mut self) -> Result<&mut Session, ApiError> {
        let reason = self.not_ready();
        let session = self.session.as_mut().filter(|s| s.ready);
        session.ok_or_else(|| ApiError::sdk(reason))
    }

    /// Tells the app the connection state, once per change, from SDK_READY on.
    fn set_net(&mut self, state: &'static str) {
        if let Some(s) = self.session.as_mut().filter(|s| s.ready) {
            if s.net_state != state {
                s.net_state = state;
                self.emit(Event::NetStateChange { state });
            }
        }
    }

    fn send_login(&mut self, deadline: u64) {
        let Some(s) = self.session.as_ref() else {
            return;
        };
        let request = Request::Login(Login {
            protocol: PROTOCOL_VERSION,
            sdk_app_id: self.sdk_app_id,
            user_id: s.user_id.clone(),
            user_sig: s.user_sig.clone(),
        });
        self.request(deadline, request, Kind::Login);
    }

    fn request(&mut self, deadline: u64, request: Request, kind: Kind) {
        let id = self.id();
        if let Some(s) = self.session.as_mut() {
            self.effects.push_back(Effect::Send(ClientFrame {
                id,
                request: request.clone(),
            }));
            s.pending.insert(
                id,
                Pending {
                    deadline,
                    request,
                    kind,
                },
            );
        }
    }

    /// Sends an app's request, or queues it until the connection is back.
    fn start(&mut self, now_ms: u64, request: Request, kind: Kind) {
        let deadline = now_ms + self.config.request_timeout_ms;
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.link.logged_in() {
            self.request(deadline, request, kind);
        } else {
            s.queued.push(Pending {
                deadline,
                request,
                kind,
            });
        }
    }

    /// Settles an app's request with an error.
    fn fail(&mut self, kind: Kind, err: ApiError) {
        match kind {
            Kind::Send { op, mut message } => {
                message.status = STATUS_FAIL;
                let data = ErrorData {
                    message: Some(message),
                };
                self.complete(op, Err(ApiError { data, ..err }));
            }
            Kind::Revoke { op, id } => {
                // Refused: no echo will come, and a later revoke by someone else is news.
                if let Some(s) = self.session.as_mut() {
                    s.own_revokes.remove(&id);
                }
                self.complete(op, Err(err))
            }
            Kind::Modify { op, id } => {
                // As the official: a conflict reports the message as it is now.
                let mut err = err;
                if let Some(s) = self.session.as_mut() {
                    s.own_modifies.remove(&id);
                    if err.code == MODIFY_CONFLICT {
                        err.data.message = s.recent.get(&id).cloned().map(Box::new);
                    }
                }
                self.complete(op, Err(err))
            }
            Kind::History { op } | Kind::ConversationChange { op, .. } => {
                self.complete(op, Err(err))
            }
            Kind::Login | Kind::Resume | Kind::Heartbeat | Kind::Sync | Kind::Conversations => {}
        }
    }

    fn sync(&mut self, now_ms: u64) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let Some(after) = s.cursor else { return };
        s.sync_pending = true;
        let request = Request::Sync(Sync {
            after,
            limit: self.config.sync_limit,
        });
        self.request(now_ms + self.config.request_timeout_ms, request, Kind::Sync);
    }

    fn answer(&mut self, now_ms: u64, kind: Kind, result: Result<Response, ApiError>) {
        if let Err(err) = &result {
            let live = self.session.as_ref().is_some_and(|s| s.login_op.is_none());
            if live && matches!(err.code, USERSIG_EXPIRED | MESSAGE_A2KEY_EXPIRED) {
                self.fail(kind, err.clone());
                return self.kicked("userSigExpired".into());
            }
        }
        match (kind, result) {
            (Kind::Login, Ok(Response::Login(ok))) => {
                if let Some(s) = self.session.as_mut() {
                    s.resume_token = Some(ok.resume_token);
                }
                self.logged_in(now_ms, ok.inbox_seq)
            }
            (Kind::Login, Err(err)) => self.login_refused(now_ms, err),
            (Kind::Resume, Ok(Response::Resume(ok))) => self.logged_in(now_ms, ok.inbox_seq),
            // The server no longer has the session: log in with the kept sig instead.
            (Kind::Resume, Err(_)) => {
                if let Some(s) = self.session.as_mut() {
                    s.resume_token = None;
                }
                self.send_login(now_ms + self.config.request_timeout_ms)
            }
            (Kind::Sync, Ok(Response::Sync(page))) => self.synced(now_ms, page),
            (Kind::Login | Kind::Resume | Kind::Sync, _) => {
                self.lose_link(now_ms, NETWORK_ERROR, true)
            }
            (Kind::Heartbeat, _) => {}
            (Kind::Send { op, message }, Ok(Response::SendMessage(ok))) => {
                self.sent(op, message, ok.message)
            }
            (Kind::History { op }, Ok(Response::GetHistory(page))) => self.history(op, page),
            (Kind::Conversations, Ok(Response::GetConversations(page))) => {
                self.conversations_loaded(now_ms, page)
            }
            (Kind::Conversations, _) => self.lose_link(now_ms, NETWORK_ERROR, true),
            (
                Kind::ConversationChange { op, result },
                Ok(
                    Response::SetRead(page)
                    | Response::SetAllRead(page)
                    | Response::DeleteConversation(page)
                    | Response::DeleteMessages(page)
                    | Response::ClearHistory(page)
                    | Response::PinConversation(page)
                    | Response::MarkConversations(page)
                    | Response::SetCustomData(page),
                ),
            ) => self.conversations_answered(op, result, page),
            (Kind::Modify { op, .. }, Ok(Response::ModifyMessage(ok)))
            | (Kind::Revoke { op, .. }, Ok(Response::RevokeMessage(ok))) => {
                // The message as the server has it now: the app's promise and its list.
                let Some(s) = self.session.as_mut() else {
                    return;
                };
                s.conversations.changed(&s.user_id.clone(), &ok.message);
                let message = Box::new(s.view(ok.message));
                self.complete(op, Ok(OpOk::Send(SendOk { message })));
                self.conversations_changed();
            }
            (kind, Err(err)) => {
                // Refused, so no echo will come.
                if let (Kind::Send { message, .. }, Some(s)) = (&kind, self.session.as_mut()) {
                    s.own_sends.remove(&message.id);
                }
                self.fail(kind, err)
            }
            (kind, Ok(_)) => self.fail(kind, ApiError::sdk(NETWORK_ERROR)),
        }
    }

    fn logged_in(&mut self, now_ms: u64, inbox_seq: u64) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        s.link = Link::Syncing;
        s.retries = 0;
        s.next_heartbeat = now_ms + s.heartbeat_ms;
        // A fresh session starts at the inbox's end unless the app resumes an earlier one:
        // everything before is history, which getMessageList serves.
        let start = s.resume_after.map_or(inbox_seq, |r| r.min(inbox_seq));
        s.cursor.get_or_insert(start);
        let queued = std::mem::take(&mut s.queued);
        let loaded = s.convs_loaded;
        if let Some(op) = s.login_op.take() {
            let result = OpOk::Login(LoginOk {
                repeat_login: false,
                error_info: None,
            });
            self.complete(op, Ok(result));
        }
        if loaded {
            self.sync(now_ms);
        } else {
            self.load_conversations(now_ms, None);
        }
        // What the app asked for while the connection was down goes out now, in order; a send
        // keeps its clientMsgID, so one that was stored before the drop is not stored twice.
        for p in queued {
            self.request(p.deadline, p.request, p.kind);
        }
    }

    fn login_refused(&mut self, now_ms: u64, err: ApiError) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if let Some(op) = s.login_op.take() {
            self.complete(op, Err(err));
            return self.end_session(LOGIN_FAILED);
        }
        // A reconnection's login: only a passing server trouble is worth retrying.
        match err.code {
            OVERLOAD | INTERNAL_ERROR => self.lose_link(now_ms, NETWORK_ERROR, true),
            code => {
                self.emit(Event::Error {
                    code,
                    message: err.message,
                });
                self.end_session(LOGIN_FAILED);
            }
        }
    }

    fn synced(&mut self, now_ms: u64, page: SyncOk) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        s.sync_pending = false;
        let mut news = News::default();
        for item in page.items {
            // A sync page is the inbox itself: any item past the cursor is new, gap or not.
            if s.cursor.is_some_and(|c| item.seq > c) {
                s.accept(item, &mut news);
            }
        }
        let again = !page.complete || std::mem::take(&mut s.resync);
        self.deliver(news);
        if again {
            return self.sync(now_ms);
        }
        let Some(s) = self.session.as_mut().filter(|s| s.link == Link::Syncing) else {
            return;
        };
        s.link = Link::Up;
        let mut batch = std::mem::take(&mut s.batch);
        if s.ready {
            self.set_net(NET_STATE_CONNECTED);
        } else {
            s.ready = true;
            s.net_state = NET_STATE_CONNECTED;
            // The list as loaded is news at SDK_READY.
            batch.conversations_changed = true;
            self.emit(Event::SdkReady);
        }
        self.deliver(batch);
    }

    /// News from the inbox: held until caught up while syncing, fired at once otherwise.
    fn deliver(&mut self, mut news: News) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.link == Link::Syncing {
            return s.batch.append(&mut news);
        }
        if !news.received.is_empty() {
            self.emit(Event::MessageReceived(news.received));
        }
        if !news.revoked.is_empty() {
            self.emit(Event::MessageRevoked(news.revoked));
        }
        if !news.modified.is_empty() {
            self.emit(Event::MessageModified(news.modified));
        }
        if !news.read_by_peer.is_empty() {
            self.emit(Event::MessageReadByPeer(news.read_by_peer));
        }
        if !news.receipts.is_empty() {
            self.emit(Event::MessageReadReceiptReceived(news.receipts));
        }
        if news.conversations_changed {
            self.conversations_changed();
        }
    }

    /// Tell the app the list and, when it moved, the total unread count.
    fn conversations_changed(&mut self) {
        let Some(s) = self.session.as_mut().filter(|s| s.ready) else {
            return;
        };
        let list = s.conversations.list();
        let total = s.conversations.total_unread();
        let told = s.told_unread.replace(total);
        self.emit(Event::ConversationListUpdated(list));
        if told != Some(total) {
            self.emit(Event::TotalUnreadMessageCountUpdated(total));
        }
    }

    fn load_conversations(&mut self, now_ms: u64, after: Option<ConversationId>) {
        let request = Request::GetConversations(GetConversations {
            after,
            limit: MAX_CONVERSATIONS_PAGE,
        });
        let deadline = now_ms + self.config.request_timeout_ms;
        self.request(deadline, request, Kind::Conversations);
    }

    fn conversations_loaded(&mut self, now_ms: u64, page: ConversationsOk) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        // Items up to the first page's inbox sequence are in the list already.
        if s.conv_seq == 0 {
            s.conv_seq = page.inbox_seq;
        }
        let next = page.conversations.last().map(|c| c.id.clone());
        for c in page.conversations {
            s.conversations.load(c);
        }
        match next.filter(|_| !page.complete) {
            Some(after) => self.load_conversations(now_ms, Some(after)),
            None => {
                s.convs_loaded = true;
                self.sync(now_ms);
            }
        }
    }

    /// The server's answer to a conversation change: its state now, and the API's result.
    fn conversations_answered(&mut self, op: OpId, result: ChangeResult, page: ConversationsOk) {
        if let Some(s) = self.session.as_mut() {
            for c in page.conversations {
                s.conversations.replace(c);
            }
        }
        self.conversations_changed();
        let ok = match result {
            ChangeResult::Empty => OpOk::Empty {},
            ChangeResult::ConversationID(conversation_id) => {
                OpOk::ConversationID { conversation_id }
            }
            ChangeResult::ConversationIDList(conversation_id_list) => OpOk::ConversationIDList {
                conversation_id_list,
            },
            ChangeResult::SuccessList(success) => OpOk::SuccessList {
                success,
                failure: Vec::new(),
            },
        };
        self.complete(op, Ok(ok));
    }

    fn sent(&mut self, op: OpId, local: Box<SdkMessage>, stored: Message) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let mut message = s.view(stored);
        message.client_sequence = local.client_sequence;
        message.client_time = local.client_time;
        message.is_resend = local.is_resend;
        let message = Box::new(message);
        self.complete(op, Ok(OpOk::Send(SendOk { message })));
    }

    fn history(&mut self, op: OpId, page: GetHistoryOk) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let message_list: Vec<SdkMessage> = page.messages.into_iter().map(|m| s.view(m)).collect();
        let next_req_message_id = message_list
            .first()
            .map(|m| m.id.clone())
            .unwrap_or_default();
        let list = MessageList {
            message_list,
            next_req_message_id,
            is_completed: page.complete,
        };
        self.complete(op, Ok(OpOk::MessageList(list)));
    }

    fn expire(&mut self, now_ms: u64, kind: Kind) {
        match kind {
            Kind::Login | Kind::Resume | Kind::Heartbeat | Kind::Sync | Kind::Conversations => {
                self.lose_link(now_ms, NETWORK_TIMEOUT, true)
            }
            kind => self.fail(kind, ApiError::sdk(NETWORK_TIMEOUT)),
        }
    }

    /// The connection is gone (`close`: the core ends it). Fails what waited on it; a first
    /// login fails with `code`, a session that got past it reconnects with backoff.
    fn lose_link(&mut self, now_ms: u64, code: u32, close: bool) {
        // Exponential backoff from 1 s to the cap, with full jitter, so clients dropped together
        // do not come back together.
        let retries = self.session.as_ref().map_or(0, |s| s.retries);
        let ceiling = (1000u64 << retries.min(16)).min(self.config.reconnect_max_ms);
        let delay = self.random() % (ceiling + 1);
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let was_connected = s.link.logged_in() && !s.offline;
        s.link = Link::Down {
            retry_at: now_ms + delay,
        };
        s.retries = s.retries.saturating_add(1);
        s.sync_pending = false;
        s.resync = false;
        let pending = std::mem::take(&mut s.pending);
        let login_op = s.login_op.take();
        if close {
            self.effects.push_back(Effect::Close);
        }
        if let Some(op) = login_op {
            self.complete(op, Err(ApiError::sdk(code)));
            return self.end_session(LOGIN_FAILED);
        }
        // The app's requests wait for the next connection (until their deadlines); the
        // session's own (login, sync, heartbeat) are made afresh then.
        let mut requeued: Vec<Pending> = in_order(pending)
            .into_iter()
            .filter(|p| p.kind.is_app())
            .collect();
        if let Some(s) = self.session.as_mut() {
            requeued.append(&mut s.queued);
            s.queued = requeued;
        }
        self.set_net(if was_connected {
            NET_STATE_CONNECTING
        } else {
            NET_STATE_DISCONNECTED
        });
    }

    fn kicked(&mut self, type_: String) {
        let reason = match type_.as_str() {
            "multipleDevice" => KICKED_OUT_MULT_DEVICE,
            "userSigExpired" => KICKED_OUT_USERSIG_EXPIRED,
            "REST_API_Kick" => KICKED_OUT_REST_API,
            _ => KICKED_OUT_MULT_ACCOUNT,
        };
        self.emit(Event::KickedOut { type_ });
        self.end_session(reason);
    }

    /// Drops the session and all it knew; API calls now reject with `reason`.
    fn end_session(&mut self, reason: u32) {
        let Some(s) = self.session.take() else {
            return;
        };
        self.reason = reason;
        if let Some(op) = s.login_op {
            self.complete(op, Err(ApiError::sdk(reason)));
        }
        for p in in_order(s.pending).into_iter().chain(s.queued) {
            self.fail(p.kind, ApiError::sdk(reason));
        }
        if s.ready {
            self.emit(Event::SdkNotReady);
        }
        if s.link.has_socket() {
            self.effects.push_back(Effect::Close);
        }
    }
}
