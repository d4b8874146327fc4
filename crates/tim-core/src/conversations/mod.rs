//! The conversations domain: the user's conversation list, loaded at the first login and kept
//! equal to the server's from the inbox, the events that tell the app of it, and the APIs that
//! read and change it (getConversationList, setMessageRead, pin, mark, delete, …).

pub(crate) mod list;

use crate::engine::{Answer, Engine};
use crate::error::*;
use crate::output::*;
use crate::Waiter;
use list::{List, SdkConversation};
use tim_proto::{
    Conversation, ConversationId, ConversationRef, ConversationsOk, GetConversations, InboxEvent,
    InboxItem, MarkConversations, PinConversation, Request, Response, SetCustomData,
    MAX_CONVERSATIONS_PAGE,
};

/// What a conversations request waits for.
#[derive(Debug)]
pub(crate) enum Waiting {
    /// A page of the list while loading it.
    Page,
    /// A change; `result` says how the official API reports it.
    Change { op: OpId, result: ChangeResult },
}

/// The official result shape of a conversation-changing API.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ChangeResult {
    /// `{}`
    Empty,
    /// `{conversationID}`
    ConversationID(String),
    /// `{conversationIDList}`
    ConversationIDList(Vec<String>),
    /// `{successConversationIDList, failureConversationIDList}`
    SuccessList(Vec<String>),
}

type Eng = Engine<Waiter>;

#[derive(Debug, Default)]
pub(crate) struct Conversations {
    list: List,
    /// Inbox items up to this sequence are in the list as loaded; `None` until its first page.
    loaded_at: Option<u64>,
    /// The list changed since the app was told.
    changed: bool,
    /// The total unread count last told to the app.
    told_unread: Option<u32>,
    /// The conversation groups changed since the app was told.
    groups_changed: bool,
}

/// A `C2C<userID>` or `GROUP<groupID>` conversationID (the kinds with a history), or the
/// official 2503.
pub(crate) fn with_history(id: &str) -> Result<ConversationId, ApiError> {
    ConversationId::parse(id)
        .filter(|c| !matches!(c, ConversationId::System))
        .ok_or_else(|| ApiError::sdk(INVALID_CONVERSATION_ID))
}

impl Conversations {
    /// How far the peer of a conversation has read (its `peerReadSeq`; 0 when unknown).
    pub fn peer_read_seq(&self, id: &ConversationId) -> u64 {
        self.list.get(id).map_or(0, |c| c.peer_read_seq)
    }

    // APIs.

    /// `getConversationList`: every conversation, or those of `ids` (known ones only).
    pub fn get_list(&self, eng: &mut Eng, ids: Option<Vec<String>>) -> Result<OpId, ApiError> {
        eng.ready_user()?;
        let mut list = self.list.list();
        if let Some(ids) = ids {
            list.retain(|c| ids.contains(&c.conversation_id));
        }
        let result = OpOk::ConversationList(ConversationList {
            conversation_list: list,
            is_sync_completed: true,
        });
        Ok(eng.done(Ok(result)))
    }

    /// `getConversationProfile`: a known conversation, or an empty one of a C2C peer or a group.
    pub fn get_profile(&self, eng: &mut Eng, id: &str) -> Result<OpId, ApiError> {
        eng.ready_user()?;
        let id = with_history(id)?;
        let conversation = match self.list.get(&id) {
            Some(c) => SdkConversation::of(c, &self.list.groups),
            None => SdkConversation::of(&Conversation::empty(id), &self.list.groups),
        };
        let conversation = Box::new(conversation);
        Ok(eng.done(Ok(OpOk::ConversationProfile { conversation })))
    }

    /// `getTotalUnreadMessageCount`.
    pub fn total_unread(&self, eng: &Eng) -> Result<u32, ApiError> {
        eng.ready_user()?;
        Ok(self.list.total_unread())
    }

    /// A conversation of this user's list, or the official 2500.
    fn known(&self, eng: &Eng, id: &str) -> Result<ConversationId, ApiError> {
        eng.ready_user()?;
        let id = with_history(id)?;
        match self.list.get(&id) {
            Some(_) => Ok(id),
            None => Err(ApiError::sdk(CONVERSATION_NOT_FOUND)),
        }
    }

    /// Every one of `ids` a conversation of this user's list, or the first failure.
    fn all_known(&self, eng: &Eng, ids: &[String]) -> Result<Vec<ConversationId>, ApiError> {
        ids.iter().map(|id| self.known(eng, id)).collect()
    }

