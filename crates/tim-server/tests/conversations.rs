//! Each user's conversations on the server: unread counts, read state told to the peer, pins,
//! marks, custom data, deletion and clearing, revocation; the same on every session.

mod common;
use common::*;
use serde_json::{json, Value};

async fn list(c: &mut Client) -> Vec<Value> {
    let r = c.call("getConversations", json!({"limit": 100})).await;
    assert_eq!(r["type"], "ok", "{r}");
    assert_eq!(r["data"]["complete"], true);
    r["data"]["conversations"].as_array().unwrap().clone()
}

/// The kinds of every item of the caller's inbox, in order.
async fn inbox_kinds(c: &mut Client) -> Vec<Value> {
    let r = c.call("sync", json!({"after": 0})).await;
    let items = r["data"]["items"].as_array().unwrap();
    items.iter().map(|i| i["kind"].clone()).collect()
}

/// The next push of `kind` (skipping others).
async fn next_of(c: &mut Client, kind: &str) -> Value {
    loop {
        let p = c.next_push().await;
        if p["kind"] == kind {
            return p;
        }
    }
}

#[tokio::test]
async fn unread_counts_and_read_state_follow_every_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--web-instances", "2"]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut bob2 = server.login("bob").await;
    for i in 1..=3 {
        alice
            .send_text("bob", &format!("a{i}"), &format!("hi {i}"))
            .await;
    }
    let convs = list(&mut bob).await;
    assert_eq!(convs.len(), 1);
    assert_eq!(convs[0]["conversationID"], "C2Calice");
    assert_eq!(
        convs[0]["peer"],
        Value::Null,
        "the conversationID names the peer"
    );
    assert_eq!(convs[0]["unreadCount"], 3);
    assert_eq!(text_of(&convs[0]["lastMessage"]), "hi 3");
    let mine = list(&mut alice).await;
    assert_eq!(
        (
            mine[0]["conversationID"].as_str(),
            mine[0]["unreadCount"].as_u64()
        ),
        (Some("C2Cbob"), Some(0))
    );

    let r = bob
        .call("setRead", json!({"conversationID": "C2Calice"}))
        .await;
    assert_eq!(r["data"]["conversations"][0]["unreadCount"], 0, "{r}");
    // The other session of bob learns it; alice learns how far bob read.
    let changed = next_of(&mut bob2, "conversation").await;
    assert_eq!(changed["conversation"]["unreadCount"], 0);
    let read = next_of(&mut alice, "peerRead").await;
    assert_eq!(read["conversationID"], "C2Cbob");
    assert_eq!(read["readSeq"], 3);
    assert_eq!(list(&mut alice).await[0]["peerReadSeq"], 3);
    // A new message counts again from zero.
    alice.send_text("bob", "a4", "again").await;
    assert_eq!(list(&mut bob2).await[0]["unreadCount"], 1);
    let r = bob
        .call("setRead", json!({"conversationID": "C2Cnobody"}))
        .await;
    assert_eq!(r["code"], 2500, "{r}");
}

