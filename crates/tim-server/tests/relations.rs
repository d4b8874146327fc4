//! Relations on the server, spoken over the protocol: addFriend by each allowType with the
//! official codes, applications accepted, refused and deleted on both sides, the blacklist's
//! effect on messages (20007) and friend requests (30525 / 30515), friend groups, and the
//! `changed` inbox items that tell every session of the users concerned which list to fetch.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

/// The lists named by the `changed` items that reach `client` within a short while.
async fn changed(client: &mut Client) -> BTreeSet<String> {
    let mut lists = BTreeSet::new();
    while let Ok(p) = tokio::time::timeout(Duration::from_millis(300), client.next_push()).await {
        if p["kind"] == "changed" {
            lists.insert(p["list"].as_str().unwrap().to_owned());
        }
    }
    lists
}

fn set(lists: &[&str]) -> BTreeSet<String> {
    lists.iter().map(|l| l.to_string()).collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["userID"].as_str().unwrap().to_owned())
        .collect()
}

async fn allow(client: &mut Client, allow_type: &str) {
    ok(client
        .call("updateMyProfile", json!({"allowType": allow_type}))
        .await);
}

fn add(to: &str) -> Value {
    json!({"to": to, "source": "AddSource_Type_web", "wording": "hi", "remark": "R"})
}

#[tokio::test]
async fn add_friend_follows_the_targets_allow_type() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--web-instances", "2"]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut bob2 = server.login("bob").await;

    // Allow any: both are friends at once (Add_Type_Both by default).
    allow(&mut bob, "AllowType_Type_AllowAny").await;
    changed(&mut bob).await;
    changed(&mut bob2).await;
    let r = ok(alice.call("addFriend", add("bob")).await);
    assert_eq!(r, json!({"userID": "bob", "code": 0, "message": ""}));
    assert_eq!(changed(&mut alice).await, set(&["friends"]));
    assert_eq!(changed(&mut bob).await, set(&["friends"]));
    assert_eq!(changed(&mut bob2).await, set(&["friends"]), "every session");
    let mine = ok(alice.call("getFriendList", json!({})).await);
    assert_eq!(ids(&mine), ["bob"]);
    assert_eq!(mine[0]["remark"], "R");
    assert_eq!(mine[0]["source"], "AddSource_Type_web");
    assert_eq!(mine[0]["profile"]["userID"], "bob");
    assert_eq!(mine[0]["profile"]["allowType"], "AllowType_Type_AllowAny");
    assert_eq!(
        ids(&ok(bob.call("getFriendList", json!({})).await)),
        ["alice"]
    );
    assert_eq!(code(&alice.call("addFriend", add("bob")).await), 2701);

    // Deny any: 30516, nothing written.
    let mut carol = server.login("carol").await;
    allow(&mut carol, "AllowType_Type_DenyAny").await;
    changed(&mut carol).await;
    assert_eq!(code(&alice.call("addFriend", add("carol")).await), 30516);
    assert_eq!(changed(&mut carol).await, set(&[]));
    let apps = ok(carol.call("getFriendApplicationList", json!({})).await);
    assert_eq!(apps["friendApplicationList"], json!([]));

    // Need confirm (the default): 30539 resolved, an application on both sides.
    let mut dave = server.login("dave").await;
    let r = ok(alice.call("addFriend", add("dave")).await);
    assert_eq!(r["code"], 30539, "{r}");
    assert_eq!(changed(&mut dave).await, set(&["friendApplications"]));
    assert_eq!(changed(&mut alice).await, set(&["friendApplications"]));
    let theirs = ok(dave.call("getFriendApplicationList", json!({})).await);
    assert_eq!(theirs["unreadCount"], 1);
    let app = &theirs["friendApplicationList"][0];
    assert_eq!(app["userID"], "alice");
    assert_eq!(app["type"], "Pendency_Type_ComeIn");
    assert_eq!(app["wording"], "hi");
    assert_eq!(app["source"], "AddSource_Type_web");
    let mine = ok(alice.call("getFriendApplicationList", json!({})).await);
    assert_eq!(mine["unreadCount"], 0, "sent ones are not unread");
    assert_eq!(
        mine["friendApplicationList"][0]["type"],
        "Pendency_Type_SendOut"
    );
    assert_eq!(mine["friendApplicationList"][0]["userID"], "dave");
    ok(dave.call("setFriendApplicationRead", json!({})).await);
    let theirs = ok(dave.call("getFriendApplicationList", json!({})).await);
    assert_eq!(theirs["unreadCount"], 0);

    // Accepted with AgreeAndAdd: friends both ways, the application gone on both sides, and
    // the requester's remark kept.
    let accept = json!({"userID": "alice", "type": "Response_Action_AgreeAndAdd", "remark": "A"});
    assert_eq!(
        ok(dave.call("acceptFriendApplication", accept.clone()).await)["userID"],
        "alice"
    );
    assert_eq!(
        changed(&mut alice).await,
        set(&["friendApplications", "friends"])
    );
    let mine = ok(alice.call("getFriendList", json!({})).await);
    assert_eq!(ids(&mine), ["bob", "dave"]);
    assert_eq!(mine[1]["remark"], "R");
    let theirs = ok(dave.call("getFriendList", json!({})).await);
    assert_eq!(theirs[0]["remark"], "A");
    for who in [&mut alice, &mut dave] {
        let apps = ok(who.call("getFriendApplicationList", json!({})).await);
        assert_eq!(apps["friendApplicationList"], json!([]));
    }
    assert_eq!(
        code(&dave.call("acceptFriendApplication", accept).await),
        2716
    );

    // A user who already has the requester as a friend adds them back without asking.
    let mut erin = server.login("erin").await;
    let r = ok(erin
        .call(
            "addFriend",
            json!({"to": "alice", "source": "AddSource_Type_web", "type": "Add_Type_Single"}),
        )
        .await);
    assert_eq!(r["code"], 30539);
    ok(alice
        .call(
            "acceptFriendApplication",
            json!({"userID": "erin", "type": "Response_Action_Agree"}),
        )
        .await);
    let check = ok(alice
        .call(
            "checkFriend",
            json!({"userIDList": ["erin", "bob", "carol"]}),
        )
        .await);
    let relations: Vec<_> = check["successUserIDList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["relation"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        relations,
        [
            "CheckResult_Type_BWithA",
            "CheckResult_Type_BothWay",
            "CheckResult_Type_NoRelation"
        ]
    );
    assert_eq!(ok(alice.call("addFriend", add("erin")).await)["code"], 0);
    let check = ok(alice
        .call("checkFriend", json!({"userIDList": ["erin"]}))
        .await);
    assert_eq!(
        check["successUserIDList"][0]["relation"],
        "CheckResult_Type_BothWay"
    );
}

