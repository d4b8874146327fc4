//! Benchmark: resident memory of idle WebSocket connections.
//!
//! `cargo build --release -p tim-server && cargo run --release -p tim-server --example idle_memory -- 1000 [KIND]`
//! starts target/release/tim-server on a temp database, reads its RSS, opens N connections,
//! reads the RSS again and prints the delta per connection. KIND is `logged-in` (the default:
//! each logs in as its own user), `anonymous` (never logs in) or `unfinished` (never logs in,
//! and holds the first fragment of a message as large as the server takes: the most an
//! unauthenticated connection can make the server hold, until its login deadline).

use futures_util::{SinkExt, StreamExt};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

const APP: u64 = 1_400_000_001;
const KEY: &str = "bench-key";

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("reading /proc");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS line")
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1000, |a| a.parse().expect("a count"));
    let kind = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "logged-in".into());
    assert!(
        ["logged-in", "anonymous", "unfinished"].contains(&kind.as_str()),
        "KIND is logged-in, anonymous or unfinished"
    );
    let cap = (n + 10).to_string();
    let dir = tempfile::tempdir().unwrap();
    let bin =
        std::env::var("TIM_SERVER_BIN").unwrap_or_else(|_| "target/release/tim-server".into());
    let mut child = Command::new(&bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--idle-timeout", "600"])
        .args(["--login-timeout", "600", "--max-connections", &cap])
        .args(["--max-connections-per-ip", &cap])
        .arg(format!("--app={APP}:{KEY}"))
        .arg(format!(
            "--db=sqlite://{}",
            dir.path().join("tim.db").display()
        ))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {bin}: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_owned();
    let pid = child.id();

    // One warm-up session first, so state built lazily once is not counted per session.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut sockets = Vec::with_capacity(n + 1);
    let mut base = 0;
    for i in 0..=n {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/v1/ws"))
            .await
            .unwrap();
        let hello = ws.next().await.unwrap().unwrap();
        match kind.as_str() {
            "logged-in" => {
                let user = format!("user{i}");
                let sig = tim_server::usersig::generate(APP, KEY, &user, 3600, now);
                let login = serde_json::json!({"id": 1, "op": "login",
                    "data": {"protocol": 1, "SDKAppID": APP, "userID": user, "userSig": sig}});
                ws.send(Message::text(login.to_string())).await.unwrap();
                let answer = ws.next().await.unwrap().unwrap();
                assert!(answer.to_text().unwrap().contains("\"ok\""), "{answer}");
            }
            "unfinished" => {
                let hello: serde_json::Value =
                    serde_json::from_str(hello.to_text().unwrap()).unwrap();
                let max = hello["maxFrameBytes"].as_u64().unwrap() as usize;
                let most = tim_server::conn::transport_max(max) - 1;
                let part = Frame::message(vec![b' '; most], OpCode::Data(Data::Text), false);
                ws.send(Message::Frame(part)).await.unwrap();
            }
            _ => {}
        }
        sockets.push(ws);
        if i == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            base = rss_kib(pid);
        }
    }
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let full = rss_kib(pid);
    println!(
        "{n} idle {kind} connections: RSS {base} KiB -> {full} KiB, {:.1} KiB per connection",
        full.saturating_sub(base) as f64 / n as f64
    );
    drop(sockets);
    let _ = child.kill();
    let _ = child.wait();
}
