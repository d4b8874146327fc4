//! Group tips and the post-create message, spoken over the protocol: each change of a group
//! (joins by every way, quits, removals, roles, mutes, profile and owner changes) leaves one
//! TIMGroupTipElem with the official web operationType and payload in the group's sequence,
//! pushed to the members after the change and kept in history, never unread; types without
//! tips have none; a refused change leaves none; clients cannot send or forge one.

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

async fn create(client: &mut Client, r: Value) {
    ok(client.call("createGroup", r).await);
}

fn group(id: &str, kind: &str, members: &[&str]) -> Value {
    let list: Vec<Value> = members.iter().map(|u| json!({"userID": u})).collect();
    json!({"groupID": id, "name": id, "type": kind, "memberList": list})
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

/// The next tip pushed to `client`: its payload (the messages members write are skipped).
async fn tip(client: &mut Client) -> Value {
    loop {
        let m = group_push(client).await;
        let element = &m["elements"][0];
        if element["type"] == "TIMGroupTipElem" {
            assert_eq!(m["excludedFromUnread"], true, "a tip is never unread: {m}");
            return element["content"].clone();
        }
    }
}

/// Whether a tip reaches `client` within a short while.
async fn any_tip(client: &mut Client) -> bool {
    let wait = Duration::from_millis(300);
    while let Ok(p) = tokio::time::timeout(wait, client.next_push()).await {
        if p["type"] == "group" && p["message"]["elements"][0]["type"] == "TIMGroupTipElem" {
            return true;
        }
    }
    false
}

/// Reads what reached `client` so far.
async fn drain(client: &mut Client) {
    let wait = Duration::from_millis(200);
    while tokio::time::timeout(wait, client.next_push()).await.is_ok() {}
}

/// (operationType, operatorID, userIDList) of a tip's payload.
fn what(p: &Value) -> (u64, String, Vec<String>) {
    let users = p["userIDList"].as_array().unwrap();
    (
        p["operationType"].as_u64().unwrap(),
        p["operatorID"].as_str().unwrap().to_owned(),
        users
            .iter()
            .map(|u| u.as_str().unwrap().to_owned())
            .collect(),
    )
}

fn tip_of(op: u64, operator: &str, users: &[&str]) -> (u64, String, Vec<String>) {
    let users = users.iter().map(|u| u.to_string()).collect();
    (op, operator.to_owned(), users)
}

async fn history(client: &mut Client, group: &str) -> Vec<Value> {
    let page = json!({"conversationID": format!("GROUP{group}"), "count": 100});
    let r = ok(client.call("getHistory", page).await);
    r["messages"].as_array().unwrap().clone()
}

#[tokio::test]
async fn every_change_of_a_group_leaves_its_official_tip() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    let mut dave = server.login("dave").await;
    let mut public = group("pub", "Public", &["bob"]);
    public["joinOption"] = json!("FreeAccess");
    create(&mut alice, public).await;

    // The post-create message: the official custom message from the creator, first.
    let first = group_push(&mut bob).await;
    assert_eq!(
        (&first["sequence"], &first["from"], &first["elements"][0]),
        (
            &json!(1),
            &json!("alice"),
            &json!({"type": "TIMCustomElem", "content": {"data": "group_create",
                    "description": "", "extension": "alice创建群组"}})
        )
    );

    // A free join: to the members and the one who joined, with the count after.
    ok(carol.call("joinGroup", json!({"groupID": "pub"})).await);
    for c in [&mut alice, &mut bob, &mut carol] {
        let p = tip(c).await;
        assert_eq!(what(&p), tip_of(1, "carol", &["carol"]));
        assert_eq!((&p["memberCount"], &p["memberNum"]), (&json!(3), &json!(3)));
        assert_eq!(p["groupProfile"]["groupID"], "pub");
    }
    // Added by the owner.
    let add = json!({"groupID": "pub", "userIDList": ["dave"]});
    ok(alice.call("addGroupMember", add).await);
    for c in [&mut dave, &mut bob, &mut carol] {
        assert_eq!(what(&tip(c).await), tip_of(1, "alice", &["dave"]));
    }

    // Roles: made admin (4), and back (5).
    let role = |r: &str| json!({"groupID": "pub", "userID": "bob", "role": r});
    ok(alice.call("setGroupMemberRole", role("Admin")).await);
    assert_eq!(what(&tip(&mut bob).await), tip_of(4, "alice", &["bob"]));
    ok(alice.call("setGroupMemberRole", role("Member")).await);
    assert_eq!(what(&tip(&mut bob).await), tip_of(5, "alice", &["bob"]));

    // A mute (7): the seconds in memberList; and the unmute.
    let mute = |s: u64| json!({"groupID": "pub", "userID": "carol", "muteTime": s});
    ok(alice.call("setGroupMemberMuteTime", mute(60)).await);
    let p = tip(&mut bob).await;
    assert_eq!(what(&p), tip_of(7, "alice", &["carol"]));
    assert_eq!(p["memberList"][0]["userID"], "carol");
    let secs = p["memberList"][0]["muteTime"].as_u64().unwrap();
    assert!((59..=60).contains(&secs), "{p}");
    ok(alice.call("setGroupMemberMuteTime", mute(0)).await);
    assert_eq!(tip(&mut bob).await["memberList"][0]["muteTime"], 0);

    // The profile (6): what changed, by the tip's names.
    let rename = json!({"groupID": "pub", "name": "Pub", "notification": "hi"});
    ok(alice.call("updateGroupProfile", rename).await);
    let p = tip(&mut bob).await;
    assert_eq!(what(&p), tip_of(6, "alice", &["alice"]));
    assert_eq!(
        p["newGroupProfile"],
        json!({"groupName": "Pub", "notification": "hi"})
    );
    let all = json!({"groupID": "pub", "muteAllMembers": true});
    ok(alice.call("updateGroupProfile", all).await);
    let change = &tip(&mut bob).await["newGroupProfile"];
    assert_eq!(change, &json!({"muteAllMembers": true}));
    // A name card makes none.
    let card = json!({"groupID": "pub", "nameCard": "B"});
    ok(bob.call("setGroupMemberNameCard", card).await);
    assert!(!any_tip(&mut bob).await, "a name card made a tip");

    // Removed (3): the others learn it, the one removed does not.
    drain(&mut dave).await;
    let kick = json!({"groupID": "pub", "userIDList": ["dave"]});
    ok(alice.call("deleteGroupMember", kick).await);
    assert_eq!(what(&tip(&mut bob).await), tip_of(3, "alice", &["dave"]));
    assert!(!any_tip(&mut dave).await, "the removed member got the tip");
    // Quit (2), likewise.
    drain(&mut carol).await;
    ok(carol.call("quitGroup", json!("pub")).await);
    let p = tip(&mut bob).await;
    assert_eq!(
        (what(&p), &p["memberCount"]),
        (tip_of(2, "carol", &["carol"]), &json!(2))
    );
    assert!(!any_tip(&mut carol).await);
    // Handed over (6, ownerID).
    let hand = json!({"groupID": "pub", "newOwnerID": "bob"});
    ok(alice.call("changeGroupOwner", hand).await);
    let p = tip(&mut bob).await;
    assert_eq!(p["newGroupProfile"], json!({"ownerID": "bob"}));

    // All of it in the group's one sequence, in history, and nothing of it unread.
    let kept = history(&mut bob, "pub").await;
    let seqs: Vec<u64> = kept
        .iter()
        .map(|m| m["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=12).collect::<Vec<_>>());
    let list = ok(bob.call("getConversations", json!({"limit": 10})).await);
    let conv = &list["conversations"][0];
    assert_eq!(
        (&conv["conversationID"], &conv["unreadCount"]),
        (&json!("GROUPpub"), &json!(1)),
        "only the post-create message is unread: {conv}"
    );
    assert_eq!(
        conv["lastMessage"]["elements"][0]["type"],
        "TIMGroupTipElem"
    );
}

#[tokio::test]
async fn an_approved_application_is_a_join_by_the_approver() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    create(&mut alice, group("asks", "Public", &[])).await;
    let r = ok(bob.call("joinGroup", json!({"groupID": "asks"})).await);
    assert_eq!(r["status"], "WaitAdminApproval");
    assert!(!any_tip(&mut alice).await, "a request is no join");
    let application = json!({"groupID": "asks", "applicant": "bob"});
    let agree = json!({"handleAction": "Agree", "application": application});
    ok(alice.call("handleGroupApplication", agree).await);
    assert_eq!(what(&tip(&mut bob).await), tip_of(1, "alice", &["bob"]));
    // Bob's history starts at his join (a Public group shows nothing from before).
    let kept = history(&mut bob, "asks").await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["elements"][0]["type"], "TIMGroupTipElem");
}