#[tokio::test]
async fn refused_and_deleted_applications_and_deleted_friends() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    ok(alice.call("addFriend", add("bob")).await);
    ok(bob
        .call("refuseFriendApplication", json!({"userID": "alice"}))
        .await);
    for who in [&mut alice, &mut bob] {
        let apps = ok(who.call("getFriendApplicationList", json!({})).await);
        assert_eq!(
            apps["friendApplicationList"],
            json!([]),
            "gone on both sides"
        );
    }
    assert_eq!(
        code(
            &bob.call("refuseFriendApplication", json!({"userID": "alice"}))
                .await
        ),
        2716
    );

    // Deleting one's own side leaves the other's.
    ok(alice.call("addFriend", add("bob")).await);
    changed(&mut alice).await;
    changed(&mut bob).await;
    ok(alice
        .call(
            "deleteFriendApplication",
            json!({"userID": "bob", "type": "Pendency_Type_SendOut"}),
        )
        .await);
    assert_eq!(changed(&mut bob).await, set(&[]));
    let apps = ok(bob.call("getFriendApplicationList", json!({})).await);
    assert_eq!(ids(&apps["friendApplicationList"]), ["alice"]);
    ok(bob
        .call("acceptFriendApplication", json!({"userID": "alice"}))
        .await);

    // Delete_Type_Single keeps the other side's friend; Delete_Type_Both (the default) not.
    let r = ok(alice
        .call(
            "deleteFriend",
            json!({"userIDList": ["bob", "nobody"], "type": "Delete_Type_Single"}),
        )
        .await);
    assert_eq!(r["successUserIDList"], json!([{"userID": "bob"}]));
    assert_eq!(r["failureUserIDList"][0]["userID"], "nobody");
    assert_eq!(r["failureUserIDList"][0]["code"], 2700);
    assert_eq!(ok(alice.call("getFriendList", json!({})).await), json!([]));
    assert_eq!(
        ids(&ok(bob.call("getFriendList", json!({})).await)),
        ["alice"]
    );
    changed(&mut alice).await;
    ok(bob
        .call("deleteFriend", json!({"userIDList": ["alice"]}))
        .await);
    assert_eq!(
        changed(&mut alice).await,
        set(&[]),
        "alice had no row left to drop"
    );
    assert_eq!(ok(bob.call("getFriendList", json!({})).await), json!([]));
}

