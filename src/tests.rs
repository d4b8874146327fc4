//! Browser tests of the bindings (`wasm-pack test --headless --chrome`): the JSON writer and
//! the frame reader against the real `JSON` of the JS engine, and one SDK instance driving a
//! fake socket through a login.

use crate::{json, read};
use js_sys::JSON;
use tim_proto::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn message() -> Message {
    Message {
        id: "12-1700000000-7".into(),
        conversation_type: ConversationType::C2C,
        from: "alice".into(),
        to: "bob \"the\" \\ builder\n\u{1}✓".into(),
        sequence: 3,
        time: 1_700_000_000,
        random: 4_294_967_295,
        client_msg_id: "c-1".into(),
        body: MessageBody {
            elements: vec![
                Element::Text { text: "hi".into() },
                Element::Custom {
                    data: "d".into(),
                    description: String::new(),
                    extension: "e".into(),
                },
                Element::Face {
                    index: -3,
                    data: "tt".into(),
                },
                Element::Location {
                    description: "here".into(),
                    longitude: 113.934_5,
                    latitude: -22.5,
                },
                Element::Merger {
                    title: "chat".into(),
                    abstract_list: vec!["a: hi".into()],
                    compatible_text: "upgrade".into(),
                    message_list: r#"[{"ID":"1-2-3","payload":{"text":"hi"}}]"#.into(),
                },
                Element::GroupTip(Json(
                    r#"{"operationType":1,"operatorID":"bob","userIDList":["bob"]}"#.into(),
                )),
            ],
            cloud_custom_data: "ccd".into(),
            need_read_receipt: true,
            excluded_from_unread: true,
            at_user_list: vec!["bob".into()],
            ..MessageBody::default()
        },
        revoker: "alice".into(),
        version: 3,
        // The reader leaves it out (see read.rs).
        modifier: String::new(),
        nick: "Bob".into(),
        avatar: "b.png".into(),
        name_card: "Bobby".into(),
    }
}

fn conversations() -> ConversationsOk {
    ConversationsOk {
        conversation_groups: vec![tim_proto::ConversationGroup {
            name: "fav".into(),
            conversation_id_list: vec!["C2Cbob".into()],
        }],
        conversations: vec![
            Conversation {
                id: ConversationId::C2C("bob".into()),
                unread_count: 3,
                is_pinned: true,
                mark: 5,
                custom_data: "draft".into(),
                peer_read_seq: 2,
                last_message: Some(message()),
                updated: 9,
                deleted: false,
                peer_nick: "Bob".into(),
                peer_avatar: "b.png".into(),
                group_at_info_list: Vec::new(),
            },
            Conversation {
                unread_count: 2,
                group_at_info_list: vec![tim_proto::conversation::GroupAtInfo {
                    message_sequence: 7,
                    at_type: 3,
                }],
                ..Conversation::empty(ConversationId::Group("@TGS#ABC".into()))
            },
            Conversation {
                deleted: true,
                updated: 1,
                ..Conversation::empty(ConversationId::C2C("carol".into()))
            },
        ],
        inbox_seq: 12,
        complete: true,
    }
}