#[tokio::test]
async fn types_without_tips_and_refused_changes_leave_none() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;

    // A Meeting has no member tips (the official default) but has the others.
    create(&mut alice, group("meet", "ChatRoom", &[])).await;
    ok(bob.call("joinGroup", json!({"groupID": "meet"})).await);
    assert!(!any_tip(&mut alice).await, "a Meeting join made a tip");
    let rename = json!({"groupID": "meet", "name": "Meet"});
    ok(alice.call("updateGroupProfile", rename).await);
    for c in [&mut bob, &mut alice] {
        assert_eq!(tip(c).await["operationType"], 6);
    }

    // A live room has none at all, and no post-create message.
    create(&mut alice, group("live", "AVChatRoom", &[])).await;
    ok(bob.call("joinGroup", json!({"groupID": "live"})).await);
    assert!(!any_tip(&mut alice).await);
    assert!(history(&mut alice, "live").await.is_empty());

    // A group made through the REST API has no post-create message (the SDK sends it).
    let body = json!({"Owner_Account": "alice", "Type": "Public", "GroupId": "rest", "Name": "r"});
    let r = rest_of(
        &server,
        "group_open_http_svc",
        "create_group",
        "administrator",
        &body.to_string(),
    )
    .await;
    assert_eq!(r["ActionStatus"], "OK", "{r}");
    assert!(history(&mut alice, "rest").await.is_empty());

    // A refused change leaves no tip and takes no sequence.
    create(&mut alice, group("work", "Private", &["bob", "carol"])).await;
    let kick = json!({"groupID": "work", "userIDList": ["carol"]});
    assert_eq!(code(&bob.call("deleteGroupMember", kick).await), 10007);
    assert!(!any_tip(&mut carol).await);
    let seqs: Vec<Value> = history(&mut carol, "work")
        .await
        .iter()
        .map(|m| m["sequence"].clone())
        .collect();
    assert_eq!(seqs, [json!(1)], "only the post-create message");
}

#[tokio::test]
async fn clients_cannot_send_or_forge_tips() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    create(&mut alice, group("g", "Public", &["bob"])).await;
    let forged = json!({"type": "TIMGroupTipElem",
                        "content": {"operationType": 6, "operatorID": "alice", "userIDList": []}});
    for (kind, to) in [("GROUP", "g"), ("C2C", "bob")] {
        let send = json!({"conversationType": kind, "to": to, "clientMsgID": format!("f-{kind}"),
                          "random": 1, "elements": [forged]});
        assert_eq!(
            code(&alice.call("sendMessage", send).await),
            20001,
            "{kind}"
        );
    }
    assert!(!any_tip(&mut bob).await, "a forged tip was delivered");
    // A tip cannot be rewritten by its operator either.
    ok(alice
        .call(
            "setGroupMemberRole",
            json!({"groupID": "g", "userID": "bob", "role": "Admin"}),
        )
        .await);
    let id = history(&mut alice, "g").await.last().unwrap()["ID"].clone();
    let modify = json!({"messageID": id, "elements": [forged], "version": 0});
    assert_eq!(code(&alice.call("modifyMessage", modify).await), 20001);
}