#[tokio::test]
async fn the_blacklist_stops_messages_and_requests() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    allow(&mut alice, "AllowType_Type_AllowAny").await;
    ok(bob.call("addFriend", add("alice")).await);
    // Before the block, bob's messages reach her.
    ok(bob.send_text("alice", "b0", "hi").await);
    changed(&mut alice).await;

    assert_eq!(
        code(
            &alice
                .call("addToBlacklist", json!({"userIDList": ["alice"]}))
                .await
        ),
        2742
    );
    let r = ok(alice
        .call(
            "addToBlacklist",
            json!({"userIDList": ["bob", "alice", "nobody"]}),
        )
        .await);
    assert_eq!(r, json!(["bob"]), "oneself and unknown users left out");
    assert_eq!(changed(&mut alice).await, set(&["blacklist", "friends"]));
    assert_eq!(
        changed(&mut bob).await,
        set(&["friends"]),
        "the friendship ends both ways"
    );
    assert_eq!(ok(bob.call("getFriendList", json!({})).await), json!([]));

    // bob's messages get 20007 and reach nothing of alice's; hers still reach him.
    assert_eq!(code(&bob.send_text("alice", "b1", "hello?").await), 20007);
    alice.no_push_within(Duration::from_millis(200)).await;
    let h = ok(alice
        .call(
            "getHistory",
            json!({"conversationID": "C2Cbob", "count": 10}),
        )
        .await);
    let kept: Vec<_> = h["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["clientMsgID"])
        .collect();
    assert_eq!(kept, ["b0"], "only the message from before the block");
    assert_eq!(
        ok(alice.send_text("bob", "a1", "bye").await)["message"]["from"],
        "alice"
    );
    // Friend requests: 30525 from the blocked one, 30515 to them.
    assert_eq!(code(&bob.call("addFriend", add("alice")).await), 30525);
    assert_eq!(code(&alice.call("addFriend", add("bob")).await), 30515);

    let r = ok(alice
        .call("removeFromBlacklist", json!({"userIDList": ["bob"]}))
        .await);
    assert_eq!(r, json!([]));
    assert_eq!(
        ok(bob.send_text("alice", "b2", "again").await)["message"]["from"],
        "bob"
    );
    assert_eq!(ok(bob.call("addFriend", add("alice")).await)["code"], 0);
}

#[tokio::test]
async fn friend_groups_hold_friends_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    for user in ["bob", "carol"] {
        let mut c = server.login(user).await;
        allow(&mut c, "AllowType_Type_AllowAny").await;
    }
    server.login("dave").await;
    ok(alice.call("addFriend", add("bob")).await);
    let r = ok(alice
        .call(
            "addFriend",
            json!({"to": "carol", "source": "AddSource_Type_web", "groupName": "school"}),
        )
        .await);
    assert_eq!(r["code"], 0);
    changed(&mut alice).await;

    let r = ok(alice
        .call(
            "createFriendGroup",
            json!({"name": "work", "userIDList": ["bob", "dave"]}),
        )
        .await);
    assert_eq!(
        r["friendGroup"],
        json!({"name": "work", "userIDList": ["bob"], "count": 1})
    );
    assert_eq!(r["failureUserIDList"][0]["userID"], "dave");
    assert_eq!(r["failureUserIDList"][0]["code"], 2700);
    assert_eq!(changed(&mut alice).await, set(&["friendGroups", "friends"]));
    let work = json!({"name": "work", "userIDList": []});
    assert_eq!(code(&alice.call("createFriendGroup", work).await), 2710);
    let list = ok(alice.call("getFriendGroupList", json!({})).await);
    assert_eq!(
        list,
        json!([{"name": "school", "userIDList": ["carol"], "count": 1},
               {"name": "work", "userIDList": ["bob"], "count": 1}])
    );
    let r = ok(alice
        .call(
            "addToFriendGroup",
            json!({"name": "work", "userIDList": ["carol", "bob"]}),
        )
        .await);
    assert_eq!(r["friendGroup"]["userIDList"], json!(["bob", "carol"]));
    let friends = ok(alice.call("getFriendList", json!({})).await);
    assert_eq!(friends[1]["userID"], "carol");
    assert_eq!(friends[1]["groupList"], json!(["school", "work"]));

    let rename = json!({"oldName": "work", "newName": "school"});
    assert_eq!(code(&alice.call("renameFriendGroup", rename).await), 2710);
    let rename = json!({"oldName": "work", "newName": "job"});
    let r = ok(alice.call("renameFriendGroup", rename.clone()).await);
    assert_eq!(r["name"], "job");
    assert_eq!(code(&alice.call("renameFriendGroup", rename).await), 2711);
    let r = ok(alice
        .call(
            "removeFromFriendGroup",
            json!({"name": "job", "userIDList": ["bob"]}),
        )
        .await);
    assert_eq!(r["friendGroup"]["userIDList"], json!(["carol"]));

    // A friend no longer a friend leaves every group.
    ok(alice
        .call("deleteFriend", json!({"userIDList": ["carol"]}))
        .await);
    let list = ok(alice.call("getFriendGroupList", json!({})).await);
    assert_eq!(list[0]["userIDList"], json!([]));
    assert_eq!(list[1]["userIDList"], json!([]));
    let r = ok(alice
        .call("deleteFriendGroup", json!({"name": "job"}))
        .await);
    assert_eq!(r["name"], "job");
    assert_eq!(
        code(
            &alice
                .call("deleteFriendGroup", json!({"name": "job"}))
                .await
        ),
        2711
    );
    assert_eq!(
        code(&alice.call("createFriendGroup", json!({"name": ""})).await),
        30001
    );
}

