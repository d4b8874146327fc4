//! Test harness: the real `tim-server` binary on port 0 with a temp SQLite file, and a real
//! WebSocket client speaking protocol v1.
#![allow(dead_code)] // each test file uses a different part of the harness

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const APP: u64 = 1_400_000_001;
pub const KEY: &str = "test-secret-key-1";
pub const OTHER_APP: u64 = 1_400_000_002;
pub const OTHER_KEY: &str = "test-secret-key-2";

pub struct Server {
    child: Child,
    pub addr: String,
    pub db: PathBuf,
}

impl Server {
    /// Start `tim-server serve` on a free port with the database at `db`.
    pub fn start(db: &Path, extra: &[&str]) -> Server {
        let url = format!("sqlite://{}", db.display());
        let mut server = Server::start_url(&url, extra);
        server.db = db.to_owned();
        server
    }

    /// Start `tim-server serve` on a free port with the database at `url` (any scheme).
    pub fn start_url(url: &str, extra: &[&str]) -> Server {
        let app1 = format!("{APP}:{KEY}");
        let app2 = format!("{OTHER_APP}:{OTHER_KEY}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_tim-server"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--app",
                &app1,
                "--app",
                &app2,
            ])
            .arg("--db")
            .arg(url)
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawning tim-server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server {
            child,
            addr,
            db: PathBuf::new(),
        }
    }

    /// SIGKILL: no shutdown code runs, as in a crash.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn connect(&self) -> Client {
        Client::connect(&self.addr).await
    }

    /// A new connection logged in as `user` of [`APP`].
    pub async fn login(&self, user: &str) -> Client {
        let mut c = self.connect().await;
        let r = c.login(user).await;
        assert_eq!(r["type"], "ok", "login of {user}: {r}");
        c
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn sig(user: &str) -> String {
    tim_server::usersig::generate(APP, KEY, user, 3600, now())
}

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    pub hello: Value,
    /// Frames that arrived while waiting for an answer.
    pub pushes: VecDeque<Value>,
}

const WAIT: Duration = Duration::from_secs(10);

impl Client {
    pub async fn connect(addr: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/v1/ws"))
            .await
            .expect("websocket connect");
        Client::with(ws).await
    }

    /// A client over a TCP connection made by the caller (with its own socket options).
    pub async fn over(addr: &str, tcp: TcpStream) -> Client {
        let (ws, _) = tokio_tungstenite::client_async(
            format!("ws://{addr}/v1/ws"),
            MaybeTlsStream::Plain(tcp),
        )
        .await
        .expect("websocket connect");
        Client::with(ws).await
    }

