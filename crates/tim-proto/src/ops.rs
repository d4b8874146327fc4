//! The op table: every request of protocol v1, one row each, with the data it carries and the
//! data of its answer. The macro makes [`Op`] (the names), [`Request`] and [`Response`] (the
//! wire enums, tagged by `op` with the data under `data`) from this one list, so a new op is one
//! row here plus its data types in the file of its domain.

use crate::conversation::*;
use crate::inbox::*;
use crate::message::*;
use crate::session::*;
use serde::{Deserialize, Serialize};

macro_rules! op_table {
    ($(
        $(#[$doc:meta])*
        $name:literal => $variant:ident $(($req:ty))? -> $(($resp:ty))?;
    )*) => {
        /// The name of a request kind, without its data.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Op {
            $($(#[$doc])* $variant,)*
        }

        impl Op {
            /// Every op of this protocol version, in table order.
            pub const ALL: &'static [Op] = &[$(Op::$variant),*];

            /// The `op` string on the wire.
            pub fn name(self) -> &'static str {
                match self {
                    $(Op::$variant => $name,)*
                }
            }

            pub fn from_name(name: &str) -> Option<Op> {
                match name {
                    $($name => Some(Op::$variant),)*
                    _ => None,
                }
            }
        }

        /// A request: `{"op": NAME, "data": {...}}` inside a [`ClientFrame`](crate::ClientFrame).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op", content = "data")]
        pub enum Request {
            $($(#[$doc])* #[serde(rename = $name)] $variant $(($req))?,)*
        }

        impl Request {
            pub fn op(&self) -> Op {
                match self {
                    $(Request::$variant { .. } => Op::$variant,)*
                }
            }
        }

        /// The result of a request, tagged by the request's op, inside an `ok` frame.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op", content = "data")]
        pub enum Response {
            $(#[serde(rename = $name)] $variant $(($resp))?,)*
        }

        impl Response {
            pub fn op(&self) -> Op {
                match self {
                    $(Response::$variant { .. } => Op::$variant,)*
                }
            }
        }
    };
}

op_table! {
    // The connection's session (session.rs); the only ops allowed before login.
    "login" => Login(Login) -> (LoginOk);
    /// Take over a session of an earlier connection without a new UserSig check.
    "resume" => Resume(Resume) -> (ResumeOk);
    "logout" => Logout -> ;
    "heartbeat" => Heartbeat -> (HeartbeatOk);
    // The caller's inbox (inbox.rs).
    "sync" => Sync(Sync) -> (SyncOk);
    // Messages (message.rs).
    "sendMessage" => SendMessage(SendMessage) -> (SendMessageOk);
    "getHistory" => GetHistory(GetHistory) -> (GetHistoryOk);
    "revokeMessage" => RevokeMessage(RevokeMessage) -> (MessageOk);
    "modifyMessage" => ModifyMessage(ModifyMessage) -> (MessageOk);
    "deleteMessages" => DeleteMessages(DeleteMessages) -> (ConversationsOk);
    // Conversations (conversation.rs).
    "getConversations" => GetConversations(GetConversations) -> (ConversationsOk);
    "setRead" => SetRead(ConversationRef) -> (ConversationsOk);
    /// Every conversation with unread messages, read.
    "setAllRead" => SetAllRead -> (ConversationsOk);
    "deleteConversation" => DeleteConversation(ConversationRef) -> (ConversationsOk);
    "clearHistory" => ClearHistory(ConversationRef) -> (ConversationsOk);
    "pinConversation" => PinConversation(PinConversation) -> (ConversationsOk);
    "markConversations" => MarkConversations(MarkConversations) -> (ConversationsOk);
    "setCustomData" => SetCustomData(SetCustomData) -> (ConversationsOk);
}

impl Op {
    /// The ops a connection may send before it is logged in: they make or end its session.
    pub fn is_session(self) -> bool {
        matches!(self, Op::Login | Op::Resume | Op::Logout | Op::Heartbeat)
    }
}
