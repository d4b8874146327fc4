//! Wire protocol v1 of tim-wasm, shared by the SDK and tim-server.
//!
//! Every WebSocket text frame is one JSON object. The client sends [`ClientFrame`]s (a request
//! with an `id`); the server sends [`ServerFrame`]s (the `hello` greeting, `ok`/`err` answers
//! that echo the request `id`, and pushes). [`ops`] is the table of requests; each domain's data
//! types live in the file named after it. docs/PROTOCOL.md is the prose form of this crate.

use serde::{Deserialize, Serialize};

pub mod codes;
pub mod conversation;
pub mod group;
pub mod ids;
pub mod inbox;
pub mod json;
pub mod message;
pub mod ops;
pub mod profile;
pub mod relation;
pub mod session;
pub mod status;

pub use conversation::*;
pub use ids::*;
pub use inbox::*;
pub use json::{Json, RAW_VALUE_TOKEN};
pub use message::*;
pub use ops::{Call, Op, Request, Response};

/// The most bytes of items (inbox items, conversations) one answer carries: a page that would
/// be larger ends early, with at least one item, and says it is not complete.
pub const MAX_ANSWER_BYTES: usize = 2 << 20;

/// The length of `value` as compact JSON, counted without building the text.
pub fn json_len<T: serde::Serialize + ?Sized>(value: &T) -> usize {
    /// Counts what is written to it.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut n = Count(0);
    // Writing to a counter cannot fail; a value that cannot be JSON counts for what it wrote.
    let _ = serde_json::to_writer(&mut n, value);
    n.0
}
pub use session::*;

/// The protocol version this crate speaks; `hello` announces it and `login` must carry it.
pub const PROTOCOL_VERSION: u32 = 1;

/// The WebSocket endpoint path on tim-server.
pub const WS_PATH: &str = "/v1/ws";

/// A client-to-server frame: `{"id": 7, "op": "sendMessage", "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientFrame {
    /// Chosen by the client, echoed in the answer; unique among the client's pending requests.
    pub id: u64,
    #[serde(flatten)]
    pub request: Request,
}

