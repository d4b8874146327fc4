//! The messages domain: creating and sending messages (exactly once, through reconnections),
//! history pages, revoking, modifying and deleting, read receipts, and the events of messages
//! that arrive (MESSAGE_RECEIVED, _REVOKED, _MODIFIED, _READ_BY_PEER, _READ_RECEIPT_RECEIVED).
//! It keeps the messages seen lately, for findMessage, history paging and peer reads.

pub(crate) mod object;
mod recent;

use crate::conversations::{with_history, Conversations};
use crate::engine::{Answer, Engine};
use crate::error::*;
use crate::output::*;
use crate::vecmap::VecSet;
use crate::Waiter;
use object::{MessageDraft, ReadReceiptInfo, SdkMessage, FLOW_OUT, STATUS_FAIL, STATUS_UNSEND};
use recent::Recent;
use tim_proto::codes::MODIFY_CONFLICT;
use tim_proto::{
    ConversationId, ConversationType, DeleteMessages, Element, GetHistory, GetHistoryOk,
    InboxEvent, InboxItem, Json, Message, MessageBody, ModifyMessage, Request, Response,
    RevokeMessage, SendMessage,
};

/// The official getMessageList page size, also its maximum.
pub const MESSAGE_LIST_COUNT: u32 = 15;

/// A page size as the official takes it: 0 is "not given", the default, which is also the
/// maximum.
fn page_size(count: u32) -> u32 {
    if count == 0 {
        MESSAGE_LIST_COUNT
    } else {
        count.min(MESSAGE_LIST_COUNT)
    }
}

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

/// What a messages request waits for.
#[derive(Debug)]
pub(crate) enum Waiting {
    /// The message as it was before sending, for the failure report and the client fields.
    Send {
        op: OpId,
        message: Box<SdkMessage>,
    },
    History {
        op: OpId,
    },
    /// `id`: forgotten from the own revokes (or modifications) if this fails.
    Revoke {
        op: OpId,
        id: String,
    },
    Modify {
        op: OpId,
        id: String,
    },
    /// `count` messages.
    Delete {
        op: OpId,
        count: usize,
    },
}

/// What new inbox items mean for the app, gathered to fire as few events as possible.
#[derive(Debug, Default)]
struct News {
    received: Vec<SdkMessage>,
    revoked: Vec<SdkMessage>,
    modified: Vec<SdkMessage>,
    read_by_peer: Vec<SdkMessage>,
    receipts: Vec<ReadReceipt>,
    group_receipts: Vec<Json>,
}

type Eng = Engine<Waiter>;

#[derive(Debug, Default)]
pub(crate) struct Messages {
    recent: Recent,
    /// clientMsgIDs this instance sent whose inbox echo has not come yet.
    own_sends: VecSet<String>,
    /// Messages this instance revoked itself: their `revoked` echo is no news to the app.
    own_revokes: VecSet<String>,
    /// Likewise for messages this instance modified.
    own_modifies: VecSet<String>,
    news: News,
}

impl Messages {
    /// A stored message as `me` sees it (with how far the peer read its conversation),
    /// remembered for history paging and peer reads.
    fn view(&mut self, me: &str, convs: &Conversations, message: Message) -> SdkMessage {
        let peer_read = convs.peer_read_seq(&message.conversation_of(me));
        let mut m = SdkMessage::stored(message, me);
        if m.flow == FLOW_OUT {
            m.is_peer_read = m.sequence <= peer_read;
        }
        self.recent.remember(&m);
        m
    }

    // APIs.

    /// `createXxxMessage`: a message ready for [`send`](Self::send).
    pub fn create(
        &mut self,
        eng: &mut Eng,
        now_ms: u64,
        draft: MessageDraft,
    ) -> Result<SdkMessage, ApiError> {
        // Only the userID is needed: a message can be made as soon as `login` resolved.
        let me = eng.signed_in_user()?.to_owned();
        let (client_msg_id, client_sequence) = eng.client_msg_id();
        let random = eng.random() as u32;
        Ok(SdkMessage::outgoing(
            client_msg_id,
            &me,
            draft,
            random,
            client_sequence,
            now_ms / 1000,
        ))
    }

