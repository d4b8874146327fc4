//! One WebSocket connection: read frames, answer requests, write pushes, end on kick or
//! silence. A frame that cannot be read gets an `err` frame; the connection stays open.

use crate::hub::{encode, EndReason, Kill, SessionHandle, OUTBOUND_QUEUE};
use crate::store::{NewMessage, Store, StoreError};
use crate::{now_secs, usersig, Shared};
use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, WebSocket};
use serde_json::Value;
use std::future::pending;
use std::sync::Arc;
use tim_proto::{codes, *};
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};

/// WebSocket close codes the server uses (4000–4999 is the application range).
pub const CLOSE_KICKED: u16 = 4001;
pub const CLOSE_IDLE: u16 = 4002;
pub const CLOSE_TOO_SLOW: u16 = 4003;

/// A failed request: an official code and a message for the developer.
struct Failure(u32, String);

type Outcome = Result<Response, Failure>;

fn fail<T>(code: u32, message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(code, message.into()))
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnknownUser(u) => Failure(
                codes::INVALID_USER_ID,
                format!("user {u:?} does not exist (it exists once it has logged in)"),
            ),
            StoreError::Internal(e) => {
                tracing::error!("storage: {e}");
                Failure(codes::INTERNAL_ERROR, "internal server error; retry".into())
            }
        }
    }
}

struct LoggedIn {
    app: u64,
    user: String,
    session: u64,
    kill: Arc<Kill>,
}

struct Conn<S: Store> {
    shared: Arc<Shared<S>>,
    tx: mpsc::Sender<Utf8Bytes>,
    login: Option<LoggedIn>,
}

/// A userID the server accepts: 1–32 bytes, no control characters.
pub fn valid_user_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && !id.chars().any(char::is_control)
}

