//! The sans-IO client of tim-wasm: every rule of the SDK (login, sync, dedupe, heartbeats,
//! reconnection, kicks, the official object shapes) with no socket, clock, thread or JS. A thin
//! driver feeds [`Core`] API calls, server frames, socket closes and timer ticks, and carries out
//! the [`Effect`]s it queues, which makes every lifecycle rule a plain native unit test.

mod client;
mod conversation;
pub mod error;
mod message;
mod output;
mod session;
pub mod vecmap;

pub use client::{Config, Core, SendOptions, MESSAGE_LIST_COUNT};
pub use conversation::{LastMessage, SdkConversation, UserProfile};
pub use error::{ApiError, ErrorData};
pub use message::{
    MessageDraft, ReadReceiptInfo, SdkMessage, FLOW_IN, FLOW_OUT, RAW_JSON, STATUS_FAIL,
    STATUS_SUCCESS, STATUS_UNSEND,
};
pub use output::{
    ConversationList, Effect, Event, LoginOk, MessageList, OpId, OpOk, ReadReceipt, SendOk,
    NET_STATE_CONNECTED, NET_STATE_CONNECTING, NET_STATE_DISCONNECTED,
};