    async fn with(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Client {
        let mut c = Client {
            ws,
            next_id: 0,
            hello: Value::Null,
            pushes: VecDeque::new(),
        };
        c.hello = c.read().await.expect("hello frame");
        assert_eq!(c.hello["type"], "hello");
        c
    }

    pub async fn send_raw(&mut self, msg: Message) {
        self.ws.send(msg).await.expect("websocket send");
    }

    /// Send `msg`; an error once the server has closed the connection.
    pub async fn try_send(
        &mut self,
        msg: Message,
    ) -> Result<(), tokio_tungstenite::tungstenite::Error> {
        self.ws.send(msg).await
    }

    /// The next frame, or `None` when the server closed the connection.
    pub async fn read(&mut self) -> Option<Value> {
        self.read_or_close().await.ok()
    }

    /// The next frame, or the close frame the server ended the connection with.
    pub async fn read_or_close(&mut self) -> Result<Value, Option<CloseFrame>> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("no frame within the wait");
            match msg {
                Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t).unwrap()),
                Some(Ok(Message::Close(f))) => return Err(f),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(None),
            }
        }
    }

    /// Send a raw text frame and return the answer frame with `id` (or the first `err` frame
    /// with a null id), keeping pushes that arrive meanwhile.
    pub async fn raw(&mut self, text: String, id: Option<u64>) -> Value {
        self.send_raw(Message::text(text)).await;
        self.answer(id).await
    }

    /// The answer frame with `id` (an `err` with a null id for `None`), keeping pushes that
    /// arrive meanwhile.
    pub async fn answer(&mut self, id: Option<u64>) -> Value {
        loop {
            let f = self
                .read()
                .await
                .expect("connection closed before the answer");
            let is_answer = f["type"] == "ok" || f["type"] == "err";
            if is_answer && f["id"].as_u64() == id {
                return f;
            }
            self.pushes.push_back(f);
        }
    }

    /// Make a request; returns the whole `ok` or `err` frame.
    pub async fn call(&mut self, op: &str, data: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut frame = json!({"id": id, "op": op});
        if !data.is_null() {
            frame["data"] = data;
        }
        self.raw(frame.to_string(), Some(id)).await
    }

    pub async fn login_as(&mut self, app: u64, user: &str, sig: &str) -> Value {
        self.call(
            "login",
            json!({"protocol": 1, "SDKAppID": app, "userID": user, "userSig": sig}),
        )
        .await
    }

    /// Log in as `user` saying the client runs on `platform` ("web", "node", "ios", …).
    pub async fn login_on(&mut self, user: &str, platform: &str) -> Value {
        self.call(
            "login",
            json!({"protocol": 1, "SDKAppID": APP, "userID": user, "userSig": sig(user),
                   "platform": platform}),
        )
        .await
    }

    pub async fn login(&mut self, user: &str) -> Value {
        self.login_as(APP, user, &sig(user)).await
    }

    pub async fn send_text(&mut self, to: &str, client_msg_id: &str, text: &str) -> Value {
        self.call(
            "sendMessage",
            json!({"conversationType": "C2C", "to": to, "clientMsgID": client_msg_id,
                   "random": 42, "elements": [{"type": "TIMTextElem", "content": {"text": text}}]}),
        )
        .await
    }

    /// The next push (a frame that is not an answer).
    pub async fn next_push(&mut self) -> Value {
        if let Some(p) = self.pushes.pop_front() {
            return p;
        }
        self.read()
            .await
            .expect("connection closed while waiting for a push")
    }

    /// Assert no push arrives within `d`.
    pub async fn no_push_within(&mut self, d: Duration) {
        assert!(self.pushes.is_empty(), "unexpected push {:?}", self.pushes);
        if let Ok(Some(Ok(Message::Text(t)))) = tokio::time::timeout(d, self.ws.next()).await {
            panic!("unexpected push {t}");
        }
    }

    /// Read frames until the server closes; returns the frames and the close code.
    pub async fn until_closed(&mut self) -> (Vec<Value>, Option<u16>) {
        let mut frames: Vec<Value> = self.pushes.drain(..).collect();
        loop {
            match self.read_or_close().await {
                Ok(f) => frames.push(f),
                Err(close) => return (frames, close.map(|c| u16::from(c.code))),
            }
        }
    }

    /// Send `resume` with `token` when it will be refused by a kick: the frames until the
    /// server closes, and the close code.
    pub async fn resume_until_closed(&mut self, token: &str) -> (Vec<Value>, Option<u16>) {
        let frame = json!({"id": 1, "op": "resume", "data": {"token": token}});
        self.send_raw(Message::text(frame.to_string())).await;
        self.until_closed().await
    }

    /// `None` while logged in (a heartbeat is answered), else the KICKED_OUT type it got.
    pub async fn kicked(&mut self) -> Option<String> {
        let reason = |f: &Value| f["reason"].as_str().map(str::to_owned);
        if let Some(f) = self.pushes.iter().find(|f| f["type"] == "kicked") {
            return reason(f);
        }
        self.next_id += 1;
        let frame = json!({"id": self.next_id, "op": "heartbeat"});
        self.send_raw(Message::text(frame.to_string())).await;
        let mut kicked = None;
        loop {
            match self.read_or_close().await {
                Ok(f) if f["type"] == "kicked" => kicked = reason(&f),
                Ok(f) if f["id"].as_u64() == Some(self.next_id) && kicked.is_none() => return None,
                Ok(_) => {}
                Err(_) => return kicked,
            }
        }
    }

    pub async fn heartbeat_ok(&mut self) {
        let r = self.call("heartbeat", Value::Null).await;
        assert_eq!(r["type"], "ok", "heartbeat: {r}");
    }
}

/// The text of a message's first element.
pub fn text_of(message: &Value) -> &str {
    message["elements"][0]["content"]["text"].as_str().unwrap()
}

/// The `data` of an `ok` answer (failing on anything else).
pub fn ok(r: Value) -> Value {
    assert_eq!(r["type"], "ok", "{r}");
    r["data"].clone()
}

/// The code of an `err` answer (failing on anything else).
pub fn code(r: &Value) -> u64 {
    assert_eq!(r["type"], "err", "{r}");
    r["code"].as_u64().unwrap()
}

/// POST to the REST API as `identifier` (signed with the app key); returns the JSON answer.
pub async fn rest(server: &Server, command: &str, identifier: &str, body: &str) -> Value {
    rest_of(server, "im_open_login_svc", command, identifier, body).await
}

/// A REST call of `service/command`.
pub async fn rest_of(
    server: &Server,
    service: &str,
    command: &str,
    identifier: &str,
    body: &str,
) -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sig = tim_server::usersig::generate(APP, KEY, identifier, 60, now());
    let path = format!(
        "/v4/{service}/{command}?sdkappid={APP}&identifier={identifier}&usersig={sig}&random=99&contenttype=json"
    );
    let mut s = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    serde_json::from_str(body).unwrap()
}
