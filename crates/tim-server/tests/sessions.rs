//! Web-instance limits, kicks, repeat login, logout and idle timeouts (the a1/a2/a3 story of
//! the official guide).

mod common;
use common::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn one_web_instance_a_second_login_kicks_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut bob = server.login("bob").await;
    let mut a1 = server.login("alice").await;
    let mut a2 = server.login("alice").await;
    let (frames, close) = a1.until_closed().await;
    assert_eq!(
        frames,
        vec![json!({"type": "kicked", "reason": "multipleAccount"})]
    );
    assert_eq!(close, Some(4001));
    // The newer instance works and receives.
    bob.send_text("alice", "b1", "hi").await;
    let push = a2.next_push().await;
    assert_eq!(text_of(&push["message"]), "hi");
    a2.heartbeat_ok().await;
}

#[tokio::test]
async fn two_web_instances_a_third_login_kicks_the_oldest() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--web-instances", "2"]);
    let mut bob = server.login("bob").await;
    let mut a1 = server.login("alice").await;
    let mut a2 = server.login("alice").await;
    a1.heartbeat_ok().await; // two are allowed: a1 survives a2
    let mut a3 = server.login("alice").await;
    let (frames, close) = a1.until_closed().await;
    assert_eq!(frames[0]["reason"], "multipleAccount");
    assert_eq!(close, Some(4001));
    let r = bob.send_text("alice", "b1", "to both").await;
    assert_eq!(r["type"], "ok");
    for a in [&mut a2, &mut a3] {
        let push = a.next_push().await;
        assert_eq!(text_of(&push["message"]), "to both");
    }
}

#[tokio::test]
async fn logout_ends_only_that_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--web-instances", "2"]);
    let mut bob = server.login("bob").await;
    let mut a1 = server.login("alice").await;
    let mut a2 = server.login("alice").await;
    let r = a1.call("logout", json!(null)).await;
    assert_eq!(r["type"], "ok", "{r}");
    assert_eq!(r["op"], "logout");
    // a1 is logged out but connected; a2 still receives, a1 does not.
    assert_eq!(a1.call("sync", json!({"after": 0})).await["code"], 2024);
    bob.send_text("alice", "b1", "after logout").await;
    assert_eq!(text_of(&a2.next_push().await["message"]), "after logout");
    a1.no_push_within(Duration::from_millis(300)).await;
    // a1 may log in again on the same connection; with a2 that makes two: nobody is kicked.
    assert_eq!(a1.login("alice").await["type"], "ok");
    a2.heartbeat_ok().await;
}

#[tokio::test]
async fn repeat_login_on_one_connection() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut a = server.login("alice").await;
    let r = a.login("alice").await;
    assert_eq!(r["type"], "ok");
    assert_eq!(r["data"]["repeatLogin"], true);
    // Another user on the same connection is refused; alice stays logged in.
    let r = a.login("bob").await;
    assert_eq!(r["code"], 2025, "{r}");
    a.heartbeat_ok().await;
}

#[tokio::test]
async fn a_silent_connection_is_closed_and_heartbeats_keep_one_open() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--idle-timeout", "1"]);
    let mut quiet = server.login("alice").await;
    let mut chatty = server.login("bob").await;
    assert_eq!(quiet.hello["idleTimeoutMs"], 1000);
    assert_eq!(quiet.hello["heartbeatMs"], 333);
    let started = std::time::Instant::now();
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        chatty.heartbeat_ok().await;
    }
    let (_, close) = quiet.until_closed().await;
    assert_eq!(close, Some(4002));
    assert!(started.elapsed() < Duration::from_secs(3));
    chatty.heartbeat_ok().await;
}

/// Logs `user` in on each platform in turn (one connection each), then says which of them
/// were kicked, and how: `["multipleDevice", "", ""]` (empty: still logged in).
async fn kicks(server: &Server, user: &str, platforms: &[&str]) -> Vec<String> {
    let mut clients = Vec::new();
    for p in platforms {
        let mut c = server.connect().await;
        let r = c.login_on(user, p).await;
        assert_eq!(r["type"], "ok", "login on {p}: {r}");
        clients.push(c);
    }
    // Kicks are sent before the kicking login is answered; let the kicked connections end.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut out = Vec::new();
    for c in &mut clients {
        out.push(c.kicked().await.unwrap_or_default());
    }
    out
}

#[tokio::test]
async fn login_policies_decide_which_platforms_stay_online_together() {
    let dir = tempfile::tempdir().unwrap();
    let (d, a) = ("multipleDevice", "multipleAccount");
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("single", &["web", "node"], &[d, ""]),
        ("single", &["node", "miniprogram"], &[d, ""]),
        ("single", &["web", "web"], &[a, ""]),
        ("dual", &["web", "node"], &["", ""]),
        ("dual", &["web", "ios", "node"], &["", d, ""]),
        ("three", &["web", "ios", "node"], &["", "", ""]),
        ("three", &["mac", "node"], &[d, ""]),
        ("multi", &["web", "ios", "mac", "node"], &["", "", "", ""]),
        ("multi", &["node", "node"], &[d, ""]),
        ("multi", &["miniprogram", "web"], &[a, ""]),
    ];
    for (i, (policy, platforms, want)) in cases.iter().enumerate() {
        let db = dir.path().join(format!("{i}.db"));
        let server = Server::start(&db, &["--login-policy", policy]);
        let got = kicks(&server, "alice", platforms).await;
        assert_eq!(got, *want, "{policy} with {platforms:?}");
    }
}
