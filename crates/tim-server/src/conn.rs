//! One WebSocket connection, transport only: the `hello`, reading and parsing frames (a frame
//! that cannot be read gets an `err` frame; the connection stays open), writing answers and
//! pushes, and ending on a kick, the UserSig's expiry or silence. What a request means is for
//! [`ops`](crate::ops); the connection's session is [`Session`].

use crate::failure::Failure;
use crate::hub::{encode, OUTBOUND_QUEUE};
use crate::ops;
use crate::rate::Bucket;
use crate::registry::{EndReason, Kill};
use crate::session::{heartbeat, Session, SessionEnd};
use crate::store::Store;
use crate::{now_secs, Shared};
use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, WebSocket};
use futures_util::stream::FuturesOrdered;
use futures_util::{FutureExt, SinkExt, StreamExt};
use serde_json::Value;
use std::future::{pending, ready, Future};
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use tim_proto::{codes, *};
use tokio::sync::mpsc;
use tokio::time::{sleep_until, timeout, Instant};

/// WebSocket close codes the server uses (4000–4999 is the application range).
pub const CLOSE_KICKED: u16 = 4001;
pub const CLOSE_IDLE: u16 = 4002;
pub const CLOSE_TOO_SLOW: u16 = 4003;
pub const CLOSE_LOGIN_TIMEOUT: u16 = 4004;
/// The WebSocket code for a message over the transport's cap.
pub const CLOSE_TOO_BIG: u16 = 1009;

/// The most one WebSocket message may hold, unfinished ones included, for a frame limit of
/// `max_frame_bytes`.
pub fn transport_max(max_frame_bytes: usize) -> usize {
    max_frame_bytes.saturating_mul(2)
}

/// Requests of one connection being answered at once; past this the connection stops reading
/// (the client's sends wait in TCP: back-pressure on the sender, not a dropped receiver).
const MAX_IN_FLIGHT: usize = 32;

type Answer = Pin<Box<dyn Future<Output = Utf8Bytes> + Send>>;
type SessionAnswer = Pin<Box<dyn Future<Output = (Session, Utf8Bytes)> + Send>>;

/// A connection's app ops, run by a task of their own ([`run_ops`]): ops in, their answers
/// out in request order, and how many are in flight.
struct Ops {
    tx: mpsc::UnboundedSender<Answer>,
    rx: mpsc::UnboundedReceiver<Utf8Bytes>,
    in_flight: usize,
}

impl Ops {
    fn start() -> Ops {
        let (tx, ops) = mpsc::unbounded_channel();
        let (answers, rx) = mpsc::unbounded_channel();
        tokio::spawn(run_ops(ops, answers));
        Ops {
            tx,
            rx,
            in_flight: 0,
        }
    }

    fn push(&mut self, op: Answer) {
        if self.tx.send(op).is_ok() {
            self.in_flight += 1;
        }
    }

    /// The next answer if it is there.
    fn ready(&mut self) -> Option<Utf8Bytes> {
        let answer = self.rx.try_recv().ok()?;
        self.in_flight -= 1;
        Some(answer)
    }

    /// The next answer (cancel-safe: nothing is lost when another branch wins).
    async fn next(&mut self) -> Option<Utf8Bytes> {
        let answer = self.rx.recv().await?;
        self.in_flight -= 1;
        Some(answer)
    }
}

/// Runs a connection's app ops, started in request order, concurrently, and sends their
/// answers back in that order. Apart from the connection's task, so an op goes on while the
/// connection waits to write to a slow socket (an op in a store transaction, holding a group's
/// sequence, must never wait on one client's reading), and an op whose connection ended still
/// finishes instead of being dropped midway.
async fn run_ops(
    mut ops: mpsc::UnboundedReceiver<Answer>,
    answers: mpsc::UnboundedSender<Utf8Bytes>,
) {
    let mut running: FuturesOrdered<Answer> = FuturesOrdered::new();
    loop {
        tokio::select! {
            op = ops.recv() => match op {
                Some(op) => running.push_back(op),
                None => break,
            },
            Some(answer) = running.next(), if !running.is_empty() => {
                let _ = answers.send(answer);
            }
        }
    }
    // The connection is gone: what it started still ends properly.
    while running.next().await.is_some() {}
}

