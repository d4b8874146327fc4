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

/// Whether `message` is one a member wrote (not a tip, not the post-create message).
fn written(message: &Value) -> bool {
    let element = &message["elements"][0];
    element["type"] != "TIMGroupTipElem" && element["content"]["data"] != "group_create"
}

/// The next `group` frame's message a member wrote (other pushes, tips and the post-create
/// message are skipped: `group_tips.rs` is about those).
async fn group_push(client: &mut Client) -> Value {
    loop {
        let p = client.next_push().await;
        if p["type"] == "group" && written(&p["message"]) {
            return p["message"].clone();
        }
    }
}

/// Whether a `group` frame a member wrote reaches `client` within a short while (other pushes
/// are skipped).
async fn any_group_push(client: &mut Client) -> bool {
    let wait = Duration::from_millis(300);
    while let Ok(p) = tokio::time::timeout(wait, client.next_push()).await {
        if p["type"] == "group" && written(&p["message"]) {
            return true;
        }
    }
    false
}

/// The texts of the messages members wrote.
fn texts(messages: &Value) -> Vec<String> {
    messages
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| written(m))
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
    assert_eq!(sent["sequence"], 2, "after the post-create message");
    for client in [&mut bob, &mut carol, &mut alice] {
        let got = group_push(client).await;
        assert_eq!(
            (got["ID"].clone(), text_of(&got)),
            (sent["ID"].clone(), "hello all")
        );
    }
    let reply = ok(say(&mut bob, "g1", "b-1", "hi alice").await)["message"].clone();
    assert_eq!(
        reply["sequence"], 3,
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
        (sent["ID"].clone(), json!(2))
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
            json!({"conversationID": "GROUPg1", "beforeSeq": 3, "count": 10}),
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
    // With the post-create message and the tips of the mute, the unmute and the mute-all.
    let all: Vec<u64> = (1..=8).collect();
    assert_eq!(seqs(&history), all, "refusals take no sequence");
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
    // (Each begins with its post-create message.)
    assert_eq!(groups, [json!(["g3", 2]), json!(["g4", 1])]);
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
    let cursors = json!({"cursors": [["g3", 2], ["g4", 1], ["lonely", 0]], "limit": 4});
    let first = ok(bob.call("syncGroups", cursors).await).clone();
    assert_eq!(first["complete"], false, "six missed, four asked");
    let got = first["messages"].as_array().unwrap();
    assert_eq!(got.len(), 4);
    assert!(
        got.iter().all(|m| m["to"] != "lonely"),
        "a group bob is not in"
    );
    let mut cursors = std::collections::BTreeMap::from([("g3", 2), ("g4", 1)]);
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
    assert_eq!(next["sequence"], 6);
    assert_eq!(text_of(&group_push(&mut bob).await), "after the restart");
    let all = ok(bob
        .call("syncGroups", json!({"cursors": [["g3", 0]]}))
        .await)
    .clone();
    assert_eq!(seqs(&all["messages"]), [1, 2, 3, 4, 5, 6]);
}

