//! tim-server: the open IM server the tim-wasm SDK talks to.
//!
//! [`listen`] accepts sockets within the caps; [`conn`] carries frames of one WebSocket;
//! [`session`] logs it in and makes the caller that [`ops`] (one file per domain) answers for; ops reach storage through the per-domain traits
//! of [`store`], and users' sessions only through the [`bus`] and [`registry`] seams, which
//! [`hub`] implements in process. [`rest`] is the API for app back ends, [`usersig`] the
//! TLSSigAPIv2 check, [`config`] the settings. docs/ARCHITECTURE.md has the picture.

pub mod bus;
pub mod config;
pub mod conn;
pub mod failure;
pub mod hub;
pub mod listen;
pub mod nats;
pub mod ops;
pub mod rate;
pub mod registry;
pub mod rest;
pub mod session;
pub mod store;
pub mod usersig;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use bus::Bus;
use config::{Config, DEV_SDKAPPID};
use hub::Hub;
use registry::SessionRegistry;
use serde::Deserialize;
use std::io::Write;
use std::sync::Arc;
use store::Store;

/// Everything the connections share.
pub struct Shared<S: Store> {
    pub cfg: Config,
    pub store: S,
    /// Where pushes to users go.
    pub bus: Arc<dyn Bus>,
    pub sessions: Arc<dyn SessionRegistry>,
    /// The per-user message buckets and the failed logins per address.
    pub rates: rate::Rates,
}

/// The server's clock, Unix seconds.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Bind, print `listening on http://IP:PORT`, and serve until Ctrl-C or SIGTERM.
pub async fn run(cfg: Config) -> Result<(), String> {
    let hub = Arc::new(Hub::new(cfg.resume_grace));
    // Pushes go to this node's sessions, and with a NATS bus to the other nodes' too.
    let bus: Arc<dyn Bus> = match &cfg.bus {
        Some(url) => Arc::new(nats::NatsBus::connect(url, hub.clone()).await?),
        None => hub.clone(),
    };
    match store::Database::parse(&cfg.db)? {
        store::Database::Sqlite(_) if cfg.bus.is_some() => {
            Err("--bus joins nodes that share one database: use it with --db postgres://…".into())
        }
        store::Database::Sqlite(path) => {
            let store = store::open_sqlite(path, bus.clone())?;
            serve(cfg, store, bus, hub).await
        }
        store::Database::Postgres(url) => {
            let store = store::open_postgres(url, bus.clone()).await?;
            // The sessions of every node, in the database they share.
            let sessions = Arc::new(store.sessions(hub, bus.clone(), cfg.resume_grace));
            serve(cfg, store, bus, sessions).await
        }
    }
}

async fn serve<S: Store>(
    cfg: Config,
    store: S,
    bus: Arc<dyn Bus>,
    sessions: Arc<dyn SessionRegistry>,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(cfg.addr)
        .await
        .map_err(|e| format!("binding {}: {e}", cfg.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let limits = cfg.limits.clone();
    let app = router(Arc::new(Shared {
        rates: rate::Rates::new(&limits),
        cfg,
        store,
        bus,
        sessions,
    }));
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    }
    tokio::select! {
        _ = listen::serve(listener, app, limits) => Ok(()),
        _ = shutdown_signal() => Ok(()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

pub fn router<S: Store>(shared: Arc<Shared<S>>) -> Router {
    let mut app = Router::new()
        .route(tim_proto::WS_PATH, get(ws_upgrade::<S>))
        .route("/healthz", get(|| async { "ok" }))
        .route("/v4/{service}/{command}", post(rest::handle::<S>));
    if shared.cfg.dev {
        app = app.route("/dev/usersig", get(dev_usersig::<S>));
    }
    if let Some(dir) = &shared.cfg.static_dir {
        app = app.fallback_service(tower_http::services::ServeDir::new(dir));
    }
    app.with_state(shared)
}

async fn ws_upgrade<S: Store>(
    ws: WebSocketUpgrade,
    peer: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    State(shared): State<Arc<Shared<S>>>,
) -> Response {
    // Served by `listen::serve`, every request has it.
    let peer = peer.map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |p| p.0 .0.ip());
    // A small read buffer keeps an idle connection at a few KiB; writes gather in a buffer
    // (allocated when first written) until the connection flushes a burst at once. The hard cap
    // on one WebSocket message (what an unfinished one may hold) is twice the frame limit: past
    // it the connection is closed (1009); frames between the two get an `err` frame and the
    // connection stays.
    let transport_max = conn::transport_max(shared.cfg.max_frame_bytes);
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(64 * 1024)
        .max_message_size(transport_max)
        .max_frame_size(transport_max)
        .on_upgrade(move |socket| conn::serve(socket, shared, peer))
}

#[derive(Deserialize)]
struct SigQuery {
    #[serde(rename = "userID")]
    user_id: String,
    expire: Option<u64>,
}

/// `GET /dev/usersig?userID=alice[&expire=SECONDS]` (only with `--dev`): a UserSig of the
/// development app, so the demo page and tests need no back end of their own.
async fn dev_usersig<S: Store>(
    State(shared): State<Arc<Shared<S>>>,
    Query(q): Query<SigQuery>,
) -> Response {
    if !session::valid_user_id(&q.user_id) {
        return (StatusCode::BAD_REQUEST, "userID must be 1-32 bytes").into_response();
    }
    let app = &shared.cfg.apps[&DEV_SDKAPPID];
    let expire = q.expire.unwrap_or(7 * 24 * 3600);
    let sig = usersig::generate(app.sdkappid, &app.key, &q.user_id, expire, now_secs());
    (
        [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        Json(serde_json::json!({
            "SDKAppID": app.sdkappid,
            "userID": q.user_id,
            "userSig": sig,
            "expire": expire,
        })),
    )
        .into_response()
}
