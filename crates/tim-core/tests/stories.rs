//! Whole client stories driven through the public API with constructed server frames: what the
//! driver would see, effect by effect.

use serde_json::json;
use tim_core::error::*;
use tim_core::*;
use tim_proto as proto;
use tim_proto::{ClientFrame, ConversationType, Element, InboxItem, Message, Request, Response};
use tim_proto::{ServerFrame, Sync};

const APP: u64 = 1_400_000_001;

fn drain(core: &mut Core) -> Vec<Effect> {
    std::iter::from_fn(|| core.poll_effect()).collect()
}

/// The one frame among `effects`, which must be the only effect.
fn single_send(effects: Vec<Effect>) -> ClientFrame {
    match <[Effect; 1]>::try_from(effects) {
        Ok([Effect::Send(frame)]) => frame,
        other => panic!("expected one frame, got {other:?}"),
    }
}

fn hello() -> ServerFrame {
    ServerFrame::Hello(proto::Hello {
        protocol: proto::PROTOCOL_VERSION,
        server: "test".into(),
        heartbeat_ms: 20_000,
        idle_timeout_ms: 60_000,
        max_frame_bytes: 65_536,
    })
}

fn ok(id: u64, response: Response) -> ServerFrame {
    ServerFrame::Ok(proto::OkFrame { id, response })
}

fn err(id: u64, code: u32, message: &str) -> ServerFrame {
    ServerFrame::Err(proto::ErrFrame {
        id: Some(id),
        code,
        message: message.into(),
    })
}

fn login_ok(user: &str, inbox_seq: u64) -> Response {
    Response::Login(proto::LoginOk {
        user_id: user.into(),
        repeat_login: false,
        inbox_seq,
        server_time: 1_700_000_000,
        resume_token: format!("token-of-{user}"),
        groups: Vec::new(),
    })
}

fn sync_page(items: Vec<InboxItem>, complete: bool) -> Response {
    let inbox_seq = items.last().map_or(0, |i| i.seq);
    Response::Sync(proto::SyncOk {
        items,
        inbox_seq,
        complete,
    })
}

/// Message number `seq` of the conversation of `from` and `to`.
fn stored(seq: u64, from: &str, to: &str, client_msg_id: &str) -> Message {
    Message {
        id: format!("{from}-{seq}"),
        conversation_type: ConversationType::C2C,
        from: from.into(),
        to: to.into(),
        sequence: seq,
        time: 1_700_000_000 + seq,
        random: 7,
        client_msg_id: client_msg_id.into(),
        body: proto::MessageBody {
            elements: vec![Element::Text {
                text: format!("m{seq}"),
            }],
            ..Default::default()
        },
        ..Default::default()
    }
}

fn c2c(peer: &str) -> proto::ConversationId {
    proto::ConversationId::C2C(peer.into())
}

fn item(seq: u64, message: Message) -> InboxItem {
    InboxItem {
        seq,
        event: proto::InboxEvent::Message { message },
    }
}

fn push(seq: u64, message: Message) -> ServerFrame {
    ServerFrame::Inbox(item(seq, message))
}

fn text_to(to: &str, text: &str) -> MessageDraft {
    MessageDraft {
        to: to.into(),
        conversation_type: ConversationType::C2C,
        payload: Element::Text { text: text.into() },
        cloud_custom_data: String::new(),
        need_read_receipt: false,
        at_user_list: Vec::new(),
    }
}

fn login_result(repeat: bool) -> Result<OpOk, ApiError> {
    Ok(OpOk::Login(tim_core::LoginOk {
        repeat_login: repeat,
        error_info: None,
    }))
}

/// Logs `user` in at `now` with the inbox at `inbox_seq`, through SDK_READY.
fn log_in(core: &mut Core, now: u64, user: &str, inbox_seq: u64) {
    let op = core.login(now, user, "sig", None).unwrap();
    assert_eq!(drain(core), [Effect::Connect]);
    core.on_frame(now, hello());
    let login = single_send(drain(core));
    core.on_frame(now, ok(login.id, login_ok(user, inbox_seq)));
    let mut effects = drain(core);
    let list = single_send(effects.split_off(1));
    assert_eq!(effects, [Effect::Complete(op, login_result(false))]);
    // The conversation list comes first, then the inbox from where the list was taken.
    assert_eq!(
        list.request,
        Request::GetConversations(proto::GetConversations {
            after: None,
            limit: 1000
        })
    );
    core.on_frame(now, ok(list.id, conversations(vec![], inbox_seq)));
    let sync = single_send(drain(core));
    assert_eq!(
        sync.request,
        Request::Sync(Sync {
            after: inbox_seq,
            limit: 100
        })
    );
    core.on_frame(now, ok(sync.id, sync_page(vec![], true)));
    // Then where the groups stand (the first time: no cursors).
    let groups = single_send(drain(core));
    assert_eq!(
        groups.request,
        Request::SyncGroups(proto::group::SyncGroups {
            cursors: vec![],
            limit: 100
        })
    );
    core.on_frame(now, ok(groups.id, groups_page(vec![], vec![], true)));
    let effects = drain(core);
    assert_eq!(
        effects[..3],
        [
            Effect::Emit(Event::SdkReady),
            Effect::Emit(Event::ConversationListUpdated(vec![])),
            Effect::Emit(Event::TotalUnreadMessageCountUpdated(0)),
        ]
    );
    assert_eq!(answer_lists(core, now, effects[3..].to_vec()), []);
}

/// The relation lists a ready SDK fetches: their frames among `effects` answered (empty), and
/// their events checked; returns the other effects.
fn answer_lists(core: &mut Core, now: u64, effects: Vec<Effect>) -> Vec<Effect> {
    let (fetches, rest): (Vec<Effect>, Vec<Effect>) = effects.into_iter().partition(|e| {
        matches!(e, Effect::Send(f) if proto::relation::List::ALL.iter().any(|l| l.op() == f.request.op()))
    });
    let lists = proto::relation::List::ALL.len();
    assert_eq!(fetches.len(), lists, "each list fetched once: {fetches:?}");
    for fetch in fetches {
        let Effect::Send(frame) = fetch else { continue };
        let empty = match frame.request.op() {
            proto::Op::GetFriendApplicationList => {
                r#"{"friendApplicationList":[],"unreadCount":0}"#
            }
            proto::Op::GetGroupList => r#"{"groupList":[]}"#,
            _ => "[]",
        };
        let answer = Response::stateless(frame.request.op(), proto::Json(empty.into())).unwrap();
        core.on_frame(now, ok(frame.id, answer));
        let events = drain(core);
        assert!(
            matches!(
                &events[..],
                [Effect::Emit(Event::ListUpdated(u))] if u.list.op() == frame.request.op()
            ),
            "{events:?}"
        );
    }
    rest
}

/// `effects` without the conversation-list events that follow most inbox items.
fn messages_only(effects: Vec<Effect>) -> Vec<Effect> {
    effects
        .into_iter()
        .filter(|e| {
            !matches!(
                e,
                Effect::Emit(Event::ConversationListUpdated(_))
                    | Effect::Emit(Event::TotalUnreadMessageCountUpdated(_))
            )
        })
        .collect()
}

/// Answers a (re)login's last sync page with `page`, then the group sync that follows (the
/// groups as they were); the effects after.
fn caught_up(core: &mut Core, now: u64, sync_id: u64, page: Vec<InboxItem>) -> Vec<Effect> {
    core.on_frame(now, ok(sync_id, sync_page(page, true)));
    let groups = single_send(drain(core));
    assert!(
        matches!(groups.request, Request::SyncGroups(_)),
        "{groups:?}"
    );
    core.on_frame(now, ok(groups.id, groups_page(vec![], vec![], true)));
    drain(core)
}

fn groups_page(groups: Vec<(&str, u64)>, messages: Vec<Message>, complete: bool) -> Response {
    Response::SyncGroups(proto::group::SyncGroupsOk {
        messages,
        groups: groups.into_iter().map(|(g, s)| (g.to_owned(), s)).collect(),
        complete,
    })
}

/// After a login answer: the effects before the conversation-list request, which is answered
/// (empty, taken at `inbox_seq`); returns those effects and the sync frame that follows.
fn list_then_sync(core: &mut Core, now: u64, inbox_seq: u64) -> (Vec<Effect>, ClientFrame) {
    let mut effects = drain(core);
    let list = single_send(effects.split_off(effects.len() - 1));
    assert!(
        matches!(list.request, Request::GetConversations(_)),
        "{list:?}"
    );
    core.on_frame(now, ok(list.id, conversations(vec![], inbox_seq)));
    (effects, single_send(drain(core)))
}

/// The answer to getConversations: one complete page.
fn conversations(list: Vec<proto::Conversation>, inbox_seq: u64) -> Response {
    Response::GetConversations(proto::ConversationsOk {
        conversation_groups: Vec::new(),
        conversations: list,
        inbox_seq,
        complete: true,
    })
}

fn ready(user: &str, inbox_seq: u64) -> Core {
    let mut core = Core::new(APP, 42);
    log_in(&mut core, 0, user, inbox_seq);
    core
}

/// Ready, on a connection that never needs heartbeats or goes dead by silence.
fn ready_quiet(user: &str) -> Core {
    let config = Config {
        heartbeat_ms: 1 << 40,
        dead_after_ms: 1 << 40,
        ..Config::default()
    };
    let mut core = Core::with_config(APP, 42, config);
    log_in(&mut core, 0, user, 0);
    core
}

/// Drop the connection at `at` and reconnect at the backoff's time, up to the hello; returns
/// the first frame of the new connection (a resume or a login).
fn reconnect(core: &mut Core, at: u64) -> ClientFrame {
    core.on_close(at);
    drain(core);
    let retry = core.next_wakeup().unwrap();
    assert!((at..=at + 1_000).contains(&retry), "first retry within 1 s");
    core.tick(retry);
    assert_eq!(drain(core), [Effect::Connect]);
    core.on_frame(retry, hello());
    single_send(drain(core))
}

fn received(effects: &[Effect]) -> Vec<u64> {
    effects
        .iter()
        .flat_map(|e| match e {
            Effect::Emit(Event::MessageReceived(list)) => list.iter().map(|m| m.sequence).collect(),
            _ => vec![],
        })
        .collect()
}

fn not_ready_code(core: &mut Core) -> u32 {
    let draft = core
        .create_message(0, text_to("bob", "x"))
        .unwrap_err()
        .code;
    let list = core
        .get_message_list(0, "C2Cbob", None, 15)
        .unwrap_err()
        .code;
    assert_eq!(draft, list);
    draft
}