/// REST send_group_msg reaches the members who stay connected at once (a known failure of the
/// official stack), from the administrator or from a member, in the group's sequence.
#[tokio::test]
async fn rest_group_messages_reach_members_online_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    server.login("dave").await;
    create(&mut alice, "news", "Public", &["bob"]).await;
    let send = |body: Value| {
        let server = &server;
        async move {
            let body = body.to_string();
            rest_of(
                server,
                "group_open_http_svc",
                "send_group_msg",
                "administrator",
                &body,
            )
            .await
        }
    };
    let text = |t: &str| json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}]);

    let r = send(json!({"GroupId": "news", "Random": 5, "MsgBody": text("from the app")})).await;
    assert_eq!(
        (r["ActionStatus"].as_str(), r["MsgSeq"].as_u64()),
        (Some("OK"), Some(2)),
        "{r}"
    );
    let got = group_push(&mut bob).await;
    assert_eq!(
        (text_of(&got), got["from"].as_str()),
        ("from the app", Some("administrator"))
    );
    assert_eq!(text_of(&group_push(&mut alice).await), "from the app");

    let custom = json!([{"MsgType": "TIMCustomElem",
                         "MsgContent": {"Data": "d", "Desc": "x", "Ext": "e"}}]);
    let body = json!({"GroupId": "news", "From_Account": "alice", "MsgBody": custom});
    let r = send(body).await;
    assert_eq!(r["MsgSeq"], 3, "{r}");
    let got = group_push(&mut bob).await;
    assert_eq!(got["from"], "alice");
    assert_eq!(got["elements"][0]["content"]["data"], "d");

    let outsider = json!({"GroupId": "news", "From_Account": "dave", "MsgBody": text("x")});
    assert_eq!(send(outsider).await["ErrorCode"], 10007);
    let nowhere = json!({"GroupId": "nothing", "MsgBody": text("x")});
    assert_eq!(send(nowhere).await["ErrorCode"], 10010);
    let image = json!([{"MsgType": "TIMImageElem", "MsgContent": {}}]);
    let r = send(json!({"GroupId": "news", "MsgBody": image})).await;
    assert_eq!(r["ErrorCode"], 70402, "{r}");
    let history = ok(bob
        .call(
            "getHistory",
            json!({"conversationID": "GROUPnews", "count": 10}),
        )
        .await);
    assert_eq!(
        seqs(&history["messages"]),
        [1, 2, 3],
        "refusals take no sequence"
    );
}

/// The conversation list of `client`: (conversationID, unreadCount, last message text).
async fn conversations(client: &mut Client) -> Vec<(String, u64, String)> {
    let page = ok(client.call("getConversations", json!({"limit": 100})).await);
    assert_eq!(page["complete"], true);
    let list = page["conversations"].as_array().unwrap();
    list.iter()
        .map(|c| {
            let last = c.get("lastMessage").filter(|m| written(m));
            let last = last.map(text_of).unwrap_or_default();
            let id = c["conversationID"].as_str().unwrap().to_owned();
            (id, c["unreadCount"].as_u64().unwrap(), last.to_owned())
        })
        .collect()
}

fn row(id: &str, unread: u64, last: &str) -> (String, u64, String) {
    (id.to_owned(), unread, last.to_owned())
}

