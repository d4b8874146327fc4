//! Several tim-server nodes on one PostgreSQL database and one NATS: a user's pushes reach
//! their sessions on whichever node they are, also after NATS restarted.

mod common;
mod nats;
mod pg;

use common::*;
use serde_json::json;
use std::time::Duration;

/// `n` nodes on a fresh database, all on `bus`.
async fn nodes(n: usize, bus: &str) -> Vec<Server> {
    nodes_with(n, bus, &[]).await
}

/// `n` nodes on a fresh database, all on `bus`, with the flags `extra`.
async fn nodes_with(n: usize, bus: &str, extra: &[&str]) -> Vec<Server> {
    let db = pg::fresh_database().await;
    let mut args = vec!["--bus", bus];
    args.extend_from_slice(extra);
    (0..n).map(|_| Server::start_url(&db, &args)).collect()
}

#[tokio::test]
async fn a_message_reaches_the_recipient_on_another_node() {
    let bus = nats::Nats::start();
    let cluster = nodes(2, &bus.url()).await;
    let mut ann = cluster[0].login("ann").await;
    let mut ben = cluster[1].login("ben").await;
    let r = ann.send_text("ben", "a1", "across nodes").await;
    assert_eq!(r["type"], "ok", "{r}");
    let push = ben.next_push().await;
    assert_eq!(text_of(&push["message"]), "across nodes");
    // And back, with ann's own echo on her node.
    let echo = ann.next_push().await;
    assert_eq!(text_of(&echo["message"]), "across nodes");
    ben.send_text("ann", "b1", "and back").await;
    let push = ann.next_push().await;
    assert_eq!(text_of(&push["message"]), "and back");
}

#[tokio::test]
async fn pushes_go_on_after_nats_restarts() {
    let mut bus = nats::Nats::start();
    let port = bus.port;
    let cluster = nodes(2, &bus.url()).await;
    let mut ann = cluster[0].login("ann").await;
    let mut ben = cluster[1].login("ben").await;
    bus.stop();
    let _bus = nats::Nats::start_on(port);
    // Both nodes end their connections once NATS is back (see the next test); clients
    // reconnect, and pushes cross the nodes again.
    for c in [&mut ann, &mut ben] {
        assert_eq!(c.until_closed().await.1, Some(4003));
    }
    let mut ann = cluster[0].login("ann").await;
    let mut ben = cluster[1].login("ben").await;
    ann.send_text("ben", "a1", "after the restart").await;
    assert_eq!(
        text_of(&ben.next_push().await["message"]),
        "after the restart"
    );
}

#[tokio::test]
async fn the_web_instance_limit_and_login_policies_hold_across_nodes() {
    let bus = nats::Nats::start();
    let cluster = nodes_with(2, &bus.url(), &["--login-policy", "single"]).await;
    // One web instance: a second web login on the other node kicks the first.
    let mut first = cluster[0].login("ann").await;
    let _second = cluster[1].login("ann").await;
    let (frames, close) = first.until_closed().await;
    assert_eq!(frames[0]["reason"], "multipleAccount", "{frames:?}");
    assert_eq!(close, Some(4001));
    // Single-platform: a Node login on node 0 ends the web session on node 1.
    let mut web = cluster[1].connect().await;
    assert_eq!(web.login_on("cat", "web").await["type"], "ok");
    let mut node = cluster[0].connect().await;
    assert_eq!(node.login_on("cat", "node").await["type"], "ok");
    let (frames, _) = web.until_closed().await;
    assert_eq!(
        frames,
        vec![json!({"type": "kicked", "reason": "multipleDevice"})]
    );
    assert_eq!(node.kicked().await, None);
}