#[test]
fn login_connects_logs_in_syncs_then_is_ready() {
    let mut core = Core::new(APP, 1);
    let op = core.login(0, "alice", "sig", None).unwrap();
    assert_eq!(drain(&mut core), [Effect::Connect]);
    core.on_frame(5, hello());
    let login = single_send(drain(&mut core));
    assert_eq!(
        login.request,
        Request::Login(proto::Login {
            protocol: 1,
            sdk_app_id: APP,
            user_id: "alice".into(),
            user_sig: "sig".into(),
            platform: proto::Platform::Web,
        })
    );
    core.on_frame(10, ok(login.id, login_ok("alice", 5)));
    let (effects, sync) = list_then_sync(&mut core, 10, 5);
    assert_eq!(effects, [Effect::Complete(op, login_result(false))]);
    assert_eq!(
        sync.request,
        Request::Sync(Sync {
            after: 5,
            limit: 100
        })
    );
    // Items committed around the login come in pages; a push overlaps the second page.
    let page = vec![
        item(6, stored(1, "bob", "alice", "b1")),
        item(7, stored(2, "bob", "alice", "b2")),
    ];
    core.on_frame(20, ok(sync.id, sync_page(page, false)));
    let sync2 = single_send(drain(&mut core));
    assert_eq!(
        sync2.request,
        Request::Sync(Sync {
            after: 7,
            limit: 100
        })
    );
    core.on_frame(25, push(8, stored(3, "bob", "alice", "b3")));
    assert_eq!(drain(&mut core), []);
    let page = vec![item(8, stored(3, "bob", "alice", "b3"))];
    let effects = caught_up(&mut core, 30, sync2.id, page);
    let effects = answer_lists(&mut core, 30, effects);
    assert_eq!(effects[0], Effect::Emit(Event::SdkReady));
    // Then the messages of the catch-up, then the list they changed and its unread total.
    assert_eq!(effects.len(), 4);
    assert_eq!(received(&effects), [1, 2, 3]);
    let Effect::Emit(Event::ConversationListUpdated(list)) = &effects[2] else {
        panic!("{effects:?}")
    };
    assert_eq!((list.len(), list[0].unread_count), (1, 3));
    assert_eq!(
        effects[3],
        Effect::Emit(Event::TotalUnreadMessageCountUpdated(3))
    );
    assert_eq!(core.inbox_cursor(), Some(8));
}

#[test]
fn resumed_login_replays_the_missed_inbox_after_ready() {
    let mut core = Core::new(APP, 1);
    core.login(0, "alice", "sig", Some(3)).unwrap();
    drain(&mut core);
    core.on_frame(0, hello());
    let login = single_send(drain(&mut core));
    core.on_frame(0, ok(login.id, login_ok("alice", 5)));
    let (_, sync) = list_then_sync(&mut core, 0, 5);
    assert_eq!(
        sync.request,
        Request::Sync(Sync {
            after: 3,
            limit: 100
        })
    );
    let page = vec![
        item(4, stored(1, "bob", "alice", "b1")),
        item(5, stored(2, "alice", "bob", "other-tab")),
    ];
    let effects = caught_up(&mut core, 0, sync.id, page);
    assert_eq!(effects[0], Effect::Emit(Event::SdkReady));
    assert_eq!(received(&effects), [1, 2]);

    // A cursor past the inbox (another user's, a reset server) starts at the inbox's end.
    let mut core = Core::new(APP, 1);
    core.login(0, "alice", "sig", Some(99)).unwrap();
    drain(&mut core);
    core.on_frame(0, hello());
    let login = single_send(drain(&mut core));
    core.on_frame(0, ok(login.id, login_ok("alice", 5)));
    let (_, sync) = list_then_sync(&mut core, 0, 5);
    assert_eq!(
        sync.request,
        Request::Sync(Sync {
            after: 5,
            limit: 100
        })
    );
}

