//! The op table: every request of protocol v1, one row each, with the data it carries and the
//! data of its answer. The macro makes [`Op`] (the names), [`Request`] and [`Response`] (the
//! wire enums, tagged by `op` with the data under `data`) from this one list, so a new op is one
//! row here plus its data types in the file of its domain.
//!
//! The stateless ops (after `stateless:`) are the official methods whose results the SDK keeps
//! nothing of: their name is the official method's, their request data is the app's parameters
//! and their answer data the official result `data`, both as [`Json`] the SDK does not look
//! inside; the row gives the parameter schema the SDK checks the app's arguments against:
//! `(name, type)` of each required field, the type as JavaScript's `typeof` names it, or
//! `array`.

use crate::conversation::*;
use crate::group::{SyncGroups, SyncGroupsOk};
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
        $sname:literal => $svariant:ident ~ [$(($pname:literal, $ptype:literal)),*];
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
            pub fn stateless(name: &str) -> Option<(Op, Schema)> {
                const TABLE: &[(&str, Op, Schema)] =
                    &[$(($sname, Op::$svariant, &[$(($pname, $ptype)),*]),)*];
                TABLE.iter().find(|row| row.0 == name).map(|row| (row.1, row.2))
            }
        }

        /// A request: `{"op": NAME, "data": {...}}` inside a [`ClientFrame`](crate::ClientFrame).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op", content = "data")]
        pub enum Request {
            $($(#[$doc])* #[serde(rename = $name)] $variant $(($req))?,)*
            /// Any stateless op (one variant for all keeps the SDK's code small).
            #[serde(untagged)]
            Call(Call),
        }

        impl Request {
            pub fn op(&self) -> Op {
                match self {
                    $(Request::$variant { .. } => Op::$variant,)*
                    Request::Call(call) => call.op,
                }
            }

            /// The request of the stateless op `op` with these parameters.
            pub fn stateless(op: Op, params: Json) -> Option<Request> {
                Call::new(op, params).map(Request::Call)
            }

            /// The request of op `op` read straight from its frame's `data` text (`None`:
            /// absent or null), without a tree of the whole frame: the server's fast path
            /// (an error sends it to the slow one, which names the fault precisely).
            pub fn from_data(
                op: Op,
                data: Option<&serde_json::value::RawValue>,
            ) -> Result<Request, serde_json::Error> {
                Ok(match op {
                    $(Op::$variant => op_table!(@read $variant data $($req)?),)*
                    $(Op::$svariant => Request::Call(Call {
                        op,
                        data: Json(data.map_or_else(|| "{}".into(), |d| d.get().to_owned())),
                    }),)*
                })
            }

            /// Why `data` is not the data of the op `op` (not stateless), as serde says it:
            /// a frame that failed to read is named its precise fault with this.
            pub fn data_error(op: Op, data: serde_json::Value) -> Option<String> {
                let fault = match op {
                    $(Op::$variant => op_table!(@check data $($req)?),)*
                    _ => None,
                };
                fault.map(|e| e.to_string())
            }
        }

        /// The result of a request, tagged by the request's op, inside an `ok` frame.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op", content = "data")]
        pub enum Response {
            $(#[serde(rename = $name)] $variant $(($resp))?,)*
            /// The answer of any stateless op.
            #[serde(untagged)]
            Call(Call),
        }

        impl Response {
            pub fn op(&self) -> Op {
                match self {
                    $(Response::$variant { .. } => Op::$variant,)*
                    Response::Call(call) => call.op,
                }
            }

            /// The answer of the stateless op `op` with this result `data`.
            pub fn stateless(op: Op, data: Json) -> Option<Response> {
                Call::new(op, data).map(Response::Call)
            }

            /// The result `data` of a stateless op's answer.
            pub fn json(&self) -> Option<&Json> {
                match self {
                    Response::Call(call) => Some(&call.data),
                    _ => None,
                }
            }
        }

        impl Op {
            /// Whether the op is stateless: its request and answer are a [`Call`].
            pub fn is_stateless(self) -> bool {
                matches!(self, $(Op::$svariant)|*)
            }
        }
    };
    (@read $variant:ident $data:ident $req:ty) => {
        Request::$variant(serde_json::from_str($data.map_or("null", |d| d.get()))?)
    };
    (@read $variant:ident $data:ident) => {
        match $data.map_or("null", |d| d.get()) {
            "null" => Request::$variant,
            _ => return Err(serde::de::Error::custom("this op takes no data")),
        }
    };
    (@check $data:ident $req:ty) => {
        serde_json::from_value::<$req>($data).err()
    };
    (@check $data:ident) => {
        None::<serde_json::Error>
    };
}

/// A stateless op's request or answer: the op and its data, which the SDK passes through as
/// they are. On the wire it is `{"op": NAME, "data": ...}` like every other op.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub op: Op,
    pub data: Json,
}