#[tokio::test]
async fn group_conversations_are_in_the_list_with_each_members_unread_count() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    create(&mut alice, "g5", "Public", &["bob"]).await;
    alice.send_text("bob", "c2c", "one to one").await;
    for i in 1..=3 {
        ok(say(&mut alice, "g5", &format!("a-{i}"), &format!("m{i}")).await);
    }
    assert_eq!(
        conversations(&mut bob).await,
        [row("C2Calice", 1, "one to one"), row("GROUPg5", 4, "m3")],
        "the post-create message and three"
    );
    assert_eq!(
        conversations(&mut alice).await[1],
        row("GROUPg5", 0, "m3"),
        "one's own messages are not unread"
    );
    // Pages in conversationID order: the C2C ones, then the groups.
    let first = ok(bob.call("getConversations", json!({"limit": 1})).await);
    assert_eq!(first["complete"], false);
    let after = json!({"limit": 1, "after": "C2Calice"});
    let second = ok(bob.call("getConversations", after).await);
    assert_eq!(second["conversations"][0]["conversationID"], "GROUPg5");
    let after = json!({"limit": 1, "after": "GROUPg5"});
    let third = ok(bob.call("getConversations", after).await);
    assert_eq!(
        (third["conversations"].clone(), third["complete"].clone()),
        (json!([]), json!(true))
    );

    // A read is bob's alone, and every session of his learns it.
    let read = ok(bob
        .call("setRead", json!({"conversationID": "GROUPg5"}))
        .await);
    assert_eq!(read["conversations"][0]["unreadCount"], 0);
    let mut item = bob.next_push().await;
    while item["kind"] != "conversation" {
        item = bob.next_push().await;
    }
    assert_eq!(item["conversation"]["conversationID"], "GROUPg5");
    assert_eq!(item["conversation"]["unreadCount"], 0);
    ok(say(&mut alice, "g5", "a-4", "m4").await);
    assert_eq!(conversations(&mut bob).await[1], row("GROUPg5", 1, "m4"));

    // A member who joins later: nothing before is unread, and (a Public group) not shown.
    let add = json!({"groupID": "g5", "userIDList": ["carol"]});
    ok(alice.call("addGroupMember", add).await);
    assert_eq!(conversations(&mut carol).await, [row("GROUPg5", 0, "")]);
    ok(say(&mut alice, "g5", "a-5", "m5").await);
    assert_eq!(conversations(&mut carol).await, [row("GROUPg5", 1, "m5")]);
    let history = ok(carol
        .call(
            "getHistory",
            json!({"conversationID": "GROUPg5", "count": 10}),
        )
        .await);
    assert_eq!(texts(&history["messages"]), ["m5"]);

    // Pinned and deleted are bob's; a deleted one comes back with the next message.
    let pin = json!({"conversationID": "GROUPg5", "isPinned": true});
    let pinned = ok(bob.call("pinConversation", pin).await);
    assert_eq!(pinned["conversations"][0]["isPinned"], true);
    ok(bob
        .call("deleteConversation", json!({"conversationID": "GROUPg5"}))
        .await);
    assert_eq!(
        conversations(&mut bob).await,
        [row("C2Calice", 1, "one to one")]
    );
    ok(say(&mut alice, "g5", "a-6", "m6").await);
    assert_eq!(conversations(&mut bob).await[1], row("GROUPg5", 1, "m6"));
    let r = bob
        .call("setRead", json!({"conversationID": "GROUPnope"}))
        .await;
    assert_eq!(code(&r), 2500);
    // setAllRead reads the group ones too.
    ok(bob.call("setAllRead", Value::Null).await);
    let unread: Vec<u64> = conversations(&mut bob).await.iter().map(|c| c.1).collect();
    assert_eq!(unread, [0, 0]);

    // A meeting counts nothing unread.
    create(&mut alice, "m5", "ChatRoom", &["bob"]).await;
    ok(say(&mut alice, "m5", "a-7", "meet").await);
    assert!(conversations(&mut bob)
        .await
        .contains(&row("GROUPm5", 0, "meet")));
}

/// The group conversation's `groupAtInfoList`: the unread messages that mention the member,
/// everyone, or both (CONV_AT_ME 1, CONV_AT_ALL 2, CONV_AT_ALL_AT_ME 3); gone once read.
#[tokio::test]
async fn mentions_are_listed_until_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    create(&mut alice, "g6", "Public", &["bob"]).await;
    let at = |id: &str, users: &[&str]| {
        json!({"conversationType": "GROUP", "to": "g6", "clientMsgID": id, "random": 7,
               "elements": [{"type": "TIMTextElem", "content": {"text": "hey"}}],
               "atUserList": users})
    };
    let all = "__kImSDK_MesssageAtALL__";
    let mut seqs = Vec::new();
    for (id, users) in [
        ("m1", vec!["bob"]),
        ("m2", vec![all]),
        ("m3", vec![all, "bob"]),
        ("m4", vec!["carol"]),
    ] {
        let sent = ok(alice.call("sendMessage", at(id, &users)).await);
        seqs.push(sent["message"]["sequence"].clone());
    }
    let list = |c: &Value| {
        let convs = c["conversations"].as_array().unwrap();
        let g = convs
            .iter()
            .find(|c| c["conversationID"] == "GROUPg6")
            .unwrap();
        g.get("groupAtInfoList").cloned().unwrap_or(json!([]))
    };
    let bobs = ok(bob.call("getConversations", json!({"limit": 10})).await);
    assert_eq!(
        list(&bobs),
        json!([{"messageSequence": seqs[0], "atType": 1}, {"messageSequence": seqs[1], "atType": 2},
               {"messageSequence": seqs[2], "atType": 3}])
    );
    let alices = ok(alice.call("getConversations", json!({"limit": 10})).await);
    assert_eq!(
        list(&alices),
        json!([]),
        "one's own mentions are not listed"
    );
    ok(bob
        .call("setRead", json!({"conversationID": "GROUPg6"}))
        .await);
    let bobs = ok(bob.call("getConversations", json!({"limit": 10})).await);
    assert_eq!(list(&bobs), json!([]), "read");
}