#[tokio::test]
async fn pins_marks_and_custom_data_are_the_users_own() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let _carol = server.login("carol").await;
    alice.send_text("bob", "a1", "x").await;
    alice.send_text("carol", "a2", "y").await;
    let r = alice
        .call(
            "pinConversation",
            json!({"conversationID": "C2Cbob", "isPinned": true}),
        )
        .await;
    assert_eq!(r["data"]["conversations"][0]["isPinned"], true, "{r}");
    let r = alice
        .call("markConversations", json!({"conversationIDList": ["C2Cbob", "C2Ccarol"], "markType": 5, "enableMark": true}))
        .await;
    assert_eq!(r["data"]["conversations"].as_array().unwrap().len(), 2);
    alice
        .call(
            "markConversations",
            json!({"conversationIDList": ["C2Cbob"], "markType": 1, "enableMark": false}),
        )
        .await;
    alice
        .call(
            "setCustomData",
            json!({"conversationIDList": ["C2Ccarol"], "customData": "draft: hello"}),
        )
        .await;
    let convs = list(&mut alice).await;
    let (b, c) = (&convs[0], &convs[1]);
    assert_eq!(
        (b["isPinned"].as_bool(), b["mark"].as_u64()),
        (Some(true), Some(4))
    );
    assert_eq!(
        (c["isPinned"].as_bool(), c["mark"].as_u64()),
        (Some(false), Some(5))
    );
    assert_eq!(c["customData"], "draft: hello");
    // Bob's side of the same conversation is untouched.
    let theirs = list(&mut bob).await;
    assert_eq!(
        (theirs[0]["isPinned"].as_bool(), theirs[0]["mark"].as_u64()),
        (Some(false), Some(0))
    );

    let bad = [
        (
            "markConversations",
            json!({"conversationIDList": ["C2Cbob"], "markType": 0, "enableMark": true}),
            20001,
        ),
        (
            "setCustomData",
            json!({"conversationIDList": ["C2Cbob"], "customData": "z".repeat(257)}),
            80002,
        ),
        (
            "setCustomData",
            json!({"conversationIDList": [], "customData": ""}),
            20001,
        ),
        (
            "pinConversation",
            json!({"conversationID": "GROUPx", "isPinned": true}),
            2500,
        ),
        (
            "pinConversation",
            json!({"conversationID": "C2Cnobody", "isPinned": true}),
            2500,
        ),
        ("getConversations", json!({"limit": 0}), 20001),
    ];
    for (op, data, code) in bad {
        let r = alice.call(op, data.clone()).await;
        assert_eq!(r["code"], code, "{op} {data}: {r}");
    }
    // A failed multi-conversation change changes none of them (a group one the caller is
    // not in too).
    let r = alice
        .call(
            "setCustomData",
            json!({"conversationIDList": ["C2Cbob", "GROUPnone"], "customData": "no"}),
        )
        .await;
    assert_eq!(r["code"], 2500, "{r}");
    let r = alice
        .call(
            "setCustomData",
            json!({"conversationIDList": ["C2Cbob", "C2Cnobody"], "customData": "no"}),
        )
        .await;
    assert_eq!(r["code"], 2500);
    assert_eq!(list(&mut alice).await[0].get("customData"), None);
}

#[tokio::test]
async fn deleting_or_clearing_hides_history_for_that_user_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    for i in 1..=3 {
        alice
            .send_text("bob", &format!("a{i}"), &format!("old {i}"))
            .await;
    }
    let r = bob
        .call("deleteConversation", json!({"conversationID": "C2Calice"}))
        .await;
    assert_eq!(r["data"]["conversations"][0]["deleted"], true, "{r}");
    assert!(list(&mut bob).await.is_empty());
    let history = |c: &'static str| json!({"conversationID": c, "count": 100});
    let r = bob.call("getHistory", history("C2Calice")).await;
    assert_eq!(r["data"]["messages"], json!([]));
    let r = alice.call("getHistory", history("C2Cbob")).await;
    assert_eq!(
        r["data"]["messages"].as_array().unwrap().len(),
        3,
        "the peer keeps its history"
    );
    // A new message brings the conversation back, with only what came after.
    alice.send_text("bob", "a4", "new").await;
    let convs = list(&mut bob).await;
    assert_eq!(
        (convs.len(), convs[0]["unreadCount"].as_u64()),
        (1, Some(1))
    );
    let r = bob.call("getHistory", history("C2Calice")).await;
    assert_eq!(r["data"]["messages"].as_array().unwrap().len(), 1);

    let r = alice
        .call("clearHistory", json!({"conversationID": "C2Cbob"}))
        .await;
    assert_eq!(r["type"], "ok", "{r}");
    let convs = list(&mut alice).await;
    assert_eq!(convs.len(), 1, "a cleared conversation stays in the list");
    assert_eq!(convs[0].get("lastMessage"), None);
    assert_eq!(
        alice.call("getHistory", history("C2Cbob")).await["data"]["messages"],
        json!([])
    );
}

