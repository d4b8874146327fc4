//! The sans-IO client of tim-wasm: every rule of the SDK (login, sync, dedupe, heartbeats,
//! reconnection, kicks, the official object shapes) with no socket, clock, thread or JS. A thin
//! driver feeds [`Core`] API calls, server frames, socket closes and timer ticks, and carries out
//! the [`Effect`]s it queues, which makes every lifecycle rule a plain native unit test.
//!
//! [`Core`] is a facade: the [`engine`] runs the connection lifecycle and knows no domain; each
//! domain ([`messages`], [`conversations`], [`profiles`], [`relations`]) keeps its own state and APIs and never reaches into
//! another's. The facade routes what the engine reports to the domains ([`Account`]), and each
//! API call to its domain, one line each.

mod conversations;
mod engine;
pub mod error;
mod messages;
mod output;
mod profiles;
mod relations;
pub mod vecmap;

pub use conversations::list::{LastMessage, SdkConversation, UserProfile};
pub use engine::Config;
pub use error::{ApiError, ErrorData};
pub use messages::object::{
    MessageDraft, ReadReceiptInfo, SdkMessage, FLOW_IN, FLOW_OUT, RAW_JSON, STATUS_FAIL,
    STATUS_SUCCESS, STATUS_UNSEND,
};
pub use messages::{SendOptions, MESSAGE_LIST_COUNT};
pub use output::{
    ConversationList, Effect, Event, ListUpdate, LoginOk, MessageList, MessagePatch, OpId, OpOk,
    ReadReceipt, SendOk, NET_STATE_CONNECTED, NET_STATE_CONNECTING, NET_STATE_DISCONNECTED,
};

use conversations::Conversations;
use engine::{Answer, Domains, Engine};
use messages::Messages;
use profiles::Profiles;
use relations::Relations;
use tim_proto::{Element, InboxEvent, InboxItem, Json, Message, Op, Request, ServerFrame};

/// What a request waits for: a waiter of the domain that made it.
#[derive(Debug)]
pub(crate) enum Waiter {
    Messages(messages::Waiting),
    Conversations(conversations::Waiting),
    /// A relation list fetched for its event.
    Relations(tim_proto::relation::List),
    /// A stateless call: its answer's data resolves the op.
    Call(OpId),
}

/// The domains' state of one login, and how the engine's news reaches each of them.
#[derive(Debug, Default)]
struct Account {
    messages: Messages,
    conversations: Conversations,
    profiles: Profiles,
    relations: Relations,
}

impl Domains<Waiter> for Account {
    fn answer(&mut self, eng: &mut Engine<Waiter>, now_ms: u64, waiter: Waiter, result: Answer) {
        match waiter {
            Waiter::Messages(w) => {
                let learnt = self.messages.answer(eng, &self.conversations, w, result);
                if !learnt.is_empty() {
                    let me = eng.user().unwrap_or_default().to_owned();
                    self.conversations.learn(eng, &me, &learnt);
                }
            }
            Waiter::Conversations(w) => {
                if !self.conversations.answer(eng, now_ms, w, result) {
                    eng.broken(self, now_ms);
                }
            }
            Waiter::Relations(list) => self.relations.answer(eng, now_ms, list, result),
            Waiter::Call(op) => {
                let data = result.map(|r| OpOk::Json(r.json().cloned().unwrap_or_default()));
                eng.complete(op, data);
            }
        }
    }

    fn item(&mut self, eng: &mut Engine<Waiter>, item: InboxItem) {
        match item.event {
            InboxEvent::Profile { profile } => return self.profiles.item(profile),
            InboxEvent::Changed { list } => return self.relations.changed(list),
            _ => {}
        }
        let me = eng.user().unwrap_or_default();
        // The list first: how a message shows (peer read or not) depends on it. A notice is
        // in none of its conversations.
        if !matches!(item.event, InboxEvent::Notice { .. }) {
            self.conversations.item(me, &item);
        }
        self.messages.item(me, &self.conversations, item);
    }

    fn group(&mut self, eng: &mut Engine<Waiter>, message: Message) {
        let me = eng.user().unwrap_or_default();
        self.conversations.group_message(me, &message);
        let event = InboxEvent::Message { message };
        self.messages
            .item(me, &self.conversations, InboxItem { seq: 0, event });
    }

