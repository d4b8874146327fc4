//! Group system notices, spoken over the protocol: each group op that concerns a user puts a
//! TIMGroupSystemNoticeElem message of the `@TIM#SYSTEM` conversation in that user's inbox
//! (a `notice` item, with the official operationType and payload): join requests to the owner
//! and admins, their answers to the applicant, invitations, roles, removals, dismissals, and
//! the app back end's custom notices (REST); they come again with the inbox after time away;
//! nobody can send into `@TIM#SYSTEM`.

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

/// The next notice pushed to `client` (other pushes are skipped): its message.
async fn notice(client: &mut Client) -> Value {
    loop {
        let p = client.next_push().await;
        if p["type"] == "inbox" && p["kind"] == "notice" {
            return p["message"].clone();
        }
    }
}

/// Whether a notice reaches `client` within a short while.
async fn any_notice(client: &mut Client) -> bool {
    let wait = Duration::from_millis(300);
    while let Ok(p) = tokio::time::timeout(wait, client.next_push()).await {
        if p["kind"] == "notice" {
            return true;
        }
    }
    false
}

/// A notice's payload, checked for the shape every notice has (to `user`, about `group`).
fn payload(m: &Value, user: &str, group: &str) -> Value {
    assert_eq!(
        (&m["conversationType"], &m["from"], &m["to"]),
        (&json!("@TIM#SYSTEM"), &json!("@TIM#SYSTEM"), &json!(user)),
        "{m}"
    );
    let element = &m["elements"][0];
    assert_eq!(element["type"], "TIMGroupSystemNoticeElem", "{m}");
    let p = element["content"].clone();
    assert_eq!(p["groupProfile"]["groupID"], group, "{p}");
    assert_eq!(p["groupProfile"]["to"], user, "{p}");
    p
}

/// (operationType, operatorID).
fn what(p: &Value) -> (u64, &str) {
    (
        p["operationType"].as_u64().unwrap(),
        p["operatorID"].as_str().unwrap(),
    )
}

#[tokio::test]
async fn the_users_a_group_op_concerns_get_its_official_notice() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    let mut dave = server.login("dave").await;
    let club = json!({"groupID": "club", "name": "Club", "type": "Public",
                      "memberList": [{"userID": "bob", "role": "Admin"}, {"userID": "carol"}]});
    ok(alice.call("createGroup", club).await);

    // A join request: to the owner and the admins, with what the applicant wrote.
    let ask = json!({"groupID": "club", "applyMessage": "let me in"});
    ok(dave.call("joinGroup", ask).await);
    for (c, user) in [(&mut alice, "alice"), (&mut bob, "bob")] {
        let p = payload(&notice(c).await, user, "club");
        assert_eq!(what(&p), (1, "dave"));
        assert_eq!(
            (&p["handleMessage"], &p["groupProfile"]["name"]),
            (&json!("let me in"), &json!("Club"))
        );
    }
    assert!(
        !any_notice(&mut carol).await,
        "an ordinary member was asked"
    );

    // Handled by its notice (the official `message` parameter): the applicant learns it.
    let request = notice_as_sdk_message(&json!({"groupID": "club", "applicant": "dave"}));
    let agree = json!({"handleAction": "Agree", "message": request, "handleMessage": "welcome"});
    ok(bob.call("handleGroupApplication", agree).await);
    let p = payload(&notice(&mut dave).await, "dave", "club");
    assert_eq!(
        (what(&p), &p["handleMessage"]),
        ((2, "bob"), &json!("welcome"))
    );

    // Refused.
    let mut erin = server.login("erin").await;
    ok(erin.call("joinGroup", json!({"groupID": "club"})).await);
    for (c, user) in [(&mut alice, "alice"), (&mut bob, "bob")] {
        assert_eq!(what(&payload(&notice(c).await, user, "club")), (1, "erin"));
    }
    let application = json!({"groupID": "club", "applicant": "erin"});
    let reject = json!({"handleAction": "Reject", "application": application,
                        "handleMessage": "full"});
    ok(alice.call("handleGroupApplication", reject).await);
    let p = payload(&notice(&mut erin).await, "erin", "club");
    assert_eq!(
        (what(&p), &p["handleMessage"]),
        ((3, "alice"), &json!("full"))
    );

    // Invited (7), made admin (9) and no longer (10), removed (4).
    let add = json!({"groupID": "club", "userIDList": ["erin"]});
    ok(alice.call("addGroupMember", add).await);
    assert_eq!(
        what(&payload(&notice(&mut erin).await, "erin", "club")),
        (7, "alice")
    );
    let role = |r: &str| json!({"groupID": "club", "userID": "carol", "role": r});
    ok(alice.call("setGroupMemberRole", role("Admin")).await);
    assert_eq!(
        what(&payload(&notice(&mut carol).await, "carol", "club")),
        (9, "alice")
    );
    ok(alice.call("setGroupMemberRole", role("Member")).await);
    assert_eq!(
        what(&payload(&notice(&mut carol).await, "carol", "club")),
        (10, "alice")
    );
    let kick = json!({"groupID": "club", "userIDList": ["erin"]});
    ok(bob.call("deleteGroupMember", kick).await);
    assert_eq!(
        what(&payload(&notice(&mut erin).await, "erin", "club")),
        (4, "bob")
    );

    // Dismissed (5): every member but the one who dismissed it.
    ok(alice.call("dismissGroup", json!("club")).await);
    for (c, user) in [
        (&mut bob, "bob"),
        (&mut carol, "carol"),
        (&mut dave, "dave"),
    ] {
        assert_eq!(what(&payload(&notice(c).await, user, "club")), (5, "alice"));
    }
    assert!(
        !any_notice(&mut alice).await,
        "the owner told of her own dismissal"
    );
}

