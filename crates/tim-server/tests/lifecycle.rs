//! Session lifecycle: resume after a dropped connection, kicks while away, UserSig expiry, and
//! the REST API's kick and account import.

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_dropped_connection_resumes_its_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut bob = server.login("bob").await;
    let mut alice = server.connect().await;
    let login = alice.login("alice").await;
    let token = login["data"]["resumeToken"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 32);
    drop(alice);
    bob.send_text("alice", "while-away", "missed").await;
    let mut again = server.connect().await;
    let r = again.call("resume", json!({"token": token})).await;
    assert_eq!(r["type"], "ok", "{r}");
    assert_eq!(r["data"]["userID"], "alice");
    assert_eq!(r["data"]["inboxSeq"], 1);
    // Resumed without a sig check, and it is the same (single) web instance: nobody kicked.
    bob.send_text("alice", "after", "live").await;
    assert_eq!(text_of(&again.next_push().await["message"]), "live");
    let r = again.call("sync", json!({"after": 0})).await;
    assert_eq!(
        r["data"]["items"][0]["message"]["clientMsgID"],
        "while-away"
    );
    // A token is nobody else's: unknown ones and logged-out sessions are gone.
    let mut other = server.connect().await;
    let r = other.call("resume", json!({"token": "0".repeat(32)})).await;
    assert_eq!(r["code"], 70052, "{r}");
    again.call("logout", Value::Null).await;
    let r = other.call("resume", json!({"token": token})).await;
    assert_eq!(r["code"], 70052, "{r}");
}

#[tokio::test]
async fn a_session_kicked_while_away_learns_it_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut a1 = server.connect().await;
    let token = a1.login("alice").await["data"]["resumeToken"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(a1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut a2 = server.login("alice").await; // the detached a1 is the oldest: kicked
    let mut back = server.connect().await;
    let (frames, close) = back.resume_until_closed(&token).await;
    assert_eq!(
        frames,
        vec![json!({"type": "kicked", "reason": "multipleAccount"})]
    );
    assert_eq!(close, Some(4001));
    a2.heartbeat_ok().await;
}

#[tokio::test]
async fn sessions_are_forgotten_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--resume-grace", "1"]);
    let mut a = server.connect().await;
    let token = a.login("alice").await["data"]["resumeToken"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(a);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut back = server.connect().await;
    assert_eq!(
        back.call("resume", json!({"token": token})).await["code"],
        70052
    );
}

#[tokio::test]
async fn a_session_is_kicked_when_its_usersig_expires() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut c = server.connect().await;
    let short = tim_server::usersig::generate(APP, KEY, "alice", 2, now());
    let token = c.login_as(APP, "alice", &short).await["data"]["resumeToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = std::time::Instant::now();
    let (frames, close) = c.until_closed().await;
    assert_eq!(
        frames,
        vec![json!({"type": "kicked", "reason": "userSigExpired"})]
    );
    assert_eq!(close, Some(4001));
    assert!(started.elapsed() < Duration::from_secs(4));
    // Over: not resumable, and the same sig no longer logs in.
    let mut again = server.connect().await;
    assert_eq!(
        again.call("resume", json!({"token": token})).await["code"],
        70052
    );
    assert_eq!(again.login_as(APP, "alice", &short).await["code"], 70001);
}

#[tokio::test]
async fn the_rest_api_imports_accounts_and_kicks_users() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--web-instances", "2"]);
    let mut alice = server.login("alice").await;
    assert_eq!(alice.send_text("newbie", "n1", "hi").await["code"], 20003);
    let ok = json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""});
    assert_eq!(
        rest(
            &server,
            "account_import",
            "administrator",
            r#"{"UserID":"newbie","Nick":"N"}"#
        )
        .await,
        ok
    );
    assert_eq!(alice.send_text("newbie", "n2", "hi").await["type"], "ok");

    let mut bob1 = server.login("bob").await;
    let mut bob2 = server.login("bob").await;
    assert_eq!(
        rest(&server, "kick", "administrator", r#"{"UserID":"bob"}"#).await,
        ok
    );
    for b in [&mut bob1, &mut bob2] {
        let (frames, close) = b.until_closed().await;
        assert_eq!(
            frames,
            vec![json!({"type": "kicked", "reason": "REST_API_Kick"})]
        );
        assert_eq!(close, Some(4001));
    }
    alice.heartbeat_ok().await;

    let refusals = [
        ("kick", "alice", r#"{"UserID":"bob"}"#, 60010),
        ("kick", "administrator", "{not json", 60003),
        ("kick", "administrator", r#"{"UserID":""}"#, 70402),
        ("fly", "administrator", r#"{"UserID":"bob"}"#, 60002),
    ];
    for (command, who, body, code) in refusals {
        let r = rest(&server, command, who, body).await;
        assert_eq!(r["ActionStatus"], "FAIL", "{command} {who} {body}");
        assert_eq!(r["ErrorCode"], code, "{r}");
    }
    // A wrong sig for the administrator is refused with the UserSig codes.
    let mut s = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    let req = format!("POST /v4/im_open_login_svc/kick?sdkappid={APP}&identifier=administrator&usersig=bogus HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    assert!(raw.contains("\"ErrorCode\":70003"), "{raw}");
    alice.heartbeat_ok().await;
}

/// A client that reconnects before the server noticed its old connection died resumes over
/// it: the old connection is closed, and the new one keeps receiving (the old one's end must
/// not detach the session from the new connection).
#[tokio::test]
async fn a_resume_over_a_live_connection_keeps_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut bob = server.login("bob").await;
    let mut old = server.connect().await;
    let token = old.login("alice").await["data"]["resumeToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut new = server.connect().await;
    let r = new.call("resume", json!({"token": token})).await;
    assert_eq!(r["type"], "ok", "{r}");
    let (_, close) = old.until_closed().await;
    assert!(close.is_some(), "the old connection is closed");
    // Let the old connection's end reach the registry, then check the new one still gets pushes.
    tokio::time::sleep(Duration::from_millis(100)).await;
    bob.send_text("alice", "after-takeover", "still here").await;
    assert_eq!(text_of(&new.next_push().await["message"]), "still here");
}