/// Serve the WebSocket `socket` of a client at `peer`.
pub async fn serve<S: Store>(mut socket: WebSocket, shared: Arc<Shared<S>>, peer: IpAddr) {
    let (tx, mut rx) = mpsc::channel(OUTBOUND_QUEUE);
    let idle = shared.cfg.idle_timeout;
    let limits = &shared.cfg.limits;
    let wt = limits.write_timeout;
    let login_by = Instant::now() + limits.login_timeout;
    let mut requests = Bucket::new(limits.requests_per_sec, std::time::Instant::now());
    let hello = encode(&ServerFrame::Hello(Hello {
        protocol: PROTOCOL_VERSION,
        server: concat!("tim-server/", env!("CARGO_PKG_VERSION")).into(),
        heartbeat_ms: (idle.as_millis() / 3) as u64,
        idle_timeout_ms: idle.as_millis() as u64,
        max_frame_bytes: shared.cfg.max_frame_bytes as u64,
    }));
    if !matches!(
        timeout(wt, socket.send(WsMessage::Text(hello))).await,
        Ok(Ok(()))
    ) {
        return;
    }
    // The session is here between session ops, and inside the one in flight during it. App
    // ops run concurrently, each for the caller it was read with; their answers (and those of
    // frames that could not be read) go out in request order. Pushes are written meanwhile.
    let mut session = Some(Session::new(tx, peer));
    let mut session_op: Option<SessionAnswer> = None;
    // A session op read while app ops were in flight waits for them: it may change the caller.
    let mut waiting: Option<(u64, Request)> = None;
    let mut answers = Ops::start();
    let (mut kill, mut sig_expiry) = (None, None);
    // Until the first login, the login deadline holds (heartbeats do not extend it).
    let mut logged_in = false;
    let mut deadline = Instant::now() + idle;
    let (close, end) = loop {
        let can_read =
            session_op.is_none() && waiting.is_none() && answers.in_flight < MAX_IN_FLIGHT;
        let wake = match logged_in || session_op.is_some() {
            true => deadline,
            false => deadline.min(login_by),
        };
        tokio::select! {
            incoming = socket.recv(), if can_read => {
                let text = match incoming {
                    Some(Err(e)) if too_big(&e) => {
                        break (Some((CLOSE_TOO_BIG, "message too big")), SessionEnd::Detach)
                    }
                    None | Some(Err(_)) | Some(Ok(WsMessage::Close(_))) => break (None, SessionEnd::Detach),
                    Some(Ok(WsMessage::Text(t))) => Ok(t),
                    Some(Ok(WsMessage::Binary(b))) => Utf8Bytes::try_from(b).map_err(|_| ()),
                    // Pings and pongs (answered by the transport) do not count as activity.
                    Some(Ok(_)) => continue,
                };
                deadline = Instant::now() + idle;
                let parsed = match text {
                    Ok(t) => parse(t.as_str(), shared.cfg.max_frame_bytes),
                    Err(()) => Err(err_frame(None, codes::MALFORMED_FRAME, "binary frame is not UTF-8 JSON")),
                };
                let rate = limits.requests_per_sec;
                match parsed {
                    Err(frame) => answers.push(Box::pin(ready(frame))),
                    Ok((id, _)) if !requests.take(rate, std::time::Instant::now()) => {
                        let why = format!("over {} requests a second on one connection", rate.per_sec);
                        answers.push(Box::pin(ready(err_frame(Some(id), codes::OVERLOAD, why))))
                    }
                    Ok((id, Request::Heartbeat)) => {
                        answers.push(Box::pin(ready(ok_frame(id, Ok(heartbeat())))))
                    }
                    Ok((id, request)) if request.op().is_session() => waiting = Some((id, request)),
                    Ok((id, request)) => {
                        let caller = session.as_ref().map(|s| s.caller().cloned());
                        let answer: Answer = match caller {
                            Some(Ok(caller)) => {
                                let shared = shared.clone();
                                Box::pin(async move {
                                    let ctx = ops::Ctx { shared: &shared, caller: &caller };
                                    ok_frame(id, ops::dispatch(&ctx, request).await)
                                })
                            }
                            Some(Err(refused)) => Box::pin(ready(ok_frame(id, Err(refused)))),
                            None => continue,
                        };
                        answers.push(answer);
                    }
                }
            }
            Some(frame) = answers.next(), if answers.in_flight > 0 => {
                if write(&mut socket, frame, &mut rx, &mut answers, wt).await.is_err() {
                    break (None, SessionEnd::Detach);
                }
            }
            (back, frame) = async { session_op.as_mut().expect("a session op").await }, if session_op.is_some() => {
                session_op = None;
                let mut back = back;
                (kill, sig_expiry) = (back.kill(), back.sig_expires_at());
                logged_in |= back.caller().is_ok();
                let kick_now = back.kick_now.take();
                session = Some(back);
                if let Some(reason) = kick_now {
                    break (Some(kick(&mut socket, reason, wt).await), SessionEnd::Remove);
                }
                if write(&mut socket, frame, &mut rx, &mut answers, wt).await.is_err() {
                    break (None, SessionEnd::Detach);
                }
            }
            Some(frame) = rx.recv() => {
                if write(&mut socket, frame, &mut rx, &mut answers, wt).await.is_err() {
                    break (None, SessionEnd::Detach);
                }
            }
            reason = killed(kill.clone()) => {
                break match reason {
                    EndReason::Kicked(reason) => (Some(kick(&mut socket, reason, wt).await), SessionEnd::Remove),
                    // The registry detached the session already; the client resumes and resyncs.
                    EndReason::TooSlow => (Some((CLOSE_TOO_SLOW, "outbound queue overflow")), SessionEnd::Detach),
                };
            }
            _ = sig_expired(sig_expiry) => {
                break (Some(kick(&mut socket, KICK_USERSIG_EXPIRED, wt).await), SessionEnd::Remove);
            }
            // One timer for both deadlines.
            _ = sleep_until(wake) => {
                if Instant::now() < deadline {
                    break (Some((CLOSE_LOGIN_TIMEOUT, "login timeout")), SessionEnd::Detach);
                }
                break (Some((CLOSE_IDLE, "idle timeout")), SessionEnd::Detach);
            }
        }
        // A session op starts once the answers before it are out.
        if answers.in_flight == 0 && session_op.is_none() && waiting.is_some() {
            if let (Some((id, request)), Some(s)) = (waiting.take(), session.take()) {
                let shared = shared.clone();
                session_op = Some(Box::pin(async move {
                    let mut s = s;
                    let result = ops::handle_session(&shared, &mut s, request).await;
                    (s, ok_frame(id, result))
                }));
            }
        }
    };
    if let Some((code, reason)) = close {
        let close = WsMessage::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        let _ = timeout(wt, socket.send(close)).await;
    }
    // A session op in flight finishes first, so its session is registered or not, and ended.
    if let Some(op) = session_op {
        session = Some(op.await.0);
    }
    if let Some(mut s) = session {
        s.end(&shared, end).await;
    }
}