#[test]
fn login_while_logged_in_resolves_as_repeat_without_a_frame() {
    let mut core = ready("alice", 0);
    let op = core.login(50, "alice", "sig", None).unwrap();
    let effects = drain(&mut core);
    let [Effect::Complete(id, Ok(OpOk::Login(result)))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(*id, op);
    assert!(result.repeat_login);
    assert!(result.error_info.as_deref().unwrap().contains("alice"));
}

#[test]
fn login_while_a_login_is_pending_is_2025() {
    let mut core = Core::new(APP, 1);
    core.login(0, "alice", "sig", None).unwrap();
    drain(&mut core);
    let e = core.login(1, "alice", "sig", None).unwrap_err();
    assert_eq!(e.code, proto::codes::REPEAT_LOGIN);
    assert_eq!(drain(&mut core), []);
    // The first login carries on.
    core.on_frame(2, hello());
    assert!(matches!(
        single_send(drain(&mut core)).request,
        Request::Login(_)
    ));
}

#[test]
fn refused_login_passes_the_server_code_through() {
    let mut core = Core::new(APP, 1);
    let op = core.login(0, "alice", "bad", None).unwrap();
    drain(&mut core);
    core.on_frame(0, hello());
    let login = single_send(drain(&mut core));
    core.on_frame(1, err(login.id, 70001, "UserSig expired"));
    assert_eq!(
        drain(&mut core),
        [
            Effect::Complete(op, Err(ApiError::new(70001, "UserSig expired"))),
            Effect::Close,
        ]
    );
    assert_eq!(not_ready_code(&mut core), LOGIN_FAILED);
    assert_eq!(core.next_wakeup(), None);
    log_in(&mut core, 2, "alice", 0);
}

#[test]
fn unanswered_login_times_out_with_2801() {
    let mut core = Core::new(APP, 1);
    let op = core.login(1_000, "alice", "sig", None).unwrap();
    drain(&mut core);
    assert_eq!(core.next_wakeup(), Some(91_000));
    core.on_frame(2_000, hello());
    drain(&mut core);
    assert_eq!(core.next_wakeup(), Some(91_000));
    core.tick(90_999);
    assert_eq!(drain(&mut core), []);
    core.tick(91_000);
    let effects = drain(&mut core);
    assert_eq!(effects.len(), 2);
    assert!(effects.contains(&Effect::Close));
    assert!(effects.contains(&Effect::Complete(
        op,
        Err(ApiError::new(2801, "request timed out"))
    )));
    assert_eq!(not_ready_code(&mut core), LOGIN_FAILED);
}

#[test]
fn login_timeout_is_configurable_and_covers_the_connect() {
    let config = Config {
        login_timeout_ms: 3_000,
        ..Config::default()
    };
    let mut core = Core::with_config(APP, 1, config);
    let op = core.login(0, "alice", "sig", None).unwrap();
    drain(&mut core);
    core.tick(3_000);
    let effects = drain(&mut core);
    assert!(
        matches!(&effects[..], [Effect::Close, Effect::Complete(id, Err(e))] if *id == op && e.code == NETWORK_TIMEOUT)
    );
}

#[test]
fn socket_closing_during_login_is_2800() {
    let mut core = Core::new(APP, 1);
    let op = core.login(0, "alice", "sig", None).unwrap();
    drain(&mut core);
    core.on_frame(0, hello());
    drain(&mut core);
    core.on_close(5);
    let effects = drain(&mut core);
    assert!(
        matches!(&effects[..], [Effect::Complete(id, Err(e))] if *id == op && e.code == NETWORK_ERROR)
    );
    assert_eq!(not_ready_code(&mut core), LOGIN_FAILED);
}

#[test]
fn apis_reject_with_the_reason_the_sdk_is_not_ready() {
    let mut core = Core::new(APP, 1);
    assert_eq!(not_ready_code(&mut core), proto::codes::USER_NOT_LOGGED_IN);
    assert_eq!(
        core.logout().unwrap_err().code,
        proto::codes::USER_NOT_LOGGED_IN
    );

    core.login(0, "alice", "sig", None).unwrap();
    assert_eq!(not_ready_code(&mut core), LOGGING_IN);
    drain(&mut core);
    core.on_frame(0, hello());
    let login = single_send(drain(&mut core));
    core.on_frame(0, ok(login.id, login_ok("alice", 0)));
    // Login resolved, but the inbox is not synced yet: a message can be made (it needs only
    // the userID), what needs the ready state still answers 3000 (the driver waits, below).
    assert!(core.create_message(0, text_to("bob", "x")).is_ok());
    let list = core.get_message_list(0, "C2Cbob", None, 15);
    assert_eq!(list.unwrap_err().code, LOGGING_IN);
    let (_, sync) = list_then_sync(&mut core, 0, 0);
    caught_up(&mut core, 0, sync.id, vec![]);
    assert!(core.create_message(0, text_to("bob", "x")).is_ok());

    core.logout().unwrap();
    drain(&mut core);
    assert_eq!(not_ready_code(&mut core), LOGGED_OUT);
    assert_eq!(
        core.logout().unwrap_err().code,
        proto::codes::USER_NOT_LOGGED_IN
    );
}

#[test]
fn kick_fires_kicked_out_then_not_ready_and_stays_down() {
    let mut core = ready("alice", 0);
    core.on_frame(
        10,
        ServerFrame::Kicked(proto::Kicked {
            reason: "multipleAccount".into(),
        }),
    );
    assert_eq!(
        drain(&mut core),
        [
            Effect::Emit(Event::KickedOut {
                type_: "multipleAccount".into()
            }),
            Effect::Emit(Event::SdkNotReady),
            Effect::Close,
        ]
    );
    assert_eq!(not_ready_code(&mut core), KICKED_OUT_MULT_ACCOUNT);
    // The server's close that follows, and time, change nothing: no reconnection.
    core.on_close(11);
    assert_eq!(core.next_wakeup(), None);
    core.tick(1_000_000);
    assert_eq!(drain(&mut core), []);

    let mut core = ready("alice", 0);
    core.on_frame(
        10,
        ServerFrame::Kicked(proto::Kicked {
            reason: "REST_API_Kick".into(),
        }),
    );
    drain(&mut core);
    assert_eq!(not_ready_code(&mut core), KICKED_OUT_REST_API);
}

#[test]
fn send_resolves_with_the_stored_message() {
    let mut core = ready("alice", 0);
    let draft = core.create_message(5_000, text_to("bob", "hi")).unwrap();
    assert_eq!((draft.status, draft.flow), (STATUS_UNSEND, FLOW_OUT));
    let op = core.send_message(5_000, draft.clone()).unwrap();
    let frame = single_send(drain(&mut core));
    let Request::SendMessage(send) = &frame.request else {
        panic!("{frame:?}")
    };
    assert_eq!(send.to, "bob");
    assert_eq!(send.client_msg_id, draft.id);
    assert_eq!(send.random, draft.random);
    assert_eq!(send.body.elements, [Element::Text { text: "hi".into() }]);

    let mut stored_msg = stored(1, "alice", "bob", &draft.id);
    stored_msg.body.elements = send.body.elements.clone();
    stored_msg.random = send.random;
    let answer = Response::SendMessage(proto::SendMessageOk {
        message: stored_msg,
    });
    core.on_frame(5_100, ok(frame.id, answer));
    let effects = drain(&mut core);
    let [Effect::Complete(id, Ok(result))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(*id, op);
    let v = serde_json::to_value(result).unwrap();
    let m = &v["message"];
    assert_eq!(m["ID"], "alice-1");
    assert_eq!(m["status"], "success");
    assert_eq!(m["flow"], "out");
    assert_eq!(m["conversationID"], "C2Cbob");
    assert_eq!(m["payload"], json!({"text": "hi"}));
    assert_eq!(m["sequence"], 1);
    assert_eq!(m["clientTime"], 5);
    assert_eq!(m["clientSequence"], draft.client_sequence);
    assert_eq!(m["isResend"], false);
}

#[test]
fn refused_send_rejects_with_the_failed_message_and_can_be_resent() {
    let mut core = ready("alice", 0);
    let draft = core.create_message(0, text_to("nobody", "hi")).unwrap();
    let op = core.send_message(0, draft.clone()).unwrap();
    let frame = single_send(drain(&mut core));
    core.on_frame(1, err(frame.id, 20003, "no such user"));
    let effects = drain(&mut core);
    let [Effect::Complete(id, Err(e))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (*id, e.code, e.message.as_str()),
        (op, 20003, "no such user")
    );
    let failed = e.data.message.as_deref().unwrap();
    assert_eq!(
        (failed.status, failed.id.as_str()),
        (STATUS_FAIL, draft.id.as_str())
    );

    core.send_message(2, failed.clone()).unwrap();
    let again = single_send(drain(&mut core));
    let Request::SendMessage(send) = &again.request else {
        panic!("{again:?}")
    };
    assert_eq!(send.client_msg_id, draft.id);
    core.on_frame(3, err(again.id, 20003, "no such user"));
    let effects = drain(&mut core);
    let [Effect::Complete(_, Err(e))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(e.data.message.as_ref().unwrap().is_resend);
}

#[test]
fn clientmsgids_differ_between_instances_and_messages() {
    let mut a = ready("alice", 0);
    let mut b = Core::new(APP, 43);
    log_in(&mut b, 0, "alice", 0);
    let a1 = a.create_message(0, text_to("bob", "x")).unwrap();
    let a2 = a.create_message(0, text_to("bob", "x")).unwrap();
    let b1 = b.create_message(0, text_to("bob", "x")).unwrap();
    assert_ne!(a1.id, a2.id);
    assert_ne!(a1.id, b1.id);
    assert_ne!(a1.random, a2.random);
    assert!(a1.id.len() <= 64);
}

#[test]
fn a_push_seen_twice_is_delivered_once() {
    let mut core = ready("alice", 5);
    core.on_frame(1, push(6, stored(1, "bob", "alice", "b1")));
    core.on_frame(2, push(6, stored(1, "bob", "alice", "b1")));
    core.on_frame(3, push(5, stored(9, "bob", "alice", "old")));
    let effects = messages_only(drain(&mut core));
    assert_eq!(effects.len(), 1);
    let Effect::Emit(Event::MessageReceived(list)) = &effects[0] else {
        panic!("{effects:?}")
    };
    assert_eq!(list[0].flow, FLOW_IN);
    assert_eq!(list[0].conversation_id, "C2Cbob");
    assert_eq!(core.inbox_cursor(), Some(6));
}

#[test]
fn a_gap_in_pushes_is_filled_by_a_sync() {
    let mut core = ready("alice", 5);
    core.on_frame(1, push(8, stored(3, "bob", "alice", "b3")));
    let sync = single_send(drain(&mut core));
    assert_eq!(
        sync.request,
        Request::Sync(Sync {
            after: 5,
            limit: 100
        })
    );
    // Another gap while that sync is in flight: its page may predate it, so sync again.
    core.on_frame(2, push(10, stored(5, "bob", "alice", "b5")));
    assert_eq!(drain(&mut core), []);
    let page = vec![
        item(6, stored(1, "bob", "alice", "b1")),
        item(7, stored(2, "bob", "alice", "b2")),
        item(8, stored(3, "bob", "alice", "b3")),
    ];
    core.on_frame(3, ok(sync.id, sync_page(page, true)));
    let mut effects = messages_only(drain(&mut core));
    let again = single_send(effects.split_off(1));
    assert_eq!(received(&effects), [1, 2, 3]);
    assert_eq!(
        again.request,
        Request::Sync(Sync {
            after: 8,
            limit: 100
        })
    );
    let page = vec![
        item(9, stored(4, "bob", "alice", "b4")),
        item(10, stored(5, "bob", "alice", "b5")),
    ];
    core.on_frame(4, ok(again.id, sync_page(page, true)));
    assert_eq!(received(&drain(&mut core)), [4, 5]);
    assert_eq!(core.inbox_cursor(), Some(10));
}

#[test]
fn own_sends_echoed_by_the_inbox_are_not_received() {
    let mut core = ready("alice", 0);
    // Echo before the answer.
    let m1 = core.create_message(0, text_to("bob", "one")).unwrap();
    core.send_message(0, m1.clone()).unwrap();
    let f1 = single_send(drain(&mut core));
    core.on_frame(1, push(1, stored(1, "alice", "bob", &m1.id)));
    assert_eq!(messages_only(drain(&mut core)), []);
    let answer = Response::SendMessage(proto::SendMessageOk {
        message: stored(1, "alice", "bob", &m1.id),
    });
    core.on_frame(2, ok(f1.id, answer));
    assert!(matches!(
        &drain(&mut core)[..],
        [Effect::Complete(_, Ok(_))]
    ));
    // Echo after the answer.
    let m2 = core.create_message(0, text_to("bob", "two")).unwrap();
    core.send_message(0, m2.clone()).unwrap();
    let f2 = single_send(drain(&mut core));
    let answer = Response::SendMessage(proto::SendMessageOk {
        message: stored(2, "alice", "bob", &m2.id),
    });
    core.on_frame(3, ok(f2.id, answer));
    drain(&mut core);
    core.on_frame(4, push(2, stored(2, "alice", "bob", &m2.id)));
    assert_eq!(messages_only(drain(&mut core)), []);
    assert_eq!(core.inbox_cursor(), Some(2));
}

#[test]
fn a_group_notice_is_received_in_the_system_conversation_and_in_no_list() {
    let mut core = ready("alice", 0);
    let payload = r#"{"operationType":4,"operatorID":"bob"}"#;
    let notice = Message {
        id: "0-1-2".into(),
        conversation_type: ConversationType::System,
        from: "@TIM#SYSTEM".into(),
        to: "alice".into(),
        body: proto::MessageBody {
            elements: vec![Element::GroupNotice(proto::Json(payload.into()))],
            ..Default::default()
        },
        ..Default::default()
    };
    let event = proto::InboxEvent::Notice { message: notice };
    core.on_frame(1, ServerFrame::Inbox(InboxItem { seq: 1, event }));
    let effects = drain(&mut core);
    let [Effect::Emit(Event::MessageReceived(list))] = &effects[..] else {
        panic!("only MESSAGE_RECEIVED: {effects:?}")
    };
    let m = serde_json::to_value(&list[0]).unwrap();
    assert_eq!(
        (&m["conversationID"], &m["conversationType"], &m["type"]),
        (
            &json!("@TIM#SYSTEM"),
            &json!("@TIM#SYSTEM"),
            &json!("TIMGroupSystemNoticeElem")
        )
    );
    assert_eq!(
        m["payload"],
        json!({"operationType": 4, "operatorID": "bob"})
    );
    assert_eq!(
        (&m["flow"], &m["from"]),
        (&json!("in"), &json!("@TIM#SYSTEM"))
    );
    assert_eq!(core.inbox_cursor(), Some(1));
}

#[test]
fn own_messages_from_other_sessions_are_received_as_out() {
    let mut core = ready("alice", 0);
    core.on_frame(1, push(1, stored(1, "alice", "bob", "other-tab-1")));
    let effects = messages_only(drain(&mut core));
    let [Effect::Emit(Event::MessageReceived(list))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (
            list[0].flow,
            list[0].conversation_id.as_str(),
            list[0].is_read
        ),
        (FLOW_OUT, "C2Cbob", true)
    );
}

#[test]
fn reconnection_refused_for_an_expired_usersig_is_a_kick() {
    let mut core = ready("alice", 0);
    core.on_close(0);
    drain(&mut core);
    core.tick(1_000);
    core.on_frame(1_000, hello());
    let login = single_send(drain(&mut core).split_off(1));
    core.on_frame(1_001, err(login.id, 70001, "expired"));
    assert_eq!(
        drain(&mut core),
        [
            Effect::Emit(Event::KickedOut {
                type_: "userSigExpired".into()
            }),
            Effect::Emit(Event::SdkNotReady),
            Effect::Close,
        ]
    );
    assert_eq!(not_ready_code(&mut core), KICKED_OUT_USERSIG_EXPIRED);
}

#[test]
fn logout_clears_everything_the_session_knew() {
    let mut core = ready("alice", 5);
    core.on_frame(1, push(6, stored(1, "bob", "alice", "b1")));
    drain(&mut core);
    let unanswered = core.create_message(2, text_to("bob", "hi")).unwrap();
    let send_op = core.send_message(2, unanswered.clone()).unwrap();
    drain(&mut core);

    let op = core.logout().unwrap();
    let effects = drain(&mut core);
    assert!(matches!(&effects[0], Effect::Send(f) if f.request == Request::Logout));
    assert!(
        matches!(&effects[1], Effect::Complete(id, Err(e)) if *id == send_op && e.code == LOGGED_OUT)
    );
    assert_eq!(
        effects[2..],
        [
            Effect::Emit(Event::SdkNotReady),
            Effect::Close,
            Effect::Complete(op, Ok(OpOk::Empty {})),
        ]
    );
    assert_eq!(core.inbox_cursor(), None);
    assert_eq!(core.next_wakeup(), None);

    log_in(&mut core, 10, "alice", 7);
    // The message IDs seen before are forgotten: no history cursor leaks across logins.
    let e = core
        .get_message_list(11, "C2Cbob", Some("bob-1"), 15)
        .unwrap_err();
    assert_eq!(e.code, INVALID_OPERATION);
    core.get_message_list(11, "C2Cbob", None, 15).unwrap();
    let frame = single_send(drain(&mut core));
    assert!(matches!(&frame.request, Request::GetHistory(h) if h.before_seq.is_none()));
    // Nor are the old session's sends this instance's own any more.
    core.on_frame(12, push(8, stored(2, "alice", "bob", &unanswered.id)));
    assert_eq!(received(&drain(&mut core)), [2]);
}

#[test]
fn message_list_pages_backwards_through_history() {
    let mut core = ready("alice", 0);
    let op = core.get_message_list(0, "C2Cbob", None, 20).unwrap();
    let frame = single_send(drain(&mut core));
    assert_eq!(
        frame.request,
        Request::GetHistory(proto::GetHistory {
            conversation_id: c2c("bob"),
            before_seq: None,
            after_seq: None,
            before_time: None,
            after_time: None,
            count: 15,
        })
    );
    let page: Vec<_> = (16..=30).map(|s| stored(s, "bob", "alice", "b")).collect();
    let answer = Response::GetHistory(proto::GetHistoryOk {
        messages: page,
        complete: false,
    });
    core.on_frame(1, ok(frame.id, answer));
    let effects = drain(&mut core);
    let [Effect::Complete(id, Ok(OpOk::MessageList(list)))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(*id, op);
    assert_eq!(list.message_list.len(), 15);
    assert_eq!(list.message_list[0].sequence, 16);
    assert_eq!(list.next_req_message_id, "bob-16");
    assert!(!list.is_completed);

    core.get_message_list(2, "C2Cbob", Some(&list.next_req_message_id), 0)
        .unwrap();
    let frame = single_send(drain(&mut core));
    assert_eq!(
        frame.request,
        Request::GetHistory(proto::GetHistory {
            conversation_id: c2c("bob"),
            before_seq: Some(16),
            after_seq: None,
            before_time: None,
            after_time: None,
            count: 15,
        })
    );
    let answer = Response::GetHistory(proto::GetHistoryOk {
        messages: vec![stored(15, "alice", "bob", "a")],
        complete: true,
    });
    core.on_frame(3, ok(frame.id, answer));
    let effects = drain(&mut core);
    let [Effect::Complete(_, Ok(OpOk::MessageList(list)))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(list.is_completed);
    assert_eq!(list.message_list[0].flow, FLOW_OUT);

    // The ID is known only in its own conversation; other IDs are refused.
    let e = core
        .get_message_list(4, "C2Ccarol", Some("bob-16"), 15)
        .unwrap_err();
    assert_eq!(e.code, INVALID_OPERATION);
    let e = core
        .get_message_list(4, "@TIM#SYSTEM", None, 15)
        .unwrap_err();
    assert_eq!(e.code, INVALID_CONVERSATION_ID);
}

#[test]
fn stale_credentials_on_a_live_session_are_a_usersig_kick() {
    let mut core = ready("alice", 0);
    let draft = core.create_message(0, text_to("bob", "hi")).unwrap();
    let op = core.send_message(0, draft).unwrap();
    let frame = single_send(drain(&mut core));
    core.on_frame(1, err(frame.id, MESSAGE_A2KEY_EXPIRED, "auth failed"));
    let effects = drain(&mut core);
    assert!(matches!(&effects[0], Effect::Complete(id, Err(e)) if *id == op && e.code == 20002));
    assert_eq!(
        effects[1..],
        [
            Effect::Emit(Event::KickedOut {
                type_: "userSigExpired".into()
            }),
            Effect::Emit(Event::SdkNotReady),
            Effect::Close,
        ]
    );
    assert_eq!(not_ready_code(&mut core), KICKED_OUT_USERSIG_EXPIRED);
}

#[test]
fn heartbeats_fill_silence_and_silence_means_a_dead_socket() {
    let mut core = ready("alice", 0);
    // The client's 5 s beats the hello's 20 s; death after 12 s without a frame.
    assert_eq!(core.next_wakeup(), Some(5_000));
    core.tick(4_999);
    assert_eq!(drain(&mut core), []);
    core.tick(5_000);
    let beat = single_send(drain(&mut core));
    assert_eq!(beat.request, Request::Heartbeat);
    let answer = Response::Heartbeat(proto::HeartbeatOk { server_time: 1 });
    core.on_frame(5_050, ok(beat.id, answer));
    // Traffic moves both clocks.
    assert_eq!(core.next_wakeup(), Some(10_050));
    core.tick(10_050);
    assert_eq!(single_send(drain(&mut core)).request, Request::Heartbeat);
    core.tick(15_050);
    assert_eq!(single_send(drain(&mut core)).request, Request::Heartbeat);
    assert_eq!(core.next_wakeup(), Some(17_050));
    core.tick(17_049);
    assert_eq!(drain(&mut core), []);
    core.tick(17_050);
    assert_eq!(
        drain(&mut core),
        [
            Effect::Close,
            Effect::Emit(Event::NetStateChange {
                state: NET_STATE_CONNECTING
            }),
        ]
    );
    let retry = core.next_wakeup().unwrap();
    assert!((17_050..=18_050).contains(&retry));
    core.tick(retry);
    assert_eq!(drain(&mut core), [Effect::Connect]);
}

#[test]
fn a_dropped_connection_resumes_and_delivers_what_it_missed() {
    let mut core = ready("alice", 5);
    core.on_frame(1, push(6, stored(1, "bob", "alice", "b1")));
    drain(&mut core);
    core.on_close(100);
    assert_eq!(
        drain(&mut core),
        [Effect::Emit(Event::NetStateChange {
            state: NET_STATE_CONNECTING
        })]
    );
    // Still ready: a send waits for the connection instead of failing.
    let draft = core.create_message(200, text_to("bob", "hi")).unwrap();
    let send_op = core.send_message(200, draft).unwrap();
    assert_eq!(drain(&mut core), []);
    let retry = core.next_wakeup().unwrap();
    assert!((100..=1_100).contains(&retry));
    core.tick(retry);
    assert_eq!(drain(&mut core), [Effect::Connect]);
    core.on_frame(retry, hello());
    // The session is taken over with its token: no UserSig round trip.
    let resume = single_send(drain(&mut core));
    assert_eq!(
        resume.request,
        Request::Resume(proto::Resume {
            token: "token-of-alice".into()
        })
    );
    let resumed = Response::Resume(proto::ResumeOk {
        user_id: "alice".into(),
        inbox_seq: 8,
        server_time: 1,
    });
    core.on_frame(retry + 100, ok(resume.id, resumed));
    let effects = drain(&mut core);
    let effects_of_resume = effects.clone();
    let frames: Vec<&Request> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(f) => Some(&f.request),
            _ => None,
        })
        .collect();
    assert_eq!(frames.len(), 2, "{effects:?}");
    assert_eq!(
        frames[0],
        &Request::Sync(Sync {
            after: 6,
            limit: 100
        })
    );
    let Request::SendMessage(queued) = frames[1] else {
        panic!("the queued send goes out: {effects:?}")
    };
    let sync_id = match &effects[0] {
        Effect::Send(f) => f.id,
        other => panic!("{other:?}"),
    };
    let page = vec![
        item(7, stored(2, "bob", "alice", "b2")),
        item(8, stored(3, "bob", "alice", "b3")),
    ];
    let effects = caught_up(&mut core, retry + 200, sync_id, page);
    assert_eq!(
        effects[0],
        Effect::Emit(Event::NetStateChange {
            state: NET_STATE_CONNECTED
        })
    );
    assert_eq!(received(&effects), [2, 3]);
    assert_eq!(drain(&mut core), []);
    assert_eq!(queued.to, "bob");
    // The queued send completes like any other.
    let send_id = send_frames(&effects_of_resume).pop().unwrap();
    let answer = Response::SendMessage(proto::SendMessageOk {
        message: stored(4, "alice", "bob", &queued.client_msg_id),
    });
    core.on_frame(retry + 300, ok(send_id, answer));
    assert!(matches!(&drain(&mut core)[..], [Effect::Complete(id, Ok(_))] if *id == send_op));
}

/// The ids of the sendMessage frames among `effects`.
fn send_frames(effects: &[Effect]) -> Vec<u64> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(f) if matches!(f.request, Request::SendMessage(_)) => Some(f.id),
            _ => None,
        })
        .collect()
}

