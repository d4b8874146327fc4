//! Benchmark: server-side time of getMessageList (`getHistory`) on a conversation with
//! 1,000,000 messages, and of loading the conversation list of a user with 10,000
//! conversations, on the SQLite store.
//!
//! `cargo run --release -p tim-server --example bench_store [messages] [conversations]`
//! With `BENCH_KEEP=PATH` the database is written to PATH and kept (app 1: users alice, bob,
//! and hub with its conversations), e.g. for bench/conversations-login.mjs.

use rusqlite::params;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tim_server::bus::{Bus, Push, Target};
use tim_server::store::rules::c2c_key;
use tim_server::store::sqlite::SqliteStore;
use tim_server::store::{ConversationStore, HistoryRange, MessageStore, UserStore};

const APP: u64 = 1;

struct Discard;
impl Bus for Discard {
    fn publish(&self, _: Target<'_>, _: Push) {}
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let messages: i64 = args
        .next()
        .map_or(1_000_000, |a| a.parse().expect("a count"));
    let conversations: i64 = args.next().map_or(10_000, |a| a.parse().expect("a count"));
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var("BENCH_KEEP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("bench.db"));
    let store = SqliteStore::open(&path, Arc::new(Discard)).unwrap();
    for user in ["alice", "bob", "hub"] {
        store.login_user(APP, user).await.unwrap();
    }

    // Bulk load through a second connection (the store's writer is idle meanwhile).
    let started = Instant::now();
    let mut db = rusqlite::Connection::open(&path).unwrap();
    db.busy_timeout(Duration::from_secs(30)).unwrap();
    let tx = db.transaction().unwrap();
    {
        let conv = c2c_key("alice", "bob");
        let mut insert = tx
            .prepare(
                "INSERT INTO messages (app, conv, seq, conv_type, sender, receiver, client_msg_id, random, time, elements)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, 7, ?7, ?8)",
            )
            .unwrap();
        for seq in 1..=messages {
            let (from, to) = if seq % 2 == 0 {
                ("alice", "bob")
            } else {
                ("bob", "alice")
            };
            let body =
                format!(r#"[{{"type":"TIMTextElem","content":{{"text":"message {seq}"}}}}]"#);
            insert
                .execute(params![
                    APP as i64,
                    conv,
                    seq,
                    from,
                    to,
                    format!("c{seq}"),
                    1_700_000_000 + seq,
                    body
                ])
                .unwrap();
        }
        let last = tx.last_insert_rowid();
        for (user, peer) in [("alice", "bob"), ("bob", "alice")] {
            tx.execute(
                "INSERT INTO user_conversations (app, user_id, peer, conv, conv_type, last_msg, updated) VALUES (?1, ?2, ?3, ?4, 1, ?5, 1)",
                params![APP as i64, user, peer, conv, last],
            )
            .unwrap();
        }
        for n in 0..conversations {
            let peer = format!("peer{n:05}");
            let conv = c2c_key("hub", &peer);
            tx.execute(
                "INSERT INTO users (app, user_id, created) VALUES (?1, ?2, 1)",
                params![APP as i64, peer],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO messages (app, conv, seq, conv_type, sender, receiver, client_msg_id, random, time, elements)
                 VALUES (?1, ?2, 1, 1, ?3, 'hub', 'c1', 7, ?4, '[{\"type\":\"TIMTextElem\",\"content\":{\"text\":\"hello hub\"}}]')",
                params![APP as i64, conv, peer, 1_700_000_000 + n],
            )
            .unwrap();
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO user_conversations (app, user_id, peer, conv, conv_type, last_msg, unread, updated) VALUES (?1, 'hub', ?2, ?3, 1, ?4, 1, ?5)",
                params![APP as i64, peer, conv, id, 1_700_000_000 + n],
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
    println!("loaded {messages} messages in one conversation and {conversations} conversations of one user in {:.1} s", started.elapsed().as_secs_f64());

    let mut newest = Vec::new();
    let mut deep = Vec::new();
    for i in 0..200u64 {
        let t = Instant::now();
        let (page, _) = store
            .history_c2c(APP, "alice", "bob", HistoryRange::BeforeSeq(None), 15)
            .await
            .unwrap();
        newest.push(t.elapsed());
        assert_eq!(page.len(), 15);
        let t = Instant::now();
        let before = 1 + (i * 4_999) % messages as u64;
        store
            .history_c2c(
                APP,
                "alice",
                "bob",
                HistoryRange::BeforeSeq(Some(before)),
                15,
            )
            .await
            .unwrap();
        deep.push(t.elapsed());
    }
    println!(
        "getHistory (15 messages) on a {messages}-message conversation: newest page {:?} median, a page deep in history {:?} median",
        median(newest),
        median(deep)
    );

    let mut lists = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let mut after = None;
        let mut total = 0;
        loop {
            let page = store.conversations(APP, "hub", after, 1000).await.unwrap();
            total += page.conversations.len();
            after = page
                .conversations
                .last()
                .and_then(|c| c.id.c2c_peer().map(str::to_owned));
            if page.complete {
                break;
            }
        }
        assert_eq!(total as i64, conversations);
        lists.push(t.elapsed());
    }
    println!(
        "conversation list of a user with {conversations} conversations (pages of 1000, with last messages): {:?} median for the whole list",
        median(lists)
    );
}