/// Write `frame` and every push and answer already there behind it, then flush once: one
/// system call for a burst, not one per frame. A client that has not taken it all within
/// `within` does not read: the connection ends (its task never waits on it longer).
async fn write(
    socket: &mut WebSocket,
    frame: Utf8Bytes,
    queued: &mut mpsc::Receiver<Utf8Bytes>,
    answers: &mut Ops,
    within: std::time::Duration,
) -> Result<(), ()> {
    let mut burst = std::pin::pin!(write_burst(socket, frame, queued, answers));
    // Most bursts go out at once: only one that has to wait arms a timer.
    if let Some(done) = (&mut burst).now_or_never() {
        return done.map_err(|_| ());
    }
    match timeout(within, burst).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(()),
        Err(_) => {
            tracing::info!("closing a connection whose client has not read for {within:?}");
            Err(())
        }
    }
}

async fn write_burst(
    socket: &mut WebSocket,
    frame: Utf8Bytes,
    queued: &mut mpsc::Receiver<Utf8Bytes>,
    answers: &mut Ops,
) -> Result<(), axum::Error> {
    socket.feed(WsMessage::Text(frame)).await?;
    // Bounded, so a connection flushes at least every so many frames.
    for _ in 0..OUTBOUND_QUEUE {
        let next = match queued.try_recv() {
            Ok(push) => push,
            Err(_) => match answers.ready() {
                Some(answer) => answer,
                None => break,
            },
        };
        socket.feed(WsMessage::Text(next)).await?;
    }
    socket.flush().await
}

/// Whether a read failed because the message was over the transport's cap.
fn too_big(e: &axum::Error) -> bool {
    std::error::Error::source(e)
        .and_then(|e| e.downcast_ref::<tungstenite::Error>())
        .is_some_and(|e| matches!(e, tungstenite::Error::Capacity(_)))
}

fn ok_frame(id: u64, result: Result<Response, Failure>) -> Utf8Bytes {
    match result {
        Ok(response) => encode(&ServerFrame::Ok(OkFrame { id, response })),
        Err(Failure(code, message)) => err_frame(Some(id), code, message),
    }
}

/// Tell the client it was kicked; returns the close code and reason to end with.
async fn kick(
    socket: &mut WebSocket,
    reason: &'static str,
    within: std::time::Duration,
) -> (u16, &'static str) {
    let frame = encode(&ServerFrame::Kicked(Kicked {
        reason: reason.into(),
    }));
    let _ = timeout(within, socket.send(WsMessage::Text(frame))).await;
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

/// A well-formed request frame: its `id`, `op` and raw `data` in one pass, then the data
/// straight into the op's type (no buffered tree of the whole frame, as serde's flattened and
/// tagged enums make); `None` for anything else.
fn fast(text: &str) -> Option<(u64, Request)> {
    #[derive(serde::Deserialize)]
    struct Frame<'a> {
        id: u64,
        op: &'a str,
        #[serde(borrow)]
        data: Option<&'a serde_json::value::RawValue>,
    }
    let frame: Frame<'_> = serde_json::from_str(text).ok()?;
    let op = Op::from_name(frame.op)?;
    Some((frame.id, Request::from_data(op, frame.data).ok()?))
}

