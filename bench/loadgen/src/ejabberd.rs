//! The ejabberd target: a private instance of Debian's ejabberd (config, spool and logs in a
//! temp folder, its own node name and port; never the system's), XMPP over WebSocket
//! (RFC 7395) with no message storage (no offline store, no archive), users registered in
//! band, and the same workload as the other targets: chat messages between the two users of
//! each pair.

use crate::{body, sent_at, Clock, Counters, Options, Target};
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const HOST: &str = "localhost";
const PASSWORD: &str = "bench";

fn config(port: u16) -> String {
    format!(
        r#"hosts:
  - {HOST}
loglevel: warning
listen:
  -
    port: {port}
    ip: "127.0.0.1"
    module: ejabberd_http
    request_handlers:
      /ws: ejabberd_http_ws
auth_method: internal
acl:
  local:
    user_regexp: ""
access_rules:
  c2s:
    allow: all
  register:
    allow: all
shaper:
  fast: 1000000000
shaper_rules:
  c2s_shaper: fast
  max_user_sessions: 10
registration_timeout: infinity
modules:
  mod_register:
    access: register
    welcome_message:
      subject: ""
      body: ""
"#
    )
}

/// Runs `ejabberdctl` on the private instance.
fn ctl(dir: &std::path::Path, node: &str, args: &[&str]) -> std::process::Output {
    let d = |p: &str| dir.join(p).display().to_string();
    std::process::Command::new("ejabberdctl")
        .args(["--config-dir", &d("")])
        .args(["--config", &d("ejabberd.yml")])
        .args(["--spool", &d("spool"), "--logs", &d("logs"), "--node", node])
        .args(args)
        .output()
        .expect("running ejabberdctl (apt-get install ejabberd)")
}

pub async fn start(_: &Options) -> Target {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let node = format!("bench{port}@localhost");
    for sub in ["spool", "logs"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    std::fs::write(dir.path().join("ejabberd.yml"), config(port)).unwrap();
    std::fs::write(dir.path().join("ejabberdctl.cfg"), "").unwrap();
    std::fs::copy("/etc/ejabberd/inetrc", dir.path().join("inetrc")).unwrap();
    // ejabberdctl run as root runs ejabberd as its own user, which must own the folder.
    let _ = std::process::Command::new("chown")
        .args(["-R", "ejabberd:ejabberd"])
        .arg(dir.path())
        .status();
    let out = ctl(dir.path(), &node, &["start"]);
    assert!(out.status.success(), "ejabberdctl start: {out:?}");
    let started = ctl(dir.path(), &node, &["started"]);
    assert!(
        started.status.success(),
        "ejabberd did not start: {started:?}"
    );
    let pid = std::process::Command::new("pgrep")
        .args(["-f", "--", &format!("beam.*{node}")])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().and_then(|l| l.trim().parse().ok()));
    Target {
        more: Vec::new(),
        url: format!("ws://127.0.0.1:{port}/ws"),
        pid,
        child: None,
        dir: Some(dir),
        stop: Some(Box::new(move |dir: &std::path::Path| {
            ctl(dir, &node, &["stop"]);
        })),
    }
}

fn open() -> Message {
    Message::text(format!(
        r#"<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="{HOST}" version="1.0"/>"#
    ))
}

/// One XMPP session over WebSocket up to available presence.
async fn connect(
    o: &Options,
    target: &Target,
    clock: Clock,
    counters: Arc<Counters>,
    me: &str,
    peer: &str,
) -> mpsc::UnboundedSender<u64> {
    let mut request = target.url.as_str().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", "xmpp".parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
        .await
        .expect("ws");
    let (mut sink, mut stream) = ws.split();
    sink.send(open()).await.unwrap();
    while !next_text(&mut stream, me).await.contains("features") {}
    let register = format!(
        "<iq type='set' id='reg'><query xmlns='jabber:iq:register'><username>{me}</username><password>{PASSWORD}</password></query></iq>"
    );
    sink.send(Message::text(register)).await.unwrap();
    while !next_text(&mut stream, me).await.contains("id='reg'") {}
    let plain = base64_plain(me);
    let auth =
        format!("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{plain}</auth>");
    sink.send(Message::text(auth)).await.unwrap();
    let answer = next_text(&mut stream, me).await;
    assert!(answer.contains("success"), "{me}: {answer}");
    sink.send(open()).await.unwrap();
    while !next_text(&mut stream, me).await.contains("features") {}
    let bind = "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>";
    sink.send(Message::text(bind)).await.unwrap();
    while !next_text(&mut stream, me).await.contains("id='bind'") {}
    sink.send(Message::text("<presence/>")).await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
    let (peer, size) = (format!("{peer}@{HOST}/r"), o.body);
    tokio::spawn(async move {
        while let Some(sent) = rx.recv().await {
            let m = format!(
                "<message to='{peer}' type='chat'><body>{}</body></message>",
                body(sent, size)
            );
            if sink.send(Message::text(m)).await.is_err() {
                return;
            }
        }
    });
    let (reply, closed_loop) = (tx.clone(), o.rate <= 0.0);
    tokio::spawn(async move {
        while let Some(frame) = stream.next().await {
            let Ok(Message::Text(text)) = frame else {
                if matches!(frame, Ok(Message::Ping(_) | Message::Pong(_))) {
                    continue;
                }
                break;
            };
            if text.starts_with("<message") {
                let b = text
                    .split_once("<body>")
                    .and_then(|(_, rest)| rest.split_once("</body>"))
                    .map_or("", |(b, _)| b);
                counters.delivered(sent_at(b).unwrap_or(0), &clock);
                if closed_loop {
                    let _ = reply.send(clock.now_ns());
                }
            } else if text.contains("type='error'") || text.contains("type=\"error\"") {
                counters.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        counters.closed.fetch_add(1, Ordering::Relaxed);
    });
    tx
}

type Stream = futures_util::stream::SplitStream<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
>;

/// The next text frame of a session being set up.
async fn next_text(stream: &mut Stream, me: &str) -> String {
    loop {
        match stream.next().await {
            Some(Ok(Message::Text(t))) => return t.to_string(),
            Some(Ok(_)) => continue,
            other => panic!("{me}: stream ended: {other:?}"),
        }
    }
}

/// SASL PLAIN: base64 of `\0user\0password`.
fn base64_plain(user: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("\0{user}\0{PASSWORD}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub async fn run(o: &Options, target: &Target, clock: Clock, counters: Arc<Counters>) {
    let mut senders = Vec::new();
    for (me, peer) in crate::users(o.pairs) {
        senders.push(connect(o, target, clock, counters.clone(), &me, &peer).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    crate::tim::start_traffic(o, clock, senders);
}
