//! Limits and defences: sockets that never send, never log in or never read, and too many
//! connections from one place, each tried against the real server on loopback.

mod common;
use common::*;
use futures_util::SinkExt;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

/// Waits until the server closes `tcp` (EOF or reset), reading and dropping what it sends;
/// how long that took, or `None` if it stayed open for `within`.
async fn closed_within(tcp: &mut TcpStream, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let left = within.checked_sub(start.elapsed())?;
        match tokio::time::timeout(left, tcp.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// A TCP connection to `addr` with a 4 KiB receive buffer: a client that does not read fills
/// it at once.
async fn small_window(addr: &str) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(addr.parse().unwrap()).await.unwrap()
}

#[tokio::test]
async fn sockets_that_never_finish_their_headers_are_closed_at_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--header-timeout", "1"]);
    // One sends nothing; one starts an upgrade and never ends its headers.
    let mut silent = TcpStream::connect(&server.addr).await.unwrap();
    let mut slow = TcpStream::connect(&server.addr).await.unwrap();
    slow.write_all(b"GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")
        .await
        .unwrap();
    for tcp in [&mut silent, &mut slow] {
        let took = closed_within(tcp, Duration::from_secs(5)).await;
        assert!(took.is_some(), "still open after 5 s");
    }
    // A real client is served all along.
    let mut bob = server.login("bob").await;
    bob.heartbeat_ok().await;
}

#[tokio::test]
async fn connections_over_the_per_address_cap_are_refused_and_a_closed_one_frees_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("tim.db"),
        &["--max-connections-per-ip", "3"],
    );
    // Two WebSocket sessions and one bare socket hold the three places.
    let mut alice = server.login("alice").await;
    let bob = server.login("bob").await;
    let _bare = TcpStream::connect(&server.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut refused = TcpStream::connect(&server.addr).await.unwrap();
    let took = closed_within(&mut refused, Duration::from_secs(2)).await;
    assert!(took.is_some(), "a fourth connection was kept");
    // A WebSocket session gives its place back when it ends.
    drop(bob);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut carol = server.login("carol").await;
    carol.heartbeat_ok().await;
    alice.heartbeat_ok().await;
}

#[tokio::test]
async fn a_connection_that_never_logs_in_is_closed_however_often_it_beats() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--login-timeout", "1"]);
    let mut anon = server.connect().await;
    let mut bob = server.login("bob").await;
    let start = Instant::now();
    let code = loop {
        anon.send_raw(Message::text(r#"{"id":1,"op":"heartbeat"}"#))
            .await;
        match anon.read_or_close().await {
            Ok(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(close) => break close.map(|c| u16::from(c.code)),
        }
        assert!(start.elapsed() < Duration::from_secs(5), "still open");
    };
    assert_eq!(code, Some(4004));
    // A logged-in connection is past that deadline.
    tokio::time::sleep(Duration::from_millis(500)).await;
    bob.heartbeat_ok().await;
}

#[tokio::test]
async fn control_frames_do_not_keep_an_unfinished_frame_alive() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("tim.db"),
        &["--idle-timeout", "1", "--login-timeout", "60"],
    );
    let mut c = server.connect().await;
    // The first fragment of a text frame that never ends, then pings.
    let start = Frame::message(vec![b'{'; 1000], OpCode::Data(Data::Text), false);
    c.send_raw(Message::Frame(start)).await;
    let began = Instant::now();
    let closed = loop {
        if began.elapsed() > Duration::from_secs(5) {
            break false;
        }
        if c.try_send(Message::Ping(vec![1].into())).await.is_err() {
            break true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        closed,
        "pings kept an unfinished frame open past the idle timeout"
    );
}

#[tokio::test]
async fn a_client_that_never_reads_is_closed_at_the_write_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("tim.db"),
        &["--write-timeout", "1", "--login-timeout", "60"],
    );
    // Pipelined heartbeats with nothing read (and a small receive window): the answers fill
    // the socket, then the server's writes stall.
    let tcp = small_window(&server.addr).await;
    let (mut ws, _) = tokio_tungstenite::client_async(format!("ws://{}/v1/ws", server.addr), tcp)
        .await
        .unwrap();
    let flood = async {
        while ws
            .send(Message::text(r#"{"id":1,"op":"heartbeat"}"#))
            .await
            .is_ok()
        {}
    };
    // Sending stops once the server stops reading; by then it has stopped writing too.
    let _ = tokio::time::timeout(Duration::from_secs(3), flood).await;
    // Reading now: what was written comes, then the end (the idle timeout is 30 s).
    let took = closed_within(ws.get_mut(), Duration::from_secs(8)).await;
    assert!(
        took.is_some(),
        "the server kept a connection whose client did not read"
    );
    let mut bob = server.login("bob").await;
    bob.heartbeat_ok().await;
}

#[tokio::test]
async fn a_frame_over_the_transport_cap_is_closed_with_1009_and_one_below_gets_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut c = server.login("alice").await;
    // Over the 64 KiB frame limit, under twice that: an error, and the connection stays.
    let big = format!(
        r#"{{"id":7,"op":"heartbeat","pad":"{}"}}"#,
        "z".repeat(100 * 1024)
    );
    let r = c.raw(big, Some(7)).await;
    assert_eq!(r["code"], 80002, "{r}");
    c.heartbeat_ok().await;
    // Over twice the limit: the documented close, not a dropped TCP connection.
    let _ = c.try_send(Message::text("z".repeat(200 * 1024))).await;
    let (_, code) = c.until_closed().await;
    assert_eq!(code, Some(1009));
}