#[test]
fn a_send_in_flight_when_the_link_drops_goes_out_again_with_the_same_clientmsgid() {
    let mut core = ready_quiet("alice");
    let draft = core.create_message(0, text_to("bob", "once")).unwrap();
    let op = core.send_message(0, draft).unwrap();
    let first = single_send(drain(&mut core));
    let resume = reconnect(&mut core, 50);
    assert!(matches!(resume.request, Request::Resume(_)));
    let resumed = Response::Resume(proto::ResumeOk {
        user_id: "alice".into(),
        inbox_seq: 0,
        server_time: 1,
    });
    core.on_frame(2_000, ok(resume.id, resumed));
    let again: Vec<ClientFrame> = drain(&mut core)
        .into_iter()
        .filter_map(|e| match e {
            Effect::Send(f) if matches!(f.request, Request::SendMessage(_)) => Some(f),
            _ => None,
        })
        .collect();
    let (Request::SendMessage(a), Request::SendMessage(b)) = (&first.request, &again[0].request)
    else {
        panic!("two sends")
    };
    assert_eq!(a.client_msg_id, b.client_msg_id);
    // The server answers with the message it stored the first time.
    let answer = Response::SendMessage(proto::SendMessageOk {
        message: stored(1, "alice", "bob", &a.client_msg_id),
    });
    core.on_frame(2_100, ok(again[0].id, answer));
    assert!(matches!(&drain(&mut core)[..], [Effect::Complete(id, Ok(_))] if *id == op));
}

#[test]
fn a_refused_resume_falls_back_to_a_login_with_the_kept_sig() {
    let mut core = ready_quiet("alice");
    let resume = reconnect(&mut core, 10);
    core.on_frame(1_500, err(resume.id, proto::codes::SESSION_GONE, "gone"));
    let login = single_send(drain(&mut core));
    assert!(matches!(&login.request, Request::Login(l) if l.user_sig == "sig"));
    core.on_frame(1_600, ok(login.id, login_ok("alice", 0)));
    assert!(matches!(
        &drain(&mut core)[..],
        [Effect::Send(ClientFrame {
            request: Request::Sync(_),
            ..
        })]
    ));
}