#[tokio::test]
async fn a_client_whose_node_died_resumes_on_another_node_and_misses_nothing() {
    let bus = nats::Nats::start();
    let mut cluster = nodes(2, &bus.url()).await;
    let mut ann = cluster[0].connect().await;
    let token = ann.login("ann").await["data"]["resumeToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ben = cluster[1].login("ben").await;
    cluster[0].kill(); // SIGKILL: the session stays registered as attached to a dead node
    drop(ann);
    ben.send_text("ann", "b1", "while her node was down").await;
    let mut again = cluster[1].connect().await;
    let r = again.call("resume", json!({"token": token})).await;
    assert_eq!(r["type"], "ok", "resumed without a new UserSig: {r}");
    let r = again.call("sync", json!({"after": 0})).await;
    assert_eq!(
        text_of(&r["data"]["items"][0]["message"]),
        "while her node was down"
    );
    ben.send_text("ann", "b2", "live").await;
    assert_eq!(text_of(&again.next_push().await["message"]), "live");
}

#[tokio::test]
async fn a_session_kicked_while_detached_on_one_node_learns_it_on_another() {
    let bus = nats::Nats::start();
    let cluster = nodes(2, &bus.url()).await;
    let mut ann = cluster[0].connect().await;
    let token = ann.login("ann").await["data"]["resumeToken"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(ann); // detached, resumable
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _other = cluster[1].login("ann").await; // one web instance: kicks the detached one
    let mut back = cluster[0].connect().await;
    let (frames, close) = back.resume_until_closed(&token).await;
    assert_eq!(
        frames,
        vec![json!({"type": "kicked", "reason": "multipleAccount"})]
    );
    assert_eq!(close, Some(4001));
}

#[tokio::test]
async fn a_rest_kick_ends_the_sessions_on_every_node() {
    let bus = nats::Nats::start();
    let cluster = nodes_with(2, &bus.url(), &["--web-instances", "2"]).await;
    let mut a = cluster[0].login("ann").await;
    let mut b = cluster[1].login("ann").await;
    let status = rest(&cluster[1], "kick", "administrator", r#"{"UserID":"ann"}"#).await;
    assert_eq!(status["ActionStatus"], "OK", "{status}");
    for c in [&mut a, &mut b] {
        let (frames, close) = c.until_closed().await;
        assert_eq!(
            frames,
            vec![json!({"type": "kicked", "reason": "REST_API_Kick"})]
        );
        assert_eq!(close, Some(4001));
    }
}

/// 4 users on 3 nodes send to one user as fast as they can: the recipient's inbox is 1, 2, 3 …
/// with no gap, and every message is in it once.
#[tokio::test]
async fn four_senders_on_three_nodes_keep_one_inbox_exact() {
    const EACH: usize = 100;
    let bus = nats::Nats::start();
    let no_limits = ["--messages-per-sec", "0", "--requests-per-sec", "0"];
    let cluster = nodes_with(3, &bus.url(), &no_limits).await;
    let mut target = cluster[0].login("target").await;
    let mut tasks = Vec::new();
    for i in 0..4 {
        let mut sender = cluster[i % 3].login(&format!("s{i}")).await;
        tasks.push(tokio::spawn(async move {
            for n in 0..EACH {
                let r = sender.send_text("target", &format!("s{i}-{n}"), "x").await;
                assert_eq!(r["type"], "ok", "{r}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut seqs = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    let mut after = 0;
    loop {
        let r = target
            .call("sync", json!({"after": after, "limit": 100}))
            .await;
        for item in r["data"]["items"].as_array().unwrap() {
            seqs.push(item["seq"].as_u64().unwrap());
            ids.insert(item["message"]["clientMsgID"].as_str().unwrap().to_owned());
            after = item["seq"].as_u64().unwrap();
        }
        if r["data"]["complete"] == true {
            break;
        }
    }
    let total = 4 * EACH;
    assert_eq!(
        seqs,
        (1..=total as u64).collect::<Vec<_>>(),
        "gap-free and exact"
    );
    assert_eq!(ids.len(), total, "every message once");
}

/// A push lost while NATS was down is not lost for an idle client: once NATS is back, its
/// node ends its connection (as too slow), and the client's resume and sync fetch it.
#[tokio::test]
async fn a_push_lost_while_nats_was_down_reaches_an_idle_client_after() {
    let mut bus = nats::Nats::start();
    let port = bus.port;
    let cluster = nodes(2, &bus.url()).await;
    let mut ann = cluster[0].connect().await;
    let token = ann.login("ann").await["data"]["resumeToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ben = cluster[1].login("ben").await;
    bus.stop();
    let r = ben.send_text("ann", "b1", "during the outage").await;
    assert_eq!(r["type"], "ok", "stored though NATS is down: {r}");
    let _bus = nats::Nats::start_on(port);
    let (frames, close) = ann.until_closed().await;
    assert!(frames.is_empty(), "the push was lost: {frames:?}");
    assert_eq!(close, Some(4003), "ended so that the client resyncs");
    let mut back = cluster[0].connect().await;
    assert_eq!(
        back.call("resume", json!({"token": token})).await["type"],
        "ok"
    );
    let r = back.call("sync", json!({"after": 0})).await;
    assert_eq!(
        text_of(&r["data"]["items"][0]["message"]),
        "during the outage"
    );
}

/// The next `group` frame's message with text (other pushes, and the post-create message, are
/// skipped).
async fn group_push(c: &mut Client) -> serde_json::Value {
    loop {
        let p = c.next_push().await;
        if p["type"] == "group" && p["message"]["elements"][0]["type"] == "TIMTextElem" {
            return p["message"].clone();
        }
    }
}

/// A group message on PostgreSQL: stored once in the group's sequence whichever node takes
/// it, pushed to the members on every node, and caught up with `syncGroups` on any node.
#[tokio::test]
async fn group_messages_reach_members_on_every_node_in_one_sequence() {
    let bus = nats::Nats::start();
    let cluster = nodes(3, &bus.url()).await;
    let mut ann = cluster[0].login("ann").await;
    let mut ben = cluster[1].login("ben").await;
    let mut cat = cluster[2].login("cat").await;
    let create = json!({"groupID": "crew", "name": "crew", "type": "Public",
                        "memberList": [{"userID": "ben"}, {"userID": "cat"}]});
    assert_eq!(ann.call("createGroup", create).await["type"], "ok");
    let say = |id: &str, text: &str| {
        json!({"conversationType": "GROUP", "to": "crew", "clientMsgID": id, "random": 1,
               "elements": [{"type": "TIMTextElem", "content": {"text": text}}]})
    };
    let first = ann.call("sendMessage", say("a1", "from node 0")).await;
    // (1 is the post-create message.)
    assert_eq!(first["data"]["message"]["sequence"], 2, "{first}");
    let second = cat.call("sendMessage", say("c1", "from node 2")).await;
    assert_eq!(second["data"]["message"]["sequence"], 3, "{second}");
    for c in [&mut ben, &mut ann] {
        let got = [group_push(c).await, group_push(c).await];
        let texts: Vec<&str> = got.iter().map(text_of).collect();
        assert_eq!(texts, ["from node 0", "from node 2"]);
    }
    // ben, away, catches up on another node.
    drop(ben);
    ann.call("sendMessage", say("a2", "while ben was away"))
        .await;
    let mut ben = cluster[0].login("ben").await;
    let sync = ben
        .call("syncGroups", json!({"cursors": [["crew", 3]]}))
        .await;
    let messages = sync["data"]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{sync}");
    assert_eq!(text_of(&messages[0]), "while ben was away");
    assert_eq!(messages[0]["sequence"], 4);
}

/// A member whose client stops reading holds up nobody: the ops of its connection go on while
/// the connection waits to write to it, so its group sends in a PostgreSQL transaction (holding
/// the group's sequence) commit, and the other members' sends to the group stay quick.
#[tokio::test]
async fn a_member_who_stops_reading_holds_up_no_other_senders() {
    let bus = nats::Nats::start();
    let flags = ["--messages-per-sec", "0", "--requests-per-sec", "0"];
    let cluster = nodes_with(1, &bus.url(), &flags).await;
    let node = &cluster[0];
    let mut ann = node.login("ann").await;
    // Zed reads through a 4 KB window and then not at all.
    let tcp = {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        socket.connect(node.addr.parse().unwrap()).await.unwrap()
    };
    let mut zed = Client::over(&node.addr, tcp).await;
    assert_eq!(zed.login("zed").await["type"], "ok");
    let create = json!({"groupID": "jam", "name": "jam", "type": "Private",
                        "memberList": [{"userID": "zed"}]});
    assert_eq!(ann.call("createGroup", create).await["type"], "ok");
    let big = "z".repeat(10_000);
    let say = |id: String, text: &str| {
        json!({"conversationType": "GROUP", "to": "jam", "clientMsgID": id, "random": 1,
               "elements": [{"type": "TIMTextElem", "content": {"text": text}}]})
    };
    // Zed keeps sending (never reading): answers and pushes pile up until the server's
    // writes to him wait, with some of his sends in their transactions.
    let mut zed_writes = true;
    let mut slowest = Duration::ZERO;
    for i in 0..400 {
        for k in 0..2 {
            if !zed_writes {
                break;
            }
            let id = 1000 + i * 2 + k;
            let frame = json!({"id": id, "op": "sendMessage", "data": say(format!("z{id}"), &big)});
            let text = tokio_tungstenite::tungstenite::Message::Text(frame.to_string().into());
            // Once the server stops reading him, Zed stops too.
            zed_writes = tokio::time::timeout(Duration::from_millis(20), zed.send_raw(text))
                .await
                .is_ok();
        }
        let started = std::time::Instant::now();
        let r = ann.call("sendMessage", say(format!("a{i}"), &big)).await;
        assert_eq!(r["type"], "ok", "{r}");
        slowest = slowest.max(started.elapsed());
    }
    assert!(
        slowest < Duration::from_secs(3),
        "a send waited {slowest:?} on a client that does not read"
    );
}
