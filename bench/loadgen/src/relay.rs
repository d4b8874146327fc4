//! The raw relay: a WebSocket server that forwards each text frame to the user it names, with
//! no storage, no JSON and no auth — the floor of what delivering a message costs here. It
//! runs as a process of its own (`tim-loadgen relay`) so its CPU time is measured apart.
//!
//! Frames: the first a client sends is its name; each later one is `TO\nBODY`, delivered to
//! `TO` as `FROM\nBODY`.

use crate::{body, sent_at, Clock, Counters, Options, Target};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

type Users = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Message>>>>;

/// The relay server: prints `listening on ws://ADDR` and serves until killed.
pub async fn serve() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("listening on ws://{}", listener.local_addr().unwrap());
    let users: Users = Arc::default();
    while let Ok((tcp, _)) = listener.accept().await {
        let _ = tcp.set_nodelay(true);
        let users = users.clone();
        tokio::spawn(async move {
            let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            let (mut sink, mut stream) = ws.split();
            let Some(Ok(Message::Text(name))) = stream.next().await else {
                return;
            };
            let name = name.to_string();
            let (tx, mut rx) = mpsc::unbounded_channel();
            users.lock().unwrap().insert(name.clone(), tx);
            tokio::spawn(async move {
                while let Some(m) = rx.recv().await {
                    if sink.send(m).await.is_err() {
                        return;
                    }
                }
            });
            while let Some(Ok(Message::Text(text))) = stream.next().await {
                if let Some((to, body)) = text.split_once('\n') {
                    let out = Message::text(format!("{name}\n{body}"));
                    if let Some(peer) = users.lock().unwrap().get(to) {
                        let _ = peer.send(out);
                    }
                }
            }
        });
    }
}

pub async fn start(_: &Options) -> Target {
    let exe = std::env::current_exe().unwrap();
    let mut child = tokio::process::Command::new(exe)
        .arg("relay")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().unwrap_or_default();
    let url = line
        .strip_prefix("listening on ")
        .expect("the relay's address")
        .to_owned();
    Target {
        more: Vec::new(),
        url,
        pid: child.id(),
        child: Some(child),
        dir: None,
        stop: None,
    }
}

pub async fn run(o: &Options, target: &Target, clock: Clock, counters: Arc<Counters>) {
    let mut senders = Vec::new();
    for (me, peer) in crate::users(o.pairs) {
        let (ws, _) = tokio_tungstenite::connect_async_with_config(target.url.as_str(), None, true)
            .await
            .unwrap();
        let (mut sink, mut stream) = ws.split();
        sink.send(Message::text(me.clone())).await.unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
        let size = o.body;
        tokio::spawn(async move {
            while let Some(sent) = rx.recv().await {
                let frame = format!("{peer}\n{}", body(sent, size));
                if sink.send(Message::text(frame)).await.is_err() {
                    return;
                }
            }
        });
        let (reply, counters, closed_loop) = (tx.clone(), counters.clone(), o.rate <= 0.0);
        tokio::spawn(async move {
            while let Some(Ok(Message::Text(text))) = stream.next().await {
                let body = text.split_once('\n').map_or("", |(_, b)| b);
                counters.delivered(sent_at(body).unwrap_or(0), &clock);
                if closed_loop {
                    let _ = reply.send(clock.now_ns());
                }
            }
            counters.closed.fetch_add(1, Ordering::Relaxed);
        });
        senders.push(tx);
    }
    // Give every name time to register before traffic starts.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    crate::tim::start_traffic(o, clock, senders);
}