#[tokio::test]
async fn requests_over_the_connection_rate_get_60022_and_the_connection_stays() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--requests-per-sec", "10"]);
    let mut c = server.login("alice").await;
    // 40 pipelined heartbeats: a burst of 20 (less the login) is taken, the rest refused.
    for id in 1..=40 {
        let frame = format!(r#"{{"id":{id},"op":"heartbeat"}}"#);
        c.send_raw(Message::text(frame)).await;
    }
    let mut codes = Vec::new();
    for id in 1..=40 {
        let r = c.answer(Some(id)).await;
        codes.push(r["code"].as_u64().unwrap_or(0));
    }
    let refused = codes.iter().filter(|&&c| c == 60022).count();
    assert!((18..=22).contains(&(40 - refused)), "{codes:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.heartbeat_ok().await;
}

#[tokio::test]
async fn messages_over_the_user_rate_get_60022_on_every_session_of_the_user() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("tim.db"),
        &["--messages-per-sec", "5", "--web-instances", "2"],
    );
    let _bob = server.login("bob").await;
    let mut a1 = server.login("alice").await;
    let mut a2 = server.login("alice").await;
    let mut sent = 0;
    for i in 0..10 {
        for (n, a) in [&mut a1, &mut a2].into_iter().enumerate() {
            let r = a.send_text("bob", &format!("m{n}-{i}"), "hi").await;
            match r["type"].as_str() {
                Some("ok") => sent += 1,
                _ => assert_eq!(r["code"], 60022, "{r}"),
            }
        }
    }
    // A burst of 10 for the user (both sessions together), and what refilled meanwhile.
    assert!((10..=12).contains(&sent), "{sent} sent");
}

#[tokio::test]
async fn failed_logins_from_one_address_are_answered_later_and_later() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut c = server.connect().await;
    let mut took = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        let r = c.login_as(APP, "alice", "not-a-sig").await;
        assert_eq!(r["type"], "err", "{r}");
        took.push(start.elapsed());
    }
    assert!(
        took[..5].iter().all(|t| *t < Duration::from_millis(200)),
        "{took:?}"
    );
    assert!(took[5] >= Duration::from_millis(250), "{took:?}");
    assert!(took[6] >= Duration::from_millis(500), "{took:?}");
    // A good login is not delayed.
    let start = Instant::now();
    assert_eq!(c.login("alice").await["type"], "ok");
    assert!(start.elapsed() < Duration::from_millis(200));

    // Resumes of unknown sessions (every client of an address after a restart) are answered
    // at once, however many: a token cannot be guessed.
    for _ in 0..10 {
        let mut c = server.connect().await;
        let start = Instant::now();
        let r = c.call("resume", json!({"token": "0".repeat(32)})).await;
        assert_eq!(code(&r), 70052, "{r}");
        assert!(
            start.elapsed() < Duration::from_millis(200),
            "{:?}",
            start.elapsed()
        );
    }
}

