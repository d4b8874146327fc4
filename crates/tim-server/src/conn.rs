//! One WebSocket connection, transport only: the `hello`, reading and parsing frames (a frame
//! that cannot be read gets an `err` frame; the connection stays open), writing answers and
//! pushes, and ending on a kick, the UserSig's expiry or silence. What a request means is for
//! [`ops`](crate::ops); the connection's session is [`Session`].

use crate::failure::Failure;
use crate::hub::{encode, OUTBOUND_QUEUE};
use crate::ops;
use crate::registry::{EndReason, Kill};
use crate::session::{Session, SessionEnd};
use crate::store::Store;
use crate::{now_secs, Shared};
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
    let mut session = Session::new(tx);
    let mut deadline = Instant::now() + idle;
    let (close, end) = loop {
        let kill = session.kill();
        let sig_expiry = session.sig_expires_at();
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
                    Ok(t) => answer(&shared, &mut session, t.as_str()).await,
                    Err(()) => err_frame(None, codes::MALFORMED_FRAME, "binary frame is not UTF-8 JSON"),
                };
                if let Some(reason) = session.kick_now.take() {
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
                    // The registry detached the session already; the client resumes and resyncs.
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
    session.end(&shared, end);
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

/// Answer one text frame.
async fn answer<S: Store>(shared: &Shared<S>, session: &mut Session, text: &str) -> Utf8Bytes {
    let (id, request) = match parse(text, shared.cfg.max_frame_bytes) {
        Ok(parsed) => parsed,
        Err(frame) => return frame,
    };
    match ops::handle(shared, session, request).await {
        Ok(response) => encode(&ServerFrame::Ok(OkFrame { id, response })),
        Err(Failure(code, message)) => err_frame(Some(id), code, message),
    }
}

/// A request frame in two steps (JSON, then the typed request), so a bad frame still gets an
/// answer with its `id` and a precise code.
fn parse(text: &str, max: usize) -> Result<(u64, Request), Utf8Bytes> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) if text.len() <= max => {
            return Err(err_frame(
                None,
                codes::MALFORMED_FRAME,
                format!("frame is not JSON: {e}"),
            ))
        }
        Err(_) => Value::Null,
    };
    let id = value.get("id").and_then(Value::as_u64);
    if text.len() > max {
        return Err(err_frame(
            id,
            codes::BODY_SIZE_LIMIT,
            format!("frame of {} bytes exceeds the {max}-byte limit", text.len()),
        ));
    }
    let Some(id) = id else {
        return Err(err_frame(
            None,
            codes::MALFORMED_FRAME,
            "frame must be a JSON object with a numeric id",
        ));
    };
    let op = match value.get("op").and_then(Value::as_str) {
        Some(name) => Op::from_name(name).ok_or_else(|| {
            err_frame(Some(id), codes::UNKNOWN_OP, format!("unknown op {name:?}"))
        })?,
        None => return Err(err_frame(Some(id), codes::INVALID_REQUEST, "missing op")),
    };
    match serde_json::from_value::<ClientFrame>(value) {
        Ok(f) => Ok((id, f.request)),
        Err(e) => Err(err_frame(
            Some(id),
            codes::INVALID_REQUEST,
            format!("invalid {} request: {e}", op.name()),
        )),
    }
}