/// A request frame: straight into the typed request; a frame that does not read that way is
/// read again in two steps (JSON, then the typed request), so it still gets an answer with its
/// `id` and a precise code.
pub fn parse(text: &str, max: usize) -> Result<(u64, Request), Utf8Bytes> {
    if text.len() > max {
        // Only the id is read (nothing else is kept), for the answer to name its request.
        #[derive(serde::Deserialize)]
        struct IdOnly {
            id: Option<u64>,
        }
        let id = serde_json::from_str::<IdOnly>(text).ok().and_then(|f| f.id);
        return Err(err_frame(
            id,
            codes::BODY_SIZE_LIMIT,
            format!("frame of {} bytes exceeds the {max}-byte limit", text.len()),
        ));
    }
    if let Some(read) = fast(text) {
        return Ok(read);
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Err(err_frame(
                None,
                codes::MALFORMED_FRAME,
                format!("frame is not JSON: {e}"),
            ))
        }
    };
    let Some(id) = value.get("id").and_then(Value::as_u64) else {
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
    let data = value.get("data").cloned().unwrap_or_default();
    match serde_json::from_value::<ClientFrame>(value) {
        Ok(f) => Ok((id, f.request)),
        Err(e) => {
            // An op that is not stateless fell through to the call variant: serde's word on
            // its own data type says what is wrong.
            let why = Request::data_error(op, data).unwrap_or_else(|| e.to_string());
            Err(err_frame(
                Some(id),
                codes::INVALID_REQUEST,
                format!("invalid {} request: {why}", op.name()),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the slow path (serde's own reading of a whole frame) makes of `text`.
    fn slow(text: &str) -> Option<(u64, Request)> {
        let f = serde_json::from_str::<ClientFrame>(text).ok()?;
        Some((f.id, f.request))
    }

    #[test]
    fn the_fast_path_reads_every_op_as_serde_does() {
        let mut frames = vec![
            r#"{"id":1,"op":"login","data":{"protocol":1,"SDKAppID":7,"userID":"a","userSig":"s"}}"#.to_owned(),
            r#"{"id":2,"op":"sync","data":{"after":3,"limit":9}}"#.into(),
            r#"{"id":3,"op":"sendMessage","data":{"conversationType":"C2C","to":"bob","clientMsgID":"c","random":1,"elements":[{"type":"TIMTextElem","content":{"text":"hi"}}],"needReadReceipt":true,"atUserList":["x"]}}"#.into(),
            r#"{"id":4,"op":"getHistory","data":{"conversationID":"GROUPg","count":5}}"#.into(),
            r#"{"id":5,"op":"syncGroups","data":{"cursors":[["g",4]],"limit":100}}"#.into(),
            r#"{"id":6,"op":"logout"}"#.into(),
            r#"{"id":7,"op":"heartbeat","data":null}"#.into(),
            r#"{"id":8 , "op" : "getUserProfile", "data": {"userIDList": ["bob"]}, "extra": 1}"#.into(),
        ];
        for op in Op::ALL {
            for data in ["", r#","data":{}"#, r#","data":null"#] {
                frames.push(format!(r#"{{"id":9,"op":"{}"{data}}}"#, op.name()));
            }
        }
        let mut fast_reads = 0;
        for text in &frames {
            match (fast(text), slow(text)) {
                // A stateless op's data is its text, unparsed: compare the values.
                (Some((id, Request::Call(a))), Some((sid, Request::Call(b)))) => {
                    assert_eq!((id, a.op), (sid, b.op), "{text}");
                    let value = |j: &Json| serde_json::from_str::<Value>(&j.0).unwrap();
                    assert_eq!(value(&a.data), value(&b.data), "{text}");
                }
                (Some(fast), slow) => assert_eq!(Some(fast), slow, "{text}"),
                (None, _) => continue,
            }
            fast_reads += 1;
        }
        assert!(
            fast_reads > Op::ALL.len() * 2,
            "most frames take the fast path"
        );
        for text in [
            r#"{"id":1,"op":"fly"}"#,
            r#"{"id":"1","op":"sync","data":{"after":0}}"#,
        ] {
            assert_eq!(fast(text), None, "{text}");
        }
    }
}
