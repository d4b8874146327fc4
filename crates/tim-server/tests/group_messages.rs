//! Group messages on the server, spoken over the protocol: sent by members only and not while
//! muted, stored once in the group's own sequence, pushed to every member online (`group`
//! frames), paged as history, and caught up with `syncGroups` after time away and after a
//! server restart, exactly once and in order.

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

async fn create(client: &mut Client, id: &str, kind: &str, members: &[&str]) {
    let list: Vec<Value> = members.iter().map(|u| json!({"userID": u})).collect();
    let r = json!({"groupID": id, "name": id, "type": kind, "memberList": list});
    ok(client.call("createGroup", r).await);
}

async fn say(client: &mut Client, group: &str, id: &str, text: &str) -> Value {
    client
        .call(
            "sendMessage",
            json!({"conversationType": "GROUP", "to": group, "clientMsgID": id, "random": 7,
                   "elements": [{"type": "TIMTextElem", "content": {"text": text}}]}),
        )
        .await
}

/// The next `group` frame's message (other pushes are skipped).
async fn group_push(client: &mut Client) -> Value {
    loop {
        let p = client.next_push().await;
        if p["type"] == "group" {
            return p["message"].clone();
        }
    }
}

/// Whether a `group` frame reaches `client` within a short while (other pushes are skipped).
async fn any_group_push(client: &mut Client) -> bool {
    let wait = Duration::from_millis(300);
    while let Ok(p) = tokio::time::timeout(wait, client.next_push()).await {
        if p["type"] == "group" {
            return true;
        }
    }
    false
}

fn texts(messages: &Value) -> Vec<String> {
    messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| text_of(m).to_owned())
        .collect()
}

fn seqs(messages: &Value) -> Vec<u64> {
    let list = messages.as_array().unwrap();
    list.iter()
        .map(|m| m["sequence"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn members_send_once_in_the_group_sequence_and_members_online_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    let mut dave = server.login("dave").await;
    create(&mut alice, "g1", "Public", &["bob", "carol"]).await;

    let sent = ok(say(&mut alice, "g1", "a-1", "hello all").await)["message"].clone();
    assert_eq!(sent["conversationType"], "GROUP");
    assert_eq!(
        (sent["to"].as_str(), sent["from"].as_str()),
        (Some("g1"), Some("alice"))
    );
    assert_eq!(sent["sequence"], 1);
    for client in [&mut bob, &mut carol, &mut alice] {
        let got = group_push(client).await;
        assert_eq!(
            (got["ID"].clone(), text_of(&got)),
            (sent["ID"].clone(), "hello all")
        );
    }
    let reply = ok(say(&mut bob, "g1", "b-1", "hi alice").await)["message"].clone();
    assert_eq!(
        reply["sequence"], 2,
        "one sequence per group, whoever sends"
    );
    assert_eq!(text_of(&group_push(&mut alice).await), "hi alice");
    assert_eq!(text_of(&group_push(&mut carol).await), "hi alice");
    assert_eq!(
        text_of(&group_push(&mut bob).await),
        "hi alice",
        "the sender's own echo"
    );

    // A retry is answered with the stored message and pushed to nobody again.
    let again = ok(say(&mut alice, "g1", "a-1", "hello all").await)["message"].clone();
    assert_eq!(
        (again["ID"].clone(), again["sequence"].clone()),
        (sent["ID"].clone(), json!(1))
    );
    assert!(!any_group_push(&mut carol).await, "a retry pushed again");

    // Not a member, no such group, a bad groupID.
    assert_eq!(code(&say(&mut dave, "g1", "d-1", "let me in").await), 10007);
    assert!(
        !any_group_push(&mut bob).await,
        "a refused message was pushed"
    );
    assert_eq!(
        code(&say(&mut dave, "nothing", "d-2", "anyone?").await),
        10010
    );
    let long = "g".repeat(49);
    assert_eq!(code(&say(&mut dave, &long, "d-3", "x").await), 10015);

    // History: the members' pages, oldest first; nobody else's.
    let page = ok(carol
        .call(
            "getHistory",
            json!({"conversationID": "GROUPg1", "count": 10}),
        )
        .await)
    .clone();
    assert_eq!(texts(&page["messages"]), ["hello all", "hi alice"]);
    assert_eq!(page["complete"], true);
    let older = ok(carol
        .call(
            "getHistory",
            json!({"conversationID": "GROUPg1", "beforeSeq": 2, "count": 10}),
        )
        .await)
    .clone();
    assert_eq!(texts(&older["messages"]), ["hello all"]);
    let r = dave
        .call(
            "getHistory",
            json!({"conversationID": "GROUPg1", "count": 10}),
        )
        .await;
    assert_eq!(code(&r), 10007);

    // A member removed gets no more of the group's messages and cannot send.
    ok(alice
        .call(
            "deleteGroupMember",
            json!({"groupID": "g1", "userIDList": ["carol"]}),
        )
        .await);
    ok(say(&mut alice, "g1", "a-2", "carol left").await);
    assert_eq!(text_of(&group_push(&mut bob).await), "carol left");
    assert!(
        !any_group_push(&mut carol).await,
        "a removed member got a message"
    );
    assert_eq!(code(&say(&mut carol, "g1", "c-1", "wait").await), 10007);
}

#[tokio::test]
async fn muted_members_are_refused_with_10017() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    create(&mut alice, "g2", "Public", &["bob", "carol"]).await;
    ok(say(&mut bob, "g2", "b-1", "before").await);

    let mute = json!({"groupID": "g2", "userID": "bob", "muteTime": 60});
    ok(alice.call("setGroupMemberMuteTime", mute).await);
    assert_eq!(code(&say(&mut bob, "g2", "b-2", "muted").await), 10017);
    ok(say(&mut carol, "g2", "c-1", "not me").await);
    let unmute = json!({"groupID": "g2", "userID": "bob", "muteTime": 0});
    ok(alice.call("setGroupMemberMuteTime", unmute).await);
    ok(say(&mut bob, "g2", "b-2", "back").await);

    let all = json!({"groupID": "g2", "muteAllMembers": true});
    ok(alice.call("updateGroupProfile", all).await);
    assert_eq!(code(&say(&mut carol, "g2", "c-2", "x").await), 10017);
    ok(say(&mut alice, "g2", "a-1", "the owner still speaks").await);
    let history = ok(alice
        .call(
            "getHistory",
            json!({"conversationID": "GROUPg2", "count": 10}),
        )
        .await)["messages"]
        .clone();
    assert_eq!(
        texts(&history),
        ["before", "not me", "back", "the owner still speaks"]
    );
    assert_eq!(seqs(&history), [1, 2, 3, 4], "refusals take no sequence");
}

#[tokio::test]
async fn meeting_messages_count_no_unread() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    create(&mut alice, "m1", "ChatRoom", &[]).await;
    create(&mut alice, "p1", "Public", &["bob"]).await;
    ok(bob.call("joinGroup", json!({"groupID": "m1"})).await);
    let meeting = ok(say(&mut alice, "m1", "a-1", "meeting").await)["message"].clone();
    assert_eq!(meeting["excludedFromUnread"], true);
    let public = ok(say(&mut alice, "p1", "a-2", "public").await)["message"].clone();
    assert!(public.get("excludedFromUnread").is_none(), "{public}");
}

