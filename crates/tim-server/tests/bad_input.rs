//! Bad input gets an `err` frame with a code; the connection and the stored data stay intact.

mod common;
use common::*;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn malformed_frames_get_codes_and_the_connection_survives() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut bob = server.login("bob").await;
    let mut c = server.connect().await;

    // Before login.
    let r = c.call("sync", json!({"after": 0})).await;
    assert_eq!(r["code"], 2024);
    assert_eq!(c.login("alice").await["type"], "ok");
    assert_eq!(c.send_text("bob", "ok-1", "kept").await["type"], "ok");

    let null_id_cases = [
        ("{not json", 60003),
        ("[1,2]", 60003),
        ("\"text\"", 60003),
        (r#"{"op":"heartbeat"}"#, 60003),
        (r#"{"id":"7","op":"heartbeat"}"#, 60003),
        (r#"{"id":-1,"op":"heartbeat"}"#, 60003),
    ];
    for (text, code) in null_id_cases {
        let r = c.raw(text.into(), None).await;
        assert_eq!(r["type"], "err", "{text}");
        assert_eq!(r["code"], code, "{text}: {r}");
    }
    let id_cases = [
        (r#"{"id":1,"op":"fly"}"#, 60009),
        (r#"{"id":2}"#, 20001),
        (r#"{"id":3,"op":5}"#, 20001),
        (r#"{"id":4,"op":"sync","data":{"after":"x"}}"#, 20001),
        (r#"{"id":5,"op":"sendMessage","data":{"to":"bob"}}"#, 20001),
        (
            r#"{"id":6,"op":"sendMessage","data":{"conversationType":"C2C","to":"bob","clientMsgID":"c","random":1,"elements":[{"type":"TIMMagicElem","content":{}}]}}"#,
            20001,
        ),
        (
            r#"{"id":7,"op":"sendMessage","data":{"conversationType":"C2C","to":"bob","clientMsgID":"c","random":1,"elements":[]}}"#,
            20001,
        ),
        (
            r#"{"id":8,"op":"sendMessage","data":{"conversationType":"C2C","to":"nobody","clientMsgID":"c","random":1,"elements":[{"type":"TIMTextElem","content":{"text":"x"}}]}}"#,
            20003,
        ),
        (
            r#"{"id":9,"op":"sendMessage","data":{"conversationType":"C2C","to":"","clientMsgID":"c","random":1,"elements":[{"type":"TIMTextElem","content":{"text":"x"}}]}}"#,
            20003,
        ),
        (
            r#"{"id":10,"op":"sendMessage","data":{"conversationType":"GROUP","to":"g","clientMsgID":"c","random":1,"elements":[{"type":"TIMTextElem","content":{"text":"x"}}]}}"#,
            10010,
        ),
        (
            r#"{"id":11,"op":"getHistory","data":{"conversationID":"GROUPx","count":5}}"#,
            10007,
        ),
        (
            r#"{"id":12,"op":"getHistory","data":{"conversationID":"C2Cbob","count":0}}"#,
            20001,
        ),
        (
            r#"{"id":13,"op":"getHistory","data":{"conversationID":"C2Cbob","count":101}}"#,
            20001,
        ),
        (
            r#"{"id":14,"op":"sendMessage","data":{"conversationType":"C2C","to":"bob","clientMsgID":"c","random":-5,"elements":[{"type":"TIMTextElem","content":{"text":"x"}}]}}"#,
            20001,
        ),
    ];
    for (text, code) in id_cases {
        let id = serde_json::from_str::<serde_json::Value>(text).unwrap()["id"].as_u64();
        let r = c.raw(text.into(), id).await;
        assert_eq!(r["type"], "err", "{text}");
        assert_eq!(r["code"], code, "{text}: {r}");
    }

    // A body over 12 KB as stored (the elements' JSON) is refused with 80002.
    let overhead = r#"[{"type":"TIMTextElem","content":{"text":""}}]"#.len();
    let big = "x".repeat(12 * 1024 - overhead + 1);
    let r = c.send_text("bob", "too-big", &big).await;
    assert_eq!(r["code"], 80002, "{r}");
    let exact = "y".repeat(12 * 1024 - overhead);
    assert_eq!(c.send_text("bob", "just-fits", &exact).await["type"], "ok");
    // Empty elements count too (they are stored), and so do mentions.
    let empty = json!({"type": "TIMTextElem", "content": {"text": ""}});
    let many = json!({"conversationType": "C2C", "to": "bob", "clientMsgID": "empties",
        "random": 1, "elements": vec![empty; 300]});
    assert_eq!(c.call("sendMessage", many).await["code"], 80002);
    let at = json!({"conversationType": "C2C", "to": "bob", "clientMsgID": "mentions",
        "random": 1, "elements": [{"type": "TIMTextElem", "content": {"text": "y".repeat(12 * 1024 - overhead - 10)}}],
        "atUserList": ["carol", "dave"]});
    assert_eq!(c.call("sendMessage", at).await["code"], 80002);

    // A frame over the 64 KiB frame limit gets 80002 with its id.
    let huge = json!({"id": 99, "op": "heartbeat", "data": {"pad": "z".repeat(70 * 1024)}});
    let r = c.raw(huge.to_string(), Some(99)).await;
    assert_eq!(r["code"], 80002, "{r}");

    // Binary frames carrying UTF-8 JSON are read like text; other bytes are refused.
    // (Pushes of the messages sent above may come in between: answers are picked by id.)
    c.send_raw(Message::binary(br#"{"id":100,"op":"heartbeat"}"#.to_vec()))
        .await;
    let r = c.answer(Some(100)).await;
    assert_eq!(r["type"], "ok", "{r}");
    c.send_raw(Message::binary(vec![0xff, 0xfe, 0x00])).await;
    let r = c.answer(None).await;
    assert_eq!(r["code"], 60003);

    // Still connected and logged in; nothing refused was stored.
    c.heartbeat_ok().await;
    let r = bob.call("sync", json!({"after": 0})).await;
    let texts: Vec<_> = r["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| text_of(&i["message"]).len())
        .collect();
    let overhead = r#"[{"type":"TIMTextElem","content":{"text":""}}]"#.len();
    assert_eq!(texts, vec![4, 12 * 1024 - overhead]);
}

#[tokio::test]
async fn nobody_sends_as_someone_else() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut bob = server.login("bob").await;
    let mut mallory = server.login("mallory").await;
    // A "from" field is not part of the request: the sender is always the session's user.
    let r = mallory
        .raw(
            json!({"id": 1, "op": "sendMessage", "data": {"conversationType": "C2C", "to": "bob",
                "from": "alice", "clientMsgID": "m", "random": 1,
                "elements": [{"type": "TIMTextElem", "content": {"text": "it's alice"}}]}})
            .to_string(),
            Some(1),
        )
        .await;
    assert_eq!(r["data"]["message"]["from"], "mallory");
    assert_eq!(bob.next_push().await["message"]["from"], "mallory");
}

#[tokio::test]
async fn every_op_of_the_table_is_routed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut c = server.login("alice").await;
    // Each op without its data: refused for the data (or answered), never an unknown op and
    // never a request that falls through the dispatcher.
    for (i, op) in tim_proto::Op::ALL.iter().enumerate() {
        if *op == tim_proto::Op::Logout {
            continue;
        }
        let id = 1000 + i as u64;
        let r = c
            .raw(json!({"id": id, "op": op.name()}).to_string(), Some(id))
            .await;
        assert!(
            ![60009, 70500].contains(&r["code"].as_u64().unwrap_or(0)),
            "{}: {r}",
            op.name()
        );
    }
    let r = c.call("logout", serde_json::Value::Null).await;
    assert_eq!(r["type"], "ok", "{r}");
}
