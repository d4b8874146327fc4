//! The op table: every request of protocol v1, one row each, with the data it carries and the
//! data of its answer. The macro makes [`Op`] (the names), [`Request`] and [`Response`] (the
//! wire enums, tagged by `op` with the data under `data`) from this one list, so a new op is one
//! row here plus its data types in the file of its domain.
//!
//! The stateless ops (after `stateless:`) are the official methods whose results the SDK keeps
//! nothing of: their name is the official method's, their request data is the app's parameters
//! and their answer data the official result `data`, both as [`Json`] the SDK does not look
//! inside; the row gives the parameter schema the SDK checks the app's arguments against:
//! `(name, type, required)` of each checked field, the type as JavaScript's `typeof` names it,
//! or `array`.

use crate::conversation::*;
use crate::inbox::*;
use crate::json::Json;
use crate::message::*;
use crate::session::*;
use serde::{Deserialize, Serialize};

macro_rules! op_table {
    ($(
        $(#[$doc:meta])*
        $name:literal => $variant:ident $(($req:ty))? -> $(($resp:ty))?;
    )*
    stateless:
    $(
        $(#[$sdoc:meta])*
        $sname:literal => $svariant:ident ~ [$(($pname:literal, $ptype:literal, $preq:literal)),*];
    )*) => {
        /// The name of a request kind, without its data.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Op {
            $($(#[$doc])* $variant,)*
            $($(#[$sdoc])* $svariant,)*
        }

        impl Op {
            /// Every op of this protocol version, in table order.
            pub const ALL: &'static [Op] = &[$(Op::$variant,)* $(Op::$svariant,)*];

            /// The `op` string on the wire.
            pub fn name(self) -> &'static str {
                match self {
                    $(Op::$variant => $name,)*
                    $(Op::$svariant => $sname,)*
                }
            }

            pub fn from_name(name: &str) -> Option<Op> {
                match name {
                    $($name => Some(Op::$variant),)*
                    $($sname => Some(Op::$svariant),)*
                    _ => None,
                }
            }

            /// The stateless op named `name` and its parameter schema; `None` for other names
            /// (it knows only the stateless names: the SDK looks these up, and nothing else).
            pub fn stateless(name: &str) -> Option<(Op, &'static [Param])> {
                match name {
                    $($sname => Some((Op::$svariant, &[$(Param { name: $pname, kind: $ptype, required: $preq }),*])),)*
                    _ => None,
                }
            }
        }

        /// A request: `{"op": NAME, "data": {...}}` inside a [`ClientFrame`](crate::ClientFrame).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op", content = "data")]
        pub enum Request {
            $($(#[$doc])* #[serde(rename = $name)] $variant $(($req))?,)*
            $($(#[$sdoc])* #[serde(rename = $sname)] $svariant(Json),)*
        }

        impl Request {
            pub fn op(&self) -> Op {
                match self {
                    $(Request::$variant { .. } => Op::$variant,)*
                    $(Request::$svariant(_) => Op::$svariant,)*
                }
            }

            /// The request of the stateless op `op` with these parameters.
            pub fn stateless(op: Op, params: Json) -> Option<Request> {
                match op {
                    $(Op::$svariant => Some(Request::$svariant(params)),)*
                    _ => None,
                }
            }
        }

        /// The result of a request, tagged by the request's op, inside an `ok` frame.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op", content = "data")]
        pub enum Response {
            $(#[serde(rename = $name)] $variant $(($resp))?,)*
            $(#[serde(rename = $sname)] $svariant(Json),)*
        }

        impl Response {
            pub fn op(&self) -> Op {
                match self {
                    $(Response::$variant { .. } => Op::$variant,)*
                    $(Response::$svariant(_) => Op::$svariant,)*
                }
            }

            /// The answer of the stateless op `op` with this result `data`.
            pub fn stateless(op: Op, data: Json) -> Option<Response> {
                match op {
                    $(Op::$svariant => Some(Response::$svariant(data)),)*
                    _ => None,
                }
            }

            /// The result `data` of a stateless op's answer.
            pub fn json(&self) -> Option<&Json> {
                match self {
                    $(Response::$svariant(data) => Some(data),)*
                    _ => None,
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
    stateless:
    // Profiles (profile.rs).
    "getMyProfile" => GetMyProfile ~ [];
    "getUserProfile" => GetUserProfile ~ [("userIDList", "array", true)];
    "updateMyProfile" => UpdateMyProfile ~ [];
}

/// A field of a stateless op's parameters, as the SDK checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    /// JavaScript's `typeof` of the value, or `array`.
    pub kind: &'static str,
    pub required: bool,
}

impl Op {
    /// The ops a connection may send before it is logged in: they make or end its session.
    pub fn is_session(self) -> bool {
        matches!(self, Op::Login | Op::Resume | Op::Logout | Op::Heartbeat)
    }
}
