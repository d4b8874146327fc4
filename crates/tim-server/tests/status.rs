//! User status on the server, over the protocol: online / offline / not logged in from the
//! session registry across login, a dropped connection, logout and a kick; the custom status;
//! and the `status` frames that reach subscribers and friends (and only them).

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

/// The next `status` frame's list (other pushes skipped).
async fn status(client: &mut Client) -> Value {
    loop {
        let p = tokio::time::timeout(Duration::from_secs(5), client.next_push())
            .await
            .expect("a status frame");
        if p["type"] == "status" {
            return p["userStatusList"].clone();
        }
    }
}

/// No `status` frame within a short while.
async fn no_status(client: &mut Client) {
    while let Ok(p) = tokio::time::timeout(Duration::from_millis(300), client.next_push()).await {
        assert_ne!(p["type"], "status", "{p}");
    }
}

fn one(list: &Value) -> (String, u64, String) {
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let s = &list[0];
    (
        s["userID"].as_str().unwrap().to_owned(),
        s["statusType"].as_u64().unwrap(),
        s["customStatus"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn status_follows_the_sessions_and_reaches_subscribers_and_friends() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    let mut dave = server.login("dave").await;

    // bob subscribes to alice and hears her status at once; unknown users fail with 30003.
    let r = ok(bob
        .call(
            "subscribeUserStatus",
            json!({"userIDList": ["alice", "nobody"]}),
        )
        .await);
    assert_eq!(r["failureUserList"][0]["userID"], "nobody");
    assert_eq!(r["failureUserList"][0]["code"], 30003);
    assert_eq!(one(&status(&mut bob).await), ("alice".into(), 1, "".into()));
    // carol is alice's friend: she hears without subscribing.
    ok(carol
        .call(
            "updateMyProfile",
            json!({"allowType": "AllowType_Type_AllowAny"}),
        )
        .await);
    ok(alice
        .call(
            "addFriend",
            json!({"to": "carol", "source": "AddSource_Type_web"}),
        )
        .await);

    // A custom status reaches the watchers and alice's own sessions.
    let r = ok(alice
        .call("setSelfStatus", json!({"customStatus": "lunch"}))
        .await);
    assert_eq!(
        r,
        json!({"userID": "alice", "statusType": 1, "customStatus": "lunch"})
    );
    for who in [&mut bob, &mut carol, &mut alice] {
        assert_eq!(one(&status(who).await), ("alice".into(), 1, "lunch".into()));
    }
    no_status(&mut dave).await;

    // A dropped connection: offline (the session waits for a resume).
    drop(alice);
    for who in [&mut bob, &mut carol] {
        assert_eq!(one(&status(who).await), ("alice".into(), 2, "lunch".into()));
    }
    let r = ok(dave
        .call(
            "getUserStatus",
            json!({"userIDList": ["alice", "dave", "nobody"]}),
        )
        .await);
    let list = r["successUserList"].as_array().unwrap();
    assert_eq!(
        list.iter()
            .map(|s| s["statusType"].clone())
            .collect::<Vec<_>>(),
        [json!(2), json!(1)]
    );
    assert_eq!(r["failureUserList"][0]["userID"], "nobody");

    // Logged in again: online; logged out: not logged in.
    let mut alice = server.login("alice").await;
    assert_eq!(one(&status(&mut bob).await).1, 1);
    ok(alice.call("logout", Value::Null).await);
    assert_eq!(one(&status(&mut bob).await).1, 3);
    assert_eq!(one(&status(&mut carol).await).1, 1, "the login's, first");
    assert_eq!(one(&status(&mut carol).await).1, 3);

    // Unsubscribed (all, with no list): bob hears no more; carol still does, as a friend.
    ok(bob.call("unsubscribeUserStatus", json!({})).await);
    let _alice = server.login("alice").await;
    assert_eq!(one(&status(&mut carol).await).1, 1);
    no_status(&mut bob).await;
    // Bad input.
    let long = json!({"customStatus": "x".repeat(101)});
    assert_eq!(dave.call("setSelfStatus", long).await["code"], 20001);
    let many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    let r = dave
        .call("subscribeUserStatus", json!({"userIDList": many}))
        .await;
    assert_eq!(r["code"], 20001, "{r}");
}
