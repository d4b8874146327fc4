//! One-to-one messages: ordering, fan-out, offline sync, idempotent retries, history paging,
//! privacy, and durability across a crash.

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

async fn sync_all(c: &mut Client, after: u64, limit: u64) -> Vec<Value> {
    let mut items = Vec::new();
    let mut after = after;
    loop {
        let r = c
            .call("sync", json!({"after": after, "limit": limit}))
            .await;
        assert_eq!(r["type"], "ok", "{r}");
        let page = r["data"]["items"].as_array().unwrap().clone();
        assert!(page.len() as u64 <= limit);
        if let Some(last) = page.last() {
            after = last["seq"].as_u64().unwrap();
        }
        items.extend(page);
        if r["data"]["complete"] == true {
            return items;
        }
    }
}

#[tokio::test]
async fn messages_arrive_in_order_on_every_session_of_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--web-instances", "2"]);
    let mut alice = server.login("alice").await;
    let mut alice2 = server.login("alice").await;
    let mut bob = server.login("bob").await;
    for i in 1..=20u64 {
        let r = alice
            .send_text("bob", &format!("c{i}"), &format!("m{i}"))
            .await;
        assert_eq!(r["type"], "ok", "{r}");
        let m = &r["data"]["message"];
        assert_eq!(m["sequence"], i);
        assert_eq!(m["from"], "alice");
        assert_eq!(m["to"], "bob");
        assert_eq!(m["conversationType"], "C2C");
        assert_eq!(m["random"], 42);
        assert!(m["time"].as_u64().unwrap() >= now() - 5);
        let id = m["ID"].as_str().unwrap();
        assert!(id.ends_with("-42") && id.split('-').count() == 3, "{id}");
    }
    for (who, c) in [("bob", &mut bob), ("alice2", &mut alice2)] {
        for i in 1..=20u64 {
            let p = c.next_push().await;
            assert_eq!(p["type"], "inbox", "{who}: {p}");
            assert_eq!(p["kind"], "message");
            assert_eq!(p["seq"], i, "{who}: inbox seqs are consecutive");
            assert_eq!(text_of(&p["message"]), format!("m{i}"));
        }
    }
    // The sending session gets its own messages pushed too (it dedupes by clientMsgID).
    for i in 1..=20u64 {
        let p = alice.next_push().await;
        assert_eq!(p["seq"], i);
        assert_eq!(p["message"]["clientMsgID"], format!("c{i}"));
    }
    // A reply continues the same conversation sequence.
    let r = bob.send_text("alice", "b1", "reply").await;
    assert_eq!(r["data"]["message"]["sequence"], 21);
}

#[tokio::test]
async fn an_offline_user_gets_everything_on_sync_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut bob = server.login("bob").await;
    bob.call("logout", json!(null)).await;
    drop(bob);
    let mut alice = server.login("alice").await;
    let mut carol = server.login("carol").await;
    for i in 0..30 {
        let (c, who) = if i % 3 == 0 {
            (&mut carol, "carol")
        } else {
            (&mut alice, "alice")
        };
        let r = c
            .send_text("bob", &format!("{who}{i}"), &format!("t{i}"))
            .await;
        assert_eq!(r["type"], "ok");
    }
    let mut bob = server.login("bob").await;
    let items = sync_all(&mut bob, 0, 7).await;
    let texts: Vec<String> = items
        .iter()
        .map(|i| text_of(&i["message"]).to_owned())
        .collect();
    let expected: Vec<String> = (0..30).map(|i| format!("t{i}")).collect();
    assert_eq!(texts, expected);
    let seqs: Vec<u64> = items.iter().map(|i| i["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=30).collect::<Vec<_>>());
    // Syncing from the end returns nothing more.
    let r = bob.call("sync", json!({"after": 30})).await;
    assert_eq!(r["data"]["items"], json!([]));
    assert_eq!(r["data"]["inboxSeq"], 30);
    assert_eq!(r["data"]["complete"], true);
    // Sync from the middle.
    let rest = sync_all(&mut bob, 25, 100).await;
    assert_eq!(rest.len(), 5);
}

#[tokio::test]
async fn a_retried_send_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut bob = server.login("bob").await;
    let mut alice = server.login("alice").await;
    let first = alice.send_text("bob", "same-id", "hello").await;
    let retry = alice.send_text("bob", "same-id", "hello").await;
    assert_eq!(
        first["data"], retry["data"],
        "the retry answers with the original"
    );
    let other = alice.send_text("bob", "next-id", "two").await;
    assert_eq!(other["data"]["message"]["sequence"], 2);
    let items = sync_all(&mut bob, 0, 100).await;
    assert_eq!(items.len(), 2);
    assert_eq!(bob.next_push().await["seq"], 1);
    assert_eq!(bob.next_push().await["seq"], 2);
    bob.no_push_within(std::time::Duration::from_millis(200))
        .await;
}