#[test]
fn an_app_request_fails_with_2801_only_after_its_timeout() {
    let mut core = ready_quiet("alice");
    let draft = core.create_message(0, text_to("bob", "hi")).unwrap();
    let op = core.send_message(1_000, draft).unwrap();
    drain(&mut core);
    assert_eq!(core.next_wakeup(), Some(16_000));
    // Queued across a drop, the deadline stays the one of the call.
    core.on_close(2_000);
    drain(&mut core);
    core.set_online(2_001, false);
    drain(&mut core);
    assert_eq!(core.next_wakeup(), Some(16_000));
    core.tick(15_999);
    assert_eq!(drain(&mut core), []);
    core.tick(16_000);
    let effects = drain(&mut core);
    assert!(matches!(&effects[..], [Effect::Complete(id, Err(e))]
        if *id == op && e.code == NETWORK_TIMEOUT && e.data.message.as_ref().unwrap().status == STATUS_FAIL));
}

#[test]
fn backoff_grows_with_full_jitter_up_to_the_cap() {
    let config = Config {
        reconnect_max_ms: 8_000,
        heartbeat_ms: 1 << 40,
        dead_after_ms: 1 << 40,
        ..Config::default()
    };
    let mut core = Core::with_config(APP, 7, config);
    log_in(&mut core, 0, "alice", 0);
    core.on_close(0);
    drain(&mut core);
    let mut now = 0;
    let mut delays = Vec::new();
    for attempt in 0..12u32 {
        let at = core.next_wakeup().unwrap();
        let ceiling = (1000u64 << attempt).min(8_000);
        assert!(
            at - now <= ceiling,
            "attempt {attempt}: {} > {ceiling}",
            at - now
        );
        delays.push(at - now);
        core.tick(at);
        assert_eq!(drain(&mut core), [Effect::Connect]);
        now = at + 5;
        core.on_close(now);
        let effects = drain(&mut core);
        // A failed attempt means the network is not there: `disconnected`, said once.
        let told = effects
            .iter()
            .filter(|e| matches!(e, Effect::Emit(Event::NetStateChange { .. })))
            .count();
        assert_eq!(told, usize::from(attempt == 0), "{effects:?}");
    }
    // Jittered: not all at the cap, not all equal.
    assert!(delays.iter().any(|d| *d < 4_000), "{delays:?}");
    assert!(delays.windows(2).any(|w| w[0] != w[1]), "{delays:?}");
}

#[test]
fn offline_drops_the_link_and_online_reconnects_at_once() {
    let mut core = ready_quiet("alice");
    core.set_online(1_000, false);
    assert_eq!(
        drain(&mut core),
        [
            Effect::Close,
            Effect::Emit(Event::NetStateChange {
                state: NET_STATE_DISCONNECTED
            }),
        ]
    );
    // No attempts while offline.
    assert_eq!(core.next_wakeup(), None);
    core.tick(100_000);
    assert_eq!(drain(&mut core), []);
    core.set_online(200_000, true);
    assert_eq!(
        drain(&mut core),
        [Effect::Emit(Event::NetStateChange {
            state: NET_STATE_CONNECTING
        })]
    );
    assert_eq!(core.next_wakeup(), Some(200_000));
    core.tick(200_000);
    assert_eq!(drain(&mut core), [Effect::Connect]);
    core.on_frame(200_010, hello());
    let resume = single_send(drain(&mut core));
    let resumed = Response::Resume(proto::ResumeOk {
        user_id: "alice".into(),
        inbox_seq: 0,
        server_time: 1,
    });
    core.on_frame(200_020, ok(resume.id, resumed));
    let sync = single_send(drain(&mut core));
    assert_eq!(
        caught_up(&mut core, 200_030, sync.id, vec![]),
        [Effect::Emit(Event::NetStateChange {
            state: NET_STATE_CONNECTED
        })]
    );
}

#[test]
fn a_visible_page_reconnects_without_waiting_for_the_backoff() {
    let mut core = ready_quiet("alice");
    for at in [0, 10, 20, 30, 40] {
        core.on_close(at);
        drain(&mut core);
        let retry = core.next_wakeup().unwrap();
        core.tick(retry);
        drain(&mut core);
    }
    core.on_close(50);
    drain(&mut core);
    core.wake(60);
    assert_eq!(core.next_wakeup(), Some(60));
}

fn conversation(peer: &str, unread: u32, last: Option<Message>) -> proto::Conversation {
    proto::Conversation {
        id: c2c(peer),
        unread_count: unread,
        is_pinned: false,
        mark: 0,
        custom_data: String::new(),
        peer_read_seq: 0,
        last_message: last,
        updated: 1,
        ..proto::Conversation::empty(c2c(peer))
    }
}

/// Logged in as alice with the list `list` taken at inbox `at`, and the inbox at `inbox_seq`.
fn ready_with(
    list: Vec<proto::Conversation>,
    at: u64,
    inbox_seq: u64,
    catch_up: Vec<InboxItem>,
) -> (Core, Vec<Effect>) {
    let mut core = ready_quiet_unlogged();
    core.login(0, "alice", "sig", None).unwrap();
    drain(&mut core);
    core.on_frame(0, hello());
    let login = single_send(drain(&mut core));
    core.on_frame(0, ok(login.id, login_ok("alice", inbox_seq)));
    let list_req = single_send(drain(&mut core).split_off(1));
    // A push while the list is loading is left to the sync.
    core.on_frame(0, push(inbox_seq + 1, stored(1, "bob", "alice", "early")));
    assert_eq!(drain(&mut core), []);
    core.on_frame(0, ok(list_req.id, conversations(list, at)));
    let sync = single_send(drain(&mut core));
    assert!(matches!(&sync.request, Request::Sync(s) if s.after == inbox_seq));
    let effects = caught_up(&mut core, 0, sync.id, catch_up);
    let effects = answer_lists(&mut core, 0, effects);
    (core, effects)
}

fn ready_quiet_unlogged() -> Core {
    Core::with_config(
        APP,
        9,
        Config {
            heartbeat_ms: 1 << 40,
            dead_after_ms: 1 << 40,
            ..Config::default()
        },
    )
}

fn list_of(effects: &[Effect]) -> Vec<SdkConversation> {
    effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Emit(Event::ConversationListUpdated(l)) => Some(l.clone()),
            _ => None,
        })
        .expect("a CONVERSATION_LIST_UPDATED")
}

#[test]
fn the_list_is_loaded_at_login_and_items_it_already_had_count_once() {
    // The list was taken at inbox 6: bob's message 6 is in its unread count already, 7 is not.
    let list = vec![conversation(
        "bob",
        1,
        Some(stored(1, "bob", "alice", "b1")),
    )];
    let catch_up = vec![
        item(6, stored(1, "bob", "alice", "b1")),
        item(7, stored(2, "bob", "alice", "b2")),
    ];
    let (mut core, effects) = ready_with(list, 6, 5, catch_up);
    assert_eq!(effects[0], Effect::Emit(Event::SdkReady));
    assert_eq!(received(&effects), [1, 2]);
    let list = list_of(&effects);
    assert_eq!(
        (
            list[0].unread_count,
            list[0].last_message.as_ref().unwrap().last_sequence
        ),
        (2, 2)
    );
    assert_eq!(core.total_unread_count(), Ok(2));
    // Reading it: the answer is the server's state, applied at once.
    let op = core.set_message_read(10, "C2Cbob").unwrap();
    let read = single_send(drain(&mut core));
    assert_eq!(
        read.request,
        Request::SetRead(proto::ConversationRef {
            conversation_id: c2c("bob")
        })
    );
    let after = proto::ConversationsOk {
        conversation_groups: Vec::new(),
        conversations: vec![conversation(
            "bob",
            0,
            Some(stored(2, "bob", "alice", "b2")),
        )],
        inbox_seq: 8,
        complete: true,
    };
    core.on_frame(11, ok(read.id, Response::SetRead(after)));
    let effects = drain(&mut core);
    assert_eq!(list_of(&effects)[0].unread_count, 0);
    assert!(effects.contains(&Effect::Emit(Event::TotalUnreadMessageCountUpdated(0))));
    assert!(effects.contains(&Effect::Complete(op, Ok(OpOk::Empty {}))));
    // Unknown or malformed conversations are refused without a request.
    assert_eq!(
        core.set_message_read(12, "C2Cnobody").unwrap_err().code,
        2500
    );
    assert_eq!(
        core.pin_conversation(12, "GROUPx", true).unwrap_err().code,
        2500
    );
    assert_eq!(
        core.pin_conversation(12, "@TIM#SYSTEM", true)
            .unwrap_err()
            .code,
        2503
    );
    assert_eq!(drain(&mut core), []);
}

#[test]
fn revocations_and_peer_reads_reach_the_app() {
    let (mut core, _) = ready_with(
        vec![],
        0,
        0,
        vec![item(1, stored(1, "bob", "alice", "early"))],
    );
    // alice sent one; bob's read of it comes as a peerRead item.
    let draft = core.create_message(0, text_to("bob", "read me")).unwrap();
    core.send_message(0, draft.clone()).unwrap();
    let f = single_send(drain(&mut core));
    let stored1 = stored(2, "alice", "bob", &draft.id);
    core.on_frame(
        1,
        ok(
            f.id,
            Response::SendMessage(proto::SendMessageOk {
                message: stored1.clone(),
            }),
        ),
    );
    core.on_frame(1, push(2, stored1.clone()));
    drain(&mut core);
    let read = ServerFrame::Inbox(InboxItem {
        seq: 3,
        event: proto::InboxEvent::PeerRead {
            conversation_id: c2c("bob"),
            read_seq: 2,
        },
    });
    core.on_frame(2, read);
    let effects = drain(&mut core);
    let [Effect::Emit(Event::MessageReadByPeer(read)), ..] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (read.len(), read[0].is_peer_read, read[0].sequence),
        (1, true, 2)
    );
    assert!(
        list_of(&effects)[0]
            .last_message
            .as_ref()
            .unwrap()
            .is_peer_read
    );

    // alice revokes it: the answer resolves, its echo is no news.
    let op = core.revoke_message(3, &stored1.id).unwrap();
    let f = single_send(drain(&mut core));
    let revoked = Message {
        revoker: "alice".into(),
        ..stored1.clone()
    };
    core.on_frame(
        4,
        ok(
            f.id,
            Response::RevokeMessage(proto::MessageOk {
                message: revoked.clone(),
            }),
        ),
    );
    let effects = drain(&mut core);
    let Some(Effect::Complete(id, Ok(OpOk::Send(SendOk { message })))) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (*id, message.is_revoked, message.revoker.as_str()),
        (op, true, "alice")
    );
    core.on_frame(
        5,
        ServerFrame::Inbox(InboxItem {
            seq: 4,
            event: proto::InboxEvent::Revoked { message: revoked },
        }),
    );
    assert_eq!(messages_only(drain(&mut core)), []);
    // bob revoking his message is news.
    let his = Message {
        revoker: "bob".into(),
        ..stored(3, "bob", "alice", "b3")
    };
    core.on_frame(6, push(5, stored(3, "bob", "alice", "b3")));
    core.on_frame(
        6,
        ServerFrame::Inbox(InboxItem {
            seq: 6,
            event: proto::InboxEvent::Revoked { message: his },
        }),
    );
    let effects = messages_only(drain(&mut core));
    let [Effect::Emit(Event::MessageReceived(_)), Effect::Emit(Event::MessageRevoked(list))] =
        &effects[..]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (list[0].is_revoked, list[0].revoker.as_str()),
        (true, "bob")
    );
}