#[tokio::test]
async fn update_friend_sets_remark_and_custom_fields() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    allow(&mut bob, "AllowType_Type_AllowAny").await;
    ok(alice.call("addFriend", add("bob")).await);
    let r = ok(alice
        .call(
            "updateFriend",
            json!({"userID": "bob", "remark": "Bobby",
            "friendCustomField": [{"key": "Tag_SNS_Custom_Color", "value": "red"}]}),
        )
        .await);
    assert_eq!(r["remark"], "Bobby");
    assert_eq!(
        r["friendCustomField"],
        json!([{"key": "Tag_SNS_Custom_Color", "value": "red"}])
    );
    let bad = json!({"userID": "bob", "friendCustomField": [{"key": "Color", "value": "red"}]});
    assert_eq!(code(&alice.call("updateFriend", bad).await), 30001);
    let long = json!({"userID": "bob", "remark": "x".repeat(97)});
    assert_eq!(code(&alice.call("updateFriend", long).await), 30001);
    assert_eq!(
        code(&bob.call("updateFriend", json!({"userID": "carol"})).await),
        2700
    );
    let r = ok(alice
        .call("getFriendProfile", json!({"userIDList": ["bob", "carol"]}))
        .await);
    assert_eq!(r["friendList"][0]["remark"], "Bobby");
    assert_eq!(r["failureUserIDList"][0]["userID"], "carol");
    // bob's own row of alice is his.
    let theirs = ok(bob.call("getFriendList", json!({})).await);
    assert_eq!(theirs[0]["remark"], "");
    // Bad parameters are 30001 and lose the connection nothing.
    for (op, bad) in [
        ("addFriend", json!({"to": "bob", "source": "web"})),
        (
            "addFriend",
            json!({"to": "bob", "source": "AddSource_Type_123456789"}),
        ),
        (
            "addFriend",
            json!({"to": "alice", "source": "AddSource_Type_web"}),
        ),
        (
            "addFriend",
            json!({"to": "bob", "source": "AddSource_Type_web", "type": "both"}),
        ),
        (
            "deleteFriend",
            json!({"userIDList": ["bob"], "type": "all"}),
        ),
        ("checkFriend", json!({"userIDList": ["bob"], "type": "x"})),
        ("getFriendProfile", json!({"userIDList": [""]})),
        (
            "acceptFriendApplication",
            json!({"userID": "bob", "type": "yes"}),
        ),
        (
            "deleteFriendApplication",
            json!({"userID": "bob", "type": "x"}),
        ),
    ] {
        assert_eq!(
            code(&alice.call(op, bad.clone()).await),
            30001,
            "{op} {bad}"
        );
    }
    assert_eq!(code(&alice.call("addFriend", add("nobody")).await), 30003);
    assert_eq!(
        ids(&ok(alice.call("getFriendList", json!({})).await)),
        ["bob"]
    );
}

