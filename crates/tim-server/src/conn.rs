//! One WebSocket connection: read frames, answer requests, write pushes, end on kick or
//! silence. A frame that cannot be read gets an `err` frame; the connection stays open.

use crate::hub::{encode, EndReason, Kill, Link, ResumeRefused, OUTBOUND_QUEUE};
use crate::store::{ConversationChange, HistoryRange, NewMessage, Store, StoreError};
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
            StoreError::NotFound(what) => Failure(
                codes::CONVERSATION_NOT_FOUND,
                format!("{what} not found among your conversations"),
            ),
            StoreError::NotSender => Failure(
                codes::REVOKE_FAILED,
                "only the sender may revoke a message".into(),
            ),
            StoreError::RevokeTooLate => Failure(
                codes::REVOKE_TIME_LIMIT,
                "the message is older than the revoke time limit".into(),
            ),
            StoreError::ModifyConflict => Failure(
                codes::MODIFY_CONFLICT,
                "the message was modified since you saw it".into(),
            ),
            StoreError::Invalid(why) => Failure(codes::INVALID_REQUEST, why),
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
    /// The resume token of the session, repeated in a repeat login's answer.
    token: String,
    kill: Arc<Kill>,
    /// Unix seconds: the session is kicked (`userSigExpired`) then.
    sig_expires_at: u64,
}

/// How a connection's session ends when the connection does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SessionEnd {
    /// The connection dropped: keep the session for a `resume`.
    Detach,
    /// The session is over: logout, or kicked (the hub already forgot it).
    Remove,
}

