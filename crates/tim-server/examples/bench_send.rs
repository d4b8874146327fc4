//! Benchmark: the SQLite store's cost per C2C send, without sockets: `pairs` user pairs with
//! `window` sends in flight per pair (closed loop: each send, once answered, is followed by
//! one the other way), 100-byte text bodies, every send durable before its answer. Reports
//! sends/s and the CPU time per send of the writer and publisher threads.
//!
//! `cargo run --release -p tim-server --example bench_send [pairs] [window] [secs]`

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tim_proto::{Element, MessageBody};
use tim_server::bus::{Bus, Push, Target};
use tim_server::store::sqlite::SqliteStore;
use tim_server::store::{MessageStore, NewMessage, UserStore};

const APP: u64 = 1;

struct Discard;
impl Bus for Discard {
    fn publish(&self, _: Target<'_>, _: Push) {}
}

/// CPU time (clock ticks) of this process's threads, by thread name.
fn thread_ticks(name: &str) -> u64 {
    let mut ticks = 0;
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        ticks += fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
    }
    ticks
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut arg = |default: u64| {
        args.next()
            .map_or(default, |a| a.parse().expect("a number"))
    };
    let (pairs, window, secs) = (arg(50), arg(8), arg(8));
    let dir = tempfile::tempdir().unwrap();
    let store =
        Arc::new(SqliteStore::open(&dir.path().join("bench.db"), Arc::new(Discard)).unwrap());
    for p in 0..pairs {
        for user in [format!("a{p}"), format!("b{p}")] {
            store.login_user(APP, &user).await.unwrap();
        }
    }
    let sent = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for p in 0..pairs {
        for w in 0..window {
            let (store, sent, stop) = (store.clone(), sent.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let (a, b) = (format!("a{p}"), format!("b{p}"));
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let (from, to) = match n % 2 {
                        0 => (&a, &b),
                        _ => (&b, &a),
                    };
                    let msg = NewMessage {
                        app: APP,
                        from: from.clone(),
                        to: to.clone(),
                        client_msg_id: format!("{w}-{n}-{:08x}", rand_u32(p, w, n)),
                        random: rand_u32(p, w, n),
                        body: MessageBody {
                            elements: vec![Element::Text {
                                text: "x".repeat(100),
                            }],
                            ..MessageBody::default()
                        },
                        quota_bytes: 0,
                        name_card: String::new(),
                    };
                    store.send_c2c(msg).await.unwrap();
                    sent.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
            }));
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (s0, w0, p0, t0) = (
        sent.load(Ordering::Relaxed),
        thread_ticks("sqlite-writer"),
        thread_ticks("sqlite-publish"),
        Instant::now(),
    );
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let (s1, w1, p1, elapsed) = (
        sent.load(Ordering::Relaxed),
        thread_ticks("sqlite-writer"),
        thread_ticks("sqlite-publish"),
        t0.elapsed(),
    );
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let sends = (s1 - s0) as f64;
    // Clock ticks are 10 ms.
    let per_send = |ticks: u64| ticks as f64 * 10_000.0 / sends;
    println!(
        "pairs={pairs} window={window} sends/s={:.0} writer_us/send={:.1} publisher_us/send={:.1}",
        sends / elapsed.as_secs_f64(),
        per_send(w1 - w0),
        per_send(p1 - p0),
    );
}

/// A cheap deterministic spread of numbers (clientMsgIDs end in one, as the SDK's do).
fn rand_u32(p: u64, w: u64, n: u64) -> u32 {
    let x = (p << 40 ^ w << 32 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 32) as u32
}