#[tokio::test]
async fn sync_groups_gives_what_was_missed_exactly_once_also_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tim.db");
    let mut server = Server::start(&db, &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    create(&mut alice, "g3", "Private", &["bob"]).await;
    create(&mut alice, "g4", "Private", &["bob"]).await;
    create(&mut alice, "lonely", "Private", &[]).await;
    ok(say(&mut alice, "g3", "a-1", "one").await);
    ok(say(&mut alice, "lonely", "a-x", "not bob's").await);

    // Where bob's groups stand, for a client that knows none of them.
    let fresh = ok(bob.call("syncGroups", json!({})).await).clone();
    let mut groups = fresh["groups"].as_array().unwrap().clone();
    groups.sort_by_key(|g| g[0].as_str().unwrap().to_owned());
    assert_eq!(groups, [json!(["g3", 1]), json!(["g4", 0])]);
    assert_eq!(
        (fresh["messages"].clone(), fresh["complete"].clone()),
        (json!([]), json!(true))
    );

    // Bob is away while five more come.
    drop(bob);
    for i in 2..=4 {
        ok(say(&mut alice, "g3", &format!("a-{i}"), &format!("g3 {i}")).await);
    }
    ok(say(&mut alice, "g4", "a-5", "g4 1").await);
    ok(say(&mut alice, "g4", "a-6", "g4 2").await);

    let mut bob = server.login("bob").await;
    let cursors = json!({"cursors": [["g3", 1], ["g4", 0], ["lonely", 0]], "limit": 4});
    let first = ok(bob.call("syncGroups", cursors).await).clone();
    assert_eq!(first["complete"], false, "six missed, four asked");
    let got = first["messages"].as_array().unwrap();
    assert_eq!(got.len(), 4);
    assert!(
        got.iter().all(|m| m["to"] != "lonely"),
        "a group bob is not in"
    );
    let mut cursors = std::collections::BTreeMap::from([("g3", 1), ("g4", 0)]);
    let mut seen = Vec::new();
    for m in got {
        let group = m["to"].as_str().unwrap();
        let seq = m["sequence"].as_u64().unwrap();
        let cursor = cursors.get_mut(group).unwrap();
        assert_eq!(seq, *cursor + 1, "in order per group: {m}");
        *cursor = seq;
        seen.push(text_of(m).to_owned());
    }
    let rest = json!({"cursors": cursors.iter().map(|(g, s)| json!([g, s])).collect::<Vec<_>>()});
    let second = ok(bob.call("syncGroups", rest).await).clone();
    assert_eq!(second["complete"], true);
    seen.extend(texts(&second["messages"]));
    seen.sort();
    assert_eq!(seen, ["g3 2", "g3 3", "g3 4", "g4 1", "g4 2"], "each once");

    // After a restart the sequences go on and nothing is lost.
    server.kill();
    let server = Server::start(&db, &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let next = ok(say(&mut alice, "g3", "a-7", "after the restart").await)["message"].clone();
    assert_eq!(next["sequence"], 5);
    assert_eq!(text_of(&group_push(&mut bob).await), "after the restart");
    let all = ok(bob
        .call("syncGroups", json!({"cursors": [["g3", 0]]}))
        .await)
    .clone();
    assert_eq!(seqs(&all["messages"]), [1, 2, 3, 4, 5]);
}