    fn change(
        eng: &mut Eng,
        now_ms: u64,
        request: Request,
        result: ChangeResult,
    ) -> Result<OpId, ApiError> {
        eng.ready_user()?;
        let op = eng.id();
        let waiting = Waiting::Change { op, result };
        eng.start(now_ms, request, Waiter::Conversations(waiting));
        Ok(op)
    }

    /// `setMessageRead({conversationID})`.
    pub fn set_read(&self, eng: &mut Eng, now_ms: u64, id: &str) -> Result<OpId, ApiError> {
        let request = Request::SetRead(ConversationRef {
            conversation_id: self.known(eng, id)?,
        });
        Self::change(eng, now_ms, request, ChangeResult::Empty)
    }

    /// `setAllMessageRead({scope})`: every conversation read.
    pub fn set_all_read(&self, eng: &mut Eng, now_ms: u64) -> Result<OpId, ApiError> {
        Self::change(eng, now_ms, Request::SetAllRead, ChangeResult::Empty)
    }

    /// `deleteConversation`: by one ID (2.x: resolves `{conversationID}`) or a list (3.x:
    /// `{conversationIDList}`).
    pub fn delete(
        &self,
        eng: &mut Eng,
        now_ms: u64,
        ids: Vec<String>,
        as_list: bool,
    ) -> Result<OpId, ApiError> {
        let [id] =
            <[String; 1]>::try_from(ids.clone()).map_err(|_| ApiError::sdk(INVALID_OPERATION))?;
        let request = Request::DeleteConversation(ConversationRef {
            conversation_id: self.known(eng, &id)?,
        });
        let result = if as_list {
            ChangeResult::ConversationIDList(ids)
        } else {
            ChangeResult::ConversationID(id)
        };
        Self::change(eng, now_ms, request, result)
    }

    /// `clearHistoryMessage(conversationID)`.
    pub fn clear_history(&self, eng: &mut Eng, now_ms: u64, id: &str) -> Result<OpId, ApiError> {
        let request = Request::ClearHistory(ConversationRef {
            conversation_id: self.known(eng, id)?,
        });
        Self::change(eng, now_ms, request, ChangeResult::Empty)
    }

    /// `pinConversation({conversationID, isPinned})`.
    pub fn pin(
        &self,
        eng: &mut Eng,
        now_ms: u64,
        id: &str,
        pinned: bool,
    ) -> Result<OpId, ApiError> {
        let request = Request::PinConversation(PinConversation {
            conversation_id: self.known(eng, id)?,
            is_pinned: pinned,
        });
        Self::change(
            eng,
            now_ms,
            request,
            ChangeResult::ConversationID(id.to_owned()),
        )
    }

    /// `markConversation({conversationIDList, markType, enableMark})`.
    pub fn mark(
        &self,
        eng: &mut Eng,
        now_ms: u64,
        ids: Vec<String>,
        mark_type: u32,
        enable_mark: bool,
    ) -> Result<OpId, ApiError> {
        let request = Request::MarkConversations(MarkConversations {
            conversation_ids: self.all_known(eng, &ids)?,
            mark_type,
            enable_mark,
        });
        Self::change(eng, now_ms, request, ChangeResult::SuccessList(ids))
    }

    /// `setConversationCustomData({conversationIDList, customData})`.
    pub fn set_custom_data(
        &self,
        eng: &mut Eng,
        now_ms: u64,
        ids: Vec<String>,
        custom_data: String,
    ) -> Result<OpId, ApiError> {
        let request = Request::SetCustomData(SetCustomData {
            conversation_ids: self.all_known(eng, &ids)?,
            custom_data,
        });
        Self::change(eng, now_ms, request, ChangeResult::SuccessList(ids))
    }

    // What the engine and the other domains tell.

    /// The first login: load the whole list before the inbox is synced.
    pub fn load(&mut self, eng: &mut Eng, now_ms: u64) {
        self.list.clear();
        self.loaded_at = None;
        Self::load_page(eng, now_ms, None);
    }

    fn load_page(eng: &mut Eng, now_ms: u64, after: Option<ConversationId>) {
        let request = Request::GetConversations(GetConversations {
            after,
            limit: MAX_CONVERSATIONS_PAGE,
        });
        eng.load(now_ms, request, Waiter::Conversations(Waiting::Page));
    }