    /// `sendMessage(message, options)`: sends a created message, or resends one that failed
    /// (the server stores it once).
    pub fn send(
        &mut self,
        eng: &mut Eng,
        now_ms: u64,
        mut message: SdkMessage,
        options: SendOptions,
    ) -> Result<OpId, ApiError> {
        eng.ready_user()?;
        // An online-only message is not echoed to this session (it is not in the inbox).
        if !options.online_user_only {
            self.own_sends.insert(message.id.clone(), ());
        }
        message.is_resend = message.status == STATUS_FAIL;
        message.status = STATUS_UNSEND;
        let conversation_type = match message.conversation_type {
            "GROUP" => ConversationType::Group,
            _ => ConversationType::C2C,
        };
        let request = Request::SendMessage(SendMessage {
            conversation_type,
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
        let op = eng.id();
        let message = Box::new(message);
        let waiting = Waiting::Send { op, message };
        eng.start(now_ms, request, Waiter::Messages(waiting));
        Ok(op)
    }

    fn history(eng: &mut Eng, now_ms: u64, request: GetHistory) -> Result<OpId, ApiError> {
        let op = eng.id();
        let waiting = Waiting::History { op };
        eng.start(
            now_ms,
            Request::GetHistory(request),
            Waiter::Messages(waiting),
        );
        Ok(op)
    }

    /// `getMessageList`: a page of a C2C or group conversation's history, newest page first; `count`
    /// is at most 15, and 0 asks for the default.
    pub fn get_list(
        &mut self,
        eng: &mut Eng,
        now_ms: u64,
        conversation_id: &str,
        next_req_message_id: Option<&str>,
        count: u32,
    ) -> Result<OpId, ApiError> {
        eng.ready_user()?;
        let id = with_history(conversation_id)?;
        let before_seq = match next_req_message_id.filter(|id| !id.is_empty()) {
            None => None,
            Some(next) => Some(
                self.recent
                    .get(next)
                    .filter(|m| m.conversation_id == conversation_id)
                    .map(|m| m.sequence)
                    .ok_or_else(|| ApiError::sdk(INVALID_OPERATION))?,
            ),
        };
        let request = GetHistory {
            conversation_id: id,
            before_seq,
            after_seq: None,
            before_time: None,
            after_time: None,
            count: page_size(count),
        };
        Self::history(eng, now_ms, request)
    }

    /// `getMessageListHopping({conversationID, sequence, time, count, direction})`: the page
    /// next to a message's `sequence` (or a `time`), older (`direction` 0) or newer (1).
    pub fn get_list_hopping(
        eng: &mut Eng,
        now_ms: u64,
        conversation_id: &str,
        sequence: Option<u64>,
        time: Option<u64>,
        newer: bool,
        count: u32,
    ) -> Result<OpId, ApiError> {
        eng.ready_user()?;
        let id = with_history(conversation_id)?;
        // The message itself is part of the page: bounds are exclusive on the wire.
        let (before_seq, after_seq, before_time, after_time) = match (sequence, time, newer) {
            (Some(s), _, false) => (Some(s.saturating_add(1)), None, None, None),
            (Some(s), _, true) => (None, Some(s.saturating_sub(1)), None, None),
            (None, Some(t), false) => (None, None, Some(t.saturating_add(1)), None),
            (None, Some(t), true) => (None, None, None, Some(t.saturating_sub(1))),
            (None, None, _) => (None, None, None, None),
        };
        let request = GetHistory {
            conversation_id: id,
            before_seq,
            after_seq,
            before_time,
            after_time,
            count: page_size(count),
        };
        Self::history(eng, now_ms, request)
    }

    /// `findMessage(messageID)`: a message this instance has seen lately (sent, received or
    /// loaded), as it is now; `None` when unknown or not ready.
    pub fn find(&self, eng: &Eng, id: &str) -> Option<SdkMessage> {
        eng.ready_user().ok()?;
        self.recent.get(id).cloned()
    }

    /// `revokeMessage(message)`: resolves `{message}` with `isRevoked`; the other sessions and
    /// the peer get MESSAGE_REVOKED.
    pub fn revoke(&mut self, eng: &mut Eng, now_ms: u64, id: &str) -> Result<OpId, ApiError> {
        eng.ready_user()?;
        self.own_revokes.insert(id.to_owned(), ());
        let request = Request::RevokeMessage(RevokeMessage {
            message_id: id.to_owned(),
        });
        let op = eng.id();
        let waiting = Waiting::Revoke {
            op,
            id: id.to_owned(),
        };
        eng.start(now_ms, request, Waiter::Messages(waiting));
        Ok(op)
    }

    /// `modifyMessage(message)`: new content (same type) and cloudCustomData for a message
    /// this instance has seen; fails with 2480 if it changed since. MESSAGE_MODIFIED reaches
    /// the other sessions and the peer.
    pub fn modify(
        &mut self,
        eng: &mut Eng,
        now_ms: u64,
        id: &str,
        payload: Element,
        cloud_custom_data: String,
    ) -> Result<OpId, ApiError> {
        eng.ready_user()?;
        let version = self.recent.get(id).map_or(0, |m| m.version);
        self.own_modifies.insert(id.to_owned(), ());
        let request = Request::ModifyMessage(ModifyMessage {
            message_id: id.to_owned(),
            elements: vec![payload],
            cloud_custom_data,
            version,
        });
        let op = eng.id();
        let waiting = Waiting::Modify {
            op,
            id: id.to_owned(),
        };
        eng.start(now_ms, request, Waiter::Messages(waiting));
        Ok(op)
    }

    /// `deleteMessage(messageList)`: gone from this user's history (the peer keeps them).
    pub fn delete(
        &mut self,
        eng: &mut Eng,
        now_ms: u64,
        ids: Vec<String>,
    ) -> Result<OpId, ApiError> {
        eng.ready_user()?;
        if ids.is_empty() {
            return Err(ApiError::sdk(MESSAGE_DELETE_FAIL));
        }
        let count = ids.len();
        let request = Request::DeleteMessages(DeleteMessages { message_ids: ids });
        let op = eng.id();
        let waiting = Waiting::Delete { op, count };
        eng.start(now_ms, request, Waiter::Messages(waiting));
        Ok(op)
    }

    /// The conversation of `sendMessageReadReceipt(messageList)`: every message must be of
    /// the same one.
    pub fn read_receipt_conversation(ids: Vec<String>) -> Result<String, ApiError> {
        let Some(first) = ids.first().cloned() else {
            return Err(ApiError::sdk(READ_RECEIPT_MESSAGE_LIST_EMPTY));
        };
        if ids.iter().any(|c| *c != first) {
            return Err(ApiError::sdk(INVALID_OPERATION));
        }
        Ok(first)
    }

    /// `getMessageReadReceiptList(messageList)` of C2C messages, each given as its
    /// (conversationID, flow, sequence): an out message is read once the peer has read up to
    /// it (readCount 1, unreadCount 0), else the other way round.
    pub fn read_receipts(
        eng: &mut Eng,
        convs: &Conversations,
        messages: Vec<(String, String, u64)>,
    ) -> Result<OpId, ApiError> {
        eng.ready_user()?;
        let message_list = messages
            .into_iter()
            .map(|(conversation, flow, sequence)| {
                let peer_read =
                    ConversationId::parse(&conversation).map_or(0, |id| convs.peer_read_seq(&id));
                let read = u32::from(flow == FLOW_OUT && sequence > 0 && sequence <= peer_read);
                MessagePatch {
                    read_receipt_info: Some(ReadReceiptInfo {
                        read_count: Some(read),
                        unread_count: Some(1 - read),
                    }),
                    ..MessagePatch::default()
                }
            })
            .collect();
        Ok(eng.done(Ok(OpOk::Patched { message_list })))
    }

    // What the engine tells.

    /// The answer of one of this domain's requests. Returns what it tells the other domains
    /// about messages and conversations (the server's state now), in the inbox's terms.
    pub fn answer(
        &mut self,
        eng: &mut Eng,
        convs: &Conversations,
        waiting: Waiting,
        result: Answer,
    ) -> Vec<InboxEvent> {
        let me = eng.user().unwrap_or_default().to_owned();
        match (waiting, result) {
            (Waiting::Send { op, message: local }, Ok(Response::SendMessage(ok))) => {
                let mut message = self.view(&me, convs, ok.message);
                message.client_sequence = local.client_sequence;
                message.client_time = local.client_time;
                message.is_resend = local.is_resend;
                let message = Box::new(message);
                eng.complete(op, Ok(OpOk::Send(SendOk { message })));
            }
            (Waiting::History { op }, Ok(Response::GetHistory(page))) => {
                let list = self.page(&me, convs, page);
                eng.complete(op, Ok(OpOk::MessageList(list)));
            }
            (Waiting::Revoke { op, .. }, Ok(Response::RevokeMessage(ok))) => {
                return self.changed(eng, &me, convs, op, ok.message, revoked)
            }
            (Waiting::Modify { op, .. }, Ok(Response::ModifyMessage(ok))) => {
                return self.changed(eng, &me, convs, op, ok.message, modified)
            }
            (Waiting::Delete { op, count }, Ok(Response::DeleteMessages(page))) => {
                let deleted = MessagePatch {
                    is_deleted: Some(true),
                    ..MessagePatch::default()
                };
                let message_list = vec![deleted; count];
                eng.complete(op, Ok(OpOk::Patched { message_list }));
                return page
                    .conversations
                    .into_iter()
                    .map(|conversation| InboxEvent::Conversation { conversation })
                    .collect();
            }
            (waiting, Err(err)) => self.fail(eng, waiting, err),
            (waiting, Ok(_)) => self.fail(eng, waiting, ApiError::sdk(NETWORK_ERROR)),
        }
        Vec::new()
    }

    /// A revoke's or a modification's answer: the message as the server has it now, for the
    /// app's promise and for the conversation list.
    fn changed(
        &mut self,
        eng: &mut Eng,
        me: &str,
        convs: &Conversations,
        op: OpId,
        stored: Message,
        event: fn(Message) -> InboxEvent,
    ) -> Vec<InboxEvent> {
        let message = Box::new(self.view(me, convs, stored.clone()));
        eng.complete(op, Ok(OpOk::Send(SendOk { message })));
        vec![event(stored)]
    }

    fn page(&mut self, me: &str, convs: &Conversations, page: GetHistoryOk) -> MessageList {
        let message_list: Vec<SdkMessage> = page
            .messages
            .into_iter()
            .map(|m| self.view(me, convs, m))
            .collect();
        let next_req_message_id = message_list
            .first()
            .map(|m| m.id.clone())
            .unwrap_or_default();
        MessageList {
            message_list,
            next_req_message_id,
            is_completed: page.complete,
        }
    }

    /// A request failed: no echo will come, and the app learns why.
    fn fail(&mut self, eng: &mut Eng, waiting: Waiting, err: ApiError) {
        match waiting {
            Waiting::Send { op, mut message } => {
                // Refused: no echo will come. Unanswered, it may have been stored, and its
                // echo is still this instance's own.
                if !matches!(err.code, NETWORK_TIMEOUT | NETWORK_ERROR) {
                    self.own_sends.remove(&message.id);
                }
                message.status = STATUS_FAIL;
                let data = ErrorData {
                    message: Some(message),
                };
                eng.complete(op, Err(ApiError { data, ..err }));
            }
            Waiting::Revoke { op, id } => {
                // A later revoke by someone else is news.
                self.own_revokes.remove(&id);
                eng.complete(op, Err(err))
            }
            Waiting::Modify { op, id } => {
                // As the official: a conflict reports the message as it is now.
                let mut err = err;
                self.own_modifies.remove(&id);
                if err.code == MODIFY_CONFLICT {
                    err.data.message = self.recent.get(&id).cloned().map(Box::new);
                }
                eng.complete(op, Err(err))
            }
            Waiting::History { op } | Waiting::Delete { op, .. } => eng.complete(op, Err(err)),
        }
    }

    /// An inbox item of `me` (after the conversations domain took it): news for the app,
    /// unless this instance caused it itself.
    pub fn item(&mut self, me: &str, convs: &Conversations, item: InboxItem) {
        match item.event {
            // A notice is nobody's own message.
            InboxEvent::Message { message } | InboxEvent::Notice { message } => {
                let own =
                    message.from == me && self.own_sends.remove(&message.client_msg_id).is_some();
                let message = self.view(me, convs, message);
                if !own {
                    self.news.received.push(message);
                }
            }
            InboxEvent::Conversation { .. }
            | InboxEvent::Profile { .. }
            | InboxEvent::Changed { .. }
            | InboxEvent::ConversationGroups { .. } => {}
            InboxEvent::Revoked { message } => {
                let own = self.own_revokes.remove(&message.id).is_some();
                let message = self.view(me, convs, message);
                if !own {
                    self.news.revoked.push(message);
                }
            }
            InboxEvent::Modified { message } => {
                let own = self.own_modifies.remove(&message.id).is_some();
                let message = self.view(me, convs, message);
                if !own {
                    self.news.modified.push(message);
                }
            }
            InboxEvent::PeerRead {
                conversation_id,
                read_seq,
            } => {
                let read = self
                    .recent
                    .peer_read(&conversation_id.to_id_string(), read_seq);
                for m in &read {
                    if m.need_read_receipt {
                        self.news.receipts.push(ReadReceipt {
                            conversation_id: m.conversation_id.clone(),
                            message_id: m.id.clone(),
                            read_count: 1,
                            unread_count: 0,
                        });
                    }
                }
                self.news.read_by_peer.extend(read);
            }
            InboxEvent::Receipts { receipts } => self.news.group_receipts.push(receipts),
        }
    }

    /// An online-only message: news at once.
    pub fn online(&mut self, eng: &mut Eng, me: &str, convs: &Conversations, message: Message) {
        let message = self.view(me, convs, message);
        eng.emit(Event::MessageReceived(vec![message]));
    }

    /// Tell the app the news gathered since the last time.
    pub fn flush(&mut self, eng: &mut Eng) {
        let news = std::mem::take(&mut self.news);
        if !news.received.is_empty() {
            eng.emit(Event::MessageReceived(news.received));
        }
        if !news.revoked.is_empty() {
            eng.emit(Event::MessageRevoked(news.revoked));
        }
        if !news.modified.is_empty() {
            eng.emit(Event::MessageModified(news.modified));
        }
        if !news.read_by_peer.is_empty() {
            eng.emit(Event::MessageReadByPeer(news.read_by_peer));
        }
        if !news.receipts.is_empty() {
            eng.emit(Event::MessageReadReceiptReceived(news.receipts));
        }
        for receipts in news.group_receipts {
            eng.emit(Event::GroupReadReceiptReceived(receipts));
        }
    }
}

fn revoked(message: Message) -> InboxEvent {
    InboxEvent::Revoked { message }
}

fn modified(message: Message) -> InboxEvent {
    InboxEvent::Modified { message }
}