/// REST `sns/friend_import` (one way, no asking, whatever the blacklists), `friend_add` (the
/// target's allowType, unless ForceAddFlags) and `friend_delete`, with the users' `changed`
/// items as the SDK's calls give.
#[tokio::test]
async fn app_back_ends_import_add_and_delete_friends() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    server.login("carol").await;
    ok(bob
        .call("addToBlacklist", json!({"userIDList": ["alice"]}))
        .await);
    changed(&mut bob).await;
    let import = r#"{"From_Account":"alice","AddFriendItem":[
        {"To_Account":"bob","AddSource":"AddSource_Type_Import","Remark":"B"},
        {"To_Account":"nobody","AddSource":"AddSource_Type_Import"}]}"#;
    let r = rest_of(&server, "sns", "friend_import", "administrator", import).await;
    assert_eq!(r["ErrorCode"], 0, "{r}");
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
    assert_eq!(r["ResultItem"][1]["ResultCode"], 30003);
    assert_eq!(r["Fail_Account"], json!(["nobody"]));
    assert_eq!(changed(&mut alice).await, set(&["friends"]));
    let mine = ok(alice.call("getFriendList", json!({})).await);
    assert_eq!(ids(&mine), ["bob"]);
    assert_eq!(mine[0]["remark"], "B");
    assert_eq!(
        ok(bob.call("getFriendList", json!({})).await),
        json!([]),
        "one way"
    );

    // friend_add asks carol (NeedConfirm) unless forced.
    let add = r#"{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_Srv"}]}"#;
    let r = rest_of(&server, "sns", "friend_add", "administrator", add).await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 30539, "{r}");
    assert_eq!(r["Fail_Account"], json!([]));
    let forced = r#"{"From_Account":"alice","ForceAddFlags":1,"AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_Srv"}]}"#;
    let r = rest_of(&server, "sns", "friend_add", "administrator", forced).await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
    let mut carol = server.login("carol").await;
    assert_eq!(
        ids(&ok(carol.call("getFriendList", json!({})).await)),
        ["alice"],
        "Add_Type_Both by default"
    );

    let delete = r#"{"From_Account":"alice","To_Account":["carol","nobody"]}"#;
    let r = rest_of(&server, "sns", "friend_delete", "administrator", delete).await;
    assert_eq!(
        r["ResultItem"][0],
        json!({"To_Account": "carol", "ResultCode": 0, "ResultInfo": ""})
    );
    assert_eq!(r["ResultItem"][1]["ResultCode"], 2700);
    assert_eq!(ok(carol.call("getFriendList", json!({})).await), json!([]));
    let r = rest_of(&server, "sns", "friend_delete", "alice", delete).await;
    assert_ne!(r["ErrorCode"], 0, "administrator only: {r}");
}

/// No list grows without bound: past the app's `max_list_size` a friend is refused with the
/// official 30010 (30014 for the other side's list), a block with 30001, a subscription with
/// 20001; what was stored stays.
#[tokio::test]
async fn lists_stop_at_the_apps_limit() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--max-list-size", "2"]);
    let mut alice = server.login("alice").await;
    for user in ["bob", "carol", "dave", "erin"] {
        let mut c = server.login(user).await;
        allow(&mut c, "AllowType_Type_AllowAny").await;
    }
    ok(alice.call("addFriend", add("bob")).await);
    ok(alice.call("addFriend", add("carol")).await);
    assert_eq!(code(&alice.call("addFriend", add("dave")).await), 30010);
    // The other side's list full: 30014, and nothing written on either side.
    let mut dave = server.login("dave").await;
    for to in ["bob", "carol"] {
        let single = json!({"to": to, "source": "AddSource_Type_web", "type": "Add_Type_Single"});
        ok(dave.call("addFriend", single).await);
    }
    let mut erin = server.login("erin").await;
    assert_eq!(code(&erin.call("addFriend", add("dave")).await), 30014);
    assert_eq!(ok(erin.call("getFriendList", json!({})).await), json!([]));
    assert_eq!(
        ids(&ok(alice.call("getFriendList", json!({})).await)),
        ["bob", "carol"]
    );

    let mut frank = server.login("frank").await;
    ok(frank
        .call("addToBlacklist", json!({"userIDList": ["bob", "carol"]}))
        .await);
    let r = frank
        .call("addToBlacklist", json!({"userIDList": ["dave"]}))
        .await;
    assert_eq!(code(&r), 30001);
    let r = frank
        .call("addToBlacklist", json!({"userIDList": ["bob"]}))
        .await;
    assert_eq!(
        ok(r),
        json!(["bob", "carol"]),
        "one already there takes no room"
    );
    ok(frank
        .call(
            "subscribeUserStatus",
            json!({"userIDList": ["bob", "carol"]}),
        )
        .await);
    let r = frank
        .call("subscribeUserStatus", json!({"userIDList": ["dave"]}))
        .await;
    assert_eq!(code(&r), 20001);
}
