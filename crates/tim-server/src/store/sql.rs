//! What the SQL backends store the same way: the SELECT lists of a message and of a user's
//! conversation (with the offset of every column), the codes of the columns that hold an enum
//! or flags, the inbox item kinds, and how a history range becomes a condition.

use super::HistoryRange;
use tim_proto::{ConversationType, InboxEvent, Message, MessageBody};

/// `columns!(name, "alias": a, b, c)` makes `name::LIST` ("alias.a, alias.b, alias.c"),
/// `name::COUNT` and `name::a` … the offset of each column in that list.
macro_rules! columns {
    ($name:ident, $alias:literal: $first:ident $(, $col:ident)*) => {
        #[allow(non_upper_case_globals, dead_code)]
        pub mod $name {
            #[allow(non_camel_case_types)]
            enum Offset {
                $first,
                $($col,)*
                End,
            }
            pub const $first: usize = Offset::$first as usize;
            $(pub const $col: usize = Offset::$col as usize;)*
            pub const COUNT: usize = Offset::End as usize;
            pub const LIST: &str =
                concat!($alias, ".", stringify!($first), $(", ", $alias, ".", stringify!($col),)*);
        }
    };
}

columns!(message, "m": id, seq, conv_type, sender, receiver, client_msg_id, random, time,
    elements, cloud_custom_data, revoker, need_receipt, version, control, at_users, modifier,
    nick, avatar, name_card);
columns!(conversation, "c": peer, unread, peer_read_seq, pinned, mark, custom_data,
    deleted, updated, last_msg);

/// `messages.control` bits: the official messageControlInfo.
pub const CONTROL_NOT_UNREAD: i64 = 1;
pub const CONTROL_NOT_LAST: i64 = 2;

/// `conv_type` values.
const CONV_C2C: i64 = 1;
const CONV_GROUP: i64 = 2;
/// (Notices are inbox items only: no message row has it.)
const CONV_SYSTEM: i64 = 3;

pub fn conv_type_code(t: ConversationType) -> i64 {
    match t {
        ConversationType::C2C => CONV_C2C,
        ConversationType::Group => CONV_GROUP,
        ConversationType::System => CONV_SYSTEM,
    }
}

pub fn conversation_type(code: i64) -> ConversationType {
    match code {
        CONV_GROUP => ConversationType::Group,
        CONV_SYSTEM => ConversationType::System,
        _ => ConversationType::C2C,
    }
}

pub fn control_bits(body: &MessageBody) -> i64 {
    i64::from(body.excluded_from_unread) * CONTROL_NOT_UNREAD
        + i64::from(body.excluded_from_last_message) * CONTROL_NOT_LAST
}

/// The `at_users` column: the mentioned userIDs one per line (userIDs hold no line breaks).
pub fn at_users_column(users: &[String]) -> String {
    users.join("\n")
}

/// Inbox item kinds: 1, 3 and 5 name their message (`msg`); the others hold their JSON (`body`).
pub const KIND_MESSAGE: i64 = 1;
pub const KIND_CONVERSATION: i64 = 2;
pub const KIND_REVOKED: i64 = 3;
pub const KIND_PEER_READ: i64 = 4;
pub const KIND_MODIFIED: i64 = 5;
pub const KIND_PROFILE: i64 = 6;
pub const KIND_CHANGED: i64 = 7;
pub const KIND_CONVERSATION_GROUPS: i64 = 8;
pub const KIND_NOTICE: i64 = 9;
pub const KIND_RECEIPTS: i64 = 10;

/// The kind of an inbox item, and whether it is stored as its JSON (else it names a message).
pub fn kind_of(event: &InboxEvent) -> (i64, bool) {
    match event {
        InboxEvent::Message { .. } => (KIND_MESSAGE, false),
        InboxEvent::Conversation { .. } => (KIND_CONVERSATION, true),
        InboxEvent::Revoked { .. } => (KIND_REVOKED, false),
        InboxEvent::PeerRead { .. } => (KIND_PEER_READ, true),
        InboxEvent::Modified { .. } => (KIND_MODIFIED, false),
        InboxEvent::Profile { .. } => (KIND_PROFILE, true),
        InboxEvent::Changed { .. } => (KIND_CHANGED, true),
        InboxEvent::ConversationGroups { .. } => (KIND_CONVERSATION_GROUPS, true),
        InboxEvent::Notice { .. } => (KIND_NOTICE, true),
        InboxEvent::Receipts { .. } => (KIND_RECEIPTS, true),
    }
}

/// A history range as SQL: the bound, the condition it goes after (`m.seq <` …), and whether
/// the page runs towards newer messages (ascending).
pub fn history_bound(range: HistoryRange) -> (i64, &'static str, bool) {
    let clamp = |v: u64| v.min(i64::MAX as u64) as i64;
    match range {
        HistoryRange::BeforeSeq(b) => (clamp(b.unwrap_or(u64::MAX)), "m.seq <", false),
        HistoryRange::AfterSeq(a) => (clamp(a), "m.seq >", true),
        HistoryRange::BeforeTime(t) => (clamp(t), "m.time <", false),
        HistoryRange::AfterTime(t) => (clamp(t), "m.time >", true),
    }
}

/// A history page read with one more than `count` in its direction (newest first unless
/// `newer`): at most `count` messages oldest first, and whether no more exist that way.
pub fn history_page(mut messages: Vec<Message>, count: u32, newer: bool) -> (Vec<Message>, bool) {
    let complete = messages.len() <= count as usize;
    messages.truncate(count as usize);
    if !newer {
        messages.reverse();
    }
    (messages, complete)
}