#[tokio::test]
async fn history_pages_backwards_and_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut bob = server.login("bob").await;
    let mut alice = server.login("alice").await;
    let mut carol = server.login("carol").await;
    for i in 1..=40 {
        let c = if i % 2 == 0 { &mut alice } else { &mut bob };
        let to = if i % 2 == 0 { "bob" } else { "alice" };
        c.send_text(to, &format!("x{i}"), &format!("h{i}")).await;
    }
    carol.send_text("alice", "c1", "carol's").await;
    let mut pages = Vec::new();
    let mut before = None;
    loop {
        let mut q = json!({"conversationID": "C2Cbob", "count": 15});
        if let Some(b) = before {
            q["beforeSeq"] = json!(b);
        }
        let r = alice.call("getHistory", q).await;
        assert_eq!(r["type"], "ok", "{r}");
        let msgs = r["data"]["messages"].as_array().unwrap().clone();
        let seqs: Vec<u64> = msgs
            .iter()
            .map(|m| m["sequence"].as_u64().unwrap())
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "oldest first");
        before = seqs.first().copied();
        pages.push(seqs);
        if r["data"]["complete"] == true {
            break;
        }
    }
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![15, 15, 10]
    );
    assert_eq!(pages[0], (26..=40).collect::<Vec<_>>());
    // bob sees the same conversation from his side.
    let r = bob
        .call(
            "getHistory",
            json!({"conversationID": "C2Calice", "count": 100}),
        )
        .await;
    assert_eq!(r["data"]["messages"].as_array().unwrap().len(), 40);
    // carol asking for "C2Cbob" gets her own (empty) conversation with bob, never alice's.
    let r = carol
        .call(
            "getHistory",
            json!({"conversationID": "C2Cbob", "count": 100}),
        )
        .await;
    assert_eq!(r["data"]["messages"], json!([]));
    assert_eq!(r["data"]["complete"], true);
    // carol's inbox holds only her own message.
    let r = carol.call("sync", json!({"after": 0})).await;
    assert_eq!(r["data"]["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn acknowledged_messages_survive_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tim.db");
    let mut server = Server::start(&db, &[]);
    {
        let _bob = server.login("bob").await;
        let mut alice = server.login("alice").await;
        for i in 0..50 {
            let r = alice
                .send_text("bob", &format!("k{i}"), &format!("d{i}"))
                .await;
            assert_eq!(r["type"], "ok");
        }
    }
    server.kill();
    let server = Server::start(&db, &[]);
    let mut bob = server.login("bob").await;
    let items = sync_all(&mut bob, 0, 500).await;
    assert_eq!(items.len(), 50);
    assert_eq!(text_of(&items[49]["message"]), "d49");
    // Sequences continue, and a retry of an old clientMsgID is still recognised.
    let mut alice = server.login("alice").await;
    let r = alice.send_text("bob", "k3", "d3").await;
    assert_eq!(r["data"]["message"]["sequence"], 4);
    // The same ID as before the crash: the key of message IDs is kept with the data.
    assert_eq!(r["data"]["message"]["ID"], items[3]["message"]["ID"]);
    let r = alice.send_text("bob", "k50", "d50").await;
    assert_eq!(r["data"]["message"]["sequence"], 51);
}