    fn online(&mut self, eng: &mut Engine<Waiter>, message: Message) {
        let me = eng.user().unwrap_or_default().to_owned();
        self.messages.online(eng, &me, &self.conversations, message);
    }

    fn status(&mut self, eng: &mut Engine<Waiter>, list: Json) {
        eng.emit(Event::UserStatusUpdated(list));
    }

    fn group_event(&mut self, eng: &mut Engine<Waiter>, event: tim_proto::group::GroupEvent) {
        match event.event.as_str() {
            tim_proto::group::EVENT_ATTRIBUTES => {
                eng.emit(Event::GroupAttributesUpdated(event.data))
            }
            tim_proto::group::EVENT_COUNTER => eng.emit(Event::GroupCounterUpdated(event.data)),
            _ => {}
        }
    }

    fn load(&mut self, eng: &mut Engine<Waiter>, now_ms: u64) {
        self.conversations.load(eng, now_ms);
        self.relations.load();
    }

    fn flush(&mut self, eng: &mut Engine<Waiter>, first: bool) {
        self.messages.flush(eng);
        self.conversations.flush(eng, first);
        self.profiles.flush(eng);
    }

    fn clear(&mut self) {
        *self = Account::default();
    }
}

pub struct Core {
    engine: Engine<Waiter>,
    account: Account,
}

impl Core {
    /// `seed` must be random (e.g. from `crypto.getRandomValues`): it makes this instance's
    /// clientMsgIDs and message randoms.
    pub fn new(sdk_app_id: u64, seed: u64) -> Self {
        Self::with_config(sdk_app_id, seed, Config::default())
    }

    pub fn with_config(sdk_app_id: u64, seed: u64, config: Config) -> Self {
        Core {
            engine: Engine::new(sdk_app_id, seed, config),
            account: Account::default(),
        }
    }

    // The driver's side.