struct Conn<S: Store> {
    shared: Arc<Shared<S>>,
    tx: mpsc::Sender<Utf8Bytes>,
    login: Option<LoggedIn>,
    /// Set when a request showed this connection must be kicked (a `resume` of a session that
    /// was kicked while away): the kicked frame goes out instead of an answer.
    kick_now: Option<&'static str>,
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
        kick_now: None,
    };
    let mut deadline = Instant::now() + idle;
    let (close, end) = loop {
        let kill = conn.login.as_ref().map(|l| l.kill.clone());
        let sig_expiry = conn.login.as_ref().map(|l| l.sig_expires_at);
        tokio::select! {
            incoming = socket.recv() => {
                let text = match incoming {
                    None | Some(Err(_)) | Some(Ok(WsMessage::Close(_))) => break (None, SessionEnd::Detach),
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
                if let Some(reason) = conn.kick_now.take() {
                    break (Some(kick(&mut socket, reason).await), SessionEnd::Remove);
                }
                if socket.send(WsMessage::Text(reply)).await.is_err() {
                    break (None, SessionEnd::Detach);
                }
            }
            Some(frame) = rx.recv() => {
                if socket.send(WsMessage::Text(frame)).await.is_err() {
                    break (None, SessionEnd::Detach);
                }
            }
            reason = killed(kill) => {
                break match reason {
                    EndReason::Kicked(reason) => (Some(kick(&mut socket, reason).await), SessionEnd::Remove),
                    // The hub detached the session already; the client resumes and resyncs.
                    EndReason::TooSlow => (Some((CLOSE_TOO_SLOW, "outbound queue overflow")), SessionEnd::Detach),
                };
            }
            _ = sig_expired(sig_expiry) => {
                break (Some(kick(&mut socket, KICK_USERSIG_EXPIRED).await), SessionEnd::Remove);
            }
            _ = sleep_until(deadline) => break (Some((CLOSE_IDLE, "idle timeout")), SessionEnd::Detach),
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
    conn.end_session(end);
}

/// Tell the client it was kicked; returns the close code and reason to end with.
async fn kick(socket: &mut WebSocket, reason: &'static str) -> (u16, &'static str) {
    let frame = encode(&ServerFrame::Kicked(Kicked {
        reason: reason.into(),
    }));
    let _ = socket.send(WsMessage::Text(frame)).await;
    (CLOSE_KICKED, "kicked")
}

/// Resolves when the session's UserSig expires (never without a session).
async fn sig_expired(expires_at: Option<u64>) {
    match expires_at {
        Some(at) => {
            let left = at.saturating_sub(now_secs());
            tokio::time::sleep(std::time::Duration::from_secs(left)).await;
            // Whole seconds: wait out the rest of the expiry second.
            while now_secs() <= at {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        None => pending().await,
    }
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
    fn end_session(&mut self, end: SessionEnd) {
        if let Some(l) = self.login.take() {
            match end {
                SessionEnd::Detach => self.shared.hub.detach(l.app, &l.user, l.session),
                SessionEnd::Remove => self.shared.hub.remove(l.app, &l.user, l.session),
            }
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
            Request::Resume(r) => self.resume(r).await,
            Request::Logout => {
                self.me()?;
                self.end_session(SessionEnd::Remove);
                Ok(Response::Logout)
            }
            Request::SendMessage(s) if s.online_only => {
                let (app, user) = self.me()?;
                check_send(&s)?;
                let session = self.login.as_ref().map_or(0, |l| l.session);
                let time = now_secs();
                // Not stored: an ID of row 0, which no stored message has.
                let message = Message {
                    id: crate::store::message_id(0, time, s.random),
                    conversation_type: ConversationType::C2C,
                    from: user.clone(),
                    to: s.to,
                    sequence: 0,
                    time,
                    random: s.random,
                    client_msg_id: s.client_msg_id,
                    elements: s.elements,
                    cloud_custom_data: s.cloud_custom_data,
                    excluded_from_unread: true,
                    excluded_from_last_message: true,
                    at_user_list: s.at_user_list,
                    ..Message::default()
                };
                let frame = encode(&ServerFrame::Online(OnlineMessage {
                    message: message.clone(),
                }));
                let hub = &self.shared.hub;
                hub.push_online(app, &message.to, &frame, session);
                if message.to != user {
                    hub.push_online(app, &user, &frame, session);
                }
                Ok(Response::SendMessage(SendMessageOk { message }))
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
                        need_read_receipt: s.need_read_receipt,
                        excluded_from_unread: s.excluded_from_unread,
                        excluded_from_last_message: s.excluded_from_last_message,
                        at_user_list: s.at_user_list,
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
                let peer = c2c_peer(&h.conversation_id)?;
                if h.count == 0 || h.count > MAX_HISTORY_COUNT {
                    return fail(
                        codes::INVALID_REQUEST,
                        format!("count must be 1..={MAX_HISTORY_COUNT}"),
                    );
                }
                let range = match (h.before_seq, h.after_seq, h.before_time, h.after_time) {
                    (b, None, None, None) => HistoryRange::BeforeSeq(b),
                    (None, Some(a), None, None) => HistoryRange::AfterSeq(a),
                    (None, None, Some(t), None) => HistoryRange::BeforeTime(t),
                    (None, None, None, Some(t)) => HistoryRange::AfterTime(t),
                    _ => return fail(codes::INVALID_REQUEST, "give at most one bound of history"),
                };
                let (messages, complete) =
                    store.history_c2c(app, &user, peer, range, h.count).await?;
                Ok(Response::GetHistory(GetHistoryOk { messages, complete }))
            }
            Request::GetConversations(g) => {
                let (app, user) = self.me()?;
                if g.limit == 0 || g.limit > MAX_CONVERSATIONS_PAGE {
                    return fail(
                        codes::INVALID_REQUEST,
                        format!("limit must be 1..={MAX_CONVERSATIONS_PAGE}"),
                    );
                }
                let after = match &g.after {
                    Some(id) => Some(c2c_peer(id)?.to_owned()),
                    None => None,
                };
                let page = store.conversations(app, &user, after, g.limit).await?;
                Ok(Response::GetConversations(page))
            }
            Request::SetRead(c) => {
                let page = self
                    .change(&[c.conversation_id], ConversationChange::Read)
                    .await?;
                Ok(Response::SetRead(page))
            }
            Request::SetAllRead => {
                let (app, user) = self.me()?;
                let mut unread = Vec::new();
                let mut after = None;
                loop {
                    let page = store
                        .conversations(app, &user, after, MAX_CONVERSATIONS_PAGE)
                        .await?;
                    after = page.conversations.last().map(|c| c.peer.clone());
                    unread.extend(
                        page.conversations
                            .into_iter()
                            .filter(|c| c.unread_count > 0)
                            .map(|c| c.peer),
                    );
                    if page.complete {
                        break;
                    }
                }
                let page = store
                    .change_conversations(app, &user, unread, ConversationChange::Read)
                    .await?;
                Ok(Response::SetAllRead(page))
            }
            Request::DeleteConversation(c) => {
                let page = self
                    .change(&[c.conversation_id], ConversationChange::Delete)
                    .await?;
                Ok(Response::DeleteConversation(page))
            }
            Request::ClearHistory(c) => {
                let change = ConversationChange::ClearHistory;
                let page = self.change(&[c.conversation_id], change).await?;
                Ok(Response::ClearHistory(page))
            }
            Request::PinConversation(p) => {
                let change = ConversationChange::Pin(p.is_pinned);
                let page = self.change(&[p.conversation_id], change).await?;
                Ok(Response::PinConversation(page))
            }
            Request::MarkConversations(m) => {
                if m.mark_type == 0 {
                    return fail(
                        codes::INVALID_REQUEST,
                        "markType must name at least one mark",
                    );
                }
                let change = ConversationChange::Mark(m.mark_type, m.enable_mark);
                let page = self.change(&m.conversation_ids, change).await?;
                Ok(Response::MarkConversations(page))
            }
            Request::SetCustomData(d) => {
                if d.custom_data.len() > MAX_CUSTOM_DATA_BYTES {
                    return fail(
                        codes::BODY_SIZE_LIMIT,
                        format!("customData is over {MAX_CUSTOM_DATA_BYTES} bytes"),
                    );
                }
                let change = ConversationChange::CustomData(d.custom_data);
                let page = self.change(&d.conversation_ids, change).await?;
                Ok(Response::SetCustomData(page))
            }
            Request::ModifyMessage(m) => {
                let (app, user) = self.me()?;
                let body = m.elements.iter().map(Element::body_bytes).sum::<usize>()
                    + m.cloud_custom_data.len();
                if body > MAX_MESSAGE_BODY_BYTES {
                    return fail(
                        codes::BODY_SIZE_LIMIT,
                        format!("message body of {body} bytes exceeds {MAX_MESSAGE_BODY_BYTES}"),
                    );
                }
                let message = store.modify(app, &user, m).await?;
                Ok(Response::ModifyMessage(MessageOk { message }))
            }
            Request::DeleteMessages(d) => {
                let (app, user) = self.me()?;
                if d.message_ids.is_empty() || d.message_ids.len() > MAX_DELETE_MESSAGES {
                    return fail(
                        codes::INVALID_REQUEST,
                        format!("name 1..={MAX_DELETE_MESSAGES} messages"),
                    );
                }
                let page = store.delete_messages(app, &user, d.message_ids).await?;
                Ok(Response::DeleteMessages(page))
            }
            Request::RevokeMessage(r) => {
                let (app, user) = self.me()?;
                let not_found = || {
                    Failure(
                        codes::CONVERSATION_NOT_FOUND,
                        format!("message {:?} not found", r.message_id),
                    )
                };
                let rowid = crate::store::message_rowid(&r.message_id).ok_or_else(not_found)?;
                let limit = self
                    .shared
                    .cfg
                    .apps
                    .get(&app)
                    .map_or(crate::config::DEFAULT_REVOKE_LIMIT_SECS, |a| {
                        a.revoke_limit_secs
                    });
                let message = store.revoke(app, &user, rowid, limit).await?;
                if message.id != r.message_id {
                    return Err(not_found());
                }
                Ok(Response::RevokeMessage(MessageOk { message }))
            }
        }
    }

    /// Apply `change` to the caller's conversations named by `ids`.
    async fn change(
        &self,
        ids: &[String],
        change: ConversationChange,
    ) -> Result<ConversationsOk, Failure> {
        let (app, user) = self.me()?;
        if ids.is_empty() || ids.len() > MAX_CONVERSATIONS_PER_REQUEST {
            return fail(
                codes::INVALID_REQUEST,
                format!("name 1..={MAX_CONVERSATIONS_PER_REQUEST} conversations"),
            );
        }
        let peers = ids
            .iter()
            .map(|id| c2c_peer(id).map(str::to_owned))
            .collect::<Result<Vec<_>, _>>()?;
        let page = self
            .shared
            .store
            .change_conversations(app, &user, peers, change)
            .await?;
        Ok(page)
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
                let token = me.token.clone();
                let inbox_seq = self.shared.store.login_user(me.app, &me.user).await?;
                return Ok(Response::Login(LoginOk {
                    user_id: l.user_id,
                    repeat_login: true,
                    inbox_seq,
                    server_time: now_secs(),
                    resume_token: token,
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
        let sig_expires_at =
            usersig::verify(&l.user_sig, app.sdkappid, &app.key, &l.user_id, now_secs())
                .map_err(|e| Failure(e.code(), e.to_string()))?;
        let inbox_seq = self
            .shared
            .store
            .login_user(app.sdkappid, &l.user_id)
            .await?;
        let kill = Arc::new(Kill::default());
        let link = Link {
            tx: self.tx.clone(),
            kill: kill.clone(),
        };
        let (session, token) = self.shared.hub.register(
            app.sdkappid,
            &l.user_id,
            link,
            sig_expires_at,
            app.web_instances,
        );
        self.login = Some(LoggedIn {
            app: app.sdkappid,
            user: l.user_id.clone(),
            session,
            token: token.clone(),
            kill,
            sig_expires_at,
        });
        Ok(Response::Login(LoginOk {
            user_id: l.user_id,
            repeat_login: false,
            inbox_seq,
            server_time: now_secs(),
            resume_token: token,
        }))
    }

    async fn resume(&mut self, r: Resume) -> Outcome {
        if self.login.is_some() {
            return fail(
                codes::REPEAT_LOGIN,
                "this connection is logged in; log out first",
            );
        }
        let kill = Arc::new(Kill::default());
        let link = Link {
            tx: self.tx.clone(),
            kill: kill.clone(),
        };
        let resumed = match self.shared.hub.resume(&r.token, link) {
            Ok(resumed) => resumed,
            Err(ResumeRefused::Gone) => {
                return fail(
                    codes::SESSION_GONE,
                    "no such session (any more): log in again",
                )
            }
            Err(ResumeRefused::Kicked(reason)) => {
                self.kick_now = Some(reason);
                return fail(codes::SESSION_GONE, reason);
            }
        };
        let inbox_seq = self
            .shared
            .store
            .login_user(resumed.app, &resumed.user)
            .await?;
        let user_id = resumed.user.clone();
        self.login = Some(LoggedIn {
            app: resumed.app,
            user: resumed.user,
            session: resumed.id,
            token: resumed.token,
            kill,
            sig_expires_at: resumed.sig_expires_at,
        });
        Ok(Response::Resume(ResumeOk {
            user_id,
            inbox_seq,
            server_time: now_secs(),
        }))
    }
}

/// The peer of a `C2C<userID>` conversationID.
fn c2c_peer(conversation_id: &str) -> Result<&str, Failure> {
    let Some(peer) = conversation_id.strip_prefix("C2C") else {
        return fail(
            codes::INVALID_REQUEST,
            format!("unsupported conversationID {conversation_id:?}"),
        );
    };
    if !valid_user_id(peer) {
        return fail(codes::INVALID_USER_ID, format!("invalid userID {peer:?}"));
    }
    Ok(peer)
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
