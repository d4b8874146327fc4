//! Several tim-server nodes on one PostgreSQL database and one NATS: a user's pushes reach
//! their sessions on whichever node they are, also after NATS restarted.

mod common;
mod nats;
mod pg;

use common::*;
use std::time::Duration;

/// `n` nodes on a fresh database, all on `bus`.
async fn nodes(n: usize, bus: &str) -> Vec<Server> {
    let db = pg::fresh_database().await;
    (0..n)
        .map(|_| Server::start_url(&db, &["--bus", bus]))
        .collect()
}

#[tokio::test]
async fn a_message_reaches_the_recipient_on_another_node() {
    let bus = nats::Nats::start();
    let cluster = nodes(2, &bus.url()).await;
    let mut ann = cluster[0].login("ann").await;
    let mut ben = cluster[1].login("ben").await;
    let r = ann.send_text("ben", "a1", "across nodes").await;
    assert_eq!(r["type"], "ok", "{r}");
    let push = ben.next_push().await;
    assert_eq!(text_of(&push["message"]), "across nodes");
    // And back, with ann's own echo on her node.
    let echo = ann.next_push().await;
    assert_eq!(text_of(&echo["message"]), "across nodes");
    ben.send_text("ann", "b1", "and back").await;
    let push = ann.next_push().await;
    assert_eq!(text_of(&push["message"]), "and back");
}

#[tokio::test]
async fn pushes_go_on_after_nats_restarts() {
    let mut bus = nats::Nats::start();
    let port = bus.port;
    let cluster = nodes(2, &bus.url()).await;
    let mut ann = cluster[0].login("ann").await;
    let mut ben = cluster[1].login("ben").await;
    bus.stop();
    let _bus = nats::Nats::start_on(port);
    // The clients reconnect by themselves; the push comes once they have.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let mut n = 0;
    loop {
        n += 1;
        ann.send_text("ben", &format!("a{n}"), &format!("try {n}"))
            .await;
        match tokio::time::timeout(Duration::from_millis(500), ben.next_push()).await {
            Ok(push) => {
                let text = text_of(&push["message"]).to_owned();
                assert!(text.starts_with("try "), "{push}");
                break;
            }
            Err(_) => assert!(
                std::time::Instant::now() < deadline,
                "no push after NATS restarted"
            ),
        }
    }
}