    /// The next thing for the driver to do.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        self.engine.poll_effect()
    }

    /// When `tick` must next be called, if ever.
    pub fn next_wakeup(&self) -> Option<u64> {
        let lists = self.account.relations.next_wakeup(&self.engine);
        self.engine.next_wakeup().into_iter().chain(lists).min()
    }

    /// A frame from the socket of the last `Connect`.
    pub fn on_frame(&mut self, now_ms: u64, frame: ServerFrame) {
        self.engine.on_frame(&mut self.account, now_ms, frame);
        self.account.relations.run(&mut self.engine, now_ms);
    }

    /// The socket of the last `Connect` closed or failed to open.
    pub fn on_close(&mut self, now_ms: u64) {
        self.engine.on_close(&mut self.account, now_ms)
    }

    /// Time passed: reconnect, expire requests, send heartbeats.
    pub fn tick(&mut self, now_ms: u64) {
        self.engine.tick(&mut self.account, now_ms);
        self.account.relations.run(&mut self.engine, now_ms);
    }

    /// The environment's word on the network (the browser's `online`/`offline`).
    pub fn set_online(&mut self, now_ms: u64, online: bool) {
        self.engine.set_online(&mut self.account, now_ms, online)
    }

    /// A hint that now is a good time to reconnect (e.g. the page became visible).
    pub fn wake(&mut self, now_ms: u64) {
        self.engine.wake(now_ms)
    }

    // The session.

    /// Whether APIs that need a ready SDK may run now; the error is the official not-ready
    /// reason (2024 before login, 3000 while logging in, …).
    pub fn check_ready(&self) -> Result<(), ApiError> {
        self.engine.ready_user().map(|_| ())
    }

    /// For an API refused with 3000 after `login` resolved: an op that completes (`OpOk::Empty`)
    /// right after SDK_READY, when the call can be made again; with 3000 if the SDK is not
    /// ready by the request deadline, or with the reason the session ended. `None` when
    /// waiting would not help (before the login's answer the official rejection stands).
    pub fn await_ready(&mut self, now_ms: u64) -> Option<OpId> {
        self.engine.await_ready(now_ms)
    }

    /// The inbox sequence handled last. An app that stores it and passes it to the next `login`
    /// gets the messages it missed in between as MESSAGE_RECEIVED.
    pub fn inbox_cursor(&self) -> Option<u64> {
        self.engine.inbox_cursor()
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
        self.engine.login(now_ms, user_id, user_sig, resume_after)
    }

    /// Logs out at once: the server is told if it can be, but not waited for.
    pub fn logout(&mut self) -> Result<OpId, ApiError> {
        self.engine.logout(&mut self.account)
    }

    /// A stateless official method (an op of [`Op::stateless`]), its parameters as JSON
    /// text: resolves with the server's result `data`.
    pub fn call(&mut self, now_ms: u64, op: Op, params: String) -> Result<OpId, ApiError> {
        self.engine.ready_user()?;
        let Some(request) = Request::stateless(op, Json(params)) else {
            return Err(ApiError::new(tim_proto::codes::NOT_IMPLEMENTED, op.name()));
        };
        let id = self.engine.id();
        self.engine.start(now_ms, request, Waiter::Call(id));
        Ok(id)
    }

    // Messages.

    /// `createXxxMessage`: a message ready for [`send_message`](Self::send_message).
    pub fn create_message(
        &mut self,
        now_ms: u64,
        draft: MessageDraft,
    ) -> Result<SdkMessage, ApiError> {
        self.account
            .messages
            .create(&mut self.engine, now_ms, draft)
    }

    /// Sends a created message, or resends one that failed (the server stores it once).
    pub fn send_message(&mut self, now_ms: u64, message: SdkMessage) -> Result<OpId, ApiError> {
        self.send_message_with(now_ms, message, SendOptions::default())
    }

    /// `sendMessage(message, options)` with the official options.
    pub fn send_message_with(
        &mut self,
        now_ms: u64,
        message: SdkMessage,
        options: SendOptions,
    ) -> Result<OpId, ApiError> {
        let eng = &mut self.engine;
        self.account.messages.send(eng, now_ms, message, options)
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
        let (eng, next) = (&mut self.engine, next_req_message_id);
        let messages = &mut self.account.messages;
        messages.get_list(eng, now_ms, conversation_id, next, count)
    }

    /// `getMessageListHopping({conversationID, sequence, time, count, direction})`.
    pub fn get_message_list_hopping(
        &mut self,
        now_ms: u64,
        conversation_id: &str,
        sequence: Option<u64>,
        time: Option<u64>,
        newer: bool,
        count: u32,
    ) -> Result<OpId, ApiError> {
        let (eng, id) = (&mut self.engine, conversation_id);
        Messages::get_list_hopping(eng, now_ms, id, sequence, time, newer, count)
    }

    /// `findMessage(messageID)`: a message this instance has seen lately, as it is now.
    pub fn find_message(&self, id: &str) -> Option<SdkMessage> {
        self.account.messages.find(&self.engine, id)
    }

    /// `revokeMessage(message)`.
    pub fn revoke_message(&mut self, now_ms: u64, message_id: &str) -> Result<OpId, ApiError> {
        self.account
            .messages
            .revoke(&mut self.engine, now_ms, message_id)
    }

    /// `modifyMessage(message)`.
    pub fn modify_message(
        &mut self,
        now_ms: u64,
        message_id: &str,
        payload: Element,
        cloud_custom_data: String,
    ) -> Result<OpId, ApiError> {
        let (eng, id, ccd) = (&mut self.engine, message_id, cloud_custom_data);
        self.account.messages.modify(eng, now_ms, id, payload, ccd)
    }

    /// `deleteMessage(messageList)`.
    pub fn delete_messages(&mut self, now_ms: u64, ids: Vec<String>) -> Result<OpId, ApiError> {
        self.account.messages.delete(&mut self.engine, now_ms, ids)
    }

    /// `sendMessageReadReceipt(messageList)` for messages of one conversation (their
    /// conversationIDs; `list` the messages as JSON for a group's). C2C: the conversation is
    /// read, and the peer learns it (MESSAGE_READ_RECEIPT_RECEIVED for the messages that asked
    /// for a receipt, MESSAGE_READ_BY_PEER for all). A group's: the stateless op.
    pub fn send_read_receipt(
        &mut self,
        now_ms: u64,
        conversation_ids: Vec<String>,
        list: String,
    ) -> Result<OpId, ApiError> {
        let id = Messages::read_receipt_conversation(conversation_ids)?;
        match is_group(&id) {
            true => self.call(now_ms, Op::SendMessageReadReceipt, list),
            false => self.set_message_read(now_ms, &id),
        }
    }

    /// `getMessageReadReceiptList(messageList)`, each message as (conversationID, flow,
    /// sequence); `list` the messages as JSON for a group's (the stateless op).
    pub fn get_message_read_receipt_list(
        &mut self,
        now_ms: u64,
        messages: Vec<(String, String, u64)>,
        list: String,
    ) -> Result<OpId, ApiError> {
        if messages.first().is_some_and(|m| is_group(&m.0)) {
            return self.call(now_ms, Op::GetMessageReadReceiptList, list);
        }
        let convs = &self.account.conversations;
        Messages::read_receipts(&mut self.engine, convs, messages)
    }

    // Conversations.

    /// `getConversationList`: every conversation, or those of `ids` (known ones only).
    pub fn get_conversation_list(&mut self, ids: Option<Vec<String>>) -> Result<OpId, ApiError> {
        self.account.conversations.get_list(&mut self.engine, ids)
    }

    /// `getConversationProfile`: a known conversation, or an empty one with a C2C peer.
    pub fn get_conversation_profile(&mut self, id: &str) -> Result<OpId, ApiError> {
        self.account.conversations.get_profile(&mut self.engine, id)
    }

    /// `getTotalUnreadMessageCount`.
    pub fn total_unread_count(&self) -> Result<u32, ApiError> {
        self.account.conversations.total_unread(&self.engine)
    }

    /// `setMessageRead({conversationID})`.
    pub fn set_message_read(&mut self, now_ms: u64, id: &str) -> Result<OpId, ApiError> {
        self.account
            .conversations
            .set_read(&mut self.engine, now_ms, id)
    }

    /// `setAllMessageRead({scope})`.
    pub fn set_all_message_read(&mut self, now_ms: u64) -> Result<OpId, ApiError> {
        self.account
            .conversations
            .set_all_read(&mut self.engine, now_ms)
    }

    /// `deleteConversation`: by one ID (2.x) or a list (3.x).
    pub fn delete_conversation(
        &mut self,
        now_ms: u64,
        ids: Vec<String>,
        as_list: bool,
    ) -> Result<OpId, ApiError> {
        let eng = &mut self.engine;
        self.account.conversations.delete(eng, now_ms, ids, as_list)
    }

    /// `clearHistoryMessage(conversationID)`.
    pub fn clear_history(&mut self, now_ms: u64, id: &str) -> Result<OpId, ApiError> {
        self.account
            .conversations
            .clear_history(&mut self.engine, now_ms, id)
    }

    /// `pinConversation({conversationID, isPinned})`.
    pub fn pin_conversation(
        &mut self,
        now_ms: u64,
        id: &str,
        pinned: bool,
    ) -> Result<OpId, ApiError> {
        self.account
            .conversations
            .pin(&mut self.engine, now_ms, id, pinned)
    }

    /// `markConversation({conversationIDList, markType, enableMark})`.
    pub fn mark_conversations(
        &mut self,
        now_ms: u64,
        ids: Vec<String>,
        mark_type: u32,
        enable_mark: bool,
    ) -> Result<OpId, ApiError> {
        let eng = &mut self.engine;
        self.account
            .conversations
            .mark(eng, now_ms, ids, mark_type, enable_mark)
    }

    /// `setConversationCustomData({conversationIDList, customData})`.
    pub fn set_conversation_custom_data(
        &mut self,
        now_ms: u64,
        ids: Vec<String>,
        custom_data: String,
    ) -> Result<OpId, ApiError> {
        let eng = &mut self.engine;
        self.account
            .conversations
            .set_custom_data(eng, now_ms, ids, custom_data)
    }
}

/// Whether `conversation_id` names a group's conversation.
fn is_group(conversation_id: &str) -> bool {
    matches!(
        tim_proto::ConversationId::parse(conversation_id),
        Some(tim_proto::ConversationId::Group(_))
    )
}
