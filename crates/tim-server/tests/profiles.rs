//! Profiles on the server: the official checks and codes of updateMyProfile, custom fields
//! registered per app, getUserProfile leaving out unknown users, and the `profile` inbox item
//! every session of the user gets when a value changed (and only then).

mod common;
use common::*;
use serde_json::json;

fn start(dir: &tempfile::TempDir) -> Server {
    let db = dir.path().join("tim.db");
    Server::start(
        &db,
        &[
            "--web-instances",
            "2",
            "--profile-custom-field",
            "Tag_Profile_Custom_Hobby",
        ],
    )
}

#[tokio::test]
async fn update_my_profile_checks_as_the_official_sdk() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let mut alice = server.login("alice").await;
    for (bad, expected) in [
        (json!({}), 2722),
        (json!({"nick": 5}), 2721),
        (json!({"nick": "x".repeat(501)}), 2721),
        (json!({"location": "x".repeat(17)}), 2721),
        (json!({"gender": "male"}), 2721),
        (json!({"allowType": "anyone"}), 2721),
        (json!({"messageSettings": 2}), 2721),
        (json!({"birthday": "1990"}), 2721),
        (json!({"fly": true}), 2721),
        (
            json!({"profileCustomField": [{"key": "Hobby", "value": "x"}]}),
            2721,
        ),
        (
            json!({"profileCustomField": [{"key": "Tag_Profile_Custom_Hobby", "value": 1}]}),
            2721,
        ),
        (
            json!({"profileCustomField": [{"key": "Tag_Profile_Custom_Pet", "value": "cat"}]}),
            40009,
        ),
        (json!([1, 2]), 2721),
    ] {
        let r = alice.call("updateMyProfile", bad.clone()).await;
        assert_eq!(code(&r), expected, "{bad}");
    }
    // Nothing was stored, and nothing pushed.
    alice
        .no_push_within(std::time::Duration::from_millis(200))
        .await;
    let me = alice.call("getMyProfile", json!({})).await;
    assert_eq!(me["data"]["nick"], "");
    assert_eq!(me["data"]["userID"], "alice");
    assert_eq!(me["data"]["allowType"], "AllowType_Type_NeedConfirm");
    assert_eq!(me["data"]["gender"], "Gender_Type_Unknown");
}

#[tokio::test]
async fn a_change_reaches_every_session_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let mut alice = server.login("alice").await;
    let mut alice2 = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let change = json!({
        "nick": "Alice", "avatar": "https://example.com/a.png", "gender": "Gender_Type_Female",
        "birthday": 19900101, "messageSettings": 1,
        "profileCustomField": [{"key": "Tag_Profile_Custom_Hobby", "value": "chess"}],
    });
    let r = alice.call("updateMyProfile", change.clone()).await;
    assert_eq!(r["type"], "ok", "{r}");
    let p = &r["data"];
    assert_eq!(p["nick"], "Alice");
    assert_eq!(p["gender"], "Gender_Type_Female");
    assert_eq!(p["birthday"], 19900101);
    assert_eq!(
        p["profileCustomField"],
        json!([{"key": "Tag_Profile_Custom_Hobby", "value": "chess"}])
    );
    assert!(p["lastUpdatedTime"].as_u64().unwrap() > 0);
    for session in [&mut alice, &mut alice2] {
        let push = session.next_push().await;
        assert_eq!(push["kind"], "profile", "{push}");
        assert_eq!(push["profile"]["nick"], "Alice");
    }
    bob.no_push_within(std::time::Duration::from_millis(200))
        .await;
    // The same values again change nothing: no push.
    let r = alice.call("updateMyProfile", change).await;
    assert_eq!(r["data"]["nick"], "Alice");
    alice2
        .no_push_within(std::time::Duration::from_millis(200))
        .await;
    // An empty custom value removes the field.
    let r = alice
        .call(
            "updateMyProfile",
            json!({"profileCustomField": [{"key": "Tag_Profile_Custom_Hobby", "value": ""}]}),
        )
        .await;
    assert_eq!(r["data"]["profileCustomField"], json!([]));
    assert_eq!(r["data"]["nick"], "Alice", "other fields stay");
    // Others read it; unknown users are left out, in the order asked.
    let r = bob
        .call(
            "getUserProfile",
            json!({"userIDList": ["nobody", "alice", "bob", "alice"]}),
        )
        .await;
    let users: Vec<_> = r["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["userID"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        users,
        ["alice", "bob"],
        "each user once, in the order asked"
    );
    assert_eq!(r["data"][0]["nick"], "Alice");
    let r = bob
        .call("getUserProfile", json!({"userIDList": "alice"}))
        .await;
    assert_eq!(code(&r), 20001);
    // A restart keeps it.
    drop(server);
    let server = start(&dir);
    let mut bob = server.login("bob").await;
    let r = bob
        .call("getUserProfile", json!({"userIDList": ["alice"]}))
        .await;
    assert_eq!(r["data"][0]["nick"], "Alice");
}

