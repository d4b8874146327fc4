//! Conversation groups on the server, over the protocol: the official codes, the groups in
//! the first page of the conversation list, and the `conversationGroups` inbox item every
//! session of the user gets with all the groups after a change.

mod common;
use common::*;
use serde_json::{json, Value};

/// The groups of the next `conversationGroups` item.
async fn groups_item(client: &mut Client) -> Value {
    loop {
        let p = client.next_push().await;
        if p["kind"] == "conversationGroups" {
            return p["conversationGroups"].clone();
        }
    }
}

#[tokio::test]
async fn groups_are_the_users_own_with_the_official_codes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--web-instances", "2"]);
    let mut alice = server.login("alice").await;
    let mut alice2 = server.login("alice").await;
    server.login("bob").await;
    alice.send_text("bob", "a1", "hi").await;

    let create =
        json!({"groupName": "work", "conversationIDList": ["C2Cbob", "nonsense", "C2Cbob"]});
    let r = ok(alice.call("createConversationGroup", create.clone()).await);
    assert_eq!(r["successConversationIDList"], json!(["C2Cbob"]));
    assert_eq!(
        r["failureConversationIDList"][0]["conversationID"],
        "nonsense"
    );
    for session in [&mut alice, &mut alice2] {
        assert_eq!(
            groups_item(session).await,
            json!([{"name": "work", "conversationIDList": ["C2Cbob"]}])
        );
    }
    assert_eq!(
        alice.call("createConversationGroup", create).await["code"],
        51012
    );
    let long = json!({"groupName": "x".repeat(33), "conversationIDList": []});
    assert_eq!(
        alice.call("createConversationGroup", long).await["code"],
        51011
    );
    for n in 1..20 {
        let g = json!({"groupName": format!("g{n}"), "conversationIDList": []});
        ok(alice.call("createConversationGroup", g).await);
    }
    let g = json!({"groupName": "g20", "conversationIDList": []});
    assert_eq!(
        alice.call("createConversationGroup", g).await["code"],
        51010
    );
    let names = ok(alice.call("getConversationGroupList", json!({})).await);
    assert_eq!(names.as_array().unwrap().len(), 20);
    assert!(names.as_array().unwrap().contains(&json!("work")));

    let add = json!({"groupName": "g1", "conversationIDList": ["C2Cbob", "C2Ccarol"]});
    let r = ok(alice.call("addConversationsToGroup", add).await);
    assert_eq!(
        r["successConversationIDList"],
        json!(["C2Cbob", "C2Ccarol"])
    );
    let remove = json!({"groupName": "work", "conversationIDList": ["C2Cbob"]});
    ok(alice.call("deleteConversationsFromGroup", remove).await);
    let rename = json!({"oldName": "g1", "newName": "work"});
    assert_eq!(
        alice.call("renameConversationGroup", rename).await["code"],
        51012
    );
    let rename = json!({"oldName": "g1", "newName": "friends"});
    ok(alice.call("renameConversationGroup", rename).await);
    ok(alice.call("deleteConversationGroup", json!("work")).await);
    assert_eq!(
        alice.call("deleteConversationGroup", json!("work")).await["code"],
        51009
    );
    let page = ok(alice.call("getConversations", json!({"limit": 100})).await);
    let groups = page["conversationGroups"].as_array().unwrap();
    assert_eq!(groups.len(), 19);
    let friends = groups.iter().find(|g| g["name"] == "friends").unwrap();
    assert_eq!(friends["conversationIDList"], json!(["C2Cbob", "C2Ccarol"]));
    // A later page carries none; the groups survive a restart.
    let later = ok(alice
        .call("getConversations", json!({"limit": 100, "after": "C2Cbob"}))
        .await);
    assert!(later.get("conversationGroups").is_none(), "{later}");
    drop((alice, alice2));
    drop(server);
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let names = ok(alice.call("getConversationGroupList", json!({})).await);
    assert!(names.as_array().unwrap().contains(&json!("friends")));
}
