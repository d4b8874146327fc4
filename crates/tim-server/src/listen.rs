//! Accepting connections: the caps on open connections (in total and per source address) and
//! the deadline for a request's headers, so that sockets that never send, or send slowly,
//! cannot hold the server's file descriptors.

use crate::config::Limits;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// The request-head buffer: an upgrade or a REST call needs a few hundred bytes of headers.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// How many connections are open, in total and per source address.
struct Open {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// One open connection's place in the caps, given back when it is dropped: it is held by the
/// socket itself ([`Held`]), so it lasts exactly as long as the connection, as HTTP or as the
/// WebSocket it became.
struct Slot {
    open: Arc<Mutex<Open>>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().expect("connection caps lock");
        open.total -= 1;
        if let Some(n) = open.per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.per_ip.remove(&self.ip);
            }
        }
    }
}

/// A socket with its place in the caps.
struct Held {
    tcp: TcpStream,
    _slot: Slot,
}

impl AsyncRead for Held {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Held {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// A place for a connection from `ip`, if the caps allow one more.
fn take(open: &Arc<Mutex<Open>>, ip: IpAddr, limits: &Limits) -> Option<Slot> {
    let mut o = open.lock().expect("connection caps lock");
    let from_ip = o.per_ip.get(&ip).copied().unwrap_or(0);
    if o.total >= limits.max_connections || from_ip >= limits.max_connections_per_ip {
        return None;
    }
    o.total += 1;
    o.per_ip.insert(ip, from_ip + 1);
    Some(Slot {
        open: open.clone(),
        ip,
    })
}

/// Serve `app` on `listener` over HTTP/1.1 (with upgrades) until the future is dropped.
/// A connection over the caps is closed at once; one whose request head is not complete
/// within `limits.header_timeout` is closed then.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits) {
    let open = Arc::new(Mutex::new(Open {
        total: 0,
        per_ip: HashMap::new(),
    }));
    let mut refused: u64 = 0;
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors or the like: wait instead of spinning.
                tracing::warn!("accepting a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Some(slot) = take(&open, peer.ip(), &limits) else {
            refused += 1;
            if refused.is_power_of_two() {
                tracing::warn!("connection caps reached: {refused} connections refused so far (last from {peer})");
            }
            continue;
        };
        // Small frames go out at once: without TCP_NODELAY an answer written right after a
        // push waits for the client's delayed ACK (tens of ms per request).
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            // Handlers learn the client's address as axum's `ConnectInfo`.
            let service = app.map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req.map(Body::new)
            });
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_buf_size(MAX_HEAD_BYTES)
                .serve_connection(
                    TokioIo::new(Held { tcp, _slot: slot }),
                    TowerToHyperService::new(service),
                )
                .with_upgrades()
                .await;
            if let Err(e) = served {
                tracing::debug!("connection from {peer}: {e}");
            }
        });
    }
}