/// One answer of each op: a new op fails to compile here until it has its case.
fn sample(op: Op) -> Response {
    match op {
        Op::Login => Response::Login(LoginOk {
            user_id: "alice".into(),
            repeat_login: true,
            inbox_seq: 42,
            server_time: 5,
            resume_token: "0123abcd".into(),
            groups: vec![("team".into(), 7)],
        }),
        Op::Resume => Response::Resume(ResumeOk {
            user_id: "alice".into(),
            inbox_seq: 43,
            server_time: 6,
        }),
        Op::Logout => Response::Logout,
        Op::Heartbeat => Response::Heartbeat(HeartbeatOk { server_time: 6 }),
        Op::Sync => Response::Sync(SyncOk {
            items: inbox_items(),
            inbox_seq: 7,
            complete: false,
        }),
        Op::SendMessage => Response::SendMessage(SendMessageOk { message: message() }),
        Op::GetHistory => Response::GetHistory(GetHistoryOk {
            messages: vec![message(), message()],
            complete: true,
        }),
        Op::RevokeMessage => Response::RevokeMessage(MessageOk { message: message() }),
        Op::ModifyMessage => Response::ModifyMessage(MessageOk { message: message() }),
        Op::DeleteMessages => Response::DeleteMessages(conversations()),
        Op::GetConversations => Response::GetConversations(conversations()),
        Op::SetRead => Response::SetRead(conversations()),
        Op::SetAllRead => Response::SetAllRead(conversations()),
        Op::DeleteConversation => Response::DeleteConversation(conversations()),
        Op::ClearHistory => Response::ClearHistory(conversations()),
        Op::PinConversation => Response::PinConversation(conversations()),
        Op::MarkConversations => Response::MarkConversations(conversations()),
        Op::SetCustomData => Response::SetCustomData(conversations()),
        Op::SyncGroups => Response::SyncGroups(tim_proto::group::SyncGroupsOk {
            messages: vec![message()],
            groups: vec![("g1".into(), 4), ("g2".into(), 0)],
            complete: false,
        }),
        // Stateless: any JSON comes back as it was.
        op => Response::stateless(op, Json(r#"{"userID":"bob","n":[1,"x"]}"#.into()))
            .expect("a stateless op"),
    }
}

/// Which kind an inbox event is; a new kind fails to compile here until it has its number,
/// and then [`inbox_items`] must show one of it.
fn inbox_kind(event: &InboxEvent) -> usize {
    match event {
        InboxEvent::Message { .. } => 0,
        InboxEvent::Conversation { .. } => 1,
        InboxEvent::Revoked { .. } => 2,
        InboxEvent::Modified { .. } => 3,
        InboxEvent::PeerRead { .. } => 4,
        InboxEvent::Profile { .. } => 5,
        InboxEvent::Changed { .. } => 6,
        InboxEvent::ConversationGroups { .. } => 7,
        InboxEvent::Notice { .. } => 8,
        InboxEvent::Receipts { .. } => 9,
    }
}
const INBOX_KINDS: usize = 10;

fn inbox_items() -> Vec<InboxItem> {
    let events = [
        InboxEvent::Message { message: message() },
        InboxEvent::Conversation {
            conversation: conversations().conversations.remove(0),
        },
        InboxEvent::Revoked { message: message() },
        InboxEvent::Modified { message: message() },
        InboxEvent::PeerRead {
            conversation_id: ConversationId::C2C("bob".into()),
            read_seq: 4,
        },
        InboxEvent::Profile {
            profile: Json(r#"{"userID":"bob","nick":"B"}"#.into()),
        },
        InboxEvent::Changed {
            list: tim_proto::relation::List::FriendApplications,
        },
        InboxEvent::ConversationGroups {
            conversation_groups: vec![tim_proto::ConversationGroup {
                name: "fav".into(),
                conversation_id_list: vec!["C2Cbob".into()],
            }],
        },
        InboxEvent::Notice {
            message: Message {
                conversation_type: tim_proto::ConversationType::System,
                from: "@TIM#SYSTEM".into(),
                body: MessageBody {
                    elements: vec![Element::GroupNotice(Json(
                        r#"{"operationType":4,"operatorID":"bob"}"#.into(),
                    ))],
                    ..MessageBody::default()
                },
                ..message()
            },
        },
        InboxEvent::Receipts {
            receipts: Json(
                r#"[{"groupID":"team","conversationID":"GROUPteam","messageID":"1-2-3","readCount":2,"unreadCount":5}]"#
                    .into(),
            ),
        },
    ];
    events
        .into_iter()
        .zip(1..)
        .map(|(event, seq)| InboxItem { seq, event })
        .collect()
}

/// Which `type` a frame is, likewise.
fn frame_type(frame: &ServerFrame) -> usize {
    match frame {
        ServerFrame::Hello(_) => 0,
        ServerFrame::Ok(_) => 1,
        ServerFrame::Err(_) => 2,
        ServerFrame::Inbox(_) => 3,
        ServerFrame::Kicked(_) => 4,
        ServerFrame::Online(_) => 5,
        ServerFrame::Status(_) => 6,
        ServerFrame::Group(_) => 7,
        ServerFrame::GroupEvent(_) => 8,
    }
}
const FRAME_TYPES: usize = 9;

/// Through our writer and the engine's JSON.parse, back through our reader.
fn round_trip(frame: &ServerFrame) -> Option<ServerFrame> {
    let text = json::to_json(frame).expect("serializes");
    read::frame(&JSON::parse(&text).expect("valid JSON"))
}

/// Every server frame the protocol has, each kind of each: every `type`, every op's answer,
/// every inbox kind.
#[wasm_bindgen_test]
fn every_server_frame_reads_back() {
    let items = inbox_items();
    let mut kinds: Vec<usize> = items.iter().map(|i| inbox_kind(&i.event)).collect();
    kinds.dedup();
    assert_eq!(
        kinds,
        (0..INBOX_KINDS).collect::<Vec<_>>(),
        "one item of each kind"
    );
    let mut frames = vec![
        ServerFrame::Hello(Hello {
            protocol: 1,
            server: "tim-server/0.1.0".into(),
            heartbeat_ms: 10_000,
            idle_timeout_ms: 30_000,
            max_frame_bytes: 65_536,
        }),
        ServerFrame::Err(ErrFrame {
            id: None,
            code: 60003,
            message: "frame is not JSON".into(),
        }),
        ServerFrame::Err(ErrFrame {
            id: Some(3),
            code: 80002,
            message: String::new(),
        }),
        ServerFrame::Kicked(Kicked {
            reason: "multipleAccount".into(),
        }),
        ServerFrame::Online(OnlineMessage { message: message() }),
        ServerFrame::Group(tim_proto::group::GroupPush {
            message: Message {
                conversation_type: tim_proto::ConversationType::Group,
                to: "@TGS#ABC".into(),
                ..message()
            },
        }),
        ServerFrame::Status(tim_proto::status::StatusPush {
            user_status_list: Json(
                r#"[{"userID":"bob","statusType":1,"customStatus":"busy"}]"#.into(),
            ),
        }),
        ServerFrame::GroupEvent(tim_proto::group::GroupEvent {
            event: "counter".into(),
            data: Json(r#"{"groupID":"team","key":"likes","value":7}"#.into()),
        }),
    ];
    frames.extend(items.into_iter().map(ServerFrame::Inbox));
    for (id, op) in (1..).zip(Op::ALL) {
        let response = sample(*op);
        assert_eq!(response.op(), *op);
        frames.push(ServerFrame::Ok(OkFrame { id, response }));
    }
    let mut types: Vec<usize> = frames.iter().map(frame_type).collect();
    types.sort_unstable();
    types.dedup();
    assert_eq!(
        types,
        (0..FRAME_TYPES).collect::<Vec<_>>(),
        "one frame of each type"
    );
    for frame in frames {
        assert_eq!(round_trip(&frame).as_ref(), Some(&frame));
    }
}

#[wasm_bindgen_test]
fn frames_that_do_not_match_are_dropped() {
    for text in [
        r#"{"type":"teleport"}"#,
        r#"{"type":"ok","id":1,"op":"login","data":{}}"#,
        r#"{"type":"ok","id":-1,"op":"logout"}"#,
        r#"{"type":"inbox","seq":1,"kind":"message","message":{"ID":"x"}}"#,
        r#"{"type":"inbox","seq":1.5,"kind":"message"}"#,
        r#"[1,2]"#,
        r#""hello""#,
    ] {
        assert_eq!(read::frame(&JSON::parse(text).unwrap()), None, "{text}");
    }
}

#[wasm_bindgen_test]
fn client_frames_are_the_json_the_server_expects() {
    let frame = ClientFrame {
        id: 3,
        request: Request::SendMessage(SendMessage {
            conversation_type: ConversationType::C2C,
            to: "bob".into(),
            client_msg_id: "c-1".into(),
            random: 7,
            body: MessageBody {
                elements: vec![Element::Location {
                    description: "a\tb".into(),
                    longitude: 0.1,
                    latitude: 1e21,
                }],
                ..MessageBody::default()
            },
            online_only: false,
        }),
    };
    assert_eq!(
        json::to_json(&frame).unwrap(),
        r#"{"id":3,"op":"sendMessage","data":{"conversationType":"C2C","to":"bob","clientMsgID":"c-1","random":7,"elements":[{"type":"TIMLocationElem","content":{"description":"a\tb","longitude":0.1,"latitude":1e+21}}]}}"#
    );
    let heartbeat = ClientFrame {
        id: 4,
        request: Request::Heartbeat,
    };
    assert_eq!(
        json::to_json(&heartbeat).unwrap(),
        r#"{"id":4,"op":"heartbeat"}"#
    );
    // Whatever we write, the engine parses back to the same strings.
    let tricky = "quote\" backslash\\ nl\n cr\r ctl\u{1f} emoji😀";
    let parsed = JSON::parse(&json::to_json(tricky).unwrap()).unwrap();
    assert_eq!(parsed, JsValue::from_str(tricky));
    assert_eq!(json::to_json(&u64::MAX).unwrap(), "18446744073709551615");
    assert_eq!(json::to_json(&i64::MIN).unwrap(), "-9223372036854775808");
    assert_eq!(json::to_json(&f64::NAN).unwrap(), "null");
}

/// A WebSocket stand-in: records what is sent; the test plays the server through `onmessage`.
fn fake_socket_class() -> js_sys::Function {
    js_sys::Function::new_no_args(
        "function Fake(url) { this.url = url; this.sent = []; Fake.last = this; }
         Fake.prototype.send = function (d) { this.sent.push(JSON.parse(d)); };
         Fake.prototype.close = function () { this.closed = true; };
         return Fake;",
    )
    .call0(&JsValue::NULL)
    .unwrap()
    .into()
}

fn field(v: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(v.clone(), |v, k| read::get(&v, k))
}

#[wasm_bindgen_test]
async fn an_sdk_logs_in_over_a_socket_it_is_handed() {
    let class = fake_socket_class();
    let events = js_sys::Array::new();
    let emit: js_sys::Function =
        js_sys::Function::new_with_args("events", "return (n, d) => events.push([n, d])")
            .call1(&JsValue::NULL, &events)
            .unwrap()
            .into();
    let sdk = crate::Sdk::new(
        1400000000.0,
        "ws://test/v1/ws".into(),
        class.clone(),
        emit,
        JsValue::UNDEFINED,
        "web",
    );
    sdk.set_log_level(4);
    let login = sdk.call("login", "alice".into(), "sig".into()).unwrap();
    let login = js_sys::Promise::from(login);
    let socket = read::get(&class, "last");
    assert_eq!(read::get(&socket, "url"), "ws://test/v1/ws");
    let serve = |frame: &str| {
        let onmessage: js_sys::Function = read::get(&socket, "onmessage").into();
        let event = js_sys::Object::new();
        js_sys::Reflect::set(&event, &"data".into(), &frame.into()).unwrap();
        onmessage.call1(&JsValue::NULL, &event).unwrap();
    };
    serve(
        r#"{"type":"hello","protocol":1,"server":"t","heartbeatMs":10000,"idleTimeoutMs":30000,"maxFrameBytes":65536}"#,
    );
    let sent = js_sys::Array::from(&read::get(&socket, "sent"));
    let login_frame = sent.get(0);
    assert_eq!(read::get(&login_frame, "op"), "login");
    assert_eq!(field(&login_frame, &["data", "userID"]), "alice");
    assert_eq!(field(&login_frame, &["data", "SDKAppID"]), 1400000000.0);
    let id = read::get(&login_frame, "id").as_f64().unwrap();
    serve(&format!(
        r#"{{"type":"ok","id":{id},"op":"login","data":{{"userID":"alice","repeatLogin":false,"inboxSeq":0,"serverTime":1,"resumeToken":"t"}}}}"#
    ));
    let list = js_sys::Array::from(&read::get(&socket, "sent")).get(1);
    assert_eq!(read::get(&list, "op"), "getConversations");
    let id = read::get(&list, "id").as_f64().unwrap();
    serve(&format!(
        r#"{{"type":"ok","id":{id},"op":"getConversations","data":{{"conversations":[],"inboxSeq":0,"complete":true}}}}"#
    ));
    let result = wasm_bindgen_futures::JsFuture::from(login).await.unwrap();
    assert_eq!(read::get(&result, "code"), 0);
    assert_eq!(field(&result, &["data", "repeatLogin"]), false);
    let sync = js_sys::Array::from(&read::get(&socket, "sent")).get(2);
    assert_eq!(read::get(&sync, "op"), "sync");
    let id = read::get(&sync, "id").as_f64().unwrap();
    serve(&format!(
        r#"{{"type":"ok","id":{id},"op":"sync","data":{{"items":[],"inboxSeq":0,"complete":true}}}}"#
    ));
    // Then where the groups stand.
    let groups = js_sys::Array::from(&read::get(&socket, "sent")).get(3);
    assert_eq!(read::get(&groups, "op"), "syncGroups");
    assert_eq!(
        js_sys::Array::from(&field(&groups, &["data", "cursors"])).length(),
        0
    );
    let id = read::get(&groups, "id").as_f64().unwrap();
    serve(&format!(
        r#"{{"type":"ok","id":{id},"op":"syncGroups","data":{{"messages":[],"groups":[["g1",3]],"complete":true}}}}"#
    ));
    let names: Vec<String> = events
        .iter()
        .map(|e| js_sys::Array::from(&e).get(0).as_string().unwrap())
        .collect();
    assert!(names.contains(&"sdkStateReady".to_owned()), "{names:?}");
    assert!(sdk.core(|c| c.check_ready()).is_ok());
}
