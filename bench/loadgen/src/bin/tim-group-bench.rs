//! Group messages on a tim-server it starts (release build, temp SQLite file):
//!
//! 1. A Public group of `--members` (2,000) with `--online` (200) of them connected: `--senders`
//!    (4) of those send in a closed loop (`--window` (4) in flight each) for `--secs` (10);
//!    prints messages stored per second (answers), deliveries per second (group frames the
//!    online members got) and send → receive latency p50/p99.
//! 2. A user in `--groups` (500) groups, away while `--missed` (1,000) messages come to them:
//!    the time from connecting again to caught up (login, then `syncGroups` with every cursor
//!    until complete) and the bytes both ways.
//!
//! cargo run --release -p tim-loadgen --bin tim-group-bench -- [--members N] [--online N]
//!     [--senders N] [--window N] [--secs S] [--groups N] [--missed N]

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const APP: u64 = 1;
const KEY: &str = "group-bench-key";

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

struct Options {
    members: usize,
    online: usize,
    senders: usize,
    window: usize,
    secs: u64,
    groups: usize,
    missed: usize,
}

fn options() -> Options {
    let mut o = Options {
        members: 2000,
        online: 200,
        senders: 4,
        window: 4,
        secs: 10,
        groups: 500,
        missed: 1000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let n: usize = args.next().and_then(|v| v.parse().ok()).expect("a number");
        match flag.as_str() {
            "--members" => o.members = n,
            "--online" => o.online = n,
            "--senders" => o.senders = n,
            "--window" => o.window = n,
            "--secs" => o.secs = n as u64,
            "--groups" => o.groups = n,
            "--missed" => o.missed = n,
            _ => panic!("unknown option {flag}"),
        }
    }
    o
}

/// A connection logged in as `user`, with a request counter.
struct Client {
    ws: Ws,
    next: u64,
    /// Text bytes received and sent.
    rx: usize,
    tx: usize,
}

impl Client {
    async fn login(url: &str, user: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("connect");
        let mut c = Client {
            ws,
            next: 0,
            rx: 0,
            tx: 0,
        };
        c.read().await;
        let sig = tim_server::usersig::generate(APP, KEY, user, 86_400, tim_server::now_secs());
        let r = c
            .call(
                "login",
                json!({"protocol": 1, "SDKAppID": APP, "userID": user, "userSig": sig}),
            )
            .await;
        assert_eq!(r["type"], "ok", "login of {user}: {r}");
        c
    }

    async fn read(&mut self) -> Value {
        loop {
            match self.ws.next().await.expect("open").expect("a frame") {
                Message::Text(t) => {
                    self.rx += t.len();
                    return serde_json::from_str(&t).unwrap();
                }
                _ => continue,
            }
        }
    }

    async fn call(&mut self, op: &str, data: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let frame = json!({"id": id, "op": op, "data": data}).to_string();
        self.tx += frame.len();
        self.ws.send(Message::text(frame)).await.expect("send");
        loop {
            let f = self.read().await;
            if (f["type"] == "ok" || f["type"] == "err") && f["id"] == id {
                return f;
            }
        }
    }
}

async fn start_server() -> (String, tokio::process::Child, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("tim.db").display());
    let bin = std::env::var("TIM_SERVER_BIN").unwrap_or("target/release/tim-server".into());
    let mut child = tokio::process::Command::new(&bin)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--app",
            &format!("{APP}:{KEY}"),
        ])
        .args(["--db", &db])
        .env("TIM_MAX_CONNECTIONS_PER_IP", "100000")
        .env("TIM_MESSAGES_PER_SEC", "0")
        .env("TIM_REQUESTS_PER_SEC", "0")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {bin}: {e}"));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().unwrap_or_default();
    let addr = line
        .strip_prefix("listening on http://")
        .expect("listening");
    (format!("ws://{addr}/v1/ws"), child, dir)
}

fn text(t: &str) -> Value {
    json!([{"type": "TIMTextElem", "content": {"text": t}}])
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0) as f64 / 1000.0
}