#[tokio::test]
async fn a_flood_of_online_only_messages_does_not_push_a_receiver_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("tim.db"),
        &["--messages-per-sec", "0", "--requests-per-sec", "0"],
    );
    // bob reads nothing for a while, through a small receive window.
    let mut bob = Client::over(&server.addr, small_window(&server.addr).await).await;
    assert_eq!(bob.login("bob").await["type"], "ok");
    let mut alice = server.login("alice").await;
    let body = "o".repeat(10_000);
    for i in 0..600 {
        let r = alice
            .call(
                "sendMessage",
                json!({"conversationType": "C2C", "to": "bob", "clientMsgID": format!("o{i}"),
                       "random": 1, "onlineOnly": true,
                       "elements": [{"type": "TIMTextElem", "content": {"text": body}}]}),
            )
            .await;
        assert_eq!(r["type"], "ok", "{r}");
    }
    for i in 0..5 {
        let r = alice
            .send_text("bob", &format!("s{i}"), &format!("stored {i}"))
            .await;
        assert_eq!(r["type"], "ok", "{r}");
    }
    // bob reads now: the five stored messages come, and his connection stays.
    let mut stored = 0;
    while stored < 5 {
        let f = bob.read_or_close().await.expect("bob was pushed off");
        if f["type"] == "inbox" {
            stored += 1;
        }
    }
    bob.heartbeat_ok().await;
}

#[tokio::test]
async fn pages_end_early_by_bytes_and_the_next_page_has_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let unlimited = ["--messages-per-sec", "0", "--requests-per-sec", "0"];
    let server = Server::start(&dir.path().join("tim.db"), &unlimited);
    let mut alice = server.login("alice").await;
    // 220 conversations whose last messages are 11 KB each: 2.4 MB of them.
    let big = "z".repeat(11_000);
    for i in 0..220 {
        let user = format!("u{i:03}");
        drop(server.login(&user).await);
        let r = alice.send_text(&user, &format!("b{i}"), &big).await;
        assert_eq!(r["type"], "ok", "{r}");
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let mut req = json!({"limit": 1000});
        if let Some(a) = &after {
            req["after"] = json!(a);
        }
        let r = alice.call("getConversations", req).await;
        let page = r["data"]["conversations"].as_array().unwrap().clone();
        assert!(
            r.to_string().len() < 2 * 1024 * 1024 + 64 * 1024,
            "a page of {} bytes",
            r.to_string().len()
        );
        assert!(!page.is_empty());
        seen.extend(
            page.iter()
                .map(|c| c["conversationID"].as_str().unwrap().to_owned()),
        );
        after = seen.last().cloned();
        if r["data"]["complete"] == true {
            break;
        }
    }
    assert!(seen.len() == 220, "{} conversations in all", seen.len());
    // The inbox too: a sync of up to 500 items ends early by bytes.
    let r = alice.call("sync", json!({"after": 0, "limit": 500})).await;
    let items = r["data"]["items"].as_array().unwrap().len();
    assert!((100..220).contains(&items), "{items} items");
    assert_eq!(r["data"]["complete"], false);
}

#[tokio::test]
async fn a_user_past_the_storage_quota_is_refused_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tim.db");
    let quota = ["--user-quota-bytes", "300"];
    let mut server = Server::start(&db, &quota);
    let _bob = server.login("bob").await;
    let mut alice = server.login("alice").await;
    let text = "q".repeat(100);
    for i in 0..2 {
        let r = alice.send_text("bob", &format!("q{i}"), &text).await;
        assert_eq!(r["type"], "ok", "{r}");
    }
    let r = alice.send_text("bob", "q2", &text).await;
    assert_eq!(r["code"], 80002, "{r}");
    drop(alice);
    server.kill();
    // What is stored counts, not what this process has seen.
    let server = Server::start(&db, &quota);
    let mut alice = server.login("alice").await;
    assert_eq!(alice.send_text("bob", "q3", &text).await["code"], 80002);
}