#[test]
fn conversation_changes_in_flight_or_made_while_reconnecting_go_out_after() {
    let list = vec![conversation(
        "bob",
        2,
        Some(stored(1, "bob", "alice", "b1")),
    )];
    let (mut core, _) = ready_with(list, 0, 0, vec![]);
    // One in flight when the link drops, one made while it is down.
    let op = core.set_message_read(5, "C2Cbob").unwrap();
    assert!(matches!(
        single_send(drain(&mut core)).request,
        Request::SetRead(_)
    ));
    core.on_close(10);
    drain(&mut core);
    let pin = core.pin_conversation(20, "C2Cbob", true).unwrap();
    assert_eq!(drain(&mut core), [], "queued, not failed");
    let retry = core.next_wakeup().unwrap();
    core.tick(retry);
    assert_eq!(drain(&mut core), [Effect::Connect]);
    core.on_frame(retry, hello());
    let resume = single_send(drain(&mut core));
    let resumed = Response::Resume(proto::ResumeOk {
        user_id: "alice".into(),
        inbox_seq: 0,
        server_time: 1,
    });
    core.on_frame(retry, ok(resume.id, resumed));
    let sent: Vec<ClientFrame> = drain(&mut core)
        .into_iter()
        .filter_map(|e| match e {
            Effect::Send(f) => Some(f),
            _ => None,
        })
        .collect();
    let read = sent
        .iter()
        .find(|f| matches!(f.request, Request::SetRead(_)))
        .expect("the read goes out again after the resume");
    assert!(sent
        .iter()
        .any(|f| matches!(f.request, Request::PinConversation(_))));
    let _ = pin;
    let after = proto::ConversationsOk {
        conversation_groups: Vec::new(),
        conversations: vec![conversation("bob", 0, None)],
        inbox_seq: 1,
        complete: true,
    };
    core.on_frame(retry + 1, ok(read.id, Response::SetRead(after)));
    assert!(drain(&mut core).contains(&Effect::Complete(op, Ok(OpOk::Empty {}))));
}