#[tokio::test]
async fn the_account_import_stores_nick_and_face_url() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let body = r#"{"UserID":"newbie","Nick":"New","FaceUrl":"https://example.com/n.png"}"#;
    let r = rest(&server, "account_import", "administrator", body).await;
    assert_eq!(r["ErrorCode"], 0, "{r}");
    let mut bob = server.login("bob").await;
    let r = bob
        .call("getUserProfile", json!({"userIDList": ["newbie"]}))
        .await;
    assert_eq!(r["data"][0]["nick"], "New");
    assert_eq!(r["data"][0]["avatar"], "https://example.com/n.png");
}

/// Every message carries its sender's nick and avatar as they were when it was sent (in the
/// answer, the push and history), and the conversation list carries each peer's as they are.
#[tokio::test]
async fn messages_carry_the_senders_nick_and_the_list_the_peers() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let r = alice.send_text("bob", "a0", "before").await;
    assert!(r["data"]["message"].get("nick").is_none(), "{r}");
    let change = json!({"nick": "Alice", "avatar": "https://example.com/a.png"});
    assert_eq!(alice.call("updateMyProfile", change).await["type"], "ok");
    let r = alice.send_text("bob", "a1", "after").await;
    assert_eq!(r["data"]["message"]["nick"], "Alice", "{r}");
    assert_eq!(r["data"]["message"]["avatar"], "https://example.com/a.png");
    loop {
        let p = bob.next_push().await;
        if p["kind"] == "message" && p["message"]["clientMsgID"] == "a1" {
            assert_eq!(p["message"]["nick"], "Alice");
            break;
        }
    }
    let change = json!({"nick": "Alicia"});
    assert_eq!(alice.call("updateMyProfile", change).await["type"], "ok");
    let h = bob
        .call(
            "getHistory",
            json!({"conversationID": "C2Calice", "count": 10}),
        )
        .await;
    let nicks: Vec<_> = h["data"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["nick"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(nicks.len(), 2, "{h}");
    assert!(nicks.contains(&String::new()) && nicks.contains(&"Alice".to_owned()));
    let list = bob.call("getConversations", json!({"limit": 100})).await;
    let c = &list["data"]["conversations"][0];
    assert_eq!(c["peerNick"], "Alicia", "{list}");
    assert_eq!(c["peerAvatar"], "https://example.com/a.png");
}

/// REST `profile/portrait_set` and `portrait_get` in Tencent's shape: as the user's own
/// updateMyProfile (its checks, its push), for the app's administrator only.
#[tokio::test]
async fn portrait_set_and_get_for_app_back_ends() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let mut alice = server.login("alice").await;
    let set = r#"{"From_Account":"alice","ProfileItem":[
        {"Tag":"Tag_Profile_IM_Nick","Value":"Alice"},
        {"Tag":"Tag_Profile_IM_Gender","Value":"Gender_Type_Female"},
        {"Tag":"Tag_Profile_IM_Level","Value":7},
        {"Tag":"Tag_Profile_Custom_Hobby","Value":"chess"}]}"#;
    let r = rest_of(&server, "profile", "portrait_set", "administrator", set).await;
    assert_eq!(r["ErrorCode"], 0, "{r}");
    let push = alice.next_push().await;
    assert_eq!(push["kind"], "profile", "{push}");
    assert_eq!(push["profile"]["nick"], "Alice");
    let me = alice.call("getMyProfile", json!({})).await;
    assert_eq!(me["data"]["level"], 7);

    let get = r#"{"To_Account":["alice","nobody"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Level","Tag_Profile_Custom_Hobby"]}"#;
    let r = rest_of(&server, "profile", "portrait_get", "administrator", get).await;
    assert_eq!(r["ErrorCode"], 0, "{r}");
    assert_eq!(
        r["UserProfileItem"][0]["ProfileItem"],
        json!([{"Tag": "Tag_Profile_IM_Nick", "Value": "Alice"},
               {"Tag": "Tag_Profile_IM_Level", "Value": 7},
               {"Tag": "Tag_Profile_Custom_Hobby", "Value": "chess"}])
    );
    assert_eq!(r["UserProfileItem"][1]["ResultCode"], 40003);
    assert_eq!(r["Fail_Account"], json!(["nobody"]));

    // The SDK's checks hold, and only the administrator may call.
    let bad = r#"{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Gender","Value":"male"}]}"#;
    let r = rest_of(&server, "profile", "portrait_set", "administrator", bad).await;
    assert_eq!(r["ErrorCode"], 2721, "{r}");
    let unknown =
        r#"{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Fly","Value":1}]}"#;
    let r = rest_of(&server, "profile", "portrait_set", "administrator", unknown).await;
    assert_eq!(r["ErrorCode"], 40001, "{r}");
    let nobody =
        r#"{"From_Account":"nobody","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"N"}]}"#;
    let r = rest_of(&server, "profile", "portrait_set", "administrator", nobody).await;
    assert_eq!(r["ErrorCode"], 40003, "{r}");
    let r = rest_of(&server, "profile", "portrait_set", "alice", set).await;
    assert_eq!(r["ActionStatus"], "FAIL", "{r}");
    assert_ne!(r["ErrorCode"], 0);
}