/// A join-request notice as the SDK hands it back to handleGroupApplication: a Message object
/// with the notice's payload.
fn notice_as_sdk_message(application: &Value) -> Value {
    json!({"type": "TIMGroupSystemNoticeElem", "conversationID": "@TIM#SYSTEM",
           "payload": {"operationType": 1, "operatorID": application["applicant"],
                       "groupProfile": {"groupID": application["groupID"]}}})
}

#[tokio::test]
async fn an_app_back_end_sends_custom_notices_that_wait_in_the_inbox() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut dave = server.login("dave").await;
    let crew = json!({"groupID": "crew", "name": "Crew", "type": "Private",
                      "memberList": [{"userID": "bob"}]});
    ok(alice.call("createGroup", crew).await);
    let send = |body: Value| {
        let server = &server;
        async move {
            let body = body.to_string();
            let svc = "group_open_http_svc";
            let cmd = "send_group_system_notification";
            rest_of(server, svc, cmd, "administrator", &body).await
        }
    };

    // To chosen members (a non-member among them gets nothing).
    let to_bob =
        json!({"GroupId": "crew", "ToMembers_Account": ["bob", "dave"], "Content": "hi bob"});
    assert_eq!(send(to_bob).await["ActionStatus"], "OK");
    let p = payload(&notice(&mut bob).await, "bob", "crew");
    assert_eq!(what(&p), (255, "administrator"));
    assert_eq!(p["userDefinedField"], "hi bob");
    assert!(!any_notice(&mut alice).await);
    assert!(
        !any_notice(&mut dave).await,
        "a non-member got a group notice"
    );

    // To everyone, while bob is away: it waits in his inbox.
    let since = ok(bob.call("sync", json!({"after": 0})).await)["inboxSeq"].clone();
    drop(bob);
    let all = json!({"GroupId": "crew", "Content": "everyone"});
    assert_eq!(send(all).await["ActionStatus"], "OK");
    assert_eq!(
        payload(&notice(&mut alice).await, "alice", "crew")["userDefinedField"],
        "everyone"
    );
    let mut bob = server.login("bob").await;
    let missed = ok(bob.call("sync", json!({ "after": since })).await);
    let items = missed["items"].as_array().unwrap();
    let notices: Vec<&Value> = items.iter().filter(|i| i["kind"] == "notice").collect();
    assert_eq!(notices.len(), 1, "{missed}");
    let p = payload(&notices[0]["message"], "bob", "crew");
    assert_eq!(p["userDefinedField"], "everyone");

    // Refusals: no group, a text too long.
    let none = json!({"GroupId": "nothing", "Content": "x"});
    assert_eq!(send(none).await["ErrorCode"], 10010);
    let long = json!({"GroupId": "crew", "Content": "x".repeat(1025)});
    assert_eq!(send(long).await["ErrorCode"], 10004);
}

#[tokio::test]
async fn nobody_sends_into_the_system_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let text = json!([{"type": "TIMTextElem", "content": {"text": "x"}}]);
    let send = json!({"conversationType": "@TIM#SYSTEM", "to": "alice", "clientMsgID": "s-1",
                      "random": 1, "elements": text});
    assert_eq!(code(&alice.call("sendMessage", send).await), 20001);
    let forged = json!([{"type": "TIMGroupSystemNoticeElem", "content": {"operationType": 5}}]);
    let send = json!({"conversationType": "C2C", "to": "alice", "clientMsgID": "s-2",
                      "random": 1, "elements": forged});
    assert_eq!(code(&alice.call("sendMessage", send).await), 20001);
}
