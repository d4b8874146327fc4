//! The errors API calls reject with, shaped like the official IMError `{code, message, data}`,
//! and the SDK-side codes the official SDK uses that the wire protocol has no use for (codes the
//! server also sends live in `tim_proto::codes`). Messages are short and static: the official SDK
//! fetches its texts at runtime, so apps cannot depend on them, and static strings cost no code.

use crate::messages::object::SdkMessage;
use serde::Serialize;
pub use tim_proto::codes::{
    KICKED_OUT_MULT_ACCOUNT, KICKED_OUT_MULT_DEVICE, KICKED_OUT_REST_API,
    KICKED_OUT_USERSIG_EXPIRED, LOGGED_OUT, LOGGING_IN, LOGIN_FAILED,
    READ_RECEIPT_MESSAGE_LIST_EMPTY,
};
use tim_proto::codes::{REPEAT_LOGIN, USER_NOT_LOGGED_IN};

/// The session's credentials went stale (the official MESSAGE_A2KEY_EXPIRED); like 70001 on a
/// live session, it means a `userSigExpired` kick.
pub const MESSAGE_A2KEY_EXPIRED: u32 = 20002;
/// `sendMessage` with a conversation type this SDK cannot send to.
pub const MESSAGE_SEND_INVALID_CONVERSATION_TYPE: u32 = 2106;
/// `sendMessage` of something createXxxMessage did not make (or that was sent already).
pub const MESSAGE_SEND_NEED_MESSAGE_INSTANCE: u32 = 2105;
/// `downloadMergerMessage` of a message that is not a merger message.
pub const MESSAGE_MERGER_TYPE_INVALID: u32 = 2450;
/// deleteMessage of a group system notice (`@TIM#SYSTEM`).
pub const CANNOT_DELETE_GROUP_SYSTEM_NOTICE: u32 = 2116;
/// `deleteMessage` with no messages.
pub const MESSAGE_DELETE_FAIL: u32 = 2111;
/// A conversation this user does not have.
pub const CONVERSATION_NOT_FOUND: u32 = 2500;
/// A conversationID that is not `C2C<userID>`.
pub const INVALID_CONVERSATION_ID: u32 = 2503;
/// The connection failed or closed before the answer came.
pub const NETWORK_ERROR: u32 = 2800;
/// No answer in time.
pub const NETWORK_TIMEOUT: u32 = 2801;
/// An argument names something this instance does not know (e.g. an unseen nextReqMessageID).
pub const INVALID_OPERATION: u32 = 2905;

/// A rejected API call: `{code, message, data}`; `data.message` is the failed message of a
/// `sendMessage`, as the official SDK reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    pub code: u32,
    pub message: String,
    pub data: ErrorData,
}

/// `{}` for most errors, `{message}` for a failed send.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Box<SdkMessage>>,
}

impl ApiError {
    pub fn new(code: u32, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            data: ErrorData::default(),
        }
    }

    /// An error raised by the SDK itself, with its standard text.
    pub fn sdk(code: u32) -> Self {
        Self::new(code, describe(code))
    }
}

fn describe(code: u32) -> &'static str {
    match code {
        USER_NOT_LOGGED_IN => "not logged in",
        REPEAT_LOGIN => "a login is already in progress",
        MESSAGE_SEND_INVALID_CONVERSATION_TYPE => "unsupported conversation type",
        INVALID_CONVERSATION_ID => "invalid conversationID",
        CONVERSATION_NOT_FOUND => "conversation not found",
        MESSAGE_DELETE_FAIL => "no messages to delete",
        MESSAGE_SEND_NEED_MESSAGE_INSTANCE => {
            "sendMessage needs a message made by createXxxMessage"
        }
        MESSAGE_MERGER_TYPE_INVALID => "not a merger message",
        CANNOT_DELETE_GROUP_SYSTEM_NOTICE => "group system notices are not deleted",
        READ_RECEIPT_MESSAGE_LIST_EMPTY => "no messages to send read receipts for",
        NETWORK_ERROR => "network error",
        NETWORK_TIMEOUT => "request timed out",
        INVALID_OPERATION => "unknown nextReqMessageID",
        LOGGING_IN => "login in progress",
        LOGIN_FAILED => "login failed",
        KICKED_OUT_MULT_DEVICE => "kicked out: multipleDevice",
        KICKED_OUT_MULT_ACCOUNT => "kicked out: multipleAccount",
        KICKED_OUT_USERSIG_EXPIRED => "kicked out: userSigExpired",
        LOGGED_OUT => "logged out",
        KICKED_OUT_REST_API => "kicked out: REST_API_Kick",
        _ => "",
    }
}