#[test]
fn a_modify_conflict_reports_the_message_as_it_is_now() {
    let (mut core, _) = ready_with(vec![], 0, 0, vec![item(1, stored(1, "bob", "alice", "b1"))]);
    let id = stored(1, "bob", "alice", "b1").id;
    // bob changed it meanwhile; alice's instance has seen that version.
    let mut newer = Message {
        version: 1,
        ..stored(1, "bob", "alice", "b1")
    };
    newer.body.elements = vec![Element::Text {
        text: "bob's edit".into(),
    }];
    core.on_frame(
        1,
        ServerFrame::Inbox(InboxItem {
            seq: 2,
            event: proto::InboxEvent::Modified { message: newer },
        }),
    );
    drain(&mut core);
    let op = core
        .modify_message(
            2,
            &id,
            Element::Text {
                text: "mine".into(),
            },
            String::new(),
        )
        .unwrap();
    let f = single_send(drain(&mut core));
    assert!(matches!(&f.request, Request::ModifyMessage(m) if m.version == 1));
    core.on_frame(3, err(f.id, 2480, "modified since"));
    let effects = drain(&mut core);
    let [Effect::Complete(done, Err(e))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!((*done, e.code), (op, 2480));
    let latest = e.data.message.as_ref().expect("the latest message");
    assert_eq!(
        (latest.is_modified, &latest.payload),
        (
            true,
            &Element::Text {
                text: "bob's edit".into()
            }
        )
    );
}

/// Every op of the protocol, sent by the core and answered: an app request's answer settles
/// its API call, the session's own answers move the lifecycle on. A new op fails to compile
/// here until it has its case.
#[test]
fn every_answer_reaches_its_caller() {
    use proto::Op;
    let bob = || conversation("bob", 1, Some(stored(1, "bob", "alice", "b1")));
    let page = || proto::ConversationsOk {
        conversation_groups: Vec::new(),
        conversations: vec![bob()],
        inbox_seq: 1,
        complete: true,
    };
    let message = || proto::MessageOk {
        message: stored(1, "bob", "alice", "b1"),
    };
    for op in Op::ALL {
        let (mut core, _) = ready_with(vec![bob()], 0, 0, vec![]);
        // Make the core send a request of `op`, with the answer the server gives it.
        let (call, answer) = match op {
            // The session's own: login, the list load and sync are what `ready_with` went
            // through; resume comes with a reconnection, heartbeats with silence; a logout is
            // not waited for.
            Op::Login | Op::GetConversations | Op::Sync | Op::SyncGroups => continue,
            Op::Resume => {
                let frame = reconnect(&mut core, 10);
                assert!(matches!(frame.request, Request::Resume(_)), "{frame:?}");
                let resumed = proto::ResumeOk {
                    user_id: "alice".into(),
                    inbox_seq: 0,
                    server_time: 0,
                };
                core.on_frame(10, ok(frame.id, Response::Resume(resumed)));
                let sync = single_send(drain(&mut core));
                assert!(matches!(sync.request, Request::Sync(_)), "{sync:?}");
                continue;
            }
            Op::Heartbeat => {
                let mut core = ready("alice", 0);
                let beat_at = core.next_wakeup().unwrap();
                core.tick(beat_at);
                let beat = single_send(drain(&mut core));
                assert_eq!(beat.request, Request::Heartbeat);
                let answer = proto::HeartbeatOk { server_time: 1 };
                core.on_frame(beat_at, ok(beat.id, Response::Heartbeat(answer)));
                assert_eq!(drain(&mut core), []);
                continue;
            }
            Op::Logout => {
                core.logout().unwrap();
                let frames: Vec<_> = drain(&mut core)
                    .into_iter()
                    .filter_map(|e| match e {
                        Effect::Send(f) => Some(f.request),
                        _ => None,
                    })
                    .collect();
                assert_eq!(frames, [Request::Logout]);
                continue;
            }
            Op::SendMessage => {
                let m = core.create_message(0, text_to("bob", "hi")).unwrap();
                let mut stored = stored(2, "alice", "bob", &m.id);
                stored.body.elements = vec![Element::Text { text: "hi".into() }];
                let ok = proto::SendMessageOk { message: stored };
                (core.send_message(0, m), Response::SendMessage(ok))
            }
            Op::GetHistory => {
                let ok = proto::GetHistoryOk {
                    messages: vec![],
                    complete: true,
                };
                (
                    core.get_message_list(0, "C2Cbob", None, 0),
                    Response::GetHistory(ok),
                )
            }
            Op::RevokeMessage => (
                core.revoke_message(0, "bob-1"),
                Response::RevokeMessage(message()),
            ),
            Op::ModifyMessage => {
                let text = Element::Text { text: "x".into() };
                let r = core.modify_message(0, "bob-1", text, String::new());
                (r, Response::ModifyMessage(message()))
            }
            Op::DeleteMessages => (
                core.delete_messages(0, vec!["bob-1".into()]),
                Response::DeleteMessages(page()),
            ),
            Op::SetRead => (
                core.set_message_read(0, "C2Cbob"),
                Response::SetRead(page()),
            ),
            Op::SetAllRead => (core.set_all_message_read(0), Response::SetAllRead(page())),
            Op::DeleteConversation => (
                core.delete_conversation(0, vec!["C2Cbob".into()], false),
                Response::DeleteConversation(page()),
            ),
            Op::ClearHistory => (
                core.clear_history(0, "C2Cbob"),
                Response::ClearHistory(page()),
            ),
            Op::PinConversation => (
                core.pin_conversation(0, "C2Cbob", true),
                Response::PinConversation(page()),
            ),
            Op::MarkConversations => (
                core.mark_conversations(0, vec!["C2Cbob".into()], 1, true),
                Response::MarkConversations(page()),
            ),
            Op::SetCustomData => (
                core.set_conversation_custom_data(0, vec!["C2Cbob".into()], "d".into()),
                Response::SetCustomData(page()),
            ),
            // A group's receipts: the messages go as the stateless ops' parameters.
            Op::SendMessageReadReceipt => {
                let list = r#"[{"ID":"g-1","conversationID":"GROUPteam","sequence":1}]"#;
                let ids = vec!["GROUPteam".to_owned()];
                let answer = Response::stateless(*op, proto::Json("{}".into())).unwrap();
                (core.send_read_receipt(0, ids, list.into()), answer)
            }
            Op::GetMessageReadReceiptList => {
                let list = r#"[{"ID":"g-1","conversationID":"GROUPteam","sequence":1}]"#;
                let messages = vec![("GROUPteam".to_owned(), "out".to_owned(), 1)];
                let data =
                    r#"{"messageList":[{"readReceiptInfo":{"readCount":1,"unreadCount":2}}]}"#;
                let answer = Response::stateless(*op, proto::Json(data.into())).unwrap();
                let call = core.get_message_read_receipt_list(0, messages, list.into());
                (call, answer)
            }
            // Stateless: the parameters go as they are, the answer's data comes back as it is.
            Op::GetGroupMessageReadMemberList
            | Op::InitGroupAttributes
            | Op::SetGroupAttributes
            | Op::DeleteGroupAttributes
            | Op::GetGroupAttributes
            | Op::SetGroupCounters
            | Op::IncreaseGroupCounter
            | Op::DecreaseGroupCounter
            | Op::GetGroupCounters
            | Op::GetGroupOnlineMemberCount
            | Op::GetMyProfile
            | Op::GetUserProfile
            | Op::UpdateMyProfile
            | Op::GetBlacklist
            | Op::AddToBlacklist
            | Op::RemoveFromBlacklist
            | Op::GetFriendList
            | Op::AddFriend
            | Op::DeleteFriend
            | Op::CheckFriend
            | Op::GetFriendProfile
            | Op::UpdateFriend
            | Op::GetFriendApplicationList
            | Op::AcceptFriendApplication
            | Op::RefuseFriendApplication
            | Op::DeleteFriendApplication
            | Op::SetFriendApplicationRead
            | Op::GetFriendGroupList
            | Op::CreateFriendGroup
            | Op::DeleteFriendGroup
            | Op::RenameFriendGroup
            | Op::AddToFriendGroup
            | Op::RemoveFromFriendGroup
            | Op::SetSelfStatus
            | Op::GetUserStatus
            | Op::SubscribeUserStatus
            | Op::UnsubscribeUserStatus
            | Op::CreateConversationGroup
            | Op::GetConversationGroupList
            | Op::DeleteConversationGroup
            | Op::RenameConversationGroup
            | Op::AddConversationsToGroup
            | Op::DeleteConversationsFromGroup
            | Op::CreateGroup
            | Op::GetGroupList
            | Op::GetGroupProfile
            | Op::SearchGroupById
            | Op::UpdateGroupProfile
            | Op::JoinGroup
            | Op::QuitGroup
            | Op::DismissGroup
            | Op::ChangeGroupOwner
            | Op::GetGroupApplicationList
            | Op::HandleGroupApplication
            | Op::SetMessageRemindType
            | Op::GetGroupMemberList
            | Op::GetGroupMemberProfile
            | Op::AddGroupMember
            | Op::DeleteGroupMember
            | Op::SetGroupMemberRole
            | Op::SetGroupMemberMuteTime
            | Op::SetGroupMemberNameCard
            | Op::SetGroupMemberCustomField => {
                let (stateless, _) = Op::stateless(op.name()).expect("a stateless op");
                let call = core.call(0, stateless, r#"{"userIDList":["bob"]}"#.into());
                let frame = single_send(drain(&mut core));
                let params = proto::Json(r#"{"userIDList":["bob"]}"#.into());
                assert_eq!(frame.request, Request::stateless(*op, params).unwrap());
                let data = proto::Json(r#"[{"userID":"bob"}]"#.into());
                let answer = Response::stateless(*op, data.clone()).unwrap();
                core.on_frame(1, ok(frame.id, answer));
                let settled = drain(&mut core).into_iter().find_map(|e| match e {
                    Effect::Complete(id, result) if Ok(id) == call => Some(result),
                    _ => None,
                });
                assert_eq!(settled, Some(Ok(OpOk::Json(data))), "{}", op.name());
                continue;
            }
        };
        let call = call.unwrap_or_else(|e| panic!("{}: {e:?}", op.name()));
        let frame = single_send(drain(&mut core));
        assert_eq!(frame.request.op(), *op);
        core.on_frame(1, ok(frame.id, answer));
        let settled = drain(&mut core).into_iter().find_map(|e| match e {
            Effect::Complete(id, result) if id == call => Some(result),
            _ => None,
        });
        assert!(matches!(settled, Some(Ok(_))), "{}: {settled:?}", op.name());
    }
}

#[test]
fn calls_between_the_login_answer_and_ready_wait_for_sdk_ready() {
    let config = Config {
        heartbeat_ms: 1 << 40,
        dead_after_ms: 1 << 40,
        ..Config::default()
    };
    let mut core = Core::with_config(APP, 1, config);
    assert_eq!(core.await_ready(0), None, "no login: nothing to wait for");
    core.login(0, "alice", "sig", None).unwrap();
    assert_eq!(
        core.await_ready(0),
        None,
        "before the login's answer: the official 3000"
    );
    drain(&mut core);
    core.on_frame(0, hello());
    let login = single_send(drain(&mut core));
    core.on_frame(0, ok(login.id, login_ok("alice", 0)));
    let first = core.await_ready(10).unwrap();
    let late = core.await_ready(20).unwrap();
    let (_, sync) = list_then_sync(&mut core, 30, 0);
    // The first of them is due when its request deadline passes.
    assert_eq!(core.next_wakeup(), Some(10 + 15_000));
    core.tick(15_010);
    let timed_out = drain(&mut core);
    assert!(
        matches!(&timed_out[..], [Effect::Complete(op, Err(e))] if *op == first && e.code == LOGGING_IN),
        "{timed_out:?}"
    );
    let effects = caught_up(&mut core, 15_015, sync.id, vec![]);
    let effects = answer_lists(&mut core, 15_015, effects);
    // SDK_READY (and the list it brings) first, then the waiting call goes on.
    assert_eq!(effects[0], Effect::Emit(Event::SdkReady));
    assert_eq!(
        effects.last(),
        Some(&Effect::Complete(late, Ok(OpOk::Empty {})))
    );
    assert_eq!(core.await_ready(15_020), None, "ready: nothing to wait for");

    // A session that ends before it is ready fails its waiting calls with the reason.
    let mut core = Core::new(APP, 1);
    core.login(0, "alice", "sig", None).unwrap();
    drain(&mut core);
    core.on_frame(0, hello());
    let login = single_send(drain(&mut core));
    core.on_frame(0, ok(login.id, login_ok("alice", 0)));
    drain(&mut core);
    let op = core.await_ready(0).unwrap();
    core.logout().unwrap();
    let effects = drain(&mut core);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Complete(o, Err(e)) if *o == op && e.code == LOGGED_OUT)),
        "{effects:?}"
    );
}

fn changed(seq: u64, list: proto::relation::List) -> ServerFrame {
    ServerFrame::Inbox(InboxItem {
        seq,
        event: proto::InboxEvent::Changed { list },
    })
}

/// A `changed` item makes the SDK fetch that list and fire its event with the whole list; a
/// list is fetched at most once a second, changes meanwhile bring one trailing fetch.
#[test]
fn a_changed_list_is_fetched_and_fired_at_most_once_a_second() {
    use proto::relation::List;
    let mut core = ready_quiet("alice");
    // The login's fetches answered at 0 hold the next ones until 1 s later.
    core.on_frame(500, changed(1, List::Friends));
    assert_eq!(drain(&mut core), []);
    assert_eq!(core.next_wakeup(), Some(1_000));
    core.tick(1_000);
    let fetch = single_send(drain(&mut core));
    let answer = Response::stateless(proto::Op::GetFriendList, proto::Json("[]".into()));
    core.on_frame(1_000, ok(fetch.id, answer.unwrap()));
    drain(&mut core);
    core.on_frame(5_100, changed(2, List::Friends));
    let fetch = single_send(drain(&mut core));
    assert_eq!(fetch.request.op(), proto::Op::GetFriendList);
    // Changes while the fetch is out wait for it.
    core.on_frame(5_110, changed(3, List::Friends));
    assert_eq!(drain(&mut core), []);
    let list = proto::Json(r#"[{"userID":"bob"}]"#.into());
    let answer = Response::stateless(proto::Op::GetFriendList, list.clone()).unwrap();
    core.on_frame(5_120, ok(fetch.id, answer));
    assert_eq!(
        drain(&mut core),
        [Effect::Emit(Event::ListUpdated(ListUpdate {
            list: List::Friends,
            data: list
        }))]
    );
    // The trailing fetch, a second after the last one answered; other lists are not held up.
    assert_eq!(core.next_wakeup(), Some(6_120));
    core.on_frame(5_130, changed(4, List::Blacklist));
    let black = single_send(drain(&mut core));
    assert_eq!(black.request.op(), proto::Op::GetBlacklist);
    core.tick(6_000);
    assert_eq!(drain(&mut core), []);
    core.tick(6_120);
    let again = single_send(drain(&mut core));
    assert_eq!(again.request.op(), proto::Op::GetFriendList);
    // A failed fetch fires nothing and leaves nothing due.
    core.on_frame(6_130, err(again.id, 2998, "not implemented"));
    assert_eq!(drain(&mut core), []);
    let data = proto::Json(r#"["bob"]"#.into());
    let answer = Response::stateless(proto::Op::GetBlacklist, data.clone()).unwrap();
    core.on_frame(6_140, ok(black.id, answer));
    assert_eq!(
        drain(&mut core),
        [Effect::Emit(Event::ListUpdated(ListUpdate {
            list: List::Blacklist,
            data
        }))]
    );
    core.tick(8_000);
    assert_eq!(drain(&mut core), [], "nothing due");
    // After a logout nothing of it is left.
    core.logout().unwrap();
    drain(&mut core);
    core.on_frame(7_000, changed(5, List::FriendGroups));
    assert_eq!(drain(&mut core), []);
}

/// The group list: a `changed` item for it fetches getGroupList, whose answer is
/// `{groupList}`; GROUP_LIST_UPDATED carries the array itself, as the official.
#[test]
fn group_list_updated_carries_the_groups() {
    use proto::relation::List;
    let mut core = ready_quiet("alice");
    core.on_frame(2_000, changed(1, List::Groups));
    let fetch = single_send(drain(&mut core));
    assert_eq!(fetch.request.op(), proto::Op::GetGroupList);
    let groups = r#"[{"groupID":"g1","name":"team"}]"#;
    let answer = proto::Json(format!(r#"{{"groupList":{groups}}}"#));
    let answer = Response::stateless(proto::Op::GetGroupList, answer).unwrap();
    core.on_frame(2_010, ok(fetch.id, answer));
    let fired = drain(&mut core);
    assert_eq!(
        fired,
        [Effect::Emit(Event::ListUpdated(ListUpdate {
            list: List::Groups,
            data: proto::Json(groups.into())
        }))]
    );
    assert_eq!(
        match &fired[0] {
            Effect::Emit(e) => e.name(),
            _ => "",
        },
        "onGroupListUpdated"
    );
}

/// The peer's nick and avatar: from the list's answer into `userProfile`, kept when an item
/// has none, and taken from the peer's messages, which carry the sender's as stamped.
#[test]
fn user_profile_and_message_nick_come_from_the_server() {
    let mut bob = conversation("bob", 0, None);
    bob.peer_nick = "Bob".into();
    bob.peer_avatar = "b.png".into();
    let (mut core, effects) = ready_with(vec![bob], 0, 0, vec![]);
    let list = list_of(&effects);
    assert_eq!(
        (
            list[0].user_profile.nick.as_str(),
            list[0].user_profile.avatar.as_str()
        ),
        ("Bob", "b.png")
    );
    // A conversation item without the profile (e.g. after a pin) keeps it.
    let mut pinned = conversation("bob", 0, None);
    pinned.is_pinned = true;
    core.on_frame(
        1,
        ServerFrame::Inbox(InboxItem {
            seq: 1,
            event: proto::InboxEvent::Conversation {
                conversation: pinned,
            },
        }),
    );
    let list = list_of(&drain(&mut core));
    assert!(list[0].is_pinned);
    assert_eq!(list[0].user_profile.nick, "Bob");
    // A message from bob carries his nick as it is now: the message and the list show it.
    let mut m = stored(1, "bob", "alice", "b1");
    m.nick = "Bobby".into();
    m.avatar = "b2.png".into();
    core.on_frame(2, push(2, m));
    let effects = drain(&mut core);
    let received = effects.iter().find_map(|e| match e {
        Effect::Emit(Event::MessageReceived(l)) => Some(l[0].clone()),
        _ => None,
    });
    assert_eq!(received.unwrap().nick, "Bobby");
    let list = list_of(&effects);
    assert_eq!(list[0].user_profile.nick, "Bobby");
    assert_eq!(list[0].user_profile.avatar, "b2.png");
    assert_eq!(list[0].last_message.as_ref().unwrap().nick, "Bobby");
}

/// A `status` frame is USER_STATUS_UPDATED with its list as it is, once the SDK is ready.
#[test]
fn status_frames_fire_user_status_updated_once_ready() {
    let frame = || {
        ServerFrame::Status(proto::status::StatusPush {
            user_status_list: proto::Json(
                r#"[{"userID":"bob","statusType":2,"customStatus":""}]"#.into(),
            ),
        })
    };
    let mut core = Core::new(APP, 3);
    core.login(0, "alice", "sig", None).unwrap();
    drain(&mut core);
    core.on_frame(0, hello());
    drain(&mut core);
    core.on_frame(0, frame());
    assert_eq!(drain(&mut core), [], "not ready: nothing");
    let mut core = ready_quiet("alice");
    core.on_frame(1, frame());
    assert_eq!(
        drain(&mut core),
        [Effect::Emit(Event::UserStatusUpdated(proto::Json(
            r#"[{"userID":"bob","statusType":2,"customStatus":""}]"#.into()
        )))]
    );
}

/// Conversation groups: loaded with the list into each conversation's
/// `conversationGroupList`; a `conversationGroups` item fires CONVERSATION_GROUP_LIST_UPDATED
/// with the names, then the list with the new memberships.
#[test]
fn conversation_groups_come_with_the_list_and_their_item() {
    let group = |name: &str, ids: &[&str]| proto::ConversationGroup {
        name: name.into(),
        conversation_id_list: ids.iter().map(|s| s.to_string()).collect(),
    };
    let mut core = ready_quiet_unlogged();
    core.login(0, "alice", "sig", None).unwrap();
    drain(&mut core);
    core.on_frame(0, hello());
    let login = single_send(drain(&mut core));
    core.on_frame(0, ok(login.id, login_ok("alice", 0)));
    let list_req = single_send(drain(&mut core).split_off(1));
    let page = proto::ConversationsOk {
        conversations: vec![conversation("bob", 0, None)],
        conversation_groups: vec![group("work", &["C2Cbob"])],
        inbox_seq: 0,
        complete: true,
    };
    core.on_frame(0, ok(list_req.id, Response::GetConversations(page)));
    let sync = single_send(drain(&mut core));
    let effects = caught_up(&mut core, 0, sync.id, vec![]);
    let effects = answer_lists(&mut core, 0, effects);
    assert_eq!(list_of(&effects)[0].conversation_group_list, ["work"]);

    let item = InboxItem {
        seq: 1,
        event: proto::InboxEvent::ConversationGroups {
            conversation_groups: vec![group("work", &[]), group("fav", &["C2Cbob"])],
        },
    };
    core.on_frame(1, ServerFrame::Inbox(item));
    let effects = drain(&mut core);
    assert_eq!(
        effects[0],
        Effect::Emit(Event::ConversationGroupListUpdated(vec![
            "work".into(),
            "fav".into()
        ]))
    );
    assert_eq!(list_of(&effects)[0].conversation_group_list, ["fav"]);
}

/// Message number `seq` of group `group`, from `from`.
fn in_group(seq: u64, from: &str, group: &str) -> Message {
    Message {
        conversation_type: ConversationType::Group,
        id: format!("{group}-{seq}"),
        ..stored(seq, from, group, &format!("{from}-{group}-{seq}"))
    }
}

fn group_push(message: Message) -> ServerFrame {
    ServerFrame::Group(proto::group::GroupPush { message })
}

/// Group messages: the next of a group is delivered, a repeat ignored, a gap fetched with
/// `syncGroups` from the group's cursor; after a reconnection the group sync asks from every
/// cursor, so nothing is missed or seen twice.
#[test]
fn group_messages_come_once_in_order_across_gaps_and_reconnections() {
    let mut core = ready_quiet("alice");
    // A group the first group sync did not know (joined since) starts at its first push.
    core.on_frame(1, group_push(in_group(4, "bob", "g1")));
    let effects = drain(&mut core);
    assert_eq!(received(&effects), [4]);
    let list = list_of(&effects);
    assert_eq!(list[0].conversation_id, "GROUPg1");
    assert_eq!((list[0].type_, list[0].unread_count), ("GROUP", 1));
    let Effect::Emit(Event::MessageReceived(got)) = &effects[0] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (got[0].conversation_id.as_str(), got[0].conversation_type),
        ("GROUPg1", "GROUP")
    );
    core.on_frame(2, group_push(in_group(5, "carol", "g1")));
    assert_eq!(received(&drain(&mut core)), [5]);
    core.on_frame(2, group_push(in_group(5, "carol", "g1")));
    assert_eq!(drain(&mut core), [], "a repeat");

    // A gap: the missing ones are asked for from the group's cursor.
    core.on_frame(3, group_push(in_group(8, "bob", "g1")));
    let sync = single_send(drain(&mut core));
    assert_eq!(
        sync.request,
        Request::SyncGroups(proto::group::SyncGroups {
            cursors: vec![("g1".into(), 5)],
            limit: 100
        })
    );
    let missed = (6..=8).map(|s| in_group(s, "bob", "g1")).collect();
    core.on_frame(4, ok(sync.id, groups_page(vec![], missed, true)));
    assert_eq!(received(&drain(&mut core)), [6, 7, 8]);

    // Away and back: the group sync after the inbox's asks from where each group was.
    let resume = reconnect(&mut core, 10);
    let resumed = proto::ResumeOk {
        user_id: "alice".into(),
        inbox_seq: 0,
        server_time: 0,
    };
    core.on_frame(1_100, ok(resume.id, Response::Resume(resumed)));
    let sync = single_send(drain(&mut core));
    // A gap while the inbox syncs is left to the group sync that follows it.
    core.on_frame(1_100, group_push(in_group(11, "bob", "g1")));
    assert_eq!(
        drain(&mut core),
        [],
        "no early group sync, nothing ready yet"
    );
    core.on_frame(1_100, ok(sync.id, sync_page(vec![], true)));
    let groups = single_send(drain(&mut core));
    assert_eq!(
        groups.request,
        Request::SyncGroups(proto::group::SyncGroups {
            cursors: vec![("g1".into(), 8)],
            limit: 100
        })
    );
    // A push meanwhile is delivered (in order); the page overlapping it counts it once.
    core.on_frame(1_100, group_push(in_group(9, "bob", "g1")));
    let missed = vec![in_group(9, "bob", "g1"), in_group(10, "bob", "g1")];
    core.on_frame(
        1_101,
        ok(groups.id, groups_page(vec![("g2", 3)], missed, true)),
    );
    let effects = drain(&mut core);
    assert_eq!(received(&effects), [9, 10]);
    assert_eq!(list_of(&effects)[0].unread_count, 7);
    // g2 starts where it stood: its next message is delivered, an older one is not.
    core.on_frame(1_102, group_push(in_group(3, "bob", "g2")));
    assert_eq!(drain(&mut core), []);
    core.on_frame(1_102, group_push(in_group(4, "bob", "g2")));
    assert_eq!(received(&drain(&mut core)), [4]);
}

/// A fresh login's groups start where they stood at the login, not at the first group sync:
/// a message that came between the login and the list's read is fetched by that sync and
/// delivered (MESSAGE_RECEIVED), and the list, which counted it already, counts it once.
#[test]
fn a_fresh_login_misses_no_group_message_of_its_first_moments() {
    let mut core = ready_quiet_unlogged();
    core.login(0, "alice", "sig", None).unwrap();
    drain(&mut core);
    core.on_frame(0, hello());
    let login = single_send(drain(&mut core));
    let Response::Login(mut ok_login) = login_ok("alice", 0) else {
        unreachable!()
    };
    ok_login.groups = vec![("team".into(), 5)];
    core.on_frame(0, ok(login.id, Response::Login(ok_login)));
    let list_req = single_send(drain(&mut core).split_off(1));
    // bob's message 6 came after the login: the list, read after it, shows it unread.
    let team = proto::Conversation {
        unread_count: 1,
        last_message: Some(in_group(6, "bob", "team")),
        ..proto::Conversation::empty(proto::ConversationId::Group("team".into()))
    };
    core.on_frame(0, ok(list_req.id, conversations(vec![team], 0)));
    let sync = single_send(drain(&mut core));
    core.on_frame(0, ok(sync.id, sync_page(vec![], true)));
    let groups = single_send(drain(&mut core));
    assert_eq!(
        groups.request,
        Request::SyncGroups(proto::group::SyncGroups {
            cursors: vec![("team".into(), 5)],
            limit: 100
        }),
        "from where the group stood at the login"
    );
    let page = groups_page(vec![], vec![in_group(6, "bob", "team")], true);
    core.on_frame(0, ok(groups.id, page));
    let effects = drain(&mut core);
    let effects = answer_lists(&mut core, 0, effects);
    assert_eq!(received(&effects), [6]);
    let list = list_of(&effects);
    assert_eq!(
        (list[0].conversation_id.as_str(), list[0].unread_count),
        ("GROUPteam", 1)
    );
}
