//! UserSig checks at login, each refusal with its official code.

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn sigs_are_checked_with_the_official_codes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut c = server.connect().await;
    assert_eq!(c.hello["protocol"], 1);

    let cases = [
        (APP, "alice", String::new(), 70002),
        (APP, "alice", "not-a-sig".to_owned(), 70003),
        (
            APP,
            "alice",
            tim_server::usersig::generate(APP, "wrong-key", "alice", 3600, now()),
            70009,
        ),
        (
            APP,
            "alice",
            tim_server::usersig::generate(APP, KEY, "bob", 3600, now()),
            70013,
        ),
        (
            APP,
            "alice",
            tim_server::usersig::generate(OTHER_APP, OTHER_KEY, "alice", 3600, now()),
            70014,
        ),
        (
            APP,
            "alice",
            tim_server::usersig::generate(APP, KEY, "alice", 60, now() - 120),
            70001,
        ),
        (999, "alice", sig("alice"), 70020),
        (APP, "", sig(""), 70402),
    ];
    for (app, user, s, code) in cases {
        let r = c.login_as(app, user, &s).await;
        assert_eq!(r["type"], "err", "{user} {s}: {r}");
        assert_eq!(r["code"], code, "{r}");
        assert!(!r["message"].as_str().unwrap().is_empty());
    }
    // Still not logged in, and the connection is still usable.
    let r = c.call("sync", json!({"after": 0})).await;
    assert_eq!(r["code"], 2024);
    c.heartbeat_ok().await;
    let r = c.login("alice").await;
    assert_eq!(r["type"], "ok", "{r}");
    assert_eq!(r["data"]["userID"], "alice");
    assert_eq!(r["data"]["repeatLogin"], false);
}

#[tokio::test]
async fn every_tampered_character_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut c = server.connect().await;
    // Several sigs, so the altered characters land on every part of the encoding (deflate
    // data, its padding bits, the checksum, base64 padding). Deflate can encode one document in
    // more than one way: an altered sig that still inflates to the very same document is the
    // same token, and is the only kind that may pass.
    for n in 0..20 {
        let user = format!("user{n}");
        let good = sig(&user);
        for i in 0..good.len() {
            let mut bytes = good.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let bad = String::from_utf8(bytes).unwrap();
            let r = c.login_as(APP, &user, &bad).await;
            if r["type"] == "ok" {
                let same =
                    tim_server::usersig::document(&bad) == tim_server::usersig::document(&good);
                assert!(same, "{good} tampered at {i} was accepted");
                assert_eq!(r["data"]["repeatLogin"], false);
                c.call("logout", serde_json::Value::Null).await;
                continue;
            }
            let code = r["code"].as_u64().unwrap();
            assert!([70003, 70009].contains(&code), "tampered at {i}: {r}");
        }
    }
}

#[tokio::test]
async fn a_newer_protocol_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut c = server.connect().await;
    let r = c
        .call(
            "login",
            json!({"protocol": 2, "SDKAppID": APP, "userID": "a", "userSig": sig("a")}),
        )
        .await;
    assert_eq!(r["code"], 70402, "{r}");
}