#[tokio::test]
async fn only_the_sender_revokes_and_both_sides_learn_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    let sent = alice.send_text("bob", "a1", "oops").await;
    let id = sent["data"]["message"]["ID"].as_str().unwrap().to_owned();
    assert_eq!(
        bob.call("revokeMessage", json!({"messageID": id})).await["code"],
        2110
    );
    assert_eq!(
        carol.call("revokeMessage", json!({"messageID": id})).await["code"],
        2500
    );
    assert_eq!(
        alice
            .call("revokeMessage", json!({"messageID": "1-2"}))
            .await["code"],
        2500
    );
    assert_eq!(
        alice
            .call("revokeMessage", json!({"messageID": "999-1-1"}))
            .await["code"],
        2500
    );
    let r = alice.call("revokeMessage", json!({"messageID": id})).await;
    assert_eq!(r["data"]["message"]["revoker"], "alice", "{r}");
    for c in [&mut alice, &mut bob] {
        let p = next_of(c, "revoked").await;
        assert_eq!(
            (
                p["message"]["ID"].as_str(),
                p["message"]["revoker"].as_str()
            ),
            (Some(id.as_str()), Some("alice"))
        );
    }
    let h = bob
        .call(
            "getHistory",
            json!({"conversationID": "C2Calice", "count": 10}),
        )
        .await;
    assert_eq!(h["data"]["messages"][0]["revoker"], "alice");
    assert_eq!(list(&mut bob).await[0]["lastMessage"]["revoker"], "alice");
    // Revoking again changes nothing (no second revoked item).
    assert_eq!(
        alice.call("revokeMessage", json!({"messageID": id})).await["type"],
        "ok"
    );
    assert_eq!(
        inbox_kinds(&mut bob).await,
        vec![json!("message"), json!("revoked")]
    );
}

#[tokio::test]
async fn a_revoke_with_the_right_row_but_a_wrong_id_revokes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let sent = alice.send_text("bob", "a1", "keep me").await;
    let id = sent["data"]["message"]["ID"].as_str().unwrap().to_owned();
    let row = id.split('-').next().unwrap();
    let r = alice
        .call("revokeMessage", json!({"messageID": format!("{row}-1-1")}))
        .await;
    assert_eq!(r["code"], 2500, "{r}");
    // The answer and the store agree: nothing was revoked, seen from both sides.
    for (c, peer) in [(&mut alice, "C2Cbob"), (&mut bob, "C2Calice")] {
        let h = c
            .call("getHistory", json!({"conversationID": peer, "count": 10}))
            .await;
        assert_eq!(h["data"]["messages"][0]["ID"], id.as_str());
        assert_eq!(h["data"]["messages"][0].get("revoker"), None, "{h}");
        assert_eq!(list(c).await[0]["lastMessage"].get("revoker"), None);
        assert_eq!(
            inbox_kinds(c).await,
            vec![json!("message")],
            "no revoked item"
        );
        assert!(c.pushes.iter().all(|p| p["kind"] != "revoked"));
    }
}

#[tokio::test]
async fn revoking_is_limited_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tim.toml");
    std::fs::write(
        &cfg,
        "[[app]]\nsdkappid = 88\nkey = \"k88\"\nrevoke_limit = 1\n",
    )
    .unwrap();
    let server = Server::start(
        &dir.path().join("tim.db"),
        &["--config", cfg.to_str().unwrap()],
    );
    let sig = |u: &str| tim_server::usersig::generate(88, "k88", u, 60, now());
    let (mut a, mut b) = (server.connect().await, server.connect().await);
    a.login_as(88, "alice", &sig("alice")).await;
    b.login_as(88, "bob", &sig("bob")).await;
    let id = a.send_text("bob", "a1", "late").await["data"]["message"]["ID"].clone();
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    assert_eq!(
        a.call("revokeMessage", json!({"messageID": id})).await["code"],
        20016
    );
}