pub async fn serve<S: Store>(mut socket: WebSocket, shared: Arc<Shared<S>>) {
    let (tx, mut rx) = mpsc::channel(OUTBOUND_QUEUE);
    let idle = shared.cfg.idle_timeout;
    let hello = encode(&ServerFrame::Hello(Hello {
        protocol: PROTOCOL_VERSION,
        server: concat!("tim-server/", env!("CARGO_PKG_VERSION")).into(),
        heartbeat_ms: (idle.as_millis() / 3) as u64,
        idle_timeout_ms: idle.as_millis() as u64,
        max_frame_bytes: shared.cfg.max_frame_bytes as u64,
    }));
    if socket.send(WsMessage::Text(hello)).await.is_err() {
        return;
    }
    let mut conn = Conn {
        shared,
        tx,
        login: None,
    };
    let mut deadline = Instant::now() + idle;
    let close = loop {
        let kill = conn.login.as_ref().map(|l| l.kill.clone());
        tokio::select! {
            incoming = socket.recv() => {
                let text = match incoming {
                    None | Some(Err(_)) | Some(Ok(WsMessage::Close(_))) => break None,
                    Some(Ok(WsMessage::Text(t))) => Ok(t),
                    Some(Ok(WsMessage::Binary(b))) => Utf8Bytes::try_from(b).map_err(|_| ()),
                    Some(Ok(_)) => {
                        deadline = Instant::now() + idle;
                        continue;
                    }
                };
                deadline = Instant::now() + idle;
                let reply = match text {
                    Ok(t) => conn.handle(t.as_str()).await,
                    Err(()) => err_frame(None, codes::MALFORMED_FRAME, "binary frame is not UTF-8 JSON"),
                };
                if socket.send(WsMessage::Text(reply)).await.is_err() {
                    break None;
                }
            }
            Some(frame) = rx.recv() => {
                if socket.send(WsMessage::Text(frame)).await.is_err() {
                    break None;
                }
            }
            reason = killed(kill) => {
                break Some(match reason {
                    EndReason::MultipleAccount => {
                        let frame = encode(&ServerFrame::Kicked(Kicked {
                            reason: KICK_MULTIPLE_ACCOUNT.into(),
                        }));
                        let _ = socket.send(WsMessage::Text(frame)).await;
                        (CLOSE_KICKED, "kicked: multipleAccount")
                    }
                    EndReason::TooSlow => (CLOSE_TOO_SLOW, "outbound queue overflow"),
                });
            }
            _ = sleep_until(deadline) => break Some((CLOSE_IDLE, "idle timeout")),
        }
    };
    if let Some((code, reason)) = close {
        let _ = socket
            .send(WsMessage::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    }
    conn.end_session();
}

async fn killed(kill: Option<Arc<Kill>>) -> EndReason {
    match kill {
        Some(k) => k.fired().await,
        None => pending().await,
    }
}

fn err_frame(id: Option<u64>, code: u32, message: impl Into<String>) -> Utf8Bytes {
    encode(&ServerFrame::Err(ErrFrame {
        id,
        code,
        message: message.into(),
    }))
}

impl<S: Store> Conn<S> {
    fn end_session(&mut self) {
        if let Some(l) = self.login.take() {
            self.shared.hub.unregister(l.app, &l.user, l.session);
        }
    }

    /// Answer one text frame.
    async fn handle(&mut self, text: &str) -> Utf8Bytes {
        let max = self.shared.cfg.max_frame_bytes;
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) if text.len() <= max => {
                return err_frame(
                    None,
                    codes::MALFORMED_FRAME,
                    format!("frame is not JSON: {e}"),
                )
            }
            Err(_) => Value::Null,
        };
        let id = value.get("id").and_then(Value::as_u64);
        if text.len() > max {
            return err_frame(
                id,
                codes::BODY_SIZE_LIMIT,
                format!("frame of {} bytes exceeds the {max}-byte limit", text.len()),
            );
        }
        let Some(id) = id else {
            return err_frame(
                None,
                codes::MALFORMED_FRAME,
                "frame must be a JSON object with a numeric id",
            );
        };
        let op = match value.get("op").and_then(Value::as_str) {
            Some(op) if Request::OPS.contains(&op) => op.to_owned(),
            Some(op) => {
                return err_frame(Some(id), codes::UNKNOWN_OP, format!("unknown op {op:?}"))
            }
            None => return err_frame(Some(id), codes::INVALID_REQUEST, "missing op"),
        };
        let request = match serde_json::from_value::<ClientFrame>(value) {
            Ok(f) => f.request,
            Err(e) => {
                return err_frame(
                    Some(id),
                    codes::INVALID_REQUEST,
                    format!("invalid {op} request: {e}"),
                )
            }
        };
        match self.apply(request).await {
            Ok(response) => encode(&ServerFrame::Ok(OkFrame { id, response })),
            Err(Failure(code, message)) => err_frame(Some(id), code, message),
        }
    }

    /// The logged-in user of this connection, or the not-logged-in failure.
    fn me(&self) -> Result<(u64, String), Failure> {
        match &self.login {
            Some(me) => Ok((me.app, me.user.clone())),
            None => fail(codes::USER_NOT_LOGGED_IN, "not logged in: send login first"),
        }
    }

    async fn apply(&mut self, request: Request) -> Outcome {
        let store = &self.shared.store;
        match request {
            Request::Login(l) => self.login(l).await,
            Request::Heartbeat => Ok(Response::Heartbeat(HeartbeatOk {
                server_time: now_secs(),
            })),
            Request::Logout => {
                self.me()?;
                self.end_session();
                Ok(Response::Logout)
            }
            Request::SendMessage(s) => {
                let (app, user) = self.me()?;
                check_send(&s)?;
                let message = store
                    .send_c2c(NewMessage {
                        app,
                        from: user,
                        to: s.to,
                        client_msg_id: s.client_msg_id,
                        random: s.random,
                        elements: s.elements,
                        cloud_custom_data: s.cloud_custom_data,
                    })
                    .await?;
                Ok(Response::SendMessage(SendMessageOk { message }))
            }
            Request::Sync(s) => {
                let (app, user) = self.me()?;
                let page = store
                    .inbox_after(app, &user, s.after, s.limit.clamp(1, MAX_SYNC_LIMIT))
                    .await?;
                Ok(Response::Sync(SyncOk {
                    items: page.items,
                    inbox_seq: page.inbox_seq,
                    complete: page.complete,
                }))
            }
            Request::GetHistory(h) => {
                let (app, user) = self.me()?;
                let Some(peer) = h.conversation_id.strip_prefix("C2C") else {
                    return fail(
                        codes::INVALID_REQUEST,
                        format!("unsupported conversationID {:?}", h.conversation_id),
                    );
                };
                if !valid_user_id(peer) {
                    return fail(codes::INVALID_USER_ID, format!("invalid userID {peer:?}"));
                }
                if h.count == 0 || h.count > MAX_HISTORY_COUNT {
                    return fail(
                        codes::INVALID_REQUEST,
                        format!("count must be 1..={MAX_HISTORY_COUNT}"),
                    );
                }
                let (messages, complete) = store
                    .history_c2c(app, &user, peer, h.before_seq, h.count)
                    .await?;
                Ok(Response::GetHistory(GetHistoryOk { messages, complete }))
            }
        }
    }

    async fn login(&mut self, l: Login) -> Outcome {
        if l.protocol != PROTOCOL_VERSION {
            return fail(
                codes::INVALID_PARAMETER,
                format!(
                    "protocol {} is not supported; this server speaks {PROTOCOL_VERSION}",
                    l.protocol
                ),
            );
        }
        if let Some(me) = &self.login {
            if me.app == l.sdk_app_id && me.user == l.user_id {
                let inbox_seq = self.shared.store.login_user(me.app, &me.user).await?;
                return Ok(Response::Login(LoginOk {
                    user_id: l.user_id,
                    repeat_login: true,
                    inbox_seq,
                    server_time: now_secs(),
                }));
            }
            return fail(
                codes::REPEAT_LOGIN,
                format!(
                    "this connection is logged in as {:?}; log out first",
                    me.user
                ),
            );
        }
        let Some(app) = self.shared.cfg.apps.get(&l.sdk_app_id) else {
            return fail(
                codes::SDKAPPID_NOT_FOUND,
                format!("SDKAppID {} is not configured on this server", l.sdk_app_id),
            );
        };
        if !valid_user_id(&l.user_id) {
            return fail(
                codes::INVALID_PARAMETER,
                "userID must be 1-32 bytes without control characters",
            );
        }
        usersig::verify(&l.user_sig, app.sdkappid, &app.key, &l.user_id, now_secs())
            .map_err(|e| Failure(e.code(), e.to_string()))?;
        let inbox_seq = self
            .shared
            .store
            .login_user(app.sdkappid, &l.user_id)
            .await?;
        let session = SessionHandle {
            id: self.shared.hub.new_session_id(),
            tx: self.tx.clone(),
            kill: Arc::new(Kill::default()),
        };
        self.login = Some(LoggedIn {
            app: app.sdkappid,
            user: l.user_id.clone(),
            session: session.id,
            kill: session.kill.clone(),
        });
        self.shared
            .hub
            .register(app.sdkappid, &l.user_id, session, app.web_instances);
        Ok(Response::Login(LoginOk {
            user_id: l.user_id,
            repeat_login: false,
            inbox_seq,
            server_time: now_secs(),
        }))
    }
}

fn check_send(s: &SendMessage) -> Result<(), Failure> {
    if s.conversation_type != ConversationType::C2C {
        return fail(codes::INVALID_REQUEST, "only C2C messages are supported");
    }
    if !valid_user_id(&s.to) {
        return fail(
            codes::INVALID_USER_ID,
            format!("invalid recipient {:?}", s.to),
        );
    }
    if s.client_msg_id.is_empty() || s.client_msg_id.len() > 64 {
        return fail(codes::INVALID_REQUEST, "clientMsgID must be 1-64 bytes");
    }
    if s.elements.is_empty() {
        return fail(
            codes::INVALID_REQUEST,
            "a message needs at least one element",
        );
    }
    let body: usize =
        s.elements.iter().map(Element::body_bytes).sum::<usize>() + s.cloud_custom_data.len();
    if body > MAX_MESSAGE_BODY_BYTES {
        return fail(
            codes::BODY_SIZE_LIMIT,
            format!("message body of {body} bytes exceeds {MAX_MESSAGE_BODY_BYTES}"),
        );
    }
    Ok(())
}
