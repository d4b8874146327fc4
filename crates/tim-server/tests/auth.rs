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
    // Thousands of failed logins from one address, as fast as they are answered: at once here,
    // not later and later.
    let free = [
        "--free-login-failures",
        "1000000",
        "--requests-per-sec",
        "0",
        // Thousands of logins on one connection take longer than the 10 s it may stay without
        // one on a loaded machine.
        "--login-timeout",
        "300",
    ];
    let server = Server::start(&dir.path().join("tim.db"), &free);
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

#[tokio::test]
async fn a_usersig_dated_in_the_future_is_refused_beyond_a_small_clock_skew() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut c = server.connect().await;
    let ten_years = 10 * 365 * 24 * 3600;
    let future = tim_server::usersig::generate(APP, KEY, "alice", 3600, now() + ten_years);
    let r = c.login_as(APP, "alice", &future).await;
    assert_eq!(r["code"], 70003, "{r}");
    let skewed = tim_server::usersig::generate(APP, KEY, "alice", 3600, now() + 60);
    assert_eq!(c.login_as(APP, "alice", &skewed).await["type"], "ok");
}

#[tokio::test]
async fn look_alike_user_ids_are_refused_at_login_and_as_recipients() {
    let dir = tempfile::tempdir().unwrap();
    let free = ["--free-login-failures", "100"];
    let server = Server::start(&dir.path().join("tim.db"), &free);
    let mut bob = server.login("bob").await;
    let look_alikes = [
        "bob ",
        " bob",
        "bo\u{200b}b",
        "bob\u{200d}",
        "\u{202e}bob",
        "\u{2066}bob",
        "\u{feff}bob",
        "bob\u{2028}",
        "bo\u{a0}b",
        "bob\u{ad}",
        "bo\tb",
    ];
    let mut c = server.connect().await;
    for id in look_alikes {
        let r = c.login_as(APP, id, &sig(id)).await;
        assert_eq!(r["code"], 70402, "login as {id:?}: {r}");
    }
    for (i, id) in look_alikes.into_iter().enumerate() {
        let r = bob.send_text(id, &format!("la{i}"), "hi").await;
        assert_eq!(r["code"], 20003, "send to {id:?}: {r}");
        let mention = serde_json::json!({"conversationType": "C2C", "to": "bob",
            "clientMsgID": format!("at{i}"), "random": 1, "atUserList": [id],
            "elements": [{"type": "TIMTextElem", "content": {"text": "hi"}}]});
        let r = bob.call("sendMessage", mention).await;
        assert_eq!(r["code"], 20003, "mention of {id:?}: {r}");
    }
    // Letters of any script stay fine.
    let mut zh = server.connect().await;
    assert_eq!(zh.login("用户-1").await["type"], "ok");
}