/// The CPU time process `pid` has used, in seconds (Linux).
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Part 1: one big group, some members online, a few sending.
async fn big_group(url: &str, o: &Options, server: u32) {
    let users: Vec<String> = (0..o.members).map(|i| format!("m{i}")).collect();
    let mut online = Vec::new();
    let t = Instant::now();
    for (i, u) in users.iter().enumerate() {
        let c = Client::login(url, u).await;
        if i < o.online {
            online.push(c);
        }
    }
    let owner = &mut online[0];
    let create = json!({"groupID": "big", "name": "big", "type": "Public"});
    assert_eq!(owner.call("createGroup", create).await["type"], "ok");
    for chunk in users[1..].chunks(500) {
        let add = json!({"groupID": "big", "userIDList": chunk});
        assert_eq!(owner.call("addGroupMember", add).await["type"], "ok");
    }
    println!(
        "{} members ({} online) ready in {:.1} s",
        o.members,
        o.online,
        t.elapsed().as_secs_f64()
    );
    let epoch = Instant::now();
    let stored = Arc::new(AtomicU64::new(0));
    let delivered = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(Vec::<u64>::new()));
    let measuring = Arc::new(AtomicU64::new(0));
    let mut senders: Vec<(SplitSink<Ws, Message>, SplitStream<Ws>)> = Vec::new();
    for (i, c) in online.into_iter().enumerate() {
        let (sink, mut stream) = c.ws.split();
        if i < o.senders {
            senders.push((sink, stream));
            continue;
        }
        let (delivered, latencies, measuring) =
            (delivered.clone(), latencies.clone(), measuring.clone());
        tokio::spawn(async move {
            let _sink = sink;
            while let Some(Ok(Message::Text(t))) = stream.next().await {
                let f: Value = serde_json::from_str(&t).unwrap();
                if f["type"] != "group" || measuring.load(Ordering::Relaxed) == 0 {
                    continue;
                }
                let body = f["message"]["elements"][0]["content"]["text"].as_str();
                let sent: u64 = body.and_then(|b| b.parse().ok()).unwrap_or(0);
                let now = epoch.elapsed().as_micros() as u64;
                delivered.fetch_add(1, Ordering::Relaxed);
                latencies.lock().unwrap().push(now.saturating_sub(sent));
            }
        });
    }
    for (i, (mut sink, mut stream)) in senders.into_iter().enumerate() {
        let stored = stored.clone();
        let measuring = measuring.clone();
        tokio::spawn(async move {
            let mut n = 0u64;
            let send = |n: u64| {
                let sent = epoch.elapsed().as_micros().to_string();
                let frame = json!({"id": n, "op": "sendMessage", "data": {"conversationType": "GROUP",
                    "to": "big", "clientMsgID": format!("s{i}-{n}"), "random": 1, "elements": text(&sent)}});
                Message::text(frame.to_string())
            };
            for _ in 0..o_window() {
                n += 1;
                sink.send(send(n)).await.unwrap();
            }
            while let Some(Ok(Message::Text(t))) = stream.next().await {
                let f: Value = serde_json::from_str(&t).unwrap();
                if f["type"] == "ok" {
                    if measuring.load(Ordering::Relaxed) == 1 {
                        stored.fetch_add(1, Ordering::Relaxed);
                    }
                    n += 1;
                    if sink.send(send(n)).await.is_err() {
                        return;
                    }
                } else if f["type"] == "err" {
                    panic!("a send failed: {f}");
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    measuring.store(1, Ordering::Relaxed);
    let t = Instant::now();
    let (cpu, own) = (cpu_secs(server), cpu_secs(std::process::id()));
    tokio::time::sleep(Duration::from_secs(o.secs)).await;
    measuring.store(0, Ordering::Relaxed);
    let secs = t.elapsed().as_secs_f64();
    let server_cpu = (cpu_secs(server) - cpu) / secs;
    let client_cpu = (cpu_secs(std::process::id()) - own) / secs;
    let mut l = latencies.lock().unwrap().clone();
    l.sort_unstable();
    println!(
        "big group: {:.0} messages/s stored, {:.0} deliveries/s to {} online members; send -> receive p50 {:.1} ms, p99 {:.1} ms; CPU: server {:.0} %, load client {:.0} %",
        stored.load(Ordering::Relaxed) as f64 / secs,
        delivered.load(Ordering::Relaxed) as f64 / secs,
        o.online - o.senders,
        percentile(&l, 0.5),
        percentile(&l, 0.99),
        server_cpu * 100.0,
        client_cpu * 100.0,
    );
}

static WINDOW: AtomicU64 = AtomicU64::new(4);

fn o_window() -> u64 {
    WINDOW.load(Ordering::Relaxed)
}

/// Part 2: a user in many groups catching up after time away.
async fn many_groups(url: &str, o: &Options) {
    let mut talker = Client::login(url, "talker").await;
    let mut away = Client::login(url, "away").await;
    for g in 0..o.groups {
        let create = json!({"groupID": format!("g{g}"), "name": "g", "type": "Private",
                            "memberList": [{"userID": "away"}]});
        assert_eq!(talker.call("createGroup", create).await["type"], "ok");
    }
    let first = away.call("syncGroups", json!({})).await;
    let cursors: Vec<Value> = first["data"]["groups"].as_array().unwrap().clone();
    assert_eq!(cursors.len(), o.groups);
    drop(away);
    for n in 0..o.missed {
        let g = n % o.groups;
        let send = json!({"conversationType": "GROUP", "to": format!("g{g}"),
            "clientMsgID": format!("t{n}"), "random": 1, "elements": text("while you were away")});
        assert_eq!(talker.call("sendMessage", send).await["type"], "ok");
    }
    let t = Instant::now();
    let mut away = Client::login(url, "away").await;
    let (mut got, mut cursors) = (0, cursors);
    loop {
        let r = away
            .call("syncGroups", json!({"cursors": cursors, "limit": 500}))
            .await;
        let data = &r["data"];
        for m in data["messages"].as_array().unwrap() {
            got += 1;
            let g = m["to"].as_str().unwrap();
            let c = cursors.iter_mut().find(|c| c[0] == g).unwrap();
            c[1] = m["sequence"].clone();
        }
        if data["complete"] == true {
            break;
        }
    }
    assert_eq!(got, o.missed, "every missed message once");
    println!(
        "in {} groups, {} missed: caught up {:.1} ms after connecting; {} bytes received, {} sent",
        o.groups,
        o.missed,
        t.elapsed().as_secs_f64() * 1000.0,
        away.rx,
        away.tx
    );
}

#[tokio::main]
async fn main() {
    let o = options();
    WINDOW.store(o.window as u64, Ordering::Relaxed);
    let (url, mut child, _dir) = start_server().await;
    many_groups(&url, &o).await;
    big_group(&url, &o, child.id().unwrap_or(0)).await;
    // The connections' tasks never end by themselves: stop the server, then leave.
    let _ = child.kill().await;
    std::process::exit(0);
}