/// A server-to-client frame, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ServerFrame {
    /// Sent once, first, on every new connection.
    Hello(Hello),
    /// A successful answer to the request with the same `id`.
    Ok(OkFrame),
    /// A failed answer (or, with `id` null, a frame that could not be read at all).
    Err(ErrFrame),
    /// A new item of the logged-in user's inbox.
    Inbox(InboxItem),
    /// This session was ended by the server; the connection closes right after.
    Kicked(Kicked),
    /// An online-only message (not stored, not in the inbox): for sessions online now.
    Online(OnlineMessage),
    /// Statuses of users the session's user watches (subscribed to, or friends) changed.
    Status(status::StatusPush),
    /// A message of one of the user's groups (see [`group::SyncGroups`]).
    Group(group::GroupPush),
    /// A group's attributes or counters changed (see [`group::GroupEvent`]).
    GroupEvent(group::GroupEvent),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hello {
    pub protocol: u32,
    pub server: String,
    /// How often the client should send `heartbeat`.
    pub heartbeat_ms: u64,
    /// A connection silent for this long is closed by the server.
    pub idle_timeout_ms: u64,
    /// Larger request frames are refused with code 80002.
    pub max_frame_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OkFrame {
    pub id: u64,
    #[serde(flatten)]
    pub response: Response,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrFrame {
    pub id: Option<u64>,
    pub code: u32,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnlineMessage {
    pub message: Message,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kicked {
    /// An official KICKED_OUT type: `multipleAccount`, `userSigExpired`, `REST_API_Kick`, ...
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip_client(json: &str) -> ClientFrame {
        let frame: ClientFrame = serde_json::from_str(json).unwrap();
        let back = serde_json::to_string(&frame).unwrap();
        assert_eq!(serde_json::from_str::<ClientFrame>(&back).unwrap(), frame);
        frame
    }

    #[test]
    fn op_names_are_unique_and_read_back() {
        for (i, op) in Op::ALL.iter().enumerate() {
            assert_eq!(Op::from_name(op.name()), Some(*op));
            assert!(
                Op::ALL[..i].iter().all(|o| o.name() != op.name()),
                "{} twice",
                op.name()
            );
        }
        assert_eq!(Op::from_name("fly"), None);
    }

    #[test]
    fn unit_requests_need_no_data() {
        let f = round_trip_client(r#"{"id":3,"op":"heartbeat"}"#);
        assert_eq!(f.request, Request::Heartbeat);
        assert_eq!(f.request.op(), Op::Heartbeat);
    }

    #[test]
    fn send_message_reads_official_element_names() {
        let f = round_trip_client(
            r#"{"id":9,"op":"sendMessage","data":{"conversationType":"C2C","to":"bob",
            "clientMsgID":"c-1","random":7,"elements":[{"type":"TIMTextElem","content":{"text":"hi"}},
            {"type":"TIMCustomElem","content":{"data":"d"}}],"atUserList":["carol"]}}"#,
        );
        let Request::SendMessage(s) = f.request else {
            panic!("not a send")
        };
        assert_eq!(s.body.elements[0], Element::Text { text: "hi".into() });
        assert_eq!(s.body.at_user_list, ["carol"]);
        // As stored: the elements' JSON, and "carol" with its line break.
        let stored = serde_json::to_string(&s.body.elements).unwrap();
        assert_eq!(s.body.bytes(), stored.len() + 6);
    }

    #[test]
    fn conversation_ids_have_one_string_form() {
        for (text, id) in [
            ("C2Cbob", ConversationId::C2C("bob".into())),
            ("GROUPg1", ConversationId::Group("g1".into())),
            ("@TIM#SYSTEM", ConversationId::System),
            ("C2CGROUPx", ConversationId::C2C("GROUPx".into())),
        ] {
            assert_eq!(ConversationId::parse(text), Some(id.clone()), "{text}");
            assert_eq!(id.to_id_string(), text);
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(serde_json::from_str::<ConversationId>(&json).unwrap(), id);
        }
        for bad in ["", "C2C", "GROUP", "c2cbob", "@TIM#SYSTEMx", "bob"] {
            assert_eq!(ConversationId::parse(bad), None, "{bad}");
        }
        assert!(serde_json::from_str::<ConversationRef>(r#"{"conversationID":"x"}"#).is_err());
    }

    #[test]
    fn server_frames_are_tagged_by_type() {
        let ok = ServerFrame::Ok(OkFrame {
            id: 1,
            response: Response::Heartbeat(HeartbeatOk { server_time: 5 }),
        });
        let s = serde_json::to_string(&ok).unwrap();
        assert_eq!(
            s,
            r#"{"type":"ok","id":1,"op":"heartbeat","data":{"serverTime":5}}"#
        );
        assert_eq!(serde_json::from_str::<ServerFrame>(&s).unwrap(), ok);
        let logout = ServerFrame::Ok(OkFrame {
            id: 2,
            response: Response::Logout,
        });
        let s = serde_json::to_string(&logout).unwrap();
        assert_eq!(serde_json::from_str::<ServerFrame>(&s).unwrap(), logout);
    }

    #[test]
    fn inbox_items_flatten_their_event() {
        let item = InboxItem {
            seq: 4,
            event: InboxEvent::Message {
                message: Message {
                    id: "1-2-3".into(),
                    conversation_type: ConversationType::C2C,
                    from: "a".into(),
                    to: "b".into(),
                    sequence: 1,
                    time: 2,
                    random: 3,
                    client_msg_id: "x".into(),
                    body: MessageBody {
                        elements: vec![Element::Face {
                            index: 1,
                            data: "tt00".into(),
                        }],
                        ..MessageBody::default()
                    },
                    ..Default::default()
                },
            },
        };
        let s = serde_json::to_string(&ServerFrame::Inbox(item.clone())).unwrap();
        assert!(
            s.starts_with(r#"{"type":"inbox","seq":4,"kind":"message","message":{"ID":"1-2-3""#)
        );
        assert_eq!(
            serde_json::from_str::<ServerFrame>(&s).unwrap(),
            ServerFrame::Inbox(item)
        );
    }
}