#[tokio::test]
async fn a_database_of_the_first_schema_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tim.db");
    {
        // What version 1 of the server wrote: one message from alice to bob.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE users (app INTEGER NOT NULL, user_id TEXT NOT NULL, created INTEGER NOT NULL, inbox_seq INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (app, user_id)) WITHOUT ROWID;
             CREATE TABLE conversations (app INTEGER NOT NULL, conv TEXT NOT NULL, last_seq INTEGER NOT NULL, PRIMARY KEY (app, conv)) WITHOUT ROWID;
             CREATE TABLE messages (id INTEGER PRIMARY KEY, app INTEGER NOT NULL, conv TEXT NOT NULL, seq INTEGER NOT NULL, conv_type INTEGER NOT NULL, sender TEXT NOT NULL, receiver TEXT NOT NULL, client_msg_id TEXT NOT NULL, random INTEGER NOT NULL, time INTEGER NOT NULL, elements TEXT NOT NULL, cloud_custom_data TEXT NOT NULL DEFAULT '', UNIQUE (app, conv, seq), UNIQUE (app, sender, client_msg_id));
             CREATE TABLE inbox (app INTEGER NOT NULL, user_id TEXT NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL, msg INTEGER NOT NULL REFERENCES messages(id), PRIMARY KEY (app, user_id, seq)) WITHOUT ROWID;
             PRAGMA user_version = 1;",
        )
        .unwrap();
        let app = APP as i64;
        conn.execute(
            "INSERT INTO users VALUES (?1, 'alice', 1, 1), (?1, 'bob', 1, 1)",
            [app],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO conversations VALUES (?1, 'c2c:5:alicebob', 1)",
            [app],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO messages (id, app, conv, seq, conv_type, sender, receiver, client_msg_id, random, time, elements)
             VALUES (7, ?1, 'c2c:5:alicebob', 1, 1, 'alice', 'bob', 'c1', 5, 1700000000, '[{\"type\":\"TIMTextElem\",\"content\":{\"text\":\"kept\"}}]')",
            [app],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO inbox VALUES (?1, 'alice', 1, 1, 7), (?1, 'bob', 1, 1, 7)",
            [app],
        )
        .unwrap();
    }
    let server = Server::start(&db, &[]);
    let mut bob = server.login("bob").await;
    let convs = list(&mut bob).await;
    assert_eq!(convs[0]["conversationID"], "C2Calice");
    assert_eq!(text_of(&convs[0]["lastMessage"]), "kept");
    let r = bob.call("sync", json!({"after": 0})).await;
    assert_eq!(text_of(&r["data"]["items"][0]["message"]), "kept");
    let mut alice = server.login("alice").await;
    let r = alice.send_text("bob", "c2", "after the upgrade").await;
    assert_eq!(r["data"]["message"]["sequence"], 2);
    let r = bob.call("sync", json!({"after": 1})).await;
    assert_eq!(r["data"]["items"][0]["seq"], 2, "bob's inbox goes on: {r}");
}

#[tokio::test]
async fn set_all_read_reads_every_unread_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    bob.send_text("alice", "b1", "1").await;
    carol.send_text("alice", "c1", "2").await;
    carol.send_text("alice", "c2", "3").await;
    alice.send_text("dave-less", "x", "nobody").await;
    let r = alice.call("setAllRead", Value::Null).await;
    assert_eq!(
        r["data"]["conversations"].as_array().unwrap().len(),
        2,
        "{r}"
    );
    assert!(list(&mut alice).await.iter().all(|c| c["unreadCount"] == 0));
    assert_eq!(next_of(&mut bob, "peerRead").await["readSeq"], 1);
    assert_eq!(next_of(&mut carol, "peerRead").await["readSeq"], 2);
    // Nothing unread: nothing changes.
    let r = alice.call("setAllRead", Value::Null).await;
    assert_eq!(r["data"]["conversations"], json!([]));
}