/// A logged-in raw connection, split so one task can write while another reads.
async fn raw_login(
    addr: &str,
    user: &str,
) -> (
    futures_util::stream::SplitSink<
        tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
        tokio_tungstenite::tungstenite::Message,
    >,
    futures_util::stream::SplitStream<
        tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    >,
) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/v1/ws"))
        .await
        .unwrap();
    let (mut tx, mut rx) = ws.split();
    rx.next().await.unwrap().unwrap(); // hello
    let login = json!({"id": 0, "op": "login", "data": {"protocol": 1, "SDKAppID": APP,
        "userID": user, "userSig": sig(user)}});
    tx.send(Message::text(login.to_string())).await.unwrap();
    let r: Value =
        serde_json::from_str(rx.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!(r["type"], "ok", "{r}");
    (tx, rx)
}

#[tokio::test]
async fn pipelined_sends_never_starve_the_pushes() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let dir = tempfile::tempdir().unwrap();
    // As fast as the server takes them: the rate limits are off.
    let unlimited = ["--messages-per-sec", "0", "--requests-per-sec", "0"];
    let server = Server::start(&dir.path().join("tim.db"), &unlimited);
    const N: u64 = 1500;
    let alice = raw_login(&server.addr, "alice").await;
    let bob = raw_login(&server.addr, "bob").await;
    let mut readers = Vec::new();
    for ((mut tx, mut rx), me, peer) in [(alice, "alice", "bob"), (bob, "bob", "alice")] {
        // Every send written back to back, none waited for; the reader takes everything at once.
        tokio::spawn(async move {
            for i in 1..=N {
                let f = json!({"id": i, "op": "sendMessage", "data": {"conversationType": "C2C",
                    "to": peer, "clientMsgID": format!("{me}{i}"), "random": 1,
                    "elements": [{"type": "TIMTextElem", "content": {"text": "x".repeat(100)}}]}});
                if tx.send(Message::text(f.to_string())).await.is_err() {
                    return;
                }
            }
        });
        readers.push(tokio::spawn(async move {
            let (mut answers, mut pushes) = (0, 0);
            while answers < N || pushes < 2 * N {
                let next = tokio::time::timeout(Duration::from_secs(30), rx.next()).await;
                match next.expect("frames keep coming") {
                    Some(Ok(Message::Text(t))) => {
                        let f: Value = serde_json::from_str(&t).unwrap();
                        match f["type"].as_str() {
                            Some("ok") => answers += 1,
                            Some("inbox") => pushes += 1,
                            _ => panic!("{me}: {f}"),
                        }
                    }
                    other => panic!("{me}: the connection ended: {other:?}"),
                }
            }
            (answers, pushes)
        }));
    }
    for r in readers {
        // Its N answers, and N own echoes plus N of the peer's messages as pushes.
        assert_eq!(r.await.unwrap(), (N, 2 * N));
    }
}

#[tokio::test]
async fn a_modification_names_its_modifier_and_an_app_may_allow_only_the_sender() {
    let elements = json!([{"type": "TIMTextElem", "content": {"text": "edited"}}]);
    for sender_only in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let flags: &[&str] = if sender_only {
            &["--modify-sender-only"]
        } else {
            &[]
        };
        let server = Server::start(&dir.path().join("tim.db"), flags);
        let mut bob = server.login("bob").await;
        let mut alice = server.login("alice").await;
        let r = alice.send_text("bob", "m1", "draft").await;
        let id = r["data"]["message"]["ID"].clone();
        let edit = json!({"messageID": id, "elements": elements, "version": 0});
        let r = bob.call("modifyMessage", edit.clone()).await;
        if sender_only {
            assert_eq!(r["code"], 20001, "{r}");
            let r = alice.call("modifyMessage", edit).await;
            assert_eq!(r["data"]["message"]["modifier"], "alice", "{r}");
        } else {
            assert_eq!(r["data"]["message"]["modifier"], "bob", "{r}");
            let h = alice
                .call(
                    "getHistory",
                    json!({"conversationID": "C2Cbob", "count": 10}),
                )
                .await;
            assert_eq!(h["data"]["messages"][0]["modifier"], "bob", "{h}");
        }
    }
}