    /// The answer of one of this domain's requests; `false` when a load's answer made no sense.
    pub fn answer(&mut self, eng: &mut Eng, now_ms: u64, waiting: Waiting, result: Answer) -> bool {
        match (waiting, result) {
            (Waiting::Page, Ok(Response::GetConversations(page))) => {
                self.loaded(eng, now_ms, page);
                true
            }
            (Waiting::Page, _) => false,
            (Waiting::Change { op, result }, Ok(response)) => {
                let changed = match response {
                    Response::SetRead(page)
                    | Response::SetAllRead(page)
                    | Response::DeleteConversation(page)
                    | Response::ClearHistory(page)
                    | Response::PinConversation(page)
                    | Response::MarkConversations(page)
                    | Response::SetCustomData(page) => page,
                    _ => {
                        eng.complete(op, Err(ApiError::sdk(NETWORK_ERROR)));
                        return true;
                    }
                };
                self.replaced(eng, changed);
                eng.complete(op, Ok(change_result(result)));
                true
            }
            (Waiting::Change { op, .. }, Err(err)) => {
                eng.complete(op, Err(err));
                true
            }
        }
    }

    fn loaded(&mut self, eng: &mut Eng, now_ms: u64, page: ConversationsOk) {
        // Items up to the first page's inbox sequence are in the list already.
        self.loaded_at.get_or_insert(page.inbox_seq);
        if !page.conversation_groups.is_empty() {
            self.list.groups = page.conversation_groups;
        }
        let next = page.conversations.last().map(|c| c.id.clone());
        for c in page.conversations {
            self.list.load(c);
        }
        if let Some(after) = next.filter(|_| !page.complete) {
            Self::load_page(eng, now_ms, Some(after));
        }
    }

    /// Conversations as the server has them now (the answer of a change): the list and the
    /// app learn them at once.
    pub fn replaced(&mut self, eng: &mut Eng, page: ConversationsOk) {
        for c in page.conversations {
            self.list.replace(c);
        }
        self.tell(eng);
    }

    /// An inbox item of `me`: it changes the list unless the list was loaded with it already.
    pub fn item(&mut self, me: &str, item: &InboxItem) {
        if item.seq > self.loaded_at.unwrap_or(0) {
            self.apply(me, &item.event);
            self.changed = true;
        }
    }

    /// A message of one of `me`'s groups (not an inbox item: groups have their own sequences).
    pub fn group_message(&mut self, me: &str, message: &tim_proto::Message) {
        self.list.message(me, message);
        self.changed = true;
    }

    /// What another domain learnt from an answer (a message revoked or modified, …): the list
    /// shows it, and the app learns it at once.
    pub fn learn(&mut self, eng: &mut Eng, me: &str, events: &[InboxEvent]) {
        for event in events {
            self.apply(me, event);
        }
        self.tell(eng);
    }

    fn apply(&mut self, me: &str, event: &InboxEvent) {
        match event {
            InboxEvent::Message { message } => self.list.message(me, message),
            InboxEvent::Conversation { conversation } => self.list.replace(conversation.clone()),
            InboxEvent::Revoked { message } | InboxEvent::Modified { message } => {
                self.list.changed(me, message)
            }
            InboxEvent::PeerRead {
                conversation_id,
                read_seq,
            } => self.list.peer_read(conversation_id, *read_seq),
            InboxEvent::ConversationGroups {
                conversation_groups,
            } => {
                self.list.groups.clone_from(conversation_groups);
                self.groups_changed = true;
            }
            // Notices are in no conversation of the list.
            InboxEvent::Profile { .. }
            | InboxEvent::Changed { .. }
            | InboxEvent::Notice { .. }
            | InboxEvent::Receipts { .. } => {}
        }
    }

    /// News for the app: the list when it changed (and always right after SDK_READY).
    pub fn flush(&mut self, eng: &mut Eng, first: bool) {
        if std::mem::take(&mut self.groups_changed) && eng.is_ready() {
            let names = self.list.groups.iter().map(|g| g.name.clone()).collect();
            eng.emit(Event::ConversationGroupListUpdated(names));
        }
        if std::mem::take(&mut self.changed) || first {
            self.tell(eng);
        }
    }

    /// Tell the app the list and, when it moved, the total unread count.
    fn tell(&mut self, eng: &mut Eng) {
        if !eng.is_ready() {
            return;
        }
        let list = self.list.list();
        let total = self.list.total_unread();
        let told = self.told_unread.replace(total);
        eng.emit(Event::ConversationListUpdated(list));
        if told != Some(total) {
            eng.emit(Event::TotalUnreadMessageCountUpdated(total));
        }
    }
}

fn change_result(result: ChangeResult) -> OpOk {
    match result {
        ChangeResult::Empty => OpOk::Empty {},
        ChangeResult::ConversationID(conversation_id) => OpOk::ConversationID { conversation_id },
        ChangeResult::ConversationIDList(conversation_id_list) => OpOk::ConversationIDList {
            conversation_id_list,
        },
        ChangeResult::SuccessList(success) => OpOk::SuccessList {
            success,
            failure: Vec::new(),
        },
    }
}