#[tokio::test]
async fn deleted_messages_leave_only_the_deleters_history() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    let first = alice.send_text("bob", "a1", "keep").await["data"]["message"]["ID"].clone();
    let second = alice.send_text("bob", "a2", "drop").await["data"]["message"]["ID"].clone();
    let r = alice
        .call("deleteMessages", json!({"messageIDList": [second]}))
        .await;
    assert_eq!(
        r["data"]["conversations"][0]["lastMessage"]["ID"], first,
        "{r}"
    );
    assert_eq!(
        next_of(&mut alice, "conversation").await["conversation"]["lastMessage"]["ID"],
        first
    );
    let history = |c: &'static str| json!({"conversationID": c, "count": 10});
    let mine = alice.call("getHistory", history("C2Cbob")).await;
    assert_eq!(mine["data"]["messages"].as_array().unwrap().len(), 1);
    let theirs = bob.call("getHistory", history("C2Calice")).await;
    assert_eq!(
        theirs["data"]["messages"].as_array().unwrap().len(),
        2,
        "bob keeps his copy"
    );
    assert_eq!(list(&mut bob).await[0]["lastMessage"]["ID"], second);
    // Not one of carol's; made-up IDs; too many at once.
    assert_eq!(
        carol
            .call("deleteMessages", json!({"messageIDList": [first]}))
            .await["code"],
        2500
    );
    assert_eq!(
        alice
            .call("deleteMessages", json!({"messageIDList": ["1-0-0"]}))
            .await["code"],
        2500
    );
    let many: Vec<String> = (0..31).map(|i| format!("{i}-1-1")).collect();
    assert_eq!(
        alice
            .call("deleteMessages", json!({"messageIDList": many}))
            .await["code"],
        20001
    );
    // Deleting the rest empties the last message.
    let r = alice
        .call("deleteMessages", json!({"messageIDList": [first]}))
        .await;
    assert_eq!(
        r["data"]["conversations"][0].get("lastMessage"),
        None,
        "{r}"
    );
}

#[tokio::test]
async fn history_pages_both_ways_from_a_sequence_or_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let _bob = server.login("bob").await;
    for i in 1..=10 {
        alice
            .send_text("bob", &format!("h{i}"), &format!("{i}"))
            .await;
    }
    let seqs = |r: &Value| -> Vec<u64> {
        r["data"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["sequence"].as_u64().unwrap())
            .collect()
    };
    let r = alice
        .call(
            "getHistory",
            json!({"conversationID": "C2Cbob", "afterSeq": 3, "count": 4}),
        )
        .await;
    assert_eq!(
        (seqs(&r), r["data"]["complete"].as_bool()),
        (vec![4, 5, 6, 7], Some(false))
    );
    let r = alice
        .call(
            "getHistory",
            json!({"conversationID": "C2Cbob", "afterSeq": 7, "count": 4}),
        )
        .await;
    assert_eq!(
        (seqs(&r), r["data"]["complete"].as_bool()),
        (vec![8, 9, 10], Some(true))
    );
    let later = now() + 100;
    let r = alice
        .call(
            "getHistory",
            json!({"conversationID": "C2Cbob", "beforeTime": later, "count": 2}),
        )
        .await;
    assert_eq!(seqs(&r), vec![9, 10]);
    let r = alice
        .call(
            "getHistory",
            json!({"conversationID": "C2Cbob", "afterTime": later, "count": 2}),
        )
        .await;
    assert_eq!(
        (seqs(&r), r["data"]["complete"].as_bool()),
        (vec![], Some(true))
    );
    let r = alice
        .call(
            "getHistory",
            json!({"conversationID": "C2Cbob", "beforeSeq": 5, "afterSeq": 2, "count": 2}),
        )
        .await;
    assert_eq!(r["code"], 20001);
}

