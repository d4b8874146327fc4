//! The tim-server target: a server on a free port with a temp SQLite file (or `--db`, or
//! `--nodes` of them on one database and a bus, or one at `--url`), and one protocol-v1 client
//! per user.

use crate::{body, sent_at, Clock, Counters, Node, Options, Target};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

const APP: u64 = 1;
const KEY: &str = "loadgen-key";

pub async fn start(o: &Options) -> Target {
    if let Some(url) = &o.url {
        return Target {
            url: url.clone(),
            pid: o.pid,
            more: Vec::new(),
            child: None,
            dir: None,
            stop: None,
        };
    }
    let dir = tempfile::tempdir().unwrap();
    let db = match &o.db {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", dir.path().join("tim.db").display()),
    };
    let (url, child) = node(o, &db).await;
    let mut more = Vec::new();
    for _ in 1..o.nodes {
        let (url, child) = node(o, &db).await;
        more.push(Node { url, child });
    }
    Target {
        url,
        pid: child.id(),
        more,
        child: Some(child),
        dir: Some(dir),
        stop: None,
    }
}

/// One tim-server on `db` (on the bus, if any): where users connect, and its process.
async fn node(o: &Options, db: &str) -> (String, tokio::process::Child) {
    let mut command = tokio::process::Command::new(&o.server);
    command
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--app",
            &format!("{APP}:{KEY}"),
        ])
        .args(["--db", db, "--web-instances", "2"]);
    if let Some(bus) = &o.bus {
        command.args(["--bus", bus]);
    }
    let mut child = command
        // Every user connects from loopback, and sends as fast as the server takes it: no
        // rate limits (environment, so an older build ignores it).
        .env("TIM_MAX_CONNECTIONS_PER_IP", (o.pairs * 4 + 16).to_string())
        .env("TIM_MESSAGES_PER_SEC", "0")
        .env("TIM_REQUESTS_PER_SEC", "0")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", o.server));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().unwrap_or_default();
    let addr = line
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (format!("ws://{addr}/v1/ws"), child)
}

/// Log every user in, then start the traffic; returns once it flows.
pub async fn run(o: &Options, target: &Target, clock: Clock, counters: Arc<Counters>) {
    let mut senders = Vec::new();
    for (i, (me, peer)) in crate::users(o.pairs).iter().enumerate() {
        let url = target.url_of(i);
        senders.push(connect(o, url, clock, counters.clone(), me, peer).await);
    }
    start_traffic(o, clock, senders);
}

/// Closed loop: the first of each pair starts `window` messages; answers keep them going.
/// Open loop: every user sends on its schedule, the users spread evenly over one interval
/// (`senders` alternate a and b of each pair).
pub fn start_traffic(o: &Options, clock: Clock, senders: Vec<mpsc::UnboundedSender<u64>>) {
    let users = senders.len() as u32;
    for (i, tx) in senders.into_iter().enumerate() {
        if o.rate > 0.0 {
            let interval = Duration::from_secs_f64(2.0 * o.pairs as f64 / o.rate);
            // Users start spread over one interval: an even load, not all sending at once.
            let phase = interval * i as u32 / users;
            tokio::spawn(async move {
                let mut next = tokio::time::Instant::now() + phase;
                loop {
                    next += interval;
                    tokio::time::sleep_until(next).await;
                    // The time it should have gone out: a late send counts its lateness.
                    let intended = clock.now_ns() - next.elapsed().as_nanos() as u64;
                    if tx.send(intended).is_err() {
                        return;
                    }
                }
            });
        } else if i % 2 == 0 {
            for _ in 0..o.window {
                let _ = tx.send(clock.now_ns());
            }
        }
    }
}

/// One user's connection: returns where to ask it to send a message (with its send time).
async fn connect(
    o: &Options,
    url: &str,
    clock: Clock,
    counters: Arc<Counters>,
    me: &str,
    peer: &str,
) -> mpsc::UnboundedSender<u64> {
    let (ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
        .await
        .expect("connecting");
    let (mut sink, mut stream) = ws.split();
    stream.next().await.expect("hello").expect("hello");
    let sig = tim_server::usersig::generate(APP, KEY, me, 86_400, tim_server::now_secs());
    let login = json!({"id": 0, "op": "login", "data": {"protocol": 1, "SDKAppID": APP,
        "userID": me, "userSig": sig}});
    sink.send(Message::text(login.to_string()))
        .await
        .expect("login");
    let answer: Value = serde_json::from_str(
        stream
            .next()
            .await
            .expect("login answer")
            .expect("login answer")
            .to_text()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(answer["type"], "ok", "login of {me}: {answer}");
    let mut last_seq = answer["data"]["inboxSeq"].as_u64().unwrap_or(0);
    let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
    let (me, peer, size) = (me.to_owned(), peer.to_owned(), o.body);
    let ids = Arc::new(AtomicU64::new(1));
    tokio::spawn(async move {
        while let Some(sent) = rx.recv().await {
            let n = ids.fetch_add(1, Ordering::Relaxed);
            let frame = json!({"id": n, "op": "sendMessage", "data": {"conversationType": "C2C",
                "to": peer, "clientMsgID": format!("{me}-{n}"), "random": 1,
                "elements": [{"type": "TIMTextElem", "content": {"text": body(sent, size)}}]}});
            if sink.send(Message::text(frame.to_string())).await.is_err() {
                return;
            }
        }
    });
    let reply = tx.clone();
    let closed_loop = o.rate <= 0.0;
    let me_owned = answer["data"]["userID"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    tokio::spawn(async move {
        while let Some(frame) = stream.next().await {
            let Ok(Message::Text(text)) = frame else {
                if !matches!(frame, Ok(Message::Ping(_) | Message::Pong(_))) {
                    break;
                }
                continue;
            };
            let Ok(f) = serde_json::from_str::<Frame>(&text) else {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            match f.kind {
                "inbox" => {
                    if f.seq != last_seq + 1 {
                        counters.gaps.fetch_add(1, Ordering::Relaxed);
                    }
                    last_seq = f.seq;
                    let Some(m) = f.message.filter(|_| f.item == Some("message")) else {
                        continue;
                    };
                    if m.from != me_owned {
                        let text = m.elements.first().and_then(|e| e.content.text.as_deref());
                        counters.delivered(text.and_then(sent_at).unwrap_or(0), &clock);
                        if closed_loop {
                            let _ = reply.send(clock.now_ns());
                        }
                    }
                }
                "err" => {
                    counters.errors.fetch_add(1, Ordering::Relaxed);
                }
                "kicked" => {
                    counters.kicked.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
        }
        counters.closed.fetch_add(1, Ordering::Relaxed);
    });
    tx
}

/// What the load client reads of a server frame; everything else is skipped unbuilt.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    #[serde(default)]
    seq: u64,
    #[serde(rename = "kind", default, borrow)]
    item: Option<&'a str>,
    #[serde(default, borrow)]
    message: Option<FrameMessage<'a>>,
}

#[derive(Deserialize)]
struct FrameMessage<'a> {
    #[serde(borrow)]
    from: Cow<'a, str>,
    #[serde(default, borrow)]
    elements: Vec<FrameElement<'a>>,
}

#[derive(Deserialize)]
struct FrameElement<'a> {
    #[serde(borrow)]
    content: FrameContent<'a>,
}

#[derive(Deserialize)]
struct FrameContent<'a> {
    #[serde(default, borrow)]
    text: Option<Cow<'a, str>>,
}