impl Call {
    /// `None` when `op` is not stateless.
    pub fn new(op: Op, data: Json) -> Option<Call> {
        op.is_stateless().then_some(Call { op, data })
    }
}

impl Serialize for Call {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut call = s.serialize_struct("Call", 2)?;
        call.serialize_field("op", self.op.name())?;
        call.serialize_field("data", &self.data)?;
        call.end()
    }
}

/// Only a stateless op reads as a call; its data defaults to `{}`.
impl<'de> Deserialize<'de> for Call {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            op: String,
            data: Option<Json>,
        }
        let raw = Raw::deserialize(d)?;
        let data = raw.data.unwrap_or_else(|| Json("{}".into()));
        Op::from_name(&raw.op)
            .and_then(|op| Call::new(op, data))
            .ok_or_else(|| serde::de::Error::custom(format!("{:?} is not a stateless op", raw.op)))
    }
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
    // Group messages (group.rs): what the caller missed of their groups.
    "syncGroups" => SyncGroups(SyncGroups) -> (SyncGroupsOk);
    stateless:
    // Profiles (profile.rs).
    "getMyProfile" => GetMyProfile ~ [];
    "getUserProfile" => GetUserProfile ~ [("userIDList", "array")];
    "updateMyProfile" => UpdateMyProfile ~ [];
    // Relations (relation.rs): the blacklist, friends, applications, friend groups.
    "getBlacklist" => GetBlacklist ~ [];
    "addToBlacklist" => AddToBlacklist ~ [("userIDList", "array")];
    "removeFromBlacklist" => RemoveFromBlacklist ~ [("userIDList", "array")];
    "getFriendList" => GetFriendList ~ [];
    "addFriend" => AddFriend ~ [("to", "string"), ("source", "string")];
    "deleteFriend" => DeleteFriend ~ [("userIDList", "array")];
    "checkFriend" => CheckFriend ~ [("userIDList", "array")];
    "getFriendProfile" => GetFriendProfile ~ [("userIDList", "array")];
    "updateFriend" => UpdateFriend ~ [("userID", "string")];
    "getFriendApplicationList" => GetFriendApplicationList ~ [];
    "acceptFriendApplication" => AcceptFriendApplication ~ [("userID", "string")];
    "refuseFriendApplication" => RefuseFriendApplication ~ [("userID", "string")];
    "deleteFriendApplication" => DeleteFriendApplication ~ [("userID", "string")];
    "setFriendApplicationRead" => SetFriendApplicationRead ~ [];
    "getFriendGroupList" => GetFriendGroupList ~ [];
    "createFriendGroup" => CreateFriendGroup ~ [("name", "string")];
    "deleteFriendGroup" => DeleteFriendGroup ~ [("name", "string")];
    "renameFriendGroup" => RenameFriendGroup ~ [("oldName", "string"), ("newName", "string")];
    "addToFriendGroup" => AddToFriendGroup ~ [("name", "string"), ("userIDList", "array")];
    "removeFromFriendGroup" => RemoveFromFriendGroup ~ [("name", "string"), ("userIDList", "array")];
    // User status (status.rs).
    "setSelfStatus" => SetSelfStatus ~ [("customStatus", "string")];
    "getUserStatus" => GetUserStatus ~ [("userIDList", "array")];
    "subscribeUserStatus" => SubscribeUserStatus ~ [("userIDList", "array")];
    "unsubscribeUserStatus" => UnsubscribeUserStatus ~ [];
    // Conversation groups (conversation.rs).
    "createConversationGroup" => CreateConversationGroup ~ [("groupName", "string"), ("conversationIDList", "array")];
    "getConversationGroupList" => GetConversationGroupList ~ [];
    "deleteConversationGroup" => DeleteConversationGroup ~ [];
    "renameConversationGroup" => RenameConversationGroup ~ [("oldName", "string"), ("newName", "string")];
    "addConversationsToGroup" => AddConversationsToGroup ~ [("groupName", "string"), ("conversationIDList", "array")];
    "deleteConversationsFromGroup" => DeleteConversationsFromGroup ~ [("groupName", "string"), ("conversationIDList", "array")];
    // Groups (group.rs): their life, then their members.
    "createGroup" => CreateGroup ~ [("name", "string")];
    "getGroupList" => GetGroupList ~ [];
    "getGroupProfile" => GetGroupProfile ~ [("groupID", "string")];
    "searchGroupByID" => SearchGroupById ~ [];
    "updateGroupProfile" => UpdateGroupProfile ~ [("groupID", "string")];
    "joinGroup" => JoinGroup ~ [("groupID", "string")];
    "quitGroup" => QuitGroup ~ [];
    "dismissGroup" => DismissGroup ~ [];
    "changeGroupOwner" => ChangeGroupOwner ~ [("groupID", "string"), ("newOwnerID", "string")];
    "getGroupApplicationList" => GetGroupApplicationList ~ [];
    "handleGroupApplication" => HandleGroupApplication ~ [("handleAction", "string")];
    "setMessageRemindType" => SetMessageRemindType ~ [("groupID", "string"), ("messageRemindType", "string")];
    "getGroupMemberList" => GetGroupMemberList ~ [("groupID", "string")];
    "getGroupMemberProfile" => GetGroupMemberProfile ~ [("groupID", "string"), ("userIDList", "array")];
    "addGroupMember" => AddGroupMember ~ [("groupID", "string"), ("userIDList", "array")];
    "deleteGroupMember" => DeleteGroupMember ~ [("groupID", "string"), ("userIDList", "array")];
    "setGroupMemberRole" => SetGroupMemberRole ~ [("groupID", "string"), ("userID", "string"), ("role", "string")];
    "setGroupMemberMuteTime" => SetGroupMemberMuteTime ~ [("groupID", "string"), ("userID", "string"), ("muteTime", "number")];
    "setGroupMemberNameCard" => SetGroupMemberNameCard ~ [("groupID", "string"), ("nameCard", "string")];
    "setGroupMemberCustomField" => SetGroupMemberCustomField ~ [("groupID", "string"), ("memberCustomField", "array")];
    // Group read receipts (group.rs). The first two take the app's message list, each message
    // with only its `ID`, `conversationID` and `sequence` (the SDK sends a C2C list otherwise);
    // the counts come back as `messageList[i].readReceiptInfo`, in the list's order.
    "sendMessageReadReceipt" => SendMessageReadReceipt ~ [];
    "getMessageReadReceiptList" => GetMessageReadReceiptList ~ [];
    "getGroupMessageReadMemberList" => GetGroupMessageReadMemberList ~ [("message", "object")];
    // Group attributes and counters (group.rs).
    "initGroupAttributes" => InitGroupAttributes ~ [("groupID", "string"), ("groupAttributes", "object")];
    "setGroupAttributes" => SetGroupAttributes ~ [("groupID", "string"), ("groupAttributes", "object")];
    "deleteGroupAttributes" => DeleteGroupAttributes ~ [("groupID", "string"), ("keyList", "array")];
    "getGroupAttributes" => GetGroupAttributes ~ [("groupID", "string"), ("keyList", "array")];
    "setGroupCounters" => SetGroupCounters ~ [("groupID", "string"), ("counters", "object")];
    "increaseGroupCounter" => IncreaseGroupCounter ~ [("groupID", "string"), ("key", "string"), ("value", "number")];
    "decreaseGroupCounter" => DecreaseGroupCounter ~ [("groupID", "string"), ("key", "string"), ("value", "number")];
    "getGroupCounters" => GetGroupCounters ~ [("groupID", "string")];
    // Live rooms (group.rs): the official parameter is the groupID alone.
    "getGroupOnlineMemberCount" => GetGroupOnlineMemberCount ~ [];
}

/// The fields of a stateless op's parameters the SDK checks: `(name, type)` of each, the type
/// as JavaScript's `typeof` names it, or `array`; every one is required.
pub type Schema = &'static [(&'static str, &'static str)];

impl Op {
    /// The ops a connection may send before it is logged in: they make or end its session.
    pub fn is_session(self) -> bool {
        matches!(self, Op::Login | Op::Resume | Op::Logout | Op::Heartbeat)
    }
}