#[tokio::test]
async fn modifying_checks_the_version_and_tells_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    let id = alice.send_text("bob", "a1", "typo").await["data"]["message"]["ID"].clone();
    let text = |t: &str| json!([{"type": "TIMTextElem", "content": {"text": t}}]);
    let r = alice
        .call("modifyMessage", json!({"messageID": id, "elements": text("fixed"), "cloudCustomData": "edited", "version": 0}))
        .await;
    assert_eq!(
        (
            r["data"]["message"]["version"].as_u64(),
            text_of(&r["data"]["message"])
        ),
        (Some(1), "fixed"),
        "{r}"
    );
    let p = next_of(&mut bob, "modified").await;
    assert_eq!(
        (
            text_of(&p["message"]),
            p["message"]["cloudCustomData"].as_str()
        ),
        ("fixed", Some("edited"))
    );
    // Someone who saw version 0 conflicts; the current version goes through.
    let stale = json!({"messageID": id, "elements": text("mine"), "version": 0});
    assert_eq!(bob.call("modifyMessage", stale).await["code"], 2480);
    let fresh = json!({"messageID": id, "elements": text("ours"), "version": 1});
    assert_eq!(
        bob.call("modifyMessage", fresh).await["data"]["message"]["version"],
        2
    );
    // Other types, other people's messages, too big: refused, nothing changed.
    let custom = json!([{"type": "TIMCustomElem", "content": {"data": "x"}}]);
    assert_eq!(
        alice
            .call(
                "modifyMessage",
                json!({"messageID": id, "elements": custom, "version": 2})
            )
            .await["code"],
        20001
    );
    assert_eq!(
        carol
            .call(
                "modifyMessage",
                json!({"messageID": id, "elements": text("x"), "version": 2})
            )
            .await["code"],
        2500
    );
    let big = text(&"z".repeat(13 * 1024));
    assert_eq!(
        alice
            .call(
                "modifyMessage",
                json!({"messageID": id, "elements": big, "version": 2})
            )
            .await["code"],
        80002
    );
    let h = bob
        .call(
            "getHistory",
            json!({"conversationID": "C2Calice", "count": 5}),
        )
        .await;
    assert_eq!(text_of(&h["data"]["messages"][0]), "ours");
    assert_eq!(list(&mut alice).await[0]["lastMessage"]["version"], 2);
}

#[tokio::test]
async fn message_control_and_online_only_messages() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--web-instances", "2"]);
    let mut alice = server.login("alice").await;
    let mut alice2 = server.login("alice").await;
    let mut bob = server.login("bob").await;
    alice.send_text("bob", "a1", "counted").await;
    let quiet = json!({"conversationType": "C2C", "to": "bob", "clientMsgID": "a2", "random": 1,
        "elements": [{"type": "TIMTextElem", "content": {"text": "quiet"}}],
        "excludedFromUnread": true, "excludedFromLastMessage": true});
    let r = alice.call("sendMessage", quiet).await;
    assert_eq!(r["data"]["message"]["excludedFromUnread"], true, "{r}");
    let c = &list(&mut bob).await[0];
    assert_eq!(
        (c["unreadCount"].as_u64(), text_of(&c["lastMessage"])),
        (Some(1), "counted")
    );
    // It is still a message of the history and of the inbox.
    let h = bob
        .call(
            "getHistory",
            json!({"conversationID": "C2Calice", "count": 5}),
        )
        .await;
    assert_eq!(h["data"]["messages"].as_array().unwrap().len(), 2);

    let typing = json!({"conversationType": "C2C", "to": "bob", "clientMsgID": "t1", "random": 9,
        "elements": [{"type": "TIMCustomElem", "content": {"data": "typing"}}], "onlineOnly": true});
    let r = alice.call("sendMessage", typing).await;
    assert!(
        r["data"]["message"]["ID"]
            .as_str()
            .unwrap()
            .starts_with("0-"),
        "{r}"
    );
    for c in [&mut bob, &mut alice2] {
        let p = loop {
            let p = c.next_push().await;
            if p["type"] == "online" {
                break p;
            }
        };
        assert_eq!(p["message"]["elements"][0]["content"]["data"], "typing");
    }
    // Not stored: no history, no inbox item, no unread.
    let h = bob
        .call(
            "getHistory",
            json!({"conversationID": "C2Calice", "count": 5}),
        )
        .await;
    assert_eq!(h["data"]["messages"].as_array().unwrap().len(), 2);
    let s = bob.call("sync", json!({"after": 0})).await;
    assert_eq!(s["data"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(list(&mut bob).await[0]["unreadCount"], 1);
}
